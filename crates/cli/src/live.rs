//! `audit --live`: the same audit as with a ROLES file, the inputs read from AWS
//! (`ecsroles-live`). Without FILE, every service of `--cluster` is read from ECS — its task
//! definition and service exactly as the API returns them, joined as `plan TASKDEF --service`
//! joins two files — and each secret's customer managed key from Secrets Manager, so the plan
//! knows the kms:Decrypt the task definition does not say. All verdicts are the core's.

use std::path::Path;

use crate::{load, load_text, Audited, Overrides};

#[cfg(not(feature = "live"))]
pub fn audit(_: Option<&Path>, _: Option<&str>, _: Overrides) -> Result<Vec<Audited>, String> {
    Err("this ecsroles was built without the `live` feature: use --roles FILE".into())
}

#[cfg(feature = "live")]
pub fn audit(
    file: Option<&Path>,
    service: Option<&str>,
    overrides: Overrides,
) -> Result<Vec<Audited>, String> {
    use ecsroles_core::audit::{audit, role_names, secret_key_bindings, secrets_read};
    use ecsroles_core::{plan, RoleKind};

    if file.is_none() && overrides.cluster.is_none() {
        return Err("audit --live without FILE audits a cluster's services: pass --cluster NAME (and --service-name NAME for one)".into());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the AWS client runtime: {e}"))?;
    rt.block_on(async {
        let aws = ecsroles_live::Aws::from_env().await;
        let cluster = overrides.cluster.clone();
        let err = |e: ecsroles_live::Error| format!("{e} (the audit reads with: {})", ecsroles_live::READ_ACTIONS.join(", "));
        // The workloads: the file, or the cluster's services.
        // (service, source, replan command, spec, the service's capacity providers)
        #[allow(clippy::type_complexity)]
        let mut work: Vec<(Option<String>, String, String, ecsroles_core::EcsRoleSetSpec, Vec<String>)> =
            Vec::new();
        // What was not audited, or not completely: said with the results.
        let mut general: Vec<String> = Vec::new();
        match file {
            Some(f) => {
                let shown = f.display().to_string();
                work.push((None, shown.clone(), format!("ecsroles plan {shown}"), load(f, overrides)?, vec![]));
            }
            None => {
                let cluster = overrides.cluster.clone().unwrap_or_default();
                let (services, skipped) = aws.services(&cluster, service).await.map_err(err)?;
                general.extend(skipped);
                if services.is_empty() {
                    return Err(match service {
                        Some(s) => format!("service {s} of cluster {cluster} has no task definition to audit"),
                        None => format!("cluster {cluster} has no service with a task definition to audit"),
                    });
                }
                for s in services {
                    let source = format!("ecs://{cluster}/{}", s.name);
                    let services = serde_json::json!({ "services": [s.service] }).to_string();
                    let text = ecsroles_core::input::with_service(
                        &s.task_definition.to_string(),
                        &services,
                    )
                    .map_err(|e| format!("{source}: {e}"))?;
                    let td = s.task_definition["taskDefinition"]["taskDefinitionArn"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    let replan = format!("ecsroles plan <(aws ecs describe-task-definition --task-definition {td}) --service <(aws ecs describe-services --cluster {cluster} --services {})", s.name);
                    let spec = load_text(text, source.clone(), overrides.clone())?;
                    let providers = s.service["capacityProviderStrategy"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c["capacityProvider"].as_str().map(str::to_string))
                        .collect();
                    work.push((Some(s.name), source, replan, spec, providers));
                }
            }
        }
        // Customer managed keys of the secrets the plans read: one DescribeSecret each.
        let mut secrets: Vec<(String, String)> =
            work.iter().flat_map(|w| secrets_read(&plan(&w.3))).collect();
        secrets.sort();
        secrets.dedup();
        let (found, mut notes) = aws.secret_keys(&secrets).await;
        let (keys, aliases) = secret_key_bindings(&found);
        notes.extend(aliases);
        // The container-instance roles the cluster's EC2 instances really have: a plan whose
        // EC2 container-instance role names no existing role is audited against each of them
        // (not against the name it would create). ECS Anywhere plans (EXTERNAL) are not:
        // those instances' roles are not read.
        let needs_instances = |spec: &ecsroles_core::EcsRoleSetSpec| {
            let p = plan(spec);
            spec.roles.container_instance.existing_arn.is_none()
                && p.launch_type == ecsroles_core::spec::LaunchType::Ec2
                && p.role(RoleKind::ContainerInstance).is_some()
        };
        let mut instance_roles = Vec::new();
        if let Some(cluster) = cluster.as_deref() {
            if work.iter().any(|w| needs_instances(&w.3)) {
                match aws.instance_roles(cluster).await {
                    Ok((found, said)) => {
                        if found.is_empty() {
                            general.push(format!("no EC2 container instance of cluster {cluster} has a role to read: the container-instance role is audited under the name the plan gives it"));
                        }
                        instance_roles = found;
                        general.extend(said);
                    }
                    Err(e) => general.push(format!("the container-instance roles of cluster {cluster} were not read ({e}): audited under the names the plans give them")),
                }
            }
        }
        // Per workload: its plan, and one more plan per further instance role (only their
        // container-instance role audits are kept).
        let plans: Vec<_> = work
            .into_iter()
            .map(|(service, source, replan, mut spec, providers)| {
                spec.keys.extend(keys.iter().cloned());
                let mut variants = Vec::new();
                // A service with a capacity provider strategy runs only on those providers'
                // instances; otherwise on any (placement constraints are not read).
                let mine: Vec<&ecsroles_live::InstanceRole> = instance_roles
                    .iter()
                    .filter(|r| {
                        providers.is_empty()
                            || r.capacity_providers.iter().any(|c| providers.contains(c))
                    })
                    .collect();
                let read = needs_instances(&spec) && !mine.is_empty();
                if read {
                    for r in &mine {
                        let mut s = spec.clone();
                        s.roles.container_instance.existing_arn = Some(r.role_arn.clone());
                        variants.push(plan(&s));
                    }
                }
                if variants.is_empty() {
                    variants.push(plan(&spec));
                }
                let mine: Vec<ecsroles_live::InstanceRole> =
                    if read { mine.into_iter().cloned().collect() } else { vec![] };
                (service, source, replan, variants, mine, spec)
            })
            .collect();
        // Every role once, whichever services share it.
        let mut names: Vec<String> = plans
            .iter()
            .flat_map(|p| p.3.iter().flat_map(role_names))
            .collect();
        names.sort();
        names.dedup();
        let account = aws.roles(&names).await.map_err(err)?;
        // A role several services share is judged against each service's plan alone: what one
        // calls "broader" the others may need.
        let shared = |name: &str, me: &Option<String>| -> Vec<String> {
            plans
                .iter()
                .filter(|o| &o.0 != me && o.3.iter().any(|p| role_names(p).iter().any(|n| n == name)))
                .filter_map(|o| o.0.clone())
                .collect()
        };
        let mut out: Vec<Audited> = plans
            .iter()
            .map(|(service, artifact, replan, variants, nodes, spec)| {
                let p = &variants[0];
                let mut report = audit(p, &account);
                for v in &variants[1..] {
                    report.roles.extend(
                        audit(v, &account)
                            .roles
                            .into_iter()
                            .filter(|r| r.kind == RoleKind::ContainerInstance),
                    );
                }
                let mine = secrets_read(p);
                let mut notes: Vec<String> = notes
                    .iter()
                    .filter(|n| mine.iter().any(|(id, _)| n.contains(id.as_str())))
                    .cloned()
                    .collect();
                for r in nodes {
                    notes.push(format!(
                        "container-instance role {} read from the cluster's EC2 instance(s) {}",
                        r.role_arn,
                        ecsroles_live::listed(&r.instances)
                    ));
                }
                if nodes.len() > 1 {
                    notes.push("the service may run on instances with any of these roles: each is judged against it (placement constraints are not read)".into());
                }
                let mut names: Vec<String> = variants.iter().flat_map(role_names).collect();
                names.sort();
                names.dedup();
                for name in names {
                    let others = shared(&name, service);
                    if !others.is_empty() {
                        notes.push(format!("role {name} is shared with service(s) {}: its over-grants here are judged against this service alone, and its replacement must hold all of their plans", others.join(", ")));
                    }
                }
                Audited {
                    report,
                    notes,
                    service: service.clone(),
                    artifact: artifact.clone(),
                    replan: replan.clone(),
                    spec: spec.clone(),
                    plans: variants.clone(),
                    shared: variants
                        .iter()
                        .flat_map(role_names)
                        .filter(|n| !shared(n, service).is_empty())
                        .collect(),
                }
            })
            .collect();
        if let Some(first) = out.first_mut() {
            first.notes.extend(general);
        }
        Ok(out)
    })
}
