#!/usr/bin/env bash
# Every test: formatting, clippy, unit/integration/property tests, goldens, the wasm build of
# the core, the real validators on generated output, the controller against a real API server
# and moto, and the calculator in headless Chromium.
# Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/bootstrap-web.sh
scripts/bootstrap-k8s.sh
exec .venv/bin/just test
