//! `ecsroles audit`: the roles a workload already has, as IAM has them, against its plan —
//! what is **missing** (the task will fail, and how), what is **broader** than the workload
//! needs, and **trust** problems. Offline: from `aws iam get-account-authorization-details`
//! output (policy documents URL-encoded as the API returns them, or decoded as the CLI prints
//! them). Judged with [`crate::evaluate`]; what IAM evaluation here cannot see (SCPs, resource
//! policies, session policies) is said, not guessed. An AWS managed policy the file does not
//! carry is judged from [`crate::managed_snapshot`] (the report names its version), and the
//! AWS managed policies the plan attaches are needed grants, not over-grants.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::evaluate::{evaluate, example_of, statements, strings, Decision, BOUNDARY};
use crate::managed_snapshot::ManagedPolicy;
use crate::model::{PlannedRole, Provisioning, RoleKind, RolePlan};
use crate::policy::Effect;

/// A role as IAM has it.
#[derive(Debug, Clone)]
pub struct IamRole {
    pub name: String,
    pub arn: String,
    /// `Null` when not known (one pasted policy document): not judged.
    pub trust: Value,
    /// Inline policies: (name, document).
    pub inline: Vec<(String, Value)>,
    /// Attached managed policy ARNs.
    pub managed: Vec<String>,
    pub boundary: Option<String>,
}

/// What a get-account-authorization-details document says: roles, and the managed policies
/// whose documents it carries (their default versions).
#[derive(Debug, Clone, Default)]
pub struct Account {
    pub roles: Vec<IamRole>,
    pub policies: BTreeMap<String, Value>,
}

/// A policy document as the API gives it: URL-encoded JSON text, or already JSON.
fn document(v: Option<&Value>) -> Result<Value, String> {
    match v {
        Some(Value::String(s)) => {
            let text = if s.trim_start().starts_with('{') {
                s.clone()
            } else {
                url_decode(s)
            };
            serde_json::from_str(&text).map_err(|e| format!("a policy document is not JSON: {e}"))
        }
        Some(v @ Value::Object(_)) => Ok(v.clone()),
        _ => Ok(Value::Null),
    }
}

/// A policy document as IAM's API returns it (`GetRole`, `GetRolePolicy`, `GetPolicyVersion`):
/// URL-encoded JSON text, or plain JSON text.
pub fn policy_document(text: &str) -> Result<Value, String> {
    document(Some(&Value::String(text.to_string())))
}

/// RFC 3986 percent-decoding, as IAM encodes policy documents (`+` stays `+`).
fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).and_then(|c| hex(*c)),
            b.get(i + 2).and_then(|c| hex(*c)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A role's trust policy as IAM gives it: a role without one trusts nobody (judged so; only a
/// pasted single policy leaves trust unknown, as Null).
fn trust_of(r: &Value) -> Result<Value, String> {
    Ok(match document(r.get("AssumeRolePolicyDocument"))? {
        Value::Null => Value::Object(Default::default()),
        v => v,
    })
}

/// A role's permissions boundary ARN (`PermissionsBoundary.PermissionsBoundaryArn`).
fn boundary_of(r: &Value) -> Option<String> {
    r.get("PermissionsBoundary")?
        .get("PermissionsBoundaryArn")?
        .as_str()
        .map(str::to_string)
}

/// Reads `aws iam get-account-authorization-details` output (all pages merged, or one).
pub fn read_account(text: &str) -> Result<Account, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    account_from(&v)
}

/// The JSON values of `text`: one, several written one after the other (as appending `aws iam`
/// outputs to one file writes them), or a JSON array of objects.
fn json_values(text: &str) -> Result<Vec<Value>, String> {
    let values = serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not JSON: {e}"))?;
    Ok(match values.as_slice() {
        [Value::Array(a)] if !a.is_empty() && a.iter().all(Value::is_object) => a.clone(),
        _ => values,
    })
}

/// Reads the roles as the AWS CLI prints them: `get-account-authorization-details` output, or
/// the outputs of the per-role commands one after the other (or in a JSON array):
/// `get-role` gives a role (trust, boundary); `get-role-policy` an inline policy of the role it
/// names (before or after its get-role); `list-attached-role-policies` and `list-role-policies`
/// (which name no role) belong to the last `get-role` before them, and both are required for
/// each get-role; `get-policy` then `get-policy-version` (the default version) give a managed
/// policy's document. Anything that would leave a role judged on part of what it has is an
/// error naming the command to add: a missing list, an inline policy listed and not given, a
/// list with more pages.
pub fn read_roles(text: &str) -> Result<Account, String> {
    let values = json_values(text)?;
    if let [v] = values.as_slice() {
        if v.get("RoleDetailList").is_some() {
            return account_from(v);
        }
    }
    let mut account = Account::default();
    // Per role given by get-role: whether its two lists came (both decide what it allows).
    let mut lists: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    // Inline policy names each role must have (list-role-policies), checked at the end.
    let mut listed: Vec<(String, String)> = Vec::new();
    // The last get-role's role: the lists that name no role are its.
    let mut current: Option<String> = None;
    // The last get-policy: its ARN and default version.
    let mut policy: Option<(String, Option<String>)> = None;
    for (i, v) in values.iter().enumerate() {
        let at = |what: &str| format!("value {} ({what})", i + 1);
        let of_current = |what: &str| {
            current.clone().ok_or_else(|| {
                format!(
                    "{}: it names no role; put the role's `aws iam get-role` output before it",
                    at(what)
                )
            })
        };
        if v.get("IsTruncated").and_then(Value::as_bool) == Some(true)
            || v.get("NextToken").is_some()
            || v.get("Marker").is_some()
        {
            return Err(format!(
                "{}: more follows (IsTruncated / NextToken); run the command without --max-items or --no-paginate, so the AWS CLI reads every page",
                at("a list")
            ));
        }
        if v.get("RoleDetailList").is_some() {
            let more = account_from(v)?;
            account.roles.extend(more.roles);
            account.policies.extend(more.policies);
        } else if let Some(r) = v.get("Role") {
            let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
            let name = s("RoleName").to_string();
            if name.is_empty() {
                return Err(format!("{}: Role has no RoleName", at("get-role")));
            }
            let trust = trust_of(r)
                .map_err(|e| format!("{}: AssumeRolePolicyDocument: {e}", at("get-role")))?;
            let boundary = boundary_of(r);
            // A role its get-role-policy output came before: completed, not given twice.
            match account.roles.iter_mut().find(|x| x.name == name) {
                Some(x) => {
                    x.arn = s("Arn").to_string();
                    x.trust = trust;
                    x.boundary = boundary;
                }
                None => account.roles.push(IamRole {
                    name: name.clone(),
                    arn: s("Arn").to_string(),
                    trust,
                    inline: vec![],
                    managed: vec![],
                    boundary,
                }),
            }
            lists.entry(name.clone()).or_default();
            current = Some(name);
        } else if let (Some(name), Some(d)) = (
            v.get("RoleName").and_then(Value::as_str),
            v.get("PolicyDocument"),
        ) {
            let doc = document(Some(d)).map_err(|e| format!("{}: {e}", at("get-role-policy")))?;
            let policy_name = v
                .get("PolicyName")
                .and_then(Value::as_str)
                .unwrap_or("inline");
            let k = match account.roles.iter().position(|r| r.name == name) {
                Some(k) => k,
                // A role given by its policies alone: its trust is not judged.
                None => {
                    account.roles.push(IamRole {
                        name: name.to_string(),
                        arn: String::new(),
                        trust: Value::Null,
                        inline: vec![],
                        managed: vec![],
                        boundary: None,
                    });
                    account.roles.len() - 1
                }
            };
            let inline = &mut account.roles[k].inline;
            if !inline.iter().any(|(n, _)| n == policy_name) {
                inline.push((policy_name.to_string(), doc));
            }
        } else if let Some(list) = v.get("AttachedPolicies").and_then(Value::as_array) {
            let name = of_current("list-attached-role-policies")?;
            lists.entry(name.clone()).or_default().0 = true;
            if let Some(x) = account.roles.iter_mut().find(|x| x.name == name) {
                for arn in list
                    .iter()
                    .filter_map(|p| p.get("PolicyArn")?.as_str().map(str::to_string))
                {
                    if !x.managed.contains(&arn) {
                        x.managed.push(arn);
                    }
                }
            }
        } else if let Some(names) = v.get("PolicyNames").and_then(Value::as_array) {
            let name = of_current("list-role-policies")?;
            lists.entry(name.clone()).or_default().1 = true;
            listed.extend(
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|n| (name.clone(), n.to_string())),
            );
        } else if let Some(p) = v.get("Policy") {
            policy = p.get("Arn").and_then(Value::as_str).map(|a| {
                (
                    a.to_string(),
                    p.get("DefaultVersionId")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                )
            });
        } else if let Some(pv) = v.get("PolicyVersion") {
            let (arn, default) = policy.take().ok_or_else(|| {
                format!(
                    "{}: it names no policy; put the policy's `aws iam get-policy` output before it",
                    at("get-policy-version")
                )
            })?;
            let version = pv.get("VersionId").and_then(Value::as_str);
            if let (Some(d), Some(v)) = (default.as_deref(), version) {
                if d != v {
                    return Err(format!("{}: version {v} of {arn} is not its default ({d}), the one IAM applies: run `aws iam get-policy-version --policy-arn {arn} --version-id {d}`", at("get-policy-version")));
                }
            }
            let doc = document(pv.get("Document"))
                .map_err(|e| format!("{}: {e}", at("get-policy-version")))?;
            account.policies.insert(arn, doc);
        } else {
            let keys: Vec<&str> = v
                .as_object()
                .map(|o| o.keys().map(String::as_str).collect())
                .unwrap_or_default();
            return Err(format!(
                "value {}: not an `aws iam` output ecsroles reads (get-account-authorization-details, get-role, get-role-policy, list-attached-role-policies, list-role-policies, get-policy then get-policy-version); its keys: {}",
                i + 1,
                keys.join(", ")
            ));
        }
    }
    // A role's grants are judged from everything it has: both lists are needed.
    for (role, (attached, inline)) in &lists {
        for (seen, command) in [
            (attached, "list-attached-role-policies"),
            (inline, "list-role-policies"),
        ] {
            if !seen {
                return Err(format!("role {role}: add `aws iam {command} --role-name {role}` output after its get-role (what it lists decides what the role allows)"));
            }
        }
    }
    for (role, name) in listed {
        let given = account
            .roles
            .iter()
            .any(|r| r.name == role && r.inline.iter().any(|(n, _)| *n == name));
        if !given {
            return Err(format!("role {role} has the inline policy {name} (list-role-policies) and the file does not carry it: add `aws iam get-role-policy --role-name {role} --policy-name {name}` output"));
        }
    }
    if account.roles.is_empty() {
        return Err("no role in the file: give `aws iam get-account-authorization-details` output, or `aws iam get-role` output for each role".into());
    }
    Ok(account)
}

/// get-account-authorization-details output, parsed.
fn account_from(v: &Value) -> Result<Account, String> {
    let list = |k: &str| {
        v.get(k)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    if v.get("RoleDetailList").is_none() {
        return Err("not get-account-authorization-details output: it has no RoleDetailList (aws iam get-account-authorization-details --filter Role LocalManagedPolicy AWSManagedPolicy)".into());
    }
    let mut account = Account::default();
    for r in list("RoleDetailList") {
        let s = |k: &str| {
            r.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let inline = r
            .get("RolePolicyList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| {
                Ok((
                    p.get("PolicyName")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    document(p.get("PolicyDocument"))?,
                ))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let managed = r
            .get("AttachedManagedPolicies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("PolicyArn")?.as_str().map(str::to_string))
            .collect();
        account.roles.push(IamRole {
            name: s("RoleName"),
            arn: s("Arn"),
            trust: trust_of(r)?,
            inline,
            managed,
            boundary: boundary_of(r),
        });
    }
    for p in list("Policies") {
        let arn = p.get("Arn").and_then(Value::as_str).unwrap_or_default();
        let default = p.get("DefaultVersionId").and_then(Value::as_str);
        let version = p
            .get("PolicyVersionList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|v| {
                v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true)
                    || v.get("VersionId").and_then(Value::as_str) == default
            });
        if let Some(v) = version {
            account
                .policies
                .insert(arn.to_string(), document(v.get("Document"))?);
        }
    }
    Ok(account)
}

/// What a user pasted as the roles they have (the calculator's audit box): the output of
/// `aws iam get-account-authorization-details` (every role judged in full, trust included), or
/// the current policy of the plan's role named `role` — a policy document as the console's JSON
/// editor shows it, `aws iam get-role-policy` output (its `RoleName` wins over `role`) or
/// `aws iam get-policy-version` output. One policy is that role's only one, and its trust is
/// not judged.
pub fn read_pasted(text: &str, role: &str) -> Result<Account, String> {
    let values = json_values(text)?;
    let v = match values.as_slice() {
        [v] => v.clone(),
        _ => return read_roles(text),
    };
    if ["RoleDetailList", "Role", "AttachedPolicies", "PolicyNames"]
        .iter()
        .any(|k| v.get(k).is_some())
    {
        return read_roles(text);
    }
    let (name, doc) = if let Some(d) = v.get("PolicyDocument") {
        let name = v.get("RoleName").and_then(Value::as_str).unwrap_or(role);
        (name, document(Some(d))?)
    } else if let Some(d) = v.get("PolicyVersion").and_then(|p| p.get("Document")) {
        (role, document(Some(d))?)
    } else if v.get("Statement").is_some() {
        (role, v)
    } else {
        return Err("neither a policy document (it has no Statement), nor get-account-authorization-details output (no RoleDetailList), nor `aws iam get-role` output with its list-attached-role-policies, list-role-policies and get-role-policy outputs".into());
    };
    if !matches!(
        doc.get("Statement"),
        Some(Value::Array(_) | Value::Object(_))
    ) {
        return Err("the policy's Statement is neither a statement nor a list of them".into());
    }
    Ok(Account {
        roles: vec![IamRole {
            name: name.to_string(),
            arn: String::new(),
            trust: Value::Null,
            inline: vec![(PASTED.into(), doc)],
            managed: vec![],
            boundary: None,
        }],
        policies: BTreeMap::new(),
    })
}

/// A planned grant the role does not have.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Missing {
    /// The plan's statement that needs it.
    pub sid: String,
    pub action: String,
    pub resource: String,
    /// `implicitDeny` (nothing allows it) or `explicitDeny`.
    pub decision: Decision,
    /// What refuses it whatever the role's policies allow: the policy with the Deny, or the
    /// permissions boundary. A grant added beside it does not take effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
    /// Why the workload needs it (the plan's statement).
    pub why: String,
    /// What ECS prints when it is missing (`explain::printed`: the message as seen, with this
    /// role, action and resource), else the `explain` shape's title, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaks: Option<String>,
}

/// Something the role allows beyond what the workload needs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OverGrant {
    /// The inline policy's name or the managed policy's ARN.
    pub policy: String,
    pub action: String,
    pub resource: String,
    pub why: String,
}

/// One role's audit in a word, worst first: what a reader acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    /// A grant is missing or the role cannot be assumed: the workload fails.
    Missing,
    /// It allows more than the workload needs (or trusts more).
    Broader,
    /// Nothing proven missing, but some grants hold only under a condition or through
    /// policies whose documents were not given.
    Unproven,
    /// Allows what the workload needs, and no more.
    Fine,
    /// The account has no role by that name.
    NotFound,
}

/// One role's audit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RoleAudit {
    pub kind: RoleKind,
    pub title: String,
    pub name: String,
    pub verdict: Verdict,
    /// The account has a role by that name.
    pub found: bool,
    pub missing: Vec<Missing>,
    /// Allowed only if a Condition holds: listed, not counted as missing.
    pub conditional: Vec<Missing>,
    pub over_grants: Vec<OverGrant>,
    pub trust: Vec<String>,
    /// Every principal the role needs is trusted (else ECS cannot assume it: the task fails).
    pub assumable: bool,
    /// Attached managed policies whose documents the file does not carry: not judged.
    pub unresolved: Vec<String>,
    /// AWS managed policies the plan attaches that the role does not have, and whose grants
    /// the snapshot does not hold (so the role's own policies could not be compared).
    pub detached: Vec<String>,
    /// AWS managed policies judged from the embedded snapshot (the file did not carry their
    /// documents): name, version and its date. AWS may have published a newer version since.
    pub from_snapshot: Vec<String>,
    /// The role's policies that hold a Deny statement (the fix never removes one whole).
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub deny_policies: Vec<String>,
}

/// The audit of every role the plan uses or makes.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    pub roles: Vec<RoleAudit>,
    /// What this evaluation cannot see.
    pub not_seen: &'static str,
}

impl AuditReport {
    /// The workload fails as its roles are: a grant is missing or a role cannot be assumed.
    pub fn fails(&self) -> bool {
        self.missing() > 0 || self.roles.iter().any(|r| r.found && !r.assumable)
    }
    pub fn missing(&self) -> usize {
        self.roles.iter().map(|r| r.missing.len()).sum()
    }
    pub fn over_grants(&self) -> usize {
        self.roles
            .iter()
            .map(|r| r.over_grants.len() + r.trust.len())
            .sum()
    }
}

/// What to change so the roles hold exactly what the workload needs: the plan cut to the
/// roles the audit found wanting (rendered in any output format, that is the patch), the
/// policies that then only over-grant, and the trust policies to put in place.
#[derive(Debug, Clone)]
pub struct Fix {
    /// The found roles that lack something or allow more, as existing roles of that name (the
    /// renderers attach the plan's policies to them), and the missing roles the plan creates.
    pub plan: RolePlan,
    /// After the plan's policies are on: the policies to delete or detach.
    pub remove: Vec<Removal>,
    /// Roles whose trust is wrong: the plan's trust policy for each.
    pub trust: Vec<TrustFix>,
    /// What no added grant overcomes: a Deny or a permissions boundary refusing a needed
    /// call (to narrow by hand: a Deny may be a guardrail on purpose), a role the workload
    /// names that does not exist.
    pub blocked: Vec<RoleNote>,
    /// What the fix leaves alone, and why: an over-granting policy that also holds a Deny, a
    /// role other workloads share, a trust policy that needs the account or Region.
    pub notes: Vec<RoleNote>,
}

/// A sentence about one role of the fix: what blocks it, or what it leaves alone.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RoleNote {
    pub role: String,
    pub text: String,
}

/// A policy that only over-grants once the plan's policies are on the role.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Removal {
    pub role: String,
    /// The inline policy's name, or the managed policy's ARN.
    pub policy: String,
    /// The AWS CLI command that removes it.
    pub command: String,
}

/// The trust policy a role needs in place of its own.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TrustFix {
    pub role: String,
    /// As IAM takes it: it replaces the role's whole trust policy (principals trusted today
    /// for other reasons are dropped: merge them in by hand).
    pub document: Value,
    /// The AWS CLI command that puts it in place.
    pub command: String,
}

/// A shell word: IAM names and the JSON documents here hold no single quote, but quote them
/// as if they could.
fn shell_word(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The fix for `report`, from the workload (`spec`) and the plans it was judged against (a
/// live audit judges container-instance roles against one plan per instance role). `shared`:
/// roles other workloads use too — nothing is removed from them and their trust is left (what
/// one workload calls broader another may need). `None`: nothing to change.
pub fn fix(
    spec: &crate::EcsRoleSetSpec,
    plans: &[RolePlan],
    report: &AuditReport,
    shared: &[String],
) -> Option<Fix> {
    let first = plans.first()?;
    let mut cut = first.with_only(Vec::new());
    let (mut remove, mut trust, mut blocked, mut notes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let say = |list: &mut Vec<RoleNote>, role: &str, text: String| {
        list.push(RoleNote {
            role: role.to_string(),
            text,
        })
    };
    // Every planned role of this name, whichever kind and plan (one role may serve as task
    // and execution role), once per kind.
    let planned_as = |name: &str| -> Vec<&PlannedRole> {
        let mut out: Vec<&PlannedRole> = Vec::new();
        for r in plans.iter().flat_map(|p| &p.roles) {
            if role_name(r).as_deref() == Some(name) && !out.iter().any(|o| o.kind == r.kind) {
                out.push(r);
            }
        }
        out
    };
    // Another workload's policy on a shared role (`ecsroles-<workload>-<role>`).
    let others = |p: &str| {
        p.strip_prefix("ecsroles-")
            .is_some_and(|rest| !rest.starts_with(&cat!(first.workload, "-")))
    };
    let mut names: Vec<&str> = report.roles.iter().map(|x| x.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let audits: Vec<&RoleAudit> = report.roles.iter().filter(|x| x.name == name).collect();
        let planned = planned_as(name);
        if !audits.iter().any(|x| x.found) {
            if planned
                .iter()
                .any(|r| r.provisioning == Provisioning::Create)
            {
                cut.roles.extend(planned.iter().map(|r| (*r).clone()));
            } else if !planned.is_empty() {
                say(&mut blocked, name, format!("the workload names role {name}, which does not exist: create it, or plan new roles instead"));
            }
            continue;
        }
        let wanting: Vec<&&RoleAudit> = audits
            .iter()
            .filter(|x| matches!(x.verdict, Verdict::Missing | Verdict::Broader))
            .collect();
        if wanting.is_empty() {
            continue;
        }
        // Every kind's policies on the role as it exists (a removal must not take away what a
        // kind the audit found fine holds): the plan's own names, so they replace its earlier
        // ones rather than sit beside them.
        if wanting
            .iter()
            .any(|x| !x.missing.is_empty() || !x.over_grants.is_empty() || !x.detached.is_empty())
        {
            for r in &planned {
                let mut r = (*r).clone();
                r.provisioning = Provisioning::Existing;
                r.name = Some(name.to_string());
                cut.roles.push(r);
            }
        }
        for x in &wanting {
            for m in &x.missing {
                let Some(b) = &m.blocked_by else { continue };
                let by = if b == BOUNDARY {
                    "the role's permissions boundary".to_string()
                } else {
                    format!("a Deny in policy {b}")
                };
                say(&mut blocked, name, format!("{} on {} is refused by {by}: the plan's grant takes effect only once it no longer is", m.action, m.resource));
            }
        }
        // What only over-grants once the plan's policies are on: never a policy or attachment
        // any kind's plan writes, another workload's ecsroles policy, one holding a Deny, or
        // anything on a role other workloads share.
        let planned_policy = |p: &str| {
            planned.iter().any(|r| {
                r.inline_policies.iter().any(|i| i.name == p)
                    || r.managed_policies.iter().any(|m| same_policy(p, &m.arn))
            })
        };
        let mut policies: Vec<&str> = wanting
            .iter()
            .flat_map(|x| &x.over_grants)
            .map(|o| o.policy.as_str())
            .filter(|p| !planned_policy(p))
            .collect();
        policies.sort_unstable();
        policies.dedup();
        let holds_deny = |p: &str| {
            wanting
                .iter()
                .any(|x| x.deny_policies.iter().any(|d| d == p))
        };
        let is_shared = shared.iter().any(|s| s == name);
        for p in policies {
            if is_shared {
                say(&mut notes, name, format!("{p} is left on: other workloads use this role, and what this one calls broader they may need"));
            } else if others(p) {
                say(
                    &mut notes,
                    name,
                    format!("{p} is left on: it is another workload's ecsroles policy"),
                );
            } else if holds_deny(p) {
                say(&mut notes, name, format!("{p} is left on: it also holds a Deny, which removing it would lift — narrow its Allow statements by hand"));
            } else if p == PASTED {
                say(
                    &mut notes,
                    name,
                    "the pasted policy over-grants: replace it with the plan's".into(),
                );
            } else {
                let role = shell_word(name);
                let command = if p.starts_with("arn:") {
                    format!(
                        "aws iam detach-role-policy --role-name {role} --policy-arn {}",
                        shell_word(p)
                    )
                } else {
                    format!(
                        "aws iam delete-role-policy --role-name {role} --policy-name {}",
                        shell_word(p)
                    )
                };
                remove.push(Removal {
                    role: name.to_string(),
                    policy: p.to_string(),
                    command,
                });
            }
        }
        if wanting.iter().any(|x| !x.trust.is_empty()) {
            if is_shared {
                say(&mut notes, name, "its trust is left: other workloads use this role, and their launchers may need what it trusts".into());
                continue;
            }
            let document = merged_trust(spec, &planned);
            let text = document.to_string();
            if ["${AWS::AccountId}", "${AWS::Region}", "${AWS::Partition}"]
                .iter()
                .any(|v| text.contains(v))
            {
                say(&mut notes, name, "its trust policy needs the workload's account, Region and partition: give them (--account, --region) to get the command".into());
            } else {
                let command = format!(
                    "aws iam update-assume-role-policy --role-name {} --policy-document {}",
                    shell_word(name),
                    shell_word(&text)
                );
                trust.push(TrustFix {
                    role: name.to_string(),
                    document,
                    command,
                });
            }
        }
    }
    let any = !cut.roles.is_empty()
        || !remove.is_empty()
        || !trust.is_empty()
        || !blocked.is_empty()
        || !notes.is_empty();
    any.then_some(Fix {
        plan: cut,
        remove,
        trust,
        blocked,
        notes,
    })
}

/// One trust policy for a role serving every kind in `planned`: each kind's statements (the
/// plan's, or the one it would write for a role it creates), one per principal — a statement
/// without conditions already lets that principal in, so a conditioned one for the same
/// principal adds nothing (the execution role's trust has none: AWS documents confused-deputy
/// conditions for the task role only) — with distinct Sids, as IAM requires.
fn merged_trust(spec: &crate::EcsRoleSetSpec, planned: &[&PlannedRole]) -> Value {
    let mut out: Vec<Value> = Vec::new();
    for r in planned {
        let doc = match &r.trust_policy {
            Some(t) => t.to_iam_json(),
            None => crate::plan::trust_needed(spec, r.kind).to_iam_json(),
        };
        for s in statements_of(&doc) {
            let principal = s.get("Principal").cloned();
            let open = s.get("Condition").is_none();
            match out
                .iter()
                .position(|o| o.get("Principal").cloned() == principal)
            {
                Some(i) if open => out[i] = s,
                Some(_) => {}
                None => out.push(s),
            }
        }
    }
    for (i, s) in out.iter_mut().enumerate().skip(1) {
        if let Some(o) = s.as_object_mut() {
            let sid = o
                .get("Sid")
                .and_then(Value::as_str)
                .unwrap_or("Trust")
                .to_string();
            o.insert("Sid".into(), Value::from(format!("{sid}{}", i + 1)));
        }
    }
    json!({"Version": "2012-10-17", "Statement": out})
}

/// A document's statements, owned.
fn statements_of(doc: &Value) -> Vec<Value> {
    statements(doc).into_iter().cloned().collect()
}

/// The OASIS standard's SARIF 2.1.0 schema (errata 01), which `just sarif-check` validates
/// against with Microsoft's SARIF Multitool.
const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The report as SARIF 2.1.0 (code scanning in CI): one result per missing grant (error),
/// over-grant and trust problem (warning), located at `artifact` (the workload's file).
pub fn sarif(r: &AuditReport, artifact: &str) -> Value {
    sarif_all(&[(r, artifact)])
}

/// Several audits in one SARIF run (`ecsroles audit --live --cluster`: one artifact per
/// service, e.g. `ecs://cluster/service`).
pub fn sarif_all(reports: &[(&AuditReport, &str)]) -> Value {
    use serde_json::json;
    let rule = |id: &str, text: &str, level: &str| json!({"id": id, "shortDescription": {"text": text}, "defaultConfiguration": {"level": level}});
    // A finding is about the whole file (or service): SARIF's minimal whole-artifact region.
    let result = |id: &str, level: &str, text: String, artifact: &str| {
        json!({"ruleId": id, "level": level, "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact}, "region": {"startLine": 1}}}]})
    };
    let mut results: Vec<Value> = Vec::new();
    for (r, artifact) in reports {
        for (id, level, text) in sarif_findings(r) {
            results.push(result(id, level, text, artifact));
        }
    }
    json!({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "ecsroles", "version": env!("CARGO_PKG_VERSION"),
            "informationUri": env!("CARGO_PKG_REPOSITORY"), "rules": [
            rule("missing-grant", "A grant the workload needs is missing: the task fails", "error"),
            rule("over-grant", "The role allows more than the workload needs", "warning"),
            rule("trust", "The role's trust policy is not what ECS needs", "warning"),
        ]}},
        "results": results,
    }]})
}

/// (rule, level, message) per finding, in role order.
fn sarif_findings(r: &AuditReport) -> Vec<(&'static str, &'static str, String)> {
    let mut found = Vec::new();
    for x in r.roles.iter().filter(|x| x.found) {
        let who = format!("{} ({})", x.name, x.title);
        for m in &x.missing {
            let fails = m
                .breaks
                .as_ref()
                .map(|b| format!(" ECS fails as: {b}"))
                .unwrap_or_default();
            let text = format!(
                "{who} does not allow {} on {}, which the workload needs ({}: {}).{fails}",
                m.action,
                m.resource,
                m.sid,
                m.why.trim_end_matches('.')
            );
            found.push(("missing-grant", "error", text));
        }
        for o in &x.over_grants {
            let text = format!(
                "{who} allows {} on {} ({}): {}.",
                o.action, o.resource, o.policy, o.why
            );
            found.push(("over-grant", "warning", text));
        }
        for t in &x.trust {
            // A principal the role needs and does not trust: the task fails (exit 1).
            let level = if t.starts_with(DOES_NOT_TRUST) {
                "error"
            } else {
                "warning"
            };
            found.push(("trust", level, format!("{who} {t}.")));
        }
    }
    found
}

/// The name a pasted policy document goes by (its real name is not known).
const PASTED: &str = "pasted policy";

const NOT_SEEN: &str = "Not judged here: service control policies, resource policies (key, secret, bucket, repository policies), session policies; a missing role is created by the plan.";

/// The IAM name of a role the plan uses or makes (service-linked roles are not audited).
pub fn role_name(r: &PlannedRole) -> Option<String> {
    if r.provisioning == Provisioning::ServiceLinked {
        return None;
    }
    r.name
        .clone()
        .or_else(|| r.arn.rsplit('/').next().map(str::to_string))
}

/// The names of the roles [`audit`] compares: what to read from IAM for this plan.
pub fn role_names(plan: &RolePlan) -> Vec<String> {
    let mut names: Vec<String> = plan.roles.iter().filter_map(role_name).collect();
    names.sort();
    names.dedup();
    names
}

/// The Secrets Manager secrets the plan reads, as (the id DescribeSecret takes, the plan's
/// resource): a secret named without its random suffix (`…:secret:db-??????`) is looked up by
/// its partial ARN and its key bound to the pattern.
pub fn secrets_read(plan: &RolePlan) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = plan
        .roles
        .iter()
        .flat_map(|r| &r.inline_policies)
        .flat_map(|p| &p.document.statements)
        .filter(|s| {
            s.actions
                .iter()
                .any(|a| a.as_ref() == "secretsmanager:GetSecretValue")
        })
        .flat_map(|s| &s.resources)
        .filter(|r| r.contains(":secret:"))
        .filter_map(|r| {
            let id = r.strip_suffix("-??????").unwrap_or(r);
            (!id.contains(['*', '?'])).then(|| (id.to_string(), r.clone()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `keys[]` bindings for secrets under customer managed keys ((the plan's secret resource,
/// KmsKeyId) as DescribeSecret gives them). An alias is left out, with a note: IAM authorises keys, and
/// resolving an alias takes kms:DescribeKey, which this audit does not call.
pub fn secret_key_bindings(
    pairs: &[(String, String)],
) -> (Vec<crate::spec::KeyBinding>, Vec<String>) {
    let mut notes = Vec::new();
    let keys = pairs
        .iter()
        .filter(|(secret, key)| {
            let alias = key.starts_with("alias/") || key.contains(":alias/");
            if alias {
                notes.push(format!("secret {secret} is encrypted with {key}: an alias, not resolved; pass the key ARN in the spec's keys[] to audit its kms:Decrypt"));
            }
            !alias
        })
        .map(|(secret, key)| crate::spec::KeyBinding {
            for_resources: secret.clone(),
            key: key.clone(),
        })
        .collect();
    (keys, notes)
}

/// Audits the plan's roles against the account's.
pub fn audit(plan: &RolePlan, account: &Account) -> AuditReport {
    let roles = plan
        .roles
        .iter()
        .filter(|r| r.provisioning != Provisioning::ServiceLinked)
        .filter_map(|r| {
            let name = role_name(r)?;
            let actual = account.roles.iter().find(|a| a.name == name);
            Some(match actual {
                Some(a) => audit_role(plan, r, name, a, account),
                None => RoleAudit {
                    kind: r.kind,
                    title: r.title.clone(),
                    name,
                    verdict: Verdict::NotFound,
                    found: false,
                    missing: vec![],
                    conditional: vec![],
                    over_grants: vec![],
                    trust: vec![],
                    assumable: true,
                    unresolved: vec![],
                    detached: vec![],
                    from_snapshot: vec![],
                    deny_policies: vec![],
                },
            })
        })
        .collect();
    AuditReport {
        roles,
        not_seen: NOT_SEEN,
    }
}

/// One grant the plan needs: from its own statements, or from an AWS managed policy it attaches
/// (judged statement by statement from the embedded snapshot, so a role holding the same grants
/// inline is not called missing).
struct Need<'a> {
    sid: &'a str,
    why: String,
    actions: Vec<&'a str>,
    resources: Vec<Cow<'a, str>>,
    /// The plan's statement has a condition: a conditional allow is what it asks for.
    conditional: bool,
}

/// The grants the plan's own statements ask of these roles (their inline policies' Allows).
fn planned_needs<'a>(
    roles: impl IntoIterator<Item = &'a PlannedRole>,
) -> impl Iterator<Item = Need<'a>> {
    roles
        .into_iter()
        .flat_map(|r| &r.inline_policies)
        .flat_map(|p| &p.document.statements)
        .filter(|s| s.effect == Effect::Allow)
        .map(|s| Need {
            sid: &s.sid,
            why: s.why.to_string(),
            actions: s.actions.iter().map(|a| a.as_ref()).collect(),
            resources: s
                .resources
                .iter()
                .map(|x| Cow::Borrowed(x.as_str()))
                .collect(),
            conditional: !s.conditions.is_empty(),
        })
}

/// The name of an AWS managed policy ARN (`arn:<partition>:iam::aws:policy/<path><name>`).
fn aws_managed_name(arn: &str) -> Option<&str> {
    let a = crate::arn::Arn::parse(arn)?;
    let path = a.resource.strip_prefix("policy/")?;
    (a.service == "iam" && a.account == "aws").then(|| path.rsplit('/').next())?
}

/// The embedded snapshot of the AWS managed policy `arn` names ([`crate::managed_snapshot`]).
fn snapshot(arn: &str) -> Option<&'static ManagedPolicy> {
    let name = aws_managed_name(arn)?;
    crate::managed_snapshot::POLICIES
        .iter()
        .find(|p| p.name == name)
}

/// A snapshot as a policy document for [`evaluate`]. A statement's condition is not kept, only
/// that it has one: the evaluator counts any condition as "allowed if it holds".
fn snapshot_document(p: &ManagedPolicy, arn: &str) -> Value {
    // AWS writes the policy per partition (arn:aws-cn:… in China): the attached ARN's.
    let partition = arn.split(':').nth(1).unwrap_or("aws");
    let statements: Vec<Value> = p
        .statements
        .iter()
        .map(|s| {
            let resources: Vec<String> = s
                .resources
                .iter()
                .map(|r| match r.strip_prefix("arn:aws:") {
                    Some(rest) => format!("arn:{partition}:{rest}"),
                    None => r.to_string(),
                })
                .collect();
            let mut st = json!({
                "Effect": if s.allow { "Allow" } else { "Deny" },
                "Action": s.actions,
                "Resource": resources,
            });
            if s.conditional {
                st["Condition"] =
                    json!({ "ecsroles": "AWS's condition (not kept in the snapshot)" });
            }
            st
        })
        .collect();
    json!({ "Statement": statements })
}

/// A snapshot resource in the workload's partition, and its Region and account where AWS wrote
/// `*` (`arn:aws:ec2:*:*:volume/*` → `arn:aws-cn:ec2:cn-north-1:111122223333:volume/*`): the
/// workload's calls touch only those, so a copy scoped to its account still holds. A Region or
/// account that is a placeholder stays `*`.
fn localize(resource: &str, partition: &str, region: &str, account: &str) -> String {
    let Some(mut a) = crate::arn::Arn::parse(resource) else {
        return resource.to_string();
    };
    let known = |v: &str| !v.is_empty() && !v.contains("${");
    if a.partition == "aws" && known(partition) {
        a.partition = partition;
    }
    if a.region == "*" && known(region) {
        a.region = region;
    }
    if a.account == "*" && known(account) {
        a.account = account;
    }
    format!(
        "arn:{}:{}:{}:{}:{}",
        a.partition, a.service, a.region, a.account, a.resource
    )
}

/// Whether the role's attached policy `have` is the plan's `want` (AWS managed policies by name,
/// whatever the partition).
fn same_policy(have: &str, want: &str) -> bool {
    have == want
        || matches!((aws_managed_name(have), aws_managed_name(want)), (Some(a), Some(b)) if a == b)
}

fn audit_role(
    plan: &RolePlan,
    r: &PlannedRole,
    name: String,
    a: &IamRole,
    account: &Account,
) -> RoleAudit {
    let mut unresolved = Vec::new();
    let mut from_snapshot = Vec::new();
    // Documents the file does not carry, taken from the embedded snapshot (owned here).
    let taken: Vec<(&str, Value)> = a
        .managed
        .iter()
        .chain(&a.boundary)
        .filter(|m| !account.policies.contains_key(*m))
        .filter_map(|m| {
            let p = snapshot(m)?;
            from_snapshot.push(format!("{} {} ({})", p.name, p.version, p.created));
            Some((m.as_str(), snapshot_document(p, m)))
        })
        .collect();
    let doc_of = |m: &str| {
        account
            .policies
            .get(m)
            .or_else(|| taken.iter().find(|(n, _)| *n == m).map(|(_, d)| d))
    };
    let mut docs: Vec<(&str, &Value)> = a.inline.iter().map(|(n, d)| (n.as_str(), d)).collect();
    for m in &a.managed {
        match doc_of(m) {
            Some(d) => docs.push((m.as_str(), d)),
            None => unresolved.push(m.clone()),
        }
    }
    let boundary = a.boundary.as_deref().and_then(doc_of);
    // A boundary whose document is not known may refuse anything: nothing is "allowed" then,
    // only allowed if the boundary permits it.
    let boundary_unknown = a.boundary.is_some() && boundary.is_none();
    if boundary_unknown {
        unresolved.extend(a.boundary.clone());
    }
    let mut needs: Vec<Need> = planned_needs(std::slice::from_ref(r)).collect();
    // The AWS managed policies the plan attaches. Attached, one is what the plan asks for,
    // whatever AWS's current version says (and no over-grant, below). Not attached, its grants
    // (from the snapshot, in the workload's partition, Region and account) must come from the
    // role's own policies; one the snapshot does not hold is reported detached.
    let mut detached = Vec::new();
    for m in &r.managed_policies {
        if a.managed.iter().any(|h| same_policy(h, &m.arn)) {
            continue;
        }
        match snapshot(&m.arn) {
            Some(p) => needs.extend(p.statements.iter().filter(|s| s.allow).map(|s| {
                Need {
                    sid: p.name,
                    why: format!("{} (AWS managed policy {} {})", m.why, p.name, p.version),
                    actions: s.actions.to_vec(),
                    resources: s
                        .resources
                        .iter()
                        .map(|r| {
                            Cow::Owned(localize(r, &plan.partition, &plan.region, &plan.account))
                        })
                        .collect(),
                    conditional: s.conditional,
                }
            })),
            None => detached.push(m.arn.clone()),
        }
    }
    // The session ECS's messages name: the role's partition and account as IAM has them (a
    // pasted policy has no ARN: unknown, not the plan's placeholders), the session name (a
    // task or instance ID) unknown.
    let role_arn = crate::arn::Arn::parse(&a.arn);
    let session = format!(
        "arn:{}:sts::{}:assumed-role/{}/…",
        role_arn.as_ref().map_or("aws", |x| x.partition),
        role_arn.as_ref().map_or("…", |x| x.account),
        a.name
    );
    let (mut missing, mut conditional) = (Vec::new(), Vec::new());
    // Conditional allows the plan's own statement does not explain (it has no condition):
    // what makes the verdict "unproven".
    let mut unexplained = 0;
    for s in &needs {
        for action in &s.actions {
            for resource in &s.resources {
                let example = example_of(resource);
                let (mut decision, by) = evaluate(&docs, boundary, action, &example);
                // What refuses the call whatever is added beside it: a Deny, or the boundary —
                // also when nothing allows the call yet (the fix's grant would meet it).
                let bounded = || {
                    boundary.is_some_and(|b| {
                        let alone = evaluate(&[(BOUNDARY, b)], None, action, &example).0;
                        matches!(alone, Decision::ImplicitDeny | Decision::ExplicitDeny)
                    })
                };
                let blocked_by = match (decision, by) {
                    (Decision::Allowed | Decision::Conditional, _) => None,
                    (Decision::ExplicitDeny, Some(b)) => Some(b.to_string()),
                    (_, Some(BOUNDARY)) => Some(BOUNDARY.to_string()),
                    _ if bounded() => Some(BOUNDARY.to_string()),
                    _ => None,
                };
                if boundary_unknown && decision == Decision::Allowed {
                    decision = Decision::Conditional;
                }
                let m = Missing {
                    sid: s.sid.to_string(),
                    action: action.to_string(),
                    resource: resource.to_string(),
                    decision,
                    blocked_by,
                    why: s.why.clone(),
                    breaks: breaks(r.kind, &session, action, resource, decision, by),
                };
                match decision {
                    Decision::Allowed => {}
                    Decision::Conditional => {
                        unexplained += usize::from(!s.conditional || boundary_unknown);
                        conditional.push(m)
                    }
                    // Unresolved managed policies might allow it: not called missing.
                    _ if !unresolved.is_empty() => conditional.push(m),
                    _ => missing.push(m),
                }
            }
        }
    }
    // A trust policy nobody gave (one pasted policy document) is not judged.
    // A role that is also the execution role trusts ecs-tasks.amazonaws.com without conditions
    // (AWS documents none for it): the task role's conditions cannot be asked of it.
    let also_execution = r.kind != RoleKind::TaskExecution
        && plan
            .roles
            .iter()
            .any(|o| o.kind == RoleKind::TaskExecution && role_name(o) == role_name(r));
    let (trust, assumable) = if a.trust.is_null() {
        (vec![], true)
    } else {
        trust_problems(r, &a.trust, also_execution)
    };
    // What the plan attaches itself is not an over-grant.
    let deny_policies = docs
        .iter()
        .filter(|(_, d)| {
            statements(d)
                .iter()
                .any(|s| s.get("Effect").and_then(Value::as_str) == Some("Deny"))
        })
        .map(|(n, _)| n.to_string())
        .collect();
    // One role serving several kinds (task and execution role): what each of them needs, and
    // attaches, is needed of the role — not broader for the other.
    let same_role: Vec<&PlannedRole> = plan
        .roles
        .iter()
        .filter(|o| o.kind != r.kind && role_name(o) == role_name(r))
        .collect();
    needs.extend(planned_needs(same_role.iter().copied()));
    docs.retain(|(n, _)| {
        !r.managed_policies
            .iter()
            .chain(same_role.iter().flat_map(|o| &o.managed_policies))
            .any(|m| same_policy(n, &m.arn))
    });
    let over_grants = over_grants(&needs, &docs);
    let verdict = if !missing.is_empty() || !assumable {
        Verdict::Missing
    } else if !over_grants.is_empty() || !trust.is_empty() {
        Verdict::Broader
    } else if unexplained > 0 || !unresolved.is_empty() || !detached.is_empty() {
        Verdict::Unproven
    } else {
        Verdict::Fine
    };
    RoleAudit {
        kind: r.kind,
        title: r.title.clone(),
        name,
        verdict,
        found: true,
        missing,
        conditional,
        over_grants,
        trust,
        assumable,
        unresolved,
        detached,
        from_snapshot,
        deny_policies,
    }
}

/// What ECS prints when the role (`session`: its session's ARN) lacks `action` on
/// `resource`: the message as seen, else the title of the explain shape naming the action.
fn breaks(
    kind: RoleKind,
    session: &str,
    action: &str,
    resource: &str,
    decision: Decision,
    by: Option<&str>,
) -> Option<String> {
    use crate::explain::Refusal;
    let a = action.to_lowercase();
    let refusal = match (decision == Decision::ExplicitDeny, by == Some(BOUNDARY)) {
        (true, true) => Refusal::DeniedByBoundary,
        (true, false) => Refusal::Denied,
        (false, true) => Refusal::NotInBoundary,
        (false, false) => Refusal::NotAllowed,
    };
    crate::explain::printed(kind, session, action, resource, refusal).or_else(|| {
        crate::explain::SHAPES
            .iter()
            .find(|s| crate::explain::names_action(s, &a))
            .map(|s| s.title.to_string())
    })
}

/// Allow statements of the role that reach beyond the plan: wildcard actions, actions the
/// workload does not need, `*` where the plan names resources, NotAction allows.
fn over_grants(planned: &[Need], docs: &[(&str, &Value)]) -> Vec<OverGrant> {
    let needs = |action: &str| {
        planned
            .iter()
            .filter(|s| s.actions.iter().any(|a| a.eq_ignore_ascii_case(action)))
            .flat_map(|s| s.resources.iter().map(|r| r.as_ref()))
            .collect::<Vec<&str>>()
    };
    let mut out: Vec<OverGrant> = Vec::new();
    for (policy, doc) in docs {
        for s in statements(doc) {
            if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
                continue;
            }
            let resources = strings(s.get("Resource"));
            let resource = if resources.is_empty() {
                "(NotResource)".to_string()
            } else {
                resources.join(", ")
            };
            let mut push = |action: &str, why: String| {
                if !out
                    .iter()
                    .any(|o| o.policy == *policy && o.action == action && o.resource == resource)
                {
                    out.push(OverGrant {
                        policy: policy.to_string(),
                        action: action.to_string(),
                        resource: resource.clone(),
                        why,
                    });
                }
            };
            if s.get("NotAction").is_some() {
                push(
                    "(NotAction)",
                    "allows every action but the ones it lists".into(),
                );
                continue;
            }
            for a in strings(s.get("Action")) {
                let need = needs(a);
                if a.contains(['*', '?']) {
                    push(a, "a wildcard action: allows more than the workload calls, and more as the service adds actions".into());
                } else if need.is_empty() {
                    push(a, "the workload does not need this action".into());
                } else if resources.is_empty() && need.iter().any(|r| *r != "*") {
                    push(
                        a,
                        format!(
                            "on every resource but the ones it lists (NotResource); the workload needs it on {}",
                            need.join(", ")
                        ),
                    );
                } else if resources.contains(&"*") && need.iter().any(|r| *r != "*") {
                    push(
                        a,
                        format!(
                            "on every resource; the workload needs it on {}",
                            need.join(", ")
                        ),
                    );
                }
            }
        }
    }
    out
}

/// The values a Condition block requires `key` to have (keys are case-insensitive): only the
/// operators that allow exactly those values (`StringEquals`, `StringLike`, `ArnLike`, …, with
/// `IfExists` or a set prefix); a negated or `Null` test says nothing about the value wanted.
fn condition_values<'a>(condition: Option<&'a Value>, key: &str) -> Vec<&'a str> {
    const POSITIVE: [&str; 5] = [
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "ArnEquals",
        "ArnLike",
    ];
    condition
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|ops| ops.iter())
        .filter(|(op, _)| {
            let op = op.rsplit(':').next().unwrap_or(op);
            let op = op.strip_suffix("IfExists").unwrap_or(op);
            POSITIVE.contains(&op)
        })
        .filter_map(|(_, v)| v.as_object())
        .flat_map(|keys| keys.iter())
        .filter(|(k, _)| k.eq_ignore_ascii_case(key))
        .flat_map(|(_, v)| strings(Some(v)))
        .collect()
}

/// Why the role's trust statement `s` cannot hold for this workload: its `aws:SourceAccount`
/// names none of the plan's accounts, or each of its `aws:SourceArn` patterns names another
/// partition, Region or account than the plan's (compared part by part, so a pattern narrower
/// than the plan's — one cluster's tasks — is not a conflict). `None` when it can hold.
fn source_conflict(planned: Option<&crate::policy::Statement>, s: &Value) -> Option<String> {
    let planned = planned?;
    let want = |key: &str| -> Vec<&str> {
        planned
            .conditions
            .values()
            .flat_map(|m| m.iter())
            .filter(|(k, _)| k.eq_ignore_ascii_case(key))
            .flat_map(|(_, v)| v.iter().map(String::as_str))
            .collect()
    };
    // A placeholder in the plan (no account or Region given) could be anything.
    let open = |w: &str| w.contains("${");
    let have_account = condition_values(s.get("Condition"), "aws:SourceAccount");
    let want_account = want("aws:SourceAccount");
    if !have_account.is_empty()
        && !want_account.is_empty()
        && !have_account.iter().any(|h| {
            want_account
                .iter()
                .any(|w| open(w) || crate::guardrails::glob_match(h, w))
        })
    {
        return Some(format!(
            "aws:SourceAccount is {}, the workload's account is {}",
            have_account.join(", "),
            want_account.join(", ")
        ));
    }
    let have_arn = condition_values(s.get("Condition"), "aws:SourceArn");
    let want_arn = want("aws:SourceArn");
    // Partition, Region and account (placeholder-aware fields: `${AWS::Region}` holds
    // colons); a part of either that is a wildcard or a placeholder matches anything, and a
    // pattern with fewer parts ("arn:aws:ecs:*") leaves the rest open.
    let parts_agree =
        |h: &str, w: &str| match (crate::arn::Arn::parse(h), crate::arn::Arn::parse(w)) {
            (Some(h), Some(w)) => [
                (h.partition, w.partition),
                (h.region, w.region),
                (h.account, w.account),
            ]
            .iter()
            .all(|(a, b)| {
                a.contains(['*', '?'])
                    || b.contains(['*', '?'])
                    || open(b)
                    || crate::guardrails::glob_match(a, b)
            }),
            _ => true,
        };
    if !have_arn.is_empty()
        && !want_arn.is_empty()
        && !have_arn
            .iter()
            .any(|h| want_arn.iter().any(|w| parts_agree(h, w)))
    {
        return Some(format!(
            "aws:SourceArn is {}, the workload's is {}",
            have_arn.join(", "),
            want_arn.join(", ")
        ));
    }
    None
}

/// How a trust problem that blocks assumption starts (SARIF reports it as an error).
const DOES_NOT_TRUST: &str = "does not trust";

/// The role's trust against the plan's: the principal ECS needs, and the confused-deputy
/// conditions the plan sets. `false` when a principal the role needs is not trusted at all:
/// ECS cannot assume it and the task fails, like a missing grant.
fn trust_problems(r: &PlannedRole, trust: &Value, also_execution: bool) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut assumable = true;
    let allows = statements(trust)
        .into_iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .filter(|s| {
            strings(s.get("Action"))
                .iter()
                .any(|a| crate::guardrails::glob_match(a, "sts:AssumeRole"))
        })
        .collect::<Vec<_>>();
    let planned = r.trust_policy.as_ref().and_then(|t| t.statements.first());
    for p in &r.assumed_by {
        let trusting: Vec<&&Value> = allows
            .iter()
            .filter(|s| {
                strings(s.get("Principal").and_then(|x| x.get("Service"))).contains(&p.as_str())
            })
            .collect();
        if trusting.is_empty() {
            assumable = false;
            out.push(format!(
                "{DOES_NOT_TRUST} {p}: ECS cannot assume it (\"ECS was unable to assume the role\")"
            ));
            continue;
        }
        // A statement whose confused-deputy conditions name another account, Region or
        // partition than the workload's never holds for it.
        let mut conflicts = Vec::new();
        let holding = trusting.iter().find(|s| match source_conflict(planned, s) {
            Some(c) => {
                conflicts.push(c);
                false
            }
            None => true,
        });
        let Some(s) = holding else {
            assumable = false;
            out.push(format!(
                "{DOES_NOT_TRUST} {p} for this workload: {}; ECS cannot assume it (\"ECS was unable to assume the role\")",
                conflicts.join("; ")
            ));
            continue;
        };
        let wants_account = !also_execution
            && planned.is_some_and(|t| {
                t.conditions
                    .values()
                    .any(|m| m.contains_key("aws:SourceAccount"))
            });
        let has = s
            .get("Condition")
            .map(|c| c.to_string().to_ascii_lowercase())
            .unwrap_or_default();
        if wants_account && !has.contains("aws:sourceaccount") && !has.contains("aws:sourcearn") {
            out.push(format!("trusts {p} without the confused-deputy conditions the plan sets (aws:SourceAccount / aws:SourceArn)"));
        }
    }
    for s in &allows {
        for p in strings(s.get("Principal").and_then(|x| x.get("Service"))) {
            if !r.assumed_by.iter().any(|x| x == p) {
                out.push(format!(
                    "also trusts {p}, which this role's work does not need"
                ));
            }
        }
        if s.get("Principal").and_then(|x| x.get("AWS")).is_some() {
            out.push("also trusts AWS principals (accounts, users or roles): the workload needs only the service".into());
        }
    }
    (out, assumable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_resources_take_the_workloads_partition_region_and_account() {
        let l = |r| localize(r, "aws-cn", "cn-north-1", "111122223333");
        assert_eq!(
            l("arn:aws:ec2:*:*:volume/*"),
            "arn:aws-cn:ec2:cn-north-1:111122223333:volume/*"
        );
        assert_eq!(l("arn:aws:s3:::*"), "arn:aws-cn:s3:::*");
        assert_eq!(l("*"), "*");
        assert_eq!(
            localize("arn:aws:ec2:*:*:volume/*", "aws", "${AWS::Region}", ""),
            "arn:aws:ec2:*:*:volume/*"
        );
        let p = snapshot(
            "arn:aws-cn:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
        )
        .expect("by name, any partition and path");
        let doc = snapshot_document(p, "arn:aws-cn:iam::aws:policy/service-role/x");
        let text = doc.to_string();
        assert!(text.contains("arn:aws-cn:ec2:*:*:volume/*") && !text.contains("arn:aws:"));
    }

    #[test]
    fn only_conditions_that_require_a_value_give_one() {
        let c = json!({
            "StringNotEquals": {"aws:SourceAccount": "999999999999"},
            "Null": {"aws:SourceAccount": "false"},
            "ForAnyValue:StringLikeIfExists": {"aws:sourceaccount": ["1111*"]},
            "ArnNotLike": {"aws:SourceArn": "arn:aws:ecs:eu-west-1:*"}
        });
        assert_eq!(condition_values(Some(&c), "aws:SourceAccount"), ["1111*"]);
        assert!(condition_values(Some(&c), "aws:SourceArn").is_empty());
    }

    #[test]
    fn url_encoded_documents_are_read() {
        assert_eq!(url_decode("%7B%22a%22%3A%22b+c%22%7D"), "{\"a\":\"b+c\"}");
        assert_eq!(url_decode("100%"), "100%");
    }
}
