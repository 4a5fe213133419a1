//! The red-team cases (tests/redteam/cases.yaml) through the core alone: every escalation
//! attempt is refused by the guardrails (or the plan's own validation), with a message naming
//! the rule; the untouched base spec passes, so a refusal is never a side effect of the base.

use ecsroles_core::admission::{admit, Platform, Tenant};
use ecsroles_core::guardrails::Guardrails;
use ecsroles_core::EcsRoleSetSpec;
use serde_json::Value;

#[path = "../../../tests/redteam/cases.rs"]
mod cases;

const CASES: &str = include_str!("../../../tests/redteam/cases.yaml");
const POLICY: &str = include_str!("../../../tests/redteam/guardrails.yaml");
const NAMESPACE: &str = "redteam";

/// The settings the controller's red-team test runs with (its test support's flags).
fn platform() -> Platform {
    Platform {
        account: "123456789012".into(),
        name_prefix: String::new(),
        role_path: "/ecsroles/".into(),
    }
}

/// (refused?, the message), through the core's admission as the controller runs it.
fn verdict(g: &Guardrails, spec: Value, name: &str, adopt: bool) -> (bool, String) {
    let spec: EcsRoleSetSpec = serde_json::from_value(spec).expect("case parses");
    let tenant = Tenant {
        namespace: NAMESPACE,
        name,
        adopt_requested: adopt,
        ..Default::default()
    };
    match admit(&spec, &platform(), g, &tenant) {
        Ok(_) => (false, String::new()),
        Err(r) => (true, format!("{}: {}", r.reason.as_str(), r.message)),
    }
}

fn load() -> (Guardrails, Value, Vec<Value>) {
    let doc: Value = serde_yaml::from_str(CASES).unwrap();
    let g = Guardrails::from_yaml(POLICY).unwrap();
    (
        g,
        doc["base"].clone(),
        doc["cases"].as_array().unwrap().clone(),
    )
}

#[test]
fn the_base_spec_passes() {
    let (g, base, _) = load();
    let (refused, why) = verdict(&g, cases::case_spec(&base, &Value::Null), "base", false);
    assert!(!refused, "{why}");
    // Admitted as the whole workload: its role (no app access, so no task role) named and
    // placed by the platform; the service-linked role is AWS's own.
    let spec: EcsRoleSetSpec = serde_json::from_value(base.clone()).unwrap();
    let tenant = Tenant {
        namespace: NAMESPACE,
        name: "base",
        ..Default::default()
    };
    let admitted = admit(&spec, &platform(), &g, &tenant).unwrap();
    let created: Vec<_> = admitted
        .plan
        .roles
        .iter()
        .filter(|r| r.provisioning == ecsroles_core::model::Provisioning::Create)
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].name.as_deref(), Some("redteam_base-execution"));
    assert_eq!(created[0].path, "/ecsroles/");
    // And so does a realistic workload with intent-level access.
    let mut with_access = base.clone();
    with_access["app"] = serde_json::json!({"access": [{"s3": {"bucket": "data", "access": "read"}}, {"sqs": {"queue": "jobs", "access": "consume"}}]});
    let (refused, why) = verdict(
        &g,
        cases::case_spec(&with_access, &Value::Null),
        "base",
        false,
    );
    assert!(!refused, "{why}");
}

#[test]
fn every_escalation_attempt_is_refused_with_its_rule() {
    let (g, base, cases) = load();
    let mut checked = 0;
    for case in cases.iter().filter(|c| c["needsIam"] != Value::Bool(true)) {
        let name = case["name"].as_str().unwrap();
        let expect = case["expect"].as_str().unwrap();
        let adopt = case["annotations"]["ecsroles.dev/adopt"] == "true";
        let (refused, why) = verdict(&g, cases::case_spec(&base, case), name, adopt);
        assert!(refused, "{name}: not refused");
        assert!(
            why.contains(expect),
            "{name}: refusal does not name {expect}:\n{why}"
        );
        checked += 1;
    }
    assert!(checked >= 33, "only {checked} core cases");
}
