//! API keys for services that send govstream reports (a CASB posting to
//! `/v1/shadow-ai/report`): their format, minting, the key store and the
//! check of a presented key.
//!
//! A key is `gvsk_<id>_<secret>` (`format.rs` says why). The store keeps
//! only each key's SHA-256 with its public id, label, org and optional
//! expiry; a presented key is compared with it in constant time. No error,
//! log line, `Debug` or `Display` in this module ever contains a secret.
//! Operators mint keys with [`mint`] (the CLI: `govstream keys new`), which
//! returns the key to hand over once and the entry to add to the store.
//! The format and the store file are documented in `docs/keys.md`.
//!
//! ```
//! use govstream::keys::{KeyRejection, KeyStore, KeyStoreFile, MintRequest, mint};
//!
//! let minted = mint(&MintRequest::new("netskope-prod", "org_acme"), 1_795_339_200_000)?;
//! let store = KeyStore::from_file(KeyStoreFile { keys: vec![minted.entry.clone()] }, "keys.json")?;
//!
//! let ok = store.verify(Some(minted.key.expose_secret()), 1_795_339_200_000).unwrap();
//! assert_eq!(ok.org_id, "org_acme");
//! let wrong = format!("{}x", &minted.key.expose_secret()[..60]);
//! assert!(matches!(store.verify(Some(&wrong), 0), Err(KeyRejection::Malformed)));
//! # Ok::<(), govstream::Error>(())
//! ```

mod format;
mod store;

pub use format::{
    ApiKey, HASH_PREFIX, ID_CHARS, KEY_PREFIX, MINTED_ID_CHARS, SECRET_CHARS, is_key_id,
};
pub use store::{KeyEntry, KeyRejection, KeyStore, KeyStoreFile, VerifiedKey};

use crate::Result;
use serde::{Deserialize, Serialize};

/// What a new key is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MintRequest {
    /// Who or what will hold the key (`netskope-prod`).
    pub label: String,
    /// The org the key reports for.
    pub org_id: String,
    /// When the key stops working, RFC 3339; never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

impl MintRequest {
    /// A key for `label` in `org_id` that never expires.
    pub fn new(label: impl Into<String>, org_id: impl Into<String>) -> Self {
        MintRequest {
            label: label.into(),
            org_id: org_id.into(),
            expires_at: None,
        }
    }
}

/// A freshly minted key: the key itself, to hand to its holder once, and
/// the store entry, which holds only its hash.
#[derive(Debug, Clone)]
pub struct MintedKey {
    /// The key. Show it once; it cannot be recovered from the store.
    pub key: ApiKey,
    /// The entry to add to the store's `keys`.
    pub entry: KeyEntry,
}

/// Mints a key for `request` at `now_ms` (its `created_at`). A bad request
/// is a `validation` error of `key request` with paths like `$.label` (an
/// empty label or org, a bad or past `expires_at`); no secure random source
/// is an `io` error.
pub fn mint(request: &MintRequest, now_ms: i64) -> Result<MintedKey> {
    mint_avoiding(request, now_ms, &KeyStore::empty())
}

/// [`mint`], with an id not already used in `store` (ids are random, so a
/// clash is rare, but it would make the old key unusable).
pub fn mint_avoiding(request: &MintRequest, now_ms: i64, store: &KeyStore) -> Result<MintedKey> {
    let key = loop {
        let key = ApiKey::mint()?;
        if store.get(key.id()).is_none() {
            break key;
        }
    };
    let entry = KeyEntry {
        id: key.id().to_owned(),
        hash: key.hash(),
        label: request.label.trim().to_owned(),
        org_id: request.org_id.trim().to_owned(),
        created_at: Some(crate::clock::rfc3339_ms(now_ms)),
        expires_at: request.expires_at.clone(),
        disabled: false,
    };
    // The request's own fields, at the request's paths (`$.label`).
    let (expires_ms, mut problems) =
        store::check_details(&entry, &|field| format!("$.{field}"), "");
    if expires_ms.is_some_and(|at| at <= now_ms) {
        problems.push(crate::Problem::new(
            "$.expires_at",
            "is in the past: the key would never work",
        ));
    }
    if problems.is_empty() {
        Ok(MintedKey { key, entry })
    } else {
        Err(crate::Error::Validation {
            what: "key request".to_owned(),
            problems,
        })
    }
}

#[cfg(test)]
mod tests;
