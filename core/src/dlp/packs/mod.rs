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
