//! The native driver against a real loopback HTTP receiver that fails 70%
//! of requests in every way a SIEM endpoint does, then recovers.

// They run the native driver, which the default `native` feature builds.
#![cfg(feature = "native")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::pipeline::driver::{Callback, Completion, Driver, DriverOptions};
use govstream::pipeline::encode::{BatchInfo, Encoder};
use govstream::pipeline::{Destination, Pipeline, SinkConfig, SinkSpec};
use govstream::policy::{EvaluationContext, Policy};
use govstream::schema::Record;
use govstream_testkit::{Faults, Receiver};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// JSON Lines, gzip accepted: the simplest real wire format.
#[derive(Debug)]
struct Lines;

impl Encoder for Lines {
    fn name(&self) -> &'static str {
        "lines"
    }
    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> govstream::Result<()> {
        serde_json::to_writer(out, record).map_err(|e| govstream::Error::Input {
            location: "record".into(),
            message: e.to_string(),
        })
    }
    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        for p in pieces {
            out.extend_from_slice(p);
            out.push(b'\n');
        }
    }
    fn headers(&self, _body: &[u8], batch: &BatchInfo) -> Vec<(String, String)> {
        vec![
            ("content-type".into(), "application/x-ndjson".into()),
            ("idempotency-key".into(), batch.batch_id.clone()),
        ]
    }
    fn accepts_gzip(&self) -> bool {
        true
    }
}

fn records(n: usize) -> Vec<Record> {
    let policy = Policy::default_policy().unwrap();
    let texts = [
        "hello there",
        "mail bob@corp.io",
        "key AKIAIOSFODNN7EXAMPLE",
        "card 4111 1111 1111 1111",
    ];
    (0..n)
        .flat_map(|i| {
            let ctx = EvaluationContext {
                event_id: Some(format!("ev-{i:06}")),
                ..EvaluationContext::default()
            };
            policy.evaluate(texts[i % texts.len()], &ctx).records()
        })
        .collect()
}

fn fast_retries(name: &str) -> SinkConfig {
    SinkConfig {
        max_batch_records: 50,
        max_wait_ms: 20,
        initial_backoff_ms: 5,
        max_backoff_ms: 50,
        max_attempts: 0,
        ..SinkConfig::named(name)
    }
}

#[test]
fn every_record_arrives_exactly_as_sent_through_70_percent_failures() {
    let receiver = Receiver::start(Faults {
        fail_ratio: 0.7,
        recover_after: Some(400),
        slow: Duration::from_millis(30),
        seed: 99,
        ..Faults::default()
    })
    .unwrap();
    let pipeline = Pipeline::new(
        vec![SinkSpec::new(
            fast_retries("http"),
            Box::new(Lines),
            Destination::Http {
                url: format!("{}/ingest", receiver.url()),
            },
        )],
        5,
    )
    .unwrap();
    let driver = Driver::start(
        pipeline,
        DriverOptions {
            http_timeout: Some(Duration::from_secs(5)),
            ..DriverOptions::default()
        },
    )
    .unwrap();
    let sent = records(600);
    for r in &sent {
        driver.emit(r).unwrap();
        let s = &driver.stats()[0];
        assert!(s.balanced(), "{s:?}");
    }
    assert_eq!(
        driver.flush(Duration::from_secs(60)),
        Completion::Done,
        "{:?}",
        driver.stats()
    );
    let (done, stats) = driver.shutdown(Duration::from_secs(5));
    assert_eq!(done, Completion::Done);
    let s = &stats[0];
    assert!(
        s.balanced() && s.retried > 0 && s.dead_lettered == 0 && s.dropped_total() == 0,
        "{s:?}"
    );
    assert!(receiver.refused() > 0);

    // Dedup by the idempotency key: every record exactly as sent.
    let mut got: BTreeMap<String, String> = BTreeMap::new();
    for req in receiver.accepted() {
        assert_eq!(req.path, "/ingest");
        assert_eq!(req.header("content-encoding"), Some("gzip"));
        for line in String::from_utf8(req.body).unwrap().lines() {
            let r: Record = serde_json::from_str(line).unwrap();
            got.insert(r.event_id().to_string(), line.to_string());
        }
    }
    let want: BTreeMap<String, String> = sent
        .iter()
        .map(|r| (r.event_id().to_string(), serde_json::to_string(r).unwrap()))
        .collect();
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
    assert_eq!(s.delivered as usize, sent.len());
}

#[test]
fn a_failing_callback_is_a_failed_delivery_not_a_lost_one() {
    let calls = Arc::new(AtomicU32::new(0));
    let c = Arc::clone(&calls);
    let callback: Callback = Arc::new(move |_sink: &str, _body: &[u8]| {
        if c.fetch_add(1, Ordering::SeqCst) < 2 {
            Err("host sink raised ValueError".to_string())
        } else {
            Ok(())
        }
    });
    let pipeline = Pipeline::new(
        vec![SinkSpec::new(
            fast_retries("cb"),
            Box::new(Lines),
            Destination::Callback,
        )],
        1,
    )
    .unwrap();
    let driver = Driver::start(
        pipeline,
        DriverOptions {
            callbacks: HashMap::from([("cb".to_string(), callback)]),
            ..DriverOptions::default()
        },
    )
    .unwrap();
    for r in records(3) {
        driver.emit(&r).unwrap();
    }
    assert_eq!(driver.flush(Duration::from_secs(10)), Completion::Done);
    let s = &driver.stats()[0];
    assert!(s.retried > 0 && s.delivered > 0 && s.balanced(), "{s:?}");
    assert_eq!(s.last_error.as_deref(), Some("host sink raised ValueError"));
}

#[test]
fn files_and_tcp_receive_batches() {
    let dir = std::env::temp_dir().join(format!("govstream-delivery-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("events.jsonl");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let reader = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = String::new();
        std::io::Read::read_to_string(&mut s, &mut buf).unwrap();
        buf
    });
    let pipeline = Pipeline::new(
        vec![
            SinkSpec::new(
                fast_retries("file"),
                Box::new(Lines),
                Destination::File {
                    path: path.to_str().unwrap().into(),
                    max_bytes: 1 << 20,
                    keep: 2,
                },
            ),
            SinkSpec::new(
                fast_retries("tcp"),
                Box::new(Lines),
                Destination::Tcp { addr },
            ),
        ],
        1,
    )
    .unwrap();
    let driver = Driver::start(pipeline, DriverOptions::default()).unwrap();
    let sent = records(10);
    for r in &sent {
        driver.emit(r).unwrap();
    }
    let (done, stats) = driver.shutdown(Duration::from_secs(10));
    assert_eq!(done, Completion::Done, "{stats:?}");
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written.lines().count(), sent.len());
    let over_tcp = reader.join().unwrap();
    assert_eq!(over_tcp, written);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stalled_receiver_times_out_the_shutdown_and_counts_what_was_lost() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().take(50) {
            held.push(s);
        }
    });
    let pipeline = Pipeline::new(
        vec![SinkSpec::new(
            SinkConfig {
                max_backoff_ms: 20,
                ..fast_retries("http")
            },
            Box::new(Lines),
            Destination::Http { url },
        )],
        1,
    )
    .unwrap();
    let driver = Driver::start(
        pipeline,
        DriverOptions {
            http_timeout: Some(Duration::from_millis(100)),
            ..DriverOptions::default()
        },
    )
    .unwrap();
    for r in records(20) {
        driver.emit(&r).unwrap();
    }
    let (done, stats) = driver.shutdown(Duration::from_millis(300));
    assert_eq!(done, Completion::TimedOut);
    let s = &stats[0];
    assert!(
        s.balanced() && s.dropped["shutdown"] > 0 && s.pending == 0,
        "{s:?}"
    );
    assert!(
        s.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("127.0.0.1"),
        "{s:?}"
    );
}

#[test]
fn the_outbox_keeps_what_a_stalled_run_could_not_deliver() {
    use govstream::pipeline::outbox::OutboxConfig;
    let dir = std::env::temp_dir().join(format!("govstream-outbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sent = records(40);
    let sink = |url: String| {
        Pipeline::new(
            vec![SinkSpec::new(
                fast_retries("http"),
                Box::new(Lines),
                Destination::Http { url },
            )],
            1,
        )
        .unwrap()
    };
    let options = || DriverOptions {
        http_timeout: Some(Duration::from_millis(200)),
        outbox: Some(OutboxConfig::new(&dir)),
        ..DriverOptions::default()
    };

    // First run: the receiver accepts connections and never answers;
    // nothing is delivered, nothing dropped.
    let stalled = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let stalled_url = format!("http://{}", stalled.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in stalled.incoming().take(50) {
            held.push(s);
        }
    });
    let driver = Driver::start(sink(stalled_url), options()).unwrap();
    for r in &sent {
        driver.emit(r).unwrap();
    }
    let (done, stats) = driver.shutdown(Duration::from_millis(300));
    assert_eq!(done, Completion::TimedOut);
    assert_eq!(
        (stats[0].dropped_total(), stats[0].delivered),
        (0, 0),
        "{stats:?}"
    );

    // Second run: a healthy receiver gets everything not yet acknowledged.
    let up = Receiver::start(Faults::default()).unwrap();
    let driver = Driver::start(sink(up.url()), options()).unwrap();
    assert_eq!(
        driver.flush(Duration::from_secs(20)),
        Completion::Done,
        "{:?}",
        driver.stats()
    );
    let outbox = driver.outbox_stats().unwrap();
    assert!(outbox.sinks.iter().all(|s| s.lag == 0), "{outbox:?}");
    drop(driver);
    let got: std::collections::HashSet<String> = up
        .accepted()
        .iter()
        .flat_map(|r| {
            String::from_utf8(r.body.clone())
                .unwrap()
                .lines()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .map(|l| {
            serde_json::from_str::<Record>(&l)
                .unwrap()
                .event_id()
                .to_string()
        })
        .collect();
    for r in &sent {
        assert!(got.contains(r.event_id()), "{} lost", r.event_id());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_driver_sends_alerts_and_tracks_channel_health() {
    use govstream::notify::Notifier;
    let slack = Receiver::start(Faults::default()).unwrap();
    let notifier = Notifier::from_json(&format!(
        r#"{{
        "channels": [
            {{"id": "soc-slack", "kind": "slack", "url": "{}/services/T/B/X", "dedup_window_secs": 0}},
            {{"id": "ciso-mail", "kind": "email", "from": "alerts@acme.example", "to": ["ciso@acme.example"], "dedup_window_secs": 0}}
        ],
        "rules": [
            {{"id": "blocked", "channels": ["soc-slack", "ciso-mail"], "record_types": ["event"], "min_verdict": "block"}}
        ]
    }}"#,
        slack.url()
    ))
    .unwrap();
    let mails = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let m = Arc::clone(&mails);
    let mailer: Callback = Arc::new(move |_channel: &str, message: &[u8]| {
        m.lock()
            .unwrap()
            .push(String::from_utf8_lossy(message).into_owned());
        Ok(())
    });
    let pipeline = Pipeline::new(
        vec![SinkSpec::new(
            SinkConfig::named("mem"),
            Box::new(Lines),
            Destination::Memory { capacity: 100 },
        )],
        1,
    )
    .unwrap();
    let driver = Driver::start(
        pipeline,
        DriverOptions {
            notifier: Some(notifier),
            callbacks: HashMap::from([("ciso-mail".to_string(), mailer)]),
            ..DriverOptions::default()
        },
    )
    .unwrap();
    for r in records(8) {
        driver.emit(&r).unwrap();
    }
    assert_eq!(driver.flush(Duration::from_secs(10)), Completion::Done);
    let health = driver.notification_health();
    let slack_health = health.iter().find(|h| h.channel_id == "soc-slack").unwrap();
    let mail_health = health.iter().find(|h| h.channel_id == "ciso-mail").unwrap();
    // Two of the eight prompts carry a key: blocked.
    assert_eq!(
        (slack_health.successes, slack_health.failures),
        (2, 0),
        "{health:?}"
    );
    assert_eq!(mail_health.successes, 2, "{health:?}");
    assert_eq!(slack.accepted().len(), 2);
    let mails = mails.lock().unwrap();
    assert!(mails[0].contains("\r\nSubject: ") && !mails[0].contains("AKIAIOSFODNN7EXAMPLE"));
}
