//! The one error value every host sees: serializable, with a stable `kind`
//! that each binding maps to its own error type from one table.

use crate::{Error, Problem};
use serde::{Deserialize, Serialize};

/// An error as a host receives it. `kind` is stable and is the only field a
/// binding needs to choose its error type:
///
/// | `kind` | meaning |
/// |---|---|
/// | `policy` | a policy document failed to compile; `problems` lists each with its JSON path |
/// | `rule` | a DLP rule failed to compile; `rule_id` names it |
/// | `validation` | a record, payload or spec failed validation; `what` and `problems` say how |
/// | `input` | input that could not be read (bad JSON, a wrong type, an unknown name); `location` says where |
/// | `io` | the system refused an operation (a full disk, an outbox another process holds) |
/// | `closed` | the pipeline (or stream) was already closed |
/// | `full` | a sink with `overflow: block` stayed full for the whole timeout |
///
/// No message ever repeats a value the host passed in: values are named by
/// their JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApiError {
    /// The stable kind (see the table above).
    pub kind: ErrorKind,
    /// The whole message, in words.
    pub message: String,
    /// Every problem with its JSON path (`policy` and `validation`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// Where (`input` and `io`): a JSON path, a line, a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Box<str>>,
    /// The rule (`rule`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<Box<str>>,
    /// What was validated (`validation`): `pipeline`, `audit event`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<Box<str>>,
}

/// The stable kinds of [`ApiError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A policy document failed to compile.
    Policy,
    /// A DLP rule failed to compile.
    Rule,
    /// A record, payload or spec failed validation.
    Validation,
    /// Input that could not be read.
    Input,
    /// The system refused an operation.
    Io,
    /// The pipeline was already closed.
    Closed,
    /// A blocking sink stayed full.
    Full,
}

impl ErrorKind {
    /// The kind's name, as serialized (`policy`, `io`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Policy => "policy",
            ErrorKind::Rule => "rule",
            ErrorKind::Validation => "validation",
            ErrorKind::Input => "input",
            ErrorKind::Io => "io",
            ErrorKind::Closed => "closed",
            ErrorKind::Full => "full",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl ApiError {
    /// An `input` error: the value at `location` could not be used.
    pub fn input(location: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::from(Error::Input {
            location: location.into(),
            message: message.into(),
        })
    }

    /// A `validation` error of `what`, listing `problems`.
    pub fn validation(what: impl Into<String>, problems: Vec<Problem>) -> Self {
        ApiError::from(Error::Validation {
            what: what.into(),
            problems,
        })
    }

    /// The pipeline was closed before this call.
    pub fn closed() -> Self {
        ApiError {
            kind: ErrorKind::Closed,
            message: "the pipeline is closed".into(),
            problems: Vec::new(),
            location: None,
            rule_id: None,
            what: None,
        }
    }

    /// A stream was used after `finish`.
    pub fn closed_stream() -> Self {
        ApiError {
            message: "the stream is finished".into(),
            ..ApiError::closed()
        }
    }

    /// A blocking sink stayed full for the whole timeout.
    pub fn full(sink: &str) -> Self {
        ApiError {
            kind: ErrorKind::Full,
            message: format!("sink `{sink}` is full"),
            problems: Vec::new(),
            location: Some(format!("sink {sink}").into()),
            rule_id: None,
            what: None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::from(&e)
    }
}

impl From<&Error> for ApiError {
    fn from(e: &Error) -> Self {
        let kind = match e {
            Error::Policy { .. } => ErrorKind::Policy,
            Error::Rule { .. } => ErrorKind::Rule,
            Error::Validation { .. } => ErrorKind::Validation,
            Error::Input { .. } => ErrorKind::Input,
            Error::Io { .. } => ErrorKind::Io,
        };
        let mut out = ApiError {
            kind,
            message: e.to_string(),
            problems: e.problems().to_vec(),
            location: None,
            rule_id: None,
            what: None,
        };
        match e {
            Error::Rule { rule_id, .. } => out.rule_id = Some(rule_id.as_str().into()),
            Error::Validation { what, .. } => out.what = Some(what.as_str().into()),
            Error::Input { location, .. } | Error::Io { location, .. } => {
                out.location = Some(location.as_str().into());
            }
            Error::Policy { .. } => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_error_keeps_its_kind_and_fields() {
        let e = ApiError::from(Error::Rule {
            rule_id: "custom.x".into(),
            message: "bad regex".into(),
        });
        assert_eq!(
            (e.kind.as_str(), e.rule_id.as_deref()),
            ("rule", Some("custom.x"))
        );
        let e = ApiError::from(Error::Io {
            location: "outbox /tmp/x".into(),
            message: "disk full".into(),
        });
        assert_eq!(e.kind, "io");
        assert_eq!(e.location.as_deref(), Some("outbox /tmp/x"));
        let json = serde_json::to_value(ApiError::validation(
            "pipeline",
            vec![Problem::new("$.sinks[0].token", "must not be empty")],
        ))
        .unwrap_or_default();
        assert_eq!(json["problems"][0]["path"], "$.sinks[0].token");
        assert_eq!(json["what"], "pipeline");
        assert!(json.get("rule_id").is_none());
    }
}
