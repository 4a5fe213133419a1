//! Shared by the core's and the controller's red-team tests (`#[path]`-included): how a case of
//! cases.yaml becomes the spec a tenant submits.

use serde_json::{json, Value};

/// Deep merge: objects key by key, anything else replaced.
pub fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// `base` with the case's `patch`; `oversize: n` replaces `app.access` with n long S3 intents.
pub fn case_spec(base: &Value, case: &Value) -> Value {
    let mut spec = base.clone();
    // No patch (the base itself): nothing to merge — merging null would replace the base.
    if !case["patch"].is_null() {
        merge(&mut spec, &case["patch"]);
    }
    if let Some(n) = case["oversize"].as_u64() {
        let access: Vec<Value> = (0..n)
            .map(|i| json!({"s3": {"bucket": format!("bucket-with-a-long-name-{i:04}"), "prefix": "some/prefix/", "access": "read-write"}}))
            .collect();
        spec["app"]["access"] = Value::Array(access);
    }
    spec
}
