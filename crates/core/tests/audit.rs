//! `ecsroles audit` offline: the roles of examples/fargate-web-api.yaml as
//! get-account-authorization-details returns them (tests/audit/, URL-encoded documents), against
//! the plan: missing grants, over-grants and trust, each as IAM would decide it.

mod common;

use common::*;
use ecsroles_core::audit::{audit, read_account};
use ecsroles_core::evaluate::Decision;
use ecsroles_core::{parse_document, plan, RoleKind};

fn report() -> ecsroles_core::audit::AuditReport {
    let text = std::fs::read_to_string(repo_root().join("examples/fargate-web-api.yaml")).unwrap();
    let (spec, _) = parse_document(&text).unwrap();
    let gaad =
        std::fs::read_to_string(repo_root().join("tests/audit/web-api-authorization-details.json"))
            .unwrap();
    audit(
        &plan(&spec),
        &read_account(&gaad).expect("reads the API's shape"),
    )
}

fn audited(
    r: &ecsroles_core::audit::AuditReport,
    kind: RoleKind,
) -> &ecsroles_core::audit::RoleAudit {
    r.roles.iter().find(|x| x.kind == kind).expect("audited")
}

#[test]
fn missing_grants_are_what_iam_would_refuse_and_say_what_breaks() {
    let r = report();
    let exec = audited(&r, RoleKind::TaskExecution);
    assert!(exec.found);
    let missing: Vec<(&str, &str)> = exec
        .missing
        .iter()
        .map(|m| (m.action.as_str(), m.resource.as_str()))
        .collect();
    // The secret: the plan needs it, a Deny refuses it.
    assert_eq!(
        missing,
        [(
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web-api/db-AbCdEf"
        )]
    );
    assert_eq!(exec.missing[0].decision, Decision::ExplicitDeny);
    assert_eq!(
        exec.missing[0].breaks,
        Some("The execution role may not read the secret")
    );
    // The key only through Secrets Manager (kms:ViaService): allowed if the condition holds.
    assert!(exec.conditional.iter().any(|m| m.action == "kms:Decrypt"));
    let task = audited(&r, RoleKind::Task);
    let mut sqs: Vec<&str> = task.missing.iter().map(|m| m.action.as_str()).collect();
    sqs.sort();
    assert_eq!(
        sqs,
        [
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl"
        ]
    );
    assert_eq!(r.missing(), 4);
}

#[test]
fn over_grants_and_trust_problems_are_named_with_their_policy() {
    let r = report();
    let exec = audited(&r, RoleKind::TaskExecution);
    // AWS's managed policy: ECR pulls and awslogs on every resource, the plan names them.
    let managed: Vec<&str> = exec
        .over_grants
        .iter()
        .filter(|o| o.policy.ends_with("AmazonECSTaskExecutionRolePolicy"))
        .map(|o| o.action.as_str())
        .collect();
    assert!(
        managed.contains(&"ecr:BatchGetImage") && managed.contains(&"logs:PutLogEvents"),
        "{managed:?}"
    );
    assert!(
        !managed.contains(&"ecr:GetAuthorizationToken"),
        "it takes only *: not an over-grant"
    );
    assert!(exec.trust.is_empty(), "{:?}", exec.trust);
    let task = audited(&r, RoleKind::Task);
    assert!(task
        .over_grants
        .iter()
        .any(|o| o.action == "s3:*" && o.resource == "*" && o.why.contains("wildcard")));
    assert!(
        task.trust
            .iter()
            .any(|t| t.contains("does not trust ecs-tasks.amazonaws.com")),
        "{:?}",
        task.trust
    );
    assert!(task
        .trust
        .iter()
        .any(|t| t.contains("also trusts ec2.amazonaws.com")));
}

#[test]
fn a_right_role_has_nothing_to_report_and_a_role_not_in_the_account_is_not_found() {
    // The plan's own documents, as IAM would hold them: nothing missing, nothing broader.
    let text = std::fs::read_to_string(repo_root().join("examples/fargate-web-api.yaml")).unwrap();
    let (spec, _) = parse_document(&text).unwrap();
    let p = plan(&spec);
    let roles: Vec<serde_json::Value> = p
        .roles
        .iter()
        .filter(|r| r.trust_policy.is_some())
        .map(|r| {
            serde_json::json!({
                "RoleName": r.name, "Arn": r.arn, "Path": "/",
                "AssumeRolePolicyDocument": r.trust_policy.as_ref().unwrap().to_iam_json(),
                "RolePolicyList": r.inline_policies.iter().map(|i| serde_json::json!({"PolicyName": i.name, "PolicyDocument": i.document.to_iam_json()})).collect::<Vec<_>>(),
                "AttachedManagedPolicies": []
            })
        })
        .collect();
    let gaad = serde_json::json!({"RoleDetailList": roles, "Policies": []}).to_string();
    let r = audit(&p, &read_account(&gaad).unwrap());
    for x in &r.roles {
        assert!(x.found, "{}", x.name);
        assert!(
            x.missing.is_empty() && x.over_grants.is_empty() && x.trust.is_empty(),
            "{}: {:?} {:?} {:?}",
            x.name,
            x.missing,
            x.over_grants,
            x.trust
        );
    }
    let empty = audit(&p, &read_account(r#"{"RoleDetailList": []}"#).unwrap());
    assert!(empty.roles.iter().all(|x| !x.found) && empty.missing() == 0);
    assert!(read_account("{}").unwrap_err().contains("RoleDetailList"));
}
