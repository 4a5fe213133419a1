//! AWS's own request shapes the spec embeds: `service` takes a whole `CreateService` request
//! (or a `describe-services` service), `clusterConfiguration` a whole `CreateCluster` request,
//! spelled as AWS spells them. Members that need no IAM are accepted and set aside (said in
//! an info finding); a member AWS does not have is an error naming the nearest real one, so a
//! typo never silently drops a permission.
//!
//! Member lists: botocore's ECS model (`botocore/data/ecs/2014-11-13/service-2.json`), checked
//! by `tests/aws_shapes.py` against the model on PyPI.

use serde_json::{Map, Value};

/// One AWS shape: every member AWS defines, and the ones ecsroles reads (kept for the typed spec).
pub struct Shape {
    pub name: &'static str,
    pub members: &'static [&'static str],
    pub read: &'static [&'static str],
}

/// Every member of `obj` is one of `shape`'s (or `also`): else the error names the nearest, so
/// a typo never silently drops a permission.
pub fn members_of(
    obj: &Map<String, Value>,
    shape: &Shape,
    also: &[&str],
    path: &str,
) -> Result<(), ShapeError> {
    let unknown = obj
        .keys()
        .find(|k| !shape.members.contains(&k.as_str()) && !also.contains(&k.as_str()));
    if let Some(k) = unknown {
        let near = nearest(k, shape.members.iter().chain(also.iter()).copied());
        return Err((
            format!("{path}.{k}"),
            format!(
                "{k:?} is not a member of AWS's {}{}",
                shape.name,
                near.map(|n| format!("; did you mean {n:?}?"))
                    .unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// `CreateExpressGatewayService` request members (with `taskDefinitionArn`, added in 2026:
/// "bring your own task definition"). The normaliser reads the roles and `primaryContainer`.
pub const CREATE_EXPRESS_GATEWAY_SERVICE: Shape = Shape {
    name: "CreateExpressGatewayService",
    members: &[
        "executionRoleArn",
        "infrastructureRoleArn",
        "serviceName",
        "cluster",
        "healthCheckPath",
        "primaryContainer",
        "taskRoleArn",
        "taskDefinitionArn",
        "networkConfiguration",
        "cpu",
        "memory",
        "scalingTarget",
        "tags",
    ],
    read: &[
        "executionRoleArn",
        "infrastructureRoleArn",
        "serviceName",
        "cluster",
        "primaryContainer",
        "taskRoleArn",
        "taskDefinitionArn",
        "cpu",
        "memory",
    ],
};

/// `ExpressGatewayContainer` members (`primaryContainer`).
pub const EXPRESS_GATEWAY_CONTAINER: Shape = Shape {
    name: "ExpressGatewayContainer",
    members: &[
        "image",
        "containerPort",
        "awsLogsConfiguration",
        "repositoryCredentials",
        "command",
        "environment",
        "secrets",
    ],
    read: &[
        "image",
        "awsLogsConfiguration",
        "repositoryCredentials",
        "command",
        "environment",
        "secrets",
    ],
};

/// `CreateService` request members.
pub const CREATE_SERVICE: Shape = Shape {
    name: "CreateService",
    members: &[
        "cluster",
        "serviceName",
        "taskDefinition",
        "availabilityZoneRebalancing",
        "loadBalancers",
        "serviceRegistries",
        "desiredCount",
        "clientToken",
        "launchType",
        "capacityProviderStrategy",
        "platformVersion",
        "role",
        "deploymentConfiguration",
        "placementConstraints",
        "placementStrategy",
        "networkConfiguration",
        "healthCheckGracePeriodSeconds",
        "schedulingStrategy",
        "deploymentController",
        "tags",
        "enableECSManagedTags",
        "propagateTags",
        "enableExecuteCommand",
        "serviceConnectConfiguration",
        "volumeConfigurations",
        "vpcLatticeConfigurations",
    ],
    read: &[
        "loadBalancers",
        "serviceRegistries",
        "serviceConnectConfiguration",
        "enableExecuteCommand",
        "deploymentController",
        "volumeConfigurations",
        "vpcLatticeConfigurations",
        "deploymentConfiguration",
        "role",
        "launchType",
        "cluster",
    ],
};

/// Service members `CreateService` does not have: `describe-services` output (a running
/// service pasted) and CloudFormation's `AWS::ECS::Service` extras.
pub const DESCRIBED_SERVICE: &[&str] = &[
    "serviceArn",
    "clusterArn",
    "status",
    "runningCount",
    "pendingCount",
    "platformFamily",
    "taskSets",
    "deployments",
    "roleArn",
    "events",
    "createdAt",
    "currentServiceDeployment",
    "currentServiceRevisions",
    "createdBy",
    "resourceManagementType",
    // AWS::ECS::Service only (serviceConnectConfiguration is CreateService's already)
    "forceNewDeployment",
];

pub const LOAD_BALANCER: Shape = Shape {
    name: "LoadBalancer",
    members: &[
        "targetGroupArn",
        "loadBalancerName",
        "containerName",
        "containerPort",
        "advancedConfiguration",
    ],
    read: &[
        "targetGroupArn",
        "loadBalancerName",
        "containerName",
        "containerPort",
        "advancedConfiguration",
    ],
};

pub const SERVICE_VOLUME_CONFIGURATION: Shape = Shape {
    name: "ServiceVolumeConfiguration",
    members: &["name", "managedEBSVolume"],
    read: &["name", "managedEBSVolume"],
};

pub const MANAGED_EBS_VOLUME: Shape = Shape {
    name: "ServiceManagedEBSVolumeConfiguration",
    members: &[
        "encrypted",
        "kmsKeyId",
        "volumeType",
        "sizeInGiB",
        "snapshotId",
        "volumeInitializationRate",
        "iops",
        "throughput",
        "tagSpecifications",
        "roleArn",
        "filesystemType",
    ],
    read: &[
        "encrypted",
        "kmsKeyId",
        "volumeType",
        "sizeInGiB",
        "snapshotId",
        "roleArn",
        "filesystemType",
    ],
};

/// `CreateCluster` request members; its `configuration` is read.
pub const CREATE_CLUSTER: Shape = Shape {
    name: "CreateCluster",
    members: &[
        "clusterName",
        "tags",
        "settings",
        "configuration",
        "capacityProviders",
        "defaultCapacityProviderStrategy",
        "serviceConnectDefaults",
    ],
    read: &["configuration"],
};

/// `ClusterConfiguration` (CreateCluster's `configuration`).
pub const CLUSTER_CONFIGURATION: Shape = Shape {
    name: "ClusterConfiguration",
    members: &["executeCommandConfiguration", "managedStorageConfiguration"],
    read: &["executeCommandConfiguration", "managedStorageConfiguration"],
};

/// A member that is not AWS's: `(path, message)`.
pub type ShapeError = (String, String);

/// What [`admit`] set aside.
#[derive(Debug, Default)]
pub struct SetAside {
    /// Members ecsroles does not read (their paths).
    pub members: Vec<String>,
    /// `path = ARN` of roles and keys inside them, which ecsroles does not plan yet.
    pub unplanned: Vec<String>,
    /// The service is an `UpdateService` request: it holds only what it changes.
    pub update_service: bool,
}

/// Rewrites the spec object's `service` and `clusterConfiguration` into what the typed spec
/// reads. Returns the members set aside (for an info note) or the first unknown member.
pub fn admit(spec: &mut Map<String, Value>, base: &str) -> Result<SetAside, ShapeError> {
    let mut ignored = SetAside::default();
    if let Some(Value::Object(svc)) = spec.get_mut("service") {
        // A running service says which role it has and where it runs (`clusterArn`).
        if let Some(c) = svc.remove("clusterArn") {
            if !svc.contains_key("cluster") {
                svc.insert("cluster".into(), c);
            }
        }
        // A template's `${Cluster}` / `${LaunchType}` says nothing: set aside.
        for key in ["launchType", "cluster"] {
            let templated = svc
                .get(key)
                .and_then(Value::as_str)
                .is_some_and(|v| crate::placeholder::find(v).is_some());
            if templated {
                svc.remove(key);
            }
        }
        if let Some(role) = svc.remove("roleArn") {
            // describe-services names the service-linked role there when the service has no
            // role of its own: that is not CreateService's `role`.
            let linked = role
                .as_str()
                .is_some_and(|r| r.contains(":role/aws-service-role/"));
            if !linked && !svc.contains_key("role") {
                svc.insert("role".into(), role);
            }
        }
        // FARGATE / FARGATE_SPOT capacity providers run the tasks on Fargate.
        let fargate_capacity = svc
            .get("capacityProviderStrategy")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                !a.is_empty()
                    && a.iter().all(|p| {
                        p.get("capacityProvider")
                            .and_then(Value::as_str)
                            .is_some_and(|c| c == "FARGATE" || c == "FARGATE_SPOT")
                    })
            });
        if fargate_capacity && !svc.contains_key("launchType") {
            svc.insert("launchType".into(), Value::String("FARGATE".into()));
        }
        let path = cat!(base, "service");
        let mut extra = DESCRIBED_SERVICE.to_vec();
        extra.push("roleArn");
        // An UpdateService request (`update-service --cli-input-json`) names the service it
        // changes in `service`; its other members are CreateService's
        // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html).
        if matches!(svc.get("service"), Some(Value::String(_))) {
            extra.push("service");
            ignored.update_service = true;
        }
        filter(svc, &CREATE_SERVICE, &extra, &path, &mut ignored)?;
        if let Some(Value::Array(lbs)) = svc.get_mut("loadBalancers") {
            for (i, lb) in lbs.iter_mut().enumerate() {
                if let Value::Object(lb) = lb {
                    filter(
                        lb,
                        &LOAD_BALANCER,
                        &[],
                        &format!("{path}.loadBalancers[{i}]"),
                        &mut ignored,
                    )?;
                }
            }
        }
        if let Some(Value::Array(vols)) = svc.get_mut("volumeConfigurations") {
            for (i, v) in vols.iter_mut().enumerate() {
                let Value::Object(v) = v else { continue };
                let vpath = format!("{path}.volumeConfigurations[{i}]");
                filter(v, &SERVICE_VOLUME_CONFIGURATION, &[], &vpath, &mut ignored)?;
                if let Some(Value::Object(ebs)) = v.get_mut("managedEBSVolume") {
                    // ecsroles' own earlier spelling is still read.
                    if let Some(fs) = ebs.remove("fileSystemType") {
                        if !ebs.contains_key("filesystemType") {
                            ebs.insert("filesystemType".into(), fs);
                        }
                    }
                    filter(
                        ebs,
                        &MANAGED_EBS_VOLUME,
                        &[],
                        &format!("{vpath}.managedEBSVolume"),
                        &mut ignored,
                    )?;
                }
            }
        }
    }
    if let Some(Value::Object(cc)) = spec.get_mut("clusterConfiguration") {
        let path = cat!(base, "clusterConfiguration");
        // A whole CreateCluster request: its `configuration` is what matters.
        if cc
            .keys()
            .any(|k| CREATE_CLUSTER.members.contains(&k.as_str()))
        {
            let name = cc
                .get("clusterName")
                .and_then(Value::as_str)
                .map(str::to_string);
            filter(cc, &CREATE_CLUSTER, &[], &path, &mut ignored)?;
            let inner = match cc.remove("configuration") {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            *cc = inner;
            set_default(spec, "cluster", name);
        }
        if let Some(Value::Object(cc)) = spec.get_mut("clusterConfiguration") {
            filter(cc, &CLUSTER_CONFIGURATION, &[], &path, &mut ignored)?;
        }
    }
    Ok(ignored)
}

/// Sets `key` to `value` unless the spec already has it.
fn set_default(spec: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        if !spec.contains_key(key) {
            spec.insert(key.into(), Value::String(v));
        }
    }
}

/// Keeps the members ecsroles reads; sets aside AWS's others; refuses the rest.
fn filter(
    obj: &mut Map<String, Value>,
    shape: &Shape,
    also: &[&str],
    path: &str,
    ignored: &mut SetAside,
) -> Result<(), ShapeError> {
    members_of(obj, shape, also, path)?;
    obj.retain(|k, v| {
        // A port written as text (templates quote numbers: "80") is the number; a placeholder
        // for one (`${Port}`) is set aside like an unread member: no role depends on ports.
        if k.ends_with("Port") || k == "port" {
            if let Value::String(s) = v {
                match s.trim().parse::<u32>() {
                    Ok(n) => *v = Value::from(n),
                    Err(_) => {
                        ignored.members.push(format!("{path}.{k}"));
                        return false;
                    }
                }
            }
        }
        let keep = shape.read.contains(&k.as_str());
        if !keep {
            let p = format!("{path}.{k}");
            unplanned_roles(v, &p, &mut ignored.unplanned);
            ignored.members.push(p);
        }
        keep
    });
    Ok(())
}

/// Role and key ARNs inside a member set aside (today: Fargate storage keys in a cluster's
/// `managedStorageConfiguration`): features whose infrastructure roles and key grants
/// ecsroles does not plan yet, said rather than dropped.
fn unplanned_roles(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{path}.{k}");
                match x {
                    Value::String(s)
                        if k.ends_with("roleArn")
                            || k.ends_with("RoleArn")
                            || k.ends_with("KmsKeyId")
                            || k == "kmsKeyId" =>
                    {
                        out.push(format!("{p} = {s}"));
                    }
                    _ => unplanned_roles(x, &p, out),
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                unplanned_roles(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The closest name by edit distance (case-insensitive), if it is close enough to be a typo.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    candidates
        .map(|c| (distance(&w, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(v: Value) -> (Result<SetAside, ShapeError>, Value) {
        let Value::Object(mut m) = v else {
            unreachable!()
        };
        let r = admit(&mut m, "");
        (r, Value::Object(m))
    }

    #[test]
    fn a_whole_create_service_request_is_read_and_the_rest_set_aside() {
        let (r, v) = run(json!({"service": {
            "serviceName": "web", "cluster": "arn:aws:ecs:us-east-1:111122223333:cluster/prod",
            "launchType": "FARGATE", "desiredCount": 2,
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s"]}},
            "deploymentConfiguration": {"maximumPercent": 200},
            "loadBalancers": [{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 80}],
            "volumeConfigurations": [{"name": "d", "managedEBSVolume": {"roleArn": "arn:r", "iops": 3000, "throughput": 125, "filesystemType": "xfs", "tagSpecifications": []}}],
            "enableExecuteCommand": true}}));
        let ignored = r.unwrap();
        assert!(
            ignored
                .members
                .contains(&"service.desiredCount".to_string()),
            "{ignored:?}"
        );
        assert!(ignored
            .members
            .contains(&"service.volumeConfigurations[0].managedEBSVolume.iops".to_string()));
        assert_eq!(v["service"]["launchType"], "FARGATE");
        assert_eq!(
            v["service"]["cluster"],
            "arn:aws:ecs:us-east-1:111122223333:cluster/prod"
        );
        assert_eq!(
            v["service"]["volumeConfigurations"][0]["managedEBSVolume"]["filesystemType"],
            "xfs"
        );
        assert!(v["service"].get("desiredCount").is_none());
    }

    #[test]
    fn roles_inside_set_aside_members_are_said_and_the_service_linked_role_is_no_service_role() {
        let (r, v) = run(json!({"service": {
            "roleArn": "arn:aws:iam::1:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
            "loadBalancers": [{"targetGroupArn": "arn:tg", "advancedConfiguration": {"roleArn": "arn:aws:iam::1:role/bg"}}]},
            "clusterConfiguration": {"managedStorageConfiguration": {"fargateEphemeralStorageKmsKeyId": "arn:aws:kms:us-east-1:1:key/k"}}}));
        let set_aside = r.unwrap();
        // The Fargate storage key is read now (its key-policy companion), not set aside.
        assert!(set_aside.unplanned.is_empty(), "{:?}", set_aside.unplanned);
        assert_eq!(
            v["clusterConfiguration"]["managedStorageConfiguration"]
                ["fargateEphemeralStorageKmsKeyId"],
            "arn:aws:kms:us-east-1:1:key/k"
        );
        // Blue/green's role is read now (the load balancer infrastructure role), not set aside.
        assert_eq!(
            v["service"]["loadBalancers"][0]["advancedConfiguration"]["roleArn"],
            "arn:aws:iam::1:role/bg"
        );
        assert!(v["service"].get("role").is_none());
        assert_eq!(v["service"]["launchType"], "FARGATE");
    }

    #[test]
    fn a_misspelt_member_names_the_nearest_real_one() {
        let (r, _) = run(json!({"service": {"loadBalancer": []}}));
        let (path, msg) = r.unwrap_err();
        assert_eq!(path, "service.loadBalancer");
        assert!(msg.contains("\"loadBalancers\""), "{msg}");
        let (r, _) = run(
            json!({"service": {"volumeConfigurations": [{"name": "d", "managedEBSVolume": {"throughtput": 1}}]}}),
        );
        assert!(r.unwrap_err().1.contains("\"throughput\""));
        let (r, _) = run(json!({"service": {"zzzz": 1}}));
        assert!(!r.unwrap_err().1.contains("did you mean"));
    }

    #[test]
    fn described_services_and_create_cluster_requests_are_read() {
        let (r, v) = run(json!({
            "service": {"serviceArn": "arn:s", "roleArn": "arn:aws:iam::1:role/r", "status": "ACTIVE", "events": []},
            "clusterConfiguration": {"clusterName": "prod", "settings": [], "configuration": {"executeCommandConfiguration": {"logging": "DEFAULT"}}}}));
        r.unwrap();
        assert_eq!(v["service"]["role"], "arn:aws:iam::1:role/r");
        assert_eq!(
            v["clusterConfiguration"]["executeCommandConfiguration"]["logging"],
            "DEFAULT"
        );
        assert_eq!(v["cluster"], "prod");
    }
}
