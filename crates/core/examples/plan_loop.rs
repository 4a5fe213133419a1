//! Runs `plan` on the benchmark's heavy (default) or `typical` 10-container spec N times. For instruction
//! counts that do not depend on machine load:
//! `valgrind --tool=callgrind target/release/examples/plan_loop 1000` (see `just bench`).

#[path = "../benches/spec.rs"]
mod spec;

// The allocator the CLI and the controller ship with (crates/alloc), so the figure is `plan`
// as they run it.
#[global_allocator]
static GLOBAL: ecsroles_alloc::Allocator = ecsroles_alloc::Allocator;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let s = match std::env::args().nth(2).as_deref() {
        Some("typical") => spec::typical_ten_container_spec(),
        _ => spec::ten_container_spec(),
    };
    let mut roles = 0;
    for _ in 0..n {
        roles += std::hint::black_box(ecsroles_core::plan(std::hint::black_box(&s)))
            .roles
            .len();
    }
    println!("{n} plans, {roles} roles");
}
