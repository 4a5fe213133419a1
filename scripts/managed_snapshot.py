#!/usr/bin/env python3
"""Writes crates/core/src/managed_snapshot.rs from the AWS managed policies in the shared
reference data (../shared/data/aws-managed-policies/, GetPolicyVersion output per policy).

The audit judges a role's attached AWS managed policy from this table when the roles file does
not carry the policy's document (`get-account-authorization-details --filter Role`, a pasted
dump). The table is derived, not a copy: per statement its effect, actions and resources, and
whether it has a Condition (the audit counts any condition as "allowed if it holds", so the
condition's text is not kept). Each policy records the version it was taken from.
`cargo test -p ecsroles-core --test managed_snapshot` fails when the table and the reference
data differ: run this script again and commit its output.

Usage: python3 scripts/managed_snapshot.py [DATA_DIR]
"""
import json
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
data = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared/data/aws-managed-policies"
out = root / "crates/core/src/managed_snapshot.rs"


def strings(v):
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def lit(s):
    return json.dumps(s)  # a JSON string is a valid Rust string literal for these texts


lines = [
    "//! AWS managed policies the ECS roles use, as the audit judges them when a roles file does",
    "//! not carry their documents. **Generated** by `scripts/managed_snapshot.py` from the",
    "//! project's reference data (GetPolicyVersion output, default versions); do not edit.",
    "//! Derived, not copied: per statement its effect, actions, resources and whether it has a",
    "//! Condition (the audit counts any condition as \"allowed if it holds\"). Each policy records",
    "//! its version: AWS changes these policies, and the audit says which version it judged.",
    "//! `tests/managed_snapshot.rs` checks this table against the reference data.",
    "",
    "/// One statement of a managed policy.",
    "pub struct Row {",
    "    pub sid: &'static str,",
    "    pub allow: bool,",
    "    pub actions: &'static [&'static str],",
    "    pub resources: &'static [&'static str],",
    "    /// The statement has a Condition (its text is not kept).",
    "    pub conditional: bool,",
    "}",
    "",
    "/// One AWS managed policy's default version.",
    "pub struct ManagedPolicy {",
    "    /// The policy's name: the last part of `arn:<partition>:iam::aws:policy/<path><name>`.",
    "    pub name: &'static str,",
    "    pub version: &'static str,",
    "    /// When AWS created that version.",
    "    pub created: &'static str,",
    "    pub statements: &'static [Row],",
    "}",
    "",
    "pub const POLICIES: &[ManagedPolicy] = &[",
]
for f in sorted(data.glob("*.json")):
    pv = json.loads(f.read_text())["PolicyVersion"]
    doc = pv["Document"]
    stmts = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    lines.append("    ManagedPolicy {")
    lines.append(f"        name: {lit(f.stem)},")
    lines.append(f"        version: {lit(pv['VersionId'])},")
    lines.append(f"        created: {lit(pv['CreateDate'])},")
    lines.append("        statements: &[")
    for s in stmts:
        if "NotAction" in s or "NotResource" in s:
            sys.exit(f"{f.name}: NotAction/NotResource is not supported by this table")
        lines.append("            Row {")
        lines.append(f"                sid: {lit(s.get('Sid', ''))},")
        lines.append(f"                allow: {'true' if s['Effect'] == 'Allow' else 'false'},")
        for key, field in (("Action", "actions"), ("Resource", "resources")):
            lines.append(f"                {field}: &[")
            lines.extend(f"                    {lit(x)}," for x in strings(s.get(key)))
            lines.append("                ],")
        lines.append(f"                conditional: {'true' if 'Condition' in s else 'false'},")
        lines.append("            },")
    lines.append("        ],")
    lines.append("    },")
lines.append("];")
out.write_text("\n".join(lines) + "\n")
subprocess.run(["rustfmt", "--edition", "2021", str(out)], check=True)
print(f"wrote {out.relative_to(root)} from {data}")
