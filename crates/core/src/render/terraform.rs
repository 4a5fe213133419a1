//! Terraform (HCL): `aws_iam_role`, `aws_iam_role_policy`, `aws_iam_role_policy_attachment`,
//! `aws_iam_instance_profile`, outputs for every ARN, variables where the spec left the account,
//! region or partition open; and the inputs of terraform-aws-modules/ecs's service module.
//!
//! Documents use `jsonencode({...})` rather than `aws_iam_policy_document` data sources: the
//! HCL then holds exactly the document the plan computed (it compares 1:1 with `--format iam`),
//! each statement can carry its `why` as a comment, and nothing is re-merged or re-ordered by
//! the provider.

use std::fmt::Write;

use serde_json::Value;

use super::{is_symbolic, snake, statement_comment, writable_roles};
use crate::arn::{ACCOUNT_PLACEHOLDER, PARTITION_PLACEHOLDER, REGION_PLACEHOLDER};
use crate::model::{PlannedRole, Provisioning, RoleKind, RolePlan};
use crate::policy::{PolicyDocument, Statement};

/// A quoted HCL string: escapes, and `${`/`%{` doubled so HCL does not interpolate them; then
/// the plan's placeholders become variable references.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out.replace("${", "$${")
        .replace("%{", "%%{")
        .replace(&format!("${ACCOUNT_PLACEHOLDER}"), "${var.account_id}")
        .replace(&format!("${REGION_PLACEHOLDER}"), "${var.region}")
        .replace(&format!("${PARTITION_PLACEHOLDER}"), "${var.partition}")
}

/// An HCL object key: bare when it is an identifier, quoted otherwise (`"aws:SourceAccount"`).
fn key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident {
        k.to_string()
    } else {
        string(k)
    }
}

/// A JSON value as an HCL expression (for `jsonencode`), multi-line, indented.
fn value(v: &Value, level: usize, comments: &dyn Fn(&Value) -> Option<String>) -> String {
    let pad = "  ".repeat(level + 1);
    let end = "  ".repeat(level);
    match v {
        Value::String(s) => string(s),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Array(a) if a.iter().all(|x| x.is_string()) && a.len() <= 1 => {
            format!(
                "[{}]",
                a.iter()
                    .map(|x| value(x, level, comments))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        Value::Array(a) => {
            let mut out = String::from("[\n");
            for item in a {
                if let Some(c) = comments(item) {
                    for line in c.lines() {
                        let _ = writeln!(out, "{pad}# {line}");
                    }
                }
                let _ = writeln!(out, "{pad}{},", value(item, level + 1, comments));
            }
            out.push_str(&end);
            out.push(']');
            out
        }
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Object(m) => {
            let width = m.keys().map(|k| key(k).len()).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (k, x) in m {
                let _ = writeln!(
                    out,
                    "{pad}{:<width$} = {}",
                    key(k),
                    value(x, level + 1, comments)
                );
            }
            out.push_str(&end);
            out.push('}');
            out
        }
    }
}

fn document(doc: &PolicyDocument, level: usize) -> String {
    let statements: Vec<(Value, String)> = doc
        .statements
        .iter()
        .map(|s: &Statement| (s.to_iam_json(), statement_comment(s)))
        .collect();
    let comments = |item: &Value| {
        statements
            .iter()
            .find(|(v, _)| v == item)
            .map(|(_, c)| c.clone())
    };
    format!(
        "jsonencode({})",
        value(&doc.to_iam_json(), level, &comments)
    )
}

fn attr(out: &mut String, name: &str, width: usize, v: &str) {
    let _ = writeln!(out, "  {name:<width$} = {v}");
}

fn role_block(out: &mut String, plan: &RolePlan, r: &PlannedRole) {
    let id = snake(r.kind);
    let _ = writeln!(out, "# {} — {}", r.kind.title(), r.when);
    for w in &r.why {
        let _ = writeln!(out, "# why: {w}");
    }
    let _ = writeln!(out, "resource \"aws_iam_role\" \"{id}\" {{");
    let w = 20;
    match (&r.name, &r.name_prefix) {
        (Some(n), _) => attr(out, "name", w, &string(n)),
        (None, Some(p)) => attr(out, "name_prefix", w, &string(p)),
        (None, None) => {}
    }
    attr(out, "path", w, &string(&r.path));
    attr(
        out,
        "description",
        w,
        &string(&super::role_description(plan, r)),
    );
    if let Some(b) = &r.permissions_boundary {
        attr(out, "permissions_boundary", w, &string(b));
    }
    if let Some(d) = r.max_session_duration {
        attr(out, "max_session_duration", w, &d.to_string());
    }
    if let Some(t) = &r.trust_policy {
        attr(out, "assume_role_policy", w, &document(t, 1));
    }
    if !r.tags.is_empty() {
        let tags: serde_json::Map<String, Value> = r
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .collect();
        attr(out, "tags", w, &value(&Value::Object(tags), 1, &|_| None));
    }
    out.push_str("}\n\n");
}

/// The role's name expression: the resource's name, or the existing role's literal name.
fn role_ref(r: &PlannedRole) -> String {
    if r.provisioning == Provisioning::Existing {
        string(r.name.as_deref().unwrap_or_default())
    } else {
        format!("aws_iam_role.{}.name", snake(r.kind))
    }
}

/// Terraform resources for every role of the plan.
pub fn resources(plan: &RolePlan) -> String {
    let mut out = format!(
        "# IAM roles for ECS workload {} ({}), generated by ecsroles.\n# Re-run ecsroles rather than editing: every statement below says why it exists.\n\n",
        plan.workload,
        plan.launch_type.as_str()
    );
    let mut body = String::new();
    let mut outputs = String::new();
    for r in writable_roles(plan) {
        let id = snake(r.kind);
        if r.provisioning == Provisioning::Create {
            role_block(&mut body, plan, r);
            let _ = writeln!(outputs, "output \"{id}_role_arn\" {{\n  description = {}\n  value       = aws_iam_role.{id}.arn\n}}\n", string(r.kind.title()));
        } else {
            let _ = writeln!(body, "# {} {} exists already (named by the task definition or existingArn): ecsroles only adds the permissions this workload needs, in a policy named after it.\n", r.kind.title(), r.arn);
        }
        for p in &r.inline_policies {
            let _ = writeln!(body, "resource \"aws_iam_role_policy\" \"{id}\" {{");
            attr(&mut body, "name", 6, &string(&p.name));
            attr(&mut body, "role", 6, &role_ref(r));
            attr(&mut body, "policy", 6, &document(&p.document, 1));
            body.push_str("}\n\n");
        }
        for (i, m) in r.managed_policies.iter().enumerate() {
            let _ = writeln!(body, "# {}", m.why);
            let _ = writeln!(
                body,
                "resource \"aws_iam_role_policy_attachment\" \"{id}_{i}\" {{"
            );
            attr(&mut body, "role", 10, &role_ref(r));
            attr(&mut body, "policy_arn", 10, &string(&m.arn));
            body.push_str("}\n\n");
        }
        if let Some(ip) = &r.instance_profile {
            let _ = writeln!(body, "resource \"aws_iam_instance_profile\" \"{id}\" {{");
            attr(&mut body, "name", 4, &string(&ip.name));
            attr(&mut body, "path", 4, &string(&ip.path));
            attr(&mut body, "role", 4, &role_ref(r));
            body.push_str("}\n\n");
            let _ = writeln!(outputs, "output \"{id}_instance_profile_arn\" {{\n  description = \"Instance profile\"\n  value       = aws_iam_instance_profile.{id}.arn\n}}\n");
        }
    }
    out.push_str(&variables(&body));
    out.push_str(&body);
    out.push_str(&outputs);
    out.trim_end().to_string() + "\n"
}

/// Variables for the parts of ARNs the spec left open.
fn variables(body: &str) -> String {
    let mut out = String::new();
    for (var, desc, default) in [
        (
            "account_id",
            "AWS account id the ECS tasks run in (the spec left it open)",
            None,
        ),
        (
            "region",
            "AWS region the ECS tasks run in (the spec left it open)",
            None,
        ),
        (
            "partition",
            "AWS partition (the spec left it open)",
            Some("aws"),
        ),
    ] {
        if body.contains(&format!("${{var.{var}}}")) {
            let _ = writeln!(
                out,
                "variable \"{var}\" {{\n  description = {}\n  type        = string",
                string(desc)
            );
            if let Some(d) = default {
                let _ = writeln!(out, "  default     = {}", string(d));
            }
            out.push_str("}\n\n");
        }
    }
    out
}

/// One statement in the module's `list(object({sid, actions, resources, condition…}))` form.
fn module_statement(s: &Statement) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("sid".into(), Value::from(s.sid.to_string()));
    if s.effect == crate::policy::Effect::Deny {
        m.insert("effect".into(), "Deny".into());
    }
    let list = |v: &[String]| Value::Array(v.iter().cloned().map(Value::from).collect());
    if !s.actions.is_empty() {
        m.insert(
            "actions".into(),
            s.actions
                .iter()
                .map(|a| Value::from(a.to_string()))
                .collect(),
        );
    }
    if !s.not_actions.is_empty() {
        m.insert(
            "not_actions".into(),
            s.not_actions
                .iter()
                .map(|a| Value::from(a.to_string()))
                .collect(),
        );
    }
    if !s.resources.is_empty() {
        m.insert("resources".into(), list(&s.resources));
    }
    if !s.not_resources.is_empty() {
        m.insert("not_resources".into(), list(&s.not_resources));
    }
    if !s.conditions.is_empty() {
        let c: Vec<Value> = s
            .conditions
            .iter()
            .flat_map(|(op, keys)| {
                keys.iter()
                    .map(move |(k, v)| serde_json::json!({"test": op, "variable": k, "values": v}))
            })
            .collect();
        m.insert("condition".into(), c.into());
    }
    Value::Object(m)
}

/// Inputs for `terraform-aws-modules/ecs//modules/service` (v6), for users already on it: the
/// module then creates the execution and task roles with exactly these permissions.
pub fn module_inputs(plan: &RolePlan) -> String {
    let mut out = format!(
        "# Inputs for terraform-aws-modules/ecs//modules/service (v6) for ECS workload {}, generated by ecsroles.\n# Merge these arguments into your module \"...\" block.\n\n",
        plan.workload
    );
    let role = |k: RoleKind| plan.role(k);
    let statements = |r: &PlannedRole, skip: &[&str]| -> Vec<(Value, String)> {
        r.inline_policies
            .iter()
            .flat_map(|p| p.document.statements.iter())
            .filter(|s| !skip.contains(&s.sid.as_ref()))
            .map(|s| (module_statement(s), statement_comment(s)))
            .collect()
    };
    let emit = |out: &mut String, name: &str, items: Vec<(Value, String)>| {
        let arr = Value::Array(items.iter().map(|(v, _)| v.clone()).collect());
        let comments = |item: &Value| {
            items
                .iter()
                .find(|(v, _)| v == item)
                .map(|(_, c)| c.clone())
        };
        let _ = writeln!(out, "{name} = {}\n", value(&arr, 0, &comments));
    };
    match role(RoleKind::TaskExecution) {
        Some(x) => {
            let arns = |sid: &str| -> Vec<String> {
                x.inline_policies
                    .iter()
                    .flat_map(|p| p.document.statements.iter())
                    .filter(|s| s.sid == sid)
                    .flat_map(|s| s.resources.clone())
                    .collect()
            };
            let _ = writeln!(out, "create_task_exec_iam_role = true");
            if let Some(n) = &x.name {
                let _ = writeln!(out, "task_exec_iam_role_name            = {}\ntask_exec_iam_role_use_name_prefix = false", string(n));
            }
            let _ = writeln!(
                out,
                "# The module's own execution policy: limited to exactly these ARNs."
            );
            let secrets = arns("SecretsManagerGetSecretValue");
            let params = arns("SsmGetParameters");
            let _ = writeln!(
                out,
                "task_exec_secret_arns    = {}",
                value(&Value::from(secrets), 0, &|_| None)
            );
            let _ = writeln!(
                out,
                "task_exec_ssm_param_arns = {}\n",
                value(&Value::from(params), 0, &|_| None)
            );
            emit(
                &mut out,
                "task_exec_iam_statements",
                statements(x, &["SecretsManagerGetSecretValue", "SsmGetParameters"]),
            );
        }
        None => out.push_str(
            "create_task_exec_iam_role = false # the workload needs no execution role\n\n",
        ),
    }
    match role(RoleKind::Task) {
        Some(t) => {
            let _ = writeln!(out, "create_tasks_iam_role = true");
            if let Some(n) = &t.name {
                let _ = writeln!(
                    out,
                    "tasks_iam_role_name            = {}\ntasks_iam_role_use_name_prefix = false",
                    string(n)
                );
            }
            if let Some(b) = &t.permissions_boundary {
                let _ = writeln!(out, "tasks_iam_role_permissions_boundary = {}", string(b));
            }
            out.push('\n');
            emit(&mut out, "tasks_iam_role_statements", statements(t, &[]));
        }
        None => out
            .push_str("create_tasks_iam_role = false # the application needs no AWS permissions\n"),
    }
    if is_symbolic(&out) {
        out.push_str("\n# The spec left the account/region open: define var.account_id / var.region / var.partition.\n");
    }
    out.trim_end().to_string() + "\n"
}
