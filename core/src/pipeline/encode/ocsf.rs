//! Records shaped as Open Cybersecurity Schema Framework events (schema
//! 1.3.0), for Amazon Security Lake style pipelines and any SIEM that reads
//! OCSF.
//!
//! Classes (uids as in the OCSF schema, schema.ocsf.io):
//! - Data Security Finding (2006, category Findings 2): DLP matches and
//!   events with DLP matches;
//! - Detection Finding (2004, Findings): shadow-AI events and findings, and
//!   events decided by the AI-tool policy alone;
//! - API Activity (6003, Application Activity 6): admin-API audit events and
//!   allowed events without findings;
//! - Authentication (3002, Identity & Access Management 3): `Auth:*` audit
//!   events.
//!
//! `type_uid` = `class_uid * 100 + activity_id`. Fields OCSF has no place
//! for stay in `unmapped` under the record's own names. The mapping table is
//! in `docs/sinks.md`.

use super::facts::{self, Activity, Grade, Outcome};
use crate::schema::{Category, Event, FindingStatus, Record, ShadowAiFinding, Verdict};
use serde_json::{Map, Value, json};

/// The OCSF schema version the events declare in `metadata.version`.
pub const OCSF_VERSION: &str = "1.3.0";

/// The record as one OCSF event, with this crate's version as
/// `metadata.product.version`.
pub fn record_to_ocsf(record: &Record) -> Value {
    ocsf_event(record, env!("CARGO_PKG_VERSION"))
}

struct Class {
    uid: u32,
    name: &'static str,
    category_uid: u32,
    category_name: &'static str,
}

const DATA_SECURITY_FINDING: Class = Class {
    uid: 2006,
    name: "Data Security Finding",
    category_uid: 2,
    category_name: "Findings",
};
const DETECTION_FINDING: Class = Class {
    uid: 2004,
    name: "Detection Finding",
    category_uid: 2,
    category_name: "Findings",
};
const API_ACTIVITY: Class = Class {
    uid: 6003,
    name: "API Activity",
    category_uid: 6,
    category_name: "Application Activity",
};
const AUTHENTICATION: Class = Class {
    uid: 3002,
    name: "Authentication",
    category_uid: 3,
    category_name: "Identity & Access Management",
};

/// The event with `product_version` as `metadata.product.version`. `time`
/// is left out when the record's time cannot be read (the
/// [`OcsfEncoder`](super::OcsfEncoder) refuses such a record instead).
pub(super) fn ocsf_event(record: &Record, product_version: &str) -> Value {
    let mut rest = facts::record_object(record);
    for moved in [
        "event_id",
        "timestamp",
        "date_time",
        "user_id",
        "user_email",
    ] {
        rest.remove(moved);
    }
    let mut out = Map::new();
    let (class, activity_id, activity_name) = class_and_activity(record);
    let grade = Grade::of(record);
    out.insert("class_uid".into(), json!(class.uid));
    out.insert("class_name".into(), json!(class.name));
    out.insert("category_uid".into(), json!(class.category_uid));
    out.insert("category_name".into(), json!(class.category_name));
    out.insert("activity_id".into(), json!(activity_id));
    out.insert("activity_name".into(), json!(activity_name));
    out.insert("type_uid".into(), json!(class.uid * 100 + activity_id));
    out.insert(
        "type_name".into(),
        json!(format!("{}: {activity_name}", class.name)),
    );
    out.insert("severity_id".into(), json!(grade.number()));
    out.insert("severity".into(), json!(grade.caption()));
    if let Ok(ms) = facts::time_ms(record) {
        out.insert("time".into(), json!(ms));
    }
    out.insert("message".into(), json!(facts::title(record)));
    let mut metadata = json!({
        "version": OCSF_VERSION,
        "product": {
            "name": "govstream",
            "vendor_name": "govstream",
            "version": product_version,
        },
        "uid": record.event_id(),
        "original_time": facts::time_text(record),
    });

    let who = facts::identity(record);
    let mut user = Map::new();
    if let Some(id) = who.user_id {
        user.insert("uid".into(), json!(id));
    }
    if let Some(email) = who.user_email {
        user.insert("email_addr".into(), json!(email));
    }
    if !user.is_empty() {
        if let Some(org) = facts::org_id(record) {
            user.insert("org".into(), json!({ "uid": org }));
        }
        let user = Value::Object(user);
        if class.uid == AUTHENTICATION.uid {
            out.insert("user".into(), user.clone());
        }
        out.insert("actor".into(), json!({ "user": user }));
    }

    match record {
        Record::Event(e) => {
            let title = facts::title(record);
            event_fields(e, class.uid, &title, &mut out, &mut metadata);
        }
        Record::DlpMatch(m) => {
            for moved in ["match_id", "rule_id", "rule_name", "confidence"] {
                rest.remove(moved);
            }
            out.insert(
                "finding_info".into(),
                json!({
                    "uid": m.match_id,
                    "title": m.rule_name,
                    "types": [m.category.as_str()],
                    "analytic": {"uid": m.rule_id, "name": m.rule_name, "type_id": 1, "type": "Rule"},
                }),
            );
            out.insert(
                "data_security".into(),
                data_security(Some(m.category), Some(&m.rule_id)),
            );
            let score = (m.confidence.clamp(0.0, 1.0) * 100.0).round() as u8;
            out.insert("confidence_score".into(), json!(score));
            metadata["correlation_uid"] = json!(m.event_id);
        }
        Record::ShadowAiEvent(e) => {
            rest.remove("url");
            out.insert(
                "finding_info".into(),
                json!({
                    "uid": e.event_id,
                    "title": facts::title(record),
                    "types": ["shadow_ai"],
                    "src_url": e.url,
                }),
            );
            out.insert(
                "resources".into(),
                json!([{
                    "uid": e.hostname,
                    "name": e.tool.as_deref().unwrap_or(&e.hostname),
                    "type": "AI tool",
                }]),
            );
        }
        Record::ShadowAiFinding(f) => {
            for moved in ["finding_id", "first_seen", "last_seen", "count", "status"] {
                rest.remove(moved);
            }
            finding_fields(f, &facts::title(record), &mut out);
        }
        Record::AuditEvent(e) => {
            let (status_id, status) = match facts::outcome(e) {
                Outcome::Success => (1, "Success"),
                Outcome::Failure => (2, "Failure"),
            };
            out.insert("status_id".into(), json!(status_id));
            out.insert("status".into(), json!(status));
            if class.uid == API_ACTIVITY.uid {
                rest.remove("request_id");
                out.insert(
                    "api".into(),
                    json!({
                        "operation": e.event_type.as_str(),
                        "request": {"uid": e.request_id},
                    }),
                );
            }
        }
    }
    out.insert("metadata".into(), metadata);
    out.insert("unmapped".into(), Value::Object(rest));
    Value::Object(out)
}

fn class_and_activity(record: &Record) -> (Class, u32, String) {
    match record {
        Record::Event(e) if e.dlp.is_dlp_event => (DATA_SECURITY_FINDING, 1, "Create".into()),
        Record::Event(e) if e.verdict != Verdict::Allow => (DETECTION_FINDING, 1, "Create".into()),
        Record::Event(_) => (API_ACTIVITY, 99, "Evaluate".into()),
        Record::DlpMatch(_) => (DATA_SECURITY_FINDING, 1, "Create".into()),
        Record::ShadowAiEvent(_) => (DETECTION_FINDING, 1, "Create".into()),
        Record::ShadowAiFinding(f) => {
            let (id, name) = if f.status == FindingStatus::Resolved {
                (3, "Close")
            } else if f.count > 1 {
                (2, "Update")
            } else {
                (1, "Create")
            };
            (DETECTION_FINDING, id, name.into())
        }
        Record::AuditEvent(e) if facts::is_auth(e.event_type) => {
            let (id, name) = match facts::activity(e.event_type) {
                Activity::Logoff => (2, "Logoff"),
                _ => (1, "Logon"),
            };
            (AUTHENTICATION, id, name.into())
        }
        Record::AuditEvent(e) => {
            let (id, name) = match facts::activity(e.event_type) {
                Activity::Create => (1, "Create".to_owned()),
                Activity::Update => (3, "Update".to_owned()),
                Activity::Delete => (4, "Delete".to_owned()),
                _ => (99, e.event_type.as_str().to_owned()),
            };
            (API_ACTIVITY, id, name)
        }
    }
}

fn event_fields(
    e: &Event,
    class_uid: u32,
    title: &str,
    out: &mut Map<String, Value>,
    metadata: &mut Value,
) {
    // The security_control profile's action: what happened to the text.
    let (action_id, action) = match e.verdict {
        Verdict::Allow | Verdict::Warn => (1, "Allowed"),
        Verdict::Redact => (99, "Redacted"),
        Verdict::Escalate | Verdict::Block => (2, "Denied"),
    };
    if class_uid == API_ACTIVITY.uid {
        out.insert("status_id".into(), json!(1));
        out.insert("status".into(), json!("Success"));
        let mut api = json!({ "operation": e.phase.as_str() });
        if let Some(tool) = &e.tool.tool {
            api["service"] = json!({ "name": tool });
        }
        if let Some(id) = &e.request_id {
            api["request"] = json!({ "uid": id });
        }
        out.insert("api".into(), api);
        return;
    }
    out.insert("action_id".into(), json!(action_id));
    out.insert("action".into(), json!(action));
    metadata["profiles"] = json!(["security_control"]);
    let types = if class_uid == DATA_SECURITY_FINDING.uid {
        "dlp"
    } else {
        "ai_tool_policy"
    };
    out.insert(
        "finding_info".into(),
        json!({
            "uid": e.event_id,
            "title": title,
            "types": [types],
        }),
    );
    if class_uid == DATA_SECURITY_FINDING.uid {
        // An event knows its rules, not their categories; built-in rule ids
        // carry their pack, so one pack means one category.
        let mut categories = e
            .policy_results
            .iter()
            .filter(|p| p.kind == "dlp")
            .map(|p| facts::pack_category(&p.policy));
        let first = categories.next().flatten();
        let category = if categories.all(|c| c.is_some() && c == first) {
            first
        } else {
            None
        };
        out.insert("data_security".into(), data_security(category, None));
    }
}

fn finding_fields(f: &ShadowAiFinding, title: &str, out: &mut Map<String, Value>) {
    let mut info = json!({
        "uid": f.finding_id,
        "title": title,
        "types": ["shadow_ai"],
    });
    for (key, text) in [
        ("first_seen_time", &f.first_seen),
        ("last_seen_time", &f.last_seen),
    ] {
        if let Some(ms) = facts::parse_ms(text) {
            info[key] = json!(ms);
        }
    }
    if let Some(ms) = facts::parse_ms(&f.first_seen) {
        out.insert("start_time".into(), json!(ms));
    }
    if let Some(ms) = facts::parse_ms(&f.last_seen) {
        out.insert("end_time".into(), json!(ms));
    }
    out.insert("finding_info".into(), info);
    out.insert("count".into(), json!(f.count));
    let (status_id, status) = match f.status {
        FindingStatus::Open => (1, "New"),
        FindingStatus::Acknowledged => (2, "In Progress"),
        FindingStatus::Resolved => (4, "Resolved"),
    };
    out.insert("status_id".into(), json!(status_id));
    out.insert("status".into(), json!(status));
    out.insert(
        "resources".into(),
        json!([{
            "uid": f.hostname,
            "name": f.tool.as_deref().unwrap_or(&f.hostname),
            "type": "AI tool",
        }]),
    );
}

/// The `data_security` object: OCSF data classification category (1
/// Personal, 3 Financial, 6 Security, 99 Other).
fn data_security(category: Option<Category>, rule_id: Option<&str>) -> Value {
    let (id, caption) = match category {
        Some(Category::Pii) => (1, "Personal"),
        Some(Category::Financial) => (3, "Financial"),
        Some(Category::Secret) => (6, "Security"),
        Some(Category::Custom) | None => (99, "Other"),
    };
    let mut v = json!({ "category_id": id, "category": caption });
    if let Some(rule) = rule_id {
        v["detection_pattern"] = json!(rule);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;
    use crate::schema::ApiEventType;

    fn class_of(r: &Record) -> (u64, u64, u64) {
        let v = record_to_ocsf(r);
        let n = |k: &str| v[k].as_u64().unwrap();
        assert_eq!(n("type_uid"), n("class_uid") * 100 + n("activity_id"));
        assert_eq!(n("category_uid"), n("class_uid") / 1000);
        (n("class_uid"), n("activity_id"), n("severity_id"))
    }

    #[test]
    fn each_record_kind_lands_in_its_class() {
        assert_eq!(class_of(&test_records::event()), (2006, 1, 5));
        assert_eq!(class_of(&test_records::dlp_match()), (2006, 1, 3));
        assert_eq!(class_of(&test_records::shadow_event()), (2004, 1, 4));
        assert_eq!(class_of(&test_records::finding()), (2004, 2, 4));
        let role = test_records::audit(ApiEventType::AdminRoleAssignment);
        assert_eq!(class_of(&role), (6003, 3, 1));
        let login = test_records::audit(ApiEventType::AuthLoginFailure);
        assert_eq!(class_of(&login), (3002, 1, 2));
        let logout = test_records::audit(ApiEventType::AuthLogout);
        assert_eq!(class_of(&logout), (3002, 2, 1));
        let analyze = test_records::audit(ApiEventType::GuardAnalyze);
        assert_eq!(class_of(&analyze), (6003, 99, 1));
        for t in ApiEventType::ALL {
            class_of(&test_records::audit(t));
        }
    }

    #[test]
    fn events_without_dlp_are_detections_or_api_activity() {
        let mut r = test_records::event();
        if let Record::Event(e) = &mut r {
            e.dlp = Default::default();
            e.verdict = Verdict::Warn;
            e.policy_results.clear();
        }
        assert_eq!(class_of(&r), (2004, 1, 2));
        if let Record::Event(e) = &mut r {
            e.verdict = Verdict::Allow;
        }
        let v = record_to_ocsf(&r);
        assert_eq!(v["class_uid"], 6003);
        assert_eq!(v["activity_id"], 99);
        assert_eq!(v["api"]["operation"], "prompt");
        assert_eq!(v["api"]["request"]["uid"], "req-8c1d");
    }

    #[test]
    fn a_dlp_event_carries_finding_data_security_and_action() {
        let v = record_to_ocsf(&test_records::event());
        assert_eq!(v["time"], 1_738_581_773_492_i64);
        assert_eq!(
            v["finding_info"]["uid"],
            "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57"
        );
        assert_eq!(v["data_security"]["category_id"], 6);
        assert_eq!(v["action_id"], 2);
        assert_eq!(v["actor"]["user"]["email_addr"], "lee@acme.example");
        assert_eq!(v["actor"]["user"]["org"]["uid"], "org-acme");
        assert_eq!(v["metadata"]["version"], OCSF_VERSION);
        assert_eq!(v["metadata"]["product"]["name"], "govstream");
        assert_eq!(v["unmapped"]["verdict"], "block");
        assert!(v["unmapped"].get("event_id").is_none());
    }

    #[test]
    fn a_dlp_match_links_to_its_event() {
        let v = record_to_ocsf(&test_records::dlp_match());
        assert_eq!(
            v["metadata"]["correlation_uid"],
            "0194cb2e-5f3a-7c41-9d2e-3b8f6a1c0e57"
        );
        assert_eq!(v["data_security"]["category_id"], 1);
        assert_eq!(v["data_security"]["detection_pattern"], "pii.email");
        assert_eq!(v["confidence_score"], 90);
        assert_eq!(v["finding_info"]["analytic"]["type_id"], 1);
    }

    #[test]
    fn findings_report_their_window_and_status() {
        let v = record_to_ocsf(&test_records::finding());
        assert_eq!(v["count"], 37);
        assert_eq!(v["status"], "New");
        assert_eq!(v["finding_info"]["first_seen_time"], 1_738_055_564_010_i64);
        assert_eq!(v["end_time"], v["time"]);
    }
}
