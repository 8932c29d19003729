//! OTLP/HTTP logs in the JSON encoding (`POST /v1/logs`), for an
//! OpenTelemetry Collector tier or any backend that takes OTLP.
//!
//! One log record per govstream record. `eventName` is
//! `govstream.<record_type>` (the LogRecord `EventName` field; the
//! deprecated `event.name` attribute is set too, for receivers on older
//! protocol versions, which ignore unknown JSON fields). `body` is a string:
//! the record's JSON line, so every backend shows it and a collector can
//! parse it (`ParseJSON(body)`); the fields worth filtering on are also
//! attributes, under OpenTelemetry semantic-convention names where one fits
//! and `govstream.*` otherwise. OTLP JSON rules apply: 64-bit integers and
//! nanosecond times are decimal strings, attribute values are `AnyValue`s.

use super::facts::{self, Grade};
use super::{BatchInfo, Encoder};
use crate::Result;
use crate::schema::Record;
use serde_json::{Map, Value, json};
use std::fmt;

/// Settings of an [`OtlpLogsEncoder`]. `Debug` shows header names only.
#[derive(Clone)]
pub struct OtlpLogsConfig {
    /// The resource's `service.name`: the application govstream runs in.
    pub service_name: String,
    /// More resource attributes (`deployment.environment.name`, …).
    pub resource_attributes: Vec<(String, String)>,
    /// Extra request headers (`authorization`, a backend's API-key header).
    pub headers: Vec<(String, String)>,
    /// The instrumentation scope's version; defaults to this crate's version.
    pub product_version: String,
}

impl Default for OtlpLogsConfig {
    fn default() -> Self {
        OtlpLogsConfig {
            service_name: "govstream".into(),
            resource_attributes: Vec::new(),
            headers: Vec::new(),
            product_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

impl fmt::Debug for OtlpLogsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("OtlpLogsConfig")
            .field("service_name", &self.service_name)
            .field("resource_attributes", &self.resource_attributes)
            .field("headers", &format_args!("{names:?} (values redacted)"))
            .field("product_version", &self.product_version)
            .finish()
    }
}

/// One `resourceLogs` entry per request, one `logRecords` entry per record.
#[derive(Clone)]
pub struct OtlpLogsEncoder {
    prefix: String,
    headers: Vec<(String, String)>,
}

impl fmt::Debug for OtlpLogsEncoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("OtlpLogsEncoder")
            .field("envelope", &self.prefix)
            .field("headers", &format_args!("{names:?} (values redacted)"))
            .finish()
    }
}

const SUFFIX: &str = "]}]}]}";

impl OtlpLogsEncoder {
    /// The encoder.
    pub fn new(config: OtlpLogsConfig) -> Self {
        let mut resource = vec![attribute("service.name", json!(config.service_name))];
        for (k, v) in config.resource_attributes {
            resource.push(attribute(&k, json!(v)));
        }
        let envelope = json!({
            "resource": { "attributes": resource },
            "scope": { "name": "govstream", "version": config.product_version },
        });
        // Written out by hand so the order is OTLP's, whatever the map type.
        let prefix = format!(
            r#"{{"resourceLogs":[{{"resource":{},"scopeLogs":[{{"scope":{},"logRecords":["#,
            envelope["resource"], envelope["scope"]
        );
        OtlpLogsEncoder {
            prefix,
            headers: config.headers,
        }
    }
}

/// OpenTelemetry severity by grade: INFO for allowed and informational,
/// then one step per grade through the WARN range, ERROR for a block or a
/// critical finding.
fn severity(grade: Grade) -> (u8, &'static str) {
    match grade {
        Grade::Informational => (9, "INFO"),
        Grade::Low => (13, "WARN"),
        Grade::Medium => (14, "WARN2"),
        Grade::High => (15, "WARN3"),
        Grade::Critical => (17, "ERROR"),
    }
}

fn attribute(key: &str, value: Value) -> Value {
    json!({ "key": key, "value": any_value(value) })
}

/// A JSON value as an OTLP `AnyValue`.
fn any_value(value: Value) -> Value {
    match value {
        Value::String(s) => json!({ "stringValue": s }),
        Value::Bool(b) => json!({ "boolValue": b }),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({ "intValue": n.to_string() }),
        Value::Number(n) => json!({ "doubleValue": n }),
        Value::Array(items) => {
            let values: Vec<Value> = items.into_iter().map(any_value).collect();
            json!({ "arrayValue": { "values": values } })
        }
        Value::Object(m) => {
            let values: Vec<Value> = m.into_iter().map(|(k, v)| attribute(&k, v)).collect();
            json!({ "kvlistValue": { "values": values } })
        }
        Value::Null => json!({}),
    }
}

/// Every scalar and list of scalars under `prefix`, objects flattened with
/// dots; lists of objects (`policy_results`, `redactions`) are left to the
/// body.
fn flatten(prefix: &str, fields: Map<String, Value>, out: &mut Vec<Value>) {
    for (key, value) in fields {
        let name = format!("{prefix}.{key}");
        match value {
            Value::Object(inner) => flatten(&name, inner, out),
            Value::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()) => {}
            Value::Null => {}
            other => out.push(attribute(&name, other)),
        }
    }
}

/// Moves a top-level field of the record to an attribute, if present.
fn moved(rest: &mut Map<String, Value>, attrs: &mut Vec<Value>, field: &str, key: &str) {
    if let Some(v) = rest.remove(field) {
        attrs.push(attribute(key, v));
    }
}

/// The record's attributes: semantic-convention names first, then the rest
/// under `govstream.`.
fn attributes(record: &Record) -> Vec<Value> {
    let mut rest = facts::record_object(record);
    let mut attrs = vec![
        attribute("event.name", json!(format!("govstream.{}", record.kind()))),
        attribute("log.record.uid", json!(record.event_id())),
    ];
    moved(&mut rest, &mut attrs, "user_id", "user.id");
    moved(&mut rest, &mut attrs, "user_email", "user.email");
    moved(&mut rest, &mut attrs, "hostname", "server.address");
    match record {
        Record::Event(e) => {
            moved(&mut rest, &mut attrs, "provider", "gen_ai.provider.name");
            moved(&mut rest, &mut attrs, "model", "gen_ai.request.model");
            moved(
                &mut rest,
                &mut attrs,
                "conversation_id",
                "gen_ai.conversation.id",
            );
            moved(&mut rest, &mut attrs, "session_id", "session.id");
            if let Some(tokens) = e.tokens {
                rest.remove("tokens");
                if let Some(n) = tokens.input {
                    attrs.push(attribute("gen_ai.usage.input_tokens", json!(n)));
                }
                if let Some(n) = tokens.output {
                    attrs.push(attribute("gen_ai.usage.output_tokens", json!(n)));
                }
            }
            rest.remove("event_id");
        }
        Record::DlpMatch(_) => {
            rest.remove("match_id");
        }
        Record::ShadowAiEvent(_) => {
            moved(&mut rest, &mut attrs, "url", "url.full");
            rest.remove("event_id");
        }
        Record::ShadowAiFinding(_) => {
            rest.remove("finding_id");
        }
        Record::AuditEvent(_) => {
            rest.remove("event_id");
            rest.remove("date_time");
        }
    }
    rest.remove("timestamp");
    // On the log record itself (`traceId`, `spanId`, `flags`).
    for field in ["trace_id", "span_id", "trace_flags"] {
        rest.remove(field);
    }
    flatten("govstream", rest, &mut attrs);
    attrs
}

impl Encoder for OtlpLogsEncoder {
    fn name(&self) -> &'static str {
        "otlp-logs"
    }

    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        let line = record.to_json_line()?;
        let ms = facts::time_ms(record)?;
        // OTLP times are unsigned; a time before 1970 is reported as unknown.
        let nanos = u64::try_from(ms).map_or(0, |ms| ms.saturating_mul(1_000_000));
        let (number, text) = severity(Grade::of(record));
        let name = format!("govstream.{}", record.kind());
        // The trace the evaluation ran in: OTLP/JSON writes the ids as hex
        // strings, and `flags` carries the W3C trace flags in its low byte
        // (OTLP logs data model, `TraceId`, `SpanId`, `TraceFlags`).
        let mut trace = String::new();
        if let Some(t) = record.trace() {
            if let Some(id) = &t.trace_id {
                trace.push_str(&format!(r#","traceId":{}"#, Value::String(id.clone())));
            }
            if let Some(id) = &t.span_id {
                trace.push_str(&format!(r#","spanId":{}"#, Value::String(id.clone())));
            }
            if let Some(flags) = t.trace_flags {
                trace.push_str(&format!(r#","flags":{flags}"#));
            }
        }
        // Both times are the record's: govstream is where the event is
        // first observed, and a retry must not change the body.
        let log = format!(
            r#"{{"timeUnixNano":"{nanos}","observedTimeUnixNano":"{nanos}","severityNumber":{number},"severityText":"{text}","eventName":{}{trace},"body":{},"attributes":{}}}"#,
            Value::String(name),
            json!({ "stringValue": line }),
            Value::Array(attributes(record)),
        );
        out.extend_from_slice(log.as_bytes());
        Ok(())
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        out.extend_from_slice(self.prefix.as_bytes());
        facts::join_json(pieces, out);
        out.extend_from_slice(SUFFIX.as_bytes());
    }

    fn headers(&self, _body: &[u8], _batch: &BatchInfo) -> Vec<(String, String)> {
        let mut h = vec![("content-type".to_owned(), "application/json".to_owned())];
        h.extend(self.headers.iter().cloned());
        h
    }

    // OTLP/HTTP: "The client MAY gzip the content" (OTLP specification).
    fn accepts_gzip(&self) -> bool {
        true
    }

    fn default_path(&self) -> Option<&'static str> {
        Some("/v1/logs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;

    fn body(enc: &OtlpLogsEncoder, records: &[Record]) -> Value {
        let pieces: Vec<Vec<u8>> = records
            .iter()
            .map(|r| {
                let mut p = Vec::new();
                enc.encode_record(r, &mut p).unwrap();
                p
            })
            .collect();
        let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        let mut out = Vec::new();
        enc.frame(&refs, &mut out);
        serde_json::from_slice(&out).unwrap()
    }

    fn attr<'a>(log: &'a Value, key: &str) -> Option<&'a Value> {
        log["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == key)
            .map(|a| &a["value"])
    }

    #[test]
    fn the_trace_goes_on_the_log_record_not_in_attributes() {
        let v = body(
            &OtlpLogsEncoder::new(OtlpLogsConfig::default()),
            &test_records::all(),
        );
        let logs = v["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
            .as_array()
            .unwrap();
        for log in &logs[..2] {
            assert_eq!(log["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
            assert_eq!(log["spanId"], "00f067aa0ba902b7");
            assert_eq!(log["flags"], 1);
            assert!(attr(log, "govstream.trace_id").is_none());
            assert!(attr(log, "govstream.span_id").is_none());
        }
        // A shadow-AI event has no trace: no empty ids either.
        assert!(logs[2].get("traceId").is_none());
    }

    #[test]
    fn the_envelope_follows_otlp_json() {
        let mut config = OtlpLogsConfig {
            product_version: "1.2.3".into(),
            ..OtlpLogsConfig::default()
        };
        config
            .resource_attributes
            .push(("deployment.environment.name".into(), "prod".into()));
        let v = body(&OtlpLogsEncoder::new(config), &test_records::all());
        let rl = &v["resourceLogs"][0];
        assert_eq!(
            rl["resource"]["attributes"][0],
            json!({"key": "service.name", "value": {"stringValue": "govstream"}})
        );
        assert_eq!(
            rl["resource"]["attributes"][1]["key"],
            "deployment.environment.name"
        );
        let scope = &rl["scopeLogs"][0];
        assert_eq!(
            scope["scope"],
            json!({"name": "govstream", "version": "1.2.3"})
        );
        let logs = scope["logRecords"].as_array().unwrap();
        assert_eq!(logs.len(), 5);
        let event = &logs[0];
        assert_eq!(event["timeUnixNano"], "1738581773492000000");
        assert_eq!(event["observedTimeUnixNano"], event["timeUnixNano"]);
        assert_eq!(event["severityNumber"], 17);
        assert_eq!(event["severityText"], "ERROR");
        assert_eq!(event["eventName"], "govstream.event");
        let back = Record::from_json_line(event["body"]["stringValue"].as_str().unwrap()).unwrap();
        assert_eq!(back, test_records::event());
    }

    #[test]
    fn attributes_use_semantic_conventions_and_otlp_value_types() {
        let v = body(
            &OtlpLogsEncoder::new(OtlpLogsConfig::default()),
            &test_records::all(),
        );
        let logs = &v["resourceLogs"][0]["scopeLogs"][0]["logRecords"];
        let event = &logs[0];
        assert_eq!(
            attr(event, "gen_ai.provider.name").unwrap()["stringValue"],
            "openai"
        );
        assert_eq!(
            attr(event, "gen_ai.request.model").unwrap()["stringValue"],
            "gpt-4o"
        );
        assert_eq!(
            attr(event, "gen_ai.usage.input_tokens").unwrap(),
            &json!({"intValue": "17"})
        );
        assert_eq!(attr(event, "user.id").unwrap()["stringValue"], "u-1042");
        assert_eq!(
            attr(event, "server.address").unwrap()["stringValue"],
            "chatgpt.com"
        );
        assert_eq!(
            attr(event, "event.name").unwrap()["stringValue"],
            "govstream.event"
        );
        assert_eq!(
            attr(event, "govstream.dlp.blocked_by_dlp").unwrap(),
            &json!({"boolValue": true})
        );
        assert_eq!(
            attr(event, "govstream.metadata.tab_id").unwrap(),
            &json!({"intValue": "118"})
        );
        assert!(attr(event, "govstream.policy_results").is_none());
        assert!(attr(event, "govstream.model").is_none());
        let m = &logs[1];
        assert_eq!(
            attr(m, "log.record.uid").unwrap()["stringValue"],
            "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57:0"
        );
        assert_eq!(
            attr(m, "govstream.event_id").unwrap()["stringValue"],
            "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57"
        );
        assert!(attr(m, "govstream.confidence").unwrap()["doubleValue"].is_f64());
        assert_eq!(m["severityText"], "WARN2");
        let audit = &logs[4];
        let roles = attr(audit, "govstream.event_metadata.roles_assigned").unwrap();
        assert_eq!(
            roles["arrayValue"]["values"][1],
            json!({"stringValue": "viewer"})
        );
        assert_eq!(audit["severityText"], "INFO");
    }

    #[test]
    fn headers_are_sent_but_their_values_never_printed() {
        let config = OtlpLogsConfig {
            headers: vec![("authorization".into(), "Bearer otlp-secret".into())],
            ..OtlpLogsConfig::default()
        };
        let enc = OtlpLogsEncoder::new(config.clone());
        let batch = BatchInfo {
            batch_id: "b".into(),
            now_ms: 0,
        };
        assert_eq!(enc.headers(b"", &batch)[1].1, "Bearer otlp-secret");
        for shown in [format!("{config:?}"), format!("{enc:?}")] {
            assert!(
                !shown.contains("otlp-secret") && shown.contains("authorization"),
                "{shown}"
            );
        }
        assert_eq!(enc.default_path(), Some("/v1/logs"));
    }
}
