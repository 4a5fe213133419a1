#!/usr/bin/env bash
# Builds web/dist: the core as WebAssembly (wasm-bindgen, then wasm-opt), plus the page, the
# custom element and the demo embed page. Requires scripts/bootstrap-web.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet -p ecsroles-wasm --target wasm32-unknown-unknown --profile wasm
rm -rf web/dist && mkdir -p web/dist/pkg
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir web/dist/pkg target/wasm32-unknown-unknown/wasm/ecsroles_wasm.wasm
# binaryen's wasm-opt from npm (v132): Debian's v108 corrupts the reference-types table this
# module uses. -O1: higher levels shrink the raw bytes but grow the gzipped download. The
# feature list is exactly what rustc emits for wasm32-unknown-unknown.
node web/node_modules/binaryen/bin/wasm-opt -O1 --enable-bulk-memory --enable-sign-ext \
  --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types \
  --enable-multivalue web/dist/pkg/ecsroles_wasm_bg.wasm -o web/dist/pkg/ecsroles_wasm_bg.wasm
cp web/src/*.js web/src/*.html web/dist/
echo "web/dist: $(stat -c %s web/dist/pkg/ecsroles_wasm_bg.wasm) bytes wasm, $(gzip -9 -c web/dist/pkg/ecsroles_wasm_bg.wasm | wc -c) gzipped"
