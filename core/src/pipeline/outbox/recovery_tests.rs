//! What `Outbox::open` does with what a crash (or a bad disk) left behind.

use super::tests::{TempDir, records, small};
use super::*;
use std::path::PathBuf;

/// An outbox with `n` short records in 110-byte segments (three per
/// segment), closed; returns the newest segment's path and bytes.
fn spool(dir: &TempDir, n: usize) -> (PathBuf, Vec<u8>) {
    let mut o = Outbox::open(small(dir, 110), &["s"]).unwrap();
    for i in 0..n {
        o.append(format!("entry-{i:03}").as_bytes()).unwrap();
    }
    drop(o);
    let last = dir.segment_files().pop().unwrap();
    let bytes = fs::read(&last).unwrap();
    (last, bytes)
}

fn open_err(dir: &TempDir) -> String {
    Outbox::open(small(dir, 110), &["s"])
        .unwrap_err()
        .to_string()
}

#[test]
fn a_torn_last_entry_is_cut_off_at_every_byte_offset() {
    let dir = TempDir::new("torn-every-offset");
    let (last, bytes) = spool(&dir, 5);
    // Seqs 4 and 5 are in the last segment; seq 5 starts 25 bytes from the end.
    let entry_start = bytes.len() - 25;
    for cut in entry_start + 1..bytes.len() {
        fs::write(&last, &bytes[..cut]).unwrap();
        let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
        let st = o.stats();
        assert_eq!(
            (st.torn_tail_recovered, st.entries, st.last_seq),
            (1, 4, 4),
            "cut at {cut}"
        );
        assert_eq!(fs::metadata(&last).unwrap().len(), entry_start as u64);
        assert_eq!(records(&mut o, "s").last().unwrap().0, 4);
        // The freed seq is reused: it was never returned by a durable append.
        assert_eq!(o.append(b"entry-004").unwrap(), 5);
        drop(o);
        assert_eq!(
            fs::read(&last).unwrap(),
            bytes,
            "cut at {cut}: rewritten identically"
        );
        let o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
        assert_eq!(o.stats().torn_tail_recovered, 0);
    }
}

#[test]
fn a_bad_checksum_on_the_last_entry_is_a_torn_tail() {
    let dir = TempDir::new("torn-checksum");
    let (last, bytes) = spool(&dir, 5);
    let entry_start = bytes.len() - 25;
    // Every byte after the length field (a changed length is covered by the
    // truncation test when it grows, and is corruption when it shrinks).
    for i in entry_start + 4..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x40;
        fs::write(&last, &bad).unwrap();
        let o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
        assert_eq!(
            (o.stats().torn_tail_recovered, o.stats().last_seq),
            (1, 4),
            "byte {i}"
        );
        drop(o);
        fs::write(&last, &bytes).unwrap();
    }
}

#[test]
fn zero_bytes_after_the_last_entry_are_a_torn_tail() {
    let dir = TempDir::new("torn-zeros");
    let (last, mut bytes) = spool(&dir, 4);
    let good = bytes.len() as u64;
    bytes.extend([0u8; 4096]);
    fs::write(&last, &bytes).unwrap();
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    assert_eq!(o.stats().torn_tail_recovered, 1);
    assert_eq!(fs::metadata(&last).unwrap().len(), good);
    assert_eq!(records(&mut o, "s").len(), 4);
}

#[test]
fn a_new_segment_with_a_torn_header_is_rewritten() {
    let dir = TempDir::new("torn-header");
    let (_, _) = spool(&dir, 3);
    // A crash while rolling over: the next segment exists, its header half
    // written.
    let next = dir.0.join(segment::file_name(4));
    fs::write(&next, &segment::encode_header(4)[..11]).unwrap();
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    assert_eq!(o.stats().torn_tail_recovered, 1);
    assert_eq!(fs::metadata(&next).unwrap().len(), HEADER_LEN);
    assert_eq!(o.append(b"entry-003").unwrap(), 4);
    assert_eq!(records(&mut o, "s").len(), 4);
}

/// Files in the outbox's quarantine directory, and their total size.
fn quarantined(dir: &TempDir) -> (usize, u64) {
    let Ok(list) = fs::read_dir(dir.0.join(segment::QUARANTINE_DIR)) else {
        return (0, 0);
    };
    list.map(|e| e.unwrap().metadata().unwrap().len())
        .fold((0, 0), |(n, b), len| (n + 1, b + len))
}

fn payloads_of(o: &mut Outbox) -> Vec<String> {
    records(o, "s")
        .into_iter()
        .map(|(_, p)| String::from_utf8(p).unwrap())
        .collect()
}

#[test]
fn damage_before_the_tail_is_quarantined_and_the_rest_delivered() {
    let dir = TempDir::new("mid-file");
    let (last, bytes) = spool(&dir, 6);
    // The first entry of the last segment (seq 4, at byte 24) is followed
    // by another entry, so a bad byte there is not a torn write.
    let mut bad = bytes.clone();
    bad[24 + 16] ^= 0x01;
    fs::write(&last, &bad).unwrap();
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    let st = o.stats();
    assert_eq!(
        (st.damaged_entries, st.quarantined_bytes),
        (1, 25),
        "{st:?}"
    );
    assert_eq!(quarantined(&dir), (1, 25));
    assert!(o.damage_summary().unwrap().contains("1 damaged entries"));
    let got = payloads_of(&mut o);
    assert_eq!(
        got,
        [
            "entry-000",
            "entry-001",
            "entry-002",
            "entry-004",
            "entry-005"
        ]
    );
    // Appends continue after the hole; the next open finds a clean file
    // whose gap fails nothing and quarantines nothing more.
    assert_eq!(o.append(b"entry-006").unwrap(), 7);
    drop(o);
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    assert_eq!(o.stats().quarantined_bytes, 0);
    assert_eq!(quarantined(&dir), (1, 25));
    assert_eq!(payloads_of(&mut o).len(), 6);
    drop(o);

    // A length field that shrank makes the entry end early: the rest of it
    // is skipped up to the next intact entry.
    let dir = TempDir::new("mid-file-len");
    let (last, bytes) = spool(&dir, 6);
    let mut bad = bytes.clone();
    bad[bytes.len() - 50] = 3;
    fs::write(&last, &bad).unwrap();
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    assert_eq!(o.stats().damaged_entries, 1);
    assert_eq!(payloads_of(&mut o).len(), 5);
}

#[test]
fn damage_in_an_older_segment_is_never_a_torn_tail() {
    let dir = TempDir::new("older-segment");
    spool(&dir, 7);
    let first = dir.segment_files().remove(0);
    let bytes = fs::read(&first).unwrap();
    // Its last entry, cut short: fine for the newest segment; here it is
    // damage, counted from the next segment's number.
    fs::write(&first, &bytes[..bytes.len() - 3]).unwrap();
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    assert_eq!(o.stats().torn_tail_recovered, 0);
    assert_eq!(o.stats().damaged_entries, 1);
    assert_eq!(o.stats().quarantined_bytes, 22);
    assert_eq!(payloads_of(&mut o).len(), 6);
    drop(o);
    // The repaired file reopens; the gap it left is still reported.
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    assert_eq!(o.stats().damaged_entries, 1);
    assert_eq!(o.stats().quarantined_bytes, 0);
    assert_eq!(payloads_of(&mut o).len(), 6);
    drop(o);
    // A damaged header: the file name still numbers the entries.
    let first = dir.segment_files().remove(0);
    let mut bad = fs::read(&first).unwrap();
    bad[3] ^= 0x01;
    fs::write(&first, &bad).unwrap();
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    assert_eq!(o.stats().quarantined_bytes, HEADER_LEN);
    assert_eq!(payloads_of(&mut o).len(), 6);
}

#[test]
fn a_missing_middle_segment_is_counted_and_the_rest_delivered() {
    let dir = TempDir::new("missing");
    spool(&dir, 8);
    fs::remove_file(dir.0.join(segment::file_name(4))).unwrap();
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    assert_eq!(o.stats().damaged_entries, 3);
    let seqs: Vec<u64> = records(&mut o, "s").iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, [1, 2, 3, 7, 8]);
    assert_eq!(o.read_through("s").unwrap(), 8);
}

#[test]
fn overlapping_segments_are_an_error() {
    let dir = TempDir::new("overlap");
    spool(&dir, 8);
    fs::rename(
        dir.0.join(segment::file_name(7)),
        dir.0.join(segment::file_name(6)),
    )
    .unwrap();
    let err = open_err(&dir);
    assert!(err.contains("00000000000000000006.seg at byte"), "{err}");
}

#[test]
fn a_damaged_cursor_is_an_error_and_a_leftover_temp_file_is_removed() {
    let dir = TempDir::new("cursor");
    let mut o = Outbox::open(dir.config(), &["s"]).unwrap();
    o.append(b"a").unwrap();
    o.ack("s", 1).unwrap();
    drop(o);
    let tmp = dir.0.join("s.cursor.tmp");
    fs::write(&tmp, b"half").unwrap();
    Outbox::open(dir.config(), &["s"]).unwrap();
    assert!(!tmp.exists());
    let path = dir.0.join("s.cursor");
    let mut bytes = fs::read(&path).unwrap();
    bytes[13] ^= 0x01;
    fs::write(&path, &bytes).unwrap();
    let err = Outbox::open(dir.config(), &["s"]).unwrap_err().to_string();
    assert!(err.contains("s.cursor at byte 20"), "{err}");
}

#[test]
fn a_read_skips_an_entry_changed_since_the_open() {
    let dir = TempDir::new("read-check");
    let (last, mut bytes) = spool(&dir, 5);
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    bytes[24 + 16] ^= 0x01;
    fs::write(&last, &bytes).unwrap();
    let seqs: Vec<u64> = records(&mut o, "s").iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, [1, 2, 3, 5]);
    assert_eq!(o.stats().damaged_entries, 1);
    assert_eq!(o.read_through("s").unwrap(), 5);
}

#[test]
fn unrelated_files_in_the_directory_are_left_alone() {
    let dir = TempDir::new("unrelated");
    spool(&dir, 2);
    fs::write(dir.0.join("README"), b"x").unwrap();
    fs::write(dir.0.join("7.seg"), b"not ours").unwrap();
    let mut o = Outbox::open(small(&dir, 110), &["s"]).unwrap();
    assert_eq!(records(&mut o, "s").len(), 2);
    assert!(dir.0.join("README").exists() && dir.0.join("7.seg").exists());
}

#[test]
fn a_segment_numbered_zero_is_corruption_not_a_panic() {
    // The `outbox` fuzz target's first crash: a well-formed, empty segment
    // named `00000000000000000000.seg` made `open` compute `0 - 1`.
    let dir = TempDir::new("seq-zero");
    fs::create_dir_all(&dir.0).unwrap();
    let path = dir.0.join(segment::file_name(0));
    fs::write(&path, segment::encode_header(0)).unwrap();
    let err = open_err(&dir);
    assert!(err.contains("00000000000000000000.seg at byte 0"), "{err}");
    assert!(err.contains("outside 1 to"), "{err}");
}

#[test]
fn sequence_numbers_end_at_the_largest_and_the_outbox_still_reopens() {
    // The `outbox` fuzz target's second crash: a cursor far past any real
    // seq made `open` create a segment that the next `open` refused.
    let dir = TempDir::new("seq-bound");
    fs::create_dir_all(&dir.0).unwrap();
    fs::write(dir.0.join("s.cursor"), cursor_bytes(u64::MAX - 5)).unwrap();
    assert!(open_err(&dir).contains("s.cursor at byte 12"));

    // A segment named at the bound takes one entry, then appends stop.
    fs::remove_file(dir.0.join("s.cursor")).unwrap();
    let max = segment::MAX_SEQ;
    fs::write(
        dir.0.join(segment::file_name(max)),
        segment::encode_header(max),
    )
    .unwrap();
    let mut o = Outbox::open(small(&dir, 64), &["s"]).unwrap();
    assert_eq!(o.append(b"last").unwrap(), max);
    let err = o.append(b"one more").unwrap_err().to_string();
    assert!(err.contains("used up"), "{err}");
    o.ack("s", max).unwrap();
    drop(o);
    let mut o = Outbox::open(small(&dir, 64), &["s"]).unwrap();
    assert_eq!(o.stats().last_seq, max);
    assert!(o.append(b"still none").is_err());
}

/// A well-formed cursor file acknowledging `acked`.
fn cursor_bytes(acked: u64) -> Vec<u8> {
    let mut out = b"GSCURSOR".to_vec();
    out.extend(1u32.to_le_bytes());
    out.extend(acked.to_le_bytes());
    let crc = super::crc32::crc32(&out);
    out.extend(crc.to_le_bytes());
    out
}

#[test]
fn a_cursor_past_the_log_is_clamped_for_good_so_later_records_are_delivered() {
    // The `outbox` fuzz target's third find: the clamp was made in memory
    // only, so after a restart the stale cursor covered the records appended
    // since, and they were never handed to the sink.
    let dir = TempDir::new("cursor-past-log");
    fs::create_dir_all(&dir.0).unwrap();
    fs::write(dir.0.join(segment::file_name(1)), segment::encode_header(1)).unwrap();
    fs::write(dir.0.join("s.cursor"), cursor_bytes(178)).unwrap();
    let mut o = Outbox::open(dir.config(), &["s"]).unwrap();
    assert_eq!(o.stats().sinks[0].acked, 0);
    assert_eq!(o.append(b"after the loss").unwrap(), 1);
    drop(o);
    let mut o = Outbox::open(dir.config(), &["s"]).unwrap();
    assert_eq!(o.stats().sinks[0].acked, 0);
    assert_eq!(records(&mut o, "s"), vec![(1, b"after the loss".to_vec())]);
}
