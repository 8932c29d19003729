//! Reading the content pack's query languages just far enough to list the
//! fields a query names, and Splunk's `.conf` files.
//!
//! The tokenizers are **conservative**: they may miss a field reference in
//! a construct they do not model (a field on the right of a comparison, a
//! field inside a string), but every name they return is a field
//! reference. Each drops string literals, numbers and timespans (`1h`),
//! function names (a word before `(`), the language's keywords and the
//! names the query itself defines (`X = count()`, `count as X`, `let X`);
//! what remains must be a field the encoder sends.

use std::collections::{BTreeMap, BTreeSet};

/// A `.conf` file: stanza → key → value. `#` comments; a line ending in
/// `\` continues on the next (savedsearches.conf's multi-line searches).
pub(crate) fn read_conf(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut stanza = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let mut line = line.trim_end().to_owned();
        while line.ends_with('\\') {
            line.pop();
            line.push('\n');
            line.push_str(lines.next().unwrap_or_default().trim_end());
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            stanza = name.to_owned();
            out.entry(stanza.clone()).or_default();
            continue;
        }
        let (key, value) = trimmed
            .split_once('=')
            .unwrap_or_else(|| panic!("not `key = value` in [{stanza}]: {trimmed}"));
        out.entry(stanza.clone())
            .or_default()
            .insert(key.trim().to_owned(), value.trim().to_owned());
    }
    out
}

/// A token of a query: a word (letters, digits, `_`, `.`, `@`, `{}`), or
/// one punctuation character. Strings and comments are dropped; a string
/// leaves a `"` token, so the word before it is still seen as compared.
fn tokens(query: &str, word_char: impl Fn(char) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' || c == '`' {
            for d in chars.by_ref() {
                if d == c {
                    break;
                }
            }
            out.push("\"".to_owned());
        } else if c == '/' && chars.peek() == Some(&'/') {
            for d in chars.by_ref() {
                if d == '\n' {
                    break;
                }
            }
        } else if word_char(c) {
            let mut w = c.to_string();
            while let Some(&d) = chars.peek() {
                if !word_char(d) {
                    break;
                }
                w.push(d);
                chars.next();
            }
            out.push(w);
        } else if !c.is_whitespace() {
            out.push(c.to_string());
        }
    }
    out
}

fn is_name(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '@')
}

const KQL_KEYWORDS: &[&str] = &[
    "let",
    "where",
    "summarize",
    "by",
    "and",
    "or",
    "not",
    "extend",
    "project",
    "render",
    "timechart",
    "top",
    "desc",
    "asc",
    "between",
    "in",
    "has",
    "contains",
    "true",
    "false",
    "sort",
    "order",
    "take",
    "limit",
    "count",
    "distinct",
    "join",
    "on",
    "kind",
];

/// The columns a KQL query names (Sentinel rules and hunting queries).
/// `tables` are the table names it may read.
pub(crate) fn kql_fields(query: &str, tables: &[&str]) -> BTreeSet<String> {
    let t = tokens(query, |c| c.is_ascii_alphanumeric() || c == '_');
    let mut defined: BTreeSet<&str> = BTreeSet::new();
    for (i, w) in t.iter().enumerate() {
        let next = t.get(i + 1).map(String::as_str);
        let after = t.get(i + 2).map(String::as_str);
        // `X = …` (not `==`) defines X; so does `let X`.
        if is_name(w) && next == Some("=") && after != Some("=") {
            defined.insert(w);
        }
        if w == "let"
            && let Some(n) = next
        {
            defined.insert(n);
        }
    }
    let mut out = BTreeSet::new();
    for (i, w) in t.iter().enumerate() {
        let next = t.get(i + 1).map(String::as_str);
        if !is_name(w)
            || next == Some("(")
            || KQL_KEYWORDS.contains(&w.as_str())
            || tables.contains(&w.as_str())
            || defined.contains(w.as_str())
        {
            continue;
        }
        out.insert(w.clone());
    }
    out
}

/// Search-command options that look like `field=value` but are not fields.
const SPL_OPTIONS: &[&str] = &[
    "index",
    "sourcetype",
    "source",
    "host",
    "earliest",
    "latest",
    "limit",
    "span",
    "showperc",
    "countfield",
    "percentfield",
];
const SPL_KEYWORDS: &[&str] = &[
    "by",
    "as",
    "and",
    "or",
    "not",
    "AND",
    "OR",
    "NOT",
    "count",
    "over",
    "stats",
    "top",
    "rare",
    "timechart",
    "chart",
    "where",
    "eval",
    "table",
    "sort",
    "head",
    "search",
    "dedup",
    "fields",
];

/// The fields an SPL search names. Values on the right of `=`, `!=`, `<`,
/// `>` are values, not fields; `as X` and `eval X=` define X; macros in
/// backticks are dropped (check them against macros.conf separately).
pub(crate) fn spl_fields(search: &str) -> BTreeSet<String> {
    let t = tokens(search, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '{' | '}')
    });
    let mut defined: BTreeSet<&str> = BTreeSet::new();
    for (i, w) in t.iter().enumerate() {
        if matches!(w.as_str(), "as" | "AS" | "eval")
            && let Some(n) = t.get(i + 1)
        {
            defined.insert(n);
        }
    }
    let mut out = BTreeSet::new();
    for (i, w) in t.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| t.get(j)).map(String::as_str);
        let next = t.get(i + 1).map(String::as_str);
        let compared = matches!(prev, Some("=" | "<" | ">"));
        if !is_name(w)
            || compared
            || prev == Some("|")
            || next == Some("(")
            || SPL_KEYWORDS.contains(&w.as_str())
            || defined.contains(w.as_str())
            || (SPL_OPTIONS.contains(&w.as_str()) && next == Some("="))
        {
            continue;
        }
        out.insert(w.clone());
    }
    out
}

/// The macros (`` `name` ``) an SPL search uses.
pub(crate) fn spl_macros(search: &str) -> Vec<String> {
    search
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|m| m.split('(').next().unwrap_or_default().to_owned())
        .collect()
}

/// The fields a Kibana KQL (kuery) query names: every word before a `:`.
pub(crate) fn kuery_fields(query: &str) -> BTreeSet<String> {
    let t = tokens(query, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@')
    });
    t.windows(2)
        .filter(|w| w[1] == ":" && is_name(&w[0]))
        .map(|w| w[0].clone())
        .collect()
}

#[test]
fn the_tokenizers_find_fields_and_nothing_else() {
    let kql = kql_fields(
        "let b = toscalar(T_CL | summarize avg(n));\nT_CL // a comment with verdict\n| where x == \"user_id\" and TimeGenerated > ago(1h)\n| summarize N = count() by y, bin(TimeGenerated, 1h)\n| where N > 3 * b",
        &["T_CL"],
    );
    assert_eq!(
        kql.into_iter().collect::<Vec<_>>(),
        ["TimeGenerated", "n", "x", "y"]
    );
    let spl = spl_fields(
        "`m` record_type=event verdict!=\"allow\" earliest=-24h | stats count as c by a.b, d{}.e | where c > 50 | top limit=10 u",
    );
    assert_eq!(
        spl.into_iter().collect::<Vec<_>>(),
        ["a.b", "d{}.e", "record_type", "u", "verdict"]
    );
    assert_eq!(spl_macros("`m` x | `n(1)`"), ["m", "n"]);
    assert_eq!(
        kuery_fields("event.dataset : \"a:b\" and not user.id:x")
            .into_iter()
            .collect::<Vec<_>>(),
        ["event.dataset", "user.id"]
    );
    let conf = read_conf("# c\n[s 1]\nsearch = a \\\n| b\nk=v\n[t]\n");
    assert_eq!(conf["s 1"]["search"], "a \n| b");
    assert_eq!(conf["s 1"]["k"], "v");
    assert!(conf["t"].is_empty());
}
