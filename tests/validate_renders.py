#!/usr/bin/env python3
"""Run each ecosystem's own validator on every example's rendered output.

- CloudFormation (YAML and JSON): cfn-lint, zero errors.
- Terraform: python-hcl2 parses it; the expected resources, attributes and outputs exist.
- AWS CLI script: shellcheck, zero findings.
- Kubernetes: kubernetes-validate (1.33, strict) on every document; it has no schemas for
  CRD kinds, so EcsRoleSet specs are also validated against `ecsroles schema`, and ACK /
  Crossplane objects against the fields their CRDs define for what ecsroles emits.

Usage: tests/validate_renders.py <ecsroles binary> <example files...>
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import hcl2
import jsonschema
import yaml

VENV = os.path.join(os.path.dirname(sys.executable))
problems = []
checked = 0


def fail(msg):
    problems.append(msg)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


STR = {"type": "string"}
ACK_ROLE = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "assumeRolePolicyDocument"],
            "properties": {
                "name": STR, "path": STR, "description": STR, "assumeRolePolicyDocument": STR,
                "inlinePolicies": {"type": "object", "additionalProperties": STR},
                "policies": {"type": "array", "items": STR},
                "permissionsBoundary": STR, "maxSessionDuration": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {"key": STR, "value": STR}}},
            },
        }
    },
}
ACK_PROFILE = {"type": "object", "properties": {"spec": {"type": "object", "additionalProperties": False, "required": ["name"],
    "properties": {"name": STR, "path": STR, "roleRef": {"type": "object", "required": ["from"], "properties": {"from": {"type": "object", "required": ["name"]}}}}}}}
REF = {"type": "object", "required": ["name"], "properties": {"name": STR}}
XP = {
    "Role": {"assumeRolePolicy": STR, "path": STR, "description": STR, "permissionsBoundary": STR, "maxSessionDuration": {"type": "integer"}, "tags": {"type": "object", "additionalProperties": STR}},
    # `role`: an existing role, by name (provider-aws's RolePolicy takes it or roleRef)
    "RolePolicy": {"policy": STR, "roleRef": REF, "role": STR},
    "RolePolicyAttachment": {"policyArn": STR, "roleRef": REF},
    "InstanceProfile": {"path": STR, "roleRef": REF},
}


def check_kubernetes(path, binary):
    global checked
    out = run([os.path.join(VENV, "kubernetes-validate"), "-k", "1.33.0", "--strict", "--no-warn", path])
    if out.returncode != 0:
        fail(f"{path}: kubernetes-validate: {out.stdout}{out.stderr}")
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    # Only roles that exist already, which ACK cannot change without taking them over: no
    # resources, and the header says where their permissions are.
    text = open(path).read()
    if not docs and "Not here:" not in text and "Nothing to create" not in text:
        fail(f"{path}: no documents")
    for d in docs:
        checked += 1
        api, kind = d.get("apiVersion"), d.get("kind")
        name = d.get("metadata", {}).get("name", "")
        if not name or len(name) > 63 or not all(c.islower() or c.isdigit() or c == "-" for c in name):
            fail(f"{path}: {kind} metadata.name {name!r} is not a DNS-1123 label")
        try:
            if api == "ecsroles.dev/v1alpha1":
                schema = json.loads(run([binary, "schema"]).stdout)
                jsonschema.validate(d["spec"], schema)
            elif api == "iam.services.k8s.aws/v1alpha1":
                jsonschema.validate(d, ACK_ROLE if kind == "Role" else ACK_PROFILE)
                if kind == "Role":
                    for text in [d["spec"]["assumeRolePolicyDocument"], *d["spec"].get("inlinePolicies", {}).values()]:
                        json.loads(text)
            elif api == "iam.aws.upbound.io/v1beta1":
                props = XP[kind]
                jsonschema.validate(d["spec"]["forProvider"], {"type": "object", "additionalProperties": False, "properties": props})
                for field in ("assumeRolePolicy", "policy"):
                    if field in d["spec"]["forProvider"]:
                        json.loads(d["spec"]["forProvider"][field])
            else:
                fail(f"{path}: unexpected apiVersion {api}")
        except (jsonschema.ValidationError, KeyError, json.JSONDecodeError) as e:
            fail(f"{path}: {kind} {name}: {e}")


def check_terraform(path, plan):
    global checked
    checked += 1
    with open(path) as fh:
        doc = hcl2.load(fh)
    resources = {}
    for block in doc.get("resource", []):
        for rtype, named in block.items():
            for rname, body in named.items():
                resources[(rtype.strip('"'), rname.strip('"'))] = body
    for role in plan["roles"]:
        if role["provisioning"] != "create":
            continue
        key = "".join("_" + c.lower() if c.isupper() else c for c in role["kind"])
        body = resources.get(("aws_iam_role", key))
        if body is None:
            fail(f"{path}: no aws_iam_role.{key}")
            continue
        name_attr = "name" if "name" in role else "name_prefix"
        expected = role.get("name", role.get("namePrefix"))
        if body.get(name_attr, "").strip('"') != expected:
            fail(f"{path}: aws_iam_role.{key}.{name_attr} is {body.get(name_attr)!r}, want {expected!r}")
        if "jsonencode" not in str(body.get("assume_role_policy", "")):
            fail(f"{path}: aws_iam_role.{key} has no jsonencode trust policy")
        if role["inlinePolicies"] and ("aws_iam_role_policy", key) not in resources:
            fail(f"{path}: no aws_iam_role_policy.{key}")
        for i, _ in enumerate(role["managedPolicies"]):
            if ("aws_iam_role_policy_attachment", f"{key}_{i}") not in resources:
                fail(f"{path}: no aws_iam_role_policy_attachment.{key}_{i}")
        if role.get("instanceProfile") and ("aws_iam_instance_profile", key) not in resources:
            fail(f"{path}: no aws_iam_instance_profile.{key}")
    outputs = {k for block in doc.get("output", []) for k in block}
    creates = [r for r in plan["roles"] if r["provisioning"] == "create"]
    if len([o for o in outputs if o.strip('"').endswith("_role_arn")]) != len(creates):
        fail(f"{path}: expected one *_role_arn output per created role, got {sorted(outputs)}")


def main():
    global checked
    binary, files = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as out:
        for f in files:
            # One directory per input path (real-world inputs share file names).
            sub = os.path.join(out, f.replace(os.sep, "_"))
            r = run([binary, "render", f, "--out-dir", sub])
            if r.returncode != 0 and not glob.glob(os.path.join(sub, "*.plan.json")):
                fail(f"{f}: render failed: {r.stderr}")
                continue
            plan = json.load(open(glob.glob(os.path.join(sub, "*.plan.json"))[0]))
            cfn = glob.glob(os.path.join(sub, "*.cfn.*"))
            lint = run([os.path.join(VENV, "cfn-lint"), *cfn])
            checked += len(cfn)
            if lint.returncode & 2:  # cfn-lint's exit code is a bitmask; 2 = errors
                fail(f"{f}: cfn-lint: {lint.stdout}")
            for tf in glob.glob(os.path.join(sub, "*.tf")):
                if tf.endswith(".module.tf"):
                    checked += 1
                    with open(tf) as fh:
                        hcl2.load(fh)  # raises on invalid HCL
                else:
                    check_terraform(tf, plan)
            for sh in glob.glob(os.path.join(sub, "*.sh")):
                checked += 1
                sc = run([os.path.join(VENV, "shellcheck"), sh])
                if sc.returncode != 0:
                    fail(f"{f}: shellcheck: {sc.stdout}")
            for k in glob.glob(os.path.join(sub, "*.ack.yaml")) + glob.glob(os.path.join(sub, "*.crossplane.yaml")) + glob.glob(os.path.join(sub, "*.ecsroleset.yaml")):
                check_kubernetes(k, binary)
    for p in problems:
        print("FAIL", p)
    print(f"validate-renders: {len(files)} examples, {checked} artefacts checked")
    print(f"{checked - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
