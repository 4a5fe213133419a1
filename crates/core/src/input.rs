//! Reading user documents: an `EcsRoleSet` resource, a bare spec, a task definition or
//! `describe-task-definition` output, as JSON or YAML. Errors say where (line, column, field
//! path) and what is wrong. Pure: the caller reads the file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::normalize;
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// Typed deserialisation. Natively: straight from the text, so type errors carry their line
/// and column. On wasm32: from the already-parsed value, because instantiating every spec
/// type's deserializer for both JSON and YAML (times serde_path_to_error's wrappers) costs
/// ~60 KB of gzipped WebAssembly; the calculator locates errors by field path instead.
fn typed<T: serde::de::DeserializeOwned>(
    text: &str,
    value: &serde_json::Value,
) -> Result<T, InputError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = value;
        typed_direct(text)
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = text;
        typed_value(value)
    }
}

/// Typed deserialisation from a parsed value. Plain serde (no path-tracking wrappers: they
/// are the largest part of the wasm); the failing field's path is then located from the
/// error's quoted token.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn typed_value<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, InputError> {
    T::deserialize(value).map_err(|e| {
        let message = e.to_string();
        InputError {
            path: locate(value, &message),
            message,
            line: None,
            column: None,
        }
    })
}

/// Finds the path serde's message is about: `unknown field `x`` → where key `x` is;
/// `unknown variant `v``, `invalid value: string "v"`, `invalid type: … `v`` → where the
/// scalar `v` is. `None` when the token is not found (e.g. a missing field).
fn locate(value: &serde_json::Value, message: &str) -> Option<String> {
    let token = message
        .split('`')
        .nth(1)
        .or_else(|| message.split('"').nth(1))?;
    let key = message.starts_with("unknown field");
    let mut path = String::new();
    find(value, token, key, &mut path).then_some(path)
}

fn find(v: &serde_json::Value, token: &str, key: bool, path: &mut String) -> bool {
    use serde_json::Value;
    let start = path.len();
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                path.truncate(start);
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                if (key && k == token) || find(child, token, key, path) {
                    return true;
                }
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.truncate(start);
                path.push('[');
                path.push_str(&i.to_string());
                path.push(']');
                if find(child, token, key, path) {
                    return true;
                }
            }
        }
        Value::String(s) => return !key && s == token,
        Value::Number(n) => return !key && n.to_string() == token,
        Value::Bool(b) => return !key && b.to_string() == token,
        Value::Null => {}
    }
    path.truncate(start);
    false
}

/// Untyped parse: syntax errors carry their position.
fn untyped(text: &str) -> Result<serde_json::Value, InputError> {
    if let Some(line) = comment_line(text) {
        return Err(InputError {
            message: "JSON has no comments, and ECS accepts none: this line starts with // or /*"
                .into(),
            path: None,
            line: Some(line),
            column: Some(1),
        });
    }
    if is_json(text) {
        serde_json::from_str(text).map_err(|e| InputError {
            message: strip_position(&e.to_string()),
            path: None,
            line: Some(e.line()),
            column: Some(e.column()),
        })
    } else {
        yaml_value(text)
    }
}

/// The first line that is a `//` or `/*` comment in a JSON-looking document (people annotate
/// task definitions; neither JSON nor ECS accepts it). 1-based.
fn comment_line(text: &str) -> Option<usize> {
    let looks_json = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("/*"))
        .is_some_and(|l| l.starts_with('{') || l.starts_with('['));
    if !looks_json {
        return None;
    }
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with("//") || t.starts_with("/*")
        })
        .map(|i| i + 1)
}

#[cfg(feature = "yaml")]
fn yaml_value(text: &str) -> Result<serde_json::Value, InputError> {
    // Through YAML's own value: CloudFormation's short forms (`!Ref X`) are tags, which
    // serde_json's value cannot hold; they become `{"!Ref": X}` for the normaliser.
    serde_yaml::from_str::<serde_yaml::Value>(text)
        .map(yaml_to_json)
        .map_err(|e| {
            let loc = e.location();
            InputError {
                message: strip_position(&e.to_string()),
                path: None,
                line: loc.as_ref().map(|l| l.line()),
                column: loc.as_ref().map(|l| l.column()),
            }
        })
}

#[cfg(feature = "yaml")]
fn yaml_to_json(v: serde_yaml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    use serde_yaml::Value as Y;
    match v {
        Y::Null => J::Null,
        Y::Bool(b) => J::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                J::from(i)
            } else if let Some(u) = n.as_u64() {
                J::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(J::Null, J::Number)
            }
        }
        Y::String(s) => J::String(s),
        Y::Sequence(a) => J::Array(a.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => J::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_yaml::to_string(&other)
                            .unwrap_or_default()
                            .trim_end()
                            .to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let tag = if tag.starts_with('!') {
                tag
            } else {
                cat!("!", tag)
            };
            J::Object(serde_json::Map::from_iter([(tag, yaml_to_json(t.value))]))
        }
    }
}

#[cfg(not(feature = "yaml"))]
fn yaml_value(_text: &str) -> Result<serde_json::Value, InputError> {
    Err(InputError {
        message: "expected a JSON document (starting with '{'); this build reads JSON only".into(),
        path: None,
        line: Some(1),
        column: Some(1),
    })
}

#[cfg(not(target_arch = "wasm32"))]
/// Typed deserialisation with the failing field's path and position.
fn typed_direct<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, InputError> {
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
        yaml_typed(text)
    }
}

#[cfg(all(not(target_arch = "wasm32"), feature = "yaml"))]
fn yaml_typed<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, InputError> {
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

#[cfg(all(not(target_arch = "wasm32"), not(feature = "yaml")))]
fn yaml_typed<T>(text: &str) -> Result<T, InputError> {
    yaml_value(text).map(|_| unreachable!("yaml_value always fails without the yaml feature"))
}

/// serde's messages end in " at line X column Y"; the position is reported separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// How to read a document: values for its template placeholders.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// `NAME` → value for `${NAME}`, `{{ env "NAME" }}`, `$(NAME)`… (`--var NAME=VALUE`).
    pub vars: BTreeMap<String, String>,
}

impl ParseOptions {
    /// One `NAME=VALUE` (the CLI's `--var`, one per flag): the name trimmed, the value as given.
    pub fn parse_var(s: &str) -> Result<(String, String), String> {
        match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(format!("{s:?} is not NAME=VALUE")),
        }
    }

    /// `NAME=value, NAME=value` (the calculator's one-line field), values trimmed: every pair,
    /// or an error naming the first one that is not `NAME=VALUE` (rather than skipping it and
    /// leaving its placeholder unfilled without a word).
    pub fn with_var_list(list: &str) -> Result<ParseOptions, String> {
        let mut vars = BTreeMap::new();
        for pair in list.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) = Self::parse_var(pair.trim())?;
            vars.insert(k, v.trim().to_string());
        }
        Ok(ParseOptions { vars })
    }
}

/// Parses any supported document into a spec.
pub fn parse_document(text: &str) -> Result<(EcsRoleSetSpec, DocumentKind), InputError> {
    parse_document_with(text, &ParseOptions::default())
}

/// Parses any supported document into a spec, filling template placeholders from `opts`.
/// What the normaliser recognised (a CloudFormation template, a bare container array, …) is
/// kept in the spec's `input_notes`, which the plan reports first.
pub fn parse_document_with(
    text: &str,
    opts: &ParseOptions,
) -> Result<(EcsRoleSetSpec, DocumentKind), InputError> {
    // Windows editors save JSON with a byte-order mark; neither parser accepts it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputError {
            message: "the document is empty".into(),
            path: None,
            line: None,
            column: None,
        });
    }
    // First pass: untyped, to recognise the shape (and report syntax errors with positions).
    let mut value: serde_json::Value = untyped(text)?;
    if !(value.is_object() || value.is_array()) {
        return Err(InputError {
            message:
                "expected a mapping (an EcsRoleSet, a spec or a task definition) at the top level"
                    .into(),
            path: None,
            line: Some(1),
            column: Some(1),
        });
    }
    let norm = normalize::normalize(&mut value, &opts.vars);
    if let Some((path, message)) = norm.shape_error {
        return Err(InputError {
            message,
            path: Some(path),
            line: None,
            column: None,
        });
    }
    let td_value = value.get("spec").and_then(|s| s.get("taskDefinition"));
    let td_value = td_value.or_else(|| {
        value
            .get("taskDefinition")
            .filter(|_| !is_task_definition_value(&value))
    });
    if let Some((path, message)) = normalize::shape_error(td_value.unwrap_or(&value)) {
        let base = if value.get("spec").is_some() {
            "spec.taskDefinition."
        } else if td_value.is_some() {
            "taskDefinition."
        } else {
            ""
        };
        return Err(InputError {
            message,
            path: Some(cat!(base, path)),
            line: None,
            column: None,
        });
    }
    let Some(obj) = value.as_object() else {
        return Err(InputError {
            message: "expected a mapping (an EcsRoleSet, a spec or a task definition) or an array of container definitions at the top level".into(),
            path: None,
            line: Some(1),
            column: Some(1),
        });
    };
    let (mut spec, kind) = if obj.contains_key("kind") || obj.contains_key("apiVersion") {
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
        let doc: EcsRoleSetDocument = typed_any(norm.changed, text, &value)?;
        let mut spec = doc.spec;
        if spec.name.is_none() {
            spec.name = doc.metadata.name;
        }
        (spec, DocumentKind::EcsRoleSet)
    } else if is_task_definition(obj) {
        let td: TaskDefinition = typed_any(norm.changed, text, &value)?;
        let spec = EcsRoleSetSpec {
            task_definition: td,
            ..Default::default()
        };
        (spec, DocumentKind::TaskDefinition)
    } else {
        (typed_any(norm.changed, text, &value)?, DocumentKind::Spec)
    };
    spec.task_definition = std::mem::take(&mut spec.task_definition).normalized();
    spec.input_notes = norm.notes;
    Ok((spec, kind))
}

/// Typed errors are located in the text when it was read as is, else on the value.
fn typed_any<T: serde::de::DeserializeOwned>(
    changed: bool,
    text: &str,
    value: &serde_json::Value,
) -> Result<T, InputError> {
    if changed {
        typed_from_value(value)
    } else {
        typed(text, value)
    }
}

/// Adds a domainless gMSA CredSpec read from its own file to `spec.credentialSpecs`, as the
/// CLI's `--credspec LOCATION=FILE` gives it: `location` as the task definition writes it
/// after `credentialspecdomainless:` (the prefix dropped if pasted with it), `text` the
/// CredSpec (a byte-order mark, as Windows tools save JSON, dropped), `vars` the user's
/// values for placeholders in it (`--var`), filled as in the main document.
#[cfg(not(target_arch = "wasm32"))]
pub fn with_credential_spec(
    spec: &mut EcsRoleSetSpec,
    location: &str,
    text: &str,
    vars: &BTreeMap<String, String>,
) -> Result<(), InputError> {
    let location = location.trim();
    let location = location
        .strip_prefix("credentialspecdomainless:")
        .unwrap_or(location)
        .trim();
    let mut doc = untyped(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    normalize::fill_variables(&mut doc, vars);
    spec.credential_specs.insert(location.to_string(), doc);
    Ok(())
}

/// A task definition and the service that runs it, from two files as people keep them (the
/// inputs of `aws ecs register-task-definition` and `aws ecs create-service --cli-input-json`,
/// or their `describe-*` outputs): the spec `{taskDefinition, service}` they make together, as
/// JSON text for [`parse_document_with`]. Errors name the file by the path's first member
/// (`taskDefinition…`, `service…`); line and column would be the joined text's, so there are none.
/// Not for the wasm build: the calculator takes one document (a spec holds both).
#[cfg(not(target_arch = "wasm32"))]
pub fn with_service(task_definition: &str, service: &str) -> Result<String, InputError> {
    let unplaced = |e: InputError, file: &str| InputError {
        message: format!("{file}: {e}"),
        line: None,
        column: None,
        path: None,
    };
    let strip = |t: &str| t.strip_prefix('\u{feff}').unwrap_or(t).to_string();
    let td = untyped(&strip(task_definition)).map_err(|e| unplaced(e, "task definition"))?;
    if !is_task_definition_value(&td) {
        return Err(InputError {
            message: "a service file goes with a task definition (register-task-definition input or describe-task-definition output); a spec, EcsRoleSet or CloudFormation template has its own service".into(),
            path: None,
            line: None,
            column: None,
        });
    }
    let mut svc = untyped(&strip(service)).map_err(|e| unplaced(e, "service"))?;
    // `describe-services` output: {"services": [one]} (or create-service's {"service": {…}});
    // describe-services with several: which one runs this task definition is not said.
    if let Some(serde_json::Value::Array(listed)) = svc.get("services") {
        if listed.len() != 1 {
            return Err(InputError {
                message: format!(
                    "the service file is describe-services output with {} services: ecsroles plans one task definition with one service",
                    listed.len()
                ),
                path: Some("services".into()),
                line: None,
                column: None,
            });
        }
        svc = listed[0].clone();
    } else if let Some(inner @ serde_json::Value::Object(_)) = svc.get("service") {
        svc = inner.clone();
    }
    if !svc.is_object() {
        return Err(InputError {
            message:
                "the service file is not a CreateService/UpdateService request or one describe-services service"
                    .into(),
            path: Some("service".into()),
            line: None,
            column: None,
        });
    }
    Ok(serde_json::json!({"taskDefinition": td, "service": svc}).to_string())
}

fn is_task_definition_value(v: &serde_json::Value) -> bool {
    v.as_object().is_some_and(is_task_definition)
}

/// A task definition, or `describe-task-definition` output around one.
fn is_task_definition(obj: &serde_json::Map<String, serde_json::Value>) -> bool {
    let wrapper_only = obj
        .keys()
        .all(|k| matches!(k.as_str(), "taskDefinition" | "tags" | "ResponseMetadata"));
    obj.contains_key("containerDefinitions") || (obj.contains_key("taskDefinition") && wrapper_only)
}

/// Typed deserialisation from a rewritten value, with the failing field's path.
fn typed_from_value<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
) -> Result<T, InputError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            InputError {
                message: e.into_inner().to_string(),
                path: (path != ".").then_some(path),
                line: None,
                column: None,
            }
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        typed_value(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_variables_are_read_or_the_bad_pair_is_named() {
        let o = ParseOptions::with_var_list(" TAG = 1.4 , ENV=prod,").unwrap();
        assert_eq!(o.vars["TAG"], "1.4");
        assert_eq!(o.vars["ENV"], "prod");
        let e = ParseOptions::with_var_list("TAG=1.4, ENV").unwrap_err();
        assert!(e.contains("\"ENV\" is not NAME=VALUE"), "{e}");
        assert!(ParseOptions::with_var_list("=x").is_err());
        assert_eq!(
            ParseOptions::parse_var("A= spaced ").unwrap(),
            ("A".into(), " spaced ".into())
        );
    }

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
    fn the_wasm_path_reports_the_same_field_paths() {
        let yaml = "launchType: EC2\napp:\n  access:\n    - s3: {bucket: b, access: sometimes}\n";
        let v = untyped(yaml).unwrap();
        let e = typed_value::<EcsRoleSetSpec>(&v).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("app.access[0].s3.access"));
        assert!(e.message.contains("sometimes"));
        let v = untyped(r#"{"launchType": "EC2", "roles": {"task": {"nmae": "x"}}}"#).unwrap();
        assert_eq!(
            typed_value::<EcsRoleSetSpec>(&v)
                .unwrap_err()
                .path
                .as_deref(),
            Some("roles.task.nmae")
        );
        let v = untyped(r#"{"containerDefinitions": [{"name": "a"}, {"image": 5}]}"#).unwrap();
        let e = typed_value::<TaskDefinition>(&v).unwrap_err();
        assert_eq!(
            e.path.as_deref(),
            Some("containerDefinitions[1].image"),
            "{e}"
        );
        let ok: EcsRoleSetSpec =
            typed_value(&untyped("launchType: EC2\nregion: us-east-1\n").unwrap()).unwrap();
        assert_eq!(ok.region.as_deref(), Some("us-east-1"));
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
