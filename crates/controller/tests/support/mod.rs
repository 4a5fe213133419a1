//! Test fixtures: a real kube-apiserver and a real IAM-compatible server (moto), both started by
//! `scripts/with-k8s.sh`, and the controller run in-process against them — one controller per
//! test, each watching its own namespace.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use ecsroles_controller::config::Config;
use ecsroles_controller::controller::{self, Context};
use ecsroles_controller::crd::{self, EcsRoleSet};
use ecsroles_controller::iam::{FaultHook, Iam};
use ecsroles_controller::metrics::Metrics;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, PostParams};
use kube::Client;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

pub const ACCOUNT: &str = "123456789012";
pub const CLUSTER: &str = "it";

static CRD: OnceCell<()> = OnceCell::const_new();

fn require_env() {
    for v in ["KUBECONFIG", "ECSROLES_TEST_MOTO", "AWS_ENDPOINT_URL_IAM"] {
        assert!(
            std::env::var(v).is_ok(),
            "{v} is not set: run these tests through scripts/with-k8s.sh (`just controller-test`)"
        );
    }
}

pub async fn kube() -> Client {
    require_env();
    let client = Client::try_default().await.expect("kubeconfig");
    CRD.get_or_init(|| async {
        let api: Api<CustomResourceDefinition> = Api::all(client.clone());
        let crd = crd::crd();
        match api.create(&PostParams::default(), &crd).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => panic!("creating the CRD: {e}"),
        }
        wait(Duration::from_secs(30), "CRD established", || {
            let api = api.clone();
            async move {
                let c = api.get("ecsrolesets.ecsroles.dev").await.ok()?;
                c.status?
                    .conditions?
                    .iter()
                    .any(|c| c.type_ == "Established" && c.status == "True")
                    .then_some(())
            }
        })
        .await;
    })
    .await;
    client
}

pub async fn iam_client() -> aws_sdk_iam::Client {
    require_env();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    aws_sdk_iam::Client::new(&conf)
}

/// Polls `f` every 200 ms until it returns `Some`, or panics after `timeout`.
pub async fn wait<T, F, Fut>(timeout: Duration, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = tokio::time::Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn namespace(client: &Client, name: &str) {
    let api: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    match api.create(&PostParams::default(), &ns).await {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => {}
        Err(e) => panic!("namespace {name}: {e}"),
    }
}

/// Who the controller is and what it watches: the flags every test controller shares.
pub fn identity_args(ns: &str) -> [&str; 6] {
    [
        "--cluster-id",
        CLUSTER,
        "--account-id",
        ACCOUNT,
        "--watch-namespaces",
        ns,
    ]
}

pub fn config(ns: &str, resync_seconds: u64) -> Config {
    let resync = resync_seconds.to_string();
    let args = ["ecsroles-controller"]
        .into_iter()
        .chain(identity_args(ns))
        .chain(["--resync-seconds", &resync, "--iam-calls-per-second", "200"]);
    Config::parse_from(args)
}

/// The real binary as replica `id`, watching `ns` and electing its leader through a Lease there.
pub fn controller_process(ns: &str, id: &str, http_addr: &str) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ecsroles-controller"));
    c.args(identity_args(ns))
        .args([
            "--http-addr",
            http_addr,
            "--leader-election",
            "--lease-namespace",
            ns,
        ])
        .env("HOSTNAME", id);
    c
}

/// Someone else's role: no owner tag, trusting `service`; the kind a derived name may collide
/// with. Already existing (a re-run against the same moto) is fine; any other error fails.
pub async fn create_unowned_role(iam: &aws_sdk_iam::Client, name: &str, path: &str, service: &str) {
    use aws_sdk_iam::error::ProvideErrorMetadata;
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]});
    let created = iam
        .create_role()
        .role_name(name)
        .path(path)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await;
    if let Err(e) = created {
        assert_eq!(
            e.code(),
            Some("EntityAlreadyExists"),
            "creating {name}: {e:?}"
        );
    }
}

/// A controller running in this process.
pub struct Running {
    pub metrics: Arc<Metrics>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Graceful stop: in-flight reconciles finish.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(20), &mut self.handle).await;
    }

    /// A crash: the task is dropped wherever it is, mid-call included.
    pub async fn kill(self) {
        self.handle.abort();
        let _ = self.handle.await;
    }
}

pub async fn start(client: &Client, config: Config, hook: Option<FaultHook>) -> Running {
    let metrics = Arc::new(Metrics::default());
    require_env();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let iam = Iam::new(
        ecsroles_controller::iam::sdk_client(&conf, config.call_timeout()),
        config.iam_calls_per_second,
        metrics.clone(),
        hook,
        config.call_timeout(),
    );
    let ctx =
        Arc::new(Context::new(client.clone(), iam, config, metrics.clone()).expect("guardrails"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(controller::run(ctx, async move {
        let _ = rx.await;
    }));
    Running {
        metrics,
        stop: Some(tx),
        handle,
    }
}

pub async fn apply(client: &Client, ns: &str, name: &str, spec: Value) -> EcsRoleSet {
    let api: Api<EcsRoleSet> = Api::namespaced(client.clone(), ns);
    let obj: EcsRoleSet = serde_json::from_value(json!({
        "apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSet",
        "metadata": {"name": name, "namespace": ns}, "spec": spec
    }))
    .expect("valid EcsRoleSet");
    match api.get_opt(name).await.unwrap() {
        None => api.create(&PostParams::default(), &obj).await.unwrap(),
        Some(cur) => {
            let mut next = obj;
            next.metadata.resource_version = cur.metadata.resource_version.clone();
            api.replace(name, &PostParams::default(), &next)
                .await
                .unwrap()
        }
    }
}

pub async fn delete(client: &Client, ns: &str, name: &str) {
    let api: Api<EcsRoleSet> = Api::namespaced(client.clone(), ns);
    api.delete(name, &DeleteParams::default()).await.unwrap();
}

pub async fn gone(client: &Client, ns: &str, name: &str) {
    let api: Api<EcsRoleSet> = Api::namespaced(client.clone(), ns);
    wait(Duration::from_secs(60), "resource deleted", || {
        let api = api.clone();
        async move { api.get_opt(name).await.ok()?.is_none().then_some(()) }
    })
    .await;
}

pub async fn get(client: &Client, ns: &str, name: &str) -> EcsRoleSet {
    Api::<EcsRoleSet>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .unwrap()
}

/// The `Ready` condition's (status, reason), if any.
pub fn ready(o: &EcsRoleSet) -> Option<(String, String, String)> {
    let c = o
        .status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.kind == "Ready")?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

/// Waits until `Ready` has `status` for the current generation; returns the resource.
pub async fn wait_ready(client: &Client, ns: &str, name: &str, status: &str) -> EcsRoleSet {
    wait(
        Duration::from_secs(60),
        &format!("{ns}/{name} Ready={status}"),
        || async {
            let o = get(client, ns, name).await;
            let s = o.status.as_ref()?;
            (s.observed_generation == o.metadata.generation
                && ready(&o).is_some_and(|(st, _, _)| st == status))
            .then_some(o)
        },
    )
    .await
}

/// Roles in IAM whose name starts with `prefix`.
pub async fn roles_with_prefix(iam: &aws_sdk_iam::Client, prefix: &str) -> BTreeSet<String> {
    let out = iam.list_roles().max_items(1000).send().await.unwrap();
    out.roles()
        .iter()
        .map(|r| r.role_name().to_string())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

pub async fn profiles_with_prefix(iam: &aws_sdk_iam::Client, prefix: &str) -> BTreeSet<String> {
    let out = iam
        .list_instance_profiles()
        .max_items(1000)
        .send()
        .await
        .unwrap();
    out.instance_profiles()
        .iter()
        .map(|p| p.instance_profile_name().to_string())
        .filter(|n| n.starts_with(prefix))
        .collect()
}

/// Events in `ns` by reason → notes.
/// Waits (at most 10 s) for an Event with `reason` in `ns`: the controller writes the status
/// first and the Event after, so a test that saw the status must not expect the Event already.
pub async fn wait_event(client: &Client, ns: &str, reason: &str) {
    wait(
        Duration::from_secs(10),
        &format!("a {reason} Event"),
        || async { events(client, ns).await.contains_key(reason).then_some(()) },
    )
    .await
}

pub async fn events(client: &Client, ns: &str) -> BTreeMap<String, Vec<String>> {
    let api: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(client.clone(), ns);
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in api.list(&Default::default()).await.unwrap() {
        out.entry(e.reason.unwrap_or_default())
            .or_default()
            .push(e.note.unwrap_or_default());
    }
    out
}

/// A small Fargate workload in moto's account: ECR image, awslogs, one secret, S3 read.
pub fn fargate_spec(family: &str) -> Value {
    json!({
        "region": "us-east-1",
        "cluster": "prod",
        "launchType": "FARGATE",
        "taskDefinition": {
            "family": family,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [{
                "name": "api",
                "image": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{family}:1"),
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": format!("/ecs/{family}"), "awslogs-region": "us-east-1"}},
                "secrets": [{"name": "DB", "valueFrom": format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{family}/db-AbCdEf")}]
            }]
        },
        "app": {"access": [{"s3": {"bucket": "acme-reports", "prefix": "in/", "access": "read"}}]}
    })
}

/// An EC2 workload whose container instances need the instance role + instance profile.
pub fn ec2_spec(family: &str) -> Value {
    json!({
        "region": "us-east-1",
        "cluster": "prod",
        "launchType": "EC2",
        "taskDefinition": {
            "family": family,
            "networkMode": "bridge",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [{
                "name": "web",
                "image": format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{family}:1"),
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": format!("/ecs/{family}"), "awslogs-region": "us-east-1"}}
            }]
        },
        "roles": {"containerInstance": {"create": true}}
    })
}
