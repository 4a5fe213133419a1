//! The controller's IAM calls against the policy `ecsroles controller-policy` prints for it:
//! moto does not enforce IAM authorization, so a call the policy forgets would only fail in a
//! real account (AccessDenied on every resync). Every operation `src/iam.rs` calls must be
//! allowed by some statement, with and without a mandatory boundary.

use ecsroles_core::controller_policy::{controller_policy, ControllerPolicyParams};
use ecsroles_core::guardrails::glob_match;
use ecsroles_core::policy::Effect;

/// The operation names `iam.rs` passes to its `call!` macro (each is one SDK call).
fn operations() -> Vec<String> {
    let src = include_str!("../src/iam.rs");
    let mut ops: Vec<String> = src
        .match_indices("call!(")
        .filter_map(|(i, _)| {
            let rest = &src[i..];
            let start = rest.find('"')? + 1;
            let len = rest[start..].find('"')?;
            Some(rest[start..start + len].to_string())
        })
        .collect();
    ops.sort();
    ops.dedup();
    ops
}

#[test]
fn the_printed_policy_allows_every_call_the_controller_makes() {
    let ops = operations();
    assert!(ops.len() >= 20, "found only {ops:?}");
    assert!(ops.contains(&"GetAccountAuthorizationDetails".to_string()));
    for boundary in [None, Some("arn:aws:iam::123456789012:policy/b".to_string())] {
        let doc = controller_policy(&ControllerPolicyParams {
            partition: "aws".into(),
            account: "123456789012".into(),
            path: "/ecsroles/".into(),
            cluster_id: "it".into(),
            boundary: boundary.clone(),
            allowed_managed_policies: vec![],
        })
        .unwrap();
        // With a mandatory boundary the policy denies removing it on purpose; the controller
        // then never asks (the guardrails inject that boundary into every desired role).
        let denied_on_purpose =
            |op: &str| boundary.is_some() && op == "DeleteRolePermissionsBoundary";
        let missing: Vec<&String> = ops
            .iter()
            .filter(|op| !denied_on_purpose(op))
            .filter(|op| {
                !doc.statements.iter().any(|s| {
                    s.effect == Effect::Allow
                        && s.actions
                            .iter()
                            .any(|a| glob_match(a, &format!("iam:{op}")))
                })
            })
            .collect();
        assert!(
            missing.is_empty(),
            "controller-policy (boundary {boundary:?}) does not allow {missing:?}"
        );
    }
}
