//! Testing a policy before rollout: evaluate a corpus with a candidate
//! policy (and, optionally, the baseline it replaces) and say what would
//! change — verdict counts, the reasons and rules that decide, the inputs
//! whose verdict flips — and whether the change stays within the limits a
//! CI job sets. `govstream policy test` and every binding print this
//! report; the counting lives here so they cannot disagree.

use super::{Decision, EvaluationContext, Policy};
use crate::analytics::VerdictCounts;
use crate::schema::Verdict;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// How a count changed from the baseline to the candidate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VerdictChanges {
    /// `allow`, candidate minus baseline.
    pub allow: i64,
    /// `warn`.
    pub warn: i64,
    /// `redact`.
    pub redact: i64,
    /// `escalate`.
    pub escalate: i64,
    /// `block`.
    pub block: i64,
}

/// A count under one name (a reason code or a rule id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedCount {
    /// The reason code (`dlp:<rule id>`, `tool:blocked`, `scan_truncated`)
    /// or rule id.
    pub name: String,
    /// Inputs.
    pub inputs: usize,
}

/// What one policy decided over the corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyOutcome {
    /// Enforced verdicts.
    pub verdicts: VerdictCounts,
    /// Inputs whose enforced verdict is `block`, over all inputs (0 for an
    /// empty corpus).
    pub block_rate: f64,
    /// Inputs where monitor mode held a stronger verdict back.
    pub monitored: usize,
    /// The verdicts had nothing been monitored; present when `monitored`
    /// is not 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_verdicts: Option<VerdictCounts>,
    /// The most frequent reasons for a verdict other than `allow` (with
    /// monitor mode, the would-be verdict's reason), most first.
    pub top_reasons: Vec<NamedCount>,
    /// The rules that matched the most inputs, most first.
    pub top_rules: Vec<NamedCount>,
}

/// One input whose enforced verdict differs between the two policies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flip {
    /// The input's `id`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// Its line number in the corpus (1-based; for a list, its position).
    pub line: usize,
    /// The baseline's verdict.
    pub from: Verdict,
    /// The candidate's verdict.
    pub to: Verdict,
    /// The baseline's reason code.
    pub from_reason: String,
    /// The candidate's reason code.
    pub to_reason: String,
}

/// How many inputs went from one verdict to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The baseline's verdict.
    pub from: Verdict,
    /// The candidate's verdict.
    pub to: Verdict,
    /// Inputs.
    pub inputs: usize,
}

/// The limits a rollout must stay within; each is checked when given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// At most this many inputs may flip (needs a baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_flips: Option<usize>,
    /// At most this fraction of inputs (0.0–1.0) may flip (needs a
    /// baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_flip_rate: Option<f64>,
    /// At most this fraction of inputs (0.0–1.0) may be blocked by the
    /// candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_block_rate: Option<f64>,
}

impl Thresholds {
    /// Problems with the limits themselves, with their JSON paths
    /// (`$.thresholds.max_flip_rate`): a rate outside 0.0–1.0, a flip limit
    /// without a baseline to flip from.
    pub fn problems(&self, has_baseline: bool) -> Vec<crate::Problem> {
        let mut out = Vec::new();
        for (name, rate) in [
            ("max_flip_rate", self.max_flip_rate),
            ("max_block_rate", self.max_block_rate),
        ] {
            if let Some(r) = rate
                && !(0.0..=1.0).contains(&r)
            {
                out.push(crate::Problem::new(
                    format!("$.thresholds.{name}"),
                    "must be a fraction from 0.0 to 1.0",
                ));
            }
        }
        if !has_baseline {
            for (name, given) in [
                ("max_flips", self.max_flips.is_some()),
                ("max_flip_rate", self.max_flip_rate.is_some()),
            ] {
                if given {
                    out.push(crate::Problem::new(
                        format!("$.thresholds.{name}"),
                        "needs a baseline policy to count flips against",
                    ));
                }
            }
        }
        out
    }
}

/// One limit as checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdCheck {
    /// `max_flips`, `max_flip_rate` or `max_block_rate`.
    pub name: String,
    /// The limit given.
    pub limit: f64,
    /// The value measured.
    pub value: f64,
    /// True when `value` is above `limit`.
    pub exceeded: bool,
}

/// What a policy test found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyTestReport {
    /// Inputs evaluated.
    pub inputs: usize,
    /// The candidate policy's outcome.
    pub policy: PolicyOutcome,
    /// The baseline's, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<PolicyOutcome>,
    /// Candidate minus baseline, per verdict (with a baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<VerdictChanges>,
    /// Inputs whose enforced verdict differs (0 without a baseline).
    pub flips: usize,
    /// `flips` over `inputs`.
    pub flip_rate: f64,
    /// Flips by verdict pair, most first.
    pub transitions: Vec<Transition>,
    /// The first flipped inputs, in corpus order, up to the listing limit.
    pub flipped: Vec<Flip>,
    /// Flips not listed in `flipped`.
    pub flipped_omitted: usize,
    /// Each limit given, as checked.
    pub thresholds: Vec<ThresholdCheck>,
    /// True when no limit was exceeded.
    pub passed: bool,
}

/// How much of a report is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListLimits {
    /// Entries of `top_reasons` and `top_rules`.
    pub top: usize,
    /// Entries of `flipped`.
    pub flips: usize,
}

impl Default for ListLimits {
    fn default() -> Self {
        ListLimits {
            top: 10,
            flips: 100,
        }
    }
}

/// Counts for one policy as the corpus goes by.
#[derive(Default)]
struct Tally {
    verdicts: VerdictCounts,
    would: VerdictCounts,
    monitored: usize,
    reasons: HashMap<String, usize>,
    rules: HashMap<String, usize>,
}

impl Tally {
    fn add(&mut self, d: &Decision) {
        self.verdicts.add(d.verdict);
        self.would.add(d.would_verdict.unwrap_or(d.verdict));
        if d.would_verdict.is_some() {
            self.monitored += 1;
        }
        let reason = d.would_reason_code.as_ref().unwrap_or(&d.reason_code);
        if d.would_verdict.unwrap_or(d.verdict) > Verdict::Allow {
            *self.reasons.entry(reason.clone()).or_default() += 1;
        }
        // Every rule that produced a result, listed or not.
        for r in d.policy_results.iter().filter(|r| r.kind == "dlp") {
            *self.rules.entry(r.policy.clone()).or_default() += 1;
        }
    }

    fn outcome(self, inputs: usize, top: usize) -> PolicyOutcome {
        PolicyOutcome {
            verdicts: self.verdicts,
            block_rate: rate(self.verdicts.block, inputs as u64),
            monitored: self.monitored,
            would_verdicts: (self.monitored > 0).then_some(self.would),
            top_reasons: top_of(self.reasons, top),
            top_rules: top_of(self.rules, top),
        }
    }
}

/// Most first; ties by name, so a report is the same on every run.
fn top_of(counts: HashMap<String, usize>, n: usize) -> Vec<NamedCount> {
    let mut v: Vec<NamedCount> = counts
        .into_iter()
        .map(|(name, inputs)| NamedCount { name, inputs })
        .collect();
    v.sort_by(|a, b| b.inputs.cmp(&a.inputs).then_with(|| a.name.cmp(&b.name)));
    v.truncate(n);
    v
}

fn rate(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

/// A policy test in progress: feed it the corpus with [`PolicyTest::add`],
/// then [`PolicyTest::finish`]. Keeps counts and the listed flips only, so
/// a corpus of any size streams through.
///
/// ```
/// use govstream::policy::{EvaluationContext, ListLimits, Policy, PolicyTest, Thresholds};
///
/// let current = Policy::default_policy().unwrap();
/// let strict = Policy::from_json(r#"{"categories": {"pii": {"action": "block"}}}"#).unwrap();
/// let mut test = PolicyTest::new(&strict, Some(&current), ListLimits::default());
/// let ctx = EvaluationContext::default();
/// test.add(None, 1, "mail jane.doe@acme.com", &ctx);
/// test.add(None, 2, "nothing to see", &ctx);
/// let report = test.finish(&Thresholds { max_flips: Some(0), ..Thresholds::default() });
/// assert_eq!((report.flips, report.passed), (1, false));
/// ```
pub struct PolicyTest<'a> {
    candidate: &'a Policy,
    baseline: Option<&'a Policy>,
    limits: ListLimits,
    inputs: usize,
    tally: Tally,
    base_tally: Tally,
    flips: usize,
    transitions: HashMap<(Verdict, Verdict), usize>,
    flipped: Vec<Flip>,
}

impl<'a> PolicyTest<'a> {
    /// A test of `candidate` against `baseline` (or alone).
    pub fn new(candidate: &'a Policy, baseline: Option<&'a Policy>, limits: ListLimits) -> Self {
        PolicyTest {
            candidate,
            baseline,
            limits,
            inputs: 0,
            tally: Tally::default(),
            base_tally: Tally::default(),
            flips: 0,
            transitions: HashMap::new(),
            flipped: Vec::new(),
        }
    }

    /// Evaluates one input (its `id`, if any, and its line number) with
    /// both policies.
    pub fn add(&mut self, id: Option<Value>, line: usize, text: &str, ctx: &EvaluationContext) {
        self.inputs += 1;
        let d = self.candidate.evaluate(text, ctx);
        self.tally.add(&d);
        let Some(baseline) = self.baseline else {
            return;
        };
        let b = baseline.evaluate(text, ctx);
        self.base_tally.add(&b);
        if b.verdict != d.verdict {
            self.flips += 1;
            *self.transitions.entry((b.verdict, d.verdict)).or_default() += 1;
            if self.flipped.len() < self.limits.flips {
                self.flipped.push(Flip {
                    id: id.filter(|v| !v.is_null()),
                    line,
                    from: b.verdict,
                    to: d.verdict,
                    from_reason: b.reason_code,
                    to_reason: d.reason_code,
                });
            }
        }
    }

    /// The report, with `thresholds` checked. A flip limit without a
    /// baseline is not checked (see [`Thresholds::problems`]).
    pub fn finish(self, thresholds: &Thresholds) -> PolicyTestReport {
        let inputs = self.inputs;
        let top = self.limits.top;
        let policy = self.tally.outcome(inputs, top);
        let baseline = self.baseline.map(|_| self.base_tally.outcome(inputs, top));
        let changes = baseline.as_ref().map(|b| {
            let d = |v: Verdict| {
                i64::try_from(policy.verdicts.get(v)).unwrap_or(i64::MAX)
                    - i64::try_from(b.verdicts.get(v)).unwrap_or(i64::MAX)
            };
            VerdictChanges {
                allow: d(Verdict::Allow),
                warn: d(Verdict::Warn),
                redact: d(Verdict::Redact),
                escalate: d(Verdict::Escalate),
                block: d(Verdict::Block),
            }
        });
        let mut transitions: Vec<Transition> = self
            .transitions
            .into_iter()
            .map(|((from, to), inputs)| Transition { from, to, inputs })
            .collect();
        transitions.sort_by(|a, b| {
            b.inputs
                .cmp(&a.inputs)
                .then(a.from.cmp(&b.from))
                .then(a.to.cmp(&b.to))
        });
        let flip_rate = rate(self.flips as u64, inputs as u64);
        let mut checks = Vec::new();
        let has_baseline = baseline.is_some();
        if let Some(limit) = thresholds.max_flips.filter(|_| has_baseline) {
            checks.push(check("max_flips", limit as f64, self.flips as f64));
        }
        if let Some(limit) = thresholds.max_flip_rate.filter(|_| has_baseline) {
            checks.push(check("max_flip_rate", limit, flip_rate));
        }
        if let Some(limit) = thresholds.max_block_rate {
            checks.push(check("max_block_rate", limit, policy.block_rate));
        }
        PolicyTestReport {
            inputs,
            passed: checks.iter().all(|c| !c.exceeded),
            thresholds: checks,
            flipped_omitted: self.flips - self.flipped.len(),
            flipped: self.flipped,
            transitions,
            flip_rate,
            flips: self.flips,
            changes,
            baseline,
            policy,
        }
    }
}

fn check(name: &str, limit: f64, value: f64) -> ThresholdCheck {
    ThresholdCheck {
        name: name.into(),
        limit,
        value,
        exceeded: value > limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: &str) -> Policy {
        Policy::from_json(json).unwrap()
    }

    const CORPUS: &[&str] = &[
        "mail jane.doe@acme.com please",
        "key AKIAIOSFODNN7EXAMPLE in the prompt",
        "nothing here",
        "card 4111 1111 1111 1111 and bob@corp.io",
    ];

    fn run(candidate: &Policy, baseline: Option<&Policy>, t: &Thresholds) -> PolicyTestReport {
        let mut test = PolicyTest::new(candidate, baseline, ListLimits::default());
        let ctx = EvaluationContext::default();
        for (i, text) in CORPUS.iter().enumerate() {
            let id = (i % 2 == 0).then(|| Value::from(format!("in-{i}")));
            test.add(id, i + 1, text, &ctx);
        }
        test.finish(t)
    }

    #[test]
    fn counts_flips_and_transitions_against_the_baseline() {
        let base = policy("{}");
        let strict = policy(r#"{"categories": {"pii": {"action": "block"}}}"#);
        let r = run(&strict, Some(&base), &Thresholds::default());
        assert_eq!(r.inputs, 4);
        let b = r.baseline.as_ref().unwrap();
        // Default: email warns, AWS key blocks, card redacts.
        assert_eq!(
            (b.verdicts.warn, b.verdicts.block, b.verdicts.redact),
            (1, 1, 1)
        );
        assert_eq!((r.policy.verdicts.block, r.policy.verdicts.allow), (3, 1));
        assert_eq!(r.flips, 2);
        let c = r.changes.unwrap();
        assert_eq!((c.block, c.warn, c.redact, c.allow), (2, -1, -1, 0));
        let ids: Vec<(Option<Value>, usize)> =
            r.flipped.iter().map(|f| (f.id.clone(), f.line)).collect();
        assert_eq!(ids, [(Some(Value::from("in-0")), 1), (None, 4)]);
        assert_eq!(r.flipped[0].to_reason, "dlp:pii.email");
        assert!(
            r.transitions
                .iter()
                .all(|t| t.to == Verdict::Block && t.inputs == 1)
        );
        assert!(
            r.policy
                .top_rules
                .iter()
                .any(|n| n.name == "pii.email" && n.inputs == 2)
        );
        assert!(r.passed && r.thresholds.is_empty());
    }

    #[test]
    fn thresholds_pass_or_fail_on_what_was_measured() {
        let base = policy("{}");
        let strict = policy(r#"{"categories": {"pii": {"action": "block"}}}"#);
        let t = Thresholds {
            max_flips: Some(2),
            max_flip_rate: Some(0.5),
            max_block_rate: Some(0.5),
        };
        let r = run(&strict, Some(&base), &t);
        let exceeded: Vec<&str> = r
            .thresholds
            .iter()
            .filter(|c| c.exceeded)
            .map(|c| c.name.as_str())
            .collect();
        // 2 flips of 4 are within both flip limits; 3 blocks of 4 are not.
        assert_eq!(exceeded, ["max_block_rate"]);
        assert!(!r.passed);
        assert_eq!(r.thresholds.len(), 3);
    }

    #[test]
    fn monitor_mode_counts_what_would_have_been() {
        let monitored = policy(r#"{"monitor": true}"#);
        let r = run(&monitored, None, &Thresholds::default());
        assert_eq!(r.policy.verdicts.allow, 4);
        assert_eq!(r.policy.monitored, 3);
        let would = r.policy.would_verdicts.unwrap();
        assert_eq!((would.block, would.redact, would.warn), (1, 1, 1));
        assert!(
            r.policy
                .top_reasons
                .iter()
                .any(|n| n.name == "dlp:secrets.aws_access_key_id")
        );
        assert_eq!(r.flips, 0);
        assert!(r.baseline.is_none() && r.changes.is_none());
    }

    #[test]
    fn limits_that_cannot_be_checked_are_problems() {
        let t = Thresholds {
            max_flips: Some(1),
            max_flip_rate: Some(1.5),
            max_block_rate: Some(-0.1),
        };
        let paths: Vec<String> = t.problems(false).into_iter().map(|p| p.path).collect();
        assert_eq!(
            paths,
            [
                "$.thresholds.max_flip_rate",
                "$.thresholds.max_block_rate",
                "$.thresholds.max_flips",
                "$.thresholds.max_flip_rate"
            ]
        );
        assert!(Thresholds::default().problems(false).is_empty());
    }

    #[test]
    fn listed_flips_stop_at_the_limit_and_the_rest_are_counted() {
        let base = policy("{}");
        let all = policy(r#"{"categories": {"pii": {"action": "block"}}}"#);
        let mut test = PolicyTest::new(&all, Some(&base), ListLimits { top: 1, flips: 2 });
        for i in 0..5 {
            test.add(
                Some(Value::from(i)),
                i + 1,
                "mail a.b@corp.io",
                &EvaluationContext::default(),
            );
        }
        let r = test.finish(&Thresholds::default());
        assert_eq!((r.flips, r.flipped.len(), r.flipped_omitted), (5, 2, 3));
        assert_eq!(r.policy.top_rules.len(), 1);
    }
}
