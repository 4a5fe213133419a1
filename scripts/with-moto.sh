#!/usr/bin/env bash
# Runs a command against moto (an IAM-, ECS-, Secrets Manager- and KMS-compatible server, AWS
# managed policies loaded) on loopback, then stops it. The command sees AWS_ENDPOINT_URL (every
# service at moto), AWS_REGION, fake credentials and ECSROLES_TEST_MOTO (moto's base URL).
# A lighter sibling of with-k8s.sh, for what needs no Kubernetes (`audit --live`).
#
#   scripts/with-moto.sh .venv-moto/bin/python tests/audit_live.py target/debug/ecsroles
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv-moto/bin/moto_server ] || { echo "moto missing: run scripts/bootstrap-k8s.sh" >&2; exit 1; }
LOG=$(mktemp /tmp/ecsroles-moto.XXXXXX.log)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MOTO_IAM_LOAD_MANAGED_POLICIES=true .venv-moto/bin/moto_server -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 &
pid=$!
cleanup() {
  local rc=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ $rc -ne 0 ]; then echo "--- moto log (last 30 lines)" >&2; tail -30 "$LOG" >&2; fi
  rm -f "$LOG"
  exit $rc
}
trap cleanup EXIT INT TERM
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/moto-api/" 2>/dev/null && break
  sleep 0.2
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" ECSROLES_TEST_MOTO="http://127.0.0.1:$PORT"
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
unset AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE || true
"$@"
