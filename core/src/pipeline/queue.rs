//! A sink's bounded queue. Priority records and the rest wait in two
//! deques stamped with one arrival counter, so batches still leave in
//! arrival order while evicting the newest lower-priority record — what a
//! full queue does for a priority arrival — costs O(1) rather than a scan.

use std::collections::VecDeque;

/// A record waiting in a sink, already encoded.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub(crate) id: String,
    pub(crate) priority: bool,
    pub(crate) piece: Vec<u8>,
    pub(crate) at_ms: i64,
    /// Outbox sequence number, when the record came through the outbox.
    pub(crate) seq: Option<u64>,
    /// Arrival order within this queue.
    order: u64,
}

impl Queued {
    pub(crate) fn new(
        id: String,
        priority: bool,
        piece: Vec<u8>,
        at_ms: i64,
        seq: Option<u64>,
    ) -> Self {
        Queued {
            id,
            priority,
            piece,
            at_ms,
            seq,
            order: 0,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct SinkQueue {
    high: VecDeque<Queued>,
    low: VecDeque<Queued>,
    bytes: usize,
    next_order: u64,
}

impl SinkQueue {
    pub(crate) fn len(&self) -> usize {
        self.high.len() + self.low.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Encoded bytes queued.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(crate) fn push(&mut self, mut q: Queued) {
        q.order = self.next_order;
        self.next_order += 1;
        self.bytes += q.piece.len();
        if q.priority {
            self.high.push_back(q);
        } else {
            self.low.push_back(q);
        }
    }

    /// Removes the newest record that is not a priority record.
    pub(crate) fn evict_newest_low(&mut self) -> Option<Queued> {
        let q = self.low.pop_back()?;
        self.bytes -= q.piece.len();
        Some(q)
    }

    /// The oldest record.
    pub(crate) fn front(&self) -> Option<&Queued> {
        match (self.high.front(), self.low.front()) {
            (Some(h), Some(l)) => Some(if h.order < l.order { h } else { l }),
            (h, l) => h.or(l),
        }
    }

    pub(crate) fn pop_front(&mut self) -> Option<Queued> {
        let high_first = match (self.high.front(), self.low.front()) {
            (Some(h), Some(l)) => h.order < l.order,
            (Some(_), None) => true,
            _ => false,
        };
        let q = if high_first {
            self.high.pop_front()
        } else {
            self.low.pop_front()
        }?;
        self.bytes -= q.piece.len();
        Some(q)
    }

    /// Every queued record, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Queued> {
        self.high.iter().chain(self.low.iter())
    }

    pub(crate) fn clear(&mut self) {
        self.high.clear();
        self.low.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, priority: bool) -> Queued {
        Queued::new(id.into(), priority, id.as_bytes().to_vec(), 0, None)
    }

    #[test]
    fn leaves_in_arrival_order_and_evicts_the_newest_low() {
        let mut s = SinkQueue::default();
        for (id, p) in [
            ("a", false),
            ("B", true),
            ("c", false),
            ("D", true),
            ("e", false),
        ] {
            s.push(q(id, p));
        }
        assert_eq!(s.bytes(), 5);
        assert_eq!(s.evict_newest_low().unwrap().id, "e");
        let order: Vec<String> = std::iter::from_fn(|| s.pop_front()).map(|q| q.id).collect();
        assert_eq!(order, ["a", "B", "c", "D"]);
        assert!(s.is_empty() && s.bytes() == 0);
    }
}
