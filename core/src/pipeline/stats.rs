//! What a sink has done, in numbers. At every moment
//! `emitted == delivered + dropped + dead_lettered + pending`; records the
//! sink does not subscribe to are `filtered`, never emitted to it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counters and last outcomes of one sink.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkStats {
    /// The sink's name.
    pub sink: String,
    /// Records accepted by `emit` for this sink.
    pub emitted: u64,
    /// Records outside the sink's subscription (its `kinds` and
    /// `event_types`): never queued, never emitted to it, and not a loss.
    #[serde(default)]
    pub filtered: u64,
    /// Records the target acknowledged.
    pub delivered: u64,
    /// Record transmissions repeated after a retryable failure (a record
    /// retried three times counts three).
    pub retried: u64,
    /// Records given up before delivery, by reason (`queue_full`,
    /// `encode_error`, `shutdown`). Never counts a record still being retried.
    pub dropped: BTreeMap<String, u64>,
    /// Records queued, in flight or waiting to be retried.
    pub pending: u64,
    /// Records the target refused for good (or that exhausted their retries).
    pub dead_lettered: u64,
    /// Batches sent and not yet answered.
    pub in_flight: u64,
    /// The last failure, in words (never containing a credential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the last batch was delivered (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success_at: Option<String>,
}

impl SinkStats {
    /// All records dropped, whatever the reason.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }

    /// True when the counters add up: every emitted record is delivered,
    /// dropped, dead-lettered or pending.
    pub fn balanced(&self) -> bool {
        self.emitted == self.delivered + self.dropped_total() + self.dead_lettered + self.pending
    }
}

/// A batch (or part of one) the target refused for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The sink.
    pub sink: String,
    /// Idempotency keys (`event_id`, `match_id`, …) of the records.
    pub record_ids: Vec<String>,
    /// Why, in words.
    pub reason: String,
    /// The HTTP status, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The start of the response body (at most 1 KiB, lossy UTF-8).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub response: String,
    /// When (RFC 3339).
    pub at: String,
}
