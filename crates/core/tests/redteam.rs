//! The red-team cases (tests/redteam/cases.yaml) through the core alone: every escalation
//! attempt is refused by the guardrails (or the plan's own validation), with a message naming
//! the rule; the untouched base spec passes, so a refusal is never a side effect of the base.

use ecsroles_core::guardrails::{Context, Guardrails};
use ecsroles_core::{plan, EcsRoleSetSpec};
use serde_json::Value;

#[path = "../../../tests/redteam/cases.rs"]
mod cases;

const CASES: &str = include_str!("../../../tests/redteam/cases.yaml");
const POLICY: &str = include_str!("../../../tests/redteam/guardrails.yaml");
const NAMESPACE: &str = "redteam";

/// The spec a case submits (the controller's test builds the same, minus the account it pins).
fn case_spec(base: &Value, case: &Value) -> Value {
    let mut spec = cases::case_spec(base, case);
    spec["account"] = "123456789012".into();
    spec
}

/// (refused?, every message)
fn verdict(g: &Guardrails, spec: Value, adopt: bool) -> (bool, String) {
    let mut spec: EcsRoleSetSpec = serde_json::from_value(spec).expect("case parses");
    let g = g.for_namespace(Some(NAMESPACE)).unwrap();
    let mut violations = g.prepare(&mut spec);
    let p = plan(&spec);
    let cx = Context {
        namespace: Some(NAMESPACE),
        adopt_requested: adopt,
        ..Default::default()
    };
    violations.extend(g.check(&spec, &p, &cx));
    let mut messages: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    messages.extend(
        p.findings
            .iter()
            .filter(|f| f.severity == ecsroles_core::Severity::Error)
            .map(|f| format!("spec.{}: {}", f.path, f.message)),
    );
    (!messages.is_empty(), messages.join("\n"))
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
    let (refused, why) = verdict(&g, case_spec(&base, &Value::Null), false);
    assert!(!refused, "{why}");
    // And so does a realistic workload with intent-level access.
    let mut with_access = base.clone();
    with_access["app"] = serde_json::json!({"access": [{"s3": {"bucket": "data", "access": "read"}}, {"sqs": {"queue": "jobs", "access": "consume"}}]});
    let (refused, why) = verdict(&g, case_spec(&with_access, &Value::Null), false);
    assert!(!refused, "{why}");
}

#[test]
fn every_escalation_attempt_is_refused_with_its_rule() {
    let (g, base, cases) = load();
    let mut checked = 0;
    for case in cases
        .iter()
        .filter(|c| c["controllerOnly"] != Value::Bool(true))
    {
        let name = case["name"].as_str().unwrap();
        let expect = case["expect"].as_str().unwrap();
        let adopt = case["annotations"]["ecsroles.dev/adopt"] == "true";
        let (refused, why) = verdict(&g, case_spec(&base, case), adopt);
        assert!(refused, "{name}: not refused");
        assert!(
            why.contains(expect),
            "{name}: refusal does not name {expect}:\n{why}"
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} core cases");
}
