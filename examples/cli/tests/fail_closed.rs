//! Regression tests for issue 9 ("fail closed and leak nothing"), through the
//! binary as a user runs it: text that was not scanned is never treated as
//! clean nor shown, hidden and encoded secrets are found, context fields and
//! match counts are bounded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{govstream, lines as records};
use serde_json::json;

const AWS: &str = "AKIAIOSFODNN7EXAMPLE";
const GITHUB: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

fn jsonl(text: &str) -> String {
    format!("{}\n", json!({"id": "t", "text": text}))
}

fn policy_file(json: &str) -> tempfile_path::Path {
    tempfile_path::Path::new(json)
}

/// A policy file that is removed when dropped.
mod tempfile_path {
    pub(crate) struct Path(std::path::PathBuf);

    impl Path {
        pub(crate) fn new(content: &str) -> Self {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "govstream-fail-closed-{}-{}.json",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::write(&p, content).unwrap();
            Path(p)
        }

        pub(crate) fn as_str(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }

    impl Drop for Path {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

/// 11 MB of prose with two secrets at its end, past the 1 MiB default limit.
fn long_prompt() -> String {
    format!(
        "{}{AWS} and {GITHUB}",
        "lorem ipsum dolor ".repeat(11 << 16)
    )
}

#[test]
fn a_text_past_the_scan_limit_is_blocked_not_allowed() {
    let out = govstream(&["evaluate"], &jsonl(&long_prompt()));
    assert_eq!(out.status.code(), Some(0));
    let event = &records(&out)[0];
    assert_eq!(event["verdict"], "block", "{event}");
    assert_eq!(event["reason_code"], "scan_truncated");
    assert_eq!(event["degraded"], true);
    assert_eq!(event["dlp"]["scan_truncated"], true);
    let results = event["policy_results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["kind"] == "scan"), "{results:?}");

    // Responses fail closed by redacting: the tail is not passed on.
    let response = format!(
        "{}\n",
        json!({"id": 1, "text": long_prompt(), "phase": "response"})
    );
    let event = &records(&govstream(&["evaluate"], &response))[0];
    assert_eq!(event["verdict"], "redact", "{event}");
    assert_eq!(event["reason_code"], "scan_truncated");
}

#[test]
fn on_truncated_is_a_policy_setting() {
    let allow = policy_file(r#"{"limits": {"on_truncated": "warn"}}"#);
    let out = govstream(
        &["evaluate", "--policy", allow.as_str()],
        &jsonl(&long_prompt()),
    );
    let event = &records(&out)[0];
    assert_eq!(event["verdict"], "warn", "{event}");

    // Raising the limit scans the whole text and finds both secrets.
    let far = policy_file(r#"{"limits": {"max_scan_bytes": 268435456}}"#);
    let out = govstream(
        &["evaluate", "--policy", far.as_str()],
        &jsonl(&long_prompt()),
    );
    let recs = records(&out);
    assert_eq!(recs[0]["reason_code"], "dlp:secrets.aws_access_key_id");
    assert!(recs[0]["dlp"].get("scan_truncated").is_none());
    assert_eq!(recs[0]["dlp"]["total_matches"], 2);

    let bad = policy_file(r#"{"limits": {"on_truncated": "ignore", "max_scan_bytes": 10}}"#);
    let out = govstream(&["rules", "--policy", bad.as_str()], "");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("$.limits.on_truncated"), "{err}");
    assert!(err.contains("$.limits.max_scan_bytes"), "{err}");
}

#[test]
fn fail_on_treats_an_unscanned_tail_as_reaching_any_severity() {
    for cmd in ["scan", "evaluate"] {
        let out = govstream(&[cmd, "--fail-on", "low"], &jsonl(&long_prompt()));
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let out = govstream(&[cmd, "--fail-on", "critical"], &jsonl(&long_prompt()));
        assert_eq!(out.status.code(), Some(1), "{cmd}");
    }
    let out = govstream(&["scan"], &jsonl(&long_prompt()));
    let rec = &records(&out)[0];
    assert_eq!(rec["scan_truncated"], true);
    assert_eq!(rec["scanned_length"], 1 << 20);
}

#[test]
fn no_record_shows_text_past_the_scan_limit() {
    // An email just before the limit (its snippet reaches to the limit), an
    // AWS key just past it.
    let head = "x ".repeat((1 << 19) - 20);
    let text = format!("{head}jane@acme.com {}{AWS} tail", " ".repeat(40));
    assert!(text.find(AWS).unwrap() > 1 << 20);
    let out = govstream(&["evaluate"], &jsonl(&text));
    let all = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(!all.contains(AWS), "the unscanned key leaked");
    assert!(!all.contains("tail"));
    let recs = records(&out);
    let m = recs
        .iter()
        .find(|r| r["record_type"] == "dlp_match")
        .unwrap();
    assert!(
        m["snippet"]["text"]
            .as_str()
            .unwrap()
            .contains("[REDACTED:pii.email]")
    );
}

#[test]
fn redact_replaces_the_unscanned_tail_and_says_so() {
    let out = govstream(&["redact"], &jsonl(&long_prompt()));
    assert_eq!(out.status.code(), Some(0));
    let rec = &records(&out)[0];
    let text = rec["text"].as_str().unwrap();
    assert!(!text.contains(AWS) && !text.contains(GITHUB));
    assert!(text.ends_with(" bytes]"), "{}", &text[text.len() - 60..]);
    assert!(text.contains("[UNSCANNED:"));
    assert_eq!(rec["scan_truncated"], true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("only the first 1048576 characters were scanned"),
        "{err}"
    );

    let out = govstream(&["redact", "--plain"], &long_prompt());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(AWS) && text.contains("[UNSCANNED:"));
}

#[test]
fn invisible_and_look_alike_characters_do_not_hide_a_value() {
    let cases = [
        ("AKIA\u{200B}IOSFODNN7EXAMPLE", "secrets.aws_access_key_id"),
        ("AKIAIOSF\u{00AD}ODNN7EXAMPLE", "secrets.aws_access_key_id"),
        ("AKIAIOSFODNN\u{2060}7EXAMPLE", "secrets.aws_access_key_id"),
        (
            "\u{FEFF}ghp_abcdefghijkl\u{200D}mnopqrstuvwxyz0123456789",
            "secrets.github_pat",
        ),
        ("４１１１ １１１１ １１１１ １１１１", "financial.card_visa"),
        (
            "4111\u{00A0}1111\u{00A0}1111\u{00A0}1111",
            "financial.card_visa",
        ),
        (
            "4111\u{2009}1111\u{202F}1111\u{2009}1111",
            "financial.card_visa",
        ),
        (
            "ＡＫＩＡＩＯＳＦＯＤＮＮ７ＥＸＡＭＰＬＥ",
            "secrets.aws_access_key_id",
        ),
    ];
    for (value, rule) in cases {
        let text = format!("here: {value} .");
        let out = govstream(&["scan"], &jsonl(&text));
        let rec = &records(&out)[0];
        let m = &rec["matches"][0];
        assert_eq!(m["rule_id"], rule, "{value:?}: {rec}");
        // The span is the whole original value, in every unit.
        let (s, e) = (
            m["byte_start"].as_u64().unwrap() as usize,
            m["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], value.trim_start_matches('\u{FEFF}'));
        let chars: Vec<char> = text.chars().collect();
        let (cs, ce) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(chars[cs..ce].iter().collect::<String>(), &text[s..e]);
        let utf16: Vec<u16> = text.encode_utf16().collect();
        let (us, ue) = (
            m["utf16_start"].as_u64().unwrap() as usize,
            m["utf16_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(String::from_utf16(&utf16[us..ue]).unwrap(), &text[s..e]);

        // Redaction removes the whole original value, invisible characters
        // included.
        let out = govstream(&["redact"], &jsonl(&text));
        let red = records(&out)[0]["text"].as_str().unwrap().to_string();
        let want = format!("{}[REDACTED:{rule}]{}", &text[..s], &text[e..]);
        assert_eq!(red, want, "{value:?}");
        assert!(!red.contains(|c: char| c.is_ascii_digit()), "{red}");
    }
}

#[test]
fn a_base64_encoded_private_key_is_found_on_the_encoded_text() {
    // A made-up key body: the shape of PKCS#1, not a key.
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAfakeFAKEAHOVcjqx4/GNUbipw3+FMTahov29ELSZgnu18DKR\nBKTclu3AJSbkt2/IRajs1+HQZir09GPYhqz8FOXgpy7ENWfox6DMVenw5CLUdmv4\n-----END RSA PRIVATE KEY-----\n";
    let encoded = encode_base64(pem.as_bytes());
    assert!(encoded.starts_with("LS0tLS1CRUdJTi"));
    for text in [
        format!("apiVersion: v1\nkind: Secret\ndata:\n  tls.key: {encoded}\n"),
        format!("TLS_KEY={}\n", encode_base64(format!("\n{pem}").as_bytes())),
    ] {
        let out = govstream(&["scan"], &jsonl(&text));
        let m = &records(&out)[0]["matches"][0];
        assert_eq!(m["rule_id"], "secrets.private_key", "{text}");
        let (s, e) = (
            m["byte_start"].as_u64().unwrap() as usize,
            m["byte_end"].as_u64().unwrap() as usize,
        );
        // Most of the encoded run, on the encoded text.
        assert!(e - s > encoded.len() * 9 / 10, "{}", &text[s..e]);
        let out = govstream(&["evaluate"], &jsonl(&text));
        assert_eq!(records(&out)[0]["verdict"], "block");
        assert!(
            !String::from_utf8(out.stdout)
                .unwrap()
                .contains(&encoded[20..60])
        );
    }
}

#[test]
fn context_fields_never_carry_a_matched_value_below_full() {
    let line = json!({
        "id": 1,
        "text": format!("use {AWS}"),
        "request_id": format!("req-{AWS}"),
        "user_id": AWS,
        "metadata": {"header": AWS, "nested": [format!("x {AWS}")]},
    });
    for level in ["metadata", "redacted"] {
        let policy = policy_file(&format!(r#"{{"logging": "{level}"}}"#));
        let out = govstream(
            &["evaluate", "--policy", policy.as_str()],
            &format!("{line}\n"),
        );
        let all = String::from_utf8(out.stdout).unwrap();
        assert!(!all.is_empty());
        assert!(!all.contains(AWS), "{level}: {all}");
    }
}

#[test]
fn matches_per_text_are_capped_and_the_rest_counted() {
    let text = "1.2.3.4 ".repeat(20_000);
    let out = govstream(&["evaluate"], &jsonl(&text));
    let recs = records(&out);
    let event = &recs[0];
    assert_eq!(event["dlp"]["total_matches"], 20_000);
    assert_eq!(event["dlp"]["omitted_matches"], 19_000);
    assert_eq!(recs.len(), 1 + 1000);

    let policy = policy_file(r#"{"limits": {"max_matches": 10}}"#);
    let out = govstream(&["scan", "--policy", policy.as_str()], &jsonl(&text));
    let rec = &records(&out)[0];
    assert_eq!(rec["matches"].as_array().unwrap().len(), 10);
    assert_eq!(rec["omitted_matches"], 19_990);
    // Past the cap, values are still rewritten.
    let out = govstream(&["redact", "--policy", policy.as_str()], &jsonl(&text));
    assert!(
        !records(&out)[0]["text"]
            .as_str()
            .unwrap()
            .contains("1.2.3.4")
    );
}

fn encode_base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
