//! Test fixtures, in controller-rs's shape: builders for EcsRoleSets and contexts, an in-memory
//! IAM ([`FakeIam`]) behind the real [`Iam`] wrapper (its fault hook, rate limiter and metrics
//! still run), and a scripted API server ([`ApiServer`]) that answers the calls a reconcile
//! makes and records them. With these, reconcile's paths (terminal, create, drift, orphan,
//! adoption, IAM refusals) are unit-tested without servers; the integration suite
//! (`tests/integration.rs`) runs the same paths against a real kube-apiserver and moto.
//!
//! (Test-only and past 500 lines: the fake answers every [`Op`] with IAM's refusals, and the
//! scripted server every call reconcile makes; splitting them would only scatter one fixture.)
//!
//! The fake keeps IAM's rules that ordering bugs would trip over: CreateRole on an existing
//! name fails with `EntityAlreadyExists`, DeleteRole fails with `DeleteConflict` while the role
//! still has policies or sits in a profile, and writes to a missing role fail `NoSuchEntity`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use http::{Request, Response};
use kube::client::Body;
use serde_json::{json, Value};

use crate::config::Config;
use crate::controller::Context;
use crate::crd::EcsRoleSet;
use crate::iam::{Fault, FaultHook, Iam, IamError};
use crate::iam_state::{ActualRole, Op, DEFAULT_MAX_SESSION};
use crate::metrics::Metrics;

/// A role as the fake IAM holds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FakeRole {
    pub path: String,
    pub trust: String,
    pub inline: BTreeMap<String, String>,
    pub managed: BTreeSet<String>,
    pub boundary: Option<String>,
    pub max_session: i64,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FakeProfile {
    pub path: String,
    pub roles: Vec<String>,
    pub tags: BTreeMap<String, String>,
}

/// In-memory IAM: roles, instance profiles and a journal of every write (`"CreateRole name"`).
#[derive(Debug, Default)]
pub struct FakeIam {
    pub roles: Mutex<BTreeMap<String, FakeRole>>,
    pub profiles: Mutex<BTreeMap<String, FakeProfile>>,
    pub writes: Mutex<Vec<String>>,
    /// Read calls answered (GetRole, bulk reads, profile reads…).
    pub reads: std::sync::atomic::AtomicUsize,
}

fn err(operation: &'static str, code: &str, message: String) -> IamError {
    IamError {
        operation,
        code: code.into(),
        message,
        retryable: false,
    }
}

impl FakeIam {
    pub fn role(&self, name: &str) -> Option<FakeRole> {
        self.roles.lock().unwrap().get(name).cloned()
    }
    pub fn profile(&self, name: &str) -> Option<FakeProfile> {
        self.profiles.lock().unwrap().get(name).cloned()
    }
    pub fn writes(&self) -> Vec<String> {
        self.writes.lock().unwrap().clone()
    }
    pub fn put_role(&self, name: &str, role: FakeRole) {
        self.roles.lock().unwrap().insert(name.into(), role);
    }

    fn count_read(&self) {
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    pub fn read_count(&self) -> usize {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn read_role(
        &self,
        name: &str,
        profile: Option<&str>,
        documents: bool,
    ) -> ActualRole {
        self.count_read();
        let mut a = ActualRole::default();
        if let Some(r) = self.role(name) {
            a.exists = true;
            a.path = r.path;
            a.trust = r.trust;
            a.inline = r
                .inline
                .into_iter()
                .map(|(k, v)| (k, if documents { v } else { String::new() }))
                .collect();
            a.managed = r.managed;
            a.boundary = r.boundary;
            a.max_session = r.max_session;
            a.tags = r.tags;
        }
        if let Some(p) = profile {
            self.read_profile(p, &mut a);
        }
        a
    }

    pub(crate) fn read_profile(&self, name: &str, a: &mut ActualRole) {
        self.count_read();
        if let Some(p) = self.profile(name) {
            a.instance_profile = Some((name.to_string(), p.roles));
            a.profile_tags = p.tags;
        }
    }

    pub(crate) fn snapshot(&self, path: &str) -> HashMap<String, ActualRole> {
        self.count_read();
        let names: Vec<String> = self
            .roles
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, r)| r.path.starts_with(path))
            .map(|(n, _)| n.clone())
            .collect();
        names
            .into_iter()
            .map(|n| {
                let mut a = self.read_role(&n, None, true);
                // The bulk read sees a role's profiles (no tags), as GetAccountAuthorizationDetails does.
                if let Some(p) = self.profiles_for_role(&n).first() {
                    let roles = self.profile(p).map(|p| p.roles).unwrap_or_default();
                    a.instance_profile = Some((p.clone(), roles));
                }
                (n, a)
            })
            .collect()
    }

    pub(crate) fn role_tags(&self, name: &str) -> Option<BTreeMap<String, String>> {
        self.count_read();
        self.role(name).map(|r| r.tags)
    }

    pub(crate) fn instance_profiles(&self, path: &str) -> Vec<(String, usize)> {
        self.count_read();
        self.profiles
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, p)| p.path.starts_with(path))
            .map(|(n, p)| (n.clone(), p.roles.len()))
            .collect()
    }

    pub(crate) fn profiles_for_role(&self, role: &str) -> Vec<String> {
        self.count_read();
        self.profiles
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, p)| p.roles.iter().any(|r| r == role))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// One write, with IAM's refusals.
    pub(crate) fn apply(&self, op: &Op) -> Result<(), IamError> {
        let o = op.name();
        let mut roles = self.roles.lock().unwrap();
        let mut profiles = self.profiles.lock().unwrap();
        let missing = |what: &str| err(o, "NoSuchEntity", format!("{what} cannot be found"));
        macro_rules! role {
            ($name:expr) => {
                roles
                    .get_mut($name.as_str())
                    .ok_or_else(|| missing($name))?
            };
        }
        match op {
            Op::CreateRole {
                name,
                path,
                trust,
                boundary,
                max_session,
                tags,
            } => {
                if roles.contains_key(name) {
                    return Err(err(
                        o,
                        "EntityAlreadyExists",
                        format!("Role with name {name} already exists."),
                    ));
                }
                roles.insert(
                    name.clone(),
                    FakeRole {
                        path: path.clone(),
                        trust: trust.to_string(),
                        boundary: boundary.clone(),
                        max_session: *max_session,
                        tags: tags.clone(),
                        ..Default::default()
                    },
                );
            }
            Op::UpdateAssumeRolePolicy { role, trust } => role!(role).trust = trust.to_string(),
            Op::PutRolePermissionsBoundary { role, boundary } => {
                role!(role).boundary = Some(boundary.clone())
            }
            Op::DeleteRolePermissionsBoundary { role } => role!(role).boundary = None,
            Op::UpdateRole { role, max_session } => role!(role).max_session = *max_session,
            Op::TagRole { role, tags } => role!(role).tags.extend(tags.clone()),
            Op::UntagRole { role, keys } => keys.iter().for_each(|k| {
                if let Some(r) = roles.get_mut(role) {
                    r.tags.remove(k);
                }
            }),
            Op::PutRolePolicy {
                role,
                name,
                document,
            } => {
                role!(role)
                    .inline
                    .insert(name.clone(), document.to_string());
            }
            Op::AttachRolePolicy { role, arn } => {
                role!(role).managed.insert(arn.clone());
            }
            Op::DetachRolePolicy { role, arn } => {
                if !role!(role).managed.remove(arn) {
                    return Err(missing(arn));
                }
            }
            Op::DeleteRolePolicy { role, name } => {
                if role!(role).inline.remove(name).is_none() {
                    return Err(missing(name));
                }
            }
            Op::CreateInstanceProfile { name, path, tags } => {
                if profiles.contains_key(name) {
                    return Err(err(
                        o,
                        "EntityAlreadyExists",
                        format!("Instance Profile {name} already exists."),
                    ));
                }
                profiles.insert(
                    name.clone(),
                    FakeProfile {
                        path: path.clone(),
                        roles: vec![],
                        tags: tags.clone(),
                    },
                );
            }
            Op::AddRoleToInstanceProfile { profile, role } => {
                if !roles.contains_key(role) {
                    return Err(missing(role));
                }
                let p = profiles.get_mut(profile).ok_or_else(|| missing(profile))?;
                if !p.roles.is_empty() {
                    return Err(err(
                        o,
                        "LimitExceeded",
                        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1".into(),
                    ));
                }
                p.roles.push(role.clone());
            }
            Op::RemoveRoleFromInstanceProfile { profile, role } => {
                let p = profiles.get_mut(profile).ok_or_else(|| missing(profile))?;
                let before = p.roles.len();
                p.roles.retain(|r| r != role);
                if p.roles.len() == before {
                    return Err(missing(role));
                }
            }
            Op::DeleteInstanceProfile { name } => {
                let p = profiles.get(name).ok_or_else(|| missing(name))?;
                if !p.roles.is_empty() {
                    return Err(err(
                        o,
                        "DeleteConflict",
                        "Cannot delete entity, must remove roles from instance profile first."
                            .into(),
                    ));
                }
                profiles.remove(name);
            }
            Op::DeleteRole { role } => {
                let r = roles.get(role).ok_or_else(|| missing(role))?;
                if !r.inline.is_empty()
                    || !r.managed.is_empty()
                    || profiles.values().any(|p| p.roles.contains(role))
                {
                    return Err(err(
                        o,
                        "DeleteConflict",
                        "Cannot delete entity, must delete policies / remove from profiles first."
                            .into(),
                    ));
                }
                roles.remove(role);
            }
        }
        let target = match op {
            Op::CreateRole { name, .. }
            | Op::CreateInstanceProfile { name, .. }
            | Op::DeleteInstanceProfile { name } => name,
            Op::AddRoleToInstanceProfile { profile, .. }
            | Op::RemoveRoleFromInstanceProfile { profile, .. } => profile,
            Op::UpdateAssumeRolePolicy { role, .. }
            | Op::PutRolePermissionsBoundary { role, .. }
            | Op::DeleteRolePermissionsBoundary { role }
            | Op::UpdateRole { role, .. }
            | Op::TagRole { role, .. }
            | Op::UntagRole { role, .. }
            | Op::PutRolePolicy { role, .. }
            | Op::AttachRolePolicy { role, .. }
            | Op::DetachRolePolicy { role, .. }
            | Op::DeleteRolePolicy { role, .. }
            | Op::DeleteRole { role } => role,
        };
        self.writes.lock().unwrap().push(format!("{o} {target}"));
        Ok(())
    }
}

/// A role as the controller would have made it for `owner` tags (for drift and adoption tests).
pub fn role_with_tags(path: &str, tags: BTreeMap<String, String>) -> FakeRole {
    FakeRole {
        path: path.into(),
        trust: r#"{"Version":"2012-10-17","Statement":[]}"#.into(),
        max_session: DEFAULT_MAX_SESSION,
        tags,
        ..Default::default()
    }
}

/// One request the API server received.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub body: Value,
}

/// The scripted API server: answers what reconcile sends (status and finalizer patches, Events,
/// lists of EcsRoleSets) from `objects`, records every call, and answers 404 to anything else —
/// so an unexpected call shows up as a failed reconcile, not as a silent success.
#[derive(Clone, Default)]
pub struct ApiServer {
    pub calls: Arc<Mutex<Vec<Call>>>,
    /// The EcsRoleSets the server holds (lists return them; status patches apply to them).
    pub objects: Arc<Mutex<Vec<Value>>>,
    statuses: Arc<Mutex<Vec<Value>>>,
}

/// JSON merge patch (RFC 7386), as the API server applies `Patch::Merge`.
fn merge(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            for (k, v) in p {
                if v.is_null() {
                    target.as_object_mut().map(|t| t.remove(k));
                } else {
                    merge(&mut target[k], v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

impl ApiServer {
    /// A kube client whose every request this server answers.
    pub fn client(&self) -> kube::Client {
        let (mock, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let me = self.clone();
        tokio::spawn(async move {
            while let Some((request, send)) = handle.next_request().await {
                let method = request.method().to_string();
                let path = request.uri().path().to_string();
                let bytes = request
                    .into_body()
                    .collect_bytes()
                    .await
                    .unwrap_or_default();
                let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                let (status, answer) = me.answer(&method, &path, &body);
                me.calls.lock().unwrap().push(Call { method, path, body });
                send.send_response(
                    Response::builder()
                        .status(status)
                        .body(Body::from(serde_json::to_vec(&answer).unwrap_or_default()))
                        .unwrap(),
                );
            }
        });
        kube::Client::new(mock, "default")
    }

    fn answer(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let mut objects = self.objects.lock().unwrap();
        let find = |name: &str| {
            objects
                .iter()
                .find(|o| o["metadata"]["name"] == name)
                .cloned()
        };
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method, parts.as_slice()) {
            ("GET", ["apis", "ecsroles.dev", "v1alpha1", rest @ ..])
                if rest.last() == Some(&"ecsrolesets") =>
            {
                // Namespaced (`namespaces/{ns}/ecsrolesets`) or cluster-wide.
                let ns = rest.get(1).copied();
                let items: Vec<Value> = objects
                    .iter()
                    .filter(|o| ns.is_none_or(|ns| o["metadata"]["namespace"] == ns))
                    .cloned()
                    .collect();
                (
                    200,
                    json!({"apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSetList", "metadata": {}, "items": items}),
                )
            }
            (
                "PATCH",
                ["apis", "ecsroles.dev", "v1alpha1", "namespaces", _, "ecsrolesets", name, "status"],
            ) => {
                // JSON patch `add /status` replaces it; a merge patch merges into it.
                let Some(o) = objects.iter_mut().find(|o| o["metadata"]["name"] == *name) else {
                    return (404, Value::Null);
                };
                match body {
                    Value::Array(ops) => {
                        for op in ops.iter().filter(|op| op["path"] == "/status") {
                            o["status"] = op["value"].clone();
                        }
                    }
                    Value::Object(m) => {
                        merge(&mut o["status"], m.get("status").unwrap_or(&Value::Null))
                    }
                    _ => {}
                }
                self.statuses.lock().unwrap().push(o["status"].clone());
                (200, o.clone())
            }
            (
                "PATCH",
                ["apis", "ecsroles.dev", "v1alpha1", "namespaces", _, "ecsrolesets", name],
            ) => (200, find(name).unwrap_or(Value::Null)),
            ("POST", ["apis", "events.k8s.io", "v1", "namespaces", _, "events"]) => {
                (201, body.clone())
            }
            _ => (
                404,
                json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}),
            ),
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// The statuses reconcile wrote, in order.
    /// The object's status after each status write, in order.
    pub fn statuses(&self) -> Vec<Value> {
        self.statuses.lock().unwrap().clone()
    }

    /// `(type, reason)` of every Event reconcile published.
    pub fn events(&self) -> Vec<(String, String)> {
        self.calls()
            .into_iter()
            .filter(|c| c.path.ends_with("/events"))
            .map(|c| {
                (
                    c.body["type"].as_str().unwrap_or("").into(),
                    c.body["reason"].as_str().unwrap_or("").into(),
                )
            })
            .collect()
    }
}

/// An EcsRoleSet as the API server would hand it over: namespace, name, uid, generation and
/// the controller's finalizer already on it (so reconcile goes straight to apply).
pub struct SetBuilder {
    value: Value,
}

pub fn role_set(ns: &str, name: &str, spec: Value) -> SetBuilder {
    SetBuilder {
        value: json!({
            "apiVersion": "ecsroles.dev/v1alpha1",
            "kind": "EcsRoleSet",
            "metadata": {
                "name": name, "namespace": ns, "uid": format!("uid-{ns}-{name}"), "generation": 1,
                "finalizers": [crate::controller::FINALIZER],
            },
            "spec": spec,
        }),
    }
}

impl SetBuilder {
    pub fn generation(mut self, g: i64) -> Self {
        self.value["metadata"]["generation"] = g.into();
        self
    }
    pub fn annotate(mut self, k: &str, v: &str) -> Self {
        self.value["metadata"]["annotations"][k] = v.into();
        self
    }
    pub fn status(mut self, status: Value) -> Self {
        self.value["status"] = status;
        self
    }
    pub fn deleting(mut self) -> Self {
        self.value["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z".into();
        self
    }
    pub fn json(&self) -> Value {
        self.value.clone()
    }
    pub fn build(self) -> Arc<EcsRoleSet> {
        Arc::new(serde_json::from_value(self.value).expect("a valid EcsRoleSet"))
    }
}

/// A small Fargate workload: an execution role (ECR pull, logs, one secret) and a task role
/// (one S3 prefix), as tenants write it (the platform supplies account and names).
pub fn fargate_spec(family: &str) -> Value {
    json!({
        "region": "eu-west-1",
        "cluster": "prod",
        "launchType": "FARGATE",
        "taskDefinition": {
            "family": family,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [{
                "name": "app",
                "image": format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/{family}:1"),
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": format!("/ecs/{family}"), "awslogs-region": "eu-west-1"}},
                "secrets": [{"name": "DB", "valueFrom": format!("arn:aws:secretsmanager:eu-west-1:123456789012:secret:{family}/db-AbCdEf")}]
            }]
        },
        "app": {"access": [{"s3": {"bucket": "shop-assets", "prefix": "in/", "access": "read"}}]}
    })
}

/// The platform settings of the tests' controller, and guardrails (YAML) when given.
pub fn config(guardrails_yaml: Option<&str>) -> Config {
    use clap::Parser;
    let mut args = vec![
        "ecsroles-controller".to_string(),
        "--cluster-id=unit".into(),
        "--account-id=123456789012".into(),
    ];
    if let Some(yaml) = guardrails_yaml {
        let path =
            std::env::temp_dir().join(format!("ecsroles-guardrails-{}.yaml", fastrand::u64(..)));
        std::fs::write(&path, yaml).expect("temp guardrails file");
        args.push(format!("--guardrails-file={}", path.display()));
    }
    Config::parse_from(args)
}

/// A context on the fake IAM and the scripted API server; `hook` injects IAM faults.
pub fn context(
    api: &ApiServer,
    iam: &Arc<FakeIam>,
    config: Config,
    hook: Option<FaultHook>,
) -> Arc<Context> {
    let metrics = Arc::new(Metrics::default());
    let iam = Iam::fake(iam.clone(), metrics.clone(), hook);
    Arc::new(Context::new(api.client(), iam, config, metrics).expect("context"))
}

/// A hook failing the named IAM operation with `code` every time.
pub fn fail(operation: &'static str, code: &'static str) -> FaultHook {
    Arc::new(move |op| (op == operation).then(|| Fault::Fail(code.into())))
}
