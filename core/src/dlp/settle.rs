//! Where a growing text is settled: the offset before which no appended
//! text can change a finding. A stream (`policy/stream.rs`) releases text up
//! to it.
//!
//! A value is at most its rule's `max_len` long, so one starting further
//! than that before the end is settled whatever comes next. Most rules say
//! more, read from their patterns when they are compiled:
//!
//! - every value starts with one of a few literals (`ghp_`, `-----BEGIN`, a
//!   digit), so a value still being written starts at one of those near the
//!   end, or at one cut off by the end;
//! - a keyword rule's match lies in a window around a keyword hit, so a
//!   match still being written lies in the rule's last window, or in the
//!   window of a keyword still to come, and starts with one of the match's
//!   own start literals there;
//! - in an assignment (`password = "…"`, `Bearer …`) every match has a
//!   keyword before its value, so the value starts after a keyword hit near
//!   the end, or after one still to come; in other keyword rules a keyword
//!   is at most a known distance into the match (an email's `@` at most 65
//!   bytes);
//! - a value still being written reaches the end (give or take what may
//!   follow it in its match), so it is the run of the bytes its pattern
//!   allows that touches the end: the last word after a `password =`, the
//!   last number for a card;
//! - a rule whose bound is still far back searches for its own matches near
//!   the end: a value not yet a match starts in one running past the end.
//!
//! A rule with a context window may still gain or lose a value whose
//! context reaches the end, so every match of such a rule (accepted or not)
//! that ends within its window of the end is held. And a candidate that
//! lost to an overlapping stronger one may win once the stronger one grows
//! and fails its validator, so no candidate may cross the point either.
//!
//! In prose the point is some 80 to 250 bytes back (a rule that looks for a
//! value near a word holds its window); before, a stream held back the
//! private-key rules' 16 KiB. `tests/settle.rs` holds every bound to the
//! promise: at any cut, a finding of the whole text that starts before the
//! point is a finding of the cut text.

use super::{Scanner, floor_boundary, normalize};
use crate::dlp::compiled::CompiledRule;
use crate::dlp::start_facts::ValueRun;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::Input;
use std::collections::HashMap;

/// Bytes added to every bound: trigger shapes look a few bytes past a
/// trigger (`shape.rs`), so a shape can hinge on a byte after a value.
const SHAPE_MARGIN: usize = 16;

/// A rule whose bound is further back than this looks for its own matches
/// near the end (one regex search), to move the bound up.
const PROBE_FROM: usize = 32;

/// Literals of many rules in one automaton.
#[derive(Debug, Default)]
struct Finder {
    automaton: Option<AhoCorasick>,
    /// For each literal, the rules it belongs to.
    rules: Vec<Vec<usize>>,
}

impl Finder {
    fn new(
        lists: impl Iterator<Item = (usize, Option<Vec<Vec<u8>>>)>,
    ) -> (Self, Vec<Option<usize>>) {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut rules: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut longest = Vec::new();
        for (rule, list) in lists {
            // Looked for ASCII-case-insensitively (a superset of where the
            // rule's literals are, which only moves a bound earlier), and a
            // literal that starts with another of the rule's is left out:
            // wherever it starts, the shorter one does too.
            let list = list
                .map(|list| {
                    let mut lower: Vec<Vec<u8>> =
                        list.iter().map(|l| l.to_ascii_lowercase()).collect();
                    lower.sort_unstable();
                    lower.dedup();
                    let mut kept: Vec<Vec<u8>> = Vec::new();
                    for l in lower {
                        if !kept.iter().any(|k| l.starts_with(k)) {
                            kept.push(l);
                        }
                    }
                    kept
                })
                // Single bytes (a digit, a letter of a class) are everywhere in
                // text: looking for them costs more than it tells, and the
                // value's run of bytes bounds such a rule as well.
                .filter(|kept| kept.iter().all(|l| l.len() >= 2));
            longest.push(list.as_ref().and_then(|l| l.iter().map(Vec::len).max()));
            for l in list.into_iter().flatten() {
                let at = *index.entry(l.clone()).or_insert_with(|| {
                    literals.push(l);
                    rules.push(Vec::new());
                    rules.len() - 1
                });
                if let Some(list) = rules.get_mut(at) {
                    list.push(rule);
                }
            }
        }
        let automaton = if literals.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&literals)
                .ok()
        };
        if automaton.is_none() {
            // Without an automaton no literal is looked for: every rule
            // starts anywhere.
            longest.iter_mut().for_each(|l| *l = None);
        }
        (Finder { automaton, rules }, longest)
    }

    /// For each rule, the first of its literals starting at or after
    /// `from[rule]`, in `hay[lo..]`.
    fn first_after(&self, hay: &[u8], lo: usize, from: &[usize], first: &mut [usize]) {
        let Some(ac) = &self.automaton else { return };
        for m in ac.find_overlapping_iter(hay.get(lo..).unwrap_or_default()) {
            let at = lo + m.start();
            for &rule in self.rules.get(m.pattern().as_usize()).into_iter().flatten() {
                if let (Some(&f), Some(slot)) = (from.get(rule), first.get_mut(rule))
                    && at >= f
                    && at < *slot
                {
                    *slot = at;
                }
            }
        }
    }
}

/// Per rule, what bounds the start of a value still open.
#[derive(Debug, Clone, Copy)]
struct RuleStart {
    max_len: usize,
    /// The context window, 0 without one.
    context: usize,
    /// The longest value start literal (`None`: a value starts anywhere).
    value_longest: Option<usize>,
    /// The longest whole-match start literal.
    whole_longest: Option<usize>,
    /// For a rule triggered by keywords alone, the longest keyword.
    keyword_len: Option<usize>,
    keyword_first: bool,
    lead: Option<usize>,
    /// The longest whole match, when the pattern bounds it.
    longest_match: Option<usize>,
    /// The run a value still being written is (`None` when that does not
    /// bound it: the pattern does not, or a keyword still to come may
    /// make a value out of text already there).
    value_run: Option<ValueRun>,
    /// The longest keyword, for any rule with keywords.
    any_keyword: usize,
}

/// The scanner's table for [`Scanner::unsettled_from`].
#[derive(Debug, Default)]
pub(super) struct Starts {
    values: Finder,
    wholes: Finder,
    rules: Vec<RuleStart>,
    /// Keyword-triggered rules, by keyword pattern (as the scanner numbers
    /// them).
    keyword_rules: Vec<Vec<usize>>,
}

impl Starts {
    pub(super) fn new(
        rules: &[CompiledRule],
        keyword_rules: &[Vec<(usize, Option<super::TriggerShape>)>],
    ) -> Self {
        let (values, value_longest) = Finder::new(
            rules
                .iter()
                .enumerate()
                .map(|(i, r)| (i, r.starts.value.clone())),
        );
        let keyword_only = |r: &CompiledRule| {
            r.spec.min_digits.is_none()
                && !r.spec.keywords.is_empty()
                && r.spec
                    .keywords
                    .iter()
                    .all(|k| !k.is_empty() && k.is_ascii())
        };
        // Whole-match literals bound keyword rules only (a value of any
        // other rule is bounded by its own literals), and a rule without a
        // `value` group has the same ones as its values.
        let (wholes, whole_longest) = Finder::new(rules.iter().enumerate().map(|(i, r)| {
            let distinct = r.value_group.is_some() && keyword_only(r);
            (i, r.starts.whole.clone().filter(|_| distinct))
        }));
        let starts = rules
            .iter()
            .enumerate()
            .map(|(i, r)| RuleStart {
                max_len: r.spec.max_len,
                context: r.spec.context.as_ref().map_or(0, |c| c.window),
                value_longest: value_longest.get(i).copied().flatten(),
                whole_longest: whole_longest.get(i).copied().flatten(),
                keyword_len: keyword_only(r)
                    .then(|| r.spec.keywords.iter().map(String::len).max())
                    .flatten(),
                keyword_first: r.starts.keyword_first,
                lead: r.starts.lead,
                longest_match: r.starts.longest_match,
                // A keyword outside the match (a rule that looks for a
                // value near a word) may arrive after the value.
                value_run: r
                    .starts
                    .value_run
                    .filter(|_| r.spec.keywords.is_empty() || r.starts.keyword_inside),
                any_keyword: r.spec.keywords.iter().map(String::len).max().unwrap_or(0),
            })
            .collect();
        Starts {
            values,
            wholes,
            rules: starts,
            keyword_rules: keyword_rules
                .iter()
                .map(|list| list.iter().map(|&(rule, _)| rule).collect())
                .collect(),
        }
    }
}

/// The earliest start of a run of `run`'s bytes, at most `run.longest`
/// long, that ends within `tail` bytes of the end of `hay[..len]` (or
/// `len` when there is none: a value still to come).
fn run_start(hay: &[u8], len: usize, tail: usize, run: &ValueRun) -> usize {
    // The value's last byte is at or after `len - tail - 1`.
    let last_from = len.saturating_sub(tail + 1);
    let floor = last_from.saturating_sub(run.longest);
    let mut earliest = len;
    // Runs that reach `last_from`..`len`: walk back from each byte there
    // that the value can hold, once (a run found covers those before it).
    let mut at = len;
    while at > last_from {
        at -= 1;
        if !hay.get(at).is_some_and(|&b| run.holds(b)) {
            continue;
        }
        let mut start = at;
        while start > floor && hay.get(start - 1).is_some_and(|&b| run.holds(b)) {
            start -= 1;
        }
        earliest = earliest.min(start);
        at = start.max(last_from);
    }
    earliest
}

impl Scanner {
    /// The first byte of `text` at which a finding could still appear or
    /// change if more text were appended: findings before it are settled.
    /// A character boundary, at most `text.len()` and the scan limit.
    /// Findings inside encoded runs (`encoded.rs`) are not covered: a
    /// stream holds a run that may still grow by its own shape.
    pub fn unsettled_from(&self, text: &str) -> usize {
        let limit = floor_boundary(text, self.max_scan_bytes);
        let hay = text.get(..limit).unwrap_or_default();
        if hay.len() > super::SEGMENT_BYTES {
            // A text scanned in segments: the plain bound.
            return floor_boundary(hay, hay.len().saturating_sub(self.match_reach()));
        }
        let (view, map) = normalize::view(hay);
        let open = self.unsettled_in_view(&view);
        floor_boundary(hay, map.start(open))
    }

    fn unsettled_in_view(&self, view: &str) -> usize {
        let len = view.len();
        let bytes = view.as_bytes();
        let (windows, encoded_hits) = self.windows(view, None);
        let table = &self.starts;
        // Per rule, the earliest a match (`lo`) and its value (`value_lo`)
        // can start if still open.
        let mut lo = Vec::with_capacity(table.rules.len());
        for (rule, r) in table.rules.iter().enumerate() {
            lo.push(match r.keyword_len {
                Some(k) => {
                    // A keyword still to come opens a window up to max_len
                    // before it, which merges with the last one if they
                    // meet.
                    let new_lo = len.saturating_sub(k + SHAPE_MARGIN + r.max_len);
                    match windows.get(rule).and_then(|w| w.last()) {
                        Some(&(w_lo, w_hi)) if w_hi >= new_lo => w_lo.min(new_lo),
                        _ => new_lo,
                    }
                }
                None => len.saturating_sub(r.max_len + SHAPE_MARGIN),
            });
        }
        let mut value_at = vec![usize::MAX; lo.len()];
        let mut whole_at = vec![usize::MAX; lo.len()];
        let mut keyword_at = vec![usize::MAX; lo.len()];
        let from = lo.iter().copied().min().unwrap_or(len);
        table.values.first_after(bytes, from, &lo, &mut value_at);
        table.wholes.first_after(bytes, from, &lo, &mut whole_at);
        if let Some(dfa) = &self.keywords {
            let region = bytes.get(from..).unwrap_or_default();
            for (start, _, pattern) in dfa.hits(region) {
                let at = from + start;
                for &rule in table.keyword_rules.get(pattern).into_iter().flatten() {
                    if let (Some(&l), Some(slot)) = (lo.get(rule), keyword_at.get_mut(rule))
                        && at >= l
                        && at < *slot
                    {
                        *slot = at;
                    }
                }
            }
        }
        let mut open = len;
        for (rule, r) in table.rules.iter().enumerate() {
            let l = lo.get(rule).copied().unwrap_or(0);
            // A literal found, or one cut off by the end.
            let literal = |longest: Option<usize>, found: &[usize]| {
                longest.map_or(l, |n| {
                    found
                        .get(rule)
                        .copied()
                        .unwrap_or(usize::MAX)
                        .min(len.saturating_sub(n.saturating_sub(1)))
                })
            };
            let mut bound = l.max(literal(r.value_longest, &value_at));
            if r.keyword_len.is_some() {
                if r.whole_longest.is_some() {
                    bound = bound.max(literal(r.whole_longest, &whole_at));
                }
                let keyword = literal(r.keyword_len, &keyword_at);
                if r.keyword_first {
                    bound = bound.max(keyword);
                } else if let Some(lead) = r.lead {
                    bound = bound.max(keyword.saturating_sub(lead));
                }
            }
            // A value still being written reaches the end (or the keyword
            // that completes its match does): it is the run of its bytes
            // there.
            if let Some(run) = r.value_run {
                let tail = run.after + r.any_keyword;
                bound = bound.max(run_start(bytes, len, tail, &run));
            }
            // Still far back: a value that is not a match yet starts in a
            // match running past the end, or is a match already.
            if bound.saturating_add(PROBE_FROM) < len
                && let Some(longest) = r.longest_match
                && let Some(rule_regex) = self.rules.get(rule).map(|c| &c.regex)
            {
                // A match holding a value after `bound` starts at most its
                // longest before it.
                let from = l.max(bound.saturating_sub(longest));
                let first = rule_regex
                    .find(Input::new(view).range(from..len))
                    .map_or(usize::MAX, |m| m.start());
                bound = bound.max(first.min(len.saturating_sub(longest)));
            }
            open = open.min(bound);
        }
        // A rule with a context window: any of its matches whose context
        // reaches the end, accepted or not.
        for (rule, r) in table.rules.iter().enumerate() {
            if r.context == 0 {
                continue;
            }
            for &(w_lo, w_hi) in windows.get(rule).into_iter().flatten() {
                if w_hi.saturating_add(r.context) < len {
                    continue;
                }
                self.values(rule, view, w_lo, w_hi, |s, e| {
                    if e.saturating_add(r.context) >= len {
                        open = open.min(s);
                    }
                });
            }
            if self.always_rules.contains(&rule) {
                self.values(rule, view, 0, len, |s, e| {
                    if e.saturating_add(r.context) >= len {
                        open = open.min(s);
                    }
                });
            }
        }
        // No candidate, winning or not, may cross the point.
        // Latest start first, in one pass: once the point moves back to a
        // candidate's start, the candidates not yet seen start earlier
        // still, and those already seen start at or after the point.
        let mut candidates = self.candidates_in(view, &windows, &encoded_hits, true, None);
        candidates.sort_unstable_by_key(|c| std::cmp::Reverse(c.byte_start));
        for c in &candidates {
            if c.byte_start < open && c.byte_end > open {
                open = c.byte_start;
            }
        }
        open
    }
}
