//! The `govstream._govstream` extension module: thin wrappers over the
//! core's binding-neutral API (`govstream::api`) that convert values, map
//! errors to exceptions, handle the GIL and use Python names. Checks,
//! defaults and state machines live in the core.
//! The public package `govstream` re-exports everything from here.

mod analytics;
mod audit;
mod error;
mod json;
mod pipeline;
mod policy;
mod record;
mod shadow;
mod sink;
mod stream;

use pyo3::prelude::*;

#[pymodule]
fn _govstream(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("GovstreamError", py.get_type::<error::GovstreamError>())?;
    m.add("PolicyError", py.get_type::<error::PolicyError>())?;
    m.add("RuleError", py.get_type::<error::RuleError>())?;
    m.add("ValidationError", py.get_type::<error::ValidationError>())?;
    m.add("InputError", py.get_type::<error::InputError>())?;
    m.add("IoError", py.get_type::<error::IoError>())?;
    m.add(
        "ScanTruncatedWarning",
        py.get_type::<error::ScanTruncatedWarning>(),
    )?;
    m.add_class::<policy::PyPolicy>()?;
    m.add_class::<policy::PyDecision>()?;
    m.add_class::<policy::PyMatch>()?;
    m.add_class::<sink::PySink>()?;
    m.add_class::<pipeline::PyPipeline>()?;
    m.add_class::<pipeline::PyFlushResult>()?;
    m.add_class::<stream::PyStreamRedactor>()?;
    m.add_class::<analytics::PyAnalytics>()?;
    m.add_function(wrap_pyfunction!(policy::builtin_rules, m)?)?;
    m.add_function(wrap_pyfunction!(shadow::classify, m)?)?;
    m.add_function(wrap_pyfunction!(analytics::summarize, m)?)?;
    m.add_function(wrap_pyfunction!(audit::audit_event, m)?)?;
    m.add_function(wrap_pyfunction!(audit::parse_keycloak, m)?)?;
    // Not exported: only interpreter exit calls it.
    let close_all = wrap_pyfunction!(pipeline::close_all, m)?;
    py.import("atexit")?
        .call_method1("register", (close_all,))?;
    Ok(())
}
