//! IAM JSON: the documents exactly as IAM takes them (`Version`/`Statement`, no explanations),
//! gathered per role in one bundle.

use serde_json::{json, Map, Value};

use crate::model::{PlannedRole, Provisioning, RolePlan};

/// One role's IAM documents.
pub fn role(r: &PlannedRole) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), r.kind.key().into());
    m.insert(
        "provisioning".into(),
        serde_json::to_value(r.provisioning).unwrap_or(Value::Null),
    );
    if let Some(n) = &r.name {
        m.insert("roleName".into(), n.clone().into());
    }
    if let Some(p) = &r.name_prefix {
        m.insert("roleNamePrefix".into(), p.clone().into());
    }
    m.insert("path".into(), r.path.clone().into());
    m.insert("arn".into(), r.arn.clone().into());
    if let Some(t) = &r.trust_policy {
        m.insert("assumeRolePolicyDocument".into(), t.to_iam_json());
    }
    let inline: Map<String, Value> = r
        .inline_policies
        .iter()
        .map(|p| (p.name.clone(), p.document.to_iam_json()))
        .collect();
    m.insert("inlinePolicies".into(), Value::Object(inline));
    m.insert(
        "managedPolicyArns".into(),
        r.managed_policies
            .iter()
            .map(|a| Value::from(a.arn.clone()))
            .collect(),
    );
    if let Some(b) = &r.permissions_boundary {
        m.insert("permissionsBoundary".into(), b.clone().into());
    }
    if let Some(d) = r.max_session_duration {
        m.insert("maxSessionDuration".into(), d.into());
    }
    if !r.tags.is_empty() {
        let tags: Vec<Value> = r
            .tags
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        m.insert("tags".into(), tags.into());
    }
    if let Some(ip) = &r.instance_profile {
        m.insert(
            "instanceProfile".into(),
            json!({"name": ip.name, "path": ip.path}),
        );
    }
    Value::Object(m)
}

/// Every role and companion document of a plan in one JSON object.
pub fn bundle(plan: &RolePlan) -> Value {
    let roles: Vec<Value> = plan
        .roles
        .iter()
        .filter(|r| r.provisioning != Provisioning::ServiceLinked)
        .map(role)
        .collect();
    let c = &plan.companions;
    let resource_policies = |v: &[crate::model::ResourcePolicy]| -> Vec<Value> {
        v.iter()
            .map(|p| json!({"resource": p.resource, "ownerAccount": p.owner_account, "policy": p.document.to_iam_json()}))
            .collect()
    };
    let mut companions = Map::new();
    companions.insert(
        "ecrRepositoryPolicies".into(),
        resource_policies(&c.ecr_repository_policies).into(),
    );
    companions.insert(
        "kmsKeyPolicyStatements".into(),
        resource_policies(&c.kms_key_policies).into(),
    );
    if let Some(p) = &c.pass_role_policy {
        companions.insert("deployerPassRolePolicy".into(), p.to_iam_json());
    }
    if let Some(p) = &c.exec_caller_policy {
        companions.insert("execCallerPolicy".into(), p.to_iam_json());
    }
    companions.insert(
        "serviceLinkedRole".into(),
        json!({"awsServiceName": "ecs.amazonaws.com", "roleName": c.service_linked_role.role_name}),
    );
    if let Some(a) = &c.auto_scaling_service_linked_role {
        companions.insert(
            "autoScalingServiceLinkedRole".into(),
            json!({"awsServiceName": crate::rules::AUTO_SCALING_PRINCIPAL, "roleName": a.role_name}),
        );
    }
    json!({"workload": plan.workload, "roles": roles, "companions": Value::Object(companions)})
}

/// Quotes a document for an unquoted bash heredoc: `\`, `$` and backquotes escaped, then the
/// plan's placeholders turned into the script's variables.
fn heredoc_json(v: &Value) -> String {
    let text = crate::json::to_string_pretty(v).unwrap_or_default();
    script_vars(
        &text
            .replace('\\', "\\\\")
            .replace('`', "\\`")
            .replace('$', "\\$"),
    )
}

/// The plan's placeholders (already `$`-escaped) as the script's variables.
fn script_vars(escaped: &str) -> String {
    escaped
        .replace("\\${AWS::AccountId}", "${AWS_ACCOUNT_ID}")
        .replace("\\${AWS::Region}", "${AWS_REGION}")
        .replace("\\${AWS::Partition}", "${AWS_PARTITION}")
}

/// Single-quotes a shell word.
fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A shell word that may hold the plan's placeholders (an ARN in an open partition or
/// account): double-quoted, with them turned into the script's variables.
fn sh_open(s: &str) -> String {
    if !super::is_symbolic(s) {
        return sh(s);
    }
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('`', "\\`")
        .replace('$', "\\$");
    format!("\"{}\"", script_vars(&escaped))
}

/// A bash script of AWS CLI calls that creates every role of the plan, in IAM's order.
pub fn aws_cli(plan: &RolePlan) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "#!/usr/bin/env bash\n# IAM roles for ECS workload {} ({}), generated by ecsroles.\nset -euo pipefail", plan.workload, plan.launch_type.as_str());
    let all = crate::json::to_string(&bundle(plan)).unwrap_or_default();
    if all.contains("${AWS::AccountId}") {
        o.push_str("AWS_ACCOUNT_ID=\"${AWS_ACCOUNT_ID:-$(aws sts get-caller-identity --query Account --output text)}\"\n");
    }
    if all.contains("${AWS::Region}") {
        o.push_str("AWS_REGION=\"${AWS_REGION:?set AWS_REGION to the region the tasks run in}\"\n");
    }
    if all.contains("${AWS::Partition}") {
        o.push_str("AWS_PARTITION=\"${AWS_PARTITION:-aws}\"\n");
    }
    let c = &plan.companions;
    for slr in std::iter::once(&c.service_linked_role).chain(&c.auto_scaling_service_linked_role) {
        let _ = writeln!(o, "\n# {}", slr.why);
        let _ = writeln!(
            o,
            "{} >/dev/null 2>&1 || {}\n",
            slr.check_command, slr.create_command
        );
    }
    for r in plan
        .roles
        .iter()
        .filter(|r| r.provisioning != Provisioning::ServiceLinked)
    {
        let var = format!("{}_ROLE", super::snake(r.kind).to_ascii_uppercase());
        let _ = writeln!(o, "# {} — {}", r.kind.title(), r.when);
        // An existing role this workload adds nothing to: said, no commands.
        let nothing_to_do = r.provisioning == Provisioning::Existing
            && r.inline_policies.is_empty()
            && r.managed_policies.is_empty();
        if nothing_to_do {
            let _ = writeln!(
                o,
                "# {} exists already; this workload adds nothing to it.\n",
                r.arn
            );
            continue;
        }
        match (&r.name, &r.name_prefix) {
            (Some(n), _) => {
                let _ = writeln!(o, "{var}={}", sh(n));
            }
            (None, Some(p)) => {
                let _ = writeln!(
                    o,
                    "{var}={}\"$(date +%s)\"  # name prefix: a unique suffix is appended",
                    sh(p)
                );
            }
            (None, None) => continue,
        }
        if let (Provisioning::Create, Some(t)) = (r.provisioning, &r.trust_policy) {
            let _ = write!(
                o,
                "aws iam create-role --role-name \"${var}\" --path {}",
                sh(&r.path)
            );
            if let Some(b) = &r.permissions_boundary {
                let _ = write!(o, " --permissions-boundary {}", sh(b));
            }
            if let Some(d) = r.max_session_duration {
                let _ = write!(o, " --max-session-duration {d}");
            }
            if !r.tags.is_empty() {
                let tags: Vec<String> = r
                    .tags
                    .iter()
                    .map(|(k, v)| sh(&format!("Key={k},Value={v}")))
                    .collect();
                let _ = write!(o, " --tags {}", tags.join(" "));
            }
            let _ = writeln!(
                o,
                " --assume-role-policy-document \"$(cat <<JSON\n{}\nJSON\n)\"",
                heredoc_json(&t.to_iam_json())
            );
        }
        for p in &r.inline_policies {
            let _ = writeln!(o, "aws iam put-role-policy --role-name \"${var}\" --policy-name {} --policy-document \"$(cat <<JSON\n{}\nJSON\n)\"", sh(&p.name), heredoc_json(&p.document.to_iam_json()));
        }
        for m in &r.managed_policies {
            let _ = writeln!(
                o,
                "aws iam attach-role-policy --role-name \"${var}\" --policy-arn {}",
                sh_open(&m.arn)
            );
        }
        if let Some(ip) = &r.instance_profile {
            let _ = writeln!(
                o,
                "aws iam create-instance-profile --instance-profile-name {} --path {}",
                sh(&ip.name),
                sh(&ip.path)
            );
            let _ = writeln!(o, "aws iam add-role-to-instance-profile --instance-profile-name {} --role-name \"${var}\"", sh(&ip.name));
        }
        o.push('\n');
    }
    o.trim_end().to_string() + "\n"
}
