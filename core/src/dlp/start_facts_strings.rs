//! The strings a part of a rule's pattern matches, listed when there are
//! few enough, for the start facts (`start_facts.rs`): a part whose every
//! string holds a keyword surely holds one, and a case-insensitive
//! `bearer` is six parts, so runs of parts are listed together too. A
//! custom pattern can match millions of strings, so a part's strings are
//! counted before they are listed, and a run is listed only when one of
//! its strings holds a keyword.

use super::{Words, each_holds_keyword};
use regex_syntax::hir::{Class, Hir, HirKind};

/// The most strings [`lower_strings`] lists.
const MAX_STRINGS: usize = 1024;

/// The strings `hir` matches, ASCII-lowercased, when there are few enough
/// to list (a case-insensitive word is one string, not one per casing).
pub(super) fn lower_strings(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    // Counting first costs no allocation; listing a part that turns out
    // too wide allocated every string up to the limit, and the questions
    // `start_facts.rs` asks come back to the same parts many times.
    if count_bound(hir) > MAX_STRINGS {
        return None;
    }
    list_strings(hir)
}

/// At least as many as the strings [`list_strings`] would list for `hir`
/// (their count before any duplicates across parts are dropped), capped
/// just past [`MAX_STRINGS`]; past it when the listing would give up.
pub(super) fn count_bound(hir: &Hir) -> usize {
    const TOO_MANY: usize = MAX_STRINGS + 1;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) | HirKind::Literal(_) => 1,
        HirKind::Class(Class::Bytes(c)) => {
            let mut seen = [0u64; 4];
            let mut wide = 0usize;
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    let b = b.to_ascii_lowercase();
                    if let Some(w) = seen.get_mut(usize::from(b >> 6)) {
                        *w |= 1u64 << (b & 63);
                    }
                }
                wide = wide.saturating_add(usize::from(r.end() - r.start()) + 1);
            }
            if wide > 2 * MAX_STRINGS {
                return TOO_MANY;
            }
            seen.iter().map(|w| w.count_ones() as usize).sum()
        }
        HirKind::Class(Class::Unicode(c)) => {
            let mut seen = 0u128;
            let mut wide = 0usize;
            let mut beyond_ascii = 0usize;
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                wide = wide.saturating_add((hi - lo) as usize + 1);
                if wide > 2 * MAX_STRINGS {
                    return TOO_MANY;
                }
                for b in lo..=hi.min(0x7f) {
                    let b = u8::try_from(b).map_or(0, |b| b.to_ascii_lowercase());
                    seen |= 1u128 << b;
                }
                if hi >= 0x80 {
                    beyond_ascii += (hi - lo.max(0x80)) as usize + 1;
                }
            }
            seen.count_ones() as usize + beyond_ascii
        }
        HirKind::Capture(c) => count_bound(&c.sub),
        HirKind::Alternation(branches) => branches
            .iter()
            .try_fold(0usize, |n, b| {
                let n = n + count_bound(b);
                (n <= MAX_STRINGS).then_some(n)
            })
            .unwrap_or(TOO_MANY),
        HirKind::Concat(parts) => parts_count_bound(parts),
        HirKind::Repetition(r) => {
            let Some(max) = r.max else { return TOO_MANY };
            if max - r.min > 8 || max > 64 {
                return TOO_MANY;
            }
            let one = count_bound(&r.sub);
            let mut all = 0usize;
            let mut k = 1usize;
            // As the listing goes: each count of occurrences up to `max`
            // times one more occurrence must stay within the limit too.
            for n in 0..=max {
                if n >= r.min {
                    all = all.saturating_add(k);
                }
                k = k.saturating_mul(one);
                if all > MAX_STRINGS || k > MAX_STRINGS {
                    return TOO_MANY;
                }
            }
            all
        }
    }
}

/// [`count_bound`] of the concatenation of `parts`.
fn parts_count_bound(parts: &[Hir]) -> usize {
    parts.iter().fold(1usize, |n, p| {
        n.saturating_mul(count_bound(p)).min(MAX_STRINGS + 1)
    })
}

/// [`lower_strings`] without the count first.
pub(super) fn list_strings(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![Vec::new()],
        HirKind::Literal(l) => vec![l.0.to_ascii_lowercase()],
        HirKind::Class(class) => {
            let mut members: Vec<Vec<u8>> = Vec::new();
            match class {
                Class::Bytes(c) => {
                    for r in c.ranges() {
                        for b in r.start()..=r.end() {
                            members.push(vec![b.to_ascii_lowercase()]);
                            if members.len() > 2 * MAX_STRINGS {
                                return None;
                            }
                        }
                    }
                }
                Class::Unicode(c) => {
                    for r in c.ranges() {
                        for ch in r.start()..=r.end() {
                            let mut buf = [0u8; 4];
                            members.push(ch.encode_utf8(&mut buf).as_bytes().to_ascii_lowercase());
                            if members.len() > 2 * MAX_STRINGS {
                                return None;
                            }
                        }
                    }
                }
            }
            members
        }
        HirKind::Capture(c) => return list_strings(&c.sub),
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for b in branches {
                all.extend(list_strings(b)?);
                if all.len() > MAX_STRINGS {
                    return None;
                }
            }
            all
        }
        HirKind::Concat(parts) => {
            let mut all = vec![Vec::new()];
            for p in parts {
                all = product(&all, &list_strings(p)?)?;
            }
            all
        }
        HirKind::Repetition(r) => {
            let max = r.max?;
            // `A{22}` is one string; `[ab]{0,22}` is too many.
            if max - r.min > 8 || max > 64 {
                return None;
            }
            let one = list_strings(&r.sub)?;
            let mut all = Vec::new();
            let mut k = vec![Vec::new()];
            for n in 0..=max {
                if n >= r.min {
                    all.extend(k.iter().cloned());
                }
                k = product(&k, &one)?;
                if all.len() > MAX_STRINGS {
                    return None;
                }
            }
            all
        }
    };
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_STRINGS).then_some(out)
}

/// Whether each string of a run of listed parts holds a keyword. The run
/// is listed only when one of its strings, the parts' first strings put
/// together, does.
pub(super) fn run_holds(lists: &[Option<Vec<Vec<u8>>>], keywords: &Words) -> bool {
    let mut run = Run::new();
    lists.iter().all(|l| run.push(l.as_deref())) && run.holds(lists, keywords)
}

/// A run of listed parts grown one part at a time, for [`run_holds`] and
/// for asking about every run from one part on, where growing the run
/// costs one part's work instead of the whole run's.
pub(super) struct Run {
    /// How many strings the run has; `None` once a part could not be
    /// listed or there are too many strings to list, as for any longer run.
    count: Option<usize>,
    /// One of the run's strings: its parts' first strings put together.
    witness: Vec<u8>,
}

impl Run {
    /// The run of no parts: one string, the empty one.
    pub(super) fn new() -> Self {
        Run {
            count: Some(1),
            witness: Vec::new(),
        }
    }

    /// Adds a part, given its strings (`None` when they could not be
    /// listed). False once the run can no longer be listed.
    pub(super) fn push(&mut self, strings: Option<&[Vec<u8>]>) -> bool {
        self.count = self
            .count
            .zip(strings)
            .map(|(n, l)| n.saturating_mul(l.len()))
            .filter(|&n| n <= MAX_STRINGS);
        if let (Some(_), Some(first)) = (self.count, strings.and_then(<[_]>::first)) {
            self.witness.extend_from_slice(first);
        }
        self.count.is_some()
    }

    /// Whether each string of the run, whose parts' strings are `lists`,
    /// holds a keyword. The run is listed only when one of its strings, the
    /// witness, does.
    pub(super) fn holds(&self, lists: &[Option<Vec<Vec<u8>>>], keywords: &Words) -> bool {
        match self.count {
            None => false,
            // A part that matches nothing: so does the run.
            Some(0) => true,
            Some(_) => {
                keywords.in_string(&self.witness)
                    && run_strings(lists)
                        .is_some_and(|strings| each_holds_keyword(&strings, keywords))
            }
        }
    }
}

/// The strings of a run of listed parts, each part's strings followed by
/// the next's.
pub(super) fn run_strings(lists: &[Option<Vec<Vec<u8>>>]) -> Option<Vec<Vec<u8>>> {
    let mut all = vec![Vec::new()];
    for l in lists {
        all = product(&all, l.as_ref()?)?;
    }
    Some(all)
}

/// Every `a` followed by every `b`, if not too many.
fn product(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len().saturating_mul(b.len()) > MAX_STRINGS {
        return None;
    }
    Some(
        a.iter()
            .flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat()))
            .collect(),
    )
}
