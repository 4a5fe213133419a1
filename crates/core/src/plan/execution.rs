//! Execution-role needs (secrets, private registry auth, env files, FireLens config) and the
//! agent needs (ECR pulls, awslogs) that land on the execution role or, on EC2 without one,
//! on the container-instance role.

use super::*;

impl<'a> Planner<'a> {
    /// Whether the task has needs only an execution role can meet (on any launch type).
    pub(super) fn has_execution_only_needs(&self) -> bool {
        self.td.container_definitions.iter().any(|c| {
            c.repository_credentials.is_some()
                || !c.secrets.is_empty()
                || !c.environment_files.is_empty()
                || c.log_configuration
                    .as_ref()
                    .is_some_and(|l| !l.secret_options.is_empty())
                || c.firelens_configuration.as_ref().is_some_and(|f| {
                    option_str(&f.options, "config-file-type").as_deref() == Some("s3")
                })
        }) || self
            .td
            .volumes
            .iter()
            .any(|v| v.fsx_windows_file_server_volume_configuration.is_some())
            || self
                .td
                .container_definitions
                .iter()
                .any(|c| credential_specs(c).next().is_some())
    }

    /// gMSA: the execution role reads each container's CredSpec (see `rules::GMSA_*`).
    fn gmsa_needs(&mut self) {
        let x = RoleKind::TaskExecution;
        let td = self.td;
        // The CredSpec locations containers name (the full build checks every given one is).
        #[cfg(feature = "templates")]
        let mut seen: Vec<String> = Vec::new();
        for (i, c) in td.container_definitions.iter().enumerate() {
            let cname = container_name(c, i);
            for (field, j, domainless, raw) in credential_specs(c) {
                let path = cat!(
                    self.td_path,
                    ".containerDefinitions[",
                    i.to_string(),
                    "].",
                    field,
                    "[",
                    j.to_string(),
                    "]"
                );
                if self.launch == LaunchType::Fargate && !domainless {
                    self.error(
                        &path,
                        cat!(
                            "container ",
                            cname,
                            ": Fargate runs only domainless gMSA (credentialspecdomainless:)"
                        ),
                    )
                    .fix = Some("use credentialspecdomainless:<ARN> with a CredSpec that names the domain user's secret".into());
                }
                // `file://…`: a CredSpec on the instance's disk, read without IAM (a domainless
                // one still names the domain user's secret).
                if raw.starts_with("file://") {
                    if domainless {
                        #[cfg(feature = "templates")]
                        seen.push(raw.trim().to_owned());
                        self.gmsa_domain_user(raw, raw, &path, &cname);
                    }
                    continue;
                }
                self.need(x, "the task runs with gMSA: the agent reads its CredSpec");
                let Some(value) = self.fill(raw, &path) else {
                    continue;
                };
                let filled = value.trim().to_owned();
                let reason = cat!(
                    "container ",
                    cname,
                    ": gMSA CredSpec ",
                    raw,
                    " (",
                    path,
                    ")"
                );
                match Arn::parse(value.trim()) {
                    Some(a) if a.service == "s3" => {
                        let Some((object, bucket)) = self.s3_object(value.trim(), &path) else {
                            continue;
                        };
                        self.execution_read(&rules::GMSA_CREDSPEC_S3, object, "s3", reason.clone());
                        let bucket_rule = &rules::GMSA_CREDSPEC_BUCKET;
                        self.grant(
                            x,
                            bucket_rule,
                            vec![bucket],
                            Conditions::new(),
                            reason.clone(),
                        );
                    }
                    Some(a) if a.service == "ssm" && a.resource.starts_with("parameter/") => {
                        self.execution_read(
                            &rules::GMSA_CREDSPEC_SSM,
                            value.into_owned(),
                            "ssm",
                            reason,
                        );
                    }
                    _ => {
                        self.error(
                            &path,
                            cat!(
                                "container ",
                                cname,
                                ": ",
                                raw,
                                " is not an S3 object or SSM parameter ARN"
                            ),
                        )
                        .fix = Some("use arn:aws:s3:::<bucket>/<key> or arn:aws:ssm:<region>:<account>:parameter/<name>".into());
                        continue;
                    }
                }
                if domainless {
                    #[cfg(feature = "templates")]
                    seen.extend([raw.trim().to_owned(), filled.clone()]);
                    self.gmsa_domain_user(raw, &filled, &path, &cname);
                }
            }
        }
        #[cfg(feature = "templates")]
        self.unused_credential_specs(&seen);
    }

    /// Domainless gMSA: the domain user's secret, which only the CredSpec names (see
    /// `rules::GMSA_USER_SECRET`), read from the CredSpec the spec gives for `location` (as
    /// written, or `filled`: its placeholders filled).
    fn gmsa_domain_user(&mut self, location: &str, filled: &str, path: &str, cname: &str) {
        // The calculator's plain module leaves CredSpecs to the full one (normalize refuses
        // them there, and the element plans again with the full module): rarely met, ~1.3 KB.
        #[cfg(not(feature = "templates"))]
        let _ = location;
        #[cfg(feature = "templates")]
        {
            let given = &self.spec.credential_specs;
            // Keys as the user wrote them, spaces aside; the one that matched names findings.
            let credspec = given
                .iter()
                .find(|(k, _)| k.trim() == location.trim() || k.trim() == filled);
            if let Some((key, credspec)) = credspec {
                return self.gmsa_credspec_user(key, credspec, cname);
            }
        }
        let f = finding(
            Severity::Warning,
            path,
            cat!("container ", cname, ": domainless gMSA: the execution role must also read the domain user's secret the CredSpec names (HostAccountConfig); not planned: its ARN is not in the task definition"),
        )
        .fix(cat!("give the CredSpec as credentialSpecs[\"", filled, "\"] (CLI: --credspec ", filled, "=FILE): the plan then grants exactly its CredentialArn"))
        .doc(self.gmsa_doc());
        self.findings.push(f);
    }

    /// The gMSA page for this task: Windows, Linux on Fargate, or Linux on instances.
    fn gmsa_doc(&self) -> &'static str {
        if self.windows_task() {
            doc::GMSA_WINDOWS
        } else if self.launch == LaunchType::Fargate {
            doc::GMSA_FARGATE
        } else {
            doc::GMSA_LINUX
        }
    }

    /// The domain user the CredSpec given under `key` names, read with the execution role.
    #[cfg(feature = "templates")]
    fn gmsa_credspec_user(&mut self, key: &str, credspec: &serde_json::Value, cname: &str) {
        let x = RoleKind::TaskExecution;
        let windows = self.windows_task();
        self.need(
            x,
            "domainless gMSA: the agent reads the CredSpec's domain user",
        );
        let cpath = cat!(
            "credentialSpecs[",
            key,
            "].ActiveDirectoryConfig.HostAccountConfig.PluginInput"
        );
        // The CredSpec as a document, or a string holding one (an SSM parameter's value).
        let as_json = |v: &serde_json::Value| {
            v.as_str()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        };
        let parsed_doc = as_json(credspec);
        let input = parsed_doc
            .as_ref()
            .unwrap_or(credspec)
            .get("ActiveDirectoryConfig")
            .and_then(|a| a.get("HostAccountConfig"))
            .and_then(|h| h.get("PluginInput"));
        // An object with CredentialArn on Linux (the agent reads it into a struct, matching the
        // key in any case); a JSON string with credentialArn on Windows (the agent refuses any
        // other type). Each refuses the other's form, so the task's OS decides.
        let wrong_form = match input {
            Some(serde_json::Value::String(_)) if !windows => Some(": on Linux the agent reads PluginInput as an object ({\"CredentialArn\": …}); this one is a string"),
            Some(serde_json::Value::Object(_)) if windows => Some(": on Windows the agent reads PluginInput as a JSON string ({\"credentialArn\": …}); this one is an object"),
            _ => None,
        };
        if let Some(wrong) = wrong_form {
            let doc = self.gmsa_doc();
            self.error(&cpath, cat!("container ", cname, wrong)).doc = Some(doc.into());
            return;
        }
        let parsed = input.and_then(as_json);
        let arn = parsed
            .as_ref()
            .or(input)
            .and_then(|i| i.as_object())
            .and_then(|o| {
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("CredentialArn"))
            })
            .and_then(|(_, v)| v.as_str());
        let Some(arn) = arn else {
            let what = "names no domain user (no CredentialArn string)";
            self.error(&cpath, cat!("container ", cname, ": the CredSpec ", what))
                .fix = Some(GMSA_USER_FIX.into());
            return;
        };
        // A placeholder left in it is reported by `fill`.
        let Some(value) = self.fill(arn, &cpath) else {
            return;
        };
        let value = value.trim();
        let reason = cat!("container ", cname, ": domainless gMSA user (", cpath, ")");
        match Arn::parse(value) {
            Some(a) if a.service == "secretsmanager" => {
                if let Some(secret) = self.secret_resource(value, &cpath, false) {
                    self.execution_read(&rules::GMSA_USER_SECRET, secret, "secretsmanager", reason);
                }
            }
            // Parameter Store holds the domain user on Windows only (windows-gmsa.html's table).
            Some(a) if windows && a.service == "ssm" && a.resource.starts_with("parameter/") => {
                self.execution_read(&rules::GMSA_USER_PARAMETER, value.to_owned(), "ssm", reason);
            }
            _ => {
                let what = if windows {
                    "names a domain user that is no Secrets Manager secret or SSM parameter ARN"
                } else {
                    "names a domain user that is no Secrets Manager secret ARN (Linux reads it from Secrets Manager only)"
                };
                self.error(
                    &cpath,
                    cat!("container ", cname, ": the CredSpec ", what, ": ", arn),
                )
                .fix = Some(GMSA_USER_FIX.into());
            }
        }
    }

    /// The `credentialSpecs` entries no container's `credentialspecdomainless:` names (`seen`:
    /// those locations, as written and filled): a typo or a pasted prefix is said, since the
    /// container's warning then asks for a field the user gave.
    #[cfg(feature = "templates")]
    fn unused_credential_specs(&mut self, seen: &[String]) {
        let spec = self.spec;
        for key in spec.credential_specs.keys() {
            if !seen.iter().any(|s| s == key.trim()) {
                self.warn(cat!("credentialSpecs[", key, "]"), "no container's credentialspecdomainless: names this location, so it is not read")
                    .fix = Some("key it by the location written after credentialspecdomainless: (e.g. arn:aws:s3:::bucket/key)".into());
            }
        }
    }

    /// `rule` on one resource the agent reads with the execution role at launch, and the KMS
    /// decrypt through `service` that a customer managed key on it needs.
    fn execution_read(
        &mut self,
        rule: &'static rules::Rule,
        arn: String,
        service: &str,
        reason: String,
    ) {
        let x = RoleKind::TaskExecution;
        self.protect(x, &arn, service, None, false, &reason);
        self.grant(x, rule, vec![arn], Conditions::new(), reason);
    }

    /// FSx for Windows File Server volumes: the agent, with the execution role, reads the
    /// Active Directory credentials and looks the file system up (see `rules::FSX_*`).
    fn fsx_windows_needs(&mut self) {
        let x = RoleKind::TaskExecution;
        let td = self.td;
        for (i, v) in td.volumes.iter().enumerate() {
            let Some(cfg) = &v.fsx_windows_file_server_volume_configuration else {
                continue;
            };
            let vpath = cat!(
                self.td_path,
                ".volumes[",
                i.to_string(),
                "].fsxWindowsFileServerVolumeConfiguration"
            );
            self.need(x, "an FSx for Windows File Server volume is mapped");
            let reason = cat!("volume ", v.name, " (", vpath, ")");
            self.grant(
                x,
                &rules::FSX_DESCRIBE,
                vec!["*".into()],
                Conditions::new(),
                reason.clone(),
            );
            let path = cat!(vpath, ".authorizationConfig.credentialsParameter");
            // Member by member, not `Value::pointer` (its JSON-pointer parser was ~2 KB of the
            // calculator's module for this one lookup).
            let raw = cfg
                .get("authorizationConfig")
                .and_then(|a| a.get("credentialsParameter"))
                .and_then(|p| p.as_str())
                .unwrap_or_default();
            if raw.trim().is_empty() {
                self.error(
                    path,
                    cat!("volume ", v.name, ": credentialsParameter is required"),
                )
                .fix =
                    Some("set authorizationConfig.credentialsParameter to the ARN of the Secrets Manager secret or SSM parameter holding the AD user and password".into());
                continue;
            }
            let Some(value) = self.fill(raw, &path) else {
                continue;
            };
            let reason = cat!("volume ", v.name, ": credentials ", raw, " (", path, ")");
            match Arn::parse(value.trim()) {
                Some(a) if a.service == "secretsmanager" => {
                    let Some(secret) = self.secret_resource(&value, &path, false) else {
                        continue;
                    };
                    self.execution_read(
                        &rules::FSX_CREDENTIALS_SECRET,
                        secret,
                        "secretsmanager",
                        reason,
                    );
                }
                Some(a) if a.service == "ssm" && a.resource.starts_with("parameter/") => {
                    self.execution_read(
                        &rules::FSX_CREDENTIALS_PARAMETER,
                        value.into_owned(),
                        "ssm",
                        reason,
                    );
                }
                _ => {
                    self.error(
                        path,
                        cat!(
                            "volume ",
                            v.name,
                            ": ",
                            raw,
                            " is not a Secrets Manager or SSM parameter ARN"
                        ),
                    )
                    .fix = Some("use arn:aws:secretsmanager:<region>:<account>:secret:<name> or arn:aws:ssm:<region>:<account>:parameter/<name>".into());
                }
            }
        }
    }

    /// Needs only the execution role can meet: secrets, private registry auth, env files,
    /// FireLens configuration from S3.
    pub(super) fn execution_needs(&mut self) {
        self.fsx_windows_needs();
        self.gmsa_needs();
        let td = self.td;
        let x = RoleKind::TaskExecution;
        let cpaths = self.cpaths.clone();
        for (i, c) in td.container_definitions.iter().enumerate() {
            let cpath = &cpaths[i];
            let cname = container_name(c, i);
            if let Some(rc) = &c.repository_credentials {
                let path = cat!(cpath, ".repositoryCredentials.credentialsParameter");
                let filled = self.fill(&rc.credentials_parameter, &path);
                if let Some(secret) = filled.and_then(|v| self.secret_resource(&v, &path, true)) {
                    let reason = cat!(
                        "container ",
                        cname,
                        ": private registry credentials ",
                        rc.credentials_parameter,
                        " (",
                        path,
                        ")"
                    );
                    self.grant(
                        x,
                        &rules::PRIVATE_REGISTRY,
                        vec![secret.clone()],
                        Conditions::new(),
                        reason.clone(),
                    );
                    self.protect(x, &secret, "secretsmanager", None, false, &reason);
                    self.need_cat(
                        x,
                        &[
                            "container ",
                            &cname,
                            " pulls from a private registry with repositoryCredentials",
                        ],
                    );
                }
            }
            for (j, s) in c.secrets.iter().enumerate() {
                let path = cat!(cpath, ".secrets[", j.to_string(), "].valueFrom");
                self.secret_reference(s, &path, &cname, "environment variable");
            }
            for (j, e) in c.environment.iter().enumerate() {
                if let Some(v) = e.get("valueFrom").and_then(|v| v.as_str()) {
                    let name = e.get("name").and_then(|v| v.as_str()).unwrap_or_default();
                    // An environment entry is an ECS KeyValuePair (name, value only): valueFrom here is
                    // not part of the API, so nothing is fetched for it (the AWS CLI refuses it,
                    // SDK-based tools drop it).
                    let f = finding(
                        Severity::Warning,
                        cat!(cpath, ".environment[", j.to_string(), "].valueFrom"),
                        cat!("container ", cname, ": environment variable ", name, " has valueFrom ", v, ": environment entries have only name and value (ECS KeyValuePair), so nothing is fetched for it"),
                    )
                    .fix("move {name, valueFrom} to the container's secrets list (the execution role then fetches it)")
                    .doc(doc::SECRETS_MANAGER);
                    self.findings.push(f);
                }
            }
            if let Some(lc) = &c.log_configuration {
                for (j, s) in lc.secret_options.iter().enumerate() {
                    let path = cat!(
                        cpath,
                        ".logConfiguration.secretOptions[",
                        j.to_string(),
                        "].valueFrom"
                    );
                    self.secret_reference(s, &path, &cname, "log-driver option");
                }
            }
            for (j, f) in c.environment_files.iter().enumerate() {
                let path = cat!(cpath, ".environmentFiles[", j.to_string(), "]");
                if !f.kind.is_empty() && f.kind != "s3" {
                    self.error(cat!(path, ".type"), format!("environment file type {:?} is not supported; ECS only reads type \"s3\"", f.kind))
                        .fix = Some("set type: s3".into());
                    continue;
                }
                let vpath = cat!(path, ".value");
                let Some(value) = self.fill(&f.value, &vpath) else {
                    continue;
                };
                let Some((object, bucket)) = self.s3_object(&value, &vpath) else {
                    continue;
                };
                let reason = cat!(
                    "container ",
                    cname,
                    ": environment file ",
                    f.value,
                    " (",
                    path,
                    ".value)"
                );
                self.grant(
                    x,
                    &rules::ENV_FILES_GET,
                    vec![object.clone()],
                    Conditions::new(),
                    reason.clone(),
                );
                self.grant(
                    x,
                    &rules::ENV_FILES_BUCKET,
                    vec![bucket],
                    Conditions::new(),
                    reason.clone(),
                );
                self.protect(x, &object, "s3", None, false, &reason);
                self.need_cat(
                    x,
                    &["container ", &cname, " loads environment files from S3"],
                );
            }
            if let Some(fl) = &c.firelens_configuration {
                let ftype = option_str(&fl.options, "config-file-type").unwrap_or_default();
                if ftype == "s3" {
                    let path = cat!(cpath, ".firelensConfiguration.options");
                    if let Some(l) = unsupported::limit(Feature::FirelensConfigFromS3, self.launch)
                    {
                        let f = finding(
                            Severity::Error,
                            cat!(path, ".config-file-type"),
                            cat!("container ", cname, ": ", l.what),
                        )
                        .fix(l.fix)
                        .doc(l.doc);
                        self.findings.push(f);
                        continue;
                    }
                    let value = option_str(&fl.options, "config-file-value").unwrap_or_default();
                    let vpath = cat!(path, ".config-file-value");
                    let Some(value) = self.fill(&value, &vpath) else {
                        continue;
                    };
                    let Some((object, bucket)) = self.s3_object(&value, &vpath) else {
                        continue;
                    };
                    let reason = cat!("container ", cname, ": FireLens configuration ", value);
                    self.grant(
                        x,
                        &rules::FIRELENS_CONFIG_GET,
                        vec![object],
                        Conditions::new(),
                        reason.clone(),
                    );
                    self.grant(
                        x,
                        &rules::FIRELENS_CONFIG_BUCKET,
                        vec![bucket],
                        Conditions::new(),
                        reason,
                    );
                    self.need_cat(
                        x,
                        &[
                            "container ",
                            &cname,
                            " reads its FireLens configuration from S3",
                        ],
                    );
                }
            }
        }
    }

    /// A `secrets`/`secretOptions` entry: Secrets Manager ARN, SSM parameter ARN, or SSM name.
    pub(super) fn secret_reference(
        &mut self,
        s: &Secret,
        path: &str,
        cname: &str,
        what: &str,
    ) -> bool {
        let x = RoleKind::TaskExecution;
        let Some(filled) = self.fill(&s.value_from, path) else {
            // The role is needed all the same; only its grant waits for the value.
            self.need(
                x,
                "the task injects secrets (one is a template placeholder, see findings)",
            );
            return false;
        };
        let v = &*filled;
        if v.is_empty() {
            self.error(
                path,
                format!(
                    "container {cname}: secret {:?} has an empty valueFrom",
                    s.name
                ),
            )
            .fix = Some(
                "set valueFrom to a Secrets Manager secret ARN or an SSM parameter name/ARN".into(),
            );
            return false;
        }
        let reason = cat!(
            "container ",
            cname,
            ": ",
            what,
            " ",
            s.name,
            " from ",
            v,
            " (",
            path,
            ")"
        );
        match Arn::parse(v) {
            Some(a) if a.service == "secretsmanager" => {
                // The value parsed once (this runs for every secret; fill trimmed it);
                // secret_resource says why when it names no secret.
                let secret = match arn::secret_of(v, &a) {
                    Some(s) => self.with_random_suffix(s.to_string(), v, path),
                    None => match self.secret_resource(v, path, false) {
                        Some(s) => s,
                        None => return false,
                    },
                };
                self.execution_read(&rules::SECRETS_GET, secret, "secretsmanager", reason);
                self.need(x, "the task injects Secrets Manager secrets");
                true
            }
            Some(a) if a.service == "ssm" && a.resource.starts_with("parameter/") => {
                self.execution_read(&rules::SSM_GET, v.to_string(), "ssm", reason);
                self.need(x, "the task injects Parameter Store parameters");
                true
            }
            Some(_) => {
                self.error(path, format!("container {cname}: {v:?} is neither a Secrets Manager secret ARN nor an SSM parameter ARN"))
                    .fix = Some("use arn:aws:secretsmanager:…:secret:… or arn:aws:ssm:…:parameter/…, or a parameter name".into());
                false
            }
            None => {
                // A bare name is an SSM parameter in the task's own region and account.
                let name = v.trim_start_matches('/');
                let param = self.arn("ssm", &cat!("parameter/", name));
                self.grant(
                    x,
                    &rules::SSM_GET,
                    vec![param.clone()],
                    Conditions::new(),
                    reason.clone(),
                );
                self.protect(x, &param, "ssm", None, false, &reason);
                self.need(x, "the task injects Parameter Store parameters");
                true
            }
        }
    }

    /// The IAM resource for a Secrets Manager reference (ARN with suffixes, or a bare name when
    /// `allow_name`), warning when the random suffix is missing.
    pub(super) fn secret_resource(
        &mut self,
        v: &str,
        path: &str,
        allow_name: bool,
    ) -> Option<String> {
        let v = v.trim();
        let secret = match arn::secret_arn(v) {
            Some(s) => s.to_string(),
            None if allow_name && !v.is_empty() && Arn::parse(v).is_none() => {
                self.arn("secretsmanager", &cat!("secret:", v))
            }
            None => {
                self.error(path, format!("{v:?} is not a Secrets Manager secret ARN"))
                    .fix = Some("use the secret's full ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>".into());
                return None;
            }
        };
        Some(self.with_random_suffix(secret, v, path))
    }

    /// `secret` (the ARN of the secret `v` references) as IAM must match it: as is when it ends
    /// in Secrets Manager's random suffix, else with `-??????` and a warning.
    fn with_random_suffix(&mut self, secret: String, v: &str, path: &str) -> String {
        if arn::secret_has_random_suffix(&secret) {
            secret
        } else {
            self.warn(path, format!("{v:?} has no 6-character random suffix; the policy matches it with -??????"))
                .fix = Some("use the secret's full ARN to avoid matching other secrets that share the name prefix".into());
            cat!(secret, "-??????")
        }
    }

    /// `arn:aws:s3:::bucket/key` → (object ARN, bucket ARN).
    pub(super) fn s3_object(&mut self, value: &str, path: &str) -> Option<(String, String)> {
        match Arn::parse(value) {
            Some(a) if a.service == "s3" && a.resource.contains('/') => {
                let bucket = a.resource.split('/').next().unwrap_or_default();
                if bucket.is_empty() {
                    self.error(path, format!("{value:?} has no bucket name"));
                    return None;
                }
                self.stand_in_bucket(bucket, path);
                Some((
                    value.to_string(),
                    cat!("arn:", a.partition, ":s3:::", bucket),
                ))
            }
            _ => {
                self.error(path, format!("{value:?} is not an S3 object ARN"))
                    .fix = Some("use arn:aws:s3:::<bucket>/<key>".into());
                None
            }
        }
    }

    // ---------------------------------------------------------------- ECR + awslogs
    /// ECR pulls and awslogs go to the execution role, except on EC2 without one, where the
    /// container-instance role makes the calls.
    pub(super) fn agent_needs(&mut self, exec_only: bool) {
        let td = self.td;
        let xcfg = &self.spec.roles.task_execution;
        let use_exec = !unsupported::instance_role_pulls(self.launch)
            || exec_only
            || td.execution_role_arn.is_some()
            || xcfg.create == Some(true)
            || xcfg.existing_arn.is_some();
        let role = if use_exec {
            RoleKind::TaskExecution
        } else {
            RoleKind::ContainerInstance
        };
        let log_role = self.awslogs_role(role);
        let cpaths = self.cpaths.clone();
        for (i, c) in td.container_definitions.iter().enumerate() {
            let cpath = &cpaths[i];
            let cname = container_name(c, i);
            if c.image.trim().is_empty() {
                self.error(
                    cat!(cpath, ".image"),
                    cat!("container ", cname, " has no image"),
                )
                .fix = Some("set image to the image URI".into());
            } else if let Some(img) = self.ecr_image(&c.image, cpath) {
                if c.repository_credentials.is_some() {
                    self.warn(cat!(cpath, ".repositoryCredentials"),
                        cat!("container ", cname, ": ECR images do not use repositoryCredentials; the agent pulls with IAM"));
                }
                let repo = img.repository_arn();
                let reason = cat!(
                    "container ",
                    cname,
                    ": image ",
                    c.image,
                    " (",
                    cpath,
                    ".image)"
                );
                let (auth, pull) = (&rules::ECR_AUTH, &rules::ECR_PULL);
                self.grant(
                    role,
                    auth,
                    vec!["*".into()],
                    Conditions::new(),
                    reason.clone(),
                );
                self.grant(
                    role,
                    pull,
                    vec![repo.clone()],
                    Conditions::new(),
                    reason.clone(),
                );
                self.pull_through_cache(role, &img, &repo, cpath, reason);
                if let Some((what, doc)) = rules::aws_owned_registry(&img.account) {
                    // AWS's own registries let every account pull: nobody to ask for a
                    // repository policy.
                    let f = finding(
                        Severity::Info,
                        cat!(cpath, ".image"),
                        cat!("image ", c.image, " is ", what, " in AWS's own registry (account ", img.account, "), which already allows pulls from any account: only this role's own ECR permissions are needed"),
                    )
                    .doc(doc);
                    if !self.findings.contains(&f) {
                        self.findings.push(f);
                    }
                } else if img.account != self.account && self.account != ACCOUNT_PLACEHOLDER {
                    match self
                        .cross_account_repos
                        .binary_search_by(|(r, _)| r.as_str().cmp(&repo))
                    {
                        Ok(i) => self.cross_account_repos[i].1 = (img.account.clone(), role),
                        Err(i) => self
                            .cross_account_repos
                            .insert(i, (repo, (img.account.clone(), role))),
                    }
                }
                let why = if role == RoleKind::TaskExecution {
                    [
                        self.launch_phrase(),
                        " pulls images from private Amazon ECR",
                    ]
                } else {
                    ["the EC2 container instance pulls the task's images from private ECR (no execution role)", ""]
                };
                self.need_cat(role, &why);
            }
            if let Some(lc) = &c.log_configuration {
                if lc.log_driver == "awslogs" {
                    self.awslogs(log_role, c, i, cpath);
                }
            }
        }
    }

    /// GuardDuty Runtime Monitoring (`guardDutyRuntimeMonitoring`): on Fargate its agent
    /// sidecar is pulled with the task execution role from GuardDuty's repository in the task's
    /// Region (rules::GUARDDUTY_AGENT_PULL) — a task with no other reason for one now needs it.
    /// Elsewhere the agent runs on the host: nothing for the task's roles.
    pub(super) fn guard_duty(&mut self) {
        if !self.spec.guard_duty_runtime_monitoring {
            return;
        }
        let path = "guardDutyRuntimeMonitoring";
        let windows = self.windows_task();
        // Only Fargate (Linux) tasks get the sidecar (doc::GUARDDUTY_FARGATE).
        let elsewhere = match self.launch {
            LaunchType::Fargate if windows => {
                Some("GuardDuty Runtime Monitoring does not support Windows Fargate tasks yet: no agent sidecar, nothing planned")
            }
            LaunchType::Fargate => None,
            LaunchType::Ec2 => Some("on EC2 GuardDuty's agent runs on the container instance, not as a task sidecar: nothing for the task's roles (GuardDuty's EC2 prerequisites concern the instance)"),
            _ => Some("GuardDuty Runtime Monitoring's ECS agent sidecar is for Fargate tasks: nothing planned for this launch type"),
        };
        if let Some(message) = elsewhere {
            self.info(path, message);
            return;
        }
        if self.partition == "aws-cn" {
            self.warn(path, "GuardDuty Runtime Monitoring is not supported in the China Regions: no agent sidecar, nothing planned").doc =
                Some(rules::doc::GUARDDUTY_AGENT_IMAGE.into());
            return;
        }
        let region = self.region.clone();
        let Some(account) = rules::guardduty_agent_account(&region) else {
            let f = self.warn(
                path,
                cat!(
                    "GuardDuty documents no agent repository for region ",
                    region,
                    ": its pull is not planned"
                ),
            );
            f.doc = Some(rules::doc::GUARDDUTY_AGENT_IMAGE.into());
            f.fix = Some("check GuardDuty's agent image table for this Region".into());
            return;
        };
        let x = RoleKind::TaskExecution;
        let repo = cat!(
            "arn:",
            self.partition,
            ":ecr:",
            region,
            ":",
            account,
            ":repository/",
            rules::GUARDDUTY_AGENT_REPOSITORY
        );
        let reason = "GuardDuty Runtime Monitoring's agent sidecar (guardDutyRuntimeMonitoring)";
        self.grant(
            x,
            &rules::ECR_AUTH,
            vec!["*".into()],
            Conditions::new(),
            reason.into(),
        );
        self.grant(
            x,
            &rules::GUARDDUTY_AGENT_PULL,
            vec![repo],
            Conditions::new(),
            reason.into(),
        );
        self.need(
            x,
            "GuardDuty Runtime Monitoring adds its agent sidecar to each task; the Fargate agent pulls its image",
        );
    }

    /// Who ships awslogs output when `pull_role` pulls the images: on EC2, the execution role
    /// only while the agent's ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE is true (unset: true,
    /// see rules::AWSLOGS_EXECUTION_ROLE_OVERRIDE), else the instance role.
    fn awslogs_role(&mut self, pull_role: RoleKind) -> RoleKind {
        let key = rules::AWSLOGS_EXECUTION_ROLE_OVERRIDE;
        let Some(v) = option_str(&self.spec.agent_config, key) else {
            return pull_role;
        };
        // The agent reads it with Go's strconv.ParseBool, and anything else as false.
        let off = match v.trim() {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => false,
            "0" | "f" | "F" | "FALSE" | "false" | "False" => true,
            _ => {
                let f = self.warn(
                    cat!("agentConfig.", key),
                    cat!(v, " is not a boolean the agent reads: it takes it as false"),
                );
                f.fix = Some("write true or false".into());
                f.doc = Some(rules::doc::AGENT_CONFIG.into());
                true
            }
        };
        if !off || pull_role != RoleKind::TaskExecution || self.launch != LaunchType::Ec2 {
            return pull_role;
        }
        self.awslogs_by_instance = true;
        RoleKind::ContainerInstance
    }

    /// An image under one of the account's pull through cache rules (`pullThroughCacheRules`):
    /// its first pull imports it (doc::PULL_THROUGH_CACHE). Under a usual cache prefix with no
    /// rule declared: a hint, since only the account's rules say what is cached.
    fn pull_through_cache(
        &mut self,
        role: RoleKind,
        img: &arn::EcrImage,
        repo: &str,
        cpath: &str,
        reason: String,
    ) {
        let declared = &self.spec.pull_through_cache_rules;
        let cached = declared.iter().any(|r| {
            r.get("ecrRepositoryPrefix")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|p| {
                    img.repository
                        .strip_prefix(p)
                        .is_some_and(|rest| rest.starts_with('/'))
                })
        });
        if cached {
            self.grant(
                role,
                &rules::ECR_PULL_THROUGH,
                vec![repo.to_string()],
                Conditions::new(),
                reason,
            );
        } else if declared.is_empty()
            && rules::USUAL_CACHE_PREFIXES
                .iter()
                .any(|p| img.repository.starts_with(p))
        {
            self.info(
                cat!(cpath, ".image"),
                cat!("repository ", img.repository, " looks like a pull through cache: if it is one, its first pull needs ecr:BatchImportUpstreamImage (else CannotPullContainerError); declare the account's rules in pullThroughCacheRules"),
            );
        }
    }

    /// The private ECR image a container pulls, read through [`Self::fill`]. An image that
    /// looks like ECR but does not parse loses its pull grants: said, never silent.
    fn ecr_image(&mut self, image: &str, cpath: &str) -> Option<arn::EcrImage> {
        let looks_ecr = image.contains(".dkr.ecr") || image.contains(".dkr-ecr");
        // Public images without placeholders (most of them) need nothing more.
        if !looks_ecr && !crate::placeholder::may_hold(image) {
            return None;
        }
        let path = &cat!(cpath, ".image");
        let image = image.trim();
        // The tag or digest does not reach IAM: a placeholder there (`web:${Tag}`) is harmless.
        let name_end = image.rfind('/').unwrap_or(0);
        let repo = match image.find('@') {
            Some(at) => &image[..at],
            None => match image[name_end..].rfind(':') {
                Some(colon) => &image[..name_end + colon],
                None => image,
            },
        };
        if let Some(p) = crate::placeholder::find(&image[repo.len()..]) {
            self.info(
                path,
                cat!(
                    "the tag of image ",
                    image,
                    " is the template placeholder ",
                    p.text,
                    ": tags do not affect the roles"
                ),
            );
        }
        if !looks_ecr {
            if let Some(p) = crate::placeholder::find(repo) {
                // It may well be a private ECR image: its pull permissions cannot be planned.
                let f = finding(
                    Severity::Warning,
                    path,
                    cat!("image ", image, " is the template placeholder ", p.text, ": if it stands for a private ECR image, its pull permissions are not planned"),
                )
                .fix(cat!("pass --var ", p.name, "=<image URI> to plan its pulls"))
                .doc(doc::ECR_ON_ECS);
                self.findings.push(f);
            }
            return None;
        }
        let filled = self.fill(repo, path)?;
        let img = arn::parse_ecr_image(&filled);
        if img.is_none() {
            // An error where the host is a registry host the parser knows (the rest is then
            // malformed: ECS refuses the image or cannot pull it, and no grant covers it); a
            // warning on other hosts (e.g. the ISO partitions' registries, not read here).
            let severity = if arn::is_known_ecr_host(&filled) {
                Severity::Error
            } else {
                Severity::Warning
            };
            let f = finding(
                severity,
                path,
                cat!("image ", image, " looks like a private ECR image but is not a valid ECR image URI: no pull permissions planned for it"),
            )
            .fix("write it as <12-digit account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag]");
            self.findings.push(f);
        }
        img
    }

    pub(super) fn launch_phrase(&self) -> &'static str {
        match self.launch {
            LaunchType::Fargate => "the Fargate agent",
            LaunchType::Ec2 => "the ECS agent (with the task's execution role)",
            LaunchType::External => "the ECS agent on the external instance",
            LaunchType::ManagedInstances => "the ECS agent on the managed instance",
        }
    }

    /// A log group's ARN with its streams (`…:log-group:<group>:*`): what writing to it takes.
    pub(super) fn log_group_arn(&self, region: &str, group: &str) -> String {
        cat!(
            "arn:",
            self.partition,
            ":logs:",
            region,
            ":",
            self.account,
            ":log-group:",
            group,
            ":*"
        )
    }

    pub(super) fn awslogs(
        &mut self,
        role: RoleKind,
        c: &ContainerDefinition,
        i: usize,
        cpath: &str,
    ) {
        let cname = container_name(c, i);
        let Some(lc) = &c.log_configuration else {
            return;
        };
        let opath = cat!(cpath, ".logConfiguration.options");
        let Some(group) = option_str(&lc.options, "awslogs-group").filter(|g| !g.is_empty()) else {
            self.error(
                cat!(opath, ".awslogs-group"),
                cat!(
                    "container ",
                    cname,
                    ": the awslogs driver needs awslogs-group"
                ),
            )
            .fix = Some("set options.awslogs-group to the log group name".into());
            return;
        };
        let Some(group) = self.fill(&group, &cat!(opath, ".awslogs-group")) else {
            let why = if role == RoleKind::TaskExecution {
                [self.launch_phrase(), " sends container logs to CloudWatch with the awslogs driver (log group is a template placeholder, see findings)"]
            } else {
                ["the EC2 container instance ships awslogs output (log group is a template placeholder, see findings)", ""]
            };
            self.need_cat(role, &why);
            return;
        };
        if crate::placeholder::is_shouted_token(&group) {
            // A legal group name, but the way `sed`-based deploy scripts mark what they
            // replace (ECS_LOG_GROUP_NAME): the grant keeps the name as written (narrow), and
            // the user is told it holds only if the group really has that name.
            let path = cat!(opath, ".awslogs-group");
            let message = cat!(
                "container ",
                cname,
                ": log group ",
                group,
                " looks like a template placeholder: the grant names exactly ",
                group
            );
            self.warn(path, message).fix = Some(cat!(
                "pass --var ",
                group,
                "=<log group> if a script replaces it"
            ));
        }
        let region = self.option_region(
            option_str(&lc.options, "awslogs-region").map(Cow::into_owned),
            &cat!(opath, ".awslogs-region"),
            "the log group's region",
        );
        let create = option_str(&lc.options, "awslogs-create-group")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let resource = self.log_group_arn(&region, &group);
        let reason = cat!(
            "container ",
            cname,
            ": awslogs to ",
            group,
            " (",
            opath,
            ")"
        );
        self.grant(
            role,
            &rules::AWSLOGS_WRITE,
            vec![resource.clone()],
            Conditions::new(),
            reason.clone(),
        );
        if create {
            self.grant(
                role,
                &rules::AWSLOGS_CREATE_GROUP,
                vec![resource.clone()],
                Conditions::new(),
                reason.clone(),
            );
        }
        self.protect(role, &resource, "logs", Some(&region), true, &reason);
        if !self
            .log_groups
            .iter()
            .any(|l| l.name == group && l.region == region)
        {
            self.log_groups.push(LogGroup {
                name: group.into_owned(),
                region,
                created_by_ecs: create,
                used_by: cat!("awslogs driver of container ", cname),
            });
        }
        let why = if role == RoleKind::TaskExecution {
            [
                self.launch_phrase(),
                " sends container logs to CloudWatch with the awslogs driver",
            ]
        } else if self.awslogs_by_instance {
            [
                "the EC2 container instance ships awslogs output (",
                "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE is false)",
            ]
        } else {
            [
                "the EC2 container instance ships awslogs output (no execution role)",
                "",
            ]
        };
        self.need_cat(role, &why);
    }
}

/// What a CredSpec's domain user must be, for the errors that say it is not.
#[cfg(feature = "templates")]
const GMSA_USER_FIX: &str = "set HostAccountConfig.PluginInput's CredentialArn to the ARN of the secret holding the domain user's username, password and domainName";

/// A container's gMSA CredSpec references: (field, index, domainless, the ARN or file after
/// the prefix) from `credentialSpecs` and the `credentialspec:` entries of
/// `dockerSecurityOptions`.
fn credential_specs(
    c: &ContainerDefinition,
) -> impl Iterator<Item = (&'static str, usize, bool, &str)> {
    let specs = c
        .credential_specs
        .iter()
        .enumerate()
        .map(|(j, v)| ("credentialSpecs", j, v));
    let opts = c
        .docker_security_options
        .iter()
        .enumerate()
        .map(|(j, v)| ("dockerSecurityOptions", j, v));
    specs.chain(opts).filter_map(|(field, j, v)| {
        let s = v.as_str()?.trim();
        if let Some(rest) = s.strip_prefix("credentialspecdomainless:") {
            return Some((field, j, true, rest));
        }
        s.strip_prefix("credentialspec:")
            .map(|rest| (field, j, false, rest))
    })
}
