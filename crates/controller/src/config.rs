//! The controller's settings: flags, each with an environment variable (the Helm chart sets
//! the variables). AWS credentials, region and endpoint are *not* here: they come from the
//! standard AWS chain (IRSA, EKS Pod Identity, `AWS_REGION`, `AWS_ENDPOINT_URL_IAM`…).

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "ecsroles-controller",
    version,
    about = "Reconciles EcsRoleSet resources into IAM roles, policies and instance profiles."
)]
pub struct Config {
    /// Identifies this cluster in the owner tags of every IAM object it creates. Two clusters
    /// sharing an account must use different ids.
    #[arg(long, env = "ECSROLES_CLUSTER_ID")]
    pub cluster_id: String,

    /// AWS account the roles live in (ARNs in the plans and trust conditions).
    #[arg(long, env = "ECSROLES_ACCOUNT_ID")]
    pub account_id: String,

    /// Prepended to every role name (`<prefix><namespace>_<name>-<role>`).
    #[arg(long, env = "ECSROLES_NAME_PREFIX", default_value = "")]
    pub name_prefix: String,

    /// IAM path of every role and instance profile it creates.
    #[arg(long, env = "ECSROLES_ROLE_PATH", default_value = "/ecsroles/")]
    pub role_path: String,

    /// Periodic resync (drift detection) interval, jittered by ±10%.
    #[arg(long, env = "ECSROLES_RESYNC_SECONDS", default_value_t = 300)]
    pub resync_seconds: u64,

    /// Client-side limit on IAM calls per second, across all reconciles.
    #[arg(long, env = "ECSROLES_IAM_RATE", default_value_t = 10.0)]
    pub iam_calls_per_second: f64,

    /// Namespaces to watch (comma-separated); empty: all namespaces.
    #[arg(
        long,
        env = "ECSROLES_WATCH_NAMESPACES",
        value_delimiter = ',',
        default_value = ""
    )]
    pub watch_namespaces: Vec<String>,

    /// Where `/metrics`, `/healthz` and `/readyz` listen.
    #[arg(long, env = "ECSROLES_HTTP_ADDR", default_value = "0.0.0.0:8080")]
    pub http_addr: SocketAddr,

    /// Elect a leader through a Lease (needed with more than one replica).
    #[arg(long, env = "ECSROLES_LEADER_ELECTION", default_value_t = false)]
    pub leader_election: bool,

    /// Namespace of the leader-election Lease (the controller's own namespace).
    #[arg(long, env = "ECSROLES_LEASE_NAMESPACE", default_value = "default")]
    pub lease_namespace: String,

    /// Name of the leader-election Lease.
    #[arg(
        long,
        env = "ECSROLES_LEASE_NAME",
        default_value = "ecsroles-controller"
    )]
    pub lease_name: String,

    /// Guardrail policy file (YAML), re-read when it changes. Absent: the core's default
    /// guardrails (no admin actions, no PassRole without iam:PassedToService, …).
    #[arg(long, env = "ECSROLES_GUARDRAILS_FILE")]
    pub guardrails_file: Option<std::path::PathBuf>,

    /// Lease duration: how long a standby waits after the leader stops renewing.
    #[arg(long, env = "ECSROLES_LEASE_SECONDS", default_value_t = 15)]
    pub lease_seconds: u64,

    /// Maximum concurrent reconciles.
    #[arg(long, env = "ECSROLES_CONCURRENCY", default_value_t = 8)]
    pub concurrency: u16,

    /// Changes to one resource within this many milliseconds are reconciled once, after the
    /// last (0: every change). A set rewritten many times a second costs one reconcile per
    /// pause, not one per edit; the IAM budget is shared fairly between namespaces as well.
    #[arg(long, env = "ECSROLES_COALESCE_MILLIS", default_value_t = 500)]
    pub coalesce_millis: u64,

    /// The longest one IAM call may take before it counts as failed (and is retried with
    /// backoff): a hung endpoint must not hold a reconcile slot, deletes included. A whole
    /// reconcile is bounded at ten times this.
    #[arg(long, env = "ECSROLES_IAM_CALL_TIMEOUT_SECONDS", default_value_t = 20)]
    pub iam_call_timeout_seconds: u64,

    /// How often to delete roles and instance profiles left in IAM by EcsRoleSets that no
    /// longer exist (found by owner tags: a create that landed after its set's cleanup, a
    /// finalizer removed by hand); 0 turns the sweep off. Each pass costs a few bulk reads.
    #[arg(long, env = "ECSROLES_SWEEP_SECONDS", default_value_t = 600)]
    pub sweep_seconds: u64,
}

impl Config {
    pub fn resync(&self) -> Duration {
        Duration::from_secs(self.resync_seconds.max(1))
    }

    /// The platform settings the core's admission applies to every tenant's spec.
    pub fn platform(&self) -> ecsroles_core::admission::Platform {
        ecsroles_core::admission::Platform {
            account: self.account_id.clone(),
            name_prefix: self.name_prefix.clone(),
            role_path: self.role_path.clone(),
        }
    }

    /// See `--sweep-seconds` (`None`: off).
    pub fn sweep(&self) -> Option<Duration> {
        (self.sweep_seconds > 0).then(|| Duration::from_secs(self.sweep_seconds))
    }

    /// See `--iam-call-timeout-seconds`.
    pub fn call_timeout(&self) -> Duration {
        Duration::from_secs(self.iam_call_timeout_seconds.max(1))
    }

    /// A whole reconcile: ten calls' worth, whatever happens to them.
    pub fn reconcile_timeout(&self) -> Duration {
        self.call_timeout() * 10
    }

    /// Namespaces to watch, without empty entries.
    pub fn namespaces(&self) -> Vec<String> {
        self.watch_namespaces
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Rejects settings IAM would reject later, with the flag that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.cluster_id.trim().is_empty() {
            return Err("--cluster-id (ECSROLES_CLUSTER_ID) must not be empty".into());
        }
        if self.cluster_id.len() > 256 {
            return Err("--cluster-id is an IAM tag value: at most 256 characters".into());
        }
        if !ecsroles_core::arn::is_account_id(&self.account_id) {
            return Err(format!(
                "--account-id (ECSROLES_ACCOUNT_ID) must be 12 digits, got {:?}",
                self.account_id
            ));
        }
        if !self
            .name_prefix
            .chars()
            .all(ecsroles_core::names::is_name_char)
            || self.name_prefix.len() > 32
        {
            return Err(format!(
                "--name-prefix {:?}: at most 32 of IAM's name characters [A-Za-z0-9_+=,.@-]",
                self.name_prefix
            ));
        }
        if !(self.role_path.starts_with('/') && self.role_path.ends_with('/'))
            || self.role_path.len() > 512
            || !self.role_path.chars().all(|c| ('!'..='~').contains(&c))
        {
            return Err(format!(
                "--role-path {:?}: must start and end with '/', printable ASCII, at most 512",
                self.role_path
            ));
        }
        if self.lease_seconds < 2 {
            return Err("--lease-seconds must be at least 2".into());
        }
        if self.iam_calls_per_second.is_nan() || self.iam_calls_per_second <= 0.0 {
            return Err("--iam-calls-per-second must be positive".into());
        }
        Ok(())
    }
}
