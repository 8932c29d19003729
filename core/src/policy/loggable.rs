//! What of a [`Decision`] may be logged.
//!
//! A decision holds two kinds of output: `redacted_text`, the text to
//! forward, which by design keeps every value whose action is `allow` or
//! `warn` as it was written (an email under the default policy, say); and
//! everything else — verdict, reasons, matches as rule ids and offsets, the
//! records already shaped by the logging level — which carries no matched
//! value. [`LoggableDecision`] is the second part alone, so a host that
//! serializes "the decision" for a log cannot write a secret by accident.

use super::{Decision, MatchInfo};
use crate::schema::{DlpMatch, Event, EventType, PolicyResult, Verdict};
use serde::Serialize;

/// A [`Decision`] without `redacted_text`: every other field, borrowed,
/// serializing to the same JSON keys. Safe to log: matches are rule ids and
/// offsets, and the event and match records carry what the policy's
/// logging level allows.
///
/// New fields of `Decision` are not added here on their own: a test fails
/// until someone decides whether they may be logged.
///
/// ```
/// use govstream::policy::{EvaluationContext, Policy};
///
/// let policy = Policy::default_policy().unwrap();
/// // An email is medium severity: `warn` by default, so it stays in the
/// // text to forward.
/// let d = policy.evaluate("mail jane.doe@acme.com", &EvaluationContext::default());
/// assert!(d.redacted_text.contains("jane.doe@acme.com"));
/// let logged = serde_json::to_string(&d.loggable()).unwrap();
/// assert!(!logged.contains("jane.doe"));
/// ```
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LoggableDecision<'a> {
    /// The combined verdict.
    pub verdict: Verdict,
    /// `request`, `warned`, `redacted`, `escalated` or `blocked`.
    pub event_type: EventType,
    /// Why: `dlp:<rule_id>`, `tool:blocked`, `tool:unknown` or `none`.
    pub reason_code: &'a str,
    /// Monitor mode: the verdict had monitored results been enforced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_verdict: Option<Verdict>,
    /// The reason code of `would_verdict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_reason_code: Option<&'a str>,
    /// Every policy that produced a result, strongest first.
    pub policy_results: &'a [PolicyResult],
    /// Every match, in text order: rule ids and offsets, no values.
    pub matches: &'a [MatchInfo],
    /// Matches found but not listed, past `limits.max_matches`.
    pub omitted_matches: usize,
    /// True when only a prefix of the text was scanned.
    pub scan_truncated: bool,
    /// The event record, unless the event logging level is `off`.
    pub event: Option<&'a Event>,
    /// The match records, unless the match logging level is `off`.
    pub dlp_matches: &'a [DlpMatch],
}

impl Decision {
    /// This decision without the text to forward: what may be logged (see
    /// [`LoggableDecision`]).
    pub fn loggable(&self) -> LoggableDecision<'_> {
        LoggableDecision {
            verdict: self.verdict,
            event_type: self.event_type,
            reason_code: &self.reason_code,
            would_verdict: self.would_verdict,
            would_reason_code: self.would_reason_code.as_deref(),
            policy_results: &self.policy_results,
            matches: &self.matches,
            omitted_matches: self.omitted_matches,
            scan_truncated: self.scan_truncated,
            event: self.event.as_ref(),
            dlp_matches: &self.dlp_matches,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{EvaluationContext, Policy};
    use serde_json::Value;

    #[test]
    fn every_field_but_the_text_to_forward_is_kept() {
        let policy = Policy::default_policy().unwrap();
        let d = policy.evaluate(
            "mail jane.doe@acme.com, key AKIAIOSFODNN7EXAMPLE",
            &EvaluationContext::default(),
        );
        let Value::Object(mut whole) = serde_json::to_value(&d).unwrap() else {
            panic!("a decision is an object");
        };
        let Value::Object(logged) = serde_json::to_value(d.loggable()).unwrap() else {
            panic!("a loggable decision is an object");
        };
        // A field added to Decision makes this fail: decide whether it may
        // be logged, then add it to LoggableDecision or remove it here.
        assert!(whole.remove("redacted_text").is_some());
        assert_eq!(Value::Object(whole), Value::Object(logged.clone()));
        let text = Value::Object(logged).to_string();
        assert!(!text.contains("jane.doe") && !text.contains("AKIAIOSFODNN7EXAMPLE"));
    }
}
