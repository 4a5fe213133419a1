//! Property tests: `plan` never panics on arbitrary input, is deterministic, and never puts
//! `Resource: "*"` on an action that accepts resource ARNs unless the user wrote it.

mod common;

use ecsroles_core::model::Provisioning;
use ecsroles_core::rules::WILDCARD_ONLY_ACTIONS;
use ecsroles_core::spec::*;
use ecsroles_core::taskdef::*;
use ecsroles_core::{parse_document, plan};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Strings that look like the things users write (ARNs, images, names) and junk around them.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9/_.:-]{0,24}",
        "\\PC{0,16}",
        Just("arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf:k::".to_string()),
        Just("arn:aws:ssm:us-east-1:111122223333:parameter/x".to_string()),
        Just("arn:aws:s3:::bucket/key.env".to_string()),
        Just("arn:aws:kms:us-east-1:111122223333:key/k".to_string()),
        Just("111122223333.dkr.ecr.us-east-1.amazonaws.com/repo:tag".to_string()),
        Just("222233334444.dkr.ecr.eu-west-1.amazonaws.com/a/b@sha256:00".to_string()),
        Just("arn:".to_string()),
        Just("arn:aws:::::::".to_string()),
        Just("*".to_string()),
        Just("${AWS::Region}".to_string()),
    ]
}

fn options() -> impl Strategy<Value = Options> {
    prop::collection::btree_map(
        prop_oneof![
            Just("awslogs-group".to_string()),
            Just("awslogs-create-group".to_string()),
            Just("awslogs-region".to_string()),
            Just("Name".to_string()),
            Just("config-file-type".to_string()),
            Just("config-file-value".to_string()),
            Just("delivery_stream".to_string()),
            Just("log_group_name".to_string()),
            Just("bucket".to_string())
        ],
        prop_oneof![
            text().prop_map(serde_json::Value::from),
            any::<bool>().prop_map(serde_json::Value::from),
            Just(serde_json::Value::from("s3")),
            Just(serde_json::Value::from("cloudwatch_logs")),
            Just(serde_json::Value::Null)
        ],
        0..5,
    )
}

fn secret() -> impl Strategy<Value = Secret> {
    (text(), text()).prop_map(|(name, value_from)| Secret { name, value_from })
}

fn container() -> impl Strategy<Value = ContainerDefinition> {
    (
        text(),
        text(),
        prop::option::of(text().prop_map(|c| RepositoryCredentials {
            credentials_parameter: c,
        })),
        prop::collection::vec(secret(), 0..3),
        prop::collection::vec(
            (text(), prop_oneof![Just("s3".to_string()), text()])
                .prop_map(|(value, kind)| EnvironmentFile { value, kind }),
            0..2,
        ),
        prop::option::of(
            (
                prop_oneof![
                    Just("awslogs".to_string()),
                    Just("awsfirelens".to_string()),
                    text()
                ],
                options(),
                prop::collection::vec(secret(), 0..2),
            )
                .prop_map(|(log_driver, options, secret_options)| LogConfiguration {
                    log_driver,
                    options,
                    secret_options,
                }),
        ),
        prop::option::of(options().prop_map(|options| FirelensConfiguration {
            kind: "fluentbit".into(),
            options,
        })),
        prop::collection::vec(
            (text(), any::<bool>()).prop_map(|(v, read_only)| MountPoint {
                source_volume: v,
                container_path: "/d".into(),
                read_only,
            }),
            0..2,
        ),
    )
        .prop_map(
            |(
                name,
                image,
                repository_credentials,
                secrets,
                environment_files,
                log_configuration,
                firelens_configuration,
                mount_points,
            )| ContainerDefinition {
                name,
                image,
                repository_credentials,
                secrets,
                environment_files,
                log_configuration,
                firelens_configuration,
                mount_points,
                ..Default::default()
            },
        )
}

fn volume() -> impl Strategy<Value = Volume> {
    let efs = (
        text(),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(prop_oneof![Just("ENABLED".to_string()), text()]),
    );
    (text(), any::<bool>(), prop::option::of(efs)).prop_map(|(name, configured_at_launch, efs)| {
        Volume {
            name,
            configured_at_launch,
            docker_volume_configuration: None,
            fsx_windows_file_server_volume_configuration: None,
            host: None,
            efs_volume_configuration: efs.map(|(fs, transit, ap, iam)| EfsVolumeConfiguration {
                file_system_id: fs,
                transit_encryption: transit,
                authorization_config: Some(EfsAuthorizationConfig {
                    access_point_id: ap,
                    iam,
                }),
            }),
        }
    })
}

fn access() -> impl Strategy<Value = AccessIntent> {
    prop_oneof![
        (text(), text()).prop_map(|(bucket, prefix)| AccessIntent {
            s3: Some(S3Access {
                bucket,
                prefix,
                access: ReadWrite::ReadWrite
            }),
            ..Default::default()
        }),
        text().prop_map(|table| AccessIntent {
            dynamodb: Some(DynamodbAccess {
                table,
                access: ReadOrReadWrite::ReadWrite,
                indexes: true
            }),
            ..Default::default()
        }),
        text().prop_map(|queue| AccessIntent {
            sqs: Some(SqsAccess {
                queue,
                access: QueueAccess::ConsumeProduce
            }),
            ..Default::default()
        }),
        text().prop_map(|topic| AccessIntent {
            sns: Some(SnsAccess { topic }),
            ..Default::default()
        }),
        text().prop_map(|key| AccessIntent {
            kms: Some(KmsAccess {
                key,
                access: KmsUse::EncryptDecrypt
            }),
            ..Default::default()
        }),
        text().prop_map(|secret| AccessIntent {
            secrets_manager: Some(SecretAccess { secret }),
            ..Default::default()
        }),
        text().prop_map(|parameter| AccessIntent {
            ssm: Some(SsmAccess { parameter }),
            ..Default::default()
        }),
        Just(AccessIntent::default()),
    ]
}

fn role_config() -> impl Strategy<Value = RoleConfig> {
    (
        prop::option::of(any::<bool>()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(any::<i64>()),
        prop::collection::btree_map(text(), text(), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(
                create,
                existing_arn,
                name,
                name_prefix,
                path,
                max_session_duration,
                tags,
                shared,
            )| RoleConfig {
                create,
                existing_arn,
                name,
                name_prefix,
                path,
                permissions_boundary: None,
                max_session_duration,
                tags,
                statements: vec![],
                managed_policies: vec![],
                shared,
            },
        )
}

prop_compose! {
    fn spec()(
        name in prop::option::of(text()),
        account in prop::option::of(prop_oneof![Just("111122223333".to_string()), text()]),
        region in prop::option::of(prop_oneof![Just("us-east-1".to_string()), Just("cn-north-1".to_string()), text()]),
        cluster in prop::option::of(text()),
        launch_type in prop::option::of(prop::sample::select(LaunchType::ALL.to_vec())),
        network_mode in prop::option::of(prop_oneof![Just("awsvpc".to_string()), Just("bridge".to_string()), text()]),
        compat in prop::collection::vec(prop_oneof![Just("FARGATE".to_string()), Just("EC2".to_string()), text()], 0..3),
        containers in prop::collection::vec(container(), 0..4),
        volumes in prop::collection::vec(volume(), 0..3),
        exec in any::<bool>(),
        lbs in prop::collection::vec(text().prop_map(|t| LoadBalancer { target_group_arn: Some(t), ..Default::default() }), 0..3),
        vol_cfg in prop::collection::vec((text(), prop::option::of(text())).prop_map(|(name, kms_key_id)| ServiceVolumeConfiguration { name, managed_ebs_volume: Some(ManagedEbsVolume { kms_key_id, ..Default::default() }) }), 0..2),
        keys in prop::collection::vec((text(), text()).prop_map(|(f, key)| KeyBinding { for_resources: f, key }), 0..3),
        access in prop::collection::vec(access(), 0..4),
        task_role in role_config(),
        exec_role in role_config(),
    ) -> EcsRoleSetSpec {
        EcsRoleSetSpec {
            name, account, region, partition: None, cluster, launch_type,
            task_definition: TaskDefinition { network_mode, requires_compatibilities: compat, container_definitions: containers, volumes, ..Default::default() },
            service: Some(ServiceSpec { enable_execute_command: exec, load_balancers: lbs, volume_configurations: vol_cfg, ..Default::default() }),
            cluster_configuration: None,
            keys,
            app: AppSpec { access, statements: vec![], managed_policies: vec![] },
            roles: RolesConfig { task: task_role, task_execution: exec_role, ..Default::default() },
            ..Default::default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, .. ProptestConfig::default() })]

    #[test]
    fn plan_never_panics_and_is_deterministic(s in spec()) {
        let a = plan(&s);
        let b = plan(&s);
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }

    #[test]
    fn no_star_resource_on_resource_scoped_actions(s in spec()) {
        let p = plan(&s);
        for r in p.roles.iter().filter(|r| r.provisioning != Provisioning::ServiceLinked) {
            for pol in &r.inline_policies {
                for st in &pol.document.statements {
                    let user_written = st.reasons.iter().any(|x| x.contains(".statements["));
                    if user_written || !st.resources.iter().any(|x| x == "*") {
                        continue;
                    }
                    for a in &st.actions {
                        prop_assert!(WILDCARD_ONLY_ACTIONS.contains(&a.as_ref()), "{} on * in {} ({:?})", a, st.sid, r.kind);
                    }
                }
            }
        }
    }

    #[test]
    fn parse_document_never_panics_on_arbitrary_text(t in "\\PC{0,200}") {
        let _ = parse_document(&t);
    }

    #[test]
    fn parse_document_never_panics_on_json_shaped_text(t in "\\{(\"[a-zA-Z]{1,12}\": ?(\"[^\"]{0,10}\"|[0-9]{1,4}|true|null|\\[\\]|\\{\\}), ?){0,6}\\}") {
        let _ = parse_document(&t);
    }
}

/// A generated spec serialises to YAML and back to the same plan (the EcsRoleSet round trip).
#[test]
fn spec_round_trips_through_yaml() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..200 {
        let s = spec().new_tree(&mut runner).expect("tree").current();
        let yaml = serde_yaml::to_string(&s).expect("yaml");
        let back: EcsRoleSetSpec =
            serde_yaml::from_str(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        assert_eq!(
            serde_json::to_string(&plan(&s)).unwrap(),
            serde_json::to_string(&plan(&back)).unwrap()
        );
    }
}
