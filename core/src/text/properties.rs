//! Properties across the text module: whatever the text and the style, no
//! matched value survives into redacted text, summaries or snippets, and raw
//! snippets are exact slices of the original.

use super::testing::text_with_secrets;
use super::{OffsetMap, RedactionStyle, Redactor, Target, snippet, snippets, summarize};
use proptest::prelude::*;

proptest! {
    #[test]
    fn no_value_leaks_into_summaries_or_snippets(
        (text, ranges) in text_with_secrets(),
        style in prop::sample::select(vec![
            RedactionStyle::Mask,
            RedactionStyle::Label,
            RedactionStyle::Placeholder,
            RedactionStyle::Hash,
            RedactionStyle::Partial,
        ]),
        max in 0usize..40,
    ) {
        let targets: Vec<Target> = ranges
            .iter()
            .map(|&(byte_start, byte_end)| Target { byte_start, byte_end, rule_id: "secret.x", label: "S" })
            .collect();
        let values: Vec<&str> = ranges.iter().map(|&(s, e)| &text[s..e]).collect();
        let redacted = Redactor::new(style, b"k").redact(&text, &targets);
        let map = OffsetMap::new(&text);
        let summary = summarize(&redacted.text, map.char_len());
        let all = snippets(&text, &map, &targets, Some(&redacted.replacements), max);
        let mut outputs = vec![redacted.text.clone(), summary.text];
        for (i, s) in all.iter().enumerate() {
            prop_assert_eq!(s, &snippet(&text, &map, &targets, i, Some(&redacted.replacements), max));
            prop_assert!(s.text.chars().count() <= max);
            prop_assert!(redacted.text.contains(&s.text));
            let shown: String = s.text.chars().skip(s.match_start).take(s.match_end - s.match_start).collect();
            prop_assert!(redacted.replacements[i].starts_with(&shown));
            outputs.push(s.text.clone());
        }
        for out in &outputs {
            prop_assert!(!out.contains("SECRET"), "{out}");
            for value in &values {
                prop_assert!(!out.contains(value));
            }
        }
    }

    #[test]
    fn raw_snippets_are_exact_slices_of_the_original(
        (text, ranges) in text_with_secrets(),
        max in 0usize..40,
    ) {
        let targets: Vec<Target> = ranges
            .iter()
            .map(|&(byte_start, byte_end)| Target { byte_start, byte_end, rule_id: "r", label: "S" })
            .collect();
        let map = OffsetMap::new(&text);
        for (i, s) in snippets(&text, &map, &targets, None, max).iter().enumerate() {
            let span = map.span(ranges[i].0, ranges[i].1);
            let window: String = text.chars().skip(s.offset).take(s.end - s.offset).collect();
            if span.end - span.start >= max {
                prop_assert_eq!((s.offset, s.end), (span.start, span.end));
            } else {
                prop_assert_eq!(&window, &s.text);
                prop_assert_eq!(s.offset + s.match_start, span.start);
                prop_assert_eq!(s.offset + s.match_end, span.end);
            }
            prop_assert!(s.text.chars().count() <= max);
            for &(start, end) in &ranges {
                let other = map.span(start, end);
                let inside = other.start >= s.offset && other.end <= s.end;
                let outside = other.end <= s.offset || other.start >= s.end;
                prop_assert!(inside || outside);
            }
        }
    }

    #[test]
    fn malformed_targets_never_panic_nor_leak(
        (text, ranges) in text_with_secrets(),
        extra in prop::collection::vec((0usize..400, 0usize..400), 0..6),
        shuffle in any::<prop::sample::Index>(),
        style in prop::sample::select(vec![RedactionStyle::Label, RedactionStyle::Mask]),
        max in 0usize..40,
    ) {
        // Real values plus arbitrary ranges (overlapping, reversed, past the
        // end, inside characters), in a rotated order.
        let mut all: Vec<(usize, usize)> = ranges.iter().copied().chain(extra).collect();
        if !all.is_empty() {
            let k = shuffle.index(all.len());
            all.rotate_left(k);
        }
        let targets: Vec<Target> = all
            .iter()
            .map(|&(byte_start, byte_end)| Target { byte_start, byte_end, rule_id: "r", label: "S" })
            .collect();
        let redacted = Redactor::new(style, b"").redact(&text, &targets);
        prop_assert_eq!(redacted.replacements.len(), targets.len());
        prop_assert!(!redacted.text.contains("SECRET"));
        let map = OffsetMap::new(&text);
        for &(a, b) in &all {
            let span = map.span(a, b);
            prop_assert!(span.start <= span.end && span.end <= map.char_len());
        }
        for i in 0..=targets.len() {
            let s = snippet(&text, &map, &targets, i, Some(&redacted.replacements), max);
            prop_assert!(s.text.chars().count() <= max);
            prop_assert!(!s.text.contains("SECRET"));
        }
    }
}
