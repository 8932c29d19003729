use super::*;
use serde_json::json;

const NOW: i64 = 1_795_339_200_000; // 2026-11-22T09:20:00Z

fn store_of(entries: Vec<KeyEntry>) -> KeyStore {
    KeyStore::from_file(KeyStoreFile { keys: entries }, "keys.json").unwrap()
}

fn minted(label: &str) -> MintedKey {
    mint(&MintRequest::new(label, "org_acme"), NOW).unwrap()
}

fn secret_part(key: &ApiKey) -> String {
    key.expose_secret().rsplit('_').next().unwrap().to_owned()
}

#[test]
fn a_minted_key_verifies_and_names_its_owner() {
    let m = minted("netskope-prod");
    assert_eq!(m.entry.id, m.key.id());
    assert_eq!(m.entry.hash, m.key.hash());
    assert_eq!(
        m.entry.created_at.as_deref(),
        Some("2026-11-22T09:20:00.000Z")
    );
    let store = store_of(vec![m.entry.clone()]);
    assert_eq!(
        store.verify(Some(m.key.expose_secret()), NOW),
        Ok(VerifiedKey {
            key_id: m.key.id().to_owned(),
            label: "netskope-prod".into(),
            org_id: "org_acme".into(),
        })
    );
    // Surrounding blanks (a pasted header value) are not part of the key.
    assert!(
        store
            .verify(Some(&format!(" {} ", m.key.expose_secret())), NOW)
            .is_ok()
    );
}

#[test]
fn each_refusal_has_its_reason_and_never_the_secret() {
    let good = minted("a");
    let mut off = minted("b");
    off.entry.disabled = true;
    let mut old = minted("c");
    old.entry.expires_at = Some("2026-11-22T09:19:59Z".into());
    let store = store_of(vec![
        good.entry.clone(),
        off.entry.clone(),
        old.entry.clone(),
    ]);

    let stranger = ApiKey::mint().unwrap();
    let forged = format!("gvsk_{}_{}", good.key.id(), secret_part(&stranger));
    let cases = [
        (None, KeyRejection::Missing),
        (Some("Bearer abc".to_owned()), KeyRejection::Malformed),
        (
            Some(stranger.expose_secret().to_owned()),
            KeyRejection::UnknownId {
                key_id: stranger.id().to_owned(),
            },
        ),
        (
            Some(forged.clone()),
            KeyRejection::WrongSecret {
                key_id: good.key.id().to_owned(),
            },
        ),
        (
            Some(off.key.expose_secret().to_owned()),
            KeyRejection::Disabled {
                key_id: off.key.id().to_owned(),
            },
        ),
        (
            Some(old.key.expose_secret().to_owned()),
            KeyRejection::Expired {
                key_id: old.key.id().to_owned(),
            },
        ),
    ];
    for (presented, want) in cases {
        let got = store.verify(presented.as_deref(), NOW).unwrap_err();
        assert_eq!(got, want);
        let shown = format!("{got} {got:?} {}", serde_json::to_string(&got).unwrap());
        for secret in [&good, &off, &old].map(|m| secret_part(&m.key)) {
            assert!(!shown.contains(&secret), "{shown}");
        }
        assert!(!shown.contains(&secret_part(&stranger)), "{shown}");
    }
    // Only a holder of the right secret learns that a key is disabled.
    let mut forged_off = forged.clone();
    forged_off.replace_range(5..5 + good.key.id().len(), off.key.id());
    assert_eq!(
        store.verify(Some(&forged_off), NOW).unwrap_err(),
        KeyRejection::WrongSecret {
            key_id: off.key.id().to_owned()
        }
    );
    assert!(!KeyRejection::WrongSecret { key_id: "x".into() }.is_authenticated());
    assert!(KeyRejection::Expired { key_id: "x".into() }.is_authenticated());
    // Expiry is exclusive of the instant before it.
    let mut later = minted("d");
    later.entry.expires_at = Some("2026-11-22T09:20:00.001Z".into());
    let store = store_of(vec![later.entry.clone()]);
    assert!(store.verify(Some(later.key.expose_secret()), NOW).is_ok());
    assert!(
        store
            .verify(Some(later.key.expose_secret()), NOW + 1)
            .is_err()
    );
}

#[test]
fn a_store_file_loads_and_bad_entries_are_named_by_path_and_id() {
    let m = minted("splunk");
    let text = serde_json::to_string(&json!({"keys": [m.entry]})).unwrap();
    let store = KeyStore::from_json(&text, "/etc/govstream/keys.json").unwrap();
    assert_eq!(store.entries().count(), 1);
    assert!(store.get(m.key.id()).is_some());

    let bad = json!({"keys": [
        {"id": "abcd", "hash": "sha256:00", "label": "x", "org_id": "o"},
        {"id": "abcd", "hash": m.entry.hash, "label": " ", "org_id": "o",
         "expires_at": "tomorrow"},
        {"id": "A-B", "hash": m.entry.hash, "label": "x", "org_id": "o"}
    ]});
    let err = KeyStore::from_json(&bad.to_string(), "/etc/keys.json").unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("invalid key store /etc/keys.json: "),
        "{text}"
    );
    let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "$.keys[0].hash: key `abcd`: expected `sha256:` and 64 hex digits",
            "$.keys[1].id: key `abcd` is also $.keys[0]",
            "$.keys[1].label: key `abcd`: must be 1 to 128 characters",
            "$.keys[1].expires_at: key `abcd`: not an RFC 3339 time like 2027-01-01T00:00:00Z",
            "$.keys[2].id: expected 4 to 32 lowercase letters or digits",
        ]
    );
    // The hash is not repeated in any message.
    assert!(!text.contains(&m.entry.hash[7..]), "{text}");

    let err = KeyStore::from_json("{\"keys\": [", "keys.json").unwrap_err();
    assert_eq!(err.kind(), "input");
    assert!(
        err.to_string()
            .starts_with("invalid input at key store keys.json: not JSON"),
        "{err}"
    );
    let err = KeyStore::from_json(r#"{"keys": [{"id": "abcd", "secret": "x"}]}"#, "keys.json")
        .unwrap_err();
    assert!(
        err.to_string().contains("key store keys.json at $.keys[0]"),
        "{err}"
    );
    let err = KeyStore::load(std::path::Path::new("/nonexistent/keys.json")).unwrap_err();
    assert_eq!(err.kind(), "io");
    assert!(err.to_string().contains("/nonexistent/keys.json"), "{err}");
}

#[test]
fn minting_checks_the_request_and_avoids_used_ids() {
    let err = mint(&MintRequest::new("", "org_acme"), NOW).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid key request: $.label: must be 1 to 128 characters"
    );
    let mut late = MintRequest::new("x", "org_acme");
    late.expires_at = Some("2026-11-22T09:19:00Z".into());
    let err = mint(&late, NOW).unwrap_err();
    assert_eq!(err.problems()[0].path, "$.expires_at");
    assert!(err.to_string().contains("in the past"), "{err}");
    late.expires_at = Some("2027-01-01T00:00:00Z".into());
    assert!(mint(&late, NOW).is_ok());

    let first = minted("a");
    let store = store_of(vec![first.entry.clone()]);
    let second = mint_avoiding(&MintRequest::new("b", "org_acme"), NOW, &store).unwrap();
    assert_ne!(second.key.id(), first.key.id());
    // The entry's JSON is what the store reads back, without the key.
    let entry = serde_json::to_value(&second.entry).unwrap();
    assert!(!entry.to_string().contains(&secret_part(&second.key)));
    assert_eq!(entry["label"], "b");
    assert!(entry.get("disabled").is_none());
}

#[test]
fn the_documented_store_loads_and_its_key_has_the_documented_shape() {
    let doc = include_str!("../../../docs/keys.md");
    let block = |fence: &str| {
        doc.split(fence)
            .nth(1)
            .and_then(|s| s.split("```").next())
            .unwrap()
    };
    let store = KeyStore::from_json(block("```json"), "docs/keys.md").unwrap();
    let ids: Vec<&str> = store.entries().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["k7f3q2ma", "p2xq7vna"]);
    let key = block("```text").lines().nth(1).unwrap();
    let key = ApiKey::parse(key).unwrap();
    assert_eq!(key.id(), "k7f3q2ma");
}
