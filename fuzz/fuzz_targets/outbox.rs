//! The durable outbox's recovery and reader on damaged directories. The
//! input describes segment and cursor files (mostly well formed, so that the
//! checks past the header are reached, then damaged: wrong versions and
//! sequence numbers, bad checksums, bad lengths, torn or zero-filled tails,
//! raw bytes) and then a few calls. `open` must skip damaged entries (or
//! report what it cannot skip as an error), never panic; an outbox it opened
//! must hand every sink each record once, in order, without looping; and whatever state the outbox leaves
//! after its own recovery and writes must reopen and read the same records.

#![no_main]
// A panic is how a fuzz target reports a broken invariant.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use arbitrary::Arbitrary;
use govstream::pipeline::outbox::{Outbox, OutboxConfig, OutboxOverflow, SyncPolicy};
use govstream_fuzz::crc32;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::path::Path;

const SINKS: [&str; 2] = ["a", "b"];

#[derive(Arbitrary, Debug)]
enum Seq {
    /// Where the previous segment ends: the well-formed case.
    Next,
    Small(u8),
    Raw(u64),
}

#[derive(Arbitrary, Debug)]
enum Header {
    Valid,
    Version(u32),
    /// A first seq other than the file name's.
    Named(u64),
    BadCrc,
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Entry {
    payload: Vec<u8>,
    /// A seq other than the expected one.
    seq: Option<u64>,
    /// A length other than the payload's.
    len: Option<u32>,
    bad_crc: bool,
}

#[derive(Arbitrary, Debug)]
enum Tail {
    None,
    Zeros(u8),
    Raw(Vec<u8>),
    /// Cut this many bytes off the end.
    Cut(u8),
}

#[derive(Arbitrary, Debug)]
struct Segment {
    first: Seq,
    header: Header,
    entries: Vec<Entry>,
    tail: Tail,
}

#[derive(Arbitrary, Debug)]
enum Cursor {
    Missing,
    Valid(u64),
    Small(u8),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Call {
    Append(Vec<u8>),
    Read(bool, u8),
    Ack(bool, u8),
    Rewind(bool),
    Flush,
}

#[derive(Arbitrary, Debug)]
struct Input {
    segments: Vec<Segment>,
    cursors: [Cursor; 2],
    leftover_tmp: bool,
    segment_bytes: u16,
    drop_oldest: bool,
    calls: Vec<Call>,
}

fn header(first: u64, spec: &Header) -> Vec<u8> {
    if let Header::Raw(bytes) = spec {
        return bytes.clone();
    }
    let mut out = b"GSOUTBOX".to_vec();
    let version = if let Header::Version(v) = spec { *v } else { 1 };
    out.extend(version.to_le_bytes());
    let named = if let Header::Named(n) = spec {
        *n
    } else {
        first
    };
    out.extend(named.to_le_bytes());
    let crc = crc32(&[&out]) ^ u32::from(matches!(spec, Header::BadCrc));
    out.extend(crc.to_le_bytes());
    out
}

fn write_files(dir: &Path, input: &Input) {
    let mut next = 1u64;
    for seg in input.segments.iter().take(4) {
        let first = match seg.first {
            Seq::Next => next,
            Seq::Small(n) => u64::from(n),
            Seq::Raw(n) => n,
        };
        let mut bytes = header(first, &seg.header);
        let mut seq = first;
        for e in seg.entries.iter().take(8) {
            let len = e.len.unwrap_or(e.payload.len() as u32);
            let s = e.seq.unwrap_or(seq);
            let crc = crc32(&[&len.to_le_bytes(), &s.to_le_bytes(), &e.payload]);
            bytes.extend(len.to_le_bytes());
            bytes.extend((crc ^ u32::from(e.bad_crc)).to_le_bytes());
            bytes.extend(s.to_le_bytes());
            bytes.extend(&e.payload);
            seq = seq.wrapping_add(1);
        }
        match &seg.tail {
            Tail::None => {}
            Tail::Zeros(n) => bytes.extend(std::iter::repeat_n(0, usize::from(*n))),
            Tail::Raw(raw) => bytes.extend(raw),
            Tail::Cut(n) => bytes.truncate(bytes.len().saturating_sub(usize::from(*n))),
        }
        next = seq;
        std::fs::write(dir.join(format!("{first:020}.seg")), bytes).unwrap();
    }
    for (sink, cursor) in SINKS.iter().zip(&input.cursors) {
        let acked = match cursor {
            Cursor::Missing => continue,
            Cursor::Raw(raw) => {
                std::fs::write(dir.join(format!("{sink}.cursor")), raw).unwrap();
                continue;
            }
            Cursor::Valid(n) => *n,
            Cursor::Small(n) => u64::from(*n),
        };
        let mut bytes = b"GSCURSOR".to_vec();
        bytes.extend(1u32.to_le_bytes());
        bytes.extend(acked.to_le_bytes());
        let crc = crc32(&[&bytes]);
        bytes.extend(crc.to_le_bytes());
        std::fs::write(dir.join(format!("{sink}.cursor")), bytes).unwrap();
    }
    if input.leftover_tmp {
        std::fs::write(dir.join("a.cursor.tmp"), b"half").unwrap();
    }
}

/// Everything `sink` has not yet read, checked against what is known of
/// each seq; `max` per call so that several calls are needed.
fn drain(outbox: &mut Outbox, sink: &str, known: &mut BTreeMap<u64, Vec<u8>>, gapless: bool) {
    let entries = outbox.stats().entries;
    let mut last: Option<u64> = None;
    for _ in 0..=entries + 1 {
        let batch = match outbox.read(sink, 3) {
            Ok(b) => b,
            Err(e) => panic!("reading a recovered outbox fails: {e}"),
        };
        if batch.is_empty() {
            return;
        }
        for (seq, payload) in batch {
            if let Some(prev) = last {
                assert!(seq > prev, "seq {seq} read after {prev}");
                assert!(!gapless || seq == prev + 1, "seq {seq} read after {prev}");
            }
            last = Some(seq);
            let old = known.insert(seq, payload.clone());
            assert!(
                old.is_none_or(|o| o == payload),
                "seq {seq} changed its payload"
            );
        }
    }
    panic!("reading {sink} does not come to an end over {entries} entries");
}

fn base_dir() -> std::path::PathBuf {
    // Every run writes and fsyncs files: on tmpfs that costs nothing.
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fuzz_target!(|input: Input| {
    let tmp = tempfile::Builder::new()
        .prefix("govstream-fuzz-outbox")
        .tempdir_in(base_dir())
        .unwrap();
    write_files(tmp.path(), &input);
    let segment_bytes = u64::from(input.segment_bytes).max(64);
    let config = OutboxConfig {
        segment_bytes,
        max_bytes: segment_bytes * 8,
        overflow: if input.drop_oldest {
            OutboxOverflow::DropOldest
        } else {
            OutboxOverflow::Reject
        },
        sync: SyncPolicy::Batch,
        ..OutboxConfig::new(tmp.path())
    };
    let Ok(mut outbox) = Outbox::open(config.clone(), &SINKS) else {
        return;
    };
    let stats = outbox.stats();
    // Entries skipped as damaged leave holes in the numbering.
    let gapless = !input.drop_oldest && stats.damaged_entries == 0;
    let mut known = BTreeMap::new();
    for s in &stats.sinks {
        assert!(
            s.acked <= stats.last_seq,
            "sink {} acked past the log",
            s.name
        );
    }
    for call in input.calls.iter().take(16) {
        let sink = |b: &bool| SINKS[usize::from(*b)];
        match call {
            Call::Append(payload) => {
                if let Ok(seq) = outbox.append(payload) {
                    assert_eq!(seq, outbox.stats().last_seq);
                    assert!(
                        known.insert(seq, payload.clone()).is_none(),
                        "seq {seq} reused"
                    );
                }
            }
            Call::Read(b, max) => {
                for (seq, payload) in outbox.read(sink(b), usize::from(*max)).unwrap() {
                    let old = known.insert(seq, payload.clone());
                    assert!(old.is_none_or(|o| o == payload), "seq {seq} changed");
                }
            }
            Call::Ack(b, back) => {
                let last = outbox.stats().last_seq;
                let up_to = last.saturating_sub(u64::from(*back));
                outbox.ack(sink(b), up_to).unwrap();
            }
            Call::Rewind(b) => outbox.rewind(sink(b)).unwrap(),
            Call::Flush => outbox.flush().unwrap(),
        }
    }
    for sink in SINKS {
        outbox.rewind(sink).unwrap();
        drain(&mut outbox, sink, &mut known, gapless);
    }
    let before = outbox.stats();
    outbox.flush().unwrap();
    drop(outbox);

    let mut again = match Outbox::open(config, &SINKS) {
        Ok(o) => o,
        Err(e) => panic!("an outbox does not reopen after its own recovery: {e}"),
    };
    let after = again.stats();
    assert_eq!(
        after.last_seq, before.last_seq,
        "reopening moved the last seq"
    );
    for (b, a) in before.sinks.iter().zip(&after.sinks) {
        assert_eq!(a.acked, b.acked, "reopening moved the cursor of {}", a.name);
    }
    for sink in SINKS {
        drain(&mut again, sink, &mut known, gapless);
    }
});
