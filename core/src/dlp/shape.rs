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
//! Keyword hits have shapes too: the address shapes (a MAC or IPv6
//! keyword needs its separators nearby) and [`TriggerShape::NameEnd`] (a
//! `key` must end a name that is given a value: `sort_key = …`, not
//! `sort(key=…)`, `self.key)` or `monkey`).
//!
//! This file says what the shapes are and tests the keyword shapes;
//! `digit_run.rs` tests a run of digits against the number shapes. The reference scanner (`reference.rs`) tests the same
//! shapes with regexes over the run, written independently of those loops.

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
    /// The keyword ends a name that is being given a value: a `_`, `-` or
    /// `.` right before it, or it starts with a capital right after a
    /// lower-case letter or digit (camel case); and in the 12 bytes after
    /// it (`NAME_END_REACH`), the first byte that is not a
    /// digit, `_`, `-`, bracket, quote, backslash or blank is one of
    /// `=:,>?+.` or a line break (or there is none). `STRIPE_KEY=`,
    /// `stripeKey: `, `signing.key = `, not `monkey =`, `key =`, `keys =`
    /// or `self.key)`.
    NameEnd,
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
            TriggerShape::NameEnd => "ends a name".into(),
        }
    }
}

/// A byte of a regex word (`\w` in the ASCII dialect).
pub(super) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether the text around the trigger `bytes[start..end]` has a keyword
/// `shape` ([`TriggerShape::MacAddress`], [`TriggerShape::Ipv6Address`] or
/// [`TriggerShape::NameEnd`]; any other shape holds).
pub(super) fn near(bytes: &[u8], start: usize, end: usize, shape: TriggerShape) -> bool {
    match shape {
        TriggerShape::MacAddress => mac_near(bytes, start, end),
        TriggerShape::Ipv6Address => ipv6_near(bytes, start, end),
        TriggerShape::NameEnd => name_end(bytes, start, end),
        _ => true,
    }
}

fn name_end(bytes: &[u8], start: usize, end: usize) -> bool {
    let at = |i: usize| bytes.get(i).copied();
    let before = start.checked_sub(1).and_then(at);
    let joined = matches!(before, Some(b'_' | b'-' | b'.'));
    let camel = at(start).is_some_and(|b| b.is_ascii_uppercase())
        && bytes
            .get(start + 1..end)
            .is_some_and(|rest| !rest.iter().any(u8::is_ascii_uppercase))
        && before.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let after = bytes.get(end..(end + NAME_END_REACH).min(bytes.len()));
    (joined || camel)
        && after.is_some_and(|after| {
            after
                .iter()
                .find(|b| !b"_-0123456789[]\\\"' \t".contains(b))
                .is_none_or(|b| b"=:,>?+.\r\n".contains(b))
        })
}

/// Bytes [`TriggerShape::NameEnd`] looks at after its keyword.
pub(super) const NAME_END_REACH: usize = 12;

fn mac_near(bytes: &[u8], start: usize, end: usize) -> bool {
    // Every byte of an address is at most two bytes from one of its
    // separators, so one lies within two bytes of a trigger overlapping it.
    let lo = start.saturating_sub(2);
    let Some(near) = bytes.get(lo..(end + 2).min(bytes.len())) else {
        return false;
    };
    let at = |i: usize| bytes.get(i).copied();
    // A dozen bytes or so: a plain loop costs less than a library search's
    // setup.
    near.iter().enumerate().any(|(i, &b)| {
        if !matches!(b, b':' | b'-' | b'.') {
            return false;
        }
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
    /// A name's last word: after a separator or in camel case, and then
    /// given a value.
    #[test]
    fn a_keyword_that_ends_a_name() {
        let holds = |text: &str| {
            let start = text.to_ascii_lowercase().find("key").unwrap();
            super::near(
                text.as_bytes(),
                start,
                start + 3,
                super::TriggerShape::NameEnd,
            )
        };
        for text in [
            "STRIPE_KEY=x",
            "license-key: x",
            "twitch.key = x",
            "stripeKey = x",
            "v2Key: x",
            "SIGNING_KEY_2=x",
            "x_key",
            "x_key\n  value: x",
            r#"getenv("X_KEY", "x")"#,
            "<x.Key>x",
            "x_key                 ",
        ] {
            assert!(holds(text), "{text:?} should hold");
        }
        for text in [
            "key = x",
            "monkey = x",
            "keys = x",
            "cache_keys = x",
            "stripeKEY = x",
            "STRIPEKey = x",
            "_keyword",
            " Key",
            "self.key)",
            "sort(key_func)",
            "x_key * 1",
        ] {
            assert!(!holds(text), "{text:?} should not hold");
        }
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
