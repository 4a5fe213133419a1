//! Reconcile's paths as units: the real `reconcile` (finalizer, admission, sync, cleanup,
//! status, Events) on the in-memory IAM and the scripted API server of [`crate::fixtures`].
//! Each test drives one path and checks what IAM holds afterwards, the status written and the
//! Events published. The same paths run against the real servers in `tests/integration.rs`.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::controller::{reconcile, ADOPT_ANNOTATION};
use crate::fixtures::{
    config, context, fail, fargate_spec, role_set, role_with_tags, ApiServer, FakeIam,
};
use crate::iam_state::Owner;

const NS: &str = "shop";

struct World {
    api: ApiServer,
    iam: Arc<FakeIam>,
}

impl World {
    fn new() -> Self {
        World {
            api: ApiServer::default(),
            iam: Arc::new(FakeIam::default()),
        }
    }

    /// Reconciles `set` once with the given guardrails and IAM fault hook.
    async fn reconcile(
        &self,
        set: &crate::fixtures::SetBuilder,
        guardrails: Option<&str>,
        hook: Option<crate::iam::FaultHook>,
    ) -> Result<(), crate::controller::Error> {
        let json = set.json();
        {
            let mut objects = self.api.objects.lock().unwrap();
            objects.retain(|o| o["metadata"]["name"] != json["metadata"]["name"]);
            objects.push(json);
        }
        let ctx = context(&self.api, &self.iam, config(guardrails), hook);
        let obj = Arc::new(serde_json::from_value(set.json()).unwrap());
        reconcile(obj, ctx).await.map(|_| ())
    }

    fn last_status(&self) -> Value {
        self.api.statuses().last().cloned().unwrap_or(Value::Null)
    }

    /// `(status, reason, message)` of the last Ready condition written.
    fn ready(&self) -> (String, String, String) {
        let s = self.last_status();
        let c = s["conditions"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
            .cloned()
            .unwrap_or(Value::Null);
        let f = |k: &str| c[k].as_str().unwrap_or("").to_string();
        (f("status"), f("reason"), f("message"))
    }

    /// Role names by kind, from the last status.
    fn managed(&self) -> Vec<(String, String)> {
        self.last_status()["managedRoles"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn has_event(&self, kind: &str, reason: &str) -> bool {
        self.api
            .events()
            .iter()
            .any(|(t, r)| t == kind && r == reason)
    }
}

fn owner(name: &str) -> Owner {
    Owner {
        cluster: "unit".into(),
        namespace: NS.into(),
        name: name.into(),
        uid: format!("uid-{NS}-{name}"),
    }
}

/// The status a first successful reconcile leaves: what a periodic resync starts from.
fn synced_status(w: &World) -> Value {
    w.last_status()
}

#[tokio::test]
async fn a_new_set_gets_its_roles_owned_and_ready() {
    let w = World::new();
    let set = role_set(NS, "web", fargate_spec("web"));
    w.reconcile(&set, None, None).await.unwrap();

    let (status, reason, _) = w.ready();
    assert_eq!((status.as_str(), reason.as_str()), ("True", "Reconciled"));
    let managed = w.managed();
    let kinds: Vec<&str> = managed.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["task", "taskExecution"]);
    for (_, name) in &managed {
        let role = w.iam.role(name).expect("created in IAM");
        assert!(
            owner("web")
                .tags()
                .iter()
                .all(|(k, v)| role.tags.get(k) == Some(v)),
            "{name}: owner tags {:?}",
            role.tags
        );
        assert_eq!(role.inline.len(), 1, "{name}: one inline policy");
    }
    let writes = w.iam.writes();
    assert!(writes[0].starts_with("CreateRole "), "{writes:?}");
    assert!(w.has_event("Normal", "Synced"), "{:?}", w.api.events());
}

#[tokio::test]
async fn a_refused_spec_reads_and_writes_nothing_in_iam() {
    let w = World::new();
    let mut spec = fargate_spec("web");
    spec["roles"] = json!({"task": {"name": "AdminRole"}});
    w.reconcile(&role_set(NS, "web", spec), None, None)
        .await
        .unwrap();

    let (status, reason, message) = w.ready();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "PolicyViolation"),
        "{message}"
    );
    assert!(message.contains("roles.task.name"), "{message}");
    assert!(w.iam.writes().is_empty());
    assert_eq!(w.iam.read_count(), 0, "admission runs before any IAM call");
}

#[tokio::test]
async fn drift_is_put_back_and_reported() {
    let w = World::new();
    let set = role_set(NS, "web", fargate_spec("web"));
    w.reconcile(&set, None, None).await.unwrap();
    let (_, task) = w.managed().into_iter().find(|(k, _)| k == "task").unwrap();
    let wanted = w.iam.role(&task).unwrap();

    // Someone widens the task role's policy and attaches an admin policy by hand.
    let mut changed = wanted.clone();
    for doc in changed.inline.values_mut() {
        *doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.into();
    }
    changed
        .managed
        .insert("arn:aws:iam::aws:policy/AdministratorAccess".into());
    w.iam.put_role(&task, changed);
    let writes_before = w.iam.writes().len();

    let resync = role_set(NS, "web", fargate_spec("web")).status(synced_status(&w));
    w.reconcile(&resync, None, None).await.unwrap();

    let now = w.iam.role(&task).unwrap();
    assert!(
        now.managed.is_empty(),
        "the attachment is gone: {:?}",
        now.managed
    );
    assert_eq!(
        now.inline
            .values()
            .map(|d| serde_json::from_str::<Value>(d).unwrap())
            .collect::<Vec<_>>(),
        wanted
            .inline
            .values()
            .map(|d| serde_json::from_str::<Value>(d).unwrap())
            .collect::<Vec<_>>(),
    );
    let fixes = &w.iam.writes()[writes_before..];
    assert!(
        fixes.contains(&format!("DetachRolePolicy {task}")),
        "{fixes:?}"
    );
    assert!(
        fixes.contains(&format!("PutRolePolicy {task}")),
        "{fixes:?}"
    );
    assert!(
        w.has_event("Warning", "DriftCorrected"),
        "{:?}",
        w.api.events()
    );
}

#[tokio::test]
async fn an_unchanged_set_in_sync_writes_nothing() {
    let w = World::new();
    w.reconcile(&role_set(NS, "web", fargate_spec("web")), None, None)
        .await
        .unwrap();
    let writes = w.iam.writes().len();
    let resync = role_set(NS, "web", fargate_spec("web")).status(synced_status(&w));
    w.reconcile(&resync, None, None).await.unwrap();
    assert_eq!(w.iam.writes().len(), writes, "{:?}", w.iam.writes());
    assert_eq!(w.ready().0, "True");
}

#[tokio::test]
async fn a_role_the_plan_no_longer_needs_is_deleted() {
    let w = World::new();
    w.reconcile(&role_set(NS, "web", fargate_spec("web")), None, None)
        .await
        .unwrap();
    // An earlier generation had a service role; it is still in IAM and in the status.
    let old = "web-old-service";
    let mut role = role_with_tags("/ecsroles/", owner("web").tags());
    role.inline.insert("ecsroles".into(), "{}".into());
    w.iam.put_role(old, role);
    let mut status = synced_status(&w);
    status["managedRoles"]["service"] = old.into();

    let next = role_set(NS, "web", fargate_spec("web"))
        .generation(2)
        .status(status);
    w.reconcile(&next, None, None).await.unwrap();

    assert!(w.iam.role(old).is_none(), "deleted");
    let writes = w.iam.writes();
    let i = writes
        .iter()
        .position(|x| x == &format!("DeleteRolePolicy {old}"))
        .expect("policy first");
    let j = writes
        .iter()
        .position(|x| x == &format!("DeleteRole {old}"))
        .expect("then the role");
    assert!(i < j);
    assert!(!w.managed().iter().any(|(k, _)| k == "service"));
}

/// The name the platform gives the task role of `NS/web` (learnt from a first reconcile).
async fn web_task_role() -> String {
    let probe = World::new();
    probe
        .reconcile(&role_set(NS, "web", fargate_spec("web")), None, None)
        .await
        .unwrap();
    probe
        .managed()
        .into_iter()
        .find(|(k, _)| k == "task")
        .map(|(_, name)| name)
        .unwrap()
}

#[tokio::test]
async fn a_foreign_role_is_a_collision_and_adoption_takes_it_only_where_allowed() {
    let task = web_task_role().await;

    let foreign = || {
        let w = World::new();
        w.iam.put_role(
            &task,
            role_with_tags("/ecsroles/", [("team".to_string(), "x".to_string())].into()),
        );
        w
    };

    // Not owned, no adoption asked: nothing written, NameCollision.
    let w = foreign();
    w.reconcile(&role_set(NS, "web", fargate_spec("web")), None, None)
        .await
        .unwrap();
    let (status, reason, _) = w.ready();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "NameCollision")
    );
    assert!(w.iam.writes().is_empty(), "{:?}", w.iam.writes());

    // Adoption asked in a namespace the guardrails do not list: refused before IAM.
    let w = foreign();
    let ask = role_set(NS, "web", fargate_spec("web")).annotate(ADOPT_ANNOTATION, "true");
    w.reconcile(&ask, Some("adoptionNamespaces: [platform]\n"), None)
        .await
        .unwrap();
    assert_eq!(w.ready().1, "PolicyViolation");
    assert!(w.iam.writes().is_empty());

    // Adoption allowed here: the role is tagged ours first, then converged.
    let w = foreign();
    let ask = role_set(NS, "web", fargate_spec("web")).annotate(ADOPT_ANNOTATION, "true");
    w.reconcile(&ask, Some(&format!("adoptionNamespaces: [{NS}]\n")), None)
        .await
        .unwrap();
    assert_eq!(w.ready().0, "True", "{:?}", w.ready());
    let role = w.iam.role(&task).unwrap();
    assert!(owner("web")
        .tags()
        .iter()
        .all(|(k, v)| role.tags.get(k) == Some(v)));
    assert_eq!(w.iam.writes().first(), Some(&format!("TagRole {task}")));
    assert!(w.has_event("Normal", "Adopted"));
}

/// Adoption says what it will do before it writes: the grants it adds, the changes it makes
/// and the over-grants they remove (the core's audit of the role as IAM has it), in status and
/// an Event — even when the first write then fails.
#[tokio::test]
async fn adoption_reports_what_it_adds_changes_and_removes_before_any_write() {
    let task = web_task_role().await;
    // A hand-made task role: all of S3 on another bucket inline, ReadOnlyAccess attached.
    let hand_made = || {
        let mut r = role_with_tags("/ecsroles/", [("team".to_string(), "x".to_string())].into());
        r.inline.insert(
            "legacy".into(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::other-bucket/*"}]}"#.into(),
        );
        r.managed
            .insert("arn:aws:iam::aws:policy/ReadOnlyAccess".into());
        r
    };
    let allowed = format!("adoptionNamespaces: [{NS}]\n");
    let ask = role_set(NS, "web", fargate_spec("web")).annotate(ADOPT_ANNOTATION, "true");

    // The first write refused: the report is already in status and an Event; IAM unchanged.
    let w = World::new();
    w.iam.put_role(&task, hand_made());
    let _ = w
        .reconcile(&ask, Some(&allowed), Some(fail("TagRole", "AccessDenied")))
        .await;
    assert!(w.iam.writes().is_empty(), "{:?}", w.iam.writes());
    assert!(w.has_event("Normal", "AdoptionPlanned"));
    assert!(!w.has_event("Normal", "Adopted"));
    let report = w.last_status()["adoption"].clone();
    let role = report
        .as_array()
        .and_then(|a| a.iter().find(|r| r["role"] == task.as_str()))
        .unwrap_or_else(|| panic!("{report}"))
        .clone();
    assert_eq!(role["kind"], "task");
    let list = |k: &str| -> Vec<String> {
        role[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let changes = list("changes");
    for want in [
        "delete the inline policy legacy",
        "detach arn:aws:iam::aws:policy/ReadOnlyAccess",
        "replace the trust policy with the plan's",
    ] {
        assert!(changes.iter().any(|c| c == want), "{want}: {changes:?}");
    }
    assert!(
        changes
            .iter()
            .any(|c| c.starts_with("put the inline policy ")),
        "{changes:?}"
    );
    let removed = list("overGrantsRemoved");
    assert!(
        removed
            .iter()
            .any(|o| o.starts_with("s3:* on arn:aws:s3:::other-bucket/* (legacy)")),
        "{removed:?}"
    );
    assert!(
        removed
            .iter()
            .any(|o| o.contains("ReadOnlyAccess") && o.contains("detached")),
        "{removed:?}"
    );
    assert!(
        removed
            .iter()
            .any(|o| o.starts_with("trust: does not trust ecs-tasks.amazonaws.com")),
        "{removed:?}"
    );
    // What the plan gives that the hand-made role lacked: its S3 read on its own bucket.
    let adds = list("adds");
    assert!(
        adds.iter()
            .any(|a| a.starts_with("s3:GetObject on arn:aws:s3:::shop-assets/in/")),
        "{adds:?}"
    );
    // Recorded as this resource's before the first write, so cleanup finds it.
    assert_eq!(
        w.last_status()["managedRoles"]["task"].as_str(),
        Some(task.as_str())
    );

    // Another role of the set held by someone else on another path (not adoptable): a
    // collision found before ownership of the first is taken — nothing written at all.
    let w = World::new();
    w.iam.put_role(&task, hand_made());
    let exec = task.replace("-task", "-execution");
    w.iam.put_role(
        &exec,
        role_with_tags("/other/", [("team".to_string(), "y".to_string())].into()),
    );
    w.reconcile(&ask, Some(&allowed), None).await.unwrap();
    assert_eq!(w.ready().1, "NameCollision", "{:?}", w.ready());
    assert!(w.iam.writes().is_empty(), "{:?}", w.iam.writes());

    // Allowed to proceed: taken and converged, and the report stays in status.
    let w = World::new();
    w.iam.put_role(&task, hand_made());
    w.reconcile(&ask, Some(&allowed), None).await.unwrap();
    assert_eq!(w.ready().0, "True", "{:?}", w.ready());
    assert_eq!(w.iam.writes().first(), Some(&format!("TagRole {task}")));
    assert!(w.has_event("Normal", "AdoptionPlanned") && w.has_event("Normal", "Adopted"));
    let held = w.iam.role(&task).unwrap();
    assert!(!held.inline.contains_key("legacy") && held.managed.is_empty());
    assert!(w.last_status()["adoption"][0]["changes"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
}

#[tokio::test]
async fn an_iam_refusal_is_terminal_and_says_what_was_applied() {
    let w = World::new();
    let hook = fail("PutRolePolicy", "MalformedPolicyDocument");
    w.reconcile(&role_set(NS, "web", fargate_spec("web")), None, Some(hook))
        .await
        .unwrap();
    let (status, reason, message) = w.ready();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "IamRejected"),
        "{message}"
    );
    assert!(message.contains("MalformedPolicyDocument"), "{message}");
    assert!(
        message.contains("applied before it: CreateRole"),
        "{message}"
    );
    // Write-ahead: the role created before the refusal is recorded, so deletion finds it.
    let recorded: Vec<String> = w.managed().into_iter().map(|(_, n)| n).collect();
    let created: Vec<String> = w.iam.roles.lock().unwrap().keys().cloned().collect();
    assert!(
        created.iter().all(|c| recorded.contains(c)),
        "created {created:?}, recorded {recorded:?}"
    );
}

#[tokio::test]
async fn a_transient_iam_error_is_retried_later_not_terminal() {
    let w = World::new();
    let hook = fail("CreateRole", "ServiceFailure");
    let result = w
        .reconcile(&role_set(NS, "web", fargate_spec("web")), None, Some(hook))
        .await;
    assert!(result.is_err(), "returned to the controller for backoff");
    assert_ne!(w.ready().1, "IamRejected");
}

#[tokio::test]
async fn deleting_a_set_deletes_its_roles_then_releases_the_finalizer() {
    let w = World::new();
    w.reconcile(&role_set(NS, "web", fargate_spec("web")), None, None)
        .await
        .unwrap();
    let names: Vec<String> = w.managed().into_iter().map(|(_, n)| n).collect();
    assert_eq!(names.len(), 2);

    let gone = role_set(NS, "web", fargate_spec("web"))
        .status(synced_status(&w))
        .deleting();
    w.reconcile(&gone, None, None).await.unwrap();
    for n in &names {
        assert!(w.iam.role(n).is_none(), "{n} deleted");
    }
    let finalizer_patch = w.api.calls().into_iter().any(|c| {
        c.method == "PATCH"
            && c.path.ends_with("/ecsrolesets/web")
            && c.body.to_string().contains("finalizers")
    });
    assert!(finalizer_patch, "{:?}", w.api.calls());
}

#[tokio::test]
async fn the_sweep_deletes_only_what_gone_sets_of_this_cluster_left() {
    use crate::sweep::sweep_once;
    use ecsroles_core::controller_policy::RETAINED_TAG;
    let w = World::new();
    // A live set (the server lists it) and its role.
    w.api
        .objects
        .lock()
        .unwrap()
        .push(role_set(NS, "live", fargate_spec("live")).json());
    let mut live = role_with_tags("/ecsroles/", owner("live").tags());
    live.inline.insert("ecsroles".into(), "{}".into());
    w.iam.put_role("live-task", live);
    // A gone set's role, with a policy and an instance profile of its name.
    let mut gone = role_with_tags("/ecsroles/", owner("gone").tags());
    gone.inline.insert("ecsroles".into(), "{}".into());
    w.iam.put_role("gone-instance", gone);
    w.iam.profiles.lock().unwrap().insert(
        "gone-instance".into(),
        crate::fixtures::FakeProfile {
            path: "/ecsroles/".into(),
            roles: vec!["gone-instance".into()],
            tags: owner("gone").tags(),
        },
    );
    // Kept: another cluster's, a retained one, one without owner tags.
    let mut other = owner("gone");
    other.cluster = "elsewhere".into();
    w.iam
        .put_role("other-cluster", role_with_tags("/ecsroles/", other.tags()));
    let mut retained = owner("gone").tags();
    retained.insert(RETAINED_TAG.into(), "true".into());
    w.iam
        .put_role("retained", role_with_tags("/ecsroles/", retained));
    w.iam.put_role(
        "hand-made",
        role_with_tags("/ecsroles/", Default::default()),
    );

    let ctx = context(&w.api, &w.iam, config(None), None);
    let done = sweep_once(&ctx).await.unwrap();

    assert!(w.iam.role("gone-instance").is_none());
    assert!(w.iam.profile("gone-instance").is_none());
    for kept in ["live-task", "other-cluster", "retained", "hand-made"] {
        assert!(w.iam.role(kept).is_some(), "{kept} kept");
    }
    assert!(
        done.contains(&"DeleteRole gone-instance".to_string()),
        "{done:?}"
    );
    assert_eq!(ctx.metrics.orphans_deleted.get(), done.len() as u64);
}
