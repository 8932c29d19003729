//! In-process analytics over the record stream: what the admin console's
//! dashboards show, computed by the SDK itself.
//!
//! - [`Analytics`] aggregates records into an [`AnalyticsSummary`]: counts
//!   per verdict, DLP events, high and critical DLP, the top patterns and
//!   seven daily buckets, over at most the newest 5,000 events by default.
//! - [`OpsHealth`] is the 24-hour operational snapshot: evaluate error rate,
//!   DLP coverage and block rates, active endpoints against a subscription
//!   limit, notification and sink delivery with their last errors.
//! - [`EventStore`] keeps a bounded window of events and answers the Events
//!   page's filtered, paged queries with cursors that stay valid while new
//!   events arrive.
//! - [`render_html`] turns a summary into a self-contained HTML report with
//!   inline SVG charts.
//!
//! Everything here is sans-IO: the current time is a parameter
//! (milliseconds since the epoch), so results are reproducible and hosts
//! without a clock supply their own.

mod actors;
mod charts;
mod counts;
mod health;
mod report;
mod store;
mod summary;
mod timestamp;
mod window;

#[cfg(test)]
mod fixtures;

pub use actors::{ActorCount, Breakdown, MAX_TRACKED_KEYS};
pub use counts::{PatternCount, VerdictCounts};
pub use health::{EndpointUsage, LastError, NotificationHealth, OpsHealth, SinkHealth};
pub use report::render_html;
pub use store::{Cursor, DEFAULT_PAGE_SIZE, EventStore, Inserted, MAX_PAGE_SIZE, Page, Query};
pub use summary::{
    Analytics, AnalyticsOptions, AnalyticsSummary, DAILY_BUCKETS, DEFAULT_SCAN_CAP,
    DEFAULT_TOP_PATTERNS, DayBucket, TOP_ACTORS,
};
pub use timestamp::parse_timestamp_ms;
pub use window::Window;

/// Runs the examples of `docs/analytics.md` as doctests, so the guide
/// cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/analytics.md")]
struct AnalyticsGuide;
