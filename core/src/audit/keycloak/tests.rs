use super::*;
use crate::schema::ApiEventType;
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

/// The fields Keycloak writes on every event after `type`.
const ALWAYS: &str = r#"realmId="acme", clientId="ui", userId="kc-7", ipAddress="10.0.0.5""#;

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
            "outcome": "failure",
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
fn the_seeds_logout_error_is_a_failed_logout() {
    let log = format!("{SEED_LOGIN_ERROR}\n{SEED_LOGOUT_ERROR}\n");
    let report = parse_keycloak(&log);
    assert_eq!(report.problems, []);
    assert_eq!(report.skipped_lines, 0);
    let [login, logout] = report.events.as_slice() else {
        panic!("{report:?}");
    };
    assert_eq!(login.event_type, ApiEventType::AuthLoginFailure);
    assert_eq!(login.event_metadata["outcome"], "failure");
    assert_eq!(logout.event_type, ApiEventType::AuthLogout);
    assert_eq!(logout.outcome(), crate::audit::AuditOutcome::Failure);
    assert_eq!(logout.date_time, "2025-02-03T11:20:46.919Z");
    // `userId="null"`: Keycloak could not name the user.
    assert_eq!(logout.keycloak_user_id, None);
    assert_eq!(logout.user_email, None);
    assert_eq!(
        serde_json::Value::Object(logout.event_metadata.clone()),
        json!({
            "realm_id": "2c7e00b2-907d-46f5-9f5e-9cd3a8747228",
            "client_id": "ui",
            "ip_address": "192.168.65.1",
            "error": "invalid_redirect_uri",
            "redirect_uri": "http://localhost:3001",
            "outcome": "failure"
        })
    );
    assert_eq!(logout.validate(), Ok(()));
}

#[test]
fn a_successful_logout_carries_no_outcome_and_a_failed_one_needs_its_error() {
    let ok = one(&event_line(
        r#"type="LOGOUT", realmId="acme", clientId="ui", userId="kc-7", ipAddress="10.0.0.5""#,
    ));
    assert_eq!(ok.event_type, ApiEventType::AuthLogout);
    assert!(!ok.event_metadata.contains_key("outcome"));
    assert_eq!(ok.outcome(), crate::audit::AuditOutcome::Success);
    let cut = event_line(
        r#"type="LOGOUT_ERROR", realmId="acme", clientId="ui", userId="kc-7", ipAddress="10.0.0.5""#,
    );
    assert_eq!(
        parse_keycloak_line(&cut, &KeycloakOptions::new()),
        Err(LineProblemKind::Malformed(
            "no `error` field, which Keycloak writes on every LOGOUT_ERROR event: the line is incomplete"
                .to_owned()
        ))
    );
    // Other failures of types the taxonomy has no event for stay problems.
    let refresh = event_line(
        r#"type="REFRESH_TOKEN_ERROR", realmId="acme", clientId="ui", userId="kc-7", ipAddress="10.0.0.5", error="invalid_token""#,
    );
    assert_eq!(
        parse_keycloak_line(&refresh, &KeycloakOptions::new()),
        Err(LineProblemKind::UnknownType(
            "REFRESH_TOKEN_ERROR".to_owned()
        ))
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
        r#"type="LOGOUT", realmId="acme", clientId="null", userId="kc-7", ipAddress="10.0.0.5", email="lee@acme.example", username="lee""#,
    ));
    assert_eq!(logout.event_type, ApiEventType::AuthLogout);
    assert_eq!(logout.user_email.as_deref(), Some("lee@acme.example"));
    assert_eq!(logout.event_metadata["username"], "lee");
    assert!(!logout.event_metadata.contains_key("client_id"));
    assert_eq!(logout.date_time, "2025-02-03T11:30:00.250Z");
}

#[test]
fn null_and_empty_user_ids_are_absent() {
    for message in [
        r#"type="LOGIN", realmId="acme", clientId="ui", userId="null", ipAddress="10.0.0.5""#,
        r#"type="LOGIN", realmId="acme", clientId="ui", userId="", ipAddress="10.0.0.5""#,
        "type=LOGIN, realmId=acme, clientId=ui, userId=null, ipAddress=10.0.0.5",
    ] {
        let user = message;
        let e = one(&event_line(message));
        assert_eq!(e.keycloak_user_id, None, "{user}");
        assert!(!e.event_metadata.contains_key("user_id"), "{user}");
    }
}

#[test]
fn escaped_quotes_and_old_unquoted_lines_are_read() {
    let e = one(&event_line(&format!(
        r#"type="LOGIN_ERROR", {ALWAYS}, error="user \"x\" not found", reason="x=1, y=2""#
    )));
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
        r#"type="LOGIN", error="a", type="LOGOUT", error="b", realmId="acme", clientId="ui", userId="kc-7", ipAddress="10.0.0.5""#,
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
        &format!("2025-02-03 11:22:53 WARN [org.keycloak.events] type=\"LOGIN\", {ALWAYS}"),
        "2025-02-03 11:22:54,000 WARN [org.keycloak.events]",
        "not a log line at all\r",
        &format!(
            "2025-02-03 11:22:55,000 INFO [org.keycloak.events] (t) type=\"LOGOUT\", {ALWAYS}\r"
        ),
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
fn a_problem_serializes_flat_with_its_message() {
    let line = SEED_LOGOUT_ERROR.replace("LOGOUT_ERROR", "CODE_TO_TOKEN_ERROR");
    let report = parse_keycloak(&line);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["problems"][0],
        json!({
            "line": 1,
            "kind": "unknown_type",
            "detail": "CODE_TO_TOKEN_ERROR",
            "error": "Keycloak event type `CODE_TO_TOKEN_ERROR` has no audit event type",
            "text_excerpt": format!("{}…", line.get(..120).unwrap()),
        })
    );
    let back: KeycloakReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
    let malformed = LineProblem {
        line: 3,
        kind: LineProblemKind::Malformed("no `type` field".to_owned()),
        text_excerpt: "x".to_owned(),
    };
    let json = serde_json::to_value(&malformed).unwrap();
    assert_eq!(json["kind"], "malformed");
    assert_eq!(json["error"], "malformed Keycloak event: no `type` field");
    assert_eq!(
        serde_json::from_value::<LineProblem>(json).unwrap(),
        malformed
    );
}

#[test]
fn a_line_without_the_fields_keycloak_always_writes_is_incomplete() {
    let full = format!(
        r#"type="LOGIN_ERROR", {ALWAYS}, error="invalid_user_credentials", username="lee@acme.example""#
    );
    assert_eq!(
        one(&event_line(&full)).event_type,
        ApiEventType::AuthLoginFailure
    );
    for missing in ["realmId", "clientId", "userId", "ipAddress", "error"] {
        let fields: Vec<&str> = full
            .split(", ")
            .filter(|f| !f.starts_with(&format!("{missing}=")))
            .collect();
        let line = event_line(&fields.join(", "));
        let err = parse_keycloak_line(&line, &KeycloakOptions::new()).unwrap_err();
        assert_eq!(
            err,
            LineProblemKind::Malformed(format!(
                "no `{missing}` field, which Keycloak writes on every LOGIN_ERROR event: the line is incomplete"
            )),
            "{line}"
        );
    }
    // `error` is only written on failures.
    let login = one(&event_line(&format!(r#"type="LOGIN", {ALWAYS}"#)));
    assert_eq!(login.event_type, ApiEventType::AuthSuccessfulLogin);
}

#[test]
fn bytes_that_are_not_utf8_are_a_problem_with_their_position() {
    let opts = KeycloakOptions::new();
    let mut bytes = SEED_LOGIN_ERROR.as_bytes().to_vec();
    bytes.truncate(60);
    bytes.extend_from_slice(b"\xc3 AKIAIOSFODNN7EXAMPLE\r");
    let KeycloakLine::Problem(p) = read_keycloak_line(7, &bytes, &opts) else {
        panic!("not a problem");
    };
    assert_eq!(p.line, 7);
    assert_eq!(
        p.kind,
        LineProblemKind::Malformed("the line is not valid UTF-8 at byte 60".to_owned())
    );
    assert!(p.text_excerpt.contains('\u{fffd}'), "{}", p.text_excerpt);
    assert!(!p.text_excerpt.contains("AKIA"), "{}", p.text_excerpt);
    assert_eq!(read_keycloak_line(1, b" \r", &opts), KeycloakLine::Blank);
    assert_eq!(
        read_keycloak_line(1, b"2025-02-03 11:20:01,001 INFO [io.quarkus] up", &opts),
        KeycloakLine::Skipped
    );
    assert_eq!(
        read_keycloak_line(1, SEED_LOGIN_ERROR.as_bytes(), &opts),
        KeycloakLine::Event(Box::new(one(SEED_LOGIN_ERROR)))
    );
}

/// Real lines in Keycloak 23+'s quoted format: the seed's, a login with
/// session and non-ASCII values, a logout, a failure with an escaped quote
/// and a prefix from `docker compose`.
fn quoted_samples() -> Vec<String> {
    vec![
        SEED_LOGIN_ERROR.to_owned(),
        r#"2025-02-03 16:51:30 2025-02-03 11:21:30,207 DEBUG [org.keycloak.events] (executor-thread-5) type="LOGIN", realmId="2c7e00b2-907d-46f5-9f5e-9cd3a8747228", realmName="zürich", clientId="ui", userId="06ad90a8-a8f7-4776-aca3-05dbd38ae9ba", sessionId="5b0e7f0c-3a54-4f7e-9d43-0f2f9b8c1a77", ipAddress="192.168.65.1", auth_method="openid-connect", auth_type="code", response_type="code", redirect_uri="http://localhost:3001/?code=x", consent="no_consent_required", code_id="5b0e7f0c", username="jürgen@acme.example", password="hunter2", authSessionTabId="q1DdJ2v3m8E""#.to_owned(),
        r#"2025-02-03 11:25:12,004 DEBUG [org.keycloak.events] (executor-thread-7) type="LOGOUT", realmId="acme", clientId="ui", userId="06ad90a8", sessionId="5b0e7f0c", ipAddress="::1", redirect_uri="http://localhost:3001/""#.to_owned(),
        r#"keycloak-1  | 2025-02-03 11:23:05,733 WARN  [org.keycloak.events] (executor-thread-1) type="LOGIN_ERROR", realmId="acme", clientId="ui", userId="null", ipAddress="10.20.0.14", error="user_not_found", reason="user \"priya\" not found, retry", username="priya@acme.example""#.to_owned(),
    ]
}

/// What a cut line read as an event may hold: the full line's type, time
/// and user, and only fields the full line has, with the full line's values.
fn assert_part_of(cut: &AuditEvent, full: &AuditEvent, what: &str) {
    assert_eq!(cut.event_type, full.event_type, "{what}");
    assert_eq!(cut.date_time, full.date_time, "{what}");
    assert_eq!(cut.keycloak_user_id, full.keycloak_user_id, "{what}");
    assert!(
        cut.user_email.is_none() || cut.user_email == full.user_email,
        "{what}"
    );
    for (key, value) in &cut.event_metadata {
        if key == DROPPED_FIELDS {
            let (cut, full) = (
                value.as_array().unwrap(),
                full.event_metadata[key].as_array().unwrap(),
            );
            assert!(full.starts_with(cut), "{what}");
        } else {
            assert_eq!(Some(value), full.event_metadata.get(key), "{what}: {key}");
        }
    }
}

#[test]
fn a_line_cut_at_any_byte_is_a_problem_or_part_of_the_same_event() {
    let opts = KeycloakOptions::new();
    for line in quoted_samples() {
        let full = one(&line);
        let logger_end = line.find("[org.keycloak.events]").unwrap() + 21;
        let mut events = 0;
        for at in 0..=line.len() {
            let cut = line.as_bytes().get(..at).unwrap();
            let what = format!("cut at {at}: {}", String::from_utf8_lossy(cut));
            match read_keycloak_line(1, cut, &opts) {
                KeycloakLine::Event(e) => {
                    assert!(at >= logger_end, "{what}");
                    assert_part_of(&e, &full, &what);
                    events += 1;
                }
                KeycloakLine::Problem(p) => assert_eq!(p.line, 1),
                // Before the logger's name, a cut line is not known to be
                // an event line at all.
                KeycloakLine::Skipped => assert!(at < logger_end, "{what}"),
                KeycloakLine::Blank => assert!(cut.trim_ascii().is_empty(), "{what}"),
            }
        }
        // Only at the ends of values after the always-written fields (and
        // trailing spaces there) does a cut read as an event.
        assert!(events >= 1, "{line}");
        assert!(events < 40, "{events} events from cuts of {line}");
    }
}

#[test]
fn an_old_unquoted_line_cut_anywhere_never_changes_its_type() {
    // Before Keycloak 23: a cut inside the last value cannot be seen, but a
    // cut inside `type` (`LOGIN_ERROR` → `LOGIN`) lacks the fields after it.
    let opts = KeycloakOptions::new();
    let line = event_line(
        "type=LOGIN_ERROR, realmId=acme, clientId=ui, userId=kc-1, ipAddress=10.0.0.1, error=invalid_user_credentials, consent='no consent required', username=lee@acme.example",
    );
    let full = one(&line);
    let logout = event_line(
        "type=LOGOUT_ERROR, realmId=acme, clientId=ui, userId=kc-1, ipAddress=10.0.0.1, error=x",
    );
    let failed = one(&logout);
    assert_eq!(failed.event_type, ApiEventType::AuthLogout);
    for (line, want) in [(&line, &full), (&logout, &failed)] {
        for at in 0..=line.len() {
            let cut = line.get(..at).unwrap();
            if let Ok(Some(e)) = parse_keycloak_line(cut, &opts) {
                assert_eq!(e.event_type, want.event_type, "{cut}");
                assert_eq!(e.outcome(), want.outcome(), "{cut}");
            }
        }
    }
}
