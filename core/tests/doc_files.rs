//! Every Markdown file of the README and `docs/` is included in
//! `core/src/doc_files.rs`, so its Rust blocks run as doctests; and every
//! `json` block in them parses (or is visibly shortened with `…`), so a
//! documented document is at least JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn markdown_files() -> Vec<String> {
    let mut out = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    out.extend(docs);
    out
}

#[test]
fn every_markdown_file_is_a_doctest() {
    let listed = std::fs::read_to_string(root().join("core/src/doc_files.rs")).unwrap();
    let missing: Vec<String> = markdown_files()
        .into_iter()
        .filter(|f| !listed.contains(&format!("include_str!(\"../../{f}\")")))
        .collect();
    assert!(
        missing.is_empty(),
        "add these to core/src/doc_files.rs so their Rust blocks run: {missing:?}"
    );
}

/// The fenced blocks of `text` as `(language, first line number, body)`.
fn blocks(text: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, String, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        match &mut open {
            None => {
                if let Some(lang) = trimmed.strip_prefix("```") {
                    open = Some((lang.trim().to_string(), i + 2, String::new(), indent.into()));
                }
            }
            Some((lang, start, body, _)) => {
                if trimmed == "```" {
                    out.push((lang.clone(), *start, std::mem::take(body)));
                    open = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    assert!(open.is_none(), "an unclosed code fence");
    out
}

#[test]
fn every_block_says_its_language_and_json_blocks_parse() {
    let mut problems = Vec::new();
    for file in markdown_files() {
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        for (lang, line, body) in blocks(&text) {
            if lang.is_empty() {
                problems.push(format!(
                    "{file}:{line}: an untagged block runs as Rust; say its language"
                ));
            }
            // An example shortened with `…` says so, and is not parsed.
            if lang == "json" && !body.contains('…') {
                let lines: Vec<&str> = body.lines().collect();
                // A block of JSON Lines is one document per line.
                let one = serde_json::from_str::<serde_json::Value>(&body);
                let each = lines
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok());
                if let (Err(e), false) = (one, each) {
                    problems.push(format!("{file}:{line}: not JSON: {e}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
