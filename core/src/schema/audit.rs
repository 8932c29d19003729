//! The `AuditEvent` record and its `ApiEventType` taxonomy: what the admin
//! API and the identity provider record about people changing the system.
//!
//! The taxonomy, its wire names and the metadata each type carries come from
//! the "Captured-Events" product document (seed `002_e67e5d598384e22d`); the
//! metadata keys are that document's PascalCase names in snake_case.

use super::common::{MIN_SCHEMA_VERSION, SCHEMA_VERSION};
use crate::error::{Error, Problem, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The kind of an [`AuditEvent`], serialized by its wire name
/// (`"Auth:SuccessfulLogin"`, `"Guard:PolicyCreation/Manage:TrainPolicyError"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ApiEventType {
    /// A user logged in (from the identity provider).
    #[serde(rename = "Auth:SuccessfulLogin")]
    AuthSuccessfulLogin,
    /// A login attempt failed (from the identity provider).
    #[serde(rename = "Auth:LoginFailure")]
    AuthLoginFailure,
    /// A user logged out (from the identity provider).
    #[serde(rename = "Auth:Logout")]
    AuthLogout,
    /// Roles were granted to a user.
    #[serde(rename = "Admin:RoleAssignment")]
    AdminRoleAssignment,
    /// Roles were taken from a user.
    #[serde(rename = "Admin:RoleRemoval")]
    AdminRoleRemoval,
    /// An AI system was connected.
    #[serde(rename = "AISystem:ConnectAISystem")]
    AiSystemConnect,
    /// An AI system was removed.
    #[serde(rename = "AISystem:RemoveAISystem")]
    AiSystemRemove,
    /// An evaluation test started.
    #[serde(rename = "Eval:TestStart")]
    EvalTestStart,
    /// An evaluation test failed.
    #[serde(rename = "Eval:TestFailure")]
    EvalTestFailure,
    /// An evaluation test completed.
    #[serde(rename = "Eval:TestCompletion")]
    EvalTestCompletion,
    /// A request or response was analyzed by the guard.
    #[serde(rename = "Guard:Analyze")]
    GuardAnalyze,
    /// A guard policy was created.
    #[serde(rename = "Guard:PolicyCreation")]
    GuardPolicyCreation,
    /// A guard policy was deleted.
    #[serde(rename = "Guard:PolicyDeletion")]
    GuardPolicyDeletion,
    /// A new guard policy was reviewed.
    #[serde(rename = "Guard:PolicyCreation:Review")]
    GuardPolicyCreationReview,
    /// A guard policy's training started (on creation or later).
    #[serde(rename = "Guard:PolicyCreation/Manage:TrainPolicy")]
    GuardTrainPolicy,
    /// A guard policy's training failed.
    #[serde(rename = "Guard:PolicyCreation/Manage:TrainPolicyError")]
    GuardTrainPolicyError,
    /// A guard policy was created or updated successfully.
    #[serde(rename = "Guard:PolicyCreation/Manage:Success")]
    GuardPolicySuccess,
    /// Training data of a guard policy was deleted.
    #[serde(rename = "Guard:ManagePolicy:TrainingData:Delete")]
    GuardTrainingDataDelete,
    /// A new guard policy was deployed.
    #[serde(rename = "Guard:PolicyCreation:Deployment")]
    GuardPolicyDeployment,
    /// A guard policy's definition was edited.
    #[serde(rename = "Guard:ManagePolicy:EditPolicyDefinition")]
    GuardEditPolicyDefinition,
    /// A guard policy was applied to an AI system.
    #[serde(rename = "Guard:ApplyPolicy")]
    GuardApplyPolicy,
    /// A guard policy was removed from an AI system.
    #[serde(rename = "Guard:RemovePolicy")]
    GuardRemovePolicy,
}

/// The group an [`ApiEventType`] belongs to: the part of its wire name before
/// the first colon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiEventCategory {
    /// Logins and logouts, recorded by the identity provider.
    Auth,
    /// Role administration.
    Admin,
    /// Connecting and removing AI systems.
    AiSystem,
    /// Evaluation tests.
    Eval,
    /// Guard policies and analysis.
    Guard,
}

impl ApiEventCategory {
    /// The wire name (`"auth"`, `"admin"`, `"ai_system"`, `"eval"`, `"guard"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ApiEventCategory::Auth => "auth",
            ApiEventCategory::Admin => "admin",
            ApiEventCategory::AiSystem => "ai_system",
            ApiEventCategory::Eval => "eval",
            ApiEventCategory::Guard => "guard",
        }
    }
}

impl std::fmt::Display for ApiEventCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// Metadata sets shared by several event types, in the seed's order.
const ADMIN_ROLES: &[&str] = &["user_id", "user_email", "roles_assigned"];
const AI_SYSTEM: &[&str] = &[
    "ai_system_id",
    "ai_system_name",
    "ai_system_type",
    "ai_system_owner",
];
const EVAL_TEST: &[&str] = &["test_id", "test_type"];
const EVAL_FAILURE: &[&str] = &["test_id", "test_type", "test_failure_reason"];
const GUARD_ANALYZE: &[&str] = &["policy_method"];
const GUARD_POLICY_OWNED: &[&str] = &["policy_id", "policy_title", "policy_method", "policy_owner"];
const GUARD_POLICY: &[&str] = &["policy_id", "policy_title", "policy_method"];
const GUARD_POLICY_ON_SYSTEM: &[&str] = &[
    "policy_id",
    "policy_title",
    "ai_system_id",
    "ai_system_name",
    "policy_method",
];

/// The metadata key that may hold a list instead of a single string.
const ROLES_KEY: &str = "roles_assigned";

impl ApiEventType {
    /// Every event type, in the seed's order.
    pub const ALL: [ApiEventType; 22] = [
        ApiEventType::AuthSuccessfulLogin,
        ApiEventType::AuthLoginFailure,
        ApiEventType::AuthLogout,
        ApiEventType::AdminRoleAssignment,
        ApiEventType::AdminRoleRemoval,
        ApiEventType::AiSystemConnect,
        ApiEventType::AiSystemRemove,
        ApiEventType::EvalTestStart,
        ApiEventType::EvalTestFailure,
        ApiEventType::EvalTestCompletion,
        ApiEventType::GuardAnalyze,
        ApiEventType::GuardPolicyCreation,
        ApiEventType::GuardPolicyDeletion,
        ApiEventType::GuardPolicyCreationReview,
        ApiEventType::GuardTrainPolicy,
        ApiEventType::GuardTrainPolicyError,
        ApiEventType::GuardPolicySuccess,
        ApiEventType::GuardTrainingDataDelete,
        ApiEventType::GuardPolicyDeployment,
        ApiEventType::GuardEditPolicyDefinition,
        ApiEventType::GuardApplyPolicy,
        ApiEventType::GuardRemovePolicy,
    ];

    /// The wire name, exactly as the seed writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiEventType::AuthSuccessfulLogin => "Auth:SuccessfulLogin",
            ApiEventType::AuthLoginFailure => "Auth:LoginFailure",
            ApiEventType::AuthLogout => "Auth:Logout",
            ApiEventType::AdminRoleAssignment => "Admin:RoleAssignment",
            ApiEventType::AdminRoleRemoval => "Admin:RoleRemoval",
            ApiEventType::AiSystemConnect => "AISystem:ConnectAISystem",
            ApiEventType::AiSystemRemove => "AISystem:RemoveAISystem",
            ApiEventType::EvalTestStart => "Eval:TestStart",
            ApiEventType::EvalTestFailure => "Eval:TestFailure",
            ApiEventType::EvalTestCompletion => "Eval:TestCompletion",
            ApiEventType::GuardAnalyze => "Guard:Analyze",
            ApiEventType::GuardPolicyCreation => "Guard:PolicyCreation",
            ApiEventType::GuardPolicyDeletion => "Guard:PolicyDeletion",
            ApiEventType::GuardPolicyCreationReview => "Guard:PolicyCreation:Review",
            ApiEventType::GuardTrainPolicy => "Guard:PolicyCreation/Manage:TrainPolicy",
            ApiEventType::GuardTrainPolicyError => "Guard:PolicyCreation/Manage:TrainPolicyError",
            ApiEventType::GuardPolicySuccess => "Guard:PolicyCreation/Manage:Success",
            ApiEventType::GuardTrainingDataDelete => "Guard:ManagePolicy:TrainingData:Delete",
            ApiEventType::GuardPolicyDeployment => "Guard:PolicyCreation:Deployment",
            ApiEventType::GuardEditPolicyDefinition => "Guard:ManagePolicy:EditPolicyDefinition",
            ApiEventType::GuardApplyPolicy => "Guard:ApplyPolicy",
            ApiEventType::GuardRemovePolicy => "Guard:RemovePolicy",
        }
    }

    /// Parses a wire name (case-sensitive, as the seed writes it); `None` for
    /// anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The seed's human-readable event name (`"IAM Role Assignment"`), for
    /// alert texts and dashboards.
    pub fn name(self) -> &'static str {
        match self {
            ApiEventType::AuthSuccessfulLogin => "Successful Login",
            ApiEventType::AuthLoginFailure => "Login Failure",
            ApiEventType::AuthLogout => "Logout",
            ApiEventType::AdminRoleAssignment => "IAM Role Assignment",
            ApiEventType::AdminRoleRemoval => "IAM Role Removal",
            ApiEventType::AiSystemConnect => "AI System Connect",
            ApiEventType::AiSystemRemove => "AI System Remove",
            ApiEventType::EvalTestStart => "Eval Test Start",
            ApiEventType::EvalTestFailure => "Eval Test Failure",
            ApiEventType::EvalTestCompletion => "Eval Test Completion",
            ApiEventType::GuardAnalyze => "Analyze Request Response",
            ApiEventType::GuardPolicyCreation => "Policy Creation",
            ApiEventType::GuardPolicyDeletion => "Policy Deletion",
            ApiEventType::GuardPolicyCreationReview => "Policy Creation Review",
            ApiEventType::GuardTrainPolicy => "Policy Creation/Manage Train Policy",
            ApiEventType::GuardTrainPolicyError => "Policy Creation/Manage Train Policy Error",
            ApiEventType::GuardPolicySuccess => "Policy Creation/Manage Success",
            ApiEventType::GuardTrainingDataDelete => "Manage Policy Training Data Delete",
            ApiEventType::GuardPolicyDeployment => "Policy Creation Deployment",
            ApiEventType::GuardEditPolicyDefinition => "Manage Policy Edit Policy Definition",
            ApiEventType::GuardApplyPolicy => "Apply Policy",
            ApiEventType::GuardRemovePolicy => "Remove Policy",
        }
    }

    /// The group this type belongs to.
    pub fn category(self) -> ApiEventCategory {
        match self {
            ApiEventType::AuthSuccessfulLogin
            | ApiEventType::AuthLoginFailure
            | ApiEventType::AuthLogout => ApiEventCategory::Auth,
            ApiEventType::AdminRoleAssignment | ApiEventType::AdminRoleRemoval => {
                ApiEventCategory::Admin
            }
            ApiEventType::AiSystemConnect | ApiEventType::AiSystemRemove => {
                ApiEventCategory::AiSystem
            }
            ApiEventType::EvalTestStart
            | ApiEventType::EvalTestFailure
            | ApiEventType::EvalTestCompletion => ApiEventCategory::Eval,
            ApiEventType::GuardAnalyze
            | ApiEventType::GuardPolicyCreation
            | ApiEventType::GuardPolicyDeletion
            | ApiEventType::GuardPolicyCreationReview
            | ApiEventType::GuardTrainPolicy
            | ApiEventType::GuardTrainPolicyError
            | ApiEventType::GuardPolicySuccess
            | ApiEventType::GuardTrainingDataDelete
            | ApiEventType::GuardPolicyDeployment
            | ApiEventType::GuardEditPolicyDefinition
            | ApiEventType::GuardApplyPolicy
            | ApiEventType::GuardRemovePolicy => ApiEventCategory::Guard,
        }
    }

    /// The `event_metadata` keys this type requires, in the seed's order.
    /// Auth events require none: what they log (date, email, type) is in the
    /// common fields. In admin events `user_id` and `user_email` name the
    /// user whose roles changed, not the actor.
    pub fn required_metadata(&self) -> &'static [&'static str] {
        match self {
            ApiEventType::AuthSuccessfulLogin
            | ApiEventType::AuthLoginFailure
            | ApiEventType::AuthLogout => &[],
            ApiEventType::AdminRoleAssignment | ApiEventType::AdminRoleRemoval => ADMIN_ROLES,
            ApiEventType::AiSystemConnect | ApiEventType::AiSystemRemove => AI_SYSTEM,
            ApiEventType::EvalTestStart | ApiEventType::EvalTestCompletion => EVAL_TEST,
            ApiEventType::EvalTestFailure => EVAL_FAILURE,
            ApiEventType::GuardAnalyze => GUARD_ANALYZE,
            ApiEventType::GuardPolicyCreation | ApiEventType::GuardPolicyDeletion => {
                GUARD_POLICY_OWNED
            }
            ApiEventType::GuardPolicyCreationReview
            | ApiEventType::GuardTrainPolicy
            | ApiEventType::GuardTrainPolicyError
            | ApiEventType::GuardPolicySuccess
            | ApiEventType::GuardTrainingDataDelete
            | ApiEventType::GuardPolicyDeployment
            | ApiEventType::GuardEditPolicyDefinition => GUARD_POLICY,
            ApiEventType::GuardApplyPolicy | ApiEventType::GuardRemovePolicy => {
                GUARD_POLICY_ON_SYSTEM
            }
        }
    }
}

impl std::fmt::Display for ApiEventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit event: who did what to the system, when. Identity is optional
/// because the identity provider cannot always name the user (a failed
/// logout carries `userId="null"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuditEvent {
    /// Version of this record's JSON shape.
    pub schema_version: u32,
    /// Unique id of this record; the idempotency key downstream.
    pub event_id: String,
    /// The request that caused the event.
    pub request_id: String,
    /// When it happened, RFC 3339.
    pub date_time: String,
    /// The acting user's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The acting user's id in Keycloak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keycloak_user_id: Option<String>,
    /// The acting user's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_email: Option<String>,
    /// The org, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// What happened.
    pub event_type: ApiEventType,
    /// The type's metadata (see [`ApiEventType::required_metadata`]); other
    /// keys are kept as they are.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub event_metadata: Map<String, Value>,
}

impl AuditEvent {
    /// Checks the event against its type: a `schema_version` this crate
    /// reads (1 to [`SCHEMA_VERSION`]: versions since 1 only added
    /// optional fields), ids present, `date_time` in RFC 3339, and every required metadata key present as a non-empty string
    /// (`roles_assigned` may also be a non-empty array of strings). Reports
    /// every problem at once as [`Error::Validation`].
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if !(MIN_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&self.schema_version) {
            problems.push(Problem::new(
                "$.schema_version",
                format!(
                    "unsupported schema version {}, expected {MIN_SCHEMA_VERSION} to {SCHEMA_VERSION}",
                    self.schema_version
                ),
            ));
        }
        for (path, value) in [
            ("$.event_id", &self.event_id),
            ("$.request_id", &self.request_id),
        ] {
            if value.trim().is_empty() {
                problems.push(Problem::new(path, "must not be empty"));
            }
        }
        if OffsetDateTime::parse(&self.date_time, &Rfc3339).is_err() {
            problems.push(Problem::new(
                "$.date_time",
                format!("`{}` is not an RFC 3339 date-time", self.date_time),
            ));
        }
        for (path, value) in [
            ("$.user_id", &self.user_id),
            ("$.keycloak_user_id", &self.keycloak_user_id),
            ("$.user_email", &self.user_email),
            ("$.org_id", &self.org_id),
        ] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                problems.push(Problem::new(path, "must not be empty when present"));
            }
        }
        for &key in self.event_type.required_metadata() {
            self.check_metadata_key(key, &mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation {
                what: "audit event".to_owned(),
                problems,
            })
        }
    }

    fn check_metadata_key(&self, key: &str, problems: &mut Vec<Problem>) {
        let path = format!("$.event_metadata.{key}");
        let expected = if key == ROLES_KEY {
            "a string or an array of strings"
        } else {
            "a string"
        };
        match self.event_metadata.get(key) {
            None => problems.push(Problem::new(path, self.missing_message(key))),
            Some(Value::String(s)) => {
                if s.trim().is_empty() {
                    problems.push(Problem::new(path, "must not be empty"));
                }
            }
            Some(Value::Array(items)) if key == ROLES_KEY => {
                if items.is_empty() {
                    problems.push(Problem::new(path.as_str(), "must list at least one role"));
                }
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    match item {
                        Value::String(s) if s.trim().is_empty() => {
                            problems.push(Problem::new(item_path, "must not be empty"));
                        }
                        Value::String(_) => {}
                        other => problems.push(Problem::new(
                            item_path,
                            format!("must be a string, found {}", json_type(other)),
                        )),
                    }
                }
            }
            Some(other) => problems.push(Problem::new(
                path,
                format!("must be {expected}, found {}", json_type(other)),
            )),
        }
    }

    /// Says which type needs the key, and points at a key that differs only
    /// in case or underscores, since producers following the seed write
    /// `PolicyId` or `policyId`.
    fn missing_message(&self, key: &str) -> String {
        let wanted = squash(key);
        let near = self.event_metadata.keys().find(|k| squash(k) == wanted);
        match near {
            Some(found) => format!(
                "required by `{}` but missing (found `{found}`: metadata keys are snake_case)",
                self.event_type
            ),
            None => format!("required by `{}` but missing", self.event_type),
        }
    }
}

fn squash(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
