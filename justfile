# Every routine task. `just --list` shows them. Tools come from scripts/bootstrap.sh.

set shell := ["bash", "-euo", "pipefail", "-c"]

venv := ".venv/bin"

default:
    @just --list

# Plan the roles for a spec or task definition (extra args go to `ecsroles plan`).
plan file *args:
    cargo run --quiet --release -p ecsroles -- plan {{file}} {{args}}

# The whole suite, as CI runs it.
test: fmt-check clippy unit wasm-check iam-lint validate-renders aws-shapes audit-live sarif-check crd-check controller-test chart-test static-build web-test
    @echo "all checks passed"

fmt-check:
    cargo fmt --all -- --check

clippy:
    cargo clippy --workspace --all-targets --features ecsroles-controller/integration-tests,ecsroles-wasm/guardrails -- -D warnings

# Unit, integration, golden and property tests. The wasm crate once more on its own: in the
# workspace the core's features are unified (templates on), so only this run tests what the
# calculator's plain module hands to the full one.
unit:
    cargo test --workspace
    cargo test -p ecsroles-wasm

# The core must build for the browser (no I/O, no std-only dependencies).
wasm-check:
    cargo build -p ecsroles-core --target wasm32-unknown-unknown --release

# parliament (PyPI) on every identity policy generated for the examples.
iam-lint:
    cargo build --quiet -p ecsroles
    {{venv}}/python tests/iam_lint.py target/debug/ecsroles examples/*.yaml examples/*.json

# Every renderer's output for every example, and for every real-world task definition in
# tests/realworld, through its own ecosystem's validator; and the terraform-module inputs
# through a model of the module (v6 and v7) that proves they make exactly the plan's grants.
validate-renders:
    cargo build --quiet -p ecsroles
    {{venv}}/python tests/validate_renders.py target/debug/ecsroles examples/*.yaml examples/*.json
    {{venv}}/python tests/validate_renders.py target/debug/ecsroles $(for d in tests/realworld/*/; do echo "$d$(sed -n 's/^input: //p' "$d/expected.yaml")"; done)
    {{venv}}/python tests/terraform_module_model.py target/debug/ecsroles examples/*.yaml examples/*.json tests/data/terraform-module/*.yaml $(for d in tests/realworld/*/; do echo "$d$(sed -n 's/^input: //p' "$d/expected.yaml")"; done)

# Every member of AWS's CreateService / describe-services / CreateCluster shapes (botocore's
# ECS model) is accepted where the spec embeds them; misspelt members are refused.
aws-shapes:
    cargo build --quiet -p ecsroles
    {{venv}}/python tests/aws_shapes.py target/debug/ecsroles

# `ecsroles audit --live --cluster` against moto: five services, each with one kind of defect
# (tests/audit_live.py), reported where it is and nothing else.
audit-live:
    cargo build --quiet -p ecsroles
    scripts/with-moto.sh .venv-moto/bin/python tests/audit_live.py target/debug/ecsroles

# `ecsroles audit --format sarif` through Microsoft's SARIF Multitool (the OASIS 2.1.0 schema and
# its validation rules; installed by scripts/bootstrap-web.sh): no error, no warning.
sarif-check:
    cargo build --quiet -p ecsroles
    scripts/sarif-check.sh target/debug/ecsroles

# Figure: one `audit --live` of an n-service cluster against moto on loopback.
audit-bench n="50":
    cargo build --quiet --release -p ecsroles
    scripts/with-moto.sh .venv-moto/bin/python tests/audit_live.py target/release/ecsroles --bench {{n}}

# Rewrite the golden files after an intended output change (review the diff!).
golden:
    UPDATE_GOLDEN=1 cargo test -p ecsroles-core --test examples
    git diff --stat tests/golden

# Benchmarks: criterion wall time, plus callgrind instruction counts (load-independent).
bench:
    #!/usr/bin/env bash
    set -euo pipefail
    cargo bench -p ecsroles-core --bench plan
    cargo build --quiet --release -p ecsroles-core --example plan_loop
    # Instructions per heavy plan: 100 plans minus the set-up (parsing the spec) alone.
    refs() { valgrind --tool=callgrind --callgrind-out-file=/tmp/ecsroles.callgrind target/release/examples/plan_loop "$1" 2>&1 | sed -n 's/.*refs: *//p' | tr -d ,; }
    base=$(refs 0); all=$(refs 100)
    echo "heavy plan: $(( (all - base) / 100 )) instructions (callgrind)"

# Print the spec's JSON Schema.
schema:
    cargo run --quiet -p ecsroles -- schema

# Coverage-guided fuzzing of parse → plan → render (needs cargo-fuzz; RUSTC_BOOTSTRAP lets
# the stable toolchain accept the sanitizer flags). Seeds: every example, every real-world file
# in tests/realworld and the red-team guardrail policy.
fuzz seconds="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    mkdir -p fuzz/corpus/plan_document
    cp examples/*.yaml examples/*.json examples/invalid/*.yaml tests/redteam/guardrails.yaml tests/audit/*.json fuzz/corpus/plan_document/
    for f in tests/realworld/*/*; do case "$f" in *.md|*/expected.yaml) ;; *) cp "$f" "fuzz/corpus/plan_document/realworld-$(basename "$(dirname "$f")")-$(basename "$f")";; esac; done
    cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run plan_document corpus/plan_document -- -max_total_time={{seconds}}

# The calculator: core → WebAssembly (wasm-bindgen + wasm-opt) → web/dist.
web-build:
    web/scripts/build.sh

# The calculator in real headless Chromium (Debian's), axe-core included; screenshots in web/test-results/.
web-test: web-build
    cd web && node --test test/

# Calculator figures: wasm size, time to interactive, plan + render per keystroke.
web-bench: web-build
    cd web && node scripts/bench.mjs

# Serve the calculator on loopback with an example loaded.
serve port="8080": web-build
    node web/scripts/serve.mjs {{port}}

# Regenerate the EcsRoleSet CRD from the spec type (a test fails while the committed one is stale).
crd:
    cargo run --quiet -p ecsroles-controller --bin crdgen > charts/ecsroles-controller/crds/ecsrolesets.ecsroles.dev.yaml

# The generated CRD against Kubernetes' own CustomResourceDefinition schema.
crd-check:
    {{venv}}/kubernetes-validate -k 1.33.0 --strict charts/ecsroles-controller/crds/ecsrolesets.ecsroles.dev.yaml

# The controller against a real kube-apiserver and moto on loopback (scripts/with-k8s.sh
# starts and stops them; scripts/bootstrap-k8s.sh installs them).
controller-test:
    scripts/with-k8s.sh cargo test -p ecsroles-controller --features integration-tests --test integration --test redteam
    cargo build --quiet -p ecsroles-controller
    scripts/with-k8s.sh .venv-moto/bin/python scripts/chaos_soak.py target/debug/ecsroles-controller 30 --limit 300

# Chaos soak (scripts/chaos_soak.py): N sets through ~15 % IAM faults (tests/fault_proxy.py) and
# three kills -9 → all Ready, IAM exactly as desired; delete all → nothing owned left. Figures.
chaos-soak n="100":
    cargo build --release -p ecsroles-controller
    scripts/with-k8s.sh .venv-moto/bin/python scripts/chaos_soak.py target/release/ecsroles-controller {{n}}

# Controller figures: apply N EcsRoleSets, time to all Ready, IAM calls per reconcile, RSS.
controller-bench n="100":
    cargo build --release -p ecsroles-controller
    scripts/with-k8s.sh python3 scripts/controller_bench.py target/release/ecsroles-controller {{n}}

# The Helm chart: lint, template → kubernetes-validate, install/upgrade/uninstall into a real
# API server, RBAC proven sufficient (controller run as the chart's ServiceAccount) and no more.
chart-test:
    cargo build --quiet -p ecsroles-controller
    scripts/with-k8s.sh {{venv}}/python tests/chart_test.py target/debug/ecsroles-controller

# The controller as the Dockerfile builds it: musl, statically linked (checked), and it runs.
static-build:
    cargo build --profile static --target x86_64-unknown-linux-musl -p ecsroles-controller
    ldd target/x86_64-unknown-linux-musl/static/ecsroles-controller 2>&1 | grep -qE "statically linked|not a dynamic executable"
    target/x86_64-unknown-linux-musl/static/ecsroles-controller --version
