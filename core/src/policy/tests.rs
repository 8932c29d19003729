//! Policy compilation and evaluation, end to end.

use super::*;
use crate::schema::{LoggingLevel, Record};
use proptest::prelude::*;

fn ctx() -> EvaluationContext {
    EvaluationContext {
        timestamp_ms: Some(1_795_339_200_000),
        ..EvaluationContext::default()
    }
}

fn records_json(d: &Decision) -> String {
    d.records()
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn default_policy_compiles_every_pack() {
    let p = Policy::default_policy().unwrap();
    let rules = p.rules();
    assert!(rules.len() >= 60, "{}", rules.len());
    for pack in packs::PACKS {
        assert!(rules.iter().any(|r| r.pack == pack), "{pack} missing");
    }
}

#[test]
fn policy_and_compiled_are_send_sync() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Policy>();
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let err = Policy::from_json(
        r#"{
        "org": {"id": "acme", "nmae": "typo"},
        "actions": {"prompt": {"high": "obliterate"}},
        "rules": {"disabled": ["pii.nope"], "overrides": {"secrets.nope": {"severity": "huge"}}},
        "custom_rules": [
            {"id": "acme.bad", "severity": "high", "pattern": "a(b"},
            {"id": "acme.none", "severity": "low"},
            {"id": "pii.email", "severity": "low", "pattern": "x"}
        ],
        "ai_tools": {"approved": ["https://chat.openai.com/"]},
        "logging": {"event": "verbose"},
        "max_scan_bytes": 10
    }"#,
    )
    .unwrap_err();
    let Error::Policy { problems } = &err else {
        panic!("{err:?}")
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    for want in [
        "$.org.nmae",
        "$.actions.prompt.high",
        "$.rules.overrides[\"secrets.nope\"].severity",
        "$.custom_rules[0].pattern",
        "$.custom_rules[1]",
        "$.ai_tools.approved[0]",
        "$.logging.event",
        "$.max_scan_bytes",
    ] {
        assert!(paths.contains(&want), "missing {want} in {paths:?}");
    }
    let msg = err.to_string();
    assert!(msg.contains("acme.bad"), "{msg}");
    assert!(msg.contains("obliterate"), "{msg}");
}

#[test]
fn unknown_rule_ids_and_clashes_are_compile_problems() {
    let err = Policy::from_json(
        r#"{"rules": {"disabled": ["pii.nope"]},
            "custom_rules": [{"id": "pii.email", "severity": "low", "pattern": "x"}]}"#,
    )
    .unwrap_err();
    let paths: Vec<String> = err.problems().iter().map(|p| p.path.clone()).collect();
    assert!(
        paths.contains(&"$.rules.disabled[0]".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"$.custom_rules[0].id".to_string()),
        "{paths:?}"
    );
}

#[test]
fn not_json_is_one_clear_problem() {
    let err = Policy::from_json("{ nope").unwrap_err();
    assert_eq!(err.problems().len(), 1);
    assert!(err.to_string().contains("not valid JSON"));
}

#[test]
fn aws_key_blocks_a_prompt_and_is_never_in_the_records() {
    let p = Policy::default_policy().unwrap();
    let text = "deploy with AKIAIOSFODNN7EXAMPLE please";
    let d = p.evaluate(text, &ctx());
    assert_eq!(d.verdict, Verdict::Block);
    assert_eq!(d.event_type.clone(), crate::schema::EventType::Blocked);
    assert!(
        d.reason_code.starts_with("dlp:secrets."),
        "{}",
        d.reason_code
    );
    let m = &d.matches[0];
    assert_eq!(
        &text[m.span.byte_start..m.span.byte_end],
        "AKIAIOSFODNN7EXAMPLE"
    );
    let json = records_json(&d);
    assert!(!json.contains("AKIAIOSFODNN7EXAMPLE"), "{json}");
    let e = d.event.unwrap();
    assert!(e.dlp.blocked_by_dlp && e.dlp.is_dlp_event);
    assert_eq!(e.dlp.max_severity, Some(Severity::Critical));
    assert_eq!(e.timestamp, "2026-11-22T09:20:00.000Z");
    assert_eq!(d.dlp_matches.len(), 1);
    assert_eq!(d.dlp_matches[0].event_id, e.event_id);
    assert!(
        d.dlp_matches[0]
            .snippet
            .as_ref()
            .unwrap()
            .text
            .contains("[REDACTED:")
    );
}

#[test]
fn redact_verdict_rewrites_only_what_it_must() {
    let p = Policy::from_json(
        r#"{"actions": {"prompt": {"medium": "redact", "low": "allow"}},
            "redaction": {"style": "placeholder"}}"#,
    )
    .unwrap();
    let text = "ask bob@example.com and bob@example.com, from 10.1.2.3";
    let d = p.evaluate(text, &ctx());
    assert_eq!(d.verdict, Verdict::Redact);
    assert_eq!(
        d.redacted_text,
        "ask [EMAIL_1] and [EMAIL_1], from 10.1.2.3"
    );
    // The summary hides every match, the allowed IP included.
    let summary = d.event.as_ref().unwrap().prompt_summary.clone().unwrap();
    assert!(!summary.text.contains("10.1.2.3"), "{}", summary.text);
    assert!(!summary.text.contains("bob@"), "{}", summary.text);
}

#[test]
fn logging_levels_shape_the_records() {
    let text = "my card 4111 1111 1111 1111 ok";
    for (level, summary, snippet) in [
        ("metadata", false, false),
        ("redacted", true, true),
        ("full", true, true),
    ] {
        let p = Policy::from_json(&format!(r#"{{"logging": "{level}"}}"#)).unwrap();
        let d = p.evaluate(text, &ctx());
        let e = d.event.as_ref().unwrap();
        assert_eq!(e.prompt_summary.is_some(), summary, "{level}");
        assert_eq!(d.dlp_matches[0].snippet.is_some(), snippet, "{level}");
        let json = records_json(&d);
        assert_eq!(
            json.contains("4111 1111 1111 1111"),
            level == "full",
            "{level}: {json}"
        );
    }
    let p = Policy::from_json(r#"{"logging": {"event": "off", "dlp_match": "off"}}"#).unwrap();
    let d = p.evaluate(text, &ctx());
    assert!(d.event.is_none() && d.dlp_matches.is_empty() && d.records().is_empty());
    assert_eq!(p.config().logging.audit, LoggingLevel::Redacted);
}

#[test]
fn ai_tools_decide_by_hostname() {
    let p = Policy::from_json(
        r#"{"ai_tools": {"approved": ["*.openai.com"], "blocked": ["*.deepseek.com"], "unknown_action": "warn"}}"#,
    )
    .unwrap();
    let with_host = |h: &str| {
        let mut c = ctx();
        c.tool.hostname = Some(h.into());
        p.evaluate("hello", &c)
    };
    assert_eq!(with_host("chat.openai.com").verdict, Verdict::Allow);
    let d = with_host("chat.deepseek.com");
    assert_eq!(
        (d.verdict, d.reason_code.as_str()),
        (Verdict::Block, "tool:blocked")
    );
    let d = with_host("gemini.google.com");
    assert_eq!(
        (d.verdict, d.reason_code.as_str()),
        (Verdict::Warn, "tool:unknown")
    );
}

#[test]
fn custom_rules_and_overrides_apply() {
    let p = Policy::from_json(
        r#"{
        "custom_rules": [
            {"id": "acme.project", "name": "Project code", "severity": "high", "pattern": "PRJ-[0-9]{6}", "keywords": ["prj-"], "label": "PROJECT"},
            {"id": "acme.codenames", "severity": "critical", "keyword_list": ["Bluebird", "Ærø"]}
        ],
        "rules": {"overrides": {"pii.email": {"action": "escalate"}}, "disabled": ["pii.ipv4"]},
        "packs": {"financial": false}
    }"#,
    )
    .unwrap();
    let ids: Vec<String> = p.rules().into_iter().map(|r| r.id).collect();
    assert!(!ids.iter().any(|i| i.starts_with("financial.")));
    assert!(!ids.contains(&"pii.ipv4".to_string()));
    let d = p.evaluate("ref PRJ-123456 for a@b.io", &ctx());
    let got: Vec<(&str, Verdict)> = d
        .matches
        .iter()
        .map(|m| (m.rule_id.as_str(), m.action))
        .collect();
    assert_eq!(
        got,
        vec![
            ("acme.project", Verdict::Redact),
            ("pii.email", Verdict::Escalate)
        ]
    );
    assert_eq!(d.verdict, Verdict::Escalate);
    let d = p.evaluate("the BLUEBIRD plan in ærø", &ctx());
    assert_eq!(d.matches.len(), 2, "{:?}", d.matches);
    assert_eq!(d.verdict, Verdict::Block);
}

#[test]
fn global_allowlist_suppresses_values() {
    let p = Policy::from_json(
        r#"{"allowlist": {"values": ["ops@acme.com"], "patterns": [".*@example\\.com"]}}"#,
    )
    .unwrap();
    let d = p.evaluate("ops@acme.com, x@example.com, eve@evil.io", &ctx());
    let found: Vec<&str> = d.matches.iter().map(|m| m.rule_id.as_str()).collect();
    assert_eq!(found, vec!["pii.email"]);
    assert_eq!(d.matches[0].span.start, 29);
}

#[test]
fn long_text_is_scanned_up_to_the_limit_and_says_so() {
    let p = Policy::from_json(r#"{"max_scan_bytes": 1024}"#).unwrap();
    let mut text = "word ".repeat(300);
    text.push_str("AKIAIOSFODNN7EXAMPLE");
    let d = p.evaluate(&text, &ctx());
    assert!(d.scan_truncated);
    let e = d.event.unwrap();
    assert!(e.degraded && e.dlp.scan_truncated);
    assert_eq!(e.dlp.scanned_length, Some(1024));
}

#[test]
fn repeated_values_are_redacted_everywhere() {
    // The second SSN has no context word nearby; it is still the same value.
    let p = Policy::default_policy().unwrap();
    let text = format!("SSN 123-45-6789 {} again 123-45-6789", "filler ".repeat(30));
    let d = p.evaluate(&text, &ctx());
    assert!(!records_json(&d).contains("123-45-6789"));
}

#[test]
fn many_threads_agree_with_one() {
    let p = Policy::default_policy().unwrap();
    let texts: Vec<String> = (0..64)
        .map(|i| {
            format!(
                "user{i}@corp.com sent AKIAIOSFODNN7EXAMPL{} and 4111-1111-1111-1111",
                i % 10
            )
        })
        .collect();
    let seq: Vec<Vec<MatchInfo>> = texts
        .iter()
        .map(|t| p.evaluate(t, &ctx()).matches)
        .collect();
    let par: Vec<Vec<MatchInfo>> = std::thread::scope(|s| {
        let handles: Vec<_> = texts
            .chunks(16)
            .map(|chunk| {
                let p = p.clone();
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|t| p.evaluate(t, &ctx()).matches)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(seq, par);
}

/// Pieces that make realistic texts dense with findings.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ,.]{0,30}",
        "[😀é中ש\u{301} ]{0,8}",
        Just("jane.doe@example.com".to_string()),
        Just("AKIAIOSFODNN7EXAMPLE".to_string()),
        Just("4111 1111 1111 1111".to_string()),
        Just("SSN 123-45-6789".to_string()),
        Just("ghp_abcdefghijklmnopqrstuvwxyz0123456789".to_string()),
        Just("+1 (415) 555-0134".to_string()),
        Just("GB82 WEST 1234 5698 7654 32".to_string()),
        Just("postgres://admin:s3cr3tP4ss@db.internal:5432/app".to_string()),
        Just("password=Tr0ub4dor&3xyz!".to_string()),
    ]
}

/// Policies compiled once per test run: compiling is the slow part of a
/// property case in a debug build.
fn cached_policy(json: &str) -> Policy {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Policy>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    cache
        .entry(json.to_string())
        .or_insert_with(|| Policy::from_json(json).unwrap())
        .clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Below `full`, no emitted record contains a matched value.
    #[test]
    fn no_matched_value_below_full(
        pieces in proptest::collection::vec(piece(), 0..12),
        level in prop_oneof![Just("metadata"), Just("redacted")],
        style in prop_oneof![Just("mask"), Just("label"), Just("placeholder"), Just("hash"), Just("partial")],
        phase in prop_oneof![Just(Phase::Prompt), Just(Phase::Response)],
    ) {
        let p = cached_policy(&format!(
            r#"{{"logging": "{level}", "redaction": {{"style": "{style}"}}}}"#
        ));
        let text = pieces.join(" ");
        let mut c = ctx();
        c.phase = phase;
        let d = p.evaluate(&text, &c);
        let json = records_json(&d);
        for m in &d.matches {
            let value = &text[m.span.byte_start..m.span.byte_end];
            prop_assert!(!json.contains(value), "{} leaked in {}", value, json);
        }
    }

    /// Every match's span slices back to the same value in every unit:
    /// bytes (Rust), code points (Python), UTF-16 units (JavaScript).
    #[test]
    fn spans_agree_in_every_unit(pieces in proptest::collection::vec(piece(), 0..10)) {
        let p = cached_policy("{}");
        let text = pieces.join("");
        let chars: Vec<char> = text.chars().collect();
        let utf16: Vec<u16> = text.encode_utf16().collect();
        for m in p.scan(&text).matches {
            let by_bytes = &text[m.span.byte_start..m.span.byte_end];
            let by_chars: String = chars[m.span.start..m.span.end].iter().collect();
            let by_utf16 = String::from_utf16(&utf16[m.span.utf16_start..m.span.utf16_end]).unwrap();
            prop_assert_eq!(by_bytes, by_chars.as_str());
            prop_assert_eq!(by_bytes, by_utf16.as_str());
        }
    }

    /// Evaluation never panics, whatever the text and context.
    #[test]
    fn evaluate_never_panics(text in "\\PC{0,300}", host in "\\PC{0,20}", phase in any::<bool>()) {
        let p = cached_policy(r#"{"ai_tools": {"approved": ["*.openai.com"], "unknown_action": "warn"}}"#);
        let mut c = ctx();
        c.tool.hostname = Some(host);
        c.phase = if phase { Phase::Response } else { Phase::Prompt };
        let d = p.evaluate(&text, &c);
        for m in &d.matches {
            prop_assert!(text.get(m.span.byte_start..m.span.byte_end).is_some());
        }
        let _ = records_json(&d);
    }
}

#[test]
fn records_are_tagged() {
    let p = Policy::default_policy().unwrap();
    let d = p.evaluate("a@b.io", &ctx());
    let recs = d.records();
    assert!(matches!(recs[0], Record::Event(_)));
    assert!(matches!(recs[1], Record::DlpMatch(_)));
}

/// The complete example in `docs/policy.md` compiles and behaves as the
/// page says.
#[test]
fn documented_example_policy_compiles() {
    let doc = include_str!("../../../docs/policy.md");
    let example = doc.find("## A complete example").unwrap();
    let start = example + doc[example..].find("```json\n").unwrap() + 8;
    let end = start + doc[start..].find("```").unwrap();
    let p = Policy::from_json(&doc[start..end]).unwrap();
    assert_eq!(p.config().org_id, "org_acme");
    let d = p.evaluate("our Bluebird launch, ref PRJ-123456", &ctx());
    assert_eq!(d.verdict, Verdict::Block);
    assert_eq!(d.redacted_text, "our [CODENAMES_1] launch, ref [PROJECT_1]");
    // Personal data is in monitor mode there: recorded, not enforced.
    let d = p.evaluate("ssn 123-45-6789", &ctx());
    assert_eq!(d.verdict, Verdict::Allow);
    assert_eq!(d.would_verdict, Some(Verdict::Redact));
    assert_eq!(d.redacted_text, "ssn 123-45-6789");
}

/// Past `limits.max_matches`, a match is not listed, but it is still a value
/// no record may show: not in a listed neighbour's snippet, not in the
/// summary, not in the forwarded text when its action rewrites.
#[test]
fn unlisted_matches_never_show_in_records() {
    let p = Policy::from_json(r#"{"limits": {"max_matches": 1}}"#).unwrap();
    let text = "mail first@acme.example then second@acme.example and third@acme.example";
    let d = p.evaluate(text, &ctx());
    assert_eq!(d.matches.len(), 1);
    assert_eq!(d.omitted_matches, 2);
    let json = records_json(&d);
    for value in ["first@", "second@", "third@"] {
        assert!(!json.contains(value), "{value} in {json}");
    }
    assert_eq!(d.dlp_matches.len(), 1);
    let snippet = d.dlp_matches[0].snippet.as_ref().unwrap();
    assert!(
        snippet
            .text
            .contains("[REDACTED:pii.email] then [REDACTED:pii.email]")
    );
}

/// A text with many matches is rewritten for records only as far as they
/// show it; the summary still says it was cut.
#[test]
fn records_of_a_match_dense_text_stop_after_the_listed_matches() {
    let p = Policy::from_json(r#"{"limits": {"max_matches": 3}}"#).unwrap();
    let text = "ip 10.1.2.3 ".repeat(5_000);
    let d = p.evaluate(&text, &ctx());
    assert_eq!(d.omitted_matches, 5_000 - 3);
    let event = d.event.as_ref().unwrap();
    let summary = event.prompt_summary.as_ref().unwrap();
    assert!(summary.truncated);
    assert!(!records_json(&d).contains("10.1.2.3"));
    assert_eq!(event.dlp.total_matches, 5_000);
}

/// Found by fuzzing: a password (action `redact`) repeated inside an email
/// address (action `warn`) stayed readable in the text to forward, because
/// the repeat overlapped the weaker match and was skipped.
#[test]
fn a_redacted_value_inside_a_weaker_match_is_rewritten_there_too() {
    let p = Policy::default_policy().unwrap();
    let text = "DATABASE_URL=postgres://app:Xk9mP2vL8qR@db.internal:5432/app\n\
                and the admin login is Xk9mP2vL8qR@acme-corp.com";
    let d = p.evaluate(text, &ctx());
    assert_eq!(d.verdict, Verdict::Redact);
    assert!(
        !d.redacted_text.contains("Xk9mP2vL8qR"),
        "{}",
        d.redacted_text
    );
    assert!(!p.redact(text).contains("Xk9mP2vL8qR"));
    assert!(!records_json(&d).contains("Xk9mP2vL8qR"));
    let minimal = "postgres://:vL8@vL8@b.ng";
    let d = p.evaluate(minimal, &ctx());
    if d.verdict >= Verdict::Redact {
        assert!(!d.redacted_text.contains("vL8"), "{}", d.redacted_text);
    }
}

#[test]
fn into_records_are_the_records() {
    let texts = [
        "nothing",
        "mail jane@acme.com, key AKIAIOSFODNN7EXAMPLE, card 4111 1111 1111 1111",
    ];
    for level in ["off", "metadata", "redacted", "full"] {
        let p = Policy::from_json(&format!(r#"{{"logging": "{level}"}}"#)).unwrap();
        for text in texts {
            let d = p.evaluate(text, &ctx());
            let records = d.records();
            assert_eq!(d.into_records(), records, "{level}: {text}");
        }
    }
}
