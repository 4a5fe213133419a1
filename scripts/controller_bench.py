#!/usr/bin/env python3
"""Controller benchmark: apply N EcsRoleSets and print figures.

Run inside scripts/with-k8s.sh (real kube-apiserver + moto), e.g. `just controller-bench 1000`:
  1. start the release controller binary (one process, as in production),
  2. create N EcsRoleSets (a Fargate workload: execution + task role each) at once,
  3. time until every one is Ready=True, and count IAM calls per reconcile from /metrics,
  4. restart the controller: every object gets one no-op reconcile; count its IAM calls,
  5. report the controller's resident memory (VmRSS now, VmHWM peak),
  6. delete all N: time until every finalizer is gone, IAM calls per set.
Figures, not pass/fail: these machines are shared and noisy.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

BIN, N = sys.argv[1], int(sys.argv[2])
NS = "bench"
ACCOUNT = "123456789012"
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from k8s_api import Api  # noqa: E402

_admin = Api()
api = _admin.call


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start_controller(port):
    env = dict(os.environ, RUST_LOG="warn")
    return subprocess.Popen(
        [BIN, "--cluster-id", "bench", "--account-id", ACCOUNT, "--watch-namespaces", NS,
         "--http-addr", f"127.0.0.1:{port}", "--iam-calls-per-second", "1000",
         "--concurrency", "16", "--resync-seconds", "3600"],
        env=env, stdout=subprocess.DEVNULL)


def metrics(port):
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


def rss_kb(pid):
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def spec(i):
    fam = f"w{i}"
    return {
        "region": "us-east-1", "cluster": "prod", "launchType": "FARGATE",
        "taskDefinition": {
            "family": fam, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [{
                "name": "app", "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{fam}:1",
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": f"/ecs/{fam}", "awslogs-region": "us-east-1"}},
                "secrets": [{"name": "DB", "valueFrom": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{fam}/db-AbCdEf"}],
            }],
        },
        "app": {"access": [{"s3": {"bucket": "acme-data", "prefix": f"{fam}/", "access": "read"}}]},
    }


def ready_count():
    _, lst = api("GET", f"/apis/ecsroles.dev/v1alpha1/namespaces/{NS}/ecsrolesets?limit=5000")
    n = 0
    for o in lst.get("items", []):
        st = o.get("status", {})
        if any(c["type"] == "Ready" and c["status"] == "True" for c in st.get("conditions", [])):
            n += 1
    return n


def main():
    crd = subprocess.run(["cargo", "run", "-q", "--release", "-p", "ecsroles-controller", "--bin", "crdgen"],
                         capture_output=True, text=True, check=True).stdout
    # The CRD is YAML; the API server takes JSON or YAML.
    code, body = api("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd,
                     content_type="application/yaml")
    assert code in (201, 409), body
    time.sleep(2)
    api("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})

    port = free_port()
    proc = start_controller(port)
    time.sleep(1)
    t0 = time.monotonic()
    for i in range(N):
        code, body = api("POST", f"/apis/ecsroles.dev/v1alpha1/namespaces/{NS}/ecsrolesets", {
            "apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSet",
            "metadata": {"name": f"w{i}"}, "spec": spec(i)})
        assert code == 201, body
    t_applied = time.monotonic() - t0
    while ready_count() < N:
        if proc.poll() is not None:
            sys.exit("controller exited")
        time.sleep(0.5)
    t_ready = time.monotonic() - t0
    calls, rec = metrics(port)
    rss, hwm = rss_kb(proc.pid)
    writes = {k: v for k, v in calls.items() if not k.startswith(("Get", "List"))}
    reads = {k: v for k, v in calls.items() if k.startswith(("Get", "List"))}
    print(f"N={N}: {2 * N} roles; all applied in {t_applied:.1f} s, all Ready after {t_ready:.1f} s "
          f"({N / t_ready:.1f} EcsRoleSets/s)")
    print(f"  create: {sum(writes.values()) / N:.2f} writes + {sum(reads.values()) / N:.2f} reads per reconcile "
          f"({rec.get('ok', 0)} ok reconciles); writes {writes}")
    print(f"  controller RSS {rss / 1024:.1f} MiB (peak {hwm / 1024:.1f} MiB)")

    # Restart: one no-op reconcile per object.
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    port = free_port()
    proc = start_controller(port)
    t0 = time.monotonic()
    while True:
        calls, rec = metrics(port)
        if rec.get("ok", 0) >= N:
            break
        time.sleep(0.5)
    t_noop = time.monotonic() - t0
    rss, hwm = rss_kb(proc.pid)
    writes = sum(v for k, v in calls.items() if not k.startswith(("Get", "List")))
    reads = sum(v for k, v in calls.items() if k.startswith(("Get", "List")))
    print(f"  no-op resync of all {N}: {t_noop:.1f} s; {reads / N:.2f} reads ({reads / (2 * N):.2f} per role) "
          f"and {writes} writes in total")
    print(f"  controller RSS after the no-op pass {rss / 1024:.1f} MiB (peak {hwm / 1024:.1f} MiB)")

    # Delete all: time until the finalizers are gone, IAM calls per set.
    before = sum(calls.values())
    t0 = time.monotonic()
    for i in range(N):
        code, body = api("DELETE", f"/apis/ecsroles.dev/v1alpha1/namespaces/{NS}/ecsrolesets/w{i}")
        assert code in (200, 202), body
    while True:
        _, lst = api("GET", f"/apis/ecsroles.dev/v1alpha1/namespaces/{NS}/ecsrolesets")
        if not lst.get("items"):
            break
        if proc.poll() is not None:
            sys.exit("controller exited")
        time.sleep(0.5)
    t_delete = time.monotonic() - t0
    calls, _ = metrics(port)
    total = sum(calls.values()) - before
    print(f"  delete all {N}: {t_delete:.1f} s; {total / N:.2f} IAM calls per set (2 roles each)")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


main()
