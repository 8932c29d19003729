//! Audit events: who changed the system, and who logged in and out.
//!
//! [`AuditEventBuilder`] makes an [`AuditEvent`](crate::schema::AuditEvent)
//! of any [`ApiEventType`](crate::schema::ApiEventType) and refuses one that
//! lacks what its type requires; a typed constructor per type
//! ([`AuditEvent::policy_creation`](crate::schema::AuditEvent::policy_creation),
//! …) names the metadata as arguments. [`parse_keycloak`] turns Keycloak's
//! event log into `Auth:` events. The taxonomy and the parsing rules are in
//! `docs/audit.md`.
//!
//! ```
//! use govstream::schema::AuditEvent;
//!
//! let event = AuditEvent::role_assignment("u-1042", "lee@acme.example", ["policy_editor"])
//!     .request_id("req-61a0b2")
//!     .user_email("admin@acme.example")
//!     .build()?;
//! assert_eq!(event.event_type.as_str(), "Admin:RoleAssignment");
//! # Ok::<(), govstream::Error>(())
//! ```

mod builder;
mod constructors;
mod keycloak;
mod outcome;

pub use builder::AuditEventBuilder;
pub use keycloak::{
    KeycloakLine, KeycloakOptions, KeycloakReport, LineProblem, LineProblemKind, parse_keycloak,
    parse_keycloak_line, parse_keycloak_with, read_keycloak_line,
};
pub use outcome::{AuditOutcome, OUTCOME_KEY, type_outcome};
