//! Behaviour of the outbox through its public API, against real files.

use super::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh directory under the system temp dir, removed on drop.
pub(super) struct TempDir(pub(super) PathBuf);

impl TempDir {
    pub(super) fn new(name: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "govstream-outbox-{}-{n}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    pub(super) fn config(&self) -> OutboxConfig {
        OutboxConfig::new(&self.0)
    }

    pub(super) fn segment_files(&self) -> Vec<PathBuf> {
        let mut v: Vec<_> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "seg"))
            .collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

pub(super) fn small(dir: &TempDir, segment_bytes: u64) -> OutboxConfig {
    OutboxConfig {
        segment_bytes,
        max_bytes: 1 << 20,
        ..dir.config()
    }
}

pub(super) fn records(o: &mut Outbox, sink: &str) -> Vec<(u64, Vec<u8>)> {
    o.read(sink, usize::MAX).unwrap()
}

fn payloads(entries: &[(u64, Vec<u8>)]) -> Vec<String> {
    entries
        .iter()
        .map(|(_, p)| String::from_utf8(p.clone()).unwrap())
        .collect()
}

#[test]
fn outbox_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Outbox>();
}

#[test]
fn appended_records_read_back_in_order_with_their_seqs() {
    let dir = TempDir::new("roundtrip");
    let mut o = Outbox::open(dir.config(), &["s"]).unwrap();
    let big = vec![0xA5u8; 100_000];
    assert_eq!(o.append(b"one").unwrap(), 1);
    assert_eq!(o.append(b"").unwrap(), 2);
    assert_eq!(o.append(&big).unwrap(), 3);
    let got = records(&mut o, "s");
    assert_eq!(got, vec![(1, b"one".to_vec()), (2, Vec::new()), (3, big)]);
    assert!(
        o.read("s", 10).unwrap().is_empty(),
        "read positions advance"
    );
    let st = o.stats();
    assert_eq!((st.entries, st.last_seq, st.segments), (3, 3, 1));
    assert_eq!(st.sinks[0].in_flight, 3);
    assert_eq!(st.bytes, HEADER_LEN + 3 * ENTRY_OVERHEAD + 3 + 100_000);
}

#[test]
fn read_respects_max_and_rewind_goes_back_to_the_acked_position() {
    let dir = TempDir::new("rewind");
    let mut o = Outbox::open(dir.config(), &["s"]).unwrap();
    for i in 0..5 {
        o.append(format!("r{i}").as_bytes()).unwrap();
    }
    assert_eq!(payloads(&o.read("s", 2).unwrap()), ["r0", "r1"]);
    o.ack("s", 2).unwrap();
    assert_eq!(payloads(&o.read("s", 2).unwrap()), ["r2", "r3"]);
    o.rewind("s").unwrap();
    assert_eq!(payloads(&records(&mut o, "s")), ["r2", "r3", "r4"]);
    assert_eq!(o.stats().sinks[0].lag, 3);
    assert!(o.read("s", 0).unwrap().is_empty());
}

#[test]
fn segments_roll_over_and_reads_cross_them() {
    let dir = TempDir::new("rollover");
    // 24-byte header + three 25-byte entries fit in 110; the fourth rolls.
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    for i in 0..10 {
        o.append(format!("entry-{i:03}").as_bytes()).unwrap();
    }
    assert_eq!(o.stats().segments, 4);
    assert_eq!(dir.segment_files().len(), 4);
    let names: Vec<_> = dir
        .segment_files()
        .iter()
        .map(|p| p.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(names[1], "00000000000000000004.seg");
    let got = records(&mut o, "s");
    assert_eq!(
        got.iter().map(|e| e.0).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    // A record larger than a segment gets a segment of its own.
    o.append(&[7u8; 500]).unwrap();
    o.append(b"after").unwrap();
    assert_eq!(o.stats().segments, 6);
}

#[test]
fn each_sink_keeps_its_own_durable_position() {
    let dir = TempDir::new("cursors");
    let mut o = Outbox::open(dir.config(), &["siem", "hook"]).unwrap();
    for i in 0..4 {
        o.append(format!("r{i}").as_bytes()).unwrap();
    }
    assert_eq!(records(&mut o, "siem").len(), 4);
    o.ack("siem", 3).unwrap();
    assert_eq!(records(&mut o, "hook").len(), 4);
    drop(o);

    let mut o = Outbox::open(dir.config(), &["siem", "hook"]).unwrap();
    assert_eq!(payloads(&records(&mut o, "siem")), ["r3"]);
    assert_eq!(payloads(&records(&mut o, "hook")), ["r0", "r1", "r2", "r3"]);
    let lags: Vec<_> = o.stats().sinks.iter().map(|s| (s.acked, s.lag)).collect();
    assert_eq!(lags, [(3, 1), (0, 4)]);
}

#[test]
fn segments_are_deleted_once_every_sink_acknowledged_them() {
    let dir = TempDir::new("delete");
    let mut o = Outbox::open(small(&dir, 110), &["a", "b"]).unwrap();
    for i in 0..9 {
        o.append(format!("entry-{i:03}").as_bytes()).unwrap();
    }
    // Segments hold seqs 1-3, 4-6, 7-9.
    o.ack("a", 9).unwrap();
    assert_eq!(dir.segment_files().len(), 3, "b still needs all of them");
    o.ack("b", 5).unwrap();
    assert_eq!(dir.segment_files().len(), 2, "1-3 is gone, 4-6 is not done");
    o.ack("b", 9).unwrap();
    // The active segment stays: it carries the sequence numbering on.
    assert_eq!(dir.segment_files().len(), 1);
    let st = o.stats();
    assert_eq!((st.entries, st.segments), (3, 1));
    assert_eq!(
        st.bytes,
        fs::metadata(&dir.segment_files()[0]).unwrap().len()
    );
    drop(o);
    let mut o = Outbox::open(small(&dir, 110), &["a", "b"]).unwrap();
    assert!(records(&mut o, "a").is_empty());
    assert_eq!(o.append(b"next").unwrap(), 10);
}

#[test]
fn reopening_replays_unacknowledged_and_continues_the_numbering() {
    let dir = TempDir::new("reopen");
    let mut o = Outbox::open(small(&dir, 80), &["s"]).unwrap();
    for i in 0..6 {
        o.append(format!("r{i}").as_bytes()).unwrap();
    }
    assert_eq!(records(&mut o, "s").len(), 6, "read, in flight, not acked");
    o.ack("s", 2).unwrap();
    drop(o);
    let mut o = Outbox::open(small(&dir, 80), &["s"]).unwrap();
    assert_eq!(o.stats().torn_tail_recovered, 0);
    assert_eq!(payloads(&records(&mut o, "s")), ["r2", "r3", "r4", "r5"]);
    assert_eq!(o.append(b"r6").unwrap(), 7);
    o.ack("s", 7).unwrap();
    drop(o);
    // Everything acknowledged: only the active segment remains, and the
    // numbering still continues rather than restarting at 1.
    let mut o = Outbox::open(small(&dir, 80), &["s"]).unwrap();
    assert!(records(&mut o, "s").is_empty());
    assert_eq!(o.append(b"r7").unwrap(), 8);
}

#[test]
fn numbering_continues_after_the_cursor_when_no_segment_is_left() {
    let dir = TempDir::new("nosegments");
    let mut o = Outbox::open(dir.config(), &["s"]).unwrap();
    for _ in 0..3 {
        o.append(b"x").unwrap();
    }
    o.ack("s", 3).unwrap();
    drop(o);
    for seg in dir.segment_files() {
        fs::remove_file(seg).unwrap();
    }
    let mut o = Outbox::open(dir.config(), &["s"]).unwrap();
    assert_eq!(o.append(b"y").unwrap(), 4);
    assert_eq!(records(&mut o, "s"), vec![(4, b"y".to_vec())]);
}

#[test]
fn a_new_sink_starts_at_the_oldest_retained_record() {
    let dir = TempDir::new("newsink");
    let mut o = Outbox::open(small(&dir, 110), &["a"]).unwrap();
    for i in 0..6 {
        o.append(format!("entry-{i:03}").as_bytes()).unwrap();
    }
    o.ack("a", 4).unwrap();
    drop(o);
    let mut o = Outbox::open(small(&dir, 110), &["a", "b"]).unwrap();
    let got: Vec<u64> = records(&mut o, "b").iter().map(|e| e.0).collect();
    assert_eq!(
        got,
        [4, 5, 6],
        "seqs 1-3 were deleted when `a` was the only sink"
    );
}

#[test]
fn batch_policy_syncs_on_flush_and_before_an_ack() {
    let dir = TempDir::new("batch");
    let config = OutboxConfig {
        sync: SyncPolicy::Batch,
        ..dir.config()
    };
    let mut o = Outbox::open(config.clone(), &["s"]).unwrap();
    o.append(b"a").unwrap();
    o.append(b"b").unwrap();
    assert!(o.unsynced);
    o.flush().unwrap();
    assert!(!o.unsynced);
    o.append(b"c").unwrap();
    o.ack("s", 3).unwrap();
    assert!(!o.unsynced, "an ack must not point past unsynced data");
    drop(o);
    let mut o = Outbox::open(config, &["s"]).unwrap();
    assert_eq!(o.append(b"d").unwrap(), 4);
}

#[test]
fn acknowledging_is_idempotent_and_bounded_by_the_newest_record() {
    let dir = TempDir::new("ackbounds");
    let mut o = Outbox::open(dir.config(), &["s"]).unwrap();
    o.append(b"a").unwrap();
    o.append(b"b").unwrap();
    o.ack("s", 2).unwrap();
    o.ack("s", 1).unwrap();
    assert_eq!(o.stats().sinks[0].acked, 2);
    let err = o.ack("s", 3).unwrap_err().to_string();
    assert!(err.contains("cannot acknowledge seq 3"), "{err}");
    assert!(
        o.ack("nope", 1)
            .unwrap_err()
            .to_string()
            .contains("unknown sink `nope`")
    );
    assert!(o.read("nope", 1).is_err());
    assert!(o.rewind("nope").is_err());
}

#[test]
fn bad_configs_and_sink_names_are_refused() {
    let dir = TempDir::new("config");
    let cases: Vec<(OutboxConfig, &[&str], &str)> = vec![
        (
            OutboxConfig {
                segment_bytes: 10,
                ..dir.config()
            },
            &["s"],
            "segment_bytes",
        ),
        (
            OutboxConfig {
                max_bytes: 1000,
                segment_bytes: 2000,
                ..dir.config()
            },
            &["s"],
            "max_bytes",
        ),
        (dir.config(), &[], "at least one sink"),
        (dir.config(), &["a/b"], "sink name `a/b`"),
        (dir.config(), &["s", "s"], "listed twice"),
    ];
    for (config, sinks, expect) in cases {
        let err = Outbox::open(config, sinks).unwrap_err().to_string();
        assert!(err.contains(expect), "{err}");
    }
}

#[test]
fn reject_policy_refuses_records_past_the_bound_and_counts_them() {
    let dir = TempDir::new("reject");
    let config = OutboxConfig {
        segment_bytes: 100,
        max_bytes: 200,
        ..dir.config()
    };
    let mut o = Outbox::open(config, &["s"]).unwrap();
    // 24 + 2 * 35 = 94 per segment; a third segment would pass 200 bytes.
    for i in 0..4 {
        o.append(format!("payload-{i:011}").as_bytes()).unwrap();
    }
    let err = o.append(b"payload-00000000004").unwrap_err().to_string();
    assert!(err.contains("outbox is full"), "{err}");
    assert!(
        o.append(&[0u8; 300]).is_err(),
        "bigger than the whole bound"
    );
    let st = o.stats();
    assert_eq!((st.rejected, st.entries, st.dropped_overflow), (2, 4, 0));
    assert!(st.bytes <= 200);
    // Acknowledging frees a segment and appends resume.
    o.ack("s", 2).unwrap();
    assert_eq!(o.append(b"payload-00000000004").unwrap(), 5);
    assert_eq!(records(&mut o, "s").len(), 3);
}

#[test]
fn drop_oldest_policy_deletes_unacknowledged_segments_and_counts_the_loss() {
    let dir = TempDir::new("dropoldest");
    let config = OutboxConfig {
        segment_bytes: 100,
        max_bytes: 200,
        overflow: OutboxOverflow::DropOldest,
        ..dir.config()
    };
    let mut o = Outbox::open(config.clone(), &["s"]).unwrap();
    assert_eq!(o.read("s", 1).unwrap().len(), 0);
    for i in 0..10 {
        o.append(format!("payload-{i:011}").as_bytes()).unwrap();
        assert!(o.stats().bytes <= 200);
    }
    let st = o.stats();
    assert_eq!(st.dropped_overflow + st.entries, 10);
    assert!(st.dropped_overflow >= 6, "{st:?}");
    assert_eq!(st.sinks[0].lag, st.entries);
    let first = records(&mut o, "s")[0].0;
    assert_eq!(
        first,
        st.dropped_overflow + 1,
        "reading resumes at the oldest survivor"
    );
    // Only one segment and it is full: the policy rolls, then drops it.
    let single = OutboxConfig {
        segment_bytes: 100,
        max_bytes: 100,
        ..config
    };
    let dir2 = TempDir::new("dropsingle");
    let mut o = Outbox::open(
        OutboxConfig {
            dir: dir2.0.clone(),
            ..single
        },
        &["s"],
    )
    .unwrap();
    for _ in 0..5 {
        o.append(&[1u8; 20]).unwrap();
    }
    let before = o.stats();
    assert!(o.append(&[1u8; 100]).is_err(), "cannot fit even alone");
    let st = o.stats();
    assert_eq!(
        (st.entries, st.dropped_overflow, st.rejected),
        (before.entries, 4, 1)
    );
    assert!(st.bytes <= 100);
    drop(o);
    // The on-disk cursor still points into deleted segments; reopening
    // resumes at the oldest survivor as well.
    let mut o = Outbox::open(
        OutboxConfig {
            dir: dir2.0.clone(),
            ..single
        },
        &["s"],
    )
    .unwrap();
    assert_eq!(records(&mut o, "s"), vec![(5, vec![1u8; 20])]);
}

#[test]
fn a_second_outbox_on_the_same_directory_is_refused_until_the_first_closes() {
    let dir = TempDir::new("lock");
    let first = Outbox::open(dir.config(), &["s"]).unwrap();
    let err = Outbox::open(dir.config(), &["s"]).unwrap_err();
    assert_eq!(err.kind(), "io");
    let text = err.to_string();
    assert!(
        text.contains("another process") && text.contains("its own outbox directory"),
        "{text}"
    );
    drop(first);
    let mut again = Outbox::open(dir.config(), &["s"]).unwrap();
    again.append(b"x").unwrap();
}

#[test]
fn on_write_error_reads_as_snake_case_and_defaults_to_raise() {
    assert_eq!(OutboxConfig::new("x").on_write_error, OnWriteError::Raise);
    for (text, mode) in [
        ("\"raise\"", OnWriteError::Raise),
        ("\"count\"", OnWriteError::Count),
    ] {
        assert_eq!(serde_json::from_str::<OnWriteError>(text).unwrap(), mode);
        assert_eq!(serde_json::to_string(&mode).unwrap(), text);
    }
}
