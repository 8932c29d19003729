//! The counters every aggregate shares: events per verdict, and DLP matches
//! per rule with a deterministic top list.

use crate::schema::{Severity, Verdict};
use serde::Serialize;
use std::collections::HashMap;

/// Events per verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    /// `allow`.
    pub allow: u64,
    /// `warn`.
    pub warn: u64,
    /// `redact`.
    pub redact: u64,
    /// `escalate`.
    pub escalate: u64,
    /// `block`.
    pub block: u64,
}

impl VerdictCounts {
    /// Counts one more event with `verdict`.
    pub fn add(&mut self, verdict: Verdict) {
        *self.slot(verdict) += 1;
    }

    /// The count of `verdict`.
    pub fn get(&self, verdict: Verdict) -> u64 {
        match verdict {
            Verdict::Allow => self.allow,
            Verdict::Warn => self.warn,
            Verdict::Redact => self.redact,
            Verdict::Escalate => self.escalate,
            Verdict::Block => self.block,
        }
    }

    /// All events counted.
    pub fn total(&self) -> u64 {
        self.allow + self.warn + self.redact + self.escalate + self.block
    }

    fn slot(&mut self, verdict: Verdict) -> &mut u64 {
        match verdict {
            Verdict::Allow => &mut self.allow,
            Verdict::Warn => &mut self.warn,
            Verdict::Redact => &mut self.redact,
            Verdict::Escalate => &mut self.escalate,
            Verdict::Block => &mut self.block,
        }
    }
}

/// One DLP rule and how often it matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatternCount {
    /// The rule id (`secrets.aws_access_key_id`).
    pub rule_id: String,
    /// Its human-readable name, from the newest match (ties: the greatest
    /// name), so the result does not depend on the order of the input.
    pub rule_name: String,
    /// The highest severity any of its matches had.
    pub max_severity: Severity,
    /// Matches counted.
    pub count: u64,
}

#[derive(Debug, Clone)]
struct PatternAcc {
    name: String,
    name_ts: i64,
    max_severity: Severity,
    count: u64,
}

/// DLP matches per rule id.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatternCounter {
    by_rule: HashMap<String, PatternAcc>,
}

impl PatternCounter {
    pub(crate) fn add(&mut self, rule_id: &str, rule_name: &str, severity: Severity, ts: i64) {
        // Looked up by `&str` first so the common case allocates nothing.
        if let Some(acc) = self.by_rule.get_mut(rule_id) {
            acc.count += 1;
            acc.max_severity = acc.max_severity.max(severity);
            if (ts, rule_name) > (acc.name_ts, acc.name.as_str()) {
                rule_name.clone_into(&mut acc.name);
                acc.name_ts = ts;
            }
            return;
        }
        self.by_rule.insert(
            rule_id.to_owned(),
            PatternAcc {
                name: rule_name.to_owned(),
                name_ts: ts,
                max_severity: severity,
                count: 1,
            },
        );
    }

    /// The `n` most severe rules: by the highest severity of their matches,
    /// then by count, both descending, then by rule id — a rare critical key
    /// outranks common low-severity matches.
    pub(crate) fn top(&self, n: usize) -> Vec<PatternCount> {
        let mut all: Vec<(&String, &PatternAcc)> = self.by_rule.iter().collect();
        all.sort_unstable_by(|a, b| {
            (b.1.max_severity, b.1.count)
                .cmp(&(a.1.max_severity, a.1.count))
                .then_with(|| a.0.cmp(b.0))
        });
        all.into_iter()
            .take(n)
            .map(|(id, acc)| PatternCount {
                rule_id: id.clone(),
                rule_name: acc.name.clone(),
                max_severity: acc.max_severity,
                count: acc.count,
            })
            .collect()
    }
}

/// `part / whole`, or 0 when there is nothing to divide.
pub(crate) fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_counts_add_up() {
        let mut c = VerdictCounts::default();
        for v in [
            Verdict::Allow,
            Verdict::Block,
            Verdict::Block,
            Verdict::Redact,
        ] {
            c.add(v);
        }
        assert_eq!(c.get(Verdict::Block), 2);
        assert_eq!(c.get(Verdict::Warn), 0);
        assert_eq!(c.total(), 4);
    }

    #[test]
    fn top_patterns_rank_severity_before_count() {
        let mut p = PatternCounter::default();
        for _ in 0..9 {
            p.add("pii.email", "Email", Severity::Medium, 1);
        }
        p.add("secrets.aws", "AWS key", Severity::Critical, 1);
        p.add("pii.ip", "IP", Severity::Low, 1);
        let ids: Vec<String> = p.top(3).into_iter().map(|c| c.rule_id).collect();
        assert_eq!(ids, ["secrets.aws", "pii.email", "pii.ip"]);
        assert_eq!(p.top(1)[0].rule_id, "secrets.aws");
    }

    #[test]
    fn top_patterns_break_ties_by_rule_id_and_names_by_recency() {
        let mut p = PatternCounter::default();
        p.add("b.rule", "B", Severity::Low, 1);
        p.add("a.rule", "A old", Severity::High, 1);
        p.add("a.rule", "A new", Severity::Medium, 5);
        p.add("b.rule", "B", Severity::High, 2);
        p.add("c.rule", "C", Severity::Low, 3);
        let top = p.top(2);
        assert_eq!(top.len(), 2);
        assert_eq!(
            top[0],
            PatternCount {
                rule_id: "a.rule".into(),
                rule_name: "A new".into(),
                max_severity: Severity::High,
                count: 2,
            }
        );
        assert_eq!(top[1].rule_id, "b.rule");
        assert_eq!(top[1].max_severity, Severity::High);
    }

    #[test]
    fn the_name_does_not_depend_on_input_order() {
        let mut a = PatternCounter::default();
        a.add("r", "x", Severity::Low, 7);
        a.add("r", "y", Severity::Low, 7);
        let mut b = PatternCounter::default();
        b.add("r", "y", Severity::Low, 7);
        b.add("r", "x", Severity::Low, 7);
        assert_eq!(a.top(1), b.top(1));
        assert_eq!(a.top(1)[0].rule_name, "y");
    }

    #[test]
    fn ratio_of_nothing_is_zero() {
        assert_eq!(ratio(0, 0), 0.0);
        assert_eq!(ratio(1, 4), 0.25);
    }
}
