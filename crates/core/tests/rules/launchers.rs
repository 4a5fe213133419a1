//! Who starts the task besides a service (`plan/launchers.rs`): EventBridge rules, EventBridge
//! Scheduler and Step Functions, each with its own role.

use super::*;

const EXEC: &str = "arn:aws:iam::111122223333:role/w-exec";
const TASK: &str = "arn:aws:iam::111122223333:role/w-task";

/// The fargate spec with execution and task roles named, and `launchers` (YAML list items).
fn launched(launchers: &str) -> String {
    fargate(ECR, &format!("launchers:\n{launchers}")).replace(
        "  family: w\n",
        &format!("  family: w\n  executionRoleArn: {EXEC}\n  taskRoleArn: {TASK}\n"),
    )
}

fn trust(
    p: &ecsroles_core::model::RolePlan,
    kind: ecsroles_core::model::RoleKind,
) -> ecsroles_core::policy::Statement {
    role(p, kind)
        .trust_policy
        .as_ref()
        .expect("trust")
        .statements[0]
        .clone()
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CWE_IAM_role.html (the role, and
// PassRole "for each" role the task uses), the ECS RunTask example (family revisions, the cluster
// in ecs:cluster) and EventBridge's confused-deputy page (aws:SourceArn = the rule).
#[test]
fn an_eventbridge_rule_runs_exactly_this_family_in_this_cluster_and_passes_exactly_its_roles() {
    let p = plan_doc(&launched("  - {eventBridgeRule: nightly}"));
    let r = role(&p, EventBridge);
    assert_eq!(r.provisioning, Provisioning::Create);
    assert_eq!(r.assumed_by, ["events.amazonaws.com"]);
    let run = stmt(&p, EventBridge, "RunTheTask");
    assert_eq!(run.actions, ["ecs:RunTask"]);
    assert_eq!(
        run.resources,
        ["arn:aws:ecs:us-east-1:111122223333:task-definition/w:*"]
    );
    assert_eq!(
        run.conditions["ArnEquals"]["ecs:cluster"],
        ["arn:aws:ecs:us-east-1:111122223333:cluster/c"]
    );
    let pass = stmt(&p, EventBridge, "PassTaskRoles");
    assert_eq!(pass.resources, [EXEC, TASK]);
    assert_eq!(
        pass.conditions["StringEquals"]["iam:PassedToService"],
        ["ecs-tasks.amazonaws.com"]
    );
    let t = trust(&p, EventBridge);
    assert_eq!(
        t.principal,
        Some(Principal::Service("events.amazonaws.com".into()))
    );
    assert_eq!(
        t.conditions["ArnLike"]["aws:SourceArn"],
        ["arn:aws:events:us-east-1:111122223333:rule/nightly"]
    );
    assert_eq!(
        t.conditions["StringEquals"]["aws:SourceAccount"],
        ["111122223333"]
    );
    // No tags asked for: no TagResource; no .sync: nothing to watch.
    assert!(!has_stmt(&p, EventBridge, "TagTasksAtLaunch"));
    assert!(!has_stmt(&p, EventBridge, "WatchTheTask"));
    for k in [Scheduler, StepFunctions] {
        assert!(p.role(k).is_none());
        assert!(
            absent_why(&p, k).contains("launchers"),
            "{}",
            absent_why(&p, k)
        );
    }
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html:
// tags at RunTask are authorised by ecs:TagResource, conditioned on ecs:CreateAction.
#[test]
fn a_launcher_that_tags_may_tag_only_at_runtask_and_only_this_clusters_tasks() {
    let p = plan_doc(&launched("  - {eventBridgeRule: nightly, tags: true}"));
    let tag = stmt(&p, EventBridge, "TagTasksAtLaunch");
    assert_eq!(tag.actions, ["ecs:TagResource"]);
    assert_eq!(
        tag.resources,
        ["arn:aws:ecs:us-east-1:111122223333:task/c/*"]
    );
    assert_eq!(
        tag.conditions["StringEquals"]["ecs:CreateAction"],
        ["RunTask"]
    );
}

// https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html:
// aws:SourceArn "must be your EventBridge Scheduler schedule group ARN", never one schedule.
#[test]
fn a_schedule_trusts_its_group_whether_the_group_or_a_schedule_is_named() {
    let p = plan_doc(&launched(
        "  - {scheduleGroup: \"arn:aws:scheduler:us-east-1:111122223333:schedule/reports/nightly\"}\n  - {scheduleGroup: default}",
    ));
    assert_eq!(role(&p, Scheduler).assumed_by, ["scheduler.amazonaws.com"]);
    assert_eq!(
        trust(&p, Scheduler).conditions["ArnLike"]["aws:SourceArn"],
        [
            "arn:aws:scheduler:us-east-1:111122223333:schedule-group/reports",
            "arn:aws:scheduler:us-east-1:111122223333:schedule-group/default"
        ]
    );
    assert!(allows(&p, Scheduler, "iam:PassRole", EXEC));
    // Not a Scheduler ARN: an error at the field, no role from it.
    let p = plan_doc(&launched(
        "  - {scheduleGroup: \"arn:aws:events:us-east-1:111122223333:rule/x\"}",
    ));
    assert!(
        has_error_at(&p, "launchers[0].scheduleGroup"),
        "{:?}",
        errors(&p)
    );
    assert!(p.role(Scheduler).is_none());
}

// https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html#ecs-iam: `.sync` adds
// StopTask/DescribeTasks (AWS: "*") and the StepFunctionsGetEventsForECSTaskRule calls;
// procedure-create-iam-role.html: the trust's aws:SourceArn is the state machine.
#[test]
fn a_state_machine_waiting_for_the_task_watches_only_this_clusters_tasks_through_its_managed_rule()
{
    let p = plan_doc(&launched("  - {stateMachine: etl, sync: true}"));
    assert_eq!(role(&p, StepFunctions).assumed_by, ["states.amazonaws.com"]);
    let watch = stmt(&p, StepFunctions, "WatchTheTask");
    assert_eq!(watch.actions, ["ecs:DescribeTasks", "ecs:StopTask"]);
    assert_eq!(
        watch.resources,
        ["arn:aws:ecs:us-east-1:111122223333:task/c/*"]
    );
    let events = stmt(&p, StepFunctions, "TaskStateChangeRule");
    assert_eq!(
        events.resources,
        ["arn:aws:events:us-east-1:111122223333:rule/StepFunctionsGetEventsForECSTaskRule"]
    );
    assert_eq!(
        trust(&p, StepFunctions).conditions["ArnLike"]["aws:SourceArn"],
        ["arn:aws:states:us-east-1:111122223333:stateMachine:etl"]
    );
    // Request-response (no .sync): RunTask and PassRole only.
    let p = plan_doc(&launched("  - {stateMachine: etl}"));
    assert!(!has_stmt(&p, StepFunctions, "WatchTheTask"));
    assert!(!has_stmt(&p, StepFunctions, "TaskStateChangeRule"));
    // `.sync` is Step Functions': elsewhere a warning, nothing granted.
    let p = plan_doc(&launched("  - {eventBridgeRule: r, sync: true}"));
    assert!(
        warnings(&p).iter().any(|w| w.contains("launchers[0].sync")),
        "{:?}",
        warnings(&p)
    );
    assert!(!has_stmt(&p, EventBridge, "WatchTheTask"));
}

#[test]
fn a_launcher_whose_name_is_unknown_trusts_any_of_its_kind_in_the_account_and_says_so() {
    let p = plan_doc(&launched("  - {stateMachine: \"${AWS::StackName}-etl\"}"));
    assert_eq!(
        trust(&p, StepFunctions).conditions["ArnLike"]["aws:SourceArn"],
        ["arn:aws:states:us-east-1:111122223333:stateMachine:*"]
    );
    assert!(
        warnings(&p)
            .iter()
            .any(|w| w.contains("launchers[0].stateMachine")),
        "{:?}",
        warnings(&p)
    );
}

#[test]
fn the_role_a_launcher_names_is_used_not_created() {
    let p = plan_doc(&launched(
        "  - {eventBridgeRule: r, roleArn: \"arn:aws:iam::111122223333:role/ecsEventsRole\"}",
    ));
    let r = role(&p, EventBridge);
    assert_eq!(r.provisioning, Provisioning::Existing);
    assert_eq!(r.arn, "arn:aws:iam::111122223333:role/ecsEventsRole");
    assert!(allows(&p, EventBridge, "iam:PassRole", TASK));
}

/// ecsroles plans one role per launcher kind, with every launcher's grants: a second rule that
/// names another role would get none of them, so it is an error at its own field; the same role
/// written once by name and once by ARN is one role.
#[test]
fn launchers_of_one_kind_naming_different_roles_are_an_error_not_a_silent_first_pick() {
    let two = plan_doc(&launched(
        "  - {eventBridgeRule: r1, roleArn: \"arn:aws:iam::111122223333:role/ecsEventsRole\"}\n  - {eventBridgeRule: r2, roleArn: \"arn:aws:iam::111122223333:role/nightly\"}",
    ));
    assert!(
        has_error_at(&two, "launchers[1].roleArn"),
        "{:?}",
        errors(&two)
    );
    assert!(errors(&two)
        .iter()
        .any(|e| e.contains("role/nightly") && e.contains("launchers[0].roleArn")));
    let same = plan_doc(&launched(
        "  - {eventBridgeRule: r1, roleArn: \"arn:aws:iam::111122223333:role/ecsEventsRole\"}\n  - {eventBridgeRule: r2, roleArn: ecsEventsRole}",
    ));
    assert!(errors(&same).is_empty(), "{:?}", errors(&same));
    // Another kind's role is not compared: a schedule may use its own.
    let kinds = plan_doc(&launched(
        "  - {eventBridgeRule: r1, roleArn: \"arn:aws:iam::111122223333:role/ecsEventsRole\"}\n  - {scheduleGroup: g, roleArn: \"arn:aws:iam::111122223333:role/scheduler\"}",
    ));
    assert!(errors(&kinds).is_empty(), "{:?}", errors(&kinds));
}

#[test]
fn a_malformed_launcher_is_an_error_at_its_field_not_a_guess() {
    for (entry, path) in [
        ("  - nightly", "launchers[0]"),
        ("  - {eventBridgeRule: a, stateMachine: b}", "launchers[0]"),
        (
            "  - {roleArn: \"arn:aws:iam::111122223333:role/x\"}",
            "launchers[0]",
        ),
        (
            "  - {eventBridgeRule: a, schedule: daily}",
            "launchers[0].schedule",
        ),
        // A flag that is not a boolean: said, not read as false.
        (
            "  - {scheduleGroup: nightly, executeCommand: \"true\"}",
            "launchers[0].executeCommand",
        ),
    ] {
        let p = plan_doc(&launched(entry));
        assert!(has_error_at(&p, path), "{entry}: {:?}", errors(&p));
        for k in [EventBridge, Scheduler, StepFunctions] {
            assert!(p.role(k).is_none(), "{entry}: {k:?} planned");
        }
    }
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html: ECS Exec is turned
// on per task (RunTask's enableExecuteCommand, as a rule's or schedule's EcsParameters set it,
// or the service's); the SSM agent in the task then opens its channels with the task role.
#[test]
fn a_launcher_that_starts_the_task_with_ecs_exec_gives_the_task_role_its_channels() {
    let on = plan_doc(&launched(
        "  - {scheduleGroup: nightly}\n  - {eventBridgeRule: r, executeCommand: true}",
    ));
    assert!(allows(&on, Task, "ssmmessages:OpenDataChannel", "*"));
    let channels = stmt(&on, Task, "EcsExecSsmMessages");
    assert_eq!(channels.reasons, ["launchers[1].executeCommand is true"]);
    let off = plan_doc(&launched(
        "  - {scheduleGroup: nightly, executeCommand: false}",
    ));
    assert!(!allows(&off, Task, "ssmmessages:OpenDataChannel", "*"));
    // The service's own Exec stays off: the terraform-aws-modules output keeps the channels in
    // the task role's inline policy and does not set enable_execute_command on the service.
    let text = launched("  - {eventBridgeRule: r, executeCommand: true}");
    let (spec, _) = ecsroles_core::parse_document(&text).unwrap();
    let module = ecsroles_core::render::render(
        ecsroles_core::render::Format::TerraformModule,
        &spec,
        &ecsroles_core::plan(&spec),
    );
    assert!(
        module.contains("enable_execute_command = false"),
        "{module}"
    );
    assert!(module.contains("ssmmessages:OpenDataChannel"), "{module}");
}
