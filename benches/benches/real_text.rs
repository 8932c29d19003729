//! Scanning throughput on real text: about 6 MB of Debian changelogs, Python
//! sources and READMEs from this machine (see `govstream_benches::real_text`),
//! in 4 KB prompts, through the default policy's scanner.

#![allow(clippy::expect_used, clippy::print_stdout, missing_docs)]
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use govstream::dlp::{DEFAULT_MAX_SCAN_BYTES, Dialect, Scanner, ScannerRule, packs};
use govstream_benches::real_text;
use std::hint::black_box;

fn scan_real_text(c: &mut Criterion) {
    let Some(prompts) = real_text::prompts(4096) else {
        println!("real_text: skipped, no changelogs, Python sources or READMEs on this machine");
        return;
    };
    let rules = packs::builtin_rules()
        .into_iter()
        .map(|spec| ScannerRule {
            spec,
            dialect: Dialect::Ascii,
        })
        .collect();
    let scanner = Scanner::new(rules, DEFAULT_MAX_SCAN_BYTES).expect("built-in rules compile");
    let bytes: usize = prompts.iter().map(String::len).sum();
    let findings: usize = prompts.iter().map(|p| scanner.scan(p).findings.len()).sum();
    println!(
        "real_text: {} prompts, {bytes} bytes, {findings} findings",
        prompts.len()
    );
    let mut group = c.benchmark_group("scan_real_text");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("4KB_prompts", |b| {
        b.iter(|| {
            prompts
                .iter()
                .map(|p| scanner.scan(black_box(p)).findings.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, scan_real_text);
criterion_main!(benches);
