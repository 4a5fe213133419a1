//! Status and Events: the conditions every outcome writes, and how (a whole-status replace on
//! success, a merge elsewhere so roles recorded earlier in the same reconcile stay).

use std::time::Duration;

use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event, EventType};
use kube::{Resource, ResourceExt};
use serde_json::json;
use tracing::{info, warn};

use crate::controller::{key, now, Context, Error};
use crate::crd::{Condition, EcsRoleSet, EcsRoleSetStatus, StatusFinding};
pub(crate) fn condition(
    prev: Option<&EcsRoleSetStatus>,
    kind: &str,
    status: bool,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) -> Condition {
    let status = if status { "True" } else { "False" }.to_string();
    let last = prev
        .and_then(|p| p.conditions.iter().find(|c| c.kind == kind))
        .filter(|c| c.status == status)
        .map(|c| c.last_transition_time.clone())
        .unwrap_or_else(now);
    Condition {
        kind: kind.into(),
        status,
        reason: reason.into(),
        message: message.chars().take(1024).collect(),
        last_transition_time: last,
        observed_generation: generation,
    }
}

pub(crate) async fn write_status(
    obj: &EcsRoleSet,
    ctx: &Context,
    status: EcsRoleSetStatus,
) -> Result<(), Error> {
    let api: Api<EcsRoleSet> =
        Api::namespaced(ctx.client.clone(), &obj.namespace().unwrap_or_default());
    // JSON patch `add /status` replaces the whole status, so fields that became empty go away
    // (a merge patch would keep stale findings).
    let patch = json!([{"op": "add", "path": "/status", "value": status}]);
    api.patch_status(
        &obj.name_any(),
        &PatchParams::default(),
        &Patch::<()>::Json(
            serde_json::from_value(patch).map_err(|e| Error::Finalizer(e.to_string()))?,
        ),
    )
    .await?;
    Ok(())
}

pub(crate) async fn event(
    ctx: &Context,
    obj: &EcsRoleSet,
    kind: EventType,
    reason: &str,
    note: String,
) {
    let ev = Event {
        type_: kind,
        reason: reason.into(),
        note: Some(note.chars().take(1000).collect()),
        action: "Reconcile".into(),
        secondary: None,
    };
    if let Err(e) = ctx.recorder.publish(&ev, &obj.object_ref(&())).await {
        warn!(object = %key(obj), error = %e, "could not publish event");
    }
}

/// Terminal outcome: report, no IAM writes, wait for the resource to change.
pub(crate) async fn terminal(
    obj: &EcsRoleSet,
    ctx: &Context,
    reason: &str,
    message: String,
    findings: Vec<StatusFinding>,
) -> Result<Action, Error> {
    let prev = obj.status.as_ref();
    let g = obj.meta().generation;
    let mut status = prev.cloned().unwrap_or_default();
    status.conditions = vec![
        condition(prev, "Ready", false, reason, &message, g),
        condition(prev, "Synced", false, reason, &message, g),
    ];
    status.observed_generation = g;
    status.findings = findings;
    // Report once per generation and verdict, not on every retry.
    let same = |c: &Condition| {
        c.kind == "Ready" && c.reason == reason && c.message == status.conditions[0].message
    };
    let changed = prev.is_none_or(|p| p.observed_generation != g || !p.conditions.iter().any(same));
    if changed {
        // A merge of what this verdict sets: roles recorded earlier in this reconcile stay.
        let fields = json!({"conditions": status.conditions,
            "observedGeneration": status.observed_generation, "findings": status.findings});
        merge_status(obj, ctx, fields).await?;
        event(ctx, obj, EventType::Warning, reason, message.clone()).await;
    }
    ctx.metrics.reconciled("terminal");
    info!(object = %key(obj), reason, %message, "terminal");
    Ok(Action::await_change())
}

/// What a tenant can do about a name someone else holds: the name comes from the namespace
/// and the resource's name, so renaming the role itself is not among the choices.
pub(crate) const COLLISION_ADVICE: &str = "The name is derived from this resource's namespace and name: rename this EcsRoleSet, or have that role deleted or adopted by the platform team; the controller checks the name again on its own";

/// A name held by someone else can be freed (the role deleted, or adopted): report it like any
/// terminal verdict, then look again, waiting as long as the collision has lasted so far (10 s,
/// 20 s, 40 s … at most 10 min). A squatted name is taken back without a spec change, and a
/// lasting collision costs one read every ten minutes.
pub(crate) async fn collision(
    obj: &EcsRoleSet,
    ctx: &Context,
    message: String,
    findings: Vec<StatusFinding>,
) -> Result<Action, Error> {
    let since = obj
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.kind == "Ready"))
        .filter(|c| c.status == "False" && c.reason == "NameCollision")
        .and_then(|c| chrono::DateTime::parse_from_rfc3339(&c.last_transition_time).ok())
        .map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds())
        .unwrap_or(0);
    terminal(obj, ctx, "NameCollision", message, findings).await?;
    Ok(Action::requeue(collision_backoff(since)))
}

/// The wait before checking a colliding name again, after `seconds` of collision.
pub(crate) fn collision_backoff(seconds: i64) -> Duration {
    Duration::from_secs(seconds.clamp(10, 600).unsigned_abs())
}

/// Deletion cannot finish (yet): say why in status — `DeleteBlocked` when something outside
/// this controller's ownership holds a role, `Deleting` when IAM failed — and, once per
/// reason and message, in a Warning Event. Without it the resource would read `Ready=True`.
pub(crate) async fn set_deleting(obj: &EcsRoleSet, ctx: &Context, e: &Error) -> Result<(), Error> {
    let prev = obj.status.as_ref();
    let g = obj.meta().generation;
    let reason = if matches!(e, Error::Blocked(_)) {
        "DeleteBlocked"
    } else {
        "Deleting"
    };
    let message = e.to_string();
    let same = prev.is_some_and(|p| {
        p.conditions
            .iter()
            .any(|c| c.kind == "Ready" && c.reason == reason && c.message == message)
    });
    if same {
        return Ok(());
    }
    let conditions = vec![
        condition(prev, "Ready", false, reason, &message, g),
        condition(prev, "Synced", false, reason, &message, g),
    ];
    write_conditions(obj, ctx, conditions).await?;
    event(ctx, obj, EventType::Warning, reason, message).await;
    Ok(())
}

pub(crate) async fn set_unsynced(
    obj: &EcsRoleSet,
    ctx: &Context,
    message: &str,
) -> Result<(), Error> {
    let prev = obj.status.as_ref();
    let g = obj.meta().generation;
    let ready = prev
        .and_then(|p| p.conditions.iter().find(|c| c.kind == "Ready"))
        .cloned()
        .unwrap_or_else(|| condition(prev, "Ready", false, "Reconciling", "not yet reconciled", g));
    let conditions = vec![
        ready,
        condition(prev, "Synced", false, "IamError", message, g),
    ];
    write_conditions(obj, ctx, conditions).await
}

/// Only the conditions: the rest of the status (roles recorded during this very reconcile)
/// may be newer than the object this reconcile started from.
pub(crate) async fn write_conditions(
    obj: &EcsRoleSet,
    ctx: &Context,
    conditions: Vec<Condition>,
) -> Result<(), Error> {
    merge_status(obj, ctx, json!({"conditions": conditions})).await
}

/// Merges `fields` into the status: the fields given change, the others (roles recorded
/// earlier in this reconcile) stay. [`write_status`] replaces the whole status instead.
pub(crate) async fn merge_status(
    obj: &EcsRoleSet,
    ctx: &Context,
    fields: serde_json::Value,
) -> Result<(), Error> {
    let api: Api<EcsRoleSet> =
        Api::namespaced(ctx.client.clone(), &obj.namespace().unwrap_or_default());
    api.patch_status(
        &obj.name_any(),
        &PatchParams::default(),
        &Patch::Merge(&json!({ "status": fields })),
    )
    .await?;
    Ok(())
}

pub(crate) fn findings_of(plan: &ecsroles_core::RolePlan) -> Vec<StatusFinding> {
    plan.findings
        .iter()
        .map(|f| StatusFinding {
            severity: f.severity.as_str().into(),
            path: f.path.clone(),
            message: f.message.clone(),
        })
        .collect()
}
