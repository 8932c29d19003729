//! `Sink`: one destination of a pipeline and its wire format — JSON Lines
//! files, memory, Python callables, and the SIEM targets the core encodes
//! for (Standard Webhooks, Splunk HEC, Elasticsearch, Azure Monitor Logs,
//! OTLP, syslog, CEF, OCSF). A `Sink` is an immutable description; the
//! pipeline it is given to does the delivering.

use crate::args::{choice, credential, http_url, millis, string_pairs, tcp_address};
use crate::error;
use govstream::pipeline::encode::{
    AzureLogsConfig, AzureLogsEncoder, CefConfig, CefEncoder, ElasticsearchAuth,
    ElasticsearchBulkConfig, ElasticsearchBulkEncoder, Encoder, JsonLinesEncoder, OcsfConfig,
    OcsfEncoder, OcsfFraming, OtlpLogsConfig, OtlpLogsEncoder, SplunkHecConfig, SplunkHecEncoder,
    SyslogConfig, SyslogEncoder, SyslogFraming, SyslogMessage, WebhookConfig, WebhookEncoder,
};
use govstream::pipeline::{Destination, OverflowPolicy, SinkConfig};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::sync::Arc;

/// Where a pipeline delivers, and in what format. Build one with a static
/// method (`Sink.jsonl`, `Sink.memory`, `Sink.callback`, `Sink.http`,
/// `Sink.webhook`, `Sink.splunk_hec`, `Sink.elasticsearch`,
/// `Sink.azure_logs`, `Sink.otlp`, `Sink.syslog`, `Sink.cef`, `Sink.ocsf`),
/// tune batching and retries with `with_options`, then pass a list of them
/// to `Pipeline`. Credentials never appear in its `repr`.
///
/// >>> import govstream
/// >>> govstream.Sink.splunk_hec("siem", "https://splunk.example:8088", "hec-token")
/// <govstream.Sink kind='splunk_hec' name='siem'>
#[pyclass(frozen, module = "govstream", name = "Sink")]
pub(crate) struct PySink {
    kind: &'static str,
    pub(crate) config: SinkConfig,
    pub(crate) destination: Destination,
    pub(crate) callback: Option<Py<PyAny>>,
    encoder: Arc<dyn Encoder>,
    /// The Azure encoder again, typed, so its token can be replaced.
    azure: Option<Arc<AzureLogsEncoder>>,
}

impl PySink {
    fn new(
        kind: &'static str,
        name: String,
        max_attempts: u32,
        encoder: Arc<dyn Encoder>,
        destination: Destination,
    ) -> Self {
        PySink {
            kind,
            config: SinkConfig {
                name,
                max_attempts,
                ..SinkConfig::default()
            },
            destination,
            callback: None,
            encoder,
            azure: None,
        }
    }

    /// The encoder for one pipeline: every pipeline given this sink shares
    /// it, which is what lets `set_bearer_token` reach them all.
    pub(crate) fn encoder(&self) -> Box<dyn Encoder> {
        Box::new(Arc::clone(&self.encoder))
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
    #[pyo3(signature = (name, path, *, max_bytes = 10 << 20, keep = 5, max_attempts = 12))]
    fn jsonl(
        name: String,
        path: std::path::PathBuf,
        max_bytes: u64,
        keep: u32,
        max_attempts: u32,
    ) -> Self {
        let destination = Destination::File {
            path: path.to_string_lossy().into_owned(),
            max_bytes,
            keep,
        };
        Self::new(
            "jsonl",
            name,
            max_attempts,
            Arc::new(JsonLinesEncoder),
            destination,
        )
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
    #[pyo3(signature = (name, url, *, max_attempts = 12))]
    fn http(py: Python<'_>, name: String, url: String, max_attempts: u32) -> PyResult<Self> {
        let destination = http_url(py, url)?;
        Ok(Self::new(
            "http",
            name,
            max_attempts,
            Arc::new(JsonLinesEncoder),
            destination,
        ))
    }

    /// A sink keeping the newest `capacity` records in memory; read them
    /// with `Pipeline.memory_records(name)`.
    ///
    /// >>> govstream.Sink.memory("recent", capacity=10)
    /// <govstream.Sink kind='memory' name='recent'>
    #[staticmethod]
    #[pyo3(signature = (name, *, capacity = 1000))]
    fn memory(name: String, capacity: usize) -> Self {
        let destination = Destination::Memory { capacity };
        Self::new("memory", name, 12, Arc::new(JsonLinesEncoder), destination)
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
    #[pyo3(signature = (name, r#fn, *, max_attempts = 12))]
    fn callback(name: String, r#fn: Py<PyAny>, max_attempts: u32) -> Self {
        let mut sink = Self::new(
            "callback",
            name,
            max_attempts,
            Arc::new(JsonLinesEncoder),
            Destination::Callback,
        );
        sink.callback = Some(r#fn);
        sink
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
    #[pyo3(signature = (name, url, secret, *, event_type = "govstream.records".to_string(), max_attempts = 12))]
    fn webhook(
        py: Python<'_>,
        name: String,
        url: String,
        secret: &Bound<'_, PyAny>,
        event_type: String,
        max_attempts: u32,
    ) -> PyResult<Self> {
        let secrets: Vec<String> = if secret.is_instance_of::<PyString>() {
            vec![secret.extract()?]
        } else {
            secret
                .extract()
                .map_err(|_| error::input(py, "secret", "expected a str or a list of str"))?
        };
        if secrets.is_empty() || secrets.iter().any(|s| s.is_empty()) {
            return Err(error::input(
                py,
                "secret",
                "at least one secret is needed, and none may be empty",
            ));
        }
        let config = WebhookConfig {
            secrets,
            event_type,
        };
        let encoder = WebhookEncoder::new(config).map_err(|e| error::to_py(py, &e))?;
        let destination = http_url(py, url)?;
        Ok(Self::new(
            "webhook",
            name,
            max_attempts,
            Arc::new(encoder),
            destination,
        ))
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
        name, url, token, *, index = None, source = "govstream".to_string(),
        sourcetype = "_json".to_string(), host = None, max_attempts = 12
    ))]
    #[allow(clippy::too_many_arguments)]
    fn splunk_hec(
        py: Python<'_>,
        name: String,
        url: String,
        token: String,
        index: Option<String>,
        source: String,
        sourcetype: String,
        host: Option<String>,
        max_attempts: u32,
    ) -> PyResult<Self> {
        let config = SplunkHecConfig {
            token: credential(py, "token", token)?,
            host,
            source,
            sourcetype,
            index,
        };
        let destination = http_url(py, url)?;
        let encoder = Arc::new(SplunkHecEncoder::new(config));
        Ok(Self::new(
            "splunk_hec",
            name,
            max_attempts,
            encoder,
            destination,
        ))
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
        findings_index = None, max_attempts = 12
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
        max_attempts: u32,
    ) -> PyResult<Self> {
        let auth = match (api_key, username, password) {
            (None, None, None) => ElasticsearchAuth::None,
            (Some(key), None, None) => ElasticsearchAuth::ApiKey(credential(py, "api_key", key)?),
            (None, Some(username), Some(password)) => ElasticsearchAuth::Basic {
                username: credential(py, "username", username)?,
                password,
            },
            (Some(_), _, _) => {
                return Err(error::input(
                    py,
                    "api_key",
                    "give `api_key` or `username` and `password`, not both",
                ));
            }
            (None, _, _) => {
                return Err(error::input(
                    py,
                    "username",
                    "`username` and `password` go together",
                ));
            }
        };
        let config = ElasticsearchBulkConfig {
            index: credential(py, "index", index)?,
            findings_index,
            auth,
        };
        let destination = http_url(py, url)?;
        let encoder = Arc::new(ElasticsearchBulkEncoder::new(config));
        Ok(Self::new(
            "elasticsearch",
            name,
            max_attempts,
            encoder,
            destination,
        ))
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
    #[pyo3(signature = (name, url, bearer_token, *, max_attempts = 12))]
    fn azure_logs(
        py: Python<'_>,
        name: String,
        url: String,
        bearer_token: String,
        max_attempts: u32,
    ) -> PyResult<Self> {
        let token = credential(py, "bearer_token", bearer_token)?;
        let encoder = Arc::new(AzureLogsEncoder::new(AzureLogsConfig::new(token)));
        let destination = http_url(py, url)?;
        let mut sink = Self::new(
            "azure_logs",
            name,
            max_attempts,
            Arc::clone(&encoder) as Arc<dyn Encoder>,
            destination,
        );
        sink.azure = Some(encoder);
        Ok(sink)
    }

    /// An OpenTelemetry sink: OTLP/HTTP JSON logs to a collector (`url`,
    /// `/v1/logs` added when it has no path), with `service_name` and more
    /// `resource_attributes` on the resource and extra request `headers`
    /// (an `authorization`, a backend's API-key header).
    ///
    /// >>> govstream.Sink.otlp("otel", "http://127.0.0.1:4318", service_name="chat-gateway")
    /// <govstream.Sink kind='otlp' name='otel'>
    #[staticmethod]
    #[pyo3(signature = (
        name, url, *, service_name = "govstream".to_string(), resource_attributes = None,
        headers = None, max_attempts = 12
    ))]
    fn otlp(
        py: Python<'_>,
        name: String,
        url: String,
        service_name: String,
        resource_attributes: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        max_attempts: u32,
    ) -> PyResult<Self> {
        let config = OtlpLogsConfig {
            service_name,
            resource_attributes: string_pairs(resource_attributes, "resource_attributes")?,
            headers: string_pairs(headers, "headers")?,
            ..OtlpLogsConfig::default()
        };
        let destination = http_url(py, url)?;
        let encoder = Arc::new(OtlpLogsEncoder::new(config));
        Ok(Self::new("otlp", name, max_attempts, encoder, destination))
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
        name, address, *, message = "json", framing = "octet_counting", facility = 16,
        hostname = None, app_name = "govstream".to_string(), max_attempts = 12
    ))]
    #[allow(clippy::too_many_arguments)]
    fn syslog(
        py: Python<'_>,
        name: String,
        address: &str,
        message: &str,
        framing: &str,
        facility: u8,
        hostname: Option<String>,
        app_name: String,
        max_attempts: u32,
    ) -> PyResult<Self> {
        let message = match choice(py, "message", message, &["json", "cef"])? {
            "cef" => SyslogMessage::Cef(CefConfig::default()),
            _ => SyslogMessage::Json,
        };
        let framing = match choice(py, "framing", framing, &["octet_counting", "newline"])? {
            "newline" => SyslogFraming::NewlineTerminated,
            _ => SyslogFraming::OctetCounting,
        };
        let config = SyslogConfig {
            facility,
            hostname,
            app_name,
            framing,
            message,
            ..SyslogConfig::default()
        };
        let encoder = SyslogEncoder::new(config).map_err(|e| error::to_py(py, &e))?;
        let destination = tcp_address(py, address)?;
        Ok(Self::new(
            "syslog",
            name,
            max_attempts,
            Arc::new(encoder),
            destination,
        ))
    }

    /// A sink of bare CEF lines (ArcSight Common Event Format), one per
    /// record, newline-framed over TCP to `address` (`host:port`).
    ///
    /// >>> govstream.Sink.cef("arcsight", "127.0.0.1:5140")
    /// <govstream.Sink kind='cef' name='arcsight'>
    #[staticmethod]
    #[pyo3(signature = (name, address, *, max_attempts = 12))]
    fn cef(py: Python<'_>, name: String, address: &str, max_attempts: u32) -> PyResult<Self> {
        let destination = tcp_address(py, address)?;
        let encoder = Arc::new(CefEncoder::new(CefConfig::default()));
        Ok(Self::new("cef", name, max_attempts, encoder, destination))
    }

    /// An OCSF 1.x sink over HTTP: one event per line (`framing="json_lines"`,
    /// for object stores and Firehose-style collectors) or one JSON array
    /// per request (`framing="json_array"`), with an optional full
    /// `Authorization` header value.
    ///
    /// >>> govstream.Sink.ocsf("lake", "https://lake.example/ingest", framing="json_array", authorization="Bearer t0k3n")
    /// <govstream.Sink kind='ocsf' name='lake'>
    #[staticmethod]
    #[pyo3(signature = (name, url, *, framing = "json_lines", authorization = None, max_attempts = 12))]
    fn ocsf(
        py: Python<'_>,
        name: String,
        url: String,
        framing: &str,
        authorization: Option<String>,
        max_attempts: u32,
    ) -> PyResult<Self> {
        let framing = match choice(py, "framing", framing, &["json_lines", "json_array"])? {
            "json_array" => OcsfFraming::JsonArray,
            _ => OcsfFraming::JsonLines,
        };
        let config = OcsfConfig {
            framing,
            authorization,
            ..OcsfConfig::default()
        };
        let destination = http_url(py, url)?;
        Ok(Self::new(
            "ocsf",
            name,
            max_attempts,
            Arc::new(OcsfEncoder::new(config)),
            destination,
        ))
    }

    /// A copy of this sink with other queueing, batching and retry
    /// settings; arguments left out keep their values. A batch is sent at
    /// `max_batch_records` records, `max_batch_bytes` encoded bytes, or
    /// when its oldest record has waited `max_wait` seconds. A full queue
    /// (`queue_capacity` records) drops the newest lower-priority record
    /// (`overflow="drop_newest"`) or refuses it (`"block"`: `emit` waits
    /// or raises). Retries back off from `initial_backoff` to `max_backoff`
    /// seconds. `kinds` keeps only some record kinds (`event`, `dlp_match`,
    /// `shadow_ai`, `audit`). Settings are checked when the `Pipeline`
    /// starts: a bad one raises `ValidationError` there.
    ///
    /// >>> govstream.Sink.http("x", "http://127.0.0.1:9").with_options(max_batch_records=100, kinds=["event"])
    /// <govstream.Sink kind='http' name='x'>
    #[pyo3(signature = (
        *, queue_capacity = None, overflow = None, max_batch_records = None,
        max_batch_bytes = None, max_wait = None, max_in_flight = None,
        initial_backoff = None, max_backoff = None, max_attempts = None,
        dead_letter_capacity = None, kinds = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn with_options(
        &self,
        py: Python<'_>,
        queue_capacity: Option<usize>,
        overflow: Option<&str>,
        max_batch_records: Option<usize>,
        max_batch_bytes: Option<usize>,
        max_wait: Option<f64>,
        max_in_flight: Option<usize>,
        initial_backoff: Option<f64>,
        max_backoff: Option<f64>,
        max_attempts: Option<u32>,
        dead_letter_capacity: Option<usize>,
        kinds: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let mut c = self.config.clone();
        let set = |slot: &mut usize, v: Option<usize>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set(&mut c.queue_capacity, queue_capacity);
        set(&mut c.max_batch_records, max_batch_records);
        set(&mut c.max_batch_bytes, max_batch_bytes);
        set(&mut c.max_in_flight, max_in_flight);
        set(&mut c.dead_letter_capacity, dead_letter_capacity);
        if let Some(o) = overflow {
            c.overflow = match choice(py, "overflow", o, &["drop_newest", "block"])? {
                "block" => OverflowPolicy::Block,
                _ => OverflowPolicy::DropNewest,
            };
        }
        for (slot, value, what) in [
            (&mut c.max_wait_ms, max_wait, "max_wait"),
            (
                &mut c.initial_backoff_ms,
                initial_backoff,
                "initial_backoff",
            ),
            (&mut c.max_backoff_ms, max_backoff, "max_backoff"),
        ] {
            if let Some(seconds) = value {
                *slot = millis(py, what, seconds)?;
            }
        }
        if let Some(a) = max_attempts {
            c.max_attempts = a;
        }
        if let Some(k) = kinds {
            c.kinds = k;
        }
        Ok(PySink {
            kind: self.kind,
            config: c,
            destination: self.destination.clone(),
            callback: self.callback.as_ref().map(|f| f.clone_ref(py)),
            encoder: Arc::clone(&self.encoder),
            azure: self.azure.clone(),
        })
    }

    /// Replaces the Entra ID token of an `azure_logs` sink, in every
    /// pipeline using it, from the next request on (retries included).
    ///
    /// Raises `InputError` for another kind of sink or an empty token.
    fn set_bearer_token(&self, py: Python<'_>, token: String) -> PyResult<()> {
        let token = credential(py, "bearer_token", token)?;
        match &self.azure {
            Some(azure) => {
                azure.set_bearer_token(token);
                Ok(())
            }
            None => Err(error::input(
                py,
                "sink",
                format!(
                    "`{}` is a {} sink; only azure_logs sinks take a bearer token",
                    self.config.name, self.kind
                ),
            )),
        }
    }

    /// The sink's name.
    #[getter]
    fn name(&self) -> &str {
        &self.config.name
    }

    /// What the sink is: `jsonl`, `memory`, `callback`, `http`, `webhook`,
    /// `splunk_hec`, `elasticsearch`, `azure_logs`, `otlp`, `syslog`, `cef`
    /// or `ocsf`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn __repr__(&self) -> String {
        format!(
            "<govstream.Sink kind='{}' name='{}'>",
            self.kind,
            self.config.name.escape_default()
        )
    }
}
