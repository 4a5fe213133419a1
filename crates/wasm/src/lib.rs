//! `ecsroles-wasm`: the calculator's bridge to the core. Thin on purpose (like ruff_wasm):
//! parse → plan → render, values across the boundary as JSON (JSON.parse / JSON.stringify), errors as
//! structured objects `{message, path?, line?, column?}`. No IAM knowledge lives here.

use ecsroles_core::render::{render_basic, Format};
use ecsroles_core::{
    parse_document_with, plan, EcsRoleSetSpec, InputError, LaunchType, ParseOptions,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// Settings the page can impose on a pasted task definition (all optional).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Overrides {
    launch_type: Option<String>,
    account: Option<String>,
    region: Option<String>,
    cluster: Option<String>,
    /// Values for the document's template placeholders, as typed: `NAME=value, NAME=value`
    /// (the CLI's `--var NAME=VALUE`). A string, not a map: one less deserializer in the wasm.
    vars: Option<String>,
    /// Plan new roles instead of the task and execution roles the task definition names (the
    /// user's choice in the "Read from your file" card).
    new_roles: Option<bool>,
    /// What the application calls, added to the document's own (a task definition says nothing
    /// about it): the spec's `app` (`access`, `statements`, `managedPolicies`) as JSON text.
    app: Option<String>,
}

/// `app` (JSON text of the spec's `app`) read through the same parser as a whole spec, so the
/// browser build carries no second deserializer for it; errors keep their `app.…` path.
fn app_from(app: &str) -> Result<ecsroles_core::spec::AppSpec, JsValue> {
    let doc = format!(
        r#"{{"taskDefinition": {{"family": "app", "containerDefinitions": []}}, "app": {app}}}"#
    );
    parse_document_with(&doc, &ParseOptions::default())
        .map(|(spec, _)| spec.app)
        .map_err(|e| {
            // Its line and column are in this wrapper, not in anything the user typed.
            error(&InputError {
                line: None,
                column: None,
                ..e
            })
        })
}

/// What `plan` returns: the plan plus every rendered format, so a keystroke is one call.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Output<'a> {
    plan: &'a ecsroles_core::RolePlan,
    renders: Vec<Rendered>,
}

/// One format, rendered: `{format, text}`.
#[derive(Serialize)]
struct Rendered {
    format: &'static str,
    text: String,
}

/// Large results cross as one JSON string that JS parses natively: serialising them through
/// serde-wasm-bindgen as well as serde_json (which the renderers need) would instantiate every
/// Serialize impl twice, ~15 KB of gzipped wasm. Small values go through JSON.parse too.
fn json<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    // Pretty, like the JSON tab: one serializer instance for the whole model, not two.
    serde_json::to_string_pretty(v)
        .map(|s| JsValue::from_str(&s))
        .map_err(|e| {
            error(&InputError {
                message: e.to_string(),
                path: None,
                line: None,
                column: None,
            })
        })
}

fn error(e: &InputError) -> JsValue {
    // An object for JS (`{message, path, line, column}`), through JSON.parse: the module's one
    // serde back end (serde_json) serialises it.
    serde_json::to_string(e)
        .ok()
        .and_then(|s| js_sys::JSON::parse(&s).ok())
        .unwrap_or_else(|| JsValue::from_str(&e.message))
}

fn spec_from(text: &str, overrides: JsValue) -> Result<EcsRoleSetSpec, JsValue> {
    let o: Overrides = if overrides.is_undefined() || overrides.is_null() {
        Overrides::default()
    } else {
        // JSON.stringify, then serde_json: the module's one serde back end reads it.
        let text: String = js_sys::JSON::stringify(&overrides)
            .map(String::from)
            .unwrap_or_default();
        // Through a Value: the &Value deserializer the spec already instantiates, not a second
        // text deserializer for this one struct.
        serde_json::from_str::<serde_json::Value>(&text)
            .and_then(|v| Overrides::deserialize(&v))
            .map_err(|e| {
                error(&InputError {
                    message: format!("overrides: {e}"),
                    path: None,
                    line: None,
                    column: None,
                })
            })?
    };
    let opts = ParseOptions::with_var_list(o.vars.as_deref().unwrap_or_default()).map_err(|m| {
        error(&InputError {
            message: format!("template variables: {m}"),
            path: Some("vars".into()),
            line: None,
            column: None,
        })
    })?;
    let (mut spec, _) = parse_document_with(text, &opts).map_err(|e| error(&e))?;
    let launch_type = match o.launch_type.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => Some(LaunchType::parse(l).ok_or_else(|| {
            error(&InputError {
                message: format!("{l:?} is not a launch type"),
                path: Some("launchType".into()),
                line: None,
                column: None,
            })
        })?),
        None => None,
    };
    ecsroles_core::overrides::Overrides {
        launch_type,
        account: o.account,
        region: o.region,
        cluster: o.cluster,
        new_roles: o.new_roles == Some(true),
    }
    .apply(&mut spec);
    if let Some(app) = o.app.as_deref().filter(|a| !a.trim().is_empty()) {
        let mut extra = app_from(app)?;
        spec.app.access.append(&mut extra.access);
        spec.app.statements.append(&mut extra.statements);
        spec.app
            .managed_policies
            .append(&mut extra.managed_policies);
    }
    Ok(spec)
}

/// Plans a document (task definition, spec or EcsRoleSet, as JSON) and renders the formats
/// named in `formats` (all when empty): a keystroke asks for the visible tab only. Returns
/// the result as a JSON string. Throws `{message, path, line, column}` when the document
/// cannot be read.
#[wasm_bindgen(js_name = planDocument)]
pub fn plan_document(
    text: &str,
    overrides: JsValue,
    formats: Vec<String>,
) -> Result<JsValue, JsValue> {
    let spec = spec_from(text, overrides)?;
    let p = plan(&spec);
    json(&Output {
        plan: &p,
        renders: renders(&spec, &p, &formats),
    })
}

/// The formats named in `formats` (all when empty), rendered.
fn renders(
    spec: &EcsRoleSetSpec,
    p: &ecsroles_core::RolePlan,
    formats: &[String],
) -> Vec<Rendered> {
    let wanted = |f: &&Format| formats.is_empty() || formats.iter().any(|n| n == f.name());
    Format::ALL
        .iter()
        .filter(wanted)
        .filter_map(|f| {
            Some(Rendered {
                format: f.name(),
                text: render_one(*f, spec, p)?,
            })
        })
        .collect()
}

/// One format, if this module renders it: every format with the `full` feature, else only
/// [`Format::BASIC`] (the element fetches the full module when another one is asked for).
fn render_one(f: Format, spec: &EcsRoleSetSpec, p: &ecsroles_core::RolePlan) -> Option<String> {
    #[cfg(feature = "full")]
    {
        let _ = render_basic;
        Some(ecsroles_core::render::render(f, spec, p))
    }
    #[cfg(not(feature = "full"))]
    {
        let _ = spec;
        render_basic(f, p)
    }
}

/// [`plan_document`] under the platform's guardrails (`policy`: the JSON form of the Helm
/// value `guardrails`), as the controller would judge the document in `namespace`: the
/// mandatory boundary is injected before planning, and the result carries `violations`
/// (`[{rule, path, message, text}]`, empty when allowed). Throws `{message, path: "guardrails"}`
/// when the policy itself is invalid.
///
/// With `tenant` (JSON `{"name", "accountId", "namePrefix"?, "rolePath"?}`: the EcsRoleSet's
/// name and the controller's settings) and a namespace, this is the core's whole admission
/// (`ecsroles_core::admission`): the controller's names, path and account first, then the
/// guardrails — its verdict and message exactly, and the plan with the names it would create.
#[cfg(feature = "guardrails")]
#[wasm_bindgen(js_name = planGuarded)]
pub fn plan_guarded(
    text: &str,
    overrides: JsValue,
    formats: Vec<String>,
    policy: &str,
    namespace: Option<String>,
    tenant: Option<String>,
) -> Result<JsValue, JsValue> {
    use ecsroles_core::guardrails::{Context, Guardrails, Violation};
    #[derive(Serialize)]
    struct Shown<'a> {
        #[serde(flatten)]
        violation: &'a Violation,
        text: String,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Guarded<'a> {
        #[serde(flatten)]
        output: Output<'a>,
        violations: Vec<Shown<'a>>,
    }
    let bad_policy = |message: String| {
        error(&InputError {
            message,
            path: Some("guardrails".into()),
            line: None,
            column: None,
        })
    };
    let namespace = namespace.filter(|n| !n.is_empty());
    let (spec, p, violations) = match (&namespace, tenant.filter(|t| !t.is_empty())) {
        (Some(ns), Some(t)) => {
            let all = Guardrails::from_json(policy).map_err(bad_policy)?;
            let (platform, name) = tenant_settings(&t).map_err(|message| {
                error(&InputError {
                    message,
                    path: Some("tenant".into()),
                    line: None,
                    column: None,
                })
            })?;
            let spec = spec_from(text, overrides)?;
            let t = ecsroles_core::admission::Tenant {
                namespace: ns,
                name: &name,
                ..Default::default()
            };
            match ecsroles_core::admission::admit(&spec, &platform, &all, &t) {
                Ok(a) => (a.spec, a.plan, vec![]),
                Err(r) => {
                    // Refused before planning (a name, path or account the tenant may not
                    // set): one entry with the controller's reason and message, and the plan
                    // of the spec as asked.
                    let p = r.plan.map(|p| *p).unwrap_or_else(|| plan(&spec));
                    let violations = if r.violations.is_empty() {
                        vec![Violation {
                            rule: r.reason.as_str().into(),
                            path: String::new(),
                            message: r.message,
                        }]
                    } else {
                        r.violations
                    };
                    (spec, p, violations)
                }
            }
        }
        (None, Some(_)) => {
            // The controller's admission judges a set in its namespace: without one it cannot.
            return Err(error(&InputError {
                message: "resource-name/platform need a namespace: the controller's admission judges an EcsRoleSet in its namespace".into(),
                path: Some("namespace".into()),
                line: None,
                column: None,
            }));
        }
        _ => {
            let policy = Guardrails::from_json(policy)
                .and_then(|g| g.for_namespace(namespace.as_deref()))
                .map_err(bad_policy)?;
            let mut spec = spec_from(text, overrides)?;
            let cx = Context {
                namespace: namespace.as_deref(),
                ..Default::default()
            };
            let (p, violations) = policy.evaluate(&mut spec, &cx);
            (spec, p, violations)
        }
    };
    let violations = violations
        .iter()
        .map(|v| Shown {
            violation: v,
            // A refusal with no spec path (see above) is its message alone.
            text: if v.path.is_empty() {
                v.message.clone()
            } else {
                v.to_string()
            },
        })
        .collect();
    json(&Guarded {
        output: Output {
            plan: &p,
            renders: renders(&spec, &p, &formats),
        },
        violations,
    })
}

/// `{"name", "accountId", "namePrefix"?, "rolePath"?}` → the platform's settings and the name.
#[cfg(feature = "guardrails")]
fn tenant_settings(text: &str) -> Result<(ecsroles_core::admission::Platform, String), String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct T {
        name: String,
        account_id: String,
        #[serde(default)]
        name_prefix: String,
        #[serde(default = "default_path")]
        role_path: String,
    }
    fn default_path() -> String {
        "/ecsroles/".into()
    }
    let t: T = serde_json::from_str(text).map_err(|e| format!("tenant: {e}"))?;
    let platform = ecsroles_core::admission::Platform {
        account: t.account_id,
        name_prefix: t.name_prefix,
        role_path: t.role_path,
    };
    Ok((platform, t.name))
}

/// Plans only (no renders): the cheap call for live validation.
/// (In the full module: the element only calls `planDocument`.)
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = planOnly)]
pub fn plan_only(text: &str, overrides: JsValue) -> Result<JsValue, JsValue> {
    let spec = spec_from(text, overrides)?;
    json(&plan(&spec))
}

/// Renders one format.
/// (In the full module: the element only calls `planDocument`.)
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = renderFormat)]
pub fn render_format(text: &str, format: &str, overrides: JsValue) -> Result<String, JsValue> {
    let spec = spec_from(text, overrides)?;
    let f = Format::parse(format).ok_or_else(|| {
        error(&InputError {
            message: format!("unknown format {format:?}"),
            path: None,
            line: None,
            column: None,
        })
    })?;
    render_one(f, &spec, &plan(&spec)).ok_or_else(|| {
        error(&InputError {
            message: format!("{format} is rendered by the full module (ecsroles_wasm_full)"),
            path: None,
            line: None,
            column: None,
        })
    })
}

/// Findings only: `[]` when the document plans cleanly.
/// (In the full module: the element only calls `planDocument`.)
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn validate(text: &str, overrides: JsValue) -> Result<JsValue, JsValue> {
    let spec = spec_from(text, overrides)?;
    json(&plan(&spec).findings)
}

/// The document as a share link holds it: `{text, leftOut}` without the values that never change
/// a role (environment values, commands…; the core's `share::LEFT_OUT`), or `null` when the text
/// is not JSON. In the full module: the element fetches it when a link is made.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub fn shareable(text: &str) -> Result<JsValue, JsValue> {
    json(&ecsroles_core::share::shareable(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `form.json` (written by build.rs, served beside the element): what the calculator's form,
    /// menus and diagram read, generated from the core — the spec schema's launch types and
    /// access intents (`$defs`), `networkModes`, `lifecycle` (`[{title, kinds}]` from the
    /// role-kind registry, so a new kind appears in the diagram by its registry row alone),
    /// `formats` (`[{name, ext, title, basic}]`), `examples` (`[{id, title}]`; texts in
    /// `examples.json`) and `specUrl`.
    #[test]
    fn form_data_and_every_bundled_example() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/form.json"))).unwrap();
        let examples = schema["examples"].as_array().unwrap();
        assert!(examples.len() >= 12);
        let formats = schema["formats"].as_array().unwrap();
        assert_eq!(formats.len(), ecsroles_core::render::Format::ALL.len());
        assert!(schema["$defs"]["AccessIntent"]["properties"]["s3"].is_object());
        assert!(schema["$defs"]["LaunchType"]["enum"].is_array());
        // Every role kind sits in exactly one moment of the lifecycle.
        let placed: Vec<&str> = schema["lifecycle"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| {
                m["kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_str().unwrap())
            })
            .collect();
        assert_eq!(placed.len(), ecsroles_core::RoleKind::ALL.len());
        for k in ecsroles_core::RoleKind::ALL {
            assert!(placed.contains(&k.key()), "{k:?}");
        }
        assert_eq!(schema["networkModes"].as_array().unwrap().len(), 4);
        let texts: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/examples.json"))).unwrap();
        assert_eq!(texts.len(), examples.len());
        for e in examples {
            let name = e["id"].as_str().unwrap();
            let text = texts[name].as_str().unwrap();
            let (spec, _) =
                ecsroles_core::parse_document(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!plan(&spec).has_errors(), "{name}");
        }
    }
}
