//! One typed constructor per [`ApiEventType`], so the metadata a type
//! requires is a list of named arguments rather than string keys to get
//! right. Each returns an [`AuditEventBuilder`] with the metadata set; the
//! caller adds the common fields (`request_id`, the acting user, the date)
//! and calls `build`. Arguments follow the seed's metadata order.

use super::builder::AuditEventBuilder;
use crate::schema::{ApiEventType, AuditEvent};

/// Sets the type's required keys, in order, from `values`.
fn keyed<const N: usize>(event_type: ApiEventType, values: [String; N]) -> AuditEventBuilder {
    let keys = event_type.required_metadata();
    let mut builder = AuditEventBuilder::new(event_type);
    for (key, value) in keys.iter().zip(values) {
        builder = builder.metadata(*key, value);
    }
    builder
}

fn roles_event(
    event_type: ApiEventType,
    user_id: String,
    user_email: String,
    roles: Vec<String>,
) -> AuditEventBuilder {
    AuditEventBuilder::new(event_type)
        .metadata("user_id", user_id)
        .metadata("user_email", user_email)
        .metadata("roles_assigned", roles)
}

/// The seven guard types whose metadata is `policy_id`, `policy_title`,
/// `policy_method`.
macro_rules! policy_constructor {
    ($(#[$doc:meta])* $name:ident => $variant:ident) => {
        $(#[$doc])*
        pub fn $name(
            policy_id: impl Into<String>,
            policy_title: impl Into<String>,
            policy_method: impl Into<String>,
        ) -> AuditEventBuilder {
            keyed(
                ApiEventType::$variant,
                [policy_id.into(), policy_title.into(), policy_method.into()],
            )
        }
    };
}

impl AuditEvent {
    /// `Auth:SuccessfulLogin`; no metadata (the user is in the common fields).
    pub fn successful_login() -> AuditEventBuilder {
        AuditEventBuilder::new(ApiEventType::AuthSuccessfulLogin)
    }

    /// `Auth:LoginFailure`; no metadata required.
    pub fn login_failure() -> AuditEventBuilder {
        AuditEventBuilder::new(ApiEventType::AuthLoginFailure)
    }

    /// `Auth:Logout`; no metadata required.
    pub fn logout() -> AuditEventBuilder {
        AuditEventBuilder::new(ApiEventType::AuthLogout)
    }

    /// `Admin:RoleAssignment`: `user_id` and `user_email` name the user who
    /// was given `roles` (the common fields name the admin).
    pub fn role_assignment<R: Into<String>>(
        user_id: impl Into<String>,
        user_email: impl Into<String>,
        roles: impl IntoIterator<Item = R>,
    ) -> AuditEventBuilder {
        let roles = roles.into_iter().map(Into::into).collect();
        roles_event(
            ApiEventType::AdminRoleAssignment,
            user_id.into(),
            user_email.into(),
            roles,
        )
    }

    /// `Admin:RoleRemoval`: `user_id` and `user_email` name the user who lost
    /// `roles` (the seed keeps the key `roles_assigned` for them).
    pub fn role_removal<R: Into<String>>(
        user_id: impl Into<String>,
        user_email: impl Into<String>,
        roles: impl IntoIterator<Item = R>,
    ) -> AuditEventBuilder {
        let roles = roles.into_iter().map(Into::into).collect();
        roles_event(
            ApiEventType::AdminRoleRemoval,
            user_id.into(),
            user_email.into(),
            roles,
        )
    }

    /// `AISystem:ConnectAISystem`.
    pub fn ai_system_connect(
        ai_system_id: impl Into<String>,
        ai_system_name: impl Into<String>,
        ai_system_type: impl Into<String>,
        ai_system_owner: impl Into<String>,
    ) -> AuditEventBuilder {
        keyed(
            ApiEventType::AiSystemConnect,
            [
                ai_system_id.into(),
                ai_system_name.into(),
                ai_system_type.into(),
                ai_system_owner.into(),
            ],
        )
    }

    /// `AISystem:RemoveAISystem`.
    pub fn ai_system_remove(
        ai_system_id: impl Into<String>,
        ai_system_name: impl Into<String>,
        ai_system_type: impl Into<String>,
        ai_system_owner: impl Into<String>,
    ) -> AuditEventBuilder {
        keyed(
            ApiEventType::AiSystemRemove,
            [
                ai_system_id.into(),
                ai_system_name.into(),
                ai_system_type.into(),
                ai_system_owner.into(),
            ],
        )
    }

    /// `Eval:TestStart`.
    pub fn eval_test_start(
        test_id: impl Into<String>,
        test_type: impl Into<String>,
    ) -> AuditEventBuilder {
        keyed(
            ApiEventType::EvalTestStart,
            [test_id.into(), test_type.into()],
        )
    }

    /// `Eval:TestFailure`.
    pub fn eval_test_failure(
        test_id: impl Into<String>,
        test_type: impl Into<String>,
        test_failure_reason: impl Into<String>,
    ) -> AuditEventBuilder {
        keyed(
            ApiEventType::EvalTestFailure,
            [test_id.into(), test_type.into(), test_failure_reason.into()],
        )
    }

    /// `Eval:TestCompletion`.
    pub fn eval_test_completion(
        test_id: impl Into<String>,
        test_type: impl Into<String>,
    ) -> AuditEventBuilder {
        keyed(
            ApiEventType::EvalTestCompletion,
            [test_id.into(), test_type.into()],
        )
    }

    /// `Guard:Analyze`.
    pub fn guard_analyze(policy_method: impl Into<String>) -> AuditEventBuilder {
        keyed(ApiEventType::GuardAnalyze, [policy_method.into()])
    }

    /// `Guard:PolicyCreation`.
    pub fn policy_creation(
        policy_id: impl Into<String>,
        policy_title: impl Into<String>,
        policy_method: impl Into<String>,
        policy_owner: impl Into<String>,
    ) -> AuditEventBuilder {
        keyed(
            ApiEventType::GuardPolicyCreation,
            [
                policy_id.into(),
                policy_title.into(),
                policy_method.into(),
                policy_owner.into(),
            ],
        )
    }

    /// `Guard:PolicyDeletion`.
    pub fn policy_deletion(
        policy_id: impl Into<String>,
        policy_title: impl Into<String>,
        policy_method: impl Into<String>,
        policy_owner: impl Into<String>,
    ) -> AuditEventBuilder {
        keyed(
            ApiEventType::GuardPolicyDeletion,
            [
                policy_id.into(),
                policy_title.into(),
                policy_method.into(),
                policy_owner.into(),
            ],
        )
    }

    policy_constructor!(
        /// `Guard:PolicyCreation:Review`.
        policy_creation_review => GuardPolicyCreationReview
    );
    policy_constructor!(
        /// `Guard:PolicyCreation/Manage:TrainPolicy`.
        train_policy => GuardTrainPolicy
    );
    policy_constructor!(
        /// `Guard:PolicyCreation/Manage:TrainPolicyError`.
        train_policy_error => GuardTrainPolicyError
    );
    policy_constructor!(
        /// `Guard:PolicyCreation/Manage:Success`.
        policy_success => GuardPolicySuccess
    );
    policy_constructor!(
        /// `Guard:ManagePolicy:TrainingData:Delete`.
        training_data_delete => GuardTrainingDataDelete
    );
    policy_constructor!(
        /// `Guard:PolicyCreation:Deployment`.
        policy_deployment => GuardPolicyDeployment
    );
    policy_constructor!(
        /// `Guard:ManagePolicy:EditPolicyDefinition`.
        edit_policy_definition => GuardEditPolicyDefinition
    );

    /// `Guard:ApplyPolicy`: a policy applied to an AI system.
    pub fn apply_policy(
        policy_id: impl Into<String>,
        policy_title: impl Into<String>,
        ai_system_id: impl Into<String>,
        ai_system_name: impl Into<String>,
        policy_method: impl Into<String>,
    ) -> AuditEventBuilder {
        keyed(
            ApiEventType::GuardApplyPolicy,
            [
                policy_id.into(),
                policy_title.into(),
                ai_system_id.into(),
                ai_system_name.into(),
                policy_method.into(),
            ],
        )
    }

    /// `Guard:RemovePolicy`: a policy removed from an AI system.
    pub fn remove_policy(
        policy_id: impl Into<String>,
        policy_title: impl Into<String>,
        ai_system_id: impl Into<String>,
        ai_system_name: impl Into<String>,
        policy_method: impl Into<String>,
    ) -> AuditEventBuilder {
        keyed(
            ApiEventType::GuardRemovePolicy,
            [
                policy_id.into(),
                policy_title.into(),
                ai_system_id.into(),
                ai_system_name.into(),
                policy_method.into(),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::AuditEvent as E;
    use serde_json::{Value, json};

    /// The typed constructor of every type, with each argument named after
    /// the key it should land under. The match is exhaustive, so a new type
    /// without a constructor fails to compile here.
    fn typed(t: ApiEventType) -> AuditEventBuilder {
        use ApiEventType::*;
        match t {
            AuthSuccessfulLogin => E::successful_login(),
            AuthLoginFailure => E::login_failure(),
            AuthLogout => E::logout(),
            AdminRoleAssignment => E::role_assignment("user_id", "user_email", ["roles_assigned"]),
            AdminRoleRemoval => E::role_removal("user_id", "user_email", ["roles_assigned"]),
            AiSystemConnect => E::ai_system_connect(
                "ai_system_id",
                "ai_system_name",
                "ai_system_type",
                "ai_system_owner",
            ),
            AiSystemRemove => E::ai_system_remove(
                "ai_system_id",
                "ai_system_name",
                "ai_system_type",
                "ai_system_owner",
            ),
            EvalTestStart => E::eval_test_start("test_id", "test_type"),
            EvalTestFailure => E::eval_test_failure("test_id", "test_type", "test_failure_reason"),
            EvalTestCompletion => E::eval_test_completion("test_id", "test_type"),
            GuardAnalyze => E::guard_analyze("policy_method"),
            GuardPolicyCreation => {
                E::policy_creation("policy_id", "policy_title", "policy_method", "policy_owner")
            }
            GuardPolicyDeletion => {
                E::policy_deletion("policy_id", "policy_title", "policy_method", "policy_owner")
            }
            GuardPolicyCreationReview => {
                E::policy_creation_review("policy_id", "policy_title", "policy_method")
            }
            GuardTrainPolicy => E::train_policy("policy_id", "policy_title", "policy_method"),
            GuardTrainPolicyError => {
                E::train_policy_error("policy_id", "policy_title", "policy_method")
            }
            GuardPolicySuccess => E::policy_success("policy_id", "policy_title", "policy_method"),
            GuardTrainingDataDelete => {
                E::training_data_delete("policy_id", "policy_title", "policy_method")
            }
            GuardPolicyDeployment => {
                E::policy_deployment("policy_id", "policy_title", "policy_method")
            }
            GuardEditPolicyDefinition => {
                E::edit_policy_definition("policy_id", "policy_title", "policy_method")
            }
            GuardApplyPolicy => E::apply_policy(
                "policy_id",
                "policy_title",
                "ai_system_id",
                "ai_system_name",
                "policy_method",
            ),
            GuardRemovePolicy => E::remove_policy(
                "policy_id",
                "policy_title",
                "ai_system_id",
                "ai_system_name",
                "policy_method",
            ),
        }
    }

    fn sample(key: &str) -> Value {
        if key == "roles_assigned" {
            json!([key])
        } else {
            json!(key)
        }
    }

    #[test]
    fn every_typed_constructor_puts_each_argument_under_its_key() {
        for t in ApiEventType::ALL {
            let e = typed(t).request_id("req-1").build_at(0).unwrap();
            assert_eq!(e.event_type, t);
            let keys: Vec<&str> = e.event_metadata.keys().map(String::as_str).collect();
            let mut required = t.required_metadata().to_vec();
            required.sort_unstable();
            assert_eq!(keys, required, "{t}");
            for (key, value) in &e.event_metadata {
                assert_eq!(value, &sample(key), "{t}: {key}");
            }
        }
    }

    #[test]
    fn every_type_builds_generically_with_its_metadata() {
        for t in ApiEventType::ALL {
            let builder = t
                .required_metadata()
                .iter()
                .fold(AuditEvent::builder(t), |b, k| b.metadata(*k, sample(k)));
            let e = builder
                .request_id("req-1")
                .user_email("admin@acme.example")
                .build_at(1_738_581_773_492)
                .unwrap();
            assert_eq!(
                e,
                typed(t)
                    .request_id("req-1")
                    .user_email("admin@acme.example")
                    .event_id(e.event_id.clone())
                    .build_at(1_738_581_773_492)
                    .unwrap()
            );
        }
    }

    #[test]
    fn every_type_fails_without_its_metadata_naming_each_path() {
        for t in ApiEventType::ALL {
            let result = AuditEvent::builder(t).request_id("req-1").build_at(0);
            let expected: Vec<String> = t
                .required_metadata()
                .iter()
                .map(|k| format!("$.event_metadata.{k}"))
                .collect();
            match result {
                Ok(_) => assert!(expected.is_empty(), "{t} built without metadata"),
                Err(err) => {
                    let paths: Vec<String> =
                        err.problems().iter().map(|p| p.path.clone()).collect();
                    assert_eq!(paths, expected, "{t}");
                    assert!(err.to_string().contains(t.as_str()), "{err}");
                }
            }
        }
    }

    #[test]
    fn each_missing_key_alone_is_reported_alone() {
        for t in ApiEventType::ALL {
            for &missing in t.required_metadata() {
                let builder = t
                    .required_metadata()
                    .iter()
                    .filter(|k| **k != missing)
                    .fold(AuditEvent::builder(t), |b, k| b.metadata(*k, sample(k)));
                let err = builder.request_id("r").build_at(0).unwrap_err();
                let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
                assert_eq!(paths, [format!("$.event_metadata.{missing}")], "{t}");
            }
        }
    }

    #[test]
    fn empty_arguments_and_empty_role_lists_are_rejected() {
        let err = AuditEvent::role_assignment("u-2", "", Vec::<String>::new())
            .request_id("r")
            .build_at(0)
            .unwrap_err();
        let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.event_metadata.user_email",
                "$.event_metadata.roles_assigned"
            ]
        );
        let ok = AuditEvent::role_removal("u-2", "lee@acme.example", ["viewer", "editor"])
            .request_id("r")
            .build_at(0)
            .unwrap();
        assert_eq!(
            ok.event_metadata["roles_assigned"],
            json!(["viewer", "editor"])
        );
    }
}
