//! Syslog (RFC 5424) messages, framed for TCP by octet counting (RFC 6587
//! §3.4.1) or by a trailing newline (§3.4.2):
//!
//! `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID param="value" …] MSG`
//!
//! PRI is facility × 8 + severity (local0 = 16 by default); the severity
//! follows the record's grade. MSGID is the record type. The structured
//! data element is `govstream@32473`: 32473 is the enterprise number IANA
//! reserves for documentation (RFC 5612), so an organisation with its own
//! Private Enterprise Number should configure `sd_id`. MSG is the record's
//! JSON line or its CEF line. Syslog has no headers; the transport ignores
//! them.

use super::cef::{CefConfig, CefEncoder};
use super::facts::{self, Grade};
use super::{BatchInfo, Encoder};
use crate::clock;
use crate::error::{Error, Result};
use crate::schema::Record;

/// How messages are delimited on a stream transport.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SyslogFraming {
    /// `LEN SP MSG` (RFC 6587 §3.4.1): safe for any message content.
    #[default]
    OctetCounting,
    /// `MSG LF` (RFC 6587 §3.4.2), for receivers that only split lines.
    /// Messages never contain a raw line break (JSON and CEF escape them,
    /// structured data values replace them), so the framing holds.
    #[serde(rename = "newline", alias = "newline_terminated")]
    NewlineTerminated,
}

/// What MSG carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SyslogMessage {
    /// The record's JSON line.
    #[default]
    Json,
    /// The record's CEF line ("CEF over syslog").
    Cef(CefConfig),
}

/// Settings of a [`SyslogEncoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogConfig {
    /// Facility 0–23; 16 (local0) by default.
    pub facility: u8,
    /// HOSTNAME: the machine govstream runs on; `-` (unknown) when `None`.
    pub hostname: Option<String>,
    /// APP-NAME, at most 48 printable ASCII characters.
    pub app_name: String,
    /// PROCID; `-` when `None`.
    pub procid: Option<String>,
    /// The structured data element's SD-ID (`name@<enterprise number>`).
    pub sd_id: String,
    /// Octet counting or newline framing.
    pub framing: SyslogFraming,
    /// JSON or CEF in MSG.
    pub message: SyslogMessage,
    /// Start MSG with a UTF-8 byte order mark, as RFC 5424 §6.4 asks of
    /// UTF-8 messages. Off by default: many receivers keep the BOM as
    /// content, and JSON parsers reject it.
    pub bom: bool,
}

impl Default for SyslogConfig {
    fn default() -> Self {
        SyslogConfig {
            facility: 16,
            hostname: None,
            app_name: "govstream".into(),
            procid: None,
            sd_id: "govstream@32473".into(),
            framing: SyslogFraming::default(),
            message: SyslogMessage::default(),
            bom: false,
        }
    }
}

/// RFC 5424 messages; header-less.
#[derive(Debug, Clone)]
pub struct SyslogEncoder {
    facility: u8,
    /// `HOSTNAME APP-NAME PROCID`, checked once.
    origin: String,
    sd_id: String,
    framing: SyslogFraming,
    cef: Option<CefEncoder>,
    bom: bool,
}

impl SyslogEncoder {
    /// Checks the header fields against RFC 5424's grammar.
    pub fn new(config: SyslogConfig) -> Result<Self> {
        if config.facility > 23 {
            return Err(config_error("facility", "must be 0 to 23"));
        }
        let hostname = header_field("hostname", config.hostname.as_deref(), 255)?;
        let app_name = header_field("app_name", Some(&config.app_name), 48)?;
        let procid = header_field("procid", config.procid.as_deref(), 128)?;
        let sd_name_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 32
                && s.bytes()
                    .all(|b| (33..=126).contains(&b) && !matches!(b, b'=' | b']' | b'"'))
        };
        if !sd_name_ok(&config.sd_id) {
            return Err(config_error(
                "sd_id",
                "must be 1 to 32 printable ASCII characters without `=`, `]`, `\"` or space",
            ));
        }
        Ok(SyslogEncoder {
            facility: config.facility,
            origin: format!("{hostname} {app_name} {procid}"),
            sd_id: config.sd_id,
            framing: config.framing,
            cef: match config.message {
                SyslogMessage::Json => None,
                SyslogMessage::Cef(c) => Some(CefEncoder::new(c)),
            },
            bom: config.bom,
        })
    }

    /// The message of one record, unframed.
    pub fn message(&self, record: &Record) -> Result<String> {
        let ms = facts::time_ms(record)?;
        let msg = match &self.cef {
            Some(cef) => cef.line(record)?,
            None => record.to_json_line()?,
        };
        let pri = u16::from(self.facility) * 8 + u16::from(severity(Grade::of(record)));
        let mut sd = format!("[{}", self.sd_id);
        for (name, value) in params(record) {
            sd.push_str(&format!(" {name}=\"{}\"", escape_param(&value)));
        }
        sd.push(']');
        let bom = if self.bom { "\u{feff}" } else { "" };
        Ok(format!(
            "<{pri}>1 {} {} {} {sd} {bom}{msg}",
            clock::rfc3339_ms(ms),
            self.origin,
            record.kind()
        ))
    }
}

/// RFC 5424 severity by grade, one step per grade: informational (6) for
/// an allowed prompt or a successful audit event, notice (5), warning (4),
/// error (3), critical (2) for a block or a critical finding.
fn severity(grade: Grade) -> u8 {
    match grade {
        Grade::Informational => 6,
        Grade::Low => 5,
        Grade::Medium => 4,
        Grade::High => 3,
        Grade::Critical => 2,
    }
}

/// A header field: 1..=`max` printable ASCII characters, or `-` for none.
fn header_field(name: &str, value: Option<&str>, max: usize) -> Result<String> {
    match value {
        None => Ok("-".into()),
        Some(v)
            if !v.is_empty() && v.len() <= max && v.bytes().all(|b| (33..=126).contains(&b)) =>
        {
            Ok(v.to_owned())
        }
        Some(_) => Err(config_error(
            name,
            &format!("must be 1 to {max} printable ASCII characters without spaces"),
        )),
    }
}

fn config_error(field: &str, message: &str) -> Error {
    Error::Input {
        location: format!("syslog config `{field}`"),
        message: message.to_owned(),
    }
}

/// The structured data parameters of a record: its id, org and user, then
/// what each kind is filtered by.
fn params(record: &Record) -> Vec<(&'static str, String)> {
    let mut p = vec![("id", record.event_id().to_owned())];
    if let Some(org) = facts::org_id(record) {
        p.push(("org_id", org.to_owned()));
    }
    if let Some(user) = facts::identity(record).user_id {
        p.push(("user_id", user));
    }
    match record {
        Record::Event(e) => {
            p.push(("verdict", e.verdict.as_str().into()));
            p.push(("reason_code", e.reason_code.clone()));
        }
        Record::DlpMatch(m) => {
            p.push(("event_id", m.event_id.clone()));
            p.push(("rule_id", m.rule_id.clone()));
            p.push(("severity", m.severity.as_str().into()));
        }
        Record::ShadowAiEvent(e) => {
            p.push(("hostname", e.hostname.clone()));
            p.push(("classification", e.classification.as_str().into()));
            p.push(("severity", e.severity.as_str().into()));
        }
        Record::ShadowAiFinding(f) => {
            p.push(("hostname", f.hostname.clone()));
            p.push(("status", f.status.as_str().into()));
            p.push(("count", f.count.to_string()));
        }
        Record::AuditEvent(e) => {
            p.push(("event_type", e.event_type.as_str().into()));
            p.push(("outcome", facts::outcome(e).as_str().into()));
        }
    }
    p
}

/// A PARAM-VALUE: `"`, `\` and `]` get a backslash (RFC 5424 §6.3.3).
/// Control characters, which the grammar allows but line-based receivers
/// break on, become spaces.
fn escape_param(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' | '\\' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

impl Encoder for SyslogEncoder {
    fn name(&self) -> &'static str {
        "syslog"
    }

    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(self.message(record)?.as_bytes());
        Ok(())
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        for p in pieces {
            match self.framing {
                SyslogFraming::OctetCounting => {
                    out.extend_from_slice(format!("{} ", p.len()).as_bytes());
                    out.extend_from_slice(p);
                }
                SyslogFraming::NewlineTerminated => {
                    out.extend_from_slice(p);
                    out.push(b'\n');
                }
            }
        }
    }

    fn headers(&self, _body: &[u8], _batch: &BatchInfo) -> Vec<(String, String)> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;

    fn enc(config: SyslogConfig) -> SyslogEncoder {
        SyslogEncoder::new(config).unwrap()
    }

    #[test]
    fn a_message_has_the_rfc_5424_shape() {
        let config = SyslogConfig {
            hostname: Some("gw-1.acme.example".into()),
            procid: Some("4242".into()),
            ..SyslogConfig::default()
        };
        let msg = enc(config).message(&test_records::event()).unwrap();
        // local0 (16) * 8 + critical (2): the event was blocked.
        assert!(
            msg.starts_with(
                "<130>1 2025-02-03T11:22:53.492Z gw-1.acme.example govstream 4242 event \
                 [govstream@32473 id=\"0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57\" org_id=\"org-acme\" \
                 user_id=\"u-1042\" verdict=\"block\" reason_code=\"dlp:secrets.aws_access_key_id\"] \
                 {\"record_type\":\"event\""
            ),
            "{msg}"
        );
        let nil = enc(SyslogConfig::default())
            .message(&test_records::audit(
                crate::schema::ApiEventType::AuthLogout,
            ))
            .unwrap();
        assert!(
            nil.starts_with(
                "<134>1 2025-02-03T11:47:31.250Z - govstream - audit_event [govstream@32473 "
            ),
            "{nil}"
        );
    }

    #[test]
    fn param_values_escape_quote_backslash_and_bracket() {
        assert_eq!(escape_param(r#"a"b"#), r#"a\"b"#);
        assert_eq!(escape_param(r"a\b"), r"a\\b");
        assert_eq!(escape_param("a]b"), r"a\]b");
        assert_eq!(escape_param(r#"\"]"#), r#"\\\"\]"#);
        assert_eq!(escape_param("[=ok"), "[=ok");
        assert_eq!(escape_param("line\nbreak\ttab"), "line break tab");
        assert_eq!(escape_param("ünïcødé 👋"), "ünïcødé 👋");
        let mut r = test_records::event();
        if let Record::Event(e) = &mut r {
            e.reason_code = r#"tool:"x]\y"#.into();
        }
        let msg = enc(SyslogConfig::default()).message(&r).unwrap();
        assert!(msg.contains(r#"reason_code="tool:\"x\]\\y"]"#), "{msg}");
    }

    #[test]
    fn octet_counting_counts_bytes_and_newline_framing_ends_lines() {
        let records = [test_records::event(), test_records::finding()];
        for framing in [
            SyslogFraming::OctetCounting,
            SyslogFraming::NewlineTerminated,
        ] {
            let e = enc(SyslogConfig {
                framing,
                ..SyslogConfig::default()
            });
            let pieces: Vec<Vec<u8>> = records
                .iter()
                .map(|r| {
                    let mut p = Vec::new();
                    e.encode_record(r, &mut p).unwrap();
                    p
                })
                .collect();
            let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
            let mut body = Vec::new();
            e.frame(&refs, &mut body);
            let mut rest = body.as_slice();
            let mut messages = Vec::new();
            while !rest.is_empty() {
                if framing == SyslogFraming::OctetCounting {
                    let sp = rest.iter().position(|b| *b == b' ').unwrap();
                    let len: usize = std::str::from_utf8(&rest[..sp]).unwrap().parse().unwrap();
                    messages.push(&rest[sp + 1..sp + 1 + len]);
                    rest = &rest[sp + 1 + len..];
                } else {
                    let lf = rest.iter().position(|b| *b == b'\n').unwrap();
                    messages.push(&rest[..lf]);
                    rest = &rest[lf + 1..];
                }
            }
            assert_eq!(messages, refs);
        }
        // The summary holds multibyte characters: LEN counts bytes.
        let mut r = test_records::event();
        if let Record::Event(e) = &mut r {
            e.reason_code = "👋".into();
        }
        let e = enc(SyslogConfig::default());
        let mut piece = Vec::new();
        e.encode_record(&r, &mut piece).unwrap();
        let mut body = Vec::new();
        e.frame(&[&piece], &mut body);
        assert!(body.starts_with(format!("{} <", piece.len()).as_bytes()));
        assert!(
            e.headers(
                &body,
                &BatchInfo {
                    batch_id: "b".into(),
                    now_ms: 0
                }
            )
            .is_empty()
        );
    }

    #[test]
    fn cef_and_bom_messages() {
        let e = enc(SyslogConfig {
            message: SyslogMessage::Cef(CefConfig {
                product_version: "1.0".into(),
            }),
            bom: true,
            ..SyslogConfig::default()
        });
        let msg = e.message(&test_records::dlp_match()).unwrap();
        assert!(
            msg.contains("] \u{feff}CEF:0|govstream|govstream|1.0|dlp_match:pii.email|"),
            "{msg}"
        );
        // medium finding: warning (4).
        assert!(msg.starts_with("<132>1 "), "{msg}");
    }

    #[test]
    fn bad_header_fields_are_refused() {
        let bad = [
            SyslogConfig {
                facility: 24,
                ..SyslogConfig::default()
            },
            SyslogConfig {
                hostname: Some("two words".into()),
                ..SyslogConfig::default()
            },
            SyslogConfig {
                hostname: Some(String::new()),
                ..SyslogConfig::default()
            },
            SyslogConfig {
                app_name: "a".repeat(49),
                ..SyslogConfig::default()
            },
            SyslogConfig {
                procid: Some("pïd".into()),
                ..SyslogConfig::default()
            },
            SyslogConfig {
                sd_id: "gov=stream".into(),
                ..SyslogConfig::default()
            },
            SyslogConfig {
                sd_id: "gov]stream".into(),
                ..SyslogConfig::default()
            },
            SyslogConfig {
                sd_id: "x".repeat(33),
                ..SyslogConfig::default()
            },
        ];
        for config in bad {
            assert!(SyslogEncoder::new(config.clone()).is_err(), "{config:?}");
        }
        assert!(
            SyslogEncoder::new(SyslogConfig {
                facility: 23,
                ..SyslogConfig::default()
            })
            .is_ok()
        );
    }
}
