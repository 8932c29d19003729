//! Policy documents that used to be accepted while meaning something else,
//! or whose problems were reported at the wrong place, read through the
//! public API as an integrator calls it: each must fail with every problem
//! at the path of the field to fix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::Problem;
use govstream::dlp::MAX_COMPILED_REGEX_BYTES;
use govstream::policy::{Policy, PolicyConfig};
use govstream::schema::LoggingLevel;

/// The problems of `json`, which must be refused by both readers alike.
fn problems(json: &str) -> Vec<Problem> {
    let from_config = PolicyConfig::from_json(json).expect_err("PolicyConfig accepted it");
    let from_policy = Policy::from_json(json).expect_err("Policy accepted it");
    assert_eq!(from_policy.problems(), from_config.as_slice());
    from_config
}

fn at<'a>(problems: &'a [Problem], path: &str) -> &'a Problem {
    problems
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("no problem at {path} in {problems:?}"))
}

#[test]
fn a_key_given_twice_is_a_problem_not_the_last_value() {
    let ps = problems(r#"{"logging": "metadata", "logging": "full"}"#);
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert_eq!(ps[0].path, "$.logging");
    assert!(
        ps[0].message.contains("duplicate key `logging`"),
        "{}",
        ps[0].message
    );
    // The same key in different objects is no duplicate.
    let cfg = PolicyConfig::from_json(
        r#"{"logging": {"event": "metadata", "audit": "full"}, "org": {"id": "event"}}"#,
    )
    .unwrap();
    assert_eq!(cfg.logging.event, LoggingLevel::Metadata);
}

#[test]
fn duplicates_are_found_at_any_depth_and_reported_with_every_other_problem() {
    let ps = problems(
        r#"{
        "org": {"id": "acme", "id": "acme2"},
        "rules": {"overrides": {"pii.email": {"severity": "low", "severity": "high"}}},
        "custom_rules": [
            {"id": "acme.x", "severity": "low", "pattern": "x", "pattern": ".*"}
        ],
        "actions": {"prompt": {"high": "obliterate"}}
    }"#,
    );
    let paths: Vec<&str> = ps.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.org.id",
            "$.rules.overrides[\"pii.email\"].severity",
            "$.custom_rules[0].pattern",
            "$.actions.prompt.high",
        ]
    );
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
fn keywords_must_be_ascii_and_not_empty() {
    let ps = problems(
        r#"{"custom_rules": [{"id": "acme.cafe", "severity": "low", "pattern": "(?i)café-[0-9]+",
            "keywords": ["caf", "café", ""]}]}"#,
    );
    let paths: Vec<&str> = ps.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "$.custom_rules[0].keywords[1]",
            "$.custom_rules[0].keywords[2]"
        ]
    );
    assert!(ps[0].message.contains("ASCII"), "{}", ps[0].message);
    // Non-ASCII words in a `keyword_list` are matched by the regex itself
    // and remain fine.
    let cfg = PolicyConfig::from_json(
        r#"{"custom_rules": [{"id": "acme.names", "severity": "low", "keyword_list": ["Zürich"]}]}"#,
    )
    .unwrap();
    assert_eq!(cfg.custom_rules.len(), 1);
}

#[test]
fn typed_pieces_of_a_custom_rule_report_the_inner_path() {
    let ps = problems(
        r#"{"custom_rules": [
            {"id": "a.ctx", "severity": "low", "pattern": "x", "context": {"words": ["w"], "window": -1}},
            {"id": "a.words", "severity": "low", "pattern": "x", "context": {"words": ["w", 7]}},
            {"id": "a.typo", "severity": "low", "pattern": "x", "context": {"words": ["w"], "windw": 4}},
            {"id": "a.allow", "severity": "low", "pattern": "x", "allowlist": {"values": [true]}},
            {"id": "a.kind", "severity": "low", "pattern": "x", "validator": {"kind": "lunh"}}
        ]}"#,
    );
    for path in [
        "$.custom_rules[0].context.window",
        "$.custom_rules[1].context.words[1]",
        "$.custom_rules[2].context.windw",
        "$.custom_rules[3].allowlist.values[0]",
        "$.custom_rules[4].validator.kind",
    ] {
        at(&ps, path);
    }
    assert!(
        at(&ps, "$.custom_rules[0].context.window")
            .message
            .contains("-1")
    );
    assert!(
        at(&ps, "$.custom_rules[4].validator.kind")
            .message
            .contains("lunh")
    );
    assert_eq!(ps.len(), 5, "{ps:?}");
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
