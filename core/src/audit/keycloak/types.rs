//! Which Keycloak event types become which audit events.
//!
//! Keycloak pairs every event type with a failure type named after it:
//! `LOGIN` and `LOGIN_ERROR`, `LOGOUT` and `LOGOUT_ERROR`, … (its
//! `org.keycloak.events.EventType` gives each `X_ERROR` the stable index of
//! `X` plus `0x10000`). So a type is read as a base type and an outcome,
//! and the base type alone decides the audit event: a failure becomes the
//! same event as its success, marked as failed, except where the taxonomy
//! has a failure type of its own (`LOGIN_ERROR` is `Auth:LoginFailure`, as
//! the seed's "Captured-Events" table says).

use crate::audit::AuditOutcome;
use crate::schema::ApiEventType;

/// What Keycloak writes after a base type to name its failure.
const ERROR_SUFFIX: &str = "_ERROR";

/// The audit event of a base type and outcome; `None` for a base type the
/// taxonomy has no event for. `IDENTITY_PROVIDER_LOGIN` and the other
/// broker steps are not logins of their own: Keycloak logs the `LOGIN` that
/// ends the flow as well, and mapping both would count one login twice.
fn audit_type(base: &str, outcome: AuditOutcome) -> Option<ApiEventType> {
    match (base, outcome) {
        ("LOGIN", AuditOutcome::Success) => Some(ApiEventType::AuthSuccessfulLogin),
        ("LOGIN", AuditOutcome::Failure) => Some(ApiEventType::AuthLoginFailure),
        ("LOGOUT", _) => Some(ApiEventType::AuthLogout),
        _ => None,
    }
}

/// The audit event of a Keycloak `type` and whether the operation
/// succeeded; `None` for a type the taxonomy has no event for
/// (`CODE_TO_TOKEN`, `REFRESH_TOKEN_ERROR`, an extension's own type).
pub(super) fn read(kc_type: &str) -> Option<(ApiEventType, AuditOutcome)> {
    let (base, outcome) = match kc_type.strip_suffix(ERROR_SUFFIX) {
        Some(base) => (base, AuditOutcome::Failure),
        None => (kc_type, AuditOutcome::Success),
    };
    audit_type(base, outcome).map(|t| (t, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The base types of Keycloak's `org.keycloak.events.EventType`
    /// (Keycloak 26), each also logged with `_ERROR` appended: facts, to
    /// check that the `_ERROR` rule holds for every one. (Admin events have
    /// no `type`; they carry `operationType`.)
    const KEYCLOAK_TYPES: &[&str] = &[
        "LOGIN",
        "REGISTER",
        "LOGOUT",
        "CODE_TO_TOKEN",
        "CLIENT_LOGIN",
        "REFRESH_TOKEN",
        "VALIDATE_ACCESS_TOKEN",
        "INTROSPECT_TOKEN",
        "FEDERATED_IDENTITY_LINK",
        "REMOVE_FEDERATED_IDENTITY",
        "UPDATE_EMAIL",
        "UPDATE_PROFILE",
        "UPDATE_PASSWORD",
        "UPDATE_TOTP",
        "VERIFY_EMAIL",
        "VERIFY_PROFILE",
        "REMOVE_TOTP",
        "GRANT_CONSENT",
        "UPDATE_CONSENT",
        "REVOKE_GRANT",
        "SEND_VERIFY_EMAIL",
        "SEND_RESET_PASSWORD",
        "SEND_IDENTITY_PROVIDER_LINK",
        "RESET_PASSWORD",
        "RESTART_AUTHENTICATION",
        "INVALID_SIGNATURE",
        "REGISTER_NODE",
        "UNREGISTER_NODE",
        "USER_INFO_REQUEST",
        "IDENTITY_PROVIDER_LINK_ACCOUNT",
        "IDENTITY_PROVIDER_LOGIN",
        "IDENTITY_PROVIDER_FIRST_LOGIN",
        "IDENTITY_PROVIDER_POST_LOGIN",
        "IDENTITY_PROVIDER_RESPONSE",
        "IDENTITY_PROVIDER_RETRIEVE_TOKEN",
        "IMPERSONATE",
        "CUSTOM_REQUIRED_ACTION",
        "EXECUTE_ACTIONS",
        "EXECUTE_ACTION_TOKEN",
        "CLIENT_INFO",
        "CLIENT_REGISTER",
        "CLIENT_UPDATE",
        "CLIENT_DELETE",
        "CLIENT_INITIATED_ACCOUNT_LINKING",
        "TOKEN_EXCHANGE",
        "OAUTH2_DEVICE_AUTH",
        "OAUTH2_DEVICE_VERIFY_USER_CODE",
        "OAUTH2_DEVICE_CODE_TO_TOKEN",
        "AUTHREQID_TO_TOKEN",
        "PERMISSION_TOKEN",
        "DELETE_ACCOUNT",
        "PUSHED_AUTHORIZATION_REQUEST",
        "USER_DISABLED_BY_PERMANENT_LOCKOUT",
        "USER_DISABLED_BY_TEMPORARY_LOCKOUT",
        "OAUTH2_EXTENSION_GRANT",
        "JWT_BEARER",
    ];

    #[test]
    fn every_error_type_is_its_base_type_failed() {
        use AuditOutcome::{Failure, Success};
        for (kc, want) in [
            ("LOGIN", Some((ApiEventType::AuthSuccessfulLogin, Success))),
            (
                "LOGIN_ERROR",
                Some((ApiEventType::AuthLoginFailure, Failure)),
            ),
            ("LOGOUT", Some((ApiEventType::AuthLogout, Success))),
            ("LOGOUT_ERROR", Some((ApiEventType::AuthLogout, Failure))),
            ("CODE_TO_TOKEN", None),
            ("CODE_TO_TOKEN_ERROR", None),
            ("IDENTITY_PROVIDER_LOGIN_ERROR", None),
            ("login", None),
            ("LOGIN_ERROR_ERROR", None),
            ("_ERROR", None),
        ] {
            assert_eq!(read(kc), want, "{kc}");
        }
        for base in KEYCLOAK_TYPES {
            let failed = format!("{base}{ERROR_SUFFIX}");
            match (read(base), read(&failed)) {
                (Some((_, Success)), Some((_, Failure))) | (None, None) => {}
                other => panic!("{base}: {other:?}"),
            }
        }
    }
}
