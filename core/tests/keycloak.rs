//! The Keycloak parser against the committed sample log, and against
//! arbitrary input: every non-blank line is accounted for exactly once, and
//! no input makes it panic.

// clippy.toml allows these inside #[test] functions only; the helpers and
// proptest bodies here are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::audit::{
    AuditOutcome, KeycloakOptions, LineProblemKind, parse_keycloak, parse_keycloak_with,
};
use govstream::schema::ApiEventType;
use proptest::prelude::*;
use std::path::PathBuf;

fn sample() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/data/keycloak.log");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_sample_log_yields_its_events_problems_and_skips() {
    let report = parse_keycloak(&sample());
    let got: Vec<(ApiEventType, Option<&str>, &str)> = report
        .events
        .iter()
        .map(|e| (e.event_type, e.user_email.as_deref(), e.date_time.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (ApiEventType::AuthLogout, None, "2025-02-03T11:20:46.919Z"),
            (
                ApiEventType::AuthSuccessfulLogin,
                Some("lee@acme.example"),
                "2025-02-03T11:21:30.207Z"
            ),
            (
                ApiEventType::AuthLoginFailure,
                None,
                "2025-02-03T11:22:53.492Z"
            ),
            (
                ApiEventType::AuthLoginFailure,
                Some("priya@acme.example"),
                "2025-02-03T11:23:05.733Z"
            ),
            (ApiEventType::AuthLogout, None, "2025-02-03T11:25:12.004Z"),
        ]
    );
    let problems: Vec<(usize, &LineProblemKind)> =
        report.problems.iter().map(|p| (p.line, &p.kind)).collect();
    assert_eq!(
        problems,
        [
            (4, &LineProblemKind::UnknownType("CODE_TO_TOKEN".into())),
            (
                8,
                &LineProblemKind::Malformed("the value of `username` has no closing \"".into())
            ),
            (
                10,
                &LineProblemKind::UnknownType("operationType=UPDATE".into())
            ),
        ]
    );
    assert_eq!(report.skipped_lines, 2);
    for e in &report.events {
        assert_eq!(e.validate(), Ok(()));
    }
    // The seed's refused logout: a logout, failed, with Keycloak's reason.
    let refused = &report.events[0];
    assert_eq!(refused.outcome(), AuditOutcome::Failure);
    assert_eq!(refused.event_metadata["error"], "invalid_redirect_uri");
    let outcomes: Vec<AuditOutcome> = report.events.iter().map(|e| e.outcome()).collect();
    assert_eq!(
        outcomes,
        [
            AuditOutcome::Failure,
            AuditOutcome::Success,
            AuditOutcome::Failure,
            AuditOutcome::Failure,
            AuditOutcome::Success
        ]
    );
    assert_eq!(report, parse_keycloak(&sample()), "ids are deterministic");
}

fn event_line(message: &str) -> String {
    format!("2025-02-03 11:30:00,250 WARN  [org.keycloak.events] (executor-thread-1) {message}")
}

#[test]
fn unknown_fields_are_dropped_and_named_and_known_ones_kept() {
    let line = event_line(concat!(
        r#"type="LOGIN_ERROR", realmId="acme", clientId="ui", userId="kc-7", ipAddress="10.0.0.5", "#,
        r#"error="invalid_user_credentials", password="hunter2", auth_method="openid-connect", "#,
        r#"otp="492817", token_id="0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "#,
        r#"refresh_token_id="1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1", Authorization="Basic bGVlOmh1bnRlcjI=", "#,
        r#"cookies="[KEYCLOAK_SESSION=acme/kc-7/5b0e7f0c]", tenant_note="blue", "#,
        r#"username="lee@acme.example""#,
    ));
    let event = govstream::audit::parse_keycloak_line(&line, &KeycloakOptions::new())
        .unwrap()
        .unwrap();
    let json = serde_json::to_string(&event).unwrap();
    for secret in [
        "hunter2",
        "492817",
        "bGVlOmh1bnRlcjI",
        "KEYCLOAK_SESSION",
        "blue",
    ] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    let metadata = serde_json::Value::Object(event.event_metadata.clone());
    assert_eq!(
        metadata,
        serde_json::json!({
            "realm_id": "acme",
            "client_id": "ui",
            "ip_address": "10.0.0.5",
            "error": "invalid_user_credentials",
            "auth_method": "openid-connect",
            "token_id": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "refresh_token_id": "1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1",
            "dropped_fields": ["password", "otp", "Authorization", "cookies", "tenant_note"],
            "outcome": "failure",
        })
    );
    assert_eq!(event.user_email.as_deref(), Some("lee@acme.example"));
    assert_eq!(event.validate(), Ok(()));
}

#[test]
fn urls_lose_what_carries_credentials_and_secrets_are_redacted() {
    let line = event_line(concat!(
        r#"type="LOGIN", realmId="acme", clientId="ui", userId="kc-7", ipAddress="10.0.0.5", "#,
        r#"redirect_uri="https://lee:hunter2@app.acme.example/cb?code=c0de&state=s#frag", "#,
        r#"reason="retried with AKIAIOSFODNN7EXAMPLE""#,
    ));
    let event = govstream::audit::parse_keycloak_line(&line, &KeycloakOptions::new())
        .unwrap()
        .unwrap();
    assert_eq!(
        event.event_metadata["redirect_uri"],
        "https://app.acme.example/cb"
    );
    assert_eq!(
        event.event_metadata["reason"],
        "retried with [REDACTED:secrets.aws_access_key_id]"
    );
    assert!(!event.event_metadata.contains_key("dropped_fields"));
}

#[test]
fn problem_excerpts_do_not_quote_secrets() {
    let line = event_line(r#"type="CODE_TO_TOKEN", reason="AKIAIOSFODNN7EXAMPLE""#);
    let report = parse_keycloak(&line);
    let excerpt = &report.problems[0].text_excerpt;
    assert!(!excerpt.contains("AKIAIOSFODNN7EXAMPLE"), "{excerpt}");
    assert!(excerpt.contains("[REDACTED:secrets."), "{excerpt}");
}

/// A line shaped like Keycloak's, each part either right or mangled, so
/// random cases reach events, problems and skips alike.
fn line() -> impl Strategy<Value = String> {
    let prefix = prop_oneof![
        Just(String::new()),
        Just("2025-02-03 16:52:53 ".to_owned()),
        ".{0,8}"
    ];
    let stamp = prop_oneof![
        3 => Just("2025-02-03 11:22:53,492 ".to_owned()),
        1 => "[0-9 :,.-]{0,24}",
    ];
    let level = prop_oneof![3 => Just("WARN  ".to_owned()), 1 => "[A-Z]{0,6} "];
    let logger = prop_oneof![
        4 => Just("[org.keycloak.events] ".to_owned()),
        1 => Just("[io.quarkus] ".to_owned()),
    ];
    let thread = prop_oneof![
        Just("(executor-thread-3) ".to_owned()),
        Just(String::new()),
        "\\([^)]{0,6}"
    ];
    let kc_type = prop_oneof![
        Just("LOGIN"),
        Just("LOGIN_ERROR"),
        Just("LOGOUT"),
        Just("LOGOUT_ERROR"),
        Just(""),
    ];
    let value = prop_oneof![
        "\"[^\"\\\\]{0,10}\"",
        "\"[a-z\\\\\" ]{0,10}\"",
        "'[a-z ]{0,6}'",
        "[a-z@.=, ]{0,10}",
        Just("\"null\"".to_owned()),
        Just("\"a@b.example\"".to_owned()),
    ];
    let key = prop_oneof![
        Just("userId"),
        Just("username"),
        Just("email"),
        Just("error"),
        Just("type"),
        Just("x y")
    ];
    let fields = proptest::collection::vec((key, value), 0..6);
    (prefix, stamp, level, logger, thread, kc_type, fields).prop_map(
        |(prefix, stamp, level, logger, thread, kc_type, fields)| {
            let mut line = format!("{prefix}{stamp}{level}{logger}{thread}type=\"{kc_type}\"");
            for (k, v) in fields {
                line.push_str(&format!(", {k}={v}"));
            }
            line
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics_and_every_line_is_accounted_for(
        lines in proptest::collection::vec((line(), prop_oneof![Just("\n"), Just("\r\n"), Just("\n\n")]), 0..8),
        offset in -1080i32..=1080,
    ) {
        let text: String = lines.iter().map(|(l, end)| format!("{l}{end}")).collect();
        let options = KeycloakOptions::new().with_utc_offset_minutes(offset).unwrap();
        let report = parse_keycloak_with(&text, &options);
        let non_blank = text.split('\n').filter(|l| !l.trim().is_empty()).count();
        prop_assert_eq!(
            report.events.len() + report.problems.len() + report.skipped_lines,
            non_blank
        );
        for e in &report.events {
            prop_assert_eq!(e.validate(), Ok(()));
        }
        let lines = text.split('\n').count();
        for p in &report.problems {
            prop_assert!(p.line >= 1 && p.line <= lines);
            prop_assert!(p.text_excerpt.chars().count() <= 121);
        }
    }

    /// Whatever a field Keycloak does not define is called and holds, its
    /// value never reaches the event, and its name is listed.
    #[test]
    fn no_unknown_fields_value_reaches_the_event(
        key in prop_oneof![
            Just("password".to_owned()),
            Just("client_secret".to_owned()),
            Just("cookies".to_owned()),
            Just("realm_id".to_owned()),
            "zz[a-zA-Z0-9_.-]{0,16}",
        ],
        value in "[a-zA-Z0-9 !#$%&()*+/:;<=>?@^_{}~-]{0,20}",
        kc_type in prop_oneof![Just("LOGIN"), Just("LOGIN_ERROR"), Just("LOGOUT")],
    ) {
        let line = event_line(&format!(
            r#"type="{kc_type}", realmId="acme", clientId="ui", userId="kc-7", ipAddress="10.0.0.5", error="e", {key}="~Zq{value}Zq~", auth_method="openid-connect""#
        ));
        let event = govstream::audit::parse_keycloak_line(&line, &KeycloakOptions::new())
            .unwrap()
            .unwrap();
        let json = serde_json::to_string(&event).unwrap();
        // `~` marks the value: no key can hold one.
        prop_assert!(!json.contains("~Zq") && !json.contains("Zq~"), "{}", json);
        prop_assert_eq!(&event.event_metadata["dropped_fields"], &serde_json::json!([key]));
    }

    #[test]
    fn arbitrary_strings_never_panic(text in "\\PC{0,400}") {
        let report = parse_keycloak(&text);
        prop_assert!(report.events.len() + report.problems.len() <= text.split('\n').count());
    }
}

fn audit_doc() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/audit.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_docs_taxonomy_table_matches_the_code() {
    let doc = audit_doc();
    let section = doc
        .split("## Taxonomy")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    let rows: Vec<Vec<String>> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), ApiEventType::ALL.len());
    for (row, t) in rows.iter().zip(ApiEventType::ALL) {
        assert_eq!(row[0], format!("`{}`", t.as_str()));
        assert_eq!(row[1], t.name(), "{t}");
        let keys: Vec<String> = t
            .required_metadata()
            .iter()
            .map(|k| format!("`{k}`"))
            .collect();
        let expected = if keys.is_empty() {
            "none".to_owned()
        } else {
            keys.join(", ")
        };
        assert_eq!(row[2], expected, "{t}");
    }
}

#[test]
fn the_docs_keycloak_example_is_what_the_parser_returns() {
    let doc = audit_doc();
    let example = doc.split("### Example").nth(1).unwrap();
    let block = |fence: &str| {
        example
            .split(fence)
            .nth(1)
            .and_then(|s| s.split("```").next())
            .unwrap()
            .trim()
            .to_owned()
    };
    let event = govstream::audit::parse_keycloak_line(&block("```text"), &KeycloakOptions::new())
        .unwrap()
        .unwrap();
    let documented: serde_json::Value = serde_json::from_str(&block("```json")).unwrap();
    assert_eq!(serde_json::to_value(&event).unwrap(), documented);
}

#[test]
fn the_docs_logout_failure_example_is_what_the_parser_returns() {
    let doc = audit_doc();
    let example = doc
        .split("The seed's logout-failure sample")
        .nth(1)
        .unwrap();
    let documented: serde_json::Value = serde_json::from_str(
        example
            .split("```json")
            .nth(1)
            .and_then(|s| s.split("```").next())
            .unwrap(),
    )
    .unwrap();
    // The seed's own line, as `examples/data/keycloak.log` has it.
    let seed = sample().lines().nth(1).unwrap().to_owned();
    assert!(seed.contains("type=\"LOGOUT_ERROR\""), "{seed}");
    let event = govstream::audit::parse_keycloak_line(&seed, &KeycloakOptions::new())
        .unwrap()
        .unwrap();
    let mut got = serde_json::to_value(&event).unwrap();
    for left_out in ["schema_version", "event_id", "request_id"] {
        got.as_object_mut().unwrap().remove(left_out);
    }
    assert_eq!(got, documented);
}
