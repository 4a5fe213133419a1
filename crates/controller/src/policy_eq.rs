//! Semantic comparison of IAM policy documents. IAM returns documents URL-encoded (the SDK does
//! not decode them), may reorder statements, and writes one-element lists as plain strings;
//! none of that is drift.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

/// Parses a document as IAM returns it: plain JSON, or URL-encoded JSON.
pub fn decode(raw: &str) -> Option<Value> {
    serde_json::from_str(raw).ok().or_else(|| {
        let decoded = percent_decode_str(raw).decode_utf8().ok()?;
        serde_json::from_str(&decoded).ok()
    })
}

/// A canonical form: statements as a sorted list, every string-or-list as a sorted,
/// de-duplicated list, condition values likewise.
pub fn normalize(doc: &Value) -> Value {
    let mut out = Map::new();
    if let Some(v) = doc.get("Version") {
        out.insert("Version".into(), v.clone());
    }
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => vec![],
    };
    let mut norm: Vec<Value> = statements.iter().map(statement).collect();
    norm.sort_by_key(|s| s.to_string());
    norm.dedup();
    out.insert("Statement".into(), Value::Array(norm));
    Value::Object(out)
}

fn list(v: &Value) -> Value {
    let mut items: Vec<String> = match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect(),
        other => vec![other.to_string()],
    };
    items.sort();
    items.dedup();
    Value::Array(items.into_iter().map(Value::String).collect())
}

fn statement(s: &Value) -> Value {
    let Some(m) = s.as_object() else {
        return s.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        let nv = match k.as_str() {
            "Action" | "NotAction" | "Resource" | "NotResource" => list(v),
            "Principal" | "NotPrincipal" => match v {
                Value::Object(p) => {
                    Value::Object(p.iter().map(|(pk, pv)| (pk.clone(), list(pv))).collect())
                }
                other => other.clone(),
            },
            "Condition" => match v {
                Value::Object(ops) => Value::Object(
                    ops.iter()
                        .map(|(op, keys)| {
                            let keys = keys
                                .as_object()
                                .map(|km| {
                                    km.iter().map(|(ck, cv)| (ck.clone(), list(cv))).collect()
                                })
                                .unwrap_or_default();
                            (op.clone(), Value::Object(keys))
                        })
                        .collect(),
                ),
                other => other.clone(),
            },
            _ => v.clone(),
        };
        out.insert(k.clone(), nv);
    }
    // serde_json's map keeps insertion order here; sort keys for a canonical form.
    let mut keys: Vec<(String, Value)> = out.into_iter().collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(keys.into_iter().collect())
}

/// `true` when IAM's copy (`actual`, raw as returned) means the same as `desired`.
pub fn equivalent(desired: &Value, actual_raw: &str) -> bool {
    decode(actual_raw).is_some_and(|a| normalize(&a) == normalize(desired))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn url_encoding_order_and_single_values_are_not_drift() {
        let desired = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::c/*"]},
            {"Sid": "B", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:1:q",
             "Condition": {"StringEquals": {"aws:SourceAccount": ["1"]}}}]});
        let actual = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Sid": "B", "Resource": ["arn:aws:sqs:us-east-1:1:q"], "Action": ["sqs:SendMessage"],
             "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}},
            {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::c/*", "arn:aws:s3:::b/*"]}]});
        let encoded: String = percent_encoding::utf8_percent_encode(
            &actual.to_string(),
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string();
        assert!(equivalent(&desired, &encoded));
        assert!(equivalent(&desired, &actual.to_string()));
    }

    #[test]
    fn real_changes_are_drift() {
        let desired = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]});
        for actual in [
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}),
            json!({"Version": "2012-10-17", "Statement": []}),
        ] {
            assert!(!equivalent(&desired, &actual.to_string()), "{actual}");
        }
        assert!(!equivalent(&desired, "%%%not json"));
    }
}
