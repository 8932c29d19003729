//! Arbitrary policies on arbitrary text. The input is a policy document, a
//! NUL byte (which JSON text cannot hold unescaped), then the text. A policy
//! that compiles must evaluate any text without panicking, with exact
//! offsets and records that serialise; one that does not must say why at a
//! JSON path.

#![no_main]
// A panic is how a fuzz target reports a broken invariant.
#![allow(clippy::panic)]

use govstream::policy::{EvaluationContext, Policy, PolicyConfig};
use govstream::schema::Phase;
use govstream_fuzz::{check_decision, check_scan};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// Compiles `doc` with the built-in packs switched off, whatever it says of
/// them: compiling their 87 rules takes about a second under the sanitizer,
/// which would leave this target a few runs a minute for what it is about
/// (custom rules, overrides, allowlists, tools, actions, logging levels).
/// `scan_text` covers the packs; an override with `"enabled": true` still
/// brings single built-in rules in here.
fn compile(doc: &str) -> govstream::Result<Policy> {
    let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(doc) else {
        return Policy::from_json(doc);
    };
    map.insert(
        "packs".into(),
        json!({"secrets": false, "pii": false, "financial": false}),
    );
    let config = PolicyConfig::from_value(&Value::Object(map))
        .map_err(|problems| govstream::Error::Policy { problems })?;
    Policy::compile(&config)
}

fuzz_target!(|data: &[u8]| {
    let (doc, text) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        None => (data, &b""[..]),
    };
    let Ok(doc) = std::str::from_utf8(doc) else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let policy = match compile(doc) {
        Ok(p) => p,
        Err(govstream::Error::Policy { problems }) => {
            assert!(!problems.is_empty(), "a policy error without problems");
            for p in problems {
                assert!(p.path.starts_with('$'), "problem path {:?}", p.path);
            }
            return;
        }
        Err(e) => panic!("a policy fails with an error of another kind: {e}"),
    };
    check_scan(&policy, &text);
    for phase in [Phase::Prompt, Phase::Response] {
        let ctx = EvaluationContext {
            phase,
            // The tool lists of the policy decide for a hostname: take one
            // from the text so both the approved and the unknown paths run.
            tool: govstream::schema::ToolContext {
                hostname: text.split_whitespace().next().map(str::to_owned),
                ..Default::default()
            },
            ..EvaluationContext::default()
        };
        check_decision(&text, &policy.evaluate(&text, &ctx));
    }
    let _ = policy.redact(&text);
    let _ = policy.rules();
});
