//! Delivery throughput: encoding per wire format, the JSONL file sink and
//! HTTP delivery with batching to a loopback receiver.

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use govstream::pipeline::driver::{Completion, Driver, DriverOptions};
use govstream::pipeline::encode::{
    AzureLogsConfig, AzureLogsEncoder, CefConfig, CefEncoder, ElasticsearchAuth,
    ElasticsearchBulkConfig, ElasticsearchBulkEncoder, Encoder, JsonLinesEncoder, OcsfConfig,
    OcsfEncoder, OtlpLogsConfig, OtlpLogsEncoder, SplunkHecConfig, SplunkHecEncoder, SyslogConfig,
    SyslogEncoder, WebhookConfig, WebhookEncoder,
};
use govstream::pipeline::{Destination, Pipeline, SinkConfig, SinkSpec};
use govstream_testkit::{Faults, Receiver};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn encoders() -> Vec<(&'static str, Box<dyn Encoder>)> {
    vec![
        ("jsonl", Box::new(JsonLinesEncoder::new())),
        (
            "webhook",
            Box::new(
                WebhookEncoder::new(WebhookConfig::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
                    .unwrap(),
            ),
        ),
        (
            "splunk-hec",
            Box::new(SplunkHecEncoder::new(SplunkHecConfig::new("token"))),
        ),
        (
            "elasticsearch",
            Box::new(ElasticsearchBulkEncoder::new(ElasticsearchBulkConfig::new(
                "govstream",
                ElasticsearchAuth::ApiKey("k".into()),
            ))),
        ),
        (
            "azure-logs",
            Box::new(AzureLogsEncoder::new(AzureLogsConfig::new("token"))),
        ),
        (
            "otlp",
            Box::new(OtlpLogsEncoder::new(OtlpLogsConfig::default())),
        ),
        (
            "syslog",
            Box::new(SyslogEncoder::new(SyslogConfig::default()).unwrap()),
        ),
        ("cef", Box::new(CefEncoder::new(CefConfig::default()))),
        ("ocsf", Box::new(OcsfEncoder::new(OcsfConfig::default()))),
    ]
}

fn encode(c: &mut Criterion) {
    let records = govstream_benches::records(1000);
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Elements(records.len() as u64));
    for (name, enc) in encoders() {
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let mut pieces = Vec::with_capacity(records.len());
                for r in &records {
                    let mut piece = Vec::new();
                    enc.encode_record(r, &mut piece).unwrap();
                    pieces.push(piece);
                }
                let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
                let mut body = Vec::new();
                enc.frame(&refs, &mut body);
                black_box(body)
            })
        });
    }
    group.finish();
}

/// Pushes `records` through a fresh driver to `destination` and returns the
/// time from the first emit until everything is delivered.
fn deliver(
    records: &[govstream::schema::Record],
    destination: Destination,
    batch: usize,
) -> Duration {
    let pipeline = Pipeline::new(
        vec![SinkSpec::new(
            SinkConfig {
                max_batch_records: batch,
                max_batch_bytes: 8 << 20,
                max_wait_ms: 5,
                ..SinkConfig::named("bench")
            },
            Box::new(JsonLinesEncoder::new()),
            destination,
        )],
        1,
    )
    .unwrap();
    let driver = Driver::start(pipeline, DriverOptions::default()).unwrap();
    let start = Instant::now();
    for r in records {
        driver.emit(r).unwrap();
    }
    assert_eq!(driver.flush(Duration::from_secs(120)), Completion::Done);
    let elapsed = start.elapsed();
    let (_, stats) = driver.shutdown(Duration::from_secs(5));
    assert_eq!(stats[0].delivered as usize, records.len());
    elapsed
}

fn sinks(c: &mut Criterion) {
    let records = govstream_benches::records(20_000);
    let dir = std::env::temp_dir().join(format!("govstream-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut group = c.benchmark_group("deliver");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("jsonl_file", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|i| {
                    let path = dir.join(format!("bench-{i}.jsonl"));
                    let d = deliver(
                        &records,
                        Destination::File {
                            path: path.to_str().unwrap().into(),
                            max_bytes: 1 << 30,
                            keep: 1,
                        },
                        1000,
                    );
                    let _ = std::fs::remove_file(path);
                    d
                })
                .sum()
        })
    });
    // The sink's own cost on one core: the pipeline driven by hand on this
    // thread, each batch appended to the file as the native driver does.
    group.bench_function("jsonl_file_one_thread", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|i| {
                    let path = dir.join(format!("one-{i}.jsonl"));
                    let mut file = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)
                        .unwrap();
                    let mut p = Pipeline::new(
                        vec![SinkSpec::new(
                            SinkConfig {
                                max_batch_records: 1000,
                                max_batch_bytes: 8 << 20,
                                ..SinkConfig::named("f")
                            },
                            Box::new(JsonLinesEncoder::new()),
                            Destination::File {
                                path: path.to_str().unwrap().into(),
                                max_bytes: u64::MAX,
                                keep: 0,
                            },
                        )],
                        1,
                    )
                    .unwrap();
                    let start = Instant::now();
                    for r in &records {
                        p.emit(r, 0).unwrap();
                        while let Some(t) = p.poll_transmit(0) {
                            std::io::Write::write_all(&mut file, &t.body).unwrap();
                            p.on_outcome(t.id, govstream::pipeline::Outcome::Delivered, 0);
                        }
                    }
                    p.flush();
                    while let Some(t) = p.poll_transmit(0) {
                        std::io::Write::write_all(&mut file, &t.body).unwrap();
                        p.on_outcome(t.id, govstream::pipeline::Outcome::Delivered, 0);
                    }
                    let elapsed = start.elapsed();
                    assert_eq!(p.stats()[0].delivered as usize, records.len());
                    let _ = std::fs::remove_file(path);
                    elapsed
                })
                .sum()
        })
    });
    let receiver = Receiver::start(Faults::default()).unwrap();
    group.bench_function("http_loopback_batch_1000", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    deliver(
                        &records,
                        Destination::Http {
                            url: receiver.url(),
                        },
                        1000,
                    )
                })
                .sum()
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, encode, sinks);
criterion_main!(benches);
