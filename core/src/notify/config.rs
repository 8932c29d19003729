//! The notification config: channels (where alerts go), rules (which
//! records alert, how often), and the checks that report every problem with
//! its JSON path. `docs/notifications.md` is the annotated reference; keep
//! the two together.

use super::email::valid_address;
use crate::base64;
use crate::endpoint;
use crate::schema::{ApiEventType, Category, Record, Severity, Verdict};
use crate::{Error, Problem, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The longest window any setting takes, in seconds (30 days): longer ones
/// would keep state for records nobody remembers.
pub const MAX_WINDOW_SECS: u64 = 30 * 86_400;
/// The largest threshold count; a threshold keeps one timestamp per counted
/// record and org, so this bounds its memory.
pub const MAX_THRESHOLD_COUNT: u32 = 10_000;
/// The default dedup window of a channel, in seconds.
pub const DEFAULT_DEDUP_WINDOW_SECS: u64 = 300;

/// The whole notification config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// Who sends: PagerDuty `source`, Opsgenie `source`, the email subject
    /// prefix. Defaults to `govstream`.
    #[serde(default = "default_source")]
    pub source: String,
    /// Where alerts go.
    #[serde(default)]
    pub channels: Vec<ChannelConfig>,
    /// Which records alert, and to which channels.
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
}

fn default_source() -> String {
    "govstream".to_owned()
}

fn default_dedup() -> u64 {
    DEFAULT_DEDUP_WINDOW_SECS
}

/// A channel's service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Slack incoming webhook.
    Slack,
    /// Microsoft Teams Workflows webhook.
    Teams,
    /// PagerDuty Events API v2.
    Pagerduty,
    /// Opsgenie Alert API.
    Opsgenie,
    /// An RFC 5322 message for the host to send.
    Email,
    /// Any HTTP endpoint, optionally signed per Standard Webhooks.
    Webhook,
}

impl ChannelKind {
    /// The wire name (`"slack"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::Teams => "teams",
            ChannelKind::Pagerduty => "pagerduty",
            ChannelKind::Opsgenie => "opsgenie",
            ChannelKind::Email => "email",
            ChannelKind::Webhook => "webhook",
        }
    }
}

/// Which Opsgenie instance an account lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpsgenieRegion {
    /// `api.opsgenie.com`.
    Us,
    /// `api.eu.opsgenie.com`.
    Eu,
}

/// At most `max` alerts per `per_secs` seconds on one channel, as a token
/// bucket: `max` alerts may go at once, then one every `per_secs / max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Alerts per period (and the burst size).
    pub max: u32,
    /// The period in seconds.
    pub per_secs: u64,
}

/// At least `count` matching records of one org within `window_secs`
/// before one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// Matching records needed.
    pub count: u32,
    /// Within this many seconds.
    pub window_secs: u64,
}

/// A record field: what makes two alerts "the same" for dedup (`dedup_by`),
/// and what a threshold counts per (`group_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DedupField {
    /// The org.
    OrgId,
    /// The user id.
    UserId,
    /// The user's email address.
    UserEmail,
    /// The DLP rule (a match's `rule_id`, an event's `reason_code`).
    RuleId,
    /// The AI tool's hostname.
    Hostname,
    /// The AI tool's name (an event's `tool`, a shadow-AI record's `tool`).
    Tool,
    /// A match's keyed fingerprint: the same value seen again.
    Fingerprint,
    /// An event's `event_type`, an audit event's type.
    EventType,
    /// The `record_type`.
    RecordType,
}

/// One channel. Which settings apply depends on `kind`; a setting given
/// for a kind that does not use it is a problem, not ignored.
#[derive(Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Unique id: 1–64 of `A-Z a-z 0-9 _ - .`.
    pub id: String,
    /// The service.
    pub kind: ChannelKind,
    /// Endpoint: required for slack, teams and webhook; overrides the
    /// default endpoint of pagerduty and opsgenie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// PagerDuty integration (routing) key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_key: Option<String>,
    /// Opsgenie API key (sent as `Authorization: GenieKey <key>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// Opsgenie instance when `url` is not set; defaults to `us`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<OpsgenieRegion>,
    /// Email sender address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Email recipient addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// Webhook signing secret, `whsec_<base64>` (24–64 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The same alert (rule and dedup key) goes out at most once per this
    /// many seconds; 0 turns dedup off.
    #[serde(default = "default_dedup")]
    pub dedup_window_secs: u64,
    /// At most this many alerts per period; unlimited when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Put the record's redacted summary or snippet into the message.
    /// Off by default: counts and labels are usually enough.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_text: bool,
}

// Webhook URLs, keys and secrets are credentials; logs must not get them.
impl std::fmt::Debug for ChannelConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |o: &Option<String>| o.as_ref().map(|_| "<hidden>");
        f.debug_struct("ChannelConfig")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("url", &hidden(&self.url))
            .field("routing_key", &hidden(&self.routing_key))
            .field("api_key", &hidden(&self.api_key))
            .field("region", &self.region)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("secret", &hidden(&self.secret))
            .field("dedup_window_secs", &self.dedup_window_secs)
            .field("rate_limit", &self.rate_limit)
            .field("include_text", &self.include_text)
            .finish()
    }
}

/// One rule: a filter on records, an optional per-org threshold, and the
/// channels to alert. Every filter that is set must match; a filter on a
/// field the record does not carry (a verdict on a DLP match) never does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Unique id: 1–64 of `A-Z a-z 0-9 _ - .`.
    pub id: String,
    /// Channel ids to alert.
    pub channels: Vec<String>,
    /// `record_type` values to match; all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_types: Vec<String>,
    /// Globs over record type names (`event.blocked`, `event.*`,
    /// `audit_event.Auth:*`; `*` is any run of characters; the names are
    /// in docs/sinks.md) to match; all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_types: Vec<String>,
    /// Events with at least this verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_verdict: Option<Verdict>,
    /// Records with at least this severity (an event's `dlp.max_severity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
    /// DLP matches of these categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Records of these orgs; all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub org_ids: Vec<String>,
    /// Audit events of these types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_event_types: Vec<ApiEventType>,
    /// Alert once per `count` matching records of one org within the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    /// Per-org thresholds that replace `threshold` for those orgs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub org_thresholds: BTreeMap<String, Threshold>,
    /// Count the threshold per value of these fields, within each org:
    /// `["user_id"]` alerts when one user passes it ("more than 50 blocks
    /// per user per hour"), not the org as a whole. A record without a
    /// field counts under the empty value. At most
    /// [`MAX_THRESHOLD_GROUPS`](super::MAX_THRESHOLD_GROUPS) groups are
    /// tracked per rule; past that the group seen longest ago is evicted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_by: Vec<DedupField>,
    /// Fields that make two alerts the same for dedup (and for PagerDuty's
    /// `dedup_key` and Opsgenie's `alias`); the record id when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dedup_by: Vec<DedupField>,
    /// The alert's severity; the record's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

impl NotifyConfig {
    /// Reads a config from JSON. A syntax error is [`Error::Input`] with its
    /// line and column; a document of the wrong shape (an unknown field, a
    /// wrong type) is [`Error::Input`] at its JSON path, whose message never
    /// repeats the value (URLs and keys here are credentials). Checking what
    /// the fields say is [`Notifier::new`](super::Notifier::new)'s job.
    pub fn from_json(json: &str) -> Result<NotifyConfig> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| Error::Input {
            location: format!("line {}, column {}", e.line(), e.column()),
            message: e.to_string(),
        })?;
        crate::json_input::from_value(value, "$")
    }

    /// Every problem of the config, each with its JSON path; empty when the
    /// config is usable.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if self.source.trim().is_empty() || has_control(&self.source) || self.source.len() > 100 {
            p.push(Problem::new(
                "$.source",
                "must be 1 to 100 characters without control characters",
            ));
        }
        let mut ids = HashSet::new();
        for (i, c) in self.channels.iter().enumerate() {
            let path = format!("$.channels[{i}]");
            check_id(&c.id, &format!("{path}.id"), &mut ids, &mut p);
            check_channel(c, &path, &mut p);
        }
        let mut rule_ids = HashSet::new();
        for (i, r) in self.rules.iter().enumerate() {
            let path = format!("$.rules[{i}]");
            check_id(&r.id, &format!("{path}.id"), &mut rule_ids, &mut p);
            check_rule(r, &path, &ids, &mut p);
        }
        p
    }
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

fn check_id<'a>(id: &'a str, path: &str, seen: &mut HashSet<&'a str>, p: &mut Vec<Problem>) {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !ok {
        p.push(Problem::new(
            path,
            format!("`{id}` must be 1 to 64 of A-Z a-z 0-9 _ - ."),
        ));
    } else if !seen.insert(id) {
        p.push(Problem::new(path, format!("duplicate id `{id}`")));
    }
}

/// The sinks' URL rule ([`endpoint::check_http_url`]), and no userinfo:
/// alert requests go to the host's own HTTP stack, and some (a browser's
/// `fetch`) refuse URLs with credentials; channels take keys and secrets in
/// fields of their own.
pub(super) fn check_url(url: &str) -> std::result::Result<(), String> {
    endpoint::check_http_url(url)?;
    if endpoint::userinfo(url).is_some() {
        return Err("must name a host and no user info".into());
    }
    Ok(())
}

fn window_ok(secs: u64) -> bool {
    (1..=MAX_WINDOW_SECS).contains(&secs)
}

fn check_channel(c: &ChannelConfig, path: &str, p: &mut Vec<Problem>) {
    use ChannelKind::*;
    let kind = c.kind;
    let uses = |field: &str| -> bool {
        match field {
            "url" => kind != Email,
            "routing_key" => kind == Pagerduty,
            "api_key" | "region" => kind == Opsgenie,
            "from" | "to" => kind == Email,
            "secret" => kind == Webhook,
            _ => false,
        }
    };
    let given = [
        ("url", c.url.is_some()),
        ("routing_key", c.routing_key.is_some()),
        ("api_key", c.api_key.is_some()),
        ("region", c.region.is_some()),
        ("from", c.from.is_some()),
        ("to", !c.to.is_empty()),
        ("secret", c.secret.is_some()),
    ];
    for (field, present) in given {
        if present && !uses(field) {
            p.push(Problem::new(
                format!("{path}.{field}"),
                format!("not used by kind `{}`", kind.as_str()),
            ));
        }
    }
    let required = |field: &str, present: bool, p: &mut Vec<Problem>| {
        if !present {
            p.push(Problem::new(
                format!("{path}.{field}"),
                format!("required by kind `{}`", kind.as_str()),
            ));
        }
    };
    match kind {
        Slack | Teams | Webhook => required("url", c.url.is_some(), p),
        Pagerduty => required("routing_key", c.routing_key.is_some(), p),
        Opsgenie => required("api_key", c.api_key.is_some(), p),
        Email => {
            required("from", c.from.is_some(), p);
            required("to", !c.to.is_empty(), p);
        }
    }
    if let (Some(url), true) = (&c.url, kind != Email)
        && let Err(e) = check_url(url)
    {
        p.push(Problem::new(format!("{path}.url"), e));
    }
    if kind == Opsgenie && c.url.is_some() && c.region.is_some() {
        p.push(Problem::new(
            format!("{path}.region"),
            "give `url` or `region`, not both",
        ));
    }
    for (field, value) in [("routing_key", &c.routing_key), ("api_key", &c.api_key)] {
        if let Some(v) = value
            && (v.is_empty() || !v.bytes().all(|b| b.is_ascii_graphic()))
        {
            p.push(Problem::new(
                format!("{path}.{field}"),
                "must be non-empty printable ASCII without spaces",
            ));
        }
    }
    if let Some(from) = &c.from
        && !valid_address(from)
    {
        p.push(Problem::new(
            format!("{path}.from"),
            format!("`{from}` is not a plain address like alerts@example.com"),
        ));
    }
    for (j, to) in c.to.iter().enumerate() {
        if !valid_address(to) {
            p.push(Problem::new(
                format!("{path}.to[{j}]"),
                format!("`{to}` is not a plain address like soc@example.com"),
            ));
        }
    }
    if let Some(secret) = &c.secret
        && webhook_key(secret).is_none()
    {
        p.push(Problem::new(
            format!("{path}.secret"),
            "must be `whsec_` and base64 of 24 to 64 bytes",
        ));
    }
    if c.dedup_window_secs > MAX_WINDOW_SECS {
        p.push(Problem::new(
            format!("{path}.dedup_window_secs"),
            format!("must be at most {MAX_WINDOW_SECS} (30 days)"),
        ));
    }
    if let Some(r) = c.rate_limit {
        if r.max == 0 {
            p.push(Problem::new(
                format!("{path}.rate_limit.max"),
                "must be at least 1",
            ));
        }
        if !window_ok(r.per_secs) {
            p.push(Problem::new(
                format!("{path}.rate_limit.per_secs"),
                format!("must be 1 to {MAX_WINDOW_SECS}"),
            ));
        }
    }
}

/// The HMAC key of a Standard Webhooks secret: the base64 after `whsec_`.
pub(super) fn webhook_key(secret: &str) -> Option<Vec<u8>> {
    let key = base64::decode(secret.strip_prefix("whsec_")?)?;
    (24..=64).contains(&key.len()).then_some(key)
}

fn check_threshold(t: &Threshold, path: &str, p: &mut Vec<Problem>) {
    if !(1..=MAX_THRESHOLD_COUNT).contains(&t.count) {
        p.push(Problem::new(
            format!("{path}.count"),
            format!("must be 1 to {MAX_THRESHOLD_COUNT}"),
        ));
    }
    if !window_ok(t.window_secs) {
        p.push(Problem::new(
            format!("{path}.window_secs"),
            format!("must be 1 to {MAX_WINDOW_SECS}"),
        ));
    }
}

/// `$.a` + `key` → `$.a.key`, or `$.a["key with spaces"]`.
fn child(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", serde_json::Value::String(key.to_owned()))
    }
}

fn check_rule(r: &RuleConfig, path: &str, channels: &HashSet<&str>, p: &mut Vec<Problem>) {
    if r.channels.is_empty() {
        p.push(Problem::new(
            format!("{path}.channels"),
            "must name at least one channel",
        ));
    }
    let mut seen = HashSet::new();
    for (j, c) in r.channels.iter().enumerate() {
        if !channels.contains(c.as_str()) {
            p.push(Problem::new(
                format!("{path}.channels[{j}]"),
                format!("unknown channel `{c}`"),
            ));
        } else if !seen.insert(c) {
            p.push(Problem::new(
                format!("{path}.channels[{j}]"),
                format!("channel `{c}` is listed twice"),
            ));
        }
    }
    for (j, t) in r.record_types.iter().enumerate() {
        if !Record::KINDS.contains(&t.as_str()) {
            p.push(Problem::new(
                format!("{path}.record_types[{j}]"),
                format!(
                    "unknown record type `{t}`; expected one of: {}",
                    Record::KINDS.join(", ")
                ),
            ));
        }
    }
    p.extend(crate::select::EventTypes::problems(
        &r.event_types,
        &format!("{path}.event_types"),
    ));
    for (j, o) in r.org_ids.iter().enumerate() {
        if o.trim().is_empty() {
            p.push(Problem::new(
                format!("{path}.org_ids[{j}]"),
                "must not be empty",
            ));
        }
    }
    if let Some(t) = &r.threshold {
        check_threshold(t, &format!("{path}.threshold"), p);
    }
    if !r.group_by.is_empty() && r.threshold.is_none() && r.org_thresholds.is_empty() {
        p.push(Problem::new(
            format!("{path}.group_by"),
            "groups a threshold, but the rule has none: add `threshold`",
        ));
    }
    for (j, f) in r.group_by.iter().enumerate() {
        if r.group_by[..j].contains(f) {
            p.push(Problem::new(
                format!("{path}.group_by[{j}]"),
                "is listed twice",
            ));
        }
    }
    for (org, t) in &r.org_thresholds {
        let at = child(&format!("{path}.org_thresholds"), org);
        check_threshold(t, &at, p);
        if !r.org_ids.is_empty() && !r.org_ids.contains(org) {
            p.push(Problem::new(
                at,
                format!("org `{org}` is not in org_ids, so this threshold never applies"),
            ));
        }
    }
}
