//! Rules of `plan/task.rs`: what the task role needs while the task runs.

use super::*;

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

/// Fluentd outputs (`@type`): FireLens passes the options to the plugin as they are
/// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html), so each
/// plugin's own parameter names and calls decide: fluent-plugin-cloudwatch-logs
/// (https://github.com/fluent-plugins-nursery/fluent-plugin-cloudwatch-logs#preparation),
/// fluent-plugin-s3 (https://github.com/fluent/fluent-plugin-s3/blob/master/docs/howto.md#iam-policy),
/// aws-fluent-plugin-kinesis (delivery_stream_name / stream_name).
#[test]
fn fluentd_outputs_are_read_with_their_plugins_parameters() {
    let out = |opts: &str| {
        format!("    - name: app\n      image: nginx\n      logConfiguration: {{logDriver: awsfirelens, options: {{\"@type\": {opts}}}}}")
    };
    let group = "arn:aws:logs:us-east-1:111122223333:log-group:/fl:*";
    let cw = plan_doc(&fargate(
        &out("cloudwatch_logs, region: us-east-1, log_group_name: /fl, log_stream_name: app"),
        "",
    ));
    for action in ["logs:PutLogEvents", "logs:DescribeLogStreams"] {
        assert!(allows(&cw, Task, action, group), "{action}");
    }
    // Its lookup before the first write: DescribeLogGroups takes only "*".
    assert!(allows(&cw, Task, "logs:DescribeLogGroups", "*"));
    // Without auto_create_stream nothing is created, and the user is told both must exist.
    assert!(!allows(&cw, Task, "logs:CreateLogStream", group));
    assert!(!allows(&cw, Task, "logs:CreateLogGroup", group));
    assert!(cw
        .findings
        .iter()
        .any(|f| f.message.contains("without auto_create_stream")));
    let auto = plan_doc(&fargate(
        &out("cloudwatch_logs, region: us-east-1, log_group_name: /fl, log_stream_name: app, auto_create_stream: \"true\", retention_in_days: \"7\""),
        "",
    ));
    for action in [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutRetentionPolicy",
    ] {
        assert!(allows(&auto, Task, action, group), "{action}");
    }
    // Fluent Bit's names are not Fluentd's: delivery_stream_name, stream_name, s3_bucket.
    let firehose = plan_doc(&fargate(
        &out("kinesis_firehose, region: ap-south-1, delivery_stream_name: demo-stream"),
        "",
    ));
    assert!(allows(
        &firehose,
        Task,
        "firehose:PutRecordBatch",
        "arn:aws:firehose:ap-south-1:111122223333:deliverystream/demo-stream"
    ));
    let fluent_bit_name = plan_doc(&fargate(&out("kinesis_firehose, delivery_stream: s"), ""));
    assert!(has_error_at(
        &fluent_bit_name,
        "taskDefinition.containerDefinitions[0].logConfiguration.options.delivery_stream_name"
    ));
    let kinesis = plan_doc(&fargate(
        &out("kinesis_streams_aggregated, region: us-east-1, stream_name: s"),
        "",
    ));
    assert!(allows(
        &kinesis,
        Task,
        "kinesis:PutRecords",
        "arn:aws:kinesis:us-east-1:111122223333:stream/s"
    ));
    // s3: objects under the literal start of `path`, the object check, the bucket listing.
    let s3 = plan_doc(&fargate(
        &out("s3, s3_bucket: b, s3_region: us-east-1, path: \"logs/%Y/${tag}/\""),
        "",
    ));
    for action in ["s3:PutObject", "s3:GetObject"] {
        assert!(
            allows(&s3, Task, action, "arn:aws:s3:::b/logs/*"),
            "{action}"
        );
    }
    assert!(!allows(&s3, Task, "s3:PutObject", "arn:aws:s3:::b/*"));
    assert!(allows(&s3, Task, "s3:ListBucket", "arn:aws:s3:::b"));
    let unchecked = plan_doc(&fargate(
        &out("s3, s3_bucket: b, check_object: \"false\", check_bucket: \"false\", check_apikey_on_start: \"false\""),
        "",
    ));
    assert!(allows(&unchecked, Task, "s3:PutObject", "arn:aws:s3:::b/*"));
    assert!(!allows(
        &unchecked,
        Task,
        "s3:GetObject",
        "arn:aws:s3:::b/*"
    ));
    assert!(!allows(&unchecked, Task, "s3:ListBucket", "arn:aws:s3:::b"));
    // A `${…}` placeholder is filled per chunk: the grant covers every value, and says so.
    let templated = plan_doc(&fargate(
        &out("kinesis_firehose, region: us-east-1, delivery_stream_name: \"${tag}-stream\""),
        "",
    ));
    assert!(allows(
        &templated,
        Task,
        "firehose:PutRecordBatch",
        "arn:aws:firehose:us-east-1:111122223333:deliverystream/*-stream"
    ));
    assert!(warnings(&templated)
        .iter()
        .any(|w| w.contains("${tag}-stream")));
    // A deploy-time placeholder stays one: named for --var, not read as a run-time template.
    let var = plan_doc(&fargate(
        &out("kinesis_firehose, region: us-east-1, delivery_stream_name: \"${STREAM_NAME}\""),
        "",
    ));
    assert!(errors(&var)
        .iter()
        .any(|e| e.contains("STREAM_NAME") && !e.contains("run time")));
    // Fluentd's booleans: yes/no as well as true/false.
    let yes = plan_doc(&fargate(
        &out("cloudwatch_logs, region: us-east-1, log_group_name: /fl, log_stream_name: app, auto_create_stream: \"yes\""),
        "",
    ));
    assert!(allows(&yes, Task, "logs:CreateLogStream", group));
    // The group chosen per record: nothing can be scoped, said at the option that does it.
    let per_record = plan_doc(&fargate(
        &out("cloudwatch_logs, region: us-east-1, log_group_name_key: group, log_stream_name: app"),
        "",
    ));
    assert!(has_error_at(
        &per_record,
        "taskDefinition.containerDefinitions[0].logConfiguration.options.log_group_name_key"
    ));
    // aws_use_sts: the plugin writes as aws_sts_role_arn; the task role may only assume it.
    let sts = plan_doc(&fargate(
        &out("cloudwatch_logs, region: us-east-1, log_group_name: /fl, log_stream_name: app, aws_use_sts: \"true\", aws_sts_role_arn: \"arn:aws:iam::222222222222:role/writer\""),
        "",
    ));
    assert!(allows(
        &sts,
        Task,
        "sts:AssumeRole",
        "arn:aws:iam::222222222222:role/writer"
    ));
    assert!(!allows(
        &sts,
        Task,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:222222222222:log-group:/fl:*"
    ));
    assert!(!allows(&sts, Task, "logs:PutLogEvents", group));
    // A hostile value: linear, no panic.
    let long = "${}".repeat(4000);
    let _ = plan_doc(&fargate(
        &out(&format!(
            "kinesis_firehose, region: us-east-1, delivery_stream_name: \"s{long}$\""
        )),
        "",
    ));
    // No output named at all (AWS's agent tests: include/exclude patterns only).
    let none = plan_doc(&fargate(
        "    - name: app\n      image: nginx\n      logConfiguration: {logDriver: awsfirelens, options: {include-pattern: pass}}",
        "",
    ));
    assert!(none.role(Task).is_none());
    assert!(none
        .findings
        .iter()
        .any(|f| f.message.contains("no output named")));
}

/// es/opensearch outputs with AWS_Auth On (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html):
/// the bulk endpoint of exactly the domain `Host` names, or the collection of a Serverless
/// endpoint; unsigned or unknown hosts grant nothing, and say why.
#[test]
fn firelens_opensearch_outputs_sign_for_exactly_their_domain_or_collection() {
    let out = |opts: &str| {
        format!("    - name: app\n      image: nginx\n      logConfiguration: {{logDriver: awsfirelens, options: {{{opts}}}}}")
    };
    let domain = plan_doc(&fargate(
        &out("Name: opensearch, Host: search-my-logs-abc123def456.us-east-1.es.amazonaws.com, aws_auth: \"On\", Path: /tenant-a"),
        "",
    ));
    let bulk = "arn:aws:es:us-east-1:111122223333:domain/my-logs/tenant-a/_bulk";
    assert!(allows(&domain, Task, "es:ESHttpPost", bulk));
    assert!(!allows(
        &domain,
        Task,
        "es:ESHttpPost",
        "arn:aws:es:us-east-1:111122223333:domain/my-logs/_bulk"
    ));
    assert!(!allows(&domain, Task, "es:ESHttpPut", bulk));
    let aoss = plan_doc(&fargate(
        &out("Name: opensearch, Host: 1a2b3c4d5e.eu-west-1.aoss.amazonaws.com, AWS_Auth: \"On\", AWS_Service_Name: aoss"),
        "",
    ));
    assert!(allows(
        &aoss,
        Task,
        "aoss:APIAccessAll",
        "arn:aws:aoss:eu-west-1:111122223333:collection/1a2b3c4d5e"
    ));
    assert!(!allows(
        &aoss,
        Task,
        "aoss:APIAccessAll",
        "arn:aws:aoss:eu-west-1:111122223333:collection/other"
    ));
    assert!(aoss
        .findings
        .iter()
        .any(|f| f.message.contains("data access policy")));
    // A collection endpoint signed for es: refused by the collection, said at the option.
    let unsigned_for = plan_doc(&fargate(
        &out("Name: opensearch, Host: 1a2b3c4d5e.eu-west-1.aoss.amazonaws.com, AWS_Auth: \"On\""),
        "",
    ));
    assert!(unsigned_for
        .findings
        .iter()
        .any(|f| f.path.ends_with(".AWS_Service_Name")));
    // Not signed: no IAM at all. A custom endpoint: unknown domain, nothing guessed.
    let off = plan_doc(&fargate(
        &out("Name: es, Host: search-my-logs-abc.us-east-1.es.amazonaws.com"),
        "",
    ));
    assert!(off.role(Task).is_none());
    let custom = plan_doc(&fargate(
        &out("Name: es, Host: logs.example.com, AWS_Auth: \"On\""),
        "",
    ));
    assert!(custom.role(Task).is_none());
    assert!(custom
        .findings
        .iter()
        .any(|f| f.path.ends_with(".Host") && f.message.contains("not a domain endpoint")));
    // AWS_Role_ARN: Fluent Bit signs as that role; the task role may only assume it.
    let assumed = plan_doc(&fargate(
        &out("Name: opensearch, Host: search-my-logs-abc123.us-east-1.es.amazonaws.com, AWS_Auth: \"On\", AWS_Role_ARN: \"arn:aws:iam::444455556666:role/log-writer\""),
        "",
    ));
    assert!(allows(
        &assumed,
        Task,
        "sts:AssumeRole",
        "arn:aws:iam::444455556666:role/log-writer"
    ));
    assert!(!allows(
        &assumed,
        Task,
        "es:ESHttpPost",
        "arn:aws:es:us-east-1:111122223333:domain/my-logs/_bulk"
    ));
    let said = assumed
        .findings
        .iter()
        .find(|f| f.path.ends_with(".AWS_Role_ARN"))
        .expect("said");
    assert!(said.message.contains("that role needs es:ESHttpPost on arn:aws:es:us-east-1:444455556666:domain/my-logs/_bulk"), "{}", said.message);
    // A role_arn that is not a role: an error at the option, nothing assumed.
    let bad = plan_doc(&fargate(&out("Name: kinesis_firehose, region: us-east-1, delivery_stream: s, role_arn: arn:aws:s3:::bucket"), ""));
    assert!(has_error_at(
        &bad,
        "taskDefinition.containerDefinitions[0].logConfiguration.options.role_arn"
    ));
}

/// The AWS X-Ray daemon, recognised by its image in any registry
/// (https://docs.aws.amazon.com/xray/latest/devguide/xray-daemon-ecs.html): the task role gets
/// AWSXRayDaemonWriteAccess's actions, said to come from the image; look-alikes get nothing.
#[test]
fn the_xray_daemon_is_recognised_by_its_image_and_writes_traces_with_the_task_role() {
    let with = |image: &str| {
        plan_doc(&fargate(
            &format!("    - {{name: app, image: nginx}}\n    - {{name: xray, image: \"{image}\"}}"),
            "",
        ))
    };
    for image in [
        "amazon/aws-xray-daemon",
        "public.ecr.aws/xray/aws-xray-daemon:3.3.12",
        "111122223333.dkr.ecr.us-east-1.amazonaws.com/mirror/aws-xray-daemon@sha256:0123",
    ] {
        let p = with(image);
        for a in [
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
            "xray:GetSamplingStatisticSummaries",
        ] {
            assert!(allows(&p, Task, a, "*"), "{image}: {a}");
        }
        assert!(!allows(&p, Task, "xray:DeleteSamplingRule", "*"), "{image}");
        let s = role(&p, Task).inline_policies[0]
            .document
            .statements
            .iter()
            .find(|s| s.sid == "XRayDaemonWrite")
            .unwrap();
        assert!(
            s.reasons
                .iter()
                .any(|r| r.contains("is the AWS X-Ray daemon")),
            "{:?}",
            s.reasons
        );
    }
    for image in [
        "amazon/aws-xray-daemon-fork",
        "example/xray",
        "aws-xray-daemonx:1",
    ] {
        assert!(with(image).role(Task).is_none(), "{image}");
    }
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
    assert!(allows(
        &p,
        Task,
        "s3:GetBucketLocation",
        "arn:aws:s3:::audit"
    ));
    let off = plan_doc(&fargate("    - {name: a, image: nginx}", ""));
    assert!(off.role(Task).is_none());
}

// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html:
// DEFAULT (also when nothing is set) "The awslogs configuration in the task definition is used";
// ecs-exec.html gives the task role the logs actions for Exec logging.
#[test]
fn ecs_exec_default_logging_writes_each_awslogs_group_with_the_task_role_and_none_writes_nothing() {
    let group = "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/w:*";
    for cfg in [
        "",
        "clusterConfiguration:\n  executeCommandConfiguration: {logging: DEFAULT}\n",
    ] {
        let p = plan_doc(&fargate(
            AWSLOGS,
            &format!("{cfg}service: {{enableExecuteCommand: true}}"),
        ));
        assert!(allows(&p, Task, "logs:PutLogEvents", group), "{cfg}");
        assert!(allows(&p, Task, "logs:CreateLogStream", group), "{cfg}");
        assert!(allows(&p, Task, "logs:DescribeLogGroups", "*"), "{cfg}");
        // Only that group: not the execution role's grant copied wholesale.
        assert!(!allows(&p, Task, "logs:CreateLogGroup", group));
    }
    let none = "clusterConfiguration:\n  executeCommandConfiguration: {logging: NONE}\nservice: {enableExecuteCommand: true}";
    let p = plan_doc(&fargate(AWSLOGS, none));
    assert!(!has_stmt(&p, Task, "EcsExecDefaultLogging"));
    assert!(!has_stmt(&p, Task, "EcsExecDescribeLogGroups"));
}

// ecs-exec.html, "Using IAM policies to limit access to ECS Exec" and the KMS section: the user
// running execute-command needs ecs:ExecuteCommand (the reference: on the cluster and the task)
// and, with the cluster's key, kms:GenerateDataKey on it.
#[test]
fn ecs_exec_caller_policy_opens_sessions_on_this_clusters_tasks_with_its_key() {
    let p = plan_doc(&fargate(
        "    - {name: a, image: nginx}",
        "service: {enableExecuteCommand: true}",
    ));
    let doc = p
        .companions
        .exec_caller_policy
        .as_ref()
        .expect("a policy for the Exec user");
    let s = &doc.statements[0];
    assert_eq!(s.actions, ["ecs:DescribeTasks", "ecs:ExecuteCommand"]);
    assert_eq!(
        s.resources,
        [
            "arn:aws:ecs:us-east-1:111122223333:cluster/c",
            "arn:aws:ecs:us-east-1:111122223333:task/c/*"
        ]
    );
    assert_eq!(doc.statements.len(), 1, "no key, no GenerateDataKey");
    let cfg = format!("service: {{enableExecuteCommand: true}}\nclusterConfiguration:\n  executeCommandConfiguration: {{kmsKeyId: {KEY}}}");
    let p = plan_doc(&fargate("    - {name: a, image: nginx}", &cfg));
    let doc = p.companions.exec_caller_policy.as_ref().expect("policy");
    assert_eq!(doc.statements[1].actions, ["kms:GenerateDataKey"]);
    assert_eq!(doc.statements[1].resources, [KEY]);
    // ECS Exec off: nothing for anyone to run.
    assert!(plan_doc(&fargate(ECR, ""))
        .companions
        .exec_caller_policy
        .is_none());
}

// ---- EFS (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html) --------

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

// aws-for-fluent-bit's init image downloads the aws_fluent_bit_init_s3_* files with the task
// role: https://github.com/aws/aws-for-fluent-bit/tree/mainline/use_cases/init-process-for-fluent-bit
#[test]
fn fluent_bit_init_config_files_are_read_with_the_task_role_exactly() {
    let c = "    - name: log_router\n      image: public.ecr.aws/aws-observability/aws-for-fluent-bit:init-latest\n      environment:\n        - {name: aws_fluent_bit_init_s3_1, value: \"arn:aws:s3:::cfg/fb/in.conf\"}\n        - {name: aws_fluent_bit_init_S3_2, value: \"arn:aws:s3:::cfg/fb/upper.conf\"}\n        - {name: aws_fluent_bit_init_file_1, value: /ecs/s3.conf}\n        - {name: OTHER, value: \"arn:aws:s3:::cfg/fb/other.conf\"}";
    let p = plan_doc(&fargate(c, ""));
    assert!(permits(
        &p,
        Task,
        "s3:GetObject",
        "arn:aws:s3:::cfg/fb/in.conf"
    ));
    assert!(permits(
        &p,
        Task,
        "s3:GetBucketLocation",
        "arn:aws:s3:::cfg"
    ));
    // The init process matches aws_fluent_bit_init_[sS]3 anywhere in the name.
    assert!(permits(
        &p,
        Task,
        "s3:GetObject",
        "arn:aws:s3:::cfg/fb/upper.conf"
    ));
    assert!(!permits(
        &p,
        Task,
        "s3:GetObject",
        "arn:aws:s3:::cfg/fb/other.conf"
    ));
    assert!(!permits(&p, Task, "s3:GetObject", "arn:aws:s3:::cfg/fb/*"));
    assert_eq!(stmt(&p, Task, "FluentBitInitS3Config").doc.as_ref() as &str, "https://github.com/aws/aws-for-fluent-bit/tree/mainline/use_cases/init-process-for-fluent-bit");
    // Not an S3 object ARN: said at the variable.
    let bad = plan_doc(&fargate(
        &c.replace("arn:aws:s3:::cfg/fb/in.conf", "s3://cfg/fb/in.conf"),
        "",
    ));
    assert!(
        has_error_at(
            &bad,
            "taskDefinition.containerDefinitions[0].environment[0].value"
        ),
        "{:?}",
        errors(&bad)
    );
}

/// The ADOT collector (recognised by its image) gets what its configuration exports: the
/// image's own files (aws-observability/aws-otel-collector config/ecs at ed0b1d5), read from
/// `--config`; anything else is said, not guessed
/// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/trace-data.html).
#[test]
fn the_adot_collector_gets_what_its_configuration_exports() {
    let collector = |extra: &str| {
        format!("    - name: otel\n      image: public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0\n{extra}")
    };
    let warned = |p: &ecsroles_core::model::RolePlan, text: &str| {
        p.findings.iter().any(|f| f.message.contains(text))
    };
    let app_metrics =
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/ecs/application/metrics:*";
    // (`allows` compares resources exactly; tests/realworld evaluates them like IAM.)
    // No command: the image's CMD, /etc/otel-config.yaml (X-Ray with sampling, EMF /metrics/…).
    let default = plan_doc(&fargate(&collector(""), ""));
    for action in [
        "xray:PutTraceSegments",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
    ] {
        assert!(allows(&default, Task, action, "*"), "{action}");
    }
    let default_group = "arn:aws:logs:us-east-1:111122223333:log-group:/metrics/*:*";
    assert!(allows(&default, Task, "logs:PutLogEvents", default_group));
    assert!(!allows(
        &default,
        TaskExecution,
        "xray:PutTraceSegments",
        "*"
    ));
    // Both spellings of the flag; ecs-xray.yaml has no awsxray receiver: no sampling relay.
    for command in [
        "[\"--config=/etc/ecs/ecs-xray.yaml\"]",
        "[\"--config\", \"/etc/ecs/ecs-xray.yaml\"]",
    ] {
        let xray = plan_doc(&fargate(
            &collector(&format!("      command: {command}")),
            "",
        ));
        assert!(
            allows(&xray, Task, "xray:PutTraceSegments", "*"),
            "{command}"
        );
        assert!(
            !allows(&xray, Task, "xray:GetSamplingRules", "*"),
            "{command}"
        );
        assert!(
            !allows(&xray, Task, "logs:PutLogEvents", app_metrics),
            "{command}"
        );
    }
    let cw = plan_doc(&fargate(
        &collector("      command: [\"--config=/etc/ecs/ecs-cloudwatch.yaml\"]"),
        "",
    ));
    assert!(allows(&cw, Task, "logs:PutLogEvents", app_metrics));
    assert!(!allows(&cw, Task, "xray:PutTraceSegments", "*"));
    // Prometheus: exactly the workspace in AWS_PROMETHEUS_ENDPOINT, in its Region.
    let amp = |env: &str| {
        plan_doc(&fargate(
            &collector(&format!(
                "      command: [\"--config=/etc/ecs/ecs-amp.yaml\"]\n{env}"
            )),
            "",
        ))
    };
    let with_endpoint = amp("      environment: [{name: AWS_PROMETHEUS_ENDPOINT, value: \"https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-12ab/api/v1/remote_write\"}]");
    let ws = "arn:aws:aps:eu-west-1:111122223333:workspace/ws-12ab";
    assert!(allows(&with_endpoint, Task, "aps:RemoteWrite", ws));
    assert!(!allows(
        &with_endpoint,
        Task,
        "aps:RemoteWrite",
        "arn:aws:aps:eu-west-1:111122223333:workspace/ws-other"
    ));
    let without = amp("");
    assert!(!allows(&without, Task, "aps:RemoteWrite", "*"));
    assert!(warned(&without, "AWS_PROMETHEUS_ENDPOINT is not set"));
    let bad = amp("      environment: [{name: AWS_PROMETHEUS_ENDPOINT, value: \"http://prometheus:9090/api/v1/write\"}]");
    assert!(bad
        .findings
        .iter()
        .any(|f| f.severity == ecsroles_core::model::Severity::Error
            && f.path.ends_with("environment[0].value")));
    // Configuration the plan cannot see: said, nothing granted.
    for (extra, said) in [
        (
            "      command: [\"--config=/etc/custom/otel.yaml\"]",
            "/etc/custom/otel.yaml, which is not one of its image's ECS configuration files",
        ),
        (
            "      secrets: [{name: AOT_CONFIG_CONTENT, valueFrom: otel-config}]",
            "AOT_CONFIG_CONTENT",
        ),
        (
            "      environment: [{name: AOT_CONFIG_CONTENT, value: \"receivers: {}\"}]",
            "AOT_CONFIG_CONTENT",
        ),
    ] {
        let p = plan_doc(&fargate(&collector(extra), ""));
        assert!(warned(&p, said), "{extra}");
        assert!(!allows(&p, Task, "xray:PutTraceSegments", "*"), "{extra}");
    }
    let templated = plan_doc(&fargate(&collector("      command: [\"{{command}}\"]"), ""));
    assert!(templated
        .findings
        .iter()
        .any(|f| f.severity == ecsroles_core::model::Severity::Error
            && f.path.ends_with("command[0]")));
    assert!(!allows(&templated, Task, "xray:PutTraceSegments", "*"));
    // The instance-metrics file reads an EC2 container instance: on Fargate it exports nothing.
    let instance =
        collector("      command: [\"--config=/etc/ecs/otel-instance-metrics-config.yaml\"]");
    let perf =
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/ecs/containerinsights/c/performance:*";
    let on_fargate = plan_doc(&fargate(&instance, ""));
    assert!(warned(&on_fargate, "which a FARGATE task does not run on"));
    assert!(!allows(&on_fargate, Task, "logs:PutLogEvents", perf));
    let on_ec2 = plan_doc(&with_launch("EC2", "bridge", &instance, ""));
    assert!(allows(&on_ec2, Task, "logs:PutLogEvents", perf));
    assert!(allows(&on_ec2, Task, "ec2:DescribeTags", "*"));
    assert!(allows(&on_ec2, Task, "ec2:DescribeVolumes", "*"));
    assert!(!allows(&default, Task, "ec2:DescribeTags", "*"));
    // Several files: the collector merges them, the plan grants them all.
    let both = plan_doc(&fargate(&collector("      command: [\"--config=/etc/ecs/ecs-xray.yaml\", \"-config=/etc/ecs/ecs-cloudwatch.yaml\"]"), ""));
    assert!(allows(&both, Task, "xray:PutTraceSegments", "*"));
    assert!(allows(&both, Task, "logs:PutLogEvents", app_metrics));
    // Another argument is said; a placeholder in it does not hide the --config after it.
    let set = plan_doc(&fargate(&collector("      command: [\"--set=service.telemetry.logs.level=${LVL}\", \"--config=/etc/ecs/ecs-xray.yaml\"]"), ""));
    assert!(allows(&set, Task, "xray:PutTraceSegments", "*"));
    assert!(warned(
        &set,
        "--set=service.telemetry.logs.level=${LVL} is not read"
    ));
    // A command without --config replaces the image's CMD: no file to read.
    for command in ["[\"--set=x=1\"]", "[\"--config\"]"] {
        let p = plan_doc(&fargate(
            &collector(&format!("      command: {command}")),
            "",
        ));
        assert!(warned(&p, "started without --config"), "{command}");
        assert!(!allows(&p, Task, "xray:PutTraceSegments", "*"), "{command}");
    }
    // A command that is not a list (a template's parameter) is said, and the file still plans.
    let odd = plan_doc(&fargate(
        &collector("      command: \"--config=/etc/ecs/ecs-xray.yaml\""),
        "",
    ));
    assert!(warned(&odd, "not a list of strings"));
    // Only AWS's endpoint names a workspace.
    let foreign = amp("      environment: [{name: AWS_PROMETHEUS_ENDPOINT, value: \"https://aps-workspaces.us-east-1.example.com/workspaces/ws-1/api/v1/remote_write\"}]");
    assert!(!allows(
        &foreign,
        Task,
        "aps:RemoteWrite",
        "arn:aws:aps:us-east-1:111122223333:workspace/ws-1"
    ));
    assert!(foreign
        .findings
        .iter()
        .any(|f| f.severity == ecsroles_core::model::Severity::Error));
}

/// A Fluentd output with a static access key signs as that key's IAM user, not the task role
/// (rules::FLUENTD_STATIC_KEY); with tags on a log group it creates, it also tags it
/// (CreateLogGroup's `tags` need logs:TagResource, per the CloudWatch Logs API reference).
#[test]
fn fluentd_static_keys_and_log_group_tags() {
    let out = |opts: &str| {
        format!("    - name: app\n      image: nginx\n      logConfiguration: {{logDriver: awsfirelens, options: {{\"@type\": cloudwatch_logs, region: us-east-1, log_group_name: /fl, log_stream_name: app, {opts}}}}}")
    };
    let group = "arn:aws:logs:us-east-1:111122223333:log-group:/fl:*";
    let keyed = plan_doc(&fargate(
        &out("aws_key_id: AKIAEXAMPLE, aws_sec_key: secret"),
        "",
    ));
    assert!(!allows(&keyed, Task, "logs:PutLogEvents", group));
    let w = warnings(&keyed);
    assert!(
        w.iter().any(|f| f.contains("options.aws_key_id")
            && f.contains("logs:DescribeLogStreams, logs:PutLogEvents on")),
        "{w:?}"
    );
    // An EcsRoleSet keeps that there is a key (the plan depends on it), not the key.
    let doc = fargate(
        &out("aws_key_id: AKIAEXAMPLE, aws_sec_key: wJalrSECRET"),
        "",
    );
    let (spec, _) = ecsroles_core::parse_document(&doc).expect("parse");
    let format = ecsroles_core::render::Format::Ecsroleset;
    let rendered = ecsroles_core::render::render(format, &spec, &ecsroles_core::plan(&spec));
    assert!(
        !rendered.contains("wJalrSECRET") && rendered.contains("aws_sec_key"),
        "{rendered}"
    );
    let (back, _) = ecsroles_core::parse_document(&rendered).expect("EcsRoleSet");
    assert!(!allows(
        &ecsroles_core::plan(&back),
        Task,
        "logs:PutLogEvents",
        group
    ));
    // Only with both key options; aws_use_sts comes first (the task role assumes the role).
    let id_only = plan_doc(&fargate(&out("aws_key_id: AKIAEXAMPLE"), ""));
    assert!(allows(&id_only, Task, "logs:PutLogEvents", group));
    let sts = plan_doc(&fargate(&out("aws_key_id: AKIAEXAMPLE, aws_sec_key: secret, aws_use_sts: \"true\", aws_sts_role_arn: \"arn:aws:iam::222233334444:role/logs\""), ""));
    assert!(allows(
        &sts,
        Task,
        "sts:AssumeRole",
        "arn:aws:iam::222233334444:role/logs"
    ));
    // The secret key in secretOptions is a key all the same.
    let hidden = format!("{}\n        secretOptions: [{{name: aws_sec_key, valueFrom: \"arn:aws:ssm:us-east-1:111122223333:parameter/k\"}}]", out("aws_key_id: AKIAEXAMPLE").replace("}}", "}"));
    let hidden = plan_doc(&fargate(
        &hidden
            .replace(
                "logConfiguration: {logDriver",
                "logConfiguration:\n        logDriver",
            )
            .replace(", options: {", "\n        options: {"),
        "",
    ));
    assert!(
        !allows(&hidden, Task, "logs:PutLogEvents", group),
        "{:?}",
        warnings(&hidden)
    );
    assert!(
        warnings(&hidden).iter().any(|w| w.contains(
            "output cloudwatch_logs signs with the static access key in options.aws_key_id"
        )),
        "{:?}",
        warnings(&hidden)
    );
    // s3 signs with the key too: nothing on the task role.
    let s3 = "    - name: app\n      image: nginx\n      logConfiguration: {logDriver: awsfirelens, options: {\"@type\": s3, s3_bucket: logs-bucket, s3_region: us-east-1, path: app/, aws_key_id: AKIAEXAMPLE, aws_sec_key: secret}}";
    let s3 = plan_doc(&fargate(s3, ""));
    assert!(!allows(
        &s3,
        Task,
        "s3:PutObject",
        "arn:aws:s3:::logs-bucket/app/*"
    ));
    assert!(
        warnings(&s3)
            .iter()
            .any(|w| w.contains("s3:PutObject on arn:aws:s3:::logs-bucket/app/*")),
        "{:?}",
        warnings(&s3)
    );
    let plain = plan_doc(&fargate(&out("auto_create_stream: \"true\""), ""));
    assert!(allows(&plain, Task, "logs:PutLogEvents", group));
    assert!(!allows(&plain, Task, "logs:TagResource", group));
    let tagged = plan_doc(&fargate(
        &out("auto_create_stream: \"true\", log_group_aws_tags: '{\"team\": \"shop\"}'"),
        "",
    ));
    assert!(allows(&tagged, Task, "logs:TagResource", group));
    assert!(allows(
        &tagged,
        Task,
        "logs:TagResource",
        group.trim_end_matches(":*")
    ));
    // Tags only matter when the plugin creates the group.
    let existing = plan_doc(&fargate(
        &out("log_group_aws_tags: '{\"team\": \"shop\"}'"),
        "",
    ));
    assert!(!allows(&existing, Task, "logs:TagResource", group));
}

/// The CloudWatch agent (recognised by its image): its ECS default configuration is planned;
/// a configuration file or CW_CONFIG_CONTENT is said (aws/amazon-cloudwatch-agent at ab55b8d:
/// files in /etc/cwagentconfig first, then CW_CONFIG_CONTENT, then USE_DEFAULT_CONFIG).
#[test]
fn the_cloudwatch_agent_gets_its_default_configuration_and_says_the_rest() {
    let agent = |extra: &str| {
        format!("    - name: cwagent\n      image: public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300032.3b392\n{extra}")
    };
    let default = "      environment: [{name: USE_DEFAULT_CONFIG, value: \"True\"}]";
    let perf =
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/ecs/containerinsights/c/performance:*";
    let said = |p: &ecsroles_core::model::RolePlan, text: &str| {
        p.findings.iter().any(|f| f.message.contains(text))
    };
    let on_ec2 = plan_doc(&with_launch("EC2", "bridge", &agent(default), ""));
    assert!(allows(&on_ec2, Task, "logs:PutLogEvents", perf));
    assert!(allows(&on_ec2, Task, "ec2:DescribeTags", "*"));
    assert!(!allows(&on_ec2, TaskExecution, "logs:PutLogEvents", perf));
    // On Fargate there is no container instance to measure.
    let on_fargate = plan_doc(&fargate(&agent(default), ""));
    assert!(!allows(&on_fargate, Task, "logs:PutLogEvents", perf));
    assert!(said(&on_fargate, "which a FARGATE task does not run on"));
    let anywhere = plan_doc(&with_launch("EXTERNAL", "bridge", &agent(default), ""));
    assert!(!allows(&anywhere, Task, "ec2:DescribeTags", "*"));
    // The agent compares USE_DEFAULT_CONFIG exactly: "true" selects its host-metrics default.
    let lower = agent("      environment: [{name: USE_DEFAULT_CONFIG, value: \"true\"}]");
    let lower = plan_doc(&with_launch("EC2", "bridge", &lower, ""));
    assert!(!allows(&lower, Task, "logs:PutLogEvents", perf));
    assert!(said(&lower, "USE_DEFAULT_CONFIG=true selects"));
    // Without a cluster the group's cluster is any: "default" is only an assumption.
    let any =
        plan_doc(&with_launch("EC2", "bridge", &agent(default), "").replace("cluster: c\n", ""));
    let any_cluster =
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/ecs/containerinsights/*/performance:*";
    assert!(allows(&any, Task, "logs:PutLogEvents", any_cluster));
    // CW_CONFIG_CONTENT comes before the default: a configuration that sends nothing gets
    // nothing, whatever USE_DEFAULT_CONFIG says.
    let content = agent("      environment: [{name: CW_CONFIG_CONTENT, value: '{\"metrics\":{}}'}, {name: USE_DEFAULT_CONFIG, value: \"True\"}]");
    let content = plan_doc(&with_launch("EC2", "bridge", &content, ""));
    assert!(!allows(&content, Task, "logs:PutLogEvents", perf));
    assert!(content
        .role(Task)
        .map_or(true, |r| statements(r).is_empty()));
    // Configuration the plan cannot read: said, nothing granted — in the agent's own order.
    for (extra, text) in [
        ("      secrets: [{name: CW_CONFIG_CONTENT, valueFrom: ecs-cwagent}]\n      environment: [{name: USE_DEFAULT_CONFIG, value: \"True\"}]", "from CW_CONFIG_CONTENT, which ecsroles does not read (a secret"),
        ("      mountPoints: [{sourceVolume: cfg, containerPath: /etc/cwagentconfig}]\n      environment: [{name: USE_DEFAULT_CONFIG, value: \"True\"}]", "mounted at /etc/cwagentconfig"),
        ("      mountPoints: [{sourceVolume: cfg, containerPath: /etc/cwagentconfig/agent.json}]", "mounted at /etc/cwagentconfig"),
        ("", "built-in host-metrics default"),
        ("      environment: [{name: USE_DEFAULT_CONFIG, value: otel}]", "USE_DEFAULT_CONFIG=otel selects"),
    ] {
        let p = plan_doc(&with_launch("EC2", "bridge", &agent(extra), ""));
        assert!(said(&p, text), "{extra}");
        assert!(!allows(&p, Task, "logs:PutLogEvents", perf), "{extra}");
        assert!(!allows(&p, Task, "ec2:DescribeTags", "*"), "{extra}");
    }
}

/// CW_CONFIG_CONTENT in `environment` is read section by section, as the agent's translator
/// reads it (aws/amazon-cloudwatch-agent at ab55b8d; see `rules::cloudwatch_agent`).
#[test]
fn the_cloudwatch_agent_plans_the_sections_of_its_cw_config_content() {
    let plan_with = |launch: &str, config: &str| {
        let yaml = serde_json::to_string(config).unwrap();
        let c = format!("    - name: cwagent\n      image: public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300071.0\n      environment: [{{name: CW_CONFIG_CONTENT, value: {yaml}}}]");
        plan_doc(&with_launch(launch, "awsvpc", &c, ""))
    };
    let said = |p: &ecsroles_core::model::RolePlan, text: &str| {
        p.findings.iter().any(|f| f.message.contains(text))
    };
    let namespace = |p: &ecsroles_core::model::RolePlan| {
        let s = stmt(p, Task, "CloudWatchAgentMetrics");
        assert_eq!(s.resources, ["*"]);
        s.conditions["StringEquals"]["cloudwatch:namespace"].clone()
    };
    // metrics: one namespace, CWAgent unless the configuration names one.
    let statsd =
        r#"{"metrics": {"namespace": "shop/StatsD", "metrics_collected": {"statsd": {}}}}"#;
    assert_eq!(namespace(&plan_with("FARGATE", statsd)), ["shop/StatsD"]);
    let default = r#"{"metrics": {"metrics_collected": {"collectd": {}}}}"#;
    assert_eq!(namespace(&plan_with("FARGATE", default)), ["CWAgent"]);
    // Nothing collected, nothing sent.
    let idle = plan_with("FARGATE", r#"{"metrics": {"namespace": "x"}}"#);
    assert!(idle.role(Task).map_or(true, |r| statements(r).is_empty()));
    // logs: each file's group (named, or its path without the extension; the agent's
    // run-time placeholders as *), retention only when asked, in agent.region.
    let files = r#"{"agent": {"region": "eu-west-1"}, "logs": {"logs_collected": {"files": {"collect_list": [
        {"file_path": "/var/log/app/access.log", "log_group_name": "/shop/{instance_id}/access", "retention_in_days": 7},
        {"file_path": "/var/log/app/error.log"}]}}}}"#;
    let p = plan_with("FARGATE", files);
    let group = |name: &str| format!("arn:aws:logs:eu-west-1:111122223333:log-group:{name}:*");
    for action in [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ] {
        assert!(
            allows(&p, Task, action, &group("/shop/*/access")),
            "{action}"
        );
        assert!(
            allows(&p, Task, action, &group("/var/log/app/error")),
            "{action}"
        );
    }
    assert!(allows(
        &p,
        Task,
        "logs:PutRetentionPolicy",
        &group("/shop/*/access")
    ));
    assert!(!allows(
        &p,
        Task,
        "logs:PutRetentionPolicy",
        &group("/var/log/app/error")
    ));
    assert!(allows(&p, Task, "logs:DescribeLogGroups", "*"));
    assert!(!allows(
        &p,
        Task,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/var/log/app/error:*"
    ));
    // traces: X-Ray segments; the xray receiver also relays sampling, OTLP alone does not.
    let xray = plan_with(
        "FARGATE",
        r#"{"traces": {"traces_collected": {"xray": {}}}}"#,
    );
    assert!(allows(&xray, Task, "xray:PutTraceSegments", "*"));
    assert!(allows(&xray, Task, "xray:GetSamplingRules", "*"));
    let otlp = plan_with(
        "FARGATE",
        r#"{"traces": {"traces_collected": {"otlp": {}}}}"#,
    );
    assert!(allows(&otlp, Task, "xray:PutTelemetryRecords", "*"));
    assert!(!allows(&otlp, Task, "xray:GetSamplingRules", "*"));
    // An assumed role: the task role may assume it, the section's calls are that role's.
    let assumed = r#"{"agent": {"credentials": {"role_arn": "arn:aws:iam::222222222222:role/metrics-writer"}},
        "metrics": {"metrics_collected": {"statsd": {}}},
        "logs": {"credentials": {"role_arn": "arn:aws:iam::222222222222:role/logs-writer"}, "logs_collected": {"files": {"collect_list": [{"file_path": "/a.log"}]}}}}"#;
    let p = plan_with("FARGATE", assumed);
    assert!(allows(
        &p,
        Task,
        "sts:AssumeRole",
        "arn:aws:iam::222222222222:role/metrics-writer"
    ));
    assert!(allows(
        &p,
        Task,
        "sts:AssumeRole",
        "arn:aws:iam::222222222222:role/logs-writer"
    ));
    assert!(!allows(&p, Task, "cloudwatch:PutMetricData", "*"));
    assert!(!allows(
        &p,
        Task,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/a:*"
    ));
    assert!(said(
        &p,
        "sends its logs section as arn:aws:iam::222222222222:role/logs-writer"
    ));
    // logs.metrics_collected.ecs: the instance metrics, on EC2 only.
    let ecs = r#"{"logs": {"metrics_collected": {"ecs": {}}}}"#;
    let perf =
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/ecs/containerinsights/c/performance:*";
    assert!(allows(
        &plan_with("EC2", ecs),
        Task,
        "logs:PutLogEvents",
        perf
    ));
    let fargate_ecs = plan_with("FARGATE", ecs);
    assert!(!allows(&fargate_ecs, Task, "logs:PutLogEvents", perf));
    assert!(said(&fargate_ecs, "which a FARGATE task does not run on"));
    // What the plan cannot know is said, and granted nothing.
    for (config, text) in [
        (
            r#"{"logs": {"metrics_collected": {"emf": {}}}}"#,
            "each payload names at run time",
        ),
        (
            r#"{"logs": {"metrics_collected": {"prometheus": {"ecs_service_discovery": {}}}}}"#,
            "scrapes Prometheus metrics",
        ),
        (
            r#"{"traces": {"traces_collected": {"application_signals": {}}}, "logs": {"metrics_collected": {"application_signals": {}}}}"#,
            "runs Application Signals",
        ),
        (
            r#"{"csm": {}}"#,
            "has a section csm the agent does not know",
        ),
        (
            r#"{"logs": {"logs_collected": {"files": {"collect_list": [{"encoding": "utf-8"}]}}}}"#,
            "without file_path",
        ),
    ] {
        let p = plan_with("FARGATE", config);
        assert!(said(&p, text), "{config}");
        assert!(
            p.role(Task).map_or(true, |r| statements(r).is_empty()),
            "{config}"
        );
    }
    // Application Signals is said once for its two halves.
    let signals = plan_with(
        "FARGATE",
        r#"{"traces": {"traces_collected": {"application_signals": {}}}, "logs": {"metrics_collected": {"application_signals": {}}}}"#,
    );
    assert_eq!(
        signals
            .findings
            .iter()
            .filter(|f| f.message.contains("Application Signals"))
            .count(),
        1
    );
    // It sends with the task role all the same: the role is planned (its grants are the user's).
    assert!(signals.role(Task).is_some());
    assert!(signals.absent.iter().all(|a| a.kind != Task));
    // The agent's own ${aws:…} and a regular expression's (?P<name>…) are not template
    // placeholders: read as written. AutoScalingGroupName reads the instance's tags (EC2 only).
    let dims = r#"{"metrics": {"append_dimensions": {"InstanceId": "${aws:InstanceId}", "AutoScalingGroupName": "${aws:AutoScalingGroupName}"},
        "metrics_collected": {"mem": {}}},
        "logs": {"logs_collected": {"files": {"collect_list": [{"file_path": "/var/log/app/.trace", "timestamp_format": "%H", "multi_line_start_pattern": "(?P<ts>\\d+)"}]}}}}"#;
    let on_ec2 = plan_with("EC2", dims);
    assert!(errors(&on_ec2).is_empty(), "{:?}", errors(&on_ec2));
    assert!(!said(&on_ec2, "placeholder"));
    assert!(allows(&on_ec2, Task, "ec2:DescribeTags", "*"));
    assert_eq!(namespace(&on_ec2), ["CWAgent"]);
    // Go's filepath.Ext takes a dot file's whole name: the group is the directory.
    let dot = "arn:aws:logs:us-east-1:111122223333:log-group:/var/log/app/:*";
    assert!(allows(&on_ec2, Task, "logs:PutLogEvents", dot));
    let on_fargate = plan_with("FARGATE", dims);
    assert!(!allows(&on_fargate, Task, "ec2:DescribeTags", "*"));
    assert!(said(
        &on_fargate,
        "which a FARGATE task has no EC2 instance to read"
    ));
    // A template variable in a string a grant uses is filled from the file's variables, and
    // named while it has no value.
    let templated = |vars: &str| {
        let c = "    - name: cwagent\n      image: amazon/cloudwatch-agent:latest\n      environment: [{name: CW_CONFIG_CONTENT, value: '{\"metrics\": {\"namespace\": \"${Env}/StatsD\", \"metrics_collected\": {\"statsd\": {}}}}'}]";
        plan_doc(&format!("{vars}{}", fargate(c, "")))
    };
    assert_eq!(
        namespace(&templated("variables: {Env: prod}\n")),
        ["prod/StatsD"]
    );
    let open = templated("");
    assert!(
        errors(&open).iter().any(|e| e.contains("${Env}")),
        "{:?}",
        errors(&open)
    );
    assert!(!allows(&open, Task, "cloudwatch:PutMetricData", "*"));
    // Only Amazon Managed Service for Prometheus: nothing to CloudWatch.
    for amp in [
        r#"{"metrics": {"metrics_collected": {"prometheus": {}}}}"#,
        r#"{"metrics": {"metrics_collected": {"cpu": {}}, "metrics_destinations": {"amp": {"workspace_id": "ws-1"}}}}"#,
    ] {
        let p = plan_with("EC2", amp);
        assert!(!allows(&p, Task, "cloudwatch:PutMetricData", "*"), "{amp}");
        assert!(said(&p, "Amazon Managed Service for Prometheus"), "{amp}");
    }
    // journald names its group; publish_multi_logs and a wildcard path without a group make
    // their groups at run time (said, the role still planned); file_path is required.
    let journald = plan_with(
        "EC2",
        r#"{"logs": {"logs_collected": {"journald": {"collect_list": [{"log_group_name": "/ecs/journal", "units": ["docker.service"]}]}}}}"#,
    );
    assert!(allows(
        &journald,
        Task,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/journal:*"
    ));
    for (config, text) in [
        (
            r#"{"logs": {"logs_collected": {"files": {"collect_list": [{"file_path": "/var/log/*.log", "publish_multi_logs": true, "log_group_name": "g"}]}}}}"#,
            "named at run time",
        ),
        (
            r#"{"logs": {"logs_collected": {"files": {"collect_list": [{"file_path": "/var/log/app-*.log"}]}}}}"#,
            "named at run time",
        ),
        (
            r#"{"logs": {"logs_collected": {"files": {"collect_list": [{"log_group_name": "g"}]}}}}"#,
            "without file_path",
        ),
    ] {
        let p = plan_with("EC2", config);
        assert!(said(&p, text), "{config}");
        assert!(
            p.role(Task).map_or(true, |r| statements(r).is_empty()),
            "{config}"
        );
    }
    // Not JSON: the agent cannot start, an error.
    let broken = plan_with("FARGATE", r#"{"metrics": "#);
    let e = errors(&broken);
    assert!(
        e.iter()
            .any(|m| m.contains("CW_CONFIG_CONTENT is not JSON")),
        "{e:?}"
    );
}

/// A real file (aws-app-mesh-examples' circuit-breakers template, tests/realworld): the
/// namespace is an Fn::Sub of the EnvironmentName parameter, and the grant holds to exactly it
/// (the realworld suite's allows/denies do not look at conditions).
#[test]
fn the_cloudwatch_agent_of_a_real_template_sends_to_its_templated_namespace() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/realworld/aws-appmesh-circuit-breakers-cwagent-statsd"
    );
    let text = std::fs::read_to_string(format!("{dir}/ecs-service.yaml")).expect("the real file");
    let opts = ecsroles_core::ParseOptions {
        vars: [("EnvironmentName".to_string(), "howto-cb".to_string())].into(),
    };
    let (mut spec, _) = ecsroles_core::parse_document_with(&text, &opts).expect("reads");
    spec.account = Some("111122223333".into());
    spec.region = Some("us-west-2".into());
    let p = ecsroles_core::plan(&spec);
    let s = stmt(&p, Task, "CloudWatchAgentMetrics");
    assert_eq!(s.actions, ["cloudwatch:PutMetricData"]);
    assert_eq!(
        s.conditions["StringEquals"]["cloudwatch:namespace"],
        ["howto-cb/colorteller-white/StatsD"]
    );
}

/// App Mesh's Envoy (discontinued 2026-09-30: a warning, no grant) is recognised by its image
/// or, whatever the image (a mirror, a template parameter), by APPMESH_RESOURCE_ARN or
/// APPMESH_VIRTUAL_NODE_NAME, which App Mesh requires of every Envoy container
/// (https://docs.aws.amazon.com/app-mesh/latest/userguide/envoy-config.html). Another Envoy,
/// without those variables, is not App Mesh's.
#[test]
fn app_mesh_envoy_is_recognised_by_image_or_by_its_required_variable() {
    let envoy = |image: &str, env: &str| {
        format!(
            "    - name: app\n      image: nginx\n    - name: envoy\n      image: {image}\n{env}"
        )
    };
    let warned = |p: &ecsroles_core::model::RolePlan| {
        p.findings.iter().any(|f| {
            f.path.ends_with("containerDefinitions[1]")
                && f.message.contains("discontinued App Mesh on 2026-09-30")
        })
    };
    let by_image = plan_doc(&fargate(
        &envoy(
            "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
            "",
        ),
        "",
    ));
    assert!(warned(&by_image));
    for var in ["APPMESH_RESOURCE_ARN", "APPMESH_VIRTUAL_NODE_NAME"] {
        let env = format!("      environment: [{{name: {var}, value: mesh/m/virtualNode/vn}}]");
        let mirrored = plan_doc(&fargate(
            &envoy("registry.example.com/mirror/envoy:1", &env),
            "",
        ));
        assert!(warned(&mirrored), "{var}");
        assert!(mirrored.findings.iter().any(|f| f
            .message
            .contains(&format!("envoy (recognised by {var}) is App Mesh's Envoy"))));
        assert!(!mirrored
            .roles
            .iter()
            .any(|r| r.inline_policies.iter().any(|p| p
                .document
                .statements
                .iter()
                .any(|s| s.actions.iter().any(|a| a.starts_with("appmesh:"))))));
    }
    let other = plan_doc(&fargate(
        &envoy(
            "envoyproxy/envoy:v1.29",
            "      environment: [{name: ENVOY_LOG_LEVEL, value: debug}]",
        ),
        "",
    ));
    assert!(!warned(&other));
    // An EcsRoleSet keeps the variable's name (it decides the plan), not its value.
    let td: ecsroles_core::taskdef::TaskDefinition = serde_json::from_str(
        r#"{"containerDefinitions": [{"name": "envoy", "image": "x", "environment": [{"name": "APPMESH_RESOURCE_ARN", "value": "arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualNode/vn"}, {"name": "OTHER", "value": "v"}]}]}"#,
    )
    .unwrap();
    let kept = serde_json::to_string(&td).unwrap();
    assert!(
        kept.contains("APPMESH_RESOURCE_ARN")
            && !kept.contains("virtualNode")
            && !kept.contains("OTHER"),
        "{kept}"
    );
}
