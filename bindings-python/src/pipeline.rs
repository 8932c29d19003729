//! `Pipeline`: the core's pipeline handle (`govstream::api::PipelineHandle`)
//! delivering on its own thread. This file converts arguments, releases the
//! GIL whenever the core may wait (a callable sink needs it to run) and
//! runs Python callables for `callback` sinks.

use crate::error;
use crate::json;
use crate::record;
use crate::sink::PySink;
use govstream::api::{
    CloseReport, FlushReport, HostSink, PipelineHandle, PipelineSpec, StartOptions,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How long interpreter exit waits for all open pipelines together.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

/// A Python callable as a `callback` sink: the exception it raises becomes
/// the failed delivery's error message.
struct PyHostSink(Py<PyAny>);

impl HostSink for PyHostSink {
    fn deliver(&self, _sink: &str, batch: &[u8]) -> Result<(), String> {
        Python::attach(|py| {
            self.0
                .call1(py, (PyBytes::new(py, batch),))
                .map(|_| ())
                .map_err(|e| format!("the callback raised {e}"))
        })
    }
}

/// Closes every pipeline still open, sharing one deadline. Registered with
/// `atexit`, so it runs while the objects a callable sink uses still exist.
#[pyfunction]
pub(crate) fn close_all(py: Python<'_>) {
    py.detach(|| govstream::api::close_all(EXIT_TIMEOUT));
}

fn duration(py: Python<'_>, what: &str, seconds: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(seconds)
        .map_err(|e| error::input(py, what, format!("`{what}` is not a duration: {e}")))
}

/// What a `flush` or `close` achieved. True (as a bool) only when nothing
/// is left pending and nothing was given up since the previous flush;
/// `complete` is True when nothing is left pending, delivered or given up.
/// The counts cover records resolved since the previous flush.
///
/// >>> import govstream
/// >>> with govstream.Pipeline([govstream.Sink.memory("m")]) as p:
/// ...     p.emit(govstream.Policy.default().evaluate("hello"))
/// ...     r = p.flush()
/// >>> bool(r), r.complete, r.dead_lettered, r.pending
/// (True, True, 0, 0)
#[pyclass(frozen, module = "govstream", name = "FlushResult")]
pub(crate) struct PyFlushResult {
    report: FlushReport,
}

#[pymethods]
impl PyFlushResult {
    /// True when nothing is left pending (delivered, or given up for good).
    #[getter]
    fn complete(&self) -> bool {
        self.report.complete
    }

    /// Records delivered since the previous flush.
    #[getter]
    fn delivered(&self) -> u64 {
        self.report.delivered
    }

    /// Records given up for good since the previous flush (see
    /// `dead_letters`).
    #[getter]
    fn dead_lettered(&self) -> u64 {
        self.report.dead_lettered
    }

    /// Records dropped since the previous flush (see `stats()["dropped"]`).
    #[getter]
    fn dropped(&self) -> u64 {
        self.report.dropped
    }

    /// Records still queued, in flight or waiting to retry.
    #[getter]
    fn pending(&self) -> u64 {
        self.report.pending
    }

    fn __bool__(&self) -> bool {
        self.report.all_delivered()
    }

    fn __repr__(&self) -> String {
        let r = &self.report;
        format!(
            "<govstream.FlushResult complete={} delivered={} dead_lettered={} dropped={} pending={}>",
            if r.complete { "True" } else { "False" },
            r.delivered,
            r.dead_lettered,
            r.dropped,
            r.pending
        )
    }
}

/// Delivers records to sinks on a background thread.
///
/// `emit` only queues; `flush` waits until everything queued is delivered
/// (or given up for good); `close` flushes and stops the thread. As a
/// context manager it closes on exit. Pipelines still open when the
/// interpreter exits are closed then (`atexit`), with 5 seconds for all.
///
/// >>> import govstream
/// >>> policy = govstream.Policy.default()
/// >>> with govstream.Pipeline([govstream.Sink.memory("recent")]) as p:
/// ...     p.emit(policy.evaluate("mail jane.doe@acme.com"))
/// ...     ok = p.flush()
/// ...     [r["record_type"] for r in p.memory_records("recent")]
/// ['event', 'dlp_match']
/// >>> p.stats()[0]["delivered"]
/// 2
#[pyclass(frozen, module = "govstream", name = "Pipeline")]
pub(crate) struct PyPipeline {
    /// `None` only while being dropped.
    handle: Option<PipelineHandle>,
}

impl PyPipeline {
    fn handle(&self, py: Python<'_>) -> PyResult<&PipelineHandle> {
        self.handle
            .as_ref()
            .ok_or_else(|| error::input(py, "pipeline", "the pipeline is closed"))
    }

    fn new_with(handle: PipelineHandle) -> PyPipeline {
        PyPipeline {
            handle: Some(handle),
        }
    }
}

fn hosts_of(
    callbacks: impl IntoIterator<Item = (String, Py<PyAny>)>,
) -> HashMap<String, Arc<dyn HostSink>> {
    callbacks
        .into_iter()
        .map(|(name, f)| (name, Arc::new(PyHostSink(f)) as Arc<dyn HostSink>))
        .collect()
}

fn close_report(report: &CloseReport) -> PyFlushResult {
    PyFlushResult {
        report: report.flush,
    }
}

#[pymethods]
impl PyPipeline {
    /// Starts a pipeline delivering to `sinks` (names must be unique).
    /// With `outbox` (a directory), records are appended to a durable
    /// outbox before delivery, and what was not delivered when the process
    /// stopped is delivered after the next start; one process at a time may
    /// use a directory (give each worker its own). When the outbox cannot
    /// store a record (a full disk), `emit` raises `IoError`
    /// (`outbox_errors="raise"`) or counts the record as dropped
    /// (`outbox_errors="count"`, `stats()["dropped"]["outbox_write_error"]`)
    /// and goes on. `http_timeout` bounds each HTTP request, in seconds.
    ///
    /// Raises `ValidationError` listing every configuration problem, and
    /// `IoError` when the outbox cannot be opened or is in use.
    #[new]
    #[pyo3(signature = (sinks, *, outbox = None, outbox_errors = None, http_timeout = 30.0))]
    fn new(
        py: Python<'_>,
        sinks: Vec<Bound<'_, PySink>>,
        outbox: Option<std::path::PathBuf>,
        outbox_errors: Option<String>,
        http_timeout: f64,
    ) -> PyResult<Self> {
        let outbox = match outbox {
            Some(dir) => {
                let mut spec = serde_json::json!({ "dir": dir.to_string_lossy() });
                if let Some(e) = outbox_errors {
                    spec["on_write_error"] = serde_json::Value::String(e);
                }
                let spec: govstream::api::OutboxSpec = govstream::json_input::from_value(spec, "$")
                    .map_err(|e| error::for_argument(py, e.into()))?;
                Some(spec.config())
            }
            None => None,
        };
        let options = StartOptions {
            outbox,
            http_timeout: duration(py, "http_timeout", http_timeout)?,
            ..StartOptions::default()
        };
        let built = sinks.iter().map(|s| s.get().built.clone()).collect();
        let hosts = hosts_of(sinks.iter().filter_map(|s| {
            let s = s.get();
            s.callback
                .as_ref()
                .map(|f| (s.built.name().to_string(), f.clone_ref(py)))
        }));
        let handle = py
            .detach(|| PipelineHandle::start_built(built, options, hosts))
            .map_err(|e| error::api_to_py(py, &e))?;
        Ok(Self::new_with(handle))
    }

    /// Starts a pipeline from a pipeline spec (`docs/sinks.md`): the dict
    /// `{"sinks": [...], "outbox": {"dir": ...}, "http_timeout_ms": ...,
    /// "notifications": {...}}` that `govstream export --sink-spec` also
    /// reads. `callbacks` maps each `callback` sink's name to its function.
    ///
    /// >>> p = govstream.Pipeline.from_spec({"sinks": [{"kind": "memory", "name": "m"}]})
    /// >>> p.close().complete
    /// True
    #[staticmethod]
    #[pyo3(signature = (spec, *, callbacks = None))]
    fn from_spec(
        py: Python<'_>,
        spec: &Bound<'_, PyAny>,
        callbacks: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let value = json::from_python(spec, "spec")?;
        let spec = PipelineSpec::from_value(value).map_err(|e| error::api_to_py(py, &e))?;
        let mut pairs = Vec::new();
        if let Some(c) = callbacks {
            for (k, v) in c.iter() {
                pairs.push((k.extract::<String>()?, v.unbind()));
            }
        }
        let hosts = hosts_of(pairs);
        let handle = py
            .detach(|| PipelineHandle::start(&spec, hosts))
            .map_err(|e| error::api_to_py(py, &e))?;
        Ok(Self::new_with(handle))
    }

    /// Queues a `Decision`'s records, or one record dict, for every sink.
    /// Never waits for delivery. A sink with `overflow="block"` whose queue
    /// is full makes it wait up to `timeout` seconds for room (default: not
    /// at all) and then raise; the records queued before stay queued.
    ///
    /// Raises `InputError` for a dict that is not a record, for a full
    /// blocking sink, or once the pipeline is closed; `IoError` when the
    /// outbox cannot store the record (a full disk).
    #[pyo3(signature = (record, *, timeout = 0.0))]
    fn emit(&self, py: Python<'_>, record: &Bound<'_, PyAny>, timeout: f64) -> PyResult<()> {
        let timeout = duration(py, "timeout", timeout)?;
        let records = record::records_of(record, "record")?;
        let handle = self.handle(py)?;
        py.detach(|| handle.emit(&records, timeout))
            .map_err(|e| error::api_to_py(py, &e))
    }

    /// Sends everything queued now and waits up to `timeout` seconds until
    /// nothing is queued, in flight or waiting to be retried. Returns a
    /// `FlushResult`, true only when everything was delivered; its
    /// `complete`, `delivered`, `dead_lettered`, `dropped` and `pending`
    /// say what happened otherwise.
    #[pyo3(signature = (timeout = 5.0))]
    fn flush(&self, py: Python<'_>, timeout: f64) -> PyResult<PyFlushResult> {
        let timeout = duration(py, "timeout", timeout)?;
        let handle = self.handle(py)?;
        let report = py
            .detach(|| handle.flush(timeout))
            .map_err(|e| error::api_to_py(py, &e))?;
        Ok(PyFlushResult { report })
    }

    /// Flushes for up to `timeout` seconds, then stops delivery, returning
    /// when the time is up whatever a sink is doing. Records still pending
    /// then are counted as dropped (`shutdown`), or stay in the outbox for
    /// the next start. Returns the final flush's `FlushResult`; closing
    /// again returns the same.
    #[pyo3(signature = (timeout = 5.0))]
    fn close(&self, py: Python<'_>, timeout: f64) -> PyResult<PyFlushResult> {
        let timeout = duration(py, "timeout", timeout)?;
        let handle = self.handle(py)?;
        let report = py.detach(|| handle.close(timeout));
        Ok(close_report(&report))
    }

    /// Every sink's counters, in order: `sink`, `emitted`, `filtered`
    /// (outside the sink's `kinds` / `event_types`; never emitted to it),
    /// `delivered`, `retried`, `dropped` (by reason), `pending`,
    /// `dead_lettered`, `in_flight`, and `last_error` / `last_success_at`
    /// when known.
    /// After `close`, the final counters.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stats = self.handle(py)?.stats();
        json::to_python(py, &stats)
    }

    /// The batches `sink` gave up on for good (refused by the target, or
    /// out of attempts), newest last, as dicts: `sink`, `record_ids`,
    /// `reason`, `status` and `response` when there was an answer, `at`.
    /// Every one is counted in `stats()`; the newest are kept here (see
    /// `dead_letter_capacity`); after `close`, those kept then.
    ///
    /// Raises `InputError` when `sink` is not one of this pipeline's.
    fn dead_letters<'py>(&self, py: Python<'py>, sink: &str) -> PyResult<Bound<'py, PyAny>> {
        let letters = self
            .handle(py)?
            .dead_letters(sink)
            .map_err(|e| error::api_to_py(py, &e))?;
        json::to_python(py, &letters)
    }

    /// The records a memory sink holds, oldest first, as dicts (after
    /// `close`, what it held then).
    ///
    /// Raises `InputError` when `name` is not a memory sink.
    fn memory_records<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let records = self
            .handle(py)?
            .memory_records(name)
            .map_err(|e| error::api_to_py(py, &e))?;
        json::to_python(py, &records)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (_exc_type = None, _exc = None, _traceback = None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        self.close(py, 5.0)?;
        Ok(false)
    }
}

impl Drop for PyPipeline {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            // Dropping the last handle stops delivery, whose thread may be
            // waiting for the GIL to call a Python sink: release it.
            Python::attach(|py| py.detach(move || drop(handle)));
        }
    }
}
