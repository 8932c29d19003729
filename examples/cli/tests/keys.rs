//! `govstream keys`: minting prints the key once and an entry the store
//! reads back; `--store` appends; `check` names bad entries by path and id.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{govstream, lines};
use govstream::keys::KeyStore;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("govstream-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_minted_key_verifies_against_its_printed_entry() {
    let out = govstream(
        &[
            "keys",
            "new",
            "--label",
            "netskope-prod",
            "--org",
            "org_acme",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0));
    let [minted] = lines(&out).try_into().unwrap();
    let key = minted["key"].as_str().unwrap();
    assert!(key.starts_with("gvsk_"), "{key}");
    assert_eq!(minted["entry"]["label"], "netskope-prod");
    let store = serde_json::json!({"keys": [minted["entry"]]}).to_string();
    let store = KeyStore::from_json(&store, "printed").unwrap();
    let ok = store.verify(Some(key), govstream::clock::now_ms()).unwrap();
    assert_eq!(ok.org_id, "org_acme");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be shown again"), "{stderr}");
    assert!(!stderr.contains(key), "{stderr}");
}

#[test]
fn store_appends_with_unique_ids_and_check_counts_them() {
    let dir = temp_dir("append");
    let path = dir.join("keys.json");
    let path = path.to_str().unwrap();
    let mut keys = Vec::new();
    for label in ["casb", "swg"] {
        let out = govstream(
            &[
                "keys", "new", "--label", label, "--org", "org_acme", "--store", path,
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        keys.push(lines(&out)[0]["key"].as_str().unwrap().to_owned());
    }
    let text = std::fs::read_to_string(path).unwrap();
    for key in &keys {
        assert!(
            !text.contains(key.as_str()),
            "the store holds a key: {text}"
        );
    }
    let store = KeyStore::load(std::path::Path::new(path)).unwrap();
    let labels: Vec<&str> = store.entries().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["casb", "swg"]);
    for key in &keys {
        assert!(store.verify(Some(key), govstream::clock::now_ms()).is_ok());
    }
    let out = govstream(&["keys", "check", path], "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out), [serde_json::json!({"keys": 2})]);
}

#[test]
fn bad_requests_and_bad_stores_exit_2_and_say_where() {
    let out = govstream(
        &[
            "keys",
            "new",
            "--label",
            "x",
            "--org",
            "org_acme",
            "--expires-at",
            "soon",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("$.expires_at: not an RFC 3339 time"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let dir = temp_dir("bad");
    let path = dir.join("keys.json");
    std::fs::write(
        &path,
        r#"{"keys": [{"id": "k7f3q2ma", "hash": "sha256:abc", "label": "casb", "org_id": "org_acme"}]}"#,
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let out = govstream(&["keys", "check", path], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(path), "{stderr}");
    assert!(
        stderr.contains("$.keys[0].hash: key `k7f3q2ma`: expected `sha256:` and 64 hex digits"),
        "{stderr}"
    );
    // A broken store is not overwritten by minting into it.
    let out = govstream(
        &["keys", "new", "--label", "x", "--org", "o", "--store", path],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        std::fs::read_to_string(path)
            .unwrap()
            .contains("sha256:abc")
    );
}
