//! IAM JSON: the documents exactly as IAM takes them (`Version`/`Statement`, no explanations),
//! gathered per role in one bundle.

use serde_json::{json, Map, Value};

use crate::model::{PlannedRole, Provisioning, RolePlan};

/// One role's IAM documents.
pub fn role(r: &PlannedRole) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), r.kind.key().into());
    m.insert(
        "provisioning".into(),
        serde_json::to_value(r.provisioning).unwrap_or(Value::Null),
    );
    if let Some(n) = &r.name {
        m.insert("roleName".into(), n.clone().into());
    }
    if let Some(p) = &r.name_prefix {
        m.insert("roleNamePrefix".into(), p.clone().into());
    }
    m.insert("path".into(), r.path.clone().into());
    m.insert("arn".into(), r.arn.clone().into());
    if let Some(t) = &r.trust_policy {
        m.insert("assumeRolePolicyDocument".into(), t.to_iam_json());
    }
    let inline: Map<String, Value> = r
        .inline_policies
        .iter()
        .map(|p| (p.name.clone(), p.document.to_iam_json()))
        .collect();
    m.insert("inlinePolicies".into(), Value::Object(inline));
    m.insert(
        "managedPolicyArns".into(),
        r.managed_policies
            .iter()
            .map(|a| Value::from(a.arn.clone()))
            .collect(),
    );
    if let Some(b) = &r.permissions_boundary {
        m.insert("permissionsBoundary".into(), b.clone().into());
    }
    if let Some(d) = r.max_session_duration {
        m.insert("maxSessionDuration".into(), d.into());
    }
    if !r.tags.is_empty() {
        let tags: Vec<Value> = r
            .tags
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        m.insert("tags".into(), tags.into());
    }
    if let Some(ip) = &r.instance_profile {
        m.insert(
            "instanceProfile".into(),
            json!({"name": ip.name, "path": ip.path}),
        );
    }
    Value::Object(m)
}

/// Every role and companion document of a plan in one JSON object.
pub fn bundle(plan: &RolePlan) -> Value {
    let roles: Vec<Value> = plan
        .roles
        .iter()
        .filter(|r| r.provisioning != Provisioning::ServiceLinked)
        .map(role)
        .collect();
    let c = &plan.companions;
    let resource_policies = |v: &[crate::model::ResourcePolicy]| -> Vec<Value> {
        v.iter()
            .map(|p| json!({"resource": p.resource, "ownerAccount": p.owner_account, "policy": p.document.to_iam_json()}))
            .collect()
    };
    let mut companions = Map::new();
    companions.insert(
        "ecrRepositoryPolicies".into(),
        resource_policies(&c.ecr_repository_policies).into(),
    );
    companions.insert(
        "kmsKeyPolicyStatements".into(),
        resource_policies(&c.kms_key_policies).into(),
    );
    if let Some(p) = &c.pass_role_policy {
        companions.insert("deployerPassRolePolicy".into(), p.to_iam_json());
    }
    companions.insert(
        "serviceLinkedRole".into(),
        json!({"awsServiceName": "ecs.amazonaws.com", "roleName": c.service_linked_role.role_name}),
    );
    json!({"workload": plan.workload, "roles": roles, "companions": Value::Object(companions)})
}
