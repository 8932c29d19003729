//! Streamed redaction: what each chunk of a model's reply costs, against
//! redacting the whole reply once, and how much the stream holds back.

#![allow(clippy::expect_used, missing_docs)]
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use govstream::policy::{EvaluationContext, Policy};
use std::hint::black_box;

/// A 4 KB reply: prose with a key, an email and a card in it.
fn reply() -> String {
    let prose = "The deployment went fine and the service answers on port 8080. ";
    let mut s = String::new();
    while s.len() < 4096 {
        s.push_str(prose);
        if s.len() % 1024 < prose.len() {
            s.push_str(
                "Use AKIAIOSFODNN7EXAMPLE, mail jane.doe@acme.com, card 4111 1111 1111 1111. ",
            );
        }
    }
    s
}

fn bench(c: &mut Criterion) {
    let policy = Policy::default_policy().expect("default policy");
    let text = reply();
    eprintln!(
        "stream: holds back at most {} bytes behind the newest text",
        policy.stream().holdback()
    );
    let mut group = c.benchmark_group("stream");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("redact_whole_4KB", |b| {
        b.iter(|| black_box(policy.redact_outcome(black_box(&text))))
    });
    for chunk in [16usize, 256] {
        group.bench_function(format!("stream_4KB_in_{chunk}B_chunks"), |b| {
            b.iter(|| {
                let mut s = policy.stream();
                let mut n = 0;
                for piece in text.as_bytes().chunks(chunk) {
                    n += s.push_bytes(piece).expect("utf-8").len();
                }
                let done = s.finish(&EvaluationContext::default()).expect("utf-8");
                black_box(n + done.tail.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
