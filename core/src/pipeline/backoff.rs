//! Retry timing: exponential backoff with full jitter, and `Retry-After`.
//! The random source is a seeded generator owned by the pipeline, so a
//! sans-IO run is reproducible when the host fixes the seed.

/// SplitMix64: small, fast and good enough to spread retries.
#[derive(Debug, Clone)]
pub(crate) struct Jitter {
    state: u64,
}

impl Jitter {
    pub(crate) fn new(seed: u64) -> Self {
        Jitter { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The delay before retry number `attempt` (1 for the first retry):
    /// uniform in `0..=min(max, initial * 2^(attempt-1))` ("full jitter").
    pub(crate) fn delay_ms(&mut self, attempt: u32, initial: u64, max: u64) -> u64 {
        let shift = attempt.saturating_sub(1).min(32);
        let ceiling = initial.saturating_mul(1u64 << shift).min(max);
        if ceiling == 0 {
            return 0;
        }
        self.next() % (ceiling + 1)
    }
}

/// Parses a `Retry-After` value: delta-seconds, or an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`) relative to `now_ms`. Returns the delay
/// in milliseconds; `None` when the value is neither.
pub fn parse_retry_after(value: &str, now_ms: i64) -> Option<u64> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
    }
    let at = parse_imf_fixdate(v)?;
    Some(u64::try_from(at.saturating_sub(now_ms)).unwrap_or(0))
}

/// IMF-fixdate (RFC 9110 §5.6.7) to milliseconds since the epoch.
fn parse_imf_fixdate(v: &str) -> Option<i64> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let rest = v.split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let day: i64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: i64 = hms.next()?.parse().ok()?;
    let m: i64 = hms.next()?.parse().ok()?;
    let s: i64 = hms.next()?.parse().ok()?;
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s) * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of
/// `clock::civil_from_days`, same published era-based method).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_under_the_doubling_ceiling() {
        let mut j = Jitter::new(7);
        for attempt in 1..40 {
            let ceiling = 100u64.saturating_mul(1 << (attempt - 1).min(32)).min(5_000);
            for _ in 0..50 {
                assert!(j.delay_ms(attempt, 100, 5_000) <= ceiling);
            }
        }
        let spread: std::collections::HashSet<u64> =
            (0..100).map(|_| j.delay_ms(5, 100, 5_000)).collect();
        assert!(spread.len() > 50, "full jitter spreads retries");
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("120", 0), Some(120_000));
        let now = 784_111_777_000; // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(10_000)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:27 GMT", now),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(
            parse_retry_after("Sun, 06 Foo 1994 08:49:27 GMT", now),
            None
        );
    }
}
