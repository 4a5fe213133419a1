//! One focused test per rule of `rules.rs` / `plan/`, each naming the AWS page it checks.

mod common;

use common::*;
use ecsroles_core::model::{Provisioning, RoleKind::*};
use ecsroles_core::policy::{Effect, Principal};

/// A Fargate spec with the given containers (YAML list items, indented by 4) and extra spec YAML.
fn fargate(containers: &str, extra: &str) -> String {
    format!(
        "name: w\naccount: \"111122223333\"\nregion: us-east-1\ncluster: c\nlaunchType: FARGATE\ntaskDefinition:\n  family: w\n  networkMode: awsvpc\n  containerDefinitions:\n{containers}\n{extra}"
    )
}

fn with_launch(launch: &str, mode: &str, containers: &str, extra: &str) -> String {
    fargate(containers, extra)
        .replace("launchType: FARGATE", &format!("launchType: {launch}"))
        .replace("networkMode: awsvpc", &format!("networkMode: {mode}"))
}

const ECR: &str =
    "    - {name: app, image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app:1}";
const AWSLOGS: &str = "    - name: app\n      image: nginx\n      logConfiguration: {logDriver: awslogs, options: {awslogs-group: /ecs/w}}";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k1";

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

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html
#[test]
fn firelens_destinations_go_on_the_task_role() {
    let out = |name: &str, opts: &str| {
        format!("    - name: app\n      image: nginx\n      logConfiguration: {{logDriver: awsfirelens, options: {{Name: {name}, region: us-east-1, {opts}}}}}")
    };
    let firehose = plan_doc(&fargate(
        &out("kinesis_firehose", "delivery_stream: logs"),
        "",
    ));
    assert!(allows(
        &firehose,
        Task,
        "firehose:PutRecordBatch",
        "arn:aws:firehose:us-east-1:111122223333:deliverystream/logs"
    ));
    let kinesis = plan_doc(&fargate(&out("kinesis_streams", "stream: s"), ""));
    assert!(allows(
        &kinesis,
        Task,
        "kinesis:PutRecords",
        "arn:aws:kinesis:us-east-1:111122223333:stream/s"
    ));
    let cw = plan_doc(&fargate(
        &out(
            "cloudwatch_logs",
            "log_group_name: /fl, auto_create_group: \"true\"",
        ),
        "",
    ));
    assert!(allows(
        &cw,
        Task,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/fl:*"
    ));
    assert!(allows(
        &cw,
        Task,
        "logs:CreateLogGroup",
        "arn:aws:logs:us-east-1:111122223333:log-group:/fl:*"
    ));
    let s3 = plan_doc(&fargate(&out("s3", "bucket: b"), ""));
    assert!(allows(&s3, Task, "s3:PutObject", "arn:aws:s3:::b/*"));
    let missing = plan_doc(&fargate(&out("kinesis_firehose", "x: y"), ""));
    assert!(has_error_at(
        &missing,
        "taskDefinition.containerDefinitions[0].logConfiguration.options.delivery_stream"
    ));
    let other = plan_doc(&fargate(&out("datadog", "apikey: k"), ""));
    assert!(other.role(Task).is_none());
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

// ---- Trust (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html) ---

#[test]
fn task_role_trust_has_confused_deputy_conditions_at_account_and_region_level() {
    let p = plan_doc(&fargate(ECR, "app:\n  access:\n    - sns: {topic: t}"));
    let t = &role(&p, Task)
        .trust_policy
        .as_ref()
        .expect("trust")
        .statements[0];
    assert_eq!(
        t.principal,
        Some(Principal::Service("ecs-tasks.amazonaws.com".into()))
    );
    assert_eq!(
        t.conditions["StringEquals"]["aws:SourceAccount"],
        vec!["111122223333"]
    );
    assert_eq!(
        t.conditions["ArnLike"]["aws:SourceArn"],
        vec!["arn:aws:ecs:us-east-1:111122223333:*"]
    );
    let x = &role(&p, TaskExecution)
        .trust_policy
        .as_ref()
        .expect("trust")
        .statements[0];
    assert_eq!(
        x.principal,
        Some(Principal::Service("ecs-tasks.amazonaws.com".into()))
    );
    assert!(
        x.conditions.is_empty(),
        "execution role trust is the documented plain one"
    );
}

// ---- ECS Exec (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html) -------

#[test]
fn ecs_exec_grants_ssmmessages_and_kms_and_logging_when_configured() {
    let p = plan_doc(&fargate(
        "    - {name: a, image: nginx}",
        "service: {enableExecuteCommand: true}",
    ));
    let ch = stmt(&p, Task, "EcsExecSsmMessages");
    assert_eq!(ch.actions.len(), 4);
    assert_eq!(ch.resources, vec!["*"]);
    assert!(
        !has_stmt(&p, Task, "EcsExecWriteLogs"),
        "DEFAULT logging needs no task permissions"
    );
    let cfg = format!("service: {{enableExecuteCommand: true}}\nclusterConfiguration:\n  executeCommandConfiguration:\n    kmsKeyId: {KEY}\n    logging: OVERRIDE\n    logConfiguration: {{cloudWatchLogGroupName: /exec, s3BucketName: audit, s3KeyPrefix: p, s3EncryptionEnabled: true}}");
    let p = plan_doc(&fargate("    - {name: a, image: nginx}", &cfg));
    assert!(allows(&p, Task, "kms:Decrypt", KEY));
    assert!(allows(
        &p,
        Task,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/exec:*"
    ));
    assert!(allows(&p, Task, "s3:PutObject", "arn:aws:s3:::audit/p/*"));
    assert!(allows(
        &p,
        Task,
        "s3:GetEncryptionConfiguration",
        "arn:aws:s3:::audit"
    ));
    let off = plan_doc(&fargate("    - {name: a, image: nginx}", ""));
    assert!(off.role(Task).is_none());
}

// ---- EFS (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html) --------

fn efs(read_only: bool, transit: &str) -> String {
    format!("    - name: a\n      image: nginx\n      mountPoints: [{{sourceVolume: v, containerPath: /d, readOnly: {read_only}}}]\n  volumes:\n    - name: v\n      efsVolumeConfiguration: {{fileSystemId: fs-1, transitEncryption: {transit}, authorizationConfig: {{accessPointId: fsap-1, iam: ENABLED}}}}")
}

#[test]
fn efs_iam_authorization_grants_mount_and_write_conditioned_on_the_access_point() {
    let p = plan_doc(&fargate(&efs(false, "ENABLED"), ""));
    let s = stmt(&p, Task, "EfsClientMountWrite");
    assert_eq!(
        s.actions,
        vec![
            "elasticfilesystem:ClientMount",
            "elasticfilesystem:ClientWrite"
        ]
    );
    assert_eq!(
        s.resources,
        vec!["arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-1"]
    );
    assert_eq!(
        s.conditions["StringEquals"]["elasticfilesystem:AccessPointArn"],
        vec!["arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-1"]
    );
    let ro = plan_doc(&fargate(&efs(true, "ENABLED"), ""));
    assert_eq!(
        stmt(&ro, Task, "EfsClientMount").actions,
        vec!["elasticfilesystem:ClientMount"]
    );
    let plain = plan_doc(&fargate(&efs(false, "DISABLED"), ""));
    assert!(has_error_at(
        &plain,
        "taskDefinition.volumes[0].efsVolumeConfiguration.transitEncryption"
    ));
}

// ---- Service role (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html)

fn svc(mode: &str, service: &str) -> String {
    with_launch(
        "EC2",
        mode,
        "    - {name: a, image: nginx}",
        &format!("service:\n{service}"),
    )
}
const ONE_TG: &str = "  loadBalancers: [{targetGroupArn: \"arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/t/1\", containerName: a, containerPort: 80}]";

#[test]
fn service_role_exists_only_for_one_target_group_without_awsvpc_registries_or_other_controllers() {
    // Not asked for: ECS uses the service-linked role (CreateService `role`: "that role is used
    // for your service unless you specify a role here").
    let p = plan_doc(&svc("bridge", ONE_TG));
    assert!(p.role(Service).is_none());
    assert!(absent_why(&p, Service).contains("names no role"));
    // Asked for, by the service's role or the spec: the legacy role, scoped to its target group.
    let p = plan_doc(&svc("bridge", &format!("{ONE_TG}\n  role: ecsServiceRole")));
    assert!(p.role(Service).is_some());
    let p = plan_doc(
        &svc("bridge", ONE_TG)
            .replace("\nservice:", "\nroles: {service: {create: true}}\nservice:"),
    );
    assert!(allows(
        &p,
        Service,
        "elasticloadbalancing:RegisterTargets",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/t/1"
    ));
    assert_eq!(role(&p, Service).assumed_by, vec!["ecs.amazonaws.com"]);
    let cases = [
        (svc("awsvpc", ONE_TG), "awsvpc"),
        (svc("bridge", &format!("{ONE_TG}\n  serviceRegistries: [{{registryArn: \"arn:aws:servicediscovery:us-east-1:111122223333:service/srv-1\"}}]")), "service discovery"),
        (svc("bridge", &format!("{ONE_TG}\n  deploymentController: {{type: CODE_DEPLOY}}")), "CODE_DEPLOY"),
        (svc("bridge", "  loadBalancers:\n    - {targetGroupArn: a}\n    - {targetGroupArn: b}"), "several target groups"),
        (svc("bridge", "  enableExecuteCommand: false"), "no load balancer"),
    ];
    for (spec, why) in cases {
        let p = plan_doc(&spec);
        assert!(p.role(Service).is_none(), "{why}");
        let absent = absent_why(&p, Service);
        assert!(
            absent.contains(why) && absent.contains("AWSServiceRoleForECS"),
            "{absent}"
        );
    }
}

#[test]
fn a_service_role_where_ecs_forbids_one_is_an_error() {
    let p = plan_doc(&svc("awsvpc", &format!("{ONE_TG}\n  role: ecsServiceRole")));
    assert!(has_error_at(&p, "service.role"));
    let p = plan_doc(
        &svc("awsvpc", ONE_TG)
            .replace("\nservice:", "\nroles: {service: {create: true}}\nservice:"),
    );
    assert!(has_error_at(&p, "roles.service"));
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html
#[test]
fn the_service_linked_role_is_always_listed_with_its_creation_command() {
    let p = plan_doc(&fargate("    - {name: a, image: nginx}", ""));
    let slr = role(&p, ServiceLinked);
    assert_eq!(slr.provisioning, Provisioning::ServiceLinked);
    assert_eq!(
        p.companions.service_linked_role.create_command,
        "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com"
    );
}

// ---- Capacity roles -------------------------------------------------------------------------

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html
#[test]
fn ec2_container_instance_role_is_scoped_to_the_cluster_with_an_instance_profile() {
    let p = plan_doc(&with_launch(
        "EC2",
        "bridge",
        "    - {name: a, image: nginx}",
        "",
    ));
    let r = role(&p, ContainerInstance);
    assert_eq!(r.assumed_by, vec!["ec2.amazonaws.com"]);
    assert!(r.instance_profile.is_some());
    assert!(allows(
        &p,
        ContainerInstance,
        "ecs:RegisterContainerInstance",
        "arn:aws:ecs:us-east-1:111122223333:cluster/c"
    ));
    assert!(allows(
        &p,
        ContainerInstance,
        "ecs:Poll",
        "arn:aws:ecs:us-east-1:111122223333:container-instance/c/*"
    ));
    assert!(allows(
        &p,
        ContainerInstance,
        "ecs:DiscoverPollEndpoint",
        "*"
    ));
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/iam-role-ecsanywhere.html
#[test]
fn external_instances_trust_ssm_attach_ssm_core_and_have_no_instance_profile() {
    let p = plan_doc(&with_launch(
        "EXTERNAL",
        "bridge",
        "    - {name: a, image: nginx}",
        "",
    ));
    let r = role(&p, ContainerInstance);
    assert_eq!(r.assumed_by, vec!["ssm.amazonaws.com"]);
    assert!(r.instance_profile.is_none());
    assert_eq!(
        r.managed_policies[0].arn,
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    );
}

#[test]
fn china_partition_uses_its_ec2_principal_and_endpoint_suffix() {
    let c = "    - name: a\n      image: 111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1\n      secrets: [{name: S, valueFrom: \"arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:s-AbCdEf\"}]";
    let spec = with_launch("EC2", "bridge", c, "keys: [{for: \"arn:aws-cn:secretsmanager:*\", key: \"arn:aws-cn:kms:cn-north-1:111122223333:key/k\"}]").replace("region: us-east-1", "region: cn-north-1");
    let p = plan_doc(&spec);
    assert_eq!(p.partition, "aws-cn");
    assert_eq!(
        role(&p, ContainerInstance).assumed_by,
        vec!["ec2.amazonaws.com.cn"]
    );
    assert!(allows(
        &p,
        TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws-cn:ecr:cn-north-1:111122223333:repository/app"
    ));
    let kms = stmt(&p, TaskExecution, "KmsDecrypt");
    assert_eq!(
        kms.conditions["StringEquals"]["kms:ViaService"],
        vec!["secretsmanager.cn-north-1.amazonaws.com.cn"]
    );
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html
#[test]
fn managed_instances_infrastructure_role_passes_exactly_the_node_role() {
    let p = plan_doc(&with_launch(
        "MANAGED_INSTANCES",
        "awsvpc",
        "    - {name: a, image: nginx}",
        "roles: {managedInstancesNode: {name: node, path: /n/}}",
    ));
    let node = "arn:aws:iam::111122223333:role/n/node";
    let pass = stmt(&p, ManagedInstancesInfrastructure, "PassNodeRole");
    assert_eq!(pass.resources, vec![node]);
    assert_eq!(
        pass.conditions["StringEquals"]["iam:PassedToService"],
        vec!["ec2.amazonaws.com"]
    );
    let deny = stmt(&p, ManagedInstancesInfrastructure, "DenyPassingOtherRoles");
    assert_eq!(
        (deny.effect, deny.not_resources.clone()),
        (Effect::Deny, vec![node.to_string()])
    );
    assert!(role(&p, ManagedInstancesInfrastructure).managed_policies[0]
        .arn
        .ends_with("/AmazonECSInfrastructureRolePolicyForManagedInstances"));
    let n = role(&p, ManagedInstancesNode);
    assert_eq!(
        n.instance_profile.as_ref().map(|i| i.name.as_str()),
        Some("node")
    );
    assert!(allows(
        &p,
        ManagedInstancesNode,
        "ecs:PutSystemLogEvents",
        "arn:aws:ecs:us-east-1:111122223333:container-instance/c/*"
    ));
    assert!(p.role(ContainerInstance).is_none());
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-volumes.html
#[test]
fn ebs_volumes_at_launch_need_the_volume_infrastructure_role_and_key_policy() {
    let c = "    - {name: a, image: nginx}\n  volumes: [{name: data, configuredAtLaunch: true}]";
    let p = plan_doc(&fargate(c, &format!("service:\n  volumeConfigurations: [{{name: data, managedEBSVolume: {{encrypted: true, kmsKeyId: \"{KEY}\"}}}}]")));
    let r = role(&p, VolumeInfrastructure);
    assert!(r.managed_policies[0]
        .arn
        .ends_with("service-role/AmazonECSInfrastructureRolePolicyForVolumes"));
    let kp = p
        .companions
        .kms_key_policies
        .iter()
        .find(|k| k.resource == KEY)
        .expect("EBS key policy");
    assert!(kp.document.statements[0]
        .actions
        .iter()
        .any(|a| a == "kms:CreateGrant"));
    let unmatched = plan_doc(&fargate(
        c,
        "service:\n  volumeConfigurations: [{name: other, managedEBSVolume: {}}]",
    ));
    assert!(has_error_at(
        &unmatched,
        "service.volumeConfigurations[0].name"
    ));
    let unsupplied = plan_doc(&fargate(c, ""));
    assert!(unsupplied.role(VolumeInfrastructure).is_none());
    assert!(warnings(&unsupplied)
        .iter()
        .any(|w| w.contains("configured at launch")));
}

// ---- Infeasible combinations ------------------------------------------------------------------

#[test]
fn infeasible_combinations_are_errors_with_the_spec_path() {
    let p = plan_doc(&with_launch(
        "EXTERNAL",
        "awsvpc",
        "    - {name: a, image: nginx}",
        "",
    ));
    assert!(has_error_at(&p, "taskDefinition.networkMode"));
    let p = plan_doc(&with_launch(
        "FARGATE",
        "bridge",
        "    - {name: a, image: nginx}",
        "",
    ));
    assert!(has_error_at(&p, "taskDefinition.networkMode"));
    let p = plan_doc(&with_launch(
        "EXTERNAL",
        "bridge",
        &efs(false, "ENABLED"),
        "",
    ));
    assert!(has_error_at(
        &p,
        "taskDefinition.volumes[0].efsVolumeConfiguration"
    ));
    let p = plan_doc(&fargate("    - {name: a, image: nginx}\n  volumes: [{name: d, dockerVolumeConfiguration: {driver: local}}]", ""));
    assert!(has_error_at(
        &p,
        "taskDefinition.volumes[0].dockerVolumeConfiguration"
    ));
    let p = plan_doc(
        &fargate("    - {name: a, image: nginx}", "")
            .replace("launchType: FARGATE\n", "launchType: EC2\n")
            .replace(
                "  networkMode: awsvpc\n",
                "  networkMode: awsvpc\n  requiresCompatibilities: [FARGATE]\n",
            ),
    );
    assert!(has_error_at(&p, "taskDefinition.requiresCompatibilities"));
}

// ---- Application intents (Service Authorization Reference pages) ---------------------------

#[test]
fn s3_intents_scope_objects_to_the_prefix_and_listing_with_s3_prefix() {
    let p = plan_doc(&fargate(
        ECR,
        "app:\n  access:\n    - s3: {bucket: b, prefix: in/, access: read-write}",
    ));
    assert!(allows(&p, Task, "s3:GetObject", "arn:aws:s3:::b/in/*"));
    assert!(allows(&p, Task, "s3:PutObject", "arn:aws:s3:::b/in/*"));
    assert!(allows(&p, Task, "s3:DeleteObject", "arn:aws:s3:::b/in/*"));
    assert_eq!(
        stmt(&p, Task, "AppS3List").conditions["StringLike"]["s3:prefix"],
        vec!["in/*"]
    );
    let w = plan_doc(&fargate(
        ECR,
        "app:\n  access:\n    - s3: {bucket: b, access: write}",
    ));
    assert!(!has_stmt(&w, Task, "AppS3Read") && !has_stmt(&w, Task, "AppS3Delete"));
}

#[test]
fn dynamodb_sqs_sns_kms_secrets_and_ssm_intents() {
    let extra = format!("app:\n  access:\n    - dynamodb: {{table: t, access: read, indexes: true}}\n    - sqs: {{queue: q, access: produce}}\n    - sns: {{topic: \"arn:aws:sns:eu-west-1:111122223333:x\"}}\n    - kms: {{key: {KEY}, access: encrypt}}\n    - secretsManager: {{secret: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCdEf\"}}\n    - ssm: {{parameter: /app/}}");
    let p = plan_doc(&fargate(ECR, &extra));
    assert!(allows(
        &p,
        Task,
        "dynamodb:Query",
        "arn:aws:dynamodb:us-east-1:111122223333:table/t/index/*"
    ));
    assert!(!has_stmt(&p, Task, "AppDynamoDbWrite"));
    assert!(allows(
        &p,
        Task,
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111122223333:q"
    ));
    assert!(!allows(
        &p,
        Task,
        "sqs:ReceiveMessage",
        "arn:aws:sqs:us-east-1:111122223333:q"
    ));
    assert!(allows(
        &p,
        Task,
        "sns:Publish",
        "arn:aws:sns:eu-west-1:111122223333:x"
    ));
    assert!(allows(&p, Task, "kms:GenerateDataKey", KEY) && !allows(&p, Task, "kms:Decrypt", KEY));
    assert!(allows(
        &p,
        Task,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCdEf"
    ));
    assert!(allows(
        &p,
        Task,
        "ssm:GetParametersByPath",
        "arn:aws:ssm:us-east-1:111122223333:parameter/app"
    ));
    assert!(allows(
        &p,
        Task,
        "ssm:GetParameter",
        "arn:aws:ssm:us-east-1:111122223333:parameter/app/*"
    ));
    let two = plan_doc(&fargate(
        ECR,
        "app:\n  access:\n    - {sns: {topic: a}, sqs: {queue: b, access: consume}}",
    ));
    assert!(has_error_at(&two, "app.access[0]"));
}

#[test]
fn raw_statements_are_kept_but_broad_ones_are_flagged_and_malformed_ones_rejected() {
    let p = plan_doc(&fargate(
        ECR,
        "app:\n  statements:\n    - {Sid: Wide, Action: \"s3:*\", Resource: \"*\", why: legacy}",
    ));
    let s = stmt(&p, Task, "Wide");
    assert_eq!(
        (s.actions.clone(), s.resources.clone(), s.why.as_ref()),
        (vec!["s3:*".into()], vec!["*".to_string()], "legacy")
    );
    assert!(warnings(&p).len() >= 2);
    let bad = plan_doc(&fargate(ECR, "app:\n  statements:\n    - {Effect: Permit, Action: s3:GetObject, Resource: \"*\"}\n    - {Resource: \"*\"}"));
    assert!(
        has_error_at(&bad, "app.statements[0].Effect") && has_error_at(&bad, "app.statements[1]")
    );
    // A resource IAM would refuse (neither "*" nor an ARN), and ones it takes.
    let arn = plan_doc(&fargate(ECR, "app:\n  statements:\n    - {Action: s3:GetObject, Resource: \"reports/*\"}\n    - {Action: s3:GetObject, Resource: [\"arn:aws:s3:::reports/*\", \"arn:${AWS::Partition}:s3:::r\"]}\n    - {Action: s3:GetObject, Resource: \"arn:aws:s3:reports\"}"));
    assert!(has_error_at(&arn, "app.statements[0].Resource"));
    assert!(!has_error_at(&arn, "app.statements[1].Resource"));
    assert!(has_error_at(&arn, "app.statements[2].Resource"));
}

// ---- Per-role knobs ---------------------------------------------------------------------------

#[test]
fn role_knobs_name_prefix_path_boundary_session_tags_extras_and_shared() {
    let roles = "roles:\n  taskExecution: {shared: true}\n  task:\n    namePrefix: app-\n    path: /t/\n    permissionsBoundary: arn:aws:iam::111122223333:policy/b\n    maxSessionDuration: 7200\n    tags: {team: x}\n    managedPolicies: [ReadOnlyAccess]\n    statements: [{Sid: Extra, Action: sqs:SendMessage, Resource: \"arn:aws:sqs:us-east-1:111122223333:q\"}]";
    let p = plan_doc(&fargate(ECR, roles));
    let t = role(&p, Task);
    assert_eq!(
        (t.name.clone(), t.name_prefix.as_deref(), t.path.as_str()),
        (None, Some("app-"), "/t/")
    );
    assert_eq!(t.arn, "arn:aws:iam::111122223333:role/t/app-*");
    assert_eq!(
        t.permissions_boundary.as_deref(),
        Some("arn:aws:iam::111122223333:policy/b")
    );
    assert_eq!(
        (t.max_session_duration, t.tags["team"].as_str()),
        (Some(7200), "x")
    );
    assert_eq!(
        t.managed_policies[0].arn,
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    );
    assert!(has_stmt(&p, Task, "Extra"));
    let x = role(&p, TaskExecution);
    assert_eq!(x.name.as_deref(), Some("ecsTaskExecutionRole"));
    assert_eq!(x.inline_policies[0].name, "ecsroles-w");
}

#[test]
fn existing_roles_are_used_not_created_and_switched_off_needed_roles_are_errors() {
    let p = plan_doc(&fargate(
        ECR,
        "roles: {taskExecution: {existingArn: \"arn:aws:iam::111122223333:role/base/exec\"}}",
    ));
    let x = role(&p, TaskExecution);
    assert_eq!(
        (x.provisioning, x.name.as_deref(), x.path.as_str()),
        (Provisioning::Existing, Some("exec"), "/base/")
    );
    assert!(x.trust_policy.is_none());
    assert!(
        has_stmt(&p, TaskExecution, "EcrPullImages"),
        "still lists what it must allow"
    );
    let off = plan_doc(&fargate(ECR, "roles: {taskExecution: {create: false}}"));
    assert!(has_error_at(&off, "roles.taskExecution.create"));
    let forced = plan_doc(&fargate(
        "    - {name: a, image: nginx}",
        "roles: {task: {create: true}}",
    ));
    assert!(forced.role(Task).is_some());
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
#[test]
fn deployer_pass_role_policy_names_each_role_and_its_service() {
    let p = plan_doc(&with_launch(
        "EC2",
        "bridge",
        ECR,
        "app:\n  access: [{sns: {topic: t}}]",
    ));
    let pr = p.companions.pass_role_policy.as_ref().expect("passrole");
    let tasks = pr
        .statements
        .iter()
        .find(|s| {
            s.conditions["StringEquals"]["iam:PassedToService"] == vec!["ecs-tasks.amazonaws.com"]
        })
        .expect("ecs-tasks");
    assert_eq!(
        tasks.resources,
        vec!["arn:aws:iam::111122223333:role/w-task"]
    );
    assert!(pr
        .statements
        .iter()
        .all(|s| s.actions == vec!["iam:PassRole"] && !s.resources.contains(&"*".to_string())));
}

#[test]
fn the_sdk_note_names_the_role_the_app_really_gets() {
    let p = plan_doc(&with_launch("EC2", "bridge", ECR, ""));
    assert!(p.companions.sdk_credentials.contains("instance role"));
    let t = plan_doc(&fargate(ECR, "app:\n  access: [{sns: {topic: t}}]"));
    assert!(t
        .companions
        .sdk_credentials
        .contains("arn:aws:iam::111122223333:role/w-task"));
}

// ---- Context --------------------------------------------------------------------------------

#[test]
fn account_and_partition_come_from_role_arns_else_stay_symbolic() {
    let td = r#"{"family":"f","executionRoleArn":"arn:aws-us-gov:iam::111122223333:role/x","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"nginx"}]}"#;
    let p = plan_doc(td);
    assert_eq!(
        (p.account.as_str(), p.partition.as_str(), p.region.as_str()),
        ("111122223333", "aws-us-gov", "${AWS::Region}")
    );
    let bare = plan_doc(r#"{"containerDefinitions":[{"name":"a","image":"nginx"}]}"#);
    assert_eq!(
        (
            bare.account.as_str(),
            bare.partition.as_str(),
            bare.launch_type.as_str()
        ),
        ("${AWS::AccountId}", "${AWS::Partition}", "EC2")
    );
    assert!(warnings(&bare).iter().any(|w| w.starts_with("launchType")));
}

#[test]
fn a_managed_policy_asked_for_twice_is_attached_once() {
    let p = plan_doc(&fargate(ECR, "app:\n  managedPolicies: [ReadOnlyAccess]\nroles:\n  task:\n    managedPolicies: [CloudWatchAgentServerPolicy, ReadOnlyAccess]"));
    let arns: Vec<&str> = role(&p, Task)
        .managed_policies
        .iter()
        .map(|m| m.arn.as_str())
        .collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
        ]
    );
}

#[test]
fn every_launch_type_limit_finding_cites_its_page() {
    let p = plan_doc(&fargate("    - {name: a, image: nginx}\n  volumes: [{name: d, dockerVolumeConfiguration: {driver: local}}]", ""));
    let f = p
        .findings
        .iter()
        .find(|f| f.path == "taskDefinition.volumes[0].dockerVolumeConfiguration")
        .expect("finding");
    assert!(
        f.doc
            .as_deref()
            .is_some_and(|d| d.starts_with("https://docs.aws.amazon.com/"))
            && f.fix.is_some()
    );
    let ec2 = plan_doc(&with_launch(
        "EC2",
        "nat",
        "    - {name: a, image: nginx}",
        "",
    ));
    let nm = ec2
        .findings
        .iter()
        .find(|f| f.path == "taskDefinition.networkMode")
        .expect("network finding");
    assert!(
        nm.doc
            .as_deref()
            .is_some_and(|d| d.ends_with("task-networking.html")),
        "{nm:?}"
    );
    for l in ecsroles_core::rules::unsupported::LIMITS {
        assert!(l.doc.starts_with("https://docs.aws.amazon.com/"));
    }
}
