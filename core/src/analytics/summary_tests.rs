use super::*;
use crate::analytics::fixtures::{MINUTE, NOW, dlp_event, event, with_match};
use crate::analytics::timestamp::DAY_MS;
use proptest::prelude::*;

fn uncapped() -> AnalyticsOptions {
    AnalyticsOptions {
        scan_cap: None,
        ..AnalyticsOptions::default()
    }
}

fn capped(cap: usize) -> AnalyticsOptions {
    AnalyticsOptions {
        scan_cap: Some(cap),
        ..AnalyticsOptions::default()
    }
}

#[test]
fn counts_verdicts_dlp_and_patterns() {
    let mut records = vec![
        Record::from(event("a", NOW - MINUTE, Verdict::Allow)),
        Record::from(event("b", NOW - 2 * MINUTE, Verdict::Warn)),
    ];
    records.extend(with_match(
        "c",
        NOW - 3 * MINUTE,
        Verdict::Block,
        "secrets.aws",
        Severity::Critical,
    ));
    records.extend(with_match(
        "d",
        NOW - DAY_MS,
        Verdict::Redact,
        "pii.email",
        Severity::Medium,
    ));
    records.extend(with_match(
        "e",
        NOW - 2 * DAY_MS,
        Verdict::Escalate,
        "secrets.aws",
        Severity::High,
    ));

    let s = Analytics::summarize(&records, NOW, uncapped());
    assert_eq!(s.events, 5);
    assert_eq!(s.dlp_matches, 3);
    assert_eq!(
        s.verdicts,
        VerdictCounts {
            allow: 1,
            warn: 1,
            redact: 1,
            escalate: 1,
            block: 1
        }
    );
    assert_eq!(s.dlp_events, 3);
    assert_eq!(s.blocked_by_dlp, 1);
    assert_eq!(s.high_or_above_events, 2);
    assert_eq!(s.critical_events, 1);
    assert_eq!(s.high_or_above_matches, 2);
    assert_eq!(s.critical_matches, 1);
    let top: Vec<_> = s
        .top_patterns
        .iter()
        .map(|p| (p.rule_id.as_str(), p.count))
        .collect();
    assert_eq!(top, [("secrets.aws", 2), ("pii.email", 1)]);
    assert_eq!(s.top_patterns[0].max_severity, Severity::Critical);
    assert_eq!(s.top_patterns[0].rule_name, "secrets.aws name");
    assert!(!s.capped);
    assert_eq!(s.newest.as_deref(), Some("2026-11-22T09:19:00.000Z"));
    assert_eq!(s.oldest.as_deref(), Some("2026-11-20T09:20:00.000Z"));
}

#[test]
fn daily_buckets_are_the_seven_utc_days_ending_today() {
    let today = utc_day_start(NOW);
    let records = [
        event("today-start", today, Verdict::Block),
        event("now", NOW, Verdict::Allow),
        event("yesterday-end", today - 1, Verdict::Warn),
        event("six-days-ago", today - 6 * DAY_MS, Verdict::Allow),
        event("seven-days-ago", today - 6 * DAY_MS - 1, Verdict::Allow),
        event("tomorrow", today + DAY_MS, Verdict::Allow),
    ]
    .map(Record::from);
    let s = Analytics::summarize(&records, NOW, uncapped());
    let dates: Vec<_> = s.daily.iter().map(|d| d.date.as_str()).collect();
    assert_eq!(
        dates,
        [
            "2026-11-16",
            "2026-11-17",
            "2026-11-18",
            "2026-11-19",
            "2026-11-20",
            "2026-11-21",
            "2026-11-22"
        ]
    );
    let totals: Vec<_> = s.daily.iter().map(|d| d.verdicts.total()).collect();
    assert_eq!(totals, [1, 0, 0, 0, 0, 1, 2]);
    assert_eq!(s.daily[6].verdicts.block, 1);
    assert_eq!(s.daily[5].verdicts.warn, 1);
    assert_eq!(
        s.events, 6,
        "days outside the buckets still count in the totals"
    );
}

#[test]
fn the_cap_keeps_the_newest_events_by_timestamp_and_their_matches() {
    // Arrival order is the reverse of time order: the cap must not keep
    // whatever came first.
    let mut records = Vec::new();
    for i in 0..10 {
        records.extend(with_match(
            &format!("e{i}"),
            NOW - i * MINUTE,
            Verdict::Block,
            &format!("r{i}"),
            Severity::High,
        ));
    }
    records.reverse();
    let s = Analytics::summarize(&records, NOW, capped(3));
    assert_eq!(s.events, 3);
    assert_eq!(s.events_skipped, 7);
    assert_eq!(s.dlp_matches, 3);
    assert_eq!(s.dlp_matches_skipped, 7);
    assert!(s.capped);
    assert_eq!(s.scan_cap, Some(3));
    let mut rules: Vec<_> = s.top_patterns.iter().map(|p| p.rule_id.as_str()).collect();
    rules.sort_unstable();
    assert_eq!(rules, ["r0", "r1", "r2"]);
    assert_eq!(s.oldest.as_deref(), Some("2026-11-22T09:18:00.000Z"));
}

#[test]
fn a_cap_that_is_not_reached_changes_nothing() {
    let mut records = Vec::new();
    for i in 0..4 {
        records.extend(with_match(
            &format!("e{i}"),
            NOW - i * DAY_MS,
            Verdict::Warn,
            "r",
            Severity::Low,
        ));
    }
    let mut all = Analytics::summarize(&records, NOW, uncapped());
    let mut under = Analytics::summarize(&records, NOW, capped(4));
    assert!(!under.capped);
    all.scan_cap = None;
    under.scan_cap = None;
    assert_eq!(all, under);
}

#[test]
fn a_zero_cap_summarizes_nothing() {
    let records = with_match("e", NOW, Verdict::Block, "r", Severity::Low);
    let s = Analytics::summarize(&records, NOW, capped(0));
    assert_eq!(
        (
            s.events,
            s.events_skipped,
            s.dlp_matches,
            s.dlp_matches_skipped
        ),
        (0, 1, 0, 1)
    );
}

#[test]
fn bad_timestamps_are_counted_and_left_out() {
    let mut e = dlp_event("e", NOW, Verdict::Block, Severity::High);
    e.timestamp = "last tuesday".into();
    let s = Analytics::summarize(&[Record::from(e)], NOW, uncapped());
    assert_eq!((s.events, s.invalid_timestamps), (0, 1));
    assert_eq!(s.oldest, None);
}

#[test]
fn top_patterns_are_limited() {
    let mut records = Vec::new();
    for i in 0..30 {
        records.extend(with_match(
            &format!("e{i:02}"),
            NOW,
            Verdict::Warn,
            &format!("r{i:02}"),
            Severity::Low,
        ));
    }
    let options = AnalyticsOptions {
        scan_cap: None,
        top_patterns: 20,
    };
    let s = Analytics::summarize(&records, NOW, options);
    assert_eq!(s.top_patterns.len(), 20);
    assert_eq!(
        s.top_patterns[0].rule_id, "r00",
        "ties go to the smaller rule id"
    );
}

#[test]
fn serializes_to_stable_json() {
    let records = with_match("e", NOW, Verdict::Block, "secrets.aws", Severity::Critical);
    let json = serde_json::to_value(Analytics::summarize(
        &records,
        NOW,
        AnalyticsOptions::default(),
    ))
    .unwrap();
    assert_eq!(json["verdicts"]["block"], 1);
    assert_eq!(json["scan_cap"], 5000);
    assert_eq!(json["top_patterns"][0]["max_severity"], "critical");
    assert_eq!(json["daily"][6]["date"], "2026-11-22");
    assert_eq!(json["generated_at"], "2026-11-22T09:20:00.000Z");
}

proptest! {
    /// With the cap on, the summary equals the uncapped summary of the
    /// newest `cap` events and their matches, whatever the arrival order.
    #[test]
    fn capped_equals_uncapped_over_the_newest(
        times in prop::collection::vec((0i64..5, 0usize..3), 1..40),
        cap in 1usize..20,
        seed in any::<u64>(),
    ) {
        let mut events: Vec<(i64, String, Vec<Record>)> = times
            .iter()
            .enumerate()
            .map(|(i, &(day, rule))| {
                let ts = NOW - day * DAY_MS;
                let id = format!("e{i:03}");
                let verdict = Verdict::ALL[i % 5];
                (ts, id.clone(), with_match(&id, ts, verdict, &format!("r{rule}"), Severity::ALL[rule]))
            })
            .collect();
        let mut shuffled: Vec<Record> = events.iter().flat_map(|e| e.2.clone()).collect();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let got = Analytics::summarize(&shuffled, NOW, capped(cap));

        events.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
        let newest: Vec<Record> = events.iter().take(cap).flat_map(|e| e.2.clone()).collect();
        let want = Analytics::summarize(&newest, NOW, uncapped());

        prop_assert_eq!(got.events, want.events);
        prop_assert_eq!(got.events_skipped as usize, events.len().saturating_sub(cap));
        prop_assert_eq!(got.dlp_matches, want.dlp_matches);
        prop_assert_eq!(got.verdicts, want.verdicts);
        prop_assert_eq!(&got.top_patterns, &want.top_patterns);
        prop_assert_eq!(&got.daily, &want.daily);
        prop_assert_eq!(&got.oldest, &want.oldest);
    }
}
