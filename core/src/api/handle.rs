//! A running pipeline's whole lifecycle, for hosts that let the core do the
//! I/O (the native driver's background thread): `emit`, `flush`, `close`
//! with final stats, memory records and dead letters, and a registry that
//! closes every live pipeline at process exit.

use super::ApiError;
use super::sink::BuiltSink;
use super::spec::PipelineSpec;
use crate::pipeline::driver::{Callback, Completion, Driver, DriverOptions, EmitError};
use crate::pipeline::{DeadLetter, Destination, Pipeline, SinkStats};
use crate::schema::Record;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

/// A host function receiving a `callback` sink's encoded batches (JSON
/// Lines). An `Err` is a failed delivery: retried and counted like any
/// other, never lost silently.
pub trait HostSink: Send + Sync {
    /// Delivers one batch for the sink called `sink`.
    fn deliver(&self, sink: &str, batch: &[u8]) -> Result<(), String>;
}

impl<F: Fn(&str, &[u8]) -> Result<(), String> + Send + Sync> HostSink for F {
    fn deliver(&self, sink: &str, batch: &[u8]) -> Result<(), String> {
        self(sink, batch)
    }
}

/// What a `flush` or `close` achieved. The counts cover every record
/// resolved since the previous flush (or since the start), so a record
/// given up between two flushes is reported by the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FlushReport {
    /// True when nothing is left pending: every record was delivered or
    /// given up for good.
    pub complete: bool,
    /// Records delivered since the previous flush.
    pub delivered: u64,
    /// Records given up for good since the previous flush (dead letters).
    pub dead_lettered: u64,
    /// Records dropped since the previous flush.
    pub dropped: u64,
    /// Records still queued, in flight or waiting to retry.
    pub pending: u64,
}

impl FlushReport {
    /// True when the flush completed and nothing was given up since the
    /// previous one: everything emitted meanwhile was delivered.
    pub fn all_delivered(&self) -> bool {
        self.complete && self.dead_lettered == 0 && self.dropped == 0
    }
}

/// What `close` left: the final counters and what could still be read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CloseReport {
    /// The final flush.
    pub flush: FlushReport,
    /// Every sink's final counters.
    pub stats: Vec<SinkStats>,
    /// What each memory sink held.
    pub memory: BTreeMap<String, Vec<Record>>,
    /// The dead letters kept per sink.
    pub dead_letters: BTreeMap<String, Vec<DeadLetter>>,
}

enum State {
    Running(Arc<Driver>),
    /// `close` is flushing; `stats` still reads the driver.
    Closing(Arc<Driver>),
    Closed(Arc<CloseReport>),
}

struct Inner {
    /// Delivered, dead-lettered and dropped totals at the end of the last
    /// flush: the baseline of the next report.
    reported: Mutex<(u64, u64, u64)>,
    state: Mutex<State>,
    closed: Condvar,
    sinks: Vec<(String, &'static str)>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Every pipeline not yet dropped, for [`close_all`].
static LIVE: Mutex<Vec<Weak<Inner>>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<Weak<Inner>>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Closes every pipeline still open, sharing one deadline: for a host's
/// exit hook (Python's `atexit`), so records queued at exit are delivered
/// while the host can still run callbacks.
pub fn close_all(timeout: Duration) {
    let open: Vec<Arc<Inner>> = live().drain(..).filter_map(|w| w.upgrade()).collect();
    let deadline = Instant::now().checked_add(timeout);
    for inner in open {
        let left = deadline.map_or(timeout, |d| d.saturating_duration_since(Instant::now()));
        close_inner(&inner, left);
    }
}

/// A pipeline delivering on its own thread. Safe to share between threads.
pub struct PipelineHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PipelineHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelineHandle")
            .field("sinks", &self.inner.sinks)
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl PipelineHandle {
    /// Starts the pipeline of `spec`. `hosts` holds the functions of its
    /// `callback` sinks, by sink name; a callback sink without one is a
    /// `validation` error, as is every problem of the spec. An outbox that
    /// cannot be opened is an `io` error.
    pub fn start(
        spec: &PipelineSpec,
        hosts: HashMap<String, Arc<dyn HostSink>>,
    ) -> Result<PipelineHandle, ApiError> {
        let sinks = spec.build_sinks()?;
        let options = StartOptions {
            outbox: spec.outbox.as_ref().map(super::spec::OutboxSpec::config),
            http_timeout: Duration::from_millis(spec.http_timeout_ms),
            notifications: spec.notify_config()?,
        };
        Self::start_built(sinks, options, hosts)
    }

    /// Starts a pipeline of sinks already built (a binding keeps
    /// [`BuiltSink`]s so a token update reaches every pipeline using them).
    pub fn start_built(
        sinks: Vec<BuiltSink>,
        options: StartOptions,
        hosts: HashMap<String, Arc<dyn HostSink>>,
    ) -> Result<PipelineHandle, ApiError> {
        let mut callbacks: HashMap<String, Callback> = HashMap::new();
        let mut missing = Vec::new();
        for (i, s) in sinks.iter().enumerate() {
            if matches!(s.destination(), Destination::Callback) {
                match hosts.get(s.name()) {
                    Some(h) => {
                        let h = Arc::clone(h);
                        callbacks.insert(
                            s.name().to_string(),
                            Arc::new(move |sink: &str, body: &[u8]| h.deliver(sink, body)),
                        );
                    }
                    None => missing.push(crate::Problem::new(
                        format!("$.sinks[{i}]"),
                        "a callback sink needs its host function",
                    )),
                }
            }
        }
        if !missing.is_empty() {
            return Err(ApiError::validation("pipeline", missing));
        }
        let names = sinks
            .iter()
            .map(|s| (s.name().to_string(), s.kind()))
            .collect();
        // The seed only spreads retries out; any value is correct.
        let seed = crate::clock::now_ms().unsigned_abs();
        let pipeline = Pipeline::new(sinks.iter().map(BuiltSink::spec).collect(), seed)?;
        let notifier = match options.notifications {
            Some(config) => Some(crate::notify::Notifier::new(config)?),
            None => None,
        };
        let driver = Driver::start(
            pipeline,
            DriverOptions {
                callbacks,
                http_timeout: Some(options.http_timeout),
                outbox: options.outbox,
                notifier,
            },
        )?;
        let inner = Arc::new(Inner {
            state: Mutex::new(State::Running(Arc::new(driver))),
            closed: Condvar::new(),
            reported: Mutex::new((0, 0, 0)),
            sinks: names,
        });
        let mut registry = live();
        registry.retain(|w| w.strong_count() > 0);
        registry.push(Arc::downgrade(&inner));
        Ok(PipelineHandle { inner })
    }

    fn driver(&self) -> Result<Arc<Driver>, ApiError> {
        match &*self.inner.lock() {
            State::Running(d) => Ok(Arc::clone(d)),
            State::Closing(_) | State::Closed(_) => Err(ApiError::closed()),
        }
    }

    /// Queues records for every sink that takes them; never waits for
    /// delivery. A full `block` sink makes it wait up to `timeout` for room
    /// and then fail (`full`); the records queued before stay queued.
    /// Errors: `closed`, `full`, `io` (the outbox could not store it).
    pub fn emit(&self, records: &[Record], timeout: Duration) -> Result<(), ApiError> {
        let driver = self.driver()?;
        let result = records.iter().try_for_each(|r| {
            if timeout.is_zero() {
                driver.emit(r)
            } else {
                driver.emit_wait(r, timeout)
            }
        });
        result.map_err(|e| match e {
            EmitError::Full(full) => ApiError::full(&full.sink),
            EmitError::Outbox(e) => ApiError::from(e),
        })
    }

    /// Sends everything queued now and waits up to `timeout` until nothing
    /// is pending; says what became of the records meanwhile.
    pub fn flush(&self, timeout: Duration) -> Result<FlushReport, ApiError> {
        let driver = self.driver()?;
        Ok(flush_report(&self.inner, &driver, timeout))
    }

    /// Flushes for up to `timeout`, then stops delivery: what is still
    /// pending is counted as dropped (`shutdown`), or stays in the outbox
    /// for the next start. Returns when the time is up, whatever a sink is
    /// doing. Closing again returns the first close's report.
    pub fn close(&self, timeout: Duration) -> Arc<CloseReport> {
        close_inner(&self.inner, timeout)
    }

    /// True once `close` has started.
    pub fn is_closed(&self) -> bool {
        !matches!(&*self.inner.lock(), State::Running(_))
    }

    /// Every sink's counters, in order (after `close`, the final ones).
    pub fn stats(&self) -> Vec<SinkStats> {
        match &*self.inner.lock() {
            State::Running(d) | State::Closing(d) => d.stats(),
            State::Closed(r) => r.stats.clone(),
        }
    }

    /// The dead letters kept for `sink`, newest last. An `input` error when
    /// it is not a sink of this pipeline.
    pub fn dead_letters(&self, sink: &str) -> Result<Vec<DeadLetter>, ApiError> {
        if !self.inner.sinks.iter().any(|(n, _)| n == sink) {
            return Err(ApiError::input(
                "sink",
                format!("`{}` is not a sink of this pipeline", sink.escape_default()),
            ));
        }
        Ok(match &*self.inner.lock() {
            State::Running(d) | State::Closing(d) => d.dead_letters(sink),
            State::Closed(r) => r.dead_letters.get(sink).cloned().unwrap_or_default(),
        })
    }

    /// The records a memory sink holds, oldest first. An `input` error when
    /// `sink` is not a memory sink of this pipeline.
    pub fn memory_records(&self, sink: &str) -> Result<Vec<Record>, ApiError> {
        if !self
            .inner
            .sinks
            .iter()
            .any(|(n, k)| n == sink && *k == "memory")
        {
            return Err(ApiError::input(
                "sink",
                format!(
                    "`{}` is not a memory sink of this pipeline",
                    sink.escape_default()
                ),
            ));
        }
        Ok(match &*self.inner.lock() {
            State::Running(d) | State::Closing(d) => d.memory_records(sink),
            State::Closed(r) => r.memory.get(sink).cloned().unwrap_or_default(),
        })
    }
}

impl Drop for PipelineHandle {
    fn drop(&mut self) {
        // The last handle: stop delivery now rather than in the registry.
        if Arc::strong_count(&self.inner) == 1 {
            close_inner(&self.inner, Duration::from_secs(5));
        }
    }
}

/// How to run the pipeline around its sinks.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// A durable outbox.
    pub outbox: Option<crate::pipeline::outbox::OutboxConfig>,
    /// Bound on each HTTP request.
    pub http_timeout: Duration,
    /// Notification rules.
    pub notifications: Option<crate::notify::NotifyConfig>,
}

impl Default for StartOptions {
    fn default() -> Self {
        StartOptions {
            outbox: None,
            http_timeout: Duration::from_millis(super::spec::DEFAULT_HTTP_TIMEOUT_MS),
            notifications: None,
        }
    }
}

fn totals(stats: &[SinkStats]) -> (u64, u64, u64) {
    stats.iter().fold((0, 0, 0), |(d, l, x), s| {
        (d + s.delivered, l + s.dead_lettered, x + s.dropped_total())
    })
}

fn flush_report(inner: &Inner, driver: &Driver, timeout: Duration) -> FlushReport {
    let r = driver.flush_report(timeout);
    let now = totals(&driver.stats());
    let mut reported = inner
        .reported
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let (d0, l0, x0) = std::mem::replace(&mut *reported, now);
    FlushReport {
        complete: r.completion == Completion::Done,
        delivered: now.0.saturating_sub(d0),
        dead_lettered: now.1.saturating_sub(l0),
        dropped: now.2.saturating_sub(x0),
        pending: r.pending,
    }
}

fn close_inner(inner: &Inner, timeout: Duration) -> Arc<CloseReport> {
    let deadline = Instant::now().checked_add(timeout);
    let driver = {
        let mut state = inner.lock();
        loop {
            match &*state {
                State::Running(d) => {
                    let d = Arc::clone(d);
                    *state = State::Closing(Arc::clone(&d));
                    break d;
                }
                State::Closed(r) => return Arc::clone(r),
                // Another thread is closing: wait for its report, as long
                // as this call's own time allows.
                State::Closing(d) => {
                    let left =
                        deadline.map_or(timeout, |t| t.saturating_duration_since(Instant::now()));
                    if left.is_zero() {
                        let stats = d.stats();
                        return Arc::new(CloseReport {
                            stats,
                            ..CloseReport::default()
                        });
                    }
                    state = match inner.closed.wait_timeout(state, left) {
                        Ok((g, _)) => g,
                        Err(p) => p.into_inner().0,
                    };
                }
            }
        }
    };
    let flush = flush_report(inner, &driver, timeout);
    let mut memory = BTreeMap::new();
    let mut dead_letters = BTreeMap::new();
    for (name, kind) in &inner.sinks {
        if *kind == "memory" {
            memory.insert(name.clone(), driver.memory_records(name));
        }
        dead_letters.insert(name.clone(), driver.dead_letters(name));
    }
    *inner.lock() = State::Closed(Arc::new(CloseReport::default()));
    let stats = match Arc::try_unwrap(driver) {
        // Nothing is left to wait for: stop now, counting what is pending.
        Ok(d) => d.shutdown(Duration::ZERO).1,
        // Another thread is inside a call; it drops the last reference,
        // which stops the driver, when that call returns.
        Err(shared) => shared.stats(),
    };
    let report = Arc::new(CloseReport {
        flush,
        stats,
        memory,
        dead_letters,
    });
    *inner.lock() = State::Closed(Arc::clone(&report));
    inner.closed.notify_all();
    report
}
