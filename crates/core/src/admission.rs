//! Admission: one author for the verdict on a tenant's EcsRoleSet.
//!
//! The platform decides role names, path and account (so a resource can only ever name roles
//! derived from its own namespace and name), and its guardrails decide what any role may do.
//! Both are applied here, in the core, in one order — the platform's settings, the mandatory
//! boundary, the plan, the guardrail checks — so the CLI (`validate --tenant`), the calculator
//! and the controller reach the identical verdict with the identical message. The controller
//! adds only what IAM and the API server know (name collisions, roles held elsewhere in the
//! namespace), passed in through [`Tenant`].

use std::collections::BTreeMap;

use crate::controller_policy::{OWNER_TAGS, OWNER_TAG_PREFIX};
use crate::guardrails::{self, Guardrails, Violation};
use crate::model::{RolePlan, Severity};
use crate::{names, EcsRoleSetSpec, RoleKind};

/// The platform's settings for every tenant (the controller's flags, the chart's values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// The one account roles are created in.
    pub account: String,
    /// Prepended to every role name.
    pub name_prefix: String,
    /// IAM path of every role and instance profile.
    pub role_path: String,
}

/// Where the EcsRoleSet lives and what the platform knows about it beyond its spec.
#[derive(Debug, Clone, Default)]
pub struct Tenant<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    /// Names already created for this resource (its status): once created, a name is kept,
    /// even if the prefix setting changes later.
    pub recorded: Option<&'a BTreeMap<String, String>>,
    /// The resource asks to adopt existing roles (annotation `ecsroles.dev/adopt`).
    pub adopt_requested: bool,
    /// Roles the namespace's other EcsRoleSets hold (for `maxRolesPerNamespace`).
    pub roles_elsewhere_in_namespace: usize,
}

/// Why a spec is refused, as the controller's `Ready` condition reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The spec cannot be planned as written (a missing region, a plan error).
    InvalidSpec,
    /// The platform does not allow it (its settings or its guardrails).
    PolicyViolation,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::InvalidSpec => "InvalidSpec",
            Reason::PolicyViolation => "PolicyViolation",
        }
    }
}

/// An admitted EcsRoleSet: the spec as the platform completed it (names, path, account, the
/// mandatory boundary) and its plan.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub spec: EcsRoleSetSpec,
    pub plan: RolePlan,
}

/// A refused EcsRoleSet: the reason, the one message every delivery shows, the plan when the
/// refusal came after planning (its findings explain more), and every guardrail violation.
#[derive(Debug, Clone)]
pub struct Refused {
    pub reason: Reason,
    pub message: String,
    pub plan: Option<Box<RolePlan>>,
    pub violations: Vec<Violation>,
}

/// Applies the platform's settings and guardrails to a tenant's spec: see the module comment.
pub fn admit(
    spec: &EcsRoleSetSpec,
    platform: &Platform,
    guardrails: &Guardrails,
    tenant: &Tenant,
) -> Result<Admitted, Refused> {
    let refused = |reason, message, plan, violations| Refused {
        reason,
        message,
        plan,
        violations,
    };
    let empty = BTreeMap::new();
    let recorded = tenant.recorded.unwrap_or(&empty);
    // Names, path, account and shared roles are the platform's: a tenant reaching for them
    // violates its policy; a missing region is just an invalid spec.
    let mut spec =
        prepare(spec, platform, tenant.namespace, tenant.name, recorded).map_err(|e| {
            let reason = if e.path == "region" {
                Reason::InvalidSpec
            } else {
                Reason::PolicyViolation
            };
            refused(reason, e.to_string(), None, vec![])
        })?;
    let policy = guardrails
        .for_namespace(Some(tenant.namespace))
        .map_err(|e| {
            let ns = tenant.namespace;
            let msg = format!("guardrail policy for namespace {ns} is invalid: {e}");
            refused(Reason::PolicyViolation, msg, None, vec![])
        })?;
    let mut violations = policy.prepare(&mut spec);
    let plan = crate::plan(&spec);
    if let Some(f) = plan.findings.iter().find(|f| f.severity == Severity::Error) {
        let msg = format!("spec.{}: {}", f.path, f.message);
        return Err(refused(
            Reason::InvalidSpec,
            msg,
            Some(Box::new(plan)),
            violations,
        ));
    }
    let cx = guardrails::Context {
        namespace: Some(tenant.namespace),
        roles_elsewhere_in_namespace: tenant.roles_elsewhere_in_namespace,
        adopt_requested: tenant.adopt_requested,
    };
    violations.extend(policy.check(&spec, &plan, &cx));
    if violations.is_empty() {
        return Ok(Admitted { spec, plan });
    }
    let msg: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    let msg = msg.join("; ");
    Err(refused(
        Reason::PolicyViolation,
        msg,
        Some(Box::new(plan)),
        violations,
    ))
}

/// A field of the spec the platform refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "spec.{}: {}", self.path, self.message)
    }
}

/// The workload's name in the plan (its policies' names): `<prefix><namespace>-<name>`. Not a
/// role name, so it need not be unique; unchanged so existing policies keep their names.
pub fn workload_name(prefix: &str, namespace: &str, name: &str) -> String {
    format!("{prefix}{namespace}-{name}")
}

/// The role name for `kind`: `<prefix><namespace>_<name>-<suffix>`.
///
/// Why it cannot collide across namespaces: `_` appears in neither a namespace (a DNS label)
/// nor an object name (a DNS subdomain), so the first `_` after the prefix splits every name
/// back into its one (namespace, name); no role suffix ends in `-<another suffix>` (tested),
/// so no two kinds share a name either. (`<namespace>-<name>` was ambiguous: `team-a/api` and
/// `team/a-api` both gave `team-a-api-…`, so one tenant could take another's names.)
///
/// Past IAM's 64 characters it becomes `<prefix><head>-<digest>-<suffix>`: `head` is the start
/// of `<namespace>-<name>` (for reading only) and `digest` 16 hex digits of SHA-256 over
/// `<namespace>/<name>` (12 with a 32-character prefix), which no tenant can aim at another's.
/// It holds no `_` after the prefix, so it never equals a name of the first form.
pub fn role_name(prefix: &str, namespace: &str, name: &str, kind: RoleKind) -> String {
    use crate::limits::ROLE_NAME_MAX;
    use sha2::Digest;
    let suffix = kind.name_suffix();
    let full = format!("{prefix}{namespace}_{name}-{suffix}");
    if full.len() <= ROLE_NAME_MAX && full.chars().all(names::is_name_char) {
        return full;
    }
    let digest = sha2::Sha256::digest(format!("{namespace}/{name}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    // Room for `<head>-<digest>` or the digest alone (`--name-prefix` is at most 32).
    let room = ROLE_NAME_MAX.saturating_sub(prefix.len() + suffix.len() + 1);
    let digest = &hex[..room.min(16)];
    let head_len = room.saturating_sub(digest.len() + 1);
    let head: String = names::sanitize(&format!("{namespace}-{name}"))
        .chars()
        .filter(|c| *c != '_')
        .take(head_len)
        .collect();
    let head = head.trim_end_matches('-');
    let out = if head.is_empty() {
        format!("{prefix}{digest}-{suffix}")
    } else {
        format!("{prefix}{head}-{digest}-{suffix}")
    };
    names::fit(&out, ROLE_NAME_MAX)
}

/// Applies the platform's settings to a tenant's spec (the first step of [`admit`]).
///
/// `recorded` holds the names already created for this resource (from its status): names are
/// immutable once created, even if the prefix setting changes later.
fn prepare(
    spec: &EcsRoleSetSpec,
    config: &Platform,
    namespace: &str,
    name: &str,
    recorded: &BTreeMap<String, String>,
) -> Result<EcsRoleSetSpec, SpecError> {
    let mut out = spec.clone();
    let err = |path: String, message: String| SpecError { path, message };

    match &spec.account {
        Some(a) if a != &config.account => {
            return Err(err(
                "account".into(),
                format!(
                "this controller manages account {}, not {a}; remove the field or use that account",
                config.account
            ),
            ))
        }
        _ => out.account = Some(config.account.clone()),
    }
    if out.region.is_none() {
        return Err(err(
            "region".into(),
            "required by the controller (role policies are scoped to one region's ARNs)".into(),
        ));
    }

    for kind in RoleKind::ALL {
        let key = kind.key();
        let Some(cfg) = kind.config_mut(&mut out.roles) else {
            continue;
        };
        let at = |field: &str| format!("roles.{key}.{field}");
        if cfg.name.is_some() {
            return Err(err(at("name"), "the controller names roles itself (<prefix><namespace>_<name>-<role>); remove the field".into()));
        }
        if cfg.name_prefix.is_some() {
            return Err(err(
                at("namePrefix"),
                "the controller names roles itself; remove the field".into(),
            ));
        }
        if cfg.path.is_some() {
            return Err(err(
                at("path"),
                format!(
                    "the controller puts every role under {}; remove the field",
                    config.role_path
                ),
            ));
        }
        if let Some(k) = cfg.tags.keys().find(|k| k.starts_with(OWNER_TAG_PREFIX)) {
            return Err(err(
                format!("roles.{key}.tags.{k}"),
                format!(
                    "{OWNER_TAG_PREFIX}* tags are the controller's owner tags; use another key"
                ),
            ));
        }
        // The owner tags, and room for the retained marker a `Retain` deletion adds.
        let owner_tags = OWNER_TAGS.len() + 1;
        let max = crate::limits::TAGS_MAX - owner_tags;
        if cfg.tags.len() > max {
            return Err(err(
                at("tags"),
                format!(
                    "{} tags; IAM allows 50 per role and the controller keeps {} for its own, so at most {max}",
                    cfg.tags.len(),
                    owner_tags
                ),
            ));
        }
        if cfg.shared {
            return Err(err(at("shared"), "a shared role belongs to no single EcsRoleSet, so the controller cannot own it; reference it with existingArn instead".into()));
        }
        if cfg.existing_arn.is_none() {
            cfg.name = Some(
                recorded
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| role_name(&config.name_prefix, namespace, name, kind)),
            );
            cfg.path = Some(config.role_path.clone());
        }
    }
    out.name = Some(workload_name(&config.name_prefix, namespace, name));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Platform {
        Platform {
            account: "123456789012".into(),
            name_prefix: "k8s-".into(),
            role_path: "/ecsroles/".into(),
        }
    }

    fn spec(yaml: &str) -> EcsRoleSetSpec {
        serde_yaml::from_str(yaml).unwrap()
    }

    const BASE: &str = "region: us-east-1\ntaskDefinition:\n  family: web\n  containerDefinitions:\n    - name: app\n      image: nginx\n";

    #[test]
    fn names_come_from_namespace_and_name_and_are_pinned() {
        let out = prepare(&spec(BASE), &config(), "payments", "api", &BTreeMap::new()).unwrap();
        assert_eq!(out.account.as_deref(), Some("123456789012"));
        assert_eq!(
            out.roles.task_execution.name.as_deref(),
            Some("k8s-payments_api-execution")
        );
        assert_eq!(out.roles.task.path.as_deref(), Some("/ecsroles/"));
        let plan = crate::plan(&out);
        for r in plan
            .roles
            .iter()
            .filter(|r| r.provisioning == crate::model::Provisioning::Create)
        {
            assert!(r.name.as_deref().unwrap().starts_with("k8s-payments_api-"));
            assert_eq!(r.path, "/ecsroles/");
        }
    }

    #[test]
    fn recorded_names_win_over_a_changed_prefix() {
        let recorded = BTreeMap::from([("task".to_string(), "old-payments-api-task".to_string())]);
        let out = prepare(&spec(BASE), &config(), "payments", "api", &recorded).unwrap();
        assert_eq!(
            out.roles.task.name.as_deref(),
            Some("old-payments-api-task")
        );
    }

    #[test]
    fn long_names_fit_with_distinct_digests() {
        let ns = "n".repeat(63);
        let a = role_name("", &ns, &"a".repeat(63), RoleKind::Task);
        let b = role_name("", &ns, &("a".repeat(62) + "b"), RoleKind::Task);
        assert!(a.len() <= 64 && b.len() <= 64, "{a} {b}");
        assert_ne!(a, b);
        assert!(a.ends_with("-task") && a.starts_with("nnnn"), "{a}");
        // The longest prefix the controller accepts still leaves a 12-digit digest.
        let p = "p".repeat(32);
        let c = role_name(&p, &ns, "x", RoleKind::VolumeInfrastructure);
        assert_eq!(c.len(), 64, "{c}");
        assert!(
            c.starts_with(&p) && c.ends_with("-ebs-infrastructure"),
            "{c}"
        );
    }

    /// Namespaces are DNS labels and names DNS subdomains (dots allowed): pairs that read the
    /// same with a `-` between them must still get different roles, short and long.
    #[test]
    fn no_two_namespaces_or_names_share_a_role_name() {
        let long = "x".repeat(50);
        let pairs = [
            ("team-a", "api".to_string()),
            ("team", "a-api".to_string()),
            ("team-a-api", "x".to_string()),
            ("team", "a.api".to_string()),
            ("team-a", format!("{long}-api")),
            ("team", format!("a-{long}-api")),
            ("a", "b-task".to_string()),
            ("a-b", "task".to_string()),
        ];
        let mut seen = std::collections::BTreeMap::new();
        for (ns, name) in &pairs {
            for kind in RoleKind::ALL {
                for prefix in ["", "k8s-", "pre_"] {
                    let n = role_name(prefix, ns, name, kind);
                    assert!(n.len() <= 64 && n.chars().all(names::is_name_char), "{n}");
                    if let Some(other) = seen.insert((prefix, n.clone()), (ns, name, kind)) {
                        panic!("{n}: {other:?} and {:?}", (ns, name, kind));
                    }
                }
            }
        }
    }

    #[test]
    fn no_role_suffix_ends_with_another() {
        for a in RoleKind::ALL {
            for b in RoleKind::ALL {
                let tail = format!("-{}", b.name_suffix());
                assert!(a == b || !a.name_suffix().ends_with(&tail), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn tenant_cannot_choose_names_paths_accounts_or_shared_roles() {
        for (yaml, path) in [
            ("roles:\n  task:\n    name: admin\n", "roles.task.name"),
            (
                "roles:\n  taskExecution:\n    namePrefix: x\n",
                "roles.taskExecution.namePrefix",
            ),
            ("roles:\n  task:\n    path: /other/\n", "roles.task.path"),
            ("roles:\n  task:\n    shared: true\n", "roles.task.shared"),
            ("account: \"999999999999\"\n", "account"),
            (
                "roles:\n  task:\n    tags: {ecsroles.dev/uid: forged}\n",
                "roles.task.tags.ecsroles.dev/uid",
            ),
        ] {
            let e = prepare(
                &spec(&format!("{BASE}{yaml}")),
                &config(),
                "ns",
                "n",
                &BTreeMap::new(),
            )
            .unwrap_err();
            assert_eq!(e.path, path, "{e}");
        }
        let no_region = BASE.replace("region: us-east-1\n", "");
        assert_eq!(
            prepare(&spec(&no_region), &config(), "ns", "n", &BTreeMap::new())
                .unwrap_err()
                .path,
            "region"
        );
    }
}
