//! B1..B5 of the performance issue as criterion benchmarks. `cargo bench` runs them all;
//! `cargo bench -- b1` runs one. Peak memory is measured separately with
//! `/usr/bin/time -v target/release/examples/workload b1` (criterion measures time only).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
#[path = "workloads.rs"]
#[allow(dead_code)]
mod workloads;
use mtosim_engine::Duration;
use std::hint::black_box;

fn b1(c: &mut Criterion) {
    let text = workloads::b1_scenario(5, 100_000);
    let mut g = c.benchmark_group("b1");
    g.sample_size(10);
    g.bench_function("5 tenants x 100k users, full mesh, load to settle", |b| {
        b.iter(|| black_box(workloads::b1_run(&text)))
    });
    g.finish();
}

fn b2(c: &mut Criterion) {
    let fresh = workloads::mesh_world(2, 100_000, true);
    let mut settled = fresh.clone();
    settled.settle(Duration::days(60)).unwrap();
    let mut g = c.benchmark_group("b2");
    g.sample_size(10);
    g.bench_function("initial cycle, 100k users", |b| {
        b.iter_batched(
            || fresh.clone(),
            |mut w| {
                w.settle(Duration::days(60)).unwrap();
                w
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("incremental cycle after 1% changed", |b| {
        b.iter_batched(
            || {
                let mut w = settled.clone();
                workloads::b2_change_one_percent(&mut w);
                w
            },
            |mut w| {
                w.settle(Duration::days(60)).unwrap();
                w
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn b3(c: &mut Criterion) {
    let mut g = c.benchmark_group("b3");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(60));
    g.bench_function("100 tenants x 3k users, full mesh, materialised", |b| {
        b.iter(|| black_box(workloads::settle(workloads::mesh_world(100, 3_000, true))))
    });
    g.finish();
}

fn b4(c: &mut Criterion) {
    c.bench_function("b4/what-if counts, 100 tenants x 300k users, mesh", |b| {
        b.iter(|| black_box(workloads::b4(black_box(100), black_box(300_000))))
    });
}

fn b5(c: &mut Criterion) {
    let text = workloads::b5_scenario(1_000);
    c.bench_function("b5/load and run a 1,000-step lifecycle", |b| {
        b.iter(|| black_box(workloads::b5_run(&text)))
    });
}

criterion_group!(benches, b1, b2, b3, b4, b5);
criterion_main!(benches);
