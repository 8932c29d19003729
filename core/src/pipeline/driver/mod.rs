//! The native driver: a background thread that performs the pipeline's
//! transmissions (HTTP with a pooled client, TCP, JSONL files, host
//! callbacks) and reports their outcomes. Callers only push to a queue.

mod file;
#[cfg(feature = "http")]
mod http;
mod tcp;

use super::outbox::{Outbox, OutboxConfig, OutboxStats};
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

struct State {
    pipeline: Pipeline,
    stopping: bool,
    outbox: Option<Outbox>,
    /// Per sink, the outbox position last acknowledged.
    acked: HashMap<String, u64>,
    notifier: Option<Notifier>,
    alerts: std::collections::VecDeque<Alert>,
    /// Alerts taken by the driver thread and not yet reported back.
    alerts_in_flight: usize,
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
    pub fn start(pipeline: Pipeline, mut options: DriverOptions) -> crate::Result<Driver> {
        let outbox = match options.outbox.take() {
            Some(config) => {
                let names = pipeline.sink_names();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                Some(Outbox::open(config, &refs)?)
            }
            None => None,
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                pipeline,
                stopping: false,
                outbox,
                acked: HashMap::new(),
                notifier: options.notifier.take(),
                alerts: std::collections::VecDeque::new(),
                alerts_in_flight: 0,
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
    pub fn emit(&self, record: &Record) -> Result<(), EmitError> {
        let mut s = self.shared.lock();
        let now = now_ms();
        let r = match s.outbox.as_mut() {
            Some(outbox) => store(outbox, record),
            None => s.pipeline.emit(record, now).map_err(EmitError::Full),
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
    /// `Block` sink.
    pub fn emit_wait(&self, record: &Record, timeout: Duration) -> Result<(), EmitError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.emit(record) {
                Err(EmitError::Full(e)) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(EmitError::Full(e));
                    }
                    let s = self.shared.lock();
                    drop(self.wait(s, left));
                }
                other => return other,
            }
        }
    }

    fn wait<'a>(&'a self, guard: MutexGuard<'a, State>, d: Duration) -> MutexGuard<'a, State> {
        match self.shared.changed.wait_timeout(guard, d) {
            Ok((g, _)) => g,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }

    /// Sends everything pending now, and waits up to `timeout` until no
    /// record is queued, in flight or waiting to be retried.
    pub fn flush(&self, timeout: Duration) -> Completion {
        let deadline = Instant::now() + timeout;
        let mut s = self.shared.lock();
        s.pipeline.flush();
        self.shared.changed.notify_all();
        while !s.is_idle() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Completion::TimedOut;
            }
            s = self.wait(s, left);
            s.pipeline.flush();
        }
        Completion::Done
    }

    /// Flushes for up to `timeout`, then stops the thread. Records still
    /// pending when time runs out are counted as dropped (`shutdown`).
    pub fn shutdown(mut self, timeout: Duration) -> (Completion, Vec<SinkStats>) {
        self.stop(timeout)
    }

    fn stop(&mut self, timeout: Duration) -> (Completion, Vec<SinkStats>) {
        let done = self.flush(timeout);
        {
            let mut s = self.shared.lock();
            s.stopping = true;
            // With an outbox, what is pending stays on disk for the next
            // run; without one, it is given up and counted.
            if done == Completion::TimedOut && s.outbox.is_none() {
                s.pipeline.abandon_pending();
            }
        }
        self.shared.changed.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        (done, self.stats())
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
    loop {
        let mut s = shared.lock();
        if s.stopping {
            return;
        }
        let now = now_ms();
        s.feed(now);
        let mut due = Vec::new();
        while let Some(t) = s.pipeline.poll_transmit(now) {
            due.push(t);
        }
        let alerts: Vec<Alert> = s.alerts.drain(..).collect();
        s.alerts_in_flight = alerts.len();
        if due.is_empty() && alerts.is_empty() {
            let wait = s.pipeline.next_wakeup().map_or(IDLE_WAIT, |at| {
                Duration::from_millis(u64::try_from(at - now).unwrap_or(0).max(1))
            });
            drop(shared.changed.wait_timeout(s, wait.min(IDLE_WAIT)));
            continue;
        }
        drop(s);
        let outcomes: Vec<(u64, Outcome)> = due.iter().map(|t| (t.id, io.perform(t))).collect();
        let alert_results: Vec<(String, Result<(), String>)> = alerts
            .iter()
            .map(|a| (a.alert_id.clone(), io.send_alert(a)))
            .collect();
        let mut s = shared.lock();
        let now = now_ms();
        if let Some(notifier) = s.notifier.as_mut() {
            for (id, result) in alert_results {
                notifier.on_result(&id, result.is_ok(), result.err(), now);
            }
        }
        s.alerts_in_flight = 0;
        for (id, outcome) in outcomes {
            s.pipeline.on_outcome(id, outcome, now);
        }
        s.acknowledge();
        drop(s);
        shared.changed.notify_all();
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
            tcp: tcp::Tcp::default(),
            callbacks: options.callbacks,
        }
    }

    /// Sends one alert: HTTP channels directly, email through the callback
    /// registered under the channel's id (which receives the RFC 5322
    /// message). A non-2xx answer is a failure with its status.
    fn send_alert(&mut self, alert: &Alert) -> Result<(), String> {
        match &alert.delivery {
            #[cfg(feature = "http")]
            Delivery::Http(req) => match self.http.post(&req.url, &req.headers, &req.body, false) {
                Outcome::Http {
                    status: 200..=299, ..
                }
                | Outcome::Delivered => Ok(()),
                Outcome::Http { status, .. } => Err(format!("HTTP {status}")),
                Outcome::Failed { error, .. } => Err(error),
            },
            #[cfg(not(feature = "http"))]
            Delivery::Http(_) => Err("this build has no HTTP client (feature `http`)".into()),
            Delivery::Email(message) => match self.callbacks.get(&alert.channel_id) {
                Some(cb) => cb(&alert.channel_id, message.message.as_bytes()),
                None => Err(format!(
                    "no email sender: register a callback under the channel id `{}`",
                    alert.channel_id
                )),
            },
        }
    }

    fn perform(&mut self, t: &Transmit) -> Outcome {
        match &t.destination {
            #[cfg(feature = "http")]
            Destination::Http { url } => self.http.post(url, &t.headers, &t.body, t.gzip),
            #[cfg(not(feature = "http"))]
            Destination::Http { .. } => Outcome::Failed {
                error: "this build has no HTTP client (feature `http`)".into(),
                retryable: false,
            },
            Destination::Tcp { addr } => self.tcp.send(addr, &t.body),
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
