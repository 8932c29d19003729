//! The region gate: one automaton that tells, for a stretch of text, which
//! of a group of rules can match in it at all, so that the scanner runs a
//! rule's own regex only where it can.
//!
//! Number-shaped rules (cards, phones, SSNs, IBANs, IP and MAC addresses,
//! Bitcoin addresses) are triggered by runs of digits, and real text has a
//! run of digits every few dozen bytes: dates, versions, line numbers. Each
//! trigger opens a window for every such rule, and each window pays a
//! regex's fixed setup, so these rules cost most of the scan while almost
//! never matching. Their windows are merged into regions, and one search of
//! all their patterns together (`MatchKind::All`, reporting every pattern
//! that matches anywhere) per region says which rules have any match there;
//! the windows of the others are dropped. (One such search over the whole
//! text instead costs more than it saves: the combined automaton is several
//! times slower per byte than the keyword pass, and most text lies outside
//! any region.)
//!
//! Dropping is exact: a rule's window lies inside one region, and a match
//! its own search finds in the window is a match of its pattern inside the
//! region (a search sees the text around its span for `\b` and `$`, so the
//! two searches agree at the edges), which the combined search reports.

use super::compiled::{CompiledRule, parse};
use regex_automata::meta::{self, Regex};
use regex_automata::{Input, MatchKind, PatternSet};

/// The combined automaton may be larger than one rule's: it holds every
/// member's pattern.
const GATE_NFA_BYTES: usize = 32 << 20;

/// Room for the lazy DFA's states: several patterns searched together in
/// overlapping mode make more states than one, and a cache that keeps
/// filling up would make the engine fall back to a slow one.
const GATE_CACHE_BYTES: usize = 8 << 20;

/// A group of rules searched together, one pattern each.
#[derive(Debug)]
pub(super) struct RuleGate {
    regex: Regex,
    /// Rule index of each pattern.
    members: Vec<usize>,
    /// Pattern of each rule, `None` for rules outside the group.
    pattern_of: Vec<Option<usize>>,
}

impl RuleGate {
    /// The gate over `rules` for which `member` is true; `None` when there
    /// are none, or when their patterns together are too large to build (the
    /// scanner then runs every window, as without a gate).
    pub(super) fn new(
        rules: &[CompiledRule],
        member: impl Fn(&CompiledRule) -> bool,
    ) -> Option<Self> {
        let mut members = Vec::new();
        let mut hirs = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            if member(rule) {
                hirs.push(parse(&rule.spec.pattern, rule.dialect).ok()?);
                members.push(i);
            }
        }
        if members.is_empty() {
            return None;
        }
        let regex = Regex::builder()
            .configure(
                meta::Config::new()
                    .match_kind(MatchKind::All)
                    .nfa_size_limit(Some(GATE_NFA_BYTES))
                    .hybrid_cache_capacity(GATE_CACHE_BYTES)
                    // Conservative: an empty match anywhere only means the
                    // rule's own search runs.
                    .utf8_empty(false),
            )
            .build_many_from_hir(&hirs)
            .ok()?;
        let mut pattern_of = vec![None; rules.len()];
        for (p, &rule) in members.iter().enumerate() {
            if let Some(slot) = pattern_of.get_mut(rule) {
                *slot = Some(p);
            }
        }
        Some(RuleGate {
            regex,
            members,
            pattern_of,
        })
    }

    /// Drops the windows (`(start, end)` per rule) of member rules whose
    /// pattern matches nowhere in the region around them: a maximal stretch
    /// of text covered by member windows.
    pub(super) fn prune(&self, hay: &str, windows: &mut [Vec<(usize, usize)>]) {
        let mut spans: Vec<(usize, usize)> = self
            .members
            .iter()
            .filter_map(|&r| windows.get(r))
            .flatten()
            .copied()
            .collect();
        if spans.is_empty() {
            return;
        }
        spans.sort_unstable();
        let mut regions: Vec<(usize, usize)> = Vec::new();
        for (lo, hi) in spans {
            match regions.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => regions.push((lo, hi)),
            }
        }
        let patterns = self.regex.pattern_len();
        let mut set = PatternSet::new(patterns);
        // `found[region * patterns + pattern]`.
        let mut found = vec![false; regions.len() * patterns];
        for (i, &(lo, hi)) in regions.iter().enumerate() {
            set.clear();
            self.regex
                .which_overlapping_matches(&Input::new(hay).range(lo..hi), &mut set);
            for pid in set.iter() {
                if let Some(slot) = found.get_mut(i * patterns + pid.as_usize()) {
                    *slot = true;
                }
            }
        }
        for (rule, list) in windows.iter_mut().enumerate() {
            let Some(Some(pattern)) = self.pattern_of.get(rule) else {
                continue;
            };
            list.retain(|&(lo, _)| {
                let region = regions.partition_point(|r| r.1 <= lo);
                found
                    .get(region * patterns + pattern)
                    .copied()
                    .unwrap_or(true)
            });
        }
    }
}
