//! What every target format derives from a record the same way: its time,
//! a severity grade, the outcome and kind of change of an audit event, who
//! acted, a one-line title. Kept in one place so that a blocked prompt is
//! equally severe in Splunk, syslog, OpenTelemetry and OCSF.

use crate::error::{Error, Result};
use crate::schema::{
    ApiEventCategory, ApiEventType, AuditEvent, Category, Identity, Record, Severity,
    ShadowAiClassification, Verdict,
};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The record's own time field: `timestamp`, a finding's `last_seen`, an
/// audit event's `date_time`.
/// Appends `pieces` separated by commas: the inside of a JSON array.
pub(super) fn join_json(pieces: &[&[u8]], out: &mut Vec<u8>) {
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(p);
    }
}

pub(super) fn time_text(record: &Record) -> &str {
    match record {
        Record::Event(e) => &e.timestamp,
        Record::DlpMatch(m) => &m.timestamp,
        Record::ShadowAiEvent(e) => &e.timestamp,
        Record::ShadowAiFinding(f) => &f.last_seen,
        Record::AuditEvent(e) => &e.date_time,
    }
}

/// Milliseconds since the epoch of an RFC 3339 time, any offset.
pub(super) fn parse_ms(text: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

/// The record's time in milliseconds. Records govstream builds always carry
/// a valid time; one read from elsewhere may not, and formats that need a
/// number cannot carry it, so that record fails to encode.
pub(super) fn time_ms(record: &Record) -> Result<i64> {
    let text = time_text(record);
    parse_ms(text).ok_or_else(|| {
        encode_error(
            record,
            format!("time `{text}` is not an RFC 3339 timestamp"),
        )
    })
}

/// The record's JSON object, for formats that rearrange its fields. A
/// DLP match's `confidence` is an `f32`; it is carried over by its shortest
/// decimal form (`0.9`), not widened to the nearest `f64`
/// (`0.8999999761581421`).
pub(super) fn record_object(record: &Record) -> Map<String, Value> {
    let mut fields = match serde_json::to_value(record) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if let Record::DlpMatch(m) = record {
        let shortest = m.confidence.to_string().parse::<f64>().ok();
        if let Some(n) = shortest.and_then(serde_json::Number::from_f64) {
            fields.insert("confidence".into(), Value::Number(n));
        }
    }
    fields
}

/// An encoding error located at the record.
pub(super) fn encode_error(record: &Record, message: String) -> Error {
    Error::Input {
        location: format!("{} record `{}`", record.kind(), record.event_id()),
        message,
    }
}

/// Refuses what [`Record::to_json_line`] refuses (a non-finite confidence),
/// for encoders that build their JSON another way.
pub(super) fn ensure_encodable(record: &Record) -> Result<()> {
    match record {
        Record::DlpMatch(m) if !m.confidence.is_finite() => Err(encode_error(
            record,
            format!("confidence must be a finite number, found {}", m.confidence),
        )),
        _ => Ok(()),
    }
}

/// How much a record matters, on the five grades most target scales share
/// (OCSF `severity_id` 1–5). An event's verdict maps one to one, in lattice
/// order; a finding's severity maps by name; an audit event is
/// informational unless it reports a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Grade {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Grade {
    pub(super) fn of(record: &Record) -> Grade {
        match record {
            Record::Event(e) => match e.verdict {
                Verdict::Allow => Grade::Informational,
                Verdict::Warn => Grade::Low,
                Verdict::Redact => Grade::Medium,
                Verdict::Escalate => Grade::High,
                Verdict::Block => Grade::Critical,
            },
            Record::DlpMatch(m) => Grade::from(m.severity),
            Record::ShadowAiEvent(e) => Grade::from(e.severity),
            Record::ShadowAiFinding(f) => Grade::from(f.max_severity),
            Record::AuditEvent(e) => match outcome(e) {
                Outcome::Success => Grade::Informational,
                Outcome::Failure => Grade::Low,
            },
        }
    }

    /// The OCSF `severity_id` (1 Informational … 5 Critical), also used as
    /// ECS `event.severity`.
    pub(super) fn number(self) -> u8 {
        match self {
            Grade::Informational => 1,
            Grade::Low => 2,
            Grade::Medium => 3,
            Grade::High => 4,
            Grade::Critical => 5,
        }
    }

    /// The OCSF `severity` caption.
    pub(super) fn caption(self) -> &'static str {
        match self {
            Grade::Informational => "Informational",
            Grade::Low => "Low",
            Grade::Medium => "Medium",
            Grade::High => "High",
            Grade::Critical => "Critical",
        }
    }
}

impl From<Severity> for Grade {
    fn from(s: Severity) -> Grade {
        match s {
            Severity::Low => Grade::Low,
            Severity::Medium => Grade::Medium,
            Severity::High => Grade::High,
            Severity::Critical => Grade::Critical,
        }
    }
}

/// Whether an audited action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

/// The outcome an audit event reports: its type's, or a failure its
/// metadata marks (`AuditEvent::outcome`: a refused logout is `Auth:Logout`
/// with `outcome: "failure"`).
pub(super) fn outcome(e: &AuditEvent) -> Outcome {
    match e.outcome() {
        crate::audit::AuditOutcome::Success => Outcome::Success,
        crate::audit::AuditOutcome::Failure => Outcome::Failure,
    }
}

/// What an audit event did, in the verbs ECS `event.type` and OCSF
/// `activity_id` share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Activity {
    Logon,
    Logoff,
    Create,
    Update,
    Delete,
    /// Neither a change nor a session: an analysis, a test run.
    Other,
}

/// The activity of an audit event type.
pub(super) fn activity(t: ApiEventType) -> Activity {
    match t {
        ApiEventType::AuthSuccessfulLogin | ApiEventType::AuthLoginFailure => Activity::Logon,
        ApiEventType::AuthLogout => Activity::Logoff,
        ApiEventType::AiSystemConnect | ApiEventType::GuardPolicyCreation => Activity::Create,
        ApiEventType::AiSystemRemove
        | ApiEventType::GuardPolicyDeletion
        | ApiEventType::GuardTrainingDataDelete => Activity::Delete,
        ApiEventType::AdminRoleAssignment
        | ApiEventType::AdminRoleRemoval
        | ApiEventType::GuardPolicyCreationReview
        | ApiEventType::GuardTrainPolicy
        | ApiEventType::GuardTrainPolicyError
        | ApiEventType::GuardPolicySuccess
        | ApiEventType::GuardPolicyDeployment
        | ApiEventType::GuardEditPolicyDefinition
        | ApiEventType::GuardApplyPolicy
        | ApiEventType::GuardRemovePolicy => Activity::Update,
        ApiEventType::EvalTestStart
        | ApiEventType::EvalTestFailure
        | ApiEventType::EvalTestCompletion
        | ApiEventType::GuardAnalyze => Activity::Other,
    }
}

/// Whether an audit event belongs to the identity provider's sessions.
pub(super) fn is_auth(t: ApiEventType) -> bool {
    t.category() == ApiEventCategory::Auth
}

/// Who acted, when the record names someone.
pub(super) fn identity(record: &Record) -> Identity {
    match record {
        Record::Event(e) => e.identity.clone(),
        Record::ShadowAiEvent(e) => e.identity.clone(),
        Record::AuditEvent(e) => Identity {
            user_id: e.user_id.clone(),
            user_email: e.user_email.clone(),
            idp_user_id: e.keycloak_user_id.clone(),
        },
        Record::DlpMatch(_) | Record::ShadowAiFinding(_) => Identity::default(),
    }
}

/// The org, when the record names one.
pub(super) fn org_id(record: &Record) -> Option<&str> {
    match record {
        Record::Event(e) => Some(&e.org_id),
        Record::DlpMatch(m) => Some(&m.org_id),
        Record::ShadowAiEvent(e) => Some(&e.org_id),
        Record::ShadowAiFinding(f) => Some(&f.org_id),
        Record::AuditEvent(e) => e.org_id.as_deref(),
    }
}

/// The AI tool's hostname, when the record names one.
pub(super) fn hostname(record: &Record) -> Option<&str> {
    match record {
        Record::Event(e) => e.tool.hostname.as_deref(),
        Record::ShadowAiEvent(e) => Some(&e.hostname),
        Record::ShadowAiFinding(f) => Some(&f.hostname),
        Record::DlpMatch(_) | Record::AuditEvent(_) => None,
    }
}

/// A one-line, human-readable title (`Prompt blocked`, `Email address`,
/// `Unapproved AI tool visited: DeepSeek`, `IAM Role Assignment`). Never
/// contains content.
pub(super) fn title(record: &Record) -> String {
    match record {
        Record::Event(e) => {
            let phase = match e.phase {
                crate::schema::Phase::Prompt => "Prompt",
                crate::schema::Phase::Response => "Response",
            };
            let done = match e.verdict {
                Verdict::Allow => "allowed",
                Verdict::Warn => "warned",
                Verdict::Redact => "redacted",
                Verdict::Escalate => "escalated",
                Verdict::Block => "blocked",
            };
            format!("{phase} {done}")
        }
        Record::DlpMatch(m) => m.rule_name.clone(),
        Record::ShadowAiEvent(e) => {
            let class = match e.classification {
                ShadowAiClassification::Approved => "Approved",
                ShadowAiClassification::Unapproved => "Unapproved",
                ShadowAiClassification::Unknown => "Unknown",
            };
            let tool = e.tool.as_deref().unwrap_or(&e.hostname);
            format!("{class} AI tool visited: {tool}")
        }
        Record::ShadowAiFinding(f) => {
            format!(
                "Shadow AI finding: {}",
                f.tool.as_deref().unwrap_or(&f.hostname)
            )
        }
        Record::AuditEvent(e) => e.event_type.name().to_owned(),
    }
}

/// The DLP category of a built-in rule id, read from its pack prefix
/// (`secrets.github_pat`); `None` for custom rules.
pub(super) fn pack_category(rule_id: &str) -> Option<Category> {
    match rule_id.split('.').next() {
        Some("secrets") => Some(Category::Secret),
        Some("pii") => Some(Category::Pii),
        Some("financial") => Some(Category::Financial),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::encode::test_records;

    #[test]
    fn times_parse_with_any_offset() {
        assert_eq!(parse_ms("1970-01-01T00:00:01.250Z"), Some(1250));
        assert_eq!(parse_ms("1970-01-01T01:00:01.250+01:00"), Some(1250));
        assert_eq!(parse_ms("1969-12-31T23:59:59.999Z"), Some(-1));
        assert_eq!(parse_ms("2025-02-03 11:22:53"), None);
    }

    #[test]
    fn every_audit_type_has_one_activity_and_auth_types_are_sessions() {
        for t in ApiEventType::ALL {
            let a = activity(t);
            assert_eq!(
                is_auth(t),
                matches!(a, Activity::Logon | Activity::Logoff),
                "{t}"
            );
        }
        let audit = |t| match test_records::audit(t) {
            Record::AuditEvent(e) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            outcome(&audit(ApiEventType::AuthLoginFailure)),
            Outcome::Failure
        );
        assert_eq!(
            outcome(&audit(ApiEventType::GuardApplyPolicy)),
            Outcome::Success
        );
        let mut logout = audit(ApiEventType::AuthLogout);
        assert_eq!(outcome(&logout), Outcome::Success);
        logout
            .event_metadata
            .insert("outcome".into(), "failure".into());
        assert_eq!(outcome(&logout), Outcome::Failure);
    }

    #[test]
    fn grades_follow_the_verdict_lattice_and_severity_names() {
        let mut last = None;
        for v in Verdict::ALL {
            let mut record = test_records::event();
            if let Record::Event(e) = &mut record {
                e.verdict = v;
            }
            let g = Grade::of(&record);
            assert!(
                last < Some(g),
                "{v} does not rank above the verdict before it"
            );
            last = Some(g);
        }
        assert_eq!(last, Some(Grade::Critical));
        assert_eq!(Grade::of(&test_records::dlp_match()), Grade::Medium);
        assert_eq!(Grade::of(&test_records::finding()).number(), 4);
        let failure = test_records::audit(ApiEventType::AuthLoginFailure);
        assert_eq!(Grade::of(&failure), Grade::Low);
        assert_eq!(pack_category("pii.email"), Some(Category::Pii));
        assert_eq!(pack_category("acme.project_code"), None);
    }

    #[test]
    fn titles_name_what_happened_without_content() {
        let titles: Vec<String> = test_records::all().iter().map(title).collect();
        assert_eq!(
            titles,
            [
                "Prompt blocked",
                "Email address",
                "Unapproved AI tool visited: DeepSeek",
                "Shadow AI finding: chat.deepseek.com",
                "IAM Role Assignment",
            ]
        );
    }
}
