//! ecsroles-core: from one ECS workload description to every IAM role it needs, least
//! privilege, each statement explained. Pure Rust, no I/O; builds for `wasm32-unknown-unknown`.
//!
//! - [`spec`]: the input (`EcsRoleSetSpec`), with the real ECS task definition in [`taskdef`].
//! - [`input`]: parse JSON/YAML documents into a spec, with located errors.
//! - [`rules`]: the facts, as tables citing the AWS docs.
//! - [`plan()`]: applies the rules → [`model::RolePlan`].
//! - [`admission`]: the platform's settings and guardrails applied to a tenant's EcsRoleSet
//!   (one verdict for the CLI, the calculator and the controller).
//! - [`limits`]: IAM quotas; [`summary`]: the human-readable plan.

/// Concatenates string pieces with one exact-size allocation. `format!` goes through the
/// formatting machinery and regrows its buffer; `plan` runs on every keystroke in the calculator.
macro_rules! cat {
    ($($part:expr),+ $(,)?) => {
        [$(::core::convert::AsRef::<str>::as_ref(&$part)),+].concat()
    };
}

pub mod admission;
pub mod arn;
pub mod audit;
pub mod controller_policy;
pub mod evaluate;
pub mod explain;
pub mod guardrails;
pub mod input;
pub mod json;
pub mod limits;
pub mod managed_snapshot;
pub mod model;
pub mod names;
pub mod normalize;
pub mod overrides;
pub mod placeholder;
pub mod plan;
pub mod policy;
pub mod render;
pub mod rules;
pub mod shapes;
pub mod share;
pub mod spec;
pub mod taskdef;

pub use input::{parse_document, parse_document_with, DocumentKind, InputError, ParseOptions};
pub use model::{Finding, PlannedRole, RoleKind, RolePlan, Severity};
pub use plan::plan;
pub use spec::{EcsRoleSetSpec, LaunchType};
