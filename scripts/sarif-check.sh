#!/usr/bin/env bash
# `ecsroles audit --format sarif` against Microsoft's SARIF Multitool (`validate`: the OASIS
# SARIF 2.1.0 schema and the Multitool's validation rules, as GitHub's SARIF guidance uses).
# Fails on any error or warning it reports. scripts/bootstrap-web.sh installs the Multitool.
#
#   scripts/sarif-check.sh target/debug/ecsroles
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$1
TOOL="${ECSROLES_CACHE:-$HOME/.cache/ecsroles}/sarif-multitool/Sarif.Multitool"
[ -x "$TOOL" ] || { echo "sarif-check: $TOOL missing: run scripts/bootstrap-web.sh" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# Every rule (missing grant, over-grant, trust): the web API's roles as IAM has them, with defects.
# Nothing found (no result at all): the same roles against another workload's file.
"$BIN" audit examples/fargate-web-api.yaml --roles tests/audit/web-api-authorization-details.json --format sarif > "$OUT/defects.sarif" || true
"$BIN" audit examples/scheduled-report.yaml --roles tests/audit/web-api-authorization-details.json --format sarif > "$OUT/none-found.sarif" || true
for f in "$OUT"/*.sarif; do
  [ -s "$f" ] || { echo "sarif-check: $(basename "$f") is empty" >&2; exit 1; }
done

DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$TOOL" validate "$OUT"/defects.sarif "$OUT"/none-found.sarif \
  -o "$OUT/validation.sarif" --log ForceOverwrite > "$OUT/multitool.log" 2>&1 || {
  cat "$OUT/multitool.log" >&2
  exit 1
}
python3 - "$OUT" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
checked = sorted(p.name for p in out.glob("*.sarif") if p.name != "validation.sarif")
results = json.loads((out / "validation.sarif").read_text())["runs"][0].get("results", [])
problems = [r for r in results if r.get("level", "warning") in ("error", "warning")]
for r in problems:
    where = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] if r.get("locations") else ""
    print(f"  {r.get('level', 'warning')} {r['ruleId']} {where}: {r['message'].get('text') or r['message'].get('arguments')}")
defects = json.loads((out / "defects.sarif").read_text())["runs"][0]["results"]
rules = {r["ruleId"] for r in defects}
if rules != {"missing-grant", "over-grant", "trust"}:
    problems.append(rules)
    print(f"  defects.sarif does not exercise every rule: {sorted(rules)}")
print(f"sarif-check: {len(checked)} SARIF files ({', '.join(checked)}) through the SARIF Multitool, {len(problems)} problems")
sys.exit(1 if problems else 0)
PY
