//! `govstream redact --stream`: the same bytes as `redact --plain`, written
//! while the input is still arriving.

// The shared helpers are test code; not every file uses every one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

mod common;

use common::{govstream, govstream_bytes};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const REPLY: &str = "Sure! Set AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE and mail jane.doe@acme.com.\n\
card 4111 1111 1111 1111, 😀 café e\u{301} 👩\u{200d}💻 你好\r\n\
password = \"hunter2-Secret!\"\n";

#[test]
fn the_stream_writes_what_plain_writes() {
    let long = format!(
        "{}{REPLY}",
        "Plain prose about nothing much.\n".repeat(3000)
    );
    for input in [REPLY, "", "no matches at all", long.as_str()] {
        let plain = govstream(&["redact", "--plain"], input);
        let streamed = govstream(&["redact", "--stream"], input);
        assert_eq!(plain.status.code(), Some(0));
        assert_eq!(streamed.status.code(), Some(0));
        assert_eq!(
            String::from_utf8_lossy(&streamed.stdout),
            String::from_utf8_lossy(&plain.stdout)
        );
    }
    let out = govstream(&["redact", "--stream", "--fail-on", "high"], REPLY);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn invalid_utf8_stops_the_stream_with_its_offset() {
    let out = govstream_bytes(&["redact", "--stream"], b"abc\xffdef");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("byte 3"));
}

#[test]
fn safe_text_is_written_before_the_input_ends() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govstream"))
        .args(["redact", "--stream"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // More prose than the stream holds back, and the input stays open.
    let prose = "The weather was fine and nothing secret was said.\n".repeat(2000);
    stdin.write_all(prose.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let start = Instant::now();
    let mut first = [0u8; 64];
    let n = stdout.read(&mut first).unwrap();
    assert!(n > 0 && start.elapsed() < Duration::from_secs(10));
    assert!(prose.as_bytes().starts_with(&first[..n]));
    drop(stdin);
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(n + rest.len(), prose.len());
}
