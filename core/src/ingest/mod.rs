//! Receiving shadow-AI reports over HTTP, without doing the I/O: every
//! decision of the `POST /v1/shadow-ai/report` endpoint (seed 000: external
//! systems report with an API key) — which status, which body, which
//! records — so every server built on govstream (the Rust example in
//! `examples/report-receiver/`, or any other) answers alike.
//!
//! A server reads the request head and calls [`ReportReceiver::admit`]:
//! path, method, API key, media type and declared length are checked
//! before a byte of the body is read, so an unauthenticated or oversized
//! request costs nothing. It then reads at most
//! [`ReportReceiver::max_body_bytes`] and calls [`ReportReceiver::read_body`],
//! which validates every report with [`crate::shadow::parse_report`] and
//! returns the `ShadowAiEvent`s. Once the pipeline has queued them, the
//! server answers [`Accepted::response`]; if it refused them,
//! [`Reply::unavailable`]. Every [`Reply`] carries a line for the server's
//! log, naming the key by its id, never by its secret. The behaviour is
//! documented in `docs/shadow.md` ("Receiving reports").

use crate::Problem;
use crate::api::CompiledPolicy;
use crate::keys::{KeyRejection, KeyStore, VerifiedKey};
use crate::schema::ShadowAiEvent;
use serde_json::{Map, Value, json};

#[cfg(test)]
mod tests;

/// The endpoint's path.
pub const REPORT_PATH: &str = "/v1/shadow-ai/report";
/// Default bound on a request body, in bytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most reports one request may carry (a JSON array of them).
pub const MAX_REPORTS: usize = 500;
/// The `metadata` key the receiver sets to the id of the key that sent a
/// report, so every event says who reported it.
pub const KEY_ID_METADATA: &str = "api_key_id";

/// What a server read of a request before its body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestHead<'a> {
    /// The method (`POST`).
    pub method: &'a str,
    /// The request target (`/v1/shadow-ai/report`, a query allowed).
    pub target: &'a str,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The `X-API-Key` header, if any.
    pub api_key: Option<&'a str>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The `Content-Length`, if the request declared one.
    pub content_length: Option<u64>,
}

/// An answer to send: status, extra headers and a JSON body, plus one line
/// for the server's own log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// Headers besides `Content-Type: application/json` and
    /// `Content-Length` (`Allow`, `WWW-Authenticate`, `Retry-After`).
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: String,
    /// What happened, for the server's log: the status, the key id and
    /// label when known, the reason or the count. Never a secret.
    pub log: String,
}

impl Reply {
    fn new(status: u16, body: &Value, log: impl Into<String>) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            // A `Value` always serializes.
            body: serde_json::to_string(body).unwrap_or_default(),
            log: format!("{status} {}", log.into()),
        }
    }

    fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 400: the request was not HTTP a server could read (a bad request
    /// line, a header that is not UTF-8, a bad `Content-Length`).
    pub fn bad_http(why: &str) -> Self {
        Reply::new(
            400,
            &json!({"error": "bad_request", "message": why}),
            format!("bad request: {why}"),
        )
    }

    /// 408: the client did not send the whole request in time.
    pub fn timeout() -> Self {
        Reply::new(
            408,
            &json!({"error": "timeout", "message": "the request did not arrive in time"}),
            "timed out reading the request",
        )
    }

    /// 431: the request head is larger than the server reads.
    pub fn head_too_large(limit: usize) -> Self {
        Reply::new(
            431,
            &json!({"error": "header_too_large",
                    "message": format!("the request head is over {limit} bytes")}),
            "request head too large",
        )
    }

    /// 503: the server cannot take the request now (the pipeline refused
    /// the records, too many connections); the client should retry.
    pub fn unavailable(why: &str) -> Self {
        Reply::new(
            503,
            &json!({"error": "unavailable", "message": "try again later"}),
            format!("unavailable: {why}"),
        )
        .with_header("Retry-After", "5")
    }
}

/// A request whose head passed: its key is good; its body may be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    key: VerifiedKey,
}

impl Admitted {
    /// The key that sent the request.
    pub fn key(&self) -> &VerifiedKey {
        &self.key
    }
}

/// Reports that passed: the events to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// One event per report, in request order.
    pub events: Vec<ShadowAiEvent>,
    key: VerifiedKey,
}

impl Accepted {
    /// 202 with `{"accepted": n, "event_ids": […]}`: send it once the
    /// pipeline has queued the events.
    pub fn response(&self) -> Reply {
        let ids: Vec<&str> = self.events.iter().map(|e| e.event_id.as_str()).collect();
        Reply::new(
            202,
            &json!({"accepted": self.events.len(), "event_ids": ids}),
            format!(
                "key {} ({}) org {}: accepted {} report(s)",
                self.key.key_id,
                self.key.label,
                self.key.org_id,
                self.events.len()
            ),
        )
    }
}

/// The endpoint's decisions, with the key store and the policy whose tool
/// lists classify the reported hosts. Immutable: share it between threads.
#[derive(Debug)]
pub struct ReportReceiver {
    keys: KeyStore,
    policy: CompiledPolicy,
    max_body_bytes: usize,
}

impl ReportReceiver {
    /// A receiver of `keys`, classifying with `policy`, taking bodies up
    /// to [`DEFAULT_MAX_BODY_BYTES`].
    pub fn new(keys: KeyStore, policy: CompiledPolicy) -> Self {
        ReportReceiver {
            keys,
            policy,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Sets the bound on a body, in bytes.
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The bound on a body, in bytes: read no more than this.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Checks a request's head, in this order: path (404), method (405,
    /// with `Allow: POST`), API key (401 for a missing, malformed, unknown
    /// or wrong key, all alike; 403 for a disabled or expired one), media
    /// type (415 unless JSON), declared length (411 without one, 413 over
    /// the bound). `Ok` means: read the body.
    pub fn admit(&self, head: &RequestHead<'_>, now_ms: i64) -> Result<Admitted, Reply> {
        let path = head.target.split(['?', '#']).next().unwrap_or_default();
        if path != REPORT_PATH {
            return Err(Reply::new(
                404,
                &json!({"error": "not_found", "message": format!("POST reports to {REPORT_PATH}")}),
                "not found",
            ));
        }
        if head.method != "POST" {
            return Err(Reply::new(
                405,
                &json!({"error": "method_not_allowed", "message": "use POST"}),
                "method not allowed",
            )
            .with_header("Allow", "POST"));
        }
        let key = self.verify(head, now_ms)?;
        let who = format!("key {} ({})", key.key_id, key.label);
        if let Some(ct) = head.content_type
            && !is_json(ct)
        {
            return Err(Reply::new(
                415,
                &json!({"error": "unsupported_media_type", "message": "send application/json"}),
                format!("{who}: not JSON"),
            ));
        }
        match head.content_length {
            None => Err(Reply::new(
                411,
                &json!({"error": "length_required", "message": "send a Content-Length"}),
                format!("{who}: no Content-Length"),
            )),
            Some(n) if n > self.max_body_bytes as u64 => Err(self.too_large(&who)),
            Some(_) => Ok(Admitted { key }),
        }
    }

    fn verify(&self, head: &RequestHead<'_>, now_ms: i64) -> Result<VerifiedKey, Reply> {
        let (mut bearer, mut other_scheme) = (None, false);
        if let Some(h) = head.authorization {
            match h.trim().split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                    bearer = Some(token.trim());
                }
                // Another scheme (`Basic …`, a proxy's own) carries no key
                // of ours: it is ignored beside an `X-API-Key`, and alone
                // it is a key that is not ours, refused like one.
                _ => other_scheme = true,
            }
        }
        let presented = match (bearer, head.api_key.map(str::trim)) {
            (Some(a), Some(b)) if a != b => {
                return Err(unauthorized("two different keys presented".to_owned()));
            }
            (Some(a), _) => Some(a),
            (None, Some(b)) => Some(b),
            (None, None) if other_scheme => Some(""),
            (None, None) => None,
        };
        self.keys.verify(presented, now_ms).map_err(|rejection| {
            let why = rejection.to_string();
            match rejection {
                KeyRejection::Disabled { .. } => forbidden("the API key is disabled", why),
                KeyRejection::Expired { .. } => forbidden("the API key has expired", why),
                _ => unauthorized(why),
            }
        })
    }

    fn too_large(&self, who: &str) -> Reply {
        Reply::new(
            413,
            &json!({"error": "too_large",
                    "message": format!("the body is over {} bytes", self.max_body_bytes)}),
            format!("{who}: body too large"),
        )
    }

    /// Reads an admitted request's body: one report (a JSON object) or up
    /// to [`MAX_REPORTS`] (an array). A report without `org_id` is for the
    /// key's org, one for another org is refused (403); a report without
    /// `source_system` gets the key's label. Every problem of every report
    /// comes back at once (400, paths like `$[2].url`), and then nothing is
    /// accepted: a client fixes and resends the whole request, and each
    /// report's `event_id` keeps a resent one from counting twice.
    pub fn read_body(
        &self,
        admitted: &Admitted,
        body: &[u8],
        now_ms: i64,
    ) -> Result<Accepted, Reply> {
        let key = &admitted.key;
        let who = format!("key {} ({})", key.key_id, key.label);
        if body.len() > self.max_body_bytes {
            return Err(self.too_large(&who));
        }
        let invalid = |problems: Vec<Problem>| {
            let n = problems.len();
            Reply::new(
                400,
                &json!({"error": "validation", "what": "shadow ai report", "problems": problems}),
                format!("{who}: {n} problem(s)"),
            )
        };
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            // serde_json's message gives line and column, never the text.
            invalid(vec![Problem::new("$", format!("not JSON: {e}"))])
        })?;
        let (reports, batch) = match value {
            Value::Array(items) => (items, true),
            other => (vec![other], false),
        };
        if reports.is_empty() || reports.len() > MAX_REPORTS {
            return Err(invalid(vec![Problem::new(
                "$",
                format!("send 1 to {MAX_REPORTS} reports, found {}", reports.len()),
            )]));
        }
        let at = |i: usize| {
            if batch {
                format!("$[{i}]")
            } else {
                "$".to_owned()
            }
        };
        let mut other_orgs = Vec::new();
        let mut problems = Vec::new();
        let mut events = Vec::with_capacity(reports.len());
        for (i, mut report) in reports.into_iter().enumerate() {
            if let Value::Object(o) = &mut report {
                match o.get("org_id") {
                    None => {
                        o.insert("org_id".into(), Value::String(key.org_id.clone()));
                    }
                    Some(Value::String(org)) if *org != key.org_id => {
                        other_orgs.push(Problem::new(
                            format!("{}.org_id", at(i)),
                            format!("this API key reports for `{}` only", key.org_id),
                        ));
                        continue;
                    }
                    Some(_) => {}
                }
                if !o.contains_key("source_system") {
                    o.insert("source_system".into(), Value::String(key.label.clone()));
                }
                if reserved_key_used(o) {
                    problems.push(Problem::new(
                        format!("{}.metadata.{KEY_ID_METADATA}", at(i)),
                        "is reserved: the receiver sets it to the sending key's id",
                    ));
                    continue;
                }
            }
            match self.policy.shadow_event(&report, now_ms) {
                Ok(mut event) => {
                    event
                        .metadata
                        .insert(KEY_ID_METADATA.into(), Value::String(key.key_id.clone()));
                    events.push(event);
                }
                Err(e) if e.problems.is_empty() => problems.push(Problem::new(at(i), e.message)),
                Err(e) => problems.extend(e.problems.into_iter().map(|p| {
                    let rest = p.path.strip_prefix('$').unwrap_or(&p.path);
                    Problem::new(format!("{}{rest}", at(i)), p.message)
                })),
            }
        }
        if !other_orgs.is_empty() {
            return Err(Reply::new(
                403,
                &json!({"error": "forbidden", "message": "a report is for another org",
                        "problems": other_orgs}),
                format!("{who}: report(s) for another org"),
            ));
        }
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        Ok(Accepted {
            events,
            key: key.clone(),
        })
    }
}

fn reserved_key_used(report: &Map<String, Value>) -> bool {
    report
        .get("metadata")
        .and_then(Value::as_object)
        .is_some_and(|m| m.contains_key(KEY_ID_METADATA))
}

/// `application/json`, any parameters (`; charset=utf-8`), any case; also
/// `+json` types such as `application/reports+json`.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// 401, the same whatever was wrong: a guesser learns nothing from it.
/// `why` goes only to the log.
fn unauthorized(why: String) -> Reply {
    Reply::new(
        401,
        &json!({"error": "unauthorized",
                "message": "a valid API key is required: `Authorization: Bearer <key>` or `X-API-Key: <key>`"}),
        why,
    )
    .with_header("WWW-Authenticate", "Bearer realm=\"govstream\"")
}

/// 403 for a holder of a key that no longer works: they proved they hold
/// it, so they may learn why.
fn forbidden(message: &str, why: String) -> Reply {
    Reply::new(403, &json!({"error": "forbidden", "message": message}), why)
}
