//! Reading one custom rule of a policy document (`custom_rules[i]`), with
//! each problem at the field it is about.

use super::document::{CATEGORIES, SEVERITIES, parse_category};
use super::reader::{Obj, Problems};
use crate::dlp::{Allowlist, ContextRule, DEFAULT_MAX_LEN, RuleSpec, Validator};
use crate::schema::{Category, Severity};
use serde_json::Value;

const CUSTOM_RULE: &[&str] = &[
    "id",
    "name",
    "category",
    "severity",
    "pattern",
    "keyword_list",
    "keywords",
    "min_digits",
    "max_len",
    "validator",
    "context",
    "allowlist",
    "confidence",
    "label",
];

pub(super) fn read_custom_rule(v: &Value, path: String, p: &mut Problems) -> Option<RuleSpec> {
    let o = Obj::new(Some(v), path, CUSTOM_RULE, p);
    let before = p.0.len();
    let id = o.string("id", p);
    match &id {
        None if o.get("id").is_none() => {
            p.push(o.path_of("id"), "missing; every custom rule needs an id")
        }
        Some(id)
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) =>
        {
            p.push(
                o.path_of("id"),
                format!("`{id}` is not a valid rule id: use letters, digits, `.`, `_`, `-`"),
            );
        }
        _ => {}
    }
    let severity = o.word("severity", Severity::parse, SEVERITIES, p);
    if severity.is_none() && o.get("severity").is_none() {
        p.push(
            o.path_of("severity"),
            "missing; expected one of: low, medium, high, critical",
        );
    }
    let category = o
        .word("category", parse_category, CATEGORIES, p)
        .unwrap_or(Category::Custom);
    let keyword_list = o.strings("keyword_list", p);
    let pattern = match (o.string("pattern", p), keyword_list.is_empty()) {
        (Some(pat), true) => Some(pat),
        (None, false) => {
            // Whole words, case-insensitively: `(?i)\b(?:alpha|beta)\b`.
            let words: Vec<String> = keyword_list
                .iter()
                .map(|(_, w)| regex_syntax::escape(w))
                .collect();
            Some(format!(r"(?i)\b(?:{})\b", words.join("|")))
        }
        (Some(_), false) => {
            p.push(o.path(), "has both `pattern` and `keyword_list`; give one");
            None
        }
        (None, true) => {
            p.push(
                o.path(),
                "needs a `pattern` (a regex) or a non-empty `keyword_list`",
            );
            None
        }
    };
    for (path, w) in &keyword_list {
        if w.trim().is_empty() {
            p.push(path, "keyword must not be empty");
        }
    }
    let keyword_items = o.strings("keywords", p);
    for (path, k) in &keyword_items {
        if k.is_empty() {
            p.push(path, "keyword must not be empty");
        } else if !k.is_ascii() {
            // The prefilter finds keywords ASCII-case-insensitively, byte by
            // byte; it cannot promise that a Unicode `(?i)` match contains a
            // non-ASCII keyword, so such a keyword would silently be ignored.
            p.push(
                path,
                format!(
                    "keyword `{k}` is not ASCII; keywords must be ASCII: use an ASCII part \
                     that every match contains, or leave `keywords` out"
                ),
            );
        }
    }
    let mut keywords: Vec<String> = keyword_items.into_iter().map(|(_, s)| s).collect();
    if keywords.is_empty() && o.get("keywords").is_none() {
        keywords = keyword_list.iter().map(|(_, w)| w.clone()).collect();
    }
    let min_digits = o
        .unsigned("min_digits", p)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let max_len = o
        .unsigned("max_len", p)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let validator: Option<Validator> = o.typed("validator", p);
    let context: Option<ContextRule> = o.typed("context", p);
    let allowlist: Option<Allowlist> = o.typed("allowlist", p);
    let confidence = o.get("confidence").and_then(|c| {
        let f = c.as_f64().filter(|f| (0.0..=1.0).contains(f));
        if f.is_none() {
            p.push(o.path_of("confidence"), "expected a number from 0.0 to 1.0");
        }
        f
    });
    let label = o.string("label", p);
    if p.0.len() > before {
        return None;
    }
    let id = id?;
    let name = o.string("name", p).unwrap_or_else(|| id.clone());
    let mut rule = RuleSpec::new(&id, &name, category, severity?, &pattern?);
    rule.pack = "custom".into();
    rule.keywords = keywords;
    rule.min_digits = min_digits;
    rule.max_len = max_len.unwrap_or(DEFAULT_MAX_LEN * 2);
    rule.validator = validator;
    rule.context = context;
    rule.allowlist = allowlist.unwrap_or_default();
    if let Some(c) = confidence {
        rule.confidence = c as f32;
    }
    if let Some(l) = label {
        rule.label = l;
    }
    // Check the regexes here, where the rule's path is known, each problem
    // at the field it is about.
    use crate::dlp::RulePart;
    let problems = crate::dlp::rule_problems(&rule, crate::dlp::Dialect::Unicode);
    for (part, e) in &problems {
        let path = match part {
            RulePart::Pattern if o.get("pattern").is_none() => o.path_of("keyword_list"),
            RulePart::Pattern => o.path_of("pattern"),
            RulePart::AllowlistPattern(i) => {
                let list = super::reader::child(&o.path_of("allowlist"), "patterns");
                super::reader::index(&list, *i)
            }
            RulePart::MaxLen => o.path_of("max_len"),
        };
        p.push(path, e.to_string());
    }
    problems.is_empty().then_some(rule)
}
