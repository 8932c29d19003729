//! The detail an event carries for the consoles' event views beyond the
//! verdict: the host's quality scores of a response, and what a rewrite of
//! the text changed. (The provider's safety settings and safety response
//! are free JSON on the event; the preview is a string.)

use crate::error::{Error, Result};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The smallest quality score.
pub const QUALITY_SCORE_MIN: f64 = 0.0;
/// The largest quality score.
pub const QUALITY_SCORE_MAX: f64 = 1.0;

/// One quality score: a finite number from 0.0 (worst) to 1.0 (best),
/// inclusive. A host whose evaluator uses another scale (1–5, 0–100)
/// normalises before passing it; anything else is refused, so a console
/// never plots a 7 next to a 0.9.
///
/// ```
/// use govstream::schema::QualityScore;
/// assert_eq!(QualityScore::new(0.75).unwrap().get(), 0.75);
/// let err = QualityScore::new(7.0).unwrap_err();
/// assert_eq!(err.to_string(), "invalid input at quality score: must be a finite number from 0 to 1");
/// assert!(QualityScore::new(f64::NAN).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct QualityScore(f64);

impl QualityScore {
    /// The score, or [`Error::Input`] when `value` is not a finite number
    /// from 0 to 1. The message never repeats the value (it reads the same
    /// wherever the value came from); the JSON readers put the field's path
    /// in front of it (`$.context.quality_scores.faithfulness`).
    pub fn new(value: f64) -> Result<Self> {
        if value.is_finite() && (QUALITY_SCORE_MIN..=QUALITY_SCORE_MAX).contains(&value) {
            Ok(QualityScore(value))
        } else {
            Err(Error::Input {
                location: "quality score".into(),
                message: RANGE_MESSAGE.into(),
            })
        }
    }

    /// The score as a number.
    pub fn get(self) -> f64 {
        self.0
    }
}

const RANGE_MESSAGE: &str = "must be a finite number from 0 to 1";

impl TryFrom<f64> for QualityScore {
    type Error = &'static str;

    fn try_from(value: f64) -> std::result::Result<Self, Self::Error> {
        // serde adds the field's path; the message alone says what is wrong.
        QualityScore::new(value).map_err(|_| RANGE_MESSAGE)
    }
}

impl From<QualityScore> for f64 {
    fn from(score: QualityScore) -> f64 {
        score.0
    }
}

impl JsonSchema for QualityScore {
    fn schema_name() -> Cow<'static, str> {
        "QualityScore".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A quality score from 0.0 (worst) to 1.0 (best), inclusive.",
            "type": "number",
            "minimum": QUALITY_SCORE_MIN,
            "maximum": QUALITY_SCORE_MAX
        })
    }
}

/// Quality scores of an interaction, supplied by the host (its evaluator,
/// a judge model, a RAG metric library): govstream does not compute them,
/// it checks their range and carries them to the event. Each is optional.
///
/// Unknown keys are ignored when a record is read, as everywhere in
/// records (a newer writer may add a score); the evaluation API refuses
/// them in a host's context, where they are typos.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QualityScores {
    /// The evaluator's overall score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<QualityScore>,
    /// How far the response is supported by the sources it was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faithfulness: Option<QualityScore>,
    /// How far the response addresses the prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevancy: Option<QualityScore>,
    /// How well the response hangs together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coherence: Option<QualityScore>,
    /// How far the response covers what was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<QualityScore>,
    /// How far the response is factually correct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<QualityScore>,
}

impl QualityScores {
    /// Every score's field name, in declaration order.
    pub const NAMES: [&'static str; 6] = [
        "aggregate",
        "faithfulness",
        "relevancy",
        "coherence",
        "completeness",
        "accuracy",
    ];

    /// True when no score is given (the event then omits `quality_scores`).
    pub fn is_empty(&self) -> bool {
        self.scores().iter().all(|(_, s)| s.is_none())
    }

    /// Each score with its field name, in declaration order.
    pub fn scores(&self) -> [(&'static str, Option<QualityScore>); 6] {
        [
            ("aggregate", self.aggregate),
            ("faithfulness", self.faithfulness),
            ("relevancy", self.relevancy),
            ("coherence", self.coherence),
            ("completeness", self.completeness),
            ("accuracy", self.accuracy),
        ]
    }

    /// Sets the score named `name` (one of [`QualityScores::NAMES`]) from a
    /// plain number. Fails with [`Error::Input`] located at the name for an
    /// unknown name or a value outside 0 to 1 (NaN included).
    ///
    /// ```
    /// use govstream::schema::QualityScores;
    /// let mut scores = QualityScores::default();
    /// scores.set("faithfulness", 0.9).unwrap();
    /// assert_eq!(scores.faithfulness.map(|s| s.get()), Some(0.9));
    /// let err = scores.set("relevancy", 7.0).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid input at quality_scores.relevancy: must be a finite number from 0 to 1");
    /// ```
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        let location = format!("quality_scores.{name}");
        let slot = match name {
            "aggregate" => &mut self.aggregate,
            "faithfulness" => &mut self.faithfulness,
            "relevancy" => &mut self.relevancy,
            "coherence" => &mut self.coherence,
            "completeness" => &mut self.completeness,
            "accuracy" => &mut self.accuracy,
            _ => {
                return Err(Error::Input {
                    location,
                    message: format!("unknown score; expected one of {}", Self::NAMES.join(", ")),
                });
            }
        };
        *slot = Some(QualityScore::new(value).map_err(|_| Error::Input {
            location,
            message: RANGE_MESSAGE.into(),
        })?);
        Ok(())
    }
}

/// What kind of rewrite produced the text that was forwarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RewriteKind {
    /// Matched values were replaced in the redaction style of the policy
    /// (and, when the text was not scanned whole, the unscanned tail by
    /// `[UNSCANNED:<n> bytes]`).
    Redaction,
    /// Only the unscanned tail of a text longer than the scan limit was
    /// replaced; no value was matched in the scanned part.
    UnscannedTail,
}

impl RewriteKind {
    /// The wire name (`"redaction"`, `"unscanned_tail"`).
    pub fn as_str(self) -> &'static str {
        match self {
            RewriteKind::Redaction => "redaction",
            RewriteKind::UnscannedTail => "unscanned_tail",
        }
    }
}

/// What a rewrite changed: present on an event whose verdict is `redact`
/// and whose forwarded text differs from the text evaluated. Counts and
/// keyed hashes only, so it is kept at every logging level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Rewrite {
    /// What kind of rewrite.
    pub kind: RewriteKind,
    /// Values replaced (every enforced match, listed in `redactions` or
    /// past `limits.max_matches`).
    pub redactions: usize,
    /// Length of the evaluated text, in code points.
    pub length_before: usize,
    /// Length of the forwarded text, in code points.
    pub length_after: usize,
    /// Keyed hash of the evaluated text: the same HMAC-SHA256 under the org
    /// key as `prompt_hash` (and equal to it), hex.
    pub hash_before: String,
    /// Keyed hash of the forwarded text, made as `prompt_hash` is, so an
    /// evaluation of the forwarded text (by a gateway downstream) has this
    /// `prompt_hash`.
    pub hash_after: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scores_outside_zero_to_one_are_refused_by_name() {
        for bad in [json!(7), json!(-0.01), json!(1.0001)] {
            let err = crate::json_input::from_value::<QualityScores>(
                json!({"coherence": 0.5, "faithfulness": bad}),
                "$.quality_scores",
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                "invalid input at $.quality_scores.faithfulness: must be a finite number from 0 to 1"
            );
        }
        let err = crate::json_input::from_value::<QualityScores>(json!({"accuracy": "high"}), "$")
            .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid input at $.accuracy: "),
            "{err}"
        );
        for bad in [f64::NAN, f64::INFINITY, -1.0, 7.0] {
            assert!(QualityScore::new(bad).is_err(), "{bad}");
            assert!(QualityScores::default().set("accuracy", bad).is_err());
        }
        let err = QualityScores::default().set("fluency", 0.5).unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown score; expected one of aggregate"),
            "{err}"
        );
    }

    #[test]
    fn scores_round_trip_as_plain_numbers() {
        let scores: QualityScores =
            serde_json::from_value(json!({"aggregate": 0, "relevancy": 1, "accuracy": 0.25}))
                .unwrap();
        assert_eq!(scores.aggregate.map(QualityScore::get), Some(0.0));
        assert_eq!(
            serde_json::to_value(scores).unwrap(),
            json!({"aggregate": 0.0, "relevancy": 1.0, "accuracy": 0.25})
        );
        assert!(!scores.is_empty());
        assert!(QualityScores::default().is_empty());
        let schema = serde_json::to_value(schemars::schema_for!(QualityScores)).unwrap();
        let score = &schema["$defs"]["QualityScore"];
        assert_eq!(
            (score["minimum"].as_f64(), score["maximum"].as_f64()),
            (Some(0.0), Some(1.0))
        );
    }
}
