//! Audit events: `audit_event(...)` over `AuditEventBuilder`, and
//! `parse_keycloak(text)` over the Keycloak events-log reader.

use crate::error;
use crate::json;
use govstream::api::{AuditEventInput, KeycloakInput};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use serde_json::{Map, Value};

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
    let metadata = match metadata.filter(|m| !m.is_none()) {
        Some(m) => match json::from_python(m, "metadata")? {
            Value::Object(map) => map,
            _ => return Err(error::input(py, "metadata", "must be a dict")),
        },
        None => Map::new(),
    };
    let input = AuditEventInput {
        event_type: event_type.to_string(),
        request_id,
        user_id,
        user_email,
        org_id,
        date_time,
        metadata,
        ..AuditEventInput::default()
    };
    let now = govstream::clock::now_ms();
    let record = govstream::api::audit_event(input, now).map_err(|e| error::api_to_py(py, &e))?;
    json::to_python(py, &record)
}

/// Reads a Keycloak server log: one `Auth:` audit record per `LOGIN`,
/// `LOGIN_ERROR`, `LOGOUT` or `LOGOUT_ERROR` line of the events logger (a
/// failure carries `event_metadata["outcome"] == "failure"` and Keycloak's
/// `error`; a refused logout is `Auth:Logout`). Returns a dict with
/// `events` (record dicts), `problems` (one per events-logger line that gave
/// no event, in the shape `govstream audit keycloak` prints: `line`
/// counting from 1, `kind`, `detail`, `error`, `text_excerpt`) and
/// `skipped_lines` (other loggers). `utc_offset` (`+02:00`, `-05:00`) is
/// the log's local time offset (default UTC); `org_id` fills every event's
/// org. Never raises for a bad line; raises `ValidationError` (problem
/// `$.utc_offset`) for a bad `utc_offset`.
///
/// >>> import govstream
/// >>> r = govstream.parse_keycloak("")
/// >>> r["events"], r["problems"], r["skipped_lines"]
/// ([], [], 0)
#[pyfunction]
#[pyo3(signature = (text, *, utc_offset = None, org_id = None))]
pub(crate) fn parse_keycloak<'py>(
    py: Python<'py>,
    text: PyBackedStr,
    utc_offset: Option<String>,
    org_id: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let input = KeycloakInput {
        text: text.to_string(),
        utc_offset,
        org_id,
    };
    let report = py
        .detach(|| govstream::api::parse_keycloak(&input))
        .map_err(|e| error::api_to_py(py, &e))?;
    json::to_python(py, &report)
}
