//! `Policy`, `Decision` and `Match`: the compiled policy and what it says
//! about a text. Offsets are given in code points (Python `str` indices) and
//! also in UTF-8 bytes and UTF-16 units.

use crate::error;
use crate::json;
use govstream::api::{CompiledPolicy, PolicyTestInput};
use govstream::policy::{Decision, MatchInfo, Thresholds};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// A compiled policy: immutable, and safe to share between threads.
///
/// Build one from a JSON document, a dict or a file, then evaluate prompts
/// and responses with it. The GIL is released while it scans.
///
/// >>> import govstream
/// >>> policy = govstream.Policy.from_dict({"actions": {"prompt": {"medium": "redact"}}})
/// >>> d = policy.evaluate("mail jane.doe@acme.com the report")
/// >>> d.verdict
/// 'redact'
/// >>> d.redacted_text
/// 'mail [REDACTED:pii.email] the report'
#[pyclass(frozen, module = "govstream", name = "Policy")]
pub(crate) struct PyPolicy {
    inner: CompiledPolicy,
}

impl PyPolicy {
    fn compile(py: Python<'_>, json: &str) -> PyResult<Self> {
        py.detach(|| CompiledPolicy::from_json(json))
            .map(|inner| PyPolicy { inner })
            .map_err(|e| error::api_to_py(py, &e))
    }

    /// The compiled policy.
    pub(crate) fn compiled(&self) -> &CompiledPolicy {
        &self.inner
    }
}

#[pymethods]
impl PyPolicy {
    /// Compiles a policy document given as a JSON string.
    ///
    /// Raises `PolicyError` listing every problem with its JSON path.
    ///
    /// >>> govstream.Policy.from_json('{"org": {"id": "org_acme"}}')
    /// <govstream.Policy ...>
    #[staticmethod]
    fn from_json(py: Python<'_>, json: PyBackedStr) -> PyResult<Self> {
        PyPolicy::compile(py, &json)
    }

    /// Compiles a policy document given as a dict (anything `json.dumps`
    /// accepts).
    ///
    /// >>> govstream.Policy.from_dict({"org": {"id": "org_acme"}})
    /// <govstream.Policy ...>
    #[staticmethod]
    fn from_dict(py: Python<'_>, document: &Bound<'_, PyAny>) -> PyResult<Self> {
        let value = json::from_python(document, "$")?;
        PyPolicy::compile(py, &json::to_string(py, &value)?)
    }

    /// Reads and compiles a policy document from a JSON file.
    ///
    /// Raises `InputError` when the file cannot be read.
    ///
    /// >>> govstream.Policy.from_file("policy.json")  # doctest: +SKIP
    /// <govstream.Policy ...>
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            error::input(py, &path.display().to_string(), format!("cannot read: {e}"))
        })?;
        PyPolicy::compile(py, &text)
    }

    /// The built-in policy: every rule pack on, default severities and
    /// actions.
    ///
    /// >>> govstream.Policy.default().redact("key AKIAIOSFODNN7EXAMPLE")
    /// 'key [REDACTED:secrets.aws_access_key_id]'
    #[staticmethod]
    fn default(py: Python<'_>) -> PyResult<Self> {
        py.detach(CompiledPolicy::default_policy)
            .map(|inner| PyPolicy { inner })
            .map_err(|e| error::api_to_py(py, &e))
    }

    /// Evaluates a prompt (or, with `phase="response"`, a response) and
    /// returns the `Decision`. `context` is a dict of any event field the
    /// evaluation fills (`docs/python.md` lists them: `user_id`,
    /// `hostname`, `client_ip`, `gateway_id`, `route`, `tokens`,
    /// `event_id`, `timestamp_ms`, `metadata`, …); the keywords are
    /// shortcuts for the common ones and win over the same key in
    /// `context`. `metadata` is a JSON-compatible dict copied into the event.
    ///
    /// Raises `InputError` naming the field for an unknown phase, an
    /// unknown context key or a value of the wrong type (never repeating
    /// the value).
    ///
    /// >>> d = govstream.Policy.default().evaluate("card 4111 1111 1111 1111", user_id="u1")
    /// >>> d.verdict, [m.rule_id for m in d.matches], d.redacted_text
    /// ('redact', ['financial.card_visa'], 'card [REDACTED:financial.card_visa]')
    /// >>> govstream.Policy.default().evaluate("hi", context={"route": "/v1/chat", "event_id": "e-1"}).records()[0]["event_id"]
    /// 'e-1'
    #[pyo3(signature = (
        text, *, phase = None, context = None, org_id = None, user_id = None,
        user_email = None, tool = None, hostname = None, model = None, provider = None,
        request_id = None, session_id = None, conversation_id = None, metadata = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &self,
        py: Python<'_>,
        text: PyBackedStr,
        phase: Option<String>,
        context: Option<&Bound<'_, PyAny>>,
        org_id: Option<String>,
        user_id: Option<String>,
        user_email: Option<String>,
        tool: Option<String>,
        hostname: Option<String>,
        model: Option<String>,
        provider: Option<String>,
        request_id: Option<String>,
        session_id: Option<String>,
        conversation_id: Option<String>,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDecision> {
        // The context's keys are the event's field names; the core reads
        // them and words errors without repeating the values given.
        let mut fields = match context.filter(|c| !c.is_none()) {
            Some(c) => match json::from_python(c, "context")? {
                Value::Object(map) => map,
                _ => return Err(error::input(py, "context", "must be a dict")),
            },
            None => Map::new(),
        };
        for (key, value) in [
            ("phase", phase),
            ("org_id", org_id),
            ("user_id", user_id),
            ("user_email", user_email),
            ("tool", tool),
            ("hostname", hostname),
            ("model", model),
            ("provider", provider),
            ("request_id", request_id),
            ("session_id", session_id),
            ("conversation_id", conversation_id),
        ] {
            if let Some(v) = value {
                fields.insert(key.into(), Value::String(v));
            }
        }
        if let Some(m) = metadata.filter(|m| !m.is_none()) {
            fields.insert("metadata".into(), json::from_python(m, "metadata")?);
        }
        let decision = py
            .detach(|| self.inner.evaluate_value(&text, Value::Object(fields)))
            .map_err(|e| error::for_argument(py, e))?;
        Ok(PyDecision { inner: decision })
    }

    /// Scans `text` with the policy's rules and returns the matches in text
    /// order (the allowlist applied; actions are the prompt's), at most
    /// `limits.max_matches` of them. A text longer than the scan limit warns
    /// `ScanTruncatedWarning`: the matches cover the scanned prefix only.
    ///
    /// >>> text = "mail jane.doe@example.com"
    /// >>> [text[m.start:m.end] for m in policy.scan(text)]
    /// ['jane.doe@example.com']
    fn scan(&self, py: Python<'_>, text: PyBackedStr) -> PyResult<Vec<PyMatch>> {
        let report = py.detach(|| self.inner.scan(&text));
        if report.scan_truncated {
            error::warn_truncated(py, "Policy.scan", report.scanned_length)?;
        }
        Ok(report.matches.iter().map(PyMatch::from).collect())
    }

    /// `text` with every match rewritten in the policy's redaction style,
    /// whatever its action. A text longer than the scan limit has its
    /// unscanned tail replaced by `[UNSCANNED:<n> bytes]` and warns
    /// `ScanTruncatedWarning`: nothing that was not scanned comes back.
    ///
    /// >>> policy.redact("mail jane.doe@example.com")
    /// 'mail [REDACTED:pii.email]'
    fn redact(&self, py: Python<'_>, text: PyBackedStr) -> PyResult<String> {
        let out = py.detach(|| self.inner.redact(&text));
        if out.scan_truncated {
            error::warn_truncated(py, "Policy.redact", out.scanned_length)?;
        }
        Ok(out.text)
    }

    /// A `StreamRedactor` for a text that arrives in chunks.
    ///
    /// >>> govstream.Policy.default().redactor()
    /// <govstream.StreamRedactor held_back=0 finished=False>
    fn redactor(&self) -> crate::stream::PyStreamRedactor {
        crate::stream::PyStreamRedactor::new(self.inner.stream())
    }

    /// Redacts a reply that arrives in chunks (`str` or `bytes`): iterate
    /// the result to get the text safe to show, piece by piece. `chunks`
    /// may be an iterable or an async iterable (then use `async for`).
    /// Put together, the pieces are `Policy.redact` of the whole reply; a
    /// match split across chunks is still found. When the iteration ends,
    /// `.decision` is the whole reply's `Decision` in `context` (a
    /// response, unless `context` says otherwise).
    ///
    /// >>> s = govstream.Policy.default().stream(["mail jane.doe@", "acme.com now"])
    /// >>> "".join(s)
    /// 'mail [REDACTED:pii.email] now'
    /// >>> s.decision.matches[0].rule_id
    /// 'pii.email'
    #[pyo3(signature = (chunks, *, context = None))]
    fn stream<'py>(
        &self,
        py: Python<'py>,
        chunks: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let redactor = Py::new(py, self.redactor())?;
        py.import("govstream._stream")?
            .getattr("Stream")?
            .call1((redactor, chunks, context))
    }

    /// Reads a shadow-AI report — the JSON body external systems POST to
    /// `/v1/shadow-ai/report` (`docs/shadow.md`), as a str or a dict — and
    /// returns its `shadow_ai_event` record dict, classified by this
    /// policy's AI-tool lists. `now_ms` is the time when the report has
    /// none (default now).
    ///
    /// Raises `ValidationError` listing every problem with its JSON path,
    /// never repeating a value.
    ///
    /// >>> r = govstream.Policy.default().shadow_report(
    /// ...     {"org_id": "org_acme", "url": "https://claude.ai/chat/42", "user_id": "u-7",
    /// ...      "source_system": "swg"})
    /// >>> r["record_type"], r["url"], r["classification"]
    /// ('shadow_ai_event', 'https://claude.ai/chat/42', 'unknown')
    #[pyo3(signature = (report, *, now_ms = None))]
    fn shadow_report<'py>(
        &self,
        py: Python<'py>,
        report: &Bound<'py, PyAny>,
        now_ms: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let json = match report.extract::<String>() {
            Ok(text) => text,
            Err(_) => json::to_string(py, &json::from_python(report, "report")?)?,
        };
        let now = now_ms.unwrap_or_else(govstream::clock::now_ms);
        let event = py
            .detach(|| self.inner.shadow_report(&json, now))
            .map_err(|e| error::api_to_py(py, &e))?;
        json::to_python(py, &govstream::schema::Record::ShadowAiEvent(event))
    }

    /// Tests this policy on a corpus before rollout: each input a dict with
    /// `text`, an optional `id` and any evaluation context field (the
    /// lines `govstream policy test` reads). With a `baseline` (the policy
    /// it would replace), also counts the inputs whose verdict flips. The
    /// report is a dict: `inputs`, `policy` and `baseline` (`verdicts`,
    /// `block_rate`, `monitored`, `top_reasons`, `top_rules`), `changes`,
    /// `flips`, `flip_rate`, `transitions`, `flipped` (each with `id` or
    /// `line`, its position from 1), `thresholds` checked and `passed`.
    ///
    /// Raises `InputError` for a malformed input (`$.corpus[3].text`) and
    /// `ValidationError` for a limit that cannot be checked (a rate outside
    /// 0–1, a flip limit without a baseline).
    ///
    /// >>> strict = govstream.Policy.from_dict({"categories": {"pii": {"action": "block"}}})
    /// >>> corpus = [{"id": "a", "text": "mail jane.doe@acme.com"}, {"text": "hello"}]
    /// >>> r = strict.compare(corpus, baseline=govstream.Policy.default(), max_flips=0)
    /// >>> r["flips"], r["flipped"][0]["id"], r["passed"]
    /// (1, 'a', False)
    #[pyo3(signature = (
        corpus, *, baseline = None, max_flips = None, max_flip_rate = None,
        max_block_rate = None, top = None, list_flips = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn compare<'py>(
        &self,
        py: Python<'py>,
        corpus: &Bound<'py, PyAny>,
        baseline: Option<PyRef<'py, PyPolicy>>,
        max_flips: Option<usize>,
        max_flip_rate: Option<f64>,
        max_block_rate: Option<f64>,
        top: Option<usize>,
        list_flips: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let corpus = match json::from_python(corpus, "corpus")? {
            Value::Array(items) => items,
            _ => return Err(error::input(py, "corpus", "must be a list of dicts")),
        };
        let input = PolicyTestInput {
            corpus,
            thresholds: Thresholds {
                max_flips,
                max_flip_rate,
                max_block_rate,
            },
            top,
            list_flips,
        };
        let baseline = baseline.as_deref().map(PyPolicy::compiled);
        let report = py
            .detach(|| self.inner.compare(baseline, input))
            .map_err(|e| error::api_to_py(py, &e))?;
        json::to_python(py, &report)
    }

    /// The enabled rules with their effective severity and actions, as dicts
    /// (`id`, `name`, `pack`, `category`, `severity`, `prompt_action`,
    /// `response_action`, where each action came from as
    /// `prompt_action_from`/`response_action_from`, and `monitor` when
    /// the rule is in monitor mode).
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_python(py, &self.inner.rules())
    }

    fn __repr__(&self) -> String {
        format!("<govstream.Policy rules={}>", self.inner.rules().len())
    }
}

/// The outcome of `Policy.evaluate`: the verdict, why, the matches, the
/// text to send on, and the records for a sink.
///
/// Two kinds of output: `redacted_text` is the text to forward and keeps
/// `allow`- and `warn`-level values as written, so it is NOT for logs;
/// `records()`, `to_dict()` and `to_json()` leave it out and are safe to
/// log (rule ids, offsets, and records shaped by the logging level).
///
/// >>> d = govstream.Policy.default().evaluate("hello")
/// >>> d.verdict, d.event_type, d.reason_code
/// ('allow', 'request', 'none')
#[pyclass(frozen, module = "govstream", name = "Decision")]
pub(crate) struct PyDecision {
    inner: Decision,
}

impl PyDecision {
    /// Wraps a core decision.
    pub(crate) fn from_core(inner: Decision) -> Self {
        PyDecision { inner }
    }

    /// The core decision, for the pipeline and analytics wrappers.
    pub(crate) fn decision(&self) -> &Decision {
        &self.inner
    }
}

#[pymethods]
impl PyDecision {
    /// The combined verdict: `allow`, `warn`, `redact`, `escalate` or
    /// `block`.
    #[getter]
    fn verdict(&self) -> &'static str {
        self.inner.verdict.as_str()
    }

    /// `request`, `warned`, `redacted`, `escalated` or `blocked`.
    #[getter]
    fn event_type(&self) -> String {
        json::name(&self.inner.event_type)
    }

    /// Why: `dlp:<rule_id>`, `tool:blocked`, `tool:unknown` or `none`.
    #[getter]
    fn reason_code(&self) -> &str {
        &self.inner.reason_code
    }

    /// Monitor mode: the verdict had the monitored rules (or policy) been
    /// enforced, when stronger than `verdict`; else `None`.
    #[getter]
    fn would_verdict(&self) -> Option<&'static str> {
        self.inner.would_verdict.map(|v| v.as_str())
    }

    /// The reason code of `would_verdict`.
    #[getter]
    fn would_reason_code(&self) -> Option<&str> {
        self.inner.would_reason_code.as_deref()
    }

    /// The text to forward, NOT for logs: every match whose action is
    /// `redact` or stronger rewritten, and values whose action is `allow`
    /// or `warn` (an email, under the default policy) left as written.
    /// What to send on when the verdict is `redact`.
    #[getter]
    fn redacted_text(&self) -> &str {
        &self.inner.redacted_text
    }

    /// True when only a prefix of the text was scanned: the verdict is then
    /// at least the policy's `limits.on_truncated` (`block` for prompts by
    /// default), and nothing past the scan limit is forwarded or logged.
    #[getter]
    fn scan_truncated(&self) -> bool {
        self.inner.scan_truncated
    }

    /// Matches found but not listed in `matches`, past the policy's
    /// `limits.max_matches`: they still count toward the verdict and are
    /// rewritten in `redacted_text`.
    #[getter]
    fn omitted_matches(&self) -> usize {
        self.inner.omitted_matches
    }

    /// Every match, in text order, up to the policy's `limits.max_matches`.
    #[getter]
    fn matches(&self) -> Vec<PyMatch> {
        self.inner.matches.iter().map(PyMatch::from).collect()
    }

    /// The records a sink receives, as dicts: the event, then its matches
    /// (each with its `record_type`).
    fn records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_python(py, &self.inner.records())
    }

    /// The decision as a dict, safe to log: `verdict`, `event_type`,
    /// `reason_code`, `policy_results`, `matches` (rule ids and offsets),
    /// `scan_truncated`, `event` and `dlp_matches` (the records). The text
    /// to forward is left out: it is `redacted_text`, which is not for logs.
    ///
    /// >>> d = govstream.Policy.default().evaluate("mail jane.doe@acme.com")
    /// >>> d.verdict, "redacted_text" in d.to_dict(), "jane.doe" in d.to_json()
    /// ('warn', False, False)
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json::to_python(py, &self.inner.loggable())
    }

    /// `to_dict()` as compact JSON: safe to log, without the text to
    /// forward.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        json::to_string(py, &self.inner.loggable())
    }

    fn __repr__(&self) -> String {
        format!(
            "<govstream.Decision verdict='{}' reason_code='{}' matches={}>",
            self.inner.verdict.as_str(),
            self.inner.reason_code,
            self.inner.matches.len()
        )
    }
}

/// One finding: which rule, how sure, what the policy does about it, and
/// where. `start`/`end` are code points, so `text[m.start:m.end]` is the
/// matched value; `byte_*` are UTF-8 bytes and `utf16_*` UTF-16 units.
///
/// >>> text = "café owner: jane.doe@acme.com"
/// >>> [m] = govstream.Policy.default().scan(text)
/// >>> m.rule_id, m.severity, text[m.start:m.end], (m.byte_start, m.utf16_start)
/// ('pii.email', 'medium', 'jane.doe@acme.com', (13, 12))
#[pyclass(frozen, eq, module = "govstream", name = "Match")]
#[derive(PartialEq)]
pub(crate) struct PyMatch {
    /// The rule's id (`pii.email`).
    #[pyo3(get)]
    rule_id: String,
    /// The rule's name.
    #[pyo3(get)]
    rule_name: String,
    /// Its category (`secret`, `pii`, …).
    #[pyo3(get)]
    category: &'static str,
    /// Its severity after overrides.
    #[pyo3(get)]
    severity: &'static str,
    /// 0.0–1.0.
    #[pyo3(get)]
    confidence: f64,
    /// The policy's verdict for this match in the evaluated phase (with
    /// `monitor`, the verdict it would give).
    #[pyo3(get)]
    action: &'static str,
    /// Monitor mode: `action` is recorded, not enforced.
    #[pyo3(get)]
    monitor: bool,
    /// First code point.
    #[pyo3(get)]
    start: usize,
    /// One past the last code point.
    #[pyo3(get)]
    end: usize,
    /// First UTF-8 byte.
    #[pyo3(get)]
    byte_start: usize,
    /// One past the last UTF-8 byte.
    #[pyo3(get)]
    byte_end: usize,
    /// First UTF-16 code unit.
    #[pyo3(get)]
    utf16_start: usize,
    /// One past the last UTF-16 code unit.
    #[pyo3(get)]
    utf16_end: usize,
}

impl From<&MatchInfo> for PyMatch {
    fn from(m: &MatchInfo) -> Self {
        PyMatch {
            rule_id: m.rule_id.clone(),
            rule_name: m.rule_name.clone(),
            category: m.category.as_str(),
            severity: m.severity.as_str(),
            confidence: m.confidence,
            action: m.action.as_str(),
            monitor: m.monitor,
            start: m.span.start,
            end: m.span.end,
            byte_start: m.span.byte_start,
            byte_end: m.span.byte_end,
            utf16_start: m.span.utf16_start,
            utf16_end: m.span.utf16_end,
        }
    }
}

#[pymethods]
impl PyMatch {
    fn __repr__(&self) -> String {
        format!(
            "<govstream.Match rule_id='{}' action='{}' start={} end={}>",
            self.rule_id, self.action, self.start, self.end
        )
    }
}

/// Every built-in rule's definition as a dict: `id`, `name`, `category`,
/// `pack`, `severity`, `pattern` (the `regex` crate's dialect), `keywords`
/// and `min_digits` (the triggers near which the pattern runs), `max_len`,
/// `validator`, `context`, `allowlist`, `confidence`, `label` and the
/// `examples` the test suite checks. For reading and for porting: a
/// policy's `custom_rules` take the same fields but `pack` and `examples`.
/// Built-in patterns are ASCII (`\d`, `\w`, `\b`): Python's `re.ASCII`.
///
/// >>> rules = govstream.builtin_rules()
/// >>> email = next(r for r in rules if r["id"] == "pii.email")
/// >>> email["pack"], email["keywords"]
/// ('pii', ['@'])
#[pyfunction]
pub(crate) fn builtin_rules(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    json::to_python(py, &govstream::api::builtin_rules())
}
