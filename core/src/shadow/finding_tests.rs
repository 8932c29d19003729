use super::*;
use crate::schema::ShadowAiSource;
use crate::shadow::{Catalog, Classifier};

fn classifier() -> Classifier {
    Classifier::new(Catalog::builtin(), &[], &["*.deepseek.com".into()]).unwrap()
}

fn visit(c: &Classifier, org: &str, url: &str, user: Option<&str>, ms: i64) -> ShadowAiEvent {
    c.event(org, url)
        .identity(Identity {
            user_email: user.map(str::to_string),
            ..Identity::default()
        })
        .at(ms)
        .build()
        .unwrap()
}

#[test]
fn aggregates_per_org_and_host() {
    let c = classifier();
    let mut agg = FindingAggregator::new();
    assert!(agg.is_empty());
    for (org, url, user, ms) in [
        ("org_b", "claude.ai", Some("x@b.com"), 5_000),
        (
            "org_a",
            "https://claude.ai/chat/1",
            Some("Jane@a.com"),
            3_000,
        ),
        ("org_a", "claude.ai", Some("jane@a.com"), 1_000),
        ("org_a", "claude.ai", Some("bob@a.com"), 9_000),
        ("org_a", "claude.ai", None, 4_000),
        ("org_a", "chat.deepseek.com", Some("bob@a.com"), 2_000),
    ] {
        agg.add(&visit(&c, org, url, user, ms)).unwrap();
    }
    let all = agg.findings();
    let keys: Vec<(&str, &str)> = all
        .iter()
        .map(|f| (f.org_id.as_str(), f.hostname.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("org_a", "chat.deepseek.com"),
            ("org_a", "claude.ai"),
            ("org_b", "claude.ai")
        ]
    );
    let f = agg.finding("org_a", "claude.ai").unwrap();
    assert_eq!(f.count, 4);
    assert_eq!(f.distinct_users, 2, "emails compare case-insensitively");
    assert_eq!(f.first_seen, "1970-01-01T00:00:01.000Z");
    assert_eq!(f.last_seen, "1970-01-01T00:00:09.000Z");
    assert_eq!(f.max_severity, Severity::Medium);
    assert_eq!(f.tool.as_deref(), Some("Claude"));
    assert_eq!(f.status, FindingStatus::Open);
    assert_eq!(f.finding_id, finding_id("org_a", "claude.ai"));
    let d = agg.finding("org_a", "chat.deepseek.com").unwrap();
    assert_eq!(d.max_severity, Severity::High);
    assert_ne!(d.finding_id, f.finding_id);
    assert_ne!(
        all[2].finding_id, f.finding_id,
        "the same host in another org is another finding"
    );
}

#[test]
fn finding_ids_are_stable_uuids_and_unambiguous() {
    let id = finding_id("org_a", "claude.ai");
    assert_eq!(id, finding_id("org_a", "claude.ai"));
    let u = uuid::Uuid::parse_str(&id).unwrap();
    assert_eq!(u.get_version_num(), 8);
    assert_ne!(finding_id("org_ab", "c"), finding_id("org_a", "bc"));
}

#[test]
fn triage_status_survives_new_events_and_resolved_reopens() {
    let c = classifier();
    let mut agg = FindingAggregator::new();
    agg.add(&visit(&c, "o", "claude.ai", Some("a@o.com"), 1_000))
        .unwrap();
    assert!(agg.set_status("o", "claude.ai", FindingStatus::Acknowledged));
    assert!(!agg.set_status("o", "nope.example", FindingStatus::Resolved));
    agg.add(&visit(&c, "o", "claude.ai", Some("a@o.com"), 2_000))
        .unwrap();
    assert_eq!(
        agg.finding("o", "claude.ai").unwrap().status,
        FindingStatus::Acknowledged
    );

    agg.set_status("o", "claude.ai", FindingStatus::Resolved);
    // A late event from before the last visit does not reopen it.
    agg.add(&visit(&c, "o", "claude.ai", Some("a@o.com"), 1_500))
        .unwrap();
    let f = agg.finding("o", "claude.ai").unwrap();
    assert_eq!((f.status, f.count), (FindingStatus::Resolved, 3));
    agg.add(&visit(&c, "o", "claude.ai", Some("a@o.com"), 3_000))
        .unwrap();
    assert_eq!(
        agg.finding("o", "claude.ai").unwrap().status,
        FindingStatus::Open
    );
}

#[test]
fn resumes_from_findings_and_from_states() {
    let c = classifier();
    let mut agg = FindingAggregator::new();
    for (user, ms) in [("a@o.com", 1_000), ("b@o.com", 2_000)] {
        agg.add(&visit(&c, "o", "claude.ai", Some(user), ms))
            .unwrap();
    }
    agg.set_status("o", "claude.ai", FindingStatus::Acknowledged);

    let mut exact = FindingAggregator::from_states(agg.states()).unwrap();
    let mut approx = FindingAggregator::from_findings(agg.findings()).unwrap();
    assert_eq!(exact.findings(), agg.findings());
    for a in [&mut exact, &mut approx] {
        a.add(&visit(&c, "o", "claude.ai", Some("a@o.com"), 4_000))
            .unwrap();
    }
    let (e, p) = (
        exact.finding("o", "claude.ai").unwrap(),
        approx.finding("o", "claude.ai").unwrap(),
    );
    assert_eq!(
        (e.count, e.distinct_users, e.status),
        (3, 2, FindingStatus::Acknowledged)
    );
    assert_eq!(
        (p.count, p.distinct_users),
        (3, 2),
        "a returning user is not counted twice"
    );
    assert_eq!(e.first_seen, "1970-01-01T00:00:01.000Z");
    assert_eq!(e.last_seen, "1970-01-01T00:00:04.000Z");

    // The states round-trip through JSON.
    let json = serde_json::to_string(&exact.states()).unwrap();
    let back: Vec<FindingState> = serde_json::from_str(&json).unwrap();
    assert_eq!(
        FindingAggregator::from_states(back).unwrap().states(),
        exact.states()
    );
}

#[test]
fn bad_inputs_are_reported() {
    let c = classifier();
    let mut f = visit(&c, "o", "claude.ai", None, 0);
    f.timestamp = "yesterday".into();
    let e = FindingAggregator::new().add(&f).unwrap_err();
    assert_eq!(e.problems()[0].path, "$.timestamp");

    let mut agg = FindingAggregator::new();
    agg.add(&visit(&c, "o", "claude.ai", None, 0)).unwrap();
    let mut findings = agg.findings();
    findings.push(findings[0].clone());
    let mut broken = findings[0].clone();
    broken.hostname = "other.example".into();
    broken.last_seen = "soon".into();
    findings.push(broken);
    let e = FindingAggregator::from_findings(findings).unwrap_err();
    let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["$[1].finding", "$[2].finding.last_seen"]);
}

#[test]
fn events_without_identity_count_but_add_no_user() {
    let c = classifier();
    let mut agg = FindingAggregator::new();
    let mut e = visit(&c, "o", "claude.ai", None, 0);
    e.source = ShadowAiSource::Api;
    agg.add(&e).unwrap();
    let mut e2 = visit(&c, "o", "claude.ai", None, 0);
    e2.identity.user_id = Some("u1".into());
    e2.identity.user_email = Some("u1@o.com".into());
    agg.add(&e2).unwrap();
    let f = agg.finding("o", "claude.ai").unwrap();
    assert_eq!((f.count, f.distinct_users), (2, 1));
    assert_eq!(agg.states()[0].users, ["id:u1"]);
}

#[test]
fn a_finding_takes_the_tool_category_of_its_visits() {
    let c = classifier();
    let mut agg = FindingAggregator::new();
    agg.add(&visit(&c, "o", "https://githubcopilot.com/", None, 1_000))
        .unwrap();
    // A version 1 event has no category, and does not erase the finding's.
    let mut old = visit(&c, "o", "githubcopilot.com", None, 2_000);
    old.category = None;
    agg.add(&old).unwrap();
    agg.add(&visit(&c, "o", "ai.intranet.example", None, 3_000))
        .unwrap();
    let findings = agg.findings();
    let category = |host: &str| {
        findings
            .iter()
            .find(|f| f.hostname == host)
            .map(|f| f.category)
    };
    assert_eq!(
        category("githubcopilot.com"),
        Some(Some(crate::schema::ToolCategory::CodeAssistant))
    );
    assert_eq!(category("ai.intranet.example"), Some(None));
}
