//! The normalised view the scanner reads: what a person sees, not what the
//! bytes spell.
//!
//! A zero-width space inside an AWS key, a card typed with full-width digits
//! by a CJK input method, or grouped with no-break spaces, reads the same to
//! a human and to the model receiving the prompt, but not to a regex. So the
//! scanner reads a view of the text in which
//!
//! - invisible characters (Unicode's default-ignorable code points: zero-width
//!   space and joiners, soft hyphen, word joiner, BOM, bidi controls,
//!   variation selectors, tags) are removed;
//! - Unicode spaces (no-break, thin, ideographic, …) are an ASCII space and
//!   line/paragraph separators a newline;
//! - compatibility forms that stand for ASCII are folded to it: full-width
//!   ASCII, the mathematical alphanumerics, super- and subscript digits,
//!   circled digits and letters, and decimal digits of every script;
//! - dashes and minus signs are `-`, curly quotes are straight.
//!
//! Every byte of the view maps back to the original text ([`ViewMap`]), so a
//! finding in the view is reported, and redacted, at exact offsets in the
//! original — invisible characters inside the value included.
//!
//! Text without any such character (all ASCII text, most other text) is
//! scanned as it is, with no copy.

use std::borrow::Cow;

/// What one non-ASCII character becomes in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    /// Kept as it is.
    Keep,
    /// Removed.
    Strip,
    /// Replaced by one ASCII character.
    Ascii(u8),
    /// Replaced by a short ASCII string (a ligature, a circled number).
    Text(&'static str),
}

/// Code point ranges (inclusive) of Unicode's `Default_Ignorable_Code_Point`
/// property, from `DerivedCoreProperties.txt` (Unicode 15.1), with the
/// unassigned ones kept: a later Unicode version may assign them, and
/// removing an unassigned code point from the scanned view costs nothing.
const IGNORABLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// The zero of every run of ten decimal digits (general category `Nd`) in
/// `UnicodeData.txt` outside ASCII: each run is the digits 0–9 in order.
const DIGIT_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950,
    0x1FBF0,
];

/// The digits `0`–`20` as text, for circled and parenthesised numbers.
const NUMBERS: [&str; 21] = [
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20",
];

/// Latin ligatures U+FB00–U+FB06 as their letters.
const LIGATURES: [&str; 7] = ["ff", "fi", "fl", "ffi", "ffl", "st", "st"];

fn in_ranges(cp: u32, ranges: &[(u32, u32)]) -> bool {
    let i = ranges.partition_point(|&(_, hi)| hi < cp);
    ranges.get(i).is_some_and(|&(lo, _)| lo <= cp)
}

fn ascii(b: u32) -> Fold {
    // Every caller passes a value below 0x80.
    Fold::Ascii(u8::try_from(b).unwrap_or(b'?'))
}

/// How `c` (not ASCII) appears in the view.
fn fold(c: char) -> Fold {
    let cp = u32::from(c);
    if in_ranges(cp, IGNORABLE) {
        return Fold::Strip;
    }
    match cp {
        // Unicode spaces: no-break, Ogham, en/em/thin/hair…, narrow no-break,
        // medium mathematical, ideographic.
        0x00A0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => return Fold::Ascii(b' '),
        // Next line, line separator, paragraph separator.
        0x0085 | 0x2028 | 0x2029 => return Fold::Ascii(b'\n'),
        // Hyphens, figure/en/em dashes, horizontal bar, minus sign, small and
        // full-width hyphen-minus.
        0x2010..=0x2015 | 0x2212 | 0xFE58 | 0xFE63 => return Fold::Ascii(b'-'),
        0x2018 | 0x2019 | 0x201A | 0x201B | 0x2032 => return Fold::Ascii(b'\''),
        0x201C | 0x201D | 0x201E | 0x201F | 0x2033 => return Fold::Ascii(b'"'),
        // Full-width ASCII.
        0xFF01..=0xFF5E => return ascii(cp - 0xFEE0),
        // Superscript and subscript digits.
        0x00B9 => return Fold::Ascii(b'1'),
        0x00B2 => return Fold::Ascii(b'2'),
        0x00B3 => return Fold::Ascii(b'3'),
        0x2070 => return Fold::Ascii(b'0'),
        0x2074..=0x2079 => return ascii(cp - 0x2070 + u32::from(b'0')),
        0x2080..=0x2089 => return ascii(cp - 0x2080 + u32::from(b'0')),
        // Circled 1–20, parenthesised 1–20, 1.–20. (full stop forms).
        0x2460..=0x2473 => return number(cp - 0x2460 + 1),
        0x2474..=0x2487 => return number(cp - 0x2474 + 1),
        0x2488..=0x249B => return number(cp - 0x2488 + 1),
        // Circled capital and small letters, circled zero.
        0x24B6..=0x24CF => return ascii(cp - 0x24B6 + u32::from(b'A')),
        0x24D0..=0x24E9 => return ascii(cp - 0x24D0 + u32::from(b'a')),
        0x24EA => return Fold::Ascii(b'0'),
        0xFB00..=0xFB06 => {
            return LIGATURES
                .get((cp - 0xFB00) as usize)
                .map_or(Fold::Keep, |s| Fold::Text(s));
        }
        // Mathematical alphanumeric letters: thirteen alphabets of 52 (A–Z,
        // a–z) from U+1D400; the reserved holes never occur in text.
        0x1D400..=0x1D6A3 => {
            let k = (cp - 0x1D400) % 52;
            return ascii(if k < 26 {
                u32::from(b'A') + k
            } else {
                u32::from(b'a') + k - 26
            });
        }
        _ => {}
    }
    let zero = DIGIT_ZEROS.partition_point(|&z| z <= cp);
    if let Some(&z) = zero.checked_sub(1).and_then(|i| DIGIT_ZEROS.get(i))
        && cp - z < 10
    {
        return ascii(u32::from(b'0') + cp - z);
    }
    Fold::Keep
}

fn number(n: u32) -> Fold {
    NUMBERS
        .get(n as usize)
        .map_or(Fold::Keep, |s| Fold::Text(s))
}

/// One stretch of the view and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    /// First byte in the view.
    view: usize,
    /// First byte in the original.
    orig: usize,
    /// True when the stretch is copied byte for byte; otherwise it is the
    /// replacement of one original character (possibly empty).
    copied: bool,
}

/// Maps byte offsets of the view back to the original text.
#[derive(Debug, Clone, Default)]
pub(crate) struct ViewMap {
    /// Pieces in order; empty when the view is the original.
    pieces: Vec<Piece>,
    view_len: usize,
    orig_len: usize,
}

impl ViewMap {
    /// The original offset of a view offset used as a start: a character
    /// replaced in the view starts where the original character starts, and
    /// invisible characters just before it are not included.
    pub(crate) fn start(&self, v: usize) -> usize {
        if self.pieces.is_empty() {
            return v;
        }
        if v >= self.view_len {
            return self.orig_len;
        }
        // The piece holding byte `v`: the last starting at or before it that
        // is not empty (an empty piece starts where the next one does).
        let i = self.pieces.partition_point(|p| p.view <= v);
        let Some(p) = i.checked_sub(1).and_then(|i| self.pieces.get(i)) else {
            return v;
        };
        if p.copied {
            p.orig + (v - p.view)
        } else {
            p.orig
        }
    }

    /// The original offset of a view offset used as an end: a character
    /// replaced in the view ends where the original character ends, and
    /// invisible characters just after it are not included.
    pub(crate) fn end(&self, v: usize) -> usize {
        if self.pieces.is_empty() {
            return v;
        }
        if v == 0 {
            return 0;
        }
        // The piece holding byte `v - 1`.
        let i = self.pieces.partition_point(|p| p.view < v);
        let Some((k, p)) = i
            .checked_sub(1)
            .and_then(|k| self.pieces.get(k).map(|p| (k, p)))
        else {
            return v;
        };
        if p.copied {
            p.orig + (v - p.view)
        } else {
            // A replacement ends where the next piece's original begins.
            self.pieces.get(k + 1).map_or(self.orig_len, |n| n.orig)
        }
    }
}

/// The view of `text` the scanner reads, and the map back. Borrowed, with an
/// empty map, when nothing needs folding.
pub(crate) fn view(text: &str) -> (Cow<'_, str>, ViewMap) {
    if text.is_ascii() {
        return (Cow::Borrowed(text), ViewMap::default());
    }
    let Some(first) = text
        .char_indices()
        .find(|&(_, c)| !c.is_ascii() && fold(c) != Fold::Keep)
        .map(|(i, _)| i)
    else {
        return (Cow::Borrowed(text), ViewMap::default());
    };
    let mut out = String::with_capacity(text.len());
    let mut pieces = Vec::new();
    let mut copy_from = 0;
    let flush = |out: &mut String, pieces: &mut Vec<Piece>, from: usize, to: usize| {
        if from < to {
            pieces.push(Piece {
                view: out.len(),
                orig: from,
                copied: true,
            });
            out.push_str(text.get(from..to).unwrap_or_default());
        }
    };
    for (i, c) in text.get(first..).unwrap_or_default().char_indices() {
        let at = first + i;
        if c.is_ascii() {
            continue;
        }
        let f = fold(c);
        if f == Fold::Keep {
            continue;
        }
        flush(&mut out, &mut pieces, copy_from, at);
        pieces.push(Piece {
            view: out.len(),
            orig: at,
            copied: false,
        });
        match f {
            Fold::Ascii(b) => out.push(char::from(b)),
            Fold::Text(s) => out.push_str(s),
            Fold::Strip | Fold::Keep => {}
        }
        copy_from = at + c.len_utf8();
    }
    flush(&mut out, &mut pieces, copy_from, text.len());
    let map = ViewMap {
        pieces,
        view_len: out.len(),
        orig_len: text.len(),
    };
    (Cow::Owned(out), map)
}

/// `value` as the scanner sees it (for allowlists and fingerprints, so a
/// value hidden with invisible characters is the same value).
pub fn normalize(value: &str) -> Cow<'_, str> {
    view(value).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(text: &str, needle: &str) -> (usize, usize) {
        let (v, map) = view(text);
        let at = v.find(needle).unwrap();
        (map.start(at), map.end(at + needle.len()))
    }

    #[test]
    fn ascii_and_plain_unicode_are_borrowed() {
        assert!(matches!(view("plain text").0, Cow::Borrowed(_)));
        assert!(matches!(view("héllo wörld 😀").0, Cow::Borrowed(_)));
    }

    #[test]
    fn invisible_characters_are_removed_and_spans_cover_them() {
        let text = "key AKIA\u{200B}IOSF\u{00AD}ODNN7EXAMPLE\u{FEFF} end";
        let (v, _) = view(text);
        assert_eq!(v, "key AKIAIOSFODNN7EXAMPLE end");
        let (s, e) = roundtrip(text, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(&text[s..e], "AKIA\u{200B}IOSF\u{00AD}ODNN7EXAMPLE");
    }

    #[test]
    fn full_width_and_other_digits_fold_to_ascii() {
        let text = "card ４１１１ １１１１\u{00A0}١١١١\u{2009}𝟏𝟏𝟏𝟏.";
        let (v, _) = view(text);
        assert_eq!(v, "card 4111 1111 1111 1111.");
        let (s, e) = roundtrip(text, "4111 1111 1111 1111");
        assert_eq!(&text[s..e], "４１１１ １１１１\u{00A0}١١١١\u{2009}𝟏𝟏𝟏𝟏");
    }

    #[test]
    fn letters_ligatures_and_dashes_fold() {
        let (v, _) = view("Ｐａｓｓ＝𝐬𝐞𝐜𝐫𝐞𝐭 ﬁle 555–123—4567 “q” ①⑳");
        assert_eq!(v, "Pass=secret file 555-123-4567 \"q\" 120");
    }

    #[test]
    fn a_match_inside_a_multi_letter_fold_maps_to_the_whole_character() {
        let text = "x\u{FB01}y";
        let (v, map) = view(text);
        assert_eq!(v, "xfiy");
        // "iy" starts inside the ligature: the span starts at the ligature.
        assert_eq!(map.start(2), 1);
        assert_eq!(map.end(2), 4);
        assert_eq!(map.end(4), text.len());
    }

    proptest::proptest! {
        /// Any view range maps to char boundaries of the original, in order.
        #[test]
        fn mapped_offsets_are_boundaries(
            text in "([a-z0-9 ]|\u{200B}|\u{00AD}|４|１|\u{3000}|é|😀|\u{FB03}|①){0,40}",
        ) {
            let (v, map) = view(&text);
            for a in 0..=v.len() {
                if !v.is_char_boundary(a) {
                    continue;
                }
                let s = map.start(a);
                let e = map.end(a);
                proptest::prop_assert!(text.is_char_boundary(s), "{s}");
                proptest::prop_assert!(text.is_char_boundary(e), "{e}");
                for b in a..=v.len() {
                    if v.is_char_boundary(b) {
                        proptest::prop_assert!(map.start(a) <= map.end(b).max(s));
                    }
                }
            }
        }
    }
}
