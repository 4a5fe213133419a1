//! Prometheus metrics (`/metrics`). Counters are also read by the integration tests and the
//! benchmark, so "how many IAM calls did that reconcile make" is measured, not guessed.

use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabels {
    pub result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct IamCallLabels {
    pub operation: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FailureLabels {
    pub reason: String,
}

pub struct Metrics {
    pub reconciles: Family<ResultLabels, Counter>,
    pub failures: Family<FailureLabels, Counter>,
    pub iam_calls: Family<IamCallLabels, Counter>,
    pub drift_corrections: Counter,
    /// IAM objects the orphan sweep deleted (their EcsRoleSet was gone).
    pub orphans_deleted: Counter,
    /// Reconciles running now plus objects waiting out a backoff.
    pub queue_depth: Gauge,
    /// Every IAM call, reads and writes, as plain numbers for tests and benchmarks.
    pub iam_reads: AtomicU64,
    pub iam_writes: AtomicU64,
    registry: Registry,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("ecsroles");
        let m = Metrics {
            reconciles: Family::default(),
            failures: Family::default(),
            iam_calls: Family::default(),
            drift_corrections: Counter::default(),
            orphans_deleted: Counter::default(),
            queue_depth: Gauge::default(),
            iam_reads: AtomicU64::new(0),
            iam_writes: AtomicU64::new(0),
            registry: Registry::default(),
        };
        registry.register(
            "reconciles",
            "Reconciles by result (ok, terminal, error)",
            m.reconciles.clone(),
        );
        registry.register(
            "reconcile_failures",
            "Failed reconciles by reason",
            m.failures.clone(),
        );
        registry.register(
            "iam_calls",
            "IAM API calls by operation and outcome",
            m.iam_calls.clone(),
        );
        registry.register(
            "drift_corrections",
            "Reconciles that found IAM changed out of band and corrected it",
            m.drift_corrections.clone(),
        );
        registry.register(
            "orphans_deleted",
            "IAM roles and instance profiles deleted because the EcsRoleSet that made them no longer exists",
            m.orphans_deleted.clone(),
        );
        registry.register(
            "queue_depth",
            "Reconciles in flight plus objects waiting out a backoff",
            m.queue_depth.clone(),
        );
        Metrics { registry, ..m }
    }
}

impl Metrics {
    pub fn iam_call(&self, operation: &str, write: bool, outcome: &str) {
        self.iam_calls
            .get_or_create(&IamCallLabels {
                operation: operation.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
        let c = if write {
            &self.iam_writes
        } else {
            &self.iam_reads
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn reconciled(&self, result: &str) {
        self.reconciles
            .get_or_create(&ResultLabels {
                result: result.to_string(),
            })
            .inc();
    }

    pub fn failed(&self, reason: &str) {
        self.failures
            .get_or_create(&FailureLabels {
                reason: reason.to_string(),
            })
            .inc();
    }

    pub fn reads(&self) -> u64 {
        self.iam_reads.load(Ordering::Relaxed)
    }

    pub fn writes(&self) -> u64 {
        self.iam_writes.load(Ordering::Relaxed)
    }

    /// Calls of one operation, all outcomes.
    pub fn calls_of(&self, operation: &str) -> u64 {
        ["ok", "error", "not_found"]
            .iter()
            .map(|o| {
                self.iam_calls
                    .get_or_create(&IamCallLabels {
                        operation: operation.to_string(),
                        outcome: o.to_string(),
                    })
                    .get()
            })
            .sum()
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
