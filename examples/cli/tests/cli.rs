//! The `govstream` binary as other tools use it: its JSON fields and exit
//! codes are an interface.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{govstream, govstream_bytes, lines};
use serde_json::Value;
use std::process::Output;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("govstream-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn scan_prints_exactly_the_documented_fields() {
    let input = "{\"id\": 7, \"text\": \"😀 mail bob@corp.io\"}\n";
    let out = govstream(&["scan"], input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rec = &lines(&out)[0];
    assert_eq!(rec["id"], 7);
    let m = &rec["matches"][0];
    let mut keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "byte_end",
            "byte_start",
            "category",
            "end",
            "rule_id",
            "severity",
            "start",
            "utf16_end",
            "utf16_start"
        ]
    );
    assert_eq!(m["rule_id"], "pii.email");
    assert_eq!(
        (m["start"].as_u64(), m["end"].as_u64()),
        (Some(7), Some(18))
    );
    assert_eq!(
        (m["utf16_start"].as_u64(), m["utf16_end"].as_u64()),
        (Some(8), Some(19))
    );
    assert_eq!(
        (m["byte_start"].as_u64(), m["byte_end"].as_u64()),
        (Some(10), Some(21))
    );
}

#[test]
fn malformed_lines_become_error_records_and_the_run_goes_on() {
    let input = "{\"id\": 1, \"text\": \"fine\"}\nnot json\n\n{\"id\": 3}\n{\"id\": 4, \"text\": \"ok\", \"phase\": \"sideways\"}\n{\"id\": 5, \"text\": \"a@b.io\"}\n";
    let out = govstream(&["scan"], input);
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out);
    assert_eq!(recs.len(), 5);
    assert_eq!(recs[1]["line"], 2);
    assert!(recs[1]["error"].as_str().unwrap().contains("invalid JSON"));
    assert_eq!(
        (recs[2]["line"].as_u64(), recs[2]["id"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(recs[4]["id"], 5);
    let out = govstream(&["evaluate"], input);
    let recs = lines(&out);
    let bad_phase = recs.iter().find(|r| r["line"] == 5).unwrap();
    assert_eq!(
        bad_phase["error"],
        "invalid context at $.phase: unknown value; expected one of `prompt`, `response`"
    );
}

#[test]
fn error_records_name_the_field_but_never_repeat_its_value() {
    let input = concat!(
        "{\"id\": 1, \"text\": \"hi\", \"phase\": \"AKIAIOSFODNN7EXAMPLE\"}\n",
        "{\"id\": 2, \"text\": \"hi\", \"timestamp_ms\": \"AKIAIOSFODNN7EXAMPLE\"}\n",
        "{\"id\": 3, \"text\": \"hi\", \"user_id\": [\"AKIAIOSFODNN7EXAMPLE\"]}\n",
    );
    let out = govstream(&["evaluate"], input);
    let recs = lines(&out);
    assert_eq!(recs.len(), 3, "{recs:?}");
    assert_eq!(
        recs[0]["error"].as_str().unwrap().split(':').next(),
        Some("invalid context at $.phase")
    );
    assert!(
        recs[1]["error"]
            .as_str()
            .unwrap()
            .contains("$.timestamp_ms")
    );
    assert!(
        recs[2]["error"]
            .as_str()
            .unwrap()
            .contains("found an array")
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("AKIA"), "{stdout}");
}

#[test]
fn evaluate_prints_sink_records_with_context() {
    let input = r#"{"id": "p1", "text": "key AKIAIOSFODNN7EXAMPLE", "org_id": "org_x", "user_id": "u1", "tool": "ChatGPT", "hostname": "chatgpt.com", "model": "gpt-4o", "phase": "prompt"}"#;
    let out = govstream(&["evaluate"], input);
    let recs = lines(&out);
    assert_eq!(recs[0]["record_type"], "event");
    assert_eq!(recs[0]["verdict"], "block");
    assert_eq!(recs[0]["org_id"], "org_x");
    assert_eq!(recs[0]["user_id"], "u1");
    assert_eq!(recs[0]["model"], "gpt-4o");
    assert_eq!(recs[1]["record_type"], "dlp_match");
    assert_eq!(recs[1]["event_id"], recs[0]["event_id"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("AKIAIOSFODNN7EXAMPLE"));
}

#[test]
fn fail_on_exits_one_when_reached() {
    let input = "{\"text\": \"card 4111 1111 1111 1111\"}\n";
    assert_eq!(
        govstream(&["scan", "--fail-on", "high"], input)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        govstream(&["scan", "--fail-on", "critical"], input)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        govstream(&["evaluate", "--fail-on", "medium"], input)
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn a_card_grouped_with_dots_is_a_card_not_a_mac_address() {
    let input = concat!(
        "{\"id\": 1, \"text\": \"Karte 4111.1111.1111.1111 gültig\"}\n",
        "{\"id\": 2, \"text\": \"ref 1234.5678.9012.3456 only\"}\n",
        "{\"id\": 3, \"text\": \"switch port 0123.4567.89ab up\"}\n",
    );
    let recs = lines(&govstream(&["scan"], input));
    let ids = |r: &Value| -> Vec<String> {
        r["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["rule_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&recs[0]), ["financial.card_visa"]);
    let card = &recs[0]["matches"][0];
    assert_eq!(
        (card["start"].as_u64(), card["end"].as_u64()),
        (Some(6), Some(25))
    );
    assert_eq!(card["severity"], "high");
    // Four dotted groups failing Luhn are neither a card nor a MAC.
    assert!(ids(&recs[1]).is_empty(), "{}", recs[1]);
    // Cisco's dotted MAC form still is one.
    assert_eq!(ids(&recs[2]), ["pii.mac_address"]);

    let out = govstream(&["evaluate"], "{\"text\": \"pay 4111.1111.1111.1111\"}\n");
    let event = &lines(&out)[0];
    assert_eq!(event["verdict"], "redact");
    assert_eq!(event["reason_code"], "dlp:financial.card_visa");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("4111.1111"));
}

#[test]
fn usage_and_policy_errors_exit_two_with_a_message() {
    let out = govstream(&["scan", "--fail-on", "apocalyptic"], "");
    assert_eq!(out.status.code(), Some(2));
    let out = govstream(&["frobnicate"], "");
    assert_eq!(out.status.code(), Some(2));

    let dir = std::env::temp_dir().join(format!("govstream-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("bad.json");
    std::fs::write(
        &policy,
        r#"{"actions": {"prompt": {"high": "nuke"}}, "rules": {"disabled": ["x.y"]}}"#,
    )
    .unwrap();
    let out = govstream(&["scan", "--policy", policy.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("$.actions.prompt.high") && err.contains("$.rules.disabled[0]"),
        "{err}"
    );
    let out = govstream(&["scan", "--policy", "/nonexistent/policy.json"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/policy.json"));
}

#[test]
fn rules_refuses_a_policy_that_would_mean_something_else() {
    let dir = std::env::temp_dir().join(format!("govstream-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("bad.json");
    std::fs::write(
        &policy,
        r#"{"logging": "metadata", "logging": "full",
            "custom_rules": [
                {"id": "acme.empty", "severity": "low", "pattern": ""},
                {"id": "acme.kw", "severity": "low", "pattern": "x", "keywords": ["straße"],
                 "context": {"words": ["a"], "window": -1}},
                {"id": "acme.huge", "severity": "low", "pattern": "\\w{1000}{1000}"}
            ]}"#,
    )
    .unwrap();
    let out = govstream(&["rules", "--policy", policy.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "$.logging: duplicate key `logging`",
        "$.custom_rules[0].pattern: rule `acme.empty`",
        "$.custom_rules[1].keywords[0]: keyword `straße` is not ASCII",
        "$.custom_rules[1].context.window: ",
        "$.custom_rules[2].pattern: rule `acme.huge`",
        "limit of 4194304 bytes",
    ] {
        assert!(err.contains(want), "missing {want:?} in {err}");
    }
    assert!(!err.contains("error building NFA"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plain_mode_and_redact() {
    let text = "line one\nmail bob@corp.io\n";
    let out = govstream(&["scan", "--plain"], text);
    let recs = lines(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["matches"][0]["start"], 14);
    let out = govstream(&["redact", "--plain", "--style", "placeholder"], text);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "line one\nmail [EMAIL_1]\n"
    );
    let out = govstream(&["redact"], "{\"id\": \"a\", \"text\": \"bob@corp.io\"}");
    assert_eq!(lines(&out)[0]["text"], "[REDACTED:pii.email]");
}

#[test]
fn rules_lists_every_builtin_rule() {
    let out = govstream(&["rules"], "");
    let recs = lines(&out);
    assert!(recs.len() >= 60);
    for r in &recs {
        assert!(r["id"].is_string() && r["category"].is_string() && r["severity"].is_string());
    }
}

#[test]
fn classify_prints_exactly_the_documented_fields() {
    let dir = std::env::temp_dir().join(format!("govstream-classify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("p.json");
    std::fs::write(
        &policy,
        r#"{"ai_tools": {"approved": ["chatgpt.com"], "blocked": ["*.deepseek.com"]}}"#,
    )
    .unwrap();
    let out = govstream(
        &["classify", "--policy", policy.to_str().unwrap()],
        "chatgpt.com\nhttps://user:pw@CHAT.DeepSeek.com:443/a?b#c\nclaude.ai\nexample.org\n\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out);
    assert_eq!(recs.len(), 4);
    for r in &recs {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "category", "host", "input", "severity", "status", "tool", "vendor"
            ]
        );
    }
    let statuses: Vec<&str> = recs.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["approved", "unapproved", "unapproved", "not_ai"]);
    assert_eq!(recs[1]["host"], "chat.deepseek.com");
    assert!(recs[3]["tool"].is_null());
    let out = govstream(&["classify", "claude.ai"], "");
    assert_eq!(lines(&out)[0]["status"], "unknown_ai");
}

#[test]
fn audit_keycloak_reports_events_and_every_problem_line() {
    let seed = "2025-02-03 16:52:53 2025-02-03 11:22:53,492 WARN  [org.keycloak.events] (executor-thread-3) type=\"LOGIN_ERROR\", realmId=\"2c7e00b2-907d-46f5-9f5e-9cd3a8747228\", clientId=\"ui\", userId=\"06ad90a8-a8f7-4776-aca3-05dbd38ae9ba\", ipAddress=\"192.168.65.1\", error=\"invalid_user_credentials\", auth_method=\"openid-connect\", auth_type=\"code\", redirect_uri=\"http://localhost:3001/\", code_id=\"6a1a9439-ef1f-4c8b-87b2-371ad699698f\", username=\"jane@acme.example\"\nnot a keycloak line at all but [org.keycloak.events] type=\"BROKEN\n";
    let out = govstream(&["audit", "keycloak", "-"], seed);
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out);
    assert_eq!(recs[0]["record_type"], "audit_event");
    assert_eq!(recs[0]["event_type"], "Auth:LoginFailure");
    assert_eq!(recs[0]["user_email"], "jane@acme.example");
    assert_eq!(recs[0]["date_time"], "2025-02-03T11:22:53.492Z");
    assert_eq!(recs[1]["line"], 2);
    assert!(recs[1]["error"].is_string());
}

#[test]
fn audit_keycloak_keeps_keycloaks_fields_and_drops_the_rest() {
    let log = concat!(
        "2025-02-03 11:22:53,492 WARN  [org.keycloak.events] (executor-thread-3) ",
        "type=\"LOGIN_ERROR\", realmId=\"acme\", clientId=\"ui\", userId=\"kc-7\", ",
        "ipAddress=\"192.168.65.1\", error=\"invalid_user_credentials\", password=\"hunter2\", ",
        "auth_method=\"openid-connect\", api_key=\"k-998877\", token_id=\"tok-1\", ",
        "redirect_uri=\"https://lee:pw@app.example/cb?code=c0de#state\", username=\"lee@acme.example\"\n",
    );
    let out = govstream(&["audit", "keycloak", "-"], log);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for leaked in ["hunter2", "k-998877", "c0de", "lee:pw"] {
        assert!(!stdout.contains(leaked), "{leaked} in {stdout}");
    }
    let event = &lines(&out)[0];
    let metadata = &event["event_metadata"];
    assert_eq!(metadata["error"], "invalid_user_credentials");
    assert_eq!(metadata["token_id"], "tok-1");
    assert_eq!(metadata["redirect_uri"], "https://app.example/cb");
    assert_eq!(
        metadata["dropped_fields"],
        serde_json::json!(["password", "api_key"])
    );
    assert!(metadata.get("password").is_none());
    assert_eq!(event["user_email"], "lee@acme.example");
}

#[test]
fn stats_prints_a_table_json_and_an_html_report() {
    let input = "{\"id\":1,\"text\":\"key AKIAIOSFODNN7EXAMPLE\"}\n{\"id\":2,\"text\":\"mail bob@corp.io\"}\n{\"id\":3,\"text\":\"hello\"}\n";
    let records = String::from_utf8(govstream(&["evaluate"], input).stdout).unwrap();
    let dir = std::env::temp_dir().join(format!("govstream-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("report.html");
    let out = govstream(
        &[
            "stats",
            "--now",
            "latest",
            "--html",
            html.to_str().unwrap(),
            "--title",
            "Acme <AI> week",
        ],
        &records,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("3 events, 2 DLP matches"), "{table}");
    assert!(table.contains("secrets.aws_access_key_id"), "{table}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && !page.contains("AKIAIOSFODNN7EXAMPLE"));
    assert!(
        page.contains("<title>Acme &lt;AI&gt; week</title>"),
        "{page}"
    );
    let out = govstream(&["stats", "--json", "--now", "latest"], &records);
    let summary = &lines(&out)[0];
    assert_eq!(summary["verdicts"]["block"], 1);
    assert_eq!(summary["dlp_events"], 2);
    let out = govstream(&["stats", "--now", "latest"], "not a record\n");
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_plain_text_that_is_not_utf8_exits_two_naming_the_file_or_is_read_with_lossy() {
    let dir = scratch("utf8");
    let file = dir.join("latin1.txt");
    let bytes = b"key AKIAIOSFODNN7EXAMPLE caf\xe9 end\n";
    std::fs::write(&file, bytes).unwrap();
    let path = file.to_str().unwrap();
    let at = bytes.iter().position(|&b| b == 0xe9).unwrap();
    for command in ["scan", "evaluate", "redact"] {
        let out = govstream(&[command, "--plain", "--fail-on", "low", path], "");
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(out.stdout.is_empty(), "{command}");
        let err = stderr(&out);
        assert!(
            err.contains(path) && err.contains(&format!("not valid UTF-8 at byte {at}")),
            "{err}"
        );
    }
    let out = govstream_bytes(&["scan", "--plain"], bytes);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("standard input"), "{}", stderr(&out));

    // --lossy: scanned with U+FFFD for the invalid byte, and said so.
    let out = govstream(
        &["scan", "--plain", "--lossy", "--fail-on", "high", path],
        "",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let recs = lines(&out);
    assert_eq!(
        recs[0]["matches"][0]["rule_id"],
        "secrets.aws_access_key_id"
    );
    assert_eq!(recs[0]["matches"][0]["start"], 4);
    assert!(stderr(&out).contains("U+FFFD"), "{}", stderr(&out));
    let out = govstream(&["redact", "--plain", "--lossy", path], "");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "key [REDACTED:secrets.aws_access_key_id] caf\u{fffd} end\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_or_missing_file_as_input_exits_two_naming_it() {
    let dir = scratch("dir-input");
    let path = dir.to_str().unwrap();
    let exported = dir.join("out.jsonl");
    for args in [
        vec!["scan", path],
        vec!["scan", "--fail-on", "low", path],
        vec!["evaluate", "--plain", "--fail-on", "low", path],
        vec!["redact", path],
        vec!["stats", path],
        vec![
            "export",
            "--to",
            "jsonl",
            "--url",
            exported.to_str().unwrap(),
            path,
        ],
    ] {
        let out = govstream(&args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            stderr(&out).contains(&format!("cannot read input {path}")),
            "{}",
            stderr(&out)
        );
    }
    let missing = dir.join("missing.jsonl");
    let out = govstream(&["evaluate", missing.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(missing.to_str().unwrap()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_line_that_is_not_utf8_is_an_error_record_and_fails_the_gate() {
    let mut input = b"{\"id\": 1, \"text\": \"hello\"}\n".to_vec();
    let bad = b"{\"id\": 2, \"text\": \"key AKIAIOSFODNN7EXAMPLE caf\xe9\"}\n";
    input.extend_from_slice(bad);
    let at = bad.iter().position(|&b| b == 0xe9).unwrap();

    let out = govstream_bytes(&["scan"], &input);
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out);
    assert_eq!(recs.len(), 2);
    assert_eq!(
        recs[1],
        serde_json::json!({"id": null, "line": 2, "error": format!("line is not valid UTF-8 at byte {at}")})
    );
    // Nothing matched, but line 2 was never scanned: the gate fails.
    for command in ["scan", "evaluate"] {
        let out = govstream_bytes(&[command, "--fail-on", "critical"], &input);
        assert_eq!(out.status.code(), Some(1), "{command}");
    }
    // Any error record does: a malformed line was not scanned either.
    let out = govstream(&["scan", "--fail-on", "critical"], "not json\n");
    assert_eq!(out.status.code(), Some(1));

    let out = govstream_bytes(&["scan", "--lossy", "--fail-on", "critical"], &input);
    assert_eq!(out.status.code(), Some(1));
    let recs = lines(&out);
    assert_eq!(recs[1]["id"], 2);
    assert_eq!(
        recs[1]["matches"][0]["rule_id"],
        "secrets.aws_access_key_id"
    );
    assert!(
        stderr(&out).contains("line 2 is not valid UTF-8"),
        "{}",
        stderr(&out)
    );
}
