//! ecsroles-live: what `ecsroles audit --live` reads from AWS, read-only, through the AWS SDK
//! (standard credential chain and region; `AWS_ENDPOINT_URL_IAM` / `_ECS` /
//! `_SECRETS_MANAGER` or `AWS_ENDPOINT_URL` honoured, so it runs against a local server too).
//!
//! - [`Aws::services`]: a cluster's services, each with its task definition **as the API
//!   returned it** (the raw JSON of `DescribeServices` / `DescribeTaskDefinition`, the same
//!   text `aws ecs describe-*` prints), so the core reads them exactly as it reads a file —
//!   no field lost in a conversion from the SDK's types.
//! - [`Aws::secret_keys`]: the customer managed KMS key of each Secrets Manager secret the
//!   plans read (DescribeSecret): the task definition does not say it, the account does.
//! - [`Aws::roles`]: the roles by name as IAM has them (trust, inline and attached managed
//!   policies with their default versions' documents, boundary) → [`Account`], the same
//!   model the offline `--roles FILE` audit reads.
//!
//! Every call is a read (`Describe*`, `List*`, `Get*`); the IAM actions needed are listed in
//! [`READ_ACTIONS`] for the user's policy.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use ecsroles_core::audit::{policy_document, Account, IamRole};
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;

/// The read-only calls the live audit makes (for the auditing principal's policy).
pub const READ_ACTIONS: &[&str] = &[
    "ecs:ListServices",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "secretsmanager:DescribeSecret",
    "iam:GetRole",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
];

/// Requests in flight at once: enough to hide latency, few enough to stay under API rates.
const CONCURRENCY: usize = 8;

/// A failed call: which call, on what, and AWS's message.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn failed<E: std::error::Error>(call: &str, on: &str) -> impl FnOnce(E) -> Error {
    let (call, on) = (call.to_string(), on.to_string());
    move |e| {
        // The SDK's Display is only "service error"; the context chain has AWS's message.
        let mut msg = e.to_string();
        let mut src = e.source();
        while let Some(s) = src {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            src = s.source();
        }
        Error(format!("{call} {on}: {msg}"))
    }
}

/// One service of the cluster, as the API describes it.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    /// The service object of `DescribeServices` (`services[]` member), as returned.
    pub service: Value,
    /// `DescribeTaskDefinition`'s whole output (`{"taskDefinition": …}`), as returned.
    pub task_definition: Value,
}

/// The SDK clients, from the environment.
pub struct Aws {
    iam: aws_sdk_iam::Client,
    ecs: aws_sdk_ecs::Client,
    secrets: aws_sdk_secretsmanager::Client,
}

/// Keeps the body of the response it is attached to: the JSON exactly as the service sent it.
#[derive(Debug, Clone, Default)]
struct RawBody(Arc<Mutex<Option<Vec<u8>>>>);

impl Intercept for RawBody {
    fn name(&self) -> &'static str {
        "ecsroles-raw-body"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Non-streaming responses are read into memory before deserialization.
        if let Some(b) = context.response().body().bytes() {
            *self.0.lock().map_err(|_| "raw body lock poisoned")? = Some(b.to_vec());
        }
        Ok(())
    }
}

impl RawBody {
    fn json(&self, call: &str) -> Result<Value, Error> {
        let bytes = self
            .0
            .lock()
            .ok()
            .and_then(|mut b| b.take())
            .ok_or_else(|| Error(format!("{call}: the response had no body")))?;
        serde_json::from_slice(&bytes).map_err(|e| Error(format!("{call}: not JSON: {e}")))
    }
}

impl Aws {
    /// Clients from the standard chain: credentials, region, endpoint overrides.
    pub async fn from_env() -> Aws {
        let cfg = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Aws {
            iam: aws_sdk_iam::Client::new(&cfg),
            ecs: aws_sdk_ecs::Client::new(&cfg),
            secrets: aws_sdk_secretsmanager::Client::new(&cfg),
        }
    }

    /// The cluster's services (or only `only`), each with its task definition; and what was
    /// left out and why (a service of the EXTERNAL deployment controller names no task
    /// definition: its task sets do).
    pub async fn services(
        &self,
        cluster: &str,
        only: Option<&str>,
    ) -> Result<(Vec<Service>, Vec<String>), Error> {
        let names: Vec<String> = match only {
            Some(s) => vec![s.to_string()],
            None => self
                .ecs
                .list_services()
                .cluster(cluster)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(failed("ecs:ListServices", cluster))?,
        };
        // DescribeServices takes at most 10 services per call.
        let mut described = Vec::new();
        for chunk in names.chunks(10) {
            let raw = RawBody::default();
            let out = self
                .ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(chunk.to_vec()))
                .customize()
                .interceptor(raw.clone())
                .send()
                .await
                .map_err(failed("ecs:DescribeServices", cluster))?;
            if let Some(f) = out.failures().first() {
                return Err(Error(format!(
                    "ecs:DescribeServices {cluster}: {} {}",
                    f.arn().unwrap_or_default(),
                    f.reason().unwrap_or_default()
                )));
            }
            let json = raw.json("ecs:DescribeServices")?;
            described.extend(
                json.get("services")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        // Each distinct task definition once.
        let mut arns: Vec<String> = described
            .iter()
            .filter_map(|s| s.get("taskDefinition")?.as_str().map(str::to_string))
            .collect();
        arns.sort();
        arns.dedup();
        let defs: BTreeMap<String, Value> = futures::stream::iter(arns)
            .map(|arn| async move {
                let raw = RawBody::default();
                self.ecs
                    .describe_task_definition()
                    .task_definition(&arn)
                    .customize()
                    .interceptor(raw.clone())
                    .send()
                    .await
                    .map_err(failed("ecs:DescribeTaskDefinition", &arn))?;
                Ok::<_, Error>((arn, raw.json("ecs:DescribeTaskDefinition")?))
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        let (mut services, mut skipped) = (Vec::new(), Vec::new());
        for s in described {
            let name = s
                .get("serviceName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let td = s.get("taskDefinition").and_then(Value::as_str);
            match td.and_then(|a| defs.get(a)).cloned() {
                Some(task_definition) => services.push(Service {
                    name,
                    service: s,
                    task_definition,
                }),
                None => skipped.push(format!(
                    "service {name} names no task definition (an EXTERNAL deployment controller's task sets do): not audited"
                )),
            }
        }
        Ok((services, skipped))
    }

    /// Each secret's customer managed KMS key (secrets under AWS's own key are left out):
    /// `(id, resource)` pairs in (DescribeSecret's id, the plan's resource); out (resource, key
    /// ARN or id as DescribeSecret gives it). A secret that cannot be described (another
    /// account, no permission) is said in the notes, not fatal.
    pub async fn secret_keys(
        &self,
        secrets: &[(String, String)],
    ) -> (Vec<(String, String)>, Vec<String>) {
        let found: Vec<Result<Option<(String, String)>, Error>> = futures::stream::iter(secrets)
            .map(|(id, resource)| async move {
                let out = self
                    .secrets
                    .describe_secret()
                    .secret_id(id)
                    .send()
                    .await
                    .map_err(failed("secretsmanager:DescribeSecret", id))?;
                Ok(out.kms_key_id().map(|k| (resource.clone(), k.to_string())))
            })
            .buffered(CONCURRENCY)
            .collect()
            .await;
        let (mut keys, mut notes) = (Vec::new(), Vec::new());
        for f in found {
            match f {
                Ok(Some(k)) => keys.push(k),
                Ok(None) => {}
                Err(e) => notes.push(format!(
                    "{e}: its KMS key is not known, so a missing kms:Decrypt for it cannot be found"
                )),
            }
        }
        (keys, notes)
    }

    /// The roles by name as IAM has them; a name IAM does not know is left out (the audit
    /// reports it as not in the account).
    pub async fn roles(&self, names: &[String]) -> Result<Account, Error> {
        let roles: Vec<Option<IamRole>> = futures::stream::iter(names)
            .map(|n| self.role(n))
            .buffered(CONCURRENCY)
            .try_collect()
            .await?;
        let roles: Vec<IamRole> = roles.into_iter().flatten().collect();
        // Attached managed policies and permissions boundaries: both decide.
        let mut arns: Vec<String> = roles
            .iter()
            .flat_map(|r| r.managed.iter().chain(&r.boundary).cloned())
            .collect();
        arns.sort();
        arns.dedup();
        let policies: Vec<(String, Value)> = futures::stream::iter(arns)
            .map(|arn| async move {
                let doc = self.managed_policy(&arn).await?;
                Ok::<_, Error>((arn, doc))
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        Ok(Account {
            roles,
            policies: policies.into_iter().collect(),
        })
    }

    async fn role(&self, name: &str) -> Result<Option<IamRole>, Error> {
        let got = match self.iam.get_role().role_name(name).send().await {
            Ok(o) => o,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_entity_exception()) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(failed("iam:GetRole", name)(e)),
        };
        let Some(role) = got.role() else {
            return Ok(None);
        };
        let trust = policy_document(role.assume_role_policy_document().unwrap_or("{}"))
            .map_err(|e| Error(format!("iam:GetRole {name}: trust policy: {e}")))?;
        let inline_names: Vec<String> = self
            .iam
            .list_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(failed("iam:ListRolePolicies", name))?;
        let mut inline = Vec::new();
        for p in inline_names {
            let out = self
                .iam
                .get_role_policy()
                .role_name(name)
                .policy_name(&p)
                .send()
                .await
                .map_err(failed("iam:GetRolePolicy", name))?;
            let doc = policy_document(out.policy_document())
                .map_err(|e| Error(format!("iam:GetRolePolicy {name} {p}: {e}")))?;
            inline.push((p, doc));
        }
        let managed = self
            .iam
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(failed("iam:ListAttachedRolePolicies", name))?
            .into_iter()
            .filter_map(|p| p.policy_arn().map(str::to_string))
            .collect();
        Ok(Some(IamRole {
            name: role.role_name().to_string(),
            arn: role.arn().to_string(),
            trust,
            inline,
            managed,
            boundary: role
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_string),
        }))
    }

    /// A managed policy's default version's document.
    async fn managed_policy(&self, arn: &str) -> Result<Value, Error> {
        let p = self
            .iam
            .get_policy()
            .policy_arn(arn)
            .send()
            .await
            .map_err(failed("iam:GetPolicy", arn))?;
        let version = p
            .policy()
            .and_then(|p| p.default_version_id())
            .ok_or_else(|| Error(format!("iam:GetPolicy {arn}: no default version")))?;
        let v = self
            .iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map_err(failed("iam:GetPolicyVersion", arn))?;
        let doc = v
            .policy_version()
            .and_then(|v| v.document())
            .unwrap_or("{}");
        policy_document(doc).map_err(|e| Error(format!("iam:GetPolicyVersion {arn}: {e}")))
    }
}
