//! `OpsHealth`: the 24-hour operational snapshot. Answers "is the extension
//! working?" (evaluations and their error rate), "are policies and DLP
//! firing?" (coverage, hit and block rates, high/critical incidents, top
//! patterns), "are we nearing subscription limits?" (active endpoints) and
//! "are alerts reaching downstream systems?" (notification and sink
//! delivery, with the last errors).

use super::counts::{PatternCount, PatternCounter, VerdictCounts, ratio};
use super::summary::DEFAULT_TOP_PATTERNS;
use super::timestamp::parse_timestamp_ms;
use super::window::Window;
use crate::clock::rfc3339_ms;
use crate::notify::{ChannelHealth, HealthStatus};
use crate::pipeline::SinkStats;
use crate::schema::{ClientContext, Identity, Record, Verdict};
use serde::Serialize;
use std::collections::HashSet;

/// Share of the subscription limit at which [`EndpointUsage::near_limit`]
/// turns on.
const NEAR_LIMIT: f64 = 0.9;

/// Active endpoints against the subscription limit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointUsage {
    /// Distinct endpoints seen in the last 24 hours.
    pub active_24h: u64,
    /// Distinct endpoints seen in the last 30 days.
    pub active_30d: u64,
    /// Endpoints the subscription allows, when known.
    pub subscription_limit: Option<u64>,
    /// `active_30d / subscription_limit`, when there is a non-zero limit.
    pub utilization: Option<f64>,
    /// `active_30d` is at least 90% of the limit.
    pub near_limit: bool,
    /// `active_30d` is above the limit.
    pub over_limit: bool,
}

/// Notification delivery, from [`ChannelHealth`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotificationHealth {
    /// Channels configured.
    pub channels: u64,
    /// Deliveries reported successful, all channels.
    pub successes: u64,
    /// Deliveries reported failed, all channels.
    pub failures: u64,
    /// `successes / (successes + failures)`; 0 when nothing was delivered.
    pub success_rate: f64,
    /// Channels whose latest delivery failed.
    pub failing_channels: Vec<String>,
}

/// Record delivery to sinks, from [`SinkStats`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SinkHealth {
    /// Sinks.
    pub sinks: u64,
    /// Records acknowledged by their target.
    pub delivered: u64,
    /// Records refused for good.
    pub dead_lettered: u64,
    /// Records given up before delivery.
    pub dropped: u64,
    /// Records still queued or in flight.
    pub pending: u64,
    /// Retransmissions.
    pub retried: u64,
}

/// The latest error of a channel or a sink.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastError {
    /// `notification` or `sink`.
    pub source: &'static str,
    /// The channel id or sink name.
    pub name: String,
    /// The error, in words.
    pub message: String,
    /// When it happened, RFC 3339, when known (sinks do not record it).
    pub at: Option<String>,
}

/// The operational snapshot. Rates are fractions between 0 and 1, and 0
/// when their denominator is 0. "24h" is the window ending at `now`
/// ([`Window::Day`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpsHealth {
    /// The `now` it was computed for, RFC 3339 UTC with milliseconds.
    pub generated_at: String,
    /// Events (evaluations that produced a record) in the last 24 hours.
    pub evaluations_24h: u64,
    /// Evaluations that failed, as the host counted them.
    pub evaluate_errors_24h: u64,
    /// `errors / (errors + evaluations)`.
    pub evaluate_error_rate: f64,
    /// Events per verdict, last 24 hours.
    pub verdicts_24h: VerdictCounts,
    /// Share of events blocked, for any reason.
    pub block_rate: f64,
    /// Events with at least one DLP match.
    pub dlp_events_24h: u64,
    /// Share of events with at least one DLP match.
    pub dlp_event_rate: f64,
    /// Events blocked because of a DLP match.
    pub dlp_blocks_24h: u64,
    /// Share of events blocked because of a DLP match.
    pub dlp_block_rate: f64,
    /// Share of events at least one policy produced a result for
    /// (a DLP rule matched or the AI-tool policy decided).
    pub policy_hit_rate: f64,
    /// Share of events whose text was scanned completely: neither
    /// `degraded` nor `dlp.scan_truncated`.
    pub dlp_coverage: f64,
    /// Events with a DLP match of severity high or critical.
    pub high_or_above_incidents_24h: u64,
    /// Events with a critical DLP match.
    pub critical_incidents_24h: u64,
    /// The DLP rules of the last 24 hours, most severe first, then most
    /// frequent (as [`AnalyticsSummary::top_patterns`](super::AnalyticsSummary::top_patterns)).
    pub top_patterns_24h: Vec<PatternCount>,
    /// Active endpoints against the subscription limit.
    pub endpoints: EndpointUsage,
    /// Notification delivery.
    pub notifications: NotificationHealth,
    /// Sink delivery.
    pub sinks: SinkHealth,
    /// The latest error of every channel and sink that has one, newest
    /// first (errors without a time last, by name).
    pub last_errors: Vec<LastError>,
}

impl OpsHealth {
    /// Computes the snapshot at `now_ms` from the records seen (events,
    /// their DLP matches and shadow-AI events; at least the last 30 days of
    /// them for the endpoint counts), the sinks' counters, the notification
    /// channels' health, the subscription's endpoint limit and the number of
    /// `evaluate` calls that failed in the last 24 hours.
    pub fn compute<'a>(
        records: impl IntoIterator<Item = &'a Record>,
        pipeline_stats: &[SinkStats],
        channel_health: &[ChannelHealth],
        now_ms: i64,
        subscription_limit: Option<u64>,
        evaluate_errors: u64,
    ) -> OpsHealth {
        let mut day = DayCounts::default();
        let mut patterns = PatternCounter::default();
        let mut endpoints_24h = HashSet::new();
        let mut endpoints_30d = HashSet::new();
        // Keys borrow from the records: no allocation per record.
        let mut endpoint_seen = |key: Option<EndpointKey<'a>>, ts: i64| {
            let Some(key) = key else { return };
            if Window::Day.contains(ts, now_ms) {
                endpoints_24h.insert(key);
            }
            endpoints_30d.insert(key);
        };
        for record in records {
            match record {
                Record::Event(e) => {
                    let Some(ts) = parse_timestamp_ms(&e.timestamp) else {
                        continue;
                    };
                    if !Window::Month.contains(ts, now_ms) {
                        continue;
                    }
                    endpoint_seen(endpoint_key(&e.client, &e.identity), ts);
                    if Window::Day.contains(ts, now_ms) {
                        day.add(e);
                    }
                }
                Record::DlpMatch(m) => {
                    let Some(ts) = parse_timestamp_ms(&m.timestamp) else {
                        continue;
                    };
                    if Window::Day.contains(ts, now_ms) {
                        patterns.add(&m.rule_id, &m.rule_name, m.severity, ts);
                    }
                }
                Record::ShadowAiEvent(s) => {
                    let Some(ts) = parse_timestamp_ms(&s.timestamp) else {
                        continue;
                    };
                    if Window::Month.contains(ts, now_ms) {
                        let key =
                            endpoint_key_of(None, None, s.extension_id.as_deref(), &s.identity);
                        endpoint_seen(key, ts);
                    }
                }
                Record::ShadowAiFinding(_) | Record::AuditEvent(_) => {}
            }
        }

        let active_30d = endpoints_30d.len() as u64;
        let n = day.events;
        OpsHealth {
            generated_at: rfc3339_ms(now_ms),
            evaluations_24h: n,
            evaluate_errors_24h: evaluate_errors,
            evaluate_error_rate: ratio(evaluate_errors, evaluate_errors + n),
            verdicts_24h: day.verdicts,
            block_rate: ratio(day.verdicts.get(Verdict::Block), n),
            dlp_events_24h: day.dlp_events,
            dlp_event_rate: ratio(day.dlp_events, n),
            dlp_blocks_24h: day.dlp_blocks,
            dlp_block_rate: ratio(day.dlp_blocks, n),
            policy_hit_rate: ratio(day.policy_hits, n),
            dlp_coverage: ratio(day.fully_scanned, n),
            high_or_above_incidents_24h: day.high_or_above,
            critical_incidents_24h: day.critical,
            top_patterns_24h: patterns.top(DEFAULT_TOP_PATTERNS),
            endpoints: EndpointUsage {
                active_24h: endpoints_24h.len() as u64,
                active_30d,
                subscription_limit,
                utilization: subscription_limit
                    .filter(|&l| l > 0)
                    .map(|l| ratio(active_30d, l)),
                near_limit: subscription_limit
                    .is_some_and(|l| active_30d as f64 >= NEAR_LIMIT * l as f64),
                over_limit: subscription_limit.is_some_and(|l| active_30d > l),
            },
            notifications: notification_health(channel_health),
            sinks: sink_health(pipeline_stats),
            last_errors: last_errors(channel_health, pipeline_stats),
        }
    }
}

#[derive(Debug, Default)]
struct DayCounts {
    events: u64,
    verdicts: VerdictCounts,
    dlp_events: u64,
    dlp_blocks: u64,
    policy_hits: u64,
    fully_scanned: u64,
    high_or_above: u64,
    critical: u64,
}

impl DayCounts {
    fn add(&mut self, e: &crate::schema::Event) {
        self.events += 1;
        self.verdicts.add(e.verdict);
        self.dlp_events += u64::from(e.dlp.is_dlp_event);
        self.dlp_blocks += u64::from(e.dlp.blocked_by_dlp);
        self.policy_hits += u64::from(!e.policy_results.is_empty());
        self.fully_scanned += u64::from(!e.degraded && !e.dlp.scan_truncated);
        self.high_or_above += u64::from(e.dlp.high_or_above > 0);
        self.critical += u64::from(e.dlp.critical > 0);
    }
}

/// An endpoint: its kind (so a user and a device with the same id stay
/// two) and id.
type EndpointKey<'a> = (&'static str, &'a str);

/// Who counts as one endpoint: the endpoint id, else the gateway, else the
/// browser extension, else the user.
fn endpoint_key<'a>(client: &'a ClientContext, identity: &'a Identity) -> Option<EndpointKey<'a>> {
    endpoint_key_of(
        client.endpoint_id.as_deref(),
        client.gateway_id.as_deref(),
        client.extension_id.as_deref(),
        identity,
    )
}

fn endpoint_key_of<'a>(
    endpoint: Option<&'a str>,
    gateway: Option<&'a str>,
    extension: Option<&'a str>,
    identity: &'a Identity,
) -> Option<EndpointKey<'a>> {
    [
        ("endpoint", endpoint),
        ("gateway", gateway),
        ("extension", extension),
        ("user", identity.user_id.as_deref()),
        ("user", identity.user_email.as_deref()),
        ("user", identity.idp_user_id.as_deref()),
    ]
    .into_iter()
    .find_map(|(kind, id)| id.filter(|id| !id.is_empty()).map(|id| (kind, id)))
}

fn notification_health(channels: &[ChannelHealth]) -> NotificationHealth {
    let successes = channels.iter().map(|c| c.successes).sum();
    let failures = channels.iter().map(|c| c.failures).sum();
    NotificationHealth {
        channels: channels.len() as u64,
        successes,
        failures,
        success_rate: ratio(successes, successes + failures),
        failing_channels: channels
            .iter()
            .filter(|c| c.status == HealthStatus::Failing)
            .map(|c| c.channel_id.clone())
            .collect(),
    }
}

fn sink_health(stats: &[SinkStats]) -> SinkHealth {
    SinkHealth {
        sinks: stats.len() as u64,
        delivered: stats.iter().map(|s| s.delivered).sum(),
        dead_lettered: stats.iter().map(|s| s.dead_lettered).sum(),
        dropped: stats.iter().map(SinkStats::dropped_total).sum(),
        pending: stats.iter().map(|s| s.pending).sum(),
        retried: stats.iter().map(|s| s.retried).sum(),
    }
}

fn last_errors(channels: &[ChannelHealth], sinks: &[SinkStats]) -> Vec<LastError> {
    let mut out: Vec<LastError> = channels
        .iter()
        .filter_map(|c| {
            Some(LastError {
                source: "notification",
                name: c.channel_id.clone(),
                message: c.last_error.clone()?,
                at: c.last_failure_at.clone(),
            })
        })
        .chain(sinks.iter().filter_map(|s| {
            Some(LastError {
                source: "sink",
                name: s.sink.clone(),
                message: s.last_error.clone()?,
                at: None,
            })
        }))
        .collect();
    // Times are RFC 3339 UTC in one format, so their text order is their
    // time order; `None` sorts below any time, hence last once reversed.
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.name.cmp(&b.name)));
    out
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;
