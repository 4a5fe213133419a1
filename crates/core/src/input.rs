//! Reading user documents: an `EcsRoleSet` resource, a bare spec, a task definition or
//! `describe-task-definition` output, as JSON or YAML. Errors say where (line, column, field
//! path) and what is wrong. Pure: the caller reads the file.

use serde::{Deserialize, Serialize};

use crate::spec::EcsRoleSetSpec;
use crate::taskdef::TaskDefinition;

pub const API_VERSION: &str = "ecsroles.dev/v1alpha1";
pub const KIND: &str = "EcsRoleSet";

/// The Kubernetes resource form of a spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcsRoleSetDocument {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: Metadata,
    pub spec: EcsRoleSetSpec,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// What went wrong reading a document, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputError {
    pub message: String,
    /// Field path inside the document (`spec.app.access[0].s3.access`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, "line {l}, column {c}: ")?;
        }
        if let Some(p) = &self.path {
            write!(f, "{p}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// What kind of document it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DocumentKind {
    EcsRoleSet,
    Spec,
    TaskDefinition,
}

fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{') || text.trim_start().starts_with('[')
}

/// Typed deserialisation with the failing field's path and position.
fn typed<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, InputError> {
    if is_json(text) {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            InputError {
                message: strip_position(&inner.to_string()),
                path: (path != ".").then_some(path),
                line: Some(inner.line()),
                column: Some(inner.column()),
            }
        })
    } else {
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let loc = inner.location();
            InputError {
                message: strip_position(&inner.to_string()),
                path: (path != ".").then_some(path),
                line: loc.as_ref().map(|l| l.line()),
                column: loc.as_ref().map(|l| l.column()),
            }
        })
    }
}

/// serde's messages end in " at line X column Y"; the position is reported separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Parses any supported document into a spec.
pub fn parse_document(text: &str) -> Result<(EcsRoleSetSpec, DocumentKind), InputError> {
    if text.trim().is_empty() {
        return Err(InputError {
            message: "the document is empty".into(),
            path: None,
            line: None,
            column: None,
        });
    }
    // First pass: untyped, to recognise the shape (and report syntax errors with positions).
    let value: serde_json::Value = typed(text)?;
    let Some(obj) = value.as_object() else {
        return Err(InputError {
            message:
                "expected a mapping (an EcsRoleSet, a spec or a task definition) at the top level"
                    .into(),
            path: None,
            line: Some(1),
            column: Some(1),
        });
    };
    if obj.contains_key("kind") || obj.contains_key("apiVersion") {
        let kind = obj.get("kind").and_then(|k| k.as_str()).unwrap_or("");
        if kind != KIND {
            return Err(InputError {
                message: format!("kind {kind:?} is not {KIND}"),
                path: Some("kind".into()),
                line: None,
                column: None,
            });
        }
        let api = obj.get("apiVersion").and_then(|k| k.as_str()).unwrap_or("");
        if api != API_VERSION {
            return Err(InputError {
                message: format!("apiVersion {api:?} is not {API_VERSION}"),
                path: Some("apiVersion".into()),
                line: None,
                column: None,
            });
        }
        let doc: EcsRoleSetDocument = typed(text)?;
        let mut spec = doc.spec;
        if spec.name.is_none() {
            spec.name = doc.metadata.name;
        }
        return Ok((spec, DocumentKind::EcsRoleSet));
    }
    let wrapper_only = obj
        .keys()
        .all(|k| matches!(k.as_str(), "taskDefinition" | "tags" | "ResponseMetadata"));
    if obj.contains_key("containerDefinitions")
        || (obj.contains_key("taskDefinition") && wrapper_only)
    {
        let td: TaskDefinition = typed(text)?;
        let spec = EcsRoleSetSpec {
            task_definition: td.normalized(),
            ..Default::default()
        };
        return Ok((spec, DocumentKind::TaskDefinition));
    }
    let mut spec: EcsRoleSetSpec = typed(text)?;
    spec.task_definition = std::mem::take(&mut spec.task_definition).normalized();
    Ok((spec, DocumentKind::Spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_four_shapes() {
        let td = r#"{"family":"a","containerDefinitions":[{"name":"c","image":"nginx"}],"cpu":"256","unknownField":1}"#;
        assert_eq!(parse_document(td).unwrap().1, DocumentKind::TaskDefinition);
        let wrapped = format!(r#"{{"taskDefinition": {td}, "tags": []}}"#);
        let (s, k) = parse_document(&wrapped).unwrap();
        assert_eq!(k, DocumentKind::TaskDefinition);
        assert_eq!(s.task_definition.family.as_deref(), Some("a"));
        let spec = "launchType: EC2\nregion: us-east-1\ntaskDefinition:\n  family: x\n";
        assert_eq!(parse_document(spec).unwrap().1, DocumentKind::Spec);
        let res = "apiVersion: ecsroles.dev/v1alpha1\nkind: EcsRoleSet\nmetadata: {name: api}\nspec: {launchType: FARGATE}\n";
        let (s, k) = parse_document(res).unwrap();
        assert_eq!(
            (k, s.name.as_deref()),
            (DocumentKind::EcsRoleSet, Some("api"))
        );
    }

    #[test]
    fn errors_carry_path_and_position() {
        let e = parse_document(
            "launchType: EC2\napp:\n  access:\n    - s3: {bucket: b, access: sometimes}\n",
        )
        .unwrap_err();
        assert_eq!(e.path.as_deref(), Some("app.access[0].s3.access"));
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("sometimes"), "{e}");
        let e = parse_document("{\"launchType\": \"EC2\",\n \"regoin\": \"x\"}").unwrap_err();
        assert!(e.message.contains("regoin"), "{e}");
        assert_eq!(e.line, Some(2));
        let e = parse_document("{\"family\": \"x\", \"containerDefinitions\": [{\"image\": 5}]}")
            .unwrap_err();
        assert_eq!(e.path.as_deref(), Some("containerDefinitions[0].image"));
        let e = parse_document("{ not json").unwrap_err();
        assert!(e.line.is_some());
        assert!(parse_document("   ").is_err());
        assert!(parse_document("- a\n- b\n").is_err());
        let e = parse_document("kind: Pod\napiVersion: v1\n").unwrap_err();
        assert_eq!(e.path.as_deref(), Some("kind"));
    }
}
