//! The red-team cases (tests/redteam/cases.yaml) as EcsRoleSets a tenant submits, against a
//! real API server and moto: each is refused with `Ready=False`, a message naming the rule,
//! and not one IAM write happens. Plus adoption, allowed only where the platform says so.

mod support;

use std::time::Duration;

use serde_json::{json, Value};

#[path = "../../../tests/redteam/cases.rs"]
mod cases;
use support::*;

const CASES: &str = include_str!("../../../tests/redteam/cases.yaml");
const POLICY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/redteam/guardrails.yaml"
);

fn guarded_config(ns: &str) -> ecsroles_controller::config::Config {
    let mut cfg = config(ns, 600);
    cfg.guardrails_file = Some(POLICY.into());
    cfg
}

/// The core's verdict on a case: (reason, message as the controller's condition holds it).
fn core_verdict(
    cfg: &ecsroles_controller::config::Config,
    ns: &str,
    name: &str,
    case: &Value,
    base: &Value,
) -> (&'static str, String) {
    use ecsroles_core::admission::{admit, Tenant};
    let spec: ecsroles_core::EcsRoleSetSpec =
        serde_json::from_value(cases::case_spec(base, case)).unwrap();
    let guardrails =
        ecsroles_core::guardrails::Guardrails::from_yaml(&std::fs::read_to_string(POLICY).unwrap())
            .unwrap();
    let tenant = Tenant {
        namespace: ns,
        name,
        adopt_requested: case["annotations"]["ecsroles.dev/adopt"] == "true",
        ..Default::default()
    };
    match admit(&spec, &cfg.platform(), &guardrails, &tenant) {
        Ok(_) => ("Admitted", String::new()),
        Err(r) => (r.reason.as_str(), r.message.chars().take(1024).collect()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_escalation_attempt_is_refused_without_iam_writes() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "redteam";
    namespace(&client, ns).await;
    let doc: Value = serde_yaml::from_str(CASES).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    // The unowned role one case collides with (created by "someone else").
    create_unowned_role(
        &iam,
        "redteam_collide-with-unowned-role-execution",
        "/ecsroles/",
        "ecs-tasks.amazonaws.com",
    )
    .await;
    let cfg = guarded_config(ns);
    let ctl = start(&client, cfg.clone(), None).await;

    let api: kube::Api<ecsroles_controller::crd::EcsRoleSet> =
        kube::Api::namespaced(client.clone(), ns);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut obj = json!({
            "apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSet",
            "metadata": {"name": name, "namespace": ns},
            "spec": cases::case_spec(&doc["base"], case),
        });
        if let Some(a) = case.get("annotations") {
            obj["metadata"]["annotations"] = a.clone();
        }
        let obj = serde_json::from_value(obj).unwrap();
        api.create(&Default::default(), &obj).await.unwrap();
    }
    let mut refused = 0;
    let mut identical = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let expect = case["expect"].as_str().unwrap();
        let o = wait_ready(&client, ns, name, "False").await;
        let (_, reason, message) = ready(&o).unwrap();
        assert!(
            ["PolicyViolation", "InvalidSpec", "NameCollision"].contains(&reason.as_str()),
            "{name}: {reason}"
        );
        assert!(
            message.contains(expect) || reason == expect,
            "{name}: {reason}: {message}"
        );
        // The core's admission alone (what the CLI and the calculator run) reaches the same
        // verdict, message included — except where IAM's state decides (a name collision).
        if case["needsIam"] != Value::Bool(true) {
            let core = core_verdict(&cfg, ns, name, case, &doc["base"]);
            assert_eq!(
                (reason.as_str(), message.as_str()),
                (core.0, core.1.as_str()),
                "{name}"
            );
            identical += 1;
        }
        println!(
            "refused {name}: {reason}: {}",
            message.chars().take(140).collect::<String>()
        );
        refused += 1;
    }
    assert_eq!(ctl.metrics.writes(), 0, "not one IAM write");
    let roles = roles_with_prefix(&iam, "redteam_").await;
    assert_eq!(
        roles.into_iter().collect::<Vec<_>>(),
        vec!["redteam_collide-with-unowned-role-execution".to_string()],
        "moto holds nothing new"
    );
    let unowned = iam
        .get_role()
        .role_name("redteam_collide-with-unowned-role-execution")
        .send()
        .await
        .unwrap();
    assert!(
        unowned.role().unwrap().tags().is_empty(),
        "the unowned role is untouched"
    );
    wait_event(&client, ns, "PolicyViolation").await;
    assert!(
        identical + 1 >= cases.len(),
        "only {identical} compared with the core"
    );
    println!("{refused} escalation attempts refused, 0 IAM writes; {identical} with the core's identical verdict");
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adoption_works_only_where_the_platform_allows_it_and_boundary_is_enforced() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "platform-admin";
    namespace(&client, ns).await;
    let role = "platform-admin_legacy-execution";
    create_unowned_role(&iam, role, "/ecsroles/", "ecs-tasks.amazonaws.com").await;
    let ctl = start(&client, guarded_config(ns), None).await;
    let doc: Value = serde_yaml::from_str(CASES).unwrap();
    let api: kube::Api<ecsroles_controller::crd::EcsRoleSet> =
        kube::Api::namespaced(client.clone(), ns);
    let obj = serde_json::from_value(json!({
        "apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSet",
        "metadata": {"name": "legacy", "namespace": ns, "annotations": {"ecsroles.dev/adopt": "true"}},
        "spec": doc["base"],
    }))
    .unwrap();
    api.create(&Default::default(), &obj).await.unwrap();
    wait_ready(&client, ns, "legacy", "True").await;
    let got = iam.get_role().role_name(role).send().await.unwrap();
    let r = got.role().unwrap();
    assert!(r
        .tags()
        .iter()
        .any(|t| t.key() == "ecsroles.dev/namespace" && t.value() == ns));
    assert_eq!(
        r.permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn()),
        Some("arn:aws:iam::123456789012:policy/ecs-workload-boundary"),
        "the mandatory boundary is injected"
    );
    wait_event(&client, ns, "Adopted").await;

    // Boundary removal out of band is drift: restored on the next reconcile.
    iam.delete_role_permissions_boundary()
        .role_name(role)
        .send()
        .await
        .unwrap();
    api.patch(
        "legacy",
        &Default::default(),
        &kube::api::Patch::Merge(json!({"metadata": {"annotations": {"touch": "1"}}})),
    )
    .await
    .unwrap();
    wait(Duration::from_secs(30), "boundary restored", || async {
        let r = iam.get_role().role_name(role).send().await.ok()?;
        r.role()?.permissions_boundary().map(|_| ())
    })
    .await;
    api.delete("legacy", &Default::default()).await.unwrap();
    gone(&client, ns, "legacy").await;
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardrails_hot_reload_from_their_file() {
    let client = kube().await;
    let ns = "it-reload";
    namespace(&client, ns).await;
    let dir = std::env::temp_dir().join(format!("ecsroles-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("guardrails.yaml");
    std::fs::write(&file, "allowRawStatements: true\n").unwrap();
    let mut cfg = config(ns, 600);
    cfg.guardrails_file = Some(file.clone());
    let ctl = start(&client, cfg, None).await;
    let doc: Value = serde_yaml::from_str(CASES).unwrap();
    let mut spec = doc["base"].clone();
    spec["app"] = json!({"statements": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]});
    apply(&client, ns, "raw", spec.clone()).await;
    wait_ready(&client, ns, "raw", "True").await;

    // The platform forbids raw statements: the next reconcile refuses, without touching IAM.
    std::fs::write(&file, "allowRawStatements: false\n").unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let w0 = ctl.metrics.writes();
    spec["cluster"] = json!("changed");
    apply(&client, ns, "raw", spec).await;
    let o = wait_ready(&client, ns, "raw", "False").await;
    let (_, reason, message) = ready(&o).unwrap();
    assert_eq!(reason, "PolicyViolation");
    assert!(
        message.contains("allowRawStatements") && message.contains("app.statements[0]"),
        "{message}"
    );
    assert_eq!(ctl.metrics.writes(), w0);
    delete(&client, ns, "raw").await;
    gone(&client, ns, "raw").await;
    ctl.stop().await;
}
