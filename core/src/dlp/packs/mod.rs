//! The built-in rule packs: `secrets`, `pii` and `financial`.

mod financial;
mod pii;
mod secrets;

use super::RuleSpec;

/// The names of the built-in packs.
pub const PACKS: [&str; 3] = ["secrets", "pii", "financial"];

/// Every built-in rule, in declaration order (`secrets`, `pii`, `financial`).
pub fn builtin_rules() -> Vec<RuleSpec> {
    let mut rules = secrets::rules();
    rules.extend(pii::rules());
    rules.extend(financial::rules());
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dlp::{Dialect, Scanner, ScannerRule};
    use std::collections::HashSet;

    /// The values `rule` alone reports in `text`, through the real scanner.
    pub(super) fn findings(rule: &RuleSpec, text: &str) -> Vec<String> {
        only(rule)
            .scan(text)
            .findings
            .iter()
            .map(|f| text[f.byte_start..f.byte_end].to_string())
            .collect()
    }

    /// Ids, labels, examples, triggers and confidence of every built-in
    /// rule have the shape the rest of the crate relies on.
    #[test]
    fn every_rule_is_well_formed() {
        let mut failures = Vec::new();
        for r in builtin_rules() {
            let id = &r.id;
            let snake = id.strip_prefix(&format!("{}.", r.pack)).is_some_and(|n| {
                !n.is_empty()
                    && n.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            });
            if !snake {
                failures.push(format!("{id}: not `<pack>.<snake_case>`"));
            }
            if r.label.is_empty()
                || !r
                    .label
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                failures.push(format!("{id}: label {:?} is not upper-case", r.label));
            }
            if r.examples.true_positives.len() < 2 || r.examples.false_positives.len() < 2 {
                failures.push(format!("{id}: needs two true and two false positives"));
            }
            // A built-in rule without a trigger would run its regex over
            // every text and make scanning prose slow.
            if r.keywords.iter().all(|k| k.is_empty()) && r.min_digits.is_none() {
                failures.push(format!("{id}: no keyword or digit trigger"));
            }
            if !(r.confidence > 0.0 && r.confidence <= 1.0) {
                failures.push(format!("{id}: confidence {} out of range", r.confidence));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    fn only(spec: &RuleSpec) -> Scanner {
        Scanner::new(
            vec![ScannerRule {
                spec: spec.clone(),
                dialect: Dialect::Ascii,
            }],
            1 << 20,
        )
        .unwrap()
    }

    #[test]
    fn at_least_sixty_rules_with_unique_ids() {
        let rules = builtin_rules();
        assert!(rules.len() >= 60, "only {} built-in rules", rules.len());
        let ids: HashSet<_> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), rules.len(), "duplicate rule ids");
        for r in &rules {
            assert!(PACKS.contains(&r.pack.as_str()), "{}: unknown pack", r.id);
            assert!(r.id.starts_with(&format!("{}.", r.pack)), "{}", r.id);
        }
    }

    /// Every rule's own examples, run through the real scanner (prefilter,
    /// windows, validators, context and allowlist included).
    #[test]
    fn every_rule_passes_its_own_examples() {
        let mut failures = Vec::new();
        for rule in builtin_rules() {
            if rule.examples.true_positives.is_empty() || rule.examples.false_positives.is_empty() {
                failures.push(format!(
                    "{}: needs true and false positive examples",
                    rule.id
                ));
            }
            let scanner = only(&rule);
            for (text, value) in &rule.examples.true_positives {
                let found: Vec<&str> = scanner
                    .scan(text)
                    .findings
                    .iter()
                    .map(|f| &text[f.byte_start..f.byte_end])
                    .collect();
                if !found.contains(&value.as_str()) {
                    failures.push(format!(
                        "{}: expected {value:?} in {text:?}, found {found:?}",
                        rule.id
                    ));
                }
            }
            for text in &rule.examples.false_positives {
                let found: Vec<&str> = scanner
                    .scan(text)
                    .findings
                    .iter()
                    .map(|f| &text[f.byte_start..f.byte_end])
                    .collect();
                if !found.is_empty() {
                    failures.push(format!("{}: false positive {found:?} in {text:?}", rule.id));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
