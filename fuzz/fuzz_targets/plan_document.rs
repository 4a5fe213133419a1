//! Any bytes → parse_document → guardrails → plan → every output. The core must never panic.
//! Run: `just fuzz` (seeds from examples/ are copied into the corpus first).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok((mut spec, _)) = ecsroles_core::parse_document(&text) {
        // Guardrails too (what the controller runs on every tenant's spec).
        let g = ecsroles_core::guardrails::Guardrails {
            permissions_boundary: Some("arn:aws:iam::123456789012:policy/b".into()),
            max_roles_per_namespace: Some(3),
            ..Default::default()
        };
        let _ = g.prepare(&mut spec);
        let plan = ecsroles_core::plan(&spec);
        let cx = ecsroles_core::guardrails::Context {
            namespace: Some("ns"),
            ..Default::default()
        };
        let _ = g.check(&spec, &plan, &cx);
        let _ = ecsroles_core::summary::render(&plan);
        let _ = serde_json::to_string(&ecsroles_core::render::iam::bundle(&plan));
        for r in &plan.roles {
            for p in &r.inline_policies {
                let _ = p.document.iam_size();
            }
        }
    }
});
