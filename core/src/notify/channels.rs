//! Each service's request for one alert. Field names follow the vendors'
//! documentation, cited per function; every value comes from the alert's
//! [`Content`] (copied from the record) or the channel's own settings.

use super::config::{ChannelConfig, ChannelKind, OpsgenieRegion, webhook_key};
use super::content::{Content, clip, one_line};
use super::email::{self, Envelope};
use super::{AlertRequest, Delivery};
use crate::clock::rfc3339_ms;
use crate::schema::{Record, Severity};
use crate::text::truncate;
use serde_json::{Map, Value, json};

/// PagerDuty Events API v2 endpoint
/// (developer.pagerduty.com/docs/events-api-v2/trigger-events).
pub const PAGERDUTY_URL: &str = "https://events.pagerduty.com/v2/enqueue";
/// Opsgenie Alert API, US instance (docs.opsgenie.com/docs/alert-api).
pub const OPSGENIE_US_URL: &str = "https://api.opsgenie.com/v2/alerts";
/// Opsgenie Alert API, EU instance.
pub const OPSGENIE_EU_URL: &str = "https://api.eu.opsgenie.com/v2/alerts";

/// A validated channel's destination.
#[derive(Clone)]
pub(super) enum Target {
    Slack { url: String },
    Teams { url: String },
    Pagerduty { url: String, routing_key: String },
    Opsgenie { url: String, api_key: String },
    Email { from: String, to: Vec<String> },
    Webhook { url: String, key: Option<Vec<u8>> },
}

impl Target {
    /// The destination of a channel that passed validation.
    pub(super) fn new(c: &ChannelConfig) -> Target {
        let url = c.url.clone().unwrap_or_default();
        match c.kind {
            ChannelKind::Slack => Target::Slack { url },
            ChannelKind::Teams => Target::Teams { url },
            ChannelKind::Pagerduty => Target::Pagerduty {
                url: c.url.clone().unwrap_or_else(|| PAGERDUTY_URL.to_owned()),
                routing_key: c.routing_key.clone().unwrap_or_default(),
            },
            ChannelKind::Opsgenie => Target::Opsgenie {
                url: c.url.clone().unwrap_or_else(|| {
                    match c.region.unwrap_or(OpsgenieRegion::Us) {
                        OpsgenieRegion::Us => OPSGENIE_US_URL,
                        OpsgenieRegion::Eu => OPSGENIE_EU_URL,
                    }
                    .to_owned()
                }),
                api_key: c.api_key.clone().unwrap_or_default(),
            },
            ChannelKind::Email => Target::Email {
                from: c.from.clone().unwrap_or_default(),
                to: c.to.clone(),
            },
            ChannelKind::Webhook => Target::Webhook {
                url,
                key: c.secret.as_deref().and_then(webhook_key),
            },
        }
    }
}

/// Everything a renderer needs besides the destination.
pub(super) struct Ctx<'a> {
    pub(super) content: &'a Content,
    /// The redacted text, when the channel includes it.
    pub(super) text: Option<&'a str>,
    pub(super) alert_id: &'a str,
    /// Hex digest unique per alert (Message-ID).
    pub(super) id_hex: &'a str,
    pub(super) dedup_key: &'a str,
    pub(super) channel_id: &'a str,
    pub(super) source: &'a str,
    pub(super) now_ms: i64,
    pub(super) record: &'a Record,
}

pub(super) fn render(target: &Target, ctx: &Ctx<'_>) -> Delivery {
    match target {
        Target::Slack { url } => Delivery::Http(post(url, &slack(ctx), Vec::new())),
        Target::Teams { url } => Delivery::Http(post(url, &teams(ctx), Vec::new())),
        Target::Pagerduty { url, routing_key } => {
            Delivery::Http(post(url, &pagerduty(ctx, routing_key), Vec::new()))
        }
        Target::Opsgenie { url, api_key } => {
            let auth = ("Authorization".to_owned(), format!("GenieKey {api_key}"));
            Delivery::Http(post(url, &opsgenie(ctx), vec![auth]))
        }
        Target::Email { from, to } => Delivery::Email(email::render(
            ctx.content,
            ctx.text,
            &Envelope {
                from,
                to,
                source: ctx.source,
                id_hex: ctx.id_hex,
                now_ms: ctx.now_ms,
            },
        )),
        Target::Webhook { url, key } => Delivery::Http(webhook(url, key.as_deref(), ctx)),
    }
}

fn post(url: &str, body: &Value, extra: Vec<(String, String)>) -> AlertRequest {
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    headers.extend(extra);
    AlertRequest {
        method: "POST".to_owned(),
        url: url.to_owned(),
        headers,
        body: serde_json::to_vec(body).unwrap_or_default(),
    }
}

/// Slack reads `&`, `<` and `>` in mrkdwn as markup (`<!channel>` pings
/// everyone), so values are escaped (api.slack.com/reference/surfaces/formatting).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn context_line(c: &Content) -> String {
    format!(
        "{} {} · {} · alert rule {}",
        c.record_type, c.record_id, c.timestamp, c.rule_id
    )
}

/// Slack incoming webhook: Block Kit `blocks` with a `text` fallback for
/// notifications. Limits from docs.slack.dev/reference/block-kit/blocks:
/// header text 150 characters; section fields at most 10, 2000 characters
/// each; section text 3000.
fn slack(ctx: &Ctx<'_>) -> Value {
    let c = ctx.content;
    let mut blocks = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": clip(&c.title, 150), "emoji": true}
    })];
    for chunk in c.facts.chunks(10) {
        let fields: Vec<Value> = chunk
            .iter()
            .map(|f| {
                let text = format!("*{}*\n{}", f.label, slack_escape(&f.value));
                json!({"type": "mrkdwn", "text": clip_keep_lines(&text, 2000)})
            })
            .collect();
        blocks.push(json!({"type": "section", "fields": fields}));
    }
    if let Some(text) = ctx.text {
        blocks.push(json!({
            "type": "section",
            "text": {"type": "plain_text", "text": clip_keep_lines(text, 3000)}
        }));
    }
    blocks.push(json!({
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": slack_escape(&clip(&context_line(c), 2000))}]
    }));
    json!({"text": slack_escape(&c.title), "blocks": blocks})
}

/// Like [`clip`] but keeps line breaks, for multi-line text fields.
fn clip_keep_lines(s: &str, max: usize) -> String {
    let lines = s
        .split('\n')
        .map(|l| one_line(l.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join("\n");
    match truncate(&lines, max.saturating_sub(1)) {
        (kept, true) => format!("{kept}…"),
        (_, false) => lines,
    }
}

/// Microsoft Teams Workflows ("Post to a channel when a webhook request is
/// received"): a `message` with one Adaptive Card attachment
/// (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using;
/// card schema adaptivecards.io, version 1.4).
fn teams(ctx: &Ctx<'_>) -> Value {
    let c = ctx.content;
    let color = match c.severity {
        Some(Severity::Critical | Severity::High) => "Attention",
        Some(Severity::Medium) => "Warning",
        _ => "Default",
    };
    let facts: Vec<Value> = c
        .facts
        .iter()
        .map(|f| json!({"title": f.label, "value": f.value}))
        .collect();
    let mut body = vec![
        json!({"type": "TextBlock", "text": c.title, "size": "Large", "weight": "Bolder",
               "color": color, "wrap": true}),
        json!({"type": "FactSet", "facts": facts}),
    ];
    if let Some(text) = ctx.text {
        body.push(
            json!({"type": "TextBlock", "text": clip_keep_lines(text, 3000),
                         "fontType": "Monospace", "wrap": true}),
        );
    }
    body.push(
        json!({"type": "TextBlock", "text": context_line(c), "isSubtle": true,
                     "size": "Small", "wrap": true}),
    );
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
                "msteams": {"width": "Full"}
            }
        }]
    })
}

fn details(ctx: &Ctx<'_>) -> Map<String, Value> {
    let c = ctx.content;
    let mut d = Map::new();
    for f in &c.facts {
        d.insert(f.key.to_owned(), Value::String(f.value.clone()));
    }
    d.insert("record_type".into(), c.record_type.into());
    d.insert("record_id".into(), c.record_id.clone().into());
    d.insert("alert_rule".into(), c.rule_id.clone().into());
    if let Some(text) = ctx.text {
        d.insert("redacted_text".into(), clip_keep_lines(text, 3000).into());
    }
    d
}

/// PagerDuty Events API v2 trigger event
/// (developer.pagerduty.com/docs/events-api-v2/trigger-events): `summary`
/// at most 1024 characters; `severity` one of critical, error, warning,
/// info; `dedup_key` at most 255 characters.
fn pagerduty(ctx: &Ctx<'_>, routing_key: &str) -> Value {
    let c = ctx.content;
    let severity = match c.severity {
        Some(Severity::Critical) => "critical",
        Some(Severity::High) => "error",
        Some(Severity::Medium) => "warning",
        Some(Severity::Low) | None => "info",
    };
    let mut payload = json!({
        "summary": clip(&c.title, 1024),
        "source": ctx.source,
        "severity": severity,
        "timestamp": c.timestamp,
        "class": c.class,
        "custom_details": details(ctx),
    });
    if let Some(component) = &c.component {
        payload["component"] = component.clone().into();
    }
    if !c.org_id.is_empty() {
        payload["group"] = c.org_id.clone().into();
    }
    json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": ctx.dedup_key,
        "payload": payload,
    })
}

/// Opsgenie Create Alert (docs.opsgenie.com/docs/alert-api#create-alert):
/// `message` at most 130 characters, `alias` 512, `description` 15000,
/// `entity` 512, `source` 100, at most 20 `tags` of 50 characters,
/// `priority` P1–P5.
fn opsgenie(ctx: &Ctx<'_>) -> Value {
    let c = ctx.content;
    let priority = match c.severity {
        Some(Severity::Critical) => "P1",
        Some(Severity::High) => "P2",
        Some(Severity::Medium) => "P3",
        Some(Severity::Low) => "P4",
        None => "P5",
    };
    let mut description: Vec<String> = c
        .facts
        .iter()
        .map(|f| format!("{}: {}", f.label, f.value))
        .collect();
    if let Some(text) = ctx.text {
        description.push(String::new());
        description.push(clip_keep_lines(text, 3000));
    }
    description.push(String::new());
    description.push(context_line(c));
    let mut tags = vec![clip(ctx.source, 50), c.record_type.to_owned()];
    if let Some(s) = c.severity {
        tags.push(s.as_str().to_owned());
    }
    tags.push(clip(&c.rule_id, 50));
    let mut seen = std::collections::HashSet::new();
    tags.retain(|t| seen.insert(t.clone()));
    let details: Map<String, Value> = details(ctx)
        .into_iter()
        .filter(|(k, _)| k != "redacted_text")
        .collect();
    let mut body = json!({
        "message": clip(&c.title, 130),
        "alias": ctx.dedup_key,
        "description": description.join("\n").chars().take(15_000).collect::<String>(),
        "priority": priority,
        "tags": tags,
        "details": details,
        "source": clip(ctx.source, 100),
    });
    let entity = c.component.as_deref().unwrap_or(&c.org_id);
    if !entity.is_empty() {
        body["entity"] = clip(entity, 512).into();
    }
    body
}

/// A generic webhook: `{type, timestamp, data}` as Standard Webhooks
/// suggests, `data` holding the alert and the (already redacted) record.
/// With a secret, signed per the Standard Webhooks spec
/// (github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
fn webhook(url: &str, key: Option<&[u8]>, ctx: &Ctx<'_>) -> AlertRequest {
    let c = ctx.content;
    let facts: Map<String, Value> = c
        .facts
        .iter()
        .map(|f| (f.key.to_owned(), Value::String(f.value.clone())))
        .collect();
    let mut data = json!({
        "alert_id": ctx.alert_id,
        "channel_id": ctx.channel_id,
        "alert_rule": c.rule_id,
        "dedup_key": ctx.dedup_key,
        "title": c.title,
        "severity": c.severity.map(Severity::as_str),
        "org_id": c.org_id,
        "facts": facts,
        "record": record_json(ctx.record),
    });
    if let Some(t) = &c.threshold {
        data["threshold"] = json!({"count": t.count, "window_secs": t.window_secs});
        if let Some(g) = &t.group {
            data["threshold"]["group"] = json!(g);
        }
    }
    let body = json!({
        "type": "govstream.alert",
        "timestamp": rfc3339_ms(ctx.now_ms),
        "data": data,
    });
    let ts = ctx.now_ms.div_euclid(1000).to_string();
    let mut headers = vec![
        ("webhook-id".to_owned(), ctx.alert_id.to_owned()),
        ("webhook-timestamp".to_owned(), ts.clone()),
    ];
    let mut req = post(url, &body, Vec::new());
    if let Some(key) = key {
        headers.push((
            "webhook-signature".to_owned(),
            format!("v1,{}", sign(key, ctx.alert_id, &ts, &req.body)),
        ));
    }
    req.headers.extend(headers);
    req
}

/// The record as the pipeline writes it. Going through its JSON line keeps
/// an `f32` confidence at its short form (`0.95`, not `0.949999988…`).
fn record_json(record: &Record) -> Value {
    record
        .to_json_line()
        .ok()
        .and_then(|line| serde_json::from_str(&line).ok())
        .unwrap_or(Value::Null)
}

/// Base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
pub(super) fn sign(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> String {
    crate::base64::standard_webhook_signature(key, id, timestamp, body)
}
