//! Any bytes → parse_document → guardrails → plan → every output, share links, any bytes as a
//! guardrail policy (what the controller reads from its ConfigMap and the calculator from an
//! attribute), and any bytes as the roles a user pastes or gives `audit` (then audited) and as
//! the error message `explain` reads.
//! The core must never panic. Run: `just fuzz` (seeds from examples/ and tests/redteam/ are
//! copied into the corpus first).
#![no_main]

use ecsroles_core::guardrails::{Context, Guardrails};
use libfuzzer_sys::fuzz_target;

const SPEC: &str = r#"{"region": "us-east-1", "launchType": "FARGATE", "taskDefinition": {
    "family": "app", "containerDefinitions": [{"name": "app", "image": "nginx"}]},
    "app": {"statements": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}"#;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let cx = Context {
        namespace: Some("ns"),
        ..Default::default()
    };
    // What a share link holds must plan as the document does (tests/share.rs proves it on
    // real files; here: it never panics, and its output is readable JSON again).
    if let Some(s) = ecsroles_core::share::shareable(&text) {
        assert!(serde_json::from_str::<serde_json::Value>(&s.text).is_ok());
    }
    if let Ok((mut spec, _)) = ecsroles_core::parse_document(&text) {
        // Guardrails too (what the controller runs on every tenant's spec).
        let g = Guardrails {
            permissions_boundary: Some("arn:aws:iam::123456789012:policy/b".into()),
            max_roles_per_namespace: Some(3),
            ..Default::default()
        };
        let (plan, _) = g.evaluate(&mut spec, &cx);
        let _ = ecsroles_core::render::summary::render(&plan);
        let _ = serde_json::to_string(&ecsroles_core::render::iam::bundle(&plan));
        for r in &plan.roles {
            for p in &r.inline_policies {
                let _ = p.document.iam_size();
            }
        }
    }
    // The roles a user has, as the calculator's audit box and `audit --roles` read them.
    let (spec, _) = ecsroles_core::parse_document(SPEC).expect("fixed spec");
    let fixed = ecsroles_core::plan(&spec);
    for account in [
        ecsroles_core::audit::read_pasted(&text, "app-task"),
        ecsroles_core::audit::read_roles(&text),
    ]
    .into_iter()
    .flatten()
    {
        let report = ecsroles_core::audit::audit(&fixed, &account);
        let _ = serde_json::to_string(&report);
        // The fix, rendered as `audit --fix` renders it.
        if let Some(f) =
            ecsroles_core::audit::fix(&spec, std::slice::from_ref(&fixed), &report, &[])
        {
            let _ = ecsroles_core::render::render(
                ecsroles_core::render::Format::Terraform,
                &spec,
                &f.plan,
            );
        }
    }
    if let Some(e) = ecsroles_core::explain::explain(&text, Some(&fixed)) {
        if let Some(cut) = ecsroles_core::explain::fix_plan(&e, &fixed) {
            let _ =
                ecsroles_core::render::render(ecsroles_core::render::Format::AwsCli, &spec, &cut);
        }
    }
    for policy in [Guardrails::from_json(&text), Guardrails::from_yaml(&text)]
        .into_iter()
        .flatten()
    {
        for ns in policy.namespaces.keys() {
            if let Ok(g) = policy.for_namespace(Some(ns)) {
                let (mut spec, _) = ecsroles_core::parse_document(SPEC).expect("fixed spec");
                let _ = g.evaluate(&mut spec, &cx);
            }
        }
        let (mut spec, _) = ecsroles_core::parse_document(SPEC).expect("fixed spec");
        let _ = policy.evaluate(&mut spec, &cx);
    }
});
