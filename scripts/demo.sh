#!/usr/bin/env bash
# The main job: plan the IAM roles of an example ECS workload and print the explained plan.
# Pass another spec or task definition to plan that instead: scripts/demo.sh my-taskdef.json
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh >&2
file="${1:-examples/fargate-web-api.yaml}"
shift || true
exec .venv/bin/just plan "$file" "$@"
