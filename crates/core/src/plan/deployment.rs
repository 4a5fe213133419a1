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
