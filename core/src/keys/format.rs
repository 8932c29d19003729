//! The shape of a govstream API key, `gvsk_<id>_<secret>`, and minting one.
//!
//! - `gvsk_` says what the string is, so a leaked key is recognisable (the
//!   built-in rule `secrets.govstream_api_key` finds it) and cannot be taken
//!   for another vendor's: `gsk_` is Groq's prefix and `gs_`/`gst_` are
//!   short enough to appear in ordinary identifiers.
//! - `<id>`, 4 to 32 lowercase letters and digits (8 when minted), is
//!   public: it names the key in the store, in logs and in rotation, and
//!   selects the store entry without comparing secrets.
//! - `<secret>` is 52 characters of lowercase RFC 4648 base32
//!   (`a`–`z`, `2`–`7`): 32 random bytes, 256 bits. Neither part contains
//!   `_`, so the key splits unambiguously.

use crate::{Error, Result};
use sha2::{Digest, Sha256};

/// What every govstream API key starts with.
pub const KEY_PREFIX: &str = "gvsk_";
/// Length of a minted key id, in characters.
pub const MINTED_ID_CHARS: usize = 8;
/// Length of a key's secret part, in characters (32 bytes in base32).
pub const SECRET_CHARS: usize = 52;
/// Shortest and longest key id a store or a presented key may use.
pub const ID_CHARS: std::ops::RangeInclusive<usize> = 4..=32;
/// The prefix of a stored key hash.
pub const HASH_PREFIX: &str = "sha256:";

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A whole API key, secret included. It shows itself nowhere by accident:
/// no `Display`, a `Debug` that prints only the public id, and
/// [`ApiKey::expose_secret`] as the one way to read it, for the single
/// moment a minted key is handed to its owner.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    whole: String,
    id_end: usize,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey({KEY_PREFIX}{}_<secret hidden>)", self.id())
    }
}

impl ApiKey {
    /// Reads a presented key. `None` when it does not have the key shape;
    /// the caller says no more than that, since the text may be any secret.
    pub fn parse(text: &str) -> Option<ApiKey> {
        let rest = text.strip_prefix(KEY_PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        if !is_key_id(id) || !is_secret(secret) {
            return None;
        }
        Some(ApiKey {
            whole: text.to_owned(),
            id_end: KEY_PREFIX.len() + id.len(),
        })
    }

    /// Mints a key with a fresh id and secret from the host's or the
    /// operating system's secure random source. Fails with [`Error::Io`]
    /// when neither is available: a key from a weak source would be
    /// guessable, so there is no fallback.
    pub fn mint() -> Result<ApiKey> {
        let mut id_bytes = [0u8; 5];
        let mut secret_bytes = [0u8; 32];
        if !crate::clock::fill_random(&mut id_bytes)
            || !crate::clock::fill_random(&mut secret_bytes)
        {
            return Err(Error::Io {
                location: "api key".to_owned(),
                message: "no secure random source to mint a key from (on wasm32, set one with \
                          clock::set_random_source)"
                    .to_owned(),
            });
        }
        let id = base32(&id_bytes);
        let whole = format!("{KEY_PREFIX}{id}_{}", base32(&secret_bytes));
        Ok(ApiKey {
            id_end: KEY_PREFIX.len() + id.len(),
            whole,
        })
    }

    /// The public key id (without `gvsk_`).
    pub fn id(&self) -> &str {
        self.whole
            .get(KEY_PREFIX.len()..self.id_end)
            .unwrap_or_default()
    }

    /// The whole key, secret included: to show a minted key to its owner
    /// once. Never log or store it; store [`ApiKey::hash`].
    pub fn expose_secret(&self) -> &str {
        &self.whole
    }

    /// The stored form: `sha256:` and the lowercase hex SHA-256 of the
    /// whole key.
    ///
    /// A plain, unsalted, fast hash is enough here, unlike for passwords:
    /// slow salted hashes exist to make guessing low-entropy secrets
    /// expensive, and a 256-bit random secret cannot be guessed at any
    /// speed, so a stolen store reveals nothing usable. A fast hash also
    /// keeps verifying a request cheap. The id is hashed with the secret,
    /// so a hash cannot be moved to another id.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.whole.as_bytes());
        let mut out = String::with_capacity(HASH_PREFIX.len() + 64);
        out.push_str(HASH_PREFIX);
        for b in digest {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        out
    }

    /// The raw SHA-256 of the whole key, for comparing with a stored hash.
    pub(super) fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.whole.as_bytes()).into()
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether `id` is a valid key id: 4 to 32 lowercase ASCII letters or
/// digits.
pub fn is_key_id(id: &str) -> bool {
    ID_CHARS.contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn is_secret(secret: &str) -> bool {
    secret.len() == SECRET_CHARS && secret.bytes().all(|b| BASE32.contains(&b))
}

/// Lowercase RFC 4648 base32 without padding.
fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Reads a stored hash (`sha256:` and 64 hex digits, either case) into its
/// 32 bytes.
pub(super) fn parse_hash(stored: &str) -> Option<[u8; 32]> {
    let hex = stored.strip_prefix(HASH_PREFIX)?;
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(hex.as_bytes().chunks(2)) {
        let digit = |c: u8| char::from(c).to_digit(16);
        let (hi, lo) = match pair {
            [hi, lo] => (digit(*hi)?, digit(*lo)?),
            _ => return None,
        };
        *slot = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_follows_rfc_4648() {
        // RFC 4648 §10's vectors, lowercase and unpadded.
        for (input, want) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(base32(input.as_bytes()), want, "{input}");
        }
    }

    #[test]
    fn minted_keys_have_the_documented_shape_and_parse_back() {
        let key = ApiKey::mint().unwrap();
        let text = key.expose_secret();
        assert!(text.starts_with("gvsk_"), "{text}");
        assert_eq!(key.id().len(), MINTED_ID_CHARS);
        assert_eq!(
            text.len(),
            KEY_PREFIX.len() + MINTED_ID_CHARS + 1 + SECRET_CHARS
        );
        assert_eq!(ApiKey::parse(text), Some(key.clone()));
        assert_ne!(ApiKey::mint().unwrap(), key);
        let hash = key.hash();
        assert_eq!(parse_hash(&hash), Some(key.digest()));
        assert_eq!(
            parse_hash(&hash.to_uppercase().replace("SHA256", "sha256")),
            Some(key.digest())
        );
    }

    #[test]
    fn debug_shows_the_id_only() {
        let key = ApiKey::mint().unwrap();
        let secret = key.expose_secret().rsplit('_').next().unwrap().to_owned();
        let shown = format!("{key:?}");
        assert!(shown.contains(key.id()), "{shown}");
        assert!(!shown.contains(&secret), "{shown}");
    }

    #[test]
    fn other_shapes_do_not_parse() {
        let secret = "a".repeat(SECRET_CHARS);
        assert!(ApiKey::parse(&format!("gvsk_abcd_{secret}")).is_some());
        for text in [
            String::new(),
            format!("gsk_abcd_{secret}"),
            format!("gvsk_abc_{secret}"),
            format!("gvsk_ABCD_{secret}"),
            format!("gvsk_ab_cd_{secret}"),
            format!("gvsk_abcd_{}", "a".repeat(SECRET_CHARS - 1)),
            format!("gvsk_abcd_{}1", "a".repeat(SECRET_CHARS - 1)),
            format!("gvsk_abcd_{secret} "),
            format!("gvsk_{}_{secret}", "a".repeat(33)),
        ] {
            assert!(ApiKey::parse(&text).is_none(), "{text}");
        }
        assert_eq!(parse_hash("sha256:zz"), None);
        assert_eq!(parse_hash(&format!("md5:{}", "0".repeat(64))), None);
        assert_eq!(parse_hash(&format!("sha256:{}", "g".repeat(64))), None);
    }
}
