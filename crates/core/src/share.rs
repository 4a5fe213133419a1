//! What a share link may leave out of a document: the values that never change a role and that
//! often hold secrets in plain text (environment values, commands) or most of the bytes.
//!
//! Why here and not in the calculator: which fields affect the roles is a fact about the rules
//! in this crate. `tests/share.rs` proves it on every example and every real-world task
//! definition: the document with these values left out plans exactly the same roles.

use serde_json::Value;

/// One kind of value a share link leaves out.
pub struct LeftOut {
    /// The field, as the task definition spells it (matched case-insensitively, so
    /// CloudFormation's `Environment`/`Value` are found too).
    pub field: &'static str,
    /// What the link says about it.
    pub label: &'static str,
}

/// Left out of share links. No rule reads these. What stays: the environment's *names* and
/// `valueFrom` (a misplaced `valueFrom` is reported by name), the values of the variables a rule
/// reads (`rules::environment_read`), of a command only the ADOT collector's `--config`
/// arguments, and secrets (their ARNs are what the execution role is scoped to).
pub const LEFT_OUT: &[LeftOut] = &[
    LeftOut {
        field: "environment[].value",
        label: "environment values",
    },
    LeftOut {
        field: "command",
        label: "commands",
    },
    LeftOut {
        field: "entryPoint",
        label: "entry points",
    },
    LeftOut {
        field: "healthCheck",
        label: "health checks",
    },
    LeftOut {
        field: "dockerLabels",
        label: "Docker labels",
    },
    // A Fluentd output's static secret key: its value becomes "…" (whether there is one decides
    // the plan, with aws_key_id, which stays).
    LeftOut {
        field: crate::rules::FLUENTD_SECRET_KEY,
        label: "secret access keys",
    },
];

/// A document made fit for a link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Shareable {
    /// Compact JSON of the document without the values in [`LEFT_OUT`].
    pub text: String,
    /// The labels of what was actually found and left out, in [`LEFT_OUT`] order.
    pub left_out: Vec<&'static str>,
}

/// The document without the values in [`LEFT_OUT`], wherever they are (a task definition,
/// `describe-task-definition` output, a CloudFormation template, a spec). `None` when the text
/// is not JSON: the caller then shares it as typed and says so.
pub fn shareable(text: &str) -> Option<Shareable> {
    let mut doc: Value =
        serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()?;
    let mut found = [false; LEFT_OUT.len()];
    strip(&mut doc, &mut found);
    Some(Shareable {
        text: doc.to_string(),
        left_out: LEFT_OUT
            .iter()
            .zip(found)
            .filter_map(|(l, f)| f.then_some(l.label))
            .collect(),
    })
}

fn strip(v: &mut Value, found: &mut [bool; LEFT_OUT.len()]) {
    match v {
        Value::Object(map) => {
            // The image as written, or inside a template's Fn::Sub / Fn::Join.
            let adot = map.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("image")
                    && match v.as_str() {
                        Some(image) => crate::rules::image_name(image) == crate::rules::adot::IMAGE,
                        None => v.to_string().contains(crate::rules::adot::IMAGE),
                    }
            });
            map.retain(|k, v| {
                if adot && k.eq_ignore_ascii_case("command") {
                    found[COMMANDS] |= collector_arguments(v);
                    return true;
                }
                // Its presence decides the plan (rules::FLUENTD_STATIC_KEY), its value goes.
                if k.eq_ignore_ascii_case(LEFT_OUT[SECRET_KEYS].field) {
                    found[SECRET_KEYS] = true;
                    *v = Value::from("…");
                    return true;
                }
                let drop = LEFT_OUT
                    .iter()
                    .position(|l| !l.field.contains('[') && l.field.eq_ignore_ascii_case(k));
                if let Some(i) = drop {
                    found[i] = true;
                }
                drop.is_none()
            });
            for (k, child) in map.iter_mut() {
                if k.eq_ignore_ascii_case("environment") {
                    if let Value::Array(entries) = child {
                        for e in entries.iter_mut().filter_map(Value::as_object_mut) {
                            // Except the variables a rule reads (aws-for-fluent-bit's init
                            // config files: their S3 ARNs scope the task role).
                            let read = e.iter().any(|(k, n)| {
                                k.eq_ignore_ascii_case("name")
                                    && n.as_str().and_then(crate::rules::environment_read)
                                        == Some(true)
                            });
                            if read {
                                continue;
                            }
                            let before = e.len();
                            e.retain(|k, _| !k.eq_ignore_ascii_case("value"));
                            found[0] |= e.len() != before;
                        }
                    }
                }
                strip(child, found);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| strip(i, found)),
        _ => {}
    }
}

/// `LEFT_OUT`'s rows for commands and for secret keys (redacted, not removed).
const COMMANDS: usize = 1;
const SECRET_KEYS: usize = 5;

/// The ADOT collector's command keeps what the plan reads — its `--config` arguments, whole
/// template placeholders and intrinsics, or a command that is not a list — and every other
/// argument becomes "…" (still there, so the plan still says it is not read). Whether
/// anything was left out.
fn collector_arguments(command: &mut Value) -> bool {
    let Value::Array(args) = command else {
        return false;
    };
    let mut left_out = false;
    let mut previous: Option<String> = None;
    for a in args.iter_mut() {
        // A template's intrinsic ({"Ref": …}) stays: the plan says it cannot read it.
        let Some(text) = a.as_str().map(str::to_string) else {
            previous = None;
            continue;
        };
        let whole_placeholder = crate::placeholder::find(&text)
            .is_some_and(|p| p.start == 0 && p.end == text.trim().len());
        if !(crate::rules::adot::is_config_argument(&text, previous.as_deref())
            || whole_placeholder)
        {
            left_out |= text != "…";
            *a = Value::String("…".into());
        }
        previous = Some(text);
    }
    left_out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_values_and_commands_go_names_and_secrets_stay() {
        let doc = r#"{"family":"x","containerDefinitions":[{"name":"a","image":"i",
            "command":["sh","-c","curl -H 'token: s3cr3t'"],"dockerLabels":{"k":"v"},
            "environment":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"X","valueFrom":"arn:x"}],
            "secrets":[{"name":"S","valueFrom":"arn:aws:ssm:us-east-1:1:parameter/p"}]}]}"#;
        let s = shareable(doc).unwrap();
        assert!(
            !s.text.contains("hunter2") && !s.text.contains("s3cr3t"),
            "{}",
            s.text
        );
        assert!(s.text.contains("DB_PASSWORD") && s.text.contains("arn:x"));
        assert!(s.text.contains("parameter/p"));
        assert_eq!(
            s.left_out,
            ["environment values", "commands", "Docker labels"]
        );
        // CloudFormation's casing.
        let cfn = r#"{"Resources":{"T":{"Type":"AWS::ECS::TaskDefinition","Properties":{
            "ContainerDefinitions":[{"Name":"a","Environment":[{"Name":"K","Value":"v1"}],
            "EntryPoint":["x"]}]}}}}"#;
        let s = shareable(cfn).unwrap();
        assert!(
            !s.text.contains("v1") && !s.text.contains("EntryPoint"),
            "{}",
            s.text
        );
        assert_eq!(s.left_out, ["environment values", "entry points"]);
        assert!(shareable("family: x").is_none(), "YAML is shared as typed");
        let keyed = r#"{"containerDefinitions":[{"name":"a","logConfiguration":{"logDriver":"awsfirelens",
            "options":{"@type":"s3","aws_key_id":"AKIAEXAMPLE","aws_sec_key":"wJalrXUtnFEMI"}}}]}"#;
        let s = shareable(keyed).unwrap();
        assert!(
            !s.text.contains("wJalrXUtnFEMI") && s.text.contains("AKIAEXAMPLE"),
            "{}",
            s.text
        );
        assert!(s.text.contains(r#""aws_sec_key":"…""#), "{}", s.text);
        assert_eq!(s.left_out, ["secret access keys"]);
        assert_eq!(LEFT_OUT[SECRET_KEYS].field, "aws_sec_key");
    }

    #[test]
    fn what_a_rule_reads_of_the_adot_collector_stays() {
        let doc = r#"{"containerDefinitions":[{"name":"otel","image":"amazon/aws-otel-collector",
            "command":["--set=token=s3cr3t","--config","/etc/ecs/ecs-amp.yaml"],
            "environment":[{"name":"AWS_PROMETHEUS_ENDPOINT","value":"https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"},
                {"name":"AOT_CONFIG_CONTENT","value":"exporters: {password: hunter2}"}]}]}"#;
        let s = shareable(doc).unwrap();
        assert!(
            s.text
                .contains(r#""command":["…","--config","/etc/ecs/ecs-amp.yaml"]"#),
            "{}",
            s.text
        );
        assert!(s.text.contains("workspaces/ws-1") && s.text.contains("AOT_CONFIG_CONTENT"));
        assert!(
            !s.text.contains("s3cr3t") && !s.text.contains("hunter2"),
            "{}",
            s.text
        );
        assert_eq!(s.left_out, ["environment values", "commands"]);
        assert_eq!(LEFT_OUT[COMMANDS].field, "command");
        // Another container's command goes whole, --config or not.
        let app = r#"{"containerDefinitions":[{"name":"a","image":"app","command":["--config=/etc/app.yaml","--password=${PW}"]}]}"#;
        let s = shareable(app).unwrap();
        assert!(!s.text.contains("command"), "{}", s.text);
    }
}
