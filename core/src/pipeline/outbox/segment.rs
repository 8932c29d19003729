//! Segment files: their format, creation and recovery scan.
//!
//! A segment is named after its first sequence number (`{seq:020}.seg`) and
//! holds a 24-byte header followed by entries (all integers little-endian):
//!
//! ```text
//! header: magic "GSOUTBOX" | version u32 | first seq u64 | crc32 of the 20 bytes before
//! entry:  len u32 | crc32 u32 | seq u64 | payload (len bytes)
//!         crc32 covers len, seq and payload, in that order
//! ```
//!
//! Opening a segment scans it and decides, for each damaged spot, whether it
//! is a torn tail (the last write of a crashed process, safe to cut off) or
//! damage (bytes that were once durable and changed). Damage does not stop
//! the outbox: the scan resynchronises on the next intact entry, the
//! damaged bytes are copied to `quarantine/` and cut out of the segment, and
//! the sequence numbers they held become holes. Entry numbers may therefore
//! skip (never go back) within a segment and between segments.

use super::crc32::{Crc32, crc32};
use super::disk::{self, corrupt, io_error};
use crate::Result;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: [u8; 8] = *b"GSOUTBOX";
const VERSION: u32 = 1;
/// Bytes of a segment header.
pub(super) const HEADER_LEN: u64 = 24;
/// Bytes an entry takes on top of its payload.
pub(super) const ENTRY_OVERHEAD: u64 = 16;
/// The largest sequence number an entry may have or a cursor may hold,
/// 2^63 − 1. Numbering starts at 1 and grows by one per append, so a real
/// outbox never comes near it, and a file that says otherwise is corrupt. A
/// segment may be named one past it (the empty segment that would follow the
/// last possible entry). The bound keeps all sequence arithmetic far from
/// overflowing `u64`.
pub(super) const MAX_SEQ: u64 = i64::MAX as u64;

/// The file name of the segment whose first entry is `first_seq`.
pub(super) fn file_name(first_seq: u64) -> String {
    format!("{first_seq:020}.seg")
}

/// The first sequence number encoded in a segment file name.
pub(super) fn parse_file_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".seg")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The header of a segment starting at `first_seq`.
pub(super) fn encode_header(first_seq: u64) -> [u8; HEADER_LEN as usize] {
    let mut out = [0u8; HEADER_LEN as usize];
    out[..8].copy_from_slice(&MAGIC);
    out[8..12].copy_from_slice(&VERSION.to_le_bytes());
    out[12..20].copy_from_slice(&first_seq.to_le_bytes());
    let crc = crc32(&out[..20]);
    out[20..].copy_from_slice(&crc.to_le_bytes());
    out
}

fn entry_crc(len: u32, seq: u64, payload: &[u8]) -> u32 {
    let mut c = Crc32::new();
    c.update(&len.to_le_bytes());
    c.update(&seq.to_le_bytes());
    c.update(payload);
    c.finish()
}

/// One entry as written to disk; the caller has checked that the payload
/// length fits in a `u32`.
pub(super) fn encode_entry(seq: u64, len: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENTRY_OVERHEAD as usize + payload.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&entry_crc(len, seq, payload).to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(x)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

/// What a scan found in one segment file.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Scan {
    /// Per sequence number from the segment's first: the byte offset of
    /// its intact entry, or `None` for a hole (damaged, or cut out by an
    /// earlier repair).
    pub(super) offsets: Vec<Option<u64>>,
    /// Where appends may continue: the end of the last intact entry (or of
    /// the header). Everything after it is cut off.
    pub(super) valid_len: u64,
    /// A torn tail was found after `valid_len` (or the header itself was
    /// torn, in which case `valid_len` is 0).
    pub(super) torn: bool,
    /// Damaged byte ranges `[start, end)`, in file order: to quarantine and
    /// cut out.
    pub(super) damaged: Vec<(u64, u64)>,
    /// Holes: sequence numbers missing inside the segment.
    pub(super) lost: u64,
    /// The segment ends in damage after its last intact entry: how many
    /// entries it held only the next segment's number can tell.
    pub(super) damaged_tail: bool,
}

/// The intact entry at `at`, if there is one: `(seq, total length)`. Only
/// sequence numbers from `min_seq` are looked for, which makes a false
/// match inside a payload all but impossible on top of the checksum.
fn entry_at(bytes: &[u8], at: usize, min_seq: u64) -> Option<(u64, usize)> {
    let rest = bytes.len().checked_sub(at)?;
    if rest < ENTRY_OVERHEAD as usize {
        return None;
    }
    let len = u32_at(bytes, at);
    let total = ENTRY_OVERHEAD as usize + len as usize;
    let seq = u64_at(bytes, at + 8);
    if total > rest || seq < min_seq || seq > MAX_SEQ {
        return None;
    }
    let payload = &bytes[at + ENTRY_OVERHEAD as usize..at + total];
    (u32_at(bytes, at + 4) == entry_crc(len, seq, payload)).then_some((seq, total))
}

/// Checks a whole segment file. `is_last` says whether it is the newest
/// segment, the only one that may end in a torn write.
///
/// A damaged spot in the last segment is a torn tail when it reaches the end
/// of the file (a short header, a length pointing past the end, or a bad
/// checksum on an entry that ends exactly at the end) or when everything
/// from it to the end is zero bytes (space a filesystem extended but never
/// filled). Anything else is damage: the scan carries on at the next intact
/// entry with a higher sequence number and reports the bytes in between.
/// An intact entry whose sequence number goes back is damage too. Errors
/// remain only for what is not damage to data: a file name outside the
/// numbering, a header that disagrees with the name under a good checksum,
/// an unknown format version.
pub(super) fn scan(
    path: &Path,
    bytes: &[u8],
    first_seq: u64,
    is_last: bool,
) -> crate::Result<Scan> {
    // Checked before the header: a torn header would be rewritten with this
    // number, and seq 0 or a number near `u64::MAX` breaks the arithmetic
    // of every later read.
    if !(1..=MAX_SEQ + 1).contains(&first_seq) {
        return Err(corrupt(
            path,
            0,
            format!(
                "segment name says first seq {first_seq}, outside 1 to {}",
                MAX_SEQ + 1
            ),
        ));
    }
    let torn_here = |at: usize, reaches_end: bool| {
        is_last && (reaches_end || bytes[at..].iter().all(|&b| b == 0))
    };
    let mut out = Scan {
        offsets: Vec::new(),
        valid_len: 0,
        torn: false,
        damaged: Vec::new(),
        lost: 0,
        damaged_tail: false,
    };
    let header = HEADER_LEN as usize;
    let header_ok =
        bytes.len() >= header && bytes[..8] == MAGIC && u32_at(bytes, 20) == crc32(&bytes[..20]);
    if header_ok {
        let version = u32_at(bytes, 8);
        if version != VERSION {
            return Err(corrupt(
                path,
                8,
                format!("unsupported segment version {version}"),
            ));
        }
        let named = u64_at(bytes, 12);
        if named != first_seq {
            return Err(corrupt(
                path,
                12,
                format!("header says first seq {named} but the file name says {first_seq}"),
            ));
        }
    } else if torn_here(0, bytes.len() < header) {
        out.torn = true;
        return Ok(out);
    } else {
        // The file name still says where the numbering starts; the header
        // is rewritten by the repair.
        out.damaged.push((0, bytes.len().min(header) as u64));
    }

    let mut at = header.min(bytes.len());
    out.valid_len = at as u64;
    let mut expected = first_seq;
    while at < bytes.len() {
        if let Some((seq, total)) = entry_at(bytes, at, 0) {
            // A jump further than any damage could explain is not ours
            // either (and would take memory in proportion to it).
            if seq >= expected && seq - expected <= super::MAX_SEQ_GAP {
                // Skipped numbers are holes: entries lost to damage now or
                // cut out by an earlier repair.
                out.offsets.extend((expected..seq).map(|_| None));
                out.lost += seq - expected;
                out.offsets.push(Some(at as u64));
                expected = seq + 1;
                at += total;
                out.valid_len = at as u64;
                continue;
            }
            // An intact entry numbered backwards, or far ahead: stale or
            // foreign bytes, not ours.
            out.damaged.push((at as u64, (at + total) as u64));
            at += total;
            continue;
        }
        let rest = bytes.len() - at;
        let reaches_end = rest < ENTRY_OVERHEAD as usize
            || ENTRY_OVERHEAD as usize + u32_at(bytes, at) as usize >= rest;
        if torn_here(at, reaches_end) {
            out.torn = true;
            return Ok(out);
        }
        match (at + 1..bytes.len()).find(|&p| entry_at(bytes, p, expected).is_some()) {
            Some(next) => {
                out.damaged.push((at as u64, next as u64));
                at = next;
            }
            None => {
                out.damaged.push((at as u64, bytes.len() as u64));
                out.damaged_tail = true;
                break;
            }
        }
    }
    Ok(out)
}

/// Reads the entry at `offset` (the reader is positioned there) and checks
/// it against its checksum and the sequence number it must have.
pub(super) fn read_entry(
    reader: &mut impl Read,
    path: &Path,
    offset: u64,
    seq: u64,
) -> crate::Result<Vec<u8>> {
    let mut head = [0u8; ENTRY_OVERHEAD as usize];
    reader
        .read_exact(&mut head)
        .map_err(|e| corrupt(path, offset, format!("cannot read entry header: {e}")))?;
    let len = u32_at(&head, 0);
    let mut payload = vec![0u8; len as usize];
    reader
        .read_exact(&mut payload)
        .map_err(|e| corrupt(path, offset, format!("cannot read entry payload: {e}")))?;
    let found = u64_at(&head, 8);
    if u32_at(&head, 4) != entry_crc(len, found, &payload) {
        return Err(corrupt(path, offset, "entry checksum mismatch"));
    }
    if found != seq {
        return Err(corrupt(
            path,
            offset,
            format!("entry has seq {found} where {seq} was expected"),
        ));
    }
    Ok(payload)
}

/// One segment file as the outbox tracks it.
#[derive(Debug)]
pub(super) struct Segment {
    pub(super) path: PathBuf,
    pub(super) first_seq: u64,
    /// Byte offset of every entry; entry `i` has seq `first_seq + i`;
    /// `None` is a hole (an entry lost to damage).
    pub(super) offsets: Vec<Option<u64>>,
    pub(super) bytes: u64,
}

impl Segment {
    /// The sequence number the next entry of this segment would have.
    pub(super) fn end_seq(&self) -> u64 {
        self.first_seq + self.offsets.len() as u64
    }

    /// Entries present (holes not counted).
    pub(super) fn entries(&self) -> u64 {
        self.offsets.iter().filter(|o| o.is_some()).count() as u64
    }
}

/// Creates the segment starting at `first_seq`: a file holding only a
/// header, durable (file and directory entry) before it is used.
pub(super) fn create(dir: &Path, first_seq: u64) -> Result<Segment> {
    let path = dir.join(file_name(first_seq));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| io_error(&path, "create", &e))?;
    file.write_all(&encode_header(first_seq))
        .and_then(|()| file.sync_data())
        .map_err(|e| io_error(&path, "write header of", &e))?;
    disk::sync_dir(dir)?;
    Ok(Segment {
        path,
        first_seq,
        offsets: Vec::new(),
        bytes: HEADER_LEN,
    })
}

/// An append handle on `seg`.
pub(super) fn open_for_append(seg: &Segment) -> Result<File> {
    OpenOptions::new()
        .append(true)
        .open(&seg.path)
        .map_err(|e| io_error(&seg.path, "open", &e))
}

/// What recovering one segment found and did.
#[derive(Debug)]
pub(super) struct Recovered {
    pub(super) segment: Segment,
    /// Sequence numbers missing inside the segment (holes).
    pub(super) lost: u64,
    /// Bytes cut out as damaged and copied to `quarantine/`.
    pub(super) quarantined: u64,
    /// The segment ended in damage (its lost entries are counted by the
    /// caller from the next segment's first number).
    pub(super) damaged_tail: bool,
}

/// The directory that receives damaged bytes, inside an outbox directory.
pub(super) const QUARANTINE_DIR: &str = "quarantine";

/// Suffix of a segment being rewritten; a leftover one is deleted at open.
pub(super) const REWRITE_SUFFIX: &str = ".seg.tmp";

/// Scans one segment file and cuts off a torn tail (or rewrites a torn
/// header) so that appends continue after the last intact entry. Damaged
/// bytes are copied to `quarantine/` and the segment is rewritten without
/// them, so the damage is reported once and later opens find a clean file.
pub(super) fn recover(
    dir: &Path,
    first_seq: u64,
    is_last: bool,
    torn: &mut u64,
) -> Result<Recovered> {
    let path = dir.join(file_name(first_seq));
    let bytes = fs::read(&path).map_err(|e| io_error(&path, "read", &e))?;
    let scan = scan(&path, &bytes, first_seq, is_last)?;
    if !scan.damaged.is_empty() {
        return repair(dir, &path, first_seq, &bytes, scan);
    }
    let mut valid_len = scan.valid_len;
    if scan.torn {
        *torn += 1;
        let mut file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| io_error(&path, "open", &e))?;
        let repaired = if valid_len == 0 {
            valid_len = HEADER_LEN;
            file.set_len(0)
                .and_then(|()| file.write_all(&encode_header(first_seq)))
        } else {
            file.set_len(valid_len)
        };
        repaired
            .and_then(|()| file.sync_data())
            .map_err(|e| io_error(&path, "truncate torn tail of", &e))?;
    }
    Ok(Recovered {
        segment: Segment {
            path,
            first_seq,
            offsets: scan.offsets,
            bytes: valid_len,
        },
        lost: scan.lost,
        quarantined: 0,
        damaged_tail: false,
    })
}

/// Copies the damaged ranges of `bytes` to `quarantine/` and rewrites the
/// segment with its header and intact entries only (a torn tail found
/// after damage is dropped with the rest).
fn repair(dir: &Path, path: &Path, first_seq: u64, bytes: &[u8], scan: Scan) -> Result<Recovered> {
    let quarantine = dir.join(QUARANTINE_DIR);
    fs::create_dir_all(&quarantine).map_err(|e| io_error(&quarantine, "create directory", &e))?;
    let name = file_name(first_seq);
    let stamp = crate::clock::now_ms();
    let mut quarantined = 0;
    for &(start, end) in &scan.damaged {
        let piece = bytes.get(start as usize..end as usize).unwrap_or_default();
        if piece.is_empty() {
            continue;
        }
        let target = quarantine.join(format!("{name}.at-{start}.{stamp}.bin"));
        fs::write(&target, piece).map_err(|e| io_error(&target, "write", &e))?;
        quarantined += piece.len() as u64;
    }
    let mut clean = encode_header(first_seq).to_vec();
    let mut offsets = Vec::with_capacity(scan.offsets.len());
    for offset in &scan.offsets {
        offsets.push(offset.and_then(|o| {
            let at = o as usize;
            let len = u32_at(bytes, at) as usize;
            let entry = bytes.get(at..at + ENTRY_OVERHEAD as usize + len)?;
            let new = clean.len() as u64;
            clean.extend_from_slice(entry);
            Some(new)
        }));
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| io_error(&tmp, "create", &e))?;
    file.write_all(&clean)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(&tmp, "write", &e))?;
    drop(file);
    fs::rename(&tmp, path).map_err(|e| io_error(path, "replace the repaired segment", &e))?;
    disk::sync_dir(dir)?;
    Ok(Recovered {
        segment: Segment {
            path: path.to_path_buf(),
            first_seq,
            offsets,
            bytes: clean.len() as u64,
        },
        lost: scan.lost,
        quarantined,
        damaged_tail: scan.damaged_tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(first: u64, payloads: &[&[u8]]) -> Vec<u8> {
        let mut out = encode_header(first).to_vec();
        for (i, p) in payloads.iter().enumerate() {
            out.extend(encode_entry(first + i as u64, p.len() as u32, p));
        }
        out
    }

    #[test]
    fn file_names_sort_by_sequence_and_parse_back() {
        assert_eq!(file_name(42), "00000000000000000042.seg");
        assert_eq!(parse_file_name(&file_name(u64::MAX)), Some(u64::MAX));
        assert!(file_name(9) < file_name(10));
        for bad in [
            "42.seg",
            "0000000000000000004x.seg",
            "00000000000000000042.cursor",
        ] {
            assert_eq!(parse_file_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_clean_segment_scans_with_every_offset() {
        let bytes = segment(5, &[b"a", b"", b"ccc"]);
        let scan = scan(Path::new("x.seg"), &bytes, 5, true).unwrap();
        assert_eq!(
            scan.offsets,
            vec![Some(24), Some(24 + 17), Some(24 + 17 + 16)]
        );
        assert_eq!(scan.valid_len, bytes.len() as u64);
        assert!(!scan.torn);
    }

    #[test]
    fn zero_filled_tail_of_the_last_segment_is_torn() {
        let mut bytes = segment(1, &[b"abc"]);
        let good = bytes.len() as u64;
        bytes.extend([0u8; 100]);
        let scan = scan(Path::new("x.seg"), &bytes, 1, true).unwrap();
        assert_eq!((scan.valid_len, scan.torn), (good, true));
    }

    #[test]
    fn a_torn_header_is_only_a_torn_write_in_the_last_segment() {
        let bytes = encode_header(3);
        for cut in 0..bytes.len() {
            let s = scan(Path::new("x.seg"), &bytes[..cut], 3, true).unwrap();
            assert_eq!((s.valid_len, s.torn), (0, true));
            let s = scan(Path::new("x.seg"), &bytes[..cut], 3, false).unwrap();
            assert!(!s.torn && s.damaged == [(0, cut as u64)], "{s:?}");
        }
    }

    #[test]
    fn a_flipped_byte_is_skipped_up_to_the_next_intact_entry() {
        let good = segment(1, &[b"one", b"two", b"three"]);
        for at in 24..good.len() - 22 {
            let mut bad = good.clone();
            bad[at] ^= 0x40;
            let s = scan(Path::new("x.seg"), &bad, 1, false).unwrap();
            let kept = s.offsets.iter().filter(|o| o.is_some()).count();
            assert!(kept == 2 && !s.torn, "flip at {at}: {s:?}");
            assert_eq!(s.damaged.len(), 1, "flip at {at}");
        }
    }

    #[test]
    fn a_first_seq_outside_the_numbering_is_corruption() {
        // Found by the `outbox` fuzz target: a valid segment named
        // `00000000000000000000.seg` made `Outbox::open` subtract 1 from 0.
        for first in [0, MAX_SEQ + 2, u64::MAX] {
            for is_last in [true, false] {
                let bytes = segment(first, &[b"a"]);
                let err = scan(Path::new("x.seg"), &bytes, first, is_last).unwrap_err();
                assert!(err.to_string().contains("outside 1 to"), "{err}");
                let err = scan(Path::new("x.seg"), &bytes[..5], first, is_last).unwrap_err();
                assert!(err.to_string().contains("x.seg at byte 0"), "{err}");
            }
        }
        let x = Path::new("x.seg");
        assert!(scan(x, &segment(MAX_SEQ, &[b"a"]), MAX_SEQ, true).is_ok());
        // One past the last seq names a segment, which must stay empty.
        assert!(scan(x, &segment(MAX_SEQ + 1, &[]), MAX_SEQ + 1, true).is_ok());
        // An entry past the largest seq is never kept.
        for is_last in [true, false] {
            let s = scan(x, &segment(MAX_SEQ, &[b"a", b"b"]), MAX_SEQ, is_last).unwrap();
            assert_eq!((s.offsets, s.valid_len), (vec![Some(24)], 41));
        }
    }

    #[test]
    fn header_and_name_must_agree() {
        let bytes = segment(7, &[b"a"]);
        let err = scan(Path::new("x.seg"), &bytes, 8, false).unwrap_err();
        assert!(err.to_string().contains("x.seg at byte 12"), "{err}");
    }

    #[test]
    fn numbers_may_skip_forward_but_never_go_back() {
        // A skip is a hole left by a repair: no damage.
        let mut bytes = segment(1, &[b"a"]);
        bytes.extend(encode_entry(4, 1, b"b"));
        let s = scan(Path::new("x.seg"), &bytes, 1, false).unwrap();
        assert_eq!(s.offsets, vec![Some(24), None, None, Some(41)]);
        assert!(s.damaged.is_empty() && s.lost == 2);
        // Going back is a stale entry: damage, cut out.
        bytes.extend(encode_entry(2, 1, b"c"));
        let s = scan(Path::new("x.seg"), &bytes, 1, true).unwrap();
        assert_eq!(s.offsets.len(), 4);
        assert_eq!(s.damaged, vec![(58, 75)]);
    }

    #[test]
    fn read_entry_checks_checksum_and_sequence() {
        let bytes = segment(1, &[b"hello"]);
        let entry = &bytes[24..];
        assert_eq!(
            read_entry(&mut &entry[..], Path::new("x"), 24, 1).unwrap(),
            b"hello"
        );
        assert!(read_entry(&mut &entry[..], Path::new("x"), 24, 2).is_err());
        let mut bad = entry.to_vec();
        bad[17] ^= 1;
        let err = read_entry(&mut &bad[..], Path::new("x"), 24, 1).unwrap_err();
        assert!(err.to_string().contains("x at byte 24"), "{err}");
    }
}
