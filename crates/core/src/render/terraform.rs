//! Terraform (HCL): `aws_iam_role`, `aws_iam_role_policy`, `aws_iam_role_policy_attachment`,
//! `aws_iam_instance_profile`, outputs for every ARN, variables where the spec left the account,
//! region or partition open. (terraform-aws-modules/ecs inputs: [`super::terraform_module`].)
//!
//! Documents use `jsonencode({...})` rather than `aws_iam_policy_document` data sources: the
//! HCL then holds exactly the document the plan computed (it compares 1:1 with `--format iam`),
//! each statement can carry its `why` as a comment, and nothing is re-merged or re-ordered by
//! the provider.

use std::fmt::Write;

use serde_json::Value;

use super::{snake, statement_comment, writable_roles};
use crate::arn::{ACCOUNT_PLACEHOLDER, PARTITION_PLACEHOLDER, REGION_PLACEHOLDER};
use crate::model::{PlannedRole, Provisioning, RolePlan};
use crate::policy::{PolicyDocument, Statement};

/// A quoted HCL string: escapes, and `${`/`%{` doubled so HCL does not interpolate them; then
/// the plan's placeholders become variable references.
pub(super) fn string(s: &str) -> String {
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
pub(super) fn key(k: &str) -> String {
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

pub(super) fn document(doc: &PolicyDocument, level: usize) -> String {
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

pub(super) fn attr(out: &mut String, name: &str, width: usize, v: &str) {
    let _ = writeln!(out, "  {name:<width$} = {v}");
}

pub(super) fn role_block(out: &mut String, plan: &RolePlan, r: &PlannedRole) {
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
pub(super) fn role_ref(r: &PlannedRole) -> String {
    if r.provisioning == Provisioning::Existing {
        string(r.name.as_deref().unwrap_or_default())
    } else {
        format!("aws_iam_role.{}.name", snake(r.kind))
    }
}

/// What hangs off a role: its inline policies (less the statements `skip` picks), managed
/// policy attachments and instance profile, on `role` (an HCL expression naming the role).
pub(super) fn role_attachments(
    out: &mut String,
    r: &PlannedRole,
    role: &str,
    skip: &dyn Fn(&Statement) -> bool,
) {
    let id = snake(r.kind);
    for (i, p) in r.inline_policies.iter().enumerate() {
        let mut doc = p.document.clone();
        doc.statements.retain(|s| !skip(s));
        if doc.statements.is_empty() {
            continue;
        }
        let name = if i == 0 {
            id.clone()
        } else {
            format!("{id}_{i}")
        };
        let _ = writeln!(out, "resource \"aws_iam_role_policy\" \"{name}\" {{");
        attr(out, "name", 6, &string(&p.name));
        attr(out, "role", 6, role);
        attr(out, "policy", 6, &document(&doc, 1));
        out.push_str("}\n\n");
    }
    for (i, m) in r.managed_policies.iter().enumerate() {
        let _ = writeln!(out, "# {}", m.why);
        let _ = writeln!(
            out,
            "resource \"aws_iam_role_policy_attachment\" \"{id}_{i}\" {{"
        );
        attr(out, "role", 10, role);
        attr(out, "policy_arn", 10, &string(&m.arn));
        out.push_str("}\n\n");
    }
    if let Some(ip) = &r.instance_profile {
        let _ = writeln!(out, "resource \"aws_iam_instance_profile\" \"{id}\" {{");
        attr(out, "name", 4, &string(&ip.name));
        attr(out, "path", 4, &string(&ip.path));
        attr(out, "role", 4, role);
        out.push_str("}\n\n");
    }
}

/// A role as plain resources: the role (or a note that it exists already) and what hangs off it.
pub(super) fn role_resources(out: &mut String, plan: &RolePlan, r: &PlannedRole) {
    if r.provisioning == Provisioning::Create {
        role_block(out, plan, r);
    } else {
        let _ = writeln!(out, "# {} {} exists already (named by the task definition or existingArn): ecsroles only adds the permissions this workload needs, in a policy named after it.\n", r.kind.title(), r.arn);
    }
    role_attachments(out, r, &role_ref(r), &|_| false);
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
            let _ = writeln!(outputs, "output \"{id}_role_arn\" {{\n  description = {}\n  value       = aws_iam_role.{id}.arn\n}}\n", string(r.kind.title()));
        }
        if r.instance_profile.is_some() {
            let _ = writeln!(outputs, "output \"{id}_instance_profile_arn\" {{\n  description = \"Instance profile\"\n  value       = aws_iam_instance_profile.{id}.arn\n}}\n");
        }
        role_resources(&mut body, plan, r);
    }
    out.push_str(&variables(&body));
    out.push_str(&body);
    out.push_str(&outputs);
    out.trim_end().to_string() + "\n"
}

/// Variables for the parts of ARNs the spec left open.
pub(super) fn variables(body: &str) -> String {
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
