//! The native driver: a background thread that performs the pipeline's
//! transmissions (HTTP with a pooled client, TCP, JSONL files, host
//! callbacks) and reports their outcomes. Callers only push to a queue.

mod deadline;
mod file;
#[cfg(feature = "http")]
mod http;
mod io;
mod report;
mod state;
mod tcp;

pub use report::FlushReport;

use io::Io;
use state::{Shared, State, run};

use super::outbox::{OnWriteError, Outbox, OutboxConfig, OutboxStats};
use super::{Destination, Pipeline, SinkStats, WouldBlock};
use crate::clock::now_ms;
use crate::notify::{ChannelHealth, Notifier};
use crate::schema::Record;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A host function that receives a sink's encoded batches (`sink`, `body`);
/// an `Err` is a failed delivery, retried and counted like any other.
pub type Callback = Arc<dyn Fn(&str, &[u8]) -> Result<(), String> + Send + Sync>;

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

/// How long a shutdown waits for an idle driver thread to exit even when
/// its deadline has already passed; a thread stuck in I/O is left behind.
const EXIT_GRACE: Duration = Duration::from_millis(100);

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
