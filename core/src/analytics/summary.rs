//! `Analytics`: verdict counts, DLP counts, top patterns and seven daily
//! buckets over a stream of records, with a scan cap so the cost of a summary
//! is bounded whatever the size of the input.
//!
//! "Newest" is by record timestamp, never by arrival order: with the cap on,
//! the summary covers the `cap` events with the greatest
//! `(timestamp, event_id)` and exactly the DLP matches whose
//! `(timestamp, event_id)` is not older than the oldest event kept. A match
//! carries its event's timestamp and id, so it is kept exactly when its
//! event is.

use super::actors::{Breakdown, BreakdownCounter, Danger, Who};
use super::counts::{PatternCount, PatternCounter, VerdictCounts};
use super::timestamp::{DAY_MS, parse_timestamp_ms, utc_date, utc_day_start};
use crate::clock::rfc3339_ms;
use crate::schema::{DlpMatch, DlpSummary, Event, Record, Severity, Verdict};
use serde::Serialize;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// The default scan cap: the newest 5,000 events.
pub const DEFAULT_SCAN_CAP: usize = 5_000;

/// The default length of the top-pattern list.
pub const DEFAULT_TOP_PATTERNS: usize = 20;

/// Rows in each who/where breakdown ([`AnalyticsSummary::by_user`] and
/// the others).
pub const TOP_ACTORS: usize = 10;

/// Days in [`AnalyticsSummary::daily`], today included.
pub const DAILY_BUCKETS: usize = 7;

/// What an [`Analytics`] keeps and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyticsOptions {
    /// Summarize only this many of the newest events (and their matches);
    /// `None` summarizes everything.
    pub scan_cap: Option<usize>,
    /// Length of the top-pattern list.
    pub top_patterns: usize,
}

impl Default for AnalyticsOptions {
    fn default() -> Self {
        AnalyticsOptions {
            scan_cap: Some(DEFAULT_SCAN_CAP),
            top_patterns: DEFAULT_TOP_PATTERNS,
        }
    }
}

/// Events of one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayBucket {
    /// The day, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Its events per verdict.
    pub verdicts: VerdictCounts,
    /// Its events with at least one DLP match.
    pub dlp_events: u64,
    /// Its events with a match of severity high or critical.
    pub high_or_above_events: u64,
    /// Its DLP match records.
    pub dlp_matches: u64,
}

/// What [`Analytics::finish`] reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyticsSummary {
    /// The `now` it was computed for, RFC 3339 UTC with milliseconds.
    pub generated_at: String,
    /// The scan cap in force (`null`: none).
    pub scan_cap: Option<usize>,
    /// True when the cap left events out.
    pub capped: bool,
    /// Events summarized.
    pub events: u64,
    /// Events left out by the cap.
    pub events_skipped: u64,
    /// DLP match records summarized.
    pub dlp_matches: u64,
    /// DLP match records left out by the cap.
    pub dlp_matches_skipped: u64,
    /// Events and matches ignored because their timestamp is not RFC 3339.
    pub invalid_timestamps: u64,
    /// Oldest timestamp summarized.
    pub oldest: Option<String>,
    /// Newest timestamp summarized.
    pub newest: Option<String>,
    /// Events per verdict.
    pub verdicts: VerdictCounts,
    /// Events with at least one DLP match (`dlp.is_dlp_event`).
    pub dlp_events: u64,
    /// Events blocked because of a DLP match (`dlp.blocked_by_dlp`).
    pub blocked_by_dlp: u64,
    /// Events with a match of severity high or critical.
    pub high_or_above_events: u64,
    /// Events with a critical match.
    pub critical_events: u64,
    /// Matches of severity high or critical, summed over events.
    pub high_or_above_matches: u64,
    /// Critical matches, summed over events.
    pub critical_matches: u64,
    /// The DLP rules that matched, most severe first: by the highest
    /// severity of their matches, then by matches, descending (ties: by rule
    /// id). At most `top_patterns` of [`AnalyticsOptions`].
    pub top_patterns: Vec<PatternCount>,
    /// Events per user (`identity.user_id`, else `identity.user_email`),
    /// most dangerous first; at most [`TOP_ACTORS`] rows.
    pub by_user: Breakdown,
    /// Events per AI tool (`tool.tool`), most dangerous first.
    pub by_tool: Breakdown,
    /// Events per AI tool hostname (`tool.hostname`), most dangerous first.
    pub by_hostname: Breakdown,
    /// The seven UTC days ending with the day of `now`, oldest first.
    pub daily: Vec<DayBucket>,
}

/// What an event contributes: its counts, and the fields it is broken
/// down by.
#[derive(Debug, Clone)]
struct EventFacts {
    verdict: Verdict,
    is_dlp: bool,
    blocked_by_dlp: bool,
    high_or_above: u64,
    critical: u64,
    who: Who,
}

impl EventFacts {
    fn of(event: &Event) -> Self {
        let dlp: &DlpSummary = &event.dlp;
        EventFacts {
            verdict: event.verdict,
            is_dlp: dlp.is_dlp_event,
            blocked_by_dlp: dlp.blocked_by_dlp,
            high_or_above: dlp.high_or_above as u64,
            critical: dlp.critical as u64,
            who: Who::of(event),
        }
    }

    fn danger(&self) -> Danger {
        Danger {
            verdict: self.verdict,
            is_dlp: self.is_dlp,
            high_or_above: self.high_or_above > 0,
            critical: self.critical > 0,
        }
    }
}

#[derive(Debug, Clone)]
struct MatchFacts {
    rule_id: String,
    rule_name: String,
    severity: Severity,
}

/// A value ordered by `(ts, id)` alone.
#[derive(Debug, Clone)]
struct Keyed<T> {
    ts: i64,
    id: String,
    value: T,
}

impl<T> PartialEq for Keyed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T> Eq for Keyed<T> {}
impl<T> PartialOrd for Keyed<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Keyed<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.ts, &self.id).cmp(&(other.ts, &other.id))
    }
}

/// The running sums.
#[derive(Debug, Clone)]
struct Totals {
    first_day: i64,
    summary: AnalyticsSummary,
    patterns: PatternCounter,
    users: BreakdownCounter,
    tools: BreakdownCounter,
    hostnames: BreakdownCounter,
    oldest: Option<i64>,
    newest: Option<i64>,
}

impl Totals {
    fn new(now_ms: i64, scan_cap: Option<usize>) -> Self {
        let first_day = utc_day_start(now_ms) - (DAILY_BUCKETS as i64 - 1) * DAY_MS;
        let daily = (0..DAILY_BUCKETS as i64)
            .map(|i| DayBucket {
                date: utc_date(first_day + i * DAY_MS),
                verdicts: VerdictCounts::default(),
                dlp_events: 0,
                high_or_above_events: 0,
                dlp_matches: 0,
            })
            .collect();
        Totals {
            first_day,
            summary: AnalyticsSummary {
                generated_at: rfc3339_ms(now_ms),
                scan_cap,
                capped: false,
                events: 0,
                events_skipped: 0,
                dlp_matches: 0,
                dlp_matches_skipped: 0,
                invalid_timestamps: 0,
                oldest: None,
                newest: None,
                verdicts: VerdictCounts::default(),
                dlp_events: 0,
                blocked_by_dlp: 0,
                high_or_above_events: 0,
                critical_events: 0,
                high_or_above_matches: 0,
                critical_matches: 0,
                top_patterns: Vec::new(),
                by_user: Breakdown::default(),
                by_tool: Breakdown::default(),
                by_hostname: Breakdown::default(),
                daily,
            },
            patterns: PatternCounter::default(),
            users: BreakdownCounter::default(),
            tools: BreakdownCounter::default(),
            hostnames: BreakdownCounter::default(),
            oldest: None,
            newest: None,
        }
    }

    fn day(&mut self, ts: i64) -> Option<&mut DayBucket> {
        let index = usize::try_from((ts - self.first_day).div_euclid(DAY_MS)).ok()?;
        self.summary.daily.get_mut(index)
    }

    fn seen(&mut self, ts: i64) {
        self.oldest = Some(self.oldest.map_or(ts, |o| o.min(ts)));
        self.newest = Some(self.newest.map_or(ts, |n| n.max(ts)));
    }

    fn add_event(&mut self, ts: i64, e: EventFacts) {
        self.seen(ts);
        let danger = e.danger();
        self.users.add(e.who.user.as_deref(), danger);
        self.tools.add(e.who.tool.as_deref(), danger);
        self.hostnames.add(e.who.hostname.as_deref(), danger);
        let s = &mut self.summary;
        s.events += 1;
        s.verdicts.add(e.verdict);
        s.dlp_events += u64::from(e.is_dlp);
        s.blocked_by_dlp += u64::from(e.blocked_by_dlp);
        s.high_or_above_events += u64::from(e.high_or_above > 0);
        s.critical_events += u64::from(e.critical > 0);
        s.high_or_above_matches += e.high_or_above;
        s.critical_matches += e.critical;
        if let Some(day) = self.day(ts) {
            day.verdicts.add(e.verdict);
            day.dlp_events += u64::from(e.is_dlp);
            day.high_or_above_events += u64::from(e.high_or_above > 0);
        }
    }

    fn add_match(&mut self, ts: i64, rule_id: &str, rule_name: &str, severity: Severity) {
        self.seen(ts);
        self.summary.dlp_matches += 1;
        self.patterns.add(rule_id, rule_name, severity, ts);
        if let Some(day) = self.day(ts) {
            day.dlp_matches += 1;
        }
    }

    fn finish(mut self, top: usize) -> AnalyticsSummary {
        self.summary.top_patterns = self.patterns.top(top);
        self.summary.by_user = self.users.finish(TOP_ACTORS);
        self.summary.by_tool = self.tools.finish(TOP_ACTORS);
        self.summary.by_hostname = self.hostnames.finish(TOP_ACTORS);
        self.summary.oldest = self.oldest.map(rfc3339_ms);
        self.summary.newest = self.newest.map(rfc3339_ms);
        self.summary.capped = self.summary.events_skipped > 0;
        self.summary
    }
}

/// The newest `cap` events and the matches that belong to them.
#[derive(Debug, Clone)]
struct Newest {
    cap: usize,
    events: BinaryHeap<Reverse<Keyed<EventFacts>>>,
    matches: BinaryHeap<Reverse<Keyed<MatchFacts>>>,
    events_skipped: u64,
    matches_skipped: u64,
}

impl Newest {
    fn full(&self) -> bool {
        self.events.len() >= self.cap
    }

    /// True when a record keyed `(ts, id)` is older than everything kept.
    fn too_old(&self, ts: i64, id: &str) -> bool {
        self.full()
            && self
                .events
                .peek()
                .is_none_or(|Reverse(min)| (ts, id) < (min.ts, min.id.as_str()))
    }

    fn push_event(&mut self, ts: i64, id: &str, facts: EventFacts) {
        if self.cap == 0 || self.too_old(ts, id) {
            self.events_skipped += 1;
            return;
        }
        self.events.push(Reverse(Keyed {
            ts,
            id: id.to_owned(),
            value: facts,
        }));
        if self.events.len() > self.cap {
            self.events.pop();
            self.events_skipped += 1;
        }
        self.prune_matches();
    }

    fn push_match(&mut self, ts: i64, m: &DlpMatch) {
        if self.cap == 0 || self.too_old(ts, &m.event_id) {
            self.matches_skipped += 1;
            return;
        }
        self.matches.push(Reverse(Keyed {
            ts,
            id: m.event_id.clone(),
            value: MatchFacts {
                rule_id: m.rule_id.clone(),
                rule_name: m.rule_name.clone(),
                severity: m.severity,
            },
        }));
    }

    /// Drops matches older than the oldest event kept: the cutoff only ever
    /// moves forward, so they can never come back in.
    fn prune_matches(&mut self) {
        if !self.full() {
            return;
        }
        let Some(Reverse(min)) = self.events.peek() else {
            return;
        };
        while self
            .matches
            .peek()
            .is_some_and(|Reverse(m)| (m.ts, &m.id) < (min.ts, &min.id))
        {
            self.matches.pop();
            self.matches_skipped += 1;
        }
    }
}

/// Aggregates records into an [`AnalyticsSummary`]. Sans-IO: `now` is given,
/// records are pushed one at a time from any source. `finish` on a clone
/// reads the summary so far and keeps the aggregate going.
///
/// ```
/// use govstream::analytics::Analytics;
/// use govstream::policy::{EvaluationContext, Policy};
///
/// let policy = Policy::default_policy()?;
/// let now = 1_795_339_200_000; // 2026-11-22T09:20:00Z
/// let ctx = EvaluationContext { timestamp_ms: Some(now - 60_000), ..Default::default() };
/// let records = policy.evaluate("my key is AKIAIOSFODNN7EXAMPLE", &ctx).records();
///
/// let mut analytics = Analytics::new(now);
/// analytics.extend(&records);
/// let summary = analytics.finish();
/// assert_eq!(summary.events, 1);
/// assert_eq!(summary.dlp_events, 1);
/// assert_eq!(summary.daily.last().map(|d| d.verdicts.total()), Some(1));
/// # Ok::<(), govstream::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Analytics {
    top_patterns: usize,
    totals: Totals,
    newest: Option<Newest>,
}

impl Analytics {
    /// An empty aggregate for `now_ms` with the default options (the newest
    /// 5,000 events, 20 top patterns).
    pub fn new(now_ms: i64) -> Self {
        Self::with_options(now_ms, AnalyticsOptions::default())
    }

    /// An empty aggregate for `now_ms`.
    pub fn with_options(now_ms: i64, options: AnalyticsOptions) -> Self {
        Analytics {
            top_patterns: options.top_patterns,
            totals: Totals::new(now_ms, options.scan_cap),
            newest: options.scan_cap.map(|cap| Newest {
                cap,
                events: BinaryHeap::with_capacity(cap.min(1 << 16) + 1),
                matches: BinaryHeap::new(),
                events_skipped: 0,
                matches_skipped: 0,
            }),
        }
    }

    /// Summarizes `records` in one call.
    pub fn summarize<'a>(
        records: impl IntoIterator<Item = &'a Record>,
        now_ms: i64,
        options: AnalyticsOptions,
    ) -> AnalyticsSummary {
        let mut a = Self::with_options(now_ms, options);
        a.extend(records);
        a.finish()
    }

    /// Adds one record. Events and DLP matches count; other kinds are
    /// ignored.
    pub fn push(&mut self, record: &Record) {
        match record {
            Record::Event(e) => self.push_event(e),
            Record::DlpMatch(m) => self.push_match(m),
            Record::ShadowAiEvent(_) | Record::ShadowAiFinding(_) | Record::AuditEvent(_) => {}
        }
    }

    /// Adds every record of `records`.
    pub fn extend<'a>(&mut self, records: impl IntoIterator<Item = &'a Record>) {
        for r in records {
            self.push(r);
        }
    }

    /// Adds one event.
    pub fn push_event(&mut self, event: &Event) {
        let Some(ts) = parse_timestamp_ms(&event.timestamp) else {
            self.totals.summary.invalid_timestamps += 1;
            return;
        };
        let facts = EventFacts::of(event);
        match &mut self.newest {
            Some(n) => n.push_event(ts, &event.event_id, facts),
            None => self.totals.add_event(ts, facts),
        }
    }

    /// Adds one DLP match.
    pub fn push_match(&mut self, m: &DlpMatch) {
        let Some(ts) = parse_timestamp_ms(&m.timestamp) else {
            self.totals.summary.invalid_timestamps += 1;
            return;
        };
        match &mut self.newest {
            Some(n) => n.push_match(ts, m),
            None => self
                .totals
                .add_match(ts, &m.rule_id, &m.rule_name, m.severity),
        }
    }

    /// The summary of everything pushed.
    pub fn finish(mut self) -> AnalyticsSummary {
        if let Some(n) = self.newest.take() {
            self.totals.summary.events_skipped = n.events_skipped;
            for Reverse(k) in n.events {
                self.totals.add_event(k.ts, k.value);
            }
            for Reverse(k) in n.matches {
                let m = k.value;
                self.totals
                    .add_match(k.ts, &m.rule_id, &m.rule_name, m.severity);
            }
            self.totals.summary.dlp_matches_skipped = n.matches_skipped;
        }
        self.totals.finish(self.top_patterns)
    }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
