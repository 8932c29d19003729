//! Subscriptions by type name (`event_types`) end to end: through the sink
//! catalog and the native driver (with and without an outbox), through the
//! host-driven machine, and in notification rules. A record outside a
//! sink's subscription is never queued for it and is counted as
//! `filtered`, never as dropped.
#![cfg(feature = "native")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::api::{CompiledPolicy, PipelineHandle, PipelineSpec};
use govstream::notify::Notifier;
use govstream::pipeline::SinkStats;
use govstream::schema::Record;
use govstream::select::type_name;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// A blocked prompt (event + secret match), a redacted one (event + PII
/// match), an allowed one, a failed login and a role assignment.
fn records() -> Vec<Record> {
    // Explicit actions, so a change to the default policy changes nothing.
    let policy = CompiledPolicy::from_json(
        r#"{"actions": {"prompt": {"medium": "redact", "critical": "block"}}}"#,
    )
    .unwrap();
    let mut out = Vec::new();
    for text in [
        "the key AKIA2QXGZ7LMT4WJ5N6P now",
        "mail jane.doe@acme.com",
        "what is the capital of France?",
    ] {
        out.extend(policy.evaluate_value(text, Value::Null).unwrap().records());
    }
    for (id, event_type, metadata) in [
        ("a-1", "Auth:LoginFailure", json!({})),
        (
            "a-2",
            "Admin:RoleAssignment",
            json!({"user_id": "u-9", "user_email": "x@acme.example", "roles_assigned": ["viewer"]}),
        ),
    ] {
        let line = json!({
            "record_type": "audit_event", "schema_version": 1, "event_id": id,
            "request_id": "req-1", "date_time": "2026-12-07T09:00:00Z",
            "user_id": "u-7", "org_id": "org-acme", "event_type": event_type,
            "event_metadata": metadata,
        });
        out.push(Record::from_json_line(&line.to_string()).unwrap());
    }
    out
}

fn names(records: &[Record]) -> Vec<String> {
    records.iter().map(type_name).collect()
}

fn spec(outbox: Option<&std::path::Path>) -> PipelineSpec {
    let sink = |name: &str, globs: Value| json!({"kind": "memory", "name": name, "options": {"event_types": globs}});
    let mut v = json!({"sinks": [
        sink("all", json!([])),
        sink("blocked", json!(["event.blocked"])),
        sink("events", json!(["event.*"])),
        sink("secrets_and_auth", json!(["dlp_match.secret", "audit_event.Auth:*"])),
        // Both filters apply: the kind and the type name.
        {"kind": "memory", "name": "both", "options": {"kinds": ["event"], "event_types": ["*.redacted", "dlp_match.*"]}},
    ]});
    if let Some(dir) = outbox {
        v["outbox"] = json!({"dir": dir});
    }
    PipelineSpec::from_value(v).unwrap()
}

fn check_subscriptions(
    records: &[Record],
    stats: &[SinkStats],
    memory: &BTreeMap<String, Vec<Record>>,
) {
    let all = names(records);
    assert_eq!(
        all,
        [
            "event.blocked",
            "dlp_match.secret",
            "event.redacted",
            "dlp_match.pii",
            "event.request",
            "audit_event.Auth:LoginFailure",
            "audit_event.Admin:RoleAssignment",
        ],
        "the policy no longer decides these texts as it did"
    );
    for (sink, expected) in [
        ("all", all.iter().map(String::as_str).collect::<Vec<_>>()),
        ("blocked", vec!["event.blocked"]),
        (
            "events",
            vec!["event.blocked", "event.redacted", "event.request"],
        ),
        (
            "secrets_and_auth",
            vec!["dlp_match.secret", "audit_event.Auth:LoginFailure"],
        ),
        ("both", vec!["event.redacted"]),
    ] {
        assert_eq!(names(&memory[sink]), expected, "{sink}");
        let s = stats.iter().find(|s| s.sink == sink).unwrap();
        assert_eq!(s.emitted as usize, expected.len(), "{sink}: {s:?}");
        assert_eq!(s.filtered as usize, all.len() - expected.len(), "{sink}");
        assert_eq!(s.dropped_total(), 0, "filtered is not dropped: {s:?}");
        assert!(s.balanced(), "{s:?}");
    }
}

#[test]
fn sinks_take_only_their_types_and_count_the_rest_as_filtered() {
    let records = records();
    let p = PipelineHandle::start(&spec(None), HashMap::new()).unwrap();
    p.emit(&records, Duration::from_secs(5)).unwrap();
    let report = p.close(Duration::from_secs(5));
    check_subscriptions(&records, &report.stats, &report.memory);
    // The counter is part of the stats' JSON form.
    let json = serde_json::to_value(&report.stats[1]).unwrap();
    assert_eq!(json["filtered"], 6);
}

#[test]
fn an_outbox_filters_the_same_way() {
    let dir = std::env::temp_dir().join(format!("govstream-subscriptions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let records = records();
    let p = PipelineHandle::start(&spec(Some(&dir)), HashMap::new()).unwrap();
    p.emit(&records, Duration::from_secs(5)).unwrap();
    let report = p.close(Duration::from_secs(5));
    assert!(report.flush.complete, "{:?}", report.flush);
    check_subscriptions(&records, &report.stats, &report.memory);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn filtered_records_never_reach_a_transmission() {
    use govstream::pipeline::encode::JsonLinesEncoder;
    use govstream::pipeline::{Destination, Outcome, Pipeline, SinkConfig, SinkSpec};
    let mut p = Pipeline::new(
        vec![SinkSpec::new(
            SinkConfig {
                max_wait_ms: 0,
                event_types: vec!["dlp_match.*".into()],
                ..SinkConfig::named("siem")
            },
            Box::new(JsonLinesEncoder::new()),
            Destination::Http {
                url: "http://127.0.0.1:9/in".into(),
            },
        )],
        1,
    )
    .unwrap();
    for r in records() {
        p.emit(&r, 0).unwrap();
    }
    p.flush();
    let mut sent = Vec::new();
    while let Some(t) = p.poll_transmit(0) {
        sent.extend(
            String::from_utf8(t.body.clone())
                .unwrap()
                .lines()
                .map(|l| type_name(&Record::from_json_line(l).unwrap())),
        );
        let ok = Outcome::Http {
            status: 200,
            retry_after_ms: None,
            body: vec![],
        };
        p.on_outcome(t.id, ok, 0);
    }
    assert_eq!(sent, ["dlp_match.secret", "dlp_match.pii"]);
    let s = &p.stats()[0];
    assert_eq!((s.emitted, s.delivered, s.filtered), (2, 2, 5));
    assert!(p.is_idle() && s.balanced());
}

#[test]
fn a_bad_glob_is_named_by_its_json_path() {
    let err = PipelineSpec::from_value(json!({"sinks": [
        {"kind": "memory", "name": "ok", "options": {"event_types": ["event.*"]}},
        {"kind": "memory", "name": "bad", "options": {"event_types": ["evnt.*", "event.blocked", "event"]}},
    ]}))
    .and_then(|spec| PipelineHandle::start(&spec, HashMap::new()).map(|_| ()))
    .expect_err("a glob matching no type name is refused");
    let paths: Vec<&str> = err.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.sinks[1].options.event_types[0]",
            "$.sinks[1].options.event_types[2]"
        ],
        "{err}"
    );
    assert!(!err.to_string().contains("evnt"), "{err}");
    assert!(err.to_string().contains("`event.*`"), "{err}");
}

#[test]
fn notification_rules_subscribe_by_type_name_too() {
    let config = |globs: Value| {
        json!({
            "channels": [{"id": "soc", "kind": "webhook", "url": "https://hooks.example/in", "dedup_window_secs": 0}],
            "rules": [{"id": "r", "channels": ["soc"], "event_types": globs}]
        })
        .to_string()
    };
    let mut notifier =
        Notifier::from_json(&config(json!(["audit_event.Auth:*", "event.blocked"]))).unwrap();
    let mut fired = Vec::new();
    for r in records() {
        if !notifier.on_record(&r, 1_000).is_empty() {
            fired.push(type_name(&r));
        }
    }
    assert_eq!(fired, ["event.blocked", "audit_event.Auth:LoginFailure"]);

    let err = Notifier::from_json(&config(json!(["audit_event.auth:*"]))).unwrap_err();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["$.rules[0].event_types[0]"], "{err}");
}
