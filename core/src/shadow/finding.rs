//! Rolling shadow-AI events up into findings, one per org and hostname, the
//! records dashboards and remediation work from. Triage status belongs to
//! people, so re-aggregation keeps it, except that new activity on a
//! resolved finding reopens it.

use crate::clock;
use crate::schema::{
    FindingStatus, Identity, SCHEMA_VERSION, Severity, ShadowAiEvent, ShadowAiFinding,
};
use crate::{Error, Problem, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The stable id of the finding for `org_id` and `hostname`: a UUIDv8 made
/// of the first 16 bytes of a SHA-256 over both, so every process and every
/// re-aggregation names a finding alike and downstream upserts replace it.
pub fn finding_id(org_id: &str, hostname: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"govstream.shadow_ai_finding.v1");
    for part in [org_id, hostname] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A finding with the users behind its `distinct_users`, for saving an
/// aggregator and resuming it exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingState {
    /// The finding.
    pub finding: ShadowAiFinding,
    /// User keys as [`FindingAggregator`] counts them (`id:…`, `email:…`,
    /// `idp:…`).
    pub users: Vec<String>,
}

#[derive(Debug, Clone)]
struct Entry {
    finding: ShadowAiFinding,
    first_ms: i64,
    last_ms: i64,
    users: HashSet<String>,
    /// `distinct_users` of a finding resumed without its users.
    base_users: u64,
}

/// Aggregates [`ShadowAiEvent`]s into [`ShadowAiFinding`]s per (org,
/// hostname). Distinct users are counted exactly: the aggregator keeps each
/// finding's set of user keys, about 50 to 100 bytes per distinct user per
/// finding. Events are not deduplicated: feed each event once.
///
/// ```
/// use govstream::schema::FindingStatus;
/// use govstream::shadow::{Catalog, Classifier, FindingAggregator};
/// let c = Classifier::new(Catalog::builtin(), &[], &[]).unwrap();
/// let mut agg = FindingAggregator::new();
/// agg.add(&c.event("org_acme", "https://claude.ai/chat/1").at(1_000).build().unwrap()).unwrap();
/// agg.add(&c.event("org_acme", "claude.ai").at(5_000).build().unwrap()).unwrap();
/// agg.set_status("org_acme", "claude.ai", FindingStatus::Acknowledged);
/// let f = &agg.findings()[0];
/// assert_eq!((f.count, f.status), (2, FindingStatus::Acknowledged));
/// assert_eq!(f.last_seen, "1970-01-01T00:00:05.000Z");
/// ```
#[derive(Debug, Clone, Default)]
pub struct FindingAggregator {
    entries: BTreeMap<(String, String), Entry>,
}

fn parse_ms(t: &str) -> Option<i64> {
    let dt = OffsetDateTime::parse(t, &Rfc3339).ok()?;
    i64::try_from(dt.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

/// The key one identity counts under; `None` when the event names nobody.
fn user_key(identity: &Identity) -> Option<String> {
    if let Some(id) = &identity.user_id {
        Some(format!("id:{id}"))
    } else if let Some(email) = &identity.user_email {
        Some(format!("email:{}", email.to_lowercase()))
    } else {
        identity.idp_user_id.as_ref().map(|id| format!("idp:{id}"))
    }
}

impl FindingAggregator {
    /// An empty aggregator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Resumes from stored findings. Their users are unknown, so a
    /// finding's `distinct_users` stays at least its stored value and grows
    /// only once more distinct users than that arrive; use
    /// [`FindingAggregator::from_states`] for exact counts.
    pub fn from_findings(findings: Vec<ShadowAiFinding>) -> Result<Self> {
        Self::from_states(
            findings
                .into_iter()
                .map(|finding| FindingState {
                    finding,
                    users: Vec::new(),
                })
                .collect(),
        )
    }

    /// Resumes exactly from [`FindingAggregator::states`]. Fails with
    /// [`Error::Validation`] (`what` = `shadow ai findings`) naming each
    /// unreadable time and each (org, hostname) given twice, at `$[i]…`.
    pub fn from_states(states: Vec<FindingState>) -> Result<Self> {
        let mut problems = Vec::new();
        let mut entries = BTreeMap::new();
        for (i, state) in states.into_iter().enumerate() {
            let f = state.finding;
            let first = parse_ms(&f.first_seen);
            let last = parse_ms(&f.last_seen);
            if first.is_none() {
                problems.push(Problem::new(
                    format!("$[{i}].finding.first_seen"),
                    "not an RFC 3339 time",
                ));
            }
            if last.is_none() {
                problems.push(Problem::new(
                    format!("$[{i}].finding.last_seen"),
                    "not an RFC 3339 time",
                ));
            }
            let key = (f.org_id.clone(), f.hostname.clone());
            if entries.contains_key(&key) {
                problems.push(Problem::new(
                    format!("$[{i}].finding"),
                    format!("a second finding for org `{}` and host `{}`", key.0, key.1),
                ));
                continue;
            }
            if let (Some(first_ms), Some(last_ms)) = (first, last) {
                let users: HashSet<String> = state.users.into_iter().collect();
                let base_users = if users.is_empty() {
                    f.distinct_users
                } else {
                    0
                };
                let entry = Entry {
                    finding: f,
                    first_ms,
                    last_ms,
                    users,
                    base_users,
                };
                entries.insert(key, entry);
            }
        }
        if problems.is_empty() {
            Ok(FindingAggregator { entries })
        } else {
            Err(Error::Validation {
                what: "shadow ai findings".into(),
                problems,
            })
        }
    }

    /// Counts one event into its finding, creating it (status `open`) when
    /// new. An acknowledged finding stays acknowledged; a resolved one
    /// reopens when the event is newer than its `last_seen`. Fails with
    /// [`Error::Validation`] when the event's timestamp is not RFC 3339.
    pub fn add(&mut self, event: &ShadowAiEvent) -> Result<()> {
        let Some(ms) = parse_ms(&event.timestamp) else {
            return Err(Error::Validation {
                what: "shadow ai event".into(),
                problems: vec![Problem::new("$.timestamp", "not an RFC 3339 time")],
            });
        };
        let key = (event.org_id.clone(), event.hostname.clone());
        let entry = self.entries.entry(key).or_insert_with(|| Entry {
            finding: ShadowAiFinding {
                schema_version: SCHEMA_VERSION,
                finding_id: finding_id(&event.org_id, &event.hostname),
                org_id: event.org_id.clone(),
                hostname: event.hostname.clone(),
                tool: None,
                vendor: None,
                category: None,
                first_seen: clock::rfc3339_ms(ms),
                last_seen: clock::rfc3339_ms(ms),
                count: 0,
                distinct_users: 0,
                max_severity: Severity::Low,
                status: FindingStatus::Open,
            },
            first_ms: ms,
            last_ms: ms,
            users: HashSet::new(),
            base_users: 0,
        });
        let f = &mut entry.finding;
        if f.status == FindingStatus::Resolved && ms > entry.last_ms {
            f.status = FindingStatus::Open;
        }
        if ms < entry.first_ms {
            entry.first_ms = ms;
            f.first_seen = clock::rfc3339_ms(ms);
        }
        if ms > entry.last_ms {
            entry.last_ms = ms;
            f.last_seen = clock::rfc3339_ms(ms);
        }
        f.count = f.count.saturating_add(1);
        f.max_severity = f.max_severity.max(event.severity);
        if event.tool.is_some() {
            f.tool.clone_from(&event.tool);
        }
        if event.vendor.is_some() {
            f.vendor.clone_from(&event.vendor);
        }
        if event.category.is_some() {
            f.category = event.category;
        }
        if let Some(user) = user_key(&event.identity) {
            entry.users.insert(user);
        }
        f.distinct_users = entry.base_users.max(entry.users.len() as u64);
        Ok(())
    }

    /// Sets a finding's triage status; false when there is no finding for
    /// that org and hostname.
    pub fn set_status(&mut self, org_id: &str, hostname: &str, status: FindingStatus) -> bool {
        let key = (org_id.to_string(), hostname.to_string());
        match self.entries.get_mut(&key) {
            Some(e) => {
                e.finding.status = status;
                true
            }
            None => false,
        }
    }

    /// One finding.
    pub fn finding(&self, org_id: &str, hostname: &str) -> Option<&ShadowAiFinding> {
        let key = (org_id.to_string(), hostname.to_string());
        self.entries.get(&key).map(|e| &e.finding)
    }

    /// Every finding, sorted by org id, then hostname.
    pub fn findings(&self) -> Vec<ShadowAiFinding> {
        self.entries.values().map(|e| e.finding.clone()).collect()
    }

    /// Every finding with its user keys (sorted), for
    /// [`FindingAggregator::from_states`].
    pub fn states(&self) -> Vec<FindingState> {
        self.entries
            .values()
            .map(|e| {
                let mut users: Vec<String> = e.users.iter().cloned().collect();
                users.sort();
                FindingState {
                    finding: e.finding.clone(),
                    users,
                }
            })
            .collect()
    }

    /// Number of findings.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no findings.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
#[path = "finding_tests.rs"]
mod tests;
