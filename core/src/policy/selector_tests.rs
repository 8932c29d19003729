//! Packs, categories, globs and monitor mode, end to end: what a policy
//! author writes and what evaluation then does.

use super::*;
use crate::schema::{EventType, Record};

fn policy(json: &str) -> Policy {
    Policy::from_json(json).unwrap_or_else(|e| panic!("{e}"))
}

fn problems(json: &str) -> Vec<(String, String)> {
    match Policy::from_json(json) {
        Err(Error::Policy { problems }) => {
            problems.into_iter().map(|p| (p.path, p.message)).collect()
        }
        other => panic!("expected policy problems, got {other:?}"),
    }
}

fn rule(p: &Policy, id: &str) -> RuleInfo {
    p.rules()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} not enabled"))
}

const AWS: &str = "key AKIAIOSFODNN7EXAMPLE";
const EMAIL: &str = "mail jane.doe@acme.com";

fn response() -> EvaluationContext {
    EvaluationContext {
        phase: Phase::Response,
        ..EvaluationContext::default()
    }
}

/// The policy docs/policy.md opens with.
const BLOCK_SECRETS_REDACT_PII: &str = r#"{
  "categories": {
    "secret": { "action": { "prompt": "block" } },
    "pii": { "action": "redact" }
  }
}"#;

/// The precedence example of docs/policy.md.
const PRECEDENCE: &str = r#"{
    "packs": {"pii": {"action": "warn"}},
    "categories": {"pii": {"action": "redact"}},
    "rules": {"overrides": {
        "pii.*": {"action": "escalate"},
        "pii.e*": {"action": "block"},
        "pii.email": {"action": {"response": "allow"}}
    }}
}"#;

/// The monitor-mode example of docs/policy.md.
const ENFORCE_SECRETS_MONITOR_THE_REST: &str =
    r#"{"monitor": true, "categories": {"secret": {"monitor": false}}}"#;

/// The policies above are the ones docs/policy.md shows, so what these
/// tests check is what the reader is told.
#[test]
fn the_documented_policies_are_the_tested_ones() {
    let doc = include_str!("../../../docs/policy.md");
    let blocks: Vec<&str> = doc
        .split("```json\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    let blocks: Vec<serde_json::Value> = blocks
        .iter()
        .map(|b| serde_json::from_str(b).unwrap_or_else(|e| panic!("{e}: {b}")))
        .collect();
    for policy in [
        BLOCK_SECRETS_REDACT_PII,
        PRECEDENCE,
        ENFORCE_SECRETS_MONITOR_THE_REST,
    ] {
        let want: serde_json::Value = serde_json::from_str(policy).unwrap_or_default();
        assert!(
            blocks.contains(&want),
            "docs/policy.md does not show {policy}"
        );
    }
}

#[test]
fn block_secrets_in_prompts_and_redact_personal_data_in_five_lines() {
    let p = policy(BLOCK_SECRETS_REDACT_PII);
    let ctx = EvaluationContext::default();
    assert_eq!(p.evaluate(AWS, &ctx).verdict, Verdict::Block);
    let d = p.evaluate(EMAIL, &ctx);
    assert_eq!(d.verdict, Verdict::Redact);
    assert_eq!(d.redacted_text, "mail [REDACTED:pii.email]");
    // Low-severity personal data too, which the default only counts.
    let ip = p.evaluate("from 203.0.113.7", &ctx);
    assert_eq!(ip.verdict, Verdict::Redact, "{:?}", ip.matches);
    // Only prompts were named for secrets: a response keeps the default
    // (critical → redact).
    assert_eq!(p.evaluate(AWS, &response()).verdict, Verdict::Redact);
    for r in p.rules() {
        if r.category == Category::Secret {
            assert_eq!(r.prompt_action, Verdict::Block, "{}", r.id);
            assert_eq!(r.prompt_action_from, "$.categories.secret.action");
        }
        if r.category == Category::Pii {
            assert_eq!(
                (r.prompt_action, r.response_action),
                (Verdict::Redact, Verdict::Redact),
                "{}",
                r.id
            );
        }
    }
}

#[test]
fn rule_beats_glob_beats_category_beats_pack_beats_severity() {
    let p = policy(PRECEDENCE);
    let email = rule(&p, "pii.email");
    // The rule's own override names only responses; prompts fall to the
    // most specific glob.
    assert_eq!(email.response_action, Verdict::Allow);
    assert_eq!(
        email.response_action_from,
        "$.rules.overrides[\"pii.email\"].action"
    );
    assert_eq!(email.prompt_action, Verdict::Block);
    assert_eq!(
        email.prompt_action_from,
        "$.rules.overrides[\"pii.e*\"].action"
    );
    let phone = p
        .rules()
        .into_iter()
        .find(|r| r.id.starts_with("pii.") && !r.id.starts_with("pii.e"));
    let phone = phone.unwrap_or_else(|| panic!("a pii rule"));
    assert_eq!(phone.prompt_action, Verdict::Escalate);
    // As docs/policy.md says: every pii rule matches `pii.*`, so neither
    // the category's nor the pack's action reaches any of them.
    for r in p.rules().iter().filter(|r| r.pack == "pii") {
        assert!(
            r.prompt_action_from.starts_with("$.rules.overrides"),
            "{}: {}",
            r.id,
            r.prompt_action_from
        );
    }

    // Without globs the category decides, without it the pack, without
    // that the severity table.
    let p = policy(
        r#"{"packs": {"pii": {"action": "warn"}}, "categories": {"pii": {"action": "redact"}}}"#,
    );
    assert_eq!(rule(&p, "pii.email").prompt_action, Verdict::Redact);
    let p = policy(r#"{"packs": {"pii": {"action": "block"}}}"#);
    assert_eq!(rule(&p, "pii.email").prompt_action, Verdict::Block);
    assert_eq!(
        rule(&p, "pii.email").prompt_action_from,
        "$.packs.pii.action"
    );
    let p = policy(r#"{"packs": {"financial": {"action": "block"}}}"#);
    assert_eq!(
        rule(&p, "pii.email").prompt_action_from,
        "$.actions.prompt.medium"
    );
}

#[test]
fn each_setting_comes_from_the_most_specific_selector_that_gives_it() {
    // The override raises the severity; the action still comes from the
    // category, which is more specific than the severity table.
    let p = policy(
        r#"{
        "categories": {"pii": {"action": "warn"}},
        "rules": {"overrides": {"pii.email": {"severity": "critical"}}}
    }"#,
    );
    let email = rule(&p, "pii.email");
    assert_eq!(
        (email.severity, email.prompt_action),
        (Severity::Critical, Verdict::Warn)
    );
    // A severity from a glob feeds the table when nothing sets the action.
    let p = policy(r#"{"rules": {"overrides": {"pii.*": {"severity": "critical"}}}}"#);
    let email = rule(&p, "pii.email");
    assert_eq!(
        (email.prompt_action, email.response_action),
        (Verdict::Block, Verdict::Redact)
    );
}

#[test]
fn enabled_follows_the_same_order_and_rules_disabled_sits_below_the_rules_own_override() {
    let p = policy(
        r#"{"packs": {"pii": false}, "rules": {"overrides": {"pii.e*": {"enabled": true}}}}"#,
    );
    assert!(p.rules().iter().any(|r| r.id == "pii.email"));
    assert!(
        !p.rules()
            .iter()
            .any(|r| r.pack == "pii" && !r.id.starts_with("pii.e"))
    );
    let p = policy(
        r#"{"rules": {"disabled": ["pii.email"], "overrides": {"pii.*": {"enabled": true}}}}"#,
    );
    assert!(!p.rules().iter().any(|r| r.id == "pii.email"));
    let p = policy(
        r#"{"rules": {"disabled": ["pii.email"], "overrides": {"pii.email": {"enabled": true}}}}"#,
    );
    assert!(p.rules().iter().any(|r| r.id == "pii.email"));
    let p = policy(r#"{"categories": {"secret": {"enabled": false}}}"#);
    assert!(p.rules().iter().all(|r| r.category != Category::Secret));
    // The boolean form and the object form say the same.
    let a = policy(r#"{"packs": {"financial": false}}"#).rules();
    let b = policy(r#"{"packs": {"financial": {"enabled": false}}}"#).rules();
    assert_eq!(a, b);
}

#[test]
fn a_verdict_alone_is_short_for_its_action() {
    let short = policy(
        r#"{"packs": {"secrets": "block"}, "categories": {"pii": "redact"}, "rules": {"overrides": {"financial.*": "escalate"}}}"#,
    );
    let long = policy(
        r#"{"packs": {"secrets": {"action": "block"}}, "categories": {"pii": {"action": "redact"}},
            "rules": {"overrides": {"financial.*": {"action": "escalate"}}}}"#,
    );
    let strip = |p: &Policy| -> Vec<(String, Verdict, Verdict)> {
        p.rules()
            .into_iter()
            .map(|r| (r.id, r.prompt_action, r.response_action))
            .collect()
    };
    assert_eq!(strip(&short), strip(&long));
    let got = problems(r#"{"categories": {"pii": "obliterate"}}"#);
    assert_eq!(got[0].0, "$.categories.pii");
    assert!(
        got[0].1.starts_with("unknown verdict `obliterate`"),
        "{got:?}"
    );
}

#[test]
fn globs_and_categories_apply_to_custom_rules_too() {
    let p = policy(
        r#"{
        "custom_rules": [{"id": "acme.code", "category": "pii", "severity": "low", "pattern": "\\bPRJ-[0-9]{6}\\b"}],
        "categories": {"pii": {"action": "redact"}},
        "rules": {"overrides": {"acme.*": {"monitor": true}}}
    }"#,
    );
    let code = rule(&p, "acme.code");
    assert_eq!((code.prompt_action, code.monitor), (Verdict::Redact, true));
}

#[test]
fn selector_problems_are_reported_with_their_paths() {
    let got = problems(
        r#"{
        "packs": {"secrets": {"action": "obliterate", "zz": 1}, "pii": 3},
        "categories": {"secrets": {"action": "block"}, "pii": {"monitor": "yes"}},
        "rules": {"overrides": {"secrets.nope*": {"action": "block"}, "pii.[a]*": {}}},
        "monitor": 1
    }"#,
    );
    let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    for want in [
        "$.packs.secrets.action",
        "$.packs.secrets.zz",
        "$.packs.pii",
        "$.categories.secrets",
        "$.categories.pii.monitor",
        "$.rules.overrides[\"secrets.nope*\"]",
        "$.rules.overrides[\"pii.[a]*\"]",
        "$.monitor",
    ] {
        assert!(paths.contains(&want), "{want} missing from {got:?}");
    }
    let glob = got
        .iter()
        .find(|(p, _)| p == "$.rules.overrides[\"secrets.nope*\"]")
        .map(|(_, m)| m.as_str());
    assert_eq!(
        glob,
        Some("glob `secrets.nope*` matches no rule (`govstream rules` lists them)")
    );
}

#[test]
fn a_monitored_policy_enforces_allow_and_records_what_it_would_do() {
    let p = policy(r#"{"monitor": true, "ai_tools": {"blocked": ["*.deepseek.com"]}}"#);
    let ctx = EvaluationContext {
        request_id: Some("req-7".into()),
        ..EvaluationContext::default()
    };
    let text = "key AKIAIOSFODNN7EXAMPLE card 4111 1111 1111 1111";
    let d = p.evaluate(text, &ctx);
    assert_eq!(
        (d.verdict, d.reason_code.as_str()),
        (Verdict::Allow, "none")
    );
    assert_eq!(d.would_verdict, Some(Verdict::Block));
    assert_eq!(
        d.would_reason_code.as_deref(),
        Some("dlp:secrets.aws_access_key_id")
    );
    // Nothing the user sees changes: no rewrite.
    assert_eq!(d.redacted_text, text);
    assert!(d.matches.iter().all(|m| m.monitor));
    let event = d.event.as_ref().unwrap_or_else(|| panic!("an event"));
    assert_eq!(event.event_type, EventType::Request);
    assert_eq!(event.would_verdict, Some(Verdict::Block));
    assert!(!event.dlp.blocked_by_dlp);
    assert!(event.redactions.is_empty());
    assert!(event.policy_results.iter().all(|r| r.monitor));
    for m in &d.dlp_matches {
        assert!(m.monitor);
        assert_eq!(m.request_id.as_deref(), Some("req-7"));
        assert!(m.action.is_some());
    }
    // Records still never show a value.
    let lines: Vec<String> = d
        .records()
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    assert!(lines.iter().all(|l| !l.contains("AKIAIOSFODNN7EXAMPLE")));

    let tool = p.evaluate(
        "hi",
        &EvaluationContext {
            tool: crate::schema::ToolContext {
                hostname: Some("chat.deepseek.com".into()),
                ..Default::default()
            },
            ..EvaluationContext::default()
        },
    );
    assert_eq!(
        (tool.verdict, tool.would_verdict),
        (Verdict::Allow, Some(Verdict::Block))
    );
    assert_eq!(tool.would_reason_code.as_deref(), Some("tool:blocked"));
}

#[test]
fn a_monitored_rule_in_an_enforced_policy_leaves_the_others_enforced() {
    let p = policy(
        r#"{"rules": {"overrides": {"pii.email": {"action": "block", "monitor": true}}},
            "actions": {"prompt": {"high": "redact"}}}"#,
    );
    let d = p.evaluate(
        "mail jane.doe@acme.com card 4111 1111 1111 1111",
        &EvaluationContext::default(),
    );
    assert_eq!(d.verdict, Verdict::Redact);
    assert_eq!(d.reason_code, "dlp:financial.card_visa");
    assert_eq!(d.would_verdict, Some(Verdict::Block));
    assert_eq!(d.would_reason_code.as_deref(), Some("dlp:pii.email"));
    // The card is rewritten, the monitored email is not.
    assert_eq!(
        d.redacted_text,
        "mail jane.doe@acme.com card [REDACTED:financial.card_visa]"
    );
    let event = d.event.as_ref().unwrap_or_else(|| panic!("an event"));
    let kinds: Vec<&str> = event.redactions.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["financial.card_visa"]);

    // Monitoring a weaker rule changes nothing enforced: no would-be verdict.
    let d = p.evaluate(
        "mail jane.doe@acme.com key AKIAIOSFODNN7EXAMPLE",
        &EvaluationContext::default(),
    );
    assert_eq!((d.verdict, d.would_verdict), (Verdict::Block, None));
}

#[test]
fn a_rule_can_be_enforced_inside_a_monitored_policy() {
    let p = policy(ENFORCE_SECRETS_MONITOR_THE_REST);
    let d = p.evaluate(
        "key AKIAIOSFODNN7EXAMPLE mail jane.doe@acme.com",
        &EvaluationContext::default(),
    );
    assert_eq!(d.verdict, Verdict::Block);
    assert_eq!(d.would_verdict, None);
    let d = p.evaluate(EMAIL, &EvaluationContext::default());
    assert_eq!(
        (d.verdict, d.would_verdict),
        (Verdict::Allow, Some(Verdict::Warn))
    );
}

#[test]
fn a_truncated_text_in_a_monitored_policy_is_passed_on_and_flagged() {
    let p = policy(r#"{"monitor": true, "limits": {"max_scan_bytes": 1024}}"#);
    let text = "a".repeat(3000);
    let d = p.evaluate(&text, &EvaluationContext::default());
    assert_eq!(
        (d.verdict, d.would_verdict),
        (Verdict::Allow, Some(Verdict::Block))
    );
    assert_eq!(d.would_reason_code.as_deref(), Some("scan_truncated"));
    assert_eq!(d.redacted_text, text);
    let event = d.event.as_ref().unwrap_or_else(|| panic!("an event"));
    assert!(event.degraded);
}

#[test]
fn request_ids_reach_every_record_and_are_scrubbed_below_full() {
    let p = policy("{}");
    let ctx = EvaluationContext {
        request_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
        ..EvaluationContext::default()
    };
    let d = p.evaluate(EMAIL, &ctx);
    for r in d.records() {
        let json = serde_json::to_string(&r).unwrap_or_default();
        assert!(!json.contains("AKIAIOSFODNN7EXAMPLE"), "{json}");
        if let Record::DlpMatch(m) = r {
            assert_eq!(
                m.request_id.as_deref(),
                Some("[REDACTED:secrets.aws_access_key_id]")
            );
            assert_eq!(m.action, Some(Verdict::Warn));
        }
    }
}
