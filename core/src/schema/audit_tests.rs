//! Unit tests of audit events: wire names, validation, versions.
use super::*;
use serde_json::json;

fn event(event_type: ApiEventType, metadata: Value) -> AuditEvent {
    AuditEvent {
        schema_version: SCHEMA_VERSION,
        event_id: "0194d3a0-0000-7000-8000-000000000001".into(),
        request_id: "req-1".into(),
        date_time: "2025-02-03T11:22:53.492Z".into(),
        user_id: Some("u-1".into()),
        keycloak_user_id: None,
        user_email: Some("admin@example.com".into()),
        org_id: None,
        event_type,
        event_metadata: metadata.as_object().cloned().unwrap_or_default(),
    }
}

fn paths(e: &AuditEvent) -> Vec<String> {
    match e.validate() {
        Ok(()) => Vec::new(),
        Err(err) => err.problems().iter().map(|p| p.path.clone()).collect(),
    }
}

#[test]
fn the_taxonomy_has_the_seeds_counts_per_category() {
    let count = |c| {
        ApiEventType::ALL
            .iter()
            .filter(|t| t.category() == c)
            .count()
    };
    assert_eq!(count(ApiEventCategory::Auth), 3);
    assert_eq!(count(ApiEventCategory::Admin), 2);
    assert_eq!(count(ApiEventCategory::AiSystem), 2);
    assert_eq!(count(ApiEventCategory::Eval), 3);
    assert_eq!(count(ApiEventCategory::Guard), 12);
}

#[test]
fn serde_names_are_the_wire_names_and_prefix_the_category() {
    for t in ApiEventType::ALL {
        assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
        let prefix = t.as_str().split(':').next().unwrap();
        let expected = match t.category() {
            ApiEventCategory::Auth => "Auth",
            ApiEventCategory::Admin => "Admin",
            ApiEventCategory::AiSystem => "AISystem",
            ApiEventCategory::Eval => "Eval",
            ApiEventCategory::Guard => "Guard",
        };
        assert_eq!(prefix, expected, "{t}");
    }
    assert_eq!(ApiEventType::parse("guard:analyze"), None);
}

#[test]
fn auth_events_need_no_metadata() {
    let e = event(ApiEventType::AuthLoginFailure, json!({}));
    assert_eq!(e.validate(), Ok(()));
}

#[test]
fn every_missing_key_is_reported_with_its_path() {
    let e = event(
        ApiEventType::GuardApplyPolicy,
        json!({"policy_id": "p-1", "policy_method": "  "}),
    );
    assert_eq!(
        paths(&e),
        [
            "$.event_metadata.policy_title",
            "$.event_metadata.ai_system_id",
            "$.event_metadata.ai_system_name",
            "$.event_metadata.policy_method",
        ]
    );
}

#[test]
fn a_pascal_case_key_is_pointed_out() {
    let e = event(ApiEventType::GuardAnalyze, json!({"PolicyMethod": "x"}));
    let err = e.validate().unwrap_err();
    assert!(err.to_string().contains("found `PolicyMethod`"), "{err}");
}

#[test]
fn roles_may_be_a_list_of_strings_and_nothing_else() {
    let ok = event(
        ApiEventType::AdminRoleAssignment,
        json!({"user_id": "u-2", "user_email": "b@example.com", "roles_assigned": ["admin", "viewer"]}),
    );
    assert_eq!(ok.validate(), Ok(()));
    let bad = event(
        ApiEventType::AdminRoleRemoval,
        json!({"user_id": 7, "user_email": "b@example.com", "roles_assigned": ["admin", 3, ""]}),
    );
    assert_eq!(
        paths(&bad),
        [
            "$.event_metadata.user_id",
            "$.event_metadata.roles_assigned[1]",
            "$.event_metadata.roles_assigned[2]",
        ]
    );
    let empty = event(
        ApiEventType::AdminRoleRemoval,
        json!({"user_id": "u", "user_email": "e", "roles_assigned": []}),
    );
    assert_eq!(paths(&empty), ["$.event_metadata.roles_assigned"]);
}

#[test]
fn common_fields_are_checked_too() {
    let mut e = event(ApiEventType::AuthLogout, json!({}));
    e.request_id = String::new();
    e.date_time = "2025-02-03 11:22:53".into();
    e.user_email = Some(String::new());
    e.schema_version = SCHEMA_VERSION + 1;
    assert_eq!(
        paths(&e),
        [
            "$.schema_version",
            "$.request_id",
            "$.date_time",
            "$.user_email"
        ]
    );
}

#[test]
fn every_schema_version_since_the_first_is_read() {
    let mut e = event(ApiEventType::AuthLogout, json!({}));
    for v in MIN_SCHEMA_VERSION..=SCHEMA_VERSION {
        e.schema_version = v;
        assert_eq!(e.validate(), Ok(()), "version {v}");
    }
    e.schema_version = 0;
    assert_eq!(paths(&e), ["$.schema_version"]);
}
