//! Alerts are built from records alone: a value that appears only in the
//! evaluated prompt (a secret, a personal email address) never reaches a
//! Slack, Teams, PagerDuty, Opsgenie, email or webhook alert below the
//! `full` logging level — even with every channel including text.

#![allow(clippy::unwrap_used, clippy::panic)]

use govstream::notify::{Alert, Delivery, Notifier};
use govstream::policy::{EvaluationContext, Policy};
use proptest::prelude::*;
use std::sync::LazyLock;

/// Compiled once: compiling per case would dominate the test's time.
static DEFAULT_POLICY: LazyLock<Policy> = LazyLock::new(|| Policy::default_policy().unwrap());

const NOW: i64 = 1_738_581_773_492;

fn notifier() -> Notifier {
    Notifier::from_json(
        r#"{
        "channels": [
            {"id": "slack", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/X", "include_text": true, "dedup_window_secs": 0},
            {"id": "teams", "kind": "teams", "url": "https://example.logic.azure.com/wf", "include_text": true, "dedup_window_secs": 0},
            {"id": "pd", "kind": "pagerduty", "routing_key": "k", "include_text": true, "dedup_window_secs": 0},
            {"id": "og", "kind": "opsgenie", "api_key": "k", "include_text": true, "dedup_window_secs": 0},
            {"id": "mail", "kind": "email", "from": "a@x.example", "to": ["b@x.example"], "include_text": true, "dedup_window_secs": 0},
            {"id": "hook", "kind": "webhook", "url": "https://x.example/h", "include_text": true, "dedup_window_secs": 0}
        ],
        "rules": [{"id": "everything", "channels": ["slack", "teams", "pd", "og", "mail", "hook"]}]
    }"#,
    )
    .unwrap()
}

/// Every byte a receiver could see, with quoted-printable soft breaks and
/// escapes undone so a value split across email lines is still found.
fn visible(alert: &Alert) -> String {
    match &alert.delivery {
        Delivery::Http(r) => {
            let mut s = format!("{} {}\n", r.method, r.url);
            for (k, v) in &r.headers {
                s.push_str(&format!("{k}: {v}\n"));
            }
            s.push_str(&String::from_utf8_lossy(&r.body));
            s
        }
        Delivery::Email(m) => {
            let unfolded = m.message.replace("=\r\n", "");
            let mut bytes = Vec::new();
            let raw = unfolded.as_bytes();
            let mut i = 0;
            while i < raw.len() {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match (raw[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
                    (b'=', Some(b)) => {
                        bytes.push(b);
                        i += 3;
                    }
                    (b, _) => {
                        bytes.push(b);
                        i += 1;
                    }
                }
            }
            format!("{}\n{}", m.subject, String::from_utf8_lossy(&bytes))
        }
    }
}

fn alerts_for(policy: &Policy, prompt: &str) -> (Vec<Alert>, usize) {
    let ctx = EvaluationContext {
        org_id: Some("org_acme".into()),
        ..EvaluationContext::default()
    };
    let decision = policy.evaluate(prompt, &ctx);
    let mut n = notifier();
    let alerts = decision
        .records()
        .iter()
        .flat_map(|r| n.on_record(r, NOW))
        .collect();
    (alerts, decision.matches.len())
}

fn prompt(token: &str, user: &str) -> String {
    format!("deploy with {token} today, then mail {user}@corp-mail.example the summary")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn values_only_in_the_prompt_never_reach_an_alert(
        token in "ghp_[0-9A-Za-z]{36}",
        user in "[a-z]{6,12}\\.[a-z]{6,12}",
    ) {
        let (alerts, matches) = alerts_for(&DEFAULT_POLICY, &prompt(&token, &user));
        // The event and both matches alert on all six channels.
        prop_assert_eq!(matches, 2);
        prop_assert_eq!(alerts.len(), 3 * 6);
        for a in &alerts {
            let seen = visible(a);
            prop_assert!(!seen.contains(&token), "{} leaked the token:\n{}", a.channel_id, seen);
            prop_assert!(!seen.contains(&user), "{} leaked the address:\n{}", a.channel_id, seen);
        }
        // The text is there, redacted: every channel carries the label.
        for channel in ["slack", "teams", "pd", "og", "mail", "hook"] {
            prop_assert!(alerts.iter().any(|a| a.channel_id == channel
                && visible(a).contains("[REDACTED:secrets.github_pat]")), "{}", channel);
        }
    }
}

/// The check above can fail: at the `full` level the record holds the raw
/// text, and so do the alerts that include text.
#[test]
fn at_the_full_level_the_raw_text_does_reach_alerts() {
    let policy = Policy::from_json(r#"{"logging": "full"}"#).unwrap();
    let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    let (alerts, matches) = alerts_for(&policy, &prompt(token, "jane.doe"));
    assert_eq!(matches, 2);
    let leaking: Vec<&str> = alerts
        .iter()
        .filter(|a| visible(a).contains(token))
        .map(|a| a.channel_id.as_str())
        .collect();
    assert!(
        leaking.contains(&"slack") && leaking.contains(&"mail"),
        "{leaking:?}"
    );
}

/// The complete example in `docs/notifications.md` is a valid config.
#[test]
fn the_documented_example_builds() {
    let doc = include_str!("../../docs/notifications.md");
    let start = doc.find("## A complete example").unwrap();
    let json = doc[start..]
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .unwrap();
    let n = Notifier::from_json(json).unwrap();
    assert_eq!(n.health().len(), 6);
    assert_eq!(n.config().rules.len(), 6);
}
