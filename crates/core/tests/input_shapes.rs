//! Real-world input: the shapes people paste and what the plan must make of them (issue
//! "Real-world input"). One test per behaviour; the corpus in `tests/realworld/` checks the
//! same on files written by others.

mod common;

use std::collections::BTreeMap;

use common::*;
use ecsroles_core::model::{Provisioning, RoleKind, Severity};
use ecsroles_core::{parse_document, parse_document_with, plan, ParseOptions, RolePlan};

fn plan_with(text: &str, vars: &[(&str, &str)]) -> RolePlan {
    let opts = ParseOptions {
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    };
    let (spec, _) = parse_document_with(text, &opts).unwrap_or_else(|e| panic!("{e}"));
    plan(&spec)
}

fn finding_with(p: &RolePlan, sev: Severity, text: &str) -> bool {
    p.findings
        .iter()
        .any(|f| f.severity == sev && (f.message.contains(text) || f.path.contains(text)))
}

fn inferred(p: &RolePlan, fact: &str) -> String {
    p.inferred
        .iter()
        .find(|i| i.fact == fact)
        .map(|i| format!("{} <- {}", i.value, i.from))
        .unwrap_or_default()
}

/// Every resource of every inline statement: what reaches IAM (reasons quote the input as is).
fn resources(p: &RolePlan) -> String {
    p.roles
        .iter()
        .flat_map(|r| statements(r).into_iter().flat_map(|s| s.resources.clone()))
        .collect::<Vec<_>>()
        .join(" ")
}

const ECR_IMAGE: &str = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1";

// ---- 1. Launch type from what the file says -------------------------------------------------

#[test]
fn no_requires_compatibilities_plans_for_ec2_and_says_so_first() {
    let p = plan_doc(&format!(
        r#"{{"family":"w","containerDefinitions":[{{"name":"a","image":"{ECR_IMAGE}"}}]}}"#
    ));
    assert_eq!(p.launch_type.as_str(), "EC2");
    assert_eq!(p.network_mode, "bridge");
    assert!(inferred(&p, "launchType").contains("ECS registers it for EC2"));
    assert!(warnings(&p).iter().any(|w| w.starts_with("launchType:")));
    // On EC2 without an execution role, the instance role pulls.
    assert!(permits(
        &p,
        RoleKind::ContainerInstance,
        "ecr:BatchGetImage",
        "arn:aws:ecr:eu-west-1:111122223333:repository/web"
    ));
    assert!(p.role(RoleKind::TaskExecution).is_none());
    assert!(!has_error_at(&p, "taskDefinition.networkMode"));
}

#[test]
fn describe_output_compatibilities_decide_when_requires_is_absent() {
    let p = plan_doc(
        r#"{"taskDefinition":{"family":"w","networkMode":"awsvpc","compatibilities":["EC2","FARGATE"],"containerDefinitions":[{"name":"a","image":"nginx"}]}}"#,
    );
    assert_eq!(p.launch_type.as_str(), "EC2");
    assert!(inferred(&p, "launchType").contains("compatibilities [EC2, FARGATE]"));
    assert!(warnings(&p)
        .iter()
        .any(|w| w.contains("several launch types")));
}

#[test]
fn fields_fargate_cannot_run_rule_it_out_and_are_errors_when_it_is_required() {
    // GPU: a file allowing both runs on EC2.
    let gpu = r#"{"family":"g","requiresCompatibilities":["FARGATE","EC2"],"networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"nginx","resourceRequirements":[{"type":"GPU","value":"1"}]}]}"#;
    assert_eq!(plan_doc(gpu).launch_type.as_str(), "EC2");
    let forced = gpu.replace(r#"["FARGATE","EC2"]"#, r#"["FARGATE"]"#);
    let p = plan_doc(&forced);
    assert!(
        has_error_at(
            &p,
            "taskDefinition.containerDefinitions[0].resourceRequirements[0]"
        ),
        "{:?}",
        errors(&p)
    );
    // Host path bind mounts, placement constraints, FSx for Windows.
    for (field, path) in [
        (
            r#""volumes":[{"name":"v","host":{"sourcePath":"/data"}}]"#,
            "taskDefinition.volumes[0].host.sourcePath",
        ),
        (
            r#""placementConstraints":[{"type":"memberOf","expression":"attribute:x == y"}]"#,
            "taskDefinition.placementConstraints",
        ),
        (
            r#""volumes":[{"name":"v","fsxWindowsFileServerVolumeConfiguration":{"fileSystemId":"fs-1"}}]"#,
            "taskDefinition.volumes[0].fsxWindowsFileServerVolumeConfiguration",
        ),
    ] {
        let td = format!(
            r#"{{"family":"h","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc",{field},"containerDefinitions":[{{"name":"a","image":"nginx"}}]}}"#
        );
        assert!(has_error_at(&plan_doc(&td), path), "{field}");
        let open = td.replace(r#""requiresCompatibilities":["FARGATE"],"#, "");
        let p = plan_doc(&open);
        assert_eq!(p.launch_type.as_str(), "EC2", "{field}");
        assert!(!has_error_at(&p, path), "{field}");
    }
    // networkMode none: no public task definition of that kind was found for the corpus, so
    // this hand-written case stands in: it rules Fargate out, EC2 runs it.
    let none = r#"{"family":"n","requiresCompatibilities":["FARGATE","EC2"],"networkMode":"none","containerDefinitions":[{"name":"a","image":"nginx"}]}"#;
    assert_eq!(plan_doc(none).launch_type.as_str(), "EC2");
    // Host network mode is an error on Fargate, not on EC2.
    let host = r#"{"family":"n","networkMode":"host","containerDefinitions":[{"name":"a","image":"nginx"}]}"#;
    let p = plan_doc(host);
    assert_eq!(p.launch_type.as_str(), "EC2");
    assert!(!has_error_at(&p, "taskDefinition.networkMode"));
}

// ---- 2. Roles the task definition names ------------------------------------------------------

#[test]
fn named_roles_are_the_roles_used_with_a_policy_named_after_the_workload() {
    let td = format!(
        r#"{{"family":"shop","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc",
        "executionRoleArn":"arn:aws:iam::111122223333:role/ecsTaskExecutionRole",
        "containerDefinitions":[{{"name":"a","image":"{ECR_IMAGE}"}}]}}"#
    );
    let p = plan_doc(&td);
    let x = role(&p, RoleKind::TaskExecution);
    assert_eq!(x.provisioning, Provisioning::Existing);
    assert_eq!(x.arn, "arn:aws:iam::111122223333:role/ecsTaskExecutionRole");
    assert_eq!(x.inline_policies[0].name, "ecsroles-shop-execution");
    assert!(
        x.trust_policy.is_none(),
        "never a create-role for a role that exists"
    );
    // Another workload on the same shared role gets its own policy name.
    let other = plan_doc(&td.replace("\"shop\"", "\"cart\""));
    assert_ne!(
        role(&other, RoleKind::TaskExecution).inline_policies[0].name,
        x.inline_policies[0].name
    );
    // Asking for a new role still works.
    let spec = format!(
        "launchType: FARGATE\nroles: {{taskExecution: {{create: true, name: shop-exec}}}}\ntaskDefinition: {}",
        td.replace('\n', " ")
    );
    assert_eq!(
        role(&plan_doc(&spec), RoleKind::TaskExecution).provisioning,
        Provisioning::Create
    );
}

#[test]
fn one_role_as_task_and_execution_role_gets_both_sets_without_an_error() {
    let td = format!(
        r#"{{"family":"one","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc",
        "executionRoleArn":"arn:aws:iam::111122223333:role/app","taskRoleArn":"arn:aws:iam::111122223333:role/app",
        "containerDefinitions":[{{"name":"a","image":"{ECR_IMAGE}"}}]}}"#
    );
    let p = plan_doc(&td);
    assert!(errors(&p).is_empty(), "{:?}", errors(&p));
    let (x, t) = (role(&p, RoleKind::TaskExecution), role(&p, RoleKind::Task));
    assert_eq!(x.arn, t.arn);
    assert_ne!(
        x.inline_policies[0].name,
        t.inline_policies
            .first()
            .map(|i| i.name.clone())
            .unwrap_or_default()
    );
}

#[test]
fn a_missing_execution_role_quotes_the_error_ecs_gives() {
    let td = format!(
        r#"{{"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc",
        "containerDefinitions":[{{"name":"a","image":"{ECR_IMAGE}","secrets":[{{"name":"S","valueFrom":"arn:aws:ssm:eu-west-1:111122223333:parameter/s"}}]}}]}}"#
    );
    let p = plan_doc(&td);
    assert!(finding_with(
        &p,
        Severity::Warning,
        "Fargate requires task definition to have execution role ARN to support ECR images"
    ));
    assert!(finding_with(
        &p,
        Severity::Warning,
        "you must also specify a value for 'executionRoleArn'"
    ));
}

// ---- 3. Placeholders --------------------------------------------------------------------------

#[test]
fn documentation_stand_ins_become_the_plans_account_and_region() {
    let td = r#"{"family":"d","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","executionRoleArn":"arn:aws:iam::111122223333:role/x",
        "containerDefinitions":[{"name":"a","image":"aws_account_id.dkr.ecr.region.amazonaws.com/my-web-app:latest",
        "secrets":[{"name":"P","valueFrom":"arn:aws:secretsmanager:region:aws_account_id:secret:db-AbCdEf"}],
        "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/d","awslogs-region":"us-east-2"}}}]}"#;
    let p = plan_doc(td);
    assert!(permits(
        &p,
        RoleKind::TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws:ecr:us-east-2:111122223333:repository/my-web-app"
    ));
    assert!(permits(
        &p,
        RoleKind::TaskExecution,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-2:111122223333:secret:db-AbCdEf"
    ));
    assert!(finding_with(&p, Severity::Warning, "aws_account_id"));
    let resources = resources(&p);
    assert!(
        !resources.contains("aws_account_id") && !resources.contains(":region:"),
        "{resources}"
    );
}

#[test]
fn template_placeholders_are_reported_and_filled_from_vars() {
    let td = r#"{"family":"t","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","executionRoleArn":"{{ must_env `EXEC_ROLE` }}",
        "containerDefinitions":[{"name":"a","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/${REPO}:1",
        "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/$(ENV)","awslogs-region":"us-east-1"}}}]}"#;
    let p = plan_doc(td);
    assert!(
        has_error_at(&p, "taskDefinition.containerDefinitions[0].image"),
        "{:?}",
        p.findings
    );
    assert!(has_error_at(
        &p,
        "taskDefinition.containerDefinitions[0].logConfiguration.options.awslogs-group"
    ));
    assert!(finding_with(&p, Severity::Warning, "EXEC_ROLE"));
    let resources = resources(&p);
    assert!(
        !resources.contains("${REPO}") && !resources.contains("$(ENV)"),
        "{resources}"
    );
    let filled = plan_with(
        td,
        &[
            ("REPO", "web"),
            ("ENV", "prod"),
            ("EXEC_ROLE", "arn:aws:iam::111122223333:role/exec"),
        ],
    );
    assert!(errors(&filled).is_empty(), "{:?}", errors(&filled));
    assert!(permits(
        &filled,
        RoleKind::TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws:ecr:us-east-1:111122223333:repository/web"
    ));
    assert!(permits(
        &filled,
        RoleKind::TaskExecution,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/prod:log-stream:x"
    ));
    assert_eq!(
        role(&filled, RoleKind::TaskExecution).arn,
        "arn:aws:iam::111122223333:role/exec"
    );
}

#[test]
fn bare_envsubst_names_are_placeholders_never_parameter_names() {
    // aws-samples' ECS Anywhere workshop writes `$NAME` for envsubst: a secret given as
    // `$SECRET` had been planned as the SSM parameter `parameter/$SECRET`.
    let td = r#"{"family":"e","requiresCompatibilities":["EXTERNAL"],"executionRoleArn":"arn:aws:iam::111122223333:role/exec",
        "containerDefinitions":[{"name":"a","image":"$ECR_REPO:latest","secrets":[{"name":"S","valueFrom":"$SECRET"}]}]}"#;
    let p = plan_doc(td);
    assert!(
        has_error_at(
            &p,
            "taskDefinition.containerDefinitions[0].secrets[0].valueFrom"
        ),
        "{:?}",
        p.findings
    );
    let r = resources(&p);
    assert!(!r.contains("$SECRET") && !r.contains("$ECR_REPO"), "{r}");
    let filled = plan_with(
        td,
        &[
            (
                "SECRET",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
            ),
            (
                "ECR_REPO",
                "111122223333.dkr.ecr.us-east-1.amazonaws.com/web",
            ),
        ],
    );
    assert!(errors(&filled).is_empty(), "{:?}", errors(&filled));
    assert!(permits(
        &filled,
        RoleKind::TaskExecution,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"
    ));
    assert!(permits(
        &filled,
        RoleKind::TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws:ecr:us-east-1:111122223333:repository/web"
    ));
}

// ---- 4. Region and account from the file -----------------------------------------------------

#[test]
fn region_and_account_come_from_the_files_own_options_and_arns() {
    let td = r#"{"family":"r","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","executionRoleArn":"arn:aws:iam::444455556666:role/x",
        "containerDefinitions":[{"name":"a","image":"nginx","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g","awslogs-region":"ap-south-1"}}}]}"#;
    let p = plan_doc(td);
    assert_eq!(
        (p.region.as_str(), p.account.as_str(), p.partition.as_str()),
        ("ap-south-1", "444455556666", "aws")
    );
    assert!(inferred(&p, "region").contains("awslogs-region"));
    assert!(!warnings(&p)
        .iter()
        .any(|w| w.starts_with("region") || w.starts_with("account")));
}

// ---- 5. Shapes ---------------------------------------------------------------------------------

#[test]
fn console_exports_with_nulls_and_a_bom_read_as_task_definitions() {
    let td = "\u{feff}{\"family\":\"n\",\"taskRoleArn\":null,\"requiresCompatibilities\":[\"FARGATE\"],\"networkMode\":\"awsvpc\",\"executionRoleArn\":\"\",\"volumes\":[],\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"nginx\",\"secrets\":null,\"logConfiguration\":null,\"environmentFiles\":null,\"mountPoints\":null}]}";
    let (spec, _) = parse_document(td).expect("nulls are unset fields");
    assert!(spec.task_definition.execution_role_arn.is_none());
}

#[test]
fn a_terraform_container_array_and_a_string_array_are_read() {
    let arr = format!(r#"[{{"name":"a","image":"{ECR_IMAGE}"}}]"#);
    let p = plan_doc(&arr);
    assert!(p.findings.iter().any(|f| f.message.contains("bare array")));
    assert!(permits(
        &p,
        RoleKind::ContainerInstance,
        "ecr:BatchGetImage",
        "arn:aws:ecr:eu-west-1:111122223333:repository/web"
    ));
    let s = serde_json::json!({"family": "s", "containerDefinitions": arr}).to_string();
    assert_eq!(
        parse_document(&s)
            .unwrap()
            .0
            .task_definition
            .container_definitions
            .len(),
        1
    );
}

#[test]
fn a_cloudformation_template_in_yaml_with_short_intrinsics_plans() {
    let cfn = r#"AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  ImageTag: {Type: String}
Resources:
  ExecRole:
    Type: AWS::IAM::Role
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: cfn-web
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      ExecutionRoleArn: !GetAtt ExecRole.Arn
      ContainerDefinitions:
        - Name: web
          Image: !Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/web:${ImageTag}"
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: /ecs/cfn-web
              awslogs-region: !Ref AWS::Region
              awslogs-stream-prefix: web
"#;
    let (spec, _) = parse_document(cfn).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = spec;
    spec.account = Some("111122223333".into());
    spec.region = Some("eu-central-1".into());
    let p = plan(&spec);
    assert_eq!(p.workload, "cfn-web");
    assert!(p.findings.iter().any(|f| f
        .message
        .contains("AWS::ECS::TaskDefinition resource TaskDef")));
    assert!(permits(
        &p,
        RoleKind::TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws:ecr:eu-central-1:111122223333:repository/web"
    ));
    assert!(permits(
        &p,
        RoleKind::TaskExecution,
        "logs:PutLogEvents",
        "arn:aws:logs:eu-central-1:111122223333:log-group:/ecs/cfn-web:log-stream:web/web/1"
    ));
    assert!(errors(&p).is_empty(), "{:?}", errors(&p));
}

#[test]
fn a_templates_own_roles_with_a_role_name_are_the_roles_the_task_definition_names() {
    let cfn = r#"Resources:
  Exec:
    Type: AWS::IAM::Role
    Properties: {RoleName: shop-exec, Path: /ecs/}
  App:
    Type: AWS::IAM::Role
    Properties: {RoleName: shop-app}
  Unnamed:
    Type: AWS::IAM::Role
  Runner:
    Type: AWS::IAM::Role
    Properties: {RoleName: !Sub "shop-nightly-${AWS::StackName}"}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Sub "/ecs/${AWS::StackName}"}
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets:
        - Arn: arn:aws:ecs:us-east-1:111122223333:cluster/prod
          Id: run
          RoleArn: !GetAtt Runner.Arn
          EcsParameters: {TaskDefinitionArn: !Ref TaskDef}
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: shop
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      ExecutionRoleArn: !GetAtt Exec.Arn
      TaskRoleArn: {Ref: App}
      ContainerDefinitions:
        - Name: web
          Image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/shop:1
          LogConfiguration:
            LogDriver: awslogs
            Options: {awslogs-group: !Ref Logs, awslogs-region: us-east-1, awslogs-stream-prefix: web}
"#;
    let opts = ParseOptions {
        vars: [("AWS::StackName".to_string(), "prod".to_string())].into(),
    };
    let (mut spec, _) = parse_document_with(cfn, &opts).unwrap_or_else(|e| panic!("{e}"));
    spec.account = Some("111122223333".into());
    let p = plan(&spec);
    // A log group the template names: its Ref is that name.
    assert!(permits(
        &p,
        RoleKind::TaskExecution,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/prod:log-stream:web/web/1"
    ));
    let exec = role(&p, RoleKind::TaskExecution);
    assert_eq!(
        (exec.arn.as_str(), exec.provisioning),
        (
            "arn:aws:iam::111122223333:role/ecs/shop-exec",
            Provisioning::Existing
        )
    );
    let task = role(&p, RoleKind::Task);
    assert_eq!(
        (task.arn.as_str(), task.provisioning),
        (
            "arn:aws:iam::111122223333:role/shop-app",
            Provisioning::Existing
        )
    );
    assert!(permits(
        &p,
        RoleKind::TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws:ecr:us-east-1:111122223333:repository/shop"
    ));
    // The rule that launches it names its role the same way.
    let runner = role(&p, RoleKind::EventBridge);
    assert_eq!(
        (runner.arn.as_str(), runner.provisioning),
        (
            "arn:aws:iam::111122223333:role/shop-nightly-prod",
            Provisioning::Existing
        )
    );
    // A role without a RoleName gets its name at deploy time: still a placeholder.
    let unnamed = cfn.replace("!GetAtt Exec.Arn", "!GetAtt Unnamed.Arn");
    let (mut spec, _) = parse_document(&unnamed).unwrap_or_else(|e| panic!("{e}"));
    spec.account = Some("111122223333".into());
    let p = plan(&spec);
    assert_eq!(
        role(&p, RoleKind::TaskExecution).provisioning,
        Provisioning::Create
    );
    assert!(finding_with(&p, Severity::Warning, "Unnamed.Arn"));
}

#[test]
fn a_templates_named_target_group_scopes_the_service_role_to_it() {
    // aws-cloudformation-templates' ECS_Schedule_Example: `TargetGroupArn: !Ref ECSTG` of the
    // template's target group named ECSTG, whose ARN ends in an id made at creation.
    let cfn = r#"Resources:
  TG:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Name: web-tg, Port: 80, Protocol: HTTP}
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      RequiresCompatibilities: [EC2]
      ContainerDefinitions: [{Name: web, Image: nginx, Memory: 128, PortMappings: [{ContainerPort: 80}]}]
  Service:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref TaskDef
      Role: arn:aws:iam::111122223333:role/web-service
      LoadBalancers: [{ContainerName: web, ContainerPort: 80, TargetGroupArn: !Ref TG}]
"#;
    let (mut spec, _) = parse_document(cfn).unwrap_or_else(|e| panic!("{e}"));
    spec.account = Some("111122223333".into());
    spec.region = Some("us-east-1".into());
    let p = plan(&spec);
    let tg =
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web-tg/0123456789abcdef";
    assert!(permits(
        &p,
        RoleKind::Service,
        "elasticloadbalancing:RegisterTargets",
        tg
    ));
    let other =
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/other/0123456789abcdef";
    assert!(!permits(
        &p,
        RoleKind::Service,
        "elasticloadbalancing:RegisterTargets",
        other
    ));
    assert!(errors(&p).is_empty(), "{:?}", errors(&p));
}

#[test]
fn a_role_name_holding_a_placeholder_is_planned_under_the_plans_own_name() {
    // The role the file names is known once `Stage` is: until then a new role, named by the plan
    // (not `app-${Stage}`, which IAM refuses), and the warning says what to fill.
    let td = r#"{"family":"s","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","executionRoleArn":"arn:aws:iam::111122223333:role/app-${Stage}",
        "containerDefinitions":[{"name":"a","image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1"}]}"#;
    let p = plan_doc(td);
    let exec = role(&p, RoleKind::TaskExecution);
    assert!(!exec.arn.contains('$'), "{}", exec.arn);
    assert!(errors(&p).is_empty(), "{:?}", errors(&p));
    assert!(
        finding_with(
            &p,
            Severity::Warning,
            "holds the template placeholder ${Stage}"
        ),
        "{:?}",
        p.findings
    );
    let p = plan_with(td, &[("Stage", "prod")]);
    let exec = role(&p, RoleKind::TaskExecution);
    assert_eq!(
        (exec.arn.as_str(), exec.provisioning),
        (
            "arn:aws:iam::111122223333:role/app-prod",
            Provisioning::Existing
        )
    );
}

#[test]
fn a_templates_managed_instances_capacity_provider_names_the_plans_roles() {
    // As CDK writes it (tests/realworld/oss-managed-instances-cfn-ecs-stack): the infrastructure
    // role and the instance profile's role are the template's own, named by RoleName.
    let cfn = |compat: &str, infra: &str| {
        format!(
            r#"Resources:
  Node:
    Type: AWS::IAM::Role
    Properties: {{RoleName: ecsInstanceRoleShop, Path: /mi/}}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties: {{Roles: [!Ref Node]}}
  Infra:
    Type: AWS::IAM::Role
    Properties: {{RoleName: shop-infra}}
  Provider:
    Type: AWS::ECS::CapacityProvider
    Properties:
      ManagedInstancesProvider:
        InfrastructureRoleArn: {infra}
        InstanceLaunchTemplate:
          Ec2InstanceProfileArn: !GetAtt Profile.Arn
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: shop
      RequiresCompatibilities: [{compat}]
      NetworkMode: awsvpc
      ContainerDefinitions: [{{Name: web, Image: nginx}}]
"#
        )
    };
    let planned = |text: &str| {
        let (mut spec, _) = parse_document(text).unwrap_or_else(|e| panic!("{e}"));
        spec.account = Some("111122223333".into());
        spec.region = Some("us-east-1".into());
        plan(&spec)
    };
    let p = planned(&cfn("MANAGED_INSTANCES", "!GetAtt Infra.Arn"));
    let node = "arn:aws:iam::111122223333:role/mi/ecsInstanceRoleShop";
    assert_eq!(role(&p, RoleKind::ManagedInstancesNode).arn, node);
    let infra = role(&p, RoleKind::ManagedInstancesInfrastructure);
    assert_eq!(infra.arn, "arn:aws:iam::111122223333:role/shop-infra");
    let k = RoleKind::ManagedInstancesInfrastructure;
    assert!(permits(&p, k, "iam:PassRole", node));
    let other = "arn:aws:iam::111122223333:role/ecsInstanceRoleOther";
    assert!(!permits(&p, k, "iam:PassRole", other));
    // An ARN is the existing role it names.
    let arn = "arn:aws:iam::111122223333:role/platform-mi-infra";
    let p = planned(&cfn("MANAGED_INSTANCES", arn));
    let infra = role(&p, RoleKind::ManagedInstancesInfrastructure);
    assert_eq!(
        (infra.arn.as_str(), infra.provisioning),
        (arn, Provisioning::Existing)
    );
    // A form it cannot read (a Sub of an ARN) is said; the plan names its own role.
    let p = planned(&cfn(
        "MANAGED_INSTANCES",
        "!Sub \"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x\"",
    ));
    assert!(
        finding_with(
            &p,
            Severity::Warning,
            "ManagedInstancesProvider.InfrastructureRoleArn"
        ),
        "{:?}",
        p.findings
    );
    assert_eq!(role(&p, RoleKind::ManagedInstancesNode).arn, node);
    // A task that does not run on that capacity keeps the provider's roles out of its plan.
    let p = planned(&cfn("FARGATE", "!GetAtt Infra.Arn"));
    assert!(p.role(RoleKind::ManagedInstancesNode).is_none());
    assert!(errors(&p).is_empty(), "{:?}", errors(&p));
}

#[test]
fn unreadable_shapes_name_the_field_and_comments_the_line() {
    let e = parse_document(r#"{"family":"x","containerDefinitions":[{"name":"a","logConfiguration":[{"logDriver":"awslogs"}]}]}"#).unwrap_err();
    assert_eq!(
        e.path.as_deref(),
        Some("containerDefinitions[0].logConfiguration"),
        "{e}"
    );
    let e =
        parse_document("// my task\n{\"family\":\"x\",\"containerDefinitions\":[]}").unwrap_err();
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("comments"), "{e}");
}

// ---- 6. Silent skips ---------------------------------------------------------------------------

#[test]
fn an_ecr_looking_image_that_does_not_parse_is_said() {
    let td = r#"{"family":"b","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"1234567890123.dkr.ecr.us-east-1.amazonaws.com/app:1"}]}"#;
    let p = plan_doc(td);
    assert!(
        finding_with(&p, Severity::Error, "not a valid ECR image URI"),
        "{:?}",
        p.findings
    );
    // A registry host the parser does not read (an ISO partition's): said, not refused.
    let iso = td.replace(
        "1234567890123.dkr.ecr.us-east-1.amazonaws.com",
        "123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov",
    );
    let p = plan_doc(&iso);
    assert!(
        finding_with(&p, Severity::Warning, "not a valid ECR image URI"),
        "{:?}",
        p.findings
    );
    assert!(errors(&p).is_empty(), "{:?}", errors(&p));
}

#[test]
fn value_from_under_environment_is_a_finding() {
    let td = r#"{"family":"e","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"nginx","environment":[{"name":"DB","valueFrom":"arn:aws:ssm:us-east-1:111122223333:parameter/db"}]}]}"#;
    let p = plan_doc(td);
    assert!(finding_with(
        &p,
        Severity::Warning,
        "containerDefinitions[0].environment[0].valueFrom"
    ));
}

#[test]
fn keys_match_secrets_by_the_name_the_task_definition_uses() {
    let spec = "launchType: FARGATE\naccount: \"111122223333\"\nregion: us-east-1\nkeys:\n  - for: prod/db\n    key: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n  - for: /prod/param\n    key: arn:aws:kms:us-east-1:111122223333:key/2234abcd-12ab-34cd-56ef-1234567890ab\ntaskDefinition:\n  family: k\n  containerDefinitions:\n    - name: a\n      image: nginx\n      secrets:\n        - {name: A, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf\"}\n        - {name: B, valueFrom: prod/param}\n";
    let p = plan_doc(spec);
    for key in ["1234abcd", "2234abcd"] {
        assert!(
            permits(
                &p,
                RoleKind::TaskExecution,
                "kms:Decrypt",
                &format!(
                    "arn:aws:kms:us-east-1:111122223333:key/{key}-12ab-34cd-56ef-1234567890ab"
                )
            ),
            "{key}"
        );
    }
}

#[test]
fn kms_reasons_follow_the_secrets_order_when_keys_interleave() {
    // Two keys reached through the same service and Region share one KmsDecrypt statement
    // (same sid, same kms:ViaService); its reasons name the secrets in the file's order.
    let spec = "launchType: FARGATE\naccount: \"111122223333\"\nregion: us-east-1\nkeys:\n  - for: a/*\n    key: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n  - for: b/*\n    key: arn:aws:kms:us-east-1:111122223333:key/2234abcd-12ab-34cd-56ef-1234567890ab\ntaskDefinition:\n  family: k\n  containerDefinitions:\n    - name: c\n      image: nginx\n      secrets:\n        - {name: A1, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:a/one-AbCdEf\"}\n        - {name: B1, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:b/one-AbCdEf\"}\n        - {name: A2, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:a/two-AbCdEf\"}\n";
    let p = plan_doc(spec);
    let kms: Vec<_> = role(&p, RoleKind::TaskExecution).inline_policies[0]
        .document
        .statements
        .iter()
        .filter(|s| s.actions.iter().any(|a| a == "kms:Decrypt"))
        .collect();
    assert_eq!(kms.len(), 1, "one statement for both keys: {kms:?}");
    assert_eq!(kms[0].resources.len(), 2);
    let order: Vec<&str> = kms[0]
        .reasons
        .iter()
        .map(|r| {
            ["A1", "B1", "A2"]
                .into_iter()
                .find(|n| r.contains(&format!("variable {n} ")))
                .unwrap_or("?")
        })
        .collect();
    assert_eq!(order, ["A1", "B1", "A2"], "{:?}", kms[0].reasons);
}

#[test]
fn an_ecspresso_secret_lookup_with_spaces_in_its_name_is_trimmed() {
    // `{{ secretsmanager_arn "db " }}`: the name inside the quotes is not trimmed by the
    // template reader; the secret's ARN must not carry the space (nor does a blank name make
    // a grant on `secret: -??????`).
    let td = |name: &str| {
        format!(
            r#"{{"family":"a","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","executionRoleArn":"arn:aws:iam::111122223333:role/x","containerDefinitions":[{{"name":"a","image":"nginx","secrets":[{{"name":"DB","valueFrom":"{{{{ secretsmanager_arn \"{name}\" }}}}"}}]}}]}}"#
        )
    };
    let p = plan_doc(&td("db "));
    let all = resources(&p);
    assert!(all.contains(":secret:db-??????"), "{all}");
    assert!(!all.contains(":secret:db -"), "{all}");
    let blank = plan_doc(&td(" "));
    assert!(
        !resources(&blank).contains(":secret:"),
        "{}",
        resources(&blank)
    );
}

// ---- 7. Advice ---------------------------------------------------------------------------------

#[test]
fn a_named_task_role_is_kept_and_its_unknown_permissions_explained() {
    let td = r#"{"family":"a","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","taskRoleArn":"arn:aws:iam::111122223333:role/app","containerDefinitions":[{"name":"a","image":"nginx"}]}"#;
    let p = plan_doc(td);
    assert_eq!(
        role(&p, RoleKind::Task).provisioning,
        Provisioning::Existing
    );
    assert!(!p.findings.iter().any(|f| f
        .fix
        .as_deref()
        .is_some_and(|x| x.contains("remove taskRoleArn"))));
    assert!(p
        .findings
        .iter()
        .any(|f| f.fix.as_deref().is_some_and(|x| x.contains("app.access"))));
}

// ---- 8. AWS-owned registries -------------------------------------------------------------------

#[test]
fn aws_owned_registries_get_identity_grants_but_no_repository_policy_companion() {
    let td = r#"{"family":"fl","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","executionRoleArn":"arn:aws:iam::111122223333:role/x",
        "containerDefinitions":[{"name":"log_router","image":"906394416424.dkr.ecr.us-west-2.amazonaws.com/aws-for-fluent-bit:stable","firelensConfiguration":{"type":"fluentbit"}},
        {"name":"app","image":"999988887777.dkr.ecr.us-west-2.amazonaws.com/app:1"}]}"#;
    let p = plan_doc(td);
    assert!(permits(
        &p,
        RoleKind::TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws:ecr:us-west-2:906394416424:repository/aws-for-fluent-bit"
    ));
    let owners: Vec<&str> = p
        .companions
        .ecr_repository_policies
        .iter()
        .map(|r| r.owner_account.as_str())
        .collect();
    assert_eq!(
        owners,
        ["999988887777"],
        "only the customer's other account is asked"
    );
    assert!(finding_with(&p, Severity::Info, "AWS's own registry"));
}

#[test]
fn spec_variables_fill_placeholders_also_for_specs_built_in_code() {
    // The controller deserialises specs itself: plan() applies `variables` too.
    let mut spec: ecsroles_core::EcsRoleSetSpec = serde_yaml::from_str(
        "launchType: FARGATE\nregion: us-east-1\naccount: \"111122223333\"\nvariables: {REPO: web}\ntaskDefinition:\n  family: v\n  executionRoleArn: arn:aws:iam::111122223333:role/x\n  containerDefinitions:\n    - {name: a, image: \"111122223333.dkr.ecr.us-east-1.amazonaws.com/${REPO}:1\"}\n",
    )
    .unwrap();
    let p = plan(&spec);
    assert!(permits(
        &p,
        RoleKind::TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws:ecr:us-east-1:111122223333:repository/web"
    ));
    spec.variables.clear();
    assert!(has_error_at(
        &plan(&spec),
        "taskDefinition.containerDefinitions[0].image"
    ));
}

#[test]
fn guardrails_check_the_policy_attached_to_a_role_the_task_definition_names() {
    // The named task role is existing, but this workload's policy is attached to it: the
    // platform's action rules apply to it as to a role the plan creates.
    use ecsroles_core::guardrails::{Context, Guardrails};
    let mut spec = parse_document(r#"{"region":"us-east-1","launchType":"FARGATE","taskDefinition":{"family":"g","networkMode":"awsvpc",
        "taskRoleArn":"arn:aws:iam::111122223333:role/app","containerDefinitions":[{"name":"a","image":"nginx"}]},
        "app":{"statements":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}}"#)
    .unwrap()
    .0;
    let (p, violations) = Guardrails::default().evaluate(&mut spec, &Context::default());
    assert_eq!(
        role(&p, RoleKind::Task).provisioning,
        Provisioning::Existing
    );
    assert!(
        violations.iter().any(|v| v.rule == "deniedActions"),
        "{violations:?}"
    );
}

#[test]
fn review_cases_placeholders_never_become_names_or_wildcards() {
    // A deploy-time $(BUCKET) in a FireLens S3 output is not Fluent Bit templating.
    let td = r#"{"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","taskRoleArn":"arn:aws:iam::111122223333:role/t",
        "containerDefinitions":[{"name":"a","image":"nginx","logConfiguration":{"logDriver":"awsfirelens","options":{"Name":"s3","bucket":"$(BUCKET)","region":"us-east-1"}}}]}"#;
    let p = plan_doc(td);
    assert!(
        has_error_at(
            &p,
            "taskDefinition.containerDefinitions[0].logConfiguration.options.bucket"
        ),
        "{:?}",
        p.findings
    );
    assert!(!resources(&p).contains("s3:::*"), "{}", resources(&p));
    // A CloudWatch group decided entirely at run time cannot be scoped.
    // (Run-time templating is the Go `cloudwatch` output's; see rules::FLUENT_BIT_RUNTIME_TEMPLATED.)
    let cw = td.replace(
        r#""Name":"s3","bucket":"$(BUCKET)""#,
        r#""Name":"cloudwatch","log_group_name":"$(ecs_task_id)""#,
    );
    assert!(has_error_at(
        &plan_doc(&cw),
        "taskDefinition.containerDefinitions[0].logConfiguration.options.log_group_name"
    ));
    // …but a fixed part with a run-time part is granted on the pattern, with a warning.
    let part = td.replace(
        r#""Name":"s3","bucket":"$(BUCKET)""#,
        r#""Name":"cloudwatch","log_group_name":"/ecs/app/$(ecs_cluster)""#,
    );
    // The C `cloudwatch_logs` output takes the name literally: `$(…)` there is an error.
    let literal = part.replace(r#""Name":"cloudwatch""#, r#""Name":"cloudwatch_logs""#);
    assert!(has_error_at(
        &plan_doc(&literal),
        "taskDefinition.containerDefinitions[0].logConfiguration.options.log_group_name"
    ));
    // …and its log_group_template picks groups at run time the grant cannot know: said.
    let templ = literal.replace(
        r#""log_group_name":"/ecs/app/$(ecs_cluster)""#,
        r#""log_group_name":"/ecs/app","log_group_template":"/ecs/$kubernetes['ns']""#,
    );
    assert!(finding_with(
        &plan_doc(&templ),
        Severity::Warning,
        "log_group_template"
    ));
    let p = plan_doc(&part);
    assert!(permits(
        &p,
        RoleKind::Task,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/app/prod:log-stream:x"
    ));
    assert!(!permits(
        &p,
        RoleKind::Task,
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:111122223333:log-group:/other:log-stream:x"
    ));
    // EFS from a template, an unclosed placeholder: errors, never names.
    let efs = r#"{"family":"e","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","taskRoleArn":"arn:aws:iam::111122223333:role/t",
        "volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"${FS}","transitEncryption":"ENABLED","authorizationConfig":{"iam":"ENABLED"}}}],
        "containerDefinitions":[{"name":"a","image":"nginx","mountPoints":[{"sourceVolume":"v","containerPath":"/d"}],
        "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/${x","awslogs-region":"us-east-1"}}}]}"#;
    let p = plan_doc(efs);
    assert!(
        has_error_at(
            &p,
            "taskDefinition.volumes[0].efsVolumeConfiguration.fileSystemId"
        ),
        "{:?}",
        errors(&p)
    );
    assert!(has_error_at(
        &p,
        "taskDefinition.containerDefinitions[0].logConfiguration.options.awslogs-group"
    ));
    assert!(!resources(&p).contains("${"), "{}", resources(&p));
    // A wildcard or a user is never an existing role to attach a policy to.
    for bad in [
        "*",
        "arn:aws:iam::111122223333:role/app-*",
        "arn:aws:iam::111122223333:user/bob",
    ] {
        let t = format!(
            r#"{{"family":"w","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","taskRoleArn":"{bad}","containerDefinitions":[{{"name":"a","image":"nginx"}}]}}"#
        );
        let p = plan_doc(&t);
        assert!(
            has_error_at(&p, "taskDefinition.taskRoleArn"),
            "{bad}: {:?}",
            p.findings
        );
        assert!(
            p.role(RoleKind::Task)
                .is_none_or(|r| r.provisioning != Provisioning::Existing),
            "{bad}"
        );
    }
}

#[test]
fn guardrails_require_the_platform_to_allow_a_role_the_task_definition_names() {
    use ecsroles_core::guardrails::{Context, Guardrails};
    let doc = r#"{"region":"us-east-1","launchType":"FARGATE","taskDefinition":{"family":"g","networkMode":"awsvpc",
        "taskRoleArn":"arn:aws:iam::111122223333:role/PlatformAdmin","containerDefinitions":[{"name":"a","image":"nginx"}]},
        "app":{"access":[{"sqs":{"queue":"jobs","access":"consume"}}]}}"#;
    let mut spec = parse_document(doc).unwrap().0;
    let (_, v) = Guardrails::default().evaluate(&mut spec, &Context::default());
    assert!(
        v.iter()
            .any(|v| v.rule == "allowedExistingRoles" && v.path == "taskDefinition.taskRoleArn"),
        "{v:?}"
    );
    let allowing = Guardrails {
        allowed_existing_roles: vec!["arn:aws:iam::111122223333:role/PlatformAdmin".into()],
        ..Default::default()
    };
    let mut spec = parse_document(doc).unwrap().0;
    let (_, v) = allowing.evaluate(&mut spec, &Context::default());
    assert!(!v.iter().any(|v| v.rule == "allowedExistingRoles"), "{v:?}");
}
