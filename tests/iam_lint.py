#!/usr/bin/env python3
"""Lint every identity policy ecsroles generates for the examples with parliament (PyPI).

Fails on any finding above LOW. Trust policies are resource-based documents that parliament
does not model (it reports them MALFORMED for lacking Resource); they are checked structurally
here instead: one sts:AssumeRole statement per service principal.

Usage: tests/iam_lint.py <ecsroles binary> <example files...>
"""
import json
import subprocess
import sys

from parliament import analyze_policy_string, enhance_finding, is_arn_strictly_valid
from parliament.statement import get_arn_format, get_privilege_info

ALLOWED = {"LOW", "INFO"}


# Actions whose resource types parliament's bundled data predates: (action, the ARN pattern the
# Service Authorization Reference now lists). ecs:CreateTaskSet: "Resource types: task-set*"
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html);
# parliament 1.6.4 still says it takes only "*". ecr:BatchImportUpstreamImage (pull through
# cache): "Resource types: repository*"
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html).
STALE_RESOURCE_TYPES = {
    "ecs:CreateTaskSet": "arn:*:ecs:*:*:task-set/*",
    "ecr:BatchImportUpstreamImage": "arn:*:ecr:*:*:repository/*",
}


def as_list(v):
    return [v] if isinstance(v, str) else list(v or [])


def resources_for(doc, action):
    """The Resource entries of the statements that name `action` (NotAction/NotResource
    statements name none)."""
    return [r for s in doc["Statement"] if action in as_list(s.get("Action"))
            for r in as_list(s.get("Resource"))]


def stale_resource_types(doc, finding):
    """RESOURCE_MISMATCH "required_format: *" for an action of STALE_RESOURCE_TYPES, on a
    statement that does name a resource of the type AWS lists now."""
    if finding.issue != "RESOURCE_MISMATCH":
        return False
    import fnmatch
    for d in finding.detail:
        pattern = STALE_RESOURCE_TYPES.get(d["action"])
        if pattern is None or d["required_format"] != "*":
            return False
        if not any(fnmatch.fnmatchcase(r, pattern) for r in resources_for(doc, d["action"])):
            return False
    return True


def alternative_resource_types(doc, finding):
    """parliament's RESOURCE_MISMATCH for an action whose resource types are alternatives
    (elasticloadbalancing:ModifyListener takes an ALB *or* an NLB listener): parliament wants
    every type matched by some resource of the statement, so it flags AWS's own
    AmazonECSInfrastructureRolePolicyForLoadBalancers too. A false positive exactly when each
    resource of the statement matches one of the action's resource types; anything else stays
    a finding."""
    if finding.issue != "RESOURCE_MISMATCH":
        return False
    for d in finding.detail:
        service, action = d["action"].split(":", 1)
        info = get_privilege_info(service, action)
        formats = [
            (rt["resource_type"], get_arn_format(rt["resource_type"], info["service_resources"]))
            for rt in info["resource_types"]
            if "*" in rt["resource_type"]
        ]
        for r in resources_for(doc, d["action"]):
            if not any(is_arn_strictly_valid(t, f, r) for t, f in formats):
                return False
    return True


def documents(bundle):
    for role in bundle["roles"]:
        name = role.get("roleName") or role.get("roleNamePrefix")
        for policy_name, doc in role["inlinePolicies"].items():
            yield f"{name}/{policy_name}", doc, "identity"
        if "assumeRolePolicyDocument" in role:
            yield f"{name}/trust", role["assumeRolePolicyDocument"], "trust"
    comp = bundle["companions"]
    if "deployerPassRolePolicy" in comp:
        yield "deployer/passrole", comp["deployerPassRolePolicy"], "identity"


def check_trust(where, doc):
    problems = []
    for s in doc["Statement"]:
        if s.get("Action") != "sts:AssumeRole" or s.get("Effect") != "Allow":
            problems.append(f"{where}: trust statement must Allow sts:AssumeRole: {s}")
        svc = s.get("Principal", {}).get("Service", "")
        if not isinstance(svc, str) or not svc.endswith((".amazonaws.com", ".amazonaws.com.cn")):
            problems.append(f"{where}: trust principal must be one AWS service: {s}")
        if "Resource" in s or "NotResource" in s:
            problems.append(f"{where}: trust statements take no Resource: {s}")
    return problems


def main():
    binary, files = sys.argv[1], sys.argv[2:]
    problems, checked = [], 0
    for f in files:
        cmd = [binary, "plan", f, "--format", "iam"]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if "${AWS::" in out.stdout:
            # A plan with an open account/region is a template (CloudFormation/Terraform fill
            # it in); IAM JSON must be concrete, so pin the region as a user would.
            out = subprocess.run(cmd + ["--region", "us-east-1"], capture_output=True, text=True)
        if out.returncode not in (0, 1):
            problems.append(f"{f}: ecsroles failed: {out.stderr.strip()}")
            continue
        bundle = json.loads(out.stdout)
        for where, doc, kind in documents(bundle):
            checked += 1
            if kind == "trust":
                problems += [f"{f}: {p}" for p in check_trust(where, doc)]
                continue
            policy = analyze_policy_string(json.dumps(doc))
            for finding in policy.findings:
                finding = enhance_finding(finding)
                if (finding.severity not in ALLOWED and not alternative_resource_types(doc, finding)
                        and not stale_resource_types(doc, finding)):
                    problems.append(f"{f}: {where}: {finding.severity} {finding.issue} {finding.detail}")
    # The controller's own policy, with and without a mandatory boundary.
    for extra in ([], ["--boundary", "arn:aws:iam::123456789012:policy/ecs-boundary",
                       "--allow-managed-policy", "arn:aws:iam::aws:policy/service-role/*"]):
        out = subprocess.run([binary, "controller-policy", "--account", "123456789012",
                              "--cluster-id", "prod", *extra], capture_output=True, text=True)
        checked += 1
        if out.returncode != 0:
            problems.append(f"controller-policy {extra}: {out.stderr.strip()}")
            continue
        for finding in analyze_policy_string(out.stdout).findings:
            finding = enhance_finding(finding)
            if finding.severity not in ALLOWED:
                problems.append(f"controller-policy {extra}: {finding.severity} {finding.issue} {finding.detail}")
    for p in problems:
        print("FAIL", p)
    print(f"iam-lint: {checked} documents from {len(files)} examples checked")
    print(f"{checked - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
