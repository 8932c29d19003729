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
    /// Free-form host metadata.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
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
