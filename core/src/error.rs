//! The crate's one error type. Every variant says what was wrong and where
//! (a JSON path, a rule id, a line number), and bindings map each kind to a
//! typed exception.

use std::fmt;

/// One problem found while validating a document, located by a JSON path
/// (`$.rules.overrides["pii.email"].severity`).
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Problem {
    /// JSON path of the offending value.
    pub path: String,
    /// What is wrong with it, in lowercase words.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Everything that can go wrong in govstream.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy document failed to compile; every problem is listed.
    #[error("invalid policy: {}", join(.problems))]
    Policy {
        /// Every problem, each with its JSON path.
        problems: Vec<Problem>,
    },
    /// A DLP rule failed to compile.
    #[error("rule `{rule_id}`: {message}")]
    Rule {
        /// The rule's id.
        rule_id: String,
        /// What is wrong (the regex compiler's message, for a bad regex).
        message: String,
    },
    /// A record or payload failed validation; every problem is listed.
    #[error("invalid {what}: {}", join(.problems))]
    Validation {
        /// What was being validated (`audit event`, `shadow ai report`).
        what: String,
        /// Every problem, each with its JSON path.
        problems: Vec<Problem>,
    },
    /// Input that could not be read at all (bad JSON, bad UTF-8).
    #[error("invalid input at {location}: {message}")]
    Input {
        /// Where: `line 3`, `$.text`, a file name.
        location: String,
        /// What was wrong.
        message: String,
    },
    /// The system refused an operation on readable input: a disk that is
    /// full, a file that cannot be written, a directory another process
    /// holds. Not the caller's input's fault; retrying later may succeed.
    #[error("i/o error at {location}: {message}")]
    Io {
        /// What was being done, and where (`outbox /var/spool/x`).
        location: String,
        /// The system's message.
        message: String,
    },
}

impl Error {
    /// The problems of a `Policy` or `Validation` error; empty otherwise.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Policy { problems } | Error::Validation { problems, .. } => problems,
            _ => &[],
        }
    }

    /// A short, stable name of the error's kind (`policy`, `rule`,
    /// `validation`, `input`, `io`), for bindings that expose a code.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Policy { .. } => "policy",
            Error::Rule { .. } => "rule",
            Error::Validation { .. } => "validation",
            Error::Input { .. } => "input",
            Error::Io { .. } => "io",
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_error_lists_every_problem_with_its_path() {
        let e = Error::Policy {
            problems: vec![
                Problem::new("$.actions.prompt.high", "unknown verdict `nope`"),
                Problem::new("$.custom_rules[0].pattern", "regex parse error"),
            ],
        };
        let s = e.to_string();
        assert!(s.contains("$.actions.prompt.high: unknown verdict `nope`"));
        assert!(s.contains("$.custom_rules[0].pattern"));
        assert_eq!(e.problems().len(), 2);
        assert_eq!(e.kind(), "policy");
    }
}
