//! `Sink`: one destination of a pipeline and its wire format — JSON Lines
//! files, memory, Python callables, and the SIEM targets the core encodes
//! for (Standard Webhooks, Splunk HEC, Elasticsearch, Azure Monitor Logs,
//! OTLP, syslog, CEF, OCSF). A `Sink` is an immutable description; the
//! pipeline it is given to does the delivering.

use crate::error;
use crate::json;
use govstream::api::{ApiError, BuiltSink, Sink, SinkOptions};
use govstream::json_input::from_value;
use pyo3::prelude::*;
use pyo3::types::PyString;
use serde_json::{Map, Value, json};

/// Where a pipeline delivers, and in what format. Build one with a static
/// method (`Sink.jsonl`, `Sink.memory`, `Sink.callback`, `Sink.http`,
/// `Sink.webhook`, `Sink.splunk_hec`, `Sink.elasticsearch`,
/// `Sink.azure_logs`, `Sink.otlp`, `Sink.syslog`, `Sink.cef`, `Sink.ocsf`)
/// or from the sink catalog's JSON form with `Sink.from_spec`, tune
/// batching and retries with `with_options`, then pass a list of them to
/// `Pipeline`. Credentials never appear in its `repr`.
///
/// Every constructor takes `event_types`, a list of globs over record type
/// names (`"event.blocked"`, `"event.*"`, `"dlp_match.secret"`,
/// `"audit_event.Auth:*"`; see docs/sinks.md): the sink then receives only
/// those records, and counts the others as `filtered` in
/// `Pipeline.stats()`. A glob that matches no type name raises
/// `ValidationError`.
///
/// >>> govstream.Sink.memory("blocks", event_types=["event.blocked", "event.escalated"])
/// <govstream.Sink kind='memory' name='blocks'>
///
/// >>> import govstream
/// >>> govstream.Sink.splunk_hec("siem", "https://splunk.example:8088", "hec-token")
/// <govstream.Sink kind='splunk_hec' name='siem'>
#[pyclass(frozen, module = "govstream", name = "Sink")]
pub(crate) struct PySink {
    pub(crate) built: BuiltSink,
    pub(crate) callback: Option<Py<PyAny>>,
}

impl PySink {
    /// Builds the catalog entry `{"kind": kind, "name": name, ...fields}`
    /// with `max_attempts` as its only option: the keyword arguments are
    /// the catalog's field names.
    fn build(
        py: Python<'_>,
        kind: &str,
        name: String,
        fields: Value,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let mut object = match fields {
            Value::Object(o) => o,
            _ => Map::new(),
        };
        // Arguments left as None take the catalog's defaults.
        object.retain(|_, v| !v.is_null());
        object.insert("kind".into(), Value::String(kind.into()));
        object.insert("name".into(), Value::String(name));
        let mut options = Map::new();
        if let Some(a) = max_attempts {
            options.insert("max_attempts".into(), json!(a));
        }
        if let Some(globs) = event_types {
            options.insert("event_types".into(), json!(globs));
        }
        if !options.is_empty() {
            object.insert("options".into(), Value::Object(options));
        }
        let built = Sink::from_value(Value::Object(object), "$")
            .and_then(|s| s.build())
            .map_err(|e| error::for_argument(py, e))?;
        Ok(PySink {
            built,
            callback: None,
        })
    }
}

#[pymethods]
impl PySink {
    /// A sink appending JSON Lines to `path`, rotated when the file would
    /// grow past `max_bytes` (rotated files get `.1`, `.2`, … suffixes;
    /// `keep` of them are kept). A batch that fails to write is retried up
    /// to `max_attempts` times (0: for as long as the pipeline runs).
    ///
    /// >>> govstream.Sink.jsonl("audit", "/var/log/govstream.jsonl", max_bytes=1 << 20, keep=3)
    /// <govstream.Sink kind='jsonl' name='audit'>
    #[staticmethod]
    #[pyo3(signature = (name, path, *, max_bytes = None, keep = None, max_attempts = None, event_types = None))]
    fn jsonl(
        py: Python<'_>,
        name: String,
        path: std::path::PathBuf,
        max_bytes: Option<u64>,
        keep: Option<u32>,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let fields = json!({"path": path.to_string_lossy(), "max_bytes": max_bytes, "keep": keep});
        Self::build(py, "jsonl", name, fields, max_attempts, event_types)
    }

    /// A sink POSTing batches of JSON Lines (`application/x-ndjson`) to
    /// `url`. A 2xx answer delivers the batch; 408, 429, 5xx and connection
    /// failures are retried (up to `max_attempts` times, 0 for ever),
    /// honouring `Retry-After`; other answers are dead-lettered. Every HTTP
    /// sink behaves so.
    ///
    /// >>> govstream.Sink.http("collector", "https://logs.example/ingest")
    /// <govstream.Sink kind='http' name='collector'>
    #[staticmethod]
    #[pyo3(signature = (name, url, *, max_attempts = None, event_types = None))]
    fn http(
        py: Python<'_>,
        name: String,
        url: String,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        Self::build(
            py,
            "http",
            name,
            json!({ "url": url }),
            max_attempts,
            event_types,
        )
    }

    /// A sink keeping the newest `capacity` records in memory; read them
    /// with `Pipeline.memory_records(name)`.
    ///
    /// >>> govstream.Sink.memory("recent", capacity=10)
    /// <govstream.Sink kind='memory' name='recent'>
    #[staticmethod]
    #[pyo3(signature = (name, *, capacity = None, event_types = None))]
    fn memory(
        py: Python<'_>,
        name: String,
        capacity: Option<usize>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let fields = json!({ "capacity": capacity });
        Self::build(py, "memory", name, fields, None, event_types)
    }

    /// A sink calling `fn(batch: bytes)` on the delivery thread with each
    /// batch of JSON Lines. An exception raised by `fn` is a failed
    /// delivery: the batch is retried (up to `max_attempts` times, 0 for
    /// ever) and counted in `Pipeline.stats()`, never lost silently.
    ///
    /// >>> batches = []
    /// >>> govstream.Sink.callback("siem", batches.append)
    /// <govstream.Sink kind='callback' name='siem'>
    #[staticmethod]
    #[pyo3(signature = (name, r#fn, *, max_attempts = None, event_types = None))]
    fn callback(
        py: Python<'_>,
        name: String,
        r#fn: Py<PyAny>,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let mut sink = Self::build(py, "callback", name, json!({}), max_attempts, event_types)?;
        sink.callback = Some(r#fn);
        Ok(sink)
    }

    /// A Standard Webhooks sink: each batch is one signed JSON payload
    /// `{"type": event_type, "timestamp": …, "data": [records]}` with
    /// `webhook-id`, `webhook-timestamp` and `webhook-signature` headers.
    /// `secret` is one signing secret or a list, newest first (rotation
    /// signs with all); `whsec_<base64>` secrets are base64-decoded.
    ///
    /// >>> govstream.Sink.webhook("hooks", "https://hooks.example/in", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    /// <govstream.Sink kind='webhook' name='hooks'>
    #[staticmethod]
    #[pyo3(signature = (name, url, secret, *, event_type = None, max_attempts = None, event_types = None))]
    fn webhook(
        py: Python<'_>,
        name: String,
        url: String,
        secret: &Bound<'_, PyAny>,
        event_type: Option<String>,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        // A str or a list of str; the catalog takes either.
        let secret = if secret.is_instance_of::<PyString>() {
            Value::String(secret.extract()?)
        } else {
            let list: Vec<String> = secret
                .extract()
                .map_err(|_| error::input(py, "secret", "expected a str or a list of str"))?;
            json!(list)
        };
        let fields = json!({"url": url, "secret": secret, "event_type": event_type});
        Self::build(py, "webhook", name, fields, max_attempts, event_types)
    }

    /// A Splunk HTTP Event Collector sink. `url` is the collector's base
    /// (`https://splunk.example:8088`; `/services/collector/event` is added
    /// when it has no path); `token` the HEC token. `index` (default: the
    /// token's), `source`, `sourcetype` (`_json` extracts every field) and
    /// `host` fill the HEC envelope.
    ///
    /// >>> govstream.Sink.splunk_hec("splunk", "https://splunk.example:8088", "hec-token", index="ai_governance")
    /// <govstream.Sink kind='splunk_hec' name='splunk'>
    #[staticmethod]
    #[pyo3(signature = (
        name, url, token, *, index = None, source = None, sourcetype = None, host = None,
        max_attempts = None, event_types = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn splunk_hec(
        py: Python<'_>,
        name: String,
        url: String,
        token: String,
        index: Option<String>,
        source: Option<String>,
        sourcetype: Option<String>,
        host: Option<String>,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let fields = json!({
            "url": url, "token": token, "index": index, "source": source,
            "sourcetype": sourcetype, "host": host,
        });
        Self::build(py, "splunk_hec", name, fields, max_attempts, event_types)
    }

    /// An Elasticsearch `_bulk` sink writing ECS documents to `index` (an
    /// index, alias or data stream; `findings_index` takes shadow-AI
    /// findings, default `index`). `url` is the cluster (`/_bulk` is added
    /// when it has no path). Authenticate with `api_key` (the `encoded`
    /// value) or `username` and `password`, or neither. Per-document
    /// failures are retried or dead-lettered one by one.
    ///
    /// >>> govstream.Sink.elasticsearch("es", "https://es.example:9200", "govstream-events", api_key="a2V5OnNlY3JldA==")
    /// <govstream.Sink kind='elasticsearch' name='es'>
    #[staticmethod]
    #[pyo3(signature = (
        name, url, index, *, api_key = None, username = None, password = None,
        findings_index = None, max_attempts = None, event_types = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn elasticsearch(
        py: Python<'_>,
        name: String,
        url: String,
        index: String,
        api_key: Option<String>,
        username: Option<String>,
        password: Option<String>,
        findings_index: Option<String>,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let fields = json!({
            "url": url, "index": index, "api_key": api_key, "username": username,
            "password": password, "findings_index": findings_index,
        });
        Self::build(py, "elasticsearch", name, fields, max_attempts, event_types)
    }

    /// An Azure Monitor Logs Ingestion API sink (Microsoft Sentinel, Log
    /// Analytics): `url` is the whole stream address,
    /// `https://<endpoint>/dataCollectionRules/<DCR id>/streams/<stream>?api-version=2023-01-01`,
    /// and `bearer_token` an Entra ID token for `https://monitor.azure.com`.
    /// Tokens expire: replace it with `set_bearer_token`. Bodies stay under
    /// the API's 1 MB.
    ///
    /// >>> govstream.Sink.azure_logs("sentinel", "https://dce.example/dataCollectionRules/dcr-1/streams/Custom-Govstream?api-version=2023-01-01", "eyJ0eXAi")
    /// <govstream.Sink kind='azure_logs' name='sentinel'>
    #[staticmethod]
    #[pyo3(signature = (name, url, bearer_token, *, max_attempts = None, event_types = None))]
    fn azure_logs(
        py: Python<'_>,
        name: String,
        url: String,
        bearer_token: String,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let fields = json!({"url": url, "bearer_token": bearer_token});
        Self::build(py, "azure_logs", name, fields, max_attempts, event_types)
    }

    /// An OpenTelemetry sink: OTLP/HTTP JSON logs to a collector (`url`,
    /// `/v1/logs` added when it has no path), with `service_name` and more
    /// `resource_attributes` on the resource and extra request `headers`
    /// (a backend's API-key header); `token` is sent as `Authorization:
    /// Bearer <token>`.
    ///
    /// >>> govstream.Sink.otlp("otel", "http://127.0.0.1:4318", service_name="chat-gateway")
    /// <govstream.Sink kind='otlp' name='otel'>
    #[staticmethod]
    #[pyo3(signature = (
        name, url, *, service_name = None, resource_attributes = None, headers = None,
        token = None, max_attempts = None, event_types = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn otlp(
        py: Python<'_>,
        name: String,
        url: String,
        service_name: Option<String>,
        resource_attributes: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        token: Option<String>,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let mapping = |obj: Option<&Bound<'_, PyAny>>, what: &str| -> PyResult<Value> {
            obj.map_or(Ok(Value::Null), |o| json::from_python(o, what))
        };
        let fields = json!({
            "url": url, "service_name": service_name,
            "resource_attributes": mapping(resource_attributes, "resource_attributes")?,
            "headers": mapping(headers, "headers")?, "token": token,
        });
        Self::build(py, "otlp", name, fields, max_attempts, event_types)
    }

    /// An RFC 5424 syslog sink over TCP to `address` (`host:port`), each
    /// record's JSON (`message="json"`) or CEF line (`message="cef"`) as
    /// the MSG, framed by octet counting (`framing="octet_counting"`, safe
    /// for any content) or a line feed (`framing="newline"`). `facility`
    /// is 0–23 (16, local0); `hostname` and `app_name` fill the header.
    ///
    /// >>> govstream.Sink.syslog("syslog", "127.0.0.1:6514", message="cef")
    /// <govstream.Sink kind='syslog' name='syslog'>
    #[staticmethod]
    #[pyo3(signature = (
        name, address, *, message = None, framing = None, facility = None,
        hostname = None, app_name = None, max_attempts = None, event_types = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn syslog(
        py: Python<'_>,
        name: String,
        address: String,
        message: Option<String>,
        framing: Option<String>,
        facility: Option<u8>,
        hostname: Option<String>,
        app_name: Option<String>,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let fields = json!({
            "address": address, "message": message, "framing": framing,
            "facility": facility, "hostname": hostname, "app_name": app_name,
        });
        Self::build(py, "syslog", name, fields, max_attempts, event_types)
    }

    /// A sink of bare CEF lines (ArcSight Common Event Format), one per
    /// record, newline-framed over TCP to `address` (`host:port`).
    ///
    /// >>> govstream.Sink.cef("arcsight", "127.0.0.1:5140")
    /// <govstream.Sink kind='cef' name='arcsight'>
    #[staticmethod]
    #[pyo3(signature = (name, address, *, max_attempts = None, event_types = None))]
    fn cef(
        py: Python<'_>,
        name: String,
        address: String,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        Self::build(
            py,
            "cef",
            name,
            json!({ "address": address }),
            max_attempts,
            event_types,
        )
    }

    /// An OCSF 1.x sink over HTTP: one event per line (`framing="json_lines"`,
    /// for object stores and Firehose-style collectors) or one JSON array
    /// per request (`framing="json_array"`), with an optional full
    /// `Authorization` header value.
    ///
    /// >>> govstream.Sink.ocsf("lake", "https://lake.example/ingest", framing="json_array", authorization="Bearer t0k3n")
    /// <govstream.Sink kind='ocsf' name='lake'>
    #[staticmethod]
    #[pyo3(signature = (name, url, *, framing = None, authorization = None, max_attempts = None, event_types = None))]
    fn ocsf(
        py: Python<'_>,
        name: String,
        url: String,
        framing: Option<String>,
        authorization: Option<String>,
        max_attempts: Option<u32>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let fields = json!({"url": url, "framing": framing, "authorization": authorization});
        Self::build(py, "ocsf", name, fields, max_attempts, event_types)
    }

    /// A sink from the sink catalog's JSON form (`docs/sinks.md`), the same
    /// object `govstream export --sink-spec` and a pipeline spec's `sinks`
    /// take: `{"kind": "splunk_hec", "name": …, "url": …, "token": …,
    /// "options": {…}}`. A `callback` sink also needs `fn`.
    ///
    /// Raises `InputError` naming the field that could not be read and
    /// `ValidationError` listing every problem with its JSON path.
    ///
    /// >>> govstream.Sink.from_spec({"kind": "memory", "name": "recent", "capacity": 10})
    /// <govstream.Sink kind='memory' name='recent'>
    #[staticmethod]
    #[pyo3(signature = (spec, *, r#fn = None))]
    fn from_spec(
        py: Python<'_>,
        spec: &Bound<'_, PyAny>,
        r#fn: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let value = json::from_python(spec, "spec")?;
        let built = Sink::from_value(value, "$")
            .and_then(|s| s.build())
            .map_err(|e| error::api_to_py(py, &e))?;
        Ok(PySink {
            built,
            callback: r#fn,
        })
    }

    /// A copy of this sink with other queueing, batching and retry
    /// settings; arguments left out keep their values. A batch is sent at
    /// `max_batch_records` records, `max_batch_bytes` encoded bytes, or
    /// when its oldest record has waited `max_wait` seconds. A full queue
    /// (`queue_capacity` records) drops the newest lower-priority record
    /// (`overflow="drop_newest"`) or refuses it (`"block"`: `emit` waits
    /// or raises). Retries back off from `initial_backoff` to `max_backoff`
    /// seconds. `kinds` keeps only some record kinds (`event`, `dlp_match`,
    /// `shadow_ai_event`, `shadow_ai_finding`, `audit_event`), and
    /// `event_types` only records whose type name matches one of its globs
    /// (`event.blocked`, `audit_event.Auth:*`); the rest are counted as
    /// `filtered`. Settings are checked when the `Pipeline` starts: a bad
    /// one raises `ValidationError` there.
    ///
    /// >>> govstream.Sink.http("x", "http://127.0.0.1:9").with_options(max_batch_records=100, kinds=["event"])
    /// <govstream.Sink kind='http' name='x'>
    #[pyo3(signature = (
        *, queue_capacity = None, overflow = None, max_batch_records = None,
        max_batch_bytes = None, max_wait = None, max_in_flight = None,
        initial_backoff = None, max_backoff = None, max_attempts = None,
        dead_letter_capacity = None, kinds = None, event_types = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn with_options(
        &self,
        py: Python<'_>,
        queue_capacity: Option<usize>,
        overflow: Option<String>,
        max_batch_records: Option<usize>,
        max_batch_bytes: Option<usize>,
        max_wait: Option<f64>,
        max_in_flight: Option<usize>,
        initial_backoff: Option<f64>,
        max_backoff: Option<f64>,
        max_attempts: Option<u32>,
        dead_letter_capacity: Option<usize>,
        kinds: Option<Vec<String>>,
        event_types: Option<Vec<String>>,
    ) -> PyResult<Self> {
        // The options as the catalog spells them (seconds become
        // milliseconds), over the current ones.
        let mut options = match serde_json::to_value(self.built.options()) {
            Ok(Value::Object(o)) => o,
            _ => Map::new(),
        };
        let millis = |what: &str, seconds: Option<f64>| -> PyResult<Value> {
            match seconds {
                None => Ok(Value::Null),
                Some(s) if (0.0..1e12).contains(&s) => Ok(json!((s * 1000.0).round() as u64)),
                Some(_) => Err(error::input(
                    py,
                    what,
                    format!("`{what}` must be a non-negative number of seconds"),
                )),
            }
        };
        let given = json!({
            "queue_capacity": queue_capacity, "overflow": overflow,
            "max_batch_records": max_batch_records, "max_batch_bytes": max_batch_bytes,
            "max_wait_ms": millis("max_wait", max_wait)?, "max_in_flight": max_in_flight,
            "initial_backoff_ms": millis("initial_backoff", initial_backoff)?,
            "max_backoff_ms": millis("max_backoff", max_backoff)?,
            "max_attempts": max_attempts, "dead_letter_capacity": dead_letter_capacity,
            "kinds": kinds, "event_types": event_types,
        });
        if let Value::Object(given) = given {
            options.extend(given.into_iter().filter(|(_, v)| !v.is_null()));
        }
        let options: SinkOptions = from_value(Value::Object(options), "$")
            .map_err(|e| error::for_argument(py, ApiError::from(e)))?;
        Ok(PySink {
            built: self.built.with_options(&options),
            callback: self.callback.as_ref().map(|f| f.clone_ref(py)),
        })
    }

    /// Replaces the Entra ID token of an `azure_logs` sink, in every
    /// pipeline using it, from the next request on (retries included).
    ///
    /// Raises `InputError` for another kind of sink or an empty token.
    fn set_bearer_token(&self, py: Python<'_>, token: &str) -> PyResult<()> {
        self.built
            .set_bearer_token(token)
            .map_err(|e| error::for_argument(py, e))
    }

    /// The sink's name.
    #[getter]
    fn name(&self) -> &str {
        self.built.name()
    }

    /// What the sink is: `jsonl`, `memory`, `callback`, `http`, `webhook`,
    /// `splunk_hec`, `elasticsearch`, `azure_logs`, `otlp`, `syslog`, `cef`
    /// or `ocsf`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.built.kind()
    }

    fn __repr__(&self) -> String {
        format!(
            "<govstream.Sink kind='{}' name='{}'>",
            self.built.kind(),
            self.built.name().escape_default()
        )
    }
}
