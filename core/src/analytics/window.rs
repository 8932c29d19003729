//! The relative time windows of the Events page: 1h, 6h, 24h, 7d and 30d.

use super::timestamp::{DAY_MS, HOUR_MS};
use serde::{Deserialize, Serialize};

/// A window ending at a given `now`: it holds the timestamps `ts` with
/// `now - length < ts <= now`. A record stamped after `now` (a skewed clock)
/// is in no window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Window {
    /// The last hour.
    #[serde(rename = "1h")]
    Hour,
    /// The last six hours.
    #[serde(rename = "6h")]
    SixHours,
    /// The last 24 hours.
    #[serde(rename = "24h")]
    Day,
    /// The last seven days.
    #[serde(rename = "7d")]
    Week,
    /// The last 30 days.
    #[serde(rename = "30d")]
    Month,
}

impl Window {
    /// Every window, shortest first.
    pub const ALL: [Window; 5] = [
        Window::Hour,
        Window::SixHours,
        Window::Day,
        Window::Week,
        Window::Month,
    ];

    /// The wire name (`"1h"`, `"6h"`, `"24h"`, `"7d"`, `"30d"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Hour => "1h",
            Window::SixHours => "6h",
            Window::Day => "24h",
            Window::Week => "7d",
            Window::Month => "30d",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// Its length in milliseconds.
    pub fn length_ms(self) -> i64 {
        match self {
            Window::Hour => HOUR_MS,
            Window::SixHours => 6 * HOUR_MS,
            Window::Day => DAY_MS,
            Window::Week => 7 * DAY_MS,
            Window::Month => 30 * DAY_MS,
        }
    }

    /// The exclusive lower bound of the window ending at `now_ms`.
    pub fn since(self, now_ms: i64) -> i64 {
        now_ms.saturating_sub(self.length_ms())
    }

    /// True when `ts_ms` lies in the window ending at `now_ms`.
    pub fn contains(self, ts_ms: i64, now_ms: i64) -> bool {
        ts_ms > self.since(now_ms) && ts_ms <= now_ms
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for w in Window::ALL {
            assert_eq!(Window::parse(w.as_str()), Some(w));
            assert_eq!(serde_json::to_string(&w).unwrap(), format!("\"{w}\""));
        }
        assert_eq!(Window::parse("2h"), None);
    }

    #[test]
    fn bounds_are_exclusive_below_and_inclusive_at_now() {
        let now = 10 * DAY_MS;
        assert!(Window::Hour.contains(now, now));
        assert!(Window::Hour.contains(now - HOUR_MS + 1, now));
        assert!(!Window::Hour.contains(now - HOUR_MS, now));
        assert!(
            !Window::Hour.contains(now + 1, now),
            "the future is in no window"
        );
        assert!(Window::Month.contains(now - 29 * DAY_MS, now));
        assert_eq!(Window::Week.since(now), 3 * DAY_MS);
    }
}
