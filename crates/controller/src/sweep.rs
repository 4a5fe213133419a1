//! The orphan sweep: IAM roles and instance profiles this controller created for an
//! EcsRoleSet that no longer exists are deleted, found by their owner tags alone.
//!
//! Why a finalizer is not enough: it proves that cleanup ran once, not that nothing came
//! after. A CreateRole sent before a crash can land after the set's cleanup (the chaos soak
//! caught one held 8 s in the network re-creating a role its set had just deleted; IAM's
//! eventual consistency can hide a fresh role from cleanup's read the same way), and a
//! finalizer removed by hand skips cleanup altogether. The owner tags name the set (cluster,
//! namespace, name, uid), so the sweep needs no record in Kubernetes to find what is left.
//!
//! What it never touches: objects of another cluster id, of a namespace this controller does
//! not watch, of a set that still exists (any uid it lists), roles released by
//! `deletionPolicy: Retain` ([`RETAINED_TAG`]), and anything under another path. The IAM read
//! comes before the list of sets, so a role in the read whose set is missing from the list
//! was made for a set that is gone (roles are created only for a set that exists).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use ecsroles_core::controller_policy::RETAINED_TAG;
use kube::api::ListParams;
use kube::ResourceExt;
use tracing::{info, warn};

use crate::cleanup::delete_owned;
use crate::controller::{Context, Error};
use crate::iam_state::{ActualRole, Owner};

/// The roles of `roles` (a bulk read of the controller's path) whose set is gone: owned by
/// `cluster`, in a watched namespace (`namespaces` empty: all), not retained, and with a uid
/// that is not among `live`. Pure, so the rules above are unit-tested.
pub fn orphans(
    roles: &HashMap<String, ActualRole>,
    cluster: &str,
    namespaces: &[String],
    live: &BTreeSet<String>,
) -> Vec<(String, Owner)> {
    let mut out: Vec<(String, Owner)> = roles
        .iter()
        .filter_map(|(name, a)| {
            Some((
                name.clone(),
                orphan_owner(&a.tags, cluster, namespaces, live)?,
            ))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The owner of an object with these tags when that owner is a gone set of this controller's.
fn orphan_owner(
    tags: &std::collections::BTreeMap<String, String>,
    cluster: &str,
    namespaces: &[String],
    live: &BTreeSet<String>,
) -> Option<Owner> {
    let owner = Owner::from_tags(tags)?;
    let watched = namespaces.is_empty() || namespaces.contains(&owner.namespace);
    let gone = !live.contains(&owner.uid);
    (owner.cluster == cluster && watched && gone && !tags.contains_key(RETAINED_TAG))
        .then_some(owner)
}

/// The uid of every EcsRoleSet this controller watches (metadata only: an object the typed
/// decoder rejects still counts as existing). Any failure fails the sweep: never delete on a
/// partial list.
async fn live_uids(ctx: &Context) -> Result<BTreeSet<String>, Error> {
    let mut uids = BTreeSet::new();
    for api in crate::controller::watched(ctx) {
        let mut params = ListParams::default().limit(500);
        loop {
            let page = api.list_metadata(&params).await?;
            uids.extend(page.items.iter().filter_map(|o| o.uid()));
            match page.metadata.continue_ {
                Some(token) if !token.is_empty() => params = params.continue_token(&token),
                _ => break,
            }
        }
    }
    Ok(uids)
}

/// One pass: deletes what gone sets left; returns the IAM calls that deleted something.
pub async fn sweep_once(ctx: &Context) -> Result<Vec<String>, Error> {
    let cfg = &ctx.config;
    let namespaces = cfg.namespaces();
    // IAM first, then the sets (see the module comment for why this order).
    let roles = ctx.iam.snapshot(&cfg.role_path).await?;
    let profiles = ctx.iam.instance_profiles(&cfg.role_path).await?;
    let live = live_uids(ctx).await?;
    let mut done = Vec::new();
    for (role, owner) in orphans(&roles, &cfg.cluster_id, &namespaces, &live) {
        warn!(role, set = %format!("{}/{}", owner.namespace, owner.name), "deleting an IAM role whose EcsRoleSet no longer exists");
        // Its instance profile, if any, shares its name (delete_owned checks the profile's tags).
        let with_profile = roles
            .get(&role)
            .is_some_and(|a| a.instance_profile.is_some());
        done.extend(delete_owned(ctx, &owner, &role, with_profile).await?);
    }
    // A profile holding no role (a deletion stopped between its two steps, then its set gone):
    // not reachable through any role, so read its tags directly. Rare: profiles hold a role.
    for (name, _) in profiles.iter().filter(|(_, n)| *n == 0) {
        let Some(p) = ctx.iam.profile(name).await? else {
            continue;
        };
        if let Some(owner) = orphan_owner(&p.profile_tags, &cfg.cluster_id, &namespaces, &live) {
            warn!(profile = name, set = %format!("{}/{}", owner.namespace, owner.name), "deleting an instance profile whose EcsRoleSet no longer exists");
            let op = crate::iam_state::Op::DeleteInstanceProfile { name: name.clone() };
            ctx.iam.apply(&op).await?;
            done.push(format!("{} {name}", op.name()));
        }
    }
    if !done.is_empty() {
        ctx.metrics.orphans_deleted.inc_by(done.len() as u64);
        ctx.forget_snapshot().await;
        info!(calls = ?done, "orphan sweep deleted what gone EcsRoleSets left in IAM");
    }
    Ok(done)
}

/// Sweeps every `--sweep-seconds` (jittered) until `stop` is set; 0 turns it off. A failed
/// pass is logged and counted, and the next one tries again.
pub async fn run(ctx: Arc<Context>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let Some(period) = ctx.config.sweep() else {
        return;
    };
    loop {
        let wait = crate::controller::jittered(period);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|v| *v) => return,
        }
        if let Err(e) = sweep_once(&ctx).await {
            ctx.metrics.failed("sweep");
            warn!(error = %e, "orphan sweep failed; the next one tries again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam_state::OWNER_TAGS;

    fn role(cluster: &str, ns: &str, uid: &str) -> ActualRole {
        let tags = OWNER_TAGS
            .iter()
            .zip([cluster, ns, "web", uid])
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ActualRole {
            exists: true,
            tags,
            ..Default::default()
        }
    }

    #[test]
    fn only_this_clusters_roles_of_gone_sets_in_watched_namespaces() {
        let mut roles = HashMap::new();
        roles.insert("gone".to_string(), role("c1", "team", "u-gone"));
        roles.insert("live".to_string(), role("c1", "team", "u-live"));
        roles.insert("other-cluster".to_string(), role("c2", "team", "u-x"));
        roles.insert("unwatched".to_string(), role("c1", "elsewhere", "u-y"));
        let mut retained = role("c1", "team", "u-kept");
        retained.tags.insert(RETAINED_TAG.into(), "true".into());
        roles.insert("retained".to_string(), retained);
        let mut released = role("c1", "team", "u-z");
        released.tags.remove(OWNER_TAGS[3]);
        roles.insert("no-uid".to_string(), released);
        roles.insert("untagged".to_string(), ActualRole::default());

        let live = BTreeSet::from(["u-live".to_string()]);
        let watched = vec!["team".to_string()];
        let names = |v: Vec<(String, Owner)>| v.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(names(orphans(&roles, "c1", &watched, &live)), ["gone"]);
        // Watching every namespace: the other namespace's gone set counts too.
        assert_eq!(
            names(orphans(&roles, "c1", &[], &live)),
            ["gone", "unwatched"]
        );
        let (_, owner) = orphans(&roles, "c1", &watched, &live).remove(0);
        assert_eq!(
            (owner.namespace.as_str(), owner.uid.as_str()),
            ("team", "u-gone")
        );
    }
}
