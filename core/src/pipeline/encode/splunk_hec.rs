//! Splunk HTTP Event Collector, `/services/collector/event`: one JSON
//! envelope per record, concatenated in one body (HEC reads a batch as a
//! stream of JSON objects), authorised by `Authorization: Splunk <token>`.
//! The record itself is the envelope's `event`, so searches use the
//! record's own field names (`verdict=block`).

use super::{BatchInfo, Encoder, facts};
use crate::Result;
use crate::schema::Record;
use serde_json::Value;
use std::fmt;

/// HEC's event endpoint.
pub const SPLUNK_HEC_EVENT_PATH: &str = "/services/collector/event";

/// Settings of a [`SplunkHecEncoder`]. `Debug` never shows the token.
#[derive(Clone)]
pub struct SplunkHecConfig {
    /// The HEC token.
    pub token: String,
    /// The envelope's `host` (the machine govstream runs on); omitted when
    /// `None`, and HEC fills in the sender's address.
    pub host: Option<String>,
    /// The envelope's `source`.
    pub source: String,
    /// The envelope's `sourcetype`; `_json` makes Splunk extract every field.
    pub sourcetype: String,
    /// The index; omitted when `None`, and the token's default index is used.
    pub index: Option<String>,
}

impl SplunkHecConfig {
    /// A token with `source` `govstream`, `sourcetype` `_json` and no host
    /// or index.
    pub fn new(token: impl Into<String>) -> Self {
        SplunkHecConfig {
            token: token.into(),
            host: None,
            source: "govstream".into(),
            sourcetype: "_json".into(),
            index: None,
        }
    }
}

impl fmt::Debug for SplunkHecConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SplunkHecConfig")
            .field("token", &"<redacted>")
            .field("host", &self.host)
            .field("source", &self.source)
            .field("sourcetype", &self.sourcetype)
            .field("index", &self.index)
            .finish()
    }
}

/// Per record: `{"time":<epoch seconds>.<ms>,"host"?,"source","sourcetype",
/// "index"?,"event":<record>}` and a newline; the body is the pieces
/// concatenated.
#[derive(Clone)]
pub struct SplunkHecEncoder {
    authorization: String,
    /// Everything between `time` and `event`, serialized once.
    middle: String,
}

impl fmt::Debug for SplunkHecEncoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SplunkHecEncoder")
            .field("authorization", &"<redacted>")
            .field("envelope", &self.middle)
            .finish()
    }
}

impl SplunkHecEncoder {
    /// The encoder for one HEC input.
    pub fn new(config: SplunkHecConfig) -> Self {
        let mut middle = String::new();
        let mut field = |name: &str, value: String| {
            middle.push_str(&format!(",\"{name}\":{}", Value::String(value)));
        };
        if let Some(host) = config.host {
            field("host", host);
        }
        field("source", config.source);
        field("sourcetype", config.sourcetype);
        if let Some(index) = config.index {
            field("index", index);
        }
        SplunkHecEncoder {
            authorization: format!("Splunk {}", config.token),
            middle,
        }
    }
}

/// Epoch seconds with exactly three decimals, written by hand so the value
/// is exact rather than the nearest double.
fn epoch_seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    format!("{sign}{}.{:03}", abs / 1000, abs % 1000)
}

impl Encoder for SplunkHecEncoder {
    fn name(&self) -> &'static str {
        "splunk-hec"
    }

    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        let event = record.to_json_line()?;
        let time = epoch_seconds(facts::time_ms(record)?);
        out.extend_from_slice(format!("{{\"time\":{time}{}", self.middle).as_bytes());
        out.extend_from_slice(b",\"event\":");
        out.extend_from_slice(event.as_bytes());
        out.extend_from_slice(b"}\n");
        Ok(())
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        for p in pieces {
            out.extend_from_slice(p);
        }
    }

    fn headers(&self, _body: &[u8], _batch: &BatchInfo) -> Vec<(String, String)> {
        vec![
            ("content-type".into(), "application/json".into()),
            ("authorization".into(), self.authorization.clone()),
        ]
    }

    // HEC decompresses `Content-Encoding: gzip` request bodies.
    fn accepts_gzip(&self) -> bool {
        true
    }

    fn default_path(&self) -> Option<&'static str> {
        Some(SPLUNK_HEC_EVENT_PATH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;

    fn encode(enc: &SplunkHecEncoder, r: &Record) -> String {
        let mut out = Vec::new();
        enc.encode_record(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn envelope_has_time_metadata_and_the_record() {
        let mut config = SplunkHecConfig::new("tok-123");
        config.host = Some("gw-1".into());
        config.index = Some("ai_governance".into());
        let enc = SplunkHecEncoder::new(config);
        let line = encode(&enc, &test_records::event());
        assert!(line.starts_with(
            r#"{"time":1738581773.492,"host":"gw-1","source":"govstream","sourcetype":"_json","index":"ai_governance","event":{"record_type":"event""#
        ), "{line}");
        assert!(line.ends_with("}}\n"));
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["event"]["verdict"], "block");
    }

    #[test]
    fn optional_fields_are_omitted_and_finding_times_use_last_seen() {
        let enc = SplunkHecEncoder::new(SplunkHecConfig::new("t"));
        let line = encode(&enc, &test_records::finding());
        assert!(
            line.starts_with(
                r#"{"time":1738582802.118,"source":"govstream","sourcetype":"_json","event":"#
            ),
            "{line}"
        );
    }

    #[test]
    fn epoch_seconds_are_exact() {
        assert_eq!(epoch_seconds(1_738_581_773_492), "1738581773.492");
        assert_eq!(epoch_seconds(5), "0.005");
        assert_eq!(epoch_seconds(-1), "-0.001");
    }

    #[test]
    fn an_unreadable_time_fails_the_record() {
        let mut r = test_records::audit(crate::schema::ApiEventType::AuthLogout);
        if let Record::AuditEvent(e) = &mut r {
            e.date_time = "yesterday".into();
        }
        let enc = SplunkHecEncoder::new(SplunkHecConfig::new("t"));
        let err = enc.encode_record(&r, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("`yesterday`"), "{err}");
    }

    #[test]
    fn the_token_is_sent_but_never_printed() {
        let config = SplunkHecConfig::new("s3cr3t-token");
        let enc = SplunkHecEncoder::new(config.clone());
        let batch = BatchInfo {
            batch_id: "b".into(),
            now_ms: 0,
        };
        assert!(
            enc.headers(b"", &batch)
                .contains(&("authorization".into(), "Splunk s3cr3t-token".into()))
        );
        for shown in [format!("{config:?}"), format!("{enc:?}")] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
        assert_eq!(enc.default_path(), Some("/services/collector/event"));
    }
}
