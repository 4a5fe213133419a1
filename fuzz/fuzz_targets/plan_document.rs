//! Any bytes → parse_document → plan → every output. The core must never panic.
//! Run: `just fuzz` (seeds from examples/ are copied into the corpus first).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok((spec, _)) = ecsroles_core::parse_document(&text) {
        let plan = ecsroles_core::plan(&spec);
        let _ = ecsroles_core::summary::render(&plan);
        let _ = serde_json::to_string(&ecsroles_core::render::iam::bundle(&plan));
        for r in &plan.roles {
            for p in &r.inline_policies {
                let _ = p.document.iam_size();
            }
        }
    }
});
