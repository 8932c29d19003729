//! [`AuditEventBuilder`]: the one way to make an [`AuditEvent`] that is valid
//! for its type. It fills the ids and the date, then runs
//! [`AuditEvent::validate`], so an event the builder returns never fails
//! validation downstream.

use crate::clock;
use crate::error::{Error, Problem, Result};
use crate::schema::{ApiEventType, AuditEvent, SCHEMA_VERSION};
use serde_json::{Map, Value};

/// When the event happened, as the caller gave it.
#[derive(Debug, Clone, PartialEq)]
enum When {
    Millis(i64),
    Rfc3339(String),
}

/// Builds an [`AuditEvent`] of one [`ApiEventType`], checking the common
/// fields and the type's required metadata at [`build`](Self::build).
///
/// ```
/// use govstream::audit::AuditEventBuilder;
/// use govstream::schema::ApiEventType;
///
/// let event = AuditEventBuilder::new(ApiEventType::GuardAnalyze)
///     .request_id("req-42")
///     .user_email("admin@acme.example")
///     .date_time_ms(1_738_581_773_492)
///     .metadata("policy_method", "dlp")
///     .build()
///     .unwrap();
/// assert_eq!(event.date_time, "2025-02-03T11:22:53.492Z");
///
/// let err = AuditEventBuilder::new(ApiEventType::EvalTestFailure)
///     .request_id("req-43")
///     .metadata("test_id", "t-1")
///     .build()
///     .unwrap_err();
/// let paths: Vec<_> = err.problems().iter().map(|p| p.path.as_str()).collect();
/// assert_eq!(paths, ["$.event_metadata.test_type", "$.event_metadata.test_failure_reason"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct AuditEventBuilder {
    event_type: ApiEventType,
    event_id: Option<String>,
    request_id: Option<String>,
    when: Option<When>,
    user_id: Option<String>,
    keycloak_user_id: Option<String>,
    user_email: Option<String>,
    org_id: Option<String>,
    metadata: Map<String, Value>,
}

impl AuditEventBuilder {
    /// A builder for an event of `event_type`, with nothing set yet.
    pub fn new(event_type: ApiEventType) -> Self {
        AuditEventBuilder {
            event_type,
            event_id: None,
            request_id: None,
            when: None,
            user_id: None,
            keycloak_user_id: None,
            user_email: None,
            org_id: None,
            metadata: Map::new(),
        }
    }

    /// The type being built.
    pub fn event_type(&self) -> ApiEventType {
        self.event_type
    }

    /// The request that caused the event. Required.
    pub fn request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// The acting user's id.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// The acting user's id in Keycloak.
    pub fn keycloak_user_id(mut self, keycloak_user_id: impl Into<String>) -> Self {
        self.keycloak_user_id = Some(keycloak_user_id.into());
        self
    }

    /// The acting user's email address.
    pub fn user_email(mut self, user_email: impl Into<String>) -> Self {
        self.user_email = Some(user_email.into());
        self
    }

    /// The org, when known.
    pub fn org_id(mut self, org_id: impl Into<String>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// When it happened, in milliseconds since the Unix epoch; written as
    /// RFC 3339 UTC with milliseconds. Replaces an earlier
    /// [`date_time`](Self::date_time).
    pub fn date_time_ms(mut self, ms: i64) -> Self {
        self.when = Some(When::Millis(ms));
        self
    }

    /// When it happened, as an RFC 3339 date-time kept exactly as given
    /// (any offset); checked at build. Replaces an earlier
    /// [`date_time_ms`](Self::date_time_ms).
    pub fn date_time(mut self, rfc3339: impl Into<String>) -> Self {
        self.when = Some(When::Rfc3339(rfc3339.into()));
        self
    }

    /// Replaces the generated UUIDv7 `event_id`, for producers that derive
    /// ids deterministically so a replay is deduplicated downstream.
    pub fn event_id(mut self, event_id: impl Into<String>) -> Self {
        self.event_id = Some(event_id.into());
        self
    }

    /// Sets one `event_metadata` key (snake_case, as in
    /// [`ApiEventType::required_metadata`]); a later call with the same key
    /// replaces the value. Keys the type does not require are kept as given.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Builds the event with the system clock as "now". See
    /// [`build_at`](Self::build_at).
    pub fn build(self) -> Result<AuditEvent> {
        self.build_at(clock::now_ms())
    }

    /// Builds the event with `now_ms` as the current time: the date when
    /// none was given, and the time part of the generated `event_id` (the
    /// event's own date when it was given in milliseconds).
    ///
    /// Fails with [`Error::Validation`] listing every problem with its JSON
    /// path: a missing or empty `request_id`, a date that is not RFC 3339,
    /// an identity field set but empty, and each required metadata key that
    /// is missing, empty or of the wrong type.
    pub fn build_at(self, now_ms: i64) -> Result<AuditEvent> {
        let request_id_missing = self.request_id.is_none();
        let (date_time, id_ms) = match self.when {
            Some(When::Millis(ms)) => (clock::rfc3339_ms(ms), ms),
            Some(When::Rfc3339(s)) => (s, now_ms),
            None => (clock::rfc3339_ms(now_ms), now_ms),
        };
        let event = AuditEvent {
            schema_version: SCHEMA_VERSION,
            event_id: self.event_id.unwrap_or_else(|| clock::uuid_v7(id_ms)),
            request_id: self.request_id.unwrap_or_default(),
            date_time,
            user_id: self.user_id,
            keycloak_user_id: self.keycloak_user_id,
            user_email: self.user_email,
            org_id: self.org_id,
            event_type: self.event_type,
            event_metadata: self.metadata,
        };
        match event.validate() {
            Ok(()) => Ok(event),
            Err(Error::Validation { what, mut problems }) => {
                if request_id_missing {
                    for p in problems.iter_mut().filter(|p| p.path == "$.request_id") {
                        *p = Problem::new("$.request_id", "required: set it with `request_id(..)`");
                    }
                }
                Err(Error::Validation { what, problems })
            }
            Err(other) => Err(other),
        }
    }
}

impl AuditEvent {
    /// A builder for an event of `event_type`; the generic path for every
    /// type (the typed constructors such as
    /// [`AuditEvent::policy_creation`] pre-fill the metadata).
    pub fn builder(event_type: ApiEventType) -> AuditEventBuilder {
        AuditEventBuilder::new(event_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(err: &Error) -> Vec<&str> {
        err.problems().iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn fills_ids_and_date_from_now() {
        let e = AuditEventBuilder::new(ApiEventType::AuthLogout)
            .request_id("req-1")
            .build_at(1_738_581_773_492)
            .unwrap();
        assert_eq!(e.date_time, "2025-02-03T11:22:53.492Z");
        let id = uuid::Uuid::parse_str(&e.event_id).unwrap();
        assert_eq!(id.get_version_num(), 7);
        let (secs, _) = id.get_timestamp().unwrap().to_unix();
        assert_eq!(secs, 1_738_581_773);
        assert_eq!(e.schema_version, SCHEMA_VERSION);
    }

    #[test]
    fn the_event_id_takes_the_events_own_time_when_given_in_ms() {
        let e = AuditEventBuilder::new(ApiEventType::AuthLogout)
            .request_id("req-1")
            .date_time_ms(1_000_000)
            .build_at(2_000_000_000_000)
            .unwrap();
        assert_eq!(e.date_time, "1970-01-01T00:16:40.000Z");
        let id = uuid::Uuid::parse_str(&e.event_id).unwrap();
        assert_eq!(id.get_timestamp().unwrap().to_unix().0, 1_000);
    }

    #[test]
    fn keeps_an_rfc3339_date_and_an_explicit_id_as_given() {
        let e = AuditEventBuilder::new(ApiEventType::AuthSuccessfulLogin)
            .request_id("req-1")
            .event_id("evt-fixed")
            .date_time("2025-02-03T16:52:53+05:30")
            .user_id("u-1")
            .keycloak_user_id("kc-1")
            .user_email("a@example.com")
            .org_id("org-1")
            .build()
            .unwrap();
        assert_eq!(e.event_id, "evt-fixed");
        assert_eq!(e.date_time, "2025-02-03T16:52:53+05:30");
        assert_eq!(e.user_id.as_deref(), Some("u-1"));
        assert_eq!(e.keycloak_user_id.as_deref(), Some("kc-1"));
        assert_eq!(e.user_email.as_deref(), Some("a@example.com"));
        assert_eq!(e.org_id.as_deref(), Some("org-1"));
    }

    #[test]
    fn a_missing_request_id_says_how_to_set_it() {
        let err = AuditEventBuilder::new(ApiEventType::AuthLogout)
            .build_at(0)
            .unwrap_err();
        assert_eq!(paths(&err), ["$.request_id"]);
        assert!(err.to_string().contains("request_id(..)"), "{err}");
        let err = AuditEventBuilder::new(ApiEventType::AuthLogout)
            .request_id(" ")
            .build_at(0)
            .unwrap_err();
        assert!(err.to_string().contains("must not be empty"), "{err}");
    }

    #[test]
    fn reports_every_problem_at_once() {
        let err = AuditEventBuilder::new(ApiEventType::GuardPolicyCreation)
            .date_time("yesterday")
            .user_email("")
            .metadata("policy_id", "p-1")
            .metadata("PolicyTitle", "No PII")
            .metadata("policy_method", 3)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), "validation");
        assert_eq!(
            paths(&err),
            [
                "$.request_id",
                "$.date_time",
                "$.user_email",
                "$.event_metadata.policy_title",
                "$.event_metadata.policy_method",
                "$.event_metadata.policy_owner",
            ]
        );
        assert!(err.to_string().contains("found `PolicyTitle`"), "{err}");
    }

    #[test]
    fn a_later_metadata_value_replaces_the_earlier_one() {
        let e = AuditEvent::builder(ApiEventType::GuardAnalyze)
            .request_id("r")
            .metadata("policy_method", "")
            .metadata("policy_method", "dlp")
            .metadata("extra", json!({"kept": true}))
            .build_at(0)
            .unwrap();
        assert_eq!(e.event_metadata["policy_method"], "dlp");
        assert_eq!(e.event_metadata["extra"], json!({"kept": true}));
    }
}
