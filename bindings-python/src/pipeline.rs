//! `Pipeline`: the core's native delivery driver. Records are queued by
//! `emit` and delivered by the driver's background thread to the sinks
//! (`sink.rs`). The GIL is released whenever this thread waits for the
//! driver, because a callable sink needs it to run.

use crate::error;
use crate::json;
use crate::record;
use crate::sink::PySink;
use govstream::pipeline::driver::{Callback, Completion, Driver, DriverOptions, EmitError};
use govstream::pipeline::outbox::OutboxConfig;
use govstream::pipeline::{DeadLetter, Destination, Pipeline, SinkSpec, SinkStats};
use govstream::schema::Record;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

/// The Rust side of a Python callable sink: the exception it raises becomes
/// the failed delivery's error message.
fn callback_of(f: Py<PyAny>) -> Callback {
    Arc::new(move |_sink: &str, body: &[u8]| {
        Python::attach(|py| {
            f.call1(py, (PyBytes::new(py, body),))
                .map(|_| ())
                .map_err(|e| format!("the callback raised {e}"))
        })
    })
}

enum State {
    Running {
        driver: Arc<Driver>,
        memory_sinks: Vec<String>,
    },
    Closed {
        done: bool,
        stats: Vec<SinkStats>,
        memory: HashMap<String, Vec<Record>>,
        dead_letters: HashMap<String, Vec<DeadLetter>>,
    },
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
    state: Arc<Mutex<State>>,
}

/// Every pipeline not yet dropped, for `close_all` at interpreter exit.
static LIVE: Mutex<Vec<Weak<Mutex<State>>>> = Mutex::new(Vec::new());

/// How long interpreter exit waits for all open pipelines together.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Closes every pipeline still open, sharing one deadline. Registered with
/// `atexit`, so it runs while the objects a callable sink uses still exist;
/// without it, records queued for such a sink at exit would be dropped.
#[pyfunction]
pub(crate) fn close_all(py: Python<'_>) {
    let live: Vec<Arc<Mutex<State>>> = lock_live().drain(..).filter_map(|w| w.upgrade()).collect();
    let deadline = Instant::now() + EXIT_TIMEOUT;
    for state in live {
        close_state(
            py,
            &state,
            deadline.saturating_duration_since(Instant::now()),
        );
    }
}

fn lock_live() -> MutexGuard<'static, Vec<Weak<Mutex<State>>>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Flushes for up to `timeout`, stops the driver and keeps its final
/// stats, memory records and dead letters. True when everything pending
/// was delivered or given up; closing again returns the same.
fn close_state(py: Python<'_>, state: &Mutex<State>, timeout: Duration) -> bool {
    // Taken out under the lock, closed without it: another thread's
    // call must not wait for the lock while holding the GIL the
    // delivery thread may need. Meanwhile the pipeline reads as closed.
    let running = std::mem::replace(&mut *lock(state), State::closed(false));
    let (driver, memory_sinks) = match running {
        State::Running {
            driver,
            memory_sinks,
        } => (driver, memory_sinks),
        closed @ State::Closed { .. } => {
            let done = matches!(closed, State::Closed { done: true, .. });
            *lock(state) = closed;
            return done;
        }
    };
    let closed = py.detach(move || {
        let done = driver.flush(timeout) == Completion::Done;
        let memory: HashMap<String, Vec<Record>> = memory_sinks
            .into_iter()
            .map(|name| {
                let records = driver.memory_records(&name);
                (name, records)
            })
            .collect();
        let dead_letters: HashMap<String, Vec<DeadLetter>> = driver
            .stats()
            .into_iter()
            .map(|s| {
                let letters = driver.dead_letters(&s.sink);
                (s.sink, letters)
            })
            .collect();
        let stats = match Arc::try_unwrap(driver) {
            Ok(d) => d.shutdown(Duration::ZERO).1,
            // Another thread is flushing; it drops the last reference
            // (which stops the thread) when its flush returns.
            Err(shared) => shared.stats(),
        };
        State::Closed {
            done,
            stats,
            memory,
            dead_letters,
        }
    });
    let done = matches!(closed, State::Closed { done: true, .. });
    *lock(state) = closed;
    done
}

impl State {
    fn closed(done: bool) -> Self {
        State::Closed {
            done,
            stats: Vec::new(),
            memory: HashMap::new(),
            dead_letters: HashMap::new(),
        }
    }
}

impl PyPipeline {
    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The running driver, or an `InputError` once closed.
    fn driver(&self, py: Python<'_>) -> PyResult<Arc<Driver>> {
        match &*self.lock() {
            State::Running { driver, .. } => Ok(Arc::clone(driver)),
            State::Closed { .. } => Err(error::input(py, "pipeline", "the pipeline is closed")),
        }
    }
}

fn duration(py: Python<'_>, what: &str, seconds: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(seconds)
        .map_err(|e| error::input(py, what, format!("`{what}` is not a duration: {e}")))
}

#[pymethods]
impl PyPipeline {
    /// Starts a pipeline delivering to `sinks` (names must be unique).
    /// With `outbox` (a directory), records are appended to a durable
    /// outbox before delivery, and what was not delivered when the process
    /// stopped is delivered after the next start. `http_timeout` bounds
    /// each HTTP request, in seconds.
    ///
    /// Raises `ValidationError` listing every configuration problem, and
    /// `InputError` when the outbox cannot be opened.
    #[new]
    #[pyo3(signature = (sinks, *, outbox = None, http_timeout = 30.0))]
    fn new(
        py: Python<'_>,
        sinks: Vec<Bound<'_, PySink>>,
        outbox: Option<std::path::PathBuf>,
        http_timeout: f64,
    ) -> PyResult<Self> {
        let mut specs = Vec::with_capacity(sinks.len());
        let mut options = DriverOptions {
            outbox: outbox.map(OutboxConfig::new),
            http_timeout: Some(duration(py, "http_timeout", http_timeout)?),
            ..DriverOptions::default()
        };
        let mut memory_sinks = Vec::new();
        for s in &sinks {
            let s = s.get();
            if let Some(f) = &s.callback {
                let f = f.clone_ref(py);
                options
                    .callbacks
                    .insert(s.config.name.clone(), callback_of(f));
            }
            if matches!(s.destination, Destination::Memory { .. }) {
                memory_sinks.push(s.config.name.clone());
            }
            specs.push(SinkSpec::new(
                s.config.clone(),
                s.encoder(),
                s.destination.clone(),
            ));
        }
        // The seed only spreads retries out; any value is correct.
        let seed = govstream::clock::now_ms().unsigned_abs();
        let pipeline = Pipeline::new(specs, seed).map_err(|e| error::to_py(py, &e))?;
        let driver = Driver::start(pipeline, options).map_err(|e| error::to_py(py, &e))?;
        let state = Arc::new(Mutex::new(State::Running {
            driver: Arc::new(driver),
            memory_sinks,
        }));
        let mut live = lock_live();
        live.retain(|w| w.strong_count() > 0);
        live.push(Arc::downgrade(&state));
        Ok(PyPipeline { state })
    }

    /// Queues a `Decision`'s records, or one record dict, for every sink.
    /// Never waits for delivery. A sink with `overflow="block"` whose queue
    /// is full makes it wait up to `timeout` seconds for room (default: not
    /// at all) and then raise; the records queued before stay queued.
    ///
    /// Raises `InputError` for a dict that is not a record, for a full
    /// blocking sink, or once the pipeline is closed.
    #[pyo3(signature = (record, *, timeout = 0.0))]
    fn emit(&self, py: Python<'_>, record: &Bound<'_, PyAny>, timeout: f64) -> PyResult<()> {
        let timeout = duration(py, "timeout", timeout)?;
        let records = record::records_of(record, "record")?;
        let driver = self.driver(py)?;
        // Detached: if `close` ran meanwhile, this reference is the last one
        // and dropping it joins the delivery thread, which may be waiting
        // for the GIL to call a Python sink.
        let emitted = py.detach(move || {
            records.iter().try_for_each(|r| {
                if timeout.is_zero() {
                    driver.emit(r)
                } else {
                    driver.emit_wait(r, timeout)
                }
            })
        });
        emitted.map_err(|e| match e {
            EmitError::Outbox(e) => error::to_py(py, &e),
            EmitError::Full(full) => error::input(py, "pipeline", full.to_string()),
        })
    }

    /// Sends everything queued now and waits up to `timeout` seconds until
    /// nothing is queued, in flight or waiting to be retried. Returns False
    /// when time ran out.
    #[pyo3(signature = (timeout = 5.0))]
    fn flush(&self, py: Python<'_>, timeout: f64) -> PyResult<bool> {
        let timeout = duration(py, "timeout", timeout)?;
        let driver = self.driver(py)?;
        // Detached: the delivery thread needs the GIL to call a Python sink,
        // and the last reference to the driver may be dropped here.
        Ok(py.detach(move || driver.flush(timeout) == Completion::Done))
    }

    /// Flushes for up to `timeout` seconds, then stops the delivery thread.
    /// Records still pending then are counted as dropped (`shutdown`).
    /// Returns False when time ran out; closing again returns the same.
    #[pyo3(signature = (timeout = 5.0))]
    fn close(&self, py: Python<'_>, timeout: f64) -> PyResult<bool> {
        let timeout = duration(py, "timeout", timeout)?;
        Ok(close_state(py, &self.state, timeout))
    }

    /// Every sink's counters, in order: `sink`, `emitted`, `delivered`,
    /// `retried`, `dropped` (by reason), `pending`, `dead_lettered`,
    /// `in_flight`, and `last_error` / `last_success_at` when known.
    /// After `close`, the final counters.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stats = match &*self.lock() {
            State::Running { driver, .. } => driver.stats(),
            State::Closed { stats, .. } => stats.clone(),
        };
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
        let letters = match &*self.lock() {
            State::Running { driver, .. } => driver
                .stats()
                .iter()
                .any(|s| s.sink == sink)
                .then(|| driver.dead_letters(sink)),
            State::Closed { dead_letters, .. } => dead_letters.get(sink).cloned(),
        };
        match letters {
            Some(l) => json::to_python(py, &l),
            None => Err(error::input(
                py,
                "sink",
                format!("`{sink}` is not a sink of this pipeline"),
            )),
        }
    }

    /// The records a memory sink holds, oldest first, as dicts (after
    /// `close`, what it held then).
    ///
    /// Raises `InputError` when `name` is not a memory sink.
    fn memory_records<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let records = match &*self.lock() {
            State::Running {
                driver,
                memory_sinks,
            } if memory_sinks.iter().any(|n| n == name) => Some(driver.memory_records(name)),
            State::Closed { memory, .. } => memory.get(name).cloned(),
            State::Running { .. } => None,
        };
        match records {
            Some(r) => json::to_python(py, &r),
            None => Err(error::input(
                py,
                "sink",
                format!("`{name}` is not a memory sink of this pipeline"),
            )),
        }
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
        let state = std::mem::replace(&mut *self.lock(), State::closed(true));
        if let State::Running { driver, .. } = state {
            // Stopping the driver joins its thread, which may be waiting for
            // the GIL to call a Python sink: release it meanwhile.
            Python::attach(|py| py.detach(move || drop(driver)));
        }
    }
}
