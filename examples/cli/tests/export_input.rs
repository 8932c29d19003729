//! `govstream export` reading its input and waiting for its target: a line
//! that is not UTF-8 is one bad line, and a slow target slows the reader
//! down instead of losing records.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{govstream, govstream_bytes, lines};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// `n` records as `govstream evaluate` writes them (each input gives an
/// event and its matches).
fn records(inputs: usize) -> String {
    let input: String = (0..inputs)
        .map(|i| format!("{{\"id\":{i},\"text\":\"key AKIAIOSFODNN7EXAMPLE mail bob@corp.io\"}}\n"))
        .collect();
    let out = govstream(&["evaluate"], &input);
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The stats line, the last of standard output.
fn stats(out: &std::process::Output) -> Value {
    lines(out).pop().unwrap()
}

#[test]
fn a_line_that_is_not_utf8_is_skipped_and_counted_like_bad_json() {
    let records = records(2);
    let (first, rest) = records.split_once('\n').unwrap();
    let mut input = Vec::new();
    input.extend_from_slice(first.as_bytes());
    input.extend_from_slice(b"\n{\"id\": \"caf\xe9\"}\nnot json\n");
    input.extend_from_slice(rest.as_bytes());
    let n = records.lines().count() as u64;
    let dir = std::env::temp_dir().join(format!("govstream-export-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.jsonl");
    let out = govstream_bytes(
        &["export", "--to", "jsonl", "--url", path.to_str().unwrap()],
        &input,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Documented: 1 when a line is not a record; the stats are printed.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let s = stats(&out);
    assert_eq!(s["bad_lines"], 2, "{s}");
    assert_eq!(s["delivered"].as_u64(), Some(n), "{s}");
    assert_eq!(s["completed"], true, "{s}");
    assert!(
        stderr.contains("line 2: not valid UTF-8 at byte 11, skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("line 3: not a record, skipped"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap().lines().count() as u64,
        n
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An HTTP receiver that answers every request `200 {}` after `delay`, one
/// request at a time per connection, and counts them.
struct SlowReceiver {
    url: String,
    requests: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl SlowReceiver {
    fn start(delay: Duration) -> SlowReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (Arc::clone(&requests), Arc::clone(&stop));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let count = Arc::clone(&count);
                std::thread::spawn(move || serve(stream, delay, &count));
            }
        });
        SlowReceiver {
            url,
            requests,
            stop,
        }
    }
}

impl Drop for SlowReceiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn serve(stream: TcpStream, delay: Duration, count: &AtomicU64) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut header = String::new();
        loop {
            header.clear();
            match reader.read_line(&mut header) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let h = header.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        std::thread::sleep(delay);
        count.fetch_add(1, Ordering::SeqCst);
        let answer =
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}";
        if writer.write_all(answer).is_err() {
            return;
        }
    }
}

#[test]
fn a_slow_target_slows_the_export_down_and_nothing_is_dropped() {
    // Far more records than the export's queue holds (4,000), to a target
    // answering each batch in 200 ms: before the export waited for room,
    // most of them were dropped as `queue_full`.
    let records = records(4_000);
    let n = records.lines().count() as u64;
    assert!(n >= 10_000, "{n}");
    let receiver = SlowReceiver::start(Duration::from_millis(200));
    let out = govstream(
        &[
            "export",
            "--to",
            "splunk-hec",
            "--token",
            "t",
            "--url",
            &receiver.url,
            "-",
        ],
        &records,
    );
    let s = stats(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{s} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s["emitted"].as_u64(), Some(n), "{s}");
    assert_eq!(s["delivered"].as_u64(), Some(n), "{s}");
    assert_eq!(s["dropped"], serde_json::json!({}), "{s}");
    assert_eq!(s["completed"], true, "{s}");
    assert!(receiver.requests.load(Ordering::SeqCst) >= n / 500);
}

#[test]
fn a_target_that_takes_nothing_within_the_timeout_stops_the_export() {
    // Each answer takes 4 s, --timeout is 1 s: the queue fills, no room
    // comes in time, the export stops, says where and exits 1.
    let records = records(4_000);
    let receiver = SlowReceiver::start(Duration::from_secs(4));
    let out = govstream(
        &[
            "export",
            "--to",
            "splunk-hec",
            "--token",
            "t",
            "--timeout",
            "1",
            "--url",
            &receiver.url,
            "-",
        ],
        &records,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let s = stats(&out);
    assert_eq!(s["completed"], false, "{s}");
    assert!(
        stderr.contains("the target took no record for 1 s; stopped, lines "),
        "{stderr}"
    );
}
