//! Values cross the boundary as JSON: the core's serde types become plain
//! Python dicts and lists through the standard `json` module, so a dict from
//! `to_dict()` is exactly what `to_json()` would print.

use crate::error;
use pyo3::prelude::*;
use serde::Serialize;

/// `value` as the Python object `json.loads` makes of its JSON.
pub(crate) fn to_python<'py, T: Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = to_string(py, value)?;
    py.import("json")?.call_method1("loads", (text,))
}

/// `value` as compact JSON.
pub(crate) fn to_string<T: Serialize>(py: Python<'_>, value: &T) -> PyResult<String> {
    serde_json::to_string(value)
        .map_err(|e| error::input(py, "output", format!("cannot serialize: {e}")))
}

/// A Python object (dict, list, str, number, bool, None) as a JSON value;
/// anything `json.dumps` rejects is an `InputError` at `location`.
pub(crate) fn from_python(obj: &Bound<'_, PyAny>, location: &str) -> PyResult<serde_json::Value> {
    let py = obj.py();
    let text: String = py
        .import("json")?
        .call_method1("dumps", (obj,))
        .map_err(|e| error::input(py, location, e.to_string()))?
        .extract()?;
    serde_json::from_str(&text).map_err(|e| error::input(py, location, e.to_string()))
}

/// The JSON name of a unit enum value (`EventType::Warned` → `warned`).
pub(crate) fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => e.to_string(),
    }
}
