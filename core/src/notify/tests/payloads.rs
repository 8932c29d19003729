//! Golden payloads per service, and the email format.

use super::*;
use crate::notify::email::tests::{decode_qp, decode_subject};

const SLACK_URL: &str = "https://hooks.slack.com/services/T0/B0/XXXX";

/// The alerts of one channel `channel` for `record`, under a rule matching
/// everything.
fn alerts_for(channel: Value, record: &Record) -> Vec<Alert> {
    let id = channel["id"].clone();
    let mut n = notifier(json!([channel]), json!([{"id": "r", "channels": [id]}]));
    n.on_record(record, NOW)
}

fn http(channel: Value, record: &Record) -> AlertRequest {
    let mut alerts = alerts_for(channel, record);
    assert_eq!(alerts.len(), 1);
    match alerts.remove(0).delivery {
        Delivery::Http(r) => r,
        Delivery::Email(_) => panic!("expected HTTP"),
    }
}

fn body(r: &AlertRequest) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn headers(r: &AlertRequest) -> Vec<(&str, &str)> {
    r.headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn blocked_event() -> Record {
    event("e1", "org_acme", "block", Some("critical"))
}

#[test]
fn slack_blocks_with_fallback_text() {
    let r = http(
        json!({"id": "s", "kind": "slack", "url": SLACK_URL, "include_text": true}),
        &blocked_event(),
    );
    assert_eq!((r.method.as_str(), r.url.as_str()), ("POST", SLACK_URL));
    assert_eq!(headers(&r), [("Content-Type", "application/json")]);
    let field =
        |label: &str, value: &str| json!({"type": "mrkdwn", "text": format!("*{label}*\n{value}")});
    assert_eq!(
        body(&r),
        json!({
            "text": "Blocked prompt in org_acme: dlp:secrets.github_pat",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "emoji": true,
                    "text": "Blocked prompt in org_acme: dlp:secrets.github_pat"}},
                {"type": "section", "fields": [
                    field("Org", "org_acme"),
                    field("Verdict", "block"),
                    field("Phase", "prompt"),
                    field("Reason", "dlp:secrets.github_pat"),
                    field("Max severity", "critical"),
                    field("Matches", "2 (1 high or above, 1 critical)"),
                    field("User", "jane@acme.example"),
                    field("AI tool", "ChatGPT"),
                ]},
                {"type": "section", "text": {"type": "plain_text",
                    "text": "deploy with [REDACTED:secrets.github_pat] today"}},
                {"type": "context", "elements": [{"type": "mrkdwn",
                    "text": "event e1 · 2025-02-03T11:22:53.492Z · alert rule r"}]}
            ]
        })
    );
}

#[test]
fn slack_escapes_markup_and_splits_fields_by_ten() {
    let mut e = blocked_event();
    if let Record::Event(ev) = &mut e {
        ev.org_id = "<!channel> & co".into();
        ev.tool.model = Some("gpt-4o".into());
        ev.client.client = Some("extension".into());
        ev.degraded = true;
    }
    let b = body(&http(
        json!({"id": "s", "kind": "slack", "url": SLACK_URL}),
        &e,
    ));
    assert_eq!(
        b["text"],
        "Blocked prompt in &lt;!channel&gt; &amp; co: dlp:secrets.github_pat"
    );
    assert_eq!(
        b["blocks"][1]["fields"][0]["text"],
        "*Org*\n&lt;!channel&gt; &amp; co"
    );
    assert_eq!(b["blocks"][1]["fields"].as_array().unwrap().len(), 10);
    assert_eq!(b["blocks"][1]["fields"][9]["text"], "*Client*\nextension");
    assert_eq!(b["blocks"][2]["fields"][0]["text"], "*Degraded*\nyes");
    assert_eq!(
        b["blocks"][3]["type"], "context",
        "no text block unless include_text"
    );
}

#[test]
fn teams_adaptive_card() {
    let r = http(
        json!({"id": "t", "kind": "teams", "url": "https://example.logic.azure.com/workflows/x"}),
        &dlp_match("m1", "org_acme", "secret", "high"),
    );
    let fact = |title: &str, value: &str| json!({"title": title, "value": value});
    assert_eq!(
        body(&r),
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": true,
                         "color": "Attention",
                         "text": "High DLP match in org_acme: GitHub personal access token"},
                        {"type": "FactSet", "facts": [
                            fact("Org", "org_acme"),
                            fact("Rule", "GitHub personal access token (secrets.github_pat)"),
                            fact("Category", "secret"),
                            fact("Severity", "high"),
                            fact("Phase", "prompt"),
                            fact("Confidence", "0.95"),
                            fact("Event", "0194d3a0-0000-7000-8000-000000000001"),
                            fact("Fingerprint", "4f2a9c0d1e3b5a7c"),
                        ]},
                        {"type": "TextBlock", "isSubtle": true, "size": "Small", "wrap": true,
                         "text": "dlp_match m1 · 2025-02-03T11:22:53.492Z · alert rule r"}
                    ],
                    "msteams": {"width": "Full"}
                }
            }]
        })
    );
}

#[test]
fn pagerduty_trigger_event() {
    let alerts = alerts_for(
        json!({"id": "pd", "kind": "pagerduty", "routing_key": "R0UTING0KEY0000000000000000000000",
               "url": "http://127.0.0.1:9/enqueue"}),
        &blocked_event(),
    );
    let Delivery::Http(r) = &alerts[0].delivery else {
        panic!()
    };
    assert_eq!(r.url, "http://127.0.0.1:9/enqueue");
    assert_eq!(
        body(r),
        json!({
            "routing_key": "R0UTING0KEY0000000000000000000000",
            "event_action": "trigger",
            "dedup_key": alerts[0].dedup_key,
            "payload": {
                "summary": "Blocked prompt in org_acme: dlp:secrets.github_pat",
                "source": "govstream",
                "severity": "critical",
                "timestamp": "2025-02-03T11:22:53.492Z",
                "component": "ChatGPT",
                "group": "org_acme",
                "class": "event:blocked",
                "custom_details": {
                    "org_id": "org_acme", "verdict": "block", "phase": "prompt",
                    "reason_code": "dlp:secrets.github_pat", "max_severity": "critical",
                    "matches": "2 (1 high or above, 1 critical)", "user": "jane@acme.example",
                    "tool": "ChatGPT", "record_type": "event", "record_id": "e1",
                    "alert_rule": "r"
                }
            }
        })
    );
    assert_eq!(alerts[0].dedup_key.len(), 40);
    let default = http(
        json!({"id": "pd", "kind": "pagerduty", "routing_key": "k"}),
        &blocked_event(),
    );
    assert_eq!(default.url, PAGERDUTY_URL);
}

#[test]
fn pagerduty_and_opsgenie_map_severity() {
    let expect = [
        ("critical", "critical", "P1"),
        ("high", "error", "P2"),
        ("medium", "warning", "P3"),
        ("low", "info", "P4"),
    ];
    for (severity, pd, og) in expect {
        let m = dlp_match("m", "o", "pii", severity);
        let p = body(&http(
            json!({"id": "p", "kind": "pagerduty", "routing_key": "k"}),
            &m,
        ));
        let o = body(&http(
            json!({"id": "o", "kind": "opsgenie", "api_key": "k"}),
            &m,
        ));
        assert_eq!(
            (p["payload"]["severity"].as_str(), o["priority"].as_str()),
            (Some(pd), Some(og))
        );
    }
    let a = audit("a1", None, "Auth:Logout");
    let p = body(&http(
        json!({"id": "p", "kind": "pagerduty", "routing_key": "k"}),
        &a,
    ));
    assert_eq!(p["payload"]["severity"], "info");
    assert!(p["payload"].get("group").is_none(), "no org, no group");
}

#[test]
fn opsgenie_alert_with_rule_severity() {
    let mut n = notifier(
        json!([{"id": "og", "kind": "opsgenie", "api_key": "0000-key", "region": "us"}]),
        json!([{"id": "login-failures", "channels": ["og"], "severity": "high",
                "audit_event_types": ["Auth:LoginFailure"], "dedup_by": ["org_id", "user_email"]}]),
    );
    let alerts = n.on_record(&audit("a1", Some("org_acme"), "Auth:LoginFailure"), NOW);
    let Delivery::Http(r) = &alerts[0].delivery else {
        panic!()
    };
    assert_eq!(r.url, OPSGENIE_US_URL);
    assert_eq!(
        headers(r),
        [
            ("Content-Type", "application/json"),
            ("Authorization", "GenieKey 0000-key")
        ]
    );
    assert_eq!(
        body(r),
        json!({
            "message": "Audit event in org_acme: Login Failure",
            "alias": alerts[0].dedup_key,
            "description": "Org: org_acme\nEvent type: Login Failure (Auth:LoginFailure)\n\
                            User: admin@acme.example\nRequest: req-7\n\n\
                            audit_event a1 · 2025-02-03T11:22:53.492Z · alert rule login-failures",
            "priority": "P2",
            "tags": ["govstream", "audit_event", "high", "login-failures"],
            "details": {
                "org_id": "org_acme", "event_type": "Login Failure (Auth:LoginFailure)",
                "user": "admin@acme.example", "request_id": "req-7", "record_type": "audit_event",
                "record_id": "a1", "alert_rule": "login-failures"
            },
            "entity": "auth",
            "source": "govstream"
        })
    );
    let eu = http(
        json!({"id": "o", "kind": "opsgenie", "api_key": "k", "region": "eu"}),
        &blocked_event(),
    );
    assert_eq!(eu.url, OPSGENIE_EU_URL);
}

#[test]
fn opsgenie_and_slack_respect_length_limits() {
    let mut e = blocked_event();
    if let Record::Event(ev) = &mut e {
        ev.reason_code = format!("dlp:{}", "x".repeat(400));
    }
    let o = body(&http(
        json!({"id": "o", "kind": "opsgenie", "api_key": "k"}),
        &e,
    ));
    let message = o["message"].as_str().unwrap();
    assert_eq!(message.chars().count(), 130);
    assert!(message.ends_with('…'));
    assert!(
        o["tags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.as_str().unwrap().chars().count() <= 50)
    );
    let s = body(&http(
        json!({"id": "s", "kind": "slack", "url": SLACK_URL}),
        &e,
    ));
    assert_eq!(
        s["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        150
    );
}

#[test]
fn webhook_is_signed_per_standard_webhooks() {
    // The reference vector of the Standard Webhooks spec
    // (github.com/standard-webhooks/standard-webhooks, libraries' tests).
    let key = crate::notify::config::webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    assert_eq!(
        crate::notify::channels::sign(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            br#"{"test": 2432232314}"#
        ),
        "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );

    let channel = json!({"id": "hook", "kind": "webhook", "url": "https://siem.example/in",
                         "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"});
    let alerts = alerts_for(channel, &dlp_match("m1", "org_acme", "secret", "critical"));
    let a = &alerts[0];
    let Delivery::Http(r) = &a.delivery else {
        panic!()
    };
    let h = headers(r);
    assert_eq!(
        h[..3],
        [
            ("Content-Type", "application/json"),
            ("webhook-id", a.alert_id.as_str()),
            ("webhook-timestamp", "1738581773"),
        ]
    );
    let expected = crate::notify::channels::sign(&key, &a.alert_id, "1738581773", &r.body);
    assert_eq!(
        h[3],
        ("webhook-signature", format!("v1,{expected}").as_str())
    );
    let record = serde_json::to_value(dlp_match("m1", "org_acme", "secret", "critical")).unwrap();
    let mut b = body(r);
    // Compared through its JSON line: `confidence` stays 0.95.
    assert_eq!(b["data"]["record"]["confidence"], json!(0.95));
    b["data"]["record"]["confidence"] = record["confidence"].clone();
    assert_eq!(
        b,
        json!({
            "type": "govstream.alert",
            "timestamp": "2025-02-03T11:22:53.492Z",
            "data": {
                "alert_id": a.alert_id, "channel_id": "hook", "alert_rule": "r",
                "dedup_key": a.dedup_key,
                "title": "Critical DLP match in org_acme: GitHub personal access token",
                "severity": "critical", "org_id": "org_acme",
                "facts": {
                    "org_id": "org_acme",
                    "rule": "GitHub personal access token (secrets.github_pat)",
                    "category": "secret", "severity": "critical", "phase": "prompt",
                    "confidence": "0.95", "event_id": "0194d3a0-0000-7000-8000-000000000001",
                    "fingerprint": "4f2a9c0d1e3b5a7c"
                },
                "record": record
            }
        })
    );
    let unsigned = http(
        json!({"id": "h", "kind": "webhook", "url": "https://x.example"}),
        &blocked_event(),
    );
    assert!(
        unsigned
            .headers
            .iter()
            .all(|(k, _)| k != "webhook-signature")
    );
}

fn email(channel_extra: Value, record: &Record) -> EmailMessage {
    let mut c = json!({"id": "mail", "kind": "email", "from": "alerts@acme.example",
                       "to": ["soc@acme.example", "ciso@acme.example"]});
    c.as_object_mut()
        .unwrap()
        .extend(channel_extra.as_object().unwrap().clone());
    match alerts_for(c, record).remove(0).delivery {
        Delivery::Email(m) => m,
        Delivery::Http(_) => panic!("expected email"),
    }
}

fn assert_well_formed(message: &str) {
    assert!(message.ends_with("\r\n"));
    let bytes = message.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at byte {i}");
        }
        if b == b'\r' {
            assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at byte {i}");
        }
    }
    let (head, _) = message.split_once("\r\n\r\n").unwrap();
    for line in head.split("\r\n") {
        assert!(line.is_ascii() && line.len() <= 78, "header line {line:?}");
    }
    for line in message.split("\r\n") {
        assert!(line.len() <= 998);
    }
}

#[test]
fn email_is_an_rfc_5322_message() {
    let m = email(json!({"include_text": true}), &blocked_event());
    assert_eq!(m.from, "alerts@acme.example");
    assert_eq!(m.to, ["soc@acme.example", "ciso@acme.example"]);
    assert_eq!(
        m.subject,
        "[govstream] Blocked prompt in org_acme: dlp:secrets.github_pat"
    );
    let id = alerts_for(
        json!({"id": "mail", "kind": "email", "from": "alerts@acme.example", "to": ["soc@acme.example"]}),
        &blocked_event(),
    )
    .remove(0)
    .alert_id;
    let hex = id.strip_prefix("mail:").unwrap();
    let expected = [
        "From: alerts@acme.example",
        "To: soc@acme.example, ciso@acme.example",
        "Subject: [govstream] Blocked prompt in org_acme: dlp:secrets.github_pat",
        "Date: Mon, 03 Feb 2025 11:22:53 +0000",
        &format!("Message-ID: <{hex}@acme.example>"),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 7bit",
        "Auto-Submitted: auto-generated",
        "",
        "Blocked prompt in org_acme: dlp:secrets.github_pat",
        "",
        "Org: org_acme",
        "Verdict: block",
        "Phase: prompt",
        "Reason: dlp:secrets.github_pat",
        "Max severity: critical",
        "Matches: 2 (1 high or above, 1 critical)",
        "User: jane@acme.example",
        "AI tool: ChatGPT",
        "",
        "Redacted text:",
        "  deploy with [REDACTED:secrets.github_pat] today",
        "",
        "Record: event e1 at 2025-02-03T11:22:53.492Z",
        "Alert rule: r",
        "",
        "Sent by govstream.",
        "",
    ]
    .join("\r\n");
    assert_eq!(m.message, expected);
    assert_well_formed(&m.message);
}

#[test]
fn email_encodes_non_ascii_subjects_and_bodies() {
    let mut e = blocked_event();
    if let Record::Event(ev) = &mut e {
        ev.org_id = "org_zürich_ünïcödé_🚀".repeat(3);
        if let Some(s) = &mut ev.prompt_summary {
            s.text = format!("línea uno\nline two\r\n{}", "ü".repeat(600));
        }
    }
    let m = email(json!({"include_text": true}), &e);
    assert_well_formed(&m.message);
    let (head, body) = m.message.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("Content-Transfer-Encoding: quoted-printable\r\n"));
    let start = head.find("Subject: ").unwrap();
    let end = start + head[start..].find("\r\nDate:").unwrap();
    let subject = &head[start..end];
    assert!(subject.contains("\r\n =?UTF-8?B?"), "folded: {subject}");
    assert_eq!(decode_subject(subject), m.subject);
    let text = decode_qp(body);
    assert!(text.contains(&format!("Org: {}", "org_zürich_ünïcödé_🚀".repeat(3))));
    assert!(text.contains("  línea uno\r\n  line two\r\n  üü"), "{text}");
}

#[test]
fn values_cannot_inject_headers_or_lines() {
    let mut e = blocked_event();
    if let Record::Event(ev) = &mut e {
        ev.reason_code = "x\r\nBcc: victim@evil.example\nX: y".into();
        ev.identity.user_email = Some("a@b.example\r\n\r\nforged body".into());
    }
    let m = email(json!({}), &e);
    assert_well_formed(&m.message);
    assert!(!m.message.contains("\r\nBcc:"));
    assert!(!m.message.contains("\r\nforged body"));
    assert!(
        m.message
            .contains("Reason: x  Bcc: victim@evil.example X: y\r\n")
    );
}
