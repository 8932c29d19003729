//! A [`RuleSpec`] turned into something that can scan: its regex, allowlist
//! and context words compiled once, so the scanner's inner loop only asks
//! questions.

use super::{RuleSpec, validators};
use crate::{Error, Result};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;

/// Largest pattern text accepted, in bytes. Larger ones are a policy error
/// rather than a slow compile.
pub const MAX_PATTERN_LEN: usize = 8 * 1024;

/// Largest compiled automaton per rule. The regex engine is linear in the
/// input whatever the pattern, but its size is bounded here so one custom
/// rule cannot make every scan slow or exhaust memory.
const NFA_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// How a pattern's classes are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Built-in rules: `\d \w \s \b` and `(?i)` are ASCII-only. This is both
    /// what those data shapes mean (an SSN is ASCII digits) and what keeps the
    /// fast engines in play on non-ASCII text.
    Ascii,
    /// Custom rules from a policy: the `regex` crate's Unicode defaults.
    Unicode,
}

/// A rule ready to scan.
#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub(crate) spec: RuleSpec,
    pub(crate) regex: Regex,
    /// Capture index of the `value` group, when the pattern has one.
    pub(crate) value_group: Option<usize>,
    allow_patterns: Vec<Regex>,
    /// Context words, ASCII-lowercased.
    context_words: Vec<String>,
}

fn build(pattern: &str, dialect: Dialect) -> std::result::Result<Regex, String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "pattern is {} bytes, longer than the limit of {MAX_PATTERN_LEN}",
            pattern.len()
        ));
    }
    let syntax = match dialect {
        Dialect::Ascii => syntax::Config::new().unicode(false).utf8(false),
        Dialect::Unicode => syntax::Config::new(),
    }
    .nest_limit(100);
    Regex::builder()
        .syntax(syntax)
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                .utf8_empty(dialect == Dialect::Unicode),
        )
        .build(pattern)
        .map_err(|e| e.to_string())
}

impl CompiledRule {
    /// Compiles `spec`; a bad pattern or allowlist pattern is an
    /// [`Error::Rule`] naming the rule and the regex error.
    pub(crate) fn compile(spec: RuleSpec, dialect: Dialect) -> Result<Self> {
        let rule_err = |what: &str, message: String| Error::Rule {
            rule_id: spec.id.clone(),
            message: format!("{what}: {message}"),
        };
        let regex = build(&spec.pattern, dialect).map_err(|m| rule_err("invalid regex", m))?;
        let value_group = regex
            .group_info()
            .to_index(regex_automata::PatternID::ZERO, "value");
        let allow_patterns = spec
            .allowlist
            .patterns
            .iter()
            .map(|p| {
                build(&format!("^(?:{p})$"), Dialect::Unicode)
                    .map_err(|m| rule_err(&format!("invalid allowlist pattern `{p}`"), m))
            })
            .collect::<Result<Vec<_>>>()?;
        let context_words = spec
            .context
            .as_ref()
            .map(|c| c.words.iter().map(|w| w.to_ascii_lowercase()).collect())
            .unwrap_or_default();
        if spec.max_len == 0 {
            return Err(rule_err("invalid max_len", "must be at least 1".into()));
        }
        Ok(CompiledRule {
            spec,
            regex,
            value_group,
            allow_patterns,
            context_words,
        })
    }

    /// Decides whether a candidate `value` at `start..end` of `hay` is a
    /// finding, and with what confidence. `None` drops it.
    pub(crate) fn accept(&self, hay: &str, start: usize, end: usize) -> Option<f32> {
        let value = hay.get(start..end)?;
        if value.is_empty() {
            return None;
        }
        let allow = &self.spec.allowlist;
        if allow.values.iter().any(|v| v == value)
            || self.allow_patterns.iter().any(|re| re.is_match(value))
        {
            return None;
        }
        if let Some(v) = &self.spec.validator {
            if !validators::validate(v, value) {
                return None;
            }
        }
        let mut confidence = self.spec.confidence;
        if let Some(ctx) = &self.spec.context {
            let found = self.context_near(hay, start, end, ctx.window);
            if ctx.required && !found {
                return None;
            }
            if found && !ctx.required {
                confidence = (confidence + ctx.boost).min(1.0);
            }
        }
        Some(confidence)
    }

    fn context_near(&self, hay: &str, start: usize, end: usize, window: usize) -> bool {
        let bytes = hay.as_bytes();
        let lo = start.saturating_sub(window);
        let hi = end.saturating_add(window).min(bytes.len());
        let Some(region) = bytes.get(lo..hi) else {
            return false;
        };
        self.context_words
            .iter()
            .any(|w| contains_ascii_ci(region, w.as_bytes()))
    }
}

/// ASCII-case-insensitive substring test; `needle` is already lowercase.
fn contains_ascii_ci(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    hay.windows(needle.len()).any(|w| {
        w.iter()
            .zip(needle)
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
    })
}

/// Compiles `spec` only to report whether it compiles.
pub fn check_rule(spec: &RuleSpec, dialect: Dialect) -> Result<()> {
    CompiledRule::compile(spec.clone(), dialect).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Category, Severity};

    #[test]
    fn bad_regex_names_rule_and_error() {
        let spec = RuleSpec::new("custom.bad", "Bad", Category::Custom, Severity::Low, "a(b");
        let err = CompiledRule::compile(spec, Dialect::Unicode).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("custom.bad"), "{msg}");
        assert!(msg.contains("invalid regex"), "{msg}");
    }

    #[test]
    fn oversized_regex_is_rejected() {
        let spec = RuleSpec::new(
            "custom.huge",
            "Huge",
            Category::Custom,
            Severity::Low,
            r"\w{1000}{1000}",
        );
        let err = CompiledRule::compile(spec, Dialect::Unicode).unwrap_err();
        assert!(err.to_string().contains("custom.huge"));
        let long = "a".repeat(MAX_PATTERN_LEN + 1);
        let spec = RuleSpec::new(
            "custom.long",
            "Long",
            Category::Custom,
            Severity::Low,
            &long,
        );
        let err = CompiledRule::compile(spec, Dialect::Unicode).unwrap_err();
        assert!(err.to_string().contains("longer than the limit"));
    }

    #[test]
    fn context_is_case_insensitive() {
        assert!(contains_ascii_ci(b"My SSN is", b"ssn"));
        assert!(!contains_ascii_ci(b"My SN is", b"ssn"));
    }
}
