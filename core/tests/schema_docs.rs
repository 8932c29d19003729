//! `docs/schema.md` agrees with the types: its examples are records written
//! exactly as serialized, its field tables match the generated schemas, and
//! its `ApiEventType` table is the taxonomy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::schema::{
    ApiEventType, AuditEvent, DlpMatch, Event, Record, ShadowAiEvent, ShadowAiFinding, TextSpan,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

fn schema_doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/schema.md");
    std::fs::read_to_string(path).expect("docs/schema.md exists")
}

fn json_blocks(doc: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match current.as_mut() {
            None if line.trim_end() == "```json" => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => blocks.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    assert!(current.is_none(), "unclosed ```json block");
    blocks
}

/// Table rows (cells, `\|` kept as `|`) per `## ` heading, outside code blocks.
fn tables(doc: &str) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut out: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    let mut heading = String::new();
    let mut in_code = false;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if in_code {
            continue;
        } else if let Some(h) = line.strip_prefix("## ") {
            heading = h.trim().to_owned();
        } else if line.starts_with("| `") {
            let escaped = line.replace("\\|", "\u{0}");
            let cells = escaped
                .trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().replace('\u{0}', "|"))
                .collect();
            out.entry(heading.clone()).or_default().push(cells);
        }
    }
    out
}

#[test]
fn doc_examples_are_records_written_exactly_as_serialized() {
    let mut kinds = BTreeSet::new();
    for block in json_blocks(&schema_doc()) {
        let written: Value = serde_json::from_str(&block)
            .unwrap_or_else(|e| panic!("docs/schema.md example is not JSON ({e}):\n{block}"));
        let record = Record::from_json_line(&block)
            .unwrap_or_else(|e| panic!("docs/schema.md example is not a record ({e}):\n{block}"));
        // Comparing values catches misspelled fields (serde ignores unknown
        // ones) and nulls (the code omits them).
        let emitted: Value = serde_json::from_str(&record.to_json_line().unwrap()).unwrap();
        assert_eq!(
            written, emitted,
            "docs/schema.md example differs from its serialization"
        );
        if let Record::AuditEvent(event) = &record {
            assert_eq!(event.validate(), Ok(()), "{block}");
        }
        kinds.insert(record.kind());
    }
    assert_eq!(kinds, Record::KINDS.into_iter().collect());
}

/// Follows `$ref`s and `Option`'s `anyOf [T, null]` to the schema of `T`.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local $ref");
        return resolve(root, &root["$defs"][name]);
    }
    if let Some(alternatives) = node.get("anyOf").and_then(Value::as_array) {
        let not_null: Vec<&Value> = alternatives
            .iter()
            .filter(|a| a.get("type") != Some(&json!("null")))
            .collect();
        if let [only] = not_null[..] {
            return resolve(root, only);
        }
    }
    node
}

/// The schema node at a documented path such as `policy_results[].verdict`.
fn node_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = root;
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (name, is_array) = match segment.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (segment, false),
        };
        node = resolve(root, resolve(root, node).get("properties")?.get(name)?);
        if is_array {
            node = resolve(root, node.get("items")?);
        }
    }
    Some(resolve(root, node))
}

#[test]
fn doc_field_tables_match_the_schemas() {
    let sections = [
        ("Offsets", schemars::schema_for!(TextSpan)),
        ("Event", schemars::schema_for!(Event)),
        ("DlpMatch", schemars::schema_for!(DlpMatch)),
        ("ShadowAiEvent", schemars::schema_for!(ShadowAiEvent)),
        ("ShadowAiFinding", schemars::schema_for!(ShadowAiFinding)),
        ("AuditEvent", schemars::schema_for!(AuditEvent)),
    ];
    let tables = tables(&schema_doc());
    for (heading, schema) in sections {
        let root = serde_json::to_value(&schema).unwrap();
        let rows = tables
            .get(heading)
            .unwrap_or_else(|| panic!("docs/schema.md has no field table under `## {heading}`"));
        // Documented children per documented parent ("" is the record).
        let mut children: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
        for row in rows {
            let path = row[0].trim_matches('`');
            let required = match row[2].as_str() {
                "yes" => true,
                "no" => false,
                other => panic!("{heading}: `{path}` has Required `{other}`, not yes/no"),
            };
            let (parent, name) = path.rsplit_once('.').unwrap_or(("", path));
            children
                .entry(parent.to_owned())
                .or_default()
                .insert(name.to_owned(), required);
        }
        for (parent, documented) in children {
            let node = node_at(&root, &parent)
                .unwrap_or_else(|| panic!("{heading}: documented `{parent}` is not in the schema"));
            let properties: BTreeSet<&str> = node["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{heading}: `{parent}` has no properties"))
                .keys()
                .map(String::as_str)
                .collect();
            let names: BTreeSet<&str> = documented
                .keys()
                .map(|n| n.trim_end_matches("[]"))
                .collect();
            assert_eq!(
                names, properties,
                "{heading}: fields of `{parent}` in docs vs schema"
            );
            let required: BTreeSet<&str> = node["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (name, doc_required) in &documented {
                let name = name.trim_end_matches("[]");
                assert_eq!(
                    *doc_required,
                    required.contains(name),
                    "{heading}: `{parent}{}{name}` Required column disagrees with the schema",
                    if parent.is_empty() { "" } else { "." }
                );
            }
        }
    }
}

#[test]
fn doc_api_event_type_table_is_the_taxonomy() {
    let tables = tables(&schema_doc());
    let rows = tables
        .get("ApiEventType")
        .expect("an `## ApiEventType` table");
    assert_eq!(rows.len(), ApiEventType::ALL.len());
    for (row, t) in rows.iter().zip(ApiEventType::ALL) {
        assert_eq!(row[0], format!("`{}`", t.as_str()));
        assert_eq!(row[1], format!("`{}`", t.category().as_str()), "{t}");
        assert_eq!(row[2], t.name(), "{t}");
        let keys: Vec<&str> = match row[3].as_str() {
            "none" => Vec::new(),
            list => list.split(", ").map(|k| k.trim_matches('`')).collect(),
        };
        assert_eq!(keys, t.required_metadata(), "{t}");
    }
}
