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
        let primary = express.get("primaryContainer");
        let main = self
            .td
            .container_definitions
            .iter()
            .find(|c| c.name == rules::express::CONTAINER);
        match (primary, main) {
            // A spec (an EcsRoleSet written by hand, which nothing normalises) with the request
            // but not the task definition ECS registers from it.
            (Some(_), None) => {
                let f = self.error(
                    "expressGatewayService.primaryContainer",
                    "the task definition ECS registers from primaryContainer is not in this spec, so its execution and task roles cannot be planned",
                );
                f.fix = Some("plan the create-express-gateway-service request or template itself, or use the EcsRoleSet ecsroles renders from it (it carries that task definition)".into());
                f.doc = Some(doc::EXPRESS_SERVICE.into());
            }
            (Some(p), Some(m))
                if p.get("image").and_then(|i| i.as_str()) != Some(m.image.as_str()) =>
            {
                let f = self.error(
                    "expressGatewayService.primaryContainer.image",
                    "the task definition's container Main runs another image than primaryContainer: it is not the one ECS registers from this request",
                );
                f.fix = Some("render the EcsRoleSet again from the request".into());
            }
            // Bring-your-own (taskDefinitionArn): "The task definition must have a container
            // named Main with a single TCP port mapping […]" (doc::EXPRESS_API, since 2026-06).
            (None, None) => {
                let f = self.error(
                    cat!(self.td_path, ".containerDefinitions"),
                    "an Express Mode service's task definition must have a container named Main (its primary container); ECS refuses this one",
                );
                f.fix = Some("name the container that serves the service's traffic Main".into());
                f.doc = Some(doc::EXPRESS_API.into());
            }
            _ => {}
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
        // The group ECS names when primaryContainer leaves out awsLogsConfiguration (read as
        // `/aws/ecs/<cluster>/<service>-*`): ECS creates it with this role. Not a group of a
        // task definition brought along, nor one the request names.
        let ecs_named = primary.is_some_and(|p| {
            p.get("awsLogsConfiguration")
                .and_then(|l| l.get("logGroup"))
                .is_none()
        });
        if ecs_named {
            for g in &mut self.log_groups {
                if rules::express::is_ecs_log_group(&g.name) {
                    g.created_by_ecs = true;
                    g.used_by.push_str(
                        " (Express Mode: ECS creates its group with the infrastructure role)",
                    );
                }
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

#[cfg(all(test, feature = "templates"))]
mod tests {
    use crate::model::{RoleKind, Severity};
    use crate::spec::EcsRoleSetSpec;
    use crate::{parse_document, plan};
    use serde_json::json;

    fn errors(p: &crate::RolePlan) -> Vec<String> {
        p.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{}: {}", f.path, f.message))
            .collect()
    }

    #[test]
    fn a_task_definition_brought_along_keeps_its_own_log_group_and_needs_main() {
        let doc = json!({"region": "us-east-1", "account": "111122223333",
            "taskDefinition": {"family": "shop", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
                "containerDefinitions": [{"name": "Main", "image": "nginx",
                    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/shop"}}}]},
            "expressGatewayService": {"serviceName": "shop", "infrastructureRoleArn": "arn:aws:iam::111122223333:role/infra",
                "taskDefinitionArn": "arn:aws:ecs:us-east-1:111122223333:task-definition/shop:1"}});
        let (spec, _) = parse_document(&doc.to_string()).unwrap();
        let p = plan(&spec);
        assert!(errors(&p).is_empty(), "{:?}", errors(&p));
        assert!(p
            .roles
            .iter()
            .any(|r| r.kind == RoleKind::ExpressInfrastructure));
        // The user's own group: it must exist; ECS does not make it.
        let g = &p.companions.log_groups[0];
        assert_eq!((g.name.as_str(), g.created_by_ecs), ("/ecs/shop", false));
        // Without a container Main, ECS refuses the task definition.
        let mut other = doc.clone();
        other["taskDefinition"]["containerDefinitions"][0]["name"] = json!("web");
        let (spec, _) = parse_document(&other.to_string()).unwrap();
        assert!(errors(&plan(&spec))
            .iter()
            .any(|e| e.contains("container named Main")));
    }

    #[test]
    fn the_request_without_its_task_definition_is_said_not_planned_blindly() {
        // An EcsRoleSet written by hand (the controller reads it as typed, unnormalised).
        let spec: EcsRoleSetSpec = serde_json::from_value(json!({"region": "us-east-1",
            "taskDefinition": {"family": "shop", "containerDefinitions": []},
            "expressGatewayService": {"serviceName": "shop", "primaryContainer": {"image": "nginx"}}}))
        .unwrap();
        let e = errors(&plan(&spec));
        assert!(
            e.iter()
                .any(|e| e.starts_with("expressGatewayService.primaryContainer:")),
            "{e:?}"
        );
        assert!(
            !e.iter().any(|e| e.contains("container named Main")),
            "{e:?}"
        );
    }

    #[test]
    fn an_edited_request_is_planned_from_the_request_not_from_the_earlier_task_definition() {
        let request = json!({"serviceName": "shop", "infrastructureRoleArn": "arn:aws:iam::111122223333:role/infra",
            "primaryContainer": {"image": "nginx"}});
        let (spec, _) = parse_document(&request.to_string()).unwrap();
        // The spec ecsroles writes (an EcsRoleSet's) carries the task definition it made; the
        // user then adds a secret to primaryContainer.
        let mut v = serde_json::to_value(&spec).unwrap();
        assert_eq!(
            v["taskDefinition"]["containerDefinitions"][0]["name"],
            "Main"
        );
        v["expressGatewayService"]["primaryContainer"]["secrets"] = json!([{"name": "DB", "valueFrom": "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"}]);
        let (spec, _) = parse_document(&v.to_string()).unwrap();
        let p = plan(&spec);
        let exec = p
            .roles
            .iter()
            .find(|r| r.kind == RoleKind::TaskExecution)
            .unwrap();
        let text = serde_json::to_string(&exec.inline_policies).unwrap();
        assert!(text.contains("secret:db-AbCdEf"), "{text}");
    }
}
