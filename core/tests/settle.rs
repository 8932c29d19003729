//! `Scanner::unsettled_from`: text before the point it gives has settled
//! findings, whatever is appended. Checked the way a stream uses it: for a
//! text and each place it could be cut, every finding of the whole text
//! that starts before the cut's point is a finding of the cut text too,
//! with the same span, rule and confidence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::dlp::{
    DEFAULT_MAX_SCAN_BYTES, Dialect, Finding, RuleSpec, Scanner, ScannerRule, packs,
};
use govstream::schema::{Category, Severity};
use proptest::prelude::*;
use std::sync::OnceLock;

/// Custom rules as a policy writes them (Unicode classes): a keyword
/// before a value, a value needing a word nearby, and a rule with no
/// trigger at all.
fn custom_rules() -> Vec<ScannerRule> {
    let rule =
        |id: &str, pattern: &str| RuleSpec::new(id, id, Category::Custom, Severity::High, pattern);
    [
        rule(
            "custom.employee",
            r"(?i)mitarbeiter[-_ ]?nr\s*[:#]\s*(?P<value>\w{6,10})",
        )
        .keywords(&["mitarbeiter"])
        .max_len(64),
        rule("custom.project", r"\bPRJ-\d{4}-[A-ZÄÖÜ]{3}\b")
            .context_required(&["projekt", "project"], 40),
        rule("custom.ticket", r"ticket №\s?\d{5,8}"),
    ]
    .into_iter()
    .map(|spec| ScannerRule {
        spec,
        dialect: Dialect::Unicode,
    })
    .collect()
}

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let rules = packs::builtin_rules()
            .into_iter()
            .map(|spec| ScannerRule {
                spec,
                dialect: Dialect::Ascii,
            })
            .chain(custom_rules())
            .collect();
        Scanner::new(rules, DEFAULT_MAX_SCAN_BYTES).unwrap()
    })
}

#[test]
fn custom_rules_settle_soundly() {
    let text = "Projekt Ärger: PRJ-2024-ÄÖÜ steht an. Mitarbeiter-Nr: Ab12Cd34 \
                und ticket № 1234567 für café 😀 — fin.";
    assert_eq!(scanner().scan(text).findings.len(), 3);
    check_cuts(text, 1).unwrap_or_else(|e| panic!("{e}"));
}

/// Every built-in rule's true-positive texts.
fn examples() -> &'static [String] {
    static E: OnceLock<Vec<String>> = OnceLock::new();
    E.get_or_init(|| {
        packs::builtin_rules()
            .into_iter()
            .flat_map(|r| r.examples.true_positives.into_iter().map(|(text, _)| text))
            .collect()
    })
}

/// The findings of `whole` that start before `point` and are not exactly
/// among `cut_findings`.
fn changed(whole: &[Finding], cut_findings: &[Finding], point: usize) -> Vec<Finding> {
    whole
        .iter()
        .filter(|f| f.byte_start < point && !cut_findings.contains(f))
        .copied()
        .collect()
}

/// Checks every char-boundary cut of `text` (every `step`-th one).
fn check_cuts(text: &str, step: usize) -> Result<(), String> {
    let s = scanner();
    let whole = s.scan(text).findings;
    for cut in (0..=text.len()).step_by(step.max(1)) {
        if !text.is_char_boundary(cut) {
            continue;
        }
        let head = &text[..cut];
        let point = s.unsettled_from(head);
        if point > head.len() || !head.is_char_boundary(point) {
            return Err(format!(
                "point {point} is not a boundary of {} bytes",
                head.len()
            ));
        }
        let lost = changed(&whole, &s.scan(head).findings, point);
        if !lost.is_empty() {
            return Err(format!(
                "cut at {cut} settled to {point}, but the whole text has {lost:?} there: {:?}",
                &text[..(cut + 80).min(text.len())]
            ));
        }
    }
    Ok(())
}

#[test]
fn every_rules_examples_settle_soundly_at_every_cut() {
    for text in examples() {
        // Some prose around the example, so that the points are not 0.
        let text = format!("Here it is, as asked.\n{text}\nAnything else? ok.");
        check_cuts(&text, 1).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn prose_settles_a_few_bytes_back() {
    let line = "Nothing secret on this line, just prose about the weather. ";
    let text = line.repeat(50);
    let point = scanner().unsettled_from(&text);
    // The rules that can start anywhere (an email's local part, a
    // proximity rule's value) hold a little; the private-key rules'
    // 16 KiB are not held.
    assert!(text.len() - point < 512, "{} held", text.len() - point);
    assert!(scanner().match_reach() > 4096);
}

#[test]
fn a_private_key_being_written_is_held_from_its_header() {
    let text = format!(
        "prose before it.\n-----BEGIN RSA PRIVATE KEY-----\n{}",
        "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n".repeat(40)
    );
    let header = text.find("-----BEGIN").unwrap();
    assert!(scanner().unsettled_from(&text) <= header);
}

#[test]
fn real_text_settles_soundly() {
    // Text nobody on the project wrote: a changelog and Python sources on
    // this machine, when present.
    let mut text = String::new();
    for dir in ["/usr/lib/python3.11", "/usr/share/doc/git"] {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "py" || x == "md") {
                text.push_str(&String::from_utf8_lossy(
                    &std::fs::read(&p).unwrap_or_default(),
                ));
            }
            if text.len() > 120_000 {
                break;
            }
        }
    }
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let mut cut = rest.len().min(6000);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (head, tail) = rest.split_at(cut);
        check_cuts(head, 97).unwrap_or_else(|e| panic!("{e}"));
        rest = tail;
    }
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(examples().to_vec()),
        2 => "[ \n,;:=\"'@./-]{1,3}",
        1 => "[0-9 .:/()+-]{1,24}",
        1 => "[A-Za-z0-9_]{1,40}",
        1 => "[a-z]{1,8}",
        1 => "[é😀\u{200b}\u{ff10}-\u{ff19}ß\u{00a0}]{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Rules' examples, separators, digits, words and multibyte characters
    /// in any order, cut anywhere.
    #[test]
    fn any_text_settles_soundly(parts in prop::collection::vec(piece(), 1..8)) {
        let text = parts.concat();
        let step = (text.len() / 300).max(1);
        prop_assert!(check_cuts(&text, step).is_ok(), "{}", check_cuts(&text, step).err().unwrap_or_default());
    }
}
