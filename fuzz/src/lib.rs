//! Invariants shared by the fuzz targets: what must hold of a scan or an
//! evaluation whatever the text and policy. Each check panics with a message
//! naming the broken invariant, which is how libFuzzer learns of it.

// A panic is this crate's way of reporting a broken invariant to libFuzzer.
#![allow(clippy::panic)]

use govstream::policy::{Decision, MatchInfo, Policy};
use govstream::schema::{Record, TextSpan, Verdict};

/// Checks one span against `text`: non-empty, on char boundaries, inside the
/// text, and its code-point and UTF-16 offsets agree with its byte offsets.
pub fn check_span(text: &str, span: &TextSpan) {
    let (b0, b1) = (span.byte_start, span.byte_end);
    assert!(b0 < b1, "empty or reversed span {span:?}");
    assert!(
        b1 <= text.len(),
        "span {span:?} past the end ({})",
        text.len()
    );
    assert!(
        text.is_char_boundary(b0) && text.is_char_boundary(b1),
        "span {span:?} cuts a character"
    );
    let before = &text[..b0];
    let value = &text[b0..b1];
    let ch = before.chars().count();
    let u16 = before.encode_utf16().count();
    assert_eq!(
        (span.start, span.end),
        (ch, ch + value.chars().count()),
        "code points disagree with bytes in {span:?}"
    );
    assert_eq!(
        (span.utf16_start, span.utf16_end),
        (u16, u16 + value.encode_utf16().count()),
        "UTF-16 units disagree with bytes in {span:?}"
    );
}

/// Checks a list of matches: every span valid, in text order, not overlapping.
pub fn check_matches(text: &str, matches: &[MatchInfo]) {
    for m in matches {
        check_span(text, &m.span);
        assert!(
            (0.0..=1.0).contains(&m.confidence),
            "confidence {} of {} outside 0..=1",
            m.confidence,
            m.rule_id
        );
    }
    for pair in matches.windows(2) {
        assert!(
            pair[0].span.byte_end <= pair[1].span.byte_start,
            "matches overlap or are out of order: {:?} then {:?}",
            pair[0].span,
            pair[1].span
        );
    }
}

/// The matched value of `m` in `text`.
pub fn value<'t>(text: &'t str, m: &MatchInfo) -> &'t str {
    &text[m.span.byte_start..m.span.byte_end]
}

/// Every record of the decision serialises to one JSON line that reads back
/// as a record of the same kind.
pub fn check_records(decision: &Decision) -> Vec<Record> {
    let records = decision.records();
    for r in &records {
        let line = r
            .to_json_line()
            .unwrap_or_else(|e| panic!("a {} record does not serialise: {e}", r.kind()));
        assert!(!line.contains('\n'), "a JSON line holds a raw line break");
        let back = Record::from_json_line(&line)
            .unwrap_or_else(|e| panic!("a {} record does not read back: {e}", r.kind()));
        assert_eq!(back.kind(), r.kind());
    }
    records
}

/// Everything that holds of any evaluation under any policy, for the text it
/// evaluated: valid spans, a verdict no weaker than any match's action, and
/// records that serialise.
pub fn check_decision(text: &str, decision: &Decision) {
    check_matches(text, &decision.matches);
    let strongest = decision
        .matches
        .iter()
        .map(|m| m.action)
        .max()
        .unwrap_or(Verdict::Allow);
    assert!(
        decision.verdict >= strongest,
        "verdict {:?} weaker than a match's action {strongest:?}",
        decision.verdict
    );
    check_records(decision);
}

/// The scan report's spans and limits under `policy`.
pub fn check_scan(policy: &Policy, text: &str) {
    let report = policy.scan(text);
    check_matches(text, &report.matches);
    let chars = text.chars().count();
    assert!(
        report.scanned_length <= chars,
        "scanned {} code points of {chars}",
        report.scanned_length
    );
    assert_eq!(
        report.scan_truncated,
        text.len() > policy.config().max_scan_bytes,
        "scan_truncated disagrees with the limit"
    );
}

/// CRC-32 as the outbox's file format specifies it (IEEE, reflected
/// polynomial 0xEDB88320, initial value and final XOR all ones; see
/// `docs/outbox.md`), so the outbox target can write files the outbox
/// accepts and then damage them on purpose. Bitwise: speed does not matter
/// for a few hundred bytes per run.
pub fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = u32::MAX;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        c ^= u32::from(*byte);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}
