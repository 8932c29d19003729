//! `classify(url, policy=None)`: the shadow-AI classifier, answering with
//! the same keys as `govstream classify` prints.

use crate::error;
use crate::json;
use crate::policy::PyPolicy;
use govstream::api::{ApiError, CompiledPolicy};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;
use std::sync::OnceLock;

/// Built once per process: the default policy, with its classifier.
static DEFAULT: OnceLock<Result<CompiledPolicy, ApiError>> = OnceLock::new();

/// Is this URL or host an AI tool, and may the org use it?
///
/// Returns a dict with exactly the keys `input`, `host`, `status`, `tool`,
/// `vendor`, `category` and `severity` (unknown values are `None`). Without
/// a policy, the default policy's lists apply. Statuses: `approved`,
/// `unapproved` (blocked, or missing from an approved list), `unknown_ai`,
/// `not_ai`.
///
/// >>> import govstream
/// >>> govstream.classify("https://chatgpt.com/c/1")["status"]
/// 'unknown_ai'
/// >>> govstream.classify("example.com")["status"]
/// 'not_ai'
#[pyfunction]
#[pyo3(signature = (url, policy=None))]
pub(crate) fn classify<'py>(
    py: Python<'py>,
    url: PyBackedStr,
    policy: Option<&Bound<'py, PyPolicy>>,
) -> PyResult<Bound<'py, PyDict>> {
    let compiled = match policy {
        Some(p) => p.get().compiled(),
        None => default_policy(py)?,
    };
    let c = py.detach(|| compiled.classify(&url));
    // Built key by key so the dict keeps the CLI's key order.
    let out = PyDict::new(py);
    out.set_item("input", c.input)?;
    out.set_item("host", c.host)?;
    out.set_item("status", c.status.as_str())?;
    out.set_item("tool", c.tool)?;
    out.set_item("vendor", c.vendor)?;
    out.set_item("category", c.category.as_ref().map(json::name))?;
    out.set_item("severity", c.severity.as_str())?;
    Ok(out)
}

fn default_policy(py: Python<'_>) -> PyResult<&'static CompiledPolicy> {
    let built = DEFAULT.get_or_init(|| py.detach(CompiledPolicy::default_policy));
    built.as_ref().map_err(|e| error::api_to_py(py, e))
}
