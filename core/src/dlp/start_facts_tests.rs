//! Tests of what `start_facts.rs` reads from a pattern.

use super::strings::{count_bound, list_strings, run_strings};
use super::*;
use crate::dlp::compiled::{Dialect, parse};

fn facts(pattern: &str, keywords: &[&str]) -> StartFacts {
    let hir = parse(pattern, Dialect::Ascii).unwrap();
    let keywords: Vec<String> = keywords.iter().map(|k| (*k).to_string()).collect();
    let value = find_value(&hir).map(|g| (g, "value"));
    StartFacts::of(&hir, value, &keywords)
}

fn find_value(hir: &Hir) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some("value") => Some(hir),
        HirKind::Capture(c) => find_value(&c.sub),
        HirKind::Repetition(r) => find_value(&r.sub),
        HirKind::Concat(s) | HirKind::Alternation(s) => s.iter().find_map(find_value),
        _ => None,
    }
}

#[test]
fn prefixed_tokens_start_with_their_prefix() {
    let f = facts(r"\bghp_[A-Za-z0-9]{36}\b", &["ghp_"]);
    assert_eq!(f.value, Some(vec![b"ghp_".to_vec()]));
    assert_eq!(f.lead, Some(4));
    assert!(f.keyword_inside);
    // Too many ways to start: no list.
    assert_eq!(facts(r"[A-Za-z0-9]{20}", &[]).value, None);
}

#[test]
fn a_keyword_before_the_value_is_seen_through_case_and_alternatives() {
    let bearer = facts(
        r"(?i)\bbearer[ \t]+(?P<value>[A-Za-z0-9._~+/-]{20,}=*)",
        &["bearer"],
    );
    assert!(bearer.keyword_first);
    let either = facts(
        r"(?i)(?:api|access)[_-]?key\s*=\s*(?P<value>\w{8,40})",
        &[
            "api_key",
            "api-key",
            "apikey",
            "access_key",
            "access-key",
            "accesskey",
        ],
    );
    assert!(either.keyword_first);
    // One spelling the keywords miss: not sure, so no.
    let missing = facts(
        r"(?i)(?:api|access)[_-]?key\s*=\s*(?P<value>\w{8,40})",
        &["api_key"],
    );
    assert!(!missing.keyword_first);
    // The word after the value: inside the match, but not first.
    let after = facts(r"(?P<value>\w{20})\W{1,4}(?i:token)", &["token"]);
    assert!(after.keyword_inside && !after.keyword_first);
}

#[test]
fn many_alternatives_are_answered_and_a_spent_budget_says_not_sure() {
    // Eight alternations of sixteen words the parser cannot factor.
    let group = "alpha|bravo|charlie|delta|echo|foxtrot|golf|hotel|\
                 india|juliet|kilo|lima|mike|november|oscar|papa";
    let pattern = format!("x(?:{group})y").repeat(8);
    let f = facts(&pattern, &["needle"]);
    assert!(!f.keyword_inside && f.lead.is_none());
    // Out of budget, the answer is "not sure", never a wrong "yes".
    let words = Words::new(&["alpha".to_string()]);
    words.budget.set(0);
    let hir = parse("alpha", Dialect::Ascii).unwrap();
    assert!(!always_contains(&hir, &words));
    assert!(always_contains(&hir, &Words::new(&["alpha".to_string()])));
}

#[test]
fn an_email_has_its_at_sign_within_sixty_five_bytes() {
    let f = facts(
        r"[A-Za-z0-9_%+\-][A-Za-z0-9._%+\-]{0,63}@(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z]{2,24}\b",
        &["@"],
    );
    assert_eq!(f.lead, Some(65));
    assert!(f.keyword_inside);
}

#[test]
fn a_value_run_knows_its_bytes_and_what_follows_it() {
    let f = facts(
        r#"(?i)password\s*=\s*"(?P<value>[^"\s]{1,64})"(?:;|$)"#,
        &["password"],
    );
    let run = f.value_run.unwrap();
    assert_eq!((run.longest, run.after), (64, 2));
    assert!(run.holds(b'x') && !run.holds(b' ') && !run.holds(b'"'));
    // What follows the value is unbounded: no run.
    assert!(
        facts(r"key=(?P<value>\w{8})\s*;", &["key"])
            .value_run
            .is_none()
    );
}

/// A rule triggered by keywords alone is run only near them: a match
/// without one is never found. Every built-in keyword rule's pattern
/// holds one of its keywords in every match, but for the rules that
/// look for a value near a word by design.
#[test]
fn every_keyword_rules_matches_hold_a_keyword() {
    // The value has no marks of its own; the word nearby is the
    // evidence (gitleaks' rules for these do the same).
    let near_a_word = [
        "secrets.azure_devops_pat",
        "secrets.mailgun_api_key",
        "secrets.airtable_token",
    ];
    let mut missing = Vec::new();
    for r in crate::dlp::packs::builtin_rules() {
        if r.keywords.is_empty() || r.min_digits.is_some() || near_a_word.contains(&r.id.as_str()) {
            continue;
        }
        let hir = parse(&r.pattern, Dialect::Ascii).unwrap();
        if !always_contains(&hir, &Words::new(&r.keywords)) {
            missing.push(r.id);
        }
    }
    assert!(missing.is_empty(), "matches without a keyword: {missing:?}");
}

#[test]
fn every_keyword_rule_that_holds_its_keyword_says_so() {
    // A rule whose keywords do not cover its pattern only runs near
    // them: the Alibaba rule missed `accesskey_secret` until its
    // keywords were read against its pattern.
    let alibaba = crate::dlp::packs::builtin_rules()
        .into_iter()
        .find(|r| r.id == "secrets.alibaba_secret_key")
        .unwrap();
    let f = facts(
        &alibaba.pattern,
        &alibaba
            .keywords
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(f.keyword_first);
}

/// Every part of every built-in pattern, in both dialects.
fn builtin_parts() -> Vec<Hir> {
    fn walk(hir: &Hir, out: &mut Vec<Hir>) {
        out.push(hir.clone());
        match hir.kind() {
            HirKind::Capture(c) => walk(&c.sub, out),
            HirKind::Repetition(r) => walk(&r.sub, out),
            HirKind::Concat(s) | HirKind::Alternation(s) => s.iter().for_each(|h| walk(h, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for r in crate::dlp::packs::builtin_rules() {
        for dialect in [Dialect::Ascii, Dialect::Unicode] {
            walk(&parse(&r.pattern, dialect).unwrap(), &mut out);
        }
    }
    out
}

/// The count taken before listing never says fewer strings than the
/// listing gives: if it did, a part that could be listed would be
/// skipped, and a fact the pattern holds would go unseen.
#[test]
fn the_count_before_listing_is_never_short() {
    let parts = builtin_parts();
    let mut listed = 0;
    for hir in &parts {
        if let Some(strings) = list_strings(hir) {
            listed += 1;
            assert!(
                count_bound(hir) >= strings.len(),
                "{hir}: counted {}, listed {}",
                count_bound(hir),
                strings.len()
            );
        }
    }
    // The check saw both kinds of part.
    assert!(
        listed > 100 && listed < parts.len(),
        "{listed} of {}",
        parts.len()
    );
}

/// Listing a run of parts one part at a time gives the strings the run
/// as one sequence has.
#[test]
fn a_run_is_listed_as_its_concatenation() {
    let hir = parse(r"(?i)bearer[ \t]{1,2}x[0-9]", Dialect::Ascii).unwrap();
    let HirKind::Concat(parts) = hir.kind() else {
        panic!("{hir:?}")
    };
    let lists: Vec<_> = parts.iter().map(lower_strings).collect();
    let mut run = run_strings(&lists).unwrap();
    run.sort_unstable();
    assert_eq!(Some(run), lower_strings(&hir));
}
