//! The records an evaluation emits beside its verdict: `DlpMatch` records
//! with their snippets, an event's `redactions` and `dlp` summary, and the
//! per-rule results — all shaped by the logging level, none showing a value
//! below `full`.

use super::Compiled;
use super::evaluate::MatchInfo;
use super::scanned::Scanned;
use crate::schema::{
    DlpMatch, DlpSummary, LoggingLevel, Phase, PolicyResult, Redaction, SCHEMA_VERSION, Severity,
    Snippet, TraceIds, Verdict,
};
use crate::text::{self, OffsetMap, RedactedText, SUMMARY_MAX_CHARS, Target, label_replacement};
use std::collections::HashMap;

/// What links a match record to its event and request.
pub(super) struct RecordIds<'a> {
    pub(super) event_id: &'a str,
    pub(super) timestamp: &'a str,
    pub(super) org_id: &'a str,
    /// Scrubbed for the match records' logging level.
    pub(super) request_id: Option<String>,
}

/// How far records show the text below `full`, and its rewrite.
pub(super) struct RecordsText<'a> {
    pub(super) all: &'a RedactedText,
    pub(super) end: usize,
}

impl Compiled {
    /// The `DlpMatch` records of the listed matches. `all` is the rewrite of
    /// every match cut at the scan limit, whose replacements snippets show.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn match_records(
        &self,
        text: &str,
        s: &Scanned,
        matches: &[MatchInfo],
        records: &RecordsText<'_>,
        map: &OffsetMap<'_>,
        ids: &RecordIds<'_>,
        phase: Phase,
    ) -> Vec<DlpMatch> {
        let (event_id, timestamp, org_id) = (ids.event_id, ids.timestamp, ids.org_id);
        let level = self.config.logging.dlp_match;
        // Below `full`, snippets are cut from the scanned prefix only: a
        // window never reaches into text that was not scanned.
        let end = if level == LoggingLevel::Full {
            text.len()
        } else {
            records.end
        };
        let shown = text.get(..end).unwrap_or_default();
        let listed = &s.findings[..matches.len().min(s.findings.len())];
        let in_shown = listed.iter().filter(|f| f.byte_end <= end).count();
        let mut snippets = if level >= LoggingLevel::Redacted {
            let shown_map;
            let map = if end == text.len() {
                map
            } else {
                shown_map = OffsetMap::new(shown);
                &shown_map
            };
            // Every match in the shown text is a target, listed or not, so
            // a snippet's window never shows an unlisted neighbour's value.
            let targets: Vec<Target<'_>> = self.targets(s, end, |_| true);
            let replacements = match level {
                LoggingLevel::Full => None,
                _ => Some(records.all.replacements.as_slice()),
            };
            text::first_snippets(
                shown,
                map,
                &targets,
                replacements,
                SUMMARY_MAX_CHARS,
                in_shown,
            )
        } else {
            Vec::new()
        }
        .into_iter();
        matches
            .iter()
            .zip(listed)
            .enumerate()
            .map(|(i, (m, f))| {
                let value = text.get(f.byte_start..f.byte_end).unwrap_or_default();
                let snippet = if level < LoggingLevel::Redacted {
                    None
                } else if f.byte_end <= end {
                    snippets.next()
                } else {
                    // A repeat in the unscanned tail: the replacement alone.
                    let shown = label_replacement(&m.rule_id);
                    Some(Snippet {
                        match_end: shown.chars().count(),
                        text: shown,
                        offset: m.span.start,
                        end: m.span.end,
                        match_start: 0,
                    })
                };
                DlpMatch {
                    schema_version: SCHEMA_VERSION,
                    match_id: format!("{event_id}:{i}"),
                    event_id: event_id.to_string(),
                    timestamp: timestamp.to_string(),
                    org_id: org_id.to_string(),
                    phase,
                    rule_id: m.rule_id.clone(),
                    rule_name: m.rule_name.clone(),
                    category: m.category,
                    severity: m.severity,
                    confidence: m.confidence,
                    span: m.span,
                    snippet,
                    // The normalised value, so a value hidden with invisible
                    // characters correlates with its plain form.
                    fingerprint: self.keyed.hex(
                        &[
                            m.rule_id.as_bytes(),
                            crate::dlp::normalize(value).as_bytes(),
                        ],
                        32,
                    ),
                    // Set by the caller, which knows the context.
                    trace: TraceIds::default(),
                    action: Some(m.action),
                    monitor: m.monitor,
                    request_id: ids.request_id.clone(),
                }
            })
            .collect()
    }

    /// The `redactions` of an event: the listed matches the rewritten text
    /// replaced.
    pub(super) fn redaction_records(
        &self,
        s: &Scanned,
        rewritten: &RedactedText,
        phase: Phase,
        level: LoggingLevel,
    ) -> Vec<Redaction> {
        let mut replacements = rewritten.replacements.iter();
        s.findings
            .iter()
            .zip(&s.spans)
            .take(self.config.max_matches)
            .filter_map(|(f, span)| {
                let meta = self.meta.get(f.rule)?;
                // Monitored values were not rewritten: their `DlpMatch`
                // records say what would have been.
                if meta.action(phase) < Verdict::Redact || meta.monitor {
                    return None;
                }
                let rule = self.scanner.rule(f.rule)?;
                Some(Redaction {
                    kind: rule.id.clone(),
                    replacement: replacements
                        .next()
                        .filter(|_| level >= LoggingLevel::Redacted)
                        .cloned(),
                    span: *span,
                })
            })
            .collect()
    }

    /// One result per rule, in order of first match (every match, listed or
    /// not), with the rule's severity for ordering and its reason code.
    pub(super) fn dlp_results(&self, s: &Scanned, phase: Phase) -> Vec<(PolicyResult, u8, String)> {
        let mut seen: Vec<(usize, usize)> = Vec::new();
        let mut index: HashMap<usize, usize> = HashMap::new();
        for f in &s.findings {
            match index.get(&f.rule) {
                Some(&k) => {
                    if let Some(entry) = seen.get_mut(k) {
                        entry.1 += 1;
                    }
                }
                None => {
                    index.insert(f.rule, seen.len());
                    seen.push((f.rule, 1));
                }
            }
        }
        seen.into_iter()
            .filter_map(|(rule, count)| {
                let spec = self.scanner.rule(rule)?;
                let meta = self.meta.get(rule)?;
                let noun = if count == 1 { "match" } else { "matches" };
                Some((
                    PolicyResult {
                        policy: spec.id.clone(),
                        kind: "dlp".into(),
                        phase,
                        verdict: meta.action(phase),
                        reason: format!(
                            "{count} {noun} of {} ({} severity)",
                            spec.name, meta.severity
                        ),
                        monitor: meta.monitor,
                    },
                    2 + meta.severity as u8,
                    format!("dlp:{}", spec.id),
                ))
            })
            .collect()
    }

    pub(super) fn dlp_summary(
        &self,
        s: &Scanned,
        verdict: Verdict,
        results: &[PolicyResult],
        map: &OffsetMap<'_>,
    ) -> DlpSummary {
        let severities = || {
            s.findings
                .iter()
                .filter_map(|f| self.meta.get(f.rule).map(|m| m.severity))
        };
        let total = s.findings.len();
        DlpSummary {
            is_dlp_event: total > 0,
            blocked_by_dlp: verdict == Verdict::Block
                && results
                    .iter()
                    .any(|r| r.kind == "dlp" && r.verdict == Verdict::Block && !r.monitor),
            max_severity: severities().max(),
            high_or_above: severities().filter(|&sev| sev >= Severity::High).count(),
            critical: severities()
                .filter(|&sev| sev == Severity::Critical)
                .count(),
            total_matches: total,
            omitted_matches: total.saturating_sub(self.config.max_matches),
            scan_truncated: s.truncated,
            scanned_length: s.truncated.then(|| map.byte_to_char(s.scanned_bytes)),
        }
    }
}
