//! Tenant guardrails: what a platform team allows any EcsRoleSet to ask for. Evaluated here, in
//! the core, so the CLI (`--guardrails`) and the controller reach the same verdict; the
//! controller's whole admission (its names, path and account first) is [`crate::admission`].
//!
//! Evaluation is semantic, after IAM's matching rules
//! (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html):
//! action names are case-insensitive; `*` and `?` are wildcards; `NotAction`/`NotResource` grant
//! everything they do not list; an unconditional `Deny` in the same policy takes precedence.
//! Where an exact answer would need more than pattern arithmetic, the evaluator errs towards
//! "violation": it may refuse something harmless, never allow something denied.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Provisioning, RolePlan};
use crate::policy::{Effect, Statement};
use crate::spec::EcsRoleSetSpec;
use crate::RoleKind;

/// A denied action on a resource pattern, e.g. `sts:AssumeRole` on `*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionResource {
    pub action: String,
    pub resource: String,
}

/// The cluster-wide policy (Helm values → a file the controller hot-reloads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Guardrails {
    /// Mandatory permissions boundary, injected into every role (a different one is refused).
    pub permissions_boundary: Option<String>,
    /// Every role name must start with this (the controller derives `<prefix><namespace>_…`).
    pub role_name_prefix: Option<String>,
    /// Every role must live under this IAM path.
    pub role_path: Option<String>,
    /// Action patterns no role may be granted (any action matching them). `*` (or `*:*`)
    /// means "every action at once".
    pub denied_actions: Vec<String>,
    /// Action patterns no role may be granted on a resource scope at least this broad.
    pub denied_action_resources: Vec<ActionResource>,
    /// `iam:PassRole` only with an `iam:PassedToService` condition.
    pub require_passed_to_service: bool,
    /// A role may pass the set's *own* roles to a service (exactly `iam:PassRole`, on exact
    /// ARNs of roles the same plan creates, with `iam:PassedToService`), although
    /// `deniedActions` matches it: those roles pass these same checks, and Managed Instances
    /// needs it (the infrastructure role hands the node role to EC2). `false`: no exception.
    pub allow_passing_own_roles: bool,
    /// `false`: only intent-level access (`app.access`), no raw statements.
    pub allow_raw_statements: bool,
    /// Managed policy ARN patterns that may be attached.
    pub allowed_managed_policies: Vec<String>,
    /// Service principals (patterns) roles may trust.
    pub allowed_trust_principals: Vec<String>,
    /// Role ARN patterns `existingArn` may reference (default none).
    pub allowed_existing_roles: Vec<String>,
    /// Roles the controller may create per namespace (all EcsRoleSets together).
    pub max_roles_per_namespace: Option<u32>,
    /// Namespaces where the `ecsroles.dev/adopt` annotation may take over an existing role.
    pub adoption_namespaces: Vec<String>,
    /// Per-namespace replacements of any field above.
    pub namespaces: BTreeMap<String, serde_json::Value>,
}

impl Default for Guardrails {
    fn default() -> Self {
        let aws_managed = |p: &str| format!("arn:*:iam::aws:policy/{p}");
        use crate::rules::managed;
        Guardrails {
            permissions_boundary: None,
            role_name_prefix: None,
            role_path: None,
            denied_actions: ["*", "iam:*", "organizations:*", "account:*"]
                .map(String::from)
                .to_vec(),
            denied_action_resources: vec![ActionResource {
                action: "sts:AssumeRole".into(),
                resource: "*".into(),
            }],
            require_passed_to_service: true,
            allow_passing_own_roles: true,
            allow_raw_statements: true,
            allowed_managed_policies: managed::ALL.map(aws_managed).to_vec(),
            allowed_trust_principals: ecs_principals(),
            allowed_existing_roles: vec![],
            max_roles_per_namespace: None,
            adoption_namespaces: vec![],
            namespaces: BTreeMap::new(),
        }
    }
}

/// Every principal the core's trust rules can produce (`KindFacts::principal`), in any launch type
/// and partition: by default a role may trust exactly what ECS roles need. Not the service-linked
/// roles' (AWS writes their trust; no tenant creates them).
fn ecs_principals() -> Vec<String> {
    let mut out: Vec<String> = RoleKind::ALL
        .iter()
        .filter(|k| !k.service_linked() || **k == RoleKind::ServiceLinked)
        .flat_map(|k| {
            crate::spec::LaunchType::ALL.iter().flat_map(move |l| {
                crate::arn::PARTITIONS
                    .iter()
                    .map(move |p| k.facts().principal(*l, p).to_string())
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One broken rule: which, where in the spec, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Violation {
    pub rule: String,
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scope = if self.path.starts_with("metadata") {
            ""
        } else {
            "spec."
        };
        write!(
            f,
            "guardrail {}: {scope}{}: {}",
            self.rule, self.path, self.message
        )
    }
}

/// What the caller knows beyond the spec (the controller fills it in).
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    pub namespace: Option<&'a str>,
    /// Roles other EcsRoleSets already hold in the namespace.
    pub roles_elsewhere_in_namespace: usize,
    /// The resource asks to adopt existing roles (annotation `ecsroles.dev/adopt`).
    pub adopt_requested: bool,
}

impl Guardrails {
    /// Parses the YAML or JSON file the platform team writes.
    #[cfg(feature = "yaml")]
    pub fn from_yaml(text: &str) -> Result<Guardrails, String> {
        serde_yaml::from_str::<Guardrails>(text)
            .map_err(|e| e.to_string())?
            .validated()
    }

    /// Parses a JSON policy (the calculator's `guardrails` attribute; its build has no YAML).
    pub fn from_json(text: &str) -> Result<Guardrails, String> {
        let mut de = serde_json::Deserializer::from_str(text);
        let g: Guardrails =
            serde_path_to_error::deserialize(&mut de).map_err(|e| match e.path().to_string() {
                p if p == "." => e.inner().to_string(),
                p => format!("{p}: {}", e.inner()),
            })?;
        de.end().map_err(|e| e.to_string())?;
        g.validated()
    }

    /// Every per-namespace override must itself make a valid policy.
    fn validated(self) -> Result<Guardrails, String> {
        for (ns, o) in &self.namespaces {
            self.for_namespace(Some(ns))
                .map_err(|e| format!("namespaces.{ns}: {e} ({o})"))?;
        }
        Ok(self)
    }

    /// The whole verdict for one spec, as the CLI and the calculator show it: the boundary
    /// injected ([`Guardrails::prepare`]), the plan of the prepared spec, then
    /// [`Guardrails::check`]. (The controller runs the same steps with IAM-side context in
    /// between.)
    pub fn evaluate(&self, spec: &mut EcsRoleSetSpec, cx: &Context) -> (RolePlan, Vec<Violation>) {
        let mut violations = self.prepare(spec);
        let plan = crate::plan(spec);
        violations.extend(self.check(spec, &plan, cx));
        (plan, violations)
    }

    /// The policy for `namespace`: the cluster-wide one with that namespace's overrides.
    pub fn for_namespace(&self, namespace: Option<&str>) -> Result<Guardrails, String> {
        let Some(o) = namespace.and_then(|n| self.namespaces.get(n)) else {
            return Ok(self.clone());
        };
        let mut base = serde_json::to_value(Guardrails {
            namespaces: BTreeMap::new(),
            ..self.clone()
        })
        .map_err(|e| e.to_string())?;
        let (Some(b), Some(over)) = (base.as_object_mut(), o.as_object()) else {
            return Err("a namespace override must be a map of fields".into());
        };
        for (k, v) in over {
            if k == "namespaces" {
                return Err("overrides cannot nest namespaces".into());
            }
            b.insert(k.clone(), v.clone());
        }
        serde_json::from_value(base).map_err(|e| e.to_string())
    }

    /// Injects the mandatory boundary into every role the spec may create. A different
    /// boundary written by the tenant is a violation (never silently replaced).
    pub fn prepare(&self, spec: &mut EcsRoleSetSpec) -> Vec<Violation> {
        let mut out = Vec::new();
        let Some(b) = &self.permissions_boundary else {
            return out;
        };
        for kind in RoleKind::ALL {
            let key = kind.key();
            if let Some(cfg) = kind.config_mut(&mut spec.roles) {
                match &cfg.permissions_boundary {
                    Some(have) if have != b => out.push(Violation {
                        rule: "permissionsBoundary".into(),
                        path: format!("roles.{key}.permissionsBoundary"),
                        message: format!("the platform requires boundary {b}; remove the field or set it to that ARN"),
                    }),
                    _ => cfg.permissions_boundary = Some(b.clone()),
                }
            }
        }
        out
    }

    /// Every violation of this policy by `spec` and its `plan`.
    pub fn check(&self, spec: &EcsRoleSetSpec, plan: &RolePlan, cx: &Context) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut v = |rule: &str, path: String, message: String| {
            out.push(Violation {
                rule: rule.into(),
                path,
                message,
            })
        };

        if cx.adopt_requested
            && !cx
                .namespace
                .is_some_and(|n| self.adoption_namespaces.iter().any(|a| a == n))
        {
            v("adoption", "metadata.annotations[ecsroles.dev/adopt]".into(),
              "adopting existing IAM roles is reserved to namespaces the platform lists (adoptionNamespaces)".into());
        }
        if !self.allow_raw_statements {
            for (i, _) in spec.app.statements.iter().enumerate() {
                v(
                    "allowRawStatements",
                    format!("app.statements[{i}]"),
                    "raw IAM statements are not allowed here; declare access with app.access"
                        .into(),
                );
            }
            for kind in RoleKind::ALL {
                if let Some(cfg) = kind.config(&spec.roles) {
                    for (i, _) in cfg.statements.iter().enumerate() {
                        v("allowRawStatements", format!("roles.{}.statements[{i}]", kind.key()),
                          "raw IAM statements are not allowed here; declare access with app.access".into());
                    }
                }
            }
        }

        // Every role the spec points at, needed or not.
        for kind in RoleKind::ALL {
            if let Some(arn) = kind
                .config(&spec.roles)
                .and_then(|c| c.existing_arn.as_ref())
            {
                if !matches_any(&self.allowed_existing_roles, arn) {
                    v("allowedExistingRoles", format!("roles.{}.existingArn", kind.key()),
                      format!("{arn} is not a role the platform lets EcsRoleSets reference (allowedExistingRoles)"));
                }
            }
        }
        let td = &spec.task_definition;
        for (field, arn) in [
            ("taskRoleArn", &td.task_role_arn),
            ("executionRoleArn", &td.execution_role_arn),
        ] {
            let Some(arn) = arn else { continue };
            let account = crate::arn::Arn::parse(arn).map(|a| a.account.to_string());
            if account.as_deref() != Some(plan.account.as_str())
                && !matches_any(&self.allowed_existing_roles, arn)
            {
                v(
                    "allowedExistingRoles",
                    format!("taskDefinition.{field}"),
                    format!(
                        "{arn} is outside account {} and not in allowedExistingRoles",
                        plan.account
                    ),
                );
            }
        }

        // A role the file names (task definition, service) gets this workload's policy
        // attached as an existing role: the platform must allow it, as for `existingArn`.
        // (Roles of other accounts are reported just above.)
        // The plan records each such role as read from the file (`<kind>Role`, with its field).
        for role in &plan.roles {
            let fact = format!("{}Role", role.kind.key());
            let Some(named) = plan.inferred.iter().find(|i| i.fact == fact) else {
                continue;
            };
            let same_account =
                crate::arn::Arn::parse(&role.arn).is_some_and(|a| a.account == plan.account);
            if same_account && !matches_any(&self.allowed_existing_roles, &role.arn) {
                v(
                    "allowedExistingRoles",
                    named.path.clone(),
                    format!("{} is an existing role this workload's policy would be attached to; the platform does not list it in allowedExistingRoles", role.arn),
                );
            }
        }

        let mut created = 0usize;
        for role in &plan.roles {
            let key = role.kind.key();
            // Every policy the plan writes is checked, on an existing role too (the role a
            // task definition names gets this workload's policy attached).
            self.check_inline_policies(role, plan, &mut v);
            if role.provisioning != Provisioning::Create {
                continue;
            }
            created += 1;
            if let Some(prefix) = &self.role_name_prefix {
                let name = role.name.as_ref().or(role.name_prefix.as_ref());
                if !name.is_some_and(|n| n.starts_with(prefix.as_str())) {
                    v(
                        "roleNamePrefix",
                        format!("roles.{key}.name"),
                        format!(
                            "role names must start with {prefix:?}, got {:?}",
                            name.map(String::as_str).unwrap_or("")
                        ),
                    );
                }
            }
            if let Some(path) = &self.role_path {
                if &role.path != path {
                    v(
                        "rolePath",
                        format!("roles.{key}.path"),
                        format!("roles must live under {path}, not {}", role.path),
                    );
                }
            }
            if let (Some(want), have) = (&self.permissions_boundary, &role.permissions_boundary) {
                if have.as_ref() != Some(want) {
                    v(
                        "permissionsBoundary",
                        format!("roles.{key}.permissionsBoundary"),
                        format!("every role must carry the boundary {want}"),
                    );
                }
            }
            for p in &role.assumed_by {
                if !matches_any(&self.allowed_trust_principals, p) {
                    v(
                        "allowedTrustPrincipals",
                        format!("roles.{key}"),
                        format!("the role would trust {p}, which the platform does not allow"),
                    );
                }
            }
            for m in &role.managed_policies {
                if !matches_any(&self.allowed_managed_policies, &m.arn) {
                    v(
                        "allowedManagedPolicies",
                        format!("roles.{key}.managedPolicies"),
                        format!(
                            "managed policy {} is not in the platform's allowed list",
                            m.arn
                        ),
                    );
                }
            }
        }
        if let Some(max) = self.max_roles_per_namespace {
            let total = created + cx.roles_elsewhere_in_namespace;
            if total > max as usize {
                v(
                    "maxRolesPerNamespace",
                    "roles".into(),
                    format!("the namespace would hold {total} roles; the platform allows {max}"),
                );
            }
        }
        out
    }

    /// The action rules on every statement of a role's inline policies.
    fn check_inline_policies(
        &self,
        role: &crate::model::PlannedRole,
        plan: &RolePlan,
        v: &mut impl FnMut(&str, String, String),
    ) {
        for policy in &role.inline_policies {
            let statements = &policy.document.statements;
            for s in statements.iter() {
                if self.allow_passing_own_roles && passes_only_own_roles(s, plan) {
                    continue;
                }
                let path = s
                    .reasons
                    .first()
                    .filter(|r| r.contains("statements["))
                    .cloned()
                    .unwrap_or_else(|| format!("roles.{} (statement {})", role.kind.key(), s.sid));
                for (rule, msg) in self.statement_violations(s, statements) {
                    v(rule, path.clone(), msg);
                }
            }
        }
    }

    /// Why one statement (in the policy `all`) breaks the action rules, if it does.
    pub fn statement_violations(
        &self,
        s: &Statement,
        all: &[Statement],
    ) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if s.effect != Effect::Allow {
            return out;
        }
        let texts = s
            .actions
            .iter()
            .chain(&s.not_actions)
            .map(|a| a.as_ref())
            .chain(
                s.resources
                    .iter()
                    .chain(&s.not_resources)
                    .map(String::as_str),
            );
        if let Some(bad) = texts.clone().find(|t| !t.is_ascii()) {
            out.push(("ascii", format!("{bad:?} has non-ASCII characters; IAM names are ASCII (look-alike letters hide real actions)")));
            return out;
        }
        for d in &self.denied_actions {
            let whole = d == "*" || d == "*:*";
            let granted = if whole {
                grants_every_action(s) && !denied_by(all, "*")
            } else {
                may_grant(s, d) && !denied_by(all, d)
            };
            if granted {
                out.push((
                    "deniedActions",
                    format!(
                        "grants {} — denied by the platform",
                        if whole {
                            "every action (\"*\")".to_string()
                        } else {
                            format!("actions matching {d:?}")
                        }
                    ),
                ));
            }
        }
        for ar in &self.denied_action_resources {
            if may_grant(s, &ar.action)
                && !denied_by(all, &ar.action)
                && covers_resource(s, &ar.resource)
            {
                out.push((
                    "deniedActionResources",
                    format!(
                        "grants {:?} on resources as broad as {:?} — denied by the platform",
                        ar.action, ar.resource
                    ),
                ));
            }
        }
        if self.require_passed_to_service
            && may_grant(s, "iam:PassRole")
            && !denied_by(all, "iam:PassRole")
            && !limits_passed_to_service(s)
        {
            out.push((
                "requirePassedToService",
                "grants iam:PassRole without an iam:PassedToService condition".into(),
            ));
        }
        out
    }
}

/// An Allow of exactly `iam:PassRole` (no wildcard, no NotAction/NotResource), on exact ARNs of
/// roles `plan` itself creates, with an `iam:PassedToService` condition.
fn passes_only_own_roles(s: &Statement, plan: &RolePlan) -> bool {
    let own = |arn: &str| {
        !arn.contains(['*', '?'])
            && plan
                .roles
                .iter()
                .any(|r| r.provisioning == Provisioning::Create && r.arn == arn)
    };
    s.effect == Effect::Allow
        && s.not_actions.is_empty()
        && s.not_resources.is_empty()
        && !s.actions.is_empty()
        && s.actions
            .iter()
            .all(|a| a.as_ref().eq_ignore_ascii_case("iam:PassRole"))
        && !s.resources.is_empty()
        && s.resources.iter().all(|r| own(r))
        && limits_passed_to_service(s)
}

/// Does `s` name the services a role may be passed to? Only a positive match counts
/// (`StringEquals`/`StringLike`): `StringNotEquals` would allow every other service.
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
fn limits_passed_to_service(s: &Statement) -> bool {
    s.conditions.iter().any(|(op, keys)| {
        ["StringEquals", "StringLike"]
            .iter()
            .any(|o| op.eq_ignore_ascii_case(o))
            && keys
                .keys()
                .any(|k| k.eq_ignore_ascii_case("iam:PassedToService"))
    })
}

/// May the Allow statement `s` grant some action matching `pattern`?
pub fn may_grant(s: &Statement, pattern: &str) -> bool {
    if !s.actions.is_empty() {
        s.actions.iter().any(|a| glob_intersect(a, pattern))
    } else {
        // NotAction: grants every action it does not exclude; refuse unless one exclusion
        // covers the whole pattern.
        !s.not_actions.iter().any(|x| glob_contains(x, pattern))
    }
}

fn grants_every_action(s: &Statement) -> bool {
    if !s.actions.is_empty() {
        s.actions.iter().any(|a| glob_contains(a, "*"))
    } else {
        // Allow NotAction [...]: everything but a few, which is "every action" for a reviewer.
        true
    }
}

/// Is every action matching `pattern` denied, on every resource, unconditionally, by some
/// statement of the same policy?
fn denied_by(all: &[Statement], pattern: &str) -> bool {
    all.iter().any(|d| {
        d.effect == Effect::Deny
            && d.conditions.is_empty()
            && d.not_resources.is_empty()
            && d.resources.iter().any(|r| glob_contains(r, "*"))
            && if !d.actions.is_empty() {
                d.actions.iter().any(|a| glob_contains(a, pattern))
            } else {
                !d.not_actions.iter().any(|x| glob_intersect(x, pattern))
            }
    })
}

/// Is the statement's resource scope at least as broad as `pattern`? (`*` counts as `arn:*`.)
fn covers_resource(s: &Statement, pattern: &str) -> bool {
    let broad = |r: &str, p: &str| glob_contains(r, p) || (p == "*" && glob_contains(r, "arn:*"));
    if !s.resources.is_empty() {
        s.resources.iter().any(|r| broad(r, pattern))
    } else {
        // NotResource: everything but the exclusions; as broad unless one excludes it all.
        !s.not_resources.iter().any(|x| glob_contains(x, pattern))
    }
}

fn lower(s: &str) -> Vec<char> {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// Does any of `patterns` match `s` ([`glob_match`])?
fn matches_any(patterns: &[String], s: &str) -> bool {
    patterns.iter().any(|p| glob_match(p, s))
}

/// IAM-style match of a concrete string against a pattern (`*`, `?`), case-insensitive: the
/// ARN matcher ([`crate::arn::glob_match`]) on lower-cased text.
pub fn glob_match(pattern: &str, s: &str) -> bool {
    crate::arn::glob_match(&pattern.to_lowercase(), &s.to_lowercase())
}

/// Visited states of the two-pattern walks: a flat bit table (no hashing: small in wasm).
struct Visited {
    cols: usize,
    bits: Vec<bool>,
}

impl Visited {
    fn new(a: usize, b: usize) -> Self {
        Visited {
            cols: b + 1,
            bits: vec![false; (a + 1) * (b + 1)],
        }
    }

    /// `true` the first time (i, j) is seen.
    fn insert(&mut self, i: usize, j: usize) -> bool {
        let k = i * self.cols + j;
        match self.bits.get_mut(k) {
            Some(b) if !*b => {
                *b = true;
                true
            }
            _ => false,
        }
    }
}

/// Is there a string both patterns match?
pub fn glob_intersect(a: &str, b: &str) -> bool {
    let (a, b) = (lower(a), lower(b));
    let mut seen = Visited::new(a.len(), b.len());
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        if !seen.insert(i, j) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some('*') {
            stack.push((i + 1, j));
        }
        if cb == Some('*') {
            stack.push((i, j + 1));
        }
        if let (Some(x), Some(y)) = (ca, cb) {
            let compatible = x == '*' || y == '*' || x == '?' || y == '?' || x == y;
            if compatible && !(x == '*' && y == '*') {
                let ni = if x == '*' { i } else { i + 1 };
                let nj = if y == '*' { j } else { j + 1 };
                stack.push((ni, nj));
            }
        }
    }
    false
}

/// Does `outer` match every string `inner` matches? (Sound: `false` when unsure.)
pub fn glob_contains(outer: &str, inner: &str) -> bool {
    let (o, n) = (lower(outer), lower(inner));
    let mut seen = Visited::new(o.len(), n.len());
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        if !seen.insert(i, j) {
            continue;
        }
        if i == o.len() {
            if j == n.len() {
                return true;
            }
            continue;
        }
        match o[i] {
            '*' => {
                stack.push((i + 1, j));
                if j < n.len() {
                    stack.push((i, j + 1));
                }
            }
            '?' => {
                if j < n.len() && n[j] != '*' {
                    stack.push((i + 1, j + 1));
                }
            }
            c => {
                if j < n.len() && n[j] == c {
                    stack.push((i + 1, j + 1));
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_trust_principals_are_exactly_what_the_trust_rules_produce() {
        let d = Guardrails::default().allowed_trust_principals;
        for p in [
            "ecs-tasks.amazonaws.com",
            "ecs.amazonaws.com",
            "ec2.amazonaws.com",
            "ec2.amazonaws.com.cn",
            "ssm.amazonaws.com",
            "codedeploy.amazonaws.com",
            // The launchers': each role may only run this family and pass this set's roles.
            "events.amazonaws.com",
            "scheduler.amazonaws.com",
            "states.amazonaws.com",
        ] {
            assert!(d.iter().any(|x| x == p), "{p} missing from {d:?}");
        }
        assert_eq!(d.len(), 9, "{d:?}");
    }

    #[test]
    fn glob_arithmetic() {
        assert!(glob_match("iam:Pass*", "IAM:passrole"));
        assert!(!glob_match("iam:Pass?", "iam:PassRole"));
        assert!(glob_intersect("i*:Pass*", "iam:*"));
        assert!(glob_intersect("*", "iam:PassRole"));
        assert!(!glob_intersect("s3:Get*", "iam:*"));
        assert!(glob_intersect("?am:*", "IAM:PassRole"));
        assert!(glob_contains("*", "iam:*"));
        assert!(glob_contains("iam:*", "iam:Pass*"));
        assert!(!glob_contains("iam:Pass*", "iam:*"));
        assert!(glob_contains("IAM:*", "iam:passrole"));
        assert!(!glob_contains("iam:PassRol?", "iam:PassRol*"));
    }

    fn verdict(g: &Guardrails, text: &str) -> Vec<Violation> {
        let (mut spec, _) = crate::parse_document(text).unwrap();
        g.evaluate(&mut spec, &Context::default()).1
    }

    #[test]
    fn a_set_may_pass_its_own_roles_to_a_service_and_nothing_else() {
        // The Managed Instances infrastructure role passes the planned node role to EC2.
        let mi = include_str!("../../../examples/managed-instances.yaml");
        assert_eq!(verdict(&Guardrails::default(), mi), vec![]);
        let strict = Guardrails {
            allow_passing_own_roles: false,
            ..Guardrails::default()
        };
        let v = verdict(&strict, mi);
        assert!(v.iter().any(|v| v.rule == "deniedActions"), "{v:?}");

        let with = |action: &str, resource: &str, op: &str| {
            format!(
                r#"{{"name": "web", "account": "123456789012", "region": "us-east-1",
                "launchType": "FARGATE", "taskDefinition": {{"family": "web",
                "containerDefinitions": [{{"name": "app", "image": "nginx"}}]}},
                "app": {{"statements": [{{"Effect": "Allow", "Action": "{action}",
                "Resource": "{resource}",
                "Condition": {{"{op}": {{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}}}}}]}}}}"#
            )
        };
        let own = "arn:aws:iam::123456789012:role/web-task";
        let g = Guardrails::default();
        assert_eq!(
            verdict(&g, &with("iam:PassRole", own, "StringEquals")),
            vec![]
        );
        for (action, resource, op) in [
            (
                "iam:PassRole",
                "arn:aws:iam::123456789012:role/someone-else",
                "StringEquals",
            ),
            (
                "iam:PassRole",
                "arn:aws:iam::123456789012:role/web-*",
                "StringEquals",
            ),
            ("iam:PassRole", own, "StringNotEquals"),
            ("iam:Pass*", own, "StringEquals"),
            ("iam:*", own, "StringEquals"),
        ] {
            let v = verdict(&g, &with(action, resource, op));
            assert!(
                v.iter().any(|v| v.rule == "deniedActions"),
                "{action} on {resource} ({op}) must be refused: {v:?}"
            );
        }
        let v = verdict(
            &Guardrails {
                denied_actions: vec![],
                ..Guardrails::default()
            },
            &with("iam:PassRole", "*", "StringNotEquals"),
        );
        assert!(
            v.iter().any(|v| v.rule == "requirePassedToService"),
            "{v:?}"
        );
    }

    #[test]
    fn json_policies_name_the_bad_field() {
        let g = Guardrails::from_json(r#"{"deniedActions": ["s3:*"]}"#).unwrap();
        assert_eq!(g.denied_actions, ["s3:*"]);
        assert_eq!(
            g.allowed_trust_principals,
            Guardrails::default().allowed_trust_principals
        );
        let e = Guardrails::from_json(r#"{"deniedActons": []}"#).unwrap_err();
        assert!(e.contains("deniedActons"), "{e}");
        let e = Guardrails::from_json(r#"{"maxRolesPerNamespace": "two"}"#).unwrap_err();
        assert!(e.starts_with("maxRolesPerNamespace:"), "{e}");
        let e = Guardrails::from_json(r#"{"namespaces": {"a": {"nope": 1}}}"#).unwrap_err();
        assert!(e.starts_with("namespaces.a:"), "{e}");
        assert!(Guardrails::from_json("{} {}").is_err(), "trailing input");
    }

    #[test]
    fn evaluate_injects_the_boundary_before_planning_and_checking() {
        let text = r#"{"region": "us-east-1", "launchType": "FARGATE", "taskDefinition": {
            "family": "app", "networkMode": "awsvpc", "containerDefinitions": [
            {"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"}]},
            "app": {"statements": [{"Effect": "Allow", "Action": "IAM:pass*", "Resource": "*"}]}}"#;
        let (mut spec, _) = crate::parse_document(text).unwrap();
        let g = Guardrails {
            permissions_boundary: Some("arn:aws:iam::123456789012:policy/b".into()),
            ..Guardrails::default()
        };
        let (plan, violations) = g.evaluate(&mut spec, &Context::default());
        let created: Vec<_> = plan
            .roles
            .iter()
            .filter(|r| r.provisioning == Provisioning::Create)
            .collect();
        assert!(!created.is_empty());
        assert!(created
            .iter()
            .all(|r| r.permissions_boundary == g.permissions_boundary));
        let rules: Vec<&str> = violations.iter().map(|v| v.rule.as_str()).collect();
        assert!(rules.contains(&"deniedActions"), "{violations:?}");
        assert!(violations
            .iter()
            .any(|v| v.path.starts_with("app.statements[0]")));
    }
}
