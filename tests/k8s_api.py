"""A minimal Kubernetes API client for the scripts run inside scripts/with-k8s.sh: the admin
client certificate from the test directory, or a bearer token. Standard library only."""
import json
import os
import re
import ssl
import urllib.error
import urllib.request

TEST_DIR = os.environ["ECSROLES_TEST_DIR"]
SERVER = re.search(r"server: (\S+)", open(os.environ["KUBECONFIG"]).read()).group(1)


class Api:
    def __init__(self, token=None):
        self.token = token
        self.ctx = ssl.create_default_context(cafile=f"{TEST_DIR}/ca.crt")
        if token is None:
            self.ctx.load_cert_chain(f"{TEST_DIR}/admin.crt", f"{TEST_DIR}/admin.key")

    def call(self, method, path, body=None, content_type="application/json"):
        """(status, parsed JSON body). `body` may be a dict (JSON) or str (sent as is)."""
        data = body.encode() if isinstance(body, str) else (json.dumps(body).encode() if body is not None else None)
        headers = {"Content-Type": content_type}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(SERVER + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=60) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            raw = e.read() or b"{}"
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, {"raw": raw.decode(errors="replace")}

    def kubeconfig(self, path):
        """Writes a kubeconfig for this identity (token) and returns its path."""
        with open(path, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {{server: {SERVER}, certificate-authority: {TEST_DIR}/ca.crt}}
users:
- name: sa
  user: {{token: {self.token}}}
contexts:
- name: test
  context: {{cluster: test, user: sa}}
current-context: test
""")
        return path
