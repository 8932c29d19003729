//! Runs every rule of the pack against its own examples through a reference
//! model of the scanner: the pattern compiled in the scanner's dialect
//! (regex-automata meta, ASCII, not UTF-8), the prefilter windows, the
//! `value` group, allowlists, required context, and the two validators this
//! pack uses (entropy and JWT). The scanner's own tests run the same
//! examples through the real thing.

use super::rules;
use crate::dlp::{RuleSpec, Validator};
use crate::schema::Category;
use regex_automata::Input;
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use std::collections::HashSet;
use std::ops::Range;

fn compile(pattern: &str) -> Regex {
    Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build(pattern)
        .unwrap_or_else(|e| panic!("pattern {pattern:?} does not compile: {e}"))
}

struct Rule {
    spec: RuleSpec,
    regex: Regex,
    allow: Vec<Regex>,
}

impl Rule {
    fn new(spec: RuleSpec) -> Self {
        let regex = compile(&spec.pattern);
        let allow = spec
            .allowlist
            .patterns
            .iter()
            .map(|p| compile(&format!("^(?:{p})$")))
            .collect();
        Rule { spec, regex, allow }
    }
}

fn all_rules() -> Vec<Rule> {
    rules().into_iter().map(Rule::new).collect()
}

/// One regex match: the whole match and the reported part (`value` group).
struct Found {
    whole: Range<usize>,
    value: Range<usize>,
}

fn find_in(rule: &Rule, text: &str, span: Range<usize>) -> Vec<Found> {
    let input = Input::new(text).span(span);
    rule.regex
        .captures_iter(input)
        .filter_map(|caps| {
            let whole = caps.get_match()?.range();
            let value = caps
                .get_group_by_name("value")
                .map_or(whole.clone(), |s| s.range());
            Some(Found { whole, value })
        })
        .collect()
}

/// Where the prefilter lets the regex run: `max_len` bytes around each
/// keyword occurrence and each run of `min_digits` digits.
fn trigger_windows(spec: &RuleSpec, text: &str) -> Vec<Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let mut triggers = Vec::new();
    for word in &spec.keywords {
        let word = word.to_ascii_lowercase();
        triggers.extend(lower.match_indices(&word).map(|(at, w)| at..at + w.len()));
    }
    if let Some(n) = spec.min_digits {
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let run = bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if run >= n {
                triggers.push(at..at + run);
            }
            at += run.max(1);
        }
    }
    triggers
        .into_iter()
        .map(|t| {
            let mut lo = t.start.saturating_sub(spec.max_len);
            let mut hi = (t.end + spec.max_len).min(text.len());
            while !text.is_char_boundary(lo) {
                lo -= 1;
            }
            while !text.is_char_boundary(hi) {
                hi += 1;
            }
            lo..hi
        })
        .collect()
}

/// How context words are looked for: strictly beside the value (what a true
/// positive must satisfy) or anywhere in the span around and over it (what
/// a false positive must fail even so).
#[derive(Clone, Copy)]
enum Reading {
    Beside,
    Spanning,
}

fn context_found(spec: &RuleSpec, text: &str, value: &Range<usize>, reading: Reading) -> bool {
    let Some(ctx) = spec.context.as_ref().filter(|c| c.required) else {
        return true;
    };
    let lower = text.as_bytes().to_ascii_lowercase();
    let lo = value.start.saturating_sub(ctx.window);
    let hi = (value.end + ctx.window).min(text.len());
    let found_in = |r: Range<usize>| {
        ctx.words.iter().any(|w| {
            let w = w.to_ascii_lowercase();
            lower[r.clone()].windows(w.len()).any(|s| s == w.as_bytes())
        })
    };
    match reading {
        Reading::Beside => found_in(lo..value.start) || found_in(value.end..hi),
        Reading::Spanning => found_in(lo..hi),
    }
}

fn shannon_bits_per_char(value: &str) -> f64 {
    let chars: Vec<char> = value.chars().collect();
    if chars.is_empty() {
        return 0.0;
    }
    let mut counts = std::collections::HashMap::new();
    for c in &chars {
        *counts.entry(*c).or_insert(0usize) += 1;
    }
    let n = chars.len() as f64;
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = Vec::new();
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
        }
    }
    Some(out)
}

fn jwt_header_has_alg(value: &str) -> bool {
    let header = value.split('.').next().unwrap_or("");
    base64url_decode(header)
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|json| json.get("alg").is_some())
}

fn validator_passes(validator: &Validator, value: &str) -> bool {
    match validator {
        Validator::Entropy { min_bits_per_char } => {
            shannon_bits_per_char(value) >= *min_bits_per_char
        }
        Validator::Jwt => jwt_header_has_alg(value),
        other => panic!("no reference model for {other:?}: add one if the pack starts using it"),
    }
}

fn reportable(rule: &Rule, text: &str, found: &Found, reading: Reading) -> bool {
    let value = &text[found.value.clone()];
    let allowlisted = rule.spec.allowlist.values.iter().any(|v| v == value)
        || rule.allow.iter().any(|re| re.is_match(value));
    !allowlisted
        && context_found(&rule.spec, text, &found.value, reading)
        && rule
            .spec
            .validator
            .as_ref()
            .is_none_or(|v| validator_passes(v, value))
}

fn fail_on(failures: &[String]) {
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn pack_is_well_formed() {
    let rules = rules();
    assert!(rules.len() >= 38, "only {} rules", rules.len());
    let mut ids = HashSet::new();
    let mut failures = Vec::new();
    for r in &rules {
        let id = &r.id;
        if !ids.insert(id.clone()) {
            failures.push(format!("{id}: duplicate id"));
        }
        let snake = id.strip_prefix("secrets.").is_some_and(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
        if !snake || r.pack != "secrets" || r.category != Category::Secret {
            failures.push(format!("{id}: id, pack or category is off"));
        }
        if r.label.is_empty()
            || !r
                .label
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            failures.push(format!("{id}: label {:?} is not upper-case", r.label));
        }
        if r.examples.true_positives.len() < 2 || r.examples.false_positives.len() < 2 {
            failures.push(format!("{id}: needs two true and two false positives"));
        }
        // A rule with no trigger would run its regex over every text.
        if r.keywords.iter().all(|k| k.is_empty()) && r.min_digits.is_none() {
            failures.push(format!("{id}: no keyword or digit trigger"));
        }
        if !(r.confidence > 0.0 && r.confidence <= 1.0) {
            failures.push(format!("{id}: confidence {} out of range", r.confidence));
        }
    }
    fail_on(&failures);
}

#[test]
fn true_positives_are_found_through_the_prefilter() {
    let mut failures = Vec::new();
    for rule in all_rules() {
        let spec = &rule.spec;
        for (text, expected) in &spec.examples.true_positives {
            let whole_text = find_in(&rule, text, 0..text.len());
            let Some(found) = whole_text
                .iter()
                .find(|f| &text[f.value.clone()] == expected)
            else {
                let got: Vec<&str> = whole_text.iter().map(|f| &text[f.value.clone()]).collect();
                failures.push(format!(
                    "{}: {text:?}: wanted {expected:?}, got {got:?}",
                    spec.id
                ));
                continue;
            };
            if !reportable(&rule, text, found, Reading::Beside) {
                failures.push(format!(
                    "{}: {expected:?} is matched but filtered out",
                    spec.id
                ));
            }
            let whole = &text[found.whole.clone()];
            if whole.len() > spec.max_len {
                failures.push(format!(
                    "{}: match of {} bytes > max_len",
                    spec.id,
                    whole.len()
                ));
            }
            let lower = whole.to_ascii_lowercase();
            let has_keyword = spec
                .keywords
                .iter()
                .any(|k| lower.contains(&k.to_ascii_lowercase()));
            let has_digits = spec.min_digits.is_some_and(|n| {
                whole
                    .as_bytes()
                    .split(|b| !b.is_ascii_digit())
                    .any(|run| run.len() >= n)
            });
            if !has_keyword && !has_digits {
                failures.push(format!("{}: match {whole:?} contains no trigger", spec.id));
            }
            let windowed = trigger_windows(spec, text).into_iter().any(|w| {
                find_in(&rule, text, w)
                    .iter()
                    .any(|f| &text[f.value.clone()] == expected)
            });
            if !windowed {
                failures.push(format!(
                    "{}: {expected:?} is lost in the prefilter windows",
                    spec.id
                ));
            }
        }
    }
    fail_on(&failures);
}

#[test]
fn false_positives_are_not_reported() {
    let mut failures = Vec::new();
    for rule in all_rules() {
        for text in &rule.spec.examples.false_positives {
            for found in find_in(&rule, text, 0..text.len()) {
                if reportable(&rule, text, &found, Reading::Spanning) {
                    failures.push(format!(
                        "{}: {text:?} reports {:?}",
                        rule.spec.id, &text[found.value]
                    ));
                }
            }
        }
    }
    fail_on(&failures);
}

#[test]
fn reference_validators_behave() {
    assert_eq!(shannon_bits_per_char("aaaa"), 0.0);
    assert_eq!(shannon_bits_per_char("abab"), 1.0);
    assert!(jwt_header_has_alg("eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln"));
    assert!(!jwt_header_has_alg("eyJ0eXAiOiJKV1QifQ.eyJ4IjoxfQ.c2ln"));
    assert!(!jwt_header_has_alg("eyJ!.eyJ4IjoxfQ.c2ln"));
}
