//! The benchmark workload, shared by the criterion bench and `examples/plan_loop.rs`.

use ecsroles_core::{parse_document, EcsRoleSetSpec};

/// Builds the benchmark spec: 10 containers with the features that drive IAM.
pub fn ten_container_spec() -> EcsRoleSetSpec {
    let mut containers = String::new();
    for i in 0..10 {
        containers.push_str(&format!(
            r#"
    - name: c{i}
      image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/team/svc-{i}:1.{i}.0
      logConfiguration:
        logDriver: {driver}
        options: {{awslogs-group: /ecs/bench/c{i}, awslogs-region: us-east-1, Name: kinesis_firehose, delivery_stream: s{i}}}
      secrets:
        - {{name: DB, valueFrom: "arn:aws:secretsmanager:us-east-1:111122223333:secret:bench/db-{i}-AbCdEf:password::"}}
        - {{name: FLAG, valueFrom: /bench/flags/c{i}}}
      environmentFiles: [{{value: "arn:aws:s3:::bench-config/c{i}.env", type: s3}}]
      mountPoints: [{{sourceVolume: shared, containerPath: /shared, readOnly: {ro}}}]
"#,
            driver = if i % 3 == 0 { "awsfirelens" } else { "awslogs" },
            ro = i % 2 == 0,
        ));
    }
    let doc = format!(
        r#"name: bench
account: "111122223333"
region: us-east-1
cluster: prod
launchType: FARGATE
taskDefinition:
  family: bench
  networkMode: awsvpc
  containerDefinitions:{containers}
  volumes:
    - name: shared
      efsVolumeConfiguration: {{fileSystemId: fs-1, transitEncryption: ENABLED, authorizationConfig: {{accessPointId: fsap-1, iam: ENABLED}}}}
service: {{enableExecuteCommand: true}}
keys:
  - {{for: "arn:aws:secretsmanager:*:*:secret:bench/*", key: "arn:aws:kms:us-east-1:111122223333:key/k1"}}
app:
  access:
    - s3: {{bucket: bench-data, prefix: in/, access: read-write}}
    - sqs: {{queue: bench-jobs, access: consume}}
    - dynamodb: {{table: bench, access: read-write, indexes: true}}
"#
    );
    parse_document(&doc).expect("benchmark spec parses").0
}

/// A typical 10-container task: an app and nine sidecars, each with a private ECR image and
/// awslogs into one log group, secrets on two containers, a task role with two app grants.
pub fn typical_ten_container_spec() -> EcsRoleSetSpec {
    let mut containers = String::new();
    for i in 0..10 {
        let secrets = if i < 2 {
            format!("\n      secrets:\n        - {{name: A, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:app/c{i}-AbCdEf\"}}\n        - {{name: B, valueFrom: /app/c{i}/b}}")
        } else {
            String::new()
        };
        containers.push_str(&format!(
            "\n    - name: c{i}\n      image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/app/c{i}:1.0.{i}\n      logConfiguration: {{logDriver: awslogs, options: {{awslogs-group: /ecs/app, awslogs-region: us-east-1, awslogs-stream-prefix: c{i}}}}}{secrets}"
        ));
    }
    let doc = format!(
        "name: app\naccount: \"111122223333\"\nregion: us-east-1\ncluster: prod\nlaunchType: FARGATE\ntaskDefinition:\n  family: app\n  networkMode: awsvpc\n  containerDefinitions:{containers}\napp:\n  access:\n    - s3: {{bucket: app-data, prefix: in/, access: read}}\n    - sqs: {{queue: app-jobs, access: consume}}\n"
    );
    parse_document(&doc).expect("typical spec parses").0
}
