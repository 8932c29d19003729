//! Digit shapes: what a run of digits must look like for a number-shaped
//! rule to run its regex near it.
//!
//! Real text has a run of digits every few dozen bytes (dates, versions,
//! times, line numbers), and a rule triggered by every run pays a regex's
//! setup at each. A shape is a cheap test on the run and the few bytes
//! around it that every match of the rule passes: a card is twelve or more
//! digits joined by single spaces, dashes or dots; an IPv4 address is four
//! dotted groups; an IBAN's check digits follow two capitals. A run that
//! fails its rule's shape cannot hold a match of the rule, so its window is
//! not opened. Shapes are conservative: they may hold where the rule then
//! finds nothing, never the other way round.
//!
//! The reference scanner (`reference.rs`) tests the same shapes with
//! regexes over the run, written independently of these loops.

/// Bytes looked at on either side of a trigger for
/// [`TriggerShape::Ipv6Address`] before the shape is taken to hold.
pub(super) const STRETCH_CAP: usize = 64;

/// What the text at a rule's trigger must look like for the rule's regex to
/// run near it. Every match of the rule overlaps a trigger of this shape.
/// Number shapes look at a run of digits; the address shapes at any trigger,
/// keyword hits included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerShape {
    /// At least `min_digits` digits in a row, each next to the one before
    /// or one ` `, `-` or `.` from it: payment cards, SSNs, routing
    /// numbers.
    Grouped,
    /// At least `min_digits` digits, each at most two of ` .-()/` from the
    /// one before: phone numbers.
    Spaced,
    /// [`TriggerShape::Spaced`], counted from the first digit of a group
    /// where one of these prefixes starts (a leading `+` is the byte before
    /// the digit): `+49` or `0049` for German numbers, `+` for E.164 ones.
    SpacedFrom(&'static [&'static str]),
    /// Four groups of digits joined by single dots, the middle two of at
    /// most three digits: IPv4 addresses.
    DottedQuad,
    /// A digit right after two ASCII capitals that start a word: IBANs
    /// (country code, then check digits).
    AfterCapitals,
    /// At least `min_digits` digits in a row, then this literal: `":A"` for
    /// a Telegram bot token, `":"` for an Asana token.
    DigitsThen(&'static str),
    /// A word (ASCII letters and digits) at least `min_len` long that starts
    /// with one of `first` inside the run: Bitcoin addresses.
    LongWord {
        /// The digits a word may start with.
        first: &'static str,
        /// The shortest word.
        min_len: usize,
    },
    /// Five colons or five dashes three bytes apart, or two dots five
    /// apart, one of them within two bytes of the trigger.
    MacAddress,
    /// The stretch of word characters and `:.%` around the trigger holds
    /// `::` or at least six colons (eight groups, or six and an IPv4 tail).
    /// A stretch longer than [`STRETCH_CAP`] bytes on a side holds it.
    Ipv6Address,
}

impl TriggerShape {
    /// A few words for the rules table: `grouped`, `after \`+\``.
    pub fn summary(&self) -> String {
        let quoted = |list: &[&str]| {
            list.iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        match self {
            TriggerShape::Grouped => "grouped by single ` -.`".into(),
            TriggerShape::Spaced => "spaced by up to two of ` .-()/`".into(),
            TriggerShape::SpacedFrom(prefixes) => {
                format!("spaced, from {}", quoted(prefixes))
            }
            TriggerShape::DottedQuad => "four dotted groups".into(),
            TriggerShape::AfterCapitals => "after two capitals".into(),
            TriggerShape::DigitsThen(literal) => format!("then `{literal}`"),
            TriggerShape::LongWord { first, min_len } => {
                let firsts: Vec<String> = first.chars().map(String::from).collect();
                let firsts: Vec<&str> = firsts.iter().map(String::as_str).collect();
                format!("a {min_len}+ character word from {}", quoted(&firsts))
            }
            TriggerShape::MacAddress => "MAC separators nearby".into(),
            TriggerShape::Ipv6Address => "IPv6 colons nearby".into(),
        }
    }
}

/// A run of digits as the scanner found it: `bytes[start..end]`, first and
/// last byte digits, `digits` of them. Facts several rules ask about are
/// worked out once.
#[derive(Debug)]
pub(super) struct Run<'a> {
    bytes: &'a [u8],
    start: usize,
    end: usize,
    digits: usize,
    /// Longest `Grouped` and `Spaced` chains, once asked for.
    chains: Option<(usize, usize)>,
}

impl<'a> Run<'a> {
    pub(super) fn new(bytes: &'a [u8], (start, end, digits): (usize, usize, usize)) -> Self {
        Run {
            bytes,
            start,
            end,
            digits,
            chains: None,
        }
    }

    /// Whether a rule with `shape` and `min_digits` runs near this run.
    pub(super) fn fits(&mut self, shape: TriggerShape, min_digits: usize) -> bool {
        if self.digits < min_digits {
            return false;
        }
        match shape {
            TriggerShape::Grouped => self.chains().0 >= min_digits,
            TriggerShape::Spaced => self.chains().1 >= min_digits,
            TriggerShape::SpacedFrom(prefixes) => self.spaced_from(prefixes) >= min_digits,
            TriggerShape::DottedQuad => self.dotted_quad(),
            TriggerShape::AfterCapitals => self.after_capitals(),
            TriggerShape::DigitsThen(literal) => self.digits_then(min_digits, literal.as_bytes()),
            TriggerShape::LongWord { first, min_len } => self.long_word(first.as_bytes(), min_len),
            TriggerShape::MacAddress | TriggerShape::Ipv6Address => {
                near(self.bytes, self.start, self.end, shape)
            }
        }
    }

    fn body(&self) -> &'a [u8] {
        self.bytes.get(self.start..self.end).unwrap_or_default()
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// The longest chain of digits joined by at most one of ` -.`, and by
    /// at most two of ` .-()/`.
    fn chains(&mut self) -> (usize, usize) {
        if let Some(c) = self.chains {
            return c;
        }
        let (mut grouped, mut spaced) = (0, 0);
        let (mut best_grouped, mut best_spaced) = (0, 0);
        // Separator bytes since the last digit, and whether all of them fit
        // each chain.
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
                best_grouped = best_grouped.max(grouped);
                best_spaced = best_spaced.max(spaced);
                gap = 0;
                gap_grouped = true;
                gap_spaced = true;
            } else {
                gap += 1;
                gap_grouped &= matches!(b, b' ' | b'-' | b'.');
                gap_spaced &= matches!(b, b' ' | b'.' | b'-' | b'(' | b')' | b'/');
            }
        }
        let c = (best_grouped, best_spaced);
        self.chains = Some(c);
        c
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

/// A byte of a regex word (`\w` in the ASCII dialect).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether the text around the trigger `bytes[start..end]` has an address
/// `shape` ([`TriggerShape::MacAddress`] or [`TriggerShape::Ipv6Address`];
/// any other shape holds).
pub(super) fn near(bytes: &[u8], start: usize, end: usize, shape: TriggerShape) -> bool {
    match shape {
        TriggerShape::MacAddress => mac_near(bytes, start, end),
        TriggerShape::Ipv6Address => ipv6_near(bytes, start, end),
        _ => true,
    }
}

fn mac_near(bytes: &[u8], start: usize, end: usize) -> bool {
    // Every byte of an address is at most two bytes from one of its
    // separators, so one lies within two bytes of a trigger overlapping it.
    let lo = start.saturating_sub(2);
    let Some(near) = bytes.get(lo..(end + 2).min(bytes.len())) else {
        return false;
    };
    let at = |i: usize| bytes.get(i).copied();
    memchr::memchr3_iter(b':', b'-', b'.', near).any(|i| {
        let q = lo + i;
        match at(q) {
            // Five separators three bytes apart, `q` any one of them.
            Some(sep @ (b':' | b'-')) => (0..5).any(|first| {
                q.checked_sub(3 * first)
                    .is_some_and(|f| (0..5).all(|k| at(f + 3 * k) == Some(sep)))
            }),
            _ => q.checked_sub(5).and_then(at) == Some(b'.') || at(q + 5) == Some(b'.'),
        }
    })
}

fn ipv6_near(bytes: &[u8], start: usize, end: usize) -> bool {
    // Every byte of an address is within sixteen bytes of a colon (a
    // group is four hex digits, a dotted IPv4 tail fifteen characters).
    let lo = start.saturating_sub(IPV6_COLON_REACH);
    let hi = (end + IPV6_COLON_REACH).min(bytes.len());
    if bytes
        .get(lo..hi)
        .is_none_or(|near| memchr::memchr(b':', near).is_none())
    {
        return false;
    }
    let part = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'%');
    let mut lo = start;
    while lo > 0 && bytes.get(lo - 1).copied().is_some_and(part) {
        lo -= 1;
        if start - lo > STRETCH_CAP {
            return true;
        }
    }
    let mut hi = end;
    while bytes.get(hi).copied().is_some_and(part) {
        hi += 1;
        if hi - end > STRETCH_CAP {
            return true;
        }
    }
    let stretch = bytes.get(lo..hi).unwrap_or_default();
    stretch.windows(2).any(|w| w == b"::") || stretch.iter().filter(|&&b| b == b':').count() >= 6
}

/// How far from a colon a byte of an IPv6 address can be.
const IPV6_COLON_REACH: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Shapes are conservative: for every built-in rule with one, texts
    /// drawn from the rule's own pattern (anchors dropped) give the same
    /// findings with the shape as without it. The surroundings hold no
    /// trigger of their own (no digits, hex letters or separators): a match
    /// is only promised near its own triggers, and a window opened by an
    /// unrelated run of digits nearby may find one by chance.
    #[test]
    fn shapes_never_lose_a_match() {
        use crate::dlp::{Dialect, Scanner, ScannerRule, packs};
        use proptest::strategy::{Strategy, ValueTree};
        use proptest::test_runner::TestRunner;
        let scanner = |spec: crate::dlp::RuleSpec| {
            Scanner::new(
                vec![ScannerRule {
                    spec,
                    dialect: Dialect::Ascii,
                }],
                1 << 20,
            )
            .unwrap()
        };
        let mut runner = TestRunner::deterministic();
        let around = proptest::string::string_regex("[ g-z,;]{0,12}").unwrap();
        let mut shaped = 0;
        for spec in packs::builtin_rules() {
            if spec.trigger_shape.is_none() {
                continue;
            }
            shaped += 1;
            let generator = spec
                .pattern
                .replace(r"\b", "")
                .replace("(?:^|", "(?:")
                .replace("|$)", ")");
            let values = proptest::string::string_regex(&generator)
                .unwrap_or_else(|e| panic!("{}: cannot generate from the pattern: {e}", spec.id));
            let with = scanner(spec.clone());
            let without = scanner(crate::dlp::RuleSpec {
                trigger_shape: None,
                ..spec.clone()
            });
            for _ in 0..300 {
                let text = format!(
                    "{} {} {}",
                    around.new_tree(&mut runner).unwrap().current(),
                    values.new_tree(&mut runner).unwrap().current(),
                    around.new_tree(&mut runner).unwrap().current(),
                );
                assert_eq!(
                    with.scan(&text).findings,
                    without.scan(&text).findings,
                    "{}: {text:?}",
                    spec.id
                );
            }
        }
        assert!(shaped >= 20, "only {shaped} rules have a shape");
    }
}
