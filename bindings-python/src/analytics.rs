//! `summarize(records)`: the dashboards' numbers over a list of records,
//! computed by `govstream::analytics::Analytics`.

use crate::json;
use crate::record;
use govstream::analytics::{Analytics, AnalyticsOptions};
use pyo3::prelude::*;

/// Summarizes records (dicts as `Decision.records()` makes them, or
/// `Decision`s) as of `now_ms` (milliseconds since the epoch; default now):
/// counts per verdict, DLP events, high and critical matches, the top
/// patterns and seven daily buckets. Only the newest `scan_cap` events
/// count (`None`: all); shadow-AI and audit records are ignored.
///
/// Raises `InputError` for an item that is not a record.
///
/// >>> import govstream
/// >>> d = govstream.Policy.default().evaluate("mail jane.doe@acme.com")
/// >>> s = govstream.summarize([d])
/// >>> s["events"], s["dlp_events"], s["top_patterns"][0]["rule_id"]
/// (1, 1, 'pii.email')
#[pyfunction]
#[pyo3(
    signature = (records, now_ms = None, *, scan_cap = Some(5_000), top_patterns = 20),
    text_signature = "(records, now_ms=None, *, scan_cap=5000, top_patterns=20)"
)]
pub(crate) fn summarize<'py>(
    py: Python<'py>,
    records: Vec<Bound<'py, PyAny>>,
    now_ms: Option<i64>,
    scan_cap: Option<usize>,
    top_patterns: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let mut all = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        all.extend(record::records_of(r, &format!("records[{i}]"))?);
    }
    let now = now_ms.unwrap_or_else(govstream::clock::now_ms);
    let options = AnalyticsOptions {
        scan_cap,
        top_patterns,
    };
    let summary = py.detach(move || Analytics::summarize(&all, now, options));
    json::to_python(py, &summary)
}
