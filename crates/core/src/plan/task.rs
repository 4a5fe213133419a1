//! Task-role needs: ECS Exec, EFS IAM authorization, FireLens destinations and the
//! application's own access intents, raw statements and managed policies.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn task_needs(&mut self) {
        let t = RoleKind::Task;
        self.exec_needs();
        self.efs_needs();
        self.containers_by_image();
        self.firelens_destinations();
        self.fluent_bit_init_files();
        let app = &self.spec.app;
        for (i, intent) in app.access.iter().enumerate() {
            self.access_intent(intent, &cat!("app.access[", i.to_string(), "]"));
        }
        if !app.statements.is_empty() {
            self.need(
                t,
                "app.statements grants the application raw IAM permissions",
            );
        }
        for (i, m) in app.managed_policies.iter().enumerate() {
            let path = cat!("app.managedPolicies[", i.to_string(), "]");
            let Some(arn) = self.managed_policy_arn(m, &path) else {
                continue;
            };
            self.managed.entry(t).or_default().push(ManagedAttachment {
                arn,
                why: cat!("requested by the application (", path, ")"),
            });
            self.need(
                t,
                "app.managedPolicies attaches managed policies to the application's role",
            );
        }
    }

    /// aws-for-fluent-bit's init image downloads the config files its
    /// `aws_fluent_bit_init_s3_*` variables name, with the task role (rules::FLUENT_BIT_INIT_S3).
    fn fluent_bit_init_files(&mut self) {
        let t = RoleKind::Task;
        let td = self.td;
        for (i, c) in td.container_definitions.iter().enumerate() {
            for (j, e) in c.environment.iter().enumerate() {
                let name = e.get("name").and_then(|v| v.as_str()).unwrap_or_default();
                if !rules::is_fluent_bit_init_s3(name) {
                    continue;
                }
                let value = e.get("value").and_then(|v| v.as_str()).unwrap_or_default();
                let path = cat!(
                    self.td_path,
                    ".containerDefinitions[",
                    i.to_string(),
                    "].environment[",
                    j.to_string(),
                    "].value"
                );
                let Some(value) = self.fill(value, &path) else {
                    continue;
                };
                let Some((object, bucket)) = self.s3_object(&value, &path) else {
                    continue;
                };
                let reason = cat!(
                    "container ",
                    container_name(c, i),
                    ": ",
                    name,
                    " (",
                    path,
                    ")"
                );
                self.grant(
                    t,
                    &rules::FLUENT_BIT_INIT_S3,
                    vec![object.clone()],
                    Conditions::new(),
                    reason.clone(),
                );
                self.grant(
                    t,
                    &rules::FLUENT_BIT_INIT_S3_BUCKET,
                    vec![bucket],
                    Conditions::new(),
                    reason.clone(),
                );
                self.protect(t, &object, "s3", None, false, &reason);
                self.need(
                    t,
                    "the aws-for-fluent-bit init process downloads its config files from S3",
                );
            }
        }
    }

    /// Containers recognised by their image's name (`rules::image_name`), one look per
    /// container: the AWS X-Ray daemon and (full build) App Mesh's Envoy and the observability
    /// sidecars of `observability.rs`. App Mesh's Envoy also by the variable it requires
    /// (`app_mesh::ENVOY_ENVIRONMENT`): its image is often a template parameter. The plain
    /// calculator module hands all but the daemon to the full one (`normalize::full_only`).
    fn containers_by_image(&mut self) {
        use crate::rules::sidecars;
        let td = self.td;
        for (i, c) in td.container_definitions.iter().enumerate() {
            match rules::image_name(&c.image) {
                sidecars::XRAY_DAEMON_IMAGE => self.xray_daemon(c, i),
                #[cfg(feature = "templates")]
                rules::app_mesh::ENVOY_REPOSITORY => self.app_mesh_envoy(c, i, ""),
                #[cfg(feature = "templates")]
                rules::adot::IMAGE => self.adot_collector(c, i),
                #[cfg(feature = "templates")]
                rules::cloudwatch_agent::IMAGE => self.cloudwatch_agent(c, i),
                #[cfg(feature = "templates")]
                _ => {
                    let variable = c
                        .environment
                        .iter()
                        .find_map(|e| rules::app_mesh::envoy_variable(e.get("name")?.as_str()?));
                    if let Some(v) = variable {
                        self.app_mesh_envoy(c, i, v);
                    }
                }
                #[cfg(not(feature = "templates"))]
                _ => {}
            }
        }
    }

    /// App Mesh's Envoy sidecar: discontinued service, no grant (see `rules::app_mesh`).
    /// `variable`: the App Mesh variable it was recognised by ("" when by its image).
    #[cfg(feature = "templates")]
    fn app_mesh_envoy(&mut self, c: &ContainerDefinition, i: usize, variable: &str) {
        use crate::rules::app_mesh;
        let path = self.cpaths[i].clone();
        let (open, close) = if variable.is_empty() {
            ("", "")
        } else {
            (" (recognised by ", ")")
        };
        let msg = cat!(
            "container ",
            c.name,
            open,
            variable,
            close,
            " ",
            app_mesh::MESSAGE
        );
        let f = self.warn(path, msg);
        f.fix = Some(app_mesh::FIX.into());
        f.doc = Some(app_mesh::DOC.into());
    }

    /// The AWS X-Ray daemon (`rules::sidecars`) relays traces with the task role.
    fn xray_daemon(&mut self, c: &ContainerDefinition, i: usize) {
        use crate::rules::sidecars;
        let cname = container_name(c, i);
        let reason = cat!(
            "container ",
            cname,
            ": image ",
            c.image,
            " is the AWS X-Ray daemon (",
            self.cpaths[i],
            ".image)"
        );
        self.grant(
            RoleKind::Task,
            &sidecars::XRAY_DAEMON,
            vec!["*".into()],
            Conditions::new(),
            reason,
        );
        self.need_cat(
            RoleKind::Task,
            &[
                "container ",
                &cname,
                " runs the AWS X-Ray daemon (recognised by its image)",
            ],
        );
    }

    pub(super) fn exec_needs(&mut self) {
        let t = RoleKind::Task;
        // The service, or a launcher whose RunTask turns ECS Exec on (its target's
        // EnableExecuteCommand): the same channels, from the task role.
        let reason = if self
            .spec
            .service
            .as_ref()
            .is_some_and(|s| s.enable_execute_command)
        {
            "service.enableExecuteCommand is true".to_string()
        } else if let Some(i) = self.spec.launchers.iter().position(|l| {
            l.get("executeCommand").and_then(serde_json::Value::as_bool) == Some(true)
        }) {
            cat!("launchers[", i.to_string(), "].executeCommand is true")
        } else {
            return;
        };
        self.grant(
            t,
            &rules::EXEC_CHANNELS,
            vec!["*".into()],
            Conditions::new(),
            reason.clone(),
        );
        self.need(
            t,
            "ECS Exec is enabled: the SSM agent in the task opens session channels",
        );
        let Some(cfg) = self
            .spec
            .cluster_configuration
            .as_ref()
            .and_then(|c| c.execute_command_configuration.as_ref())
        else {
            // No configuration: logging is DEFAULT (ExecuteCommandConfiguration's default).
            self.exec_default_logging();
            return;
        };
        let base = "clusterConfiguration.executeCommandConfiguration";
        if let Some(k) = &cfg.kms_key_id {
            if let Some(key) = self.key_arn(k, &cat!(base, ".kmsKeyId")) {
                self.grant(
                    t,
                    &rules::EXEC_KMS,
                    vec![key],
                    Conditions::new(),
                    cat!(base, ".kmsKeyId"),
                );
            }
        }
        let logging = cfg.logging.as_deref().unwrap_or("DEFAULT");
        match logging {
            "NONE" => {}
            "DEFAULT" => self.exec_default_logging(),
            "OVERRIDE" => {
                let Some(lc) = &cfg.log_configuration else {
                    self.error(
                        cat!(base, ".logConfiguration"),
                        "logging OVERRIDE needs a logConfiguration",
                    )
                    .fix = Some("set cloudWatchLogGroupName and/or s3BucketName".into());
                    return;
                };
                let group_path = cat!(base, ".logConfiguration.cloudWatchLogGroupName");
                let group = lc
                    .cloud_watch_log_group_name
                    .as_deref()
                    .and_then(|g| self.fill(g, &group_path));
                if let Some(group) = &group {
                    let res = self.arn("logs", &cat!("log-group:", group, ":*"));
                    let r = group_path;
                    self.grant(
                        t,
                        &rules::EXEC_LOGS_DESCRIBE,
                        vec!["*".into()],
                        Conditions::new(),
                        r.clone(),
                    );
                    self.grant(
                        t,
                        &rules::EXEC_LOGS_WRITE,
                        vec![res.clone()],
                        Conditions::new(),
                        r.clone(),
                    );
                    self.log_groups.push(LogGroup {
                        name: group.to_string(),
                        region: self.region.clone(),
                        created_by_ecs: false,
                        used_by: "ECS Exec session logging".into(),
                    });
                    self.protect(t, &res, "logs", None, true, &r);
                }
                let bucket_path = cat!(base, ".logConfiguration.s3BucketName");
                let bucket = lc
                    .s3_bucket_name
                    .as_deref()
                    .and_then(|b| self.fill(b, &bucket_path));
                if let Some(bucket) = &bucket {
                    let prefix = lc.s3_key_prefix.as_deref().unwrap_or("").trim_matches('/');
                    let key = if prefix.is_empty() {
                        "*".to_string()
                    } else {
                        cat!(prefix, "/*")
                    };
                    let obj = cat!("arn:", self.partition, ":s3:::", bucket, "/", key);
                    let r = cat!(base, ".logConfiguration.s3BucketName");
                    self.grant(
                        t,
                        &rules::EXEC_S3_PUT,
                        vec![obj.clone()],
                        Conditions::new(),
                        r.clone(),
                    );
                    self.grant(
                        t,
                        &rules::EXEC_S3_LOCATION,
                        vec![cat!("arn:", self.partition, ":s3:::", bucket)],
                        Conditions::new(),
                        r.clone(),
                    );
                    if lc.s3_encryption_enabled {
                        let b = cat!("arn:", self.partition, ":s3:::", bucket);
                        self.grant(
                            t,
                            &rules::EXEC_S3_ENCRYPTION,
                            vec![b],
                            Conditions::new(),
                            r.clone(),
                        );
                    }
                    self.protect(t, &obj, "s3", None, true, &r);
                }
            }
            other => {
                self.error(
                    cat!(base, ".logging"),
                    format!("logging {other:?} is not NONE, DEFAULT or OVERRIDE"),
                );
            }
        }
    }

    /// ECS Exec with logging DEFAULT (or no setting): "The awslogs configuration in the task
    /// definition is used" (ExecuteCommandConfiguration) — each awslogs container's group, written
    /// by the SSM agent in the task with the task role (doc::ECS_EXEC gives the task role these
    /// logs permissions "to enable logging"; which group DEFAULT writes is AWS's unstated reading
    /// of the container's own: said in the rule). Placeholders were reported with the execution
    /// role's grants already.
    fn exec_default_logging(&mut self) {
        let td = self.td;
        let mut any = false;
        for (i, c) in td.container_definitions.iter().enumerate() {
            let Some(lc) = c
                .log_configuration
                .as_ref()
                .filter(|l| l.log_driver == "awslogs")
            else {
                continue;
            };
            let Some(group) = option_str(&lc.options, "awslogs-group")
                .filter(|g| !g.is_empty() && !crate::placeholder::may_hold(g))
            else {
                continue;
            };
            let region = option_str(&lc.options, "awslogs-region")
                .filter(|r| arn::is_region(r))
                .map_or_else(|| self.region.clone(), Cow::into_owned);
            let res = self.log_group_arn(&region, &group);
            let why = cat!(
                self.td_path,
                ".containerDefinitions[",
                i.to_string(),
                "].logConfiguration (ECS Exec logging DEFAULT)"
            );
            self.grant(
                RoleKind::Task,
                &rules::EXEC_LOGS_DEFAULT,
                vec![res],
                Conditions::new(),
                why,
            );
            any = true;
        }
        if any {
            let why = "ECS Exec logging DEFAULT".to_string();
            self.grant(
                RoleKind::Task,
                &rules::EXEC_LOGS_DESCRIBE,
                vec!["*".into()],
                Conditions::new(),
                why,
            );
        }
    }

    pub(super) fn efs_needs(&mut self) {
        let t = RoleKind::Task;
        let td = self.td;
        for (i, v) in td.volumes.iter().enumerate() {
            let Some(efs) = &v.efs_volume_configuration else {
                continue;
            };
            let iam = efs
                .authorization_config
                .as_ref()
                .and_then(|a| a.iam.as_deref())
                == Some("ENABLED");
            if !iam {
                continue;
            }
            let vpath = cat!(
                self.td_path,
                ".volumes[",
                i.to_string(),
                "].efsVolumeConfiguration"
            );
            if efs.transit_encryption.as_deref() != Some("ENABLED") {
                let f = finding(
                    Severity::Error,
                    cat!(vpath, ".transitEncryption"),
                    format!(
                        "volume {:?}: EFS IAM authorization requires transitEncryption ENABLED",
                        v.name
                    ),
                )
                .fix("set transitEncryption: ENABLED")
                .doc(doc::EFS);
                self.findings.push(f);
            }
            if efs.file_system_id.is_empty() {
                self.error(
                    cat!(vpath, ".fileSystemId"),
                    format!("volume {:?} has no fileSystemId", v.name),
                );
                continue;
            }
            let Some(fs_id) = self.fill(&efs.file_system_id, &cat!(vpath, ".fileSystemId")) else {
                continue;
            };
            let fs = self.arn("elasticfilesystem", &cat!("file-system/", fs_id));
            let mounts: Vec<bool> = td
                .container_definitions
                .iter()
                .flat_map(|c| c.mount_points.iter())
                .filter(|m| m.source_volume == v.name)
                .map(|m| m.read_only)
                .collect();
            let read_only = !mounts.is_empty() && mounts.iter().all(|r| *r);
            let rule = if read_only {
                &rules::EFS_READ
            } else {
                &rules::EFS_READ_WRITE
            };
            let mut c = Conditions::new();
            if let Some(ap) = efs
                .authorization_config
                .as_ref()
                .and_then(|a| a.access_point_id.as_ref())
            {
                let ap_path = cat!(vpath, ".authorizationConfig.accessPointId");
                let Some(ap) = self.fill(ap, &ap_path) else {
                    continue;
                };
                let ap_arn = self.arn("elasticfilesystem", &cat!("access-point/", ap));
                add_cond(
                    &mut c,
                    "StringEquals",
                    "elasticfilesystem:AccessPointArn",
                    &[&ap_arn],
                );
            }
            self.grant(
                t,
                rule,
                vec![fs],
                c,
                cat!("volume ", v.name, " (", vpath, ")"),
            );
            self.need_cat(t, &["EFS volume ", &v.name, " uses IAM authorization"]);
        }
    }

    pub(super) fn firelens_destinations(&mut self) {
        let t = RoleKind::Task;
        let td = self.td;
        for (i, c) in td.container_definitions.iter().enumerate() {
            let Some(lc) = &c.log_configuration else {
                continue;
            };
            if lc.log_driver != "awsfirelens" {
                continue;
            }
            let cname = container_name(c, i);
            let opath = cat!(
                self.td_path,
                ".containerDefinitions[",
                i.to_string(),
                "].logConfiguration.options"
            );
            // Fluent Bit outputs are chosen by `Name` (read case-insensitively, as Fluent Bit
            // does), Fluentd outputs by `@type`, with the plugin's own parameter names
            // (rules::FLUENTD_*).
            // The calculator's plain module (no `templates`) hands Fluentd outputs to the full
            // one (normalize), so their rules are not built into it.
            let fluentd = cfg!(feature = "templates") && lc.options.contains_key("@type");
            let name = option_ci(&lc.options, if fluentd { "@type" } else { "Name" })
                .unwrap_or_default()
                .to_ascii_lowercase();
            // `role_arn` (`AWS_Role_ARN` for es/opensearch): Fluent Bit assumes that role and
            // writes as it; the destination grants are its, not the task role's.
            let es = matches!(name.as_str(), "es" | "elasticsearch" | "opensearch");
            // Fluentd reads true/yes (and an empty value) as true, false/no as false.
            let flag = |k: &str, set: bool| {
                option_ci(&lc.options, k).is_some_and(|o| match o.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "" => set,
                    "false" | "no" => !set,
                    _ => false,
                })
            };
            // Fluentd's cloudwatch_logs assumes `aws_sts_role_arn` when `aws_use_sts` is set.
            let (role_key, external_key) = match (es, fluentd) {
                (true, _) => ("aws_role_arn", "aws_external_id"),
                (_, true) => ("aws_sts_role_arn", "aws_sts_external_id"),
                _ => ("role_arn", "external_id"),
            };
            let sts = !fluentd || (name == "cloudwatch_logs" && flag("aws_use_sts", true));
            let assumed = option_ci(&lc.options, role_key).filter(|v| sts && !v.trim().is_empty());
            // A Fluentd plugin given a static access key (aws_key_id/aws_sec_key) signs with
            // that IAM user's key, not the task role (rules::FLUENTD_STATIC_KEY).
            // The plugins' own order: aws_use_sts (the task role assumes a role), then
            // aws_ecs_authentication (the task role), then both key options (fluent-plugin-
            // cloudwatch-logs' configure); either may sit in secretOptions.
            let has = |k: &str| {
                option_ci(&lc.options, k).is_some()
                    || lc
                        .secret_options
                        .iter()
                        .any(|s| s.name.eq_ignore_ascii_case(k))
            };
            let static_key = fluentd
                && assumed.is_none()
                && !flag("aws_ecs_authentication", true)
                && has("aws_key_id")
                && has(rules::FLUENTD_SECRET_KEY);
            let elsewhere = assumed.is_some() || static_key;
            let mut given: Vec<String> = Vec::new();
            let region_key = match (es, fluentd && name == "s3") {
                (true, _) => "aws_region",
                (_, true) => "s3_region",
                _ => "region",
            };
            let region = self.option_region(
                option_ci(&lc.options, region_key).map(Cow::into_owned),
                &cat!(opath, ".", option_key(&lc.options, region_key)),
                "the FireLens output's region",
            );
            // Writing as another role (cross-account, AWS's FireLens sample): the destination
            // is in that role's account.
            let account = assumed
                .as_deref()
                .and_then(Arn::parse)
                .map(|a| a.account.to_string())
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| self.account.clone());
            let reason = cat!(
                "container ",
                cname,
                ": awsfirelens output ",
                name,
                " (",
                opath,
                ")"
            );
            let a = |svc: &str, res: String, p: &Planner| {
                cat!(
                    "arn:",
                    p.partition,
                    ":",
                    svc,
                    ":",
                    region,
                    ":",
                    account,
                    ":",
                    res
                )
            };
            let required = |p: &mut Planner, key: &str| -> Option<String> {
                let v = option_ci(&lc.options, key)
                    .filter(|v| !v.is_empty())
                    .map(Cow::into_owned);
                if let Some(v) = &v {
                    let path = cat!(opath, ".", option_key(&lc.options, key));
                    // Filled per record at run time (rules::FLUENT_BIT_RUNTIME_TEMPLATED): the
                    // grant must cover every value the segment can take.
                    let (output, keys, _) = rules::FLUENT_BIT_RUNTIME_TEMPLATED;
                    // Fluentd fills `${…}` placeholders in any output parameter.
                    let templated_key = fluentd || (name == output && keys.contains(&key));
                    let runtime = if templated_key {
                        runtime_templated(v)
                    } else {
                        v.clone()
                    };
                    if runtime.trim_matches('/') == "*" {
                        p.error(path.clone(), cat!("container ", cname, ": ", key, " ", v, " is decided entirely at run time: no permission can be scoped to it"))
                            .fix = Some("give the name a fixed part (e.g. /ecs/app/ before the run-time part) so the grant can be scoped".into());
                        return None;
                    }
                    if runtime != *v {
                        let f = finding(
                            Severity::Warning,
                            path.clone(),
                            cat!(
                                "container ",
                                cname,
                                ": ",
                                key,
                                " ",
                                v,
                                " is templated, resolved at run time: the grant covers ",
                                runtime
                            ),
                        )
                        .fix("name the destination literally to scope the grant to exactly one")
                        .doc(if fluentd {
                            rules::doc::FLUENTD_PLACEHOLDERS
                        } else {
                            rules::FLUENT_BIT_RUNTIME_TEMPLATED.2
                        });
                        p.findings.push(f);
                    }
                    return p.fill(&runtime, &path).map(Cow::into_owned);
                }
                p.error(
                    cat!(opath, ".", key),
                    cat!(
                        "container ",
                        cname,
                        ": FireLens output ",
                        name,
                        " needs option ",
                        key
                    ),
                );
                None
            };
            match name.as_str() {
                "cloudwatch_logs" if fluentd => {
                    // The plugin may pick the group per record instead of log_group_name.
                    let per_record = ["log_group_name_key", "use_tag_as_group"]
                        .into_iter()
                        .find(|k| option_ci(&lc.options, k).is_some());
                    if let (None, Some(k)) = (option_ci(&lc.options, "log_group_name"), per_record)
                    {
                        self.error(cat!(opath, ".", option_key(&lc.options, k)), cat!("container ", cname, ": ", k, " chooses the log group per record at run time: no permission can be scoped to it"))
                            .fix = Some("name the group with log_group_name so the grant can be scoped to it".into());
                        continue;
                    }
                    let Some(group) = required(self, "log_group_name") else {
                        continue;
                    };
                    let res = a("logs", cat!("log-group:", group, ":*"), self);
                    let mut grants = vec![&rules::FLUENTD_CLOUDWATCH];
                    if flag("auto_create_stream", true) {
                        grants.push(&rules::FLUENTD_CLOUDWATCH_CREATE);
                        if option_ci(&lc.options, "retention_in_days").is_some() {
                            grants.push(&rules::FLUENTD_CLOUDWATCH_RETENTION);
                        }
                    } else {
                        self.info(opath.clone(), cat!("container ", cname, ": without auto_create_stream, log group ", group, " and its stream must exist: the plugin drops logs for a missing one"));
                    }
                    let by = elsewhere;
                    for rule in grants {
                        self.firelens_grant(by, &mut given, rule, res.clone(), &reason);
                    }
                    let tags = ["log_group_aws_tags", "log_group_aws_tags_key"];
                    if flag("auto_create_stream", true)
                        && tags.iter().any(|k| option_ci(&lc.options, k).is_some())
                    {
                        // Both ARN forms: which one IAM checks for tags on create is not documented.
                        let rule = &rules::FLUENTD_CLOUDWATCH_TAG;
                        let bare = res.strip_suffix(":*").unwrap_or(&res).to_string();
                        self.firelens_grant(by, &mut given, rule, bare, &reason);
                        self.firelens_grant(by, &mut given, rule, res.clone(), &reason);
                    }
                    let rule = &rules::FLUENTD_CLOUDWATCH_FIND_GROUP;
                    self.firelens_grant(by, &mut given, rule, "*".into(), &reason);
                    if !by {
                        self.protect(t, &res, "logs", Some(&region), true, &reason);
                    }
                }
                "s3" if fluentd => {
                    let Some(bucket) = required(self, "s3_bucket") else {
                        continue;
                    };
                    // The default s3_object_key_format starts with %{path}: the literal start of
                    // `path` (before any time or `${…}` placeholder) scopes the objects.
                    let path = option_ci(&lc.options, "path").unwrap_or_default();
                    let prefix = match option_ci(&lc.options, "s3_object_key_format") {
                        None => &path[..path.find(['%', '$']).unwrap_or(path.len())],
                        Some(_) => "",
                    };
                    let bucket_arn = cat!("arn:", self.partition, ":s3:::", bucket);
                    let objects = cat!(bucket_arn, "/", prefix, "*");
                    let mut grants = vec![&rules::FIRELENS_S3];
                    let checks = ["check_object", "check_bucket", "check_apikey_on_start"];
                    if !flag(checks[0], false) {
                        grants.push(&rules::FLUENTD_S3_CHECK_OBJECT);
                    }
                    for rule in grants {
                        self.firelens_grant(elsewhere, &mut given, rule, objects.clone(), &reason);
                    }
                    if !checks.iter().all(|k| flag(k, false)) {
                        let rule = &rules::FLUENTD_S3_LIST;
                        self.firelens_grant(elsewhere, &mut given, rule, bucket_arn, &reason);
                    }
                    if !elsewhere {
                        self.protect(t, &objects, "s3", Some(&region), true, &reason);
                    }
                }
                "cloudwatch" | "cloudwatch_logs" => {
                    let Some(group) = required(self, "log_group_name") else {
                        continue;
                    };
                    if option_ci(&lc.options, "log_group_template").is_some() {
                        let f = finding(
                            Severity::Warning,
                            cat!(opath, ".", option_key(&lc.options, "log_group_template")),
                            cat!("container ", cname, ": log_group_template chooses the log group per record at run time; only log_group_name ", group, " (its fallback) is granted"),
                        )
                        .fix("grant the groups the template can produce in app.statements, or drop the template")
                        .doc(rules::FLUENT_BIT_CLOUDWATCH_LOGS);
                        self.findings.push(f);
                    }
                    let res = a("logs", cat!("log-group:", group, ":*"), self);
                    self.firelens_grant(
                        elsewhere,
                        &mut given,
                        &rules::FIRELENS_CLOUDWATCH,
                        res.clone(),
                        &reason,
                    );
                    if name == "cloudwatch" {
                        self.firelens_grant(
                            elsewhere,
                            &mut given,
                            &rules::FIRELENS_CLOUDWATCH_LEGACY,
                            res.clone(),
                            &reason,
                        );
                    }
                    let auto = option_ci(&lc.options, "auto_create_group")
                        .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "On");
                    if auto {
                        self.firelens_grant(
                            elsewhere,
                            &mut given,
                            &rules::FIRELENS_CLOUDWATCH_CREATE,
                            res.clone(),
                            &reason,
                        );
                    }
                    if !elsewhere {
                        self.protect(t, &res, "logs", Some(&region), true, &reason);
                    }
                }
                "firehose" | "kinesis_firehose" => {
                    let key = if fluentd {
                        "delivery_stream_name"
                    } else {
                        "delivery_stream"
                    };
                    let Some(stream) = required(self, key) else {
                        continue;
                    };
                    let res = a("firehose", cat!("deliverystream/", stream), self);
                    self.firelens_grant(
                        elsewhere,
                        &mut given,
                        &rules::FIRELENS_FIREHOSE,
                        res,
                        &reason,
                    );
                }
                "kinesis" | "kinesis_streams" | "kinesis_streams_aggregated" => {
                    let key = if fluentd { "stream_name" } else { "stream" };
                    let Some(stream) = required(self, key) else {
                        continue;
                    };
                    let res = a("kinesis", cat!("stream/", stream), self);
                    self.firelens_grant(
                        elsewhere,
                        &mut given,
                        &rules::FIRELENS_KINESIS,
                        res,
                        &reason,
                    );
                }
                "s3" => {
                    let Some(bucket) = required(self, "bucket") else {
                        continue;
                    };
                    self.stand_in_bucket(&bucket, &cat!(opath, ".bucket"));
                    let res = cat!("arn:", self.partition, ":s3:::", bucket, "/*");
                    self.firelens_grant(
                        elsewhere,
                        &mut given,
                        &rules::FIRELENS_S3,
                        res.clone(),
                        &reason,
                    );
                    if !elsewhere {
                        self.protect(t, &res, "s3", Some(&region), true, &reason);
                    }
                }
                "es" | "elasticsearch" | "opensearch" => {
                    if !self.firelens_opensearch(
                        &lc.options,
                        &opath,
                        &cname,
                        (&region, &account),
                        elsewhere,
                        &mut given,
                        &reason,
                    ) {
                        continue;
                    }
                }
                "" => {
                    self.info(opath.clone(), cat!("container ", cname, ": no output named (Name, or @type for Fluentd): the log router's own configuration routes these logs, not derived here"));
                    continue;
                }
                _ => {
                    self.info(opath.clone(), format!(
                        "container {cname}: FireLens output {name:?} does not call AWS with the task role (or is not known to ecsroles)"));
                    continue;
                }
            }
            if static_key {
                let key = if option_ci(&lc.options, "aws_key_id").is_some() {
                    cat!("options.", option_key(&lc.options, "aws_key_id"))
                } else {
                    "secretOptions".to_string()
                };
                let opath = opath.strip_suffix(".options").unwrap_or(&opath);
                let f = finding(
                    Severity::Warning,
                    cat!(opath, ".", key),
                    cat!("container ", cname, ": output ", name, " signs with the static access key in ", key, ", not the task role: nothing is planned for it; that key's IAM user needs ", given.join("; ")),
                )
                .fix(rules::FLUENTD_STATIC_KEY.0)
                .doc(rules::FLUENTD_STATIC_KEY.1);
                self.findings.push(f);
                continue;
            }
            if let Some(role) = assumed {
                let external = option_ci(&lc.options, external_key).is_some();
                self.firelens_assume(
                    (&role, external),
                    &cat!(opath, ".", option_key(&lc.options, role_key)),
                    &cname,
                    &name,
                    &given,
                    &reason,
                );
                continue;
            }
            self.need(
                t,
                cat!(
                    "FireLens in container ",
                    cname,
                    " ships logs to AWS (",
                    name,
                    ") with the task role"
                ),
            );
        }
    }

    /// One FireLens destination grant: on the task role, or — when the output assumes its own
    /// role (`role_arn`) — written down for that role (`given`, said in a finding).
    fn firelens_grant(
        &mut self,
        assumed: bool,
        given: &mut Vec<String>,
        rule: &'static Rule,
        res: String,
        reason: &str,
    ) {
        if assumed {
            given.push(cat!(rule.actions.join(", "), " on ", res));
        } else {
            self.grant(
                RoleKind::Task,
                rule,
                vec![res],
                Conditions::new(),
                reason.to_string(),
            );
        }
    }

    /// A FireLens output that assumes `role` (its `role_arn` at `path`): the task role may assume
    /// exactly that role; what the destination needs (`given`) is that role's to hold.
    fn firelens_assume(
        &mut self,
        (role, external_id): (&str, bool),
        path: &str,
        cname: &str,
        output: &str,
        given: &[String],
        reason: &str,
    ) {
        let t = RoleKind::Task;
        let Some(role_arn) = self.fill(role, path).map(Cow::into_owned) else {
            return;
        };
        let is_role = Arn::parse(&role_arn)
            .is_some_and(|a| a.service == "iam" && a.resource.starts_with("role/"));
        if !is_role && !crate::placeholder::may_hold(&role_arn) {
            self.error(
                path,
                cat!(
                    "container ",
                    cname,
                    ": ",
                    role_arn,
                    " is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
                ),
            )
            .fix = Some("name the role Fluent Bit assumes for this output by its ARN".into());
            return;
        }
        self.grant(
            t,
            &rules::FIRELENS_ASSUME_ROLE,
            vec![role_arn.clone()],
            Conditions::new(),
            reason.to_string(),
        );
        let needs = if given.is_empty() {
            String::new()
        } else {
            cat!("; that role needs ", given.join("; "))
        };
        let f = finding(
            Severity::Info,
            path,
            cat!(
                "container ",
                cname,
                ": FireLens output ",
                output,
                " writes as ",
                role_arn,
                " (role_arn), not as the task role: the task role may only assume it",
                needs,
                if external_id {
                    ", and its trust policy must let the task role assume it with the output's external ID (sts:ExternalId)"
                } else {
                    ", and its trust policy must let the task role assume it"
                }
            ),
        )
        .doc(rules::doc::FLUENT_BIT_AWS_CREDENTIALS);
        self.findings.push(f);
        self.need(
            t,
            cat!(
                "FireLens in container ",
                cname,
                " assumes the role its ",
                output,
                " output names (role_arn)"
            ),
        );
    }

    /// FireLens `es`/`opensearch` output (doc::OPENSEARCH_ACCESS): with `AWS_Auth On` Fluent
    /// Bit signs its bulk requests, so the writer needs es:ESHttpPost on the domain's `_bulk`
    /// (or, for an OpenSearch Serverless collection, aoss:APIAccessAll on it). The domain comes
    /// from `Host` (`search-<name>-<id>.<region>.es.amazonaws.com`, or `vpc-…`); the
    /// collection from `<collection-id>.<region>.aoss.amazonaws.com`. `false`: nothing granted.
    #[allow(clippy::too_many_arguments)]
    fn firelens_opensearch(
        &mut self,
        options: &crate::taskdef::Options,
        opath: &str,
        cname: &str,
        (region, account): (&str, &str),
        assumed: bool,
        given: &mut Vec<String>,
        reason: &str,
    ) -> bool {
        let on = option_ci(options, "aws_auth")
            .is_some_and(|v| v.eq_ignore_ascii_case("on") || v.eq_ignore_ascii_case("true"));
        if !on {
            self.info(opath, cat!("container ", cname, ": FireLens output to OpenSearch without AWS_Auth On: Fluent Bit does not sign its requests, so no IAM permission is used (the domain's own access control decides)"));
            return false;
        }
        let host = option_ci(options, "host").unwrap_or_default();
        let host = host.trim().to_ascii_lowercase();
        let serverless_name =
            option_ci(options, "aws_service_name").is_some_and(|v| v.eq_ignore_ascii_case("aoss"));
        let label = host.split('.').next().unwrap_or_default();
        let host_region = host.split('.').nth(1).unwrap_or(region).to_string();
        // The Region in the endpoint is the one Fluent Bit must sign for; AWS_Region (or the
        // task's) when the endpoint has none.
        let host_region = if crate::arn::is_region(&host_region) {
            if host_region != region {
                self.warn(
                    cat!(opath, ".", option_key(options, "AWS_Region")),
                    cat!(
                        "container ",
                        cname,
                        ": Host ",
                        host,
                        " is in ",
                        host_region,
                        " but the output signs for ",
                        region,
                        ": OpenSearch refuses the signature"
                    ),
                )
                .fix = Some("set AWS_Region to the endpoint's Region".into());
            }
            host_region
        } else {
            region.to_string()
        };
        if host.ends_with(".aoss.amazonaws.com") || host.ends_with(".aoss.amazonaws.com.cn") {
            if !serverless_name {
                self.warn(cat!(opath, ".", option_key(options, "AWS_Service_Name")), cat!("container ", cname, ": Host ", host, " is an OpenSearch Serverless collection, but AWS_Service_Name is not aoss: Fluent Bit signs for es and the collection refuses it"))
                    .fix = Some("set AWS_Service_Name aoss".into());
            }
            let res = cat!(
                "arn:",
                self.partition,
                ":aoss:",
                host_region,
                ":",
                account,
                ":collection/",
                label
            );
            self.firelens_grant(
                assumed,
                given,
                &rules::FIRELENS_OPENSEARCH_SERVERLESS,
                res,
                reason,
            );
            let f = finding(
                Severity::Info,
                cat!(opath, ".", option_key(options, "Host")),
                cat!("container ", cname, ": OpenSearch Serverless collection ", label, ": its data access policy (not IAM) must also let the writing role aoss:CreateIndex, aoss:WriteDocument and aoss:UpdateIndex on the index"),
            )
            .doc(rules::doc::OPENSEARCH_SERVERLESS_DATA_ACCESS);
            self.findings.push(f);
            return true;
        }
        let domain = label
            .strip_prefix("search-")
            .or_else(|| label.strip_prefix("vpc-"))
            .and_then(|d| d.rsplit_once('-'))
            .map(|(name, _)| name)
            .filter(|n| {
                !n.is_empty()
                    && (host.ends_with(".es.amazonaws.com")
                        || host.ends_with(".es.amazonaws.com.cn"))
            });
        let Some(domain) = domain else {
            let f = self.warn(
                cat!(opath, ".", option_key(options, "Host")),
                cat!("container ", cname, ": Host ", host, " is not a domain endpoint (search-<domain>-<id>.<region>.es.amazonaws.com): the domain it writes to is unknown, no permission is planned"),
            );
            f.fix = Some(
                "use the domain's endpoint, or grant es:ESHttpPost on its _bulk in app.statements"
                    .into(),
            );
            f.doc = Some(rules::doc::OPENSEARCH_ACCESS.into());
            return false;
        };
        if serverless_name {
            self.warn(cat!(opath, ".", option_key(options, "AWS_Service_Name")), cat!("container ", cname, ": AWS_Service_Name aoss signs for OpenSearch Serverless, but Host ", host, " is an OpenSearch Service domain: the domain refuses it"))
                .fix = Some("point Host at the collection endpoint (<id>.<region>.aoss.amazonaws.com), or drop AWS_Service_Name".into());
        }
        // Fluent Bit posts to `<Path>/_bulk`.
        let path = option_ci(options, "path").unwrap_or_default();
        let path = path.trim_matches('/');
        let sub = if path.is_empty() {
            "_bulk".to_string()
        } else {
            cat!(path, "/_bulk")
        };
        let res = cat!(
            "arn:",
            self.partition,
            ":es:",
            host_region,
            ":",
            account,
            ":domain/",
            domain,
            "/",
            sub
        );
        self.firelens_grant(assumed, given, &rules::FIRELENS_OPENSEARCH, res, reason);
        true
    }

    /// A resource named in `app.access`: an ARN as given, or a name placed in this account/region.
    pub(super) fn app_resource(&self, value: &str, service: &str, prefix: &str) -> String {
        if Arn::parse(value).is_some() {
            value.to_string()
        } else {
            self.arn(service, &cat!(prefix, value))
        }
    }

    pub(super) fn access_intent(&mut self, intent: &AccessIntent, path: &str) {
        let t = RoleKind::Task;
        let region = self.region.clone();
        let reason = |what: &str| cat!(what, " (", path, ")");
        if intent.kinds() != 1 {
            self.error(path, cat!("each app.access entry sets exactly one of s3, dynamodb, sqs, sns, kms, secretsManager, ssm; this one sets ", intent.kinds().to_string()))
                .fix = Some("split it into one entry per resource".into());
            return;
        }
        if let Some(s3) = &intent.s3 {
            let bucket = s3
                .bucket
                .strip_prefix("arn:aws:s3:::")
                .unwrap_or(&s3.bucket)
                .trim_end_matches('/');
            if bucket.is_empty() || bucket.contains('/') {
                self.error(
                    cat!(path, ".s3.bucket"),
                    format!("{:?} is not a bucket name", s3.bucket),
                )
                .fix = Some("name the bucket alone and put the key prefix in prefix".into());
                return;
            }
            let prefix = s3.prefix.trim_start_matches('/');
            let objects = cat!("arn:", self.partition, ":s3:::", bucket, "/", prefix, "*");
            let bucket_arn = cat!("arn:", self.partition, ":s3:::", bucket);
            let r = reason(&format!("s3://{bucket}/{prefix} {:?}", s3.access));
            let reads = matches!(s3.access, ReadWrite::Read | ReadWrite::ReadWrite);
            let writes = matches!(s3.access, ReadWrite::Write | ReadWrite::ReadWrite);
            if reads {
                self.grant(
                    t,
                    &rules::S3_READ,
                    vec![objects.clone()],
                    Conditions::new(),
                    r.clone(),
                );
                let c = if prefix.is_empty() {
                    Conditions::new()
                } else {
                    cond("StringLike", "s3:prefix", &[&cat!(prefix, "*")])
                };
                self.grant(t, &rules::S3_LIST, vec![bucket_arn], c, r.clone());
            }
            if writes {
                self.grant(
                    t,
                    &rules::S3_WRITE,
                    vec![objects.clone()],
                    Conditions::new(),
                    r.clone(),
                );
            }
            if reads && writes {
                self.grant(
                    t,
                    &rules::S3_DELETE,
                    vec![objects.clone()],
                    Conditions::new(),
                    r.clone(),
                );
            }
            if reads {
                self.protect(t, &objects, "s3", Some(&region), false, &r);
            }
            if writes {
                self.protect(t, &objects, "s3", Some(&region), true, &r);
            }
        }
        if let Some(d) = &intent.dynamodb {
            let table = self.app_resource(&d.table, "dynamodb", "table/");
            let mut res = vec![table.clone()];
            if d.indexes {
                res.push(cat!(table, "/index/*"));
            }
            let r = reason(&cat!("DynamoDB table ", d.table));
            self.grant(
                t,
                &rules::DYNAMODB_READ,
                res.clone(),
                Conditions::new(),
                r.clone(),
            );
            if d.access == ReadOrReadWrite::ReadWrite {
                self.grant(
                    t,
                    &rules::DYNAMODB_WRITE,
                    vec![table.clone()],
                    Conditions::new(),
                    r.clone(),
                );
            }
            self.protect(
                t,
                &table,
                "dynamodb",
                Some(&region),
                d.access == ReadOrReadWrite::ReadWrite,
                &r,
            );
        }
        if let Some(q) = &intent.sqs {
            let queue = self.app_resource(&q.queue, "sqs", "");
            let r = reason(&cat!("SQS queue ", q.queue));
            let consume = matches!(q.access, QueueAccess::Consume | QueueAccess::ConsumeProduce);
            let produce = matches!(q.access, QueueAccess::Produce | QueueAccess::ConsumeProduce);
            if consume {
                self.grant(
                    t,
                    &rules::SQS_CONSUME,
                    vec![queue.clone()],
                    Conditions::new(),
                    r.clone(),
                );
            }
            if produce {
                self.grant(
                    t,
                    &rules::SQS_PRODUCE,
                    vec![queue.clone()],
                    Conditions::new(),
                    r.clone(),
                );
            }
            if consume {
                self.protect(t, &queue, "sqs", Some(&region), false, &r);
            }
            if produce {
                self.protect(t, &queue, "sqs", Some(&region), true, &r);
            }
        }
        if let Some(s) = &intent.sns {
            let topic = self.app_resource(&s.topic, "sns", "");
            let r = reason(&cat!("SNS topic ", s.topic));
            self.grant(
                t,
                &rules::SNS_PUBLISH,
                vec![topic.clone()],
                Conditions::new(),
                r.clone(),
            );
            self.protect(t, &topic, "sns", Some(&region), true, &r);
        }
        if let Some(k) = &intent.kms {
            let r = reason(&cat!("KMS key ", k.key));
            // Keys are authorised by key ARN; key_arn() refuses aliases with a clear fix.
            let Some(key) = self.key_arn(&k.key, &cat!(path, ".kms.key")) else {
                return;
            };
            let (res, c) = (vec![key], Conditions::new());
            if matches!(k.access, KmsUse::Decrypt | KmsUse::EncryptDecrypt) {
                self.grant(
                    t,
                    &rules::KMS_APP_DECRYPT,
                    res.clone(),
                    c.clone(),
                    r.clone(),
                );
            }
            if matches!(k.access, KmsUse::Encrypt | KmsUse::EncryptDecrypt) {
                self.grant(t, &rules::KMS_APP_ENCRYPT, res, c, r);
            }
        }
        if let Some(s) = &intent.secrets_manager {
            let p = cat!(path, ".secretsManager.secret");
            let Some(secret) = self.secret_resource(&s.secret, &p, true) else {
                return;
            };
            let r = reason(&cat!("secret ", s.secret));
            self.grant(
                t,
                &rules::SECRETS_APP,
                vec![secret.clone()],
                Conditions::new(),
                r.clone(),
            );
            self.protect(t, &secret, "secretsmanager", Some(&region), false, &r);
        }
        if let Some(s) = &intent.ssm {
            let r = reason(&cat!("parameter ", s.parameter));
            let name = s.parameter.trim_start_matches('/');
            if Arn::parse(&s.parameter).is_none() && name.ends_with('/') {
                let base = name.trim_end_matches('/');
                let path_arn = self.arn("ssm", &cat!("parameter/", base));
                let below = self.arn("ssm", &cat!("parameter/", base, "/*"));
                self.grant(
                    t,
                    &rules::SSM_APP_PATH,
                    vec![path_arn],
                    Conditions::new(),
                    r.clone(),
                );
                self.grant(
                    t,
                    &rules::SSM_APP,
                    vec![below.clone()],
                    Conditions::new(),
                    r.clone(),
                );
                self.protect(t, &below, "ssm", Some(&region), false, &r);
            } else {
                let param = self.app_resource(name, "ssm", "parameter/");
                self.grant(
                    t,
                    &rules::SSM_APP,
                    vec![param.clone()],
                    Conditions::new(),
                    r.clone(),
                );
                self.protect(t, &param, "ssm", Some(&region), false, &r);
            }
        }
        self.need(t, "the application calls AWS APIs (app.access)");
    }

    pub(super) fn managed_policy_arn(&mut self, value: &str, path: &str) -> Option<String> {
        let v = value.trim();
        if let Some(a) = Arn::parse(v) {
            if a.service == "iam"
                && a.resource.starts_with("policy/")
                && (a.account == "aws"
                    || arn::is_account_id(a.account)
                    || a.account == ACCOUNT_PLACEHOLDER)
            {
                return Some(v.to_string());
            }
        } else if !v.is_empty() && !v.contains(char::is_whitespace) {
            // A bare AWS managed policy name, optionally with its path (service-role/…).
            return Some(cat!(
                "arn:",
                self.partition,
                ":iam::aws:policy/",
                v.trim_start_matches('/')
            ));
        }
        self.error(path, format!("{value:?} is not a managed policy ARN"))
            .fix = Some(
            "use arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<name>".into(),
        );
        None
    }
}

/// Every `$(…)` (Fluent Bit) or `${…}` (Fluentd) of a run-time templated option
/// (`$(ecs_cluster)`, `$(tag[1])`, `${tag}`, a record key) → `*`: any value at run time. A
/// shouted `${NAME}` is a deploy-time placeholder, left for [`Planner::fill`] to name. One pass
/// (a value longer than any ECS value is left whole: `fill` refuses it).
fn runtime_templated(v: &str) -> String {
    if v.len() > crate::placeholder::MAX_VALUE {
        return v.to_string();
    }
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(i) = rest.find('$') {
        let close = match rest.as_bytes().get(i + 1) {
            Some(b'(') => ')',
            Some(b'{') => '}',
            _ => {
                out.push_str(&rest[..=i]);
                rest = &rest[i + 1..];
                continue;
            }
        };
        let Some(j) = rest[i..].find(close) else {
            break;
        };
        let inner = &rest[i + 2..i + j];
        if close == '}' && crate::placeholder::is_shouted_token(inner) {
            out.push_str(&rest[..=i + j]);
        } else {
            out.push_str(&rest[..i]);
            out.push('*');
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}
