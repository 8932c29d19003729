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
//! corruption (bytes that were once durable and changed, reported with file
//! and offset).

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
    /// Byte offset of every intact entry, in sequence order.
    pub(super) offsets: Vec<u64>,
    /// Length of the intact prefix (header plus intact entries).
    pub(super) valid_len: u64,
    /// A torn tail was found after `valid_len` (or the header itself was
    /// torn, in which case `valid_len` is 0).
    pub(super) torn: bool,
}

/// Checks a whole segment file. `is_last` says whether it is the newest
/// segment, the only one that may end in a torn write.
///
/// A damaged spot in the last segment is a torn tail when it reaches the end
/// of the file (a short header, a length pointing past the end, or a bad
/// checksum on an entry that ends exactly at the end) or when everything
/// from it to the end is zero bytes (space a filesystem extended but never
/// filled). Anything else is corruption, returned as an error naming the
/// file and the offset. A wrong sequence number under a correct checksum is
/// never a torn write, so it is always corruption.
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
    let header = HEADER_LEN as usize;
    let header_ok =
        bytes.len() >= header && bytes[..8] == MAGIC && u32_at(bytes, 20) == crc32(&bytes[..20]);
    if !header_ok {
        if torn_here(0, bytes.len() < header) {
            return Ok(Scan {
                offsets: Vec::new(),
                valid_len: 0,
                torn: true,
            });
        }
        let what = if bytes.len() < header {
            "segment header is cut short"
        } else {
            "bad segment header (magic or checksum)"
        };
        return Err(corrupt(path, 0, what));
    }
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

    let mut offsets = Vec::new();
    let mut at = header;
    let mut expected = first_seq;
    while at < bytes.len() {
        let rest = bytes.len() - at;
        let (problem, reaches_end) = if rest < ENTRY_OVERHEAD as usize {
            ("entry header is cut short".to_owned(), true)
        } else {
            let len = u32_at(bytes, at);
            let total = ENTRY_OVERHEAD as usize + len as usize;
            if total > rest {
                (
                    format!("entry of {len} bytes runs past the end of the file"),
                    true,
                )
            } else {
                let seq = u64_at(bytes, at + 8);
                let payload = &bytes[at + ENTRY_OVERHEAD as usize..at + total];
                if u32_at(bytes, at + 4) != entry_crc(len, seq, payload) {
                    ("entry checksum mismatch".to_owned(), total == rest)
                } else if seq != expected {
                    let msg = format!("entry has seq {seq} where {expected} was expected");
                    return Err(corrupt(path, at as u64, msg));
                } else if seq > MAX_SEQ {
                    let msg = format!("entry seq {seq} is past the largest, {MAX_SEQ}");
                    return Err(corrupt(path, at as u64, msg));
                } else {
                    offsets.push(at as u64);
                    at += total;
                    expected += 1;
                    continue;
                }
            }
        };
        if torn_here(at, reaches_end) {
            return Ok(Scan {
                offsets,
                valid_len: at as u64,
                torn: true,
            });
        }
        return Err(corrupt(path, at as u64, problem));
    }
    Ok(Scan {
        offsets,
        valid_len: at as u64,
        torn: false,
    })
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
    /// Byte offset of every entry; entry `i` has seq `first_seq + i`.
    pub(super) offsets: Vec<u64>,
    pub(super) bytes: u64,
}

impl Segment {
    /// The sequence number the next entry of this segment would have.
    pub(super) fn end_seq(&self) -> u64 {
        self.first_seq + self.offsets.len() as u64
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

/// Scans one segment file and cuts off a torn tail (or rewrites a torn
/// header) so that appends continue after the last intact entry.
pub(super) fn recover(
    dir: &Path,
    first_seq: u64,
    is_last: bool,
    torn: &mut u64,
) -> Result<Segment> {
    let path = dir.join(file_name(first_seq));
    let bytes = fs::read(&path).map_err(|e| io_error(&path, "read", &e))?;
    let scan = scan(&path, &bytes, first_seq, is_last)?;
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
    Ok(Segment {
        path,
        first_seq,
        offsets: scan.offsets,
        bytes: valid_len,
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
        assert_eq!(scan.offsets, vec![24, 24 + 17, 24 + 17 + 16]);
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
    fn a_torn_header_is_only_tolerated_in_the_last_segment() {
        let bytes = encode_header(3);
        for cut in 0..bytes.len() {
            let s = scan(Path::new("x.seg"), &bytes[..cut], 3, true).unwrap();
            assert_eq!((s.valid_len, s.torn), (0, true));
            let err = scan(Path::new("x.seg"), &bytes[..cut], 3, false).unwrap_err();
            assert!(err.to_string().contains("x.seg at byte 0"), "{err}");
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
        let err = scan(x, &segment(MAX_SEQ, &[b"a", b"b"]), MAX_SEQ, true).unwrap_err();
        assert!(err.to_string().contains("x.seg at byte 41"), "{err}");
        assert!(err.to_string().contains("past the largest"), "{err}");
    }

    #[test]
    fn header_and_name_must_agree() {
        let bytes = segment(7, &[b"a"]);
        let err = scan(Path::new("x.seg"), &bytes, 8, false).unwrap_err();
        assert!(err.to_string().contains("x.seg at byte 12"), "{err}");
    }

    #[test]
    fn a_wrong_sequence_under_a_good_checksum_is_corruption_even_at_the_tail() {
        let mut bytes = segment(1, &[b"a"]);
        bytes.extend(encode_entry(9, 1, b"b"));
        let err = scan(Path::new("x.seg"), &bytes, 1, true).unwrap_err();
        assert!(
            err.to_string().contains("seq 9 where 2 was expected"),
            "{err}"
        );
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
