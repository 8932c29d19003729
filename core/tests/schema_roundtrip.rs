//! Every record survives JSON unchanged, and optional fields are omitted
//! rather than null. `schema_docs.rs` checks `docs/schema.md`.

// clippy.toml allows these inside #[test] functions only; the helpers here
// are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::Error;
use govstream::schema::{
    ApiEventType, AuditEvent, Category, ClientContext, ConfigRef, DlpMatch, DlpSummary, Event,
    EventType, FindingStatus, Identity, MIN_SCHEMA_VERSION, Phase, PolicyResult, QualityScores,
    Record, Redaction, Rewrite, RewriteKind, SCHEMA_VERSION, Severity, ShadowAiClassification,
    ShadowAiEvent, ShadowAiFinding, ShadowAiSource, Snippet, Summary, TextSpan, TokenUsage,
    ToolCategory, ToolContext, TraceIds, Verdict,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

const EVENT_ID: &str = "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57";

fn span() -> TextSpan {
    // "dana@acme.example" after "Hi 👋 please mail the Q3 report to ".
    TextSpan {
        start: 34,
        end: 51,
        byte_start: 37,
        byte_end: 54,
        utf16_start: 35,
        utf16_end: 52,
    }
}

fn identity() -> Identity {
    Identity {
        user_id: Some("u-1042".into()),
        user_email: Some("lee@acme.example".into()),
        idp_user_id: Some("06ad90a8-a8f7-4776-aca3-05dbd38ae9ba".into()),
    }
}

fn map(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("an object")
}

fn full_event() -> Event {
    let summary = |text: &str| Summary {
        text: text.into(),
        truncated: true,
        original_length: 900,
    };
    Event {
        schema_version: SCHEMA_VERSION,
        event_id: EVENT_ID.into(),
        timestamp: "2025-02-03T11:22:53.492Z".into(),
        org_id: "org-acme".into(),
        identity: identity(),
        client: ClientContext {
            client: Some("gateway".into()),
            client_version: Some("2.4.0".into()),
            extension_id: Some("abcdefghijklmnopabcdefghijklmnop".into()),
            gateway_id: Some("gw-eu-1".into()),
            endpoint_id: Some("laptop-7f3a".into()),
        },
        tool: ToolContext {
            provider: Some("openai".into()),
            tool: Some("ChatGPT".into()),
            model: Some("gpt-4o".into()),
            route: Some("/v1/chat/completions".into()),
            hostname: Some("chatgpt.com".into()),
        },
        phase: Phase::Response,
        verdict: Verdict::Block,
        event_type: EventType::Blocked,
        reason_code: "dlp:pii.email".into(),
        would_verdict: Some(Verdict::Block),
        would_reason_code: Some("dlp:pii.email".into()),
        policy_results: vec![PolicyResult {
            policy: "pii.email".into(),
            kind: "dlp".into(),
            phase: Phase::Response,
            verdict: Verdict::Block,
            reason: "email address found".into(),
            monitor: true,
        }],
        prompt_summary: Some(summary("Hi 👋 please mail [EMAIL]")),
        response_summary: Some(summary("Sure, sending to [EMAIL]")),
        output_preview: Some("Sure, sending to [EMAIL]".into()),
        prompt_hash: "8066ce46612720cc9fef084e87ff90b1eec0f7f9fa6c41988018601257fe8791".into(),
        prompt_redacted: true,
        dlp: DlpSummary {
            is_dlp_event: true,
            blocked_by_dlp: true,
            max_severity: Some(Severity::Critical),
            high_or_above: 2,
            critical: 1,
            total_matches: 3,
            omitted_matches: 0,
            scan_truncated: true,
            scanned_length: Some(65_536),
        },
        redactions: vec![Redaction {
            kind: "pii.email".into(),
            replacement: Some("[EMAIL]".into()),
            span: span(),
        }],
        rewrite: Some(Rewrite {
            kind: RewriteKind::Redaction,
            redactions: 1,
            length_before: 57,
            length_after: 47,
            hash_before: "8066ce46612720cc9fef084e87ff90b1eec0f7f9fa6c41988018601257fe8791".into(),
            hash_after: "0c5d6e0a3f1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5".into(),
        }),
        tokens: Some(TokenUsage {
            input: Some(17),
            output: Some(230),
        }),
        quality_scores: Some(scores()),
        metadata: map(json!({"tab_id": 118, "tags": ["a", "b"], "nested": {"x": 1.5}})),
        safety_settings: Some(json!([
            {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_ONLY_HIGH"}
        ])),
        safety_response: Some(json!({"finish_reason": "STOP", "ratings": [
            {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "NEGLIGIBLE", "blocked": false}
        ]})),
        config: ConfigRef {
            id: Some("cfg-acme-default".into()),
            name: Some("Acme default".into()),
            version: Some("7".into()),
        },
        degraded: true,
        request_id: Some("req-8c1d".into()),
        session_id: Some("sess-42".into()),
        conversation_id: Some("conv-9".into()),
        trace: TraceIds {
            trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
            span_id: Some("00f067aa0ba902b7".into()),
            trace_flags: Some(1),
        },
        trace_state: Some("congo=t61rcWkgMzE".into()),
    }
}

/// Every score, at both ends of the range and between.
fn scores() -> QualityScores {
    let mut q = QualityScores::default();
    for (name, value) in QualityScores::NAMES
        .iter()
        .zip([0.0, 1.0, 0.5, 0.875, 0.25, 0.9])
    {
        q.set(name, value).unwrap();
    }
    q
}

fn full_dlp_match() -> DlpMatch {
    DlpMatch {
        schema_version: SCHEMA_VERSION,
        match_id: "0194cb2e-5f3b-7a02-8c55-1f0e2d3c4b5a".into(),
        event_id: EVENT_ID.into(),
        timestamp: "2025-02-03T11:22:53.492Z".into(),
        org_id: "org-acme".into(),
        phase: Phase::Prompt,
        rule_id: "pii.email".into(),
        rule_name: "Email address".into(),
        category: Category::Pii,
        severity: Severity::Medium,
        // Not exactly representable, so it checks the f32 survives JSON.
        confidence: 0.9,
        span: span(),
        snippet: Some(Snippet {
            text: "Hi 👋 please mail the Q3 report to [EMAIL] today".into(),
            offset: 0,
            end: 57,
            match_start: 34,
            match_end: 41,
        }),
        fingerprint: "f29245e102c9b82be8dfa98ac08ae17c1561a54b67a737338de0e323519e1580".into(),
        trace: TraceIds {
            trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
            span_id: Some("00f067aa0ba902b7".into()),
            trace_flags: None,
        },
        action: Some(Verdict::Block),
        monitor: true,
        request_id: Some("req-1".into()),
    }
}

fn full_shadow_event() -> ShadowAiEvent {
    ShadowAiEvent {
        schema_version: SCHEMA_VERSION,
        event_id: "0194cb31-0a1b-7d2c-8e3f-4a5b6c7d8e9f".into(),
        timestamp: "2025-02-03T11:40:02.118Z".into(),
        org_id: "org-acme".into(),
        hostname: "chat.deepseek.com".into(),
        url: "https://chat.deepseek.com/a/chat/s".into(),
        tool: Some("DeepSeek".into()),
        vendor: Some("DeepSeek".into()),
        category: Some(ToolCategory::Chat),
        classification: ShadowAiClassification::Unapproved,
        severity: Severity::High,
        identity: identity(),
        extension_id: Some("abcdefghijklmnopabcdefghijklmnop".into()),
        extension_version: Some("2.4.0".into()),
        browser: Some("Chrome 131".into()),
        source: ShadowAiSource::Api,
        source_system: Some("netskope".into()),
        metadata: map(json!({"tab_visible": true})),
    }
}

fn full_finding() -> ShadowAiFinding {
    ShadowAiFinding {
        schema_version: SCHEMA_VERSION,
        finding_id: "org-acme:chat.deepseek.com".into(),
        org_id: "org-acme".into(),
        hostname: "chat.deepseek.com".into(),
        tool: Some("DeepSeek".into()),
        vendor: Some("DeepSeek".into()),
        category: Some(ToolCategory::CodeAssistant),
        first_seen: "2025-01-28T09:12:44.010Z".into(),
        last_seen: "2025-02-03T11:40:02.118Z".into(),
        count: u64::MAX,
        distinct_users: 5,
        max_severity: Severity::High,
        status: FindingStatus::Acknowledged,
    }
}

/// An audit event of `event_type` carrying every metadata key it requires.
fn audit_event(event_type: ApiEventType) -> AuditEvent {
    let event_metadata = event_type
        .required_metadata()
        .iter()
        .map(|key| (key.to_string(), json!(format!("{key}-value"))))
        .collect();
    AuditEvent {
        schema_version: SCHEMA_VERSION,
        event_id: "0194cb33-77aa-7bcd-9e01-23456789abcd".into(),
        request_id: "req-5f2e9c".into(),
        date_time: "2025-02-03T11:45:10.004Z".into(),
        user_id: Some("u-7".into()),
        keycloak_user_id: Some("06ad90a8-a8f7-4776-aca3-05dbd38ae9ba".into()),
        user_email: Some("admin@acme.example".into()),
        org_id: Some("org-acme".into()),
        event_type,
        event_metadata,
    }
}

fn full_records() -> Vec<Record> {
    vec![
        full_event().into(),
        full_dlp_match().into(),
        full_shadow_event().into(),
        full_finding().into(),
        audit_event(ApiEventType::GuardApplyPolicy).into(),
    ]
}

fn assert_no_null(value: &Value, path: &str) {
    match value {
        Value::Null => panic!("null at {path}"),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                assert_no_null(v, &format!("{path}[{i}]"));
            }
        }
        Value::Object(fields) => {
            for (k, v) in fields {
                assert_no_null(v, &format!("{path}.{k}"));
            }
        }
        _ => {}
    }
}

#[test]
fn every_record_kind_round_trips_through_a_json_line() {
    let records = full_records();
    let kinds: Vec<&str> = records.iter().map(Record::kind).collect();
    assert_eq!(kinds, Record::KINDS);
    for record in records {
        let line = record.to_json_line().unwrap();
        assert!(!line.contains('\n'), "{line}");
        let tag = format!("{{\"record_type\":\"{}\",", record.kind());
        assert!(line.starts_with(&tag), "{line}");
        assert_eq!(Record::from_json_line(&line).unwrap(), record, "{line}");
        assert_no_null(&serde_json::from_str(&line).unwrap(), "$");
    }
}

#[test]
fn bare_records_round_trip_without_the_envelope() {
    fn check<T>(value: T)
    where
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let text = serde_json::to_string(&value).unwrap();
        assert!(!text.contains("record_type"), "{text}");
        assert_eq!(serde_json::from_str::<T>(&text).unwrap(), value, "{text}");
    }
    check(full_event());
    check(full_dlp_match());
    check(full_shadow_event());
    check(full_finding());
    check(audit_event(ApiEventType::EvalTestFailure));
}

#[test]
fn the_idempotency_key_is_the_records_own_id() {
    let ids: Vec<String> = full_records()
        .iter()
        .map(|r| r.event_id().to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            EVENT_ID,
            "0194cb2e-5f3b-7a02-8c55-1f0e2d3c4b5a",
            "0194cb31-0a1b-7d2c-8e3f-4a5b6c7d8e9f",
            "org-acme:chat.deepseek.com",
            "0194cb33-77aa-7bcd-9e01-23456789abcd",
        ]
    );
    assert!(
        full_records()
            .iter()
            .all(|r| r.schema_version() == SCHEMA_VERSION)
    );
}

#[test]
fn every_api_event_type_round_trips_by_its_wire_name() {
    for t in ApiEventType::ALL {
        assert_eq!(ApiEventType::parse(t.as_str()), Some(t));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, format!("\"{}\"", t.as_str()));
        assert_eq!(serde_json::from_str::<ApiEventType>(&json).unwrap(), t);
        let record = Record::from(audit_event(t));
        let back = Record::from_json_line(&record.to_json_line().unwrap()).unwrap();
        assert_eq!(back, record);
        let Record::AuditEvent(event) = back else {
            panic!("{t} came back as {}", record.kind());
        };
        assert_eq!(event.validate(), Ok(()), "{t}");
    }
    let distinct: BTreeSet<&str> = ApiEventType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(distinct.len(), 22);
    assert!(serde_json::from_str::<ApiEventType>("\"Guard:Nope\"").is_err());
}

#[test]
fn absent_optional_fields_are_omitted_not_null() {
    let mut event = full_event();
    event.identity = Identity::default();
    event.client = ClientContext::default();
    event.tool = ToolContext::default();
    event.policy_results.clear();
    event.prompt_summary = None;
    event.response_summary = None;
    event.dlp = DlpSummary::default();
    event.redactions.clear();
    event.tokens = None;
    event.metadata.clear();
    event.config = ConfigRef::default();
    event.degraded = false;
    event.request_id = None;
    event.session_id = None;
    event.conversation_id = None;
    (event.would_verdict, event.would_reason_code) = (None, None);
    event.trace = TraceIds::default();
    event.trace_state = None;
    (event.output_preview, event.prompt_redacted, event.rewrite) = (None, false, None);
    (
        event.quality_scores,
        event.safety_settings,
        event.safety_response,
    ) = (None, None, None);
    let line = Record::from(event.clone()).to_json_line().unwrap();
    assert!(!line.contains("null"), "{line}");
    let value: Value = serde_json::from_str(&line).unwrap();
    let keys: BTreeSet<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<&str> = [
        "record_type",
        "schema_version",
        "event_id",
        "timestamp",
        "org_id",
        "phase",
        "verdict",
        "event_type",
        "reason_code",
        "prompt_hash",
        "dlp",
        "config",
    ]
    .into();
    assert_eq!(keys, expected);
    assert_eq!(
        value["dlp"],
        json!({"is_dlp_event": false, "blocked_by_dlp": false, "high_or_above": 0, "critical": 0, "total_matches": 0})
    );
    assert_eq!(Record::from_json_line(&line).unwrap(), Record::from(event));

    let mut m = full_dlp_match();
    m.snippet = None;
    (m.action, m.monitor, m.request_id) = (None, false, None);
    let mut s = full_shadow_event();
    s.identity = Identity::default();
    (
        s.tool,
        s.vendor,
        s.extension_id,
        s.extension_version,
        s.browser,
    ) = (None, None, None, None, None);
    (s.category, s.source_system) = (None, None);
    s.metadata.clear();
    let mut f = full_finding();
    (f.tool, f.vendor, f.category) = (None, None, None);
    let mut a = audit_event(ApiEventType::AuthLogout);
    (a.user_id, a.keycloak_user_id, a.user_email, a.org_id) = (None, None, None, None);
    for (record, absent) in [
        (
            Record::from(m),
            &["snippet", "action", "monitor", "request_id"][..],
        ),
        (
            s.into(),
            &[
                "tool",
                "vendor",
                "user_id",
                "user_email",
                "idp_user_id",
                "extension_id",
                "browser",
                "metadata",
                "category",
                "source_system",
            ],
        ),
        (f.into(), &["tool", "vendor", "category"]),
        (
            a.into(),
            &[
                "user_id",
                "keycloak_user_id",
                "user_email",
                "org_id",
                "event_metadata",
            ],
        ),
    ] {
        let line = record.to_json_line().unwrap();
        assert!(!line.contains("null"), "{line}");
        for key in absent {
            assert!(!line.contains(&format!("\"{key}\"")), "{key} in {line}");
        }
        assert_eq!(Record::from_json_line(&line).unwrap(), record);
    }
}

#[test]
fn a_bad_line_is_an_input_error_with_its_position() {
    let err = Record::from_json_line(r#"{"record_type":"event","schema_version":1}"#).unwrap_err();
    let Error::Input { location, message } = &err else {
        panic!("expected an input error, got {err:?}");
    };
    assert_eq!(location, "$");
    assert!(message.contains("missing field `event_id`"), "{message}");
    let err = Record::from_json_line("{\"record_type\":\"event\",").unwrap_err();
    let Error::Input { location, .. } = &err else {
        panic!("expected an input error, got {err:?}");
    };
    assert!(location.starts_with("line 1, column "), "{location}");
    // An unknown record type is named by its path and the allowed values,
    // never repeated: a line may hold anything.
    let err = Record::from_json_line(r#"{"record_type":"telemetry"}"#).unwrap_err();
    let Error::Input { location, message } = &err else {
        panic!("expected an input error, got {err:?}");
    };
    assert_eq!(location, "$.record_type");
    assert!(
        message.contains("`audit_event`") && !message.contains("telemetry"),
        "{message}"
    );
}

#[test]
fn a_non_finite_confidence_is_refused_instead_of_written_as_null() {
    let mut m = full_dlp_match();
    m.confidence = f64::NAN;
    let err = Record::from(m).to_json_line().unwrap_err();
    assert!(
        err.to_string().contains("dlp_match record `0194cb2e-5f3b"),
        "{err}"
    );
    assert!(err.to_string().contains("confidence"), "{err}");
}

/// Version 1 records, as a version 1 writer emitted them: before quality
/// scores, rewrites, safety data, previews, `prompt_redacted`, a shadow-AI
/// event's `source_system` (then only in `metadata`) and tool categories.
const VERSION_1_LINES: [&str; 3] = [
    r#"{"record_type":"event","schema_version":1,"event_id":"e-1","timestamp":"2025-02-03T11:22:53.492Z","org_id":"org-acme","phase":"prompt","verdict":"redact","event_type":"redacted","reason_code":"dlp:pii.email","prompt_hash":"8066ce46","dlp":{"is_dlp_event":true,"blocked_by_dlp":false,"max_severity":"medium","high_or_above":0,"critical":0,"total_matches":1},"config":{}}"#,
    r#"{"record_type":"shadow_ai_event","schema_version":1,"event_id":"s-1","timestamp":"2025-02-03T11:40:02.118Z","org_id":"org-acme","hostname":"claude.ai","url":"https://claude.ai/","tool":"Claude","classification":"unknown","severity":"medium","user_id":"u-1","source":"api","metadata":{"source_system":"netskope"}}"#,
    r#"{"record_type":"shadow_ai_finding","schema_version":1,"finding_id":"f-1","org_id":"org-acme","hostname":"claude.ai","first_seen":"2025-01-28T09:12:44.010Z","last_seen":"2025-02-03T11:40:02.118Z","count":3,"distinct_users":1,"max_severity":"medium","status":"open"}"#,
];

#[test]
fn version_1_records_still_read_and_write_back_unchanged() {
    assert_eq!(MIN_SCHEMA_VERSION, 1);
    for line in VERSION_1_LINES {
        let record = Record::from_json_line(line).unwrap();
        assert_eq!(record.schema_version(), 1);
        let written: Value = serde_json::from_str(&record.to_json_line().unwrap()).unwrap();
        assert_eq!(written, serde_json::from_str::<Value>(line).unwrap());
        match record {
            Record::Event(e) => {
                assert_eq!(
                    (e.quality_scores, e.rewrite, e.output_preview),
                    (None, None, None)
                );
                assert_eq!((e.safety_settings, e.safety_response), (None, None));
                assert!(!e.prompt_redacted);
            }
            Record::ShadowAiEvent(e) => {
                assert_eq!((e.source_system.as_deref(), e.category), (None, None));
                // The old place is still read.
                assert_eq!(e.reporting_system(), Some("netskope"));
            }
            Record::ShadowAiFinding(f) => assert_eq!(f.category, None),
            other => panic!("{}", other.kind()),
        }
    }
}

#[test]
fn the_version_2_fields_round_trip_and_a_version_1_reader_can_skip_them() {
    let event = full_event();
    let line = Record::from(event.clone()).to_json_line().unwrap();
    let value: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(value["schema_version"], SCHEMA_VERSION);
    assert_eq!(
        value["quality_scores"],
        json!({"aggregate": 0.0, "faithfulness": 1.0, "relevancy": 0.5,
               "coherence": 0.875, "completeness": 0.25, "accuracy": 0.9})
    );
    assert_eq!(value["rewrite"]["kind"], "redaction");
    assert_eq!(value["rewrite"]["hash_before"], value["prompt_hash"]);
    assert_eq!(value["prompt_redacted"], true);
    assert_eq!(value["output_preview"], "Sure, sending to [EMAIL]");
    assert!(value["safety_settings"].is_array() && value["safety_response"].is_object());
    assert_eq!(Record::from_json_line(&line).unwrap(), Record::from(event));

    // A version 1 reader is a reader without the new fields: removing
    // them leaves a record of the old shape, which still reads.
    let mut old = value.as_object().unwrap().clone();
    for key in [
        "quality_scores",
        "rewrite",
        "prompt_redacted",
        "output_preview",
        "safety_settings",
        "safety_response",
    ] {
        assert!(old.remove(key).is_some(), "{key}");
    }
    assert!(Record::from_json_line(&Value::Object(old).to_string()).is_ok());

    let shadow = serde_json::to_value(full_shadow_event()).unwrap();
    assert_eq!(
        (
            shadow["source_system"].as_str(),
            shadow["category"].as_str()
        ),
        (Some("netskope"), Some("chat"))
    );
    assert_eq!(full_shadow_event().reporting_system(), Some("netskope"));
    let finding = serde_json::to_value(full_finding()).unwrap();
    assert_eq!(finding["category"], "code_assistant");
}

#[test]
fn a_score_outside_zero_to_one_does_not_read() {
    let mut value = serde_json::to_value(Record::from(full_event())).unwrap();
    for bad in [json!(7), json!(-1), json!(1.5)] {
        value["quality_scores"]["coherence"] = bad;
        let err = Record::from_json_line(&value.to_string()).unwrap_err();
        assert!(
            err.to_string()
                .contains("must be a finite number from 0 to 1"),
            "{err}"
        );
    }
    // Unknown scores (a newer writer's) are ignored, like any unknown field.
    value["quality_scores"] = json!({"aggregate": 0.5, "fluency": 0.7});
    assert!(Record::from_json_line(&value.to_string()).is_ok());
}
