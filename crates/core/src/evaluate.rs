//! IAM's evaluation of identity policies, on documents as IAM stores them (JSON): which of a
//! role's statements allow or deny an action on a resource. `audit` judges real roles with it
//! and `explain` the plan's own statements (one evaluator).
//!
//! What it models: Allow/Deny, Action/NotAction (case-insensitive, `*` `?`), Resource/
//! NotResource (case-sensitive), an explicit Deny winning, a permissions boundary intersecting.
//! A statement with a Condition counts as "allowed if its condition holds" ([`Decision::Conditional`]).
//! What it cannot see — SCPs, resource policies (key, secret, bucket policies), session
//! policies — is not guessed: the audit says so.

use serde::Serialize;
use serde_json::Value;

/// What IAM would decide for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    /// An Allow without conditions matches, and no Deny.
    Allowed,
    /// Allowed only if a statement's Condition holds (or a conditional Deny does not).
    Conditional,
    /// Nothing allows it.
    ImplicitDeny,
    /// A Deny without conditions matches.
    ExplicitDeny,
}

/// The name [`evaluate`] gives the permissions boundary when it decided.
pub const BOUNDARY: &str = "permissions boundary";

/// One statement's view of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hit {
    No,
    Allow { conditional: bool },
    Deny { conditional: bool },
}

/// A string or a list of strings (IAM accepts both).
pub fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// A document's statements (one object or a list).
pub fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => vec![],
    }
}

fn action_matches(pattern: &str, action: &str) -> bool {
    crate::guardrails::glob_match(pattern, action)
}

fn resource_matches(pattern: &str, resource: &str) -> bool {
    crate::arn::glob_match(pattern, resource)
}

/// How one statement treats `action` on `resource`.
fn hit(s: &Value, action: &str, resource: &str) -> Hit {
    let actions = strings(s.get("Action"));
    let not_actions = strings(s.get("NotAction"));
    let action_ok = if s.get("NotAction").is_some() {
        !not_actions.iter().any(|p| action_matches(p, action))
    } else {
        actions.iter().any(|p| action_matches(p, action))
    };
    let resource_ok = if s.get("NotResource").is_some() {
        !strings(s.get("NotResource"))
            .iter()
            .any(|p| resource_matches(p, resource))
    } else {
        strings(s.get("Resource"))
            .iter()
            .any(|p| resource_matches(p, resource))
    };
    if !action_ok || !resource_ok {
        return Hit::No;
    }
    let conditional = s
        .get("Condition")
        .and_then(Value::as_object)
        .is_some_and(|c| !c.is_empty());
    match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Hit::Allow { conditional },
        Some("Deny") => Hit::Deny { conditional },
        _ => Hit::No,
    }
}

/// IAM's decision for `action` on `resource` under `policies` (each `(name, document)`),
/// within `boundary` when the role has one; with the name of the policy that decided.
pub fn evaluate<'a>(
    policies: &[(&'a str, &Value)],
    boundary: Option<&Value>,
    action: &str,
    resource: &str,
) -> (Decision, Option<&'a str>) {
    let mut allowed: Option<&str> = None;
    let mut conditional: Option<&str> = None;
    let mut conditional_deny = false;
    for (name, doc) in policies {
        for s in statements(doc) {
            match hit(s, action, resource) {
                Hit::Deny { conditional: false } => return (Decision::ExplicitDeny, Some(name)),
                Hit::Deny { conditional: true } => conditional_deny = true,
                Hit::Allow { conditional: false } => allowed = allowed.or(Some(name)),
                Hit::Allow { conditional: true } => conditional = conditional.or(Some(name)),
                Hit::No => {}
            }
        }
    }
    let identity = match (allowed, conditional) {
        (Some(n), _) if !conditional_deny => (Decision::Allowed, Some(n)),
        (Some(n), _) | (None, Some(n)) => (Decision::Conditional, Some(n)),
        (None, None) => (Decision::ImplicitDeny, None),
    };
    if identity.0 == Decision::ImplicitDeny {
        return identity;
    }
    match boundary.map(|b| evaluate(&[(BOUNDARY, b)], None, action, resource).0) {
        Some(Decision::ExplicitDeny) => (Decision::ExplicitDeny, Some(BOUNDARY)),
        Some(Decision::ImplicitDeny) => (Decision::ImplicitDeny, Some(BOUNDARY)),
        Some(Decision::Conditional) => (Decision::Conditional, identity.1),
        _ => identity,
    }
}

/// A concrete example of what a planned resource pattern names (`…:log-group:/x:*` →
/// `…:log-group:/x:ecsroles-example`): the plan's patterns are judged by a resource they cover,
/// so a role scoped differently but covering the same calls is not called missing. `*` alone
/// stays `*` (actions that take no resource).
pub fn example_of(pattern: &str) -> String {
    if pattern == "*" {
        return pattern.to_string();
    }
    pattern.replace('*', "ecsroles-example").replace('?', "x")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deny_wins_not_action_and_boundaries_count() {
        let allow = json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
        let deny = json!({"Statement": {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"}});
        let p = [("a", &allow), ("d", &deny)];
        assert_eq!(
            evaluate(&p, None, "S3:GetObject", "arn:aws:s3:::b/k").0,
            Decision::Allowed
        );
        assert_eq!(
            evaluate(&p, None, "s3:DeleteObject", "arn:aws:s3:::b/k"),
            (Decision::ExplicitDeny, Some("d"))
        );
        let not =
            json!({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]});
        assert_eq!(
            evaluate(&[("n", &not)], None, "iam:PassRole", "*").0,
            Decision::ImplicitDeny
        );
        assert_eq!(
            evaluate(
                &[("n", &not)],
                None,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:1:q"
            )
            .0,
            Decision::Allowed
        );
        let boundary =
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        assert_eq!(
            evaluate(&p, Some(&boundary), "s3:PutObject", "arn:aws:s3:::b/k").0,
            Decision::ImplicitDeny
        );
        let cond = json!({"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}}]});
        assert_eq!(
            evaluate(
                &[("c", &cond)],
                None,
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:1:key/k"
            )
            .0,
            Decision::Conditional
        );
    }
}
