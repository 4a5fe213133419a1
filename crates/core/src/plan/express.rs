//! ECS Express Mode services (`doc::EXPRESS_SERVICE`): one CreateExpressGatewayService call,
//! and ECS registers the task definition from `primaryContainer` (read into `taskDefinition` by
//! the normaliser, so the execution and task roles are planned as for any Fargate task) and
//! creates the service's load balancer, listeners, target groups, security groups,
//! certificate, scaling and alarms with the infrastructure role named by
//! `infrastructureRoleArn`.

use super::*;

impl<'a> Planner<'a> {
    /// The Express Mode infrastructure role: AWS's managed policy, since every resource it
    /// writes is one ECS creates for the service (no ARN the workload gives can narrow it; the
    /// policy already limits each write to resources tagged `AmazonECSManaged=true`).
    pub(super) fn express(&mut self) {
        let k = RoleKind::ExpressInfrastructure;
        let express = &self.spec.express_gateway_service;
        // The calculator's plain module never reads one (the normaliser hands Express services
        // to the full build): none of the rest is carried in it.
        if express.is_empty() || cfg!(not(feature = "templates")) {
            self.absent_why.insert(
                k,
                (
                    "the workload is not an Express Mode service (expressGatewayService)".into(),
                    doc::EXPRESS_SERVICE,
                ),
            );
            return;
        }
        // Express Mode runs on Fargate (Linux) only: the task definition ECS registers says
        // FARGATE, and one brought with taskDefinitionArn must be Fargate-compatible.
        if self.launch != LaunchType::Fargate {
            let f = self.error(
                "launchType",
                "Express Mode services run on Fargate only (their task definition must be FARGATE-compatible)",
            );
            f.fix =
                Some("plan it with launchType FARGATE, or make it a CreateService service".into());
            f.doc = Some(doc::EXPRESS_SERVICE.into());
        }
        // Bring-your-own (taskDefinitionArn): "The task definition must have a container named
        // Main with a single TCP port mapping […]" (doc::EXPRESS_API, since 2026-06).
        let main = self
            .td
            .container_definitions
            .iter()
            .any(|c| c.name == "Main");
        if !main {
            let f = self.error(
                cat!(self.td_path, ".containerDefinitions"),
                "an Express Mode service's task definition must have a container named Main (its primary container); ECS refuses this one",
            );
            f.fix = Some("name the container that serves the service's traffic Main".into());
            f.doc = Some(doc::EXPRESS_API.into());
        }
        self.need(
            k,
            "the workload is an Express Mode service: ECS creates and runs its load balancer, security groups, certificate, scaling and alarms",
        );
        self.attach_aws_managed(
            k,
            rules::managed::EXPRESS_INFRA,
            "AWS's Express Mode policy: writes only on the load balancer, target groups, security groups, certificate, scaling targets, alarms and log groups ECS creates and tags AmazonECSManaged=true (no ARN of yours can narrow it further); it creates the Elastic Load Balancing and Application Auto Scaling service-linked roles when the account lacks them",
        );
        // The group ECS names when awsLogsConfiguration is left out: created with this role.
        let ecs_named = express
            .get("primaryContainer")
            .and_then(|c| c.get("awsLogsConfiguration"))
            .and_then(|l| l.get("logGroup"))
            .is_none();
        if ecs_named {
            for g in &mut self.log_groups {
                g.created_by_ecs = true;
                g.used_by.push_str(
                    " (Express Mode: ECS creates its group with the infrastructure role)",
                );
            }
        }
        let named = express
            .get("infrastructureRoleArn")
            .and_then(|v| v.as_str())
            .is_some_and(|a| !a.trim().is_empty());
        if !named {
            let f = self.warn(
                "expressGatewayService.infrastructureRoleArn",
                "CreateExpressGatewayService requires infrastructureRoleArn, and the role cannot be changed once the service exists",
            );
            f.fix = Some(
                "set infrastructureRoleArn to the Express Mode infrastructure role planned here"
                    .into(),
            );
            f.doc = Some(doc::EXPRESS_API.into());
        }
    }
}
