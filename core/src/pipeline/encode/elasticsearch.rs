//! Elasticsearch `_bulk`: NDJSON, an action line and an ECS document per
//! record, and per-item outcomes read from the response.
//!
//! The action is `create` with `_id` = the record's idempotency key, so a
//! retried batch cannot store a record twice: Elasticsearch answers 409 for
//! the copy, which counts as delivered. A shadow-AI finding is the
//! exception: each update of a finding must replace the one before, so it
//! is sent with `index`. Data streams accept only `create`; point
//! `findings_index` at a regular index (or alias) when `index` is a data
//! stream.

use super::{BatchInfo, Encoder, ItemOutcome, ecs, facts};
use crate::Result;
use crate::base64;
use crate::schema::Record;
use serde_json::{Value, json};
use std::fmt;

/// How requests authenticate. `Debug` never shows the credentials.
#[derive(Clone, PartialEq, Eq)]
pub enum ElasticsearchAuth {
    /// No `Authorization` header (a proxy adds one, or security is off).
    None,
    /// `Authorization: ApiKey <key>`, the key being the `encoded` value
    /// Elasticsearch returns when it creates an API key.
    ApiKey(String),
    /// `Authorization: Basic <base64(username:password)>`.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
}

impl fmt::Debug for ElasticsearchAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElasticsearchAuth::None => f.write_str("None"),
            ElasticsearchAuth::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            ElasticsearchAuth::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

/// Settings of an [`ElasticsearchBulkEncoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElasticsearchBulkConfig {
    /// Index, alias or data stream for every record but findings.
    pub index: String,
    /// Where findings go (with the `index` action); `None` means `index`.
    pub findings_index: Option<String>,
    /// Credentials.
    pub auth: ElasticsearchAuth,
}

impl ElasticsearchBulkConfig {
    /// Everything to `index`, with the given credentials.
    pub fn new(index: impl Into<String>, auth: ElasticsearchAuth) -> Self {
        ElasticsearchBulkConfig {
            index: index.into(),
            findings_index: None,
            auth,
        }
    }
}

/// `_bulk` bodies of ECS documents (see [`record_to_ecs`](super::record_to_ecs)).
#[derive(Clone)]
pub struct ElasticsearchBulkEncoder {
    index: String,
    findings_index: String,
    authorization: Option<String>,
}

impl fmt::Debug for ElasticsearchBulkEncoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElasticsearchBulkEncoder")
            .field("index", &self.index)
            .field("findings_index", &self.findings_index)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl ElasticsearchBulkEncoder {
    /// The encoder for one target index.
    pub fn new(config: ElasticsearchBulkConfig) -> Self {
        let authorization = match config.auth {
            ElasticsearchAuth::None => None,
            ElasticsearchAuth::ApiKey(key) => Some(format!("ApiKey {key}")),
            ElasticsearchAuth::Basic { username, password } => Some(format!(
                "Basic {}",
                base64::encode(format!("{username}:{password}").as_bytes())
            )),
        };
        ElasticsearchBulkEncoder {
            findings_index: config
                .findings_index
                .unwrap_or_else(|| config.index.clone()),
            index: config.index,
            authorization,
        }
    }
}

impl Encoder for ElasticsearchBulkEncoder {
    fn name(&self) -> &'static str {
        "elasticsearch-bulk"
    }

    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        facts::ensure_encodable(record)?;
        let (op, index) = match record {
            Record::ShadowAiFinding(_) => ("index", &self.findings_index),
            _ => ("create", &self.index),
        };
        let action = json!({ op: { "_index": index, "_id": record.event_id() } });
        let doc = ecs::record_to_ecs(record);
        for line in [action, doc] {
            let text = serde_json::to_string(&line)
                .map_err(|e| facts::encode_error(record, e.to_string()))?;
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        }
        Ok(())
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        for p in pieces {
            out.extend_from_slice(p);
        }
    }

    fn headers(&self, _body: &[u8], _batch: &BatchInfo) -> Vec<(String, String)> {
        let mut h = vec![("content-type".into(), "application/x-ndjson".into())];
        if let Some(auth) = &self.authorization {
            h.push(("authorization".into(), auth.clone()));
        }
        h
    }

    // Elasticsearch decompresses gzip request bodies on its HTTP layer.
    fn accepts_gzip(&self) -> bool {
        true
    }

    fn default_path(&self) -> Option<&'static str> {
        Some("/_bulk")
    }

    fn item_outcomes(&self, body: &[u8], records: usize) -> Option<Vec<ItemOutcome>> {
        bulk_outcomes(body, records)
    }
}

/// Reads a `_bulk` response. `None` (judge the request by its HTTP status,
/// which was 2xx) when the body is not JSON or says `"errors": false`. When
/// it reports errors but its items cannot be matched to the records one to
/// one, every record is retried: the `_id`s make that safe.
fn bulk_outcomes(body: &[u8], records: usize) -> Option<Vec<ItemOutcome>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if v.get("errors").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    let items = v.get("items").and_then(Value::as_array);
    let Some(items) = items.filter(|items| items.len() == records) else {
        let why = "bulk response reported errors but its items do not match the batch";
        return Some(vec![ItemOutcome::Retry(why.into()); records]);
    };
    Some(items.iter().map(item_outcome).collect())
}

/// One item, `{"create": {"status": 201, "error": {…}}}` (the key is the
/// action).
fn item_outcome(item: &Value) -> ItemOutcome {
    let result = item.as_object().and_then(|o| o.values().next());
    let Some(status) = result.and_then(|r| r.get("status")).and_then(Value::as_u64) else {
        return ItemOutcome::Retry("bulk item without a status".into());
    };
    match status {
        200..=299 | 409 => ItemOutcome::Delivered,
        429 | 500..=599 => ItemOutcome::Retry(describe(status, result)),
        _ => ItemOutcome::Permanent(describe(status, result)),
    }
}

/// `400 mapper_parsing_exception: failed to parse field …`, bounded.
fn describe(status: u64, result: Option<&Value>) -> String {
    let error = result.and_then(|r| r.get("error"));
    let text = |key: &str| error.and_then(|e| e.get(key)).and_then(Value::as_str);
    let mut s = format!("{status}");
    if let Some(t) = text("type") {
        s.push(' ');
        s.push_str(t);
    }
    if let Some(r) = text("reason") {
        s.push_str(": ");
        s.push_str(r);
    }
    if let Some((cut, _)) = s.char_indices().nth(500) {
        s.truncate(cut);
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;

    #[test]
    fn each_record_is_an_action_line_and_an_ecs_line() {
        let mut config =
            ElasticsearchBulkConfig::new("logs-govstream-default", ElasticsearchAuth::None);
        config.findings_index = Some("govstream-findings".into());
        let enc = ElasticsearchBulkEncoder::new(config);
        let mut out = Vec::new();
        enc.encode_record(&test_records::event(), &mut out).unwrap();
        enc.encode_record(&test_records::finding(), &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(text.ends_with('\n'));
        assert_eq!(
            lines[0],
            r#"{"create":{"_id":"0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57","_index":"logs-govstream-default"}}"#
        );
        assert_eq!(
            lines[2],
            r#"{"index":{"_id":"org-acme:chat.deepseek.com","_index":"govstream-findings"}}"#
        );
        let doc: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(doc["event"]["id"], "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57");
    }

    #[test]
    fn item_statuses_become_outcomes() {
        let body = br#"{"took":3,"errors":true,"items":[
            {"create":{"_id":"a","status":201}},
            {"create":{"_id":"b","status":409,"error":{"type":"version_conflict_engine_exception","reason":"document already exists"}}},
            {"create":{"_id":"c","status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}},
            {"create":{"_id":"d","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [event.severity]"}}},
            {"index":{"_id":"e","status":503}},
            {"create":{"_id":"f"}}
        ]}"#;
        assert_eq!(
            bulk_outcomes(body, 6).unwrap(),
            [
                ItemOutcome::Delivered,
                ItemOutcome::Delivered,
                ItemOutcome::Retry("429 es_rejected_execution_exception: queue full".into()),
                ItemOutcome::Permanent(
                    "400 mapper_parsing_exception: failed to parse field [event.severity]".into()
                ),
                ItemOutcome::Retry("503".into()),
                ItemOutcome::Retry("bulk item without a status".into()),
            ]
        );
    }

    #[test]
    fn unclear_responses_fall_back_safely() {
        // Not JSON, or no errors: the 2xx status decides.
        assert_eq!(bulk_outcomes(b"<html>proxy</html>", 2), None);
        assert_eq!(bulk_outcomes(br#"{"errors":false,"items":[]}"#, 2), None);
        assert_eq!(bulk_outcomes(br#"{"took":1}"#, 2), None);
        // Errors that cannot be matched to records: retry them all.
        let short = br#"{"errors":true,"items":[{"create":{"status":201}}]}"#;
        let outcomes = bulk_outcomes(short, 2).unwrap();
        assert_eq!(outcomes.len(), 2);
        assert!(outcomes.iter().all(|o| matches!(o, ItemOutcome::Retry(_))));
        let long_reason = format!(
            r#"{{"errors":true,"items":[{{"create":{{"status":400,"error":{{"type":"x","reason":"{}"}}}}}}]}}"#,
            "r".repeat(2000)
        );
        let Some(outcomes) = bulk_outcomes(long_reason.as_bytes(), 1) else {
            panic!("errors were reported")
        };
        let ItemOutcome::Permanent(text) = &outcomes[0] else {
            panic!("400 is permanent")
        };
        assert_eq!(text.chars().count(), 501);
    }

    #[test]
    fn credentials_are_sent_but_never_printed() {
        let basic = ElasticsearchBulkEncoder::new(ElasticsearchBulkConfig::new(
            "i",
            ElasticsearchAuth::Basic {
                username: "elastic".into(),
                password: "changeme".into(),
            },
        ));
        let batch = BatchInfo {
            batch_id: "b".into(),
            now_ms: 0,
        };
        // base64("elastic:changeme")
        assert!(basic.headers(b"", &batch).contains(&(
            "authorization".into(),
            "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==".into()
        )));
        let key = ElasticsearchAuth::ApiKey(
            "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==".into(),
        );
        let config = ElasticsearchBulkConfig::new("i", key);
        let enc = ElasticsearchBulkEncoder::new(config.clone());
        assert!(enc.headers(b"", &batch)[1].1.starts_with("ApiKey VnVh"));
        for shown in [
            format!("{config:?}"),
            format!("{enc:?}"),
            format!("{basic:?}"),
        ] {
            assert!(
                !shown.contains("VnVh") && !shown.contains("changeme") && !shown.contains("ZWxh"),
                "{shown}"
            );
        }
    }
}
