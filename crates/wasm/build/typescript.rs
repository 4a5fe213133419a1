//! TypeScript declarations from JSON Schema (what schemars derives from the serde definitions
//! of everything that crosses the module's boundary), so the types a page sees are the ones
//! serde writes and reads, never a second hand-kept copy. Covers what schemars emits for
//! this project's types: `$ref`, `type` (one or a list), `enum`/`const`, `oneOf`/`anyOf`,
//! objects with `properties`/`required`/`additionalProperties`, arrays. Anything else is a
//! build error, not a silent `unknown`.

use serde_json::{Map, Value};
use std::fmt::Write;

/// `export` declarations for every definition in `defs`, in name order.
pub fn declarations(defs: &Map<String, Value>) -> String {
    let mut out = String::new();
    for (name, schema) in defs {
        doc(&mut out, schema, "");
        match interface_body(schema, "") {
            Some(body) => writeln!(out, "export interface {name} {body}").unwrap(),
            None => writeln!(out, "export type {name} = {};", ty(schema, "")).unwrap(),
        }
        out.push('\n');
    }
    out
}

/// A `/** … */` comment from the schema's description, indented.
fn doc(out: &mut String, schema: &Value, indent: &str) {
    if let Some(d) = schema.get("description").and_then(Value::as_str) {
        writeln!(out, "{indent}/**").unwrap();
        for line in d.lines() {
            // `*/` inside a description would end the comment early.
            writeln!(out, "{indent} * {}", line.replace("*/", "*\\/").trim_end()).unwrap();
        }
        writeln!(out, "{indent} */").unwrap();
    }
}

/// `{ … }` when the schema is a plain object with named properties (an interface).
fn interface_body(schema: &Value, indent: &str) -> Option<String> {
    let props = schema.get("properties")?.as_object()?;
    if schema.get("type").and_then(Value::as_str) != Some("object")
        || schema
            .get("additionalProperties")
            .is_some_and(|a| a != false)
        || ["oneOf", "anyOf", "allOf"]
            .iter()
            .any(|k| schema.get(*k).is_some())
    {
        return None;
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let inner = format!("{indent}  ");
    let mut out = String::from("{\n");
    for (key, prop) in props {
        doc(&mut out, prop, &inner);
        let optional = if required.contains(&key.as_str()) {
            ""
        } else {
            "?"
        };
        writeln!(out, "{inner}{key}{optional}: {};", ty(prop, &inner)).unwrap();
    }
    write!(out, "{indent}}}").unwrap();
    Some(out)
}

/// The TypeScript type of one schema.
fn ty(schema: &Value, indent: &str) -> String {
    let Some(m) = schema.as_object() else {
        return match schema {
            Value::Bool(true) => "unknown".into(),
            Value::Bool(false) => "never".into(),
            other => panic!("not a schema: {other}"),
        };
    };
    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(c) = m.get("const") {
        return c.to_string();
    }
    if let Some(e) = m.get("enum").and_then(Value::as_array) {
        return union(e.iter().map(Value::to_string));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = m.get(key).and_then(Value::as_array) {
            return union(alts.iter().map(|a| ty(a, indent)));
        }
    }
    if m.is_empty() || (m.len() == 1 && m.contains_key("description")) {
        return "unknown".into();
    }
    let types: Vec<&str> = match m.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => panic!("schema without a type: {schema}"),
    };
    union(types.iter().map(|t| match *t {
        "string" => "string".into(),
        "integer" | "number" => "number".into(),
        "boolean" => "boolean".into(),
        "null" => "null".into(),
        "array" => {
            let item = m.get("items").map_or("unknown".into(), |i| ty(i, indent));
            if item.contains(' ') {
                format!("({item})[]")
            } else {
                format!("{item}[]")
            }
        }
        "object" => object(m, indent),
        other => panic!("unknown JSON Schema type {other}"),
    }))
}

/// An object type: its properties, and an index signature for `additionalProperties`.
fn object(m: &Map<String, Value>, indent: &str) -> String {
    if let Some(body) = interface_body(&Value::Object(m.clone()), indent) {
        return body;
    }
    match m.get("additionalProperties") {
        Some(Value::Bool(false)) => "Record<string, never>".into(),
        Some(v) => format!("{{ [key: string]: {} }}", ty(v, indent)),
        None => "{ [key: string]: unknown }".into(),
    }
}

/// `a | b | c`, each alternative once.
fn union(alts: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for a in alts {
        if !seen.contains(&a) {
            seen.push(a);
        }
    }
    seen.join(" | ")
}
