//! IAM's real limits (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
//! and CreateRole's parameter constraints): each violation is an error naming the field.

mod common;

use common::*;

fn spec(roles: &str, app: &str) -> String {
    format!("name: w\naccount: \"111122223333\"\nregion: us-east-1\nlaunchType: FARGATE\ntaskDefinition:\n  networkMode: awsvpc\n  containerDefinitions: [{{name: a, image: nginx}}]\napp:\n  access: [{{sns: {{topic: t}}}}]\n{app}\nroles:\n  task:\n{roles}")
}

#[test]
fn role_name_length_and_characters() {
    assert!(has_error_at(
        &plan_doc(&spec(&format!("    name: {}", "n".repeat(65)), "")),
        "roles.task.name"
    ));
    assert!(!has_error_at(
        &plan_doc(&spec(&format!("    name: {}", "n".repeat(64)), "")),
        "roles.task.name"
    ));
    assert!(has_error_at(
        &plan_doc(&spec("    name: \"bad name\"", "")),
        "roles.task.name"
    ));
    assert!(has_error_at(
        &plan_doc(&spec("    name: \"bäd\"", "")),
        "roles.task.name"
    ));
}

#[test]
fn long_workload_names_are_fitted_not_rejected() {
    let long = spec("    tags: {}", "").replace("name: w", &format!("name: {}", "w".repeat(80)));
    let p = plan_doc(&long);
    let n = role(&p, ecsroles_core::RoleKind::Task)
        .name
        .clone()
        .expect("name");
    assert!(n.len() <= 64, "{n}");
    assert!(errors(&p).is_empty(), "{:?}", errors(&p));
}

#[test]
fn name_prefix_is_at_most_38() {
    assert!(has_error_at(
        &plan_doc(&spec(&format!("    namePrefix: {}", "p".repeat(39)), "")),
        "roles.task.namePrefix"
    ));
    assert!(!has_error_at(
        &plan_doc(&spec(&format!("    namePrefix: {}", "p".repeat(38)), "")),
        "roles.task.namePrefix"
    ));
}

#[test]
fn path_syntax() {
    for bad in ["ecs/", "/ecs", "/a b/", "//"] {
        assert!(
            has_error_at(
                &plan_doc(&spec(&format!("    path: \"{bad}\""), "")),
                "roles.task.path"
            ),
            "{bad}"
        );
    }
    assert!(!has_error_at(
        &plan_doc(&spec("    path: /team/app/", "")),
        "roles.task.path"
    ));
}

#[test]
fn session_duration_range() {
    for (d, bad) in [(3599, true), (3600, false), (43200, false), (43201, true)] {
        let p = plan_doc(&spec(&format!("    maxSessionDuration: {d}"), ""));
        assert_eq!(
            has_error_at(&p, "roles.task.maxSessionDuration"),
            bad,
            "{d}"
        );
    }
}

#[test]
fn tags_reserved_prefix_lengths_characters_and_count() {
    assert!(has_error_at(
        &plan_doc(&spec("    tags: {\"AWS:x\": y}", "")),
        "roles.task.tags.AWS:x"
    ));
    assert!(has_error_at(
        &plan_doc(&spec(&format!("    tags: {{{}: v}}", "k".repeat(129)), "")),
        &format!("roles.task.tags.{}", "k".repeat(129))
    ));
    assert!(has_error_at(
        &plan_doc(&spec(&format!("    tags: {{k: {}}}", "v".repeat(257)), "")),
        "roles.task.tags.k"
    ));
    assert!(has_error_at(
        &plan_doc(&spec("    tags: {k: \"a#b\"}", "")),
        "roles.task.tags.k"
    ));
    let many: Vec<String> = (0..51).map(|i| format!("k{i}: v")).collect();
    assert!(has_error_at(
        &plan_doc(&spec(&format!("    tags: {{{}}}", many.join(", ")), "")),
        "roles.task.tags"
    ));
}

#[test]
fn permissions_boundary_must_be_a_policy_arn() {
    assert!(has_error_at(
        &plan_doc(&spec("    permissionsBoundary: boundary", "")),
        "roles.task.permissionsBoundary"
    ));
    assert!(!has_error_at(
        &plan_doc(&spec(
            "    permissionsBoundary: arn:aws:iam::111122223333:policy/b",
            ""
        )),
        "roles.task.permissionsBoundary"
    ));
}

#[test]
fn inline_policy_size_is_limited_to_10240_per_role() {
    let queues: Vec<String> = (0..200).map(|i| format!("    - sqs: {{queue: queue-with-a-rather-long-name-{i:03}, access: consume-produce}}")).collect();
    let big = spec("    tags: {}", "").replace(
        "app:\n  access: [{sns: {topic: t}}]",
        &format!("app:\n  access:\n{}", queues.join("\n")),
    );
    let p = plan_doc(&big);
    assert!(has_error_at(&p, "roles.task"), "{:?}", errors(&p));
    assert!(errors(&p).iter().any(|e| e.contains("10240")));
}

#[test]
fn managed_policy_count() {
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("P{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let p = plan_doc(&spec(&format!("    managedPolicies: [{}]", list(21)), ""));
    assert!(has_error_at(&p, "roles.task.managedPolicies"));
    let p = plan_doc(&spec(&format!("    managedPolicies: [{}]", list(11)), ""));
    assert!(!has_error_at(&p, "roles.task.managedPolicies"));
    assert!(warnings(&p)
        .iter()
        .any(|w| w.starts_with("roles.task.managedPolicies")));
}

#[test]
fn two_roles_with_the_same_name_collide_case_insensitively() {
    let s = spec("    name: Shared", "").replace(
        "roles:\n",
        "roles:\n  taskExecution: {name: shared, create: true}\n",
    );
    assert!(errors(&plan_doc(&s))
        .iter()
        .any(|e| e.contains("case-insensitively")));
}
