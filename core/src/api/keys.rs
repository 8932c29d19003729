//! API keys for every host: mint a key, check a store, verify a presented
//! key (`crate::keys` does the work). A host that runs its own HTTP server
//! (a Python or Node service receiving shadow-AI reports) verifies through
//! these, so every host accepts and refuses exactly the same keys.

use super::ApiError;
use crate::keys::{KeyEntry, KeyRejection, KeyStore, KeyStoreFile, MintRequest, VerifiedKey};
use serde::{Deserialize, Serialize};

/// A minted key as a host receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MintedKeyOutput {
    /// The whole key, to hand to its holder once and never store or log.
    pub key: String,
    /// The store entry (the key's hash, id, label, org), to append to the
    /// store file's `keys`.
    pub entry: KeyEntry,
}

/// Mints a key for `request` at `now_ms`. Errors: `validation` (`$.label`,
/// `$.org_id` empty; `$.expires_at` not RFC 3339 or past), `io` (no secure
/// random source).
pub fn mint_api_key(request: &MintRequest, now_ms: i64) -> Result<MintedKeyOutput, ApiError> {
    let minted = crate::keys::mint(request, now_ms)?;
    Ok(MintedKeyOutput {
        key: minted.key.expose_secret().to_owned(),
        entry: minted.entry,
    })
}

/// A presented key to check against a store.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyKeyInput {
    /// The store, as its file holds it.
    pub store: KeyStoreFile,
    /// The presented key (the `Bearer` token or `X-API-Key` value); absent
    /// when none was presented.
    #[serde(default)]
    pub key: Option<String>,
}

/// The answer to a key check. `reason` and `key_id` are for the host's own
/// log; a client is told only `authenticated` (a holder of a disabled or
/// expired key may be told which).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KeyCheck {
    /// Whether the key may be used.
    pub valid: bool,
    /// Whether the presenter proved it holds a stored key (true when valid,
    /// and for a disabled or expired key).
    pub authenticated: bool,
    /// Who the key belongs to, when valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<VerifiedKey>,
    /// Why it was refused, when not valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<KeyRejection>,
}

impl From<Result<VerifiedKey, KeyRejection>> for KeyCheck {
    fn from(result: Result<VerifiedKey, KeyRejection>) -> Self {
        match result {
            Ok(key) => KeyCheck {
                valid: true,
                authenticated: true,
                key: Some(key),
                rejection: None,
            },
            Err(rejection) => KeyCheck {
                valid: false,
                authenticated: rejection.is_authenticated(),
                key: None,
                rejection: Some(rejection),
            },
        }
    }
}

/// Checks `input.key` against `input.store` at `now_ms`. Errors: a
/// `validation` error for a bad store (every bad entry by path and id).
pub fn verify_api_key(input: VerifyKeyInput, now_ms: i64) -> Result<KeyCheck, ApiError> {
    let store = KeyStore::from_file(input.store, "input")?;
    Ok(store.verify(input.key.as_deref(), now_ms).into())
}

/// Checks a key store and returns how many keys it holds, so an operator's
/// edit can be checked before a server loads it.
pub fn check_key_store(file: KeyStoreFile) -> Result<usize, ApiError> {
    Ok(KeyStore::from_file(file, "input")?.entries().count())
}
