//! Time windows over records, for batch exports (`--since`, `--window 24h`).

use crate::schema::Record;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds since the epoch of an RFC 3339 time (any offset); `None`
/// when `text` is not one.
pub fn parse_time_ms(text: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

/// The record's time in milliseconds: `timestamp`, a finding's
/// `last_seen` (when it last changed), an audit event's `date_time`.
/// `None` when that field is not RFC 3339 (a record read from elsewhere).
pub fn record_time_ms(record: &Record) -> Option<i64> {
    let text = match record {
        Record::Event(e) => &e.timestamp,
        Record::DlpMatch(m) => &m.timestamp,
        Record::ShadowAiEvent(e) => &e.timestamp,
        Record::ShadowAiFinding(f) => &f.last_seen,
        Record::AuditEvent(e) => &e.date_time,
    };
    parse_time_ms(text)
}

/// A duration such as `24h`, `90m`, `7d`, `1h30m` or `45s` (units `w`,
/// `d`, `h`, `m`, `s`, each a whole number, largest first) in milliseconds.
/// Errors say what is wrong without repeating the text.
pub fn parse_duration_ms(text: &str) -> std::result::Result<i64, String> {
    const UNITS: [(char, i64); 5] = [
        ('w', 604_800_000),
        ('d', 86_400_000),
        ('h', 3_600_000),
        ('m', 60_000),
        ('s', 1_000),
    ];
    let usage = "expected a duration such as `24h`, `90m`, `7d` or `1h30m` (units w, d, h, m, s)";
    if text.is_empty() {
        return Err(usage.into());
    }
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    // Units must come largest first, each once: `1h30m`, not `30m1h`.
    let mut next_unit = 0;
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            let n = number
                .unwrap_or(0)
                .checked_mul(10)
                .and_then(|n| n.checked_add(i64::from(d)))
                .ok_or("the duration is too long")?;
            number = Some(n);
            continue;
        }
        let Some(n) = number.take() else {
            return Err(usage.into());
        };
        let Some((at, &(_, ms))) = UNITS.iter().enumerate().find(|(_, (u, _))| *u == c) else {
            return Err(usage.into());
        };
        if at < next_unit {
            return Err("units must come largest first, each once (`1h30m`)".into());
        }
        next_unit = at + 1;
        total = n
            .checked_mul(ms)
            .and_then(|v| total.checked_add(v))
            .ok_or("the duration is too long")?;
    }
    if number.is_some() {
        return Err(format!("{usage}; a number needs its unit"));
    }
    if total == 0 {
        return Err("the duration must be longer than zero".into());
    }
    Ok(total)
}

/// Records whose time is at or after `since_ms` and before `until_ms`
/// (half-open, so back-to-back windows never take a record twice); an
/// absent bound is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeWindow {
    /// First millisecond included.
    pub since_ms: Option<i64>,
    /// First millisecond no longer included.
    pub until_ms: Option<i64>,
}

impl TimeWindow {
    /// The `duration_ms` before `now_ms`: `[now - duration, now)`.
    pub fn last(duration_ms: i64, now_ms: i64) -> TimeWindow {
        TimeWindow {
            since_ms: Some(now_ms.saturating_sub(duration_ms)),
            until_ms: Some(now_ms),
        }
    }

    /// True when neither bound is set.
    pub fn is_open(&self) -> bool {
        self.since_ms.is_none() && self.until_ms.is_none()
    }

    /// True when `ms` falls inside.
    pub fn contains_ms(&self, ms: i64) -> bool {
        self.since_ms.is_none_or(|s| ms >= s) && self.until_ms.is_none_or(|u| ms < u)
    }

    /// Whether the record falls inside; `None` when its time cannot be
    /// read (and the window has a bound to compare it with).
    pub fn contains(&self, record: &Record) -> Option<bool> {
        if self.is_open() {
            return Some(true);
        }
        record_time_ms(record).map(|ms| self.contains_ms(ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_units_largest_first() {
        for (text, ms) in [
            ("24h", 86_400_000),
            ("90m", 5_400_000),
            ("7d", 604_800_000),
            ("1w", 604_800_000),
            ("1h30m", 5_400_000),
            ("1d12h", 129_600_000),
            ("45s", 45_000),
        ] {
            assert_eq!(parse_duration_ms(text), Ok(ms), "{text}");
        }
        for bad in [
            "",
            "24",
            "h",
            "24x",
            "1m1h",
            "1h1h",
            "-1h",
            "0h",
            "1.5h",
            " 1h",
            "99999999999999999w",
        ] {
            assert!(parse_duration_ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn windows_are_half_open() {
        let now = parse_time_ms("2026-12-07T12:00:00Z").unwrap();
        let w = TimeWindow::last(86_400_000, now);
        assert_eq!(w.since_ms, parse_time_ms("2026-12-06T12:00:00.000Z"));
        assert!(w.contains_ms(now - 86_400_000));
        assert!(w.contains_ms(now - 1));
        assert!(!w.contains_ms(now));
        assert!(!w.contains_ms(now - 86_400_001));
        assert_eq!(
            parse_time_ms("2026-12-07T13:00:00+01:00"),
            Some(now),
            "offsets are honoured"
        );
        assert!(TimeWindow::default().is_open());
        assert!(parse_time_ms("yesterday").is_none());
    }
}
