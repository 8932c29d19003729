//! The `secrets` pack: credentials that grant access to a system. Vendor keys
//! and tokens with a published shape, private keys, JWTs, and passwords in
//! URLs, connection strings and `key = value` assignments.
//!
//! Vendor shapes come from each vendor's documentation and from the public
//! gitleaks rule set (`config/gitleaks.toml` in github.com/gitleaks/gitleaks);
//! each rule names its source. Every example value in this pack is either
//! made up (most spell `FAKE`, `Example` or `TestOnly` inside the token) or a
//! published documentation sample (AWS's `AKIAIOSFODNN7EXAMPLE`, jwt.io's
//! token); none grants anything.
//!
//! Severity follows one line: live keys and tokens that grant access, and
//! private keys, are `critical`; test-mode keys, JWTs, webhook URLs and
//! passwords found by shape alone (URLs, connection strings, assignments) are
//! `high`; identifiers that are not secret on their own are `medium`.

mod ai;
mod azure;
mod cloud;
mod cloud_providers;
mod code_platforms;
mod commerce;
mod credentials;
mod devops;
mod govstream;
mod keys;
mod messaging;
mod named;
mod observability;
mod placed;
mod platforms;
mod saas;
mod social;

use crate::dlp::{RuleSpec, Validator};
use crate::schema::{Category, Severity};

/// The rules of the `secrets` pack.
pub(super) fn rules() -> Vec<RuleSpec> {
    let mut rules = cloud::rules();
    rules.extend(cloud_providers::rules());
    rules.extend(azure::rules());
    rules.extend(code_platforms::rules());
    rules.extend(devops::rules());
    rules.extend(ai::rules());
    rules.extend(messaging::rules());
    rules.extend(commerce::rules());
    rules.extend(saas::rules());
    rules.extend(observability::rules());
    rules.extend(platforms::rules());
    rules.extend(social::rules());
    rules.extend(keys::rules());
    rules.extend(govstream::rules());
    rules.extend(placed::rules());
    rules.extend(credentials::rules());
    rules.extend(named::rules());
    rules
}

/// What sits between a key's name and its value in the name-anchored
/// vendor rules: a closing quote or bracket (`$cfg["dd_api_key"] =`), then
/// `=`, `:`, `=>`, `:=` or only blanks (`--account-key KEY`), or the
/// value half of a name/value pair: Kubernetes `env` entries
/// (`- name: DD_API_KEY` / `value: "…"`) and .NET `appSettings`
/// (`<add key="…" value="…" />`); then an opening quote. It is spliced into
/// patterns with `format!`, so it holds no braces.
const ASSIGN: &str = r#"["'\]]{0,2}(?:[ \t]*(?:=>|:=|[:=])[ \t]*|[ \t]+|[ \t]+value=|[ \t]*\r?\n[ \t]*-?[ \t]*value:[ \t]*)["'`]?"#;

/// Starts a rule of this pack: `name` becomes the id `secrets.<name>`.
fn secret(name: &str, title: &str, severity: Severity, pattern: &str) -> RuleSpec {
    RuleSpec::new(
        &format!("secrets.{name}"),
        title,
        Category::Secret,
        severity,
        pattern,
    )
}

/// A vendor token found by the prefix its vendor documents: `critical`,
/// triggered by `keywords` (the prefixes, lower-cased), with the pack's
/// shape check for prefixed tokens at a floor of 3 bits per character (hex
/// bodies reach 4).
fn prefixed(
    name: &str,
    title: &str,
    pattern: &str,
    keywords: &[&str],
    max_len: usize,
    label: &str,
) -> RuleSpec {
    secret(name, title, Severity::Critical, pattern)
        .keywords(keywords)
        .max_len(max_len)
        .validator(token_entropy(3.0))
        .label(label)
}

/// A vendor key without a prefix of its own, found by a vendor word
/// (`words`, a regex alternation) up to 64 bytes before it, with any
/// characters but a line break in between; `value` is the key's own
/// pattern. Used for keys that are only 32–64 characters of one alphabet,
/// which would be everywhere without the word.
fn near_word(words: &str, value: &str) -> String {
    format!(r"(?i:{words})[^\r\n]{{0,64}}?[^A-Za-z0-9_](?P<value>{value})(?:[^A-Za-z0-9_-]|$)")
}

/// Rejects values that have a token's shape but not its randomness:
/// placeholders, masks and template references (`XXXX…`, `${VAR}`,
/// `<token>`), keyboard-order runs and repeats (`0000…`, `abcdef…`), and
/// values below `min_bits_per_char` of entropy. Every rule of the pack that
/// judges randomness goes through this one check (`validators::secret_value`).
fn entropy(min_bits_per_char: f64) -> Validator {
    Validator::SecretValue {
        min_bits_per_char,
        keyboard_runs: true,
    }
}

/// [`entropy`] for tokens that carry their vendor's prefix: the same
/// checks except keyboard-order runs, because `ghp_` + 36 says what the
/// value is and a run there is a hand-made test token, not a stand-in.
fn token_entropy(min_bits_per_char: f64) -> Validator {
    Validator::SecretValue {
        min_bits_per_char,
        keyboard_runs: false,
    }
}
