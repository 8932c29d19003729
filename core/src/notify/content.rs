//! What an alert says, independent of where it goes: a title, labelled
//! facts and (when a channel asks) the record's redacted text. Every value
//! is copied from the record; the words around them are fixed. Nothing here
//! can add content the record does not hold, because the record is all it
//! reads.

use super::config::DedupField;
use crate::schema::{
    ApiEventType, Category, Event, EventType, Identity, Record, Severity, Verdict,
};
use crate::text::truncate;

/// The longest title, in characters, before a channel cuts it further.
pub(super) const TITLE_MAX_CHARS: usize = 200;
/// The longest fact value, in characters.
const FACT_MAX_CHARS: usize = 300;

/// The fields rules filter on, read once per record.
pub(super) struct RecordView<'a> {
    pub(super) record: &'a Record,
    /// The org; empty for an audit event without one.
    pub(super) org_id: &'a str,
    pub(super) verdict: Option<Verdict>,
    pub(super) severity: Option<Severity>,
    pub(super) category: Option<Category>,
    pub(super) audit_type: Option<ApiEventType>,
}

impl<'a> RecordView<'a> {
    pub(super) fn new(record: &'a Record) -> Self {
        let mut v = RecordView {
            record,
            org_id: "",
            verdict: None,
            severity: None,
            category: None,
            audit_type: None,
        };
        match record {
            Record::Event(e) => {
                v.org_id = &e.org_id;
                v.verdict = Some(e.verdict);
                v.severity = e.dlp.max_severity;
            }
            Record::DlpMatch(m) => {
                v.org_id = &m.org_id;
                v.severity = Some(m.severity);
                v.category = Some(m.category);
            }
            Record::ShadowAiEvent(s) => {
                v.org_id = &s.org_id;
                v.severity = Some(s.severity);
            }
            Record::ShadowAiFinding(f) => {
                v.org_id = &f.org_id;
                v.severity = Some(f.max_severity);
            }
            Record::AuditEvent(a) => {
                v.org_id = a.org_id.as_deref().unwrap_or_default();
                v.audit_type = Some(a.event_type);
            }
        }
        v
    }

    fn identity(&self) -> Option<&'a Identity> {
        match self.record {
            Record::Event(e) => Some(&e.identity),
            Record::ShadowAiEvent(s) => Some(&s.identity),
            _ => None,
        }
    }

    /// The value of a dedup field; empty when the record has none.
    pub(super) fn field(&self, field: DedupField) -> &'a str {
        let r = self.record;
        let s = |o: &'a Option<String>| o.as_deref().unwrap_or_default();
        match field {
            DedupField::OrgId => self.org_id,
            DedupField::RecordType => r.kind(),
            DedupField::UserId => match r {
                Record::AuditEvent(a) => s(&a.user_id),
                _ => self.identity().map_or("", |i| s(&i.user_id)),
            },
            DedupField::UserEmail => match r {
                Record::AuditEvent(a) => s(&a.user_email),
                _ => self.identity().map_or("", |i| s(&i.user_email)),
            },
            DedupField::RuleId => match r {
                Record::DlpMatch(m) => &m.rule_id,
                Record::Event(e) => &e.reason_code,
                _ => "",
            },
            DedupField::Hostname => match r {
                Record::Event(e) => s(&e.tool.hostname),
                Record::ShadowAiEvent(e) => &e.hostname,
                Record::ShadowAiFinding(f) => &f.hostname,
                _ => "",
            },
            DedupField::Tool => match r {
                Record::Event(e) => s(&e.tool.tool),
                Record::ShadowAiEvent(e) => s(&e.tool),
                Record::ShadowAiFinding(f) => s(&f.tool),
                _ => "",
            },
            DedupField::Fingerprint => match r {
                Record::DlpMatch(m) => &m.fingerprint,
                _ => "",
            },
            DedupField::EventType => match r {
                Record::Event(e) => event_type_str(e.event_type),
                Record::AuditEvent(a) => a.event_type.as_str(),
                _ => "",
            },
        }
    }
}

fn event_type_str(t: EventType) -> &'static str {
    match t {
        EventType::Request => "request",
        EventType::Warned => "warned",
        EventType::Redacted => "redacted",
        EventType::Escalated => "escalated",
        EventType::Blocked => "blocked",
    }
}

/// One labelled value: `key` names it in JSON (PagerDuty `custom_details`,
/// Opsgenie `details`), `label` in text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Fact {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) value: String,
}

/// The threshold that made a rule fire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fired {
    pub(super) count: u32,
    pub(super) window_secs: u64,
    /// The group that passed it (`user_id=u-1`), when the rule has
    /// `group_by`.
    pub(super) group: Option<String>,
}

/// An alert's content.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Content {
    pub(super) title: String,
    pub(super) severity: Option<Severity>,
    pub(super) org_id: String,
    pub(super) record_type: &'static str,
    pub(super) record_id: String,
    /// When the record happened, RFC 3339 as the record has it.
    pub(super) timestamp: String,
    pub(super) facts: Vec<Fact>,
    /// The record's redacted summary or snippet.
    pub(super) text: Option<String>,
    /// What the record is about (the tool, the rule), for PagerDuty
    /// `component` and Opsgenie `entity`.
    pub(super) component: Option<String>,
    /// `record_type:subtype`, for PagerDuty `class`.
    pub(super) class: String,
    pub(super) rule_id: String,
    pub(super) threshold: Option<Fired>,
}

/// `s` on one line: control characters (CR, LF, tab, …) become spaces, so
/// no value can start a new email header or a new Slack line.
pub(super) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `s` on one line and at most `max` characters, `…` marking a cut.
pub(super) fn clip(s: &str, max: usize) -> String {
    let line = one_line(s);
    match truncate(&line, max.saturating_sub(1)) {
        (kept, true) => format!("{kept}…"),
        (_, false) => line,
    }
}

/// `600` → `10m`; seconds that are not a whole number of larger units stay
/// seconds.
pub(super) fn fmt_window(secs: u64) -> String {
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

struct Facts(Vec<Fact>);

impl Facts {
    fn add(&mut self, key: &'static str, label: &'static str, value: impl AsRef<str>) {
        let value = value.as_ref();
        if !value.is_empty() {
            self.0.push(Fact {
                key,
                label,
                value: clip(value, FACT_MAX_CHARS),
            });
        }
    }

    fn opt(&mut self, key: &'static str, label: &'static str, value: Option<&str>) {
        if let Some(v) = value {
            self.add(key, label, v);
        }
    }
}

fn user(i: &Identity) -> Option<&str> {
    i.user_email
        .as_deref()
        .or(i.user_id.as_deref())
        .or(i.idp_user_id.as_deref())
}

fn capitalized(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn in_org(org: &str) -> String {
    if org.is_empty() {
        String::new()
    } else {
        format!(" in {org}")
    }
}

fn event_content(e: &Event, f: &mut Facts) -> (String, Option<String>, Option<String>) {
    let verdict = match e.verdict {
        Verdict::Allow => "Allowed",
        Verdict::Warn => "Warned",
        Verdict::Redact => "Redacted",
        Verdict::Escalate => "Escalated",
        Verdict::Block => "Blocked",
    };
    let title = format!(
        "{verdict} {}{}: {}",
        e.phase.as_str(),
        in_org(&e.org_id),
        e.reason_code
    );
    f.add("org_id", "Org", &e.org_id);
    f.add("verdict", "Verdict", e.verdict.as_str());
    f.add("phase", "Phase", e.phase.as_str());
    f.add("reason_code", "Reason", &e.reason_code);
    f.opt(
        "max_severity",
        "Max severity",
        e.dlp.max_severity.map(Severity::as_str),
    );
    if e.dlp.total_matches > 0 {
        f.add(
            "matches",
            "Matches",
            format!(
                "{} ({} high or above, {} critical)",
                e.dlp.total_matches, e.dlp.high_or_above, e.dlp.critical
            ),
        );
    }
    f.opt("user", "User", user(&e.identity));
    let tool = e.tool.tool.as_deref().or(e.tool.hostname.as_deref());
    f.opt("tool", "AI tool", tool.or(e.tool.provider.as_deref()));
    f.opt("model", "Model", e.tool.model.as_deref());
    f.opt("client", "Client", e.client.client.as_deref());
    if e.degraded {
        f.add("degraded", "Degraded", "yes");
    }
    let summary = match e.phase {
        crate::schema::Phase::Prompt => e.prompt_summary.as_ref(),
        crate::schema::Phase::Response => e.response_summary.as_ref(),
    };
    let text = summary
        .or(e.prompt_summary.as_ref())
        .or(e.response_summary.as_ref())
        .map(|s| s.text.clone());
    (title, text, tool.map(str::to_owned))
}

impl Content {
    /// The content of an alert that `rule_id` raises for `view`'s record.
    pub(super) fn build(
        view: &RecordView<'_>,
        rule_id: &str,
        severity: Option<Severity>,
        threshold: Option<Fired>,
    ) -> Content {
        let mut f = Facts(Vec::new());
        let org = view.org_id;
        let (title, text, component, class, timestamp) = match view.record {
            Record::Event(e) => {
                let (title, text, component) = event_content(e, &mut f);
                let class = format!("event:{}", event_type_str(e.event_type));
                (title, text, component, class, e.timestamp.clone())
            }
            Record::DlpMatch(m) => {
                f.add("org_id", "Org", org);
                f.add("rule", "Rule", format!("{} ({})", m.rule_name, m.rule_id));
                f.add("category", "Category", m.category.as_str());
                f.add("severity", "Severity", m.severity.as_str());
                f.add("phase", "Phase", m.phase.as_str());
                f.add("confidence", "Confidence", format!("{:.2}", m.confidence));
                f.add("event_id", "Event", &m.event_id);
                f.add(
                    "fingerprint",
                    "Fingerprint",
                    m.fingerprint.get(..16).unwrap_or(&m.fingerprint),
                );
                let title = format!(
                    "{} DLP match{}: {}",
                    capitalized(m.severity.as_str()),
                    in_org(org),
                    m.rule_name
                );
                let text = m.snippet.as_ref().map(|s| s.text.clone());
                let class = format!("dlp_match:{}", m.category.as_str());
                (
                    title,
                    text,
                    Some(m.rule_id.clone()),
                    class,
                    m.timestamp.clone(),
                )
            }
            Record::ShadowAiEvent(s) => {
                f.add("org_id", "Org", org);
                f.add("hostname", "Hostname", &s.hostname);
                f.opt("tool", "AI tool", s.tool.as_deref());
                f.opt("vendor", "Vendor", s.vendor.as_deref());
                f.add(
                    "classification",
                    "Classification",
                    s.classification.as_str(),
                );
                f.add("severity", "Severity", s.severity.as_str());
                f.opt("user", "User", user(&s.identity));
                f.add("source", "Source", s.source.as_str());
                f.add("url", "URL", &s.url);
                f.opt("browser", "Browser", s.browser.as_deref());
                let name = s.tool.as_deref().unwrap_or(&s.hostname);
                let title = format!(
                    "Shadow AI visit{}: {name} ({})",
                    in_org(org),
                    s.classification.as_str()
                );
                let class = format!("shadow_ai_event:{}", s.classification.as_str());
                (
                    title,
                    None,
                    Some(s.hostname.clone()),
                    class,
                    s.timestamp.clone(),
                )
            }
            Record::ShadowAiFinding(s) => {
                f.add("org_id", "Org", org);
                f.add("hostname", "Hostname", &s.hostname);
                f.opt("tool", "AI tool", s.tool.as_deref());
                f.opt("vendor", "Vendor", s.vendor.as_deref());
                f.add("visits", "Visits", s.count.to_string());
                f.add(
                    "distinct_users",
                    "Distinct users",
                    s.distinct_users.to_string(),
                );
                f.add("max_severity", "Max severity", s.max_severity.as_str());
                f.add("status", "Status", s.status.as_str());
                f.add("first_seen", "First seen", &s.first_seen);
                f.add("last_seen", "Last seen", &s.last_seen);
                let name = s.tool.as_deref().unwrap_or(&s.hostname);
                let title = format!(
                    "Shadow AI finding{}: {name}, {} visits",
                    in_org(org),
                    s.count
                );
                let class = "shadow_ai_finding".to_owned();
                (
                    title,
                    None,
                    Some(s.hostname.clone()),
                    class,
                    s.last_seen.clone(),
                )
            }
            Record::AuditEvent(a) => {
                f.add("org_id", "Org", org);
                let t = a.event_type;
                f.add(
                    "event_type",
                    "Event type",
                    format!("{} ({})", t.name(), t.as_str()),
                );
                f.opt(
                    "user",
                    "User",
                    a.user_email.as_deref().or(a.user_id.as_deref()),
                );
                f.add("request_id", "Request", &a.request_id);
                for &key in t.required_metadata() {
                    match a.event_metadata.get(key) {
                        Some(serde_json::Value::String(v)) => f.add(key, key, v),
                        Some(serde_json::Value::Array(items)) => {
                            let list: Vec<&str> =
                                items.iter().filter_map(serde_json::Value::as_str).collect();
                            f.add(key, key, list.join(", "));
                        }
                        _ => {}
                    }
                }
                let title = format!("Audit event{}: {}", in_org(org), t.name());
                let class = format!("audit_event:{}", t.as_str());
                let component = Some(t.category().as_str().to_owned());
                (title, None, component, class, a.date_time.clone())
            }
        };
        let title = match &threshold {
            Some(t) => {
                let by = t
                    .group
                    .as_deref()
                    .map(|g| format!(" by {g}"))
                    .unwrap_or_default();
                format!("{} in {}{by}: {title}", t.count, fmt_window(t.window_secs))
            }
            None => title,
        };
        if let Some(t) = &threshold {
            f.add(
                "threshold",
                "Threshold",
                format!("{} records in {}", t.count, fmt_window(t.window_secs)),
            );
            if let Some(g) = &t.group {
                f.add("group", "Group", g.clone());
            }
        }
        Content {
            title: clip(&title, TITLE_MAX_CHARS),
            severity,
            org_id: org.to_owned(),
            record_type: view.record.kind(),
            record_id: view.record.event_id().to_owned(),
            timestamp,
            facts: f.0,
            text,
            component: component.map(|c| clip(&c, 100)),
            class,
            rule_id: rule_id.to_owned(),
            threshold,
        }
    }
}
