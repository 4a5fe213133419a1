//! The controller against a real kube-apiserver and a real IAM-compatible server (moto).
//! Run with `just controller-test` (scripts/with-k8s.sh starts both on loopback).

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ecsroles_controller::config::Config;
use ecsroles_controller::iam::{Fault, FaultHook};
use ecsroles_controller::iam_state::desired_from_plan;
use ecsroles_controller::iam_state::Owner;
use ecsroles_controller::policy_eq::equivalent;
use ecsroles_core::RoleKind;
use serde_json::json;
use support::*;

/// The plan the controller must have applied for `obj`, computed independently from the core.
fn expected(
    obj: &ecsroles_controller::crd::EcsRoleSet,
    cfg: &Config,
) -> Vec<ecsroles_controller::iam_state::DesiredRole> {
    let ns = obj.metadata.namespace.clone().unwrap();
    let name = obj.metadata.name.clone().unwrap();
    let tenant = ecsroles_core::admission::Tenant {
        namespace: &ns,
        name: &name,
        ..Default::default()
    };
    let guardrails = ecsroles_core::guardrails::Guardrails::default();
    let admitted = ecsroles_core::admission::admit(
        obj.spec.inner.spec().unwrap(),
        &cfg.platform(),
        &guardrails,
        &tenant,
    )
    .unwrap();
    let owner = Owner {
        cluster: CLUSTER.into(),
        namespace: ns,
        name,
        uid: obj.metadata.uid.clone().unwrap(),
    };
    desired_from_plan(&admitted.plan, &owner)
}

/// Asserts IAM holds exactly the planned documents, attachments, tags and profiles.
async fn assert_iam_matches(
    iam: &aws_sdk_iam::Client,
    desired: &[ecsroles_controller::iam_state::DesiredRole],
) {
    for d in desired {
        let role = iam.get_role().role_name(&d.name).send().await.unwrap();
        let role = role.role().unwrap();
        assert_eq!(role.path(), d.path);
        assert!(
            equivalent(&d.trust, role.assume_role_policy_document().unwrap()),
            "trust of {}",
            d.name
        );
        let tags: std::collections::BTreeMap<String, String> = role
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        assert_eq!(tags, d.tags, "tags of {}", d.name);
        let names = iam
            .list_role_policies()
            .role_name(&d.name)
            .send()
            .await
            .unwrap();
        let have: BTreeSet<String> = names.policy_names().iter().cloned().collect();
        assert_eq!(
            have,
            d.inline.keys().cloned().collect::<BTreeSet<_>>(),
            "inline policies of {}",
            d.name
        );
        for (pname, doc) in &d.inline {
            let got = iam
                .get_role_policy()
                .role_name(&d.name)
                .policy_name(pname)
                .send()
                .await
                .unwrap();
            assert!(
                equivalent(doc, got.policy_document()),
                "inline {pname} of {}",
                d.name
            );
        }
        let attached = iam
            .list_attached_role_policies()
            .role_name(&d.name)
            .send()
            .await
            .unwrap();
        let have: BTreeSet<String> = attached
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn().map(str::to_string))
            .collect();
        assert_eq!(have, d.managed, "managed policies of {}", d.name);
        if let Some(p) = &d.instance_profile {
            let prof = iam
                .get_instance_profile()
                .instance_profile_name(p)
                .send()
                .await
                .unwrap();
            let roles: Vec<&str> = prof
                .instance_profile()
                .unwrap()
                .roles()
                .iter()
                .map(|r| r.role_name())
                .collect();
            assert_eq!(roles, vec![d.name.as_str()]);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_then_change_then_delete() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-lifecycle";
    namespace(&client, ns).await;
    let cfg = config(ns, 600);
    let ctl = start(&client, cfg.clone(), None).await;

    // Create: roles exist with exactly the planned documents.
    apply(&client, ns, "api", fargate_spec("api")).await;
    let obj = wait_ready(&client, ns, "api", "True").await;
    let desired = expected(&obj, &cfg);
    assert_eq!(desired.len(), 2, "execution + task role");
    assert_iam_matches(&iam, &desired).await;
    let status = obj.status.clone().unwrap();
    assert_eq!(
        status.role_arns.len(),
        3,
        "execution, task, and the service-linked role it relies on"
    );
    assert!(status.role_arns["serviceLinked"]
        .ends_with("role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"));
    assert_eq!(status.managed_roles.len(), 2);
    assert!(
        status.role_arns["taskExecution"].ends_with(":role/ecsroles/it-lifecycle_api-execution")
    );
    let created_writes = ctl.metrics.writes();
    let created_reads = ctl.metrics.reads();
    println!(
        "create: {created_writes} writes, {created_reads} reads for {} roles",
        desired.len()
    );

    // Spec change: one more secret → only the execution role's inline policy is rewritten.
    let mut spec = fargate_spec("api");
    spec["taskDefinition"]["containerDefinitions"][0]["secrets"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "FLAGS", "valueFrom": "/prod/api/flags"}));
    let (w0, r0) = (ctl.metrics.writes(), ctl.metrics.reads());
    apply(&client, ns, "api", spec).await;
    let obj = wait_ready(&client, ns, "api", "True").await;
    assert_eq!(
        ctl.metrics.writes() - w0,
        1,
        "a spec change that touches one policy is one PutRolePolicy"
    );
    assert_eq!(
        ctl.metrics.calls_of("PutRolePolicy"),
        3,
        "2 at create + 1 now"
    );
    println!(
        "spec change: {} writes, {} reads",
        ctl.metrics.writes() - w0,
        ctl.metrics.reads() - r0
    );
    assert_iam_matches(&iam, &expected(&obj, &cfg)).await;

    // Delete: everything gone, in IAM's order (moto refuses DeleteRole while policies remain),
    // with no failed call along the way.
    let (w0, r0, g0) = (
        ctl.metrics.writes(),
        ctl.metrics.reads(),
        ctl.metrics.calls_of("GetRole"),
    );
    delete(&client, ns, "api").await;
    gone(&client, ns, "api").await;
    assert!(roles_with_prefix(&iam, "it-lifecycle_").await.is_empty());
    // Only what the status records is read and deleted: no probe of the five role kinds this
    // set never had (GetRole on each cost 12 of 24 calls before).
    let (dw, dr) = (ctl.metrics.writes() - w0, ctl.metrics.reads() - r0);
    println!("delete: {dw} writes, {dr} reads for 2 roles");
    assert_eq!(
        ctl.metrics.calls_of("GetRole"),
        g0 + 2,
        "one GetRole per recorded role, none for kinds never created"
    );
    // Per role: GetRole, ListRolePolicies, ListAttachedRolePolicies, ListInstanceProfilesForRole
    // (no policy document is fetched to be deleted); then DeleteRolePolicy and DeleteRole.
    assert_eq!((dw, dr), (4, 8), "calls to delete 2 roles");
    let errors: u64 = ["DeleteRole", "DetachRolePolicy", "DeleteRolePolicy"]
        .iter()
        .map(|op| {
            ctl.metrics
                .iam_calls
                .get_or_create(&ecsroles_controller::metrics::IamCallLabels {
                    operation: op.to_string(),
                    outcome: "error".into(),
                })
                .get()
        })
        .sum();
    assert_eq!(errors, 0, "no DeleteConflict");
    wait_event(&client, ns, "Deleted").await;
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noop_resync_reads_only_and_drift_is_corrected() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-drift";
    namespace(&client, ns).await;
    let cfg = config(ns, 3);
    let ctl = start(&client, cfg.clone(), None).await;
    apply(&client, ns, "web", fargate_spec("web")).await;
    let obj = wait_ready(&client, ns, "web", "True").await;
    let desired = expected(&obj, &cfg);

    // A no-op resync: reads only.
    let (w0, r0) = (ctl.metrics.writes(), ctl.metrics.reads());
    let t0 = ctl
        .metrics
        .reconciles
        .get_or_create(&ecsroles_controller::metrics::ResultLabels {
            result: "ok".into(),
        })
        .get();
    wait(Duration::from_secs(20), "a resync", || async {
        let t = ctl
            .metrics
            .reconciles
            .get_or_create(&ecsroles_controller::metrics::ResultLabels {
                result: "ok".into(),
            })
            .get();
        (t > t0).then_some(())
    })
    .await;
    let reads = ctl.metrics.reads() - r0;
    assert_eq!(ctl.metrics.writes(), w0, "a no-op reconcile writes nothing");
    println!("no-op reconcile: {reads} reads for {} roles", desired.len());
    assert!(
        reads as usize <= 3 * desired.len(),
        "{reads} reads for {} roles: a resync must read in bulk",
        desired.len()
    );
    assert!(
        ctl.metrics.calls_of("GetAccountAuthorizationDetails") >= 1,
        "resync used the bulk snapshot"
    );

    // Out-of-band changes: an admin policy attached, an inline policy added, the trust opened.
    let exec = &desired
        .iter()
        .find(|d| d.name.ends_with("-execution"))
        .unwrap()
        .name;
    iam.attach_role_policy()
        .role_name(exec)
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    iam.put_role_policy().role_name(exec).policy_name("backdoor")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send().await.unwrap();
    iam.update_assume_role_policy().role_name(exec)
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#)
        .send().await.unwrap();
    wait(Duration::from_secs(30), "drift corrected", || async {
        (ctl.metrics.drift_corrections.get() >= 1).then_some(())
    })
    .await;
    assert_iam_matches(&iam, &desired).await;
    let ev = events(&client, ns).await;
    let drift = ev.get("DriftCorrected").expect("a DriftCorrected event");
    assert!(
        drift.iter().any(|n| n.contains("DetachRolePolicy")
            && n.contains("DeleteRolePolicy")
            && n.contains("UpdateAssumeRolePolicy")),
        "{drift:?}"
    );
    ctl.stop().await;
    delete(&client, ns, "web").await;
    let ctl = start(&client, cfg, None).await;
    gone(&client, ns, "web").await;
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_profile_lifecycle_and_retain() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-profile";
    namespace(&client, ns).await;
    let cfg = config(ns, 600);
    let ctl = start(&client, cfg.clone(), None).await;
    apply(&client, ns, "shop", ec2_spec("shop")).await;
    let obj = wait_ready(&client, ns, "shop", "True").await;
    let desired = expected(&obj, &cfg);
    assert!(desired.iter().any(|d| d.instance_profile.is_some()));
    assert_iam_matches(&iam, &desired).await;
    let profile_arns = obj.status.clone().unwrap().instance_profile_arns;
    assert!(profile_arns["containerInstance"]
        .ends_with(":instance-profile/ecsroles/it-profile_shop-instance"));
    assert_eq!(profiles_with_prefix(&iam, "it-profile_shop").await.len(), 1);

    // The container-instance role is no longer wanted: role and profile go, in order.
    let mut spec = ec2_spec("shop");
    spec["roles"]["containerInstance"]["create"] = json!(false);
    spec["launchType"] = json!("FARGATE");
    spec["taskDefinition"]["networkMode"] = json!("awsvpc");
    spec["taskDefinition"]["requiresCompatibilities"] = json!(["FARGATE"]);
    apply(&client, ns, "shop", spec).await;
    let obj = wait_ready(&client, ns, "shop", "True").await;
    assert!(profiles_with_prefix(&iam, "it-profile_shop")
        .await
        .is_empty());
    assert!(!roles_with_prefix(&iam, "it-profile_shop-")
        .await
        .contains("it-profile_shop-instance"));
    assert_iam_matches(&iam, &expected(&obj, &cfg)).await;

    // Retain: deleting the resource leaves IAM alone.
    let mut spec = fargate_spec("keep");
    spec["deletionPolicy"] = json!("Retain");
    apply(&client, ns, "keep", spec).await;
    wait_ready(&client, ns, "keep", "True").await;
    let before = roles_with_prefix(&iam, "it-profile_keep-").await;
    assert_eq!(before.len(), 2);
    delete(&client, ns, "keep").await;
    gone(&client, ns, "keep").await;
    assert_eq!(roles_with_prefix(&iam, "it-profile_keep-").await, before);
    wait_event(&client, ns, "Retained").await;

    delete(&client, ns, "shop").await;
    gone(&client, ns, "shop").await;
    assert!(roles_with_prefix(&iam, "it-profile_shop-").await.is_empty());
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unowned_collision_and_invalid_spec_are_terminal_without_writes() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-terminal";
    namespace(&client, ns).await;
    // Someone else's role with the name the controller would derive.
    let taken = "it-terminal_taken-task";
    create_unowned_role(&iam, taken, "/", "ec2.amazonaws.com").await;
    let ctl = start(&client, config(ns, 600), None).await;

    apply(&client, ns, "taken", fargate_spec("taken")).await;
    let obj = wait_ready(&client, ns, "taken", "False").await;
    let (_, reason, message) = ready(&obj).unwrap();
    assert_eq!(reason, "NameCollision");
    assert!(message.contains(taken), "{message}");
    assert_eq!(ctl.metrics.writes(), 0, "nothing written anywhere");
    let role = iam.get_role().role_name(taken).send().await.unwrap();
    assert!(
        role.role().unwrap().tags().is_empty(),
        "the unowned role is untouched"
    );
    assert!(
        roles_with_prefix(&iam, "it-terminal_taken-execution")
            .await
            .is_empty(),
        "no half-applied set"
    );

    // Invalid spec: refused before any IAM call at all.
    let (r0, w0) = (ctl.metrics.reads(), ctl.metrics.writes());
    let mut spec = fargate_spec("bad");
    spec["roles"] = json!({"task": {"name": "AdminRole"}});
    apply(&client, ns, "bad", spec).await;
    let obj = wait_ready(&client, ns, "bad", "False").await;
    let (_, reason, message) = ready(&obj).unwrap();
    assert_eq!(reason, "PolicyViolation", "a tenant naming its own role");
    assert!(message.contains("spec.roles.task.name"), "{message}");
    // A plan error (the core's own validation) is terminal too.
    let mut spec = fargate_spec("bad2");
    spec["app"] = json!({"access": [{"s3": {"bucket": "", "access": "read"}}]});
    apply(&client, ns, "bad2", spec).await;
    let obj = wait_ready(&client, ns, "bad2", "False").await;
    assert_eq!(ready(&obj).unwrap().1, "InvalidSpec", "{:?}", ready(&obj));
    assert_eq!(
        (ctl.metrics.reads(), ctl.metrics.writes()),
        (r0, w0),
        "zero IAM calls for invalid specs"
    );
    wait_event(&client, ns, "InvalidSpec").await;

    for n in ["taken", "bad", "bad2"] {
        delete(&client, ns, n).await;
        gone(&client, ns, n).await;
    }
    let role = iam.get_role().role_name(taken).send().await;
    assert!(
        role.is_ok(),
        "deleting the resource never deletes a role it does not own"
    );
    ctl.stop().await;
}

/// `team-a/api` and `team/a-api` once derived the same role names, so the first to reconcile
/// took the other's. Both must now get their own roles; and a name someone else holds is
/// taken as soon as it is freed, without a spec change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_cannot_be_squatted_across_namespaces_and_a_freed_name_is_taken() {
    let client = kube().await;
    let iam = iam_client().await;
    let (ns1, ns2) = ("it-sq-a", "it-sq");
    namespace(&client, ns1).await;
    namespace(&client, ns2).await;
    let cfg = config(&format!("{ns1},{ns2}"), 600);
    let ctl = start(&client, cfg.clone(), None).await;
    apply(&client, ns2, "a-api", fargate_spec("a-api")).await;
    apply(&client, ns1, "api", fargate_spec("api")).await;
    let one = wait_ready(&client, ns1, "api", "True").await;
    let two = wait_ready(&client, ns2, "a-api", "True").await;
    let roles = |o: &ecsroles_controller::crd::EcsRoleSet| -> BTreeSet<String> {
        o.status
            .as_ref()
            .unwrap()
            .managed_roles
            .values()
            .cloned()
            .collect()
    };
    assert_eq!(roles(&one).len(), 2, "{:?}", roles(&one));
    assert!(
        roles(&one).is_disjoint(&roles(&two)),
        "{:?} {:?}",
        roles(&one),
        roles(&two)
    );
    assert_iam_matches(&iam, &expected(&one, &cfg)).await;
    assert_iam_matches(&iam, &expected(&two, &cfg)).await;

    // A role someone else made under the name a new set derives: NameCollision, rechecked.
    let task = ecsroles_core::admission::role_name(&cfg.name_prefix, ns1, "late", RoleKind::Task);
    create_unowned_role(&iam, &task, "/ecsroles/", "ecs-tasks.amazonaws.com").await;
    let mut spec = fargate_spec("late");
    spec["app"] = json!({"access": [{"s3": {"bucket": "reports", "access": "read"}}]});
    apply(&client, ns1, "late", spec).await;
    let obj = wait_ready(&client, ns1, "late", "False").await;
    let (_, reason, message) = ready(&obj).unwrap();
    assert_eq!(reason, "NameCollision");
    assert!(message.contains("checks the name again"), "{message}");
    iam.delete_role().role_name(&task).send().await.unwrap();
    let obj = wait_ready(&client, ns1, "late", "True").await;
    assert_eq!(obj.status.unwrap().managed_roles.get("task"), Some(&task));

    for (ns, n) in [(ns1, "api"), (ns2, "a-api"), (ns1, "late")] {
        delete(&client, ns, n).await;
        gone(&client, ns, n).await;
    }
    assert!(roles_with_prefix(&iam, "it-sq").await.is_empty());
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_iam_refuses_is_terminal_with_an_event_not_retried_forever() {
    let client = kube().await;
    let ns = "it-rejected";
    namespace(&client, ns).await;
    let ctl = start(&client, config(ns, 600), None).await;
    // A condition operator IAM does not know: the core keeps user statements as written, and
    // IAM answers MalformedPolicyDocument.
    let mut spec = fargate_spec("rej");
    spec["app"] = json!({"statements": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::reports/*", "Condition": {"Bogus": {"k": "v"}}}]});
    apply(&client, ns, "rej", spec.clone()).await;
    let obj = wait_ready(&client, ns, "rej", "False").await;
    let (_, reason, message) = ready(&obj).unwrap();
    assert_eq!(reason, "IamRejected", "{message}");
    assert!(message.contains("MalformedPolicyDocument"), "{message}");
    wait_event(&client, ns, "IamRejected").await;
    // Not retried: the write count stays put while nothing changes.
    let writes = ctl.metrics.writes();
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    assert_eq!(
        ctl.metrics.writes(),
        writes,
        "a refused document is not sent again"
    );
    // Fixed spec: it converges.
    spec["app"] = json!({"statements": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::reports/*"}]});
    apply(&client, ns, "rej", spec).await;
    wait_ready(&client, ns, "rej", "True").await;
    delete(&client, ns, "rej").await;
    gone(&client, ns, "rej").await;
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_delete_shows_in_status_and_events_then_finishes() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-blocked";
    namespace(&client, ns).await;
    let ctl = start(&client, config(ns, 600), None).await;
    apply(&client, ns, "held", fargate_spec("held")).await;
    let obj = wait_ready(&client, ns, "held", "True").await;
    let role = obj.status.as_ref().unwrap().managed_roles["task"].clone();
    // Someone else's instance profile holds our role: IAM refuses to delete it.
    let foreign = "it-blocked-someone-elses-profile";
    iam.create_instance_profile()
        .instance_profile_name(foreign)
        .send()
        .await
        .unwrap();
    iam.add_role_to_instance_profile()
        .instance_profile_name(foreign)
        .role_name(&role)
        .send()
        .await
        .unwrap();

    delete(&client, ns, "held").await;
    let blocked = wait(
        Duration::from_secs(60),
        "DeleteBlocked in status",
        || async {
            let o = get(&client, ns, "held").await;
            ready(&o)
                .filter(|(s, r, _)| s == "False" && r == "DeleteBlocked")
                .map(|(_, _, m)| m)
        },
    )
    .await;
    assert!(blocked.contains(foreign), "{blocked}");
    wait_event(&client, ns, "DeleteBlocked").await;

    // Unblocked by a human: the deletion finishes.
    iam.remove_role_from_instance_profile()
        .instance_profile_name(foreign)
        .role_name(&role)
        .send()
        .await
        .unwrap();
    gone(&client, ns, "held").await;
    assert!(roles_with_prefix(&iam, &role).await.is_empty());
    iam.delete_instance_profile()
        .instance_profile_name(foreign)
        .send()
        .await
        .unwrap();
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_interrupted_between_profile_steps_leaves_no_instance_profile() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-profile-leak";
    namespace(&client, ns).await;
    // Once armed, DeleteInstanceProfile fails three times: the role has already been removed
    // from the profile, so the profile no longer shows up among the role's profiles.
    let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let failures = Arc::new(AtomicU32::new(0));
    let (a, f) = (armed.clone(), failures.clone());
    let hook: FaultHook = Arc::new(move |op: &'static str| {
        (op == "DeleteInstanceProfile"
            && a.load(Ordering::SeqCst)
            && f.fetch_add(1, Ordering::SeqCst) < 3)
            .then(|| Fault::Fail("ServiceUnavailable".into()))
    });
    let ctl = start(&client, config(ns, 600), Some(hook)).await;
    apply(&client, ns, "leak", ec2_spec("leak")).await;
    let obj = wait_ready(&client, ns, "leak", "True").await;
    let role = obj.status.as_ref().unwrap().managed_roles["containerInstance"].clone();
    assert_eq!(profiles_with_prefix(&iam, &role).await.len(), 1);

    armed.store(true, Ordering::SeqCst);
    delete(&client, ns, "leak").await;
    gone(&client, ns, "leak").await;
    assert!(failures.load(Ordering::SeqCst) >= 3, "the fault was hit");
    assert!(
        profiles_with_prefix(&iam, &role).await.is_empty(),
        "no owned instance profile left"
    );
    assert!(roles_with_prefix(&iam, &role).await.is_empty());
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_created_by_a_failed_reconcile_is_recorded_and_removed_when_no_longer_needed() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-recorded";
    namespace(&client, ns).await;
    // While armed, every PutRolePolicy fails: the first role is created, then the reconcile
    // stops before it could ever succeed.
    let armed = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let a = armed.clone();
    let hook: FaultHook = Arc::new(move |op: &'static str| {
        (op == "PutRolePolicy" && a.load(Ordering::SeqCst))
            .then(|| Fault::Fail("ServiceUnavailable".into()))
    });
    let cfg = config(ns, 600);
    let ctl = start(&client, cfg.clone(), Some(hook)).await;
    apply(&client, ns, "rec", fargate_spec("rec")).await;
    let exec = ecsroles_core::admission::role_name(
        &cfg.name_prefix,
        ns,
        "rec",
        ecsroles_core::RoleKind::TaskExecution,
    );
    let recorded = wait(
        Duration::from_secs(60),
        "the created role in status",
        || async {
            let o = get(&client, ns, "rec").await;
            o.status?.managed_roles.get("taskExecution").cloned()
        },
    )
    .await;
    assert_eq!(recorded, exec);
    // Status is written ahead of CreateRole (sync.rs): the role follows, it is not yet there
    // when the status is read.
    let created = wait(
        Duration::from_secs(60),
        "the recorded role in IAM",
        || async {
            let n = roles_with_prefix(&iam, &exec).await.len();
            (n > 0).then_some(n)
        },
    )
    .await;
    assert_eq!(created, 1, "created in IAM");

    // The spec stops needing an execution role (public image, no logs, no secrets).
    let mut spec = fargate_spec("rec");
    spec["taskDefinition"]["containerDefinitions"] = json!([{"name": "api", "image": "nginx"}]);
    armed.store(false, Ordering::SeqCst);
    apply(&client, ns, "rec", spec).await;
    wait(
        Duration::from_secs(60),
        "the unneeded role removed",
        || async {
            roles_with_prefix(&iam, &exec)
                .await
                .is_empty()
                .then_some(())
        },
    )
    .await;
    let obj = wait_ready(&client, ns, "rec", "True").await;
    assert!(!obj
        .status
        .unwrap()
        .managed_roles
        .contains_key("taskExecution"));
    delete(&client, ns, "rec").await;
    gone(&client, ns, "rec").await;
    ctl.stop().await;
}

/// One tenant whose set changes ten times a second must not take the IAM budget from the
/// others. Its edits are coalesced (one reconcile per pause, `--coalesce-millis`), so while it
/// keeps editing it costs next to nothing; and whatever it does cost is charged to its
/// namespace, which gets its turn and no more (`fair::FairLimiter`, unit-tested there).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_noisy_tenant_does_not_starve_the_others() {
    let client = kube().await;
    let (noisy, quiet) = ("it-noisy", "it-quiet");
    namespace(&client, noisy).await;
    namespace(&client, quiet).await;
    let mut cfg = config(&format!("{noisy},{quiet}"), 600);
    cfg.iam_calls_per_second = 10.0;
    let ctl = start(&client, cfg, None).await;
    apply(&client, noisy, "churn", fargate_spec("churn")).await;
    wait_ready(&client, noisy, "churn", "True").await;
    // The noisy tenant: a new secret every 100 ms (each one a spec change to reconcile).
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let edits = {
        let (client, stop) = (client.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let mut spec = fargate_spec("churn");
                spec["taskDefinition"]["containerDefinitions"][0]["secrets"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"name": "N", "valueFrom": format!("/churn/{i}")}));
                apply(&client, noisy, "churn", spec).await;
                i += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            i
        })
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let started = tokio::time::Instant::now();
    let calls0 = ctl.metrics.reads() + ctl.metrics.writes();
    for i in 0..10 {
        apply(
            &client,
            quiet,
            &format!("q{i}"),
            fargate_spec(&format!("q{i}")),
        )
        .await;
    }
    for i in 0..10 {
        wait_ready(&client, quiet, &format!("q{i}"), "True").await;
    }
    let took = started.elapsed();
    let calls = ctl.metrics.reads() + ctl.metrics.writes() - calls0;
    stop.store(true, Ordering::SeqCst);
    let n = edits.await.unwrap();
    println!("fairness: 10 quiet sets (60 IAM calls alone: 6 s at 10/s) Ready in {took:?} beside {n} edits of a noisy set; {calls} IAM calls in that time");
    // The quiet sets need 60 (GetRole, CreateRole, PutRolePolicy per role); reconciling every
    // edit cost the noisy set as many again in that time (12 s instead of 7).
    assert!(
        calls <= 70,
        "{calls} IAM calls: the noisy set's edits were not coalesced"
    );
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_iam_calls_do_not_stall_the_other_sets() {
    let client = kube().await;
    let ns = "it-hung";
    namespace(&client, ns).await;
    // The first eight CreateRole calls never answer: as many as there are reconcile slots.
    let n = Arc::new(AtomicU32::new(0));
    let c = n.clone();
    let hook: FaultHook = Arc::new(move |op: &'static str| {
        (op == "CreateRole" && c.fetch_add(1, Ordering::SeqCst) < 8).then_some(Fault::Hang)
    });
    let mut cfg = config(ns, 600);
    cfg.iam_call_timeout_seconds = 2;
    let ctl = start(&client, cfg, Some(hook)).await;
    let started = tokio::time::Instant::now();
    for i in 0..9 {
        apply(
            &client,
            ns,
            &format!("s{i}"),
            fargate_spec(&format!("s{i}")),
        )
        .await;
    }
    for i in 0..9 {
        wait_ready(&client, ns, &format!("s{i}"), "True").await;
    }
    // Bound: a hung call costs its set one call timeout (2 s) plus a backoff (≤ 4.4 s),
    // and never holds the others.
    let took = started.elapsed();
    println!("hung: 8 CreateRole calls never answered (2 s call timeout); all 9 sets Ready after {took:?}");
    assert!(n.load(Ordering::SeqCst) >= 8, "the hangs were hit");
    assert!(took < Duration::from_secs(40), "all Ready after {took:?}");
    for i in 0..9 {
        delete(&client, ns, &format!("s{i}")).await;
    }
    for i in 0..9 {
        gone(&client, ns, &format!("s{i}")).await;
    }
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undecodable_object_is_invalid_and_the_others_go_on_after_a_restart() {
    let client = kube().await;
    let ns = "it-poison";
    namespace(&client, ns).await;
    // The API server keeps what the CRD does not describe (taskDefinition is free-form), so
    // this object is stored although the core cannot read it. It exists before the controller
    // starts: listing must not fail for everyone.
    let mut bad = fargate_spec("poison");
    bad["taskDefinition"]["containerDefinitions"] = json!({"api": {"image": "nginx"}});
    // Created untyped, as kubectl would: no client-side decoding.
    use ecsroles_controller::crd::EcsRoleSet;
    use kube::api::{Api, DynamicObject, PostParams};
    use kube::core::ApiResource;
    use kube::Resource;
    let ar = ApiResource::erase::<EcsRoleSet>(&());
    let raw: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
    let obj: DynamicObject = serde_json::from_value(json!({
        "apiVersion": EcsRoleSet::api_version(&()), "kind": "EcsRoleSet",
        "metadata": {"name": "poison", "namespace": ns}, "spec": bad
    }))
    .unwrap();
    raw.create(&PostParams::default(), &obj).await.unwrap();
    apply(&client, ns, "fine", fargate_spec("fine")).await;
    let ctl = start(&client, config(ns, 600), None).await;
    let obj = wait_ready(&client, ns, "poison", "False").await;
    let (_, reason, message) = ready(&obj).unwrap();
    assert_eq!(reason, "InvalidSpec");
    assert!(
        message.contains("spec.taskDefinition.containerDefinitions"),
        "{message}"
    );
    wait_ready(&client, ns, "fine", "True").await;
    for n in ["poison", "fine"] {
        delete(&client, ns, n).await;
        gone(&client, ns, n).await;
    }
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_mid_reconcile_converges_without_duplicates() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-restart";
    namespace(&client, ns).await;
    let cfg = config(ns, 600);
    // The first controller "dies" on its 4th write: role(s) created, policies half done.
    let writes = Arc::new(AtomicU32::new(0));
    let w = writes.clone();
    let hook: FaultHook = Arc::new(move |op: &'static str| {
        let write = !op.starts_with("Get") && !op.starts_with("List");
        (write && w.fetch_add(1, Ordering::SeqCst) >= 3).then_some(Fault::Hang)
    });
    let ctl = start(&client, cfg.clone(), Some(hook)).await;
    apply(&client, ns, "svc", ec2_spec("svc")).await;
    wait(
        Duration::from_secs(30),
        "the first controller to hang",
        || async { (writes.load(Ordering::SeqCst) > 3).then_some(()) },
    )
    .await;
    ctl.kill().await;
    let half = roles_with_prefix(&iam, "it-restart_svc-").await;
    assert!(!half.is_empty(), "something was created before the crash");

    let ctl = start(&client, cfg.clone(), None).await;
    let obj = wait_ready(&client, ns, "svc", "True").await;
    let desired = expected(&obj, &cfg);
    assert_iam_matches(&iam, &desired).await;
    let names: BTreeSet<String> = desired.iter().map(|d| d.name.clone()).collect();
    assert_eq!(
        roles_with_prefix(&iam, "it-restart_svc-").await,
        names,
        "no duplicates, nothing extra"
    );
    assert_eq!(profiles_with_prefix(&iam, "it-restart_svc-").await.len(), 1);
    delete(&client, ns, "svc").await;
    gone(&client, ns, "svc").await;
    assert!(roles_with_prefix(&iam, "it-restart_svc-").await.is_empty());
    ctl.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_backs_off_and_recovers() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-throttle";
    namespace(&client, ns).await;
    let cfg = config(ns, 600);
    let n = Arc::new(AtomicU32::new(0));
    let c = n.clone();
    let hook: FaultHook = Arc::new(move |op: &'static str| {
        // Every CreateRole among the first 6 IAM calls is throttled, every PutRolePolicy among
        // the first 12 meets a ConcurrentModification; then IAM answers normally.
        match (op, c.fetch_add(1, Ordering::SeqCst)) {
            ("CreateRole", _) if c.load(Ordering::SeqCst) <= 6 => {
                Some(Fault::Fail("Throttling".into()))
            }
            ("PutRolePolicy", _) if c.load(Ordering::SeqCst) <= 12 => {
                Some(Fault::Fail("ConcurrentModification".into()))
            }
            _ => None,
        }
    });
    let ctl = start(&client, cfg.clone(), Some(hook)).await;
    apply(&client, ns, "t", fargate_spec("t")).await;
    let obj = wait_ready(&client, ns, "t", "True").await;
    assert_iam_matches(&iam, &expected(&obj, &cfg)).await;
    let failures = ctl
        .metrics
        .failures
        .get_or_create(&ecsroles_controller::metrics::FailureLabels {
            reason: "iam_retryable".into(),
        })
        .get();
    assert!(
        failures >= 1,
        "the throttled attempts were retried, {failures}"
    );
    delete(&client, ns, "t").await;
    gone(&client, ns, "t").await;
    ctl.stop().await;
}

#[test]
fn role_kinds_have_distinct_names() {
    let names: BTreeSet<String> = RoleKind::ALL
        .iter()
        .map(|k| ecsroles_core::admission::role_name("p-", "ns", "n", *k))
        .collect();
    assert_eq!(names.len(), RoleKind::ALL.len());
}

/// GET over plain HTTP/1.0 (no client library needed for three endpoints).
fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let code = out.split_whitespace().nth(1)?.parse().ok()?;
    Some((code, out))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_metrics_elects_a_leader_and_stops_gracefully() {
    let client = kube().await;
    let ns = "it-process";
    namespace(&client, ns).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = controller_process(ns, "it-process-1", &addr)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    apply(&client, ns, "p", fargate_spec("p")).await;
    wait_ready(&client, ns, "p", "True").await;

    let (code, _) = http_get(&addr, "/healthz").unwrap();
    assert_eq!(code, 200);
    let (code, _) = http_get(&addr, "/readyz").unwrap();
    assert_eq!(code, 200);
    let (code, body) = http_get(&addr, "/metrics").unwrap();
    assert_eq!(code, 200);
    for metric in [
        "ecsroles_iam_calls_total{operation=\"CreateRole\",outcome=\"ok\"} 2",
        "ecsroles_reconciles_total",
        "ecsroles_queue_depth",
        "ecsroles_drift_corrections_total",
    ] {
        assert!(body.contains(metric), "{metric} missing from:\n{body}");
    }
    let lease =
        kube::Api::<k8s_openapi::api::coordination::v1::Lease>::namespaced(client.clone(), ns)
            .get("ecsroles-controller")
            .await
            .unwrap();
    assert_eq!(
        lease.spec.unwrap().holder_identity.as_deref(),
        Some("it-process-1")
    );

    delete(&client, ns, "p").await;
    gone(&client, ns, "p").await;
    // SIGTERM: graceful shutdown, exit 0, JSON logs on stdout.
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut logs).unwrap();
    let first = logs.lines().next().unwrap();
    let parsed: serde_json::Value = serde_json::from_str(first).expect("JSON log lines");
    assert!(parsed.get("level").is_some(), "{first}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_takes_over_when_the_leader_dies() {
    let client = kube().await;
    let ns = "it-leader";
    namespace(&client, ns).await;
    let spawn = |id: &str| {
        controller_process(ns, id, "127.0.0.1:0")
            .args(["--lease-seconds", "3"])
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut a = spawn("leader-a");
    let mut b = spawn("leader-b");
    let leases =
        kube::Api::<k8s_openapi::api::coordination::v1::Lease>::namespaced(client.clone(), ns);
    let holder = || async {
        leases
            .get_opt("ecsroles-controller")
            .await
            .ok()??
            .spec?
            .holder_identity
    };
    let first = wait(Duration::from_secs(30), "a leader", || async {
        holder().await
    })
    .await;
    apply(&client, ns, "one", fargate_spec("one")).await;
    wait_ready(&client, ns, "one", "True").await;

    // The leader dies without releasing the lease; the standby takes over and reconciles.
    let (dead, survivor) = if first == "leader-a" {
        (&mut a, &mut b)
    } else {
        (&mut b, &mut a)
    };
    dead.kill().unwrap();
    let _ = dead.wait();
    let next = wait(Duration::from_secs(30), "the standby to lead", || async {
        holder().await.filter(|h| *h != first)
    })
    .await;
    assert_ne!(next, first);
    apply(&client, ns, "two", fargate_spec("two")).await;
    wait_ready(&client, ns, "two", "True").await;
    for n in ["one", "two"] {
        delete(&client, ns, n).await;
        gone(&client, ns, n).await;
    }
    std::process::Command::new("kill")
        .args(["-TERM", &survivor.id().to_string()])
        .status()
        .unwrap();
    let _ = survivor.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noop_resync_of_a_role_with_an_instance_profile_reads_in_bulk_too() {
    let client = kube().await;
    let ns = "it-noop-profile";
    namespace(&client, ns).await;
    let cfg = config(ns, 2);
    let ctl = start(&client, cfg.clone(), None).await;
    apply(&client, ns, "ec2", ec2_spec("ec2")).await;
    let obj = wait_ready(&client, ns, "ec2", "True").await;
    let roles = expected(&obj, &cfg).len();
    let ok = || {
        ctl.metrics
            .reconciles
            .get_or_create(&ecsroles_controller::metrics::ResultLabels {
                result: "ok".into(),
            })
            .get()
    };
    // Let the first resync settle (it may refresh the snapshot after our own writes).
    let t0 = ok();
    wait(Duration::from_secs(20), "a resync", || async {
        (ok() > t0).then_some(())
    })
    .await;
    let (w0, r0, p0, t1) = (
        ctl.metrics.writes(),
        ctl.metrics.reads(),
        ctl.metrics.calls_of("GetInstanceProfile"),
        ok(),
    );
    wait(Duration::from_secs(20), "two more resyncs", || async {
        (ok() >= t1 + 2).then_some(())
    })
    .await;
    let reads = ctl.metrics.reads() - r0;
    let passes = ok() - t1;
    println!(
        "{passes} no-op resyncs of {roles} roles (one with an instance profile): {reads} reads"
    );
    assert_eq!(ctl.metrics.writes(), w0, "no writes");
    assert_eq!(
        ctl.metrics.calls_of("GetInstanceProfile"),
        p0,
        "the profile came from the snapshot"
    );
    assert!(
        reads <= 3 * roles as u64 * passes,
        "{reads} reads in {passes} passes"
    );
    delete(&client, ns, "ec2").await;
    gone(&client, ns, "ec2").await;
    ctl.stop().await;
}

/// A role or instance profile in IAM carrying owner tags, as the controller would have made it.
async fn owned_leftover(
    iam: &aws_sdk_iam::Client,
    name: &str,
    tags: &[(&str, &str)],
    with_role: bool,
) {
    let t: Vec<aws_sdk_iam::types::Tag> = tags
        .iter()
        .map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(*k)
                .value(*v)
                .build()
                .unwrap()
        })
        .collect();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    if with_role {
        iam.create_role()
            .role_name(name)
            .path("/ecsroles/")
            .assume_role_policy_document(trust.to_string())
            .set_tags(Some(t.clone()))
            .send()
            .await
            .unwrap();
    }
    if !with_role || name.ends_with("-instance") {
        iam.create_instance_profile()
            .instance_profile_name(name)
            .path("/ecsroles/")
            .set_tags(Some(t))
            .send()
            .await
            .unwrap();
        if with_role {
            iam.add_role_to_instance_profile()
                .instance_profile_name(name)
                .role_name(name)
                .send()
                .await
                .unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_deletes_only_what_gone_sets_of_this_cluster_left() {
    use ecsroles_controller::iam_state::OWNER_TAGS;
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-sweep";
    namespace(&client, ns).await;
    let [cluster, namespace_tag, name, uid] = OWNER_TAGS;
    let tags_of = |n: &'static str| {
        [
            (cluster, CLUSTER),
            (namespace_tag, ns),
            (name, n),
            (uid, "uid-of-a-gone-set"),
        ]
    };
    // What a gone set left: a role, a role in its profile, and a profile holding no role.
    owned_leftover(&iam, "it-sweep_gone-task", &tags_of("gone"), true).await;
    owned_leftover(&iam, "it-sweep_gone-instance", &tags_of("gone"), true).await;
    owned_leftover(&iam, "it-sweep_half-instance", &tags_of("half"), false).await;
    // Never to be touched: another cluster's, an unwatched namespace's, a retained one, and
    // one carrying no uid.
    let mut other = tags_of("x");
    other[0].1 = "another-cluster";
    owned_leftover(&iam, "it-sweep_other-task", &other, true).await;
    let mut unwatched = tags_of("x");
    unwatched[1].1 = "it-not-watched";
    owned_leftover(&iam, "it-sweep_unwatched-task", &unwatched, true).await;
    let mut retained = tags_of("kept").to_vec();
    retained.push((ecsroles_core::controller_policy::RETAINED_TAG, "true"));
    owned_leftover(&iam, "it-sweep_kept-task", &retained, true).await;
    owned_leftover(&iam, "it-sweep_nouid-task", &tags_of("x")[..3], true).await;

    let mut cfg = config(ns, 600);
    cfg.sweep_seconds = 1;
    let ctl = start(&client, cfg, None).await;
    // A live set, with a uid the sweep must see as existing.
    apply(&client, ns, "live", fargate_spec("live")).await;
    wait_ready(&client, ns, "live", "True").await;
    wait(Duration::from_secs(20), "the sweep", || async {
        let left = roles_with_prefix(&iam, "it-sweep_gone-").await;
        let profiles = profiles_with_prefix(&iam, "it-sweep_").await;
        (left.is_empty() && profiles.is_empty()).then_some(())
    })
    .await;
    assert_eq!(ctl.metrics.orphans_deleted.get(), 5, "DeleteRole; RemoveRoleFromInstanceProfile, DeleteInstanceProfile, DeleteRole; DeleteInstanceProfile");
    let kept = roles_with_prefix(&iam, "it-sweep_").await;
    let expect: BTreeSet<String> = [
        "it-sweep_live-execution",
        "it-sweep_live-task",
        "it-sweep_other-task",
        "it-sweep_unwatched-task",
        "it-sweep_kept-task",
        "it-sweep_nouid-task",
    ]
    .map(String::from)
    .into();
    assert_eq!(kept, expect);

    // Retain: the roles stay, released with the retained tag, and the sweep leaves them.
    let mut spec = fargate_spec("keep");
    spec["deletionPolicy"] = json!("Retain");
    apply(&client, ns, "keep", spec).await;
    wait_ready(&client, ns, "keep", "True").await;
    delete(&client, ns, "keep").await;
    gone(&client, ns, "keep").await;
    let deleted = ctl.metrics.orphans_deleted.get();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(ctl.metrics.orphans_deleted.get(), deleted);
    for role in ["it-sweep_keep-execution", "it-sweep_keep-task"] {
        let r = iam.get_role().role_name(role).send().await.unwrap();
        let tagged = r.role().unwrap().tags().iter().any(|t| {
            t.key() == ecsroles_core::controller_policy::RETAINED_TAG && t.value() == "true"
        });
        assert!(tagged, "{role} is marked retained");
    }
    delete(&client, ns, "live").await;
    gone(&client, ns, "live").await;
    ctl.stop().await;
}

/// Blue/green: the load balancer infrastructure role (traffic shifting on exactly the named
/// target groups and rules) and the lifecycle hook role (InvokeFunction on exactly the hook) are
/// created as planned on the real servers — and no legacy service role; moved to CodeDeploy, its
/// service role replaces them — then removed with the set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blue_green_roles_are_reconciled_and_no_service_role() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-bluegreen";
    namespace(&client, ns).await;
    let cfg = config(ns, 600);
    let ctl = start(&client, cfg.clone(), None).await;
    let mut spec = fargate_spec("web");
    let elb = format!("arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}");
    spec["service"] = json!({
        "loadBalancers": [{"targetGroupArn": format!("{elb}:targetgroup/blue/0123456789abcdef"),
            "containerName": "web", "containerPort": 80,
            "advancedConfiguration": {
                "alternateTargetGroupArn": format!("{elb}:targetgroup/green/fedcba9876543210"),
                "productionListenerRule": format!("{elb}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee")}}],
        "deploymentConfiguration": {"strategy": "BLUE_GREEN", "lifecycleHooks": [{
            "hookTargetArn": format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:pre-traffic"),
            "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"]}]}});
    apply(&client, ns, "web", spec).await;
    let obj = wait_ready(&client, ns, "web", "True").await;
    let desired = expected(&obj, &cfg);
    for suffix in ["-lb-infrastructure", "-lifecycle-hooks"] {
        assert!(
            desired.iter().any(|d| d.name.ends_with(suffix)),
            "{suffix} planned"
        );
    }
    assert!(
        !desired.iter().any(|d| d.name.ends_with("-service")),
        "no legacy service role"
    );
    assert_iam_matches(&iam, &desired).await;
    let managed = obj.status.unwrap().managed_roles;
    assert!(
        managed.contains_key("loadBalancerInfrastructure")
            && managed.contains_key("lifecycleHooks")
    );

    // The same service moved to CodeDeploy: the CodeDeploy service role (trusted by
    // codedeploy.amazonaws.com, PassRole on exactly the task's roles) replaces both, and the
    // roles no longer needed are deleted.
    let mut spec = fargate_spec("web");
    spec["service"] = json!({"deploymentController": {"type": "CODE_DEPLOY"},
        "loadBalancers": [{"targetGroupArn": format!("{elb}:targetgroup/blue/0123456789abcdef"),
            "containerName": "web", "containerPort": 80}]});
    spec["codeDeploy"] = json!({"loadBalancerInfo": {"targetGroupPairInfoList": [{
        "prodTrafficRoute": {"listenerArns": [format!("{elb}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2")]}}]}});
    apply(&client, ns, "web", spec).await;
    let obj = wait_ready(&client, ns, "web", "True").await;
    let desired = expected(&obj, &cfg);
    let cd = desired
        .iter()
        .find(|d| d.name.ends_with("-codedeploy"))
        .expect("the CodeDeploy role is planned");
    assert!(cd.trust.to_string().contains("codedeploy.amazonaws.com"));
    assert!(!desired
        .iter()
        .any(|d| d.name.ends_with("-lb-infrastructure") || d.name.ends_with("-lifecycle-hooks")));
    assert_iam_matches(&iam, &desired).await;
    let managed = obj.status.unwrap().managed_roles;
    assert!(managed.contains_key("codeDeploy") && !managed.contains_key("lifecycleHooks"));
    delete(&client, ns, "web").await;
    gone(&client, ns, "web").await;
    assert!(roles_with_prefix(&iam, "it-bluegreen_web-")
        .await
        .is_empty());
    ctl.stop().await;
}

/// Role kinds added after the controller was written (the Service Connect TLS and VPC Lattice
/// infrastructure roles) are reconciled by their registry rows and rules alone: created with
/// AWS's managed policy attached and the KMS grant inline (TLS), the registration scoped to the
/// target group inline (Lattice), exactly as planned, and removed with the set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_networking_roles_are_reconciled_like_any_other() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-sctls";
    namespace(&client, ns).await;
    let cfg = config(ns, 600);
    let ctl = start(&client, cfg.clone(), None).await;
    let mut spec = fargate_spec("ui");
    spec["service"] = json!({"serviceConnectConfiguration": {"enabled": true, "namespace": "shop.local",
        "services": [{"portName": "ui", "tls": {
            "issuerCertificateAuthority": {"awsPcaAuthorityArn": format!("arn:aws:acm-pca:us-east-1:{ACCOUNT}:certificate-authority/ca-1")},
            "kmsKey": format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/5c6d7e8f-1a2b-3c4d-5e6f-7a8b9c0d1e2f")}}]},
        "vpcLatticeConfigurations": [{"portName": "ui",
            "targetGroupArn": format!("arn:aws:vpc-lattice:us-east-1:{ACCOUNT}:targetgroup/tg-0123456789abcdef0")}]});
    apply(&client, ns, "ui", spec).await;
    let obj = wait_ready(&client, ns, "ui", "True").await;
    let desired = expected(&obj, &cfg);
    let tls = desired
        .iter()
        .find(|d| d.name.ends_with("-sc-tls"))
        .expect("the TLS role is planned");
    assert!(tls.managed.iter().any(
        |a| a.ends_with("AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity")
    ));
    let lattice = desired
        .iter()
        .find(|d| d.name.ends_with("-vpc-lattice"))
        .expect("the Lattice role is planned");
    assert!(
        lattice.managed.is_empty(),
        "scoped inline, no managed policy"
    );
    assert_iam_matches(&iam, &desired).await;
    let managed = obj.status.unwrap().managed_roles;
    assert!(managed.contains_key("serviceConnectTls") && managed.contains_key("vpcLattice"));
    delete(&client, ns, "ui").await;
    gone(&client, ns, "ui").await;
    assert!(roles_with_prefix(&iam, "it-sctls_ui-").await.is_empty());
    ctl.stop().await;
}

/// An Express Mode service (its task definition brought along, container Main): the
/// infrastructure role is reconciled from its registry row and rule alone — trusted by ECS,
/// AWS's Express policy attached, nothing inline — beside the execution role, and removed with
/// the set; Application Auto Scaling's service-linked role is AWS's and is not written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_express_service_gets_its_infrastructure_role() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-express";
    namespace(&client, ns).await;
    let cfg = config(ns, 600);
    let ctl = start(&client, cfg.clone(), None).await;
    let mut spec = fargate_spec("shop");
    spec["taskDefinition"]["containerDefinitions"][0]["name"] = json!("Main");
    spec["expressGatewayService"] = json!({"serviceName": "shop", "cluster": "prod",
        "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop:1"});
    apply(&client, ns, "shop", spec).await;
    let obj = wait_ready(&client, ns, "shop", "True").await;
    let desired = expected(&obj, &cfg);
    let infra = desired
        .iter()
        .find(|d| d.name.ends_with("-express-infrastructure"))
        .expect("the Express infrastructure role is planned");
    assert_eq!(
        infra.managed.iter().collect::<Vec<_>>(),
        ["arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices"]
    );
    assert!(
        infra.trust.to_string().contains("ecs.amazonaws.com"),
        "{}",
        infra.trust
    );
    assert!(!desired.iter().any(|d| d.name.contains("AWSServiceRoleFor")));
    assert_iam_matches(&iam, &desired).await;
    let managed = obj.status.unwrap().managed_roles;
    assert!(managed.contains_key("expressInfrastructure") && managed.contains_key("taskExecution"));
    delete(&client, ns, "shop").await;
    gone(&client, ns, "shop").await;
    assert!(roles_with_prefix(&iam, "it-express_shop-").await.is_empty());
    ctl.stop().await;
}

/// The launcher roles (EventBridge rule, Scheduler, Step Functions): reconciled from their
/// registry rows and rules alone, each trusting its own service with the launcher as
/// aws:SourceArn, RunTask and PassRole inline; a launcher removed from the set takes its role
/// with it, and the rest go with the set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launcher_roles_are_reconciled_and_follow_the_launchers() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-launch";
    namespace(&client, ns).await;
    let cfg = config(ns, 600);
    let ctl = start(&client, cfg.clone(), None).await;
    let mut spec = fargate_spec("job");
    spec["launchers"] = json!([
        {"eventBridgeRule": "nightly", "tags": true},
        {"scheduleGroup": "month-end"},
        {"stateMachine": "etl", "sync": true}
    ]);
    apply(&client, ns, "job", spec.clone()).await;
    let obj = wait_ready(&client, ns, "job", "True").await;
    let desired = expected(&obj, &cfg);
    for (suffix, principal, source) in [
        (
            "-events",
            "events.amazonaws.com",
            format!("arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly"),
        ),
        (
            "-scheduler",
            "scheduler.amazonaws.com",
            format!("arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/month-end"),
        ),
        (
            "-states",
            "states.amazonaws.com",
            format!("arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:etl"),
        ),
    ] {
        let d = desired
            .iter()
            .find(|d| d.name.ends_with(suffix))
            .unwrap_or_else(|| panic!("a {suffix} role is planned"));
        let trust = d.trust.to_string();
        assert!(
            trust.contains(principal) && trust.contains(&source),
            "{trust}"
        );
        let inline = serde_json::to_string(&d.inline).unwrap();
        assert!(
            inline.contains("ecs:RunTask") && inline.contains("iam:PassRole"),
            "{inline}"
        );
    }
    assert_iam_matches(&iam, &desired).await;
    let managed = obj.status.unwrap().managed_roles;
    for k in ["eventBridge", "scheduler", "stepFunctions"] {
        assert!(managed.contains_key(k), "{k} in {managed:?}");
    }
    // The schedule goes: its role goes, the others stay as they were.
    spec["launchers"] = json!([
        {"eventBridgeRule": "nightly", "tags": true},
        {"stateMachine": "etl", "sync": true}
    ]);
    apply(&client, ns, "job", spec).await;
    let scheduler = desired
        .iter()
        .find(|d| d.name.ends_with("-scheduler"))
        .map(|d| d.name.clone())
        .unwrap();
    let mut left = false;
    for _ in 0..120 {
        if iam.get_role().role_name(&scheduler).send().await.is_err() {
            left = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(left, "{scheduler} still exists");
    let obj = wait_ready(&client, ns, "job", "True").await;
    assert_iam_matches(&iam, &expected(&obj, &cfg)).await;
    delete(&client, ns, "job").await;
    gone(&client, ns, "job").await;
    assert!(roles_with_prefix(&iam, "it-launch_job-").await.is_empty());
    ctl.stop().await;
}

/// Adoption on the real servers: a hand-made task role (S3 on everything inline, ReadOnlyAccess
/// attached) in a namespace the guardrails allow adoption in. Status and an Event say what
/// adoption adds, changes and removes; then IAM holds exactly the plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adoption_reports_what_it_changes_then_converges() {
    let client = kube().await;
    let iam = iam_client().await;
    let ns = "it-adopt";
    namespace(&client, ns).await;
    let guardrails = std::env::temp_dir().join(format!("{ns}-guardrails.yaml"));
    std::fs::write(&guardrails, format!("adoptionNamespaces: [{ns}]\n")).unwrap();
    let mut cfg = config(ns, 600);
    cfg.guardrails_file = Some(guardrails);

    // The names and path the controller derives for this set (from a probe object).
    let probe: ecsroles_controller::crd::EcsRoleSet = serde_json::from_value(json!({
        "apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSet",
        "metadata": {"name": "shop", "namespace": ns, "uid": "probe"}, "spec": fargate_spec("shop")
    }))
    .unwrap();
    let task = expected(&probe, &cfg)
        .into_iter()
        .find(|d| d.name.ends_with("-task"))
        .expect("a task role");
    create_unowned_role(&iam, &task.name, &task.path, "ec2.amazonaws.com").await;
    iam.put_role_policy()
        .role_name(&task.name)
        .policy_name("legacy")
        .policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name(&task.name)
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();

    let ctl = start(&client, cfg.clone(), None).await;
    let api: kube::Api<ecsroles_controller::crd::EcsRoleSet> =
        kube::Api::namespaced(client.clone(), ns);
    let obj: ecsroles_controller::crd::EcsRoleSet = serde_json::from_value(json!({
        "apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSet",
        "metadata": {"name": "shop", "namespace": ns,
            "annotations": {ecsroles_controller::controller::ADOPT_ANNOTATION: "true"}},
        "spec": fargate_spec("shop")
    }))
    .unwrap();
    api.create(&Default::default(), &obj).await.unwrap();
    let obj = wait_ready(&client, ns, "shop", "True").await;
    let status = obj.status.clone().unwrap();
    let report = status
        .adoption
        .iter()
        .find(|r| r.role == task.name)
        .unwrap_or_else(|| panic!("{:?}", status.adoption));
    assert_eq!(report.kind, "task");
    for want in [
        "delete the inline policy legacy",
        "detach arn:aws:iam::aws:policy/ReadOnlyAccess",
        "replace the trust policy with the plan's",
    ] {
        assert!(
            report.changes.iter().any(|c| c == want),
            "{want}: {:?}",
            report.changes
        );
    }
    assert!(
        report
            .over_grants_removed
            .iter()
            .any(|o| o.starts_with("s3:* on * (legacy)")),
        "{:?}",
        report.over_grants_removed
    );
    assert!(report
        .over_grants_removed
        .iter()
        .any(|o| o.contains("also trusts ec2.amazonaws.com")));
    wait_event(&client, ns, "AdoptionPlanned").await;
    wait_event(&client, ns, "Adopted").await;
    // Converged: exactly the plan (the owner's tags included), nothing of the hand-made role left.
    assert_iam_matches(&iam, &expected(&obj, &cfg)).await;

    delete(&client, ns, "shop").await;
    gone(&client, ns, "shop").await;
    ctl.stop().await;
}
