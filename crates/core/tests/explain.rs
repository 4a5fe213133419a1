//! `ecsroles explain` on real messages (tests/explain/messages.yaml: verbatim, each with where it
//! was seen): every one is recognised as the shape its thread says, with the role, action and
//! resource it states; every shape of the table has real messages behind it.

mod common;

use common::*;
use ecsroles_core::explain::{explain, SHAPES};
use ecsroles_core::{parse_document, plan};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    id: String,
    message: String,
    source: String,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Expect {
    shape: String,
    iam: bool,
    role_kind: Option<String>,
    #[serde(default)]
    caller: bool,
    action: Option<String>,
    resource: Option<String>,
    role: Option<String>,
}

fn cases() -> Vec<Case> {
    let text =
        std::fs::read_to_string(repo_root().join("tests/explain/messages.yaml")).expect("corpus");
    serde_yaml::from_str(&text).expect("corpus parses")
}

#[test]
fn every_real_message_is_explained_as_its_thread_says() {
    let mut wrong = Vec::new();
    let all = cases();
    assert!(all.len() >= 18, "{} messages", all.len());
    for c in &all {
        let Some(e) = explain(&c.message, None) else {
            wrong.push(format!("{}: not recognised", c.id));
            continue;
        };
        let x = &c.expect;
        let kind = e.role_kind.map(|k| k.key().to_string());
        let mut check = |what: &str, want: Option<&str>, got: Option<&str>| {
            if want.is_some() && want != got {
                wrong.push(format!("{}: {what} {:?}, expected {:?}", c.id, got, want));
            }
        };
        check("shape", Some(&x.shape), Some(e.shape));
        check("roleKind", x.role_kind.as_deref(), kind.as_deref());
        check("action", x.action.as_deref(), e.action.as_deref());
        check("resource", x.resource.as_deref(), e.resource.as_deref());
        check("role", x.role.as_deref(), e.role.as_deref());
        if e.iam != x.iam || e.caller != x.caller {
            wrong.push(format!(
                "{}: iam {} caller {}, expected {} {}",
                c.id, e.iam, e.caller, x.iam, x.caller
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_shape_has_real_messages_and_cites_one_of_their_sources() {
    let all = cases();
    for s in SHAPES {
        let mine: Vec<&Case> = all.iter().filter(|c| c.expect.shape == s.id).collect();
        assert!(!mine.is_empty(), "shape {} has no real message", s.id);
        assert!(
            mine.iter().any(|c| c.source == s.seen),
            "shape {}: seen {} is none of its messages' sources",
            s.id,
            s.seen
        );
    }
}

/// With the workload: the plan says whether the deployed role lacks what the plan grants, or the
/// workload does not declare what the application called.
#[test]
fn with_the_workload_the_plan_says_whether_it_grants_the_denied_call() {
    let spec = "name: web\naccount: \"111122223333\"\nregion: us-east-1\ncluster: c\nlaunchType: FARGATE\ntaskDefinition:\n  family: web\n  networkMode: awsvpc\n  executionRoleArn: arn:aws:iam::111122223333:role/web-exec\n  containerDefinitions:\n    - name: app\n      image: nginx\n      secrets: [{name: DB, valueFrom: \"arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf\"}]\napp:\n  access:\n    - s3: {bucket: reports, access: read}\n";
    let (spec, _) = parse_document(spec).expect("spec");
    let p = plan(&spec);
    // The execution role the plan uses was denied the secret the task injects: apply the plan.
    let m = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/web-exec/0123 is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf";
    let e = explain(m, Some(&p)).expect("recognised");
    let c = e.plan.expect("checked against the plan");
    assert_eq!(
        c.granted_by.as_deref(),
        Some("SecretsManagerGetSecretValue"),
        "{}",
        c.verdict
    );
    assert!(c
        .document
        .expect("the statement")
        .to_string()
        .contains("secret:db-"));
    // Another secret than the task's: the plan does not grant it.
    let other = m.replace("secret:db-AbCdEf", "secret:other-XyZ123");
    let c = explain(&other, Some(&p))
        .and_then(|e| e.plan)
        .expect("checked");
    assert!(
        c.granted_by.is_none() && c.verdict.contains("not on"),
        "{}",
        c.verdict
    );
    // The application's own call with the task role, not declared: the workload must say so.
    let app = "An error occurred (AccessDeniedException) when calling the PutItem operation: User: arn:aws:sts::111122223333:assumed-role/web-task/abc is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/orders";
    let e = explain(app, Some(&p)).expect("recognised");
    assert_eq!(e.role_kind, Some(ecsroles_core::RoleKind::Task));
    let c = e.plan.expect("checked");
    assert!(
        c.granted_by.is_none() && c.verdict.contains("app.access"),
        "{}",
        c.verdict
    );
    // A trust problem: the plan's trust policy for that role, to compare.
    let trust = "ECS was unable to assume the role 'arn:aws:iam::111122223333:role/web-task' that was provided for this task.";
    let c = explain(trust, Some(&p))
        .and_then(|e| e.plan)
        .expect("checked");
    assert!(c
        .document
        .expect("trust")
        .to_string()
        .contains("ecs-tasks.amazonaws.com"));
    // The role the file names is used as it exists: what its trust must say.
    let c = explain(&trust.replace("web-task", "web-exec"), Some(&p))
        .and_then(|e| e.plan)
        .expect("checked");
    assert!(
        c.document.is_none() && c.verdict.contains("ecs-tasks.amazonaws.com"),
        "{}",
        c.verdict
    );
    // Not IAM: the plan is not consulted.
    let net = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: RequestCanceled: request context canceled caused by: context deadline exceeded";
    let e = explain(net, Some(&p)).expect("recognised");
    assert!(!e.iam && e.plan.is_none());
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text, and real messages cut anywhere (on char boundaries) and spliced with junk:
        /// `explain` answers or declines, never panics, and what it reads is in the message.
        #[test]
        fn explain_never_panics(junk in "\\PC{0,40}", cut in 0usize..400, pick in 0usize..51, plan_it: bool) {
            let all = cases();
            let m = &all[pick % all.len()].message;
            let mut at = cut.min(m.len());
            while !m.is_char_boundary(at) {
                at -= 1;
            }
            let p = plan_it.then(|| {
                let (spec, _) = parse_document(&std::fs::read_to_string(repo_root().join("examples/fargate-web-api.yaml")).unwrap()).unwrap();
                plan(&spec)
            });
            for text in [junk.clone(), format!("{}{junk}", &m[..at]), format!("{junk}{}", &m[at..])] {
                if let Some(e) = explain(&text, p.as_ref()) {
                    for part in [&e.action, &e.resource, &e.principal].into_iter().flatten() {
                        prop_assert!(text.contains(part.as_str()), "{part:?} not in {text:?}");
                    }
                }
            }
        }
    }
}

/// `text` matches `template` (`Shape::prints`): its literal parts appear in order, compared
/// lower-cased with runs of white space as one; `{…}` placeholders and `…` match anything.
fn matches_template(template: &str, text: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let (template, text) = (norm(template), norm(text));
    let mut literal = String::new();
    let mut parts = Vec::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '…' || (c == '{' && chars.peek().is_some_and(|n| n.is_ascii_lowercase())) {
            if c == '{' {
                for n in chars.by_ref() {
                    if n == '}' {
                        break;
                    }
                }
            }
            parts.push(std::mem::take(&mut literal));
        } else {
            literal.push(c);
        }
    }
    parts.push(literal);
    let mut at = 0;
    for p in parts.iter().filter(|p| !p.trim().is_empty()) {
        match text[at..].find(p.as_str()) {
            Some(i) => at += i + p.len(),
            None => return false,
        }
    }
    true
}

/// What the audit quotes as "fails as" is the text ECS printed in the real messages of that
/// shape, not a paraphrase; filled in, `explain` reads it back as the same shape, action and
/// resource.
#[test]
fn every_printed_message_is_the_real_text_and_explains_as_its_shape() {
    use ecsroles_core::explain::{names_action, printed, Refusal};
    use ecsroles_core::RoleKind;
    let all = cases();
    let mut quoted = 0;
    for s in SHAPES {
        let Some(t) = s.prints else { continue };
        quoted += 1;
        assert!(
            all.iter()
                .filter(|c| c.expect.shape == s.id)
                .any(|c| matches_template(t, &c.message)),
            "shape {}: its printed text matches none of its real messages",
            s.id
        );
        assert!(!matches_template(t, "something else entirely"), "{}", s.id);
    }
    assert!(quoted >= 10, "{quoted} shapes quoted");
    // Each quoted shape, reached through `printed` as the audit reaches it.
    let principal = "arn:aws:sts::111122223333:assumed-role/web-exec/…";
    let cases: &[(RoleKind, &str, &str, &str)] = &[
        (
            RoleKind::TaskExecution,
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
            "secrets-manager-denied",
        ),
        (
            RoleKind::TaskExecution,
            "ssm:GetParameters",
            "arn:aws:ssm:us-east-1:111122223333:parameter/app/db",
            "ssm-parameters-denied",
        ),
        (
            RoleKind::TaskExecution,
            "ecr:GetAuthorizationToken",
            "*",
            "ecr-auth-denied",
        ),
        (
            RoleKind::TaskExecution,
            "ecr:BatchGetImage",
            "arn:aws:ecr:us-east-1:111122223333:repository/web",
            "ecr-pull-denied",
        ),
        // The instance role's pulls: IAM's own text (EC2's agent words it otherwise).
        (
            RoleKind::ContainerInstance,
            "ecr:BatchGetImage",
            "arn:aws:ecr:us-east-1:111122223333:repository/web",
            "access-denied",
        ),
        (
            RoleKind::TaskExecution,
            "logs:CreateLogStream",
            "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:*",
            "awslogs-denied",
        ),
        (
            RoleKind::TaskExecution,
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "kms-denied-at-launch",
        ),
        (
            RoleKind::ContainerInstance,
            "ecs:RegisterContainerInstance",
            "arn:aws:ecs:us-east-1:111122223333:cluster/c",
            "instance-registration",
        ),
        (
            RoleKind::Task,
            "ssmmessages:CreateControlChannel",
            "*",
            "exec-not-connected",
        ),
        (
            RoleKind::Task,
            "elasticfilesystem:ClientMount",
            "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-1",
            "efs-access-denied",
        ),
        // The application's own call with the task role: IAM's message, not the agent's.
        (
            RoleKind::Task,
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
            "access-denied",
        ),
    ];
    for (kind, action, resource, shape) in cases {
        let text = printed(*kind, principal, action, resource, Refusal::NotAllowed)
            .unwrap_or_else(|| panic!("{action} on a {kind:?} role: nothing printed"));
        let e = explain(&text, None).expect("explained");
        assert_eq!(e.shape, *shape, "{action} on a {kind:?} role: {text}");
        let named = SHAPES.iter().find(|s| s.id == *shape).unwrap();
        if named.prints.unwrap().contains("{action}") {
            assert_eq!(e.action.as_deref(), Some(*action), "{text}");
            assert_eq!(e.resource.as_deref(), Some(*resource), "{text}");
        }
        assert!(
            *shape == "access-denied" || names_action(named, &action.to_lowercase()),
            "{shape} does not name {action}"
        );
    }
    // awslogs names the call it saw fail (CreateLogStream, the first): not quoted for another.
    assert_eq!(
        printed(
            RoleKind::TaskExecution,
            principal,
            "logs:PutLogEvents",
            "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:*",
            Refusal::NotAllowed
        ),
        None
    );
    // The manifest's 403 is BatchGetImage's: not quoted for the layer download.
    assert_eq!(
        printed(
            RoleKind::TaskExecution,
            principal,
            "ecr:GetDownloadUrlForLayer",
            "arn:aws:ecr:us-east-1:111122223333:repository/web",
            Refusal::NotAllowed
        ),
        None
    );
    // IAM prints the concrete ARN: a planned pattern's wildcards are quoted as "…".
    let secret = printed(
        RoleKind::TaskExecution,
        principal,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-??????",
        Refusal::NotAllowed,
    )
    .unwrap();
    assert!(
        secret.contains(
            "on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:db-… because"
        ),
        "{secret}"
    );
    // An explicit Deny is said as IAM says it.
    let denied = printed(
        RoleKind::TaskExecution,
        principal,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
        Refusal::Denied,
    )
    .unwrap();
    assert!(
        denied.ends_with("with an explicit deny in an identity-based policy"),
        "{denied}"
    );
    let bounded = printed(
        RoleKind::Task,
        principal,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        Refusal::NotInBoundary,
    )
    .unwrap();
    assert!(
        bounded.ends_with("because no permissions boundary allows the s3:GetObject action"),
        "{bounded}"
    );
}
