//! Artefacts that are not roles: cross-account ECR repository policies, KMS key-policy
//! statements, the deployer's iam:PassRole policy, the service-linked role check, SDK note.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn companions(&mut self, roles: &[PlannedRole]) -> Companions {
        let role_arn = |k: RoleKind| roles.iter().find(|r| r.kind == k).map(|r| r.arn.clone());
        let mut c = Companions {
            log_groups: std::mem::take(&mut self.log_groups),
            ..Default::default()
        };
        for (repo, (owner, kind)) in std::mem::take(&mut self.cross_account_repos) {
            let Some(principal) = role_arn(kind) else {
                continue;
            };
            c.ecr_repository_policies.push(ResourcePolicy {
                resource: repo.clone(),
                owner_account: owner.clone(),
                document: PolicyDocument::new(vec![Statement {
                    sid: "AllowPullFromWorkload".into(),
                    effect: Effect::Allow,
                    principal: Some(Principal::Aws(principal)),
                    actions: rules::ECR_PULL.actions.iter().map(|a| (*a).into()).collect(),
                    not_actions: vec![],
                    resources: vec![],
                    not_resources: vec![],
                    conditions: Conditions::new(),
                    why: "The image lives in another account: its repository policy must let this role pull.".into(),
                    reasons: vec![repo.clone()],
                    doc: doc::ECR_CROSS_ACCOUNT.into(),
                }]),
                note: format!("Account {owner} sets this repository policy (ecr set-repository-policy); the role's own policy is not enough across accounts."),
            });
        }
        // Key-policy statements for every customer key a role uses through a service.
        // (key, role) → (actions, services), kept in (key, role) order: a sorted list, not a
        // BTreeMap (each BTreeMap<K, V> brings its own tree code into the calculator's module).
        let mut keys: Vec<(KeyUser, KeyUses)> = Vec::new();
        for r in roles {
            for p in &r.inline_policies {
                for s in &p.document.statements {
                    if !s.actions.iter().any(|a| a.starts_with("kms:")) {
                        continue;
                    }
                    for key in &s.resources {
                        let k = (key.clone(), r.arn.clone());
                        let i = match keys.binary_search_by(|(x, _)| x.cmp(&k)) {
                            Ok(i) => i,
                            Err(i) => {
                                keys.insert(i, (k, Default::default()));
                                i
                            }
                        };
                        let e = &mut keys[i].1;
                        // Kept sorted as they come (no sort of its own: each element type
                        // sorted costs the calculator's module a copy of the sort).
                        for a in &s.actions {
                            if let Err(i) = e.0.binary_search(a) {
                                e.0.insert(i, a.clone());
                            }
                        }
                        if let Some(v) = s
                            .conditions
                            .get("StringEquals")
                            .and_then(|m| m.get("kms:ViaService"))
                        {
                            for x in v {
                                if !e.1.contains(x) {
                                    e.1.push(x.clone());
                                }
                            }
                        }
                    }
                }
            }
        }
        for ((key, principal), (actions, mut via)) in keys {
            if key.ends_with('*') {
                continue; // alias-matched keys: the owner knows which key the alias names
            }
            via.sort();
            let owner = Arn::parse(&key)
                .map(|a| a.account.to_string())
                .unwrap_or_default();
            let conditions = if via.is_empty() {
                Conditions::new()
            } else {
                let refs: Vec<&str> = via.iter().map(String::as_str).collect();
                cond("StringEquals", "kms:ViaService", &refs)
            };
            c.kms_key_policies.push(ResourcePolicy {
                resource: key.clone(),
                owner_account: owner,
                document: PolicyDocument::new(vec![Statement {
                    sid: "AllowEcsRolesUseOfKey".into(),
                    effect: Effect::Allow,
                    principal: Some(Principal::Aws(principal)),
                    actions,
                    not_actions: vec![],
                    resources: vec!["*".into()],
                    not_resources: vec![],
                    conditions,
                    why: "A key policy must allow the role too, unless it delegates to IAM in the role's own account (always needed across accounts).".into(),
                    reasons: vec![],
                    doc: doc::KMS_VIA_SERVICE.into(),
                }]),
                note: "Add this statement to the key policy (in a key policy, Resource \"*\" means this key).".into(),
            });
        }
        // EBS customer keys: ECS's infrastructure role needs grants on them.
        if let (Some(infra), Some(svc)) =
            (role_arn(RoleKind::VolumeInfrastructure), &self.spec.service)
        {
            for v in &svc.volume_configurations {
                let Some(key) = v
                    .managed_ebs_volume
                    .as_ref()
                    .and_then(|e| e.kms_key_id.as_ref())
                else {
                    continue;
                };
                let Some(a) = Arn::parse(key) else { continue };
                let via = self.via("ec2", a.region);
                c.kms_key_policies.push(ResourcePolicy {
                    resource: key.clone(),
                    owner_account: a.account.to_string(),
                    document: PolicyDocument::new(vec![Statement {
                        sid: rules::EBS_KEY_POLICY.sid.into(),
                        effect: Effect::Allow,
                        principal: Some(Principal::Aws(infra.clone())),
                        actions: rules::EBS_KEY_POLICY.actions.iter().map(|a| (*a).into()).collect(),
                        not_actions: vec![],
                        resources: vec!["*".into()],
                        not_resources: vec![],
                        conditions: cond("StringEquals", "kms:ViaService", &[&via]),
                        why: format!("ECS encrypts the task's EBS volume {} with this customer managed key.", v.name).into(),
                        reasons: vec![],
                        doc: doc::EBS_KMS.into(),
                    }]),
                    note: "Add this statement to the key policy so ECS can create the encrypted volume.".into(),
                });
            }
        }
        c.kms_key_policies.extend(self.fargate_storage_key());
        c.exec_caller_policy = self.exec_caller_policy(roles);
        // iam:PassRole for the deployer.
        // A role is passed to the service that assumes it (iam:PassedToService): one statement
        // per principal, in principal order.
        let passed: Vec<&PlannedRole> = roles
            .iter()
            .filter(|r| r.provisioning != Provisioning::ServiceLinked && !r.arn.is_empty())
            .collect();
        // Kept sorted as they come (a handful): no sort routine for one short list.
        let mut principals: Vec<&'static str> = Vec::new();
        for r in &passed {
            let p = self.principal(r.kind);
            if let Err(i) = principals.binary_search(&p) {
                principals.insert(i, p);
            }
        }
        let by_service: Vec<(&'static str, Vec<String>)> = principals
            .into_iter()
            .map(|svc| {
                let arns = passed
                    .iter()
                    .filter(|r| self.principal(r.kind) == svc)
                    .map(|r| r.arn.clone())
                    .collect();
                (svc, arns)
            })
            .collect();
        if !by_service.is_empty() {
            let statements = by_service
                .into_iter()
                .map(|(svc, mut arns)| {
                    arns.sort();
                    let sid: String = format!("PassRoleTo{svc}").chars().filter(|c| c.is_ascii_alphanumeric()).collect();
                    Statement {
                        sid: sid.into(),
                        effect: Effect::Allow,
                        principal: None,
                        actions: vec!["iam:PassRole".into()],
                        not_actions: vec![],
                        resources: arns,
                        not_resources: vec![],
                        conditions: cond("StringEquals", "iam:PassedToService", &[svc]),
                        why: format!("Whoever registers the task definition, creates the service or capacity provider passes these roles to {svc}, and only there.").into(),
                        reasons: vec![],
                        doc: doc::PASS_ROLE.into(),
                    }
                })
                .collect();
            c.pass_role_policy = Some(PolicyDocument::new(statements));
        }
        c.service_linked_role = ServiceLinkedRoleCheck {
            role_name: rules::SERVICE_LINKED_ROLE_NAME.into(),
            check_command: cat!("aws iam get-role --role-name ", rules::SERVICE_LINKED_ROLE_NAME),
            create_command: "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com".into(),
            why: "ECS needs it once per account for awsvpc ENIs, load balancers, service discovery and capacity; creating it twice fails harmlessly with InvalidInput.".into(),
        };
        if roles.iter().any(|r| r.kind == RoleKind::AutoScaling) {
            let arn = self.role_arn(
                Some(rules::AUTO_SCALING_SLR_NAME),
                None,
                rules::AUTO_SCALING_SLR_PATH,
            );
            c.auto_scaling_service_linked_role = Some(ServiceLinkedRoleCheck {
                role_name: rules::AUTO_SCALING_SLR_NAME.into(),
                check_command: cat!("aws iam get-role --role-name ", rules::AUTO_SCALING_SLR_NAME),
                create_command: cat!(
                    "aws iam create-service-linked-role --aws-service-name ",
                    rules::AUTO_SCALING_PRINCIPAL
                ),
                // AWS's page shows the condition for Spot Fleet's role only; ECS's is the same
                // shape with its own service name (said, since AWS does not spell it out).
                why: cat!(
                    "Application Auto Scaling creates it on the account's first RegisterScalableTarget for ECS: whoever makes that call needs iam:CreateServiceLinkedRole on ",
                    arn,
                    " with iam:AWSServiceName ",
                    rules::AUTO_SCALING_PRINCIPAL,
                    " (AWS's example shape, given for Spot Fleet), or create it once ahead."
                ),
            });
        }
        c.sdk_credentials = match (role_arn(RoleKind::Task), self.launch) {
            (Some(arn), _) => format!("The application's AWS SDK gets the task role {arn} from the ECS container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI). The execution role is never visible to it."),
            (None, LaunchType::Ec2) => "No task role: the SDK falls through to the EC2 instance role via the instance metadata service, so the app would act with the container-instance role. Block IMDS from tasks (ECS_AWSVPC_BLOCK_IMDS, hop limit 1) or add a task role.".into(),
            (None, LaunchType::External) => "No task role: the SDK may fall through to the host's Systems Manager credentials. Add a task role if the app calls AWS.".into(),
            (None, _) => "No task role: the SDK finds no credentials, which is right for an application that makes no AWS calls.".into(),
        };
        c
    }
}

/// A customer key and a role that uses it (key ARN, role ARN).
type KeyUser = (String, String);
/// What the role does with the key: its kms actions and the services it goes through.
type KeyUses = (Vec<Text>, Vec<String>);

impl<'a> Planner<'a> {
    /// The key policy a customer key for Fargate ephemeral storage needs (CreateCluster
    /// `managedStorageConfiguration.fargateEphemeralStorageKmsKeyId`; doc::FARGATE_STORAGE_KEY):
    /// fargate.amazonaws.com may make data keys and Decrypt-only grants for this cluster. What
    /// the page rules out (aliases, multi-Region keys, Windows tasks) is an error at the field.
    fn fargate_storage_key(&mut self) -> Option<ResourcePolicy> {
        let storage = &self
            .spec
            .cluster_configuration
            .as_ref()?
            .managed_storage_configuration;
        let path = "clusterConfiguration.managedStorageConfiguration";
        if storage.contains_key("kmsKeyId") {
            self.warn(cat!(path, ".kmsKeyId"), "the cluster's key for ECS managed storage (EBS volumes) is not planned: the EBS infrastructure role's use of it and its key policy are not in this plan");
        }
        if let Some(k) = storage
            .keys()
            .find(|k| !["fargateEphemeralStorageKmsKeyId", "kmsKeyId"].contains(&k.as_str()))
        {
            let k = k.clone();
            self.error(cat!(path, ".", k), cat!(k, " is not a member of AWS's ManagedStorageConfiguration (fargateEphemeralStorageKmsKeyId, kmsKeyId)"));
        }
        let key = storage.get("fargateEphemeralStorageKmsKeyId")?.as_str()?;
        let path = cat!(path, ".fargateEphemeralStorageKmsKeyId");
        if self.launch != LaunchType::Fargate {
            self.info(&path, cat!("the cluster encrypts Fargate tasks' ephemeral storage with this key; this workload runs on ", self.launch.as_str(), ": no key policy for it here"));
            return None;
        }
        let windows = self.windows_task();
        let refusal = if key.contains("alias/") {
            Some("KMS key aliases are not supported for Fargate ephemeral storage")
        } else if key
            .rsplit('/')
            .next()
            .is_some_and(|id| id.starts_with("mrk-"))
        {
            Some("multi-Region keys are not supported for Fargate ephemeral storage")
        } else if windows {
            Some("Fargate ephemeral storage encryption with a customer managed key is not available for Windows tasks")
        } else {
            None
        };
        if let Some(why) = refusal {
            self.error(&path, cat!(why, " (", key, ")")).doc =
                Some(doc::FARGATE_STORAGE_KEY.into());
            return None;
        }
        let arn = if key.trim().starts_with("arn:") {
            self.required_arn(key, &path, "kms", &["key/"])?
        } else {
            // A key id, as CloudFormation's Ref of an AWS::KMS::Key gives it.
            let id = self.fill(key, &path)?;
            self.arn("kms", &cat!("key/", id))
        };
        let owner = Arn::parse(&arn)
            .map(|a| a.account.to_string())
            .unwrap_or_default();
        let mut context = cond(
            "StringEquals",
            "kms:EncryptionContext:aws:ecs:clusterAccount",
            &[&self.account],
        );
        add_cond(
            &mut context,
            "StringEquals",
            "kms:EncryptionContext:aws:ecs:clusterName",
            &[&self.cluster],
        );
        let mut grant = context.clone();
        add_cond(
            &mut grant,
            "ForAllValues:StringEquals",
            "kms:GrantOperations",
            &["Decrypt"],
        );
        let fargate = Principal::Service("fargate.amazonaws.com".into());
        Some(ResourcePolicy {
            resource: arn,
            owner_account: owner,
            document: PolicyDocument::new(vec![
                rule_statement(&rules::FARGATE_STORAGE_DATA_KEY, Some(fargate.clone()), vec!["*".into()], context, vec![path.clone()]),
                rule_statement(&rules::FARGATE_STORAGE_GRANT, Some(fargate), vec!["*".into()], grant, vec![path.clone()]),
            ]),
            note: cat!("Add these statements to the key policy: Fargate encrypts the ephemeral storage of cluster ", self.cluster, "'s tasks with this key. Whoever runs CreateCluster/UpdateCluster with it also needs kms:DescribeKey on it."),
        })
    }
}

impl<'a> Planner<'a> {
    /// The policy of whoever runs `aws ecs execute-command` on this workload's tasks (ECS Exec
    /// on: the task role has EcsExecSsmMessages), with the cluster's exec key when it has one.
    fn exec_caller_policy(&self, roles: &[PlannedRole]) -> Option<PolicyDocument> {
        let task = roles.iter().find(|r| r.kind == RoleKind::Task)?;
        // Plain loops: iterator adapters here cost the calculator's module ~1 KB.
        let (mut on, mut key) = (false, Vec::new());
        for p in &task.inline_policies {
            for s in &p.document.statements {
                on |= s.sid == rules::EXEC_CHANNELS.sid;
                if s.sid == rules::EXEC_KMS.sid {
                    key.extend(s.resources.iter().cloned());
                }
            }
        }
        if !on {
            return None;
        }
        let tasks = vec![
            self.arn("ecs", &cat!("cluster/", self.cluster)),
            self.arn("ecs", &cat!("task/", self.cluster, "/*")),
        ];
        let mut out = vec![rule_statement(
            &rules::EXEC_CALLER,
            None,
            tasks,
            Conditions::new(),
            vec![],
        )];
        if !key.is_empty() {
            out.push(rule_statement(
                &rules::EXEC_CALLER_KMS,
                None,
                key,
                Conditions::new(),
                vec![],
            ));
        }
        Some(PolicyDocument::new(out))
    }
}

/// A companion's statement made from a rule (its Sid, actions, why and page).
fn rule_statement(
    rule: &Rule,
    principal: Option<Principal>,
    resources: Vec<String>,
    conditions: Conditions,
    reasons: Vec<String>,
) -> Statement {
    Statement {
        sid: rule.sid.into(),
        effect: Effect::Allow,
        principal,
        actions: rule.actions.iter().map(|a| (*a).into()).collect(),
        not_actions: vec![],
        resources,
        not_resources: vec![],
        conditions,
        why: rule.why.into(),
        reasons,
        doc: rule.doc.into(),
    }
}
