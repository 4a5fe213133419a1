//! Rules of `plan/assemble.rs` and `plan/companions.rs`: trust, per-role knobs, existing roles, PassRole, context, limits and infeasible combinations.

use super::*;

// ---- Trust (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html) ---

/// The role of `kind` trusts `principal` only from this account (aws:SourceAccount) and from
/// `source` (aws:SourceArn, ArnLike).
fn assert_confused_deputy(
    p: &ecsroles_core::RolePlan,
    kind: ecsroles_core::RoleKind,
    principal: &str,
    source: &str,
) {
    let t = &role(p, kind)
        .trust_policy
        .as_ref()
        .expect("trust")
        .statements[0];
    assert_eq!(t.principal, Some(Principal::Service(principal.into())));
    assert_eq!(
        t.conditions["StringEquals"]["aws:SourceAccount"],
        vec!["111122223333"]
    );
    assert_eq!(t.conditions["ArnLike"]["aws:SourceArn"], vec![source]);
}

#[test]
fn task_role_trust_has_confused_deputy_conditions_at_account_and_region_level() {
    let p = plan_doc(&fargate(ECR, "app:\n  access:\n    - sns: {topic: t}"));
    assert_confused_deputy(
        &p,
        Task,
        "ecs-tasks.amazonaws.com",
        "arn:aws:ecs:us-east-1:111122223333:*",
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

/// Offered, not default: `executionRoleTrustConditions` gives the execution role the task
/// role's conditions (AWS documents them for the task role only).
#[test]
fn execution_role_trust_conditions_are_an_explicit_choice() {
    let p = plan_doc(&fargate(ECR, "executionRoleTrustConditions: true"));
    assert_confused_deputy(
        &p,
        TaskExecution,
        "ecs-tasks.amazonaws.com",
        "arn:aws:ecs:us-east-1:111122223333:*",
    );
    let t = &role(&p, TaskExecution)
        .trust_policy
        .as_ref()
        .expect("trust")
        .statements[0];
    assert!(t.why.contains("executionRoleTrustConditions"), "{}", t.why);
    // The task role's are unchanged.
    assert_confused_deputy(
        &plan_doc(&fargate(
            ECR,
            "executionRoleTrustConditions: true\napp:\n  access:\n    - sns: {topic: t}",
        )),
        Task,
        "ecs-tasks.amazonaws.com",
        "arn:aws:ecs:us-east-1:111122223333:*",
    );
}

// ---- Infeasible combinations ------------------------------------------------------------------

// https://docs.aws.amazon.com/systems-manager/latest/userguide/hybrid-multicloud-service-role.html:
// the hybrid activation's role trusts ssm.amazonaws.com with aws:SourceAccount and aws:SourceArn
// (Systems Manager in this account and Region); ECS's Anywhere page shows the trust bare.
#[test]
fn the_anywhere_instance_role_trusts_this_accounts_systems_manager_only() {
    let p = plan_doc(&with_launch("EXTERNAL", "bridge", ECR, ""));
    assert_confused_deputy(
        &p,
        ContainerInstance,
        "ssm.amazonaws.com",
        "arn:aws:ssm:us-east-1:111122223333:*",
    );
    // EC2 instances: EC2's trust, no such conditions documented.
    let p = plan_doc(&with_launch("EC2", "bridge", ECR, ""));
    let t = &role(&p, ContainerInstance)
        .trust_policy
        .as_ref()
        .expect("trust")
        .statements[0];
    assert!(t.conditions.is_empty());
}

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

// ---- Fargate ephemeral storage key (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-create-storage-key.html)

const STORAGE_KEY: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn storage_key(key: &str, extra: &str) -> String {
    fargate(ECR, &format!("clusterConfiguration:\n  managedStorageConfiguration:\n    fargateEphemeralStorageKmsKeyId: \"{key}\"\n{extra}"))
        .replace("cluster: c\n", "cluster: cluster-name\n")
}

/// The key-policy statements for fargate.amazonaws.com, as (actions, conditions) pairs.
fn fargate_statements(
    p: &ecsroles_core::RolePlan,
    key: &str,
) -> Vec<(Vec<String>, serde_json::Value)> {
    p.companions
        .kms_key_policies
        .iter()
        .filter(|k| k.resource == key)
        .flat_map(|k| &k.document.statements)
        .filter(|s| s.principal == Some(Principal::Service("fargate.amazonaws.com".into())))
        .map(|s| {
            let mut a: Vec<String> = s.actions.iter().map(|x| x.to_string()).collect();
            a.sort();
            (a, serde_json::to_value(&s.conditions).unwrap())
        })
        .collect()
}

/// AWS CDK writes the same key policy for a cluster's Fargate storage key (its integration
/// test's template, tests/oracles/aws-cdk-fargate-ephemeral-storage-key): both statements,
/// their actions and every condition, for the cluster and account the template names.
#[test]
fn fargate_storage_key_policy_is_what_aws_cdk_writes() {
    let path = repo_root().join("tests/oracles/aws-cdk-fargate-ephemeral-storage-key/aws-ecs-ephemmeral-integ-named-cluster.template.json");
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cdk: Vec<(Vec<String>, serde_json::Value)> = t["Resources"]["keyFEDD6EC0"]["Properties"]
        ["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Principal"]["Service"] == "fargate.amazonaws.com")
        .map(|s| {
            let mut a: Vec<String> = match &s["Action"] {
                serde_json::Value::String(x) => vec![x.clone()],
                v => v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect(),
            };
            a.sort();
            // {"Ref": "AWS::AccountId"} is this plan's account; single values as one-item lists.
            let text = s["Condition"]
                .to_string()
                .replace(r#"{"Ref":"AWS::AccountId"}"#, r#""111122223333""#);
            let mut c: serde_json::Value = serde_json::from_str(&text).unwrap();
            for op in c.as_object_mut().unwrap().values_mut() {
                for v in op.as_object_mut().unwrap().values_mut() {
                    if !v.is_array() {
                        *v = serde_json::Value::Array(vec![v.clone()]);
                    }
                }
            }
            (a, c)
        })
        .collect();
    assert_eq!(cdk.len(), 2, "the oracle has both statements");
    let p = plan_doc(&storage_key(STORAGE_KEY, ""));
    assert!(errors(&p).is_empty(), "{:?}", errors(&p));
    let mut ours = fargate_statements(&p, STORAGE_KEY);
    let mut theirs = cdk;
    ours.sort_by_key(|(a, _)| a.clone());
    theirs.sort_by_key(|(a, _)| a.clone());
    assert_eq!(ours, theirs);
}

#[test]
fn fargate_storage_key_limits_are_errors_at_the_field_and_other_launch_types_get_none() {
    let field = "clusterConfiguration.managedStorageConfiguration.fargateEphemeralStorageKmsKeyId";
    for bad in [
        "arn:aws:kms:us-east-1:111122223333:alias/storage",
        "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
    ] {
        let p = plan_doc(&storage_key(bad, ""));
        assert!(has_error_at(&p, field), "{bad}: {:?}", errors(&p));
        assert!(p
            .companions
            .kms_key_policies
            .iter()
            .all(|k| k.resource != bad));
    }
    // Windows tasks: not available.
    let win = storage_key(STORAGE_KEY, "").replace("  networkMode: awsvpc\n", "  networkMode: awsvpc\n  runtimePlatform: {operatingSystemFamily: WINDOWS_SERVER_2022_CORE}\n");
    assert!(has_error_at(&plan_doc(&win), field));
    // A key id (CloudFormation's Ref of the key) is the key of this account and region.
    let p = plan_doc(&storage_key("1234abcd-12ab-34cd-56ef-1234567890ab", ""));
    assert_eq!(fargate_statements(&p, STORAGE_KEY).len(), 2);
    // EC2 tasks do not use it: said, nothing to add.
    let ec2 = with_launch("EC2", "bridge", ECR, &format!("clusterConfiguration:\n  managedStorageConfiguration:\n    fargateEphemeralStorageKmsKeyId: \"{STORAGE_KEY}\""));
    let p = plan_doc(&ec2);
    assert!(fargate_statements(&p, STORAGE_KEY).is_empty());
    assert!(
        p.findings.iter().any(|f| f.path == field),
        "{:?}",
        p.findings
    );
}

/// `roles.<kind>` planning another role than the file names: ECS uses the named role, which the
/// plan would not cover — a warning at the named field. The same role (by name or ARN, any
/// case) or a placeholder there (what the setting fills in) says nothing.
#[test]
fn a_roles_setting_that_replaces_the_role_the_file_names_is_said_at_that_field() {
    let td = |exec: &str, roles: &str| {
        fargate(ECR, roles).replace(
            "  family: w\n",
            &format!("  family: w\n  executionRoleArn: \"{exec}\"\n"),
        )
    };
    let at = "taskDefinition.executionRoleArn";
    let warned = |p: &ecsroles_core::model::RolePlan| warnings(p).iter().any(|w| w.starts_with(at));
    let other = plan_doc(&td(
        "arn:aws:iam::111122223333:role/named-exec",
        "roles: {taskExecution: {existingArn: \"arn:aws:iam::111122223333:role/other-exec\"}}",
    ));
    assert!(warned(&other), "{:?}", warnings(&other));
    let created = plan_doc(&td(
        "arn:aws:iam::111122223333:role/named-exec",
        "roles: {taskExecution: {create: true}}",
    ));
    assert!(warned(&created), "{:?}", warnings(&created));
    let same = plan_doc(&td(
        "Named-Exec",
        "roles: {taskExecution: {existingArn: \"arn:aws:iam::111122223333:role/named-exec\"}}",
    ));
    assert!(!warned(&same), "{:?}", warnings(&same));
    let placeholder = plan_doc(&td(
        "${EXECUTION_ROLE_ARN}",
        "roles: {taskExecution: {existingArn: \"arn:aws:iam::111122223333:role/exec\"}}",
    ));
    assert!(!warned(&placeholder), "{:?}", warnings(&placeholder));
}
