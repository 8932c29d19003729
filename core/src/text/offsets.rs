//! Converting UTF-8 byte offsets into code points and UTF-16 code units.
//!
//! The scanner works in UTF-8 bytes; bindings need code points (Python `str`)
//! or UTF-16 code units (JavaScript, Swift `NSString`, Kotlin). An
//! [`OffsetMap`] is built once per text: ASCII text needs no table at all
//! (every unit is one byte), other text gets a checkpoint every 128
//! bytes, so one conversion scans at most a stride and a run of sorted
//! conversions walks the text once.

use crate::schema::TextSpan;

/// Bytes between checkpoints: small enough that a lookup scans a few cache
/// lines, large enough that the table stays under a fifth of the text's size.
const STRIDE: usize = 128;

/// A position in all three units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Pos {
    byte: usize,
    ch: usize,
    utf16: usize,
}

/// Converts UTF-8 byte offsets of one text into code points and UTF-16 units.
///
/// Byte offsets given to it should be char boundaries; an offset past the end
/// is clamped to the end and one inside a character is moved back to that
/// character's start, so a conversion never panics.
///
/// ```
/// use govstream::text::OffsetMap;
///
/// let text = "hi 👋 bob";
/// let map = OffsetMap::new(text);
/// let bob = text.find("bob").unwrap();
/// let span = map.span(bob, bob + 3);
/// assert_eq!((span.start, span.end), (5, 8)); // code points
/// assert_eq!((span.utf16_start, span.utf16_end), (6, 9)); // the emoji is 2 units
/// assert_eq!((span.byte_start, span.byte_end), (8, 11));
/// ```
#[derive(Debug, Clone)]
pub struct OffsetMap<'a> {
    text: &'a str,
    /// Empty for ASCII text; otherwise starts with the origin.
    marks: Vec<Pos>,
    end: Pos,
}

impl<'a> OffsetMap<'a> {
    /// Prepares conversions for `text`: one `is_ascii` check, plus one pass
    /// building checkpoints when the text is not ASCII.
    pub fn new(text: &'a str) -> Self {
        let len = text.len();
        if text.is_ascii() {
            return Self {
                text,
                marks: Vec::new(),
                end: Pos {
                    byte: len,
                    ch: len,
                    utf16: len,
                },
            };
        }
        let mut marks = Vec::with_capacity(len / STRIDE + 1);
        let mut here = Pos::default();
        let mut next_mark = 0;
        for (i, &b) in text.as_bytes().iter().enumerate() {
            if is_continuation(b) {
                continue;
            }
            if i >= next_mark {
                marks.push(Pos { byte: i, ..here });
                next_mark = i + STRIDE;
            }
            here.ch += 1;
            here.utf16 += utf16_units(b);
        }
        let end = Pos { byte: len, ..here };
        Self { text, marks, end }
    }

    /// The text this map converts offsets of.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// True when the text is ASCII, so all three units are equal.
    pub fn is_ascii(&self) -> bool {
        self.marks.is_empty()
    }

    /// The span of the bytes `byte_start..byte_end` in all three units. An end
    /// before the start is raised to the start.
    pub fn span(&self, byte_start: usize, byte_end: usize) -> TextSpan {
        let start = self.pos_of_byte(byte_start);
        let end = self.advance(start, byte_end.max(start.byte));
        to_span(start, end)
    }

    /// The spans of many byte ranges, in the order given. Ranges sorted by
    /// start are converted in one forward walk; any order is correct.
    pub fn spans(&self, ranges: &[(usize, usize)]) -> Vec<TextSpan> {
        let mut cursor = Pos::default();
        ranges
            .iter()
            .map(|&(byte_start, byte_end)| {
                let start = self.advance(cursor, byte_start);
                let end = self.advance(start, byte_end.max(start.byte));
                // Keep the cursor at the start: with sorted starts, the next
                // range begins at or after it even when ranges overlap.
                cursor = start;
                to_span(start, end)
            })
            .collect()
    }

    /// Length of the text in code points.
    pub fn char_len(&self) -> usize {
        self.end.ch
    }

    /// Length of the text in UTF-16 code units.
    pub fn utf16_len(&self) -> usize {
        self.end.utf16
    }

    /// The code-point offset of a byte offset (clamped like [`span`](Self::span)).
    pub fn byte_to_char(&self, byte: usize) -> usize {
        self.pos_of_byte(byte).ch
    }

    /// The UTF-16 offset of a byte offset (clamped like [`span`](Self::span)).
    pub fn byte_to_utf16(&self, byte: usize) -> usize {
        self.pos_of_byte(byte).utf16
    }

    /// The byte offset of a code-point offset; the text's length for
    /// [`char_len`](Self::char_len), `None` past the end.
    pub fn char_to_byte(&self, ch: usize) -> Option<usize> {
        if ch > self.end.ch {
            return None;
        }
        if self.is_ascii() {
            return Some(ch);
        }
        let mark = self.mark_before(|m| m.ch <= ch);
        let bytes = self.text.as_bytes();
        let mut byte = mark.byte;
        for _ in mark.ch..ch {
            byte += bytes.get(byte).map_or(1, |&b| utf8_width(b));
        }
        Some(byte.min(self.end.byte))
    }

    fn pos_of_byte(&self, byte: usize) -> Pos {
        self.advance(Pos::default(), byte)
    }

    /// The position of `byte`, scanning forward from `from` when that is the
    /// nearest known position, otherwise from the checkpoint before `byte`.
    fn advance(&self, from: Pos, byte: usize) -> Pos {
        let byte = self.floor_boundary(byte);
        if self.is_ascii() {
            return Pos {
                byte,
                ch: byte,
                utf16: byte,
            };
        }
        let mark = self.mark_before(|m| m.byte <= byte);
        let mut here = if from.byte <= byte && from.byte >= mark.byte {
            from
        } else {
            mark
        };
        let bytes = self
            .text
            .as_bytes()
            .get(here.byte..byte)
            .unwrap_or_default();
        for &b in bytes {
            if !is_continuation(b) {
                here.ch += 1;
                here.utf16 += utf16_units(b);
            }
        }
        here.byte = byte;
        here
    }

    /// The last checkpoint satisfying `before` (a prefix predicate). `marks[0]`
    /// is the origin, which satisfies every predicate used here.
    fn mark_before(&self, before: impl Fn(&Pos) -> bool) -> Pos {
        let after = self.marks.partition_point(before);
        self.marks
            .get(after.saturating_sub(1))
            .copied()
            .unwrap_or_default()
    }

    /// `byte` clamped to the text and moved back to a char boundary.
    fn floor_boundary(&self, byte: usize) -> usize {
        let mut byte = byte.min(self.text.len());
        while !self.text.is_char_boundary(byte) {
            byte -= 1;
        }
        byte
    }
}

fn to_span(start: Pos, end: Pos) -> TextSpan {
    TextSpan {
        start: start.ch,
        end: end.ch,
        byte_start: start.byte,
        byte_end: end.byte,
        utf16_start: start.utf16,
        utf16_end: end.utf16,
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// UTF-16 units of the character whose first UTF-8 byte is `lead`: only
/// 4-byte sequences (outside the BMP) need a surrogate pair.
fn utf16_units(lead: u8) -> usize {
    if lead >= 0xF0 { 2 } else { 1 }
}

/// UTF-8 length of the character whose first byte is `lead`.
fn utf8_width(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::testing::mixed_text;
    use proptest::prelude::*;

    fn boundaries(text: &str) -> Vec<usize> {
        text.char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect()
    }

    #[test]
    fn ascii_offsets_are_unchanged() {
        let map = OffsetMap::new("hello world");
        assert!(map.is_ascii());
        let s = map.span(6, 11);
        assert_eq!((s.start, s.end, s.utf16_start, s.utf16_end), (6, 11, 6, 11));
        assert_eq!(map.char_len(), 11);
        assert_eq!(map.char_to_byte(11), Some(11));
        assert_eq!(map.char_to_byte(12), None);
    }

    #[test]
    fn astral_characters_count_two_utf16_units() {
        let text = "a😀b€c";
        let map = OffsetMap::new(text);
        assert_eq!(map.char_len(), 5);
        assert_eq!(map.utf16_len(), 6);
        let c = text.find('c').unwrap();
        let s = map.span(c, c + 1);
        assert_eq!((s.start, s.utf16_start, s.byte_start), (4, 5, 9));
        assert_eq!(map.char_to_byte(4), Some(c));
    }

    #[test]
    fn bad_offsets_are_clamped_not_panicking() {
        let text = "é😀";
        let map = OffsetMap::new(text);
        // Inside the emoji → moved back to its start; past the end → the end.
        assert_eq!(map.byte_to_char(3), 1);
        assert_eq!(map.span(100, 200).start, 2);
        let s = map.span(2, 1);
        assert_eq!((s.byte_start, s.byte_end), (2, 2));
    }

    #[test]
    fn long_text_crosses_many_checkpoints() {
        let text = "ab😀中".repeat(200);
        let map = OffsetMap::new(&text);
        for (n, (i, _)) in text.char_indices().enumerate() {
            assert_eq!(map.byte_to_char(i), n);
            assert_eq!(map.char_to_byte(n), Some(i));
            assert_eq!(map.byte_to_utf16(i), text[..i].encode_utf16().count());
        }
    }

    proptest! {
        #[test]
        fn all_three_units_slice_the_same_substring(
            text in mixed_text(),
            picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..8),
            sorted in any::<bool>(),
        ) {
            let bounds = boundaries(&text);
            let mut ranges: Vec<(usize, usize)> = picks
                .iter()
                .map(|(a, b)| {
                    let (a, b) = (*a.get(&bounds), *b.get(&bounds));
                    (a.min(b), a.max(b))
                })
                .collect();
            if sorted {
                ranges.sort_unstable();
            }
            let map = OffsetMap::new(&text);
            let chars: Vec<char> = text.chars().collect();
            let units: Vec<u16> = text.encode_utf16().collect();
            prop_assert_eq!(map.char_len(), chars.len());
            prop_assert_eq!(map.utf16_len(), units.len());
            let many = map.spans(&ranges);
            for (&(bs, be), s) in ranges.iter().zip(&many) {
                prop_assert_eq!(*s, map.span(bs, be));
                let by_bytes = &text[s.byte_start..s.byte_end];
                let by_chars: String = chars[s.start..s.end].iter().collect();
                let by_utf16 = String::from_utf16(&units[s.utf16_start..s.utf16_end]).unwrap();
                prop_assert_eq!(by_bytes, &text[bs..be]);
                prop_assert_eq!(by_bytes, by_chars.as_str());
                prop_assert_eq!(by_bytes, by_utf16.as_str());
                prop_assert_eq!(map.char_to_byte(s.start), Some(bs));
            }
        }
    }
}
