//! The facts: what each ECS feature requires, one table row per fact, each citing its source.
//!
//! The `plan` module (`plan/`) decides *when* a rule applies and *which ARNs* it is scoped
//! to; this file says *what* it grants and *why*. A reviewer can check every row against the
//! linked page.

/// AWS documentation pages the rules come from.
pub mod doc {
    pub const EXECUTION_ROLE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html";
    pub const PULL_THROUGH_CACHE: &str =
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html";
    pub const ECR_ON_ECS: &str =
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html";
    pub const ECR_CROSS_ACCOUNT: &str =
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html";
    pub const AWSLOGS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html";
    pub const SECRETS_MANAGER: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html";
    pub const SSM_PARAMETERS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html";
    pub const EXECUTION_SECRETS: &str = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html#task-execution-secrets";
    pub const PRIVATE_AUTH: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html";
    pub const ENV_FILES: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/use-environment-file.html";
    pub const LOG_SECRETS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-logconfig.html";
    pub const FIRELENS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html";
    /// aws-for-fluent-bit's init image: `aws_fluent_bit_init_s3_*` variables name config files
    /// in S3 that its init process downloads with the task role.
    pub const FLUENT_BIT_INIT: &str =
        "https://github.com/aws/aws-for-fluent-bit/tree/mainline/use_cases/init-process-for-fluent-bit";
    pub const FIRELENS_IAM: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html";
    pub const KMS_VIA_SERVICE: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service";
    pub const TASK_ROLE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html";
    /// The agent's settings (the page points to the agent's README for the list).
    pub const AGENT_CONFIG: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html";
    pub const ECS_EXEC: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html";
    pub const EFS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html";
    pub const EFS_IAM: &str =
        "https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html";
    pub const SERVICE_ROLE: &str = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html#ECS-CreateService-request-role";
    pub const POLICY_RESOURCE: &str =
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html";
    pub const SERVICE_LINKED_ROLE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html";
    /// OpenSearch Service access control: ESHttpPost/ESHttpPut add documents; `_bulk` is the
    /// domain's bulk sub-resource.
    pub const OPENSEARCH_ACCESS: &str =
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html";
    /// OpenSearch Serverless: aoss:APIAccessAll on the collection (required since 10 May 2023).
    pub const OPENSEARCH_SERVERLESS_IAM: &str = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/security-iam-serverless.html";
    /// OpenSearch Serverless data access policies (not IAM): who may write which index.
    pub const OPENSEARCH_SERVERLESS_DATA_ACCESS: &str = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-data-access.html";
    /// Fluentd fills `${tag}`, `${key}` and time placeholders in output parameters per chunk.
    pub const FLUENTD_PLACEHOLDERS: &str =
        "https://docs.fluentd.org/configuration/buffer-section#placeholders";
    /// Fluent Bit's AWS credentials: every AWS output takes `role_arn` and assumes it.
    pub const FLUENT_BIT_AWS_CREDENTIALS: &str =
        "https://docs.fluentbit.io/manual/administration/aws-credentials";
    /// The X-Ray daemon on ECS: its image, and the managed policy for the task role.
    pub const XRAY_DAEMON_ECS: &str =
        "https://docs.aws.amazon.com/xray/latest/devguide/xray-daemon-ecs.html";
    /// GuardDuty Runtime Monitoring on Fargate (ECS): the execution role pulls the agent sidecar.
    pub const GUARDDUTY_FARGATE: &str = "https://docs.aws.amazon.com/guardduty/latest/ug/prereq-runtime-monitoring-ecs-support.html";
    /// The agent image's repository per Region.
    pub const GUARDDUTY_AGENT_IMAGE: &str =
        "https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html";
    /// Application Auto Scaling's service-linked roles: created on the first RegisterScalableTarget
    /// for a service, which needs iam:CreateServiceLinkedRole.
    pub const AUTO_SCALING_SLR: &str = "https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html";
    /// ECS service auto scaling: the permissions a user needs to configure it.
    pub const SERVICE_AUTO_SCALING_IAM: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html";
    /// RegisterScalableTarget's `RoleARN`: "If the service supports service-linked roles,
    /// Application Auto Scaling uses a service-linked role, which it creates if it does not yet exist."
    pub const REGISTER_SCALABLE_TARGET: &str = "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html";
    pub const INSTANCE_ROLE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html";
    pub const ANYWHERE_ROLE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/iam-role-ecsanywhere.html";
    pub const ANYWHERE_LIMITS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-anywhere.html";
    pub const INFRASTRUCTURE_ROLE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html";
    pub const MANAGED_INSTANCES_NODE: &str = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-instance-profile.html";
    pub const EBS_VOLUMES: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-volumes.html";
    pub const SERVICE_CONNECT_TLS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-tls.html";
    pub const VPC_LATTICE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-vpc-lattice.html";
    /// "Resources created by Amazon ECS Express Mode services": the task definition ECS
    /// registers (container `Main`, Fargate, awslogs to `/aws/ecs/<cluster>/<name>-####`), the
    /// load balancer, security groups, certificate, scaling and alarms the infrastructure role
    /// creates.
    pub const EXPRESS_SERVICE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/express-service-work.html";
    /// The Express Mode getting-started page: the infrastructure role's trust (ecs.amazonaws.com,
    /// no conditions) and its managed policy.
    pub const EXPRESS_INFRASTRUCTURE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/express-service-getting-started.html";
    /// CreateExpressGatewayService: `infrastructureRoleArn` required (and create-only).
    pub const EXPRESS_API: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateExpressGatewayService.html";
    /// "Required resources for Amazon ECS blue/green deployments" (the API reference of
    /// AdvancedConfiguration points here for the role).
    pub const BLUE_GREEN: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html";
    /// ECS's "Amazon ECS EventBridge IAM Role" (ecsEventsRole, AmazonEC2ContainerServiceEventsRole).
    pub const EVENTBRIDGE_ROLE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CWE_IAM_role.html";
    pub const EVENTBRIDGE_CONFUSED_DEPUTY: &str =
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html";
    pub const SCHEDULER_ROLE: &str =
        "https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role";
    pub const SCHEDULER_CONFUSED_DEPUTY: &str =
        "https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html";
    pub const STEP_FUNCTIONS_ECS: &str =
        "https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html";
    pub const STEP_FUNCTIONS_TRUST: &str = "https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html#prevent-cross-service-confused-deputy";
    /// "Allow a user to run tasks on a cluster": RunTask on the family's revisions, the cluster
    /// in the condition.
    pub const RUN_TASK_POLICY: &str = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security_iam_id-based-policy-examples.html#IAM_run_policies";
    pub const TAG_ON_CREATE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html";
    /// "Create an encryption key for Fargate ephemeral storage": the key policy's statements for
    /// fargate.amazonaws.com (GenerateDataKeyWithoutPlaintext, CreateGrant limited to Decrypt,
    /// both on this cluster's encryption context), no aliases, no multi-Region keys, not Windows.
    pub const FARGATE_STORAGE_KEY: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-create-storage-key.html";
    /// Systems Manager's "IAM service role for a hybrid and multicloud environment": the
    /// activation role's trust with aws:SourceAccount and aws:SourceArn (arn:…:ssm:<region>:<account>:*).
    pub const SSM_HYBRID_ROLE: &str =
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/hybrid-multicloud-service-role.html";
    pub const CODEDEPLOY_ROLE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/codedeploy_IAM_role.html";
    pub const BLUE_GREEN_HOOKS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-permissions.html";
    pub const EBS_KMS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-kms-encryption.html";
    pub const FARGATE_NETWORKING: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html";
    pub const TASK_NETWORKING: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking.html";
    pub const MANAGED_INSTANCES: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances.html";
    pub const FARGATE_TASK_DEFINITIONS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html";
    pub const GMSA_LINUX: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/linux-gmsa.html";
    pub const GMSA_FARGATE: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-linux-gmsa.html";
    pub const GMSA_WINDOWS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/windows-gmsa.html";
    pub const FSX_WINDOWS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/wfsx-volumes.html";
    pub const FARGATE_VOLUMES: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html";
    pub const PASS_ROLE: &str =
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html";
    pub const IAM_QUOTAS: &str =
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
    pub const IAM_NAMES: &str =
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html";
    pub const IAM_TAGS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html";
    pub const S3_ACTIONS: &str =
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html";
    pub const DYNAMODB_ACTIONS: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html";
    pub const SQS_ACTIONS: &str =
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html";
    pub const SNS_ACTIONS: &str =
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html";
    pub const KMS_ACTIONS: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html";
    pub const SECRETS_ACTIONS: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html";
    pub const SSM_ACTIONS: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html";
    pub const KMS_ALIASES: &str =
        "https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html";
    pub const CONFUSED_DEPUTY: &str = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html#create_task_iam_policy_and_role";
}

/// One permission fact: the actions a feature needs and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Statement id (IAM `Sid`: letters and digits only).
    pub sid: &'static str,
    pub actions: &'static [&'static str],
    pub why: &'static str,
    pub doc: &'static str,
}

macro_rules! rule {
    ($name:ident, $sid:literal, [$($a:literal),+ $(,)?], $why:literal, $doc:expr) => {
        pub const $name: Rule = Rule { sid: $sid, actions: &[$($a),+], why: $why, doc: $doc };
    };
}

// ---- Task execution role (and, on EC2 without one, the container-instance role) ----------
rule!(ECR_AUTH, "EcrAuthorizationToken", ["ecr:GetAuthorizationToken"],
    "The agent trades this for a registry login before pulling from private ECR; the action accepts only Resource \"*\".",
    doc::ECR_ON_ECS);
rule!(
    ECR_PULL,
    "EcrPullImages",
    [
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage"
    ],
    "Pull the task's images from exactly these private ECR repositories.",
    doc::ECR_ON_ECS
);
rule!(AWSLOGS_WRITE, "AwslogsWriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"],
    "The awslogs driver creates one stream per container and writes to it, in these log groups only.",
    doc::AWSLOGS);
rule!(
    AWSLOGS_CREATE_GROUP,
    "AwslogsCreateLogGroup",
    ["logs:CreateLogGroup"],
    "awslogs-create-group is true, so the driver creates the log group if it is missing.",
    doc::AWSLOGS
);
rule!(SECRETS_GET, "SecretsManagerGetSecretValue", ["secretsmanager:GetSecretValue"],
    "ECS reads these Secrets Manager secrets at launch to inject them as environment variables or log-driver options.",
    doc::SECRETS_MANAGER);
rule!(SSM_GET, "SsmGetParameters", ["ssm:GetParameters"],
    "ECS reads these Parameter Store parameters at launch to inject them as environment variables or log-driver options.",
    doc::SSM_PARAMETERS);
rule!(PRIVATE_REGISTRY, "PrivateRegistryCredentials", ["secretsmanager:GetSecretValue"],
    "repositoryCredentials: the agent reads the registry user name and password from this secret before pulling.",
    doc::PRIVATE_AUTH);
rule!(
    ENV_FILES_GET,
    "EnvironmentFilesGetObject",
    ["s3:GetObject"],
    "environmentFiles: the agent downloads these .env files from S3 at launch.",
    doc::ENV_FILES
);
rule!(
    ENV_FILES_BUCKET,
    "EnvironmentFilesGetBucketLocation",
    ["s3:GetBucketLocation"],
    "environmentFiles: the agent looks up the bucket's region before downloading.",
    doc::ENV_FILES
);
rule!(FIRELENS_CONFIG_GET, "FirelensConfigGetObject", ["s3:GetObject"],
    "FireLens config-file-type s3: the agent downloads the Fluent Bit/Fluentd configuration from S3.",
    doc::FIRELENS);
rule!(
    FIRELENS_CONFIG_BUCKET,
    "FirelensConfigGetBucketLocation",
    ["s3:GetBucketLocation"],
    "FireLens config-file-type s3: the agent looks up the configuration bucket's region.",
    doc::FIRELENS
);
// FSx for Windows File Server volumes. Which role: the ECS guide never says it in a sentence;
// its tutorial (tutorial-wfsx-volumes.html, step 1) gives the Secrets Manager, SSM and FSx
// read policies to ecsTaskExecutionRole and nothing to the instance role, and the ECS agent
// mounts the share with the task's execution-role credentials (aws/amazon-ecs-agent,
// agent/taskresource/fsxwindowsfileserver: "unable to find execution role credentials"
// otherwise; GetSecretValue or GetParameters on credentialsParameter, then
// DescribeFileSystems for the DNS name). KMS for the secret: AWS says nothing for FSx; the
// usual decrypt-via-service grant applies when the spec names the key.
rule!(
    FSX_CREDENTIALS_SECRET,
    "FsxWindowsCredentialsSecret",
    ["secretsmanager:GetSecretValue"],
    "FSx for Windows File Server: the agent reads the AD user and password here to map the share.",
    doc::FSX_WINDOWS
);
rule!(
    FSX_CREDENTIALS_PARAMETER,
    "FsxWindowsCredentialsParameter",
    ["ssm:GetParameters"],
    "FSx for Windows File Server: the agent reads the AD user and password here to map the share.",
    doc::FSX_WINDOWS
);
rule!(FSX_DESCRIBE, "FsxDescribeFileSystems", ["fsx:DescribeFileSystems"],
    "FSx for Windows File Server: the agent looks up the file system's DNS name; the action accepts only Resource \"*\".",
    doc::FSX_WINDOWS);
// gMSA CredSpecs: "IAM permissions for … Parameter Store are required on the task execution
// role" (windows-gmsa.html), the execution role reads the S3 bucket or SSM parameter holding
// the CredSpec (linux-gmsa.html, fargate-linux-gmsa.html), and the ECS agent's credentialspec
// resource uses the execution-role credentials ("credentialspec resource: unable to find
// execution role credentials"); the S3 download looks up the bucket's region first, as for
// environment files.
rule!(
    GMSA_CREDSPEC_S3,
    "GmsaCredSpecGetObject",
    ["s3:GetObject"],
    "gMSA: the agent downloads the container's CredSpec at launch.",
    doc::GMSA_LINUX
);
rule!(
    GMSA_CREDSPEC_BUCKET,
    "GmsaCredSpecGetBucketLocation",
    ["s3:GetBucketLocation"],
    "gMSA: the agent looks up the CredSpec bucket's region first.",
    doc::GMSA_LINUX
);
rule!(
    GMSA_CREDSPEC_SSM,
    "GmsaCredSpecGetParameters",
    ["ssm:GetParameters"],
    "gMSA: the agent reads the container's CredSpec at launch.",
    doc::GMSA_LINUX
);
// Domainless gMSA: the domain user whose name and password fetch the gMSA's credentials is
// named inside the CredSpec, not the task definition: `ActiveDirectoryConfig.HostAccountConfig.
// PluginInput`, an object with `CredentialArn` on Linux (linux-gmsa.html, fargate-linux-gmsa.html),
// a JSON string with `credentialArn` on Windows (windows-gmsa.html); so it is granted only when
// the spec's `credentialSpecs` gives the CredSpec, and reported otherwise. "You must add the
// following permissions as an inline policy to the task execution IAM role" (GetSecretValue on
// the secret: linux-gmsa.html, fargate-linux-gmsa.html; tutorial-gmsa-windows.html step 7).
// AWS is unclear on Windows: windows-gmsa.html's prerequisites put it on the instance role,
// its tutorial and the agent (it hands the plugin the execution role's credentials) on the
// execution role, which we follow. Linux reads Secrets Manager only; Windows also SSM
// Parameter Store, with "ssm:GetParameter for the parameter" (the tutorial's words).
rule!(
    GMSA_USER_SECRET,
    "GmsaDomainUserSecret",
    ["secretsmanager:GetSecretValue"],
    "Domainless gMSA: the agent reads the domain user the CredSpec names (CredentialArn).",
    doc::GMSA_LINUX
);
rule!(
    GMSA_USER_PARAMETER,
    "GmsaDomainUserParameter",
    ["ssm:GetParameter"],
    "Domainless gMSA (Windows): the agent reads the domain user the CredSpec names (credentialArn).",
    doc::GMSA_WINDOWS
);
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-tls.html ("Service
// Connect and AWS Key Management Service"): AWS's example key policy grants these four to a
// placeholder `role/role-name`; that it is the infrastructure role is our reading (the only role
// AWS documents as creating and rotating the secrets the key encrypts). No kms:ViaService is
// documented, so none is added (one ECS does not satisfy would break TLS).
rule!(SC_TLS_KEY, "ServiceConnectTlsKey", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair"],
    "ECS encrypts the TLS certificates' keys with it; AWS's example key policy names no role: this one creates the secrets.",
    doc::SERVICE_CONNECT_TLS);
// VPC Lattice: AWS's AmazonECSInfrastructureRolePolicyForVpcLattice (v1, 2024-11-15, the
// version these rows were checked against) allows these four on `targetgroup/*` of every
// region and account; the CreateService field names the exact target group, so the grant
// names it. The three EC2 reads are the policy's own; they take no resource ARN.
rule!(LATTICE_TARGETS, "VpcLatticeTargets",
    ["vpc-lattice:RegisterTargets", "vpc-lattice:DeregisterTargets", "vpc-lattice:GetTargetGroup", "vpc-lattice:ListTargets"],
    "ECS registers the service's tasks in this VPC Lattice target group as they start and deregisters them as they stop.",
    doc::VPC_LATTICE);
rule!(LATTICE_EC2_DESCRIBE, "VpcLatticeDescribeEc2", ["ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeInstances"],
    "ECS reads the tasks' subnets, VPC and instances to register them; these Describe calls accept only Resource \"*\".",
    doc::VPC_LATTICE);
// Blue/green, linear and canary deployments (loadBalancers[].advancedConfiguration): AWS's
// AmazonECSInfrastructureRolePolicyForLoadBalancers (v6, 2026-02-12, the version checked) allows
// the ELB reads on "*", Register/DeregisterTargets on every target group, ModifyListener on every
// ALB and NLB listener and ModifyRule on every ALB rule. Scoped here to the ARNs the
// configuration names: both target groups; the production and test rules (ALB) or listeners
// (NLB). AWS does not say when ECS calls ModifyListener for an ALB; a rule that is its listener's
// default can only be changed that way, so ModifyListener is granted on exactly the rule's listener.
rule!(LB_READ, "LoadBalancerReads",
    ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"],
    "ECS reads the listeners, rules and target health it shifts traffic between; ELB's Describe calls accept only Resource \"*\".",
    doc::BLUE_GREEN);
rule!(
    LB_TARGETS,
    "LoadBalancerTargets",
    [
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:DeregisterTargets"
    ],
    "ECS registers each deployment's tasks in the primary and alternate target groups.",
    doc::BLUE_GREEN
);
rule!(LB_MODIFY_RULE, "LoadBalancerShiftRules", ["elasticloadbalancing:ModifyRule"],
    "ECS moves production and test traffic between the target groups by changing these listener rules (ALB).",
    doc::BLUE_GREEN);
rule!(LB_MODIFY_LISTENER, "LoadBalancerShiftListeners", ["elasticloadbalancing:ModifyListener"],
    "ECS moves traffic by changing these listeners (an NLB's, or the listener of an ALB rule that may be its default).",
    doc::BLUE_GREEN);
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-permissions.html: AWS's
// example allows arn:aws:lambda:*:*:function:*; the hooks name their functions, so only those.
rule!(
    HOOK_INVOKE,
    "InvokeLifecycleHooks",
    ["lambda:InvokeFunction"],
    "ECS invokes these lifecycle hook functions during the deployment and waits for their answer.",
    doc::BLUE_GREEN_HOOKS
);
// CodeDeploy blue/green (deploymentController CODE_DEPLOY): AWS's AWSCodeDeployRoleForECS (v3,
// 2019-09-23) allows these on "*" (and every Lambda, SNS topic and S3 object); the Limited
// variant narrows by name: hooks CodeDeployHook_*, topics CodeDeployTopic_*, and PassRole only to
// roles named ecsTaskExecutionRole / ECSTaskExecution* — the trap the PassRole rule below avoids.
// Scoped here to the service, the deployment group's listeners, alarms, topics and hooks.
rule!(CD_TASK_SETS, "CodeDeployTaskSets",
    ["ecs:DescribeServices", "ecs:CreateTaskSet", "ecs:UpdateServicePrimaryTaskSet", "ecs:DeleteTaskSet"],
    "CodeDeploy creates the replacement task set, makes it primary and deletes the old one, on this service only.",
    doc::CODEDEPLOY_ROLE);
rule!(CD_ELB_READ, "CodeDeployLoadBalancerReads",
    ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules"],
    "CodeDeploy reads the listeners and target groups it shifts; ELB's Describe calls accept only Resource \"*\".",
    doc::CODEDEPLOY_ROLE);
rule!(
    CD_LISTENERS,
    "CodeDeployShiftListeners",
    ["elasticloadbalancing:ModifyListener"],
    "CodeDeploy moves production and test traffic by changing the deployment group's listeners.",
    doc::CODEDEPLOY_ROLE
);
rule!(
    CD_RULES,
    "CodeDeployShiftRules",
    ["elasticloadbalancing:ModifyRule"],
    "CodeDeploy moves traffic by changing the rules of the deployment group's listeners.",
    doc::CODEDEPLOY_ROLE
);
rule!(
    CD_ALARMS,
    "CodeDeployAlarms",
    ["cloudwatch:DescribeAlarms"],
    "CodeDeploy stops and rolls back a deployment when these alarms fire.",
    doc::CODEDEPLOY_ROLE
);
rule!(
    CD_TRIGGERS,
    "CodeDeployTriggers",
    ["sns:Publish"],
    "CodeDeploy notifies these topics of deployment events.",
    doc::CODEDEPLOY_ROLE
);
rule!(
    CD_HOOKS,
    "CodeDeployHooks",
    ["lambda:InvokeFunction"],
    "CodeDeploy invokes the AppSpec's hooks and waits for their verdict.",
    doc::CODEDEPLOY_ROLE
);
rule!(CD_PASS_ROLE, "CodeDeployPassTaskRoles", ["iam:PassRole"],
    "The replacement task set runs the task definition with its roles: CodeDeploy passes exactly these, only to ECS tasks. Not AWSCodeDeployRoleForECSLimited: it passes only roles named ecsTaskExecutionRole or ECSTaskExecution* (no task role) and invokes only CodeDeployHook_* hooks, so a role or hook named otherwise fails the deployment.",
    doc::CODEDEPLOY_ROLE);
// Fargate ephemeral storage under a customer key (CreateCluster managedStorageConfiguration):
// statements of the key policy, for fargate.amazonaws.com, each limited to this cluster by the
// encryption context Fargate sends (aws:ecs:clusterAccount, aws:ecs:clusterName), the grant to
// Decrypt only — as AWS's example key policy on the page (and AWS CDK's) writes them.
rule!(
    FARGATE_STORAGE_DATA_KEY,
    "AllowFargateEphemeralStorageDataKeys",
    ["kms:GenerateDataKeyWithoutPlaintext"],
    "Fargate makes the data key that encrypts each task's ephemeral storage in this cluster.",
    doc::FARGATE_STORAGE_KEY
);
rule!(FARGATE_STORAGE_GRANT, "AllowFargateEphemeralStorageGrants", ["kms:CreateGrant"],
    "Fargate lets each task's host decrypt that data key (a grant for Decrypt only), for this cluster's tasks.",
    doc::FARGATE_STORAGE_KEY);
// Launchers (EventBridge rules, EventBridge Scheduler, Step Functions; plan/launchers.rs). AWS's
// AmazonEC2ContainerServiceEventsRole (v3, 2023-03-06) allows RunTask on "*", PassRole on "*" to
// ecs-tasks and TagResource on "*" when ecs:CreateAction is RunTask; Step Functions' templates
// add StopTask/DescribeTasks on "*" and its managed rule for `.sync`. Scoped here: RunTask on the
// family's revisions in this cluster (ecs:cluster, the ECS example policy), PassRole on exactly
// the task definition's roles, StopTask/DescribeTasks on this cluster's tasks. Scheduler's guide
// lists no policy for an ECS target (its console "attaches the required permissions"): the same
// RunTask/PassRole/TagResource is inferred from RunTask's own authorization, said in the note.
rule!(
    LAUNCH_RUN_TASK,
    "RunTheTask",
    ["ecs:RunTask"],
    "The launcher starts this task definition's revisions, in this cluster only (ecs:cluster).",
    doc::RUN_TASK_POLICY
);
rule!(LAUNCH_PASS_ROLE, "PassTaskRoles", ["iam:PassRole"],
    "RunTask passes the task definition's roles: exactly these, only to ECS tasks (AWS's policy: every role).",
    doc::EVENTBRIDGE_ROLE);
rule!(LAUNCH_TAG, "TagTasksAtLaunch", ["ecs:TagResource"],
    "The target tags the tasks it starts: tagging at RunTask is authorised by ecs:TagResource, and only there (ecs:CreateAction).",
    doc::TAG_ON_CREATE);
rule!(SFN_WATCH_TASKS, "WatchTheTask", ["ecs:DescribeTasks", "ecs:StopTask"],
    "`.sync`: Step Functions follows the task and stops it if the execution is stopped (AWS's template: every task; here this cluster's).",
    doc::STEP_FUNCTIONS_ECS);
rule!(SFN_TASK_EVENTS, "TaskStateChangeRule", ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
    "`.sync`: Step Functions learns that the task stopped through its managed rule StepFunctionsGetEventsForECSTaskRule.",
    doc::STEP_FUNCTIONS_ECS);
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html: the
// principal that pulls through a cache rule needs ecr:BatchImportUpstreamImage, and
// ecr:CreateRepository "if the repository storing the cached images doesn't already exist" —
// which a plan cannot know, so both, on exactly the image's repository.
rule!(ECR_PULL_THROUGH, "EcrPullThroughCache", ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
    "A pull through cache repository: the first pull imports the upstream image, creating the repository if it does not exist yet.",
    doc::PULL_THROUGH_CACHE);

/// Repository prefixes pull through cache rules usually have: the namespaces the ECR console
/// gives them by default (`ecr-public`, `kubernetes`, `quay`, `docker-hub`…, per
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-working-pulling.html)
/// and the upstream registries' own short names (`k8s`, `github`, `gitlab`, `azure`,
/// `chainguard`). Only a hint: an image under one, with no rule declared, is said, not granted.
pub const USUAL_CACHE_PREFIXES: &[&str] = &[
    "docker-hub/",
    "ecr-public/",
    "quay/",
    "kubernetes/",
    "k8s/",
    "github/",
    "gitlab/",
    "azure/",
    "chainguard/",
];
rule!(KMS_DECRYPT_VIA, "KmsDecrypt", ["kms:Decrypt"],
    "These resources are encrypted with customer managed keys; decrypt only through the service that stores them (kms:ViaService).",
    doc::KMS_VIA_SERVICE);
rule!(KMS_GENERATE_VIA, "KmsGenerateDataKey", ["kms:GenerateDataKey"],
    "Writes to these resources are encrypted with customer managed keys; generate data keys only through that service (kms:ViaService).",
    doc::KMS_VIA_SERVICE);

// ---- Task role: ECS Exec, EFS, FireLens destinations ---------------------------------------
rule!(EXEC_CHANNELS, "EcsExecSsmMessages",
    ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
    "ECS Exec: the SSM agent in the task opens the session channels; these actions accept only Resource \"*\".",
    doc::ECS_EXEC);
rule!(EXEC_KMS, "EcsExecKmsDecrypt", ["kms:Decrypt"],
    "ECS Exec sessions are encrypted with this cluster KMS key; the task decrypts the data channel.",
    doc::ECS_EXEC);
rule!(
    EXEC_LOGS_DESCRIBE,
    "EcsExecDescribeLogGroups",
    ["logs:DescribeLogGroups"],
    "ECS Exec logging: the SSM agent checks the log group before streaming session output.",
    doc::ECS_EXEC
);
rule!(
    EXEC_LOGS_WRITE,
    "EcsExecWriteLogs",
    [
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents"
    ],
    "ECS Exec logging: session output is streamed to this CloudWatch log group.",
    doc::ECS_EXEC
);
rule!(
    EXEC_S3_PUT,
    "EcsExecS3PutObject",
    ["s3:PutObject"],
    "ECS Exec logging: session output is uploaded to this S3 location.",
    doc::ECS_EXEC
);
rule!(EXEC_LOGS_DEFAULT, "EcsExecDefaultLogging",
    ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
    "ECS Exec logging DEFAULT: session output goes to the container's awslogs group, written by the SSM agent with the task role (AWS names the task role and these actions for Exec logging, not DEFAULT's group explicitly).",
    doc::ECS_EXEC);
rule!(EXEC_S3_LOCATION, "EcsExecS3BucketLocation", ["s3:GetBucketLocation"],
    "ECS Exec logging to S3: the agent looks up the bucket's Region before uploading (AWS's example: every bucket; here this one).",
    doc::ECS_EXEC);
// The person running `aws ecs execute-command` (doc::ECS_EXEC, "Using IAM policies to limit
// access"): the Service Authorization Reference requires both the cluster and the task for
// ExecuteCommand; AWS's example adds DescribeTasks; with the cluster's exec key, the user needs
// kms:GenerateDataKey on it ("the user or group using the execute-command action").
rule!(
    EXEC_CALLER,
    "EcsExecuteCommand",
    ["ecs:DescribeTasks", "ecs:ExecuteCommand"],
    "Open ECS Exec sessions on this cluster's tasks only.",
    doc::ECS_EXEC
);
rule!(EXEC_CALLER_KMS, "EcsExecSessionKey", ["kms:GenerateDataKey"],
    "ECS Exec sessions on this cluster are encrypted with its key: the user makes the session's data key.",
    doc::ECS_EXEC);
rule!(EXEC_S3_ENCRYPTION, "EcsExecS3Encryption", ["s3:GetEncryptionConfiguration"],
    "ECS Exec logging with s3EncryptionEnabled: the agent verifies the bucket is encrypted before uploading.",
    doc::ECS_EXEC);
rule!(EFS_READ, "EfsClientMount", ["elasticfilesystem:ClientMount"],
    "EFS IAM authorization: mount this file system read-only (every mount point of the volume is readOnly).",
    doc::EFS_IAM);
rule!(
    EFS_READ_WRITE,
    "EfsClientMountWrite",
    [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite"
    ],
    "EFS IAM authorization: mount this file system and write to it.",
    doc::EFS_IAM
);
rule!(FIRELENS_CLOUDWATCH, "FirelensCloudWatchLogs", ["logs:CreateLogStream", "logs:PutLogEvents"],
    "FireLens cloudwatch_logs output: Fluent Bit writes container logs to this log group with the task role.",
    doc::FIRELENS_IAM);
rule!(
    FIRELENS_CLOUDWATCH_LEGACY,
    "FirelensCloudWatchLegacy",
    ["logs:DescribeLogStreams"],
    "FireLens cloudwatch (Go plugin) output also lists streams before writing.",
    doc::FIRELENS_IAM
);
rule!(
    FIRELENS_CLOUDWATCH_CREATE,
    "FirelensCreateLogGroup",
    ["logs:CreateLogGroup"],
    "FireLens cloudwatch output with auto_create_group true creates the log group.",
    doc::FIRELENS_IAM
);
rule!(
    FIRELENS_FIREHOSE,
    "FirelensFirehose",
    ["firehose:PutRecordBatch"],
    "FireLens kinesis_firehose output: the log router sends log batches to this delivery stream.",
    doc::FIRELENS_IAM
);
rule!(
    FIRELENS_KINESIS,
    "FirelensKinesis",
    ["kinesis:PutRecords"],
    "FireLens kinesis_streams output: the log router sends log records to this stream.",
    doc::FIRELENS_IAM
);
rule!(
    FIRELENS_S3,
    "FirelensS3",
    ["s3:PutObject"],
    "FireLens s3 output: the log router uploads log objects to this bucket.",
    doc::FIRELENS_IAM
);

// ---- FireLens with Fluentd: an output chosen by `@type` ------------------------------------
// FireLens writes a container's awsfirelens options into a Fluentd `<match>` section as they are
// (doc::FIRELENS; aws-samples/amazon-ecs-firelens-under-the-hood shows the generated file), so
// they are the plugin's own parameters, and the task role is what the plugin writes with
// (doc::FIRELENS_IAM, the page statements cite). What each plugin calls, read from its source:
// fluent-plugin-cloudwatch-logs (out_cloudwatch_logs.rb, 7ba7bb8, 2025-05; its README's
// "Preparation": https://github.com/fluent-plugins-nursery/fluent-plugin-cloudwatch-logs) looks its group up
// with DescribeLogGroups and its stream with DescribeLogStreams before the first write, creates
// them only with auto_create_stream, sets retention_in_days on a group it creates; its README's
// "more restricted" policy lists the same actions on "*". DescribeLogGroups has no resource type
// in the Service Authorization Reference (it takes only "*"; IAM's AccessDenied names the
// account's `log-group::log-stream:`, undocumented, so not relied on): granted on "*". It lists
// group names, never log events.
rule!(
    FLUENTD_CLOUDWATCH,
    "FluentdCloudWatchLogs",
    ["logs:DescribeLogStreams", "logs:PutLogEvents"],
    "FireLens Fluentd cloudwatch_logs output: finds its stream in this log group and writes to it.",
    doc::FIRELENS_IAM
);
/// A Fluentd output with both `aws_key_id` and `aws_sec_key` (fluent-plugin-cloudwatch-logs, -s3,
/// aws-fluent-plugin-kinesis all take them; options or secretOptions) and neither `aws_use_sts`
/// nor `aws_ecs_authentication` (which come first in the plugin's order) signs with that IAM
/// user's static key instead of the credential chain, so the task role is not used for it; a long-lived secret key in a task
/// definition is readable by anyone who can describe it (the FireLens page's IAM section:
/// the task role is how FireLens outputs get credentials). (fix, doc)
pub const FLUENTD_STATIC_KEY: (&str, &str) = (
    "remove aws_key_id and aws_sec_key so the plugin uses the task role, which this plan scopes; anyone who can describe the task definition can read a key written in it (secretOptions at least hides it): rotate it",
    doc::FIRELENS_IAM,
);
/// The option holding that secret key: its value never leaves the document (EcsRoleSets and
/// share links write it "…"), its presence decides the plan.
pub const FLUENTD_SECRET_KEY: &str = "aws_sec_key";
rule!(FLUENTD_CLOUDWATCH_FIND_GROUP, "FluentdFindLogGroup", ["logs:DescribeLogGroups"],
    "The cloudwatch_logs plugin checks its group exists first; DescribeLogGroups accepts only Resource \"*\".",
    doc::FIRELENS_IAM);
rule!(
    FLUENTD_CLOUDWATCH_CREATE,
    "FluentdCreateLogGroupAndStream",
    ["logs:CreateLogGroup", "logs:CreateLogStream"],
    "auto_create_stream: the plugin creates the missing log group and stream.",
    doc::FIRELENS_IAM
);
// log_group_aws_tags (or _key): the plugin passes tags to CreateLogGroup, which then also needs
// logs:TagResource (or the deprecated TagLogGroup) — CreateLogGroup's `tags` in the CloudWatch
// Logs API reference. Which ARN form IAM checks it against is not documented: both are granted.
rule!(
    FLUENTD_CLOUDWATCH_TAG,
    "FluentdTagLogGroup",
    ["logs:TagResource"],
    "log_group_aws_tags: the plugin creates the log group with these tags, which CloudWatch Logs authorizes as logs:TagResource.",
    doc::FIRELENS_IAM
);
rule!(
    FLUENTD_CLOUDWATCH_RETENTION,
    "FluentdLogGroupRetention",
    ["logs:PutRetentionPolicy"],
    "retention_in_days: the plugin sets it on the group it creates.",
    doc::FIRELENS_IAM
);
// fluent-plugin-s3 (out_s3.rb and docs/howto.md "IAM Policy", fbba2c7, 2026-08:
// https://github.com/fluent/fluent-plugin-s3/blob/master/docs/howto.md): it lists the bucket at start
// (check_apikey_on_start, check_bucket) and checks each key is free before writing (check_object,
// an object HEAD, which answers 403 for a missing key without s3:ListBucket); all default true.
rule!(
    FLUENTD_S3_LIST,
    "FluentdS3ListBucket",
    ["s3:ListBucket"],
    "The s3 plugin lists the bucket at start; its object check needs it to see a key is free.",
    doc::FIRELENS_IAM
);
rule!(
    FLUENTD_S3_CHECK_OBJECT,
    "FluentdS3CheckObject",
    ["s3:GetObject"],
    "check_object (default true): the s3 plugin checks a key is free before uploading.",
    doc::FIRELENS_IAM
);

// ---- FireLens to Amazon OpenSearch Service (es / opensearch outputs with AWS_Auth On) --------
// Fluent Bit only POSTs to `<Path>/_bulk` (its es and opensearch plugin docs); AWS's access
// control page names `domain/<name>/_bulk` as the bulk sub-resource and ESHttpPost/ESHttpPut as
// what adds documents. AWS's FireLens sample grants es:* on "*"; nothing narrower is published,
// so this is said in the why.
rule!(FIRELENS_OPENSEARCH, "FirelensOpenSearchBulk", ["es:ESHttpPost"],
    "FireLens es/opensearch output with AWS_Auth On: Fluent Bit signs its bulk POSTs to this domain (only /_bulk; AWS's sample grants es:* on every domain).",
    doc::OPENSEARCH_ACCESS);
// OpenSearch Serverless (AWS_Service_Name aoss): since 10 May 2023 "OpenSearch Serverless requires
// these two new IAM permissions for collection resources" — aoss:APIAccessAll for data calls.
rule!(FIRELENS_OPENSEARCH_SERVERLESS, "FirelensOpenSearchServerless", ["aoss:APIAccessAll"],
    "FireLens opensearch output to an OpenSearch Serverless collection (AWS_Service_Name aoss): the collection's data plane, which its data access policy then narrows to indexes.",
    doc::OPENSEARCH_SERVERLESS_IAM);
// A FireLens output's `role_arn` (`AWS_Role_ARN` for es/opensearch): Fluent Bit assumes that role
// with the task role's credentials, and the destination grants belong to it (Fluent Bit's AWS
// credentials page; AWS's cross-account FireLens sample).
rule!(FIRELENS_ASSUME_ROLE, "FirelensAssumeOutputRole", ["sts:AssumeRole"],
    "A FireLens output names role_arn: Fluent Bit assumes exactly this role with the task role's credentials and writes to the destination as it (its grants belong to that role).",
    doc::FLUENT_BIT_AWS_CREDENTIALS);

// aws-for-fluent-bit's init process (doc::FLUENT_BIT_INIT): its README grants both actions on
// "*"; its code (init/fluent_bit_init_process.go) calls GetBucketLocation on the bucket, then
// GetObject on the file, so each is scoped to exactly that here.
rule!(
    FLUENT_BIT_INIT_S3,
    "FluentBitInitS3Config",
    ["s3:GetObject"],
    "The aws-for-fluent-bit init process downloads this config file (an aws_fluent_bit_init_s3_* variable) with the task role.",
    doc::FLUENT_BIT_INIT
);
rule!(
    FLUENT_BIT_INIT_S3_BUCKET,
    "FluentBitInitS3Bucket",
    ["s3:GetBucketLocation"],
    "The aws-for-fluent-bit init process asks the config bucket's Region before downloading from it.",
    doc::FLUENT_BIT_INIT
);
/// Whether an environment variable names an S3 config file for the init image: its code
/// matches `aws_fluent_bit_init_[sS]3` anywhere in the name.
pub fn is_fluent_bit_init_s3(name: &str) -> bool {
    name.contains("aws_fluent_bit_init_s3") || name.contains("aws_fluent_bit_init_S3")
}

/// The environment variables a rule reads: `Some(true)` when it reads the value (init-image S3
/// files, the ADOT Prometheus endpoint, the CloudWatch agent's USE_DEFAULT_CONFIG and
/// CW_CONFIG_CONTENT), `Some(false)` when only the name matters (the ADOT collector's
/// configuration content, which is not read; App Mesh's `ENVOY_ENVIRONMENT`): what an
/// EcsRoleSet and a share link keep of a container's environment, so they plan as the file.
pub fn environment_read(name: &str) -> Option<bool> {
    if is_fluent_bit_init_s3(name)
        || name == adot::PROMETHEUS_ENDPOINT
        || name == cloudwatch_agent::USE_DEFAULT_CONFIG
        || name == cloudwatch_agent::CONFIG_CONTENT
    {
        Some(true)
    } else {
        (name == adot::CONFIG_CONTENT || app_mesh::envoy_variable(name).is_some()).then_some(false)
    }
}

// ---- Task role: application access intents --------------------------------------------------
rule!(
    S3_READ,
    "AppS3Read",
    ["s3:GetObject"],
    "The application reads objects under this prefix.",
    doc::S3_ACTIONS
);
rule!(
    S3_LIST,
    "AppS3List",
    ["s3:ListBucket"],
    "The application lists keys, limited to its prefix by s3:prefix.",
    doc::S3_ACTIONS
);
rule!(
    S3_WRITE,
    "AppS3Write",
    ["s3:PutObject", "s3:AbortMultipartUpload"],
    "The application writes objects under this prefix.",
    doc::S3_ACTIONS
);
rule!(
    S3_DELETE,
    "AppS3Delete",
    ["s3:DeleteObject"],
    "read-write access includes deleting objects under this prefix.",
    doc::S3_ACTIONS
);
rule!(
    DYNAMODB_READ,
    "AppDynamoDbRead",
    [
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan"
    ],
    "The application reads items from this table.",
    doc::DYNAMODB_ACTIONS
);
rule!(
    DYNAMODB_WRITE,
    "AppDynamoDbWrite",
    [
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem"
    ],
    "The application writes items to this table.",
    doc::DYNAMODB_ACTIONS
);
rule!(
    SQS_CONSUME,
    "AppSqsConsume",
    [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage"
    ],
    "The application receives and deletes messages from this queue.",
    doc::SQS_ACTIONS
);
rule!(
    SQS_PRODUCE,
    "AppSqsProduce",
    [
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:SendMessage"
    ],
    "The application sends messages to this queue.",
    doc::SQS_ACTIONS
);
rule!(
    SNS_PUBLISH,
    "AppSnsPublish",
    ["sns:Publish"],
    "The application publishes to this topic.",
    doc::SNS_ACTIONS
);
rule!(
    KMS_APP_DECRYPT,
    "AppKmsDecrypt",
    ["kms:Decrypt"],
    "The application decrypts data with this key.",
    doc::KMS_ACTIONS
);
rule!(
    KMS_APP_ENCRYPT,
    "AppKmsEncrypt",
    ["kms:Encrypt", "kms:GenerateDataKey"],
    "The application encrypts data with this key.",
    doc::KMS_ACTIONS
);
rule!(
    SECRETS_APP,
    "AppSecretsManagerRead",
    ["secretsmanager:GetSecretValue"],
    "The application reads this secret at run time.",
    doc::SECRETS_ACTIONS
);
rule!(
    SSM_APP,
    "AppSsmRead",
    ["ssm:GetParameter", "ssm:GetParameters"],
    "The application reads these parameters at run time.",
    doc::SSM_ACTIONS
);
rule!(
    SSM_APP_PATH,
    "AppSsmReadPath",
    ["ssm:GetParametersByPath"],
    "The application reads every parameter under this path.",
    doc::SSM_ACTIONS
);

// ---- Service role (legacy, ecs.amazonaws.com) -----------------------------------------------
rule!(SERVICE_DESCRIBE, "ServiceDescribe", ["ec2:Describe*", "elasticloadbalancing:Describe*"],
    "ECS looks up instances and load balancers while registering tasks; describe actions accept only Resource \"*\".",
    doc::SERVICE_ROLE);
rule!(
    SERVICE_TARGETS,
    "ServiceRegisterTargets",
    [
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:RegisterTargets"
    ],
    "ECS registers and deregisters the service's tasks in this target group.",
    doc::SERVICE_ROLE
);
rule!(
    SERVICE_CLASSIC,
    "ServiceRegisterInstances",
    [
        "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer"
    ],
    "ECS registers and deregisters container instances with this Classic Load Balancer.",
    doc::SERVICE_ROLE
);

// ---- Container-instance role (EC2 / External) ------------------------------------------------
rule!(
    AGENT_DISCOVER,
    "EcsAgentDiscoverPollEndpoint",
    ["ecs:DiscoverPollEndpoint"],
    "The ECS agent finds the endpoint it polls for work; the action accepts only Resource \"*\".",
    doc::INSTANCE_ROLE
);
rule!(
    AGENT_CLUSTER,
    "EcsAgentCluster",
    [
        "ecs:DeregisterContainerInstance",
        "ecs:RegisterContainerInstance",
        "ecs:SubmitAttachmentStateChanges",
        "ecs:SubmitContainerStateChange",
        "ecs:SubmitTaskStateChange"
    ],
    "The ECS agent joins this cluster and reports task and container state to it.",
    doc::INSTANCE_ROLE
);
rule!(
    AGENT_INSTANCE,
    "EcsAgentContainerInstance",
    ["ecs:Poll", "ecs:StartTelemetrySession"],
    "The ECS agent polls for tasks and sends telemetry as a container instance of this cluster.",
    doc::INSTANCE_ROLE
);

// ---- Managed Instances node role -------------------------------------------------------------
rule!(NODE_DISCOVER, "NodeDiscoverPollEndpoint", ["ecs:DiscoverPollEndpoint"],
    "The agent on the managed instance finds its poll endpoint; the action accepts only Resource \"*\".",
    doc::MANAGED_INSTANCES_NODE);
rule!(
    NODE_CLUSTER,
    "NodeCluster",
    [
        "ecs:RegisterContainerInstance",
        "ecs:SubmitAttachmentStateChanges",
        "ecs:SubmitTaskStateChange"
    ],
    "The managed instance registers with this cluster and reports task state to it.",
    doc::MANAGED_INSTANCES_NODE
);
rule!(NODE_INSTANCE, "NodeContainerInstance", ["ecs:Poll", "ecs:PutSystemLogEvents", "ecs:StartTelemetrySession"],
    "The managed instance polls for tasks, sends telemetry and system logs as a container instance of this cluster.",
    doc::MANAGED_INSTANCES_NODE);

// ---- Managed Instances infrastructure role ----------------------------------------------------
// AWS's AmazonECSInfrastructureRolePolicyForManagedInstances (v11, 2026-02-26) is attached as is:
// it is tag-scoped and changes often (v9 → v11 in two weeks), so a copy would go stale. Its
// only trap is `iam:PassRole` on roles named `ecsInstanceRole*`; these two statements let the
// role pass exactly the planned node role and nothing else, whatever its name.
rule!(PASS_NODE_ROLE, "PassNodeRole", ["iam:PassRole"],
    "ECS hands the node role to the instances it launches: only this role, only to EC2 (the managed policy would require the name ecsInstanceRole*).",
    doc::INFRASTRUCTURE_ROLE);
rule!(DENY_OTHER_PASS_ROLE, "DenyPassingOtherRoles", ["iam:PassRole"],
    "The managed policy allows passing any role named ecsInstanceRole*; this infrastructure role may pass only its own node role.",
    doc::INFRASTRUCTURE_ROLE);

// ---- Companion: key policy for EBS volumes encrypted with a customer managed key ------------
rule!(EBS_KEY_POLICY, "AllowEcsInfrastructureRoleEbsEncryption",
    ["kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
    "ECS creates the task's encrypted EBS volume with this customer managed key through EC2 (kms:ViaService).",
    doc::EBS_KMS);

/// ECS's service-linked role (doc::SERVICE_LINKED_ROLE).
pub const SERVICE_LINKED_ROLE_NAME: &str = "AWSServiceRoleForECS";
pub const SERVICE_LINKED_ROLE_PATH: &str = "/aws-service-role/ecs.amazonaws.com/";

// ---- GuardDuty Runtime Monitoring on Fargate (doc::GUARDDUTY_FARGATE) -----------------------
// "The task execution role requires certain Amazon ECR permissions to download the GuardDuty
// security agent container image": the four ECR actions, narrowed "by adding the Amazon ECR
// repository URI". AWS gives the URI, not the ARN: the ARN is its repository's (said in the why).
rule!(GUARDDUTY_AGENT_PULL, "GuardDutyAgentPull",
    ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
    "GuardDuty Runtime Monitoring adds its security agent sidecar (aws-gd-agent) to each Fargate task: the execution role pulls its image from GuardDuty's repository in this Region (the repository AWS names by URI; without the role the task runs unmonitored).",
    doc::GUARDDUTY_FARGATE);

/// The GuardDuty agent's ECR repository name and the account hosting it per Region
/// (doc::GUARDDUTY_AGENT_IMAGE; GovCloud from its user guide). Runtime Monitoring is not
/// supported in the China Regions.
pub const GUARDDUTY_AGENT_REPOSITORY: &str = "aws-guardduty-agent-fargate";
/// One row per Region, "<region> <account>": one string rather than a table of pairs, because
/// the pairs' pointers cost the browser module ~0.3 KB gzipped (see [`guardduty_agent_account`]).
pub const GUARDDUTY_AGENT_ACCOUNTS: &str = "\
af-south-1 197869348890
ap-east-1 258348409381
ap-east-2 259886477082
ap-northeast-1 533107202818
ap-northeast-2 914738172881
ap-northeast-3 273192626886
ap-south-1 251508486986
ap-south-2 950823858135
ap-southeast-1 174946120834
ap-southeast-2 005257825471
ap-southeast-3 510637619217
ap-southeast-4 251357961535
ap-southeast-5 156041399949
ap-southeast-7 054037130133
ca-central-1 354763396469
ca-west-1 339712888787
eu-central-1 323658145986
eu-central-2 529164026651
eu-north-1 591436053604
eu-south-1 266869475730
eu-south-2 919611009337
eu-west-1 694911143906
eu-west-2 892757235363
eu-west-3 665651866788
il-central-1 870907303882
me-central-1 000014521398
me-south-1 536382113932
mx-central-1 311141559934
sa-east-1 758426053663
us-east-1 593207742271
us-east-2 307168627858
us-gov-east-1 383115532789
us-gov-west-1 383110348953
us-west-1 684579721401
us-west-2 733349766148";

/// The account hosting the GuardDuty agent's repository in `region`, if AWS documents one.
pub fn guardduty_agent_account(region: &str) -> Option<&'static str> {
    GUARDDUTY_AGENT_ACCOUNTS
        .lines()
        .find_map(|row| row.strip_prefix(region)?.strip_prefix(' '))
}

/// Application Auto Scaling's service-linked role for ECS services (doc::AUTO_SCALING_SLR,
/// "Service-linked role ARN reference"), and the principal that assumes it.
pub const AUTO_SCALING_SLR_NAME: &str = "AWSServiceRoleForApplicationAutoScaling_ECSService";
pub const AUTO_SCALING_PRINCIPAL: &str = "ecs.application-autoscaling.amazonaws.com";
pub const AUTO_SCALING_SLR_PATH: &str =
    "/aws-service-role/ecs.application-autoscaling.amazonaws.com/";
/// What a scalable target of an ECS service says (RegisterScalableTarget): its namespace and
/// its one dimension.
pub const AUTO_SCALING_NAMESPACE: &str = "ecs";
pub const AUTO_SCALING_DIMENSION: &str = "ecs:service:DesiredCount";

/// ECS Express Mode (doc::EXPRESS_SERVICE, "Resources created by Amazon ECS Express Mode
/// services"): the task definition ECS registers from `primaryContainer`.
pub mod express {
    /// "name: "Main" - Default name for the primary container"; a task definition brought
    /// with `taskDefinitionArn` "must have a container named Main" (doc::EXPRESS_API).
    pub const CONTAINER: &str = "Main";
    /// The log group ECS creates when `awsLogsConfiguration` is left out:
    /// "/aws/ecs/<cluster>/<name>-####". AWS does not say what the suffix is made of, so it is
    /// matched with `*`.
    pub const LOG_GROUP_PREFIX: &str = "/aws/ecs/";
    /// "awslogs-stream-prefix: "ecs"".
    pub const STREAM_PREFIX: &str = "ecs";
    /// Fargate (Linux) only: "requiresCompatibilities: ["FARGATE"]", network mode awsvpc.
    pub const COMPATIBILITY: &str = "FARGATE";
    pub const NETWORK_MODE: &str = "awsvpc";
    /// ecsroles' family for a request without serviceName (ECS then names the service).
    pub const UNNAMED_FAMILY: &str = "express-service";

    /// The log group ECS names for the service (`None`: ECS names the service too, so any
    /// service of the cluster).
    pub fn log_group(cluster: &str, service: Option<&str>) -> String {
        match service {
            Some(s) => cat!(LOG_GROUP_PREFIX, cluster, "/", s, "-*"),
            None => cat!(LOG_GROUP_PREFIX, cluster, "/*"),
        }
    }

    /// Whether `group` is one [`log_group`] spells (ECS's, not one the user named).
    pub fn is_ecs_log_group(group: &str) -> bool {
        group.starts_with(LOG_GROUP_PREFIX) && group.ends_with('*')
    }
}

/// AWS managed policies the plan attaches where a scoped copy would only go stale
/// (path under `arn:<partition>:iam::aws:policy/`).
pub mod managed {
    /// EBS volumes at launch: tag-scoped by AWS already (`AmazonECSManaged`, `AmazonECSCreated`).
    pub const VOLUMES: &str = "service-role/AmazonECSInfrastructureRolePolicyForVolumes";
    /// Managed Instances lifecycle (launch templates, fleets, instances), tag-scoped by AWS.
    pub const MANAGED_INSTANCES_INFRA: &str =
        "AmazonECSInfrastructureRolePolicyForManagedInstances";
    /// The version the rules above were checked against.
    pub const MANAGED_INSTANCES_INFRA_VERSION: &str = "v11 (2026-02-26)";
    /// Service Connect TLS: Secrets Manager on `ecs-sc!*` secrets of the role's own account
    /// (created and tagged only with `AmazonECSManaged=true` + `AmazonECSCreated=<service>`),
    /// and ACM PCA only on CAs tagged `AmazonECSManaged=true` (IssueCertificate only with the
    /// EndEntityCertificate/V1 template). Checked against v4 (edited 2026-02-12).
    pub const SERVICE_CONNECT_TLS: &str =
        "service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity";
    /// ECS Anywhere instances register with Systems Manager through this policy.
    pub const SSM_CORE: &str = "AmazonSSMManagedInstanceCore";
    /// Express Mode's infrastructure (checked against v6, edited 2026-02-12): ELB load
    /// balancers, listeners, rules and target groups, EC2 security groups, ACM certificates,
    /// Application Auto Scaling targets and policies, CloudWatch alarms and log groups — every
    /// write only on resources tagged (or created with the tag) `AmazonECSManaged=true`; reads
    /// (Describe*) on "*"; iam:CreateServiceLinkedRole only for Elastic Load Balancing and
    /// Application Auto Scaling for ECS. ECS creates these resources itself, so no ARN of the
    /// workload can narrow it further: the managed policy is attached.
    pub const EXPRESS_INFRA: &str =
        "service-role/AmazonECSInfrastructureRoleforExpressGatewayServices";
    /// The ones [`crate::managed_snapshot`] does not hold (the project's reference data has no
    /// copy of them): the audit cannot compare a role's own policies with them, so a role
    /// without one attached is reported `detached`, not judged grant by grant.
    pub const NOT_IN_SNAPSHOT: [&str; 2] = [SSM_CORE, EXPRESS_INFRA];
    /// Every AWS managed policy a rule attaches: the default guardrails allow exactly these
    /// (a test plans every example under them).
    pub const ALL: [&str; 5] = [
        VOLUMES,
        MANAGED_INSTANCES_INFRA,
        SSM_CORE,
        SERVICE_CONNECT_TLS,
        EXPRESS_INFRA,
    ];
}

/// Whether IAM takes `resource` in a policy's Resource/NotResource: `"*"` or an ARN
/// (arn:partition:service:region:account:resource; otherwise MalformedPolicyDocument).
/// Source: [`doc::POLICY_RESOURCE`]. Unclear there: a wildcard standing for several ARN parts
/// (`arn:aws:organizations::*` occurs in real policies), so an `arn:` with a `*` is accepted.
pub fn policy_resource_accepted(resource: &str) -> bool {
    resource == "*"
        || (resource.starts_with("arn:")
            && (resource.contains('*') || crate::arn::Arn::parse(resource).is_some()))
}

/// Actions that do not support resource-level permissions: `Resource: "*"` is their only form.
/// Every generated statement on `"*"` must use only these (checked by a property test).
/// Source: the Service Authorization Reference pages of each service.
pub const WILDCARD_ONLY_ACTIONS: &[&str] = &[
    "ecr:GetAuthorizationToken",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "ecs:DiscoverPollEndpoint",
    "ec2:Describe*",
    "elasticloadbalancing:Describe*",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeCapacityReservations",
    "ec2:DescribeInstanceTypeOfferings",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeInstances",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "tag:GetResources",
    // ECS Exec doc: logging needs logs:DescribeLogGroups on "*".
    "logs:DescribeLogGroups",
    "cloudwatch:PutMetricData",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
    "fsx:DescribeFileSystems",
];

/// Launch types on which ECS does not support a feature, with the page that says so.
/// ECR registries owned by AWS whose repository policies already let every account pull:
/// images from them need the identity grants only, and no repository-policy companion (their
/// owners are not the user's to ask). Account → (what it hosts, the page that names it).
/// Other regions of some of these services use other accounts; those pages list them.
#[rustfmt::skip]
pub const AWS_OWNED_REGISTRIES: &[(&str, &str, &str)] = &[
    ("906394416424", "AWS for Fluent Bit (FireLens log router)", "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-using-fluentbit.html"),
    ("840364872350", "AWS App Mesh Envoy proxy", "https://docs.aws.amazon.com/app-mesh/latest/userguide/envoy.html"),
    ("602401143452", "Amazon EKS add-on images", "https://docs.aws.amazon.com/eks/latest/userguide/add-ons-images.html"),
    ("763104351884", "AWS Deep Learning Containers", "https://docs.aws.amazon.com/deep-learning-containers/latest/devguide/deep-learning-containers-images.html"),
    ("593207742271", "Amazon GuardDuty runtime monitoring agent (us-east-1)", "https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring-ecr-repository-gdu-agent.html"),
    ("307168627858", "Amazon GuardDuty runtime monitoring agent (us-east-2)", "https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring-ecr-repository-gdu-agent.html"),
    ("684579721401", "Amazon GuardDuty runtime monitoring agent (us-west-1)", "https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring-ecr-repository-gdu-agent.html"),
    ("733349766148", "Amazon GuardDuty runtime monitoring agent (us-west-2)", "https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring-ecr-repository-gdu-agent.html"),
];

/// The AWS-owned registry `account` is, if it is one.
pub fn aws_owned_registry(account: &str) -> Option<(&'static str, &'static str)> {
    AWS_OWNED_REGISTRIES
        .iter()
        .find(|r| r.0 == account)
        .map(|r| (r.1, r.2))
}

/// What ECS answers when it refuses a task definition ecsroles can see is incomplete: the
/// exact `RegisterTaskDefinition` error, with a public place it was reported.
pub mod refusal {
    /// What the task definition lacks.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Refusal {
        /// `executionRoleArn`, for private ECR images on Fargate.
        FargateEcrImage,
        /// `executionRoleArn`, for the awslogs driver on Fargate.
        FargateAwslogs,
        /// `executionRoleArn`, for `secrets`.
        Secrets,
        /// `networkMode`, which Fargate does not default.
        FargateNetworkMode,
    }

    #[rustfmt::skip]
    pub const ERRORS: &[(Refusal, &str, &str)] = &[
        (Refusal::FargateEcrImage,
         "ClientException: Fargate requires task definition to have execution role ARN to support ECR images.",
         "https://github.com/jenkinsci/amazon-ecs-plugin/pull/53"),
        (Refusal::FargateAwslogs,
         "ClientException: Fargate requires task definition to have execution role ARN to support log driver awslogs.",
         "https://github.com/virtual-kubelet/virtual-kubelet/issues/193"),
        (Refusal::Secrets,
         "ClientException: When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
         super::doc::EXECUTION_SECRETS),
        (Refusal::FargateNetworkMode,
         "ClientException: Fargate only supports network mode ‘awsvpc’.",
         "https://github.com/aws/amazon-ecs-cli/issues/1145"),
    ];

    /// (ECS's message, where it was reported).
    pub fn error(r: Refusal) -> (&'static str, &'static str) {
        ERRORS
            .iter()
            .find(|e| e.0 == r)
            .map_or(("", ""), |e| (e.1, e.2))
    }
}

/// The last path segment of an image's repository, without tag or digest
/// (`public.ecr.aws/xray/aws-xray-daemon:3.x` → `aws-xray-daemon`): how a sidecar is recognised
/// in any registry (Docker Hub, ECR Public, a private mirror).
pub fn image_name(image: &str) -> &str {
    // Bytes, not `str::split`: it runs for every container on every keystroke.
    let b = image.as_bytes();
    let no_digest = b.iter().position(|&c| c == b'@').map_or(b, |at| &b[..at]);
    let start = no_digest
        .iter()
        .rposition(|&c| c == b'/')
        .map_or(0, |s| s + 1);
    let last = &no_digest[start..];
    let end = start + last.iter().position(|&c| c == b':').unwrap_or(last.len());
    // Both ends sit next to ASCII bytes, so on character boundaries.
    image.get(start..end).unwrap_or("")
}

/// Sidecars recognised by their image, whose work needs the task role.
pub mod sidecars {
    use super::{doc, Rule};
    /// The AWS X-Ray daemon (`amazon/aws-xray-daemon`, `public.ecr.aws/xray/aws-xray-daemon`):
    /// "add managed policies to your task role" — AWSXRayDaemonWriteAccess (doc::XRAY_DAEMON_ECS).
    pub const XRAY_DAEMON_IMAGE: &str = "aws-xray-daemon";
    // AWSXRayDaemonWriteAccess v2, exactly; X-Ray takes these actions on "*" only.
    rule!(XRAY_DAEMON, "XRayDaemonWrite",
        ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
        "A container runs the AWS X-Ray daemon (recognised by its image): it relays the application's trace segments and fetches sampling rules with the task role — AWSXRayDaemonWriteAccess's actions, which X-Ray takes on \"*\" only.",
        doc::XRAY_DAEMON_ECS);
}

/// The AWS Distro for OpenTelemetry (ADOT) collector, recognised by its image
/// (`public.ecr.aws/aws-observability/aws-otel-collector`, `amazon/aws-otel-collector`). What it
/// needs is what its configuration exports, so the configuration is read: the image's own files,
/// chosen with `command: ["--config=/etc/ecs/…"]` (none: `/etc/otel-config.yaml`, the image's
/// CMD). Each file's exporters and receivers below are read from aws-observability/
/// aws-otel-collector at ed0b1d5 (`config.yaml`, `config/ecs/`); what each calls, from the
/// vendored contrib code there: awsxray exporter → `xray:PutTraceSegments` (PutTelemetryRecords
/// only with `telemetry`, in no built-in file); the awsxray receiver's proxy relays the SDKs'
/// `GetSamplingRules`/`GetSamplingTargets` with the collector's credentials; awsemf →
/// `CreateLogStream`, `PutLogEvents`, and `CreateLogGroup` when the group is missing (its
/// cwlogs pusher); prometheusremotewrite with sigv4auth → `aps:RemoteWrite` on the workspace in
/// `AWS_PROMETHEUS_ENDPOINT`. The ECS guide's pages attach broader policies (AWS's "*"
/// resources, DescribeLog*, PutMetricData, which these exporters do not call): the grants here
/// are the calls, on the groups and workspace the file names.
pub mod adot {
    use super::Rule;
    pub const IMAGE: &str = "aws-otel-collector";
    /// The configuration the image runs without a command (its Dockerfile's CMD).
    pub const DEFAULT_CONFIG: &str = "/etc/otel-config.yaml";
    /// Configuration given as content rather than a file (environment or `secrets`): not read.
    pub const CONFIG_CONTENT: &str = "AOT_CONFIG_CONTENT";
    /// The Amazon Managed Service for Prometheus remote-write URL the `ecs-amp*` files use.
    pub const PROMETHEUS_ENDPOINT: &str = "AWS_PROMETHEUS_ENDPOINT";
    pub const DOC_CLOUDWATCH: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/application-metrics-cloudwatch.html";
    pub const DOC_PROMETHEUS: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/application-metrics-prometheus.html";
    pub const DOC_XRAY: &str =
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/trace-data.html";
    /// The collector as a daemon for EC2 instance metrics (EC2 launch type only).
    pub const DOC_INSTANCE_METRICS: &str = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/deploy-container-insights-ECS-OTEL.html";
    /// What each exporter calls, for a configuration the plan does not read (the rules below).
    pub const NOT_READ_FIX: &str = "grant what its configuration calls in app.statements: awsxray → xray:PutTraceSegments (and xray:GetSamplingRules, GetSamplingTargets with the awsxray receiver); awsemf → logs:CreateLogGroup, CreateLogStream, PutLogEvents on its log group; prometheusremotewrite → aps:RemoteWrite on the workspace; a configuration read from S3 → s3:GetObject on it";

    /// What a built-in configuration sends where.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Export {
        /// awsxray exporter: trace segments.
        Traces,
        /// awsxray receiver: the X-Ray SDKs' sampling calls, relayed.
        Sampling,
        /// awsemf exporter to this log group (`{ClusterName}` is the plan's cluster; other
        /// parts the collector fills at run time are written `*`).
        Emf(&'static str),
        /// prometheusremotewrite to the workspace in [`PROMETHEUS_ENDPOINT`].
        Prometheus,
        /// awscontainerinsightreceiver: reads the EC2 container instance (none on Fargate)
        /// through the ECS agent's local endpoint, and calls `ec2:DescribeTags` (its Auto
        /// Scaling group) and `ec2:DescribeVolumes` (its EBS volumes).
        Ec2Instance,
    }
    use Export::*;
    const APP_METRICS: Export = Emf("/aws/ecs/application/metrics");
    // The collector fills `{ClusterName}` from the task's metadata: the plan's cluster.
    const PERFORMANCE: Export = Emf("/aws/ecs/containerinsights/{ClusterName}/performance");

    /// The image's configuration files, by the path `--config` names.
    pub const CONFIGS: &[(&str, &[Export])] = &[
        // awsemf without log_group_name writes to /metrics/<namespace> (util.go getLogInfo), the
        // namespace taken from the metrics' service.namespace/service.name, else "default".
        (DEFAULT_CONFIG, &[Traces, Sampling, Emf("/metrics/*")]),
        (
            "/etc/ecs/ecs-default-config.yaml",
            &[Traces, Sampling, APP_METRICS],
        ),
        ("/etc/ecs/ecs-xray.yaml", &[Traces]),
        ("/etc/ecs/ecs-cloudwatch.yaml", &[APP_METRICS]),
        ("/etc/ecs/ecs-cloudwatch-xray.yaml", &[Traces, APP_METRICS]),
        ("/etc/ecs/ecs-amp.yaml", &[Prometheus]),
        ("/etc/ecs/ecs-amp-prometheus.yaml", &[Prometheus]),
        ("/etc/ecs/ecs-amp-xray.yaml", &[Traces, Prometheus]),
        (
            "/etc/ecs/ecs-amp-xray-prometheus.yaml",
            &[Traces, Prometheus],
        ),
        (
            "/etc/ecs/container-insights/otel-task-metrics-config.yaml",
            &[Traces, Sampling, APP_METRICS, PERFORMANCE],
        ),
        (
            "/etc/ecs/otel-instance-metrics-config.yaml",
            &[Ec2Instance, PERFORMANCE],
        ),
    ];

    /// The exports of the built-in file at `path` (`None`: not one of the image's files).
    pub fn exports(path: &str) -> Option<&'static [Export]> {
        CONFIGS.iter().find(|c| c.0 == path).map(|c| c.1)
    }

    rule!(TRACES, "AdotXRayTraces", ["xray:PutTraceSegments"],
        "The ADOT collector's awsxray exporter sends the application's traces to X-Ray with the task role; X-Ray takes its actions on \"*\" only.",
        DOC_XRAY);
    rule!(SAMPLING, "AdotXRaySampling", ["xray:GetSamplingRules", "xray:GetSamplingTargets"],
        "The ADOT collector's awsxray receiver relays the X-Ray SDKs' sampling calls with the task role (on \"*\" only).",
        DOC_XRAY);
    rule!(EMF, "AdotEmfMetrics", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "The ADOT collector's awsemf exporter writes metrics as embedded-metric-format logs to this log group, creating the group and its stream when missing.",
        DOC_CLOUDWATCH);
    rule!(INSTANCE, "AdotContainerInstanceMetadata", ["ec2:DescribeTags", "ec2:DescribeVolumes"],
        "The ADOT collector's awscontainerinsightreceiver looks up the container instance's Auto Scaling group (its tags) and EBS volumes; both actions take \"*\" only.",
        DOC_INSTANCE_METRICS);
    rule!(PROMETHEUS, "AdotPrometheusRemoteWrite", ["aps:RemoteWrite"],
        "The ADOT collector's prometheusremotewrite exporter signs with the task role and writes to this Amazon Managed Service for Prometheus workspace.",
        DOC_PROMETHEUS);

    /// `--config=F` / `-config=F` → `Some(Some(F))`; a bare `--config` / `-config` (the file
    /// is the next argument) → `Some(None)`; anything else → `None`. One or two dashes, as Go's
    /// flag parser takes them.
    fn config_flag(arg: &str) -> Option<Option<&str>> {
        let a = arg.trim();
        let rest = a.strip_prefix("--").or_else(|| a.strip_prefix('-'))?;
        match rest.strip_prefix("config")? {
            "" => Some(None),
            f => f.strip_prefix('=').map(|f| Some(f.trim())),
        }
    }

    /// What a collector's `command` says: the configuration files it names (the collector
    /// merges several) with the index of the argument holding each, and the first other
    /// argument (`--set=…`, a bare `--config` at the end), which the plan does not read.
    pub fn arguments<S: AsRef<str>>(args: &[S]) -> (Vec<(&str, usize)>, Option<usize>) {
        let (mut configs, mut other) = (Vec::new(), None);
        let mut i = 0;
        while i < args.len() {
            match config_flag(args[i].as_ref()) {
                Some(Some(f)) => configs.push((f, i)),
                Some(None) if i + 1 < args.len() => {
                    configs.push((args[i + 1].as_ref().trim(), i + 1));
                    i += 1;
                }
                _ => {
                    other.get_or_insert(i);
                }
            }
            i += 1;
        }
        (configs, other)
    }

    /// Whether an argument is one [`arguments`] reads (a `--config` flag, or the file after a
    /// bare one): what a share link keeps of the collector's command.
    pub fn is_config_argument(arg: &str, previous: Option<&str>) -> bool {
        config_flag(arg).is_some() || previous.and_then(config_flag) == Some(None)
    }

    /// The workspace and Region of an `https://aps-workspaces.<region>.amazonaws.com[.cn]/
    /// workspaces/<id>/api/v1/remote_write` URL (another host is not a workspace).
    pub fn prometheus_workspace(url: &str) -> Option<(&str, &str)> {
        let rest = url.trim().strip_prefix("https://aps-workspaces.")?;
        let (host, path) = rest.split_once('/')?;
        let (region, suffix) = host.split_once('.')?;
        let id = path.strip_prefix("workspaces/")?.split('/').next()?;
        let aws = matches!(suffix, "amazonaws.com" | "amazonaws.com.cn");
        (aws && !id.is_empty() && !region.is_empty()).then_some((id, region))
    }

    #[cfg(test)]
    #[test]
    fn every_built_in_file_exports_something_and_endpoints_parse() {
        assert!(CONFIGS
            .iter()
            .all(|c| !c.1.is_empty() && c.0.starts_with("/etc/")));
        assert_eq!(exports("/etc/ecs/ecs-amp.yaml"), Some(&[Prometheus][..]));
        assert_eq!(exports("/etc/ecs/custom.yaml"), None);
        assert_eq!(
            prometheus_workspace("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1a2b/api/v1/remote_write"),
            Some(("ws-1a2b", "eu-west-1"))
        );
        assert_eq!(
            prometheus_workspace("https://example.com/workspaces/ws-1/api"),
            None
        );
        assert_eq!(
            prometheus_workspace("https://aps-workspaces.us-east-1.evil.com/workspaces/ws-1/api"),
            None
        );
        let two = ["--config=/a.yaml", "-config", "/b.yaml"];
        assert_eq!(
            arguments(&two),
            (vec![("/a.yaml", 0), ("/b.yaml", 2)], None)
        );
        let set = ["--set=x=1", "--config=/a.yaml"];
        assert_eq!(arguments(&set), (vec![("/a.yaml", 1)], Some(0)));
        assert_eq!(arguments(&["--config"]), (vec![], Some(0)));
        assert_eq!(arguments(&["--configx=/a"]), (vec![], Some(0)));
        assert!(
            is_config_argument("/b.yaml", Some("--config")) && !is_config_argument("--set=a", None)
        );
        assert_eq!(
            prometheus_workspace("https://aps-workspaces.r.amazonaws.com/workspaces//api"),
            None
        );
    }
}

/// The Amazon CloudWatch agent, recognised by its image (`public.ecr.aws/cloudwatch-agent/
/// cloudwatch-agent`, `amazon/cloudwatch-agent`). In a container it takes its configuration from,
/// in order: JSON files in `/etc/cwagentconfig` (a mounted volume), `CW_CONFIG_CONTENT` (only
/// with RUN_IN_CONTAINER, which the image sets), then `USE_DEFAULT_CONFIG=True` — on ECS
/// `{"logs":{"metrics_collected":{"ecs":{}}}}`, Container Insights' instance-level metrics
/// (aws/amazon-cloudwatch-agent at ab55b8d: translator/cmdutil/translatorutil.go,
/// translator/jsonconfig/mergeJsonConfig.go, translator/config/defaultConfig.go). Those metrics
/// are EMF log events to `/aws/ecs/containerinsights/{ClusterName}/performance`
/// (awsemf_default_ecs.yaml; CreateLogStream, PutLogEvents, CreateLogGroup when missing), the
/// container instance read through the ECS agent's local endpoint, plus `ec2:DescribeTags` (its
/// Auto Scaling group) and `ec2:DescribeVolumes` (the awscontainerinsightreceiver, as for ADOT).
/// A configuration in a file or in a secret's CW_CONFIG_CONTENT (usually an SSM parameter) is
/// not read here: what each section calls is in `NOT_READ_FIX`. CW_CONFIG_CONTENT written in
/// `environment` is read, section by section, as the agent's translator reads it (at ab55b8d:
/// translator/config/schema.json; the calls in plugins/outputs/cloudwatch and
/// plugins/outputs/cloudwatchlogs/internal/pusher, the X-Ray exporter and proxy in
/// translator/translate/otel): `metrics` → PutMetricData in one namespace (`metrics.namespace`,
/// default `CWAgent`, translator/translate/metrics/ruleNamespace.go; no per-plugin namespace);
/// `logs.logs_collected.files`/`windows_events`/`journald` → each collect_list entry's log
/// group (`log_group_name`; for files, default the file path without its extension by Go's
/// filepath.Ext, plugins/inputs/logfile/fileconfig.go; publish_multi_logs and wildcard paths
/// name groups at run time, said), CreateLogStream → CreateLogGroup when missing →
/// PutLogEvents, and with `retention_in_days` > 0 DescribeLogGroups then PutRetentionPolicy
/// (pusher/target.go);
/// `traces.traces_collected.xray`/`otlp` → PutTraceSegments and PutTelemetryRecords (telemetry
/// on), and the xray receiver's proxy on port 2000 relays the SDKs' sampling calls with the
/// agent's credentials; `logs.metrics_collected.ecs` → the instance metrics below;
/// `metrics.append_dimensions` → the ec2tagger reads the EC2 instance (DescribeTags for
/// AutoScalingGroupName; no instance on Fargate or ECS Anywhere: said). Strings are read as
/// written (`${aws:InstanceId}` is the agent's, not a template's); the strings a grant uses are
/// filled from the template's variables. A `credentials.role_arn` (the section's, else
/// `agent`'s) makes the agent assume that role for the section (cfg/aws/credentials.go): the task role then needs sts:AssumeRole on it and the
/// section's calls belong to that role. Not planned, said with what they call: `emf` (its log
/// groups come from each payload at run time), `prometheus`, Application Signals (AWS
/// documents CloudWatchAgentServerPolicy for it, and what the agent calls for it changes with
/// its version: OTLP logs and metrics since mid-2026), `opentelemetry`. AWS's own templates
/// attach CloudWatchAgentServerPolicy ("*" resources); this plans the calls.
pub mod cloudwatch_agent {
    use super::Rule;
    pub const IMAGE: &str = "cloudwatch-agent";
    pub const CONFIG_DIR: &str = "/etc/cwagentconfig";
    pub const CONFIG_CONTENT: &str = "CW_CONFIG_CONTENT";
    /// An OpenTelemetry collector configuration the agent merges with its own (merge.go).
    pub const OTEL_CONFIG_CONTENT: &str = "CW_OTEL_CONFIG_CONTENT";
    pub const USE_DEFAULT_CONFIG: &str = "USE_DEFAULT_CONFIG";
    /// The value that selects the ECS default (compared exactly; "true" selects another).
    pub const DEFAULT_ECS: &str = "True";
    /// `{ClusterName}`: the agent fills it from the ECS agent's metadata, the plan's cluster.
    pub const PERFORMANCE_GROUP: &str = "/aws/ecs/containerinsights/{ClusterName}/performance";
    pub const DOC: &str = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/deploy-container-insights-ECS-instancelevel.html";
    pub const NOT_READ_FIX: &str = "grant what its sections call in app.statements: metrics (statsd, collectd) → cloudwatch:PutMetricData on \"*\" with a cloudwatch:namespace condition (default CWAgent); logs files → logs:CreateLogGroup, CreateLogStream, PutLogEvents on each log_group_name (PutRetentionPolicy and DescribeLogGroups with retention_in_days); prometheus → the same logs actions on its log_group_name, and with ecs_service_discovery ecs:ListTasks, DescribeTasks, DescribeTaskDefinition (DescribeContainerInstances and ec2:DescribeInstances for EC2 tasks); traces → xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets";
    rule!(INSTANCE_METRICS, "CloudWatchAgentInstanceMetrics", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "The CloudWatch agent's default ECS configuration writes Container Insights' instance metrics as embedded-metric-format logs to this log group, creating the group and its stream when missing.",
        DOC);
    rule!(INSTANCE, "CloudWatchAgentContainerInstance", ["ec2:DescribeTags", "ec2:DescribeVolumes"],
        "The CloudWatch agent looks up the container instance's Auto Scaling group (its tags) and EBS volumes for the instance metrics; both actions take \"*\" only.",
        DOC);

    /// The agent's configuration file reference (every section and key below).
    pub const DOC_CONFIG: &str = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html";
    /// `metrics.namespace` when the configuration does not set it.
    pub const DEFAULT_NAMESPACE: &str = "CWAgent";
    /// The configuration's top-level sections (schema.json); the agent ignores any other key.
    pub const SECTIONS: &[&str] = &["agent", "metrics", "logs", "traces", "opentelemetry"];
    /// What the sections the plan does not read call (said with each).
    pub const EMF_FIX: &str = "the application's EMF payloads name their log groups (LogGroupName; the EMF libraries default to <service>-metrics, the agent to emf/logs/default): grant logs:CreateLogGroup, CreateLogStream, PutLogEvents on those groups in app.statements";
    pub const PROMETHEUS_FIX: &str = "grant logs:CreateLogGroup, CreateLogStream, PutLogEvents on its log_group_name (default /aws/ecs/containerinsights/<cluster>/prometheus), and with ecs_service_discovery ecs:ListTasks, DescribeTasks, DescribeTaskDefinition (DescribeContainerInstances and ec2:DescribeInstances for EC2 tasks; ListServices and DescribeServices with service_name_list_for_tasks), in app.statements";
    pub const AMP_FIX: &str = "grant aps:RemoteWrite on the workspace in app.statements";
    pub const RUN_TIME_GROUPS_FIX: &str = "give it one log_group_name, or grant logs:CreateLogGroup, CreateLogStream, PutLogEvents on the groups its files make in app.statements";
    /// The `logs.logs_collected` collectors that name a log group per collect_list entry (only
    /// `files` has a `file_path` to default it from).
    pub const LOG_COLLECTORS: &[&str] = &["files", "windows_events", "journald"];
    pub const APPLICATION_SIGNALS_FIX: &str = "AWS documents CloudWatchAgentServerPolicy on the task role for Application Signals (app.managedPolicies); what the agent calls for it depends on its version: logs to /aws/application-signals/data, X-Ray traces and sampling, and since mid-2026 OTLP logs and metrics";
    rule!(METRICS, "CloudWatchAgentMetrics", ["cloudwatch:PutMetricData"],
        "The CloudWatch agent's metrics section sends its metrics with PutMetricData, one namespace per request; the action takes only Resource \"*\", so the condition holds it to the configured namespace.",
        DOC_CONFIG);
    rule!(LOGS, "CloudWatchAgentLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "The CloudWatch agent's logs section writes each collected file to its log group, creating the group and its stream when missing.",
        DOC_CONFIG);
    rule!(
        LOG_RETENTION,
        "CloudWatchAgentLogRetention",
        ["logs:PutRetentionPolicy"],
        "The CloudWatch agent sets retention_in_days on these log groups.",
        DOC_CONFIG
    );
    rule!(FIND_LOG_GROUPS, "CloudWatchAgentDescribeLogGroups", ["logs:DescribeLogGroups"],
        "The CloudWatch agent reads a group's retention before it sets retention_in_days; DescribeLogGroups accepts only Resource \"*\".",
        DOC_CONFIG);
    rule!(TRACES, "CloudWatchAgentXRayTraces", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        "The CloudWatch agent's traces section sends the application's trace segments and its own telemetry to X-Ray (on \"*\" only).",
        DOC_CONFIG);
    rule!(SAMPLING, "CloudWatchAgentXRaySampling", ["xray:GetSamplingRules", "xray:GetSamplingTargets"],
        "The CloudWatch agent's X-Ray receiver relays the X-Ray SDKs' sampling calls on port 2000 with the agent's credentials (on \"*\" only).",
        DOC_CONFIG);
    /// The log group of a collected file without `log_group_name`: its path without the
    /// extension (`/var/log/app.log` → `/var/log/app`; plugins/inputs/logfile/fileconfig.go).
    /// Go's `filepath.Ext`: from the last dot of the last element, even its first character
    /// (`/var/log/.hidden` → `/var/log/`).
    pub fn group_of_file(path: &str) -> String {
        let file_at = path.rfind('/').map_or(0, |i| i + 1);
        match path[file_at..].rfind('.') {
            Some(dot) => path[..file_at + dot].to_string(),
            None => path.to_string(),
        }
    }

    /// A log group name with the agent's run-time placeholders (`{instance_id}`, `{hostname}`,
    /// `{ip_address}`, …) as `*`: the plan cannot know them.
    pub fn run_time_parts(group: &str) -> String {
        let mut out = String::with_capacity(group.len());
        let mut rest = group;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            out.push_str(&rest[..open]);
            out.push('*');
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }

    #[cfg(test)]
    #[test]
    fn log_groups_are_named_as_the_agent_names_them() {
        assert_eq!(group_of_file("/var/log/app.log"), "/var/log/app");
        assert_eq!(group_of_file("/var/log/app.2024.log"), "/var/log/app.2024");
        assert_eq!(group_of_file("/var/log.d/app"), "/var/log.d/app");
        assert_eq!(group_of_file("/var/log/.hidden"), "/var/log/");
        assert_eq!(group_of_file("app.log"), "app");
        assert_eq!(run_time_parts("/ecs/{instance_id}/app"), "/ecs/*/app");
        assert_eq!(run_time_parts("{hostname}-{ip_address}"), "*-*");
        assert_eq!(run_time_parts("/ecs/app"), "/ecs/app");
        assert_eq!(run_time_parts("/ecs/{open"), "/ecs/{open");
        assert_eq!(run_time_parts("é{x}€"), "é*€");
    }

    rule!(TAGS, "CloudWatchAgentInstanceTags", ["ec2:DescribeTags"],
        "The CloudWatch agent appends the container instance's Auto Scaling group to its metrics (append_dimensions), read from the instance's tags; DescribeTags takes only Resource \"*\".",
        DOC_CONFIG);
    rule!(ASSUME, "CloudWatchAgentAssumeRole", ["sts:AssumeRole"],
        "The CloudWatch agent's configuration names this role in credentials.role_arn: the agent assumes it and sends with its permissions.",
        DOC_CONFIG);
}

/// AWS App Mesh, discontinued: "On September 30, 2026, AWS will discontinue support for AWS App
/// Mesh. After September 30, 2026, you will no longer be able to access the AWS App Mesh console
/// or AWS App Mesh resources" (the notice on every page of its user guide, e.g. `DOC`). Its
/// Envoy sidecar needed `appmesh:StreamAggregatedResources` on the task role
/// (https://docs.aws.amazon.com/app-mesh/latest/userguide/proxy-authorization.html); with the
/// service gone that grant can serve nothing, so none is planned and the user is pointed to
/// ECS Service Connect, AWS's named successor.
pub mod app_mesh {
    /// The repository of the Envoy image AWS published for App Mesh (in its ECR accounts per
    /// Region and at `public.ecr.aws/appmesh/aws-appmesh-envoy`).
    pub const ENVOY_REPOSITORY: &str = "aws-appmesh-envoy";
    /// What makes a container App Mesh's Envoy whatever its image (a mirror, a template
    /// parameter): "The following environment variable is required for all App Mesh Envoy
    /// containers … APPMESH_RESOURCE_ARN" (image 1.15.0 and later), or the older
    /// APPMESH_VIRTUAL_NODE_NAME, which earlier images require and later ones still read
    /// (https://docs.aws.amazon.com/app-mesh/latest/userguide/envoy-config.html).
    /// `proxyConfiguration` alone is not: ECS redirects the task's traffic through whichever
    /// proxy container it names, App Mesh or not.
    pub const ENVOY_ENVIRONMENT: [&str; 2] = ["APPMESH_RESOURCE_ARN", "APPMESH_VIRTUAL_NODE_NAME"];

    /// `name` as one of [`ENVOY_ENVIRONMENT`].
    pub fn envoy_variable(name: &str) -> Option<&'static str> {
        ENVOY_ENVIRONMENT.into_iter().find(|v| *v == name)
    }
    pub const MESSAGE: &str = "is App Mesh's Envoy proxy; AWS discontinued App Mesh on 2026-09-30, so it gets no configuration and a task waiting for it to be healthy never starts. No appmesh grant is planned.";
    pub const FIX: &str = "use ECS Service Connect (serviceConnectConfiguration on the service; no sidecar) and remove this container, its dependsOn and proxyConfiguration: https://aws.amazon.com/blogs/containers/migrating-from-aws-app-mesh-to-amazon-ecs-service-connect/";
    pub const DOC: &str =
        "https://docs.aws.amazon.com/app-mesh/latest/userguide/what-is-app-mesh.html";

    #[cfg(test)]
    #[test]
    fn envoy_images_are_recognised_in_every_registry_form() {
        for yes in [
            "840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.15.1.0-prod",
            "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
            "registry.local:5000/aws-appmesh-envoy@sha256:abc",
            "aws-appmesh-envoy",
        ] {
            assert_eq!(super::image_name(yes), ENVOY_REPOSITORY, "{yes}");
        }
        for no in [
            "envoyproxy/envoy:v1.29",
            "aws-appmesh-envoy-custom:1",
            "nginx",
            "",
        ] {
            assert_ne!(super::image_name(no), ENVOY_REPOSITORY, "{no}");
        }
    }
}

/// Fluent Bit's Go `cloudwatch` output fills `$(…)` in these options per record at run time
/// (`$(ecs_cluster)`, `$(ecs_task_id)`, `$(tag)`, any record key): the grant must cover every
/// value. The C `cloudwatch_logs` output takes names literally and templates only through
/// `log_group_template`/`log_stream_template` (FLUENT_BIT_CLOUDWATCH_LOGS).
pub const FLUENT_BIT_RUNTIME_TEMPLATED: (&str, &[&str], &str) = (
    "cloudwatch",
    &["log_group_name", "log_stream_name"],
    "https://github.com/aws/amazon-cloudwatch-logs-for-fluent-bit#templating-log-group-and-stream-names",
);
pub const FLUENT_BIT_CLOUDWATCH_LOGS: &str =
    "https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch";

/// S3 bucket names no account can own or that only AWS's documentation uses. Files copied from
/// the docs keep them (the FireLens guide's `yourbucket`, `your-bucket`, `xxxxxxxxxx`): the grant
/// then names a bucket the workload does not use, and the task fails reading or writing it.
/// Warned, not refused: the grant stays narrow and names the bucket as written.
pub mod s3_bucket {
    /// "Bucket names must not start with the prefix xn--", "sthree-", "amzn-s3-demo-" (the
    /// last reserved for the docs' examples, which now name `amzn-s3-demo-bucket`).
    pub const DOC: &str =
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html";
    /// The prefixes S3 reserves, then the stand-ins of the AWS guides' examples (valid names, but
    /// no one's bucket in a real file; `DOC-EXAMPLE-BUCKET`, the older docs' example, is not a
    /// valid name at all). Matched as prefixes, case-insensitively.
    pub const STAND_INS: [&str; 7] = [
        "amzn-s3-demo-",
        "xn--",
        "sthree-",
        "yourbucket",
        "your-bucket",
        "examplebucket",
        "doc-example-bucket",
    ];

    /// Whether `bucket` starts with one of [`STAND_INS`], or is all `x` (`xxxxxxxxxx`).
    pub fn stand_in(bucket: &str) -> bool {
        let b = bucket.as_bytes();
        STAND_INS.iter().any(|p| {
            b.get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes()))
        }) || (b.len() > 2 && b.iter().all(|c| *c == b'x'))
    }

    #[cfg(test)]
    #[test]
    fn stand_ins_and_real_names() {
        for s in [
            "yourbucket",
            "your-bucket",
            "xxxxxxxxxx",
            "amzn-s3-demo-bucket",
            "amzn-s3-demo-destination-bucket",
            "DOC-EXAMPLE-BUCKET1",
            "examplebucket",
            "xn--abc",
            "sthree-x",
        ] {
            assert!(stand_in(s), "{s}");
        }
        for s in [
            "my-company-config",
            "bako-safe-env",
            "x",
            "xx-logs",
            "my-yourbucket",
            "amzn-s3-demoapp",
            "exec-audit-bucket",
        ] {
            assert!(!stand_in(s), "{s}");
        }
    }
}

/// The agent setting that decides, on EC2, whether awslogs output is shipped with the task
/// execution role (`true`) or the container instance role (`false`). Unset is read as
/// `true`: the ECS-optimized AMI's ecs-init (1.16.0-1 and later) sets it; the agent's own
/// default is `false` (its README), which only a host without ecs-init gets
/// (doc::AGENT_CONFIG; the awslogs page still tells EC2 users to give the instance role
/// the logs permissions, without naming the setting).
pub const AWSLOGS_EXECUTION_ROLE_OVERRIDE: &str = "ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE";

pub mod unsupported {
    use super::doc;
    use crate::spec::LaunchType;

    /// Network modes each launch type accepts, and the page that lists them.
    pub fn network_modes(l: LaunchType) -> (&'static [&'static str], &'static str) {
        match l {
            LaunchType::Fargate => (&["awsvpc"], doc::FARGATE_NETWORKING),
            LaunchType::External => (&["bridge", "host", "none"], doc::ANYWHERE_LIMITS),
            LaunchType::ManagedInstances => (&["awsvpc", "host"], doc::MANAGED_INSTANCES),
            LaunchType::Ec2 => (&["awsvpc", "bridge", "host", "none"], doc::TASK_NETWORKING),
        }
    }

    /// ECS's default network mode when the task definition names none.
    pub fn default_network_mode(l: LaunchType) -> &'static str {
        match l {
            LaunchType::Fargate | LaunchType::ManagedInstances => "awsvpc",
            LaunchType::Ec2 | LaunchType::External => "bridge",
        }
    }

    /// Task-definition features a launch type does not support.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Feature {
        EfsVolume,
        DockerVolume,
        EbsVolumeAtLaunch,
        FirelensConfigFromS3,
    }

    /// One "not on this launch type" fact.
    pub struct Limit {
        pub feature: Feature,
        pub launch: LaunchType,
        pub what: &'static str,
        pub fix: &'static str,
        pub doc: &'static str,
    }

    pub const LIMITS: &[Limit] = &[
        Limit {
            feature: Feature::EfsVolume,
            launch: LaunchType::External,
            what: "EFS volumes are not supported on external (ECS Anywhere) instances",
            fix: "mount the file system on the host and use a bind mount, or run on EC2/Fargate",
            doc: doc::ANYWHERE_LIMITS,
        },
        Limit {
            feature: Feature::DockerVolume,
            launch: LaunchType::Fargate,
            what: "Docker volumes are not supported on Fargate",
            fix: "use an EFS or ephemeral bind-mount volume on Fargate",
            doc: doc::FARGATE_VOLUMES,
        },
        Limit {
            feature: Feature::EbsVolumeAtLaunch,
            launch: LaunchType::External,
            what: "EBS volumes configured at launch are not supported on external instances",
            fix: "run on Fargate, EC2 or Managed Instances, or use a host bind mount",
            doc: doc::EBS_VOLUMES,
        },
        Limit {
            feature: Feature::FirelensConfigFromS3,
            launch: LaunchType::Fargate,
            what: "FireLens configuration from S3 is not supported on Fargate",
            fix:
                "use config-file-type: file with the configuration baked into the log-router image",
            doc: doc::FIRELENS,
        },
    ];

    /// The limit that forbids `feature` on `launch`, if any.
    pub fn limit(feature: Feature, launch: LaunchType) -> Option<&'static Limit> {
        LIMITS
            .iter()
            .find(|l| l.feature == feature && l.launch == launch)
    }

    /// Task-definition fields that rule launch types out (they decide the launch type of a
    /// file that does not name one, and are errors on one that does).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Blocks {
        BridgeNetwork,
        HostNetwork,
        NoNetwork,
        AwsvpcNetwork,
        PlacementConstraints,
        InferenceAccelerators,
        Gpu,
        FsxWindowsVolume,
        HostPathVolume,
    }

    /// (field, the launch types it rules out, in words, the page that says so).
    #[rustfmt::skip]
    pub const BLOCKERS: &[(Blocks, &[LaunchType], &str, &str)] = &[
        // Fargate: awsvpc only; Anywhere: no awsvpc; Managed Instances: awsvpc or host.
        (Blocks::BridgeNetwork, &[LaunchType::Fargate, LaunchType::ManagedInstances], "network mode bridge", doc::TASK_NETWORKING),
        (Blocks::NoNetwork, &[LaunchType::Fargate, LaunchType::ManagedInstances], "network mode none", doc::TASK_NETWORKING),
        (Blocks::HostNetwork, &[LaunchType::Fargate], "network mode host", doc::FARGATE_NETWORKING),
        (Blocks::AwsvpcNetwork, &[LaunchType::External], "network mode awsvpc", doc::ANYWHERE_LIMITS),
        // "The following task definition parameters are not valid in Fargate tasks: … gpu …
        // placementConstraints …" (FARGATE_TASK_DEFINITIONS).
        (Blocks::PlacementConstraints, &[LaunchType::Fargate], "placement constraints", doc::FARGATE_TASK_DEFINITIONS),
        (Blocks::Gpu, &[LaunchType::Fargate], "GPU resource requirements", doc::FARGATE_TASK_DEFINITIONS),
        // Elastic Inference: EC2 only (and retired by AWS since April 2024).
        (Blocks::InferenceAccelerators, &[LaunchType::Fargate, LaunchType::External, LaunchType::ManagedInstances], "Elastic Inference accelerators", doc::FARGATE_TASK_DEFINITIONS),
        // The FSx page documents these volumes for Windows container instances on EC2; Fargate
        // support is an open roadmap request (aws/containers-roadmap#1654). Managed Instances:
        // AWS does not say; not ruled out here.
        (Blocks::FsxWindowsVolume, &[LaunchType::Fargate, LaunchType::External], "FSx for Windows File Server volumes", doc::FSX_WINDOWS),
        // "Fargate tasks only support bind mount host volumes" without a sourcePath.
        (Blocks::HostPathVolume, &[LaunchType::Fargate], "bind mounts from a host path (host.sourcePath)", doc::FARGATE_TASK_DEFINITIONS),
    ];

    impl Blocks {
        /// Network modes are checked against `network_modes` on their own.
        pub fn is_network_mode(self) -> bool {
            matches!(
                self,
                Blocks::BridgeNetwork
                    | Blocks::HostNetwork
                    | Blocks::NoNetwork
                    | Blocks::AwsvpcNetwork
            )
        }
        pub fn describe(self) -> &'static str {
            BLOCKERS.iter().find(|b| b.0 == self).map_or("", |b| b.2)
        }
        pub fn doc(self) -> &'static str {
            BLOCKERS.iter().find(|b| b.0 == self).map_or("", |b| b.3)
        }
    }

    /// The launch types `what` rules out.
    pub fn blocked(what: Blocks) -> &'static [LaunchType] {
        BLOCKERS.iter().find(|b| b.0 == what).map_or(&[], |b| b.1)
    }

    /// On EC2 alone, a task without an execution role has its images pulled and its awslogs
    /// shipped by the container-instance role; every other launch type needs the execution
    /// role for both (doc::EXECUTION_ROLE, "common use cases").
    pub fn instance_role_pulls(l: LaunchType) -> bool {
        l == LaunchType::Ec2
    }
}
