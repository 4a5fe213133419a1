//! `ecsroles-controller`: the process. Settings from flags/env ([`Config`]), AWS from the
//! standard chain, Kubernetes from the in-cluster config or `KUBECONFIG`.
//!
//! Exit codes: 0 after a graceful shutdown (SIGTERM/SIGINT), 1 on a runtime failure or lost
//! leadership (Kubernetes restarts the pod), 2 on bad settings.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Parser;
use ecsroles_controller::config::Config;
use ecsroles_controller::controller::{self, Context};
use ecsroles_controller::crd::EcsRoleSet;
use ecsroles_controller::iam::Iam;
use ecsroles_controller::metrics::Metrics;
use ecsroles_controller::server::{self, Health};
use ecsroles_controller::telemetry;
use kube::api::{Api, ListParams};
use tokio::sync::watch;
use tracing::{error, info};

// mimalloc (crates/alloc says why).
#[global_allocator]
static GLOBAL: ecsroles_alloc::Allocator = ecsroles_alloc::Allocator;

async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let term = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    let config = Config::parse();
    if let Err(e) = config.validate() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    if aws.region().is_none() {
        eprintln!("error: no AWS region: set AWS_REGION (IAM is global, but the SDK needs one)");
        return ExitCode::from(2);
    }
    let client = match kube::Client::try_default().await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: no Kubernetes configuration (in-cluster or KUBECONFIG): {e}");
            return ExitCode::from(2);
        }
    };

    let metrics = Arc::new(Metrics::default());
    let ready = Arc::new(AtomicBool::new(false));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        signal().await;
        info!("shutdown requested");
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let health = Health {
        metrics: metrics.clone(),
        ready: ready.clone(),
    };
    let addr = config.http_addr;
    let server = tokio::spawn(server::serve(addr, health, stopped(stop_rx.clone())));

    // Fail fast, with the fix, when the CRD is missing or RBAC forbids reading it.
    // With watchNamespaces the ServiceAccount may only list there.
    let probe: Api<EcsRoleSet> = match config.namespaces().first() {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    if let Err(e) = probe.list(&ListParams::default().limit(1)).await {
        error!(error = %e, "cannot list EcsRoleSets: is the CRD installed and does the ServiceAccount have RBAC for it?");
        return ExitCode::from(1);
    }

    let iam_client = ecsroles_controller::iam::sdk_client(&aws, config.call_timeout());
    let iam = Iam::new(
        iam_client,
        config.iam_calls_per_second,
        metrics.clone(),
        None,
        config.call_timeout(),
    );
    let leader_election = config.leader_election;
    let (lease_name, lease_ns) = (config.lease_name.clone(), config.lease_namespace.clone());
    let lease_seconds = config.lease_seconds;
    let ctx = match Context::new(client.clone(), iam, config, metrics) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("error: guardrails: {e}");
            return ExitCode::from(2);
        }
    };
    ready.store(true, Ordering::Relaxed);
    info!(%addr, "ecsroles-controller started");

    let mut lost_leadership = false;
    if leader_election {
        let identity = std::env::var("POD_NAME")
            .or_else(|_| std::env::var("HOSTNAME"))
            .unwrap_or_else(|_| format!("ecsroles-{}", std::process::id()));
        let manager = match kube_lease_manager::LeaseManagerBuilder::new(client, lease_name)
            .with_namespace(lease_ns)
            .with_identity(identity)
            .with_duration(lease_seconds)
            .with_grace((lease_seconds / 3).max(1))
            .build()
            .await
        {
            Ok(m) => m,
            Err(e) => {
                error!(error = %e, "leader election setup failed");
                return ExitCode::from(1);
            }
        };
        let (mut leading, _task) = manager.watch().await;
        info!("waiting for leadership");
        let mut stop = stop_rx.clone();
        tokio::select! {
            r = leading.wait_for(|l| *l) => if r.is_err() { return ExitCode::from(1) },
            _ = stop.wait_for(|v| *v) => return ExitCode::SUCCESS,
        }
        info!("leading");
        let mut lost = leading.clone();
        let stop = stopped(stop_rx.clone());
        let (done_tx, done_rx) = watch::channel(false);
        let watcher = tokio::spawn(async move {
            tokio::select! {
                _ = lost.wait_for(|l| !*l) => { let _ = done_tx.send(true); true }
                _ = stop => { let _ = done_tx.send(true); false }
            }
        });
        controller::run(ctx, stopped(done_rx)).await;
        lost_leadership = watcher.await.unwrap_or(false);
    } else {
        controller::run(ctx, stopped(stop_rx)).await;
    }
    let _ = server.await;
    if lost_leadership {
        error!("lost leadership; exiting so a fresh process can stand by");
        return ExitCode::from(1);
    }
    info!("stopped");
    ExitCode::SUCCESS
}
