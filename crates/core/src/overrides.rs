//! What a user says beside the document — the CLI's `--launch-type/--account/--region/--cluster`,
//! the calculator's fields — applied the same way by both: a non-empty value overrides the
//! document's own (a bare task definition cannot say where it runs).

use crate::spec::{EcsRoleSetSpec, LaunchType};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub launch_type: Option<LaunchType>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub cluster: Option<String>,
    /// Plan new task and execution roles instead of the ones the task definition names.
    pub new_roles: bool,
}

impl Overrides {
    pub fn apply(self, spec: &mut EcsRoleSetSpec) {
        if let Some(l) = self.launch_type {
            spec.launch_type = Some(l);
        }
        for (slot, value) in [
            (&mut spec.account, self.account),
            (&mut spec.region, self.region),
            (&mut spec.cluster, self.cluster),
        ] {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                *slot = Some(v);
            }
        }
        if self.new_roles {
            spec.task_definition.task_role_arn = None;
            spec.task_definition.execution_role_arn = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_values_win_and_empty_ones_leave_the_documents() {
        let (mut spec, _) = crate::parse_document(
            r#"{"region": "eu-west-1", "account": "111122223333", "taskDefinition": {"family": "f",
                "taskRoleArn": "arn:aws:iam::111122223333:role/t", "containerDefinitions": []}}"#,
        )
        .unwrap();
        Overrides {
            launch_type: Some(LaunchType::Ec2),
            region: Some("us-east-1".into()),
            account: Some(String::new()),
            new_roles: true,
            ..Default::default()
        }
        .apply(&mut spec);
        assert_eq!(spec.launch_type, Some(LaunchType::Ec2));
        assert_eq!(spec.region.as_deref(), Some("us-east-1"));
        assert_eq!(spec.account.as_deref(), Some("111122223333"));
        assert_eq!(spec.task_definition.task_role_arn, None);
    }
}
