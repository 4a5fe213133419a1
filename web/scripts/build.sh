#!/usr/bin/env bash
# Builds web/dist: the core as WebAssembly (wasm-bindgen, then wasm-opt), plus the page, the
# custom element and the demo embed page. Two modules: `ecsroles_wasm` (the calculator: plan,
# summary, plan JSON, IAM documents) and `ecsroles_wasm_full` (the same plus every deployment
# format and the guardrail evaluator), which the element loads instead only when a page sets
# its `guardrails` attribute or a user opens a deployment format. Requires scripts/bootstrap-web.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf web/dist && mkdir -p web/dist/pkg

module() { # <out name> [cargo args…]
  local name=$1
  shift
  cargo build --quiet -p ecsroles-wasm --target wasm32-unknown-unknown --profile wasm "$@"
  # Names kept for the next step; wasm-opt --strip-debug removes them.
  wasm-bindgen --target web --remove-producers-section \
    --out-dir web/dist/pkg --out-name "$name" target/wasm32-unknown-unknown/wasm/ecsroles_wasm.wasm
  # The float formatter nothing here calls (~7.7 KB gzipped): see the script.
  node web/scripts/no-float-format.mjs "web/dist/pkg/${name}_bg.wasm"
  # binaryen's wasm-opt from npm (v132): Debian's v108 corrupts the reference-types table this
  # module uses. -O1: higher levels shrink the raw bytes but grow the gzipped download (measured
  # again: -O2/-Os/-Oz/-O3 all ~17 KB larger gzipped); --converge repeats -O1 until nothing
  # changes (~340 B gzipped less). The feature list is exactly what rustc emits for
  # wasm32-unknown-unknown.
  node web/node_modules/binaryen/bin/wasm-opt -O1 --converge --strip-debug --enable-bulk-memory --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types \
    --enable-multivalue "web/dist/pkg/${name}_bg.wasm" -o "web/dist/pkg/${name}_bg.wasm"
  local wasm="web/dist/pkg/${name}_bg.wasm"
  echo "web/dist: $name: $(stat -c %s "$wasm") bytes wasm, $(gzip -9 -c "$wasm" | wc -c) gzipped"
}
module ecsroles_wasm
module ecsroles_wasm_full --features guardrails
cp web/src/*.js web/src/*.html web/dist/
# The examples' texts (fetched when one is opened) and the core's form data (fetched with the
# module), written by the wasm crate's build script into its OUT_DIR, which cargo reports: not in
# the module, whose size budget has no room for data.
out_dir=$(cargo build --quiet -p ecsroles-wasm --target wasm32-unknown-unknown --profile wasm \
  --message-format=json | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "build-script-executed" and "ecsroles-wasm" in m.get("package_id", ""):
        print(m["out_dir"])')
cp "$out_dir/examples.json" web/dist/examples.json
cp "$out_dir/form.json" web/dist/form.json
