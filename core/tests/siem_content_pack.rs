//! The SIEM content pack in `siem/` names only fields the encoders send,
//! with the types they send: the Elasticsearch mappings cover every field
//! of the `elasticsearch` sink's documents and no other, the Kibana rule,
//! the Splunk searches and the Sentinel table and rules name real fields.
//! Renaming a field in an encoder fails here until the pack follows.
//!
//! Fields come from the encoders' golden files and from the real encoders
//! run over one record of every kind with every optional field set
//! (`siem_pack/samples.rs`); queries are read with the conservative
//! tokenizers of `siem_pack/queries.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod siem_pack;

use govstream::pipeline::encode::AzureLogsEncoder;
use serde_json::Value;
use siem_pack::queries::{kql_fields, kuery_fields, read_conf, spl_fields, spl_macros};
use siem_pack::samples::{self, Fields, repo};
use std::collections::BTreeMap;

fn json_file(path: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| govstream::select::parse_time_ms(s).is_some())
}

/// Whether every value sent at a field fits an Elasticsearch field type.
fn es_type_fits(es_type: &str, values: &[Value]) -> bool {
    values.iter().all(|v| match es_type {
        "keyword" | "wildcard" | "match_only_text" | "text" => v.is_string(),
        "date" => is_rfc3339(v),
        "long" | "integer" | "short" | "byte" => v.is_i64() || v.is_u64(),
        "float" | "double" | "half_float" | "scaled_float" => v.is_number(),
        "boolean" => v.is_boolean(),
        "ip" => v
            .as_str()
            .is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok()),
        other => panic!("no check for Elasticsearch type `{other}`"),
    })
}

/// Mapped leaf fields (dotted) and their types; `flattened` fields take
/// everything below them.
fn es_mapping(properties: &Value, prefix: &str, out: &mut BTreeMap<String, String>) {
    for (name, field) in properties.as_object().unwrap() {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match (field.get("properties"), field["type"].as_str()) {
            (Some(p), _) => es_mapping(p, &path, out),
            (None, Some(t)) => {
                out.insert(path, t.to_owned());
            }
            (None, None) => panic!("{path}: neither a type nor properties"),
        }
    }
}

fn mapped() -> BTreeMap<String, String> {
    let component = json_file("siem/elasticsearch/component_template.json");
    let mut out = BTreeMap::new();
    es_mapping(
        &component["template"]["mappings"]["properties"],
        "",
        &mut out,
    );
    out
}

#[test]
fn elasticsearch_mappings_cover_exactly_what_the_sink_sends() {
    let sent = samples::dotted_fields(&samples::elasticsearch_documents());
    let mapping = mapped();
    let mut problems = Vec::new();
    for (path, values) in &sent {
        let owner = mapping.iter().find(|(m, t)| {
            *m == path || (t.as_str() == "flattened" && path.starts_with(&format!("{m}.")))
        });
        match owner {
            None => problems.push(format!(
                "{path}: sent but not mapped in siem/elasticsearch/component_template.json (e.g. {})",
                values[0]
            )),
            Some((_, t)) if t == "flattened" => {}
            Some((_, t)) if !es_type_fits(t, values) => {
                problems.push(format!("{path}: mapped as {t}, sent {}", values[0]));
            }
            Some(_) => {}
        }
    }
    for (path, t) in &mapping {
        let is_sent = sent.contains_key(path)
            || (t == "flattened" && sent.keys().any(|s| s.starts_with(&format!("{path}."))));
        if !is_sent {
            problems.push(format!("{path}: mapped as {t} but never sent"));
        }
    }
    assert!(
        problems.is_empty(),
        "siem/elasticsearch:\n{}",
        problems.join("\n")
    );
}

#[test]
fn elasticsearch_templates_ilm_and_docs_agree() {
    let events = json_file("siem/elasticsearch/index_template.json");
    let findings = json_file("siem/elasticsearch/findings_index_template.json");
    let ilm = json_file("siem/elasticsearch/ilm_policy.json");
    let docs = std::fs::read_to_string(repo().join("docs/siem.md")).unwrap();
    for t in [&events, &findings] {
        assert_eq!(t["composed_of"], serde_json::json!(["govstream-mappings"]));
    }
    assert!(docs.contains("_component_template/govstream-mappings"));
    let policy = events["template"]["settings"]["index.lifecycle.name"]
        .as_str()
        .unwrap();
    assert!(docs.contains(&format!("_ilm/policy/{policy}")), "{policy}");
    // 90-day retention (seed 001), counted from rollover.
    assert_eq!(ilm["policy"]["phases"]["delete"]["min_age"], "90d");
    assert!(
        ilm["policy"]["phases"]["delete"]["actions"]
            .get("delete")
            .is_some()
    );
    // The sink writes records with `create` to a data stream, findings
    // (replaced by id) to a regular index.
    assert!(events.get("data_stream").is_some() && findings.get("data_stream").is_none());
    let golden =
        std::fs::read_to_string(repo().join("core/tests/golden/elasticsearch_bulk.ndjson"))
            .unwrap();
    let pattern = |t: &Value| {
        t["index_patterns"][0]
            .as_str()
            .unwrap()
            .trim_end_matches('*')
            .to_owned()
    };
    assert!(golden.contains(&format!("\"_index\":\"{}", pattern(&events))));
    assert!(golden.contains(&format!("\"_index\":\"{}", pattern(&findings))));
}

#[test]
fn the_kibana_rule_counts_blocks_per_user_on_mapped_fields() {
    let rule = json_file("siem/kibana/threshold_rule.json");
    let mapping = mapped();
    let sent = samples::dotted_fields(&samples::elasticsearch_documents());
    let query = rule["query"].as_str().unwrap();
    let fields = kuery_fields(query);
    assert!(!fields.is_empty());
    for f in &fields {
        assert_eq!(mapping.get(f).map(String::as_str), Some("keyword"), "{f}");
    }
    // The values it filters on are values the sink sends.
    assert!(sent["govstream.verdict"].contains(&Value::from("block")));
    assert!(sent["event.dataset"].contains(&Value::from("govstream.event")));
    for f in rule["threshold"]["field"].as_array().unwrap() {
        assert_eq!(
            mapping.get(f.as_str().unwrap()).map(String::as_str),
            Some("keyword")
        );
    }
    // "More than 50": Kibana alerts at `value` or more.
    assert_eq!(rule["threshold"]["value"], 51);
    assert_eq!(
        (rule["type"].as_str(), rule["from"].as_str()),
        (Some("threshold"), Some("now-1h"))
    );
    let events = json_file("siem/elasticsearch/index_template.json");
    assert_eq!(rule["index"], events["index_patterns"]);
}

/// Sentinel's table types for the encoder's stream types.
fn table_type(stream_type: &str) -> &str {
    match stream_type {
        "datetime" => "dateTime",
        other => other,
    }
}

fn sentinel_type_fits(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "datetime" => is_rfc3339(v),
        "int" | "long" => v.is_i64() || v.is_u64(),
        "real" => v.is_number(),
        "boolean" => v.is_boolean(),
        "dynamic" => v.is_array() || v.is_object(),
        other => panic!("no check for column type `{other}`"),
    }
}

const BLESS: &str = "GOVSTREAM_BLESS=1 cargo test -p govstream --test siem_content_pack";

/// With `GOVSTREAM_BLESS=1`, rewrites the Sentinel table's columns and the
/// DCR's stream declaration from `AzureLogsEncoder::COLUMNS` (the one part
/// of the pack that follows the encoder mechanically; a new Elasticsearch
/// field needs a person to choose its type).
fn bless_sentinel_columns() {
    let path = repo().join("siem/sentinel/azuredeploy.json");
    let mut deploy = json_file("siem/sentinel/azuredeploy.json");
    let table_columns: Vec<Value> = AzureLogsEncoder::COLUMNS
        .iter()
        .map(|(n, t)| serde_json::json!({"name": n, "type": table_type(t)}))
        .collect();
    for r in deploy["resources"].as_array_mut().unwrap() {
        if r["type"] == "Microsoft.OperationalInsights/workspaces/tables" {
            r["properties"]["schema"]["columns"] = Value::Array(table_columns.clone());
        } else if r["type"] == "Microsoft.Insights/dataCollectionRules" {
            r["properties"]["streamDeclarations"]["Custom-GovstreamRecords"] =
                AzureLogsEncoder::stream_declaration();
        }
    }
    let text = serde_json::to_string_pretty(&deploy).unwrap() + "\n";
    std::fs::write(path, text).unwrap();
}

#[test]
fn the_sentinel_table_and_rule_declare_the_encoders_columns() {
    if std::env::var_os("GOVSTREAM_BLESS").is_some_and(|v| v == "1") {
        bless_sentinel_columns();
    }
    let deploy = json_file("siem/sentinel/azuredeploy.json");
    let resources = deploy["resources"].as_array().unwrap();
    let of_type = |t: &str| resources.iter().find(|r| r["type"] == t).unwrap();
    let table = &of_type("Microsoft.OperationalInsights/workspaces/tables")["properties"]["schema"];
    let dcr = &of_type("Microsoft.Insights/dataCollectionRules")["properties"];
    let expected_table: Vec<(String, String)> = AzureLogsEncoder::COLUMNS
        .iter()
        .map(|(n, t)| ((*n).to_owned(), table_type(t).to_owned()))
        .collect();
    let columns = |v: &Value| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["type"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        columns(&table["columns"]),
        expected_table,
        "the table's columns (run `{BLESS}`)"
    );
    assert_eq!(
        dcr["streamDeclarations"]["Custom-GovstreamRecords"],
        AzureLogsEncoder::stream_declaration(),
        "the DCR's stream (run `{BLESS}`)"
    );
    let flow = &dcr["dataFlows"][0];
    assert_eq!(
        flow["outputStream"],
        format!("Custom-{}", table["name"].as_str().unwrap())
    );
    // The table keeps what the encoder sends, with the declared types.
    let declared: BTreeMap<&str, &str> = AzureLogsEncoder::COLUMNS.iter().copied().collect();
    for row in samples::azure_rows() {
        for (name, value) in row.as_object().unwrap() {
            let t = declared
                .get(name.as_str())
                .unwrap_or_else(|| panic!("{name}: sent, no column"));
            assert!(
                sentinel_type_fits(t, value),
                "{name}: a {t} column, sent {value}"
            );
        }
    }
    let docs = std::fs::read_to_string(repo().join("docs/sinks.md")).unwrap();
    assert!(
        docs.contains("streams/Custom-GovstreamRecords?"),
        "docs/sinks.md names the stream"
    );
}

#[test]
fn sentinel_rules_and_hunting_queries_name_real_columns() {
    let table = "GovstreamRecords_CL";
    let sent: Fields = samples::dotted_fields(&samples::azure_rows());
    let columns: Vec<&str> = AzureLogsEncoder::COLUMNS.iter().map(|(n, _)| *n).collect();
    let mut queries = Vec::new();
    for file in [
        "siem/sentinel/analytics_rules.json",
        "siem/sentinel/hunting_queries.json",
    ] {
        for r in json_file(file)["resources"].as_array().unwrap() {
            queries.push((file, r["properties"]["query"].as_str().unwrap().to_owned()));
        }
    }
    assert_eq!(queries.len(), 6);
    for (file, q) in &queries {
        assert!(q.contains(table), "{file}: {q}");
        let fields = kql_fields(q, &[table]);
        assert!(!fields.is_empty(), "{q}");
        for f in fields {
            assert!(
                columns.contains(&f.as_str()),
                "{file}: `{f}` is no column of {table}"
            );
        }
    }
    // The filters compare with values the encoder sends.
    for (column, value) in [
        ("verdict", "block"),
        ("record_type", "event"),
        ("event_type", "escalated"),
    ] {
        assert!(
            sent[column].contains(&Value::from(value)),
            "{column} == {value}"
        );
    }
    let rules = json_file("siem/sentinel/analytics_rules.json");
    let block = &rules["resources"][0]["properties"];
    assert!(block["query"].as_str().unwrap().contains("BlockCount > 50"));
    assert_eq!(
        (
            block["queryFrequency"].as_str(),
            block["queryPeriod"].as_str()
        ),
        (Some("PT1H"), Some("PT1H"))
    );
    let mapped = &block["entityMappings"][0]["fieldMappings"][0]["columnName"];
    assert!(columns.contains(&mapped.as_str().unwrap()));
}

#[test]
fn splunk_searches_and_props_name_fields_of_the_hec_events() {
    let dir = repo().join("siem/splunk/govstream/default");
    let conf = |name: &str| read_conf(&std::fs::read_to_string(dir.join(name)).unwrap());
    let searches = conf("savedsearches.conf");
    let props = conf("props.conf");
    let macros = conf("macros.conf");
    let sent = samples::splunk_fields(&samples::splunk_events());
    assert_eq!(searches.len(), 4, "the seed's three searches and its alert");
    for (name, stanza) in &searches {
        let search = &stanza["search"];
        for m in spl_macros(search) {
            assert!(
                macros.contains_key(&m),
                "[{name}]: macro `{m}` is not in macros.conf"
            );
        }
        let fields = spl_fields(search);
        assert!(!fields.is_empty(), "[{name}]");
        for f in fields {
            assert!(
                sent.contains_key(&f),
                "[{name}]: `{f}` is not a field of the HEC events"
            );
        }
    }
    for (value, field) in [
        ("block", "verdict"),
        ("event", "record_type"),
        ("escalated", "event_type"),
    ] {
        assert!(sent[field].contains(&Value::from(value)), "{field}={value}");
    }
    let alert = searches
        .values()
        .find(|s| s.get("enableSched").is_some_and(|v| v == "1"))
        .expect("a scheduled alert");
    assert!(alert["search"].contains("where block_count > 50"));
    assert_eq!(alert["dispatch.earliest_time"], "-1h");
    let sourcetype = props.keys().next().unwrap();
    assert!(
        macros["govstream_records"]["definition"].contains(&format!("sourcetype={sourcetype}"))
    );
    for (key, value) in &props[sourcetype] {
        if key.starts_with("FIELDALIAS-") {
            let field = value.split_whitespace().next().unwrap();
            assert!(sent.contains_key(field), "{key}: `{field}` is not sent");
        }
    }
}
