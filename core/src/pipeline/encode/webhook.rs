//! A generic JSON webhook, signed the Standard Webhooks way
//! (<https://www.standardwebhooks.com>), so any receiver with one of that
//! specification's libraries can verify it.
//!
//! Headers: `webhook-id` (the batch id: retries of one batch share it, so a
//! receiver can deduplicate), `webhook-timestamp` (seconds, at each send) and
//! `webhook-signature`: `v1,` + base64 of HMAC-SHA256 over
//! `{id}.{timestamp}.{body}`, one entry per secret, space-separated, so a
//! secret can be rotated without a gap.

use super::{BatchInfo, Encoder, facts};
use crate::base64;
use crate::clock;
use crate::error::{Error, Result};
use crate::schema::Record;
use std::fmt;

/// The `type` of every payload unless configured otherwise.
pub const DEFAULT_WEBHOOK_EVENT_TYPE: &str = "govstream.records";

/// Settings of a [`WebhookEncoder`]. `Debug` never shows the secrets.
#[derive(Clone)]
pub struct WebhookConfig {
    /// Signing secrets, newest first; at least one. `whsec_<base64>` (the
    /// Standard Webhooks form) is base64-decoded; any other string is used
    /// as raw bytes.
    pub secrets: Vec<String>,
    /// The payload's `type`.
    pub event_type: String,
}

impl WebhookConfig {
    /// One secret and the default payload type.
    pub fn new(secret: impl Into<String>) -> Self {
        WebhookConfig {
            secrets: vec![secret.into()],
            event_type: DEFAULT_WEBHOOK_EVENT_TYPE.to_owned(),
        }
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field(
                "secrets",
                &format_args!("<redacted> ({})", self.secrets.len()),
            )
            .field("event_type", &self.event_type)
            .finish()
    }
}

/// Body `{"type":"govstream.records","timestamp":"<RFC 3339>","data":[…]}`
/// with the records as JSON in `data`. `timestamp` is the time of the newest
/// record in the batch (the specification's "when the event occurred"), so
/// a retried body is byte-identical; it is left out when no record's time
/// can be read.
#[derive(Clone)]
pub struct WebhookEncoder {
    keys: Vec<Vec<u8>>,
    prefix: Vec<u8>,
}

impl fmt::Debug for WebhookEncoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEncoder")
            .field("keys", &format_args!("<redacted> ({})", self.keys.len()))
            .finish_non_exhaustive()
    }
}

impl WebhookEncoder {
    /// Checks and decodes the secrets.
    pub fn new(config: WebhookConfig) -> Result<Self> {
        if config.secrets.is_empty() {
            return Err(config_error("$.secrets", "at least one secret is needed"));
        }
        let mut keys = Vec::with_capacity(config.secrets.len());
        for (i, s) in config.secrets.iter().enumerate() {
            let key = match s.strip_prefix("whsec_") {
                Some(b64) => base64::decode(b64).ok_or_else(|| {
                    config_error(
                        &format!("$.secrets[{i}]"),
                        "`whsec_` must be followed by base64",
                    )
                })?,
                None => s.as_bytes().to_vec(),
            };
            if key.is_empty() {
                return Err(config_error(&format!("$.secrets[{i}]"), "is empty"));
            }
            keys.push(key);
        }
        let prefix = format!(
            r#"{{"type":{},"#,
            serde_json::Value::String(config.event_type)
        );
        Ok(WebhookEncoder {
            keys,
            prefix: prefix.into_bytes(),
        })
    }

    /// The `webhook-signature` value for a message.
    fn signature(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut entries = Vec::with_capacity(self.keys.len());
        let timestamp = timestamp.to_string();
        for key in &self.keys {
            let sig = crate::base64::standard_webhook_signature(key, id, &timestamp, body);
            entries.push(format!("v1,{sig}"));
        }
        entries.join(" ")
    }
}

fn config_error(path: &str, message: &str) -> Error {
    Error::Input {
        location: format!("webhook config {path}"),
        message: message.to_owned(),
    }
}

/// The time of the newest record among the pieces, read back from their
/// JSON because `frame` sees bytes, not records.
fn newest_time(pieces: &[&[u8]]) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Times {
        timestamp: Option<String>,
        last_seen: Option<String>,
        date_time: Option<String>,
    }
    pieces
        .iter()
        .filter_map(|p| serde_json::from_slice::<Times>(p).ok())
        .filter_map(|t| {
            t.timestamp
                .or(t.last_seen)
                .or(t.date_time)
                .and_then(|s| facts::parse_ms(&s))
        })
        .max()
}

impl Encoder for WebhookEncoder {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(record.to_json_line()?.as_bytes());
        Ok(())
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        out.extend_from_slice(&self.prefix);
        if let Some(ms) = newest_time(pieces) {
            out.extend_from_slice(
                format!(r#""timestamp":"{}","#, clock::rfc3339_ms(ms)).as_bytes(),
            );
        }
        out.extend_from_slice(br#""data":["#);
        facts::join_json(pieces, out);
        out.extend_from_slice(b"]}");
    }

    fn headers(&self, body: &[u8], batch: &BatchInfo) -> Vec<(String, String)> {
        let timestamp = batch.now_ms.div_euclid(1000);
        vec![
            ("content-type".into(), "application/json".into()),
            ("webhook-id".into(), batch.batch_id.clone()),
            ("webhook-timestamp".into(), timestamp.to_string()),
            (
                "webhook-signature".into(),
                self.signature(&batch.batch_id, timestamp, body),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;

    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap()
    }

    /// The test vector the Standard Webhooks reference libraries share
    /// (message `msg_p5jXN8AQM9LWM0D4loKWxJek`, timestamp 1614265330, body
    /// `{"test": 2432232314}`); also re-derived with Python's `hmac` module.
    #[test]
    fn signs_the_standard_webhooks_test_vector() {
        let enc = WebhookEncoder::new(WebhookConfig::new(SPEC_SECRET)).unwrap();
        let batch = BatchInfo {
            batch_id: "msg_p5jXN8AQM9LWM0D4loKWxJek".into(),
            now_ms: 1_614_265_330_999,
        };
        let headers = enc.headers(br#"{"test": 2432232314}"#, &batch);
        assert_eq!(header(&headers, "webhook-timestamp"), "1614265330");
        assert_eq!(
            header(&headers, "webhook-signature"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_eq!(header(&headers, "webhook-id"), batch.batch_id);
    }

    #[test]
    fn every_secret_signs_for_rotation_and_raw_secrets_work() {
        let mut config = WebhookConfig::new(SPEC_SECRET);
        config.secrets.push("plain-old-secret".into());
        let enc = WebhookEncoder::new(config).unwrap();
        let batch = BatchInfo {
            batch_id: "b".into(),
            now_ms: 0,
        };
        let sig = enc.signature("b", 0, b"{}");
        let entries: Vec<&str> = sig.split(' ').collect();
        assert_eq!(entries.len(), 2);
        let raw = WebhookEncoder::new(WebhookConfig::new("plain-old-secret")).unwrap();
        assert_eq!(entries[1], raw.signature("b", 0, b"{}"));
        assert_eq!(
            header(&enc.headers(b"{}", &batch), "webhook-signature"),
            sig
        );
    }

    #[test]
    fn bad_secrets_are_refused_and_never_printed() {
        assert!(WebhookEncoder::new(WebhookConfig::new("whsec_not*base64")).is_err());
        assert!(WebhookEncoder::new(WebhookConfig::new("")).is_err());
        let mut none = WebhookConfig::new("x");
        none.secrets.clear();
        assert!(WebhookEncoder::new(none).is_err());
        let config = WebhookConfig::new("hunter2-hunter2");
        let enc = WebhookEncoder::new(config.clone()).unwrap();
        for shown in [format!("{config:?}"), format!("{enc:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
    }

    #[test]
    fn body_carries_the_newest_record_time_and_the_records() {
        let enc = WebhookEncoder::new(WebhookConfig::new(SPEC_SECRET)).unwrap();
        let records = test_records::all();
        let pieces: Vec<Vec<u8>> = records
            .iter()
            .map(|r| {
                let mut p = Vec::new();
                enc.encode_record(r, &mut p).unwrap();
                p
            })
            .collect();
        let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        let mut body = Vec::new();
        enc.frame(&refs, &mut body);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["type"], "govstream.records");
        // The audit event (11:47:31.250) is the newest of the five.
        assert_eq!(v["timestamp"], "2025-02-03T11:47:31.250Z");
        let back: Vec<Record> = serde_json::from_value(v["data"].clone()).unwrap();
        assert_eq!(back, records);

        let mut empty = Vec::new();
        enc.frame(&[], &mut empty);
        assert_eq!(empty, br#"{"type":"govstream.records","data":[]}"#);
    }
}
