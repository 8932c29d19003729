//! The JSON Schemas of the documents a person writes — `policy`,
//! `pipeline_spec`, `notifications` in `schemas/` — agree with the readers:
//! every example in the docs and test data validates and is read, what the
//! reader refuses the schema refuses too, and the policy schema (restated in
//! `policy_document/`) has the reader's keys and enum values at every level.
//! `schema_files.rs` checks the committed files are up to date.
//!
//! The validator here covers the keywords schemars emits (and panics on any
//! other, so a new one is noticed): the `jsonschema` crate is not available
//! offline to this workspace.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod policy_document;

use govstream::api::{CompiledPolicy, PipelineSpec};
use govstream::notify::NotifyConfig;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schema_file(name: &str) -> Value {
    let path = root().join(format!("schemas/{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Validates `v` against `schema` (whose `$defs` resolve `$ref`s); returns
/// every error with its JSON path.
fn validate(root: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(s) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            errors.push(format!("{path}: not allowed"));
        }
        return;
    };
    for (key, want) in s {
        match key.as_str() {
            "$schema" | "title" | "description" | "format" | "default" | "examples" | "$defs"
            | "deprecated" | "writeOnly" | "readOnly" => {}
            "$ref" => {
                let name = want
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/$defs/"))
                    .unwrap_or_else(|| panic!("unsupported $ref {want}"));
                validate(root, &root["$defs"][name], v, path, errors);
            }
            "type" => {
                let types: Vec<&str> = match want {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => panic!("bad type {want}"),
                };
                if !types.iter().any(|t| is_type(v, t)) {
                    errors.push(format!("{path}: expected {}", types.join(" or ")));
                }
            }
            "const" if v != want => errors.push(format!("{path}: expected {want}")),
            "enum" if !want.as_array().is_some_and(|a| a.contains(v)) => {
                errors.push(format!("{path}: not one of {want}"));
            }
            "const" | "enum" => {}
            "properties" => {
                if let Some(o) = v.as_object() {
                    for (k, sub) in want.as_object().expect("properties is an object") {
                        if let Some(x) = o.get(k) {
                            validate(root, sub, x, &format!("{path}.{k}"), errors);
                        }
                    }
                }
            }
            "required" => {
                if let Some(o) = v.as_object() {
                    for k in want.as_array().expect("required is an array") {
                        let k = k.as_str().expect("a key");
                        if !o.contains_key(k) {
                            errors.push(format!("{path}.{k}: missing"));
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(o) = v.as_object() {
                    let known = s.get("properties").and_then(Value::as_object);
                    for (k, x) in o {
                        if !known.is_some_and(|p| p.contains_key(k)) {
                            validate(root, want, x, &format!("{path}.{k}"), errors);
                        }
                    }
                }
            }
            "items" => {
                if let Some(a) = v.as_array() {
                    for (i, x) in a.iter().enumerate() {
                        validate(root, want, x, &format!("{path}[{i}]"), errors);
                    }
                }
            }
            "anyOf" | "oneOf" => {
                let branches = want.as_array().expect("a list of schemas");
                let passing = branches
                    .iter()
                    .filter(|b| {
                        let mut e = Vec::new();
                        validate(root, b, v, path, &mut e);
                        e.is_empty()
                    })
                    .count();
                let ok = if key == "oneOf" {
                    passing == 1
                } else {
                    passing >= 1
                };
                if !ok {
                    errors.push(format!("{path}: matches {passing} of the {key} branches"));
                }
            }
            "allOf" => {
                for b in want.as_array().expect("a list of schemas") {
                    validate(root, b, v, path, errors);
                }
            }
            "minimum" | "maximum" => {
                if let (Some(x), Some(bound)) = (v.as_f64(), want.as_f64())
                    && ((key == "minimum" && x < bound) || (key == "maximum" && x > bound))
                {
                    errors.push(format!("{path}: {key} {bound}"));
                }
            }
            "minLength" | "maxLength" => {
                if let (Some(x), Some(n)) = (v.as_str(), want.as_u64()) {
                    let len = x.chars().count() as u64;
                    if (key == "minLength" && len < n) || (key == "maxLength" && len > n) {
                        errors.push(format!("{path}: {key} {n}"));
                    }
                }
            }
            "minItems" | "maxItems" => {
                if let (Some(x), Some(n)) = (v.as_array(), want.as_u64()) {
                    let len = x.len() as u64;
                    if (key == "minItems" && len < n) || (key == "maxItems" && len > n) {
                        errors.push(format!("{path}: {key} {n}"));
                    }
                }
            }
            // Patterns are checked by the readers; the schema's is a hint.
            "pattern" => {}
            other => panic!("the test validator does not know `{other}`; teach it"),
        }
    }
}

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        _ => panic!("unknown type {t}"),
    }
}

fn errors_of(schema: &Value, v: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    validate(schema, schema, v, "$", &mut errors);
    errors
}

fn json_blocks(doc: &str) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match current.as_mut() {
            None if line.trim_end() == "```json" => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => {
                // Blocks with elisions (`…`) are excerpts, not documents.
                if let Some(Ok(v)) = current.take().map(|b| serde_json::from_str(&b)) {
                    blocks.push(v);
                }
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

fn doc_blocks(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    json_blocks(&text)
}

/// Every policy document the project shows or tests with and expects to
/// compile: `docs/policy.md`, the canary policies, and the policies of the
/// API vectors that succeed.
fn policy_examples() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = doc_blocks("docs/policy.md")
        .into_iter()
        .map(|v| ("docs/policy.md".to_string(), v))
        .collect();
    let canaries: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/canaries/policies.json")).expect("read"),
    )
    .expect("JSON");
    for p in canaries["policies"].as_array().expect("policies") {
        out.push((format!("canary policy {}", p["name"]), p["policy"].clone()));
    }
    for file in ["calls.json", "offsets.json"] {
        let doc: Value = serde_json::from_str(
            &std::fs::read_to_string(root().join("testdata/api").join(file)).expect("read"),
        )
        .expect("JSON");
        for c in doc["cases"].as_array().expect("cases") {
            if let Some(p) = c["input"].get("policy") {
                out.push((format!("{file} {}", c["name"]), p.clone()));
            }
        }
    }
    out
}

#[test]
fn every_policy_example_validates_and_compiles() {
    let schema = schema_file("policy");
    let examples = policy_examples();
    assert!(examples.len() >= 5, "too few policy examples found");
    assert!(
        examples.iter().any(|(w, _)| w == "docs/policy.md"),
        "docs/policy.md has no complete ```json policy"
    );
    for (what, doc) in &examples {
        let errors = errors_of(&schema, doc);
        assert!(errors.is_empty(), "{what}: {errors:?}");
        if let Err(e) = CompiledPolicy::from_value(doc) {
            panic!("{what}: does not compile: {e}");
        }
    }
}

#[test]
fn the_policy_schema_refuses_what_the_reader_refuses() {
    let schema = schema_file("policy");
    for doc in [
        json!({"logging": "loud"}),
        json!({"logging": {"event": "off", "matches": "off"}}),
        json!({"zz_unknown": 1}),
        json!({"org": {"id": 3}}),
        json!({"org": {"id": ""}}),
        json!({"actions": {"prompt": {"high": "obliterate"}}}),
        json!({"custom_rules": [{"id": "acme.x", "pattern": "x"}]}),
        json!({"custom_rules": [{"id": "acme.x", "severity": "high", "pattern": "x", "confidence": 2}]}),
        json!({"packs": {"crypto": true}}),
        json!({"rules": {"overrides": {"pii.email": {"action": {"prompt": "nope"}}}}}),
        json!({"limits": {"max_scan_bytes": 10}}),
        json!({"limits": {"max_matches": 0}}),
        json!({"fingerprint_key": "short"}),
        json!({"schema_version": 2}),
        json!({"redaction": {"style": "blur"}}),
        json!({"ai_tools": {"unknown_action": "shrug"}}),
        json!({"org": null}),
        json!({"packs": {"pii": "on"}}),
        json!({"categories": {"pii": "obliterate"}}),
        json!({"rules": {"overrides": {"pii.email": 3}}}),
        json!({"packs": {"pii": {"action": "nope"}}}),
        json!({"categories": {"secrets": {"action": "block"}}}),
        json!({"categories": {"pii": {"monitor": "yes"}}}),
        json!({"monitor": "yes"}),
    ] {
        assert!(
            CompiledPolicy::from_value(&doc).is_err(),
            "the reader accepts {doc}"
        );
        assert!(
            !errors_of(&schema, &doc).is_empty(),
            "the schema accepts {doc}, which the reader refuses"
        );
    }
}

/// The `expected one of: …` list of the reader's problem at `path`.
fn reader_list(doc: &Value, path: &str) -> BTreeSet<String> {
    let err = CompiledPolicy::from_value(doc).expect_err("refused");
    let p = err
        .problems
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("no problem at {path}: {:?}", err.problems));
    let list = p
        .message
        .split("expected one of: ")
        .nth(1)
        .unwrap_or_else(|| panic!("{path}: {}", p.message));
    list.split(", ").map(str::to_string).collect()
}

/// Follows `$ref`s and, in an `anyOf`/`oneOf`, the branch with properties.
fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return resolve(root, &root["$defs"][name]);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = s.get(key).and_then(Value::as_array)
            && let Some(obj) = branches
                .iter()
                .map(|b| resolve(root, b))
                .find(|b| b.get("properties").is_some())
        {
            return obj;
        }
    }
    s
}

/// The schema at a path of keys: `*` steps into array items or map values.
fn schema_at<'a>(root: &'a Value, keys: &[&str]) -> &'a Value {
    let mut s = resolve(root, root);
    for k in keys {
        s = match *k {
            "[]" => resolve(root, &s["items"]),
            "*" => resolve(root, &s["additionalProperties"]),
            k => resolve(root, &s["properties"][k]),
        };
    }
    s
}

fn properties(s: &Value) -> BTreeSet<String> {
    s["properties"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Each enum's values, in the schema's `const`s or `enum`.
fn enum_values(root: &Value, s: &Value) -> BTreeSet<String> {
    let s = match s.get("$ref") {
        Some(_) => resolve(root, s),
        None => s,
    };
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
    }
    s.get("oneOf")
        .and_then(Value::as_array)
        .map(|bs| {
            bs.iter()
                .filter_map(|b| b["const"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_policy_schema_has_the_readers_keys_at_every_level() {
    let schema = schema_file("policy");
    // (where an unknown key goes, the reader's path for it, the schema's keys)
    let cases: Vec<(Value, &str, Vec<&str>)> = vec![
        (json!({"zz": 1}), "$.zz", vec![]),
        (json!({"org": {"zz": 1}}), "$.org.zz", vec!["org"]),
        (json!({"config": {"zz": 1}}), "$.config.zz", vec!["config"]),
        (json!({"rules": {"zz": 1}}), "$.rules.zz", vec!["rules"]),
        (
            json!({"rules": {"overrides": {"pii.email": {"zz": 1}}}}),
            "$.rules.overrides[\"pii.email\"].zz",
            vec!["rules", "overrides", "*"],
        ),
        (
            json!({"rules": {"overrides": {"pii.email": {"action": {"zz": "block"}}}}}),
            "$.rules.overrides[\"pii.email\"].action.zz",
            vec!["rules", "overrides", "*", "action"],
        ),
        (
            json!({"custom_rules": [{"id": "acme.x", "severity": "high", "pattern": "x", "zz": 1}]}),
            "$.custom_rules[0].zz",
            vec!["custom_rules", "[]"],
        ),
        (
            json!({"actions": {"zz": 1}}),
            "$.actions.zz",
            vec!["actions"],
        ),
        (
            json!({"actions": {"prompt": {"zz": "block"}}}),
            "$.actions.prompt.zz",
            vec!["actions", "prompt"],
        ),
        (
            json!({"allowlist": {"zz": 1}}),
            "$.allowlist.zz",
            vec!["allowlist"],
        ),
        (
            json!({"ai_tools": {"zz": 1}}),
            "$.ai_tools.zz",
            vec!["ai_tools"],
        ),
        (
            json!({"logging": {"zz": "off"}}),
            "$.logging.zz",
            vec!["logging"],
        ),
        (
            json!({"redaction": {"zz": 1}}),
            "$.redaction.zz",
            vec!["redaction"],
        ),
        (json!({"limits": {"zz": 1}}), "$.limits.zz", vec!["limits"]),
        (
            json!({"packs": {"pii": {"zz": 1}}}),
            "$.packs.pii.zz",
            vec!["packs", "pii"],
        ),
        (
            json!({"categories": {"pii": {"zz": 1}}}),
            "$.categories.pii.zz",
            vec!["categories", "pii"],
        ),
        (
            json!({"limits": {"on_truncated": {"zz": "block"}}}),
            "$.limits.on_truncated.zz",
            vec!["limits", "on_truncated"],
        ),
    ];
    for (doc, path, keys) in cases {
        let reader = reader_list(&doc, path);
        let schema_keys = properties(schema_at(&schema, &keys));
        assert_eq!(reader, schema_keys, "keys at {path}");
    }
    // Packs and categories are keys too, with messages of their own.
    let reader = reader_list(&json!({"packs": {"zz": true}}), "$.packs.zz");
    assert_eq!(reader, properties(schema_at(&schema, &["packs"])), "packs");
    let reader = reader_list(&json!({"categories": {"zz": {}}}), "$.categories.zz");
    assert_eq!(
        reader,
        properties(schema_at(&schema, &["categories"])),
        "categories"
    );
}

#[test]
fn the_policy_schema_has_the_readers_enum_values() {
    let schema = schema_file("policy");
    let defs = &schema["$defs"];
    let rule = |field: &str| json!({"custom_rules": [{"id": "acme.x", "severity": "high", "pattern": "x", field: "zz"}]});
    for (doc, path, def) in [
        (
            json!({"actions": {"prompt": {"high": "zz"}}}),
            "$.actions.prompt.high",
            "Verdict",
        ),
        (
            json!({"rules": {"overrides": {"pii.email": {"severity": "zz"}}}}),
            "$.rules.overrides[\"pii.email\"].severity",
            "Severity",
        ),
        (json!({"logging": "zz"}), "$.logging", "LoggingLevel"),
        (
            json!({"redaction": {"style": "zz"}}),
            "$.redaction.style",
            "RedactionStyle",
        ),
        (rule("category"), "$.custom_rules[0].category", "Category"),
    ] {
        let reader = reader_list(&doc, path);
        let values = enum_values(&schema, &defs[def]);
        assert!(!values.is_empty(), "{def} has no values in the schema");
        assert_eq!(reader, values, "values of {def} at {path}");
    }
}

#[test]
fn notification_examples_validate_and_are_read() {
    let schema = schema_file("notifications");
    let examples: Vec<Value> = doc_blocks("docs/notifications.md")
        .into_iter()
        .filter(|v| v.get("channels").is_some() || v.get("rules").is_some())
        .collect();
    assert!(
        !examples.is_empty(),
        "docs/notifications.md has no config example"
    );
    for doc in &examples {
        let errors = errors_of(&schema, doc);
        assert!(errors.is_empty(), "docs/notifications.md: {errors:?}");
        if let Err(e) = NotifyConfig::from_json(&doc.to_string()) {
            panic!("docs/notifications.md: not read: {e}");
        }
        // And inside a pipeline spec, where hosts give it.
        let spec = json!({"sinks": [], "notifications": doc});
        assert!(errors_of(&schema_file("pipeline_spec"), &spec).is_empty());
    }
    for bad in [
        json!({"channels": [{"id": "c", "kind": "carrier_pigeon"}]}),
        json!({"rules": [{"id": "r", "channels": ["c"], "dedup_by": ["mood"]}]}),
        json!({"sauce": 1}),
    ] {
        assert!(
            NotifyConfig::from_json(&bad.to_string()).is_err(),
            "read {bad}"
        );
        assert!(
            !errors_of(&schema, &bad).is_empty(),
            "the schema accepts {bad}"
        );
    }
}

#[test]
fn pipeline_spec_examples_validate_and_are_read() {
    let schema = schema_file("pipeline_spec");
    let mut examples = Vec::new();
    for file in ["calls.json", "errors.json"] {
        let doc: Value = serde_json::from_str(
            &std::fs::read_to_string(root().join("testdata/api").join(file)).expect("read"),
        )
        .expect("JSON");
        for c in doc["cases"].as_array().expect("cases") {
            if c["call"] == "check_pipeline" && c["expect"].get("error_kind").is_none() {
                examples.push(c["input"].clone());
            }
        }
    }
    examples.push(json!({
        "sinks": [
            {"kind": "jsonl", "name": "file", "path": "/var/log/gov.jsonl"},
            {"kind": "memory", "name": "recent", "capacity": 50},
            {"kind": "splunk_hec", "name": "siem", "url": "https://splunk.example:8088",
             "token": "t", "options": {"max_batch_records": 100, "overflow": "block"}},
            {"kind": "syslog", "name": "sys", "address": "logs.example:6514"}
        ],
        "outbox": {"dir": "/var/spool/gov"},
        "http_timeout_ms": 5000
    }));
    for doc in &examples {
        let errors = errors_of(&schema, doc);
        assert!(errors.is_empty(), "{doc}: {errors:?}");
        if let Err(e) = PipelineSpec::from_value(doc.clone()) {
            panic!("{doc}: not read: {e}");
        }
    }
    for bad in [
        json!({"sinks": [{"kind": "carrier_pigeon", "name": "p"}]}),
        json!({"sinks": [{"kind": "memory"}]}),
        json!({"sinks": [], "extra": 1}),
        json!({"sinks": [{"kind": "memory", "name": "m", "options": {"overflow": "explode"}}]}),
    ] {
        assert!(PipelineSpec::from_value(bad.clone()).is_err(), "read {bad}");
        assert!(
            !errors_of(&schema, &bad).is_empty(),
            "the schema accepts {bad}"
        );
    }
}

/// `docs/schema.md` says a `"$schema"` key makes a document fail to load;
/// when a reader learns to skip it, this fails and the page is updated.
#[test]
fn a_schema_key_is_refused_by_every_reader_today() {
    let key = "$schema";
    assert!(CompiledPolicy::from_value(&json!({ key: "policy.schema.json" })).is_err());
    assert!(PipelineSpec::from_value(json!({ key: "x", "sinks": [] })).is_err());
    assert!(NotifyConfig::from_json(&json!({ key: "x" }).to_string()).is_err());
}
