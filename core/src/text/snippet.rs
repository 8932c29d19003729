//! Snippets: a bounded window of context around one match, with every value
//! in the window replaced the same way the redacted text replaces it.
//!
//! The window is built in pieces: gaps of original text, which may be cut (on
//! a grapheme boundary where possible), and replaced regions, which are
//! atomic, so an edge never cuts through a value or its replacement.

use super::offsets::OffsetMap;
use super::plan::Plan;
use super::redact::{Target, label_replacement};
use super::summary::truncate;
use crate::schema::Snippet;
use std::borrow::Cow;
use unicode_segmentation::GraphemeCursor;

/// A window of at most `max_chars` code points around `targets[index]`.
///
/// Every target in the window (the match and its neighbours) shows its
/// replacement from `replacements` (one per target, as returned by
/// [`Redactor::redact`](super::Redactor::redact), so placeholders agree with
/// the redacted text); a missing entry shows `[REDACTED:<rule_id>]`. With
/// `replacements` `None` (the `full` logging level) the window shows the
/// original text. `map` must be the [`OffsetMap`] of `text`. Targets are
/// planned as [`Redactor::redact`](super::Redactor::redact) plans them: one
/// overlapping an earlier target is shown as that target's replacement.
///
/// The window is centred on the match and grows on the other side when one
/// side reaches the end of the text or a neighbour that does not fit whole.
/// When the match's replacement alone has `max_chars` or more code points,
/// the snippet is that replacement truncated to `max_chars`, and `offset` and
/// `end` are the value's own bounds.
///
/// `offset` and `end` are code-point offsets in `text`; `match_start` and
/// `match_end` are code-point offsets in the snippet's own text. When `index`
/// is out of range or its target's range is not valid in `text`, the result
/// is the empty snippet (empty text, every offset 0).
///
/// Each call plans all targets; for many snippets of one text use
/// [`snippets`].
pub fn snippet(
    text: &str,
    map: &OffsetMap<'_>,
    targets: &[Target<'_>],
    index: usize,
    replacements: Option<&[String]>,
    max_chars: usize,
) -> Snippet {
    Window::new(text, map, targets, replacements).snippet(index, max_chars)
}

/// The [`snippet`] of every target, in order, planning the text once.
pub fn snippets(
    text: &str,
    map: &OffsetMap<'_>,
    targets: &[Target<'_>],
    replacements: Option<&[String]>,
    max_chars: usize,
) -> Vec<Snippet> {
    first_snippets(text, map, targets, replacements, max_chars, targets.len())
}

/// The [`snippet`] of the first `count` targets, planning the text (all of
/// `targets`, so later neighbours in a window are replaced too) once.
pub fn first_snippets(
    text: &str,
    map: &OffsetMap<'_>,
    targets: &[Target<'_>],
    replacements: Option<&[String]>,
    max_chars: usize,
    count: usize,
) -> Vec<Snippet> {
    let window = Window::new(text, map, targets, replacements);
    (0..targets.len().min(count))
        .map(|i| window.snippet(i, max_chars))
        .collect()
}

fn empty() -> Snippet {
    Snippet {
        text: String::new(),
        offset: 0,
        end: 0,
        match_start: 0,
        match_end: 0,
    }
}

/// How far a window reaches on one side of the match.
#[derive(Debug, Clone, Copy)]
struct Reach {
    /// The window's edge, a byte offset in the text.
    edge: usize,
    /// The outermost region included (the match's own when none other is).
    region: usize,
    /// Code points used on this side.
    used: usize,
}

struct Window<'a> {
    text: &'a str,
    map: &'a OffsetMap<'a>,
    targets: &'a [Target<'a>],
    replacements: Option<&'a [String]>,
    plan: Plan,
}

impl<'a> Window<'a> {
    fn new(
        text: &'a str,
        map: &'a OffsetMap<'a>,
        targets: &'a [Target<'a>],
        replacements: Option<&'a [String]>,
    ) -> Self {
        Self {
            text,
            map,
            targets,
            replacements,
            plan: Plan::new(text, targets),
        }
    }

    fn snippet(&self, index: usize, max_chars: usize) -> Snippet {
        let Some(focus) = self.plan.region_of.get(index).copied().flatten() else {
            return empty();
        };
        let (start, end) = self.bounds(focus);
        let shown = self.shown(focus);
        let shown_len = shown.chars().count();
        if shown_len >= max_chars {
            let (cut, _) = truncate(&shown, max_chars);
            return Snippet {
                match_end: cut.chars().count(),
                text: cut.to_owned(),
                offset: self.map.byte_to_char(start),
                end: self.map.byte_to_char(end),
                match_start: 0,
            };
        }
        let budget = max_chars - shown_len;
        let mut left = self.reach_left(focus, budget / 2);
        let right = self.reach_right(focus, budget - left.used);
        if left.used + right.used < budget {
            left = self.reach_left(focus, budget - right.used);
        }
        self.assemble(focus, left, right)
    }

    /// Byte range of a region.
    fn bounds(&self, region: usize) -> (usize, usize) {
        self.plan
            .regions
            .get(region)
            .map_or((0, 0), |r| (r.byte_start, r.byte_end))
    }

    /// What a region shows in the snippet.
    fn shown(&self, region: usize) -> Cow<'a, str> {
        let Some(r) = self.plan.regions.get(region) else {
            return Cow::Borrowed("");
        };
        match self.replacements {
            None => Cow::Borrowed(self.text.get(r.byte_start..r.byte_end).unwrap_or_default()),
            Some(reps) => match reps.get(r.target) {
                Some(rep) => Cow::Borrowed(rep),
                None => {
                    let rule_id = self.targets.get(r.target).map_or("", |t| t.rule_id);
                    Cow::Owned(label_replacement(rule_id))
                }
            },
        }
    }

    fn reach_left(&self, focus: usize, budget: usize) -> Reach {
        let mut reach = Reach {
            edge: self.bounds(focus).0,
            region: focus,
            used: 0,
        };
        loop {
            let gap_start = match reach.region.checked_sub(1) {
                Some(prev) => self.bounds(prev).1,
                None => 0,
            };
            let gap = self.text.get(gap_start..reach.edge).unwrap_or_default();
            for (i, _) in gap.char_indices().rev() {
                if reach.used == budget {
                    return self.snap_left(reach, gap_start);
                }
                reach.used += 1;
                reach.edge = gap_start + i;
            }
            let Some(prev) = reach.region.checked_sub(1) else {
                return reach;
            };
            let len = self.shown(prev).chars().count();
            if reach.used + len > budget {
                return reach;
            }
            reach.used += len;
            reach.region = prev;
            reach.edge = self.bounds(prev).0;
        }
    }

    fn reach_right(&self, focus: usize, budget: usize) -> Reach {
        let mut reach = Reach {
            edge: self.bounds(focus).1,
            region: focus,
            used: 0,
        };
        loop {
            let next = reach.region + 1;
            let gap_end = if next < self.plan.regions.len() {
                self.bounds(next).0
            } else {
                self.text.len()
            };
            let gap_start = reach.edge;
            let gap = self.text.get(gap_start..gap_end).unwrap_or_default();
            for (i, c) in gap.char_indices() {
                if reach.used == budget {
                    return self.snap_right(reach, gap_start);
                }
                reach.used += 1;
                reach.edge = gap_start + i + c.len_utf8();
            }
            if next >= self.plan.regions.len() {
                return reach;
            }
            let len = self.shown(next).chars().count();
            if reach.used + len > budget {
                return reach;
            }
            reach.used += len;
            reach.region = next;
            reach.edge = self.bounds(next).1;
        }
    }

    /// Moves a left edge inside a gap forward to a grapheme boundary, so the
    /// window does not open with a stray accent or half an emoji sequence.
    fn snap_left(&self, mut reach: Reach, gap_start: usize) -> Reach {
        let limit = self.bounds(reach.region).0;
        if reach.edge == gap_start || reach.edge == limit {
            return reach;
        }
        let mut cursor = GraphemeCursor::new(reach.edge, self.text.len(), true);
        let snapped = match cursor.is_boundary(self.text, 0) {
            Ok(false) => match cursor.next_boundary(self.text, 0) {
                Ok(Some(b)) => b.min(limit),
                _ => limit,
            },
            _ => reach.edge,
        };
        reach.used -= self.chars_between(reach.edge, snapped);
        reach.edge = snapped;
        reach
    }

    /// Moves a right edge inside a gap back to a grapheme boundary.
    fn snap_right(&self, mut reach: Reach, gap_start: usize) -> Reach {
        if reach.edge == gap_start {
            return reach;
        }
        let mut cursor = GraphemeCursor::new(reach.edge, self.text.len(), true);
        let snapped = match cursor.is_boundary(self.text, 0) {
            Ok(false) => match cursor.prev_boundary(self.text, 0) {
                Ok(Some(b)) => b.max(gap_start),
                _ => gap_start,
            },
            _ => reach.edge,
        };
        reach.used -= self.chars_between(snapped, reach.edge);
        reach.edge = snapped;
        reach
    }

    fn chars_between(&self, from: usize, to: usize) -> usize {
        self.text.get(from..to).map_or(0, |s| s.chars().count())
    }

    fn assemble(&self, focus: usize, left: Reach, right: Reach) -> Snippet {
        let mut out = String::new();
        let mut chars = 0;
        let (mut match_start, mut match_end) = (0, 0);
        let mut cursor = left.edge;
        for region in left.region..=right.region {
            let (start, end) = self.bounds(region);
            append(
                &mut out,
                &mut chars,
                self.text.get(cursor..start).unwrap_or_default(),
            );
            if region == focus {
                match_start = chars;
            }
            append(&mut out, &mut chars, &self.shown(region));
            if region == focus {
                match_end = chars;
            }
            cursor = end;
        }
        let tail = self.text.get(cursor..right.edge).unwrap_or_default();
        append(&mut out, &mut chars, tail);
        Snippet {
            text: out,
            offset: self.map.byte_to_char(left.edge),
            end: self.map.byte_to_char(right.edge),
            match_start,
            match_end,
        }
    }
}

fn append(out: &mut String, chars: &mut usize, piece: &str) {
    out.push_str(piece);
    *chars += piece.chars().count();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{RedactionStyle, Redactor};

    fn targets_of<'a>(text: &str, values: &[&str]) -> Vec<Target<'a>> {
        let mut from = 0;
        values
            .iter()
            .map(|v| {
                let start = from + text[from..].find(v).unwrap();
                from = start + v.len();
                Target {
                    byte_start: start,
                    byte_end: from,
                    rule_id: "r",
                    label: "V",
                }
            })
            .collect()
    }

    fn labelled(text: &str, values: &[&str], index: usize, max: usize) -> Snippet {
        let targets = targets_of(text, values);
        let reps = Redactor::new(RedactionStyle::Label, b"")
            .redact(text, &targets)
            .replacements;
        snippet(
            text,
            &OffsetMap::new(text),
            &targets,
            index,
            Some(&reps),
            max,
        )
    }

    #[test]
    fn window_is_centred_on_the_replacement() {
        let text = "0123456789 key=SECRET end 0123456789";
        let s = labelled(text, &["SECRET"], 0, 24);
        // 12 chars of replacement, 6 of context on each side.
        assert_eq!(s.text, "9 key=[REDACTED:r] end 0");
        assert_eq!((s.offset, s.end), (9, 27));
        assert_eq!(&s.text[s.match_start..s.match_end], "[REDACTED:r]");
        assert_eq!(s.text.chars().count(), 24);
    }

    #[test]
    fn short_side_gives_its_budget_to_the_other() {
        let s = labelled("SECRET then a long tail of text", &["SECRET"], 0, 20);
        assert_eq!(s.text, "[REDACTED:r] then a ");
        assert_eq!((s.offset, s.match_start), (0, 0));
    }

    #[test]
    fn neighbours_are_included_whole_or_not_at_all() {
        let text = "aa ONE bb TWO cc THREE dd";
        let values = ["ONE", "TWO", "THREE"];
        let s = labelled(text, &values, 1, 30);
        assert_eq!(s.text, " bb [REDACTED:r] cc ");
        let s = labelled(text, &values, 1, 60);
        assert_eq!(s.text, "aa [REDACTED:r] bb [REDACTED:r] cc [REDACTED:r] dd");
        assert_eq!((s.match_start, s.match_end), (19, 31));
    }

    #[test]
    fn oversized_replacement_is_truncated() {
        let s = labelled("x SECRET y", &["SECRET"], 0, 5);
        assert_eq!(s.text, "[REDA");
        assert_eq!((s.offset, s.end, s.match_start, s.match_end), (2, 8, 0, 5));
    }

    #[test]
    fn raw_window_shows_the_original() {
        let text = "héllo 😀 SECRET wörld";
        let targets = targets_of(text, &["SECRET"]);
        let s = snippet(text, &OffsetMap::new(text), &targets, 0, None, 12);
        assert_eq!(s.text, " 😀 SECRET wö");
        assert_eq!((s.offset, s.end), (5, 17));
        let chars: String = text.chars().skip(s.offset).take(s.end - s.offset).collect();
        assert_eq!(chars, s.text);
    }

    #[test]
    fn edges_keep_grapheme_clusters_whole() {
        let family = "👩\u{200D}👩\u{200D}👧";
        let text = format!("{family}SECRET{family}");
        // A budget of 2 + 2 would take part of each five-char family.
        let s = labelled(&text, &["SECRET"], 0, 16);
        assert_eq!(s.text, "[REDACTED:r]");
        // 3 + 3: the left family does not fit, so the right side takes all 6.
        let s = labelled(&text, &["SECRET"], 0, 18);
        assert_eq!(s.text, format!("[REDACTED:r]{family}"));
        let s = labelled(&text, &["SECRET"], 0, 22);
        assert_eq!(s.text, format!("{family}[REDACTED:r]{family}"));
    }

    #[test]
    fn bad_index_or_target_gives_the_empty_snippet() {
        let text = "é SECRET";
        let mut targets = targets_of(text, &["SECRET"]);
        let map = OffsetMap::new(text);
        assert_eq!(snippet(text, &map, &targets, 3, None, 10), empty());
        targets[0].byte_start = 1; // inside "é"
        assert_eq!(snippet(text, &map, &targets, 0, None, 10), empty());
    }

    #[test]
    fn missing_replacement_falls_back_to_a_label() {
        let text = "a SECRET b";
        let targets = targets_of(text, &["SECRET"]);
        let s = snippet(text, &OffsetMap::new(text), &targets, 0, Some(&[]), 40);
        assert_eq!(s.text, "a [REDACTED:r] b");
    }
}
