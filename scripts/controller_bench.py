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
import signal
import subprocess
import sys
import time

BIN, N = sys.argv[1], int(sys.argv[2])
NS = "bench"
ACCOUNT = "123456789012"
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from k8s_api import Api  # noqa: E402
from controller_scripts import controller_metrics as metrics, fargate_spec, free_port, install_crd  # noqa: E402

_admin = Api()
api = _admin.call


def start_controller(port):
    env = dict(os.environ, RUST_LOG="warn")
    return subprocess.Popen(
        [BIN, "--cluster-id", "bench", "--account-id", ACCOUNT, "--watch-namespaces", NS,
         "--http-addr", f"127.0.0.1:{port}", "--iam-calls-per-second", "1000",
         "--concurrency", "16", "--resync-seconds", "3600"],
        env=env, stdout=subprocess.DEVNULL)


def rss_kb(pid):
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def ready_count():
    _, lst = api("GET", f"/apis/ecsroles.dev/v1alpha1/namespaces/{NS}/ecsrolesets?limit=5000")
    n = 0
    for o in lst.get("items", []):
        st = o.get("status", {})
        if any(c["type"] == "Ready" and c["status"] == "True" for c in st.get("conditions", [])):
            n += 1
    return n


def main():
    install_crd(api, NS, release=True)

    port = free_port()
    proc = start_controller(port)
    time.sleep(1)
    t0 = time.monotonic()
    for i in range(N):
        code, body = api("POST", f"/apis/ecsroles.dev/v1alpha1/namespaces/{NS}/ecsrolesets", {
            "apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSet",
            "metadata": {"name": f"w{i}"}, "spec": fargate_spec(f"w{i}")})
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
