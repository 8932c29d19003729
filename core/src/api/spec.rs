//! A pipeline described as data: its sinks from the catalog, an optional
//! durable outbox, the HTTP time-out and notification rules.

use super::ApiError;
use super::sink::{BuiltSink, Sink};
use crate::Problem;
use crate::json_input::from_value;
use crate::notify::NotifyConfig;
use crate::pipeline::outbox::{OnWriteError, OutboxConfig};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The durable outbox of a pipeline (see `docs/delivery.md`). One process at
/// a time may use a directory: give each worker its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboxSpec {
    /// The directory; created if missing.
    pub dir: String,
    /// Bound on the bytes spooled (default 256 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// Size of one segment file (default 8 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_bytes: Option<u64>,
    /// What `emit` does when the outbox cannot store a record (a full
    /// disk): `raise` (default; an `io` error) or `count` (counted as
    /// dropped, `outbox_write_error`, and the host goes on).
    #[serde(default)]
    pub on_write_error: OnWriteError,
}

impl OutboxSpec {
    /// The outbox's configuration.
    pub fn config(&self) -> OutboxConfig {
        let mut c = OutboxConfig::new(&self.dir);
        if let Some(m) = self.max_bytes {
            c.max_bytes = m;
        }
        if let Some(s) = self.segment_bytes {
            c.segment_bytes = s;
        }
        c.on_write_error = self.on_write_error;
        c
    }
}

/// Default per-request HTTP time-out.
pub const DEFAULT_HTTP_TIMEOUT_MS: u64 = 30_000;

fn default_http_timeout_ms() -> u64 {
    DEFAULT_HTTP_TIMEOUT_MS
}

/// Everything a pipeline is built from.
///
/// ```
/// use govstream::api::PipelineSpec;
///
/// let spec = PipelineSpec::from_json(r#"{
///   "sinks": [
///     {"kind": "memory", "name": "recent"},
///     {"kind": "splunk_hec", "name": "siem", "url": "https://splunk.example:8088", "token": ""}
///   ]
/// }"#);
/// let err = spec.unwrap_err();
/// assert_eq!(err.kind, "validation");
/// assert_eq!(err.problems[0].path, "$.sinks[1].token");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineSpec {
    /// The sinks, names unique.
    pub sinks: Vec<Sink>,
    /// A durable outbox, when records must survive a restart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<OutboxSpec>,
    /// Bound on each HTTP request, in milliseconds.
    #[serde(default = "default_http_timeout_ms")]
    pub http_timeout_ms: u64,
    /// Notification rules and channels (`docs/notifications.md`). Shown as
    /// `<redacted>` when serialized: channel URLs and routing keys are
    /// credentials.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::sink::redacted_opt"
    )]
    pub notifications: Option<NotifyConfig>,
}

impl PipelineSpec {
    /// A spec of these sinks with default settings.
    pub fn new(sinks: Vec<Sink>) -> Self {
        PipelineSpec {
            sinks,
            outbox: None,
            http_timeout_ms: DEFAULT_HTTP_TIMEOUT_MS,
            notifications: None,
        }
    }

    /// Reads and checks a spec; every problem has its JSON path.
    pub fn from_json(json: &str) -> Result<PipelineSpec, ApiError> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| ApiError::input("$", format!("invalid JSON: {e}")))?;
        Self::from_value(value)
    }

    /// Reads and checks a spec given as a JSON value.
    pub fn from_value(value: Value) -> Result<PipelineSpec, ApiError> {
        let Value::Object(mut object) = value else {
            return Err(ApiError::input("$", "expected an object with `sinks`"));
        };
        let sinks = match object.remove("sinks") {
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| Sink::from_value(v, &format!("$.sinks[{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(ApiError::input("$.sinks", "expected an array")),
            None => return Err(ApiError::input("$.sinks", "missing")),
        };
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Rest {
            #[serde(default)]
            outbox: Option<OutboxSpec>,
            #[serde(default = "default_http_timeout_ms")]
            http_timeout_ms: u64,
            #[serde(default)]
            notifications: Option<Value>,
        }
        let rest: Rest = from_value(Value::Object(object), "$")?;
        let notifications = match rest.notifications {
            None | Some(Value::Null) => None,
            Some(v) => Some(from_value(v, "$.notifications")?),
        };
        let spec = PipelineSpec {
            sinks,
            outbox: rest.outbox,
            http_timeout_ms: rest.http_timeout_ms,
            notifications,
        };
        let problems = spec.problems();
        if problems.is_empty() {
            Ok(spec)
        } else {
            Err(ApiError::validation("pipeline", problems))
        }
    }

    /// Every problem with this spec.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut names = std::collections::HashSet::new();
        for (i, s) in self.sinks.iter().enumerate() {
            let root = format!("$.sinks[{i}]");
            problems.extend(s.problems(&root));
            if !names.insert(s.name()) {
                problems.push(Problem::new(
                    format!("{root}.name"),
                    format!("duplicate sink name `{}`", s.name()),
                ));
            }
        }
        if self.http_timeout_ms == 0 {
            problems.push(Problem::new("$.http_timeout_ms", "must be at least 1"));
        }
        if let Some(o) = &self.outbox
            && o.dir.trim().is_empty()
        {
            problems.push(Problem::new("$.outbox.dir", "must not be empty"));
        }
        if let Err(e) = self.notify_config() {
            problems.extend(e.problems);
            if let Some(location) = e.location {
                problems.push(Problem::new(location, e.message));
            }
        }
        problems
    }

    /// The notification config, checked; paths below `$.notifications`.
    pub fn notify_config(&self) -> Result<Option<NotifyConfig>, ApiError> {
        let Some(config) = &self.notifications else {
            return Ok(None);
        };
        crate::notify::Notifier::new(config.clone()).map_err(|e| {
            let mut e = ApiError::from(e);
            for p in &mut e.problems {
                p.path = reroot(&p.path);
            }
            e
        })?;
        Ok(Some(config.clone()))
    }

    /// Builds every sink; a `validation` error lists every problem.
    pub fn build_sinks(&self) -> Result<Vec<BuiltSink>, ApiError> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(ApiError::validation("pipeline", problems));
        }
        self.sinks
            .iter()
            .enumerate()
            .map(|(i, s)| s.build_at(&format!("$.sinks[{i}]")))
            .collect()
    }
}

/// `$.channels[0]` → `$.notifications.channels[0]`.
fn reroot(path: &str) -> String {
    match path.strip_prefix('$') {
        Some(rest) if !rest.starts_with(".notifications") => format!("$.notifications{rest}"),
        _ => path.to_string(),
    }
}
