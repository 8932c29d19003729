//! Checks of the arguments sinks are built from: each bad value is an
//! `InputError` naming the argument, raised when the sink is built rather
//! than when the first batch fails.

use crate::error;
use govstream::pipeline::Destination;
use pyo3::prelude::*;

// Errors here name the argument and what it must be, never the value
// given: a URL may hold a password, and a swapped argument may be a token.

/// An `http://` or `https://` URL, or an `InputError` naming `url`.
pub(crate) fn http_url(py: Python<'_>, url: String) -> PyResult<Destination> {
    Destination::http(&url)
        .ok_or_else(|| error::input(py, "url", "expected an http:// or https:// URL with a host"))
}

/// A `host:port` (or `tcp://host:port`) address, or an `InputError`.
pub(crate) fn tcp_address(py: Python<'_>, address: &str) -> PyResult<Destination> {
    Destination::tcp(address).ok_or_else(|| {
        error::input(
            py,
            "address",
            "expected HOST:PORT (or tcp://HOST:PORT) with a port from 1 to 65535 and no user info",
        )
    })
}

/// A non-empty credential, or an `InputError` naming the argument.
pub(crate) fn credential(py: Python<'_>, what: &str, value: String) -> PyResult<String> {
    if value.trim().is_empty() {
        Err(error::input(
            py,
            what,
            format!("`{what}` must not be empty"),
        ))
    } else {
        Ok(value)
    }
}

/// `(key, value)` pairs of a mapping of strings.
pub(crate) fn string_pairs(
    obj: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Vec<(String, String)>> {
    let Some(obj) = obj else {
        return Ok(Vec::new());
    };
    let py = obj.py();
    let bad = |e: PyErr| error::input(py, what, format!("expected a mapping of str to str: {e}"));
    let items = obj.call_method0("items").map_err(bad)?;
    let mut pairs = Vec::new();
    for item in items.try_iter().map_err(bad)? {
        pairs.push(
            item.and_then(|i| i.extract::<(String, String)>())
                .map_err(bad)?,
        );
    }
    pairs.sort();
    Ok(pairs)
}

/// Whole milliseconds of a non-negative, finite number of seconds.
pub(crate) fn millis(py: Python<'_>, what: &str, seconds: f64) -> PyResult<u64> {
    if (0.0..1e12).contains(&seconds) {
        Ok((seconds * 1000.0).round() as u64)
    } else {
        Err(error::input(
            py,
            what,
            format!("`{what}` must be a non-negative number of seconds"),
        ))
    }
}

/// One of `choices`, or an `InputError` listing them.
pub(crate) fn choice<'a>(
    py: Python<'_>,
    what: &str,
    value: &str,
    choices: &[&'a str],
) -> PyResult<&'a str> {
    choices
        .iter()
        .find(|c| **c == value)
        .copied()
        .ok_or_else(|| error::input(py, what, format!("`{what}` must be one of {choices:?}")))
}
