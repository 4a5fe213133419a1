#!/usr/bin/env bash
# Installs what the calculator's build and browser tests need, idempotently:
#   - wasm-bindgen-cli, exactly the version crates/wasm pins (a mismatch breaks the glue code)
#   - Debian's Chromium (browser tests drive it with playwright-core; tools must never
#     download a browser of their own)
#   - web/node_modules from package-lock.json (playwright-core, axe-core, binaryen's wasm-opt)
#   - Microsoft's SARIF Multitool, pinned (also from the npm registry; validates the audit's
#     SARIF output, `just sarif-check`)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[bootstrap-web] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

want=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' crates/wasm/Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  log "cargo install wasm-bindgen-cli $want (about 11 minutes the first time)"
  # Not --locked: the crate's lock file pins a dependency version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$want"
fi

if ! command -v chromium >/dev/null 2>&1; then
  log "apt-get install chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

STAMP=web/node_modules/.lock-stamp
if [ ! -f "$STAMP" ] || ! cmp -s web/package-lock.json "$STAMP"; then
  log "npm ci (web)"
  (cd web && npm ci --silent --no-audit --no-fund)
  cp web/package-lock.json "$STAMP"
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
