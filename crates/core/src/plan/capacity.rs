//! Roles ECS itself assumes or gives to capacity: the legacy service role, container-instance
//! role (EC2 / Anywhere), Managed Instances infrastructure and node roles, the EBS volume
//! infrastructure role; and the KMS grants collected along the way.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn service_role(&mut self) {
        let k = RoleKind::Service;
        let cfg = &self.spec.roles.service;
        // Borrowed from the spec (not cloned: a clone of every service member cost the
        // calculator's module ~2 KB and each plan an allocation per member).
        let spec = self.spec;
        let no_service = ServiceSpec::default();
        let svc = spec.service.as_ref().unwrap_or(&no_service);
        let controller = svc
            .deployment_controller
            .as_ref()
            .map(|d| d.kind.as_str())
            .unwrap_or("ECS");
        if !matches!(controller, "ECS" | "CODE_DEPLOY" | "EXTERNAL") {
            self.error(
                "service.deploymentController.type",
                format!("deployment controller {controller:?} is not ECS, CODE_DEPLOY or EXTERNAL"),
            );
        }
        // ECS accepts a service role only in this exact situation (CreateService `role`).
        let blocker = if svc.load_balancers.is_empty() {
            Some("the service uses no load balancer".to_string())
        } else if self.network_mode == "awsvpc" {
            Some("network mode is awsvpc: ECS registers ENI targets with the service-linked role and rejects a service role".to_string())
        } else if svc.load_balancers.len() > 1 {
            Some(
                "the service uses several target groups: ECS requires the service-linked role then"
                    .to_string(),
            )
        } else if !svc.service_registries.is_empty() {
            Some(
                "the service uses service discovery: ECS requires the service-linked role then"
                    .to_string(),
            )
        } else if controller != "ECS" {
            Some(format!(
                "the {controller} deployment controller requires the service-linked role"
            ))
        } else {
            None
        };
        let requested =
            cfg.create == Some(true) || cfg.existing_arn.is_some() || svc.role.is_some();
        match blocker {
            Some(why) => {
                if requested {
                    let path = if svc.role.is_some() {
                        "service.role"
                    } else {
                        "roles.service"
                    };
                    let f = finding(
                        Severity::Error,
                        path,
                        format!("a service role is set, but ECS rejects one here: {why}"),
                    )
                    .fix("remove the service role; ECS uses AWSServiceRoleForECS")
                    .doc(doc::SERVICE_ROLE);
                    self.findings.push(f);
                }
                self.absent_why.insert(
                    k,
                    (
                        format!("{why}; ECS uses the service-linked role AWSServiceRoleForECS."),
                        doc::SERVICE_ROLE,
                    ),
                );
            }
            // CreateService `role`: "If your account has already created the Amazon ECS
            // service-linked role, that role is used for your service unless you specify a role
            // here." A service role only when asked for (the service's role, or the spec's).
            None if !requested || cfg.create == Some(false) => {
                let why = if cfg.create == Some(false) {
                    "roles.service.create is false: ECS uses the service-linked role AWSServiceRoleForECS, which also works here."
                } else {
                    "the service names no role: ECS uses the service-linked role AWSServiceRoleForECS (roles.service.create: true asks for a legacy one)."
                };
                self.absent_why.insert(k, (why.into(), doc::SERVICE_ROLE));
            }
            None => {
                let lb = &svc.load_balancers[0];
                let r = "service.loadBalancers[0]".to_string();
                self.grant(
                    k,
                    &rules::SERVICE_DESCRIBE,
                    vec!["*".into()],
                    Conditions::new(),
                    r.clone(),
                );
                let is_tg = |a: &str| {
                    Arn::parse(a).is_some_and(|a| {
                        a.service == "elasticloadbalancing"
                            && a.resource.starts_with("targetgroup/")
                    })
                };
                let tg_path = "service.loadBalancers[0].targetGroupArn";
                match lb
                    .target_group_arn
                    .as_deref()
                    .map(|t| self.fill(t, tg_path))
                {
                    // An unresolved placeholder: reported by fill; the role is still needed.
                    Some(None) => {}
                    Some(Some(tg)) if !is_tg(&tg) => {
                        self.error(tg_path, format!("{tg:?} is not a target group ARN"))
                            .fix = Some(
                            "use arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>"
                                .into(),
                        );
                    }
                    Some(Some(tg)) => {
                        self.grant(
                            k,
                            &rules::SERVICE_TARGETS,
                            vec![tg.into_owned()],
                            Conditions::new(),
                            r.clone(),
                        );
                    }
                    None => match lb.load_balancer_name.as_deref() {
                        Some(n) => {
                            if let Some(name) =
                                self.fill(n, "service.loadBalancers[0].loadBalancerName")
                            {
                                let res = self
                                    .arn("elasticloadbalancing", &format!("loadbalancer/{name}"));
                                self.grant(
                                    k,
                                    &rules::SERVICE_CLASSIC,
                                    vec![res],
                                    Conditions::new(),
                                    r.clone(),
                                );
                            }
                        }
                        None => {
                            self.error(
                                "service.loadBalancers[0]",
                                "a load balancer needs targetGroupArn or loadBalancerName",
                            );
                        }
                    },
                }
                self.need(k, format!("the service registers {} targets behind one load balancer with a service role, as the spec asks (without one, ECS uses AWSServiceRoleForECS)", self.network_mode));
            }
        }
    }

    // ---------------------------------------------------------------- capacity roles
    pub(super) fn capacity_roles(&mut self) {
        let cluster_arn = self.arn("ecs", &format!("cluster/{}", self.cluster));
        let instances = self.arn("ecs", &format!("container-instance/{}/*", self.cluster));
        let cluster_reason = format!("cluster {}", self.cluster);
        let cluster_given = self.spec.cluster.is_some()
            || self
                .spec
                .service
                .as_ref()
                .is_some_and(|s| s.cluster.is_some());
        if !cluster_given
            && matches!(
                self.launch,
                LaunchType::Ec2 | LaunchType::External | LaunchType::ManagedInstances
            )
        {
            self.warn(
                "cluster",
                "no cluster given: the instance roles are scoped to the cluster named \"default\"",
            )
            .fix = Some("set cluster to the cluster's name".into());
        }
        match self.launch {
            LaunchType::Ec2 | LaunchType::External => {
                let k = RoleKind::ContainerInstance;
                self.grant(
                    k,
                    &rules::AGENT_DISCOVER,
                    vec!["*".into()],
                    Conditions::new(),
                    cluster_reason.clone(),
                );
                self.grant(
                    k,
                    &rules::AGENT_CLUSTER,
                    vec![cluster_arn],
                    Conditions::new(),
                    cluster_reason.clone(),
                );
                self.grant(
                    k,
                    &rules::AGENT_INSTANCE,
                    vec![instances],
                    Conditions::new(),
                    cluster_reason,
                );
                if self.launch == LaunchType::External {
                    self.attach_aws_managed(k, rules::managed::SSM_CORE, "ECS Anywhere instances register with Systems Manager (hybrid activation) through this policy");
                    self.need_primary(k, "external instances run the ECS and SSM agents with this role (ECS Anywhere)");
                } else {
                    self.need_primary(
                        k,
                        "EC2 container instances run the ECS agent with this role",
                    );
                }
                let reason = "launch type is not MANAGED_INSTANCES".to_string();
                self.absent_why.insert(
                    RoleKind::ManagedInstancesInfrastructure,
                    (reason.clone(), doc::INFRASTRUCTURE_ROLE),
                );
                self.absent_why.insert(
                    RoleKind::ManagedInstancesNode,
                    (reason, doc::MANAGED_INSTANCES_NODE),
                );
            }
            LaunchType::ManagedInstances => {
                let n = RoleKind::ManagedInstancesNode;
                self.grant(
                    n,
                    &rules::NODE_DISCOVER,
                    vec!["*".into()],
                    Conditions::new(),
                    cluster_reason.clone(),
                );
                self.grant(
                    n,
                    &rules::NODE_CLUSTER,
                    vec![cluster_arn],
                    Conditions::new(),
                    cluster_reason.clone(),
                );
                self.grant(
                    n,
                    &rules::NODE_INSTANCE,
                    vec![instances],
                    Conditions::new(),
                    cluster_reason,
                );
                self.need_primary(n, "managed instances run the ECS agent with this role (through its instance profile)");
                self.managed_instances_infrastructure();
                self.absent_why.insert(
                    RoleKind::ContainerInstance,
                    (
                        "Managed Instances use the node role and its instance profile instead"
                            .into(),
                        doc::MANAGED_INSTANCES_NODE,
                    ),
                );
            }
            LaunchType::Fargate => {
                let reason = "Fargate runs tasks on AWS-managed capacity: there are no instances to give a role".to_string();
                self.absent_why.insert(
                    RoleKind::ContainerInstance,
                    (reason.clone(), doc::INSTANCE_ROLE),
                );
                self.absent_why.insert(
                    RoleKind::ManagedInstancesInfrastructure,
                    (
                        "launch type is not MANAGED_INSTANCES".into(),
                        doc::INFRASTRUCTURE_ROLE,
                    ),
                );
                self.absent_why.insert(
                    RoleKind::ManagedInstancesNode,
                    (
                        "launch type is not MANAGED_INSTANCES".into(),
                        doc::MANAGED_INSTANCES_NODE,
                    ),
                );
            }
        }
    }

    // ---------------------------------------------------------------- EBS volumes
    pub(super) fn volume_role(&mut self) {
        let k = RoleKind::VolumeInfrastructure;
        let td = self.td;
        let svc_vols = self
            .spec
            .service
            .as_ref()
            .map(|s| s.volume_configurations.as_slice())
            .unwrap_or(&[]);
        for (i, sv) in svc_vols.iter().enumerate() {
            let path = format!("service.volumeConfigurations[{i}]");
            let Some(ebs) = &sv.managed_ebs_volume else {
                continue;
            };
            if !td
                .volumes
                .iter()
                .any(|v| v.name == sv.name && v.configured_at_launch)
            {
                self.error(
                    format!("{path}.name"),
                    format!(
                        "no task-definition volume {:?} is configuredAtLaunch",
                        sv.name
                    ),
                )
                .fix = Some(
                    "add the volume to the task definition with configuredAtLaunch: true".into(),
                );
                continue;
            }
            if let Some(role) = &ebs.role_arn {
                self.info(
                    format!("{path}.managedEBSVolume.roleArn"),
                    format!(
                        "volume {}: ECS uses the existing infrastructure role {role}",
                        sv.name
                    ),
                );
            }
            if let Some(key) = &ebs.kms_key_id {
                let _ = self.key_arn(key, &format!("{path}.managedEBSVolume.kmsKeyId"));
            }
            self.need(
                k,
                format!(
                    "ECS creates and attaches the EBS volume {} at launch",
                    sv.name
                ),
            );
        }
        for (i, v) in td.volumes.iter().enumerate() {
            if v.configured_at_launch
                && !svc_vols
                    .iter()
                    .any(|s| s.name == v.name && s.managed_ebs_volume.is_some())
            {
                self.warn(format!("{}.volumes[{i}].configuredAtLaunch", self.td_path),
                    format!("volume {:?} is configured at launch but service.volumeConfigurations does not supply it", v.name))
                    .fix = Some("add it to service.volumeConfigurations with a managedEBSVolume (or supply it in RunTask)".into());
            }
        }
        if self.needs.contains_key(&k) {
            self.attach_aws_managed(k, rules::managed::VOLUMES, "AWS's tag-scoped policy for creating, attaching and deleting task EBS volumes (AmazonECSManaged tags)");
        } else {
            self.absent_why.insert(
                k,
                (
                    "no task volume is configured at launch with a managedEBSVolume".into(),
                    doc::EBS_VOLUMES,
                ),
            );
        }
    }

    // ---------------------------------------------------------------- KMS
    pub(super) fn kms_grants(&mut self) {
        let uses = std::mem::take(&mut self.kms);
        for u in uses {
            let via = self.via(&u.service, &u.region);
            let c = cond("StringEquals", "kms:ViaService", &[&via]);
            if u.write {
                // Reading back what was written (S3 multipart, SQS) needs Decrypt too.
                let (key, reason) = (u.key.clone(), u.reason.clone());
                self.grant(
                    u.role,
                    &rules::KMS_GENERATE_VIA,
                    vec![key],
                    c.clone(),
                    reason,
                );
                self.more_reasons(u.more_reasons.clone());
            }
            self.grant(u.role, &rules::KMS_DECRYPT_VIA, vec![u.key], c, u.reason);
            self.more_reasons(u.more_reasons);
        }
    }

    /// The infrastructure role: AWS's managed policy, plus PassRole on exactly the node role.
    pub(super) fn managed_instances_infrastructure(&mut self) {
        let k = RoleKind::ManagedInstancesInfrastructure;
        self.attach_aws_managed(k, rules::managed::MANAGED_INSTANCES_INFRA, format!(
                "AWS's tag-scoped policy for launching and retiring managed instances (checked against {}); kept managed because it changes often",
                rules::managed::MANAGED_INSTANCES_INFRA_VERSION
            ));
        let node = self.node_role_arn();
        let to_ec2 = cond(
            "StringEquals",
            "iam:PassedToService",
            &[self.principal(RoleKind::ManagedInstancesNode)],
        );
        self.grant(
            k,
            &rules::PASS_NODE_ROLE,
            vec![node.clone()],
            to_ec2,
            "the Managed Instances node role of this plan".into(),
        );
        self.grants.push(Grant {
            role: k,
            effect: Effect::Deny,
            sid: rules::DENY_OTHER_PASS_ROLE.sid,
            actions: rules::DENY_OTHER_PASS_ROLE.actions,
            why: rules::DENY_OTHER_PASS_ROLE.why,
            doc: rules::DENY_OTHER_PASS_ROLE.doc,
            resources: vec![],
            not_resources: vec![node],
            conditions: Conditions::new(),
            reason: "every role except the node role".into(),
            more_reasons: Vec::new(),
        });
        self.need(
            k,
            "ECS launches and manages the capacity provider's EC2 instances with this role",
        );
    }
}
