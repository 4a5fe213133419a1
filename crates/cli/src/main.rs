//! `ecsroles`: plan the IAM roles of an Amazon ECS workload from a spec or a task definition.
//!
//! All the knowledge lives in `ecsroles-core`; this binary reads files, picks the output format
//! and sets the exit code (0 ok, 1 the plan has errors, 2 bad input or usage).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use ecsroles_core::{parse_document, plan, summary, LaunchType};

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
        #[arg(long, value_enum, default_value_t = Format::Summary)]
        format: Format,
    },
    /// Check a document: exit 0 when it plans without errors, 1 otherwise, 2 if unreadable.
    Validate {
        file: PathBuf,
        #[command(flatten)]
        overrides: Overrides,
    },
    /// Print the JSON Schema of EcsRoleSetSpec.
    Schema,
}

/// Settings a bare task definition cannot carry; they override the document's.
#[derive(clap::Args)]
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
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Human-readable summary.
    Summary,
    /// The whole plan (roles, reasons, companions, findings) as JSON.
    Json,
    /// IAM documents only, as IAM takes them.
    Iam,
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

fn load(file: &Path, o: Overrides) -> Result<ecsroles_core::EcsRoleSetSpec, String> {
    let text = read(file)?;
    let (mut spec, _) = parse_document(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    spec.launch_type = o.launch_type.or(spec.launch_type);
    spec.account = o.account.or(spec.account);
    spec.region = o.region.or(spec.region);
    spec.cluster = o.cluster.or(spec.cluster);
    Ok(spec)
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Plan {
            file,
            overrides,
            format,
        } => {
            let spec = load(&file, overrides)?;
            let p = plan(&spec);
            match format {
                Format::Summary => print!("{}", summary::render(&p)),
                Format::Iam => println!(
                    "{}",
                    serde_json::to_string_pretty(&ecsroles_core::render::iam::bundle(&p))
                        .map_err(|e| e.to_string())?
                ),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&p).map_err(|e| e.to_string())?
                ),
            }
            Ok(if p.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Validate { file, overrides } => {
            let spec = load(&file, overrides)?;
            let p = plan(&spec);
            for f in &p.findings {
                let fix = f
                    .fix
                    .as_deref()
                    .map(|x| format!(" (fix: {x})"))
                    .unwrap_or_default();
                eprintln!("{:?}: {}: {}{fix}", f.severity, f.path, f.message);
            }
            if p.has_errors() {
                Ok(ExitCode::from(1))
            } else {
                println!("{}: ok, {} roles", file.display(), p.roles.len());
                Ok(ExitCode::SUCCESS)
            }
        }
        Command::Schema => {
            let schema = schemars::schema_for!(ecsroles_core::EcsRoleSetSpec);
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
