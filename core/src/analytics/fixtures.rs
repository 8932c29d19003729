//! Records for the analytics tests, built field by field so each test states
//! exactly what it counts.

use crate::clock::rfc3339_ms;
use crate::schema::{
    Category, ClientContext, ConfigRef, DlpMatch, DlpSummary, Event, Identity, Phase, Record,
    SCHEMA_VERSION, Severity, TextSpan, ToolContext, Verdict,
};

/// 2026-11-22T09:20:00.000Z.
pub(crate) const NOW: i64 = 1_795_339_200_000;

pub(crate) const MINUTE: i64 = 60_000;

pub(crate) fn event(id: &str, ts: i64, verdict: Verdict) -> Event {
    Event {
        schema_version: SCHEMA_VERSION,
        event_id: id.to_owned(),
        timestamp: rfc3339_ms(ts),
        org_id: "org-1".to_owned(),
        identity: Identity {
            user_id: Some("u-1".to_owned()),
            ..Identity::default()
        },
        client: ClientContext::default(),
        tool: ToolContext {
            tool: Some("ChatGPT".to_owned()),
            hostname: Some("chatgpt.com".to_owned()),
            ..ToolContext::default()
        },
        phase: Phase::Prompt,
        verdict,
        event_type: verdict.event_type(),
        reason_code: "none".to_owned(),
        would_verdict: None,
        would_reason_code: None,
        policy_results: Vec::new(),
        prompt_summary: None,
        response_summary: None,
        output_preview: None,
        prompt_hash: "0".repeat(64),
        prompt_redacted: false,
        dlp: DlpSummary::default(),
        redactions: Vec::new(),
        rewrite: None,
        tokens: None,
        quality_scores: None,
        metadata: serde_json::Map::new(),
        safety_settings: None,
        safety_response: None,
        config: ConfigRef::default(),
        degraded: false,
        request_id: None,
        session_id: None,
        conversation_id: None,
        trace: crate::schema::TraceIds::default(),
        trace_state: None,
    }
}

/// An event with `matches` DLP matches of `severity`.
pub(crate) fn dlp_event(id: &str, ts: i64, verdict: Verdict, severity: Severity) -> Event {
    let mut e = event(id, ts, verdict);
    let high = usize::from(severity >= Severity::High);
    e.dlp = DlpSummary {
        is_dlp_event: true,
        blocked_by_dlp: verdict == Verdict::Block,
        max_severity: Some(severity),
        high_or_above: high,
        critical: usize::from(severity == Severity::Critical),
        total_matches: 1,
        omitted_matches: 0,
        ..DlpSummary::default()
    };
    e
}

pub(crate) fn dlp_match(event: &Event, n: usize, rule_id: &str, severity: Severity) -> DlpMatch {
    DlpMatch {
        schema_version: SCHEMA_VERSION,
        match_id: format!("{}:{n}", event.event_id),
        event_id: event.event_id.clone(),
        timestamp: event.timestamp.clone(),
        org_id: event.org_id.clone(),
        phase: Phase::Prompt,
        rule_id: rule_id.to_owned(),
        rule_name: format!("{rule_id} name"),
        category: Category::Secret,
        severity,
        confidence: 0.9,
        span: TextSpan::default(),
        snippet: None,
        fingerprint: "f".repeat(32),
        trace: crate::schema::TraceIds::default(),
        action: None,
        monitor: false,
        request_id: None,
    }
}

/// An event with one match of `rule_id`, as records.
pub(crate) fn with_match(
    id: &str,
    ts: i64,
    verdict: Verdict,
    rule_id: &str,
    severity: Severity,
) -> Vec<Record> {
    let e = dlp_event(id, ts, verdict, severity);
    let m = dlp_match(&e, 0, rule_id, severity);
    vec![Record::from(e), Record::from(m)]
}
