//! Desired IAM state (from a core `RolePlan`), actual state (read from IAM), and the minimal,
//! ordered operations between them. Pure: the reconciler reads, calls [`diff`] or
//! [`deletion`], and executes the operations in order. (Past 500 lines with its unit tests,
//! which are most of the second half: the diff's ordering rules are tested beside them.)

use std::collections::{BTreeMap, BTreeSet};

use ecsroles_core::model::{Provisioning, RolePlan};
use serde_json::Value;

use crate::policy_eq::equivalent;

/// Tag keys that mark an IAM object as owned by this controller. Defined in
/// the core, whose `controller-policy` conditions key on the same tags.
pub use ecsroles_core::controller_policy::OWNER_TAGS;

/// Who owns what the controller creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
}

impl Owner {
    /// Values in [`OWNER_TAGS`]' order: cluster, namespace, name, uid.
    pub fn tags(&self) -> BTreeMap<String, String> {
        OWNER_TAGS
            .iter()
            .zip([&self.cluster, &self.namespace, &self.name, &self.uid])
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// The owner `tags` name, when they carry every owner tag (a role released by
    /// `deletionPolicy: Retain` has no uid tag, so it has no owner any more).
    pub fn from_tags(tags: &BTreeMap<String, String>) -> Option<Owner> {
        let [cluster, namespace, name, uid] = OWNER_TAGS.map(|k| tags.get(k).cloned());
        Some(Owner {
            cluster: cluster?,
            namespace: namespace?,
            name: name?,
            uid: uid?,
        })
    }

    /// `true` when `tags` say this owner created the object (never touch it otherwise).
    pub fn owns(&self, tags: &BTreeMap<String, String>) -> bool {
        self.tags().iter().all(|(k, v)| tags.get(k) == Some(v))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredRole {
    pub name: String,
    pub path: String,
    pub trust: Value,
    pub inline: BTreeMap<String, Value>,
    pub managed: BTreeSet<String>,
    pub boundary: Option<String>,
    pub max_session: i64,
    pub tags: BTreeMap<String, String>,
    pub instance_profile: Option<String>,
}

/// What IAM has, as read (documents raw: possibly URL-encoded).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActualRole {
    pub exists: bool,
    pub path: String,
    pub trust: String,
    pub inline: BTreeMap<String, String>,
    pub managed: BTreeSet<String>,
    pub boundary: Option<String>,
    pub max_session: i64,
    pub tags: BTreeMap<String, String>,
    /// The instance profile of that name, if it exists, and the roles in it.
    pub instance_profile: Option<(String, Vec<String>)>,
    pub profile_tags: BTreeMap<String, String>,
}

/// One IAM call.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    CreateRole {
        name: String,
        path: String,
        trust: Value,
        boundary: Option<String>,
        max_session: i64,
        tags: BTreeMap<String, String>,
    },
    UpdateAssumeRolePolicy {
        role: String,
        trust: Value,
    },
    PutRolePermissionsBoundary {
        role: String,
        boundary: String,
    },
    DeleteRolePermissionsBoundary {
        role: String,
    },
    UpdateRole {
        role: String,
        max_session: i64,
    },
    TagRole {
        role: String,
        tags: BTreeMap<String, String>,
    },
    UntagRole {
        role: String,
        keys: Vec<String>,
    },
    PutRolePolicy {
        role: String,
        name: String,
        document: Value,
    },
    AttachRolePolicy {
        role: String,
        arn: String,
    },
    DetachRolePolicy {
        role: String,
        arn: String,
    },
    DeleteRolePolicy {
        role: String,
        name: String,
    },
    CreateInstanceProfile {
        name: String,
        path: String,
        tags: BTreeMap<String, String>,
    },
    AddRoleToInstanceProfile {
        profile: String,
        role: String,
    },
    RemoveRoleFromInstanceProfile {
        profile: String,
        role: String,
    },
    DeleteInstanceProfile {
        name: String,
    },
    DeleteRole {
        role: String,
    },
}

impl Op {
    /// The IAM API operation's name (for events and logs).
    pub fn name(&self) -> &'static str {
        match self {
            Op::CreateRole { .. } => "CreateRole",
            Op::UpdateAssumeRolePolicy { .. } => "UpdateAssumeRolePolicy",
            Op::PutRolePermissionsBoundary { .. } => "PutRolePermissionsBoundary",
            Op::DeleteRolePermissionsBoundary { .. } => "DeleteRolePermissionsBoundary",
            Op::UpdateRole { .. } => "UpdateRole",
            Op::TagRole { .. } => "TagRole",
            Op::UntagRole { .. } => "UntagRole",
            Op::PutRolePolicy { .. } => "PutRolePolicy",
            Op::AttachRolePolicy { .. } => "AttachRolePolicy",
            Op::DetachRolePolicy { .. } => "DetachRolePolicy",
            Op::DeleteRolePolicy { .. } => "DeleteRolePolicy",
            Op::CreateInstanceProfile { .. } => "CreateInstanceProfile",
            Op::AddRoleToInstanceProfile { .. } => "AddRoleToInstanceProfile",
            Op::RemoveRoleFromInstanceProfile { .. } => "RemoveRoleFromInstanceProfile",
            Op::DeleteInstanceProfile { .. } => "DeleteInstanceProfile",
            Op::DeleteRole { .. } => "DeleteRole",
        }
    }

    /// Removals are idempotent: removing what is already gone is success.
    pub fn is_removal(&self) -> bool {
        matches!(
            self,
            Op::DeleteRolePermissionsBoundary { .. }
                | Op::UntagRole { .. }
                | Op::DetachRolePolicy { .. }
                | Op::DeleteRolePolicy { .. }
                | Op::RemoveRoleFromInstanceProfile { .. }
                | Op::DeleteInstanceProfile { .. }
                | Op::DeleteRole { .. }
        )
    }
}

/// IAM's default MaxSessionDuration.
pub const DEFAULT_MAX_SESSION: i64 = 3600;

/// The roles the controller creates for `plan`, tagged with `owner`. Existing and
/// service-linked roles are not ours to write.
pub fn desired_from_plan(plan: &RolePlan, owner: &Owner) -> Vec<DesiredRole> {
    plan.roles
        .iter()
        .filter(|r| r.provisioning == Provisioning::Create)
        .filter_map(|r| {
            let mut tags = r.tags.clone();
            tags.extend(owner.tags());
            Some(DesiredRole {
                name: r.name.clone()?,
                path: r.path.clone(),
                trust: r.trust_policy.as_ref()?.to_iam_json(),
                inline: r
                    .inline_policies
                    .iter()
                    .map(|p| (p.name.clone(), p.document.to_iam_json()))
                    .collect(),
                managed: r.managed_policies.iter().map(|m| m.arn.clone()).collect(),
                boundary: r.permissions_boundary.clone(),
                max_session: r.max_session_duration.unwrap_or(DEFAULT_MAX_SESSION),
                tags,
                instance_profile: r.instance_profile.as_ref().map(|p| p.name.clone()),
            })
        })
        .collect()
}

/// The minimal ordered calls that make `actual` match `desired`. The order keeps the role
/// usable throughout: permissions are added before old ones are removed.
pub fn diff(d: &DesiredRole, a: &ActualRole) -> Vec<Op> {
    let role = || d.name.clone();
    let mut ops = Vec::new();
    if !a.exists {
        ops.push(Op::CreateRole {
            name: role(),
            path: d.path.clone(),
            trust: d.trust.clone(),
            boundary: d.boundary.clone(),
            max_session: d.max_session,
            tags: d.tags.clone(),
        });
    } else {
        if !equivalent(&d.trust, &a.trust) {
            ops.push(Op::UpdateAssumeRolePolicy {
                role: role(),
                trust: d.trust.clone(),
            });
        }
        match (&d.boundary, &a.boundary) {
            (Some(want), have) if Some(want) != have.as_ref() => {
                ops.push(Op::PutRolePermissionsBoundary {
                    role: role(),
                    boundary: want.clone(),
                })
            }
            (None, Some(_)) => ops.push(Op::DeleteRolePermissionsBoundary { role: role() }),
            _ => {}
        }
        if d.max_session != a.max_session {
            ops.push(Op::UpdateRole {
                role: role(),
                max_session: d.max_session,
            });
        }
        let missing: BTreeMap<String, String> = d
            .tags
            .iter()
            .filter(|(k, v)| a.tags.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !missing.is_empty() {
            ops.push(Op::TagRole {
                role: role(),
                tags: missing,
            });
        }
        let extra: Vec<String> = a
            .tags
            .keys()
            .filter(|k| !d.tags.contains_key(*k) && !k.to_ascii_lowercase().starts_with("aws:"))
            .cloned()
            .collect();
        if !extra.is_empty() {
            ops.push(Op::UntagRole {
                role: role(),
                keys: extra,
            });
        }
    }
    for (name, doc) in &d.inline {
        if a.inline.get(name).is_none_or(|have| !equivalent(doc, have)) {
            ops.push(Op::PutRolePolicy {
                role: role(),
                name: name.clone(),
                document: doc.clone(),
            });
        }
    }
    for arn in d.managed.difference(&a.managed) {
        ops.push(Op::AttachRolePolicy {
            role: role(),
            arn: arn.clone(),
        });
    }
    for arn in a.managed.difference(&d.managed) {
        ops.push(Op::DetachRolePolicy {
            role: role(),
            arn: arn.clone(),
        });
    }
    for name in a.inline.keys().filter(|n| !d.inline.contains_key(*n)) {
        ops.push(Op::DeleteRolePolicy {
            role: role(),
            name: name.clone(),
        });
    }
    match (&d.instance_profile, &a.instance_profile) {
        (Some(p), None) => {
            ops.push(Op::CreateInstanceProfile {
                name: p.clone(),
                path: d.path.clone(),
                tags: d.tags.clone(),
            });
            ops.push(Op::AddRoleToInstanceProfile {
                profile: p.clone(),
                role: role(),
            });
        }
        (Some(p), Some((_, roles))) => {
            for other in roles.iter().filter(|r| **r != d.name) {
                ops.push(Op::RemoveRoleFromInstanceProfile {
                    profile: p.clone(),
                    role: other.clone(),
                });
            }
            if !roles.contains(&d.name) {
                ops.push(Op::AddRoleToInstanceProfile {
                    profile: p.clone(),
                    role: role(),
                });
            }
        }
        (None, Some((p, roles))) => {
            for r in roles {
                ops.push(Op::RemoveRoleFromInstanceProfile {
                    profile: p.clone(),
                    role: r.clone(),
                });
            }
            ops.push(Op::DeleteInstanceProfile { name: p.clone() });
        }
        (None, None) => {}
    }
    ops
}

/// Deletes a role in the order IAM requires (otherwise `DeleteConflict`): remove it from its
/// instance profile → delete the profile → detach managed policies → delete inline policies →
/// delete the role.
pub fn deletion(role: &str, a: &ActualRole) -> Vec<Op> {
    if !a.exists {
        return vec![];
    }
    let mut ops = Vec::new();
    if let Some((p, roles)) = &a.instance_profile {
        for r in roles {
            ops.push(Op::RemoveRoleFromInstanceProfile {
                profile: p.clone(),
                role: r.clone(),
            });
        }
        ops.push(Op::DeleteInstanceProfile { name: p.clone() });
    }
    for arn in &a.managed {
        ops.push(Op::DetachRolePolicy {
            role: role.to_string(),
            arn: arn.clone(),
        });
    }
    for name in a.inline.keys() {
        ops.push(Op::DeleteRolePolicy {
            role: role.to_string(),
            name: name.clone(),
        });
    }
    ops.push(Op::DeleteRole {
        role: role.to_string(),
    });
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecsroles_core::{parse_document, plan};

    fn owner() -> Owner {
        Owner {
            cluster: "c1".into(),
            namespace: "payments".into(),
            name: "api".into(),
            uid: "u-1".into(),
        }
    }

    fn desired() -> Vec<DesiredRole> {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/ec2-bridge-alb-service.yaml"
        ))
        .unwrap();
        desired_from_plan(&plan(&parse_document(&text).unwrap().0), &owner())
    }

    /// IAM after applying `d` exactly (documents as IAM would return them: URL-encoded).
    fn applied(d: &DesiredRole) -> ActualRole {
        let enc = |v: &Value| {
            percent_encoding::utf8_percent_encode(
                &v.to_string(),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string()
        };
        ActualRole {
            exists: true,
            path: d.path.clone(),
            trust: enc(&d.trust),
            inline: d.inline.iter().map(|(k, v)| (k.clone(), enc(v))).collect(),
            managed: d.managed.clone(),
            boundary: d.boundary.clone(),
            max_session: d.max_session,
            tags: d.tags.clone(),
            instance_profile: d
                .instance_profile
                .clone()
                .map(|p| (p, vec![d.name.clone()])),
            profile_tags: d.tags.clone(),
        }
    }

    #[test]
    fn desired_state_carries_owner_tags_and_skips_aws_managed_roles() {
        let d = desired();
        assert_eq!(
            d.len(),
            2,
            "service role + container instance role; the SLR is AWS's"
        );
        assert!(d.iter().all(|r| owner().owns(&r.tags)));
        assert!(d.iter().any(|r| r.instance_profile.is_some()));
    }

    #[test]
    fn creating_from_nothing_is_role_then_policies_then_profile() {
        let d = desired()
            .into_iter()
            .find(|r| r.instance_profile.is_some())
            .unwrap();
        let ops = diff(&d, &ActualRole::default());
        assert!(matches!(ops[0], Op::CreateRole { .. }));
        assert!(matches!(ops[1], Op::PutRolePolicy { .. }));
        assert!(matches!(
            ops[ops.len() - 2],
            Op::CreateInstanceProfile { .. }
        ));
        assert!(matches!(
            ops[ops.len() - 1],
            Op::AddRoleToInstanceProfile { .. }
        ));
    }

    #[test]
    fn an_up_to_date_role_needs_no_calls() {
        for d in desired() {
            assert_eq!(diff(&d, &applied(&d)), vec![], "{}", d.name);
        }
    }

    #[test]
    fn drift_is_corrected_with_the_fewest_calls() {
        let d = desired().into_iter().next().unwrap();
        let mut a = applied(&d);
        a.inline.insert("ecsroles".into(), r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.into());
        a.inline.insert("added-by-hand".into(), "{}".into());
        a.managed
            .insert("arn:aws:iam::aws:policy/AdministratorAccess".into());
        a.tags.insert("team".into(), "x".into());
        a.max_session = 7200;
        let ops = diff(&d, &a);
        assert_eq!(ops.len(), 5, "{ops:#?}");
        assert!(ops.contains(&Op::DetachRolePolicy {
            role: d.name.clone(),
            arn: "arn:aws:iam::aws:policy/AdministratorAccess".into()
        }));
        assert!(ops.contains(&Op::DeleteRolePolicy {
            role: d.name.clone(),
            name: "added-by-hand".into()
        }));
        assert!(ops
            .iter()
            .any(|o| matches!(o, Op::PutRolePolicy { name, .. } if name == "ecsroles")));
        assert!(ops
            .iter()
            .any(|o| matches!(o, Op::UntagRole { keys, .. } if keys == &vec!["team".to_string()])));
        let put = ops
            .iter()
            .position(|o| matches!(o, Op::PutRolePolicy { .. }))
            .unwrap();
        let del = ops
            .iter()
            .position(|o| matches!(o, Op::DeleteRolePolicy { .. }))
            .unwrap();
        assert!(
            put < del,
            "add before remove: the role never loses a permission it needs mid-way"
        );
    }

    #[test]
    fn deletion_follows_iams_required_order() {
        let d = desired()
            .into_iter()
            .find(|r| r.instance_profile.is_some())
            .unwrap();
        let ops = deletion(&d.name, &applied(&d));
        let kinds: Vec<&str> = ops
            .iter()
            .map(|o| match o {
                Op::RemoveRoleFromInstanceProfile { .. } => "remove-from-profile",
                Op::DeleteInstanceProfile { .. } => "delete-profile",
                Op::DetachRolePolicy { .. } => "detach",
                Op::DeleteRolePolicy { .. } => "delete-inline",
                Op::DeleteRole { .. } => "delete-role",
                _ => "other",
            })
            .collect();
        let mut dedup = kinds.clone();
        dedup.dedup();
        let order = [
            "remove-from-profile",
            "delete-profile",
            "detach",
            "delete-inline",
            "delete-role",
        ];
        assert!(dedup.iter().all(|k| order.contains(k)), "{kinds:?}");
        assert!(
            dedup
                .windows(2)
                .all(|w| order.iter().position(|o| *o == w[0])
                    < order.iter().position(|o| *o == w[1])),
            "{kinds:?}"
        );
        assert_eq!(deletion("x", &ActualRole::default()), vec![]);
    }

    #[test]
    fn ownership_requires_every_owner_tag() {
        let mut tags = owner().tags();
        assert_eq!(tags.len(), OWNER_TAGS.len());
        assert!(owner().owns(&tags));
        tags.insert(OWNER_TAGS[3].into(), "someone-else".into());
        assert!(!owner().owns(&tags));
        assert!(!owner().owns(&BTreeMap::new()));
    }
}
