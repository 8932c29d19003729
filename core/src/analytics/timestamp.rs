//! Timestamps as milliseconds since the epoch, and UTC days. Aggregating a
//! million records parses a million timestamps, so the exact shape this crate
//! writes (`2026-11-22T09:15:02.481Z`) is read by hand; anything else RFC 3339
//! allows (offsets, other fractions, lowercase `t`/`z`) goes through the
//! general parser of the `time` crate.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds in one day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Milliseconds in one hour.
pub(crate) const HOUR_MS: i64 = 3_600_000;

/// Milliseconds since the epoch of an RFC 3339 timestamp; `None` when it is
/// not one. Sub-millisecond digits are cut toward the past.
pub fn parse_timestamp_ms(s: &str) -> Option<i64> {
    parse_fixed(s.as_bytes()).or_else(|| parse_general(s))
}

/// The crate's own format: exactly `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn parse_fixed(b: &[u8]) -> Option<i64> {
    if b.len() != 24
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[23] != b'Z'
    {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    // A leap second (`:60`) is left to the general parser.
    let second = digits(b, 17, 2)?;
    let millis = digits(b, 20, 3)?;
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
    let mut n = 0i64;
    for &c in b.get(start..start + len)? {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(c - b'0');
    }
    Some(n)
}

fn parse_general(s: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the era-based method
/// described by H. Hinnant, "chrono-Compatible Low-Level Date Algorithms";
/// the inverse of the one in [`crate::clock`]).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Start (00:00:00.000 UTC) of the day containing `ms`.
pub(crate) fn utc_day_start(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS) * DAY_MS
}

/// `YYYY-MM-DD` of the UTC day containing `ms`.
pub(crate) fn utc_date(ms: i64) -> String {
    let mut s = crate::clock::rfc3339_ms(ms);
    s.truncate(10);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::rfc3339_ms;
    use proptest::prelude::*;

    #[test]
    fn reads_the_crates_own_format() {
        assert_eq!(parse_timestamp_ms("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(
            parse_timestamp_ms("2000-02-29T00:00:00.123Z"),
            Some(951_782_400_123)
        );
        assert_eq!(
            parse_timestamp_ms("1969-12-31T23:59:59.999Z"),
            Some(-1),
            "before the epoch"
        );
    }

    #[test]
    fn falls_back_to_the_general_parser() {
        let base = parse_timestamp_ms("2026-11-22T09:15:02.481Z");
        assert_eq!(parse_timestamp_ms("2026-11-22T10:15:02.481+01:00"), base);
        assert_eq!(parse_timestamp_ms("2026-11-22T09:15:02.481999Z"), base);
        assert_eq!(parse_timestamp_ms("2026-11-22t09:15:02.481z"), base);
        // RFC 3339 §5.6 lets applications use a space for `T`.
        assert_eq!(parse_timestamp_ms("2026-11-22 09:15:02.481Z"), base);
        assert_eq!(
            parse_timestamp_ms("2026-11-22T09:15:02Z"),
            base.map(|b| b - 481)
        );
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for s in [
            "",
            "yesterday",
            "2026-13-01T00:00:00.000Z",
            "2026-02-29T00:00:00.000Z",
            "2026-04-31T00:00:00.000Z",
            "2026-01-01T24:00:00.000Z",
            "2026-01-01T00:60:00.000Z",
            "2026-01-01T00:00:00.0a0Z",
            "+026-01-01T00:00:00.000Z",
        ] {
            assert_eq!(parse_timestamp_ms(s), None, "{s:?}");
        }
    }

    #[test]
    fn days_start_at_utc_midnight() {
        let ms = parse_timestamp_ms("2026-11-22T09:15:02.481Z").unwrap();
        assert_eq!(rfc3339_ms(utc_day_start(ms)), "2026-11-22T00:00:00.000Z");
        assert_eq!(utc_date(ms), "2026-11-22");
        assert_eq!(utc_day_start(-1), -DAY_MS);
    }

    proptest! {
        #[test]
        fn inverts_the_formatter(ms in -62_135_596_800_000i64..253_402_300_799_999) {
            prop_assert_eq!(parse_timestamp_ms(&rfc3339_ms(ms)), Some(ms));
        }
    }
}
