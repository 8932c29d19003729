//! Classifying a URL or hostname as approved, unapproved, unknown AI or not
//! AI, from the tool catalog and the org's approved and blocked lists.
//!
//! Every pattern of all three lists lives in one hash map keyed by host, so
//! a lookup costs one probe per label suffix of the host (`a.b.example`,
//! `b.example`, `example`) however long the lists are.

use super::catalog::{Catalog, CatalogTool, ToolCategory};
use super::host::{self, normalize_pattern};
use super::url;
use crate::schema::{Severity, ShadowAiClassification};
use crate::{Error, Problem, Result};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// How the org regards a host. The wire names (`approved`, `unapproved`,
/// `unknown_ai`, `not_ai`) are a stable contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiToolStatus {
    /// On the org's approved list (and not on its blocked list).
    Approved,
    /// On the org's blocked list, or a catalog tool missing from the org's
    /// approved list.
    Unapproved,
    /// A catalog tool the org has not decided on: it keeps no approved list
    /// and has not blocked the tool.
    UnknownAi,
    /// Neither in the catalog nor on any list.
    NotAi,
}

impl AiToolStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AiToolStatus::Approved => "approved",
            AiToolStatus::Unapproved => "unapproved",
            AiToolStatus::UnknownAi => "unknown_ai",
            AiToolStatus::NotAi => "not_ai",
        }
    }

    /// The classification a [`ShadowAiEvent`](crate::schema::ShadowAiEvent)
    /// carries: `unknown_ai` and `not_ai` are both `unknown` there (a host
    /// that reports a visit to a site the catalog does not know is saying
    /// it looks like AI).
    pub fn to_shadow(self) -> ShadowAiClassification {
        match self {
            AiToolStatus::Approved => ShadowAiClassification::Approved,
            AiToolStatus::Unapproved => ShadowAiClassification::Unapproved,
            AiToolStatus::UnknownAi | AiToolStatus::NotAi => ShadowAiClassification::Unknown,
        }
    }
}

impl std::fmt::Display for AiToolStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer for one URL or host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// The input as given.
    pub input: String,
    /// Its normalized hostname; for an input without a valid host, its host
    /// part lowercased (possibly empty).
    pub host: String,
    /// How the org regards it.
    pub status: AiToolStatus,
    /// Tool name, when the catalog knows the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Vendor, when the catalog knows the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Category, when the catalog knows the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<ToolCategory>,
    /// How much a visit matters: `low` when approved or not AI; the tool's
    /// catalog severity when unknown or missing from the approved list; at
    /// least `high` when blocked.
    pub severity: Severity,
}

/// The answer for one normalized host, borrowing the catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostMatch<'a> {
    /// How the org regards the host.
    pub status: AiToolStatus,
    /// The catalog entry, if any.
    pub tool: Option<&'a CatalogTool>,
    /// Severity, by the rules of [`Classification::severity`].
    pub severity: Severity,
}

/// FxHash-style multiply-rotate hashing, word at a time. The keys are the
/// catalog's and the org's patterns, never attacker input, so flooding a
/// bucket is not possible and SipHash's cost buys nothing here.
#[derive(Default, Clone, Copy)]
struct LabelHasher(u64);

impl LabelHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(Self::K).rotate_left(26);
    }
}

impl Hasher for LabelHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

const NO_TOOL: u32 = u32::MAX;
const APPROVED_EXACT: u8 = 1;
const APPROVED_WILD: u8 = 2;
const BLOCKED_EXACT: u8 = 4;
const BLOCKED_WILD: u8 = 8;

/// What the lists say about one host string, as an exact name and as the
/// suffix of a `*.` wildcard.
#[derive(Debug, Clone, Copy)]
struct Slot {
    exact_tool: u32,
    wild_tool: u32,
    flags: u8,
}

#[derive(Debug)]
struct Inner {
    index: HashMap<Box<str>, Slot, BuildHasherDefault<LabelHasher>>,
    tools: Vec<CatalogTool>,
    has_approved_list: bool,
    has_blocked_list: bool,
}

/// Classifies URLs and hostnames; immutable, `Send + Sync`, cheap to clone.
///
/// ```
/// use govstream::shadow::{AiToolStatus, Catalog, Classifier};
/// let c = Classifier::new(Catalog::builtin(), &["*.openai.com".into()], &["chat.deepseek.com".into()]).unwrap();
/// assert_eq!(c.classify("https://chat.openai.com/c/1").status, AiToolStatus::Approved);
/// assert_eq!(c.classify("chat.deepseek.com").status, AiToolStatus::Unapproved);
/// assert_eq!(c.classify("claude.ai").status, AiToolStatus::Unapproved); // not on the approved list
/// assert_eq!(c.classify("example.com").status, AiToolStatus::NotAi);
/// ```
#[derive(Debug, Clone)]
pub struct Classifier {
    inner: Arc<Inner>,
}

impl Classifier {
    /// Builds a classifier from a catalog and the org's approved and blocked
    /// host patterns (exact hosts or `*.suffix`, as in the policy's
    /// `ai_tools`). A bad pattern is an [`Error::Policy`] problem at
    /// `$.ai_tools.approved[i]` or `$.ai_tools.blocked[i]`.
    pub fn new(catalog: Catalog, approved: &[String], blocked: &[String]) -> Result<Classifier> {
        let mut index: HashMap<Box<str>, Slot, _> = HashMap::default();
        fn slot<'m>(
            index: &'m mut HashMap<Box<str>, Slot, BuildHasherDefault<LabelHasher>>,
            key: &str,
        ) -> &'m mut Slot {
            index.entry(key.into()).or_insert(Slot {
                exact_tool: NO_TOOL,
                wild_tool: NO_TOOL,
                flags: 0,
            })
        }
        for (i, tool) in catalog.tools.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(NO_TOOL);
            for host in &tool.hosts {
                match host.strip_prefix("*.") {
                    Some(suffix) => slot(&mut index, suffix).wild_tool = i,
                    None => slot(&mut index, host).exact_tool = i,
                }
            }
        }
        let mut problems = Vec::new();
        for (key, list, exact, wild) in [
            ("approved", approved, APPROVED_EXACT, APPROVED_WILD),
            ("blocked", blocked, BLOCKED_EXACT, BLOCKED_WILD),
        ] {
            for (i, raw) in list.iter().enumerate() {
                match normalize_pattern(raw) {
                    Ok(p) => match p.strip_prefix("*.") {
                        Some(suffix) => slot(&mut index, suffix).flags |= wild,
                        None => slot(&mut index, &p).flags |= exact,
                    },
                    Err(e) => problems.push(Problem::new(format!("$.ai_tools.{key}[{i}]"), e)),
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Policy { problems });
        }
        Ok(Classifier {
            inner: Arc::new(Inner {
                index,
                tools: catalog.tools,
                has_approved_list: !approved.is_empty(),
                has_blocked_list: !blocked.is_empty(),
            }),
        })
    }

    /// The catalog's tools.
    pub fn tools(&self) -> &[CatalogTool] {
        &self.inner.tools
    }

    /// Classifies a URL or hostname (see `docs/shadow.md` for the rules).
    /// Never fails: an input without a readable host is `not_ai`.
    pub fn classify(&self, url_or_host: &str) -> Classification {
        // Extensions mostly send bare, already normalized hosts.
        let (host, valid) = if host::is_normalized_host(url_or_host) {
            (Cow::Borrowed(url_or_host), true)
        } else {
            let raw = url::split(url_or_host).host;
            match host::normalize_host_part(raw) {
                Ok(h) => {
                    let valid = host::check_host(&h).is_ok();
                    (h, valid)
                }
                Err(_) => (Cow::Owned(raw.to_ascii_lowercase()), false),
            }
        };
        let m = if valid {
            self.lookup(&host)
        } else {
            HostMatch {
                status: AiToolStatus::NotAi,
                tool: None,
                severity: Severity::Low,
            }
        };
        Classification {
            input: url_or_host.to_string(),
            host: host.into_owned(),
            status: m.status,
            tool: m.tool.map(|t| t.tool.clone()),
            vendor: m.tool.map(|t| t.vendor.clone()),
            category: m.tool.map(|t| t.category),
            severity: m.severity,
        }
    }

    /// Classifies an already normalized hostname (as [`normalize_host`]
    /// returns) without allocating.
    ///
    /// [`normalize_host`]: super::normalize_host
    pub fn lookup(&self, host: &str) -> HostMatch<'_> {
        let inner = &*self.inner;
        let (tool, flags) = self.probe(host);
        let tool = inner.tools.get(tool as usize);
        let blocked = flags & (BLOCKED_EXACT | BLOCKED_WILD) != 0;
        let approved = flags & (APPROVED_EXACT | APPROVED_WILD) != 0;
        let (status, severity) = match (blocked, approved, tool) {
            (true, _, t) => (
                AiToolStatus::Unapproved,
                t.map_or(Severity::High, |t| t.severity.max(Severity::High)),
            ),
            (false, true, _) => (AiToolStatus::Approved, Severity::Low),
            (false, false, Some(t)) if inner.has_approved_list => {
                (AiToolStatus::Unapproved, t.severity)
            }
            (false, false, Some(t)) => (AiToolStatus::UnknownAi, t.severity),
            (false, false, None) => (AiToolStatus::NotAi, Severity::Low),
        };
        HostMatch {
            status,
            tool,
            severity,
        }
    }
    /// What the org's own lists (not the catalog) say about an already
    /// normalized hostname: the blocked list wins over the approved one.
    /// The policy's `ai_tools` verdict is this.
    pub(crate) fn listed(&self, host: &str) -> Listed {
        let (_, flags) = self.probe(host);
        if flags & (BLOCKED_EXACT | BLOCKED_WILD) != 0 {
            Listed::Blocked
        } else if flags & (APPROVED_EXACT | APPROVED_WILD) != 0 {
            Listed::Approved
        } else {
            Listed::Unlisted
        }
    }

    /// True when the org lists any host, approved or blocked.
    pub(crate) fn has_lists(&self) -> bool {
        self.inner.has_approved_list || self.inner.has_blocked_list
    }

    /// The catalog tool index and list flags of a normalized host: one hash
    /// probe for the host, one per label suffix for wildcards.
    fn probe(&self, host: &str) -> (u32, u8) {
        let inner = &*self.inner;
        let mut tool = NO_TOOL;
        let mut flags = 0u8;
        if let Some(s) = inner.index.get(host) {
            tool = s.exact_tool;
            flags = s.flags & (APPROVED_EXACT | BLOCKED_EXACT);
        }
        let mut rest = host;
        while let Some((_, parent)) = rest.split_once('.') {
            if let Some(s) = inner.index.get(parent) {
                // Walking up, the first wildcard is the most specific one.
                if tool == NO_TOOL {
                    tool = s.wild_tool;
                }
                flags |= s.flags & (APPROVED_WILD | BLOCKED_WILD);
            }
            rest = parent;
        }
        (tool, flags)
    }
}

/// What an org's approved and blocked lists say about a host, the catalog
/// aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listed {
    /// On the approved list and not on the blocked one.
    Approved,
    /// On the blocked list.
    Blocked,
    /// On neither.
    Unlisted,
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
