//! The API with nothing but strings: each call takes a JSON input and
//! returns a JSON envelope, `{"ok": <output>}` or `{"error": <ApiError>}`.
//! A host with no serde bridge (a C ABI, a shell, a test vector runner)
//! needs only [`call`] and, to avoid recompiling a policy per call,
//! [`CompiledPolicy::call_json`].
//!
//! ```
//! use govstream::api::json::call;
//! use serde_json::Value;
//!
//! let out: Value = serde_json::from_str(&call("scan", r#"{"text": "mail jane@acme.com"}"#)).unwrap();
//! assert_eq!(out["ok"]["matches"][0]["rule_id"], "pii.email");
//! let out: Value = serde_json::from_str(&call("evaluate", r#"{"text": 3}"#)).unwrap();
//! assert_eq!(out["error"]["kind"], "input");
//! assert_eq!(out["error"]["location"], "$.text");
//! ```
//!
//! | call | input | output |
//! |---|---|---|
//! | `version` | anything | the version string |
//! | `builtin_rules` | anything | every built-in rule |
//! | `check_policy` | `{"policy"}` | `{"rules": n}` or a `policy` error |
//! | `rules` | `{"policy"?}` | the enabled rules |
//! | `evaluate` | `{"policy"?, "text", "context"?, "id"?}` | the decision: verdict, matches, `redacted_text`, `records` (`id` becomes their `request_id` unless the context gives one) |
//! | `policy_test` | `{"policy"?, "baseline"?, "corpus", "thresholds"?, "top"?, "list_flips"?}` | the report: verdict counts, changes, flips, thresholds checked, `passed` |
//! | `scan` | `{"policy"?, "text"}` | `{"matches", "scan_truncated", "scanned_length"}` |
//! | `redact` | `{"policy"?, "text"}` | `{"text", "redactions", "scan_truncated", "scanned_length"}` |
//! | `classify` | `{"policy"?, "url"}` | the classification |
//! | `shadow_report` | `{"policy"?, "report", "now_ms"?}` | a `shadow_ai_event` record |
//! | `audit_event` | the audit fields, `"now_ms"`? | an `audit_event` record |
//! | `parse_keycloak` | `{"text", "utc_offset"?, "org_id"?}` | `{"events", "problems", "skipped_lines"}` |
//! | `analytics_summary` | `{"records", "now_ms"?, …}` | the summary |
//! | `analytics_report_html` | `{"records", "title"?, …}` | the HTML |
//! | `check_pipeline` | a pipeline spec | the spec as read, credentials hidden |
//! | `mint_api_key` | `{"label", "org_id", "expires_at"?, "now_ms"?}` | `{"key", "entry"}` |
//! | `check_key_store` | a key store (`{"keys": […]}`) | `{"keys": n}` |
//! | `verify_api_key` | `{"store", "key"?, "now_ms"?}` | `{"valid", "authenticated", "key"?, "rejection"?}` |
//!
//! `policy` is a policy document (absent: the built-in policy).

use super::calls::{
    self, AnalyticsInput, AuditEventInput, CompiledPolicy, EvaluateInput, KeycloakInput,
};
use super::{ApiError, PipelineSpec, PolicyTestInput};
use crate::json_input::from_value;
use crate::schema::Record;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Every call [`call`] knows.
pub const CALLS: &[&str] = &[
    "version",
    "builtin_rules",
    "check_policy",
    "rules",
    "evaluate",
    "scan",
    "redact",
    "classify",
    "shadow_report",
    "audit_event",
    "parse_keycloak",
    "analytics_summary",
    "analytics_report_html",
    "check_pipeline",
    "policy_test",
    "mint_api_key",
    "check_key_store",
    "verify_api_key",
];

/// Calls that use a policy, answered by [`CompiledPolicy::call_json`].
const POLICY_CALLS: &[&str] = &[
    "rules",
    "evaluate",
    "scan",
    "redact",
    "classify",
    "shadow_report",
];

/// Runs `name` on `input` (JSON) and returns the JSON envelope. Never
/// panics; every failure is an `{"error": …}`.
pub fn call(name: &str, input: &str) -> String {
    envelope(call_value(name, input))
}

/// [`call`], returning the output or the error as values.
pub fn call_value(name: &str, input: &str) -> Result<Value, ApiError> {
    let mut input = parse(input)?;
    if POLICY_CALLS.contains(&name) {
        let policy = compile(take(&mut input, "policy"))?;
        return policy.call_value(name, input);
    }
    let now = crate::clock::now_ms();
    match name {
        "version" => to_value(calls::version()),
        "builtin_rules" => to_value(calls::builtin_rules()),
        "check_policy" => {
            let Some(doc) = take(&mut input, "policy") else {
                return Err(ApiError::input("$.policy", "missing"));
            };
            let policy = CompiledPolicy::from_value(&doc)?;
            Ok(json!({"rules": policy.rules().len()}))
        }
        "audit_event" => {
            let now = take_now(&mut input)?.unwrap_or(now);
            let fields: AuditEventInput = from_value(input, "$")?;
            to_value(calls::audit_event(fields, now)?)
        }
        "parse_keycloak" => {
            let fields: KeycloakInput = from_value(input, "$")?;
            to_value(calls::parse_keycloak(&fields)?)
        }
        "analytics_summary" => {
            let fields: AnalyticsInput = from_value(input, "$")?;
            to_value(calls::analytics_summary(&fields, now))
        }
        "analytics_report_html" => {
            let fields: AnalyticsInput = from_value(input, "$")?;
            to_value(calls::analytics_report_html(&fields, now))
        }
        "check_pipeline" => to_value(PipelineSpec::from_value(input)?),
        "policy_test" => {
            let candidate = compile(take(&mut input, "policy"))?;
            let baseline = match take(&mut input, "baseline") {
                None | Some(Value::Null) => None,
                // Its problems' paths are within the baseline document:
                // say which of the two documents they are in.
                Some(doc) => Some(CompiledPolicy::from_value(&doc).map_err(|mut e| {
                    e.message = format!("baseline: {}", e.message);
                    e.what = Some("baseline".into());
                    e
                })?),
            };
            let fields: PolicyTestInput = from_value(input, "$")?;
            to_value(candidate.compare(baseline.as_ref(), fields)?)
        }
        "mint_api_key" => {
            let now = take_now(&mut input)?.unwrap_or(now);
            let request: crate::keys::MintRequest = from_value(input, "$")?;
            to_value(super::mint_api_key(&request, now)?)
        }
        "check_key_store" => {
            let file: crate::keys::KeyStoreFile = from_value(input, "$")?;
            Ok(json!({"keys": super::check_key_store(file)?}))
        }
        "verify_api_key" => {
            let now = take_now(&mut input)?.unwrap_or(now);
            let fields: super::VerifyKeyInput = from_value(input, "$")?;
            to_value(super::verify_api_key(fields, now)?)
        }
        _ => Err(unknown(name)),
    }
}

impl CompiledPolicy {
    /// Runs a policy call (`evaluate`, `scan`, `redact`, `rules`,
    /// `classify`, `shadow_report`) with this policy; the input's `policy`
    /// key, if any, is refused. Returns the JSON envelope.
    pub fn call_json(&self, name: &str, input: &str) -> String {
        envelope(parse(input).and_then(|v| self.call_value(name, v)))
    }

    /// [`CompiledPolicy::call_json`] on a parsed input.
    pub fn call_value(&self, name: &str, mut input: Value) -> Result<Value, ApiError> {
        match name {
            "rules" => to_value(self.rules()),
            "evaluate" => {
                if let Some(context) = input.get("context") {
                    calls::check_score_names(context, "$.context")?;
                }
                let fields: EvaluateInput = from_value(input, "$")?;
                to_value(evaluation(&self.evaluate(&fields)))
            }
            "scan" => to_value(self.scan(&text_of(input)?)),
            "redact" => to_value(self.redact(&text_of(input)?)),
            "classify" => {
                let url = match take(&mut input, "url") {
                    Some(Value::String(u)) => u,
                    Some(_) => return Err(ApiError::input("$.url", "expected a string")),
                    None => return Err(ApiError::input("$.url", "missing")),
                };
                to_value(self.classify(&url))
            }
            "shadow_report" => {
                let now = take_now(&mut input)?.unwrap_or_else(crate::clock::now_ms);
                let Some(report) = take(&mut input, "report") else {
                    return Err(ApiError::input("$.report", "missing"));
                };
                to_value(Record::ShadowAiEvent(self.shadow_event(&report, now)?))
            }
            _ => Err(unknown(name)),
        }
    }
}

/// A decision as a host receives it: the log-safe view plus the text to
/// forward and the records.
pub fn evaluation(decision: &crate::policy::Decision) -> Value {
    let mut out = serde_json::to_value(decision.loggable()).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut out {
        o.insert(
            "redacted_text".into(),
            Value::String(decision.redacted_text.clone()),
        );
        o.insert(
            "records".into(),
            serde_json::to_value(decision.records()).unwrap_or(Value::Null),
        );
    }
    out
}

/// The envelope of a result.
pub fn envelope(result: Result<Value, ApiError>) -> String {
    let value = match result {
        Ok(v) => json!({ "ok": v }),
        Err(e) => json!({ "error": e }),
    };
    // A `Value` always serializes.
    serde_json::to_string(&value).unwrap_or_default()
}

fn parse(input: &str) -> Result<Value, ApiError> {
    if input.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_str(input).map_err(|e| ApiError::input("$", format!("invalid JSON: {e}")))
}

fn compile(doc: Option<Value>) -> Result<CompiledPolicy, ApiError> {
    match doc {
        None | Some(Value::Null) => CompiledPolicy::default_policy(),
        Some(doc) => CompiledPolicy::from_value(&doc),
    }
}

fn take(input: &mut Value, key: &str) -> Option<Value> {
    input.as_object_mut().and_then(|o| o.remove(key))
}

fn take_now(input: &mut Value) -> Result<Option<i64>, ApiError> {
    match take(input, "now_ms") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => from_value(v, "$.now_ms").map(Some).map_err(ApiError::from),
    }
}

fn text_of(input: Value) -> Result<String, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Text {
        text: String,
    }
    Ok(from_value::<Text>(input, "$")?.text)
}

fn to_value<T: Serialize>(v: T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::input("output", e.to_string()))
}

fn unknown(_name: &str) -> ApiError {
    ApiError::input(
        "call",
        // Not repeated, like every value a host passes in.
        format!("unknown call; expected one of: {}", CALLS.join(", ")),
    )
}
