//! The committed JSON Schema files in `schemas/` are generated from the Rust
//! types; this test fails when they drift. `GOVSTREAM_BLESS=1` rewrites them.

// clippy.toml allows these inside #[test] functions only; the helpers here
// are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod policy_document;

use govstream::api::PipelineSpec;
use govstream::notify::NotifyConfig;
use govstream::schema::{AuditEvent, DlpMatch, Event, Record, ShadowAiEvent, ShadowAiFinding};
use std::path::PathBuf;

const BLESS: &str = "GOVSTREAM_BLESS=1 cargo test -p govstream --test schema_files";

fn schemas() -> Vec<(&'static str, schemars::Schema)> {
    vec![
        ("event", schemars::schema_for!(Event)),
        ("dlp_match", schemars::schema_for!(DlpMatch)),
        ("shadow_ai_event", schemars::schema_for!(ShadowAiEvent)),
        ("shadow_ai_finding", schemars::schema_for!(ShadowAiFinding)),
        ("audit_event", schemars::schema_for!(AuditEvent)),
        ("record", schemars::schema_for!(Record)),
        // The documents a person writes (docs/schema.md, "Editing with a
        // schema").
        ("policy", policy_document::schema()),
        ("pipeline_spec", schemars::schema_for!(PipelineSpec)),
        ("notifications", schemars::schema_for!(NotifyConfig)),
    ]
}

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn render(schema: &schemars::Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema is plain JSON");
    text.push('\n');
    text
}

#[test]
fn committed_schema_files_match_the_types() {
    let dir = schema_dir();
    let bless = std::env::var_os("GOVSTREAM_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, schema) in schemas() {
        let path = dir.join(format!("{name}.schema.json"));
        let want = render(&schema);
        if bless {
            std::fs::create_dir_all(&dir).expect("create schemas/");
            std::fs::write(&path, &want).expect("write schema file");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(have) if have == want => {}
            Ok(_) => stale.push(format!("{} differs", path.display())),
            Err(e) => stale.push(format!("{} unreadable: {e}", path.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "JSON Schema files are out of date ({}); run `{BLESS}` and commit the result",
        stale.join(", ")
    );
}

#[test]
fn schemas_folder_holds_only_generated_files() {
    let expected: Vec<String> = schemas()
        .iter()
        .map(|(name, _)| format!("{name}.schema.json"))
        .collect();
    let mut extra = Vec::new();
    for entry in std::fs::read_dir(schema_dir()).expect("schemas/ exists") {
        let name = entry.expect("dir entry").file_name();
        let name = name.to_string_lossy().into_owned();
        if !expected.contains(&name) {
            extra.push(name);
        }
    }
    assert!(
        extra.is_empty(),
        "schemas/ holds files no type generates: {extra:?}; delete them or add the type to this test"
    );
}

#[test]
fn record_schema_names_every_record_type() {
    let text = serde_json::to_string(&schemars::schema_for!(Record)).expect("plain JSON");
    for kind in Record::KINDS {
        assert!(
            text.contains(&format!("\"const\":\"{kind}\"")),
            "record schema lacks record_type `{kind}`"
        );
    }
}
