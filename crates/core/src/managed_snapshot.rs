//! AWS managed policies the ECS roles use, as the audit judges them when a roles file does
//! not carry their documents. **Generated** by `scripts/managed_snapshot.py` from the
//! project's reference data (GetPolicyVersion output, default versions); do not edit.
//! Derived, not copied: per statement its effect, actions, resources and whether it has a
//! Condition (the audit counts any condition as "allowed if it holds"). Each policy records
//! its version: AWS changes these policies, and the audit says which version it judged.
//! `tests/managed_snapshot.rs` checks this table against the reference data.

/// One statement of a managed policy.
pub struct Row {
    pub sid: &'static str,
    pub allow: bool,
    pub actions: &'static [&'static str],
    pub resources: &'static [&'static str],
    /// The statement has a Condition (its text is not kept).
    pub conditional: bool,
}

/// One AWS managed policy's default version.
pub struct ManagedPolicy {
    /// The policy's name: the last part of `arn:<partition>:iam::aws:policy/<path><name>`.
    pub name: &'static str,
    pub version: &'static str,
    /// When AWS created that version.
    pub created: &'static str,
    pub statements: &'static [Row],
}

pub const POLICIES: &[ManagedPolicy] = &[
    ManagedPolicy {
        name: "AmazonEC2ContainerServiceRole",
        version: "v2",
        created: "2016-08-11T13:08:01Z",
        statements: &[
            Row {
                sid: "",
                allow: true,
                actions: &[
                    "ec2:AuthorizeSecurityGroupIngress",
                    "ec2:Describe*",
                    "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
                    "elasticloadbalancing:DeregisterTargets",
                    "elasticloadbalancing:Describe*",
                    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
                    "elasticloadbalancing:RegisterTargets",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
        ],
    },
    ManagedPolicy {
        name: "AmazonEC2ContainerServiceforEC2Role",
        version: "v10",
        created: "2026-02-12T17:59:52Z",
        statements: &[
            Row {
                sid: "",
                allow: true,
                actions: &[
                    "ec2:DescribeTags",
                    "ecs:CreateCluster",
                    "ecs:DeregisterContainerInstance",
                    "ecs:DiscoverPollEndpoint",
                    "ecs:Poll",
                    "ecs:RegisterContainerInstance",
                    "ecs:StartTelemetrySession",
                    "ecs:UpdateContainerInstancesState",
                    "ecs:Submit*",
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "",
                allow: true,
                actions: &[
                    "ecs:TagResource",
                ],
                resources: &[
                    "*",
                ],
                conditional: true,
            },
            Row {
                sid: "",
                allow: true,
                actions: &[
                    "ecs:ListTagsForResource",
                ],
                resources: &[
                    "arn:aws:ecs:*:*:task/*/*",
                    "arn:aws:ecs:*:*:container-instance/*/*",
                ],
                conditional: false,
            },
        ],
    },
    ManagedPolicy {
        name: "AmazonECSInfrastructureRolePolicyForLoadBalancers",
        version: "v6",
        created: "2026-02-12T18:01:05Z",
        statements: &[
            Row {
                sid: "ELBReadOperations",
                allow: true,
                actions: &[
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "TargetGroupOperations",
                allow: true,
                actions: &[
                    "elasticloadbalancing:RegisterTargets",
                    "elasticloadbalancing:DeregisterTargets",
                ],
                resources: &[
                    "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
                ],
                conditional: false,
            },
            Row {
                sid: "ALBModifyListeners",
                allow: true,
                actions: &[
                    "elasticloadbalancing:ModifyListener",
                ],
                resources: &[
                    "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
                ],
                conditional: false,
            },
            Row {
                sid: "NLBModifyListeners",
                allow: true,
                actions: &[
                    "elasticloadbalancing:ModifyListener",
                ],
                resources: &[
                    "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
                ],
                conditional: false,
            },
            Row {
                sid: "ALBModifyRules",
                allow: true,
                actions: &[
                    "elasticloadbalancing:ModifyRule",
                ],
                resources: &[
                    "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*/*",
                ],
                conditional: false,
            },
        ],
    },
    ManagedPolicy {
        name: "AmazonECSInfrastructureRolePolicyForManagedInstances",
        version: "v11",
        created: "2026-02-26T18:27:10Z",
        statements: &[
            Row {
                sid: "CreateLaunchTemplateForManagedInstances",
                allow: true,
                actions: &[
                    "ec2:CreateLaunchTemplate",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:launch-template/*",
                ],
                conditional: true,
            },
            Row {
                sid: "CreateLaunchTemplateVersionsForManagedInstances",
                allow: true,
                actions: &[
                    "ec2:CreateLaunchTemplateVersion",
                    "ec2:ModifyLaunchTemplate",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:launch-template/*",
                ],
                conditional: true,
            },
            Row {
                sid: "ProvisionEC2InstancesForManagedInstances",
                allow: true,
                actions: &[
                    "ec2:CreateFleet",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:fleet/*",
                    "arn:aws:ec2:*:*:instance/*",
                    "arn:aws:ec2:*:*:network-interface/*",
                    "arn:aws:ec2:*:*:launch-template/*",
                    "arn:aws:ec2:*:*:volume/*",
                ],
                conditional: true,
            },
            Row {
                sid: "CreateFleetForSupportingResources",
                allow: true,
                actions: &[
                    "ec2:CreateFleet",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:subnet/*",
                    "arn:aws:ec2:*:*:security-group/*",
                    "arn:aws:ec2:*::image/*",
                ],
                conditional: false,
            },
            Row {
                sid: "RunInstancesForManagedInstances",
                allow: true,
                actions: &[
                    "ec2:RunInstances",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:instance/*",
                    "arn:aws:ec2:*:*:volume/*",
                    "arn:aws:ec2:*:*:network-interface/*",
                ],
                conditional: true,
            },
            Row {
                sid: "RunInstancesForECSManagedLaunchTemplates",
                allow: true,
                actions: &[
                    "ec2:RunInstances",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:launch-template/*",
                ],
                conditional: true,
            },
            Row {
                sid: "RunInstancesForSupportingResources",
                allow: true,
                actions: &[
                    "ec2:RunInstances",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:subnet/*",
                    "arn:aws:ec2:*:*:security-group/*",
                    "arn:aws:ec2:*::image/*",
                    "arn:aws:resource-groups:*:*:group/*",
                ],
                conditional: false,
            },
            Row {
                sid: "TagOnCreateEC2ResourcesForManagedInstances",
                allow: true,
                actions: &[
                    "ec2:CreateTags",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:fleet/*",
                    "arn:aws:ec2:*:*:launch-template/*",
                    "arn:aws:ec2:*:*:network-interface/*",
                    "arn:aws:ec2:*:*:instance/*",
                    "arn:aws:ec2:*:*:volume/*",
                ],
                conditional: true,
            },
            Row {
                sid: "PassInstanceRoleForManagedInstances",
                allow: true,
                actions: &[
                    "iam:PassRole",
                ],
                resources: &[
                    "arn:aws:iam::*:role/ecsInstanceRole*",
                ],
                conditional: true,
            },
            Row {
                sid: "CreateServiceLinkedRoleForEC2Spot",
                allow: true,
                actions: &[
                    "iam:CreateServiceLinkedRole",
                ],
                resources: &[
                    "arn:aws:iam::*:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot",
                ],
                conditional: false,
            },
            Row {
                sid: "DescribeEC2ResourcesManagedByECS",
                allow: true,
                actions: &[
                    "ec2:DescribeInstances",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplates",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeInstanceTypeOfferings",
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeCapacityReservations",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "ListResourceGroupResources",
                allow: true,
                actions: &[
                    "resource-groups:ListGroupResources",
                    "cloudformation:DescribeStacks",
                    "cloudformation:ListStackResources",
                    "tag:GetResources",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
        ],
    },
    ManagedPolicy {
        name: "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
        version: "v4",
        created: "2026-02-12T18:02:05Z",
        statements: &[
            Row {
                sid: "CreateSecret",
                allow: true,
                actions: &[
                    "secretsmanager:CreateSecret",
                ],
                resources: &[
                    "arn:aws:secretsmanager:*:*:secret:ecs-sc!*",
                ],
                conditional: true,
            },
            Row {
                sid: "TagOnCreateSecret",
                allow: true,
                actions: &[
                    "secretsmanager:TagResource",
                ],
                resources: &[
                    "arn:aws:secretsmanager:*:*:secret:ecs-sc!*",
                ],
                conditional: true,
            },
            Row {
                sid: "RotateTLSCertificateSecret",
                allow: true,
                actions: &[
                    "secretsmanager:UpdateSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:DeleteSecret",
                    "secretsmanager:RotateSecret",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                resources: &[
                    "arn:aws:secretsmanager:*:*:secret:ecs-sc!*",
                ],
                conditional: true,
            },
            Row {
                sid: "DescribeTLSCertificateSecret",
                allow: true,
                actions: &[
                    "secretsmanager:DescribeSecret",
                ],
                resources: &[
                    "arn:aws:secretsmanager:*:*:secret:ecs-sc!*",
                ],
                conditional: true,
            },
            Row {
                sid: "ManagePrivateCertificateAuthority",
                allow: true,
                actions: &[
                    "acm-pca:GetCertificate",
                    "acm-pca:GetCertificateAuthorityCertificate",
                    "acm-pca:DescribeCertificateAuthority",
                ],
                resources: &[
                    "*",
                ],
                conditional: true,
            },
            Row {
                sid: "ManagePrivateCertificateAuthorityForIssuingEndEntityCertificate",
                allow: true,
                actions: &[
                    "acm-pca:IssueCertificate",
                ],
                resources: &[
                    "*",
                ],
                conditional: true,
            },
        ],
    },
    ManagedPolicy {
        name: "AmazonECSInfrastructureRolePolicyForVolumes",
        version: "v5",
        created: "2026-02-12T18:02:34Z",
        statements: &[
            Row {
                sid: "CreateEBSManagedVolume",
                allow: true,
                actions: &[
                    "ec2:CreateVolume",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:volume/*",
                ],
                conditional: true,
            },
            Row {
                sid: "CreateEBSManagedVolumeFromSnapshot",
                allow: true,
                actions: &[
                    "ec2:CreateVolume",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:snapshot/*",
                ],
                conditional: false,
            },
            Row {
                sid: "TagOnCreateVolume",
                allow: true,
                actions: &[
                    "ec2:CreateTags",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:volume/*",
                ],
                conditional: true,
            },
            Row {
                sid: "DescribeVolumesForLifecycle",
                allow: true,
                actions: &[
                    "ec2:DescribeVolumes",
                    "ec2:DescribeAvailabilityZones",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "DescribeInstancesForAttachingVolume",
                allow: true,
                actions: &[
                    "ec2:DescribeInstances",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "ManageEBSVolumeLifecycle",
                allow: true,
                actions: &[
                    "ec2:AttachVolume",
                    "ec2:DetachVolume",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:volume/*",
                ],
                conditional: true,
            },
            Row {
                sid: "ManageVolumeAttachmentsForEC2",
                allow: true,
                actions: &[
                    "ec2:AttachVolume",
                    "ec2:DetachVolume",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:instance/*",
                ],
                conditional: false,
            },
            Row {
                sid: "DeleteEBSManagedVolume",
                allow: true,
                actions: &[
                    "ec2:DeleteVolume",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:volume/*",
                ],
                conditional: true,
            },
        ],
    },
    ManagedPolicy {
        name: "AmazonECSInfrastructureRolePolicyForVpcLattice",
        version: "v1",
        created: "2024-11-15T20:02:55Z",
        statements: &[
            Row {
                sid: "ManagedVpcLatticeTargetRegistration",
                allow: true,
                actions: &[
                    "vpc-lattice:RegisterTargets",
                    "vpc-lattice:DeregisterTargets",
                ],
                resources: &[
                    "arn:aws:vpc-lattice:*:*:targetgroup/*",
                ],
                conditional: false,
            },
            Row {
                sid: "DescribeVpcLatticeTargetGroup",
                allow: true,
                actions: &[
                    "vpc-lattice:GetTargetGroup",
                ],
                resources: &[
                    "arn:aws:vpc-lattice:*:*:targetgroup/*",
                ],
                conditional: false,
            },
            Row {
                sid: "ListVpcLatticeTargets",
                allow: true,
                actions: &[
                    "vpc-lattice:ListTargets",
                ],
                resources: &[
                    "arn:aws:vpc-lattice:*:*:targetgroup/*",
                ],
                conditional: false,
            },
            Row {
                sid: "DescribeEc2Resources",
                allow: true,
                actions: &[
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeInstances",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
        ],
    },
    ManagedPolicy {
        name: "AmazonECSInstanceRolePolicyForManagedInstances",
        version: "v3",
        created: "2026-02-12T17:58:24Z",
        statements: &[
            Row {
                sid: "ECSAgentDiscoverPollEndpointPermissions",
                allow: true,
                actions: &[
                    "ecs:DiscoverPollEndpoint",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "ECSAgentRegisterPermissions",
                allow: true,
                actions: &[
                    "ecs:RegisterContainerInstance",
                ],
                resources: &[
                    "arn:aws:ecs:*:*:cluster/*",
                ],
                conditional: false,
            },
            Row {
                sid: "ECSAgentPollPermissions",
                allow: true,
                actions: &[
                    "ecs:Poll",
                ],
                resources: &[
                    "arn:aws:ecs:*:*:container-instance/*",
                ],
                conditional: false,
            },
            Row {
                sid: "ECSAgentTelemetryPermissions",
                allow: true,
                actions: &[
                    "ecs:StartTelemetrySession",
                    "ecs:PutSystemLogEvents",
                ],
                resources: &[
                    "arn:aws:ecs:*:*:container-instance/*",
                ],
                conditional: false,
            },
            Row {
                sid: "ECSAgentStateChangePermissions",
                allow: true,
                actions: &[
                    "ecs:SubmitAttachmentStateChanges",
                    "ecs:SubmitTaskStateChange",
                ],
                resources: &[
                    "arn:aws:ecs:*:*:cluster/*",
                ],
                conditional: false,
            },
        ],
    },
    ManagedPolicy {
        name: "AmazonECSServiceRolePolicy",
        version: "v23",
        created: "2026-02-12T17:58:05Z",
        statements: &[
            Row {
                sid: "ECSTaskManagement",
                allow: true,
                actions: &[
                    "ec2:AttachNetworkInterface",
                    "ec2:AssociateTrunkInterface",
                    "ec2:CreateNetworkInterface",
                    "ec2:CreateNetworkInterfacePermission",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DeleteNetworkInterfacePermission",
                    "ec2:Describe*",
                    "ec2:DetachNetworkInterface",
                    "ec2:DisassociateTrunkInterface",
                    "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
                    "elasticloadbalancing:DeregisterTargets",
                    "elasticloadbalancing:Describe*",
                    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
                    "elasticloadbalancing:RegisterTargets",
                    "route53:ChangeResourceRecordSets",
                    "route53:CreateHealthCheck",
                    "route53:DeleteHealthCheck",
                    "route53:Get*",
                    "route53:List*",
                    "route53:UpdateHealthCheck",
                    "servicediscovery:DeregisterInstance",
                    "servicediscovery:Get*",
                    "servicediscovery:List*",
                    "servicediscovery:RegisterInstance",
                    "servicediscovery:UpdateInstanceCustomHealthStatus",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "AutoScaling",
                allow: true,
                actions: &[
                    "autoscaling:Describe*",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "AutoScalingManagement",
                allow: true,
                actions: &[
                    "autoscaling:DeletePolicy",
                    "autoscaling:PutScalingPolicy",
                    "autoscaling:SetInstanceProtection",
                    "autoscaling:UpdateAutoScalingGroup",
                    "autoscaling:PutLifecycleHook",
                    "autoscaling:DeleteLifecycleHook",
                    "autoscaling:CompleteLifecycleAction",
                    "autoscaling:RecordLifecycleActionHeartbeat",
                ],
                resources: &[
                    "*",
                ],
                conditional: true,
            },
            Row {
                sid: "AutoScalingPlanManagement",
                allow: true,
                actions: &[
                    "autoscaling-plans:CreateScalingPlan",
                    "autoscaling-plans:DeleteScalingPlan",
                    "autoscaling-plans:DescribeScalingPlans",
                    "autoscaling-plans:DescribeScalingPlanResources",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "EventBridge",
                allow: true,
                actions: &[
                    "events:DescribeRule",
                    "events:ListTargetsByRule",
                ],
                resources: &[
                    "arn:aws:events:*:*:rule/ecs-managed-*",
                ],
                conditional: false,
            },
            Row {
                sid: "EventBridgeRuleManagement",
                allow: true,
                actions: &[
                    "events:PutRule",
                    "events:PutTargets",
                ],
                resources: &[
                    "*",
                ],
                conditional: true,
            },
            Row {
                sid: "CWAlarmManagement",
                allow: true,
                actions: &[
                    "cloudwatch:DeleteAlarms",
                    "cloudwatch:DescribeAlarms",
                    "cloudwatch:PutMetricAlarm",
                ],
                resources: &[
                    "arn:aws:cloudwatch:*:*:alarm:*",
                ],
                conditional: false,
            },
            Row {
                sid: "ECSTagging",
                allow: true,
                actions: &[
                    "ec2:CreateTags",
                ],
                resources: &[
                    "arn:aws:ec2:*:*:network-interface/*",
                ],
                conditional: false,
            },
            Row {
                sid: "CWLogGroupManagement",
                allow: true,
                actions: &[
                    "logs:CreateLogGroup",
                    "logs:DescribeLogGroups",
                    "logs:PutRetentionPolicy",
                ],
                resources: &[
                    "arn:aws:logs:*:*:log-group:/aws/ecs/*",
                ],
                conditional: false,
            },
            Row {
                sid: "CWLogStreamManagement",
                allow: true,
                actions: &[
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ],
                resources: &[
                    "arn:aws:logs:*:*:log-group:/aws/ecs/*:log-stream:*",
                ],
                conditional: false,
            },
            Row {
                sid: "ExecuteCommandSessionManagement",
                allow: true,
                actions: &[
                    "ssm:DescribeSessions",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "ExecuteCommand",
                allow: true,
                actions: &[
                    "ssm:StartSession",
                ],
                resources: &[
                    "arn:aws:ecs:*:*:task/*",
                    "arn:aws:ssm:*:*:document/AmazonECS-ExecuteInteractiveCommand",
                ],
                conditional: false,
            },
            Row {
                sid: "OpenDataChannel",
                allow: true,
                actions: &[
                    "ssmmessages:OpenDataChannel",
                ],
                resources: &[
                    "arn:aws:ssm:*:*:session/*",
                ],
                conditional: true,
            },
            Row {
                sid: "CloudMapResourceCreation",
                allow: true,
                actions: &[
                    "servicediscovery:CreateHttpNamespace",
                    "servicediscovery:CreateService",
                ],
                resources: &[
                    "*",
                ],
                conditional: true,
            },
            Row {
                sid: "CloudMapResourceTagging",
                allow: true,
                actions: &[
                    "servicediscovery:TagResource",
                ],
                resources: &[
                    "*",
                ],
                conditional: true,
            },
            Row {
                sid: "CloudMapResourceDeletion",
                allow: true,
                actions: &[
                    "servicediscovery:DeleteService",
                ],
                resources: &[
                    "*",
                ],
                conditional: true,
            },
            Row {
                sid: "CloudMapResourceDiscovery",
                allow: true,
                actions: &[
                    "servicediscovery:DiscoverInstances",
                    "servicediscovery:DiscoverInstancesRevision",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
            Row {
                sid: "CloudMapResourceAttributeManagement",
                allow: true,
                actions: &[
                    "servicediscovery:UpdateServiceAttributes",
                ],
                resources: &[
                    "*",
                ],
                conditional: true,
            },
            Row {
                sid: "ReadOnlyPermissionsForInstanceEventWindows",
                allow: true,
                actions: &[
                    "ec2:DescribeInstanceEventWindows",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
        ],
    },
    ManagedPolicy {
        name: "AmazonECSTaskExecutionRolePolicy",
        version: "v1",
        created: "2017-11-16T18:48:22Z",
        statements: &[
            Row {
                sid: "",
                allow: true,
                actions: &[
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                resources: &[
                    "*",
                ],
                conditional: false,
            },
        ],
    },
];
