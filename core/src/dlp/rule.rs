//! The definition of a DLP rule, as data: what the built-in packs declare and
//! what a policy's custom rules deserialize into. Compilation into something
//! that scans lives in `compiled.rs`.

use super::TriggerShape;
use crate::schema::{Category, Severity};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Default upper bound, in bytes, on the length of one match of a rule. The
/// scanner only runs a rule's regex in windows of this size around its
/// keyword or digit triggers, so a rule whose matches can be longer must say so.
pub const DEFAULT_MAX_LEN: usize = 256;

/// Default distance, in bytes, on either side of a match in which context
/// words are looked for.
pub const DEFAULT_CONTEXT_WINDOW: usize = 64;

/// One DLP rule as data.
///
/// The regex dialect is the `regex` crate's (linear time, no look-around, no
/// back-references). If the pattern has a capture group named `value`, the
/// match (and so the redaction) is that group only: `password\s*=\s*(?P<value>\S+)`
/// redacts the password and keeps `password=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable id, `<pack>.<name>` for built-ins (`secrets.aws_access_key_id`).
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// What kind of data it finds.
    pub category: Category,
    /// The pack it belongs to (`secrets`, `pii`, `financial`, or `custom`).
    pub pack: String,
    /// Severity of a match.
    pub severity: Severity,
    /// The regex.
    pub pattern: String,
    /// Literals (matched ASCII-case-insensitively) of which every match
    /// contains at least one. They drive the prefilter: the regex only runs
    /// near them. Empty, together with `min_digits` unset, means the regex
    /// runs over the whole text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// A second trigger for number-shaped data: the regex also runs near any
    /// run of at least this many ASCII digits (separated by at most three
    /// other bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_digits: Option<usize>,
    /// What the text at a trigger must look like for the regex to run
    /// near it (see [`TriggerShape`]): built-in rules narrow their triggers
    /// with it. Not part of a rule's JSON: a custom rule's triggers are
    /// every keyword hit and every run of digits.
    #[serde(skip)]
    pub trigger_shape: Option<TriggerShape>,
    /// Upper bound in bytes on one match (see [`DEFAULT_MAX_LEN`]).
    #[serde(default = "default_max_len")]
    pub max_len: usize,
    /// A check the matched value must pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<Validator>,
    /// Words near the match that are required, or that raise confidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<ContextRule>,
    /// Values that are never reported.
    #[serde(default, skip_serializing_if = "Allowlist::is_empty")]
    pub allowlist: Allowlist,
    /// Confidence of a match, 0.0–1.0, before context boosts.
    #[serde(default = "default_confidence")]
    pub confidence: f32,
    /// Upper-case label used by placeholder redaction (`EMAIL` → `[EMAIL_1]`).
    pub label: String,
    /// Texts the rule must and must not match; checked by the test suite.
    #[serde(default, skip_serializing_if = "Examples::is_empty")]
    pub examples: Examples,
}

fn default_max_len() -> usize {
    DEFAULT_MAX_LEN
}

fn default_confidence() -> f32 {
    0.8
}

fn default_true() -> bool {
    true
}

/// A check on the matched value, beyond its shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Validator {
    /// Luhn mod-10 over the digits (payment cards).
    Luhn,
    /// ISO 13616 IBAN: per-country length and ISO 7064 mod-97 == 1.
    IbanMod97,
    /// US ABA routing number checksum (3-7-1 weights, mod 10).
    AbaRouting,
    /// Base58Check: the last four bytes are the double-SHA-256 checksum.
    Base58Check,
    /// Bech32 / Bech32m checksum (BIP-173 / BIP-350).
    Bech32,
    /// US Social Security Number rules: area not 000, 666 or 900–999; group
    /// not 00; serial not 0000.
    UsSsn,
    /// Parses as an IPv4 address.
    Ipv4,
    /// Parses as an IPv6 address.
    Ipv6,
    /// A JWT: the first segment base64url-decodes to a JSON object with `alg`.
    Jwt,
    /// Shannon entropy of the value, in bits per character, at least this.
    Entropy {
        /// The floor, e.g. 3.0.
        min_bits_per_char: f64,
    },
    /// Shaped like a secret, not like what is written in its place: no
    /// placeholder, mask or template reference (`changeme`, `****`,
    /// `${VAR}`, `<token>`), not mostly one character, not a repeated unit,
    /// entropy that fits its alphabet, at least this Shannon entropy, and
    /// (unless `keyboard_runs` is false) not mostly keyboard-order runs
    /// (`abcdef…`, `0123…`).
    SecretValue {
        /// The entropy floor in bits per character, e.g. 3.0.
        min_bits_per_char: f64,
        /// Reject values that are mostly keyboard-order runs. Default true;
        /// false for tokens whose vendor prefix already says what they
        /// are, where a run is more likely a hand-made test token than a
        /// stand-in word.
        #[serde(default = "default_true")]
        keyboard_runs: bool,
    },
}

/// Context words looked for near a match (ASCII-case-insensitive substrings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextRule {
    /// The words.
    pub words: Vec<String>,
    /// Bytes on either side of the match that are searched.
    #[serde(default = "default_context_window")]
    pub window: usize,
    /// Required: without a word nearby the match is dropped. Otherwise a word
    /// nearby adds `boost` to the confidence (capped at 1.0).
    #[serde(default)]
    pub required: bool,
    /// Confidence added when a word is found and the context is not required.
    #[serde(default)]
    pub boost: f32,
}

fn default_context_window() -> usize {
    DEFAULT_CONTEXT_WINDOW
}

/// Values a rule never reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    /// Exact values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Regexes that must match the whole value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
}

impl Allowlist {
    /// True when nothing is allowlisted.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.patterns.is_empty()
    }
}

/// A rule's own test vectors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Texts in which the rule must find the given value: `(text, value)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub true_positives: Vec<(String, String)>,
    /// Texts in which the rule must find nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub false_positives: Vec<String>,
}

impl Examples {
    /// True when there are no examples.
    pub fn is_empty(&self) -> bool {
        self.true_positives.is_empty() && self.false_positives.is_empty()
    }
}

impl RuleSpec {
    /// Starts a rule with no triggers, validator, context or examples.
    pub fn new(
        id: &str,
        name: &str,
        category: Category,
        severity: Severity,
        pattern: &str,
    ) -> Self {
        let pack = id.split('.').next().unwrap_or(id).to_string();
        let label = id
            .rsplit('.')
            .next()
            .unwrap_or(id)
            .to_ascii_uppercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        RuleSpec {
            id: id.to_string(),
            name: name.to_string(),
            category,
            pack,
            severity,
            pattern: pattern.to_string(),
            keywords: Vec::new(),
            min_digits: None,
            trigger_shape: None,
            max_len: DEFAULT_MAX_LEN,
            validator: None,
            context: None,
            allowlist: Allowlist::default(),
            confidence: default_confidence(),
            label,
            examples: Examples::default(),
        }
    }

    /// Sets the prefilter keywords.
    pub fn keywords(mut self, words: &[&str]) -> Self {
        self.keywords = words.iter().map(|w| (*w).to_string()).collect();
        self
    }

    /// Triggers the rule near runs of at least `n` digits.
    pub fn min_digits(mut self, n: usize) -> Self {
        self.min_digits = Some(n);
        self
    }

    /// Narrows the triggers to those of this shape.
    pub fn trigger_shape(mut self, shape: TriggerShape) -> Self {
        self.trigger_shape = Some(shape);
        self
    }

    /// Sets the maximum match length in bytes.
    pub fn max_len(mut self, n: usize) -> Self {
        self.max_len = n;
        self
    }

    /// Sets the validator.
    pub fn validator(mut self, v: Validator) -> Self {
        self.validator = Some(v);
        self
    }

    /// Requires one of `words` within `window` bytes of the match.
    pub fn context_required(mut self, words: &[&str], window: usize) -> Self {
        self.context = Some(ContextRule {
            words: words.iter().map(|w| (*w).to_string()).collect(),
            window,
            required: true,
            boost: 0.0,
        });
        self
    }

    /// Adds `boost` to the confidence when one of `words` is within `window` bytes.
    pub fn context_boost(mut self, words: &[&str], window: usize, boost: f32) -> Self {
        self.context = Some(ContextRule {
            words: words.iter().map(|w| (*w).to_string()).collect(),
            window,
            required: false,
            boost,
        });
        self
    }

    /// Never reports these exact values.
    pub fn allow_values(mut self, values: &[&str]) -> Self {
        self.allowlist.values = values.iter().map(|w| (*w).to_string()).collect();
        self
    }

    /// Never reports values fully matched by these regexes.
    pub fn allow_patterns(mut self, patterns: &[&str]) -> Self {
        self.allowlist.patterns = patterns.iter().map(|w| (*w).to_string()).collect();
        self
    }

    /// Sets the base confidence.
    pub fn confidence(mut self, c: f32) -> Self {
        self.confidence = c;
        self
    }

    /// Sets the placeholder label.
    pub fn label(mut self, label: &str) -> Self {
        self.label = label.to_string();
        self
    }

    /// Adds a true positive: in `text` the rule must find exactly `value`.
    pub fn tp(mut self, text: &str, value: &str) -> Self {
        self.examples
            .true_positives
            .push((text.to_string(), value.to_string()));
        self
    }

    /// Adds a false positive: in `text` the rule must find nothing.
    pub fn fp(mut self, text: &str) -> Self {
        self.examples.false_positives.push(text.to_string());
        self
    }
}
