//! Rules of `plan/capacity.rs`: the service, service-linked, container instance, Managed Instances and EBS volume roles.

use super::*;

// ---- Service role (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html)

fn svc(mode: &str, service: &str) -> String {
    with_launch(
        "EC2",
        mode,
        "    - {name: a, image: nginx}",
        &format!("service:\n{service}"),
    )
}
const ONE_TG: &str = "  loadBalancers: [{targetGroupArn: \"arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/t/1\", containerName: a, containerPort: 80}]";

#[test]
fn service_role_exists_only_for_one_target_group_without_awsvpc_registries_or_other_controllers() {
    // Not asked for: ECS uses the service-linked role (CreateService `role`: "that role is used
    // for your service unless you specify a role here").
    let p = plan_doc(&svc("bridge", ONE_TG));
    assert!(p.role(Service).is_none());
    assert!(absent_why(&p, Service).contains("names no role"));
    // Asked for, by the service's role or the spec: the legacy role, scoped to its target group.
    let p = plan_doc(&svc("bridge", &format!("{ONE_TG}\n  role: ecsServiceRole")));
    assert!(p.role(Service).is_some());
    let p = plan_doc(
        &svc("bridge", ONE_TG)
            .replace("\nservice:", "\nroles: {service: {create: true}}\nservice:"),
    );
    assert!(allows(
        &p,
        Service,
        "elasticloadbalancing:RegisterTargets",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/t/1"
    ));
    assert_eq!(role(&p, Service).assumed_by, vec!["ecs.amazonaws.com"]);
    let cases = [
        (svc("awsvpc", ONE_TG), "awsvpc"),
        (svc("bridge", &format!("{ONE_TG}\n  serviceRegistries: [{{registryArn: \"arn:aws:servicediscovery:us-east-1:111122223333:service/srv-1\"}}]")), "service discovery"),
        (svc("bridge", &format!("{ONE_TG}\n  deploymentController: {{type: CODE_DEPLOY}}")), "CODE_DEPLOY"),
        (svc("bridge", "  loadBalancers:\n    - {targetGroupArn: a}\n    - {targetGroupArn: b}"), "several target groups"),
        (svc("bridge", "  enableExecuteCommand: false"), "no load balancer"),
    ];
    for (spec, why) in cases {
        let p = plan_doc(&spec);
        assert!(p.role(Service).is_none(), "{why}");
        let absent = absent_why(&p, Service);
        assert!(
            absent.contains(why) && absent.contains("AWSServiceRoleForECS"),
            "{absent}"
        );
    }
}

#[test]
fn a_service_role_where_ecs_forbids_one_is_an_error() {
    let p = plan_doc(&svc("awsvpc", &format!("{ONE_TG}\n  role: ecsServiceRole")));
    assert!(has_error_at(&p, "service.role"));
    let p = plan_doc(
        &svc("awsvpc", ONE_TG)
            .replace("\nservice:", "\nroles: {service: {create: true}}\nservice:"),
    );
    assert!(has_error_at(&p, "roles.service"));
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html
#[test]
fn the_service_linked_role_is_always_listed_with_its_creation_command() {
    let p = plan_doc(&fargate("    - {name: a, image: nginx}", ""));
    let slr = role(&p, ServiceLinked);
    assert_eq!(slr.provisioning, Provisioning::ServiceLinked);
    assert_eq!(
        p.companions.service_linked_role.create_command,
        "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com"
    );
}

// ---- Capacity roles -------------------------------------------------------------------------

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html
#[test]
fn ec2_container_instance_role_is_scoped_to_the_cluster_with_an_instance_profile() {
    let p = plan_doc(&with_launch(
        "EC2",
        "bridge",
        "    - {name: a, image: nginx}",
        "",
    ));
    let r = role(&p, ContainerInstance);
    assert_eq!(r.assumed_by, vec!["ec2.amazonaws.com"]);
    assert!(r.instance_profile.is_some());
    assert!(allows(
        &p,
        ContainerInstance,
        "ecs:RegisterContainerInstance",
        "arn:aws:ecs:us-east-1:111122223333:cluster/c"
    ));
    assert!(allows(
        &p,
        ContainerInstance,
        "ecs:Poll",
        "arn:aws:ecs:us-east-1:111122223333:container-instance/c/*"
    ));
    assert!(allows(
        &p,
        ContainerInstance,
        "ecs:DiscoverPollEndpoint",
        "*"
    ));
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/iam-role-ecsanywhere.html
#[test]
fn external_instances_trust_ssm_attach_ssm_core_and_have_no_instance_profile() {
    let p = plan_doc(&with_launch(
        "EXTERNAL",
        "bridge",
        "    - {name: a, image: nginx}",
        "",
    ));
    let r = role(&p, ContainerInstance);
    assert_eq!(r.assumed_by, vec!["ssm.amazonaws.com"]);
    assert!(r.instance_profile.is_none());
    assert_eq!(
        r.managed_policies[0].arn,
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    );
}

#[test]
fn china_partition_uses_its_ec2_principal_and_endpoint_suffix() {
    let c = "    - name: a\n      image: 111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1\n      secrets: [{name: S, valueFrom: \"arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:s-AbCdEf\"}]";
    let spec = with_launch("EC2", "bridge", c, "keys: [{for: \"arn:aws-cn:secretsmanager:*\", key: \"arn:aws-cn:kms:cn-north-1:111122223333:key/k\"}]").replace("region: us-east-1", "region: cn-north-1");
    let p = plan_doc(&spec);
    assert_eq!(p.partition, "aws-cn");
    assert_eq!(
        role(&p, ContainerInstance).assumed_by,
        vec!["ec2.amazonaws.com.cn"]
    );
    assert!(allows(
        &p,
        TaskExecution,
        "ecr:BatchGetImage",
        "arn:aws-cn:ecr:cn-north-1:111122223333:repository/app"
    ));
    let kms = stmt(&p, TaskExecution, "KmsDecrypt");
    assert_eq!(
        kms.conditions["StringEquals"]["kms:ViaService"],
        vec!["secretsmanager.cn-north-1.amazonaws.com.cn"]
    );
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html
#[test]
fn managed_instances_infrastructure_role_passes_exactly_the_node_role() {
    let p = plan_doc(&with_launch(
        "MANAGED_INSTANCES",
        "awsvpc",
        "    - {name: a, image: nginx}",
        "roles: {managedInstancesNode: {name: node, path: /n/}}",
    ));
    let node = "arn:aws:iam::111122223333:role/n/node";
    let pass = stmt(&p, ManagedInstancesInfrastructure, "PassNodeRole");
    assert_eq!(pass.resources, vec![node]);
    assert_eq!(
        pass.conditions["StringEquals"]["iam:PassedToService"],
        vec!["ec2.amazonaws.com"]
    );
    let deny = stmt(&p, ManagedInstancesInfrastructure, "DenyPassingOtherRoles");
    assert_eq!(
        (deny.effect, deny.not_resources.clone()),
        (Effect::Deny, vec![node.to_string()])
    );
    assert!(role(&p, ManagedInstancesInfrastructure).managed_policies[0]
        .arn
        .ends_with("/AmazonECSInfrastructureRolePolicyForManagedInstances"));
    let n = role(&p, ManagedInstancesNode);
    assert_eq!(
        n.instance_profile.as_ref().map(|i| i.name.as_str()),
        Some("node")
    );
    assert!(allows(
        &p,
        ManagedInstancesNode,
        "ecs:PutSystemLogEvents",
        "arn:aws:ecs:us-east-1:111122223333:container-instance/c/*"
    ));
    assert!(p.role(ContainerInstance).is_none());
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-volumes.html
#[test]
fn ebs_volumes_at_launch_need_the_volume_infrastructure_role_and_key_policy() {
    let c = "    - {name: a, image: nginx}\n  volumes: [{name: data, configuredAtLaunch: true}]";
    let p = plan_doc(&fargate(c, &format!("service:\n  volumeConfigurations: [{{name: data, managedEBSVolume: {{encrypted: true, kmsKeyId: \"{KEY}\"}}}}]")));
    let r = role(&p, VolumeInfrastructure);
    assert!(r.managed_policies[0]
        .arn
        .ends_with("service-role/AmazonECSInfrastructureRolePolicyForVolumes"));
    let kp = p
        .companions
        .kms_key_policies
        .iter()
        .find(|k| k.resource == KEY)
        .expect("EBS key policy");
    assert!(kp.document.statements[0]
        .actions
        .iter()
        .any(|a| a == "kms:CreateGrant"));
    let unmatched = plan_doc(&fargate(
        c,
        "service:\n  volumeConfigurations: [{name: other, managedEBSVolume: {}}]",
    ));
    assert!(has_error_at(
        &unmatched,
        "service.volumeConfigurations[0].name"
    ));
    let unsupplied = plan_doc(&fargate(c, ""));
    assert!(unsupplied.role(VolumeInfrastructure).is_none());
    assert!(warnings(&unsupplied)
        .iter()
        .any(|w| w.contains("configured at launch")));
}
