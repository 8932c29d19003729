//! One record of each kind, with fixed ids and times, for the encoders'
//! unit tests. The values echo the examples in `docs/schema.md`.

use crate::schema::*;
use serde_json::{Map, json};

pub(super) fn event() -> Record {
    Record::Event(Box::new(Event {
        schema_version: SCHEMA_VERSION,
        event_id: "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57".into(),
        timestamp: "2025-02-03T11:22:53.492Z".into(),
        org_id: "org-acme".into(),
        identity: Identity {
            user_id: Some("u-1042".into()),
            user_email: Some("lee@acme.example".into()),
            idp_user_id: None,
        },
        client: ClientContext {
            client: Some("extension".into()),
            client_version: Some("2.4.0".into()),
            ..ClientContext::default()
        },
        tool: ToolContext {
            provider: Some("openai".into()),
            tool: Some("ChatGPT".into()),
            model: Some("gpt-4o".into()),
            route: None,
            hostname: Some("chatgpt.com".into()),
        },
        phase: Phase::Prompt,
        verdict: Verdict::Block,
        event_type: EventType::Blocked,
        reason_code: "dlp:secrets.aws_access_key_id".into(),
        would_verdict: Some(Verdict::Block),
        would_reason_code: Some("dlp:secrets.aws_access_key_id".into()),
        policy_results: vec![PolicyResult {
            policy: "secrets.aws_access_key_id".into(),
            kind: "dlp".into(),
            phase: Phase::Prompt,
            verdict: Verdict::Block,
            reason: "AWS access key id found".into(),
            monitor: false,
        }],
        prompt_summary: Some(Summary {
            text: "deploy with [REDACTED:secrets.aws_access_key_id] \"now\"".into(),
            truncated: false,
            original_length: 37,
        }),
        response_summary: None,
        output_preview: None,
        prompt_hash: "8066ce46612720cc9fef084e87ff90b1eec0f7f9fa6c41988018601257fe8791".into(),
        prompt_redacted: false,
        dlp: DlpSummary {
            is_dlp_event: true,
            blocked_by_dlp: true,
            max_severity: Some(Severity::Critical),
            high_or_above: 1,
            critical: 1,
            total_matches: 1,
            omitted_matches: 2,
            ..DlpSummary::default()
        },
        redactions: Vec::new(),
        rewrite: None,
        tokens: Some(TokenUsage {
            input: Some(17),
            output: None,
        }),
        quality_scores: None,
        metadata: json!({"tab_id": 118})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        safety_settings: None,
        safety_response: None,
        config: ConfigRef {
            id: Some("cfg-acme-default".into()),
            name: None,
            version: Some("7".into()),
        },
        degraded: false,
        request_id: Some("req-8c1d".into()),
        session_id: None,
        conversation_id: None,
        trace: trace(),
        trace_state: Some("congo=t61rcWkgMzE".into()),
    }))
}

/// The W3C Trace Context specification's example ids.
pub(super) fn trace() -> crate::schema::TraceIds {
    crate::schema::TraceIds {
        trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
        span_id: Some("00f067aa0ba902b7".into()),
        trace_flags: Some(1),
    }
}

pub(super) fn dlp_match() -> Record {
    Record::DlpMatch(DlpMatch {
        schema_version: SCHEMA_VERSION,
        match_id: "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57:0".into(),
        event_id: "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57".into(),
        timestamp: "2025-02-03T11:22:53.492Z".into(),
        org_id: "org-acme".into(),
        phase: Phase::Prompt,
        rule_id: "pii.email".into(),
        rule_name: "Email address".into(),
        category: Category::Pii,
        severity: Severity::Medium,
        confidence: 0.9,
        span: TextSpan {
            start: 34,
            end: 51,
            byte_start: 37,
            byte_end: 54,
            utf16_start: 35,
            utf16_end: 52,
        },
        snippet: None,
        fingerprint: "f29245e102c9b82be8dfa98ac08ae17c".into(),
        trace: trace(),
        action: Some(Verdict::Warn),
        monitor: true,
        request_id: None,
    })
}

pub(super) fn shadow_event() -> Record {
    Record::ShadowAiEvent(ShadowAiEvent {
        schema_version: SCHEMA_VERSION,
        event_id: "0194cb31-0a1b-7d2c-8e3f-4a5b6c7d8e9f".into(),
        timestamp: "2025-02-03T11:40:02.118Z".into(),
        org_id: "org-acme".into(),
        hostname: "chat.deepseek.com".into(),
        url: "https://chat.deepseek.com/a/chat/s".into(),
        tool: Some("DeepSeek".into()),
        vendor: Some("DeepSeek".into()),
        category: None,
        classification: ShadowAiClassification::Unapproved,
        severity: Severity::High,
        identity: Identity {
            user_id: Some("u-1042".into()),
            user_email: None,
            idp_user_id: None,
        },
        extension_id: None,
        extension_version: None,
        browser: Some("Chrome 131".into()),
        source: ShadowAiSource::Extension,
        source_system: None,
        metadata: Map::new(),
    })
}

pub(super) fn finding() -> Record {
    Record::ShadowAiFinding(ShadowAiFinding {
        schema_version: SCHEMA_VERSION,
        finding_id: "org-acme:chat.deepseek.com".into(),
        org_id: "org-acme".into(),
        hostname: "chat.deepseek.com".into(),
        tool: None,
        vendor: None,
        category: None,
        first_seen: "2025-01-28T09:12:44.010Z".into(),
        last_seen: "2025-02-03T11:40:02.118Z".into(),
        count: 37,
        distinct_users: 5,
        max_severity: Severity::High,
        status: FindingStatus::Open,
    })
}

pub(super) fn audit(event_type: ApiEventType) -> Record {
    Record::AuditEvent(AuditEvent {
        schema_version: SCHEMA_VERSION,
        event_id: "0194cb34-0b1c-7d2e-8f30-415263748596".into(),
        request_id: "req-61a0b2".into(),
        date_time: "2025-02-03T11:47:31.250Z".into(),
        user_id: Some("u-7".into()),
        keycloak_user_id: None,
        user_email: Some("admin@acme.example".into()),
        org_id: Some("org-acme".into()),
        event_type,
        event_metadata: json!({
            "user_id": "u-1042",
            "user_email": "lee@acme.example",
            "roles_assigned": ["policy_editor", "viewer"]
        })
        .as_object()
        .cloned()
        .unwrap_or_default(),
    })
}

/// One of each kind.
pub(super) fn all() -> Vec<Record> {
    vec![
        event(),
        dlp_match(),
        shadow_event(),
        finding(),
        audit(ApiEventType::AdminRoleAssignment),
    ]
}

/// One of each kind with every optional field set, so tests can see every
/// field a format must place.
pub(super) fn maximal() -> Vec<Record> {
    let mut records = all();
    for r in &mut records {
        match r {
            Record::Event(e) => {
                e.identity.idp_user_id = Some("06ad90a8-a8f7-4776-aca3-05dbd38ae9ba".into());
                e.client.extension_id = Some("abcdefghijklmnop".into());
                e.client.gateway_id = Some("gw-1".into());
                e.client.endpoint_id = Some("laptop-7f3a".into());
                e.tool.route = Some("/v1/chat".into());
                e.response_summary = e.prompt_summary.clone();
                e.output_preview = Some("deploy with [REDACTED:secrets.aws_access_key_id]".into());
                e.prompt_redacted = true;
                e.rewrite = Some(Rewrite {
                    kind: RewriteKind::Redaction,
                    redactions: 1,
                    length_before: 37,
                    length_after: 54,
                    hash_before: e.prompt_hash.clone(),
                    hash_after: "5a1c".repeat(16),
                });
                e.quality_scores = serde_json::from_value(json!({
                    "aggregate": 0.8, "faithfulness": 0.9, "relevancy": 0.75,
                    "coherence": 1, "completeness": 0.5, "accuracy": 0
                }))
                .ok();
                e.safety_settings = Some(json!([
                    {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_MEDIUM_AND_ABOVE"}
                ]));
                e.safety_response = Some(json!({"hate": {"filtered": false, "severity": "safe"}}));
                e.dlp.scan_truncated = true;
                e.dlp.scanned_length = Some(1_048_576);
                e.redactions = vec![Redaction {
                    kind: "secrets.aws_access_key_id".into(),
                    replacement: Some("[REDACTED]".into()),
                    span: TextSpan::default(),
                }];
                e.tokens = Some(TokenUsage {
                    input: Some(17),
                    output: Some(230),
                });
                e.config.name = Some("Acme default".into());
                e.degraded = true;
                e.session_id = Some("sess-42".into());
                e.conversation_id = Some("conv-9".into());
            }
            Record::DlpMatch(m) => {
                m.snippet = Some(Snippet {
                    text: "mail [EMAIL] today".into(),
                    offset: 29,
                    end: 57,
                    match_start: 5,
                    match_end: 12,
                });
            }
            Record::ShadowAiEvent(e) => {
                e.identity.user_email = Some("lee@acme.example".into());
                e.identity.idp_user_id = Some("idp-1".into());
                e.extension_id = Some("abcdefghijklmnop".into());
                e.extension_version = Some("2.4.0".into());
                e.category = Some(ToolCategory::Chat);
                e.source_system = Some("netskope".into());
                e.metadata.insert("tab".into(), json!(3));
            }
            Record::ShadowAiFinding(f) => {
                f.tool = Some("DeepSeek".into());
                f.vendor = Some("DeepSeek".into());
                f.category = Some(ToolCategory::Chat);
            }
            Record::AuditEvent(e) => {
                e.keycloak_user_id = Some("kc-7".into());
            }
        }
    }
    records
}
