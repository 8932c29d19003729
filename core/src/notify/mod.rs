//! Notifications: rules on record kind, type name, verdict, severity, category, org
//! and per-org thresholds turn records into alerts for Slack, Microsoft
//! Teams, PagerDuty, Opsgenie, email and webhooks, with a dedup window and
//! a rate limit per channel and a health report per channel.
//!
//! The engine is sans-IO: [`Notifier::on_record`] returns ready requests
//! ([`AlertRequest`]) or messages ([`EmailMessage`]); the host or a driver
//! sends them and reports each outcome with [`Notifier::on_result`]. Time
//! is always passed in, in milliseconds since the epoch.
//!
//! Alerts are built from the record alone, and records are already shaped
//! by the org's logging level, so an alert never carries more than the
//! record does (below `full`, no matched value).
//!
//! ```
//! use govstream::notify::{Delivery, Notifier};
//! use govstream::policy::{EvaluationContext, Policy};
//!
//! let mut notifier = Notifier::from_json(r#"{
//!     "channels": [{"id": "soc", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/X"}],
//!     "rules": [{"id": "blocked", "channels": ["soc"], "min_verdict": "block"}]
//! }"#).unwrap();
//! let policy = Policy::default_policy().unwrap();
//! let decision = policy.evaluate(
//!     "deploy with ghp_0123456789abcdefghijABCDEFGHIJ012345 today",
//!     &EvaluationContext::default(),
//! );
//! let mut alerts = Vec::new();
//! for record in decision.records() {
//!     alerts.extend(notifier.on_record(&record, 1_700_000_000_000));
//! }
//! assert_eq!(alerts.len(), 1);
//! let Delivery::Http(request) = &alerts[0].delivery else { unreachable!() };
//! assert_eq!(request.url, "https://hooks.slack.com/services/T/B/X");
//! // … send it, then:
//! notifier.on_result(&alerts[0].alert_id, true, None, 1_700_000_000_500);
//! assert_eq!(notifier.health()[0].successes, 1);
//! ```

mod channels;
mod config;
mod content;
mod email;
mod state;

pub use channels::{OPSGENIE_EU_URL, OPSGENIE_US_URL, PAGERDUTY_URL};
pub use config::{
    ChannelConfig, ChannelKind, DEFAULT_DEDUP_WINDOW_SECS, DedupField, MAX_THRESHOLD_COUNT,
    MAX_WINDOW_SECS, NotifyConfig, OpsgenieRegion, RateLimit, RuleConfig, Threshold,
};
pub use state::{ChannelHealth, HealthStatus};

use crate::endpoint;
use crate::schema::Record;
use crate::select::{glob_matches, type_name};
use crate::{Error, Result};
use channels::{Ctx, Target};
use content::{Content, RecordView};
use sha2::{Digest, Sha256};
pub use state::MAX_THRESHOLD_GROUPS;
use state::{Dedup, Health, ThresholdCounter, TokenBucket};

/// An HTTP request for the host to send as it is. `Debug` shows the URL's
/// host only and hides header values: both may carry credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct AlertRequest {
    /// `POST`.
    pub method: String,
    /// The endpoint, which may embed a credential (Slack and Teams webhook
    /// URLs do): do not log it.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (JSON).
    pub body: Vec<u8>,
}

impl std::fmt::Debug for AlertRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, _)| (k.as_str(), "<redacted>"))
            .collect();
        f.debug_struct("AlertRequest")
            .field("method", &self.method)
            .field(
                "url",
                &format!("{}/<redacted>", endpoint::display(&self.url)),
            )
            .field("headers", &headers)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// An email for the host to send as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// Envelope sender (also the `From` header).
    pub from: String,
    /// Envelope recipients (also the `To` header).
    pub to: Vec<String>,
    /// The subject, unencoded, for logs and previews.
    pub subject: String,
    /// The whole RFC 5322 message: headers, blank line, body; CRLF line
    /// endings.
    pub message: String,
}

/// How an alert is delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Send this HTTP request.
    Http(AlertRequest),
    /// Send this email.
    Email(EmailMessage),
}

/// One alert for one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// `<channel_id>:<32 hex>`, the same for the same channel, rule and
    /// record every time: report outcomes with it, and receivers can use it
    /// as an idempotency key (it is the webhook's `webhook-id`).
    pub alert_id: String,
    /// The channel.
    pub channel_id: String,
    /// The channel's service.
    pub kind: ChannelKind,
    /// The rule that fired.
    pub rule_id: String,
    /// What makes two alerts the same (the rule's `dedup_by`); PagerDuty's
    /// `dedup_key` and Opsgenie's `alias`.
    pub dedup_key: String,
    /// The request or message.
    pub delivery: Delivery,
}

struct Channel {
    id: String,
    kind: ChannelKind,
    include_text: bool,
    target: Target,
    dedup: Dedup,
    bucket: Option<TokenBucket>,
    health: Health,
}

struct Rule {
    config: RuleConfig,
    channels: Vec<usize>,
    longest_window_secs: u64,
    counter: ThresholdCounter,
}

/// The notification engine. Holds state (dedup windows, rate limits,
/// threshold counts, health) and no I/O; `Send`, so a host can keep it
/// behind a mutex.
pub struct Notifier {
    config: NotifyConfig,
    channels: Vec<Channel>,
    rules: Vec<Rule>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Lowercase hex of SHA-256 over length-prefixed parts, so `("ab", "c")`
/// and `("a", "bc")` differ; `hex_len` ≤ 64.
fn digest_hex(parts: &[&str], hex_len: usize) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let mut out: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    out.truncate(hex_len);
    out
}

fn rule_matches(r: &RuleConfig, v: &RecordView<'_>) -> bool {
    let kind = v.record.kind();
    (r.record_types.is_empty() || r.record_types.iter().any(|t| t == kind))
        && (r.event_types.is_empty() || {
            let name = type_name(v.record);
            r.event_types.iter().any(|g| glob_matches(g, &name))
        })
        && r.min_verdict
            .is_none_or(|m| v.verdict.is_some_and(|x| x >= m))
        && r.min_severity
            .is_none_or(|m| v.severity.is_some_and(|x| x >= m))
        && (r.categories.is_empty() || v.category.is_some_and(|c| r.categories.contains(&c)))
        && (r.org_ids.is_empty() || r.org_ids.iter().any(|o| o == v.org_id))
        && (r.audit_event_types.is_empty()
            || v.audit_type
                .is_some_and(|t| r.audit_event_types.contains(&t)))
}

fn dedup_key(r: &RuleConfig, v: &RecordView<'_>) -> String {
    let mut parts = vec!["govstream.notify.v1", r.id.as_str()];
    if r.dedup_by.is_empty() {
        parts.extend([v.record.kind(), v.record.event_id()]);
    } else {
        for &f in &r.dedup_by {
            parts.push(v.field(f));
        }
    }
    digest_hex(&parts, 40)
}

/// The threshold group of a record: its org and, with `group_by`, the
/// values of those fields (the map key, unambiguous whatever the values
/// hold), and how an alert names it (`user_id=u-1042`).
fn threshold_group(r: &RuleConfig, v: &RecordView<'_>) -> (String, Option<String>) {
    if r.group_by.is_empty() {
        return (v.org_id.to_owned(), None);
    }
    let mut key = vec![v.org_id];
    let mut label = Vec::new();
    for &f in &r.group_by {
        let value = v.field(f);
        key.push(value);
        let name = serde_json::to_value(f)
            .ok()
            .and_then(|n| n.as_str().map(str::to_owned))
            .unwrap_or_default();
        let shown = if value.is_empty() { "(none)" } else { value };
        label.push(format!(
            "{name}={}",
            content::one_line(&clip_chars(shown, 100))
        ));
    }
    (
        serde_json::to_string(&key).unwrap_or_default(),
        Some(label.join(", ")),
    )
}

/// At most `n` characters of `s`.
fn clip_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// One rule's threshold state, as [`Notifier::rule_stats`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleStats {
    /// The rule id.
    pub rule_id: String,
    /// Threshold groups (orgs, or orgs and `group_by` values) tracked now.
    pub tracked_groups: usize,
    /// Groups forgotten because [`MAX_THRESHOLD_GROUPS`] were tracked: their
    /// counts started again from zero.
    pub evicted_groups: u64,
}

impl Notifier {
    /// Threshold state per rule, in config order: how many groups are
    /// tracked, and how many were evicted by the bound.
    pub fn rule_stats(&self) -> Vec<RuleStats> {
        self.rules
            .iter()
            .map(|r| RuleStats {
                rule_id: r.config.id.clone(),
                tracked_groups: r.counter.groups(),
                evicted_groups: r.counter.evicted,
            })
            .collect()
    }

    /// Checks `config` and builds the engine. Every problem is reported at
    /// once as [`Error::Validation`] (`what`: `notification config`), each
    /// with its JSON path.
    pub fn new(config: NotifyConfig) -> Result<Notifier> {
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(Error::Validation {
                what: "notification config".to_owned(),
                problems,
            });
        }
        let channels = config
            .channels
            .iter()
            .map(|c| Channel {
                id: c.id.clone(),
                kind: c.kind,
                include_text: c.include_text,
                target: Target::new(c),
                dedup: Dedup::new(c.dedup_window_secs),
                bucket: c.rate_limit.map(TokenBucket::new),
                health: Health::default(),
            })
            .collect::<Vec<_>>();
        let rules = config
            .rules
            .iter()
            .map(|r| Rule {
                channels: r
                    .channels
                    .iter()
                    .filter_map(|id| channels.iter().position(|c| &c.id == id))
                    .collect(),
                longest_window_secs: r
                    .org_thresholds
                    .values()
                    .chain(&r.threshold)
                    .map(|t| t.window_secs)
                    .max()
                    .unwrap_or(0),
                config: r.clone(),
                counter: ThresholdCounter::default(),
            })
            .collect();
        Ok(Notifier {
            config,
            channels,
            rules,
        })
    }

    /// Reads a JSON config and builds the engine (see
    /// [`NotifyConfig::from_json`] and [`Notifier::new`]).
    pub fn from_json(json: &str) -> Result<Notifier> {
        Notifier::new(NotifyConfig::from_json(json)?)
    }

    /// The config this engine was built from.
    pub fn config(&self) -> &NotifyConfig {
        &self.config
    }

    /// Runs every rule on `record` at `now_ms` and returns the alerts to
    /// send, in rule order and then channel order. Each rule fires on its
    /// own: two rules that match the same record both alert. An alert
    /// withheld by dedup or by the rate limit is counted in
    /// [`health`](Self::health), never dropped silently.
    pub fn on_record(&mut self, record: &Record, now_ms: i64) -> Vec<Alert> {
        let view = RecordView::new(record);
        let mut out = Vec::new();
        for rule in &mut self.rules {
            let r = &rule.config;
            if !rule_matches(r, &view) {
                continue;
            }
            let fired = match r.org_thresholds.get(view.org_id).or(r.threshold.as_ref()) {
                Some(&t) => {
                    let (group, label) = threshold_group(r, &view);
                    match rule.counter.hit(
                        &group,
                        label.as_deref(),
                        t,
                        rule.longest_window_secs,
                        now_ms,
                    ) {
                        Some(fired) => Some(fired),
                        None => continue,
                    }
                }
                None => None,
            };
            let content = Content::build(&view, &r.id, r.severity.or(view.severity), fired);
            let key = dedup_key(r, &view);
            for &ci in &rule.channels {
                let Some(ch) = self.channels.get_mut(ci) else {
                    continue;
                };
                if ch.dedup.is_duplicate(&key, now_ms) {
                    ch.health.suppressed += 1;
                    continue;
                }
                if let Some(bucket) = &mut ch.bucket
                    && !bucket.take(now_ms)
                {
                    ch.health.rate_limited += 1;
                    continue;
                }
                ch.dedup.note(&key, now_ms);
                ch.health.alerts += 1;
                out.push(alert(
                    ch,
                    &content,
                    &key,
                    record,
                    &self.config.source,
                    now_ms,
                ));
            }
        }
        out
    }

    /// Records the outcome of delivering `alert_id` at `now_ms`: a success,
    /// or a failure with the host's error message. Returns false when the
    /// id names no channel of this engine (the outcome is then ignored).
    pub fn on_result(
        &mut self,
        alert_id: &str,
        ok: bool,
        error: Option<String>,
        now_ms: i64,
    ) -> bool {
        let Some((channel_id, _)) = alert_id.rsplit_once(':') else {
            return false;
        };
        match self.channels.iter_mut().find(|c| c.id == channel_id) {
            Some(ch) => {
                ch.health.outcome(ok, error, now_ms);
                true
            }
            None => false,
        }
    }

    /// Every channel's counters, in config order.
    pub fn health(&self) -> Vec<ChannelHealth> {
        self.channels
            .iter()
            .map(|c| c.health.report(&c.id, c.kind))
            .collect()
    }
}

fn alert(
    ch: &Channel,
    content: &Content,
    key: &str,
    record: &Record,
    source: &str,
    now_ms: i64,
) -> Alert {
    let id_hex = digest_hex(&[&ch.id, key, record.kind(), record.event_id()], 32);
    let alert_id = format!("{}:{id_hex}", ch.id);
    let ctx = Ctx {
        content,
        text: content.text.as_deref().filter(|_| ch.include_text),
        alert_id: &alert_id,
        id_hex: &id_hex,
        dedup_key: key,
        channel_id: &ch.id,
        source,
        now_ms,
        record,
    };
    let delivery = channels::render(&ch.target, &ctx);
    Alert {
        alert_id,
        channel_id: ch.id.clone(),
        kind: ch.kind,
        rule_id: content.rule_id.clone(),
        dedup_key: key.to_owned(),
        delivery,
    }
}

#[cfg(test)]
mod tests;
