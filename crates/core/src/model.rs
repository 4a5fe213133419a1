//! The answer: a [`RolePlan`]. Everything a renderer, the calculator or the controller needs,
//! and nothing they must recompute.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::policy::{PolicyDocument, Text};
use crate::spec::{LaunchType, RoleConfig, RolesConfig};

/// The roles ECS can involve, in the order the plan lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum RoleKind {
    TaskExecution,
    Task,
    Service,
    ContainerInstance,
    ManagedInstancesInfrastructure,
    ManagedInstancesNode,
    VolumeInfrastructure,
    ServiceConnectTls,
    VpcLattice,
    ExpressInfrastructure,
    LoadBalancerInfrastructure,
    LifecycleHooks,
    CodeDeploy,
    EventBridge,
    Scheduler,
    StepFunctions,
    AutoScaling,
    ServiceLinked,
}

impl RoleKind {
    pub const ALL: [RoleKind; 18] = [
        RoleKind::TaskExecution,
        RoleKind::Task,
        RoleKind::Service,
        RoleKind::ContainerInstance,
        RoleKind::ManagedInstancesInfrastructure,
        RoleKind::ManagedInstancesNode,
        RoleKind::VolumeInfrastructure,
        RoleKind::ServiceConnectTls,
        RoleKind::VpcLattice,
        RoleKind::ExpressInfrastructure,
        RoleKind::LoadBalancerInfrastructure,
        RoleKind::LifecycleHooks,
        RoleKind::CodeDeploy,
        RoleKind::EventBridge,
        RoleKind::Scheduler,
        RoleKind::StepFunctions,
        RoleKind::AutoScaling,
        RoleKind::ServiceLinked,
    ];

    /// Everything fixed about this kind: its row of [`KINDS`].
    pub fn facts(self) -> &'static KindFacts {
        // KINDS is in `ALL` order (tested), and the enum's discriminants are that order.
        &KINDS[self as usize]
    }

    /// The key used in the spec's `roles` map and in the plan's JSON.
    pub fn key(self) -> &'static str {
        self.facts().key
    }

    /// The kind whose key (its serde name) is `key`.
    pub fn from_key(key: &str) -> Option<RoleKind> {
        KINDS.iter().find(|k| k.key == key).map(|k| k.kind)
    }

    pub fn title(self) -> &'static str {
        self.facts().title
    }

    /// Suffix of the default role name (`<workload>-<suffix>`).
    pub fn name_suffix(self) -> &'static str {
        self.facts().name_suffix
    }

    /// AWS's own role for a service (created by AWS, its trust and policy written by AWS): the
    /// plan names it and says when it is needed; nothing writes it.
    pub fn service_linked(self) -> bool {
        matches!(self, RoleKind::ServiceLinked | RoleKind::AutoScaling)
    }

    /// The role's settings in the spec (`None` for the service-linked roles, which have none).
    pub fn config(self, roles: &RolesConfig) -> Option<&RoleConfig> {
        Some(match self {
            RoleKind::TaskExecution => &roles.task_execution,
            RoleKind::Task => &roles.task,
            RoleKind::Service => &roles.service,
            RoleKind::ServiceLinked | RoleKind::AutoScaling => return None,
            RoleKind::ContainerInstance => &roles.container_instance,
            RoleKind::ManagedInstancesInfrastructure => &roles.managed_instances_infrastructure,
            RoleKind::ManagedInstancesNode => &roles.managed_instances_node,
            RoleKind::VolumeInfrastructure => &roles.volume_infrastructure,
            RoleKind::ServiceConnectTls => &roles.service_connect_tls,
            RoleKind::VpcLattice => &roles.vpc_lattice,
            RoleKind::ExpressInfrastructure => &roles.express_infrastructure,
            RoleKind::LoadBalancerInfrastructure => &roles.load_balancer_infrastructure,
            RoleKind::LifecycleHooks => &roles.lifecycle_hooks,
            RoleKind::CodeDeploy => &roles.code_deploy,
            RoleKind::EventBridge => &roles.event_bridge,
            RoleKind::Scheduler => &roles.scheduler,
            RoleKind::StepFunctions => &roles.step_functions,
        })
    }
}

impl RoleKind {
    /// Mutable access to the role's settings (`None` for the service-linked role). Lets a
    /// caller such as the controller pin names it derives itself.
    pub fn config_mut(self, roles: &mut RolesConfig) -> Option<&mut RoleConfig> {
        Some(match self {
            RoleKind::TaskExecution => &mut roles.task_execution,
            RoleKind::Task => &mut roles.task,
            RoleKind::Service => &mut roles.service,
            RoleKind::ServiceLinked | RoleKind::AutoScaling => return None,
            RoleKind::ContainerInstance => &mut roles.container_instance,
            RoleKind::ManagedInstancesInfrastructure => &mut roles.managed_instances_infrastructure,
            RoleKind::ManagedInstancesNode => &mut roles.managed_instances_node,
            RoleKind::VolumeInfrastructure => &mut roles.volume_infrastructure,
            RoleKind::ServiceConnectTls => &mut roles.service_connect_tls,
            RoleKind::VpcLattice => &mut roles.vpc_lattice,
            RoleKind::ExpressInfrastructure => &mut roles.express_infrastructure,
            RoleKind::LoadBalancerInfrastructure => &mut roles.load_balancer_infrastructure,
            RoleKind::LifecycleHooks => &mut roles.lifecycle_hooks,
            RoleKind::CodeDeploy => &mut roles.code_deploy,
            RoleKind::EventBridge => &mut roles.event_bridge,
            RoleKind::Scheduler => &mut roles.scheduler,
            RoleKind::StepFunctions => &mut roles.step_functions,
        })
    }
}

/// When in a workload's life a role is assumed (the calculator's lifecycle diagram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Capacity comes up: instances register, Managed Instances launches them.
    Capacity,
    /// A task is launched: images pulled, secrets fetched, volumes attached.
    TaskLaunch,
    /// The task runs: the application's own calls.
    TaskRunning,
    /// The service around the tasks: load balancer registrations, AWS's own role.
    Service,
}

impl Phase {
    pub const ALL: [Phase; 4] = [
        Phase::Capacity,
        Phase::TaskLaunch,
        Phase::TaskRunning,
        Phase::Service,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Phase::Capacity => "Capacity",
            Phase::TaskLaunch => "Task launch",
            Phase::TaskRunning => "Task running",
            Phase::Service => "Service",
        }
    }
}

/// One role kind's fixed facts, one row each in [`KINDS`] (ripgrep's `Flag` pattern: a new
/// kind is a row here plus its rules in `rules.rs`/`plan/` and their tests; the CLI, the
/// calculator and the controller read this table instead of listing kinds themselves).
#[derive(Debug)]
pub struct KindFacts {
    pub kind: RoleKind,
    /// Key in the spec's `roles` map and in the plan's JSON.
    pub key: &'static str,
    pub title: &'static str,
    /// Suffix of the default role name (`<workload>-<suffix>`); none may end in
    /// `-<another suffix>` (tested), so no two kinds of one workload share a name.
    pub name_suffix: &'static str,
    /// The name AWS's guides and consoles give the one account-wide role (`shared: true`).
    pub shared_name: &'static str,
    /// When it is assumed.
    pub phase: Phase,
    /// The AWS page about this role.
    pub doc: &'static str,
    /// The service principal its trust names, as the role's page (`doc`) gives it; the China
    /// partition's EC2 principal differs (see [`KindFacts::principal`]).
    pub principal: &'static str,
    /// When it is assumed, in one sentence; `{agent}` is who launches the task.
    pub when: &'static str,
    /// Why its trust policy is what it is, and the page that says so.
    pub trust_why: &'static str,
    pub trust_doc: &'static str,
    /// EC2 hands it to instances through an instance profile (and on which launch types).
    pub instance_profile: ProfileOn,
    /// What differs for ECS Anywhere (`EXTERNAL`) tasks.
    pub external: Option<ExternalFacts>,
}

/// Where a kind comes with an instance profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileOn {
    Never,
    /// EC2 container instances (not ECS Anywhere instances, whose credentials come from
    /// Systems Manager: doc::ANYWHERE_ROLE).
    Ec2,
    Always,
}

/// A kind's facts for ECS Anywhere instances.
#[derive(Debug)]
pub struct ExternalFacts {
    pub principal: &'static str,
    pub when: &'static str,
    pub trust_why: &'static str,
    pub doc: &'static str,
}

impl KindFacts {
    fn external(&self, launch: LaunchType) -> Option<&ExternalFacts> {
        self.external
            .as_ref()
            .filter(|_| launch == LaunchType::External)
    }
    /// The AWS page about this role for `launch`.
    pub fn doc(&self, launch: LaunchType) -> &'static str {
        self.external(launch).map_or(self.doc, |e| e.doc)
    }
    /// Who assumes it: the service principal in its trust policy. EC2's is
    /// `ec2.amazonaws.com.cn` in the China partition (doc::INSTANCE_ROLE's trust policy for
    /// `aws-cn`; the same principal serves Managed Instances nodes, doc::MANAGED_INSTANCES_NODE).
    pub fn principal(&self, launch: LaunchType, partition: &str) -> &'static str {
        match self.external(launch) {
            Some(e) => e.principal,
            None if partition == "aws-cn" && self.principal == "ec2.amazonaws.com" => {
                "ec2.amazonaws.com.cn"
            }
            None => self.principal,
        }
    }
    pub fn when(&self, launch: LaunchType) -> &'static str {
        self.external(launch).map_or(self.when, |e| e.when)
    }
    /// Why its trust is what it is, and the page.
    pub fn trust_why(&self, launch: LaunchType) -> (&'static str, &'static str) {
        self.external(launch)
            .map_or((self.trust_why, self.trust_doc), |e| (e.trust_why, e.doc))
    }
    pub fn has_instance_profile(&self, launch: LaunchType) -> bool {
        match self.instance_profile {
            ProfileOn::Never => false,
            ProfileOn::Ec2 => launch == LaunchType::Ec2,
            ProfileOn::Always => true,
        }
    }
}

use crate::rules::doc;

const ECS: &str = "ecs.amazonaws.com";
const ECS_TASKS: &str = "ecs-tasks.amazonaws.com";
const EC2: &str = "ec2.amazonaws.com";
const INFRASTRUCTURE_TRUST: &str = "ECS assumes it to manage infrastructure on your behalf.";

/// A finding's fix and doc link, written where the finding is made (the planner's and the
/// normaliser's findings alike).
pub(crate) trait FindingExt {
    fn fix(self, fix: impl Into<String>) -> Self;
    fn doc(self, doc: &str) -> Self;
}
impl FindingExt for Finding {
    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
    fn doc(mut self, doc: &str) -> Self {
        self.doc = Some(doc.to_string());
        self
    }
}

/// The execution role's trust when `executionRoleTrustConditions` asks for conditions.
pub const EXECUTION_TRUST_CONDITIONS: &str = "Only ECS tasks of this account and Region, as asked (executionRoleTrustConditions): AWS documents these for the task role only; launch a task to check.";

/// The registry: one row per [`RoleKind`], in [`RoleKind::ALL`] order.
#[rustfmt::skip]
pub const KINDS: [KindFacts; 18] = [
    KindFacts { kind: RoleKind::TaskExecution, key: "taskExecution", title: "Task execution role",
        name_suffix: "execution", shared_name: "ecsTaskExecutionRole", phase: Phase::TaskLaunch,
        doc: doc::EXECUTION_ROLE, principal: ECS_TASKS,
        when: "{agent} assumes it while launching each task, before any container starts (to pull, fetch secrets and set up logging); the application never sees it",
        trust_why: "The ECS/Fargate agent assumes it on the task's behalf (the trust AWS documents for execution roles). Without aws:SourceAccount/aws:SourceArn conditions: AWS documents them for the task role only and does not say which aws:SourceArn ECS presents for the execution role, so a condition that does not match would stop every task launch (executionRoleTrustConditions adds them).",
        trust_doc: doc::EXECUTION_ROLE, instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::Task, key: "task", title: "Task role",
        name_suffix: "task", shared_name: "ecsTaskRole", phase: Phase::TaskRunning,
        doc: doc::TASK_ROLE, principal: ECS_TASKS,
        when: "ECS vends its credentials to the task's containers for as long as the task runs; the application's AWS SDK uses it",
        trust_why: "Only ECS tasks of this account and region may assume it (confused-deputy protection; ECS does not support a cluster-scoped SourceArn).",
        trust_doc: doc::CONFUSED_DEPUTY, instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::Service, key: "service", title: "Service role",
        name_suffix: "service", shared_name: "ecsServiceRole", phase: Phase::Service,
        doc: doc::SERVICE_ROLE, principal: ECS,
        when: "ECS assumes it whenever the service registers or deregisters tasks with the load balancer",
        trust_why: "ECS assumes it to manage the service's load balancer registrations.",
        trust_doc: doc::SERVICE_ROLE, instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::ContainerInstance, key: "containerInstance", title: "Container instance role",
        name_suffix: "instance", shared_name: "ecsInstanceRole", phase: Phase::Capacity,
        doc: doc::INSTANCE_ROLE, principal: EC2,
        when: "the EC2 instance gets it through its instance profile at boot; the ECS agent uses it to register and poll",
        trust_why: "EC2 assumes it for the instance through the instance profile.",
        trust_doc: doc::INSTANCE_ROLE, instance_profile: ProfileOn::Ec2,
        external: Some(ExternalFacts { principal: "ssm.amazonaws.com",
            when: "Systems Manager issues its credentials to the external instance after hybrid activation; the ECS agent uses them",
            trust_why: "Systems Manager assumes it for the hybrid-activated external instance; aws:SourceAccount and aws:SourceArn (Systems Manager in this account and Region) as Systems Manager's hybrid-activation role page recommends (ECS's Anywhere page shows the trust without them).",
            doc: doc::ANYWHERE_ROLE }) },
    KindFacts { kind: RoleKind::ManagedInstancesInfrastructure, key: "managedInstancesInfrastructure",
        title: "Managed Instances infrastructure role", name_suffix: "mi-infrastructure",
        shared_name: "ecsInfrastructureRole", phase: Phase::Capacity,
        doc: doc::INFRASTRUCTURE_ROLE, principal: ECS,
        when: "ECS assumes it to launch, scale and retire the capacity provider's instances",
        trust_why: INFRASTRUCTURE_TRUST, trust_doc: doc::INFRASTRUCTURE_ROLE,
        instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::ManagedInstancesNode, key: "managedInstancesNode",
        title: "Managed Instances node role", name_suffix: "mi-node",
        shared_name: "ecsManagedInstancesNodeRole", phase: Phase::Capacity,
        doc: doc::MANAGED_INSTANCES_NODE, principal: EC2,
        when: "each managed instance gets it through the instance profile; the ECS agent on it registers and polls",
        trust_why: "EC2 assumes it for each managed instance through the instance profile.",
        trust_doc: doc::MANAGED_INSTANCES_NODE, instance_profile: ProfileOn::Always, external: None },
    KindFacts { kind: RoleKind::VolumeInfrastructure, key: "volumeInfrastructure",
        title: "EBS volume infrastructure role", name_suffix: "ebs-infrastructure",
        shared_name: "ecsInfrastructureRoleForVolumes", phase: Phase::TaskLaunch,
        doc: doc::EBS_VOLUMES, principal: ECS,
        when: "ECS assumes it when a task starts or stops to create, attach and delete its EBS volumes",
        trust_why: INFRASTRUCTURE_TRUST, trust_doc: doc::INFRASTRUCTURE_ROLE,
        instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::ServiceConnectTls, key: "serviceConnectTls",
        title: "Service Connect TLS infrastructure role", name_suffix: "sc-tls",
        shared_name: "ecsInfrastructureRole", phase: Phase::Service,
        doc: doc::SERVICE_CONNECT_TLS, principal: ECS,
        when: "ECS issues the service's TLS certificates with it and keeps their keys in Secrets Manager",
        trust_why: INFRASTRUCTURE_TRUST, trust_doc: doc::INFRASTRUCTURE_ROLE,
        instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::VpcLattice, key: "vpcLattice",
        title: "VPC Lattice infrastructure role", name_suffix: "vpc-lattice",
        shared_name: "ecsInfrastructureRole", phase: Phase::Service,
        doc: doc::VPC_LATTICE, principal: ECS,
        when: "ECS registers the service's tasks in its VPC Lattice target groups with it, and deregisters them as they stop",
        trust_why: INFRASTRUCTURE_TRUST, trust_doc: doc::INFRASTRUCTURE_ROLE,
        instance_profile: ProfileOn::Never, external: None },
    // Express Mode (plan/express.rs): AWS's getting-started page names the role
    // ecsInfrastructureRoleForExpressServices and shows its trust without conditions.
    KindFacts { kind: RoleKind::ExpressInfrastructure, key: "expressInfrastructure",
        title: "Express Mode infrastructure role", name_suffix: "express-infrastructure",
        shared_name: "ecsInfrastructureRoleForExpressServices", phase: Phase::Service,
        doc: doc::EXPRESS_INFRASTRUCTURE, principal: ECS,
        when: "ECS creates and runs the service's load balancer, security groups, certificate, scaling and alarms with it",
        trust_why: INFRASTRUCTURE_TRUST, trust_doc: doc::INFRASTRUCTURE_ROLE,
        instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::LoadBalancerInfrastructure, key: "loadBalancerInfrastructure",
        title: "Load balancer infrastructure role (blue/green)", name_suffix: "lb-infrastructure",
        shared_name: "ecsInfrastructureRoleForLoadBalancers", phase: Phase::Service,
        doc: doc::BLUE_GREEN, principal: ECS,
        when: "ECS shifts traffic between the service's target groups with it during blue/green, linear and canary deployments",
        trust_why: INFRASTRUCTURE_TRUST, trust_doc: doc::INFRASTRUCTURE_ROLE,
        instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::LifecycleHooks, key: "lifecycleHooks",
        title: "Deployment lifecycle hook role", name_suffix: "lifecycle-hooks",
        shared_name: "ecsLifecycleHookRole", phase: Phase::Service,
        doc: doc::BLUE_GREEN_HOOKS, principal: ECS,
        when: "ECS invokes the deployment's lifecycle hook functions with it at the stages they name",
        trust_why: "ECS assumes it to invoke the deployment's lifecycle hooks.", trust_doc: doc::BLUE_GREEN_HOOKS,
        instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::CodeDeploy, key: "codeDeploy",
        title: "CodeDeploy service role (blue/green)", name_suffix: "codedeploy",
        shared_name: "ecsCodeDeployRole", phase: Phase::Service,
        doc: doc::CODEDEPLOY_ROLE, principal: "codedeploy.amazonaws.com",
        when: "CodeDeploy creates each deployment's replacement task set and shifts the listeners to it",
        trust_why: "CodeDeploy assumes it to run the service's blue/green deployments.", trust_doc: doc::CODEDEPLOY_ROLE,
        instance_profile: ProfileOn::Never, external: None },
    // Who launches the task: each launcher assumes its own role to call RunTask
    // (plan/launchers.rs). AWS's pages show their trust without conditions (ECS's EventBridge
    // page) or with them (Scheduler, Step Functions); the plan adds aws:SourceAccount and
    // aws:SourceArn for each, as each service's confused-deputy page recommends.
    KindFacts { kind: RoleKind::EventBridge, key: "eventBridge",
        title: "EventBridge rule role (runs the task)", name_suffix: "events",
        shared_name: "ecsEventsRole", phase: Phase::TaskLaunch,
        doc: doc::EVENTBRIDGE_ROLE, principal: "events.amazonaws.com",
        when: "an EventBridge rule matches (a schedule or an event) and its ECS target starts the task",
        trust_why: "EventBridge assumes it to run the rule's ECS target; aws:SourceArn is the rule, as EventBridge's confused-deputy page recommends.", trust_doc: doc::EVENTBRIDGE_CONFUSED_DEPUTY,
        instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::Scheduler, key: "scheduler",
        title: "EventBridge Scheduler role (runs the task)", name_suffix: "scheduler",
        shared_name: "ecsSchedulerRole", phase: Phase::TaskLaunch,
        doc: doc::SCHEDULER_ROLE, principal: "scheduler.amazonaws.com",
        when: "an EventBridge Scheduler schedule fires and its ECS RunTask target starts the task",
        trust_why: "EventBridge Scheduler assumes it to run the schedule's target; aws:SourceArn is the schedule group (Scheduler's page: a group, never one schedule).", trust_doc: doc::SCHEDULER_CONFUSED_DEPUTY,
        instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::StepFunctions, key: "stepFunctions",
        title: "Step Functions state machine role (runs the task)", name_suffix: "states",
        shared_name: "ecsStepFunctionsRole", phase: Phase::TaskLaunch,
        doc: doc::STEP_FUNCTIONS_ECS, principal: "states.amazonaws.com",
        when: "a Step Functions state machine reaches its ecs:runTask state and starts the task",
        trust_why: "Step Functions assumes it to run the state machine; aws:SourceArn is the state machine, as its confused-deputy section shows.", trust_doc: doc::STEP_FUNCTIONS_TRUST,
        instance_profile: ProfileOn::Never, external: None },
    // Application Auto Scaling's own role for ECS services (plan/deployment.rs `auto_scaling`):
    // AWS creates it on the account's first RegisterScalableTarget for ECS and writes its
    // trust and policy (AWSApplicationAutoscalingECSServicePolicy).
    KindFacts { kind: RoleKind::AutoScaling, key: "autoScaling",
        title: "Application Auto Scaling service-linked role", name_suffix: "aas",
        shared_name: crate::rules::AUTO_SCALING_SLR_NAME, phase: Phase::Service,
        doc: doc::AUTO_SCALING_SLR, principal: crate::rules::AUTO_SCALING_PRINCIPAL,
        when: "Application Auto Scaling assumes it to read the service's CloudWatch alarms and change its desired count",
        trust_why: "AWS writes its trust: only Application Auto Scaling for ECS may assume it.", trust_doc: doc::AUTO_SCALING_SLR,
        instance_profile: ProfileOn::Never, external: None },
    KindFacts { kind: RoleKind::ServiceLinked, key: "serviceLinked",
        title: "Service-linked role AWSServiceRoleForECS", name_suffix: "slr",
        shared_name: crate::rules::SERVICE_LINKED_ROLE_NAME, phase: Phase::Service,
        doc: doc::SERVICE_LINKED_ROLE, principal: ECS, when: "",
        trust_why: INFRASTRUCTURE_TRUST, trust_doc: doc::INFRASTRUCTURE_ROLE,
        instance_profile: ProfileOn::Never, external: None },
];

/// One value per role kind, kept in [`RoleKind::ALL`] order: what the planner holds per role
/// (needs, managed policies, reasons for absence, grants). An array indexed by the kind, not a
/// `BTreeMap`: every distinct `BTreeMap<K, V>` brings its own copy of the tree code (~5 KB of the
/// calculator's module each, four of them here), and a lookup is an index.
#[derive(Debug, Clone)]
pub struct KindMap<V>([Option<V>; RoleKind::ALL.len()]);

impl<V> Default for KindMap<V> {
    fn default() -> Self {
        KindMap(std::array::from_fn(|_| None))
    }
}

impl<V> KindMap<V> {
    pub fn get(&self, k: &RoleKind) -> Option<&V> {
        self.0[*k as usize].as_ref()
    }
    pub fn contains_key(&self, k: &RoleKind) -> bool {
        self.0[*k as usize].is_some()
    }
    pub fn insert(&mut self, k: RoleKind, v: V) -> Option<V> {
        self.0[k as usize].replace(v)
    }
    pub fn remove(&mut self, k: &RoleKind) -> Option<V> {
        self.0[*k as usize].take()
    }
    /// `BTreeMap::entry(k).or_default()`.
    pub fn entry(&mut self, k: RoleKind) -> KindEntry<'_, V> {
        KindEntry(&mut self.0[k as usize])
    }
}

/// [`KindMap::entry`].
pub struct KindEntry<'m, V>(&'m mut Option<V>);

impl<'m, V: Default> KindEntry<'m, V> {
    pub fn or_default(self) -> &'m mut V {
        self.0.get_or_insert_with(V::default)
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;

    #[test]
    fn the_registry_has_one_row_per_kind_in_order() {
        assert_eq!(KINDS.len(), RoleKind::ALL.len());
        for (i, kind) in RoleKind::ALL.into_iter().enumerate() {
            // KindMap indexes by the discriminant: it must be the kind's place in ALL.
            assert_eq!(kind as usize, i, "{kind:?}");
        }
        for (row, kind) in KINDS.iter().zip(RoleKind::ALL) {
            assert_eq!(row.kind, kind);
            assert_eq!(kind.facts().key, row.key);
            // The key is the kind's serde name (the plan's JSON and the spec agree).
            assert_eq!(serde_json::to_value(kind).unwrap(), row.key);
        }
    }

    /// `roles` (spec.rs) reads its members by these keys: exactly the kinds with a config.
    #[test]
    fn the_roles_members_are_the_configurable_kinds() {
        let configurable: Vec<&str> = RoleKind::ALL
            .into_iter()
            .filter(|k| k.config(&Default::default()).is_some())
            .map(RoleKind::key)
            .collect();
        assert_eq!(configurable, crate::spec::ROLE_KEYS);
        // And each member lands on its own kind's config.
        for key in crate::spec::ROLE_KEYS {
            let roles: crate::spec::RolesConfig =
                serde_json::from_value(serde_json::json!({ key: {"name": "n"} })).unwrap();
            for k in RoleKind::ALL {
                let name = k.config(&roles).and_then(|c| c.name.as_deref());
                assert_eq!(name == Some("n"), k.key() == key, "{key} {k:?}");
            }
        }
    }

    #[test]
    fn no_name_suffix_ends_with_another() {
        for a in &KINDS {
            for b in &KINDS {
                let tail = format!("-{}", b.name_suffix);
                assert!(
                    a.kind == b.kind || !a.name_suffix.ends_with(&tail),
                    "{a:?} {b:?}"
                );
            }
        }
    }
}

/// How a planned role comes to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Provisioning {
    /// ecsroles creates and owns it.
    Create,
    /// It exists already (`existingArn`); the plan lists what it must allow.
    Existing,
    /// AWS creates it (`iam create-service-linked-role`); nothing to write.
    ServiceLinked,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RolePlan {
    /// Workload name the role names derive from.
    pub workload: String,
    pub account: String,
    pub region: String,
    pub partition: String,
    pub cluster: String,
    pub launch_type: LaunchType,
    pub network_mode: String,
    pub roles: Vec<PlannedRole>,
    /// Roles this workload does not need, and why not.
    pub absent: Vec<AbsentRole>,
    pub companions: Companions,
    pub findings: Vec<Finding>,
    /// What the plan read from the file rather than being told (launch type, region,
    /// account, the roles the task definition names), with where: shown before anything else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<Inference>,
}

/// One fact the plan took from the input, and where it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Inference {
    /// `launchType`, `region`, `account`, `taskExecutionRole`, `taskRole`.
    pub fact: String,
    pub value: String,
    /// Where it was read, in words (`awslogs-region`, `requiresCompatibilities [EC2]`).
    pub from: String,
    /// The field it was read from (empty when it is ECS's default).
    pub path: String,
}

impl RolePlan {
    pub fn role(&self, kind: RoleKind) -> Option<&PlannedRole> {
        self.roles.iter().find(|r| r.kind == kind)
    }
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// This plan with only `roles` (nothing said absent, no findings: those are the whole
    /// workload's): what a fix renders.
    pub fn with_only(&self, roles: Vec<PlannedRole>) -> RolePlan {
        RolePlan {
            workload: self.workload.clone(),
            account: self.account.clone(),
            region: self.region.clone(),
            partition: self.partition.clone(),
            cluster: self.cluster.clone(),
            launch_type: self.launch_type,
            network_mode: self.network_mode.clone(),
            roles,
            absent: Vec::new(),
            companions: self.companions.clone(),
            findings: Vec::new(),
            inferred: self.inferred.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlannedRole {
    pub kind: RoleKind,
    /// Human title of the kind ("Task execution role"), for displays.
    pub title: String,
    pub provisioning: Provisioning,
    /// Exact name (absent when only a prefix is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    pub path: String,
    /// The role ARN; ends in `*` when only a prefix is known.
    pub arn: String,
    /// Service principal(s) that assume it.
    pub assumed_by: Vec<String>,
    /// When it is assumed, in one sentence.
    pub when: String,
    /// Why the workload needs it (one line per cause).
    pub why: Vec<String>,
    pub doc: String,
    /// Absent for `existing` and `serviceLinked` roles (not ours to write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_policy: Option<PolicyDocument>,
    pub inline_policies: Vec<InlinePolicy>,
    pub managed_policies: Vec<ManagedAttachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_profile: Option<InstanceProfile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InlinePolicy {
    pub name: String,
    pub document: PolicyDocument,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ManagedAttachment {
    pub arn: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct InstanceProfile {
    pub name: String,
    pub path: String,
}

impl InstanceProfile {
    /// `arn:{partition}:iam::{account}:instance-profile{path}{name}`.
    pub fn arn(&self, partition: &str, account: &str) -> String {
        format!(
            "arn:{partition}:iam::{account}:instance-profile{}{}",
            self.path, self.name
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AbsentRole {
    pub kind: RoleKind,
    // Text (usually the rule tables' own strings): a plan lists every absent kind, and
    // copying their fixed titles and pages was ~45 allocations of each plan.
    pub title: Text,
    pub why: Text,
    pub doc: Text,
}

/// Artefacts that are not roles but are part of getting the roles to work.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Companions {
    /// Repository policies to set in other accounts for cross-account ECR pulls.
    pub ecr_repository_policies: Vec<ResourcePolicy>,
    /// Statements the key owners must add to customer managed key policies.
    pub kms_key_policies: Vec<ResourcePolicy>,
    /// Identity policy for whoever registers the task definition / creates the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_role_policy: Option<PolicyDocument>,
    /// Identity policy for whoever runs `aws ecs execute-command` when ECS Exec is on:
    /// ExecuteCommand on this cluster's tasks, and GenerateDataKey on the cluster's exec key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_caller_policy: Option<PolicyDocument>,
    /// How to check for and create `AWSServiceRoleForECS`.
    pub service_linked_role: ServiceLinkedRoleCheck,
    /// When the service scales: how to check for and create Application Auto Scaling's
    /// `AWSServiceRoleForApplicationAutoScaling_ECSService`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling_service_linked_role: Option<ServiceLinkedRoleCheck>,
    /// CloudWatch log groups that must exist before tasks start.
    pub log_groups: Vec<LogGroup>,
    /// Which credentials the application's AWS SDK ends up with, and why.
    pub sdk_credentials: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResourcePolicy {
    /// The repository or key ARN the policy goes on.
    pub resource: String,
    /// The account that owns it (who must apply the policy).
    pub owner_account: String,
    pub document: PolicyDocument,
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceLinkedRoleCheck {
    pub role_name: String,
    pub check_command: String,
    pub create_command: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LogGroup {
    pub name: String,
    pub region: String,
    /// `true` when the awslogs driver creates it (`awslogs-create-group`).
    pub created_by_ecs: bool,
    pub used_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// The name every output uses (`error`, `warning`, `info`), as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Something the user should know or fix, tied to the spec field it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub severity: Severity,
    /// Spec path, e.g. `taskDefinition.containerDefinitions[0].secrets[1].valueFrom`.
    pub path: String,
    pub message: String,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}
