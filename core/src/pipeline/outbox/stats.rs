//! What an outbox reports about itself: sizes, per-sink positions and the
//! counters of recovered torn writes, dropped and rejected records.

/// Where one sink stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkPosition {
    /// The sink's name.
    pub name: String,
    /// Highest sequence number the sink acknowledged (0: none).
    pub acked: u64,
    /// Records retained and not yet acknowledged by the sink.
    pub lag: u64,
    /// Of those, records read but not yet acknowledged.
    pub in_flight: u64,
}

/// Counters and sizes of an outbox. Counters start at zero when it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxStats {
    /// Bytes of all segment files.
    pub bytes: u64,
    /// Segment files, the active one included.
    pub segments: usize,
    /// Records retained on disk.
    pub entries: u64,
    /// Sequence number of the newest record (0 before the first append).
    pub last_seq: u64,
    /// One entry per sink, in the order given to
    /// [`Outbox::open`](super::Outbox::open).
    pub sinks: Vec<SinkPosition>,
    /// Torn writes cut off while opening (0 or 1: only the last segment can
    /// end in one).
    pub torn_tail_recovered: u64,
    /// Records deleted unacknowledged by
    /// [`OutboxOverflow::DropOldest`](super::OutboxOverflow::DropOldest).
    pub dropped_overflow: u64,
    /// Appends refused by the size bound.
    pub rejected: u64,
    /// Entries lost to damage and skipped: sequence numbers missing from
    /// the retained log when it was opened (counted at every open while
    /// their segment is kept), plus entries a read found changed on disk.
    /// A damaged stretch at the end of the newest segment counts one.
    pub damaged_entries: u64,
    /// Damaged bytes cut out of segments by `open` and copied to
    /// `quarantine/` in the outbox directory.
    pub quarantined_bytes: u64,
}
