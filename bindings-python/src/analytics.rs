//! `Analytics` and `summarize(records)`: the dashboards' numbers over
//! records, computed by `govstream::analytics::Analytics`.

use crate::json;
use crate::record;
use govstream::analytics::{Analytics, AnalyticsOptions, AnalyticsSummary, render_html};
use pyo3::prelude::*;
use std::sync::{Mutex, MutexGuard, PoisonError};

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

/// Dashboard numbers, aggregated as records arrive: `add` a `Decision` or
/// a record dict (or `extend` with many), read `summary()` at any time and
/// go on adding. Counts are as of `now_ms` (milliseconds since the epoch;
/// default: when it was created): the seven daily buckets end that day.
/// Only the newest `scan_cap` events count (`None`: all); shadow-AI and
/// audit records are ignored. Safe to share between threads.
///
/// >>> import govstream
/// >>> analytics = govstream.Analytics()
/// >>> analytics.add(govstream.Policy.default().evaluate("mail jane.doe@acme.com"))
/// >>> analytics.extend([govstream.Policy.default().evaluate("hello")])
/// >>> s = analytics.summary()
/// >>> s["events"], s["dlp_events"], s["top_patterns"][0]["rule_id"]
/// (2, 1, 'pii.email')
/// >>> "<svg" in analytics.report_html("AI usage this week")
/// True
#[pyclass(frozen, module = "govstream", name = "Analytics")]
pub(crate) struct PyAnalytics {
    inner: Mutex<Analytics>,
}

impl PyAnalytics {
    fn lock(&self) -> MutexGuard<'_, Analytics> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn snapshot(&self) -> AnalyticsSummary {
        self.lock().clone().finish()
    }
}

#[pymethods]
impl PyAnalytics {
    #[new]
    #[pyo3(
        signature = (now_ms = None, *, scan_cap = Some(5_000), top_patterns = 20),
        text_signature = "(now_ms=None, *, scan_cap=5000, top_patterns=20)"
    )]
    fn new(now_ms: Option<i64>, scan_cap: Option<usize>, top_patterns: usize) -> Self {
        let now = now_ms.unwrap_or_else(govstream::clock::now_ms);
        let options = AnalyticsOptions {
            scan_cap,
            top_patterns,
        };
        PyAnalytics {
            inner: Mutex::new(Analytics::with_options(now, options)),
        }
    }

    /// Adds a `Decision`'s records, or one record dict.
    ///
    /// Raises `InputError` for a dict that is not a record; nothing is
    /// added then.
    fn add(&self, record: &Bound<'_, PyAny>) -> PyResult<()> {
        let records = record::records_of(record, "record")?;
        self.lock().extend(&records);
        Ok(())
    }

    /// Adds every item of `records` (Decisions or record dicts).
    ///
    /// Raises `InputError` naming the first item that is not a record;
    /// nothing is added then.
    fn extend(&self, py: Python<'_>, records: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut all = Vec::new();
        for (i, r) in records.try_iter()?.enumerate() {
            all.extend(record::records_of(&r?, &format!("records[{i}]"))?);
        }
        py.detach(|| self.lock().extend(&all));
        Ok(())
    }

    /// The numbers so far, as a dict: `events` and `dlp_matches` counted,
    /// `verdicts` (events per verdict), `dlp_events`, `blocked_by_dlp`,
    /// `high_or_above_events`, `critical_events`, `high_or_above_matches`,
    /// `critical_matches`, `top_patterns`, `daily` (seven UTC days, oldest
    /// first, with their verdicts), `oldest` / `newest` timestamps, and
    /// what was left out: `capped`, `events_skipped`,
    /// `dlp_matches_skipped`, `invalid_timestamps`.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let summary = py.detach(|| self.snapshot());
        json::to_python(py, &summary)
    }

    /// The numbers so far as a self-contained HTML page (inline SVG charts
    /// and tables, no scripts) titled `title`.
    #[pyo3(signature = (title = "govstream analytics"))]
    fn report_html(&self, py: Python<'_>, title: &str) -> String {
        py.detach(|| render_html(&self.snapshot(), title))
    }

    fn __repr__(&self) -> String {
        let s = self.snapshot();
        format!("<govstream.Analytics events={}>", s.events)
    }
}
