//! What of a Keycloak event line an [`AuditEvent`](crate::schema::AuditEvent)
//! may carry. Keycloak's own fields and event details are kept; any other
//! field is dropped and only its name is kept: extensions, custom
//! authenticators and debugging code add details of their own
//! (`password="…"`, a one-time code, a cookie), and no rule on names or
//! values can tell them all from harmless ones. What is kept is cleaned: URL
//! values lose their query, fragment, path parameters and userinfo (a
//! redirect URI can carry `code=`, `token=` or `user:password@`), and
//! anything the built-in `secrets` rules find is replaced by
//! `[REDACTED:<rule id>]`.

use crate::dlp::{Dialect, Scanner, ScannerRule, packs};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The fields Keycloak's `jboss-logging` listener writes around an event's
/// details (its `JBossLoggingEventListenerProvider`: `type`, `realmId`,
/// `realmName`, `clientId`, `userId`, `sessionId`, `ipAddress`, `error`, and
/// for an authentication session `authSessionParentId` and
/// `authSessionTabId`; at TRACE level `requestUri`). Its TRACE-level
/// `cookies` are session credentials and are not kept.
const EVENT_FIELDS: &[&str] = &[
    "type",
    "realmId",
    "realmName",
    "clientId",
    "userId",
    "sessionId",
    "ipAddress",
    "error",
    "authSessionParentId",
    "authSessionTabId",
    "requestUri",
];

/// The detail keys Keycloak itself sets: the constants of
/// `org.keycloak.events.Details` (Keycloak 26, `server-spi-private`), as
/// facts. `token_id` and the other `*_id` keys are identifiers (a token's
/// `jti`, a credential's id), not the secrets they name.
const DETAILS: &[&str] = &[
    "fields_to_update",
    "custom_required_action",
    "context",
    "email",
    "previous_email",
    "updated_email",
    "action",
    "code_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "grant_type",
    "auth_type",
    "auth_method",
    "identity_provider",
    "identity_provider_identity",
    "identity_provider_broker_session_id",
    "register_method",
    "username",
    "first_name",
    "last_name",
    "previous_first_name",
    "updated_first_name",
    "previous_last_name",
    "updated_last_name",
    "remember_me",
    "token_id",
    "token_type",
    "token_issued_for",
    "org_id",
    "refresh_token_id",
    "refresh_token_type",
    "refresh_token_sub",
    "client_assertion_id",
    "client_assertion_sub",
    "client_assertion_issuer",
    "validate_access_token",
    "updated_refresh_token_id",
    "node_host",
    "reason",
    "granted_client",
    "revoked_client",
    "token_exchange_revoked_clients",
    "audience",
    "permission",
    "scope",
    "requested_issuer",
    "requested_subject",
    "requested_token_type",
    "subject_token_client_id",
    "restart_after_timeout",
    "redirected_to_client",
    "login_retry",
    "consent",
    "impersonator_realm",
    "impersonator",
    "client_auth_method",
    "signature_required",
    "signature_algorithm",
    "client_registration_policy",
    "previous_user",
    "x509_cert_serial_number",
    "x509_cert_subject_distinguished_name",
    "x509_cert_issuer_distinguished_name",
    "credential_type",
    "selected_credential_id",
    "credential_id",
    "authentication_error_detail",
    "credential_user_label",
    "not_before",
    "num_failures",
    "logout_triggered_by_action_token",
    "logout_triggered_by_required_action",
    "access_token_expiration_time",
    "age_of_refresh_token",
    "client_policy_error",
    "client_policy_error_detail",
    "expired",
];

/// Fields whose value is a URL even when it is relative (`/cb?code=…`).
const URL_FIELDS: &[&str] = &["redirect_uri", "requestUri"];

/// Longest value the secrets rules scan; a longer one (no Keycloak field is
/// near this) is replaced whole rather than passed on half-checked.
const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Whether a field, by its name as Keycloak logs it, is Keycloak's own.
pub(super) fn is_known(key: &str) -> bool {
    EVENT_FIELDS.contains(&key) || DETAILS.contains(&key)
}

/// The value of a kept field, cleaned: URL parts that carry credentials
/// removed, secrets replaced by `[REDACTED:<rule id>]`.
pub(super) fn clean(key: &str, value: &str) -> String {
    let value = if URL_FIELDS.contains(&key) || has_scheme(value) {
        strip_url(value)
    } else {
        Cow::Borrowed(value)
    };
    redact_secrets(&value)
}

/// `scheme:` followed by a slash (RFC 3986's scheme syntax), as in
/// `https://…` and an app's `com.example.app:/callback`.
fn has_scheme(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    scheme
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && rest.starts_with('/')
}

/// Cuts the value at the first `?`, `#` or `;` (query, fragment, path
/// parameters such as `;jsessionid=`) and drops userinfo (`user:pw@`) from
/// the authority.
fn strip_url(value: &str) -> Cow<'_, str> {
    let end = value.find(['?', '#', ';']).unwrap_or(value.len());
    let kept = value.get(..end).unwrap_or_default();
    let Some(at) = kept.find("://") else {
        return if end == value.len() {
            Cow::Borrowed(value)
        } else {
            Cow::Owned(kept.to_owned())
        };
    };
    let (scheme, after) = (
        kept.get(..at).unwrap_or_default(),
        kept.get(at + 3..).unwrap_or_default(),
    );
    let authority_end = after.find(['/', '\\']).unwrap_or(after.len());
    let authority = after.get(..authority_end).unwrap_or_default();
    match authority.rfind('@') {
        Some(userinfo_end) => Cow::Owned(format!(
            "{scheme}://{}",
            after.get(userinfo_end + 1..).unwrap_or_default()
        )),
        None if end == value.len() => Cow::Borrowed(value),
        None => Cow::Owned(kept.to_owned()),
    }
}

/// The built-in `secrets` pack, compiled once per process.
fn secrets_scanner() -> Option<&'static Scanner> {
    static SCANNER: OnceLock<Option<Scanner>> = OnceLock::new();
    SCANNER
        .get_or_init(|| {
            let rules = packs::builtin_rules()
                .into_iter()
                .filter(|r| r.pack == "secrets")
                .map(|spec| ScannerRule {
                    spec,
                    dialect: Dialect::Ascii,
                })
                .collect();
            Scanner::new(rules, MAX_VALUE_BYTES).ok()
        })
        .as_ref()
}

/// Replaces what the `secrets` rules find by `[REDACTED:<rule id>]`. A value
/// that cannot be scanned whole (too long, or no scanner) is replaced whole:
/// it fails closed.
pub(super) fn redact_secrets(value: &str) -> String {
    let Some(scanner) = secrets_scanner() else {
        return "[REDACTED:unscanned]".to_owned();
    };
    let result = scanner.scan(value);
    if result.truncated {
        return "[REDACTED:unscanned]".to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut from = 0;
    for f in &result.findings {
        let id = scanner.rule(f.rule).map_or("secret", |r| r.id.as_str());
        out.push_str(value.get(from..f.byte_start).unwrap_or_default());
        out.push_str(&crate::text::label_replacement(id));
        from = f.byte_end;
    }
    out.push_str(value.get(from..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keycloak_fields_and_details_are_known_others_are_not() {
        for key in [
            "realmId",
            "ipAddress",
            "auth_method",
            "token_id",
            "redirect_uri",
        ] {
            assert!(is_known(key), "{key}");
        }
        for key in [
            "password",
            "cookies",
            "otp",
            "client_secret",
            "realm_id",
            "",
        ] {
            assert!(!is_known(key), "{key}");
        }
    }

    #[test]
    fn urls_lose_query_fragment_parameters_and_userinfo() {
        for (value, want) in [
            ("http://localhost:3001/", "http://localhost:3001/"),
            (
                "https://app.example/cb?code=abc&state=x",
                "https://app.example/cb",
            ),
            (
                "https://app.example/cb#access_token=abc",
                "https://app.example/cb",
            ),
            (
                "https://app.example/cb;jsessionid=ABC",
                "https://app.example/cb",
            ),
            (
                "https://lee:hunter2@app.example/cb",
                "https://app.example/cb",
            ),
            ("https://a@b:pw@app.example", "https://app.example"),
            ("https://app.example/a@b/c", "https://app.example/a@b/c"),
            ("com.example.app:/oauth?code=1", "com.example.app:/oauth"),
            ("/relative/cb?token=abc", "/relative/cb"),
        ] {
            assert_eq!(strip_url(value), want, "{value}");
        }
        assert_eq!(clean("redirect_uri", "/cb?code=1"), "/cb");
        assert_eq!(
            clean("reason", "see https://x.example/?t=1"),
            "see https://x.example/?t=1"
        );
        assert_eq!(
            clean("reason", "https://x.example/?t=1"),
            "https://x.example/"
        );
        assert_eq!(clean("ipAddress", "::1"), "::1");
    }

    #[test]
    fn secrets_in_kept_values_are_replaced_by_their_rule_id() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(
            clean("reason", &format!("bad token {jwt} seen")),
            "bad token [REDACTED:secrets.jwt] seen"
        );
        assert_eq!(
            clean("username", "AKIAIOSFODNN7EXAMPLE"),
            "[REDACTED:secrets.aws_access_key_id]"
        );
        assert_eq!(clean("username", "lee@acme.example"), "lee@acme.example");
        let long = "a".repeat(MAX_VALUE_BYTES + 1);
        assert_eq!(clean("reason", &long), "[REDACTED:unscanned]");
    }
}
