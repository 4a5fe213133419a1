//! The subset of an ECS task definition that decides IAM, read exactly as
//! `aws ecs describe-task-definition` prints it (camelCase). Unknown fields are ignored on
//! purpose: users paste whole task definitions and only these fields matter for roles.
//!
//! Reference: <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html>

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Free-form option maps (`logConfiguration.options`, `firelensConfiguration.options`).
/// ECS wants strings, but YAML writers often put `true` or numbers: accept any scalar.
pub type Options = BTreeMap<String, serde_json::Value>;

/// Reads an option as a string, whatever scalar type it was written with.
/// Borrowed when it is a string (almost always: no allocation per option read).
pub fn option_str<'o>(options: &'o Options, key: &str) -> Option<Cow<'o, str>> {
    match options.get(key)? {
        serde_json::Value::String(s) => Some(Cow::Borrowed(s)),
        serde_json::Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        serde_json::Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// [`option_str`] as Fluent Bit reads its output options: the key case-insensitively
/// (`AWS_Auth`, `Aws_Auth` and `aws_auth` are one option).
pub fn option_ci<'o>(options: &'o Options, key: &str) -> Option<Cow<'o, str>> {
    option_str(options, option_key(options, key))
}

/// How the document spells the option `key` (compared case-insensitively), for finding paths;
/// `key` itself when the option is absent.
pub fn option_key<'a>(options: &'a Options, key: &'a str) -> &'a str {
    options
        .keys()
        .find(|k| k.eq_ignore_ascii_case(key))
        .map_or(key, String::as_str)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinition {
    /// The `describe-task-definition` wrapper: `{"taskDefinition": {...}}`. Unwrapped by
    /// [`TaskDefinition::normalized`]; never set after input parsing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub task_definition: Option<Box<TaskDefinition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Only in `describe-task-definition` output: says the region and account it was registered in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    /// `awsvpc`, `bridge`, `host` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_compatibilities: Vec<String>,
    /// What ECS validated the task definition for (only in `describe-task-definition` output).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compatibilities: Vec<String>,
    /// `operatingSystemFamily` (`LINUX`, `WINDOWS_SERVER_2022_CORE`…) and `cpuArchitecture`.
    /// Kept as written (a typed struct per rarely read field costs the calculator's download).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_platform: Option<serde_json::Value>,
    /// Placement constraints: EC2 (and External) only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placement_constraints: Vec<serde_json::Value>,
    /// Elastic Inference accelerators (EC2 only; retired by AWS in 2024).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inference_accelerators: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub container_definitions: Vec<ContainerDefinition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
}

impl TaskDefinition {
    /// Unwraps `{"taskDefinition": {...}}` (possibly nested by mistake) into the task definition.
    pub fn normalized(mut self) -> TaskDefinition {
        while let Some(inner) = self.task_definition.take() {
            self = *inner;
        }
        // Only the ADOT collector's command is read: the others are not kept (they may hold
        // secrets, and the spec carries only what decides a role).
        #[cfg(feature = "templates")]
        for c in &mut self.container_definitions {
            if crate::rules::image_name(&c.image) != crate::rules::adot::IMAGE {
                c.command = serde_json::Value::Null;
            }
        }
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ContainerDefinition {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_credentials: Option<RepositoryCredentials>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment_files: Vec<EnvironmentFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_configuration: Option<LogConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firelens_configuration: Option<FirelensConfiguration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mount_points: Vec<MountPoint>,
    /// gMSA: `credentialspec:<ARN>` or `credentialspecdomainless:<ARN>`, the CredSpec in S3 or
    /// SSM, which the agent reads with the execution role. Values, not strings: an entry
    /// the reader cannot resolve is reported, not a parse failure of the whole file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<String>"))]
    pub credential_specs: Vec<serde_json::Value>,
    /// Only its `credentialspec:` entries are read (Windows gMSA, the older form).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<String>"))]
    pub docker_security_options: Vec<serde_json::Value>,
    /// `{"type": "GPU" | "InferenceAccelerator", "value": …}` entries (decide the launch type).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_requirements: Vec<serde_json::Value>,
    /// Read for `valueFrom` written here by mistake (it belongs in `secrets`: an environment
    /// entry is a KeyValuePair of name and value only) and for the few variables a rule reads
    /// ([`crate::rules::environment_read`]); only those are written back (an EcsRoleSet plans
    /// as its file did, without carrying the rest).
    #[serde(
        default,
        skip_serializing_if = "no_environment_read",
        serialize_with = "environment_read"
    )]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<serde_json::Value>"))]
    pub environment: Vec<serde_json::Value>,
    /// The ADOT collector's arguments (its `--config` files: [`crate::rules::adot`]); kept
    /// for that image only ([`TaskDefinition::normalized`]), so no other container's command
    /// reaches an EcsRoleSet. Any value: one that is not a list of strings (a CloudFormation
    /// `!Ref` read as a string) is reported by the planner, not a parse failure. Not in the
    /// calculator's plain module, which hands the collector to the full one (normalize).
    #[cfg(feature = "templates")]
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Vec<String>>"))]
    pub command: serde_json::Value,
}

/// An environment entry a rule reads: its name, and its value when a rule reads that too.
fn read_entry(e: &serde_json::Value) -> Option<serde_json::Value> {
    let name = e.get("name")?.as_str()?;
    if crate::rules::environment_read(name)? {
        return Some(e.clone());
    }
    Some(serde_json::json!({ "name": name }))
}

fn no_environment_read(env: &[serde_json::Value]) -> bool {
    !env.iter().any(|e| {
        let name = e.get("name").and_then(serde_json::Value::as_str);
        name.and_then(crate::rules::environment_read).is_some()
    })
}

fn environment_read<S: serde::Serializer>(
    env: &[serde_json::Value],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(env.iter().filter_map(read_entry))
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RepositoryCredentials {
    /// Secrets Manager ARN (or name) holding the registry's `username`/`password`.
    #[serde(default)]
    pub credentials_parameter: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    #[serde(default)]
    pub name: String,
    /// Secrets Manager ARN (with optional `:json-key:stage:version`), SSM parameter ARN or name.
    #[serde(default)]
    pub value_from: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentFile {
    /// `arn:aws:s3:::bucket/key.env`
    #[serde(default)]
    pub value: String,
    #[serde(default, rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LogConfiguration {
    #[serde(default)]
    pub log_driver: String,
    /// Written back with a Fluentd output's `aws_sec_key` as "…" (its presence decides the
    /// plan, its value must not reach an EcsRoleSet).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "templates", serde(serialize_with = "redacted_options"))]
    pub options: Options,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_options: Vec<Secret>,
}

/// Log options with a static secret key's value replaced by "…" (`rules::FLUENTD_STATIC_KEY`).
#[cfg(feature = "templates")]
fn redacted_options<S: serde::Serializer>(options: &Options, s: S) -> Result<S::Ok, S::Error> {
    let redacted = serde_json::Value::from("…");
    s.collect_map(options.iter().map(|(k, v)| {
        let secret = k.eq_ignore_ascii_case(crate::rules::FLUENTD_SECRET_KEY);
        (k, if secret { &redacted } else { v })
    }))
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FirelensConfiguration {
    /// `fluentbit` or `fluentd`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// `config-file-type` (`s3` | `file`) and `config-file-value`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: Options,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MountPoint {
    #[serde(default)]
    pub source_volume: String,
    #[serde(default)]
    pub container_path: String,
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efs_volume_configuration: Option<EfsVolumeConfiguration>,
    /// EBS volumes supplied at launch (by the service's `volumeConfigurations`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub configured_at_launch: bool,
    /// Docker volume plugins: EC2 and External only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_volume_configuration: Option<serde_json::Value>,
    /// FSx for Windows File Server: EC2 Windows only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fsx_windows_file_server_volume_configuration: Option<serde_json::Value>,
    /// Bind mount from a host path (`{"sourcePath": …}`): not on Fargate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EfsVolumeConfiguration {
    #[serde(default)]
    pub file_system_id: String,
    /// `ENABLED` | `DISABLED`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_encryption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_config: Option<EfsAuthorizationConfig>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EfsAuthorizationConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_point_id: Option<String>,
    /// `ENABLED` | `DISABLED`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam: Option<String>,
}
