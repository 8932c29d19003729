//! The payload external systems (a CASB, a secure web gateway, a SIEM rule)
//! POST to `/v1/shadow-ai/report`, and its validation into a
//! [`ShadowAiEvent`]. Every problem comes back at once with its JSON path, so
//! a server built on govstream answers 400 with all of them. The payload is
//! documented, with an example, in `docs/shadow.md`.

use super::classify::Classifier;
use super::json::{self, Obj};
use super::url::{normalize_host, sanitize_url};
use crate::schema::{Identity, Severity, ShadowAiEvent, ShadowAiSource};
use crate::{Error, Problem, Result};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How far `observed_at` may lie after the server's clock, for skew.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;
/// Largest `metadata` object accepted, in bytes of compact JSON.
pub const MAX_METADATA_BYTES: usize = 8 * 1024;
/// Longest `url` accepted, in characters.
pub const MAX_URL_CHARS: usize = 8192;

const FIELDS: &[&str] = &[
    "org_id",
    "url",
    "hostname",
    "user_id",
    "user_email",
    "idp_user_id",
    "observed_at",
    "source_system",
    "severity",
    "tool",
    "vendor",
    "event_id",
    "metadata",
];
const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];
/// The metadata key where the event also carries `source_system` (its only
/// place in records of schema version 1; see
/// [`ShadowAiEvent::reporting_system`]).
pub const SOURCE_SYSTEM_KEY: &str = ShadowAiEvent::LEGACY_SOURCE_SYSTEM_KEY;

fn url_message(e: Error) -> String {
    match e {
        Error::Input { message, .. } => message,
        other => other.to_string(),
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Validates a shadow-AI report and turns it into an event with source
/// `api`, classified by `classifier`. `now_ms` is the server's clock: the
/// event's time when `observed_at` is absent, and the bound `observed_at`
/// may not exceed by more than [`MAX_CLOCK_SKEW_MS`].
///
/// Fails with [`Error::Validation`] (`what` = `shadow ai report`) listing
/// every problem with its JSON path.
///
/// ```
/// use govstream::shadow::{Catalog, Classifier, parse_report};
/// let c = Classifier::new(Catalog::builtin(), &[], &[]).unwrap();
/// let event = parse_report(r#"{
///     "org_id": "org_acme", "url": "https://claude.ai/chat/42?q=x",
///     "user_email": "jane@acme.com", "source_system": "swg"
/// }"#, &c, 1_795_339_200_000).unwrap();
/// assert_eq!(event.url, "https://claude.ai/chat/42");
///
/// let err = parse_report(r#"{"url": 3, "severity": "huge"}"#, &c, 0).unwrap_err();
/// let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
/// assert_eq!(paths, ["$.org_id", "$.url", "$.user_id", "$.source_system", "$.severity"]);
/// ```
pub fn parse_report(json: &str, classifier: &Classifier, now_ms: i64) -> Result<ShadowAiEvent> {
    let mut problems = Vec::new();
    let event = json::parse(json, &mut problems)
        .and_then(|v| read_report(&v, classifier, now_ms, &mut problems));
    match event {
        Some(e) if problems.is_empty() => Ok(e),
        _ => Err(Error::Validation {
            what: "shadow ai report".into(),
            problems,
        }),
    }
}

fn read_report(
    value: &Value,
    classifier: &Classifier,
    now_ms: i64,
    p: &mut Vec<Problem>,
) -> Option<ShadowAiEvent> {
    let o = Obj::new(value, "$".into(), FIELDS, p)?;
    let org_id = o.required_string("org_id", 128, p);

    let url = match (o.get("url"), o.get("hostname")) {
        (None, None) => {
            p.push(Problem::new(o.at("url"), "give `url` or `hostname`"));
            None
        }
        (Some(_), Some(_)) => {
            p.push(Problem::new(
                o.at("hostname"),
                "give `url` or `hostname`, not both",
            ));
            None
        }
        (Some(_), None) => o.string("url", MAX_URL_CHARS, p).and_then(|u| {
            sanitize_url(u)
                .map_err(|e| p.push(Problem::new(o.at("url"), url_message(e))))
                .ok()
                .map(|s| s.url)
        }),
        (None, Some(_)) => o.string("hostname", 253, p).and_then(|h| {
            let bare =
                !h.contains(['/', '?', '#', '@']) && (h.starts_with('[') || !h.contains(':'));
            if !bare {
                p.push(Problem::new(
                    o.at("hostname"),
                    format!("`{h}` is not a bare hostname; send a full address as `url`"),
                ));
                return None;
            }
            normalize_host(h)
                .map_err(|e| p.push(Problem::new(o.at("hostname"), url_message(e))))
                .ok()
        }),
    };

    let identity = Identity {
        user_id: o.string("user_id", 256, p).map(str::to_string),
        user_email: o.string("user_email", 320, p).and_then(|e| {
            if looks_like_email(e) {
                Some(e.to_string())
            } else {
                p.push(Problem::new(
                    o.at("user_email"),
                    format!("`{e}` is not an email address"),
                ));
                None
            }
        }),
        idp_user_id: o.string("idp_user_id", 256, p).map(str::to_string),
    };
    let any_identity_given = ["user_id", "user_email", "idp_user_id"]
        .iter()
        .any(|k| o.get(k).is_some());
    if !any_identity_given {
        p.push(Problem::new(
            o.at("user_id"),
            "give at least one of `user_id`, `user_email`, `idp_user_id`",
        ));
    }

    let observed_ms =
        o.string("observed_at", 64, p)
            .and_then(|t| match OffsetDateTime::parse(t, &Rfc3339) {
                Ok(dt) => {
                    let ms = i64::try_from(dt.unix_timestamp_nanos().div_euclid(1_000_000)).ok()?;
                    if ms > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
                        p.push(Problem::new(
                            o.at("observed_at"),
                            format!("`{t}` is in the future"),
                        ));
                        None
                    } else {
                        Some(ms)
                    }
                }
                Err(_) => {
                    p.push(Problem::new(
                        o.at("observed_at"),
                        format!("`{t}` is not an RFC 3339 time like 2026-11-22T09:15:02.481Z"),
                    ));
                    None
                }
            });

    let source_system = o.required_string("source_system", 64, p);
    let severity = o.word("severity", Severity::parse, SEVERITIES, p);
    let tool = o.string("tool", 128, p).map(str::to_string);
    let vendor = o.string("vendor", 128, p).map(str::to_string);
    let event_id = o
        .string("event_id", 64, p)
        .and_then(|id| match uuid::Uuid::parse_str(id) {
            Ok(u) => Some(u.hyphenated().to_string()),
            Err(_) => {
                p.push(Problem::new(
                    o.at("event_id"),
                    format!("`{id}` is not a UUID"),
                ));
                None
            }
        });

    let mut metadata = match o.get("metadata") {
        None => serde_json::Map::new(),
        Some(Value::Object(m)) => {
            let size = serde_json::to_string(m).map_or(usize::MAX, |s| s.len());
            if size > MAX_METADATA_BYTES {
                p.push(Problem::new(
                    o.at("metadata"),
                    format!("is {size} bytes of JSON; at most {MAX_METADATA_BYTES}"),
                ));
            }
            if m.contains_key(SOURCE_SYSTEM_KEY) {
                p.push(Problem::new(
                    json::child(&o.at("metadata"), SOURCE_SYSTEM_KEY),
                    "is reserved; send it as the top-level `source_system`",
                ));
            }
            m.clone()
        }
        Some(other) => {
            p.push(Problem::new(
                o.at("metadata"),
                format!("expected an object, found {}", json::type_name(other)),
            ));
            serde_json::Map::new()
        }
    };

    if !p.is_empty() {
        return None;
    }
    let source_system = source_system?;
    // Also where readers of schema version 1 look for it.
    metadata.insert(
        SOURCE_SYSTEM_KEY.into(),
        Value::String(source_system.to_string()),
    );
    let mut builder = classifier
        .event(org_id?, url?)
        .identity(identity)
        .source(ShadowAiSource::Api)
        .source_system(source_system)
        .reported_tool(tool, vendor)
        .metadata(metadata)
        .at(observed_ms.unwrap_or(now_ms));
    if let Some(s) = severity {
        builder = builder.severity(s);
    }
    if let Some(id) = event_id {
        builder = builder.event_id(id);
    }
    builder
        .build()
        .map_err(|e| p.extend(e.problems().iter().cloned()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ShadowAiClassification;
    use crate::shadow::Catalog;
    use serde_json::json;

    const NOW: i64 = 1_795_339_200_000; // 2026-11-22T09:20:00Z

    fn classifier() -> Classifier {
        Classifier::new(Catalog::builtin(), &["chatgpt.com".into()], &[]).unwrap()
    }

    fn problems(payload: Value) -> Vec<String> {
        parse_report(&payload.to_string(), &classifier(), NOW)
            .unwrap_err()
            .problems()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn good() -> Value {
        json!({
            "org_id": "org_acme",
            "url": "https://jane:pw@chat.deepseek.com/a/chat/s/9?q=merger+terms#x",
            "user_id": "u_42",
            "user_email": "jane@acme.com",
            "observed_at": "2026-11-22T10:15:02.481+01:00",
            "source_system": "netskope",
            "severity": "critical",
            "event_id": "0192F0C1-0000-7000-8000-00000000ABCD",
            "metadata": {"policy": "casb-ai", "bytes_up": 5120}
        })
    }

    #[test]
    fn a_good_report_becomes_an_api_event() {
        let e = parse_report(&good().to_string(), &classifier(), NOW).unwrap();
        assert_eq!(e.source, ShadowAiSource::Api);
        assert_eq!(e.org_id, "org_acme");
        assert_eq!(e.url, "https://chat.deepseek.com/a/chat/s/9");
        assert_eq!(e.hostname, "chat.deepseek.com");
        assert_eq!(e.classification, ShadowAiClassification::Unapproved);
        assert_eq!(e.severity, Severity::Critical);
        assert_eq!(e.timestamp, "2026-11-22T09:15:02.481Z");
        assert_eq!(e.event_id, "0192f0c1-0000-7000-8000-00000000abcd");
        assert_eq!(e.identity.user_email.as_deref(), Some("jane@acme.com"));
        assert_eq!(e.source_system.as_deref(), Some("netskope"));
        assert_eq!(e.metadata["source_system"], "netskope");
        assert_eq!(e.reporting_system(), Some("netskope"));
        assert_eq!(e.category, Some(crate::schema::ToolCategory::Chat));
        assert_eq!(e.metadata["bytes_up"], 5120);
    }

    #[test]
    fn minimal_report_with_a_hostname() {
        let payload = json!({"org_id": "o", "hostname": "ChatGPT.com.", "idp_user_id": "kc-1", "source_system": "siem"});
        let e = parse_report(&payload.to_string(), &classifier(), NOW).unwrap();
        assert_eq!(
            (e.url.as_str(), e.hostname.as_str()),
            ("https://chatgpt.com/", "chatgpt.com")
        );
        assert_eq!(e.classification, ShadowAiClassification::Approved);
        assert_eq!(e.timestamp, "2026-11-22T09:20:00.000Z");
        assert_eq!(
            uuid::Uuid::parse_str(&e.event_id)
                .unwrap()
                .get_version_num(),
            7
        );
        let unknown = json!({"org_id": "o", "hostname": "ai.intranet.example", "user_id": "u",
                             "source_system": "siem", "tool": "Acme Bot", "vendor": "Acme"});
        let e = parse_report(&unknown.to_string(), &classifier(), NOW).unwrap();
        assert_eq!(e.classification, ShadowAiClassification::Unknown);
        assert_eq!(
            (e.tool.as_deref(), e.severity),
            (Some("Acme Bot"), Severity::Low)
        );
    }

    #[test]
    fn unreadable_documents() {
        assert_eq!(
            problems(json!([])),
            ["$: expected an object, found an array"]
        );
        let e = parse_report("{\"org_id\": ", &classifier(), NOW).unwrap_err();
        assert_eq!(e.problems()[0].path, "$");
        assert!(e.problems()[0].message.starts_with("not valid JSON"), "{e}");
        assert_eq!(e.kind(), "validation");
        assert!(e.to_string().starts_with("invalid shadow ai report: "));
    }

    #[test]
    fn every_problem_of_a_bad_payload_is_listed() {
        let got = problems(json!({
            "org_id": "",
            "url": "https://bad host/",
            "user_email": "not-an-email",
            "observed_at": "yesterday",
            "source_system": 7,
            "severity": "urgent",
            "tool": "",
            "event_id": "42",
            "metadata": [1],
            "extra": true
        }));
        assert_eq!(
            got,
            [
                "$.extra: unknown field `extra`; expected one of: org_id, url, hostname, user_id, user_email, idp_user_id, observed_at, source_system, severity, tool, vendor, event_id, metadata",
                "$.org_id: must not be empty",
                "$.url: hostname `bad host` contains ` `",
                "$.user_email: `not-an-email` is not an email address",
                "$.observed_at: `yesterday` is not an RFC 3339 time like 2026-11-22T09:15:02.481Z",
                "$.source_system: expected a string, found a number",
                "$.severity: unknown value `urgent`; expected one of: low, medium, high, critical",
                "$.tool: must not be empty",
                "$.event_id: `42` is not a UUID",
                "$.metadata: expected an object, found an array",
            ]
        );
    }

    #[test]
    fn where_the_host_comes_from() {
        let mut both = good();
        both["hostname"] = json!("chatgpt.com");
        assert_eq!(
            problems(both),
            ["$.hostname: give `url` or `hostname`, not both"]
        );
        let mut neither = good();
        neither.as_object_mut().unwrap().remove("url");
        assert_eq!(problems(neither), ["$.url: give `url` or `hostname`"]);
        for (host, message) in [
            ("https://chatgpt.com/", "is not a bare hostname"),
            ("chatgpt.com:443", "is not a bare hostname"),
            ("a..b", "empty label"),
            ("", "must not be empty"),
        ] {
            let mut v = good();
            v.as_object_mut().unwrap().remove("url");
            v["hostname"] = json!(host);
            let got = problems(v);
            assert_eq!(got.len(), 1, "{got:?}");
            assert!(
                got[0].starts_with("$.hostname: ") && got[0].contains(message),
                "{got:?}"
            );
        }
        let mut v = good();
        v["url"] = json!("https://x.example:99999/");
        assert_eq!(
            problems(v),
            ["$.url: port `99999` is not a number up to 65535"]
        );
        let mut v = good();
        v["url"] = json!(format!("https://x.example/{}", "a".repeat(MAX_URL_CHARS)));
        assert_eq!(problems(v), ["$.url: longer than 8192 characters"]);
    }

    #[test]
    fn identity_time_and_metadata_rules() {
        let mut v = good();
        for k in ["user_id", "user_email"] {
            v.as_object_mut().unwrap().remove(k);
        }
        assert_eq!(
            problems(v),
            ["$.user_id: give at least one of `user_id`, `user_email`, `idp_user_id`"]
        );
        let mut v = good();
        v["observed_at"] = json!("2026-11-22T09:26:00Z");
        assert_eq!(
            problems(v),
            ["$.observed_at: `2026-11-22T09:26:00Z` is in the future"]
        );
        let mut v = good();
        v["observed_at"] = json!("2026-11-22T09:24:59Z");
        assert!(
            parse_report(&v.to_string(), &classifier(), NOW).is_ok(),
            "within the skew"
        );
        let mut v = good();
        v["metadata"] = json!({"source_system": "spoof", "blob": "x".repeat(MAX_METADATA_BYTES)});
        let got = problems(v);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].starts_with("$.metadata: is 8"), "{got:?}");
        assert_eq!(
            got[1],
            "$.metadata.source_system: is reserved; send it as the top-level `source_system`"
        );
        let mut v = good();
        v["user_id"] = json!(["u"]);
        v["org_id"] = json!("o".repeat(129));
        assert_eq!(
            problems(v),
            [
                "$.org_id: longer than 128 characters",
                "$.user_id: expected a string, found an array"
            ]
        );
    }
}
