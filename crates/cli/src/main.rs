//! `ecsroles`: plan the IAM roles of an Amazon ECS workload from a spec or a task definition.
//!
//! All the knowledge lives in `ecsroles-core`; this binary reads files, picks the output format
//! and sets the exit code (0 ok, 1 the plan has errors, 2 bad input or usage).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod live;

// mimalloc (crates/alloc says why).
#[global_allocator]
static GLOBAL: ecsroles_alloc::Allocator = ecsroles_alloc::Allocator;
use ecsroles_core::render::terraform_module::ModuleVersion;
use ecsroles_core::render::{render_with, Format, RenderOptions};
use ecsroles_core::{parse_document_with, plan, EcsRoleSetSpec, LaunchType, ParseOptions};

#[derive(Parser)]
#[command(
    name = "ecsroles",
    version,
    about = "Every IAM role an Amazon ECS workload needs: least privilege, explained."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Plan the roles for a spec, an EcsRoleSet or a task definition (JSON or YAML; `-` for stdin).
    Plan {
        file: PathBuf,
        #[command(flatten)]
        overrides: Overrides,
        #[command(flatten)]
        guard: GuardArgs,
        /// Output format [default: summary, or inferred from -o's extension].
        #[arg(long, value_parser = format_parser())]
        format: Option<Format>,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// terraform-module: the terraform-aws-modules/ecs major version the inputs are for (6 or 7) [default: 7].
        #[arg(long = "module-version", value_parser = module_version_parser())]
        module_version: Option<ModuleVersion>,
    },
    /// Write every format (or those given with --format) into a directory.
    Render {
        file: PathBuf,
        #[command(flatten)]
        overrides: Overrides,
        #[arg(long = "out-dir", default_value = "ecsroles-out")]
        out_dir: PathBuf,
        /// Formats to write [default: all].
        #[arg(long, value_parser = format_parser())]
        format: Vec<Format>,
        /// terraform-module: the terraform-aws-modules/ecs major version the inputs are for (6 or 7) [default: 7].
        #[arg(long = "module-version", value_parser = module_version_parser())]
        module_version: Option<ModuleVersion>,
    },
    /// Check a document: exit 0 when it plans without errors, 1 otherwise, 2 if unreadable.
    Validate {
        file: PathBuf,
        #[command(flatten)]
        overrides: Overrides,
        #[command(flatten)]
        guard: GuardArgs,
    },
    /// Explain an error ECS or IAM printed — a stopped task's reason, a service event, an
    /// AccessDenied text (`-`: read it from stdin): what it means, which role lacks what, what
    /// to change; with the workload (FILE), whether its plan grants the denied call. Exit 0
    /// when explained, 1 when the message is not one ecsroles knows.
    Explain {
        message: String,
        /// The workload: a spec, an EcsRoleSet or a task definition (as `plan` reads them).
        file: Option<PathBuf>,
        #[command(flatten)]
        overrides: Overrides,
        /// summary (default) or json.
        #[arg(long, default_value = "summary", value_parser = ["summary", "json"])]
        format: String,
        /// With FILE, when its plan grants the denied call: also print the fix in this output
        /// format (the plan's policies on the role the message names; json: under `fix`).
        #[arg(long, value_name = "FORMAT", value_parser = fix_format_parser(), requires = "file")]
        fix: Option<Format>,
    },
    /// Audit the roles a workload already has against its plan: what is missing (the task will
    /// fail, and how), what is broader than it needs, trust problems. Offline: ROLES is the
    /// output of `aws iam get-account-authorization-details --filter Role AWSManagedPolicy
    /// LocalManagedPolicy` (raw API or CLI JSON), or the per-role outputs one after the other
    /// (`aws iam get-role`, `list-attached-role-policies`, `list-role-policies`,
    /// `get-role-policy`; `get-policy` + `get-policy-version` for a managed policy). Live (`--live`, read-only, the standard AWS
    /// credential chain and region; AWS_ENDPOINT_URL_* honoured): the roles are read from IAM,
    /// and without FILE every service of `--cluster` (or `--service-name`) is read from ECS
    /// and audited, with its secrets' KMS keys from Secrets Manager. Exit 1 when a grant is
    /// missing or ECS cannot assume a role; with `--fail-on over-grant`, over-grants and
    /// other trust problems fail too.
    Audit {
        /// The workload (as `plan` reads it); with `--live --cluster`, omit it.
        file: Option<PathBuf>,
        #[arg(long, value_name = "ROLES", conflicts_with = "live")]
        roles: Option<PathBuf>,
        /// Read from AWS instead of a ROLES file.
        #[arg(long)]
        live: bool,
        /// With `--live --cluster` and no FILE: only this service.
        #[arg(long = "service-name", value_name = "NAME", requires = "live")]
        service_name: Option<String>,
        #[command(flatten)]
        overrides: Overrides,
        /// summary (default), json, or sarif (code scanning).
        #[arg(long, default_value = "summary", value_parser = ["summary", "json", "sarif"])]
        format: String,
        /// Also fail (exit 1) on: over-grant.
        #[arg(long = "fail-on", value_parser = ["over-grant"])]
        fail_on: Option<String>,
        /// Also print the fix in this output format (summary, json, iam, aws-cli or terraform:
        /// those that put every planned change on a role as it exists): the plan's policies for
        /// the roles found wanting, then what to remove, the trust to put in place and what
        /// the fix leaves alone (`json`: under `fix` in each report).
        #[arg(long, value_name = "FORMAT", value_parser = fix_format_parser())]
        fix: Option<Format>,
    },
    /// Print the JSON Schema of EcsRoleSetSpec.
    Schema,
    /// Print the least-privilege IAM policy the controller itself needs (owner-tag and
    /// boundary conditions: even stolen credentials cannot mint an unbounded role or touch
    /// roles the controller does not own). `--explain` prints why each statement exists.
    ControllerPolicy {
        /// Account the controller manages (12 digits).
        #[arg(long)]
        account: String,
        /// The controller's cluster id (its owner tag value; Helm value `clusterId`).
        #[arg(long)]
        cluster_id: String,
        /// IAM path of the roles it creates (Helm value `iam.rolePath`).
        #[arg(long, default_value = "/ecsroles/")]
        path: String,
        #[arg(long, default_value = "aws")]
        partition: String,
        /// Mandatory permissions boundary ARN: roles can only be created with it.
        #[arg(long)]
        boundary: Option<String>,
        /// Managed policy ARN patterns it may attach (repeatable); none: any.
        #[arg(long = "allow-managed-policy")]
        allow_managed_policies: Vec<String>,
        /// One line per statement: Sid and why, instead of the JSON.
        #[arg(long)]
        explain: bool,
    },
}

/// Settings a bare task definition cannot carry; they override the document's.
#[derive(clap::Args, Clone)]
struct Overrides {
    /// FARGATE, EC2, EXTERNAL or MANAGED_INSTANCES.
    #[arg(long, value_parser = parse_launch_type)]
    launch_type: Option<LaunchType>,
    /// 12-digit account id the tasks run in.
    #[arg(long)]
    account: Option<String>,
    /// Region the tasks run in.
    #[arg(long)]
    region: Option<String>,
    /// ECS cluster name.
    #[arg(long)]
    cluster: Option<String>,
    /// A template placeholder's value (repeatable): `--var TAG=1.4` fills `${TAG}`, `$TAG`,
    /// `{{ must_env "TAG" }}`, `$(TAG)` and CloudFormation's `!Ref TAG`.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = ecsroles_core::ParseOptions::parse_var)]
    vars: Vec<(String, String)>,
    /// The service that runs the task definition, from its own file: a `create-service` or
    /// `update-service --cli-input-json` request or `describe-services` output (load balancers,
    /// blue/green, Service Connect, VPC Lattice… need it).
    #[arg(long, value_name = "FILE")]
    service: Option<PathBuf>,
    /// A domainless gMSA CredSpec (repeatable): LOCATION as the task definition writes it after
    /// `credentialspecdomainless:` (its S3 object or SSM parameter ARN), FILE the CredSpec JSON.
    /// The domain user's secret is named only inside it: with it, the execution role reads
    /// exactly that secret.
    #[arg(long = "credspec", value_name = "LOCATION=FILE", value_parser = parse_credspec)]
    credspecs: Vec<(String, PathBuf)>,
}

/// `--credspec LOCATION=FILE`, split at the last `=` (a file name rarely has one; an S3 key
/// may).
fn parse_credspec(s: &str) -> Result<(String, PathBuf), String> {
    match s.rsplit_once('=') {
        Some((l, f)) if !l.trim().is_empty() && !f.trim().is_empty() => {
            Ok((l.to_string(), PathBuf::from(f.trim())))
        }
        _ => Err(format!(
            "{s:?}: expected LOCATION=FILE, e.g. arn:aws:s3:::bucket/app.json=credspec.json"
        )),
    }
}

/// The platform's guardrails: the same verdict the controller reaches.
#[derive(clap::Args)]
struct GuardArgs {
    /// Guardrail policy file (YAML/JSON, as the controller's Helm values set it).
    #[arg(long)]
    guardrails: Option<PathBuf>,
    /// Namespace the EcsRoleSet would live in (per-namespace overrides, role limits).
    #[arg(long, requires = "guardrails", conflicts_with = "tenant")]
    namespace: Option<String>,
    /// Admit the spec as the controller would for the EcsRoleSet NAMESPACE/NAME: the
    /// platform's names, path and account applied, then the guardrails (the file given, else
    /// the controller's defaults) — the controller's verdict and message, offline.
    #[arg(long, value_name = "NAMESPACE/NAME", requires = "account_id")]
    tenant: Option<String>,
    /// With --tenant: the account the controller manages (its --account-id).
    #[arg(long, requires = "tenant")]
    account_id: Option<String>,
    /// With --tenant: the controller's --name-prefix.
    #[arg(long, requires = "tenant", default_value = "")]
    name_prefix: String,
    /// With --tenant: the controller's --role-path.
    #[arg(long, requires = "tenant", default_value = "/ecsroles/")]
    role_path: String,
}

/// Applies the guardrails (boundary injection first); returns the plan and the violations.
fn guarded(
    mut spec: EcsRoleSetSpec,
    g: &GuardArgs,
) -> Result<(EcsRoleSetSpec, ecsroles_core::RolePlan, Vec<String>), String> {
    use ecsroles_core::guardrails::Guardrails;
    let policy = match &g.guardrails {
        Some(file) => {
            Guardrails::from_yaml(&read(file)?).map_err(|e| format!("{}: {e}", file.display()))?
        }
        None if g.tenant.is_some() => Guardrails::default(),
        None => {
            let p = plan(&spec);
            return Ok((spec, p, vec![]));
        }
    };
    if let (Some(tenant), Some(account)) = (&g.tenant, &g.account_id) {
        return admitted(spec, tenant, account, g, &policy);
    }
    let policy = policy.for_namespace(g.namespace.as_deref())?;
    let cx = ecsroles_core::guardrails::Context {
        namespace: g.namespace.as_deref(),
        ..Default::default()
    };
    let (p, violations) = policy.evaluate(&mut spec, &cx);
    Ok((spec, p, violations.iter().map(|v| v.to_string()).collect()))
}

/// `--tenant`: the core's admission, as the controller runs it. A refusal is one line, as the
/// controller's `Ready` condition says it; refused before planning, the plan shown is the one
/// of the spec as written.
fn admitted(
    spec: EcsRoleSetSpec,
    tenant: &str,
    account: &str,
    g: &GuardArgs,
    policy: &ecsroles_core::guardrails::Guardrails,
) -> Result<(EcsRoleSetSpec, ecsroles_core::RolePlan, Vec<String>), String> {
    use ecsroles_core::admission::{admit, Platform, Tenant};
    let (namespace, name) = tenant
        .split_once('/')
        .filter(|(ns, n)| !ns.is_empty() && !n.is_empty() && !n.contains('/'))
        .ok_or_else(|| format!("--tenant {tenant:?}: expected NAMESPACE/NAME, e.g. team-a/api"))?;
    let platform = Platform {
        account: account.to_string(),
        name_prefix: g.name_prefix.clone(),
        role_path: g.role_path.clone(),
    };
    let t = Tenant {
        namespace,
        name,
        ..Default::default()
    };
    Ok(match admit(&spec, &platform, policy, &t) {
        Ok(a) => (a.spec, a.plan, vec![]),
        Err(r) => {
            let p = r.plan.map(|p| *p).unwrap_or_else(|| plan(&spec));
            (
                spec,
                p,
                vec![format!("{}: {}", r.reason.as_str(), r.message)],
            )
        }
    })
}

/// `--format`: the core's formats, each listed in `--help` with its title (no hand-kept list).
fn module_version_parser() -> impl clap::builder::TypedValueParser<Value = ModuleVersion> {
    use clap::builder::{PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(["6", "7"])
        .try_map(|s| ModuleVersion::parse(&s).ok_or_else(|| format!("{s:?} is not 6 or 7")))
}

fn options(module_version: Option<ModuleVersion>) -> RenderOptions {
    RenderOptions {
        module_version: module_version.unwrap_or_default(),
    }
}

fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    formats_parser(&Format::ALL)
}

/// The formats a fix is given in ([`Format::FIX`]).
fn fix_format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    formats_parser(&Format::FIX)
}

fn formats_parser(formats: &[Format]) -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        formats
            .iter()
            .map(|f| PossibleValue::new(f.name()).help(f.title())),
    )
    .try_map(|name| Format::parse(&name).ok_or_else(|| format!("{name:?} is not a format")))
}

fn parse_launch_type(s: &str) -> Result<LaunchType, String> {
    LaunchType::parse(s)
        .ok_or_else(|| format!("{s:?} is not FARGATE, EC2, EXTERNAL or MANAGED_INSTANCES"))
}

fn read(file: &Path) -> Result<String, String> {
    if file == Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("stdin: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))
}

fn load(file: &Path, o: Overrides) -> Result<EcsRoleSetSpec, String> {
    load_text(read(file)?, file.display().to_string(), o)
}

/// [`load`] of a document already read (`shown`: where it came from, for errors).
fn load_text(mut text: String, mut shown: String, o: Overrides) -> Result<EcsRoleSetSpec, String> {
    if let Some(service) = &o.service {
        text = ecsroles_core::input::with_service(&text, &read(service)?)
            .map_err(|e| format!("{shown} + {}: {e}", service.display()))?;
        shown = format!("{shown} + {}", service.display());
    }
    let opts = ParseOptions {
        vars: o.vars.into_iter().collect(),
    };
    let vars = opts.vars.clone();
    let (mut spec, _) = parse_document_with(&text, &opts).map_err(|e| {
        // Joined from two files: the field path says where, the joined text's line would not.
        let e = match o.service {
            Some(_) => ecsroles_core::InputError {
                line: None,
                column: None,
                ..e
            },
            None => e,
        };
        format!("{shown}: {e}")
    })?;
    for (location, file) in o.credspecs {
        ecsroles_core::input::with_credential_spec(&mut spec, &location, &read(&file)?, &vars)
            .map_err(|e| format!("{}: the CredSpec is not JSON: {e}", file.display()))?;
    }
    ecsroles_core::overrides::Overrides {
        launch_type: o.launch_type,
        account: o.account,
        region: o.region,
        cluster: o.cluster,
        new_roles: false,
    }
    .apply(&mut spec);
    Ok(spec)
}

/// One workload's audit, as `audit` prints it.
struct Audited {
    /// The service's name (live cluster walks), else none.
    service: Option<String>,
    /// Where the workload came from (SARIF artifact): the file, or `ecs://cluster/service`.
    artifact: String,
    /// The command that plans the replacement.
    replan: String,
    /// The workload and the plans the report judged (the fix is rendered from them).
    spec: ecsroles_core::EcsRoleSetSpec,
    plans: Vec<ecsroles_core::RolePlan>,
    /// Its roles other audited workloads use too (the fix removes nothing from them).
    shared: Vec<String>,
    report: ecsroles_core::audit::AuditReport,
    /// What the audit could not resolve (e.g. a secret's key given as an alias).
    notes: Vec<String>,
}

impl Audited {
    /// The fix in `format` (the core's [`ecsroles_core::audit::fix`], rendered), if any.
    fn fix(&self, format: Format) -> Option<(String, ecsroles_core::audit::Fix)> {
        let f = ecsroles_core::audit::fix(&self.spec, &self.plans, &self.report, &self.shared)?;
        let text = if f.plan.roles.is_empty() {
            String::new()
        } else {
            ecsroles_core::render::render(format, &self.spec, &f.plan)
        };
        Some((text, f))
    }

    fn json(&self, fix: Option<Format>) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.report).unwrap_or_default();
        if let (Some(format), Some(o)) = (fix, v.as_object_mut()) {
            if let Some((text, f)) = self.fix(format) {
                o.insert(
                    "fix".into(),
                    serde_json::json!({"format": format.name(), "text": text, "remove": f.remove, "trust": f.trust, "blocked": f.blocked, "notes": f.notes}),
                );
            }
        }
        if let Some(o) = v.as_object_mut() {
            if let Some(s) = &self.service {
                o.insert("service".into(), s.clone().into());
                o.insert("source".into(), self.artifact.clone().into());
            }
            o.insert("notes".into(), self.notes.clone().into());
        }
        v
    }
}

fn exit_for(p: &ecsroles_core::RolePlan) -> ExitCode {
    if p.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// `audit`'s summary: per role, what is missing, broader and wrong in its trust.
/// `replan`: the command that prints the least-privilege replacement (none: said once after
/// several workloads, with what the audit cannot see).
fn audit_text(r: &ecsroles_core::audit::AuditReport, replan: Option<&str>) -> String {
    let mut out = String::new();
    for x in &r.roles {
        if !x.found {
            out.push_str(&format!(
                "{} ({}): not in the account — the plan creates it\n",
                x.name, x.title
            ));
            continue;
        }
        let state = match x.verdict {
            ecsroles_core::audit::Verdict::Fine => "fine".to_string(),
            ecsroles_core::audit::Verdict::Unproven => format!(
                "nothing proven missing; {} grant(s) hold only under a condition or through a policy not in the file",
                x.conditional.len()
            ),
            _ => format!(
                "{} missing, {} broader than needed, {} trust",
                x.missing.len(),
                x.over_grants.len(),
                x.trust.len()
            ),
        };
        out.push_str(&format!("{} ({}): {state}\n", x.name, x.title));
        for m in &x.missing {
            out.push_str(&format!(
                "  missing  {} on {} [{}]{}\n",
                m.action,
                m.resource,
                m.sid,
                m.breaks
                    .as_ref()
                    .map(|b| format!("\n           fails as: {b}"))
                    .unwrap_or_default()
            ));
        }
        for m in &x.conditional {
            out.push_str(&format!("  if       {} on {}: allowed only under a condition, or by a managed policy not in the file\n", m.action, m.resource));
        }
        for o in &x.over_grants {
            out.push_str(&format!(
                "  broader  {} on {} ({}): {}\n",
                o.action, o.resource, o.policy, o.why
            ));
        }
        for t in &x.trust {
            out.push_str(&format!("  trust    {t}\n"));
        }
        for u in &x.unresolved {
            out.push_str(&format!("  unread   {u}: its document is not in the file (add --filter AWSManagedPolicy LocalManagedPolicy)\n"));
        }
        for d in &x.detached {
            out.push_str(&format!("  attach   {d}: the plan attaches this AWS managed policy and the role does not have it\n"));
        }
        for p in &x.from_snapshot {
            out.push_str(&format!("  snapshot {p}: judged from ecsroles' snapshot of this AWS managed policy (its document is not in the file)\n"));
        }
    }
    if let Some(replan) = replan {
        out.push_str(&format!("\n{}\nThe least-privilege replacement: {replan} --format iam (or terraform, cloudformation-yaml, aws-cli…).\n", r.not_seen));
    }
    out
}

/// `audit --fix`'s part of the summary: the plan's documents for the roles found wanting in
/// `format`, then what to remove, the trust to put in place, and what no grant overcomes.
fn fix_text(a: &Audited, format: Format) -> String {
    let Some((text, f)) = a.fix(format) else {
        return "\nNothing to fix.\n".into();
    };
    let mut out = String::new();
    if !f.plan.roles.is_empty() {
        let names: Vec<String> = f
            .plan
            .roles
            .iter()
            .filter_map(ecsroles_core::audit::role_name)
            .collect();
        out.push_str(&format!(
            "\n== The fix ({}) for {}:\n{text}",
            format.name(),
            names.join(", ")
        ));
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    if !f.remove.is_empty() {
        out.push_str("\n== Then remove what only over-grants:\n");
        for r in &f.remove {
            out.push_str(&format!("{}\n", r.command));
        }
    }
    if !f.trust.is_empty() {
        out.push_str("\n== Trust policies to put in place:\n");
        for t in &f.trust {
            out.push_str(&format!("{}\n", t.command));
        }
    }
    for b in &f.blocked {
        out.push_str(&format!("blocked: {}: {}\n", b.role, b.text));
    }
    for n in &f.notes {
        out.push_str(&format!("left:    {}: {}\n", n.role, n.text));
    }
    out
}

/// `explain`'s summary: the verdict first, then what the message says and the fix.
fn explanation_text(e: &ecsroles_core::explain::Explanation) -> String {
    let mut out = format!("{} [{}]\n", e.title, e.shape);
    if !e.iam {
        out.push_str("  not an IAM problem\n");
    }
    let who = match (e.role_kind, e.caller) {
        (_, true) => Some("whoever calls ECS (user, pipeline, launcher)".to_string()),
        (Some(k), _) => Some(k.title().to_string()),
        _ => None,
    };
    for (label, v) in [
        ("role", who.as_deref()),
        ("denied", e.principal.as_deref()),
        ("action", e.action.as_deref()),
        ("resource", e.resource.as_deref()),
    ] {
        if let Some(v) = v {
            out.push_str(&format!("  {label:<8} {v}\n"));
        }
    }
    out.push_str(&format!(
        "\nWhat happened: {}\nFix: {}\nDoc: {}\n",
        e.cause, e.fix, e.doc
    ));
    if let Some(p) = &e.plan {
        out.push_str(&format!(
            "\nThe workload's plan{}: {}\n",
            p.role
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            p.verdict
        ));
        if let Some(d) = &p.document {
            out.push_str(&serde_json::to_string_pretty(d).unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Audit {
            file,
            roles,
            live,
            service_name,
            overrides,
            format,
            fail_on,
            fix,
        } => {
            if fix.is_some() && format == "sarif" {
                return Err(
                    "--fix goes into the summary or the json report; SARIF results carry no fix"
                        .into(),
                );
            }
            let audits = match (file, roles, live) {
                (Some(file), Some(roles), false) => {
                    let spec = load(&file, overrides)?;
                    let p = plan(&spec);
                    let account = ecsroles_core::audit::read_roles(&read(&roles)?)
                        .map_err(|e| format!("{}: {e}", roles.display()))?;
                    let shown = file.display().to_string();
                    vec![Audited {
                        replan: format!("ecsroles plan {shown}"),
                        artifact: shown,
                        service: None,
                        report: ecsroles_core::audit::audit(&p, &account),
                        notes: vec![],
                        spec,
                        plans: vec![p],
                        shared: vec![],
                    }]
                }
                (_, None, false) => {
                    return Err(
                        "audit needs the roles: --roles FILE (get-account-authorization-details output, or get-role and its policies' outputs) or --live".into(),
                    )
                }
                (None, _, false) => return Err("audit --roles needs the workload FILE".into()),
                (file, _, true) => live::audit(file.as_deref(), service_name.as_deref(), overrides)?,
            };
            match format.as_str() {
                "json" => {
                    let v: Vec<serde_json::Value> = audits.iter().map(|a| a.json(fix)).collect();
                    let one_file = audits.first().is_some_and(|a| a.service.is_none());
                    let v = match (v.len(), one_file) {
                        (1, true) => v.into_iter().next().unwrap_or_default(),
                        _ => serde_json::Value::Array(v),
                    };
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
                    );
                }
                "sarif" => {
                    let items: Vec<_> = audits
                        .iter()
                        .map(|a| (&a.report, a.artifact.as_str()))
                        .collect();
                    let s = ecsroles_core::audit::sarif_all(&items);
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?
                    );
                }
                _ => {
                    let several = audits.len() > 1;
                    for a in &audits {
                        if let Some(s) = &a.service {
                            println!("== service {s}  (replacement: {} --format iam)", a.replan);
                        }
                        for n in &a.notes {
                            println!("note: {n}");
                        }
                        print!(
                            "{}",
                            audit_text(&a.report, (!several).then_some(&a.replan[..]))
                        );
                        if let Some(format) = fix {
                            print!("{}", fix_text(a, format));
                        }
                        if several {
                            println!();
                        }
                    }
                    if let Some(a) = audits.first().filter(|_| several) {
                        println!("{}", a.report.not_seen);
                    }
                }
            }
            let fails = audits.iter().any(|a| a.report.fails());
            let over: usize = audits.iter().map(|a| a.report.over_grants()).sum();
            let fail = fails || (fail_on.is_some() && over > 0);
            Ok(if fail {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Explain {
            message,
            file,
            overrides,
            format,
            fix,
        } => {
            let message = if message == "-" {
                read(Path::new("-"))?
            } else {
                message
            };
            let spec = match &file {
                Some(f) => Some(load(f, overrides)?),
                None => None,
            };
            let p = spec.as_ref().map(plan);
            let Some(e) = ecsroles_core::explain::explain(&message, p.as_ref()) else {
                eprintln!("not an error ecsroles recognises (it knows {} shapes: ecsroles_core::explain::SHAPES); nothing to explain", ecsroles_core::explain::SHAPES.len());
                return Ok(ExitCode::from(1));
            };
            // The fix in the user's format, when the plan grants the call the role was denied.
            let fixed = match (fix, &spec, &p) {
                (Some(f), Some(spec), Some(p)) => Some((
                    f,
                    ecsroles_core::explain::fix_plan(&e, p)
                        .map(|cut| ecsroles_core::render::render(f, spec, &cut)),
                )),
                _ => None,
            };
            if format == "json" {
                let mut v = serde_json::to_value(&e).map_err(|e| e.to_string())?;
                if let (Some((f, text)), Some(o)) = (&fixed, v.as_object_mut()) {
                    o.insert(
                        "fix".into(),
                        serde_json::json!({"format": f.name(), "text": text}),
                    );
                }
                println!(
                    "{}",
                    serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
                );
            } else {
                print!("{}", explanation_text(&e));
                match fixed {
                    Some((f, Some(text))) => print!("\n== The fix ({}):\n{text}", f.name()),
                    Some((f, None)) => println!("\nNo {} fix: the plan does not grant this call as the message asks it (see above).", f.name()),
                    None => {}
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan {
            file,
            overrides,
            guard,
            format,
            output,
            module_version,
        } => {
            let format = match (format, &output) {
                (Some(f), _) => f,
                (None, None) => Format::Summary,
                (None, Some(o)) => {
                    Format::from_file_name(&o.to_string_lossy()).ok_or_else(|| {
                        format!(
                            "cannot tell the format from {:?}: pass --format",
                            o.display().to_string()
                        )
                    })?
                }
            };
            let (spec, p, violations) = guarded(load(&file, overrides)?, &guard)?;
            let text = render_with(format, &spec, &p, options(module_version));
            match output {
                Some(o) => write(&o, &text)?,
                None => print!("{text}"),
            }
            if p.has_errors() && format != Format::Summary {
                for f in p.errors() {
                    eprintln!("error: {}: {}", f.path, f.message);
                }
            }
            for v in &violations {
                eprintln!("error: {v}");
            }
            if !violations.is_empty() {
                return Ok(ExitCode::from(1));
            }
            Ok(exit_for(&p))
        }
        Command::Render {
            file,
            overrides,
            out_dir,
            format,
            module_version,
        } => {
            let spec = load(&file, overrides)?;
            let p = plan(&spec);
            std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
            let formats = if format.is_empty() {
                Format::ALL.to_vec()
            } else {
                format
            };
            for f in formats {
                let path = out_dir.join(format!("{}.{}", p.workload, f.extension()));
                write(&path, &render_with(f, &spec, &p, options(module_version)))?;
                println!("{}", path.display());
            }
            Ok(exit_for(&p))
        }
        Command::Validate {
            file,
            overrides,
            guard,
        } => {
            let (_, p, violations) = guarded(load(&file, overrides)?, &guard)?;
            for v in &violations {
                eprintln!("{v}");
            }
            for f in &p.findings {
                let fix = f
                    .fix
                    .as_deref()
                    .map(|x| format!(" (fix: {x})"))
                    .unwrap_or_default();
                eprintln!("{:?}: {}: {}{fix}", f.severity, f.path, f.message);
            }
            if !p.has_errors() && violations.is_empty() {
                println!("{}: ok, {} roles", file.display(), p.roles.len());
            }
            if !violations.is_empty() {
                return Ok(ExitCode::from(1));
            }
            Ok(exit_for(&p))
        }
        Command::ControllerPolicy {
            account,
            cluster_id,
            path,
            partition,
            boundary,
            allow_managed_policies,
            explain,
        } => {
            let params = ecsroles_core::controller_policy::ControllerPolicyParams {
                partition,
                account,
                path,
                cluster_id,
                boundary,
                allowed_managed_policies: allow_managed_policies,
            };
            let doc = ecsroles_core::controller_policy::controller_policy(&params)?;
            if explain {
                for st in &doc.statements {
                    println!("{:?} {}: {}", st.effect, st.sid, st.why);
                }
            } else {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&doc.to_iam_json()).map_err(|e| e.to_string())?
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            let schema = schemars::schema_for!(EcsRoleSetSpec);
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())?
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
