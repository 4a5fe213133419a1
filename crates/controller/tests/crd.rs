//! The committed CRD is what crdgen generates, and its schema is structural (the API server
//! rejects anything else): every node typed or explicitly preserving unknown fields, no $ref,
//! no anyOf/oneOf/allOf.

use serde_json::Value;

const COMMITTED: &str =
    include_str!("../../../charts/ecsroles-controller/crds/ecsrolesets.ecsroles.dev.yaml");

#[test]
fn committed_crd_is_not_stale() {
    let generated = ecsroles_controller::crd::crd_yaml();
    assert!(
        generated == COMMITTED,
        "charts/ecsroles-controller/crds/ecsrolesets.ecsroles.dev.yaml is stale: run `just crd` and commit it"
    );
}

fn check(node: &Value, path: &str, problems: &mut Vec<String>) {
    let Some(m) = node.as_object() else {
        problems.push(format!("{path}: not an object"));
        return;
    };
    for bad in ["$ref", "anyOf", "oneOf", "allOf", "$defs"] {
        if m.contains_key(bad) {
            problems.push(format!("{path}: has {bad}"));
        }
    }
    if !m.contains_key("type")
        && m.get("x-kubernetes-preserve-unknown-fields") != Some(&Value::Bool(true))
    {
        problems.push(format!("{path}: no type"));
    }
    if let Some(props) = m.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            check(v, &format!("{path}.{k}"), problems);
        }
    }
    for k in ["items", "additionalProperties"] {
        if let Some(v) = m.get(k).filter(|v| v.is_object()) {
            check(v, &format!("{path}.{k}"), problems);
        }
    }
}

#[test]
fn schema_is_structural() {
    let schema = ecsroles_controller::crd::openapi_schema();
    let mut problems = Vec::new();
    check(&schema, "", &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn crd_names_scope_and_columns() {
    let crd: Value = serde_yaml::from_str(COMMITTED).unwrap();
    assert_eq!(crd["spec"]["group"], "ecsroles.dev");
    assert_eq!(crd["spec"]["scope"], "Namespaced");
    assert_eq!(crd["spec"]["names"]["kind"], "EcsRoleSet");
    assert_eq!(crd["spec"]["names"]["shortNames"][0], "ers");
    let v = &crd["spec"]["versions"][0];
    assert_eq!(v["name"], "v1alpha1");
    assert_eq!(v["subresources"]["status"], serde_json::json!({}));
    let cols: Vec<&str> = v["additionalPrinterColumns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cols, ["Ready", "Roles", "Age", "Message"]);
}

#[test]
fn an_example_ecsroleset_deserialises_as_the_resource() {
    let text = include_str!("../../../examples/ecsroleset-payments.yaml");
    let r: ecsroles_controller::crd::EcsRoleSet = serde_yaml::from_str(text).unwrap();
    assert_eq!(r.metadata.name.as_deref(), Some("payments-api"));
    assert_eq!(
        r.spec.inner.spec().unwrap().cluster.as_deref(),
        Some("prod")
    );
}

/// The chart validates `guardrails.*` at install time with its own schema (Helm cannot call
/// the core); it must name exactly the fields the core's policy has, or a new field would be
/// refused at install (or a removed one accepted and ignored).
#[test]
fn chart_schema_knows_every_guardrail_field() {
    let schema: Value = serde_json::from_str(include_str!(
        "../../../charts/ecsroles-controller/values.schema.json"
    ))
    .unwrap();
    let mut in_chart: Vec<&String> = schema["properties"]["guardrails"]["properties"]
        .as_object()
        .expect("guardrails properties")
        .keys()
        .collect();
    let core = serde_json::to_value(ecsroles_core::guardrails::Guardrails::default()).unwrap();
    let mut in_core: Vec<&String> = core.as_object().unwrap().keys().collect();
    in_chart.sort();
    in_core.sort();
    assert_eq!(
        in_chart, in_core,
        "values.schema.json guardrails vs the core's Guardrails"
    );
}
