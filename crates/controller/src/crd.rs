//! The `EcsRoleSet` custom resource (`ecsroles.dev/v1alpha1`, namespaced).
//!
//! The spec *is* the core's [`EcsRoleSetSpec`]; its JSON Schema comes from the same type and is
//! post-processed into a Kubernetes structural schema: nodes a structural schema cannot express
//! (IAM's "string or list", free-form option maps) become `x-kubernetes-preserve-unknown-fields`,
//! and the pasted `taskDefinition` keeps every field the user wrote (the core ignores the rest).

use std::collections::BTreeMap;

use ecsroles_core::EcsRoleSetSpec;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, JSONSchemaProps,
};
use kube::{CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Wrapper so kube-derive can generate the resource type around the core's spec.
#[derive(CustomResource, Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[kube(
    group = "ecsroles.dev",
    version = "v1alpha1",
    kind = "EcsRoleSet",
    namespaced,
    shortname = "ers",
    status = "EcsRoleSetStatus",
    schema = "disabled",
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Roles","type":"integer","jsonPath":".status.roleCount"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Message","type":"string","priority":1,"jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#
)]
pub struct EcsRoleSetResourceSpec {
    /// What happens to the IAM roles when the resource is deleted.
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,
    #[serde(flatten)]
    pub inner: Decoded,
}

/// The core's spec as the API server stored it. The pasted `taskDefinition` has no schema in the
/// CRD, so the API server accepts documents the core's types reject; failing to decode one
/// must not fail the whole watch (one tenant's object would stop reconciliation for all). Such
/// an object is kept as written and reported `InvalidSpec` with the decoder's path and message.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    Spec(Box<EcsRoleSetSpec>),
    Invalid { message: String, raw: Value },
}

impl Decoded {
    /// The spec, or why it could not be read (`path: message`).
    pub fn spec(&self) -> Result<&EcsRoleSetSpec, &str> {
        match self {
            Decoded::Spec(s) => Ok(s),
            Decoded::Invalid { message, .. } => Err(message),
        }
    }
}

impl From<EcsRoleSetSpec> for Decoded {
    fn from(s: EcsRoleSetSpec) -> Self {
        Decoded::Spec(Box::new(s))
    }
}

impl Serialize for Decoded {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Decoded::Spec(spec) => spec.serialize(s),
            Decoded::Invalid { raw, .. } => raw.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Decoded {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        Ok(
            match serde_path_to_error::deserialize::<_, EcsRoleSetSpec>(&raw) {
                Ok(spec) => Decoded::Spec(Box::new(spec)),
                Err(e) => Decoded::Invalid {
                    message: format!("spec.{}: {}", e.path(), e.inner()),
                    raw,
                },
            },
        )
    }
}

impl JsonSchema for Decoded {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        EcsRoleSetSpec::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        EcsRoleSetSpec::json_schema(generator)
    }
}

/// `Delete` (default): delete every IAM object the resource created. `Retain`: leave them,
/// tagged `ecsroles.dev/retained` so the orphan sweep never deletes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum DeletionPolicy {
    #[default]
    Delete,
    Retain,
}

/// What the controller reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EcsRoleSetStatus {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(default)]
    pub role_count: u32,
    /// Role kind → role ARN.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub role_arns: BTreeMap<String, String>,
    /// Role kind → name of each role this resource created (names are immutable once created).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub managed_roles: BTreeMap<String, String>,
    /// Role kind → instance profile ARN.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub instance_profile_arns: BTreeMap<String, String>,
    /// The core's findings (errors make the resource terminal until the spec changes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<StatusFinding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_time: Option<String>,
    /// The last adoption (`ecsroles.dev/adopt`): per role taken over, what it changed, written
    /// before the controller's first write to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adoption: Vec<AdoptionReport>,
}

/// What adopting one existing role does, as reported before any write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdoptionReport {
    pub role: String,
    /// The role kind it becomes (`task`, `taskExecution`…).
    pub kind: String,
    /// Grants the plan gives that the role's inline policies did not (action on resource;
    /// its managed policies' documents are not read).
    pub adds: Vec<String>,
    /// The IAM changes adoption makes (policies put, attached, detached, deleted; trust).
    pub changes: Vec<String>,
    /// What the role allowed beyond the plan, gone after adoption (and trust problems fixed).
    pub over_grants_removed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// `Ready` or `Synced`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    pub reason: String,
    pub message: String,
    pub last_transition_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusFinding {
    pub severity: String,
    pub path: String,
    pub message: String,
}

/// Resolves `$ref`s, drops what a structural schema forbids, and turns nodes it cannot
/// express into `x-kubernetes-preserve-unknown-fields` objects.
pub fn structural(node: &Value, defs: &serde_json::Map<String, Value>) -> Value {
    match node {
        Value::Bool(_) => json!({"x-kubernetes-preserve-unknown-fields": true}),
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                let name = r.rsplit('/').next().unwrap_or_default();
                let mut resolved = structural(defs.get(name).unwrap_or(&Value::Bool(true)), defs);
                if let (Some(d), Value::Object(o)) = (m.get("description"), &mut resolved) {
                    o.insert("description".into(), d.clone());
                }
                return resolved;
            }
            // "string or list of strings", enums of objects…: not structural.
            if m.contains_key("anyOf") || m.contains_key("oneOf") || m.contains_key("allOf") {
                let mut out = json!({"x-kubernetes-preserve-unknown-fields": true});
                if let Some(d) = m.get("description") {
                    out["description"] = d.clone();
                }
                return out;
            }
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                match k.as_str() {
                    "$schema" | "title" | "$defs" | "definitions" | "default" | "format" => {}
                    "type" => {
                        // ["string", "null"] → "string" + nullable.
                        if let Value::Array(types) = v {
                            let t: Vec<&Value> = types
                                .iter()
                                .filter(|t| t.as_str() != Some("null"))
                                .collect();
                            if let Some(first) = t.first() {
                                out.insert("type".into(), (*first).clone());
                            }
                            if types.iter().any(|t| t.as_str() == Some("null")) {
                                out.insert("nullable".into(), true.into());
                            }
                        } else {
                            out.insert(k.clone(), v.clone());
                        }
                    }
                    "properties" => {
                        let props: serde_json::Map<String, Value> = v
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(pk, pv)| (pk.clone(), structural(pv, defs)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Object(props));
                    }
                    "items" | "additionalProperties" => {
                        if v == &Value::Bool(false) && k == "additionalProperties" {
                            continue; // structural schemas prune unknown fields already
                        }
                        out.insert(k.clone(), structural(v, defs));
                    }
                    _ => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            if !out.contains_key("type")
                && !out.contains_key("x-kubernetes-preserve-unknown-fields")
            {
                out.insert("x-kubernetes-preserve-unknown-fields".into(), true.into());
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The openAPIV3Schema of the resource: spec from the core's type, status from ours.
pub fn openapi_schema() -> Value {
    let spec = serde_json::to_value(schemars::schema_for!(EcsRoleSetSpec)).unwrap_or_default();
    let status = serde_json::to_value(schemars::schema_for!(EcsRoleSetStatus)).unwrap_or_default();
    let empty = serde_json::Map::new();
    let mut spec_s = structural(
        &spec,
        spec.get("$defs")
            .and_then(Value::as_object)
            .unwrap_or(&empty),
    );
    // Keep the whole pasted task definition: the core reads what matters and ignores the rest.
    if let Some(props) = spec_s.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert(
            "deletionPolicy".into(),
            json!({"type": "string", "enum": ["Delete", "Retain"], "default": "Delete",
                   "description": "Delete (default): delete every IAM object the resource created when it is deleted. Retain: leave them in IAM, tagged ecsroles.dev/retained (the orphan sweep never deletes those)."}),
        );
        props.insert(
            "taskDefinition".into(),
            json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                   "description": "An ECS task definition (RegisterTaskDefinition / describe-task-definition JSON), kept as written."}),
        );
    }
    let status_s = structural(
        &status,
        status
            .get("$defs")
            .and_then(Value::as_object)
            .unwrap_or(&empty),
    );
    json!({
        "type": "object",
        "required": ["spec"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": spec_s,
            "status": status_s,
        }
    })
}

/// The full CRD, ready to apply.
pub fn crd() -> CustomResourceDefinition {
    let mut crd = EcsRoleSet::crd();
    let schema: JSONSchemaProps = serde_json::from_value(openapi_schema())
        .expect("generated schema is valid JSONSchemaProps");
    for v in &mut crd.spec.versions {
        v.schema = Some(k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceValidation {
            open_api_v3_schema: Some(schema.clone()),
        });
    }
    crd
}

/// The CRD as YAML (what `crdgen` prints and the chart ships).
pub fn crd_yaml() -> String {
    format!(
        "# Generated by `cargo run -p ecsroles-controller --bin crdgen`. Do not edit by hand.\n{}",
        serde_yaml::to_string(&crd()).expect("CRD serialises")
    )
}
