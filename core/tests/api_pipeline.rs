//! The API's pipeline lifecycle as a binding drives it: the handle on the
//! native driver (emit, flush, close and what stays readable after), and the
//! host-driven machine for hosts that do their own I/O.
#![cfg(feature = "native")]
// clippy.toml allows panics inside #[test] functions only; the helpers
// here are test code too.
#![allow(clippy::panic)]

use govstream::api::{
    CompiledPolicy, ErrorKind, HostOutcome, HostPipeline, HostSink, PipelineHandle, PipelineSpec,
};
use govstream::schema::Record;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn records(text: &str) -> Vec<Record> {
    let policy = CompiledPolicy::default_policy().unwrap_or_else(|e| panic!("{e}"));
    policy
        .evaluate_value(text, Value::Null)
        .unwrap_or_else(|e| panic!("{e}"))
        .records()
}

fn spec(v: Value) -> PipelineSpec {
    PipelineSpec::from_value(v).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn close_keeps_the_final_stats_memory_and_dead_letters_readable() {
    let failing: Arc<dyn HostSink> =
        Arc::new(|_: &str, _: &[u8]| -> Result<(), String> { Err("siem down".into()) });
    let p = PipelineHandle::start(
        &spec(json!({"sinks": [
            {"kind": "memory", "name": "m"},
            {"kind": "callback", "name": "cb", "options": {"max_attempts": 1, "max_wait_ms": 0}}
        ]})),
        HashMap::from([("cb".to_string(), failing)]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p.emit(&records("mail jane.doe@acme.com"), Duration::ZERO)
        .unwrap_or_else(|e| panic!("{e}"));
    let report = p.close(Duration::from_secs(5));
    assert!(report.flush.complete);
    assert_eq!(report.flush.dead_lettered, 2);
    assert!(!report.flush.all_delivered());
    assert_eq!(report.memory["m"].len(), 2);
    // One or two batches, depending on how fast the driver picks them up.
    let ids = |letters: &[govstream::pipeline::DeadLetter]| {
        letters.iter().map(|d| d.record_ids.len()).sum::<usize>()
    };
    assert_eq!(ids(&report.dead_letters["cb"]), 2);
    // Still readable after close, and closing again gives the same report.
    assert_eq!(p.memory_records("m").map(|r| r.len()).ok(), Some(2));
    assert_eq!(p.dead_letters("cb").map(|d| ids(&d)).ok(), Some(2));
    assert_eq!(*p.close(Duration::ZERO), *report);
    let err = p
        .emit(&records("hello"), Duration::ZERO)
        .err()
        .unwrap_or_else(|| panic!("emitted after close"));
    assert_eq!(err.kind, ErrorKind::Closed);
    assert_eq!(
        p.memory_records("cb").err().map(|e| e.kind),
        Some(ErrorKind::Input)
    );
    assert_eq!(
        p.dead_letters("nope").err().map(|e| e.kind),
        Some(ErrorKind::Input)
    );
}

#[test]
fn a_callback_sink_without_its_function_is_refused() {
    let err = PipelineHandle::start(
        &spec(json!({"sinks": [{"kind": "callback", "name": "cb"}]})),
        HashMap::new(),
    )
    .err()
    .unwrap_or_else(|| panic!("started"));
    assert_eq!(err.kind, ErrorKind::Validation);
    assert_eq!(err.problems[0].path, "$.sinks[0]");
}

#[test]
fn close_returns_at_its_deadline_whatever_a_sink_does() {
    let stuck: Arc<dyn HostSink> = Arc::new(|_: &str, _: &[u8]| -> Result<(), String> {
        std::thread::sleep(Duration::from_secs(30));
        Ok(())
    });
    let p = PipelineHandle::start(
        &spec(
            json!({"sinks": [{"kind": "callback", "name": "cb", "options": {"max_wait_ms": 0}}]}),
        ),
        HashMap::from([("cb".to_string(), stuck)]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p.emit(&records("hello"), Duration::ZERO)
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    let report = p.close(Duration::from_secs(1));
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert!(!report.flush.complete);
    let s = &report.stats[0];
    assert_eq!(
        s.emitted,
        s.delivered + s.dead_lettered + s.pending + s.dropped_total()
    );
}

#[test]
fn the_host_driven_pipeline_hands_requests_to_the_host() {
    let mut p = HostPipeline::new(
        &spec(json!({"sinks": [{
            "kind": "splunk_hec", "name": "siem", "url": "https://splunk.example:8088",
            "token": "hec-token", "options": {"max_wait_ms": 0}
        }]})),
        7,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for r in records("mail jane.doe@acme.com") {
        p.emit(&r, 1_000).unwrap_or_else(|e| panic!("{e}"));
    }
    let t = p
        .poll_transmit(1_000)
        .unwrap_or_else(|| panic!("nothing to send"));
    assert_eq!(t.transport, "http");
    assert_eq!(
        t.url.as_deref(),
        Some("https://splunk.example:8088/services/collector/event")
    );
    assert!(
        t.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v == "Splunk hec-token")
    );
    assert_eq!(t.records, 2);
    // Debug never shows the token or the body.
    let shown = format!("{t:?}");
    assert!(
        !shown.contains("hec-token") && !shown.contains("jane"),
        "{shown}"
    );
    // A 503 is retried later; a 200 delivers.
    p.on_outcome(
        t.id,
        HostOutcome::Http {
            status: 503,
            retry_after_ms: Some(500),
            body: String::new(),
        },
        1_001,
    );
    assert!(p.poll_transmit(1_002).is_none());
    let wake = p
        .next_wakeup()
        .unwrap_or_else(|| panic!("no retry planned"));
    assert!(wake >= 1_501);
    let again = p.poll_transmit(wake).unwrap_or_else(|| panic!("no retry"));
    p.on_outcome(
        again.id,
        serde_json::from_value(json!({"kind": "http", "status": 200}))
            .unwrap_or_else(|e| panic!("{e}")),
        wake,
    );
    assert!(p.is_idle());
    let s = &p.stats()[0];
    assert_eq!((s.delivered, s.retried), (2, 2));
}

#[test]
fn the_host_driven_pipeline_refuses_what_needs_the_native_driver() {
    let err = HostPipeline::new(
        &spec(json!({"sinks": [{"kind": "memory", "name": "m"}], "outbox": {"dir": "/tmp/x"}})),
        1,
    )
    .err()
    .unwrap_or_else(|| panic!("built"));
    assert_eq!(err.kind, ErrorKind::Validation);
    assert_eq!(err.problems[0].path, "$.outbox");
}
