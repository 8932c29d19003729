//! Azure Monitor Logs Ingestion API (the way into Microsoft Sentinel and
//! Log Analytics custom tables): a JSON array of flat rows, posted with an
//! Entra ID bearer token to
//! `https://<endpoint>/dataCollectionRules/<DCR immutable id>/streams/<stream>?api-version=2023-01-01`.
//! That URL is the sink's whole address, so there is no default path.
//!
//! Rows: `TimeGenerated` (the record's time, UTC) and the record's fields,
//! nested objects flattened with `_` (`dlp_total_matches`,
//! `prompt_summary_text`); lists and free-form values (`policy_results`,
//! `metadata`, `event_metadata`, `safety_settings`, `safety_response`)
//! stay whole in `dynamic` columns. Every
//! column a record can produce, with its type, is in
//! [`AzureLogsEncoder::COLUMNS`] for the data collection rule's stream
//! declaration.

use super::{BatchInfo, Encoder, facts};
use crate::clock;
use crate::error::Result;
use crate::schema::Record;
use serde_json::{Map, Value, json};
use std::fmt;
use std::sync::RwLock;

/// The API's limit on one call (1 MB), which the pipeline splits under.
pub const AZURE_LOGS_MAX_BODY_BYTES: usize = 1_000_000;

/// Fields kept as one `dynamic` column instead of being flattened: their
/// keys are free-form, and a table's columns must be declared up front.
const DYNAMIC_OBJECTS: [&str; 4] = [
    "metadata",
    "event_metadata",
    "safety_settings",
    "safety_response",
];

/// Settings of an [`AzureLogsEncoder`]. `Debug` never shows the token.
#[derive(Clone)]
pub struct AzureLogsConfig {
    /// An Entra ID access token for the scope
    /// `https://monitor.azure.com//.default`. Tokens expire (about an hour);
    /// replace it with [`AzureLogsEncoder::set_bearer_token`].
    pub bearer_token: String,
}

impl AzureLogsConfig {
    /// A config with the first token.
    pub fn new(bearer_token: impl Into<String>) -> Self {
        AzureLogsConfig {
            bearer_token: bearer_token.into(),
        }
    }
}

impl fmt::Debug for AzureLogsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureLogsConfig")
            .field("bearer_token", &"<redacted>")
            .finish()
    }
}

/// Rows for one data collection rule stream. The body is `[` + the rows
/// joined by `,` + `]`: the pieces plus one byte per record plus one.
pub struct AzureLogsEncoder {
    token: RwLock<String>,
}

impl fmt::Debug for AzureLogsEncoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureLogsEncoder")
            .field("bearer_token", &"<redacted>")
            .finish()
    }
}

impl AzureLogsEncoder {
    /// Every column a row can have and its Log Analytics type, `TimeGenerated`
    /// first: the `columns` of the data collection rule's stream.
    pub const COLUMNS: &'static [(&'static str, &'static str)] = &[
        ("TimeGenerated", "datetime"),
        ("record_type", "string"),
        ("schema_version", "int"),
        ("event_id", "string"),
        ("match_id", "string"),
        ("finding_id", "string"),
        ("timestamp", "datetime"),
        ("date_time", "datetime"),
        ("first_seen", "datetime"),
        ("last_seen", "datetime"),
        ("org_id", "string"),
        ("user_id", "string"),
        ("user_email", "string"),
        ("idp_user_id", "string"),
        ("keycloak_user_id", "string"),
        ("client", "string"),
        ("client_version", "string"),
        ("extension_id", "string"),
        ("extension_version", "string"),
        ("gateway_id", "string"),
        ("endpoint_id", "string"),
        ("browser", "string"),
        ("source", "string"),
        ("source_system", "string"),
        ("provider", "string"),
        ("tool", "string"),
        ("vendor", "string"),
        ("model", "string"),
        ("route", "string"),
        ("hostname", "string"),
        ("url", "string"),
        ("classification", "string"),
        ("phase", "string"),
        ("verdict", "string"),
        ("event_type", "string"),
        ("reason_code", "string"),
        ("would_verdict", "string"),
        ("would_reason_code", "string"),
        ("policy_results", "dynamic"),
        ("prompt_summary_text", "string"),
        ("prompt_summary_truncated", "boolean"),
        ("prompt_summary_original_length", "long"),
        ("response_summary_text", "string"),
        ("response_summary_truncated", "boolean"),
        ("response_summary_original_length", "long"),
        ("output_preview", "string"),
        ("prompt_hash", "string"),
        ("prompt_redacted", "boolean"),
        ("dlp_is_dlp_event", "boolean"),
        ("dlp_blocked_by_dlp", "boolean"),
        ("dlp_max_severity", "string"),
        ("dlp_high_or_above", "long"),
        ("dlp_critical", "long"),
        ("dlp_total_matches", "long"),
        ("dlp_omitted_matches", "long"),
        ("dlp_scan_truncated", "boolean"),
        ("dlp_scanned_length", "long"),
        ("redactions", "dynamic"),
        ("rewrite_kind", "string"),
        ("rewrite_redactions", "long"),
        ("rewrite_length_before", "long"),
        ("rewrite_length_after", "long"),
        ("rewrite_hash_before", "string"),
        ("rewrite_hash_after", "string"),
        ("tokens_input", "long"),
        ("tokens_output", "long"),
        ("quality_scores_aggregate", "real"),
        ("quality_scores_faithfulness", "real"),
        ("quality_scores_relevancy", "real"),
        ("quality_scores_coherence", "real"),
        ("quality_scores_completeness", "real"),
        ("quality_scores_accuracy", "real"),
        ("metadata", "dynamic"),
        ("safety_settings", "dynamic"),
        ("safety_response", "dynamic"),
        ("config_id", "string"),
        ("config_name", "string"),
        ("config_version", "string"),
        ("degraded", "boolean"),
        ("request_id", "string"),
        ("session_id", "string"),
        ("conversation_id", "string"),
        ("trace_id", "string"),
        ("span_id", "string"),
        ("trace_flags", "long"),
        ("trace_state", "string"),
        ("action", "string"),
        ("monitor", "boolean"),
        ("rule_id", "string"),
        ("rule_name", "string"),
        ("category", "string"),
        ("severity", "string"),
        ("confidence", "real"),
        ("span_start", "long"),
        ("span_end", "long"),
        ("span_byte_start", "long"),
        ("span_byte_end", "long"),
        ("span_utf16_start", "long"),
        ("span_utf16_end", "long"),
        ("snippet_text", "string"),
        ("snippet_offset", "long"),
        ("snippet_end", "long"),
        ("snippet_match_start", "long"),
        ("snippet_match_end", "long"),
        ("fingerprint", "string"),
        ("count", "long"),
        ("distinct_users", "long"),
        ("max_severity", "string"),
        ("status", "string"),
        ("event_metadata", "dynamic"),
    ];

    /// The encoder, with its first token.
    pub fn new(config: AzureLogsConfig) -> Self {
        AzureLogsEncoder {
            token: RwLock::new(config.bearer_token),
        }
    }

    /// Replaces the token; requests built afterwards use the new one.
    pub fn set_bearer_token(&self, token: impl Into<String>) {
        let mut guard = self.token.write().unwrap_or_else(|p| p.into_inner());
        *guard = token.into();
    }

    /// The stream declaration of a data collection rule,
    /// `{"columns":[{"name":…,"type":…},…]}`.
    pub fn stream_declaration() -> Value {
        let columns: Vec<Value> = Self::COLUMNS
            .iter()
            .map(|(name, kind)| json!({ "name": name, "type": kind }))
            .collect();
        json!({ "columns": columns })
    }

    /// The row of one record.
    fn row(record: &Record) -> Result<Map<String, Value>> {
        facts::ensure_encodable(record)?;
        let ms = facts::time_ms(record)?;
        let mut row = Map::new();
        row.insert("TimeGenerated".into(), json!(clock::rfc3339_ms(ms)));
        flatten("", facts::record_object(record), &mut row);
        Ok(row)
    }
}

fn flatten(prefix: &str, fields: Map<String, Value>, row: &mut Map<String, Value>) {
    for (key, value) in fields {
        let name = format!("{prefix}{key}");
        match value {
            Value::Object(inner) if !DYNAMIC_OBJECTS.contains(&name.as_str()) => {
                flatten(&format!("{name}_"), inner, row);
            }
            other => {
                row.insert(name, other);
            }
        }
    }
}

impl Encoder for AzureLogsEncoder {
    fn name(&self) -> &'static str {
        "azure-logs"
    }

    /// Fails for a record whose row alone exceeds the 1 MB call limit: no
    /// batch could carry it.
    fn encode_record(&self, record: &Record, out: &mut Vec<u8>) -> Result<()> {
        let row = Value::Object(Self::row(record)?);
        let text =
            serde_json::to_string(&row).map_err(|e| facts::encode_error(record, e.to_string()))?;
        if text.len() + 2 > AZURE_LOGS_MAX_BODY_BYTES {
            return Err(facts::encode_error(
                record,
                format!(
                    "row is {} bytes; the Logs Ingestion API takes at most {AZURE_LOGS_MAX_BODY_BYTES} per call",
                    text.len()
                ),
            ));
        }
        out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn frame(&self, pieces: &[&[u8]], out: &mut Vec<u8>) {
        out.push(b'[');
        facts::join_json(pieces, out);
        out.push(b']');
    }

    fn headers(&self, _body: &[u8], _batch: &BatchInfo) -> Vec<(String, String)> {
        let token = self
            .token
            .read()
            .map(|t| t.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        vec![
            ("content-type".into(), "application/json".into()),
            ("authorization".into(), format!("Bearer {token}")),
        ]
    }

    // The Logs Ingestion API takes `Content-Encoding: gzip`; its 1 MB limit
    // still applies, so the pipeline's split on the uncompressed size holds.
    fn accepts_gzip(&self) -> bool {
        true
    }

    fn max_body_bytes(&self) -> Option<usize> {
        Some(AZURE_LOGS_MAX_BODY_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;
    use std::collections::HashMap;

    fn encoder() -> AzureLogsEncoder {
        AzureLogsEncoder::new(AzureLogsConfig {
            bearer_token: "eyJ0eXAi.first".into(),
        })
    }

    #[test]
    fn rows_are_flat_with_time_generated_and_dynamic_lists() {
        let row = AzureLogsEncoder::row(&test_records::event()).unwrap();
        assert_eq!(row["TimeGenerated"], "2025-02-03T11:22:53.492Z");
        assert_eq!(row["dlp_total_matches"], 1);
        assert_eq!(row["tokens_input"], 17);
        assert_eq!(row["config_id"], "cfg-acme-default");
        assert!(row["policy_results"].is_array());
        assert_eq!(row["metadata"], json!({"tab_id": 118}));
        assert!(
            row.values()
                .all(|v| !v.is_object() || v == &row["metadata"])
        );
    }

    #[test]
    fn every_column_is_declared_with_its_type() {
        let declared: HashMap<&str, &str> = AzureLogsEncoder::COLUMNS.iter().copied().collect();
        assert_eq!(
            declared.len(),
            AzureLogsEncoder::COLUMNS.len(),
            "a duplicate column"
        );
        let mut records = test_records::maximal();
        records.extend(test_records::all());
        let mut seen = std::collections::HashSet::new();
        for r in &records {
            for (name, value) in AzureLogsEncoder::row(r).unwrap() {
                seen.insert(name.clone());
                let Some(kind) = declared.get(name.as_str()) else {
                    panic!("column `{name}` of a {} is not declared", r.kind())
                };
                let fits = match *kind {
                    "string" | "datetime" => value.is_string(),
                    "int" | "long" => value.is_u64() || value.is_i64(),
                    "real" => value.is_number(),
                    "boolean" => value.is_boolean(),
                    _ => true,
                };
                assert!(fits, "`{name}` = {value} is not a {kind}");
            }
        }
        for (name, _) in AzureLogsEncoder::COLUMNS {
            assert!(
                seen.contains(*name),
                "declared column `{name}` is never produced"
            );
        }
    }

    #[test]
    fn the_body_is_an_array_and_stays_under_the_call_limit() {
        let enc = encoder();
        assert_eq!(enc.max_body_bytes(), Some(1_000_000));
        assert_eq!(enc.default_path(), None);
        let pieces: Vec<Vec<u8>> = test_records::all()
            .iter()
            .map(|r| {
                let mut p = Vec::new();
                enc.encode_record(r, &mut p).unwrap();
                p
            })
            .collect();
        let refs: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        let mut body = Vec::new();
        enc.frame(&refs, &mut body);
        let total: usize = pieces.iter().map(Vec::len).sum();
        assert_eq!(body.len(), total + pieces.len() + 1);
        let rows: Vec<Value> = serde_json::from_slice(&body).unwrap();
        assert_eq!(rows.len(), 5);
        let mut empty = Vec::new();
        enc.frame(&[], &mut empty);
        assert_eq!(empty, b"[]");
    }

    #[test]
    fn a_record_too_big_for_any_call_is_refused() {
        let mut r = test_records::event();
        if let Record::Event(e) = &mut r {
            e.metadata
                .insert("blob".into(), json!("x".repeat(AZURE_LOGS_MAX_BODY_BYTES)));
        }
        let err = encoder().encode_record(&r, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("at most 1000000"), "{err}");
    }

    #[test]
    fn the_token_can_be_replaced_and_is_never_printed() {
        let enc = encoder();
        let batch = BatchInfo {
            batch_id: "b".into(),
            now_ms: 0,
        };
        assert_eq!(enc.headers(b"[]", &batch)[1].1, "Bearer eyJ0eXAi.first");
        enc.set_bearer_token("eyJ0eXAi.second");
        assert_eq!(enc.headers(b"[]", &batch)[1].1, "Bearer eyJ0eXAi.second");
        let config = AzureLogsConfig {
            bearer_token: "eyJ0eXAi.first".into(),
        };
        for shown in [format!("{enc:?}"), format!("{config:?}")] {
            assert!(!shown.contains("eyJ0"), "{shown}");
        }
        let declaration = AzureLogsEncoder::stream_declaration();
        assert_eq!(declaration["columns"][0]["name"], "TimeGenerated");
    }
}
