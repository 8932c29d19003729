//! The native driver: a background thread that performs the pipeline's
//! transmissions (HTTP with a pooled client, TCP, JSONL files, host
//! callbacks) and reports their outcomes. Callers only push to a queue.

mod deadline;
mod file;
#[cfg(feature = "http")]
mod http;
mod report;
mod tcp;

pub use report::FlushReport;

use super::outbox::{OnWriteError, Outbox, OutboxConfig, OutboxStats};
use super::{Destination, Outcome, Pipeline, SinkStats, Transmit, WouldBlock};
use crate::clock::now_ms;
use crate::notify::{Alert, ChannelHealth, Delivery, Notifier};
use crate::schema::Record;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A host function that receives a sink's encoded batches (`sink`, `body`);
/// an `Err` is a failed delivery, retried and counted like any other.
pub type Callback = Arc<dyn Fn(&str, &[u8]) -> Result<(), String> + Send + Sync>;

/// How long the driver waits when nothing is due.
const IDLE_WAIT: Duration = Duration::from_millis(500);

/// Records read from the outbox into a sink per step, at most.
const FEED_CHUNK: usize = 1024;

/// Driver settings.
#[derive(Default)]
pub struct DriverOptions {
    /// Callbacks by sink name, for sinks whose destination is `Callback`.
    pub callbacks: HashMap<String, Callback>,
    /// Per-request HTTP time-out (default 30 s).
    pub http_timeout: Option<Duration>,
    /// A durable outbox: records are appended to it before delivery and
    /// read from it into the sinks; what a sink has not acknowledged is
    /// delivered again after a restart.
    pub outbox: Option<OutboxConfig>,
    /// Alert rules: every emitted record is shown to the notifier, and its
    /// alerts are sent by the driver (HTTP channels) or handed to the
    /// callback registered under the channel's id (email).
    pub notifier: Option<Notifier>,
}

/// Alerts waiting to be sent, at most; beyond, an alert counts as a failed
/// delivery of its channel rather than growing memory.
const MAX_PENDING_ALERTS: usize = 10_000;

/// Why a record was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmitError {
    /// A sink with the `Block` overflow policy is full.
    #[error(transparent)]
    Full(#[from] WouldBlock),
    /// The outbox could not store the record (full under `Reject`, or an
    /// I/O failure).
    #[error("outbox: {0}")]
    Outbox(crate::Error),
}

impl std::fmt::Debug for DriverOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriverOptions")
            .field("callbacks", &self.callbacks.keys().collect::<Vec<_>>())
            .field("http_timeout", &self.http_timeout)
            .field("outbox", &self.outbox)
            .field("notifier", &self.notifier.is_some())
            .finish()
    }
}

/// How a `flush` or `shutdown` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Everything pending was delivered or given up for good (dead letters).
    Done,
    /// Time ran out with records still pending.
    TimedOut,
}

/// Time the driver thread keeps for itself before a flush deadline: a
/// request started under a deadline ends this much before it, so its
/// outcome (a time-out, usually) is counted before the flush returns.
const REPORT_MARGIN: Duration = Duration::from_millis(50);

/// How long a shutdown waits for an idle driver thread to exit even when
/// its deadline has already passed; a thread stuck in I/O is left behind.
const EXIT_GRACE: Duration = Duration::from_millis(100);

struct State {
    pipeline: Pipeline,
    /// Set by a shutdown: the thread exits at its next look.
    stopping: bool,
    /// Set when a shutdown gave up waiting for the thread (stuck in a
    /// callback or a request): whatever it reports afterwards is ignored.
    stopped: bool,
    /// Set by the thread as it exits (normally or by a panic).
    exited: bool,
    /// The earliest deadline of a running flush; requests started while it
    /// is set are bounded by it.
    flush_deadline: Option<Instant>,
    outbox: Option<Outbox>,
    on_write_error: OnWriteError,
    /// Outbox damage already reported in the sinks' `last_error`.
    damage_noted: u64,
    /// Per sink, the outbox position last acknowledged.
    acked: HashMap<String, u64>,
    notifier: Option<Notifier>,
    alerts: std::collections::VecDeque<Alert>,
    /// Alerts taken by the driver thread and not yet reported back.
    alerts_in_flight: usize,
    /// What the thread is doing outside the lock, `(sink, target)`, and
    /// since when: named in a shutdown's `last_error` when it never
    /// returns.
    in_progress: Vec<(String, String)>,
    io_started: Option<Instant>,
}

impl State {
    /// Shows `record` to the notifier and queues its alerts.
    fn notify(&mut self, record: &Record, now: i64) {
        let Some(notifier) = self.notifier.as_mut() else {
            return;
        };
        for alert in notifier.on_record(record, now) {
            if self.alerts.len() >= MAX_PENDING_ALERTS {
                notifier.on_result(
                    &alert.alert_id,
                    false,
                    Some("too many alerts waiting to be sent".into()),
                    now,
                );
            } else {
                self.alerts.push_back(alert);
            }
        }
    }

    /// Nothing queued, in flight, retrying, or waiting in the outbox.
    fn is_idle(&self) -> bool {
        self.alerts.is_empty()
            && self.alerts_in_flight == 0
            && self.pipeline.is_idle()
            && self
                .outbox
                .as_ref()
                .is_none_or(|o| o.stats().sinks.iter().all(|s| s.lag == 0))
    }

    /// Records still to be resolved, per sink: queued, in flight or
    /// retrying, or (with an outbox) stored and not yet acknowledged.
    fn pending_by_sink(&self) -> Vec<(String, u64)> {
        let lags: HashMap<String, u64> = self
            .outbox
            .as_ref()
            .map(|o| {
                o.stats()
                    .sinks
                    .into_iter()
                    .map(|s| (s.name, s.lag))
                    .collect()
            })
            .unwrap_or_default();
        self.pipeline
            .stats()
            .into_iter()
            .map(|s| {
                let lag = lags.get(&s.sink).copied().unwrap_or(0);
                (s.sink, s.pending.max(lag))
            })
            .collect()
    }

    /// How long a request started now may take: up to the flush deadline
    /// minus [`REPORT_MARGIN`]; `None` when no flush bounds it.
    fn io_budget(&self) -> Option<Duration> {
        deadline::left(self.flush_deadline).map(|l| l.saturating_sub(REPORT_MARGIN))
    }

    /// Moves outbox entries into sinks that have room.
    fn feed(&mut self, now: i64) {
        let Some(outbox) = self.outbox.as_mut() else {
            return;
        };
        if let Err(e) = outbox.flush() {
            self.pipeline.note_error(&format!("outbox: {e}"));
        }
        for sink in self.pipeline.sink_names() {
            while self.pipeline.has_room(&sink) {
                let entries = match outbox.read(&sink, FEED_CHUNK) {
                    Ok(entries) => entries,
                    Err(e) => {
                        self.pipeline.note_error(&format!("outbox: {e}"));
                        break;
                    }
                };
                // Entries skipped as damaged are not handed out; the sink
                // must still count them as seen, or it would never
                // acknowledge past them.
                if let Ok(through) = outbox.read_through(&sink) {
                    self.pipeline.saw_stored(&sink, through);
                }
                if entries.is_empty() {
                    break;
                }
                for (seq, bytes) in entries {
                    match serde_json::from_slice::<Record>(&bytes) {
                        Ok(record) => {
                            self.pipeline.replay_to(&sink, &record, seq, now);
                        }
                        Err(_) => self.pipeline.drop_stored(&sink, seq),
                    }
                }
            }
        }
        if outbox.damaged_entries() > self.damage_noted {
            self.damage_noted = outbox.damaged_entries();
            if let Some(damage) = outbox.damage_summary() {
                self.pipeline.note_error(&format!("outbox: {damage}"));
            }
        }
    }

    /// Acknowledges in the outbox what every sink has resolved.
    fn acknowledge(&mut self) {
        let Some(outbox) = self.outbox.as_mut() else {
            return;
        };
        for sink in self.pipeline.sink_names() {
            let Some(through) = self.pipeline.resolved_through(&sink) else {
                continue;
            };
            let last = self.acked.get(&sink).copied().unwrap_or(0);
            if through > last {
                match outbox.ack(&sink, through) {
                    Ok(()) => {
                        self.acked.insert(sink, through);
                    }
                    Err(e) => self.pipeline.note_error(&format!("outbox: {e}")),
                }
            }
        }
    }

    /// Says in each sink's `last_error` why records were left behind by a
    /// shutdown that ran out of time.
    fn note_left_behind(&mut self, pending: &[(String, u64)], timeout: Duration) {
        let since = self.io_started.map(|t| t.elapsed()).unwrap_or_default();
        for (sink, target) in std::mem::take(&mut self.in_progress) {
            self.pipeline.note_error_for(
                &sink,
                &format!(
                    "no answer from {target} after {since:.1?}: abandoned by the shutdown \
                     (a time-out)"
                ),
            );
        }
        let kept = if self.outbox.is_some() {
            " (kept in the outbox for the next start)"
        } else {
            ""
        };
        let stats = self.pipeline.stats();
        for (sink, n) in pending.iter().filter(|(_, n)| *n > 0) {
            let last = stats
                .iter()
                .find(|s| &s.sink == sink)
                .and_then(|s| s.last_error.clone())
                .unwrap_or_else(|| "none recorded (a transmission was still in progress)".into());
            self.pipeline.note_error_for(
                sink,
                &format!(
                    "shutdown: {n} records still pending after {timeout:?}{kept}; \
                     last failure: {last}"
                ),
            );
        }
    }
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the driver (new records, shutdown) and waiters (progress).
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the pipeline's
        // counters half-updated in a way later code trusts less than a
        // stopped driver; keep going with what is there.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>, d: Duration) -> MutexGuard<'a, State> {
        match self.changed.wait_timeout(guard, d) {
            Ok((g, _)) => g,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }
}

/// Marks the driver thread as exited when it returns or unwinds, so a
/// shutdown waiting for it stops waiting.
struct ExitSignal<'a>(&'a Shared);

impl Drop for ExitSignal<'_> {
    fn drop(&mut self) {
        self.0.lock().exited = true;
        self.0.changed.notify_all();
    }
}

/// A pipeline running on its own thread. Dropping it shuts it down with a
/// five-second grace period.
pub struct Driver {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("stats", &self.stats())
            .finish()
    }
}

impl Driver {
    /// Starts the background thread.
    ///
    /// Errors: a `File` destination that is a directory, and an outbox that
    /// cannot be opened (see [`Outbox::open`]; another process using its
    /// directory included).
    pub fn start(mut pipeline: Pipeline, mut options: DriverOptions) -> crate::Result<Driver> {
        for (sink, destination) in pipeline.destinations() {
            if let Destination::File { path, .. } = destination
                && std::path::Path::new(path).is_dir()
            {
                return Err(crate::Error::Input {
                    location: format!("sink `{sink}`"),
                    message: format!(
                        "the file destination `{path}` is a directory; give the path \
                             of a file to append to"
                    ),
                });
            }
        }
        let on_write_error = options
            .outbox
            .as_ref()
            .map(|c| c.on_write_error)
            .unwrap_or_default();
        let outbox = match options.outbox.take() {
            Some(config) => {
                let names = pipeline.sink_names();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                Some(Outbox::open(config, &refs)?)
            }
            None => None,
        };
        if let Some(damage) = outbox.as_ref().and_then(Outbox::damage_summary) {
            pipeline.note_error(&format!("outbox: {damage}"));
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                pipeline,
                stopping: false,
                stopped: false,
                exited: false,
                flush_deadline: None,
                damage_noted: outbox.as_ref().map_or(0, Outbox::damaged_entries),
                outbox,
                on_write_error,
                acked: HashMap::new(),
                notifier: options.notifier.take(),
                alerts: std::collections::VecDeque::new(),
                alerts_in_flight: 0,
                in_progress: Vec::new(),
                io_started: None,
            }),
            changed: Condvar::new(),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("govstream-delivery".into())
            .spawn(move || run(&worker, Io::new(options)))
            .map_err(|e| crate::Error::Io {
                location: "delivery driver".into(),
                message: format!("cannot start the delivery thread: {e}"),
            })?;
        Ok(Driver {
            shared,
            thread: Some(thread),
        })
    }

    /// Queues a record: a lock and a queue push (with an outbox, one
    /// append to its file), nothing more.
    ///
    /// With an outbox whose [`OutboxConfig::on_write_error`] is
    /// [`OnWriteError::Count`], a record the outbox cannot store (disk
    /// full, I/O failure, size bound under `Reject`) is counted as dropped
    /// (`outbox_write_error`) by every sink that takes it, and `emit`
    /// returns `Ok`.
    pub fn emit(&self, record: &Record) -> Result<(), EmitError> {
        let mut s = self.shared.lock();
        let now = now_ms();
        let r = match s.outbox.as_mut() {
            Some(outbox) => store(outbox, record),
            None => s.pipeline.emit(record, now).map_err(EmitError::Full),
        };
        let r = match r {
            Err(EmitError::Outbox(e @ crate::Error::Io { .. }))
                if s.on_write_error == OnWriteError::Count =>
            {
                s.pipeline.count_dropped(record, "outbox_write_error");
                s.pipeline.note_error(&format!("outbox: {e}"));
                Ok(())
            }
            other => other,
        };
        if r.is_ok() {
            s.notify(record, now);
        }
        // Waking the driver for every record would make it contend for the
        // lock; it only needs to know when something became due.
        let wake = s.outbox.is_some() || !s.alerts.is_empty() || s.pipeline.needs_attention();
        drop(s);
        if wake {
            self.shared.changed.notify_all();
        }
        r
    }

    /// Like [`Driver::emit`], but waits up to `timeout` for room in a full
    /// `Block` sink. A time-out too large for the clock waits without one.
    pub fn emit_wait(&self, record: &Record, timeout: Duration) -> Result<(), EmitError> {
        let deadline = deadline::after(timeout);
        loop {
            match self.emit(record) {
                Err(EmitError::Full(e)) => {
                    if deadline::passed(deadline) {
                        return Err(EmitError::Full(e));
                    }
                    let s = self.shared.lock();
                    drop(self.shared.wait(s, deadline::wait_slice(deadline)));
                }
                other => return other,
            }
        }
    }

    /// Sends everything pending now, and waits up to `timeout` until no
    /// record is queued, in flight or waiting to be retried. Returns at the
    /// deadline even when a request or callback is still running; requests
    /// started during the flush are bounded by its deadline. A time-out too
    /// large for the clock waits without one.
    ///
    /// `Done` also when records were given up (dead-lettered): use
    /// [`Driver::flush_report`] to tell those apart.
    pub fn flush(&self, timeout: Duration) -> Completion {
        self.flush_report(timeout).completion
    }

    /// Like [`Driver::flush`], and says what became of the records while it
    /// ran: delivered, dead-lettered, dropped, still pending.
    pub fn flush_report(&self, timeout: Duration) -> FlushReport {
        self.flush_until(deadline::after(timeout), false)
    }

    /// Flushes until `deadline`; with `then_stop`, tells the thread to exit
    /// in the same critical section, so it starts no request unbounded by
    /// the deadline in between.
    fn flush_until(&self, deadline: Option<Instant>, then_stop: bool) -> FlushReport {
        let mut s = self.shared.lock();
        let before = report::Totals::of(&s.pipeline.stats());
        let previous = s.flush_deadline;
        s.flush_deadline = deadline::earliest(previous, deadline);
        s.pipeline.flush();
        self.shared.changed.notify_all();
        let completion = loop {
            if s.is_idle() {
                break Completion::Done;
            }
            // A thread that died (a panic in the driver) makes no progress.
            if s.exited || deadline::passed(deadline) {
                break Completion::TimedOut;
            }
            s = self.shared.wait(s, deadline::wait_slice(deadline));
            s.pipeline.flush();
        };
        if then_stop {
            s.stopping = true;
        } else {
            s.flush_deadline = previous;
        }
        let after = report::Totals::of(&s.pipeline.stats());
        let pending = s.pending_by_sink().iter().map(|(_, n)| n).sum();
        drop(s);
        self.shared.changed.notify_all();
        before.since(after, completion, pending)
    }

    /// Flushes for up to `timeout`, then stops the thread. Records still
    /// pending when time runs out are counted as dropped (`shutdown`), or
    /// stay in the outbox when there is one; either way each sink's
    /// `last_error` says how many and why. Returns by the deadline even
    /// when a callback or request never returns: the thread is then left
    /// to finish on its own, and nothing it reports later is counted.
    pub fn shutdown(mut self, timeout: Duration) -> (Completion, Vec<SinkStats>) {
        let (report, stats) = self.stop(timeout);
        (report.completion, stats)
    }

    /// Like [`Driver::shutdown`], with what became of the records during
    /// the final flush.
    pub fn shutdown_report(mut self, timeout: Duration) -> (FlushReport, Vec<SinkStats>) {
        self.stop(timeout)
    }

    fn stop(&mut self, timeout: Duration) -> (FlushReport, Vec<SinkStats>) {
        let deadline = deadline::after(timeout);
        let mut report = self.flush_until(deadline, true);
        // An idle thread exits at once; one stuck in I/O is not waited for
        // past the deadline.
        let exit_by = deadline.map(|d| d.max(Instant::now() + EXIT_GRACE));
        let mut s = self.shared.lock();
        while !s.exited && !deadline::passed(exit_by) {
            s = self.shared.wait(s, deadline::wait_slice(exit_by));
        }
        let joined = s.exited;
        s.stopped = true;
        let pending = s.pending_by_sink();
        report.pending = pending.iter().map(|(_, n)| n).sum();
        if report.completion == Completion::TimedOut || !joined {
            report.completion = Completion::TimedOut;
            s.note_left_behind(&pending, timeout);
            // With an outbox, what is pending stays on disk for the next
            // run; without one, it is given up and counted.
            if s.outbox.is_none() {
                s.pipeline.abandon_pending();
                report.dropped += report.pending;
                report.pending = 0;
            }
        }
        // Closing the outbox releases its directory lock now, even while a
        // stuck thread keeps the shared state alive.
        let outbox = s.outbox.take();
        let stats = s.pipeline.stats();
        drop(s);
        drop(outbox);
        self.shared.changed.notify_all();
        if let Some(t) = self.thread.take()
            && joined
        {
            let _ = t.join();
        }
        // Otherwise the handle is dropped: the thread runs on detached
        // and exits when its I/O returns, ignored (`stopped`).
        (report, stats)
    }

    /// Stats of every sink.
    pub fn stats(&self) -> Vec<SinkStats> {
        self.shared.lock().pipeline.stats()
    }

    /// Health of every notification channel (empty without a notifier).
    pub fn notification_health(&self) -> Vec<ChannelHealth> {
        self.shared
            .lock()
            .notifier
            .as_ref()
            .map(Notifier::health)
            .unwrap_or_default()
    }

    /// The outbox's state, when there is one.
    pub fn outbox_stats(&self) -> Option<OutboxStats> {
        self.shared.lock().outbox.as_ref().map(Outbox::stats)
    }

    /// Dead letters of a sink.
    pub fn dead_letters(&self, sink: &str) -> Vec<super::DeadLetter> {
        self.shared.lock().pipeline.dead_letters(sink)
    }

    /// Records held by a `Memory` sink.
    pub fn memory_records(&self, sink: &str) -> Vec<Record> {
        self.shared.lock().pipeline.memory_records(sink)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.stop(Duration::from_secs(5));
        }
    }
}

/// The driver loop: take what is due, do the I/O without the lock, report.
fn run(shared: &Shared, mut io: Io) {
    let _exit = ExitSignal(shared);
    loop {
        let mut s = shared.lock();
        if s.stopping || s.stopped {
            return;
        }
        let now = now_ms();
        s.feed(now);
        // Records resolved without a transmission (a memory sink, kinds a
        // sink does not take, damaged entries) are acknowledged here.
        s.acknowledge();
        let budget = s.io_budget();
        let mut due = Vec::new();
        let mut alerts = Vec::new();
        // Under a deadline: one request at a time, each bounded by the time
        // left, and none once too little is left to report its outcome.
        if budget.is_none_or(|b| !b.is_zero()) {
            while let Some(t) = s.pipeline.poll_transmit(now) {
                due.push(t);
                if budget.is_some() {
                    break;
                }
            }
            if budget.is_none() || due.is_empty() {
                alerts = s.alerts.drain(..).collect();
            }
        }
        s.alerts_in_flight = alerts.len();
        if due.is_empty() && alerts.is_empty() {
            let wait = s.pipeline.next_wakeup().map_or(IDLE_WAIT, |at| {
                Duration::from_millis(u64::try_from(at.saturating_sub(now)).unwrap_or(0).max(1))
            });
            let wait = match budget {
                Some(b) if b.is_zero() => wait.min(deadline::wait_slice(s.flush_deadline)),
                _ => wait,
            };
            drop(shared.wait(s, wait.min(IDLE_WAIT).max(Duration::from_millis(1))));
            continue;
        }
        s.in_progress = due.iter().map(|t| (t.sink.clone(), target(t))).collect();
        s.io_started = Some(Instant::now());
        drop(s);
        let outcomes: Vec<(u64, Outcome)> =
            due.iter().map(|t| (t.id, io.perform(t, budget))).collect();
        let alert_results: Vec<(String, Result<(), String>)> = alerts
            .iter()
            .map(|a| (a.alert_id.clone(), io.send_alert(a, budget)))
            .collect();
        let mut s = shared.lock();
        // A shutdown gave up on this thread while it was in I/O: the
        // pipeline's pending records were already counted; report nothing.
        if s.stopped {
            return;
        }
        let now = now_ms();
        if let Some(notifier) = s.notifier.as_mut() {
            for (id, result) in alert_results {
                notifier.on_result(&id, result.is_ok(), result.err(), now);
            }
        }
        s.alerts_in_flight = 0;
        s.in_progress.clear();
        s.io_started = None;
        for (id, outcome) in outcomes {
            s.pipeline.on_outcome(id, outcome, now);
        }
        s.acknowledge();
        drop(s);
        shared.changed.notify_all();
    }
}

/// Where `t` goes, in words safe to show (no credential).
fn target(t: &Transmit) -> String {
    match &t.destination {
        Destination::Http { url } => crate::endpoint::display(url),
        Destination::Tcp { addr } => format!("tcp {}", crate::endpoint::display(addr)),
        Destination::File { path, .. } => format!("file {path}"),
        Destination::Callback => format!("the callback of sink `{}`", t.sink),
        Destination::Memory { .. } => "memory".into(),
    }
}

/// Appends `record` to the outbox; the driver thread feeds it to the sinks.
fn store(outbox: &mut Outbox, record: &Record) -> Result<(), EmitError> {
    let bytes = serde_json::to_vec(record).map_err(|e| {
        EmitError::Outbox(crate::Error::Input {
            location: format!("record {}", record.event_id()),
            message: format!("cannot serialize: {e}"),
        })
    })?;
    outbox.append(&bytes).map(|_| ()).map_err(EmitError::Outbox)
}

/// The I/O the driver can do.
struct Io {
    #[cfg(feature = "http")]
    http: http::Http,
    tcp: tcp::Tcp,
    callbacks: HashMap<String, Callback>,
}

impl Io {
    fn new(options: DriverOptions) -> Self {
        Io {
            #[cfg(feature = "http")]
            http: http::Http::new(options.http_timeout.unwrap_or(Duration::from_secs(30))),
            tcp: tcp::Tcp::new(options.http_timeout.unwrap_or(Duration::from_secs(30))),
            callbacks: options.callbacks,
        }
    }

    /// Sends one alert: HTTP channels directly, email through the callback
    /// registered under the channel's id (which receives the RFC 5322
    /// message). A non-2xx answer is a failure with its status.
    fn send_alert(&mut self, alert: &Alert, budget: Option<Duration>) -> Result<(), String> {
        match &alert.delivery {
            #[cfg(feature = "http")]
            Delivery::Http(req) => {
                match self
                    .http
                    .post(&req.url, &req.headers, &req.body, false, budget)
                {
                    Outcome::Http {
                        status: 200..=299, ..
                    }
                    | Outcome::Delivered => Ok(()),
                    Outcome::Http { status, .. } => Err(format!("HTTP {status}")),
                    Outcome::Failed { error, .. } => Err(error),
                }
            }
            #[cfg(not(feature = "http"))]
            Delivery::Http(_) => {
                let _ = budget;
                Err("this build has no HTTP client (feature `http`)".into())
            }
            Delivery::Email(message) => match self.callbacks.get(&alert.channel_id) {
                Some(cb) => cb(&alert.channel_id, message.message.as_bytes()),
                None => Err(format!(
                    "no email sender: register a callback under the channel id `{}`",
                    alert.channel_id
                )),
            },
        }
    }

    /// Performs `t`, taking at most `budget` where the transport allows a
    /// time-out (HTTP, TCP); a callback or a file write cannot be bounded.
    fn perform(&mut self, t: &Transmit, budget: Option<Duration>) -> Outcome {
        match &t.destination {
            #[cfg(feature = "http")]
            Destination::Http { url } => self.http.post(url, &t.headers, &t.body, t.gzip, budget),
            #[cfg(not(feature = "http"))]
            Destination::Http { .. } => Outcome::Failed {
                error: "this build has no HTTP client (feature `http`)".into(),
                retryable: false,
            },
            Destination::Tcp { addr } => self.tcp.send(addr, &t.body, budget),
            Destination::File {
                path,
                max_bytes,
                keep,
            } => file::append_rotating(path, *max_bytes, *keep, &t.body),
            Destination::Callback => match self.callbacks.get(&t.sink) {
                Some(cb) => {
                    let cb = Arc::clone(cb);
                    let body = t.body.clone();
                    let sink = t.sink.clone();
                    // A panicking host callback is a failed delivery, not a
                    // dead driver.
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                        cb(&sink, &body)
                    })) {
                        Ok(Ok(())) => Outcome::Delivered,
                        Ok(Err(error)) => Outcome::Failed {
                            error,
                            retryable: true,
                        },
                        Err(_) => Outcome::Failed {
                            error: "the callback panicked".into(),
                            retryable: true,
                        },
                    }
                }
                None => Outcome::Failed {
                    error: format!("no callback registered for sink `{}`", t.sink),
                    retryable: false,
                },
            },
            Destination::Memory { .. } => Outcome::Delivered,
        }
    }
}
