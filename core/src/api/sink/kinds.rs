//! The catalog's entries: one struct of fields per kind of sink, and the
//! options every sink has. Credentials serialize as [`REDACTED`](super::REDACTED).

use super::REDACTED;
use crate::pipeline::encode::{OcsfFraming, SyslogFraming};
use crate::pipeline::{OverflowPolicy, SinkConfig};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// Queueing, batching and retry settings of one sink; every field has a
/// default, so `{}` is valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SinkOptions {
    /// Records queued at most (not counting batches in flight).
    pub queue_capacity: usize,
    /// What a full queue does: `drop_newest` (count and drop the newest
    /// lower-priority record) or `block` (the emitter waits or fails).
    pub overflow: OverflowPolicy,
    /// A batch is sent when it has this many records…
    pub max_batch_records: usize,
    /// …or this many encoded bytes…
    pub max_batch_bytes: usize,
    /// …or its oldest record has waited this long.
    pub max_wait_ms: u64,
    /// Batches sent and not yet answered, at most.
    pub max_in_flight: usize,
    /// First retry delay ceiling; doubles per attempt (full jitter).
    pub initial_backoff_ms: u64,
    /// Largest retry delay ceiling.
    pub max_backoff_ms: u64,
    /// Attempts before a batch is dead-lettered; 0 retries for as long as
    /// the pipeline runs.
    pub max_attempts: u32,
    /// Dead-letter entries kept for inspection (all are counted).
    pub dead_letter_capacity: usize,
    /// Only these record kinds (`event`, `dlp_match`, `shadow_ai_event`,
    /// `shadow_ai_finding`, `audit_event`); empty means all.
    pub kinds: Vec<String>,
    /// Only records whose type name matches one of these globs: `*` is any
    /// run of characters, names are `<record_type>.<subtype>`
    /// (`event.blocked`, `event.*`, `dlp_match.secret`,
    /// `shadow_ai_event.*`, `audit_event.Auth:*`; the names are in
    /// docs/sinks.md). Empty means all; the others are counted as
    /// `filtered`, not dropped.
    pub event_types: Vec<String>,
}

impl Default for SinkOptions {
    fn default() -> Self {
        SinkOptions::from_config(&SinkConfig::default())
    }
}

impl SinkOptions {
    pub(super) fn from_config(c: &SinkConfig) -> Self {
        SinkOptions {
            queue_capacity: c.queue_capacity,
            overflow: c.overflow,
            max_batch_records: c.max_batch_records,
            max_batch_bytes: c.max_batch_bytes,
            max_wait_ms: c.max_wait_ms,
            max_in_flight: c.max_in_flight,
            initial_backoff_ms: c.initial_backoff_ms,
            max_backoff_ms: c.max_backoff_ms,
            max_attempts: c.max_attempts,
            dead_letter_capacity: c.dead_letter_capacity,
            kinds: c.kinds.clone(),
            event_types: c.event_types.clone(),
        }
    }

    /// The pipeline's configuration for a sink called `name`.
    pub fn config(&self, name: &str) -> SinkConfig {
        SinkConfig {
            name: name.to_string(),
            queue_capacity: self.queue_capacity,
            overflow: self.overflow,
            max_batch_records: self.max_batch_records,
            max_batch_bytes: self.max_batch_bytes,
            max_wait_ms: self.max_wait_ms,
            max_in_flight: self.max_in_flight,
            initial_backoff_ms: self.initial_backoff_ms,
            max_backoff_ms: self.max_backoff_ms,
            max_attempts: self.max_attempts,
            dead_letter_capacity: self.dead_letter_capacity,
            kinds: self.kinds.clone(),
            event_types: self.event_types.clone(),
        }
    }
}

fn default_jsonl_max_bytes() -> u64 {
    10 << 20
}
fn default_jsonl_keep() -> u32 {
    5
}
fn default_memory_capacity() -> usize {
    1000
}
fn default_event_type() -> String {
    crate::pipeline::encode::DEFAULT_WEBHOOK_EVENT_TYPE.to_string()
}
fn default_source() -> String {
    "govstream".into()
}
fn default_sourcetype() -> String {
    "_json".into()
}
fn default_facility() -> u8 {
    16
}

/// Serializes a credential as [`REDACTED`].
fn redacted<S: Serializer, T>(_: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(REDACTED)
}

/// Serializes an optional credential as [`REDACTED`] when present.
pub(in crate::api) fn redacted_opt<S: Serializer, T>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str(REDACTED),
        None => s.serialize_none(),
    }
}

/// Serializes a map's values as [`REDACTED`] (header values hold tokens).
fn redacted_values<S: Serializer>(m: &BTreeMap<String, String>, s: S) -> Result<S::Ok, S::Error> {
    let shown: BTreeMap<&str, &str> = m.keys().map(|k| (k.as_str(), REDACTED)).collect();
    shown.serialize(s)
}

/// Serializes a URL or address as scheme, host and port only: the rest
/// (userinfo, path, query) may hold a credential.
fn endpoint_only<S: Serializer>(url: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::endpoint::display(url))
}

/// JSON Lines appended to a local file, rotated by size.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonlSink {
    /// Unique within a pipeline.
    pub name: String,
    /// The file; rotated files get `.1`, `.2`, … suffixes.
    pub path: String,
    /// Rotate when the file would grow past this many bytes.
    #[serde(default = "default_jsonl_max_bytes")]
    pub max_bytes: u64,
    /// Rotated files kept.
    #[serde(default = "default_jsonl_keep")]
    pub keep: u32,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// The newest records kept in memory, for tests and local views.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemorySink {
    /// Unique within a pipeline.
    pub name: String,
    /// Records kept; the oldest make room.
    #[serde(default = "default_memory_capacity")]
    pub capacity: usize,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// Batches of JSON Lines handed to a host function registered under the
/// sink's name (see [`HostSink`](super::HostSink)).
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackSink {
    /// Unique within a pipeline; the host's function is registered under it.
    pub name: String,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// Batches of JSON Lines (`application/x-ndjson`) POSTed to a URL.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpSink {
    /// Unique within a pipeline.
    pub name: String,
    /// `http://` or `https://` URL.
    #[serde(serialize_with = "endpoint_only")]
    pub url: String,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// A signing secret, or several (rotation signs with all, newest first).
#[derive(Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Secrets {
    /// One secret.
    One(String),
    /// Several, newest first.
    Many(Vec<String>),
}

impl Secrets {
    pub(super) fn list(&self) -> Vec<String> {
        match self {
            Secrets::One(s) => vec![s.clone()],
            Secrets::Many(v) => v.clone(),
        }
    }
}

impl Serialize for Secrets {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// Standard Webhooks: each batch one signed JSON payload.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSink {
    /// Unique within a pipeline.
    pub name: String,
    /// `http://` or `https://` URL.
    #[serde(serialize_with = "endpoint_only")]
    pub url: String,
    /// Signing secret(s); `whsec_<base64>` secrets are base64-decoded.
    pub secret: Secrets,
    /// The payload's `type`.
    #[serde(default = "default_event_type")]
    pub event_type: String,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// Splunk HTTP Event Collector.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplunkHecSink {
    /// Unique within a pipeline.
    pub name: String,
    /// The collector's base URL; `/services/collector/event` is added when
    /// it has no path.
    #[serde(serialize_with = "endpoint_only")]
    pub url: String,
    /// The HEC token.
    #[serde(serialize_with = "redacted")]
    pub token: String,
    /// The index (default: the token's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// The envelope's `source`.
    #[serde(default = "default_source")]
    pub source: String,
    /// The envelope's `sourcetype` (`_json` extracts every field).
    #[serde(default = "default_sourcetype")]
    pub sourcetype: String,
    /// The envelope's `host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// Elasticsearch `_bulk` of ECS documents.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ElasticsearchSink {
    /// Unique within a pipeline.
    pub name: String,
    /// The cluster; `/_bulk` is added when it has no path.
    #[serde(serialize_with = "endpoint_only")]
    pub url: String,
    /// Index, alias or data stream.
    pub index: String,
    /// Shadow-AI findings go here (default `index`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings_index: Option<String>,
    /// An API key (the `encoded` value); or `username` and `password`.
    #[serde(
        default,
        serialize_with = "redacted_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub api_key: Option<String>,
    /// Basic authentication user.
    #[serde(
        default,
        serialize_with = "redacted_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub username: Option<String>,
    /// Basic authentication password.
    #[serde(
        default,
        serialize_with = "redacted_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub password: Option<String>,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// Azure Monitor Logs Ingestion API (Microsoft Sentinel, Log Analytics).
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AzureLogsSink {
    /// Unique within a pipeline.
    pub name: String,
    /// `https://<endpoint>/dataCollectionRules/<id>/streams/<stream>?api-version=2023-01-01`.
    #[serde(serialize_with = "endpoint_only")]
    pub url: String,
    /// An Entra ID token for `https://monitor.azure.com`.
    #[serde(serialize_with = "redacted")]
    pub bearer_token: String,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// OTLP/HTTP JSON logs to an OpenTelemetry collector.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtlpSink {
    /// Unique within a pipeline.
    pub name: String,
    /// The collector; `/v1/logs` is added when it has no path.
    #[serde(serialize_with = "endpoint_only")]
    pub url: String,
    /// The resource's `service.name`.
    #[serde(default = "default_source")]
    pub service_name: String,
    /// More resource attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub resource_attributes: BTreeMap<String, String>,
    /// Extra request headers (a backend's API-key header).
    #[serde(
        default,
        serialize_with = "redacted_values",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub headers: BTreeMap<String, String>,
    /// Sent as `Authorization: Bearer <token>`.
    #[serde(
        default,
        serialize_with = "redacted_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub token: Option<String>,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// What a syslog message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyslogPayload {
    /// The record's JSON line.
    #[default]
    Json,
    /// The record's CEF line.
    Cef,
}

/// RFC 5424 syslog over TCP.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SyslogSink {
    /// Unique within a pipeline.
    pub name: String,
    /// `host:port` or `tcp://host:port`.
    #[serde(serialize_with = "endpoint_only")]
    pub address: String,
    /// The MSG part.
    #[serde(default)]
    pub message: SyslogPayload,
    /// `octet_counting` (safe for any content) or `newline`.
    #[serde(default)]
    pub framing: SyslogFraming,
    /// 0–23 (16 is local0).
    #[serde(default = "default_facility")]
    pub facility: u8,
    /// The header's HOSTNAME.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The header's APP-NAME.
    #[serde(default = "default_source")]
    pub app_name: String,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// Bare CEF lines, newline-framed over TCP.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CefSink {
    /// Unique within a pipeline.
    pub name: String,
    /// `host:port` or `tcp://host:port`.
    #[serde(serialize_with = "endpoint_only")]
    pub address: String,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}

/// OCSF 1.x events over HTTP.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OcsfSink {
    /// Unique within a pipeline.
    pub name: String,
    /// `http://` or `https://` URL.
    #[serde(serialize_with = "endpoint_only")]
    pub url: String,
    /// `json_lines` or `json_array`.
    #[serde(default)]
    pub framing: OcsfFraming,
    /// A full `Authorization` header value.
    #[serde(
        default,
        serialize_with = "redacted_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub authorization: Option<String>,
    /// Batching and retries.
    #[serde(default)]
    pub options: SinkOptions,
}
