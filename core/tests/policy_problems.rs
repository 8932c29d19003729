//! Policy documents that used to be accepted while meaning something else,
//! or whose problems were reported at the wrong place, read through the
//! public API as an integrator calls it: each must fail with every problem
//! at the path of the field to fix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::Problem;
use govstream::dlp::MAX_COMPILED_REGEX_BYTES;
use govstream::policy::{Policy, PolicyConfig};

/// The problems of `json`, which must be refused by both readers alike.
fn problems(json: &str) -> Vec<Problem> {
    let from_config = PolicyConfig::from_json(json).expect_err("PolicyConfig accepted it");
    let from_policy = Policy::from_json(json).expect_err("Policy accepted it");
    assert_eq!(from_policy.problems(), from_config.as_slice());
    from_config
}

#[test]
fn a_pattern_that_can_never_report_is_refused_at_its_path() {
    for pattern in ["", "(?:)", r"\b", "^$", "a{0}", "x(?P<value>)"] {
        let json = format!(
            r#"{{"custom_rules": [{{"id": "acme.ok", "severity": "low", "pattern": "ok"}},
                {{"id": "acme.never", "severity": "low", "pattern": {}}}]}}"#,
            serde_json::to_string(pattern).unwrap()
        );
        let ps = problems(&json);
        assert_eq!(ps.len(), 1, "{pattern:?}: {ps:?}");
        assert_eq!(ps[0].path, "$.custom_rules[1].pattern", "{pattern:?}");
        assert!(ps[0].message.contains("acme.never"), "{}", ps[0].message);
        assert!(
            ps[0].message.contains("empty"),
            "{pattern:?}: {}",
            ps[0].message
        );
    }
    // A pattern that may match the empty string but also something else
    // is fine: the scanner drops the empty matches.
    PolicyConfig::from_json(
        r#"{"custom_rules": [{"id": "acme.opt", "severity": "low", "pattern": "x*"}]}"#,
    )
    .unwrap();
}

#[test]
fn rule_compile_problems_point_at_their_own_field() {
    let ps = problems(
        r#"{"custom_rules": [{"id": "acme.parts", "severity": "low", "pattern": "x[0-9]+",
            "allowlist": {"patterns": ["x1", "x(2"]}, "max_len": 0}]}"#,
    );
    let paths: Vec<&str> = ps.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.custom_rules[0].allowlist.patterns[1]",
            "$.custom_rules[0].max_len"
        ]
    );
    assert!(ps[0].message.contains("x(2"), "{}", ps[0].message);
    assert!(
        ps[0].message.contains("unclosed group"),
        "{}",
        ps[0].message
    );
}

#[test]
fn an_oversized_regex_names_the_rule_and_the_limit() {
    let ps = problems(
        r#"{"custom_rules": [{"id": "acme.huge", "severity": "low", "pattern": "\\w{1000}{1000}"}]}"#,
    );
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert_eq!(ps[0].path, "$.custom_rules[0].pattern");
    let m = &ps[0].message;
    assert!(m.contains("acme.huge"), "{m}");
    assert!(
        m.contains(&format!("{MAX_COMPILED_REGEX_BYTES} bytes")),
        "{m}"
    );
    assert!(!m.contains("error building NFA"), "{m}");
}
