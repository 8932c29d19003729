//! Analytics cost: a summary of one million records with the scan cap off
//! (the target is at most one second) and with the default cap of 5,000,
//! the ops-health snapshot over the same records, event-store inserts and
//! filtered "load more" queries, and rendering the HTML report.
//!
//! The records are realistic events and DLP matches from the default policy,
//! re-stamped with distinct ids and timestamps spread over 30 days; each
//! summary runs over them in generation order and shuffled.

#![allow(clippy::expect_used, missing_docs)]

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use govstream::analytics::{
    Analytics, AnalyticsOptions, EventStore, OpsHealth, Query, Window, render_html,
};
use govstream::clock::rfc3339_ms;
use govstream::schema::{Record, Severity};
use std::hint::black_box;
use std::time::Duration;

/// 2026-11-22T09:20:00.000Z.
const NOW: i64 = 1_795_339_200_000;
const SPAN_MS: i64 = 30 * 86_400_000;
const MILLION: usize = 1_000_000;

/// `n` records: templates from real evaluations, each event with a fresh
/// id and timestamp, its matches following it with the same.
fn records(n: usize) -> Vec<Record> {
    let templates = govstream_benches::records(200);
    let mut out = Vec::with_capacity(n);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let (mut event_id, mut ts) = (String::new(), NOW);
    let mut i = 0usize;
    while out.len() < n {
        let mut r = templates[i % templates.len()].clone();
        match &mut r {
            Record::Event(e) => {
                let x = rng.next();
                ts = NOW - (x % SPAN_MS as u64) as i64;
                event_id = format!("{i:016x}");
                e.event_id.clone_from(&event_id);
                e.timestamp = rfc3339_ms(ts);
                e.client.endpoint_id = Some(format!("dev-{}", x % 5000));
            }
            Record::DlpMatch(m) => {
                m.match_id = format!("{event_id}:{i}");
                m.event_id.clone_from(&event_id);
                m.timestamp = rfc3339_ms(ts);
            }
            _ => {}
        }
        out.push(r);
        i += 1;
    }
    out
}

/// The same records in random order: matches no longer follow their
/// events and consecutive records sit far apart in memory, as in a stream
/// merged from many hosts — the cache's worst case.
fn shuffled(mut records: Vec<Record>) -> Vec<Record> {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for j in (1..records.len()).rev() {
        records.swap(j, (rng.next() % (j as u64 + 1)) as usize);
    }
    records
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn summarize(c: &mut Criterion) {
    let mut group = c.benchmark_group("analytics");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(MILLION as u64));
    let runs = [("uncapped", None), ("cap_5000", Some(5_000))];
    let mut records = records(MILLION);
    for order in ["in_order", "shuffled"] {
        if order == "shuffled" {
            records = shuffled(records);
        }
        for (cap_name, cap) in runs {
            let options = AnalyticsOptions {
                scan_cap: cap,
                ..AnalyticsOptions::default()
            };
            group.bench_function(format!("summarize_{cap_name}/1M_{order}"), |b| {
                b.iter(|| Analytics::summarize(black_box(&records), NOW, options))
            });
        }
        group.bench_function(format!("ops_health/1M_{order}"), |b| {
            b.iter(|| OpsHealth::compute(black_box(&records), &[], &[], NOW, Some(6000), 3))
        });
    }
    group.finish();
}

fn store(c: &mut Criterion) {
    let records = shuffled(records(200_000));
    let mut group = c.benchmark_group("event_store");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("insert/200k_into_100k", |b| {
        b.iter_batched(
            || records.clone(),
            |records| {
                let mut store = EventStore::new(100_000);
                for r in records {
                    store.insert(r);
                }
                store
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let mut store = EventStore::new(100_000);
    for r in &records {
        store.insert(r.clone());
    }
    let mut group = c.benchmark_group("event_store_query");
    let queries = [
        ("first_page", Query::new(NOW)),
        (
            "dlp_high_7d_page",
            Query {
                window: Some(Window::Week),
                dlp_only: true,
                min_severity: Some(Severity::High),
                ..Query::new(NOW)
            },
        ),
    ];
    for (name, query) in queries {
        group.bench_function(name, |b| b.iter(|| store.query(black_box(&query))));
        // The fifth "load more": the cursor walk starts mid-store.
        let mut q = query.clone();
        for _ in 0..4 {
            q.cursor = store.query(&q).next_cursor;
        }
        group.bench_function(format!("{name}_after_4_pages"), |b| {
            b.iter(|| store.query(black_box(&q)))
        });
    }
    group.finish();
}

fn report(c: &mut Criterion) {
    let records = records(100_000);
    let summary = Analytics::summarize(&records, NOW, AnalyticsOptions::default());
    c.bench_function("report/render_html", |b| {
        b.iter(|| render_html(black_box(&summary), "Weekly report"))
    });
}

criterion_group!(benches, summarize, store, report);
criterion_main!(benches);
