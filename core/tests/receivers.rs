//! End to end with real third-party receivers on loopback: an OpenTelemetry
//! Collector (OTLP/HTTP in, file exporter out) and rsyslog (RFC 5424 over
//! TCP with octet counting). Both are built or installed by
//! `scripts/receivers/*.sh`; `scripts/test.sh` prepares them and runs these
//! tests with `--ignored` (they need Go, apt and a few minutes the first
//! time, so a plain `cargo test` lists them as ignored).

// They run the native driver, which the default `native` feature builds.
#![cfg(feature = "native")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::pipeline::driver::{Completion, Driver, DriverOptions};
use govstream::pipeline::encode::{OtlpLogsConfig, OtlpLogsEncoder, SyslogConfig, SyslogEncoder};
use govstream::pipeline::{Destination, OverflowPolicy, Pipeline, SinkConfig, SinkSpec};
use govstream::policy::{EvaluationContext, Policy};
use govstream::schema::Record;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs a receiver script; returns its stdout (the PID for `start`).
fn script(name: &str, args: &[&str]) -> String {
    script_env(name, args, &[])
}

/// [`script`] with these environment variables set.
fn script_env(name: &str, args: &[&str], env: &[(&str, String)]) -> String {
    let out = Command::new("bash")
        .arg(root().join("scripts/receivers").join(name))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Stops the receiver when the test ends, whatever happens.
struct Running(&'static str, String);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(root().join("scripts/receivers").join(self.0))
            .args(["stop", &self.1])
            .output();
    }
}

fn records() -> Vec<Record> {
    let policy = Policy::default_policy().unwrap();
    let prompts = [
        "Summarise the roadmap notes",
        "mail jane.doe@example.com the SSN 123-45-6789",
        "deploy key AKIAIOSFODNN7EXAMPLE\nand a second line",
        "bonjour 😀 carte 4111 1111 1111 1111",
    ];
    prompts
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            let mut ctx = EvaluationContext::default();
            ctx.tool.model = Some("gpt-4o".into());
            ctx.identity.user_id = Some(format!("u-{i}"));
            // Half the requests come with a W3C trace, so the collector must
            // keep the ids on the log records it writes.
            if i % 2 == 1 {
                ctx.traceparent = Some(format!(
                    "00-4bf92f3577b34da6a3ce929d0e0e47{i:02x}-00f067aa0ba902{i:02x}-01"
                ));
            }
            policy.evaluate(p, &ctx).records()
        })
        .collect()
}

fn deliver(spec: SinkSpec, records: &[Record]) {
    let driver = Driver::start(
        Pipeline::new(vec![spec], 1).unwrap(),
        DriverOptions::default(),
    )
    .unwrap();
    for r in records {
        driver.emit(r).unwrap();
    }
    let (done, stats) = driver.shutdown(Duration::from_secs(30));
    assert_eq!(done, Completion::Done, "{stats:?}");
    assert_eq!(stats[0].delivered as usize, records.len(), "{stats:?}");
}

/// Waits until `path` holds at least `lines` lines.
fn wait_for_lines(path: &PathBuf, lines: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().count() >= lines || Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// docs/scale.md's collector tier as shipped in `deploy/collector/`: three
/// emitters (each a driver of its own, as separate processes would be) send
/// to a gateway (`gateway.yaml` + `out-otlp.yaml`) that forwards to a second
/// tier (`gateway.yaml` + `out-file.yaml`). The second tier starts only
/// after the emitters have begun, so the gateway must hold and retry what it
/// was sent (and, waiting for the result, keep the emitters waiting). Every
/// event id sent arrives exactly once.
#[test]
#[ignore = "needs the OpenTelemetry Collector built by scripts/receivers/otelcol.sh"]
fn a_collector_tier_passes_every_record_from_several_emitters() {
    script("otelcol.sh", &["build"]);
    let deploy = root().join("deploy/collector");
    let config = |name: &str| deploy.join(name).to_str().unwrap().to_string();
    let dir = tempdir("tier");
    // Two collectors on one machine: their own metrics listeners would clash.
    let quiet = dir.join("quiet.yaml");
    std::fs::write(
        &quiet,
        "service:\n  telemetry:\n    metrics:\n      level: none\n",
    )
    .unwrap();
    let quiet = quiet.to_str().unwrap().to_string();
    let (gateway_port, next_port) = (free_port(), free_port());
    let out = dir.join("archive/records.jsonl");

    let gateway = script_env(
        "otelcol.sh",
        &[
            "run",
            &gateway_port.to_string(),
            &config("gateway.yaml"),
            &config("out-otlp.yaml"),
            &quiet,
        ],
        &[
            (
                "GOVSTREAM_COLLECTOR_LISTEN",
                format!("127.0.0.1:{gateway_port}"),
            ),
            (
                "GOVSTREAM_COLLECTOR_NEXT",
                format!("http://127.0.0.1:{next_port}"),
            ),
        ],
    );
    let _gateway = Running("otelcol.sh", gateway);

    let emitters: Vec<_> = (0..3)
        .map(|e| {
            let url = format!("http://127.0.0.1:{gateway_port}");
            std::thread::spawn(move || emit_many(&url, e, 1_500))
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let next = script_env(
        "otelcol.sh",
        &[
            "run",
            &next_port.to_string(),
            &config("gateway.yaml"),
            &config("out-file.yaml"),
            &quiet,
        ],
        &[
            (
                "GOVSTREAM_COLLECTOR_LISTEN",
                format!("127.0.0.1:{next_port}"),
            ),
            (
                "GOVSTREAM_COLLECTOR_FILE",
                out.to_str().unwrap().to_string(),
            ),
        ],
    );
    let _next = Running("otelcol.sh", next);
    let mut sent: Vec<String> = emitters
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();

    // Every emitter has been acknowledged: with `wait_for_result`, the
    // records are in the second tier's file by now (flushed each second).
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut got = Vec::new();
    while got.len() < sent.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        got = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .flat_map(|v| log_records(&v))
            .map(|r| r.event_id().to_string())
            .collect();
    }
    sent.sort();
    got.sort();
    assert_eq!(got.len(), sent.len(), "records through the tier");
    assert!(got == sent, "the same event ids, each once");
    let _ = std::fs::remove_dir_all(&dir);
}

/// One emitter: `events` evaluations' records to `url` through a driver of
/// its own, waiting for room rather than dropping; returns the event ids
/// the driver was told are delivered.
fn emit_many(url: &str, emitter: usize, events: usize) -> Vec<String> {
    let policy = Policy::default_policy().unwrap();
    let driver = Driver::start(
        Pipeline::new(
            vec![SinkSpec::new(
                SinkConfig {
                    overflow: OverflowPolicy::Block,
                    max_batch_records: 200,
                    max_in_flight: 4,
                    max_wait_ms: 50,
                    max_attempts: 0,
                    max_backoff_ms: 1_000,
                    ..SinkConfig::named("otlp")
                },
                Box::new(OtlpLogsEncoder::new(OtlpLogsConfig::default())),
                Destination::Http {
                    url: url.to_string(),
                },
            )],
            1,
        )
        .unwrap(),
        DriverOptions::default(),
    )
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..events {
        let text = match i % 3 {
            0 => format!("emitter {emitter} asks question {i}"),
            1 => format!("mail user{i}@example.com about ticket {i}"),
            _ => format!("card 4111 1111 1111 1111 for order {i}"),
        };
        for record in policy
            .evaluate(&text, &EvaluationContext::default())
            .records()
        {
            driver.emit_wait(&record, Duration::from_secs(60)).unwrap();
            ids.push(record.event_id().to_string());
        }
    }
    let (done, stats) = driver.shutdown(Duration::from_secs(60));
    assert_eq!(done, Completion::Done, "{stats:?}");
    assert_eq!(stats[0].delivered as usize, ids.len(), "{stats:?}");
    ids
}

#[test]
#[ignore = "needs the OpenTelemetry Collector built by scripts/receivers/otelcol.sh"]
fn an_opentelemetry_collector_receives_every_record_intact() {
    script("otelcol.sh", &["build"]);
    let dir = tempdir("otel");
    let out = dir.join("otlp.jsonl");
    let port = free_port();
    let pid = script(
        "otelcol.sh",
        &["start", &port.to_string(), out.to_str().unwrap()],
    );
    let _running = Running("otelcol.sh", pid);
    let sent = records();
    deliver(
        SinkSpec::new(
            SinkConfig {
                max_batch_records: 3,
                ..SinkConfig::named("otlp")
            },
            Box::new(OtlpLogsEncoder::new(OtlpLogsConfig::default())),
            Destination::Http {
                url: format!("http://127.0.0.1:{port}"),
            },
        ),
        &sent,
    );
    // The file exporter writes whole requests as lines, flushed on its own
    // schedule: read until every record is there (or time runs out).
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut got = Vec::new();
    while got.len() < sent.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        got = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .flat_map(|v| log_records(&v))
            .collect();
    }
    assert_eq!(
        got, sent,
        "the collector's file holds exactly what was sent"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs rsyslog installed by scripts/receivers/rsyslog.sh"]
fn rsyslog_receives_every_rfc5424_message_intact() {
    script("rsyslog.sh", &["install"]);
    let dir = tempdir("syslog");
    let raw = dir.join("raw.log");
    let parsed = dir.join("parsed.jsonl");
    let port = free_port();
    let pid = script(
        "rsyslog.sh",
        &[
            "start",
            &port.to_string(),
            raw.to_str().unwrap(),
            parsed.to_str().unwrap(),
        ],
    );
    let _running = Running("rsyslog.sh", pid);
    let sent = records();
    let encoder = SyslogEncoder::new(SyslogConfig {
        hostname: Some("gw-1".into()),
        ..SyslogConfig::default()
    })
    .unwrap();
    let lines: Vec<String> = sent.iter().map(|r| encoder.message(r).unwrap()).collect();
    deliver(
        SinkSpec::new(
            SinkConfig::named("syslog"),
            Box::new(encoder),
            Destination::Tcp {
                addr: format!("127.0.0.1:{port}"),
            },
        ),
        &sent,
    );
    let parsed_text = wait_for_lines(&parsed, sent.len());
    let messages: Vec<Value> = parsed_text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(messages.len(), sent.len(), "{parsed_text}");
    for ((m, record), line) in messages.iter().zip(&sent).zip(&lines) {
        assert_eq!(
            m["msg"].as_str().unwrap(),
            record.to_json_line().unwrap(),
            "msg round-trips"
        );
        assert_eq!(m["hostname"], "gw-1");
        assert_eq!(m["app_name"], "govstream");
        assert_eq!(m["version"], "1");
        let sd = m["structured_data"].as_str().unwrap();
        assert!(line.contains(sd), "structured data as sent: {sd}");
    }
    let raw_text = std::fs::read_to_string(&raw).unwrap();
    for line in &lines {
        assert!(raw_text.contains(line.as_str()), "raw message kept: {line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The records in one line of the file exporter's output, checking the
/// OTLP envelope on the way.
fn log_records(v: &Value) -> Vec<Record> {
    let mut got = Vec::new();
    for rl in v["resourceLogs"].as_array().unwrap() {
        let service = rl["resource"]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == "service.name")
            .map(|a| a["value"]["stringValue"].clone());
        assert_eq!(service, Some(Value::from("govstream")));
        for sl in rl["scopeLogs"].as_array().unwrap() {
            for lr in sl["logRecords"].as_array().unwrap() {
                let body = lr["body"]["stringValue"].as_str().unwrap();
                let record: Record = serde_json::from_str(body).unwrap();
                let uid = lr["attributes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|a| a["key"] == "log.record.uid")
                    .map(|a| a["value"]["stringValue"].clone());
                assert_eq!(uid, Some(Value::from(record.event_id())));
                // The trace arrives on the log record itself.
                let trace = record.trace();
                let id = |field: &str| {
                    lr.get(field)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                };
                assert_eq!(
                    id("traceId"),
                    trace.and_then(|t| t.trace_id.as_deref()),
                    "{lr}"
                );
                assert_eq!(
                    id("spanId"),
                    trace.and_then(|t| t.span_id.as_deref()),
                    "{lr}"
                );
                if trace.is_some() {
                    assert_eq!(lr["flags"], 1, "{lr}");
                }
                assert!(
                    lr["timeUnixNano"].as_str().is_some_and(|t| t.len() >= 19),
                    "{lr}"
                );
                got.push(record);
            }
        }
    }
    got
}

fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("govstream-recv-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
