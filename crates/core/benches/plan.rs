//! `plan` on 10-container task definitions: a typical one (ECR + awslogs per container, a few
//! secrets) and a heavy one (every container with secrets, env files, KMS, EFS, FireLens…).
//! Target: ≤ 50 µs on the project's 2-core machines.
//! Run: `cargo bench -p ecsroles-core --bench plan` (or `just bench`).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ecsroles_core::plan;

mod spec;

// The allocator the CLI and the controller ship with (crates/alloc), so the figure is `plan`
// as they run it.
#[global_allocator]
static GLOBAL: ecsroles_alloc::Allocator = ecsroles_alloc::Allocator;
use spec::{ten_container_spec, typical_ten_container_spec};

fn bench(c: &mut Criterion) {
    let spec = ten_container_spec();
    let p = plan(&spec);
    assert!(
        !p.has_errors(),
        "benchmark spec must plan cleanly: {:?}",
        p.findings
    );
    c.bench_function("plan_10_containers_heavy", |b| {
        b.iter(|| plan(black_box(&spec)))
    });
    let typical = typical_ten_container_spec();
    assert!(!plan(&typical).has_errors());
    c.bench_function("plan_10_containers_typical", |b| {
        b.iter(|| plan(black_box(&typical)))
    });
    c.bench_function("plan_and_render_iam_json_10_containers_heavy", |b| {
        b.iter(|| {
            let p = plan(black_box(&spec));
            serde_json::to_string(&ecsroles_core::render::iam::bundle(&p)).map(|s| s.len())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
