//! Peak memory while 1,000,000 records are emitted towards a receiver that
//! accepts connections and never answers. The bound is the sink's queue:
//! `queue_capacity` encoded records (plus their ids and bookkeeping) and
//! `max_in_flight` batches; everything beyond is dropped (and counted),
//! never buffered without limit.
//!
//! Not a criterion benchmark: it prints one measurement. Run with
//! `cargo bench -p govstream-benches --bench stalled_memory`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs
)]

use govstream::pipeline::driver::{Driver, DriverOptions};
use govstream::pipeline::encode::JsonLinesEncoder;
use govstream::pipeline::{Destination, Pipeline, SinkConfig, SinkSpec};
use std::time::{Duration, Instant};

/// Peak resident set size of this process, from /proc (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    // `cargo test --benches` runs every bench target once with `--bench`
    // absent; keep that run short.
    let quick = !std::env::args().any(|a| a == "--bench");
    let total: usize = if quick { 20_000 } else { 1_000_000 };
    let capacity = 100_000;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().take(64) {
            held.push(s);
        }
        std::thread::sleep(Duration::from_secs(3600));
    });
    let records = govstream_benches::records(1000);
    let base = peak_rss_kib().unwrap_or(0);
    let pipeline = Pipeline::new(
        vec![SinkSpec::new(
            SinkConfig {
                queue_capacity: capacity,
                ..SinkConfig::named("stalled")
            },
            Box::new(JsonLinesEncoder::new()),
            Destination::Http { url },
        )],
        1,
    )
    .unwrap();
    let driver = Driver::start(
        pipeline,
        DriverOptions {
            http_timeout: Some(Duration::from_secs(600)),
            ..DriverOptions::default()
        },
    )
    .unwrap();
    let start = Instant::now();
    for i in 0..total {
        driver.emit(&records[i % records.len()]).unwrap();
    }
    let elapsed = start.elapsed();
    let stats = driver.stats().remove(0);
    let peak = peak_rss_kib().unwrap_or(0);
    let avg_piece: usize = records
        .iter()
        .map(|r| serde_json::to_vec(r).map_or(0, |v| v.len()))
        .sum::<usize>()
        / records.len();
    let per_record = (peak.saturating_sub(base) * 1024) / capacity as u64;
    println!(
        "stalled receiver: emitted {} in {:.2} s; pending {}, dropped {}; peak RSS {} MiB (baseline {} MiB) \
         for queue_capacity {} and {} B average encoded records: {} B per queued record all told",
        stats.emitted,
        elapsed.as_secs_f64(),
        stats.pending,
        stats.dropped_total(),
        peak / 1024,
        base / 1024,
        capacity,
        avg_piece,
        per_record
    );
    assert!(stats.balanced());
    std::process::exit(0);
}
