//! The reconciler: `EcsRoleSet` → core plan → desired IAM state → read actual → minimal ordered
//! IAM calls → status and Events. Deletion runs behind a finalizer in IAM's required order.
//!
//! Outcomes:
//! - terminal (invalid spec, plan errors, a name owned by someone else, a request IAM refuses
//!   as such, e.g. `MalformedPolicyDocument`): `Ready=False`, a Warning
//!   Event, no (further) IAM writes, no requeue until the resource changes;
//! - retryable (throttling, 5xx, `ConcurrentModification`…): `Synced=False`, per-object
//!   exponential backoff;
//! - success: `Ready=True`, `Synced=True`, requeue after the jittered resync period, which is
//!   how drift made in IAM behind our back is found and corrected.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecsroles_core::controller_policy::RETAINED_TAG;
use ecsroles_core::guardrails::{self, Guardrails};
use ecsroles_core::{plan, Severity};
use futures::StreamExt;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::runtime::finalizer::{finalizer, Event as FinalizerEvent};
use kube::runtime::{reflector, watcher, WatchStreamExt};
use kube::{Resource, ResourceExt};
use serde_json::json;
use tracing::{info, warn};

use crate::config::Config;
use crate::crd::{Condition, DeletionPolicy, EcsRoleSet, EcsRoleSetStatus, StatusFinding};
use crate::iam::{Iam, IamError};
use crate::iam_state::{deletion, desired_from_plan, diff, ActualRole, Owner};
use crate::metrics::Metrics;
use crate::prepare::prepare;

/// Finalizer that holds deletion until the IAM objects are gone.
pub const FINALIZER: &str = "ecsroles.dev/cleanup";
/// Field manager / event reporter name.
pub const MANAGER: &str = "ecsroles-controller";

/// Shared state of every reconcile.
pub struct Context {
    pub client: kube::Client,
    pub iam: Iam,
    pub config: Config,
    pub metrics: Arc<Metrics>,
    recorder: Recorder,
    /// Consecutive failures per object (`namespace/name`), for exponential backoff.
    failures: Mutex<HashMap<String, u32>>,
    in_flight: AtomicI64,
    /// The platform's guardrails (hot-reloaded, see [`watch_guardrails`]).
    guardrails: std::sync::RwLock<Arc<Guardrails>>,
    /// Bulk read of every role under the path, shared by periodic resyncs; dropped whenever
    /// this controller writes, so it never shows a state older than our own changes.
    snapshot: tokio::sync::Mutex<Option<(tokio::time::Instant, Arc<Snapshot>)>>,
}

type Snapshot = HashMap<String, ActualRole>;

/// Annotation asking to adopt existing, unowned roles (honoured only in the namespaces the
/// guardrails list in `adoptionNamespaces`).
pub const ADOPT_ANNOTATION: &str = "ecsroles.dev/adopt";

/// Loads the guardrail policy: the file when configured, else the core's defaults.
pub fn load_guardrails(config: &Config) -> Result<Guardrails, String> {
    match &config.guardrails_file {
        None => Ok(Guardrails::default()),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Guardrails::from_yaml(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}

/// Re-reads the guardrail file every few seconds (a mounted ConfigMap changes in place); a
/// broken file keeps the previous policy and logs why.
pub async fn watch_guardrails(ctx: Arc<Context>) {
    let Some(path) = ctx.config.guardrails_file.clone() else {
        return;
    };
    let mut last = std::fs::read_to_string(&path).ok();
    loop {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let now = std::fs::read_to_string(&path).ok();
        if now == last {
            continue;
        }
        last = now;
        match load_guardrails(&ctx.config) {
            Ok(g) => {
                if let Ok(mut cur) = ctx.guardrails.write() {
                    *cur = Arc::new(g);
                }
                info!(path = %path.display(), "guardrails reloaded");
            }
            Err(e) => warn!(error = %e, "guardrails file invalid; keeping the previous policy"),
        }
    }
}

impl Context {
    /// Fails when the guardrail file is unreadable or invalid (the controller must not start
    /// without the platform's policy).
    pub fn new(
        client: kube::Client,
        iam: Iam,
        config: Config,
        metrics: Arc<Metrics>,
    ) -> Result<Self, String> {
        let guardrails = std::sync::RwLock::new(Arc::new(load_guardrails(&config)?));
        let recorder = Recorder::new(
            client.clone(),
            Reporter {
                controller: MANAGER.into(),
                instance: std::env::var("POD_NAME").ok(),
            },
        );
        Ok(Context {
            client,
            iam,
            config,
            metrics,
            recorder,
            failures: Mutex::new(HashMap::new()),
            in_flight: AtomicI64::new(0),
            guardrails,
            snapshot: tokio::sync::Mutex::new(None),
        })
    }

    /// The shared snapshot, fetched again when older than half the resync period.
    async fn snapshot(&self) -> Result<Arc<Snapshot>, Error> {
        let mut cur = self.snapshot.lock().await;
        let max_age = self.config.resync() / 2;
        if let Some((at, snap)) = cur.as_ref() {
            if at.elapsed() < max_age {
                return Ok(snap.clone());
            }
        }
        let snap = Arc::new(self.iam.snapshot(&self.config.role_path).await?);
        *cur = Some((tokio::time::Instant::now(), snap.clone()));
        Ok(snap)
    }

    pub(crate) async fn forget_snapshot(&self) {
        *self.snapshot.lock().await = None;
    }

    pub fn guardrails(&self) -> Arc<Guardrails> {
        self.guardrails
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    fn update_queue_gauge(&self) {
        let waiting = self.failures.lock().map(|f| f.len()).unwrap_or(0) as i64;
        self.metrics
            .queue_depth
            .set(self.in_flight.load(Ordering::Relaxed) + waiting);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Iam(#[from] IamError),
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    #[error("finalizer: {0}")]
    Finalizer(String),
    /// Something outside our ownership blocks progress (e.g. our role sits in someone else's
    /// instance profile). Retried with backoff: a human can fix it.
    #[error("{0}")]
    Blocked(String),
    /// The whole reconcile took longer than its bound (see `--iam-call-timeout-seconds`).
    #[error("reconcile did not finish within {0:?}")]
    Timeout(Duration),
}

fn key(obj: &EcsRoleSet) -> String {
    format!("{}/{}", obj.namespace().unwrap_or_default(), obj.name_any())
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Resync period ±10%, so a thousand resources created together do not resync together.
pub(crate) fn jittered(period: Duration) -> Duration {
    let f = 0.9 + fastrand::f64() * 0.2;
    period.mul_f64(f)
}

/// Backoff after the `n`th consecutive failure: 2s, 4s, 8s… capped at 5 minutes, jittered.
pub fn backoff(n: u32) -> Duration {
    let secs = 2u64.saturating_pow(n.clamp(1, 9)).min(300);
    jittered(Duration::from_secs(secs))
}

/// Entry point of one reconcile.
pub async fn reconcile(obj: Arc<EcsRoleSet>, ctx: Arc<Context>) -> Result<Action, Error> {
    ctx.in_flight.fetch_add(1, Ordering::Relaxed);
    ctx.update_queue_gauge();
    let api: Api<EcsRoleSet> =
        Api::namespaced(ctx.client.clone(), &obj.namespace().unwrap_or_default());
    // Bounded: whatever hangs, the slot comes back and the object is retried with backoff.
    let bound = ctx.config.reconcile_timeout();
    let run = finalizer(&api, FINALIZER, obj.clone(), |event| async {
        match event {
            FinalizerEvent::Apply(o) => apply(&o, &ctx).await,
            FinalizerEvent::Cleanup(o) => cleanup(&o, &ctx).await,
        }
    });
    // Every IAM call of this reconcile is charged to its namespace (fair::FairLimiter).
    let tenant: Arc<str> = Arc::from(obj.namespace().unwrap_or_default());
    let run = crate::fair::TENANT.scope(tenant, run);
    let result = match tokio::time::timeout(bound, run).await {
        Err(_) => Err(Error::Timeout(bound)),
        Ok(r) => r.map_err(|e| match e {
            kube::runtime::finalizer::Error::ApplyFailed(e)
            | kube::runtime::finalizer::Error::CleanupFailed(e) => e,
            other => Error::Finalizer(other.to_string()),
        }),
    };
    ctx.in_flight.fetch_sub(1, Ordering::Relaxed);
    match &result {
        Ok(_) => {
            if let Ok(mut f) = ctx.failures.lock() {
                f.remove(&key(&obj));
            }
        }
        Err(e) => {
            ctx.metrics.reconciled("error");
            ctx.metrics.failed(match e {
                Error::Iam(i) if i.retryable => "iam_retryable",
                Error::Iam(_) => "iam",
                Error::Kube(_) => "kubernetes",
                Error::Finalizer(_) => "finalizer",
                Error::Blocked(_) => "blocked",
                Error::Timeout(_) => "timeout",
            });
            warn!(object = %key(&obj), error = %e, "reconcile failed");
            if obj.meta().deletion_timestamp.is_none() {
                let _ = set_unsynced(&obj, &ctx, &e.to_string()).await;
            } else {
                let _ = set_deleting(&obj, &ctx, e).await;
            }
        }
    }
    ctx.update_queue_gauge();
    result
}

/// Per-object exponential backoff.
pub fn error_policy(obj: Arc<EcsRoleSet>, _err: &Error, ctx: Arc<Context>) -> Action {
    let n = ctx
        .failures
        .lock()
        .map(|mut f| {
            let n = f.entry(key(&obj)).or_insert(0);
            *n += 1;
            *n
        })
        .unwrap_or(1);
    ctx.update_queue_gauge();
    Action::requeue(backoff(n))
}

fn owner(obj: &EcsRoleSet, config: &Config) -> Owner {
    Owner {
        cluster: config.cluster_id.clone(),
        namespace: obj.namespace().unwrap_or_default(),
        name: obj.name_any(),
        uid: obj.uid().unwrap_or_default(),
    }
}

fn condition(
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

async fn write_status(
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

async fn event(ctx: &Context, obj: &EcsRoleSet, kind: EventType, reason: &str, note: String) {
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
async fn terminal(
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
const COLLISION_ADVICE: &str = "The name is derived from this resource's namespace and name: rename this EcsRoleSet, or have that role deleted or adopted by the platform team; the controller checks the name again on its own";

/// A name held by someone else can be freed (the role deleted, or adopted): report it like any
/// terminal verdict, then look again, waiting as long as the collision has lasted so far (10 s,
/// 20 s, 40 s … at most 10 min). A squatted name is taken back without a spec change, and a
/// lasting collision costs one read every ten minutes.
async fn collision(
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
fn collision_backoff(seconds: i64) -> Duration {
    Duration::from_secs(seconds.clamp(10, 600).unsigned_abs())
}

/// Deletion cannot finish (yet): say why in status — `DeleteBlocked` when something outside
/// this controller's ownership holds a role, `Deleting` when IAM failed — and, once per
/// reason and message, in a Warning Event. Without it the resource would read `Ready=True`.
async fn set_deleting(obj: &EcsRoleSet, ctx: &Context, e: &Error) -> Result<(), Error> {
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

async fn set_unsynced(obj: &EcsRoleSet, ctx: &Context, message: &str) -> Result<(), Error> {
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
async fn write_conditions(
    obj: &EcsRoleSet,
    ctx: &Context,
    conditions: Vec<Condition>,
) -> Result<(), Error> {
    merge_status(obj, ctx, json!({"conditions": conditions})).await
}

/// Merges `fields` into the status: the fields given change, the others (roles recorded
/// earlier in this reconcile) stay. [`write_status`] replaces the whole status instead.
async fn merge_status(
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

fn findings_of(plan: &ecsroles_core::RolePlan) -> Vec<StatusFinding> {
    plan.findings
        .iter()
        .map(|f| StatusFinding {
            severity: format!("{:?}", f.severity).to_lowercase(),
            path: f.path.clone(),
            message: f.message.clone(),
        })
        .collect()
}

async fn apply(obj: &EcsRoleSet, ctx: &Context) -> Result<Action, Error> {
    let cfg = &ctx.config;
    let ns = obj.namespace().unwrap_or_default();
    let name = obj.name_any();
    let owner = owner(obj, cfg);
    let prev = obj.status.clone().unwrap_or_default();

    // A spec the API server stored but the core's types cannot read: this object only.
    let decoded = match obj.spec.inner.spec() {
        Ok(s) => s,
        Err(message) => {
            let msg = format!("the spec cannot be read: {message}; nothing in IAM was changed");
            return terminal(obj, ctx, "InvalidSpec", msg, vec![]).await;
        }
    };
    let mut spec = match prepare(decoded, cfg, &ns, &name, &prev.managed_roles) {
        Ok(s) => s,
        // Names, path, account and shared roles are the controller's own guardrails: a
        // tenant reaching for them is a policy violation; a missing region is just invalid.
        Err(e) => {
            let reason = if e.path == "region" {
                "InvalidSpec"
            } else {
                "PolicyViolation"
            };
            return terminal(obj, ctx, reason, e.to_string(), vec![]).await;
        }
    };
    // Guardrails before any IAM call: a violation writes nothing and reads nothing.
    let policy = match ctx.guardrails().for_namespace(Some(&ns)) {
        Ok(p) => p,
        Err(e) => {
            let msg = format!("guardrail policy for namespace {ns} is invalid: {e}");
            return terminal(obj, ctx, "PolicyViolation", msg, vec![]).await;
        }
    };
    let mut violations = policy.prepare(&mut spec);
    let plan = plan(&spec);
    let findings = findings_of(&plan);
    if let Some(f) = plan.findings.iter().find(|f| f.severity == Severity::Error) {
        let msg = format!("spec.{}: {}", f.path, f.message);
        return terminal(obj, ctx, "InvalidSpec", msg, findings).await;
    }
    let adopt = obj
        .annotations()
        .get(ADOPT_ANNOTATION)
        .is_some_and(|v| v == "true");
    let elsewhere = match policy.max_roles_per_namespace {
        Some(_) => roles_elsewhere(ctx, &ns, &name).await?,
        None => 0,
    };
    let cx = guardrails::Context {
        namespace: Some(&ns),
        roles_elsewhere_in_namespace: elsewhere,
        adopt_requested: adopt,
    };
    violations.extend(policy.check(&spec, &plan, &cx));
    if !violations.is_empty() {
        let msg: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
        return terminal(obj, ctx, "PolicyViolation", msg.join("; "), findings).await;
    }
    let desired = desired_from_plan(&plan, &owner);

    // Read everything first: a collision anywhere means nothing is written anywhere. A
    // periodic resync of an unchanged, already reconciled spec reads from the shared bulk
    // snapshot; anything else (spec changes, adoption) reads the roles directly.
    let g = obj.meta().generation;
    let in_sync_before = prev.observed_generation == g
        && prev
            .conditions
            .iter()
            .any(|c| c.kind == "Ready" && c.status == "True");
    let snapshot = if in_sync_before && !adopt {
        Some(ctx.snapshot().await?)
    } else {
        None
    };
    let mut actual: Vec<ActualRole> = Vec::with_capacity(desired.len());
    for d in &desired {
        // The snapshot only ever proves "nothing to do". Anything else — drift, a missing
        // role, a profile to fix — is read again directly before a single write, so writes
        // always rest on fresh state and ownership (profile tags included) is checked on it.
        if let Some(a) = snapshot.as_ref().and_then(|s| s.get(&d.name)) {
            if owner.owns(&a.tags) && diff(d, a).is_empty() {
                actual.push(a.clone());
                continue;
            }
        }
        let mut a = ctx
            .iam
            .read_role(&d.name, d.instance_profile.as_deref())
            .await?;
        if a.exists && !owner.owns(&a.tags) && adopt && a.path == d.path {
            // Adoption (the guardrails above allowed it here): take ownership, then converge.
            let tag = crate::iam_state::Op::TagRole {
                role: d.name.clone(),
                tags: owner.tags(),
            };
            ctx.iam.apply(&tag).await?;
            a.tags.extend(owner.tags());
            let note = format!("took ownership of existing IAM role {}", d.name);
            event(ctx, obj, EventType::Normal, "Adopted", note).await;
        }
        if a.exists && !owner.owns(&a.tags) {
            let msg = format!("IAM role {} already exists and is not owned by this EcsRoleSet (its ecsroles.dev/* tags differ); nothing in IAM was changed. {COLLISION_ADVICE}", d.name);
            return collision(obj, ctx, msg, findings).await;
        }
        if a.instance_profile.is_some() && !owner.owns(&a.profile_tags) {
            let msg = format!("IAM instance profile {} already exists and is not owned by this EcsRoleSet; nothing in IAM was changed. {COLLISION_ADVICE}", d.instance_profile.as_deref().unwrap_or_default());
            return collision(obj, ctx, msg, findings).await;
        }
        actual.push(a);
    }

    // Write-ahead: every role about to be created is recorded in status before its CreateRole.
    // However the reconcile ends (an IAM error, a lost response, a crash), the status lists
    // every role this resource may own, so cleanup deletes exactly those and probes nothing
    // else, and a role the plan stops needing is still found.
    let kind_of: BTreeMap<&str, &str> = plan
        .roles
        .iter()
        .filter_map(|r| Some((r.name.as_deref()?, r.kind.key())))
        .collect();
    let mut recorded = prev.managed_roles.clone();
    for (d, a) in desired.iter().zip(&actual) {
        if let (false, Some(kind)) = (a.exists, kind_of.get(d.name.as_str())) {
            recorded.insert(kind.to_string(), d.name.clone());
        }
    }
    if recorded != prev.managed_roles {
        let mut status = prev.clone();
        status.managed_roles = recorded;
        write_status(obj, ctx, status).await?;
    }

    let mut done: Vec<String> = Vec::new();
    let mut created_any = false;
    for (d, a) in desired.iter().zip(&actual) {
        created_any |= !a.exists;
        for op in diff(d, a) {
            match ctx.iam.apply(&op).await {
                Ok(()) => done.push(format!("{} {}", op.name(), d.name)),
                // IAM will never accept this request: say so (status, Warning Event) and wait
                // for the spec to change, instead of retrying it forever.
                Err(e) if e.is_permanent() => {
                    let applied = if done.is_empty() {
                        "nothing was changed before it".to_string()
                    } else {
                        format!("applied before it: {}", done.join(", "))
                    };
                    let msg = format!(
                        "IAM refused {} {}: {}: {}; {applied}",
                        op.name(),
                        d.name,
                        e.code,
                        e.message
                    );
                    ctx.forget_snapshot().await;
                    return terminal(obj, ctx, "IamRejected", msg, findings).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    // Roles this resource created earlier but the plan no longer needs.
    let kinds: BTreeMap<String, String> = plan
        .roles
        .iter()
        .filter(|r| r.provisioning == ecsroles_core::model::Provisioning::Create)
        .filter_map(|r| Some((r.kind.key().to_string(), r.name.clone()?)))
        .collect();
    for (kind, role) in prev
        .managed_roles
        .iter()
        .filter(|(k, _)| !kinds.contains_key(*k))
    {
        done.extend(delete_owned(ctx, &owner, role, may_have_profile(kind)).await?);
        info!(object = %key(obj), kind, role, "removed a role the plan no longer needs");
    }

    if !done.is_empty() {
        ctx.forget_snapshot().await;
    }
    if !done.is_empty() {
        // Changes to a spec IAM already matched can only be drift.
        if in_sync_before && !created_any {
            ctx.metrics.drift_corrections.inc();
            event(
                ctx,
                obj,
                EventType::Warning,
                "DriftCorrected",
                format!(
                    "IAM was changed outside this controller; corrected with: {}",
                    done.join(", ")
                ),
            )
            .await;
        } else {
            event(
                ctx,
                obj,
                EventType::Normal,
                "Synced",
                format!("IAM updated: {}", done.join(", ")),
            )
            .await;
        }
    }

    let mut status = EcsRoleSetStatus {
        observed_generation: g,
        findings,
        last_sync_time: Some(now()),
        managed_roles: kinds,
        ..Default::default()
    };
    for r in &plan.roles {
        status.role_arns.insert(r.kind.key().into(), r.arn.clone());
        if let (Some(p), true) = (
            &r.instance_profile,
            r.provisioning == ecsroles_core::model::Provisioning::Create,
        ) {
            status.instance_profile_arns.insert(
                r.kind.key().into(),
                format!(
                    "arn:{}:iam::{}:instance-profile{}{}",
                    plan.partition, plan.account, p.path, p.name
                ),
            );
        }
    }
    status.role_count = plan.roles.len() as u32;
    let msg = format!("{} role(s) in sync with IAM", status.role_count);
    let pp = Some(&prev);
    status.conditions = vec![
        condition(pp, "Ready", true, "Reconciled", &msg, g),
        condition(pp, "Synced", true, "Reconciled", &msg, g),
    ];
    write_status(obj, ctx, status).await?;
    ctx.metrics.reconciled("ok");
    Ok(Action::requeue(jittered(cfg.resync())))
}

/// Roles the other EcsRoleSets of `ns` hold (for `maxRolesPerNamespace`).
async fn roles_elsewhere(ctx: &Context, ns: &str, name: &str) -> Result<usize, Error> {
    let api: Api<EcsRoleSet> = Api::namespaced(ctx.client.clone(), ns);
    let list = api.list(&Default::default()).await?;
    Ok(list
        .items
        .iter()
        .filter(|o| o.name_any() != name)
        .map(|o| {
            o.status
                .as_ref()
                .map(|s| s.managed_roles.len())
                .unwrap_or(0)
        })
        .sum())
}

/// Whether a role of this kind (a status key) can have an instance profile, on any launch type.
fn may_have_profile(kind_key: &str) -> bool {
    use ecsroles_core::{rules::has_instance_profile, LaunchType, RoleKind};
    RoleKind::ALL
        .into_iter()
        .find(|k| k.key() == kind_key)
        .is_some_and(|k| {
            LaunchType::ALL
                .into_iter()
                .any(|l| has_instance_profile(k, l))
        })
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

async fn cleanup(obj: &EcsRoleSet, ctx: &Context) -> Result<Action, Error> {
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

/// What triggers a reconcile: spec changes (generation), finalizers and deletion — not the
/// status writes the controller makes itself (those would loop).
fn trigger_hash(o: &EcsRoleSet) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    o.meta().generation.hash(&mut h);
    o.finalizers().hash(&mut h);
    o.meta()
        .deletion_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
        .hash(&mut h);
    o.annotations().hash(&mut h);
    Some(h.finish())
}

/// The EcsRoleSet APIs this controller watches: one per namespace listed, or all namespaces.
pub(crate) fn watched(ctx: &Context) -> Vec<Api<EcsRoleSet>> {
    let namespaces = ctx.config.namespaces();
    if namespaces.is_empty() {
        return vec![Api::all(ctx.client.clone())];
    }
    namespaces
        .iter()
        .map(|ns| Api::namespaced(ctx.client.clone(), ns))
        .collect()
}

/// Runs the controller until `shutdown` resolves (in-flight reconciles finish first).
pub async fn run(ctx: Arc<Context>, shutdown: impl Future<Output = ()> + Send + Sync + 'static) {
    let apis = watched(&ctx);
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = tx.send(true);
    });
    tokio::spawn(watch_guardrails(ctx.clone()));
    tokio::spawn(crate::sweep::run(ctx.clone(), rx.clone()));
    let runs = apis.into_iter().map(|api| {
        let ctx = ctx.clone();
        let mut rx = rx.clone();
        async move {
            let (reader, writer) = reflector::store();
            let stream = watcher(api, watcher::Config::default())
                .default_backoff()
                .reflect(writer)
                .applied_objects()
                .predicate_filter(trigger_hash, Default::default());
            Controller::for_stream(stream, reader)
                .with_config(
                    kube::runtime::controller::Config::default()
                        .concurrency(ctx.config.concurrency)
                        .debounce(Duration::from_millis(ctx.config.coalesce_millis)),
                )
                .graceful_shutdown_on(async move {
                    let _ = rx.wait_for(|v| *v).await;
                })
                .run(reconcile, error_policy, ctx)
                .for_each(|_| futures::future::ready(()))
                .await;
        }
    });
    futures::future::join_all(runs).await;
}
