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
