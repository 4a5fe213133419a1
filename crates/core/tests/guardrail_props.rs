//! Property: for random statements, "allowed by the guardrail evaluator" implies "cannot grant
//! any denied action or action/resource pair" under IAM's rules, checked concretely over a
//! finite universe of actions and resources by the audit's evaluator (`evaluate::evaluate`):
//! the same one `audit`'s property test (tests/audit.rs) holds its verdicts to. Then the same
//! for every role kind a tenant's set creates: random statements put into that kind's role
//! through admission (`every_kind_admits_no_denied_grant`), each kind reached through an example.

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ecsroles_core::admission::{admit, Platform, Tenant};
use ecsroles_core::evaluate::{evaluate, Decision};
use ecsroles_core::guardrails::{glob_match, ActionResource, Guardrails};
use ecsroles_core::model::{PlannedRole, Provisioning, RoleKind};
use ecsroles_core::policy::{Effect, PolicyDocument, Statement};
use ecsroles_core::spec::RawStatement;
use ecsroles_core::{parse_document, EcsRoleSetSpec};
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

/// The platform the per-kind property admits tenants' sets into (the controller's settings).
fn platform(account: &str) -> Platform {
    Platform {
        account: account.into(),
        name_prefix: String::new(),
        role_path: "/ecsroles/".into(),
    }
}

const TENANT: Tenant = Tenant {
    namespace: "team-a",
    name: "app",
    recorded: None,
    roles_elsewhere_in_namespace: 0,
    adopt_requested: false,
};

/// For each role kind a tenant's set creates, the first example (`examples/`) whose admitted
/// plan creates it, with its account: the sets the per-kind property below puts random
/// statements into. A role kind no example reaches fails `every_created_kind_has_an_example`,
/// so a new kind is covered here as soon as its example lands.
fn kind_examples() -> &'static Vec<(RoleKind, EcsRoleSetSpec, String)> {
    static CELL: OnceLock<Vec<(RoleKind, EcsRoleSetSpec, String)>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut out: Vec<(RoleKind, EcsRoleSetSpec, String)> = Vec::new();
        for (file, invalid) in common::examples() {
            if invalid {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("read");
            let mut spec = parse_document(&text).expect("parse").0;
            // As a tenant submits it: the region it plans in said, the names and paths left
            // to the platform (the controller refuses a tenant's own).
            let planned = ecsroles_core::plan(&spec);
            spec.region.get_or_insert(planned.region);
            for kind in RoleKind::ALL {
                if let Some(c) = kind.config_mut(&mut spec.roles) {
                    (c.name, c.name_prefix, c.path) = (None, None, None);
                }
            }
            let account = planned.account;
            let account = if account.len() == 12 {
                account
            } else {
                "111122223333".into()
            };
            let Ok(a) = admit(&spec, &platform(&account), &policy(), &TENANT) else {
                continue;
            };
            for r in a
                .plan
                .roles
                .iter()
                .filter(|r| r.provisioning == Provisioning::Create)
            {
                if !out.iter().any(|(k, _, _)| *k == r.kind) {
                    out.push((r.kind, spec.clone(), account.clone()));
                }
            }
        }
        out
    })
}

#[test]
fn every_created_kind_has_an_example() {
    let covered: Vec<RoleKind> = kind_examples().iter().map(|(k, _, _)| *k).collect();
    // The service-linked roles (ECS's, Application Auto Scaling's) are AWS's: never created
    // with a policy of ours, so no statement can be put into them.
    let missing: Vec<RoleKind> = RoleKind::ALL
        .into_iter()
        .filter(|k| k.config(&Default::default()).is_some() && !covered.contains(k))
        .collect();
    assert!(missing.is_empty(), "no example's admitted plan creates {missing:?}: the guardrail property below cannot reach them");
    // And the property is not vacuous: on each, a harmless statement is admitted and lands in
    // that kind's role.
    for (kind, base, account) in kind_examples() {
        let mut spec = base.clone();
        let ok: RawStatement = serde_json::from_value(serde_json::json!({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:1:q"})).expect("statement");
        kind.config_mut(&mut spec.roles)
            .expect("settings")
            .statements
            .push(ok);
        let admitted = admit(&spec, &platform(account), &policy(), &TENANT)
            .unwrap_or_else(|r| panic!("{kind:?}: a harmless statement refused: {}", r.message));
        let role = admitted.plan.role(*kind).expect("planned");
        assert!(
            inline(role)
                .iter()
                .any(|s| s.resources == ["arn:aws:sqs:us-east-1:1:q"]),
            "{kind:?}: the statement is not in its role"
        );
    }
}

/// `s` as the spec's raw statement (IAM's own spelling, as a tenant writes it).
fn raw(s: &Statement) -> RawStatement {
    let doc = PolicyDocument::new(vec![s.clone()]).to_iam_json();
    serde_json::from_value(doc["Statement"][0].clone()).expect("a statement reads back")
}

fn inline(r: &PlannedRole) -> Vec<Statement> {
    r.inline_policies
        .iter()
        .flat_map(|p| p.document.statements.clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    /// Property, for every role kind a tenant's set creates (the infrastructure, deployment and
    /// launcher roles of issue 13 included): random statements a tenant adds to
    /// `roles.<kind>.statements` are refused by admission (the controller's and `--tenant`'s
    /// verdict), or the plan admitted grants no denied action on any role, and never
    /// iam:PassRole without iam:PassedToService.
    #[test]
    fn every_kind_admits_no_denied_grant(pick in 0usize..64, extra in prop::collection::vec(statement(), 1..3)) {
        let kinds = kind_examples();
        let (kind, base, account) = &kinds[pick % kinds.len()];
        let mut spec = base.clone();
        let cfg = kind.config_mut(&mut spec.roles).expect("a creatable kind has settings");
        cfg.statements.extend(extra.iter().map(raw));
        let Ok(admitted) = admit(&spec, &platform(account), &policy(), &TENANT) else {
            return Ok(());
        };
        // Admitted: the statements reached the role they were written for…
        let role = admitted.plan.role(*kind).expect("the kind is still planned");
        let mine = inline(role);
        prop_assert!(extra.iter().all(|e| mine.iter().any(|s| s.actions == e.actions && s.not_actions == e.not_actions && s.resources == e.resources)),
            "{kind:?}: the added statements are not in the role's policy");
        // …and no role of the plan grants what the platform denies.
        let resources: Vec<&str> = ROLES.iter().chain(OTHER_RESOURCES).copied().collect();
        let g = policy();
        for r in &admitted.plan.roles {
            let all = inline(r);
            for d in &g.denied_actions {
                for a in ACTIONS.iter().filter(|a| glob_match(d, a)) {
                    for res in &resources {
                        prop_assert!(granted_by(&all, a, res).is_empty(), "{:?}: {a} on {res} admitted", r.kind);
                    }
                }
            }
            for res in &resources {
                for s in granted_by(&all, "iam:PassRole", res) {
                    let has = s.conditions.values().any(|k| k.keys().any(|k| k.eq_ignore_ascii_case("iam:PassedToService")));
                    prop_assert!(has, "{:?}: iam:PassRole on {res} without iam:PassedToService", r.kind);
                }
            }
            // No single statement grants sts:AssumeRole on every role (the denied pair's scope).
            for s in all.iter().filter(|s| s.effect == Effect::Allow) {
                let everywhere = ROLES.iter().all(|res| granted_by(&all, "sts:AssumeRole", res).iter().any(|g| std::ptr::eq(*g, s)));
                prop_assert!(!everywhere, "{:?}: sts:AssumeRole on every role admitted", r.kind);
            }
        }
    }
}
