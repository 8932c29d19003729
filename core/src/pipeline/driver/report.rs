//! What a flush or a shutdown achieved, in numbers: a host can tell
//! "everything delivered" from "gave up on some" without reading stats.

use super::Completion;
use crate::pipeline::SinkStats;

/// What happened to records while a flush (or a shutdown's flush) ran.
/// Counts are summed over sinks: a record sent to two sinks counts twice.
/// Records emitted by other threads during the flush are counted too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushReport {
    /// Whether the driver went idle before the deadline.
    pub completion: Completion,
    /// Records the targets acknowledged during the flush.
    pub delivered: u64,
    /// Records given up for good during the flush (refused by a target, or
    /// retries exhausted).
    pub dead_lettered: u64,
    /// Records dropped during the flush, whatever the reason (`shutdown`
    /// included, for a shutdown whose time ran out without an outbox).
    pub dropped: u64,
    /// Records still queued, in flight, retrying or unread in the outbox
    /// when the flush returned.
    pub pending: u64,
}

impl FlushReport {
    /// True when the flush completed and gave up on nothing: every record
    /// it saw was delivered.
    pub fn all_delivered(&self) -> bool {
        self.completion == Completion::Done && self.dead_lettered == 0 && self.dropped == 0
    }
}

/// Counters summed over sinks, to subtract a before from an after.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Totals {
    delivered: u64,
    dead_lettered: u64,
    dropped: u64,
}

impl Totals {
    pub(super) fn of(stats: &[SinkStats]) -> Totals {
        stats.iter().fold(Totals::default(), |t, s| Totals {
            delivered: t.delivered + s.delivered,
            dead_lettered: t.dead_lettered + s.dead_lettered,
            dropped: t.dropped + s.dropped_total(),
        })
    }

    /// The report of a flush that started at `self` and ended at `after`.
    pub(super) fn since(self, after: Totals, completion: Completion, pending: u64) -> FlushReport {
        FlushReport {
            completion,
            delivered: after.delivered.saturating_sub(self.delivered),
            dead_lettered: after.dead_lettered.saturating_sub(self.dead_lettered),
            dropped: after.dropped.saturating_sub(self.dropped),
            pending,
        }
    }
}
