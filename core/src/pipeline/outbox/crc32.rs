//! CRC-32 (IEEE 802.3, the one zlib, PNG and gzip use): reflected polynomial
//! 0xEDB88320, initial value and final XOR 0xFFFFFFFF. The outbox checksums
//! every segment header, entry and cursor file with it; a 256-entry table
//! built at compile time keeps it to one lookup per byte.

const POLY: u32 = 0xEDB8_8320;

const TABLE: [u32; 256] = build_table();

const fn build_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// A running CRC-32, for checksums over several pieces without copying them
/// into one buffer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Crc32 {
    state: u32,
}

impl Crc32 {
    /// A checksum of nothing yet.
    pub(super) fn new() -> Self {
        Crc32 { state: 0xFFFF_FFFF }
    }

    /// Feeds `bytes` into the checksum.
    pub(super) fn update(&mut self, bytes: &[u8]) {
        let mut c = self.state;
        for &b in bytes {
            c = TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
        }
        self.state = c;
    }

    /// The checksum of everything fed so far.
    pub(super) fn finish(self) -> u32 {
        self.state ^ 0xFFFF_FFFF
    }
}

/// The CRC-32 of `bytes`.
pub(super) fn crc32(bytes: &[u8]) -> u32 {
    let mut c = Crc32::new();
    c.update(bytes);
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The "check" value of CRC-32/ISO-HDLC in the catalogue of parametrised
    // CRC algorithms (reveng.sourceforge.io/crc-catalogue): crc("123456789").
    #[test]
    fn standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn empty_input_and_known_vectors() {
        assert_eq!(crc32(b""), 0);
        // zlib.crc32(b"The quick brown fox jumps over the lazy dog")
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn incremental_equals_one_shot() {
        let data = b"segmented checksum over several pieces";
        for split in 0..data.len() {
            let (a, b) = data.split_at(split);
            let mut c = Crc32::new();
            c.update(a);
            c.update(b);
            assert_eq!(c.finish(), crc32(data), "split at {split}");
        }
    }

    #[test]
    fn a_single_bit_flip_changes_the_checksum() {
        let mut data = *b"outbox entry payload";
        let before = crc32(&data);
        data[3] ^= 0x10;
        assert_ne!(crc32(&data), before);
    }
}
