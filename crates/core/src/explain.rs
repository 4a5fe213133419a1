//! `ecsroles explain`: a stopped task's reason, a service event or an AccessDenied text → what
//! it means, which role lacks what, and — given the workload's plan — whether the plan grants
//! it (the deployed role differs from it) or not (the workload does not say it needs it).
//!
//! The error shapes are one table ([`SHAPES`]), most specific first, each naming where its
//! text was seen; `tests/explain/messages.yaml` holds those texts verbatim and the tests run
//! every one through [`explain`]. Pure: no I/O, no regular expressions (the calculator may
//! carry it one day).

use serde::Serialize;

use crate::model::{RoleKind, RolePlan};
use crate::policy::Statement;

/// Who must change for the error to go away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Who {
    /// A role of the workload.
    Role(RoleKind),
    /// The role the message names (`assumed-role/<name>/…`): found in the plan by name.
    NamedRole,
    /// Whoever calls ECS (a user, a pipeline, a launcher): iam:PassRole and the like.
    Caller,
    /// Not IAM at all: the network, the image, the configuration.
    NotIam,
}

/// One error shape: how to recognise it and what it means.
#[derive(Debug)]
pub struct Shape {
    pub id: &'static str,
    pub title: &'static str,
    /// Every group has at least one of its strings in the message (lower-case; the message
    /// is compared lower-cased).
    pub when: &'static [&'static [&'static str]],
    pub who: Who,
    /// What happened, in words.
    pub cause: &'static str,
    /// What to change.
    pub fix: &'static str,
    /// The AWS page that says so.
    pub doc: &'static str,
    /// Where this message was seen (`tests/explain/messages.yaml` has it verbatim).
    pub seen: &'static str,
    /// What ECS (or IAM) prints when the grant is missing, as in the texts seen, for the
    /// audit to quote: `{principal}`, `{action}` and `{resource}` are filled in from the
    /// missing grant, `{because}` with IAM's reason (no policy allows it, or an explicit deny),
    /// `…` stands for what the grant does not tell (a task ID, an image reference). A test
    /// matches each against the verbatim messages of its shape.
    pub prints: Option<&'static str>,
    /// The calls (lower-case) whose refusal prints that text; empty: any call the shape's
    /// `when` names. The manifest's 403 is BatchGetImage's, not the layer download's; the
    /// awslogs text is CreateLogStream's (the driver's first call).
    pub prints_for: &'static [&'static str],
}

use RoleKind::*;
use Who::*;

const DENIED: &[&str] = &["not authorized", "accessdenied", "access denied"];
/// The ECS agent fetching a task's secrets at launch (not the application's own calls).
const AT_LAUNCH: &[&str] = &[
    "unable to pull secrets",
    "fetching secret data from ssm",
    "asm fetching secret",
    "unable to retrieve secret",
];

/// The shapes, most specific first: the first that matches explains the message.
pub const SHAPES: &[Shape] = &[
    // ---- Not IAM first: a timeout inside a secrets or pull error is the network's.
    Shape {
        id: "network-timeout",
        title: "A network problem, not a permission",
        when: &[&["i/o timeout", "context deadline", "dial tcp", "requestcanceled", "send request failed", "connection issue between the task"]],
        who: NotIam,
        cause: "The task's network could not reach the AWS endpoint (Secrets Manager, SSM, ECR, CloudWatch Logs…) or the registry in time: no IAM policy change fixes this.",
        fix: "Give the task a path to the endpoint: a public IP (assignPublicIp ENABLED) in a public subnet, a NAT gateway, or VPC interface endpoints (and the S3 gateway endpoint for ECR layers); check that security groups and NACLs allow HTTPS out.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html",
        seen: "https://github.com/Releem/releem-agent/issues/195",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "log-group-missing",
        title: "The awslogs log group does not exist",
        when: &[&["log group does not exist"]],
        who: NotIam,
        cause: "The awslogs driver writes to a log group nobody created: a missing group, not a denied call.",
        fix: "Create the log group (aws logs create-log-group), or set the log option awslogs-create-group to true and allow logs:CreateLogGroup on it to the role that writes the logs.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",
        seen: "https://github.com/cn-terraform/terraform-aws-ecs-fargate-task-definition/issues/1",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "pull-through-cache-upstream",
        title: "The pull through cache could not log in upstream",
        when: &[&["authentication to the upstream registry failed"]],
        who: NotIam,
        cause: "ECR reached the upstream registry of the pull through cache rule with the credentials the rule names, and the upstream refused them: not the pulling role's permissions.",
        fix: "Update the Secrets Manager secret the pull through cache rule uses (ecr:UpdatePullThroughCacheRule or the secret itself) with valid upstream credentials.",
        doc: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html",
        seen: "https://github.com/aws/containers-roadmap/issues/2354",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "efs-path-missing",
        title: "The EFS path does not exist",
        when: &[&["efs"], &["no such file or directory"]],
        who: NotIam,
        cause: "The file system answered, but the directory to mount (rootDirectory or the access point's path) does not exist: not a permission.",
        fix: "Create the directory on the file system, or use an access point with a creation info so EFS creates its root directory.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html",
        seen: "https://github.com/acp-io/terraform-grafana/issues/4",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "fsx-credentials-parameter-invalid",
        title: "The FSx volume's credentialsParameter is not a secret or parameter ARN",
        when: &[&["unsupported credentialsparameter"]],
        who: NotIam,
        cause: "authorizationConfig.credentialsParameter names something other than a Secrets Manager secret or an SSM parameter ARN.",
        fix: "Set credentialsParameter to the ARN of the secret (or SSM parameter) holding the domain user's credentials.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/wfsx-volumes.html",
        seen: "https://github.com/aws/amazon-ecs-agent/blob/master/agent/taskresource/fsxwindowsfileserver/fsxwindowsfileserver_windows.go",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "service-linked-role-missing",
        title: "The ECS service-linked role is missing",
        when: &[&["service linked role"]],
        who: Role(ServiceLinked),
        cause: "ECS needs AWSServiceRoleForECS for awsvpc networking, load balancers and capacity, and the account does not have it yet.",
        fix: "aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com (once per account), then retry.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html",
        seen: "https://github.com/awslabs/fargatecli/issues/35",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "cannot-assume-infrastructure-role",
        title: "ECS could not assume the service's infrastructure role",
        when: &[&["unable to assume the configured ecs infrastructure role"]],
        who: Role(VolumeInfrastructure),
        cause: "The infrastructure role the service names (for EBS volumes here) does not trust ecs.amazonaws.com, or does not exist.",
        fix: "Give the role a trust policy naming ecs.amazonaws.com (the plan's volumeInfrastructure role has it), and let the caller pass it with iam:PassedToService ecs.amazonaws.com.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html",
        seen: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/troubleshoot-ebs-volumes-scenarios.html",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "cannot-assume-role",
        title: "ECS could not assume the role the task or service names",
        when: &[&["unable to assume the role"]],
        who: NamedRole,
        cause: "The role's trust policy does not let ECS assume it: a wrong principal (ecs-tasks.amazonaws.com for task and execution roles), confused-deputy conditions naming another account or region, or a role that does not exist (yet).",
        fix: "Check the role exists and its trust policy names the right service principal, with aws:SourceAccount / aws:SourceArn values of this account and region (the plan shows the trust each role needs).",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
        seen: "https://github.com/aws-samples/aws-modern-application-workshop/issues/88",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "pass-role-denied",
        title: "The caller may not pass the role",
        when: &[&["iam:passrole"], DENIED],
        who: Caller,
        cause: "Whoever registers the task definition, creates the service or runs the task (a user, a pipeline, a Lambda function, an EventBridge rule, a schedule, a state machine) passes its roles to ECS, and its own policy does not allow iam:PassRole on this one.",
        fix: "Allow iam:PassRole on exactly this role, with iam:PassedToService ecs-tasks.amazonaws.com (task and execution roles) or ecs.amazonaws.com (service and infrastructure roles), in the caller's policy (the plan's companions.passRolePolicy; its launcher roles carry their own).",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        seen: "https://github.com/serverless-operations/serverless-step-functions/pull/189",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "kms-denied-at-launch",
        title: "The execution role may not decrypt the task's secret",
        when: &[&["access to kms is not allowed", "ciphertext refers to a customer master key", "kms:decrypt"], AT_LAUNCH],
        who: Role(TaskExecution),
        cause: "The secret or SecureString parameter is encrypted with a customer managed key, and the execution role (or the key policy) does not allow kms:Decrypt with it.",
        fix: "Allow kms:Decrypt on exactly that key in the execution role (the plan's keys[] binding does, with kms:ViaService), and check that the key policy lets the role — or delegates to IAM in its account.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html",
        seen: "https://github.com/GiamPy5/terraform-aws-directus/issues/10",
        prints: Some("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret… AccessDeniedException: Access to KMS is not allowed"),
        prints_for: &[],
    },
    Shape {
        id: "secrets-manager-denied",
        title: "The execution role may not read the secret",
        when: &[&["secretsmanager:getsecretvalue"], DENIED, AT_LAUNCH],
        who: Role(TaskExecution),
        cause: "ECS fetches the task's Secrets Manager secrets (and private registry credentials) with the task execution role before any container starts, and that role is not allowed this secret.",
        fix: "Allow secretsmanager:GetSecretValue on exactly this secret (its full ARN, or name-?????? for its random suffix) in the execution role; a customer managed key also needs kms:Decrypt.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html",
        seen: "https://github.com/bookmd/mcp-gateway/blob/main/DEPLOYMENT_ISSUES.md",
        prints: Some("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret {resource} from secrets manager: AccessDeniedException: User: {principal} is not authorized to perform: {action} on resource: {resource}{because}"),
        prints_for: &[],
    },
    Shape {
        id: "ssm-parameters-denied",
        title: "The execution role may not read the parameter",
        when: &[&["ssm:getparameters"], DENIED, &["unable to retrieve secrets from ssm", "fetching secret data from ssm"]],
        who: Role(TaskExecution),
        cause: "ECS fetches the task's Parameter Store parameters with the task execution role at launch, and that role is not allowed this parameter.",
        fix: "Allow ssm:GetParameters on exactly this parameter in the execution role; a SecureString under a customer managed key also needs kms:Decrypt.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html",
        seen: "https://github.com/aws/copilot-cli/issues/4504",
        prints: Some("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: {principal} is not authorized to perform: {action} on resource: {resource}{because}"),
        prints_for: &[],
    },
    Shape {
        id: "ecr-auth-denied",
        title: "The pulling role may not log in to ECR",
        when: &[&["ecr:getauthorizationtoken"], DENIED],
        who: Role(TaskExecution),
        cause: "Before pulling from private ECR the agent trades ecr:GetAuthorizationToken for a registry login, and the pulling role (the execution role; the instance role on EC2 tasks without one) lacks it.",
        fix: "Allow ecr:GetAuthorizationToken (Resource \"*\": it takes no other) in the execution role, or the container instance role on EC2 tasks without one.",
        doc: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html",
        seen: "https://github.com/seekatekode/aws-bootcamp-cruddur-2024/blob/main/journal/week6.md",
        prints: Some("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 1 time(s): AccessDeniedException: User: {principal} is not authorized to perform: {action} on resource: {resource}{because}"),
        prints_for: &[],
    },
    Shape {
        id: "ecr-pull-denied",
        title: "The pulling role may not pull the image",
        when: &[&["cannotpullcontainer"], &["403", "forbidden", "ecr:batchgetimage", "ecr:getdownloadurlforlayer", "accessdenied"]],
        who: Role(TaskExecution),
        cause: "The registry refused the pull: for private ECR the pulling role needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository, and another account's repository must also allow it in its repository policy.",
        fix: "Allow ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer and ecr:BatchGetImage on exactly the image's repository in the execution role (the instance role on EC2 without one); across accounts, the repository policy too.",
        doc: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html",
        seen: "https://github.com/aws-samples/bedrock-access-gateway/issues/114",
        prints: Some("CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref …: pulling from host … failed with status code [manifests …]: 403 Forbidden"),
        prints_for: &["ecr:batchgetimage"],
    },
    Shape {
        id: "awslogs-denied",
        title: "The role may not write the awslogs stream",
        when: &[&["logs:createlogstream", "logs:putlogevents", "logs:createloggroup", "failed to create cloudwatch log"], DENIED],
        who: Role(TaskExecution),
        cause: "The awslogs driver creates the container's log stream (and, with awslogs-create-group, the group) and writes to it with the execution role — the instance role on EC2 tasks without one — and the role is not allowed this log group.",
        fix: "Allow logs:CreateLogStream and logs:PutLogEvents on arn:…:log-group:<group>:* (and logs:CreateLogGroup when awslogs-create-group is true) in that role.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",
        seen: "https://github.com/terraform-aws-modules/terraform-aws-ecs/pull/112",
        prints: Some("ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: {principal} is not authorized to perform: logs:CreateLogStream on resource: {resource}{because}"),
        prints_for: &["logs:createlogstream"],
    },
    Shape {
        id: "instance-registration",
        title: "The container instance may not register with the cluster",
        when: &[&["registercontainerinstance", "unable to register as a container instance", "discoverpollendpoint"]],
        who: Role(ContainerInstance),
        cause: "The ECS agent on the instance registers with the cluster and polls for work with the container instance role (the instance profile; ECS Anywhere: the SSM activation's role), and that role lacks the agent's calls on this cluster.",
        fix: "Give the instance the container instance role: ecs:RegisterContainerInstance, ecs:DiscoverPollEndpoint, ecs:Poll and the Submit* calls on this cluster (the plan's containerInstance role; ECS Anywhere: the role of the SSM activation).",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html",
        seen: "https://github.com/aws/amazon-ecs-agent/issues/3812",
        prints: Some(r#"… container instance" error="AccessDeniedException: User: {principal} is not authorized to perform: {action} on resource: {resource}{because}""#),
        prints_for: &["ecs:registercontainerinstance"],
    },
    Shape {
        id: "exec-needs-task-role",
        title: "ECS Exec needs a task role",
        when: &[&["valid taskrolearn is not being used"]],
        who: Role(Task),
        cause: "ECS Exec runs through the task role, and the task definition names none.",
        fix: "Give the task definition a task role allowing ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
        seen: "https://github.com/aws/aws-cli/issues/6242",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "exec-not-connected",
        title: "ECS Exec cannot reach the task",
        when: &[&["targetnotconnectedexception", "ssmmessages:", "createcontrolchannel"]],
        who: Role(Task),
        cause: "ECS Exec opens an SSM session through the task role: without the ssmmessages actions in it — or with enableExecuteCommand off, or no path to the SSM endpoints — the target never connects.",
        fix: "Allow ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel in the task role (Resource \"*\": they take no other), turn on enableExecuteCommand, and give the task a path to ssmmessages (NAT or VPC endpoint).",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
        seen: "https://github.com/aws/aws-cli/issues/6070",
        prints: Some("An error occurred (TargetNotConnectedException) when calling the ExecuteCommand operation: The execute command failed due to an internal error. Try again later."),
        prints_for: &[],
    },
    Shape {
        id: "gmsa-credentials",
        title: "The gMSA credential spec could not be read",
        when: &[&["credentialspec", "credential spec"]],
        who: Role(TaskExecution),
        cause: "For gMSA the agent reads the credential spec (S3 or SSM) and, domainless, the domain user's secret with the execution role; here it found no execution role credentials.",
        fix: "Give the task an execution role allowing s3:GetObject or ssm:GetParameter on exactly the credential spec, and secretsmanager:GetSecretValue (or ssm:GetParameter) on the domainless credential, plus kms:Decrypt for a customer key.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/linux-gmsa.html",
        seen: "https://github.com/aws/amazon-ecs-agent/blob/master/agent/taskresource/credentialspec/credentialspec_windows.go",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "fsx-credentials",
        title: "The FSx for Windows volume's credentials could not be read",
        when: &[&["fsxwindowsfileserver"]],
        who: Role(TaskExecution),
        cause: "The agent reads the domain user's credentials for the FSx for Windows File Server volume (credentialsParameter) with the execution role, and found no execution role credentials.",
        fix: "Give the task an execution role allowing secretsmanager:GetSecretValue (or ssm:GetParameter) on exactly the credentialsParameter, plus kms:Decrypt for a customer key.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/wfsx-volumes.html",
        seen: "https://github.com/aws/amazon-ecs-agent/blob/master/agent/taskresource/fsxwindowsfileserver/fsxwindowsfileserver_windows.go",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "efs-access-denied",
        title: "The task may not mount the EFS file system",
        when: &[&["access denied by server", "elasticfilesystem:clientmount", "elasticfilesystem:clientwrite"]],
        who: Role(Task),
        cause: "With IAM authorization the mount uses the task role: it needs elasticfilesystem:ClientMount (and ClientWrite to write) on the file system, and the file system policy must not refuse it.",
        fix: "Allow elasticfilesystem:ClientMount (+ ClientWrite, ClientRootAccess if needed) on the file system in the task role, with elasticfilesystem:AccessPointArn for the access point; check the file system policy.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html",
        seen: "https://github.com/aws-samples/aws-cdk-examples/issues/920",
        prints: Some("ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' : unsuccessful EFS utils command execution; code: 32"),
        prints_for: &["elasticfilesystem:clientmount"],
    },
    Shape {
        id: "firelens-init-s3",
        title: "FireLens could not read its configuration from S3",
        when: &[&["fluentbit init process"]],
        who: Role(Task),
        cause: "The aws-for-fluent-bit init process reads the config files named by aws_fluent_bit_init_s3_* with the task role: it needs s3:GetObject on each file and s3:GetBucketLocation on the bucket.",
        fix: "Allow s3:GetObject on exactly the config files and s3:GetBucketLocation on their bucket in the task role.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html",
        seen: "https://github.com/aws/aws-for-fluent-bit/issues/742",
        prints: None,
        prints_for: &[],
    },
    Shape {
        id: "firelens-output-denied",
        title: "FireLens may not ship the logs",
        when: &[&["[firehose", "[kinesis", "[cloudwatch", "[s3", "putrecordbatch failed"], DENIED],
        who: Role(Task),
        cause: "Fluent Bit (FireLens) sends the logs with the task role, and it lacks the output's write call on this destination.",
        fix: "Allow the output's write action (firehose:PutRecordBatch, kinesis:PutRecords, logs:PutLogEvents, s3:PutObject) on exactly this destination in the task role.",
        doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html",
        seen: "https://github.com/terraform-aws-modules/terraform-aws-ecs/issues/381",
        prints: Some("… failed with AccessDeniedException: User: {principal} is not authorized to perform: {action} on resource: {resource}{because}"),
        prints_for: &[],
    },
    // ---- Last: any AccessDenied naming a role, an action and a resource (the
    // application's own calls with the task role, or the instance role it fell back to).
    Shape {
        id: "access-denied",
        title: "A role was denied an action",
        when: &[DENIED],
        who: NamedRole,
        cause: "The role the message names made a call its policies do not allow (or an SCP, a resource policy or a permissions boundary refused it). A session named after an EC2 instance (i-…) means the application used the instance's role: the task has no task role, or the SDK did not find it.",
        fix: "Allow exactly this action on this resource in that role — for the task role, declare it in app.access (or app.statements) and plan again; for an instance session, give the task a task role.",
        doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html",
        seen: "https://github.com/hackoregon/civic-devops/issues/252",
        prints: Some("User: {principal} is not authorized to perform: {action} on resource: {resource}{because}"),
        prints_for: &[],
    },
];

/// What a message means.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// The shape's id ([`SHAPES`]).
    pub shape: &'static str,
    pub title: &'static str,
    /// `false`: no IAM change fixes it.
    pub iam: bool,
    /// The role kind that lacks something, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_kind: Option<RoleKind>,
    /// `true`: the caller (whoever calls ECS), not a role of the workload.
    pub caller: bool,
    /// The title of `role_kind` ("Task execution role"…), for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_title: Option<&'static str>,
    /// Read from the message: who was denied (`arn:…:assumed-role/<role>/<session>`)…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// …the role it names (its name)…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// …what it did…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// …and on what.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub cause: &'static str,
    pub fix: &'static str,
    pub doc: &'static str,
    pub seen: &'static str,
    /// With the workload's plan: what the plan says about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanCheck>,
}

/// The plan's view of the denied call.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanCheck {
    /// The planned role it concerns (its name or ARN), if the plan has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The plan's statement that allows the call (its Sid), if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<String>,
    /// What to do, in words.
    pub verdict: String,
    /// The statements to put in place: the granting statement as IAM spells it, or, for a
    /// trust problem, the role's planned trust policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<serde_json::Value>,
}

/// What ECS (or IAM) prints when a role of `kind` lacks `action` on `resource`, for the audit
/// to quote: the [`Shape::prints`] of the first shape of that role whose `when` names the
/// action, else IAM's own AccessDenied text. `principal` is the session's ARN
/// (`arn:…:sts::<account>:assumed-role/<role>/…`). A shape's text is quoted only for the calls
/// of [`Shape::prints_for`]: `None` for the others (the shape's title says what breaks). The
/// container-instance role gets IAM's own text for the agent's calls: with it, EC2's agent and
/// Docker word the failures otherwise than the Fargate texts seen. A resource pattern is
/// quoted with `…` for its wildcards (IAM prints the concrete ARN).
/// `refusal`: how IAM refused it, which the message's last words say.
pub fn printed(
    kind: RoleKind,
    principal: &str,
    action: &str,
    resource: &str,
    refusal: Refusal,
) -> Option<String> {
    let a = action.to_ascii_lowercase();
    let shape = SHAPES
        .iter()
        .filter(|s| s.who == Role(kind))
        .find(|s| names_action(s, &a))
        .or_else(|| SHAPES.iter().find(|s| s.id == "access-denied"))?;
    let text = shape.prints?;
    if !shape.prints_for.is_empty() && !shape.prints_for.contains(&a.as_str()) {
        return None;
    }
    let because = refusal.phrase(action);
    // IAM prints the concrete ARN: a pattern's wildcards become `…`; `*` alone is what it
    // prints for actions that take no resource.
    let mut concrete = String::with_capacity(resource.len());
    for c in resource.chars() {
        if !matches!(c, '*' | '?') || resource == "*" {
            concrete.push(c);
        } else if !concrete.ends_with('…') {
            concrete.push('…');
        }
    }
    Some(
        text.replace("{principal}", principal)
            .replace("{action}", action)
            .replace("{resource}", &concrete)
            .replace("{because}", &because),
    )
}

/// How IAM refused a call. Its AccessDenied message ends "with an explicit deny in a <type>
/// policy" or "because no <type> policy allows the <action> action"
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No identity-based policy allows it.
    NotAllowed,
    /// A Deny in an identity-based policy.
    Denied,
    /// The permissions boundary does not allow it.
    NotInBoundary,
    /// A Deny in the permissions boundary.
    DeniedByBoundary,
}

impl Refusal {
    fn phrase(self, action: &str) -> String {
        match self {
            Refusal::NotAllowed => {
                format!(" because no identity-based policy allows the {action} action")
            }
            Refusal::Denied => " with an explicit deny in an identity-based policy".into(),
            Refusal::NotInBoundary => {
                format!(" because no permissions boundary allows the {action} action")
            }
            Refusal::DeniedByBoundary => " with an explicit deny in a permissions boundary".into(),
        }
    }
}

/// `shape`'s `when` names `action` (lower-case): the action itself, its service's prefix
/// (`ssmmessages:`) or its bare name (`registercontainerinstance`).
pub fn names_action(shape: &Shape, action: &str) -> bool {
    let bare = action.split_once(':').map(|(_, n)| n);
    shape
        .when
        .iter()
        .flat_map(|g| g.iter())
        .any(|w| *w == action || (w.ends_with(':') && action.starts_with(w)) || Some(*w) == bare)
}

/// The shape `message` has, if any ([`SHAPES`] order: the first that matches).
pub fn shape_of(message: &str) -> Option<&'static Shape> {
    let m = message.to_lowercase();
    SHAPES.iter().find(|s| {
        s.when
            .iter()
            .all(|group| group.iter().any(|p| m.contains(p)))
    })
}

/// Explains `message`; with `plan` (the workload's), says whether the plan grants the denied
/// call. `None`: not a message ecsroles knows.
pub fn explain(message: &str, plan: Option<&RolePlan>) -> Option<Explanation> {
    let shape = shape_of(message)?;
    let principal = principal(message);
    let role = principal
        .as_deref()
        .and_then(role_name)
        .or_else(|| assumed_role(message).map(|(r, _)| r.to_string()))
        .or_else(|| quoted_role(message));
    let action = action(message);
    let resource = resource(message, principal.as_deref());
    let mut e = Explanation {
        shape: shape.id,
        title: shape.title,
        iam: shape.who != NotIam,
        // A session named after an EC2 instance (or an ECS Anywhere managed instance): the
        // instance's role, whatever the shape's usual role.
        role_kind: match shape.who {
            _ if shape.who != Caller
                && assumed_role(message).is_some_and(|(_, s)| instance_session(s)) =>
            {
                Some(ContainerInstance)
            }
            Role(k) => Some(k),
            _ => None,
        },
        caller: shape.who == Caller,
        role_title: None,
        principal,
        role,
        action,
        resource,
        cause: shape.cause,
        fix: shape.fix,
        doc: shape.doc,
        seen: shape.seen,
        plan: None,
    };
    if let Some(p) = plan.filter(|_| e.iam && !e.caller) {
        e.plan = Some(check(&mut e, p));
    }
    e.role_title = e.role_kind.map(RoleKind::title);
    Some(e)
}

/// What the plan says: the role the message concerns (by the name it gives, else the
/// shape's kind), and whether a planned statement allows the call.
fn check(e: &mut Explanation, plan: &RolePlan) -> PlanCheck {
    let by_name = e.role.as_deref().and_then(|n| {
        plan.roles
            .iter()
            .find(|r| r.name.as_deref() == Some(n) || r.arn.rsplit('/').next() == Some(n))
    });
    let planned = by_name.or_else(|| e.role_kind.and_then(|k| plan.role(k)));
    let Some(r) = planned else {
        let verdict = match e.role_kind {
            Some(k) => format!(
                "The plan has no {}: {}",
                k.title().to_lowercase(),
                plan.absent
                    .iter()
                    .find(|a| a.kind == k)
                    .map_or("the workload as given does not need one", |a| &*a.why)
            ),
            None => "The plan has no role by that name: the message is about a role this workload's plan does not make or use.".into(),
        };
        return PlanCheck {
            role: None,
            granted_by: None,
            verdict,
            document: None,
        };
    };
    e.role_kind = Some(r.kind);
    let role = Some(r.name.clone().unwrap_or_else(|| r.arn.clone()));
    if e.shape.starts_with("cannot-assume") {
        let verdict = match &r.trust_policy {
            Some(_) => format!(
                "Compare the role's trust policy with the one the plan gives the {}.",
                r.title.to_lowercase()
            ),
            None => format!(
                "The plan uses this role as it exists: its trust policy must let {} assume it (sts:AssumeRole).",
                r.assumed_by.join(", ")
            ),
        };
        return PlanCheck {
            role,
            granted_by: None,
            verdict,
            document: r.trust_policy.as_ref().map(|t| t.to_iam_json()),
        };
    }
    let Some(action) = e.action.clone() else {
        return PlanCheck {
            role,
            granted_by: None,
            verdict: "The message names no action: compare the role with the plan's policy for it."
                .into(),
            document: None,
        };
    };
    let resource = e.resource.clone().unwrap_or_else(|| "*".into());
    let statements = r
        .inline_policies
        .iter()
        .flat_map(|p| &p.document.statements);
    let granting = statements.clone().find(|s| allows(s, &action, &resource));
    match granting {
        Some(s) => PlanCheck {
            role,
            granted_by: Some(s.sid.to_string()),
            verdict: format!(
                "The plan allows it ({}): the deployed role differs from the plan — apply the plan's policy for the {}.",
                s.sid,
                r.title.to_lowercase()
            ),
            document: Some(s.to_iam_json()),
        },
        None if statements.clone().any(|s| s.actions.iter().any(|a| crate::guardrails::glob_match(a, &action))) => PlanCheck {
            role,
            granted_by: None,
            verdict: format!("The plan allows {action} only on what the workload names, and not on {resource}: the task uses a resource its definition does not declare (check the ARN), or the plan is missing it."),
            document: None,
        },
        None => PlanCheck {
            role,
            granted_by: None,
            verdict: format!("The plan does not allow {action} in the {} either: the workload as given does not need it. If it does, say so (for the task role, app.access) and plan again.", r.title.to_lowercase()),
            document: None,
        },
    }
}

/// The fix for an explained denial, to render in the user's format: the plan cut to the role
/// the message concerns, as the existing role it names — when the plan grants the denied call
/// (the deployed role differs from the plan). `None` otherwise: the verdict says what to do
/// (declare the call, check the ARN, or the trust policy it shows).
pub fn fix_plan(e: &Explanation, plan: &RolePlan) -> Option<RolePlan> {
    let check = e.plan.as_ref()?;
    check.granted_by.as_ref()?;
    let kind = e.role_kind?;
    let mut r = plan
        .roles
        .iter()
        .find(|r| {
            r.kind == kind && Some(r.name.clone().unwrap_or_else(|| r.arn.clone())) == check.role
        })?
        .clone();
    // The role as it exists, with the plan's own policy names (they replace the plan's earlier
    // ones); no name known, nothing to render.
    r.name = Some(e.role.clone().or(r.name.take())?);
    r.provisioning = crate::model::Provisioning::Existing;
    Some(plan.with_only(vec![r]))
}

/// Whether `s` allows `action` on `resource` (conditions assumed to hold): the audit's
/// evaluator ([`crate::evaluate`]) on the statement as IAM spells it.
pub fn allows(s: &Statement, action: &str, resource: &str) -> bool {
    use crate::evaluate::{evaluate, Decision};
    let doc = serde_json::json!({ "Statement": [s.to_iam_json()] });
    matches!(
        evaluate(&[("plan", &doc)], None, action, resource).0,
        Decision::Allowed | Decision::Conditional
    )
}

/// Characters that end a token in a message (ARNs and actions contain none of them; the
/// `<account id>`, `[role]` and `***` stand-ins people redact messages with are kept).
fn ends_token(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | ',' | ';' | ')' | '(' | '`' | '\\' | '{' | '}'
        )
}

/// The token starting at byte `at` of `s`, without a trailing full stop.
fn token_at(s: &str, at: usize) -> &str {
    let rest = &s[at..];
    let end = rest.find(ends_token).unwrap_or(rest.len());
    rest[..end].trim_end_matches('.')
}

/// The principal that was denied: the ARN after "User: " (IAM's AccessDenied text), else the
/// first `assumed-role` ARN.
fn principal(m: &str) -> Option<String> {
    if let Some(i) = m.find("User: arn:") {
        return Some(token_at(m, i + "User: ".len()).to_string());
    }
    let i = m.find(":assumed-role/")?;
    let start = m[..i].rfind("arn:")?;
    Some(token_at(m, start).to_string())
}

/// The first `assumed-role/<role>/<session>` in the message: the role and the session name
/// (read from the message itself, so a redacted account before it does not hide them).
fn assumed_role(m: &str) -> Option<(&str, &str)> {
    let (_, rest) = m.split_once(":assumed-role/")?;
    let end = rest.find(ends_token).unwrap_or(rest.len());
    let (role, session) = rest[..end].split_once('/').unwrap_or((&rest[..end], ""));
    Some((role, session.trim_end_matches('.')))
}

/// Whether a session name is an EC2 instance (`i-` + 8 or 17 hex digits) or an ECS Anywhere
/// managed instance (`mi-` + 17): the credentials of an instance's role.
fn instance_session(session: &str) -> bool {
    let hex = |h: &str, lens: &[usize]| {
        lens.contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit())
    };
    session.strip_prefix("i-").is_some_and(|h| hex(h, &[8, 17]))
        || session.strip_prefix("mi-").is_some_and(|h| hex(h, &[17]))
}

/// The role name in a principal ARN (`…:assumed-role/<name>/<session>`, `…:role/<path>/<name>`).
fn role_name(arn: &str) -> Option<String> {
    if let Some((_, rest)) = arn.split_once(":assumed-role/") {
        return rest.split('/').next().map(str::to_string);
    }
    let (_, rest) = arn.split_once(":role/")?;
    rest.rsplit('/').next().map(str::to_string)
}

/// A role ARN quoted in the message ("unable to assume the role 'arn:aws:iam::…:role/x'").
fn quoted_role(m: &str) -> Option<String> {
    m.match_indices("'arn:")
        .find_map(|(i, _)| role_name(token_at(m, i + 1)))
}

/// The denied action: after "perform: " (IAM's text), else the first `service:Action` token
/// that is not an ARN.
fn action(m: &str) -> Option<String> {
    if let Some(i) = m.find("to perform: ") {
        return Some(token_at(m, i + "to perform: ".len()).to_string());
    }
    if let Some(i) = m.find("perform ").filter(|i| m[..*i].ends_with("to ")) {
        let t = token_at(m, i + "perform ".len());
        if is_action(t) {
            return Some(t.to_string());
        }
    }
    m.split(ends_token)
        .map(|t| t.trim_end_matches(['.', ':']))
        .find(|t| is_action(t))
        .map(str::to_string)
}

/// `service:Action`: a lower-case service prefix and an action name starting upper-case.
fn is_action(t: &str) -> bool {
    let Some((svc, act)) = t.split_once(':') else {
        return false;
    };
    !svc.is_empty()
        && svc != "arn"
        && svc
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && act.starts_with(|c: char| c.is_ascii_uppercase())
        && act.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'*')
}

/// The resource: after "on resource: " (IAM's text), else the first ARN that is not the
/// principal's.
fn resource(m: &str, principal: Option<&str>) -> Option<String> {
    if let Some(i) = m.find("on resource: ") {
        return Some(token_at(m, i + "on resource: ".len()).to_string());
    }
    m.match_indices("arn:")
        .map(|(i, _)| token_at(m, i))
        .find(|a| {
            Some(*a) != principal && !a.contains(":assumed-role/") && a.matches(':').count() >= 5
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_principal_action_and_resource_from_iams_access_denied_text() {
        let m = "ResourceInitializationError: unable to pull secrets or registry auth: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/app-exec/8f2c is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf because no identity-based policy allows the secretsmanager:GetSecretValue action";
        let e = explain(m, None).expect("recognised");
        assert_eq!(e.shape, "secrets-manager-denied");
        assert_eq!(
            e.principal.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/app-exec/8f2c")
        );
        assert_eq!(e.role.as_deref(), Some("app-exec"));
        assert_eq!(e.action.as_deref(), Some("secretsmanager:GetSecretValue"));
        assert_eq!(
            e.resource.as_deref(),
            Some("arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf")
        );
    }

    #[test]
    fn every_shape_is_reachable_and_ids_are_unique() {
        for (i, s) in SHAPES.iter().enumerate() {
            assert!(SHAPES[..i].iter().all(|t| t.id != s.id), "{} twice", s.id);
            assert!(
                !s.when.is_empty() && s.when.iter().all(|g| !g.is_empty()),
                "{} matches everything",
                s.id
            );
            assert!(
                s.doc.starts_with("https://docs.aws.amazon.com/"),
                "{}",
                s.id
            );
            assert!(s.seen.starts_with("https://"), "{}", s.id);
            for p in s.when.iter().flat_map(|g| g.iter()) {
                assert_eq!(*p, p.to_lowercase(), "{}: patterns are lower-case", s.id);
            }
        }
    }

    #[test]
    fn an_unknown_message_is_not_guessed() {
        assert!(explain("Essential container in task exited", None).is_none());
    }
}
