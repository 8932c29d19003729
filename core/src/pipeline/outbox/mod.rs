//! The durable outbox: an optional on-disk spool (native only) between the
//! builder and the sinks. Records, already shaped by the org's logging level,
//! are appended as opaque bytes to a checksummed, segmented log before
//! delivery; each sink reads at its own pace and acknowledges what it stored;
//! after a crash or restart everything a sink has not acknowledged is read
//! again. Delivery is therefore at least once, never lossy (unless the size
//! bound is configured to drop), and duplicates carry the record's own
//! idempotency key. The file formats are described in `docs/outbox.md`.

mod config;
mod crc32;
mod cursor;
mod disk;
#[cfg(test)]
mod recovery_tests;
mod segment;
mod stats;
#[cfg(test)]
mod tests;

pub use config::{OnWriteError, OutboxConfig, OutboxOverflow, SyncPolicy};
pub use stats::{OutboxStats, SinkPosition};

use crate::{Error, Result};
use disk::io_error;
use segment::{ENTRY_OVERHEAD, HEADER_LEN, MAX_SEQ, Segment};
use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::Path;

#[derive(Debug)]
struct SinkCursor {
    name: String,
    /// Durable position: every seq up to this one is acknowledged.
    acked: u64,
    /// Next seq `read` hands out.
    next_read: u64,
}

/// A durable, segmented spool of records with one read position per sink.
/// See the [module documentation](self).
#[derive(Debug)]
pub struct Outbox {
    config: OutboxConfig,
    /// Oldest first; never empty; the last one is the active segment.
    segments: VecDeque<Segment>,
    /// Append handle on the active segment.
    active: File,
    /// The directory lock, held for the outbox's life (released on drop).
    _lock: File,
    total_bytes: u64,
    sinks: Vec<SinkCursor>,
    unsynced: bool,
    /// Set when a write or fsync failed in a way that leaves the file state
    /// unknown; appends are refused until the outbox is reopened, whose
    /// recovery scan re-establishes a known state.
    failed: Option<String>,
    torn_tail_recovered: u64,
    dropped_overflow: u64,
    rejected: u64,
    damaged_entries: u64,
    quarantined_bytes: u64,
}

fn config_error(message: impl Into<String>) -> Error {
    Error::Input {
        location: "outbox config".to_owned(),
        message: message.into(),
    }
}

/// The most sequence numbers a hole may span: entries lost to damage or
/// with a deleted segment (a full 8 MiB segment of the smallest entries
/// holds far fewer). A larger jump is not damage the outbox can explain.
pub(crate) const MAX_SEQ_GAP: u64 = 1 << 20;

impl Outbox {
    /// Opens (or creates) the outbox in `config.dir` for `sinks`, recovering
    /// from whatever a crash left: every segment is checksummed, a torn write
    /// at the end of the newest segment is cut off and counted in
    /// [`OutboxStats::torn_tail_recovered`], and each sink resumes right
    /// after its last acknowledged record. A sink without a cursor yet (new
    /// to this directory) starts at the oldest retained record. Segments
    /// every listed sink has acknowledged are deleted.
    ///
    /// Damage that is not a torn tail (a flipped byte, a stale entry) does
    /// not stop the open: the damaged bytes are copied to `quarantine/` in
    /// the directory, cut out of their segment, and counted in
    /// [`OutboxStats::damaged_entries`] and
    /// [`OutboxStats::quarantined_bytes`]; every intact entry stays
    /// readable.
    ///
    /// Errors: a bad config or sink name, another outbox holding the
    /// directory's lock (kind `io`: in this process or another; each worker
    /// process needs its own directory), I/O failures, a damaged cursor
    /// file, and segments whose names or headers contradict each other (the
    /// error names the file and byte offset).
    pub fn open(config: OutboxConfig, sinks: &[&str]) -> Result<Outbox> {
        if config.segment_bytes < 64 {
            return Err(config_error("segment_bytes must be at least 64"));
        }
        if config.max_bytes < config.segment_bytes {
            return Err(config_error("max_bytes must be at least segment_bytes"));
        }
        if sinks.is_empty() {
            return Err(config_error("an outbox needs at least one sink"));
        }
        for (i, s) in sinks.iter().enumerate() {
            if !cursor::is_valid_sink_name(s) {
                return Err(config_error(format!(
                    "sink name `{s}` must be 1 to 64 ASCII letters, digits, `-`, `_` \
                     or `.`, not starting with `.`"
                )));
            }
            if sinks[..i].contains(s) {
                return Err(config_error(format!("sink `{s}` is listed twice")));
            }
        }
        let dir = config.dir.clone();
        fs::create_dir_all(&dir).map_err(|e| io_error(&dir, "create directory", &e))?;
        let lock = disk::lock_dir(&dir)?;

        let mut firsts = Vec::new();
        let listing = fs::read_dir(&dir).map_err(|e| io_error(&dir, "list directory", &e))?;
        for item in listing {
            let item = item.map_err(|e| io_error(&dir, "list directory", &e))?;
            let name = item.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(first) = segment::parse_file_name(name) {
                firsts.push(first);
            } else if cursor::is_leftover(name) || name.ends_with(segment::REWRITE_SUFFIX) {
                let path = item.path();
                fs::remove_file(&path).map_err(|e| io_error(&path, "remove", &e))?;
            }
        }
        firsts.sort_unstable();

        let mut cursors = Vec::with_capacity(sinks.len());
        for s in sinks {
            cursors.push((s.to_string(), cursor::load(&dir, s)?));
        }
        let newest_ack = cursors.iter().filter_map(|c| c.1).max().unwrap_or(0);

        let mut torn = 0;
        let (mut damaged_entries, mut quarantined_bytes) = (0, 0);
        let mut damaged_tail = false;
        let mut segments: VecDeque<Segment> = VecDeque::with_capacity(firsts.len().max(1));
        for (i, &first) in firsts.iter().enumerate() {
            let is_last = i + 1 == firsts.len();
            let found = segment::recover(&dir, first, is_last, &mut torn)?;
            damaged_entries += found.lost;
            quarantined_bytes += found.quarantined;
            if let Some(prev) = segments.back_mut() {
                let expected = prev.end_seq();
                if first < expected {
                    let message = format!(
                        "segment starts at seq {first} where seq {expected} was expected: \
                         it overlaps the segment before it"
                    );
                    return Err(disk::corrupt(&found.segment.path, 0, message));
                }
                // Entries missing between two segments are holes: lost to
                // damage at the end of the previous one (now or in an
                // earlier open), or with a whole segment file.
                let gap = first - expected;
                if gap > MAX_SEQ_GAP {
                    let message = format!(
                        "segment starts at seq {first}, {gap} entries after the segment before \
                         it ends: more than lost segments could have held"
                    );
                    return Err(disk::corrupt(&found.segment.path, 0, message));
                }
                damaged_entries += if damaged_tail { gap.max(1) } else { gap };
                prev.offsets.extend((0..gap).map(|_| None));
            }
            damaged_tail = found.damaged_tail;
            if damaged_tail && is_last {
                // How many entries the damage held is unknown; at least one.
                damaged_entries += 1;
            }
            segments.push_back(found.segment);
        }
        if segments.is_empty() {
            // Continue after the newest acknowledged seq, so a sink's cursor
            // never covers a record appended later.
            segments.push_back(segment::create(&dir, newest_ack + 1)?);
        }
        let active = segment::open_for_append(&segments[segments.len() - 1])?;

        let oldest = segments.front().map_or(1, |s| s.first_seq);
        let last_seq = segments.back().map_or(0, |s| s.end_seq() - 1);
        let mut sinks = Vec::with_capacity(cursors.len());
        for (name, stored) in cursors {
            // A cursor past the log can only come from records that were
            // lost after being acknowledged; clamping keeps records appended
            // from now on visible to the sink. The clamped cursor is stored:
            // left on disk, the old one would cover those records again at
            // the next open, and they would never be delivered.
            let acked = stored.unwrap_or(0).clamp(oldest - 1, last_seq);
            if stored.is_some_and(|s| s > last_seq) {
                cursor::store(&dir, &name, acked)?;
            }
            sinks.push(SinkCursor {
                name,
                acked,
                next_read: acked + 1,
            });
        }
        let total_bytes = segments.iter().map(|s| s.bytes).sum();
        let mut outbox = Outbox {
            config,
            segments,
            active,
            _lock: lock,
            total_bytes,
            sinks,
            unsynced: false,
            failed: None,
            torn_tail_recovered: torn,
            dropped_overflow: 0,
            rejected: 0,
            damaged_entries,
            quarantined_bytes,
        };
        outbox.delete_acknowledged_segments()?;
        Ok(outbox)
    }

    /// Appends one serialized record and returns its sequence number
    /// (increasing by one per record, never reused in this directory while
    /// it holds a segment). With [`SyncPolicy::EveryAppend`] the record is
    /// durable when this returns.
    ///
    /// Errors: the size bound under [`OutboxOverflow::Reject`] (or a record
    /// bigger than `max_bytes` under either policy), I/O failures, and any
    /// call after a failed write or fsync until the outbox is reopened.
    pub fn append(&mut self, record: &[u8]) -> Result<u64> {
        if let Some(why) = &self.failed {
            return Err(io_failed(&self.config.dir, why));
        }
        let len = u32::try_from(record.len()).map_err(|_| {
            config_error(format!("a record of {} bytes exceeds 4 GiB", record.len()))
        })?;
        // Never reached by appending (2^63 records), only from files that
        // were altered to start near the bound.
        if self.active_segment().end_seq() > MAX_SEQ {
            return Err(config_error(format!(
                "sequence numbers are used up: seq {MAX_SEQ} was the last"
            )));
        }
        let size = ENTRY_OVERHEAD + u64::from(len);
        self.make_room(size)?;
        if self.active_segment().bytes + size > self.config.segment_bytes
            && !self.active_segment().offsets.is_empty()
        {
            self.roll()?;
        }
        let seg = self.active_segment();
        let seq = seg.end_seq();
        let (path, before) = (seg.path.clone(), seg.bytes);
        let entry = segment::encode_entry(seq, len, record);
        if let Err(e) = self.active.write_all(&entry) {
            // A partial entry followed by later appends would read as
            // mid-file corruption, so cut it off or stop appending.
            if let Err(e2) = self.active.set_len(before) {
                self.failed = Some(format!("write failed ({e}) and could not be undone ({e2})"));
            }
            return Err(io_error(&path, "append to", &e));
        }
        let seg = self.active_segment_mut();
        seg.offsets.push(Some(before));
        seg.bytes += size;
        self.total_bytes += size;
        self.unsynced = true;
        if self.config.sync == SyncPolicy::EveryAppend {
            self.flush()?;
        }
        Ok(seq)
    }

    /// Makes every appended record durable (fsync). Needed only with
    /// [`SyncPolicy::Batch`]; cheap when nothing is pending. A failed fsync
    /// leaves the outbox refusing appends until it is reopened, because the
    /// kernel may have dropped the unwritten pages.
    pub fn flush(&mut self) -> Result<()> {
        if let Some(why) = &self.failed {
            return Err(io_failed(&self.config.dir, why));
        }
        if self.unsynced {
            if let Err(e) = self.active.sync_data() {
                self.failed = Some(format!("fsync failed: {e}"));
                return Err(io_error(&self.active_segment().path, "fsync", &e));
            }
            self.unsynced = false;
        }
        Ok(())
    }

    /// Up to `max` records for `sink` that it has neither acknowledged nor
    /// read since its last [`rewind`](Self::rewind), oldest first, as
    /// `(seq, record)`. A reopened outbox hands out everything after the
    /// sink's acknowledged position again.
    ///
    /// Entries that no longer match their checksum (changed on disk since
    /// the open) are skipped and counted in
    /// [`OutboxStats::damaged_entries`], like damage found by `open`.
    ///
    /// Errors: an unknown sink and I/O failures.
    pub fn read(&mut self, sink: &str, max: usize) -> Result<Vec<(u64, Vec<u8>)>> {
        let idx = self.sink_index(sink)?;
        let oldest = self.segments.front().map_or(1, |s| s.first_seq);
        let mut seq = self.sinks[idx].next_read.max(oldest);
        let mut out = Vec::new();
        let first = self.segments.partition_point(|s| s.end_seq() <= seq);
        let mut newly_damaged = Vec::new();
        for (k, seg) in self.segments.iter().enumerate().skip(first) {
            if out.len() >= max {
                break;
            }
            if seq < seg.first_seq || seq >= seg.end_seq() {
                seq = seq.max(seg.first_seq);
                if seq >= seg.end_seq() {
                    continue;
                }
            }
            let file = File::open(&seg.path).map_err(|e| io_error(&seg.path, "open", &e))?;
            let mut reader = BufReader::new(file);
            let mut pos = None;
            while out.len() < max && seq < seg.end_seq() {
                let i = (seq - seg.first_seq) as usize;
                let Some(offset) = seg.offsets[i] else {
                    seq += 1;
                    continue;
                };
                if pos != Some(offset) {
                    reader
                        .seek(SeekFrom::Start(offset))
                        .map_err(|e| io_error(&seg.path, "seek in", &e))?;
                }
                match segment::read_entry(&mut reader, &seg.path, offset, seq) {
                    Ok(payload) => {
                        pos = Some(offset + ENTRY_OVERHEAD + payload.len() as u64);
                        out.push((seq, payload));
                    }
                    // Changed on disk since the open: skipped like damage
                    // found then, and the next open quarantines it.
                    Err(_) => {
                        pos = None;
                        newly_damaged.push((k, i));
                    }
                }
                seq += 1;
            }
        }
        for (k, i) in newly_damaged {
            if let Some(slot) = self.segments.get_mut(k).and_then(|s| s.offsets.get_mut(i)) {
                *slot = None;
                self.damaged_entries += 1;
            }
        }
        self.sinks[idx].next_read = seq;
        Ok(out)
    }

    /// The highest sequence number [`read`](Self::read) has handed out to
    /// `sink` or passed over (damaged entries are skipped, not handed out),
    /// or its acknowledged position when it has read nothing since. Errors
    /// only for an unknown sink.
    pub fn read_through(&self, sink: &str) -> Result<u64> {
        let idx = self.sink_index(sink)?;
        Ok(self.sinks[idx].next_read.saturating_sub(1))
    }

    /// Durably records that `sink` stored every record up to `up_to_seq`:
    /// pending appends are fsynced first (a cursor must never point past
    /// durable data), then the cursor file is replaced atomically, then
    /// segments every sink has acknowledged are deleted. Acknowledging an
    /// already acknowledged position does nothing.
    ///
    /// Errors: an unknown sink, a seq never appended, I/O failures (when a
    /// segment deletion fails the acknowledgement itself is already durable),
    /// and any call after a failed write or fsync until the outbox is
    /// reopened.
    pub fn ack(&mut self, sink: &str, up_to_seq: u64) -> Result<()> {
        let idx = self.sink_index(sink)?;
        if up_to_seq <= self.sinks[idx].acked {
            return Ok(());
        }
        let last = self.last_seq();
        if up_to_seq > last {
            return Err(config_error(format!(
                "sink `{sink}` cannot acknowledge seq {up_to_seq}: the newest record is seq {last}"
            )));
        }
        self.flush()?;
        cursor::store(&self.config.dir, sink, up_to_seq)?;
        let c = &mut self.sinks[idx];
        c.acked = up_to_seq;
        c.next_read = c.next_read.max(up_to_seq + 1);
        self.delete_acknowledged_segments()
    }

    /// Moves `sink`'s read position back to just after its acknowledged
    /// position, so the next [`read`](Self::read) hands out the records of a
    /// failed batch again. Errors only for an unknown sink.
    pub fn rewind(&mut self, sink: &str) -> Result<()> {
        let idx = self.sink_index(sink)?;
        let c = &mut self.sinks[idx];
        c.next_read = c.acked + 1;
        Ok(())
    }

    /// Sizes, per-sink positions and counters.
    pub fn stats(&self) -> OutboxStats {
        let last_seq = self.last_seq();
        OutboxStats {
            bytes: self.total_bytes,
            segments: self.segments.len(),
            entries: self.segments.iter().map(Segment::entries).sum(),
            last_seq,
            sinks: self
                .sinks
                .iter()
                .map(|c| SinkPosition {
                    name: c.name.clone(),
                    acked: c.acked,
                    lag: last_seq.saturating_sub(c.acked),
                    in_flight: c.next_read.saturating_sub(c.acked + 1),
                })
                .collect(),
            torn_tail_recovered: self.torn_tail_recovered,
            dropped_overflow: self.dropped_overflow,
            rejected: self.rejected,
            damaged_entries: self.damaged_entries,
            quarantined_bytes: self.quarantined_bytes,
        }
    }

    /// What was found damaged and skipped, in words, or `None` when nothing
    /// was.
    pub fn damage_summary(&self) -> Option<String> {
        if self.damaged_entries == 0 && self.quarantined_bytes == 0 {
            return None;
        }
        Some(format!(
            "{} damaged entries skipped ({} unreadable bytes copied to {} for inspection); \
             every other record is delivered",
            self.damaged_entries,
            self.quarantined_bytes,
            self.config.dir.join(segment::QUARANTINE_DIR).display()
        ))
    }

    /// Entries skipped as damaged since the open (see
    /// [`OutboxStats::damaged_entries`]).
    pub fn damaged_entries(&self) -> u64 {
        self.damaged_entries
    }

    /// The directory this outbox lives in.
    pub fn dir(&self) -> &Path {
        &self.config.dir
    }

    fn sink_index(&self, sink: &str) -> Result<usize> {
        self.sinks
            .iter()
            .position(|c| c.name == sink)
            .ok_or_else(|| config_error(format!("unknown sink `{sink}`")))
    }

    fn last_seq(&self) -> u64 {
        self.segments.back().map_or(0, |s| s.end_seq() - 1)
    }

    fn active_segment(&self) -> &Segment {
        // `segments` is never empty after `open`, so `back` always exists;
        // indexing the last element keeps this free of unwrap.
        &self.segments[self.segments.len() - 1]
    }

    fn active_segment_mut(&mut self) -> &mut Segment {
        let last = self.segments.len() - 1;
        &mut self.segments[last]
    }

    /// Applies the size bound before an entry of `size` bytes is written.
    fn make_room(&mut self, size: u64) -> Result<()> {
        let max = self.config.max_bytes;
        // Checked first so that DropOldest never deletes data for a record
        // that could not fit even in an empty outbox.
        if HEADER_LEN + size > max {
            return Err(self.reject(size));
        }
        loop {
            let active = self.active_segment();
            let rolls =
                !active.offsets.is_empty() && active.bytes + size > self.config.segment_bytes;
            let need = size + if rolls { HEADER_LEN } else { 0 };
            if self.total_bytes + need <= max {
                return Ok(());
            }
            let can_drop = self.config.overflow == OutboxOverflow::DropOldest;
            if can_drop && self.segments.len() > 1 {
                self.drop_oldest()?;
            } else if can_drop && !active.offsets.is_empty() {
                self.roll()?;
            } else {
                return Err(self.reject(size));
            }
        }
    }

    fn reject(&mut self, size: u64) -> Error {
        self.rejected += 1;
        Error::Io {
            location: self.config.dir.display().to_string(),
            message: format!(
                "outbox is full: a {size}-byte entry does not fit ({} of {} bytes used)",
                self.total_bytes, self.config.max_bytes
            ),
        }
    }

    fn drop_oldest(&mut self) -> Result<()> {
        let Some(seg) = self.segments.pop_front() else {
            return Ok(());
        };
        if let Err(e) = fs::remove_file(&seg.path) {
            let path = seg.path.clone();
            self.segments.push_front(seg);
            return Err(io_error(&path, "remove", &e));
        }
        self.total_bytes -= seg.bytes;
        // The cursors on disk still point into the deleted segment; `open`
        // clamps them the same way.
        let oldest = seg.end_seq();
        for c in &mut self.sinks {
            c.acked = c.acked.max(oldest - 1);
            c.next_read = c.next_read.max(oldest);
        }
        self.dropped_overflow += seg.entries();
        disk::sync_dir(&self.config.dir)
    }

    /// Closes the active segment (fsyncing what it holds, since a later
    /// `flush` only syncs the new one) and starts the next.
    fn roll(&mut self) -> Result<()> {
        self.flush()?;
        let next = segment::create(&self.config.dir, self.active_segment().end_seq())?;
        self.active = segment::open_for_append(&next)?;
        self.total_bytes += next.bytes;
        self.segments.push_back(next);
        Ok(())
    }

    /// Deletes, oldest first, the segments every sink has acknowledged; the
    /// active segment stays, since it carries the numbering on.
    fn delete_acknowledged_segments(&mut self) -> Result<()> {
        let all_acked = self.sinks.iter().map(|c| c.acked).min().unwrap_or(0);
        while self.segments.len() > 1
            && self
                .segments
                .front()
                .is_some_and(|s| s.end_seq() <= all_acked + 1)
        {
            let Some(seg) = self.segments.pop_front() else {
                break;
            };
            if let Err(e) = fs::remove_file(&seg.path) {
                let path = seg.path.clone();
                self.segments.push_front(seg);
                return Err(io_error(&path, "remove", &e));
            }
            self.total_bytes -= seg.bytes;
            // Each deletion is made durable before the next: an older segment
            // reappearing after a crash while a newer one stays deleted would
            // leave a gap that `open` reports as a missing segment.
            disk::sync_dir(&self.config.dir)?;
        }
        Ok(())
    }
}

fn io_failed(dir: &Path, why: &str) -> Error {
    Error::Io {
        location: dir.display().to_string(),
        message: format!("outbox refuses writes until reopened: {why}"),
    }
}
