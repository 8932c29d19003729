//! `docs/rules.md` lists every built-in rule; this test fails when it drifts.
//! Regenerate with `GOVSTREAM_BLESS=1 cargo test -p govstream --test rules_doc`.

#![allow(clippy::unwrap_used, clippy::panic)]

use govstream::dlp::packs::builtin_rules;
use std::fmt::Write;

fn render() -> String {
    let mut out = String::from(
        "# Built-in rules\n\n\
         Generated from the code by `GOVSTREAM_BLESS=1 cargo test -p govstream --test rules_doc`;\n\
         a test fails when this page and the rules disagree. `govstream rules` prints the\n\
         same list as JSON Lines, with the actions of a given policy.\n\n\
         Triggers: the keywords or digit runs near which the rule's regex runs (see\n\
         [architecture.md](architecture.md)). After a comma, the shape the text at a\n\
         trigger must have (`TriggerShape`): a run of digits that is not grouped like a\n\
         card, or a date with no `+` before it, does not wake the phone or card rules.\n",
    );
    let rules = builtin_rules();
    for pack in govstream::dlp::packs::PACKS {
        let in_pack: Vec<_> = rules.iter().filter(|r| r.pack == pack).collect();
        let _ = write!(
            out,
            "\n## `{pack}` ({} rules)\n\n| id | name | severity | validator | context | triggers |\n|---|---|---|---|---|---|\n",
            in_pack.len()
        );
        for r in in_pack {
            let validator = r.validator.as_ref().map_or("—".to_string(), |v| {
                serde_json::to_value(v).unwrap()["kind"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string()
            });
            let context = match &r.context {
                Some(c) if c.required => "required".to_string(),
                Some(_) => "boosts".to_string(),
                None => "—".to_string(),
            };
            let mut triggers: Vec<String> = r
                .keywords
                .iter()
                .map(|k| format!("`{}`", k.replace('|', "\\|")))
                .collect();
            if let Some(n) = r.min_digits {
                triggers.push(format!("{n}+ digits"));
            }
            if let Some(shape) = r.trigger_shape {
                triggers.push(shape.summary());
            }
            if triggers.is_empty() {
                triggers.push("whole text".into());
            }
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                r.id,
                r.name,
                r.severity,
                validator,
                context,
                triggers.join(", ")
            );
        }
    }
    out
}

#[test]
fn rules_doc_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules.md");
    let want = render();
    if std::env::var_os("GOVSTREAM_BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is out of date: run `GOVSTREAM_BLESS=1 cargo test -p govstream --test rules_doc`"
    );
}
