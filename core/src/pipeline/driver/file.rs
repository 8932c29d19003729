//! The JSONL file sink: appends, and rotates by size (`path` → `path.1` →
//! … → `path.<keep>`, the oldest deleted).

use super::super::Outcome;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

pub(super) fn append_rotating(path: &str, max_bytes: u64, keep: u32, body: &[u8]) -> Outcome {
    match append(Path::new(path), max_bytes, keep, body) {
        Ok(()) => Outcome::Delivered,
        // A directory where the file should be is a configuration
        // mistake no retry fixes (`Driver::start` refuses it up front; it
        // can still appear later).
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => Outcome::Failed {
            error: format!("file {path}: is a directory, not a file to append to"),
            retryable: false,
        },
        Err(e) => Outcome::Failed {
            error: format!("file {path}: {e}"),
            retryable: true,
        },
    }
}

fn append(path: &Path, max_bytes: u64, keep: u32, body: &[u8]) -> std::io::Result<()> {
    let size = fs::metadata(path).map_or(0, |m| m.len());
    if size > 0 && size + body.len() as u64 > max_bytes {
        rotate(path, keep)?;
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut f = OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(body)?;
    f.flush()
}

fn rotated(path: &Path, n: u32) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{n}"));
    s.into()
}

fn rotate(path: &Path, keep: u32) -> std::io::Result<()> {
    if keep == 0 {
        return fs::remove_file(path);
    }
    let oldest = rotated(path, keep);
    if oldest.exists() {
        fs::remove_file(&oldest)?;
    }
    for n in (1..keep).rev() {
        let from = rotated(path, n);
        if from.exists() {
            fs::rename(&from, rotated(path, n + 1))?;
        }
    }
    fs::rename(path, rotated(path, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_by_size_and_keeps_n_files() {
        let dir = std::env::temp_dir().join(format!("govstream-rot-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let path = dir.join("out.jsonl");
        let p = path.to_str().unwrap();
        for i in 0..5 {
            let line = format!("{{\"n\":{i}}}\n");
            assert_eq!(
                append_rotating(p, 20, 2, line.as_bytes()),
                Outcome::Delivered
            );
        }
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"n\":4}\n");
        assert_eq!(
            fs::read_to_string(rotated(&path, 1)).unwrap(),
            "{\"n\":2}\n{\"n\":3}\n"
        );
        assert_eq!(
            fs::read_to_string(rotated(&path, 2)).unwrap(),
            "{\"n\":0}\n{\"n\":1}\n"
        );
        assert!(!rotated(&path, 3).exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_is_a_permanent_failure() {
        let dir = std::env::temp_dir().join(format!("govstream-isdir-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let Outcome::Failed { error, retryable } =
            append_rotating(dir.to_str().unwrap(), 1 << 20, 1, b"x\n")
        else {
            panic!("a directory cannot be appended to");
        };
        assert!(!retryable && error.contains("is a directory"), "{error}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
