//! The built-in default policy on arbitrary text (arbitrary bytes are read
//! as UTF-8, invalid sequences replaced): scan, evaluate in both phases and
//! redact, and check that offsets are exact and that no matched value that
//! should be hidden survives in the rewritten text or in the records.

#![no_main]
// A panic is how a fuzz target reports a broken invariant.
#![allow(clippy::panic, clippy::expect_used)]

use govstream::policy::{EvaluationContext, Policy};
use govstream::schema::{Phase, Record, Verdict};
use govstream_fuzz::{check_decision, check_scan, value};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::default_policy().expect("the default policy compiles"))
}

/// `needle` occurs in `hay`; names where for the panic message.
fn assert_absent(hay: &str, needle: &str, what: &str) {
    if let Some(at) = hay.find(needle) {
        panic!("matched value {needle:?} is visible in {what} at byte {at}: {hay:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let policy = policy();
    check_scan(policy, text);

    let spans: Vec<_> = policy
        .scan(text)
        .matches
        .into_iter()
        .map(|m| m.span)
        .collect();
    for phase in [Phase::Prompt, Phase::Response] {
        let ctx = EvaluationContext {
            phase,
            timestamp_ms: Some(1_738_581_773_492),
            event_id: Some("0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57".into()),
            ..EvaluationContext::default()
        };
        let d = policy.evaluate(text, &ctx);
        check_decision(text, &d);
        let evaluated: Vec<_> = d.matches.iter().map(|m| m.span).collect();
        assert_eq!(
            evaluated, spans,
            "scan and evaluate disagree on the matches"
        );

        // The default policy names no AI tools, so only matches decide.
        let strongest = d.matches.iter().map(|m| m.action).max();
        assert_eq!(d.verdict, strongest.unwrap_or(Verdict::Allow));

        // What the host sends on at `redact` hides every value whose action
        // is `redact` or stronger.
        if d.verdict == Verdict::Redact {
            for m in d.matches.iter().filter(|m| m.action >= Verdict::Redact) {
                assert_absent(&d.redacted_text, value(text, m), "redacted_text");
            }
        }
        // The default logging level is `redacted`: no record shows any
        // matched value, whatever its action.
        for record in d.records() {
            let shown: Vec<&str> = match &record {
                Record::Event(e) => e
                    .prompt_summary
                    .iter()
                    .chain(&e.response_summary)
                    .map(|s| s.text.as_str())
                    .collect(),
                Record::DlpMatch(m) => m.snippet.iter().map(|s| s.text.as_str()).collect(),
                _ => Vec::new(),
            };
            for m in &d.matches {
                for s in &shown {
                    assert_absent(s, value(text, m), record.kind());
                }
            }
        }
    }

    let redacted = policy.redact(text);
    for m in &policy.scan(text).matches {
        assert_absent(&redacted, value(text, m), "Policy::redact output");
    }
});
