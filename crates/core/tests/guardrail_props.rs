//! Property: for random statements, "allowed by the guardrail evaluator" implies "cannot grant
//! any denied action or action/resource pair" under IAM's rules, checked concretely over a
//! finite universe of actions and resources by the audit's evaluator (`evaluate::evaluate`):
//! the same one `audit`'s property test (tests/audit.rs) holds its verdicts to.

use std::collections::BTreeMap;

use ecsroles_core::evaluate::{evaluate, Decision};
use ecsroles_core::guardrails::{glob_match, ActionResource, Guardrails};
use ecsroles_core::policy::{Effect, PolicyDocument, Statement};
use proptest::prelude::*;

const ACTIONS: &[&str] = &[
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:PassRole",
    "iam:AttachRolePolicy",
    "organizations:LeaveOrganization",
    "account:PutAlternateContact",
    "sts:AssumeRole",
    "sts:GetCallerIdentity",
    "s3:GetObject",
    "s3:PutObject",
    "sqs:SendMessage",
    "kms:Decrypt",
];
/// Role resources, including one no generated pattern names (only wildcards reach it).
const ROLES: &[&str] = &[
    "arn:aws:iam::123456789012:role/app",
    "arn:aws:iam::999999999999:role/admin",
    "arn:aws:iam::555555555555:role/zz-unlisted",
];
const OTHER_RESOURCES: &[&str] = &["arn:aws:s3:::bucket/key", "arn:aws:sqs:us-east-1:1:q"];

fn action_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(ACTIONS).prop_map(String::from),
        proptest::sample::select(ACTIONS).prop_map(|a| a.to_uppercase()),
        proptest::sample::select(vec![
            "*",
            "*:*",
            "iam:*",
            "i*:Pass*",
            "?am:Create*",
            "iam:*Role*",
            "sts:Assume*",
            "s*:*",
            "organizations:*",
            "*ganizations:*",
            "account:*",
            "s3:*",
            "sqs:Send?essage",
            "IAM:PASSROLE",
            "*Role",
            "iam:Create????",
        ])
        .prop_map(String::from),
    ]
}

fn resource_pattern() -> impl Strategy<Value = String> {
    prop_oneof![proptest::sample::select(vec![
        "*",
        "arn:*",
        "arn:aws:iam::*:role/*",
        "arn:aws:iam::123456789012:role/*",
        "arn:aws:iam::123456789012:role/app",
        "arn:aws:iam::999999999999:role/admin",
        "arn:aws:s3:::bucket/*",
        "arn:aws:*",
    ])
    .prop_map(String::from),]
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        prop::bool::weighted(0.75),
        prop::bool::weighted(0.7),
        prop::collection::vec(action_pattern(), 1..3),
        prop::bool::weighted(0.7),
        prop::collection::vec(resource_pattern(), 1..3),
        prop::option::weighted(0.3, prop::bool::ANY),
    )
        .prop_map(
            |(allow, use_action, actions, use_resource, resources, cond)| {
                let mut conditions = BTreeMap::new();
                if let Some(passed) = cond {
                    let key = if passed {
                        "iam:PassedToService"
                    } else {
                        "aws:SourceAccount"
                    };
                    conditions.insert(
                        "StringEquals".into(),
                        BTreeMap::from([(key.into(), vec!["ecs-tasks.amazonaws.com".to_string()])]),
                    );
                }
                Statement {
                    sid: "S".into(),
                    effect: if allow { Effect::Allow } else { Effect::Deny },
                    principal: None,
                    actions: if use_action {
                        actions.iter().cloned().map(Into::into).collect()
                    } else {
                        vec![]
                    },
                    not_actions: if use_action {
                        vec![]
                    } else {
                        actions.into_iter().map(Into::into).collect()
                    },
                    resources: if use_resource {
                        resources.clone()
                    } else {
                        vec![]
                    },
                    not_resources: if use_resource { vec![] } else { resources },
                    conditions,
                    why: "random".into(),
                    reasons: vec![],
                    doc: "".into(),
                }
            },
        )
}

/// The statements of `all` that grant `action` on `resource`, decided by the audit's evaluator
/// ([`ecsroles_core::evaluate::evaluate`], the one `audit` and `explain` use: one evaluator
/// proves both): none under an unconditional Deny; else each Allow that matches (a conditional
/// one too — the guardrails must not count on a condition).
fn granted_by<'a>(all: &'a [Statement], action: &str, resource: &str) -> Vec<&'a Statement> {
    let doc = |s: &[Statement]| PolicyDocument::new(s.to_vec()).to_iam_json();
    let whole = doc(all);
    if evaluate(&[("policy", &whole)], None, action, resource).0 == Decision::ExplicitDeny {
        return vec![];
    }
    all.iter()
        .filter(|s| s.effect == Effect::Allow)
        .filter(|s| {
            let one = doc(std::slice::from_ref(*s));
            matches!(
                evaluate(&[("statement", &one)], None, action, resource).0,
                Decision::Allowed | Decision::Conditional
            )
        })
        .collect()
}

/// The same question, decided by a deliberately naive matcher of IAM's rules (an independent
/// check of the evaluator above: both must name the same statements).
fn naive_granted_by<'a>(all: &'a [Statement], action: &str, resource: &str) -> Vec<&'a Statement> {
    let matches = |s: &Statement| {
        let a = if s.actions.is_empty() {
            !s.not_actions.iter().any(|p| glob_match(p, action))
        } else {
            s.actions.iter().any(|p| glob_match(p, action))
        };
        let r = if s.resources.is_empty() {
            !s.not_resources.iter().any(|p| glob_match(p, resource))
        } else {
            s.resources.iter().any(|p| glob_match(p, resource))
        };
        a && r
    };
    if all
        .iter()
        .any(|d| d.effect == Effect::Deny && d.conditions.is_empty() && matches(d))
    {
        return vec![];
    }
    all.iter()
        .filter(|s| s.effect == Effect::Allow && matches(s))
        .collect()
}

fn policy() -> Guardrails {
    Guardrails {
        denied_actions: vec![
            "iam:Create*".into(),
            "organizations:*".into(),
            "account:*".into(),
        ],
        denied_action_resources: vec![ActionResource {
            action: "sts:AssumeRole".into(),
            resource: "arn:aws:iam::*:role/*".into(),
        }],
        require_passed_to_service: true,
        ..Guardrails::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn allowed_implies_no_denied_grant(all in prop::collection::vec(statement(), 1..5)) {
        // Every policy, refused or not: the evaluator agrees with the naive matcher.
        let resources: Vec<&str> = ROLES.iter().chain(OTHER_RESOURCES).copied().collect();
        for a in ACTIONS {
            for r in &resources {
                let (one, other) = (granted_by(&all, a, r), naive_granted_by(&all, a, r));
                prop_assert!(one.len() == other.len() && one.iter().zip(&other).all(|(x, y)| std::ptr::eq(*x, *y)),
                    "{a} on {r}: the evaluator and the naive matcher disagree on {all:#?}");
            }
        }
        let g = policy();
        let allowed = all.iter().all(|s| g.statement_violations(s, &all).is_empty());
        if !allowed {
            // Refused: nothing to prove (refusing too much is safe; about a fifth pass).
            return Ok(());
        }
        for d in &g.denied_actions {
            for a in ACTIONS.iter().filter(|a| glob_match(d, a)) {
                for r in &resources {
                    prop_assert!(granted_by(&all, a, r).is_empty(), "{a} on {r} granted by {all:#?}");
                }
            }
        }
        // No single statement grants sts:AssumeRole on every role (the pair's scope).
        for s in all.iter().filter(|s| s.effect == Effect::Allow) {
            let everywhere = ROLES.iter().all(|r| granted_by(&all, "sts:AssumeRole", r).iter().any(|g| std::ptr::eq(*g, s)));
            prop_assert!(!everywhere, "sts:AssumeRole on every role granted by {s:#?}");
        }
        // iam:PassRole only with iam:PassedToService.
        for r in &resources {
            for s in granted_by(&all, "iam:PassRole", r) {
                let has = s.conditions.values().any(|k| k.keys().any(|k| k.eq_ignore_ascii_case("iam:PassedToService")));
                prop_assert!(has, "iam:PassRole on {r} without iam:PassedToService: {s:#?}");
            }
        }
    }
}
