//! Checksums of cryptocurrency addresses: Base58Check and Bech32/Bech32m.

use sha2::{Digest, Sha256};

/// Longest value decoded as Base58; the longest Base58Check strings in use
/// (BIP-32 extended keys) have 111 characters, and decoding is quadratic.
const MAX_BASE58_LEN: usize = 128;

const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Base58Check: at least a version byte, a 20-byte hash and the four-byte
/// checksum (25 bytes, the size of a Bitcoin address), and the checksum is
/// the start of SHA-256(SHA-256(payload)).
pub(super) fn base58check(value: &str) -> bool {
    let Some(bytes) = base58_decode(value) else {
        return false;
    };
    if bytes.len() < 25 {
        return false;
    }
    let Some((payload, check)) = bytes.split_at_checked(bytes.len() - 4) else {
        return false;
    };
    let digest = Sha256::digest(Sha256::digest(payload));
    digest.get(..4) == Some(check)
}

fn base58_decode(value: &str) -> Option<Vec<u8>> {
    if value.is_empty() || value.len() > MAX_BASE58_LEN {
        return None;
    }
    // Little-endian base-256 accumulator, multiplied by 58 per character.
    let mut le: Vec<u8> = Vec::with_capacity(value.len());
    for c in value.bytes() {
        let digit = BASE58_ALPHABET.iter().position(|a| *a == c)?;
        let mut carry = u32::try_from(digit).ok()?;
        for byte in &mut le {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            le.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    // Each leading '1' stands for one leading zero byte.
    let zeros = value.bytes().take_while(|b| *b == b'1').count();
    let mut out = vec![0u8; zeros];
    out.extend(le.iter().rev());
    Some(out)
}

const BECH32_CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST: u32 = 1;
const BECH32M_CONST: u32 = 0x2bc8_30a3;

#[derive(Debug, PartialEq)]
pub(super) enum Bech32Variant {
    Bech32,
    Bech32m,
}

/// BIP-173 string rules and a Bech32 (BIP-173) or Bech32m (BIP-350)
/// checksum, for any human-readable part. For Bitcoin's `bc` and `tb` the
/// segregated-witness rules apply as well: witness version 0 uses Bech32
/// with a 20- or 32-byte program, versions 1–16 use Bech32m with 2–40 bytes.
pub(super) fn bech32(value: &str) -> bool {
    let Some((hrp, values, variant)) = bech32_decode(value) else {
        return false;
    };
    if hrp != "bc" && hrp != "tb" {
        return true;
    }
    let payload = values
        .get(..values.len().saturating_sub(6))
        .unwrap_or_default();
    let Some((&version, program)) = payload.split_first() else {
        return false;
    };
    let Some(program) = regroup_5_to_8(program) else {
        return false;
    };
    match version {
        0 => variant == Bech32Variant::Bech32 && matches!(program.len(), 20 | 32),
        1..=16 => variant == Bech32Variant::Bech32m && (2..=40).contains(&program.len()),
        _ => false,
    }
}

/// The lowercased human-readable part, the five-bit data values (checksum
/// included) and the checksum variant of a well-formed Bech32 string.
pub(super) fn bech32_decode(value: &str) -> Option<(String, Vec<u8>, Bech32Variant)> {
    let bytes = value.as_bytes();
    if bytes.len() > 90 || bytes.iter().any(|b| !(33..=126).contains(b)) {
        return None;
    }
    if bytes.iter().any(u8::is_ascii_lowercase) && bytes.iter().any(u8::is_ascii_uppercase) {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    let (hrp, data) = lower.rsplit_once('1')?;
    if hrp.is_empty() || data.len() < 6 {
        return None;
    }
    let values = data
        .bytes()
        .map(|c| BECH32_CHARSET.iter().position(|a| *a == c).map(|v| v as u8))
        .collect::<Option<Vec<u8>>>()?;
    let expanded = hrp
        .bytes()
        .map(|c| c >> 5)
        .chain(std::iter::once(0))
        .chain(hrp.bytes().map(|c| c & 31))
        .chain(values.iter().copied());
    let variant = match bech32_polymod(expanded) {
        BECH32_CONST => Bech32Variant::Bech32,
        BECH32M_CONST => Bech32Variant::Bech32m,
        _ => return None,
    };
    Some((hrp.to_string(), values, variant))
}

fn bech32_polymod(values: impl Iterator<Item = u8>) -> u32 {
    const GENERATOR: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk = 1u32;
    for v in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GENERATOR.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// Five-bit groups to bytes; the padding must be under five bits and zero.
fn regroup_5_to_8(values: &[u8]) -> Option<Vec<u8>> {
    let mut acc = 0u32;
    let mut bits = 0u32;
    let mut out = Vec::with_capacity(values.len() * 5 / 8);
    for &v in values {
        acc = ((acc << 5) | u32::from(v)) & 0xfff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if bits >= 5 || (acc << (8 - bits)) & 0xff != 0 {
        return None;
    }
    Some(out)
}
