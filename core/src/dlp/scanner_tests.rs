//! Unit tests of the scanner: triggers, overlaps, value groups, limits.
use super::*;
use crate::schema::{Category, Severity};

fn rule(id: &str, sev: Severity, pattern: &str) -> RuleSpec {
    RuleSpec::new(id, id, Category::Custom, sev, pattern)
}

fn scanner(rules: Vec<RuleSpec>, max: usize) -> Scanner {
    Scanner::new(
        rules
            .into_iter()
            .map(|spec| ScannerRule {
                spec,
                dialect: Dialect::Ascii,
            })
            .collect(),
        max,
    )
    .unwrap()
}

#[test]
fn keyword_rules_only_run_near_their_keywords() {
    let s = scanner(
        vec![rule("t.tok", Severity::High, r"tok_[a-z]{4}").keywords(&["TOK_"])],
        1 << 20,
    );
    let text = format!("{} tok_abcd {}", "prose ".repeat(100), "more ".repeat(100));
    let r = s.scan(&text);
    assert_eq!(r.findings.len(), 1);
    let f = r.findings[0];
    assert_eq!(&text[f.byte_start..f.byte_end], "tok_abcd");
}

#[test]
fn overlaps_prefer_severity_then_length() {
    let s = scanner(
        vec![
            rule("t.short", Severity::Low, r"abc"),
            rule("t.long", Severity::Low, r"abcdef"),
            rule("t.severe", Severity::Critical, r"def"),
        ],
        1 << 20,
    );
    let r = s.scan("xx abcdef yy abc");
    let got: Vec<_> = r
        .findings
        .iter()
        .map(|f| (s.rule(f.rule).unwrap().id.as_str(), f.byte_start))
        .collect();
    // `def` (critical) beats `abcdef`; `abc` then fits before it.
    assert_eq!(got, vec![("t.short", 3), ("t.severe", 6), ("t.short", 13)]);
}

#[test]
fn value_group_narrows_the_match() {
    let s = scanner(
        vec![rule("t.pw", Severity::High, r"password=(?P<value>\S+)").keywords(&["password"])],
        1 << 20,
    );
    let text = "set password=hunter2-xyz please";
    let f = s.scan(text).findings[0];
    assert_eq!(&text[f.byte_start..f.byte_end], "hunter2-xyz");
}

#[test]
fn truncation_is_reported_and_on_a_char_boundary() {
    let s = scanner(vec![rule("t.x", Severity::Low, "x")], 5);
    let r = s.scan("ééé x");
    assert!(r.truncated);
    assert_eq!(r.scanned_bytes, 4);
    assert!(r.findings.is_empty());
    let r = s.scan("x");
    assert!(!r.truncated);
    assert_eq!(r.findings.len(), 1);
}

#[test]
fn matches_inside_multibyte_text_keep_char_boundaries() {
    let s = scanner(
        vec![rule("t.any", Severity::Low, r"[^ ]+").keywords(&["k"])],
        1 << 20,
    );
    let text = "😀k😀 ok";
    for f in s.scan(text).findings {
        assert!(text.is_char_boundary(f.byte_start) && text.is_char_boundary(f.byte_end));
    }
}
