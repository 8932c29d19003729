//! Every encoder's output for one fixed batch, compared byte for byte with
//! the files in `core/tests/golden/`. The batch is built deterministically:
//! real evaluations under a fixed policy key, time and event ids, plus
//! hand-built shadow-AI and audit records. `GOVSTREAM_BLESS=1` rewrites the
//! files; review the diff before committing it.

// clippy.toml allows these inside #[test] functions only; the helpers here
// are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::pipeline::encode::*;
use govstream::policy::{EvaluationContext, Policy};
use govstream::schema::*;
use serde_json::json;
use std::path::PathBuf;

const BLESS: &str = "GOVSTREAM_BLESS=1 cargo test -p govstream --test golden_encoders";
const VERSION: &str = "0.0.0-golden";

const POLICY: &str = r#"{
    "org": {"id": "org-acme"},
    "config": {"id": "cfg-prod", "name": "Production AI policy", "version": "7"},
    "actions": {"prompt": {"medium": "redact", "critical": "block"}},
    "ai_tools": {"approved": ["chatgpt.com"], "blocked": ["*.deepseek.com"], "unknown_action": "warn"},
    "fingerprint_key": "golden-fingerprint-key-0123456789"
}"#;

/// A prompt whose findings and summary exercise every escaping rule:
/// quotes, backslashes, `]`, `|`, `=`, a line break and an emoji.
const PROMPT: &str =
    "Hi 👋 \"ops\" | path C:\\keys] a=b\nmail dana@acme.example the key AKIA2QXGZ7LMT4WJ5N6P now";

fn context(event_id: &str, ms: i64, hostname: &str) -> EvaluationContext {
    EvaluationContext {
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
            hostname: Some(hostname.into()),
        },
        request_id: Some("req-8c1d".into()),
        tokens: Some(TokenUsage {
            input: Some(42),
            output: None,
        }),
        timestamp_ms: Some(ms),
        event_id: Some(event_id.into()),
        ..EvaluationContext::default()
    }
}

fn records() -> Vec<Record> {
    let policy = Policy::from_json(POLICY).unwrap();
    // What a gateway passes through about the interaction (schema version 2).
    let mut first = context(
        "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57",
        1_738_581_773_492,
        "chatgpt.com",
    );
    let mut scores = QualityScores::default();
    scores.set("aggregate", 0.82).unwrap();
    scores.set("relevancy", 0.9).unwrap();
    first.quality_scores = Some(scores);
    first.safety_settings = Some(
        govstream::policy::PassThroughJson::new(json!([
            {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_MEDIUM_AND_ABOVE"}
        ]))
        .unwrap(),
    );
    first.safety_response = Some(
        govstream::policy::PassThroughJson::new(
            json!({"hate": {"filtered": false, "severity": "safe"}}),
        )
        .unwrap(),
    );
    let mut out = policy.evaluate(PROMPT, &first).records();
    let quiet = policy.evaluate(
        "What is the capital of France?",
        &context(
            "0194cb2f-0000-7000-8000-000000000002",
            1_738_581_800_000,
            "chatgpt.com",
        ),
    );
    out.extend(quiet.records());
    let blocked_tool = policy.evaluate(
        "Summarise this meeting for me",
        &context(
            "0194cb30-0000-7000-8000-000000000003",
            1_738_581_900_000,
            "chat.deepseek.com",
        ),
    );
    out.extend(blocked_tool.records());
    out.push(Record::ShadowAiEvent(ShadowAiEvent {
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
        identity: Identity {
            user_id: Some("u-1042".into()),
            user_email: Some("lee@acme.example".into()),
            idp_user_id: None,
        },
        extension_id: Some("abcdefghijklmnopabcdefghijklmnop".into()),
        extension_version: Some("2.4.0".into()),
        browser: Some("Chrome 131".into()),
        source: ShadowAiSource::Extension,
        source_system: None,
        metadata: serde_json::Map::new(),
    }));
    out.push(Record::ShadowAiFinding(ShadowAiFinding {
        schema_version: SCHEMA_VERSION,
        finding_id: "org-acme:chat.deepseek.com".into(),
        org_id: "org-acme".into(),
        hostname: "chat.deepseek.com".into(),
        tool: Some("DeepSeek".into()),
        vendor: Some("DeepSeek".into()),
        category: Some(ToolCategory::Chat),
        first_seen: "2025-01-28T09:12:44.010Z".into(),
        last_seen: "2025-02-03T11:40:02.118Z".into(),
        count: 37,
        distinct_users: 5,
        max_severity: Severity::High,
        status: FindingStatus::Open,
    }));
    out.push(audit(
        "0194cb34-0b1c-7d2e-8f30-415263748596",
        "2025-02-03T11:47:31.250Z",
        ApiEventType::AdminRoleAssignment,
        json!({"user_id": "u-1042", "user_email": "lee@acme.example", "roles_assigned": ["policy_editor", "viewer"]}),
    ));
    out.push(audit(
        "0194cb35-1c2d-7e3f-8041-526374859607",
        "2025-02-03T11:50:00.000+01:00",
        ApiEventType::AuthLoginFailure,
        json!({}),
    ));
    for r in &out {
        if let Record::AuditEvent(e) = r {
            e.validate().unwrap();
        }
    }
    out
}

fn audit(id: &str, at: &str, event_type: ApiEventType, metadata: serde_json::Value) -> Record {
    Record::AuditEvent(AuditEvent {
        schema_version: SCHEMA_VERSION,
        event_id: id.into(),
        request_id: "req-61a0b2".into(),
        date_time: at.into(),
        user_id: Some("u-7".into()),
        keycloak_user_id: Some("06ad90a8-a8f7-4776-aca3-05dbd38ae9ba".into()),
        user_email: Some("admin@acme.example".into()),
        org_id: Some("org-acme".into()),
        event_type,
        event_metadata: metadata.as_object().cloned().unwrap(),
    })
}

/// Every encoder under a fixed configuration, with its golden file's name.
fn encoders() -> Vec<(&'static str, Box<dyn Encoder>)> {
    let mut hec = SplunkHecConfig::new("00000000-0000-0000-0000-000000000000");
    hec.host = Some("gw-1.acme.example".into());
    hec.index = Some("ai_governance".into());
    let mut es = ElasticsearchBulkConfig::new(
        "logs-govstream-default",
        ElasticsearchAuth::ApiKey("ZXhhbXBsZS1pZDpleGFtcGxlLWtleQ==".into()),
    );
    es.findings_index = Some("govstream-findings".into());
    let otlp = OtlpLogsConfig {
        service_name: "acme-gateway".into(),
        resource_attributes: vec![("deployment.environment.name".into(), "prod".into())],
        headers: Vec::new(),
        product_version: VERSION.into(),
    };
    let syslog = SyslogConfig {
        hostname: Some("gw-1.acme.example".into()),
        ..SyslogConfig::default()
    };
    let syslog_cef = SyslogConfig {
        framing: SyslogFraming::NewlineTerminated,
        message: SyslogMessage::Cef(CefConfig {
            product_version: VERSION.into(),
        }),
        ..SyslogConfig::default()
    };
    let ocsf = |framing| OcsfConfig {
        framing,
        authorization: None,
        product_version: VERSION.into(),
    };
    vec![
        ("jsonl.jsonl", Box::new(JsonLinesEncoder::new())),
        (
            "webhook.json",
            Box::new(
                WebhookEncoder::new(WebhookConfig::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
                    .unwrap(),
            ),
        ),
        ("splunk_hec.json", Box::new(SplunkHecEncoder::new(hec))),
        (
            "elasticsearch_bulk.ndjson",
            Box::new(ElasticsearchBulkEncoder::new(es)),
        ),
        (
            "azure_logs.json",
            Box::new(AzureLogsEncoder::new(AzureLogsConfig {
                bearer_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.".into(),
            })),
        ),
        ("otlp_logs.json", Box::new(OtlpLogsEncoder::new(otlp))),
        ("syslog.txt", Box::new(SyslogEncoder::new(syslog).unwrap())),
        (
            "syslog_cef.txt",
            Box::new(SyslogEncoder::new(syslog_cef).unwrap()),
        ),
        (
            "cef.txt",
            Box::new(CefEncoder::new(CefConfig {
                product_version: VERSION.into(),
            })),
        ),
        (
            "ocsf.jsonl",
            Box::new(OcsfEncoder::new(ocsf(OcsfFraming::JsonLines))),
        ),
        (
            "ocsf_array.json",
            Box::new(OcsfEncoder::new(ocsf(OcsfFraming::JsonArray))),
        ),
    ]
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The body, then the headers as `name: value` lines after a marker line,
/// so one file shows everything a request carries.
fn render(encoder: &dyn Encoder, records: &[Record]) -> Vec<u8> {
    let pieces: Vec<Vec<u8>> = records
        .iter()
        .map(|r| {
            let mut piece = Vec::new();
            encoder.encode_record(r, &mut piece).unwrap();
            piece
        })
        .collect();
    let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
    let mut body = Vec::new();
    encoder.frame(&refs, &mut body);
    let batch = BatchInfo {
        batch_id: "msg_2YdTHjW7fQpZ4c1c0b4c4d0c0a".into(),
        now_ms: 1_738_584_000_123,
    };
    let mut out = body.clone();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(b"----- headers -----\n");
    for (name, value) in encoder.headers(&body, &batch) {
        out.extend_from_slice(format!("{name}: {value}\n").as_bytes());
    }
    if let Some(path) = encoder.default_path() {
        out.extend_from_slice(format!("----- default path: {path}\n").as_bytes());
    }
    if encoder.accepts_gzip() {
        out.extend_from_slice(b"----- accepts gzip\n");
    }
    if let Some(max) = encoder.max_body_bytes() {
        out.extend_from_slice(format!("----- max body bytes: {max}\n").as_bytes());
    }
    out
}

#[test]
fn every_encoder_matches_its_golden_file() {
    let records = records();
    let kinds: Vec<&str> = records.iter().map(Record::kind).collect();
    assert_eq!(
        kinds,
        [
            "event",
            "dlp_match",
            "dlp_match",
            "event",
            "event",
            "shadow_ai_event",
            "shadow_ai_finding",
            "audit_event",
            "audit_event"
        ],
        "the fixed batch changed shape; the policy or scanner no longer finds what it did"
    );
    let dir = golden_dir();
    let bless = std::env::var_os("GOVSTREAM_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (file, encoder) in encoders() {
        let actual = render(encoder.as_ref(), &records);
        let path = dir.join(file);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        match std::fs::read(&path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => {
                let first = expected
                    .iter()
                    .zip(&actual)
                    .position(|(a, b)| a != b)
                    .unwrap_or(expected.len().min(actual.len()));
                stale.push(format!(
                    "{file} ({}) differs from byte {first}: expected …{}…, got …{}…",
                    encoder.name(),
                    String::from_utf8_lossy(&expected[first..(first + 80).min(expected.len())]),
                    String::from_utf8_lossy(&actual[first..(first + 80).min(actual.len())]),
                ));
            }
            Err(e) => stale.push(format!("{file}: {e}")),
        }
    }
    assert!(
        stale.is_empty(),
        "golden files are stale (run `{BLESS}`):\n{}",
        stale.join("\n")
    );
}

#[test]
fn golden_files_are_exactly_the_encoders() {
    if std::env::var_os("GOVSTREAM_BLESS").is_some_and(|v| v == "1") {
        return; // the other test is writing them
    }
    let mut expected: Vec<String> = encoders().into_iter().map(|(f, _)| f.to_owned()).collect();
    expected.sort();
    let mut present: Vec<String> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    assert_eq!(
        present, expected,
        "an orphaned or missing golden file (run `{BLESS}`)"
    );
}

#[test]
fn json_bodies_parse_and_carry_every_record() {
    let records = records();
    for (file, encoder) in encoders() {
        let pieces: Vec<Vec<u8>> = records
            .iter()
            .map(|r| {
                let mut p = Vec::new();
                encoder.encode_record(r, &mut p).unwrap();
                p
            })
            .collect();
        let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        let mut body = Vec::new();
        encoder.frame(&refs, &mut body);
        let text = String::from_utf8(body).unwrap();
        let count = match file.rsplit('.').next().unwrap() {
            "json" => {
                let v: serde_json::Value = match serde_json::from_str(&text) {
                    Ok(v) => v,
                    // HEC: concatenated objects, one per line.
                    Err(_) => {
                        let mut n = 0;
                        for value in serde_json::Deserializer::from_str(&text)
                            .into_iter::<serde_json::Value>()
                        {
                            value.unwrap();
                            n += 1;
                        }
                        assert_eq!(n, records.len(), "{file}");
                        continue;
                    }
                };
                match &v {
                    serde_json::Value::Array(a) => a.len(),
                    _ if v.get("data").is_some() => v["data"].as_array().unwrap().len(),
                    _ => v["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
                        .as_array()
                        .unwrap()
                        .len(),
                }
            }
            "jsonl" | "ndjson" => {
                let mut lines = 0;
                for line in text.lines() {
                    serde_json::from_str::<serde_json::Value>(line).unwrap();
                    lines += 1;
                }
                if file.starts_with("elasticsearch") {
                    lines / 2
                } else {
                    lines
                }
            }
            _ => text.lines().count(),
        };
        if !file.starts_with("syslog.txt") {
            assert_eq!(count, records.len(), "{file}");
        }
    }
}

#[test]
fn sinks_doc_lists_every_azure_column() {
    let doc =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/sinks.md"))
            .unwrap();
    let table = doc
        .split("The columns (`AzureLogsEncoder::COLUMNS`)")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").nth(1))
        .expect("docs/sinks.md has the Azure column table");
    for (name, kind) in AzureLogsEncoder::COLUMNS {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("| `{kind}` |")))
            .unwrap_or_else(|| panic!("no `{kind}` row in the Azure column table"));
        assert!(
            row.contains(&format!("`{name}`")),
            "docs/sinks.md does not list the {kind} column `{name}`"
        );
    }
}
