//! The sink catalog as data: one serde-tagged enum of every delivery target,
//! checked with JSON paths and built into the pipeline's sinks. A host (a
//! binding, the CLI, a config file) describes sinks with it and never
//! constructs an encoder itself.
//!
//! ```
//! use govstream::api::Sink;
//!
//! let sink: Sink = serde_json::from_str(r#"{
//!     "kind": "splunk_hec", "name": "siem",
//!     "url": "https://splunk.example:8088", "token": "hec-token",
//!     "options": {"max_batch_records": 100}
//! }"#).unwrap();
//! assert_eq!(sink.name(), "siem");
//! assert!(sink.problems("$.sinks[0]").is_empty());
//! // Neither Debug nor Serialize shows a credential.
//! assert!(!format!("{sink:?}").contains("hec-token"));
//! assert!(!serde_json::to_string(&sink).unwrap().contains("hec-token"));
//! ```

use super::ApiError;
use crate::json_input::from_value;
use crate::pipeline::encode::{
    AzureLogsConfig, AzureLogsEncoder, CefConfig, CefEncoder, ElasticsearchAuth,
    ElasticsearchBulkConfig, ElasticsearchBulkEncoder, Encoder, JsonLinesEncoder, OcsfConfig,
    OcsfEncoder, OcsfFraming, OtlpLogsConfig, OtlpLogsEncoder, SplunkHecConfig, SplunkHecEncoder,
    SyslogConfig, SyslogEncoder, SyslogFraming, SyslogMessage, WebhookConfig, WebhookEncoder,
};
use crate::pipeline::{Destination, OverflowPolicy, SinkConfig};
use crate::{Error, Problem};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Shown in place of a credential by `Serialize` and `Debug`.
pub const REDACTED: &str = "<redacted>";

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
}

impl Default for SinkOptions {
    fn default() -> Self {
        SinkOptions::from_config(&SinkConfig::default())
    }
}

impl SinkOptions {
    fn from_config(c: &SinkConfig) -> Self {
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
pub(super) fn redacted_opt<S: Serializer, T>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
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
    fn list(&self) -> Vec<String> {
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

/// One delivery target, tagged by `kind`. A new SIEM target is one variant
/// here and its encoder; no binding or CLI changes.
#[derive(Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sink {
    /// JSON Lines to a file.
    Jsonl(JsonlSink),
    /// Kept in memory.
    Memory(MemorySink),
    /// A host function.
    Callback(CallbackSink),
    /// JSON Lines over HTTP.
    Http(HttpSink),
    /// Standard Webhooks.
    Webhook(WebhookSink),
    /// Splunk HEC.
    SplunkHec(SplunkHecSink),
    /// Elasticsearch `_bulk`.
    Elasticsearch(ElasticsearchSink),
    /// Azure Monitor Logs.
    AzureLogs(AzureLogsSink),
    /// OpenTelemetry OTLP/HTTP logs.
    Otlp(OtlpSink),
    /// RFC 5424 syslog over TCP.
    Syslog(SyslogSink),
    /// CEF over TCP.
    Cef(CefSink),
    /// OCSF over HTTP.
    Ocsf(OcsfSink),
}

/// Every `kind` a [`Sink`] can have, in catalog order.
pub const SINK_KINDS: &[&str] = &[
    "jsonl",
    "memory",
    "callback",
    "http",
    "webhook",
    "splunk_hec",
    "elasticsearch",
    "azure_logs",
    "otlp",
    "syslog",
    "cef",
    "ocsf",
];

macro_rules! each_variant {
    ($self:expr, $s:ident => $body:expr) => {
        match $self {
            Sink::Jsonl($s) => $body,
            Sink::Memory($s) => $body,
            Sink::Callback($s) => $body,
            Sink::Http($s) => $body,
            Sink::Webhook($s) => $body,
            Sink::SplunkHec($s) => $body,
            Sink::Elasticsearch($s) => $body,
            Sink::AzureLogs($s) => $body,
            Sink::Otlp($s) => $body,
            Sink::Syslog($s) => $body,
            Sink::Cef($s) => $body,
            Sink::Ocsf($s) => $body,
        }
    };
}

impl Sink {
    /// Reads a sink from a JSON value; errors name the JSON path below
    /// `root` (`$.sinks[2].token`) and never repeat a value.
    pub fn from_value(value: Value, root: &str) -> Result<Sink, ApiError> {
        let Value::Object(mut object) = value else {
            return Err(ApiError::input(root, "expected an object with a `kind`"));
        };
        let kind = match object.remove("kind") {
            Some(Value::String(k)) => k,
            Some(_) => {
                return Err(ApiError::input(format!("{root}.kind"), "expected a string"));
            }
            None => {
                return Err(ApiError::input(
                    format!("{root}.kind"),
                    format!("missing; expected one of: {}", SINK_KINDS.join(", ")),
                ));
            }
        };
        let value = Value::Object(object);
        let read = |e: Error| ApiError::from(e);
        Ok(match kind.as_str() {
            "jsonl" => Sink::Jsonl(from_value(value, root).map_err(read)?),
            "memory" => Sink::Memory(from_value(value, root).map_err(read)?),
            "callback" => Sink::Callback(from_value(value, root).map_err(read)?),
            "http" => Sink::Http(from_value(value, root).map_err(read)?),
            "webhook" => Sink::Webhook(from_value(value, root).map_err(read)?),
            "splunk_hec" => Sink::SplunkHec(from_value(value, root).map_err(read)?),
            "elasticsearch" => Sink::Elasticsearch(from_value(value, root).map_err(read)?),
            "azure_logs" => Sink::AzureLogs(from_value(value, root).map_err(read)?),
            "otlp" => Sink::Otlp(from_value(value, root).map_err(read)?),
            "syslog" => Sink::Syslog(from_value(value, root).map_err(read)?),
            "cef" => Sink::Cef(from_value(value, root).map_err(read)?),
            "ocsf" => Sink::Ocsf(from_value(value, root).map_err(read)?),
            _ => {
                return Err(ApiError::input(
                    format!("{root}.kind"),
                    format!(
                        "unknown sink kind; expected one of: {}",
                        SINK_KINDS.join(", ")
                    ),
                ));
            }
        })
    }

    /// The sink's `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Sink::Jsonl(_) => "jsonl",
            Sink::Memory(_) => "memory",
            Sink::Callback(_) => "callback",
            Sink::Http(_) => "http",
            Sink::Webhook(_) => "webhook",
            Sink::SplunkHec(_) => "splunk_hec",
            Sink::Elasticsearch(_) => "elasticsearch",
            Sink::AzureLogs(_) => "azure_logs",
            Sink::Otlp(_) => "otlp",
            Sink::Syslog(_) => "syslog",
            Sink::Cef(_) => "cef",
            Sink::Ocsf(_) => "ocsf",
        }
    }

    /// The sink's name.
    pub fn name(&self) -> &str {
        each_variant!(self, s => &s.name)
    }

    /// Its batching and retry settings.
    pub fn options(&self) -> &SinkOptions {
        each_variant!(self, s => &s.options)
    }

    /// Its batching and retry settings, to change.
    pub fn options_mut(&mut self) -> &mut SinkOptions {
        each_variant!(self, s => &mut s.options)
    }

    /// Every problem with this sink, each located below `root`
    /// (`$.sinks[2]`). Values are never repeated.
    pub fn problems(&self, root: &str) -> Vec<Problem> {
        let mut p = Problems {
            root,
            list: Vec::new(),
        };
        if self.name().trim().is_empty() {
            p.add("name", "must not be empty");
        }
        for message in self.options().config(self.name()).problems() {
            p.list
                .push(Problem::new(format!("{root}.options"), message));
        }
        let kinds = &self.options().kinds;
        for (i, kind) in kinds.iter().enumerate() {
            if !crate::schema::Record::KINDS.contains(&kind.as_str()) {
                p.add(
                    &format!("options.kinds[{i}]"),
                    &format!(
                        "unknown record kind; expected one of: {}",
                        crate::schema::Record::KINDS.join(", ")
                    ),
                );
            }
        }
        match self {
            Sink::Jsonl(s) => {
                if s.path.trim().is_empty() {
                    p.add("path", "must not be empty");
                }
                if s.max_bytes == 0 {
                    p.add("max_bytes", "must be at least 1");
                }
            }
            Sink::Memory(s) => {
                if s.capacity == 0 {
                    p.add("capacity", "must be at least 1");
                }
            }
            Sink::Callback(_) => {}
            Sink::Http(s) => p.http("url", &s.url),
            Sink::Webhook(s) => {
                p.http("url", &s.url);
                let secrets = s.secret.list();
                if secrets.is_empty() {
                    p.add("secret", "at least one secret is needed");
                }
                for (i, secret) in secrets.iter().enumerate() {
                    let at = match &s.secret {
                        Secrets::One(_) => "secret".to_string(),
                        Secrets::Many(_) => format!("secret[{i}]"),
                    };
                    p.credential(&at, secret);
                }
                p.header_safe("event_type", &s.event_type);
            }
            Sink::SplunkHec(s) => {
                p.http("url", &s.url);
                p.credential("token", &s.token);
            }
            Sink::Elasticsearch(s) => {
                p.http("url", &s.url);
                if s.index.trim().is_empty() {
                    p.add("index", "must not be empty");
                }
                match (&s.api_key, &s.username, &s.password) {
                    (Some(key), None, None) => p.credential("api_key", key),
                    (None, Some(user), Some(password)) => {
                        p.credential("username", user);
                        p.header_safe("password", password);
                        if user.contains(':') {
                            p.add("username", "must not contain `:`");
                        }
                    }
                    (None, None, None) => {}
                    (Some(_), _, _) => {
                        p.add(
                            "api_key",
                            "give `api_key` or `username` and `password`, not both",
                        );
                    }
                    (None, _, _) => p.add("username", "`username` and `password` go together"),
                }
            }
            Sink::AzureLogs(s) => {
                p.http("url", &s.url);
                p.credential("bearer_token", &s.bearer_token);
            }
            Sink::Otlp(s) => {
                p.http("url", &s.url);
                for (k, v) in &s.headers {
                    if !is_header_name(k) {
                        p.add(
                            "headers",
                            "a header name must be a token (letters, digits, `-`)",
                        );
                    }
                    p.header_safe(&format!("headers.{k}"), v);
                }
                if let Some(t) = &s.token {
                    p.credential("token", t);
                }
            }
            Sink::Syslog(s) => {
                p.tcp("address", &s.address);
                if s.facility > 23 {
                    p.add("facility", "must be from 0 to 23");
                }
            }
            Sink::Cef(s) => p.tcp("address", &s.address),
            Sink::Ocsf(s) => {
                p.http("url", &s.url);
                if let Some(a) = &s.authorization {
                    p.credential("authorization", a);
                }
            }
        }
        p.list
    }

    /// Checks the sink and builds it: its configuration, encoder and
    /// destination. Errors are `validation` errors listing every problem.
    pub fn build(&self) -> Result<BuiltSink, ApiError> {
        self.build_at("$")
    }

    /// [`Sink::build`], with problems located below `root`.
    pub fn build_at(&self, root: &str) -> Result<BuiltSink, ApiError> {
        let problems = self.problems(root);
        if !problems.is_empty() {
            return Err(ApiError::validation("sink", problems));
        }
        let invalid = |what: &str| {
            ApiError::validation(
                "sink",
                vec![Problem::new(format!("{root}.{what}"), "not a valid value")],
            )
        };
        let http = |url: &str| Destination::http(url).ok_or_else(|| invalid("url"));
        let tcp = |addr: &str| Destination::tcp(addr).ok_or_else(|| invalid("address"));
        let mut azure = None;
        let (encoder, destination): (Arc<dyn Encoder>, Destination) = match self {
            Sink::Jsonl(s) => (
                Arc::new(JsonLinesEncoder),
                Destination::File {
                    path: s.path.clone(),
                    max_bytes: s.max_bytes,
                    keep: s.keep,
                },
            ),
            Sink::Memory(s) => (
                Arc::new(JsonLinesEncoder),
                Destination::Memory {
                    capacity: s.capacity,
                },
            ),
            Sink::Callback(_) => (Arc::new(JsonLinesEncoder), Destination::Callback),
            Sink::Http(s) => (Arc::new(JsonLinesEncoder), http(&s.url)?),
            Sink::Webhook(s) => {
                let config = WebhookConfig {
                    secrets: s.secret.list(),
                    event_type: s.event_type.clone(),
                };
                // The encoder's own errors name the secret by position.
                let encoder = WebhookEncoder::new(config).map_err(|e| {
                    ApiError::validation(
                        "sink",
                        vec![Problem::new(format!("{root}.secret"), e.to_string())],
                    )
                })?;
                (Arc::new(encoder), http(&s.url)?)
            }
            Sink::SplunkHec(s) => {
                let config = SplunkHecConfig {
                    token: s.token.clone(),
                    host: s.host.clone(),
                    source: s.source.clone(),
                    sourcetype: s.sourcetype.clone(),
                    index: s.index.clone(),
                };
                (Arc::new(SplunkHecEncoder::new(config)), http(&s.url)?)
            }
            Sink::Elasticsearch(s) => {
                let auth = match (&s.api_key, &s.username, &s.password) {
                    (Some(key), _, _) => ElasticsearchAuth::ApiKey(key.clone()),
                    (None, Some(username), Some(password)) => ElasticsearchAuth::Basic {
                        username: username.clone(),
                        password: password.clone(),
                    },
                    _ => ElasticsearchAuth::None,
                };
                let config = ElasticsearchBulkConfig {
                    index: s.index.clone(),
                    findings_index: s.findings_index.clone(),
                    auth,
                };
                (
                    Arc::new(ElasticsearchBulkEncoder::new(config)),
                    http(&s.url)?,
                )
            }
            Sink::AzureLogs(s) => {
                let encoder = Arc::new(AzureLogsEncoder::new(AzureLogsConfig::new(
                    s.bearer_token.clone(),
                )));
                azure = Some(Arc::clone(&encoder));
                (encoder, http(&s.url)?)
            }
            Sink::Otlp(s) => {
                let mut headers: Vec<(String, String)> = s
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if let Some(t) = &s.token {
                    headers.push(("authorization".into(), format!("Bearer {t}")));
                }
                let config = OtlpLogsConfig {
                    service_name: s.service_name.clone(),
                    resource_attributes: s
                        .resource_attributes
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    headers,
                    ..OtlpLogsConfig::default()
                };
                (Arc::new(OtlpLogsEncoder::new(config)), http(&s.url)?)
            }
            Sink::Syslog(s) => {
                let config = SyslogConfig {
                    facility: s.facility,
                    hostname: s.hostname.clone(),
                    app_name: s.app_name.clone(),
                    framing: s.framing,
                    message: match s.message {
                        SyslogPayload::Json => SyslogMessage::Json,
                        SyslogPayload::Cef => SyslogMessage::Cef(CefConfig::default()),
                    },
                    ..SyslogConfig::default()
                };
                let encoder = SyslogEncoder::new(config).map_err(|e| {
                    ApiError::validation("sink", vec![Problem::new(root, e.to_string())])
                })?;
                (Arc::new(encoder), tcp(&s.address)?)
            }
            Sink::Cef(s) => (
                Arc::new(CefEncoder::new(CefConfig::default())),
                tcp(&s.address)?,
            ),
            Sink::Ocsf(s) => {
                let config = OcsfConfig {
                    framing: s.framing,
                    authorization: s.authorization.clone(),
                    ..OcsfConfig::default()
                };
                (Arc::new(OcsfEncoder::new(config)), http(&s.url)?)
            }
        };
        Ok(BuiltSink {
            kind: self.kind(),
            config: self.options().config(self.name()),
            encoder,
            destination,
            azure,
        })
    }
}

impl<'de> Deserialize<'de> for Sink {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Sink::from_value(value, "$").map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Through Serialize, which shows no credential.
        let shown = serde_json::to_string(self).unwrap_or_default();
        write!(f, "Sink({shown})")
    }
}

/// Collects problems below a root path.
struct Problems<'a> {
    root: &'a str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn add(&mut self, field: &str, message: &str) {
        self.list
            .push(Problem::new(format!("{}.{field}", self.root), message));
    }

    fn http(&mut self, field: &str, url: &str) {
        if Destination::http(url).is_none() {
            self.add(field, "expected an http:// or https:// URL with a host");
        } else if has_control(url) {
            self.add(field, "must not contain control characters or spaces");
        }
    }

    fn tcp(&mut self, field: &str, address: &str) {
        if Destination::tcp(address).is_none() {
            self.add(
                field,
                "expected HOST:PORT (or tcp://HOST:PORT) with a port from 1 to 65535 and no user info",
            );
        }
    }

    /// A credential: not empty, and nothing that could end a header line.
    fn credential(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.add(field, "must not be empty");
        } else {
            self.header_safe(field, value);
        }
    }

    fn header_safe(&mut self, field: &str, value: &str) {
        if value.chars().any(char::is_control) {
            self.add(field, "must not contain control characters (CR, LF, …)");
        }
    }
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// An HTTP header name (RFC 9110 token).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A checked sink with its encoder built: what a pipeline is made of. Its
/// encoder is shared by every pipeline it is given to (so
/// [`BuiltSink::set_bearer_token`] reaches them all).
#[derive(Clone)]
pub struct BuiltSink {
    kind: &'static str,
    config: SinkConfig,
    encoder: Arc<dyn Encoder>,
    destination: Destination,
    azure: Option<Arc<AzureLogsEncoder>>,
}

impl std::fmt::Debug for BuiltSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltSink")
            .field("kind", &self.kind)
            .field("name", &self.config.name)
            .field("destination", &self.destination)
            .finish()
    }
}

impl BuiltSink {
    /// The sink's `kind`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The sink's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// Its queueing settings.
    pub fn config(&self) -> &SinkConfig {
        &self.config
    }

    /// Where it delivers.
    pub fn destination(&self) -> &Destination {
        &self.destination
    }

    /// Its batching and retry settings.
    pub fn options(&self) -> SinkOptions {
        SinkOptions::from_config(&self.config)
    }

    /// The same sink (sharing its encoder) with other settings. Checked when
    /// a pipeline is built from it.
    pub fn with_options(&self, options: &SinkOptions) -> BuiltSink {
        BuiltSink {
            config: options.config(&self.config.name),
            ..self.clone()
        }
    }

    /// Replaces the Entra ID token of an `azure_logs` sink in every pipeline
    /// using it, from the next request on.
    pub fn set_bearer_token(&self, token: &str) -> Result<(), ApiError> {
        let Some(azure) = &self.azure else {
            return Err(ApiError::input(
                "sink",
                format!(
                    "`{}` is a {} sink; only azure_logs sinks take a bearer token",
                    self.config.name, self.kind
                ),
            ));
        };
        let mut p = Problems {
            root: "$",
            list: Vec::new(),
        };
        p.credential("bearer_token", token);
        if let Some(problem) = p.list.into_iter().next() {
            return Err(ApiError::input(problem.path, problem.message));
        }
        azure.set_bearer_token(token);
        Ok(())
    }

    /// The pipeline's view of it.
    pub fn spec(&self) -> crate::pipeline::SinkSpec {
        crate::pipeline::SinkSpec::new(
            self.config.clone(),
            Box::new(Arc::clone(&self.encoder)),
            self.destination.clone(),
        )
    }
}

#[cfg(test)]
mod tests;
