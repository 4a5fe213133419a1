//! ECS-native blue/green, linear and canary deployments (`plan/deployment.rs`): the load
//! balancer infrastructure role and the lifecycle hook role.

use super::*;

const TG: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/blue/0123456789abcdef";
const ALT: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/green/fedcba9876543210";
const PROD_RULE: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee";
const PROD_LISTENER: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
const TEST_RULE: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener-rule/app/web/50dc6c495c0c9188/0467ef3c8400ae65/1111111111111111";
const HOOK: &str = "arn:aws:lambda:us-east-1:111122223333:function:pre-traffic-check";

fn blue_green(advanced: &str, extra: &str) -> String {
    format!(
        "service:\n  loadBalancers:\n    - {{targetGroupArn: {TG}, containerName: a, containerPort: 80, advancedConfiguration: {{{advanced}}}}}\n{extra}"
    )
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html
// and AWS's AmazonECSInfrastructureRolePolicyForLoadBalancers (v6): the same actions, on exactly
// the target groups, rules and listeners the configuration names.
#[test]
fn blue_green_shifts_traffic_on_exactly_the_named_target_groups_and_rules() {
    let c = "    - {name: a, image: nginx, portMappings: [{containerPort: 80}]}";
    let adv = format!(
        "alternateTargetGroupArn: {ALT}, productionListenerRule: {PROD_RULE}, testListenerRule: {TEST_RULE}"
    );
    let p = plan_doc(&fargate(c, &blue_green(&adv, "")));
    let r = role(&p, LoadBalancerInfrastructure);
    assert_eq!(r.provisioning, Provisioning::Create);
    assert_eq!(r.assumed_by, ["ecs.amazonaws.com"]);
    assert!(
        r.managed_policies.is_empty(),
        "scoped inline, not the managed policy on every load balancer"
    );
    for tg in [TG, ALT] {
        assert!(allows(
            &p,
            LoadBalancerInfrastructure,
            "elasticloadbalancing:RegisterTargets",
            tg
        ));
        assert!(allows(
            &p,
            LoadBalancerInfrastructure,
            "elasticloadbalancing:DeregisterTargets",
            tg
        ));
    }
    let other_tg =
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/other/0000000000000000";
    assert!(!allows(
        &p,
        LoadBalancerInfrastructure,
        "elasticloadbalancing:RegisterTargets",
        other_tg
    ));
    for rule in [PROD_RULE, TEST_RULE] {
        assert!(allows(
            &p,
            LoadBalancerInfrastructure,
            "elasticloadbalancing:ModifyRule",
            rule
        ));
    }
    // The production rule's listener (its default rule can only change through it).
    assert!(allows(
        &p,
        LoadBalancerInfrastructure,
        "elasticloadbalancing:ModifyListener",
        PROD_LISTENER
    ));
    assert!(!allows(
        &p,
        LoadBalancerInfrastructure,
        "elasticloadbalancing:ModifyListener",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/other/0000000000000000/0000000000000000"
    ));
    assert!(allows(
        &p,
        LoadBalancerInfrastructure,
        "elasticloadbalancing:DescribeTargetHealth",
        "*"
    ));
    assert!(!allows(
        &p,
        LoadBalancerInfrastructure,
        "elasticloadbalancing:DeleteRule",
        PROD_RULE
    ));
    // Not the legacy service role: ECS never takes one on awsvpc, and nothing here asks for it.
    assert!(p.role(Service).is_none());
    assert!(p.role(LifecycleHooks).is_none());
    assert!(absent_why(&p, LifecycleHooks).contains("no lifecycle hooks"));

    // An NLB: the production "rule" is a listener, modified as such.
    let nlb = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/net/api/50dc6c495c0c9188/0467ef3c8400ae65";
    let p = plan_doc(&fargate(
        c,
        &blue_green(
            &format!("alternateTargetGroupArn: {ALT}, productionListenerRule: {nlb}"),
            "",
        ),
    ));
    assert!(allows(
        &p,
        LoadBalancerInfrastructure,
        "elasticloadbalancing:ModifyListener",
        nlb
    ));
    assert!(!allows(
        &p,
        LoadBalancerInfrastructure,
        "elasticloadbalancing:ModifyRule",
        nlb
    ));

    // The role the configuration names is used; a missing alternate target group or a rule that
    // is not an ELB ARN is an error at its field.
    let named = plan_doc(&fargate(c, &blue_green(&format!("{adv}, roleArn: arn:aws:iam::111122223333:role/ecsInfrastructureRoleForLoadBalancers"), "")));
    assert_eq!(
        role(&named, LoadBalancerInfrastructure).provisioning,
        Provisioning::Existing
    );
    let missing = plan_doc(&fargate(
        c,
        &blue_green(&format!("productionListenerRule: {PROD_RULE}"), ""),
    ));
    assert!(has_error_at(
        &missing,
        "service.loadBalancers[0].advancedConfiguration.alternateTargetGroupArn"
    ));
    let wrong = plan_doc(&fargate(
        c,
        &blue_green(
            &format!("alternateTargetGroupArn: {ALT}, testListenerRule: {HOOK}"),
            "",
        ),
    ));
    assert!(has_error_at(
        &wrong,
        "service.loadBalancers[0].advancedConfiguration.testListenerRule"
    ));

    // A rolling service behind a load balancer: no such role, and why.
    let rolling = plan_doc(&fargate(c, &format!("service:\n  loadBalancers: [{{targetGroupArn: {TG}, containerName: a, containerPort: 80}}]")));
    assert!(rolling.role(LoadBalancerInfrastructure).is_none());
    assert!(absent_why(&rolling, LoadBalancerInfrastructure).contains("advancedConfiguration"));
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-permissions.html: AWS's
// example allows every function; here exactly the hooks' own.
#[test]
fn lifecycle_hooks_invoke_exactly_their_functions() {
    let c = "    - {name: a, image: nginx}";
    let hooks = |targets: &str| {
        format!("service:\n  deploymentConfiguration:\n    strategy: BLUE_GREEN\n    lifecycleHooks: [{targets}]")
    };
    let p = plan_doc(&fargate(
        c,
        &hooks(&format!(
            "{{hookTargetArn: {HOOK}, lifecycleStages: [POST_TEST_TRAFFIC_SHIFT]}}"
        )),
    ));
    let r = role(&p, LifecycleHooks);
    assert_eq!(r.assumed_by, ["ecs.amazonaws.com"]);
    assert!(r.trust_policy.as_ref().unwrap().statements[0]
        .conditions
        .is_empty());
    assert!(allows(&p, LifecycleHooks, "lambda:InvokeFunction", HOOK));
    assert!(!allows(
        &p,
        LifecycleHooks,
        "lambda:InvokeFunction",
        "arn:aws:lambda:us-east-1:111122223333:function:other"
    ));
    assert!(p.role(LoadBalancerInfrastructure).is_none());

    let named = plan_doc(&fargate(
        c,
        &hooks(&format!(
            "{{hookTargetArn: {HOOK}, roleArn: arn:aws:iam::111122223333:role/hooks}}"
        )),
    ));
    assert_eq!(
        role(&named, LifecycleHooks).provisioning,
        Provisioning::Existing
    );
    // Two hooks naming different roles: one role is planned with both hooks' grants, so the
    // second role would get none — an error at its roleArn.
    let two = plan_doc(&fargate(
        c,
        &hooks(&format!(
            "{{hookTargetArn: {HOOK}, roleArn: arn:aws:iam::111122223333:role/hooks}}, {{hookTargetArn: {HOOK}, roleArn: arn:aws:iam::111122223333:role/other-hooks}}"
        )),
    ));
    assert!(has_error_at(
        &two,
        "service.deploymentConfiguration.lifecycleHooks[1].roleArn"
    ));
    // The same name in another account is another role; a name in another case is the same.
    let accounts = plan_doc(&fargate(
        c,
        &hooks(&format!(
            "{{hookTargetArn: {HOOK}, roleArn: arn:aws:iam::111122223333:role/hooks}}, {{hookTargetArn: {HOOK}, roleArn: arn:aws:iam::444455556666:role/hooks}}"
        )),
    ));
    assert!(has_error_at(
        &accounts,
        "service.deploymentConfiguration.lifecycleHooks[1].roleArn"
    ));
    let case = plan_doc(&fargate(
        c,
        &hooks(&format!(
            "{{hookTargetArn: {HOOK}, roleArn: arn:aws:iam::111122223333:role/hooks}}, {{hookTargetArn: {HOOK}, roleArn: Hooks}}"
        )),
    ));
    assert!(!has_error_at(
        &case,
        "service.deploymentConfiguration.lifecycleHooks[1].roleArn"
    ));
    let wrong = plan_doc(&fargate(
        c,
        &hooks("{hookTargetArn: arn:aws:sns:us-east-1:111122223333:topic}"),
    ));
    assert!(has_error_at(
        &wrong,
        "service.deploymentConfiguration.lifecycleHooks[0].hookTargetArn"
    ));
    // Other deployment settings need no role.
    let plain = plan_doc(&fargate(
        c,
        "service:\n  deploymentConfiguration: {maximumPercent: 200}",
    ));
    assert!(plain.role(LifecycleHooks).is_none());
    assert!(
        plain
            .findings
            .iter()
            .all(|f| f.severity != ecsroles_core::Severity::Error),
        "{:?}",
        plain.findings
    );
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/codedeploy_IAM_role.html and AWS's
// AWSCodeDeployRoleForECS / …Limited (v3): the same calls, on what the deployment group names;
// PassRole on exactly the task definition's roles (the Limited policy's name trap avoided).
// (`allows` compares resources exactly: the real-world suite evaluates wildcards like IAM.)
#[test]
fn code_deploy_role_is_scoped_to_the_deployment_group() {
    let c = "    - {name: a, image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/a:1}";
    let listener = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
    let group = format!(
        "codeDeploy:\n  ecsServices: [{{clusterName: c, serviceName: web}}]\n  loadBalancerInfo:\n    targetGroupPairInfoList:\n      - prodTrafficRoute: {{listenerArns: [{listener}]}}\n  alarmConfiguration: {{enabled: true, alarms: [{{name: web-5xx}}]}}\n  triggerConfigurations: [{{triggerName: t, triggerTargetArn: arn:aws:sns:us-east-1:111122223333:deploys}}]\n  appSpec:\n    Hooks: [{{AfterAllowTestTraffic: smoke-test}}]\n"
    );
    let svc = "service:\n  deploymentController: {type: CODE_DEPLOY}\n";
    let p = plan_doc(&fargate(c, &cat(svc, &group)));
    let r = role(&p, CodeDeploy);
    assert_eq!(r.assumed_by, ["codedeploy.amazonaws.com"]);
    assert!(
        r.managed_policies.is_empty(),
        "scoped inline, not AWSCodeDeployRoleForECS"
    );
    assert!(allows(
        &p,
        CodeDeploy,
        "elasticloadbalancing:ModifyListener",
        listener
    ));
    assert!(allows(
        &p,
        CodeDeploy,
        "elasticloadbalancing:ModifyRule",
        &format!("{}/*", listener.replace(":listener/", ":listener-rule/"))
    ));
    assert!(!allows(&p, CodeDeploy, "elasticloadbalancing:ModifyListener", "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/other/0000000000000000/0000000000000000"));
    assert!(allows(
        &p,
        CodeDeploy,
        "ecs:CreateTaskSet",
        "arn:aws:ecs:us-east-1:111122223333:service/c/web"
    ));
    assert!(!allows(
        &p,
        CodeDeploy,
        "ecs:CreateTaskSet",
        "arn:aws:ecs:us-east-1:111122223333:service/c/other"
    ));
    assert!(allows(
        &p,
        CodeDeploy,
        "ecs:DeleteTaskSet",
        "arn:aws:ecs:us-east-1:111122223333:task-set/c/web/*"
    ));
    assert!(allows(
        &p,
        CodeDeploy,
        "cloudwatch:DescribeAlarms",
        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:web-5xx"
    ));
    assert!(allows(
        &p,
        CodeDeploy,
        "sns:Publish",
        "arn:aws:sns:us-east-1:111122223333:deploys"
    ));
    assert!(allows(
        &p,
        CodeDeploy,
        "lambda:InvokeFunction",
        "arn:aws:lambda:us-east-1:111122223333:function:smoke-test"
    ));
    assert!(!allows(
        &p,
        CodeDeploy,
        "lambda:InvokeFunction",
        "arn:aws:lambda:us-east-1:111122223333:function:CodeDeployHook_other"
    ));
    // PassRole: exactly the execution role this plan gives the task definition, only to ECS tasks.
    let exec = role(&p, TaskExecution).arn.clone();
    assert!(allows(&p, CodeDeploy, "iam:PassRole", &exec));
    assert!(!allows(
        &p,
        CodeDeploy,
        "iam:PassRole",
        "arn:aws:iam::111122223333:role/ecsTaskExecutionRole"
    ));
    // Not the legacy service role.
    assert!(p.role(Service).is_none());

    // The group's own role is used; no group at all: the role still, and a warning that the
    // listeners it must shift are unknown.
    let named = plan_doc(&fargate(
        c,
        &cat(
            svc,
            "codeDeploy: {serviceRoleArn: arn:aws:iam::111122223333:role/ecsCodeDeployRole}\n",
        ),
    ));
    assert_eq!(
        role(&named, CodeDeploy).provisioning,
        Provisioning::Existing
    );
    let bare = plan_doc(&fargate(c, svc));
    assert!(bare.role(CodeDeploy).is_some());
    assert!(warnings(&bare)
        .iter()
        .any(|w| w.contains("ModifyListener is not planned")));
    // The ECS controller: no such role, and why.
    let ecs = plan_doc(&fargate(
        c,
        "service:\n  deploymentController: {type: ECS}\n",
    ));
    assert!(ecs.role(CodeDeploy).is_none());
    assert!(absent_why(&ecs, CodeDeploy).contains("not CODE_DEPLOY"));
}

fn cat(a: &str, b: &str) -> String {
    format!("{a}{b}")
}

// ---- Service auto scaling (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html)

#[test]
fn a_scalable_target_plans_application_auto_scalings_own_role_and_the_callers_check() {
    let target = |body: &str| {
        fargate(
            "    - {name: a, image: nginx}",
            &format!("scalableTarget:\n{body}"),
        )
    };
    let ecs = "  ServiceNamespace: ecs\n  ResourceId: service/c/w\n  ScalableDimension: ecs:service:DesiredCount\n  MinCapacity: 1\n  MaxCapacity: 4";
    let p = plan_doc(&target(ecs));
    let r = role(&p, AutoScaling);
    assert_eq!(r.provisioning, Provisioning::ServiceLinked);
    assert_eq!(r.assumed_by, ["ecs.application-autoscaling.amazonaws.com"]);
    assert_eq!(
        r.arn,
        "arn:aws:iam::111122223333:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
    );
    assert!(
        r.inline_policies.is_empty() && r.trust_policy.is_none(),
        "AWS writes it"
    );
    let check = p
        .companions
        .auto_scaling_service_linked_role
        .as_ref()
        .expect("check");
    assert!(check
        .create_command
        .ends_with("--aws-service-name ecs.application-autoscaling.amazonaws.com"));
    assert!(check.why.contains("iam:CreateServiceLinkedRole on arn:aws:iam::111122223333:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"));
    // Written by AWS: no renderer creates it.
    let iam = ecsroles_core::render::render_basic(ecsroles_core::render::Format::Iam, &p).unwrap();
    assert!(!iam.contains("\"kind\": \"autoScaling\""), "{iam}");
    assert!(iam.contains("autoScalingServiceLinkedRole"));
    // Its own service-linked role named in RoleARN: nothing to say. Another role: said (legacy).
    let own = plan_doc(&target(&format!("{ecs}\n  RoleARN: {}", r.arn)));
    assert!(!own
        .findings
        .iter()
        .any(|f| f.path.starts_with("scalableTarget.")));
    let legacy = plan_doc(&target(&format!(
        "{ecs}\n  RoleARN: arn:aws:iam::111122223333:role/ecsAutoscaleRole"
    )));
    assert!(legacy.role(AutoScaling).is_some());
    let f = legacy
        .findings
        .iter()
        .find(|f| f.path == "scalableTarget.RoleARN")
        .expect("said");
    assert!(
        f.message.contains("ecsAutoscaleRole")
            && f.message.contains("uses its service-linked role")
    );
    // Terraform's spelling (snake_case) reads the same.
    let tf = plan_doc(&target("  service_namespace: ecs\n  scalable_dimension: ecs:service:DesiredCount\n  role_arn: arn:aws:iam::111122223333:role/custom"));
    assert!(tf.role(AutoScaling).is_some());
    assert!(tf
        .findings
        .iter()
        .any(|f| f.path == "scalableTarget.role_arn"));
    // Another service's target: not ECS's; none at all: not needed.
    let dynamo = plan_doc(&target(
        "  ServiceNamespace: dynamodb\n  ScalableDimension: dynamodb:table:ReadCapacityUnits",
    ));
    assert!(dynamo.role(AutoScaling).is_none());
    assert!(dynamo
        .findings
        .iter()
        .any(|f| f.path == "scalableTarget.ServiceNamespace"));
    let none = plan_doc(&fargate("    - {name: a, image: nginx}", ""));
    assert!(
        none.role(AutoScaling).is_none()
            && none.companions.auto_scaling_service_linked_role.is_none()
    );
    assert!(absent_why(&none, AutoScaling).contains("no scalable target"));
}
