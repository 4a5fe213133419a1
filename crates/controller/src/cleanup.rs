//! Deletion: every role the status records (and its instance profile), only if this resource
//! owns it, in IAM's required order; `Retain` releases them instead.

use std::collections::BTreeMap;

use ecsroles_core::controller_policy::RETAINED_TAG;
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use tracing::warn;

use crate::controller::{owner, Context, Error};
use crate::crd::{DeletionPolicy, EcsRoleSet};
use crate::iam_state::{deletion, Owner};
use crate::status::event;
/// Whether a role of this kind (a status key) can have an instance profile, on any launch type.
pub(crate) fn may_have_profile(kind_key: &str) -> bool {
    use ecsroles_core::{model::ProfileOn, RoleKind};
    RoleKind::ALL
        .into_iter()
        .find(|k| k.key() == kind_key)
        .is_some_and(|k| k.facts().instance_profile != ProfileOn::Never)
}

/// Deletes one role (and its instance profile) if, and only if, this owner created it.
/// Returns the calls made.
pub(crate) async fn delete_owned(
    ctx: &Context,
    owner: &Owner,
    role: &str,
    with_profile: bool,
) -> Result<Vec<String>, Error> {
    // A role kind that can have an instance profile: look for ours by its name too.
    let profile = with_profile.then_some(role);
    let (a, foreign) = ctx.iam.read_for_deletion(role, profile).await?;
    if a.exists && !owner.owns(&a.tags) {
        warn!(role, "not deleting a role this resource does not own");
        return Ok(vec![]);
    }
    let mut a = a;
    if a.instance_profile.is_some() && !owner.owns(&a.profile_tags) {
        warn!(
            profile = role,
            "not deleting an instance profile this resource does not own"
        );
        a.instance_profile = None;
    }
    if a.exists && !foreign.is_empty() {
        return Err(Error::Blocked(format!(
            "IAM role {role} is in instance profile(s) {} that this controller does not own; remove it from there so the role can be deleted",
            foreign.join(", ")
        )));
    }
    let mut ops = deletion(role, &a);
    if !a.exists {
        // Only an orphaned profile of ours (a crash between deleting it and the role).
        ops = match &a.instance_profile {
            Some((p, _)) => vec![crate::iam_state::Op::DeleteInstanceProfile { name: p.clone() }],
            None => vec![],
        };
    }
    let mut done = Vec::new();
    for op in ops {
        ctx.iam.apply(&op).await?;
        done.push(format!("{} {role}", op.name()));
    }
    Ok(done)
}

pub(crate) async fn cleanup(obj: &EcsRoleSet, ctx: &Context) -> Result<Action, Error> {
    let owner = owner(obj, &ctx.config);
    // The names recorded in status: each is written there before its role is created, so
    // nothing this resource created is missing, and nothing it never created is probed.
    let recorded = obj.status.as_ref().map(|s| &s.managed_roles);
    if obj.spec.deletion_policy == DeletionPolicy::Retain {
        // Released: the roles stay, marked so that the orphan sweep never deletes them (their
        // owner tags stay too: the controller's own IAM policy forbids removing those).
        for role in recorded.into_iter().flatten().map(|(_, r)| r) {
            match ctx.iam.role_tags(role).await? {
                Some(tags) if owner.owns(&tags) && !tags.contains_key(RETAINED_TAG) => {
                    let tags = BTreeMap::from([(RETAINED_TAG.to_string(), "true".to_string())]);
                    let op = crate::iam_state::Op::TagRole {
                        role: role.clone(),
                        tags,
                    };
                    ctx.iam.apply(&op).await?;
                }
                _ => {}
            }
        }
        event(
            ctx,
            obj,
            EventType::Normal,
            "Retained",
            format!("deletionPolicy Retain: IAM roles left in place, tagged {RETAINED_TAG}"),
        )
        .await;
        return Ok(Action::await_change());
    }
    let mut done = Vec::new();
    for (kind, role) in recorded.into_iter().flatten() {
        done.extend(delete_owned(ctx, &owner, role, may_have_profile(kind)).await?);
    }
    event(
        ctx,
        obj,
        EventType::Normal,
        "Deleted",
        if done.is_empty() {
            "nothing to delete in IAM".into()
        } else {
            format!("IAM objects deleted: {}", done.join(", "))
        },
    )
    .await;
    ctx.metrics.reconciled("deleted");
    Ok(Action::await_change())
}
