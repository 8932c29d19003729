//! The scanner: every rule of a policy over one text in one pass.
//!
//! Prose is what most prompts are, and almost none of it is a secret, so the
//! scanner's job is mostly to prove quickly that nothing needs a regex. One
//! Aho-Corasick pass finds every rule keyword (`ghp_`, `-----begin`, `@`), a
//! byte pass finds runs of digits (cards, phones, SSNs), and a rule's regex
//! only runs in windows of `max_len` bytes around its own triggers. A rule
//! with neither keywords nor a digit trigger runs over the whole text.
//!
//! Rules read a normalised view of the text (see `normalize.rs`: invisible
//! characters removed, look-alike forms folded), and findings are mapped back
//! to the original. Base64 runs that encode a PEM block are decoded and
//! scanned too (`encoded.rs`).
//!
//! A long text is scanned in segments of a few megabytes, each with enough of
//! its neighbours around it for every rule's window and context, so memory
//! stays bounded whatever the scan limit.
//!
//! Overlapping findings of different rules are resolved deterministically:
//! the higher severity wins, then the longer match, then the earlier start,
//! then the rule declared first. The survivors are returned in text order.

use super::RuleSpec;
use super::compiled::{AllowlistRegexes, CompiledRule, Dialect};
use super::digit_run::Run;
use super::gate::RuleGate;
use super::shape::{self, TriggerShape};
use super::triggers::{KeywordDfa, digit_runs};
use super::{encoded, normalize};
use crate::schema::Severity;
use crate::{Error, Result};
use regex_automata::Input;
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// Default scan limit: 1 MiB of UTF-8. Longer texts are scanned up to the
/// limit and the result says so.
pub const DEFAULT_MAX_SCAN_BYTES: usize = 1024 * 1024;

/// Texts up to this long are scanned in one piece; longer ones in segments
/// of about this size.
const SEGMENT_BYTES: usize = 4 << 20;

/// A rule and the dialect its pattern is written in.
#[derive(Debug, Clone)]
pub struct ScannerRule {
    /// The rule.
    pub spec: RuleSpec,
    /// How its pattern is read.
    pub dialect: Dialect,
}

/// One finding: a rule matched `byte_start..byte_end` of the scanned text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    /// Index of the rule in [`Scanner::rules`].
    pub rule: usize,
    /// First byte of the value.
    pub byte_start: usize,
    /// One past the last byte of the value.
    pub byte_end: usize,
    /// 0.0–1.0.
    pub confidence: f32,
}

/// What a scan found, and how much of the text it looked at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanResult {
    /// Non-overlapping findings in text order.
    pub findings: Vec<Finding>,
    /// Bytes scanned: the whole text unless `truncated`.
    pub scanned_bytes: usize,
    /// True when the text was longer than the scan limit.
    pub truncated: bool,
}

/// A compiled set of rules. Immutable, `Send + Sync`, cheap to share.
#[derive(Debug)]
pub struct Scanner {
    rules: Vec<CompiledRule>,
    keywords: Option<KeywordDfa>,
    /// For each keyword pattern, the rules it triggers and their shapes.
    keyword_rules: Vec<Vec<(usize, Option<TriggerShape>)>>,
    /// The digit-triggered rules, grouped by `min_digits` and shape (a run
    /// is tested once per group), sorted by `min_digits`.
    digit_rules: Vec<DigitGroup>,
    /// Rules without triggers.
    always_rules: Vec<usize>,
    /// The digit-triggered rules (but IPv6 addresses), searched together per
    /// region to drop the windows where they cannot match.
    digit_gate: Option<RuleGate>,
    /// The literals values start with, for [`Scanner::unsettled_from`].
    starts: settle::Starts,
    /// Bytes of context a segment needs on either side: the longest match
    /// plus the widest context window of any rule, or an encoded run.
    reach: usize,
    max_scan_bytes: usize,
}

impl Scanner {
    /// Compiles `rules`. Fails on the first rule that does not compile,
    /// naming it; use [`Scanner::compile_all`] to collect every error.
    pub fn new(rules: Vec<ScannerRule>, max_scan_bytes: usize) -> Result<Self> {
        let (scanner, errors) = Self::compile_all(rules, max_scan_bytes);
        match errors.into_iter().next() {
            Some((_, e)) => Err(e),
            None => scanner,
        }
    }

    /// Compiles `rules`, returning every rule error with the rule's index.
    /// The scanner (without the failed rules) is returned alongside.
    pub fn compile_all(
        rules: Vec<ScannerRule>,
        max_scan_bytes: usize,
    ) -> (Result<Self>, Vec<(usize, Error)>) {
        let mut compiled = Vec::with_capacity(rules.len());
        let mut errors = Vec::new();
        let mut shared = AllowlistRegexes::default();
        for (i, r) in rules.into_iter().enumerate() {
            match CompiledRule::compile_sharing(r.spec, r.dialect, &mut shared) {
                Ok(c) => compiled.push(c),
                Err(e) => errors.push((i, e)),
            }
        }
        (Self::assemble(compiled, max_scan_bytes), errors)
    }

    fn assemble(rules: Vec<CompiledRule>, max_scan_bytes: usize) -> Result<Self> {
        let mut words: Vec<Vec<u8>> = Vec::new();
        let mut keyword_rules: Vec<Vec<(usize, Option<TriggerShape>)>> = Vec::new();
        let mut digit_rules: Vec<DigitGroup> = Vec::new();
        let mut always_rules = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let spec = &rule.spec;
            // A non-ASCII keyword cannot be matched ASCII-case-insensitively
            // the way a Unicode `(?i)` regex matches it, so it cannot promise
            // every match contains it: such a rule runs everywhere.
            let usable = !spec.keywords.is_empty()
                && spec.keywords.iter().all(|k| !k.is_empty() && k.is_ascii());
            if usable {
                for k in &spec.keywords {
                    let k = k.to_ascii_lowercase().into_bytes();
                    let trigger = (i, spec.trigger_shape);
                    match words.iter().position(|w| *w == k) {
                        Some(p) => keyword_rules[p].push(trigger),
                        None => {
                            words.push(k);
                            keyword_rules.push(vec![trigger]);
                        }
                    }
                }
            }
            if let Some(n) = spec.min_digits {
                let (min, shape) = (n.max(1), spec.trigger_shape);
                match digit_rules
                    .iter_mut()
                    .find(|g| g.min == min && g.shape == shape)
                {
                    Some(group) => group.rules.push(i),
                    None => digit_rules.push(DigitGroup {
                        min,
                        shape,
                        rules: vec![i],
                    }),
                }
            }
            if !usable && spec.min_digits.is_none() {
                always_rules.push(i);
            }
        }
        digit_rules.sort_by_key(|g| g.min);
        let keywords = if words.is_empty() {
            None
        } else {
            Some(KeywordDfa::new(&words)?)
        };
        let reach = rules
            .iter()
            .map(|r| {
                let window = r.spec.context.as_ref().map_or(0, |c| c.window);
                r.spec.max_len.saturating_add(window)
            })
            .chain([encoded::MAX_ENCODED_BYTES])
            .max()
            .unwrap_or(0);
        // An IPv6 trigger (a `::`, or a stretch of six colons) is all but a
        // match of the rule's broad pattern (two colons with word characters
        // between): the gate would keep nearly every such window, and its
        // wide windows would only make the regions the gate searches longer.
        let digit_gate = RuleGate::new(&rules, |r| {
            r.spec.min_digits.is_some() && r.spec.trigger_shape != Some(TriggerShape::Ipv6Address)
        });
        let starts = settle::Starts::new(&rules, &keyword_rules);
        Ok(Scanner {
            rules,
            keywords,
            keyword_rules,
            digit_rules,
            always_rules,
            digit_gate,
            starts,
            reach,
            max_scan_bytes,
        })
    }

    /// The rules, in the order findings refer to them.
    pub fn rules(&self) -> impl ExactSizeIterator<Item = &RuleSpec> {
        self.rules.iter().map(|r| &r.spec)
    }

    /// The rule at `index`.
    pub fn rule(&self, index: usize) -> Option<&RuleSpec> {
        self.rules.get(index).map(|r| &r.spec)
    }

    /// The furthest a match plus its context window reaches: text more
    /// than this far before the end of a growing text has its findings
    /// settled (a stream releases it). Encoded runs are not included: a
    /// stream holds those back by their own shape.
    pub fn match_reach(&self) -> usize {
        self.rules
            .iter()
            .map(|r| {
                let window = r.spec.context.as_ref().map_or(0, |c| c.window);
                r.spec.max_len.saturating_add(window)
            })
            .max()
            .unwrap_or(0)
    }

    /// The scan limit in bytes.
    pub fn max_scan_bytes(&self) -> usize {
        self.max_scan_bytes
    }

    /// Scans `text`: its first [`Scanner::max_scan_bytes`] bytes, in
    /// segments, each through the normalised view.
    pub fn scan(&self, text: &str) -> ScanResult {
        self.scan_with(text, None)
    }

    /// [`Scanner::scan`] with only the rules whose index is `true` in
    /// `enabled` (a rule past its end is off): a host that needs one kind of
    /// finding in a short string skips the others' regex work.
    pub fn scan_rules(&self, text: &str, enabled: &[bool]) -> ScanResult {
        self.scan_with(text, Some(enabled))
    }

    fn scan_with(&self, text: &str, only: Option<&[bool]>) -> ScanResult {
        let truncated = text.len() > self.max_scan_bytes;
        let limit = floor_boundary(text, self.max_scan_bytes);
        let hay = text.get(..limit).unwrap_or_default();
        let segment = SEGMENT_BYTES.max(self.reach.saturating_mul(4));
        let mut findings: Vec<Finding> = Vec::new();
        let mut own_lo = 0;
        loop {
            let own_hi = if hay.len() - own_lo <= segment + segment / 2 {
                hay.len()
            } else {
                ceil_boundary(hay, own_lo + segment)
            };
            let lo = floor_boundary(hay, own_lo.saturating_sub(self.reach));
            let hi = ceil_boundary(hay, own_hi.saturating_add(self.reach));
            let piece = hay.get(lo..hi).unwrap_or_default();
            let (view, map) = normalize::view(piece);
            let mut found: Vec<Finding> = self
                .candidates(&view, true, only)
                .into_iter()
                .filter_map(|f| {
                    let byte_start = lo + map.start(f.byte_start);
                    let byte_end = lo + map.end(f.byte_end);
                    (byte_start < byte_end && byte_start >= own_lo && byte_start < own_hi)
                        .then_some(Finding {
                            byte_start,
                            byte_end,
                            ..f
                        })
                })
                .collect();
            found = self.resolve(found);
            self.append(&mut findings, found);
            if own_hi >= hay.len() {
                break;
            }
            own_lo = own_hi;
        }
        ScanResult {
            findings,
            scanned_bytes: limit,
            truncated,
        }
    }

    /// Every candidate finding of every rule in `hay`, overlaps included;
    /// with `decode`, also those inside encoded runs.
    fn candidates(&self, hay: &str, decode: bool, only: Option<&[bool]>) -> Vec<Finding> {
        let (windows, encoded_hits) = self.windows(hay, only);
        self.candidates_in(hay, &windows, &encoded_hits, decode, only)
    }

    /// [`Scanner::candidates`] with the windows already found.
    fn candidates_in(
        &self,
        hay: &str,
        windows: &[Vec<(usize, usize)>],
        encoded_hits: &[(usize, usize)],
        decode: bool,
        only: Option<&[bool]>,
    ) -> Vec<Finding> {
        let mut candidates = Vec::new();
        for (rule, spans) in windows.iter().enumerate() {
            for &(start, end) in spans {
                self.run_rule(rule, hay, start, end, &mut candidates);
            }
        }
        for &rule in &self.always_rules {
            if enabled(only, rule) {
                self.run_rule(rule, hay, 0, hay.len(), &mut candidates);
            }
        }
        if decode {
            self.decoded_candidates(hay, encoded_hits, only, &mut candidates);
        }
        candidates
    }

    /// Findings inside base64 runs that encode a PEM block, at the encoded
    /// characters.
    fn decoded_candidates(
        &self,
        hay: &str,
        hits: &[(usize, usize)],
        only: Option<&[bool]>,
        out: &mut Vec<Finding>,
    ) {
        let mut covered = 0;
        let mut decodes = 0;
        for &(at, alignment) in hits {
            if at < covered || decodes >= encoded::MAX_DECODES {
                continue;
            }
            let Some(run) = encoded::decode_around(hay, at, alignment) else {
                continue;
            };
            decodes += 1;
            let inner = self.resolve(self.candidates(&run.text, false, only));
            for f in inner {
                if let Some((byte_start, byte_end)) = run.encoded_span(f.byte_start, f.byte_end) {
                    covered = covered.max(byte_end);
                    out.push(Finding {
                        byte_start,
                        byte_end,
                        ..f
                    });
                }
            }
        }
    }

    /// For each rule, the merged byte windows its regex must search; and the
    /// encoded-PEM triggers, as `(start, alignment)`.
    #[allow(clippy::type_complexity)]
    fn windows(
        &self,
        hay: &str,
        only: Option<&[bool]>,
    ) -> (Vec<Vec<(usize, usize)>>, Vec<(usize, usize)>) {
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.rules.len()];
        let len = hay.len();
        let hits = self
            .keywords
            .as_ref()
            .map(|dfa| dfa.hits(hay.as_bytes()))
            .unwrap_or_default();
        let mut push = |rule: usize, start: usize, end: usize| {
            if !enabled(only, rule) {
                return;
            }
            let Some(r) = self.rules.get(rule) else {
                return;
            };
            let lo = start.saturating_sub(r.spec.max_len);
            let hi = end.saturating_add(r.spec.max_len).min(len);
            let Some(list) = windows.get_mut(rule) else {
                return;
            };
            match list.last_mut() {
                Some(last) if last.0 <= lo && lo <= last.1 => last.1 = last.1.max(hi),
                _ => list.push((lo, hi)),
            }
        };
        let bytes = hay.as_bytes();
        for &(start, end, pattern) in &hits {
            if let Some(rules) = self.keyword_rules.get(pattern) {
                for &(rule, shape) in rules {
                    if shape.is_none_or(|shape| shape::near(bytes, start, end, shape)) {
                        push(rule, start, end);
                    }
                }
            }
        }
        if let Some(min_needed) = self.digit_rules.first().map(|g| g.min) {
            digit_runs(bytes, min_needed, |start, end, digits| {
                let run = Run::new(bytes, (start, end, digits));
                for group in &self.digit_rules {
                    if group.min > digits {
                        break;
                    }
                    if group.shape.is_none_or(|shape| run.fits(shape, group.min)) {
                        for &rule in &group.rules {
                            push(rule, start, end);
                        }
                    }
                }
            });
        }
        // Keyword hits come in order, and so do digit runs, but a rule with
        // both kinds of trigger gets two runs of windows: merge them.
        for list in &mut windows {
            if !list.is_sorted() {
                list.sort_unstable();
                let mut merged: Vec<(usize, usize)> = Vec::with_capacity(list.len());
                for &(lo, hi) in list.iter() {
                    match merged.last_mut() {
                        Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                        _ => merged.push((lo, hi)),
                    }
                }
                *list = merged;
            }
        }
        if let Some(gate) = &self.digit_gate {
            gate.prune(hay, &mut windows);
        }
        (windows, encoded::pem_triggers(hay))
    }

    fn run_rule(&self, index: usize, hay: &str, start: usize, end: usize, out: &mut Vec<Finding>) {
        let Some(rule) = self.rules.get(index) else {
            return;
        };
        self.values(index, hay, start, end, |s, e| {
            if let Some(confidence) = rule.accept(hay, s, e) {
                out.push(Finding {
                    rule: index,
                    byte_start: s,
                    byte_end: e,
                    confidence,
                });
            }
        });
    }

    /// Every value rule `index` matches in `hay[start..end]` (its `value`
    /// group, or the whole match), before its allowlist, validator and
    /// context are asked.
    fn values(
        &self,
        index: usize,
        hay: &str,
        start: usize,
        end: usize,
        mut found: impl FnMut(usize, usize),
    ) {
        let Some(rule) = self.rules.get(index) else {
            return;
        };
        let input = Input::new(hay).range(start..end);
        let mut consider = |s: usize, e: usize| {
            if s < e && hay.is_char_boundary(s) && hay.is_char_boundary(e) {
                found(s, e);
            }
        };
        match rule.value_group {
            Some(group) => {
                for caps in rule.regex.captures_iter(input) {
                    if let Some(span) = caps.get_group(group) {
                        consider(span.start, span.end);
                    }
                }
            }
            None => {
                for m in rule.regex.find_iter(input) {
                    consider(m.start(), m.end());
                }
            }
        }
    }

    /// The order in which overlapping findings win: higher severity, then
    /// the longer match, then the earlier start, then the rule declared
    /// first. Smaller wins.
    fn rank(&self, f: &Finding) -> Rank {
        let severity = self.rules.get(f.rule).map(|r| r.spec.severity);
        (
            Reverse(severity),
            Reverse(f.byte_end - f.byte_start),
            f.byte_start,
            f.rule,
        )
    }

    /// Drops findings that overlap a stronger one; returns the rest in text
    /// order.
    fn resolve(&self, mut candidates: Vec<Finding>) -> Vec<Finding> {
        if candidates.len() <= 1 {
            return candidates;
        }
        candidates.sort_by_cached_key(|f| self.rank(f));
        candidates.dedup_by(|a, b| a == b);
        // Accepted findings by start; they never overlap, so the neighbours
        // on either side of a start are the only ones that could clash.
        let mut accepted: BTreeMap<usize, Finding> = BTreeMap::new();
        for f in candidates {
            let clashes_prev = accepted
                .range(..=f.byte_start)
                .next_back()
                .is_some_and(|(_, a)| a.byte_end > f.byte_start);
            let clashes_next = accepted
                .range(f.byte_start..)
                .next()
                .is_some_and(|(_, a)| a.byte_start < f.byte_end);
            if !clashes_prev && !clashes_next {
                accepted.insert(f.byte_start, f);
            }
        }
        accepted.into_values().collect()
    }

    /// Appends one segment's findings to those before it. A finding that
    /// reaches across the border into the next segment's may overlap one of
    /// them: the stronger stays.
    fn append(&self, acc: &mut Vec<Finding>, next: Vec<Finding>) {
        if acc.is_empty() {
            *acc = next;
            return;
        }
        for f in next {
            let mut keep = true;
            while let Some(last) = acc.last() {
                if last.byte_end <= f.byte_start {
                    break;
                }
                if self.rank(&f) < self.rank(last) {
                    acc.pop();
                } else {
                    keep = false;
                    break;
                }
            }
            if keep {
                acc.push(f);
            }
        }
    }
}

/// Digit-triggered rules that share a minimum and a shape.
#[derive(Debug)]
struct DigitGroup {
    min: usize,
    shape: Option<TriggerShape>,
    rules: Vec<usize>,
}

/// Whether `rule` runs under a [`Scanner::scan_rules`] selection.
fn enabled(only: Option<&[bool]>, rule: usize) -> bool {
    only.is_none_or(|on| on.get(rule).copied().unwrap_or(false))
}

/// See [`Scanner::rank`].
type Rank = (Reverse<Option<Severity>>, Reverse<usize>, usize, usize);

/// The largest char boundary of `text` at or below `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `text` at or above `at`.
fn ceil_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[path = "settle.rs"]
mod settle;

#[cfg(test)]
#[path = "scanner_tests.rs"]
mod tests;
