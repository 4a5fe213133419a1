#!/usr/bin/env bash
# The calculator, served locally with an example loaded: http://127.0.0.1:8080/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh >&2
scripts/bootstrap-web.sh >&2
exec .venv/bin/just serve "${1:-8080}"
