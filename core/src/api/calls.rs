//! What a host does with policies, shadow AI, audit and analytics, as
//! functions of serde types. Each has a `_json` form in [`super::json`].

use super::ApiError;
use crate::Problem;
use crate::analytics::{Analytics, AnalyticsOptions, AnalyticsSummary, render_html};
use crate::audit::{
    AuditEventBuilder, KeycloakOptions, KeycloakReport, LineProblem, parse_keycloak_with,
};
use crate::json_input::from_value;
use crate::policy::{
    Decision, EvaluationContext, Policy, RedactOutcome, RuleInfo, ScanReport, StreamOutcome,
    StreamRedactor,
};
use crate::schema::{ApiEventType, QualityScores, Record, ShadowAiEvent};
use crate::shadow::{Classification, Classifier};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The crate's version, which every binding reports as its own.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Every built-in rule's definition (`govstream rules --builtin`).
pub fn builtin_rules() -> Vec<crate::dlp::RuleSpec> {
    crate::dlp::packs::builtin_rules()
}

/// What to evaluate: the text and the whole evaluation context, whose keys
/// are the event's field names (`phase`, `user_id`, `hostname`, `tokens`,
/// `event_id`, `timestamp_ms`, `metadata`, …; see `schemas/`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateInput {
    /// The prompt or response.
    pub text: String,
    /// Who, where, which tool; all optional.
    #[serde(default)]
    pub context: EvaluationContext,
    /// The caller's id for this input (a corpus line's `id`): the records'
    /// `request_id` unless the context gives one
    /// ([`EvaluationContext::with_input_id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
}

/// A compiled policy with its own shadow-AI classifier: immutable and safe
/// to share between threads.
#[derive(Debug)]
pub struct CompiledPolicy {
    policy: Policy,
}

impl CompiledPolicy {
    /// Compiles a policy document (JSON text). A `policy` error lists every
    /// problem with its JSON path.
    pub fn from_json(json: &str) -> Result<Self, ApiError> {
        Ok(Self::new(Policy::from_json(json)?))
    }

    /// Compiles a policy document given as a JSON value.
    pub fn from_value(value: &Value) -> Result<Self, ApiError> {
        let json = serde_json::to_string(value)
            .map_err(|e| ApiError::input("$", format!("not JSON: {e}")))?;
        Self::from_json(&json)
    }

    /// The built-in policy.
    pub fn default_policy() -> Result<Self, ApiError> {
        Ok(Self::new(Policy::default_policy()?))
    }

    /// Wraps a policy compiled elsewhere.
    pub fn new(policy: Policy) -> Self {
        CompiledPolicy { policy }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Evaluates a text in a context; `input.id`, if any, traces the
    /// records to it as their `request_id`.
    pub fn evaluate(&self, input: &EvaluateInput) -> Decision {
        match &input.id {
            None => self.policy.evaluate(&input.text, &input.context),
            Some(id) => {
                let context = input.context.clone().with_input_id(Some(id));
                self.policy.evaluate(&input.text, &context)
            }
        }
    }

    /// Evaluates a text with a context given as JSON (an object of event
    /// field names, or null). Errors name the field, never its value.
    /// An unknown key is an `input` error too: a misspelt field would
    /// otherwise be dropped without a word.
    pub fn evaluate_value(&self, text: &str, context: Value) -> Result<Decision, ApiError> {
        Ok(self
            .policy
            .evaluate(text, &read_context(context, "$.context")?))
    }

    /// Starts redacting a streamed text (a model's reply arriving in
    /// chunks): see [`StreamRedactor`]. End it with [`finish_stream`].
    pub fn stream(&self) -> StreamRedactor {
        self.policy.stream()
    }

    /// The matches in `text`, at most `limits.max_matches` of them.
    pub fn scan(&self, text: &str) -> ScanReport {
        self.policy.scan(text)
    }

    /// `text` with every match rewritten; an unscanned tail becomes
    /// `[UNSCANNED:<n> bytes]`.
    pub fn redact(&self, text: &str) -> RedactOutcome {
        self.policy.redact_outcome(text)
    }

    /// The enabled rules with their effective severity and actions.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.policy.rules()
    }

    /// This policy's shadow-AI classifier (its approved and blocked lists
    /// over the built-in catalog).
    pub fn classifier(&self) -> &Classifier {
        self.policy.classifier()
    }

    /// Is this URL or host an AI tool, and may the org use it?
    pub fn classify(&self, url_or_host: &str) -> Classification {
        self.policy.classify(url_or_host)
    }

    /// Reads a `/v1/shadow-ai/report` payload into a `ShadowAiEvent`; a
    /// `validation` error lists every problem with its JSON path.
    pub fn shadow_report(&self, json: &str, now_ms: i64) -> Result<ShadowAiEvent, ApiError> {
        Ok(crate::shadow::parse_report(
            json,
            self.classifier(),
            now_ms,
        )?)
    }

    /// Builds the `ShadowAiEvent` for a visit, through the same reader as a
    /// report (so its fields and checks are the report's).
    pub fn shadow_event(&self, visit: &Value, now_ms: i64) -> Result<ShadowAiEvent, ApiError> {
        let json = serde_json::to_string(visit)
            .map_err(|e| ApiError::input("$", format!("not JSON: {e}")))?;
        self.shadow_report(&json, now_ms)
    }
}

/// Ends a stream: the rest of the redacted text and the whole text's
/// evaluation in `context` (an object of event field names, or null).
/// Errors: `input` for a bad context or a stream that ended inside a UTF-8
/// sequence.
pub fn finish_stream(stream: StreamRedactor, context: Value) -> Result<StreamOutcome, ApiError> {
    let context = read_context(context, "$.context")?;
    stream
        .finish(&context)
        .map_err(|e| ApiError::input("stream", e.to_string()))
}

/// The evaluation context from JSON (null: the default). An unknown key is
/// an `input` error too: a misspelt field would otherwise be dropped
/// without a word.
pub(super) fn read_context(context: Value, at: &str) -> Result<EvaluationContext, ApiError> {
    if context.is_null() {
        return Ok(EvaluationContext::default());
    }
    let given: Vec<String> = match &context {
        Value::Object(o) => o
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k.clone())
            .collect(),
        _ => Vec::new(),
    };
    check_score_names(&context, at)?;
    let read: EvaluationContext = from_value(context, at)?;
    // Flattened fields defeat serde's `deny_unknown_fields`: a key that
    // does not come back out was not read.
    let known = serde_json::to_value(&read).unwrap_or(Value::Null);
    if let Some(n) = given
        .iter()
        .position(|k| known.get(k.as_str()).is_none() && k.as_str() != "metadata")
    {
        // Placed by position, never named: a key may be a value pasted in
        // the wrong place.
        return Err(ApiError::input(
            at,
            format!(
                "unknown field (key {} of the context); expected an event field name (docs/schema.md)",
                n + 1
            ),
        ));
    }
    Ok(read)
}

/// Refuses a context whose `quality_scores` has a key that names no
/// score. Records read unknown score names leniently (a newer writer may
/// add one); in a host's context one is a typo, and would otherwise be
/// dropped without a word. Placed by position, never named: a key may be a
/// value pasted in the wrong place.
pub(super) fn check_score_names(context: &Value, at: &str) -> Result<(), ApiError> {
    if let Some(Value::Object(scores)) = context.get("quality_scores")
        && let Some(n) = scores
            .keys()
            .position(|k| !QualityScores::NAMES.contains(&k.as_str()))
    {
        return Err(ApiError::input(
            format!("{at}.quality_scores"),
            format!(
                "unknown score (key {} of quality_scores); expected one of {}",
                n + 1,
                QualityScores::NAMES.join(", ")
            ),
        ));
    }
    Ok(())
}

/// An audit record to build.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEventInput {
    /// `Admin:RoleAssignment`, `Guard:Analyze`, … (`docs/audit.md`).
    pub event_type: String,
    /// The request it belongs to.
    pub request_id: String,
    /// Who.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Their Keycloak id.
    #[serde(default)]
    pub keycloak_user_id: Option<String>,
    /// Their email.
    #[serde(default)]
    pub user_email: Option<String>,
    /// The org.
    #[serde(default)]
    pub org_id: Option<String>,
    /// RFC 3339 time; default now.
    #[serde(default)]
    pub date_time: Option<String>,
    /// The event id; default a fresh UUIDv7.
    #[serde(default)]
    pub event_id: Option<String>,
    /// `event_metadata`.
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// Builds an audit record. A `validation` error lists every problem: an
/// unknown type, a missing request id, each required metadata key.
pub fn audit_event(input: AuditEventInput, now_ms: i64) -> Result<Record, ApiError> {
    let Some(kind) = ApiEventType::parse(&input.event_type) else {
        let known: Vec<&str> = ApiEventType::ALL.iter().map(|t| t.as_str()).collect();
        return Err(ApiError::validation(
            "audit event",
            // The value is not repeated: a misplaced argument may be
            // anything, a credential included.
            vec![Problem::new(
                "$.event_type",
                format!("unknown event type; expected one of: {}", known.join(", ")),
            )],
        ));
    };
    let mut b = AuditEventBuilder::new(kind).request_id(input.request_id);
    if let Some(v) = input.user_id {
        b = b.user_id(v);
    }
    if let Some(v) = input.keycloak_user_id {
        b = b.keycloak_user_id(v);
    }
    if let Some(v) = input.user_email {
        b = b.user_email(v);
    }
    if let Some(v) = input.org_id {
        b = b.org_id(v);
    }
    if let Some(v) = input.date_time {
        b = b.date_time(v);
    }
    if let Some(v) = input.event_id {
        b = b.event_id(v);
    }
    for (k, v) in input.metadata {
        b = b.metadata(k, v);
    }
    Ok(Record::AuditEvent(b.build_at(now_ms)?))
}

/// A Keycloak log to read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeycloakInput {
    /// The log text.
    pub text: String,
    /// The log's local time offset, `+02:00` / `-05:00` (default UTC).
    #[serde(default)]
    pub utc_offset: Option<String>,
    /// The org of every event.
    #[serde(default)]
    pub org_id: Option<String>,
}

/// What a Keycloak log gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeycloakOutput {
    /// `audit_event` records, in line order.
    pub events: Vec<Record>,
    /// Events-logger lines that gave no event, in the one problem shape
    /// the CLI prints too: `line`, `kind`, `detail`, `error`,
    /// `text_excerpt`.
    pub problems: Vec<LineProblem>,
    /// Lines of other loggers, skipped.
    pub skipped_lines: usize,
}

impl From<KeycloakReport> for KeycloakOutput {
    fn from(report: KeycloakReport) -> Self {
        KeycloakOutput {
            events: report.events.into_iter().map(Record::AuditEvent).collect(),
            problems: report.problems,
            skipped_lines: report.skipped_lines,
        }
    }
}

/// Reads a Keycloak log: events, problem lines and skipped lines. Fails
/// only for a bad `utc_offset`.
pub fn parse_keycloak(input: &KeycloakInput) -> Result<KeycloakOutput, ApiError> {
    let mut options = KeycloakOptions::new();
    if let Some(offset) = &input.utc_offset {
        options = options.with_utc_offset(offset)?;
    }
    if let Some(org) = &input.org_id {
        options = options.with_org_id(org.clone());
    }
    Ok(parse_keycloak_with(&input.text, &options).into())
}

/// Records to summarize.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsInput {
    /// The records (events and matches count; others are ignored).
    pub records: Vec<Record>,
    /// Counts are as of this time (default now).
    #[serde(default)]
    pub now_ms: Option<i64>,
    /// Only the newest this many events count (default 5,000; null: all).
    #[serde(default = "default_scan_cap")]
    pub scan_cap: Option<usize>,
    /// Length of the top-pattern list (default 20).
    #[serde(default = "default_top_patterns")]
    pub top_patterns: usize,
    /// The HTML report's title.
    #[serde(default = "default_title")]
    pub title: String,
}

fn default_scan_cap() -> Option<usize> {
    AnalyticsOptions::default().scan_cap
}
fn default_top_patterns() -> usize {
    AnalyticsOptions::default().top_patterns
}
fn default_title() -> String {
    "govstream analytics".into()
}

/// The dashboard numbers of `input.records`.
pub fn analytics_summary(input: &AnalyticsInput, now_ms: i64) -> AnalyticsSummary {
    let options = AnalyticsOptions {
        scan_cap: input.scan_cap,
        top_patterns: input.top_patterns,
    };
    Analytics::summarize(&input.records, input.now_ms.unwrap_or(now_ms), options)
}

/// The self-contained HTML report of `input.records`.
pub fn analytics_report_html(input: &AnalyticsInput, now_ms: i64) -> String {
    render_html(&analytics_summary(input, now_ms), &input.title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_context_field_is_read_and_an_unknown_one_refused() {
        let p = CompiledPolicy::default_policy().unwrap_or_else(|e| panic!("{e}"));
        let context = json!({
            "phase": "response", "org_id": "o", "user_id": "u", "user_email": "u@x.io",
            "idp_user_id": "kc", "client": "c", "client_version": "1", "extension_id": "x",
            "gateway_id": "g", "endpoint_id": "ep", "provider": "openai", "tool": "t",
            "model": "m", "route": "/r", "hostname": "chatgpt.com", "request_id": "r",
            "session_id": "s", "conversation_id": "cv", "tokens": {"input": 1, "output": 2},
            "metadata": {"k": "v"}, "timestamp_ms": 1_795_339_200_000_i64, "event_id": "e-1"
        });
        let d = p
            .evaluate_value("hello", context)
            .unwrap_or_else(|e| panic!("{e}"));
        let event = serde_json::to_value(&d.records()[0]).unwrap_or_default();
        for field in [
            "idp_user_id",
            "client",
            "gateway_id",
            "endpoint_id",
            "route",
            "tokens",
        ] {
            assert!(event.get(field).is_some(), "{field} missing from {event}");
        }
        assert_eq!(event["event_id"], "e-1");
        let e = p
            .evaluate_value("x", json!({"user_idd": "AKIAIOSFODNN7EXAMPLE"}))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.location.as_deref(), Some("$.context"));
        assert!(!e.message.contains("AKIA") && !e.message.contains("user_idd"));
    }

    #[test]
    fn event_details_in_the_context_are_read_checked_and_scrubbed() {
        let p = CompiledPolicy::default_policy().unwrap_or_else(|e| panic!("{e}"));
        let secret = "AKIAIOSFODNN7EXAMPLE";
        let context = json!({
            "phase": "response",
            "quality_scores": {"aggregate": 0.5, "accuracy": 1},
            "safety_settings": {},
            "safety_response": {"debug": [format!("key {secret}")], secret: true}
        });
        let d = p
            .evaluate_value("fine", context)
            .unwrap_or_else(|e| panic!("{e}"));
        let event = serde_json::to_value(&d.records()[0]).unwrap_or_default();
        assert_eq!(
            event["quality_scores"],
            json!({"aggregate": 0.5, "accuracy": 1.0})
        );
        // An empty object says nothing and is left out.
        assert!(event.get("safety_settings").is_none(), "{event}");
        let label = "[REDACTED:secrets.aws_access_key_id]";
        assert_eq!(
            event["safety_response"],
            json!({"debug": [format!("key {label}")], label: true})
        );
        assert!(!event.to_string().contains(secret));
        for (context, at) in [
            (
                json!({"quality_scores": {"coherence": f64::MAX}}),
                "$.context.quality_scores.coherence",
            ),
            (
                json!({"quality_scores": {"relevance": 0.5}}),
                "$.context.quality_scores",
            ),
            (
                json!({"safety_settings": {"blob": "x".repeat(crate::policy::MAX_PASS_THROUGH_BYTES)}}),
                "$.context.safety_settings",
            ),
        ] {
            let e = p
                .evaluate_value("x", context)
                .err()
                .unwrap_or_else(|| panic!("accepted"));
            assert_eq!(e.location.as_deref(), Some(at), "{e}");
        }
    }
}
