//! A share link leaves out environment values, commands and the like (`share::LEFT_OUT`): that
//! is only right if no rule reads them. Proven here on every example and every real-world task
//! definition: the document as the link holds it plans exactly the same roles, absences and
//! findings as the document pasted.

mod common;

use std::collections::BTreeMap;

use common::*;
use ecsroles_core::share::shareable;
use ecsroles_core::{parse_document_with, plan, ParseOptions};

/// The plan as JSON, for comparison.
/// The plan as JSON, without the two info findings that list the placeholders the text held
/// (the `--var` values it used; the CloudFormation intrinsics kept as placeholders): a value
/// left out may have held one (an environment value such as `${NAME}` or an `Fn::ImportValue`),
/// so those lists may shrink, while roles, policies and every other finding must not change.
fn planned(text: &str, opts: &ParseOptions) -> serde_json::Value {
    match parse_document_with(text, opts) {
        Ok((spec, _)) => {
            let mut v = serde_json::to_value(plan(&spec)).unwrap();
            if let Some(f) = v["findings"].as_array_mut() {
                let lists_placeholders = |f: &serde_json::Value| {
                    f["path"] == "variables"
                        || f["message"].as_str().is_some_and(|m| {
                            m.starts_with("CloudFormation intrinsics kept as placeholders")
                        })
                };
                f.retain(|f| !lists_placeholders(f));
            }
            v
        }
        Err(e) => serde_json::json!({"error": e.message, "path": e.path}),
    }
}

#[test]
fn a_shared_document_plans_the_same_roles_as_the_original() {
    let root = repo_root();
    let mut files: Vec<(String, String, ParseOptions)> = Vec::new();
    for entry in std::fs::read_dir(root.join("tests/realworld")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(expected) = std::fs::read_to_string(dir.join("expected.yaml")) else {
            continue;
        };
        let e: serde_yaml::Value = serde_yaml::from_str(&expected).unwrap();
        let input = e["input"].as_str().unwrap();
        let vars: BTreeMap<String, String> =
            serde_yaml::from_value(e["options"]["vars"].clone()).unwrap_or_default();
        let text = std::fs::read_to_string(dir.join(input)).unwrap();
        files.push((format!("{}", dir.display()), text, ParseOptions { vars }));
    }
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        // YAML examples go through JSON, as the calculator has them.
        let json = match path.extension().and_then(|x| x.to_str()) {
            Some("json") => text,
            Some("yaml") => {
                let v: serde_json::Value = serde_yaml::from_str(&text).unwrap();
                v.to_string()
            }
            _ => continue,
        };
        files.push((format!("{}", path.display()), json, ParseOptions::default()));
    }

    let (mut shared, mut with_values, mut before, mut after) = (0, 0, 0, 0);
    for (name, text, opts) in &files {
        let Some(s) = shareable(text) else {
            continue; // YAML: the calculator reads JSON only, and shares other text as typed
        };
        shared += 1;
        with_values += usize::from(!s.left_out.is_empty());
        before += text.len();
        after += s.text.len();
        assert_eq!(
            planned(&s.text, opts),
            planned(text, opts),
            "{name}: leaving out {:?} changed the plan",
            s.left_out
        );
    }
    println!(
        "share: {shared} documents, {with_values} with values left out; {before} → {after} bytes"
    );
    assert!(shared >= 40, "only {shared} JSON documents found");
    assert!(
        with_values >= 10,
        "only {with_values} had anything to leave out"
    );
}
