//! `govstream keys`: mint API keys for report senders and check the key
//! store a receiver loads (`docs/keys.md`). The key is printed once; the
//! store holds only its hash, so operators never hash by hand.

use clap::Subcommand;
use govstream::keys::{KeyStore, KeyStoreFile, MintRequest};
use serde_json::{Value, json};
use std::path::Path;

#[derive(Subcommand)]
pub(crate) enum KeysCommand {
    /// Mint a key: prints `{"key", "entry"}` as one JSON line. The key is
    /// shown this once; `entry` (its hash, id, label, org) goes in the store.
    New {
        /// Who or what holds the key (`netskope-prod`).
        #[arg(long)]
        label: String,
        /// The org the key reports for.
        #[arg(long = "org")]
        org_id: String,
        /// When the key stops working, RFC 3339 (`2027-06-30T00:00:00Z`).
        #[arg(long)]
        expires_at: Option<String>,
        /// Append the entry to this key-store file (created if missing),
        /// with an id no other key in it uses.
        #[arg(long)]
        store: Option<String>,
    },
    /// Check a key-store file: prints `{"keys": n}`, or every problem with
    /// its path and key id (exit 2).
    Check {
        /// The key-store file.
        store: String,
    },
}

/// Runs a `keys` subcommand: the JSON lines to print, or what went wrong.
pub(crate) fn run(command: KeysCommand) -> Result<Vec<Value>, String> {
    let now = govstream::clock::now_ms();
    match command {
        KeysCommand::New {
            label,
            org_id,
            expires_at,
            store,
        } => {
            let request = MintRequest {
                label,
                org_id,
                expires_at,
            };
            let Some(path) = store else {
                let minted = govstream::api::mint_api_key(&request, now)
                    .map_err(|e| format!("cannot mint a key: {}", e.message))?;
                return Ok(vec![json!(minted)]);
            };
            let path = Path::new(&path);
            let (mut file, existing) = if path.exists() {
                read_file(path)?
            } else {
                (KeyStoreFile::default(), KeyStore::empty())
            };
            let minted = govstream::keys::mint_avoiding(&request, now, &existing)
                .map_err(|e| format!("cannot mint a key: {e}"))?;
            file.keys.push(minted.entry.clone());
            write_file(path, &file)?;
            Ok(vec![json!({
                "key": minted.key.expose_secret(),
                "entry": minted.entry,
            })])
        }
        KeysCommand::Check { store } => {
            let store = KeyStore::load(Path::new(&store)).map_err(|e| e.to_string())?;
            Ok(vec![json!({"keys": store.entries().count()})])
        }
    }
}

/// Reads a store file, checked (every problem by path and key id, no
/// value quoted), and as written, to append to.
fn read_file(path: &Path) -> Result<(KeyStoreFile, KeyStore), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read key store {}: {e}", path.display()))?;
    let store =
        KeyStore::from_json(&text, &path.display().to_string()).map_err(|e| e.to_string())?;
    // It parsed as a store just above, so this reads the same document.
    let file = serde_json::from_str(&text)
        .map_err(|e| format!("invalid key store {}: {e}", path.display()))?;
    Ok((file, store))
}

/// Writes the store whole to a sibling file and renames it over the old
/// one, so a receiver reading it never sees half a file.
fn write_file(path: &Path, file: &KeyStoreFile) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(file).map_err(|e| e.to_string())?;
    text.push('\n');
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write key store {}: {e}", path.display()))
}
