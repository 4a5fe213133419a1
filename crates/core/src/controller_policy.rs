//! The IAM policy the controller itself needs — and no more. Even with its credentials stolen, it
//! can only create roles under its path, carrying its owner tag (and the mandatory permissions
//! boundary when the platform sets one), and only change or delete roles and instance profiles
//! that carry its owner tag. `ecsroles controller-policy` prints it.
//!
//! Condition keys: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
//! Tag-based control of IAM roles: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html

use crate::policy::{add_cond, Conditions, Effect, PolicyDocument, Statement, Text};

/// An owner-tag key: `ecsroles.dev/<name>` (a macro so condition keys can be built at compile
/// time from the same text).
macro_rules! owner_tag {
    ($name:literal) => {
        concat!("ecsroles.dev/", $name)
    };
}

/// What every owner-tag key starts with; tenants may not use it for their own tags.
pub const OWNER_TAG_PREFIX: &str = owner_tag!("");
/// Every owner-tag key the controller puts on everything it creates (cluster, namespace, name,
/// uid — the controller's `iam_state::Owner` fills them in this order); it must never be able
/// to remove them.
pub const OWNER_TAGS: [&str; 4] = [
    owner_tag!("cluster"),
    owner_tag!("namespace"),
    owner_tag!("name"),
    owner_tag!("uid"),
];
/// Put on the roles of an EcsRoleSet deleted with `deletionPolicy: Retain`: released, they
/// keep their owner tags (the controller may never remove those) but no sweep of orphans may
/// delete them. Under the owner prefix, so no tenant can set it; counts against IAM's 50 tags.
pub const RETAINED_TAG: &str = owner_tag!("retained");
/// The owner tag the policy's conditions key on.
pub const CLUSTER_TAG: &str = OWNER_TAGS[0];
const REQUEST_CLUSTER_TAG: &str = concat!("aws:RequestTag/", owner_tag!("cluster"));
const RESOURCE_CLUSTER_TAG: &str = concat!("aws:ResourceTag/", owner_tag!("cluster"));

const AUTH_REF: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html";
const TAGS_DOC: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html";
const BOUNDARY_DOC: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html";

/// What the policy is scoped to (the controller's own settings).
#[derive(Debug, Clone, Default)]
pub struct ControllerPolicyParams {
    pub partition: String,
    pub account: String,
    /// IAM path of the roles it creates, e.g. `/ecsroles/`.
    pub path: String,
    pub cluster_id: String,
    /// Mandatory permissions boundary: roles can only be created with it and never lose it.
    pub boundary: Option<String>,
    /// Managed policies it may attach (ARN patterns); empty: any.
    pub allowed_managed_policies: Vec<String>,
}

fn stmt(
    sid: &'static str,
    effect: Effect,
    actions: &[&'static str],
    resources: Vec<String>,
    conditions: Conditions,
    why: &'static str,
    doc: &'static str,
) -> Statement {
    Statement {
        sid: sid.into(),
        effect,
        principal: None,
        actions: actions.iter().map(|a| Text::Borrowed(*a)).collect(),
        not_actions: vec![],
        resources,
        not_resources: vec![],
        conditions,
        why: why.into(),
        reasons: vec![],
        doc: doc.into(),
    }
}

/// Checks the parameters, with the flag to fix.
pub fn validate(p: &ControllerPolicyParams) -> Result<(), String> {
    if !crate::arn::is_account_id(&p.account) {
        return Err(format!("--account must be 12 digits, got {:?}", p.account));
    }
    if p.cluster_id.is_empty() {
        return Err("--cluster-id must not be empty".into());
    }
    if !(p.path.starts_with('/') && p.path.ends_with('/')) || p.path.contains('*') {
        return Err(format!(
            "--path {:?} must start and end with '/' (no wildcards)",
            p.path
        ));
    }
    if !crate::arn::is_partition(&p.partition) {
        return Err(format!(
            "--partition {:?} is not an AWS partition",
            p.partition
        ));
    }
    if let Some(b) = &p.boundary {
        if !b.starts_with(&format!("arn:{}:iam::", p.partition)) || !b.contains(":policy/") {
            return Err(format!("--boundary {b:?} is not a managed policy ARN"));
        }
    }
    Ok(())
}

/// The controller's identity policy.
pub fn controller_policy(p: &ControllerPolicyParams) -> Result<PolicyDocument, String> {
    validate(p)?;
    let role_arn = format!("arn:{}:iam::{}:role{}*", p.partition, p.account, p.path);
    let profile_arn = format!(
        "arn:{}:iam::{}:instance-profile{}*",
        p.partition, p.account, p.path
    );
    let cluster = p.cluster_id.as_str();
    let mut request_tag = Conditions::new();
    add_cond(
        &mut request_tag,
        "StringEquals",
        REQUEST_CLUSTER_TAG,
        &[cluster],
    );
    let mut resource_tag = Conditions::new();
    add_cond(
        &mut resource_tag,
        "StringEquals",
        RESOURCE_CLUSTER_TAG,
        &[cluster],
    );
    let mut create_role = request_tag.clone();
    if let Some(b) = &p.boundary {
        add_cond(
            &mut create_role,
            "StringEquals",
            "iam:PermissionsBoundary",
            &[b],
        );
    }

    let mut out = vec![
        stmt(
            "ReadRolesUnderPath",
            Effect::Allow,
            &[
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:ListRolePolicies",
            ],
            vec![role_arn.clone()],
            Conditions::new(),
            "Read actual state before every change, and find name collisions with roles it does not own (reading changes nothing).",
            AUTH_REF,
        ),
        // Neither action supports resource-level permissions (service authorization
        // reference: no resource types), hence `*`; both only read.
        stmt(
            "ReadRolesInBulk",
            Effect::Allow,
            &["iam:GetAccountAuthorizationDetails", "iam:ListRoles"],
            vec!["*".into()],
            Conditions::new(),
            "Periodic drift checks read every role under its path in a few paged calls instead of four or five per role (it reads the account's role details; it changes nothing).",
            AUTH_REF,
        ),
        // `*`: a list of names, paths and member roles (no tags, no documents) for the orphan
        // sweep. Whether ListInstanceProfiles honours an instance-profile ARN as its resource
        // is not clear from the pages checked, and a resource it ignores would deny the call.
        stmt(
            "ListInstanceProfiles",
            Effect::Allow,
            &["iam:ListInstanceProfiles"],
            vec!["*".into()],
            Conditions::new(),
            "The orphan sweep finds instance profiles left by deleted EcsRoleSets (it reads names only; each is then read and checked for the owner tag before anything is deleted).",
            AUTH_REF,
        ),
        stmt(
            "ReadInstanceProfilesUnderPath",
            Effect::Allow,
            &["iam:GetInstanceProfile"],
            vec![profile_arn.clone()],
            Conditions::new(),
            "Read the instance profiles of container-instance and Managed Instances node roles.",
            AUTH_REF,
        ),
        stmt(
            "CreateOnlyOwnerTaggedRoles",
            Effect::Allow,
            &["iam:CreateRole"],
            vec![role_arn.clone()],
            create_role,
            "Create roles only under its path and only carrying its owner tag (and the mandatory permissions boundary, when set): it cannot mint an untagged or unbounded role.",
            TAGS_DOC,
        ),
        // Separate from CreateRole: iam:TagRole has no iam:PermissionsBoundary key, and a
        // condition on an absent key would deny the tags CreateRole sends.
        stmt(
            "TagRolesAtCreation",
            Effect::Allow,
            &["iam:TagRole"],
            vec![role_arn.clone()],
            request_tag.clone(),
            "CreateRole with tags also needs iam:TagRole; only with its owner tag.",
            TAGS_DOC,
        ),
        stmt(
            "ChangeOnlyOwnedRoles",
            Effect::Allow,
            &[
                "iam:AttachRolePolicy",
                "iam:DeleteRole",
                "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
            ],
            vec![role_arn.clone()],
            resource_tag.clone(),
            "Change or delete only roles that carry its owner tag: a role it did not create (no tag) is out of reach.",
            TAGS_DOC,
        ),
        stmt(
            "CreateOnlyOwnerTaggedInstanceProfiles",
            Effect::Allow,
            &["iam:CreateInstanceProfile", "iam:TagInstanceProfile"],
            vec![profile_arn.clone()],
            request_tag.clone(),
            "Create instance profiles only under its path and only carrying its owner tag.",
            TAGS_DOC,
        ),
        stmt(
            "ChangeOnlyOwnedInstanceProfiles",
            Effect::Allow,
            &[
                "iam:AddRoleToInstanceProfile",
                "iam:DeleteInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
            ],
            vec![profile_arn],
            resource_tag.clone(),
            "Put its roles into, and take them out of, only the instance profiles it owns.",
            TAGS_DOC,
        ),
        stmt(
            "PassOnlyOwnedRolesToInstanceProfiles",
            Effect::Allow,
            &["iam:PassRole"],
            vec![role_arn.clone()],
            resource_tag.clone(),
            "AddRoleToInstanceProfile requires iam:PassRole on the role; only its own roles.",
            AUTH_REF,
        ),
    ];

    let mut retag = Conditions::new();
    add_cond(
        &mut retag,
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        &[CLUSTER_TAG],
    );
    add_cond(
        &mut retag,
        "StringNotEquals",
        REQUEST_CLUSTER_TAG,
        &[cluster],
    );
    out.push(stmt(
        "DenyHandingRolesToAnotherOwner",
        Effect::Deny,
        &["iam:TagRole", "iam:TagInstanceProfile"],
        vec!["*".into()],
        retag,
        "It can never re-tag a role or profile as owned by another cluster (which would move it out of, or into, someone's reach).",
        TAGS_DOC,
    ));
    let mut untag = Conditions::new();
    add_cond(
        &mut untag,
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        &OWNER_TAGS,
    );
    out.push(stmt(
        "DenyRemovingOwnerTags",
        Effect::Deny,
        &["iam:UntagRole", "iam:UntagInstanceProfile"],
        vec!["*".into()],
        untag,
        "Owner tags are what every other statement keys on; it can never remove them.",
        TAGS_DOC,
    ));

    if let Some(b) = &p.boundary {
        let mut c = Conditions::new();
        add_cond(&mut c, "StringEquals", "iam:PermissionsBoundary", &[b]);
        out.push(stmt(
            "SetOnlyTheMandatoryBoundary",
            Effect::Allow,
            &["iam:PutRolePermissionsBoundary"],
            vec![role_arn.clone()],
            c,
            "Restore the mandatory permissions boundary if someone removed it (drift) — never another one.",
            BOUNDARY_DOC,
        ));
        out.push(stmt(
            "DenyRemovingTheBoundary",
            Effect::Deny,
            &["iam:DeleteRolePermissionsBoundary"],
            vec!["*".into()],
            Conditions::new(),
            "The boundary is mandatory: no role of it may ever lose it.",
            BOUNDARY_DOC,
        ));
        let mut other = Conditions::new();
        add_cond(
            &mut other,
            "StringNotEquals",
            "iam:PermissionsBoundary",
            &[b],
        );
        out.push(stmt(
            "DenyCreatingRolesWithoutTheBoundary",
            Effect::Deny,
            &["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
            vec!["*".into()],
            other,
            "A role created or re-bounded with any other boundary (or none) is refused, whatever else allows it.",
            BOUNDARY_DOC,
        ));
    } else {
        out.push(stmt(
            "ManageBoundariesOfOwnedRoles",
            Effect::Allow,
            &[
                "iam:DeleteRolePermissionsBoundary",
                "iam:PutRolePermissionsBoundary",
            ],
            vec![role_arn.clone()],
            resource_tag.clone(),
            "Apply the permissions boundary an EcsRoleSet asks for, on its own roles only.",
            BOUNDARY_DOC,
        ));
    }

    if !p.allowed_managed_policies.is_empty() {
        let patterns: Vec<&str> = p
            .allowed_managed_policies
            .iter()
            .map(String::as_str)
            .collect();
        let mut c = Conditions::new();
        add_cond(&mut c, "ArnNotLike", "iam:PolicyARN", &patterns);
        out.push(stmt(
            "DenyAttachingOtherManagedPolicies",
            Effect::Deny,
            &["iam:AttachRolePolicy"],
            vec!["*".into()],
            c,
            "Only the managed policies the platform allows can ever be attached.",
            AUTH_REF,
        ));
    }
    Ok(PolicyDocument::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> ControllerPolicyParams {
        ControllerPolicyParams {
            partition: "aws".into(),
            account: "123456789012".into(),
            path: "/ecsroles/".into(),
            cluster_id: "prod-eu".into(),
            boundary: Some("arn:aws:iam::123456789012:policy/ecs-boundary".into()),
            allowed_managed_policies: vec!["arn:aws:iam::aws:policy/service-role/*".into()],
        }
    }

    #[test]
    fn every_write_is_scoped_by_tag_path_or_boundary() {
        let doc = controller_policy(&params()).unwrap();
        for s in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
            let reads = s
                .actions
                .iter()
                .all(|a| a.starts_with("iam:Get") || a.starts_with("iam:List"));
            // Only the bulk reads, which IAM cannot scope to a resource, may use `*`.
            let unscopable = s.actions == ["iam:GetAccountAuthorizationDetails", "iam:ListRoles"]
                || s.actions == ["iam:ListInstanceProfiles"];
            assert!(
                s.resources.iter().all(|r| r.contains("/ecsroles/"))
                    || (reads && unscopable && s.resources == ["*"]),
                "{}",
                s.sid
            );
            assert!(
                reads || !s.conditions.is_empty(),
                "{} is unconditional",
                s.sid
            );
            assert!(!s.why.is_empty());
        }
        let create = doc
            .statements
            .iter()
            .find(|s| s.sid == "CreateOnlyOwnerTaggedRoles")
            .unwrap();
        assert!(create.conditions["StringEquals"].contains_key("iam:PermissionsBoundary"));
        assert!(doc
            .statements
            .iter()
            .any(|s| s.sid == "DenyRemovingTheBoundary"));
        assert!(doc.iam_size() < 6144, "fits a customer managed policy");
    }

    #[test]
    fn bad_parameters_name_the_flag() {
        for (mut p, flag) in [
            (params(), "--account"),
            (params(), "--path"),
            (params(), "--boundary"),
            (params(), "--cluster-id"),
        ] {
            match flag {
                "--account" => p.account = "12".into(),
                "--path" => p.path = "ecsroles".into(),
                "--boundary" => p.boundary = Some("AdminAccess".into()),
                _ => p.cluster_id.clear(),
            }
            assert!(controller_policy(&p).unwrap_err().contains(flag));
        }
    }
}
