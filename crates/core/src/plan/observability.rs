//! Observability sidecars recognised by their image: the AWS Distro for OpenTelemetry
//! collector (`rules::adot`) and the CloudWatch agent (`rules::cloudwatch_agent`). The task role
//! sends what their configuration says; a configuration the plan cannot read is said.

use super::*;
use crate::rules::adot::{self, Export};
use crate::rules::cloudwatch_agent as cwagent;

/// The value of the environment variable `name` of `c` (and its index), if set there.
pub(super) fn env_var<'c>(
    c: &'c ContainerDefinition,
    name: &str,
) -> Option<(usize, Option<&'c str>)> {
    c.environment.iter().enumerate().find_map(|(j, e)| {
        (e.get("name").and_then(|v| v.as_str()) == Some(name))
            .then(|| (j, e.get("value").and_then(|v| v.as_str())))
    })
}

impl<'a> Planner<'a> {
    /// The CloudWatch agent: its configuration in CW_CONFIG_CONTENT and its ECS default
    /// configuration (USE_DEFAULT_CONFIG) are planned; a configuration in files or in a secret
    /// is said, with what each section needs.
    pub(super) fn cloudwatch_agent(&mut self, c: &ContainerDefinition, i: usize) {
        let cname = container_name(c, i);
        let cpath = self.cpaths[i].clone();
        let said = |p: &mut Self, at: &str, what: &str| {
            let f = p.warn(
                at,
                cat!(
                    "container ",
                    cname,
                    ": the CloudWatch agent (recognised by its image) ",
                    what,
                    ": nothing is planned for what it sends"
                ),
            );
            f.fix = Some(cwagent::NOT_READ_FIX.into());
            f.doc = Some(cwagent::DOC.into());
        };
        // The agent's own order: configuration files, then CW_CONFIG_CONTENT, then the default.
        if let Some(j) = c
            .mount_points
            .iter()
            .position(|m| m.container_path.starts_with(cwagent::CONFIG_DIR))
        {
            let at = cat!(cpath, ".mountPoints[", j.to_string(), "]");
            said(self, &at, "reads its configuration from files mounted at /etc/cwagentconfig, which ecsroles does not read");
            return;
        }
        if let Some((j, value)) = env_var(c, cwagent::CONFIG_CONTENT) {
            let at = cat!(cpath, ".environment[", j.to_string(), "].value");
            if self.cwagent_config(c, &cname, &at, value.unwrap_or_default()) {
                self.cwagent_needed(&cname);
            }
            return;
        }
        if let Some(j) = c
            .secrets
            .iter()
            .position(|s| s.name == cwagent::CONFIG_CONTENT)
        {
            let at = cat!(cpath, ".secrets[", j.to_string(), "]");
            said(
                self,
                &at,
                "takes its configuration from CW_CONFIG_CONTENT, which ecsroles does not read (a secret: its value is not in the file)",
            );
            return;
        }
        // The agent compares the value exactly ("True"); anything else is another default.
        let default = env_var(c, cwagent::USE_DEFAULT_CONFIG);
        let Some((j, Some(value))) = default.filter(|(_, v)| *v == Some(cwagent::DEFAULT_ECS))
        else {
            let (at, what) = match default {
                Some((j, v)) => (
                    cat!(cpath, ".environment[", j.to_string(), "]"),
                    cat!("runs the built-in default USE_DEFAULT_CONFIG=", v.unwrap_or_default(), " selects (only \"True\" is its ECS instance-metrics configuration)"),
                ),
                None => (
                    cat!(cpath, ".image"),
                    "has no CW_CONFIG_CONTENT or USE_DEFAULT_CONFIG: it runs its built-in host-metrics default (cloudwatch:PutMetricData to CWAgent)".to_string(),
                ),
            };
            let files = if c.environment_files.is_empty() {
                ""
            } else {
                " (an environmentFiles file may set them, which is not read)"
            };
            said(self, &at, &cat!(what, files));
            return;
        };
        let at = cat!(cpath, ".environment[", j.to_string(), "]");
        let what = cat!("default ECS configuration (USE_DEFAULT_CONFIG=", value, ")");
        if self.cwagent_instance_metrics(c, &cname, &at, &what) {
            self.cwagent_needed(&cname);
        }
    }

    /// Container Insights' instance metrics (the agent's ECS default configuration, or a
    /// `logs.metrics_collected.ecs` section): granted on EC2; said on Fargate and ECS Anywhere,
    /// which have no EC2 instance to measure. Whether anything was granted.
    pub(super) fn cwagent_instance_metrics(
        &mut self,
        c: &ContainerDefinition,
        cname: &str,
        at: &str,
        what: &str,
    ) -> bool {
        if matches!(self.launch, LaunchType::Fargate | LaunchType::External) {
            let f = self.warn(
                at,
                cat!(
                    "container ",
                    cname,
                    ": the CloudWatch agent's ",
                    what,
                    " collects an EC2 container instance's metrics, which a ",
                    self.launch.as_str(),
                    " task does not run on: nothing is planned for it"
                ),
            );
            f.fix = Some("run the agent as a daemon on EC2 container instances for instance metrics; on this launch type give it a configuration without them (StatsD, EMF, Prometheus…)".into());
            f.doc = Some(cwagent::DOC.into());
            return false;
        }
        let t = RoleKind::Task;
        let reason = cat!(
            "container ",
            cname,
            ": the CloudWatch agent (image ",
            c.image,
            ") runs its ",
            what,
            ", Container Insights instance metrics (",
            at,
            ")"
        );
        let group = self.metrics_group(cwagent::PERFORMANCE_GROUP);
        self.grant(
            t,
            &cwagent::INSTANCE_METRICS,
            vec![group.clone()],
            Conditions::new(),
            reason.clone(),
        );
        self.grant(
            t,
            &cwagent::INSTANCE,
            vec!["*".into()],
            Conditions::new(),
            reason.clone(),
        );
        self.protect(t, &group, "logs", None, true, &reason);
        true
    }

    /// The task role's need for a CloudWatch agent something was planned for.
    fn cwagent_needed(&mut self, cname: &str) {
        self.need_cat(
            RoleKind::Task,
            &[
                "container ",
                cname,
                " runs the CloudWatch agent (recognised by its image)",
            ],
        );
    }

    pub(super) fn adot_collector(&mut self, c: &ContainerDefinition, i: usize) {
        let cname = container_name(c, i);
        let cpath = self.cpaths[i].clone();
        let content = env_var(c, adot::CONFIG_CONTENT).is_some()
            || c.secrets.iter().any(|s| s.name == adot::CONFIG_CONTENT);
        if content {
            let what = cat!("takes its configuration from ", adot::CONFIG_CONTENT);
            self.adot_not_read(&cpath, &cname, &what);
            return;
        }
        let Some(args) = self.adot_arguments(c, &cpath, &cname) else {
            return;
        };
        // No command: the image's CMD, --config=/etc/otel-config.yaml.
        let (configs, other) = if args.is_empty() {
            (vec![(adot::DEFAULT_CONFIG, usize::MAX)], None)
        } else {
            adot::arguments(&args)
        };
        let at = |j: usize| {
            if j == usize::MAX {
                cat!(cpath, ".image")
            } else {
                cat!(cpath, ".command[", j.to_string(), "]")
            }
        };
        if configs.is_empty() {
            let what = "is started without --config (its command replaces the image's, which named the default file)";
            self.adot_not_read(&at(other.unwrap_or_default()), &cname, what);
            return;
        }
        let mut exports: Vec<(Export, String)> = Vec::new();
        for &(file, j) in &configs {
            let file = file.strip_prefix("file:").unwrap_or(file);
            let Some(these) = adot::exports(file) else {
                let what = cat!("runs ", file, ", which is not one of its image's ECS configuration files (/etc/ecs/…, /etc/otel-config.yaml)");
                self.adot_not_read(&at(j), &cname, &what);
                return;
            };
            let no_instance = matches!(self.launch, LaunchType::Fargate | LaunchType::External);
            if these.contains(&Export::Ec2Instance) && no_instance {
                let f = self.warn(at(j), cat!("container ", cname, ": the ADOT collector's ", file, " reads an EC2 container instance's metrics (awscontainerinsightreceiver), which a ", self.launch.as_str(), " task does not run on: it exports nothing, nothing is planned for it"));
                f.fix = Some("for traces use /etc/ecs/ecs-xray.yaml (or ecs-default-config.yaml); for instance metrics run the collector as a daemon on EC2 container instances".into());
                f.doc = Some(adot::DOC_INSTANCE_METRICS.into());
                continue;
            }
            let reason = cat!(
                "container ",
                cname,
                ": the ADOT collector (image ",
                c.image,
                ") runs ",
                file,
                " (",
                at(j),
                ")"
            );
            for e in these {
                if !exports.iter().any(|(x, _)| x == e) {
                    exports.push((*e, reason.clone()));
                }
            }
        }
        if let Some(j) = other {
            let f = self.warn(at(j), cat!("container ", cname, ": the ADOT collector's argument ", args[j], " is not read: if it changes the configuration (--set, another provider), what it adds is not planned"));
            f.fix = Some("grant what the change adds in app.statements".into());
            f.doc = Some(adot::DOC_XRAY.into());
        }
        let t = RoleKind::Task;
        for (e, reason) in &exports {
            let star = || vec!["*".to_string()];
            match *e {
                Export::Traces => {
                    self.grant(t, &adot::TRACES, star(), Conditions::new(), reason.clone())
                }
                Export::Sampling => self.grant(
                    t,
                    &adot::SAMPLING,
                    star(),
                    Conditions::new(),
                    reason.clone(),
                ),
                Export::Ec2Instance => self.grant(
                    t,
                    &adot::INSTANCE,
                    star(),
                    Conditions::new(),
                    reason.clone(),
                ),
                Export::Emf(group) => {
                    let res = self.metrics_group(group);
                    self.grant(
                        t,
                        &adot::EMF,
                        vec![res.clone()],
                        Conditions::new(),
                        reason.clone(),
                    );
                    self.protect(t, &res, "logs", None, true, reason);
                }
                Export::Prometheus => self.adot_prometheus(c, &cpath, &cname, reason),
            }
        }
        if !exports.is_empty() {
            self.need_cat(
                t,
                &[
                    "container ",
                    &cname,
                    " runs the ADOT collector (recognised by its image)",
                ],
            );
        }
    }

    /// The collector's command as strings, template placeholders filled where they stand for
    /// a whole argument or a configuration file. `None` (said) when it cannot be read.
    fn adot_arguments(
        &mut self,
        c: &ContainerDefinition,
        cpath: &str,
        cname: &str,
    ) -> Option<Vec<String>> {
        let items = match &c.command {
            serde_json::Value::Null => return Some(Vec::new()),
            serde_json::Value::Array(items) => items,
            _ => {
                let what = "has a command that is not a list of strings";
                self.adot_not_read(&cat!(cpath, ".command"), cname, what);
                return None;
            }
        };
        let mut args: Vec<String> = Vec::with_capacity(items.len());
        for (j, v) in items.iter().enumerate() {
            let path = cat!(cpath, ".command[", j.to_string(), "]");
            let Some(text) = v.as_str() else {
                let what = "has a command argument that is not a string";
                self.adot_not_read(&path, cname, what);
                return None;
            };
            let previous = args.last().map(String::as_str);
            let whole = crate::placeholder::find(text)
                .is_some_and(|p| p.start == 0 && p.end == text.trim().len());
            if whole || adot::is_config_argument(text, previous) {
                // `fill` says what is unresolved (and how to give it).
                args.push(self.fill(text, &path)?.into_owned());
            } else {
                args.push(text.to_string());
            }
        }
        Some(args)
    }

    /// `aps:RemoteWrite` on the workspace the `ecs-amp*` files write to.
    fn adot_prometheus(&mut self, c: &ContainerDefinition, cpath: &str, cname: &str, reason: &str) {
        let var = adot::PROMETHEUS_ENDPOINT;
        let Some((j, value)) = env_var(c, var) else {
            let msg = if c.secrets.iter().any(|s| s.name == var) {
                " comes from a secret, whose value is not read: no workspace is granted"
            } else if !c.environment_files.is_empty() {
                " is not in environment (an environmentFiles file may set it, which is not read): no workspace is granted"
            } else {
                " is not set: the collector's prometheusremotewrite exporter has nowhere to write"
            };
            let f = self.warn(cpath, cat!("container ", cname, ": ", var, msg));
            f.fix = Some(cat!("set ", var, " in environment to the workspace's remote_write URL, or grant aps:RemoteWrite on the workspace in app.statements"));
            f.doc = Some(adot::DOC_PROMETHEUS.into());
            return;
        };
        let path = cat!(cpath, ".environment[", j.to_string(), "].value");
        let Some(value) = self.fill(value.unwrap_or_default(), &path) else {
            return;
        };
        let Some((id, region)) = adot::prometheus_workspace(&value) else {
            let f = self.error(&path, format!("container {cname}: {var} {value:?} is not an Amazon Managed Service for Prometheus remote_write URL: no workspace is granted"));
            f.fix = Some("write https://aps-workspaces.<region>.amazonaws.com/workspaces/<workspace-id>/api/v1/remote_write".into());
            f.doc = Some(adot::DOC_PROMETHEUS.into());
            return;
        };
        let region = self.option_region(Some(region.to_string()), &path, "the endpoint's Region");
        let ws = cat!(
            "arn:",
            self.partition,
            ":aps:",
            region,
            ":",
            self.account,
            ":workspace/",
            id
        );
        self.grant(
            RoleKind::Task,
            &adot::PROMETHEUS,
            vec![ws],
            Conditions::new(),
            reason.to_string(),
        );
    }

    /// The ARN of a metrics log group whose name holds `{ClusterName}`: the plan's cluster when
    /// the input names one, else any (`*`: "default" is only the instance roles' assumption).
    fn metrics_group(&self, group: &str) -> String {
        let cluster = if self.cluster_named {
            self.cluster.as_str()
        } else {
            "*"
        };
        self.log_group_arn(&self.region, &group.replace("{ClusterName}", cluster))
    }

    /// The collector's exporters are not known: said, nothing planned.
    fn adot_not_read(&mut self, at: &str, cname: &str, what: &str) {
        let f = self.warn(
            at,
            cat!(
                "container ",
                cname,
                ": the ADOT collector (recognised by its image) ",
                what,
                ", which ecsroles does not read: nothing is planned for its exporters"
            ),
        );
        f.fix = Some(adot::NOT_READ_FIX.into());
        f.doc = Some(adot::DOC_CLOUDWATCH.into());
    }
}
