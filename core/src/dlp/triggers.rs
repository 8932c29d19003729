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
/// least `min_digits` digits, as `(start, end, digits)`.
pub(super) fn digit_runs(bytes: &[u8], min_digits: usize) -> Vec<(usize, usize, usize)> {
    const CHUNK: usize = 64;
    let mut runs = Vec::new();
    // The current run: (start, end, digits).
    let mut run: Option<(usize, usize, usize)> = None;
    let mut close = |run: &mut Option<(usize, usize, usize)>| {
        if let Some(r) = run.take()
            && r.2 >= min_digits
        {
            runs.push(r);
        }
    };
    for (c, chunk) in bytes.chunks(CHUNK).enumerate() {
        let any_digit = chunk
            .iter()
            .fold(0u8, |acc, b| acc | u8::from(b.wrapping_sub(b'0') < 10));
        let base = c * CHUNK;
        if any_digit == 0 {
            if run.is_some_and(|r| base + chunk.len() > r.1 + DIGIT_GAP) {
                close(&mut run);
            }
            continue;
        }
        for (i, b) in chunk.iter().enumerate() {
            if !b.is_ascii_digit() {
                continue;
            }
            let at = base + i;
            match &mut run {
                Some(r) if at <= r.1 + DIGIT_GAP => {
                    r.1 = at + 1;
                    r.2 += 1;
                }
                _ => {
                    close(&mut run);
                    run = Some((at, at + 1, 1));
                }
            }
        }
    }
    close(&mut run);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_tolerate_separators() {
        let runs = digit_runs(b"call (555) 123-4567 now, or 12", 7);
        assert_eq!(runs, vec![(6, 19, 10)]);
        assert!(digit_runs(b"no digits at all here", 1).is_empty());
        let long = format!("{}4111 1111 1111 1111", "x".repeat(200));
        assert_eq!(digit_runs(long.as_bytes(), 12), vec![(200, 219, 16)]);
    }

    proptest::proptest! {
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
