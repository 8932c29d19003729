//! Properties of shadow-AI classification and URL sanitizing over arbitrary
//! input, and the built-in catalog seen through the public API.

#![allow(clippy::unwrap_used)]

use govstream::schema::ShadowAiClassification;
use govstream::shadow::{
    AiToolStatus, Catalog, Classifier, FindingAggregator, normalize_host, parse_report,
    sanitize_url,
};
use proptest::prelude::*;

fn classifier() -> Classifier {
    Classifier::new(
        Catalog::builtin(),
        &["chatgpt.com".into(), "*.openai.com".into()],
        &["*.deepseek.com".into()],
    )
    .unwrap()
}

/// Hostnames: 1 to 4 labels of letters, digits and inner hyphens, some of
/// them real catalog hosts.
fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec("[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", 1..5).prop_map(|l| l.join(".")),
        prop::sample::select(vec![
            "chatgpt.com".to_string(),
            "chat.deepseek.com".into(),
            "claude.ai".into(),
            "api.openai.com".into(),
            "gemini.google.com".into(),
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn classify_never_panics(input in any::<String>()) {
        let c = classifier();
        let r = c.classify(&input);
        prop_assert_eq!(r.input, input);
        if r.status == AiToolStatus::NotAi {
            prop_assert!(r.tool.is_none());
        }
    }

    #[test]
    fn classify_never_panics_on_url_shaped_noise(
        input in "[a-zA-Z:/\\\\@?#\\[\\]%.0-9é。 -]{0,40}"
    ) {
        let c = classifier();
        let _ = c.classify(&input);
        let _ = sanitize_url(&input);
        let _ = normalize_host(&input);
    }

    #[test]
    fn sanitized_urls_never_carry_query_fragment_or_userinfo(
        scheme in prop::sample::select(vec!["http", "https", "HTTPS", "wss"]),
        user in "[A-Z]{3,8}",
        password in "[A-Z]{3,8}",
        host in host(),
        port in prop::option::of(1u16..),
        path in "(/[a-z0-9._~%-]{0,8}){0,4}",
        query in "[A-Z=&]{0,12}",
        fragment in "[A-Z/?]{0,12}",
    ) {
        let port_part = port.map(|p| format!(":{p}")).unwrap_or_default();
        let input = format!(
            "{scheme}://USR{user}:PWD{password}@{host}{port_part}{path}?QRY{query}#FRG{fragment}"
        );
        let s = sanitize_url(&input).unwrap();
        for secret in ["USR", "PWD", "QRY", "FRG", "@", "?", "#"] {
            prop_assert!(!s.url.contains(secret), "{} leaked into {}", secret, s.url);
        }
        prop_assert_eq!(&s.host, &host);
        let prefix = format!("{}://{}", scheme.to_lowercase(), host);
        prop_assert!(s.url.starts_with(&prefix), "{} does not start with {}", s.url, prefix);
        // Sanitizing is idempotent.
        prop_assert_eq!(sanitize_url(&s.url).unwrap(), s.clone());
        // Whatever wraps the host, it classifies as the bare host does.
        let c = classifier();
        prop_assert_eq!(c.classify(&input).status, c.classify(&host).status);
    }

    #[test]
    fn sanitized_urls_of_any_input_have_no_query_or_fragment(input in any::<String>()) {
        if let Ok(s) = sanitize_url(&input) {
            prop_assert!(!s.url.contains(['?', '#']), "{}", s.url);
            let authority = s.url.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
            let authority = authority.split('/').next().unwrap_or_default();
            prop_assert!(!authority.contains('@'), "{}", s.url);
            prop_assert!(s.url.is_ascii());
            prop_assert_eq!(normalize_host(&s.host).unwrap(), s.host);
        }
    }
}

#[test]
fn well_known_tools_classify_as_expected() {
    let c = classifier();
    let cases = [
        (
            "https://chatgpt.com/c/123",
            AiToolStatus::Approved,
            Some("ChatGPT"),
        ),
        ("api.openai.com", AiToolStatus::Approved, Some("OpenAI API")),
        (
            "https://chat.deepseek.com/",
            AiToolStatus::Unapproved,
            Some("DeepSeek"),
        ),
        ("claude.ai", AiToolStatus::Unapproved, Some("Claude")),
        (
            "https://github.com/rust-lang/rust",
            AiToolStatus::NotAi,
            None,
        ),
    ];
    for (input, status, tool) in cases {
        let r = c.classify(input);
        assert_eq!((r.status, r.tool.as_deref()), (status, tool), "{input}");
    }
}

#[test]
fn a_report_flows_into_a_finding() {
    let c = classifier();
    let mut agg = FindingAggregator::new();
    for (user, at) in [
        ("a@acme.com", "2026-11-22T09:00:00Z"),
        ("b@acme.com", "2026-11-22T09:05:00Z"),
    ] {
        let payload = serde_json::json!({
            "org_id": "org_acme", "url": "https://chat.deepseek.com/a/chat/s/1?q=x",
            "user_email": user, "observed_at": at, "source_system": "swg"
        });
        let event = parse_report(&payload.to_string(), &c, 1_795_339_200_000).unwrap();
        assert_eq!(event.classification, ShadowAiClassification::Unapproved);
        agg.add(&event).unwrap();
    }
    let f = &agg.findings()[0];
    assert_eq!((f.count, f.distinct_users), (2, 2));
    assert_eq!(f.first_seen, "2026-11-22T09:00:00.000Z");
    assert_eq!(f.last_seen, "2026-11-22T09:05:00.000Z");
}
