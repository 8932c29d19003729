//! The driver's lifecycle against receivers that misbehave in time: never
//! answering, never returning, never reading. Every flush and shutdown must
//! return by its deadline, say why records were left, and no time-out a
//! caller passes may panic. Loopback listeners only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::pipeline::driver::{Callback, Completion, Driver, DriverOptions, FlushReport};
use govstream::pipeline::encode::{BatchInfo, Encoder};
use govstream::pipeline::{Destination, Pipeline, SinkConfig, SinkSpec, SinkStats};
use govstream::policy::{EvaluationContext, Policy};
use govstream::schema::Record;
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// JSON Lines: the simplest real wire format.
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
    fn headers(&self, _body: &[u8], _batch: &BatchInfo) -> Vec<(String, String)> {
        vec![("content-type".into(), "application/x-ndjson".into())]
    }
}

/// `n` records (events and their matches).
fn records(n: usize) -> Vec<Record> {
    let policy = Policy::default_policy().unwrap();
    (0..)
        .flat_map(|i| {
            let ctx = EvaluationContext {
                event_id: Some(format!("ev-{i:06}")),
                ..EvaluationContext::default()
            };
            policy.evaluate("mail bob@corp.io", &ctx).records()
        })
        .take(n)
        .collect()
}

fn sink(name: &str) -> SinkConfig {
    SinkConfig {
        max_batch_records: 50,
        max_wait_ms: 20,
        initial_backoff_ms: 5,
        max_backoff_ms: 50,
        max_attempts: 0,
        ..SinkConfig::named(name)
    }
}

fn one_sink(config: SinkConfig, destination: Destination) -> Pipeline {
    Pipeline::new(vec![SinkSpec::new(config, Box::new(Lines), destination)], 1).unwrap()
}

/// A listener that accepts connections, holds them open and never reads
/// or answers.
fn silent_listener() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().take(100) {
            held.push(s);
        }
        std::thread::sleep(Duration::from_secs(600));
    });
    addr
}

/// A callback that blocks until the returned sender is dropped or sent to.
fn stuck_callback() -> (Callback, mpsc::Sender<()>) {
    let (tx, rx) = mpsc::channel::<()>();
    let rx = Mutex::new(rx);
    let cb: Callback = Arc::new(move |_sink: &str, _body: &[u8]| {
        let _ = rx.lock().unwrap().recv();
        Ok(())
    });
    (cb, tx)
}

fn last_error(s: &SinkStats) -> &str {
    s.last_error.as_deref().unwrap_or_default()
}

#[test]
fn no_timeout_a_caller_passes_panics() {
    let driver = Driver::start(
        one_sink(sink("m"), Destination::Memory { capacity: 10 }),
        DriverOptions::default(),
    )
    .unwrap();
    let r = &records(1)[0];
    for timeout in [Duration::MAX, Duration::from_secs(u64::MAX), Duration::ZERO] {
        driver.emit_wait(r, timeout).unwrap();
        assert_eq!(driver.flush(timeout), Completion::Done);
        assert!(driver.flush_report(timeout).all_delivered());
    }
    let (done, stats) = driver.shutdown(Duration::MAX);
    assert_eq!(done, Completion::Done);
    assert_eq!(stats[0].delivered, 3);

    // The largest request time-out, against receivers that never answer.
    for destination in [
        Destination::Http {
            url: format!("http://{}", silent_listener()),
        },
        Destination::Tcp {
            addr: silent_listener(),
        },
    ] {
        let driver = Driver::start(
            one_sink(sink("x"), destination),
            DriverOptions {
                http_timeout: Some(Duration::MAX),
                ..DriverOptions::default()
            },
        )
        .unwrap();
        driver.emit(r).unwrap();
        driver.flush(Duration::from_millis(200));
        driver.shutdown(Duration::from_millis(200));
    }
}

#[test]
fn a_callback_that_never_returns_cannot_hold_flush_or_shutdown() {
    let (cb, release) = stuck_callback();
    let driver = Driver::start(
        one_sink(sink("cb"), Destination::Callback),
        DriverOptions {
            callbacks: HashMap::from([("cb".to_string(), cb)]),
            ..DriverOptions::default()
        },
    )
    .unwrap();
    for r in records(5) {
        driver.emit(&r).unwrap();
    }
    let started = Instant::now();
    let report = driver.flush_report(Duration::from_millis(300));
    assert_eq!(report.completion, Completion::TimedOut);
    assert!(report.pending > 0 && !report.all_delivered(), "{report:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let (report, stats) = driver.shutdown_report(Duration::from_millis(500));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "shutdown took {took:?}");
    assert_eq!(report.completion, Completion::TimedOut);
    let s = &stats[0];
    assert!(
        s.balanced() && s.pending == 0 && s.dropped["shutdown"] == 5,
        "{s:?}"
    );
    assert_eq!(report.dropped, 5, "{report:?}");
    assert!(
        last_error(s).starts_with("shutdown: 5 records still pending after 500ms")
            && last_error(s).contains("callback of sink `cb`"),
        "{s:?}"
    );
    // The abandoned thread wakes up later and must change nothing.
    release.send(()).unwrap();
    std::thread::sleep(Duration::from_millis(100));
}

#[test]
fn dropping_a_driver_with_a_stuck_callback_returns() {
    let (cb, release) = stuck_callback();
    let driver = Driver::start(
        one_sink(sink("cb"), Destination::Callback),
        DriverOptions {
            callbacks: HashMap::from([("cb".to_string(), cb)]),
            ..DriverOptions::default()
        },
    )
    .unwrap();
    driver.emit(&records(1)[0]).unwrap();
    let started = Instant::now();
    drop(driver);
    // Drop grants five seconds.
    assert!(started.elapsed() < Duration::from_secs(7));
    drop(release);
}

#[test]
fn a_silent_http_receiver_cannot_stretch_a_shutdown() {
    let url = format!("http://user:secret@{}/in?token=tok", silent_listener());
    // The default 30 s request time-out: only the deadline bounds it.
    let driver = Driver::start(
        one_sink(sink("http"), Destination::Http { url }),
        DriverOptions::default(),
    )
    .unwrap();
    for r in records(12) {
        driver.emit(&r).unwrap();
    }
    let started = Instant::now();
    let (done, stats) = driver.shutdown(Duration::from_secs(3));
    let took = started.elapsed();
    assert!(took < Duration::from_millis(3600), "shutdown took {took:?}");
    assert_eq!(done, Completion::TimedOut);
    let s = &stats[0];
    assert!(s.balanced() && s.dropped["shutdown"] == 12, "{s:?}");
    let e = last_error(s);
    assert!(
        e.starts_with("shutdown: 12 records still pending after 3s; last failure: "),
        "{e}"
    );
    assert!(e.contains("127.0.0.1"), "{e}");
    assert!(!e.contains("secret") && !e.contains("tok"), "{e}");
}

#[test]
fn requests_started_during_a_flush_end_before_its_deadline() {
    let url = format!("http://{}", silent_listener());
    let driver = Driver::start(
        one_sink(sink("http"), Destination::Http { url }),
        DriverOptions::default(),
    )
    .unwrap();
    // Nothing is sent before the flush starts: the first request is
    // bounded by the flush's deadline and its time-out is counted.
    let sent = records(3);
    let started = Instant::now();
    for r in &sent {
        driver.emit(r).unwrap();
    }
    let report = driver.flush_report(Duration::from_millis(800));
    assert_eq!(report.completion, Completion::TimedOut);
    // Bounded by the 800 ms deadline, not by the 30 s request time-out; the
    // slack is for a loaded 2-core machine, not for the code.
    assert!(started.elapsed() < Duration::from_millis(3000));
    // The request ran into the flush's deadline ("timed out"), or, when the
    // machine is slow enough that it is still in flight at the shutdown,
    // the shutdown abandoned it ("abandoned by the shutdown (a time-out)"):
    // either way a time-out, said in words.
    let timed_out = |e: &str| e.contains("timed out") || e.contains("(a time-out)");
    let s = &driver.stats()[0];
    assert!(timed_out(last_error(s)), "{s:?}");
    let (_, stats) = driver.shutdown(Duration::from_millis(300));
    let e = last_error(&stats[0]);
    assert!(e.starts_with("shutdown: 3 records still pending"), "{e}");
    assert!(timed_out(e), "{e}");
}

#[test]
fn a_tcp_receiver_that_never_reads_cannot_stretch_a_shutdown() {
    let addr = silent_listener();
    let driver = Driver::start(
        one_sink(
            SinkConfig {
                max_batch_records: 500,
                ..sink("syslog")
            },
            Destination::Tcp { addr },
        ),
        DriverOptions::default(),
    )
    .unwrap();
    // Enough to fill the socket buffers of both ends many times over.
    let batch = records(50);
    for _ in 0..400 {
        for r in &batch {
            driver.emit(r).unwrap();
        }
    }
    let started = Instant::now();
    let (done, stats) = driver.shutdown(Duration::from_secs(3));
    let took = started.elapsed();
    assert!(took < Duration::from_millis(3600), "shutdown took {took:?}");
    assert_eq!(done, Completion::TimedOut);
    let s = &stats[0];
    assert!(s.balanced() && s.dropped["shutdown"] > 0, "{s:?}");
    assert!(last_error(s).starts_with("shutdown: "), "{s:?}");
    assert!(last_error(s).contains("tcp 127.0.0.1"), "{s:?}");
}

#[test]
fn a_flush_report_tells_delivered_from_given_up() {
    // Every batch refused for good: `flush` says Done, the report says what
    // that meant.
    let cb: Callback = Arc::new(|_sink: &str, _body: &[u8]| Err("refused".into()));
    let driver = Driver::start(
        one_sink(
            SinkConfig {
                max_attempts: 1,
                ..sink("cb")
            },
            Destination::Callback,
        ),
        DriverOptions {
            callbacks: HashMap::from([("cb".to_string(), cb)]),
            ..DriverOptions::default()
        },
    )
    .unwrap();
    for r in records(4) {
        driver.emit(&r).unwrap();
    }
    let report = driver.flush_report(Duration::from_secs(10));
    assert_eq!(
        report,
        FlushReport {
            completion: Completion::Done,
            delivered: 0,
            dead_lettered: 4,
            dropped: 0,
            pending: 0,
        }
    );
    assert!(!report.all_delivered());

    let ok: Callback = Arc::new(|_sink: &str, _body: &[u8]| Ok(()));
    let driver = Driver::start(
        one_sink(sink("cb"), Destination::Callback),
        DriverOptions {
            callbacks: HashMap::from([("cb".to_string(), ok)]),
            ..DriverOptions::default()
        },
    )
    .unwrap();
    for r in records(4) {
        driver.emit(&r).unwrap();
    }
    let report = driver.flush_report(Duration::from_secs(10));
    assert!(
        report.all_delivered() && report.delivered == 4,
        "{report:?}"
    );
}

#[test]
fn a_file_destination_that_is_a_directory_fails_at_start() {
    let dir = std::env::temp_dir();
    let err = Driver::start(
        one_sink(
            sink("file"),
            Destination::File {
                path: dir.to_str().unwrap().into(),
                max_bytes: 1 << 20,
                keep: 1,
            },
        ),
        DriverOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), "input");
    assert!(err.to_string().contains("is a directory"), "{err}");
}

/// Set in the child process of the test below: the outbox directory it
/// holds open until its stdin closes.
const LOCK_CHILD: &str = "GOVSTREAM_LIFECYCLE_LOCK_CHILD";

#[test]
fn an_outbox_in_use_by_another_process_is_refused() {
    use govstream::pipeline::outbox::{Outbox, OutboxConfig};
    use std::io::{BufRead, Read};
    if let Some(dir) = std::env::var_os(LOCK_CHILD) {
        let _held = Outbox::open(OutboxConfig::new(dir), &["s"]).unwrap();
        println!("locked");
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        return;
    }
    let dir = std::env::temp_dir().join(format!("govstream-lock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "an_outbox_in_use_by_another_process_is_refused",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LOCK_CHILD, &dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(
        lines.any(|l| l.unwrap().contains("locked")),
        "the child never held the outbox"
    );
    let err = Outbox::open(OutboxConfig::new(&dir), &["s"]).unwrap_err();
    assert_eq!(err.kind(), "io");
    assert!(
        err.to_string().contains("its own outbox directory"),
        "{err}"
    );
    // Starting a driver on it fails the same way.
    let driver = Driver::start(
        one_sink(sink("s"), Destination::Memory { capacity: 1 }),
        DriverOptions {
            outbox: Some(OutboxConfig::new(&dir)),
            ..DriverOptions::default()
        },
    );
    assert_eq!(driver.unwrap_err().kind(), "io");
    drop(child.stdin.take());
    child.wait().unwrap();
    drop(Outbox::open(OutboxConfig::new(&dir), &["s"]).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_driver_that_shut_down_frees_its_outbox_even_with_a_stuck_thread() {
    use govstream::pipeline::outbox::OutboxConfig;
    let dir = std::env::temp_dir().join(format!("govstream-freed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (cb, release) = stuck_callback();
    let options = |cb: Option<Callback>| DriverOptions {
        callbacks: cb
            .map(|cb| HashMap::from([("cb".to_string(), cb)]))
            .unwrap_or_default(),
        outbox: Some(OutboxConfig::new(&dir)),
        ..DriverOptions::default()
    };
    let driver = Driver::start(
        one_sink(sink("cb"), Destination::Callback),
        options(Some(cb)),
    )
    .unwrap();
    let sent = records(6);
    for r in &sent {
        driver.emit(r).unwrap();
    }
    let (done, stats) = driver.shutdown(Duration::from_millis(300));
    assert_eq!(done, Completion::TimedOut);
    assert!(
        last_error(&stats[0]).contains("kept in the outbox for the next start"),
        "{stats:?}"
    );
    // The next run on the same directory starts at once and delivers all.
    let got = Arc::new(Mutex::new(0usize));
    let g = Arc::clone(&got);
    let counting: Callback = Arc::new(move |_sink: &str, body: &[u8]| {
        *g.lock().unwrap() += body
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        Ok(())
    });
    let driver = Driver::start(
        one_sink(sink("cb"), Destination::Callback),
        options(Some(counting)),
    )
    .unwrap();
    assert_eq!(driver.flush(Duration::from_secs(10)), Completion::Done);
    assert_eq!(*got.lock().unwrap(), sent.len());
    // The first run's thread wakes and must not touch the outbox.
    release.send(()).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(driver.flush(Duration::from_secs(10)), Completion::Done);
    drop(driver);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_full_outbox_raises_or_counts_as_the_host_chose_and_recovers() {
    use govstream::pipeline::driver::EmitError;
    use govstream::pipeline::outbox::{OnWriteError, OutboxConfig};
    let dir = std::env::temp_dir().join(format!("govstream-full-{}", std::process::id()));
    let sent = records(60);
    for mode in [OnWriteError::Raise, OnWriteError::Count] {
        let _ = std::fs::remove_dir_all(&dir);
        let (cb, release) = stuck_callback();
        let driver = Driver::start(
            one_sink(sink("cb"), Destination::Callback),
            DriverOptions {
                callbacks: HashMap::from([("cb".to_string(), cb)]),
                outbox: Some(OutboxConfig {
                    segment_bytes: 4096,
                    max_bytes: 16384,
                    on_write_error: mode,
                    ..OutboxConfig::new(&dir)
                }),
                ..DriverOptions::default()
            },
        )
        .unwrap();
        // Nothing is delivered while the callback is stuck: the outbox
        // fills up.
        let mut refused = 0;
        for r in &sent {
            match driver.emit(r) {
                Ok(()) => {}
                Err(EmitError::Outbox(e)) => {
                    assert_eq!(e.kind(), "io", "{e}");
                    assert!(e.to_string().contains("outbox is full"), "{e}");
                    refused += 1;
                }
                Err(e) => panic!("{e}"),
            }
        }
        let counted = driver.stats()[0]
            .dropped
            .get("outbox_write_error")
            .copied()
            .unwrap_or(0);
        match mode {
            OnWriteError::Raise => assert!(refused > 0 && counted == 0),
            OnWriteError::Count => assert!(refused == 0 && counted > 0),
        }
        // Space returns once the sink catches up, and records are stored
        // and delivered again.
        drop(release);
        assert_eq!(driver.flush(Duration::from_secs(10)), Completion::Done);
        for r in &sent[..5] {
            driver.emit(r).unwrap();
        }
        assert_eq!(driver.flush(Duration::from_secs(10)), Completion::Done);
        let s = &driver.stats()[0];
        let lost = refused.max(counted);
        assert_eq!(s.delivered, sent.len() as u64 - lost + 5, "{s:?}");
        assert!(s.balanced(), "{s:?}");
        if mode == OnWriteError::Count {
            assert!(last_error(s).contains("outbox is full"), "{s:?}");
        }
        drop(driver);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_damaged_outbox_delivers_every_intact_record_and_counts_the_rest() {
    use govstream::pipeline::outbox::{Outbox, OutboxConfig};
    let dir = std::env::temp_dir().join(format!("govstream-damaged-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sent = records(2000);
    let mut outbox = Outbox::open(OutboxConfig::new(&dir), &["mem"]).unwrap();
    for r in &sent {
        outbox.append(&serde_json::to_vec(r).unwrap()).unwrap();
    }
    drop(outbox);
    let segment = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "seg"))
        .unwrap();
    let mut bytes = std::fs::read(&segment).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(&segment, &bytes).unwrap();

    let start = || {
        Driver::start(
            one_sink(
                sink("mem"),
                Destination::Memory {
                    capacity: sent.len(),
                },
            ),
            DriverOptions {
                outbox: Some(OutboxConfig::new(&dir)),
                ..DriverOptions::default()
            },
        )
        .unwrap()
    };
    let driver = start();
    assert_eq!(
        driver.flush(Duration::from_secs(5)),
        Completion::Done,
        "{:?} {:?}",
        driver.outbox_stats(),
        driver.stats()
    );
    let got = driver.memory_records("mem");
    assert_eq!(got.len(), sent.len() - 1);
    let ids: std::collections::HashSet<&str> = got.iter().map(Record::event_id).collect();
    let missing: Vec<&Record> = sent
        .iter()
        .filter(|r| !ids.contains(r.event_id()))
        .collect();
    assert!(missing.len() <= 1, "{} missing", missing.len());
    let outbox = driver.outbox_stats().unwrap();
    assert_eq!(outbox.damaged_entries, 1, "{outbox:?}");
    assert!(outbox.quarantined_bytes > 0, "{outbox:?}");
    assert!(outbox.sinks.iter().all(|s| s.lag == 0), "{outbox:?}");
    let s = &driver.stats()[0];
    assert!(
        last_error(s).contains("1 damaged entries skipped") && last_error(s).contains("quarantine"),
        "{s:?}"
    );
    drop(driver);
    assert_eq!(
        std::fs::read_dir(dir.join("quarantine")).unwrap().count(),
        1
    );

    // The next start opens cleanly: nothing more quarantined, nothing
    // delivered twice.
    let driver = start();
    assert_eq!(driver.flush(Duration::from_secs(20)), Completion::Done);
    assert_eq!(driver.outbox_stats().unwrap().quarantined_bytes, 0);
    assert_eq!(driver.memory_records("mem").len(), 0);
    drop(driver);
    std::fs::remove_dir_all(&dir).unwrap();
}
