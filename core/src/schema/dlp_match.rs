//! The `DlpMatch` record: one finding, linked to its `Event`.

use super::common::{Category, Phase, Severity, TextSpan, TraceIds, Verdict};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One DLP finding, stored separately from its event and linked by `event_id`.
/// Never carries the matched value below the `full` logging level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DlpMatch {
    /// Version of this record's JSON shape.
    pub schema_version: u32,
    /// Unique id of this match record.
    pub match_id: String,
    /// The event it belongs to.
    pub event_id: String,
    /// RFC 3339 UTC with milliseconds (the event's).
    pub timestamp: String,
    /// The org.
    pub org_id: String,
    /// Prompt or response.
    pub phase: Phase,
    /// The rule that matched.
    pub rule_id: String,
    /// Its human-readable name.
    pub rule_name: String,
    /// Its category.
    pub category: Category,
    /// Its severity (after policy overrides).
    pub severity: Severity,
    /// 0.0–1.0.
    pub confidence: f64,
    /// Where the value is in the evaluated text, in all three units.
    pub span: TextSpan,
    /// Redacted context around the value (absent at the `metadata` level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
    /// HMAC-SHA256 of `rule_id` and the value under the org key, hex; equal
    /// values give equal fingerprints within one org.
    pub fingerprint: String,
    /// The W3C trace of its event (`trace_id`, `span_id`, `trace_flags`).
    #[serde(flatten)]
    pub trace: TraceIds,
    /// The policy's verdict for this match in its phase (with `monitor`,
    /// the verdict it would give). Absent in records written before it was
    /// added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Verdict>,
    /// Monitor mode: `action` was recorded, not enforced.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub monitor: bool,
    /// The event's `request_id`, so a match can be traced to its request
    /// (and the CLI's input line) without a join.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A window of at most 256 characters around a match, with every value in it
/// redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Snippet {
    /// The window's text, at most 256 characters.
    pub text: String,
    /// Code-point offset in the evaluated text where the window starts.
    pub offset: usize,
    /// Code-point offset in the evaluated text where the window ends.
    pub end: usize,
    /// Code-point offset within `text` where the (redacted) value starts.
    pub match_start: usize,
    /// Code-point offset within `text` where the (redacted) value ends.
    pub match_end: usize,
}
