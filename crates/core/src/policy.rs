//! IAM policy documents as the plan carries them: every statement explains itself.
//!
//! A [`Statement`] holds the IAM fields plus `why`, `reasons` and `doc`. Those three never reach
//! IAM (it rejects unknown keys); [`PolicyDocument::to_iam_json`] strips them. They are what the
//! calculator, the CLI summary and the renderers' comments show.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `Condition` block: operator → key → values. Sorted maps keep output deterministic.
pub type Conditions = BTreeMap<String, BTreeMap<String, Vec<String>>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// The principal of a trust-policy statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Principal {
    /// An AWS service principal, e.g. `ecs-tasks.amazonaws.com`.
    Service(String),
    /// An IAM principal ARN (companion artefacts: key and repository policies).
    Aws(String),
}

/// One statement, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    pub sid: String,
    pub effect: Effect,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Set only for user-supplied statements: generated ones always name actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_resources: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: Conditions,
    /// Why this statement exists, in one sentence.
    pub why: String,
    /// The concrete things in the spec that caused it (with their spec paths).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// The AWS documentation page the rule comes from.
    pub doc: String,
}

/// A policy document (identity policy, trust policy or a companion resource policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    pub fn new(statements: Vec<Statement>) -> Self {
        PolicyDocument { statements }
    }

    /// The document exactly as IAM expects it (no explanations).
    pub fn to_iam_json(&self) -> serde_json::Value {
        let statements: Vec<serde_json::Value> =
            self.statements.iter().map(Statement::to_iam_json).collect();
        serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
    }

    /// Size as IAM counts it against its quotas: the JSON without white space.
    pub fn iam_size(&self) -> usize {
        // serde_json::to_string never fails on a Value.
        serde_json::to_string(&self.to_iam_json())
            .map(|s| s.chars().count())
            .unwrap_or(0)
    }
}

/// One value or a list, as IAM writes `Action` and `Resource`.
fn one_or_many(values: &[String]) -> serde_json::Value {
    match values {
        [one] => serde_json::Value::String(one.clone()),
        many => serde_json::Value::Array(
            many.iter()
                .map(|v| serde_json::Value::String(v.clone()))
                .collect(),
        ),
    }
}

impl Statement {
    pub fn to_iam_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        if !self.sid.is_empty() {
            m.insert("Sid".into(), self.sid.clone().into());
        }
        m.insert(
            "Effect".into(),
            match self.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            }
            .into(),
        );
        match &self.principal {
            Some(Principal::Service(s)) => {
                m.insert("Principal".into(), serde_json::json!({ "Service": s }));
            }
            Some(Principal::Aws(a)) => {
                m.insert("Principal".into(), serde_json::json!({ "AWS": a }));
            }
            None => {}
        }
        for (key, values) in [
            ("Action", &self.actions),
            ("NotAction", &self.not_actions),
            ("Resource", &self.resources),
            ("NotResource", &self.not_resources),
        ] {
            if !values.is_empty() {
                m.insert(key.into(), one_or_many(values));
            }
        }
        if !self.conditions.is_empty() {
            let mut c = serde_json::Map::new();
            for (op, keys) in &self.conditions {
                let mut k = serde_json::Map::new();
                for (key, values) in keys {
                    k.insert(key.clone(), one_or_many(values));
                }
                c.insert(op.clone(), serde_json::Value::Object(k));
            }
            m.insert("Condition".into(), serde_json::Value::Object(c));
        }
        serde_json::Value::Object(m)
    }
}

/// Builds a one-key condition map: `cond("StringEquals", "aws:SourceAccount", [acct])`.
pub fn cond(op: &str, key: &str, values: &[&str]) -> Conditions {
    let mut c = Conditions::new();
    add_cond(&mut c, op, key, values);
    c
}

/// Adds one operator/key pair to a condition map.
pub fn add_cond(c: &mut Conditions, op: &str, key: &str, values: &[&str]) {
    c.entry(op.to_string()).or_default().insert(
        key.to_string(),
        values.iter().map(|v| v.to_string()).collect(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt() -> Statement {
        Statement {
            sid: "A".into(),
            effect: Effect::Allow,
            principal: None,
            actions: vec!["s3:GetObject".into()],
            not_actions: vec![],
            resources: vec!["arn:aws:s3:::b/*".into(), "arn:aws:s3:::c/*".into()],
            not_resources: vec![],
            conditions: cond("StringEquals", "aws:SourceAccount", &["111122223333"]),
            why: "because".into(),
            reasons: vec!["x".into()],
            doc: "https://docs.aws.amazon.com/".into(),
        }
    }

    #[test]
    fn iam_json_strips_explanations_and_collapses_single_values() {
        let v = PolicyDocument::new(vec![stmt()]).to_iam_json();
        let s = &v["Statement"][0];
        assert_eq!(s["Action"], "s3:GetObject");
        assert_eq!(s["Resource"].as_array().map(|a| a.len()), Some(2));
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:SourceAccount"],
            "111122223333"
        );
        assert!(s.get("why").is_none() && s.get("doc").is_none());
        assert_eq!(v["Version"], "2012-10-17");
    }

    #[test]
    fn size_counts_compact_json() {
        let d = PolicyDocument::new(vec![stmt()]);
        let compact = serde_json::to_string(&d.to_iam_json()).unwrap();
        assert_eq!(d.iam_size(), compact.len());
        assert!(!compact.contains(' '));
    }
}
