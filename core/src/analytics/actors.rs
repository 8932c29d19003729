//! Who and where: events per user, per AI tool and per hostname, ranked
//! most dangerous first, so a report answers "what is most dangerous, and
//! who" and not only "how much".
//!
//! Memory is bounded: each breakdown tracks at most [`MAX_TRACKED_KEYS`]
//! distinct keys. Events of keys first seen after that are not attributed
//! to a row; they are counted in [`Breakdown::untracked_events`], so the
//! rows plus the untracked and unknown events always add up to the total.

use super::counts::ratio;
use crate::schema::{Event, Verdict};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::HashMap;

/// Distinct keys (users, tools or hostnames) one breakdown tracks.
pub const MAX_TRACKED_KEYS: usize = 10_000;

/// One user, AI tool or hostname, and what its events came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActorCount {
    /// The user id, tool or hostname exactly as the events carry it.
    pub key: String,
    /// Events with this key.
    pub events: u64,
    /// Of them, events whose verdict was `block`.
    pub blocked: u64,
    /// Of them, events whose verdict was `escalate`.
    pub escalated: u64,
    /// Of them, events with at least one DLP match.
    pub dlp_events: u64,
    /// Of them, events with a DLP match of severity high or critical.
    pub high_or_above_events: u64,
    /// Of them, events with a critical DLP match.
    pub critical_events: u64,
}

impl ActorCount {
    /// The order of a report's rows, most dangerous first: critical events,
    /// then high-or-critical events, blocks, escalations, DLP events and
    /// events, each descending; ties by key.
    #[allow(clippy::type_complexity)]
    fn rank(&self) -> (Reverse<(u64, u64, u64, u64, u64, u64)>, &str) {
        (
            Reverse((
                self.critical_events,
                self.high_or_above_events,
                self.blocked,
                self.escalated,
                self.dlp_events,
                self.events,
            )),
            &self.key,
        )
    }

    /// Share of this key's events that were blocked, 0 to 1.
    pub fn block_rate(&self) -> f64 {
        ratio(self.blocked, self.events)
    }
}

/// Events broken down by one field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    /// The top keys, most dangerous first (see [`ActorCount`]).
    pub top: Vec<ActorCount>,
    /// Distinct keys tracked (at most [`MAX_TRACKED_KEYS`]).
    pub distinct: u64,
    /// Events without the field.
    pub unknown_events: u64,
    /// Events whose key was first seen after [`MAX_TRACKED_KEYS`] keys were
    /// already tracked, and so are in no row.
    pub untracked_events: u64,
}

/// The facts of one event a breakdown needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Danger {
    pub(crate) verdict: Verdict,
    pub(crate) is_dlp: bool,
    pub(crate) high_or_above: bool,
    pub(crate) critical: bool,
}

/// The fields an event is broken down by.
#[derive(Debug, Clone, Default)]
pub(crate) struct Who {
    pub(crate) user: Option<String>,
    pub(crate) tool: Option<String>,
    pub(crate) hostname: Option<String>,
}

impl Who {
    /// The user id (else the user's email), the tool and the hostname an
    /// event carries; empty strings count as absent.
    pub(crate) fn of(e: &Event) -> Self {
        let some = |s: &Option<String>| s.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
        Who {
            user: some(&e.identity.user_id).or_else(|| some(&e.identity.user_email)),
            tool: some(&e.tool.tool),
            hostname: some(&e.tool.hostname),
        }
    }
}

/// Counts events per key, bounded by [`MAX_TRACKED_KEYS`].
#[derive(Debug, Clone, Default)]
pub(crate) struct BreakdownCounter {
    by_key: HashMap<String, ActorCount>,
    unknown_events: u64,
    untracked_events: u64,
}

impl BreakdownCounter {
    pub(crate) fn add(&mut self, key: Option<&str>, d: Danger) {
        let Some(key) = key else {
            self.unknown_events += 1;
            return;
        };
        let full = self.by_key.len() >= MAX_TRACKED_KEYS;
        // Looked up by `&str` first so a key already tracked allocates
        // nothing.
        let row = match self.by_key.get_mut(key) {
            Some(row) => row,
            None if full => {
                self.untracked_events += 1;
                return;
            }
            None => self
                .by_key
                .entry(key.to_owned())
                .or_insert_with(|| ActorCount {
                    key: key.to_owned(),
                    ..ActorCount::default()
                }),
        };
        row.events += 1;
        row.blocked += u64::from(d.verdict == Verdict::Block);
        row.escalated += u64::from(d.verdict == Verdict::Escalate);
        row.dlp_events += u64::from(d.is_dlp);
        row.high_or_above_events += u64::from(d.high_or_above);
        row.critical_events += u64::from(d.critical);
    }

    /// The `n` most dangerous keys and the totals.
    pub(crate) fn finish(&self, n: usize) -> Breakdown {
        let mut rows: Vec<&ActorCount> = self.by_key.values().collect();
        rows.sort_unstable_by(|a, b| a.rank().cmp(&b.rank()));
        Breakdown {
            top: rows.into_iter().take(n).cloned().collect(),
            distinct: self.by_key.len() as u64,
            unknown_events: self.unknown_events,
            untracked_events: self.untracked_events,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn danger(verdict: Verdict, high: bool, critical: bool) -> Danger {
        Danger {
            verdict,
            is_dlp: high || critical,
            high_or_above: high || critical,
            critical,
        }
    }

    #[test]
    fn ranks_by_danger_before_volume() {
        let mut c = BreakdownCounter::default();
        for _ in 0..50 {
            c.add(Some("chatty"), danger(Verdict::Allow, false, false));
        }
        c.add(Some("leaker"), danger(Verdict::Block, true, true));
        c.add(Some("blocked"), danger(Verdict::Block, false, false));
        c.add(None, danger(Verdict::Allow, false, false));
        let b = c.finish(10);
        let keys: Vec<&str> = b.top.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["leaker", "blocked", "chatty"]);
        assert_eq!(b.top[0].critical_events, 1);
        assert_eq!(b.top[2].events, 50);
        assert_eq!(
            (b.distinct, b.unknown_events, b.untracked_events),
            (3, 1, 0)
        );
        assert_eq!(b.top[1].block_rate(), 1.0);
    }

    #[test]
    fn keys_past_the_bound_are_counted_not_kept() {
        let mut c = BreakdownCounter::default();
        for i in 0..MAX_TRACKED_KEYS + 5 {
            c.add(Some(&format!("u{i}")), danger(Verdict::Allow, false, false));
        }
        // A key already tracked still counts after the bound is reached.
        c.add(Some("u0"), danger(Verdict::Block, false, false));
        let b = c.finish(3);
        assert_eq!(b.distinct, MAX_TRACKED_KEYS as u64);
        assert_eq!(b.untracked_events, 5);
        assert_eq!(b.top.len(), 3);
        assert_eq!(b.top[0].key, "u0");
        assert_eq!(b.top[0].events, 2);
        let rows: u64 = c.by_key.values().map(|r| r.events).sum();
        assert_eq!(rows + b.untracked_events, MAX_TRACKED_KEYS as u64 + 6);
    }
}
