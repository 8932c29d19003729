use super::*;
use serde_json::json;

/// The two sample lines of seed `002_e67e5d598384e22d`, byte for byte (the
/// seed's address was replaced by `[email protected]` when the document was
/// captured; it is kept as the seed has it).
const SEED_LOGIN_ERROR: &str = r#"2025-02-03 16:52:53 2025-02-03 11:22:53,492 WARN  [org.keycloak.events] (executor-thread-3) type="LOGIN_ERROR", realmId="2c7e00b2-907d-46f5-9f5e-9cd3a8747228", clientId="ui", userId="06ad90a8-a8f7-4776-aca3-05dbd38ae9ba", ipAddress="192.168.65.1", error="invalid_user_credentials", auth_method="openid-connect", auth_type="code", redirect_uri="http://localhost:3001/", code_id="6a1a9439-ef1f-4c8b-87b2-371ad699698f", username="[email protected]""#;
const SEED_LOGOUT_ERROR: &str = r#"2025-02-03 16:50:46 2025-02-03 11:20:46,919 WARN  [org.keycloak.events] (executor-thread-4) type="LOGOUT_ERROR", realmId="2c7e00b2-907d-46f5-9f5e-9cd3a8747228", clientId="ui", userId="null", ipAddress="192.168.65.1", error="invalid_redirect_uri", redirect_uri="http://localhost:3001""#;

fn one(line: &str) -> AuditEvent {
    parse_keycloak_line(line, &KeycloakOptions::new())
        .unwrap()
        .unwrap()
}

fn event_line(message: &str) -> String {
    format!("2025-02-03 11:30:00,250 INFO  [org.keycloak.events] (executor-thread-1) {message}")
}

#[test]
fn the_seeds_login_error_maps_to_a_login_failure() {
    let e = one(SEED_LOGIN_ERROR);
    assert_eq!(e.event_type, ApiEventType::AuthLoginFailure);
    assert_eq!(e.date_time, "2025-02-03T11:22:53.492Z");
    assert_eq!(
        e.keycloak_user_id.as_deref(),
        Some("06ad90a8-a8f7-4776-aca3-05dbd38ae9ba")
    );
    assert_eq!(e.user_id, None);
    // The seed's username is not an address, so it stays in the metadata.
    assert_eq!(e.user_email, None);
    assert_eq!(
        serde_json::Value::Object(e.event_metadata.clone()),
        json!({
            "realm_id": "2c7e00b2-907d-46f5-9f5e-9cd3a8747228",
            "client_id": "ui",
            "ip_address": "192.168.65.1",
            "error": "invalid_user_credentials",
            "auth_method": "openid-connect",
            "auth_type": "code",
            "redirect_uri": "http://localhost:3001/",
            "code_id": "6a1a9439-ef1f-4c8b-87b2-371ad699698f",
            "username": "[email protected]",
        })
    );
    assert!(e.request_id.starts_with("kc-") && e.request_id.len() == 19);
    let id = uuid::Uuid::parse_str(&e.event_id).unwrap();
    assert_eq!(id.get_version_num(), 7);
    assert_eq!(
        id.get_timestamp().unwrap().to_unix(),
        (1_738_581_773, 492_000_000)
    );
    assert_eq!(e.validate(), Ok(()));
}

#[test]
fn the_seeds_logout_error_is_reported_not_mapped() {
    let log = format!("{SEED_LOGIN_ERROR}\n{SEED_LOGOUT_ERROR}\n");
    let report = parse_keycloak(&log);
    assert_eq!(report.events.len(), 1);
    assert_eq!(report.skipped_lines, 0);
    assert_eq!(
        report.problems,
        [LineProblem {
            line: 2,
            kind: LineProblemKind::UnknownType("LOGOUT_ERROR".to_owned()),
            text_excerpt: format!("{}…", SEED_LOGOUT_ERROR.get(..120).unwrap()),
        }]
    );
    assert_eq!(
        report.problems[0].to_string(),
        "line 2: Keycloak event type `LOGOUT_ERROR` has no audit event type"
    );
}

#[test]
fn ids_are_deterministic_and_ignore_the_prefix() {
    let bare = SEED_LOGIN_ERROR.get(20..).unwrap();
    let compose = format!("keycloak-1  | {bare}");
    let (a, b, c) = (one(SEED_LOGIN_ERROR), one(bare), one(&compose));
    assert_eq!(a, b);
    assert_eq!(a, c);
    let other = one(&SEED_LOGIN_ERROR.replace("192.168.65.1", "192.168.65.2"));
    assert_ne!(a.event_id, other.event_id);
    assert_ne!(a.request_id, other.request_id);
}

#[test]
fn login_and_logout_map_with_the_email_from_username_or_email() {
    let login = one(&event_line(
        r#"type="LOGIN", realmId="acme", clientId="ui", userId="kc-7", ipAddress="10.0.0.5", auth_method="openid-connect", username="Lee@Acme.example""#,
    ));
    assert_eq!(login.event_type, ApiEventType::AuthSuccessfulLogin);
    assert_eq!(login.user_email.as_deref(), Some("Lee@Acme.example"));
    assert!(!login.event_metadata.contains_key("username"));
    let logout = one(&event_line(
        r#"type="LOGOUT", realmId="acme", clientId="null", userId="kc-7", email="lee@acme.example", username="lee""#,
    ));
    assert_eq!(logout.event_type, ApiEventType::AuthLogout);
    assert_eq!(logout.user_email.as_deref(), Some("lee@acme.example"));
    assert_eq!(logout.event_metadata["username"], "lee");
    assert!(!logout.event_metadata.contains_key("client_id"));
    assert_eq!(logout.date_time, "2025-02-03T11:30:00.250Z");
}

#[test]
fn null_and_empty_user_ids_are_absent() {
    for user in [r#"userId="null""#, r#"userId="""#, "userId=null"] {
        let e = one(&event_line(&format!(r#"type="LOGIN", {user}"#)));
        assert_eq!(e.keycloak_user_id, None, "{user}");
        assert!(!e.event_metadata.contains_key("user_id"), "{user}");
    }
}

#[test]
fn escaped_quotes_and_old_unquoted_lines_are_read() {
    let e = one(&event_line(
        r#"type="LOGIN_ERROR", error="user \"x\" not found", reason="x=1, y=2""#,
    ));
    assert_eq!(e.event_metadata["error"], r#"user "x" not found"#);
    assert_eq!(e.event_metadata["reason"], "x=1, y=2");
    let old = one(&event_line(
        "type=LOGIN, realmId=acme, clientId=ui, userId=kc-1, ipAddress=10.0.0.1, auth_method=openid-connect, consent='no consent required', username=lee@acme.example",
    ));
    assert_eq!(old.event_metadata["consent"], "no consent required");
    assert_eq!(old.user_email.as_deref(), Some("lee@acme.example"));
}

#[test]
fn a_repeated_field_keeps_its_first_value() {
    let e = one(&event_line(
        r#"type="LOGIN", error="a", type="LOGOUT", error="b""#,
    ));
    assert_eq!(e.event_type, ApiEventType::AuthSuccessfulLogin);
    assert_eq!(e.event_metadata["error"], "a");
}

#[test]
fn unknown_types_admin_events_and_malformed_lines_are_problems() {
    let opts = KeycloakOptions::new();
    let cases = [
        (
            event_line(r#"type="CODE_TO_TOKEN", clientId="ui""#),
            LineProblemKind::UnknownType("CODE_TO_TOKEN".to_owned()),
        ),
        (
            event_line(r#"operationType="CREATE", realmId="acme", resourceType="USER""#),
            LineProblemKind::UnknownType("operationType=CREATE".to_owned()),
        ),
        (
            event_line(r#"realmId="acme""#),
            LineProblemKind::Malformed("no `type` field".to_owned()),
        ),
        (
            event_line(r#"type="""#),
            LineProblemKind::Malformed("`type` is empty".to_owned()),
        ),
        (
            event_line(r#"type="LOGIN", username="lee"#),
            LineProblemKind::Malformed("the value of `username` has no closing \"".to_owned()),
        ),
    ];
    for (line, expected) in cases {
        assert_eq!(parse_keycloak_line(&line, &opts), Err(expected), "{line}");
    }
}

#[test]
fn every_line_is_an_event_a_problem_or_skipped_with_its_number() {
    let log = [
        "2025-02-03 11:20:01,001 INFO  [io.quarkus] (main) Keycloak started",
        "",
        "   ",
        "2025-02-03 11:22:53 WARN [org.keycloak.events] type=\"LOGIN\"",
        "2025-02-03 11:22:54,000 WARN [org.keycloak.events]",
        "not a log line at all\r",
        "2025-02-03 11:22:55,000 INFO [org.keycloak.events] (t) type=\"LOGOUT\"\r",
    ]
    .join("\n");
    let report = parse_keycloak(&log);
    assert_eq!(report.events.len(), 2);
    assert_eq!(report.events[0].date_time, "2025-02-03T11:22:53.000Z");
    assert_eq!(report.skipped_lines, 2);
    let lines: Vec<usize> = report.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [5]);
    assert_eq!(
        report.problems[0].text_excerpt,
        "2025-02-03 11:22:54,000 WARN [org.keycloak.events]"
    );
}

#[test]
fn the_utc_offset_shifts_the_keycloak_timestamp() {
    let ist = KeycloakOptions::new().with_utc_offset("+05:30").unwrap();
    assert_eq!(ist.utc_offset_minutes(), 330);
    let e = parse_keycloak_line(SEED_LOGIN_ERROR, &ist)
        .unwrap()
        .unwrap();
    assert_eq!(e.date_time, "2025-02-03T05:52:53.492Z");
    let west = KeycloakOptions::new()
        .with_utc_offset_minutes(-300)
        .unwrap()
        .with_org_id("org-acme");
    let e = parse_keycloak_line(SEED_LOGIN_ERROR, &west)
        .unwrap()
        .unwrap();
    assert_eq!(e.date_time, "2025-02-03T16:22:53.492Z");
    assert_eq!(e.org_id.as_deref(), Some("org-acme"));
    assert_eq!(west.org_id(), Some("org-acme"));
}

#[test]
fn offsets_are_read_in_every_documented_form_and_bounded() {
    for (text, minutes) in [
        ("Z", 0),
        ("utc", 0),
        ("+05:30", 330),
        ("-0800", -480),
        ("+01", 60),
        (" -03:30 ", -210),
        ("+18:00", 1080),
    ] {
        let o = KeycloakOptions::new().with_utc_offset(text).unwrap();
        assert_eq!(o.utc_offset_minutes(), minutes, "{text}");
    }
    for text in [
        "",
        "5",
        "+5:30",
        "+05:60",
        "05:30",
        "+05:3a",
        "+18:01",
        "+१२:00",
    ] {
        let err = KeycloakOptions::new().with_utc_offset(text).unwrap_err();
        assert_eq!(err.problems()[0].path, "$.utc_offset", "{text}");
    }
    assert!(
        KeycloakOptions::new()
            .with_utc_offset_minutes(-1081)
            .is_err()
    );
}

#[test]
fn email_detection_and_key_case() {
    for yes in ["lee@acme.example", "a.b+c@x.co"] {
        assert!(looks_like_email(yes), "{yes}");
    }
    for no in [
        "[email protected]",
        "lee",
        "lee@localhost",
        "@acme.example",
        "lee@.example",
        "lee@acme.",
        "a@b@c.d",
        "lee @acme.example",
    ] {
        assert!(!looks_like_email(no), "{no}");
    }
    assert_eq!(snake_case("realmId"), "realm_id");
    assert_eq!(snake_case("authSessionParentId"), "auth_session_parent_id");
    assert_eq!(snake_case("auth_method"), "auth_method");
    assert_eq!(snake_case("userID"), "user_id");
    assert_eq!(snake_case("response-mode"), "response_mode");
}

#[test]
fn the_report_serializes_with_tagged_problem_kinds() {
    let report = parse_keycloak(SEED_LOGOUT_ERROR);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["problems"][0]["kind"],
        json!({"kind": "unknown_type", "detail": "LOGOUT_ERROR"})
    );
    let back: KeycloakReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}
