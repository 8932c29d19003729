//! Property: inserting invisible characters into a detected value, writing
//! its digits and letters in full-width or other look-alike forms, or its
//! spaces as Unicode spaces, never hides it. Every built-in rule's own true
//! positives are the detected values; each is disguised at random and must be
//! found again by the same rule, with a span that covers the whole disguised
//! value, and redacted whole.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::dlp::packs::builtin_rules;
use govstream::policy::Policy;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::OnceLock;

/// Characters a person does not see.
const INVISIBLE: &[char] = &[
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{00AD}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{200E}',
    '\u{202C}',
    '\u{FE0F}',
    '\u{2063}',
    '\u{E0020}',
];
/// Spaces that read as a space.
const SPACES: &[char] = &['\u{00A0}', '\u{2009}', '\u{202F}', '\u{3000}', '\u{2002}'];

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| Policy::default_policy().unwrap())
}

/// A look-alike of an ASCII character, chosen by `k`, or the character.
fn look_alike(c: char, k: u8) -> char {
    let full_width = char::from_u32(u32::from(c) + 0xFEE0);
    match (c, k % 4) {
        ('0'..='9', 0) => char::from_u32(u32::from(c) - 0x30 + 0x0660).unwrap(), // Arabic-Indic
        ('0'..='9', 1) => char::from_u32(u32::from(c) - 0x30 + 0x1D7CE).unwrap(), // math bold
        ('!'..='~', 2) => full_width.unwrap(),
        _ => c,
    }
}

/// `value` disguised: `ops[i]` says what happens at character `i`.
fn disguise(value: &str, ops: &[(u8, u8)]) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        let (op, k) = ops.get(i).copied().unwrap_or((0, 0));
        let c = match (c, op % 4) {
            (' ', 1) => SPACES[usize::from(k) % SPACES.len()],
            (_, 2) => look_alike(c, k),
            _ => c,
        };
        out.push(c);
        // Never before the first character: a leading invisible character
        // is outside the value.
        if op % 3 == 0 && i + 1 < value.chars().count() {
            out.push(INVISIBLE[usize::from(k) % INVISIBLE.len()]);
        }
    }
    out
}

#[test]
fn disguised_values_are_still_found_and_redacted_whole() {
    let cases: Vec<(String, String, String)> = builtin_rules()
        .into_iter()
        .flat_map(|r| {
            let id = r.id.clone();
            r.examples
                .true_positives
                .into_iter()
                .map(move |(text, value)| (id.clone(), text, value))
        })
        // One value per example text, found there by its own rule.
        .filter(|(id, text, value)| {
            policy()
                .scan(text)
                .matches
                .iter()
                .any(|m| &m.rule_id == id && &text[m.span.byte_start..m.span.byte_end] == value)
        })
        .collect();
    assert!(cases.len() > 100, "{} usable examples", cases.len());

    let mut runner = TestRunner::new(Config {
        cases: 512,
        ..Config::default()
    });
    let strategy = (
        0..cases.len(),
        proptest::collection::vec((any::<u8>(), any::<u8>()), 0..300),
    );
    runner
        .run(&strategy, |(i, ops)| {
            let (id, text, value) = &cases[i];
            let hidden = disguise(value, &ops);
            let at = text.find(value.as_str()).unwrap();
            let disguised = format!("{}{hidden}{}", &text[..at], &text[at + value.len()..]);
            let start = at;
            let end = at + hidden.len();
            let report = policy().scan(&disguised);
            let m = report.matches.iter().find(|m| &m.rule_id == id);
            prop_assert!(m.is_some(), "{id} lost in {disguised:?}");
            let m = m.unwrap();
            prop_assert!(
                m.span.byte_start <= start && m.span.byte_end >= end,
                "{id}: span {}..{} does not cover {start}..{end} in {disguised:?}",
                m.span.byte_start,
                m.span.byte_end
            );
            // Redaction leaves no character of the disguised value.
            let redacted = policy().redact(&disguised);
            prop_assert!(!redacted.contains(&hidden), "{redacted:?}");
            let plain = govstream::dlp::normalize(&redacted);
            prop_assert!(!plain.contains(value.as_str()), "{redacted:?}");
            Ok(())
        })
        .unwrap();
}
