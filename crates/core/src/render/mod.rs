//! Renderers: a [`RolePlan`] in the formats people deploy with. Deterministic: the same spec
//! renders to byte-identical output. Each renderer is a pure function of (spec, plan).

pub mod cloudformation;
pub mod iam;
pub mod kubernetes;
pub mod summary;
pub mod terraform;
pub mod terraform_module;
pub mod yaml;

use serde::{Deserialize, Serialize};

use crate::arn::{ACCOUNT_PLACEHOLDER, PARTITION_PLACEHOLDER, REGION_PLACEHOLDER};
use crate::model::{PlannedRole, RoleKind, RolePlan};
use crate::policy::Statement;
use crate::spec::EcsRoleSetSpec;

/// Every output format, by the name the CLI and the calculator use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Human-readable summary.
    Summary,
    /// The whole plan as JSON.
    Json,
    /// IAM documents only, one bundle.
    Iam,
    /// AWS CLI commands that create everything (bash).
    AwsCli,
    /// Terraform (HCL) resources.
    Terraform,
    /// Inputs for the terraform-aws-modules/ecs service (and cluster) modules, v6 or v7.
    TerraformModule,
    CloudformationYaml,
    CloudformationJson,
    /// The EcsRoleSet resource (what the controller reconciles).
    Ecsroleset,
    /// AWS Controllers for Kubernetes (iam.services.k8s.aws).
    Ack,
    /// Crossplane provider-aws (iam.aws.upbound.io).
    Crossplane,
}

impl Format {
    pub const ALL: [Format; 11] = [
        Format::Summary,
        Format::Json,
        Format::Iam,
        Format::AwsCli,
        Format::Terraform,
        Format::TerraformModule,
        Format::CloudformationYaml,
        Format::CloudformationJson,
        Format::Ecsroleset,
        Format::Ack,
        Format::Crossplane,
    ];

    /// This format's row of [`FORMATS`].
    fn facts(self) -> &'static FormatFacts {
        // FORMATS is in `ALL` order (tested), and the enum's discriminants are that order.
        &FORMATS[self as usize]
    }

    /// The name the CLI and the calculator use.
    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// The name people know the format by (the calculator's tabs).
    pub fn title(self) -> &'static str {
        self.facts().title
    }

    /// File name ending the golden files and `-o` use.
    pub fn extension(self) -> &'static str {
        self.facts().extension
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The format a file name asks for, when unambiguous (`roles.tf`, `stack.cfn.yaml`,
    /// `template.json` is not: plan JSON or CloudFormation JSON?).
    pub fn from_file_name(file: &str) -> Option<Format> {
        let f = file.to_ascii_lowercase();
        let by_suffix = [
            (".module.tf", Format::TerraformModule),
            (".tf", Format::Terraform),
            (".cfn.yaml", Format::CloudformationYaml),
            (".cfn.yml", Format::CloudformationYaml),
            (".template.yaml", Format::CloudformationYaml),
            (".cfn.json", Format::CloudformationJson),
            (".template.json", Format::CloudformationJson),
            (".ecsroleset.yaml", Format::Ecsroleset),
            (".ack.yaml", Format::Ack),
            (".crossplane.yaml", Format::Crossplane),
            (".iam.json", Format::Iam),
            (".plan.json", Format::Json),
            (".sh", Format::AwsCli),
            (".txt", Format::Summary),
        ];
        by_suffix
            .iter()
            .find(|(s, _)| f.ends_with(s))
            .map(|(_, fmt)| *fmt)
    }
}

/// One output format's fixed facts (the CLI's `--format` list and help, the calculator's tabs
/// and the golden files read them). Rendering stays a `match` ([`render`]): a table of renderer
/// functions would link every deployment renderer into the calculator's plain module, which
/// renders only [`Format::BASIC`].
#[derive(Debug)]
pub struct FormatFacts {
    pub format: Format,
    pub name: &'static str,
    pub title: &'static str,
    pub extension: &'static str,
}

/// The registry: one row per [`Format`], in [`Format::ALL`] order.
#[rustfmt::skip]
pub const FORMATS: [FormatFacts; 11] = [
    FormatFacts { format: Format::Summary, name: "summary", title: "Summary", extension: "summary.txt" },
    FormatFacts { format: Format::Json, name: "json", title: "Plan (JSON)", extension: "plan.json" },
    FormatFacts { format: Format::Iam, name: "iam", title: "IAM documents", extension: "iam.json" },
    FormatFacts { format: Format::AwsCli, name: "aws-cli", title: "AWS CLI", extension: "sh" },
    FormatFacts { format: Format::Terraform, name: "terraform", title: "Terraform", extension: "tf" },
    FormatFacts { format: Format::TerraformModule, name: "terraform-module", title: "terraform-aws-ecs module", extension: "module.tf" },
    FormatFacts { format: Format::CloudformationYaml, name: "cloudformation-yaml", title: "CloudFormation YAML", extension: "cfn.yaml" },
    FormatFacts { format: Format::CloudformationJson, name: "cloudformation-json", title: "CloudFormation JSON", extension: "cfn.json" },
    FormatFacts { format: Format::Ecsroleset, name: "ecsroleset", title: "EcsRoleSet (controller)", extension: "ecsroleset.yaml" },
    FormatFacts { format: Format::Ack, name: "ack", title: "ACK (Kubernetes)", extension: "ack.yaml" },
    FormatFacts { format: Format::Crossplane, name: "crossplane", title: "Crossplane", extension: "crossplane.yaml" },
];

impl Format {
    /// The formats a first look needs: the summary, the plan and IAM's own documents. The
    /// calculator's plain module renders only these (the deployment formats come in a second
    /// module, fetched when first asked for: they would be a tenth of the first download).
    pub const BASIC: [Format; 3] = [Format::Summary, Format::Json, Format::Iam];

    /// The formats a fix (`audit --fix`, `explain --fix`) is given in: those that put every
    /// planned change — inline policies and managed attachments — on a role as it exists. The
    /// CloudFormation and Kubernetes formats leave an existing role's managed attachments out,
    /// `ecsroleset` and `terraform-module` describe the whole workload.
    pub const FIX: [Format; 5] = [
        Format::Summary,
        Format::Json,
        Format::Iam,
        Format::AwsCli,
        Format::Terraform,
    ];
}

/// Renders `plan` in one of [`Format::BASIC`]; `None` for the others. Calling only this keeps
/// the deployment renderers out of a build that does not need them.
pub fn render_basic(format: Format, plan: &RolePlan) -> Option<String> {
    Some(match format {
        Format::Summary => summary::render(plan),
        Format::Json => crate::json::to_string_pretty(plan).unwrap_or_default() + "\n",
        Format::Iam => crate::json::to_string_pretty(&iam::bundle(plan)).unwrap_or_default() + "\n",
        _ => return None,
    })
}

/// Choices a format takes beyond the plan. Defaults are what `render` uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// `terraform-module`: the module's major version.
    pub module_version: terraform_module::ModuleVersion,
}

/// Renders `plan` (computed from `spec`) in `format`, with the default [`RenderOptions`].
pub fn render(format: Format, spec: &EcsRoleSetSpec, plan: &RolePlan) -> String {
    render_with(format, spec, plan, RenderOptions::default())
}

/// Renders `plan` (computed from `spec`) in `format`.
pub fn render_with(
    format: Format,
    spec: &EcsRoleSetSpec,
    plan: &RolePlan,
    options: RenderOptions,
) -> String {
    if let Some(text) = render_basic(format, plan) {
        return text;
    }
    match format {
        Format::Summary | Format::Json | Format::Iam => String::new(), // render_basic's
        Format::AwsCli => iam::aws_cli(plan),
        Format::Terraform => terraform::resources(plan),
        Format::TerraformModule => {
            terraform_module::module_inputs(spec, plan, options.module_version)
        }
        Format::CloudformationYaml => cloudformation::yaml(plan),
        Format::CloudformationJson => cloudformation::json(plan),
        Format::Ecsroleset => kubernetes::ecsroleset(spec, plan),
        Format::Ack => kubernetes::ack(plan),
        Format::Crossplane => kubernetes::crossplane(plan),
    }
}

/// `true` when the plan still holds `${AWS::…}` placeholders (account/region/partition open).
pub fn is_symbolic(text: &str) -> bool {
    text.contains(ACCOUNT_PLACEHOLDER)
        || text.contains(REGION_PLACEHOLDER)
        || text.contains(PARTITION_PLACEHOLDER)
}

/// Roles a renderer writes: everything but the service-linked roles (AWS writes those).
pub fn writable_roles(plan: &RolePlan) -> impl Iterator<Item = &PlannedRole> {
    plan.roles
        .iter()
        .filter(|r| r.provisioning != crate::model::Provisioning::ServiceLinked)
}

/// The description every renderer gives a role it creates.
pub fn role_description(plan: &RolePlan, r: &PlannedRole) -> String {
    format!(
        "{} for ECS workload {} (ecsroles)",
        r.kind.title(),
        plan.workload
    )
}

/// The comment a renderer writes above a statement.
pub fn statement_comment(s: &Statement) -> String {
    format!("{} ({})", s.why, s.doc)
}

/// `TaskExecution` → `task_execution` (Terraform names).
pub fn snake(kind: RoleKind) -> String {
    let mut out = String::new();
    for (i, c) in kind.key().chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `taskExecution` → `TaskExecution` (CloudFormation logical ids).
pub fn pascal(kind: RoleKind) -> String {
    let k = kind.key();
    let mut c = k.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn the_registry_has_one_row_per_format_in_order_and_names_round_trip() {
        assert_eq!(FORMATS.len(), Format::ALL.len());
        for (row, f) in FORMATS.iter().zip(Format::ALL) {
            assert_eq!(row.format, f);
            assert_eq!(Format::parse(f.name()), Some(f));
            // The name is the format's serde name (the calculator and the CLI agree).
            assert_eq!(serde_json::to_value(f).unwrap(), f.name());
        }
    }
}
