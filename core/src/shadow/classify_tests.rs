use super::*;

fn catalog() -> Catalog {
    Catalog::from_json(
        r#"{"version": 1, "tools": [
            {"tool": "Chat", "vendor": "V", "category": "chat", "hosts": ["chat.example", "*.chat.example"]},
            {"tool": "Chat API", "vendor": "V", "category": "model_api", "severity": "high", "hosts": ["api.chat.example"]},
            {"tool": "Img", "vendor": "W", "category": "image", "hosts": ["*.img.example"]},
            {"tool": "Deep", "vendor": "W", "category": "code_assistant", "hosts": ["*.deep.img.example"]}
        ]}"#,
    )
    .unwrap()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn status(c: &Classifier, input: &str) -> (AiToolStatus, Option<String>, Severity) {
    let r = c.classify(input);
    (r.status, r.tool, r.severity)
}

#[test]
fn without_lists_catalog_tools_are_unknown_ai() {
    let c = Classifier::new(catalog(), &[], &[]).unwrap();
    use AiToolStatus::*;
    assert_eq!(
        status(&c, "chat.example"),
        (UnknownAi, Some("Chat".into()), Severity::Medium)
    );
    assert_eq!(
        status(&c, "www.chat.example"),
        (UnknownAi, Some("Chat".into()), Severity::Medium)
    );
    // Exact beats wildcard; the longest wildcard beats a shorter one.
    assert_eq!(
        status(&c, "api.chat.example").1.as_deref(),
        Some("Chat API")
    );
    assert_eq!(status(&c, "x.deep.img.example").1.as_deref(), Some("Deep"));
    assert_eq!(status(&c, "x.img.example").1.as_deref(), Some("Img"));
    // `*.img.example` does not cover the bare domain.
    assert_eq!(status(&c, "img.example"), (NotAi, None, Severity::Low));
    assert_eq!(status(&c, "notchat.example").0, NotAi);
    assert_eq!(status(&c, "chat.example.evil.test").0, NotAi);
}

#[test]
fn an_approved_list_makes_other_catalog_tools_unapproved() {
    let c = Classifier::new(catalog(), &strings(&["*.chat.example"]), &[]).unwrap();
    use AiToolStatus::*;
    assert_eq!(
        status(&c, "api.chat.example"),
        (Approved, Some("Chat API".into()), Severity::Low)
    );
    assert_eq!(
        status(&c, "chat.example").0,
        Unapproved,
        "the wildcard does not cover the bare name"
    );
    assert_eq!(
        status(&c, "a.img.example"),
        (Unapproved, Some("Img".into()), Severity::Low)
    );
    assert_eq!(status(&c, "example.org").0, NotAi);
}

#[test]
fn blocked_wins_and_raises_severity() {
    let c = Classifier::new(
        catalog(),
        &strings(&["*.chat.example", "intranet-ai.example"]),
        &strings(&["api.chat.example", "*.img.example", "weird.example"]),
    )
    .unwrap();
    use AiToolStatus::*;
    assert_eq!(
        status(&c, "api.chat.example"),
        (Unapproved, Some("Chat API".into()), Severity::High)
    );
    assert_eq!(
        status(&c, "b.deep.img.example"),
        (Unapproved, Some("Deep".into()), Severity::High)
    );
    assert_eq!(
        status(&c, "weird.example"),
        (Unapproved, None, Severity::High)
    );
    assert_eq!(
        status(&c, "intranet-ai.example"),
        (Approved, None, Severity::Low)
    );
    assert_eq!(status(&c, "www.chat.example").0, Approved);
}

#[test]
fn only_a_blocked_list_leaves_other_tools_unknown() {
    let c = Classifier::new(catalog(), &[], &strings(&["chat.example"])).unwrap();
    assert_eq!(c.classify("chat.example").status, AiToolStatus::Unapproved);
    assert_eq!(c.classify("a.img.example").status, AiToolStatus::UnknownAi);
}

#[test]
fn inputs_of_every_shape_reach_the_same_host() {
    let c = Classifier::new(catalog(), &[], &[]).unwrap();
    for input in [
        "chat.example",
        "CHAT.EXAMPLE.",
        "https://chat.example/c/1?q=secret#x",
        "https://user:pw@chat.example:8443/",
        "chat.example:443/path",
        "//chat.example/",
        "  https:\\\\chat.example\\x ",
        "chat%2eexample",
        "chat\u{3002}example",
    ] {
        let r = c.classify(input);
        assert_eq!(
            (r.host.as_str(), r.status),
            ("chat.example", AiToolStatus::UnknownAi),
            "{input:?}"
        );
        assert_eq!(r.input, input);
    }
    for input in [
        "",
        "   ",
        "https://",
        "[::1]",
        "a b.chat.example",
        "%zz",
        "*.chat.example",
    ] {
        assert_eq!(c.classify(input).status, AiToolStatus::NotAi, "{input:?}");
    }
}

#[test]
fn unicode_entries_and_inputs_meet_in_punycode() {
    let cat = Catalog::from_json(
        r#"{"version": 1, "tools": [{"tool": "B", "vendor": "V", "category": "writing", "hosts": ["bücher.example"]}]}"#,
    )
    .unwrap();
    let c = Classifier::new(cat, &[], &[]).unwrap();
    assert_eq!(
        c.classify("https://BÜCHER.example/").status,
        AiToolStatus::UnknownAi
    );
    assert_eq!(
        c.classify("xn--bcher-kva.example").status,
        AiToolStatus::UnknownAi
    );
}

#[test]
fn serializes_with_the_cli_contract_names() {
    let c = Classifier::new(catalog(), &[], &[]).unwrap();
    let v = serde_json::to_value(c.classify("api.chat.example/x")).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "input": "api.chat.example/x", "host": "api.chat.example", "status": "unknown_ai",
            "tool": "Chat API", "vendor": "V", "category": "model_api", "severity": "high"
        })
    );
    let v = serde_json::to_value(c.classify("example.org")).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"input": "example.org", "host": "example.org", "status": "not_ai", "severity": "low"})
    );
    for s in ["approved", "unapproved", "unknown_ai", "not_ai"] {
        let parsed: AiToolStatus = serde_json::from_value(s.into()).unwrap();
        assert_eq!(parsed.as_str(), s);
    }
}

#[test]
fn bad_list_patterns_are_policy_problems() {
    let e = Classifier::new(
        catalog(),
        &strings(&["ok.example", "http://x/"]),
        &strings(&["*."]),
    )
    .unwrap_err();
    let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["$.ai_tools.approved[1]", "$.ai_tools.blocked[0]"]);
}

#[test]
fn catalog_and_classifier_patterns_share_the_hosts_normalizer() {
    // The same patterns a policy's `ai_tools` lists take (see
    // `policy::tools` tests): IDNA, case and trailing dots.
    let cat = Catalog::from_json(
        r#"{"version": 1, "tools": [{"tool": "Bü", "vendor": "V", "category": "chat", "hosts": ["*.Bücher.Example."]}]}"#,
    )
    .unwrap();
    assert_eq!(cat.tools[0].hosts, ["*.xn--bcher-kva.example"]);
    let c = Classifier::new(cat, &["ÉVIL.example.".into()], &[]).unwrap();
    assert_eq!(
        c.classify("https://www.bücher.example/").status,
        AiToolStatus::Unapproved
    );
    assert_eq!(c.classify("évil.example").status, AiToolStatus::Approved);
    let e = Classifier::new(Catalog::default(), &["https://x/".into()], &[]).unwrap_err();
    assert!(e.problems()[0].message.contains("unexpected `:`"), "{e}");
}
