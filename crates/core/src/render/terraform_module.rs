//! Inputs for terraform-aws-modules/ecs (`modules/service`, and `modules/cluster` where the
//! plan has roles only the cluster module makes), v6 and v7, that produce *exactly* the plan's
//! grants — no more.
//!
//! Why not simply hand the plan's statements to the module's `task_exec_iam_statements`: the
//! module's own execution policy always carries `Logs` and `ECR` statements on `Resource "*"`
//! while `create_task_exec_policy` is true (its default) and appends the statements it is given,
//! so the user would get the scoped statements *plus* the over-grant. The facts below say what
//! each module input really produces, read from the module's source at the tags named in
//! [`ModuleVersion::tag`]; `tests/terraform_module_model.py` models the same source
//! independently and proves, for every example, that what the module makes from these inputs
//! plus the resources written here equals the plan.
//!
//! The rule this renderer follows: the module creates a role only where its trust policy equals
//! the plan's and its own policy can be switched off; the permissions come from an inline policy
//! written here (so IAM's inline-policy size limit, which the plan checked, applies) — except the
//! ECS Exec channels, which `enable_execute_command` makes the module grant in a policy of its own.
//! Every other role is written as plain resources and handed to the module by ARN.

use std::fmt::Write;

use super::terraform::{role_attachments, role_resources, string, variables};
use super::{is_symbolic, snake, writable_roles};
use crate::model::{PlannedRole, Provisioning, RoleKind, RolePlan};
use crate::policy::{Effect, Principal, Statement};
use crate::spec::EcsRoleSetSpec;

/// The module's major version the inputs are for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ModuleVersion {
    V6,
    /// The current major (the default).
    #[default]
    V7,
}

impl ModuleVersion {
    /// `6`, `v6`, `7`, `v7`.
    pub fn parse(s: &str) -> Option<ModuleVersion> {
        match s.trim().trim_start_matches(['v', 'V']) {
            "6" => Some(ModuleVersion::V6),
            "7" => Some(ModuleVersion::V7),
            _ => None,
        }
    }

    /// Index into per-version `[v6, v7]` facts.
    fn index(self) -> usize {
        match self {
            ModuleVersion::V6 => 0,
            ModuleVersion::V7 => 1,
        }
    }

    pub fn major(self) -> u8 {
        match self {
            ModuleVersion::V6 => 6,
            ModuleVersion::V7 => 7,
        }
    }

    /// The release whose source the facts in this file were checked against. The input names
    /// used exist in every release of the major (`tests/data/terraform-aws-ecs/`).
    pub fn tag(self) -> &'static str {
        match self {
            ModuleVersion::V6 => "v6.12.0",
            ModuleVersion::V7 => "v7.5.0",
        }
    }

    /// Link to a file of the module at [`ModuleVersion::tag`].
    fn source(self, file: &str) -> String {
        format!(
            "https://github.com/terraform-aws-modules/terraform-aws-ecs/blob/{}/modules/{file}",
            self.tag()
        )
    }
}

/// Where a module-made role lives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sub {
    Service,
    Cluster,
}

impl Sub {
    fn name(self) -> &'static str {
        match self {
            Sub::Service => "service",
            Sub::Cluster => "cluster",
        }
    }
    /// The module block this file writes (rename it to yours when merging).
    fn block(self) -> &'static str {
        match self {
            Sub::Service => "ecs_service",
            Sub::Cluster => "ecs_cluster",
        }
    }
}

/// A role the module creates, and how its inputs are spelled. One row per fact; each row cites
/// the resource in the module file that makes it.
struct ModuleRole {
    kind: RoleKind,
    sub: Sub,
    /// Stem of the role's inputs: `{stem}_name`, `{stem}_use_name_prefix`, `{stem}_path`,
    /// `{stem}_permissions_boundary`, `{stem}_tags`, `{stem}_arn`; also the output `{stem}_name`.
    stem: &'static str,
    /// `create_…`: whether the module makes the role.
    create: &'static str,
    /// The input that switches the module's own policy off, what that policy grants, and the
    /// module's document that writes it.
    own_policy: Option<(&'static str, &'static str, &'static str)>,
    /// `{stem}_max_session_duration` exists in every release of [v6, v7].
    max_session: [bool; 2],
    /// The module's trust: `ecs-tasks.amazonaws.com`, and whether it adds the confused-deputy
    /// conditions (`aws:SourceArn` = any ECS ARN of the account and region, `aws:SourceAccount`).
    source_conditions: bool,
    /// The resource in the module's main.tf.
    resource: &'static str,
}

const EXECUTION_OWN_POLICY: &str = "\"Logs\" (logs:CreateLogStream, logs:PutLogEvents) and \"ECR\" (ecr:GetAuthorizationToken, BatchCheckLayerAvailability, GetDownloadUrlForLayer, BatchGetImage) on Resource \"*\", then GetSSMParams/GetSecrets and task_exec_iam_statements";

const SERVICE_EXECUTION: ModuleRole = ModuleRole {
    kind: RoleKind::TaskExecution,
    sub: Sub::Service,
    stem: "task_exec_iam_role",
    create: "create_task_exec_iam_role",
    own_policy: Some((
        "create_task_exec_policy",
        EXECUTION_OWN_POLICY,
        "data.aws_iam_policy_document.task_exec",
    )),
    max_session: [true, true],
    source_conditions: false,
    resource: "aws_iam_role.task_exec",
};

/// The cluster module's execution role (default off): where a shared execution role belongs.
const CLUSTER_EXECUTION: ModuleRole = ModuleRole {
    sub: Sub::Cluster,
    max_session: [false, false],
    ..SERVICE_EXECUTION
};

const SERVICE_TASK: ModuleRole = ModuleRole {
    kind: RoleKind::Task,
    sub: Sub::Service,
    stem: "tasks_iam_role",
    create: "create_tasks_iam_role",
    // The tasks policy holds only ECSExec (with enable_execute_command) and
    // tasks_iam_role_statements: nothing to switch off.
    own_policy: None,
    max_session: [false, true],
    source_conditions: true,
    resource: "aws_iam_role.tasks",
};

/// The module's `ECSExec` statement (service main.tf, `data "aws_iam_policy_document" "tasks"`),
/// added to the task role when `enable_execute_command = true`.
const MODULE_ECS_EXEC: [&str; 4] = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

/// A role the module would create on its own with a policy wider than any plan: always switched
/// off; the plan's role (if any) is written here and handed over by ARN.
struct OffSwitch {
    sub: Sub,
    /// Versions (v6, v7) whose module has it.
    versions: [bool; 2],
    create: &'static str,
    /// The input taking the ARN of a role made elsewhere, and the plan kind that fills it.
    arn_input: Option<(&'static str, RoleKind)>,
    /// When the module makes the role, and with what.
    fact: [&'static str; 2],
    resource: &'static str,
}

const OFF_SWITCHES: [OffSwitch; 4] = [
    OffSwitch {
        sub: Sub::Service,
        versions: [true, true],
        create: "create_iam_role",
        arn_input: Some(("iam_role_arn", RoleKind::Service)),
        fact: ["creates a service role whenever network_mode != \"awsvpc\" and load_balancer is set, with ec2:Describe*, elasticloadbalancing:Describe*, Register/Deregister on Resource \"*\" — and passes it to the service. ECS rejects a service role on services with service discovery, several target groups or an external deployment controller, and without one uses its service-linked role"; 2],
        resource: "aws_iam_role.service",
    },
    OffSwitch {
        sub: Sub::Service,
        versions: [true, true],
        create: "create_infrastructure_iam_role",
        arn_input: Some(("infrastructure_iam_role_arn", RoleKind::VolumeInfrastructure)),
        fact: [
            "creates an infrastructure role whenever volume_configuration or vpc_lattice_configurations is set, attaching AmazonECSInfrastructureRolePolicyForVolumes / …ForVpcLattice",
            "creates an infrastructure role whenever volume_configuration, vpc_lattice_configurations or deployment_configuration is set (deployment_configuration alone attaches AmazonECSInfrastructureRolePolicyForLoadBalancers, even for a rolling deployment)",
        ],
        resource: "aws_iam_role.infrastructure_iam_role",
    },
    OffSwitch {
        sub: Sub::Cluster,
        versions: [false, true],
        create: "create_infrastructure_iam_role",
        arn_input: None,
        fact: ["", "creates the Managed Instances infrastructure role (its own copy of AmazonECSInfrastructureRolePolicyForManagedInstances) whenever a capacity provider has managed_instances_provider"],
        resource: "aws_iam_role.infrastructure",
    },
    OffSwitch {
        sub: Sub::Cluster,
        versions: [false, true],
        create: "create_node_iam_instance_profile",
        arn_input: None,
        fact: ["", "creates the Managed Instances node role and instance profile whenever a capacity provider has managed_instances_provider"],
        resource: "aws_iam_role.node",
    },
];

/// One `module` block being written: comments and assignments, in order.
struct Block {
    sub: Sub,
    lines: Vec<(String, Option<String>)>,
}

impl Block {
    fn set(&mut self, name: &str, value: String) {
        self.lines.push((name.to_string(), Some(value)));
    }
    /// A comment opening a group of assignments (a blank line before it).
    fn comment(&mut self, text: &str) {
        let line = format!("# {text}");
        if self.lines.iter().rev().find(|l| l.1.is_none()) == Some(&(line.clone(), None)) {
            return; // the group it opens is already open
        }
        self.lines.push((line, None));
    }
    fn write(&self, out: &mut String, v: ModuleVersion) {
        if self.lines.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "module \"{}\" {{\n  source  = \"terraform-aws-modules/ecs/aws//modules/{}\"\n  version = \"~> {}.0\"",
            self.sub.block(),
            self.sub.name(),
            v.major()
        );
        // `=` aligned within each run of assignments, as `terraform fmt` does.
        for run in self.lines.chunk_by(|a, b| a.1.is_some() == b.1.is_some()) {
            if run[0].1.is_none() {
                for (c, _) in run {
                    let _ = write!(out, "\n  {c}");
                }
                out.push('\n');
                continue;
            }
            let width = run.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, val) in run {
                let _ = writeln!(out, "  {k:<width$} = {}", val.as_deref().unwrap_or(""));
            }
        }
        out.push_str("}\n\n");
    }
}

/// Is the plan's trust exactly what the module writes for `m`? The module takes no trust input.
fn module_trust_matches(plan: &RolePlan, r: &PlannedRole, m: &ModuleRole) -> bool {
    let Some(t) = &r.trust_policy else {
        return false;
    };
    let [s] = t.statements.as_slice() else {
        return false;
    };
    let mut want = crate::policy::Conditions::new();
    if m.source_conditions {
        want.entry("ArnLike".into()).or_default().insert(
            "aws:SourceArn".into(),
            vec![format!(
                "arn:{}:ecs:{}:{}:*",
                plan.partition, plan.region, plan.account
            )],
        );
        want.entry("StringEquals".into())
            .or_default()
            .insert("aws:SourceAccount".into(), vec![plan.account.clone()]);
    }
    s.effect == Effect::Allow
        && s.principal == Some(Principal::Service("ecs-tasks.amazonaws.com".into()))
        && s.actions.len() == 1
        && s.actions[0] == "sts:AssumeRole"
        && s.conditions == want
}

/// Why the module cannot make `r` as the plan has it (`None`: it can).
fn module_cannot_make(
    plan: &RolePlan,
    r: &PlannedRole,
    m: &ModuleRole,
    v: ModuleVersion,
) -> Option<String> {
    if !module_trust_matches(plan, r, m) {
        return Some(format!(
            "its trust policy differs from the one the module writes ({})",
            m.resource
        ));
    }
    if r.max_session_duration.is_some() && !m.max_session[v.index()] {
        return Some(format!(
            "modules/{} v{} has no {}_max_session_duration input",
            m.sub.name(),
            v.major(),
            m.stem
        ));
    }
    if let (None, Some(p)) = (&r.name, &r.name_prefix) {
        if !p.ends_with('-') {
            return Some(format!(
                "the module appends \"-\" to a name prefix, and {p:?} does not end in one"
            ));
        }
    }
    if !r.managed_policies.is_empty() {
        // Attachable through `{stem}_policies`, but the module's map keys would then be ours to
        // invent; plain resources keep the file one shape.
        return Some("it has managed policies attached".into());
    }
    None
}

/// The role's settings as module inputs.
fn role_inputs(b: &mut Block, r: &PlannedRole, m: &ModuleRole) {
    let stem = m.stem;
    b.set(m.create, "true".into());
    match (&r.name, &r.name_prefix) {
        (Some(n), _) => {
            b.set(&format!("{stem}_name"), string(n));
            b.set(&format!("{stem}_use_name_prefix"), "false".into());
        }
        (None, Some(p)) => {
            let base = p.strip_suffix('-').unwrap_or(p); // module_cannot_make checked it
            b.set(&format!("{stem}_name"), string(base));
            b.set(&format!("{stem}_use_name_prefix"), "true".into());
        }
        (None, None) => {}
    }
    b.set(&format!("{stem}_path"), string(&r.path));
    if let Some(pb) = &r.permissions_boundary {
        b.set(&format!("{stem}_permissions_boundary"), string(pb));
    }
    if let Some(d) = r.max_session_duration {
        b.set(&format!("{stem}_max_session_duration"), d.to_string());
    }
    if !r.tags.is_empty() {
        let tags: Vec<String> = r
            .tags
            .iter()
            .map(|(k, v)| format!("{} = {}", super::terraform::key(k), string(v)))
            .collect();
        b.set(
            &format!("{stem}_tags"),
            format!("{{ {} }}", tags.join(", ")),
        );
    }
    if let Some((input, _, _)) = m.own_policy {
        b.set(input, "false".into());
    }
}

/// The ARN expression of a role written by [`role_resources`].
fn own_arn(r: &PlannedRole) -> String {
    if r.provisioning == Provisioning::Existing {
        string(&r.arn)
    } else {
        format!("aws_iam_role.{}.arn", snake(r.kind))
    }
}

/// Inputs for the terraform-aws-ecs service (and, where needed, cluster) module, version `v`.
pub fn module_inputs(spec: &EcsRoleSetSpec, plan: &RolePlan, v: ModuleVersion) -> String {
    let vi = v.index();
    let mut service = Block {
        sub: Sub::Service,
        lines: vec![],
    };
    let mut cluster = Block {
        sub: Sub::Cluster,
        lines: vec![],
    };
    let mut body = String::new();
    let mut notes: Vec<String> = vec![];
    let mut trust_checked: Vec<&str> = vec![];

    // Task execution and task roles: made by the module where it can make them exactly.
    for m in [&SERVICE_EXECUTION, &SERVICE_TASK] {
        let title = m.kind.title();
        let Some(r) = plan.role(m.kind) else {
            service.comment(&format!("{title}: the workload needs none."));
            service.set(m.create, "false".into());
            if m.kind == RoleKind::Task {
                service.set("enable_execute_command", "false".into());
            }
            continue;
        };
        let shared = m.kind == RoleKind::TaskExecution && spec.roles.task_execution.shared;
        let made_by = if shared { &CLUSTER_EXECUTION } else { m };
        let plain = match r.provisioning {
            Provisioning::Existing => None,
            _ => module_cannot_make(plan, r, made_by, v),
        };
        let by_module = r.provisioning != Provisioning::Existing && plain.is_none();
        // ECS Exec: `enable_execute_command` turns it on for the service, and — only where the
        // module makes the task role — adds the module's ECSExec statement to it (the plan's
        // identical statement is then left out, not granted twice). Only the service's own
        // flag turns it on: a launcher that starts tasks with Exec (launchers[].executeCommand)
        // keeps the plan's statement in the inline policy and the service's Exec off.
        let plan_exec = m.kind == RoleKind::Task
            && spec
                .service
                .as_ref()
                .is_some_and(|s| s.enable_execute_command)
            && r.inline_policies
                .iter()
                .flat_map(|p| &p.document.statements)
                .any(is_module_ecs_exec);
        let module_exec = plan_exec && by_module;
        let skip = |s: &Statement| module_exec && is_module_ecs_exec(s);
        if let Some(why) = &plain {
            service.comment(&format!(
                "{title}: written below as plain resources: {why}."
            ));
            service.set(m.create, "false".into());
            service.set(&format!("{}_arn", m.stem), own_arn(r));
            role_resources(&mut body, plan, r);
        } else if r.provisioning == Provisioning::Existing {
            service.comment(&format!("{title}: exists already (named by the task definition or existingArn); ecsroles adds this workload's permissions to it below."));
            service.set(m.create, "false".into());
            service.set(&format!("{}_arn", m.stem), string(&r.arn));
            // The plan names every existing role (from its ARN).
            let name = r.name.as_deref().unwrap_or_default();
            role_attachments(&mut body, r, &string(name), &skip);
        } else if shared {
            // One account-wide role: the cluster module makes it, every service module uses it,
            // and each workload adds its own inline policy.
            cluster.comment("Shared task execution role: made once here (its own Logs/ECR \"*\" policy off); each workload adds an inline policy named after it.");
            role_inputs(&mut cluster, r, made_by);
            service.comment(&format!("{title}: the shared one from modules/cluster."));
            service.set(m.create, "false".into());
            service.set(
                &format!("{}_arn", m.stem),
                format!("module.{}.{}_arn", Sub::Cluster.block(), m.stem),
            );
            role_attachments(
                &mut body,
                r,
                &format!("module.{}.{}_name", Sub::Cluster.block(), m.stem),
                &skip,
            );
        } else {
            service.comment(&format!(
                "{title}: made by the module; its permissions are the inline policy below."
            ));
            role_inputs(&mut service, r, m);
            role_attachments(
                &mut body,
                r,
                &format!("module.{}.{}_name", Sub::Service.block(), m.stem),
                &skip,
            );
        }
        if m.kind == RoleKind::Task {
            service.set("enable_execute_command", plan_exec.to_string());
            if module_exec {
                notes.push(format!("enable_execute_command = true adds the module's own \"ECSExec\" statement ({}) to the task role, in a policy of its own — the same grant the plan has, so the inline policy below leaves it out ({}).", MODULE_ECS_EXEC.join(", "), v.source("service/main.tf")));
            }
        }
        if let (true, Some((input, grants, doc))) = (by_module, made_by.own_policy) {
            notes.push(format!(
                "{input} = false: otherwise the module gives the {} {grants} ({doc} in {}).",
                title.to_lowercase(),
                v.source(&format!("{}/main.tf", made_by.sub.name()))
            ));
        }
        if by_module {
            trust_checked.push(made_by.resource);
        }
    }

    // Roles the module would make with wider policies than the plan: off, and the plan's own
    // role (if it has one) written here and handed over by ARN.
    for o in OFF_SWITCHES.iter().filter(|o| o.versions[vi]) {
        let planned = o.arn_input.and_then(|(_, k)| plan.role(k));
        let mi = o.sub == Sub::Cluster;
        if mi
            && plan
                .role(RoleKind::ManagedInstancesInfrastructure)
                .is_none()
            && plan.role(RoleKind::ManagedInstancesNode).is_none()
        {
            continue;
        }
        let b = if o.sub == Sub::Service {
            &mut service
        } else {
            &mut cluster
        };
        let what = match (o.arn_input, planned) {
            (Some((_, k)), Some(_)) => format!("{}: the plan's, written below", k.title()),
            (Some((_, k)), None) => format!("{}: the workload needs none", k.title()),
            (None, _) => "Managed Instances roles: the plan's, written below".into(),
        };
        b.comment(&format!(
            "{what}; the module's own is off (see the header)."
        ));
        b.set(o.create, "false".into());
        if let (Some((input, _)), Some(r)) = (o.arn_input, planned) {
            b.set(input, own_arn(r));
        }
        notes.push(format!(
            "{} = false: the module {} ({} in {}).",
            o.create,
            o.fact[vi],
            o.resource,
            v.source(&format!("{}/main.tf", o.sub.name()))
        ));
    }

    // Everything else the plan has: plain resources.
    for r in writable_roles(plan) {
        if matches!(r.kind, RoleKind::TaskExecution | RoleKind::Task) {
            continue; // above
        }
        match r.kind {
            RoleKind::ManagedInstancesInfrastructure => notes.push(format!("{}: pass {} as capacity_providers.<name>.managed_instances_provider.infrastructure_role_arn{}.", r.kind.title(), own_arn(r), if v == ModuleVersion::V6 { " (modules/cluster v6 has no Managed Instances capacity providers: use aws_ecs_capacity_provider)" } else { "" })),
            RoleKind::ManagedInstancesNode => notes.push(format!("{}: pass {} as capacity_providers.<name>.managed_instances_provider.instance_launch_template.ec2_instance_profile_arn.", r.kind.title(), match (&r.instance_profile, r.provisioning) {
                (Some(_), Provisioning::Create) => format!("aws_iam_instance_profile.{}.arn", snake(r.kind)),
                _ => "the ARN of its instance profile".into(),
            })),
            RoleKind::ContainerInstance => notes.push(format!("{}: the ecs modules do not make it; use aws_iam_instance_profile.{} in your instances' launch template.", r.kind.title(), snake(r.kind))),
            RoleKind::ServiceConnectTls => notes.push(format!("{}: the module makes none; pass {} as service_connect_configuration.service[].tls.role_arn.", r.kind.title(), own_arn(r))),
            // modules/service main.tf (v7): `role_arn = try(coalesce(…role_arn, local.infrastructure_iam_role_arn))`.
            RoleKind::LoadBalancerInfrastructure => notes.push(format!("{}: pass {} as load_balancer.<key>.advanced_configuration.role_arn (else the module uses its infrastructure role).", r.kind.title(), own_arn(r))),
            RoleKind::CodeDeploy => notes.push(format!("{}: the ecs modules make none; pass {} as the aws_codedeploy_deployment_group's service_role_arn.", r.kind.title(), own_arn(r))),
            RoleKind::EventBridge => notes.push(format!("{}: the ecs modules make none; pass {} as the aws_cloudwatch_event_target's role_arn.", r.kind.title(), own_arn(r))),
            RoleKind::Scheduler => notes.push(format!("{}: the ecs modules make none; pass {} as the aws_scheduler_schedule's target.role_arn.", r.kind.title(), own_arn(r))),
            RoleKind::StepFunctions => notes.push(format!("{}: the ecs modules make none; pass {} as the aws_sfn_state_machine's role_arn.", r.kind.title(), own_arn(r))),
            RoleKind::LifecycleHooks => notes.push(format!("{}: pass {} as deployment_configuration.lifecycle_hook.<key>.role_arn (else the module uses its infrastructure role).", r.kind.title(), own_arn(r))),
            // modules/service main.tf: `vpc_lattice_configurations { role_arn = local.infrastructure_iam_role_arn }`
            // — the module's one infrastructure role, whatever the input's role_arn says.
            RoleKind::VpcLattice => notes.push(format!("{}: the module ignores vpc_lattice_configurations.role_arn and passes its infrastructure role (infrastructure_iam_role_arn, shared with EBS volumes); set infrastructure_iam_role_arn = {} when the service has no EBS volume, else configure VPC Lattice on the aws_ecs_service yourself.", r.kind.title(), own_arn(r))),
            // modules/express-service (v7): its own infrastructure role unless
            // create_infrastructure_iam_role = false and infrastructure_iam_role_arn is given.
            RoleKind::ExpressInfrastructure => notes.push(format!("{}: this is an Express Mode service — do not apply the modules/service block below (it would make a second, ordinary service); use modules/express-service with create_infrastructure_iam_role = false and infrastructure_iam_role_arn = {} (and execution_iam_role_arn / task_iam_role_arn with create_execution_iam_role / create_task_iam_role = false), or use aws_ecs_express_gateway_service.", r.kind.title(), own_arn(r))),
            _ => {}
        }
        role_resources(&mut body, plan, r);
    }

    let mut out = format!(
        "# terraform-aws-modules/ecs v{major} (\"~> {major}.0\"): inputs for modules/service{cluster} for ECS workload {w}, generated by ecsroles.\n# Checked against the module source at {tag}. Already have a module block? Merge the arguments\n# into it and rename module.{svc}{cl} below to yours.\n#\n# What the module would do on its own, and what the inputs change:\n",
        major = v.major(),
        cluster = if cluster.lines.is_empty() { "" } else { " and modules/cluster" },
        w = plan.workload,
        tag = v.tag(),
        svc = Sub::Service.block(),
        cl = if cluster.lines.is_empty() { String::new() } else { format!(" (and module.{})", Sub::Cluster.block()) },
    );
    for n in &notes {
        let _ = writeln!(out, "# - {n}");
    }
    if !trust_checked.is_empty() {
        let _ = writeln!(out, "# - The module's trust policies ({}) equal the plan's only when the AWS provider's account and\n#   region (or the module's `region` input) are the plan's: the module fills them in from the provider.", trust_checked.join(", "));
    }
    if by_service_module(&service) {
        out.push_str("# - With create_task_definition = false the module makes neither role, and the policies below have\n#   nothing to attach to: keep it true (its default).\n");
    }
    out.push('\n');
    service.write(&mut out, v);
    cluster.write(&mut out, v);
    let vars = variables(&body);
    out.push_str(&vars);
    out.push_str(&body);
    if is_symbolic(&out) && vars.is_empty() {
        out.push_str("# The spec left the account/region open: define var.account_id / var.region / var.partition.\n");
    }
    out.trim_end().to_string() + "\n"
}

/// The service module block makes a role (its `*_iam_role_name` outputs are referenced).
fn by_service_module(service: &Block) -> bool {
    service
        .lines
        .iter()
        .any(|(k, v)| k.starts_with("create_task") && v.as_deref() == Some("true"))
}

/// The plan's ECS Exec channel statement equals the module's `ECSExec` one.
fn is_module_ecs_exec(s: &Statement) -> bool {
    s.effect == Effect::Allow
        && s.conditions.is_empty()
        && s.resources == ["*"]
        && s.actions.len() == MODULE_ECS_EXEC.len()
        && MODULE_ECS_EXEC
            .iter()
            .all(|a| s.actions.iter().any(|x| x == a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(ModuleVersion::parse("v6"), Some(ModuleVersion::V6));
        assert_eq!(ModuleVersion::parse("7"), Some(ModuleVersion::V7));
        assert_eq!(ModuleVersion::parse("5"), None);
        assert_eq!(ModuleVersion::default(), ModuleVersion::V7);
    }
}
