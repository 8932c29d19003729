//! `govstream export` against loopback receivers: records arrive, stats are
//! printed, exit codes say whether anything was lost, secrets never show.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream_testkit::{Faults, Receiver};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn run(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govstream"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Records as `govstream evaluate` writes them.
fn records() -> String {
    let input = "{\"id\":1,\"text\":\"key AKIAIOSFODNN7EXAMPLE\"}\n{\"id\":2,\"text\":\"mail bob@corp.io\"}\n{\"id\":3,\"text\":\"hello\"}\n";
    let out = run(&["evaluate"], input, &[]);
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn stats(out: &Output) -> Value {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

#[test]
fn exports_to_splunk_through_faults_without_showing_the_token() {
    let records = records();
    let n = records.lines().count() as u64;
    let receiver = Receiver::start(Faults {
        fail_ratio: 0.5,
        recover_after: Some(6),
        slow: Duration::ZERO,
        seed: 11,
        ..Faults::default()
    })
    .unwrap();
    let out = run(
        &[
            "export",
            "--to",
            "splunk-hec",
            "--url",
            &receiver.url(),
            "-",
        ],
        &records,
        &[("GOVSTREAM_TOKEN", "hec-token-s3cr3t")],
    );
    let s = stats(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{s} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s["delivered"].as_u64(), Some(n));
    assert_eq!(s["emitted"].as_u64(), Some(n));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("hec-token-s3cr3t"));
    let req = receiver.accepted().pop().unwrap();
    assert_eq!(req.path, "/services/collector/event");
    assert_eq!(req.header("authorization"), Some("Splunk hec-token-s3cr3t"));
}

#[test]
fn a_refusing_target_dead_letters_and_exits_one() {
    // Answers 413 to everything: each record alone is too large.
    let receiver = Receiver::start(Faults {
        max_body: Some(1),
        ..Faults::default()
    })
    .unwrap();
    let out = run(
        &[
            "export",
            "--to",
            "webhook",
            "--url",
            &receiver.url(),
            "--secret",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ],
        &records(),
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let s = stats(&out);
    assert!(s["dead_lettered"].as_u64().unwrap() > 0, "{s}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
}

#[test]
fn jsonl_export_writes_the_records_and_bad_lines_exit_one() {
    let dir = std::env::temp_dir().join(format!("govstream-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.jsonl");
    let records = records();
    let out = run(
        &["export", "--to", "jsonl", "--url", path.to_str().unwrap()],
        &records,
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&path).unwrap();
    let want: Vec<Value> = records
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got, want);
    let out = run(
        &["export", "--to", "jsonl", "--url", path.to_str().unwrap()],
        "not a record\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_settings_are_usage_errors() {
    let out = run(
        &[
            "export",
            "--to",
            "splunk-hec",
            "--url",
            "http://127.0.0.1:9",
        ],
        "",
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token"));
    let out = run(&["export", "--to", "syslog", "--url", "http://x"], "", &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["export", "--to", "nowhere"], "", &[]);
    assert_eq!(out.status.code(), Some(2));
    // The catalog's kind is the same target: one name per idea.
    for kind in ["splunk_hec", "azure_logs"] {
        let out = run(&["export", "--to", kind], "", &[]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("needs --url"), "{kind}: {err}");
    }
}

#[test]
fn urls_are_shown_without_credentials_or_query() {
    // Rejected before any delivery: described, never repeated.
    for (to, url) in [
        ("splunk-hec", "https://user:pw-0f9e8d7c@"),
        ("otlp", "user:pw-0f9e8d7c@collector.example:4318"),
        ("syslog", "tcp://user:pw-0f9e8d7c@127.0.0.1:1"),
    ] {
        let out = run(
            &["export", "--to", to, "--url", url, "--token", "t"],
            "",
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{to} {url}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--url"), "{stderr}");
        assert!(!stderr.contains("pw-0f9e8d7c"), "{stderr}");
    }
    // Accepted, then refused by the network (port 1 on loopback): the
    // stats' last_error names the endpoint by scheme, host and port only.
    let out = run(
        &[
            "export",
            "--to",
            "otlp",
            "--timeout",
            "1",
            "--url",
            "http://user:pw-0f9e8d7c@127.0.0.1:1/v1/logs?token=tok-0f9e8d7c",
        ],
        &records(),
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let s = stats(&out);
    let error = s["last_error"].as_str().unwrap();
    assert!(error.contains("(to http://127.0.0.1:1)"), "{error}");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("0f9e8d7c"), "{all}");
}
