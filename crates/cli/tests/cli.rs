//! The `ecsroles` binary end to end: exit codes, located errors, output formats.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn ecsroles(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecsroles"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ecsroles");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn plan_prints_a_summary_and_exits_zero() {
    let out = ecsroles(&["plan", "examples/fargate-web-api.yaml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("Task execution role — web-api-execution"), "{s}");
    assert!(s.contains("Not needed:"));
}

#[test]
fn json_and_iam_formats_are_valid_json() {
    for format in ["json", "iam"] {
        let out = ecsroles(
            &[
                "plan",
                "examples/managed-instances.yaml",
                "--format",
                format,
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(0));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert!(
            v["roles"].as_array().is_some_and(|r| r.len() >= 4),
            "{format}"
        );
    }
}

#[test]
fn plan_errors_exit_one_and_name_the_field() {
    let out = ecsroles(
        &["validate", "examples/invalid/external-awsvpc-efs.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert!(
        e.contains("taskDefinition.networkMode") && e.contains("fix:"),
        "{e}"
    );
}

#[test]
fn syntax_errors_give_line_column_and_exit_two() {
    let out = ecsroles(
        &["plan", "-"],
        Some("launchType: FARGATE\napp:\n  access:\n    - s3: {bucket: b, access: sometimes}\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    let e = text(&out.stderr);
    assert!(
        e.contains("line 4") && e.contains("app.access[0].s3.access") && e.contains("sometimes"),
        "{e}"
    );
}

#[test]
fn unknown_spec_fields_are_rejected_with_their_name() {
    let out = ecsroles(&["plan", "-"], Some("{\"launchTyp\": \"EC2\"}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("launchTyp"));
}

#[test]
fn missing_file_unknown_format_and_bad_launch_type_fail_cleanly() {
    let out = ecsroles(&["plan", "does-not-exist.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("does-not-exist.json"));
    let out = ecsroles(
        &["plan", "examples/fargate-web-api.yaml", "--format", "xml"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("xml"));
    let out = ecsroles(
        &[
            "plan",
            "examples/fargate-web-api.yaml",
            "--launch-type",
            "LAMBDA",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("LAMBDA"));
}

#[test]
fn overrides_make_a_bare_task_definition_concrete() {
    let out = ecsroles(
        &[
            "plan",
            "examples/ec2-firelens.json",
            "--region",
            "eu-west-1",
            "--cluster",
            "shop",
            "--format",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (v["region"].as_str(), v["cluster"].as_str()),
        (Some("eu-west-1"), Some("shop"))
    );
}

#[test]
fn schema_is_a_json_schema_of_the_spec() {
    let out = ecsroles(&["schema"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["properties"]["taskDefinition"].is_object());
    assert_eq!(v["additionalProperties"], false);
}

#[test]
fn binary_input_does_not_panic() {
    let out = ecsroles(&["plan", "-"], Some("\u{0}\u{1}\u{2}{{{{"));
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).contains("panicked"));
}

#[test]
fn output_file_picks_the_format_from_its_extension_or_asks() {
    let dir = std::env::temp_dir().join(format!("ecsroles-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let tf = dir.join("roles.tf");
    let out = ecsroles(
        &[
            "plan",
            "examples/fargate-web-api.yaml",
            "-o",
            tf.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read_to_string(&tf)
        .expect("tf")
        .contains("resource \"aws_iam_role\" \"task_execution\""));
    let cfn = dir.join("stack.cfn.yaml");
    ecsroles(
        &[
            "plan",
            "examples/fargate-web-api.yaml",
            "-o",
            cfn.to_str().expect("path"),
        ],
        None,
    );
    assert!(std::fs::read_to_string(&cfn)
        .expect("cfn")
        .contains("AWS::IAM::Role"));
    let vague = dir.join("out.json");
    let out = ecsroles(
        &[
            "plan",
            "examples/fargate-web-api.yaml",
            "-o",
            vague.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--format"));
    let out = ecsroles(
        &[
            "render",
            "examples/managed-instances.yaml",
            "--out-dir",
            dir.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout).lines().count(), 11, "one file per format");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn guardrails_give_the_controllers_verdict() {
    let bad = "account: \"123456789012\"\nregion: us-east-1\nlaunchType: FARGATE\ntaskDefinition:\n  family: x\n  containerDefinitions: [{name: a, image: nginx}]\napp:\n  statements: [{Effect: Allow, Action: \"I*:Pass*\", Resource: \"*\"}]\n";
    let g = [
        "--guardrails",
        "tests/redteam/guardrails.yaml",
        "--namespace",
        "redteam",
    ];
    let out = ecsroles(&[&["validate", "-"][..], &g[..]].concat(), Some(bad));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("guardrail deniedActions: spec.app.statements[0]"),
        "{err}"
    );
    assert!(err.contains("guardrail requirePassedToService"), "{err}");
    // The mandatory boundary is injected into what plan prints.
    let out = ecsroles(
        &[
            &["plan", "examples/fargate-web-api.yaml", "--format", "iam"][..],
            &g[..],
        ]
        .concat(),
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("policy/ecs-workload-boundary"));
    // A namespace means nothing without a policy: said, not silently ignored.
    let out = ecsroles(
        &[
            "validate",
            "examples/fargate-web-api.yaml",
            "--namespace",
            "x",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--guardrails"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn format_help_and_errors_list_every_format_of_the_core() {
    let help = text(&ecsroles(&["plan", "--help"], None).stdout);
    for f in ecsroles_core::render::Format::ALL {
        assert!(
            help.contains(&format!("- {}:", f.name())) && help.contains(f.title()),
            "{} missing from --help:\n{help}",
            f.name()
        );
    }
    let out = ecsroles(
        &["plan", "examples/fargate-web-api.yaml", "--format", "nope"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cloudformation-json"));
}

#[path = "../../../tests/redteam/cases.rs"]
mod cases;

/// `validate --tenant`: every red-team case that does not depend on IAM's state gets, offline,
/// the verdict the controller gives on the real servers — reason and message, as its `Ready`
/// condition says them (crates/controller/tests/redteam.rs compares the same with the core).
#[test]
fn tenant_admission_gives_the_controllers_verdict_offline() {
    use ecsroles_core::admission::{admit, Platform, Tenant};
    let doc: serde_json::Value =
        serde_yaml::from_str(include_str!("../../../tests/redteam/cases.yaml")).unwrap();
    let policy = "tests/redteam/guardrails.yaml";
    let guardrails = ecsroles_core::guardrails::Guardrails::from_yaml(include_str!(
        "../../../tests/redteam/guardrails.yaml"
    ))
    .unwrap();
    let platform = Platform {
        account: "123456789012".into(),
        name_prefix: String::new(),
        role_path: "/ecsroles/".into(),
    };
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        if case["needsIam"] == true || case["annotations"].is_object() {
            continue; // IAM's state, or an annotation: the CLI has no flag for either
        }
        let name = case["name"].as_str().unwrap();
        let spec = cases::case_spec(&doc["base"], case);
        let tenant = format!("redteam/{name}");
        let args = [
            "validate",
            "-",
            "--tenant",
            &tenant,
            "--account-id",
            "123456789012",
            "--guardrails",
            policy,
        ];
        let out = ecsroles(&args, Some(&spec.to_string()));
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stderr));
        let parsed: ecsroles_core::EcsRoleSetSpec = serde_json::from_value(spec).unwrap();
        let t = Tenant {
            namespace: "redteam",
            name,
            ..Default::default()
        };
        let r = admit(&parsed, &platform, &guardrails, &t).unwrap_err();
        let first = text(&out.stderr)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        assert_eq!(
            first,
            format!("{}: {}", r.reason.as_str(), r.message),
            "{name}"
        );
        assert!(
            first.contains(case["expect"].as_str().unwrap()),
            "{name}: {first}"
        );
        checked += 1;
    }
    assert!(checked >= 33, "only {checked}");
    // The base spec is admitted, with the platform's names.
    let base = cases::case_spec(&doc["base"], &serde_json::Value::Null).to_string();
    let args = [
        "plan",
        "-",
        "--tenant",
        "team-a/api",
        "--account-id",
        "123456789012",
        "--name-prefix",
        "k8s-",
        "--format",
        "json",
    ];
    let out = ecsroles(&args, Some(&base));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\"k8s-team-a_api-execution\""));
}

#[test]
fn module_version_picks_the_terraform_aws_ecs_major_and_refuses_others() {
    let render = |v: Option<&str>| {
        let mut args = vec![
            "plan",
            "examples/fargate-web-api.yaml",
            "--format",
            "terraform-module",
        ];
        if let Some(v) = v {
            args.extend(["--module-version", v]);
        }
        ecsroles(&args, None)
    };
    for (flag, major) in [(None, "7"), (Some("6"), "6"), (Some("7"), "7")] {
        let out = render(flag);
        assert_eq!(out.status.code(), Some(0), "{flag:?}");
        let tf = text(&out.stdout);
        assert!(
            tf.starts_with(&format!("# terraform-aws-modules/ecs v{major} ")),
            "{tf}"
        );
        assert!(tf.contains(&format!("version = \"~> {major}.0\"")), "{tf}");
        // The module's own execution policy (Logs/ECR on "*") is off.
        assert!(
            tf.contains("create_task_exec_policy            = false"),
            "{tf}"
        );
    }
    let out = render(Some("5"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("possible values: 6, 7"));
}

/// `--service FILE`: the task definition and the create-service request kept apart, as the AWS
/// CLI takes them (a real pair: aws-samples' blue/green sample).
#[test]
fn a_service_file_joins_a_bare_task_definition() {
    let dir = "tests/realworld/aws-samples-bluegreen-lifecycle-hooks-service";
    let td = format!("{dir}/taskdef_template.json");
    let svc = format!("{dir}/service_template.json");
    let out = ecsroles(&["plan", &td, "--service", &svc, "--var", "GREEN_TARGET_GROUP_ARN=arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/green/fedcba9876543210"], None);
    let s = text(&out.stdout);
    assert!(
        s.contains("■ Load balancer infrastructure role (blue/green)"),
        "{s}"
    );
    // The sample's other markers are said as placeholders to fill, not as malformed ARNs.
    assert!(
        s.contains("unresolved template placeholder BLUE_TARGET_GROUP_ARN"),
        "{s}"
    );
    assert!(s.contains("Deployment lifecycle hook role"), "{s}");
    assert!(s.contains("targetgroup/green/fedcba9876543210"), "{s}");
    // Without it, the same task definition has neither role.
    let alone = text(&ecsroles(&["plan", &td], None).stdout);
    assert!(
        !alone.contains("■ Load balancer infrastructure role"),
        "{alone}"
    );
    // A spec has its own service: refused, saying so (exit 2, no plan).
    let spec = ecsroles(
        &["plan", "examples/fargate-web-api.yaml", "--service", &svc],
        None,
    );
    assert_eq!(spec.status.code(), Some(2));
    assert!(
        text(&spec.stderr).contains("has its own service"),
        "{}",
        text(&spec.stderr)
    );
    // An unknown member of the service file names its path, without the joined text's line.
    let bad = ecsroles(
        &["plan", &td, "--service", "-"],
        Some(r#"{"loadBalancerz": []}"#),
    );
    let e = text(&bad.stderr);
    assert!(
        e.contains("service.loadBalancerz") && !e.contains("line "),
        "{e}"
    );
}

/// `--credspec LOCATION=FILE`: a real domainless CredSpec (credentials-fetcher's test asset)
/// gives the domain user's secret, which the execution role then reads exactly.
#[test]
fn a_credspec_file_names_the_domain_users_secret() {
    let dir = "tests/realworld/aws-samples-gmsa-linux-fargate-domainless-credspec";
    let td = format!("{dir}/amazon-ecs-gmsa-linux-application.template.json");
    let bucket = "ImportValue:amazon-ecs-gmsa-linux-infrastructure:ExportsOutputFnGetAttcredspecs3bucket2AC0FC3AArnCFB4DF8C=arn:aws:s3:::amzn-s3-demo-bucket";
    let location = "arn:aws:s3:::amzn-s3-demo-bucket/amazon-ecs-gmsa-linux-CredSpec";
    let credspec = format!("{location}={dir}/contoso_WebApp01_ndj.json");
    let secret = "arn:aws:secretsmanager:us-west-2:123456789012:secret:aws/directoryservice/contoso/standarduser-AbCdEf";
    let with = text(
        &ecsroles(
            &["plan", &td, "--var", bucket, "--credspec", &credspec],
            None,
        )
        .stdout,
    );
    assert!(
        with.contains(&format!(
            "[GmsaDomainUserSecret] secretsmanager:GetSecretValue\n        on {secret}"
        )),
        "{with}"
    );
    // Without it: a warning saying which flag fills it, and no grant.
    let without = text(&ecsroles(&["plan", &td, "--var", bucket], None).stdout);
    assert!(!without.contains("GmsaDomainUserSecret"), "{without}");
    assert!(
        without.contains(&format!("--credspec {location}=FILE")),
        "{without}"
    );
    // A file that is not JSON, and a flag without its file: each says what is wrong.
    let bad = ecsroles(
        &["plan", &td, "--credspec", &format!("{location}={td}x")],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains(&format!("{td}x")),
        "{}",
        text(&bad.stderr)
    );
    // The location pasted with its prefix, and a placeholder in the CredSpec (saved with a
    // byte-order mark, as Windows tools do) filled by --var.
    let templated = std::env::temp_dir().join("ecsroles-cli-credspec.json");
    std::fs::write(&templated, "\u{feff}{\"ActiveDirectoryConfig\": {\"HostAccountConfig\": {\"PluginInput\": {\"CredentialArn\": \"${GmsaUser}\"}}}}").expect("write");
    let pasted = format!(
        "credentialspecdomainless:{location}={}",
        templated.display()
    );
    let user = format!("GmsaUser={secret}");
    let out = ecsroles(
        &[
            "plan",
            &td,
            "--var",
            bucket,
            "--var",
            &user,
            "--credspec",
            &pasted,
        ],
        None,
    );
    let out = text(&out.stdout);
    assert!(
        out.contains(&format!(
            "[GmsaDomainUserSecret] secretsmanager:GetSecretValue\n        on {secret}"
        )),
        "{out}"
    );
    let bad = ecsroles(
        &["plan", &td, "--credspec", &format!("{location}=Cargo.toml")],
        None,
    );
    assert!(
        text(&bad.stderr).contains("the CredSpec is not JSON"),
        "{}",
        text(&bad.stderr)
    );
    let bad = ecsroles(&["plan", &td, "--credspec", "credspec.json"], None);
    assert!(
        text(&bad.stderr).contains("expected LOCATION=FILE"),
        "{}",
        text(&bad.stderr)
    );
}

/// `explain`: a real stopped reason (tests/explain/messages.yaml's copilot one) names the role,
/// action and resource; with the workload, whether its plan grants the call; JSON for
/// machines; from stdin; an unknown message exits 1.
#[test]
fn explain_reads_the_message_and_checks_it_against_the_workload() {
    let m = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/web-api-execution/0a1b is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web-api/db-AbCdEf";
    let out = ecsroles(&["explain", m], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.starts_with("The execution role may not read the secret [secrets-manager-denied]"),
        "{s}"
    );
    assert!(s.contains("action   secretsmanager:GetSecretValue"), "{s}");
    // The example's plan grants exactly this secret: the deployed role differs from the plan.
    let out = ecsroles(&["explain", m, "examples/fargate-web-api.yaml"], None);
    let s = text(&out.stdout);
    assert!(
        s.contains("The plan allows it (SecretsManagerGetSecretValue)"),
        "{s}"
    );
    assert!(s.contains("\"secretsmanager:GetSecretValue\""), "{s}");
    let out = ecsroles(&["explain", "-", "--format", "json"], Some(m));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["shape"], "secrets-manager-denied");
    assert_eq!(v["roleKind"], "taskExecution");
    let out = ecsroles(&["explain", "Essential container in task exited"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not an error ecsroles recognises"));
    // The fix in the user's format: the plan's policy on the role the message names.
    let out = ecsroles(
        &[
            "explain",
            m,
            "examples/fargate-web-api.yaml",
            "--fix",
            "terraform",
        ],
        None,
    );
    let s = text(&out.stdout);
    let fix = s.split("== The fix (terraform):").nth(1).expect("a fix");
    assert!(
        fix.contains("resource \"aws_iam_role_policy\" \"task_execution\""),
        "{s}"
    );
    assert!(fix.contains("role   = \"web-api-execution\""), "{s}");
    assert!(
        fix.contains("arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/web-api/db-AbCdEf"),
        "{s}"
    );
    assert!(!fix.contains("web-api-task"), "only the denied role: {fix}");
    let out = ecsroles(
        &[
            "explain",
            "-",
            "examples/fargate-web-api.yaml",
            "--fix",
            "iam",
            "--format",
            "json",
        ],
        Some(m),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let iam: serde_json::Value =
        serde_json::from_str(v["fix"]["text"].as_str().unwrap()).expect("the iam fix");
    assert_eq!(iam["roles"][0]["roleName"], "web-api-execution");
    // A call the workload does not declare: no fix to render, said.
    let other = m.replace("prod/web-api/db-AbCdEf", "other-AbCdEf");
    let out = ecsroles(
        &[
            "explain",
            &other,
            "examples/fargate-web-api.yaml",
            "--fix",
            "terraform",
        ],
        None,
    );
    let s = text(&out.stdout);
    assert!(
        s.contains("No terraform fix") && !s.contains("== The fix"),
        "{s}"
    );
    let out = ecsroles(&["explain", m, "--fix", "terraform"], None);
    assert_eq!(out.status.code(), Some(2), "--fix needs the workload");
}

/// `audit`: the example's roles as get-account-authorization-details returns them
/// (tests/audit/): the missing grants fail the run (exit 1), JSON for machines, a bad file is
/// named.
#[test]
fn audit_reports_missing_broader_and_trust_and_exits_one_when_a_grant_is_missing() {
    let args = [
        "audit",
        "examples/fargate-web-api.yaml",
        "--roles",
        "tests/audit/web-api-authorization-details.json",
    ];
    let out = ecsroles(&args, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("missing  secretsmanager:GetSecretValue"), "{s}");
    assert!(
        s.contains("trust    does not trust ecs-tasks.amazonaws.com"),
        "{s}"
    );
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let v: serde_json::Value =
        serde_json::from_slice(&ecsroles(&json_args, None).stdout).expect("json");
    assert_eq!(v["roles"][0]["missing"][0]["decision"], "explicitDeny");
    let mut sarif_args = args.to_vec();
    sarif_args.extend(["--format", "sarif"]);
    let v: serde_json::Value =
        serde_json::from_slice(&ecsroles(&sarif_args, None).stdout).expect("sarif");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().expect("results");
    let errors = |rule: &str| {
        results
            .iter()
            .filter(|r| r["level"] == "error" && r["ruleId"] == rule)
            .count()
    };
    assert_eq!(errors("missing-grant"), 4, "one error per missing grant");
    assert_eq!(
        errors("trust"),
        1,
        "the task role ECS cannot assume fails the task: an error too"
    );
    assert!(results.iter().all(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "examples/fargate-web-api.yaml"
    ));
    let out = ecsroles(
        &[
            "audit",
            "examples/fargate-web-api.yaml",
            "--roles",
            "examples/fargate-web-api.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("fargate-web-api.yaml: not JSON"),
        "{}",
        text(&out.stderr)
    );
}

/// `audit --fix FORMAT`: the fix in the user's format (the plan's documents on the existing
/// roles found wanting), what to remove and the trust to put in place; in json under `fix`.
#[test]
fn audit_fix_prints_the_replacement_in_the_format_asked_for() {
    let args = [
        "audit",
        "examples/fargate-web-api.yaml",
        "--roles",
        "tests/audit/web-api-authorization-details.json",
    ];
    let mut tf = args.to_vec();
    tf.extend(["--fix", "terraform"]);
    let out = ecsroles(&tf, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("== The fix (terraform) for web-api-execution, web-api-task:"),
        "{s}"
    );
    assert!(
        s.contains("resource \"aws_iam_role_policy\" \"task_execution\""),
        "{s}"
    );
    assert!(s.contains("role   = \"web-api-execution\""), "{s}");
    assert!(
        !s.contains("resource \"aws_iam_role\" "),
        "existing roles are not re-created: {s}"
    );
    assert!(s.contains("aws iam detach-role-policy --role-name 'web-api-execution' --policy-arn 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'"), "{s}");
    assert!(
        s.contains("aws iam update-assume-role-policy --role-name 'web-api-task'"),
        "{s}"
    );
    assert!(
        s.contains("blocked: web-api-execution: secretsmanager:GetSecretValue"),
        "{s}"
    );
    let mut json = args.to_vec();
    json.extend(["--fix", "aws-cli", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&ecsroles(&json, None).stdout).expect("json");
    assert_eq!(v["fix"]["format"], "aws-cli");
    let sh = v["fix"]["text"].as_str().unwrap();
    // The plan's own policy name: it replaces the plan's earlier policy, never sits beside it.
    assert!(
        sh.contains("aws iam put-role-policy") && sh.contains("--policy-name 'ecsroles'"),
        "{sh}"
    );
    assert_eq!(v["fix"]["remove"].as_array().unwrap().len(), 2);
    // A format that leaves an existing role's managed attachments out is not offered.
    let mut cfn = args.to_vec();
    cfn.extend(["--fix", "cloudformation-yaml"]);
    assert_eq!(ecsroles(&cfn, None).status.code(), Some(2));
    let mut sarif = args.to_vec();
    sarif.extend(["--fix", "iam", "--format", "sarif"]);
    let out = ecsroles(&sarif, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("SARIF results carry no fix"),
        "{}",
        text(&out.stderr)
    );
}

/// `audit` on `get-account-authorization-details --filter Role` output (no managed policy
/// documents): the console's execution role policy is judged from the snapshot, and said so.
#[test]
fn audit_judges_an_aws_managed_policy_the_file_lacks_from_the_snapshot() {
    let gaad = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/audit/web-api-authorization-details.json"
    ))
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&gaad).unwrap();
    v.as_object_mut().unwrap().remove("Policies");
    let roles = std::env::temp_dir().join(format!("ecsroles-roles-{}.json", std::process::id()));
    std::fs::write(&roles, v.to_string()).unwrap();
    let out = ecsroles(
        &[
            "audit",
            "examples/fargate-web-api.yaml",
            "--roles",
            roles.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("snapshot AmazonECSTaskExecutionRolePolicy v1 (2017-11-16T18:48:22Z)"),
        "{s}"
    );
    assert!(s.contains("broader  ecr:BatchGetImage on * (arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy)"), "{s}");
    assert!(!s.contains("unread"), "{s}");
    std::fs::remove_file(&roles).ok();
}

/// `audit` without the roles, or `--live` without a workload or a cluster: usage errors that
/// say what to pass (exit 2), before any AWS call.
#[test]
fn audit_says_what_it_needs() {
    for (args, says) in [
        (
            &["audit", "examples/fargate-web-api.yaml"][..],
            "--roles FILE (get-account-authorization-details output, or get-role and its policies' outputs) or --live",
        ),
        (
            &[
                "audit",
                "--roles",
                "tests/audit/web-api-authorization-details.json",
            ][..],
            "audit --roles needs the workload FILE",
        ),
        (&["audit", "--live"][..], "pass --cluster NAME"),
    ] {
        let out = ecsroles(args, None);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(says),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let both = ecsroles(
        &[
            "audit",
            "examples/fargate-web-api.yaml",
            "--roles",
            "x.json",
            "--live",
        ],
        None,
    );
    assert_eq!(both.status.code(), Some(2), "--roles and --live conflict");
}
