//! Records in Elastic Common Schema field names, for Elasticsearch and
//! anything that speaks ECS (Elastic Security's rules and dashboards).
//!
//! Targets ECS 9.1 (`gen_ai.*` are beta fields there, added by
//! elastic/ecs#2475, modelled on the OpenTelemetry GenAI conventions). What
//! ECS has a field for moves there; everything else stays under
//! `govstream.*` with the record's own name, so no field is lost. The
//! mapping table is in `docs/sinks.md`.

use super::facts::{self, Activity, Grade};
use crate::schema::{ApiEventType, EventType, Record, Verdict};
use serde_json::{Map, Value, json};

/// The ECS version the documents declare in `ecs.version`.
pub const ECS_VERSION: &str = "9.1.0";

/// The record as one ECS document.
pub fn record_to_ecs(record: &Record) -> Value {
    let mut rest = facts::record_object(record);
    let mut doc = Map::new();
    let kind = record.kind();
    put(&mut doc, "@timestamp", facts::time_text(record));
    put(&mut doc, "ecs.version", ECS_VERSION);
    put(&mut doc, "message", facts::title(record));
    put(&mut doc, "event.id", record.event_id());
    put(&mut doc, "event.module", "govstream");
    put(&mut doc, "event.dataset", format!("govstream.{kind}"));
    put(&mut doc, "event.severity", Grade::of(record).number());
    put(&mut doc, "observer.vendor", "govstream");
    put(&mut doc, "observer.product", "govstream");
    if let Some(org) = facts::org_id(record) {
        put(&mut doc, "organization.id", org);
    }
    rest.remove("org_id");
    let who = facts::identity(record);
    if let Some(id) = who.user_id {
        put(&mut doc, "user.id", id);
        rest.remove("user_id");
    }
    if let Some(email) = who.user_email {
        put(&mut doc, "user.email", email);
        rest.remove("user_email");
    }
    if let Some(host) = facts::hostname(record) {
        put(&mut doc, "url.domain", host);
        rest.remove("hostname");
    }
    // ECS tracing fields, so Elastic APM joins the record to its trace.
    if let Some(t) = record.trace() {
        if let Some(id) = &t.trace_id {
            put(&mut doc, "trace.id", id.as_str());
        }
        if let Some(id) = &t.span_id {
            put(&mut doc, "span.id", id.as_str());
        }
    }
    rest.remove("trace_id");
    rest.remove("span_id");

    match record {
        Record::Event(e) => {
            let allowed = e.verdict < Verdict::Escalate;
            put(&mut doc, "event.kind", "event");
            put(&mut doc, "event.category", json!(["intrusion_detection"]));
            put(
                &mut doc,
                "event.type",
                json!([if allowed { "allowed" } else { "denied" }]),
            );
            put(&mut doc, "event.action", event_type_name(e.event_type));
            move_to(&mut doc, &mut rest, "reason_code", "event.reason");
            move_to(&mut doc, &mut rest, "provider", "gen_ai.system");
            move_to(&mut doc, &mut rest, "model", "gen_ai.request.model");
            move_to(&mut doc, &mut rest, "request_id", "http.request.id");
            if let Some(tokens) = e.tokens {
                if let Some(n) = tokens.input {
                    put(&mut doc, "gen_ai.usage.input_tokens", n);
                }
                if let Some(n) = tokens.output {
                    put(&mut doc, "gen_ai.usage.output_tokens", n);
                }
                rest.remove("tokens");
            }
            let rules: Vec<&str> = e.policy_results.iter().map(|p| p.policy.as_str()).collect();
            if !rules.is_empty() {
                put(&mut doc, "rule.id", json!(rules));
            }
        }
        Record::DlpMatch(m) => {
            put(&mut doc, "event.kind", "alert");
            put(&mut doc, "event.category", json!(["intrusion_detection"]));
            put(&mut doc, "event.type", json!(["info"]));
            put(&mut doc, "event.action", kind);
            rest.remove("match_id");
            move_to(&mut doc, &mut rest, "rule_id", "rule.id");
            move_to(&mut doc, &mut rest, "rule_name", "rule.name");
            put(&mut doc, "rule.category", m.category.as_str());
        }
        Record::ShadowAiEvent(_) => {
            put(&mut doc, "event.kind", "event");
            put(&mut doc, "event.category", json!(["web"]));
            put(&mut doc, "event.type", json!(["access"]));
            put(&mut doc, "event.action", kind);
            move_to(&mut doc, &mut rest, "url", "url.full");
        }
        Record::ShadowAiFinding(f) => {
            put(&mut doc, "event.kind", "alert");
            put(&mut doc, "event.category", json!(["web"]));
            put(&mut doc, "event.type", json!(["info"]));
            put(&mut doc, "event.action", kind);
            put(&mut doc, "event.start", f.first_seen.as_str());
            put(&mut doc, "event.end", f.last_seen.as_str());
            rest.remove("finding_id");
        }
        Record::AuditEvent(e) => {
            let (category, kind_of_change) = audit_categorization(e.event_type);
            put(&mut doc, "event.kind", "event");
            put(&mut doc, "event.category", json!([category]));
            put(&mut doc, "event.type", json!(kind_of_change));
            put(&mut doc, "event.action", e.event_type.as_str());
            put(&mut doc, "event.outcome", facts::outcome(e).as_str());
            move_to(&mut doc, &mut rest, "request_id", "http.request.id");
            rest.remove("date_time");
            if matches!(
                e.event_type,
                ApiEventType::AdminRoleAssignment | ApiEventType::AdminRoleRemoval
            ) {
                let meta = &e.event_metadata;
                for (key, path) in [
                    ("user_id", "user.target.id"),
                    ("user_email", "user.target.email"),
                    ("roles_assigned", "user.target.roles"),
                ] {
                    if let Some(v) = meta.get(key) {
                        put(&mut doc, path, v.clone());
                    }
                }
            }
        }
    }
    if !matches!(record, Record::DlpMatch(_)) {
        // A DLP match's `event_id` is its parent's, and stays.
        rest.remove("event_id");
    }
    rest.remove("timestamp");
    doc.insert("govstream".into(), Value::Object(rest));
    Value::Object(doc)
}

/// ECS `event.category` and `event.type` of an audit event type.
fn audit_categorization(t: ApiEventType) -> (&'static str, Vec<&'static str>) {
    let category = if facts::is_auth(t) {
        "authentication"
    } else if matches!(
        t,
        ApiEventType::AdminRoleAssignment | ApiEventType::AdminRoleRemoval
    ) {
        "iam"
    } else if t == ApiEventType::GuardAnalyze {
        "intrusion_detection"
    } else {
        "configuration"
    };
    let types = match facts::activity(t) {
        Activity::Logon => vec!["start"],
        Activity::Logoff => vec!["end"],
        Activity::Create => vec!["creation"],
        Activity::Delete => vec!["deletion"],
        Activity::Update if category == "iam" => vec!["user", "change"],
        Activity::Update => vec!["change"],
        Activity::Other => vec!["info"],
    };
    (category, types)
}

/// The `event_type` wire name (`blocked`).
pub(super) fn event_type_name(t: EventType) -> &'static str {
    match t {
        EventType::Request => "request",
        EventType::Warned => "warned",
        EventType::Redacted => "redacted",
        EventType::Escalated => "escalated",
        EventType::Blocked => "blocked",
    }
}

/// Sets a dotted path, creating the objects on the way.
fn put(doc: &mut Map<String, Value>, path: &str, value: impl Into<Value>) {
    let mut parts = path.split('.').peekable();
    let mut here = doc;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            here.insert(part.to_owned(), value.into());
            return;
        }
        let slot = here
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else { return };
        here = next;
    }
}

/// Moves a top-level field of the record to a dotted path, if present.
fn move_to(doc: &mut Map<String, Value>, rest: &mut Map<String, Value>, key: &str, path: &str) {
    if let Some(v) = rest.remove(key) {
        put(doc, path, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;

    #[test]
    fn an_event_maps_to_ecs_and_keeps_the_rest_under_govstream() {
        let doc = record_to_ecs(&test_records::event());
        assert_eq!(doc["@timestamp"], "2025-02-03T11:22:53.492Z");
        assert_eq!(doc["event"]["id"], "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57");
        assert_eq!(doc["event"]["type"], json!(["denied"]));
        assert_eq!(doc["event"]["action"], "blocked");
        assert_eq!(doc["event"]["severity"], 5);
        assert_eq!(doc["event"]["reason"], "dlp:secrets.aws_access_key_id");
        assert_eq!(doc["user"]["email"], "lee@acme.example");
        assert_eq!(doc["organization"]["id"], "org-acme");
        assert_eq!(doc["trace"]["id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(doc["span"]["id"], "00f067aa0ba902b7");
        assert!(doc["govstream"].get("trace_id").is_none());
        assert_eq!(doc["gen_ai"]["system"], "openai");
        assert_eq!(doc["gen_ai"]["usage"]["input_tokens"], 17);
        assert_eq!(doc["rule"]["id"], json!(["secrets.aws_access_key_id"]));
        let g = &doc["govstream"];
        assert_eq!(g["verdict"], "block");
        assert_eq!(g["dlp"]["critical"], 1);
        for moved in [
            "event_id",
            "timestamp",
            "org_id",
            "user_id",
            "model",
            "tokens",
        ] {
            assert!(g.get(moved).is_none(), "{moved} left in govstream");
        }
    }

    #[test]
    fn a_dlp_match_is_an_alert_with_its_rule_and_parent_event() {
        let doc = record_to_ecs(&test_records::dlp_match());
        assert_eq!(doc["event"]["kind"], "alert");
        assert_eq!(doc["event"]["id"], "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57:0");
        assert_eq!(doc["rule"]["id"], "pii.email");
        assert_eq!(doc["rule"]["category"], "pii");
        assert_eq!(
            doc["govstream"]["event_id"],
            "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57"
        );
    }

    #[test]
    fn audit_events_get_categories_outcomes_and_targets() {
        let doc = record_to_ecs(&test_records::audit(ApiEventType::AdminRoleAssignment));
        assert_eq!(doc["event"]["category"], json!(["iam"]));
        assert_eq!(doc["event"]["type"], json!(["user", "change"]));
        assert_eq!(doc["event"]["outcome"], "success");
        assert_eq!(doc["user"]["target"]["id"], "u-1042");
        assert_eq!(
            doc["user"]["target"]["roles"],
            json!(["policy_editor", "viewer"])
        );
        let failed = record_to_ecs(&test_records::audit(ApiEventType::AuthLoginFailure));
        assert_eq!(failed["event"]["category"], json!(["authentication"]));
        assert_eq!(failed["event"]["outcome"], "failure");
        assert!(failed["user"].get("target").is_none());
        for t in ApiEventType::ALL {
            let (_, types) = audit_categorization(t);
            assert!(!types.is_empty(), "{t}");
        }
    }

    #[test]
    fn findings_span_first_to_last_seen() {
        let doc = record_to_ecs(&test_records::finding());
        assert_eq!(doc["@timestamp"], "2025-02-03T11:40:02.118Z");
        assert_eq!(doc["event"]["start"], "2025-01-28T09:12:44.010Z");
        assert_eq!(doc["url"]["domain"], "chat.deepseek.com");
        assert_eq!(doc["govstream"]["count"], 37);
    }

    #[test]
    fn put_builds_nested_objects() {
        let mut m = Map::new();
        put(&mut m, "a.b.c", 1);
        put(&mut m, "a.b.d", 2);
        put(&mut m, "a", json!({"x": 0}));
        put(&mut m, "a.x.y", 3);
        assert_eq!(Value::Object(m), json!({"a": {"x": {"y": 3}}}));
    }
}
