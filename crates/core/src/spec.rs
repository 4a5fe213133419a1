//! `EcsRoleSetSpec`: the one input shared by the CLI, the calculator and the controller.
//! Documented field by field in `docs/spec.md`; `ecsroles schema` prints its JSON Schema.
//!
//! Spec fields reject unknown keys (a typo must not silently drop a permission); the embedded
//! `taskDefinition` ignores them (it is pasted from AWS as is).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::taskdef::TaskDefinition;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EcsRoleSetSpec {
    /// Workload name used in role names. Defaults to the task definition family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 12-digit account id. When absent: taken from the task definition's role ARNs, else left
    /// symbolic (`${AWS::AccountId}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Region the tasks run in. When absent, left symbolic (`${AWS::Region}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `aws`, `aws-cn` or `aws-us-gov`. Defaults to the region's partition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// ECS cluster name (container-instance and Managed Instances roles are scoped to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Where the tasks run. Defaults to the task definition's single `requiresCompatibilities`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<LaunchType>,
    /// A real ECS task definition (or `describe-task-definition` output).
    #[serde(default)]
    pub task_definition: TaskDefinition,
    /// The ECS service that runs the task, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceSpec>,
    /// The cluster settings that affect task permissions (ECS Exec encryption and logging), in
    /// the shape of ECS `CreateCluster`'s `configuration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_configuration: Option<ClusterConfiguration>,
    /// The CodeDeploy deployment group of a service with `deploymentController.type:
    /// CODE_DEPLOY`, as `aws deploy create-deployment-group` spells it (or the template's
    /// `AWS::CodeDeploy::DeploymentGroup`): `loadBalancerInfo` (the listeners it shifts),
    /// `alarmConfiguration`, `triggerConfigurations`, `serviceRoleArn`, `ecsServices` are read,
    /// plus `appSpec.Hooks` (the AppSpec's Lambda hooks: the AppSpec is per deployment, so it
    /// has no place in the group). JSON, read only by the CodeDeploy rule.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub code_deploy: crate::taskdef::Options,
    /// The service's Application Auto Scaling scalable target, as `aws application-autoscaling
    /// register-scalable-target` spells it (`ServiceNamespace: ecs`, `ResourceId:
    /// service/<cluster>/<service>`, `ScalableDimension: ecs:service:DesiredCount`, `MinCapacity`,
    /// `MaxCapacity`, `RoleARN`), or the template's `AWS::ApplicationAutoScaling::ScalableTarget`:
    /// the service scales, so Application Auto Scaling's service-linked role is planned. JSON,
    /// read only by the auto scaling rule.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scalable_target: crate::taskdef::Options,
    /// An ECS Express Mode service, as `aws ecs create-express-gateway-service` takes it
    /// (`infrastructureRoleArn`, `executionRoleArn`, `taskRoleArn`, `primaryContainer`, `cluster`,
    /// `serviceName`…) or the template's `AWS::ECS::ExpressGatewayService`: ECS registers the
    /// task definition from `primaryContainer` (read into `taskDefinition` when the document has
    /// none) and runs the service with the infrastructure role. JSON, read only by the Express
    /// rule (plan/express.rs).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub express_gateway_service: crate::taskdef::Options,
    /// The account's ECR pull through cache rules, as `aws ecr describe-pull-through-cache-rules`
    /// lists them (`[{ecrRepositoryPrefix, upstreamRegistryUrl}]`; only the prefix is read): an
    /// image under one is imported on its first pull, by the role that pulls it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pull_through_cache_rules: Vec<serde_json::Value>,
    /// Who starts the task besides a service, one entry each: `{eventBridgeRule: <rule name
    /// or ARN>}`, `{scheduleGroup: <group name or ARN>}` or `{stateMachine: <name or ARN>,
    /// sync: true}` (`.sync`: the state machine waits for the task), each with optional
    /// `roleArn` (the role its target names), `tags: true` (the target tags the task it
    /// starts) and `executeCommand: true` (it starts the task with ECS Exec on). A template's
    /// AWS::Events::Rule, AWS::Scheduler::Schedule and AWS::StepFunctions::StateMachine
    /// resources that run ECS tasks are read into it. JSON, read only by the launcher rules
    /// (plan/launchers.rs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub launchers: Vec<serde_json::Value>,
    /// The ECS container agent's settings that decide a role, as `/etc/ecs/ecs.config` spells
    /// them (EC2 container instances): `ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE` — unset or
    /// `true` (what the ECS-optimized AMI sets): awslogs output is shipped with the task
    /// execution role; `false` (the agent's own default, e.g. a custom AMI without ecs-init):
    /// with the container instance role.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub agent_config: crate::taskdef::Options,
    /// GuardDuty Runtime Monitoring's automated agent covers this cluster's Fargate tasks (the
    /// account's setting, or the cluster tag `GuardDutyManaged=true`): each task gets GuardDuty's
    /// agent sidecar, whose image the execution role pulls. Not in any task definition.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub guard_duty_runtime_monitoring: bool,
    /// The gMSA credential specs (CredSpec JSON documents) of the task's
    /// `credentialspecdomainless:` entries, keyed by the location written after that prefix
    /// (`arn:aws:s3:::bucket/key`, an SSM parameter ARN, `file://…`): the domain user's secret
    /// is named only inside the CredSpec (`ActiveDirectoryConfig.HostAccountConfig.PluginInput`),
    /// so with it the execution role reads exactly that secret. A document or a string holding
    /// one (an SSM parameter's value).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub credential_specs: crate::taskdef::Options,
    /// `true` adds the task role's confused-deputy conditions (`aws:SourceAccount` this account,
    /// `aws:SourceArn` ECS in this account and Region) to the task execution role's trust. Off
    /// by default: AWS documents them for the task role only, and a condition ECS does not
    /// meet stops every task launch; launch a task to check before rolling out. (A spec field,
    /// not one of `roles.taskExecution`'s: no other role takes it.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub execution_role_trust_conditions: bool,
    /// Customer managed KMS keys protecting the resources the roles touch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<KeyBinding>,
    /// What the application itself calls (becomes the task role).
    #[serde(default)]
    pub app: AppSpec,
    /// Per-role settings.
    #[serde(default)]
    pub roles: RolesConfig,
    /// Values for the template placeholders in the task definition (`${NAME}`,
    /// `{{ must_env "NAME" }}`, `$(NAME)`, CloudFormation `!Ref NAME`): `NAME: value`.
    /// Substituted when the document is read; `--var NAME=VALUE` adds to them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, String>,
    /// What reading the document recognised and rewrote (a CloudFormation template, a bare
    /// container array, substituted placeholders): the plan reports these first. Not part of
    /// the spec's schema.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub input_notes: Vec<crate::model::Finding>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LaunchType {
    Fargate,
    Ec2,
    External,
    ManagedInstances,
}

impl LaunchType {
    pub const ALL: [LaunchType; 4] = [
        LaunchType::Fargate,
        LaunchType::Ec2,
        LaunchType::External,
        LaunchType::ManagedInstances,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LaunchType::Fargate => "FARGATE",
            LaunchType::Ec2 => "EC2",
            LaunchType::External => "EXTERNAL",
            LaunchType::ManagedInstances => "MANAGED_INSTANCES",
        }
    }

    /// Parses the ECS spelling, case-insensitively (`fargate`, `managed_instances`, …).
    pub fn parse(s: &str) -> Option<LaunchType> {
        let up = s.trim().to_ascii_uppercase().replace('-', "_");
        LaunchType::ALL.into_iter().find(|l| l.as_str() == up)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<LoadBalancer>,
    /// Cloud Map registries (`[{registryArn, port, containerName, containerPort}]`): only
    /// whether there are any decides a role (the service-linked role's reason), so kept as JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_registries: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub enable_execute_command: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_controller: Option<DeploymentController>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_configurations: Vec<ServiceVolumeConfiguration>,
    /// The `role` of `CreateService` (legacy service role), when the user sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Where the service runs its tasks: used when the spec sets no `launchType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<LaunchType>,
    /// The cluster (name or ARN): used when the spec sets no `cluster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// `serviceConnectConfiguration` as AWS spells it; only `services[].tls` is read (its
    /// infrastructure role and KMS key). Kept as JSON, in the type the log options already
    /// use: typed, its members would cost the calculator's module more than the rule reading it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub service_connect_configuration: crate::taskdef::Options,
    /// `vpcLatticeConfigurations` as AWS spells them (`[{roleArn, targetGroupArn, portName}]`):
    /// kept as JSON for the same reason, in the list type the task definition's JSON lists use
    /// (`Option<Value>` cost the module ~0.9 KB more).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpc_lattice_configurations: Vec<serde_json::Value>,
    /// `deploymentConfiguration` as AWS spells it; only `lifecycleHooks` is read (the role ECS
    /// invokes each hook's Lambda function with).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub deployment_configuration: crate::taskdef::Options,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadBalancer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_arn: Option<String>,
    /// Classic Load Balancer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_port: Option<u32>,
    /// ECS-native blue/green, linear and canary deployments: `{alternateTargetGroupArn,
    /// productionListenerRule, testListenerRule, roleArn}` as AWS spells them (JSON, like the
    /// other AWS members read only by rules).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub advanced_configuration: crate::taskdef::Options,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeploymentController {
    /// `ECS` (default), `CODE_DEPLOY` or `EXTERNAL`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceVolumeConfiguration {
    pub name: String,
    #[serde(
        rename = "managedEBSVolume",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub managed_ebs_volume: Option<ManagedEbsVolume>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedEbsVolume {
    /// An existing infrastructure role; when absent ecsroles plans one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_in_gi_b: Option<u32>,
    /// AWS spells it `filesystemType`; ecsroles' earlier `fileSystemType` is still read.
    #[serde(
        rename = "filesystemType",
        alias = "fileSystemType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub file_system_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execute_command_configuration: Option<ExecuteCommandConfiguration>,
    /// `{fargateEphemeralStorageKmsKeyId, kmsKeyId}` as CreateCluster spells it: the customer
    /// key Fargate encrypts the cluster's tasks' ephemeral storage with (its key policy must let
    /// fargate.amazonaws.com use it: a companion). `kmsKeyId` (the cluster's EBS volumes) is
    /// not planned yet, said. JSON, read only by that rule (plan/companions.rs).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub managed_storage_configuration: crate::taskdef::Options,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecuteCommandConfiguration {
    /// KMS key ARN encrypting the Exec session data channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// `NONE`, `DEFAULT` or `OVERRIDE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_configuration: Option<ExecLogConfiguration>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecLogConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch_log_group_name: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cloud_watch_encryption_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_bucket_name: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub s3_encryption_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_key_prefix: Option<String>,
}

/// "Resources matching `for` are encrypted with `key`": adds `kms:Decrypt`/`GenerateDataKey`
/// scoped with `kms:ViaService` wherever a role touches such a resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyBinding {
    /// ARN or ARN glob (`*`, `?`) of the protected resources.
    #[serde(rename = "for")]
    pub for_resources: String,
    /// KMS key ARN.
    pub key: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppSpec {
    /// Intent-level grants, turned into scoped statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access: Vec<AccessIntent>,
    /// Raw IAM statements, used as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<RawStatement>,
    /// Managed policy ARNs to attach to the task role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_policies: Vec<String>,
}

/// One thing the application does: exactly one of the fields is set. Resources are names
/// (placed in the spec's account and region) or full ARNs.
///
/// A struct of optional fields rather than an enum: it reads the same in YAML and JSON and
/// maps onto a Kubernetes structural schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessIntent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamodb: Option<DynamodbAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqs: Option<SqsAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns: Option<SnsAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms: Option<KmsAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets_manager: Option<SecretAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssm: Option<SsmAccess>,
}

impl AccessIntent {
    /// How many kinds of access this entry sets (valid entries set exactly one).
    pub fn kinds(&self) -> usize {
        [
            self.s3.is_some(),
            self.dynamodb.is_some(),
            self.sqs.is_some(),
            self.sns.is_some(),
            self.kms.is_some(),
            self.secrets_manager.is_some(),
            self.ssm.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct S3Access {
    pub bucket: String,
    /// Key prefix, e.g. `in/`; empty means the whole bucket.
    #[serde(default)]
    pub prefix: String,
    pub access: ReadWrite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ReadWrite {
    Read,
    Write,
    ReadWrite,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DynamodbAccess {
    pub table: String,
    pub access: ReadOrReadWrite,
    /// Also allow the same actions on the table's indexes (`/index/*`).
    #[serde(default)]
    pub indexes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ReadOrReadWrite {
    Read,
    ReadWrite,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SqsAccess {
    pub queue: String,
    pub access: QueueAccess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum QueueAccess {
    Consume,
    Produce,
    ConsumeProduce,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnsAccess {
    pub topic: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KmsAccess {
    /// Key ARN or key id. Not an alias: IAM authorises KMS operations on the key itself.
    pub key: String,
    pub access: KmsUse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum KmsUse {
    Decrypt,
    Encrypt,
    EncryptDecrypt,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretAccess {
    /// Secret ARN, or a name (matched with the `-??????` suffix Secrets Manager appends).
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SsmAccess {
    /// Parameter name or ARN; a name ending in `/` grants the whole path.
    pub parameter: String,
}

/// An IAM statement written by the user, in IAM's own spelling, plus an optional `why`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RawStatement {
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "Effect", default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    #[serde(
        rename = "Action",
        default,
        skip_serializing_if = "OneOrMany::is_empty"
    )]
    pub action: OneOrMany,
    #[serde(
        rename = "NotAction",
        default,
        skip_serializing_if = "OneOrMany::is_empty"
    )]
    pub not_action: OneOrMany,
    #[serde(
        rename = "Resource",
        default,
        skip_serializing_if = "OneOrMany::is_empty"
    )]
    pub resource: OneOrMany,
    #[serde(
        rename = "NotResource",
        default,
        skip_serializing_if = "OneOrMany::is_empty"
    )]
    pub not_resource: OneOrMany,
    #[serde(
        rename = "Condition",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub condition: BTreeMap<String, BTreeMap<String, OneOrMany>>,
    /// Why the application needs this (shown next to the statement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// IAM's "a string or a list of strings".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn is_empty(&self) -> bool {
        self.to_vec().is_empty()
    }
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::None => vec![],
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// Per role kind, its knobs: one member per [`RoleKind`] that has a role to configure (the
/// service-linked role has none). Deserialized by hand (below), the schema and the output are
/// derived.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolesConfig {
    #[serde(default)]
    pub task_execution: RoleConfig,
    #[serde(default)]
    pub task: RoleConfig,
    #[serde(default)]
    pub service: RoleConfig,
    #[serde(default)]
    pub container_instance: RoleConfig,
    #[serde(default)]
    pub managed_instances_infrastructure: RoleConfig,
    #[serde(default)]
    pub managed_instances_node: RoleConfig,
    #[serde(default)]
    pub volume_infrastructure: RoleConfig,
    #[serde(default)]
    pub service_connect_tls: RoleConfig,
    #[serde(default)]
    pub vpc_lattice: RoleConfig,
    #[serde(default)]
    pub express_infrastructure: RoleConfig,
    #[serde(default)]
    pub load_balancer_infrastructure: RoleConfig,
    #[serde(default)]
    pub lifecycle_hooks: RoleConfig,
    #[serde(default)]
    pub code_deploy: RoleConfig,
    #[serde(default)]
    pub event_bridge: RoleConfig,
    #[serde(default)]
    pub scheduler: RoleConfig,
    #[serde(default)]
    pub step_functions: RoleConfig,
}

/// The members of `roles`: every kind's key except the service-linked role's.
pub const ROLE_KEYS: [&str; 16] = [
    "taskExecution",
    "task",
    "service",
    "containerInstance",
    "managedInstancesInfrastructure",
    "managedInstancesNode",
    "volumeInfrastructure",
    "serviceConnectTls",
    "vpcLattice",
    "expressInfrastructure",
    "loadBalancerInfrastructure",
    "lifecycleHooks",
    "codeDeploy",
    "eventBridge",
    "scheduler",
    "stepFunctions",
];

/// `roles` read through the role-kind registry: a member is a kind's key, its value a
/// [`RoleConfig`]. By hand rather than derived: the derive expands [`RoleConfig`]'s reader
/// once per member (~0.3 KB of the calculator's gzipped module per role kind); here it is
/// one call whatever the number of kinds. Same errors as the derive (unknown and duplicate
/// members named).
impl<'de> Deserialize<'de> for RolesConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, Visitor};
        use std::fmt;
        /// A member's name, refused while it is read (as the derive does), so the error
        /// carries the member's own path and position.
        struct Member(usize);
        impl<'de> Deserialize<'de> for Member {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Name;
                impl Visitor<'_> for Name {
                    type Value = Member;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a role kind")
                    }
                    fn visit_str<E: Error>(self, key: &str) -> Result<Member, E> {
                        ROLE_KEYS
                            .iter()
                            .position(|k| *k == key)
                            .map(Member)
                            .ok_or_else(|| E::unknown_field(key, &ROLE_KEYS))
                    }
                }
                d.deserialize_identifier(Name)
            }
        }
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = RolesConfig;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct RolesConfig")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RolesConfig, A::Error> {
                let mut roles = RolesConfig::default();
                let mut seen = [false; ROLE_KEYS.len()];
                while let Some(Member(i)) = map.next_key()? {
                    if std::mem::replace(&mut seen[i], true) {
                        return Err(A::Error::duplicate_field(ROLE_KEYS[i]));
                    }
                    match crate::model::RoleKind::from_key(ROLE_KEYS[i])
                        .and_then(|k| k.config_mut(&mut roles))
                    {
                        Some(slot) => *slot = map.next_value()?,
                        None => return Err(A::Error::unknown_field(ROLE_KEYS[i], &ROLE_KEYS)),
                    }
                }
                Ok(roles)
            }
        }
        d.deserialize_map(Members)
    }
}

/// Knobs every role accepts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleConfig {
    /// `true`: always plan the role; `false`: never (an error if the workload needs it);
    /// absent: plan it when the workload needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<bool>,
    /// Use this existing role instead of creating one; the plan lists what it must allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Name prefix (≤ 38 characters); the deploy tool appends a unique suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// Seconds, 3600 to 43200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Extra raw statements for this role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<RawStatement>,
    /// Extra managed policies for this role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_policies: Vec<String>,
    /// The role is shared by several workloads (e.g. one `ecsTaskExecutionRole`): it keeps a
    /// workload-independent name and this workload's permissions go in an inline policy named
    /// after the workload, so workloads do not overwrite each other.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared: bool,
}
