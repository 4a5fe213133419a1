//! Adopting an existing role (`ecsroles.dev/adopt`): before the controller writes anything to
//! a role it did not create, it says what adoption will do — the grants the plan adds, the IAM
//! changes it makes (policies put, replaced, detached, deleted; trust replaced) and the
//! over-grants those changes remove — in status and an Event. The judgement is the core's
//! audit (`ecsroles_core::audit`), the changes are [`iam_state::diff`]: nothing decided here.

use ecsroles_core::audit::{audit, policy_document, Account, IamRole};
use ecsroles_core::RolePlan;
use serde_json::Value;

use crate::crd::AdoptionReport;
use crate::iam_state::{diff, ActualRole, DesiredRole, Op, Owner};

/// What adopting `a` (as IAM has it) into `d` (the plan's role) will do.
pub fn report(plan: &RolePlan, d: &DesiredRole, a: &ActualRole, owner: &Owner) -> AdoptionReport {
    // The changes after ownership is taken (the ownership tags themselves are not news).
    let mut owned = a.clone();
    owned.tags.extend(owner.tags());
    let ops = diff(d, &owned);
    let changes: Vec<String> = ops.iter().filter_map(describe).collect();

    // A document that cannot be read counts as empty (a trust policy that trusts nobody).
    let doc =
        |text: &str| policy_document(text).unwrap_or_else(|_| Value::Object(Default::default()));
    let account = Account {
        roles: vec![IamRole {
            name: d.name.clone(),
            arn: String::new(),
            trust: doc(&a.trust),
            inline: a.inline.iter().map(|(n, t)| (n.clone(), doc(t))).collect(),
            managed: a.managed.iter().cloned().collect(),
            // Its document is not read: judged with it, every allowed call would only be
            // "allowed if the boundary permits" and listed as added. The plan's boundary (if
            // any) replaces it anyway (`changes`).
            boundary: None,
        }],
        policies: Default::default(),
    };
    let judged = audit(plan, &account);
    let role = judged.roles.iter().find(|r| r.name == d.name);
    let kind = plan
        .roles
        .iter()
        .find(|r| r.name.as_deref() == Some(d.name.as_str()))
        .map(|r| r.kind.key().to_string())
        .unwrap_or_default();
    let mut adds = Vec::new();
    let mut over_grants_removed = Vec::new();
    if let Some(r) = role {
        // Not proven allowed by the role's own inline policies (its managed policies' documents
        // are not read): the plan's policy gives them.
        for m in r.missing.iter().chain(&r.conditional) {
            adds.push(format!("{} on {}", m.action, m.resource));
        }
        for o in &r.over_grants {
            over_grants_removed.push(format!(
                "{} on {} ({}): {}",
                o.action, o.resource, o.policy, o.why
            ));
        }
        for t in &r.trust {
            over_grants_removed.push(format!("trust: {t}"));
        }
    }
    for op in &ops {
        if let Op::DetachRolePolicy { arn, .. } = op {
            over_grants_removed.push(format!(
                "everything {arn} allows beyond the plan (detached)"
            ));
        }
    }
    AdoptionReport {
        role: d.name.clone(),
        kind,
        adds,
        changes,
        over_grants_removed,
    }
}

/// One IAM change in words (ownership tagging left out).
fn describe(op: &Op) -> Option<String> {
    Some(match op {
        Op::TagRole { .. } => return None,
        Op::UpdateAssumeRolePolicy { .. } => "replace the trust policy with the plan's".into(),
        Op::PutRolePermissionsBoundary { boundary, .. } => {
            format!("set the permissions boundary {boundary}")
        }
        Op::DeleteRolePermissionsBoundary { .. } => "remove the permissions boundary".into(),
        Op::UpdateRole { max_session, .. } => format!("set MaxSessionDuration to {max_session}"),
        Op::UntagRole { keys, .. } => format!("remove the tags {}", keys.join(", ")),
        Op::PutRolePolicy { name, .. } => format!("put the inline policy {name}"),
        Op::AttachRolePolicy { arn, .. } => format!("attach {arn}"),
        Op::DetachRolePolicy { arn, .. } => format!("detach {arn}"),
        Op::DeleteRolePolicy { name, .. } => format!("delete the inline policy {name}"),
        Op::CreateInstanceProfile { name, .. } => format!("create the instance profile {name}"),
        Op::AddRoleToInstanceProfile { profile, .. } => {
            format!("add the role to the instance profile {profile}")
        }
        Op::RemoveRoleFromInstanceProfile { profile, .. } => {
            format!("remove the role from the instance profile {profile}")
        }
        other => other.name().to_string(),
    })
}

/// The Event's note: every adopted role in one line each (the Event keeps 1000 characters;
/// status has the whole report).
pub fn summary(reports: &[AdoptionReport]) -> String {
    let mut out = String::from("adopting before any write (status.adoption has the details): ");
    let lines: Vec<String> = reports
        .iter()
        .map(|r| {
            format!(
                "{}: adds {} grant(s), {} change(s) ({}), removes {} over-grant(s)",
                r.role,
                r.adds.len(),
                r.changes.len(),
                r.changes.join("; "),
                r.over_grants_removed.len()
            )
        })
        .collect();
    out.push_str(&lines.join(" | "));
    out
}
