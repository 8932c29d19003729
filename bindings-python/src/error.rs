//! The exception hierarchy: `GovstreamError` and one subclass per kind of
//! `govstream::Error`, each carrying the error's fields as attributes.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyUserWarning};
use pyo3::prelude::*;

create_exception!(
    govstream,
    GovstreamError,
    PyException,
    "Base class of every error govstream raises; `kind` names the kind."
);
create_exception!(
    govstream,
    PolicyError,
    GovstreamError,
    "A policy document failed to compile; `problems` lists every (json_path, message)."
);
create_exception!(
    govstream,
    RuleError,
    GovstreamError,
    "A DLP rule failed to compile; `rule_id` names it."
);
create_exception!(
    govstream,
    ValidationError,
    GovstreamError,
    "A record or payload failed validation; `what` and `problems` say how."
);
create_exception!(
    govstream,
    InputError,
    GovstreamError,
    "Input that could not be read at all; `location` says where."
);

create_exception!(
    govstream,
    IoError,
    GovstreamError,
    "The system refused an operation (a full disk, an unwritable file, an outbox another process holds); `location` says what was being done."
);

create_exception!(
    govstream,
    ScanTruncatedWarning,
    PyUserWarning,
    "Warned by `Policy.scan` and `Policy.redact` when a text is longer than the policy's scan limit (`limits.max_scan_bytes`): the matches cover only the scanned prefix, and `redact` replaced the rest with `[UNSCANNED:<n> bytes]`."
);

/// Warns [`ScanTruncatedWarning`] for a text scanned up to `scanned`
/// characters only.
pub(crate) fn warn_truncated(py: Python<'_>, what: &str, scanned: usize) -> PyResult<()> {
    let message = std::ffi::CString::new(format!(
        "{what}: only the first {scanned} characters were scanned (limits.max_scan_bytes)"
    ))
    .unwrap_or_default();
    PyErr::warn(py, &py.get_type::<ScanTruncatedWarning>(), &message, 1)
}

/// The exception for a core error, with `kind`, `problems` and the
/// variant's own fields set on it.
pub(crate) fn to_py(py: Python<'_>, e: &govstream::Error) -> PyErr {
    use govstream::Error;
    let message = e.to_string();
    let (err, extra): (PyErr, Vec<(&str, &str)>) = match e {
        Error::Policy { .. } => (PolicyError::new_err(message), vec![]),
        Error::Rule { rule_id, .. } => (RuleError::new_err(message), vec![("rule_id", rule_id)]),
        Error::Validation { what, .. } => (ValidationError::new_err(message), vec![("what", what)]),
        Error::Input { location, .. } => {
            (InputError::new_err(message), vec![("location", location)])
        }
        Error::Io { location, .. } => (IoError::new_err(message), vec![("location", location)]),
        _ => (GovstreamError::new_err(message), vec![]),
    };
    let problems: Vec<(String, String)> = e
        .problems()
        .iter()
        .map(|p| (p.path.clone(), p.message.clone()))
        .collect();
    let value = err.value(py);
    let annotated = value
        .setattr("kind", e.kind())
        .and_then(|()| value.setattr("problems", problems))
        .and_then(|()| {
            extra
                .into_iter()
                .try_for_each(|(name, v)| value.setattr(name, v))
        });
    match annotated {
        Ok(()) => err,
        Err(failed) => failed,
    }
}

/// An `InputError` for a value the binding could not convert.
pub(crate) fn input(py: Python<'_>, location: &str, message: impl Into<String>) -> PyErr {
    to_py(
        py,
        &govstream::Error::Input {
            location: location.to_string(),
            message: message.into(),
        },
    )
}
