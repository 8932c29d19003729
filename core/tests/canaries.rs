//! Canaries: distinctive secret values planted in texts and in every context
//! field (`testdata/canaries/`), evaluated with a policy at each logging
//! level below `full`. No canary may come out anywhere a log, a SIEM or an
//! error report could keep it: the records, the log-safe decision view, a
//! pipeline's stats and dead letters, an error message about a value that
//! was refused, or the `Debug` form of an API type holding a credential.
//! The Python suite reads the same files (`bindings-python/tests/test_canaries.py`).

// clippy.toml allows these inside #[test] functions only; the helpers here
// are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::api::json::{call, evaluation};
use govstream::api::{
    CompiledPolicy, EvaluateInput, HostOutcome, HostPipeline, PipelineSpec, Sink,
};
use serde_json::{Value, json};
use std::path::PathBuf;

struct Canary {
    name: String,
    secret: String,
    needles: Vec<String>,
    text: String,
    context: Value,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/canaries")
}

fn read(file: &str) -> Value {
    let path = dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: unreadable: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"))
}

fn canaries() -> Vec<Canary> {
    let doc = read("canaries.json");
    doc["canaries"]
        .as_array()
        .expect("canaries.json has `canaries`")
        .iter()
        .map(|c| Canary {
            name: c["name"].as_str().expect("name").to_string(),
            secret: c["secret"].as_str().expect("secret").to_string(),
            needles: c["needles"]
                .as_array()
                .expect("needles")
                .iter()
                .map(|n| n.as_str().expect("a needle is a string").to_string())
                .collect(),
            text: c["text"].as_str().expect("text").to_string(),
            context: c["context"].clone(),
        })
        .collect()
}

fn policies() -> Vec<(String, Value)> {
    let doc = read("policies.json");
    doc["policies"]
        .as_array()
        .expect("policies.json has `policies`")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("name").to_string(),
                p["policy"].clone(),
            )
        })
        .collect()
}

/// Every needle of every canary.
fn all_needles() -> Vec<String> {
    canaries().into_iter().flat_map(|c| c.needles).collect()
}

/// Leaks found and not yet fixed, by a part of the place they are reported
/// at, each with why. The tests fail when one of them stops leaking, so the
/// entry is removed with the fix.
const KNOWN_LEAKS: &[(&str, &str)] = &[];

/// Collects a leak instead of stopping at the first, so one run shows them all.
#[derive(Default)]
struct Leaks(Vec<String>);

impl Leaks {
    fn check(&mut self, needles: &[String], place: &str, shown: &str) {
        for n in needles {
            if shown.contains(n.as_str()) {
                let at = shown.find(n.as_str()).unwrap_or(0);
                let around: String = shown[at..].chars().take(n.chars().count() + 40).collect();
                self.0.push(format!("{place}: {n:?} in …{around}…"));
            }
        }
    }

    fn assert_none(self) {
        let (known, new): (Vec<String>, Vec<String>) = self
            .0
            .into_iter()
            .partition(|l| KNOWN_LEAKS.iter().any(|(k, _)| l.contains(k)));
        assert!(
            new.is_empty(),
            "{} canary leaks:\n{}",
            new.len(),
            new.join("\n")
        );
        if !known.is_empty() {
            eprintln!("known canary leaks, still to fix:\n{}", known.join("\n"));
        }
    }

    /// The known leaks this test can reach must still leak; a fixed one is
    /// taken off [`KNOWN_LEAKS`].
    fn assert_known_still_leak(&self, reachable: &[&str]) {
        for key in reachable {
            assert!(
                self.0.iter().any(|l| l.contains(key)),
                "the known leak `{key}` no longer leaks: remove it from KNOWN_LEAKS"
            );
        }
    }
}

fn json_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serializes")
}

/// The pipeline every record goes through: a memory sink, and an HTTP sink
/// whose deliveries fail for good, so dead letters hold them too.
fn pipeline() -> HostPipeline {
    let spec = PipelineSpec::from_value(json!({"sinks": [
        {"kind": "memory", "name": "m"},
        {"kind": "http", "name": "h", "url": "https://collector.example/ingest",
         "options": {"max_attempts": 1}}
    ]}))
    .unwrap_or_else(|e| panic!("spec: {e}"));
    HostPipeline::new(&spec, 7).unwrap_or_else(|e| panic!("pipeline: {e}"))
}

#[test]
fn no_canary_leaves_an_evaluation_below_full_logging() {
    let mut leaks = Leaks::default();
    let canaries = canaries();
    let policies = policies();
    assert!(
        canaries.len() >= 6 && policies.len() >= 3,
        "files are too thin"
    );
    for (pname, doc) in &policies {
        let level = doc["logging"].as_str().unwrap_or("per kind");
        assert_ne!(level, "full", "{pname}: canaries are for levels below full");
        let policy = CompiledPolicy::from_value(doc).unwrap_or_else(|e| panic!("{pname}: {e}"));
        let mut hp = pipeline();
        for c in &canaries {
            let place = format!("{pname} / {}", c.name);
            let input: EvaluateInput = serde_json::from_value(json!({
                "text": c.text, "context": c.context
            }))
            .unwrap_or_else(|e| panic!("{place}: context: {e}"));
            let decision = policy.evaluate(&input);
            // A canary no rule finds would prove nothing.
            assert!(
                decision
                    .matches
                    .iter()
                    .any(
                        |m| c.text[m.span.byte_start..m.span.byte_end].contains(&c.secret)
                            || c.secret
                                .contains(&c.text[m.span.byte_start..m.span.byte_end])
                    ),
                "{place}: no rule matched the canary"
            );
            let records = decision.records();
            leaks.check(
                &c.needles,
                &format!("{place}: records"),
                &json_text(&records),
            );
            leaks.check(
                &c.needles,
                &format!("{place}: loggable"),
                &json_text(&decision.loggable()),
            );
            // The host's view without the text it forwards (which, for a
            // warn or allow verdict, is the text as given).
            let mut view = evaluation(&decision);
            if let Some(o) = view.as_object_mut() {
                o.remove("redacted_text");
            }
            leaks.check(
                &c.needles,
                &format!("{place}: evaluation"),
                &view.to_string(),
            );
            for r in &records {
                if let Err(e) = hp.emit(r, 1_000) {
                    panic!("{place}: emit: {e}");
                }
            }
        }
        hp.flush();
        let mut now = 1_000;
        while let Some(t) = hp.poll_transmit(now) {
            leaks.check(
                &all_needles(),
                &format!("{pname}: transmit debug"),
                &format!("{t:?}"),
            );
            hp.on_outcome(
                t.id,
                HostOutcome::Failed {
                    error: "refused".into(),
                    retryable: false,
                },
                now,
            );
            now += 1;
        }
        let needles = all_needles();
        leaks.check(
            &needles,
            &format!("{pname}: stats"),
            &json_text(&hp.stats()),
        );
        for sink in ["m", "h"] {
            leaks.check(
                &needles,
                &format!("{pname}: dead letters of {sink}"),
                &json_text(&hp.dead_letters(sink)),
            );
        }
        let kept = hp.memory_records("m");
        assert!(
            level == "off" || !kept.is_empty(),
            "{pname}: the memory sink kept nothing"
        );
        leaks.check(
            &needles,
            &format!("{pname}: memory sink"),
            &json_text(&kept),
        );
    }
    leaks.assert_none();
}

/// Inputs that put a canary where a value is refused; `{}` is replaced by
/// the canary's secret.
fn refused_inputs() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "as a phase",
            "evaluate",
            json!({"text": "hi", "context": {"phase": "{}"}}),
        ),
        (
            "as a context field's wrong type",
            "evaluate",
            json!({"text": "hi", "context": {"user_id": ["{}"]}}),
        ),
        (
            "as an unknown context field",
            "evaluate",
            json!({"text": "hi", "context": {"{}": 1}}),
        ),
        (
            "as an unknown input field",
            "scan",
            json!({"text": "hi", "{}": 1}),
        ),
        (
            "as a text of the wrong type",
            "scan",
            json!({"text": {"{}": "{}"}}),
        ),
        (
            "as a call's url of the wrong type",
            "classify",
            json!({"url": ["{}"]}),
        ),
        (
            "as a sink kind",
            "check_pipeline",
            json!({"sinks": [{"kind": "{}", "name": "s"}]}),
        ),
        (
            "as a URL with userinfo and a space",
            "check_pipeline",
            json!({"sinks": [{"kind": "http", "name": "s", "url": "https://u:{} x@h.example/"}]}),
        ),
        (
            "as a tcp address with userinfo",
            "check_pipeline",
            json!({"sinks": [{"kind": "syslog", "name": "s", "address": "u:{}@h.example:514"}]}),
        ),
        (
            "as a credential with CR/LF",
            "check_pipeline",
            json!({"sinks": [{"kind": "splunk_hec", "name": "s",
                "url": "https://splunk.example:8088", "token": "{}\r\nX-Injected: 1"}]}),
        ),
        (
            "as a header value with CR/LF",
            "check_pipeline",
            json!({"sinks": [{"kind": "otlp", "name": "s", "url": "https://otel.example",
                "headers": {"authorization": "{}\r\n"}}]}),
        ),
        (
            "as an overflow policy",
            "check_pipeline",
            json!({"sinks": [{"kind": "memory", "name": "s", "options": {"overflow": "{}"}}]}),
        ),
        (
            "as an unknown sink field",
            "check_pipeline",
            json!({"sinks": [{"kind": "memory", "name": "s", "{}": 1}]}),
        ),
        (
            "as a notification channel kind",
            "check_pipeline",
            json!({"sinks": [], "notifications": {"channels": [{"id": "c", "kind": "{}"}]}}),
        ),
        (
            "as an audit event type",
            "audit_event",
            json!({"event_type": "{}", "request_id": "r"}),
        ),
        (
            "as now_ms",
            "audit_event",
            json!({"event_type": "Guard:Analyze", "request_id": "r", "now_ms": "{}"}),
        ),
        (
            "as a utc offset",
            "parse_keycloak",
            json!({"text": "", "utc_offset": "{}"}),
        ),
        (
            "as a record type",
            "analytics_summary",
            json!({"records": [{"record_type": "{}"}]}),
        ),
        (
            "as a shadow report field",
            "shadow_report",
            json!({"report": {"url": 5, "user_email": ["{}"]}}),
        ),
        ("as a call name", "{}", json!({})),
    ]
}

/// Probes that may be accepted: a spec shown back with its credentials
/// hidden, and context keys, which `EvaluationContext` ignores when unknown.
const MAY_ACCEPT: &[&str] = &["as an unknown context field"];

/// Replaces every `{}` in a JSON value's strings and keys.
fn plant(v: &Value, secret: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("{}", secret)),
        Value::Array(a) => Value::Array(a.iter().map(|x| plant(x, secret)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.replace("{}", secret), plant(x, secret)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn no_error_repeats_a_refused_canary() {
    let mut leaks = Leaks::default();
    for c in canaries() {
        for (how, name, input) in refused_inputs() {
            let name = name.replace("{}", &c.secret);
            let input = plant(&input, &c.secret).to_string();
            let out: Value = serde_json::from_str(&call(&name, &input)).expect("JSON");
            let place = format!("{} {how}", c.name);
            // Either refused (the point) or, where accepting is fine,
            // accepted and shown without it.
            if out.get("error").is_none() && MAY_ACCEPT.contains(&how) {
                leaks.check(
                    &c.needles,
                    &format!("{place}: accepted spec"),
                    &out.to_string(),
                );
                continue;
            }
            assert!(
                out.get("error").is_some(),
                "{place}: was not refused: {out}"
            );
            leaks.check(&c.needles, &place, &out.to_string());
        }
    }
    leaks.assert_known_still_leak(&[]);
    leaks.assert_none();
}

#[test]
fn no_debug_form_shows_a_canary_credential() {
    let mut leaks = Leaks::default();
    for c in canaries() {
        // Credentials and URLs must be header-safe: the canary's first
        // needle, with no spaces (the card's has some).
        let token = c.needles[0].replace(' ', "-");
        let spec = json!({
            "sinks": [
                {"kind": "http", "name": "h", "url": format!("https://u:{token}@collector.example/in?key={token}")},
                {"kind": "splunk_hec", "name": "siem", "url": "https://splunk.example:8088", "token": token},
                {"kind": "webhook", "name": "wh", "url": "https://hooks.example/in", "secret": [token, "older"]},
                {"kind": "elasticsearch", "name": "es", "url": "https://es.example:9200", "index": "gov", "api_key": token},
                {"kind": "azure_logs", "name": "az", "url": "https://dce.example/dataCollectionRules/dcr-1/streams/Custom-X?api-version=2023-01-01", "bearer_token": token},
                {"kind": "otlp", "name": "ot", "url": "https://otel.example/v1/logs", "headers": {"authorization": format!("Bearer {token}")}}
            ],
            "notifications": {
                "channels": [
                    {"id": "slack", "kind": "slack", "url": format!("https://hooks.slack.com/services/{token}")},
                    {"id": "pd", "kind": "pagerduty", "routing_key": token}
                ],
                "rules": [{"id": "all", "channels": ["slack", "pd"]}]
            }
        });
        let spec =
            PipelineSpec::from_value(spec).unwrap_or_else(|e| panic!("{}: spec: {e}", c.name));
        let needles = [token.clone()];
        leaks.check(
            &needles,
            &format!("{}: PipelineSpec", c.name),
            &format!("{spec:?}"),
        );
        leaks.check(
            &needles,
            &format!("{}: PipelineSpec serialized", c.name),
            &json_text(&spec),
        );
        for sink in &spec.sinks {
            leaks.check(
                &needles,
                &format!("{}: {}", c.name, sink.kind()),
                &format!("{sink:?}"),
            );
            let built = sink
                .build()
                .unwrap_or_else(|e| panic!("{}: build: {e}", c.name));
            leaks.check(
                &needles,
                &format!("{}: BuiltSink {}", c.name, sink.kind()),
                &format!("{built:?}"),
            );
            let one = Sink::from_value(serde_json::to_value(sink).expect("a sink serializes"), "$");
            // Serialized sinks hide credentials, so they may not read back;
            // whichever way, nothing shows the secret.
            if let Err(e) = one {
                leaks.check(
                    &needles,
                    &format!("{}: reread error", c.name),
                    &e.to_string(),
                );
            }
        }
        // What a host is asked to send shows neither URL credentials nor
        // header values in its Debug form.
        let mut host_spec = spec.clone();
        host_spec.notifications = None;
        let mut hp = HostPipeline::new(&host_spec, 1).unwrap_or_else(|e| panic!("{e}"));
        let policy = CompiledPolicy::default_policy().unwrap_or_else(|e| panic!("{e}"));
        for r in policy
            .evaluate(&EvaluateInput {
                text: "hi".into(),
                ..EvaluateInput::default()
            })
            .records()
        {
            hp.emit(&r, 0).unwrap_or_else(|e| panic!("{e}"));
        }
        hp.flush();
        let mut seen = 0;
        while let Some(t) = hp.poll_transmit(0) {
            seen += 1;
            leaks.check(
                &needles,
                &format!("{}: HostTransmit {}", c.name, t.sink),
                &format!("{t:?}"),
            );
            hp.on_outcome(t.id, HostOutcome::Delivered, 0);
        }
        assert!(seen >= 5, "{}: only {seen} transmits", c.name);
    }
    leaks.assert_known_still_leak(&[]);
    leaks.assert_none();
}
