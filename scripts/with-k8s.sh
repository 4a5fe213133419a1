#!/usr/bin/env bash
# Runs a command against real servers on loopback, then stops them:
#   - etcd + kube-apiserver v1.20.2 (RBAC on, client-certificate admin, service-account tokens)
#   - moto, an IAM-compatible server (AWS managed policies loaded)
# The command sees KUBECONFIG, AWS_ENDPOINT_URL_IAM, AWS_REGION, fake AWS credentials and
# ECSROLES_TEST_MOTO (moto's base URL). Everything lives in a temporary directory; logs are
# printed if the command fails.
#
#   scripts/with-k8s.sh cargo test -p ecsroles-controller --test integration
#   scripts/with-k8s.sh bash            # an interactive shell with the servers up
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${ECSROLES_CACHE:-$HOME/.cache/ecsroles}/bin"
[ -x "$BIN/kube-apiserver" ] || { echo "kube-apiserver missing: run scripts/bootstrap-k8s.sh" >&2; exit 1; }
[ -x .venv-moto/bin/moto_server ] || { echo "moto missing: run scripts/bootstrap-k8s.sh" >&2; exit 1; }

DIR=$(mktemp -d /tmp/ecsroles-k8s.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ $rc -ne 0 ] && [ -z "${KEEP_LOGS:-}" ]; then
    for f in "$DIR"/*.log; do echo "--- $f (last 30 lines)"; tail -30 "$f"; done >&2
  fi
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $DIR" >&2; else rm -rf "$DIR"; fi
  exit $rc
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # url, what, [curl args]
  local url=$1 what=$2; shift 2
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$@" "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$what did not become ready" >&2
  return 1
}

# --- certificates --------------------------------------------------------------------------
cd "$DIR"
openssl genrsa -out ca.key 2048 2>/dev/null
openssl req -x509 -new -key ca.key -subj "/CN=ecsroles-test-ca" -days 2 -out ca.crt 2>/dev/null
openssl genrsa -out server.key 2048 2>/dev/null
openssl req -new -key server.key -subj "/CN=kube-apiserver" -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt 2>/dev/null
openssl genrsa -out admin.key 2048 2>/dev/null
openssl req -new -key admin.key -subj "/CN=admin/O=system:masters" -out admin.csr 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext -out admin.crt 2>/dev/null
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
cd - >/dev/null

# --- etcd ----------------------------------------------------------------------------------
ETCD_PORT=$(free_port); ETCD_PEER=$(free_port)
etcd --data-dir "$DIR/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-cluster "default=http://127.0.0.1:$ETCD_PEER" \
  --unsafe-no-fsync >"$DIR/etcd.log" 2>&1 &
pids+=($!)

# --- moto ----------------------------------------------------------------------------------
MOTO_PORT=$(free_port)
MOTO_IAM_LOAD_MANAGED_POLICIES=true .venv-moto/bin/moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$DIR/moto.log" 2>&1 &
pids+=($!)

wait_for "http://127.0.0.1:$ETCD_PORT/health" etcd

# --- kube-apiserver ------------------------------------------------------------------------
API_PORT=$(free_port)
"$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" --insecure-port 0 \
  --tls-cert-file "$DIR/server.crt" --tls-private-key-file "$DIR/server.key" --client-ca-file "$DIR/ca.crt" \
  --authorization-mode RBAC \
  --service-account-key-file "$DIR/sa.pub" --service-account-signing-key-file "$DIR/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local --api-audiences https://kubernetes.default.svc.cluster.local \
  --disable-admission-plugins ServiceAccount --endpoint-reconciler-type none \
  --service-cluster-ip-range 10.0.0.0/24 --cert-dir "$DIR/certs" >"$DIR/apiserver.log" 2>&1 &
pids+=($!)

cat > "$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $DIR/ca.crt
users:
- name: admin
  user:
    client-certificate: $DIR/admin.crt
    client-key: $DIR/admin.key
contexts:
- name: test
  context: {cluster: test, user: admin, namespace: default}
current-context: test
EOF

wait_for "https://127.0.0.1:$API_PORT/readyz" kube-apiserver --cacert "$DIR/ca.crt" --cert "$DIR/admin.crt" --key "$DIR/admin.key"
wait_for "http://127.0.0.1:$MOTO_PORT/moto-api/data.json" moto

export KUBECONFIG="$DIR/kubeconfig"
export ECSROLES_TEST_MOTO="http://127.0.0.1:$MOTO_PORT"
export AWS_ENDPOINT_URL_IAM="$ECSROLES_TEST_MOTO"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export ECSROLES_TEST_DIR="$DIR"
unset AWS_PROFILE AWS_SESSION_TOKEN
"$@"
