//! Real text that nobody on this project wrote, for the scanner benchmark:
//! Debian changelogs, Python's standard library and package READMEs from
//! the machine the benchmark runs on. Synthetic prose flatters the scanner
//! (it has no digits, colons or long tokens); this is what prompts look like.
//!
//! The corpus is built the same way on every run: paths in sorted order, a
//! fixed share of bytes from each source, cut into prompts at char
//! boundaries.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bytes taken from each of the three sources.
const PER_SOURCE: usize = 2 << 20;

/// Prompts of about `prompt_bytes` bytes cut from about 6 MB of text on this
/// machine, or `None` when a source is missing (the benchmark then says so
/// and measures nothing).
pub fn prompts(prompt_bytes: usize) -> Option<Vec<String>> {
    let text = corpus()?;
    let mut out = Vec::with_capacity(text.len() / prompt_bytes.max(1) + 1);
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let mut cut = prompt_bytes.min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (head, tail) = rest.split_at(cut);
        out.push(head.to_owned());
        rest = tail;
    }
    Some(out)
}

/// The whole corpus: changelogs, then Python sources, then READMEs.
pub fn corpus() -> Option<String> {
    let changelogs = take(
        files(Path::new("/usr/share/doc"), &|p| {
            name(p).starts_with("changelog") && name(p).ends_with(".gz")
        }),
        true,
    )?;
    let python = take(
        python_dirs()
            .iter()
            .flat_map(|d| files(d, &|p| name(p).ends_with(".py")))
            .collect(),
        false,
    )?;
    let readmes = take(
        files(Path::new("/usr/share/doc"), &|p| {
            let n = name(p);
            (n.starts_with("README") || n.ends_with(".md")) && !n.ends_with(".gz")
        }),
        false,
    )?;
    Some(changelogs + &python + &readmes)
}

/// `/usr/lib/python3.*`, sorted.
fn python_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| name(p).starts_with("python3"))
        .collect();
    dirs.sort();
    dirs
}

fn name(p: &Path) -> &str {
    p.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// Regular files under `dir` that `keep` accepts, sorted by path; symbolic
/// links are not followed.
fn files(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && keep(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The first [`PER_SOURCE`] bytes of `paths` read in order, gunzipped when
/// `gzip`; `None` when there are not that many.
fn take(paths: Vec<PathBuf>, gzip: bool) -> Option<String> {
    let mut text = String::new();
    for path in paths {
        let Ok(raw) = fs::read(&path) else { continue };
        let bytes = if gzip {
            let mut out = Vec::new();
            if flate2::read::GzDecoder::new(raw.as_slice())
                .read_to_end(&mut out)
                .is_err()
            {
                continue;
            }
            out
        } else {
            raw
        };
        text.push_str(&String::from_utf8_lossy(&bytes));
        if text.len() >= PER_SOURCE {
            let mut cut = PER_SOURCE;
            while !text.is_char_boundary(cut) {
                cut += 1;
            }
            text.truncate(cut);
            return Some(text);
        }
    }
    None
}
