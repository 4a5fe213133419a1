//! `plan(spec) -> RolePlan`: decides which rules of `rules.rs` apply to this workload, scopes
//! each to exact ARNs, and assembles roles, absences, companions and findings.
//!
//! The flow, in order: resolve the context (launch type, account, region…) → check feasibility
//! → collect grants per role (execution needs, agent needs, task needs, capacity roles) → turn
//! grants into roles → companions → IAM limits (`limits.rs`).

// Observability sidecars by image (ADOT, CloudWatch agent): the full build only (the
// calculator's plain module hands them over).
mod assemble;
mod capacity;
mod companions;
#[cfg(feature = "templates")]
mod cwagent_config;
mod deployment;
mod execution;
mod express;
mod infer;
mod launchers;
mod networking;
#[cfg(feature = "templates")]
mod observability;
mod task;

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::arn::{self, Arn, ACCOUNT_PLACEHOLDER, PARTITION_PLACEHOLDER, REGION_PLACEHOLDER};
use crate::limits;
use crate::model::*;
use crate::names;
use crate::policy::{
    add_cond, cond, Conditions, Effect, PolicyDocument, Principal, Statement, Text,
};
use crate::rules::unsupported::{self, Feature};
use crate::rules::{self, doc, Rule};
use crate::spec::*;
use crate::taskdef::{
    option_ci, option_key, option_str, ContainerDefinition, Secret, TaskDefinition,
};

/// Plans every role of the workload. Never panics; problems become findings.
pub fn plan(spec: &EcsRoleSetSpec) -> RolePlan {
    // The spec's own `variables`, for specs read without `parse_document` (the controller).
    // The calculator only plans documents, which parse_document has filled already.
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(filled) = crate::normalize::with_variables(spec) {
        return Planner::new(&filled).run();
    }
    Planner::new(spec).run()
}

/// The trust policy a role of `kind` needs for `spec`'s workload: the one the plan writes for a
/// role it creates, also for a role the workload names as it exists (whose plan carries no
/// trust: ecsroles does not write it). The audit's fix puts it in place of a wrong trust.
pub fn trust_needed(spec: &EcsRoleSetSpec, kind: RoleKind) -> crate::policy::PolicyDocument {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(filled) = crate::normalize::with_variables(spec) {
        let mut p = Planner::new(&filled);
        p.gather();
        return p.trust_policy(kind);
    }
    let mut p = Planner::new(spec);
    p.gather();
    p.trust_policy(kind)
}

/// Where the task definition sits in the spec (for finding paths), unwrapping the
/// `describe-task-definition` wrapper without copying.
fn task_definition(spec: &EcsRoleSetSpec) -> (&TaskDefinition, String) {
    let mut td = &spec.task_definition;
    let mut path = String::from("taskDefinition");
    while let Some(inner) = td.task_definition.as_deref() {
        td = inner;
        path.push_str(".taskDefinition");
    }
    (td, path)
}

/// A permission a rule contributes to a role, before merging into statements.
struct Grant {
    role: RoleKind,
    effect: Effect,
    sid: &'static str,
    actions: &'static [&'static str],
    why: &'static str,
    doc: &'static str,
    resources: Vec<String>,
    not_resources: Vec<String>,
    conditions: Conditions,
    reason: String,
    /// Further causes of the same grant (one KMS grant serves every secret under its key).
    more_reasons: Vec<String>,
}

/// Resources protected by one customer managed key, reached through `service` in `region`,
/// by one role, met one after another: one grant for the run (a key usually covers many: every
/// secret of a prefix), so its condition is built once, not per resource. Only consecutive
/// uses join a run, so the statements list their reasons in the order the resources came.
struct KeyUse {
    role: RoleKind,
    key: String,
    service: String,
    region: String,
    write: bool,
    reason: String,
    more_reasons: Vec<String>,
}

/// Why a role is needed (one line per cause).
#[derive(Default)]
struct Need {
    why: Vec<String>,
}

struct Planner<'a> {
    spec: &'a EcsRoleSetSpec,
    td: &'a TaskDefinition,
    td_path: String,
    /// `<td_path>.containerDefinitions[i]` per container, made once: every pass over the
    /// containers names them in paths and reasons (an Rc, so a pass holds them while it
    /// mutates the planner).
    cpaths: std::rc::Rc<[String]>,
    launch: LaunchType,
    network_mode: String,
    partition: String,
    region: String,
    account: String,
    cluster: String,
    /// Whether `cluster` was named by the input (else "default" is an assumption).
    cluster_named: bool,
    workload: String,
    grants: Vec<Grant>,
    kms: Vec<KeyUse>,
    /// `spec.keys[i].key` resolved to a key ARN, once per plan (`None`: not yet asked).
    key_arns: Vec<Option<Option<String>>>,
    needs: KindMap<Need>,
    managed: KindMap<Vec<ManagedAttachment>>,
    absent_why: KindMap<(String, &'static str)>,
    /// Repository → (owning account, pulling role), in repository order.
    cross_account_repos: Vec<(String, (String, RoleKind))>,
    log_groups: Vec<LogGroup>,
    findings: Vec<Finding>,
    inferred: Vec<Inference>,
    /// awslogs goes to the container instance role although the task has an execution role
    /// (the agent's ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE is false).
    awslogs_by_instance: bool,
    /// Per role kind, what may assume it (its trust's aws:SourceArn): the launchers'.
    trust_sources: Vec<(RoleKind, String)>,
}

fn finding(severity: Severity, path: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding {
        severity,
        path: path.into(),
        message: message.into(),
        fix: None,
        doc: None,
    }
}

impl<'a> Planner<'a> {
    fn new(spec: &'a EcsRoleSetSpec) -> Self {
        let (td, td_path) = task_definition(spec);
        let cpaths = (0..td.container_definitions.len())
            .map(|i| cat!(td_path, ".containerDefinitions[", i.to_string(), "]"))
            .collect();
        Planner {
            spec,
            td,
            td_path,
            cpaths,
            launch: LaunchType::Fargate,
            network_mode: String::new(),
            partition: String::new(),
            region: String::new(),
            account: String::new(),
            cluster: String::new(),
            cluster_named: false,
            workload: String::new(),
            // A heavy task makes ~100 grants: grow once, not seven times (plan runs per keystroke).
            grants: Vec::with_capacity(128),
            kms: Vec::new(),
            key_arns: vec![None; spec.keys.len()],
            needs: KindMap::default(),
            managed: KindMap::default(),
            absent_why: KindMap::default(),
            cross_account_repos: Vec::new(),
            awslogs_by_instance: false,
            log_groups: Vec::new(),
            findings: spec.input_notes.clone(),
            inferred: Vec::new(),
            trust_sources: Vec::new(),
        }
    }

    fn run(mut self) -> RolePlan {
        self.gather();
        self.assemble_plan()
    }

    /// Every rule's needs, grants and trust sources, gathered before the roles are built.
    fn gather(&mut self) {
        self.resolve_context();
        self.check_feasibility();
        let exec_only = self.has_execution_only_needs();
        self.agent_needs(exec_only);
        self.guard_duty();
        self.execution_needs();
        self.task_needs();
        self.service_role();
        self.capacity_roles();
        self.volume_role();
        self.service_connect_tls();
        self.vpc_lattice();
        self.express();
        self.blue_green();
        self.code_deploy();
        self.auto_scaling();
        self.launchers();
        self.kms_grants();
    }

    /// The plan, from what [`Self::gather`] collected.
    fn assemble_plan(mut self) -> RolePlan {
        let roles = self.build_roles();
        let companions = self.companions(&roles);
        let absent = RoleKind::ALL
            .iter()
            .filter(|k| !roles.iter().any(|r| r.kind == **k))
            .map(|k| {
                let (why, doc) = match self.absent_why.remove(k) {
                    Some((why, doc)) => (why.into(), doc),
                    None => (self.default_absent_reason(*k), role_doc(*k, self.launch)),
                };
                AbsentRole {
                    kind: *k,
                    title: k.title().into(),
                    why,
                    doc: doc.into(),
                }
            })
            .collect();
        let mut plan = RolePlan {
            workload: self.workload,
            account: self.account,
            region: self.region,
            partition: self.partition,
            cluster: self.cluster,
            launch_type: self.launch,
            network_mode: self.network_mode,
            roles,
            absent,
            companions,
            findings: self.findings,
            inferred: self.inferred,
        };
        let limit_findings = limits::check_plan(&plan, &self.spec.roles);
        plan.findings.extend(limit_findings);
        plan
    }

    /// The task runs Windows (`runtimePlatform.operatingSystemFamily` WINDOWS_*).
    fn windows_task(&self) -> bool {
        self.td
            .runtime_platform
            .as_ref()
            .and_then(|p| p.get("operatingSystemFamily")?.as_str())
            .is_some_and(|f| f.starts_with("WINDOWS"))
    }

    fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) -> &mut Finding {
        self.findings
            .push(finding(Severity::Warning, path, message));
        self.findings.last_mut().expect("just pushed")
    }

    /// A bucket name the workload cannot really use (a docs stand-in, a prefix S3 reserves):
    /// said at `path`; the grant keeps the name as written, so it stays narrow.
    fn stand_in_bucket(&mut self, bucket: &str, path: &str) {
        if rules::s3_bucket::stand_in(bucket) {
            let f = self.warn(
                path,
                cat!(
                    "bucket ",
                    bucket,
                    " is an AWS docs stand-in or a name S3 reserves: granted as written"
                ),
            );
            f.fix = Some("write your bucket's name".into());
            f.doc = Some(rules::s3_bucket::DOC.into());
        }
    }

    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) -> &mut Finding {
        self.findings.push(finding(Severity::Error, path, message));
        self.findings.last_mut().expect("just pushed")
    }

    fn info(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(finding(Severity::Info, path, message));
    }

    // ---------------------------------------------------------------- context
    fn resolve_context(&mut self) {
        let spec = self.spec;
        let td = self.td;

        self.infer_launch_type();
        self.network_mode = td
            .network_mode
            .clone()
            .unwrap_or_else(|| unsupported::default_network_mode(self.launch).to_string());
        self.infer_location();

        // The spec's cluster, else the service's (a name or an ARN).
        let service_cluster = match (&spec.cluster, spec.service.as_ref()) {
            (None, Some(svc)) => svc.cluster.as_deref().map(|c| {
                let name = arn::cluster_name(c).to_string();
                if crate::placeholder::is_shouted_token(&name) {
                    // A `sed` marker (ECS_CLUSTER_NAME) in a service file: a placeholder
                    // (below), not a cluster read from the file.
                    return (name, true);
                }
                self.infer(
                    "cluster",
                    &name,
                    "the service's cluster".into(),
                    "service.cluster".into(),
                );
                (name, false)
            }),
            _ => None,
        };
        let marker = service_cluster.as_ref().is_some_and(|(_, m)| *m);
        let cluster = spec.cluster.clone().or(service_cluster.map(|(c, _)| c));
        self.cluster = match &cluster {
            Some(c) if marker || crate::placeholder::find(c).is_some() => {
                self.warn("cluster", cat!("cluster ", c, " is a template placeholder: the instance roles are scoped to the cluster named \"default\""))
                    .fix = Some("pass --cluster with the cluster's name".into());
                "default".to_string()
            }
            Some(c) if !c.is_empty() => {
                self.cluster_named = true;
                c.clone()
            }
            _ => "default".to_string(),
        };

        let raw_name = spec
            .name
            .clone()
            .or_else(|| td.family.clone())
            .unwrap_or_default();
        self.workload = names::workload(&raw_name);
        if self.workload.is_empty() {
            self.workload = "ecs-workload".into();
            self.warn(
                "name",
                "no name and no task definition family: role names start with \"ecs-workload\"",
            )
            .fix = Some("set name (or the task definition's family)".into());
        }
    }

    fn arn(&self, service: &str, resource: &str) -> String {
        cat!(
            "arn:",
            self.partition,
            ":",
            service,
            ":",
            self.region,
            ":",
            self.account,
            ":",
            resource
        )
    }

    fn via(&self, service: &str, region: &str) -> String {
        let suffix = arn::dns_suffix(&self.partition);
        cat!(service, ".", region, ".", suffix)
    }

    fn need(&mut self, role: RoleKind, why: impl AsRef<str> + Into<String>) {
        let n = self.needs.entry(role).or_default();
        if !n.why.iter().any(|w| w == why.as_ref()) {
            n.why.push(why.into());
        }
    }

    /// [`Self::need`] with the reason in pieces, joined only when it is new: the same reason
    /// comes once per container, and `plan` runs on every keystroke.
    fn need_cat(&mut self, role: RoleKind, parts: &[&str]) {
        let n = self.needs.entry(role).or_default();
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let same = |w: &String| {
            if w.len() != len {
                return false;
            }
            let mut rest = w.as_str();
            parts.iter().all(|p| match rest.strip_prefix(p) {
                Some(r) => {
                    rest = r;
                    true
                }
                None => false,
            }) && rest.is_empty()
        };
        if !n.why.iter().any(same) {
            n.why.push(parts.concat());
        }
    }

    /// Like [`Self::need`], but the reason comes first: the role's primary purpose.
    fn need_primary(&mut self, role: RoleKind, why: impl Into<String>) {
        let why = why.into();
        let n = self.needs.entry(role).or_default();
        n.why.retain(|w| *w != why);
        n.why.insert(0, why);
    }

    fn grant(
        &mut self,
        role: RoleKind,
        rule: &Rule,
        resources: Vec<String>,
        conditions: Conditions,
        reason: String,
    ) {
        self.grants.push(Grant {
            role,
            effect: Effect::Allow,
            not_resources: vec![],
            sid: rule.sid,
            actions: rule.actions,
            why: rule.why,
            doc: rule.doc,
            resources,
            conditions,
            reason,
            more_reasons: Vec::new(),
        });
    }

    /// Further causes of the last grant (several resources behind one grant).
    fn more_reasons(&mut self, reasons: Vec<String>) {
        if let Some(g) = self.grants.last_mut() {
            g.more_reasons = reasons;
        }
    }

    /// Attaches an AWS managed policy (`name`: its path under `arn:<partition>:iam::aws:policy/`,
    /// one of [`rules::managed`]) to `role`, with why.
    fn attach_aws_managed(&mut self, role: RoleKind, name: &str, why: impl Into<String>) {
        let arn = cat!("arn:", self.partition, ":iam::aws:policy/", name);
        self.managed
            .entry(role)
            .or_default()
            .push(ManagedAttachment {
                arn,
                why: why.into(),
            });
    }

    /// Records that `role` touches `resource`; customer keys bound to it in `keys` get a
    /// `kms:Decrypt`/`GenerateDataKey` grant through `service`.
    fn protect(
        &mut self,
        role: RoleKind,
        resource: &str,
        service: &str,
        region: Option<&str>,
        write: bool,
        reason: &str,
    ) {
        for (i, k) in self.spec.keys.iter().enumerate() {
            if !key_covers(&k.for_resources, resource) {
                continue;
            }
            // Resolved once: most keys cover many resources (every secret of a prefix).
            if self.key_arns[i].is_none() {
                let known = self.key_arn(&k.key, &cat!("keys[", i.to_string(), "].key"));
                self.key_arns[i] = Some(known);
            }
            let Some(Some(key)) = &self.key_arns[i] else {
                continue;
            };
            // The endpoint the resource is reached through: its ARN's region, else `region`
            // (S3 ARNs name none), else the plan's.
            let default = region.unwrap_or(&self.region);
            let at = region_of(resource, default);
            let reason = cat!(reason, " (keys[", i.to_string(), "])");
            let same = |u: &&mut KeyUse| {
                u.role == role
                    && u.write == write
                    && u.key == *key
                    && u.service == service
                    && u.region == at
            };
            match self.kms.last_mut().filter(same) {
                Some(u) => u.more_reasons.push(reason),
                None => self.kms.push(KeyUse {
                    role,
                    key: key.clone(),
                    service: service.to_string(),
                    region: at.to_string(),
                    write,
                    reason,
                    more_reasons: Vec::new(),
                }),
            }
        }
    }

    /// A KMS key ARN from an ARN or a bare key id; aliases are refused (IAM authorises keys).
    fn key_arn(&mut self, key: &str, path: &str) -> Option<String> {
        // A template's `!GetAtt Key.Arn` or `${KeyId}`: said as such, not as a bad key.
        let filled = self.fill(key, path)?;
        let key = &*filled;
        if let Some(a) = Arn::parse(key) {
            if a.service == "kms" && a.resource.starts_with("key/") {
                return Some(key.to_string());
            }
        } else if !key.is_empty()
            && key.len() <= 64
            && key.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        {
            return Some(self.arn("kms", &cat!("key/", key)));
        }
        let msg = format!("{key:?} is not a KMS key ARN or key id");
        let dup = self
            .findings
            .iter()
            .any(|f| f.path == path && f.message == msg);
        if !dup {
            self.error(path, msg).fix = Some(
                "use the key ARN (arn:aws:kms:<region>:<account>:key/<id>); kms:Decrypt is authorised on keys, not aliases".into(),
            );
        }
        None
    }

    // ---------------------------------------------------------------- feasibility
    fn check_feasibility(&mut self) {
        // ECS refuses a Fargate task definition that names no network mode at all (it does
        // not default to awsvpc there).
        let requires_fargate = self
            .td
            .requires_compatibilities
            .iter()
            .any(|c| LaunchType::parse(c) == Some(LaunchType::Fargate));
        if requires_fargate && self.td.network_mode.is_none() && self.launch == LaunchType::Fargate
        {
            let (message, source) =
                rules::refusal::error(rules::refusal::Refusal::FargateNetworkMode);
            let f = finding(
                Severity::Error,
                cat!(self.td_path, ".networkMode"),
                cat!("the task definition requires FARGATE but names no networkMode; ECS refuses it: ", message),
            )
            .fix("set networkMode: awsvpc")
            .doc(source);
            self.findings.push(f);
        }
        let (modes, doc) = unsupported::network_modes(self.launch);
        if !modes.contains(&self.network_mode.as_str()) {
            let msg = format!(
                "network mode {:?} is not supported on {} (supported: {})",
                self.network_mode,
                self.launch.as_str(),
                modes.join(", ")
            );
            let f = finding(Severity::Error, cat!(self.td_path, ".networkMode"), msg)
                .fix(cat!("use networkMode ", modes[0]))
                .doc(doc);
            self.findings.push(f);
        }
        let blocked = self.blockers_for(self.launch);
        self.findings.extend(blocked);
        for (i, v) in self.td.volumes.iter().enumerate() {
            let vpath = cat!(self.td_path, ".volumes[", i.to_string(), "]");
            let used = [
                (
                    v.efs_volume_configuration.is_some(),
                    Feature::EfsVolume,
                    ".efsVolumeConfiguration",
                ),
                (
                    v.docker_volume_configuration.is_some(),
                    Feature::DockerVolume,
                    ".dockerVolumeConfiguration",
                ),
                (
                    v.configured_at_launch,
                    Feature::EbsVolumeAtLaunch,
                    ".configuredAtLaunch",
                ),
            ];
            for (_, feature, field) in used.into_iter().filter(|(on, _, _)| *on) {
                if let Some(l) = unsupported::limit(feature, self.launch) {
                    let f = finding(
                        Severity::Error,
                        cat!(vpath, field),
                        format!("volume {:?}: {}", v.name, l.what),
                    )
                    .fix(l.fix)
                    .doc(l.doc);
                    self.findings.push(f);
                }
            }
        }
    }
}

/// Whether `keys[].for` covers `resource`: an ARN glob, or — as the task definition
/// references them — a secret or parameter *name* (glob), with or without the leading `/` and
/// Secrets Manager's random `-AbCdEf` suffix.
fn key_covers(pattern: &str, resource: &str) -> bool {
    if arn::glob_match(pattern, resource) {
        return true;
    }
    if pattern.starts_with("arn:") {
        return false;
    }
    let Some(a) = Arn::parse(resource) else {
        return false;
    };
    let name = match a.service {
        "secretsmanager" => a.resource.strip_prefix("secret:"),
        "ssm" => a.resource.strip_prefix("parameter"),
        _ => None,
    };
    let Some(name) = name else {
        return false;
    };
    let (p, n) = (
        pattern.trim_start_matches('/'),
        name.trim_start_matches('/'),
    );
    let base = match n.rsplit_once('-') {
        Some((b, _)) if a.service == "secretsmanager" && arn::secret_has_random_suffix(n) => b,
        _ => n,
    };
    arn::glob_match(p, n) || arn::glob_match(p, base)
}

/// The AWS page that documents each role (the registry's row, per launch type).
fn role_doc(kind: RoleKind, launch: LaunchType) -> &'static str {
    kind.facts().doc(launch)
}

fn shared_name(kind: RoleKind) -> &'static str {
    kind.facts().shared_name
}

fn container_name(c: &ContainerDefinition, i: usize) -> Cow<'_, str> {
    if c.name.is_empty() {
        cat!("#", i.to_string()).into()
    } else {
        c.name.as_str().into()
    }
}

/// The region in an ARN, or `default` when it has none (S3) or is not an ARN.
fn region_of<'r>(resource: &'r str, default: &'r str) -> &'r str {
    match Arn::parse(resource) {
        Some(a) if !a.region.is_empty() => a.region,
        _ => default,
    }
}

/// IAM requires unique Sids within a policy: number repeats (`EfsClientMount2`).
fn dedupe_sids(statements: &mut [Statement]) {
    // A few statements per policy: a list, not a map (a BTreeMap<String, usize> brought its own
    // tree code into the calculator's module).
    let mut seen: Vec<(Text, usize)> = Vec::new();
    for s in statements.iter_mut() {
        let n = match seen.iter_mut().find(|(sid, _)| *sid == s.sid) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                seen.push((s.sid.clone(), 1));
                1
            }
        };
        if n > 1 {
            s.sid = cat!(s.sid, n.to_string()).into();
        }
    }
}
