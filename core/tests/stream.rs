//! A streamed text, cut anywhere, redacts to what the whole text redacts
//! to, and finishes with the whole text's matches and records.
// clippy.toml allows panics in #[test] functions only; the helpers and
// the proptest body are test code too.
#![allow(clippy::panic)]

use govstream::policy::{EvaluationContext, Policy};
use proptest::prelude::*;
use std::sync::OnceLock;

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| Policy::default_policy().unwrap_or_else(|e| panic!("{e}")))
}

/// Pieces of a model's reply: prose, code, values every pack finds, and
/// text that is hard to cut (astral characters, combining marks, ZWJ
/// sequences, CRLF).
const PIECES: &[&str] = &[
    "Here is the config you asked for:\n",
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    "Contact jane.doe@acme.com or +1 (415) 555-0132. ",
    "card 4111 1111 1111 1111 exp 12/29 ",
    "IBAN DE89 3704 0044 0532 0130 00, ",
    "token: ghp_16C7e42F292c6912E7710c838347Ae178B4a ",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naFDrBz9vFqU4yX1g0lK8W0kc6Rk3xk+/l0FzUq2zKqN1Ox8EXAMPLE0000000000\n-----END RSA PRIVATE KEY-----\n",
    "password = \"hunter2-Secret!\"\n",
    "😀 𝐀𝐁 café naïve e\u{301} 👩\u{200d}💻 你好 مرحبا ",
    "\r\n",
    "def f(x):\n    return x * 2  # nothing here\n",
    "192.168.1.20 and 2001:db8::1 ",
    "SSN 123-45-6789. ",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc ",
];

/// Each piece at most once, in any order: no value repeats, so the stream
/// must release exactly the whole text's redaction (a repeat of a value
/// released before it was matched is the one documented difference, tested
/// on its own below).
fn text() -> impl Strategy<Value = String> {
    prop::sample::subsequence(PIECES, 0..=PIECES.len())
        .prop_shuffle()
        .prop_map(|v| v.concat())
}

/// Byte positions at which to cut, anywhere (inside UTF-8 sequences too).
fn cuts(len: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..=len.max(1), 0..40).prop_map(|mut v| {
        v.sort_unstable();
        v
    })
}

fn stream_bytes(text: &str, cuts: &[usize]) -> (String, govstream::policy::StreamOutcome) {
    let mut s = policy().stream();
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut at = 0;
    for &c in cuts.iter().chain([&bytes.len()]) {
        let c = c.min(bytes.len());
        if c < at {
            continue;
        }
        out.push_str(
            &s.push_bytes(&bytes[at..c])
                .unwrap_or_else(|e| panic!("{e}")),
        );
        at = c;
    }
    let ctx = EvaluationContext::default();
    let done = s.finish(&ctx).unwrap_or_else(|e| panic!("{e}"));
    out.push_str(&done.tail);
    (out, done)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn any_cutting_releases_the_whole_texts_redaction(
        (text, cuts) in text().prop_flat_map(|t| { let n = t.len(); (Just(t), cuts(n)) })
    ) {
        let (released, done) = stream_bytes(&text, &cuts);
        let whole = policy().redact_outcome(&text).text;
        prop_assert_eq!(done.late_repeats, 0);
        prop_assert_eq!(&released, &whole);
        let expected = policy().evaluate(&text, &EvaluationContext::default());
        prop_assert_eq!(&done.decision.matches, &expected.matches);
        prop_assert_eq!(done.decision.verdict, expected.verdict);
    }
}

#[test]
fn nothing_of_a_secret_is_released_before_it_is_whole() {
    let text = "the key is AKIAIOSFODNN7EXAMPLE, keep it safe";
    let mut s = policy().stream();
    let mut out = String::new();
    for ch in text.chars() {
        out.push_str(&s.push(&ch.to_string()));
        // Never a prefix of the key's value beyond its first character
        // that the final text does not also show.
        assert!(!out.contains("AKIAI"), "{out}");
    }
    let done = s
        .finish(&EvaluationContext::default())
        .unwrap_or_else(|e| panic!("{e}"));
    out.push_str(&done.tail);
    assert_eq!(out, policy().redact_outcome(text).text);
    assert!(done.holdback > 0);
}

#[test]
fn a_long_stream_releases_as_it_goes() {
    let line = "Nothing secret on this line, just prose about the weather.\n";
    let mut s = policy().stream();
    let mut released = 0;
    for _ in 0..2000 {
        released += s.push(line).len();
        assert!(s.held_back() <= line.len() + 64 * 1024, "{}", s.held_back());
    }
    assert!(released > 0);
}

#[test]
fn invalid_utf8_is_an_error_naming_its_offset() {
    let mut s = policy().stream();
    assert_eq!(s.push_bytes(b"abc").ok(), Some(String::new()));
    let e = s.push_bytes(b"d\xffe").err();
    assert_eq!(e.map(|e| e.offset), Some(4));
    let mut cut = policy().stream();
    assert!(
        cut.push_bytes("é".as_bytes().get(..1).unwrap_or_default())
            .is_ok()
    );
    assert_eq!(
        cut.finish(&EvaluationContext::default())
            .err()
            .map(|e| e.offset),
        Some(0)
    );
}

#[test]
fn a_repeat_released_before_its_value_was_matched_is_counted() {
    // The value alone matches no rule; the assignment after it does, and
    // whole-text redaction then rewrites the earlier repeat too.
    let mut s = policy().stream();
    // Filler longer than the stream holds back, so the first repeat is out.
    let probe = policy().stream();
    let filler = "filler ".repeat(probe.holdback() / 7 + 100);
    let text =
        format!("first: Zq8-vLm3-Kw9x-Pt4r then {filler} password = \"Zq8-vLm3-Kw9x-Pt4r\"\n");
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(7) {
        out.push_str(&s.push_bytes(chunk).unwrap_or_else(|e| panic!("{e}")));
    }
    let done = s
        .finish(&EvaluationContext::default())
        .unwrap_or_else(|e| panic!("{e}"));
    out.push_str(&done.tail);
    let whole = policy().redact_outcome(&text).text;
    if whole.contains("Zq8-vLm3-Kw9x-Pt4r") {
        // The policy did not match it at all: nothing to compare.
        assert_eq!(out, whole);
    } else {
        assert!(done.late_repeats >= 1, "{out}");
        assert!(!done.decision.matches.is_empty());
        // Released before it was known; the assignment itself is redacted.
        assert!(out.starts_with("first: Zq8-vLm3-Kw9x-Pt4r"));
        assert!(out.ends_with(&format!(
            "\"[REDACTED:{}]\"\n",
            done.decision.matches[0].rule_id
        )));
    }
}

/// Every built-in rule's true-positive texts.
fn rule_examples() -> &'static [String] {
    static E: OnceLock<Vec<String>> = OnceLock::new();
    E.get_or_init(|| {
        govstream::dlp::packs::builtin_rules()
            .into_iter()
            .flat_map(|r| r.examples.true_positives.into_iter().map(|(text, _)| text))
            .collect()
    })
}

/// Whether a value the policy matches in `text` occurs there more than
/// once (whole-text redaction then rewrites the earlier one, which a stream
/// may have shown: the documented difference).
fn has_repeats(text: &str) -> bool {
    let d = policy().evaluate(text, &EvaluationContext::default());
    d.matches.iter().any(|m| {
        let value = text
            .get(m.span.byte_start..m.span.byte_end)
            .unwrap_or_default();
        !value.is_empty() && text.matches(value).count() > 1
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Every rule's examples between stretches of prose long enough for
    /// the stream to release text between them, cut anywhere.
    #[test]
    fn every_rules_examples_stream_as_the_whole_text(
        (text, cuts) in prop::collection::vec(
            (prop::sample::select(rule_examples().to_vec()), 0usize..3),
            1..6,
        )
        .prop_map(|parts| {
            let prose = "The weather was mild and nothing else happened that day. ";
            parts
                .into_iter()
                .map(|(example, n)| format!("{}{example}\n", prose.repeat(n)))
                .collect::<String>()
        })
        .prop_flat_map(|t| { let n = t.len(); (Just(t), cuts(n)) })
    ) {
        let (released, done) = stream_bytes(&text, &cuts);
        let expected = policy().evaluate(&text, &EvaluationContext::default());
        prop_assert_eq!(&done.decision.matches, &expected.matches);
        if !has_repeats(&text) {
            prop_assert_eq!(done.late_repeats, 0);
            prop_assert_eq!(&released, &policy().redact_outcome(&text).text);
        }
    }
}

#[test]
fn prose_is_released_a_few_hundred_bytes_behind() {
    let line = "Nothing secret on this line, just prose about the weather.\n";
    let mut s = policy().stream();
    let mut most = 0;
    for _ in 0..200 {
        s.push(line);
        most = most.max(s.held_back());
    }
    // At most one scan step (256 bytes) plus what the rules that can start
    // anywhere hold; the default policy could hold 16 KiB.
    assert!(most < 1024, "{most}");
    assert!(s.holdback() > 4096);
    let done = s
        .finish(&EvaluationContext::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.holdback, most);
}
