#!/usr/bin/env python3
"""Proves `--format terraform-module` gives exactly the plan's grants, for module v6 and v7.

For each input, renders the plan (`--format json`) and the module inputs (`--format
terraform-module --module-version N`), then:

1. models what terraform-aws-modules/ecs creates from those inputs — written from the module's
   source, independently of the Rust renderer (links below; the logic is the same in every
   release of a major for the parts modelled here);
2. adds the resources the rendered file declares (roles, inline policies, attachments, instance
   profiles);
3. compares, role by role, the union with the plan: the same grants (action × resource ×
   condition atoms, managed policy ARNs), the same trust where the module makes the role, and
   no role the plan does not have. Where the file does not say, the model assumes the user's
   module block does the worst it can (a load balancer on a non-awsvpc service, a
   deployment_configuration on v7), because the user merges these inputs into their own block.
4. checks that every module argument exists in every release of that major
   (tests/data/terraform-aws-ecs/v{N}-{service,cluster}-variables.txt).

Module sources modelled (the tags the variable lists end at):
  https://github.com/terraform-aws-modules/terraform-aws-ecs/blob/v6.12.0/modules/service/main.tf
  https://github.com/terraform-aws-modules/terraform-aws-ecs/blob/v7.5.0/modules/service/main.tf
  https://github.com/terraform-aws-modules/terraform-aws-ecs/blob/v7.5.0/modules/cluster/main.tf

Usage: tests/terraform_module_model.py <ecsroles binary> <input files...>
"""
import json
import os
import re
import subprocess
import sys

import hcl2

HERE = os.path.dirname(os.path.abspath(__file__))
PLACEHOLDERS = {
    "${var.account_id}": "${AWS::AccountId}",
    "${var.region}": "${AWS::Region}",
    "${var.partition}": "${AWS::Partition}",
}
problems = []


def fail(msg):
    problems.append(msg)


# ---------------------------------------------------------------------------------------------
# HCL values as python-hcl2 gives them: strings keep their quotes, references are "${...}".

def unquote(v):
    """A literal HCL value → Python; a reference stays ("ref", expression)."""
    if isinstance(v, bool) or v is None or isinstance(v, (int, float)):
        return v
    if isinstance(v, list):
        return [unquote(x) for x in v]
    if isinstance(v, dict):
        # python-hcl2 adds "__is_block__" / "__comments__" bookkeeping keys.
        return {unquote_key(k): unquote(x) for k, x in v.items() if not k.startswith("__")}
    s = v.strip()
    if s.startswith('"') and s.endswith('"'):
        body = s[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        for tf, ph in PLACEHOLDERS.items():
            body = body.replace(tf, ph)
        return body.replace("$${", "${").replace("%%{", "%{")
    if s in ("true", "false"):
        return s == "true"
    if s.startswith("${") and s.endswith("}"):
        return ("ref", s[2:-1])
    return ("ref", s)


def unquote_key(k):
    k = k.strip()
    return k[1:-1] if k.startswith('"') and k.endswith('"') else k


def jsonencode(v):
    """`${jsonencode({...})}` → the document as Python data."""
    assert isinstance(v, str) and v.startswith("${jsonencode(") and v.endswith(")}"), v
    inner = v[len("${jsonencode("):-2]
    return unquote(hcl2.loads("x = " + inner + "\n")["x"])


# ---------------------------------------------------------------------------------------------
# Grants as atoms: (effect, action | "not:" action, resource | "not:" resource, conditions).

def as_list(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def freeze_conditions(c):
    return tuple(sorted((op, k, tuple(sorted(as_list(v)))) for op, keys in (c or {}).items() for k, v in keys.items()))


def atoms(effect, actions, not_actions, resources, not_resources, conditions):
    acts = [a.lower() for a in actions] + ["not:" + a.lower() for a in not_actions]
    ress = list(resources) + ["not:" + r for r in not_resources]
    cond = freeze_conditions(conditions)
    return {(effect, a, r, cond) for a in acts for r in ress}


def iam_statement_atoms(st):
    """A statement in IAM's JSON form (what jsonencode writes)."""
    return atoms(st.get("Effect", "Allow"), as_list(st.get("Action")), as_list(st.get("NotAction")),
                 as_list(st.get("Resource")), as_list(st.get("NotResource")), st.get("Condition"))


def plan_statement_atoms(st):
    """A statement as the plan's JSON has it."""
    return atoms(st.get("effect", "Allow"), st.get("actions", []), st.get("notActions", []),
                 st.get("resources", []), st.get("notResources", []), st.get("conditions"))


def module_statement_atoms(st):
    """A statement in the module's `list(object({sid, actions, resources, condition…}))` form."""
    cond = {}
    for c in as_list(st.get("condition")):
        cond.setdefault(c["test"], {})[c["variable"]] = c["values"]
    return atoms(st.get("effect", "Allow"), st.get("actions") or [], st.get("not_actions") or [],
                 st.get("resources") or [], st.get("not_resources") or [], cond)


def trust_key(principal_service, conditions):
    return (principal_service, freeze_conditions(conditions))


def plan_trust(role):
    doc = role.get("trustPolicy")
    if not doc or len(doc["statements"]) != 1:
        return None
    st = doc["statements"][0]
    return trust_key(st.get("principal", {}).get("Service"), st.get("conditions"))


def resource_trust(doc):
    [st] = as_list(doc["Statement"])
    return trust_key(st.get("Principal", {}).get("Service"), st.get("Condition"))


# ---------------------------------------------------------------------------------------------
# The module's logic (see the links in the docstring).

# modules/service: (create flag, its default, the ARN input used when off, the plan kind).
WIRING = [
    ("create_task_exec_iam_role", True, "task_exec_iam_role_arn", "taskExecution"),
    ("create_tasks_iam_role", True, "tasks_iam_role_arn", "task"),
    ("create_iam_role", True, "iam_role_arn", "service"),
    ("create_infrastructure_iam_role", True, "infrastructure_iam_role_arn", "volumeInfrastructure"),
]


class Made:
    """A role that will exist: its name (or prefix), trust, grants, managed policies."""

    def __init__(self, origin, name=None, prefix=None, trust=None, existing=False, settings=None):
        self.origin, self.name, self.prefix, self.trust, self.existing = origin, name, prefix, trust, existing
        self.grants, self.managed, self.profiles = set(), set(), set()
        # (path, permissions boundary, max session, tags) as the role will have them
        self.settings = settings

    def __repr__(self):
        return f"{self.origin}({self.name or (self.prefix or '') + '*'})"


def module_role_name(args, stem):
    name = args.get(f"{stem}_name")
    if args.get(f"{stem}_use_name_prefix", True):
        # v6/v7: name_prefix = "${name}-"; the module's default name needs var.name, which the
        # user's block has and we do not know — a made-up value makes the comparison fail.
        return None, (name or "<var.name>") + "-"
    return name or "<var.name>", None


def execution_policy(x, args):
    """data "aws_iam_policy_document" "task_exec" (service and cluster main.tf alike)."""
    if args.get("create_task_exec_policy", True):
        x.grants |= atoms("Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], [], ["*"], [], None)
        x.grants |= atoms("Allow", ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                                    "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], [], ["*"], [], None)
        x.grants |= atoms("Allow", ["ssm:GetParameters"], [], args.get("task_exec_ssm_param_arns", []), [], None)
        x.grants |= atoms("Allow", ["secretsmanager:GetSecretValue"], [], args.get("task_exec_secret_arns", []), [], None)
        statements = args.get("task_exec_iam_statements") or []
        # a list in modules/service, a map in modules/cluster
        for st in statements.values() if isinstance(statements, dict) else statements:
            x.grants |= module_statement_atoms(st)
    x.managed |= set((args.get("task_exec_iam_role_policies") or {}).values())


def model_module_roles(args, sub, major, plan, block):
    """The roles modules/<sub> makes from `args` (the user's other inputs: worst case)."""
    P, R, A = plan["partition"], plan["region"], plan["account"]
    made = {}

    def role(stem, create, default_create, service, conditions=None):
        if not args.get(create, default_create):
            return None
        name, prefix = module_role_name(args, stem)
        # path / permissions_boundary / max_session_duration / tags = the {stem}_* inputs (tags
        # merged with the block's var.tags, which the user's block may add to)
        settings = (args.get(f"{stem}_path", "/"), args.get(f"{stem}_permissions_boundary"),
                    args.get(f"{stem}_max_session_duration") or 3600, args.get(f"{stem}_tags") or {})
        m = Made(f"module.{block}.{stem}", name, prefix, trust_key(service, conditions or {}), settings=settings)
        made[f"module.{block}.{stem}"] = m
        return m

    if sub == "service":
        # resource "aws_iam_role" "task_exec" + data "aws_iam_policy_document" "task_exec"
        x = role("task_exec_iam_role", "create_task_exec_iam_role", True, "ecs-tasks.amazonaws.com")
        if x:
            execution_policy(x, args)
        # resource "aws_iam_role" "tasks" (trust with aws:SourceArn/aws:SourceAccount)
        t = role("tasks_iam_role", "create_tasks_iam_role", True, "ecs-tasks.amazonaws.com",
                 {"ArnLike": {"aws:SourceArn": [f"arn:{P}:ecs:{R}:{A}:*"]}, "StringEquals": {"aws:SourceAccount": [A]}})
        if t:
            if args.get("enable_execute_command", False):
                t.grants |= atoms("Allow", ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                                            "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], [], ["*"], [], None)
            for st in args.get("tasks_iam_role_statements") or []:
                t.grants |= module_statement_atoms(st)
            t.managed |= set((args.get("tasks_iam_role_policies") or {}).values())
        # needs_iam_role = network_mode != "awsvpc" && load_balancer != null (assumed set)
        if plan.get("networkMode", "awsvpc") != "awsvpc":
            s = role("iam_role", "create_iam_role", True, "ecs.amazonaws.com")
            if s:
                s.grants |= atoms("Allow", ["ec2:Describe*", "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
                                            "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:Describe*",
                                            "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
                                            "elasticloadbalancing:RegisterTargets"], [], ["*"], [], None)
        # needs_infrastructure_iam_role: volume_configuration || vpc_lattice_configurations
        # (|| deployment_configuration in v7) — any of which the user's block may set
        uses_volumes = any(r["kind"] == "volumeInfrastructure" for r in plan["roles"])
        i = role("infrastructure_iam_role", "create_infrastructure_iam_role", True, "ecs.amazonaws.com")
        if i:
            if uses_volumes:
                i.managed.add(f"arn:{P}:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes")
            if major == 7:
                i.managed.add(f"arn:{P}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers")
        # the module's var.iam_role_arn etc. only pass ARNs: nothing is created
    else:
        # the cluster's execution role: off by default, same policy document as the service's
        x = role("task_exec_iam_role", "create_task_exec_iam_role", False, "ecs-tasks.amazonaws.com")
        if x:
            execution_policy(x, args)
        managed_instances = plan.get("launchType") == "MANAGED_INSTANCES"
        if major == 7 and managed_instances:
            # local.managed_instances_enabled: the user's capacity provider has managed_instances_provider
            i = role("infrastructure_iam_role", "create_infrastructure_iam_role", True, "ecs.amazonaws.com")
            if i:
                i.grants |= atoms("Allow", ["ec2:DescribeInstances"], [], ["*"], [], None)  # and more
            n = role("node_iam_role", "create_node_iam_instance_profile", True, "ec2.amazonaws.com")
            if n:
                n.grants |= atoms("Allow", ["ecs:DiscoverPollEndpoint"], [], ["*"], [], None)  # and more
    return made


# ---------------------------------------------------------------------------------------------

def variables(major, sub):
    path = os.path.join(HERE, "data", "terraform-aws-ecs", f"v{major}-{sub}-variables.txt")
    with open(path) as fh:
        return {line.strip() for line in fh if line.strip() and not line.startswith("#")}


def check(binary, f, major, mutate=lambda text: text):
    where = f"{f} (v{major})"
    p = subprocess.run([binary, "plan", f, "--format", "json"], capture_output=True, text=True)
    plan = json.loads(p.stdout)
    r = subprocess.run([binary, "plan", f, "--format", "terraform-module", "--module-version", str(major)],
                       capture_output=True, text=True)
    text = mutate(r.stdout)
    if f'version = "~> {major}.0"' not in text or f"ecs v{major}" not in text.splitlines()[0]:
        fail(f"{where}: the header or a module block does not name v{major}")
    doc = hcl2.loads(text)

    made = {}
    blocks = {}
    service_block_args = {}
    for block in doc.get("module", []):
        for name, body in block.items():
            name = unquote_key(name)
            args = unquote(body)
            source = args.pop("source")
            args.pop("version", None)
            sub = source.rsplit("/", 1)[-1]
            blocks[sub] = name
            known = variables(major, sub)
            for k in args:
                if k not in known:
                    fail(f"{where}: modules/{sub} v{major} has no input {k!r}")
            made.update(model_module_roles(args, sub, major, plan, name))
            if sub == "service":
                service_block_args = args
    if "service" not in blocks:
        fail(f"{where}: no modules/service block")
        blocks["service"] = "ecs_service"
    if "cluster" not in blocks and plan.get("launchType") == "MANAGED_INSTANCES" and major == 7:
        # The user's own cluster block (with its defaults) makes the Managed Instances roles.
        made.update(model_module_roles({}, "cluster", major, plan, "ecs_cluster"))

    resources = {}
    for block in doc.get("resource", []):
        for rtype, named in block.items():
            for rname, body in named.items():
                resources.setdefault(unquote_key(rtype), {})[unquote_key(rname)] = body
    for rname, body in resources.get("aws_iam_role", {}).items():
        name, prefix = unquote(body.get("name")), unquote(body.get("name_prefix"))
        settings = (unquote(body.get("path", '"/"')), unquote(body.get("permissions_boundary")),
                    unquote(body.get("max_session_duration")) or 3600, unquote(body.get("tags")) or {})
        made[f"aws_iam_role.{rname}"] = Made(f"aws_iam_role.{rname}", name, prefix,
                                             resource_trust(jsonencode(body["assume_role_policy"])), settings=settings)

    def target(expr):
        v = unquote(expr)
        if isinstance(v, tuple):
            ref = re.sub(r"\.(name|arn)$", "", v[1])
            ref = re.sub(r"_name$", "", ref) if ref.startswith("module.") else ref
            if ref not in made:
                fail(f"{where}: {v[1]} names no role this file makes")
                made[ref] = Made(ref)
            return made[ref]
        key = f"existing:{v}"
        made.setdefault(key, Made(key, v, existing=True))
        return made[key]

    for body in resources.get("aws_iam_role_policy", {}).values():
        for st in as_list(jsonencode(body["policy"])["Statement"]):
            target(body["role"]).grants |= iam_statement_atoms(st)
    for body in resources.get("aws_iam_role_policy_attachment", {}).values():
        target(body["role"]).managed.add(unquote(body["policy_arn"]))
    for body in resources.get("aws_iam_instance_profile", {}).values():
        target(body["role"]).profiles.add(unquote(body["name"]))

    unclaimed = dict(made)
    matched = {}
    for role in plan["roles"]:
        if role["provisioning"] == "serviceLinked":  # AWS writes them
            continue
        want_name, want_prefix = role.get("name"), role.get("namePrefix")
        match = [k for k, m in unclaimed.items() if (want_name and m.name == want_name) or (want_prefix and m.prefix == want_prefix)]
        if not match and role["provisioning"] == "existing" and not role["inlinePolicies"] and not role["managedPolicies"]:
            continue  # an existing role the workload adds nothing to
        if len(match) != 1:
            fail(f"{where}: {role['kind']} ({want_name or want_prefix}): {len(match)} roles made for it: {match} of {list(made.values())}")
            continue
        m = unclaimed.pop(match[0])
        want = set()
        for pol in role["inlinePolicies"]:
            for st in pol["document"]["statements"]:
                want |= plan_statement_atoms(st)
        if m.grants != want:
            extra = sorted(m.grants - want)[:4]
            missing = sorted(want - m.grants)[:4]
            fail(f"{where}: {role['kind']} via {m.origin}: grants differ from the plan; beyond it {extra}, missing {missing}")
        want_managed = {x["arn"] for x in role["managedPolicies"]}
        if m.managed != want_managed:
            fail(f"{where}: {role['kind']} via {m.origin}: managed policies {sorted(m.managed)}, plan {sorted(want_managed)}")
        if role["provisioning"] == "create" and m.trust != plan_trust(role):
            fail(f"{where}: {role['kind']} via {m.origin}: trust {m.trust}, plan {plan_trust(role)}")
        if role["provisioning"] == "create":
            want_settings = (role["path"], role.get("permissionsBoundary"), role.get("maxSessionDuration") or 3600, role.get("tags") or {})
            if m.settings != want_settings:
                fail(f"{where}: {role['kind']} via {m.origin}: path/boundary/session/tags {m.settings}, plan {want_settings}")
        matched[role["kind"]] = m
        want_profile = {role["instanceProfile"]["name"]} if role.get("instanceProfile") else set()
        if m.profiles != want_profile:
            fail(f"{where}: {role['kind']}: instance profiles {m.profiles}, plan {want_profile}")
    for k, m in unclaimed.items():
        fail(f"{where}: {m.origin} makes a role the plan does not have")

    # Wiring: a role the module does not make reaches the service through its ARN input, and
    # that input must name the plan's role of that kind.
    service_args = service_block_args
    for create, default, arn_input, kind in WIRING:
        if service_args.get(create, default) or kind not in matched:
            continue
        value = service_args.get(arn_input)
        m = matched[kind]
        if value is None:
            fail(f"{where}: {kind}: {create} = false and no {arn_input}: the service gets no such role")
        elif isinstance(value, tuple):
            ref = re.sub(r"\.arn$", "", value[1])
            ref = re.sub(r"_arn$", "", ref) if ref.startswith("module.") else ref
            if made.get(ref) is not m:
                fail(f"{where}: {arn_input} = {value[1]} is not the plan's {kind} role ({m.origin})")
        else:
            plan_role = next(r for r in plan["roles"] if r["kind"] == kind)
            if value != plan_role["arn"]:
                fail(f"{where}: {arn_input} = {value}, the plan's {kind} role is {plan_role['arn']}")


def main():
    binary, files = sys.argv[1], sys.argv[2:]
    n = 0
    for f in files:
        for major in (6, 7):
            before = len(problems)
            try:
                check(binary, f, major)
            except Exception as e:  # an unreadable render is a failure, not a crash
                fail(f"{f} (v{major}): {type(e).__name__}: {e}")
            n += 1
            if len(problems) > before:
                print(f"FAIL {f} v{major}")
    # The model must be able to fail: without `create_task_exec_policy = false` the module's own
    # Logs/ECR statements on "*" join the execution role, and the check has to say so.
    mutated = 0
    for f in files:
        dropped = []

        def drop(text):
            out, k = re.subn(r"(?m)^ *create_task_exec_policy *= *false\n", "", text)
            dropped.append(k)
            return out

        before = len(problems)
        check(binary, f, 7, drop)
        caught = problems[before:]
        del problems[before:]
        if any("beyond it" in c and "'*'" in c for c in caught):
            mutated += 1
        elif any(dropped):
            fail(f"{f}: mutation check: dropping create_task_exec_policy = false went unnoticed")
    for p in problems:
        print("FAIL", p)
    print(f"terraform-module model: mutation (create_task_exec_policy dropped) caught on {mutated} inputs")
    print(f"terraform-module model: {n} renders ({len(files)} inputs × v6, v7), {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
