//! Writes, on the host, what the calculator reads besides the module: `examples.json` (the
//! project's examples as JSON: the browser build reads JSON only) and `form.json` (the spec's
//! JSON Schema part the form reads and the core's lists: network modes, the lifecycle's
//! moments, formats, example titles). Both are static files beside the element, so the
//! WebAssembly carries neither a YAML parser nor schemars, nor these ~1.4 KB (gzipped) of data.

use std::path::Path;

// The boundary's types, shared with the module (the schemars derive is host-only there).
#[path = "build/typescript.rs"]
mod typescript;
#[allow(dead_code)]
#[path = "src/wire.rs"]
mod wire;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            )
        })
        .collect();
    files.sort();
    // Titles in form.json (the menu); the texts in examples.json, fetched by the element only
    // when an example is opened (~3.5 KB gzipped an embed never pays for).
    let mut titles: Vec<serde_json::Value> = Vec::new();
    let mut texts = serde_json::Map::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read example");
        let value: serde_json::Value = if f.extension().and_then(|e| e.to_str()) == Some("json") {
            serde_json::from_str(&text).expect("example JSON")
        } else {
            serde_yaml::from_str(&text).expect("example YAML")
        };
        // The first comment line of a YAML example describes it; JSON ones use their file name.
        let title = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# "))
            .map(menu_label)
            .unwrap_or_else(|| {
                f.file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("example")
                    .to_string()
            });
        let name = f.file_stem().and_then(|s| s.to_str()).unwrap_or("example");
        // Compact: the element indents it for display (smaller download).
        let json = serde_json::to_string(&value).expect("json");
        titles.push(serde_json::json!({"id": name, "title": title}));
        texts.insert(name.to_string(), serde_json::Value::String(json));
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    // web/scripts/build.sh copies it next to the element (it finds OUT_DIR through cargo).
    let texts = serde_json::to_string(&texts).expect("examples JSON");
    std::fs::write(Path::new(&out_dir).join("examples.json"), texts).expect("write examples.json");
    let schema = schemars::schema_for!(ecsroles_core::EcsRoleSetSpec);
    // The calculator reads the schema's shape (enums, required fields), never its prose:
    // descriptions stay in `ecsroles schema` and weigh nothing on the download.
    let mut schema = serde_json::to_value(&schema).expect("schema JSON");
    strip_descriptions(&mut schema);
    let mut form = form_part(&schema);
    form["networkModes"] = serde_json::json!(network_modes());
    form["lifecycle"] = serde_json::json!(lifecycle());
    form["examples"] = serde_json::json!(titles);
    form["formats"] = serde_json::json!(formats());
    // The error path the plain module answers a template with: plan it with the full module.
    form["templatePath"] = ecsroles_core::normalize::TEMPLATE_PATH.into();
    form["specUrl"] = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/spec.md").into();
    let form = serde_json::to_string(&form).expect("form JSON");
    std::fs::write(Path::new(&out_dir).join("form.json"), form).expect("write form.json");
    std::fs::write(Path::new(&out_dir).join("types.d.ts"), types()).expect("write types.d.ts");
    println!("cargo:rerun-if-changed=src/wire.rs");
    println!("cargo:rerun-if-changed=build/typescript.rs");
}

/// The TypeScript declarations of what crosses the boundary (lib.rs puts them in the module's
/// `.d.ts`): generated from the JSON Schema of the same serde types, with their doc comments.
fn types() -> String {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    generator.subschema_for::<wire::Overrides>();
    generator.subschema_for::<wire::Tenant>();
    generator.subschema_for::<wire::PlanOutput<'static>>();
    generator.subschema_for::<wire::GuardedOutput<'static>>();
    generator.subschema_for::<ecsroles_core::InputError>();
    generator.subschema_for::<ecsroles_core::share::Shareable>();
    generator.subschema_for::<wire::AuditOutput<'static>>();
    generator.subschema_for::<wire::ExplainOutput>();
    let defs = generator.take_definitions(true);
    format!(
        "// Generated by crates/wasm/build.rs from the serde types of crates/wasm/src/wire.rs and\n\
         // the core's plan model. Functions that fail throw an `InputError`.\n\n\
         /** JSON text whose `JSON.parse` is a `T`: results cross as text (see `json` in lib.rs). */\n\
         export type JsonOf<T> = string & {{ readonly __jsonOf?: T }};\n\n{}",
        typescript::declarations(&defs)
    )
}

/// The definitions the calculator's form reads (launch types, access intents) and every one
/// they reference; the rest of the schema would be ~1.5 KB of the gzipped module for nothing.
fn form_part(schema: &serde_json::Value) -> serde_json::Value {
    let defs = &schema["$defs"];
    let mut keep = std::collections::BTreeMap::new();
    let mut todo = vec!["LaunchType".to_string(), "AccessIntent".to_string()];
    while let Some(name) = todo.pop() {
        if keep.contains_key(&name) {
            continue;
        }
        let def = defs[&name].clone();
        refs(&def, &mut todo);
        keep.insert(name, def);
    }
    serde_json::json!({ "$defs": keep })
}

/// Every network mode some launch type accepts (the core's launch-type facts), in order.
fn network_modes() -> Vec<&'static str> {
    let mut modes: Vec<&str> = Vec::new();
    for l in ecsroles_core::LaunchType::ALL {
        for m in ecsroles_core::rules::unsupported::network_modes(l).0 {
            if !modes.contains(m) {
                modes.push(m);
            }
        }
    }
    modes
}

/// A menu label from an example's first comment line: its first clause or sentence (up to
/// ": ", "; " or ". ") when that says enough on its own (25 characters), so labels do not stop
/// mid-sentence where the line wraps.
fn menu_label(line: &str) -> String {
    let line = line.trim_end_matches([',', ' ']);
    let cut = line
        .match_indices([':', ';', '.'])
        .map(|(i, _)| i)
        .find(|&i| i >= 25 && line[i + 1..].starts_with(' '));
    line[..cut.unwrap_or(line.len())].to_string()
}

/// Output formats: `{name, ext, title, basic}` — `basic`: the plain module renders it (the
/// full one renders every format).
fn formats() -> Vec<serde_json::Value> {
    use ecsroles_core::render::Format;
    Format::ALL
        .iter()
        .map(|f| {
            serde_json::json!({"name": f.name(), "ext": f.extension(), "title": f.title(),
                "basic": Format::BASIC.contains(f)})
        })
        .collect()
}

/// The lifecycle's moments in order (`{title, kinds}`), each with the role kinds the registry
/// puts there.
fn lifecycle() -> Vec<serde_json::Value> {
    use ecsroles_core::model::{Phase, KINDS};
    Phase::ALL
        .iter()
        .map(|p| {
            let kinds: Vec<&str> = KINDS
                .iter()
                .filter(|k| k.phase == *p)
                .map(|k| k.key)
                .collect();
            serde_json::json!({"title": p.title(), "kinds": kinds})
        })
        .collect()
}

/// Every `#/$defs/<name>` that `v` refers to.
fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                out.extend(r.strip_prefix("#/$defs/").map(str::to_string));
            }
            m.values().for_each(|x| refs(x, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

fn strip_descriptions(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("description");
            m.values_mut().for_each(strip_descriptions);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_descriptions),
        _ => {}
    }
}
