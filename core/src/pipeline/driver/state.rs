//! The driver's shared state and its thread: what the thread takes under the
//! lock, does without it, and reports back; and what a flush or shutdown
//! looks at to know when to stop waiting.

use super::deadline;
use super::io::{Io, target};
use crate::clock::now_ms;
use crate::notify::{Alert, Notifier};
use crate::pipeline::outbox::{OnWriteError, Outbox};
use crate::pipeline::{Outcome, Pipeline};
use crate::schema::Record;
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long the driver waits when nothing is due.
const IDLE_WAIT: Duration = Duration::from_millis(500);

/// Records read from the outbox into a sink per step, at most.
const FEED_CHUNK: usize = 1024;

/// Alerts waiting to be sent, at most; beyond, an alert counts as a failed
/// delivery of its channel rather than growing memory.
const MAX_PENDING_ALERTS: usize = 10_000;

/// Time the driver thread keeps for itself before a flush deadline: a
/// request started under a deadline ends this much before it, so its
/// outcome (a time-out, usually) is counted before the flush returns.
const REPORT_MARGIN: Duration = Duration::from_millis(50);

pub(super) struct State {
    pub(super) pipeline: Pipeline,
    /// Set by a shutdown: the thread exits at its next look.
    pub(super) stopping: bool,
    /// Set when a shutdown gave up waiting for the thread (stuck in a
    /// callback or a request): whatever it reports afterwards is ignored.
    pub(super) stopped: bool,
    /// Set by the thread as it exits (normally or by a panic).
    pub(super) exited: bool,
    /// The earliest deadline of a running flush; requests started while it
    /// is set are bounded by it.
    pub(super) flush_deadline: Option<Instant>,
    pub(super) outbox: Option<Outbox>,
    pub(super) on_write_error: OnWriteError,
    /// Outbox damage already reported in the sinks' `last_error`.
    pub(super) damage_noted: u64,
    /// Per sink, the outbox position last acknowledged.
    pub(super) acked: HashMap<String, u64>,
    pub(super) notifier: Option<Notifier>,
    pub(super) alerts: std::collections::VecDeque<Alert>,
    /// Alerts taken by the driver thread and not yet reported back.
    pub(super) alerts_in_flight: usize,
    /// What the thread is doing outside the lock, `(sink, target)`, and
    /// since when: named in a shutdown's `last_error` when it never
    /// returns.
    pub(super) in_progress: Vec<(String, String)>,
    pub(super) io_started: Option<Instant>,
}

impl State {
    /// Shows `record` to the notifier and queues its alerts.
    pub(super) fn notify(&mut self, record: &Record, now: i64) {
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
    pub(super) fn is_idle(&self) -> bool {
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
    pub(super) fn pending_by_sink(&self) -> Vec<(String, u64)> {
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
    pub(super) fn io_budget(&self) -> Option<Duration> {
        deadline::left(self.flush_deadline).map(|l| l.saturating_sub(REPORT_MARGIN))
    }

    /// Moves outbox entries into sinks that have room.
    pub(super) fn feed(&mut self, now: i64) {
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
    pub(super) fn acknowledge(&mut self) {
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
    pub(super) fn note_left_behind(&mut self, pending: &[(String, u64)], timeout: Duration) {
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
        // A zero timeout follows a flush that already ran out of time.
        let when = if timeout.is_zero() {
            "when the flush's time ran out".to_string()
        } else {
            format!("after {timeout:?}")
        };
        for (sink, n) in pending.iter().filter(|(_, n)| *n > 0) {
            let last = stats
                .iter()
                .find(|s| &s.sink == sink)
                .and_then(|s| s.last_error.clone())
                .unwrap_or_else(|| "none recorded (a transmission was still in progress)".into());
            self.pipeline.note_error_for(
                sink,
                &format!(
                    "shutdown: {n} records still pending {when}{kept}; \
                     last failure: {last}"
                ),
            );
        }
    }
}

pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    /// Wakes the driver (new records, shutdown) and waiters (progress).
    pub(super) changed: Condvar,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the pipeline's
        // counters half-updated in a way later code trusts less than a
        // stopped driver; keep going with what is there.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn wait<'a>(
        &self,
        guard: MutexGuard<'a, State>,
        d: Duration,
    ) -> MutexGuard<'a, State> {
        match self.changed.wait_timeout(guard, d) {
            Ok((g, _)) => g,
            Err(poisoned) => poisoned.into_inner().0,
        }
    }
}

/// Marks the driver thread as exited when it returns or unwinds, so a
/// shutdown waiting for it stops waiting.
pub(super) struct ExitSignal<'a>(&'a Shared);

impl Drop for ExitSignal<'_> {
    fn drop(&mut self) {
        self.0.lock().exited = true;
        self.0.changed.notify_all();
    }
}

/// The driver loop: take what is due, do the I/O without the lock, report.
pub(super) fn run(shared: &Shared, mut io: Io) {
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
