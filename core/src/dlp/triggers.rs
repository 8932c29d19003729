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
/// The DFA is built by aho-corasick and copied into a table of our own: one
/// row per state, one column per byte class, each entry the next state's
/// row offset, with the match states' rows last and from a power of two
/// on, so that "does any lane stand on a match?" is one comparison of the
/// lanes' rows OR-ed together. A step is two loads (the byte's class, the
/// next state) where aho-corasick's `next_state` also checks bounds and
/// decodes its state id. The table is walked by hand over four slices of
/// the text at once: one walk is a chain of dependent loads, four
/// interleaved walks keep the processor busy.
#[derive(Debug)]
pub(super) struct KeywordDfa {
    dfa: DFA,
    /// Each byte's class: its column in a row of `next`.
    class: [u32; 256],
    /// Row offset of each state's successor by class; padded with the
    /// start state to a power of two so an index masked by `len - 1` is in
    /// bounds without a check.
    next: Vec<u32>,
    /// Row offsets from here on (a power of two) are match states.
    first_match: u32,
    /// The start state's row offset.
    start: u32,
    /// The row width (the number of classes).
    stride: u32,
    /// aho-corasick's state for each match row, to read its matches.
    states: Vec<StateID>,
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
            .prefilter(false)
            .build(words)
            .map_err(|e| err(&e))?;
        let start = dfa.start_state(Anchored::No).map_err(|e| err(&e))?;

        // Classes: every byte no keyword holds (in either case) behaves the
        // same from every state (back to the start), so they share class 0;
        // each other byte, case folded, gets a class of its own.
        let mut class = [0u32; 256];
        let mut reps: Vec<u8> = vec![0];
        let mut used = [false; 256];
        for w in words {
            for &b in w {
                used[usize::from(b.to_ascii_lowercase())] = true;
            }
        }
        for b in 0..=255u8 {
            if used[usize::from(b)] && !b.is_ascii_uppercase() {
                let c = u32::try_from(reps.len()).map_err(|e| err(&e))?;
                reps.push(b);
                class[usize::from(b)] = c;
                class[usize::from(b.to_ascii_uppercase())] = c;
            }
        }
        if used.iter().all(|&u| u) {
            // No byte is left for class 0; keep its column unused.
            reps[0] = reps[1];
        }

        // Every state reachable from the start, breadth first.
        let mut states = vec![start];
        let mut index = std::collections::HashMap::from([(start, 0usize)]);
        let mut edges: Vec<usize> = Vec::new();
        let mut i = 0;
        while let Some(&sid) = states.get(i) {
            for &b in &reps {
                let to = dfa.next_state(Anchored::No, sid, b);
                let n = states.len();
                let at = *index.entry(to).or_insert(n);
                if at == n {
                    states.push(to);
                }
                edges.push(at);
            }
            i += 1;
        }
        // Renumber: states that do not match first, then those that do.
        let mut order: Vec<usize> = (0..states.len()).collect();
        order.sort_by_key(|&s| states.get(s).is_some_and(|&sid| dfa.is_match(sid)));
        let mut row = vec![0usize; states.len()];
        for (new, &old) in order.iter().enumerate() {
            if let Some(r) = row.get_mut(old) {
                *r = new;
            }
        }
        let stride = reps.len();
        let matching = order
            .iter()
            .position(|&s| states.get(s).is_some_and(|&sid| dfa.is_match(sid)))
            .unwrap_or(order.len());
        // Match rows start at a power of two, past every other row: then
        // no bit at or above it is set in any other row's offset, and
        // "does any of these rows match?" is one comparison of their OR.
        let first_match = (matching * stride).max(1).next_power_of_two();
        let offset_of = |new: usize| -> Result<u32> {
            let at = if new < matching {
                new * stride
            } else {
                first_match + (new - matching) * stride
            };
            u32::try_from(at).map_err(|e| err(&e))
        };
        let start_row = offset_of(row.first().copied().unwrap_or(0))?;
        let size = first_match + (states.len() - matching) * stride;
        let mut next = vec![start_row; size.next_power_of_two()];
        for (new, &old) in order.iter().enumerate() {
            let at = offset_of(new)? as usize;
            for c in 0..stride {
                let to = edges.get(old * stride + c).copied().unwrap_or(0);
                if let Some(slot) = next.get_mut(at + c) {
                    *slot = offset_of(row.get(to).copied().unwrap_or(0))?;
                }
            }
        }
        let states = order
            .iter()
            .skip(matching)
            .map(|&s| states.get(s).copied().unwrap_or(start))
            .collect();
        Ok(KeywordDfa {
            dfa,
            class,
            next,
            first_match: u32::try_from(first_match).map_err(|e| err(&e))?,
            start: start_row,
            stride: u32::try_from(stride).map_err(|e| err(&e))?,
            states,
        })
    }

    /// One step: the row offset after `row` reads `b`.
    #[inline(always)]
    fn step(&self, row: u32, b: u8) -> u32 {
        let i = (row + self.class[usize::from(b)]) as usize;
        self.next[i & (self.next.len() - 1)]
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
        let mut row = [self.start; LANES];
        let mut out: [Vec<(usize, usize, usize)>; LANES] = Default::default();
        for k in 0..lanes {
            own[k] = (k * seg).min(len);
            pos[k] = own[k].saturating_sub(back);
            end[k] = ((k + 1) * seg).min(len);
        }
        let common = (0..lanes).map(|k| end[k] - pos[k]).min().unwrap_or(0);
        if lanes == LANES {
            // Four equal slices walked in step, with one branch for the rare
            // match in any lane.
            let slice = |k: usize| hay.get(pos[k]..pos[k] + common).unwrap_or_default();
            let s0 = slice(0);
            let n = s0.len();
            let (s1, s2, s3) = (
                slice(1).get(..n).unwrap_or_default(),
                slice(2).get(..n).unwrap_or_default(),
                slice(3).get(..n).unwrap_or_default(),
            );
            if s1.len() == n && s2.len() == n && s3.len() == n {
                let fm = self.first_match;
                let next = &self.next[..];
                let mask = next.len().wrapping_sub(1);
                let class = &self.class;
                let step = |row: u32, b: u8| -> u32 {
                    let i = (row + class[usize::from(b)]) as usize & mask;
                    next.get(i).copied().unwrap_or(0)
                };
                let [mut r0, mut r1, mut r2, mut r3] = row;
                for i in 0..n {
                    r0 = step(r0, s0[i]);
                    r1 = step(r1, s1[i]);
                    r2 = step(r2, s2[i]);
                    r3 = step(r3, s3[i]);
                    if (r0 | r1 | r2 | r3) >= fm {
                        for (k, r) in [r0, r1, r2, r3].into_iter().enumerate() {
                            if r >= fm {
                                self.report(r, pos[k] + i + 1, own[k], &mut out[k]);
                            }
                        }
                    }
                }
                row = [r0, r1, r2, r3];
                for p in &mut pos {
                    *p += n;
                }
            }
        }
        for k in 0..lanes {
            while let Some(&b) = hay.get(pos[k]).filter(|_| pos[k] < end[k]) {
                row[k] = self.step(row[k], b);
                pos[k] += 1;
                if row[k] >= self.first_match {
                    self.report(row[k], pos[k], own[k], &mut out[k]);
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

    fn report(&self, row: u32, at: usize, own: usize, out: &mut Vec<(usize, usize, usize)>) {
        let Some(&sid) = self
            .states
            .get((row.wrapping_sub(self.first_match) / self.stride) as usize)
        else {
            return;
        };
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

        /// The same with every built-in keyword, over text made of them
        /// (in any case), their pieces, other bytes and multibyte
        /// characters: the copied table agrees with aho-corasick's own
        /// search on the real keyword set.
        #[test]
        fn builtin_keywords_match_the_reference(
            picks in proptest::collection::vec(
                (0usize..10_000, 0usize..4, proptest::bool::ANY),
                0..300,
            ),
        ) {
            let words = builtin_words();
            let dfa = KeywordDfa::new(&words).unwrap();
            let mut text = Vec::new();
            for (pick, kind, upper) in picks {
                let word = &words[pick % words.len()];
                match kind {
                    0 => text.extend(word.iter().map(|b| if upper { b.to_ascii_uppercase() } else { *b })),
                    1 => text.extend(&word[..word.len() / 2]),
                    2 => text.extend("é ".as_bytes()),
                    _ => text.push(u8::try_from(pick % 256).unwrap()),
                }
            }
            let mut got = dfa.hits(&text);
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

    /// Every ASCII keyword of the built-in rules, lower-cased, once each.
    fn builtin_words() -> Vec<Vec<u8>> {
        let mut words: Vec<Vec<u8>> = crate::dlp::packs::builtin_rules()
            .iter()
            .flat_map(|r| r.keywords.iter())
            .filter(|k| !k.is_empty() && k.is_ascii())
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        words.sort();
        words.dedup();
        words
    }

    /// A table whose every byte is some keyword's: no byte is left for the
    /// "no keyword" class.
    #[test]
    fn keywords_holding_every_byte() {
        let words: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b, b]).collect();
        let dfa = KeywordDfa::new(&words).unwrap();
        let text: Vec<u8> = (0..=255u8).flat_map(|b| [b, b, 0]).collect();
        let mut got = dfa.hits(&text);
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
        assert!(want.len() > 256);
        assert_eq!(got, want);
    }
}
