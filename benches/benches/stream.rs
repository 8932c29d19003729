//! Streamed redaction: what each chunk of a model's reply costs, against
//! redacting the whole reply once, and how much the stream holds back: on
//! a written reply and on 4 KB pieces of real text (changelogs, READMEs and
//! Python sources on this machine, `govstream_benches::real_text`).

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

/// The most bytes a stream of `text` in `chunk`-byte pieces held back.
fn most_held(policy: &Policy, text: &str, chunk: usize) -> usize {
    let mut s = policy.stream();
    for piece in text.as_bytes().chunks(chunk) {
        s.push_bytes(piece).expect("utf-8");
    }
    s.finish(&EvaluationContext::default())
        .expect("utf-8")
        .holdback
}

fn bench(c: &mut Criterion) {
    let policy = Policy::default_policy().expect("default policy");
    let text = reply();
    eprintln!(
        "stream: may hold back up to {} bytes; held at most {} of the 4 KB reply in 16-byte chunks",
        policy.stream().holdback(),
        most_held(&policy, &text, 16)
    );
    let real = govstream_benches::real_text::prompts(4096).unwrap_or_default();
    let real: Vec<String> = real.into_iter().take(200).collect();
    if !real.is_empty() {
        let mut held: Vec<usize> = real.iter().map(|t| most_held(&policy, t, 16)).collect();
        held.sort_unstable();
        eprintln!(
            "stream: {} real-text pieces of 4 KB in 16-byte chunks: most held back, median {} bytes, 90th percentile {}, max {}",
            held.len(),
            held[held.len() / 2],
            held[held.len() * 9 / 10],
            held[held.len() - 1]
        );
    }
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
    if let Some(first) = real.first() {
        group.throughput(Throughput::Bytes(first.len() as u64));
        let rules = govstream::dlp::packs::builtin_rules()
            .into_iter()
            .map(|spec| govstream::dlp::ScannerRule {
                spec,
                dialect: govstream::dlp::Dialect::Ascii,
            })
            .collect();
        let scanner = govstream::dlp::Scanner::new(rules, 1 << 20).expect("rules");
        group.bench_function("scan_real_4KB", |b| {
            b.iter(|| black_box(scanner.scan(black_box(first))))
        });
        group.bench_function("unsettled_from_real_4KB", |b| {
            b.iter(|| black_box(scanner.unsettled_from(black_box(first))))
        });
        group.bench_function("stream_real_4KB_in_16B_chunks", |b| {
            b.iter(|| {
                let mut s = policy.stream();
                let mut n = 0;
                for piece in first.as_bytes().chunks(16) {
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
