"""`ecsroles audit --live --cluster` against moto (scripts/with-moto.sh): a cluster of five
services whose execution roles are, in turn, right; missing a secrets grant; over-granted
(AmazonECSTaskExecutionRolePolicy + `*`); missing kms:Decrypt for the customer managed key of
its secret; trusting the wrong principal. The audit must report each problem where it is and
nothing else, and exit 1.

  scripts/with-moto.sh .venv-moto/bin/python tests/audit_live.py target/debug/ecsroles
  scripts/with-moto.sh .venv-moto/bin/python tests/audit_live.py target/release/ecsroles --bench 50

The expected findings are written here from the task definitions and policies below (not
from ecsroles' output): a role allowing exactly the ECR pull and awslogs writes of its task is
"fine"; each defect names the action it lacks or the over-grant/trust it has.
"""

import json
import os
import subprocess
import sys
import time

import boto3

ACCOUNT = "123456789012"  # moto's
REGION = os.environ.get("AWS_REGION", "us-east-1")
CLUSTER = "shop"
ECS_TASKS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}

iam = boto3.client("iam")
ecs = boto3.client("ecs", region_name=REGION)
sm = boto3.client("secretsmanager", region_name=REGION)
kms = boto3.client("kms", region_name=REGION)
ec2 = boto3.client("ec2", region_name=REGION)
SUBNETS = []


def base_policy(service):
    """Exactly what a Fargate task with one private ECR image and awslogs needs."""
    return [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{service}",
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/{service}:*",
        },
    ]


def role(name, statements, trust=ECS_TASKS_TRUST, managed=()):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    if statements:
        iam.put_role_policy(
            RoleName=name,
            PolicyName="exec",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
    for m in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=m)
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def subnets():
    if not SUBNETS:
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        SUBNETS.append(ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"])
        SUBNETS.append(ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"])
    return SUBNETS


def service(name, exec_role, secrets=()):
    container = {
        "name": "app",
        "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}:1.0",
        "essential": True,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": f"/ecs/{name}", "awslogs-region": REGION, "awslogs-stream-prefix": "app"},
        },
    }
    if secrets:
        container["secrets"] = [{"name": f"S{i}", "valueFrom": s} for i, s in enumerate(secrets)]
    ecs.register_task_definition(
        family=name,
        executionRoleArn=exec_role,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[container],
    )
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=name,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": SUBNETS[:1] or subnets()[:1], "securityGroups": subnets()[1:]}},
    )


def seed_five():
    ecs.create_cluster(clusterName=CLUSTER)
    # 1. right
    service("web", role("web-exec", base_policy("web")))
    # 2. a secret, and no grant to read it
    plain = sm.create_secret(Name="billing/db", SecretString="x")["ARN"]
    service("billing", role("billing-exec", base_policy("billing")), [plain])
    # 3. the console's managed policy plus a wildcard inline policy: works, far too broad
    service(
        "reports",
        role(
            "reports-exec",
            [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            managed=["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
        ),
    )
    # 4. a secret under a customer managed key: the secret grant, not the key's
    key = kms.create_key(Description="orders")["KeyMetadata"]["Arn"]
    guarded = sm.create_secret(Name="orders/api", SecretString="x", KmsKeyId=key)["ARN"]
    service(
        "orders",
        role(
            "orders-exec",
            base_policy("orders") + [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": guarded}],
        ),
        [guarded],
    )
    # 5. right policy, wrong principal in the trust
    service("search", role("search-exec", base_policy("search"), trust=EC2_TRUST))
    return {"plain": plain, "key": key, "guarded": guarded}


def audit(binary, *extra):
    cmd = [binary, "audit", "--live", "--cluster", CLUSTER, *extra]
    t0 = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True)
    return out, time.monotonic() - t0


def check_five(binary):
    seeded = seed_five()
    out, _ = audit(binary, "--format", "json")
    assert out.returncode == 1, f"exit {out.returncode}, stderr: {out.stderr}"
    reports = {r["service"]: r for r in json.loads(out.stdout)}
    assert sorted(reports) == ["billing", "orders", "reports", "search", "web"], sorted(reports)

    def only_role(svc):
        roles = reports[svc]["roles"]
        assert [r["name"] for r in roles] == [f"{svc}-exec"], (svc, roles)
        r = roles[0]
        assert r["found"], (svc, r)
        assert r["unresolved"] == [], (svc, r["unresolved"])
        return r

    def missing(r):
        return sorted({(m["action"], m["resource"]) for m in r["missing"]})

    web = only_role("web")
    assert missing(web) == [] and web["overGrants"] == [] and web["trust"] == [], web

    billing = only_role("billing")
    assert missing(billing) == [("secretsmanager:GetSecretValue", seeded["plain"])], missing(billing)
    assert billing["overGrants"] == [] and billing["trust"] == [], billing

    reports_ = only_role("reports")
    assert missing(reports_) == [], missing(reports_)
    broad = {(o["action"], o["resource"]) for o in reports_["overGrants"]}
    assert ("*", "*") in broad, broad
    assert reports_["trust"] == [], reports_["trust"]

    orders = only_role("orders")
    got = missing(orders)
    assert got and {a for a, _ in got} == {"kms:Decrypt"}, got
    assert {r for _, r in got} == {seeded["key"]}, got
    assert orders["overGrants"] == [] and orders["trust"] == [], orders

    search = only_role("search")
    assert missing(search) == [] and search["overGrants"] == [], search
    assert len(search["trust"]) >= 1 and any("ecs-tasks.amazonaws.com" in t for t in search["trust"]), search["trust"]
    assert search["assumable"] is False and all(reports[s]["roles"][0]["assumable"] for s in ["web", "billing", "orders", "reports"])

    # One service; the summary and SARIF formats carry the same verdicts.
    one, _ = audit(binary, "--service-name", "billing")
    assert one.returncode == 1 and "== service billing" in one.stdout and "== service web" not in one.stdout, one.stdout
    assert "secretsmanager:GetSecretValue" in one.stdout, one.stdout
    fine, _ = audit(binary, "--service-name", "web")
    assert fine.returncode == 0 and "web-exec (Task execution role): fine" in fine.stdout, (fine.returncode, fine.stdout, fine.stderr)
    # A workload file (here: what describe-task-definition printed) with its roles read live.
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(ecs.describe_task_definition(taskDefinition="orders"), f, default=str)
    from_file = subprocess.run([binary, "audit", f.name, "--live", "--format", "json"], capture_output=True, text=True)
    os.unlink(f.name)
    assert from_file.returncode == 1, from_file.stderr
    got = {(m["action"], m["resource"]) for m in json.loads(from_file.stdout)["roles"][0]["missing"]}
    assert got == {("kms:Decrypt", seeded["key"])}, got

    # A role ECS cannot assume fails the task as surely as a missing grant: exit 1.
    untrusted, _ = audit(binary, "--service-name", "search")
    assert untrusted.returncode == 1 and "does not trust ecs-tasks.amazonaws.com" in untrusted.stdout, untrusted.stdout
    # Over-grants alone pass, unless asked to fail.
    broad, _ = audit(binary, "--service-name", "reports")
    assert broad.returncode == 0, broad.stdout
    broad, _ = audit(binary, "--service-name", "reports", "--fail-on", "over-grant")
    assert broad.returncode == 1, broad.stdout
    sarif, _ = audit(binary, "--format", "sarif")
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    by_rule = {}
    for r in results:
        by_rule.setdefault(r["ruleId"], set()).add(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
    assert by_rule["missing-grant"] == {f"ecs://{CLUSTER}/billing", f"ecs://{CLUSTER}/orders"}, by_rule
    assert by_rule["trust"] == {f"ecs://{CLUSTER}/search"}, by_rule
    assert by_rule["over-grant"] == {f"ecs://{CLUSTER}/reports"}, by_rule

    # A cluster that does not exist, and an unreadable endpoint: a clear error, exit 2.
    bad = subprocess.run([binary, "audit", "--live", "--cluster", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2 and "ecs:" in bad.stderr, (bad.returncode, bad.stderr)
    print("audit --live: 5 services, each defect reported where it is and nothing else")

    # The fix, applied to IAM as its JSON gives it (the IAM documents put on the roles, the
    # removals, the trust): every service then passes, over-grants included.
    fixed, _ = audit(binary, "--format", "json", "--fix", "iam")
    applied = 0
    for r in json.loads(fixed.stdout):
        fix = r.get("fix")
        if not fix:
            continue
        assert fix["blocked"] == [], fix["blocked"]
        for role in json.loads(fix["text"])["roles"] if fix["text"] else []:
            for name, doc in role.get("inlinePolicies", {}).items():
                iam.put_role_policy(RoleName=role["roleName"], PolicyName=name, PolicyDocument=json.dumps(doc))
            for arn in role.get("managedPolicyArns", []):
                iam.attach_role_policy(RoleName=role["roleName"], PolicyArn=arn)
        for rm in fix["remove"]:
            if rm["policy"].startswith("arn:"):
                iam.detach_role_policy(RoleName=rm["role"], PolicyArn=rm["policy"])
            else:
                iam.delete_role_policy(RoleName=rm["role"], PolicyName=rm["policy"])
        for t in fix["trust"]:
            iam.update_assume_role_policy(RoleName=t["role"], PolicyDocument=json.dumps(t["document"]))
        applied += 1
    assert applied == 4, f"{applied} services fixed, expected billing, orders, reports and search: {fixed.stdout}"
    after, _ = audit(binary, "--fail-on", "over-grant")
    assert after.returncode == 0, after.stdout
    print("audit --live --fix: applied to IAM, every service then passes (over-grants included)")


def check_fleet(binary):
    """An EC2 service whose cluster has two container instances with different instance
    profiles: the audit reads each instance's role from EC2 and IAM (not the name the plan would
    create) and judges both — one with AWS's managed instance policy (nothing missing), one
    allowing only ecs:DiscoverPollEndpoint (the agent's registration, the image pull and the
    log writes missing)."""
    cluster = "fleet"
    ecs.create_cluster(clusterName=cluster)
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instances = {}
    for node, managed, statements in [
        ("fleet-node-ok", ["arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"], []),
        ("fleet-node-bare", [], [{"Effect": "Allow", "Action": "ecs:DiscoverPollEndpoint", "Resource": "*"}]),
    ]:
        role(node, statements, trust=EC2_TRUST, managed=managed)
        profile = iam.create_instance_profile(InstanceProfileName=f"{node}-profile", Path="/ecs/")["InstanceProfile"]
        iam.add_role_to_instance_profile(InstanceProfileName=f"{node}-profile", RoleName=node)
        got = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1, IamInstanceProfile={"Arn": profile["Arn"]})
        instance = got["Instances"][0]["InstanceId"]
        instances[node] = instance
        ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=json.dumps({"instanceId": instance, "region": REGION, "accountId": ACCOUNT}))
    # An instance without a profile: said, not audited. (moto registers only EC2 instances, so
    # the ECS Anywhere note is not exercised here.)
    bare = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=json.dumps({"instanceId": bare, "region": REGION, "accountId": ACCOUNT}))
    ecs.register_task_definition(
        family="api",
        networkMode="bridge",
        requiresCompatibilities=["EC2"],
        containerDefinitions=[{
            "name": "api",
            "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api:1.0",
            "memory": 256,
            "essential": True,
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/api", "awslogs-region": REGION, "awslogs-stream-prefix": "api"}},
        }],
    )
    ecs.create_service(cluster=cluster, serviceName="api", taskDefinition="api", desiredCount=1, launchType="EC2")
    out = subprocess.run([binary, "audit", "--live", "--cluster", cluster, "--format", "json"], capture_output=True, text=True)
    assert out.returncode == 1, (out.returncode, out.stderr)
    [report] = json.loads(out.stdout)
    nodes = {r["name"]: r for r in report["roles"] if r["kind"] == "containerInstance"}
    assert sorted(nodes) == ["fleet-node-bare", "fleet-node-ok"], [r["name"] for r in report["roles"]]
    assert all(n["found"] for n in nodes.values()), nodes
    assert nodes["fleet-node-ok"]["missing"] == [], nodes["fleet-node-ok"]["missing"]
    lacking = {m["action"] for m in nodes["fleet-node-bare"]["missing"]}
    for a in ["ecs:RegisterContainerInstance", "ecs:Poll", "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "logs:PutLogEvents"]:
        assert a in lacking, (a, sorted(lacking))
    assert "ecs:DiscoverPollEndpoint" not in lacking, sorted(lacking)
    registered = [m["resource"] for m in nodes["fleet-node-bare"]["missing"] if m["action"] == "ecs:RegisterContainerInstance"]
    assert registered == [f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{cluster}"], registered
    notes = "\n".join(report.get("notes", []))
    assert instances["fleet-node-ok"] in notes and instances["fleet-node-bare"] in notes, notes
    assert f"{bare} of cluster {cluster} has no instance profile" in notes, notes
    assert "each is judged against it" in notes, notes

    print("audit --live: an EC2 service's container-instance roles read from its cluster's instances, each judged")


def bench(binary, n):
    """n services (a fifth of each kind above) → the time of one whole-cluster audit."""
    ecs.create_cluster(clusterName=CLUSTER)
    plain = sm.create_secret(Name="bench/db", SecretString="x")["ARN"]
    for i in range(n):
        name = f"svc{i:03d}"
        statements = base_policy(name)
        if i % 5 == 1:
            statements = statements[:2]  # no logs grant
        service(name, role(f"{name}-exec", statements), [plain] if i % 2 else [])
    runs = []
    for _ in range(3):
        out, took = audit(binary, "--format", "json")
        assert out.returncode == 1, out.stderr
        assert len(json.loads(out.stdout)) == n
        runs.append(took)
    print(f"audit --live --cluster with {n} services (moto on loopback): best {min(runs):.2f} s, runs {', '.join(f'{t:.2f}' for t in runs)}")


if __name__ == "__main__":
    binary = sys.argv[1]
    if "--bench" in sys.argv:
        bench(binary, int(sys.argv[sys.argv.index("--bench") + 1]))
    else:
        check_five(binary)
        check_fleet(binary)
