//! Small enums shared by every record: severity, verdict, phase, category.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The version of the JSON shape of every record this crate emits.
///
/// Version 2 added optional fields only (an event's quality scores, rewrite,
/// safety settings and response, output preview and `prompt_redacted`; a
/// shadow-AI event's `source_system` and `category`, a finding's
/// `category`): a version 1 record reads as a version 2 record without
/// them, and a version 1 reader ignores them. `docs/schema.md` keeps the
/// history.
pub const SCHEMA_VERSION: u32 = 2;

/// The oldest `schema_version` this crate reads: every version from here to
/// [`SCHEMA_VERSION`] has the same required fields.
pub const MIN_SCHEMA_VERSION: u32 = 1;

/// How bad a finding is. Ordered: `Low < Medium < High < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth counting, rarely worth acting on (an IP address).
    Low,
    /// Personal data or weak secrets (an email address).
    Medium,
    /// Regulated personal data or credentials (an SSN, a JWT).
    High,
    /// Live credentials or keys that grant access (an AWS secret key).
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The wire name (`"low"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy decision, on the lattice `allow < warn < redact < escalate < block`:
/// combining two verdicts takes the greater.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Let it through unchanged.
    #[default]
    Allow,
    /// Let it through and tell the user.
    Warn,
    /// Let it through with the findings rewritten.
    Redact,
    /// Hold it for a human decision.
    Escalate,
    /// Stop it.
    Block,
}

impl Verdict {
    /// Every verdict, weakest first.
    pub const ALL: [Verdict; 5] = [
        Verdict::Allow,
        Verdict::Warn,
        Verdict::Redact,
        Verdict::Escalate,
        Verdict::Block,
    ];

    /// The wire name (`"allow"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Warn => "warn",
            Verdict::Redact => "redact",
            Verdict::Escalate => "escalate",
            Verdict::Block => "block",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The `event_type` an event with this verdict carries.
    pub fn event_type(self) -> EventType {
        match self {
            Verdict::Allow => EventType::Request,
            Verdict::Warn => EventType::Warned,
            Verdict::Redact => EventType::Redacted,
            Verdict::Escalate => EventType::Escalated,
            Verdict::Block => EventType::Blocked,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `event_type` of an [`Event`](crate::schema::Event), derived from its verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// Allowed.
    Request,
    /// Allowed with a warning.
    Warned,
    /// Rewritten.
    Redacted,
    /// Held for review.
    Escalated,
    /// Stopped.
    Blocked,
}

/// Which side of an AI interaction a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// What the user sends to the model.
    #[default]
    Prompt,
    /// What the model sends back.
    Response,
}

impl Phase {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Prompt => "prompt",
            Phase::Response => "response",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "prompt" => Some(Phase::Prompt),
            "response" => Some(Phase::Response),
            _ => None,
        }
    }
}

/// What kind of data a DLP rule finds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Credentials, tokens and keys.
    Secret,
    /// Personal data.
    Pii,
    /// Payment and banking data.
    Financial,
    /// Anything an org defines for itself.
    Custom,
}

impl Category {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Secret => "secret",
            Category::Pii => "pii",
            Category::Financial => "financial",
            Category::Custom => "custom",
        }
    }
}

/// How much of a record's content is kept before it leaves the evaluator.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LoggingLevel {
    /// Nothing is emitted.
    Off,
    /// No content at all: counts, rule ids, hashes.
    Metadata,
    /// Redacted summaries and snippets of at most 256 characters.
    #[default]
    Redacted,
    /// Raw content, still truncated to 256 characters.
    Full,
}

/// A span of text in all three units the bindings need. `start` is inclusive,
/// `end` exclusive; `start`/`end` count Unicode code points (Python `str`
/// indices), `utf16_*` count UTF-16 code units (JavaScript, Swift `NSString`,
/// Kotlin), `byte_*` count UTF-8 bytes (Rust).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub struct TextSpan {
    /// First code point of the span.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// First UTF-8 byte.
    pub byte_start: usize,
    /// One past the last UTF-8 byte.
    pub byte_end: usize,
    /// First UTF-16 code unit.
    pub utf16_start: usize,
    /// One past the last UTF-16 code unit.
    pub utf16_end: usize,
}

/// The W3C trace an evaluation happened in, from the `traceparent` the host
/// passed in its context (see [`crate::trace`]): a SIEM joins records to the
/// traces in the customer's collector by these ids. All absent when the host
/// passed none, or one that did not parse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TraceIds {
    /// The trace id: 32 lowercase hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The span the evaluation ran in (the `traceparent`'s parent id): 16
    /// lowercase hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span_id: Option<String>,
    /// The W3C trace flags, 0 to 255 (bit 0: sampled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_flags: Option<u8>,
}

impl TraceIds {
    /// The ids of a parsed `traceparent`.
    pub fn from_parent(parent: &crate::trace::TraceParent) -> Self {
        TraceIds {
            trace_id: Some(parent.trace_id.clone()),
            span_id: Some(parent.span_id.clone()),
            trace_flags: Some(parent.flags),
        }
    }

    /// True when no trace is known.
    pub fn is_empty(&self) -> bool {
        self.trace_id.is_none() && self.span_id.is_none() && self.trace_flags.is_none()
    }
}
