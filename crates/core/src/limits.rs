//! IAM's real limits, checked before anything leaves the core. Each error names the field and
//! the fix. Quotas: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>

use crate::model::{Finding, PlannedRole, Provisioning, RoleKind, RolePlan, Severity};
use crate::names::is_name_char;
use crate::rules::doc;
use crate::spec::RolesConfig;

/// Role and instance-profile names: 1–64 characters.
pub const ROLE_NAME_MAX: usize = 64;
/// Name prefixes: 38 characters (64 minus the 26-character unique suffix deploy tools add).
pub const NAME_PREFIX_MAX: usize = 38;
pub const PATH_MAX: usize = 512;
/// Aggregate size of all inline policies of one role (characters, white space not counted).
pub const INLINE_POLICIES_MAX: usize = 10_240;
pub const INLINE_POLICY_NAME_MAX: usize = 128;
/// Managed policies attached to one role: 10 by default, raisable to 20.
pub const MANAGED_POLICIES_DEFAULT: usize = 10;
pub const MANAGED_POLICIES_MAX: usize = 20;
/// Trust policy length: 2,048 by default, raisable to 4,096.
pub const TRUST_POLICY_DEFAULT: usize = 2_048;
pub const TRUST_POLICY_MAX: usize = 4_096;
pub const TAGS_MAX: usize = 50;
pub const TAG_KEY_MAX: usize = 128;
pub const TAG_VALUE_MAX: usize = 256;
/// MaxSessionDuration range in seconds.
pub const SESSION_MIN: i64 = 3_600;
pub const SESSION_MAX: i64 = 43_200;

fn err(path: String, message: String, fix: &str) -> Finding {
    Finding {
        severity: Severity::Error,
        path,
        message,
        fix: Some(fix.to_string()),
        doc: Some(doc::IAM_QUOTAS.to_string()),
    }
}

/// `/` or `/segment/…/`, printable ASCII without spaces, at most 512 characters.
pub fn valid_path(p: &str) -> bool {
    p.len() <= PATH_MAX
        && p.starts_with('/')
        && p.ends_with('/')
        && p.bytes().all(|b| (0x21..=0x7e).contains(&b))
        && !p.contains("//")
}

/// Tag characters IAM accepts: letters, digits, white space and `_ . : / = + - @`.
fn valid_tag_text(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
}

/// All limit checks for a plan.
pub fn check_plan(plan: &RolePlan, roles: &RolesConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<(String, RoleKind, Provisioning)> = Vec::new();
    for r in &plan.roles {
        if r.provisioning == Provisioning::ServiceLinked {
            continue;
        }
        let base = format!("roles.{}", r.kind.key());
        if r.provisioning == Provisioning::Create {
            check_identity(r, &base, &mut out);
        }
        if let Some(n) = &r.name {
            let lower = n.to_ascii_lowercase();
            // One existing role serving as both task and execution role is fine (ECS allows
            // it); two roles to create under one name is not.
            let clash = seen.iter().find(|(s, _, p)| {
                *s == lower
                    && !(*p == Provisioning::Existing && r.provisioning == Provisioning::Existing)
            });
            if let Some((_, other, _)) = clash {
                out.push(err(format!("{base}.name"),
                    format!("{} and {} would both be named {n:?}; IAM role names are unique case-insensitively", other.title(), r.kind.title()),
                    "give one of them another name"));
            }
            seen.push((lower, r.kind, r.provisioning));
        }
        check_policies(r, &base, &mut out);
        if let Some(cfg) = r.kind.config(roles) {
            check_tags(cfg.tags.iter(), &base, &mut out);
        }
    }
    out
}

fn check_identity(r: &PlannedRole, base: &str, out: &mut Vec<Finding>) {
    if let Some(n) = &r.name {
        let len = n.chars().count();
        if len == 0 || len > ROLE_NAME_MAX {
            out.push(err(
                format!("{base}.name"),
                format!("role name {n:?} has {len} characters; IAM allows 1 to {ROLE_NAME_MAX}"),
                "shorten the name or use namePrefix",
            ));
        }
        if let Some(bad) = n.chars().find(|c| !is_name_char(*c)) {
            out.push(err(format!("{base}.name"), format!("role name {n:?} contains {bad:?}; IAM allows letters, digits and + = , . @ _ -"), "remove or replace that character"));
        }
    }
    if let Some(p) = &r.name_prefix {
        let len = p.chars().count();
        if len == 0 || len > NAME_PREFIX_MAX {
            out.push(err(format!("{base}.namePrefix"), format!("name prefix {p:?} has {len} characters; the limit is {NAME_PREFIX_MAX} (64 minus the 26-character unique suffix)"), "shorten the prefix"));
        }
        if let Some(bad) = p.chars().find(|c| !is_name_char(*c)) {
            out.push(err(
                format!("{base}.namePrefix"),
                format!("name prefix {p:?} contains {bad:?}"),
                "use letters, digits and + = , . @ _ -",
            ));
        }
    }
    if !valid_path(&r.path) {
        out.push(err(
            format!("{base}.path"),
            format!("path {:?} is not a valid IAM path", r.path),
            "use / or /segment/…/ (printable ASCII, no spaces, at most 512 characters)",
        ));
    }
    if let Some(d) = r.max_session_duration {
        if !(SESSION_MIN..=SESSION_MAX).contains(&d) {
            out.push(err(
                format!("{base}.maxSessionDuration"),
                format!("maxSessionDuration {d} is outside {SESSION_MIN}..{SESSION_MAX} seconds"),
                "use a value between 3600 (1 hour) and 43200 (12 hours)",
            ));
        }
    }
    if let Some(b) = &r.permissions_boundary {
        let ok = crate::arn::Arn::parse(b).is_some_and(|a| {
            a.service == "iam"
                && a.region.is_empty()
                && a.resource.starts_with("policy/")
                && a.resource.len() > "policy/".len()
        });
        if !ok {
            out.push(err(
                format!("{base}.permissionsBoundary"),
                format!("{b:?} is not a managed policy ARN"),
                "use arn:aws:iam::<account>:policy/<name>",
            ));
        }
    }
    if let Some(t) = &r.trust_policy {
        let size = t.iam_size();
        if size > TRUST_POLICY_MAX {
            out.push(err(
                base.to_string(),
                format!("trust policy is {size} characters; IAM's maximum is {TRUST_POLICY_MAX}"),
                "trust fewer principals",
            ));
        } else if size > TRUST_POLICY_DEFAULT {
            let mut f = err(base.to_string(), format!("trust policy is {size} characters; above the default quota of {TRUST_POLICY_DEFAULT}"), "request a quota increase (up to 4096) or simplify");
            f.severity = Severity::Warning;
            out.push(f);
        }
    }
}

fn check_policies(r: &PlannedRole, base: &str, out: &mut Vec<Finding>) {
    let total: usize = r
        .inline_policies
        .iter()
        .map(|p| p.document.iam_size())
        .sum();
    if total > INLINE_POLICIES_MAX {
        out.push(err(base.to_string(),
            format!("the {} inline policies total {total} characters; IAM allows {INLINE_POLICIES_MAX} per role", r.kind.title()),
            "split the workload, use fewer distinct resources (a shared prefix), or move statements to a customer managed policy"));
    }
    for p in &r.inline_policies {
        let len = p.name.chars().count();
        if len == 0 || len > INLINE_POLICY_NAME_MAX || p.name.chars().any(|c| !is_name_char(c)) {
            out.push(err(format!("{base}.inlinePolicies"), format!("inline policy name {:?} is not valid (1–128 of letters, digits, + = , . @ _ -)", p.name), "rename the workload"));
        }
    }
    let n = r.managed_policies.len();
    if n > MANAGED_POLICIES_MAX {
        out.push(err(
            format!("{base}.managedPolicies"),
            format!("{n} managed policies; IAM allows at most {MANAGED_POLICIES_MAX} per role"),
            "combine policies",
        ));
    } else if n > MANAGED_POLICIES_DEFAULT {
        let mut f = err(
            format!("{base}.managedPolicies"),
            format!(
                "{n} managed policies; the default quota is {MANAGED_POLICIES_DEFAULT} per role"
            ),
            "request a quota increase (up to 20) or combine policies",
        );
        f.severity = Severity::Warning;
        out.push(f);
    }
}

/// Tag checks, shared with callers that validate tags outside a plan (the controller's own tags).
pub fn check_tags<'a>(
    tags: impl Iterator<Item = (&'a String, &'a String)>,
    base: &str,
    out: &mut Vec<Finding>,
) {
    let mut count = 0;
    for (k, v) in tags {
        count += 1;
        let path = format!("{base}.tags.{k}");
        let klen = k.chars().count();
        if klen == 0 || klen > TAG_KEY_MAX {
            out.push(err(
                path.clone(),
                format!("tag key {k:?} has {klen} characters; IAM allows 1 to {TAG_KEY_MAX}"),
                "shorten the key",
            ));
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            out.push(err(
                path.clone(),
                format!("tag key {k:?} uses the reserved aws: prefix"),
                "choose a key without the aws: prefix",
            ));
        }
        if v.chars().count() > TAG_VALUE_MAX {
            out.push(err(
                path.clone(),
                format!("tag value of {k:?} exceeds {TAG_VALUE_MAX} characters"),
                "shorten the value",
            ));
        }
        if !valid_tag_text(k) || !valid_tag_text(v) {
            out.push(err(
                path,
                format!("tag {k:?}={v:?} contains characters IAM rejects"),
                "use letters, digits, spaces and _ . : / = + - @",
            ));
        }
    }
    if count > TAGS_MAX {
        out.push(err(
            format!("{base}.tags"),
            format!("{count} tags; IAM allows {TAGS_MAX} per role"),
            "remove tags",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert!(valid_path("/") && valid_path("/ecs/") && valid_path("/a/b/"));
        assert!(
            !valid_path("ecs/") && !valid_path("/ecs") && !valid_path("/a b/") && !valid_path("//")
        );
        assert!(!valid_path(&format!("/{}/", "a".repeat(511))));
    }
}
