//! A plain reference scanner for differential tests: for each rule on its
//! own, every trigger found by a naive search, a window of `max_len` around
//! each, the rule's regex over every window, then the same acceptance and
//! overlap resolution. No shared automaton, no gate, no lanes: whatever the
//! real scanner does to be fast, it must report exactly what this reports.

use super::compiled::{CompiledRule, Dialect};
use super::scanner::Finding;
use super::shape::{NAME_END_REACH, STRETCH_CAP};
use super::{RuleSpec, TriggerShape, encoded, normalize};
use regex_automata::Input;
use std::cmp::Reverse;

/// `rules` compiled as the built-in ones are, those that compile.
pub(super) fn compile(rules: &[RuleSpec]) -> Vec<CompiledRule> {
    rules
        .iter()
        .filter_map(|r| CompiledRule::compile(r.clone(), Dialect::Ascii).ok())
        .collect()
}

/// The findings `compiled` report in `text` (shorter than a scan segment and
/// the scan limit), in text order.
pub(super) fn scan(compiled: &[CompiledRule], text: &str) -> Vec<Finding> {
    let (view, map) = normalize::view(text);
    let found: Vec<Finding> = candidates(compiled, &view, true)
        .into_iter()
        .filter_map(|f| {
            let byte_start = map.start(f.byte_start);
            let byte_end = map.end(f.byte_end);
            (byte_start < byte_end).then_some(Finding {
                byte_start,
                byte_end,
                ..f
            })
        })
        .collect();
    resolve(compiled, found)
}

fn candidates(rules: &[CompiledRule], hay: &str, decode: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        for (lo, hi) in windows(rule, hay) {
            search(index, rule, hay, lo, hi, &mut out);
        }
    }
    if decode {
        let mut covered = 0;
        let mut decodes = 0;
        for (at, alignment) in encoded::pem_triggers(hay) {
            if at < covered || decodes >= encoded::MAX_DECODES {
                continue;
            }
            let Some(run) = encoded::decode_around(hay, at, alignment) else {
                continue;
            };
            decodes += 1;
            for f in resolve(rules, candidates(rules, &run.text, false)) {
                if let Some((byte_start, byte_end)) = run.encoded_span(f.byte_start, f.byte_end) {
                    covered = covered.max(byte_end);
                    out.push(Finding {
                        byte_start,
                        byte_end,
                        ..f
                    });
                }
            }
        }
    }
    out
}

/// The sorted union of `max_len` windows around the rule's triggers, or the
/// whole text for a rule without usable ones.
fn windows(rule: &CompiledRule, hay: &str) -> Vec<(usize, usize)> {
    let spec = &rule.spec;
    let bytes = hay.as_bytes();
    let usable =
        !spec.keywords.is_empty() && spec.keywords.iter().all(|k| !k.is_empty() && k.is_ascii());
    if !usable && spec.min_digits.is_none() {
        return vec![(0, hay.len())];
    }
    let mut triggers = Vec::new();
    if usable {
        let lower = bytes.to_ascii_lowercase();
        for k in &spec.keywords {
            let k = k.to_ascii_lowercase();
            // Every occurrence, overlapping ones included.
            let mut from = 0;
            while let Some(at) = lower
                .get(from..)
                .and_then(|rest| memchr::memmem::find(rest, k.as_bytes()))
            {
                let (s, e) = (from + at, from + at + k.len());
                if spec
                    .trigger_shape
                    .is_none_or(|shape| keyword_shape_holds(hay, s, e, shape))
                {
                    triggers.push((s, e));
                }
                from += at + 1;
            }
        }
    }
    if let Some(min) = spec.min_digits {
        // Digits at most three bytes apart form one run.
        let digits: Vec<usize> = (0..bytes.len())
            .filter(|&i| bytes.get(i).is_some_and(u8::is_ascii_digit))
            .collect();
        let mut i = 0;
        while let Some(&first) = digits.get(i) {
            // At most three other bytes between two digits of a run.
            let mut j = i;
            while digits.get(j + 1).is_some_and(|&next| next <= digits[j] + 4) {
                j += 1;
            }
            let min = min.max(1);
            let end = digits[j] + 1;
            if j + 1 - i >= min
                && spec
                    .trigger_shape
                    .is_none_or(|s| shape_holds(hay, first, end, min, s))
            {
                triggers.push((first, end));
            }
            i = j + 1;
        }
    }
    let mut spans: Vec<(usize, usize)> = triggers
        .into_iter()
        .map(|(s, e)| {
            (
                s.saturating_sub(spec.max_len),
                e.saturating_add(spec.max_len).min(hay.len()),
            )
        })
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (lo, hi) in spans {
        match merged.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
}

/// Whether the run `hay[start..end]` has `shape`, tested with a regex per
/// shape (the scanner tests them with loops, `shape.rs`).
fn shape_holds(hay: &str, start: usize, end: usize, min: usize, shape: TriggerShape) -> bool {
    let n = min.saturating_sub(1);
    let (pattern, lo, hi) = match shape {
        TriggerShape::Grouped => (format!(r"[0-9](?:[ .\-]?[0-9]){{{n}}}"), start, end),
        TriggerShape::Spaced => (
            format!(r"[0-9](?:[ .\-()/]{{0,2}}[0-9]){{{n}}}"),
            start,
            end,
        ),
        TriggerShape::DottedQuad => (
            r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]".to_string(),
            start,
            end,
        ),
        TriggerShape::AfterCapitals => (
            "(?:^|[^0-9A-Za-z_])[A-Z]{2}[0-9]".to_string(),
            start.saturating_sub(3),
            end,
        ),
        TriggerShape::DigitsThen(literal) => (
            format!("[0-9]{{{min}}}{}", regex_syntax::escape(literal)),
            start,
            end + literal.len(),
        ),
        TriggerShape::LongWord { first, min_len } => (
            format!(
                "(?:^|[^0-9A-Za-z_])[{}][0-9A-Za-z]{{{}}}",
                regex_syntax::escape(first),
                min_len.saturating_sub(1)
            ),
            start.saturating_sub(1),
            end + min_len,
        ),
        TriggerShape::SpacedFrom(prefixes) => {
            let alternatives: Vec<String> = prefixes
                .iter()
                .map(|p| {
                    let digits = p.bytes().filter(u8::is_ascii_digit).count();
                    let rest = min.saturating_sub(digits.max(1));
                    // A prefix without digits (`+`) counts the first digit
                    // after it.
                    let first = if digits == 0 { "[0-9]" } else { "" };
                    // The prefix starts a group of digits.
                    let before = if p.starts_with('+') {
                        ""
                    } else {
                        "(?:^|[^0-9])"
                    };
                    format!(
                        r"{before}{}{first}(?:[ .\-()/]{{0,2}}[0-9]){{{rest}}}",
                        regex_syntax::escape(p)
                    )
                })
                .collect();
            (alternatives.join("|"), start.saturating_sub(1), end)
        }
        TriggerShape::MacAddress | TriggerShape::Ipv6Address | TriggerShape::NameEnd => {
            return keyword_shape_holds(hay, start, end, shape);
        }
    };
    // A shape may look at the character before the run; when that is
    // multibyte, the search starts where it starts.
    let mut lo = lo;
    while !hay.is_char_boundary(lo) {
        lo -= 1;
    }
    let hi = hi.min(hay.len());
    regex_automata::meta::Regex::new(&pattern)
        .is_ok_and(|re| re.is_match(Input::new(hay).range(lo..hi)))
}

/// Whether an address shape holds around the trigger `hay[start..end]`
/// (other shapes only narrow digit runs).
fn keyword_shape_holds(hay: &str, start: usize, end: usize, shape: TriggerShape) -> bool {
    let bytes = hay.as_bytes();
    match shape {
        TriggerShape::MacAddress => {
            // Five separators three bytes apart (or two dots five apart),
            // one of them within two bytes of the trigger.
            let re = regex_automata::meta::Regex::builder()
                .syntax(regex_automata::util::syntax::Config::new().utf8(false))
                .build(r"(?s-u):.{2}:.{2}:.{2}:.{2}:|-.{2}-.{2}-.{2}-.{2}-|\..{4}\.");
            let Ok(re) = re else { return false };
            let near = start.saturating_sub(2)..end + 2;
            (start.saturating_sub(14)..end + 2).any(|from| {
                let input = Input::new(bytes)
                    .range(from..)
                    .anchored(regex_automata::Anchored::Yes);
                re.find(input).is_some_and(|m| {
                    let stride = if m.len() == 6 { 5 } else { 3 };
                    (m.start()..m.end())
                        .step_by(stride)
                        .any(|sep| near.contains(&sep))
                })
            })
        }
        TriggerShape::Ipv6Address => {
            // A colon within sixteen bytes, then the stretch.
            let lo = start.saturating_sub(16);
            let hi = (end + 16).min(bytes.len());
            if !bytes[lo..hi].contains(&b':') {
                return false;
            }
            let part = |b: &u8| b.is_ascii_alphanumeric() || b"_:.%".contains(b);
            let before = bytes[..start].iter().rev().take_while(|b| part(b)).count();
            let after = bytes[end..].iter().take_while(|b| part(b)).count();
            if before > STRETCH_CAP || after > STRETCH_CAP {
                return true;
            }
            let stretch = &hay[start - before..end + after];
            stretch.contains("::") || stretch.matches(':').count() >= 6
        }
        TriggerShape::NameEnd => {
            // A separator before, or a lower-case letter or digit before a
            // capital and then lower case; after it, past digits, `_-`,
            // brackets, quotes, backslashes and blanks, an assignment's
            // first byte or a line break, or nothing within reach.
            let Some(word) = hay.get(start..end).filter(|_| start > 0) else {
                return false;
            };
            let lo = start - 1;
            let hi = (end + NAME_END_REACH).min(bytes.len());
            let Some(around) = bytes.get(lo..hi) else {
                return false;
            };
            let camel = format!(r"[a-z0-9][A-Z][^A-Z]{{{}}}", word.len() - 1);
            let pattern = format!(
                r#"(?s-u)^(?:[_.\-].{{{}}}|{camel})[_\-0-9\[\]\\"' \t]*(?:[=:,>?+.\r\n]|$)"#,
                word.len()
            );
            regex_automata::meta::Regex::builder()
                .syntax(regex_automata::util::syntax::Config::new().utf8(false))
                .build(&pattern)
                .is_ok_and(|re| re.is_match(Input::new(around)))
        }
        _ => true,
    }
}

fn search(
    index: usize,
    rule: &CompiledRule,
    hay: &str,
    lo: usize,
    hi: usize,
    out: &mut Vec<Finding>,
) {
    let input = Input::new(hay).range(lo..hi);
    let mut spans = Vec::new();
    match rule.value_group {
        Some(group) => {
            for caps in rule.regex.captures_iter(input) {
                if let Some(span) = caps.get_group(group) {
                    spans.push((span.start, span.end));
                }
            }
        }
        None => {
            for m in rule.regex.find_iter(input) {
                spans.push((m.start(), m.end()));
            }
        }
    }
    for (s, e) in spans {
        if s < e
            && hay.is_char_boundary(s)
            && hay.is_char_boundary(e)
            && let Some(confidence) = rule.accept(hay, s, e)
        {
            out.push(Finding {
                rule: index,
                byte_start: s,
                byte_end: e,
                confidence,
            });
        }
    }
}

/// Greedy by strength (severity, then length, then start, then rule), each
/// kept unless it overlaps one already kept; returned in text order.
fn resolve(rules: &[CompiledRule], mut found: Vec<Finding>) -> Vec<Finding> {
    found.sort_by_key(|f| {
        (
            Reverse(rules.get(f.rule).map(|r| r.spec.severity)),
            Reverse(f.byte_end - f.byte_start),
            f.byte_start,
            f.rule,
        )
    });
    let mut kept: Vec<Finding> = Vec::new();
    for f in found {
        if !kept
            .iter()
            .any(|k| k.byte_start < f.byte_end && f.byte_start < k.byte_end)
        {
            kept.push(f);
        }
    }
    kept.sort_by_key(|f| f.byte_start);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dlp::{Scanner, ScannerRule, packs};
    use proptest::prelude::*;
    use proptest::sample::select;
    use std::sync::OnceLock;

    fn builtin() -> &'static (Vec<CompiledRule>, Scanner) {
        static CELL: OnceLock<(Vec<CompiledRule>, Scanner)> = OnceLock::new();
        CELL.get_or_init(|| {
            let rules = packs::builtin_rules();
            let scanner = Scanner::new(
                rules
                    .iter()
                    .map(|spec| ScannerRule {
                        spec: spec.clone(),
                        dialect: Dialect::Ascii,
                    })
                    .collect(),
                1 << 20,
            )
            .unwrap();
            (compile(&rules), scanner)
        })
    }

    /// Every rule's own example texts and values, and its keywords: the
    /// pieces random texts are built from, so every rule has matches and
    /// near misses to find.
    fn planted() -> Vec<String> {
        let mut out = Vec::new();
        for r in packs::builtin_rules() {
            for (text, value) in r.examples.true_positives {
                out.push(text);
                out.push(value);
            }
            out.extend(r.examples.false_positives);
            out.extend(r.keywords);
        }
        out
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => select(planted()),
            2 => "[0-9]{1,20}",
            2 => "[0-9 .:/()+-]{1,30}",
            1 => "[A-Za-z0-9_]{1,40}",
            1 => "[a-fA-F0-9:.-]{1,30}",
            2 => "[ \n\t,;=\"':@]{1,3}",
            1 => "[a-z]{1,8}",
            1 => "[é😀\u{200b}\u{ff10}-\u{ff19}ß\u{00a0}]{1,3}",
        ]
    }

    fn check(text: &str) -> std::result::Result<(), TestCaseError> {
        let (rules, scanner) = builtin();
        let got = scanner.scan(text).findings;
        let want = scan(rules, text);
        prop_assert_eq!(got, want, "{:?}", text);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Random texts of digits, separators, words, multibyte characters
        /// and every rule's examples: the scanner reports what the
        /// reference does, offsets and confidence included.
        #[test]
        fn scanner_matches_the_reference(parts in proptest::collection::vec(piece(), 0..40)) {
            check(&parts.concat())?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Run by run, the scanner's loops (and the quick rejects before
        /// them) decide every built-in number shape as the reference's
        /// regexes do: the findings would hide a shape that holds too often.
        #[test]
        fn run_shapes_match_the_reference(parts in proptest::collection::vec(piece(), 0..20)) {
            let text = parts.concat();
            let bytes = text.as_bytes();
            let shapes: Vec<(TriggerShape, usize)> = packs::builtin_rules()
                .iter()
                .filter_map(|r| Some((r.trigger_shape?, r.min_digits?.max(1))))
                .collect();
            let mut runs = Vec::new();
            crate::dlp::triggers::digit_runs(bytes, 1, |s, e, d| runs.push((s, e, d)));
            for (start, end, digits) in runs {
                let run = crate::dlp::digit_run::Run::new(bytes, (start, end, digits));
                for &(shape, min) in shapes.iter().filter(|s| s.1 <= digits) {
                    prop_assert_eq!(
                        run.fits(shape, min),
                        shape_holds(&text, start, end, min, shape),
                        "{:?} {} at {}..{} of {:?}", shape, min, start, end, text
                    );
                }
            }
        }
    }

    /// Shapes that look at the character before a run agree when that
    /// character is multibyte (an emoji before an IBAN once split the
    /// reference's search inside the emoji).
    #[test]
    fn shapes_after_multibyte_characters() {
        for before in ["😀", "é", "\u{00a0}", "\u{200b}", "ß"] {
            for value in [
                "FR14 2004 1010 0505 0001 3M02 606",
                "+49 30 1234567",
                "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
            ] {
                check(&format!("{before}{value}")).unwrap();
            }
        }
    }

    /// Text nobody on the project wrote, as the benchmark reads it:
    /// changelogs and Python sources on this machine, in 4 KB prompts (the
    /// test says so and passes when there are none).
    #[test]
    fn real_text_matches_the_reference() {
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        for dir in ["/usr/share/doc", "/usr/lib/python3"] {
            let mut stack = vec![std::path::PathBuf::from(dir)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                    let p = e.path();
                    match e.file_type() {
                        Ok(t) if t.is_dir() => stack.push(p),
                        Ok(t) if t.is_file() => {
                            let n = p.to_string_lossy();
                            if n.ends_with(".py") || n.contains("README") || n.ends_with(".md") {
                                files.push(p);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        files.sort();
        let mut text = String::new();
        for f in files.iter().step_by(7) {
            text.push_str(&String::from_utf8_lossy(
                &std::fs::read(f).unwrap_or_default(),
            ));
            if text.len() > 400_000 {
                break;
            }
        }
        if text.is_empty() {
            eprintln!("no real text on this machine; nothing compared");
        }
        let mut rest = text.as_str();
        let mut findings = 0;
        while !rest.is_empty() {
            let mut cut = rest.len().min(4096);
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
            let (head, tail) = rest.split_at(cut);
            check(head).unwrap();
            findings += builtin().1.scan(head).findings.len();
            rest = tail;
        }
        eprintln!(
            "{} bytes of real text, {findings} findings, all as the reference",
            text.len()
        );
    }

    /// Every rule's own examples, and all of them in one text.
    #[test]
    fn examples_match_the_reference() {
        let all = planted();
        for text in &all {
            check(text).unwrap();
        }
        check(&all.join(" ")).unwrap();
        check(&all.join("\n")).unwrap();
    }
}
