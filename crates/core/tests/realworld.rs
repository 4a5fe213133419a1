//! Task definitions written by other people (`tests/realworld/`, each with its source), planned
//! as pasted and checked against what ECS would do with them, as a person wrote it down from
//! the AWS docs in `expected.yaml` (format: `tests/realworld/README.md`). Prints how many plan
//! right; a folder marked `knownGap` must still fail, so fixing it flips the marker.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use ecsroles_core::model::{Provisioning, RoleKind, Severity};
use ecsroles_core::{parse_document_with, plan, LaunchType, ParseOptions};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Expected {
    input: String,
    /// The service's own file, when the input is a bare task definition (the CLI's `--service`).
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    options: Options,
    launch_type: Option<String>,
    network_mode: Option<String>,
    region: Option<String>,
    account: Option<String>,
    #[serde(default)]
    roles: BTreeMap<String, ExpectedRole>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    allows: Vec<(String, String, String)>,
    #[serde(default)]
    denies: Vec<(String, String, String)>,
    #[serde(default)]
    findings: Vec<ExpectedFinding>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    known_gap: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Options {
    region: Option<String>,
    account: Option<String>,
    cluster: Option<String>,
    launch_type: Option<String>,
    #[serde(default)]
    vars: BTreeMap<String, String>,
    /// gMSA CredSpecs: location (as the task definition writes it) → a file in the folder
    /// (the CLI's `--credspec LOCATION=FILE`).
    #[serde(default)]
    credential_specs: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedRole {
    existing: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    severity: String,
    contains: String,
}

fn kind(key: &str) -> RoleKind {
    RoleKind::ALL
        .into_iter()
        .find(|k| k.key() == key)
        .unwrap_or_else(|| panic!("{key:?} is not a role kind"))
}

/// Every way the plan of `dir` differs from its expectations (empty: it plans right).
fn check(dir: &Path, e: &Expected) -> Vec<String> {
    let mut bad = Vec::new();
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|err| panic!("{}: {err}", dir.join(name).display()))
    };
    let mut text = read(&e.input);
    if let Some(service) = &e.service {
        text = match ecsroles_core::input::with_service(&text, &read(service)) {
            Ok(t) => t,
            Err(err) => return vec![format!("unreadable with its service: {err}")],
        };
    }
    let opts = ParseOptions {
        vars: e.options.vars.clone(),
    };
    let mut spec = match parse_document_with(&text, &opts) {
        Ok((spec, _)) => spec,
        Err(err) => return vec![format!("unreadable: {err}")],
    };
    let o = &e.options;
    spec.region = o.region.clone().or(spec.region);
    spec.account = o.account.clone().or(spec.account);
    spec.cluster = o.cluster.clone().or(spec.cluster);
    if let Some(l) = &o.launch_type {
        spec.launch_type = Some(LaunchType::parse(l).expect("options.launchType"));
    }
    for (location, file) in &o.credential_specs {
        ecsroles_core::input::with_credential_spec(&mut spec, location, &read(file), &o.vars)
            .expect("options.credentialSpecs: a JSON file");
    }
    let p = plan(&spec);
    // What the controller plans from this file's EcsRoleSet must be this plan: every field a
    // rule reads survives the EcsRoleSet output.
    let rendered =
        ecsroles_core::render::render(ecsroles_core::render::Format::Ecsroleset, &spec, &p);
    match ecsroles_core::parse_document(&rendered) {
        Ok((back, _)) if plan(&back).roles == p.roles => {}
        Ok((back, _)) => {
            let q = plan(&back);
            let diff: Vec<_> = q
                .roles
                .iter()
                .zip(&p.roles)
                .filter(|(a, b)| a != b)
                .map(|(a, b)| {
                    format!(
                        "{:?} from the EcsRoleSet: {}\n      from the file: {}",
                        a.kind,
                        serde_json::to_string(a).unwrap_or_default(),
                        serde_json::to_string(b).unwrap_or_default()
                    )
                })
                .collect();
            bad.push(format!(
                "its EcsRoleSet output plans other roles ({} vs {}): {}",
                q.roles.len(),
                p.roles.len(),
                diff.join("; ")
            ));
        }
        Err(err) => bad.push(format!("its EcsRoleSet output is unreadable: {err}")),
    }
    let mut eq = |what: &str, want: &Option<String>, got: &str| {
        if let Some(w) = want {
            if !w.eq_ignore_ascii_case(got) {
                bad.push(format!("{what}: expected {w}, planned {got}"));
            }
        }
    };
    eq("launchType", &e.launch_type, p.launch_type.as_str());
    eq("networkMode", &e.network_mode, &p.network_mode);
    eq("region", &e.region, &p.region);
    eq("account", &e.account, &p.account);
    for (key, want) in &e.roles {
        match p.role(kind(key)) {
            None => bad.push(format!("role {key}: not planned")),
            Some(r) => {
                if let Some(arn) = &want.existing {
                    // A bare name as the file wrote it (ECS accepts names) matches the role's name.
                    let same = if arn.starts_with("arn:") {
                        &r.arn == arn
                    } else {
                        r.name.as_deref() == Some(arn.as_str())
                    };
                    if r.provisioning != Provisioning::Existing || !same {
                        bad.push(format!(
                            "role {key}: expected existing {arn}, planned {:?} {}",
                            r.provisioning, r.arn
                        ));
                    }
                }
            }
        }
    }
    for key in &e.absent {
        if p.role(kind(key)).is_some() {
            bad.push(format!("role {key}: planned, expected absent"));
        }
    }
    for (k, action, resource) in &e.allows {
        if !permits(&p, kind(k), action, resource) {
            bad.push(format!("{k} does not allow {action} on {resource}"));
        }
    }
    for (k, action, resource) in &e.denies {
        if permits_anywhere(&p, kind(k), action, resource) {
            bad.push(format!(
                "{k} allows {action} on {resource} (least privilege)"
            ));
        }
    }
    for f in &e.findings {
        let sev = match f.severity.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            s => panic!("{}: severity {s:?}", dir.display()),
        };
        let found = p.findings.iter().any(|x| {
            x.severity == sev && (x.path.contains(&f.contains) || x.message.contains(&f.contains))
        });
        if !found {
            bad.push(format!("no {} finding with {:?}", f.severity, f.contains));
        }
    }
    // Never an unresolved placeholder in an IAM document without a finding saying so.
    let iam = serde_json::to_string(&p.roles).unwrap_or_default();
    if let Some(ph) = ["{{", "$(", "<"].iter().find(|t| iam.contains(**t)) {
        if !p
            .findings
            .iter()
            .any(|f| f.severity != Severity::Info && f.message.contains(ph))
        {
            bad.push(format!(
                "placeholder {ph} reaches the IAM documents unreported"
            ));
        }
    }
    bad
}

#[test]
fn real_world_task_definitions_plan_as_ecs_would_run_them() {
    let root = repo_root().join("tests/realworld");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/realworld")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.yaml").exists())
        .collect();
    dirs.sort();
    let (mut right, mut unexpected, mut gaps, mut fixed) = (0, Vec::new(), Vec::new(), Vec::new());
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        assert!(dir.join("SOURCE.md").exists(), "{name}: SOURCE.md missing");
        let text = std::fs::read_to_string(dir.join("expected.yaml")).unwrap();
        let e: Expected =
            serde_yaml::from_str(&text).unwrap_or_else(|err| panic!("{name}/expected.yaml: {err}"));
        let _ = &e.notes;
        let bad = check(dir, &e);
        match (&e.known_gap, bad.is_empty()) {
            (None, true) => right += 1,
            (None, false) => unexpected.push(format!("{name}:\n    {}", bad.join("\n    "))),
            (Some(why), false) => gaps.push(format!("{name}: {why}")),
            (Some(_), true) => fixed.push(name),
        }
    }
    println!("realworld: {right}/{} plan right as pasted", dirs.len());
    for g in &gaps {
        println!("  known gap  {g}");
    }
    assert!(
        unexpected.is_empty(),
        "plans differ from what ECS would do:\n  {}",
        unexpected.join("\n  ")
    );
    assert!(
        fixed.is_empty(),
        "these plan right now: remove their knownGap: {fixed:?}"
    );
}
