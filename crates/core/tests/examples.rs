//! Every example in `examples/` plans as expected: golden plan JSON and summary, no errors for
//! the valid ones, errors for the `invalid/` ones, deterministic output.

mod common;

use common::*;
use ecsroles_core::model::Provisioning;
use ecsroles_core::render::{render, Format};
use ecsroles_core::{parse_document, plan};

#[test]
fn there_are_at_least_twelve_valid_examples() {
    let valid = examples().iter().filter(|(_, invalid)| !invalid).count();
    assert!(valid >= 12, "only {valid} valid examples");
}

#[test]
fn examples_match_their_golden_outputs() {
    let mut mismatches = Vec::new();
    for (file, invalid) in examples() {
        let text = std::fs::read_to_string(&file).expect("read example");
        let (spec, _) = parse_document(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let p = plan(&spec);
        let stem = file.file_stem().and_then(|s| s.to_str()).expect("stem");
        let dir = if invalid {
            format!("invalid-{stem}")
        } else {
            stem.to_string()
        };
        for format in Format::ALL {
            let text = render(format, &spec, &p);
            mismatches.extend(golden(&format!("{dir}/{}", format.extension()), &text));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn valid_examples_plan_without_errors_and_invalid_ones_with() {
    for (file, invalid) in examples() {
        let p = plan_doc(&std::fs::read_to_string(&file).expect("read"));
        if invalid {
            assert!(p.has_errors(), "{} should have errors", file.display());
        } else {
            assert!(!p.has_errors(), "{}: {:?}", file.display(), errors(&p));
        }
    }
}

#[test]
fn planning_is_deterministic() {
    for (file, _) in examples() {
        let text = std::fs::read_to_string(&file).expect("read");
        let a = serde_json::to_string(&plan_doc(&text)).expect("json");
        let b = serde_json::to_string(&plan_doc(&text)).expect("json");
        assert_eq!(a, b, "{}", file.display());
    }
}

/// Rules whose fact AWS's guides do not state: a log router's own option, documented by its
/// project only. Fluent Bit's `role_arn` (every AWS output assumes it) and aws-for-fluent-bit's
/// init image (its `aws_fluent_bit_init_s3_*` downloads) — AWS's FireLens page says only that
/// the task role needs what the destinations need.
const PLUGIN_DOCS: &[&str] = &[
    ecsroles_core::rules::doc::FLUENT_BIT_AWS_CREDENTIALS,
    ecsroles_core::rules::doc::FLUENT_BIT_INIT,
];

#[test]
fn every_statement_and_role_explains_itself() {
    for (file, _) in examples() {
        let p = plan_doc(&std::fs::read_to_string(&file).expect("read"));
        for r in &p.roles {
            assert!(
                !r.why.is_empty(),
                "{}: {:?} has no why",
                file.display(),
                r.kind
            );
            assert!(
                r.doc.starts_with("https://docs.aws.amazon.com/"),
                "{}: {:?} doc",
                file.display(),
                r.kind
            );
            for s in statements(r) {
                assert!(
                    !s.why.is_empty()
                        && (s.doc.starts_with("https://docs.aws.amazon.com/")
                            || PLUGIN_DOCS.contains(&&*s.doc)),
                    "{}: {} lacks why/doc",
                    file.display(),
                    s.sid
                );
                assert!(
                    !s.reasons.is_empty(),
                    "{}: {} has no concrete reason",
                    file.display(),
                    s.sid
                );
                assert!(
                    s.sid.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{}: Sid {}",
                    file.display(),
                    s.sid
                );
            }
            if r.provisioning == Provisioning::Create {
                assert!(
                    r.trust_policy.is_some(),
                    "{}: {:?} has no trust policy",
                    file.display(),
                    r.kind
                );
            }
        }
        for a in &p.absent {
            assert!(
                !a.why.is_empty(),
                "{}: absent {:?} without why",
                file.display(),
                a.kind
            );
        }
    }
}

#[test]
fn ecsroleset_output_round_trips_to_the_same_plan() {
    for (file, _) in examples() {
        let text = std::fs::read_to_string(&file).expect("read");
        let (spec, _) = parse_document(&text).expect("parse");
        let p = plan(&spec);
        let rendered = render(Format::Ecsroleset, &spec, &p);
        let (back, kind) = parse_document(&rendered)
            .unwrap_or_else(|e| panic!("{}: {e}\n{rendered}", file.display()));
        assert_eq!(kind, ecsroles_core::DocumentKind::EcsRoleSet);
        assert_eq!(plan(&back), p, "{}", file.display());
    }
}

#[test]
fn rendering_is_byte_identical_across_runs() {
    for (file, _) in examples() {
        let text = std::fs::read_to_string(&file).expect("read");
        let (spec, _) = parse_document(&text).expect("parse");
        for format in Format::ALL {
            assert_eq!(
                render(format, &spec, &plan(&spec)),
                render(format, &spec, &plan(&spec)),
                "{} {}",
                file.display(),
                format.name()
            );
        }
    }
}

/// Whatever managed policy a rule attaches, the default guardrails allow (a new rule that
/// attaches one and forgets `rules::managed::ALL` is refused by every controller otherwise).
#[test]
fn default_guardrails_allow_every_managed_policy_the_rules_attach() {
    use ecsroles_core::guardrails::{Context, Guardrails};
    let g = Guardrails::default();
    let mut checked = 0;
    for (file, invalid) in examples() {
        if invalid {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read");
        let (mut spec, _) = ecsroles_core::parse_document(&text).expect("parses");
        let asked = !spec.app.managed_policies.is_empty()
            || ecsroles_core::RoleKind::ALL.iter().any(|k| {
                k.config(&spec.roles)
                    .is_some_and(|c| !c.managed_policies.is_empty())
            });
        let cx = Context {
            namespace: Some("team"),
            roles_elsewhere_in_namespace: 0,
            adopt_requested: false,
        };
        let (_, violations) = g.evaluate(&mut spec, &cx);
        let managed: Vec<_> = violations
            .iter()
            .filter(|v| v.rule == "allowedManagedPolicies")
            .collect();
        assert!(
            asked || managed.is_empty(),
            "{}: {managed:?}",
            file.display()
        );
        checked += usize::from(!asked);
    }
    assert!(checked >= 10);
}
