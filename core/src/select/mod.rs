//! Choosing records: by **type name**, for sink and notification
//! subscriptions (`event_types: ["event.blocked", "audit_event.Auth:*"]`),
//! and by **time**, for batch exports of a window (`--window 24h`).
//!
//! Every record has one type name, `<record_type>.<subtype>`, where the
//! subtype is the field a SOC filters that kind of record by:
//!
//! | record type | subtype | names |
//! |---|---|---|
//! | `event` | `event_type` | `event.request`, `event.warned`, `event.redacted`, `event.escalated`, `event.blocked` |
//! | `dlp_match` | `category` | `dlp_match.secret`, `dlp_match.pii`, `dlp_match.financial`, `dlp_match.custom` |
//! | `shadow_ai_event` | `classification` | `shadow_ai_event.approved`, `shadow_ai_event.unapproved`, `shadow_ai_event.unknown` |
//! | `shadow_ai_finding` | `status` | `shadow_ai_finding.open`, `shadow_ai_finding.acknowledged`, `shadow_ai_finding.resolved` |
//! | `audit_event` | `event_type` (wire name) | `audit_event.Auth:Logout`, `audit_event.Guard:PolicyCreation/Manage:TrainPolicyError`, … |
//!
//! [`type_names`] lists them all; `docs/sinks.md` documents the scheme for
//! users. Subscriptions are lists of globs over these names ([`EventTypes`]).
//!
//! ```
//! use govstream::select::{EventTypes, type_name};
//! use govstream::policy::{EvaluationContext, Policy};
//!
//! let decision = Policy::default_policy().unwrap().evaluate(
//!     "deploy with ghp_0123456789abcdefghijABCDEFGHIJ012345 today",
//!     &EvaluationContext::default(),
//! );
//! let records = decision.records();
//! assert_eq!(type_name(&records[0]), "event.blocked");
//! assert_eq!(type_name(&records[1]), "dlp_match.secret");
//!
//! let blocked = EventTypes::parse(&["event.blocked"], "$.event_types").unwrap();
//! assert!(blocked.matches(&records[0]) && !blocked.matches(&records[1]));
//! // A glob that can match no type name is a mistake, named by its path.
//! let err = EventTypes::parse(&["events.*"], "$.event_types").unwrap_err();
//! assert!(err.to_string().contains("$.event_types[0]"));
//! ```

mod event_types;
mod window;

pub use event_types::{EventTypes, glob_matches, type_name, type_name_parts, type_names};
pub use window::{TimeWindow, parse_duration_ms, parse_time_ms, record_time_ms};
