//! `govstream export` choosing records by type name (`--event-types`) and
//! by time (`--since`, `--window` with an injected `--now`), and `--to
//! json` writing them as one JSON array file for cron-driven file ingest.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govstream"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A usage error exits before reading: a broken pipe is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

const NOW: &str = "2026-12-07T12:00:00Z";

/// Records as `govstream evaluate` writes them, restamped: a blocked
/// prompt and its match 2 h before NOW, an allowed prompt 30 h before, and
/// two audit events (a failed login 1 h before, a role change 3 h before).
fn records() -> Vec<Value> {
    let input = "{\"text\":\"key AKIAIOSFODNN7EXAMPLE now\"}\n{\"text\":\"hello\"}\n";
    let out = run(&["evaluate"], input);
    assert!(out.status.success());
    let mut records: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = records
        .iter()
        .map(|r| r["record_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["event", "dlp_match", "event"]);
    for (r, at) in records.iter_mut().zip([
        "2026-12-07T10:00:00.000Z",
        "2026-12-07T10:00:00.000Z",
        "2026-12-06T06:00:00.000Z",
    ]) {
        r["timestamp"] = json!(at);
    }
    for (id, event_type, at, metadata) in [
        (
            "a-1",
            "Auth:LoginFailure",
            "2026-12-07T12:00:00+01:00",
            json!({}),
        ),
        (
            "a-2",
            "Admin:RoleAssignment",
            "2026-12-07T09:00:00Z",
            json!({"user_id": "u-9", "user_email": "x@acme.example", "roles_assigned": ["viewer"]}),
        ),
    ] {
        records.push(json!({
            "record_type": "audit_event", "schema_version": 1, "event_id": id,
            "request_id": "req-1", "date_time": at, "event_type": event_type,
            "event_metadata": metadata,
        }));
    }
    records
}

fn jsonl(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

fn stats(out: &Output) -> Value {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("govstream-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            r.get("match_id")
                .unwrap_or(&r["event_id"])
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn a_window_and_types_write_one_json_array_file() {
    let records = records();
    let dir = temp_dir("export-json");
    let file = dir.join("siem-ingest.json");
    std::fs::write(&file, "previous export").unwrap();
    let out = run(
        &[
            "export",
            "--to",
            "json",
            "--url",
            file.to_str().unwrap(),
            "--window",
            "24h",
            "--now",
            NOW,
            "--event-types",
            "event.*,audit_event.Auth:*",
        ],
        &jsonl(&records),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Vec<Value> = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    // The blocked event (2 h old) and the failed login (1 h old); not the
    // match (a type not asked for), the 30 h old event or the role change.
    assert_eq!(
        ids(&written),
        ids(&[records[0].clone(), records[3].clone()])
    );
    assert_eq!(written[0], records[0], "records are written as read");
    let s = stats(&out);
    assert_eq!(
        (s["sink"].as_str(), s["emitted"].as_u64()),
        (Some("json"), Some(2))
    );
    assert_eq!(
        (s["delivered"].as_u64(), s["filtered"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(
        (s["bad_lines"].as_u64(), s["completed"].as_bool()),
        (Some(0), Some(true))
    );
    // Written beside the target and renamed: no temporary file is left.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn since_starts_the_window_and_the_window_is_half_open() {
    let records = records();
    let dir = temp_dir("export-since");
    let file = dir.join("out.json");
    // Exactly at `--now` is out (the next run's); exactly at `--since` is in.
    let out = run(
        &[
            "export",
            "--to",
            "json",
            "--url",
            file.to_str().unwrap(),
            "--since",
            "2026-12-07T09:00:00Z",
            "--now",
            "2026-12-07T11:00:00Z",
        ],
        &jsonl(&records),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Vec<Value> = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let expected = [records[0].clone(), records[1].clone(), records[4].clone()];
    assert_eq!(ids(&written), ids(&expected));
    // Nothing chosen is still a valid (empty) array.
    let out = run(
        &[
            "export",
            "--to",
            "json",
            "--url",
            file.to_str().unwrap(),
            "--window",
            "1m",
            "--now",
            NOW,
        ],
        &jsonl(&records),
    );
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "[]\n");
    assert_eq!(stats(&out)["filtered"], 5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pipeline_targets_take_the_same_filters_and_count_them() {
    let records = records();
    let dir = temp_dir("export-jsonl");
    let file = dir.join("out.jsonl");
    let out = run(
        &[
            "export",
            "--to",
            "jsonl",
            "--url",
            file.to_str().unwrap(),
            "--event-types",
            "dlp_match.*",
            "--event-types",
            "event.blocked",
            "--window",
            "1d",
            "--now",
            NOW,
        ],
        &jsonl(&records),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ids(&written), ids(&records[..2]));
    let s = stats(&out);
    // One record outside the window, two outside the types.
    assert_eq!(
        (s["emitted"].as_u64(), s["filtered"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(s["delivered"], 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_record_without_a_readable_time_is_a_bad_line_under_a_window() {
    let mut records = records();
    records[2]["timestamp"] = json!("yesterday");
    let dir = temp_dir("export-badtime");
    let file = dir.join("out.json");
    let args = ["export", "--to", "json", "--url", file.to_str().unwrap()];
    let out = run(
        &[&args[..], &["--window", "24h", "--now", NOW]].concat(),
        &jsonl(&records),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stats(&out)["bad_lines"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 3"));
    // Without a window the time is not read, and the record is written.
    let out = run(&args, &jsonl(&records));
    assert!(out.status.success());
    assert_eq!(stats(&out)["delivered"], 5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_flags_are_usage_errors_naming_the_flag() {
    let records = jsonl(&records());
    for (args, expected) in [
        (vec!["--event-types", "event.*,evnt.*"], "--event-types[1]"),
        (vec!["--event-types", "event"], "`event.*`"),
        (vec!["--window", "24"], "--window"),
        (vec!["--window", "0h"], "--window"),
        (vec!["--since", "last tuesday"], "--since"),
        (vec!["--window", "1h", "--now", "noon"], "--now"),
        (vec!["--now", NOW], "--since or --window"),
    ] {
        let out = run(
            &[
                &["export", "--to", "json", "--url", "/nonexistent/never.json"],
                &args[..],
            ]
            .concat(),
            &records,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("evnt"), "a glob is not repeated: {stderr}");
    }
    let out = run(&["export", "--to", "json"], &records);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--url"));
    let out = run(
        &[
            "export",
            "--to",
            "json",
            "--url",
            "/tmp/x.json",
            "--since",
            NOW,
            "--window",
            "1h",
        ],
        &records,
    );
    assert_eq!(out.status.code(), Some(2), "--since and --window conflict");
}
