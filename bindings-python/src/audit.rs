//! Audit events: `audit_event(...)` over `AuditEventBuilder`, and
//! `parse_keycloak(text)` over the Keycloak events-log reader.

use crate::error;
use crate::json;
use govstream::audit::{AuditEventBuilder, parse_keycloak as parse};
use govstream::schema::ApiEventType;
use govstream::{Error, Problem};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

/// Builds an audit record dict of `event_type` (`"Admin:RoleAssignment"`,
/// `"Guard:Analyze"`, …; see `docs/audit.md`), with a fresh `event_id` and
/// the current time. `metadata` fills `event_metadata`.
///
/// Raises `ValidationError` listing every problem with its JSON path: an
/// unknown type, an empty `request_id`, each required metadata key missing.
///
/// >>> import govstream
/// >>> e = govstream.audit_event("Guard:Analyze", request_id="req-42",
/// ...                           metadata={"policy_method": "dlp"})
/// >>> e["record_type"], e["event_type"]
/// ('audit_event', 'Guard:Analyze')
#[pyfunction]
#[pyo3(signature = (
    event_type, *, request_id, user_id = None, user_email = None, org_id = None,
    date_time = None, metadata = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn audit_event<'py>(
    py: Python<'py>,
    event_type: &str,
    request_id: String,
    user_id: Option<String>,
    user_email: Option<String>,
    org_id: Option<String>,
    date_time: Option<String>,
    metadata: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let Some(kind) = ApiEventType::parse(event_type) else {
        let known: Vec<&str> = ApiEventType::ALL.iter().map(|t| t.as_str()).collect();
        let e = Error::Validation {
            what: "audit event".into(),
            problems: vec![Problem::new(
                "$.event_type",
                // The value is not repeated: a misplaced argument may be
                // anything, a credential included.
                format!("unknown event type; expected one of: {}", known.join(", ")),
            )],
        };
        return Err(error::to_py(py, &e));
    };
    let mut b = AuditEventBuilder::new(kind).request_id(request_id);
    if let Some(v) = user_id {
        b = b.user_id(v);
    }
    if let Some(v) = user_email {
        b = b.user_email(v);
    }
    if let Some(v) = org_id {
        b = b.org_id(v);
    }
    if let Some(v) = date_time {
        b = b.date_time(v);
    }
    if let Some(m) = metadata {
        match json::from_python(m, "metadata")? {
            Value::Object(map) => {
                for (k, v) in map {
                    b = b.metadata(k, v);
                }
            }
            _ => return Err(error::input(py, "metadata", "must be a dict")),
        }
    }
    let event = b.build().map_err(|e| error::to_py(py, &e))?;
    json::to_python(py, &govstream::schema::Record::AuditEvent(event))
}

/// Reads a Keycloak server log: one `Auth:` audit record per `LOGIN`,
/// `LOGIN_ERROR` or `LOGOUT` line of the events logger. Returns a dict with
/// `events` (record dicts), `problems` (one per events-logger line that gave
/// no event: `line` counting from 1, `kind`, `detail`, `message`,
/// `text_excerpt`) and `skipped_lines` (other loggers). Never raises for a
/// bad line.
///
/// >>> import govstream
/// >>> r = govstream.parse_keycloak("")
/// >>> r["events"], r["problems"], r["skipped_lines"]
/// ([], [], 0)
#[pyfunction]
pub(crate) fn parse_keycloak<'py>(
    py: Python<'py>,
    text: PyBackedStr,
) -> PyResult<Bound<'py, PyDict>> {
    let report = py.detach(|| parse(&text));
    let events: Vec<govstream::schema::Record> = report
        .events
        .into_iter()
        .map(govstream::schema::Record::AuditEvent)
        .collect();
    let problems = PyList::empty(py);
    for p in &report.problems {
        let d = PyDict::new(py);
        d.set_item("line", p.line)?;
        let (kind, detail) = match &p.kind {
            govstream::audit::LineProblemKind::UnknownType(t) => ("unknown_type", t),
            govstream::audit::LineProblemKind::Malformed(why) => ("malformed", why),
        };
        d.set_item("kind", kind)?;
        d.set_item("detail", detail)?;
        d.set_item("message", p.kind.to_string())?;
        d.set_item("text_excerpt", &p.text_excerpt)?;
        problems.append(d)?;
    }
    let out = PyDict::new(py);
    out.set_item("events", json::to_python(py, &events)?)?;
    out.set_item("problems", problems)?;
    out.set_item("skipped_lines", report.skipped_lines)?;
    Ok(out)
}
