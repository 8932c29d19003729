//! Cursor files: one per sink, holding the highest sequence number the sink
//! acknowledged. A cursor is replaced atomically (temporary file, fsync,
//! rename), so after a crash it holds either the old or the new position.
//!
//! Layout (24 bytes, little-endian): magic `GSCURSOR`, version `u32`,
//! acknowledged sequence `u64`, CRC-32 of the 20 bytes before it.

use super::crc32::crc32;
use super::disk;
use super::segment::MAX_SEQ;
use std::path::{Path, PathBuf};

const MAGIC: [u8; 8] = *b"GSCURSOR";
const VERSION: u32 = 1;
const LEN: usize = 24;

/// Where the cursor of `sink` lives in `dir`.
pub(super) fn path(dir: &Path, sink: &str) -> PathBuf {
    dir.join(format!("{sink}.cursor"))
}

/// Whether `name` is a leftover temporary file of an interrupted
/// [`store`], safe to delete.
pub(super) fn is_leftover(name: &str) -> bool {
    name.ends_with(".cursor.tmp")
}

/// Whether `sink` can name a cursor file on every filesystem: 1 to 64
/// ASCII letters, digits, `-`, `_` or `.`, not starting with `.`.
pub(super) fn is_valid_sink_name(sink: &str) -> bool {
    (1..=64).contains(&sink.len())
        && !sink.starts_with('.')
        && sink
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn encode(acked: u64) -> [u8; LEN] {
    let mut out = [0u8; LEN];
    out[..8].copy_from_slice(&MAGIC);
    out[8..12].copy_from_slice(&VERSION.to_le_bytes());
    out[12..20].copy_from_slice(&acked.to_le_bytes());
    let crc = crc32(&out[..20]);
    out[20..].copy_from_slice(&crc.to_le_bytes());
    out
}

fn decode(path: &Path, bytes: &[u8]) -> crate::Result<u64> {
    let fixed: &[u8; LEN] = bytes.try_into().map_err(|_| {
        disk::corrupt(
            path,
            0,
            format!("cursor file is {} bytes, not {LEN}", bytes.len()),
        )
    })?;
    let (body, crc) = fixed.split_at(20);
    if fixed[..8] != MAGIC {
        return Err(disk::corrupt(path, 0, "not a govstream outbox cursor file"));
    }
    if u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]) != crc32(body) {
        return Err(disk::corrupt(path, 20, "cursor checksum mismatch"));
    }
    let version = u32::from_le_bytes([body[8], body[9], body[10], body[11]]);
    if version != VERSION {
        return Err(disk::corrupt(
            path,
            8,
            format!("unsupported cursor version {version}"),
        ));
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&body[12..20]);
    let acked = u64::from_le_bytes(seq);
    if acked > MAX_SEQ {
        // A new directory's first segment is numbered after the newest
        // cursor: past the bound it could never be opened again.
        return Err(disk::corrupt(
            path,
            12,
            format!("acknowledged seq {acked} is past the largest, {MAX_SEQ}"),
        ));
    }
    Ok(acked)
}

/// The acknowledged position of `sink`, or `None` when it has no cursor yet.
pub(super) fn load(dir: &Path, sink: &str) -> crate::Result<Option<u64>> {
    let path = path(dir, sink);
    disk::read_if_exists(&path)?
        .map(|bytes| decode(&path, &bytes))
        .transpose()
}

/// Durably records that `sink` acknowledged everything up to `acked`.
pub(super) fn store(dir: &Path, sink: &str, acked: u64) -> crate::Result<()> {
    disk::replace_atomically(dir, &path(dir, sink), &encode(acked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_roundtrip() {
        let p = Path::new("s.cursor");
        for seq in [0, 1, 42, MAX_SEQ] {
            assert_eq!(decode(p, &encode(seq)).unwrap(), seq);
        }
    }

    #[test]
    fn a_cursor_past_the_largest_seq_is_corruption() {
        // Found by the `outbox` fuzz target: a cursor of 12276865606392297785
        // in an empty directory made `open` create a segment numbered after
        // it, which the next `open` refused.
        let p = Path::new("s.cursor");
        for seq in [MAX_SEQ + 1, 12_276_865_606_392_297_785, u64::MAX] {
            let err = decode(p, &encode(seq)).unwrap_err().to_string();
            assert!(err.contains("s.cursor at byte 12"), "{err}");
        }
    }

    #[test]
    fn every_single_byte_change_is_rejected() {
        let p = Path::new("s.cursor");
        let good = encode(7);
        for i in 0..LEN {
            let mut bad = good;
            bad[i] ^= 0x01;
            let err = decode(p, &bad).unwrap_err().to_string();
            assert!(err.contains("s.cursor at byte"), "{err}");
        }
        assert!(decode(p, &good[..10]).is_err());
    }

    #[test]
    fn sink_names_are_restricted_to_portable_file_names() {
        for ok in ["s", "splunk-hec", "siem_1", "a.b"] {
            assert!(is_valid_sink_name(ok), "{ok}");
        }
        for bad in ["", ".hidden", "a/b", "a\\b", "é", "a b", &"x".repeat(65)] {
            assert!(!is_valid_sink_name(bad), "{bad}");
        }
    }
}
