//! One scan of a text as the evaluator uses it: the scanner's findings with
//! the allowlist applied, extended to every repeat of a matched value, their
//! spans, and where text that records may show ends.

use super::Compiled;
use crate::dlp::Finding;
use crate::schema::TextSpan;
use crate::text::OffsetMap;
use std::borrow::Cow;
use std::collections::HashSet;

/// Findings plus everything derived from them once.
pub(super) struct Scanned {
    pub(super) findings: Vec<Finding>,
    /// Repeats of a matched value that overlap another finding (a password
    /// that is also the start of an email address): not findings of their
    /// own, but rewritten wherever the value they repeat is, so a weaker
    /// finding around them never carries the value out.
    pub(super) hidden_repeats: Vec<Finding>,
    pub(super) spans: Vec<TextSpan>,
    pub(super) truncated: bool,
    pub(super) scanned_bytes: usize,
    /// `scanned_bytes` in code points (a report's `scanned_length`), from
    /// the offset map the spans were converted with: a second map would
    /// walk a non-ASCII text again.
    pub(super) scanned_chars: usize,
    /// Where text shown in records (below `full`) and rewritten texts end:
    /// the scanned prefix, moved back before any finding that crosses it.
    /// The whole text when it was scanned whole.
    pub(super) cut: usize,
}

impl Scanned {
    /// Every finding, in text order.
    pub(super) fn findings(&self) -> &[Finding] {
        &self.findings
    }
}

impl Compiled {
    pub(super) fn scan(&self, text: &str) -> Scanned {
        let result = self.scanner.scan(text);
        let mut findings: Vec<Finding> = result
            .findings
            .into_iter()
            .filter(|f| !self.allowlisted(text.get(f.byte_start..f.byte_end).unwrap_or_default()))
            .collect();
        let hidden_repeats = extend_to_repeats(text, &mut findings);
        // Spans only for the matches that are listed: past
        // `limits.max_matches` a finding is counted and rewritten, never
        // shown, and a text with a million findings must not hold a million
        // spans.
        let ranges: Vec<(usize, usize)> = findings
            .iter()
            .take(self.config.max_matches)
            .map(|f| (f.byte_start, f.byte_end))
            .collect();
        let map = OffsetMap::new(text);
        let spans = map.spans(&ranges);
        let mut cut = if result.truncated {
            result.scanned_bytes
        } else {
            text.len()
        };
        if let Some(f) = findings
            .iter()
            .find(|f| f.byte_start < cut && f.byte_end > cut)
        {
            cut = f.byte_start;
        }
        Scanned {
            findings,
            hidden_repeats,
            spans,
            truncated: result.truncated,
            scanned_bytes: result.scanned_bytes,
            scanned_chars: map.byte_to_char(result.scanned_bytes),
            cut,
        }
    }

    /// Findings in a short string (a context field) as `(start, end, rule)`,
    /// the allowlist applied; with `secrets_only`, of the secrets rules only.
    pub(super) fn scanner_findings(
        &self,
        s: &str,
        secrets_only: bool,
    ) -> Vec<(usize, usize, usize)> {
        if s.is_empty() {
            return Vec::new();
        }
        let result = if secrets_only {
            self.scanner.scan_rules(s, &self.secret_rules)
        } else {
            self.scanner.scan(s)
        };
        result
            .findings
            .into_iter()
            .filter(|f| !self.allowlisted(s.get(f.byte_start..f.byte_end).unwrap_or_default()))
            .map(|f| (f.byte_start, f.byte_end, f.rule))
            .collect()
    }

    fn allowlisted(&self, value: &str) -> bool {
        // Most policies list nothing: no value is listed, however written.
        if self.allow_values.is_empty() && self.allow_patterns.is_empty() {
            return false;
        }
        let listed = |v: &str| {
            self.allow_values.contains(v) || self.allow_patterns.iter().any(|re| re.is_match(v))
        };
        // A value written with invisible or look-alike characters is the
        // value the allowlist names.
        listed(value) || matches!(crate::dlp::normalize(value), Cow::Owned(n) if listed(&n))
    }
}

/// A value found once is a finding wherever it appears: the same SSN later
/// in the text without its context word, or past the scan limit, must not
/// reach a summary unredacted. Adds a finding of the same rule for every
/// other occurrence that does not overlap an existing one. `findings` is
/// sorted by start and non-overlapping, and stays so. Returns the
/// occurrences that overlap another finding: rewritten too, never listed.
fn extend_to_repeats(text: &str, findings: &mut Vec<Finding>) -> Vec<Finding> {
    if findings.is_empty() {
        return Vec::new();
    }
    let mut values: Vec<&str> = Vec::new();
    let mut templates: Vec<Finding> = Vec::new();
    let mut seen = HashSet::new();
    for f in findings.iter() {
        if let Some(v) = text.get(f.byte_start..f.byte_end)
            && seen.insert(v)
        {
            values.push(v);
            templates.push(*f);
        }
    }
    // Occurrences of every value as (start, end, value index), leftmost and
    // longest first, not overlapping each other.
    // Every occurrence of every value, overlapping ones included (a
    // password is also the start of an email address found as a whole).
    let mut occurrences: Vec<(usize, usize, usize)> = Vec::new();
    if values.len().saturating_mul(text.len()) <= 1 << 22 {
        // Substring searches over a few megabytes in all beat building an
        // automaton per call, which costs tens of microseconds.
        for (i, v) in values.iter().enumerate() {
            occurrences.extend(occurrences_of(text, v).map(|at| (at, at + v.len(), i)));
        }
    } else if let Ok(ac) = aho_corasick::AhoCorasick::builder()
        // Built per call: the NFA builds in microseconds, a DFA would not.
        .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
        .build(&values)
    {
        occurrences.extend(
            ac.find_overlapping_iter(text)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize())),
        );
    }
    occurrences.sort_unstable_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    let mut extra: Vec<Finding> = Vec::new();
    let mut hidden: Vec<Finding> = Vec::new();
    let mut extra_end = 0;
    for (at, end, value) in occurrences {
        let Some(t) = templates.get(value) else {
            continue;
        };
        let repeat = Finding {
            byte_start: at,
            byte_end: end,
            ..*t
        };
        let next = findings.partition_point(|g| g.byte_start < end);
        match next.checked_sub(1).and_then(|p| findings.get(p)) {
            Some(g) if g.byte_start == at && g.byte_end == end => {}
            Some(g) if g.byte_end > at => hidden.push(repeat),
            // Leftmost-longest among the new findings, which must not
            // overlap each other either.
            _ if at < extra_end => hidden.push(repeat),
            _ => {
                extra_end = end;
                extra.push(repeat);
            }
        }
    }
    if !extra.is_empty() {
        findings.extend(extra);
        findings.sort_by_key(|f| f.byte_start);
    }
    hidden
}

/// Where `value` occurs in `text`: the leftmost occurrences that do not
/// overlap each other, exactly what `str::match_indices` finds, by memchr's
/// vectorised substring search (the standard library's two-way search, one
/// pass per found value, was a tenth of the CLI's time on real text).
fn occurrences_of<'t>(text: &'t str, value: &'t str) -> impl Iterator<Item = usize> + 't {
    // A non-empty value starts with a character's first byte, so it is only
    // found at character boundaries; the filter matters for an empty one
    // (never a found value), which memmem finds between every two bytes.
    memchr::memmem::find_iter(text.as_bytes(), value.as_bytes())
        .filter(|&at| text.is_char_boundary(at))
}

#[cfg(test)]
mod tests {
    use super::occurrences_of;
    use proptest::prelude::*;

    /// Texts and values over a few characters of every UTF-8 width, so
    /// values repeat, overlap themselves and sit next to multi-byte
    /// characters.
    fn small_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![Just("a"), Just("b"), Just("é"), Just("€"), Just("👋")],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn occurrences_are_those_of_match_indices(text in small_text(), value in small_text()) {
            let expected: Vec<usize> = text.match_indices(value.as_str()).map(|(at, _)| at).collect();
            prop_assert_eq!(occurrences_of(&text, &value).collect::<Vec<_>>(), expected);
        }

        #[test]
        fn occurrences_of_a_slice_of_the_text_are_those_of_match_indices(
            text in small_text(), a in 0usize..200, len in 0usize..12,
        ) {
            // A value taken from the text itself, as found values are.
            let start = (0..=a.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            let end = (start..=(start + len).min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(start);
            let value = text.get(start..end).unwrap_or_default();
            let expected: Vec<usize> = text.match_indices(value).map(|(at, _)| at).collect();
            prop_assert_eq!(occurrences_of(&text, value).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn a_self_overlapping_value_is_found_as_match_indices_finds_it() {
        assert_eq!(
            occurrences_of("aaaaa", "aa").collect::<Vec<_>>(),
            vec![0, 2]
        );
        assert_eq!(occurrences_of("aé", "").collect::<Vec<_>>(), vec![0, 1, 3]);
    }
}
