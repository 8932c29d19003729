//! The `Record` envelope: every record kind in one JSON shape, told apart by
//! a `record_type` field, so one JSONL stream or one sink carries them all.

use super::audit::AuditEvent;
use super::dlp_match::DlpMatch;
use super::event::Event;
use super::shadow::{ShadowAiEvent, ShadowAiFinding};
use crate::error::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Any record govstream emits. In JSON the record's own fields sit next to
/// `"record_type"`: `{"record_type":"event","schema_version":1,…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "record_type", rename_all = "snake_case")]
pub enum Record {
    /// A prompt or response evaluation.
    // Boxed: an event is more than twice the size of any other record, and
    // batches hold many records.
    Event(Box<Event>),
    /// One DLP finding of an evaluation.
    DlpMatch(DlpMatch),
    /// One visit to an AI tool.
    ShadowAiEvent(ShadowAiEvent),
    /// The aggregate of visits to one AI tool.
    ShadowAiFinding(ShadowAiFinding),
    /// An audit event from the admin API or the identity provider.
    AuditEvent(AuditEvent),
}

impl Record {
    /// Every `record_type` value, in declaration order.
    pub const KINDS: [&'static str; 5] = [
        "event",
        "dlp_match",
        "shadow_ai_event",
        "shadow_ai_finding",
        "audit_event",
    ];

    /// The `record_type` value (`"event"`, `"dlp_match"`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Event(_) => "event",
            Record::DlpMatch(_) => "dlp_match",
            Record::ShadowAiEvent(_) => "shadow_ai_event",
            Record::ShadowAiFinding(_) => "shadow_ai_finding",
            Record::AuditEvent(_) => "audit_event",
        }
    }

    /// The idempotency key: `event_id`, `match_id` for a DLP match (whose
    /// `event_id` is its parent's), `finding_id` for a finding.
    pub fn event_id(&self) -> &str {
        match self {
            Record::Event(e) => &e.event_id,
            Record::DlpMatch(m) => &m.match_id,
            Record::ShadowAiEvent(e) => &e.event_id,
            Record::ShadowAiFinding(f) => &f.finding_id,
            Record::AuditEvent(e) => &e.event_id,
        }
    }

    /// The W3C trace the record belongs to, when it has one (events and
    /// DLP matches evaluated with a `traceparent`).
    pub fn trace(&self) -> Option<&super::TraceIds> {
        let t = match self {
            Record::Event(e) => &e.trace,
            Record::DlpMatch(m) => &m.trace,
            _ => return None,
        };
        (!t.is_empty()).then_some(t)
    }

    /// The record's `schema_version`.
    pub fn schema_version(&self) -> u32 {
        match self {
            Record::Event(e) => e.schema_version,
            Record::DlpMatch(m) => m.schema_version,
            Record::ShadowAiEvent(e) => e.schema_version,
            Record::ShadowAiFinding(f) => f.schema_version,
            Record::AuditEvent(e) => e.schema_version,
        }
    }

    /// One line of JSON, without the trailing newline. Fails only for a
    /// value JSON cannot hold the same way twice: a non-finite DlpMatch
    /// `confidence` would be written as `null` and never read back, so it is
    /// refused here.
    pub fn to_json_line(&self) -> Result<String> {
        if let Record::DlpMatch(m) = self
            && !m.confidence.is_finite()
        {
            return Err(self.encode_error(format!(
                "confidence must be a finite number, found {}",
                m.confidence
            )));
        }
        serde_json::to_string(self).map_err(|e| self.encode_error(e.to_string()))
    }

    /// Reads one line (or any single JSON document) back. A syntax error is
    /// located by line and column; a record of the wrong shape by its JSON
    /// path (`$.record_type`; `$` for fields inside the record, because the
    /// envelope reads the whole object before it knows the record type and
    /// serde keeps no position from there). The message never repeats a
    /// value from the line (see [`json_input`](crate::json_input)).
    pub fn from_json_line(line: &str) -> Result<Record> {
        let value: serde_json::Value = serde_json::from_str(line).map_err(|e| Error::Input {
            location: format!("line {}, column {}", e.line(), e.column()),
            // serde_json's syntax errors describe the position, not the text.
            message: e.to_string(),
        })?;
        crate::json_input::from_value(value, "$")
    }

    fn encode_error(&self, message: String) -> Error {
        Error::Input {
            location: format!("{} record `{}`", self.kind(), self.event_id()),
            message,
        }
    }
}

impl From<Event> for Record {
    fn from(value: Event) -> Self {
        Record::Event(Box::new(value))
    }
}

impl From<DlpMatch> for Record {
    fn from(value: DlpMatch) -> Self {
        Record::DlpMatch(value)
    }
}

impl From<ShadowAiEvent> for Record {
    fn from(value: ShadowAiEvent) -> Self {
        Record::ShadowAiEvent(value)
    }
}

impl From<ShadowAiFinding> for Record {
    fn from(value: ShadowAiFinding) -> Self {
        Record::ShadowAiFinding(value)
    }
}

impl From<AuditEvent> for Record {
    fn from(value: AuditEvent) -> Self {
        Record::AuditEvent(value)
    }
}
