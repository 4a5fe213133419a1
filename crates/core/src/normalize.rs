//! The files people have → the task-definition shape the planner reads.
//!
//! Users paste what they have: console exports full of `null`, `describe-task-definition`
//! output, a Terraform `container_definitions` array, a CloudFormation template or just its
//! `AWS::ECS::TaskDefinition` properties (PascalCase, with `!Ref`/`!Sub`/`Fn::GetAtt`),
//! `containerDefinitions` as a JSON string, templates with `${VAR}` or `{{ … }}`. This module
//! rewrites the parsed value into the RegisterTaskDefinition shape *before* typed parsing, and
//! says what it did (each note becomes an info finding, so every output shows it).
//!
//! Pure and value-to-value: the typed parser after it still reports field paths.

// Without the `templates` feature (the calculator's plain module) the template readers below
// are compiled out of use, not deleted: one file keeps both.
#![cfg_attr(not(feature = "templates"), allow(dead_code))]

use std::collections::BTreeMap;

use serde_json::{Map, Value};

#[cfg(feature = "templates")]
use crate::model::FindingExt;
use crate::model::{Finding, Severity};

/// What the normaliser recognised and changed.
#[derive(Debug, Default)]
pub struct Normalized {
    /// Anything was rewritten (so typed errors must be located on the value, not the text).
    pub changed: bool,
    /// What was read and how, for the user (info findings).
    pub notes: Vec<Finding>,
    /// A member AWS's request shape does not have: `(path, message)` (an input error).
    pub shape_error: Option<(String, String)>,
    /// A CloudFormation template's parameter defaults (`!Ref Param` without a value given).
    defaults: BTreeMap<String, String>,
}

fn note(path: &str, message: String) -> Finding {
    Finding {
        severity: Severity::Info,
        path: path.to_string(),
        message,
        fix: None,
        doc: None,
    }
}

/// A [`note`] the user must act on.
fn warning(path: &str, message: String) -> Finding {
    Finding {
        severity: Severity::Warning,
        ..note(path, message)
    }
}

/// The CloudFormation resource type of a task definition.
pub const CFN_TASK_DEFINITION: &str = "AWS::ECS::TaskDefinition";
const CFN_SERVICE: &str = "AWS::ECS::Service";
const CFN_DEPLOYMENT_GROUP: &str = "AWS::CodeDeploy::DeploymentGroup";
const CFN_PULL_THROUGH_CACHE: &str = "AWS::ECR::PullThroughCacheRule";
const CFN_CLUSTER: &str = "AWS::ECS::Cluster";
const CFN_SCALABLE_TARGET: &str = "AWS::ApplicationAutoScaling::ScalableTarget";
const CFN_EVENTS_RULE: &str = "AWS::Events::Rule";
const CFN_SCHEDULE: &str = "AWS::Scheduler::Schedule";
const CFN_STATE_MACHINE: &str = "AWS::StepFunctions::StateMachine";
const CFN_EXPRESS: &str = "AWS::ECS::ExpressGatewayService";
const CFN_CAPACITY_PROVIDER: &str = "AWS::ECS::CapacityProvider";
const CFN_ROLE: &str = "AWS::IAM::Role";
const CFN_LOG_GROUP: &str = "AWS::Logs::LogGroup";
const CFN_TARGET_GROUP: &str = "AWS::ElasticLoadBalancingV2::TargetGroup";
const CFN_DOC: &str = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-taskdefinition.html";

/// Rewrites `value` in place into a task definition or spec the typed parser reads.
/// `vars` substitutes template placeholders (`${NAME}`, `{{ env "NAME" }}`, `$(NAME)`).
pub fn normalize(value: &mut Value, vars: &BTreeMap<String, String>) -> Normalized {
    let mut out = Normalized::default();
    drop_nulls(value, &mut out.changed);
    #[cfg(feature = "templates")]
    unwrap_shapes(value, &mut out);
    #[cfg(not(feature = "templates"))]
    if !unwrap_container_array(value, &mut out) && is_template(value) {
        out.shape_error = Some((
            TEMPLATE_PATH.into(),
            "a CloudFormation template or resource: this build reads task definitions and specs (built with the `templates` feature, it reads templates too)".into(),
        ));
        return out;
    }
    // CloudFormation's `AWS::NoValue` branches became nulls.
    drop_nulls(value, &mut out.changed);
    if let Some(td) = task_definition_mut(value) {
        if let Some(Value::String(s)) = td.get("containerDefinitions") {
            if let Ok(parsed @ Value::Array(_)) = serde_json::from_str::<Value>(s) {
                td.insert("containerDefinitions".into(), parsed);
                out.changed = true;
                out.notes.push(note(
                    "containerDefinitions",
                    "containerDefinitions was a JSON string; read the array inside it".into(),
                ));
            }
        }
    }
    // AWS request shapes embedded in a spec (CreateService, CreateCluster).
    let is_resource = value.get("kind").is_some() && value.get("spec").is_some();
    let spec_obj = if is_resource {
        value.get_mut("spec").and_then(Value::as_object_mut)
    } else {
        value.as_object_mut()
    };
    if let Some(spec) = spec_obj {
        let base = if is_resource { "spec." } else { "" };
        match crate::shapes::admit(spec, base) {
            Ok(set_aside) => {
                if !set_aside.members.is_empty() {
                    out.changed = true;
                    out.notes.push(note(
                        &cat!(base, "service"),
                        cat!(
                            "AWS request members ecsroles does not read, set aside: ",
                            set_aside.members.join(", ")
                        ),
                    ));
                }
                if set_aside.update_service {
                    out.notes.push(note(
                        &cat!(base, "service"),
                        "an UpdateService request: only what it changes is planned".into(),
                    ));
                }
                for role in set_aside.unplanned {
                    out.notes.push(warning(
                        &cat!(base, "service"),
                        cat!(role, ": this feature's infrastructure role or key is not planned by ecsroles yet; its permissions are not in this plan"),
                    ));
                }
            }
            Err((path, message)) => out.shape_error = Some((path, message)),
        }
    }
    // A spec may carry its own `variables`; the caller's win.
    // (Plain loops, no sorting or collecting: each generic instance weighs on the calculator.)
    // Template defaults < the spec's variables < the caller's.
    // A bare `$NAME` is filled only by a variable someone gave (spec or caller), never by a
    // template parameter's default: CloudFormation itself fills `${Param}`, not `$Param`
    // (`echo $Env` in a command stays shell text).
    let defaults = std::mem::take(&mut out.defaults);
    let mut given = BTreeMap::new();
    if let Some(m) = value.get("variables").and_then(Value::as_object) {
        for (k, v) in m {
            if let Some(v) = scalar(v) {
                given.insert(k.clone(), v);
            }
        }
    }
    for (k, v) in vars {
        given.insert(k.clone(), v.clone());
    }
    let mut all = defaults;
    for (k, v) in &given {
        all.insert(k.clone(), v.clone());
    }
    if !all.is_empty() {
        let mut used = Vec::new();
        let vars = Vars {
            all: &all,
            given: &given,
        };
        substitute(value, &vars, &mut used, &mut out.changed);
        if !used.is_empty() {
            out.notes.push(note(
                "variables",
                cat!("substituted template placeholders: ", used.join(", ")),
            ));
        }
    }
    // After substitution: a cluster or log group given by a variable is read as its value.
    if out.shape_error.is_none() {
        express_service(value, &mut out);
    }
    out
}

/// Container fields ECS expects as one object / as a list, with what ECS expects in words.
const OBJECT_FIELDS: &[(&str, &str)] = &[
    (
        "logConfiguration",
        "one object {\"logDriver\": …, \"options\": {…}}",
    ),
    (
        "firelensConfiguration",
        "one object {\"type\": \"fluentbit\", \"options\": {…}}",
    ),
    (
        "repositoryCredentials",
        "one object {\"credentialsParameter\": \"<secret ARN>\"}",
    ),
];
const LIST_FIELDS: &[(&str, &str)] = &[
    ("secrets", "a list of {\"name\": …, \"valueFrom\": …}"),
    ("environment", "a list of {\"name\": …, \"value\": …}"),
    (
        "environmentFiles",
        "a list of {\"value\": \"arn:aws:s3:::…\", \"type\": \"s3\"}",
    ),
    (
        "mountPoints",
        "a list of {\"sourceVolume\": …, \"containerPath\": …}",
    ),
];

/// A container field written in the wrong shape (a `logConfiguration` list, a `secrets`
/// object): serde's own message for these is cryptic. `(path, message)` of the first.
pub fn shape_error(value: &Value) -> Option<(String, String)> {
    let (containers, prefix) = match value.get("containerDefinitions") {
        Some(c) => (c, ""),
        None => (
            value.get("taskDefinition")?.get("containerDefinitions")?,
            "taskDefinition.",
        ),
    };
    for (i, c) in containers.as_array()?.iter().enumerate() {
        let Some(c) = c.as_object() else { continue };
        let found = |v: &Value| match v {
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
            Value::String(_) => "a string",
            _ => "a scalar",
        };
        for (field, expects) in OBJECT_FIELDS {
            if let Some(v) = c.get(*field).filter(|v| !v.is_object()) {
                return Some((
                    format!("{prefix}containerDefinitions[{i}].{field}"),
                    format!("found {}; ECS expects {expects}", found(v)),
                ));
            }
        }
        for (field, expects) in LIST_FIELDS {
            if let Some(v) = c.get(*field).filter(|v| !v.is_array()) {
                return Some((
                    format!("{prefix}containerDefinitions[{i}].{field}"),
                    format!("found {}; ECS expects {expects}", found(v)),
                ));
            }
        }
    }
    None
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The object the task definition's fields live in, for the shapes after unwrapping.
fn task_definition_mut(value: &mut Value) -> Option<&mut Map<String, Value>> {
    let obj = value.as_object_mut()?;
    if obj.contains_key("containerDefinitions") {
        return Some(obj);
    }
    let mut td = obj.get_mut("taskDefinition")?;
    // describe output wrapped twice by mistake: {"taskDefinition": {"taskDefinition": …}}
    while td.get("taskDefinition").is_some_and(Value::is_object) {
        td = td.get_mut("taskDefinition")?;
    }
    td.as_object_mut()
}

/// `null` means "not set" in console exports and committed describe output: drop it, and
/// empty strings for the same reason (`"executionRoleArn": ""`).
fn drop_nulls(v: &mut Value, changed: &mut bool) {
    match v {
        Value::Object(m) => {
            let before = m.len();
            m.retain(|_, x| !x.is_null() && !matches!(x, Value::String(s) if s.is_empty()));
            *changed |= m.len() != before;
            m.values_mut().for_each(|x| drop_nulls(x, changed));
        }
        Value::Array(a) => {
            let before = a.len();
            a.retain(|x| !x.is_null());
            *changed |= a.len() != before;
            a.iter_mut().for_each(|x| drop_nulls(x, changed));
        }
        _ => {}
    }
}

/// Bare container arrays and CloudFormation → `{containerDefinitions: …}` camelCase.
/// The error path of a template given to a build without the `templates` feature: the
/// calculator's plain module answers it so, and the element plans again with its full module.
pub const TEMPLATE_PATH: &str = "$template";

/// A CloudFormation template, or one of its resources or resource properties (PascalCase).
#[cfg(not(feature = "templates"))]
fn is_template(value: &Value) -> bool {
    [
        "Resources",
        "AWSTemplateFormatVersion",
        "ContainerDefinitions",
    ]
    .iter()
    .any(|k| value.get(k).is_some())
        || value
            .get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with("AWS::"))
}

/// A bare array of container definitions (Terraform's `container_definitions`) becomes a task
/// definition holding them. Whether `value` was an array.
fn unwrap_container_array(value: &mut Value, out: &mut Normalized) -> bool {
    let Value::Array(items) = value else {
        return false;
    };
    if items.iter().all(|i| i.is_object()) && !items.is_empty() {
        let containers = std::mem::take(items);
        let mut m = Map::new();
        m.insert("containerDefinitions".into(), Value::Array(containers));
        *value = Value::Object(m);
        out.changed = true;
        out.notes.push(note(
            "containerDefinitions",
            "read a bare array of container definitions (Terraform container_definitions); the task-level fields (roles, network mode, launch type) are not in it".into(),
        ));
    }
    true
}

/// Templates (CloudFormation, its single resources, CDK and Copilot output) → the task
/// definition and the resources around it that decide roles. The largest part of reading real
/// files: the calculator's plain module leaves it to its full module (feature `templates`).
#[cfg(feature = "templates")]
fn unwrap_shapes(value: &mut Value, out: &mut Normalized) {
    if unwrap_container_array(value, out) {
        return;
    }
    let Some(obj) = value.as_object() else {
        return;
    };
    // The template's service, if it runs this task definition: its load balancers, role and
    // deployment controller decide roles too.
    let service_of = |td_name: &str| -> Option<Value> {
        let res = obj.get("Resources")?.as_object()?;
        let services: Vec<&Value> = resources_of(obj, CFN_SERVICE).map(|(_, r)| r).collect();
        // Which task definition resource a service `Ref`s (None: an ARN, a parameter…).
        let runs = |r: &Value| {
            let td = r.get("Properties").and_then(|p| p.get("TaskDefinition"));
            td.and_then(|t| t.get("Ref").or_else(|| t.get("!Ref")))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let refs_other_td = |r: &Value| {
            runs(r).is_some_and(|n| {
                n != td_name
                    && res
                        .get(&n)
                        .and_then(|x| x.get("Type"))
                        .and_then(Value::as_str)
                        == Some(CFN_TASK_DEFINITION)
            })
        };
        let exact = services
            .iter()
            .find(|r| runs(r).as_deref() == Some(td_name));
        // Else the template's only service, unless it runs another task definition of it.
        let only = (services.len() == 1 && !refs_other_td(services[0])).then(|| services[0]);
        exact
            .copied()
            .or(only)
            .and_then(|r| r.get("Properties").cloned())
    };
    // A whole template: the task definition resources in it.
    let found: Option<(String, Value, usize)> = {
        let tds: Vec<(&String, &Value)> = resources_of(obj, CFN_TASK_DEFINITION).collect();
        tds.first().map(|(name, r)| {
            (
                (*name).clone(),
                r.get("Properties")
                    .cloned()
                    .unwrap_or(Value::Object(Map::new())),
                tds.len(),
            )
        })
    };
    let mut service = None;
    // The template's CodeDeploy deployment group for ECS (its only one with ECSServices): the
    // listeners, alarms and triggers of a CODE_DEPLOY service.
    let deployment_group = {
        let mut groups = resources_of(obj, CFN_DEPLOYMENT_GROUP)
            .filter_map(|(_, r)| r.get("Properties"))
            .filter(|p| p.get("ECSServices").is_some());
        match (groups.next(), groups.next()) {
            (Some(g), None) => Some(g.clone()),
            _ => None,
        }
    };
    // The template's ECR pull through cache rules: images under their prefixes are imported on
    // their first pull.
    let cache_rules: Vec<Value> = resources_of(obj, CFN_PULL_THROUGH_CACHE)
        .filter_map(|(_, r)| r.get("Properties").cloned())
        .collect();
    // The template's cluster (its only one with a Configuration): CreateCluster's
    // `configuration` — ECS Exec's key and logging, the Fargate storage key.
    let cluster_configuration = {
        let mut found = resources_of(obj, CFN_CLUSTER)
            .filter_map(|(_, r)| r.get("Properties")?.get("Configuration"));
        match (found.next(), found.next()) {
            (Some(c), None) => Some(c.clone()),
            _ => None,
        }
    };
    // The template's scalable target of an ECS service (its first): the service scales.
    let scalable_target = resources_of(obj, CFN_SCALABLE_TARGET)
        .filter_map(|(_, r)| r.get("Properties"))
        .find(|p| {
            p.get("ScalableDimension").and_then(Value::as_str)
                == Some(crate::rules::AUTO_SCALING_DIMENSION)
        })
        .cloned();
    // The template's Express Mode service that runs this task definition (bring-your-own:
    // TaskDefinitionArn is a `Ref` to it).
    let express_of = |td_name: &str| -> Option<Value> {
        resources_of(obj, CFN_EXPRESS)
            .filter_map(|(_, r)| r.get("Properties"))
            .find(|p| {
                p.get("TaskDefinitionArn")
                    .and_then(|t| t.get("Ref").or_else(|| t.get("!Ref")))
                    .and_then(Value::as_str)
                    == Some(td_name)
            })
            .cloned()
    };
    // The template's Managed Instances capacity provider: the roles it names.
    let capacity_roles = managed_instances_roles(obj);
    // The template's parameter defaults fill `!Ref Param` unless a value is given.
    if let Some(params) = obj.get("Parameters").and_then(Value::as_object) {
        for (name, p) in params {
            if let Some(d) = p.get("Default").and_then(scalar) {
                out.defaults.insert(name.clone(), d);
            }
        }
    }
    if found.is_none() {
        let express = resources_of(obj, CFN_EXPRESS)
            .next()
            .map(|(name, r)| (cat!("Resources.", name, ".Properties"), r))
            .or_else(|| {
                (obj.get("Type").and_then(Value::as_str) == Some(CFN_EXPRESS))
                    .then(|| ("Properties".to_string(), value as &Value))
            });
        if let Some((path, r)) = express {
            let mut placeholders = Vec::new();
            let props = r.get("Properties").cloned().unwrap_or_default();
            let api = cfn_to_api(&props, None, &mut placeholders);
            let mut m = Map::new();
            m.insert("expressGatewayService".into(), api);
            *value = Value::Object(m);
            out.changed = true;
            let mut f = note(
                &path,
                cat!(
                    "read the CloudFormation template's ",
                    CFN_EXPRESS,
                    " (an Express Mode service)"
                ),
            );
            f.doc = Some(crate::rules::doc::EXPRESS_SERVICE.into());
            out.notes.push(f);
            placeholder_notes(&path, placeholders, out);
            return;
        }
    }
    let td_name = found.as_ref().map(|f| f.0.clone());
    let (props, from) = if let Some((name, props, count)) = found {
        service = service_of(&name);
        let mut msg = cat!(
            "read the CloudFormation template's ",
            CFN_TASK_DEFINITION,
            " resource ",
            name
        );
        if count > 1 {
            msg.push_str(&format!(
                " (the first of {count}; paste one resource's Properties to plan another)"
            ));
        }
        (props, (cat!("Resources.", name, ".Properties"), msg))
    } else if obj.get("Type").and_then(Value::as_str) == Some(CFN_TASK_DEFINITION) {
        let props = obj
            .get("Properties")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        (
            props,
            (
                "Properties".to_string(),
                cat!("read a CloudFormation ", CFN_TASK_DEFINITION, " resource"),
            ),
        )
    } else if obj.contains_key("ContainerDefinitions") {
        (
            value.clone(),
            (
                String::new(),
                cat!(
                    "read CloudFormation ",
                    CFN_TASK_DEFINITION,
                    " properties (PascalCase)"
                ),
            ),
        )
    } else {
        return;
    };
    let mut placeholders = Vec::new();
    // The template's own roles with a RoleName are known by name: a GetAtt/Ref of one is that
    // role (planned as the role the file names), not a placeholder.
    let named = named_resources(obj);
    let mut props = props;
    let mut resolved = resolve_named(&mut props, &named);
    let td = cfn_to_api(&props, None, &mut placeholders);
    let launchers = launchers_of(obj, td_name.as_deref(), &mut placeholders);
    let express = td_name.as_deref().and_then(express_of);
    // With a service, the value becomes a spec `{taskDefinition, service…}`; else the task
    // definition itself.
    *value = match service {
        Some(mut svc) => {
            if let Some(m) = svc.as_object_mut() {
                // The task definition is this one; the rest is CreateService's shape.
                m.remove("TaskDefinition");
            }
            resolved += resolve_named(&mut svc, &named);
            let svc = cfn_to_api(&svc, None, &mut placeholders);
            out.notes.push(note(
                "service",
                cat!(
                    "read the template's ",
                    CFN_SERVICE,
                    " that runs it (load balancers, role, deployment controller, Service Connect TLS, VPC Lattice)"
                ),
            ));
            let mut m = Map::new();
            m.insert("taskDefinition".into(), td);
            m.insert("service".into(), svc);
            if let Some(g) = &deployment_group {
                out.notes.push(note(
                    "codeDeploy",
                    cat!(
                        "read the template's ",
                        CFN_DEPLOYMENT_GROUP,
                        " (listeners, alarms, triggers)"
                    ),
                ));
                m.insert("codeDeploy".into(), cfn_to_api(g, None, &mut placeholders));
            }
            Value::Object(m)
        }
        None => td,
    };
    if resolved > 0 {
        out.notes.push(note(
            "roles",
            cat!(
                "read the template's ",
                CFN_ROLE,
                " resources by their RoleName: the roles the file names"
            ),
        ));
    }
    if !cache_rules.is_empty() {
        out.notes.push(note(
            "pullThroughCacheRules",
            cat!(
                "read the template's ",
                CFN_PULL_THROUGH_CACHE,
                " resources (images pulled through them)"
            ),
        ));
        let rules = cache_rules
            .iter()
            .map(|r| cfn_to_api(r, None, &mut placeholders))
            .collect();
        spec_member(value, "pullThroughCacheRules", Value::Array(rules));
    }
    if let Some(c) = &cluster_configuration {
        out.notes.push(note(
            "clusterConfiguration",
            cat!(
                "read the template's ",
                CFN_CLUSTER,
                " Configuration (ECS Exec, Fargate storage key)"
            ),
        ));
        let c = cfn_to_api(c, None, &mut placeholders);
        spec_member(value, "clusterConfiguration", c);
    }
    if let Some(t) = &scalable_target {
        out.notes.push(note(
            "scalableTarget",
            cat!(
                "read the template's ",
                CFN_SCALABLE_TARGET,
                " for an ECS service (the service scales)"
            ),
        ));
        let t = cfn_to_api(t, None, &mut placeholders);
        spec_member(value, "scalableTarget", t);
    }
    if let Some(e) = &express {
        out.notes.push(note(
            "expressGatewayService",
            cat!(
                "read the template's ",
                CFN_EXPRESS,
                " that runs it (an Express Mode service with its own task definition)"
            ),
        ));
        let e = cfn_to_api(e, None, &mut placeholders);
        spec_member(value, "expressGatewayService", e);
    }
    if let Some((provider, roles, unread)) = capacity_roles {
        // Only for a task that runs on Managed Instances: the roles are that capacity's.
        let on_managed_instances = value
            .get("taskDefinition")
            .unwrap_or(value)
            .get("requiresCompatibilities")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().any(|x| x == "MANAGED_INSTANCES"));
        if on_managed_instances {
            let path = cat!(
                "Resources.",
                &provider,
                ".Properties.ManagedInstancesProvider"
            );
            for field in unread {
                let f = warning(
                    &cat!(path, ".", field),
                    cat!(
                        "the capacity provider's ",
                        field,
                        " is not a role ARN or the template's role with a RoleName: the plan names its own role instead"
                    ),
                );
                out.notes.push(f.fix("set roles.managedInstancesInfrastructure / roles.managedInstancesNode (existingArn or name) to the roles it stands for"));
            }
            if roles.as_object().is_some_and(|m| !m.is_empty()) {
                out.notes.push(note(
                    "roles",
                    cat!(
                        "read the template's ",
                        CFN_CAPACITY_PROVIDER,
                        " ",
                        &provider,
                        " (Managed Instances): the roles it names are this plan's"
                    ),
                ));
                spec_member(value, "roles", roles);
            }
        }
    }
    if !launchers.is_empty() {
        out.notes.push(note(
            "launchers",
            cat!(
                "read the template's ",
                CFN_EVENTS_RULE,
                ", ",
                CFN_SCHEDULE,
                " and ",
                CFN_STATE_MACHINE,
                " resources that run the task"
            ),
        ));
        spec_member(value, "launchers", Value::Array(launchers));
    }
    out.changed = true;
    let mut f = note(&from.0, from.1);
    f.doc = Some(CFN_DOC.into());
    out.notes.push(f);
    placeholder_notes(&from.0, placeholders, out);
}

/// What `cfn_to_api` left of a template's intrinsics, said at `path`: a dropped `Fn::If`
/// branch as a warning, the placeholders kept as one note.
#[cfg(feature = "templates")]
fn placeholder_notes(path: &str, mut placeholders: Vec<String>, out: &mut Normalized) {
    for d in placeholders.iter().filter(|p| p.contains(DROPPED)) {
        out.notes.push(warning(path, d.clone()));
    }
    placeholders.retain(|p| !p.contains(DROPPED));
    if !placeholders.is_empty() {
        out.notes.push(note(
            path,
            cat!(
                "CloudFormation intrinsics kept as placeholders: ",
                placeholders.join(", "),
                " (pass their values with --var NAME=VALUE)"
            ),
        ));
    }
}

/// An ECS Express Mode service (doc::EXPRESS_SERVICE): a bare CreateExpressGatewayService
/// request becomes the spec `{expressGatewayService}`, and a spec with one and no task
/// definition gets the task definition ECS registers from `primaryContainer` — container
/// `Main`, Fargate, awsvpc, awslogs to `awsLogsConfiguration` or to the group ECS names
/// `/aws/ecs/<cluster>/<service>-####` (its suffix is ECS's: matched with `*`), stream prefix
/// `ecs` — so its execution and task roles are planned as any task's. In the full build only
/// (feature `templates`): the calculator's plain module hands Express services to its full one.
#[cfg(feature = "templates")]
fn express_service(value: &mut Value, out: &mut Normalized) {
    const KEY: &str = "expressGatewayService";
    let is_resource = value.get("kind").is_some() && value.get("spec").is_some();
    let obj = if is_resource {
        value.get_mut("spec").and_then(Value::as_object_mut)
    } else {
        value.as_object_mut()
    };
    let Some(obj) = obj else {
        return;
    };
    // Where the user wrote it: a bare request's members are at the top.
    let mut base = if is_resource {
        cat!("spec.", KEY)
    } else {
        KEY.to_string()
    };
    let bare_request = !is_resource
        && !obj.contains_key("taskDefinition")
        && !obj.contains_key("containerDefinitions")
        && !obj.contains_key(KEY)
        && (obj.contains_key("primaryContainer") || obj.contains_key("infrastructureRoleArn"));
    if bare_request {
        let request = std::mem::take(obj);
        obj.insert(KEY.into(), Value::Object(request));
        out.changed = true;
        base = String::new();
    }
    let at = |member: &str| {
        if base.is_empty() {
            member.to_string()
        } else {
            cat!(base, ".", member)
        }
    };
    // A copy: the task definition beside it may be replaced below (an Express request is small).
    let Some(express) = obj.get(KEY).and_then(Value::as_object).cloned() else {
        return;
    };
    let express = &express;
    use crate::shapes::{members_of, CREATE_EXPRESS_GATEWAY_SERVICE, EXPRESS_GATEWAY_CONTAINER};
    let top = if base.is_empty() {
        "request"
    } else {
        base.as_str()
    };
    let checked =
        members_of(express, &CREATE_EXPRESS_GATEWAY_SERVICE, &[], top).and_then(|()| match express
            .get("primaryContainer")
            .and_then(Value::as_object)
        {
            Some(c) => members_of(c, &EXPRESS_GATEWAY_CONTAINER, &[], &at("primaryContainer")),
            None => Ok(()),
        });
    if let Err((path, message)) = checked {
        // A bare request's member is named as written, at the top.
        let path = match path.strip_prefix("request.") {
            Some(member) if base.is_empty() => member.to_string(),
            _ => path,
        };
        out.shape_error = Some((path, message));
        return;
    }
    let text = |m: &Map<String, Value>, k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let container = express.get("primaryContainer").and_then(Value::as_object);
    let service = text(express, "serviceName");
    use crate::rules::express as ecs;
    let family = service
        .clone()
        .unwrap_or_else(|| ecs::UNNAMED_FAMILY.into());
    // The task definition ecsroles made from primaryContainer before (an EcsRoleSet it wrote):
    // one container Main in the service's family. Made again from primaryContainer, so an
    // edit of the request is what is planned.
    let ours = container.is_some()
        && obj.get("taskDefinition").is_some_and(|t| {
            t.get("family").and_then(Value::as_str) == Some(family.as_str())
                && t.get("containerDefinitions")
                    .and_then(Value::as_array)
                    .is_some_and(|cs| {
                        cs.len() == 1
                            && cs[0].get("name").and_then(Value::as_str) == Some(ecs::CONTAINER)
                    })
        });
    if ours {
        obj.remove("taskDefinition");
    }
    if obj.contains_key("taskDefinition") {
        // Bring-your-own (taskDefinitionArn): the task definition carries the containers and
        // roles; CreateExpressGatewayService refuses these beside it.
        let beside = [
            "primaryContainer",
            "executionRoleArn",
            "taskRoleArn",
            "cpu",
            "memory",
        ];
        if let Some(member) = beside.into_iter().find(|m| express.contains_key(*m)) {
            out.shape_error = Some((
                at(member),
                cat!("with a taskDefinition (Express's taskDefinitionArn) the task definition carries the containers and roles; CreateExpressGatewayService refuses ", member, " beside it: remove one of the two"),
            ));
        }
        return;
    }
    let Some(container) = container else {
        let message = if express.get("primaryContainer").is_some() {
            "primaryContainer must be an object: {\"image\": …, \"secrets\": […], \"awsLogsConfiguration\": {…}}"
        } else if express.contains_key("taskDefinitionArn") {
            "the service runs the task definition taskDefinitionArn names: add it as taskDefinition (its describe-task-definition output) to plan its roles"
        } else {
            "CreateExpressGatewayService needs primaryContainer (at least its image) or taskDefinitionArn"
        };
        out.shape_error = Some((at("primaryContainer"), message.into()));
        return;
    };
    if express.contains_key("taskDefinitionArn") {
        out.shape_error = Some((
            at("taskDefinitionArn"),
            "CreateExpressGatewayService takes primaryContainer or taskDefinitionArn, not both: remove one".into(),
        ));
        return;
    }
    // The one member AWS requires of it; without it the container below would have no image.
    if text(container, "image").is_none() {
        out.shape_error = Some((
            at("primaryContainer.image"),
            "CreateExpressGatewayService requires primaryContainer.image: set it to the image URI"
                .into(),
        ));
        return;
    }
    // A cluster ARN's name; ECS's default cluster when none is given.
    let cluster = text(express, "cluster")
        .map(|c| crate::arn::cluster_name(&c).to_string())
        .unwrap_or_else(|| "default".into());
    let logs = container
        .get("awsLogsConfiguration")
        .and_then(Value::as_object);
    let given_group = logs.and_then(|l| text(l, "logGroup"));
    let group = given_group
        .clone()
        .unwrap_or_else(|| ecs::log_group(&cluster, service.as_deref()));
    let prefix = logs
        .and_then(|l| text(l, "logStreamPrefix"))
        .unwrap_or_else(|| ecs::STREAM_PREFIX.into());
    let mut options = Map::new();
    options.insert("awslogs-group".into(), Value::String(group.clone()));
    options.insert("awslogs-stream-prefix".into(), Value::String(prefix));
    let mut c = Map::new();
    c.insert("name".into(), Value::String(ecs::CONTAINER.into()));
    for member in [
        "image",
        "secrets",
        "repositoryCredentials",
        "environment",
        "command",
    ] {
        if let Some(v) = container.get(member) {
            c.insert(member.into(), v.clone());
        }
    }
    let mut log = Map::new();
    log.insert("logDriver".into(), Value::String("awslogs".into()));
    log.insert("options".into(), Value::Object(options));
    c.insert("logConfiguration".into(), Value::Object(log));
    let mut td = Map::new();
    td.insert("family".into(), Value::String(family));
    for member in ["executionRoleArn", "taskRoleArn", "cpu", "memory"] {
        if let Some(v) = express.get(member) {
            td.insert(member.into(), v.clone());
        }
    }
    td.insert(
        "networkMode".into(),
        Value::String(ecs::NETWORK_MODE.into()),
    );
    td.insert(
        "requiresCompatibilities".into(),
        Value::Array(vec![Value::String(ecs::COMPATIBILITY.into())]),
    );
    td.insert(
        "containerDefinitions".into(),
        Value::Array(vec![Value::Object(c)]),
    );
    obj.insert("taskDefinition".into(), Value::Object(td));
    if !obj.contains_key("cluster") {
        obj.insert("cluster".into(), Value::String(cluster));
    }
    out.changed = true;
    out.notes.push(express_note(express));
    if service.is_none() && given_group.is_none() {
        let f = warning(
            &at("serviceName"),
            cat!(
                "no serviceName: ECS names the service, so its log group is matched as ",
                group,
                " (every service of the cluster)"
            ),
        );
        out.notes
            .push(f.fix("set serviceName (or primaryContainer.awsLogsConfiguration.logGroup)"));
    }
}

/// Without the `templates` feature: an Express Mode service, a gMSA CredSpec, a Fluentd
/// FireLens output, an ADOT collector, a CloudWatch agent or App Mesh's Envoy is left to the
/// full build, said at
/// [`TEMPLATE_PATH`] like a template (the calculator's plain module stays under its size
/// budget; the element plans these again with the full module).
#[cfg(not(feature = "templates"))]
fn express_service(value: &mut Value, out: &mut Normalized) {
    let spec = match value.get("spec") {
        Some(s) if value.get("kind").is_some() => s,
        _ => &*value,
    };
    let express = spec.get("expressGatewayService").is_some()
        || spec.get("primaryContainer").is_some()
        || spec.get("infrastructureRoleArn").is_some();
    let what = if express {
        "an ECS Express Mode service"
    } else if spec.get("credentialSpecs").is_some() {
        "a gMSA CredSpec (credentialSpecs)"
    } else if let Some(what) = full_only(value) {
        what
    } else {
        return;
    };
    out.shape_error = Some((
        TEMPLATE_PATH.into(),
        cat!(what, ": the full build reads it"),
    ));
}

#[cfg(not(feature = "templates"))]
const APP_MESH: &str = "App Mesh's Envoy";

/// What in `value` only the full build plans: an awsfirelens log configuration naming a
/// Fluentd output (`@type`), or a container running the ADOT collector, the CloudWatch agent
/// or App Mesh's Envoy (discontinued: a warning only, rarely met).
/// One walk for all of them (each walker costs the plain module its size).
#[cfg(not(feature = "templates"))]
fn full_only(value: &Value) -> Option<&'static str> {
    match value {
        Value::Object(m) => {
            let options = m.get("options").and_then(Value::as_object);
            if m.get("logDriver").and_then(Value::as_str) == Some("awsfirelens")
                && options.is_some_and(|o| o.contains_key("@type"))
            {
                return Some("a Fluentd FireLens output (@type)");
            }
            let image = m.iter().find(|(k, _)| k.eq_ignore_ascii_case("image"));
            match image
                .and_then(|(_, v)| v.as_str())
                .map(crate::rules::image_name)
            {
                Some(crate::rules::adot::IMAGE) => {
                    return Some("the ADOT collector (by its image)")
                }
                Some(crate::rules::cloudwatch_agent::IMAGE) => {
                    return Some("the CloudWatch agent (by its image)")
                }
                Some(crate::rules::app_mesh::ENVOY_REPOSITORY) => return Some(APP_MESH),
                _ => {}
            }
            // An environment entry naming App Mesh's variable (rules::app_mesh): its Envoy
            // whatever the image. Any `name` member will do here: a false match only costs
            // the full module's download, which then plans exactly.
            if m.get("name")
                .and_then(Value::as_str)
                .and_then(crate::rules::app_mesh::envoy_variable)
                .is_some()
            {
                return Some(APP_MESH);
            }
            m.values().find_map(full_only)
        }
        Value::Array(a) => a.iter().find_map(full_only),
        _ => None,
    }
}

/// What was read from an Express Mode service (the same whether the task definition was made
/// now or read back from an EcsRoleSet, so a plan round-trips).
#[cfg(feature = "templates")]
fn express_note(express: &Map<String, Value>) -> Finding {
    let group = express
        .get("primaryContainer")
        .and_then(|c| c.get("awsLogsConfiguration"))
        .and_then(|l| l.get("logGroup"))
        .and_then(Value::as_str);
    let logs_said = match group {
        Some(g) => cat!("awslogs to ", g),
        None => "awslogs to the log group ECS names /aws/ecs/<cluster>/<service>-#### (matched with *; ECS creates it with the infrastructure role)".into(),
    };
    let mut f = note(
        "expressGatewayService",
        cat!(
            "read an Express Mode service: the task definition ECS registers from primaryContainer is container Main, Fargate, awsvpc, ",
            logs_said
        ),
    );
    f.doc = Some(crate::rules::doc::EXPRESS_SERVICE.into());
    f
}

/// What a `Ref`/`GetAtt` of the template's own named resources stands for, by logical id (the
/// value replaces the intrinsic before the template is read):
/// - an `AWS::IAM::Role` with a `RoleName` (a string, or a `!Sub` of one): `GetAtt X.Arn` and
///   `Ref X` (its name) are written as its ARN, which every role field takes (ECS documents the
///   short name only for `taskRoleArn` and the service's `role`), with the partition and
///   account left to the plan and the role's `Path` if it gives one;
/// - an `AWS::Logs::LogGroup` with a `LogGroupName`: `Ref X` is that name;
/// - an `AWS::ElasticLoadBalancingV2::TargetGroup` with a `Name`: `Ref X` is its ARN with the
///   id CloudFormation's creation adds left open (`targetgroup/<Name>/*`).
///
/// Resources without a name of their own are named at deploy time and stay placeholders. What
/// `Ref`/`GetAtt` return for each type: the "Return values" of its page in
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html,
/// …/aws-resource-logs-loggroup.html, …/aws-resource-elasticloadbalancingv2-targetgroup.html
/// (target group names: "unique per Region per account", CreateTargetGroup).
fn named_resources(template: &Map<String, Value>) -> BTreeMap<String, Value> {
    // A name as written, or the string of its single-argument `Sub`, and how to rebuild it.
    let name_of = |v: &Value| -> Option<(String, Option<&'static str>)> {
        match v {
            Value::String(s) => Some((s.clone(), None)),
            Value::Object(m) if m.len() == 1 => {
                let (k, a) = m.iter().next()?;
                let sub = match k.as_str() {
                    "Fn::Sub" => "Fn::Sub",
                    "!Sub" => "!Sub",
                    _ => return None,
                };
                Some((a.as_str()?.to_string(), Some(sub)))
            }
            _ => None,
        }
    };
    let rebuild = |text: String, sub: Option<&str>| match sub {
        None => Value::String(text),
        Some(k) => Value::Object(Map::from_iter([(k.to_string(), Value::String(text))])),
    };
    let mut out = BTreeMap::new();
    for (id, r) in resources_of(template, CFN_ROLE) {
        let Some(p) = r.get("Properties") else {
            continue;
        };
        let Some((name, sub)) = p.get("RoleName").and_then(name_of) else {
            continue;
        };
        let path = p.get("Path").and_then(Value::as_str).unwrap_or("/");
        // Literal ARN parts cannot hold `${…}` outside a Sub: make it one when needed.
        let arn = cat!(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role",
            path,
            &name
        );
        out.insert(id.clone(), rebuild(arn, Some(sub.unwrap_or("Fn::Sub"))));
    }
    for (id, r) in resources_of(template, CFN_LOG_GROUP) {
        if let Some(name) = r.get("Properties").and_then(|p| p.get("LogGroupName")) {
            out.insert(cat!("Ref:", id), name.clone());
        }
    }
    // A target group's Ref is its ARN, whose last part is an id made at creation: with its
    // `Name` (names are unique per account and Region) `targetgroup/<Name>/*` is that group.
    for (id, r) in resources_of(template, CFN_TARGET_GROUP) {
        if let Some(name) = r.get("Properties").and_then(|p| p.get("Name")) {
            let prefix = "arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:targetgroup/";
            let arn = serde_json::json!({"Fn::Join": ["", [prefix, name, "/*"]]});
            out.insert(cat!("Ref:", id), arn);
        }
    }
    out
}

/// Replaces every `GetAtt X.Arn` and `Ref X` inside `v` that [`named_resources`] knows.
/// Returns how many roles (log and target groups are not counted: the note is about roles).
fn resolve_named(v: &mut Value, named: &BTreeMap<String, Value>) -> usize {
    if named.is_empty() {
        return 0;
    }
    match v {
        Value::Object(m) => {
            if m.len() == 1 {
                let (k, arg) = m.iter().next().expect("one member");
                let found = match (k.as_str(), arg) {
                    ("Fn::GetAtt" | "!GetAtt", Value::String(s)) => {
                        s.strip_suffix(".Arn").and_then(|id| named.get(id))
                    }
                    ("Fn::GetAtt" | "!GetAtt", Value::Array(a))
                        if a.get(1).and_then(Value::as_str) == Some("Arn") =>
                    {
                        a.first()
                            .and_then(Value::as_str)
                            .and_then(|id| named.get(id))
                    }
                    ("Ref" | "!Ref", Value::String(s)) => match named.get(s.as_str()) {
                        Some(role) => Some(role),
                        None => {
                            if let Some(group) = named.get(&cat!("Ref:", s)) {
                                *v = group.clone();
                            }
                            return 0;
                        }
                    },
                    _ => None,
                };
                if let Some(x) = found {
                    *v = x.clone();
                    return 1;
                }
            }
            m.values_mut().map(|x| resolve_named(x, named)).sum()
        }
        Value::Array(a) => a.iter_mut().map(|x| resolve_named(x, named)).sum(),
        _ => 0,
    }
}

/// The template's only Managed Instances capacity provider (`ManagedInstancesProvider`), the
/// spec `roles` its roles make, and the role fields it sets that could not be read.
/// `InfrastructureRoleArn` and the role of the instance profile in
/// `InstanceLaunchTemplate.Ec2InstanceProfileArn` are each a literal role ARN (the existing
/// role) or a `GetAtt` of the template's own role with a literal `RoleName` (and `Path`): that
/// role is planned under its name, as the template creates it (with the node role's instance
/// profile). Other forms (a `!Sub` ARN or name, a parameter, an instance profile's ARN) are
/// returned as unread: the plan then names its own roles and says so.
fn managed_instances_roles(
    template: &Map<String, Value>,
) -> Option<(String, Value, Vec<&'static str>)> {
    let mut providers = resources_of(template, CFN_CAPACITY_PROVIDER).filter(|(_, r)| {
        r.get("Properties")
            .and_then(|p| p.get("ManagedInstancesProvider"))
            .is_some()
    });
    let (id, provider) = match (providers.next(), providers.next()) {
        (Some(p), None) => p,
        _ => return None,
    };
    let mip = provider
        .get("Properties")?
        .get("ManagedInstancesProvider")?;
    let resources = template.get("Resources")?.as_object()?;
    // The logical id a `GetAtt X.Arn` / `Ref X` names.
    let target = |v: &Value, fns: [&str; 2]| -> Option<String> {
        let m = v.as_object()?;
        let arg = fns.iter().find_map(|f| m.get(*f))?;
        match arg {
            Value::String(s) => Some(s.split('.').next().unwrap_or(s).to_string()),
            Value::Array(a) => a.first()?.as_str().map(str::to_string),
            _ => None,
        }
    };
    let typed = |id: &str, kind: &str| {
        resources
            .get(id)
            .filter(|r| r.get("Type").and_then(Value::as_str) == Some(kind))
            .and_then(|r| r.get("Properties"))
    };
    const GET_ATT: [&str; 2] = ["Fn::GetAtt", "!GetAtt"];
    let role = |id: &str| -> Option<Value> {
        let p = typed(id, CFN_ROLE)?;
        let mut m = Map::new();
        m.insert("name".into(), p.get("RoleName")?.as_str()?.into());
        if let Some(path) = p.get("Path").and_then(Value::as_str) {
            m.insert("path".into(), path.into());
        }
        Some(Value::Object(m))
    };
    let by_arn = |v: &Value| -> Option<Value> {
        match v.as_str() {
            Some(arn) if arn.starts_with("arn:") && arn.contains(":role/") => {
                Some(serde_json::json!({ "existingArn": arn }))
            }
            _ => role(&target(v, GET_ATT)?),
        }
    };
    let mut roles = Map::new();
    let mut unread = Vec::new();
    if let Some(v) = mip.get("InfrastructureRoleArn") {
        match by_arn(v) {
            Some(r) => drop(roles.insert("managedInstancesInfrastructure".into(), r)),
            None => unread.push("InfrastructureRoleArn"),
        }
    }
    if let Some(v) = mip
        .get("InstanceLaunchTemplate")
        .and_then(|t| t.get("Ec2InstanceProfileArn"))
    {
        let node = target(v, GET_ATT)
            .and_then(|p| {
                typed(&p, "AWS::IAM::InstanceProfile")?
                    .get("Roles")?
                    .get(0)
                    .cloned()
            })
            .and_then(|r| role(&target(&r, ["Ref", "!Ref"])?));
        match node {
            Some(r) => drop(roles.insert("managedInstancesNode".into(), r)),
            None => unread.push("InstanceLaunchTemplate.Ec2InstanceProfileArn"),
        }
    }
    Some((id.clone(), Value::Object(roles), unread))
}

/// Sets `key` on the spec `value` is, making the bare task definition it may still be a spec
/// `{taskDefinition}` first.
fn spec_member(value: &mut Value, key: &str, member: Value) {
    if value.get("taskDefinition").is_none() {
        let mut m = Map::new();
        m.insert("taskDefinition".into(), std::mem::take(value));
        *value = Value::Object(m);
    }
    if let Some(m) = value.as_object_mut() {
        m.insert(key.into(), member);
    }
}

/// The template's launchers of the task definition `td` (its logical id), as `launchers[]`
/// entries: EventBridge rules with an ECS target, EventBridge Scheduler schedules with one,
/// Step Functions state machines whose definition calls `ecs:runTask`. A target that runs
/// another task definition of the template is not this one's.
fn launchers_of(
    template: &Map<String, Value>,
    td: Option<&str>,
    placeholders: &mut Vec<String>,
) -> Vec<Value> {
    let other_td = |t: Option<&Value>| {
        let r = t.and_then(|t| t.get("Ref").or_else(|| t.get("!Ref")));
        r.and_then(Value::as_str).is_some_and(|n| {
            Some(n) != td && resources_of(template, CFN_TASK_DEFINITION).any(|(id, _)| id == n)
        })
    };
    // A launcher's role the template creates with a RoleName is that role (named_resources).
    let named = named_resources(template);
    let mut api = |v: Option<&Value>| {
        v.map(|v| {
            let mut v = v.clone();
            resolve_named(&mut v, &named);
            cfn_to_api(&v, None, placeholders)
        })
    };
    // A target's boolean member, which CloudFormation also takes as the string "true".
    let flag = |p: &Value, k: &str| match p.get(k) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    // The target tags the tasks it starts (RunTask with tags: ecs:TagResource).
    let tags = |p: &Value| {
        ["PropagateTags", "TagList", "Tags"]
            .iter()
            .any(|k| p.get(k).is_some())
            || flag(p, "EnableECSManagedTags")
    };
    // The target turns ECS Exec on for the tasks it starts (RunTask enableExecuteCommand).
    let exec = |p: &Value| flag(p, "EnableExecuteCommand");
    let mut out = Vec::new();
    let entry = |key: &str, name: Option<Value>, role: Option<Value>, tagged: bool| {
        let mut m = Map::new();
        // No name (CloudFormation makes one up): "*", any of this account's.
        m.insert(
            key.into(),
            name.unwrap_or_else(|| Value::String("*".into())),
        );
        if let Some(r) = role {
            m.insert("roleArn".into(), r);
        }
        if tagged {
            m.insert("tags".into(), Value::Bool(true));
        }
        m
    };
    for (_, r) in resources_of(template, CFN_EVENTS_RULE) {
        let Some(p) = r.get("Properties") else {
            continue;
        };
        let targets = p.get("Targets").and_then(Value::as_array);
        for t in targets.into_iter().flatten() {
            let Some(ecs) = t.get("EcsParameters") else {
                continue;
            };
            if other_td(ecs.get("TaskDefinitionArn")) {
                continue;
            }
            // `rule/<bus>/<name>` on a custom event bus.
            let name = match (api(p.get("Name")), api(p.get("EventBusName"))) {
                (Some(Value::String(n)), Some(Value::String(b))) if b != "default" => {
                    Some(Value::String(cat!(b, "/", n)))
                }
                (n, _) => n,
            };
            let role = api(t.get("RoleArn"));
            let mut m = entry("eventBridgeRule", name, role, tags(ecs));
            if exec(ecs) {
                m.insert("executeCommand".into(), Value::Bool(true));
            }
            out.push(Value::Object(m));
        }
    }
    for (_, r) in resources_of(template, CFN_SCHEDULE) {
        let Some(t) = r.get("Properties").and_then(|p| p.get("Target")) else {
            continue;
        };
        let Some(ecs) = t.get("EcsParameters") else {
            continue;
        };
        if other_td(ecs.get("TaskDefinitionArn")) {
            continue;
        }
        let group = api(r.get("Properties").and_then(|p| p.get("GroupName")))
            .unwrap_or_else(|| Value::String("default".into()));
        let role = api(t.get("RoleArn"));
        let mut m = entry("scheduleGroup", Some(group), role, tags(ecs));
        if exec(ecs) {
            m.insert("executeCommand".into(), Value::Bool(true));
        }
        out.push(Value::Object(m));
    }
    for (_, r) in resources_of(template, CFN_STATE_MACHINE) {
        let Some(p) = r.get("Properties") else {
            continue;
        };
        // The definition's strings and keys, whichever way the template gives it (an object, a
        // JSON string, Fn::Sub or Fn::Join pieces).
        let mut text = Vec::new();
        for d in ["Definition", "DefinitionString"]
            .iter()
            .filter_map(|k| p.get(k))
        {
            strings(d, &mut text);
        }
        let Some(run) = text
            .iter()
            .find_map(|s| s.find(":states:::ecs:runTask").map(|i| &s[i..]))
        else {
            continue;
        };
        let sync = run.starts_with(":states:::ecs:runTask.sync");
        let tagged = text.iter().any(|s| {
            ["PropagateTags", "Tags", "EnableECSManagedTags"]
                .iter()
                .any(|k| s == k || s.contains(&cat!("\"", k, "\"")))
        });
        let name = api(p.get("StateMachineName"));
        let role = api(p.get("RoleArn"));
        let mut m = entry("stateMachine", name, role, tagged);
        if sync {
            m.insert("sync".into(), Value::Bool(true));
        }
        out.push(Value::Object(m));
    }
    out
}

/// Every string in `v`, object keys included.
fn strings<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k);
            strings(x, out);
        }),
        _ => {}
    }
}

/// A template's resources of one CloudFormation type, with their logical ids, in template order.
fn resources_of<'v>(
    template: &'v Map<String, Value>,
    kind: &'v str,
) -> impl Iterator<Item = (&'v String, &'v Value)> {
    template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
}

/// CloudFormation property names that are not the API's name with a lower-case first letter.
const CFN_RENAMES: &[(&str, &str)] = &[
    ("EFSVolumeConfiguration", "efsVolumeConfiguration"),
    ("FilesystemId", "fileSystemId"),
    ("IAM", "iam"),
    (
        "FSxWindowsFileServerVolumeConfiguration",
        "fsxWindowsFileServerVolumeConfiguration",
    ),
    ("IpcMode", "ipcMode"),
    // AWS::ECS::Service
    ("PlacementStrategies", "placementStrategy"),
    // AWS::CodeDeploy::DeploymentGroup
    ("ECSServices", "ecsServices"),
];

/// Maps whose keys are the user's own (log options, labels…): their keys stay as written.
const FREE_FORM_MAPS: &[&str] = &[
    "Options",
    "DockerLabels",
    "DriverOpts",
    "Labels",
    "SystemControls",
];

/// PascalCase properties → camelCase API fields; intrinsic functions → `${…}` placeholders
/// (resolved later from `--var`, the region and the account where they are pseudo parameters).
fn cfn_to_api(v: &Value, parent_key: Option<&str>, placeholders: &mut Vec<String>) -> Value {
    match v {
        Value::Object(m) => {
            if let Some(v) = condition(m, placeholders) {
                return v;
            }
            if let Some(s) = intrinsic(m, placeholders) {
                return Value::String(s);
            }
            let free = parent_key.is_some_and(|k| FREE_FORM_MAPS.contains(&k));
            let mut out = Map::new();
            for (k, x) in m {
                let key = if free { k.clone() } else { camel(k) };
                out.insert(key, cfn_to_api(x, Some(k), placeholders));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| cfn_to_api(x, None, placeholders))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn camel(k: &str) -> String {
    if let Some((_, to)) = CFN_RENAMES.iter().find(|(from, _)| *from == k) {
        return (*to).to_string();
    }
    let mut c = k.chars();
    match c.next() {
        Some(f) if f.is_ascii_uppercase() => f.to_ascii_lowercase().to_string() + c.as_str(),
        _ => k.to_string(),
    }
}

/// Marks a placeholder note that leaves a CloudFormation branch unplanned (made a warning).
const DROPPED: &str = "; its false branch is not planned: ";

/// `Fn::If [condition, a, b]`: the branch that sets something (a role needs the permissions
/// of either), `AWS::NoValue` as unset (`null`, dropped afterwards). Noted as an assumption.
fn condition(m: &Map<String, Value>, placeholders: &mut Vec<String>) -> Option<Value> {
    if m.len() != 1 {
        return None;
    }
    let (k, arg) = m.iter().next()?;
    if k != "Fn::If" && k != "!If" {
        return None;
    }
    let a = arg.as_array()?;
    let no_value = |v: &Value| {
        v.get("Ref")
            .or_else(|| v.get("!Ref"))
            .and_then(Value::as_str)
            == Some("AWS::NoValue")
    };
    let (yes, no) = (a.get(1)?, a.get(2)?);
    let chosen = [yes, no].into_iter().find(|v| !no_value(v));
    let cond = a.first().and_then(Value::as_str).unwrap_or("?");
    if no_value(yes) || no_value(no) {
        push_new(
            placeholders,
            cat!("Fn::If ", cond, " (the branch that sets a value)"),
        );
    } else {
        // Two real branches: one is planned; the other is said (a warning: see DROPPED).
        push_new(
            placeholders,
            cat!("Fn::If ", cond, " planned as true", DROPPED, words(no)),
        );
    }
    Some(match chosen {
        Some(v) => cfn_to_api(v, None, placeholders),
        None => Value::Null,
    })
}

/// `{"Ref": X}`, `{"Fn::Sub": …}`, `{"Fn::GetAtt": …}`, `{"Fn::Join": …}` and the YAML short
/// forms (`!Ref` …, read as `{"!Ref": …}`) → a string with `${…}` where the value is unknown.
fn intrinsic(m: &Map<String, Value>, placeholders: &mut Vec<String>) -> Option<String> {
    if m.len() != 1 {
        return None;
    }
    let (k, arg) = m.iter().next()?;
    let name = k.trim_start_matches('!').trim_start_matches("Fn::");
    let s = match name {
        "Ref" => {
            let r = arg.as_str()?;
            if !r.starts_with("AWS::") {
                push_new(placeholders, r.to_string());
            }
            cat!("${", r, "}")
        }
        "Sub" => match arg {
            Value::String(s) => {
                collect_sub_names(s, placeholders);
                s.clone()
            }
            Value::Array(a) => {
                let mut s = a.first()?.as_str()?.to_string();
                if let Some(Value::Object(vars)) = a.get(1) {
                    for (var, val) in vars {
                        let val = match val {
                            Value::String(v) => v.clone(),
                            Value::Object(o) => intrinsic(o, placeholders)?,
                            _ => continue,
                        };
                        s = s.replace(&cat!("${", var, "}"), &val);
                        // Nested `Fn::Sub`s multiply: refuse past a value's plausible size.
                        if s.len() > crate::placeholder::MAX_VALUE {
                            return None;
                        }
                    }
                }
                collect_sub_names(&s, placeholders);
                s
            }
            _ => return None,
        },
        "GetAtt" => {
            let parts = match arg {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("."),
                _ => return None,
            };
            push_new(placeholders, parts.clone());
            cat!("${", parts, "}")
        }
        "Join" => {
            let a = arg.as_array()?;
            let sep = a.first()?.as_str()?;
            let items = a.get(1)?.as_array()?;
            let mut joined = String::new();
            for (n, i) in items.iter().enumerate() {
                if n > 0 {
                    joined.push_str(sep);
                }
                match i {
                    Value::String(s) => joined.push_str(s),
                    Value::Object(o) => joined.push_str(&intrinsic(o, placeholders)?),
                    _ => return None,
                }
                if joined.len() > crate::placeholder::MAX_VALUE {
                    return None;
                }
            }
            joined
        }
        "ImportValue" => {
            // The export's name, itself often a `!Sub`.
            let export = match arg {
                Value::String(s) => s.clone(),
                Value::Object(o) => intrinsic(o, &mut Vec::new())?,
                _ => return None,
            };
            let label = cat!("ImportValue:", export);
            push_new(placeholders, label.clone());
            cat!("${", label, "}")
        }
        "FindInMap" | "If" | "Select" | "Base64" => {
            let mut label = cat!(name, ":", words(arg));
            if label.len() > 48 {
                let cut = (0..=45)
                    .rev()
                    .find(|i| label.is_char_boundary(*i))
                    .unwrap_or(0);
                label.truncate(cut);
                label.push('…');
            }
            push_new(placeholders, label.clone());
            cat!("${", label, "}")
        }
        _ if k.starts_with("Fn::") || k.starts_with('!') => {
            push_new(placeholders, k.clone());
            cat!("${", k, "}")
        }
        _ => return None,
    };
    Some(s)
}

/// Adds `item` unless present (lists of a few names: no sort, no set).
fn push_new(list: &mut Vec<String>, item: impl Into<String>) {
    let item = item.into();
    if !list.contains(&item) {
        list.push(item);
    }
}

/// A short plain-text rendering of an intrinsic's argument, for its placeholder label.
fn words(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(words).collect::<Vec<_>>().join(","),
        Value::Object(m) => m
            .iter()
            .next()
            .map(|(k, v)| cat!(k, ":", words(v)))
            .unwrap_or_default(),
        other => scalar(other).unwrap_or_default(),
    }
}

fn collect_sub_names(s: &str, placeholders: &mut Vec<String>) {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else { break };
        let name = &after[..j];
        if !name.starts_with("AWS::") && !name.starts_with('!') {
            push_new(placeholders, name.to_string());
        }
        rest = &after[j..];
    }
}

/// Fills `spec.variables` into its task definition, service and CredSpecs: for specs that did not come through
/// [`crate::parse_document`] (the controller reads them from the API server). `None` when
/// nothing changed.
pub fn with_variables(spec: &crate::spec::EcsRoleSetSpec) -> Option<crate::spec::EcsRoleSetSpec> {
    if spec.variables.is_empty() {
        return None;
    }
    let (mut used, mut changed) = (Vec::new(), false);
    let vars = Vars {
        all: &spec.variables,
        given: &spec.variables,
    };
    let mut td = serde_json::to_value(&spec.task_definition).ok()?;
    substitute(&mut td, &vars, &mut used, &mut changed);
    let mut service = serde_json::to_value(&spec.service).ok()?;
    substitute(&mut service, &vars, &mut used, &mut changed);
    let mut credential_specs = spec.credential_specs.clone();
    for v in credential_specs.values_mut() {
        substitute(v, &vars, &mut used, &mut changed);
    }
    if !changed {
        return None;
    }
    let mut out = spec.clone();
    out.credential_specs = credential_specs;
    // From `&Value`: the same deserializer instance input parsing uses.
    out.task_definition = serde::Deserialize::deserialize(&td).ok()?;
    out.service = serde::Deserialize::deserialize(&service).ok()?;
    // `environment` is never serialised (its values may be secrets): keep it as it was.
    for (c, before) in out
        .task_definition
        .container_definitions
        .iter_mut()
        .zip(&spec.task_definition.container_definitions)
    {
        c.environment = before.environment.clone();
    }
    Some(out)
}

/// Fills `vars` (given by the user: every form, a bare `$NAME` too) into a document read
/// beside the main one ([`crate::input::with_credential_spec`]).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn fill_variables(v: &mut Value, vars: &BTreeMap<String, String>) {
    let vars = Vars {
        all: vars,
        given: vars,
    };
    substitute(v, &vars, &mut Vec::new(), &mut false);
}

/// Replaces known placeholders in every string. Recognised forms, each naming `NAME`:
/// `${NAME}`, `$NAME` (filled only when a variable of that name is given, like the others;
/// shell text such as `$HOME` in a command is then left as written), `$(NAME)`, `{{NAME}}`, `{{ .NAME }}`,
/// `{{ env "NAME" }}`, `{{ must_env "NAME" }}` and `{{ tfstate "NAME" }}` (ecspresso).
/// The variables [`substitute`] fills from: every one, and those someone gave (not a
/// template parameter's default), the only ones a bare `$NAME` takes.
struct Vars<'a> {
    all: &'a BTreeMap<String, String>,
    given: &'a BTreeMap<String, String>,
}

fn substitute(v: &mut Value, vars: &Vars, used: &mut Vec<String>, changed: &mut bool) {
    match v {
        Value::String(s) => {
            if let Some(new) = substitute_str(s, vars, used) {
                *s = new;
                *changed = true;
            }
        }
        Value::Object(m) => m
            .values_mut()
            .for_each(|x| substitute(x, vars, used, changed)),
        Value::Array(a) => a
            .iter_mut()
            .for_each(|x| substitute(x, vars, used, changed)),
        _ => {}
    }
}

fn substitute_str(s: &str, vars: &Vars, used: &mut Vec<String>) -> Option<String> {
    use crate::placeholder::MAX_VALUE;
    if s.len() > MAX_VALUE {
        return None;
    }
    // A whole value that is a variable's name (`sed`-style SCREAMING_SNAKE markers).
    if crate::placeholder::is_shouted_token(s) {
        if let Some(v) = vars.all.get(s) {
            push_new(used, s.to_string());
            return Some(v.clone());
        }
    }
    let mut out = String::new();
    let mut rest = s;
    let mut any = false;
    while let Some(p) = crate::placeholder::find(rest) {
        out.push_str(&rest[..p.start]);
        let bare = p
            .text
            .as_bytes()
            .get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
        let from = if bare && p.text.starts_with('$') {
            vars.given
        } else {
            vars.all
        };
        match from.get(p.name) {
            Some(val) => {
                out.push_str(val);
                push_new(used, p.name.to_string());
                any = true;
            }
            None => out.push_str(&rest[p.start..p.end]),
        }
        if out.len() > MAX_VALUE {
            return None; // left as written: the placeholder is then reported
        }
        rest = &rest[p.end..];
    }
    out.push_str(rest);
    any.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(mut v: Value) -> (Value, Normalized) {
        let n = normalize(&mut v, &BTreeMap::new());
        (v, n)
    }

    #[test]
    #[cfg(feature = "templates")]
    fn an_express_request_becomes_the_task_definition_ecs_registers() {
        let (v, n) = run(
            json!({"serviceName": "api", "cluster": "arn:aws:ecs:us-east-1:111122223333:cluster/prod",
            "infrastructureRoleArn": "arn:aws:iam::111122223333:role/infra",
            "executionRoleArn": "arn:aws:iam::111122223333:role/exec",
            "primaryContainer": {"image": "nginx", "containerPort": 80,
                "secrets": [{"name": "S", "valueFrom": "arn:aws:ssm:us-east-1:111122223333:parameter/p"}]}}),
        );
        assert!(n.shape_error.is_none(), "{:?}", n.shape_error);
        let td = &v["taskDefinition"];
        assert_eq!(td["family"], "api");
        assert_eq!(
            td["executionRoleArn"],
            "arn:aws:iam::111122223333:role/exec"
        );
        assert_eq!(td["requiresCompatibilities"], json!(["FARGATE"]));
        let c = &td["containerDefinitions"][0];
        assert_eq!(
            (c["name"].as_str(), c["image"].as_str()),
            (Some("Main"), Some("nginx"))
        );
        assert_eq!(c["secrets"][0]["name"], "S");
        // ECS's own log group for the service, its random suffix matched.
        assert_eq!(
            c["logConfiguration"]["options"]["awslogs-group"],
            "/aws/ecs/prod/api-*"
        );
        assert_eq!(
            c["logConfiguration"]["options"]["awslogs-stream-prefix"],
            "ecs"
        );
        assert_eq!(v["cluster"], "prod");
        assert_eq!(
            v["expressGatewayService"]["infrastructureRoleArn"],
            "arn:aws:iam::111122223333:role/infra"
        );
        assert!(n.notes.iter().any(|f| f.message.contains("container Main")));
    }

    #[test]
    #[cfg(feature = "templates")]
    fn an_express_request_that_cannot_be_planned_says_which_member_and_why() {
        // A misspelt member is named with the real one.
        let (_, n) =
            run(json!({"infrastructureRoleArn": "r", "primaryContainer": {"imag": "nginx"}}));
        let (path, message) = n.shape_error.expect("refused");
        // A bare request's member is where the user wrote it: at the top.
        assert_eq!(path, "primaryContainer.imag");
        assert!(message.contains("\"image\""), "{message}");
        // Bring-your-own task definition: its content is needed.
        let (_, n) = run(
            json!({"infrastructureRoleArn": "r", "taskDefinitionArn": "arn:aws:ecs:us-east-1:111122223333:task-definition/api:3"}),
        );
        assert!(n
            .shape_error
            .expect("refused")
            .1
            .contains("add it as taskDefinition"));
        // A task definition of its own and a primaryContainer: the API takes one of the two.
        let (_, n) = run(
            json!({"taskDefinition": {"family": "x", "containerDefinitions": [{"name": "app", "image": "a"}]},
            "expressGatewayService": {"infrastructureRoleArn": "r", "primaryContainer": {"image": "b"}}}),
        );
        assert_eq!(
            n.shape_error.expect("refused").0,
            "expressGatewayService.primaryContainer"
        );
        // cpu beside a task definition; primaryContainer beside taskDefinitionArn.
        let (_, n) = run(
            json!({"taskDefinition": {"family": "x", "containerDefinitions": [{"name": "Main", "image": "a"}]},
            "expressGatewayService": {"infrastructureRoleArn": "r", "cpu": "1024"}}),
        );
        assert_eq!(
            n.shape_error.expect("refused").0,
            "expressGatewayService.cpu"
        );
        let (_, n) = run(
            json!({"infrastructureRoleArn": "r", "taskDefinitionArn": "t", "primaryContainer": {"image": "b"}}),
        );
        assert_eq!(n.shape_error.expect("refused").0, "taskDefinitionArn");
        // primaryContainer not an object, or without its image: said at that member.
        let (_, n) = run(json!({"infrastructureRoleArn": "r", "primaryContainer": "nginx"}));
        let (path, message) = n.shape_error.expect("refused");
        assert_eq!(path, "primaryContainer");
        assert!(message.contains("must be an object"), "{message}");
        let (_, n) = run(
            json!({"expressGatewayService": {"infrastructureRoleArn": "r", "primaryContainer": {"secrets": []}}}),
        );
        assert_eq!(
            n.shape_error.expect("refused").0,
            "expressGatewayService.primaryContainer.image"
        );
        // No serviceName: ECS names the service, the group pattern is the cluster's: said.
        let (v, n) = run(json!({"infrastructureRoleArn": "r", "primaryContainer": {"image": "b"}}));
        assert_eq!(
            v["taskDefinition"]["containerDefinitions"][0]["logConfiguration"]["options"]
                ["awslogs-group"],
            "/aws/ecs/default/*"
        );
        assert!(n
            .notes
            .iter()
            .any(|f| f.severity == Severity::Warning && f.path == "serviceName"));
    }

    #[test]
    #[cfg(feature = "templates")]
    fn a_template_whose_express_service_runs_its_task_definition_reads_both() {
        let (v, n) = run(json!({"Resources": {
            "TD": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Family": "shop",
                "ContainerDefinitions": [{"Name": "Main", "Image": "nginx"}]}},
            "Svc": {"Type": "AWS::ECS::ExpressGatewayService", "Properties": {"ServiceName": "shop",
                "InfrastructureRoleArn": "arn:aws:iam::111122223333:role/infra", "TaskDefinitionArn": {"Ref": "TD"}}}}}));
        assert!(n.shape_error.is_none(), "{:?}", n.shape_error);
        assert_eq!(v["taskDefinition"]["family"], "shop");
        assert_eq!(
            v["expressGatewayService"]["infrastructureRoleArn"],
            "arn:aws:iam::111122223333:role/infra"
        );
        assert!(n
            .notes
            .iter()
            .any(|f| f.message.contains("AWS::ECS::ExpressGatewayService")));
    }

    #[test]
    fn nulls_and_empty_strings_are_unset() {
        let (v, n) = run(
            json!({"family": "a", "executionRoleArn": "", "taskRoleArn": null,
            "containerDefinitions": [{"name": "c", "secrets": null, "image": "x"}, null]}),
        );
        assert!(n.changed);
        assert_eq!(
            v,
            json!({"family": "a", "containerDefinitions": [{"name": "c", "image": "x"}]})
        );
    }

    #[test]
    fn a_bare_array_is_the_container_definitions() {
        let (v, n) = run(json!([{"name": "c", "image": "x"}]));
        assert_eq!(
            v,
            json!({"containerDefinitions": [{"name": "c", "image": "x"}]})
        );
        assert!(n.notes[0].message.contains("bare array"));
    }

    #[test]
    fn container_definitions_as_a_json_string() {
        let (v, _) = run(json!({"family": "a", "containerDefinitions": "[{\"name\":\"c\"}]"}));
        assert_eq!(v["containerDefinitions"][0]["name"], "c");
    }

    #[test]
    fn a_cloudformation_template_becomes_the_api_shape() {
        let (v, n) = run(json!({"Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "TaskDef": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "web",
                "ExecutionRoleArn": {"Fn::GetAtt": ["ExecRole", "Arn"]},
                "TaskRoleArn": {"Ref": "TaskRoleArn"},
                "Volumes": [{"Name": "v", "EFSVolumeConfiguration": {"FilesystemId": "fs-1", "AuthorizationConfig": {"IAM": "ENABLED"}}}],
                "ContainerDefinitions": [{"Name": "c",
                    "Image": {"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/web:${Tag}"},
                    "LogConfiguration": {"LogDriver": "awslogs", "Options": {"awslogs-group": {"Ref": "Logs"}, "awslogs-region": {"Ref": "AWS::Region"}}},
                    "Secrets": [{"Name": "DB", "ValueFrom": {"Fn::Join": [":", ["arn:aws:ssm", {"Ref": "AWS::Region"}, "1", "parameter/db"]]}}]}]}}}}));
        assert_eq!(v["family"], "web");
        assert_eq!(v["executionRoleArn"], "${ExecRole.Arn}");
        assert_eq!(v["taskRoleArn"], "${TaskRoleArn}");
        assert_eq!(
            v["volumes"][0]["efsVolumeConfiguration"]["fileSystemId"],
            "fs-1"
        );
        assert_eq!(
            v["volumes"][0]["efsVolumeConfiguration"]["authorizationConfig"]["iam"],
            "ENABLED"
        );
        let c = &v["containerDefinitions"][0];
        assert_eq!(
            c["image"],
            "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/web:${Tag}"
        );
        assert_eq!(c["logConfiguration"]["options"]["awslogs-group"], "${Logs}");
        assert_eq!(c["logConfiguration"]["logDriver"], "awslogs");
        assert_eq!(
            c["secrets"][0]["valueFrom"],
            "arn:aws:ssm:${AWS::Region}:1:parameter/db"
        );
        assert!(n.notes[0].message.contains("TaskDef"), "{:?}", n.notes);
        assert!(n.notes[1].message.contains("ExecRole.Arn"), "{:?}", n.notes);
        assert!(!n.notes[1].message.contains("AWS::Region"), "{:?}", n.notes);
    }

    #[test]
    fn template_parameter_defaults_fill_refs_and_nested_subs_stay_bounded() {
        let (v, _) = run(
            json!({"Parameters": {"Repo": {"Type": "String", "Default": "web"}},
            "Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "ContainerDefinitions": [{"Name": "c", "Image": {"Fn::Sub": "1.dkr.ecr.us-east-1.amazonaws.com/${Repo}"}}]}}}}),
        );
        assert_eq!(
            v["containerDefinitions"][0]["image"],
            "1.dkr.ecr.us-east-1.amazonaws.com/web"
        );
        // A default fills `${Repo}`, never shell text's bare `$Repo` (CloudFormation does not).
        let (v, _) = run(
            json!({"Parameters": {"Repo": {"Type": "String", "Default": "web"}},
            "Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "ContainerDefinitions": [{"Name": "c", "Image": "nginx", "Command": ["sh", "-c", "echo $Repo"]}]}}}}),
        );
        assert_eq!(v["containerDefinitions"][0]["command"][2], "echo $Repo");
        // Eight levels of a Sub that repeats its variable eight times: 8^8 × 8 bytes if
        // expanded; refused past a plausible value's size instead.
        let mut inner = json!("xxxxxxxx");
        for _ in 0..8 {
            inner = json!({"Fn::Sub": ["${a}".repeat(8), {"a": inner}]});
        }
        let (v, _) = run(
            json!({"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition",
            "Properties": {"Family": inner, "ContainerDefinitions": []}}}}),
        );
        assert!(
            !v["family"].is_string(),
            "not expanded: {}",
            v["family"].to_string().len()
        );
    }

    #[test]
    fn yaml_short_forms_are_intrinsics_too() {
        let (v, _) = run(json!({"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "TaskRoleArn": {"!GetAtt": "Role.Arn"},
            "ContainerDefinitions": [{"Name": "c", "Image": {"!Sub": ["${Repo}:1", {"Repo": "r/x"}]}}]}}));
        assert_eq!(v["taskRoleArn"], "${Role.Arn}");
        assert_eq!(v["containerDefinitions"][0]["image"], "r/x:1");
    }

    #[test]
    fn variables_fill_placeholders() {
        let vars = BTreeMap::from([
            ("ACCOUNT".to_string(), "111122223333".to_string()),
            ("tag".to_string(), "v1".to_string()),
        ]);
        let mut v = json!({"containerDefinitions": [{"image": "${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/a:{{ must_env `tag` }}", "name": "{{ .Other }}"}]});
        let n = normalize(&mut v, &vars);
        assert_eq!(
            v["containerDefinitions"][0]["image"],
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/a:v1"
        );
        assert_eq!(v["containerDefinitions"][0]["name"], "{{ .Other }}");
        assert!(
            n.notes.iter().any(|f| f.message.contains("ACCOUNT, tag")),
            "{:?}",
            n.notes
        );
    }
}
