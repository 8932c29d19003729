//! What a rule's pattern says about where its values can start, read once
//! when the rule is compiled, for the scanner's settled point
//! (`settle.rs`): the literals values and matches start with, whether a
//! keyword comes before the value and how far into a match, and the run of
//! bytes a value is.

use super::compiled::find_capture;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind};
use strings::{Run, lower_strings, run_holds};

/// What a rule's pattern says about where its values start, worked out
/// once when the rule is compiled.
#[derive(Debug, Clone, Default)]
pub(crate) struct StartFacts {
    /// The literals every value starts with, when there are few.
    pub(crate) value: Option<Vec<Vec<u8>>>,
    /// The literals every whole match starts with, when there are few (the
    /// same as `value` for a rule without a `value` group).
    pub(crate) whole: Option<Vec<Vec<u8>>>,
    /// Every match has one of the rule's keywords before its value.
    pub(crate) keyword_first: bool,
    /// A keyword is at most this far into every match (`keyword_lead`).
    pub(crate) lead: Option<usize>,
    /// The longest match, when the pattern bounds it.
    pub(crate) longest_match: Option<usize>,
    /// The bytes a value can hold, the longest a value can be and the
    /// longest the match can run past it, when the pattern bounds them
    /// (`run_bound`).
    pub(crate) value_run: Option<ValueRun>,
    /// Every match holds a keyword.
    pub(crate) keyword_inside: bool,
}

/// What a value still being written looks like: a run of `bytes`, at most
/// `longest` long, ending at most `after` bytes before its match ends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ValueRun {
    bytes: [u64; 4],
    pub(crate) longest: usize,
    pub(crate) after: usize,
}

impl ValueRun {
    pub(crate) fn holds(&self, b: u8) -> bool {
        self.bytes
            .get(usize::from(b >> 6))
            .is_some_and(|w| w & (1u64 << (b & 63)) != 0)
    }
}

/// Adds to `set` every byte a match of `hir` can hold.
fn add_bytes(hir: &Hir, set: &mut [u64; 4]) {
    let mut add = |b: u8| {
        if let Some(w) = set.get_mut(usize::from(b >> 6)) {
            *w |= 1u64 << (b & 63);
        }
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => l.0.iter().for_each(|&b| add(b)),
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                (r.start()..=r.end()).for_each(&mut add);
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                if lo <= 0x7f {
                    (lo..=hi.min(0x7f))
                        .filter_map(|b| u8::try_from(b).ok())
                        .for_each(&mut add);
                }
                if hi >= 0x80 {
                    (0x80..=0xffu8).for_each(&mut add);
                }
            }
        }
        HirKind::Capture(c) => add_bytes(&c.sub, set),
        HirKind::Repetition(r) => add_bytes(&r.sub, set),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().for_each(|h| add_bytes(h, set));
        }
    }
}

/// For a value that is group `name` of `hir` (or the whole match), the run
/// it must be. `None` when the pattern does not bound it: the group is not
/// a part of the pattern's top-level sequence, or what follows it is
/// unbounded.
fn value_run(hir: &Hir, name: Option<&str>) -> Option<ValueRun> {
    let (value, after) = match name {
        None => (hir, 0),
        Some(name) => {
            let HirKind::Concat(parts) = hir.kind() else {
                return None;
            };
            let at = parts.iter().position(
                |p| matches!(p.kind(), HirKind::Capture(c) if c.name.as_deref() == Some(name)),
            )?;
            let rest = Hir::concat(parts.get(at + 1..)?.to_vec());
            (parts.get(at)?, rest.properties().maximum_len()?)
        }
    };
    let mut bytes = [0u64; 4];
    add_bytes(value, &mut bytes);
    Some(ValueRun {
        bytes,
        longest: value.properties().maximum_len()?,
        after,
    })
}

/// The literals every match of `hir` starts with, or `None` when there is
/// no short list of them (a class too wide, an empty literal).
fn start_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let mut seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    seq.dedup();
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    Some(literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// A rule's keywords (ASCII lowercase), with a budget of steps for the
/// questions asked about its pattern: a custom pattern of nested
/// alternations could otherwise be written out in millions of ways. Out of
/// budget, the answer is the safe "not sure".
pub(crate) struct Words {
    list: Vec<Vec<u8>>,
    /// The non-empty keywords as one automaton: a listed part can hold a
    /// thousand strings, each searched for every keyword.
    finder: Option<aho_corasick::AhoCorasick>,
    budget: std::cell::Cell<usize>,
}

/// Steps [`Words`] allows per rule.
const BUDGET: usize = 20_000;

impl Words {
    fn new(keywords: &[String]) -> Self {
        let list: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .collect();
        let finder = aho_corasick::AhoCorasick::new(list.iter().filter(|k| !k.is_empty())).ok();
        Words {
            list,
            finder,
            budget: std::cell::Cell::new(BUDGET),
        }
    }

    /// Whether `s` (ASCII lowercase) holds one of the keywords.
    fn in_string(&self, s: &[u8]) -> bool {
        match &self.finder {
            Some(finder) => finder.is_match(s),
            None => self
                .list
                .iter()
                .any(|k| !k.is_empty() && s.windows(k.len()).any(|w| w == k.as_slice())),
        }
    }

    /// Takes one step; false when none are left.
    fn step(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }

    /// No keyword to look for: no string holds one.
    fn is_empty(&self) -> bool {
        self.list.iter().all(Vec::is_empty)
    }
}

/// Whether each of `strings` (ASCII lowercase) holds one of `keywords`
/// (ASCII lowercase).
fn each_holds_keyword(strings: &[Vec<u8>], keywords: &Words) -> bool {
    strings.iter().all(|s| keywords.in_string(s))
}

/// Whether every string `hir` matches contains one of `keywords`. Only
/// says yes when sure: a part whose strings can all be listed, each
/// holding a keyword (a case-insensitive `bearer` is six parts, so runs of
/// parts are listed together); a concatenation with such a part; an
/// alternation of such branches.
fn always_contains(hir: &Hir, keywords: &Words) -> bool {
    if !keywords.step() || keywords.is_empty() {
        return false;
    }
    listed_contains(hir, lower_strings(hir).as_deref(), keywords)
}

/// [`always_contains`] after its step, given the strings of `hir` when
/// they could be listed.
fn listed_contains(hir: &Hir, strings: Option<&[Vec<u8>]>, keywords: &Words) -> bool {
    if let Some(strings) = strings {
        return each_holds_keyword(strings, keywords);
    }
    match hir.kind() {
        HirKind::Capture(c) => always_contains(&c.sub, keywords),
        HirKind::Repetition(r) if r.min >= 1 => always_contains(&r.sub, keywords),
        HirKind::Concat(parts) => concat_contains(parts, keywords),
        HirKind::Alternation(branches) => branches.iter().all(|b| always_contains(b, keywords)),
        _ => false,
    }
}

/// [`always_contains`] for the concatenation of `parts`: one part, or a
/// run of parts whose strings can be listed, holds a keyword; or, written
/// out further ([`unfold`]), each way the sequence can go does.
fn concat_contains(parts: &[Hir], keywords: &Words) -> bool {
    concat_contains_within(parts, keywords, UNFOLD_DEPTH)
}

/// How many times [`concat_contains`] writes a sequence out further.
const UNFOLD_DEPTH: usize = 6;

fn concat_contains_within(parts: &[Hir], keywords: &Words, depth: usize) -> bool {
    if !keywords.step() || keywords.is_empty() {
        return false;
    }
    // Each part is listed once. A run of parts is listed only when one of
    // its strings, the parts' first strings put together, holds a keyword:
    // every string has to.
    let lists: Vec<Option<Vec<Vec<u8>>>> = parts.iter().map(lower_strings).collect();
    for (p, strings) in parts.iter().zip(&lists) {
        if keywords.step() && listed_contains(p, strings.as_deref(), keywords) {
            return true;
        }
    }
    for (i, first) in lists.iter().enumerate() {
        let mut run = Run::new();
        // A first part that cannot be listed stops the run at the next.
        run.push(first.as_deref());
        for (j, next) in lists.iter().enumerate().skip(i + 1) {
            if !keywords.step() {
                return false;
            }
            if !run.push(next.as_deref()) {
                break;
            }
            if lists
                .get(i..=j)
                .is_some_and(|parts| run.holds(parts, keywords))
            {
                return true;
            }
        }
    }
    depth > 0
        && unfold(parts).is_some_and(|ways| {
            ways.iter()
                .all(|way| concat_contains_within(way, keywords, depth - 1))
        })
}

/// The sequence `parts` written out one step further, as the sequences it
/// can be: nested sequences and groups flattened, a repetition that occurs
/// at least once as one occurrence and the rest (`xox[pe](-[0-9]+){3}`
/// starts `xoxp-` or `xoxe-`), and the first alternation split into its
/// branches (`sk-(?:proj|admin)-` after the parser factored out `sk-`).
/// `None` when nothing changes, or there would be too many.
fn unfold(parts: &[Hir]) -> Option<Vec<Vec<Hir>>> {
    let mut flat: Vec<Hir> = Vec::with_capacity(parts.len() + 2);
    let mut changed = false;
    for p in parts {
        match p.kind() {
            HirKind::Concat(sub) => {
                flat.extend(sub.iter().cloned());
                changed = true;
            }
            HirKind::Capture(c) => {
                flat.push((*c.sub).clone());
                changed = true;
            }
            HirKind::Repetition(r) if r.min >= 1 => {
                flat.push((*r.sub).clone());
                flat.push(Hir::repetition(regex_syntax::hir::Repetition {
                    min: r.min - 1,
                    max: r.max.map(|m| m.saturating_sub(1)),
                    greedy: r.greedy,
                    sub: r.sub.clone(),
                }));
                changed = true;
            }
            _ => flat.push(p.clone()),
        }
    }
    if changed {
        return Some(vec![flat]);
    }
    let at = flat
        .iter()
        .position(|p| matches!(p.kind(), HirKind::Alternation(_)))?;
    let HirKind::Alternation(branches) = flat.get(at)?.kind() else {
        return None;
    };
    if branches.len() > 16 {
        return None;
    }
    Some(
        branches
            .iter()
            .map(|b| {
                let mut way = flat.get(..at).unwrap_or_default().to_vec();
                way.push(b.clone());
                way.extend(flat.get(at + 1..).unwrap_or_default().iter().cloned());
                way
            })
            .collect(),
    )
}

/// Whether, wherever group `name` takes part in a match of `hir`, a part
/// matched before it holds a keyword.
fn keyword_before(hir: &Hir, name: &str, keywords: &Words) -> bool {
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some(name) => false,
        HirKind::Capture(c) => keyword_before(&c.sub, name, keywords),
        HirKind::Concat(parts) => {
            let Some(at) = parts.iter().position(|p| find_capture(p, name).is_some()) else {
                return false;
            };
            parts
                .get(..at)
                .is_some_and(|before| concat_contains(before, keywords))
                || parts
                    .get(at)
                    .is_some_and(|p| keyword_before(p, name, keywords))
        }
        // A branch without the group reports no value.
        HirKind::Alternation(branches) => branches
            .iter()
            .all(|b| find_capture(b, name).is_none() || keyword_before(b, name, keywords)),
        _ => false,
    }
}

/// How far into a match of `hir` a keyword can first be: the longest the
/// match can be up to the end of the first part (or run of parts) that
/// always holds a keyword. `None` when no part surely holds one or the
/// length is unbounded.
fn keyword_lead(hir: &Hir, keywords: &Words) -> Option<usize> {
    match hir.kind() {
        HirKind::Capture(c) => keyword_lead(&c.sub, keywords),
        HirKind::Alternation(branches) => branches
            .iter()
            .map(|b| keyword_lead(b, keywords))
            .try_fold(0, |most, lead| lead.map(|l| most.max(l))),
        HirKind::Concat(parts) => {
            let lists: Vec<Option<Vec<Vec<u8>>>> = parts.iter().map(lower_strings).collect();
            // The longest the parts before `j` can be.
            let mut before = Some(0usize);
            for (j, (part, strings)) in parts.iter().zip(&lists).enumerate() {
                if keywords.step()
                    && !keywords.is_empty()
                    && listed_contains(part, strings.as_deref(), keywords)
                {
                    let within = keyword_lead(part, keywords).or(part.properties().maximum_len());
                    return before?.checked_add(within?);
                }
                let upto = before.zip(part.properties().maximum_len());
                before = upto.and_then(|(b, w)| b.checked_add(w));
                let run_holds = (0..j).any(|i| {
                    keywords.step() && lists.get(i..=j).is_some_and(|run| run_holds(run, keywords))
                });
                if run_holds {
                    return before;
                }
            }
            None
        }
        _ => always_contains(hir, keywords)
            .then(|| hir.properties().maximum_len())
            .flatten(),
    }
}

impl StartFacts {
    /// The facts of a pattern (`hir`), its `value` group (`value`) and its
    /// keywords.
    pub(crate) fn of(hir: &Hir, value: Option<(&Hir, &str)>, keywords: &[String]) -> Self {
        let lower = Words::new(keywords);
        let whole = start_literals(hir);
        let lead = keyword_lead(hir, &lower);
        let longest_match = hir.properties().maximum_len();
        let keyword_inside = !lower.is_empty() && always_contains(hir, &lower);
        match value {
            None => StartFacts {
                value: whole.clone(),
                whole,
                keyword_first: false,
                lead,
                longest_match,
                value_run: value_run(hir, None),
                keyword_inside,
            },
            Some((group, name)) => StartFacts {
                value: start_literals(group),
                whole,
                keyword_first: keyword_before(hir, name, &lower),
                lead,
                longest_match,
                value_run: value_run(hir, Some(name)),
                keyword_inside,
            },
        }
    }
}

#[path = "start_facts_strings.rs"]
mod strings;

#[cfg(test)]
#[path = "start_facts_tests.rs"]
mod tests;
