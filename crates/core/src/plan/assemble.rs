//! Turning collected grants into roles: names, trust policies, merged statements and the
//! user's raw statements.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn default_absent_reason(&self, k: RoleKind) -> Text {
        match k {
            RoleKind::TaskExecution => {
                if self.launch == LaunchType::Ec2 {
                    "on EC2 without secrets, environment files, private registry auth or FireLens S3 config, the container instance role pulls images and ships awslogs".into()
                } else {
                    "nothing needs the ECS agent to call AWS before the task starts: no private ECR image, awslogs, secrets, environment files or private registry auth".into()
                }
            }
            RoleKind::Task => "the application declares no AWS access, ECS Exec is off, no EFS volume uses IAM authorization and no FireLens output ships to AWS".into(),
            _ => "not needed by this workload".into(),
        }
    }

    pub(super) fn build_roles(&mut self) -> Vec<PlannedRole> {
        // Each role's statements come from its own grants, taken from the list in place (a
        // Grant is ~200 bytes: regrouping them by role was 4% of a heavy plan, mostly copying).
        let mut grants = std::mem::take(&mut self.grants);
        let mut roles = Vec::new();
        for kind in RoleKind::ALL {
            // AWS's own roles: ECS's always, Application Auto Scaling's when the service scales.
            if kind.service_linked() {
                if kind == RoleKind::ServiceLinked || self.needs.contains_key(&kind) {
                    roles.push(self.service_linked_role(kind));
                }
                continue;
            }
            let Some(cfg) = kind.config(&self.spec.roles) else {
                continue;
            };
            let has_extra = !cfg.statements.is_empty() || !cfg.managed_policies.is_empty();
            let needed = self.needs.contains_key(&kind);
            match cfg.create {
                Some(false) if needed => {
                    let why = self
                        .needs
                        .get(&kind)
                        .map(|n| n.why.join("; "))
                        .unwrap_or_default();
                    let f = finding(
                        Severity::Error,
                        cat!("roles.", kind.key(), ".create"),
                        cat!(
                            kind.title(),
                            " is switched off, but the workload needs it: ",
                            why
                        ),
                    )
                    .fix(cat!(
                        "remove roles.",
                        kind.key(),
                        ".create: false, or give roles.",
                        kind.key(),
                        ".existingArn"
                    ));
                    self.findings.push(f);
                    continue;
                }
                Some(false) => continue,
                Some(true) if !needed => {
                    self.need(kind, cat!("roles.", kind.key(), ".create is true"));
                }
                Some(true) => {}
                None if !needed && has_extra => {
                    self.need(
                        kind,
                        cat!("roles.", kind.key(), " adds statements or managed policies"),
                    );
                }
                None if !needed => {
                    // A role the task definition names is part of the workload even when
                    // nothing ecsroles knows of needs it: the application's own calls are
                    // unknown to it (and ECS Exec, agents and sidecars may use the task role).
                    let named = match kind {
                        RoleKind::Task => self.td.task_role_arn.is_some(),
                        RoleKind::TaskExecution => self.td.execution_role_arn.is_some(),
                        _ => false,
                    };
                    if !named {
                        continue;
                    }
                    if kind == RoleKind::Task {
                        self.unknown_app_calls();
                        self.need(kind, "the task definition names it (taskRoleArn): the application's containers get its credentials");
                    } else {
                        self.need(kind, "the task definition names it (executionRoleArn); nothing in this task needs it to call AWS");
                    }
                }
                // Needed for a sidecar, ECS Exec…: the application's own calls are still unknown.
                None if kind == RoleKind::Task
                    && self.td.task_role_arn.is_some()
                    && self.spec.app.access.is_empty()
                    && self.spec.app.statements.is_empty()
                    && self.spec.app.managed_policies.is_empty() =>
                {
                    self.unknown_app_calls();
                }
                None => {}
            }
            // Their PassRole names the task definition's roles, built before them (ALL order).
            let pass = match kind {
                RoleKind::CodeDeploy => Some(&rules::CD_PASS_ROLE),
                RoleKind::EventBridge | RoleKind::Scheduler | RoleKind::StepFunctions => {
                    Some(&rules::LAUNCH_PASS_ROLE)
                }
                _ => None,
            };
            let mut pass = pass.and_then(|rule| self.pass_task_roles(&roles, kind, rule));
            let mine = grants
                .iter_mut()
                .filter(|g| g.role == kind)
                .chain(pass.as_mut());
            let statements = merge_grants(mine);
            roles.push(self.planned_role(kind, cfg, statements));
        }
        self.missing_role_references(&roles);
        roles
    }

    /// A new execution role the task definition does not reference yet: ECS refuses the
    /// task definition with a known error until `executionRoleArn` names it.
    fn missing_role_references(&mut self, roles: &[PlannedRole]) {
        use rules::refusal::{error, Refusal};
        let Some(x) = roles.iter().find(|r| r.kind == RoleKind::TaskExecution) else {
            return;
        };
        if x.provisioning != Provisioning::Create || self.td.execution_role_arn.is_some() {
            return;
        }
        let cs = &self.td.container_definitions;
        let fargate = self.launch == LaunchType::Fargate;
        let needs = [
            (
                fargate && cs.iter().any(|c| c.image.contains(".dkr.ecr")),
                Refusal::FargateEcrImage,
            ),
            (
                fargate
                    && cs.iter().any(|c| {
                        c.log_configuration
                            .as_ref()
                            .is_some_and(|l| l.log_driver == "awslogs")
                    }),
                Refusal::FargateAwslogs,
            ),
            (cs.iter().any(|c| !c.secrets.is_empty()), Refusal::Secrets),
        ];
        let errors: Vec<(&str, &str)> = needs
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| error(n))
            .collect();
        if let Some((_, source)) = errors.first() {
            let messages: Vec<&str> = errors.iter().map(|e| e.0).collect();
            let f = finding(
                Severity::Warning,
                cat!(self.td_path, ".executionRoleArn"),
                cat!(
                    "the task definition names no execution role; ECS refuses it with: ",
                    messages.join(" / ")
                ),
            )
            .fix(cat!(
                "set executionRoleArn to ",
                x.arn,
                " (the role planned here) before registering it"
            ))
            .doc(source);
            self.findings.push(f);
        }
    }

    /// A service-linked role (`kind` is [`RoleKind::ServiceLinked`] or [`RoleKind::AutoScaling`]):
    /// AWS writes its trust and policy; the plan names it, says why, and checks it exists.
    /// The task definition names a task role, and nothing says what the application calls.
    fn unknown_app_calls(&mut self) {
        let f = finding(Severity::Info, cat!(self.td_path, ".taskRoleArn"),
            "the task definition names a task role; what the application calls with it is not in the task definition, so ecsroles plans no application permissions")
            .fix("declare what the application calls in app.access (or app.statements) to have them planned and scoped");
        self.findings.push(f);
    }

    pub(super) fn service_linked_role(&self, kind: RoleKind) -> PlannedRole {
        let (name, path) = if kind == RoleKind::AutoScaling {
            (rules::AUTO_SCALING_SLR_NAME, rules::AUTO_SCALING_SLR_PATH)
        } else {
            (
                rules::SERVICE_LINKED_ROLE_NAME,
                rules::SERVICE_LINKED_ROLE_PATH,
            )
        };
        let arn = self.role_arn(Some(name), None, path);
        let (when, why) = match self.needs.get(&kind) {
            Some(n) => (self.when(kind), n.why.clone()),
            None => (
                "whenever ECS manages networking, load balancers, service discovery or capacity for the account".into(),
                vec!["every account that uses ECS needs it once; ECS creates it on first use, or create it ahead".into()],
            ),
        };
        PlannedRole {
            kind,
            title: kind.title().to_string(),
            provisioning: Provisioning::ServiceLinked,
            name: Some(name.into()),
            name_prefix: None,
            path: path.into(),
            arn,
            assumed_by: vec![self.principal(kind).into()],
            when,
            why,
            doc: role_doc(kind, self.launch).into(),
            trust_policy: None,
            inline_policies: vec![],
            managed_policies: vec![],
            permissions_boundary: None,
            max_session_duration: None,
            tags: BTreeMap::new(),
            instance_profile: None,
        }
    }

    pub(super) fn principal(&self, kind: RoleKind) -> &'static str {
        kind.facts().principal(self.launch, &self.partition)
    }

    pub(super) fn when(&self, kind: RoleKind) -> String {
        kind.facts()
            .when(self.launch)
            .replace("{agent}", self.launch_phrase())
    }

    pub(super) fn trust_policy(&self, kind: RoleKind) -> PolicyDocument {
        let principal = self.principal(kind);
        let (why, doc) = kind.facts().trust_why(self.launch);
        // Confused-deputy conditions where AWS documents them: the task role's
        // (doc::CONFUSED_DEPUTY), the launchers' (their services' pages), the ECS Anywhere
        // instance role's (Systems Manager's hybrid-activation role page, doc::SSM_HYBRID_ROLE).
        // None for the execution role unless asked (executionRoleTrustConditions): AWS documents
        // them for the task role only, and does not say which aws:SourceArn ECS presents when
        // it assumes the execution role.
        // What may assume it, in this account: a launcher's own rule, schedule group or state
        // machine (each service's confused-deputy page); Systems Manager of this account and
        // Region for the Anywhere instance; ECS of this account and Region for the task role.
        let mut sources: Vec<String> = self
            .trust_sources
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, s)| s.clone())
            .collect();
        if sources.is_empty() {
            if kind == RoleKind::ContainerInstance && self.launch == LaunchType::External {
                sources.push(self.arn("ssm", "*"));
            } else if kind == RoleKind::Task || self.execution_trust_conditions(kind) {
                sources.push(self.arn("ecs", "*"));
            }
        }
        let why = if self.execution_trust_conditions(kind) {
            crate::model::EXECUTION_TRUST_CONDITIONS
        } else {
            why
        };
        let conditions = if sources.is_empty() {
            Conditions::new()
        } else {
            let mut c = cond("StringEquals", "aws:SourceAccount", &[&self.account]);
            let refs: Vec<&str> = sources.iter().map(String::as_str).collect();
            add_cond(&mut c, "ArnLike", "aws:SourceArn", &refs);
            c
        };
        PolicyDocument::new(vec![Statement {
            sid: "TrustEcs".into(),
            effect: Effect::Allow,
            principal: Some(Principal::Service(principal.to_string())),
            actions: vec!["sts:AssumeRole".into()],
            not_actions: vec![],
            resources: vec![],
            not_resources: vec![],
            conditions,
            why: why.into(),
            reasons: vec![],
            doc: doc.into(),
        }])
    }

    /// The execution role's trust takes the task role's conditions
    /// (`executionRoleTrustConditions`).
    fn execution_trust_conditions(&self, kind: RoleKind) -> bool {
        kind == RoleKind::TaskExecution && self.spec.execution_role_trust_conditions
    }

    /// Name and path: explicit config > the task definition's ARN for that role > defaults.
    pub(super) fn role_identity(
        &self,
        kind: RoleKind,
        cfg: &RoleConfig,
    ) -> (Option<String>, Option<String>, String) {
        let td_arn = match kind {
            RoleKind::TaskExecution => self.td.execution_role_arn.as_deref(),
            RoleKind::Task => self.td.task_role_arn.as_deref(),
            _ => None,
        };
        // Not a name that still holds a placeholder (`role/app-${Stage}`): the role is then
        // planned under this plan's own name (named_role says so).
        let from_td = td_arn.and_then(Arn::parse).and_then(|a| {
            let rest = a.resource.strip_prefix("role")?;
            let (path, name) = rest.rsplit_once('/')?;
            crate::placeholder::find(rest)
                .is_none()
                .then(|| (cat!(path, "/"), name.to_string()))
        });
        let path = cfg
            .path
            .clone()
            .or_else(|| from_td.as_ref().map(|(p, _)| p.clone()))
            .unwrap_or_else(|| "/".into());
        if let Some(prefix) = &cfg.name_prefix {
            return (None, Some(prefix.clone()), path);
        }
        let name = cfg
            .name
            .clone()
            .or_else(|| from_td.map(|(_, n)| n))
            .unwrap_or_else(|| {
                if cfg.shared {
                    shared_name(kind).to_string()
                } else {
                    names::fit(&cat!(self.workload, "-", kind.name_suffix()), 64)
                }
            });
        (Some(name), None, path)
    }

    pub(super) fn planned_role(
        &mut self,
        kind: RoleKind,
        cfg: &RoleConfig,
        mut statements: Vec<Statement>,
    ) -> PlannedRole {
        let need = self.needs.remove(&kind).unwrap_or_default();
        let (mut name, mut name_prefix, mut path) = self.role_identity(kind, cfg);
        let mut provisioning = Provisioning::Create;
        // The role the task definition names is the role this workload uses, unless the user
        // asks for a new one (create: true, a name or a prefix).
        let named = if cfg.existing_arn.is_none()
            && cfg.create != Some(true)
            && cfg.name.is_none()
            && cfg.name_prefix.is_none()
        {
            self.named_role(kind)
        } else {
            self.named_but_replaced(kind, cfg);
            None
        };
        let existing_arn = cfg.existing_arn.clone().or(named);
        if let Some(existing) = &existing_arn {
            provisioning = Provisioning::Existing;
            match Arn::parse(existing)
                .filter(|a| a.service == "iam" && a.resource.starts_with("role/"))
            {
                Some(a) => {
                    let rest = &a.resource["role".len()..];
                    if let Some((p, n)) = rest.rsplit_once('/') {
                        path = cat!(p, "/");
                        name = Some(n.to_string());
                        name_prefix = None;
                    }
                }
                None => {
                    let f = finding(
                        Severity::Error,
                        cat!("roles.", kind.key(), ".existingArn"),
                        format!("{existing:?} is not an IAM role ARN"),
                    )
                    .fix("use arn:aws:iam::<account>:role/<name>");
                    self.findings.push(f);
                }
            }
        }
        // An existing role is exactly the role named, account included.
        let arn = match &existing_arn {
            Some(a) if Arn::parse(a).is_some_and(|a| a.service == "iam") => a.trim().to_string(),
            _ => self.role_arn(name.as_deref(), name_prefix.as_deref(), &path),
        };

        let extra = self.raw_statements(kind, cfg);
        statements.extend(extra);
        dedupe_sids(&mut statements);

        let mut managed = self.managed.remove(&kind).unwrap_or_default();
        for (i, m) in cfg.managed_policies.iter().enumerate() {
            let path = cat!(
                "roles.",
                kind.key(),
                ".managedPolicies[",
                i.to_string(),
                "]"
            );
            if let Some(arn) = self.managed_policy_arn(m, &path) {
                managed.push(ManagedAttachment {
                    arn,
                    why: cat!("requested in ", path),
                });
            }
        }
        // The same policy may be asked for twice (app.managedPolicies and roles.task…).
        // A handful of entries: a scan, not a set (a BTreeSet of Strings for this one use
        // cost the calculator's module 863 B gzipped, measured 2026-12-04).
        let mut i = 0;
        while i < managed.len() {
            if managed[..i].iter().any(|m| m.arn == managed[i].arn) {
                managed.remove(i);
            } else {
                i += 1;
            }
        }

        let inline_name = if provisioning == Provisioning::Existing {
            names::existing_policy_name(&self.workload, kind.name_suffix())
        } else if cfg.shared {
            cat!("ecsroles-", self.workload)
        } else {
            "ecsroles".to_string()
        };
        let inline_policies = if statements.is_empty() {
            vec![]
        } else {
            vec![InlinePolicy {
                name: inline_name,
                document: PolicyDocument::new(statements),
            }]
        };
        let instance_profile = kind
            .facts()
            .has_instance_profile(self.launch)
            .then(|| {
                name.clone().map(|n| InstanceProfile {
                    name: n,
                    path: path.clone(),
                })
            })
            .flatten();
        let trust_policy = (provisioning == Provisioning::Create).then(|| self.trust_policy(kind));
        PlannedRole {
            kind,
            title: kind.title().to_string(),
            provisioning,
            name,
            name_prefix,
            path,
            arn,
            assumed_by: vec![self.principal(kind).to_string()],
            when: self.when(kind),
            why: need.why,
            doc: role_doc(kind, self.launch).into(),
            trust_policy,
            inline_policies,
            managed_policies: managed,
            permissions_boundary: cfg.permissions_boundary.clone(),
            max_session_duration: cfg.max_session_duration,
            tags: cfg.tags.clone(),
            instance_profile,
        }
    }

    /// Every `roleArn` the workload's configurations of `kind` name, in order, by index, and
    /// the path around the index: each Service Connect service's `tls`, each load balancer's
    /// `advancedConfiguration`, each lifecycle hook, each VPC Lattice configuration, each
    /// launcher of that kind. (Plain loops over the iterators the planner already has: the
    /// calculator's module pays for every new iterator type.)
    fn named_roles(&self, kind: RoleKind) -> (&'static str, &'static str, Vec<(usize, &'a str)>) {
        let spec = self.spec;
        let mut out = Vec::new();
        let role = |v: Option<&'a serde_json::Value>| v.and_then(serde_json::Value::as_str);
        let at = match kind {
            RoleKind::ServiceConnectTls => {
                for (i, t) in super::networking::tls_configs(spec) {
                    out.extend(role(t.get("roleArn")).map(|r| (i, r)));
                }
                (
                    "service.serviceConnectConfiguration.services[",
                    "].tls.roleArn",
                )
            }
            RoleKind::LoadBalancerInfrastructure => {
                for (i, _, a) in super::deployment::advanced_configs(spec) {
                    out.extend(role(a.get("roleArn")).map(|r| (i, r)));
                }
                ("service.loadBalancers[", "].advancedConfiguration.roleArn")
            }
            RoleKind::LifecycleHooks => {
                for (i, h) in super::deployment::lifecycle_hooks(spec) {
                    out.extend(role(h.get("roleArn")).map(|r| (i, r)));
                }
                (
                    "service.deploymentConfiguration.lifecycleHooks[",
                    "].roleArn",
                )
            }
            RoleKind::VpcLattice => {
                for (i, c) in super::networking::lattice_configs(spec) {
                    out.extend(role(c.get("roleArn")).map(|r| (i, r)));
                }
                ("service.vpcLatticeConfigurations[", "].roleArn")
            }
            _ => {
                out = self.launcher_roles(kind);
                ("launchers[", "].roleArn")
            }
        };
        (at.0, at.1, out)
    }

    /// ecsroles plans one role of each kind for a workload, with the grants of every
    /// configuration of that kind; a later configuration that names another role would get
    /// none of them, so it is an error, at its own path.
    fn one_role_per_kind(
        &mut self,
        kind: RoleKind,
        (first_path, first): (&str, &str),
        (path, other): (String, &str),
    ) {
        // A role named by its name (this account's) and by its ARN is one role.
        if self.role_key(other) == self.role_key(first) {
            return;
        }
        let other = other.trim();
        let message = cat!(
            "names ",
            other,
            ", another role than ",
            first_path,
            " (",
            first.trim(),
            "): ecsroles plans one ",
            kind.title(),
            " for the workload, with the grants of every configuration, so ",
            other,
            " would be given none"
        );
        let f = finding(Severity::Error, path, message)
            .fix("name the same role in each (the plan's role covers all of them), or plan each configuration as its own workload");
        self.findings.push(f);
    }

    /// The role the workload's files name for `kind`, as written: (value, field, path). Several
    /// configurations of one kind naming different roles are an error here
    /// ([`Self::one_role_per_kind`]).
    fn named_raw(&mut self, kind: RoleKind) -> Option<(&'a str, &'static str, String)> {
        Some(match kind {
            RoleKind::TaskExecution => (
                self.td.execution_role_arn.as_deref()?,
                "executionRoleArn",
                cat!(self.td_path, ".executionRoleArn"),
            ),
            RoleKind::Task => (
                self.td.task_role_arn.as_deref()?,
                "taskRoleArn",
                cat!(self.td_path, ".taskRoleArn"),
            ),
            RoleKind::Service => (
                self.spec.service.as_ref()?.role.as_deref()?,
                "role",
                "service.role".to_string(),
            ),
            RoleKind::ServiceConnectTls
            | RoleKind::LoadBalancerInfrastructure
            | RoleKind::LifecycleHooks
            | RoleKind::VpcLattice
            | RoleKind::EventBridge
            | RoleKind::Scheduler
            | RoleKind::StepFunctions => {
                let (pre, post, named) = self.named_roles(kind);
                let (&(i, arn), others) = named.split_first()?;
                let path = cat!(pre, i.to_string(), post);
                for &(j, other) in others {
                    let other_path = cat!(pre, j.to_string(), post);
                    self.one_role_per_kind(kind, (&path, arn), (other_path, other));
                }
                (arn, "roleArn", path)
            }
            RoleKind::CodeDeploy => (
                self.spec.code_deploy.get("serviceRoleArn")?.as_str()?,
                "serviceRoleArn",
                "codeDeploy.serviceRoleArn".to_string(),
            ),
            RoleKind::ExpressInfrastructure => (
                self.spec
                    .express_gateway_service
                    .get("infrastructureRoleArn")?
                    .as_str()?,
                "infrastructureRoleArn",
                "expressGatewayService.infrastructureRoleArn".to_string(),
            ),
            _ => return None,
        })
    }

    /// `roles.<kind>` plans another role (`existingArn`, `create`, `name`, `namePrefix`) than the
    /// one the files name: ECS uses the named one, which this plan then does not cover — said at
    /// the named field. A placeholder there is what the setting fills in: nothing said.
    fn named_but_replaced(&mut self, kind: RoleKind, cfg: &RoleConfig) {
        let Some((raw, _, path)) = self.named_raw(kind) else {
            return;
        };
        let raw = raw.trim();
        if crate::placeholder::find(raw).is_some() || crate::placeholder::is_shouted_token(raw) {
            return;
        }
        let setting = cfg.existing_arn.as_deref().or(cfg.name.as_deref());
        if setting.is_some_and(|s| self.role_key(s) == self.role_key(raw)) {
            return;
        }
        let f = finding(
            Severity::Warning,
            path,
            cat!(
                "names ",
                raw,
                "; roles.",
                kind.key(),
                " plans ",
                setting.unwrap_or("a new role"),
                ", which ECS will not use"
            ),
        )
        .fix(cat!(
            "point it at the plan's role, or drop roles.",
            kind.key()
        ));
        self.findings.push(f);
    }

    /// A role's identity for comparison: (account, name); a bare name is this account's, and
    /// IAM role names are unique regardless of case.
    fn role_key(&self, r: &str) -> (String, String) {
        let r = r.trim();
        let (account, name) = match Arn::parse(r) {
            Some(a) => (
                a.account.to_string(),
                a.resource.rsplit('/').next().unwrap_or_default(),
            ),
            None => (self.account.clone(), r),
        };
        (account, name.to_ascii_lowercase())
    }

    /// The role ARN the workload's files name for `kind` (`executionRoleArn`, `taskRoleArn`,
    /// the service's `role`, a configuration's `roleArn`…), resolved; a bare role name is read
    /// as a role of this account.
    pub(super) fn named_role(&mut self, kind: RoleKind) -> Option<String> {
        let (raw, field, path) = self.named_raw(kind)?;
        // Placeholders in the account field of a role ARN are stand-ins `fill` resolves; the
        // role's name must be concrete.
        let bare = match Arn::parse(raw.trim()) {
            Some(a) => a.resource.to_string(),
            None => raw.to_string(),
        };
        let bare = arn::without_open_markers(&bare);
        let shouted = crate::placeholder::is_shouted_token(raw.trim()).then(|| raw.trim());
        if let Some((text, name, whole)) = crate::placeholder::find(&bare)
            .map(|p| (p.text, p.name, p.start == 0 && p.end == bare.len()))
            .or(shouted.map(|t| (t, t, true)))
        {
            // A part of the name (`role/app-${AWS::StackName}`) is filled by its own value.
            let (is, value) = if whole {
                (" is the template placeholder ", "=<role ARN>")
            } else {
                (" holds the template placeholder ", "=<its value>")
            };
            let f = finding(
                Severity::Warning,
                path,
                cat!(
                    field,
                    is,
                    text,
                    ": planned as a new role; the file must then name it"
                ),
            )
            .fix(cat!(
                "pass --var ",
                name,
                value,
                " to plan for the role it stands for"
            ));
            self.findings.push(f);
            return None;
        }
        let arn = if Arn::parse(raw.trim()).is_some() {
            self.fill(raw, &path)?.into_owned()
        } else {
            // ECS also accepts a role name here.
            let f = finding(
                Severity::Info,
                path.clone(),
                cat!(
                    field,
                    " ",
                    raw,
                    " is a role name: read as a role of account ",
                    self.account
                ),
            );
            self.findings.push(f);
            self.role_arn(Some(raw.trim()), None, "/")
        };
        // A role, by a name IAM accepts: never a user, a wildcard or a pattern.
        let name_ok = Arn::parse(&arn)
            .filter(|a| a.service == "iam")
            .and_then(|a| a.resource.strip_prefix("role/"))
            .and_then(|r| r.rsplit('/').next())
            .is_some_and(|n| {
                !n.is_empty()
                    && n.len() <= crate::limits::ROLE_NAME_MAX
                    && n.chars().all(names::is_name_char)
            });
        if !name_ok {
            let f = finding(
                Severity::Error,
                path,
                cat!(field, " ", raw, " is not an IAM role (arn:aws:iam::<account>:role/<name>, a name of letters, digits and +=,.@_-)"),
            )
            .fix("name the role by its ARN");
            self.findings.push(f);
            return None;
        }
        let named_by = match kind {
            RoleKind::Service => "the service's role".to_string(),
            RoleKind::ExpressInfrastructure => {
                "the Express Mode service's infrastructureRoleArn".to_string()
            }
            RoleKind::TaskExecution | RoleKind::Task => cat!("the task definition's ", field),
            _ => cat!("the file's ", path),
        };
        let from = cat!(named_by, ": the plan lists what it must allow");
        self.infer(&cat!(kind.key(), "Role"), &arn, from, path);
        Some(arn)
    }

    /// A role's ARN; ends in `*` when only a name prefix is known (the deploy tool completes it).
    pub(super) fn role_arn(&self, name: Option<&str>, prefix: Option<&str>, path: &str) -> String {
        let (p, a) = (&self.partition, &self.account);
        match (name, prefix) {
            (Some(n), _) => cat!("arn:", p, ":iam::", a, ":role", path, n),
            (None, prefix) => cat!(
                "arn:",
                p,
                ":iam::",
                a,
                ":role",
                path,
                prefix.unwrap_or_default(),
                "*"
            ),
        }
    }

    /// The node role's ARN as the infrastructure role must pass it.
    pub(super) fn node_role_arn(&self) -> String {
        let cfg = &self.spec.roles.managed_instances_node;
        if let Some(existing) = &cfg.existing_arn {
            return existing.clone();
        }
        let (name, prefix, path) = self.role_identity(RoleKind::ManagedInstancesNode, cfg);
        self.role_arn(name.as_deref(), prefix.as_deref(), &path)
    }

    /// User-written statements: the role's own, plus `app.statements` for the task role.
    pub(super) fn raw_statements(&mut self, kind: RoleKind, cfg: &RoleConfig) -> Vec<Statement> {
        let mut sources: Vec<(String, &RawStatement)> = cfg
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    cat!("roles.", kind.key(), ".statements[", i.to_string(), "]"),
                    s,
                )
            })
            .collect();
        if kind == RoleKind::Task {
            sources.extend(
                self.spec
                    .app
                    .statements
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (cat!("app.statements[", i.to_string(), "]"), s)),
            );
        }
        let mut out = Vec::new();
        for (path, raw) in sources {
            if let Some(s) = self.raw_statement(raw, &path) {
                out.push(s);
            }
        }
        out
    }

    pub(super) fn raw_statement(&mut self, raw: &RawStatement, path: &str) -> Option<Statement> {
        let effect = match raw.effect.as_deref() {
            None | Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            Some(other) => {
                self.error(
                    cat!(path, ".Effect"),
                    format!("Effect {other:?} is not Allow or Deny"),
                );
                return None;
            }
        };
        let (actions, not_actions) = (raw.action.to_vec(), raw.not_action.to_vec());
        let (resources, not_resources) = (raw.resource.to_vec(), raw.not_resource.to_vec());
        if actions.is_empty() == not_actions.is_empty() {
            self.error(path, "a statement needs exactly one of Action or NotAction")
                .fix = Some("list the actions under Action".into());
            return None;
        }
        if resources.is_empty() == not_resources.is_empty() {
            self.error(
                path,
                "a statement needs exactly one of Resource or NotResource",
            )
            .fix = Some("list the ARNs under Resource".into());
            return None;
        }
        for a in actions.iter().chain(&not_actions) {
            if a != "*" && !a.contains(':') {
                self.error(
                    cat!(path, ".Action"),
                    format!("{a:?} is not an action (service:Action)"),
                );
                return None;
            }
        }
        if let Some(r) = resources
            .iter()
            .chain(&not_resources)
            .find(|r| !rules::policy_resource_accepted(r))
        {
            let f = self.error(
                cat!(path, ".Resource"),
                format!("{r:?} is neither an ARN nor \"*\": IAM refuses the policy (MalformedPolicyDocument)"),
            );
            f.fix =
                Some("write the full ARN, arn:partition:service:region:account:resource".into());
            f.doc = Some(rules::doc::POLICY_RESOURCE.into());
            return None;
        }
        if effect == Effect::Allow {
            if !not_actions.is_empty() {
                self.warn(
                    path,
                    "Allow with NotAction grants every action not listed, including future ones",
                );
            } else if resources.iter().any(|r| r == "*")
                && actions
                    .iter()
                    .any(|a| !rules::WILDCARD_ONLY_ACTIONS.contains(&a.as_str()))
            {
                self.warn(cat!(path, ".Resource"), "Resource \"*\" with actions that accept resource ARNs: broader than needed (kept because you wrote it)")
                    .fix = Some("scope Resource to the ARNs the application uses".into());
            }
            if actions.iter().any(|a| a == "*" || a.ends_with(":*")) {
                self.warn(
                    cat!(path, ".Action"),
                    "a whole-service or global action wildcard (kept because you wrote it)",
                );
            }
        }
        let mut conditions = Conditions::new();
        for (op, keys) in &raw.condition {
            for (k, v) in keys {
                conditions
                    .entry(Text::from(op.clone()))
                    .or_default()
                    .insert(Text::from(k.clone()), v.to_vec());
            }
        }
        let sid: String = raw
            .sid
            .clone()
            .unwrap_or_else(|| "Custom".into())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        Some(Statement {
            sid: if sid.is_empty() {
                "Custom".into()
            } else {
                sid.into()
            },
            effect,
            principal: None,
            actions: actions.into_iter().map(Text::from).collect(),
            not_actions: not_actions.into_iter().map(Text::from).collect(),
            resources,
            not_resources,
            conditions,
            why: raw
                .why
                .clone()
                .map(Text::from)
                .unwrap_or(Text::Borrowed("written by the user")),
            reasons: vec![path.to_string()],
            doc: doc::TASK_ROLE.into(),
        })
    }
}

/// Merges a role's grants into statements: same rule and same conditions → one statement,
/// resources and reasons unioned. Grants are moved, not copied (plan() runs per keystroke).
fn merge_grants<'g>(grants: impl Iterator<Item = &'g mut Grant>) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::with_capacity(16);
    // Rule sid of each statement in `out` (statements are few: a linear scan beats a map).
    let mut sids: Vec<&'static str> = Vec::with_capacity(16);
    for g in grants {
        let found = (0..out.len()).find(|&i| sids[i] == g.sid && out[i].conditions == g.conditions);
        let slot = match found {
            Some(slot) => slot,
            None => {
                sids.push(g.sid);
                out.push(Statement {
                    sid: g.sid.into(),
                    effect: g.effect,
                    principal: None,
                    actions: g.actions.iter().map(|a| (*a).into()).collect(),
                    not_actions: vec![],
                    resources: Vec::with_capacity(g.resources.len().max(8)),
                    not_resources: std::mem::take(&mut g.not_resources),
                    conditions: std::mem::take(&mut g.conditions),
                    why: g.why.into(),
                    reasons: Vec::with_capacity(8),
                    doc: g.doc.into(),
                });
                out.len() - 1
            }
        };
        let s = &mut out[slot];
        if cfg!(target_arch = "wasm32") {
            // The calculator's module: no `dedup` code (download size).
            for r in g.resources.drain(..) {
                if !s.resources.contains(&r) {
                    s.resources.push(r);
                }
            }
        } else {
            // Duplicates go at the end, with the sort (a `contains` per resource is quadratic).
            s.resources.append(&mut g.resources);
        }
        let reason = std::mem::take(&mut g.reason);
        if !s.reasons.contains(&reason) {
            s.reasons.push(reason);
        }
        for r in g.more_reasons.drain(..) {
            if !s.reasons.contains(&r) {
                s.reasons.push(r);
            }
        }
    }
    for s in &mut out {
        s.resources.sort();
        if !cfg!(target_arch = "wasm32") {
            s.resources.dedup();
        }
    }
    out
}
