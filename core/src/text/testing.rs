//! Strategies shared by the text module's property tests.

use proptest::prelude::*;

/// Pieces of text that stress offsets and grapheme clusters: ASCII (with
/// CRLF), precomposed and combining accents, CJK, Hebrew and Arabic with an
/// RTL mark, emoji with skin tones, a ZWJ family, a flag, a variation
/// selector and a non-BMP symbol.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "a", "Z", " ", "7", "-", "\n", "\r\n", "é", "e\u{301}", "ñ", "中", "文", "字", "ש", "ל", "ו",
    "م", "\u{200F}", "😀", "👋🏽", "👩\u{200D}👩\u{200D}👧", "🇫🇷", "\u{FE0F}", "𝄞", "ß", "Ω",
];

/// Texts of up to 80 pieces from [`PIECES`].
pub(crate) fn mixed_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|v| v.concat())
}

/// A text of mixed filler and distinctive values `SECRET<6 digits>`, with
/// the byte range of every value.
pub(crate) fn text_with_secrets() -> impl Strategy<Value = (String, Vec<(usize, usize)>)> {
    prop::collection::vec((mixed_text(), 0u32..4), 0..6).prop_flat_map(|parts| {
        mixed_text().prop_map(move |tail| {
            let mut text = String::new();
            let mut ranges = Vec::new();
            for (filler, n) in &parts {
                text.push_str(filler);
                let start = text.len();
                text.push_str(&format!("SECRET{:06}", 100_000 + n * 12_345));
                ranges.push((start, text.len()));
            }
            text.push_str(&tail);
            (text, ranges)
        })
    })
}
