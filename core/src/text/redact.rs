//! Rewriting matched values in a text, in one of five styles.
//!
//! The [`Redactor`] owns the style and the org's hash key; it rewrites a text
//! in one pass and returns, next to the rewritten text, the replacement of
//! every target so snippets can reuse them and stay consistent with it.

use super::plan::{Plan, value_of};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

type HmacSha256 = Hmac<Sha256>;

/// How a matched value is rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RedactionStyle {
    /// Every character becomes `*` (same number of code points).
    Mask,
    /// `[REDACTED:<rule_id>]`.
    #[default]
    Label,
    /// `[<LABEL>_<n>]`, numbered per label in order of first appearance; the
    /// same value gets the same placeholder within one text.
    Placeholder,
    /// `[<LABEL>:<12 hex>]`: the start of HMAC-SHA256 of the value under the
    /// org key, so equal values are recognisable without being readable.
    Hash,
    /// Keeps the last 4 ASCII letters or digits and the separators, masks the
    /// other letters and digits; values with fewer than 10 letters and digits
    /// are masked whole.
    Partial,
}

impl RedactionStyle {
    /// The wire name (`"mask"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            RedactionStyle::Mask => "mask",
            RedactionStyle::Label => "label",
            RedactionStyle::Placeholder => "placeholder",
            RedactionStyle::Hash => "hash",
            RedactionStyle::Partial => "partial",
        }
    }
}

/// One value to rewrite: its UTF-8 byte range in the text and what found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// First byte of the value.
    pub byte_start: usize,
    /// One past its last byte.
    pub byte_end: usize,
    /// The rule that matched (used by the `label` style).
    pub rule_id: &'a str,
    /// The rule's short label such as `EMAIL` (used by `placeholder` and `hash`).
    pub label: &'a str,
}

/// A rewritten text and the replacement used for each target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactedText {
    /// The text with every applied target replaced.
    pub text: String,
    /// One replacement per target, in the order of the targets, including
    /// targets that were not applied (see [`Redactor::redact`]).
    pub replacements: Vec<String>,
}

/// Rewrites matched values in one [`RedactionStyle`]. Cheap to clone and
/// shareable across threads; its `Debug` output never shows the key.
///
/// ```
/// use govstream::text::{RedactionStyle, Redactor, Target};
///
/// let text = "mail ann@example.com or ann@example.com";
/// let email = |byte_start, byte_end| Target { byte_start, byte_end, rule_id: "pii.email", label: "EMAIL" };
/// let redactor = Redactor::new(RedactionStyle::Placeholder, b"org key");
/// let out = redactor.redact(text, &[email(5, 20), email(24, 39)]);
/// assert_eq!(out.text, "mail [EMAIL_1] or [EMAIL_1]");
/// assert_eq!(out.replacements, ["[EMAIL_1]", "[EMAIL_1]"]);
/// ```
#[derive(Clone)]
pub struct Redactor {
    style: RedactionStyle,
    /// Keyed once; cloned per value so the key schedule runs once.
    mac: HmacSha256,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("style", &self.style)
            .field("hash_key", &"<hidden>")
            .finish()
    }
}

impl Redactor {
    /// A redactor in `style`; `hash_key` (any length) keys the `hash` style.
    pub fn new(style: RedactionStyle, hash_key: &[u8]) -> Self {
        Self {
            style,
            mac: keyed_mac(hash_key),
        }
    }

    /// Its style.
    pub fn style(&self) -> RedactionStyle {
        self.style
    }

    /// Rewrites `text`. `targets` should be sorted by `byte_start`,
    /// non-overlapping and on char boundaries; other input is handled without
    /// panicking and without leaking: targets are taken in order of
    /// `byte_start`; one that is out of range or not on char boundaries is not
    /// applied (its replacement is computed from an empty value); one that
    /// overlaps the previous applied target is not applied separately, the
    /// previous one's replacement instead covers both. Either way
    /// `replacements` has one entry per target, in the order given.
    pub fn redact(&self, text: &str, targets: &[Target<'_>]) -> RedactedText {
        self.redact_keeping(text, targets, usize::MAX)
    }

    /// [`Redactor::redact`], returning the replacements of the first `keep`
    /// targets only: a text with millions of matches is rewritten without
    /// holding a string per match.
    pub fn redact_keeping(&self, text: &str, targets: &[Target<'_>], keep: usize) -> RedactedText {
        let plan = Plan::new(text, targets);
        let mut numbers = Placeholders::default();
        let mut kept = vec![String::new(); targets.len().min(keep)];
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut regions = plan.regions.iter().peekable();
        // Targets in text order, so placeholder numbers follow first
        // appearance; regions come in the same order (each starts at its
        // first target), so the text is written as it goes.
        for &i in &plan.order {
            let Some(target) = targets.get(i) else {
                continue;
            };
            let value = value_of(text, target).unwrap_or_default();
            let replacement = self.replace(value, target, &mut numbers);
            if let Some(region) = regions.next_if(|region| region.target == i) {
                out.push_str(text.get(copied..region.byte_start).unwrap_or_default());
                out.push_str(&replacement);
                copied = region.byte_end;
            }
            if let Some(slot) = kept.get_mut(i) {
                *slot = replacement;
            }
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        RedactedText {
            text: out,
            replacements: kept,
        }
    }

    fn replace<'t>(
        &self,
        value: &'t str,
        target: &Target<'t>,
        numbers: &mut Placeholders<'t>,
    ) -> String {
        match self.style {
            RedactionStyle::Mask => mask(value),
            RedactionStyle::Label => label_replacement(target.rule_id),
            RedactionStyle::Placeholder => {
                let n = numbers.number(target.label, value);
                format!("[{}_{n}]", target.label)
            }
            RedactionStyle::Hash => {
                let mut mac = self.mac.clone();
                mac.update(value.as_bytes());
                let digest = mac.finalize().into_bytes();
                let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
                format!("[{}:{hex}]", target.label)
            }
            RedactionStyle::Partial => partial(value),
        }
    }
}

/// The `label` style's replacement; also the snippet's fallback when a
/// replacement is missing, because it reveals nothing of the value.
pub(crate) fn label_replacement(rule_id: &str) -> String {
    format!("[REDACTED:{rule_id}]")
}

/// Placeholder numbers of one text: per label, counted from 1.
#[derive(Default)]
struct Placeholders<'t> {
    by_value: HashMap<(&'t str, &'t str), usize>,
    per_label: HashMap<&'t str, usize>,
}

impl<'t> Placeholders<'t> {
    fn number(&mut self, label: &'t str, value: &'t str) -> usize {
        *self.by_value.entry((label, value)).or_insert_with(|| {
            let count = self.per_label.entry(label).or_insert(0);
            *count += 1;
            *count
        })
    }
}

fn mask(value: &str) -> String {
    value.chars().map(|_| '*').collect()
}

/// Values with fewer letters and digits than this are masked whole: four
/// kept characters out of nine would reveal close to half of the value.
const PARTIAL_MIN_ALNUM: usize = 10;
const PARTIAL_KEEP: usize = 4;

fn partial(value: &str) -> String {
    let alnum = value.chars().filter(|c| c.is_alphanumeric()).count();
    if alnum < PARTIAL_MIN_ALNUM {
        return mask(value);
    }
    // Walk backwards so "the last four ASCII alphanumerics" is a countdown.
    let mut keep = PARTIAL_KEEP;
    let mut rev: Vec<char> = Vec::with_capacity(value.len());
    for c in value.chars().rev() {
        if c.is_ascii_alphanumeric() && keep > 0 {
            keep -= 1;
            rev.push(c);
        } else if c.is_alphanumeric() {
            rev.push('*');
        } else {
            rev.push(c);
        }
    }
    rev.into_iter().rev().collect()
}

/// HMAC-SHA256 keyed with `key`. The HMAC key block is built here (RFC 2104:
/// keys longer than the block are hashed, shorter ones zero-padded), which is
/// exactly what `new_from_slice` does, without its impossible error path.
fn keyed_mac(key: &[u8]) -> HmacSha256 {
    let mut block = hmac::digest::Key::<HmacSha256>::default();
    if key.len() > block.len() {
        let digest = Sha256::digest(key);
        block
            .iter_mut()
            .zip(digest.iter())
            .for_each(|(b, k)| *b = *k);
    } else {
        block.iter_mut().zip(key).for_each(|(b, k)| *b = *k);
    }
    <HmacSha256 as KeyInit>::new(&block)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t<'a>(text: &str, value: &str, rule_id: &'a str, label: &'a str) -> Target<'a> {
        let start = text.find(value).unwrap();
        Target {
            byte_start: start,
            byte_end: start + value.len(),
            rule_id,
            label,
        }
    }

    fn redact(style: RedactionStyle, text: &str, values: &[&str]) -> RedactedText {
        let mut from = 0;
        let targets: Vec<Target> = values
            .iter()
            .map(|v| {
                let start = from + text[from..].find(v).unwrap();
                from = start + v.len();
                Target {
                    byte_start: start,
                    byte_end: from,
                    rule_id: "pii.email",
                    label: "EMAIL",
                }
            })
            .collect();
        Redactor::new(style, b"key").redact(text, &targets)
    }

    #[test]
    fn mask_and_label() {
        let out = redact(RedactionStyle::Mask, "a é😀b c", &["é😀b"]);
        assert_eq!(out.text, "a *** c");
        let out = redact(RedactionStyle::Label, "to x@y.z now", &["x@y.z"]);
        assert_eq!(out.text, "to [REDACTED:pii.email] now");
    }

    #[test]
    fn placeholders_number_per_label_and_value() {
        let text = "a@x.io b@x.io a@x.io 555-1234";
        let targets = [
            t(text, "a@x.io", "pii.email", "EMAIL"),
            Target {
                byte_start: 7,
                byte_end: 13,
                rule_id: "pii.email",
                label: "EMAIL",
            },
            Target {
                byte_start: 14,
                byte_end: 20,
                rule_id: "pii.email",
                label: "EMAIL",
            },
            t(text, "555-1234", "pii.phone", "PHONE"),
        ];
        let out = Redactor::new(RedactionStyle::Placeholder, b"").redact(text, &targets);
        assert_eq!(out.text, "[EMAIL_1] [EMAIL_2] [EMAIL_1] [PHONE_1]");
    }

    #[test]
    fn hash_matches_hmac_sha256() {
        // RFC 4231 test case 1: key 0x0b × 20, data "Hi There".
        let key = [0x0b; 20];
        let text = "Hi There";
        let target = t(text, text, "r", "SECRET");
        let out = Redactor::new(RedactionStyle::Hash, &key).redact(text, &[target]);
        assert_eq!(out.text, "[SECRET:b0344c61d8db]");
        // RFC 4231 test case 6: a 131-byte key is hashed first.
        let key = [0xaa; 131];
        let text = "Test Using Larger Than Block-Size Key - Hash Key First";
        let out =
            Redactor::new(RedactionStyle::Hash, &key).redact(text, &[t(text, text, "r", "K")]);
        assert_eq!(out.text, "[K:60e431591ee0]");
    }

    #[test]
    fn partial_keeps_last_four_and_separators() {
        let out = redact(
            RedactionStyle::Partial,
            "card 4111 1111 1111 1234.",
            &["4111 1111 1111 1234"],
        );
        assert_eq!(out.text, "card **** **** **** 1234.");
        let out = redact(RedactionStyle::Partial, "pin 1234-5678!", &["1234-5678"]);
        assert_eq!(out.text, "pin *********!");
        let out = redact(
            RedactionStyle::Partial,
            "AKIAÉÉÉÉÉÉXYZ1",
            &["AKIAÉÉÉÉÉÉXYZ1"],
        );
        assert_eq!(out.text, "**********XYZ1");
    }

    #[test]
    fn bad_targets_are_skipped_but_replaced() {
        let text = "abc é def";
        let r = |byte_start, byte_end| Target {
            byte_start,
            byte_end,
            rule_id: "r",
            label: "L",
        };
        // Contained, inside a character, overlapping the tail, out of range.
        let targets = [r(0, 3), r(1, 2), r(5, 6), r(7, 9), r(8, 10), r(8, 100)];
        let out = Redactor::new(RedactionStyle::Label, b"").redact(text, &targets);
        assert_eq!(out.text, "[REDACTED:r] é [REDACTED:r]");
        assert_eq!(out.replacements.len(), targets.len());
        let out = Redactor::new(RedactionStyle::Mask, b"").redact(text, &targets);
        assert_eq!(out.replacements, ["***", "*", "", "**", "**", ""]);
        assert_eq!(out.text, "*** é **");
    }

    #[test]
    fn unsorted_targets_are_taken_in_text_order() {
        let text = "x b@x.io y a@x.io";
        let targets = [
            t(text, "a@x.io", "r", "EMAIL"),
            t(text, "b@x.io", "r", "EMAIL"),
        ];
        let out = Redactor::new(RedactionStyle::Placeholder, b"").redact(text, &targets);
        assert_eq!(out.text, "x [EMAIL_1] y [EMAIL_2]");
        assert_eq!(out.replacements, ["[EMAIL_2]", "[EMAIL_1]"]);
    }

    #[test]
    fn debug_hides_the_key() {
        let shown = format!("{:?}", Redactor::new(RedactionStyle::Hash, b"TOPSECRETKEY"));
        assert!(!shown.contains("TOPSECRETKEY"), "{shown}");
        assert!(shown.contains("Hash"));
    }

    #[test]
    fn style_names_match_serde() {
        for style in [
            RedactionStyle::Mask,
            RedactionStyle::Label,
            RedactionStyle::Placeholder,
            RedactionStyle::Hash,
            RedactionStyle::Partial,
        ] {
            assert_eq!(
                serde_json::to_string(&style).unwrap(),
                format!("\"{}\"", style.as_str())
            );
        }
    }

    proptest! {
        #[test]
        fn placeholders_are_consistent(picks in prop::collection::vec(0usize..4, 1..12)) {
            let values = ["SECRET01", "SECRET02", "SECRET03", "SECRET04"];
            let text: String = picks.iter().map(|&i| format!("{} ", values[i])).collect();
            let targets: Vec<Target> = picks
                .iter()
                .enumerate()
                .map(|(k, _)| Target { byte_start: k * 9, byte_end: k * 9 + 8, rule_id: "r", label: "S" })
                .collect();
            let out = Redactor::new(RedactionStyle::Placeholder, b"").redact(&text, &targets);
            for (a, ra) in picks.iter().zip(&out.replacements) {
                for (b, rb) in picks.iter().zip(&out.replacements) {
                    prop_assert_eq!(a == b, ra == rb);
                }
            }
            // Numbers follow first appearance.
            let mut seen: Vec<usize> = Vec::new();
            for (p, r) in picks.iter().zip(&out.replacements) {
                if !seen.contains(p) {
                    seen.push(*p);
                    prop_assert_eq!(r, &format!("[S_{}]", seen.len()));
                }
            }
        }
    }
}
