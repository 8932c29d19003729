//! A run of digits and the shapes it has: the test, for each
//! number-shaped rule, of whether the rule's regex runs near the run (the
//! shapes themselves are described in `shape.rs`).

use super::shape::{TriggerShape, is_word, near};
use std::cell::OnceCell;

/// A run of digits as the scanner found it: `bytes[start..end]`, first and
/// last byte digits, `digits` of them.
///
/// Real text has a run every hundred bytes or so and a dozen shapes to test
/// on each, nearly all failing. A quick pass over the run, when it is
/// built, records which bytes sit between its digits, and its chains and
/// longest row are counted once, for the first shape that asks; a shape's
/// own loop then only runs where these allow it. Over half of all runs are
/// digits alone, which need no pass at all.
#[derive(Debug)]
pub(super) struct Run<'a> {
    bytes: &'a [u8],
    start: usize,
    end: usize,
    digits: usize,
    /// Bit `b % 64` set for each byte `b` of the run that is not a digit:
    /// a clear bit says a byte is not there.
    between: u64,
    /// The dots in the run.
    dots: usize,
    /// See [`Chains`]; counted once asked for.
    chains: OnceCell<Chains>,
}

/// What the number shapes with many digits count along a run.
#[derive(Debug, Clone, Copy)]
struct Chains {
    /// The longest chain of digits each one of ` -.` or none from the one
    /// before (what `Grouped` counts).
    grouped: usize,
    /// The longest chain of digits each up to two of ` .-()/` from the one
    /// before (what `Spaced` counts).
    spaced: usize,
    /// The most digits in a row.
    row: usize,
}

/// [`Run::between`] bits of the ASCII capitals.
const CAPITALS: u64 = ((1 << 26) - 1) << (b'A' % 64);

impl<'a> Run<'a> {
    pub(super) fn new(bytes: &'a [u8], (start, end, digits): (usize, usize, usize)) -> Self {
        let mut run = Run {
            bytes,
            start,
            end,
            digits,
            between: 0,
            dots: 0,
            chains: OnceCell::new(),
        };
        if end - start > digits {
            for &b in run.body() {
                if !b.is_ascii_digit() {
                    run.between |= 1 << (b % 64);
                    run.dots += usize::from(b == b'.');
                }
            }
        }
        run
    }

    fn chains(&self) -> Chains {
        *self.chains.get_or_init(|| {
            if self.end - self.start == self.digits {
                let all = self.digits;
                return Chains {
                    grouped: all,
                    spaced: all,
                    row: all,
                };
            }
            let mut best = Chains {
                grouped: 0,
                spaced: 0,
                row: 0,
            };
            let (mut grouped, mut spaced, mut row) = (0, 0, 0);
            // Bytes since the last digit, and whether all of them fit each
            // chain.
            let mut gap = 0usize;
            let mut gap_grouped = true;
            let mut gap_spaced = true;
            for &b in self.body() {
                if b.is_ascii_digit() {
                    grouped = if gap <= 1 && gap_grouped {
                        grouped + 1
                    } else {
                        1
                    };
                    spaced = if gap <= 2 && gap_spaced {
                        spaced + 1
                    } else {
                        1
                    };
                    row = if gap == 0 { row + 1 } else { 1 };
                    best.grouped = best.grouped.max(grouped);
                    best.spaced = best.spaced.max(spaced);
                    best.row = best.row.max(row);
                    gap = 0;
                    gap_grouped = true;
                    gap_spaced = true;
                } else {
                    gap += 1;
                    gap_grouped &= matches!(b, b' ' | b'-' | b'.');
                    gap_spaced &= matches!(b, b' ' | b'.' | b'-' | b'(' | b')' | b'/');
                }
            }
            best
        })
    }

    /// Whether a rule with `shape` and `min_digits` runs near this run.
    ///
    /// Each shape first asks the run's profile for what any match of it
    /// needs; only a run that has it pays for the shape's own loop.
    pub(super) fn fits(&self, shape: TriggerShape, min_digits: usize) -> bool {
        if self.digits < min_digits {
            return false;
        }
        match shape {
            TriggerShape::Grouped => self.chains().grouped >= min_digits,
            TriggerShape::Spaced => self.chains().spaced >= min_digits,
            // Counted from a prefix, a chain is part of a `Spaced` one; a
            // `+` is right before a digit of the run.
            TriggerShape::SpacedFrom(prefixes) => {
                self.chains().spaced >= min_digits
                    && prefixes
                        .iter()
                        .any(|p| !p.starts_with('+') || self.before_a_digit(b'+'))
                    && self.spaced_from(prefixes) >= min_digits
            }
            // Four groups joined by three dots.
            TriggerShape::DottedQuad => self.dots >= 3 && self.dotted_quad(),
            // The capital right before the digit is before the run or in it.
            TriggerShape::AfterCapitals => {
                (self.byte_before().is_some_and(|b| b.is_ascii_uppercase())
                    || self.between & CAPITALS != 0)
                    && self.after_capitals()
            }
            // The literal follows the last digit of a row: in the run, or
            // right after it.
            TriggerShape::DigitsThen(literal) => {
                self.chains().row >= min_digits
                    && literal.as_bytes().first().is_none_or(|&b| {
                        b.is_ascii_digit() || self.has(b) || self.byte(self.end) == Some(b)
                    })
                    && self.digits_then(min_digits, literal.as_bytes())
            }
            // A word that starts in the run and is longer than the rest of
            // it goes on past its end.
            TriggerShape::LongWord { first, min_len } => {
                (self.end - self.start >= min_len
                    || self
                        .byte(self.end)
                        .is_some_and(|b| b.is_ascii_alphanumeric()))
                    && self.long_word(first.as_bytes(), min_len)
            }
            // Every address has a separator within two bytes of the run.
            TriggerShape::MacAddress => {
                let separator = |b: u8| matches!(b, b':' | b'-' | b'.');
                (self.has(b':')
                    || self.has(b'-')
                    || self.has(b'.')
                    || [
                        self.start.checked_sub(2),
                        self.start.checked_sub(1),
                        Some(self.end),
                        Some(self.end + 1),
                    ]
                    .into_iter()
                    .any(|at| at.and_then(|at| self.byte(at)).is_some_and(separator)))
                    && near(self.bytes, self.start, self.end, shape)
            }
            TriggerShape::Ipv6Address | TriggerShape::NameEnd => {
                near(self.bytes, self.start, self.end, shape)
            }
        }
    }

    /// Whether the byte `b` (not a digit) may be in the run.
    fn has(&self, b: u8) -> bool {
        self.between & (1 << (b % 64)) != 0
    }

    /// Whether `b` (not a digit) is right before the run or in it: where a
    /// byte right before one of its digits can be.
    fn before_a_digit(&self, b: u8) -> bool {
        self.byte_before() == Some(b) || self.has(b)
    }

    fn byte_before(&self) -> Option<u8> {
        self.start.checked_sub(1).and_then(|at| self.byte(at))
    }

    fn body(&self) -> &'a [u8] {
        self.bytes.get(self.start..self.end).unwrap_or_default()
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// The most digits in a `Spaced` chain counted from a digit where one
    /// of `prefixes` starts.
    fn spaced_from(&self, prefixes: &[&str]) -> usize {
        let starts = |at: usize| {
            prefixes.iter().any(|p| {
                let p = p.as_bytes();
                let from = if p.first() == Some(&b'+') {
                    at.checked_sub(1)
                } else {
                    Some(at)
                };
                // Byte by byte: a library compare per digit costs more
                // than the two or four bytes it compares.
                from.and_then(|f| self.bytes.get(f..f + p.len()))
                    .is_some_and(|at| at.iter().zip(p).all(|(a, b)| a == b))
            })
        };
        let mut best = 0;
        // Digits since the earliest prefix in the current chain, if any.
        let mut counted: Option<usize> = None;
        let mut gap = 0usize;
        let mut gap_fits = true;
        for at in self.start..self.end {
            let Some(b) = self.byte(at) else { break };
            if b.is_ascii_digit() {
                if gap > 2 || !gap_fits {
                    counted = None;
                }
                // A prefix starts a group of digits: after `+`, or where the
                // pattern has `\b` before `00`.
                let group_start = at == self.start || gap > 0;
                counted = match counted {
                    Some(n) => Some(n + 1),
                    None if group_start && starts(at) => Some(1),
                    None => None,
                };
                best = best.max(counted.unwrap_or(0));
                gap = 0;
                gap_fits = true;
            } else {
                gap += 1;
                gap_fits &= matches!(b, b' ' | b'.' | b'-' | b'(' | b')' | b'/');
            }
        }
        best
    }

    /// `g.g.g.g`, the middle groups of one to three digits (the first and
    /// last may be longer: the address regex can start or end inside them).
    fn dotted_quad(&self) -> bool {
        let body = self.body();
        let digit = |at: usize| body.get(at).is_some_and(u8::is_ascii_digit);
        // Groups in the chain that ends at the last group, and its length.
        let mut chain = 0usize;
        let mut last_len = 0usize;
        let mut joined = false;
        let mut at = 0;
        while at < body.len() {
            if !digit(at) {
                joined = false;
                at += 1;
                continue;
            }
            let start = at;
            while digit(at) {
                at += 1;
            }
            chain = match (joined, chain) {
                (false, _) => 1,
                (true, 1) => 2,
                // The last group becomes a middle one, or starts a new chain.
                (true, n) if last_len <= 3 => n + 1,
                (true, _) => 2,
            };
            if chain >= 4 {
                return true;
            }
            last_len = at - start;
            joined = body.get(at) == Some(&b'.') && digit(at + 1);
            if joined {
                at += 1;
            }
        }
        false
    }

    /// A digit after two capitals that start a word.
    fn after_capitals(&self) -> bool {
        // Most runs hold no capital at all, and neither do the two bytes
        // before them: one pass over the bytes says so.
        let lo = self.start.saturating_sub(2);
        let Some(near) = self.bytes.get(lo..self.end) else {
            return false;
        };
        if !near.iter().any(u8::is_ascii_uppercase) {
            return false;
        }
        near.windows(3).enumerate().any(|(i, w)| {
            let at = lo + i + 2;
            matches!(w, [a, b, d] if a.is_ascii_uppercase() && b.is_ascii_uppercase() && d.is_ascii_digit())
                && (at == 2 || !self.byte(at - 3).is_some_and(is_word))
        })
    }

    fn digits_then(&self, n: usize, literal: &[u8]) -> bool {
        let mut row = 0;
        for at in self.start..self.end {
            if self.byte(at).is_some_and(|b| b.is_ascii_digit()) {
                row += 1;
                if row >= n
                    && self
                        .bytes
                        .get(at + 1..at + 1 + literal.len())
                        .is_some_and(|next| next == literal)
                {
                    return true;
                }
            } else {
                row = 0;
            }
        }
        false
    }

    // `first` is a byte or two: `contains` would call the library search
    // once per digit, for more than the compare costs.
    #[allow(clippy::manual_contains)]
    fn long_word(&self, first: &[u8], min_len: usize) -> bool {
        let body = self.body();
        body.iter().enumerate().any(|(i, &b)| {
            let at = self.start + i;
            first.iter().any(|&f| f == b)
                && (at == 0 || !self.byte(at - 1).is_some_and(is_word))
                && self
                    .bytes
                    .get(at..at + min_len)
                    .is_some_and(|word| word.iter().all(u8::is_ascii_alphanumeric))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dlp::shape::STRETCH_CAP;

    fn fits(text: &str, shape: TriggerShape, min: usize) -> bool {
        let bytes = text.as_bytes();
        let mut any = false;
        super::super::triggers::digit_runs(bytes, 1, |s, e, d| {
            any |= Run::new(bytes, (s, e, d)).fits(shape, min);
        });
        any
    }

    #[test]
    fn grouped_and_spaced_chains() {
        assert!(fits(
            "card 4111 1111 1111 1111 ok",
            TriggerShape::Grouped,
            12
        ));
        assert!(fits("ssn 123-45-6789", TriggerShape::Grouped, 9));
        assert!(!fits(
            "Mon, 05 Jan 2015 10:00:00 +0100",
            TriggerShape::Grouped,
            12
        ));
        assert!(!fits("2015-01-05", TriggerShape::Grouped, 9));
        assert!(fits("+1 (555) 123-4567", TriggerShape::Spaced, 10));
        assert!(fits("+44 (0) 20 7946 0958", TriggerShape::Spaced, 11));
        assert!(!fits("10:00:00 +0100", TriggerShape::Spaced, 7));
    }

    #[test]
    fn dotted_quads() {
        assert!(fits("at 192.168.10.25:80", TriggerShape::DottedQuad, 4));
        assert!(fits("x 1234.5.6.7", TriggerShape::DottedQuad, 4));
        assert!(fits("x 1.2.3.45678", TriggerShape::DottedQuad, 4));
        assert!(!fits("x 1.2345.6.7", TriggerShape::DottedQuad, 4));
        assert!(!fits("version 1.2.3 and 4", TriggerShape::DottedQuad, 4));
        assert!(fits("1.2345.6.7.8", TriggerShape::DottedQuad, 4));
    }

    #[test]
    fn literal_and_word_shapes() {
        assert!(fits("DE89 3704 0044", TriggerShape::AfterCapitals, 7));
        assert!(!fits("de89 3704 0044", TriggerShape::AfterCapitals, 7));
        assert!(!fits("SHA256 sum", TriggerShape::AfterCapitals, 2));
        assert!(fits("bot123456789:AAbc", TriggerShape::DigitsThen(":A"), 8));
        assert!(!fits("bot1234567:AAbc", TriggerShape::DigitsThen(":A"), 8));
        let btc = TriggerShape::LongWord {
            first: "13",
            min_len: 26,
        };
        assert!(fits("pay 1BoatSLRHtKNngkdXEeobR76b53LETtpyT now", btc, 1));
        assert!(!fits("pay x1BoatSLRHtKNngkdXEeobR76b53LETtpyT now", btc, 1));
        assert!(!fits("version 1.2.3", btc, 1));
    }

    #[test]
    fn address_shapes() {
        let mac = TriggerShape::MacAddress;
        assert!(fits("ether 00:1a:2b:3c:4d:5e up", mac, 3));
        assert!(fits("cisco 0025.9611.2233 port", mac, 3));
        assert!(!fits("at 10:00:00 today", mac, 3));
        assert!(!fits("on 2015-01-05 we", mac, 3));
        let ip = TriggerShape::Ipv6Address;
        assert!(fits("to 2001:0db8:0000:0000:0000:ff00:0042:8329 ok", ip, 4));
        assert!(fits("to 2001:db8::1 ok", ip, 4));
        assert!(!fits("at 10:30:45 today", ip, 4));
        // A stretch past the cap holds the shape; no colon near, never.
        let long = format!("{}:1234", "a".repeat(STRETCH_CAP + 5));
        assert!(fits(&long, ip, 4));
        assert!(!fits(
            &format!("{}1234", "a".repeat(STRETCH_CAP + 5)),
            ip,
            4
        ));
    }

    #[test]
    fn spaced_from_a_prefix() {
        let de = TriggerShape::SpacedFrom(&["+49", "0049"]);
        assert!(fits("Büro: +49 30 901820, bitte", de, 9));
        assert!(fits("Handy 12 0049 170 1234567", de, 9));
        assert!(!fits("am 2015-01-05 10:00", de, 9));
        assert!(!fits("+49 123", de, 9));
        let intl = TriggerShape::SpacedFrom(&["+"]);
        assert!(fits("desk +31 20 555 0123.", intl, 8));
        assert!(!fits("desk 31 20 555 0123.", intl, 8));
    }
}
