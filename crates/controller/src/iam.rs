//! The only module that talks to IAM: reads a role's actual state, executes [`Op`]s, counts
//! every call (metrics), spaces calls under a client-side rate limit, and sorts errors into
//! "retry later" and "terminal".
//!
//! Longer than the other modules on purpose: one short method per IAM operation (mostly SDK
//! builder calls), kept together so that every call to IAM is in one file — the controller's
//! own least-privilege policy is checked against exactly this file (tests/own_policy.rs).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::types::Tag;

use crate::iam_state::{ActualRole, Op};
use crate::metrics::Metrics;

/// An IAM call that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("IAM {operation} failed: {code}: {message}")]
pub struct IamError {
    pub operation: &'static str,
    pub code: String,
    pub message: String,
    /// Throttling, 5xx, `ConcurrentModification`, `LimitExceeded`, network: try again later.
    pub retryable: bool,
}

/// Besides the [`TRANSIENT`] ones, error codes worth a later reconcile (with the per-object
/// backoff): the state may change meanwhile. Everything else waits for a spec change.
const RETRYABLE_LATER: &[&str] = &[
    "ConcurrentModification",
    "LimitExceeded",
    "DeleteConflict",
    "EntityAlreadyExists",
    "AccessDenied",
    "ExpiredToken",
];

fn retryable(code: &str) -> bool {
    TRANSIENT.contains(&code) || RETRYABLE_LATER.contains(&code)
}

/// Errors that say nothing about the request (the service or the network failed it): retried
/// at once inside the call, up to [`ATTEMPTS`] in all, each attempt through the rate limit and
/// counted. Without it, one reconcile of six calls fails half the time at 10 % faults, and the
/// per-object backoff (2, 4, 8 … 300 s) turns a few unlucky draws into minutes. Timeouts are
/// not retried here: a hung endpoint would hold the reconcile slot three times as long.
const TRANSIENT: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "ServiceFailure",
    "ServiceUnavailable",
    "InternalFailure",
    "NetworkError",
];

/// Attempts per call for a [`TRANSIENT`] error (the reconcile's own backoff takes over after).
const ATTEMPTS: u32 = 3;

/// The pause before attempt `n + 1`: 100 ms, then 400 ms, jittered (throttling eases off).
fn retry_pause(n: u32) -> Duration {
    let base = 100u64 * 4u64.pow(n.saturating_sub(1).min(3));
    Duration::from_millis(base / 2 + fastrand::u64(0..=base))
}

/// IAM refusing the request itself (a document or input it will never accept): retrying the
/// same request cannot help, so the resource is terminal until its spec changes.
const PERMANENT: &[&str] = &[
    "MalformedPolicyDocument",
    "InvalidInput",
    "ValidationError",
    "PolicyNotAttachable",
    "UnmodifiableEntity",
];

impl IamError {
    /// Worth another attempt right away (see [`TRANSIENT`]).
    pub fn is_transient(&self) -> bool {
        TRANSIENT.contains(&self.code.as_str()) || self.code.starts_with("HTTP5")
    }

    /// IAM refused the request as such (see [`PERMANENT`]).
    pub fn is_permanent(&self) -> bool {
        PERMANENT.contains(&self.code.as_str())
    }
}

/// What a test wants to happen instead of a real call (fault injection at the client edge;
/// production never sets a hook).
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Fail with this error code, as IAM would.
    Fail(String),
    /// Never return (the process "dies" mid-reconcile when the test drops the controller).
    Hang,
}

pub type FaultHook = Arc<dyn Fn(&'static str) -> Option<Fault> + Send + Sync>;

pub struct Iam {
    client: aws_sdk_iam::Client,
    /// Unit tests: answer from this in-memory IAM instead of calling the client.
    #[cfg(test)]
    fake: Option<Arc<crate::fixtures::FakeIam>>,
    limiter: crate::fair::FairLimiter,
    metrics: Arc<Metrics>,
    hook: Option<FaultHook>,
    call_timeout: Duration,
}

/// The SDK client the controller uses: one attempt per call (the controller retries, with its
/// own per-object backoff, so every attempt passes the rate limiter and is counted), and
/// timeouts on connecting, on each attempt and on the whole operation.
pub fn sdk_client(conf: &aws_config::SdkConfig, call_timeout: Duration) -> aws_sdk_iam::Client {
    use aws_sdk_iam::config::retry::RetryConfig;
    use aws_sdk_iam::config::timeout::TimeoutConfig;
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(call_timeout.min(Duration::from_secs(5)))
        .operation_attempt_timeout(call_timeout)
        .operation_timeout(call_timeout)
        .build();
    let config = aws_sdk_iam::config::Builder::from(conf)
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts)
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

fn classify<E: ProvideErrorMetadata + std::fmt::Debug>(
    operation: &'static str,
    e: &SdkError<E, aws_sdk_iam::config::http::HttpResponse>,
) -> IamError {
    let status = e.raw_response().map(|r| r.status().as_u16());
    let code = match e {
        SdkError::TimeoutError(_) => "Timeout".to_string(),
        _ => e
            .code()
            .map(str::to_string)
            .or_else(|| status.map(|s| format!("HTTP{s}")))
            .unwrap_or_else(|| "NetworkError".to_string()),
    };
    let message = e
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| format!("{e:?}").chars().take(300).collect());
    let retryable = retryable(&code)
        || status.is_some_and(|s| s >= 500)
        || matches!(
            e,
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_)
        );
    IamError {
        operation,
        code,
        message,
        retryable,
    }
}

fn tags(map: &BTreeMap<String, String>) -> Vec<Tag> {
    map.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// Runs one SDK call with rate limiting, fault hook, metrics and the [`TRANSIENT`] retries.
/// `$call` is an expression producing the send future (evaluated once per attempt).
macro_rules! call {
    ($self:ident, $op:literal, $write:expr, $call:expr) => {{
        let mut attempt = 1;
        loop {
            match call_once!($self, $op, $write, $call) {
                Err(e) if e.is_transient() && attempt < ATTEMPTS => {
                    tokio::time::sleep(retry_pause(attempt)).await;
                    attempt += 1;
                }
                result => break result,
            }
        }
    }};
}

/// One attempt of [`call!`].
macro_rules! call_once {
    ($self:ident, $op:literal, $write:expr, $call:expr) => {{
        // Bounded whatever happens (a hung endpoint, an injected hang): then retryable.
        let attempt = async {
            $self.before($op, $write).await?;
            Ok::<_, IamError>($call.await)
        };
        match tokio::time::timeout($self.call_timeout, attempt).await {
            Err(_) => {
                $self.metrics.iam_call($op, $write, "timeout");
                Err(IamError {
                    operation: $op,
                    code: "Timeout".into(),
                    message: format!("no answer within {:?}", $self.call_timeout),
                    retryable: true,
                })
            }
            Ok(Err(e)) => Err(e),
            Ok(Ok(result)) => {
                let outcome = match &result {
                    Ok(_) => "ok",
                    Err(e) if e.code() == Some("NoSuchEntity") => "not_found",
                    Err(_) => "error",
                };
                $self.metrics.iam_call($op, $write, outcome);
                result.map_err(|e| classify($op, &e))
            }
        }
    }};
}

impl Iam {
    pub fn new(
        client: aws_sdk_iam::Client,
        calls_per_second: f64,
        metrics: Arc<Metrics>,
        hook: Option<FaultHook>,
        call_timeout: Duration,
    ) -> Self {
        Iam {
            client,
            limiter: crate::fair::FairLimiter::new(Duration::from_secs_f64(
                1.0 / calls_per_second.max(0.001),
            )),
            metrics,
            hook,
            call_timeout,
            #[cfg(test)]
            fake: None,
        }
    }

    /// An `Iam` on the in-memory [`crate::fixtures::FakeIam`]: the fault hook, rate limiter and
    /// metrics run as for real calls.
    #[cfg(test)]
    pub(crate) fn fake(
        fake: Arc<crate::fixtures::FakeIam>,
        metrics: Arc<Metrics>,
        hook: Option<FaultHook>,
    ) -> Self {
        let conf = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .build();
        let mut iam = Iam::new(
            aws_sdk_iam::Client::from_conf(conf),
            1000.0,
            metrics,
            hook,
            Duration::from_secs(5),
        );
        iam.fake = Some(fake);
        iam
    }

    async fn before(&self, operation: &'static str, write: bool) -> Result<(), IamError> {
        if let Some(hook) = &self.hook {
            match hook(operation) {
                Some(Fault::Fail(code)) => {
                    self.metrics.iam_call(operation, write, "error");
                    return Err(IamError {
                        operation,
                        retryable: retryable(&code),
                        message: "injected by a test".into(),
                        code,
                    });
                }
                Some(Fault::Hang) => std::future::pending::<()>().await,
                None => {}
            }
        }
        self.limiter.acquire().await;
        Ok(())
    }

    /// Reads a role as it is in IAM: GetRole, ListRolePolicies, GetRolePolicy per inline
    /// policy, ListAttachedRolePolicies, and GetInstanceProfile when `profile` is given.
    pub async fn read_role(
        &self,
        name: &str,
        profile: Option<&str>,
    ) -> Result<ActualRole, IamError> {
        self.read_role_with(name, profile, true).await
    }

    /// [`Self::read_role`]; without `documents`, inline policies are listed by name only
    /// (their documents left empty): all a deletion needs, one GetRolePolicy per policy less.
    async fn read_role_with(
        &self,
        name: &str,
        profile: Option<&str>,
        documents: bool,
    ) -> Result<ActualRole, IamError> {
        #[cfg(test)]
        if let Some(f) = &self.fake {
            self.before("GetRole", false).await?;
            return Ok(f.read_role(name, profile, documents));
        }
        let mut a = ActualRole::default();
        let got = call!(
            self,
            "GetRole",
            false,
            self.client.get_role().role_name(name).send()
        );
        match got {
            Ok(out) => {
                if let Some(r) = out.role() {
                    a.exists = true;
                    a.path = r.path().to_string();
                    a.trust = r.assume_role_policy_document().unwrap_or("").to_string();
                    a.boundary = r
                        .permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())
                        .map(str::to_string);
                    a.max_session = r
                        .max_session_duration()
                        .map(i64::from)
                        .unwrap_or(crate::iam_state::DEFAULT_MAX_SESSION);
                    a.tags = tag_map(r.tags());
                }
            }
            Err(e) if e.code == "NoSuchEntity" => {}
            Err(e) => return Err(e),
        }
        if a.exists {
            // Paged (IAM's default page is 100): a hand-added policy past the first page
            // must still be seen as drift.
            let mut names = Vec::new();
            let mut marker: Option<String> = None;
            loop {
                let page = call!(
                    self,
                    "ListRolePolicies",
                    false,
                    self.client
                        .list_role_policies()
                        .role_name(name)
                        .max_items(1000)
                        .set_marker(marker.clone())
                        .send()
                )?;
                names.extend(page.policy_names().iter().cloned());
                marker = page.marker().map(str::to_string);
                if !page.is_truncated() || marker.is_none() {
                    break;
                }
            }
            for policy in names.iter().filter(|_| !documents) {
                a.inline.insert(policy.to_string(), String::new());
            }
            for policy in names.iter().filter(|_| documents) {
                let doc = call!(
                    self,
                    "GetRolePolicy",
                    false,
                    self.client
                        .get_role_policy()
                        .role_name(name)
                        .policy_name(policy)
                        .send()
                )?;
                a.inline
                    .insert(policy.to_string(), doc.policy_document().to_string());
            }
            let attached = call!(
                self,
                "ListAttachedRolePolicies",
                false,
                self.client
                    .list_attached_role_policies()
                    .role_name(name)
                    .max_items(1000)
                    .send()
            )?;
            a.managed = attached
                .attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_string))
                .collect();
        }
        if let Some(p) = profile {
            self.read_profile(p, &mut a).await?;
        }
        Ok(a)
    }

    async fn read_profile(&self, name: &str, a: &mut ActualRole) -> Result<(), IamError> {
        #[cfg(test)]
        if let Some(f) = &self.fake {
            self.before("GetInstanceProfile", false).await?;
            f.read_profile(name, a);
            return Ok(());
        }
        match call!(
            self,
            "GetInstanceProfile",
            false,
            self.client
                .get_instance_profile()
                .instance_profile_name(name)
                .send()
        ) {
            Ok(out) => {
                if let Some(p) = out.instance_profile() {
                    a.instance_profile = Some((
                        p.instance_profile_name().to_string(),
                        p.roles()
                            .iter()
                            .map(|r| r.role_name().to_string())
                            .collect(),
                    ));
                    a.profile_tags = tag_map(p.tags());
                }
                Ok(())
            }
            Err(e) if e.code == "NoSuchEntity" => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every role under `path`, read in bulk for periodic resyncs: GetAccountAuthorizationDetails
    /// (trust, inline documents, attachments, boundary, tags) plus ListRoles for
    /// MaxSessionDuration, both paginated — a handful of calls per resync instead of four or
    /// five per role. Instance profiles come from each role's InstanceProfileList (no tags).
    pub async fn snapshot(
        &self,
        path: &str,
    ) -> Result<std::collections::HashMap<String, ActualRole>, IamError> {
        #[cfg(test)]
        if let Some(f) = &self.fake {
            self.before("GetAccountAuthorizationDetails", false).await?;
            return Ok(f.snapshot(path));
        }
        let mut out = std::collections::HashMap::new();
        let mut marker: Option<String> = None;
        loop {
            let page = call!(
                self,
                "GetAccountAuthorizationDetails",
                false,
                self.client
                    .get_account_authorization_details()
                    .filter(aws_sdk_iam::types::EntityType::Role)
                    .max_items(1000)
                    .set_marker(marker.clone())
                    .send()
            )?;
            for r in page.role_detail_list() {
                let (Some(name), Some(rpath)) = (r.role_name(), r.path()) else {
                    continue;
                };
                if rpath != path {
                    continue;
                }
                let a = ActualRole {
                    exists: true,
                    path: rpath.to_string(),
                    trust: r.assume_role_policy_document().unwrap_or("").to_string(),
                    inline: r
                        .role_policy_list()
                        .iter()
                        .filter_map(|p| {
                            Some((
                                p.policy_name()?.to_string(),
                                p.policy_document()?.to_string(),
                            ))
                        })
                        .collect(),
                    managed: r
                        .attached_managed_policies()
                        .iter()
                        .filter_map(|p| p.policy_arn().map(str::to_string))
                        .collect(),
                    boundary: r
                        .permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())
                        .map(str::to_string),
                    max_session: crate::iam_state::DEFAULT_MAX_SESSION,
                    tags: tag_map(r.tags()),
                    // Its instance profile (same name by the controller's convention); profile
                    // tags are not in this response, so a role with a profile needing any
                    // change is read directly before the change.
                    instance_profile: r
                        .instance_profile_list()
                        .iter()
                        .find(|p| p.instance_profile_name() == name)
                        .map(|p| {
                            let roles = p.roles().iter().map(|x| x.role_name().to_string());
                            (p.instance_profile_name().to_string(), roles.collect())
                        }),
                    ..Default::default()
                };
                out.insert(name.to_string(), a);
            }
            marker = page.marker().map(str::to_string);
            if !page.is_truncated() || marker.is_none() {
                break;
            }
        }
        let mut marker: Option<String> = None;
        loop {
            let page = call!(
                self,
                "ListRoles",
                false,
                self.client
                    .list_roles()
                    .path_prefix(path)
                    .max_items(1000)
                    .set_marker(marker.clone())
                    .send()
            )?;
            for r in page.roles() {
                if let (Some(a), Some(m)) = (out.get_mut(r.role_name()), r.max_session_duration()) {
                    a.max_session = i64::from(m);
                }
            }
            marker = page.marker().map(str::to_string);
            if !page.is_truncated() || marker.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// A role's tags (GetRole only; `None`: it does not exist).
    pub async fn role_tags(
        &self,
        name: &str,
    ) -> Result<Option<BTreeMap<String, String>>, IamError> {
        #[cfg(test)]
        if let Some(f) = &self.fake {
            self.before("GetRole", false).await?;
            return Ok(f.role_tags(name));
        }
        match call!(
            self,
            "GetRole",
            false,
            self.client.get_role().role_name(name).send()
        ) {
            Ok(out) => Ok(out.role().map(|r| tag_map(r.tags()))),
            Err(e) if e.code == "NoSuchEntity" => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every instance profile under `path` with the number of roles it holds (ListInstanceProfiles
    /// returns no tags: the orphan sweep reads them only for the rare profile holding no role).
    pub async fn instance_profiles(&self, path: &str) -> Result<Vec<(String, usize)>, IamError> {
        #[cfg(test)]
        if let Some(f) = &self.fake {
            self.before("ListInstanceProfiles", false).await?;
            return Ok(f.instance_profiles(path));
        }
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = call!(
                self,
                "ListInstanceProfiles",
                false,
                self.client
                    .list_instance_profiles()
                    .path_prefix(path)
                    .max_items(1000)
                    .set_marker(marker.clone())
                    .send()
            )?;
            for p in page.instance_profiles() {
                if p.path() == path {
                    out.push((p.instance_profile_name().to_string(), p.roles().len()));
                }
            }
            marker = page.marker().map(str::to_string);
            if !page.is_truncated() || marker.is_none() {
                break;
            }
        }
        Ok(out)
    }

    /// An instance profile's tags and roles (`None`: it does not exist).
    pub async fn profile(&self, name: &str) -> Result<Option<ActualRole>, IamError> {
        let mut a = ActualRole::default();
        self.read_profile(name, &mut a).await?;
        Ok(a.instance_profile.is_some().then_some(a))
    }

    /// Every instance profile the role is in (before deleting it: IAM refuses to delete a role
    /// that is still in a profile).
    pub async fn profiles_for_role(&self, name: &str) -> Result<Vec<String>, IamError> {
        #[cfg(test)]
        if let Some(f) = &self.fake {
            self.before("ListInstanceProfilesForRole", false).await?;
            return Ok(f.profiles_for_role(name));
        }
        let out = call!(
            self,
            "ListInstanceProfilesForRole",
            false,
            self.client
                .list_instance_profiles_for_role()
                .role_name(name)
                .send()
        )?;
        Ok(out
            .instance_profiles()
            .iter()
            .map(|p| p.instance_profile_name().to_string())
            .collect())
    }

    /// Like [`Iam::read_role`] for a role about to be deleted: also finds the profile it is in.
    pub async fn read_for_deletion(
        &self,
        name: &str,
        profile: Option<&str>,
    ) -> Result<(ActualRole, Vec<String>), IamError> {
        let mut a = self.read_role_with(name, None, false).await?;
        if !a.exists {
            if let Some(p) = profile {
                self.read_profile(p, &mut a).await?;
            }
            return Ok((a, vec![]));
        }
        let mut foreign = Vec::new();
        for p in self.profiles_for_role(name).await? {
            if a.instance_profile.is_none() && Some(p.as_str()) == profile {
                self.read_profile(&p, &mut a).await?;
            } else {
                foreign.push(p);
            }
        }
        // Our profile by its derived name too: a deletion interrupted after
        // RemoveRoleFromInstanceProfile left it holding no role, so the role no longer lists
        // it — looked up only through the role, it would be left in IAM forever.
        if a.instance_profile.is_none() {
            if let Some(p) = profile {
                self.read_profile(p, &mut a).await?;
            }
        }
        Ok((a, foreign))
    }

    /// Executes one operation. Deleting something already gone counts as done.
    pub async fn apply(&self, op: &Op) -> Result<(), IamError> {
        #[cfg(test)]
        if let Some(f) = &self.fake {
            let result = match self.before(op.name(), true).await {
                Ok(()) => f.apply(op),
                Err(e) => Err(e),
            };
            return match result {
                Err(e) if e.code == "NoSuchEntity" && op.is_removal() => Ok(()),
                other => other,
            };
        }
        let c = &self.client;
        let result = match op {
            Op::CreateRole {
                name,
                path,
                trust,
                boundary,
                max_session,
                tags: t,
            } => call!(
                self,
                "CreateRole",
                true,
                c.create_role()
                    .role_name(name)
                    .path(path)
                    .assume_role_policy_document(trust.to_string())
                    .set_permissions_boundary(boundary.clone())
                    .max_session_duration(*max_session as i32)
                    .set_tags(Some(tags(t)))
                    .send()
            )
            .map(|_| ()),
            Op::UpdateAssumeRolePolicy { role, trust } => call!(
                self,
                "UpdateAssumeRolePolicy",
                true,
                c.update_assume_role_policy()
                    .role_name(role)
                    .policy_document(trust.to_string())
                    .send()
            )
            .map(|_| ()),
            Op::PutRolePermissionsBoundary { role, boundary } => call!(
                self,
                "PutRolePermissionsBoundary",
                true,
                c.put_role_permissions_boundary()
                    .role_name(role)
                    .permissions_boundary(boundary)
                    .send()
            )
            .map(|_| ()),
            Op::DeleteRolePermissionsBoundary { role } => call!(
                self,
                "DeleteRolePermissionsBoundary",
                true,
                c.delete_role_permissions_boundary().role_name(role).send()
            )
            .map(|_| ()),
            Op::UpdateRole { role, max_session } => call!(
                self,
                "UpdateRole",
                true,
                c.update_role()
                    .role_name(role)
                    .max_session_duration(*max_session as i32)
                    .send()
            )
            .map(|_| ()),
            Op::TagRole { role, tags: t } => call!(
                self,
                "TagRole",
                true,
                c.tag_role().role_name(role).set_tags(Some(tags(t))).send()
            )
            .map(|_| ()),
            Op::UntagRole { role, keys } => call!(
                self,
                "UntagRole",
                true,
                c.untag_role()
                    .role_name(role)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
            )
            .map(|_| ()),
            Op::PutRolePolicy {
                role,
                name,
                document,
            } => call!(
                self,
                "PutRolePolicy",
                true,
                c.put_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .policy_document(document.to_string())
                    .send()
            )
            .map(|_| ()),
            Op::AttachRolePolicy { role, arn } => call!(
                self,
                "AttachRolePolicy",
                true,
                c.attach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send()
            )
            .map(|_| ()),
            Op::DetachRolePolicy { role, arn } => call!(
                self,
                "DetachRolePolicy",
                true,
                c.detach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send()
            )
            .map(|_| ()),
            Op::DeleteRolePolicy { role, name } => call!(
                self,
                "DeleteRolePolicy",
                true,
                c.delete_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .send()
            )
            .map(|_| ()),
            Op::CreateInstanceProfile {
                name,
                path,
                tags: t,
            } => call!(
                self,
                "CreateInstanceProfile",
                true,
                c.create_instance_profile()
                    .instance_profile_name(name)
                    .path(path)
                    .set_tags(Some(tags(t)))
                    .send()
            )
            .map(|_| ()),
            Op::AddRoleToInstanceProfile { profile, role } => call!(
                self,
                "AddRoleToInstanceProfile",
                true,
                c.add_role_to_instance_profile()
                    .instance_profile_name(profile)
                    .role_name(role)
                    .send()
            )
            .map(|_| ()),
            Op::RemoveRoleFromInstanceProfile { profile, role } => call!(
                self,
                "RemoveRoleFromInstanceProfile",
                true,
                c.remove_role_from_instance_profile()
                    .instance_profile_name(profile)
                    .role_name(role)
                    .send()
            )
            .map(|_| ()),
            Op::DeleteInstanceProfile { name } => call!(
                self,
                "DeleteInstanceProfile",
                true,
                c.delete_instance_profile()
                    .instance_profile_name(name)
                    .send()
            )
            .map(|_| ()),
            Op::DeleteRole { role } => call!(
                self,
                "DeleteRole",
                true,
                c.delete_role().role_name(role).send()
            )
            .map(|_| ()),
        };
        match result {
            Err(e) if e.code == "NoSuchEntity" && op.is_removal() => Ok(()),
            other => other,
        }
    }
}
