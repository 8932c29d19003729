//! Shadow AI: which AI tools people use, and whether the org has approved
//! them.
//!
//! - [`Catalog`]: known AI tools by hostname (a built-in JSON document of
//!   a few hundred hosts, extensible by an org's own).
//! - [`Classifier`]: a URL or hostname → `approved` | `unapproved` |
//!   `unknown_ai` | `not_ai`, from the catalog and the policy's `ai_tools`
//!   lists, with one hash probe per label suffix.
//! - [`ShadowEventBuilder`]: a sanitized, classified
//!   [`ShadowAiEvent`](crate::schema::ShadowAiEvent) from a visit.
//! - [`parse_report`]: validation of the payload external systems POST to
//!   `/v1/shadow-ai/report`.
//! - [`FindingAggregator`]: events rolled up into
//!   [`ShadowAiFinding`](crate::schema::ShadowAiFinding)s per org and host.
//!
//! The semantics (classification rules, URL handling, payload, finding
//! status) are documented in `docs/shadow.md`.

mod catalog;
mod classify;
mod event;
mod finding;
mod host;
mod json;
mod punycode;
mod report;
mod url;

pub use catalog::{CATALOG_VERSION, Catalog, CatalogTool, ToolCategory};
pub use classify::{AiToolStatus, Classification, Classifier, HostMatch};
pub use event::{ExtensionInfo, ShadowEventBuilder};
pub use finding::{FindingAggregator, FindingState, finding_id};
pub use report::{
    MAX_CLOCK_SKEW_MS, MAX_METADATA_BYTES, MAX_URL_CHARS, SOURCE_SYSTEM_KEY, parse_report,
};
pub use url::{MAX_PATH_BYTES, SanitizedUrl, normalize_host, sanitize_url};

pub(crate) use classify::Listed;
pub(crate) use host::normalize_pattern;
