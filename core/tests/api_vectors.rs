//! Runs the shared API vectors in `testdata/api/` through
//! `govstream::api::json::call`: the Rust side of the cases every binding
//! (Python, Node, WASM, Swift/Kotlin) runs too. `testdata/api/README.md`
//! describes the format and the matching rules; this file is their
//! reference implementation, so keep the two in step.
//!
//! Every expected match is checked three ways: the input text sliced by the
//! match's UTF-8 byte offsets, by its code points and by its UTF-16 units
//! must each give the expected substring, so a wrong unit anywhere shows.

// clippy.toml allows these inside #[test] functions only; the helpers here
// are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::api::json::{CALLS, call};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Keys `expect` may hold; anything else is a typo in a vector.
const EXPECT_KEYS: &[&str] = &[
    "ok",
    "ok_subset",
    "ok_type",
    "ok_contains",
    "spans",
    "not_contains",
    "error_kind",
    "error_location",
    "error_rule_id",
    "error_what",
    "error_problem_paths",
];

/// Error kinds a caller can reach through `call`. `io`, `closed` and `full`
/// need a running pipeline; `rule` is never seen here, because the policy
/// reader compiles every custom and allowlist regex itself and reports a
/// bad one as a `policy` problem at its path (which `errors.json` checks).
const CALL_ERROR_KINDS: &[&str] = &["policy", "validation", "input"];

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/api")
}

/// One case, with the file it came from.
struct Case {
    file: String,
    name: String,
    call: String,
    input: String,
    text: Option<String>,
    expect: Map<String, Value>,
}

fn load_cases() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vector_dir())
        .expect("testdata/api exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in testdata/api");
    let mut cases = Vec::new();
    for path in files {
        cases.extend(load_file(&path));
    }
    cases
}

fn load_file(path: &Path) -> Vec<Case> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: unreadable: {e}", path.display()));
    let doc: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"));
    assert!(
        doc.get("about").and_then(Value::as_str).is_some(),
        "{file}: needs an `about` string"
    );
    let list = doc
        .get("cases")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{file}: needs a `cases` array"));
    list.iter()
        .enumerate()
        .map(|(i, c)| read_case(&file, i, c))
        .collect()
}

fn read_case(file: &str, i: usize, c: &Value) -> Case {
    let at = format!("{file} case {i}");
    let name = c["name"]
        .as_str()
        .unwrap_or_else(|| panic!("{at}: needs a `name`"))
        .to_string();
    let call = c["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{at} ({name}): needs a `call`"))
        .to_string();
    let input = match (c.get("input"), c.get("input_raw")) {
        (Some(v), None) => serde_json::to_string(v).expect("a value serializes"),
        (None, Some(Value::String(raw))) => raw.clone(),
        _ => panic!("{at} ({name}): give exactly one of `input` and `input_raw` (a string)"),
    };
    let text = c
        .get("input")
        .and_then(|i| i.get("text"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let expect = c["expect"]
        .as_object()
        .unwrap_or_else(|| panic!("{at} ({name}): needs an `expect` object"))
        .clone();
    for key in expect.keys() {
        assert!(
            EXPECT_KEYS.contains(&key.as_str()),
            "{at} ({name}): unknown expect key `{key}`"
        );
    }
    Case {
        file: file.to_string(),
        name,
        call,
        input,
        text,
        expect,
    }
}

/// `want` ⊆ `have`: objects by key (extra keys in `have` are fine), arrays
/// element by element with equal lengths, anything else equal.
fn subset(want: &Value, have: &Value, path: &str) -> Result<(), String> {
    match (want, have) {
        (Value::Object(w), Value::Object(h)) => {
            for (k, wv) in w {
                let p = format!("{path}.{k}");
                let hv = h.get(k).ok_or_else(|| format!("{p}: missing"))?;
                subset(wv, hv, &p)?;
            }
            Ok(())
        }
        (Value::Array(w), Value::Array(h)) => {
            if w.len() != h.len() {
                return Err(format!("{path}: {} items, expected {}", h.len(), w.len()));
            }
            for (i, (wv, hv)) in w.iter().zip(h).enumerate() {
                subset(wv, hv, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(w), Value::Number(h)) if w.as_f64() == h.as_f64() => Ok(()),
        _ if want == have => Ok(()),
        _ => Err(format!("{path}: {have}, expected {want}")),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The text between two offsets, in each unit; `None` when the offsets do
/// not fall on that unit's boundaries or past the end.
fn by_bytes(text: &str, start: usize, end: usize) -> Option<String> {
    text.get(start..end).map(str::to_string)
}

fn by_code_points(text: &str, start: usize, end: usize) -> Option<String> {
    let count = text.chars().count();
    (start <= end && end <= count).then(|| text.chars().skip(start).take(end - start).collect())
}

fn by_utf16(text: &str, start: usize, end: usize) -> Option<String> {
    let units: Vec<u16> = text.encode_utf16().collect();
    String::from_utf16(units.get(start..end)?).ok()
}

fn offset(m: &Value, key: &str) -> Result<usize, String> {
    m.get(key)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("match lacks `{key}`"))
}

/// Each match's three slices give the expected substring, in order.
fn check_spans(want: &[Value], ok: &Value, text: &str) -> Result<(), String> {
    let matches = ok
        .get("matches")
        .and_then(Value::as_array)
        .ok_or("output has no `matches` array")?;
    if matches.len() != want.len() {
        let found: Vec<String> = matches
            .iter()
            .map(|m| {
                let (s, e) = (offset(m, "start"), offset(m, "end"));
                let slice = match (s, e) {
                    (Ok(s), Ok(e)) => by_code_points(text, s, e).unwrap_or_default(),
                    _ => String::new(),
                };
                format!("{} {:?}", m["rule_id"], slice)
            })
            .collect();
        return Err(format!(
            "{} matches, expected {}: {}",
            matches.len(),
            want.len(),
            found.join(", ")
        ));
    }
    for (i, (w, m)) in want.iter().zip(matches).enumerate() {
        let at = format!("matches[{i}]");
        if let Some(rule) = w.get("rule_id")
            && m.get("rule_id") != Some(rule)
        {
            return Err(format!("{at}: rule {}, expected {rule}", m["rule_id"]));
        }
        let expected = w["text"]
            .as_str()
            .ok_or_else(|| format!("{at}: expected span needs `text`"))?;
        type Slice = fn(&str, usize, usize) -> Option<String>;
        let units: [(&str, Slice, &str, &str); 3] = [
            ("byte", by_bytes, "byte_start", "byte_end"),
            ("code point", by_code_points, "start", "end"),
            ("utf16", by_utf16, "utf16_start", "utf16_end"),
        ];
        for (unit, slice, sk, ek) in units {
            let got = slice(text, offset(m, sk)?, offset(m, ek)?);
            if got.as_deref() != Some(expected) {
                return Err(format!(
                    "{at}: {unit} offsets {}..{} give {got:?}, expected {expected:?}",
                    m[sk], m[ek]
                ));
            }
        }
    }
    Ok(())
}

fn check(case: &Case, out: &Value) -> Result<(), String> {
    let e = &case.expect;
    if let Some(s) = e.get("not_contains").and_then(Value::as_array) {
        let whole = out.to_string();
        for needle in s.iter().filter_map(Value::as_str) {
            if whole.contains(needle) {
                return Err(format!("output contains {needle:?}"));
            }
        }
    }
    if e.contains_key("error_kind") {
        let err = out
            .get("error")
            .ok_or_else(|| format!("expected an error, got {out}"))?;
        for (key, field) in [
            ("error_kind", "kind"),
            ("error_location", "location"),
            ("error_rule_id", "rule_id"),
            ("error_what", "what"),
        ] {
            if let Some(want) = e.get(key)
                && err.get(field) != Some(want)
            {
                return Err(format!("error {field} is {}, expected {want}", err[field]));
            }
        }
        if let Some(paths) = e.get("error_problem_paths").and_then(Value::as_array) {
            let have: BTreeSet<&str> = err["problems"]
                .as_array()
                .map(|ps| ps.iter().filter_map(|p| p["path"].as_str()).collect())
                .unwrap_or_default();
            for p in paths.iter().filter_map(Value::as_str) {
                if !have.contains(p) {
                    return Err(format!("no problem at {p}; problems: {}", err["problems"]));
                }
            }
        }
        return Ok(());
    }
    let ok = out
        .get("ok")
        .ok_or_else(|| format!("expected ok, got {out}"))?;
    if let Some(want) = e.get("ok")
        && want != ok
    {
        return Err(format!("output {ok}, expected {want}"));
    }
    if let Some(want) = e.get("ok_subset") {
        subset(want, ok, "$")?;
    }
    if let Some(want) = e.get("ok_type").and_then(Value::as_str)
        && type_name(ok) != want
    {
        return Err(format!("output is a {}, expected a {want}", type_name(ok)));
    }
    if let Some(list) = e.get("ok_contains").and_then(Value::as_array) {
        let s = ok.as_str().ok_or("ok_contains needs a string output")?;
        for needle in list.iter().filter_map(Value::as_str) {
            if !s.contains(needle) {
                return Err(format!("output lacks {needle:?}"));
            }
        }
    }
    if let Some(want) = e.get("spans").and_then(Value::as_array) {
        let text = case
            .text
            .as_deref()
            .ok_or("spans need an input `text` string")?;
        check_spans(want, ok, text)?;
    }
    Ok(())
}

#[test]
fn every_vector_passes() {
    let mut failures = Vec::new();
    let cases = load_cases();
    for case in &cases {
        let raw = call(&case.call, &case.input);
        let out: Value = serde_json::from_str(&raw).expect("call returns JSON");
        if let Err(why) = check(case, &out) {
            failures.push(format!("{} / {}: {why}", case.file, case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn vectors_cover_every_call_and_error_kind() {
    let cases = load_cases();
    let mut names = BTreeSet::new();
    let called: BTreeSet<&str> = cases.iter().map(|c| c.call.as_str()).collect();
    for c in &cases {
        assert!(
            names.insert((c.file.as_str(), c.name.as_str())),
            "{}: case name `{}` given twice",
            c.file,
            c.name
        );
    }
    let missing: Vec<&&str> = CALLS.iter().filter(|c| !called.contains(**c)).collect();
    assert!(missing.is_empty(), "no vector calls {missing:?}");
    let kinds: BTreeSet<&str> = cases
        .iter()
        .filter_map(|c| c.expect.get("error_kind").and_then(Value::as_str))
        .collect();
    for kind in CALL_ERROR_KINDS {
        assert!(kinds.contains(kind), "no vector expects a `{kind}` error");
    }
}

#[test]
fn the_matcher_rejects_what_it_should() {
    let have = serde_json::json!({"a": 1, "b": [{"c": 2, "d": 3}]});
    assert!(subset(&serde_json::json!({"b": [{"c": 2}]}), &have, "$").is_ok());
    assert!(subset(&serde_json::json!({"b": []}), &have, "$").is_err());
    assert!(subset(&serde_json::json!({"a": 2}), &have, "$").is_err());
    assert!(subset(&serde_json::json!({"z": 1}), &have, "$").is_err());
    let text = "a😀b";
    assert_eq!(by_bytes(text, 1, 5).as_deref(), Some("😀"));
    assert_eq!(by_bytes(text, 1, 3), None);
    assert_eq!(by_code_points(text, 1, 2).as_deref(), Some("😀"));
    assert_eq!(by_utf16(text, 1, 3).as_deref(), Some("😀"));
    assert_eq!(by_utf16(text, 1, 2), None);
}
