//! Running the built `govstream` binary from a test, shared by the CLI's
//! test files.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `govstream ARGS` with `stdin` as its standard input.
pub(crate) fn govstream(args: &[&str], stdin: &str) -> Output {
    govstream_bytes(args, stdin.as_bytes())
}

/// [`govstream`] with any bytes as standard input. The input is written
/// from a thread, so inputs larger than a pipe buffer do not deadlock; the
/// child may exit before reading it all (a directory given as input), so a
/// failed write is not an error.
pub(crate) fn govstream_bytes(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govstream"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Standard output as JSON lines.
pub(crate) fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
