//! The AWS Distro for OpenTelemetry collector, recognised by its image: the task role sends
//! what its configuration exports (`rules::adot`).

use super::*;
use crate::rules::adot::{self, Export};

impl<'a> Planner<'a> {
    pub(super) fn adot_collectors(&mut self) {
        // The calculator's plain module hands these to the full one (normalize says so).
        if !cfg!(feature = "templates") {
            return;
        }
        let td = self.td;
        for (i, c) in td.container_definitions.iter().enumerate() {
            if rules::image_name(&c.image) == adot::IMAGE {
                self.adot_collector(c, i);
            }
        }
    }

    fn adot_collector(&mut self, c: &ContainerDefinition, i: usize) {
        let cname = container_name(c, i);
        let cpath = self.cpaths[i].clone();
        let named = |n: &str| n == adot::CONFIG_CONTENT;
        let content = c
            .environment
            .iter()
            .any(|e| e.get("name").and_then(|v| v.as_str()).is_some_and(named))
            || c.secrets.iter().any(|s| named(&s.name));
        if content {
            let what = cat!("takes its configuration from ", adot::CONFIG_CONTENT);
            self.adot_not_read(&cpath, &cname, &what);
            return;
        }
        let (file, at) = match adot::config_argument(&c.command) {
            Some((arg, _, to)) => {
                let at = cat!(cpath, ".command[", to.to_string(), "]");
                let Some(filled) = self.fill(arg, &at) else {
                    return;
                };
                let file = filled.strip_prefix("--config=").unwrap_or(&filled);
                (file.trim().to_string(), at)
            }
            None => (adot::DEFAULT_CONFIG.to_string(), cat!(cpath, ".image")),
        };
        let Some(exports) = adot::exports(&file) else {
            let what = cat!(
                "runs ",
                file,
                ", not one of its image's own configuration files"
            );
            self.adot_not_read(&at, &cname, &what);
            return;
        };
        if exports.contains(&Export::Ec2Instance) {
            let (msg, fix) = if self.launch == LaunchType::Fargate {
                (" reads the EC2 container instance's metrics (awscontainerinsightreceiver), which a Fargate task does not have: the collector exports nothing, nothing is planned for it", "for traces use /etc/ecs/ecs-xray.yaml (or ecs-default-config.yaml); for instance metrics run the collector as a daemon on EC2 container instances")
            } else {
                (" reads the container instance through EC2, ECS and Auto Scaling describe calls that are not planned here: only its metrics log group is", "grant the describe calls AWS's page for this daemon lists in app.statements")
            };
            let f = self.warn(
                &at,
                cat!("container ", cname, ": the ADOT collector's ", file, msg),
            );
            f.fix = Some(fix.into());
            f.doc = Some(adot::DOC_INSTANCE_METRICS.into());
            if self.launch == LaunchType::Fargate {
                return;
            }
        }
        let t = RoleKind::Task;
        let reason = cat!(
            "container ",
            cname,
            ": the ADOT collector (image ",
            c.image,
            ") runs ",
            file,
            " (",
            at,
            ")"
        );
        for e in exports {
            match *e {
                Export::Traces => self.grant(
                    t,
                    &adot::TRACES,
                    vec!["*".into()],
                    Conditions::new(),
                    reason.clone(),
                ),
                Export::Sampling => self.grant(
                    t,
                    &adot::SAMPLING,
                    vec!["*".into()],
                    Conditions::new(),
                    reason.clone(),
                ),
                Export::Emf(group) => {
                    let res = self.log_group_arn(&self.region, group);
                    self.grant(
                        t,
                        &adot::EMF,
                        vec![res.clone()],
                        Conditions::new(),
                        reason.clone(),
                    );
                    self.protect(t, &res, "logs", None, true, &reason);
                }
                Export::Prometheus => self.adot_prometheus(c, &cpath, &cname, &reason),
                Export::Ec2Instance => {}
            }
        }
        self.need_cat(
            t,
            &[
                "container ",
                &cname,
                " runs the ADOT collector (recognised by its image)",
            ],
        );
    }

    /// `aps:RemoteWrite` on the workspace the `ecs-amp*` files write to.
    fn adot_prometheus(&mut self, c: &ContainerDefinition, cpath: &str, cname: &str, reason: &str) {
        let var = adot::PROMETHEUS_ENDPOINT;
        let entry = c
            .environment
            .iter()
            .enumerate()
            .find(|(_, e)| e.get("name").and_then(|v| v.as_str()) == Some(var));
        let Some((j, e)) = entry else {
            let by_secret = c.secrets.iter().any(|s| s.name == var);
            let msg = if by_secret {
                " comes from a secret, whose value is not read: no workspace is granted"
            } else {
                " is not set: the collector's prometheusremotewrite exporter has nowhere to write"
            };
            let f = self.warn(cpath, cat!("container ", cname, ": ", var, msg));
            f.fix = Some(cat!(
                "set ",
                var,
                " in environment to the workspace's remote_write URL"
            ));
            f.doc = Some(adot::DOC_PROMETHEUS.into());
            return;
        };
        let path = cat!(cpath, ".environment[", j.to_string(), "].value");
        let value = e.get("value").and_then(|v| v.as_str()).unwrap_or_default();
        let Some(value) = self.fill(value, &path) else {
            return;
        };
        let Some((id, region)) = adot::prometheus_workspace(&value) else {
            let f = self.error(
                &path,
                cat!(
                    "container ",
                    cname,
                    ": ",
                    var,
                    " ",
                    value,
                    " is not an Amazon Managed Service for Prometheus remote_write URL"
                ),
            );
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
        f.fix = Some("grant what its exporters call in app.statements: awsxray → xray:PutTraceSegments; awsemf → logs:CreateLogGroup, CreateLogStream, PutLogEvents on its log group; prometheusremotewrite → aps:RemoteWrite on the workspace".into());
        f.doc = Some(adot::DOC_CLOUDWATCH.into());
    }
}
