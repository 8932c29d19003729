//! One sink's state machine: a bounded queue, batches, retries and the
//! counters that prove nothing was lost.

use super::backoff::Jitter;
use super::config::{Destination, OverflowPolicy, SinkConfig};
use super::encode::{BatchInfo, Encoder, ItemOutcome};
use super::queue::{Queued, SinkQueue};
use super::stats::{DeadLetter, SinkStats};
use super::{Outcome, Transmit};
use crate::clock::rfc3339_ms;
use crate::schema::{Record, Severity, Verdict};
use crate::select::EventTypes;
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::Arc;

/// Records sent together, and what became of the last try.
#[derive(Debug)]
struct Batch {
    records: Vec<Queued>,
    attempts: u32,
    ready_at: i64,
    in_flight: Option<u64>,
}

/// What `emit` did for one sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    Queued,
    Dropped,
    Delivered,
}

/// Priority records are never evicted to make room for others.
pub(crate) fn is_priority(record: &Record) -> bool {
    match record {
        Record::Event(e) => e.verdict >= Verdict::Redact,
        Record::DlpMatch(m) => m.severity >= Severity::High,
        Record::AuditEvent(_) => true,
        Record::ShadowAiEvent(e) => e.severity >= Severity::High,
        Record::ShadowAiFinding(f) => f.max_severity >= Severity::High,
    }
}

const RESPONSE_KEEP: usize = 1024;

#[derive(Debug)]
pub(crate) struct SinkMachine {
    pub(crate) config: SinkConfig,
    /// `config.event_types`, checked.
    subscription: EventTypes,
    encoder: Arc<dyn Encoder>,
    destination: Destination,
    queue: SinkQueue,
    /// Reused encoding buffer; each record's piece is an exact-size copy.
    scratch: Vec<u8>,
    batches: Vec<Batch>,
    stats: SinkStats,
    dead: VecDeque<DeadLetter>,
    memory: VecDeque<Record>,
    flushing: bool,
    /// Highest outbox sequence number this sink has seen (queued, or
    /// skipped because it does not take the record's kind).
    max_seen_seq: Option<u64>,
}

impl SinkMachine {
    pub(crate) fn new(
        config: SinkConfig,
        subscription: EventTypes,
        encoder: Arc<dyn Encoder>,
        destination: Destination,
    ) -> Self {
        let stats = SinkStats {
            sink: config.name.clone(),
            ..SinkStats::default()
        };
        SinkMachine {
            config,
            subscription,
            encoder,
            destination,
            queue: SinkQueue::default(),
            scratch: Vec::new(),
            batches: Vec::new(),
            stats,
            dead: VecDeque::new(),
            memory: VecDeque::new(),
            flushing: false,
            max_seen_seq: None,
        }
    }

    /// True when the record is in this sink's subscription: one of its
    /// `kinds` and `event_types`.
    pub(crate) fn wants(&self, record: &Record) -> bool {
        (self.config.kinds.is_empty() || self.config.kinds.iter().any(|k| k == record.kind()))
            && self.subscription.matches(record)
    }

    /// Counts a record left out by the subscription.
    pub(crate) fn filter_out(&mut self) {
        self.stats.filtered += 1;
    }

    /// True when a `Block` sink has no room: the record must wait.
    /// Counts outbox entry `seq` as emitted and dropped for `reason` (it
    /// could not be read back as a record).
    pub(crate) fn drop_stored(&mut self, seq: u64, reason: &str) {
        self.saw(seq);
        self.stats.emitted += 1;
        self.drop_records(1, reason);
    }

    /// Counts one record as emitted and dropped for `reason`, never queued.
    // Only the native driver calls it.
    #[cfg_attr(
        not(all(feature = "native", not(target_arch = "wasm32"))),
        allow(dead_code)
    )]
    pub(crate) fn count_dropped(&mut self, reason: &str) {
        self.stats.emitted += 1;
        self.drop_records(1, reason);
    }

    // Only the native driver calls it.
    #[cfg_attr(
        not(all(feature = "native", not(target_arch = "wasm32"))),
        allow(dead_code)
    )]
    pub(crate) fn destination(&self) -> &Destination {
        &self.destination
    }

    pub(crate) fn note_error(&mut self, error: &str) {
        self.stats.last_error = Some(error.to_string());
    }

    /// True when the driver should look at this sink now: its first queued
    /// record starts a wait timer, or a batch is full.
    pub(crate) fn needs_attention(&self) -> bool {
        self.queue.len() == 1
            || self.queue.len() >= self.config.max_batch_records
            || self.queue.bytes() >= self.config.max_batch_bytes
            || self.flushing
    }

    /// True when the queue has room for another record.
    pub(crate) fn has_room(&self) -> bool {
        self.queue.len() < self.config.queue_capacity
    }

    pub(crate) fn would_block(&self) -> bool {
        self.config.overflow == OverflowPolicy::Block
            && !matches!(self.destination, Destination::Memory { .. })
            && self.queue.len() >= self.config.queue_capacity
    }

    /// Notes that outbox entry `seq` exists (whether or not it is queued
    /// here).
    pub(crate) fn saw(&mut self, seq: u64) {
        self.max_seen_seq = Some(self.max_seen_seq.map_or(seq, |m| m.max(seq)));
    }

    /// Every outbox entry up to the returned sequence number is resolved
    /// for this sink — delivered, dead-lettered, dropped or not its kind —
    /// so the outbox may forget it.
    pub(crate) fn resolved_through(&self) -> Option<u64> {
        let pending = self
            .queue
            .iter()
            .chain(self.batches.iter().flat_map(|b| b.records.iter()))
            .filter_map(|q| q.seq)
            .min();
        match pending {
            Some(min) => min.checked_sub(1),
            None => self.max_seen_seq,
        }
    }

    pub(crate) fn emit(&mut self, record: &Record, now: i64, seq: Option<u64>) -> Accepted {
        if let Some(seq) = seq {
            self.saw(seq);
        }
        self.stats.emitted += 1;
        if let Destination::Memory { capacity } = self.destination {
            if self.memory.len() >= capacity.max(1) {
                self.memory.pop_front();
            }
            self.memory.push_back(record.clone());
            self.stats.delivered += 1;
            self.stats.last_success_at = Some(rfc3339_ms(now));
            return Accepted::Delivered;
        }
        let priority = is_priority(record);
        let full = self.queue.len() >= self.config.queue_capacity;
        // A full queue drops a lower-priority arrival before paying for its
        // encoding; a priority arrival evicts the newest lower-priority one.
        if full && (!priority || self.queue.evict_newest_low().is_none()) {
            self.drop_records(1, "queue_full");
            return Accepted::Dropped;
        }
        if full {
            self.drop_records(1, "queue_full");
        }
        self.scratch.clear();
        if let Err(e) = self.encoder.encode_record(record, &mut self.scratch) {
            self.drop_records(1, "encode_error");
            self.stats.last_error =
                Some(format!("cannot encode record {}: {e}", record.event_id()));
            return Accepted::Dropped;
        }
        self.queue.push(Queued::new(
            record.event_id().to_string(),
            priority,
            self.scratch.clone(),
            now,
            seq,
        ));
        Accepted::Queued
    }

    fn drop_records(&mut self, n: usize, reason: &str) {
        *self.stats.dropped.entry(reason.to_string()).or_insert(0) += n as u64;
    }

    pub(crate) fn request_flush(&mut self) {
        self.flushing = true;
    }

    pub(crate) fn pending(&self) -> usize {
        self.queue.len() + self.batches.iter().map(|b| b.records.len()).sum::<usize>()
    }

    fn in_flight(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| b.in_flight.is_some())
            .count()
    }

    /// The next request this sink wants sent now, if any.
    pub(crate) fn poll(&mut self, now: i64, next_id: &mut u64) -> Option<Transmit> {
        if self.in_flight() >= self.config.max_in_flight {
            return None;
        }
        // Retries first: they are older.
        let idx = match self
            .batches
            .iter()
            .position(|b| b.in_flight.is_none() && b.ready_at <= now)
        {
            Some(i) => i,
            None => {
                let batch = self.take_batch(now)?;
                self.batches.push(batch);
                self.batches.len() - 1
            }
        };
        let id = *next_id;
        *next_id += 1;
        let destination = self.destination_for_transmit();
        let max_body = self.encoder.max_body_bytes();
        let mut body = Vec::new();
        loop {
            let batch = self.batches.get_mut(idx)?;
            let pieces: Vec<&[u8]> = batch.records.iter().map(|q| q.piece.as_slice()).collect();
            body.clear();
            body.reserve(pieces.iter().map(|p| p.len() + 1).sum::<usize>() + 256);
            self.encoder.frame(&pieces, &mut body);
            // Framing can add more than the estimate: a body over the
            // target's limit is halved until it fits (a single record that
            // does not fit is sent, and its 413 dead-letters it).
            match max_body {
                Some(m) if body.len() > m && batch.records.len() > 1 => {
                    let half = batch.records.len() / 2;
                    let rest = batch.records.split_off(half);
                    let attempts = batch.attempts;
                    self.batches.push(Batch {
                        records: rest,
                        attempts,
                        ready_at: now,
                        in_flight: None,
                    });
                }
                _ => break,
            }
        }
        let batch = self.batches.get_mut(idx)?;
        batch.in_flight = Some(id);
        let info = BatchInfo {
            batch_id: batch_id(&batch.records),
            now_ms: now,
        };
        let headers = self.encoder.headers(&body, &info);
        Some(Transmit {
            id,
            sink: self.config.name.clone(),
            destination,
            headers,
            body,
            records: batch.records.len(),
            gzip: self.encoder.accepts_gzip(),
        })
    }

    fn destination_for_transmit(&self) -> Destination {
        match &self.destination {
            Destination::Http { url } => Destination::Http {
                url: with_default_path(url, self.encoder.default_path()),
            },
            other => other.clone(),
        }
    }

    /// Forms a batch from the queue when one is due.
    fn take_batch(&mut self, now: i64) -> Option<Batch> {
        let first = self.queue.front()?;
        let limit_bytes = self
            .encoder
            .max_body_bytes()
            .map_or(self.config.max_batch_bytes, |m| {
                m.min(self.config.max_batch_bytes)
            });
        let full =
            self.queue.len() >= self.config.max_batch_records || self.queue.bytes() >= limit_bytes;
        let due = now.saturating_sub(first.at_ms)
            >= i64::try_from(self.config.max_wait_ms).unwrap_or(i64::MAX);
        if !(full || due || self.flushing) {
            return None;
        }
        let mut records = Vec::new();
        // Framing adds a little per record; keep a margin for it.
        let mut bytes = 256usize;
        while let Some(q) = self.queue.front() {
            let next = bytes + q.piece.len() + 16;
            if !records.is_empty()
                && (records.len() >= self.config.max_batch_records || next > limit_bytes)
            {
                break;
            }
            bytes = next;
            records.extend(self.queue.pop_front());
        }
        if self.queue.is_empty() {
            self.flushing = false;
        }
        Some(Batch {
            records,
            attempts: 0,
            ready_at: now,
            in_flight: None,
        })
    }

    /// The earliest time this sink wants to be polled again.
    pub(crate) fn next_wakeup(&self) -> Option<i64> {
        let retry = self
            .batches
            .iter()
            .filter(|b| b.in_flight.is_none())
            .map(|b| b.ready_at)
            .min();
        let wait = i64::try_from(self.config.max_wait_ms).unwrap_or(i64::MAX);
        let queued = self.queue.front().map(|q| {
            if self.flushing {
                q.at_ms
            } else {
                q.at_ms.saturating_add(wait)
            }
        });
        retry.into_iter().chain(queued).min()
    }

    /// Takes the batch sent as `id`; `None` when it is not this sink's.
    fn take_in_flight(&mut self, id: u64) -> Option<Batch> {
        let pos = self.batches.iter().position(|b| b.in_flight == Some(id))?;
        Some(self.batches.swap_remove(pos))
    }

    pub(crate) fn owns(&self, id: u64) -> bool {
        self.batches.iter().any(|b| b.in_flight == Some(id))
    }

    pub(crate) fn on_outcome(&mut self, id: u64, outcome: Outcome, now: i64, jitter: &mut Jitter) {
        let Some(batch) = self.take_in_flight(id) else {
            return;
        };
        match outcome {
            Outcome::Delivered => self.delivered(batch.records.len(), now),
            Outcome::Failed { error, retryable } => {
                self.stats.last_error = Some(error.clone());
                if retryable {
                    self.retry(batch, None, now, jitter, &error);
                } else {
                    self.dead_letter(batch.records, &error, None, "", now);
                }
            }
            Outcome::Http {
                status,
                retry_after_ms,
                body,
            } => match status {
                200..=299 => match self.encoder.item_outcomes(&body, batch.records.len()) {
                    None => self.delivered(batch.records.len(), now),
                    Some(items) => self.partial(batch, items, now, jitter),
                },
                413 if batch.records.len() > 1 => {
                    // Too large: send each half on its own, now.
                    let mut first = batch.records;
                    let second = first.split_off(first.len() / 2);
                    for records in [first, second] {
                        self.batches.push(Batch {
                            records,
                            attempts: batch.attempts,
                            ready_at: now,
                            in_flight: None,
                        });
                    }
                    self.stats.last_error = Some("HTTP 413: batch too large, split in two".into());
                }
                408 | 429 | 500 | 502..=599 => {
                    let error = format!("HTTP {status}");
                    self.stats.last_error = Some(error.clone());
                    self.retry(batch, retry_after_ms, now, jitter, &error);
                }
                _ => {
                    let error = format!("HTTP {status}");
                    self.stats.last_error = Some(format!("{error}: {}", excerpt(&body)));
                    self.dead_letter(batch.records, &error, Some(status), &excerpt(&body), now);
                }
            },
        }
    }

    fn delivered(&mut self, n: usize, now: i64) {
        self.stats.delivered += n as u64;
        self.stats.last_success_at = Some(rfc3339_ms(now));
    }

    fn retry(
        &mut self,
        mut batch: Batch,
        retry_after_ms: Option<u64>,
        now: i64,
        jitter: &mut Jitter,
        error: &str,
    ) {
        batch.attempts += 1;
        if self.config.max_attempts > 0 && batch.attempts >= self.config.max_attempts {
            let reason = format!(
                "retries exhausted after {} attempts: {error}",
                batch.attempts
            );
            self.dead_letter(batch.records, &reason, None, "", now);
            return;
        }
        self.stats.retried += batch.records.len() as u64;
        let backoff = jitter.delay_ms(
            batch.attempts,
            self.config.initial_backoff_ms,
            self.config.max_backoff_ms,
        );
        let delay = backoff.max(retry_after_ms.unwrap_or(0));
        batch.ready_at = now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX));
        batch.in_flight = None;
        self.batches.push(batch);
    }

    fn partial(&mut self, batch: Batch, items: Vec<ItemOutcome>, now: i64, jitter: &mut Jitter) {
        let mut again = Vec::new();
        let mut failed = Vec::new();
        let mut reasons = Vec::new();
        let mut delivered = 0;
        let mut outcomes = items.into_iter();
        for q in batch.records {
            // A response with fewer items than records is answered for the
            // rest by retrying them: never counted delivered unseen.
            match outcomes.next() {
                Some(ItemOutcome::Delivered) => delivered += 1,
                Some(ItemOutcome::Permanent(r)) => {
                    reasons.push(r);
                    failed.push(q);
                }
                Some(ItemOutcome::Retry(_)) | None => again.push(q),
            }
        }
        if delivered > 0 {
            self.delivered(delivered, now);
        }
        if !failed.is_empty() {
            let reason = reasons.first().cloned().unwrap_or_default();
            self.dead_letter(
                failed,
                &format!("rejected by the target: {reason}"),
                Some(200),
                "",
                now,
            );
        }
        if !again.is_empty() {
            let retry = Batch {
                records: again,
                attempts: batch.attempts,
                ready_at: now,
                in_flight: None,
            };
            self.retry(
                retry,
                None,
                now,
                jitter,
                "some items failed and will be retried",
            );
        }
    }

    fn dead_letter(
        &mut self,
        records: Vec<Queued>,
        reason: &str,
        status: Option<u16>,
        response: &str,
        now: i64,
    ) {
        self.stats.dead_lettered += records.len() as u64;
        self.stats.last_error = Some(reason.to_string());
        if self.dead.len() >= self.config.dead_letter_capacity.max(1) {
            self.dead.pop_front();
        }
        self.dead.push_back(DeadLetter {
            sink: self.config.name.clone(),
            record_ids: records.into_iter().map(|q| q.id).collect(),
            reason: reason.to_string(),
            status,
            response: response.to_string(),
            at: rfc3339_ms(now),
        });
    }

    /// Gives up on everything still pending (counted as dropped,
    /// `shutdown`), for a shutdown that timed out.
    pub(crate) fn abandon(&mut self) {
        let n = self.pending();
        if n > 0 {
            self.drop_records(n, "shutdown");
        }
        self.queue.clear();
        self.batches.clear();
    }

    pub(crate) fn stats(&self) -> SinkStats {
        let mut s = self.stats.clone();
        s.pending = self.pending() as u64;
        s.in_flight = self.in_flight() as u64;
        s
    }

    pub(crate) fn dead_letters(&self) -> Vec<DeadLetter> {
        self.dead.iter().cloned().collect()
    }

    pub(crate) fn memory(&self) -> Vec<Record> {
        self.memory.iter().cloned().collect()
    }
}

fn excerpt(body: &[u8]) -> String {
    let end = body.len().min(RESPONSE_KEEP);
    String::from_utf8_lossy(body.get(..end).unwrap_or_default()).into_owned()
}

/// A batch id that depends only on the records in it, so a retried batch
/// keeps its id (`webhook-id` is an idempotency key).
fn batch_id(records: &[Queued]) -> String {
    let mut h = Sha256::new();
    for q in records {
        h.update(q.id.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let mut out = String::from("batch_");
    for b in digest.iter().take(16) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// `http://host:8088` + `/services/collector/event`; a URL with a path is
/// kept as it is.
fn with_default_path(url: &str, path: Option<&str>) -> String {
    let Some(path) = path else {
        return url.to_string();
    };
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let has_path = after_scheme
        .find('/')
        .is_some_and(|i| after_scheme.len() > i + 1);
    if has_path {
        url.to_string()
    } else {
        format!("{}{path}", url.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_only_when_none_given() {
        assert_eq!(
            with_default_path("http://h:8088", Some("/x")),
            "http://h:8088/x"
        );
        assert_eq!(
            with_default_path("http://h:8088/", Some("/x")),
            "http://h:8088/x"
        );
        assert_eq!(
            with_default_path("http://h:8088/custom", Some("/x")),
            "http://h:8088/custom"
        );
        assert_eq!(with_default_path("http://h", None), "http://h");
    }
}
