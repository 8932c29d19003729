//! `govstream audit keycloak`: offsets west of UTC, truncated lines and the
//! problem lines' shape.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{govstream, lines};

const LOGIN_ERROR: &str = "2025-02-03 11:22:53,492 WARN  [org.keycloak.events] (executor-thread-3) type=\"LOGIN_ERROR\", realmId=\"acme\", clientId=\"ui\", userId=\"kc-7\", ipAddress=\"192.168.65.1\", error=\"invalid_user_credentials\", username=\"lee@acme.example\"\n";

#[test]
fn a_negative_utc_offset_is_a_value_not_a_flag() {
    for args in [
        &["audit", "keycloak", "--utc-offset", "-05:00", "-"][..],
        &["audit", "keycloak", "--utc-offset=-05:00", "-"][..],
        &["audit", "keycloak", "-", "--utc-offset", "-0500"][..],
    ] {
        let out = govstream(args, LOGIN_ERROR);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let recs = lines(&out);
        assert_eq!(recs.len(), 1, "{args:?}");
        // 11:22:53 at UTC-5 is 16:22:53 UTC.
        assert_eq!(recs[0]["date_time"], "2025-02-03T16:22:53.492Z", "{args:?}");
    }
}

#[test]
fn a_bad_utc_offset_is_a_usage_error() {
    let out = govstream(
        &["audit", "keycloak", "--utc-offset", "-5", "-"],
        LOGIN_ERROR,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid --utc-offset"));
}

/// The shape of every problem line: the core's `LineProblem`.
fn assert_problem(value: &serde_json::Value, line: u64, kind: &str, detail: &str) {
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["detail", "error", "kind", "line", "text_excerpt"],
        "{value}"
    );
    assert_eq!(value["line"], line, "{value}");
    assert_eq!(value["kind"], kind, "{value}");
    assert_eq!(value["detail"], detail, "{value}");
    assert!(value["error"].as_str().unwrap().contains(detail), "{value}");
}

#[test]
fn a_cut_line_is_a_problem_line_not_a_shorter_event() {
    let full = LOGIN_ERROR.trim_end();
    let cut_after_comma = &full[..full.find("username=").unwrap()];
    let cut_in_value = &full[..full.len() - 5];
    let cut_before_ip = &full[..full.find(", ipAddress").unwrap()];
    let log = format!("{cut_after_comma}\n{cut_in_value}\n{cut_before_ip}\n{full}\n");
    let out = govstream(&["audit", "keycloak", "-"], &log);
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out);
    assert_eq!(recs.len(), 4);
    assert_problem(
        &recs[0],
        1,
        "malformed",
        "the line ends after `error`'s `,`",
    );
    assert_problem(
        &recs[1],
        2,
        "malformed",
        "the value of `username` has no closing \"",
    );
    assert_problem(
        &recs[2],
        3,
        "malformed",
        "no `ipAddress` field, which Keycloak writes on every LOGIN_ERROR event: the line is incomplete",
    );
    assert_eq!(recs[3]["event_type"], "Auth:LoginFailure");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 audit events, 3 problem lines, 0 other lines skipped"),
        "{stderr}"
    );
}

#[test]
fn a_line_that_is_not_utf8_is_a_problem_line_in_the_same_shape() {
    let mut log = LOGIN_ERROR.as_bytes()[..40].to_vec();
    log.extend_from_slice(b"\xe2\x82\n");
    log.extend_from_slice(LOGIN_ERROR.as_bytes());
    let out = common::govstream_bytes(&["audit", "keycloak", "-"], &log);
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out);
    assert_problem(
        &recs[0],
        1,
        "malformed",
        "the line is not valid UTF-8 at byte 40",
    );
    assert_eq!(recs[1]["event_type"], "Auth:LoginFailure");
}

/// The seed's "Logout Failure" sample (`002_e67e5d598384e22d`).
const SEED_LOGOUT_ERROR: &str = "2025-02-03 16:50:46 2025-02-03 11:20:46,919 WARN  [org.keycloak.events] (executor-thread-4) type=\"LOGOUT_ERROR\", realmId=\"2c7e00b2-907d-46f5-9f5e-9cd3a8747228\", clientId=\"ui\", userId=\"null\", ipAddress=\"192.168.65.1\", error=\"invalid_redirect_uri\", redirect_uri=\"http://localhost:3001\"\n";

#[test]
fn the_seeds_logout_failure_is_a_failed_logout_event_not_a_problem() {
    let log = format!("{SEED_LOGOUT_ERROR}{LOGIN_ERROR}");
    let out = govstream(&["audit", "keycloak", "--org-id", "org_acme", "-"], &log);
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out);
    assert_eq!(recs.len(), 2, "{recs:?}");
    let logout = &recs[0];
    assert_eq!(logout["record_type"], "audit_event");
    assert_eq!(logout["event_type"], "Auth:Logout");
    assert_eq!(logout["org_id"], "org_acme");
    assert_eq!(logout["date_time"], "2025-02-03T11:20:46.919Z");
    assert_eq!(logout["event_metadata"]["outcome"], "failure");
    assert_eq!(logout["event_metadata"]["error"], "invalid_redirect_uri");
    assert!(logout.get("keycloak_user_id").is_none(), "{logout}");
    assert_eq!(recs[1]["event_type"], "Auth:LoginFailure");
    assert_eq!(recs[1]["event_metadata"]["outcome"], "failure");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("2 audit events, 0 problem lines, 0 other lines skipped"),
        "{stderr}"
    );
}
