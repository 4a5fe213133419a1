//! The human-readable plan: what the CLI prints by default. Plain text, 100 columns.

use std::fmt::Write;

use crate::model::{Provisioning, RolePlan, Severity};
use crate::policy::Statement;

fn statement_line(s: &Statement) -> String {
    let actions = if s.not_actions.is_empty() {
        s.actions.join(", ")
    } else {
        format!("everything except {}", s.not_actions.join(", "))
    };
    let resources = if s.not_resources.is_empty() {
        s.resources.join(", ")
    } else {
        format!("all but {}", s.not_resources.join(", "))
    };
    let effect = if s.effect == crate::policy::Effect::Deny {
        "DENY "
    } else {
        ""
    };
    format!("{effect}{actions}\n        on {resources}")
}

/// Renders the plan for a terminal.
pub fn render(plan: &RolePlan) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "ecsroles plan for {} — {} ({}), account {}, region {}, cluster {}",
        plan.workload,
        plan.launch_type.as_str(),
        plan.network_mode,
        plan.account,
        plan.region,
        plan.cluster
    );
    let read: Vec<_> = plan
        .inferred
        .iter()
        .filter(|i| !i.from.starts_with("given"))
        .collect();
    if !read.is_empty() {
        let _ = writeln!(o, "Read from the file (not told):");
        for i in read {
            let _ = writeln!(o, "  {} = {} — from {}", i.fact, i.value, i.from);
        }
        let _ = writeln!(o);
    }
    let created = plan
        .roles
        .iter()
        .filter(|r| r.provisioning == Provisioning::Create)
        .count();
    let _ = writeln!(
        o,
        "{} roles involved, {} to create, {} not needed\n",
        plan.roles.len(),
        created,
        plan.absent.len()
    );
    for r in &plan.roles {
        let how = match r.provisioning {
            Provisioning::Create => "create",
            Provisioning::Existing => "existing",
            Provisioning::ServiceLinked => "service-linked, AWS-managed",
        };
        let name = r.name.clone().unwrap_or_else(|| {
            format!(
                "{}<unique suffix>",
                r.name_prefix.clone().unwrap_or_default()
            )
        });
        let _ = writeln!(o, "■ {} — {} ({how})", r.kind.title(), name);
        let _ = writeln!(o, "  assumed by {}: {}", r.assumed_by.join(", "), r.when);
        for w in &r.why {
            let _ = writeln!(o, "  why: {w}");
        }
        if let Some(t) = &r.trust_policy {
            for s in &t.statements {
                let conds: Vec<String> = s
                    .conditions
                    .iter()
                    .flat_map(|(op, m)| {
                        m.iter()
                            .map(move |(k, v)| format!("{op} {k} = {}", v.join(" | ")))
                    })
                    .collect();
                if !conds.is_empty() {
                    let _ = writeln!(o, "  trust conditions: {}", conds.join("; "));
                }
            }
        }
        for p in &r.inline_policies {
            let _ = writeln!(o, "  inline policy {}:", p.name);
            for s in &p.document.statements {
                let _ = writeln!(o, "    [{}] {}", s.sid, statement_line(s));
                let _ = writeln!(o, "        why: {}", s.why);
                for c in &s.reasons {
                    let _ = writeln!(o, "        for: {c}");
                }
            }
        }
        for m in &r.managed_policies {
            let _ = writeln!(o, "  managed policy {}\n        why: {}", m.arn, m.why);
        }
        if let Some(b) = &r.permissions_boundary {
            let _ = writeln!(o, "  permissions boundary {b}");
        }
        if let Some(ip) = &r.instance_profile {
            let _ = writeln!(o, "  instance profile {}{}", ip.path, ip.name);
        }
        let _ = writeln!(o, "  doc: {}\n", r.doc);
    }
    if !plan.absent.is_empty() {
        let _ = writeln!(o, "Not needed:");
        for a in &plan.absent {
            let _ = writeln!(o, "  □ {} — {}", a.kind.title(), a.why);
        }
        let _ = writeln!(o);
    }
    let c = &plan.companions;
    let _ = writeln!(o, "Also needed:");
    let _ = writeln!(
        o,
        "  • service-linked role: {} (check: {})",
        c.service_linked_role.create_command, c.service_linked_role.check_command
    );
    if let Some(a) = &c.auto_scaling_service_linked_role {
        let _ = writeln!(
            o,
            "  • Application Auto Scaling's service-linked role: {} (check: {}); {}",
            a.create_command, a.check_command, a.why
        );
    }
    for l in &c.log_groups {
        let state = if l.created_by_ecs {
            "created by ECS if missing"
        } else {
            "must exist before tasks start"
        };
        let _ = writeln!(
            o,
            "  • log group {} in {} ({state}; {})",
            l.name, l.region, l.used_by
        );
    }
    for p in &c.ecr_repository_policies {
        let _ = writeln!(
            o,
            "  • repository policy on {} (account {}): {}",
            p.resource, p.owner_account, p.note
        );
    }
    for p in &c.kms_key_policies {
        let _ = writeln!(o, "  • key policy statement on {}: {}", p.resource, p.note);
    }
    if c.pass_role_policy.is_some() {
        let _ = writeln!(
            o,
            "  • deployer iam:PassRole policy (see --format json: companions.passRolePolicy)"
        );
    }
    if c.exec_caller_policy.is_some() {
        let _ = writeln!(
            o,
            "  • ECS Exec user policy: aws ecs execute-command on this cluster's tasks (see --format json: companions.execCallerPolicy)"
        );
    }
    let _ = writeln!(o, "  • SDK credentials: {}", c.sdk_credentials);
    if !plan.findings.is_empty() {
        let _ = writeln!(o, "\nFindings:");
        for f in &plan.findings {
            let sev = match f.severity {
                Severity::Error => "error  ",
                Severity::Warning => "warning",
                Severity::Info => "info   ",
            };
            let _ = writeln!(o, "  {sev} {}: {}", f.path, f.message);
            if let Some(fix) = &f.fix {
                let _ = writeln!(o, "          fix: {fix}");
            }
        }
    }
    o
}
