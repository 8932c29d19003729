//! The host-driven pipeline, for hosts that do their own I/O (a browser
//! extension's `fetch`, a mobile app's HTTP stack): the host emits records,
//! asks what to send with [`HostPipeline::poll_transmit`], sends it, and
//! reports how it went with [`HostPipeline::on_outcome`]. Time always comes
//! from the host. Nothing here touches a socket, a file, a thread or a
//! clock, so it runs on `wasm32-unknown-unknown`.

use super::ApiError;
use super::spec::PipelineSpec;
use crate::Problem;
use crate::pipeline::{DeadLetter, Destination, Outcome, Pipeline, SinkStats};
use crate::schema::Record;
use serde::{Deserialize, Serialize};

/// One request for the host to perform.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostTransmit {
    /// Report the outcome with this id.
    pub id: u64,
    /// The sink it belongs to.
    pub sink: String,
    /// `http` (POST `url` with `headers` and `body`), `tcp` (write `body`
    /// to `address`), `file` or `callback`.
    pub transport: String,
    /// The URL (`http`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `host:port` (`tcp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Headers to send (`http`); they may hold credentials.
    pub headers: Vec<(String, String)>,
    /// The body: every encoder writes UTF-8 text.
    pub body: String,
    /// Records in it.
    pub records: usize,
}

impl std::fmt::Debug for HostTransmit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values and URLs may hold credentials; bodies hold records.
        f.debug_struct("HostTransmit")
            .field("id", &self.id)
            .field("sink", &self.sink)
            .field("transport", &self.transport)
            .field("url", &self.url.as_deref().map(crate::endpoint::display))
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("body_bytes", &self.body.len())
            .field("records", &self.records)
            .finish()
    }
}

/// How a [`HostTransmit`] went, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HostOutcome {
    /// An HTTP answer arrived.
    Http {
        /// Its status.
        status: u16,
        /// `Retry-After`, in milliseconds, when given.
        #[serde(default)]
        retry_after_ms: Option<u64>,
        /// Its body (per-item results, dead-letter excerpts).
        #[serde(default)]
        body: String,
    },
    /// A non-HTTP destination took it.
    Delivered,
    /// It failed before any answer; `retryable: false` dead-letters it.
    Failed {
        /// What went wrong (never put a credential here).
        error: String,
        /// Whether to try again.
        #[serde(default = "yes")]
        retryable: bool,
    },
}

fn yes() -> bool {
    true
}

/// The delivery state machine of a spec's sinks, driven by the host.
#[derive(Debug)]
pub struct HostPipeline {
    pipeline: Pipeline,
}

impl HostPipeline {
    /// Builds it from `spec`. `seed` spreads retries (any value is correct).
    /// A spec with an `outbox` or `notifications` is refused: those need the
    /// native driver.
    pub fn new(spec: &PipelineSpec, seed: u64) -> Result<HostPipeline, ApiError> {
        let mut problems = Vec::new();
        if spec.outbox.is_some() {
            problems.push(Problem::new(
                "$.outbox",
                "a host-driven pipeline has no outbox; the host keeps what must survive",
            ));
        }
        if spec.notifications.is_some() {
            problems.push(Problem::new(
                "$.notifications",
                "notifications need the native driver",
            ));
        }
        if !problems.is_empty() {
            return Err(ApiError::validation("pipeline", problems));
        }
        let sinks = spec.build_sinks()?;
        let pipeline = Pipeline::new(sinks.iter().map(super::BuiltSink::spec).collect(), seed)?;
        Ok(HostPipeline { pipeline })
    }

    /// Queues a record for every sink that takes it (a `full` error when a
    /// `block` sink has no room; nothing is queued then).
    pub fn emit(&mut self, record: &Record, now_ms: i64) -> Result<(), ApiError> {
        self.pipeline
            .emit(record, now_ms)
            .map_err(|e| ApiError::full(&e.sink))
    }

    /// The next request due now, if any.
    pub fn poll_transmit(&mut self, now_ms: i64) -> Option<HostTransmit> {
        let t = self.pipeline.poll_transmit(now_ms)?;
        let (transport, url, address) = match &t.destination {
            Destination::Http { url } => ("http", Some(url.clone()), None),
            Destination::Tcp { addr } => ("tcp", None, Some(addr.clone())),
            Destination::File { .. } => ("file", None, None),
            Destination::Callback | Destination::Memory { .. } => ("callback", None, None),
        };
        Some(HostTransmit {
            id: t.id,
            sink: t.sink,
            transport: transport.into(),
            url,
            address,
            headers: t.headers,
            body: String::from_utf8_lossy(&t.body).into_owned(),
            records: t.records,
        })
    }

    /// Reports how request `id` went (unknown ids are ignored).
    pub fn on_outcome(&mut self, id: u64, outcome: HostOutcome, now_ms: i64) {
        let outcome = match outcome {
            HostOutcome::Http {
                status,
                retry_after_ms,
                body,
            } => Outcome::Http {
                status,
                retry_after_ms,
                body: body.into_bytes(),
            },
            HostOutcome::Delivered => Outcome::Delivered,
            HostOutcome::Failed { error, retryable } => Outcome::Failed { error, retryable },
        };
        self.pipeline.on_outcome(id, outcome, now_ms);
    }

    /// When to poll next at the latest; `None` when nothing waits.
    pub fn next_wakeup(&self) -> Option<i64> {
        self.pipeline.next_wakeup()
    }

    /// Sends partial batches without waiting for `max_wait_ms`.
    pub fn flush(&mut self) {
        self.pipeline.flush();
    }

    /// True when nothing is queued, in flight or waiting to retry.
    pub fn is_idle(&self) -> bool {
        self.pipeline.is_idle()
    }

    /// Gives up on everything pending (counted as dropped, `shutdown`).
    pub fn abandon_pending(&mut self) {
        self.pipeline.abandon_pending();
    }

    /// Every sink's counters.
    pub fn stats(&self) -> Vec<SinkStats> {
        self.pipeline.stats()
    }

    /// The dead letters kept for `sink`.
    pub fn dead_letters(&self, sink: &str) -> Vec<DeadLetter> {
        self.pipeline.dead_letters(sink)
    }

    /// The records a memory sink holds.
    pub fn memory_records(&self, sink: &str) -> Vec<Record> {
        self.pipeline.memory_records(sink)
    }
}
