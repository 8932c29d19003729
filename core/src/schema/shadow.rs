//! Shadow-AI records: `ShadowAiEvent`, one visit to an AI tool seen by a
//! browser extension or reported through the API, and `ShadowAiFinding`, the
//! running aggregate of such visits per org and hostname.

use super::common::Severity;
use super::event::Identity;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How an org regards an AI tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShadowAiClassification {
    /// On the org's allow list.
    Approved,
    /// Known and not allowed.
    Unapproved,
    /// Looks like an AI tool but the org has not decided.
    Unknown,
}

impl ShadowAiClassification {
    /// The wire name (`"approved"`, `"unapproved"`, `"unknown"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ShadowAiClassification::Approved => "approved",
            ShadowAiClassification::Unapproved => "unapproved",
            ShadowAiClassification::Unknown => "unknown",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approved" => Some(ShadowAiClassification::Approved),
            "unapproved" => Some(ShadowAiClassification::Unapproved),
            "unknown" => Some(ShadowAiClassification::Unknown),
            _ => None,
        }
    }
}

/// Who reported a shadow-AI visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShadowAiSource {
    /// A browser extension saw the page.
    Extension,
    /// A host posted it to the API.
    Api,
}

impl ShadowAiSource {
    /// The wire name (`"extension"`, `"api"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ShadowAiSource::Extension => "extension",
            ShadowAiSource::Api => "api",
        }
    }
}

/// Where a finding stands in an admin's triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// New or still occurring; nobody has looked.
    #[default]
    Open,
    /// Someone has seen it and it is being handled.
    Acknowledged,
    /// Handled (the tool was approved or blocked).
    Resolved,
}

impl FindingStatus {
    /// The wire name (`"open"`, `"acknowledged"`, `"resolved"`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::Acknowledged => "acknowledged",
            FindingStatus::Resolved => "resolved",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(FindingStatus::Open),
            "acknowledged" => Some(FindingStatus::Acknowledged),
            "resolved" => Some(FindingStatus::Resolved),
            _ => None,
        }
    }
}

/// What kind of AI tool a host serves.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ToolCategory {
    /// General chat assistants (ChatGPT, Claude, Gemini).
    Chat,
    /// Model inference APIs and consoles (api.openai.com, Bedrock).
    ModelApi,
    /// Code completion and coding agents (GitHub Copilot, Cursor).
    CodeAssistant,
    /// Image generators.
    Image,
    /// Speech, voice, music and meeting transcription.
    Voice,
    /// Video generators and editors.
    Video,
    /// AI search and research.
    Search,
    /// Writing, rewriting and translation.
    Writing,
    /// AI features of office and collaboration suites.
    ProductivitySuite,
    /// Agents that act on a user's behalf.
    Agent,
    /// Anything else (vendor sites, model hubs).
    Other,
}

impl ToolCategory {
    /// Every category, in declaration order.
    pub const ALL: [ToolCategory; 11] = [
        ToolCategory::Chat,
        ToolCategory::ModelApi,
        ToolCategory::CodeAssistant,
        ToolCategory::Image,
        ToolCategory::Voice,
        ToolCategory::Video,
        ToolCategory::Search,
        ToolCategory::Writing,
        ToolCategory::ProductivitySuite,
        ToolCategory::Agent,
        ToolCategory::Other,
    ];

    /// The wire name (`"chat"`, `"model_api"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ToolCategory::Chat => "chat",
            ToolCategory::ModelApi => "model_api",
            ToolCategory::CodeAssistant => "code_assistant",
            ToolCategory::Image => "image",
            ToolCategory::Voice => "voice",
            ToolCategory::Video => "video",
            ToolCategory::Search => "search",
            ToolCategory::Writing => "writing",
            ToolCategory::ProductivitySuite => "productivity_suite",
            ToolCategory::Agent => "agent",
            ToolCategory::Other => "other",
        }
    }

    /// Parses a wire name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The severity of a visit when an entry names none: what typically
    /// leaves the org through such a tool. Code and agents carry source and
    /// access; chat, APIs, writing and voice carry pasted text and speech;
    /// search, media generators and suite features (usually under an
    /// enterprise contract) carry little.
    pub fn default_severity(self) -> Severity {
        match self {
            ToolCategory::CodeAssistant | ToolCategory::Agent => Severity::High,
            ToolCategory::Chat
            | ToolCategory::ModelApi
            | ToolCategory::Writing
            | ToolCategory::Voice => Severity::Medium,
            ToolCategory::Search
            | ToolCategory::Image
            | ToolCategory::Video
            | ToolCategory::ProductivitySuite
            | ToolCategory::Other => Severity::Low,
        }
    }
}

impl std::fmt::Display for ToolCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One visit to an AI tool. The URL is sanitized before it gets here: no
/// query, fragment or userinfo, since those carry prompts, tokens and
/// credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShadowAiEvent {
    /// Version of this record's JSON shape.
    pub schema_version: u32,
    /// UUIDv7; the idempotency key downstream.
    pub event_id: String,
    /// RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// The org.
    pub org_id: String,
    /// Hostname of the tool, lowercase.
    pub hostname: String,
    /// Sanitized URL: scheme, host, port and path only.
    pub url: String,
    /// Tool name when the catalog knows it (`ChatGPT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Vendor when the catalog knows it (`OpenAI`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// What kind of tool it is, when the catalog knows the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<ToolCategory>,
    /// How the org regards the tool.
    pub classification: ShadowAiClassification,
    /// How much the visit matters to the org.
    pub severity: Severity,
    /// Who visited.
    #[serde(flatten)]
    pub identity: Identity,
    /// Id of the reporting browser extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_id: Option<String>,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_version: Option<String>,
    /// Browser name and version (`Chrome 131`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    /// Who reported it.
    pub source: ShadowAiSource,
    /// The system that reported it through the API (a CASB, a secure web
    /// gateway, an API key's label). Records of schema version 1 carried
    /// it only as `metadata.source_system`, where it is still written: read
    /// it with [`ShadowAiEvent::reporting_system`], which looks in both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_system: Option<String>,
    /// Free-form host metadata.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

impl ShadowAiEvent {
    /// The metadata key where records of schema version 1 carried the
    /// reporting system.
    pub const LEGACY_SOURCE_SYSTEM_KEY: &'static str = "source_system";

    /// The system that reported the visit: `source_system`, or for a record
    /// written before that field existed (schema version 1), the string at
    /// `metadata.source_system`.
    pub fn reporting_system(&self) -> Option<&str> {
        self.source_system.as_deref().or_else(|| {
            self.metadata
                .get(Self::LEGACY_SOURCE_SYSTEM_KEY)
                .and_then(serde_json::Value::as_str)
        })
    }
}

/// The aggregate of shadow-AI visits for one org and hostname.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShadowAiFinding {
    /// Version of this record's JSON shape.
    pub schema_version: u32,
    /// Stable id of the finding; the idempotency key downstream, so each
    /// update replaces the previous one.
    pub finding_id: String,
    /// The org.
    pub org_id: String,
    /// Hostname of the tool, lowercase.
    pub hostname: String,
    /// Tool name when the catalog knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Vendor when the catalog knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// What kind of tool it is, when the catalog knows the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<ToolCategory>,
    /// First visit, RFC 3339 UTC with milliseconds.
    pub first_seen: String,
    /// Latest visit, RFC 3339 UTC with milliseconds.
    pub last_seen: String,
    /// Visits seen.
    pub count: u64,
    /// Distinct users among them.
    pub distinct_users: u64,
    /// Highest severity among them.
    pub max_severity: Severity,
    /// Triage state.
    pub status: FindingStatus,
}
