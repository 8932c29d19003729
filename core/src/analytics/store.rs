//! `EventStore`: the newest events in memory, queried like the Events page —
//! filters, relative windows, newest first, and "load more" cursors.
//!
//! Events are ordered by `(timestamp, event_id)`, a total order that never
//! changes once an event is stored. A cursor is the key of the last event a
//! page returned, and the next page starts strictly below it, so events that
//! arrive while someone pages (newer than the first page) never shift later
//! pages: among the events stored when the first page was read, paging
//! returns each at most once and skips none (unless the store evicts it
//! first).

use super::timestamp::parse_timestamp_ms;
use super::window::Window;
use crate::schema::{DlpMatch, Event, Record, Severity, Verdict};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

/// Events per page when a query does not say.
pub const DEFAULT_PAGE_SIZE: usize = 50;

/// The largest page a query can ask for.
pub const MAX_PAGE_SIZE: usize = 1000;

/// What [`EventStore::insert`] did with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// The event is stored (possibly evicting the oldest one).
    Stored,
    /// The DLP match is stored with its event.
    Attached,
    /// A record with the same idempotency key is already stored.
    Duplicate,
    /// The store is full and the event is older than everything in it.
    TooOld,
    /// Not kept: a record kind the store does not hold, a DLP match whose
    /// event is not stored, or a timestamp that is not RFC 3339.
    Ignored,
}

/// Where the next page starts: just below the last event returned, within
/// the window of the first page.
///
/// Its text form (`Display` / `FromStr`, and its JSON) is
/// `<timestamp ms>:<window start ms or empty>:<event id>`; treat it as opaque.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// Timestamp of the last event returned, ms since the epoch.
    pub timestamp_ms: i64,
    /// Its event id.
    pub event_id: String,
    /// The exclusive lower bound of the first page's window, if it had one.
    pub since_ms: Option<i64>,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:", self.timestamp_ms)?;
        if let Some(since) = self.since_ms {
            write!(f, "{since}")?;
        }
        write!(f, ":{}", self.event_id)
    }
}

impl std::str::FromStr for Cursor {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        let invalid = || crate::Error::Input {
            location: "cursor".to_owned(),
            message: format!("`{s}` is not a cursor returned by a page"),
        };
        let mut parts = s.splitn(3, ':');
        let ts = parts
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(invalid)?;
        let since = match parts.next().ok_or_else(invalid)? {
            "" => None,
            p => Some(p.parse().map_err(|_| invalid())?),
        };
        let id = parts
            .next()
            .filter(|id| !id.is_empty())
            .ok_or_else(invalid)?;
        Ok(Cursor {
            timestamp_ms: ts,
            event_id: id.to_owned(),
            since_ms: since,
        })
    }
}

impl Serialize for Cursor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Which events a page holds. Every filter that is set must match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// The time relative windows end at, ms since the epoch.
    pub now_ms: i64,
    /// Only events in this window ending at `now_ms`. A cursor carries the
    /// first page's window start, so later pages keep it even when `now_ms`
    /// moves on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Only this org.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Only this user: equal to `user_id`, `user_email` or `idp_user_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Only this AI tool: equal to `tool` or `hostname`, ignoring ASCII case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Only this verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Only events whose `dlp.max_severity` is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
    /// Only events with a DLP match.
    #[serde(default)]
    pub dlp_only: bool,
    /// Events per page, 1 to 1000.
    #[serde(default = "default_limit")]
    pub limit: usize,
    /// Continue after this page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
}

fn default_limit() -> usize {
    DEFAULT_PAGE_SIZE
}

impl Query {
    /// Every event, newest first, 50 to a page.
    pub fn new(now_ms: i64) -> Self {
        Query {
            now_ms,
            window: None,
            org_id: None,
            user: None,
            tool: None,
            verdict: None,
            min_severity: None,
            dlp_only: false,
            limit: DEFAULT_PAGE_SIZE,
            cursor: None,
        }
    }

    /// True when `e` passes every filter but the time bounds.
    fn matches(&self, e: &Event) -> bool {
        let identity = &e.identity;
        self.org_id.as_ref().is_none_or(|o| *o == e.org_id)
            && self.user.as_deref().is_none_or(|u| {
                [
                    &identity.user_id,
                    &identity.user_email,
                    &identity.idp_user_id,
                ]
                .into_iter()
                .flatten()
                .any(|have| have == u)
            })
            && self.tool.as_ref().is_none_or(|t| {
                [&e.tool.tool, &e.tool.hostname]
                    .into_iter()
                    .flatten()
                    .any(|have| have.eq_ignore_ascii_case(t))
            })
            && self.verdict.is_none_or(|v| v == e.verdict)
            && self
                .min_severity
                .is_none_or(|min| e.dlp.max_severity.is_some_and(|s| s >= min))
            && (!self.dlp_only || e.dlp.is_dlp_event)
    }
}

/// One page of events, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// The events.
    pub events: Vec<Event>,
    /// Pass this as [`Query::cursor`] to load more; `None` on the last page.
    pub next_cursor: Option<Cursor>,
}

#[derive(Debug)]
struct Entry {
    /// Always a `Record::Event`; kept as a record so the store can feed
    /// [`Analytics`](super::Analytics) and [`OpsHealth`](super::OpsHealth)
    /// without copying.
    record: Record,
    matches: Vec<Record>,
}

type Key = (i64, String);

/// A bounded, in-memory window of the newest events and their DLP matches.
/// When full, the event with the oldest timestamp is evicted with its
/// matches. Inserts are idempotent by `event_id` (`match_id` for matches),
/// since delivery is at least once.
///
/// A query walks the events newest first from its cursor, so its cost grows
/// with the number of events it has to look at, not with the store's size
/// alone; a selective filter over a large store can look at all of them.
#[derive(Debug)]
pub struct EventStore {
    capacity: usize,
    events: BTreeMap<Key, Entry>,
    timestamps: HashMap<String, i64>,
    evicted: u64,
}

impl EventStore {
    /// An empty store that keeps at most `capacity` events.
    pub fn new(capacity: usize) -> Self {
        EventStore {
            capacity,
            events: BTreeMap::new(),
            timestamps: HashMap::new(),
            evicted: 0,
        }
    }

    /// Stores an event or attaches a DLP match to its stored event. Other
    /// record kinds are ignored.
    pub fn insert(&mut self, record: Record) -> Inserted {
        match record {
            Record::Event(e) => self.insert_event(e),
            Record::DlpMatch(m) => self.attach(m),
            Record::ShadowAiEvent(_) | Record::ShadowAiFinding(_) | Record::AuditEvent(_) => {
                Inserted::Ignored
            }
        }
    }

    fn insert_event(&mut self, e: Box<Event>) -> Inserted {
        let Some(ts) = parse_timestamp_ms(&e.timestamp) else {
            return Inserted::Ignored;
        };
        if self.timestamps.contains_key(&e.event_id) {
            return Inserted::Duplicate;
        }
        let key = (ts, e.event_id.clone());
        let full = self.events.len() >= self.capacity;
        if full
            && self
                .events
                .first_key_value()
                .is_none_or(|(oldest, _)| key < *oldest)
        {
            return Inserted::TooOld;
        }
        self.timestamps.insert(e.event_id.clone(), ts);
        self.events.insert(
            key,
            Entry {
                record: Record::Event(e),
                matches: Vec::new(),
            },
        );
        if self.events.len() > self.capacity
            && let Some(((_, id), _)) = self.events.pop_first()
        {
            self.timestamps.remove(&id);
            self.evicted += 1;
        }
        Inserted::Stored
    }

    fn attach(&mut self, m: DlpMatch) -> Inserted {
        let Some(&ts) = self.timestamps.get(&m.event_id) else {
            return Inserted::Ignored;
        };
        let Some(entry) = self.events.get_mut(&(ts, m.event_id.clone())) else {
            return Inserted::Ignored;
        };
        let known = entry
            .matches
            .iter()
            .any(|r| matches!(r, Record::DlpMatch(k) if k.match_id == m.match_id));
        if known {
            return Inserted::Duplicate;
        }
        entry.matches.push(Record::DlpMatch(m));
        Inserted::Attached
    }

    /// One page of the events `query` selects, newest first.
    pub fn query(&self, query: &Query) -> Page {
        let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
        let (upper, since) = match &query.cursor {
            Some(c) => (
                Bound::Excluded((c.timestamp_ms, c.event_id.clone())),
                c.since_ms,
            ),
            None => (
                Bound::Unbounded,
                query.window.map(|w| w.since(query.now_ms)),
            ),
        };
        // Without a cursor the window also ends at `now`.
        let until = match (&query.cursor, query.window) {
            (None, Some(_)) => Some(query.now_ms),
            _ => None,
        };
        let mut events = Vec::new();
        let mut next_cursor = None;
        let mut last: Option<&Key> = None;
        for (key, entry) in self.events.range((Bound::Unbounded, upper)).rev() {
            if since.is_some_and(|s| key.0 <= s) {
                break;
            }
            if until.is_some_and(|u| key.0 > u) {
                continue;
            }
            let Record::Event(e) = &entry.record else {
                continue;
            };
            if !query.matches(e) {
                continue;
            }
            if events.len() == limit {
                // There is at least one more: the next page starts after
                // the last event returned.
                next_cursor = last.map(|(ts, id)| Cursor {
                    timestamp_ms: *ts,
                    event_id: id.clone(),
                    since_ms: since,
                });
                break;
            }
            events.push((**e).clone());
            last = Some(key);
        }
        Page {
            events,
            next_cursor,
        }
    }

    /// The stored event with this id.
    pub fn get(&self, event_id: &str) -> Option<&Event> {
        let entry = self.entry(event_id)?;
        match &entry.record {
            Record::Event(e) => Some(e),
            _ => None,
        }
    }

    /// The DLP matches stored with an event, in arrival order (the event's
    /// DLP details).
    pub fn matches(&self, event_id: &str) -> Vec<&DlpMatch> {
        self.entry(event_id)
            .map(|entry| {
                entry
                    .matches
                    .iter()
                    .filter_map(|r| match r {
                        Record::DlpMatch(m) => Some(m),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn entry(&self, event_id: &str) -> Option<&Entry> {
        let ts = *self.timestamps.get(event_id)?;
        self.events.get(&(ts, event_id.to_owned()))
    }

    /// Every stored record, newest event first, each followed by its
    /// matches: the input [`Analytics`](super::Analytics) and
    /// [`OpsHealth`](super::OpsHealth) take.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.events
            .values()
            .rev()
            .flat_map(|entry| std::iter::once(&entry.record).chain(&entry.matches))
    }

    /// Events stored.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when no event is stored.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The most events it keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Events evicted to make room so far.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
