//! Detections grouped by a record field, on an injected clock: the seed's
//! "more than 50 blocks per user per hour" alerts for the one user who
//! passes it, not for the org's total, and "a sudden spike in escalations"
//! counts the org as a whole.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::notify::{Delivery, MAX_THRESHOLD_GROUPS, Notifier};
use govstream::policy::{EvaluationContext, Policy};
use govstream::schema::Record;
use serde_json::Value;

/// 2026-12-07T09:00:00Z.
const T0: i64 = 1_796_634_000_000;
const MINUTE: i64 = 60_000;

fn notifier() -> Notifier {
    Notifier::from_json(
        r#"{
        "channels": [{"id": "soc", "kind": "webhook", "url": "https://siem.acme.example/alerts",
                      "dedup_window_secs": 0}],
        "rules": [
            {"id": "blocks-per-user", "channels": ["soc"], "event_types": ["event.blocked"],
             "threshold": {"count": 51, "window_secs": 3600}, "group_by": ["user_id"]},
            {"id": "escalation-spike", "channels": ["soc"], "event_types": ["event.escalated"],
             "threshold": {"count": 20, "window_secs": 600}}
        ]
    }"#,
    )
    .unwrap()
}

/// The event record of a blocked prompt by `user`.
fn blocked(policy: &Policy, user: &str) -> Record {
    let ctx = EvaluationContext {
        identity: govstream::schema::Identity {
            user_id: Some(user.into()),
            ..Default::default()
        },
        ..EvaluationContext::default()
    };
    let d = policy.evaluate("key AKIAIOSFODNN7EXAMPLE", &ctx);
    assert_eq!(d.verdict, govstream::schema::Verdict::Block);
    Record::from(d.event.unwrap())
}

fn body(a: &govstream::notify::Alert) -> Value {
    match &a.delivery {
        Delivery::Http(r) => serde_json::from_slice(&r.body).unwrap(),
        Delivery::Email(_) => panic!("a webhook alert"),
    }
}

#[test]
fn more_than_50_blocks_per_user_per_hour_alerts_for_that_user_only() {
    let policy = Policy::default_policy().unwrap();
    let mut n = notifier();
    let (alice, bob) = (blocked(&policy, "alice"), blocked(&policy, "bob"));
    // 50 each inside the hour: 100 for the org, but no user passed 50.
    for i in 0..50 {
        assert!(n.on_record(&alice, T0 + i * MINUTE / 2).is_empty());
        assert!(n.on_record(&bob, T0 + i * MINUTE / 2).is_empty());
    }
    // Alice's 51st within the hour alerts, naming her.
    let alerts = n.on_record(&alice, T0 + 30 * MINUTE);
    assert_eq!(alerts.len(), 1);
    let data = &body(&alerts[0])["data"];
    assert_eq!(data["threshold"]["count"], 51);
    assert_eq!(data["threshold"]["group"], "user_id=alice");
    // Bob's 51st comes after his first blocks left the hour: no alert.
    assert!(n.on_record(&bob, T0 + 61 * MINUTE).is_empty());
    let stats = n.rule_stats();
    assert_eq!(stats[0].rule_id, "blocks-per-user");
    assert_eq!(stats[0].evicted_groups, 0);
}

#[test]
fn a_threshold_without_group_by_counts_the_org() {
    let policy = Policy::default_policy().unwrap();
    let mut n = Notifier::from_json(
        r#"{"channels": [{"id": "soc", "kind": "webhook", "url": "https://siem.acme.example/a",
                          "dedup_window_secs": 0}],
            "rules": [{"id": "org-blocks", "channels": ["soc"], "event_types": ["event.blocked"],
                       "threshold": {"count": 3, "window_secs": 60}}]}"#,
    )
    .unwrap();
    let users = ["a", "b", "c"].map(|u| blocked(&policy, u));
    assert!(n.on_record(&users[0], T0).is_empty());
    assert!(n.on_record(&users[1], T0 + 1).is_empty());
    let alerts = n.on_record(&users[2], T0 + 2);
    assert_eq!(alerts.len(), 1);
    assert!(body(&alerts[0])["data"]["threshold"].get("group").is_none());
}

#[test]
fn many_distinct_users_stay_within_the_bound() {
    let policy = Policy::default_policy().unwrap();
    let mut n = notifier();
    let template = blocked(&policy, "x");
    let Record::Event(e) = template else {
        panic!("an event")
    };
    for i in 0..MAX_THRESHOLD_GROUPS + 500 {
        let mut e = e.clone();
        e.identity.user_id = Some(format!("u{i}"));
        n.on_record(&Record::Event(e), T0 + i as i64);
    }
    let stats = &n.rule_stats()[0];
    assert!(stats.tracked_groups <= MAX_THRESHOLD_GROUPS, "{stats:?}");
    assert_eq!(stats.evicted_groups, 500);
}

#[test]
fn group_by_without_a_threshold_is_a_problem_at_its_path() {
    let err = Notifier::from_json(
        r#"{"channels": [{"id": "soc", "kind": "webhook", "url": "https://siem.acme.example/a"}],
            "rules": [{"id": "r", "channels": ["soc"], "group_by": ["user_id", "user_id"]}]}"#,
    )
    .err()
    .unwrap();
    let text = err.to_string();
    assert!(
        text.contains("$.rules[0].group_by: groups a threshold"),
        "{text}"
    );
    assert!(
        text.contains("$.rules[0].group_by[1]: is listed twice"),
        "{text}"
    );
}
