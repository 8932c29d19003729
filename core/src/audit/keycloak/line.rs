//! The anatomy of one Keycloak log line, without meaning: an optional
//! prefix, Keycloak's own timestamp, the level, the `[org.keycloak.events]`
//! logger, an optional `(thread)`, and the message's `key="value"` fields.
//!
//! Keycloak's default console format is
//! `%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c] (%t) %s%e%n`, and its
//! `jboss-logging` event listener writes `type="LOGIN", realmId="…", …`,
//! quoting every value with `"` and escaping a `"` inside a value as `\"`
//! (both configurable: `spi-events-listener-jboss-logging-quotes` and
//! `-sanitize`; before Keycloak 23 values were unquoted, and single-quoted
//! when they contained a space). Whatever stands before the timestamp (a
//! container runtime's own timestamp, a compose service name) is ignored.
//!
//! A line cut short (log rotation, a full disk, a size limit in a shipper)
//! must not read as a shorter event. Where the format allows it, a cut is
//! seen: when `type`'s value is quoted, as Keycloak 23+ writes every value,
//! every value must be quoted alike and closed, and no line ends in `,`. In
//! the old unquoted format a cut inside the last value cannot be told from a
//! shorter value; the fields Keycloak always writes (`mod.rs`) catch the
//! rest.

use time::{Date, Month, PrimitiveDateTime, Time};

/// The logger names of Keycloak's user and admin events, as `%c` prints
/// them in full and abbreviated.
const EVENT_LOGGERS: [&str; 2] = ["[org.keycloak.events]", "[o.k.events]"];

const LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/// An events-logger line taken apart.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct EventLine<'a> {
    /// Keycloak's timestamp, in the server's zone.
    pub(super) timestamp: PrimitiveDateTime,
    /// The line from Keycloak's timestamp on, as parts (date, time, level,
    /// logger to end), so a prefix does not change an id derived from it.
    pub(super) canonical: [&'a str; 4],
    /// The message's fields in order, values unquoted and unescaped.
    pub(super) fields: Vec<(&'a str, String)>,
}

/// Takes `line` apart: `Ok(None)` when it is not from the events logger,
/// `Err` with what is wrong when it is but cannot be read.
pub(super) fn read(line: &str) -> Result<Option<EventLine<'_>>, String> {
    let Some((at, logger)) = EVENT_LOGGERS
        .iter()
        .filter_map(|l| line.find(l).map(|at| (at, *l)))
        .min()
    else {
        return Ok(None);
    };
    let header = line.get(..at).unwrap_or_default();
    let from_logger = line.get(at..).unwrap_or_default().trim_end();
    let after_logger = from_logger.get(logger.len()..).unwrap_or_default();
    let words: Vec<&str> = header.split_whitespace().collect();
    let [.., date, time, level] = words.as_slice() else {
        return Err(
            "expected a Keycloak timestamp `yyyy-MM-dd HH:mm:ss,SSS` and a level before the logger"
                .to_owned(),
        );
    };
    if !LEVELS.contains(level) {
        return Err(format!(
            "expected a log level before the logger, found `{}`",
            short(level)
        ));
    }
    let timestamp = timestamp(date, time)?;
    let message = skip_thread(after_logger)?;
    let fields = fields(message)?;
    Ok(Some(EventLine {
        timestamp,
        canonical: [date, time, level, from_logger],
        fields,
    }))
}

/// Parses `yyyy-MM-dd` and `HH:mm:ss,SSS` (a `.` or no fraction also read).
fn timestamp(date: &str, time: &str) -> Result<PrimitiveDateTime, String> {
    let bad = || {
        format!(
            "`{} {}` is not a Keycloak timestamp `yyyy-MM-dd HH:mm:ss,SSS`",
            short(date),
            short(time)
        )
    };
    let [year, month, day] = numbers(date, '-', [4, 2, 2]).ok_or_else(bad)?;
    let (clock, fraction) = match time.split_once([',', '.']) {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (time, None),
    };
    let [hour, minute, second] = numbers(clock, ':', [2, 2, 2]).ok_or_else(bad)?;
    let milli = match fraction {
        None => 0,
        Some(f) => {
            let [ms] = numbers(f, ':', [3]).ok_or_else(bad)?;
            ms
        }
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let date = i32::try_from(year)
        .ok()
        .and_then(|y| Date::from_calendar_date(y, month, u8::try_from(day).ok()?).ok())
        .ok_or_else(bad)?;
    let time = Time::from_hms_milli(
        u8::try_from(hour).map_err(|_| bad())?,
        u8::try_from(minute).map_err(|_| bad())?,
        u8::try_from(second).map_err(|_| bad())?,
        u16::try_from(milli).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    Ok(PrimitiveDateTime::new(date, time))
}

/// `N` runs of ASCII digits of exactly the given widths, separated by `sep`.
fn numbers<const N: usize>(s: &str, sep: char, widths: [usize; N]) -> Option<[u32; N]> {
    let mut out = [0u32; N];
    let mut parts = s.split(sep);
    for (slot, width) in out.iter_mut().zip(widths) {
        let part = parts.next()?;
        if part.len() != width || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Skips `(thread name)`; thread names may hold spaces, so the name ends at
/// the first `)` followed by a space.
fn skip_thread(s: &str) -> Result<&str, String> {
    let s = s.trim_start();
    let Some(rest) = s.strip_prefix('(') else {
        return Ok(s);
    };
    match rest.find(") ") {
        Some(end) => Ok(rest.get(end + 2..).unwrap_or_default()),
        None => Err("no event fields after the thread name".to_owned()),
    }
}

/// Reads `key=value, key="value", key='value'` pairs. When the first value
/// is quoted, every value must be quoted with the same character: Keycloak
/// quotes all or none, so an unquoted value there (`username=` at the end)
/// is a cut line.
fn fields(message: &str) -> Result<Vec<(&str, String)>, String> {
    let mut out = Vec::new();
    let mut rest = message.trim();
    let mut style: Option<Option<char>> = None;
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            return Err(format!("expected `key=value`, found `{}`", short(rest)));
        };
        let key = key.trim();
        if !is_key(key) {
            return Err(format!("`{}` is not a field name", short(key)));
        }
        let quote = after.chars().next().filter(|c| matches!(c, '"' | '\''));
        let (value, tail) = match quote {
            Some(q) => quoted(after.get(1..).unwrap_or_default(), q)
                .ok_or_else(|| format!("the value of `{key}` has no closing {q}"))?,
            None => unquoted(after),
        };
        match *style.get_or_insert(quote) {
            Some(q) if quote != Some(q) => {
                return Err(format!(
                    "the value of `{key}` is not quoted with {q} like the first one"
                ));
            }
            _ => {}
        }
        out.push((key, value));
        rest = tail.trim_start();
        if !rest.is_empty() {
            rest = rest
                .strip_prefix(',')
                .ok_or_else(|| format!("expected `,` after the value of `{key}`"))?
                .trim_start();
            if rest.is_empty() {
                return Err(format!("the line ends after `{key}`'s `,`"));
            }
        }
    }
    if out.is_empty() {
        return Err("no event fields".to_owned());
    }
    Ok(out)
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// A value up to the closing quote `q`, after the opening one; `\q` is a
/// quote inside the value (Keycloak escapes nothing else, so every other
/// backslash is literal). `None` when the quote never closes.
fn quoted(s: &str, q: char) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|&(_, n)| n == q) {
            chars.next();
            value.push(q);
        } else if c == q {
            return Some((value, s.get(i + c.len_utf8()..).unwrap_or_default()));
        } else {
            value.push(c);
        }
    }
    None
}

/// An unquoted value runs to the next `, ` that starts another `key=`, so
/// commas inside a value (a URL's query) stay in it.
fn unquoted(s: &str) -> (String, &str) {
    for (at, _) in s.match_indices(", ") {
        let next = s.get(at + 2..).unwrap_or_default();
        if next.split_once('=').is_some_and(|(k, _)| is_key(k)) {
            let value = s.get(..at).unwrap_or_default();
            return (value.trim_end().to_owned(), s.get(at..).unwrap_or_default());
        }
    }
    (s.trim_end().to_owned(), "")
}

/// At most 40 characters of `s`, for messages.
pub(super) fn short(s: &str) -> String {
    let (cut, truncated) = crate::text::truncate(s, 40);
    if truncated {
        format!("{cut}…")
    } else {
        cut.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(message: &str) -> Result<Vec<(String, String)>, String> {
        fields(message).map(|f| {
            f.into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Vec<_>>()
        })
    }

    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn reads_the_prefix_timestamp_level_and_thread() {
        let line = "2025-02-03 16:52:53 2025-02-03 11:22:53,492 WARN  [org.keycloak.events] (executor-thread-3) type=\"LOGIN\"";
        let read = read(line).unwrap().unwrap();
        assert_eq!(
            read.timestamp,
            PrimitiveDateTime::new(
                Date::from_calendar_date(2025, Month::February, 3).unwrap(),
                Time::from_hms_milli(11, 22, 53, 492).unwrap()
            )
        );
        assert_eq!(read.canonical[..3], ["2025-02-03", "11:22:53,492", "WARN"]);
        assert!(read.canonical[3].starts_with("[org.keycloak.events] (executor"));
        assert_eq!(read.fields, [("type", "LOGIN".to_owned())]);
        let bare = line.get(20..).unwrap();
        assert_eq!(super::read(bare).unwrap().unwrap(), read);
    }

    #[test]
    fn other_loggers_are_not_event_lines() {
        for line in [
            "2025-02-03 11:20:01,001 INFO  [io.quarkus] (main) Keycloak 26.1.0 started",
            "",
            "\tat org.keycloak.events.EventBuilder.send(EventBuilder.java:1)",
        ] {
            assert_eq!(read(line), Ok(None), "{line}");
        }
    }

    #[test]
    fn timestamps_are_checked_field_by_field() {
        assert!(timestamp("2025-02-03", "11:22:53").is_ok());
        assert!(timestamp("2025-02-03", "11:22:53.5").is_err());
        for (date, time) in [
            ("2025-02-30", "11:22:53,492"),
            ("2025-13-01", "11:22:53,492"),
            ("2025-02-03", "24:00:00,000"),
            ("25-02-03", "11:22:53,492"),
            ("2025-02-03", "11:22:5३,492"),
            ("2025-02-03-01", "11:22:53,492"),
        ] {
            let err = timestamp(date, time).unwrap_err();
            assert!(err.contains("is not a Keycloak timestamp"), "{err}");
        }
    }

    #[test]
    fn header_problems_are_named() {
        let err = read("[org.keycloak.events] type=\"LOGIN\"").unwrap_err();
        assert!(err.contains("expected a Keycloak timestamp"), "{err}");
        let err =
            read("2025-02-03 11:22:53,492 LOUD [org.keycloak.events] type=\"LOGIN\"").unwrap_err();
        assert!(err.contains("found `LOUD`"), "{err}");
        let err =
            read("2025-02-03 11:22:53,492 INFO [org.keycloak.events] (thread-1)").unwrap_err();
        assert!(err.contains("after the thread name"), "{err}");
    }

    #[test]
    fn quoted_values_unescape_only_the_quote() {
        assert_eq!(
            pairs(r#"type="LOGIN", detail="say \"hi\", a\b", other="it""s""#),
            Err("expected `,` after the value of `other`".to_owned())
        );
        assert_eq!(
            pairs(r#"type="LOGIN", detail="say \"hi\", a\b", other="x y""#),
            Ok(kv(&[
                ("type", "LOGIN"),
                ("detail", r#"say "hi", a\b"#),
                ("other", "x y")
            ]))
        );
        assert_eq!(
            pairs("type='LOGIN', other='it\\'s'"),
            Ok(kv(&[("type", "LOGIN"), ("other", "it's")]))
        );
        assert_eq!(
            pairs(r#"type="LOGIN", username="unterminated"#),
            Err("the value of `username` has no closing \"".to_owned())
        );
    }

    #[test]
    fn unquoted_values_run_to_the_next_field() {
        assert_eq!(
            pairs("type=LOGIN, userId=null, redirect_uri=http://x/?a=1, b, c=2"),
            Ok(kv(&[
                ("type", "LOGIN"),
                ("userId", "null"),
                ("redirect_uri", "http://x/?a=1, b"),
                ("c", "2")
            ]))
        );
        assert_eq!(pairs("type="), Ok(kv(&[("type", "")])));
        // Before Keycloak 23 only values with a space were quoted.
        assert_eq!(
            pairs("type=LOGIN, consent='no consent required', x=1"),
            Ok(kv(&[
                ("type", "LOGIN"),
                ("consent", "no consent required"),
                ("x", "1")
            ]))
        );
    }

    #[test]
    fn a_cut_is_seen_where_the_format_allows() {
        for (message, why) in [
            (
                r#"type="LOGIN", username="#,
                "`username` is not quoted with \"",
            ),
            (
                r#"type="LOGIN", username=le"#,
                "`username` is not quoted with \"",
            ),
            (
                r#"type="LOGIN", userId='x'"#,
                "`userId` is not quoted with \"",
            ),
            (
                r#"type="LOGIN", username="le"#,
                "`username` has no closing \"",
            ),
            (r#"type="LOGIN","#, "ends after `type`'s `,`"),
            (r#"type="LOGIN", "#, "ends after `type`'s `,`"),
            (r#"type="LOGIN", user"#, "expected `key=value`"),
        ] {
            let err = pairs(message).unwrap_err();
            assert!(err.contains(why), "{message}: {err}");
        }
    }

    #[test]
    fn text_that_is_not_fields_is_refused() {
        assert!(pairs("").unwrap_err().contains("no event fields"));
        assert!(
            pairs("hello world")
                .unwrap_err()
                .contains("expected `key=value`")
        );
        assert!(pairs("bad key=1").unwrap_err().contains("not a field name"));
    }
}
