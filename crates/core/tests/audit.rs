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
    // What ECS prints, as in the real messages (the role, action and resource filled in).
    assert_eq!(
        exec.missing[0].breaks.as_deref(),
        Some("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web-api/db-AbCdEf from secrets manager: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/web-api-execution/… is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web-api/db-AbCdEf with an explicit deny in an identity-based policy")
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
    // The application's own call: IAM's message with the task role's session, not the agent's.
    let b = task.missing[0].breaks.as_deref().unwrap();
    assert!(
        b.starts_with("User: arn:aws:sts::111122223333:assumed-role/web-api-task/… is not authorized to perform: sqs:")
            && b.ends_with(&format!("because no identity-based policy allows the {} action", task.missing[0].action)),
        "{b}"
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
        assert_eq!(x.verdict, ecsroles_core::audit::Verdict::Fine, "{}", x.name);
        assert!(
            x.missing.is_empty() && x.over_grants.is_empty() && x.trust.is_empty(),
            "{}: {:?} {:?} {:?}",
            x.name,
            x.missing,
            x.over_grants,
            x.trust
        );
    }
    // The same roles with a managed policy whose document the file lacks: not "fine", unproven.
    let mut partial: serde_json::Value = serde_json::from_str(&gaad).unwrap();
    for r in partial["RoleDetailList"].as_array_mut().unwrap() {
        r["RolePolicyList"] = serde_json::json!([]);
        r["AttachedManagedPolicies"] = serde_json::json!([{"PolicyName": "Team", "PolicyArn": "arn:aws:iam::111122223333:policy/Team"}]);
    }
    let r = audit(&p, &read_account(&partial.to_string()).unwrap());
    assert!(
        r.roles
            .iter()
            .all(|x| x.verdict == ecsroles_core::audit::Verdict::Unproven),
        "{:?}",
        r.roles.iter().map(|x| x.verdict).collect::<Vec<_>>()
    );
    // A role in the dump without a trust policy trusts nobody: judged, not skipped.
    let mut untrusted: serde_json::Value = serde_json::from_str(&gaad).unwrap();
    for r in untrusted["RoleDetailList"].as_array_mut().unwrap() {
        r.as_object_mut()
            .unwrap()
            .remove("AssumeRolePolicyDocument");
    }
    let r = audit(&p, &read_account(&untrusted.to_string()).unwrap());
    assert!(r
        .roles
        .iter()
        .all(|x| !x.assumable && x.verdict == ecsroles_core::audit::Verdict::Missing));
    let empty = audit(&p, &read_account(r#"{"RoleDetailList": []}"#).unwrap());
    assert!(empty.roles.iter().all(|x| !x.found) && empty.missing() == 0);
    assert!(read_account("{}").unwrap_err().contains("RoleDetailList"));
}

/// How a generated role treats one planned call.
#[derive(Debug, Clone, Copy)]
enum Treat {
    Exact,
    AnyResource,
    ServiceWildcard,
    Omit,
    Deny,
    Conditional,
    /// Allow everything but another service's actions (NotAction).
    NotActionOther,
    /// Allow everything but this very action, everywhere: grants the other calls.
    NotActionSelf,
    /// Allow the action on every resource but an unrelated one (NotResource).
    NotResourceOther,
    /// The resource with its account and Region wildcarded, the action upper-cased.
    ArnWildcard,
    /// Deny the action on every resource but an unrelated one.
    DenyNotResource,
}

/// Random roles for the example's plan, each planned call treated at random, through inline
/// and managed policies and sometimes a boundary: "audit says nothing missing" must mean every
/// planned call is allowed (or allowed if a condition holds) under the one evaluator, every
/// reported missing call must be refused by it, and a call the role denies outright is always
/// reported (explicitDeny).
mod random_roles {
    use super::*;
    use ecsroles_core::audit::Account;
    use ecsroles_core::evaluate::{evaluate, example_of};
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// The example's plan, and its execution role's planned (action, resource) calls.
    pub(super) fn planned() -> (ecsroles_core::RolePlan, Vec<(String, String)>) {
        let text =
            std::fs::read_to_string(repo_root().join("examples/fargate-web-api.yaml")).unwrap();
        let p = plan(&parse_document(&text).unwrap().0);
        let exec = p
            .roles
            .iter()
            .find(|r| r.kind == RoleKind::TaskExecution)
            .unwrap();
        let calls = exec
            .inline_policies
            .iter()
            .flat_map(|i| &i.document.statements)
            .flat_map(|s| {
                s.actions
                    .iter()
                    .flat_map(move |a| s.resources.iter().map(move |r| (a.to_string(), r.clone())))
            })
            .collect();
        (p, calls)
    }

    fn statement(t: Treat, action: &str, resource: &str) -> Option<Value> {
        let service = action.split(':').next().unwrap_or_default();
        Some(match t {
            Treat::Exact => json!({"Effect": "Allow", "Action": action, "Resource": resource}),
            Treat::AnyResource => json!({"Effect": "Allow", "Action": action, "Resource": "*"}),
            Treat::ServiceWildcard => {
                json!({"Effect": "Allow", "Action": format!("{service}:*"), "Resource": resource})
            }
            Treat::Omit => return None,
            Treat::Deny => json!({"Effect": "Deny", "Action": action, "Resource": resource}),
            Treat::Conditional => json!({"Effect": "Allow", "Action": action, "Resource": resource,
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "web"}}}),
            Treat::NotActionOther => {
                json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": resource})
            }
            Treat::NotActionSelf => {
                json!({"Effect": "Allow", "NotAction": action, "Resource": "*"})
            }
            Treat::NotResourceOther => {
                json!({"Effect": "Allow", "Action": action, "NotResource": "arn:aws:s3:::unrelated/*"})
            }
            Treat::ArnWildcard => {
                let parts: Vec<&str> = resource.splitn(6, ':').collect();
                let wild = if parts.len() == 6 {
                    format!("{}:{}:{}:*:*:{}", parts[0], parts[1], parts[2], parts[5])
                } else {
                    resource.to_string()
                };
                json!({"Effect": "Allow", "Action": action.to_uppercase(), "Resource": wild})
            }
            Treat::DenyNotResource => {
                json!({"Effect": "Deny", "Action": action, "NotResource": "arn:aws:s3:::unrelated/*"})
            }
        })
    }

    fn treat() -> impl Strategy<Value = Treat> {
        prop_oneof![
            3 => Just(Treat::Exact),
            1 => Just(Treat::AnyResource),
            1 => Just(Treat::ServiceWildcard),
            2 => Just(Treat::Omit),
            1 => Just(Treat::Deny),
            1 => Just(Treat::Conditional),
            1 => Just(Treat::NotActionOther),
            1 => Just(Treat::NotActionSelf),
            1 => Just(Treat::NotResourceOther),
            1 => Just(Treat::ArnWildcard),
            1 => Just(Treat::DenyNotResource),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
        #[test]
        fn nothing_missing_means_every_planned_call_is_allowed(
            treats in proptest::collection::vec(treat(), 32),
            in_managed in proptest::collection::vec(any::<bool>(), 32),
            boundary_services in proptest::option::of(proptest::sample::subsequence(vec!["ecr", "logs", "secretsmanager", "kms", "ssm"], 0..=5)),
        ) {
            let (p, calls) = planned();
            let exec = p.roles.iter().find(|r| r.kind == RoleKind::TaskExecution).unwrap();
            let name = exec.name.clone().unwrap();
            let (mut inline, mut managed) = (vec![], vec![]);
            for (i, (a, r)) in calls.iter().enumerate() {
                if let Some(s) = statement(treats[i % treats.len()], a, r) {
                    if in_managed[i % in_managed.len()] { managed.push(s) } else { inline.push(s) }
                }
            }
            let inline_doc = json!({"Version": "2012-10-17", "Statement": inline});
            let managed_doc = json!({"Version": "2012-10-17", "Statement": managed});
            let managed_arn = "arn:aws:iam::111122223333:policy/exec-extra".to_string();
            let boundary_arn = "arn:aws:iam::111122223333:policy/boundary".to_string();
            let boundary_doc = boundary_services.as_ref().map(|svcs| json!({"Statement": [{"Effect": "Allow",
                "Action": svcs.iter().map(|s| format!("{s}:*")).collect::<Vec<_>>(), "Resource": "*"}]}));
            let mut account = Account::default();
            account.policies.insert(managed_arn.clone(), managed_doc.clone());
            if let Some(b) = &boundary_doc {
                account.policies.insert(boundary_arn.clone(), b.clone());
            }
            account.roles.push(ecsroles_core::audit::IamRole {
                name: name.clone(),
                arn: exec.arn.clone(),
                trust: exec.trust_policy.as_ref().unwrap().to_iam_json(),
                inline: vec![("exec".into(), inline_doc.clone())],
                managed: vec![managed_arn],
                boundary: boundary_doc.as_ref().map(|_| boundary_arn),
            });
            let report = audit(&p, &account);
            let got = report.roles.iter().find(|x| x.name == name).unwrap();
            prop_assert!(got.found && got.unresolved.is_empty());
            let docs = [("exec", &inline_doc), ("managed", &managed_doc)];
            let decide = |a: &str, r: &str| evaluate(&docs, boundary_doc.as_ref(), a, &example_of(r)).0;
            let is_missing = |a: &str, r: &str| got.missing.iter().any(|m| m.action == a && m.resource == r);
            for (i, (a, r)) in calls.iter().enumerate() {
                let d = decide(a, r);
                if got.missing.is_empty() {
                    prop_assert!(matches!(d, Decision::Allowed | Decision::Conditional), "{a} on {r}: {d:?} but nothing reported missing");
                }
                prop_assert_eq!(is_missing(a, r), matches!(d, Decision::ImplicitDeny | Decision::ExplicitDeny), "{} on {}: {:?}", a, r, d);
                if matches!(treats[i % treats.len()], Treat::Deny | Treat::DenyNotResource) {
                    let m = got.missing.iter().find(|m| &m.action == a && &m.resource == r);
                    prop_assert!(m.is_some_and(|m| m.decision == Decision::ExplicitDeny), "{a} on {r} denied outright, reported {m:?}");
                }
            }
        }
    }
}

/// A permissions boundary whose document the input does not carry may refuse anything: it is
/// listed as unread, and nothing the role allows counts as allowed for sure.
#[test]
fn an_unknown_boundary_makes_allowed_calls_conditional() {
    let (p, _) = random_roles::planned();
    let exec = p
        .roles
        .iter()
        .find(|r| r.kind == RoleKind::TaskExecution)
        .unwrap();
    let mut account = ecsroles_core::audit::Account::default();
    account.roles.push(ecsroles_core::audit::IamRole {
        name: exec.name.clone().unwrap(),
        arn: exec.arn.clone(),
        trust: exec.trust_policy.as_ref().unwrap().to_iam_json(),
        inline: vec![(
            "all".into(),
            serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        )],
        managed: vec![],
        boundary: Some("arn:aws:iam::111122223333:policy/unknown-boundary".into()),
    });
    let r = audit(&p, &account);
    let x = audited(&r, RoleKind::TaskExecution);
    assert_eq!(
        x.unresolved,
        ["arn:aws:iam::111122223333:policy/unknown-boundary"]
    );
    assert!(x.missing.is_empty(), "{:?}", x.missing);
    assert!(
        !x.conditional.is_empty()
            && x.conditional
                .iter()
                .all(|m| m.decision == Decision::Conditional)
    );
}

/// The calculator's audit box: one role's policy as a user pastes it (the console's JSON
/// editor, `aws iam get-role-policy`, `aws iam get-policy-version`), judged as the same
/// role's policy in the account dump is, with its trust left unjudged.
#[test]
fn a_pasted_policy_is_judged_like_the_same_policy_in_the_account() {
    use ecsroles_core::audit::read_pasted;
    let text = std::fs::read_to_string(repo_root().join("examples/fargate-web-api.yaml")).unwrap();
    let p = plan(&parse_document(&text).unwrap().0);
    let gaad =
        std::fs::read_to_string(repo_root().join("tests/audit/web-api-authorization-details.json"))
            .unwrap();
    let account = read_account(&gaad).unwrap();
    let task_policy = &account
        .roles
        .iter()
        .find(|r| r.name == "web-api-task")
        .unwrap()
        .inline[0]
        .1;
    let from_dump = audit(&p, &account);
    let missing = |r: &ecsroles_core::audit::AuditReport| {
        let mut m: Vec<String> = audited(r, RoleKind::Task)
            .missing
            .iter()
            .map(|m| format!("{} {}", m.action, m.resource))
            .collect();
        m.sort();
        m
    };
    let shapes = [
        serde_json::to_string_pretty(task_policy).unwrap(),
        serde_json::json!({"RoleName": "web-api-task", "PolicyName": "app", "PolicyDocument": task_policy}).to_string(),
        serde_json::json!({"PolicyVersion": {"Document": task_policy, "VersionId": "v1", "IsDefaultVersion": true}}).to_string(),
    ];
    for (i, pasted) in shapes.iter().enumerate() {
        // get-role-policy names its role; the others are taken for the role the user picked.
        let for_role = if i == 1 {
            "someone-else"
        } else {
            "web-api-task"
        };
        let r = audit(&p, &read_pasted(pasted, for_role).unwrap());
        assert_eq!(missing(&r), missing(&from_dump), "shape {i}");
        let task = audited(&r, RoleKind::Task);
        assert!(task.found && task.assumable, "shape {i}");
        // Its trust is not known: not judged (the dump's says it does not trust ecs-tasks).
        assert!(task.trust.is_empty(), "shape {i}: {:?}", task.trust);
        assert!(!audited(&from_dump, RoleKind::Task).trust.is_empty());
        assert!(task.over_grants.iter().any(|o| o.action == "s3:*"));
        // The other roles were not pasted: not in what was given.
        assert!(!audited(&r, RoleKind::TaskExecution).found);
    }
    // The dump itself goes through as the dump.
    assert_eq!(
        missing(&audit(&p, &read_pasted(&gaad, "web-api-task").unwrap())),
        missing(&from_dump)
    );
    for (bad, says) in [
        ("{\"Version\": \"2012-10-17\"}", "no Statement"),
        ("{\"Statement\": 3}", "neither a statement"),
        ("[1, 2", "not JSON"),
    ] {
        let e = read_pasted(bad, "web-api-task").unwrap_err();
        assert!(e.contains(says), "{bad}: {e}");
    }
}

/// The account as IAM would hold the plan's own roles, each changed by `tweak` (its JSON in
/// get-account-authorization-details' RoleDetailList shape), with `policies` as the file's
/// managed policy documents.
fn account_of(
    p: &ecsroles_core::RolePlan,
    tweak: impl Fn(&ecsroles_core::model::PlannedRole, &mut serde_json::Value),
    policies: serde_json::Value,
) -> ecsroles_core::audit::Account {
    let roles: Vec<serde_json::Value> = p
        .roles
        .iter()
        .filter(|r| r.trust_policy.is_some())
        .map(|r| {
            let mut role = serde_json::json!({
                "RoleName": ecsroles_core::audit::role_name(r), "Arn": r.arn, "Path": "/",
                "AssumeRolePolicyDocument": r.trust_policy.as_ref().unwrap().to_iam_json(),
                "RolePolicyList": r.inline_policies.iter().map(|i| serde_json::json!({"PolicyName": i.name, "PolicyDocument": i.document.to_iam_json()})).collect::<Vec<_>>(),
                "AttachedManagedPolicies": r.managed_policies.iter().map(|m| serde_json::json!({"PolicyArn": m.arn})).collect::<Vec<_>>(),
            });
            tweak(r, &mut role);
            role
        })
        .collect();
    let gaad = serde_json::json!({"RoleDetailList": roles, "Policies": policies});
    read_account(&gaad.to_string()).unwrap()
}

fn planned(example: &str) -> ecsroles_core::RolePlan {
    let text = std::fs::read_to_string(repo_root().join("examples").join(example)).unwrap();
    plan(&parse_document(&text).unwrap().0)
}

/// `--filter Role` output carries no managed policy documents: the console's execution role
/// (AmazonECSTaskExecutionRolePolicy) is judged from the embedded snapshot exactly as from the
/// document, and the report says which version it used.
#[test]
fn an_aws_managed_policy_not_in_the_file_is_judged_from_the_snapshot() {
    let with_docs = report();
    let gaad =
        std::fs::read_to_string(repo_root().join("tests/audit/web-api-authorization-details.json"))
            .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&gaad).unwrap();
    v["Policies"] = serde_json::json!([]);
    let text = std::fs::read_to_string(repo_root().join("examples/fargate-web-api.yaml")).unwrap();
    let p = plan(&parse_document(&text).unwrap().0);
    let without = audit(&p, &read_account(&v.to_string()).unwrap());
    let (a, b) = (
        audited(&with_docs, RoleKind::TaskExecution),
        audited(&without, RoleKind::TaskExecution),
    );
    let pairs = |x: &[ecsroles_core::audit::Missing]| {
        x.iter()
            .map(|m| (m.action.clone(), m.resource.clone()))
            .collect::<Vec<_>>()
    };
    assert!(b.unresolved.is_empty(), "{:?}", b.unresolved);
    assert_eq!(
        b.from_snapshot,
        ["AmazonECSTaskExecutionRolePolicy v1 (2017-11-16T18:48:22Z)"]
    );
    assert!(a.from_snapshot.is_empty(), "the file's document wins");
    assert_eq!(pairs(&a.missing), pairs(&b.missing));
    assert_eq!(pairs(&a.conditional), pairs(&b.conditional));
    let over = |x: &ecsroles_core::audit::RoleAudit| {
        x.over_grants
            .iter()
            .map(|o| (o.policy.clone(), o.action.clone(), o.resource.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(over(a), over(b));
    assert!(over(b)
        .iter()
        .any(|(p, a, r)| p.ends_with("/AmazonECSTaskExecutionRolePolicy")
            && a == "ecr:BatchGetImage"
            && r == "*"));
    assert_eq!(a.verdict, b.verdict);
}

/// An AWS managed policy the plan attaches (the EBS volume infrastructure role's) is what the
/// role needs, not an over-grant: attached (document in the file or not) → fine; absent →
/// its grants are missing; held inline as `ec2:*` → nothing missing, the wildcard is broader.
#[test]
fn the_plans_own_managed_policies_are_needed_not_over_grants() {
    let p = planned("fargate-ebs-volume.yaml");
    let kind = RoleKind::VolumeInfrastructure;
    let volumes = p.roles.iter().find(|r| r.kind == kind).unwrap();
    assert!(volumes.managed_policies[0]
        .arn
        .ends_with("/AmazonECSInfrastructureRolePolicyForVolumes"));
    let arn = volumes.managed_policies[0].arn.clone();
    // Attached, the document in the file (shaped as the API gives it; the file's wins, and being
    // the plan's own it is no over-grant however wide) or not.
    let doc = serde_json::json!([{"PolicyName": "AmazonECSInfrastructureRolePolicyForVolumes", "Arn": arn, "DefaultVersionId": "v5",
        "PolicyVersionList": [{"VersionId": "v5", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}}]}]);
    for policies in [serde_json::json!([]), doc] {
        let r = audit(&p, &account_of(&p, |_, _| {}, policies.clone()));
        let x = audited(&r, kind);
        assert!(
            x.missing.is_empty() && x.over_grants.is_empty() && x.unresolved.is_empty(),
            "{x:?}"
        );
        assert_ne!(x.verdict, ecsroles_core::audit::Verdict::Broader);
    }
    // Not attached: the snapshot's grants are missing, and say what they are for.
    let bare = |r: &ecsroles_core::model::PlannedRole, v: &mut serde_json::Value| {
        if r.kind == kind {
            v["AttachedManagedPolicies"] = serde_json::json!([]);
        }
    };
    let r = audit(&p, &account_of(&p, bare, serde_json::json!([])));
    let x = audited(&r, kind);
    assert_eq!(x.verdict, ecsroles_core::audit::Verdict::Missing);
    let actions: Vec<&str> = x.missing.iter().map(|m| m.action.as_str()).collect();
    for a in ["ec2:AttachVolume", "ec2:DescribeVolumes"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    // The conditional statements (CreateVolume only with AmazonECSManaged tags) are missing too.
    assert!(actions.contains(&"ec2:CreateVolume"), "{actions:?}");
    assert!(x.missing[0]
        .why
        .contains("AmazonECSInfrastructureRolePolicyForVolumes v5"));
    // Held inline as ec2:* on *: nothing missing, the wildcard named.
    let wide = |r: &ecsroles_core::model::PlannedRole, v: &mut serde_json::Value| {
        if r.kind == kind {
            v["AttachedManagedPolicies"] = serde_json::json!([]);
            v["RolePolicyList"] = serde_json::json!([{"PolicyName": "ebs", "PolicyDocument":
                {"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}}]);
        }
    };
    let r = audit(&p, &account_of(&p, wide, serde_json::json!([])));
    let x = audited(&r, kind);
    assert!(x.missing.is_empty(), "{:?}", x.missing);
    assert_eq!(x.verdict, ecsroles_core::audit::Verdict::Broader);
    assert!(x.over_grants.iter().any(|o| o.action == "ec2:*"));
    // A copy scoped to the workload's Region and account holds what the workload's calls touch.
    let scoped = |r: &ecsroles_core::model::PlannedRole, v: &mut serde_json::Value| {
        if r.kind == kind {
            v["AttachedManagedPolicies"] = serde_json::json!([]);
            v["RolePolicyList"] = serde_json::json!([{"PolicyName": "ebs", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["ec2:CreateVolume", "ec2:CreateTags", "ec2:AttachVolume", "ec2:DetachVolume", "ec2:DeleteVolume"],
                 "Resource": ["arn:aws:ec2:us-east-1:111122223333:volume/*", "arn:aws:ec2:us-east-1:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:snapshot/*"]},
                {"Effect": "Allow", "Action": ["ec2:DescribeVolumes", "ec2:DescribeAvailabilityZones", "ec2:DescribeInstances"], "Resource": "*"}]}}]);
        }
    };
    let r = audit(&p, &account_of(&p, scoped, serde_json::json!([])));
    let x = audited(&r, kind);
    assert!(x.missing.is_empty(), "{:?}", x.missing);
    // Attached, the plan's own policy is not re-judged against the snapshot: a file whose
    // (newer) document allows less is still what the plan attaches.
    let newer = serde_json::json!([{"PolicyName": "AmazonECSInfrastructureRolePolicyForVolumes", "Arn": arn, "DefaultVersionId": "v6",
        "PolicyVersionList": [{"VersionId": "v6", "IsDefaultVersion": true, "Document": {"Statement": [
            {"Effect": "Allow", "Action": "ec2:DescribeVolumes", "Resource": "*"}]}}]}]);
    let r = audit(&p, &account_of(&p, |_, _| {}, newer));
    assert!(audited(&r, kind).missing.is_empty());
}

/// A managed policy the plan attaches that the snapshot does not hold (ECS Anywhere's
/// AmazonSSMManagedInstanceCore): attached → nothing said; absent → named, and the verdict is
/// not "fine" (the role's own policies could stand in for it: not proven either way).
#[test]
fn a_planned_managed_policy_outside_the_snapshot_is_looked_for() {
    let p = planned("external-anywhere.yaml");
    let kind = RoleKind::ContainerInstance;
    let role = p.roles.iter().find(|r| r.kind == kind).unwrap();
    let ssm = role
        .managed_policies
        .iter()
        .find(|m| m.arn.ends_with("/AmazonSSMManagedInstanceCore"))
        .expect("the plan attaches it")
        .arn
        .clone();
    let r = audit(&p, &account_of(&p, |_, _| {}, serde_json::json!([])));
    let x = audited(&r, kind);
    assert!(x.detached.is_empty());
    assert!(
        x.unresolved.contains(&ssm),
        "not in the file, not in the snapshot: unread"
    );
    let without = |r: &ecsroles_core::model::PlannedRole, v: &mut serde_json::Value| {
        if r.kind == kind {
            let kept: Vec<_> = r
                .managed_policies
                .iter()
                .filter(|m| !m.arn.ends_with("/AmazonSSMManagedInstanceCore"))
                .map(|m| serde_json::json!({"PolicyArn": m.arn}))
                .collect();
            v["AttachedManagedPolicies"] = serde_json::json!(kept);
        }
    };
    let r = audit(&p, &account_of(&p, without, serde_json::json!([])));
    let x = audited(&r, kind);
    assert_eq!(x.detached, [ssm]);
    assert_ne!(x.verdict, ecsroles_core::audit::Verdict::Fine);
}

/// The per-role AWS CLI outputs one after the other (tests/audit/web-api-role-outputs.json, the
/// same roles as the get-account-authorization-details fixture): the audit finds the same
/// things, the managed policy judged from the snapshot.
#[test]
fn per_role_cli_outputs_are_audited_like_the_account_details() {
    let text = std::fs::read_to_string(repo_root().join("examples/fargate-web-api.yaml")).unwrap();
    let p = plan(&parse_document(&text).unwrap().0);
    let outputs =
        std::fs::read_to_string(repo_root().join("tests/audit/web-api-role-outputs.json")).unwrap();
    let account = ecsroles_core::audit::read_roles(&outputs).expect("reads the CLI outputs");
    let (a, b) = (report(), audit(&p, &account));
    let found = |r: &ecsroles_core::audit::AuditReport| {
        r.roles
            .iter()
            .map(|x| {
                let mut m: Vec<String> = x
                    .missing
                    .iter()
                    .map(|m| format!("{} {}", m.action, m.resource))
                    .collect();
                m.sort();
                let mut o: Vec<String> = x
                    .over_grants
                    .iter()
                    .map(|o| format!("{} {} {}", o.policy, o.action, o.resource))
                    .collect();
                o.sort();
                (
                    x.name.clone(),
                    x.verdict,
                    m,
                    o,
                    x.trust.clone(),
                    x.assumable,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(found(&a), found(&b));
    assert_eq!(audited(&b, RoleKind::TaskExecution).from_snapshot.len(), 1);
    // Pasted in the calculator's audit box: read the same way, trust included.
    let pasted = ecsroles_core::audit::read_pasted(&outputs, "web-api-task").unwrap();
    assert_eq!(found(&audit(&p, &pasted)), found(&b));
    // The same, as a JSON array.
    let values: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&outputs)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let array = serde_json::to_string(&values).unwrap();
    assert_eq!(
        found(&audit(
            &p,
            &ecsroles_core::audit::read_roles(&array).unwrap()
        )),
        found(&b)
    );
    // get-policy + get-policy-version: the managed policy's document from the file instead.
    let managed = r#"{"Policy": {"PolicyName": "AmazonECSTaskExecutionRolePolicy", "Arn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", "DefaultVersionId": "v1"}}
{"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}, "VersionId": "v1", "IsDefaultVersion": true}}"#;
    let with = audit(
        &p,
        &ecsroles_core::audit::read_roles(&format!("{outputs}\n{managed}")).unwrap(),
    );
    let exec = audited(&with, RoleKind::TaskExecution);
    assert!(exec.from_snapshot.is_empty());
    assert!(exec.over_grants.iter().any(|o| o.action == "ecr:*"));
}

/// What the per-role reader refuses, each saying which value and what to add.
#[test]
fn per_role_outputs_that_cannot_be_judged_say_what_to_add() {
    use ecsroles_core::audit::read_roles;
    let role = r#"{"Role": {"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "AssumeRolePolicyDocument": {"Statement": []}}}"#;
    for (text, says) in [
        (
            r#"{"AttachedPolicies": [], "IsTruncated": false}"#.to_string(),
            "value 1 (list-attached-role-policies): it names no role; put the role's `aws iam get-role` output before it",
        ),
        (
            format!(
                r#"{role} {{"PolicyNames": ["app"], "IsTruncated": false}} {{"AttachedPolicies": []}}"#
            ),
            "role r has the inline policy app (list-role-policies) and the file does not carry it",
        ),
        (
            format!(r#"{role} {{"PolicyNames": []}}"#),
            "role r: add `aws iam list-attached-role-policies --role-name r` output",
        ),
        (
            role.to_string(),
            "role r: add `aws iam list-attached-role-policies --role-name r` output",
        ),
        (
            format!(r#"{role} {{"AttachedPolicies": [], "IsTruncated": true, "Marker": "x"}}"#),
            "value 2 (a list): more follows (IsTruncated / NextToken); run the command without --max-items",
        ),
        (
            format!(r#"{role} {{"AttachedPolicies": [], "NextToken": "eyJNYXJrZXIiOiBudWxsfQ=="}}"#),
            "value 2 (a list): more follows",
        ),
        (
            r#"{"Policy": {"Arn": "arn:aws:iam::111122223333:policy/p", "DefaultVersionId": "v3"}} {"PolicyVersion": {"Document": {"Statement": []}, "VersionId": "v1"}}"#.to_string(),
            "value 2 (get-policy-version): version v1 of arn:aws:iam::111122223333:policy/p is not its default (v3)",
        ),
        (
            r#"{"PolicyVersion": {"Document": {"Statement": []}, "VersionId": "v1"}}"#.to_string(),
            "value 1 (get-policy-version): it names no policy",
        ),
        (
            format!(r#"{role} {{"Users": []}}"#),
            "value 2: not an `aws iam` output ecsroles reads",
        ),
        (
            r#"{"Role": {"RoleName": "r", "AssumeRolePolicyDocument": "<URL-encoded-JSON>"}}"#.to_string(),
            "value 1 (get-role): AssumeRolePolicyDocument: a policy document is not JSON",
        ),
    ] {
        let e = read_roles(&text).expect_err(&text);
        assert!(e.contains(says), "{text}\n→ {e}");
    }
    // A get-role-policy before its role's get-role, and outputs given twice: one role, complete.
    let inline = r#"{"RoleName": "r", "PolicyName": "app", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}"#;
    let lists = r#"{"PolicyNames": ["app"]} {"AttachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}"#;
    let a = read_roles(&format!("{inline} {role} {lists} {role} {lists} {inline}")).unwrap();
    assert_eq!(a.roles.len(), 1);
    let r = &a.roles[0];
    assert!(!r.trust.is_null(), "its get-role's trust");
    assert_eq!((r.inline.len(), r.managed.len()), (1, 1));
}

/// Trust conditions are judged by their values: an `aws:SourceAccount` or `aws:SourceArn` that
/// names another account or Region never holds for this workload (ECS cannot assume the role,
/// the task fails); one narrower than the plan's (one cluster's tasks) is fine.
#[test]
fn trust_conditions_naming_another_account_or_region_block_assumption() {
    let p = planned("fargate-web-api.yaml");
    let with_trust = |condition: serde_json::Value| {
        let account = account_of(
            &p,
            |r, v| {
                if r.kind == RoleKind::Task {
                    v["AssumeRolePolicyDocument"] = serde_json::json!({"Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole", "Condition": condition}]});
                }
            },
            serde_json::json!([]),
        );
        let r = audit(&p, &account);
        let x = audited(&r, RoleKind::Task).clone();
        (x.assumable, x.trust, x.verdict)
    };
    let (ok, trust, verdict) = with_trust(serde_json::json!({
        "StringEquals": {"aws:SourceAccount": "111122223333"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:111122223333:task/web/*"}}));
    assert!(ok && trust.is_empty(), "{trust:?}");
    assert_eq!(verdict, ecsroles_core::audit::Verdict::Fine);
    // Negated and Null tests say nothing about the account wanted: they hold here.
    let (ok, trust, _) = with_trust(serde_json::json!({
        "StringNotEquals": {"aws:SourceAccount": "999999999999"},
        "Null": {"aws:SourceAccount": "false"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:111122223333:*"}}));
    assert!(ok && trust.is_empty(), "{trust:?}");
    // A plan that knows neither its account nor its Region (placeholders, which hold colons)
    // cannot call any account or Region wrong.
    let open = plan_doc(
        "name: app\nlaunchType: FARGATE\ntaskDefinition: {family: app, containerDefinitions: [{name: app, image: nginx}]}\napp: {statements: [{Effect: Allow, Action: s3:GetObject, Resource: \"*\"}]}\n",
    );
    assert!(
        open.account.contains("${") && open.region.contains("${"),
        "{} {}",
        open.account,
        open.region
    );
    let account = account_of(
        &open,
        |r, v| {
            if r.kind == RoleKind::Task {
                v["AssumeRolePolicyDocument"] = serde_json::json!({"Statement": [{"Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"},
                                  "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:111122223333:*"}}}]});
            }
        },
        serde_json::json!([]),
    );
    let x = audit(&open, &account);
    assert!(
        audited(&x, RoleKind::Task).assumable,
        "{:?}",
        audited(&x, RoleKind::Task).trust
    );
    for (condition, says) in [
        (
            serde_json::json!({"StringEquals": {"aws:SourceAccount": "999999999999"}}),
            "aws:SourceAccount is 999999999999, the workload's account is 111122223333",
        ),
        (
            serde_json::json!({"ArnLike": {"aws:sourcearn": "arn:aws:ecs:eu-west-1:111122223333:*"}}),
            "aws:SourceArn is arn:aws:ecs:eu-west-1:111122223333:*",
        ),
    ] {
        let (ok, trust, verdict) = with_trust(condition);
        assert!(!ok, "{trust:?}");
        assert_eq!(verdict, ecsroles_core::audit::Verdict::Missing);
        assert!(
            trust.iter().any(|t| t
                .starts_with("does not trust ecs-tasks.amazonaws.com for this workload")
                && t.contains(says)),
            "{trust:?}"
        );
    }
}

/// Applies `f` to `account` as a user would: the plan's IAM documents (every format renders
/// these same documents) put on the roles, the removals done, the trust replaced.
fn apply_fix(
    account: &mut ecsroles_core::audit::Account,
    spec: &ecsroles_core::EcsRoleSetSpec,
    f: &ecsroles_core::audit::Fix,
) {
    use ecsroles_core::render::{render, Format};
    let iam: serde_json::Value = serde_json::from_str(&render(Format::Iam, spec, &f.plan)).unwrap();
    for r in iam["roles"].as_array().unwrap() {
        let have = account
            .roles
            .iter_mut()
            .find(|a| a.name == r["roleName"].as_str().unwrap())
            .expect("a found role");
        for (name, doc) in r["inlinePolicies"].as_object().unwrap() {
            have.inline.retain(|(n, _)| n != name);
            have.inline.push((name.clone(), doc.clone()));
        }
        for arn in r["managedPolicyArns"].as_array().into_iter().flatten() {
            let arn = arn.as_str().unwrap().to_string();
            if !have.managed.contains(&arn) {
                have.managed.push(arn);
            }
        }
    }
    for rm in &f.remove {
        let have = account
            .roles
            .iter_mut()
            .find(|a| a.name == rm.role)
            .unwrap();
        let (inline, managed) = (have.inline.len(), have.managed.len());
        have.inline.retain(|(n, _)| *n != rm.policy);
        have.managed.retain(|m| *m != rm.policy);
        assert_eq!(
            have.inline.len() + have.managed.len() + 1,
            inline + managed,
            "{}",
            rm.command
        );
    }
    for t in &f.trust {
        account
            .roles
            .iter_mut()
            .find(|a| a.name == t.role)
            .unwrap()
            .trust = t.document.clone();
    }
}

/// The web-api example with the fixture `fixture` (tests/audit/): spec, plan, account.
fn web_api_with(
    fixture: &str,
) -> (
    ecsroles_core::EcsRoleSetSpec,
    ecsroles_core::RolePlan,
    ecsroles_core::audit::Account,
) {
    let text = std::fs::read_to_string(repo_root().join("examples/fargate-web-api.yaml")).unwrap();
    let (spec, _) = parse_document(&text).unwrap();
    let p = plan(&spec);
    let gaad = std::fs::read_to_string(repo_root().join("tests/audit").join(fixture)).unwrap();
    (spec, p, read_account(&gaad).expect("reads the API's shape"))
}

/// The fix, applied as a user would, leaves roles the audit finds fine, except for what a Deny
/// refuses: that is said as blocked, not papered over.
#[test]
fn applying_the_fix_leaves_nothing_but_what_a_deny_blocks() {
    use ecsroles_core::audit::{fix, Verdict};
    let (spec, p, mut account) = web_api_with("web-api-authorization-details.json");
    let before = audit(&p, &account);
    let f = fix(&spec, std::slice::from_ref(&p), &before, &[]).expect("something to fix");
    // Only the roles found wanting, as the existing roles they are.
    let mut fixed: Vec<&str> = f
        .plan
        .roles
        .iter()
        .filter_map(|r| r.name.as_deref())
        .collect();
    fixed.sort();
    assert_eq!(fixed, ["web-api-execution", "web-api-task"]);
    assert!(f
        .plan
        .roles
        .iter()
        .all(|r| r.provisioning == ecsroles_core::model::Provisioning::Existing));
    apply_fix(&mut account, &spec, &f);
    let after = audit(&p, &account);
    for x in after.roles.iter().filter(|x| x.found) {
        assert!(x.over_grants.is_empty(), "{}: {:?}", x.name, x.over_grants);
        assert!(
            x.trust.is_empty() && x.assumable,
            "{}: {:?}",
            x.name,
            x.trust
        );
        assert!(
            x.missing.iter().all(|m| m.blocked_by.is_some()),
            "{}: {:?}",
            x.name,
            x.missing
        );
    }
    // The secret the fixture's Deny refuses: still missing, and the fix says why.
    assert_eq!(after.missing(), 1);
    assert_eq!(f.blocked.len(), 1);
    assert!(
        f.blocked[0].text.contains("a Deny in policy secrets"),
        "{:?}",
        f.blocked[0]
    );
    assert_eq!(
        audited(&after, RoleKind::Task).verdict,
        Verdict::Fine,
        "{:?}",
        audited(&after, RoleKind::Task)
    );
    // Nothing wanting: nothing to fix.
    let fine = ecsroles_core::audit::AuditReport {
        roles: after
            .roles
            .into_iter()
            .filter(|x| x.verdict == Verdict::Fine)
            .collect(),
        not_seen: "",
    };
    assert!(fix(&spec, std::slice::from_ref(&p), &fine, &[]).is_none());
}

/// tests/audit/web-api-boundary-authorization-details.json (README there): a permissions
/// boundary (a customer managed policy whose default version is v2, not v1), NotAction and
/// NotResource allows, a Deny with NotResource, confused-deputy trust conditions — each decided
/// as IAM's evaluation logic says, through `audit` from the API's shape.
#[test]
fn boundaries_not_action_and_not_resource_are_judged_as_iam_does() {
    use ecsroles_core::audit::{fix, Verdict};
    let (spec, p, mut account) = web_api_with("web-api-boundary-authorization-details.json");
    let r = audit(&p, &account);
    let exec = audited(&r, RoleKind::TaskExecution);
    // The boundary's default version (v2) lacks s3:GetBucketLocation: whatever the NotAction
    // allow grants, the env file's bucket lookup is refused. v1 (Allow *) is not the default.
    let missing: Vec<(&str, &str, Option<&str>)> = exec
        .missing
        .iter()
        .map(|m| {
            (
                m.action.as_str(),
                m.resource.as_str(),
                m.blocked_by.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        missing,
        [(
            "s3:GetBucketLocation",
            "arn:aws:s3:::acme-config",
            Some("permissions boundary")
        )]
    );
    assert!(exec.missing[0]
        .breaks
        .as_deref()
        .unwrap()
        .ends_with("because no permissions boundary allows the s3:GetBucketLocation action"));
    // The Deny with NotResource spares this workload's secret (under prod/web-api/).
    assert!(!exec
        .missing
        .iter()
        .any(|m| m.action.starts_with("secretsmanager")));
    // Allow NotAction: everything but IAM, STS and Organizations — broader.
    let broader: Vec<(&str, &str)> = exec
        .over_grants
        .iter()
        .map(|o| (o.policy.as_str(), o.action.as_str()))
        .collect();
    assert_eq!(broader, [("pull", "(NotAction)")]);
    assert!(exec.trust.is_empty() && exec.assumable);
    let task = audited(&r, RoleKind::Task);
    assert!(task.missing.is_empty(), "{:?}", task.missing);
    // s3:GetObject on every object but private/: the app reads one prefix. sqs:* on the queue.
    let mut broader: Vec<&str> = task.over_grants.iter().map(|o| o.action.as_str()).collect();
    broader.sort();
    assert_eq!(broader, ["s3:GetObject", "sqs:*"]);
    assert!(task
        .over_grants
        .iter()
        .any(|o| o.why.contains("NotResource")));
    // Its trust names ecs-tasks.amazonaws.com with this account's confused-deputy conditions.
    assert!(task.trust.is_empty() && task.assumable, "{:?}", task.trust);
    assert_eq!(task.verdict, Verdict::Broader);
    // The fix: the NotAction and the broad app policy removed, the boundary said as blocking.
    let f = fix(&spec, std::slice::from_ref(&p), &r, &[]).expect("something to fix");
    let mut removed: Vec<&str> = f.remove.iter().map(|x| x.policy.as_str()).collect();
    removed.sort();
    assert_eq!(removed, ["app", "pull"]);
    assert_eq!(f.blocked.len(), 1);
    assert!(
        f.blocked[0]
            .text
            .contains("the role's permissions boundary"),
        "{:?}",
        f.blocked[0]
    );
    apply_fix(&mut account, &spec, &f);
    let after = audit(&p, &account);
    assert_eq!(after.over_grants(), 0, "{:?}", after.roles);
    assert_eq!(
        after.missing(),
        1,
        "the boundary still refuses the bucket lookup"
    );
}

/// One existing role serving as task and execution role, with a legacy policy that also holds
/// a Deny, and a permissions boundary that refuses what nothing allows yet: the fix puts both
/// kinds' policies on under their own names, removes none of them nor the policy with the
/// Deny (said instead), and says the boundary blocks — it would meet the fix's grant.
#[test]
fn the_fix_keeps_what_other_kinds_and_denies_need_and_names_the_boundary() {
    use ecsroles_core::audit::{fix, Account, IamRole};
    use serde_json::json;
    let spec = "name: one\naccount: \"111122223333\"\nregion: us-east-1\ncluster: c\nlaunchType: FARGATE\ntaskDefinition:\n  family: one\n  networkMode: awsvpc\n  executionRoleArn: arn:aws:iam::111122223333:role/app\n  taskRoleArn: arn:aws:iam::111122223333:role/app\n  containerDefinitions:\n    - name: web\n      image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1\n      secrets: [{name: DB, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf\"}]\napp:\n  access:\n    - sqs: {queue: arn:aws:sqs:us-east-1:111122223333:jobs, access: produce}\n";
    let (spec, _) = parse_document(spec).unwrap();
    let p = plan(&spec);
    let exec = p.role(RoleKind::TaskExecution).unwrap();
    let task = p.role(RoleKind::Task).unwrap();
    assert_eq!(
        (exec.name.as_deref(), task.name.as_deref()),
        (Some("app"), Some("app"))
    );
    let exec_policy = &exec.inline_policies[0];
    let legacy = json!({"Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"}]});
    let boundary = json!({"Statement": [{"Effect": "Allow", "NotAction": "secretsmanager:*", "Resource": "*"}]});
    let mut account = Account::default();
    account
        .policies
        .insert("arn:aws:iam::111122223333:policy/b".into(), boundary);
    account.roles.push(IamRole {
        name: "app".into(),
        arn: "arn:aws:iam::111122223333:role/app".into(),
        trust: json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        // The execution role's policy as the plan writes it, less the secret.
        inline: vec![
            (exec_policy.name.clone(), {
                let mut d = exec_policy.document.clone();
                d.statements.retain(|s| !s.actions.iter().any(|a| a.starts_with("secretsmanager")));
                d.to_iam_json()
            }),
            ("legacy".into(), legacy),
        ],
        managed: vec![],
        boundary: Some("arn:aws:iam::111122223333:policy/b".into()),
    });
    let r = audit(&p, &account);
    let x = audited(&r, RoleKind::TaskExecution);
    let secret = x
        .missing
        .iter()
        .find(|m| m.action == "secretsmanager:GetSecretValue")
        .expect("the secret is missing");
    // Nothing allows it, and the boundary would refuse it even once the fix does.
    assert_eq!(secret.decision, Decision::ImplicitDeny);
    assert_eq!(secret.blocked_by.as_deref(), Some("permissions boundary"));
    let f = fix(&spec, std::slice::from_ref(&p), &r, &[]).expect("a fix");
    let mut names: Vec<&str> = f
        .plan
        .roles
        .iter()
        .flat_map(|r| r.inline_policies.iter().map(|i| i.name.as_str()))
        .collect();
    names.sort();
    assert_eq!(names, ["ecsroles-one-execution", "ecsroles-one-task"]);
    assert!(f.remove.is_empty(), "{:?}", f.remove);
    assert!(
        f.notes.iter().any(|n| n.role == "app"
            && n.text
                .starts_with("legacy is left on: it also holds a Deny")),
        "{:?}",
        f.notes
    );
    assert!(
        f.blocked
            .iter()
            .any(|b| b.text.contains("secretsmanager:GetSecretValue")
                && b.text.contains("permissions boundary")),
        "{:?}",
        f.blocked
    );
}

/// One role as task and execution role, its execution side fine through a policy of the
/// user's own name, its task side missing a grant: neither kind calls the other's grants
/// broader (that policy is not removed), the fix puts both kinds' policies on, and once
/// applied the role audits clean — its plain ecs-tasks trust included (the execution role's
/// trust has no conditions to ask for).
#[test]
fn the_fix_of_a_role_serving_two_kinds_leaves_it_clean() {
    use ecsroles_core::audit::{fix, Account, IamRole};
    use serde_json::json;
    let spec = "name: one\naccount: \"111122223333\"\nregion: us-east-1\ncluster: c\nlaunchType: FARGATE\ntaskDefinition:\n  family: one\n  networkMode: awsvpc\n  executionRoleArn: arn:aws:iam::111122223333:role/app\n  taskRoleArn: arn:aws:iam::111122223333:role/app\n  containerDefinitions:\n    - name: web\n      image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/web:1\napp:\n  access:\n    - sqs: {queue: arn:aws:sqs:us-east-1:111122223333:jobs, access: produce}\n";
    let (spec, _) = parse_document(spec).unwrap();
    let p = plan(&spec);
    let exec = p.role(RoleKind::TaskExecution).unwrap();
    let mut account = Account::default();
    account.roles.push(IamRole {
        name: "app".into(),
        arn: "arn:aws:iam::111122223333:role/app".into(),
        trust: json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        inline: vec![("exec-stuff".into(), exec.inline_policies[0].document.to_iam_json())],
        managed: vec![],
        boundary: None,
    });
    let before = audit(&p, &account);
    assert!(audited(&before, RoleKind::Task)
        .missing
        .iter()
        .any(|m| m.action == "sqs:SendMessage"));
    assert!(audited(&before, RoleKind::TaskExecution).missing.is_empty());
    let f = fix(&spec, std::slice::from_ref(&p), &before, &[]).expect("a fix");
    let mut kinds: Vec<RoleKind> = f.plan.roles.iter().map(|r| r.kind).collect();
    kinds.sort_by_key(|k| k.key());
    assert_eq!(kinds, [RoleKind::Task, RoleKind::TaskExecution]);
    // exec-stuff holds what the role needs as execution role: not broader, not removed.
    assert!(f.remove.is_empty(), "{:?}", f.remove);
    let mut untrusting = account.clone();
    apply_fix(&mut account, &spec, &f);
    let after = audit(&p, &account);
    assert_eq!(after.missing(), 0, "{:?}", after.roles);
    assert_eq!(after.over_grants(), 0, "{:?}", after.roles);
    // Trusting EC2 instead: one trust policy for both kinds, one statement for ecs-tasks (the
    // execution role's, without conditions, already lets it in), as IAM takes it.
    untrusting.roles[0].trust = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let f = fix(
        &spec,
        std::slice::from_ref(&p),
        &audit(&p, &untrusting),
        &[],
    )
    .expect("a fix");
    assert_eq!(f.trust.len(), 1);
    let statements = f.trust[0].document["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1, "{statements:?}");
    assert_eq!(
        statements[0]["Principal"]["Service"],
        "ecs-tasks.amazonaws.com"
    );
    apply_fix(&mut untrusting, &spec, &f);
    let after = audit(&p, &untrusting);
    assert!(
        after
            .roles
            .iter()
            .all(|x| x.trust.is_empty() && x.assumable),
        "{:?}",
        after.roles
    );
}
