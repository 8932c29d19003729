//! The scanner's triggers: where a rule's regex needs to run at all. One
//! keyword automaton walked over the text in four interleaved lanes, and one
//! vectorised pass for runs of digits.

use crate::{Error, Result};
use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

/// Digits at most this many bytes apart belong to the same run.
const DIGIT_GAP: usize = 3;

/// Every rule keyword, ASCII-case-insensitively, in one DFA.
///
/// The DFA is walked by hand over four slices of the text at once: one walk
/// is a chain of dependent table loads, four interleaved walks keep the
/// processor busy, and prose — where this pass is nearly all the work —
/// scans about twice as fast as with a single walk.
#[derive(Debug)]
pub(super) struct KeywordDfa {
    dfa: DFA,
    start: StateID,
}

/// Texts shorter than this are walked in one lane.
const MIN_LANE_BYTES: usize = 64;

impl KeywordDfa {
    pub(super) fn new(words: &[Vec<u8>]) -> Result<Self> {
        let err = |e: &dyn std::fmt::Display| Error::Rule {
            rule_id: "<keywords>".into(),
            message: format!("keyword prefilter failed to build: {e}"),
        };
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            // Without a prefilter, only match (and dead) states are
            // "special", which is the one check per byte below.
            .prefilter(false)
            .build(words)
            .map_err(|e| err(&e))?;
        let start = dfa.start_state(Anchored::No).map_err(|e| err(&e))?;
        Ok(KeywordDfa { dfa, start })
    }

    /// Every keyword occurrence, overlapping ones included, as
    /// `(start, end, pattern)` in order of `end`.
    pub(super) fn hits(&self, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        const LANES: usize = 4;
        let len = hay.len();
        let lanes = if len < LANES * MIN_LANE_BYTES {
            1
        } else {
            LANES
        };
        let seg = len.div_ceil(lanes);
        // A lane reports the matches that end in its own slice, and starts
        // reading early enough to see a keyword that begins in the slice
        // before.
        let back = self.dfa.max_pattern_len().saturating_sub(1);
        let mut pos = [0usize; LANES];
        let mut end = [0usize; LANES];
        let mut own = [0usize; LANES];
        let mut sid = [self.start; LANES];
        let mut out: [Vec<(usize, usize, usize)>; LANES] = Default::default();
        for k in 0..lanes {
            own[k] = (k * seg).min(len);
            pos[k] = own[k].saturating_sub(back);
            end[k] = ((k + 1) * seg).min(len);
        }
        let common = (0..lanes).map(|k| end[k] - pos[k]).min().unwrap_or(0);
        if lanes == LANES {
            // Four equal slices walked in step: no bounds check per byte, and
            // one branch for the rare special state in any lane.
            let slice = |k: usize| hay.get(pos[k]..pos[k] + common).unwrap_or_default();
            let (s0, s1, s2, s3) = (slice(0), slice(1), slice(2), slice(3));
            let dfa = &self.dfa;
            for (i, (((&b0, &b1), &b2), &b3)) in s0.iter().zip(s1).zip(s2).zip(s3).enumerate() {
                sid[0] = dfa.next_state(Anchored::No, sid[0], b0);
                sid[1] = dfa.next_state(Anchored::No, sid[1], b1);
                sid[2] = dfa.next_state(Anchored::No, sid[2], b2);
                sid[3] = dfa.next_state(Anchored::No, sid[3], b3);
                if dfa.is_special(sid[0])
                    | dfa.is_special(sid[1])
                    | dfa.is_special(sid[2])
                    | dfa.is_special(sid[3])
                {
                    for k in 0..LANES {
                        if dfa.is_special(sid[k]) {
                            self.report(sid[k], pos[k] + i + 1, own[k], &mut out[k]);
                        }
                    }
                }
            }
            for p in &mut pos {
                *p += common;
            }
        }
        for k in 0..lanes {
            while let Some(&b) = hay.get(pos[k]).filter(|_| pos[k] < end[k]) {
                sid[k] = self.dfa.next_state(Anchored::No, sid[k], b);
                pos[k] += 1;
                if self.dfa.is_special(sid[k]) {
                    self.report(sid[k], pos[k], own[k], &mut out[k]);
                }
            }
        }
        let [first, rest @ ..] = out;
        let mut all = first;
        for lane in rest {
            all.extend(lane);
        }
        all
    }

    fn report(&self, sid: StateID, at: usize, own: usize, out: &mut Vec<(usize, usize, usize)>) {
        if at <= own || !self.dfa.is_match(sid) {
            return;
        }
        for i in 0..self.dfa.match_len(sid) {
            let pid = self.dfa.match_pattern(sid, i);
            out.push((at - self.dfa.pattern_len(pid), at, pid.as_usize()));
        }
    }
}

/// Runs of ASCII digits (digits at most [`DIGIT_GAP`] bytes apart) with at
/// least `min_digits` digits, each given to `each` as `(start, end, digits)`
/// in text order.
///
/// Real text has a digit every few dozen bytes, so this works on 64-byte
/// chunks as bit masks of their digits: a run starts at a digit with no
/// other digit in the [`DIGIT_GAP`] + 1 bytes before it, and the work is per
/// run (a shift, a count of bits) rather than per byte or per digit.
pub(super) fn digit_runs(
    bytes: &[u8],
    min_digits: usize,
    mut each: impl FnMut(usize, usize, usize),
) {
    const CHUNK: usize = 64;
    // The open run: first byte, last digit, and its digits (0: no run).
    let (mut start, mut last, mut digits) = (0usize, 0usize, 0usize);
    let mut close = |start: usize, last: usize, digits: usize| {
        if digits > 0 && digits >= min_digits {
            each(start, last + 1, digits);
        }
    };
    // The digits of the chunk before, for a gap across the border.
    let mut before = 0u64;
    let mut chunks = bytes.chunks_exact(CHUNK);
    let mut base = 0;
    let mut feed = |base: usize, mask: u64, before: u64| {
        if mask == 0 {
            return;
        }
        // Bit `i` set: a digit within DIGIT_GAP + 1 bytes before byte `i`.
        let mut near = 0;
        for k in 1..=DIGIT_GAP + 1 {
            near |= mask << k | before >> (CHUNK - k);
        }
        let mut starts = mask & !near;
        // Bits of `mask` not yet counted into a run.
        let mut from = 0u32;
        while starts != 0 {
            let i = starts.trailing_zeros();
            starts &= starts - 1;
            let tail = mask & ((1u64 << i) - 1) & (u64::MAX << from);
            if tail != 0 {
                digits += tail.count_ones() as usize;
                last = base + 63 - tail.leading_zeros() as usize;
            }
            close(start, last, digits);
            (start, digits, from) = (base + i as usize, 0, i);
        }
        let tail = mask & (u64::MAX << from);
        digits += tail.count_ones() as usize;
        last = base + 63 - tail.leading_zeros() as usize;
    };
    for chunk in &mut chunks {
        let mask = digit_mask(chunk);
        feed(base, mask, before);
        before = mask;
        base += CHUNK;
    }
    let rest = chunks.remainder();
    let mask = rest
        .iter()
        .enumerate()
        .fold(0u64, |m, (i, b)| m | u64::from(b.is_ascii_digit()) << i);
    feed(base, mask, before);
    close(start, last, digits);
}

/// Bit `i` set where `chunk[i]` is an ASCII digit, for a 64-byte chunk,
/// eight bytes at a time: each byte's high bit says whether it is at least
/// `0` and not at least `:` (and was not a high byte to begin with), and a
/// multiplication gathers the eight high bits into one byte.
fn digit_mask(chunk: &[u8]) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Added to a byte below 0x80: sets its high bit when it is at least
    // `0` (0x30) and when it is at least `:` (0x3a), without a carry into
    // the next byte.
    const FROM_ZERO: u64 = 0x5050_5050_5050_5050;
    const FROM_COLON: u64 = 0x4646_4646_4646_4646;
    // Moves bit 8k to bit 56 + k.
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let mut mask = 0u64;
    for (k, word) in chunk.chunks_exact(8).enumerate() {
        let mut le = [0u8; 8];
        le.copy_from_slice(word);
        let x = u64::from_le_bytes(le);
        let low = x & LOW7;
        let digit = low.wrapping_add(FROM_ZERO) & !low.wrapping_add(FROM_COLON) & !x & HIGH;
        mask |= ((digit >> 7).wrapping_mul(GATHER) >> 56) << (8 * k);
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_tolerate_separators() {
        assert_eq!(
            runs(b"call (555) 123-4567 now, or 12", 7),
            vec![(6, 19, 10)]
        );
        assert!(runs(b"no digits at all here", 1).is_empty());
        let long = format!("{}4111 1111 1111 1111", "x".repeat(200));
        assert_eq!(runs(long.as_bytes(), 12), vec![(200, 219, 16)]);
    }

    fn runs(bytes: &[u8], min: usize) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        digit_runs(bytes, min, |s, e, d| out.push((s, e, d)));
        out
    }

    /// Digits one by one, as the reference scanner finds runs.
    fn runs_byte_by_byte(bytes: &[u8], min: usize) -> Vec<(usize, usize, usize)> {
        let mut out: Vec<(usize, usize, usize)> = Vec::new();
        let mut open: Option<(usize, usize, usize)> = None;
        for (at, b) in bytes.iter().enumerate() {
            if !b.is_ascii_digit() {
                continue;
            }
            open = match open {
                Some((s, e, d)) if at <= e + DIGIT_GAP => Some((s, at + 1, d + 1)),
                other => {
                    out.extend(other);
                    Some((at, at + 1, 1))
                }
            };
        }
        out.extend(open);
        out.retain(|r| r.2 >= min);
        out
    }

    #[test]
    fn digit_masks_see_every_byte() {
        let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for chunk in all.chunks(64) {
            let want = chunk
                .iter()
                .enumerate()
                .fold(0u64, |m, (i, b)| m | u64::from(b.is_ascii_digit()) << i);
            assert_eq!(digit_mask(chunk), want, "{chunk:?}");
        }
    }

    proptest::proptest! {
        /// Runs found through masks are the runs found digit by digit,
        /// across chunk borders and at the end of the text.
        #[test]
        fn digit_runs_match_a_byte_walk(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::num::u8::ANY,
                    3 => b'0'..=b'9',
                    1 => proptest::strategy::Just(b' '),
                ],
                0..400,
            ),
            min in 1usize..6,
        ) {
            proptest::prop_assert_eq!(runs(&text, min), runs_byte_by_byte(&text, min));
        }

        /// The four-lane walk finds exactly what aho-corasick's own
        /// overlapping search finds, keywords across lane borders included.
        #[test]
        fn keyword_lanes_match_the_reference(
            text in "([a-d_ -]|AB|ab_c|BcD|d-){0,400}",
        ) {
            let words: Vec<Vec<u8>> = ["ab_c", "bcd", "d-", "a", "cd_a", "d-d-d"]
                .iter()
                .map(|w| w.as_bytes().to_vec())
                .collect();
            let dfa = KeywordDfa::new(&words).unwrap();
            let mut got = dfa.hits(text.as_bytes());
            got.sort_unstable();
            let reference = aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&words)
                .unwrap();
            let mut want: Vec<(usize, usize, usize)> = reference
                .find_overlapping_iter(&text)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect();
            want.sort_unstable();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
