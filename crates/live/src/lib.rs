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
//! - [`Aws::instance_roles`]: the roles of a cluster's EC2 container instances (their EC2
//!   instance profiles), so the container-instance role audited is the one the instances have.
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
    "ecs:ListContainerInstances",
    "ecs:DescribeContainerInstances",
    "ec2:DescribeInstances",
    "iam:GetInstanceProfile",
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
    cfg: aws_config::SdkConfig,
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
            cfg,
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

    /// The IAM roles of the cluster's EC2 container instances, each with the instances that
    /// have it and their capacity providers: ListContainerInstances → DescribeContainerInstances
    /// (EC2 instance ids) → EC2 DescribeInstances (instance profiles) → IAM GetInstanceProfile
    /// (the role). ECS Anywhere instances (`mi-…`), instances without a profile, a profile
    /// that no longer exists and instances EC2 does not return are said in the notes.
    pub async fn instance_roles(
        &self,
        cluster: &str,
    ) -> Result<(Vec<InstanceRole>, Vec<String>), Error> {
        let arns: Vec<String> = self
            .ecs
            .list_container_instances()
            .cluster(cluster)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(failed("ecs:ListContainerInstances", cluster))?;
        let mut notes = Vec::new();
        // EC2 instance id → its capacity provider ("" for none).
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        // DescribeContainerInstances takes at most 100 per call.
        for chunk in arns.chunks(100) {
            let out = self
                .ecs
                .describe_container_instances()
                .cluster(cluster)
                .set_container_instances(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(failed("ecs:DescribeContainerInstances", cluster))?;
            for f in out.failures() {
                notes.push(format!(
                    "ecs:DescribeContainerInstances {}: {}: not audited",
                    f.arn().unwrap_or_default(),
                    f.reason().unwrap_or_default()
                ));
            }
            for c in out.container_instances() {
                if let Some(id) = c.ec2_instance_id() {
                    let cp = c.capacity_provider_name().unwrap_or_default();
                    ids.insert(id.to_string(), cp.to_string());
                }
            }
        }
        let (ec2, anywhere): (Vec<&String>, Vec<&String>) =
            ids.keys().partition(|i| i.starts_with("i-"));
        if !anywhere.is_empty() {
            notes.push(format!("{} ECS Anywhere instance(s) of cluster {cluster} ({}): their role comes from their Systems Manager activation, which this audit does not read", anywhere.len(), listed(&anywhere)));
        }
        let ec2: Vec<String> = ec2.into_iter().cloned().collect();
        let mut by_profile: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if !ec2.is_empty() {
            let creds = self.credentials().await?;
            for chunk in ec2.chunks(100) {
                let found = self.ec2_instance_profiles(&creds, chunk).await?;
                let absent: Vec<&String> = chunk
                    .iter()
                    .filter(|id| !found.iter().any(|(f, _)| f == *id))
                    .collect();
                if !absent.is_empty() {
                    notes.push(format!(
                        "EC2 did not describe instance(s) {} of cluster {cluster}: not audited",
                        listed(&absent)
                    ));
                }
                for (id, profile) in found {
                    match profile {
                        Some(p) => by_profile.entry(p).or_default().push(id),
                        None => notes.push(format!(
                            "EC2 instance {id} of cluster {cluster} has no instance profile: its ECS agent has no credentials"
                        )),
                    }
                }
            }
        }
        let mut roles: Vec<InstanceRole> = Vec::new();
        for (profile, instances) in by_profile {
            // The profile's name is its ARN's last part (after any path).
            let name = profile.rsplit('/').next().unwrap_or_default();
            let out = match self
                .iam
                .get_instance_profile()
                .instance_profile_name(name)
                .send()
                .await
            {
                Ok(o) => o,
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_no_such_entity_exception()) =>
                {
                    notes.push(format!("instance profile {name} of EC2 instance(s) {} no longer exists: not audited", listed(&instances)));
                    continue;
                }
                Err(e) => return Err(failed("iam:GetInstanceProfile", name)(e)),
            };
            let role = out
                .instance_profile()
                .and_then(|p| p.roles().first())
                .map(|r| r.arn().to_string());
            let providers = |instances: &[String]| -> Vec<String> {
                let mut cps: Vec<String> = instances
                    .iter()
                    .filter_map(|i| ids.get(i).cloned())
                    .collect();
                cps.sort();
                cps.dedup();
                cps
            };
            match role {
                Some(arn) => match roles.iter_mut().find(|r| r.role_arn == arn) {
                    Some(r) => {
                        r.instances.extend(instances);
                        r.capacity_providers = providers(&r.instances);
                    }
                    None => roles.push(InstanceRole {
                        role_arn: arn,
                        capacity_providers: providers(&instances),
                        instances,
                    }),
                },
                None => notes.push(format!(
                    "instance profile {name} (EC2 instances {}) holds no role: their ECS agents have no credentials",
                    listed(&instances)
                )),
            }
        }
        Ok((roles, notes))
    }

    /// The credentials of the standard chain, resolved once for the hand-made calls.
    async fn credentials(&self) -> Result<aws_credential_types::Credentials, Error> {
        use aws_credential_types::provider::ProvideCredentials;
        self.cfg
            .credentials_provider()
            .ok_or_else(|| Error("no AWS credentials in the environment".into()))?
            .provide_credentials()
            .await
            .map_err(failed("credentials", "the standard chain"))
    }

    /// EC2 DescribeInstances for `ids`: each instance's profile ARN. A Query-protocol call
    /// signed with SigV4 by the SDK's signer and sent by its HTTP client (see Cargo.toml), with
    /// timeouts, and retried like the SDK's clients retry (throttling and 5xx, with backoff).
    async fn ec2_instance_profiles(
        &self,
        creds: &aws_credential_types::Credentials,
        ids: &[String],
    ) -> Result<Vec<(String, Option<String>)>, Error> {
        use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
        const CALL: &str = "ec2:DescribeInstances";
        let region = self
            .cfg
            .region()
            .map(|r| r.to_string())
            .ok_or_else(|| Error(format!("{CALL}: no region (set AWS_REGION)")))?;
        let ignore = std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_ok_and(|v| v.eq_ignore_ascii_case("true"));
        let endpoint = ec2_endpoint(
            std::env::var("AWS_ENDPOINT_URL_EC2")
                .ok()
                .filter(|_| !ignore)
                .as_deref(),
            self.cfg.endpoint_url().filter(|_| !ignore),
            &region,
            self.cfg.use_fips().unwrap_or(false),
        );
        let body = describe_instances_body(ids);
        let identity = creds.clone().into();
        let settings = HttpConnectorSettings::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .read_timeout(std::time::Duration::from_secs(30))
            .build();
        let sleep = self.cfg.sleep_impl();
        let connector = aws_smithy_http_client::default_connector(&settings, sleep.clone())
            .ok_or_else(|| Error(format!("{CALL}: no HTTPS client")))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let headers = sign_ec2(
                &body,
                &endpoint,
                &region,
                &identity,
                std::time::SystemTime::now(),
            )?;
            let mut request = aws_smithy_runtime_api::http::Request::new(
                aws_smithy_types::body::SdkBody::from(body.clone()),
            );
            request
                .set_method("POST")
                .map_err(failed(CALL, &endpoint))?;
            request
                .set_uri(endpoint.as_str())
                .map_err(failed(CALL, &endpoint))?;
            for (name, value) in headers {
                request.headers_mut().insert(name, value);
            }
            let sent = connector.call(request).await;
            let (status, xml) = match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let bytes =
                        aws_smithy_types::byte_stream::ByteStream::new(response.into_body())
                            .collect()
                            .await
                            .map_err(failed(CALL, &endpoint))?
                            .into_bytes();
                    (status, String::from_utf8_lossy(&bytes).into_owned())
                }
                Err(e) if attempt < 3 && (e.is_timeout() || e.is_io()) => {
                    backoff(sleep.as_ref(), attempt).await;
                    continue;
                }
                Err(e) => return Err(failed(CALL, &endpoint)(e)),
            };
            if status == 200 {
                return instance_profiles(&xml).map_err(|e| Error(format!("{CALL}: {e}")));
            }
            let code = xml_text(&xml, "Code").unwrap_or_default();
            let retry = status >= 500
                || matches!(
                    code.as_str(),
                    "RequestLimitExceeded" | "Throttling" | "ThrottlingException"
                );
            if retry && attempt < 3 {
                backoff(sleep.as_ref(), attempt).await;
                continue;
            }
            return Err(Error(format!(
                "{CALL} ({} instance(s)): HTTP {status} {code}: {}",
                ids.len(),
                xml_text(&xml, "Message").unwrap_or_else(|| xml.chars().take(300).collect())
            )));
        }
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

/// A role the cluster's EC2 container instances have, which instances have it, and their
/// capacity providers (`""` for instances registered without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRole {
    pub role_arn: String,
    pub instances: Vec<String>,
    pub capacity_providers: Vec<String>,
}

/// At most ten ids, then how many more: notes stay readable for large clusters.
pub fn listed<S: AsRef<str>>(ids: &[S]) -> String {
    let shown: Vec<&str> = ids.iter().take(10).map(AsRef::as_ref).collect();
    match ids.len() {
        n if n > 10 => format!("{} and {} more", shown.join(", "), n - 10),
        _ => shown.join(", "),
    }
}

/// Waits before retry `attempt` (1, 2, …): 200 ms, 400 ms, … as the SDK's standard retries.
async fn backoff(sleep: Option<&aws_smithy_async::rt::sleep::SharedAsyncSleep>, attempt: u32) {
    if let Some(s) = sleep {
        use aws_smithy_async::rt::sleep::AsyncSleep;
        s.sleep(std::time::Duration::from_millis(200 << attempt.min(4)))
            .await;
    }
}

/// The DescribeInstances Query body for `ids`.
fn describe_instances_body(ids: &[String]) -> String {
    let mut body = String::from("Action=DescribeInstances&Version=2016-11-15");
    for (i, id) in ids.iter().enumerate() {
        // Instance ids are [a-z0-9-]: nothing to encode.
        body.push_str(&format!("&InstanceId.{}={id}", i + 1));
    }
    body
}

/// The headers of an EC2 Query POST of `body` to `endpoint`, signed with SigV4 (the SDK's
/// signer) at `time`: the content type, then the signer's (`x-amz-date`, the session token,
/// `authorization`). A known-answer test checks them against botocore's signer.
fn sign_ec2(
    body: &str,
    endpoint: &str,
    region: &str,
    identity: &aws_smithy_runtime_api::client::identity::Identity,
    time: std::time::SystemTime,
) -> Result<Vec<(String, String)>, Error> {
    const CALL: &str = "ec2:DescribeInstances";
    const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(identity)
        .region(region)
        .name("ec2")
        .time(time)
        .settings(aws_sigv4::http_request::SigningSettings::default())
        .build()
        .map_err(failed(CALL, "signing"))?
        .into();
    let headers = [("content-type", FORM)];
    let signable = aws_sigv4::http_request::SignableRequest::new(
        "POST",
        endpoint,
        headers.iter().copied(),
        aws_sigv4::http_request::SignableBody::Bytes(body.as_bytes()),
    )
    .map_err(failed(CALL, endpoint))?;
    let (signed, _) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(failed(CALL, "signing"))?
        .into_parts();
    Ok(headers
        .iter()
        .copied()
        .chain(signed.headers())
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect())
}

/// EC2's endpoint: `AWS_ENDPOINT_URL_EC2`, else the configured `AWS_ENDPOINT_URL`, else the
/// Region's (`ec2.<region>.amazonaws.com`, `.com.cn` in the China Regions; `ec2-fips.` with
/// `AWS_USE_FIPS_ENDPOINT`). Not covered: dual-stack and the ISO partitions' hostnames.
fn ec2_endpoint(service: Option<&str>, any: Option<&str>, region: &str, fips: bool) -> String {
    let host = if fips { "ec2-fips" } else { "ec2" };
    match service.or(any) {
        Some(url) => format!("{}/", url.trim_end_matches('/')),
        None if region.starts_with("cn-") => format!("https://{host}.{region}.amazonaws.com.cn/"),
        None => format!("https://{host}.{region}.amazonaws.com/"),
    }
}

/// The first `<tag>` text of an XML document (EC2's error `Message`).
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let mut inside = false;
    for t in xmlparser::Tokenizer::from(xml) {
        match t.ok()? {
            xmlparser::Token::ElementStart { local, .. } => inside = local.as_str() == tag,
            xmlparser::Token::Text { text } if inside => return Some(text.as_str().to_string()),
            _ => {}
        }
    }
    None
}

/// (instance id, instance profile ARN) of each instance in a DescribeInstances response:
/// `reservationSet/item/instancesSet/item/{instanceId, iamInstanceProfile/arn}` in any order,
/// read by path so ids nested elsewhere (network interface attachments) are not taken.
fn instance_profiles(xml: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let ends = |path: &[String], tail: &[&str]| {
        path.len() >= tail.len()
            && path[path.len() - tail.len()..]
                .iter()
                .zip(tail)
                .all(|(a, b)| a == b)
    };
    let mut path: Vec<String> = Vec::new();
    let mut open: Option<String> = None;
    let mut found: Vec<(Option<String>, Option<String>)> = Vec::new();
    for t in xmlparser::Tokenizer::from(xml) {
        let t = t.map_err(|e| format!("the response is not XML: {e}"))?;
        match t {
            xmlparser::Token::ElementStart { local, .. } => open = Some(local.as_str().to_string()),
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {
                    path.extend(open.take());
                    if ends(&path, &["instancesSet", "item"]) {
                        found.push((None, None));
                    }
                }
                xmlparser::ElementEnd::Empty => open = None,
                xmlparser::ElementEnd::Close(..) => {
                    path.pop();
                }
            },
            xmlparser::Token::Text { text } => {
                let (text, last) = (text.as_str().trim().to_string(), found.last_mut());
                match last {
                    Some(l) if ends(&path, &["instancesSet", "item", "instanceId"]) => {
                        l.0 = Some(text)
                    }
                    Some(l)
                        if ends(
                            &path,
                            &["instancesSet", "item", "iamInstanceProfile", "arn"],
                        ) =>
                    {
                        l.1 = Some(text)
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if !path.is_empty() || open.is_some() {
        return Err("the response is cut off (an element is not closed)".into());
    }
    Ok(found
        .into_iter()
        .filter_map(|(id, arn)| Some((id?, arn)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-built DescribeInstances request, signed, against botocore's SigV4 signer on the
    /// same request (botocore 1.44.8, `SigV4Auth(Credentials("AKIDEXAMPLE",
    /// "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example"), "ec2",
    /// "us-east-1").add_auth(...)` with the clock at 2026-12-04T03:00:00Z): moto does not check
    /// signatures, so this is what stands between a canonicalisation slip and AWS's
    /// SignatureDoesNotMatch.
    #[test]
    fn describe_instances_is_signed_as_botocore_signs_it() {
        let body = describe_instances_body(&[
            "i-0123456789abcdef0".to_string(),
            "i-0fedcba9876543210".to_string(),
        ]);
        assert_eq!(body, "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0123456789abcdef0&InstanceId.2=i-0fedcba9876543210");
        let creds = aws_credential_types::Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("session-token-example".into()),
            None,
            "test",
        );
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_353_200);
        let headers = sign_ec2(
            &body,
            "https://ec2.us-east-1.amazonaws.com/",
            "us-east-1",
            &creds.into(),
            time,
        )
        .unwrap();
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("x-amz-date"), Some("20261204T030000Z"));
        assert_eq!(get("x-amz-security-token"), Some("session-token-example"));
        assert_eq!(
            get("authorization"),
            Some("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=0fb29134a99e2ad35e22de6c61fbcc133e6a033c454777ad4d7214febedeb4a3")
        );
    }

    /// EC2's DescribeInstances response as its API reference shows it (trimmed to what is
    /// read, plus a network interface whose attachment also names an instance, and the
    /// profile before the id, as moto writes it: element order is not fixed).
    const RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
  <reservationSet>
    <item>
      <reservationId>r-1234567890abcdef0</reservationId>
      <ownerId>123456789012</ownerId>
      <instancesSet>
        <item>
          <instanceId>i-1234567890abcdef0</instanceId>
          <imageId>ami-bff32ccc</imageId>
          <networkInterfaceSet>
            <item>
              <networkInterfaceId>eni-0f62d866</networkInterfaceId>
              <attachment><attachmentId>eni-attach-6537fc0c</attachmentId><instanceId>i-other</instanceId></attachment>
            </item>
          </networkInterfaceSet>
          <iamInstanceProfile>
            <arn>arn:aws:iam::123456789012:instance-profile/ecs/ecsInstanceRole</arn>
            <id>AIPAJ7S5FLTM5EXAMPLE</id>
          </iamInstanceProfile>
        </item>
        <item>
          <iamInstanceProfile><arn>arn:aws:iam::123456789012:instance-profile/web</arn></iamInstanceProfile>
          <placement/>
          <instanceId>i-0598c7d356eba48d7</instanceId>
        </item>
        <item>
          <instanceId>i-0aaaaaaaaaaaaaaaa</instanceId>
        </item>
      </instancesSet>
    </item>
  </reservationSet>
</DescribeInstancesResponse>"#;

    #[test]
    fn each_instance_gets_its_own_profile_and_nested_ids_are_not_instances() {
        assert_eq!(
            instance_profiles(RESPONSE).unwrap(),
            [
                (
                    "i-1234567890abcdef0".to_string(),
                    Some("arn:aws:iam::123456789012:instance-profile/ecs/ecsInstanceRole".into())
                ),
                (
                    "i-0598c7d356eba48d7".to_string(),
                    Some("arn:aws:iam::123456789012:instance-profile/web".into())
                ),
                ("i-0aaaaaaaaaaaaaaaa".to_string(), None),
            ]
        );
        let error = "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized</Message></Error></Errors></Response>";
        assert_eq!(
            xml_text(error, "Message").as_deref(),
            Some("You are not authorized")
        );
        assert!(
            instance_profiles("<DescribeInstancesResponse><reservationSet><item").is_err(),
            "a cut-off response is an error, not fewer instances"
        );
    }

    #[test]
    fn the_endpoint_is_the_override_or_the_regions() {
        let e = ec2_endpoint;
        assert_eq!(
            e(
                Some("http://127.0.0.1:5000"),
                Some("http://x"),
                "us-east-1",
                false
            ),
            "http://127.0.0.1:5000/"
        );
        assert_eq!(e(None, Some("http://x/"), "us-east-1", false), "http://x/");
        assert_eq!(
            e(None, None, "eu-west-1", false),
            "https://ec2.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            e(None, None, "cn-north-1", false),
            "https://ec2.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            e(None, None, "us-gov-west-1", true),
            "https://ec2-fips.us-gov-west-1.amazonaws.com/"
        );
        let ids: Vec<String> = (0..12).map(|i| format!("i-{i}")).collect();
        assert_eq!(
            listed(&ids),
            "i-0, i-1, i-2, i-3, i-4, i-5, i-6, i-7, i-8, i-9 and 2 more"
        );
    }
}
