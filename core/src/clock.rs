//! Time, randomness, identifiers and keyed hashes for records.
//!
//! The one place the core asks the platform for the time or for random
//! bytes, so a host without either (`wasm32-unknown-unknown`, where
//! `SystemTime::now` panics and there is no OS random source) can supply
//! its own with [`set_source`] and [`set_random_source`]. Every entry point
//! that stamps a record also takes an explicit time, so a host may skip the
//! clock altogether. On `wasm32-unknown-unknown` without a host clock,
//! [`now_ms`] is 0 (records say 1970-01-01); without a host random source,
//! keys and identifiers fall back to the standard library's weak
//! per-process hashing keys (see `docs/wasm.md`).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::cell::Cell;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

/// A wall clock supplied by the host: milliseconds since the Unix epoch.
pub type TimeSource = fn() -> i64;

/// A random source supplied by the host: fills the whole buffer with
/// cryptographically secure random bytes and returns `true`, or returns
/// `false` when it cannot.
pub type RandomSource = fn(&mut [u8]) -> bool;

static TIME_SOURCE: RwLock<Option<TimeSource>> = RwLock::new(None);
static RANDOM_SOURCE: RwLock<Option<RandomSource>> = RwLock::new(None);
/// Bumped by [`set_random_source`] so cached identifier seeds are redrawn.
static RANDOM_GENERATION: AtomicU64 = AtomicU64::new(0);

/// Makes [`now_ms`] (and so every record stamped without an explicit time)
/// read `source` instead of the platform clock, process-wide; `None`
/// returns to the platform clock. A WASM host passes a function that calls
/// `Date.now()`.
pub fn set_source(source: Option<TimeSource>) {
    *TIME_SOURCE.write().unwrap_or_else(PoisonError::into_inner) = source;
}

/// Makes keys and identifiers draw on `source` before the platform's random
/// source, process-wide; `None` returns to the platform's. A WASM host
/// passes a function that calls `crypto.getRandomValues`. Set it before
/// compiling a policy without a `fingerprint_key`: that policy's key is
/// drawn at compile time.
pub fn set_random_source(source: Option<RandomSource>) {
    *RANDOM_SOURCE
        .write()
        .unwrap_or_else(PoisonError::into_inner) = source;
    RANDOM_GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// Milliseconds since the Unix epoch, now: from the host's clock when one
/// is set ([`set_source`]), else the platform's (0 if it is before 1970, and
/// always 0 on `wasm32-unknown-unknown`, which has none).
pub fn now_ms() -> i64 {
    let host = *TIME_SOURCE.read().unwrap_or_else(PoisonError::into_inner);
    host.map_or_else(platform_now_ms, |now| now())
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn platform_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `SystemTime::now` panics here: no clock until the host sets one.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn platform_now_ms() -> i64 {
    0
}

/// Fills `buf` from the host's random source when one is set and succeeds,
/// else from the platform's. False when neither could.
pub(crate) fn fill_random(buf: &mut [u8]) -> bool {
    let host = *RANDOM_SOURCE.read().unwrap_or_else(PoisonError::into_inner);
    host.is_some_and(|fill| fill(buf)) || platform_fill(buf)
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn platform_fill(buf: &mut [u8]) -> bool {
    getrandom::fill(buf).is_ok()
}

/// No OS random source here; only a host's.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn platform_fill(_buf: &mut [u8]) -> bool {
    false
}

/// Formats milliseconds since the epoch as RFC 3339 UTC with milliseconds:
/// `2026-11-22T09:15:02.481Z`.
pub fn rfc3339_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (the era-based
/// method described by H. Hinnant, "chrono-Compatible Low-Level Date
/// Algorithms").
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A UUIDv7 for `ms`: time-ordered, unique within and across processes.
/// The random part is the standard library's randomly keyed SipHash over a
/// counter and a per-thread seed from the random source — unpredictable
/// enough for identifiers, and far cheaper than a system call per event.
/// The seed matters where the standard library has no random keys
/// (`wasm32-unknown-unknown`): two instances must still not collide.
pub fn uuid_v7(ms: i64) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    thread_local! {
        static KEYS: RandomState = RandomState::new();
        /// (generation it was drawn in, seed)
        static SEED: Cell<(u64, [u8; 16])> = const { Cell::new((u64::MAX, [0; 16])) };
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let generation = RANDOM_GENERATION.load(Ordering::Relaxed);
    let seed = SEED.with(|cell| {
        let (drawn_in, mut seed) = cell.get();
        if drawn_in != generation {
            if !fill_random(&mut seed) {
                seed = [0; 16];
            }
            cell.set((generation, seed));
        }
        seed
    });
    let (a, b) = KEYS.with(|k| (k.hash_one((seed, n, 0u8)), k.hash_one((seed, n, 1u8))));
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&a.to_le_bytes());
    random[8..].copy_from_slice(&b.to_le_bytes()[..2]);
    let ms = u64::try_from(ms).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(ms, &random)
        .into_uuid()
        .to_string()
}

/// HMAC-SHA256 under one key, keyed once and cloned per use.
#[derive(Clone)]
pub struct KeyedHash {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for KeyedHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyedHash(<key hidden>)")
    }
}

impl KeyedHash {
    /// Keys the hash. HMAC accepts keys of any length.
    pub fn new(key: &[u8]) -> Self {
        let mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
            Ok(m) => m,
            // HMAC never rejects a key length; keep a valid state regardless.
            Err(_) => <Hmac<Sha256> as Mac>::new(&Default::default()),
        };
        KeyedHash { mac }
    }

    /// Lowercase hex of the MAC over `parts`, each length-prefixed so that
    /// `("ab", "c")` and `("a", "bc")` differ. `hex_len` ≤ 64 characters.
    pub fn hex(&self, parts: &[&[u8]], hex_len: usize) -> String {
        let mut mac = self.mac.clone();
        for p in parts {
            mac.update(&(p.len() as u64).to_le_bytes());
            mac.update(p);
        }
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(64);
        for b in digest {
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
        }
        out.truncate(hex_len.min(64));
        out
    }
}

const HEX: [char; 16] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f',
];

/// 32 bytes for keys: from the host's random source ([`set_random_source`])
/// or the operating system's.
pub fn random_key() -> Vec<u8> {
    let mut key = vec![0u8; 32];
    if !fill_random(&mut key) {
        // No random source (some sandboxes; WASM without a host source):
        // fall back to the std hasher's randomly keyed SipHash. Its keys are
        // random natively; on wasm32-unknown-unknown they are weak.
        let s = RandomState::new();
        for (i, chunk) in key.chunks_mut(8).enumerate() {
            chunk.copy_from_slice(&s.hash_one(i).to_le_bytes());
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339_ms(1_795_339_200_007), "2026-11-22T09:20:00.007Z");
        assert_eq!(rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn uuids_are_v7_unique_and_time_ordered() {
        let a = uuid_v7(1_000);
        let b = uuid_v7(1_000);
        let c = uuid_v7(2_000);
        assert_ne!(a, b);
        assert!(a < c && b < c);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 7);
    }

    #[test]
    fn keyed_hash_depends_on_key_and_framing() {
        let k = KeyedHash::new(b"org-key-0123456789");
        assert_eq!(k.hex(&[b"ab", b"c"], 64).len(), 64);
        assert_ne!(k.hex(&[b"ab", b"c"], 32), k.hex(&[b"a", b"bc"], 32));
        assert_ne!(
            k.hex(&[b"x"], 32),
            KeyedHash::new(b"other").hex(&[b"x"], 32)
        );
        assert_eq!(format!("{k:?}"), "KeyedHash(<key hidden>)");
    }
}
