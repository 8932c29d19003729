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
    // What a gateway knows about a request: every string here is copied
    // into the event, and checked for matched values and secrets first.
    let mut gateway = EvaluationContext {
        org_id: Some("org_acme".into()),
        request_id: Some("req_01J9Z6W4QKX3V8M2T5N7B0C1D2".into()),
        session_id: Some("sess-7f3a9c".into()),
        ..EvaluationContext::default()
    };
    gateway.identity.user_id = Some("u-1042".into());
    gateway.identity.user_email = Some("jane.doe@acme.example".into());
    gateway.tool.provider = Some("openai".into());
    gateway.tool.model = Some("gpt-4o-mini".into());
    gateway.tool.hostname = Some("api.openai.com".into());
    gateway.client.gateway_id = Some("gw-eu-1".into());
    gateway
        .metadata
        .insert("team".into(), serde_json::json!("payments"));
    let mut group = c.benchmark_group("evaluate");
    for (name, text, ctx) in [
        ("prose_1KB", prose(1024), &ctx),
        ("dense_1KB", dense(1024), &ctx),
        ("prose_1KB_gateway_context", prose(1024), &gateway),
    ] {
        group.bench_function(format!("{name}_to_event_json"), |b| {
            b.iter(|| {
                let d = policy.evaluate(black_box(&text), ctx);
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
