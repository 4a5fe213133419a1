//! The CloudWatch agent's configuration written in CW_CONFIG_CONTENT: each section it runs,
//! planned on the task role as `rules::cloudwatch_agent` says the agent calls; what the plan
//! cannot know (log groups chosen at run time, Application Signals), said with what to grant.

use serde_json::{Map, Value};

use super::*;
use crate::policy::cond;
use crate::rules::cloudwatch_agent as cwagent;
use crate::rules::Rule;

/// One configuration being planned: where it is, why its grants exist, and which sections
/// were already said (an assumed role once per section, Application Signals once).
struct Config<'c> {
    cname: &'c str,
    at: &'c str,
    reason: String,
    region: String,
    said_once: Vec<&'static str>,
    /// Something was granted.
    planned: bool,
    /// A section sends to AWS with the task role though nothing could be granted for it (its
    /// destinations are chosen at run time): the task still needs the role.
    sends: bool,
}

impl<'a> Planner<'a> {
    /// Plans CW_CONFIG_CONTENT (`value`, at `at`) of container `cname`. Whether the agent needs
    /// the task role (something granted, or a section that sends with it).
    pub(super) fn cwagent_config(
        &mut self,
        c: &ContainerDefinition,
        cname: &str,
        at: &str,
        value: &str,
    ) -> bool {
        // Read as written: the agent's own `${aws:InstanceId}` and regular expressions' `<name>`
        // groups are not template placeholders. Only the strings a grant uses are filled (a
        // namespace from a template variable); a template that writes the JSON itself with
        // placeholders is filled whole and read again.
        let parsed = match serde_json::from_str::<Value>(value) {
            Err(_) if crate::placeholder::find(value).is_some() => match self.fill(value, at) {
                Some(text) => serde_json::from_str::<Value>(&text),
                None => return false,
            },
            other => other,
        };
        let config = match parsed {
            Ok(Value::Object(m)) => m,
            Ok(_) => return self.cwagent_unreadable(cname, at, "is JSON but not an object"),
            Err(e) => {
                let what = cat!("is not JSON (", e.to_string(), ")");
                return self.cwagent_unreadable(cname, at, &what);
            }
        };
        let agent = config.get("agent");
        let region = match agent.and_then(|a| a.get("region")).and_then(Value::as_str) {
            Some(r) => {
                let path = cat!(at, " (agent.region)");
                let Some(r) = self.fill(r, &path) else {
                    return false;
                };
                self.option_region(Some(r.into_owned()), &path, "the agent's region")
            }
            None => self.region.clone(),
        };
        let mut cfg = Config {
            cname,
            at,
            reason: cat!(
                "container ",
                cname,
                ": the CloudWatch agent (image ",
                c.image,
                ") runs the configuration in CW_CONFIG_CONTENT (",
                at,
                ")"
            ),
            region,
            said_once: Vec::new(),
            planned: false,
            sends: false,
        };
        if super::observability::env_var(c, cwagent::OTEL_CONFIG_CONTENT).is_some() {
            cfg.sends = true;
            let what = "is merged with CW_OTEL_CONFIG_CONTENT (an OpenTelemetry collector configuration), which ecsroles does not read: nothing is planned for it";
            self.cwagent_said(&cfg, what, cwagent::NOT_READ_FIX);
        }
        for key in config.keys() {
            if !cwagent::SECTIONS.contains(&key.as_str()) {
                let what = cat!(
                    "has a section ",
                    key,
                    " the agent does not know: it ignores it, and so does the plan"
                );
                self.cwagent_said(&cfg, &what, cwagent::DOC_CONFIG);
            }
        }
        if let Some(m) = config.get("metrics").and_then(Value::as_object) {
            self.cwagent_metrics(&mut cfg, &config, m);
        }
        if let Some(l) = config.get("logs").and_then(Value::as_object) {
            self.cwagent_logs(&mut cfg, &config, c, l);
        }
        if let Some(t) = config.get("traces").and_then(Value::as_object) {
            self.cwagent_traces(&mut cfg, &config, t);
        }
        if config.contains_key("opentelemetry") {
            let what = "has an opentelemetry section (an OpenTelemetry collector configuration), which ecsroles does not read: nothing is planned for it";
            cfg.sends = true;
            self.cwagent_said(&cfg, what, cwagent::NOT_READ_FIX);
        }
        cfg.planned || cfg.sends
    }

    /// `metrics`: PutMetricData in its one namespace, when it collects anything.
    fn cwagent_metrics(
        &mut self,
        cfg: &mut Config,
        config: &Map<String, Value>,
        m: &Map<String, Value>,
    ) {
        // metrics_collected.prometheus goes to Amazon Managed Service for Prometheus, and
        // metrics_destinations without `cloudwatch` sends nothing to CloudWatch.
        let collects = m
            .get("metrics_collected")
            .and_then(Value::as_object)
            .is_some_and(|c| c.keys().any(|k| k != "prometheus"));
        let destinations = m.get("metrics_destinations").and_then(Value::as_object);
        let to_cloudwatch = destinations.map_or(true, |d| d.contains_key("cloudwatch"));
        if collects && to_cloudwatch {
            let ns = m
                .get("namespace")
                .and_then(Value::as_str)
                .unwrap_or(cwagent::DEFAULT_NAMESPACE);
            let Some(ns) = self.fill(ns, cfg.at) else {
                return;
            };
            let only = cond("StringEquals", "cloudwatch:namespace", &[&ns]);
            self.cwagent_grant(cfg, config, "metrics", &cwagent::METRICS, "*".into(), only);
        }
        let prometheus = m
            .get("metrics_collected")
            .is_some_and(|c| c.get("prometheus").is_some());
        if prometheus || destinations.is_some_and(|d| d.contains_key("amp")) {
            cfg.sends = true;
            let what = "sends metrics to Amazon Managed Service for Prometheus (metrics_collected.prometheus, metrics_destinations.amp), which ecsroles does not read: nothing is planned for it";
            self.cwagent_said(cfg, what, cwagent::AMP_FIX);
        }
        // append_dimensions: the ec2tagger reads the EC2 instance (its metadata, and its tags
        // for AutoScalingGroupName): there is no instance behind Fargate or ECS Anywhere.
        let Some(dims) = m.get("append_dimensions").and_then(Value::as_object) else {
            return;
        };
        if matches!(self.launch, LaunchType::Fargate | LaunchType::External) {
            let what = cat!(
                "appends EC2 instance dimensions (metrics.append_dimensions), which a ",
                self.launch.as_str(),
                " task has no EC2 instance to read"
            );
            self.cwagent_said(
                cfg,
                &what,
                "remove metrics.append_dimensions on this launch type",
            );
        } else if dims.contains_key("AutoScalingGroupName") {
            let rule = &cwagent::TAGS;
            self.cwagent_grant(cfg, config, "metrics", rule, "*".into(), Conditions::new());
        }
    }

    /// `logs`: the log group of each collected file, Windows event log or journald unit;
    /// `metrics_collected` sections, planned (`ecs`) or said.
    fn cwagent_logs(
        &mut self,
        cfg: &mut Config,
        config: &Map<String, Value>,
        c: &ContainerDefinition,
        l: &Map<String, Value>,
    ) {
        let collected = l.get("logs_collected").and_then(Value::as_object);
        for &kind in cwagent::LOG_COLLECTORS {
            let list = collected
                .and_then(|m| m.get(kind))
                .and_then(|k| k.get("collect_list"))
                .and_then(Value::as_array);
            for (k, entry) in list.into_iter().flatten().enumerate() {
                let item = cat!(
                    "logs_collected.",
                    kind,
                    ".collect_list[",
                    k.to_string(),
                    "]"
                );
                let Some(group) = self.cwagent_group(cfg, kind, &item, entry) else {
                    continue;
                };
                let Some(group) = self.fill(&group, cfg.at).map(|g| g.into_owned()) else {
                    continue;
                };
                let arn = self.log_group_arn(&cfg.region, &cwagent::run_time_parts(&group));
                let (rule, none) = (&cwagent::LOGS, Conditions::new());
                let mine = self.cwagent_grant(cfg, config, "logs", rule, arn.clone(), none);
                let retention = entry.get("retention_in_days").and_then(Value::as_i64);
                if retention.is_some_and(|d| d > 0) {
                    let rule = &cwagent::LOG_RETENTION;
                    self.cwagent_grant(cfg, config, "logs", rule, arn.clone(), Conditions::new());
                    let find = &cwagent::FIND_LOG_GROUPS;
                    self.cwagent_grant(cfg, config, "logs", find, "*".into(), Conditions::new());
                }
                if !mine {
                    continue; // an assumed role's groups: their keys are that role's concern
                }
                let region = cfg.region.clone();
                self.protect(
                    RoleKind::Task,
                    &arn,
                    "logs",
                    Some(&region),
                    true,
                    &cfg.reason,
                );
            }
        }
        if collected.is_some_and(|m| m.contains_key("application_signals")) {
            self.cwagent_signals(cfg);
        }
        let Some(metrics) = l.get("metrics_collected").and_then(Value::as_object) else {
            return;
        };
        for name in metrics.keys() {
            match name.as_str() {
                "ecs" => {
                    let what = "logs.metrics_collected.ecs section";
                    cfg.planned |= self.cwagent_instance_metrics(c, cfg.cname, cfg.at, what);
                }
                "emf" | "structuredlog" => {
                    cfg.sends = true;
                    let what = cat!("receives embedded-metric-format logs (logs.metrics_collected.", name, "), whose log groups each payload names at run time: nothing is planned for them");
                    self.cwagent_said(cfg, &what, cwagent::EMF_FIX);
                }
                "prometheus" => {
                    cfg.sends = true;
                    let what = "scrapes Prometheus metrics (logs.metrics_collected.prometheus), which ecsroles does not read: nothing is planned for it";
                    self.cwagent_said(cfg, what, cwagent::PROMETHEUS_FIX);
                }
                "application_signals" | "app_signals" => self.cwagent_signals(cfg),
                _ => self.cwagent_not_read(cfg, "logs.metrics_collected.", name),
            }
        }
    }

    /// `traces`: segments and telemetry to X-Ray (xray, otlp); the xray receiver's proxy
    /// relays the SDKs' sampling calls.
    fn cwagent_traces(
        &mut self,
        cfg: &mut Config,
        config: &Map<String, Value>,
        t: &Map<String, Value>,
    ) {
        let Some(collected) = t.get("traces_collected").and_then(Value::as_object) else {
            return;
        };
        if collected.contains_key("xray") || collected.contains_key("otlp") {
            let none = Conditions::new;
            self.cwagent_grant(cfg, config, "traces", &cwagent::TRACES, "*".into(), none());
            if collected.contains_key("xray") {
                let rule = &cwagent::SAMPLING;
                self.cwagent_grant(cfg, config, "traces", rule, "*".into(), none());
            }
        }
        for name in collected.keys() {
            match name.as_str() {
                "xray" | "otlp" => {}
                "application_signals" | "app_signals" => self.cwagent_signals(cfg),
                _ => self.cwagent_not_read(cfg, "traces.traces_collected.", name),
            }
        }
    }

    /// A collector the plan does not know (`section` + `name`): it sends with the task role,
    /// what it needs is said.
    fn cwagent_not_read(&mut self, cfg: &mut Config, section: &str, name: &str) {
        cfg.sends = true;
        let what = cat!(
            "collects ",
            section,
            name,
            ", which ecsroles does not read: nothing is planned for it"
        );
        self.cwagent_said(cfg, &what, cwagent::NOT_READ_FIX);
    }

    /// Application Signals: said once per configuration (it has a logs and a traces part).
    fn cwagent_signals(&mut self, cfg: &mut Config) {
        if cfg.said_once.contains(&"application_signals") {
            return;
        }
        cfg.said_once.push("application_signals");
        cfg.sends = true;
        let what = "runs Application Signals, whose calls depend on the agent's version: nothing is planned for it";
        self.cwagent_said(cfg, what, cwagent::APPLICATION_SIGNALS_FIX);
    }

    /// A grant of `section`: on the task role, or — when the section (or `agent`) names a
    /// `credentials.role_arn` — sts:AssumeRole on that role, the grant itself said as that
    /// role's.
    fn cwagent_grant(
        &mut self,
        cfg: &mut Config,
        config: &Map<String, Value>,
        section: &'static str,
        rule: &Rule,
        resource: String,
        conditions: Conditions,
    ) -> bool {
        let role_of = |s: &str| {
            config
                .get(s)
                .and_then(|v| v.get("credentials"))
                .and_then(|v| v.get("role_arn"))
                .and_then(Value::as_str)
        };
        let Some(role) = role_of(section).or_else(|| role_of("agent")) else {
            let reason = cfg.reason.clone();
            self.grant(RoleKind::Task, rule, vec![resource], conditions, reason);
            cfg.planned = true;
            return true;
        };
        if cfg.said_once.contains(&section) {
            return false;
        }
        cfg.said_once.push(section);
        let Some(role) = self.fill(role, cfg.at).map(|r| r.into_owned()) else {
            return false;
        };
        let what = cat!("sends its ", section, " section as ", role, " (credentials.role_arn): the task role gets sts:AssumeRole on it, and that role must allow the calls");
        let fix = cat!(
            "that role needs what the ",
            section,
            " section calls (",
            rule.actions.join(", "),
            ", …) and a trust policy that lets this task role assume it"
        );
        self.cwagent_said(cfg, &what, &fix);
        let reason = cat!(cfg.reason, ", ", section, " section");
        let assume = &cwagent::ASSUME;
        self.grant(
            RoleKind::Task,
            assume,
            vec![role],
            Conditions::new(),
            reason,
        );
        cfg.planned = true;
        false
    }

    /// The log group of a collect_list entry (`item`), as the agent names it: `log_group_name`;
    /// for files, else the file path without its extension. `None` (said) when the agent
    /// refuses the entry or names its groups at run time.
    fn cwagent_group(
        &mut self,
        cfg: &mut Config,
        kind: &str,
        item: &str,
        entry: &Value,
    ) -> Option<String> {
        let text = |k: &str| {
            entry
                .get(k)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
        };
        let named = text("log_group_name");
        if kind != "files" {
            if named.is_none() {
                cfg.sends = true;
                let what = cat!(
                    "collects ",
                    item,
                    " without a log_group_name: nothing is planned for it"
                );
                self.cwagent_said(cfg, &what, "give it a log_group_name");
            }
            return named.map(str::to_string);
        }
        let Some(path) = text("file_path") else {
            let what = cat!(
                "collects ",
                item,
                " without file_path: the agent refuses it, nothing is planned for it"
            );
            self.cwagent_said(cfg, &what, "give it the file_path to collect");
            return None;
        };
        let multi = entry.get("publish_multi_logs").and_then(Value::as_bool) == Some(true);
        let wildcard = named.is_none() && path.contains(['*', '?', '[']);
        if multi || wildcard {
            cfg.sends = true;
            let what = cat!("collects ", item, ", whose files each get a log group named at run time (publish_multi_logs, or a wildcard file_path without log_group_name): nothing is planned for it");
            self.cwagent_said(cfg, &what, cwagent::RUN_TIME_GROUPS_FIX);
            return None;
        }
        Some(named.map_or_else(|| cwagent::group_of_file(path), str::to_string))
    }

    /// Something of the configuration the plan does not grant: said, with what to do.
    fn cwagent_said(&mut self, cfg: &Config, what: &str, fix: &str) {
        let f = self.warn(
            cfg.at,
            cat!(
                "container ",
                cfg.cname,
                ": the CloudWatch agent's CW_CONFIG_CONTENT ",
                what
            ),
        );
        f.fix = Some(fix.into());
        f.doc = Some(cwagent::DOC_CONFIG.into());
    }

    /// CW_CONFIG_CONTENT the agent cannot read: it does not start.
    fn cwagent_unreadable(&mut self, cname: &str, at: &str, what: &str) -> bool {
        let f = self.error(
            at,
            cat!(
                "container ",
                cname,
                ": the CloudWatch agent's CW_CONFIG_CONTENT ",
                what,
                ": the agent cannot start with it, nothing is planned for it"
            ),
        );
        f.fix = Some(
            "write the agent's configuration as one JSON object (agent, metrics, logs, traces)"
                .into(),
        );
        f.doc = Some(cwagent::DOC_CONFIG.into());
        false
    }
}
