//! The `Event` record: one prompt or response evaluation.

use super::common::{EventType, Phase, Severity, TextSpan, TraceIds, Verdict};
use super::details::{QualityScores, Rewrite};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One evaluation of a prompt or a response, shaped by the org's logging
/// level. Its [`DlpMatch`](super::DlpMatch) records are stored separately and
/// linked by `event_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// Version of this record's JSON shape.
    pub schema_version: u32,
    /// UUIDv7; the idempotency key downstream.
    pub event_id: String,
    /// RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// The org whose policy decided.
    pub org_id: String,
    /// Who sent the prompt.
    #[serde(flatten)]
    pub identity: Identity,
    /// Which client or gateway evaluated it.
    #[serde(flatten)]
    pub client: ClientContext,
    /// Which AI tool it was for.
    #[serde(flatten)]
    pub tool: ToolContext,
    /// Prompt or response.
    pub phase: Phase,
    /// The decision.
    pub verdict: Verdict,
    /// `request`, `warned`, `redacted`, `escalated` or `blocked`.
    pub event_type: EventType,
    /// Machine-readable reason for the verdict (`dlp:secrets.aws_access_key_id`,
    /// `tool:blocked`, `tool:unknown`, `none`).
    pub reason_code: String,
    /// Monitor mode: the verdict had the monitored rules (or the monitored
    /// policy) been enforced, when stronger than `verdict`; `verdict` is
    /// what was enforced. Absent when monitor mode changed nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_verdict: Option<Verdict>,
    /// The reason code of `would_verdict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_reason_code: Option<String>,
    /// Every policy that produced a result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_results: Vec<PolicyResult>,
    /// Summary of the prompt (phase `prompt`), absent below the `redacted` level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_summary: Option<Summary>,
    /// Summary of the response (phase `response`), absent below `redacted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_summary: Option<Summary>,
    /// Phase `response`: the response with every matched value rewritten,
    /// at most 256 code points, cut on a grapheme boundary — redacted even
    /// at the `full` level. Absent below `redacted`, for prompts, and when
    /// nothing readable is left (an empty or blank response).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_preview: Option<String>,
    /// Keyed hash (HMAC-SHA256 with the org key, hex) of the raw text.
    pub prompt_hash: String,
    /// Phase `prompt`: the prompt forwarded was a rewrite of it (see
    /// `rewrite`). Omitted when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prompt_redacted: bool,
    /// The DLP outcome in numbers.
    pub dlp: DlpSummary,
    /// What was (or would be) rewritten.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redactions: Vec<Redaction>,
    /// What the rewrite of the forwarded text changed, when the verdict is
    /// `redact` and the text was rewritten.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<Rewrite>,
    /// Token usage when the host knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenUsage>,
    /// Quality scores the host supplied, each from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_scores: Option<QualityScores>,
    /// Free-form host metadata.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The safety settings the request gave the model provider (Gemini's
    /// `safetySettings`, a gateway's guardrail configuration), as the host
    /// passed them: any JSON, scrubbed like `metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_settings: Option<serde_json::Value>,
    /// The provider's safety verdict on the interaction (Gemini's
    /// `safetyRatings`, Azure OpenAI's `content_filter_results`), as the
    /// host passed it: any JSON, scrubbed like `metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_response: Option<serde_json::Value>,
    /// The policy configuration that decided.
    pub config: ConfigRef,
    /// True when the evaluation was incomplete (for example the scan was
    /// truncated at the configured maximum length).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub degraded: bool,
    /// Host request id (the CLI puts an input line's `id` here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Host session id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Host conversation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The W3C trace the evaluation ran in: `trace_id`, `span_id`,
    /// `trace_flags`.
    #[serde(flatten)]
    pub trace: TraceIds,
    /// The host's W3C `tracestate`, when well formed (vendor data that
    /// travels with the trace; scrubbed like every context string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_state: Option<String>,
}

/// Who acted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Identity {
    /// The host's user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's email address (identity, not content: kept at every level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_email: Option<String>,
    /// The identity provider's user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_user_id: Option<String>,
}

/// Which client evaluated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClientContext {
    /// Client kind (`extension`, `gateway`, `sdk`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// Client version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_version: Option<String>,
    /// Browser extension id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_id: Option<String>,
    /// Gateway id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<String>,
    /// Endpoint (device or instance) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
}

/// Which AI tool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolContext {
    /// Model provider (`openai`, `anthropic`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Tool name (`ChatGPT`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Model id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Gateway route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Hostname of the tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// One policy's result in an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyResult {
    /// What decided: a rule id (`secrets.github_pat`) or `ai_tools`.
    pub policy: String,
    /// `dlp` or `tool`.
    pub kind: String,
    /// The phase evaluated.
    pub phase: Phase,
    /// This policy's verdict (with `monitor`, the verdict it would give).
    pub verdict: Verdict,
    /// Why, in words (never containing a matched value).
    pub reason: String,
    /// Monitor mode: `verdict` was recorded, not enforced.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub monitor: bool,
}

/// A bounded summary of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// At most 256 characters.
    pub text: String,
    /// True when `text` was cut.
    pub truncated: bool,
    /// Length of the original text in code points.
    pub original_length: usize,
}

/// The DLP outcome of one evaluation in numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DlpSummary {
    /// At least one match.
    pub is_dlp_event: bool,
    /// The verdict is `block` because of a DLP match.
    pub blocked_by_dlp: bool,
    /// Highest severity among matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_severity: Option<Severity>,
    /// Matches of severity high or critical.
    pub high_or_above: usize,
    /// Matches of severity critical.
    pub critical: usize,
    /// All matches.
    pub total_matches: usize,
    /// Matches counted in `total_matches` but not recorded as `DlpMatch`
    /// records, past the policy's `limits.max_matches`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub omitted_matches: usize,
    /// True when the text was longer than the scan limit and only a prefix
    /// was scanned.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scan_truncated: bool,
    /// Code points scanned, when `scan_truncated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_length: Option<usize>,
}

/// One rewrite applied (or that would be applied) to the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Redaction {
    /// The rule whose match was rewritten.
    pub kind: String,
    /// The text that replaced the value (absent at the `metadata` level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// Where the value was, in the original text.
    pub span: TextSpan,
}

/// Token usage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TokenUsage {
    /// Input tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<u64>,
    /// Output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<u64>,
}

/// Which policy configuration decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigRef {
    /// Config id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Config name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Config version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
