//! A [`RuleSpec`] turned into something that can scan: its regex, allowlist
//! and context words compiled once, so the scanner's inner loop only asks
//! questions.

use super::start_facts::StartFacts;
use super::{RuleSpec, validators};
use crate::{Error, Result};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_syntax::hir::{Hir, HirKind};

/// Largest pattern text accepted, in bytes. Larger ones are a policy error
/// rather than a slow compile.
pub const MAX_PATTERN_LEN: usize = 8 * 1024;

/// Largest compiled automaton per rule, in bytes. The regex engine is linear
/// in the input whatever the pattern, but its size is bounded here so one
/// custom rule cannot make every scan slow or exhaust memory.
pub const MAX_COMPILED_REGEX_BYTES: usize = 4 * 1024 * 1024;

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

/// The part of a rule a compile error is about, so that a policy can point
/// at the field to fix rather than at the rule as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RulePart {
    /// `pattern`.
    Pattern,
    /// `allowlist.patterns[i]`.
    AllowlistPattern(usize),
    /// `max_len`.
    MaxLen,
}

/// A rule ready to scan.
#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub(crate) spec: RuleSpec,
    pub(crate) regex: Regex,
    /// Capture index of the `value` group, when the pattern has one.
    pub(crate) value_group: Option<usize>,
    /// Where its values can start (`settle.rs`).
    pub(crate) starts: StartFacts,
    /// How the pattern was read, so that a combined automaton over several
    /// rules (`gate.rs`) reads each the same way.
    pub(crate) dialect: Dialect,
    allow_patterns: Vec<Regex>,
    /// Context words, ASCII-lowercased.
    context_words: Vec<String>,
}

fn syntax_config(dialect: Dialect) -> syntax::Config {
    match dialect {
        Dialect::Ascii => syntax::Config::new().unicode(false).utf8(false),
        Dialect::Unicode => syntax::Config::new(),
    }
    .nest_limit(100)
}

/// `pattern` parsed as `dialect` reads it, within the size limits.
pub(crate) fn parse(pattern: &str, dialect: Dialect) -> std::result::Result<Hir, String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "pattern is {} bytes, longer than the limit of {MAX_PATTERN_LEN}",
            pattern.len()
        ));
    }
    syntax::parse_with(pattern, &syntax_config(dialect)).map_err(|e| parse_error(&e))
}

/// The parser's own message is several lines with a caret under the
/// pattern; problems are one line each, so say what and where instead.
fn parse_error(e: &regex_syntax::Error) -> String {
    let (what, span) = match e {
        regex_syntax::Error::Parse(e) => (e.kind().to_string(), e.span()),
        regex_syntax::Error::Translate(e) => (e.kind().to_string(), e.span()),
        other => {
            return format!(
                "regex parse error: {}",
                other.to_string().replace('\n', " ")
            );
        }
    };
    format!(
        "regex parse error at character {} of the pattern: {what}",
        span.start.column
    )
}

fn build(hir: &Hir, dialect: Dialect) -> std::result::Result<Regex, String> {
    Regex::builder()
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(MAX_COMPILED_REGEX_BYTES))
                .utf8_empty(dialect == Dialect::Unicode)
                // A rule's regex searches short windows, which the lazy
                // DFA does as fast (callgrind: 203 M instructions per pass
                // of real text either way); a full DFA built up front for
                // each rule only made compiling slower (146 → 135 ms).
                .dfa(false),
        )
        .build_from_hir(hir)
        .map_err(|e| match e.size_limit() {
            // The engine's own message is only "error building NFA".
            Some(limit) => format!(
                "the compiled regex is larger than the limit of {limit} bytes; make it smaller: \
                 bound counted repetitions (`\\w{{1000}}` compiles a thousand copies of `\\w`), \
                 prefer ASCII classes (`[0-9]`, `(?-u:\\w)`) to Unicode ones, \
                 or split the rule in two"
            ),
            None => e.to_string(),
        })
}

fn compile_pattern(pattern: &str, dialect: Dialect) -> std::result::Result<Regex, String> {
    build(&parse(pattern, dialect)?, dialect)
}

/// The rule's own regex, and the index of its `value` group. A pattern that
/// can only match the empty string is refused: the scanner drops empty
/// matches, so the rule would be accepted and never report anything.
fn compile_rule_pattern(
    pattern: &str,
    dialect: Dialect,
    keywords: &[String],
) -> std::result::Result<(Regex, Option<usize>, StartFacts), String> {
    if pattern.is_empty() {
        return Err("pattern is empty; give a regex that matches the values to find".into());
    }
    let hir = parse(pattern, dialect)?;
    if hir.properties().maximum_len() == Some(0) {
        return Err(
            "pattern matches only the empty string, so the rule would never report anything".into(),
        );
    }
    if find_capture(&hir, VALUE_GROUP)
        .is_some_and(|group| group.properties().maximum_len() == Some(0))
    {
        return Err(format!(
            "the `{VALUE_GROUP}` group matches only the empty string, so the rule would never report anything"
        ));
    }
    let regex = build(&hir, dialect)?;
    let value_group = regex
        .group_info()
        .to_index(regex_automata::PatternID::ZERO, VALUE_GROUP);
    // What is reported is the value group's match when there is one, so
    // its start is the one that counts.
    let group = find_capture(&hir, VALUE_GROUP).map(|g| (g, VALUE_GROUP));
    let starts = StartFacts::of(&hir, group, keywords);
    Ok((regex, value_group, starts))
}

/// The capture group whose match is the reported value.
const VALUE_GROUP: &str = "value";

/// The sub-expression of the capture group `name`, if the pattern has one.
/// Recursion is bounded by the parser's nest limit.
pub(crate) fn find_capture<'h>(hir: &'h Hir, name: &str) -> Option<&'h Hir> {
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some(name) => Some(&c.sub),
        HirKind::Capture(c) => find_capture(&c.sub, name),
        HirKind::Repetition(r) => find_capture(&r.sub, name),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().find_map(|h| find_capture(h, name))
        }
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => None,
    }
}

fn allowlist_regex(pattern: &str) -> std::result::Result<Regex, String> {
    compile_pattern(&format!("^(?:{pattern})$"), Dialect::Unicode)
}

/// Allowlist patterns compiled so far, by pattern.
#[derive(Default)]
pub(crate) struct AllowlistRegexes(std::collections::HashMap<String, Regex>);

impl AllowlistRegexes {
    /// The regex of allowlist `pattern`, compiled on first use.
    fn get(&mut self, pattern: &str) -> std::result::Result<Regex, String> {
        if let Some(re) = self.0.get(pattern) {
            return Ok(re.clone());
        }
        let re = allowlist_regex(pattern)?;
        self.0.insert(pattern.to_owned(), re.clone());
        Ok(re)
    }
}

fn rule_error(spec: &RuleSpec, what: &str, message: String) -> Error {
    Error::Rule {
        rule_id: spec.id.clone(),
        message: format!("{what}: {message}"),
    }
}

fn allowlist_error(spec: &RuleSpec, pattern: &str, message: String) -> Error {
    rule_error(
        spec,
        &format!("invalid allowlist pattern `{pattern}`"),
        message,
    )
}

impl CompiledRule {
    /// Compiles `spec`; a bad pattern or allowlist pattern is an
    /// [`Error::Rule`] naming the rule and the regex error.
    pub(crate) fn compile(spec: RuleSpec, dialect: Dialect) -> Result<Self> {
        Self::compile_sharing(spec, dialect, &mut AllowlistRegexes::default())
    }

    /// [`CompiledRule::compile`], taking allowlist patterns another rule
    /// already compiled from `shared` (the built-in rules hold 355
    /// allowlist patterns, 54 of them different).
    pub(crate) fn compile_sharing(
        spec: RuleSpec,
        dialect: Dialect,
        shared: &mut AllowlistRegexes,
    ) -> Result<Self> {
        let (regex, value_group, starts) =
            compile_rule_pattern(&spec.pattern, dialect, &spec.keywords)
                .map_err(|m| rule_error(&spec, "invalid regex", m))?;
        let allow_patterns = spec
            .allowlist
            .patterns
            .iter()
            .map(|p| shared.get(p).map_err(|m| allowlist_error(&spec, p, m)))
            .collect::<Result<Vec<_>>>()?;
        let context_words = spec
            .context
            .as_ref()
            .map(|c| c.words.iter().map(|w| w.to_ascii_lowercase()).collect())
            .unwrap_or_default();
        if spec.max_len == 0 {
            return Err(max_len_error(&spec));
        }
        Ok(CompiledRule {
            spec,
            regex,
            value_group,
            starts,
            dialect,
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
        if let Some(v) = &self.spec.validator
            && !validators::validate(v, value)
        {
            return None;
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

fn max_len_error(spec: &RuleSpec) -> Error {
    rule_error(spec, "invalid max_len", "must be at least 1".into())
}

/// Compiles `spec` only to report whether it compiles.
pub fn check_rule(spec: &RuleSpec, dialect: Dialect) -> Result<()> {
    CompiledRule::compile(spec.clone(), dialect).map(|_| ())
}

/// Every reason `spec` does not compile, each with the part it is about
/// (where [`check_rule`] stops at the first).
pub(crate) fn rule_problems(spec: &RuleSpec, dialect: Dialect) -> Vec<(RulePart, Error)> {
    let mut problems = Vec::new();
    if let Err(m) = compile_rule_pattern(&spec.pattern, dialect, &spec.keywords) {
        problems.push((RulePart::Pattern, rule_error(spec, "invalid regex", m)));
    }
    for (i, p) in spec.allowlist.patterns.iter().enumerate() {
        if let Err(m) = allowlist_regex(p) {
            problems.push((RulePart::AllowlistPattern(i), allowlist_error(spec, p, m)));
        }
    }
    if spec.max_len == 0 {
        problems.push((RulePart::MaxLen, max_len_error(spec)));
    }
    problems
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
        let msg = err.to_string();
        assert!(msg.contains("custom.huge"), "{msg}");
        assert!(
            msg.contains(&format!("limit of {MAX_COMPILED_REGEX_BYTES} bytes")),
            "{msg}"
        );
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
    fn parse_errors_are_one_line_and_say_where() {
        let spec = RuleSpec::new("custom.bad", "Bad", Category::Custom, Severity::Low, "ab[c");
        let msg = CompiledRule::compile(spec, Dialect::Ascii)
            .unwrap_err()
            .to_string();
        assert!(!msg.contains('\n'), "{msg}");
        assert!(msg.contains("at character 3"), "{msg}");
        assert!(msg.contains("unclosed character class"), "{msg}");
    }

    #[test]
    fn patterns_that_only_match_empty_are_refused_with_their_part() {
        let rule = |p: &str| RuleSpec::new("custom.e", "E", Category::Custom, Severity::Low, p);
        for p in ["", "(?:)", "$", r"\b(?:)\b", "x{0}", "a(?P<value>b{0})"] {
            let problems = rule_problems(&rule(p), Dialect::Unicode);
            assert_eq!(problems.len(), 1, "{p:?}");
            assert_eq!(problems[0].0, RulePart::Pattern, "{p:?}");
            assert!(problems[0].1.to_string().contains("empty"), "{p:?}");
        }
        for p in ["x?", "(?P<value>x*)y", r"\bfoo\b"] {
            assert!(
                rule_problems(&rule(p), Dialect::Unicode).is_empty(),
                "{p:?}"
            );
        }
        let mut spec = rule("x").allow_patterns(&["ok", "(", "fine"]);
        spec.max_len = 0;
        let parts: Vec<RulePart> = rule_problems(&spec, Dialect::Ascii)
            .into_iter()
            .map(|(part, _)| part)
            .collect();
        assert_eq!(parts, [RulePart::AllowlistPattern(1), RulePart::MaxLen]);
    }

    #[test]
    fn context_is_case_insensitive() {
        assert!(contains_ascii_ci(b"My SSN is", b"ssn"));
        assert!(!contains_ascii_ci(b"My SN is", b"ssn"));
    }
}
