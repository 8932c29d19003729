//! Shadow-AI classification speed: bare hostnames as a browser extension
//! sees them (most not AI, some catalog tools, some on the org's lists),
//! full URLs with userinfo, ports, paths and queries, and the
//! allocation-free lookup of already normalized hosts.

#![allow(clippy::expect_used, missing_docs)]
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use govstream::shadow::{Catalog, Classifier};
use std::hint::black_box;

/// Hosts in roughly the proportions a browser visits them: ordinary sites,
/// their CDNs and subdomains, then AI tools.
const HOSTS: &[&str] = &[
    "www.google.com",
    "mail.google.com",
    "docs.google.com",
    "github.com",
    "api.github.com",
    "stackoverflow.com",
    "en.wikipedia.org",
    "www.youtube.com",
    "i.ytimg.com",
    "outlook.office365.com",
    "teams.microsoft.com",
    "login.microsoftonline.com",
    "acme.atlassian.net",
    "acme.slack.com",
    "cdn.jsdelivr.net",
    "fonts.gstatic.com",
    "d1a2b3c4d5e6f7.cloudfront.net",
    "news.ycombinator.com",
    "www.linkedin.com",
    "intranet.acme.example",
    "chatgpt.com",
    "chat.openai.com",
    "claude.ai",
    "gemini.google.com",
    "chat.deepseek.com",
    "copilot.microsoft.com",
    "www.perplexity.ai",
    "api.openai.com",
    "cdn.midjourney.com",
    "app.grammarly.com",
];

const URLS: &[&str] = &[
    "https://www.google.com/search?q=quarterly+report",
    "https://github.com/acme/service/pull/42",
    "https://acme.atlassian.net/browse/OPS-1234?focusedCommentId=5",
    "https://chatgpt.com/c/67a1b2c3-d4e5-f678-9012-3456789abcde",
    "https://claude.ai/chat/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    "https://user:secret@chat.deepseek.com:443/a/chat/s/1?q=merger#top",
    "https://www.perplexity.ai/search/what-is-the-capital-of-France",
    "http://intranet.acme.example:8080/wiki/Home",
    "https://GEMINI.GOOGLE.COM/app/abc123",
    "https://en.wikipedia.org/wiki/Punycode#Examples",
];

fn classifier() -> Classifier {
    Classifier::new(
        Catalog::builtin(),
        &[
            "chatgpt.com".into(),
            "*.openai.com".into(),
            "gemini.google.com".into(),
        ],
        &["*.deepseek.com".into()],
    )
    .expect("lists are valid")
}

fn classify(c: &mut Criterion) {
    let classifier = classifier();
    let mut group = c.benchmark_group("classify");
    for (name, inputs) in [("bare_hosts", HOSTS), ("urls", URLS)] {
        group.throughput(Throughput::Elements(inputs.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for input in inputs {
                    black_box(classifier.classify(black_box(input)));
                }
            })
        });
    }
    group.throughput(Throughput::Elements(HOSTS.len() as u64));
    group.bench_function("lookup_normalized", |b| {
        b.iter(|| {
            for host in HOSTS {
                black_box(classifier.lookup(black_box(host)));
            }
        })
    });
    group.finish();
}

fn build(c: &mut Criterion) {
    c.bench_function("classifier/build_builtin", |b| b.iter(classifier));
}

criterion_group!(benches, classify, build);
criterion_main!(benches);
