#!/usr/bin/env python3
"""Chaos soak: the controller through IAM faults and kills, bounded in time, loopback only.

Run inside scripts/with-k8s.sh (real kube-apiserver + moto), e.g. `just chaos-soak 100`:
  1. tests/fault_proxy.py between the controller and moto: ~15 % of IAM requests throttled,
     failed (500/503), reset, delayed 8 s, or (writes) carried out with the answer lost;
  2. N EcsRoleSets created at once, the controller killed (-9) and restarted `--kills` times
     at random moments while they converge;
  3. every set Ready, and IAM exactly as the controller wants it: a fresh controller with the
     faults off reconciles every set once and writes nothing (its diff of desired against
     actual is empty); every recorded role exists once, owned by its set; nothing else is;
  4. all deleted, faults on, one more kill mid-way → nothing owned by this cluster left in IAM
     (within a minute: a request delayed past its set's cleanup can re-create a role, which
     the orphan sweep then deletes).
Exits non-zero if any of it fails; prints its figures. Needs .venv-moto's boto3 (to read moto
directly, not through the proxy).
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from fault_proxy import FaultProxy  # noqa: E402
from k8s_api import Api  # noqa: E402
from controller_scripts import controller_metrics, fargate_spec, free_port, install_crd  # noqa: E402

import boto3  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("bin")
p.add_argument("n", type=int)
p.add_argument("--kills", type=int, default=3)
p.add_argument("--fault-rate", type=float, default=0.15)
p.add_argument("--limit", type=float, default=600, help="seconds for each phase before giving up")
p.add_argument("--seed", type=int, default=7)
args = p.parse_args()

NS, CLUSTER, ACCOUNT = "soak", "soak", "123456789012"
GROUP = "/apis/ecsroles.dev/v1alpha1"
api = Api().call
rnd = random.Random(args.seed)
T0 = time.monotonic()
moto = os.environ["ECSROLES_TEST_MOTO"]
iam = boto3.client("iam", endpoint_url=moto, region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
proxy = FaultProxy(moto, args.fault_rate, seed=args.seed)
failures = []
# Each controller's log (info for the controller, warn for the rest), for a failure's story.
LOGS = tempfile.mkdtemp(prefix="chaos-soak-")


def check(ok, what):
    if not ok:
        failures.append(what)
        print(f"  FAIL: {what}", flush=True)


class Controller:
    """The controller binary, its IAM traffic through the proxy."""

    started = 0

    def __init__(self):
        self.port = free_port()
        Controller.started += 1
        self.log = os.path.join(LOGS, f"controller-{Controller.started}.log")
        env = dict(os.environ, RUST_LOG="warn,ecsroles_controller=info", AWS_ENDPOINT_URL_IAM=proxy.url)
        self.proc = subprocess.Popen(
            [args.bin, "--cluster-id", CLUSTER, "--account-id", ACCOUNT, "--watch-namespaces", NS,
             "--http-addr", f"127.0.0.1:{self.port}", "--iam-calls-per-second", "200",
             "--iam-call-timeout-seconds", "10", "--resync-seconds", "3600", "--sweep-seconds", "5"],
            env=env, stdout=open(self.log, "w"))
        print(f"  {time.monotonic() - T0:7.2f} s controller #{Controller.started} started", flush=True)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        print(f"  {time.monotonic() - T0:7.2f} s controller #{Controller.started} killed", flush=True)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)

    def metrics(self):
        """(IAM writes, IAM reads, {reconcile result: count})."""
        calls, reconciles = controller_metrics(self.port)
        reads = sum(v for k, v in calls.items() if k.startswith(("Get", "List")))
        return sum(calls.values()) - reads, reads, reconciles


def sets():
    _, lst = api("GET", f"{GROUP}/namespaces/{NS}/ecsrolesets?limit=5000")
    return lst.get("items", [])


def is_ready(o):
    st = o.get("status", {})
    return st.get("observedGeneration") == o["metadata"].get("generation") and any(
        c["type"] == "Ready" and c["status"] == "True" for c in st.get("conditions", []))


def owned_in_iam():
    """Every role and instance profile in moto tagged as this cluster's: {name: set uid}."""
    out = {}
    for page in iam.get_paginator("list_roles").paginate():
        for r in page["Roles"]:
            tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=r["RoleName"])["Tags"]}
            if tags.get("ecsroles.dev/cluster") == CLUSTER:
                out[r["RoleName"]] = tags.get("ecsroles.dev/uid")
    for page in iam.get_paginator("list_instance_profiles").paginate():
        for prof in page["InstanceProfiles"]:
            tags = {t["Key"]: t["Value"] for t in prof.get("Tags", [])}
            if tags.get("ecsroles.dev/cluster") == CLUSTER:
                out["profile:" + prof["InstanceProfileName"]] = tags.get("ecsroles.dev/uid")
    return out


def converge(ctl, done, what, progress):
    """Waits for `done()`, killing and restarting the controller at random moments."""
    kills = 0
    t0 = time.monotonic()
    report = t0 + 15
    next_kill = t0 + rnd.uniform(1, 4)
    while not done():
        if time.monotonic() - t0 > args.limit:
            check(False, f"{what}: not done within {args.limit:.0f} s")
            return ctl, kills, time.monotonic() - t0
        if kills < args.kills and time.monotonic() >= next_kill:
            ctl.kill()
            kills += 1
            ctl = Controller()
            next_kill = time.monotonic() + rnd.uniform(1, 4)
        if time.monotonic() >= report:
            report = time.monotonic() + 15
            print(f"  … {what}: {time.monotonic() - t0:.0f} s, {progress()}; {proxy.summary()}", flush=True)
        if ctl.proc.poll() is not None:
            check(False, f"{what}: the controller exited on its own ({ctl.proc.returncode})")
            ctl = Controller()
        time.sleep(0.3)
    return ctl, kills, time.monotonic() - t0


def swept():
    """Objects the controllers' orphan sweeps deleted, counted from their logs."""
    n = 0
    for k in range(1, Controller.started + 1):
        with open(os.path.join(LOGS, f"controller-{k}.log")) as f:
            n += sum("whose EcsRoleSet no longer exists" in line for line in f)
    return n


def explain(name):
    """What happened to a left-over object: its IAM requests and the controllers' log lines."""
    print(f"  history of {name} (IAM requests; seconds since the soak began):")
    for line in proxy.history(name, T0):
        print("    " + line)
    print(f"  controller log lines naming it or its set ({LOGS}):")
    owner = name.split("_", 1)[-1].rsplit("-", 1)[0]
    needles = (name, f"{NS}/{owner}\"")
    for k in range(1, Controller.started + 1):
        with open(os.path.join(LOGS, f"controller-{k}.log")) as f:
            for line in f:
                if any(n in line for n in needles):
                    print(f"    #{k} {line.rstrip()[:400]}")


def main():
    install_crd(api, NS)
    n = args.n

    # 1–2. Create under faults and kills.
    ctl = Controller()
    for i in range(n):
        code, body = api("POST", f"{GROUP}/namespaces/{NS}/ecsrolesets", {
            "apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSet",
            "metadata": {"name": f"s{i}"}, "spec": fargate_spec(f"s{i}")})
        assert code == 201, body
    ctl, kills, t_ready = converge(ctl, lambda: sum(map(is_ready, sets())) == n, "create",
                                 lambda: f"{sum(map(is_ready, sets()))}/{n} Ready")
    print(f"N={n}: all Ready in {t_ready:.1f} s through {kills} kills (-9); IAM traffic: {proxy.summary()}",
          flush=True)

    # 3. IAM exactly as wanted: a fresh controller, no faults, one no-op pass, zero writes.
    ctl.stop()
    proxy.enabled = False
    ctl = Controller()
    t0 = time.monotonic()
    while ctl.metrics()[2].get("ok", 0) < n and time.monotonic() - t0 < args.limit:
        time.sleep(0.3)
    writes, reads, rec = ctl.metrics()
    check(rec.get("ok", 0) >= n, f"a clean pass reconciled {rec.get('ok', 0)} of {n}")
    check(writes == 0, f"a clean pass after the chaos still wrote {writes} times: IAM was not as desired")
    owned = owned_in_iam()
    recorded = {}
    for o in sets():
        for role in o["status"].get("managedRoles", {}).values():
            recorded[role] = o["metadata"]["uid"]
    check(len(recorded) == 2 * n, f"{len(recorded)} roles recorded for {n} sets (2 each)")
    check(owned == recorded,
          f"IAM holds {len(owned)} owned objects, the sets record {len(recorded)}: "
          f"extra {sorted(set(owned) - set(recorded))[:5]}, missing {sorted(set(recorded) - set(owned))[:5]}")
    print(f"  clean pass: {rec.get('ok', 0)} reconciles, {writes} writes, {reads} reads; "
          f"{len(owned)} owned roles in IAM, each recorded by its set", flush=True)

    # 4. Delete under faults, one kill → nothing owned left.
    proxy.enabled = True
    before = sum(proxy.stats.values())
    for i in range(n):
        code, body = api("DELETE", f"{GROUP}/namespaces/{NS}/ecsrolesets/s{i}")
        assert code in (200, 202), body
    args.kills = 1
    print(f"  {time.monotonic() - T0:7.2f} s every set deleted", flush=True)
    ctl, kills, t_gone = converge(ctl, lambda: not sets(), "delete", lambda: f"{len(sets())} left")
    # A request still in flight when its set was cleaned up (a CreateRole delayed 8 s) can
    # land after: the orphan sweep (every 5 s here) must remove whatever that leaves.
    left = owned_in_iam()
    at_gone, t0 = len(left), time.monotonic()
    while left and time.monotonic() - t0 < 60:
        time.sleep(1)
        left = owned_in_iam()
    print(f"  {at_gone} owned objects in IAM when the last set was gone; "
          f"{len(left)} after {time.monotonic() - t0:.0f} s of orphan sweeps; "
          f"the sweeps deleted {swept()} object(s) in all (controller logs)", flush=True)
    check(not left, f"{len(left)} owned IAM objects left after deleting every set: {sorted(left)[:5]}")
    for name in sorted(left)[:3]:
        explain(name.removeprefix("profile:"))
    print(f"  delete all: {t_gone:.1f} s through {kills} kill; {sum(proxy.stats.values()) - before} IAM "
          f"requests; {len(left)} owned objects left", flush=True)
    ctl.stop()
    proxy.stop()
    if failures:
        sys.exit(f"chaos soak failed: {len(failures)} check(s)")
    print("chaos soak passed")


main()
