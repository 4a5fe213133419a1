//! Who starts the task besides a service (`launchers`): EventBridge rules, EventBridge
//! Scheduler schedules and Step Functions state machines. Each assumes a role of its own to
//! call RunTask (one registry row per kind in `model::KINDS`); what the three need is the same
//! RunTask, PassRole and, when they tag, TagResource — plus, for Step Functions' `.sync`, what
//! it uses to wait for the task. The facts per launcher are one table ([`LAUNCHERS`]).

use super::*;
use serde_json::Value;

/// One kind of launcher: the spec member naming it, its role, and the ARN of what it is (its
/// trust's `aws:SourceArn`).
struct Launcher {
    /// The member of a `launchers[]` entry that names it.
    key: &'static str,
    kind: RoleKind,
    /// Service and resource prefix of its ARN (`arn:<partition>:<service>:<region>:<account>:<prefix><name>`).
    service: &'static str,
    prefix: &'static str,
    /// What it is, in words.
    what: &'static str,
}

const LAUNCHERS: [Launcher; 3] = [
    // EventBridge's confused-deputy page: "the value of aws:SourceArn must be the rule ARN"
    // (`rule/<name>`, or `rule/<bus>/<name>` on a custom event bus).
    Launcher {
        key: "eventBridgeRule",
        kind: RoleKind::EventBridge,
        service: "events",
        prefix: "rule/",
        what: "EventBridge rule",
    },
    // Scheduler's: aws:SourceArn "must be your EventBridge Scheduler schedule group ARN", never
    // one schedule; a schedule's ARN (`schedule/<group>/<name>`) names its group.
    Launcher {
        key: "scheduleGroup",
        kind: RoleKind::Scheduler,
        service: "scheduler",
        prefix: "schedule-group/",
        what: "EventBridge Scheduler schedule group",
    },
    Launcher {
        key: "stateMachine",
        kind: RoleKind::StepFunctions,
        service: "states",
        prefix: "stateMachine:",
        what: "Step Functions state machine",
    },
];

/// Every member a `launchers[]` entry may have.
const MEMBERS: [&str; 7] = [
    "eventBridgeRule",
    "scheduleGroup",
    "stateMachine",
    "roleArn",
    "tags",
    "sync",
    "executeCommand",
];

impl<'a> Planner<'a> {
    /// The launcher roles: per `launchers[]` entry, RunTask on this task definition's family in
    /// this cluster, TagResource at launch when it tags, `.sync`'s task and rule calls; the trust
    /// names what launches (aws:SourceArn). PassRole on the task definition's roles is added once
    /// those are built ([`Self::pass_task_roles`]).
    pub(super) fn launchers(&mut self) {
        let spec = self.spec;
        if !spec.launchers.is_empty() && self.td.family.is_none() {
            self.warn(
                cat!(self.td_path, ".family"),
                "the task definition has no family here (a template names it after the stack): the launchers may run every task definition of the account",
            )
            .fix = Some("set the family (or pass it with --var) so RunTask is scoped to it".into());
        }
        for (i, entry) in spec.launchers.iter().enumerate() {
            let path = cat!("launchers[", i.to_string(), "]");
            let Some(l) = self.launcher_of(entry, &path) else {
                continue;
            };
            let at = cat!(path, ".", l.key);
            let name = entry.get(l.key).and_then(Value::as_str).unwrap_or_default();
            let Some(source) = self.launcher_arn(l, name, &at) else {
                continue;
            };
            let k = l.kind;
            self.need(
                k,
                cat!("the ", l.what, " ", source, " starts the task (", path, ")"),
            );
            if !self
                .trust_sources
                .iter()
                .any(|(x, s)| *x == k && *s == source)
            {
                self.trust_sources.push((k, source));
            }
            let family = self.td.family.as_deref().unwrap_or("*");
            let cluster_arn = self.arn("ecs", &cat!("cluster/", self.cluster));
            let revisions = self.arn("ecs", &cat!("task-definition/", family, ":*"));
            self.grant(
                k,
                &rules::LAUNCH_RUN_TASK,
                vec![revisions],
                cond("ArnEquals", "ecs:cluster", &[&cluster_arn]),
                at.clone(),
            );
            let tasks = self.arn("ecs", &cat!("task/", self.cluster, "/*"));
            if entry.get("tags").and_then(Value::as_bool) == Some(true) {
                self.grant(
                    k,
                    &rules::LAUNCH_TAG,
                    vec![tasks.clone()],
                    cond("StringEquals", "ecs:CreateAction", &["RunTask"]),
                    cat!(path, ".tags"),
                );
            }
            if entry.get("sync").and_then(Value::as_bool) == Some(true) {
                if k != RoleKind::StepFunctions {
                    self.warn(
                        cat!(path, ".sync"),
                        "sync is the Step Functions integration pattern (ecs:runTask.sync): ignored here",
                    );
                    continue;
                }
                let why = cat!(path, ".sync");
                self.grant(
                    k,
                    &rules::SFN_WATCH_TASKS,
                    vec![tasks],
                    Conditions::new(),
                    why.clone(),
                );
                let rule = self.arn("events", "rule/StepFunctionsGetEventsForECSTaskRule");
                self.grant(
                    k,
                    &rules::SFN_TASK_EVENTS,
                    vec![rule],
                    Conditions::new(),
                    why,
                );
            }
        }
        for l in &LAUNCHERS {
            if !self.needs.contains_key(&l.kind) {
                let why = cat!("no ", l.what, " starts the task (launchers)");
                self.absent_why.insert(l.kind, (why, l.kind.facts().doc));
            }
        }
    }

    /// The launcher an entry names (exactly one of the launcher members), else an error at `path`.
    fn launcher_of(&mut self, entry: &Value, path: &str) -> Option<&'static Launcher> {
        let what = "a launcher is {eventBridgeRule: <rule>}, {scheduleGroup: <group>} or {stateMachine: <state machine>}, with optional roleArn, tags, sync and executeCommand";
        let Some(m) = entry.as_object() else {
            self.error(path, what);
            return None;
        };
        if let Some(k) = m.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
            self.error(cat!(path, ".", k), cat!("unknown member ", k, ": ", what));
            return None;
        }
        // A flag written as "true" would be read as false without a word.
        if let Some(k) = ["tags", "sync", "executeCommand"]
            .into_iter()
            .find(|k| m.get(*k).is_some_and(|v| !v.is_boolean()))
        {
            self.error(cat!(path, ".", k), "true or false");
            return None;
        }
        let mut named = LAUNCHERS.iter().filter(|l| m.contains_key(l.key));
        match (named.next(), named.next()) {
            (Some(l), None) => Some(l),
            _ => {
                self.error(path, what);
                None
            }
        }
    }

    /// The ARN of what launches (a name or an ARN in the file), for the trust's aws:SourceArn.
    /// Not known (empty, a placeholder): every one of its kind in this account and region, said.
    fn launcher_arn(&mut self, l: &Launcher, name: &str, path: &str) -> Option<String> {
        let name = name.trim();
        if name.starts_with("arn:") {
            let kinds: &[&str] = if l.kind == RoleKind::Scheduler {
                &["schedule-group/", "schedule/"]
            } else {
                &[l.prefix]
            };
            let a = self.required_arn(name, path, l.service, kinds)?;
            // A schedule's ARN `…:schedule/<group>/<name>`: its group's.
            return Some(match a.split_once(":schedule/") {
                Some((head, rest)) => {
                    let group = rest.split('/').next().unwrap_or("default");
                    cat!(head, ":schedule-group/", group)
                }
                None => a,
            });
        }
        // Not known: none (`*`: a template's made-up name), or a template placeholder
        // (`${AWS::StackName}-x`).
        if !name.is_empty() && name != "*" && !crate::placeholder::may_hold(name) {
            return Some(self.arn(l.service, &cat!(l.prefix, name)));
        }
        let any = self.arn(l.service, &cat!(l.prefix, "*"));
        self.warn(
            path,
            cat!(
                "the ",
                l.what,
                "'s name is not known (",
                name,
                "): its role trusts any of this account's (",
                any,
                ")"
            ),
        )
        .fix = Some(cat!("name it in ", path, " (its name or ARN)"));
        Some(any)
    }

    /// The `roleArn` each launcher of `kind` names (the role its target uses), with its index.
    pub(super) fn launcher_roles(&self, kind: RoleKind) -> Vec<(usize, &'a str)> {
        let spec = self.spec;
        let mut out = Vec::new();
        for (i, e) in spec.launchers.iter().enumerate() {
            let of_kind = LAUNCHERS
                .iter()
                .find(|l| e.get(l.key).is_some())
                .is_some_and(|l| l.kind == kind);
            if let Some(role) = e.get("roleArn").and_then(Value::as_str).filter(|_| of_kind) {
                out.push((i, role));
            }
        }
        out
    }
}
