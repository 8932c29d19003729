use super::*;
use crate::pipeline::SinkConfig;
use serde_json::json;

fn sink(v: Value) -> Result<Sink, ApiError> {
    Sink::from_value(v, "$.sinks[2]")
}

#[test]
fn every_kind_reads_and_builds() {
    let cases = [
        json!({"kind": "jsonl", "name": "a", "path": "/tmp/x.jsonl"}),
        json!({"kind": "memory", "name": "a"}),
        json!({"kind": "callback", "name": "a"}),
        json!({"kind": "http", "name": "a", "url": "http://127.0.0.1:9/in"}),
        json!({"kind": "webhook", "name": "a", "url": "https://h.example/in", "secret": ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "s2"]}),
        json!({"kind": "splunk_hec", "name": "a", "url": "https://s.example:8088", "token": "t"}),
        json!({"kind": "elasticsearch", "name": "a", "url": "https://e.example:9200", "index": "i", "username": "u", "password": "p"}),
        json!({"kind": "azure_logs", "name": "a", "url": "https://dce.example/x", "bearer_token": "t"}),
        json!({"kind": "otlp", "name": "a", "url": "http://127.0.0.1:4318", "headers": {"x-api-key": "k"}, "token": "t"}),
        json!({"kind": "syslog", "name": "a", "address": "127.0.0.1:514", "message": "cef", "framing": "newline"}),
        json!({"kind": "cef", "name": "a", "address": "tcp://127.0.0.1:514"}),
        json!({"kind": "ocsf", "name": "a", "url": "https://l.example/in", "framing": "json_array", "authorization": "Bearer t"}),
    ];
    assert_eq!(cases.len(), SINK_KINDS.len());
    for (case, kind) in cases.into_iter().zip(SINK_KINDS) {
        let s = sink(case).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(s.kind(), *kind);
        let built = s.build().unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(built.kind(), *kind);
        assert_eq!(built.name(), "a");
    }
}

#[test]
fn problems_have_json_paths_and_never_values() {
    let secret = "s3cr3t\r\nX-Evil: 1";
    let s = sink(json!({
        "kind": "splunk_hec", "name": "a", "url": "http://u:p@[::1", "token": secret,
        "options": {"max_batch_records": 0, "kinds": ["nope"], "event_types": ["event.*", "nope.*"]}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let problems = s.problems("$.sinks[2]");
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"$.sinks[2].token"), "{paths:?}");
    assert!(paths.contains(&"$.sinks[2].options"), "{paths:?}");
    assert!(paths.contains(&"$.sinks[2].options.kinds[0]"), "{paths:?}");
    assert!(
        paths.contains(&"$.sinks[2].options.event_types[1]")
            && !paths.contains(&"$.sinks[2].options.event_types[0]"),
        "{paths:?}"
    );
    let shown = format!("{problems:?}");
    assert!(
        !shown.contains("s3cr3t") && !shown.contains("u:p"),
        "{shown}"
    );
    let Err(e) = s.build() else {
        panic!("a bad sink built");
    };
    assert_eq!(e.kind, "validation");

    let empty =
        sink(json!({"kind": "splunk_hec", "name": "a", "url": "https://s.example", "token": " "}))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(empty.problems("$")[0].path, "$.token");
}

#[test]
fn reading_errors_name_the_path() {
    let e = sink(json!({"kind": "splunk_hec", "name": "a", "url": "https://s.example"}))
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.kind, "input");
    assert!(e.message.contains("token"), "{}", e.message);
    let e = sink(json!({"kind": "AKIAIOSFODNN7EXAMPLE", "name": "a"}))
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.location.as_deref(), Some("$.sinks[2].kind"));
    assert!(!e.message.contains("AKIA"));
    let e = sink(json!({"kind": "http", "name": "a", "url": "http://h", "tokne": "x"}))
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    // Unknown keys are placed, never named (a key may be a pasted value).
    assert!(
        e.message.contains("unknown field") && !e.message.contains("tokne"),
        "{}",
        e.message
    );
}

#[test]
fn serialize_and_debug_hide_credentials() {
    let secrets = [
        "hec-secret",
        "es-pass",
        "es-key",
        "bearer-x",
        "hdr-val",
        "otlp-tok",
        "Bearer zz",
        "whsec_abc",
        "userinfo-pw",
    ];
    let all = [
        json!({"kind": "splunk_hec", "name": "a", "url": "https://u:userinfo-pw@s.example:8088/x?token=q", "token": "hec-secret"}),
        json!({"kind": "elasticsearch", "name": "a", "url": "https://e.example", "index": "i", "username": "es-user", "password": "es-pass"}),
        json!({"kind": "elasticsearch", "name": "a", "url": "https://e.example", "index": "i", "api_key": "es-key"}),
        json!({"kind": "azure_logs", "name": "a", "url": "https://d.example/x", "bearer_token": "bearer-x"}),
        json!({"kind": "otlp", "name": "a", "url": "http://c.example", "headers": {"x-key": "hdr-val"}, "token": "otlp-tok"}),
        json!({"kind": "ocsf", "name": "a", "url": "https://l.example", "authorization": "Bearer zz"}),
        json!({"kind": "webhook", "name": "a", "url": "https://h.example", "secret": "whsec_abc"}),
    ];
    for v in all {
        let s = sink(v).unwrap_or_else(|e| panic!("{e}"));
        let shown = format!(
            "{s:?} {} {:?}",
            serde_json::to_string(&s).unwrap_or_default(),
            s.build().map(|b| format!("{b:?}"))
        );
        for secret in secrets {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

#[test]
fn options_default_to_the_pipeline_defaults() {
    let s = sink(json!({"kind": "memory", "name": "m", "options": {"max_wait_ms": 5}}))
        .unwrap_or_else(|e| panic!("{e}"));
    let c = s.options().config("m");
    assert_eq!(c.max_wait_ms, 5);
    assert_eq!(c.queue_capacity, SinkConfig::default().queue_capacity);
}

#[test]
fn azure_token_reaches_the_built_encoder() {
    let s = sink(json!({"kind": "azure_logs", "name": "a", "url": "https://d.example/x", "bearer_token": "one"}))
        .unwrap_or_else(|e| panic!("{e}"));
    let built = s.build().unwrap_or_else(|e| panic!("{e}"));
    assert!(built.set_bearer_token("two").is_ok());
    assert_eq!(
        built.set_bearer_token("a\nb").map_err(|e| e.kind),
        Err(crate::api::ErrorKind::Input)
    );
    let other = sink(json!({"kind": "memory", "name": "m"})).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        other
            .build()
            .is_ok_and(|b| b.set_bearer_token("x").is_err())
    );
}
