//! Type names and the globs subscriptions are written in.

use crate::schema::{
    ApiEventType, Category, EventType, FindingStatus, Record, ShadowAiClassification, Verdict,
};
use crate::{Error, Problem, Result};

/// Every DLP category, in declaration order (the enum has no list of its own).
const CATEGORIES: [Category; 4] = [
    Category::Secret,
    Category::Pii,
    Category::Financial,
    Category::Custom,
];
const CLASSIFICATIONS: [ShadowAiClassification; 3] = [
    ShadowAiClassification::Approved,
    ShadowAiClassification::Unapproved,
    ShadowAiClassification::Unknown,
];
const STATUSES: [FindingStatus; 3] = [
    FindingStatus::Open,
    FindingStatus::Acknowledged,
    FindingStatus::Resolved,
];

/// An event's `event_type` as it is written in JSON.
fn event_type_str(t: EventType) -> &'static str {
    match t {
        EventType::Request => "request",
        EventType::Warned => "warned",
        EventType::Redacted => "redacted",
        EventType::Escalated => "escalated",
        EventType::Blocked => "blocked",
    }
}

/// The record's type name in two parts, `(record_type, subtype)`: an event's
/// `event_type`, a DLP match's `category`, a shadow-AI event's
/// `classification`, a finding's `status`, an audit event's `event_type`.
pub fn type_name_parts(record: &Record) -> (&'static str, &'static str) {
    let sub = match record {
        Record::Event(e) => event_type_str(e.event_type),
        Record::DlpMatch(m) => m.category.as_str(),
        Record::ShadowAiEvent(e) => e.classification.as_str(),
        Record::ShadowAiFinding(f) => f.status.as_str(),
        Record::AuditEvent(e) => e.event_type.as_str(),
    };
    (record.kind(), sub)
}

/// The record's type name, `<record_type>.<subtype>` (`event.blocked`,
/// `audit_event.Auth:Logout`).
pub fn type_name(record: &Record) -> String {
    let (kind, sub) = type_name_parts(record);
    format!("{kind}.{sub}")
}

/// Every type name a record can have, grouped by record type in
/// `Record::KINDS` order.
pub fn type_names() -> Vec<String> {
    let mut names = Vec::new();
    let mut add = |kind: &str, sub: &str| names.push(format!("{kind}.{sub}"));
    for v in Verdict::ALL {
        add("event", event_type_str(v.event_type()));
    }
    for c in CATEGORIES {
        add("dlp_match", c.as_str());
    }
    for c in CLASSIFICATIONS {
        add("shadow_ai_event", c.as_str());
    }
    for s in STATUSES {
        add("shadow_ai_finding", s.as_str());
    }
    for t in ApiEventType::ALL {
        add("audit_event", t.as_str());
    }
    names
}

/// True when `name` matches `glob`: `*` stands for any run of characters
/// (none included, `.` and `:` included); everything else matches itself,
/// case-sensitively (audit type names are PascalCase).
pub fn glob_matches(glob: &str, name: &str) -> bool {
    let (g, n) = (glob.as_bytes(), name.as_bytes());
    let (mut gi, mut ni) = (0, 0);
    // Where the last `*` was, and where in `name` it is currently matched
    // up to: on a mismatch the star takes one more byte. Linear in
    // practice, never exponential.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match g.get(gi) {
            Some(b'*') => {
                star = Some((gi, ni));
                gi += 1;
            }
            Some(&c) if n.get(ni) == Some(&c) => {
                gi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sg, sn)) => {
                    star = Some((sg, sn + 1));
                    gi = sg + 1;
                    ni = sn + 1;
                }
                None => return false,
            },
        }
    }
    g.get(gi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Characters a glob may hold: those of type names, and `*`.
fn glob_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '*')
}

/// A subscription: globs over type names. Empty means every record.
///
/// Built by [`EventTypes::parse`], which refuses a glob that is empty,
/// holds a character no type name has, or matches none of
/// [`type_names`] — a typo (`events.*`, `event.block`) would otherwise
/// silently filter out everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventTypes {
    globs: Vec<String>,
}

impl EventTypes {
    /// Every record: no subscription.
    pub fn all() -> EventTypes {
        EventTypes::default()
    }

    /// Checks and keeps `globs`. Errors are [`Error::Validation`] listing
    /// every bad glob at `<path>[<index>]` (`$.sinks[1].options.event_types[0]`).
    pub fn parse<S: AsRef<str>>(globs: &[S], path: &str) -> Result<EventTypes> {
        let problems = EventTypes::problems(globs, path);
        if !problems.is_empty() {
            return Err(Error::Validation {
                what: "event_types".into(),
                problems,
            });
        }
        Ok(EventTypes {
            globs: globs.iter().map(|g| g.as_ref().to_owned()).collect(),
        })
    }

    /// Every problem with `globs`, each at `<path>[<index>]`. Messages do
    /// not repeat the glob: a host's values are named by their path.
    pub fn problems<S: AsRef<str>>(globs: &[S], path: &str) -> Vec<Problem> {
        let names = type_names();
        let mut problems = Vec::new();
        for (i, glob) in globs.iter().enumerate() {
            let glob = glob.as_ref();
            let message = if glob.is_empty() {
                "must not be empty".to_owned()
            } else if !glob.chars().all(glob_char) {
                "may hold only ASCII letters, digits, `_`, `.`, `:`, `/` and the wildcard `*`"
                    .to_owned()
            } else if names.iter().any(|n| glob_matches(glob, n)) {
                continue;
            } else if Record::KINDS.contains(&glob) {
                // A bare record type is the likeliest slip.
                format!("matches no type name; a whole record type is written `{glob}.*`")
            } else {
                "matches no type name; names are `<record_type>.<subtype>`, such as \
                 `event.blocked`, `dlp_match.secret`, `shadow_ai_event.unapproved`, \
                 `shadow_ai_finding.open` or `audit_event.Auth:Logout` (see docs/sinks.md)"
                    .to_owned()
            };
            problems.push(Problem::new(format!("{path}[{i}]"), message));
        }
        problems
    }

    /// The globs, as given.
    pub fn globs(&self) -> &[String] {
        &self.globs
    }

    /// True when every record matches (no globs).
    pub fn is_all(&self) -> bool {
        self.globs.is_empty()
    }

    /// True when some glob matches the record's type name (always, for no
    /// globs).
    pub fn matches(&self, record: &Record) -> bool {
        self.is_all() || self.matches_name(&type_name(record))
    }

    /// True when some glob matches `name` (always, for no globs).
    pub fn matches_name(&self, name: &str) -> bool {
        self.is_all() || self.globs.iter().any(|g| glob_matches(g, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names_with_star_for_any_run() {
        for (glob, name, expected) in [
            ("event.blocked", "event.blocked", true),
            ("event.blocked", "event.blocked2", false),
            ("event.block", "event.blocked", false),
            ("event.*", "event.blocked", true),
            ("event.*", "event.", true),
            ("event.*", "events.blocked", false),
            ("*", "audit_event.Auth:Logout", true),
            ("*.blocked", "event.blocked", true),
            ("audit_event.Auth:*", "audit_event.Auth:LoginFailure", true),
            (
                "audit_event.Auth:*",
                "audit_event.Admin:RoleAssignment",
                false,
            ),
            ("audit_event.auth:*", "audit_event.Auth:Logout", false),
            (
                "audit_event.*Failure",
                "audit_event.Auth:LoginFailure",
                true,
            ),
            (
                "audit_event.Guard:*:*Error",
                "audit_event.Guard:PolicyCreation/Manage:TrainPolicyError",
                true,
            ),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("**", "", true),
            ("", "", true),
            ("", "x", false),
        ] {
            assert_eq!(glob_matches(glob, name), expected, "{glob} ~ {name}");
        }
    }

    #[test]
    fn the_catalog_covers_every_subtype_once() {
        let names = type_names();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "duplicate type names");
        assert_eq!(names.len(), 5 + 4 + 3 + 3 + ApiEventType::ALL.len());
        for expected in [
            "event.request",
            "event.blocked",
            "dlp_match.financial",
            "shadow_ai_event.unknown",
            "shadow_ai_finding.acknowledged",
            "audit_event.Auth:Logout",
            "audit_event.Guard:PolicyCreation/Manage:TrainPolicyError",
        ] {
            assert!(names.iter().any(|n| n == expected), "{expected}");
        }
        for n in &names {
            assert!(n.chars().all(glob_char), "{n}");
            assert!(Record::KINDS.contains(&n.split_once('.').map_or("", |(k, _)| k)));
        }
    }

    #[test]
    fn bad_globs_are_named_by_path_and_not_repeated() {
        let globs = ["event.*", "", "event.blocked ", "events.*", "event", "ok*"];
        let problems = EventTypes::problems(&globs, "$.sinks[1].options.event_types");
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.sinks[1].options.event_types[1]",
                "$.sinks[1].options.event_types[2]",
                "$.sinks[1].options.event_types[3]",
                "$.sinks[1].options.event_types[4]",
                "$.sinks[1].options.event_types[5]",
            ]
        );
        assert!(problems[3].message.contains("`event.*`"), "{problems:?}");
        assert!(!problems[2].message.contains("events.*"));
        let err = EventTypes::parse(&globs, "$.event_types").unwrap_err();
        assert_eq!(err.kind(), "validation");
        assert!(EventTypes::parse(&["event.*", "audit_event.Auth:*"], "$").is_ok());
        assert!(EventTypes::parse::<&str>(&[], "$").unwrap().is_all());
    }

    #[test]
    fn subscriptions_match_records_by_their_type_name() {
        let subscription =
            EventTypes::parse(&["event.blocked", "audit_event.Auth:*"], "$").unwrap();
        assert!(subscription.matches_name("event.blocked"));
        assert!(subscription.matches_name("audit_event.Auth:Logout"));
        assert!(!subscription.matches_name("event.request"));
        assert!(!subscription.matches_name("dlp_match.secret"));
        assert!(EventTypes::all().matches_name("anything"));
    }
}
