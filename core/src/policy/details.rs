//! The event details the consoles' event views show beside the verdict:
//! what a rewrite changed (`rewrite`, `prompt_redacted`), a preview of the
//! response (`output_preview`), and what the host passes through from the
//! model provider (`safety_settings`, `safety_response`, bounded here and
//! scrubbed in `scrub.rs`). Quality scores need no work beyond their type's
//! range check (`schema::QualityScores`).

use crate::clock::KeyedHash;
use crate::error::{Error, Result};
use crate::schema::{LoggingLevel, Phase, Rewrite, RewriteKind, Verdict};
use crate::text::{self, SUMMARY_MAX_CHARS};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The largest safety setting or safety response a context may pass, in
/// bytes of compact JSON: provider safety blocks are a few hundred bytes,
/// and an event must stay small enough for every sink.
pub const MAX_PASS_THROUGH_BYTES: usize = 8 * 1024;

/// JSON a host passes through from the model provider to the event (its
/// safety settings, its safety response): any JSON value of at most
/// [`MAX_PASS_THROUGH_BYTES`] bytes written compactly. Below the `full`
/// logging level the event carries it scrubbed like `metadata`.
///
/// ```
/// use govstream::policy::PassThroughJson;
/// use serde_json::json;
/// let ratings = json!([{"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}]);
/// assert!(PassThroughJson::new(ratings).is_ok());
/// let err = PassThroughJson::new(json!({"blob": "x".repeat(9000)})).unwrap_err();
/// assert_eq!(err.to_string(), "invalid input at safety data: is 9011 bytes of JSON; at most 8192");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub struct PassThroughJson(Value);

impl PassThroughJson {
    /// The value, or [`Error::Input`] when it is longer than
    /// [`MAX_PASS_THROUGH_BYTES`] written compactly.
    pub fn new(value: Value) -> Result<Self> {
        Self::check(&value).map_err(|message| Error::Input {
            location: "safety data".into(),
            message,
        })?;
        Ok(PassThroughJson(value))
    }

    /// The value.
    pub fn get(&self) -> &Value {
        &self.0
    }

    /// The value, unless it says nothing (`null`, `{}`, `[]`, `""`): the
    /// event omits empty fields.
    pub(super) fn to_field(&self) -> Option<Value> {
        let empty = match &self.0 {
            Value::Null => true,
            Value::Object(m) => m.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::String(s) => s.is_empty(),
            Value::Bool(_) | Value::Number(_) => false,
        };
        (!empty).then(|| self.0.clone())
    }

    fn check(value: &Value) -> std::result::Result<(), String> {
        let size = serde_json::to_string(value).map_or(usize::MAX, |s| s.len());
        if size > MAX_PASS_THROUGH_BYTES {
            return Err(format!(
                "is {size} bytes of JSON; at most {MAX_PASS_THROUGH_BYTES}"
            ));
        }
        Ok(())
    }
}

impl TryFrom<Value> for PassThroughJson {
    type Error = String;

    fn try_from(value: Value) -> std::result::Result<Self, Self::Error> {
        // serde puts the field's path in front of the message.
        Self::check(&value)?;
        Ok(PassThroughJson(value))
    }
}

impl From<PassThroughJson> for Value {
    fn from(v: PassThroughJson) -> Value {
        v.0
    }
}

/// What an evaluation forwarded, for its event's details.
pub(super) struct Forwarded<'a> {
    /// The text evaluated.
    pub(super) original: &'a str,
    /// The text to forward when the verdict is `redact`.
    pub(super) rewritten: &'a str,
    /// Values the rewrite replaced.
    pub(super) redactions: usize,
    /// The combined verdict.
    pub(super) verdict: Verdict,
}

impl Forwarded<'_> {
    /// True when the text forwarded is a rewrite: the verdict is `redact`
    /// (a stronger one forwards nothing, a weaker one the text as it is)
    /// and the rewrite changed something.
    pub(super) fn was_rewritten(&self) -> bool {
        self.verdict == Verdict::Redact && self.rewritten != self.original
    }

    /// The event's `rewrite`: counts, lengths in code points and keyed
    /// hashes made as `prompt_hash` is. `None` unless
    /// [`Forwarded::was_rewritten`].
    pub(super) fn rewrite(&self, keyed: &KeyedHash) -> Option<Rewrite> {
        self.was_rewritten().then(|| Rewrite {
            kind: if self.redactions > 0 {
                RewriteKind::Redaction
            } else {
                RewriteKind::UnscannedTail
            },
            redactions: self.redactions,
            length_before: self.original.chars().count(),
            length_after: self.rewritten.chars().count(),
            hash_before: prompt_hash(keyed, self.original),
            hash_after: prompt_hash(keyed, self.rewritten),
        })
    }
}

/// The event's `prompt_hash` of `text`.
pub(super) fn prompt_hash(keyed: &KeyedHash, text: &str) -> String {
    keyed.hex(&[b"prompt", text.as_bytes()], 64)
}

/// The event's `output_preview`: for a response at `redacted` or `full`,
/// the first [`SUMMARY_MAX_CHARS`] code points of `redacted` (the text with
/// every matched value rewritten, whatever the level), unless nothing
/// readable is left.
pub(super) fn output_preview(phase: Phase, level: LoggingLevel, redacted: &str) -> Option<String> {
    if phase != Phase::Response || level < LoggingLevel::Redacted {
        return None;
    }
    let (preview, _) = text::truncate(redacted, SUMMARY_MAX_CHARS);
    (!preview.trim().is_empty()).then(|| preview.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pass_through_is_bounded_and_empty_values_are_dropped() {
        let big = json!({"k": "x".repeat(MAX_PASS_THROUGH_BYTES)});
        let err =
            crate::json_input::from_value::<PassThroughJson>(big, "$.safety_settings").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid input at $.safety_settings: is 8200 bytes of JSON"),
            "{err}"
        );
        for empty in [json!(null), json!({}), json!([]), json!("")] {
            assert_eq!(PassThroughJson::new(empty).unwrap().to_field(), None);
        }
        let kept = PassThroughJson::new(json!({"block": false})).unwrap();
        assert_eq!(kept.to_field(), Some(json!({"block": false})));
        assert_eq!(
            serde_json::to_value(&kept).unwrap(),
            json!({"block": false})
        );
    }

    #[test]
    fn a_rewrite_is_reported_only_for_a_redact_verdict_that_changed_the_text() {
        let keyed = KeyedHash::new(b"k");
        let mut f = Forwarded {
            original: "mail ann@x.example 👋",
            rewritten: "mail [EMAIL] 👋",
            redactions: 1,
            verdict: Verdict::Redact,
        };
        let r = f.rewrite(&keyed).unwrap();
        assert_eq!(r.kind, RewriteKind::Redaction);
        assert_eq!((r.length_before, r.length_after), (20, 14));
        assert_eq!(r.hash_before, prompt_hash(&keyed, f.original));
        assert_eq!(r.hash_after, prompt_hash(&keyed, f.rewritten));
        assert_ne!(r.hash_before, r.hash_after);
        f.redactions = 0;
        assert_eq!(f.rewrite(&keyed).unwrap().kind, RewriteKind::UnscannedTail);
        for verdict in [Verdict::Warn, Verdict::Block] {
            f.verdict = verdict;
            assert_eq!(f.rewrite(&keyed), None);
        }
        f.verdict = Verdict::Redact;
        f.rewritten = f.original;
        assert!(!f.was_rewritten());
    }

    fn event(policy: &str, text: &str, phase: Phase) -> crate::schema::Event {
        let policy = crate::policy::Policy::from_json(policy).unwrap();
        let ctx = crate::policy::EvaluationContext {
            phase,
            ..Default::default()
        };
        policy.evaluate(text, &ctx).event.unwrap()
    }

    #[test]
    fn an_evaluation_records_its_rewrite_and_preview() {
        let redact = r#"{"fingerprint_key": "k-0123456789abcdef", "actions": {"prompt": {"medium": "redact"}, "response": {"medium": "redact"}}}"#;
        let e = event(redact, "mail jane@acme.com 👋", Phase::Prompt);
        assert!(e.prompt_redacted);
        assert_eq!(e.output_preview, None);
        let r = e.rewrite.unwrap();
        assert_eq!((r.kind, r.redactions), (RewriteKind::Redaction, 1));
        assert_eq!((r.length_before, r.length_after), (20, 27));
        assert_eq!(r.hash_before, e.prompt_hash);
        // The forwarded text, evaluated downstream, hashes to `hash_after`.
        let again = event(redact, "mail [REDACTED:pii.email] 👋", Phase::Prompt);
        assert_eq!(again.prompt_hash, r.hash_after);

        // A response: a rewrite, a preview, but no `prompt_redacted`.
        let e = event(redact, "write to jane@acme.com", Phase::Response);
        assert!(!e.prompt_redacted && e.rewrite.is_some());
        assert_eq!(
            e.output_preview.as_deref(),
            Some("write to [REDACTED:pii.email]")
        );

        // The preview is redacted even at `full`; absent at `metadata`.
        let full = r#"{"logging": "full"}"#;
        let e = event(full, "write to jane@acme.com", Phase::Response);
        assert_eq!(
            e.output_preview.as_deref(),
            Some("write to [REDACTED:pii.email]")
        );
        assert_eq!(e.response_summary.unwrap().text, "write to jane@acme.com");
        let metadata = r#"{"logging": "metadata", "actions": {"prompt": {"medium": "redact"}}}"#;
        let e = event(metadata, "mail jane@acme.com", Phase::Prompt);
        assert!(e.prompt_redacted && e.rewrite.is_some());
        let e = event(metadata, "write to jane@acme.com", Phase::Response);
        assert_eq!(e.output_preview, None);

        // A block forwards nothing; a warn forwards the text as it is.
        let block = r#"{"actions": {"prompt": {"medium": "block"}}}"#;
        let e = event(block, "mail jane@acme.com", Phase::Prompt);
        assert!(!e.prompt_redacted && e.rewrite.is_none());
        let e = event("{}", "write to jane@acme.com", Phase::Response);
        assert!(e.rewrite.is_none());
    }

    #[test]
    fn a_text_cut_at_the_scan_limit_is_an_unscanned_tail_rewrite() {
        let policy = r#"{"limits": {"max_scan_bytes": 1024, "on_truncated": "redact"}}"#;
        let text = "a".repeat(1500);
        let e = event(policy, &text, Phase::Prompt);
        let r = e.rewrite.unwrap();
        assert_eq!((r.kind, r.redactions), (RewriteKind::UnscannedTail, 0));
        assert_eq!(r.length_before, 1500);
        assert_eq!(r.length_after, 1024 + "[UNSCANNED:476 bytes]".len());
        assert!(e.prompt_redacted && e.degraded);
    }

    #[test]
    fn the_preview_is_a_bounded_response_only() {
        let long = "é".repeat(300);
        let preview = output_preview(Phase::Response, LoggingLevel::Redacted, &long).unwrap();
        assert_eq!(preview.chars().count(), SUMMARY_MAX_CHARS);
        assert_eq!(
            output_preview(Phase::Prompt, LoggingLevel::Full, "hi"),
            None
        );
        assert_eq!(
            output_preview(Phase::Response, LoggingLevel::Metadata, "hi"),
            None
        );
        assert_eq!(
            output_preview(Phase::Response, LoggingLevel::Full, " \n "),
            None
        );
    }
}
