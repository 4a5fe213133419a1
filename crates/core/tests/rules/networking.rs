//! The service's networking infrastructure roles (`plan/networking.rs`): Service Connect TLS
//! and VPC Lattice.

use super::*;

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-tls.html
#[test]
fn service_connect_tls_needs_the_infrastructure_role_with_the_tls_policy_and_its_key() {
    let c = "    - {name: a, image: nginx, portMappings: [{name: api, containerPort: 80}]}";
    let ca = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/ca-1";
    let tls = |extra: &str| {
        format!("service:\n  serviceConnectConfiguration:\n    enabled: true\n    namespace: shop.local\n    services:\n      - portName: api\n        tls: {{issuerCertificateAuthority: {{awsPcaAuthorityArn: {ca}}}{extra}}}")
    };
    let p = plan_doc(&fargate(c, &tls(&format!(", kmsKey: \"{KEY}\""))));
    let r = role(&p, ServiceConnectTls);
    assert_eq!(r.provisioning, Provisioning::Create);
    assert_eq!(r.assumed_by, ["ecs.amazonaws.com"]);
    let trust = &r.trust_policy.as_ref().unwrap().statements[0];
    assert!(
        trust.conditions.is_empty(),
        "AWS documents none for this role"
    );
    assert_eq!(
        r.managed_policies[0].arn,
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"
    );
    for action in [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
    ] {
        assert!(allows(&p, ServiceConnectTls, action, KEY), "{action}");
    }
    assert!(!allows(
        &p,
        ServiceConnectTls,
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:111122223333:key/other"
    ));
    // Nothing for the task or execution role: AWS documents none for TLS.
    assert!(p.role(Task).is_none() && p.role(TaskExecution).is_none());
    // The key's policy must let the role use it.
    let kp = p
        .companions
        .kms_key_policies
        .iter()
        .find(|k| k.resource == KEY)
        .expect("key policy");
    assert!(
        matches!(&kp.document.statements[0].principal, Some(Principal::Aws(a)) if a.ends_with("role/w-sc-tls"))
    );
    // The CA must carry the tag AWS's policy requires: said where the policy is attached.
    assert!(r.managed_policies[0].why.contains("AmazonECSManaged=true"));

    // A role named in the service is used, not created.
    let named = plan_doc(&fargate(
        c,
        &tls(", roleArn: arn:aws:iam::111122223333:role/ecsInfrastructureRole"),
    ));
    let r = role(&named, ServiceConnectTls);
    assert_eq!(r.provisioning, Provisioning::Existing);
    assert_eq!(
        r.arn,
        "arn:aws:iam::111122223333:role/ecsInfrastructureRole"
    );

    // No CA: an error at the field; no TLS at all: no role, and why.
    let no_ca = plan_doc(&fargate(c, "service:\n  serviceConnectConfiguration:\n    services: [{portName: api, tls: {kmsKey: k, issuerCertificateAuthority: {awsPcaAuthorityArn: \"\"}}}]"));
    assert!(has_error_at(
        &no_ca,
        "service.serviceConnectConfiguration.services[0].tls.issuerCertificateAuthority"
    ));
    let plain = plan_doc(&fargate(
        c,
        "service:\n  serviceConnectConfiguration: {enabled: true, services: [{portName: api}]}",
    ));
    assert!(plain.role(ServiceConnectTls).is_none());
    assert!(absent_why(&plain, ServiceConnectTls).contains("Service Connect TLS"));
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-vpc-lattice.html and AWS's
// AmazonECSInfrastructureRolePolicyForVpcLattice (v1): the same actions, on exactly the service's
// target group.
#[test]
fn vpc_lattice_registers_tasks_in_exactly_the_services_target_group() {
    let c = "    - {name: a, image: nginx, portMappings: [{name: api, containerPort: 80}]}";
    let tg = "arn:aws:vpc-lattice:us-east-1:111122223333:targetgroup/tg-0123456789abcdef0";
    let lattice = |fields: &str| {
        format!("service:\n  vpcLatticeConfigurations:\n    - {{portName: api{fields}}}")
    };
    let p = plan_doc(&fargate(c, &lattice(&format!(", targetGroupArn: {tg}"))));
    let r = role(&p, VpcLattice);
    assert_eq!(r.provisioning, Provisioning::Create);
    assert_eq!(r.assumed_by, ["ecs.amazonaws.com"]);
    assert!(r.trust_policy.as_ref().unwrap().statements[0]
        .conditions
        .is_empty());
    assert!(
        r.managed_policies.is_empty(),
        "scoped inline, not the managed policy on every target group"
    );
    for action in [
        "vpc-lattice:RegisterTargets",
        "vpc-lattice:DeregisterTargets",
        "vpc-lattice:GetTargetGroup",
        "vpc-lattice:ListTargets",
    ] {
        assert!(allows(&p, VpcLattice, action, tg), "{action}");
        assert!(
            !allows(
                &p,
                VpcLattice,
                action,
                "arn:aws:vpc-lattice:us-east-1:111122223333:targetgroup/tg-other"
            ),
            "{action} on another target group"
        );
    }
    for action in [
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ec2:DescribeInstances",
    ] {
        assert!(allows(&p, VpcLattice, action, "*"), "{action}");
    }
    assert!(!allows(&p, VpcLattice, "vpc-lattice:CreateTargetGroup", tg));
    // Lattice needs nothing of the task or execution role.
    assert!(p.role(Task).is_none() && p.role(TaskExecution).is_none());

    // The role the configuration names is used, not created.
    let named = plan_doc(&fargate(
        c,
        &lattice(&format!(", targetGroupArn: {tg}, roleArn: arn:aws:iam::111122223333:role/ecsInfrastructureRoleForLattice")),
    ));
    let r = role(&named, VpcLattice);
    assert_eq!(r.provisioning, Provisioning::Existing);
    assert!(r.arn.ends_with("role/ecsInfrastructureRoleForLattice"));

    // No target group, or one that is not a Lattice target group: an error at the field.
    let none = plan_doc(&fargate(c, &lattice("")));
    assert!(has_error_at(
        &none,
        "service.vpcLatticeConfigurations[0].targetGroupArn"
    ));
    let elb = plan_doc(&fargate(
        c,
        &lattice(", targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123"),
    ));
    assert!(has_error_at(
        &elb,
        "service.vpcLatticeConfigurations[0].targetGroupArn"
    ));
    // Blue/green through Lattice: warned, not silently under-planned.
    let bg = plan_doc(&fargate(
        c,
        &lattice(&format!(
            ", targetGroupArn: {tg}, advancedConfiguration: {{alternateTargetGroupArn: {tg}}}"
        )),
    ));
    assert!(warnings(&bg).iter().any(|w| w.contains("listener rules")));
    assert!(bg.role(VpcLattice).is_some());
    // No Lattice: no role, and why.
    let plain = plan_doc(&fargate(c, ""));
    assert!(plain.role(VpcLattice).is_none());
    assert!(absent_why(&plain, VpcLattice).contains("VPC Lattice"));
}
