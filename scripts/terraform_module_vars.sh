#!/usr/bin/env bash
# Regenerates tests/data/terraform-aws-ecs/v{6,7}-{service,cluster}-variables.txt: the input
# variables of terraform-aws-modules/terraform-aws-ecs's service and cluster sub-modules that
# exist in *every* release of a major version (so an input ecsroles emits works on any v6.x/v7.x).
# Usage: scripts/terraform_module_vars.sh <git dir or clone of terraform-aws-ecs>
set -euo pipefail
repo=${1:?usage: $0 <clone of terraform-aws-ecs>}
out=$(dirname "$0")/../tests/data/terraform-aws-ecs
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for major in 6 7; do
  for sub in service cluster; do
    tags=$(git --git-dir="$repo" tag 2>/dev/null || git -C "$repo" tag)
    tags=$(echo "$tags" | grep "^v$major\." | sort -V)
    first=$(echo "$tags" | head -1)
    last=$(echo "$tags" | tail -1)
    : > "$tmp/common"
    n=0
    for t in $tags; do
      git -C "$repo" show "$t:modules/$sub/variables.tf" |
        sed -n 's/^variable "\([a-z0-9_]*\)".*/\1/p' | sort > "$tmp/this"
      if [ $n -eq 0 ]; then cp "$tmp/this" "$tmp/common"; else comm -12 "$tmp/common" "$tmp/this" > "$tmp/c" && mv "$tmp/c" "$tmp/common"; fi
      n=$((n + 1))
    done
    {
      echo "# Input variables of terraform-aws-modules/terraform-aws-ecs modules/$sub present in every v$major release ($first … $last)."
      echo "# Source: https://github.com/terraform-aws-modules/terraform-aws-ecs/blob/$last/modules/$sub/variables.tf (intersected with every v$major.x tag's file)."
      echo "# Regenerate: scripts/terraform_module_vars.sh (needs a clone of the module)."
      cat "$tmp/common"
    } > "$out/v$major-$sub-variables.txt"
  done
done
