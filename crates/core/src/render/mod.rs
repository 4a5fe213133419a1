//! Renderers: a [`RolePlan`](crate::model::RolePlan) in the formats people deploy with.
//! Deterministic: the same plan renders to byte-identical output.

pub mod iam;
