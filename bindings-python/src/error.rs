//! The exception hierarchy: `GovstreamError` and one subclass per kind of
//! `govstream::Error`, each carrying the error's fields as attributes.

use govstream::api::{ApiError, ErrorKind};
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

/// The exception for an API error: one table from `kind` to exception
/// class, with `kind`, `problems` and the kind's own fields set on it.
/// `closed` and `full` (a pipeline's refusals) are `InputError`s.
pub(crate) fn api_to_py(py: Python<'_>, e: &ApiError) -> PyErr {
    let message = e.message.clone();
    let err = match e.kind {
        ErrorKind::Policy => PolicyError::new_err(message),
        ErrorKind::Rule => RuleError::new_err(message),
        ErrorKind::Validation => ValidationError::new_err(message),
        ErrorKind::Input | ErrorKind::Closed | ErrorKind::Full => InputError::new_err(message),
        ErrorKind::Io => IoError::new_err(message),
        _ => GovstreamError::new_err(message),
    };
    let problems: Vec<(String, String)> = e
        .problems
        .iter()
        .map(|p| (p.path.clone(), p.message.clone()))
        .collect();
    let value = err.value(py);
    let fields = [
        ("location", e.location.as_deref()),
        ("rule_id", e.rule_id.as_deref()),
        ("what", e.what.as_deref()),
    ];
    let annotated = value
        .setattr("kind", e.kind.as_str())
        .and_then(|()| value.setattr("problems", problems))
        .and_then(|()| {
            fields
                .into_iter()
                .filter_map(|(name, v)| v.map(|v| (name, v)))
                .try_for_each(|(name, v)| value.setattr(name, v))
        });
    match annotated {
        Ok(()) => err,
        Err(failed) => failed,
    }
}

/// The exception for a core error.
pub(crate) fn to_py(py: Python<'_>, e: &govstream::Error) -> PyErr {
    api_to_py(py, &ApiError::from(e))
}

/// An `InputError` for a value the binding could not convert.
pub(crate) fn input(py: Python<'_>, location: &str, message: impl Into<String>) -> PyErr {
    api_to_py(py, &ApiError::input(location, message))
}

/// An API error raised for a keyword argument: a location below `$.`,
/// `$.context.` or `$.options.` becomes the argument's name (`$.headers.x`
/// → `headers`, `$.options.event_types[1]` → `event_types`),
/// and a `validation` error with problems becomes an `InputError` naming
/// the first one's argument (the checks that run when a value is built).
pub(crate) fn for_argument(py: Python<'_>, e: ApiError) -> PyErr {
    let argument = |path: &str| {
        let rest = path
            .strip_prefix("$.context.")
            .or_else(|| path.strip_prefix("$.options."))
            .or_else(|| path.strip_prefix("$."))
            .unwrap_or(path);
        rest.split(['.', '[']).next().unwrap_or(rest).to_string()
    };
    if e.kind == ErrorKind::Validation
        && let Some(first) = e.problems.first()
    {
        return input(py, &argument(&first.path), first.message.clone());
    }
    let mut e = e;
    if e.kind == ErrorKind::Input {
        e.location = e.location.as_deref().map(|l| argument(l).into());
    }
    api_to_py(py, &e)
}
