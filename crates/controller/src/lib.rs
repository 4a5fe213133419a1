//! ecsroles-controller: reconciles `EcsRoleSet` resources into IAM.
//!
//! Layout (after kube-rs's controller-rs):
//! - [`crd`]: the `EcsRoleSet` custom resource, its status, and the structural schema the
//!   API server needs (generated from the core's spec type; `crdgen` writes the YAML).
//! - [`controller`]: the context, reconcile (finalizer, timeout, metrics), backoff and
//!   [`controller::run`]; [`sync`]: one admitted set applied to IAM; [`cleanup`]: deletion;
//!   [`status`]: conditions and Events.
//! - [`iam_state`]: desired IAM state from a core `RolePlan`, the actual state read from IAM,
//!   and the minimal ordered operations between them. Pure; the reconciler executes them.
//! - [`adoption`]: what adopting an existing role will do, reported before any write.
//! - [`policy_eq`]: semantic comparison of policy documents as IAM returns them.
//! - [`iam`]: the only module that calls IAM (rate limit, metrics, error classes); [`fair`]:
//!   its rate limit, shared fairly between namespaces.
//! - [`sweep`]: deletes what EcsRoleSets that no longer exist left in IAM (by owner tags).
//! - [`metrics`], [`telemetry`], [`config`], [`server`] (health and metrics endpoints).
//! - Tests: `fixtures` (builders, an in-memory IAM behind the real [`iam::Iam`], a scripted
//!   API server) and `reconcile_tests` (reconcile's create, refusal, drift, orphan, adoption,
//!   IAM-refusal, deletion and sweep paths as unit tests); `tests/integration.rs` runs them
//!   against a real kube-apiserver and moto.
//!
//! The controller holds no IAM knowledge and reaches no verdict of its own: what a role must
//! allow, the names it gets and whether a tenant may have it come from `ecsroles-core`
//! (`plan`, `admission`).

pub mod adoption;
pub mod cleanup;
pub mod config;
pub mod controller;
pub mod crd;
pub mod fair;
#[cfg(test)]
pub mod fixtures;
pub mod iam;
pub mod iam_state;
pub mod metrics;
pub mod policy_eq;
#[cfg(test)]
mod reconcile_tests;
pub mod server;
pub mod status;
pub mod sweep;
pub mod sync;
pub mod telemetry;
