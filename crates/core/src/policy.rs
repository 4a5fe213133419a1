//! IAM policy documents as the plan carries them: every statement explains itself.
//!
//! A [`Statement`] holds the IAM fields plus `why`, `reasons` and `doc`. Those three never reach
//! IAM (it rejects unknown keys); [`PolicyDocument::to_iam_json`] strips them. They are what the
//! calculator, the CLI summary and the renderers' comments show.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Text that is usually a `&'static str` from the rule tables and occasionally user-written:
/// borrowed when static, so a plan does not copy the rule tables into every statement.
pub type Text = Cow<'static, str>;

/// `Condition` block: operator → key → values. Sorted maps keep output deterministic; operator
/// and key names are usually static (`StringEquals`, `kms:ViaService`), so they are [`Text`].
pub type Conditions = BTreeMap<Text, BTreeMap<Text, Vec<String>>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Effect {
    Allow,
    Deny,
}

/// The principal of a trust-policy statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Principal {
    /// An AWS service principal, e.g. `ecs-tasks.amazonaws.com`.
    Service(String),
    /// An IAM principal ARN (companion artefacts: key and repository policies).
    Aws(String),
}

/// One statement, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    pub sid: Text,
    pub effect: Effect,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Text>,
    /// Set only for user-supplied statements: generated ones always name actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_resources: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: Conditions,
    /// Why this statement exists, in one sentence.
    pub why: Text,
    /// The concrete things in the spec that caused it (with their spec paths).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// The AWS documentation page the rule comes from.
    pub doc: Text,
}

/// A policy document (identity policy, trust policy or a companion resource policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
        serde_json::to_value(IamDocument(self)).unwrap_or(serde_json::Value::Null)
    }

    /// Size as IAM counts it against its quotas: characters of the JSON without white space.
    /// Computed arithmetically (this runs on every plan); a test pins it to the serialised form.
    pub fn iam_size(&self) -> usize {
        // {"Version":"2012-10-17","Statement":[ ... ]}
        let mut n = 37 + 2 + self.statements.len().saturating_sub(1);
        for st in &self.statements {
            n += statement_size(st);
        }
        n
    }
}

/// Length of a JSON string literal, quotes and escapes included, in characters.
fn json_str_len(s: &str) -> usize {
    // Fast path (almost every IAM string): printable ASCII without quotes or backslashes is
    // written as is.
    if plain_json(s.as_bytes()) {
        return 2 + s.len();
    }
    if s.is_ascii() {
        // One character per byte, plus the extra characters of each escape.
        let escapes = s
            .bytes()
            .map(|b| match b {
                b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 8 | 12 => 1,
                b if b < 0x20 => 5,
                _ => 0,
            })
            .sum::<usize>();
        return 2 + s.len() + escapes;
    }
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// `true` when no byte of `b` needs escaping or is non-ASCII. Sixteen bytes at a time with no
/// early exit inside a chunk, so the compiler turns each chunk into a few vector compares
/// (a byte-by-byte fold was 2.6% of a heavy plan: every policy is sized on every plan;
/// native builds only).
fn plain_json(b: &[u8]) -> bool {
    let special = |b: u8| !(0x20..0x80).contains(&b) | (b == b'"') | (b == b'\\');
    if cfg!(target_arch = "wasm32") {
        // The calculator's module: the plain loop (wasm without SIMD gains nothing from the
        // chunks, and their code costs download size).
        return !b.iter().any(|&b| special(b));
    }
    let chunk_special = |c: &[u8; 16]| c.iter().fold(false, |acc, &b| acc | special(b));
    for c in b.chunks_exact(16) {
        if let Ok(c) = c.try_into() {
            if chunk_special(c) {
                return false;
            }
        }
    }
    // The last sixteen bytes again, overlapping the chunks read: the tail in one step.
    match b.len().checked_sub(16).map(|last| b[last..].try_into()) {
        Some(Ok(tail)) => !chunk_special(tail),
        _ => !b.iter().any(|&b| special(b)),
    }
}

fn one_or_many_len<T: AsRef<str>>(values: &[T]) -> usize {
    match values {
        [one] => json_str_len(one.as_ref()),
        many => {
            2 + many.len().saturating_sub(1)
                + many.iter().map(|v| json_str_len(v.as_ref())).sum::<usize>()
        }
    }
}

/// `"key":` plus the value's length.
fn entry_len(key: &str, value: usize) -> usize {
    json_str_len(key) + 1 + value
}

/// [`entry_len`] for one of IAM's own keys (`Sid`, `Effect`, `Action`…): plain ASCII, so its
/// length is known without looking at its bytes.
fn iam_key_len(key: &'static str, value: usize) -> usize {
    key.len() + 3 + value
}

fn statement_size(st: &Statement) -> usize {
    // Sum of the entries plus one comma between each, inside braces.
    let (mut total, mut count) = (0usize, 0usize);
    let mut add = |len: usize| {
        total += len;
        count += 1;
    };
    if !st.sid.is_empty() {
        add(iam_key_len("Sid", json_str_len(&st.sid)));
    }
    add(iam_key_len(
        "Effect",
        if st.effect == Effect::Allow { 7 } else { 6 },
    ));
    match &st.principal {
        Some(Principal::Service(p)) => add(iam_key_len(
            "Principal",
            2 + iam_key_len("Service", json_str_len(p)),
        )),
        Some(Principal::Aws(p)) => add(iam_key_len(
            "Principal",
            2 + iam_key_len("AWS", json_str_len(p)),
        )),
        None => {}
    }
    for (key, values) in [("Action", &st.actions), ("NotAction", &st.not_actions)] {
        if !values.is_empty() {
            add(iam_key_len(key, one_or_many_len(values)));
        }
    }
    for (key, values) in [
        ("Resource", &st.resources),
        ("NotResource", &st.not_resources),
    ] {
        if !values.is_empty() {
            add(iam_key_len(key, one_or_many_len(values)));
        }
    }
    if !st.conditions.is_empty() {
        let ops: usize = st
            .conditions
            .iter()
            .map(|(op, keys)| {
                let inner: usize = keys
                    .iter()
                    .map(|(k, v)| entry_len(k, one_or_many_len(v)))
                    .sum();
                entry_len(op, 2 + inner + keys.len().saturating_sub(1))
            })
            .sum();
        add(iam_key_len(
            "Condition",
            2 + ops + st.conditions.len().saturating_sub(1),
        ));
    }
    2 + total + count.saturating_sub(1)
}

impl Statement {
    /// This statement alone, as IAM writes it (no explanations).
    pub fn to_iam_json(&self) -> serde_json::Value {
        serde_json::to_value(IamStatement(self)).unwrap_or(serde_json::Value::Null)
    }
}

/// IAM's wire form of a document: `Version`, `Statement`, fields in IAM's customary order.
pub struct IamDocument<'a>(pub &'a PolicyDocument);
struct IamStatement<'a>(&'a Statement);
/// One value or a list, as IAM writes `Action` and `Resource`.
struct OneOrMany<'a, T>(&'a [T]);
struct IamConditions<'a>(&'a Conditions);
struct IamConditionKeys<'a>(&'a BTreeMap<Text, Vec<String>>);

impl Serialize for IamDocument<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let statements: Vec<IamStatement> = self.0.statements.iter().map(IamStatement).collect();
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("Version", "2012-10-17")?;
        m.serialize_entry("Statement", &statements)?;
        m.end()
    }
}

impl Serialize for IamStatement<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let st = self.0;
        let mut m = s.serialize_map(None)?;
        if !st.sid.is_empty() {
            m.serialize_entry("Sid", &st.sid)?;
        }
        m.serialize_entry(
            "Effect",
            match st.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            },
        )?;
        match &st.principal {
            Some(Principal::Service(p)) => {
                m.serialize_entry("Principal", &BTreeMap::from([("Service", p)]))?
            }
            Some(Principal::Aws(p)) => {
                m.serialize_entry("Principal", &BTreeMap::from([("AWS", p)]))?
            }
            None => {}
        }
        for (key, values) in [("Action", &st.actions), ("NotAction", &st.not_actions)] {
            if !values.is_empty() {
                m.serialize_entry(key, &OneOrMany(values))?;
            }
        }
        for (key, values) in [
            ("Resource", &st.resources),
            ("NotResource", &st.not_resources),
        ] {
            if !values.is_empty() {
                m.serialize_entry(key, &OneOrMany(values))?;
            }
        }
        if !st.conditions.is_empty() {
            m.serialize_entry("Condition", &IamConditions(&st.conditions))?;
        }
        m.end()
    }
}

impl<T: AsRef<str>> Serialize for OneOrMany<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            [one] => s.serialize_str(one.as_ref()),
            many => s.collect_seq(many.iter().map(|v| v.as_ref())),
        }
    }
}

impl Serialize for IamConditions<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(op, keys)| (op, IamConditionKeys(keys))))
    }
}

impl Serialize for IamConditionKeys<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, OneOrMany(v))))
    }
}

/// Builds a one-key condition map: `cond("StringEquals", "aws:SourceAccount", [acct])`.
pub fn cond(op: &'static str, key: &'static str, values: &[&str]) -> Conditions {
    let mut c = Conditions::new();
    add_cond(&mut c, op, key, values);
    c
}

/// Adds one operator/key pair to a condition map.
pub fn add_cond(c: &mut Conditions, op: &'static str, key: &'static str, values: &[&str]) {
    c.entry(Text::Borrowed(op)).or_default().insert(
        Text::Borrowed(key),
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

    #[test]
    fn computed_size_equals_serialised_size_for_every_shape() {
        let mut odd = stmt();
        odd.sid = "".into();
        odd.effect = Effect::Deny;
        odd.principal = Some(Principal::Aws("arn:aws:iam::1:role/é\"x\"".into()));
        odd.actions = vec![];
        odd.not_actions = vec!["iam:*".into()];
        odd.resources = vec![];
        odd.not_resources = vec!["a\nb\u{1}".into(), "ü".into()];
        add_cond(
            &mut odd.conditions,
            "StringLike",
            "s3:prefix",
            &["a/*", "b/*"],
        );
        add_cond(
            &mut odd.conditions,
            "Bool",
            "aws:SecureTransport",
            &["true"],
        );
        let mut svc = stmt();
        svc.principal = Some(Principal::Service("ecs-tasks.amazonaws.com".into()));
        svc.conditions.clear();
        for d in [
            PolicyDocument::new(vec![]),
            PolicyDocument::new(vec![odd.clone()]),
            PolicyDocument::new(vec![stmt(), odd, svc]),
        ] {
            let text = serde_json::to_string(&d.to_iam_json()).unwrap();
            assert_eq!(d.iam_size(), text.chars().count(), "{text}");
        }
    }

    #[test]
    fn string_length_sees_an_escape_or_a_wide_character_at_every_offset() {
        // The fast path reads sixteen bytes at a time: each special byte at each position of
        // a chunk and of the remainder.
        for len in 0..40 {
            let plain: String = "arn:aws:s3:::b/k*".chars().cycle().take(len).collect();
            let expect = |t: &str| serde_json::to_string(t).unwrap().chars().count();
            assert_eq!(json_str_len(&plain), expect(&plain));
            for at in 0..=len {
                for special in ["\"", "\\", "\n", "\u{1}", "\u{7f}", "é", "€"] {
                    let mut t = plain.clone();
                    t.insert_str(at, special);
                    assert_eq!(json_str_len(&t), expect(&t), "{t:?}");
                }
            }
        }
    }
}
