//! The roles of ECS-native blue/green, linear and canary deployments (doc::BLUE_GREEN): the
//! load balancer infrastructure role named by `loadBalancers[].advancedConfiguration.roleArn`,
//! and the role ECS invokes `deploymentConfiguration.lifecycleHooks[]` with. Neither is the
//! legacy service role (`service_role` in capacity.rs never reads these fields).

use super::*;
use serde_json::Value;

impl<'a> Planner<'a> {
    pub(super) fn blue_green(&mut self) {
        let spec = self.spec;
        let k = RoleKind::LoadBalancerInfrastructure;
        for (i, lb, adv) in advanced_configs(spec) {
            let at = cat!("service.loadBalancers[", i.to_string(), "].");
            self.need(
                k,
                "the service shifts traffic with blue/green, linear or canary deployments",
            );
            // (field, its value, the ARN kinds it takes, required): both target groups are
            // required for a blue/green load balancer; the test rule is optional, and so is
            // the production one in the API (an NLB names a listener).
            let alternate = adv.get("alternateTargetGroupArn").and_then(Value::as_str);
            let fields = [
                (
                    "targetGroupArn",
                    lb.target_group_arn.as_deref().or(Some("")),
                    TARGET_GROUP,
                ),
                (
                    "advancedConfiguration.alternateTargetGroupArn",
                    alternate.or(Some("")),
                    TARGET_GROUP,
                ),
                (
                    "advancedConfiguration.productionListenerRule",
                    str_at(adv, "productionListenerRule"),
                    RULE_OR_LISTENER,
                ),
                (
                    "advancedConfiguration.testListenerRule",
                    str_at(adv, "testListenerRule"),
                    RULE_OR_LISTENER,
                ),
            ];
            for (field, value, kinds) in fields {
                let path = cat!(at, field);
                let Some(a) =
                    value.and_then(|v| self.required_arn(v, &path, "elasticloadbalancing", kinds))
                else {
                    continue;
                };
                let rule = if a.contains(":targetgroup/") {
                    &rules::LB_TARGETS
                } else if let Some(listener) = listener_of_rule(&a) {
                    // A rule that is its listener's default changes only through the listener.
                    self.grant(
                        k,
                        &rules::LB_MODIFY_LISTENER,
                        vec![listener],
                        Conditions::new(),
                        path.clone(),
                    );
                    &rules::LB_MODIFY_RULE
                } else {
                    &rules::LB_MODIFY_LISTENER
                };
                self.grant(k, rule, vec![a], Conditions::new(), path);
            }
        }
        if self.needs.contains_key(&k) {
            let r = "service.loadBalancers[].advancedConfiguration".to_string();
            self.grant(k, &rules::LB_READ, vec!["*".into()], Conditions::new(), r);
        } else {
            self.absent_why.insert(
                k,
                (
                    "no load balancer has an advancedConfiguration (blue/green)".into(),
                    doc::BLUE_GREEN,
                ),
            );
        }

        let k = RoleKind::LifecycleHooks;
        for (i, hook) in lifecycle_hooks(spec) {
            let path = cat!(
                "service.deploymentConfiguration.lifecycleHooks[",
                i.to_string(),
                "].hookTargetArn"
            );
            self.need(k, "the deployment invokes lifecycle hooks");
            let target = hook
                .get("hookTargetArn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if let Some(f) = self.required_arn(target, &path, "lambda", &["function:"]) {
                self.grant(k, &rules::HOOK_INVOKE, vec![f], Conditions::new(), path);
            }
        }
        if !self.needs.contains_key(&k) {
            self.absent_why.insert(
                k,
                (
                    "the deployment has no lifecycle hooks".into(),
                    doc::BLUE_GREEN_HOOKS,
                ),
            );
        }
    }
}

impl<'a> Planner<'a> {
    /// CodeDeploy blue/green (`deploymentController.type: CODE_DEPLOY`; doc::CODEDEPLOY_ROLE):
    /// the CodeDeploy service role, scoped to the service and to what the deployment group
    /// (`codeDeploy`) names. PassRole on the task definition's roles is added once the roles
    /// are built (`code_deploy_pass_role`): their ARNs are known then.
    pub(super) fn code_deploy(&mut self) {
        let spec = self.spec;
        let k = RoleKind::CodeDeploy;
        let controller = spec
            .service
            .as_ref()
            .and_then(|s| s.deployment_controller.as_ref());
        if !controller.is_some_and(|c| c.kind == "CODE_DEPLOY") {
            self.absent_why.insert(
                k,
                (
                    "the service's deployment controller is not CODE_DEPLOY".into(),
                    doc::CODEDEPLOY_ROLE,
                ),
            );
            return;
        }
        self.need(
            k,
            "the service deploys through CodeDeploy (deploymentController CODE_DEPLOY)",
        );
        let group = &spec.code_deploy;
        let service = group
            .get("ecsServices")
            .and_then(|s| s.get(0)?.get("serviceName")?.as_str())
            // Unknown, or a template's reference: any service of the cluster.
            .filter(|n| !crate::placeholder::may_hold(n))
            .unwrap_or("*");
        let cluster = self.cluster.clone();
        let resources = vec![
            self.arn("ecs", &cat!("service/", cluster, "/", service)),
            self.arn("ecs", &cat!("task-set/", cluster, "/", service, "/*")),
        ];
        let why = "service.deploymentController".to_string();
        self.grant(
            k,
            &rules::CD_TASK_SETS,
            resources,
            Conditions::new(),
            why.clone(),
        );
        self.grant(
            k,
            &rules::CD_ELB_READ,
            vec!["*".into()],
            Conditions::new(),
            why,
        );

        let pairs = group
            .get("loadBalancerInfo")
            .and_then(|l| l.get("targetGroupPairInfoList"))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut listeners = 0;
        for (i, pair) in pairs.iter().enumerate() {
            for route in ["prodTrafficRoute", "testTrafficRoute"] {
                let arns = pair
                    .get(route)
                    .and_then(|r| r.get("listenerArns"))
                    .and_then(Value::as_array);
                for (j, l) in arns.into_iter().flatten().enumerate() {
                    listeners += 1;
                    let path = cat!(
                        "codeDeploy.loadBalancerInfo.targetGroupPairInfoList[",
                        i.to_string(),
                        "].",
                        route,
                        ".listenerArns[",
                        j.to_string(),
                        "]"
                    );
                    let v = l.as_str().unwrap_or_default();
                    let Some(a) =
                        self.required_arn(v, &path, "elasticloadbalancing", &["listener/"])
                    else {
                        continue;
                    };

                    // An ALB listener's rules: `…:listener-rule/app/<lb>/<id>/<listener>/*`.
                    if a.contains(":listener/app/") {
                        let rules = cat!(a.replacen(":listener/", ":listener-rule/", 1), "/*");
                        self.grant(
                            k,
                            &rules::CD_RULES,
                            vec![rules],
                            Conditions::new(),
                            path.clone(),
                        );
                    }
                    self.grant(k, &rules::CD_LISTENERS, vec![a], Conditions::new(), path);
                }
            }
        }
        if listeners == 0 {
            self.warn("codeDeploy.loadBalancerInfo", "CodeDeploy shifts the listeners its deployment group names, and none is given: ModifyListener is not planned (deployments would fail)")
                .fix = Some("add the deployment group as codeDeploy (aws deploy create-deployment-group --cli-input-json spelling), with its loadBalancerInfo".into());
        }
        let alarms = group
            .get("alarmConfiguration")
            .and_then(|a| a.get("alarms"))
            .and_then(Value::as_array);
        for (i, a) in alarms.into_iter().flatten().enumerate() {
            let path = cat!(
                "codeDeploy.alarmConfiguration.alarms[",
                i.to_string(),
                "].name"
            );
            let name = a.get("name").and_then(Value::as_str).unwrap_or_default();
            if let Some(name) = self.fill(name, &path) {
                let arn = self.arn("cloudwatch", &cat!("alarm:", name));
                self.grant(k, &rules::CD_ALARMS, vec![arn], Conditions::new(), path);
            }
        }
        let triggers = group.get("triggerConfigurations").and_then(Value::as_array);
        for (i, t) in triggers.into_iter().flatten().enumerate() {
            let path = cat!(
                "codeDeploy.triggerConfigurations[",
                i.to_string(),
                "].triggerTargetArn"
            );
            let v = t
                .get("triggerTargetArn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if let Some(a) = self.required_arn(v, &path, "sns", &[""]) {
                self.grant(k, &rules::CD_TRIGGERS, vec![a], Conditions::new(), path);
            }
        }
        // AppSpec `Hooks: [{BeforeInstall: <function name or ARN>}, …]`.
        let hooks = group
            .get("appSpec")
            .and_then(|a| a.get("Hooks"))
            .and_then(Value::as_array);
        for (i, h) in hooks.into_iter().flatten().enumerate() {
            for f in h
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
                .filter_map(Value::as_str)
            {
                let path = cat!("codeDeploy.appSpec.Hooks[", i.to_string(), "]");
                let f = if f.starts_with("arn:") {
                    f.to_string()
                } else {
                    self.arn("lambda", &cat!("function:", f))
                };
                if let Some(a) = self.required_arn(&f, &path, "lambda", &["function:"]) {
                    self.grant(k, &rules::CD_HOOKS, vec![a], Conditions::new(), path);
                }
            }
        }
    }
}

impl<'a> Planner<'a> {
    /// PassRole on exactly the task definition's roles for `kind`, which starts its tasks
    /// (CodeDeploy, the launchers), from the roles already built. For CodeDeploy: AWS's Limited
    /// policy allows only roles named ecsTaskExecutionRole / ECSTaskExecution* (a differently
    /// named role fails the deployment); AWS's full policies allow every role.
    pub(super) fn pass_task_roles(
        &self,
        built: &[PlannedRole],
        kind: RoleKind,
        rule: &Rule,
    ) -> Option<Grant> {
        let arns: Vec<String> = built
            .iter()
            .filter(|r| matches!(r.kind, RoleKind::TaskExecution | RoleKind::Task))
            .filter(|r| !r.arn.is_empty())
            .map(|r| r.arn.clone())
            .collect();
        if arns.is_empty() {
            return None;
        }
        let tasks = self.principal(RoleKind::Task);
        Some(Grant {
            role: kind,
            effect: Effect::Allow,
            sid: rule.sid,
            actions: rule.actions,
            why: rule.why,
            doc: rule.doc,
            resources: arns,
            not_resources: vec![],
            conditions: cond("StringEquals", "iam:PassedToService", &[tasks]),
            reason: "the task definition's roles".into(),
            more_reasons: Vec::new(),
        })
    }
}

const TARGET_GROUP: &[&str] = &["targetgroup/"];
const RULE_OR_LISTENER: &[&str] = &["listener-rule/", "listener/"];

/// A JSON member that is a string.
fn str_at<'v>(m: &'v crate::taskdef::Options, key: &str) -> Option<&'v str> {
    m.get(key).and_then(Value::as_str)
}

/// The listener an ALB rule sits on: `…:listener-rule/app/<lb>/<id>/<listener>/<rule>` →
/// `…:listener/app/<lb>/<id>/<listener>`.
fn listener_of_rule(rule: &str) -> Option<String> {
    let (head, tail) = rule.split_once(":listener-rule/")?;
    let (listener, _) = tail.rsplit_once('/')?;
    Some(cat!(head, ":listener/", listener))
}

/// `service.loadBalancers[i]` with its `advancedConfiguration`, for those that have one.
pub(super) fn advanced_configs(
    spec: &EcsRoleSetSpec,
) -> impl Iterator<Item = (usize, &LoadBalancer, &crate::taskdef::Options)> {
    spec.service
        .iter()
        .flat_map(|s| s.load_balancers.iter())
        .enumerate()
        .filter(|(_, lb)| !lb.advanced_configuration.is_empty())
        .map(|(i, lb)| (i, lb, &lb.advanced_configuration))
}

/// `service.deploymentConfiguration.lifecycleHooks[i]`, with `i`.
pub(super) fn lifecycle_hooks(
    spec: &EcsRoleSetSpec,
) -> impl Iterator<Item = (usize, &serde_json::Map<String, Value>)> {
    spec.service
        .as_ref()
        .and_then(|s| s.deployment_configuration.get("lifecycleHooks"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, h)| Some((i, h.as_object()?)))
}

impl<'a> Planner<'a> {
    /// ECS service auto scaling (`scalableTarget`: RegisterScalableTarget's input, or the
    /// template's AWS::ApplicationAutoScaling::ScalableTarget): Application Auto Scaling scales
    /// the service with its service-linked role, which AWS creates on the account's first
    /// RegisterScalableTarget for ECS (doc::AUTO_SCALING_SLR) — the caller then needs
    /// iam:CreateServiceLinkedRole (companions). A `RoleARN` naming another role is legacy
    /// (doc::REGISTER_SCALABLE_TARGET: services with service-linked roles use theirs).
    pub(super) fn auto_scaling(&mut self) {
        let k = RoleKind::AutoScaling;
        let target = &self.spec.scalable_target;
        // RegisterScalableTarget's members (PascalCase), a template's (camelCased when read) or
        // Terraform's (snake_case): one name, any of those spellings.
        let get = |name: &str| {
            target
                .iter()
                .find(|(key, _)| key.replace('_', "").eq_ignore_ascii_case(name))
                .map(|(key, v)| (key.as_str(), v))
        };
        if target.is_empty()
            && cfg!(feature = "templates")
            && !self.spec.express_gateway_service.is_empty()
        {
            // Express Mode scales every service (scalingTarget, else its defaults: target 60,
            // 1 to 20 tasks; doc::EXPRESS_SERVICE) through its infrastructure role, whose policy
            // may create this role.
            self.need(
                k,
                "the Express Mode service scales with Application Auto Scaling (scalingTarget or its defaults); its infrastructure role registers the target and creates this role when the account lacks it",
            );
            return;
        }
        if target.is_empty() {
            self.absent_why.insert(
                k,
                (
                    "the service has no scalable target (Application Auto Scaling; scalableTarget)"
                        .into(),
                    doc::AUTO_SCALING_SLR,
                ),
            );
            return;
        }
        for (member, want) in [
            ("ServiceNamespace", rules::AUTO_SCALING_NAMESPACE),
            ("ScalableDimension", rules::AUTO_SCALING_DIMENSION),
        ] {
            let Some((key, v)) = get(member) else {
                continue;
            };
            let Some(text) = v.as_str().filter(|t| !crate::placeholder::may_hold(t)) else {
                continue;
            };
            if text != want {
                let message = cat!(
                    "an ECS service's scalable target has ",
                    member,
                    " ",
                    want,
                    ", not ",
                    text,
                    ": this one scales something else, and plans no role here"
                );
                self.warn(cat!("scalableTarget.", key), message).doc =
                    Some(doc::REGISTER_SCALABLE_TARGET.into());
                self.absent_why.insert(
                    k,
                    (
                        cat!(
                            "the scalable target is not an ECS service's (",
                            member,
                            " ",
                            text,
                            ")"
                        ),
                        doc::REGISTER_SCALABLE_TARGET,
                    ),
                );
                return;
            }
        }
        self.need(
            k,
            "the service scales with Application Auto Scaling (a scalable target ecs:service:DesiredCount); AWS creates this role on the account's first RegisterScalableTarget for ECS",
        );
        if let Some((key, Value::String(role))) = get("RoleARN") {
            let own = role.ends_with(&cat!("/", rules::AUTO_SCALING_SLR_NAME));
            // A template's own role (`${AutoscalingRole.Arn}`) or a parameter is named too.
            if !own {
                self.info(
                    cat!("scalableTarget.", key),
                    cat!(
                        "the scalable target names its own role ",
                        role,
                        ": for ECS, Application Auto Scaling uses its service-linked role ",
                        rules::AUTO_SCALING_SLR_NAME,
                        " (RegisterScalableTarget's RoleARN); the ecsAutoscaleRole of older guides is not needed: leave RoleARN out"
                    ),
                );
                if let Some(f) = self.findings.last_mut() {
                    f.doc = Some(doc::REGISTER_SCALABLE_TARGET.into());
                }
            }
        }
    }
}
