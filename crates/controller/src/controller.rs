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

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecsroles_core::guardrails::Guardrails;
use futures::StreamExt;
use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::finalizer::{finalizer, Event as FinalizerEvent};
use kube::runtime::{reflector, watcher, WatchStreamExt};
use kube::{Resource, ResourceExt};
use tracing::{info, warn};

use crate::cleanup::cleanup;
use crate::config::Config;
use crate::crd::EcsRoleSet;
use crate::iam::{Iam, IamError};
use crate::iam_state::{ActualRole, Owner};
use crate::metrics::Metrics;
use crate::status::{set_deleting, set_unsynced};
use crate::sync::apply;

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
    pub(crate) recorder: Recorder,
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
    pub(crate) async fn snapshot(&self) -> Result<Arc<Snapshot>, Error> {
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

pub(crate) fn key(obj: &EcsRoleSet) -> String {
    format!("{}/{}", obj.namespace().unwrap_or_default(), obj.name_any())
}

pub(crate) fn now() -> String {
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

pub(crate) fn owner(obj: &EcsRoleSet, config: &Config) -> Owner {
    Owner {
        cluster: config.cluster_id.clone(),
        namespace: obj.namespace().unwrap_or_default(),
        name: obj.name_any(),
        uid: obj.uid().unwrap_or_default(),
    }
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
