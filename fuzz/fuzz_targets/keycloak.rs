//! The Keycloak event-log reader on arbitrary text. The first line is read
//! as a UTC offset option (most are refused, which is fine); the whole input
//! is then read as a log. Every non-blank line must end up as exactly one
//! event, problem or skipped line; every event must validate, serialise and
//! read back unchanged; reading twice must give the same ids.

#![no_main]
// A panic is how a fuzz target reports a broken invariant.
#![allow(clippy::panic)]

use govstream::audit::{KeycloakOptions, parse_keycloak_line, parse_keycloak_with};
use govstream::schema::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let first = text.split('\n').next().unwrap_or_default();
    let options = KeycloakOptions::new()
        .with_utc_offset(first)
        .unwrap_or_default()
        .with_org_id("org-fuzz");
    if let Ok(o) = KeycloakOptions::new().with_utc_offset(first) {
        assert!(o.utc_offset_minutes().abs() <= 18 * 60);
    }

    let report = parse_keycloak_with(&text, &options);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(
        report.events.len() + report.problems.len() + report.skipped_lines,
        non_blank,
        "a line was lost or counted twice"
    );
    let mut previous = 0;
    for p in &report.problems {
        assert!(
            p.line > previous && p.line <= lines.len(),
            "problem line {}",
            p.line
        );
        previous = p.line;
        let line = lines[p.line - 1];
        assert!(parse_keycloak_line(line, &options).is_err());
        assert!(p.text_excerpt.chars().count() <= 121, "excerpt too long");
        let stem = p.text_excerpt.strip_suffix('…').unwrap_or(&p.text_excerpt);
        // Secrets in a problem line are redacted before it is cut: up to
        // the first replacement (which the cut may shorten), the excerpt is
        // the line's start.
        let common: usize = stem
            .chars()
            .zip(line.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a.len_utf8())
            .sum();
        let rest = stem.get(common..).unwrap_or_default();
        assert!(
            rest.is_empty() || rest.starts_with("[REDACTED:") || "[REDACTED:".starts_with(rest),
            "the excerpt is not the line's start"
        );
    }
    for e in &report.events {
        if let Err(err) = e.validate() {
            panic!("an event from the log does not validate: {err}");
        }
        assert_eq!(e.org_id.as_deref(), Some("org-fuzz"));
        let record = Record::AuditEvent(e.clone());
        let line = match record.to_json_line() {
            Ok(l) => l,
            Err(err) => panic!("an event does not serialise: {err}"),
        };
        match Record::from_json_line(&line) {
            Ok(back) => assert_eq!(back, record, "an event changes through JSON"),
            Err(err) => panic!("an event does not read back: {err}"),
        }
    }
    let again = parse_keycloak_with(&text, &options);
    assert_eq!(again, report, "reading the same log twice differs");
});
