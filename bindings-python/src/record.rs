//! What the pipeline and analytics accept as records: a `Decision` (its
//! records) or a record dict, as `Decision.records()` makes them.

use crate::error;
use crate::json;
use crate::policy::PyDecision;
use govstream::schema::Record;
use pyo3::prelude::*;

/// The records of `obj`: a `Decision`'s records, or one record dict.
pub(crate) fn records_of(obj: &Bound<'_, PyAny>, location: &str) -> PyResult<Vec<Record>> {
    if let Ok(d) = obj.cast::<PyDecision>() {
        return Ok(d.get().decision().records());
    }
    let py = obj.py();
    let value = json::from_python(obj, location)?;
    serde_json::from_value::<Record>(value)
        .map(|r| vec![r])
        .map_err(|e| error::input(py, location, format!("not a record: {e}")))
}
