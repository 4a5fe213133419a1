#!/usr/bin/env bash
# Every test: formatting, clippy, unit/integration/property tests, goldens, the wasm build of
# the core, and the real validators on generated output. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/just test
