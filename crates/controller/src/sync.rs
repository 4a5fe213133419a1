//! Applying an admitted EcsRoleSet to IAM: the core's admission, then read (a shared bulk
//! snapshot for unchanged specs), write-ahead of the names about to be created, the minimal
//! ordered operations, removal of roles the plan no longer needs, and the status.

use std::collections::BTreeMap;

use ecsroles_core::admission::{admit, Tenant};
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use kube::{Resource, ResourceExt};
use tracing::info;

use crate::cleanup::{delete_owned, may_have_profile};
use crate::controller::{jittered, key, now, owner, Context, Error, ADOPT_ANNOTATION};
use crate::crd::{EcsRoleSet, EcsRoleSetStatus};
use crate::iam_state::{desired_from_plan, diff, ActualRole};
use crate::status::{
    collision, condition, event, findings_of, terminal, write_status, COLLISION_ADVICE,
};
pub(crate) async fn apply(obj: &EcsRoleSet, ctx: &Context) -> Result<Action, Error> {
    let cfg = &ctx.config;
    let ns = obj.namespace().unwrap_or_default();
    let name = obj.name_any();
    let owner = owner(obj, cfg);
    let mut prev = obj.status.clone().unwrap_or_default();

    // A spec the API server stored but the core's types cannot read: this object only.
    let decoded = match obj.spec.inner.spec() {
        Ok(s) => s,
        Err(message) => {
            let msg = format!("the spec cannot be read: {message}; nothing in IAM was changed");
            return terminal(obj, ctx, "InvalidSpec", msg, vec![]).await;
        }
    };
    let adopt = obj
        .annotations()
        .get(ADOPT_ANNOTATION)
        .is_some_and(|v| v == "true");
    // Admission (the core's, the same the CLI and the calculator run) before any IAM call:
    // a refusal writes nothing and reads nothing. Only the role count needs the API server.
    let guardrails = ctx.guardrails();
    let elsewhere = match guardrails.for_namespace(Some(&ns)) {
        Ok(p) if p.max_roles_per_namespace.is_some() => roles_elsewhere(ctx, &ns, &name).await?,
        _ => 0,
    };
    let tenant = Tenant {
        namespace: &ns,
        name: &name,
        recorded: Some(&prev.managed_roles),
        adopt_requested: adopt,
        roles_elsewhere_in_namespace: elsewhere,
    };
    let plan = match admit(decoded, &cfg.platform(), &guardrails, &tenant) {
        Ok(a) => a.plan,
        Err(r) => {
            let findings = r.plan.as_deref().map(findings_of).unwrap_or_default();
            return terminal(obj, ctx, r.reason.as_str(), r.message, findings).await;
        }
    };
    let findings = findings_of(&plan);
    let desired = desired_from_plan(&plan, &owner);

    // Read everything first: a collision anywhere means nothing is written anywhere. A
    // periodic resync of an unchanged, already reconciled spec reads from the shared bulk
    // snapshot; anything else (spec changes, adoption) reads the roles directly.
    let g = obj.meta().generation;
    let in_sync_before = prev.observed_generation == g
        && prev
            .conditions
            .iter()
            .any(|c| c.kind == "Ready" && c.status == "True");
    let snapshot = if in_sync_before && !adopt {
        Some(ctx.snapshot().await?)
    } else {
        None
    };
    let mut actual: Vec<ActualRole> = Vec::with_capacity(desired.len());
    // Roles to adopt (indexes into `desired`/`actual`): taken over only once every read is
    // done, no collision is left, and what adoption will do has been reported.
    let mut adopting: Vec<usize> = Vec::new();
    for d in &desired {
        // The snapshot only ever proves "nothing to do". Anything else — drift, a missing
        // role, a profile to fix — is read again directly before a single write, so writes
        // always rest on fresh state and ownership (profile tags included) is checked on it.
        if let Some(a) = snapshot.as_ref().and_then(|s| s.get(&d.name)) {
            if owner.owns(&a.tags) && diff(d, a).is_empty() {
                actual.push(a.clone());
                continue;
            }
        }
        let a = ctx
            .iam
            .read_role(&d.name, d.instance_profile.as_deref())
            .await?;
        let adopted = a.exists && !owner.owns(&a.tags) && adopt && a.path == d.path;
        if adopted {
            // Adoption (the guardrails above allowed it here): reported, then taken, below.
            adopting.push(actual.len());
        } else if a.exists && !owner.owns(&a.tags) {
            let msg = format!("IAM role {} already exists and is not owned by this EcsRoleSet (its ecsroles.dev/* tags differ); nothing in IAM was changed. {COLLISION_ADVICE}", d.name);
            return collision(obj, ctx, msg, findings).await;
        }
        if a.instance_profile.is_some() && !owner.owns(&a.profile_tags) {
            let msg = format!("IAM instance profile {} already exists and is not owned by this EcsRoleSet; nothing in IAM was changed. {COLLISION_ADVICE}", d.instance_profile.as_deref().unwrap_or_default());
            return collision(obj, ctx, msg, findings).await;
        }
        actual.push(a);
    }

    // Adoption: what it will add, change and remove, in status and an Event before the first
    // write; then ownership is taken and the roles converge like any other.
    if !adopting.is_empty() {
        let reports: Vec<_> = adopting
            .iter()
            .map(|&i| crate::adoption::report(&plan, &desired[i], &actual[i], &owner))
            .collect();
        let note = crate::adoption::summary(&reports);
        // Earlier adoptions of other roles stay; this one's report replaces its role's.
        prev.adoption
            .retain(|old| !reports.iter().any(|r| r.role == old.role));
        // Recorded as this resource's before ownership is taken (write-ahead, like a role
        // about to be created): cleanup and quotas find it however this reconcile ends.
        for r in &reports {
            prev.managed_roles.insert(r.kind.clone(), r.role.clone());
        }
        prev.adoption.extend(reports);
        write_status(obj, ctx, prev.clone()).await?;
        event(ctx, obj, EventType::Normal, "AdoptionPlanned", note).await;
        for &i in &adopting {
            let name = &desired[i].name;
            let tag = crate::iam_state::Op::TagRole {
                role: name.clone(),
                tags: owner.tags(),
            };
            ctx.iam.apply(&tag).await?;
            actual[i].tags.extend(owner.tags());
            let note = format!("took ownership of existing IAM role {name}");
            event(ctx, obj, EventType::Normal, "Adopted", note).await;
        }
    }

    // Write-ahead: every role about to be created is recorded in status before its CreateRole.
    // However the reconcile ends (an IAM error, a lost response, a crash), the status lists
    // every role this resource may own, so cleanup deletes exactly those and probes nothing
    // else, and a role the plan stops needing is still found.
    let kind_of: BTreeMap<&str, &str> = plan
        .roles
        .iter()
        .filter_map(|r| Some((r.name.as_deref()?, r.kind.key())))
        .collect();
    let mut recorded = prev.managed_roles.clone();
    for (d, a) in desired.iter().zip(&actual) {
        if let (false, Some(kind)) = (a.exists, kind_of.get(d.name.as_str())) {
            recorded.insert(kind.to_string(), d.name.clone());
        }
    }
    if recorded != prev.managed_roles {
        let mut status = prev.clone();
        status.managed_roles = recorded;
        write_status(obj, ctx, status).await?;
    }

    let mut done: Vec<String> = Vec::new();
    let mut created_any = false;
    for (d, a) in desired.iter().zip(&actual) {
        created_any |= !a.exists;
        for op in diff(d, a) {
            match ctx.iam.apply(&op).await {
                Ok(()) => done.push(format!("{} {}", op.name(), d.name)),
                // IAM will never accept this request: say so (status, Warning Event) and wait
                // for the spec to change, instead of retrying it forever.
                Err(e) if e.is_permanent() => {
                    let applied = if done.is_empty() {
                        "nothing was changed before it".to_string()
                    } else {
                        format!("applied before it: {}", done.join(", "))
                    };
                    let msg = format!(
                        "IAM refused {} {}: {}: {}; {applied}",
                        op.name(),
                        d.name,
                        e.code,
                        e.message
                    );
                    ctx.forget_snapshot().await;
                    return terminal(obj, ctx, "IamRejected", msg, findings).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    // Roles this resource created earlier but the plan no longer needs.
    let kinds: BTreeMap<String, String> = plan
        .roles
        .iter()
        .filter(|r| r.provisioning == ecsroles_core::model::Provisioning::Create)
        .filter_map(|r| Some((r.kind.key().to_string(), r.name.clone()?)))
        .collect();
    for (kind, role) in prev
        .managed_roles
        .iter()
        .filter(|(k, _)| !kinds.contains_key(*k))
    {
        done.extend(delete_owned(ctx, &owner, role, may_have_profile(kind)).await?);
        info!(object = %key(obj), kind, role, "removed a role the plan no longer needs");
    }

    if !done.is_empty() {
        ctx.forget_snapshot().await;
    }
    if !done.is_empty() {
        // Changes to a spec IAM already matched can only be drift.
        if in_sync_before && !created_any {
            ctx.metrics.drift_corrections.inc();
            event(
                ctx,
                obj,
                EventType::Warning,
                "DriftCorrected",
                format!(
                    "IAM was changed outside this controller; corrected with: {}",
                    done.join(", ")
                ),
            )
            .await;
        } else {
            event(
                ctx,
                obj,
                EventType::Normal,
                "Synced",
                format!("IAM updated: {}", done.join(", ")),
            )
            .await;
        }
    }

    let mut status = EcsRoleSetStatus {
        observed_generation: g,
        findings,
        last_sync_time: Some(now()),
        managed_roles: kinds,
        adoption: prev.adoption.clone(),
        ..Default::default()
    };
    for r in &plan.roles {
        status.role_arns.insert(r.kind.key().into(), r.arn.clone());
        if let (Some(p), true) = (
            &r.instance_profile,
            r.provisioning == ecsroles_core::model::Provisioning::Create,
        ) {
            status
                .instance_profile_arns
                .insert(r.kind.key().into(), p.arn(&plan.partition, &plan.account));
        }
    }
    status.role_count = plan.roles.len() as u32;
    let msg = format!("{} role(s) in sync with IAM", status.role_count);
    let pp = Some(&prev);
    status.conditions = vec![
        condition(pp, "Ready", true, "Reconciled", &msg, g),
        condition(pp, "Synced", true, "Reconciled", &msg, g),
    ];
    write_status(obj, ctx, status).await?;
    ctx.metrics.reconciled("ok");
    Ok(Action::requeue(jittered(cfg.resync())))
}

/// Roles the other EcsRoleSets of `ns` hold (for `maxRolesPerNamespace`).
pub(crate) async fn roles_elsewhere(ctx: &Context, ns: &str, name: &str) -> Result<usize, Error> {
    let api: Api<EcsRoleSet> = Api::namespaced(ctx.client.clone(), ns);
    let list = api.list(&Default::default()).await?;
    Ok(list
        .items
        .iter()
        .filter(|o| o.name_any() != name)
        .map(|o| {
            o.status
                .as_ref()
                .map(|s| s.managed_roles.len())
                .unwrap_or(0)
        })
        .sum())
}
