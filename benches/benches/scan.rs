//! Scanning throughput with every built-in pack on, and end-to-end
//! evaluation into a serialized `Event`, and policy compilation.

#![allow(clippy::expect_used, missing_docs)]
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use govstream::policy::{EvaluationContext, Policy};
use govstream_benches::{code, dense, prose};
use std::hint::black_box;

fn scan(c: &mut Criterion) {
    let policy = Policy::default_policy().expect("default policy compiles");
    let mut group = c.benchmark_group("scan");
    for (name, make) in [
        ("prose", prose as fn(usize) -> String),
        ("code", code),
        ("dense", dense),
    ] {
        for size in [1024usize, 64 * 1024] {
            let text = make(size);
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_function(format!("{name}/{}KB", size / 1024), |b| {
                b.iter(|| policy.scan(black_box(&text)))
            });
        }
    }
    group.finish();
}

fn evaluate(c: &mut Criterion) {
    let policy = Policy::default_policy().expect("default policy compiles");
    let ctx = EvaluationContext {
        org_id: Some("org_acme".into()),
        ..EvaluationContext::default()
    };
    let mut group = c.benchmark_group("evaluate");
    for (name, text) in [("prose_1KB", prose(1024)), ("dense_1KB", dense(1024))] {
        group.bench_function(format!("{name}_to_event_json"), |b| {
            b.iter(|| {
                let d = policy.evaluate(black_box(&text), &ctx);
                serde_json::to_string(&d.event).expect("event serializes")
            })
        });
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    c.bench_function("policy/compile_default", |b| {
        b.iter(|| Policy::default_policy().expect("default policy compiles"))
    });
}

criterion_group!(benches, scan, evaluate, compile);
criterion_main!(benches);
