//! W3C Trace Context through an evaluation: the `traceparent` and
//! `tracestate` a host passes in the context come out on the records, a
//! malformed header is ignored and never fails or changes the evaluation,
//! and a `tracestate` is scrubbed like every context string.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::api::json::call;
use govstream::policy::{EvaluationContext, Policy};
use govstream::schema::Record;
use serde_json::{Value, json};

const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn ctx(traceparent: Option<&str>, tracestate: Option<&str>) -> EvaluationContext {
    EvaluationContext {
        traceparent: traceparent.map(str::to_owned),
        tracestate: tracestate.map(str::to_owned),
        ..EvaluationContext::default()
    }
}

#[test]
fn every_record_of_the_evaluation_carries_the_trace() {
    let policy = Policy::default_policy().unwrap();
    let d = policy.evaluate(
        "mail jane@acme.com key AKIAIOSFODNN7EXAMPLE",
        &ctx(Some(PARENT), Some("congo=t61rcWkgMzE")),
    );
    let records = d.records();
    assert_eq!(records.len(), 3);
    for r in &records {
        let v: Value = serde_json::from_str(&r.to_json_line().unwrap()).unwrap();
        assert_eq!(v["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736", "{v}");
        assert_eq!(v["span_id"], "00f067aa0ba902b7");
        assert_eq!(v["trace_flags"], 1);
    }
    let Record::Event(e) = &records[0] else {
        panic!("an event first")
    };
    assert_eq!(e.trace_state.as_deref(), Some("congo=t61rcWkgMzE"));
}

#[test]
fn a_malformed_header_is_ignored_and_changes_nothing_else() {
    let policy = Policy::default_policy().unwrap();
    let text = "key AKIAIOSFODNN7EXAMPLE";
    let plain = policy.evaluate(text, &ctx(None, None));
    for bad in [
        "garbage",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    ] {
        let d = policy.evaluate(text, &ctx(Some(bad), Some("congo=t61rcWkgMzE")));
        assert_eq!(d.verdict, plain.verdict);
        let e = d.event.unwrap();
        assert!(e.trace.is_empty(), "{bad}");
        // No trace, so no tracestate either (W3C §3.3.1.1).
        assert_eq!(e.trace_state, None, "{bad}");
    }
    let d = policy.evaluate(text, &ctx(Some(PARENT), Some("Not A List")));
    let e = d.event.unwrap();
    assert_eq!(
        e.trace.trace_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    assert_eq!(e.trace_state, None);
}

#[test]
fn a_secret_in_tracestate_is_scrubbed() {
    let policy = Policy::default_policy().unwrap();
    let state = "vendor=AKIAIOSFODNN7EXAMPLE";
    let d = policy.evaluate("hello", &ctx(Some(PARENT), Some(state)));
    let line = d.records()[0].to_json_line().unwrap();
    assert!(!line.contains("AKIAIOSFODNN7EXAMPLE"), "{line}");
}

#[test]
fn the_json_api_reads_the_headers_from_the_context() {
    let policy = json!({"org": {"id": "org-acme"}});
    let out = call(
        "evaluate",
        &json!({
            "policy": policy,
            "text": "mail jane@acme.com",
            "context": {"traceparent": PARENT, "tracestate": "rojo=00f067aa0ba902b7"},
        })
        .to_string(),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let ok = &v["ok"];
    assert_eq!(
        ok["event"]["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736",
        "{v}"
    );
    assert_eq!(ok["dlp_matches"][0]["span_id"], "00f067aa0ba902b7");
    assert_eq!(ok["event"]["trace_state"], "rojo=00f067aa0ba902b7");
}
