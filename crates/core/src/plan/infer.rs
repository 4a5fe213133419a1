//! What the file says about where it runs: launch type, region, account and partition, each
//! with where it was read (`RolePlan::inferred`), so every output shows what was assumed
//! before a single statement. Explicit spec fields (and `--region`/`--launch-type`) win.

use super::*;
use crate::model::Inference;
use crate::placeholder;

/// A region or account read from the file: (value, field path, where in words).
type Candidate = (String, String, &'static str);

/// Why a launch type cannot run this task definition: the field that rules it out.
struct Blocker {
    launch: LaunchType,
    path: String,
    what: unsupported::Blocks,
}

impl<'a> Planner<'a> {
    pub(super) fn infer(&mut self, fact: &str, value: &str, from: String, path: String) {
        self.inferred.push(Inference {
            fact: fact.to_string(),
            value: value.to_string(),
            from,
            path,
        });
    }

    /// The fields that rule a launch type out (rules::unsupported::BLOCKERS, per field).
    fn blockers(&self) -> Vec<Blocker> {
        use unsupported::Blocks;
        let td = self.td;
        let p = &self.td_path;
        let mut out = Vec::new();
        let mut block = |what: Blocks, path: String| {
            for l in unsupported::blocked(what) {
                out.push(Blocker {
                    launch: *l,
                    path: path.clone(),
                    what,
                });
            }
        };
        match td.network_mode.as_deref() {
            Some("bridge") => block(Blocks::BridgeNetwork, cat!(p, ".networkMode")),
            Some("none") => block(Blocks::NoNetwork, cat!(p, ".networkMode")),
            Some("host") => block(Blocks::HostNetwork, cat!(p, ".networkMode")),
            Some("awsvpc") => block(Blocks::AwsvpcNetwork, cat!(p, ".networkMode")),
            _ => {}
        }
        if !td.placement_constraints.is_empty() {
            block(
                Blocks::PlacementConstraints,
                cat!(p, ".placementConstraints"),
            );
        }
        if !td.inference_accelerators.is_empty() {
            block(
                Blocks::InferenceAccelerators,
                cat!(p, ".inferenceAccelerators"),
            );
        }
        for (i, c) in td.container_definitions.iter().enumerate() {
            for (j, r) in c.resource_requirements.iter().enumerate() {
                let kind = r.get("type").and_then(|t| t.as_str()).unwrap_or_default();
                if kind.eq_ignore_ascii_case("GPU") {
                    block(
                        Blocks::Gpu,
                        cat!(
                            p,
                            ".containerDefinitions[",
                            i.to_string(),
                            "].resourceRequirements[",
                            j.to_string(),
                            "]"
                        ),
                    );
                }
            }
        }
        for (i, v) in td.volumes.iter().enumerate() {
            let vp = cat!(p, ".volumes[", i.to_string(), "]");
            if v.fsx_windows_file_server_volume_configuration.is_some() {
                block(
                    Blocks::FsxWindowsVolume,
                    cat!(vp, ".fsxWindowsFileServerVolumeConfiguration"),
                );
            }
            if v.host
                .as_ref()
                .is_some_and(|h| h.get("sourcePath").is_some())
            {
                block(Blocks::HostPathVolume, cat!(vp, ".host.sourcePath"));
            }
        }
        out
    }

    /// Errors for the fields `launch` cannot run (network modes are checked on their own).
    pub(super) fn blockers_for(&self, launch: LaunchType) -> Vec<Finding> {
        self.blockers()
            .into_iter()
            .filter(|b| b.launch == launch && !b.what.is_network_mode())
            .map(|b| {
                finding(
                    Severity::Error,
                    b.path,
                    cat!(b.what.describe(), " are not supported on ", launch.as_str()),
                )
                .fix("run it on a launch type that supports it (requiresCompatibilities / --launch-type), or remove the field")
                .doc(b.what.doc())
            })
            .collect()
    }

    /// Launch type: the spec's > the one the file allows (requiresCompatibilities, else the
    /// describe output's compatibilities, else EC2 — what ECS registers a task definition
    /// for when it names none) that nothing in the file rules out.
    pub(super) fn infer_launch_type(&mut self) {
        let td = self.td;
        let blockers = self.blockers();
        let parse = |v: &[String]| {
            v.iter()
                .filter_map(|c| LaunchType::parse(c))
                .collect::<Vec<_>>()
        };
        let required = parse(&td.requires_compatibilities);
        let validated = parse(&td.compatibilities);
        let (candidates, source, path) = if !required.is_empty() {
            (
                required,
                "requiresCompatibilities",
                cat!(self.td_path, ".requiresCompatibilities"),
            )
        } else if !validated.is_empty() {
            (
                validated,
                "compatibilities",
                cat!(self.td_path, ".compatibilities"),
            )
        } else {
            (vec![LaunchType::Ec2], "", String::new())
        };
        let feasible: Vec<LaunchType> = candidates
            .iter()
            .copied()
            .filter(|l| !blockers.iter().any(|b| b.launch == *l))
            .collect();
        let from_service = self.spec.service.as_ref().and_then(|s| s.launch_type);
        if let Some(l) = self.spec.launch_type.or(from_service) {
            self.launch = l;
            if source == "requiresCompatibilities" && !candidates.contains(&l) {
                let f = finding(
                    Severity::Error,
                    path,
                    cat!(
                        "launchType ",
                        l.as_str(),
                        " is not in the task definition's requiresCompatibilities (",
                        td.requires_compatibilities.join(", "),
                        "); ECS would refuse to run it"
                    ),
                )
                .fix(cat!(
                    "add ",
                    l.as_str(),
                    " to requiresCompatibilities or change launchType"
                ));
                self.findings.push(f);
            }
            let (from, path) = if self.spec.launch_type.is_some() {
                ("given (launchType)", "launchType")
            } else {
                ("the service's launchType", "service.launchType")
            };
            self.infer("launchType", l.as_str(), from.into(), path.into());
            return;
        }
        let chosen = feasible.first().copied().unwrap_or(candidates[0]);
        self.launch = chosen;
        let names = |v: &[LaunchType]| v.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ");
        let from = if source.is_empty() {
            let mut why = String::from(
                "the task definition has no requiresCompatibilities: ECS registers it for EC2",
            );
            if let Some(b) = blockers.iter().find(|b| b.launch == LaunchType::Fargate) {
                why.push_str(&cat!(
                    "; it cannot run on Fargate (",
                    b.what.describe(),
                    ", ",
                    b.path,
                    ")"
                ));
            }
            why
        } else if candidates.len() == 1 {
            cat!(source, " [", chosen.as_str(), "]")
        } else {
            cat!(
                source,
                " [",
                names(&candidates),
                "]: the first one this file can run on"
            )
        };
        self.infer("launchType", chosen.as_str(), from, path.clone());
        // Open: say so first thing, with how to choose.
        if source.is_empty() {
            self.warn(
                "launchType",
                "the task definition does not say where it runs; planned for EC2, the launch type ECS registers it for",
            )
            .fix = Some("if it runs on Fargate, External or Managed Instances, set requiresCompatibilities (or pass --launch-type)".into());
        } else if feasible.iter().any(|l| *l != chosen) {
            self.warn(
                "launchType",
                cat!(
                    "the task definition allows several launch types (",
                    names(&candidates),
                    "); planned for ",
                    chosen.as_str()
                ),
            )
            .fix = Some("set launchType (--launch-type) to the one this workload runs on".into());
        }
    }

    /// Region and account candidates in the file, in order of trust, each with where it was read.
    fn location_candidates(&mut self) -> (Vec<Candidate>, Vec<Candidate>) {
        let td = self.td;
        let mut regions: Vec<Candidate> = Vec::new();
        let mut accounts: Vec<Candidate> = Vec::new();
        if let Some(a) = td.task_definition_arn.as_deref().and_then(Arn::parse) {
            let path = cat!(self.td_path, ".taskDefinitionArn");
            regions.push((a.region.to_string(), path.clone(), "taskDefinitionArn"));
            accounts.push((a.account.to_string(), path.clone(), "taskDefinitionArn"));
            if !arn::is_account_id(a.account) {
                self.warn(
                    path,
                    cat!(
                        "taskDefinitionArn holds the placeholder ",
                        a.account,
                        " where the account id belongs"
                    ),
                )
                .fix = Some("set account (--account) to the account the task runs in".into());
            }
        }
        for (field, v) in [
            ("taskRoleArn", &td.task_role_arn),
            ("executionRoleArn", &td.execution_role_arn),
        ] {
            if let Some(a) = v.as_deref().and_then(Arn::parse) {
                accounts.push((
                    a.account.to_string(),
                    cat!(self.td_path, ".", field),
                    "the file's ARNs",
                ));
            }
        }
        let cpaths = self.cpaths.clone();
        for (i, c) in td.container_definitions.iter().enumerate() {
            let cp = &cpaths[i];
            if let Some(lc) = &c.log_configuration {
                if let Some(r) = option_str(&lc.options, "awslogs-region") {
                    regions.push((
                        r.into_owned(),
                        cat!(cp, ".logConfiguration.options.awslogs-region"),
                        "awslogs-region",
                    ));
                }
            }
            for (j, s) in c.secrets.iter().enumerate() {
                if let Some(a) = Arn::parse(s.value_from.trim()) {
                    let path = cat!(cp, ".secrets[", j.to_string(), "].valueFrom");
                    regions.push((a.region.to_string(), path.clone(), "the file's ARNs"));
                    accounts.push((a.account.to_string(), path, "the file's ARNs"));
                }
            }
        }
        for (i, v) in td.volumes.iter().enumerate() {
            let cred = v
                .fsx_windows_file_server_volume_configuration
                .as_ref()
                .and_then(|c| c.get("authorizationConfig")?.get("credentialsParameter"))
                .and_then(|p| p.as_str());
            if let Some(a) = cred.and_then(|c| Arn::parse(c.trim())) {
                let path = cat!(
                    self.td_path,
                    ".volumes[",
                    i.to_string(),
                    "].fsxWindowsFileServerVolumeConfiguration.authorizationConfig.credentialsParameter"
                );
                regions.push((a.region.to_string(), path.clone(), "the file's ARNs"));
                accounts.push((a.account.to_string(), path, "the file's ARNs"));
            }
        }
        for (i, c) in td.container_definitions.iter().enumerate() {
            if let Some(img) = arn::parse_ecr_image(c.image.trim()) {
                let path = cat!(
                    self.td_path,
                    ".containerDefinitions[",
                    i.to_string(),
                    "].image"
                );
                regions.push((img.region, path.clone(), "the ECR image's registry"));
                // AWS's own registries (FireLens, Envoy…) are never the workload's account.
                if rules::aws_owned_registry(&img.account).is_none() {
                    accounts.push((img.account, path, "the ECR image's registry (if the registry is another account's, set account)"));
                }
            }
        }
        (regions, accounts)
    }

    /// Region, account and partition: the spec's > what the file's own ARNs and options say.
    pub(super) fn infer_location(&mut self) {
        let spec = self.spec;
        let td = self.td;
        // Only read the file for what the spec leaves open (plan runs on every keystroke).
        let (regions, accounts) = if spec.region.is_none() || spec.account.is_none() {
            self.location_candidates()
        } else {
            (Vec::new(), Vec::new())
        };
        let region = regions.into_iter().find(|(r, _, _)| {
            arn::is_region(r) && r != REGION_PLACEHOLDER && placeholder::find(r).is_none()
        });
        let account = accounts.into_iter().find(|(a, _, _)| arn::is_account_id(a));

        self.account = match (&spec.account, account) {
            (Some(a), _) => {
                if !arn::is_account_id(a) {
                    self.error(
                        "account",
                        format!("account {a:?} is not a 12-digit AWS account id"),
                    )
                    .fix = Some(
                        "write the account id as a quoted 12-digit string, e.g. \"111122223333\""
                            .into(),
                    );
                }
                self.infer("account", a, "given (account)".into(), "account".into());
                a.clone()
            }
            (None, Some((a, path, from))) => {
                self.infer("account", &a, from.into(), path);
                a
            }
            (None, None) => {
                self.warn(
                    "account",
                    "no account given and none in the file: ARNs use ${AWS::AccountId}",
                )
                .fix = Some("set account (--account) to make the plan concrete".into());
                ACCOUNT_PLACEHOLDER.to_string()
            }
        };
        self.region = match (&spec.region, region) {
            (Some(r), _) => {
                if !arn::is_region(r) {
                    self.error("region", format!("region {r:?} is not an AWS region name"))
                        .fix = Some("use a region such as us-east-1 or eu-west-1".into());
                }
                self.infer("region", r, "given (region)".into(), "region".into());
                r.clone()
            }
            (None, Some((r, path, from))) => {
                self.infer("region", &r, from.into(), path);
                r
            }
            (None, None) => {
                self.warn(
                    "region",
                    "no region given and none in the file: ARNs use ${AWS::Region}",
                )
                .fix = Some("set region (--region) to make the plan concrete".into());
                REGION_PLACEHOLDER.to_string()
            }
        };
        let known_region = (self.region != REGION_PLACEHOLDER).then(|| self.region.clone());
        self.partition = match (&spec.partition, known_region) {
            (Some(p), region) => {
                if !arn::is_partition(p) {
                    self.error(
                        "partition",
                        format!("partition {p:?} is not aws, aws-cn or aws-us-gov"),
                    );
                } else if let Some(r) = region {
                    if arn::is_region(&r) && arn::partition_of_region(&r) != p {
                        self.error(
                            "partition",
                            cat!(
                                "region ",
                                r,
                                " belongs to partition ",
                                arn::partition_of_region(&r),
                                ", not ",
                                p
                            ),
                        );
                    }
                }
                p.clone()
            }
            (None, Some(r)) => arn::partition_of_region(&r).to_string(),
            // No region: the partition of the task definition's role ARNs, else symbolic.
            (None, None) => [&td.task_role_arn, &td.execution_role_arn]
                .into_iter()
                .flatten()
                .filter_map(|a| Arn::parse(a))
                .map(|a| a.partition.to_string())
                .find(|p| arn::is_partition(p))
                .unwrap_or_else(|| PARTITION_PLACEHOLDER.to_string()),
        };
    }

    /// A region option (`awslogs-region`, FireLens `region`): as written when it is one; a
    /// stand-in or placeholder is this plan's region (a warning says so, but not for
    /// `${AWS::Region}`, which means exactly that); absent, this plan's region.
    pub(super) fn option_region(
        &mut self,
        value: Option<String>,
        path: &str,
        what: &str,
    ) -> String {
        let Some(r) = value.as_deref().map(str::trim) else {
            return self.region.clone();
        };
        if r == REGION_PLACEHOLDER {
            return self.region.clone();
        }
        if arn::is_region(r) {
            return r.to_string();
        }
        let f = finding(
            Severity::Warning,
            path,
            cat!(
                what,
                " ",
                r,
                " is not a region: read as this workload's region ",
                self.region
            ),
        )
        .fix("write the region itself, e.g. us-east-1");
        self.findings.push(f);
        self.region.clone()
    }

    /// The ARN a field requires (`fill_arn`ed), when it is `service`'s and its resource starts
    /// with one of `kinds`; else an error at `path` naming what it must be (an empty value too:
    /// these fields are required where they are read).
    #[inline(never)]
    pub(super) fn required_arn(
        &mut self,
        value: &str,
        path: &str,
        service: &str,
        kinds: &[&str],
    ) -> Option<String> {
        let a = self.fill_arn(value, path)?;
        if Arn::parse(&a).is_some_and(|p| {
            p.service == service && kinds.iter().any(|k| p.resource.starts_with(k))
        }) {
            return Some(a);
        }
        let kind = kinds.first().copied().unwrap_or_default();
        let expected = cat!("arn:aws:", service, ":<region>:<account>:", kind, "…");
        self.error(
            path,
            cat!(
                "\"",
                a,
                "\" is not the ARN this field takes (",
                expected,
                ")"
            ),
        )
        .fix = Some(cat!("set it to the ", service, " ARN: ", expected));
        None
    }

    /// [`Self::fill`] for a field that only takes an ARN: there a whole value in
    /// SCREAMING_SNAKE_CASE (`BLUE_TARGET_GROUP_ARN`) is a `sed` deploy script's marker, said as
    /// an unresolved placeholder (with the `--var` that fills it) rather than a malformed ARN.
    pub(super) fn fill_arn(&mut self, value: &str, path: &str) -> Option<String> {
        let v = value.trim();
        if placeholder::is_shouted_token(v) {
            self.error(
                path,
                cat!(
                    "unresolved template placeholder ",
                    v,
                    ": no permission can be scoped to it"
                ),
            )
            .fix = Some(cat!(
                "pass its value with --var ",
                v,
                "=<ARN> (or the spec's variables)"
            ));
            return None;
        }
        self.fill(value, path).map(Cow::into_owned)
    }

    /// A value from the file as it will be used in an ARN: CloudFormation pseudo parameters
    /// and documentation stand-ins in the account/region fields (`aws_account_id`, `region`)
    /// become this plan's account and region, said in a finding. `None` (with an error at
    /// `path`) when a placeholder is left that no value resolves.
    pub(super) fn fill<'v>(&mut self, value: &'v str, path: &str) -> Option<Cow<'v, str>> {
        let v = value.trim();
        if v.len() > placeholder::MAX_VALUE {
            self.error(
                path,
                cat!(
                    "a value of ",
                    v.len().to_string(),
                    " characters cannot be an ARN or a name IAM accepts"
                ),
            )
            .fix = Some("check the field: ARNs have at most 2,048 characters".into());
            return None;
        }
        // Fast path (plan runs on every keystroke): nothing template-like, and a well-formed
        // account and region wherever an ARN or an ECR registry host has them.
        if !placeholder::may_hold(v) && !has_stand_in(v) {
            return Some(Cow::Borrowed(v));
        }
        // ecspresso's `{{ secretsmanager_arn "name" }}` resolves a secret name to its ARN.
        let resolved_fn;
        let v = match placeholder::find(v) {
            Some(p)
                if p.start == 0 && p.end == v.len() && p.text.contains("secretsmanager_arn") =>
            {
                // The name as written inside the quotes may carry spaces: fill's values are
                // trimmed, this one too.
                resolved_fn = self.arn("secretsmanager", &cat!("secret:", p.name.trim()));
                let f = finding(
                    Severity::Warning,
                    path,
                    cat!(
                        p.text,
                        " is ecspresso's lookup of the secret named ",
                        p.name,
                        ": planned as ",
                        resolved_fn,
                        " (its random suffix is known only at deploy time)"
                    ),
                )
                .fix("write the secret's full ARN to scope the grant to exactly it");
                self.findings.push(f);
                resolved_fn.as_str()
            }
            _ => v,
        };
        let mut out = if v.contains("${AWS::") {
            v.replace("${AWS::Region}", &self.region)
                .replace("${AWS::AccountId}", &self.account)
                .replace("${AWS::Partition}", &self.partition)
                .replace("${AWS::URLSuffix}", arn::dns_suffix(&self.partition))
        } else {
            v.to_string()
        };
        // Stand-ins in the account and region positions of an ARN or an ECR registry host.
        let fixed = if let Some(a) = Arn::parse(&out) {
            let (region_ok, account_ok) = (region_field_ok(a.region), account_field_ok(a.account));
            (!region_ok || !account_ok).then(|| {
                let stand_ins = [
                    (!region_ok).then_some(a.region),
                    (!account_ok).then_some(a.account),
                ];
                let rebuilt = cat!(
                    "arn:",
                    if arn::is_partition(a.partition) {
                        a.partition
                    } else {
                        &self.partition
                    },
                    ":",
                    a.service,
                    ":",
                    if region_ok { a.region } else { &self.region },
                    ":",
                    if account_ok { a.account } else { &self.account },
                    ":",
                    a.resource
                );
                (
                    rebuilt,
                    stand_ins
                        .into_iter()
                        .flatten()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                )
            })
        } else if let Some(h) = loose_ecr_host(&out) {
            let account_ok = account_field_ok(h.account);
            let region_ok = arn::is_region(h.region);
            (!account_ok || !region_ok).then(|| {
                let stand_ins = [
                    (!account_ok).then_some(h.account),
                    (!region_ok).then_some(h.region),
                ];
                (
                    cat!(
                        if account_ok { h.account } else { &self.account },
                        ".dkr.",
                        h.ecr,
                        ".",
                        if region_ok { h.region } else { &self.region },
                        ".",
                        h.suffix,
                        "/",
                        h.path
                    ),
                    stand_ins
                        .into_iter()
                        .flatten()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                )
            })
        } else {
            None
        };
        if let Some((rebuilt, stand_ins)) = fixed {
            let concrete = self.account != ACCOUNT_PLACEHOLDER && self.region != REGION_PLACEHOLDER;
            let msg = cat!(
                "placeholder ",
                stand_ins.join(" and "),
                " read as this workload's ",
                if concrete {
                    "account/region: "
                } else {
                    "account/region (still open): "
                },
                rebuilt
            );
            let f = finding(Severity::Warning, path, msg)
                .fix("write the real account id and region, or pass --account/--region");
            self.findings.push(f);
            out = rebuilt;
        }
        // What is left must not reach an IAM document as if it were a name.
        if !placeholder::may_hold(&out) {
            return Some(Cow::Owned(out));
        }
        let rest = arn::without_open_markers(&out);
        if let Some(p) = placeholder::find(&rest) {
            let msg = cat!(
                "unresolved template placeholder ",
                p.text,
                " in ",
                v,
                ": no permission can be scoped to it"
            );
            let dup = self
                .findings
                .iter()
                .any(|f| f.path == path && f.message == msg);
            if !dup {
                self.error(path, msg).fix = Some(cat!(
                    "pass its value with --var ",
                    p.name,
                    "=VALUE (or the spec's variables)"
                ));
            }
            return None;
        }
        // An opener without its closer (`${x`, `{{ x`) is a broken template, not a name.
        if ["${", "{{", "$("].iter().any(|o| rest.contains(o)) {
            self.error(
                path,
                cat!(
                    "unclosed template placeholder in ",
                    v,
                    ": no permission can be scoped to it"
                ),
            )
            .fix = Some("close the placeholder, or write the value itself".into());
            return None;
        }
        Some(Cow::Owned(out))
    }
}

/// Whether an ARN's or an ECR registry host's account or region field is not one
/// (`aws_account_id`, `region-code`…). All-digit accounts of the wrong length are typos the
/// parsers refuse, not stand-ins.
fn has_stand_in(v: &str) -> bool {
    if let Some(a) = Arn::parse(v) {
        return !(account_field_ok(a.account) && region_field_ok(a.region));
    }
    loose_ecr_host(v).is_some_and(|h| !(account_field_ok(h.account) && arn::is_region(h.region)))
}

/// An ECR registry host (`<account>.dkr.<ecr…>.<region>.<suffix>/<path>`) split as written,
/// before its account and region are checked, so a stand-in in either can be found and
/// replaced (`arn::parse_ecr_image` reads only well-formed ones).
struct LooseEcrHost<'a> {
    account: &'a str,
    ecr: &'a str,
    region: &'a str,
    suffix: &'a str,
    path: &'a str,
}

fn loose_ecr_host(v: &str) -> Option<LooseEcrHost<'_>> {
    let (host, path) = arn::split_once_ascii(v, b'/')?;
    let (account, rest) = arn::split_once_ascii(host, b'.')?;
    let ("dkr", rest) = arn::split_once_ascii(rest, b'.')? else {
        return None;
    };
    let (ecr, rest) = arn::split_once_ascii(rest, b'.')?;
    let (region, suffix) = arn::split_once_ascii(rest, b'.')?;
    ecr.starts_with("ecr").then_some(LooseEcrHost {
        account,
        ecr,
        region,
        suffix,
        path,
    })
}

/// An ARN's or ECR host's account field that is an account (or open, or AWS's own `aws`). All
/// digits but not 12 is a typo, not a stand-in: left for the parsers to refuse.
fn account_field_ok(a: &str) -> bool {
    a.is_empty() || a == "aws" || a == ACCOUNT_PLACEHOLDER || a.bytes().all(|b| b.is_ascii_digit())
}

/// An ARN's region field that is a region (or open, or empty as in S3 and IAM ARNs).
fn region_field_ok(r: &str) -> bool {
    r.is_empty() || arn::is_region(r)
}
