//! Bounding content: truncation that never splits a character and avoids
//! splitting a grapheme cluster, and the 256-character summaries of events.

use crate::schema::Summary;
use unicode_segmentation::UnicodeSegmentation;

/// The most code points a summary or snippet carries.
pub const SUMMARY_MAX_CHARS: usize = 256;

/// Cuts `text` to at most `max_chars` code points and says whether it cut.
///
/// The cut falls on the last grapheme-cluster boundary that fits, so an emoji
/// sequence or a letter with its accents stays whole; only when the first
/// cluster alone is longer than `max_chars` does it cut between characters.
/// Text of at most `max_chars` bytes is returned without looking at it.
pub fn truncate(text: &str, max_chars: usize) -> (&str, bool) {
    if text.len() <= max_chars {
        return (text, false);
    }
    let Some((cut, _)) = text.char_indices().nth(max_chars) else {
        return (text, false);
    };
    let bytes = text.as_bytes();
    // Between two ASCII characters the only non-boundary is CR LF (UAX #29
    // GB3); checking through the character after the cut covers both sides.
    if bytes.get(..=cut).is_some_and(<[u8]>::is_ascii) {
        let keep = if cut > 1 && bytes.get(cut - 1..=cut) == Some(b"\r\n") {
            cut - 1
        } else {
            cut
        };
        return (text.get(..keep).unwrap_or_default(), true);
    }
    let mut keep = 0;
    for (start, cluster) in text.grapheme_indices(true) {
        let end = start + cluster.len();
        if end > cut {
            break;
        }
        keep = end;
    }
    if keep == 0 {
        keep = cut;
    }
    (text.get(..keep).unwrap_or_default(), true)
}

/// The [`Summary`] of an already-redacted text: at most
/// [`SUMMARY_MAX_CHARS`] code points of it, whether it was cut, and
/// `original_length`, the length in code points of the original text (which
/// the caller knows and the redacted text no longer tells).
pub fn summarize(redacted: &str, original_length: usize) -> Summary {
    let (text, truncated) = truncate(redacted, SUMMARY_MAX_CHARS);
    Summary {
        text: text.to_owned(),
        truncated,
        original_length,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::testing::mixed_text;
    use proptest::prelude::*;

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(truncate("hello", 5), ("hello", false));
        assert_eq!(truncate("héllo", 5), ("héllo", false));
        assert_eq!(truncate("", 0), ("", false));
    }

    #[test]
    fn ascii_cut_keeps_crlf_together() {
        assert_eq!(truncate("abcdef", 3), ("abc", true));
        assert_eq!(truncate("ab\r\ncd", 3), ("ab", true));
        assert_eq!(truncate("\r\nab", 1), ("\r", true));
    }

    #[test]
    fn cut_avoids_splitting_clusters() {
        let family = "👩\u{200D}👩\u{200D}👧";
        let text = format!("ab{family}cd");
        assert_eq!(truncate(&text, 4), ("ab", true));
        assert_eq!(truncate(&text, 7), (format!("ab{family}").as_str(), true));
        assert_eq!(truncate("ae\u{301}x", 2), ("a", true));
        // An ASCII letter before the cut can take a combining mark after it.
        assert_eq!(truncate("abe\u{301}", 3), ("ab", true));
    }

    #[test]
    fn oversized_first_cluster_is_cut_between_chars() {
        let zalgo = format!("a{}", "\u{301}".repeat(10));
        assert_eq!(
            truncate(&zalgo, 3),
            (format!("a{}", "\u{301}".repeat(2)).as_str(), true)
        );
        assert_eq!(truncate("😀", 0), ("", true));
    }

    #[test]
    fn summary_keeps_original_length() {
        let long = "x".repeat(300);
        let s = summarize(&long, 400);
        assert_eq!(
            (s.text.len(), s.truncated, s.original_length),
            (256, true, 400)
        );
        let s = summarize("[EMAIL_1] hi", 20);
        assert_eq!((s.text.as_str(), s.truncated), ("[EMAIL_1] hi", false));
    }

    proptest! {
        #[test]
        fn truncate_gives_a_bounded_prefix(text in mixed_text(), max in 0usize..60) {
            let (cut, truncated) = truncate(&text, max);
            let chars = text.chars().count();
            prop_assert!(cut.chars().count() <= max);
            prop_assert!(text.starts_with(cut));
            prop_assert_eq!(truncated, cut.len() < text.len());
            prop_assert_eq!(truncated, chars > max);
            // Either on a cluster boundary or inside an oversized first cluster.
            let first = text.graphemes(true).next().map_or(0, |g| g.chars().count());
            let on_boundary = text.grapheme_indices(true).any(|(i, _)| i == cut.len())
                || cut.len() == text.len();
            prop_assert!(on_boundary || first > max);
            if on_boundary && truncated {
                // No further whole cluster would still have fitted.
                let next = text[cut.len()..].graphemes(true).next().map_or(0, |g| g.chars().count());
                prop_assert!(cut.chars().count() + next > max);
            }
        }
    }
}
