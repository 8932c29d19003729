//! ArcSight Common Event Format, one line per record:
//! `CEF:0|govstream|govstream|<version>|<signature id>|<name>|<severity>|<extension>`.
//!
//! Escaping follows "Implementing ArcSight Common Event Format (CEF)",
//! version 23: in the header `\` and `|` are escaped with a backslash; in
//! extension values `\` and `=` are, and line breaks become `\n` / `\r`.
//! The header cannot carry line breaks at all, so there they become spaces.
//! Lines end in `\n`; [`SyslogEncoder`](super::SyslogEncoder) can carry the
//! same line as its message. The key mapping is in `docs/sinks.md`.

use super::facts::{self, Grade};
use super::{BatchInfo, Encoder};
use crate::Result;
use crate::schema::{ApiEventType, Record};
use serde_json::Value;

/// Settings of a [`CefEncoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CefConfig {
    /// The header's Device Version; defaults to this crate's version.
    pub product_version: String,
}

impl Default for CefConfig {
    fn default() -> Self {
        CefConfig {
            product_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// CEF lines, newline-framed.
#[derive(Debug, Clone)]
pub struct CefEncoder {
    prefix: String,
}

impl CefEncoder {
    /// The encoder.
    pub fn new(config: CefConfig) -> Self {
        CefEncoder {
            prefix: format!(
                "CEF:0|govstream|govstream|{}|",
                escape_header(&config.product_version)
            ),
        }
    }

    /// The CEF line of one record, without a line break.
    pub fn line(&self, record: &Record) -> Result<String> {
        facts::ensure_encodable(record)?;
        let ms = facts::time_ms(record)?;
        let mut ext = Extension::default();
        ext.add("rt", ms.to_string());
        ext.add("externalId", record.event_id());
        ext.add("cat", record.kind());
        let who = facts::identity(record);
        ext.add_opt("suid", who.user_id.as_deref());
        ext.add_opt("suser", who.user_email.as_deref());
        ext.custom("cs1", "orgId", facts::org_id(record));
        ext.add_opt("dhost", facts::hostname(record));
        let signature = match record {
            Record::Event(e) => {
                ext.add("act", e.verdict.as_str());
                ext.add("reason", &e.reason_code);
                let summary = e.prompt_summary.as_ref().or(e.response_summary.as_ref());
                ext.add_opt("msg", summary.map(|s| s.text.as_str()));
                ext.custom("cs2", "aiTool", e.tool.tool.as_deref());
                ext.custom("cs3", "aiModel", e.tool.model.as_deref());
                ext.custom("cs4", "aiProvider", e.tool.provider.as_deref());
                ext.custom("cs6", "requestId", e.request_id.as_deref());
                let total = e.dlp.total_matches.to_string();
                ext.custom("cn1", "dlpMatches", Some(total.as_str()));
                let tokens = e.tokens.unwrap_or_default();
                let input = tokens.input.map(|n| n.to_string());
                let output = tokens.output.map(|n| n.to_string());
                ext.custom("cn2", "inputTokens", input.as_deref());
                ext.custom("cn3", "outputTokens", output.as_deref());
                format!("event:{}", super::ecs::event_type_name(e.event_type))
            }
            Record::DlpMatch(m) => {
                ext.add_opt("msg", m.snippet.as_ref().map(|s| s.text.as_str()));
                ext.custom("cs4", "ruleId", Some(&m.rule_id));
                ext.custom("cs5", "dlpCategory", Some(m.category.as_str()));
                ext.custom("cs6", "eventId", Some(&m.event_id));
                let confidence = m.confidence.to_string();
                ext.custom("cfp1", "confidence", Some(confidence.as_str()));
                format!("dlp_match:{}", m.rule_id)
            }
            Record::ShadowAiEvent(e) => {
                ext.add("request", &e.url);
                ext.add_opt("requestClientApplication", e.browser.as_deref());
                ext.custom("cs2", "aiTool", e.tool.as_deref());
                ext.custom("cs5", "classification", Some(e.classification.as_str()));
                format!("shadow_ai_event:{}", e.classification.as_str())
            }
            Record::ShadowAiFinding(f) => {
                ext.add("cnt", f.count.to_string());
                if let Some(start) = facts::parse_ms(&f.first_seen) {
                    ext.add("start", start.to_string());
                }
                ext.add("end", ms.to_string());
                ext.custom("cs2", "aiTool", f.tool.as_deref());
                ext.custom("cs5", "findingStatus", Some(f.status.as_str()));
                let users = f.distinct_users.to_string();
                ext.custom("cn1", "distinctUsers", Some(users.as_str()));
                format!("shadow_ai_finding:{}", f.status.as_str())
            }
            Record::AuditEvent(e) => {
                ext.add("act", e.event_type.as_str());
                ext.add("outcome", facts::outcome(e).as_str());
                if matches!(
                    e.event_type,
                    ApiEventType::AdminRoleAssignment | ApiEventType::AdminRoleRemoval
                ) {
                    let target = |k: &str| e.event_metadata.get(k).and_then(Value::as_str);
                    ext.add_opt("duid", target("user_id"));
                    ext.add_opt("duser", target("user_email"));
                }
                ext.custom("cs6", "requestId", Some(&e.request_id));
                format!("audit_event:{}", e.event_type.as_str())
            }
        };
        let severity = match Grade::of(record) {
            Grade::Informational => 1,
            Grade::Low => 3,
            Grade::Medium => 5,
            Grade::High => 8,
            Grade::Critical => 10,
        };
        Ok(format!(
            "{}{}|{}|{severity}|{}",
            self.prefix,
            escape_header(&signature),
            escape_header(&facts::title(record)),
            ext.text
        ))
    }
}

/// `key=value` pairs, space-separated, values escaped.
#[derive(Default)]
struct Extension {
    text: String,
}

impl Extension {
    fn add(&mut self, key: &str, value: impl AsRef<str>) {
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(key);
        self.text.push('=');
        self.text.push_str(&escape_value(value.as_ref()));
    }

    fn add_opt(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.add(key, v);
        }
    }

    /// A custom field and its label (`cs1Label=orgId cs1=org-acme`).
    fn custom(&mut self, key: &str, label: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.add(&format!("{key}Label"), label);
            self.add(key, v);
        }
    }
}

fn escape_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn escape_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '=' => out.push_str("\\="),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

impl Encoder for CefEncoder {
    fn name(&self) -> &'static str {
        "cef"
    }

    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(self.line(record)?.as_bytes());
        out.push(b'\n');
        Ok(())
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        for p in pieces {
            out.extend_from_slice(p);
        }
    }

    fn headers(&self, _body: &[u8], _batch: &BatchInfo) -> Vec<(String, String)> {
        vec![("content-type".into(), "text/plain; charset=utf-8".into())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;

    fn enc() -> CefEncoder {
        CefEncoder::new(CefConfig {
            product_version: "1.0".into(),
        })
    }

    #[test]
    fn an_event_line_has_header_and_standard_keys() {
        let line = enc().line(&test_records::event()).unwrap();
        assert_eq!(
            line,
            "CEF:0|govstream|govstream|1.0|event:blocked|Prompt blocked|10|rt=1738581773492 \
             externalId=0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57 cat=event suid=u-1042 \
             suser=lee@acme.example cs1Label=orgId cs1=org-acme dhost=chatgpt.com act=block \
             reason=dlp:secrets.aws_access_key_id \
             msg=deploy with [REDACTED:secrets.aws_access_key_id] \"now\" cs2Label=aiTool \
             cs2=ChatGPT cs3Label=aiModel cs3=gpt-4o cs4Label=aiProvider cs4=openai \
             cs6Label=requestId cs6=req-8c1d cn1Label=dlpMatches cn1=1 \
             cn2Label=inputTokens cn2=17"
        );
    }

    #[test]
    fn header_fields_escape_pipes_and_backslashes() {
        assert_eq!(escape_header(r"a|b\c"), r"a\|b\\c");
        assert_eq!(escape_header("two\nlines\r"), "two lines ");
        let mut r = test_records::dlp_match();
        if let Record::DlpMatch(m) = &mut r {
            m.rule_name = r"Pipe | and \ rule".into();
            m.rule_id = "acme.a|b".into();
        }
        let line = enc().line(&r).unwrap();
        assert!(
            line.starts_with(
                r"CEF:0|govstream|govstream|1.0|dlp_match:acme.a\|b|Pipe \| and \\ rule|5|"
            ),
            "{line}"
        );
        // Unescaped, the header splits into exactly eight fields.
        let fields = split_unescaped(&line, '|');
        assert_eq!(fields.len(), 8, "{fields:?}");
    }

    #[test]
    fn extension_values_escape_equals_backslashes_and_line_breaks() {
        assert_eq!(escape_value("a=b"), r"a\=b");
        assert_eq!(escape_value(r"c:\dir"), r"c:\\dir");
        assert_eq!(escape_value("one\ntwo\r\n"), r"one\ntwo\r\n");
        assert_eq!(escape_value("pipes|stay"), "pipes|stay");
        let mut r = test_records::event();
        if let Record::Event(e) = &mut r {
            e.reason_code = "x=y\\z\nw".into();
        }
        let line = enc().line(&r).unwrap();
        assert!(line.contains(r"reason=x\=y\\z\nw msg="), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn every_kind_encodes_with_its_signature_and_severity() {
        let lines: Vec<String> = test_records::all()
            .iter()
            .map(|r| enc().line(r).unwrap())
            .collect();
        let head = |l: &str| split_unescaped(l, '|')[4..7].join("|");
        assert_eq!(head(&lines[1]), "dlp_match:pii.email|Email address|5");
        assert_eq!(
            head(&lines[2]),
            "shadow_ai_event:unapproved|Unapproved AI tool visited: DeepSeek|8"
        );
        assert_eq!(
            head(&lines[3]),
            "shadow_ai_finding:open|Shadow AI finding: chat.deepseek.com|8"
        );
        assert_eq!(
            head(&lines[4]),
            "audit_event:Admin:RoleAssignment|IAM Role Assignment|1"
        );
        assert!(lines[1].contains("cfp1Label=confidence cfp1=0.9"));
        assert!(lines[3].contains("cnt=37 start=1738055564010 end=1738582802118"));
        assert!(lines[4].contains(
            "act=Admin:RoleAssignment outcome=success duid=u-1042 duser=lee@acme.example"
        ));
    }

    /// Splits on `sep` where it is not escaped.
    fn split_unescaped(s: &str, sep: char) -> Vec<String> {
        let mut fields = vec![String::new()];
        let mut escaped = false;
        for c in s.chars() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == sep && fields.len() < 8 {
                fields.push(String::new());
                continue;
            }
            if let Some(last) = fields.last_mut() {
                last.push(c);
            }
        }
        fields
    }
}
