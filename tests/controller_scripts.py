"""What the controller scripts (scripts/controller_bench.py, scripts/chaos_soak.py) share: the
EcsRoleSet spec they create by the hundred, and the controller's /metrics read back."""
import re
import socket
import subprocess
import time
import urllib.request

ACCOUNT = "123456789012"


def install_crd(api, namespace, release=False):
    """The CRD as crdgen writes it (YAML, which the API server takes), and `namespace`."""
    profile = ["--release"] if release else []
    crd = subprocess.run(["cargo", "run", "-q", *profile, "-p", "ecsroles-controller", "--bin", "crdgen"],
                         capture_output=True, text=True, check=True).stdout
    code, body = api("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd,
                     content_type="application/yaml")
    assert code in (201, 409), body
    time.sleep(2)
    api("POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def controller_metrics(port):
    """({IAM operation: calls, all outcomes}, {reconcile result: count}) from /metrics."""
    text = ""
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                text = r.read().decode()
            break
        except OSError:
            time.sleep(0.1)
    calls = {}
    reconciles = {}
    for line in text.splitlines():
        m = re.match(r'ecsroles_iam_calls_total\{operation="(\w+)",outcome="(\w+)"\} (\d+)', line)
        if m:
            calls[m.group(1)] = calls.get(m.group(1), 0) + int(m.group(3))
        m = re.match(r'ecsroles_reconciles_total\{result="(\w+)"\} (\d+)', line)
        if m:
            reconciles[m.group(1)] = int(m.group(2))
    return calls, reconciles



def fargate_spec(family):
    """A Fargate service with an ECR image, awslogs, a secret and S3 access: an execution role
    and a task role."""
    return {
        "region": "us-east-1", "cluster": "prod", "launchType": "FARGATE",
        "taskDefinition": {
            "family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [{
                "name": "app", "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{family}:1",
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": f"/ecs/{family}", "awslogs-region": "us-east-1"}},
                "secrets": [{"name": "DB", "valueFrom": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{family}/db-AbCdEf"}],
            }],
        },
        "app": {"access": [{"s3": {"bucket": "acme-data", "prefix": f"{family}/", "access": "read"}}]},
    }
