//! The key store: which API keys exist, whose they are and whether they
//! still work, loaded from a JSON file an operator edits (entries come from
//! [`mint`](super::mint)), and the check of a presented key against it.

use super::format::{ApiKey, HASH_PREFIX, is_key_id, parse_hash};
use crate::json_input::from_value;
use crate::{Error, Problem, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Longest label and org id accepted, in characters.
const MAX_NAME_CHARS: usize = 128;

/// One key in the store. Holds the key's hash, never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// The public key id: the `<id>` of `gvsk_<id>_<secret>`.
    pub id: String,
    /// `sha256:` and the hex SHA-256 of the whole key.
    pub hash: String,
    /// Who or what holds the key (`netskope-prod`), for people and logs.
    pub label: String,
    /// The org the key reports for.
    pub org_id: String,
    /// When the key was minted, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the key stops working, RFC 3339; never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// A disabled key is refused (kept in the store so its id stays taken
    /// and its refusals are logged by name).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

/// The key-store file: `{"keys": [KeyEntry, …]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyStoreFile {
    /// The keys, ids unique.
    pub keys: Vec<KeyEntry>,
}

/// A checked key store, ready to verify presented keys.
#[derive(Debug, Clone)]
pub struct KeyStore {
    entries: Vec<Checked>,
    by_id: HashMap<String, usize>,
}

#[derive(Debug, Clone)]
struct Checked {
    entry: KeyEntry,
    digest: [u8; 32],
    expires_ms: Option<i64>,
}

/// A key that passed [`KeyStore::verify`]: whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VerifiedKey {
    /// The key id.
    pub key_id: String,
    /// The key's label.
    pub label: String,
    /// The org the key reports for.
    pub org_id: String,
}

/// Why a presented key was refused. `Display` names the key by its public
/// id at most, never by its secret; an id is named only when the presented
/// text had the key shape, so anything else a client sent stays out of
/// logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum KeyRejection {
    /// No key was presented.
    Missing,
    /// Something was presented that is not a govstream API key.
    Malformed,
    /// The key has the right shape but its id is not in the store.
    UnknownId {
        /// The presented id.
        key_id: String,
    },
    /// The id is in the store but the secret does not match.
    WrongSecret {
        /// The presented id.
        key_id: String,
    },
    /// The key is right but disabled in the store.
    Disabled {
        /// The key id.
        key_id: String,
    },
    /// The key is right but its `expires_at` has passed.
    Expired {
        /// The key id.
        key_id: String,
    },
}

impl KeyRejection {
    /// Whether the presenter proved it holds the key (disabled or expired):
    /// only then may an answer say more than "not authenticated", since
    /// telling a guesser that an id exists, or is disabled, helps them.
    pub fn is_authenticated(&self) -> bool {
        matches!(
            self,
            KeyRejection::Disabled { .. } | KeyRejection::Expired { .. }
        )
    }
}

impl std::fmt::Display for KeyRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyRejection::Missing => f.write_str("no API key presented"),
            KeyRejection::Malformed => f.write_str("the presented API key is not a govstream key"),
            KeyRejection::UnknownId { key_id } => write!(f, "API key id `{key_id}` is unknown"),
            KeyRejection::WrongSecret { key_id } => {
                write!(f, "API key `{key_id}`: the secret does not match")
            }
            KeyRejection::Disabled { key_id } => write!(f, "API key `{key_id}` is disabled"),
            KeyRejection::Expired { key_id } => write!(f, "API key `{key_id}` has expired"),
        }
    }
}

impl KeyStore {
    /// An empty store: every key is refused.
    pub fn empty() -> Self {
        KeyStore {
            entries: Vec::new(),
            by_id: HashMap::new(),
        }
    }

    /// Reads the store file at `path`. Errors name the path: `io` when it
    /// cannot be read, `input` when it is not JSON of the store's shape,
    /// `validation` listing every bad entry by JSON path and key id.
    pub fn load(path: &std::path::Path) -> Result<Self> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            location: format!("key store {source}"),
            message: e.to_string(),
        })?;
        Self::from_json(&text, &source)
    }

    /// Reads a store from JSON text; `source` (a path) names it in errors.
    pub fn from_json(text: &str, source: &str) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::Input {
            location: format!("key store {source}"),
            // serde_json's syntax errors give the line and column, and
            // quote no value.
            message: format!("not JSON: {e}"),
        })?;
        let file: KeyStoreFile = from_value(value, "$").map_err(|e| match e {
            Error::Input { location, message } => Error::Input {
                location: format!("key store {source} at {location}"),
                message,
            },
            other => other,
        })?;
        Self::from_file(file, source)
    }

    /// Checks a parsed store file: every id well formed and unique, every
    /// hash `sha256:` and 64 hex digits, label and org non-empty, dates RFC
    /// 3339. Every problem is reported at once, with its path and key id.
    pub fn from_file(file: KeyStoreFile, source: &str) -> Result<Self> {
        let mut problems = Vec::new();
        let mut store = KeyStore::empty();
        for (i, entry) in file.keys.into_iter().enumerate() {
            let at = |field: &str| format!("$.keys[{i}].{field}");
            // Named in every message after the id check, so an operator
            // finds the entry by the name they know it by.
            let who = if is_key_id(&entry.id) {
                format!("key `{}`", entry.id)
            } else {
                problems.push(Problem::new(
                    at("id"),
                    "expected 4 to 32 lowercase letters or digits",
                ));
                format!("key #{i}")
            };
            if let Some(first) = store.by_id.get(&entry.id) {
                problems.push(Problem::new(
                    at("id"),
                    format!("{who} is also $.keys[{first}]"),
                ));
            }
            let digest = parse_hash(&entry.hash);
            if digest.is_none() {
                problems.push(Problem::new(
                    at("hash"),
                    format!("{who}: expected `{HASH_PREFIX}` and 64 hex digits"),
                ));
            }
            let (expires_ms, more) = check_details(&entry, &at, &format!("{who}: "));
            problems.extend(more);
            // An entry with a bad hash is never used: the store is refused.
            store.by_id.entry(entry.id.clone()).or_insert(i);
            store.entries.push(Checked {
                entry,
                digest: digest.unwrap_or([0; 32]),
                expires_ms,
            });
        }
        if problems.is_empty() {
            Ok(store)
        } else {
            Err(Error::Validation {
                what: format!("key store {source}"),
                problems,
            })
        }
    }

    /// The entries, in file order.
    pub fn entries(&self) -> impl Iterator<Item = &KeyEntry> {
        self.entries.iter().map(|c| &c.entry)
    }

    /// The entry of `key_id`, if any.
    pub fn get(&self, key_id: &str) -> Option<&KeyEntry> {
        self.by_id
            .get(key_id)
            .and_then(|&i| self.entries.get(i))
            .map(|c| &c.entry)
    }

    /// Checks a presented key (`None`: none was presented) at `now_ms`.
    ///
    /// The secret is compared by hash, in constant time. Disabled and
    /// expired are reported only for a key whose secret matched, so only
    /// its holder learns them.
    pub fn verify(
        &self,
        presented: Option<&str>,
        now_ms: i64,
    ) -> std::result::Result<VerifiedKey, KeyRejection> {
        let presented = presented.ok_or(KeyRejection::Missing)?;
        let key = ApiKey::parse(presented.trim()).ok_or(KeyRejection::Malformed)?;
        // Hashed before the lookup, so an unknown id costs the same time as
        // a known one.
        let digest = key.digest();
        let Some(checked) = self.by_id.get(key.id()).and_then(|&i| self.entries.get(i)) else {
            return Err(KeyRejection::UnknownId {
                key_id: key.id().to_owned(),
            });
        };
        if !bool::from(digest.ct_eq(&checked.digest)) {
            return Err(KeyRejection::WrongSecret {
                key_id: key.id().to_owned(),
            });
        }
        let entry = &checked.entry;
        if entry.disabled {
            return Err(KeyRejection::Disabled {
                key_id: entry.id.clone(),
            });
        }
        if checked.expires_ms.is_some_and(|at| now_ms >= at) {
            return Err(KeyRejection::Expired {
                key_id: entry.id.clone(),
            });
        }
        Ok(VerifiedKey {
            key_id: entry.id.clone(),
            label: entry.label.clone(),
            org_id: entry.org_id.clone(),
        })
    }
}

/// Checks what an operator chooses for a key (label, org, dates): the
/// problems at `at(field)`, each message starting with `who`, and the
/// expiry in milliseconds when there is a valid one.
pub(super) fn check_details(
    entry: &KeyEntry,
    at: &dyn Fn(&str) -> String,
    who: &str,
) -> (Option<i64>, Vec<Problem>) {
    let mut problems = Vec::new();
    for (field, value) in [("label", &entry.label), ("org_id", &entry.org_id)] {
        let chars = value.trim().chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            problems.push(Problem::new(
                at(field),
                format!("{who}must be 1 to {MAX_NAME_CHARS} characters"),
            ));
        }
    }
    let mut time = |field: &str, value: Option<&String>| {
        let ms = value.map(|t| rfc3339_ms(t));
        if ms == Some(None) {
            problems.push(Problem::new(
                at(field),
                format!("{who}not an RFC 3339 time like 2027-01-01T00:00:00Z"),
            ));
        }
        ms.flatten()
    };
    time("created_at", entry.created_at.as_ref());
    let expires_ms = time("expires_at", entry.expires_at.as_ref());
    (expires_ms, problems)
}

fn rfc3339_ms(t: &str) -> Option<i64> {
    let dt = OffsetDateTime::parse(t, &Rfc3339).ok()?;
    i64::try_from(dt.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}
