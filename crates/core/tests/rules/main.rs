//! One focused test per rule of `rules.rs` / `plan/`, each naming the AWS page it checks.
//!
//! Where a new test goes: beside the plan module that applies the rule —
//! `execution.rs` (the task execution role: images, secrets, logs, env files, FireLens config,
//! where pulls land per launch type), `task.rs` (the task role: application access, ECS Exec,
//! EFS, FireLens outputs), `capacity.rs` (service, service-linked, container instance, Managed
//! Instances and EBS volume roles), `networking.rs` (Service Connect TLS, VPC Lattice), `deployment.rs` (blue/green: load
//! balancer infrastructure and lifecycle hook roles), `launchers.rs` (EventBridge rules, Scheduler and
//! Step Functions roles), `assemble.rs` (trust, per-role knobs, existing roles,
//! PassRole for deployers, context, limits, infeasible combinations).

mod assemble;
mod capacity;
#[path = "../common.rs"]
mod common;
mod deployment;
mod execution;
mod launchers;
mod networking;
mod task;

use common::*;
use ecsroles_core::model::{Provisioning, RoleKind::*};
use ecsroles_core::policy::{Effect, Principal};

/// A Fargate spec with the given containers (YAML list items, indented by 4) and extra spec YAML.
fn fargate(containers: &str, extra: &str) -> String {
    format!(
        "name: w\naccount: \"111122223333\"\nregion: us-east-1\ncluster: c\nlaunchType: FARGATE\ntaskDefinition:\n  family: w\n  networkMode: awsvpc\n  containerDefinitions:\n{containers}\n{extra}"
    )
}

fn with_launch(launch: &str, mode: &str, containers: &str, extra: &str) -> String {
    fargate(containers, extra)
        .replace("launchType: FARGATE", &format!("launchType: {launch}"))
        .replace("networkMode: awsvpc", &format!("networkMode: {mode}"))
}

const ECR: &str =
    "    - {name: app, image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app:1}";
const AWSLOGS: &str = "    - name: app\n      image: nginx\n      logConfiguration: {logDriver: awslogs, options: {awslogs-group: /ecs/w}}";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k1";

/// A task with one EFS volume using IAM authorization.
fn efs(read_only: bool, transit: &str) -> String {
    format!("    - name: a\n      image: nginx\n      mountPoints: [{{sourceVolume: v, containerPath: /d, readOnly: {read_only}}}]\n  volumes:\n    - name: v\n      efsVolumeConfiguration: {{fileSystemId: fs-1, transitEncryption: {transit}, authorizationConfig: {{accessPointId: fsap-1, iam: ENABLED}}}}")
}
