//! Keycloak's event log as [`AuditEvent`]s: reads the lines Keycloak's
//! `jboss-logging` event listener writes through the `org.keycloak.events`
//! logger and maps logins and logouts, and their failures, to the `Auth:`
//! types. A failure (`LOGOUT_ERROR`, Keycloak's name for any failed `X` is
//! `X_ERROR`) is the event of its base type with `outcome: "failure"` in
//! its metadata, or the taxonomy's failure type where it has one
//! (`LOGIN_ERROR` is `Auth:LoginFailure`); `types.rs` holds the mapping.
//!
//! Nothing is dropped silently: a line of the events logger that cannot be
//! read, or whose type has no [`ApiEventType`], becomes a [`LineProblem`]
//! with its line number; lines of other loggers are counted in
//! [`KeycloakReport::skipped_lines`]. A line cut short is a problem, never
//! a shorter event: Keycloak writes `type`, `realmId`, `clientId`, `userId`
//! and `ipAddress` on every event (and `error` on a failed one), so a line
//! without them is incomplete; `line.rs` sees cuts inside values. Only the fields Keycloak itself
//! defines reach an event, cleaned of URL credentials and secrets; the
//! others are dropped and named in `dropped_fields` (`details.rs`). The
//! exact rules are in `docs/audit.md`.
//!
//! ```
//! use govstream::audit::{LineProblemKind, parse_keycloak};
//! use govstream::schema::ApiEventType;
//!
//! let log = concat!(
//!     "2025-02-03 11:22:53,492 WARN  [org.keycloak.events] (executor-thread-3) ",
//!     "type=\"LOGIN_ERROR\", realmId=\"acme\", clientId=\"ui\", userId=\"null\", ",
//!     "ipAddress=\"192.168.65.1\", error=\"invalid_user_credentials\", username=\"lee@acme.example\"\n",
//!     "2025-02-03 11:22:54,001 INFO  [io.quarkus] (main) started\n",
//!     "2025-02-03 11:22:55,010 DEBUG [org.keycloak.events] (executor-thread-1) type=\"CODE_TO_TOKEN\"\n",
//! );
//! let report = parse_keycloak(log);
//! let event = &report.events[0];
//! assert_eq!(event.event_type, ApiEventType::AuthLoginFailure);
//! assert_eq!(event.user_email.as_deref(), Some("lee@acme.example"));
//! assert_eq!(event.date_time, "2025-02-03T11:22:53.492Z");
//! assert_eq!(event.event_metadata["error"], "invalid_user_credentials");
//! assert_eq!(report.skipped_lines, 1);
//! assert_eq!(report.problems[0].line, 3);
//! assert_eq!(report.problems[0].kind, LineProblemKind::UnknownType("CODE_TO_TOKEN".into()));
//! ```

mod details;
mod line;
mod types;

use super::builder::AuditEventBuilder;
use super::outcome::{AuditOutcome, OUTCOME_KEY};
use crate::error::{Error, Problem, Result};
use crate::schema::AuditEvent;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::UtcOffset;

/// The widest UTC offset accepted, in minutes: ±18:00, as in ISO 8601
/// practice and Java's `ZoneOffset`, which Keycloak formats with.
const MAX_OFFSET_MINUTES: i32 = 18 * 60;

/// The metadata key naming the fields of a line that were not kept, in line
/// order (see `details.rs`).
const DROPPED_FIELDS: &str = "dropped_fields";

/// The fields Keycloak's `jboss-logging` listener writes on every event,
/// after `type` (`null` when unset), and `error`, which it writes on every
/// failed one: a line without them was cut.
const REQUIRED_FIELDS: [&str; 5] = ["realmId", "clientId", "userId", "ipAddress", "error"];

/// How much of a problem line a [`LineProblem`] quotes, in characters.
const EXCERPT_CHARS: usize = 120;

/// How Keycloak's log is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeycloakOptions {
    utc_offset_minutes: i32,
    org_id: Option<String>,
}

impl KeycloakOptions {
    /// Timestamps in UTC (Keycloak's zone in its official container image),
    /// no org.
    pub fn new() -> Self {
        Self::default()
    }

    /// The offset from UTC of the zone Keycloak writes its timestamps in, in
    /// minutes (`330` for India, `-300` for US Eastern standard time);
    /// at most ±18 hours.
    pub fn with_utc_offset_minutes(mut self, minutes: i32) -> Result<Self> {
        if minutes.abs() > MAX_OFFSET_MINUTES {
            return Err(Error::Validation {
                what: "keycloak options".to_owned(),
                problems: vec![Problem::new(
                    "$.utc_offset",
                    format!("{minutes} minutes is outside ±18:00"),
                )],
            });
        }
        self.utc_offset_minutes = minutes;
        Ok(self)
    }

    /// The offset as text: `Z`, `UTC`, `+05:30`, `-0800` or `+01`.
    pub fn with_utc_offset(self, offset: &str) -> Result<Self> {
        let minutes = parse_offset(offset.trim()).ok_or_else(|| Error::Validation {
            what: "keycloak options".to_owned(),
            problems: vec![Problem::new(
                "$.utc_offset",
                // Not repeated, like every value a host passes in.
                "not a UTC offset like `+05:30`, `-0800` or `Z`".to_string(),
            )],
        })?;
        self.with_utc_offset_minutes(minutes)
    }

    /// Sets `org_id` on every event.
    pub fn with_org_id(mut self, org_id: impl Into<String>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// The configured offset from UTC, in minutes.
    pub fn utc_offset_minutes(&self) -> i32 {
        self.utc_offset_minutes
    }

    /// The configured org, if any.
    pub fn org_id(&self) -> Option<&str> {
        self.org_id.as_deref()
    }
}

fn parse_offset(s: &str) -> Option<i32> {
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Some(0);
    }
    let (sign, digits) = match s.strip_prefix('+') {
        Some(rest) => (1, rest),
        None => (-1, s.strip_prefix('-')?),
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => (digits.get(..2)?, digits.get(2..)?),
        None => (digits, "00"),
    };
    let two_digits = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(hours) || !two_digits(minutes) {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (minutes < 60).then_some(sign * (hours * 60 + minutes))
}

/// Why a line of Keycloak's events logger produced no event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum LineProblemKind {
    /// The line was read, but its Keycloak type has no [`ApiEventType`]
    /// (`CODE_TO_TOKEN`, `REFRESH_TOKEN_ERROR`, …). Admin events, which have an
    /// `operationType` instead, carry `operationType=CREATE` and the like.
    UnknownType(String),
    /// The line names the events logger but could not be read; says what
    /// was wrong.
    Malformed(String),
}

impl LineProblemKind {
    /// The kind as it appears in JSON: `unknown_type` or `malformed`.
    pub fn code(&self) -> &'static str {
        match self {
            LineProblemKind::UnknownType(_) => "unknown_type",
            LineProblemKind::Malformed(_) => "malformed",
        }
    }

    /// The Keycloak type, or what was wrong.
    pub fn detail(&self) -> &str {
        match self {
            LineProblemKind::UnknownType(t) => t,
            LineProblemKind::Malformed(why) => why,
        }
    }
}

impl std::fmt::Display for LineProblemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineProblemKind::UnknownType(t) => {
                write!(f, "Keycloak event type `{t}` has no audit event type")
            }
            LineProblemKind::Malformed(why) => write!(f, "malformed Keycloak event: {why}"),
        }
    }
}

/// One line of the events logger (or one line that is not UTF-8) that
/// produced no event: the one shape of a Keycloak problem, for every
/// binding and the CLI. Its JSON is flat:
///
/// ```json
/// {"line": 2, "kind": "unknown_type", "detail": "CODE_TO_TOKEN",
///  "error": "Keycloak event type `CODE_TO_TOKEN` has no audit event type",
///  "text_excerpt": "2025-02-03 11:20:46,919 WARN  [org.keycloak.events] …"}
/// ```
///
/// `kind` and `detail` are [`LineProblemKind`]'s; `error` is the kind in
/// words (its `Display`), written for reading and ignored when read back.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LineProblem {
    /// The line's number, counting from 1.
    pub line: usize,
    /// What was wrong.
    #[serde(flatten)]
    pub kind: LineProblemKind,
    /// The start of the line (at most 120 characters, `…` when cut), with
    /// secrets replaced by `[REDACTED:<rule id>]` and invalid UTF-8 by
    /// U+FFFD.
    pub text_excerpt: String,
}

impl Serialize for LineProblem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("LineProblem", 5)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("kind", self.kind.code())?;
        s.serialize_field("detail", self.kind.detail())?;
        s.serialize_field("error", &self.kind.to_string())?;
        s.serialize_field("text_excerpt", &self.text_excerpt)?;
        s.end()
    }
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

/// Everything read from a Keycloak log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeycloakReport {
    /// The events, in line order.
    pub events: Vec<AuditEvent>,
    /// Lines of the events logger that produced no event, in line order.
    pub problems: Vec<LineProblem>,
    /// Non-blank lines of other loggers (and stack-trace lines), skipped.
    pub skipped_lines: usize,
}

/// Reads a Keycloak log with the default [`KeycloakOptions`] (UTC).
pub fn parse_keycloak(text: &str) -> KeycloakReport {
    parse_keycloak_with(text, &KeycloakOptions::default())
}

/// Reads a Keycloak log: one event per `LOGIN`, `LOGIN_ERROR`, `LOGOUT` or
/// `LOGOUT_ERROR` line, a problem per other events-logger line. Lines end at `\n` (a
/// trailing `\r` is dropped); blank lines are ignored. Never fails: every
/// line ends up as an event, a problem or a skipped line.
pub fn parse_keycloak_with(text: &str, options: &KeycloakOptions) -> KeycloakReport {
    let mut report = KeycloakReport::default();
    for (i, raw) in text.split('\n').enumerate() {
        match read_keycloak_line(i + 1, raw.as_bytes(), options) {
            KeycloakLine::Event(event) => report.events.push(*event),
            KeycloakLine::Problem(problem) => report.problems.push(problem),
            KeycloakLine::Skipped => report.skipped_lines += 1,
            KeycloakLine::Blank => {}
        }
    }
    report
}

/// What one line of a Keycloak log became.
#[derive(Debug, Clone, PartialEq)]
pub enum KeycloakLine {
    /// A `LOGIN`, `LOGIN_ERROR`, `LOGOUT` or `LOGOUT_ERROR` line.
    Event(Box<AuditEvent>),
    /// A line of the events logger that produced no event, or a line that
    /// is not UTF-8 (a cut inside a character, or not a log at all).
    Problem(LineProblem),
    /// A non-blank line of another logger, or a stack-trace line.
    Skipped,
    /// An empty or all-whitespace line, not counted.
    Blank,
}

/// Reads line number `number` (counting from 1) of a log as it came from
/// the file, without its `\n` (a trailing `\r` is dropped): for reading
/// large logs line by line, with the same outcome [`parse_keycloak_with`]
/// gives that line.
pub fn read_keycloak_line(number: usize, bytes: &[u8], options: &KeycloakOptions) -> KeycloakLine {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let (line, kind) = match std::str::from_utf8(bytes) {
        Ok(line) if line.trim().is_empty() => return KeycloakLine::Blank,
        Ok(line) => match parse_keycloak_line(line, options) {
            Ok(Some(event)) => return KeycloakLine::Event(Box::new(event)),
            Ok(None) => return KeycloakLine::Skipped,
            Err(kind) => (std::borrow::Cow::Borrowed(line), kind),
        },
        Err(e) => (
            String::from_utf8_lossy(bytes),
            LineProblemKind::Malformed(format!(
                "the line is not valid UTF-8 at byte {}",
                e.valid_up_to()
            )),
        ),
    };
    KeycloakLine::Problem(LineProblem {
        line: number,
        kind,
        // Secrets are redacted in the whole line first, where their
        // context is, so a cut cannot leave half a secret unfound.
        text_excerpt: excerpt(&details::redact_secrets(&line)),
    })
}

/// Reads one line: `Ok(Some(event))` for a mapped event, `Ok(None)` for a
/// line of another logger (or a blank one), `Err` for an events-logger line
/// that produced no event. For streaming large logs line by line.
pub fn parse_keycloak_line(
    line: &str,
    options: &KeycloakOptions,
) -> Result<Option<AuditEvent>, LineProblemKind> {
    let Some(read) = line::read(line).map_err(LineProblemKind::Malformed)? else {
        return Ok(None);
    };
    let kc_type = field(&read.fields, "type");
    let (event_type, outcome) = match kc_type {
        Some("") => return Err(LineProblemKind::Malformed("`type` is empty".to_owned())),
        Some(t) => types::read(t).ok_or_else(|| LineProblemKind::UnknownType(t.to_owned()))?,
        None => {
            return Err(match field(&read.fields, "operationType") {
                Some(op) => LineProblemKind::UnknownType(format!("operationType={op}")),
                None => LineProblemKind::Malformed("no `type` field".to_owned()),
            });
        }
    };
    let required: &[&str] = match outcome {
        AuditOutcome::Failure => &REQUIRED_FIELDS,
        AuditOutcome::Success => REQUIRED_FIELDS.get(..4).unwrap_or_default(),
    };
    if let Some(missing) = required.iter().find(|k| field(&read.fields, k).is_none()) {
        return Err(LineProblemKind::Malformed(format!(
            "no `{missing}` field, which Keycloak writes on every {} event: the line is incomplete",
            kc_type.unwrap_or_default()
        )));
    }
    let offset = UtcOffset::from_whole_seconds(options.utc_offset_minutes * 60)
        .map_err(|e| LineProblemKind::Malformed(e.to_string()))?;
    let nanos = read.timestamp.assume_offset(offset).unix_timestamp_nanos();
    let ms = i64::try_from(nanos.div_euclid(1_000_000))
        .map_err(|_| LineProblemKind::Malformed("timestamp out of range".to_owned()))?;
    let digest = read
        .canonical
        .iter()
        .fold(Sha256::new(), |d, part| {
            d.chain_update((part.len() as u64).to_le_bytes())
                .chain_update(part.as_bytes())
        })
        .finalize();
    let mut builder = AuditEventBuilder::new(event_type)
        .date_time_ms(ms)
        .event_id(event_id(ms, &digest))
        .request_id(format!(
            "kc-{}",
            hex(digest.get(16..24).unwrap_or_default())
        ));
    if let Some(org) = &options.org_id {
        builder = builder.org_id(org.clone());
    }
    // Keycloak's own fields, cleaned, in line order; the names of the others.
    let mut kept: Vec<(&str, String)> = Vec::new();
    let mut dropped: Vec<&str> = Vec::new();
    for (i, (key, value)) in read.fields.iter().enumerate() {
        let repeated = read.fields.iter().position(|(k, _)| k == key) != Some(i);
        if repeated || *key == "type" || value == "null" {
            continue;
        }
        if details::is_known(key) {
            kept.push((key, details::clean(key, value)));
        } else {
            dropped.push(key);
        }
    }
    let email_key = ["email", "username"]
        .into_iter()
        .find(|k| field(&kept, k).is_some_and(looks_like_email));
    for (key, value) in kept {
        builder = match key {
            "userId" if value.trim().is_empty() => builder,
            "userId" => builder.keycloak_user_id(value),
            k if Some(k) == email_key => builder.user_email(value),
            k => builder.metadata(snake_case(k), value),
        };
    }
    if !dropped.is_empty() {
        builder = builder.metadata(DROPPED_FIELDS, dropped);
    }
    // Every `*_ERROR` says so, whether or not its type does too.
    if outcome == AuditOutcome::Failure {
        builder = builder.metadata(OUTCOME_KEY, outcome.as_str());
    }
    builder
        .build_at(ms)
        .map(Some)
        .map_err(|e| LineProblemKind::Malformed(e.to_string()))
}

/// The first value of `key`: a repeated field keeps its first value.
fn field<'a>(fields: &'a [(&str, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.as_str())
}

/// A UUIDv7 whose time is the event's and whose random bits come from the
/// line's digest, so reading the same log twice yields the same ids and the
/// downstream deduplication by `event_id` holds across re-imports.
fn event_id(ms: i64, digest: &[u8]) -> String {
    let mut random = [0u8; 10];
    for (slot, byte) in random.iter_mut().zip(digest) {
        *slot = *byte;
    }
    let ms = u64::try_from(ms).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(ms, &random)
        .into_uuid()
        .to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One `@`, a non-empty local part, a dotted domain, and nothing that
/// cannot stand in an address unquoted (spaces, brackets, quotes).
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let plain = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"@()<>[]\\,;:\"".contains(c))
    };
    plain(local)
        && plain(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// `realmId` → `realm_id`; `auth_method` unchanged.
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut prev_lower = false;
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(if c == '-' || c == '.' { '_' } else { c });
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

fn excerpt(line: &str) -> String {
    let (cut, truncated) = crate::text::truncate(line, EXCERPT_CHARS);
    if truncated {
        format!("{cut}…")
    } else {
        cut.to_owned()
    }
}

#[cfg(test)]
mod tests;
