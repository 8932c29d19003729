use super::*;
use crate::keys::{KeyStoreFile, MintRequest, MintedKey, mint};

const NOW: i64 = 1_795_339_200_000; // 2026-11-22T09:20:00Z

struct Fixture {
    receiver: ReportReceiver,
    good: MintedKey,
    off: MintedKey,
}

fn fixture() -> Fixture {
    let good = mint(&MintRequest::new("netskope-prod", "org_acme"), NOW).unwrap();
    let mut off = mint(&MintRequest::new("old-swg", "org_acme"), NOW).unwrap();
    off.entry.disabled = true;
    let keys = KeyStore::from_file(
        KeyStoreFile {
            keys: vec![good.entry.clone(), off.entry.clone()],
        },
        "test",
    )
    .unwrap();
    let receiver = ReportReceiver::new(keys, CompiledPolicy::default_policy().unwrap())
        .with_max_body_bytes(4096);
    Fixture {
        receiver,
        good,
        off,
    }
}

fn head<'a>(key: Option<&'a str>, body: &[u8]) -> RequestHead<'a> {
    RequestHead {
        method: "POST",
        target: REPORT_PATH,
        authorization: None,
        api_key: key,
        content_type: Some("application/json"),
        content_length: Some(body.len() as u64),
    }
}

const REPORT: &str = r#"{"url": "https://chat.deepseek.com/a/chat/s/42?q=merger", "user_email": "jane@acme.com", "severity": "high"}"#;

#[test]
fn a_good_report_becomes_an_event_of_the_keys_org_and_sender() {
    let f = fixture();
    let key = f.good.key.expose_secret();
    let admitted = f
        .receiver
        .admit(&head(Some(key), REPORT.as_bytes()), NOW)
        .unwrap();
    assert_eq!(admitted.key().label, "netskope-prod");
    let accepted = f
        .receiver
        .read_body(&admitted, REPORT.as_bytes(), NOW)
        .unwrap();
    let [event] = accepted.events.as_slice() else {
        panic!("{accepted:?}");
    };
    assert_eq!(event.org_id, "org_acme");
    assert_eq!(event.url, "https://chat.deepseek.com/a/chat/s/42");
    assert_eq!(event.source_system.as_deref(), Some("netskope-prod"));
    assert_eq!(event.metadata["source_system"], "netskope-prod");
    assert_eq!(event.metadata[KEY_ID_METADATA], f.good.key.id());
    let reply = accepted.response();
    assert_eq!(reply.status, 202);
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body, json!({"accepted": 1, "event_ids": [event.event_id]}));
    assert!(reply.log.contains(f.good.key.id()), "{}", reply.log);
    // The bearer form is the same key.
    let bearer = format!("Bearer {key}");
    let mut h = head(None, REPORT.as_bytes());
    h.authorization = Some(&bearer);
    assert!(f.receiver.admit(&h, NOW).is_ok());
    // Both headers may carry it; a proxy's own `Authorization` scheme is
    // ignored beside an `X-API-Key`.
    h.api_key = Some(key);
    assert!(f.receiver.admit(&h, NOW).is_ok());
    h.authorization = Some("Basic cHJveHk6cHJveHk=");
    assert!(f.receiver.admit(&h, NOW).is_ok());
}

#[test]
fn every_bad_key_is_the_same_401_and_only_a_holder_hears_disabled() {
    let f = fixture();
    let good = f.good.key.expose_secret();
    let wrong = format!(
        "{}{}",
        &good[..good.len() - 1],
        if good.ends_with('a') { 'b' } else { 'a' }
    );
    let basic = "Basic bGVlOmh1bnRlcjI=".to_owned();
    let mut bodies = Vec::new();
    for (authorization, api_key) in [
        (None, None),
        (None, Some("hunter2")),
        (None, Some(wrong.as_str())),
        (Some(basic.as_str()), None),
        (Some(&*format!("Bearer {good}")), Some(wrong.as_str())),
    ] {
        let mut h = head(api_key, b"{}");
        h.authorization = authorization;
        let reply = f.receiver.admit(&h, NOW).unwrap_err();
        assert_eq!(reply.status, 401, "{reply:?}");
        assert_eq!(
            reply.headers,
            [("WWW-Authenticate", "Bearer realm=\"govstream\"".to_owned())]
        );
        for shown in [&reply.body, &reply.log] {
            assert!(!shown.contains(&good[14..]), "{shown}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("bGVl"),
                "{shown}"
            );
        }
        bodies.push(reply.body);
    }
    bodies.dedup();
    assert_eq!(bodies.len(), 1, "a 401 says nothing about what was wrong");
    let reply = f
        .receiver
        .admit(&head(Some(f.off.key.expose_secret()), b"{}"), NOW)
        .unwrap_err();
    assert_eq!(reply.status, 403);
    assert!(reply.body.contains("disabled"), "{}", reply.body);
}

#[test]
fn path_method_media_type_and_length_are_checked_before_the_key() {
    let f = fixture();
    let key = f.good.key.expose_secret();
    let status = |h: RequestHead<'_>| {
        f.receiver
            .admit(&h, NOW)
            .map(|_| 0)
            .unwrap_or_else(|r| r.status)
    };
    assert_eq!(
        status(RequestHead {
            target: "/v1/other",
            ..head(None, b"")
        }),
        404
    );
    let get = f
        .receiver
        .admit(
            &RequestHead {
                method: "GET",
                ..head(None, b"")
            },
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        (get.status, get.headers),
        (405, vec![("Allow", "POST".to_owned())])
    );
    assert_eq!(
        status(RequestHead {
            target: "/v1/shadow-ai/report?x=1",
            ..head(Some(key), b"")
        }),
        0
    );
    assert_eq!(
        status(RequestHead {
            content_type: Some("text/plain"),
            ..head(Some(key), b"")
        }),
        415
    );
    assert_eq!(
        status(RequestHead {
            content_type: Some("Application/JSON; charset=utf-8"),
            ..head(Some(key), b"")
        }),
        0
    );
    assert_eq!(
        status(RequestHead {
            content_type: None,
            ..head(Some(key), b"")
        }),
        0
    );
    assert_eq!(
        status(RequestHead {
            content_length: None,
            ..head(Some(key), b"")
        }),
        411
    );
    assert_eq!(
        status(RequestHead {
            content_length: Some(4097),
            ..head(Some(key), b"")
        }),
        413
    );
    // A stranger learns only 401, however large the body claims to be.
    assert_eq!(
        status(RequestHead {
            content_length: Some(1 << 40),
            ..head(None, b"")
        }),
        401
    );
}

#[test]
fn bad_reports_give_every_problem_with_its_path_and_nothing_is_accepted() {
    let f = fixture();
    let admitted = f
        .receiver
        .admit(&head(Some(f.good.key.expose_secret()), b""), NOW)
        .unwrap();
    let problems = |body: &str| {
        let reply = f
            .receiver
            .read_body(&admitted, body.as_bytes(), NOW)
            .unwrap_err();
        assert_eq!(reply.status, 400, "{reply:?}");
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(body["error"], "validation");
        body["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["path"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(problems("{\"url\": "), ["$"]);
    assert_eq!(problems("[]"), ["$"]);
    assert_eq!(problems(r#"{"url": 3, "user_id": "u"}"#), ["$.url"]);
    assert_eq!(
        problems(&format!(
            r#"[{REPORT}, {{"hostname": "bad host", "user_id": "u"}}, 7]"#
        )),
        ["$[1].hostname", "$[2]"]
    );
    assert_eq!(
        problems(r#"{"hostname": "x.ai", "user_id": "u", "metadata": {"api_key_id": "forged"}}"#),
        ["$.metadata.api_key_id"]
    );
    let reply = f
        .receiver
        .read_body(
            &admitted,
            br#"[{"org_id": "org_other", "hostname": "x.ai", "user_id": "u"}]"#,
            NOW,
        )
        .unwrap_err();
    assert_eq!(reply.status, 403);
    assert!(reply.body.contains("$[0].org_id"), "{}", reply.body);
    let big = format!("[{}]", vec![REPORT; MAX_REPORTS + 1].join(","));
    let receiver =
        ReportReceiver::new(KeyStore::empty(), CompiledPolicy::default_policy().unwrap())
            .with_max_body_bytes(big.len());
    let reply = receiver
        .read_body(&admitted, big.as_bytes(), NOW)
        .unwrap_err();
    assert_eq!(reply.status, 400);
    assert!(
        reply.body.contains("send 1 to 500 reports, found 501"),
        "{}",
        reply.body
    );
    assert_eq!(
        f.receiver
            .read_body(&admitted, &vec![b' '; 4097], NOW)
            .unwrap_err()
            .status,
        413
    );
}
