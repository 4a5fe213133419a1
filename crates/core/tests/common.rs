//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ecsroles_core::model::{PlannedRole, RoleKind, RolePlan, Severity};
use ecsroles_core::policy::Statement;
use ecsroles_core::{parse_document, plan};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Parses a YAML/JSON document and plans it; panics with the parse error (tests only).
pub fn plan_doc(text: &str) -> RolePlan {
    let (spec, _) =
        parse_document(text).unwrap_or_else(|e| panic!("test document does not parse: {e}"));
    plan(&spec)
}

pub fn role(p: &RolePlan, kind: RoleKind) -> &PlannedRole {
    p.role(kind).unwrap_or_else(|| {
        panic!(
            "{kind:?} missing; roles: {:?}; absent: {:?}",
            p.roles.iter().map(|r| r.kind).collect::<Vec<_>>(),
            p.absent
        )
    })
}

pub fn statements(r: &PlannedRole) -> Vec<&Statement> {
    r.inline_policies
        .iter()
        .flat_map(|p| p.document.statements.iter())
        .collect()
}

pub fn stmt<'a>(p: &'a RolePlan, kind: RoleKind, sid: &str) -> &'a Statement {
    let r = role(p, kind);
    statements(r)
        .into_iter()
        .find(|s| s.sid == sid)
        .unwrap_or_else(|| {
            panic!(
                "{kind:?} has no statement {sid}; it has {:?}",
                statements(r).iter().map(|s| &s.sid).collect::<Vec<_>>()
            )
        })
}

pub fn has_stmt(p: &RolePlan, kind: RoleKind, sid: &str) -> bool {
    p.role(kind)
        .is_some_and(|r| statements(r).iter().any(|s| s.sid == sid))
}

/// Every action a role's inline policies allow, on which resources.
pub fn allows(p: &RolePlan, kind: RoleKind, action: &str, resource: &str) -> bool {
    p.role(kind).is_some_and(|r| {
        statements(r).iter().any(|s| {
            s.effect == ecsroles_core::policy::Effect::Allow
                && s.actions.iter().any(|a| a == action)
                && s.resources.iter().any(|x| x == resource)
        })
    })
}

pub fn errors(p: &RolePlan) -> Vec<String> {
    p.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.path, f.message))
        .collect()
}

pub fn warnings(p: &RolePlan) -> Vec<String> {
    p.findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| format!("{}: {}", f.path, f.message))
        .collect()
}

pub fn has_error_at(p: &RolePlan, path: &str) -> bool {
    p.findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.path == path)
}

pub fn absent_why(p: &RolePlan, kind: RoleKind) -> String {
    p.absent
        .iter()
        .find(|a| a.kind == kind)
        .map(|a| a.why.to_string())
        .unwrap_or_else(|| panic!("{kind:?} is not absent"))
}

/// Example documents, sorted: (file, is_invalid).
pub fn examples() -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    for (dir, invalid) in [("examples", false), ("examples/invalid", true)] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join(dir))
            .expect("examples directory")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                )
            })
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (f, invalid)));
    }
    out
}

/// Golden-file check: `UPDATE_GOLDEN=1` rewrites, otherwise compares. Returns a mismatch note.
pub fn golden(rel: &str, actual: &str) -> Option<String> {
    let path = repo_root().join("tests/golden").join(rel);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir golden");
        std::fs::write(&path, actual).expect("write golden");
        return None;
    }
    match std::fs::read_to_string(&path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => {
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .map(|i| i + 1)
                .unwrap_or(expected.lines().count().min(actual.lines().count()) + 1);
            Some(format!("{rel}: differs from line {line} (run `UPDATE_GOLDEN=1 cargo test` and review the diff)"))
        }
        Err(_) => Some(format!(
            "{rel}: missing golden file (run `UPDATE_GOLDEN=1 cargo test`)"
        )),
    }
}

/// IAM's matching of one (action, resource) against what a role is given: its inline Allow
/// statements and the AWS managed policies the plan attaches (their statements from the core's
/// snapshot, `managed_snapshot`; a managed policy outside it is not evaluated), less its inline
/// Deny statements. Wildcards on both, actions case-insensitive, conditions assumed to hold (a
/// conditional Allow counts as allowing; a conditional Deny as denying). Used where a test
/// states what must (not) be allowed independently of how ecsroles spells its ARNs.
pub fn permits(p: &RolePlan, kind: RoleKind, action: &str, resource: &str) -> bool {
    permits_as(p, kind, action, resource, |x| x.to_string())
}

/// [`permits`] for a plan deployed where `resource` is: the `${AWS::Partition}`,
/// `${AWS::Region}` and `${AWS::AccountId}` a plan writes when its file does not say them are
/// filled with `resource`'s own, as a deployment there fills them. For least-privilege checks:
/// a deny on a concrete Region or account then has a resource to match instead of passing
/// vacuously.
pub fn permits_anywhere(p: &RolePlan, kind: RoleKind, action: &str, resource: &str) -> bool {
    let f: Vec<&str> = resource.splitn(6, ':').collect();
    let (partition, region, account) = match f[..] {
        ["arn", partition, _, region, account, _] => (partition, region, account),
        _ => return permits(p, kind, action, resource),
    };
    permits_as(p, kind, action, resource, |x| {
        x.replace("${AWS::Partition}", partition)
            .replace("${AWS::Region}", region)
            .replace("${AWS::AccountId}", account)
    })
}

fn permits_as(
    p: &RolePlan,
    kind: RoleKind,
    action: &str,
    resource: &str,
    fill: impl Fn(&str) -> String,
) -> bool {
    use ecsroles_core::arn::glob_match;
    use ecsroles_core::policy::Effect;
    let action = action.to_ascii_lowercase();
    let acts = |list: &[&str]| {
        list.iter()
            .any(|a| glob_match(&a.to_ascii_lowercase(), &action))
    };
    let on = |list: &[String]| list.iter().any(|x| glob_match(&fill(x), resource));
    let Some(r) = p.role(kind) else {
        return false;
    };
    let inline = statements(r);
    let matches = |s: &&Statement| {
        let a: Vec<&str> = s.actions.iter().map(|a| a.as_ref()).collect();
        let not: Vec<&str> = s.not_actions.iter().map(|a| a.as_ref()).collect();
        // NotAction (only in user-written statements): every action but those.
        let action_ok = if not.is_empty() {
            acts(&a)
        } else {
            !acts(&not)
        };
        action_ok
            && if s.not_resources.is_empty() {
                on(&s.resources)
            } else {
                !on(&s.not_resources)
            }
    };
    let denied = inline
        .iter()
        .any(|s| s.effect == Effect::Deny && matches(s));
    let inline_allow = inline
        .iter()
        .any(|s| s.effect == Effect::Allow && matches(s));
    let managed_allow = r.managed_policies.iter().any(|m| {
        // AWS managed policies only (a customer policy may share a name).
        if !m.arn.contains(":iam::aws:policy/") {
            return false;
        }
        let name = m.arn.rsplit('/').next().unwrap_or_default();
        ecsroles_core::managed_snapshot::POLICIES
            .iter()
            .filter(|mp| mp.name == name)
            .flat_map(|mp| mp.statements)
            .any(|row| {
                row.allow
                    && acts(row.actions)
                    && row.resources.iter().any(|x| glob_match(&fill(x), resource))
            })
    });
    !denied && (inline_allow || managed_allow)
}
