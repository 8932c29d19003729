use super::*;
use crate::analytics::fixtures::{MINUTE, NOW, dlp_event, dlp_match, event};
use crate::analytics::timestamp::{DAY_MS, HOUR_MS};
use crate::notify::ChannelKind;
use crate::schema::{
    Phase, PolicyResult, SCHEMA_VERSION, Severity, ShadowAiClassification, ShadowAiEvent,
    ShadowAiSource,
};

fn compute(records: &[Record], limit: Option<u64>, errors: u64) -> OpsHealth {
    OpsHealth::compute(records, &[], &[], NOW, limit, errors)
}

fn with_endpoint(id: &str, ts: i64, endpoint: &str) -> Record {
    let mut e = event(id, ts, Verdict::Allow);
    e.client.endpoint_id = Some(endpoint.to_owned());
    Record::from(e)
}

fn channel(id: &str, successes: u64, failures: u64, error: Option<(&str, &str)>) -> ChannelHealth {
    ChannelHealth {
        channel_id: id.to_owned(),
        kind: ChannelKind::Slack,
        status: match error {
            Some(_) => HealthStatus::Failing,
            None if successes > 0 => HealthStatus::Healthy,
            None => HealthStatus::Idle,
        },
        alerts: successes + failures,
        successes,
        failures,
        consecutive_failures: u64::from(error.is_some()),
        suppressed: 0,
        rate_limited: 0,
        last_error: error.map(|e| e.0.to_owned()),
        last_success_at: None,
        last_failure_at: error.map(|e| e.1.to_owned()),
    }
}

#[test]
fn rates_cover_the_last_24_hours() {
    let blocked = dlp_event("blocked", NOW - MINUTE, Verdict::Block, Severity::Critical);
    let mut warned = dlp_event("warned", NOW - HOUR_MS, Verdict::Warn, Severity::Medium);
    warned.policy_results.push(PolicyResult {
        policy: "pii.email".into(),
        kind: "dlp".into(),
        phase: Phase::Prompt,
        verdict: Verdict::Warn,
        reason: "email address".into(),
        monitor: false,
    });
    let mut truncated = event("truncated", NOW - 2 * HOUR_MS, Verdict::Allow);
    truncated.degraded = true;
    truncated.dlp.scan_truncated = true;
    let records = vec![
        Record::from(dlp_match(&blocked, 0, "secrets.aws", Severity::Critical)),
        Record::from(dlp_match(&blocked, 1, "secrets.aws", Severity::Critical)),
        Record::from(dlp_match(&warned, 0, "pii.email", Severity::Medium)),
        Record::from(blocked),
        Record::from(warned),
        Record::from(truncated),
        Record::from(event("fine", NOW - 3 * HOUR_MS, Verdict::Allow)),
        // 25 hours ago: outside every 24-hour figure.
        Record::from(dlp_event(
            "old",
            NOW - 25 * HOUR_MS,
            Verdict::Block,
            Severity::High,
        )),
    ];
    let h = compute(&records, None, 1);
    assert_eq!(h.evaluations_24h, 4);
    assert_eq!(h.evaluate_errors_24h, 1);
    assert!((h.evaluate_error_rate - 0.2).abs() < 1e-12);
    assert_eq!(h.verdicts_24h.block, 1);
    assert_eq!(h.block_rate, 0.25);
    assert_eq!(h.dlp_events_24h, 2);
    assert_eq!(h.dlp_event_rate, 0.5);
    assert_eq!(h.dlp_blocks_24h, 1);
    assert_eq!(h.dlp_block_rate, 0.25);
    assert_eq!(h.policy_hit_rate, 0.25);
    assert_eq!(h.dlp_coverage, 0.75);
    assert_eq!(h.high_or_above_incidents_24h, 1);
    assert_eq!(h.critical_incidents_24h, 1);
    let top: Vec<_> = h
        .top_patterns_24h
        .iter()
        .map(|p| (p.rule_id.as_str(), p.count))
        .collect();
    assert_eq!(top, [("secrets.aws", 2), ("pii.email", 1)]);
}

#[test]
fn nothing_to_divide_gives_zero_rates() {
    let h = compute(&[], Some(10), 0);
    assert_eq!(h.evaluations_24h, 0);
    assert_eq!(h.evaluate_error_rate, 0.0);
    assert_eq!(h.dlp_coverage, 0.0);
    assert_eq!(h.notifications.success_rate, 0.0);
    assert_eq!(h.endpoints.utilization, Some(0.0));
    assert!(!h.endpoints.near_limit);
    let only_errors = compute(&[], None, 3);
    assert_eq!(only_errors.evaluate_error_rate, 1.0);
    serde_json::to_string(&h).unwrap();
}

#[test]
fn endpoints_fall_back_from_device_to_gateway_extension_and_user() {
    let mut gateway = event("g", NOW - MINUTE, Verdict::Allow);
    gateway.client.gateway_id = Some("gw-1".into());
    gateway.identity.user_id = Some("someone".into());
    let mut extension = event("x", NOW - MINUTE, Verdict::Allow);
    extension.client.extension_id = Some("ext-1".into());
    // Same user id as an endpoint id: still two endpoints.
    let mut user = event("u", NOW - MINUTE, Verdict::Allow);
    user.identity.user_id = Some("dev-1".into());
    let mut nobody = event("n", NOW - MINUTE, Verdict::Allow);
    nobody.identity.user_id = None;
    let shadow = ShadowAiEvent {
        schema_version: SCHEMA_VERSION,
        event_id: "s".into(),
        timestamp: crate::clock::rfc3339_ms(NOW - 3 * DAY_MS),
        org_id: "org-1".into(),
        hostname: "claude.ai".into(),
        url: "https://claude.ai/".into(),
        tool: None,
        vendor: None,
        category: None,
        classification: ShadowAiClassification::Unknown,
        severity: Severity::Medium,
        identity: Identity::default(),
        extension_id: Some("ext-2".into()),
        extension_version: None,
        browser: None,
        source: ShadowAiSource::Extension,
        source_system: None,
        metadata: serde_json::Map::new(),
    };
    let records = vec![
        with_endpoint("a", NOW - MINUTE, "dev-1"),
        with_endpoint("b", NOW - 2 * MINUTE, "dev-1"),
        with_endpoint("c", NOW - 2 * DAY_MS, "dev-2"),
        with_endpoint("d", NOW - 31 * DAY_MS, "dev-3"),
        Record::from(gateway),
        Record::from(extension),
        Record::from(user),
        Record::from(nobody),
        Record::from(shadow),
    ];
    let h = compute(&records, None, 0);
    // 24h: dev-1, gw-1, ext-1, user dev-1.
    assert_eq!(h.endpoints.active_24h, 4);
    // 30d adds dev-2 and ext-2; dev-3 is older than 30 days.
    assert_eq!(h.endpoints.active_30d, 6);
    assert_eq!(h.endpoints.utilization, None);
    assert!(!h.endpoints.near_limit && !h.endpoints.over_limit);
}

#[test]
fn near_limit_starts_at_ninety_percent() {
    let records: Vec<Record> = (0..9)
        .map(|i| with_endpoint(&format!("e{i}"), NOW - i * DAY_MS, &format!("dev-{i}")))
        .collect();
    let at_90 = compute(&records, Some(10), 0).endpoints;
    assert!(at_90.near_limit && !at_90.over_limit);
    assert_eq!(at_90.utilization, Some(0.9));
    let at_82 = compute(&records, Some(11), 0).endpoints;
    assert!(!at_82.near_limit);
    let over = compute(&records, Some(8), 0).endpoints;
    assert!(over.near_limit && over.over_limit);
}

#[test]
fn delivery_health_collects_counters_and_last_errors() {
    let channels = [
        channel(
            "slack-sec",
            10,
            2,
            Some(("HTTP 500 from hooks.slack.com", "2026-11-22T08:00:00.000Z")),
        ),
        channel("pagerduty", 3, 0, None),
        channel(
            "teams",
            0,
            1,
            Some(("timed out", "2026-11-22T09:00:00.000Z")),
        ),
    ];
    let sinks = [
        SinkStats {
            sink: "splunk".into(),
            emitted: 100,
            delivered: 90,
            dead_lettered: 4,
            pending: 3,
            retried: 7,
            dropped: [("queue_full".to_owned(), 3)].into_iter().collect(),
            last_error: Some("HTTP 503".into()),
            ..SinkStats::default()
        },
        SinkStats {
            sink: "file".into(),
            emitted: 5,
            delivered: 5,
            ..SinkStats::default()
        },
    ];
    let h = OpsHealth::compute(&[], &sinks, &channels, NOW, None, 0);
    assert_eq!(h.notifications.channels, 3);
    assert_eq!(
        (h.notifications.successes, h.notifications.failures),
        (13, 3)
    );
    assert!((h.notifications.success_rate - 13.0 / 16.0).abs() < 1e-12);
    assert_eq!(h.notifications.failing_channels, ["slack-sec", "teams"]);
    assert_eq!(
        h.sinks,
        SinkHealth {
            sinks: 2,
            delivered: 95,
            dead_lettered: 4,
            dropped: 3,
            pending: 3,
            retried: 7
        }
    );
    let errors: Vec<_> = h
        .last_errors
        .iter()
        .map(|e| (e.source, e.name.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            ("notification", "teams", "timed out"),
            ("notification", "slack-sec", "HTTP 500 from hooks.slack.com"),
            ("sink", "splunk", "HTTP 503"),
        ]
    );
}
