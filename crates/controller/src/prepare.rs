//! From an `EcsRoleSet` to the spec the core plans: the controller, not the tenant, decides
//! role names, path and account, so a resource can only ever name roles derived from its own
//! namespace and name. Pure, so every rule here is unit-tested.

use std::collections::BTreeMap;

use ecsroles_core::controller_policy::OWNER_TAG_PREFIX;
use ecsroles_core::names;
use ecsroles_core::{EcsRoleSetSpec, RoleKind};

use crate::config::Config;

/// A spec the controller refuses, with the field that is wrong. Terminal: retrying cannot help
/// until the resource changes.
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
    use ecsroles_core::limits::ROLE_NAME_MAX;
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

/// Applies the controller's settings to a tenant's spec.
///
/// `recorded` holds the names already created for this resource (from its status): names are
/// immutable once created, even if the prefix setting changes later.
pub fn prepare(
    spec: &EcsRoleSetSpec,
    config: &Config,
    namespace: &str,
    name: &str,
    recorded: &BTreeMap<String, String>,
) -> Result<EcsRoleSetSpec, SpecError> {
    let mut out = spec.clone();
    let err = |path: String, message: String| SpecError { path, message };

    match &spec.account {
        Some(a) if a != &config.account_id => {
            return Err(err(
                "account".into(),
                format!(
                "this controller manages account {}, not {a}; remove the field or use that account",
                config.account_id
            ),
            ))
        }
        _ => out.account = Some(config.account_id.clone()),
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
        let owner_tags = crate::iam_state::OWNER_TAGS.len() + 1;
        let max = ecsroles_core::limits::TAGS_MAX - owner_tags;
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
    use clap::Parser;

    fn config() -> Config {
        Config::parse_from([
            "x",
            "--cluster-id",
            "c1",
            "--account-id",
            "123456789012",
            "--name-prefix",
            "k8s-",
        ])
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
        let plan = ecsroles_core::plan(&out);
        for r in plan
            .roles
            .iter()
            .filter(|r| r.provisioning == ecsroles_core::model::Provisioning::Create)
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

    /// A suffix ending in `-<another suffix>` would let `<name>-x` of one kind equal `<name>`
    /// of another: a new role kind must keep this true.
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
