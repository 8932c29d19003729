//! What the pipeline and analytics accept as records: a `Decision` (its
//! records) or a record dict, as `Decision.records()` makes them.

use crate::error;
use crate::json;
use crate::policy::PyDecision;
use govstream::json_input::from_value;
use govstream::schema::Record;
use pyo3::prelude::*;

/// The records of `obj`: a `Decision`'s records, or one record dict.
pub(crate) fn records_of(obj: &Bound<'_, PyAny>, location: &str) -> PyResult<Vec<Record>> {
    if let Ok(d) = obj.cast::<PyDecision>() {
        return Ok(d.get().decision().records());
    }
    let py = obj.py();
    let value = json::from_python(obj, location)?;
    // The core words the error by path (`records[3].record_type`), never
    // by the value found there.
    from_value::<Record>(value, location)
        .map(|r| vec![r])
        .map_err(|e| match e {
            govstream::Error::Input { location, message } => {
                error::input(py, &location, format!("not a record: {message}"))
            }
            other => error::to_py(py, &other),
        })
}
