//! Rules of `plan/execution.rs`: what the task execution role (or, on EC2 without one, the container instance role) needs before the task starts.

use super::*;

// ---- ECR (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html) -------------

#[test]
fn ecr_image_grants_pull_on_exact_repository_and_token_on_star_only() {
    let p = plan_doc(&fargate(ECR, ""));
    let repo = "arn:aws:ecr:us-east-1:111122223333:repository/team/app";
    let pull = stmt(&p, TaskExecution, "EcrPullImages");
    assert_eq!(pull.resources, vec![repo]);
    assert_eq!(
        pull.actions,
        vec![
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage"
        ]
    );
    let auth = stmt(&p, TaskExecution, "EcrAuthorizationToken");
    assert_eq!(auth.actions, vec!["ecr:GetAuthorizationToken"]);
    assert_eq!(auth.resources, vec!["*"]);
}

#[test]
fn cross_account_ecr_needs_a_repository_policy_in_the_owning_account() {
    let c = "    - {name: app, image: 222233334444.dkr.ecr.eu-west-1.amazonaws.com/shared/app:2}";
    let p = plan_doc(&fargate(c, ""));
    assert!(allows(
        &p,
        TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws:ecr:eu-west-1:222233334444:repository/shared/app"
    ));
    let rp = &p.companions.ecr_repository_policies;
    assert_eq!(rp.len(), 1);
    assert_eq!(rp[0].owner_account, "222233334444");
    let s = &rp[0].document.statements[0];
    assert_eq!(
        s.principal,
        Some(Principal::Aws(role(&p, TaskExecution).arn.clone()))
    );
}

#[test]
fn non_ecr_images_need_no_ecr_actions_and_no_execution_role() {
    let c = "    - {name: a, image: nginx:1.27}\n    - {name: b, image: public.ecr.aws/xray/aws-xray-daemon:3}\n    - {name: c, image: ghcr.io/o/r:1}";
    let p = plan_doc(&fargate(c, ""));
    assert!(p.role(TaskExecution).is_none());
    assert!(absent_why(&p, TaskExecution).contains("no private ECR image"));
}

// ---- Private registry auth (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html)

#[test]
fn repository_credentials_grant_get_secret_value_on_that_secret_with_kms() {
    let secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:hub-AbCdEf";
    let c = format!("    - name: a\n      image: docker.io/acme/app:1\n      repositoryCredentials: {{credentialsParameter: \"{secret}\"}}");
    let p = plan_doc(&fargate(
        &c,
        &format!("keys:\n  - {{for: \"{secret}\", key: \"{KEY}\"}}"),
    ));
    assert_eq!(
        stmt(&p, TaskExecution, "PrivateRegistryCredentials").resources,
        vec![secret]
    );
    let kms = stmt(&p, TaskExecution, "KmsDecrypt");
    assert_eq!(kms.resources, vec![KEY]);
    assert_eq!(
        kms.conditions["StringEquals"]["kms:ViaService"],
        vec!["secretsmanager.us-east-1.amazonaws.com"]
    );
}

// ---- Secrets (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html)

#[test]
fn secret_json_key_stage_and_version_suffixes_are_stripped() {
    let base = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf";
    let c = format!("    - name: a\n      image: nginx\n      secrets:\n        - {{name: A, valueFrom: \"{base}:password::\"}}\n        - {{name: B, valueFrom: \"{base}:user:AWSCURRENT:\"}}\n        - {{name: C, valueFrom: \"{base}\"}}");
    let p = plan_doc(&fargate(&c, ""));
    assert_eq!(
        stmt(&p, TaskExecution, "SecretsManagerGetSecretValue").resources,
        vec![base]
    );
}

#[test]
fn secret_without_random_suffix_is_matched_with_wildcard_and_warned() {
    let c = "    - name: a\n      image: nginx\n      secrets: [{name: A, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:db\"}]";
    let p = plan_doc(&fargate(c, ""));
    assert_eq!(
        stmt(&p, TaskExecution, "SecretsManagerGetSecretValue").resources,
        vec!["arn:aws:secretsmanager:us-east-1:111122223333:secret:db-??????"]
    );
    assert!(warnings(&p).iter().any(|w| w.contains("random suffix")));
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
#[test]
fn ssm_parameter_names_become_arns_in_the_task_region_and_arns_are_kept() {
    let c = "    - name: a\n      image: nginx\n      secrets:\n        - {name: A, valueFrom: /prod/db/url}\n        - {name: B, valueFrom: plain}\n        - {name: C, valueFrom: \"arn:aws:ssm:eu-west-1:111122223333:parameter/other\"}";
    let p = plan_doc(&fargate(c, ""));
    let s = stmt(&p, TaskExecution, "SsmGetParameters");
    assert_eq!(s.actions, vec!["ssm:GetParameters"]);
    assert_eq!(
        s.resources,
        vec![
            "arn:aws:ssm:eu-west-1:111122223333:parameter/other",
            "arn:aws:ssm:us-east-1:111122223333:parameter/plain",
            "arn:aws:ssm:us-east-1:111122223333:parameter/prod/db/url",
        ]
    );
}

// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
#[test]
fn customer_keys_are_scoped_with_via_service_per_service_and_get_a_key_policy_snippet() {
    let c = "    - name: a\n      image: nginx\n      secrets:\n        - {name: A, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf\"}\n        - {name: B, valueFrom: /prod/x}";
    let keys = format!("keys:\n  - {{for: \"arn:aws:secretsmanager:*\", key: \"{KEY}\"}}\n  - {{for: \"arn:aws:ssm:*:*:parameter/prod/*\", key: \"{KEY}\"}}");
    let p = plan_doc(&fargate(c, &keys));
    let kms: Vec<_> = statements(role(&p, TaskExecution))
        .into_iter()
        .filter(|s| s.actions == vec!["kms:Decrypt"])
        .collect();
    let via: Vec<&str> = kms
        .iter()
        .map(|s| s.conditions["StringEquals"]["kms:ViaService"][0].as_str())
        .collect();
    assert_eq!(
        via,
        vec![
            "secretsmanager.us-east-1.amazonaws.com",
            "ssm.us-east-1.amazonaws.com"
        ]
    );
    let kp = &p.companions.kms_key_policies;
    assert_eq!(kp.len(), 1);
    assert_eq!(
        kp[0].document.statements[0].conditions["StringEquals"]["kms:ViaService"].len(),
        2
    );
}

#[test]
fn kms_aliases_are_refused_with_a_fix() {
    let p = plan_doc(&fargate(
        ECR,
        "app:\n  access:\n    - kms: {key: alias/x, access: decrypt}",
    ));
    assert!(has_error_at(&p, "app.access[0].kms.key"));
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-logconfig.html
#[test]
fn log_driver_secret_options_need_the_execution_role() {
    let c = "    - name: a\n      image: nginx\n      logConfiguration:\n        logDriver: splunk\n        secretOptions: [{name: splunk-token, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:splunk-AbCdEf\"}]";
    let p = plan_doc(&with_launch("EC2", "bridge", c, ""));
    assert!(allows(
        &p,
        TaskExecution,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:splunk-AbCdEf"
    ));
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/use-environment-file.html
#[test]
fn environment_files_grant_get_object_and_bucket_location() {
    let c = "    - name: a\n      image: nginx\n      environmentFiles: [{value: \"arn:aws:s3:::cfg/app/prod.env\", type: s3}]";
    let p = plan_doc(&fargate(c, ""));
    assert!(allows(
        &p,
        TaskExecution,
        "s3:GetObject",
        "arn:aws:s3:::cfg/app/prod.env"
    ));
    assert!(allows(
        &p,
        TaskExecution,
        "s3:GetBucketLocation",
        "arn:aws:s3:::cfg"
    ));
    let bad = plan_doc(&fargate(&c.replace("type: s3", "type: http"), ""));
    assert!(has_error_at(
        &bad,
        "taskDefinition.containerDefinitions[0].environmentFiles[0].type"
    ));
    let bad = plan_doc(&fargate(
        &c.replace("arn:aws:s3:::cfg/app/prod.env", "s3://cfg/prod.env"),
        "",
    ));
    assert!(has_error_at(
        &bad,
        "taskDefinition.containerDefinitions[0].environmentFiles[0].value"
    ));
}

// ---- awslogs (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html) ---

#[test]
fn awslogs_writes_to_the_exact_log_group_and_creates_it_only_when_asked() {
    let p = plan_doc(&fargate(AWSLOGS, ""));
    let group = "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/w:*";
    assert_eq!(
        stmt(&p, TaskExecution, "AwslogsWriteLogs").resources,
        vec![group]
    );
    assert!(!has_stmt(&p, TaskExecution, "AwslogsCreateLogGroup"));
    assert!(!p.companions.log_groups[0].created_by_ecs);
    let create = plan_doc(&fargate(
        &AWSLOGS.replace(
            "awslogs-group: /ecs/w",
            "awslogs-group: /ecs/w, awslogs-create-group: true, awslogs-region: eu-west-1",
        ),
        "",
    ));
    assert_eq!(
        stmt(&create, TaskExecution, "AwslogsCreateLogGroup").resources,
        vec!["arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/w:*"]
    );
    let missing = plan_doc(&fargate(
        &AWSLOGS.replace("awslogs-group: /ecs/w", "awslogs-region: us-east-1"),
        "",
    ));
    assert!(has_error_at(
        &missing,
        "taskDefinition.containerDefinitions[0].logConfiguration.options.awslogs-group"
    ));
}

// ---- FireLens (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html)

const ROUTER_S3: &str = "    - name: router\n      image: public.ecr.aws/aws-observability/aws-for-fluent-bit:stable\n      firelensConfiguration: {type: fluentbit, options: {config-file-type: s3, config-file-value: \"arn:aws:s3:::cfg/fb.conf\"}}";

#[test]
fn firelens_config_from_s3_uses_the_execution_role_on_ec2_and_is_rejected_on_fargate() {
    let ec2 = plan_doc(&with_launch("EC2", "bridge", ROUTER_S3, ""));
    assert!(allows(
        &ec2,
        TaskExecution,
        "s3:GetObject",
        "arn:aws:s3:::cfg/fb.conf"
    ));
    assert!(allows(
        &ec2,
        TaskExecution,
        "s3:GetBucketLocation",
        "arn:aws:s3:::cfg"
    ));
    let fargate = plan_doc(&fargate(ROUTER_S3, ""));
    assert!(has_error_at(
        &fargate,
        "taskDefinition.containerDefinitions[0].firelensConfiguration.options.config-file-type"
    ));
}

// ---- Launch-type placement (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html)

#[test]
fn on_ec2_without_execution_role_the_instance_role_pulls_and_logs() {
    let c = "    - name: app\n      image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app:1\n      logConfiguration: {logDriver: awslogs, options: {awslogs-group: /ecs/w}}";
    let p = plan_doc(&with_launch("EC2", "bridge", c, ""));
    assert!(p.role(TaskExecution).is_none());
    assert!(absent_why(&p, TaskExecution).contains("container instance role"));
    assert!(
        has_stmt(&p, ContainerInstance, "EcrPullImages")
            && has_stmt(&p, ContainerInstance, "AwslogsWriteLogs")
    );
}

#[test]
fn on_ec2_with_an_execution_role_the_execution_role_pulls_and_logs() {
    let c = "    - name: app\n      image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app:1\n      logConfiguration: {logDriver: awslogs, options: {awslogs-group: /ecs/w}}";
    let spec = with_launch("EC2", "bridge", c, "").replace(
        "  family: w\n",
        "  family: w\n  executionRoleArn: arn:aws:iam::111122223333:role/ops/w-exec\n",
    );
    let p = plan_doc(&spec);
    let x = role(&p, TaskExecution);
    assert_eq!(
        (x.name.as_deref(), x.path.as_str()),
        (Some("w-exec"), "/ops/"),
        "named after the task definition's ARN"
    );
    assert!(
        has_stmt(&p, TaskExecution, "EcrPullImages")
            && has_stmt(&p, TaskExecution, "AwslogsWriteLogs")
    );
    assert!(!has_stmt(&p, ContainerInstance, "EcrPullImages"));
}

// The agent ships awslogs output with the execution role only while
// ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE is true (the ECS-optimized AMI's ecs-init sets it;
// the agent's default is false): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html
#[test]
fn on_ec2_the_agents_awslogs_override_decides_which_role_ships_logs() {
    let c = "    - name: app\n      image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app:1\n      logConfiguration: {logDriver: awslogs, options: {awslogs-group: /ecs/w}}";
    let spec = |setting: &str| {
        with_launch("EC2", "bridge", c, setting).replace(
            "  family: w\n",
            "  family: w\n  executionRoleArn: arn:aws:iam::111122223333:role/w-exec\n",
        )
    };
    // Unset or true: the execution role (what the ECS-optimized AMI does).
    for setting in [
        "",
        "agentConfig: {ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: \"true\"}",
    ] {
        let p = plan_doc(&spec(setting));
        assert!(has_stmt(&p, TaskExecution, "AwslogsWriteLogs"), "{setting}");
        assert!(
            !has_stmt(&p, ContainerInstance, "AwslogsWriteLogs"),
            "{setting}"
        );
    }
    // false: the instance role writes the logs; the execution role still pulls.
    let p = plan_doc(&spec(
        "agentConfig: {ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: false}",
    ));
    assert!(permits(
        &p,
        ContainerInstance,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/w:log-stream:x"
    ));
    assert!(!has_stmt(&p, TaskExecution, "AwslogsWriteLogs"));
    assert!(has_stmt(&p, TaskExecution, "EcrPullImages"));
    assert!(role(&p, ContainerInstance)
        .why
        .iter()
        .any(|w| w.contains("ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE is false")));
    // Only EC2 has the setting's effect; a value the agent cannot read is said.
    let f = plan_doc(&with_launch(
        "FARGATE",
        "awsvpc",
        c,
        "agentConfig: {ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: false}",
    ));
    assert!(has_stmt(&f, TaskExecution, "AwslogsWriteLogs"));
    let bad = plan_doc(&spec(
        "agentConfig: {ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: maybe}",
    ));
    assert!(
        warnings(&bad)
            .iter()
            .any(|w| w.contains("not a boolean the agent reads")),
        "{:?}",
        warnings(&bad)
    );
    let w = bad
        .findings
        .iter()
        .find(|f| f.path == "agentConfig.ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE")
        .expect("the warning is at the field");
    assert_eq!(
        w.doc.as_deref(),
        Some("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html")
    );
    // The agent takes what it cannot parse as false (Go's strconv.ParseBool; "0"/"F" parse).
    assert!(!has_stmt(&bad, TaskExecution, "AwslogsWriteLogs"));
    for off in ["0", "F"] {
        let p = plan_doc(&spec(&format!(
            "agentConfig: {{ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: \"{off}\"}}"
        )));
        assert!(has_stmt(&p, ContainerInstance, "AwslogsWriteLogs"), "{off}");
    }
}

#[test]
fn fargate_external_and_managed_instances_pull_with_the_execution_role() {
    for (launch, mode) in [
        ("FARGATE", "awsvpc"),
        ("EXTERNAL", "bridge"),
        ("MANAGED_INSTANCES", "awsvpc"),
    ] {
        let p = plan_doc(&with_launch(launch, mode, ECR, ""));
        assert!(has_stmt(&p, TaskExecution, "EcrPullImages"), "{launch}");
        assert!(
            !has_stmt(&p, ContainerInstance, "EcrPullImages"),
            "{launch}"
        );
    }
}

// https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html: the role
// that pulls an image through a cache rule imports it on the first pull.
#[test]
fn pull_through_cache_images_import_on_first_pull_by_the_pulling_role() {
    let c = "    - {name: app, image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:1.27}";
    let repo = "arn:aws:ecr:us-east-1:111122223333:repository/docker-hub/library/nginx";
    let rules = "pullThroughCacheRules:\n  - {ecrRepositoryPrefix: docker-hub, upstreamRegistryUrl: registry-1.docker.io}\n";
    let p = plan_doc(&fargate(c, rules));
    for action in [
        "ecr:BatchImportUpstreamImage",
        "ecr:CreateRepository",
        "ecr:BatchGetImage",
    ] {
        assert!(allows(&p, TaskExecution, action, repo), "{action}");
    }
    assert!(!allows(
        &p,
        TaskExecution,
        "ecr:CreateRepository",
        "arn:aws:ecr:us-east-1:111122223333:repository/docker-hub/*"
    ));
    // On EC2 without an execution role the instance pulls, so the instance role imports.
    let ec2 = plan_doc(&with_launch("EC2", "bridge", c, rules));
    assert!(allows(
        &ec2,
        ContainerInstance,
        "ecr:BatchImportUpstreamImage",
        repo
    ));
    // A prefix that only starts the same ("docker-hubx") is another rule's; no rules at all
    // under a usual prefix: a hint, no grant.
    let other = plan_doc(&fargate(
        c,
        "pullThroughCacheRules: [{ecrRepositoryPrefix: docker-hu}]\n",
    ));
    assert!(!allows(
        &other,
        TaskExecution,
        "ecr:BatchImportUpstreamImage",
        repo
    ));
    let hinted = plan_doc(&fargate(c, ""));
    assert!(!allows(
        &hinted,
        TaskExecution,
        "ecr:BatchImportUpstreamImage",
        repo
    ));
    assert!(hinted
        .findings
        .iter()
        .any(|f| f.message.contains("looks like a pull through cache")));
}

// ---- GuardDuty Runtime Monitoring (https://docs.aws.amazon.com/guardduty/latest/ug/prereq-runtime-monitoring-ecs-support.html)

/// A real task definition with no reason for an execution role
/// (tests/realworld/aws-actions-ebs-configured-at-launch: Docker Hub image, no logging): with
/// GuardDuty's automated agent on, each task gets the agent sidecar and now needs one, to pull
/// exactly GuardDuty's repository in the task's Region.
#[test]
fn guard_duty_runtime_monitoring_needs_an_execution_role_that_pulls_only_its_agent() {
    let text = std::fs::read_to_string(repo_root().join(
        "tests/realworld/aws-actions-ebs-configured-at-launch/task-definition-volume-configuration.json",
    ))
    .unwrap();
    let (mut spec, _) = ecsroles_core::parse_document(&text).unwrap();
    spec.region = Some("eu-west-1".into());
    spec.account = Some("111122223333".into());
    assert!(
        ecsroles_core::plan(&spec).role(TaskExecution).is_none(),
        "none without it"
    );
    spec.guard_duty_runtime_monitoring = true;
    let p = ecsroles_core::plan(&spec);
    let x = role(&p, TaskExecution);
    assert!(x.why.iter().any(|w| w.contains("GuardDuty")), "{:?}", x.why);
    let agent = "arn:aws:ecr:eu-west-1:694911143906:repository/aws-guardduty-agent-fargate";
    for a in [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
    ] {
        assert!(allows(&p, TaskExecution, a, agent), "{a}");
    }
    assert!(allows(&p, TaskExecution, "ecr:GetAuthorizationToken", "*"));
    // Only GuardDuty's repository, and only this Region's.
    for other in [
        "arn:aws:ecr:eu-west-1:694911143906:repository/anything-else",
        "arn:aws:ecr:us-east-1:593207742271:repository/aws-guardduty-agent-fargate",
        "arn:aws:ecr:eu-west-1:111122223333:repository/aws-guardduty-agent-fargate",
    ] {
        assert!(
            !allows(&p, TaskExecution, "ecr:BatchGetImage", other),
            "{other}"
        );
    }
    // A Region GuardDuty documents no repository for: said, nothing guessed.
    spec.region = Some("ap-southeast-6".into());
    let p = ecsroles_core::plan(&spec);
    assert!(p.role(TaskExecution).is_none());
    assert!(p
        .findings
        .iter()
        .any(|f| f.path == "guardDutyRuntimeMonitoring"
            && f.message
                .contains("no agent repository for region ap-southeast-6")));
    // Windows Fargate is not supported: nothing planned, said.
    spec.task_definition.runtime_platform =
        serde_json::from_str(r#"{"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"}"#).ok();
    let p = ecsroles_core::plan(&spec);
    assert!(p.role(TaskExecution).is_none());
    assert!(p
        .findings
        .iter()
        .any(|f| f.path == "guardDutyRuntimeMonitoring" && f.message.contains("Windows")));
    spec.task_definition.runtime_platform = None;
    // On EC2 the agent runs on the host: nothing for the task's roles.
    spec.region = Some("eu-west-1".into());
    spec.launch_type = Some(ecsroles_core::LaunchType::Ec2);
    let p = ecsroles_core::plan(&spec);
    assert!(!p
        .roles
        .iter()
        .flat_map(|r| &r.inline_policies)
        .flat_map(|i| &i.document.statements)
        .any(|s| s.sid == "GuardDutyAgentPull"));
    assert!(p
        .findings
        .iter()
        .any(|f| f.path == "guardDutyRuntimeMonitoring"
            && f.message.contains("on the container instance")));
}

// ---- gMSA (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/linux-gmsa.html,
// fargate-linux-gmsa.html, windows-gmsa.html) ------------------------------------------------

/// A Fargate container with one domainless CredSpec in S3, and the spec's `credentialSpecs`.
fn domainless(credspecs: &str) -> ecsroles_core::model::RolePlan {
    let c = "    - name: api\n      image: nginx\n      credentialSpecs: [\"credentialspecdomainless:arn:aws:s3:::cs/api.json\"]";
    plan_doc(&fargate(c, credspecs))
}

#[test]
fn gmsa_credspec_in_s3_is_read_by_the_execution_role_exactly() {
    let p = domainless("");
    assert_eq!(
        stmt(&p, TaskExecution, "GmsaCredSpecGetObject").resources,
        vec!["arn:aws:s3:::cs/api.json"]
    );
    assert_eq!(
        stmt(&p, TaskExecution, "GmsaCredSpecGetBucketLocation").resources,
        vec!["arn:aws:s3:::cs"]
    );
    assert!(!has_stmt(&p, Task, "GmsaCredSpecGetObject"));
}

#[test]
fn domainless_gmsa_without_its_credspec_warns_and_names_the_field_that_fills_it() {
    let p = domainless("");
    let f = p
        .findings
        .iter()
        .find(|f| f.message.contains("domain user's secret"))
        .expect("the domain user is reported");
    assert_eq!(
        f.path,
        "taskDefinition.containerDefinitions[0].credentialSpecs[0]"
    );
    assert!(f
        .fix
        .as_deref()
        .unwrap_or_default()
        .contains("credentialSpecs[\"arn:aws:s3:::cs/api.json\"]"));
    assert!(!statements(role(&p, TaskExecution))
        .iter()
        .any(|s| s.actions.iter().any(|a| a.starts_with("secretsmanager:"))));
}

#[test]
fn domainless_gmsa_reads_exactly_the_secret_its_linux_credspec_names_with_its_key() {
    // The Linux shape (linux-gmsa.html): PluginInput is an object with CredentialArn.
    let secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:ad/user-AbCdEf";
    let extra = format!("credentialSpecs:\n  \"arn:aws:s3:::cs/api.json\":\n    ActiveDirectoryConfig:\n      HostAccountConfig: {{PortableCcgVersion: \"1\", PluginInput: {{CredentialArn: \"{secret}\"}}}}\nkeys:\n  - {{for: \"{secret}\", key: \"{KEY}\"}}");
    let p = domainless(&extra);
    assert_eq!(
        stmt(&p, TaskExecution, "GmsaDomainUserSecret").resources,
        vec![secret]
    );
    assert!(!allows(&p, Task, "secretsmanager:GetSecretValue", secret));
    assert!(
        !warnings(&p)
            .iter()
            .any(|w| w.contains("domain user's secret")),
        "{:?}",
        warnings(&p)
    );
    // The customer managed key on it: decrypt through Secrets Manager only.
    let kms = statements(role(&p, TaskExecution))
        .into_iter()
        .find(|s| s.actions == vec!["kms:Decrypt"])
        .expect("kms:Decrypt for the secret's key");
    assert_eq!(kms.resources, vec![KEY]);
    assert_eq!(
        kms.conditions["StringEquals"]["kms:ViaService"],
        vec!["secretsmanager.us-east-1.amazonaws.com"]
    );
}

#[test]
fn domainless_gmsa_reads_the_parameter_a_windows_credspec_names_in_its_json_string() {
    // The Windows shape (windows-gmsa.html), as the ECS agent's own test writes it
    // (credentialspec_windows_test.go "PluginInputCorrect2"): PluginInput is a JSON string
    // with credentialArn, here an SSM parameter ("ssm:GetParameter", tutorial-gmsa-windows.html).
    let c = "    - name: iis\n      image: mcr.microsoft.com/windows/servercore/iis\n      memory: 512\n      credentialSpecs: [\"credentialspecdomainless:file://C:\\\\ProgramData\\\\Docker\\\\CredentialSpecs\\\\iis.json\"]";
    let extra = "credentialSpecs:\n  'file://C:\\ProgramData\\Docker\\CredentialSpecs\\iis.json': {ActiveDirectoryConfig: {HostAccountConfig: {PluginInput: '{\"credentialArn\": \"arn:aws:ssm:us-west-2:632418168714:parameter/gmsa-plugin-input\"}'}}}";
    let windows = |extra: &str| {
        plan_doc(&with_launch("EC2", "default", c, extra).replace(
            "  family: w\n",
            "  family: w\n  runtimePlatform: {operatingSystemFamily: WINDOWS_SERVER_2022_CORE}\n",
        ))
    };
    let p = windows(extra);
    assert_eq!(
        stmt(&p, TaskExecution, "GmsaDomainUserParameter").resources,
        vec!["arn:aws:ssm:us-west-2:632418168714:parameter/gmsa-plugin-input"]
    );
    assert!(role(&p, TaskExecution)
        .why
        .iter()
        .any(|w| w.contains("domainless gMSA")));
    // A CredSpec on the instance's disk: nothing to read from S3 or SSM for the CredSpec itself.
    assert!(!has_stmt(&p, TaskExecution, "GmsaCredSpecGetObject"));
    // The Linux object form on Windows: the agent refuses it, so does the plan.
    let object = extra.replace(
        "'{\"credentialArn\": \"arn:aws:ssm:us-west-2:632418168714:parameter/gmsa-plugin-input\"}'",
        "{CredentialArn: \"arn:aws:secretsmanager:us-west-2:632418168714:secret:u-AbCdEf\"}",
    );
    assert_ne!(object, extra);
    let p = windows(&object);
    assert!(
        errors(&p)
            .iter()
            .any(|e| e.contains("on Windows the agent reads PluginInput as a JSON string")),
        "{:?}",
        errors(&p)
    );
    assert!(!has_stmt(&p, TaskExecution, "GmsaDomainUserSecret"));
}

#[test]
fn on_linux_the_domain_user_is_a_secrets_manager_secret_in_an_object() {
    // Linux reads the domain user from Secrets Manager only, and PluginInput as an object
    // (linux-gmsa.html; the agent's credentialspec_linux.go): an SSM parameter or the Windows
    // string form is an error, with no grant.
    let ssm = "credentialSpecs:\n  \"arn:aws:s3:::cs/api.json\": {ActiveDirectoryConfig: {HostAccountConfig: {PluginInput: {CredentialArn: \"arn:aws:ssm:us-east-1:111122223333:parameter/ad/user\"}}}}";
    let p = domainless(ssm);
    assert!(
        errors(&p)
            .iter()
            .any(|e| e.contains("Linux reads it from Secrets Manager only")),
        "{:?}",
        errors(&p)
    );
    assert!(!has_stmt(&p, TaskExecution, "GmsaDomainUserParameter"));
    let string = "credentialSpecs:\n  \"arn:aws:s3:::cs/api.json\": {ActiveDirectoryConfig: {HostAccountConfig: {PluginInput: '{\"credentialArn\": \"arn:aws:secretsmanager:us-east-1:111122223333:secret:u-AbCdEf\"}'}}}";
    let p = domainless(string);
    assert!(
        errors(&p)
            .iter()
            .any(|e| e.contains("on Linux the agent reads PluginInput as an object")),
        "{:?}",
        errors(&p)
    );
    assert!(!has_stmt(&p, TaskExecution, "GmsaDomainUserSecret"));
}

#[test]
fn a_credspec_given_as_a_string_or_under_a_key_with_spaces_is_read() {
    // An SSM parameter's value is the CredSpec as a string; a key as pasted, spaces and all.
    let secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:ad/user-AbCdEf";
    let doc = format!("{{\"ActiveDirectoryConfig\": {{\"HostAccountConfig\": {{\"PluginInput\": {{\"CredentialArn\": \"{secret}\"}}}}}}}}");
    let yaml = format!(
        "credentialSpecs:\n  \" arn:aws:s3:::cs/api.json \": {}",
        serde_json::to_string(&doc).expect("a JSON string")
    );
    let p = domainless(&yaml);
    assert_eq!(
        stmt(&p, TaskExecution, "GmsaDomainUserSecret").resources,
        vec![secret],
        "{:?}",
        errors(&p)
    );
}

#[test]
fn a_credspec_no_container_names_is_said() {
    let p =
        domainless("credentialSpecs:\n  \"credentialspecdomainless:arn:aws:s3:::cs/api.json\": {}");
    assert!(
        warnings(&p).iter().any(|w| w.starts_with(
            "credentialSpecs[credentialspecdomainless:arn:aws:s3:::cs/api.json]: no container's"
        )),
        "{:?}",
        warnings(&p)
    );
    // The container's own warning still asks for it.
    assert!(warnings(&p)
        .iter()
        .any(|w| w.contains("domain user's secret")));
}

#[test]
fn a_credspec_that_names_no_domain_user_is_an_error_at_its_plugin_input() {
    let p = domainless("credentialSpecs:\n  \"arn:aws:s3:::cs/api.json\": {ActiveDirectoryConfig: {GroupManagedServiceAccounts: [{Name: web, Scope: contoso.com}]}}");
    assert!(has_error_at(&p, "credentialSpecs[arn:aws:s3:::cs/api.json].ActiveDirectoryConfig.HostAccountConfig.PluginInput"), "{:?}", errors(&p));
    assert!(
        errors(&p)
            .iter()
            .any(|e| e.contains("names no domain user (no CredentialArn string)")),
        "{:?}",
        errors(&p)
    );
    // A CredentialArn that is no secret or parameter ARN (a template's left-over) is one too.
    let p = domainless("credentialSpecs:\n  \"arn:aws:s3:::cs/api.json\": {ActiveDirectoryConfig: {HostAccountConfig: {PluginInput: {CredentialArn: $gmsaSecretArn$}}}}");
    assert!(
        errors(&p)
            .iter()
            .any(|e| e.contains("no Secrets Manager secret ARN (Linux reads it from Secrets Manager only): $gmsaSecretArn$")),
        "{:?}",
        errors(&p)
    );
}

// ---- FSx for Windows File Server (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/wfsx-volumes.html)

#[test]
fn fsx_windows_credentials_are_read_by_the_execution_role_exactly() {
    let c = "    - {name: iis, image: mcr.microsoft.com/windows/servercore/iis, memory: 512}";
    let secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:fsx/ad-AbCdEf";
    let vol = |cred: &str| {
        format!("  volumes:\n    - name: share\n      fsxWindowsFileServerVolumeConfiguration:\n        fileSystemId: fs-0123456789abcdef0\n        rootDirectory: share\n        authorizationConfig: {{credentialsParameter: \"{cred}\", domain: corp.example.com}}")
    };
    let td = |cred: &str| {
        with_launch("EC2", "default", c, "").replace(
            "  containerDefinitions:",
            &format!("{}\n  containerDefinitions:", vol(cred)),
        )
    };
    let p = plan_doc(&td(secret));
    assert_eq!(
        stmt(&p, TaskExecution, "FsxWindowsCredentialsSecret").resources,
        vec![secret]
    );
    assert_eq!(
        stmt(&p, TaskExecution, "FsxDescribeFileSystems").resources,
        vec!["*"]
    );
    let param = "arn:aws:ssm:us-east-1:111122223333:parameter/fsx/ad";
    let p = plan_doc(&td(param));
    assert_eq!(
        stmt(&p, TaskExecution, "FsxWindowsCredentialsParameter").resources,
        vec![param]
    );
    assert!(!has_stmt(&p, TaskExecution, "FsxWindowsCredentialsSecret"));
    let p = plan_doc(&td("fsx-user"));
    assert!(
        errors(&p)
            .iter()
            .any(|e| e
                .ends_with("volume share: fsx-user is not a Secrets Manager or SSM parameter ARN")),
        "{:?}",
        errors(&p)
    );
}
