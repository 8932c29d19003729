//! `govstream policy test` and the ids `evaluate` keeps: the report's
//! fields, its exit codes (0 within the thresholds, 1 past one, 2 for a
//! usage, policy or corpus error) and records traced to input lines.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{govstream, lines};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("govstream-pt-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The policy `docs/policy.md` opens with.
const NEW: &str = r#"{
  "categories": {
    "secret": { "action": { "prompt": "block" } },
    "pii": { "action": "redact" }
  }
}"#;

const CORPUS: &str = concat!(
    "{\"id\": \"t-1\", \"text\": \"mail jane.doe@acme.com\"}\n",
    "{\"id\": 2, \"text\": \"key AKIAIOSFODNN7EXAMPLE\"}\n",
    "\n",
    "{\"text\": \"nothing to see\"}\n",
    "{\"text\": \"write to bob@corp.io\", \"user_id\": \"u-9\"}\n",
);

/// Writes the policies and corpus; returns (new, current, corpus) paths.
fn files(test: &str) -> (String, String, String) {
    let dir = scratch(test);
    let new = dir.join("new.json");
    let current = dir.join("current.json");
    let corpus = dir.join("corpus.jsonl");
    std::fs::write(&new, NEW).unwrap();
    std::fs::write(&current, "{}").unwrap();
    std::fs::write(&corpus, CORPUS).unwrap();
    let s = |p: PathBuf| p.to_string_lossy().into_owned();
    (s(new), s(current), s(corpus))
}

/// `govstream policy test --policy NEW [ARGS…]`, the corpus on stdin.
fn policy_test(new: &str, args: &[&str], stdin: &str) -> Output {
    let mut all = vec!["policy", "test", "--policy", new];
    all.extend_from_slice(args);
    govstream(&all, stdin)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_json_report_counts_changes_and_names_flips_by_id_or_line() {
    let (new, current, corpus) = files("json");
    let out = policy_test(&new, &["--baseline", &current, "--json", &corpus], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = &lines(&out)[0];
    assert_eq!(r["inputs"], 4);
    assert_eq!(r["policy"]["verdicts"]["redact"], 2);
    assert_eq!(r["baseline"]["verdicts"]["warn"], 2);
    assert_eq!(r["changes"]["warn"], -2);
    assert_eq!(r["flips"], 2);
    let flipped: Vec<(Value, Value)> = r["flipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].clone(), f["line"].clone()))
        .collect();
    // The second flip has no id: it is named by its line (a blank line
    // before it counts).
    assert_eq!(
        flipped,
        [
            (Value::from("t-1"), Value::from(1)),
            (Value::Null, Value::from(5))
        ]
    );
    assert_eq!(r["transitions"][0]["from"], "warn");
    assert_eq!(r["transitions"][0]["to"], "redact");
    assert_eq!(r["passed"], true);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("jane.doe") && !text.contains("AKIAIOSFODNN7EXAMPLE"));
}

#[test]
fn a_threshold_exceeded_exits_1_and_says_which() {
    let (new, current, corpus) = files("exceeded");
    let out = policy_test(
        &new,
        &[
            "--baseline",
            &current,
            "--max-flips",
            "1",
            "--max-block-rate",
            "0.5",
            &corpus,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--max-flips: 2 (limit 1) EXCEEDED"), "{text}");
    assert!(
        text.contains("--max-block-rate: 25.0% (limit 50.0%) ok"),
        "{text}"
    );
    assert!(text.contains("id t-1 (line 1): warn -> redact"), "{text}");
    assert!(text.contains("result: FAILED"), "{text}");

    let out = policy_test(
        &new,
        &[
            "--baseline",
            &current,
            "--max-flips",
            "2",
            "--max-flip-rate",
            "0.5",
            &corpus,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn usage_policy_and_corpus_errors_exit_2() {
    let (new, _, corpus) = files("errors");
    // A flip limit needs a baseline.
    let out = policy_test(&new, &["--max-flips", "0", &corpus], "");
    assert_eq!(out.status.code(), Some(2));
    // A rate is a fraction.
    let out = policy_test(&new, &["--max-block-rate", "5", &corpus], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--max-block-rate: must be a fraction"),
        "{}",
        stderr(&out)
    );
    // A corpus line that is not an input: nothing is tested.
    let out = policy_test(&new, &[], "{\"text\": \"ok\"}\nnot json\n{\"id\": 3}\n");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("2 corpus lines are not inputs"), "{err}");
    assert!(err.contains("line 2:") && err.contains("line 3:"), "{err}");
    assert!(out.stdout.is_empty());
    // A policy with a glob that selects nothing.
    let dir = scratch("errors-policy");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"rules": {"overrides": {"secrets.nope*": {"action": "block"}}}}"#,
    )
    .unwrap();
    let out = policy_test(bad.to_str().unwrap(), &[&corpus], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("$.rules.overrides[\"secrets.nope*\"]: glob `secrets.nope*` matches no rule"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn monitor_mode_shows_what_would_have_been_enforced() {
    let dir = scratch("monitor");
    let p = dir.join("monitor.json");
    std::fs::write(&p, r#"{"monitor": true}"#).unwrap();
    let out = policy_test(
        p.to_str().unwrap(),
        &["--max-block-rate", "0", "--json"],
        CORPUS,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = &lines(&out)[0];
    assert_eq!(r["policy"]["verdicts"]["allow"], 4);
    assert_eq!(r["policy"]["monitored"], 3);
    assert_eq!(r["policy"]["would_verdicts"]["block"], 1);
}

#[test]
fn evaluate_traces_every_record_to_its_input_line() {
    let out = govstream(&["evaluate"], CORPUS);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let recs = lines(&out);
    let events: Vec<&Value> = recs
        .iter()
        .filter(|r| r["record_type"] == "event")
        .collect();
    assert_eq!(events.len(), 4);
    assert_eq!(events[0]["request_id"], "t-1");
    assert_eq!(events[1]["request_id"], "2");
    assert!(events[2].get("request_id").is_none());
    for m in recs.iter().filter(|r| r["record_type"] == "dlp_match") {
        let event = events
            .iter()
            .find(|e| e["event_id"] == m["event_id"])
            .unwrap();
        assert_eq!(m.get("request_id"), event.get("request_id"));
    }
    // A line's own request_id wins over its id.
    let out = govstream(
        &["evaluate"],
        "{\"id\": 7, \"request_id\": \"req-1\", \"text\": \"hi\"}\n",
    );
    assert_eq!(lines(&out)[0]["request_id"], "req-1");
}
