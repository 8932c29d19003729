use super::*;
use crate::analytics::fixtures::{MINUTE, NOW, dlp_event, dlp_match, event, with_match};
use crate::analytics::timestamp::{DAY_MS, HOUR_MS};
use crate::analytics::{Analytics, AnalyticsOptions};
use proptest::prelude::*;
use std::collections::HashSet;

fn ids(page: &Page) -> Vec<&str> {
    page.events.iter().map(|e| e.event_id.as_str()).collect()
}

/// Every page of `query`, following cursors, with `between` run before each
/// page after the first.
fn all_pages(
    store: &mut EventStore,
    query: &Query,
    mut between: impl FnMut(&mut EventStore, usize),
) -> Vec<String> {
    let mut out = Vec::new();
    let mut q = query.clone();
    for n in 0.. {
        if n > 0 {
            between(store, n);
        }
        let page = store.query(&q);
        assert!(page.events.len() <= q.limit);
        out.extend(page.events.iter().map(|e| e.event_id.clone()));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    out
}

#[test]
fn insert_reports_what_it_did() {
    let mut s = EventStore::new(2);
    let [e, m] = with_match("a", NOW, Verdict::Block, "r", Severity::High)
        .try_into()
        .unwrap();
    assert_eq!(
        s.insert(m.clone()),
        Inserted::Ignored,
        "a match before its event"
    );
    assert_eq!(s.insert(e.clone()), Inserted::Stored);
    assert_eq!(s.insert(e), Inserted::Duplicate);
    assert_eq!(s.insert(m.clone()), Inserted::Attached);
    assert_eq!(s.insert(m), Inserted::Duplicate);
    assert_eq!(s.matches("a").len(), 1);

    let mut bad = event("bad", NOW, Verdict::Allow);
    bad.timestamp = "soon".into();
    assert_eq!(s.insert(Record::from(bad)), Inserted::Ignored);

    assert_eq!(
        s.insert(Record::from(event("b", NOW - 2 * MINUTE, Verdict::Allow))),
        Inserted::Stored
    );
    assert_eq!(
        s.insert(Record::from(event("c", NOW - 3 * MINUTE, Verdict::Allow))),
        Inserted::TooOld,
        "full, and older than everything"
    );
    // Newer than "b": evicts "b", the oldest by timestamp, though "a" came first.
    assert_eq!(
        s.insert(Record::from(event("d", NOW - MINUTE, Verdict::Allow))),
        Inserted::Stored
    );
    assert_eq!((s.len(), s.evicted()), (2, 1));
    assert!(s.get("b").is_none() && s.get("a").is_some());
    // An evicted id may come back: it is no longer known.
    assert_eq!(
        s.insert(Record::from(event("e", NOW, Verdict::Allow))),
        Inserted::Stored
    );
    assert!(s.get("d").is_none() || s.get("a").is_none());
}

#[test]
fn evicting_an_event_drops_its_matches() {
    let mut s = EventStore::new(1);
    for r in with_match("old", NOW - HOUR_MS, Verdict::Block, "r", Severity::High) {
        s.insert(r);
    }
    s.insert(Record::from(event("new", NOW, Verdict::Allow)));
    assert!(s.matches("old").is_empty());
    assert_eq!(s.records().count(), 1);
}

#[test]
fn filters_select_events() {
    let mut s = EventStore::new(100);
    let mut other_org = event("other-org", NOW - MINUTE, Verdict::Allow);
    other_org.org_id = "org-2".into();
    let mut by_email = event("by-email", NOW - 2 * MINUTE, Verdict::Warn);
    by_email.identity.user_id = None;
    by_email.identity.user_email = Some("ann@example.com".into());
    let mut claude = event("claude", NOW - 3 * MINUTE, Verdict::Allow);
    claude.tool.tool = Some("Claude".into());
    claude.tool.hostname = Some("claude.ai".into());
    let records = [
        other_org,
        by_email,
        claude,
        dlp_event("medium", NOW - 4 * MINUTE, Verdict::Warn, Severity::Medium),
        dlp_event(
            "critical",
            NOW - 5 * MINUTE,
            Verdict::Block,
            Severity::Critical,
        ),
        event("plain", NOW - 6 * MINUTE, Verdict::Allow),
    ];
    for e in records {
        s.insert(Record::from(e));
    }
    let q = |f: fn(&mut Query)| {
        let mut q = Query::new(NOW);
        f(&mut q);
        let page = s.query(&q);
        ids(&page).join(",")
    };
    assert_eq!(q(|_| {}), "other-org,by-email,claude,medium,critical,plain");
    assert_eq!(q(|q| q.org_id = Some("org-2".into())), "other-org");
    assert_eq!(q(|q| q.user = Some("ann@example.com".into())), "by-email");
    assert_eq!(
        q(|q| q.user = Some("u-1".into())),
        "other-org,claude,medium,critical,plain"
    );
    assert_eq!(q(|q| q.tool = Some("CLAUDE.ai".into())), "claude");
    assert_eq!(q(|q| q.tool = Some("claude".into())), "claude");
    assert_eq!(q(|q| q.verdict = Some(Verdict::Warn)), "by-email,medium");
    assert_eq!(
        q(|q| q.min_severity = Some(Severity::Medium)),
        "medium,critical"
    );
    assert_eq!(q(|q| q.min_severity = Some(Severity::High)), "critical");
    assert_eq!(q(|q| q.dlp_only = true), "medium,critical");
    assert_eq!(
        q(|q| {
            q.dlp_only = true;
            q.verdict = Some(Verdict::Block);
            q.org_id = Some("org-1".into());
        }),
        "critical"
    );
}

#[test]
fn relative_windows_end_at_now() {
    let mut s = EventStore::new(100);
    let ages = [
        ("future", -MINUTE),
        ("now", 0),
        ("59m", 59 * MINUTE),
        ("1h", HOUR_MS),
        ("5h", 5 * HOUR_MS),
        ("23h", 23 * HOUR_MS),
        ("6d", 6 * DAY_MS),
        ("29d", 29 * DAY_MS),
        ("31d", 31 * DAY_MS),
    ];
    for (id, age) in ages {
        s.insert(Record::from(event(id, NOW - age, Verdict::Allow)));
    }
    let in_window = |w: Window| {
        let page = s.query(&Query {
            window: Some(w),
            ..Query::new(NOW)
        });
        ids(&page).join(",")
    };
    assert_eq!(in_window(Window::Hour), "now,59m");
    assert_eq!(in_window(Window::SixHours), "now,59m,1h,5h");
    assert_eq!(in_window(Window::Day), "now,59m,1h,5h,23h");
    assert_eq!(in_window(Window::Week), "now,59m,1h,5h,23h,6d");
    assert_eq!(in_window(Window::Month), "now,59m,1h,5h,23h,6d,29d");
    assert_eq!(
        ids(&s.query(&Query::new(NOW)))[0],
        "future",
        "no window: everything"
    );
}

#[test]
fn pages_follow_cursors_to_the_end() {
    let mut s = EventStore::new(100);
    for i in 0..25 {
        s.insert(Record::from(event(
            &format!("e{i:02}"),
            NOW - i * MINUTE,
            Verdict::Allow,
        )));
    }
    let first = s.query(&Query {
        limit: 10,
        ..Query::new(NOW)
    });
    assert_eq!(ids(&first)[..2], ["e00", "e01"]);
    let got = all_pages(
        &mut s,
        &Query {
            limit: 10,
            ..Query::new(NOW)
        },
        |_, _| {},
    );
    let want: Vec<String> = (0..25).map(|i| format!("e{i:02}")).collect();
    assert_eq!(got, want);
    // Exactly full last page: no cursor to an empty page.
    let page = s.query(&Query {
        limit: 25,
        ..Query::new(NOW)
    });
    assert_eq!((page.events.len(), page.next_cursor), (25, None));
}

#[test]
fn a_cursor_keeps_the_first_pages_window() {
    let mut s = EventStore::new(100);
    for i in 0..6 {
        s.insert(Record::from(event(
            &format!("e{i}"),
            NOW - i * 10 * MINUTE,
            Verdict::Allow,
        )));
    }
    let q = Query {
        window: Some(Window::Hour),
        limit: 2,
        ..Query::new(NOW)
    };
    let first = s.query(&q);
    assert_eq!(ids(&first), ["e0", "e1"]);
    // Half an hour later the host loads more with its new clock: the window
    // stays the first page's, so e4 and e5 are not skipped.
    let later = Query {
        now_ms: NOW + 30 * MINUTE,
        cursor: first.next_cursor,
        ..q
    };
    let second = s.query(&later);
    assert_eq!(ids(&second), ["e2", "e3"]);
    let third = s.query(&Query {
        cursor: second.next_cursor,
        ..later
    });
    assert_eq!(ids(&third), ["e4", "e5"]);
    assert_eq!(third.next_cursor, None);
}

#[test]
fn cursors_have_a_text_form() {
    let c = Cursor {
        timestamp_ms: NOW,
        event_id: "a:b".into(),
        since_ms: Some(-5),
    };
    assert_eq!(c.to_string(), "1795339200000:-5:a:b");
    assert_eq!(c.to_string().parse::<Cursor>().unwrap(), c);
    let open = Cursor {
        since_ms: None,
        ..c
    };
    assert_eq!(open.to_string().parse::<Cursor>().unwrap(), open);
    for bad in ["", "x:1:id", "1:x:id", "1:2:", "12"] {
        assert!(bad.parse::<Cursor>().is_err(), "{bad:?}");
    }
    let q: Query =
        serde_json::from_str(r#"{"now_ms":5,"window":"24h","cursor":"4::e1","verdict":"block"}"#)
            .unwrap();
    assert_eq!(q.limit, DEFAULT_PAGE_SIZE);
    assert_eq!(q.window, Some(Window::Day));
    assert_eq!(q.cursor.as_ref().map(|c| c.event_id.as_str()), Some("e1"));
    assert_eq!(serde_json::to_value(&q).unwrap()["cursor"], "4::e1");
}

#[test]
fn stored_records_feed_the_analytics() {
    let mut s = EventStore::new(10);
    let e = dlp_event("x", NOW, Verdict::Block, Severity::Critical);
    let m = dlp_match(&e, 0, "secrets.aws", Severity::Critical);
    s.insert(Record::from(e));
    s.insert(Record::from(m));
    s.insert(Record::from(event("y", NOW - MINUTE, Verdict::Allow)));
    let summary = Analytics::summarize(s.records(), NOW, AnalyticsOptions::default());
    assert_eq!(
        (summary.events, summary.dlp_matches, summary.verdicts.block),
        (2, 1, 1)
    );
}

proptest! {
    /// Paging while events arrive (newer ones, late older ones, duplicates)
    /// returns every event that existed at the first page exactly once.
    #[test]
    fn paging_is_stable_while_events_arrive(
        initial in prop::collection::vec(0i64..50, 1..60),
        arriving in prop::collection::vec(-20i64..80, 0..40),
        limit in 1usize..9,
        dlp_only in any::<bool>(),
    ) {
        let mut s = EventStore::new(1000);
        for (i, age) in initial.iter().enumerate() {
            let e = if i % 3 == 0 {
                dlp_event(&format!("i{i:03}"), NOW - age * MINUTE, Verdict::Block, Severity::High)
            } else {
                event(&format!("i{i:03}"), NOW - age * MINUTE, Verdict::Allow)
            };
            s.insert(Record::from(e));
        }
        let existing: Vec<String> = s
            .query(&Query { limit: MAX_PAGE_SIZE, dlp_only, ..Query::new(NOW) })
            .events
            .into_iter()
            .map(|e| e.event_id)
            .collect();
        let per_page = arriving.len() / 4 + 1;
        let mut next = 0;
        let got = all_pages(&mut s, &Query { limit, dlp_only, ..Query::new(NOW) }, |s, n| {
            for age in arriving.iter().skip(next).take(per_page) {
                let id = format!("n{next:03}");
                s.insert(Record::from(dlp_event(&id, NOW - age * MINUTE, Verdict::Block, Severity::High)));
                // A redelivery of an event already paged past changes nothing.
                s.insert(Record::from(event(&format!("i{n:03}"), NOW, Verdict::Allow)));
                next += 1;
            }
        });
        let unique: HashSet<&String> = got.iter().collect();
        prop_assert_eq!(unique.len(), got.len(), "no event twice");
        for id in &existing {
            prop_assert!(unique.contains(id), "{} skipped", id);
        }
        // Strictly newest first across pages: cursors only ever move down.
        let keys: Vec<(i64, &String)> = got
            .iter()
            .map(|id| (parse_timestamp_ms(&s.get(id).unwrap().timestamp).unwrap(), id))
            .collect();
        prop_assert!(keys.windows(2).all(|w| w[0] > w[1]));
    }
}
