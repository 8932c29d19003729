//! Building a [`ShadowAiEvent`] from what a browser extension or a host
//! knows about a visit: the URL, who visited, the reporting extension. The
//! URL is sanitized and classified here, so no caller can forget either.

use super::classify::Classifier;
use super::url::sanitize_url;
use crate::clock;
use crate::schema::{Identity, SCHEMA_VERSION, Severity, ShadowAiEvent, ShadowAiSource};
use crate::{Error, Problem, Result};
use serde_json::{Map, Value};

/// The reporting browser extension.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionInfo {
    /// The extension's id.
    pub extension_id: Option<String>,
    /// Its version.
    pub extension_version: Option<String>,
    /// Browser name and version (`Chrome 131`).
    pub browser: Option<String>,
}

/// Collects the parts of one [`ShadowAiEvent`]; start one with
/// [`Classifier::event`].
///
/// ```
/// use govstream::schema::{Identity, ShadowAiClassification};
/// use govstream::shadow::{Classifier, ExtensionInfo};
/// use govstream::policy::Policy;
///
/// let policy = Policy::from_json(r#"{"ai_tools": {"approved": ["chatgpt.com"]}}"#).unwrap();
/// let classifier = Classifier::from_policy(&policy).unwrap();
/// let event = classifier
///     .event("org_acme", "https://chat.deepseek.com/a/chat/s/42?q=quarterly+numbers")
///     .identity(Identity { user_email: Some("jane@acme.com".into()), ..Identity::default() })
///     .extension(ExtensionInfo { extension_id: Some("kairro-ext".into()), ..ExtensionInfo::default() })
///     .at(1_795_339_200_000)
///     .build()
///     .unwrap();
/// assert_eq!(event.url, "https://chat.deepseek.com/a/chat/s/42");
/// assert_eq!(event.classification, ShadowAiClassification::Unapproved);
/// assert_eq!(event.vendor.as_deref(), Some("DeepSeek"));
/// assert_eq!(event.timestamp, "2026-11-22T09:20:00.000Z");
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ShadowEventBuilder<'c> {
    classifier: &'c Classifier,
    org_id: String,
    url: String,
    identity: Identity,
    extension: ExtensionInfo,
    source: ShadowAiSource,
    severity: Option<Severity>,
    tool: Option<String>,
    vendor: Option<String>,
    event_id: Option<String>,
    source_system: Option<String>,
    metadata: Map<String, Value>,
    now_ms: Option<i64>,
}

impl Classifier {
    /// Starts a [`ShadowAiEvent`] for a visit to `url` (a full URL or a bare
    /// host) in `org_id`. Defaults: source `extension`, the current time, no
    /// identity, extension or metadata.
    pub fn event(
        &self,
        org_id: impl Into<String>,
        url: impl Into<String>,
    ) -> ShadowEventBuilder<'_> {
        ShadowEventBuilder {
            classifier: self,
            org_id: org_id.into(),
            url: url.into(),
            identity: Identity::default(),
            extension: ExtensionInfo::default(),
            source: ShadowAiSource::Extension,
            severity: None,
            tool: None,
            vendor: None,
            event_id: None,
            source_system: None,
            metadata: Map::new(),
            now_ms: None,
        }
    }
}

impl ShadowEventBuilder<'_> {
    /// Who visited.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = identity;
        self
    }

    /// The reporting extension.
    pub fn extension(mut self, extension: ExtensionInfo) -> Self {
        self.extension = extension;
        self
    }

    /// Who reported the visit.
    pub fn source(mut self, source: ShadowAiSource) -> Self {
        self.source = source;
        self
    }

    /// The reporter's own severity. It can raise the classified severity,
    /// never lower it: a reporter cannot talk a blocked tool down.
    pub fn severity(mut self, at_least: Severity) -> Self {
        self.severity = Some(at_least);
        self
    }

    /// Tool and vendor names the reporter knows, used only when the catalog
    /// does not know the host.
    pub fn reported_tool(mut self, tool: Option<String>, vendor: Option<String>) -> Self {
        self.tool = tool;
        self.vendor = vendor;
        self
    }

    /// Uses the reporter's event id instead of a fresh UUIDv7, so a report
    /// sent twice is one event downstream.
    pub fn event_id(mut self, event_id: impl Into<String>) -> Self {
        self.event_id = Some(event_id.into());
        self
    }

    /// The system that reported the visit through the API (a CASB, a
    /// secure web gateway).
    pub fn source_system(mut self, name: impl Into<String>) -> Self {
        self.source_system = Some(name.into());
        self
    }

    /// Free-form host metadata.
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.metadata = metadata;
        self
    }

    /// The time of the visit, in milliseconds since the Unix epoch (for
    /// hosts without a usable clock, and for tests).
    pub fn at(mut self, now_ms: i64) -> Self {
        self.now_ms = Some(now_ms);
        self
    }

    /// The event. Fails with [`Error::Validation`] (`what` =
    /// `shadow ai event`) when the org id is empty or the URL has no valid
    /// host or port, each problem at `$.org_id` or `$.url`.
    pub fn build(self) -> Result<ShadowAiEvent> {
        let mut problems = Vec::new();
        let org_id = self.org_id.trim();
        if org_id.is_empty() {
            problems.push(Problem::new("$.org_id", "must not be empty"));
        }
        let sanitized = match sanitize_url(&self.url) {
            Ok(s) => Some(s),
            Err(e) => {
                let message = match e {
                    Error::Input { message, .. } => message,
                    other => other.to_string(),
                };
                problems.push(Problem::new("$.url", message));
                None
            }
        };
        let Some(sanitized) = sanitized.filter(|_| problems.is_empty()) else {
            return Err(Error::Validation {
                what: "shadow ai event".into(),
                problems,
            });
        };
        let m = self.classifier.lookup(&sanitized.host);
        let severity = self.severity.map_or(m.severity, |s| s.max(m.severity));
        let now_ms = self.now_ms.unwrap_or_else(clock::now_ms);
        Ok(ShadowAiEvent {
            schema_version: SCHEMA_VERSION,
            event_id: self.event_id.unwrap_or_else(|| clock::uuid_v7(now_ms)),
            timestamp: clock::rfc3339_ms(now_ms),
            org_id: org_id.to_string(),
            hostname: sanitized.host,
            url: sanitized.url,
            tool: m.tool.map(|t| t.tool.clone()).or(self.tool),
            vendor: m.tool.map(|t| t.vendor.clone()).or(self.vendor),
            category: m.tool.map(|t| t.category),
            classification: m.status.to_shadow(),
            severity,
            identity: self.identity,
            extension_id: self.extension.extension_id,
            extension_version: self.extension.extension_version,
            browser: self.extension.browser,
            source: self.source,
            source_system: self.source_system,
            metadata: self.metadata,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ShadowAiClassification;
    use crate::shadow::Catalog;

    fn classifier() -> Classifier {
        Classifier::new(
            Catalog::builtin(),
            &["chatgpt.com".to_string()],
            &["*.deepseek.com".to_string()],
        )
        .unwrap()
    }

    #[test]
    fn builds_a_sanitized_classified_event() {
        let c = classifier();
        let e = c
            .event(
                " org_acme ",
                "https://jane:pw@Chat.DeepSeek.com:443/a/s/1?q=secret#frag",
            )
            .identity(Identity {
                user_id: Some("u1".into()),
                ..Identity::default()
            })
            .extension(ExtensionInfo {
                extension_id: Some("ext".into()),
                extension_version: Some("1.2.3".into()),
                browser: Some("Chrome 131".into()),
            })
            .at(0)
            .build()
            .unwrap();
        assert_eq!(e.org_id, "org_acme");
        assert_eq!(e.hostname, "chat.deepseek.com");
        assert_eq!(e.url, "https://chat.deepseek.com/a/s/1");
        assert_eq!(e.classification, ShadowAiClassification::Unapproved);
        assert_eq!(e.severity, Severity::High);
        assert_eq!(e.tool.as_deref(), Some("DeepSeek"));
        assert_eq!(e.category, Some(crate::schema::ToolCategory::Chat));
        assert_eq!(e.timestamp, "1970-01-01T00:00:00.000Z");
        assert_eq!(e.source, ShadowAiSource::Extension);
        assert_eq!(e.browser.as_deref(), Some("Chrome 131"));
        assert_eq!(
            uuid::Uuid::parse_str(&e.event_id)
                .unwrap()
                .get_version_num(),
            7
        );
        let json = serde_json::to_string(&e).unwrap();
        for leaked in ["secret", "frag", "jane", ":pw"] {
            assert!(!json.contains(leaked), "{leaked} leaked into {json}");
        }
    }

    #[test]
    fn reporter_severity_only_raises_and_names_fill_gaps() {
        let c = classifier();
        let approved = c
            .event("o", "chatgpt.com")
            .severity(Severity::Critical)
            .at(0)
            .build()
            .unwrap();
        assert_eq!(approved.classification, ShadowAiClassification::Approved);
        assert_eq!(approved.severity, Severity::Critical);
        let blocked = c
            .event("o", "chat.deepseek.com")
            .severity(Severity::Low)
            .at(0)
            .build()
            .unwrap();
        assert_eq!(blocked.severity, Severity::High);
        let unknown = c
            .event("o", "ai.intranet.example")
            .reported_tool(Some("Internal bot".into()), Some("Acme".into()))
            .event_id("0192f0c1-0000-7000-8000-000000000001")
            .source(ShadowAiSource::Api)
            .at(0)
            .build()
            .unwrap();
        assert_eq!(unknown.classification, ShadowAiClassification::Unknown);
        assert_eq!(unknown.tool.as_deref(), Some("Internal bot"));
        // A reporter's own names are taken; a category is the catalog's word.
        assert_eq!(unknown.category, None);
        assert_eq!(unknown.event_id, "0192f0c1-0000-7000-8000-000000000001");
        let known = c
            .event("o", "claude.ai")
            .reported_tool(Some("Wrong".into()), None)
            .at(0)
            .build()
            .unwrap();
        assert_eq!(known.tool.as_deref(), Some("Claude"));
    }

    #[test]
    fn bad_inputs_list_every_problem() {
        let e = classifier()
            .event("  ", "https://bad host/")
            .build()
            .unwrap_err();
        let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["$.org_id", "$.url"]);
        assert!(e.to_string().starts_with("invalid shadow ai event: "));
        let e = classifier()
            .event("o", "https://x.example:70000/")
            .build()
            .unwrap_err();
        assert!(e.problems()[0].message.contains("port `70000`"));
    }
}
