//! The service's networking infrastructure roles: Service Connect TLS and VPC Lattice. Both
//! are "Amazon ECS infrastructure IAM roles" (trusted by ecs.amazonaws.com, doc::INFRASTRUCTURE_ROLE),
//! each named in its own CreateService field and each with its own permissions.

use super::*;
use serde_json::Value;

impl<'a> Planner<'a> {
    /// Service Connect TLS (doc::SERVICE_CONNECT_TLS): ECS's infrastructure role issues each
    /// service's certificates from the private CA and keeps their private keys in Secrets
    /// Manager, encrypted with `kmsKey` when one is given. AWS's API marks `tls.roleArn`
    /// optional while its guide says the role is needed: ecsroles plans it either way.
    pub(super) fn service_connect_tls(&mut self) {
        let k = RoleKind::ServiceConnectTls;
        let spec = self.spec;
        for (i, tls) in tls_configs(spec) {
            let path = format!("service.serviceConnectConfiguration.services[{i}].tls");
            let ca = tls
                .get("issuerCertificateAuthority")
                .and_then(|c| c.get("awsPcaAuthorityArn"))
                .and_then(Value::as_str)
                .filter(|a| !a.is_empty());
            // The CA's AmazonECSManaged=true tag: said by the managed policy's why below.
            if ca.is_none() {
                self.error(
                    format!("{path}.issuerCertificateAuthority"),
                    "Service Connect TLS needs its private CA",
                )
                .fix = Some("set issuerCertificateAuthority.awsPcaAuthorityArn to the ARN of the AWS Private CA that signs the service's certificates".into());
                continue;
            }
            self.need(k, "the service's Service Connect traffic uses TLS");
            if let Some(key) = tls.get("kmsKey").and_then(Value::as_str) {
                if let Some(arn) = self.key_arn(key, &format!("{path}.kmsKey")) {
                    self.grant(k, &rules::SC_TLS_KEY, vec![arn], Conditions::new(), path);
                }
            }
        }
        if self.needs.contains_key(&k) {
            self.attach_aws_managed(k, rules::managed::SERVICE_CONNECT_TLS, "AWS's TLS policy: ECS's ecs-sc!* secrets; certificates only from CAs tagged AmazonECSManaged=true (tag yours)");
        } else {
            self.absent_why.insert(
                k,
                (
                    "the service uses no Service Connect TLS".into(),
                    doc::SERVICE_CONNECT_TLS,
                ),
            );
        }
    }

    /// VPC Lattice (doc::VPC_LATTICE): ECS registers the service's tasks in each
    /// `vpcLatticeConfigurations[].targetGroupArn` and deregisters them as they stop, with the
    /// role in `roleArn` (required by the API). AWS's policy for it
    /// (`AmazonECSInfrastructureRolePolicyForVpcLattice`, v1) allows the same actions on every
    /// target group of every account: here they are on exactly the service's target groups.
    pub(super) fn vpc_lattice(&mut self) {
        let k = RoleKind::VpcLattice;
        let spec = self.spec;
        for (i, c) in lattice_configs(spec) {
            let field = format!("service.vpcLatticeConfigurations[{i}].targetGroupArn");
            self.need(k, "the service registers its tasks in VPC Lattice");
            // Required by the API: a missing one is the same error as a wrong one.
            let tg = c
                .get("targetGroupArn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if c.contains_key("advancedConfiguration") {
                // Blue/green through Lattice shifts traffic by changing listener rules.
                self.warn(
                    &field,
                    "blue/green through VPC Lattice also changes listener rules: not planned yet",
                )
                .fix = Some("add the listener-rule permissions of the blue/green guide".into());
            }
            if let Some(a) = self.required_arn(tg, &field, "vpc-lattice", &["targetgroup/"]) {
                self.grant(
                    k,
                    &rules::LATTICE_TARGETS,
                    vec![a],
                    Conditions::new(),
                    field,
                );
            }
        }
        if self.needs.contains_key(&k) {
            let reason = "service.vpcLatticeConfigurations".to_string();
            self.grant(
                k,
                &rules::LATTICE_EC2_DESCRIBE,
                vec!["*".into()],
                Conditions::new(),
                reason,
            );
        } else {
            self.absent_why.insert(
                k,
                (
                    "the service registers no tasks in VPC Lattice".into(),
                    doc::VPC_LATTICE,
                ),
            );
        }
    }
}

/// `service.serviceConnectConfiguration.services[i].tls`, with `i`.
pub(super) fn tls_configs(
    spec: &EcsRoleSetSpec,
) -> impl Iterator<Item = (usize, &serde_json::Map<String, Value>)> {
    spec.service
        .as_ref()
        .and_then(|s| s.service_connect_configuration.get("services"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s.get("tls")?.as_object()?)))
}

/// `service.vpcLatticeConfigurations[i]`, with `i`.
pub(super) fn lattice_configs(
    spec: &EcsRoleSetSpec,
) -> impl Iterator<Item = (usize, &serde_json::Map<String, Value>)> {
    spec.service
        .iter()
        .flat_map(|s| s.vpc_lattice_configurations.iter())
        .enumerate()
        .filter_map(|(i, c)| Some((i, c.as_object()?)))
}
