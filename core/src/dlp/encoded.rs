//! Secrets stored encoded: base64 of a PEM block, as Kubernetes Secrets,
//! Helm values and `.env` files carry private keys (`LS0tLS1CRUdJTi…` is
//! `-----BEGIN `). The scanner finds the encoded start of `-----BEGIN `
//! through its keyword pass (at each of the three byte alignments a block can
//! start at inside a base64 run), decodes the run around it — bounded in
//! length and in number per text — scans the decoded text with the same
//! rules, and reports what it finds on the encoded text, at the base64
//! characters that encode the value.

/// `-----BEGIN ` in base64, one string per alignment of its first byte within
/// a three-byte group: only the characters that depend on these bytes alone.
pub(crate) const PEM_TRIGGERS: [&str; 3] = ["LS0tLS1CRUdJTi", "0tLS0tQkVHSU4g", "tLS0tLUJFR0lOI"];

/// Where each trigger starts relative to an occurrence of [`COMMON`].
const COMMON_AT: [usize; 3] = [0, 2, 1];

/// Four characters every trigger holds: one vectorised substring search
/// finds every candidate, so text without encoded PEM pays a single fast
/// pass (and the keyword automaton stays as small as the rules need).
const COMMON: &str = "LS0t";

/// Every trigger in `hay`, as `(start, alignment)` in text order.
pub(crate) fn pem_triggers(hay: &str) -> Vec<(usize, usize)> {
    let bytes = hay.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new(COMMON.as_bytes()));
    for at in finder.find_iter(bytes) {
        for (alignment, trigger) in PEM_TRIGGERS.iter().enumerate() {
            let Some(start) = at.checked_sub(COMMON_AT[alignment]) else {
                continue;
            };
            let hit = bytes.get(start..start + trigger.len()) == Some(trigger.as_bytes());
            if hit && out.last().is_none_or(|&(s, _)| s != start) {
                out.push((start, alignment));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Longest base64 run decoded, in characters: room for the base64 of a
/// 16 KiB PEM block (the private-key rules' own bound) with line breaks.
pub(crate) const MAX_ENCODED_BYTES: usize = 32 * 1024;

/// Runs decoded per scanned piece of text; a text built to hold thousands of
/// triggers costs no more than this many decodes.
pub(crate) const MAX_DECODES: usize = 16;

/// A base64 run: where it is in the text and what it decodes to.
pub(crate) struct Decoded {
    /// The decoded bytes, as text (lossy: PEM is ASCII).
    pub(crate) text: String,
    /// The text offset of every base64 character, in order.
    positions: Vec<usize>,
    /// Decoded bytes are exact for the whole run (no invalid UTF-8 replaced),
    /// so decoded offsets map to encoded characters.
    exact: bool,
    /// Decoded bytes dropped before `text`.
    skip: usize,
}

fn sextet(b: u8) -> Option<u8> {
    Some(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    })
}

/// Characters of a trigger's four-character group that come before it, by
/// alignment (the index in [`PEM_TRIGGERS`]).
const GROUP_LEAD: [usize; 3] = [0, 2, 3];

/// The base64 run from the group holding trigger `alignment` at `at`,
/// decoded. A run may be wrapped over lines (as `base64` and MIME wrap at 64
/// or 76): a line break followed by indentation continues it when the line
/// before is at least 60 characters long.
pub(crate) fn decode_around(hay: &str, at: usize, alignment: usize) -> Option<Decoded> {
    let bytes = hay.as_bytes();
    let start = at.checked_sub(*GROUP_LEAD.get(alignment)?)?;
    if bytes.get(start..at)?.iter().any(|&b| sextet(b).is_none()) {
        return None;
    }
    let mut positions = Vec::new();
    let mut line = 0usize;
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        if positions.len() >= MAX_ENCODED_BYTES {
            break;
        }
        if sextet(b).is_some() {
            positions.push(i);
            line += 1;
            i += 1;
            continue;
        }
        if (b == b'\n' || b == b'\r') && line >= 60 {
            let mut j = i;
            while matches!(bytes.get(j), Some(b'\n' | b'\r' | b' ' | b'\t')) && j - i < 16 {
                j += 1;
            }
            if bytes.get(j).copied().and_then(sextet).is_some() {
                i = j;
                line = 0;
                continue;
            }
        }
        break;
    }
    let mut out = Vec::with_capacity(positions.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &p in &positions {
        let v = bytes.get(p).copied().and_then(sextet)?;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    // The bytes before `-----BEGIN` in the trigger's group belong to
    // whatever the run encodes before the block.
    let out = out.get(alignment..).unwrap_or_default().to_vec();
    let (text, exact) = match String::from_utf8(out) {
        Ok(s) => (s, true),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), false),
    };
    Some(Decoded {
        text,
        positions,
        exact,
        skip: alignment,
    })
}

impl Decoded {
    /// The text range encoding decoded bytes `start..end`: whole base64
    /// groups (four characters per three bytes), so the redaction covers
    /// every character that carries a bit of the value. The whole run when
    /// the decoded text is not exact.
    pub(crate) fn encoded_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let count = self.positions.len();
        let (start, end) = (start + self.skip, end + self.skip);
        let (first, last) = if self.exact {
            ((start / 3) * 4, (end.div_ceil(3) * 4).min(count))
        } else {
            (0, count)
        };
        let s = *self.positions.get(first)?;
        let e = *self.positions.get(last.checked_sub(1)?)? + 1;
        (s < e).then_some((s, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        crate::base64::encode(bytes)
    }

    #[test]
    fn triggers_are_the_stable_characters_of_each_alignment() {
        for (k, trigger) in PEM_TRIGGERS.iter().enumerate() {
            let mut plain = vec![b'x'; k];
            plain.extend_from_slice(b"-----BEGIN RSA PRIVATE KEY-----");
            let enc = encode(&plain);
            assert!(enc.contains(trigger), "{k}: {enc}");
            let at = enc.find(trigger).unwrap();
            let d = decode_around(&enc, at, k).unwrap();
            assert_eq!(d.text, "-----BEGIN RSA PRIVATE KEY-----");
            // Any prefix bytes give the same characters.
            let mut other = vec![b'\n'; k];
            other.extend_from_slice(b"-----BEGIN X");
            assert!(encode(&other).contains(trigger));
        }
    }

    #[test]
    fn every_trigger_is_found_through_the_common_part() {
        for (k, trigger) in PEM_TRIGGERS.iter().enumerate() {
            assert_eq!(trigger.find(COMMON), Some(COMMON_AT[k]), "{trigger}");
            let hay = format!("xx {trigger} yy {trigger}");
            assert_eq!(pem_triggers(&hay), vec![(3, k), (7 + trigger.len(), k)]);
        }
        assert!(pem_triggers("LS0t but not more").is_empty());
    }

    #[test]
    fn decodes_a_run_and_maps_spans_back() {
        let secret = b"-----BEGIN TEST-----\nabc\n-----END TEST-----\n";
        let enc = encode(secret);
        let hay = format!("data:\n  tls.key: {enc}\nnext: 1");
        let at = hay.find(PEM_TRIGGERS[0]).unwrap();
        let d = decode_around(&hay, at, 0).unwrap();
        assert_eq!(d.text.as_bytes(), secret);
        let (s, e) = d.encoded_span(0, secret.len()).unwrap();
        assert_eq!(&hay[s..e], enc.trim_end_matches('='));
    }

    #[test]
    fn wrapped_runs_are_followed_over_lines() {
        let secret = "-----BEGIN TEST-----\n".to_string() + &"k".repeat(200);
        let enc = encode(secret.as_bytes());
        let wrapped: Vec<&str> = enc
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let hay = format!("key: |\n    {}\nother", wrapped.join("\n    "));
        let at = hay.find(PEM_TRIGGERS[0]).unwrap();
        let d = decode_around(&hay, at, 0).unwrap();
        assert_eq!(d.text, secret);
    }
}
