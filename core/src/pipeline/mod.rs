//! Delivery: every record goes through one pipeline to pluggable sinks.
//!
//! [`Pipeline`] is a sans-IO state machine: it queues, batches, encodes,
//! retries and counts, and never touches a socket, a file or a clock. Time
//! comes in as milliseconds; requests go out as [`Transmit`]s that a driver
//! — the native background thread ([`driver`]), or the host itself in a
//! browser — performs before reporting an [`Outcome`]. So the same delivery
//! logic runs natively, in WASM and behind any host's own HTTP stack.
//!
//! ```
//! use govstream::pipeline::{Destination, Outcome, Pipeline, SinkConfig, SinkSpec};
//! use govstream::pipeline::encode::JsonLinesEncoder;
//! # use govstream::policy::{EvaluationContext, Policy};
//! # let decision = Policy::default_policy().unwrap().evaluate("hi a@b.io", &EvaluationContext::default());
//!
//! let mut pipeline = Pipeline::new(vec![SinkSpec::new(
//!     SinkConfig { max_wait_ms: 0, ..SinkConfig::named("siem") },
//!     Box::new(JsonLinesEncoder::new()),
//!     Destination::Http { url: "http://127.0.0.1:9/ingest".into() },
//! )], 42).unwrap();
//! let now = 1_000;
//! for record in decision.records() {
//!     pipeline.emit(&record, now).unwrap();
//! }
//! // The host performs the request and reports how it went.
//! let t = pipeline.poll_transmit(now).unwrap();
//! pipeline.on_outcome(t.id, Outcome::Http { status: 200, retry_after_ms: None, body: vec![] }, now);
//! assert_eq!(pipeline.stats()[0].delivered, 2);
//! assert!(pipeline.is_idle());
//! ```

mod backoff;
mod config;
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub mod driver;
pub mod encode;
pub mod outbox;
mod queue;
mod sink;
mod stats;

pub use backoff::parse_retry_after;
pub use config::{Destination, OverflowPolicy, SinkConfig};
pub use stats::{DeadLetter, SinkStats};

use crate::schema::Record;
use crate::select::EventTypes;
use crate::{Error, Problem, Result};
use encode::Encoder;
use sink::{Accepted, SinkMachine};
use std::sync::Arc;

/// One sink to build: its configuration, wire format and destination.
#[derive(Debug)]
pub struct SinkSpec {
    /// Batching, queueing and retry settings.
    pub config: SinkConfig,
    /// The wire format.
    pub encoder: Box<dyn Encoder>,
    /// Where batches go.
    pub destination: Destination,
}

impl SinkSpec {
    /// A sink.
    pub fn new(config: SinkConfig, encoder: Box<dyn Encoder>, destination: Destination) -> Self {
        SinkSpec {
            config,
            encoder,
            destination,
        }
    }
}

/// A request for a driver (or the host) to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Report the outcome with this id.
    pub id: u64,
    /// The sink it belongs to.
    pub sink: String,
    /// Where to send it (for HTTP, the URL with the encoder's default path).
    pub destination: Destination,
    /// Headers to send (HTTP only).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Records in it.
    pub records: usize,
    /// The target accepts a gzip body; a driver may compress it.
    pub gzip: bool,
}

/// How a transmission went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP response arrived.
    Http {
        /// Its status.
        status: u16,
        /// `Retry-After`, already parsed (see [`parse_retry_after`]).
        retry_after_ms: Option<u64>,
        /// Its body (used for per-item results and dead letters).
        body: Vec<u8>,
    },
    /// A non-HTTP destination took the batch (file written, TCP sent,
    /// callback returned).
    Delivered,
    /// The transmission failed before any answer: connection refused, reset,
    /// time-out, a callback that raised. `retryable: false` dead-letters it.
    Failed {
        /// What went wrong (never containing a credential).
        error: String,
        /// Whether to try again.
        retryable: bool,
    },
}

/// The record could not be queued because a sink with the `Block` overflow
/// policy is full; nothing was queued anywhere. Try again after the driver
/// has made room.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sink `{sink}` is full")]
pub struct WouldBlock {
    /// The full sink.
    pub sink: String,
}

/// The delivery state machine for a set of sinks.
#[derive(Debug)]
pub struct Pipeline {
    sinks: Vec<SinkMachine>,
    next_id: u64,
    jitter: backoff::Jitter,
    cursor: usize,
}

impl Pipeline {
    /// Builds a pipeline. `seed` drives retry jitter (fix it for
    /// reproducible runs). Every configuration problem is reported at once.
    pub fn new(sinks: Vec<SinkSpec>, seed: u64) -> Result<Pipeline> {
        let mut problems = Vec::new();
        let mut names = std::collections::HashSet::new();
        let mut subscriptions = Vec::with_capacity(sinks.len());
        for (i, s) in sinks.iter().enumerate() {
            for p in s.config.problems() {
                problems.push(Problem::new(format!("$.sinks[{i}]"), p));
            }
            if !names.insert(s.config.name.clone()) {
                problems.push(Problem::new(
                    format!("$.sinks[{i}].name"),
                    format!("duplicate sink name `{}`", s.config.name),
                ));
            }
            for (k, kind) in s.config.kinds.iter().enumerate() {
                if !crate::schema::Record::KINDS.contains(&kind.as_str()) {
                    problems.push(Problem::new(
                        format!("$.sinks[{i}].kinds[{k}]"),
                        // Named by its path, not repeated, like every
                        // value a host passes in.
                        format!(
                            "unknown record kind; expected one of: {}",
                            Record::KINDS.join(", ")
                        ),
                    ));
                }
            }
            let at = format!("$.sinks[{i}].event_types");
            match EventTypes::parse(&s.config.event_types, &at) {
                Ok(subscription) => subscriptions.push(subscription),
                Err(Error::Validation { problems: p, .. }) => problems.extend(p),
                Err(e) => problems.push(Problem::new(at, e.to_string())),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Validation {
                what: "pipeline".into(),
                problems,
            });
        }
        Ok(Pipeline {
            sinks: sinks
                .into_iter()
                .zip(subscriptions)
                .map(|(s, subscription)| {
                    SinkMachine::new(s.config, subscription, Arc::from(s.encoder), s.destination)
                })
                .collect(),
            next_id: 1,
            jitter: backoff::Jitter::new(seed),
            cursor: 0,
        })
    }

    /// Queues `record` for every sink that subscribes to it (its `kinds`
    /// and `event_types`), and counts it as `filtered` for the others. Only
    /// a queue push: never blocks, never does I/O. Fails only when a `Block`
    /// sink is full, and then queues and counts nothing.
    pub fn emit(&mut self, record: &Record, now_ms: i64) -> Result<(), WouldBlock> {
        if let Some(full) = self
            .sinks
            .iter()
            .find(|s| s.wants(record) && s.would_block())
        {
            return Err(WouldBlock {
                sink: full.config.name.clone(),
            });
        }
        for s in &mut self.sinks {
            if s.wants(record) {
                let _: Accepted = s.emit(record, now_ms, None);
            } else {
                s.filter_out();
            }
        }
        Ok(())
    }

    /// Like [`Pipeline::emit`], for a record stored in an outbox as entry
    /// `seq`: sinks track which entries they have resolved (see
    /// [`Pipeline::resolved_through`]). Never refuses: the outbox already
    /// holds the record.
    pub fn emit_stored(&mut self, record: &Record, seq: u64, now_ms: i64) {
        for s in &mut self.sinks {
            if s.wants(record) {
                let _: Accepted = s.emit(record, now_ms, Some(seq));
            } else {
                s.saw(seq);
                s.filter_out();
            }
        }
    }

    /// Re-queues outbox entry `seq` for one sink only (replay after a
    /// restart). Returns false for an unknown sink.
    pub fn replay_to(&mut self, sink: &str, record: &Record, seq: u64, now_ms: i64) -> bool {
        let Some(s) = self.sinks.iter_mut().find(|s| s.config.name == sink) else {
            return false;
        };
        if s.wants(record) {
            let _: Accepted = s.emit(record, now_ms, Some(seq));
        } else {
            s.saw(seq);
            s.filter_out();
        }
        true
    }

    /// Counts outbox entry `seq` for `sink` as emitted and dropped
    /// (`decode_error`): it could not be read back as a record.
    pub fn drop_stored(&mut self, sink: &str, seq: u64) {
        if let Some(s) = self.sinks.iter_mut().find(|s| s.config.name == sink) {
            s.drop_stored(seq, "decode_error");
        }
    }

    /// Records `error` as every sink's last error (a failure outside any
    /// one transmission, such as the outbox's disk).
    pub fn note_error(&mut self, error: &str) {
        for s in &mut self.sinks {
            s.note_error(error);
        }
    }

    /// Records `error` as the last error of `sink` only.
    // Only the native driver calls it.
    #[cfg_attr(
        not(all(feature = "native", not(target_arch = "wasm32"))),
        allow(dead_code)
    )]
    pub(crate) fn note_error_for(&mut self, sink: &str, error: &str) {
        if let Some(s) = self.sinks.iter_mut().find(|s| s.config.name == sink) {
            s.note_error(error);
        }
    }

    /// Counts `record` as emitted and dropped for `reason` by every sink
    /// that takes it (and as filtered by the others), without queueing it
    /// (it could not be stored).
    // Only the native driver calls it.
    #[cfg_attr(
        not(all(feature = "native", not(target_arch = "wasm32"))),
        allow(dead_code)
    )]
    pub(crate) fn count_dropped(&mut self, record: &Record, reason: &str) {
        for s in &mut self.sinks {
            if s.wants(record) {
                s.count_dropped(reason);
            } else {
                s.filter_out();
            }
        }
    }

    /// Notes that every outbox entry up to `seq` was handed to `sink` or
    /// skipped (damaged), so it may acknowledge past entries it never saw.
    // Only the native driver calls it.
    #[cfg_attr(
        not(all(feature = "native", not(target_arch = "wasm32"))),
        allow(dead_code)
    )]
    pub(crate) fn saw_stored(&mut self, sink: &str, seq: u64) {
        if let Some(s) = self.sinks.iter_mut().find(|s| s.config.name == sink) {
            s.saw(seq);
        }
    }

    /// Each sink's name and destination, in order.
    // Only the native driver calls it.
    #[cfg_attr(
        not(all(feature = "native", not(target_arch = "wasm32"))),
        allow(dead_code)
    )]
    pub(crate) fn destinations(&self) -> impl Iterator<Item = (&str, &Destination)> {
        self.sinks
            .iter()
            .map(|s| (s.config.name.as_str(), s.destination()))
    }

    /// True when a driver waiting for [`Pipeline::next_wakeup`] should look
    /// again now (a batch filled up, or a first record started a timer);
    /// lets a driver skip waking up for every record.
    pub fn needs_attention(&self) -> bool {
        self.sinks.iter().any(SinkMachine::needs_attention)
    }

    /// True when `sink`'s queue has room for another record.
    pub fn has_room(&self, sink: &str) -> bool {
        self.sink(sink).is_some_and(SinkMachine::has_room)
    }

    /// The highest outbox sequence number up to which every entry is
    /// resolved for `sink` (delivered, dead-lettered, dropped, or not of a
    /// kind it takes): safe to acknowledge in the outbox.
    pub fn resolved_through(&self, sink: &str) -> Option<u64> {
        self.sink(sink).and_then(SinkMachine::resolved_through)
    }

    /// The names of the sinks, in order.
    pub fn sink_names(&self) -> Vec<String> {
        self.sinks.iter().map(|s| s.config.name.clone()).collect()
    }

    /// The next request to perform now, if any sink has one due. Sinks take
    /// turns.
    pub fn poll_transmit(&mut self, now_ms: i64) -> Option<Transmit> {
        let n = self.sinks.len();
        for k in 0..n {
            let i = (self.cursor + k) % n;
            let Some(sink) = self.sinks.get_mut(i) else {
                continue;
            };
            if let Some(t) = sink.poll(now_ms, &mut self.next_id) {
                self.cursor = (i + 1) % n;
                return Some(t);
            }
        }
        None
    }

    /// Reports how the transmission `id` went. Unknown ids are ignored.
    pub fn on_outcome(&mut self, id: u64, outcome: Outcome, now_ms: i64) {
        if let Some(s) = self.sinks.iter_mut().find(|s| s.owns(id)) {
            s.on_outcome(id, outcome, now_ms, &mut self.jitter);
        }
    }

    /// When to call [`Pipeline::poll_transmit`] next, at the latest (a batch
    /// falls due or a retry's backoff ends); `None` when nothing waits.
    pub fn next_wakeup(&self) -> Option<i64> {
        self.sinks.iter().filter_map(SinkMachine::next_wakeup).min()
    }

    /// Sends partial batches without waiting for `max_wait_ms`, until the
    /// queues are empty.
    pub fn flush(&mut self) {
        for s in &mut self.sinks {
            s.request_flush();
        }
    }

    /// True when no sink has a record queued, in flight or waiting to retry.
    pub fn is_idle(&self) -> bool {
        self.sinks.iter().all(|s| s.pending() == 0)
    }

    /// Gives up on every pending record (counted as dropped, `shutdown`):
    /// for a shutdown whose time ran out.
    pub fn abandon_pending(&mut self) {
        for s in &mut self.sinks {
            s.abandon();
        }
    }

    /// Stats of every sink, in the order they were given.
    pub fn stats(&self) -> Vec<SinkStats> {
        self.sinks.iter().map(SinkMachine::stats).collect()
    }

    /// The dead letters kept for `sink` (the newest, up to its capacity).
    pub fn dead_letters(&self, sink: &str) -> Vec<DeadLetter> {
        self.sink(sink)
            .map(SinkMachine::dead_letters)
            .unwrap_or_default()
    }

    /// The records a `Memory` sink holds, oldest first.
    pub fn memory_records(&self, sink: &str) -> Vec<Record> {
        self.sink(sink).map(SinkMachine::memory).unwrap_or_default()
    }

    fn sink(&self, name: &str) -> Option<&SinkMachine> {
        self.sinks.iter().find(|s| s.config.name == name)
    }
}

#[cfg(test)]
mod tests;
