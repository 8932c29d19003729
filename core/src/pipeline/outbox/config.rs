//! How an outbox is configured: where it lives, how big it may grow, what
//! happens at the bound, and when appends are fsynced.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What [`Outbox::append`](super::Outbox::append) does when a record would
/// take the outbox past [`OutboxConfig::max_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutboxOverflow {
    /// Refuse the record: `append` returns an error and
    /// [`OutboxStats::rejected`](super::OutboxStats::rejected) counts it.
    /// Nothing already spooled is lost.
    #[default]
    Reject,
    /// Delete the oldest segments until the record fits, **even when sinks
    /// have not acknowledged them**: those records are lost for every sink
    /// and [`OutboxStats::dropped_overflow`](super::OutboxStats::dropped_overflow)
    /// counts them.
    DropOldest,
}

/// When appended records are made durable (fsync).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPolicy {
    /// Every `append` fsyncs before it returns: a returned sequence number
    /// survives a crash of the process or the machine.
    #[default]
    EveryAppend,
    /// Appends go to the OS page cache; the caller calls
    /// [`Outbox::flush`](super::Outbox::flush)
    /// (for example once per batch). A process crash loses nothing, a power
    /// loss may lose records appended since the last flush. Dropping the
    /// outbox does not flush; [`Outbox::ack`](super::Outbox::ack) does.
    Batch,
}

/// What the native driver's `emit` does when the outbox cannot store a
/// record (disk full, an I/O failure, or the size bound under
/// [`OutboxOverflow::Reject`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OnWriteError {
    /// `emit` returns the error (kind `io`): the host decides.
    #[default]
    Raise,
    /// `emit` returns `Ok` and every sink that takes the record counts it
    /// as dropped (`outbox_write_error`), with the error as `last_error`.
    /// Recording never stops the host; records are lost while the disk is
    /// full, and stored again once space returns.
    Count,
}

/// Where and how the outbox stores records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxConfig {
    /// The directory holding segments and cursors; created if missing. One
    /// `Outbox` at a time may use it: it holds an exclusive lock on
    /// `outbox.lock` there for its life, and a second opener (in this or
    /// another process) fails. Give each worker process its own directory.
    pub dir: PathBuf,
    /// Size at which the active segment is closed and a new one started
    /// (a single larger record gets a segment of its own). At least 64.
    pub segment_bytes: u64,
    /// Bound on the bytes of all segments together. At least `segment_bytes`.
    pub max_bytes: u64,
    /// What happens at the bound.
    pub overflow: OutboxOverflow,
    /// When appends are fsynced.
    pub sync: SyncPolicy,
    /// What the driver's `emit` does when a record cannot be stored.
    pub on_write_error: OnWriteError,
}

impl OutboxConfig {
    /// Defaults in `dir`: 8 MiB segments, 256 MiB bound, reject on
    /// overflow, fsync on every append, write errors raised.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        OutboxConfig {
            dir: dir.into(),
            segment_bytes: 8 << 20,
            max_bytes: 256 << 20,
            overflow: OutboxOverflow::default(),
            sync: SyncPolicy::default(),
            on_write_error: OnWriteError::default(),
        }
    }
}
