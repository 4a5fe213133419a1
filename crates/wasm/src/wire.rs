//! What crosses the module's boundary, in both directions: the values a page passes in and the
//! objects it gets back. One place, because two readers need it: the module itself, and the
//! build script, which includes this file to generate the TypeScript types (`types.d.ts`, shipped
//! in the module's `.d.ts`) from the same definitions. No wasm-bindgen here for that reason.
//!
//! The JSON Schema derive is host-only: the build script and the host tests use it; the
//! WebAssembly carries no schemars.

use serde::{Deserialize, Serialize};

/// Settings the page can impose on a pasted task definition (all optional).
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Overrides {
    /// `FARGATE`, `EC2`, `EXTERNAL` or `MANAGED_INSTANCES` (empty: as the document says).
    pub launch_type: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub cluster: Option<String>,
    /// Values for the document's template placeholders, as typed: `NAME=value, NAME=value`
    /// (the CLI's `--var NAME=VALUE`). A string, not a map: one less deserializer in the wasm.
    pub vars: Option<String>,
    /// Plan new roles instead of the task and execution roles the task definition names (the
    /// user's choice in the "Read from your file" card).
    pub new_roles: Option<bool>,
    /// What the application calls, added to the document's own (a task definition says nothing
    /// about it): the spec's `app` (`access`, `statements`, `managedPolicies`) as JSON text.
    pub app: Option<String>,
}

/// What `planDocument` returns: the plan plus the formats asked for, so a keystroke is one call.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanOutput<'a> {
    pub plan: &'a ecsroles_core::RolePlan,
    pub renders: Vec<Rendered>,
}

/// One format, rendered.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Rendered {
    /// The format's name (`summary`, `json`, `iam`, `terraform`, …: `formats` in form.json).
    pub format: &'static str,
    pub text: String,
}

/// What `planGuarded` returns: [`PlanOutput`] and the platform's verdict.
#[cfg_attr(not(feature = "guardrails"), allow(dead_code))]
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GuardedOutput<'a> {
    #[serde(flatten)]
    pub output: PlanOutput<'a>,
    /// Empty when the platform allows the document.
    pub violations: Vec<ShownViolation<'a>>,
}

/// One broken rule, with the sentence the calculator shows.
#[cfg_attr(not(feature = "guardrails"), allow(dead_code))]
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ShownViolation<'a> {
    #[serde(flatten)]
    pub violation: &'a ecsroles_core::guardrails::Violation,
    pub text: String,
}

/// `planGuarded`'s `tenant`: the EcsRoleSet's name and the controller's settings.
#[cfg_attr(not(feature = "guardrails"), allow(dead_code))]
#[derive(Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tenant {
    pub name: String,
    pub account_id: String,
    #[serde(default)]
    pub name_prefix: String,
    /// Default `/ecsroles/` (the controller's).
    #[serde(default = "default_path")]
    pub role_path: String,
}

#[cfg_attr(not(feature = "guardrails"), allow(dead_code))]
fn default_path() -> String {
    "/ecsroles/".into()
}

/// What `auditRoles` returns.
#[cfg_attr(not(feature = "full"), allow(dead_code))]
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditOutput<'a> {
    pub report: &'a ecsroles_core::audit::AuditReport,
    /// The names of the roles the plan audits (a pasted policy is one of them's).
    pub roles: Vec<String>,
    /// When one policy was pasted: the role it was taken for (its trust is not judged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_of: Option<String>,
    /// The fix beyond the plan's documents (`ecsroles_core::audit::fix`): the policies that
    /// only over-grant once the plan's are on, with the command removing each…
    pub remove: &'a [ecsroles_core::audit::Removal],
    /// …the trust policies to put in place…
    pub trust: &'a [ecsroles_core::audit::TrustFix],
    /// …what no added grant overcomes (a Deny, a permissions boundary, a missing role)…
    pub blocked: &'a [ecsroles_core::audit::RoleNote],
    /// …and what the fix leaves alone, and why.
    pub notes: &'a [ecsroles_core::audit::RoleNote],
}

/// What `explainMessage` returns.
#[cfg_attr(not(feature = "full"), allow(dead_code))]
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExplainOutput {
    /// Null: not an error the core knows.
    pub explanation: Option<ecsroles_core::explain::Explanation>,
    /// The workload was read and its plan consulted.
    pub planned: bool,
    /// How many error shapes the core knows.
    pub known: usize,
}
