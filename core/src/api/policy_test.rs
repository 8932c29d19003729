//! Testing a policy before rollout, for every host: a corpus of inputs (the
//! CLI's JSON Lines shape, `{"id"?, "text", …context}`) evaluated with a
//! candidate and an optional baseline, and the report of what would change
//! ([`crate::policy::PolicyTest`] does the counting).

use super::ApiError;
use super::calls::{CompiledPolicy, read_context};
use crate::policy::{ListLimits, PolicyTest, PolicyTestReport, Thresholds};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What to test a policy on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyTestInput {
    /// The inputs: objects with `text`, an optional `id` (which names the
    /// input in the report) and any evaluation context field.
    pub corpus: Vec<Value>,
    /// The limits to check.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Entries of `top_reasons` and `top_rules` (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<usize>,
    /// Flipped inputs listed (default 100); the rest are counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_flips: Option<usize>,
}

impl PolicyTestInput {
    /// How much of the report is listed.
    pub fn limits(&self) -> ListLimits {
        let d = ListLimits::default();
        ListLimits {
            top: self.top.unwrap_or(d.top),
            flips: self.list_flips.unwrap_or(d.flips),
        }
    }
}

/// One corpus entry: its id, text and context. Errors name the entry
/// (`$.corpus[3].text`), never a value.
pub fn corpus_entry(
    entry: Value,
    at: &str,
) -> Result<(Option<Value>, String, crate::policy::EvaluationContext), ApiError> {
    let Value::Object(mut fields) = entry else {
        return Err(ApiError::input(at, "expected an object with a \"text\""));
    };
    let id = fields.remove("id").filter(|v| !v.is_null());
    let text = match fields.remove("text") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(ApiError::input(format!("{at}.text"), "expected a string")),
        None => return Err(ApiError::input(format!("{at}.text"), "missing")),
    };
    let context = read_context(Value::Object(fields), at)?;
    Ok((id, text, context))
}

impl CompiledPolicy {
    /// Evaluates `input.corpus` with this policy and, when given, the
    /// `baseline` it would replace, and reports what changes: verdict
    /// counts, top reasons and rules, flipped inputs (named by `id`, else
    /// by position from 1), and each threshold checked. Errors: `input` for
    /// a malformed entry, `validation` for limits that cannot be checked
    /// (a rate outside 0–1, a flip limit without a baseline).
    pub fn compare(
        &self,
        baseline: Option<&CompiledPolicy>,
        input: PolicyTestInput,
    ) -> Result<PolicyTestReport, ApiError> {
        let problems = input.thresholds.problems(baseline.is_some());
        if !problems.is_empty() {
            return Err(ApiError::validation("thresholds", problems));
        }
        let limits = input.limits();
        let mut test = PolicyTest::new(self.policy(), baseline.map(|b| b.policy()), limits);
        for (i, entry) in input.corpus.into_iter().enumerate() {
            let (id, text, context) = corpus_entry(entry, &format!("$.corpus[{i}]"))?;
            let context = context.with_input_id(id.as_ref());
            test.add(id, i + 1, &text, &context);
        }
        Ok(test.finish(&input.thresholds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(doc: Value) -> CompiledPolicy {
        CompiledPolicy::from_value(&doc).unwrap_or_else(|e| panic!("{e}"))
    }

    fn input(v: Value) -> PolicyTestInput {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_corpus_is_compared_and_flips_are_named_by_id_or_position() {
        let strict = policy(json!({"categories": {"pii": {"action": "block"}}}));
        let base = policy(json!({}));
        let report = strict
            .compare(
                Some(&base),
                input(json!({
                    "corpus": [
                        {"id": "a", "text": "mail jane.doe@acme.com", "user_id": "u1"},
                        {"text": "mail bob@corp.io"},
                        {"id": 3, "text": "fine"}
                    ],
                    "thresholds": {"max_flips": 1}
                })),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let named: Vec<(Option<Value>, usize)> = report
            .flipped
            .iter()
            .map(|f| (f.id.clone(), f.line))
            .collect();
        assert_eq!(named, [(Some(json!("a")), 1), (None, 2)]);
        assert!(!report.passed);
    }

    #[test]
    fn bad_entries_and_uncheckable_limits_are_errors_with_paths() {
        let p = policy(json!({}));
        let e = p
            .compare(None, input(json!({"corpus": [{"text": "x"}, {"id": 1}]})))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.location.as_deref(), Some("$.corpus[1].text"));
        let e = p
            .compare(
                None,
                input(json!({"corpus": [{"text": "x", "user_idd": "AKIAIOSFODNN7EXAMPLE"}]})),
            )
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.location.as_deref(), Some("$.corpus[0]"));
        assert!(!e.message.contains("AKIA"));
        let e = p
            .compare(
                None,
                input(json!({"corpus": [], "thresholds": {"max_flips": 0}})),
            )
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.problems[0].path, "$.thresholds.max_flips");
    }
}
