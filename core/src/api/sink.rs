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

mod build;
mod kinds;

pub use build::BuiltSink;
pub(in crate::api) use kinds::redacted_opt;
pub use kinds::{
    AzureLogsSink, CallbackSink, CefSink, ElasticsearchSink, HttpSink, JsonlSink, MemorySink,
    OcsfSink, OtlpSink, Secrets, SinkOptions, SplunkHecSink, SyslogPayload, SyslogSink,
    WebhookSink,
};

use super::ApiError;
use crate::json_input::from_value;
use crate::pipeline::Destination;
use crate::{Error, Problem};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Shown in place of a credential by `Serialize` and `Debug`.
pub const REDACTED: &str = "<redacted>";

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
        p.list.extend(crate::select::EventTypes::problems(
            &self.options().event_types,
            &format!("{root}.options.event_types"),
        ));
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

#[cfg(test)]
mod tests;
