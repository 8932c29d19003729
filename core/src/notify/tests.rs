//! Engine tests: rule filters, thresholds, dedup, rate limits, ids, health
//! and config problems. Payload shapes are in `tests/payloads.rs`.

use super::*;
use crate::schema::Record;
use serde_json::{Value, json};

mod payloads;

pub(super) const NOW: i64 = 1_738_581_773_492; // 2025-02-03T11:22:53.492Z

fn record(v: Value) -> Record {
    serde_json::from_value(v).unwrap()
}

pub(super) fn event(id: &str, org: &str, verdict: &str, max_severity: Option<&str>) -> Record {
    let mut e = json!({
        "record_type": "event", "schema_version": 1, "event_id": id,
        "timestamp": "2025-02-03T11:22:53.492Z", "org_id": org,
        "user_email": "jane@acme.example", "tool": "ChatGPT", "hostname": "chatgpt.com",
        "phase": "prompt", "verdict": verdict,
        "event_type": crate::schema::Verdict::parse(verdict).unwrap().event_type(),
        "reason_code": "dlp:secrets.github_pat",
        "prompt_summary": {"text": "deploy with [REDACTED:secrets.github_pat] today",
                           "truncated": false, "original_length": 60},
        "prompt_hash": "9f86d081884c7d65",
        "dlp": {"is_dlp_event": true, "blocked_by_dlp": verdict == "block",
                "high_or_above": 1, "critical": 1, "total_matches": 2},
        "config": {"id": "cfg-1"}
    });
    if let Some(s) = max_severity {
        e["dlp"]["max_severity"] = s.into();
    }
    record(e)
}

pub(super) fn dlp_match(id: &str, org: &str, category: &str, severity: &str) -> Record {
    record(json!({
        "record_type": "dlp_match", "schema_version": 1, "match_id": id,
        "event_id": "0194d3a0-0000-7000-8000-000000000001",
        "timestamp": "2025-02-03T11:22:53.492Z", "org_id": org, "phase": "prompt",
        "rule_id": "secrets.github_pat", "rule_name": "GitHub personal access token",
        "category": category, "severity": severity, "confidence": 0.95,
        "span": {"start": 12, "end": 52, "byte_start": 12, "byte_end": 52,
                 "utf16_start": 12, "utf16_end": 52},
        "snippet": {"text": "deploy with [REDACTED:secrets.github_pat] today",
                    "offset": 0, "end": 60, "match_start": 12, "match_end": 41},
        "fingerprint": "4f2a9c0d1e3b5a7c9e1f3a5b7c9d1e3f"
    }))
}

pub(super) fn audit(id: &str, org: Option<&str>, event_type: &str) -> Record {
    let mut a = json!({
        "record_type": "audit_event", "schema_version": 1, "event_id": id,
        "request_id": "req-7", "date_time": "2025-02-03T11:22:53.492Z",
        "user_email": "admin@acme.example", "event_type": event_type
    });
    if let Some(o) = org {
        a["org_id"] = o.into();
    }
    record(a)
}

fn notifier(channels: Value, rules: Value) -> Notifier {
    Notifier::new(serde_json::from_value(json!({"channels": channels, "rules": rules})).unwrap())
        .unwrap()
}

fn hook(id: &str, extra: Value) -> Value {
    let mut c = json!({"id": id, "kind": "webhook", "url": "https://example.com/hook"});
    c.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    c
}

fn health_of(n: &Notifier, id: &str) -> ChannelHealth {
    n.health().into_iter().find(|h| h.channel_id == id).unwrap()
}

#[test]
fn filters_must_all_match() {
    let mut n = notifier(
        json!([hook("h", json!({"dedup_window_secs": 0}))]),
        json!([
            {"id": "blocked", "channels": ["h"], "min_verdict": "block"},
            {"id": "high", "channels": ["h"], "min_severity": "high", "record_types": ["event"]},
            {"id": "secrets", "channels": ["h"], "categories": ["secret"], "org_ids": ["org_a"]},
            {"id": "logins", "channels": ["h"], "audit_event_types": ["Auth:LoginFailure"]}
        ]),
    );
    let fired = |n: &mut Notifier, r: &Record| -> Vec<String> {
        n.on_record(r, NOW).into_iter().map(|a| a.rule_id).collect()
    };
    assert_eq!(
        fired(&mut n, &event("e1", "org_a", "block", Some("critical"))),
        ["blocked", "high"]
    );
    assert_eq!(
        fired(&mut n, &event("e2", "org_a", "escalate", Some("medium"))),
        Vec::<String>::new()
    );
    // No DLP match: no severity, so a severity filter does not match.
    assert_eq!(
        fired(&mut n, &event("e3", "org_a", "block", None)),
        ["blocked"]
    );
    assert_eq!(
        fired(&mut n, &dlp_match("m1", "org_a", "secret", "low")),
        ["secrets"]
    );
    assert!(fired(&mut n, &dlp_match("m2", "org_b", "secret", "low")).is_empty());
    assert!(fired(&mut n, &dlp_match("m3", "org_a", "pii", "low")).is_empty());
    assert_eq!(
        fired(&mut n, &audit("a1", None, "Auth:LoginFailure")),
        ["logins"]
    );
    assert!(fired(&mut n, &audit("a2", None, "Auth:Logout")).is_empty());
}

#[test]
fn ids_are_deterministic_and_distinct_per_channel() {
    let make = || {
        notifier(
            json!([hook("a", json!({})), hook("b", json!({}))]),
            json!([{"id": "all", "channels": ["a", "b"]}]),
        )
    };
    let r = event("e1", "org_a", "block", Some("high"));
    let first = make().on_record(&r, NOW);
    let again = make().on_record(&r, NOW + 86_400_000);
    assert_eq!(first.len(), 2);
    let ids = |v: &[Alert]| -> Vec<(String, String)> {
        v.iter()
            .map(|a| (a.alert_id.clone(), a.dedup_key.clone()))
            .collect()
    };
    assert_eq!(ids(&first), ids(&again));
    assert!(first[0].alert_id.starts_with("a:") && first[1].alert_id.starts_with("b:"));
    assert_ne!(first[0].alert_id, first[1].alert_id);
    assert_eq!(first[0].dedup_key, first[1].dedup_key);
    assert_eq!(first[0].alert_id.len(), "a:".len() + 32);
    let other = make().on_record(&event("e2", "org_a", "block", Some("high")), NOW);
    assert_ne!(other[0].alert_id, first[0].alert_id);
    assert_ne!(other[0].dedup_key, first[0].dedup_key);
}

#[test]
fn dedup_window_suppresses_the_same_alert_and_counts_it() {
    let mut n = notifier(
        json!([hook("h", json!({"dedup_window_secs": 60}))]),
        json!([
            {"id": "each", "channels": ["h"], "record_types": ["event"]},
            {"id": "per_rule", "channels": ["h"], "record_types": ["dlp_match"],
             "dedup_by": ["org_id", "rule_id"]}
        ]),
    );
    let e = event("e1", "org_a", "block", Some("high"));
    assert_eq!(n.on_record(&e, NOW).len(), 1);
    assert_eq!(n.on_record(&e, NOW + 59_999).len(), 0, "replayed record");
    assert_eq!(
        n.on_record(&event("e2", "org_a", "block", None), NOW).len(),
        1
    );
    assert_eq!(n.on_record(&e, NOW + 60_000).len(), 1, "window over");
    // Grouped by org and rule: other matches of the same rule are the same alert.
    assert_eq!(
        n.on_record(&dlp_match("m1", "org_a", "secret", "high"), NOW)
            .len(),
        1
    );
    assert_eq!(
        n.on_record(&dlp_match("m2", "org_a", "secret", "high"), NOW + 1)
            .len(),
        0
    );
    assert_eq!(
        n.on_record(&dlp_match("m3", "org_b", "secret", "high"), NOW + 2)
            .len(),
        1
    );
    let h = health_of(&n, "h");
    assert_eq!((h.alerts, h.suppressed, h.rate_limited), (5, 2, 0));
}

#[test]
fn rate_limit_withholds_and_counts_the_excess() {
    let mut n = notifier(
        json!([
            hook("limited", json!({"rate_limit": {"max": 2, "per_secs": 60}})),
            hook("free", json!({}))
        ]),
        json!([{"id": "all", "channels": ["limited", "free"]}]),
    );
    let mut per_channel = |at: i64, id: &str| -> Vec<String> {
        n.on_record(&event(id, "org_a", "block", None), at)
            .into_iter()
            .map(|a| a.channel_id)
            .collect()
    };
    for i in 0..5 {
        let sent = per_channel(NOW, &format!("e{i}"));
        let expected: &[&str] = if i < 2 {
            &["limited", "free"]
        } else {
            &["free"]
        };
        assert_eq!(sent, expected, "record {i}");
    }
    // One token refills every 30 s.
    assert_eq!(per_channel(NOW + 30_000, "e5"), ["limited", "free"]);
    assert_eq!(per_channel(NOW + 30_001, "e6"), ["free"]);
    let h = health_of(&n, "limited");
    assert_eq!((h.alerts, h.rate_limited, h.suppressed), (3, 4, 0));
    assert_eq!(health_of(&n, "free").alerts, 7);
}

#[test]
fn thresholds_count_per_org_and_org_overrides_apply() {
    let mut n = notifier(
        json!([hook("h", json!({"dedup_window_secs": 0}))]),
        json!([{"id": "burst", "channels": ["h"], "record_types": ["event"],
                "threshold": {"count": 3, "window_secs": 60},
                "org_thresholds": {"org_vip": {"count": 1, "window_secs": 60}}}]),
    );
    let mut hit = |org: &str, i: i64| {
        n.on_record(
            &event(&format!("{org}-{i}"), org, "block", None),
            NOW + i * 1000,
        )
    };
    assert!(hit("org_a", 0).is_empty());
    assert!(hit("org_b", 1).is_empty());
    assert!(hit("org_a", 2).is_empty());
    let alerts = hit("org_a", 3);
    assert_eq!(alerts.len(), 1);
    let Delivery::Http(req) = &alerts[0].delivery else {
        panic!()
    };
    let body: Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body["data"]["threshold"],
        json!({"count": 3, "window_secs": 60})
    );
    assert!(
        body["data"]["title"]
            .as_str()
            .unwrap()
            .starts_with("3 in 1m: Blocked prompt in org_a")
    );
    assert!(hit("org_a", 4).is_empty(), "the count starts again");
    assert_eq!(hit("org_vip", 5).len(), 1);
    assert_eq!(hit("org_vip", 6).len(), 1);
    // org_b's first record has left the window.
    assert!(hit("org_b", 62).is_empty());
    assert!(hit("org_b", 63).is_empty());
    assert_eq!(hit("org_b", 64).len(), 1);
}

#[test]
fn outcomes_update_health() {
    let mut n = notifier(
        json!([hook("h", json!({})), hook("g", json!({}))]),
        json!([{"id": "all", "channels": ["h"]}]),
    );
    let a = n.on_record(&event("e1", "org_a", "block", None), NOW);
    assert!(n.on_result(&a[0].alert_id, false, Some("HTTP 503".into()), NOW + 10));
    assert!(n.on_result(&a[0].alert_id, true, None, NOW + 20));
    assert!(!n.on_result("nope:0123", true, None, NOW));
    assert!(!n.on_result("no-colon", true, None, NOW));
    let report = serde_json::to_value(n.health()).unwrap();
    assert_eq!(
        report,
        json!([
            {"channel_id": "h", "kind": "webhook", "status": "healthy", "alerts": 1,
             "successes": 1, "failures": 1, "consecutive_failures": 0, "suppressed": 0,
             "rate_limited": 0, "last_error": "HTTP 503",
             "last_success_at": "2025-02-03T11:22:53.512Z",
             "last_failure_at": "2025-02-03T11:22:53.502Z"},
            {"channel_id": "g", "kind": "webhook", "status": "idle", "alerts": 0,
             "successes": 0, "failures": 0, "consecutive_failures": 0, "suppressed": 0,
             "rate_limited": 0}
        ])
    );
}

fn problems(config: Value) -> Vec<(String, String)> {
    let config: NotifyConfig = serde_json::from_value(config).unwrap();
    let err = Notifier::new(config).unwrap_err();
    assert_eq!(err.kind(), "validation");
    assert!(
        err.to_string().starts_with("invalid notification config: "),
        "{err}"
    );
    err.problems()
        .iter()
        .map(|p| (p.path.clone(), p.message.clone()))
        .collect()
}

#[test]
fn every_config_problem_is_reported_with_its_path() {
    let got = problems(json!({
        "source": "",
        "channels": [
            {"id": "slack", "kind": "slack"},
            {"id": "slack", "kind": "teams", "url": "ftp://x", "routing_key": "k"},
            {"id": "pd", "kind": "pagerduty", "routing_key": "has space"},
            {"id": "og", "kind": "opsgenie", "api_key": "k", "url": "https://x.example", "region": "eu"},
            {"id": "mail", "kind": "email", "from": "Ops <ops@x.example>", "to": ["ok@x.example", "bad"]},
            {"id": "hook", "kind": "webhook", "url": "https://user@x.example/", "secret": "whsec_c2hvcnQ=",
             "dedup_window_secs": 99999999, "rate_limit": {"max": 0, "per_secs": 0}},
            {"id": "bad:id", "kind": "email", "from": "a@x.example", "to": ["b@x.example"], "url": "https://x"}
        ],
        "rules": [
            {"id": "r", "channels": []},
            {"id": "r", "channels": ["nope", "pd", "pd"], "record_types": ["evnt"],
             "org_ids": ["org_a", " "],
             "threshold": {"count": 0, "window_secs": 0},
             "org_thresholds": {"org b": {"count": 10001, "window_secs": 1}}}
        ]
    }));
    let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.source",
            "$.channels[0].url",
            "$.channels[1].id",
            "$.channels[1].routing_key",
            "$.channels[1].url",
            "$.channels[2].routing_key",
            "$.channels[3].region",
            "$.channels[4].from",
            "$.channels[4].to[1]",
            "$.channels[5].url",
            "$.channels[5].secret",
            "$.channels[5].dedup_window_secs",
            "$.channels[5].rate_limit.max",
            "$.channels[5].rate_limit.per_secs",
            "$.channels[6].id",
            "$.channels[6].url",
            "$.rules[0].channels",
            "$.rules[1].id",
            "$.rules[1].channels[0]",
            "$.rules[1].channels[2]",
            "$.rules[1].record_types[0]",
            "$.rules[1].org_ids[1]",
            "$.rules[1].threshold.count",
            "$.rules[1].threshold.window_secs",
            "$.rules[1].org_thresholds[\"org b\"].count",
            "$.rules[1].org_thresholds[\"org b\"]",
        ]
    );
    let message = |path: &str| got.iter().find(|(p, _)| p == path).unwrap().1.clone();
    assert_eq!(message("$.channels[0].url"), "required by kind `slack`");
    assert_eq!(message("$.channels[1].id"), "duplicate id `slack`");
    assert_eq!(
        message("$.channels[1].routing_key"),
        "not used by kind `teams`"
    );
    assert_eq!(message("$.rules[1].channels[0]"), "unknown channel `nope`");
    assert!(message("$.rules[1].record_types[0]").contains("expected one of: event, dlp_match"));
}

#[test]
fn shape_errors_come_from_serde_with_a_location() {
    for (bad, at) in [
        (
            // An unknown key is placed by its object, never named.
            r#"{"channels": [{"id": "x", "kind": "slack", "webhook": "https://x"}]}"#,
            "$.channels[0]",
        ),
        (
            r#"{"channels": [{"id": "x", "kind": "carrier_pigeon"}]}"#,
            "$.channels[0].kind",
        ),
        (
            r#"{"rules": [{"id": "r", "channels": ["x"], "min_verdict": "nope"}]}"#,
            "$.rules[0].min_verdict",
        ),
        (r#"{"chanels": []}"#, "$"),
        (r#"{"channels": [}"#, "line 1, column 15"),
    ] {
        let err = Notifier::from_json(bad).unwrap_err();
        assert_eq!(err.kind(), "input", "{bad}");
        assert!(err.to_string().contains(&format!("at {at}: ")), "{err}");
    }
}

#[test]
fn shape_errors_never_repeat_a_credential() {
    let err = Notifier::from_json(
        r#"{"channels": [{"id": "s", "kind": "slack", "url": ["https://hooks.slack.com/services/T/B/SECRETPATH"]},
                         {"id": "o", "kind": "opsgenie", "api_key": 12345678}]}"#,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("$.channels[0].url") && !text.contains("SECRETPATH"),
        "{text}"
    );
}

#[test]
fn debug_output_hides_credentials() {
    let n = Notifier::from_json(
        r#"{"channels": [{"id": "og", "kind": "opsgenie", "api_key": "SECRET-KEY-123"},
                         {"id": "s", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/SECRETPATH"}]}"#,
    )
    .unwrap();
    let debug = format!("{n:?}");
    assert!(
        !debug.contains("SECRET-KEY-123") && !debug.contains("SECRETPATH"),
        "{debug}"
    );
    assert!(debug.contains("<hidden>"));
}

#[test]
fn an_empty_config_is_valid_and_quiet() {
    let mut n = Notifier::from_json("{}").unwrap();
    assert!(n.on_record(&event("e", "o", "block", None), NOW).is_empty());
    assert!(n.health().is_empty());
    assert_eq!(n.config().source, "govstream");
}

#[test]
fn the_engine_can_be_shared_behind_a_mutex() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Notifier>();
    shareable::<Alert>();
}

#[test]
fn shadow_ai_records_alert_with_their_own_facts() {
    let mut n = notifier(
        json!([hook("h", json!({}))]),
        json!([{"id": "shadow", "channels": ["h"], "min_severity": "high",
                "record_types": ["shadow_ai_event", "shadow_ai_finding"]}]),
    );
    let visit = record(json!({
        "record_type": "shadow_ai_event", "schema_version": 1, "event_id": "s1",
        "timestamp": "2025-02-03T11:22:53.492Z", "org_id": "org_acme",
        "hostname": "chat.deepseek.com", "url": "https://chat.deepseek.com/a/chat",
        "tool": "DeepSeek", "vendor": "DeepSeek", "classification": "unapproved",
        "severity": "high", "user_email": "jane@acme.example", "source": "extension"
    }));
    let finding = record(json!({
        "record_type": "shadow_ai_finding", "schema_version": 1, "finding_id": "f1",
        "org_id": "org_acme", "hostname": "chat.deepseek.com",
        "first_seen": "2025-02-01T08:00:00.000Z", "last_seen": "2025-02-03T11:22:53.492Z",
        "count": 42, "distinct_users": 7, "max_severity": "critical", "status": "open"
    }));
    let data = |r: &Record, n: &mut Notifier| -> Value {
        let alerts = n.on_record(r, NOW);
        let Delivery::Http(req) = &alerts[0].delivery else {
            panic!()
        };
        serde_json::from_slice::<Value>(&req.body).unwrap()["data"].take()
    };
    let v = data(&visit, &mut n);
    assert_eq!(
        v["title"],
        "Shadow AI visit in org_acme: DeepSeek (unapproved)"
    );
    assert_eq!(v["facts"]["url"], "https://chat.deepseek.com/a/chat");
    assert_eq!(v["facts"]["user"], "jane@acme.example");
    let f = data(&finding, &mut n);
    assert_eq!(
        f["title"],
        "Shadow AI finding in org_acme: chat.deepseek.com, 42 visits"
    );
    assert_eq!(f["facts"]["distinct_users"], "7");
    assert_eq!(f["severity"], "critical");
    let mut low = visit.clone();
    if let Record::ShadowAiEvent(s) = &mut low {
        s.severity = crate::schema::Severity::Medium;
        s.event_id = "s2".into();
    }
    assert!(n.on_record(&low, NOW).is_empty());
}

#[test]
fn alert_requests_do_not_print_credentials() {
    let r = AlertRequest {
        method: "POST".into(),
        url: "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX".into(),
        headers: vec![("Authorization".into(), "GenieKey abc-123-secret".into())],
        body: b"{}".to_vec(),
    };
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("secret") && !shown.contains("abc-123"),
        "{shown}"
    );
    assert!(
        shown.contains("hooks.slack.com") && shown.contains("Authorization"),
        "{shown}"
    );
}

#[test]
fn channel_urls_follow_the_sinks_rule_and_carry_no_user_info() {
    let config = |url: &str| -> NotifyConfig {
        serde_json::from_value(json!({"channels": [hook("h", json!({"url": url}))], "rules": []}))
            .unwrap()
    };
    for good in ["https://x.example:8443/h", "http://[::1]:9/h"] {
        assert!(Notifier::new(config(good)).is_ok(), "{good}");
        assert!(crate::pipeline::Destination::http(good).is_some(), "{good}");
    }
    for bad in [
        "http://u:p@[::1",
        "https://x.example:0/",
        "https://x.example:99999/",
        "https://x.example:port/",
        "https://x .example/",
    ] {
        let got = problems(json!({"channels": [hook("h", json!({"url": bad}))], "rules": []}));
        assert_eq!(got.len(), 1, "{bad}: {got:?}");
        assert_eq!(got[0].0, "$.channels[0].url", "{bad}");
        assert!(!got[0].1.contains(bad), "the message repeats the URL");
        assert!(crate::pipeline::Destination::http(bad).is_none(), "{bad}");
    }
    // Sinks send userinfo; alert channels refuse it.
    let with_user = "https://user:pw@x.example/";
    assert!(crate::pipeline::Destination::http(with_user).is_some());
    let got = problems(json!({"channels": [hook("h", json!({"url": with_user}))], "rules": []}));
    assert!(got[0].1.contains("no user info"), "{got:?}");
}
