//! What a host tells an evaluation besides the text: who, where, which
//! tool and model, its ids, and what it passes through to the event (token
//! usage, quality scores, the provider's safety data, free metadata). The
//! JSON keys are the event's field names, so a binding passes one object.

use super::details::PassThroughJson;
use crate::schema::{ClientContext, Identity, Phase, QualityScores, TokenUsage, ToolContext};
use serde::{Deserialize, Serialize};

/// Everything about an evaluation that is not the text itself. All fields
/// are optional; JSON keys are the same as the `Event` fields they fill.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvaluationContext {
    /// Prompt (default) or response.
    pub phase: Phase,
    /// The org; defaults to the policy's `org.id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Who.
    #[serde(flatten)]
    pub identity: Identity,
    /// Which client.
    #[serde(flatten)]
    pub client: ClientContext,
    /// Which AI tool; `hostname` is checked against `ai_tools`.
    #[serde(flatten)]
    pub tool: ToolContext,
    /// Host request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Host session id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Host conversation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Token usage, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenUsage>,
    /// Quality scores of the interaction from the host's evaluator, each
    /// from 0 to 1, copied into the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality_scores: Option<QualityScores>,
    /// Free host metadata, copied into the event.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The safety settings the request gave the model provider, copied
    /// into the event (scrubbed like `metadata`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_settings: Option<PassThroughJson>,
    /// The provider's safety response, copied into the event (scrubbed like
    /// `metadata`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_response: Option<PassThroughJson>,
    /// Event time in milliseconds since the epoch; defaults to now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_ms: Option<i64>,
    /// The event id to use (an idempotency key the host already has);
    /// defaults to a fresh UUIDv7.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The W3C `traceparent` of the request being governed, as the HTTP
    /// header carries it; the records then carry its `trace_id` and
    /// `span_id`. One that does not parse is ignored (W3C Trace Context
    /// §3.2.2.1), never an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// The W3C `tracestate` that came with `traceparent`; kept (as the
    /// event's `trace_state`) only with a valid `traceparent` and when well
    /// formed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracestate: Option<String>,
}

impl EvaluationContext {
    /// Traces records to an input that has an id of its own (a corpus
    /// line's `id`): sets `request_id` to it unless the context already
    /// names one. A string is taken as it is, a number or boolean as
    /// written, an array or object as compact JSON; null sets nothing.
    /// Like every context field, it is scrubbed of matched values below
    /// the `full` logging level.
    pub fn with_input_id(mut self, id: Option<&serde_json::Value>) -> Self {
        use serde_json::Value;
        if self.request_id.is_none() {
            self.request_id = match id {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
            };
        }
        self
    }
}
