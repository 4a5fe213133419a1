#!/usr/bin/env python3
"""The Helm chart with real helm and a real kube-apiserver (run inside scripts/with-k8s.sh;
`just chart-test`):

  lint --strict; template → kubernetes-validate 1.33 (strict); install --dry-run=server and
  install into the 1.20 API server; the objects exist; the controller, authenticated as the
  chart's ServiceAccount (a TokenRequest token), reconciles an EcsRoleSet end to end and is
  forbidden from everything outside its rules; upgrade with changed values; invalid values fail
  at install with a schema error; uninstall.

Usage: chart_test.py <ecsroles-controller binary>
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from k8s_api import Api  # noqa: E402

BIN = sys.argv[1]
ROOT = os.path.join(os.path.dirname(__file__), "..")
CHART = os.path.join(ROOT, "charts", "ecsroles-controller")
VALUES = os.path.join(CHART, "ci", "test-values.yaml")
HELM = os.path.join(os.environ.get("ECSROLES_CACHE", os.path.expanduser("~/.cache/ecsroles")), "bin", "helm")
VALIDATE = os.path.join(ROOT, ".venv", "bin", "kubernetes-validate")
NS = "ecsroles-system"
RELEASE = "ecsroles-controller"  # fullname = release name
TENANT = "tenant-a"
admin = Api()
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def helm(*args, ok=True):
    r = subprocess.run([HELM, *args], capture_output=True, text=True)
    if ok and r.returncode != 0:
        sys.exit(f"helm {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
    return r


def exists(path):
    return admin.call("GET", path)[0] == 200


def wait(cond, what, timeout=60):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if cond():
            return True
        time.sleep(0.3)
    check(False, f"timed out: {what}")
    return False


# --- static checks ------------------------------------------------------------------------------
r = helm("lint", "--strict", CHART, "-f", VALUES, ok=False)
check(r.returncode == 0, "helm lint --strict (with the required values)")
r = helm("lint", "--strict", CHART, ok=False)
check(r.returncode != 0 and "accountId" in r.stdout + r.stderr, "helm lint without required values names them")

with tempfile.TemporaryDirectory() as tmp:
    variants = {
        "default": [],
        "ha": ["--set", "replicaCount=2"],
        "namespaced": ["--set", "watchNamespaces={team-a,team-b}", "--set-string", "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.monitoring=true"],
    }
    for name, extra in variants.items():
        out = helm("template", RELEASE, CHART, "-n", NS, "-f", VALUES, "--include-crds",
                   "--kube-version", "1.33.0", "--api-versions", "policy/v1/PodDisruptionBudget", *extra).stdout
        path = os.path.join(tmp, f"{name}.yaml")
        open(path, "w").write(out)
        v = subprocess.run([VALIDATE, "-k", "1.33.0", "--strict", "--quiet", path], capture_output=True, text=True)
        check(v.returncode == 0, f"helm template ({name}) passes kubernetes-validate 1.33 --strict {v.stdout[-500:]}")
        if name == "ha":
            check("apiVersion: policy/v1\nkind: PodDisruptionBudget" in out, "PDB uses policy/v1 where the cluster has it")
        if name == "namespaced":
            check(out.count("kind: RoleBinding") == 2 and "kind: ClusterRole\n" not in out,
                  "watchNamespaces: a Role per namespace, no ClusterRole")

# --- install into the real 1.20 API server ---------------------------------------------------------
common = ["-n", NS, "-f", VALUES, "--set", f"aws.iamEndpoint={os.environ['AWS_ENDPOINT_URL_IAM']}"]
r = helm("install", RELEASE, CHART, "--create-namespace", "--dry-run=server", *common, ok=False)
check(r.returncode == 0, f"helm install --dry-run=server (1.20) {r.stderr[-300:]}")
r = helm("install", RELEASE, CHART, "--create-namespace", "--set", "replicaCount=2", *common, ok=False)
check(r.returncode == 0, f"helm install {r.stderr[-300:]}")
check("ecsroles controller-policy" in r.stdout, "NOTES point to the controller policy")
for path in [
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ecsrolesets.ecsroles.dev",
    f"/api/v1/namespaces/{NS}/serviceaccounts/{RELEASE}",
    f"/apis/apps/v1/namespaces/{NS}/deployments/{RELEASE}",
    f"/apis/rbac.authorization.k8s.io/v1/clusterroles/{RELEASE}",
    f"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/{RELEASE}",
    f"/apis/rbac.authorization.k8s.io/v1/namespaces/{NS}/roles/{RELEASE}-leader-election",
    f"/apis/policy/v1beta1/namespaces/{NS}/poddisruptionbudgets/{RELEASE}",
    f"/apis/networking.k8s.io/v1/namespaces/{NS}/networkpolicies/{RELEASE}",
    f"/api/v1/namespaces/{NS}/services/{RELEASE}-metrics",
]:
    check(exists(path), f"installed: {path}")
_, dep = admin.call("GET", f"/apis/apps/v1/namespaces/{NS}/deployments/{RELEASE}")
pod = dep["spec"]["template"]["spec"]
c = pod["containers"][0]
sc = c["securityContext"]
check(sc["readOnlyRootFilesystem"] and sc["capabilities"]["drop"] == ["ALL"] and not sc["allowPrivilegeEscalation"]
      and pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault",
      "hardened pod: non-root, read-only root, no capabilities, RuntimeDefault seccomp")
env = {e["name"]: e.get("value") for e in c["env"]}
check(env["ECSROLES_LEADER_ELECTION"] == "true", "replicas > 1 turns leader election on")

# --- the chart's RBAC is enough, and no more ------------------------------------------------------
code, tok = admin.call("POST", f"/api/v1/namespaces/{NS}/serviceaccounts/{RELEASE}/token", {
    "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
    "spec": {"audiences": ["https://kubernetes.default.svc.cluster.local"], "expirationSeconds": 3600}})
check(code == 201, f"TokenRequest for the chart's ServiceAccount ({code})")
sa = Api(token=tok["status"]["token"])
with tempfile.TemporaryDirectory() as tmp:
    kubeconfig = sa.kubeconfig(os.path.join(tmp, "kubeconfig"))
    proc_env = dict(os.environ, KUBECONFIG=kubeconfig, HOSTNAME="chart-test-pod", RUST_LOG="warn")
    for e in c["env"]:
        if "value" in e and e["name"] != "ECSROLES_HTTP_ADDR":
            proc_env[e["name"]] = e["value"]
    proc_env["ECSROLES_HTTP_ADDR"] = "127.0.0.1:0"
    # What the pod mounts: the chart's guardrails ConfigMap, as the API server holds it.
    code, cm = admin.call("GET", f"/api/v1/namespaces/{NS}/configmaps/{RELEASE}-guardrails")
    check(code == 200 and "ecs-workload-boundary" in cm["data"]["guardrails.yaml"],
          "guardrails ConfigMap installed with the values' policy")
    gfile = os.path.join(tmp, "guardrails.yaml")
    open(gfile, "w").write(cm["data"]["guardrails.yaml"])
    proc_env["ECSROLES_GUARDRAILS_FILE"] = gfile
    admin.call("POST", "/api/v1/namespaces", {"metadata": {"name": TENANT}})
    log = open(os.path.join(tmp, "controller.log"), "w")
    proc = subprocess.Popen([BIN], env=proc_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        spec = {
            "region": "us-east-1", "launchType": "FARGATE",
            "taskDefinition": {"family": "app", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
                               "containerDefinitions": [{"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"}]},
        }
        code, body = admin.call("POST", f"/apis/ecsroles.dev/v1alpha1/namespaces/{TENANT}/ecsrolesets",
                                {"apiVersion": "ecsroles.dev/v1alpha1", "kind": "EcsRoleSet", "metadata": {"name": "app"}, "spec": spec})
        check(code == 201, f"EcsRoleSet created ({code} {body.get('message', '')})")

        def ready():
            _, o = admin.call("GET", f"/apis/ecsroles.dev/v1alpha1/namespaces/{TENANT}/ecsrolesets/app")
            return any(c["type"] == "Ready" and c["status"] == "True" for c in o.get("status", {}).get("conditions", []))
        check(wait(ready, "Ready as the chart's ServiceAccount", 60), "reconciled end to end as the ServiceAccount")
        _, evs = admin.call("GET", f"/apis/events.k8s.io/v1/namespaces/{TENANT}/events")
        check(any(e.get("reason") == "Synced" for e in evs.get("items", [])), "Events published as the ServiceAccount")
        check(exists(f"/apis/coordination.k8s.io/v1/namespaces/{NS}/leases/{RELEASE}"), "leader-election Lease taken")
        admin.call("DELETE", f"/apis/ecsroles.dev/v1alpha1/namespaces/{TENANT}/ecsrolesets/app")
        check(wait(lambda: not exists(f"/apis/ecsroles.dev/v1alpha1/namespaces/{TENANT}/ecsrolesets/app"), "finalizer removed"),
              "deletion (finalizer) as the ServiceAccount")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for method, path, body in [
        ("GET", "/api/v1/secrets", None),
        ("GET", f"/api/v1/namespaces/{TENANT}/pods", None),
        ("POST", f"/api/v1/namespaces/{TENANT}/configmaps", {"metadata": {"name": "x"}}),
        ("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ecsrolesets.ecsroles.dev", None),
        ("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
         {"metadata": {"name": "escalate"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
          "subjects": [{"kind": "ServiceAccount", "name": RELEASE, "namespace": NS}]}),
        ("DELETE", f"/api/v1/namespaces/{TENANT}", None),
        ("POST", f"/api/v1/namespaces/{NS}/serviceaccounts/{RELEASE}/token", {"spec": {"audiences": ["x"]}}),
    ]:
        code, _ = sa.call(method, path, body)
        check(code == 403, f"forbidden as the ServiceAccount: {method} {path} ({code})")

# --- upgrade, invalid values, uninstall ------------------------------------------------------------
r = helm("upgrade", RELEASE, CHART, *common, "--set", "resyncSeconds=120", "--set", "replicaCount=1", ok=False)
check(r.returncode == 0, f"helm upgrade {r.stderr[-300:]}")
_, dep = admin.call("GET", f"/apis/apps/v1/namespaces/{NS}/deployments/{RELEASE}")
env = {e["name"]: e.get("value") for e in dep["spec"]["template"]["spec"]["containers"][0]["env"]}
check(env["ECSROLES_RESYNC_SECONDS"] == "120" and dep["spec"]["replicas"] == 1, "upgrade changed the Deployment")
check(not exists(f"/apis/policy/v1beta1/namespaces/{NS}/poddisruptionbudgets/{RELEASE}"), "upgrade to 1 replica removed the PDB")

for args, needle in [
    (["--set", "aws.region="], "region"),
    (["--set", "replicaCount=two"], "replicaCount"),
    (["--set", "aws.accountId=12345"], "accountId"),
    (["--set", "iam.rolePath=no-slashes"], "rolePath"),
    (["--set", "unknownKey=1"], "unknownKey"),
    (["--set", "guardrails.allowRawStatements=maybe"], "allowRawStatements"),
    (["--set", "guardrails.permissionsBoundary=AdminAccess"], "permissionsBoundary"),
]:
    r = helm("install", "bad", CHART, "-n", "bad", "--create-namespace", "-f", VALUES, *args, ok=False)
    check(r.returncode != 0 and needle in r.stderr, f"invalid values fail at install naming {needle}: {r.stderr.strip().splitlines()[-1][:160] if r.stderr.strip() else ''}")

r = helm("uninstall", RELEASE, "-n", NS, ok=False)
check(r.returncode == 0, "helm uninstall")
check(not exists(f"/apis/apps/v1/namespaces/{NS}/deployments/{RELEASE}"), "uninstall removed the Deployment")
check(exists("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ecsrolesets.ecsroles.dev"),
      "uninstall keeps the CRD (and so every tenant's EcsRoleSets)")

print(f"\n{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
