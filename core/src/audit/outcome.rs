//! Whether the operation an audit event records succeeded.
//!
//! Most types say it by their name (`Auth:LoginFailure`,
//! `Eval:TestFailure`); where the taxonomy has no failure type of its own,
//! a failed operation is recorded as its type with
//! `event_metadata.outcome = "failure"` (a refused Keycloak logout is
//! `Auth:Logout` with `outcome: "failure"` and Keycloak's `error`). Every
//! encoder reads the outcome from [`AuditEvent::outcome`], so ECS
//! `event.outcome`, OCSF `status_id` and CEF `outcome` agree.

use crate::schema::{ApiEventType, AuditEvent};
use serde::{Deserialize, Serialize};

/// The `event_metadata` key that marks a failed operation.
pub const OUTCOME_KEY: &str = "outcome";

/// Whether an audited operation succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// It succeeded (the default: an event records what happened).
    Success,
    /// It was attempted and failed.
    Failure,
}

impl AuditOutcome {
    /// The wire name: `success` or `failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
        }
    }
}

impl std::fmt::Display for AuditOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome a type names by itself: its failure types.
pub fn type_outcome(t: ApiEventType) -> AuditOutcome {
    match t {
        ApiEventType::AuthLoginFailure
        | ApiEventType::EvalTestFailure
        | ApiEventType::GuardTrainPolicyError => AuditOutcome::Failure,
        _ => AuditOutcome::Success,
    }
}

impl AuditEvent {
    /// Whether the recorded operation succeeded: a failure when the type
    /// is a failure type or when `event_metadata.outcome` is `"failure"`.
    pub fn outcome(&self) -> AuditOutcome {
        let marked = self
            .event_metadata
            .get(OUTCOME_KEY)
            .and_then(serde_json::Value::as_str)
            == Some(AuditOutcome::Failure.as_str());
        if marked {
            AuditOutcome::Failure
        } else {
            type_outcome(self.event_type)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditEventBuilder;

    #[test]
    fn failure_comes_from_the_type_or_the_metadata() {
        let build = |t, outcome: Option<&str>| {
            let mut b = AuditEventBuilder::new(t).request_id("r-1");
            if let Some(o) = outcome {
                b = b.metadata(OUTCOME_KEY, o);
            }
            b.build_at(0).unwrap().outcome()
        };
        assert_eq!(build(ApiEventType::AuthLogout, None), AuditOutcome::Success);
        assert_eq!(
            build(ApiEventType::AuthLogout, Some("failure")),
            AuditOutcome::Failure
        );
        assert_eq!(
            build(ApiEventType::AuthLogout, Some("success")),
            AuditOutcome::Success
        );
        assert_eq!(
            build(ApiEventType::AuthLoginFailure, Some("success")),
            AuditOutcome::Failure
        );
        assert_eq!(
            type_outcome(ApiEventType::GuardTrainPolicyError),
            AuditOutcome::Failure
        );
    }
}
