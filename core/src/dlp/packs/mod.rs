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

    /// What all built-in rules together report in `text` (overlaps
    /// resolved, as a default policy sees it): `(rule id, value)`.
    fn all_findings(text: &str) -> Vec<(String, String)> {
        let scanner = Scanner::new(
            builtin_rules()
                .into_iter()
                .map(|spec| ScannerRule {
                    spec,
                    dialect: Dialect::Ascii,
                })
                .collect(),
            1 << 20,
        )
        .unwrap();
        scanner
            .scan(text)
            .findings
            .iter()
            .map(|f| {
                let id = scanner.rule(f.rule).unwrap().id.clone();
                (id, text[f.byte_start..f.byte_end].to_string())
            })
            .collect()
    }

    /// Cards grouped with dots are cards of their network, whatever the
    /// network; four dotted groups that fail Luhn are nothing, and in
    /// particular not a MAC address (three dotted groups of four hex).
    #[test]
    fn dotted_digit_groups_are_a_card_or_nothing() {
        for (number, rule) in [
            ("4111.1111.1111.1111", "financial.card_visa"),
            ("5555.5555.5555.4444", "financial.card_mastercard"),
            ("6011.1111.1111.1117", "financial.card_discover"),
            ("3530.1113.3330.0000", "financial.card_jcb"),
            ("6759.6498.2643.8453", "financial.card_maestro"),
            ("3782.822463.10005", "financial.card_amex"),
        ] {
            let text = format!("Karte {number}, bitte.");
            assert_eq!(
                all_findings(&text),
                [(rule.to_owned(), number.to_owned())],
                "{text}"
            );
        }
        for text in [
            "ref 1234.5678.9012.3456 only",
            "ref 4111.1111.1111.1112 only",
            "mixed 4111.1111 1111.1111 groups",
        ] {
            assert_eq!(all_findings(text), [], "{text}");
        }
        assert_eq!(
            all_findings("port 0123.4567.89ab up"),
            [("pii.mac_address".to_owned(), "0123.4567.89ab".to_owned())]
        );
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
