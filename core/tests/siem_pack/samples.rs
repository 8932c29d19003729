//! What the encoders send, as field paths and sample values: the golden
//! files of `golden_encoders.rs`, plus the real encoders run here over one
//! record of every kind with every optional field set (the golden batch
//! leaves some out).

use govstream::pipeline::encode::{
    AzureLogsConfig, AzureLogsEncoder, ElasticsearchAuth, ElasticsearchBulkConfig,
    ElasticsearchBulkEncoder, Encoder, SplunkHecConfig, SplunkHecEncoder,
};
use govstream::schema::Record;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every value seen at each field path.
pub(crate) type Fields = BTreeMap<String, Vec<Value>>;

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One record of every kind, every optional field set.
pub(crate) fn full_records() -> Vec<Record> {
    let span = json!({"start": 5, "end": 25, "byte_start": 5, "byte_end": 25, "utf16_start": 5, "utf16_end": 25});
    let summary = |t: &str| json!({"text": t, "truncated": true, "original_length": 900});
    let mut event = json!({
        "record_type": "event", "schema_version": 2,
        "event_id": "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57", "timestamp": "2026-12-07T10:00:00.000Z",
        "org_id": "org-acme", "user_id": "u-1042", "user_email": "lee@acme.example",
        "idp_user_id": "idp-77", "client": "gateway", "client_version": "2.4.0",
        "extension_id": "abcdefghijklmnopabcdefghijklmnop", "gateway_id": "gw-1",
        "endpoint_id": "ep-9", "provider": "openai", "tool": "ChatGPT", "model": "gpt-4o",
        "route": "/v1/chat/completions", "hostname": "chatgpt.com", "phase": "response",
        "verdict": "escalate", "event_type": "escalated", "reason_code": "dlp:pii.email",
        "would_verdict": "block", "would_reason_code": "dlp:secrets.aws_access_key_id",
        "policy_results": [{"policy": "pii.email", "kind": "dlp", "phase": "response", "verdict": "escalate", "reason": "1 match", "monitor": true}],
        "prompt_summary": summary("ask [REDACTED:pii.email]"),
        "response_summary": summary("reply [REDACTED:pii.email]"),
        "prompt_hash": "56ff55099dcfdc621eecc74462420fc512159f81e3970f45925035ac0727f746",
        "dlp": {"is_dlp_event": true, "blocked_by_dlp": false, "max_severity": "medium",
                "high_or_above": 0, "critical": 0, "total_matches": 1, "omitted_matches": 2,
                "scan_truncated": true, "scanned_length": 100000},
        "redactions": [{"kind": "pii.email", "replacement": "[REDACTED:pii.email]", "span": span}],
        "tokens": {"input": 42, "output": 7},
        "metadata": {"team": "payments", "ticket": 12},
        "config": {"id": "cfg-prod", "name": "Production AI policy", "version": "7"},
        "degraded": true, "request_id": "req-1", "session_id": "s-1", "conversation_id": "c-1",
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7",
        "trace_flags": 1, "trace_state": "congo=t61rcWkgMzE",
    });
    // One `json!` this size reaches the macro recursion limit.
    for (key, value) in [
        ("output_preview", json!("reply [REDACTED:pii.email]")),
        (
            "quality_scores",
            json!({"aggregate": 0.8, "faithfulness": 0.9, "relevancy": 1.0,
                   "coherence": 0.75, "completeness": 0.5, "accuracy": 0.0}),
        ),
        (
            "safety_settings",
            json!([{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_MEDIUM_AND_ABOVE"}]),
        ),
        (
            "safety_response",
            json!({"hate": {"filtered": false, "severity": "safe"}, "blocked": false}),
        ),
    ] {
        event[key] = value;
    }
    // A prompt that was forwarded rewritten (schema version 2 details).
    let rewritten = json!({
        "record_type": "event", "schema_version": 2,
        "event_id": "0194cb2e-6000-7000-8000-000000000002", "timestamp": "2026-12-07T10:00:01.000Z",
        "org_id": "org-acme", "phase": "prompt", "verdict": "redact", "event_type": "redacted",
        "reason_code": "dlp:pii.email",
        "prompt_hash": "56ff55099dcfdc621eecc74462420fc512159f81e3970f45925035ac0727f746",
        "prompt_redacted": true,
        "dlp": {"is_dlp_event": true, "blocked_by_dlp": false, "max_severity": "medium",
                "high_or_above": 0, "critical": 0, "total_matches": 1},
        "rewrite": {"kind": "redaction", "redactions": 1, "length_before": 31, "length_after": 34,
                    "hash_before": "56ff55099dcfdc621eecc74462420fc512159f81e3970f45925035ac0727f746",
                    "hash_after": "9b0e1f4c2d3a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344"},
        "config": {"id": "cfg-prod"},
    });
    let dlp_match = json!({
        "record_type": "dlp_match", "schema_version": 2,
        "match_id": "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57:0",
        "event_id": "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57", "timestamp": "2026-12-07T10:00:00.000Z",
        "org_id": "org-acme", "phase": "prompt", "rule_id": "pii.email", "rule_name": "Email address",
        "category": "pii", "severity": "medium", "confidence": 0.9, "span": span,
        "snippet": {"text": "mail [REDACTED:pii.email] now", "offset": 0, "end": 29, "match_start": 5, "match_end": 25},
        "fingerprint": "176119a96756813d244dc74593158522",
        "action": "escalate", "monitor": true, "request_id": "req-1",
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7",
        "trace_flags": 1,
    });
    let shadow = json!({
        "record_type": "shadow_ai_event", "schema_version": 2,
        "event_id": "0194cb31-0a1b-7d2c-8e3f-4a5b6c7d8e9f", "timestamp": "2026-12-07T10:01:00.000Z",
        "org_id": "org-acme", "hostname": "chat.deepseek.com", "url": "https://chat.deepseek.com/a/chat/s",
        "tool": "DeepSeek", "vendor": "DeepSeek", "classification": "unapproved", "severity": "high",
        "user_id": "u-1042", "user_email": "lee@acme.example", "idp_user_id": "idp-77",
        "extension_id": "abcdefghijklmnopabcdefghijklmnop", "extension_version": "2.4.0",
        "category": "chat", "browser": "Chrome 131", "source": "api",
        "source_system": "netskope", "metadata": {"tab": 3, "source_system": "netskope"},
    });
    let finding = json!({
        "record_type": "shadow_ai_finding", "schema_version": 2,
        "finding_id": "org-acme:chat.deepseek.com", "org_id": "org-acme",
        "hostname": "chat.deepseek.com", "tool": "DeepSeek", "vendor": "DeepSeek", "category": "chat",
        "first_seen": "2026-11-28T09:12:44.010Z", "last_seen": "2026-12-07T10:01:00.000Z",
        "count": 37, "distinct_users": 5, "max_severity": "high", "status": "open",
    });
    let audit = |id: &str, t: &str, meta: Value| {
        json!({
            "record_type": "audit_event", "schema_version": 2, "event_id": id,
            "request_id": "req-61a0b2", "date_time": "2026-12-07T11:47:31.250+01:00",
            "user_id": "u-7", "keycloak_user_id": "06ad90a8-a8f7-4776-aca3-05dbd38ae9ba",
            "user_email": "admin@acme.example", "org_id": "org-acme", "event_type": t,
            "event_metadata": meta,
        })
    };
    [
        event,
        rewritten,
        dlp_match,
        shadow,
        finding,
        audit(
            "a-1",
            "Admin:RoleAssignment",
            json!({"user_id": "u-1042", "user_email": "lee@acme.example", "roles_assigned": ["viewer"]}),
        ),
        audit("a-2", "Auth:LoginFailure", json!({})),
    ]
    .iter()
    .map(|v| Record::from_json_line(&v.to_string()).unwrap())
    .collect()
}

fn encode(encoder: &dyn Encoder, record: &Record) -> String {
    let mut piece = Vec::new();
    encoder.encode_record(record, &mut piece).unwrap();
    String::from_utf8(piece).unwrap()
}

/// The part of a golden file before its headers.
fn golden_body(name: &str) -> String {
    let path = repo().join("core/tests/golden").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    text.split("----- headers -----")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Elasticsearch documents (the lines after each action line).
pub(crate) fn elasticsearch_documents() -> Vec<Value> {
    let encoder = ElasticsearchBulkEncoder::new(ElasticsearchBulkConfig::new(
        "logs-govstream-default",
        ElasticsearchAuth::None,
    ));
    let mut text = golden_body("elasticsearch_bulk.ndjson");
    for r in full_records() {
        text.push_str(&encode(&encoder, &r));
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines
        .chunks(2)
        .map(|pair| serde_json::from_str(pair[1]).unwrap())
        .collect()
}

/// Azure Monitor rows.
pub(crate) fn azure_rows() -> Vec<Value> {
    let encoder = AzureLogsEncoder::new(AzureLogsConfig::new("t"));
    let mut rows: Vec<Value> = serde_json::from_str(&golden_body("azure_logs.json")).unwrap();
    for r in full_records() {
        rows.push(serde_json::from_str(&encode(&encoder, &r)).unwrap());
    }
    rows
}

/// The `event` objects of Splunk HEC envelopes.
pub(crate) fn splunk_events() -> Vec<Value> {
    let encoder = SplunkHecEncoder::new(SplunkHecConfig::new("t"));
    let mut text = golden_body("splunk_hec.json");
    for r in full_records() {
        text.push('\n');
        text.push_str(&encode(&encoder, &r));
    }
    serde_json::Deserializer::from_str(&text)
        .into_iter::<Value>()
        .map(|v| v.unwrap()["event"].clone())
        .collect()
}

/// Leaf paths with dots, lists looked through (Elasticsearch's view: an
/// array of objects maps as the objects' fields).
pub(crate) fn dotted_fields(docs: &[Value]) -> Fields {
    fn walk(v: &Value, path: &str, out: &mut Fields) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(v, &p, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, path, out)),
            _ => out.entry(path.to_owned()).or_default().push(v.clone()),
        }
    }
    let mut out = Fields::new();
    docs.iter().for_each(|d| walk(d, "", &mut out));
    out
}

/// Splunk's `KV_MODE = json` names: `a.b` inside objects, `a{}` for a list
/// and `a{}.b` inside a list of objects. Objects are listed too (their
/// prefix is a valid field for `spath`).
pub(crate) fn splunk_fields(docs: &[Value]) -> Fields {
    fn walk(v: &Value, path: &str, out: &mut Fields) {
        out.entry(path.to_owned()).or_default().push(v.clone());
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(v, &p, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, &format!("{path}{{}}"), out)),
            _ => {}
        }
    }
    let mut out = Fields::new();
    docs.iter().for_each(|d| walk(d, "", &mut out));
    out.remove("");
    out
}
