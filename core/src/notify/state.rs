//! The engine's memory, all of it bounded by time: which alerts went out
//! recently (dedup), how many more may go (rate limit), how many records
//! each org has matched lately (thresholds), and how deliveries went
//! (channel health). Time is whatever the host passes in, in milliseconds.

use super::config::{ChannelKind, RateLimit, Threshold};
use super::content::{Fired, clip};
use crate::clock::rfc3339_ms;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// Maps grow to at least this many entries before expired ones are swept.
const SWEEP_FLOOR: usize = 64;

fn ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// When each dedup key last went out on one channel.
#[derive(Debug)]
pub(super) struct Dedup {
    window_ms: i64,
    sent: HashMap<String, i64>,
    sweep_at: usize,
}

impl Dedup {
    pub(super) fn new(window_secs: u64) -> Self {
        Dedup {
            window_ms: ms(window_secs),
            sent: HashMap::new(),
            sweep_at: SWEEP_FLOOR,
        }
    }

    /// True when `key` went out less than a window ago. A key sent "in the
    /// future" (the host's clock stepped back) counts as recent.
    pub(super) fn is_duplicate(&self, key: &str, now_ms: i64) -> bool {
        self.window_ms > 0
            && self
                .sent
                .get(key)
                .is_some_and(|&t| now_ms.saturating_sub(t) < self.window_ms)
    }

    /// Notes that `key` went out now. The window runs from the alert that
    /// went out, so a stream of duplicates cannot keep it open forever.
    pub(super) fn note(&mut self, key: &str, now_ms: i64) {
        if self.window_ms == 0 {
            return;
        }
        self.sent.insert(key.to_owned(), now_ms);
        if self.sent.len() >= self.sweep_at {
            let window = self.window_ms;
            self.sent.retain(|_, t| now_ms.saturating_sub(*t) < window);
            self.sweep_at = (self.sent.len() * 2).max(SWEEP_FLOOR);
        }
    }
}

/// A token bucket in integers: one token is `period_ms` units, and `max`
/// units flow in per millisecond, so `max` tokens refill per period exactly.
#[derive(Debug)]
pub(super) struct TokenBucket {
    max: u128,
    period_ms: u128,
    level: u128,
    last_ms: Option<i64>,
}

impl TokenBucket {
    pub(super) fn new(limit: RateLimit) -> Self {
        let period_ms = u128::from(limit.per_secs) * 1000;
        let max = u128::from(limit.max);
        TokenBucket {
            max,
            period_ms,
            level: max * period_ms,
            last_ms: None,
        }
    }

    /// Takes a token if one is left.
    pub(super) fn take(&mut self, now_ms: i64) -> bool {
        if let Some(last) = self.last_ms {
            let elapsed = u128::try_from(now_ms.saturating_sub(last)).unwrap_or(0);
            let capacity = self.max * self.period_ms;
            self.level = (self.level + elapsed * self.max).min(capacity);
        }
        self.last_ms = Some(self.last_ms.map_or(now_ms, |l| l.max(now_ms)));
        if self.level >= self.period_ms {
            self.level -= self.period_ms;
            true
        } else {
            false
        }
    }
}

/// Threshold groups one rule tracks at most (org, or org and `group_by`
/// values). A rule grouped by user over many users keeps memory bounded:
/// past this many, the group whose latest record is oldest is forgotten
/// (and counted in [`RuleStats::evicted_groups`](super::RuleStats)).
pub const MAX_THRESHOLD_GROUPS: usize = 10_000;

/// Recent matching records of one rule, per group (the org, or the org and
/// the rule's `group_by` values).
#[derive(Debug, Default)]
pub(super) struct ThresholdCounter {
    per_group: HashMap<String, VecDeque<i64>>,
    sweep_at: usize,
    pub(super) evicted: u64,
}

impl ThresholdCounter {
    /// Counts one matching record of `group` (`label` says it in an alert).
    /// Returns the threshold when this record completes it; the count then
    /// starts again from zero, so a steady stream alerts once per `count`
    /// records rather than on each.
    pub(super) fn hit(
        &mut self,
        group: &str,
        label: Option<&str>,
        t: Threshold,
        longest_window_secs: u64,
        now_ms: i64,
    ) -> Option<Fired> {
        let window = ms(t.window_secs);
        let longest = ms(longest_window_secs);
        if !self.per_group.contains_key(group) && self.per_group.len() >= MAX_THRESHOLD_GROUPS {
            self.sweep(longest, now_ms);
            if self.per_group.len() >= MAX_THRESHOLD_GROUPS {
                self.evict_stalest();
            }
        }
        let q = self.per_group.entry(group.to_owned()).or_default();
        q.push_back(now_ms);
        while q
            .front()
            .is_some_and(|&first| now_ms.saturating_sub(first) >= window)
        {
            q.pop_front();
        }
        let fired = (q.len() >= t.count as usize).then(|| {
            q.clear();
            Fired {
                count: t.count,
                window_secs: t.window_secs,
                group: label.map(str::to_owned),
            }
        });
        if self.per_group.len() >= self.sweep_at.max(SWEEP_FLOOR) {
            self.sweep(longest, now_ms);
            self.sweep_at = self.per_group.len() * 2;
        }
        fired
    }

    /// Groups tracked.
    pub(super) fn groups(&self) -> usize {
        self.per_group.len()
    }

    /// Forgets groups with nothing inside the longest window.
    fn sweep(&mut self, longest_ms: i64, now_ms: i64) {
        self.per_group.retain(|_, q| {
            q.back()
                .is_some_and(|&t| now_ms.saturating_sub(t) < longest_ms)
        });
    }

    /// Forgets the group whose latest record is the oldest: the one least
    /// likely to pass the threshold soon.
    fn evict_stalest(&mut self) {
        let stalest = self
            .per_group
            .iter()
            .min_by_key(|(_, q)| q.back().copied().unwrap_or(i64::MIN))
            .map(|(k, _)| k.clone());
        if let Some(k) = stalest {
            self.per_group.remove(&k);
            self.evicted += 1;
        }
    }
}

/// How a channel's deliveries are going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// No delivery outcome reported yet.
    Idle,
    /// The latest reported delivery succeeded.
    Healthy,
    /// The latest reported delivery failed.
    Failing,
}

/// One channel's counters, as [`Notifier::health`](super::Notifier::health)
/// reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelHealth {
    /// The channel id.
    pub channel_id: String,
    /// Its service.
    pub kind: ChannelKind,
    /// From the latest outcome.
    pub status: HealthStatus,
    /// Alerts produced for the host to deliver.
    pub alerts: u64,
    /// Deliveries the host reported as successful.
    pub successes: u64,
    /// Deliveries the host reported as failed.
    pub failures: u64,
    /// Failures since the last success.
    pub consecutive_failures: u64,
    /// Alerts withheld because the same alert went out within the dedup
    /// window.
    pub suppressed: u64,
    /// Alerts withheld by the channel's rate limit.
    pub rate_limited: u64,
    /// The latest failure's message (one line, at most 500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the latest success was reported, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_success_at: Option<String>,
    /// When the latest failure was reported, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failure_at: Option<String>,
}

/// A channel's counters with times kept as milliseconds.
#[derive(Debug, Default)]
pub(super) struct Health {
    pub(super) alerts: u64,
    pub(super) suppressed: u64,
    pub(super) rate_limited: u64,
    successes: u64,
    failures: u64,
    consecutive_failures: u64,
    last_ok: Option<bool>,
    last_error: Option<String>,
    last_success_ms: Option<i64>,
    last_failure_ms: Option<i64>,
}

impl Health {
    pub(super) fn outcome(&mut self, ok: bool, error: Option<String>, now_ms: i64) {
        self.last_ok = Some(ok);
        if ok {
            self.successes += 1;
            self.consecutive_failures = 0;
            self.last_success_ms = Some(now_ms);
        } else {
            self.failures += 1;
            self.consecutive_failures += 1;
            self.last_failure_ms = Some(now_ms);
            self.last_error = Some(clip(error.as_deref().unwrap_or("delivery failed"), 500));
        }
    }

    pub(super) fn report(&self, channel_id: &str, kind: ChannelKind) -> ChannelHealth {
        ChannelHealth {
            channel_id: channel_id.to_owned(),
            kind,
            status: match self.last_ok {
                None => HealthStatus::Idle,
                Some(true) => HealthStatus::Healthy,
                Some(false) => HealthStatus::Failing,
            },
            alerts: self.alerts,
            successes: self.successes,
            failures: self.failures,
            consecutive_failures: self.consecutive_failures,
            suppressed: self.suppressed,
            rate_limited: self.rate_limited,
            last_error: self.last_error.clone(),
            last_success_at: self.last_success_ms.map(rfc3339_ms),
            last_failure_at: self.last_failure_ms.map(rfc3339_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_window_runs_from_the_alert_that_went_out() {
        let mut d = Dedup::new(60);
        assert!(!d.is_duplicate("k", 0));
        d.note("k", 0);
        assert!(d.is_duplicate("k", 59_999));
        assert!(!d.is_duplicate("other", 1));
        assert!(!d.is_duplicate("k", 60_000));
        assert!(
            d.is_duplicate("k", -5),
            "a clock stepping back stays deduped"
        );
        let mut off = Dedup::new(0);
        off.note("k", 0);
        assert!(!off.is_duplicate("k", 0));
    }

    #[test]
    fn dedup_sweeps_expired_keys() {
        let mut d = Dedup::new(1);
        for i in 0..1000 {
            d.note(&i.to_string(), i64::from(i) * 2000);
        }
        assert!(d.sent.len() < SWEEP_FLOOR, "{}", d.sent.len());
    }

    #[test]
    fn bucket_allows_a_burst_then_refills_at_the_rate() {
        let mut b = TokenBucket::new(RateLimit {
            max: 3,
            per_secs: 60,
        });
        let taken: Vec<bool> = (0..5).map(|_| b.take(0)).collect();
        assert_eq!(taken, [true, true, true, false, false]);
        assert!(!b.take(19_999), "one token takes 20 s to refill");
        assert!(b.take(20_000));
        assert!(!b.take(20_001));
        // A long pause refills to the burst size, not beyond.
        let later: Vec<bool> = (0..4).map(|_| b.take(10_000_000)).collect();
        assert_eq!(later, [true, true, true, false]);
    }

    #[test]
    fn bucket_survives_extreme_times() {
        let mut b = TokenBucket::new(RateLimit {
            max: u32::MAX,
            per_secs: 30 * 86_400,
        });
        assert!(b.take(i64::MIN));
        assert!(b.take(i64::MAX));
        assert!(b.take(0));
    }

    #[test]
    fn threshold_counts_per_org_within_the_window() {
        let t = Threshold {
            count: 3,
            window_secs: 10,
        };
        let mut c = ThresholdCounter::default();
        assert_eq!(c.hit("a", None, t, 10, 0), None);
        assert_eq!(c.hit("b", None, t, 10, 1), None);
        assert_eq!(c.hit("a", None, t, 10, 2_000), None);
        // The first hit of `a` has left the window by 10 s.
        assert_eq!(c.hit("a", None, t, 10, 10_000), None);
        let fired = c.hit("a", None, t, 10, 11_000);
        assert_eq!(
            fired,
            Some(Fired {
                count: 3,
                window_secs: 10,
                group: None,
            })
        );
        // Counting starts again after an alert.
        assert_eq!(c.hit("a", None, t, 10, 11_001), None);
        assert_eq!(c.hit("b", None, t, 10, 2), None);
        assert!(c.hit("b", None, t, 10, 3).is_some());
    }

    #[test]
    fn groups_are_bounded_and_the_stalest_goes_first() {
        let t = Threshold {
            count: 100,
            window_secs: 3600,
        };
        let mut c = ThresholdCounter::default();
        // A busy user, then many one-off users inside the window.
        assert_eq!(c.hit("org/busy", None, t, 3600, 0), None);
        for i in 0..MAX_THRESHOLD_GROUPS + 10 {
            let now = 1_000 + i as i64;
            c.hit(&format!("org/u{i}"), None, t, 3600, now);
            // The busy user keeps being seen, so it is never the stalest.
            if i % 1000 == 0 {
                c.hit("org/busy", None, t, 3600, now);
            }
        }
        assert!(c.groups() <= MAX_THRESHOLD_GROUPS);
        assert!(c.evicted > 0);
        assert!(c.per_group.contains_key("org/busy"));
        assert!(!c.per_group.contains_key("org/u0"));
    }

    #[test]
    fn health_reports_outcomes() {
        let mut h = Health::default();
        assert_eq!(h.report("c", ChannelKind::Slack).status, HealthStatus::Idle);
        h.outcome(false, Some("HTTP 500\r\nboom".into()), 1_000);
        h.outcome(false, None, 2_000);
        let r = h.report("c", ChannelKind::Slack);
        assert_eq!(r.status, HealthStatus::Failing);
        assert_eq!((r.failures, r.consecutive_failures), (2, 2));
        assert_eq!(r.last_error.as_deref(), Some("delivery failed"));
        h.outcome(true, None, 3_000);
        let r = h.report("c", ChannelKind::Slack);
        assert_eq!(r.status, HealthStatus::Healthy);
        assert_eq!((r.successes, r.consecutive_failures), (1, 0));
        assert_eq!(
            r.last_success_at.as_deref(),
            Some("1970-01-01T00:00:03.000Z")
        );
        assert_eq!(
            r.last_failure_at.as_deref(),
            Some("1970-01-01T00:00:02.000Z")
        );
    }
}
