#!/usr/bin/env bash
# Installs what the calculator's build and browser tests need, idempotently:
#   - wasm-bindgen-cli, exactly the version crates/wasm pins (a mismatch breaks the glue code)
#   - Debian's Chromium (browser tests drive it with playwright-core; tools must never
#     download a browser of their own)
#   - web/node_modules from package-lock.json (playwright-core, axe-core, binaryen's wasm-opt)
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
log "ready"
