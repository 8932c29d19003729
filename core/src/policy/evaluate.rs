//! The evaluator: findings → per-rule verdicts → one verdict on the lattice,
//! the rewritten text, and the records, shaped by the logging level before
//! anything leaves this module.

use super::tools::ToolStatus;
use super::{Compiled, Policy};
use crate::clock;
use crate::dlp::Finding;
use crate::schema::{
    Category, ClientContext, DlpMatch, DlpSummary, Event, EventType, Identity, LoggingLevel, Phase,
    PolicyResult, Record, Redaction, SCHEMA_VERSION, Severity, TextSpan, TokenUsage, ToolContext,
    Verdict,
};
use crate::text::{self, OffsetMap, RedactedText, SUMMARY_MAX_CHARS, Target};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Everything about an evaluation that is not the text itself. All fields
/// are optional; JSON keys are the same as the `Event` fields they fill.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvaluationContext {
    /// Prompt (default) or response.
    pub phase: Phase,
    /// The org; defaults to the policy's `org.id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Who.
    #[serde(flatten)]
    pub identity: Identity,
    /// Which client.
    #[serde(flatten)]
    pub client: ClientContext,
    /// Which AI tool; `hostname` is checked against `ai_tools`.
    #[serde(flatten)]
    pub tool: ToolContext,
    /// Host request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Host session id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Host conversation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Token usage, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenUsage>,
    /// Free host metadata, copied into the event.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Event time in milliseconds since the epoch; defaults to now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_ms: Option<i64>,
    /// The event id to use (an idempotency key the host already has);
    /// defaults to a fresh UUIDv7.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
}

/// One finding as the host sees it: where, what, and what the policy does
/// about it. Carries no value; slice the text with `span` in the unit your
/// strings use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchInfo {
    /// The rule.
    pub rule_id: String,
    /// Its name.
    pub rule_name: String,
    /// Its category.
    pub category: Category,
    /// Its severity (after overrides).
    pub severity: Severity,
    /// 0.0–1.0.
    pub confidence: f64,
    /// The policy's verdict for this match in the evaluated phase.
    pub action: Verdict,
    /// Where, in code points, UTF-16 units and bytes.
    #[serde(flatten)]
    pub span: TextSpan,
}

/// The outcome of [`Policy::scan`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// Non-overlapping matches in text order.
    pub matches: Vec<MatchInfo>,
    /// True when the text was longer than the scan limit.
    pub scan_truncated: bool,
    /// Code points scanned.
    pub scanned_length: usize,
}

/// The outcome of [`Policy::evaluate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The combined verdict.
    pub verdict: Verdict,
    /// `request`, `warned`, `redacted`, `escalated` or `blocked`.
    pub event_type: EventType,
    /// Why: the reason of the strongest result (`dlp:<rule_id>`,
    /// `tool:blocked`, `tool:unknown`) or `none`.
    pub reason_code: String,
    /// Every policy that produced a result, strongest first.
    pub policy_results: Vec<PolicyResult>,
    /// Every match, in text order.
    pub matches: Vec<MatchInfo>,
    /// The text with every match whose action is `redact` or stronger
    /// rewritten: what to send on when the verdict is `redact`.
    pub redacted_text: String,
    /// True when only a prefix of the text was scanned.
    pub scan_truncated: bool,
    /// The event record, unless the event logging level is `off`.
    pub event: Option<Event>,
    /// The match records, unless the match logging level is `off`.
    pub dlp_matches: Vec<DlpMatch>,
}

impl Decision {
    /// The records a sink receives: the event, then its matches.
    pub fn records(&self) -> Vec<Record> {
        let mut out = Vec::with_capacity(1 + self.dlp_matches.len());
        if let Some(e) = &self.event {
            out.push(Record::from(e.clone()));
        }
        out.extend(self.dlp_matches.iter().cloned().map(Record::DlpMatch));
        out
    }
}

/// Findings plus everything derived from them once.
struct Scanned {
    findings: Vec<Finding>,
    spans: Vec<TextSpan>,
    truncated: bool,
    scanned_bytes: usize,
}

impl Policy {
    /// Scans `text` with the policy's rules (allowlist applied).
    pub fn scan(&self, text: &str) -> ScanReport {
        let s = self.inner.scan(text);
        let map = OffsetMap::new(text);
        ScanReport {
            matches: self.inner.match_infos(&s, Phase::Prompt),
            scan_truncated: s.truncated,
            scanned_length: map.byte_to_char(s.scanned_bytes),
        }
    }

    /// `text` with every match rewritten in the policy's redaction style,
    /// whatever its action.
    pub fn redact(&self, text: &str) -> String {
        let s = self.inner.scan(text);
        self.inner.rewrite(text, &s, |_| true).text
    }

    /// Evaluates a prompt or response. Never fails: whatever the input, the
    /// result is a decision (a text longer than the scan limit is scanned up
    /// to it, and the event says `degraded`).
    pub fn evaluate(&self, text: &str, ctx: &EvaluationContext) -> Decision {
        self.inner.evaluate(text, ctx)
    }
}

impl Compiled {
    fn scan(&self, text: &str) -> Scanned {
        let result = self.scanner.scan(text);
        let mut findings: Vec<Finding> = result
            .findings
            .into_iter()
            .filter(|f| !self.allowlisted(text.get(f.byte_start..f.byte_end).unwrap_or_default()))
            .collect();
        extend_to_repeats(text, &mut findings);
        let ranges: Vec<(usize, usize)> = findings
            .iter()
            .map(|f| (f.byte_start, f.byte_end))
            .collect();
        let spans = OffsetMap::new(text).spans(&ranges);
        Scanned {
            findings,
            spans,
            truncated: result.truncated,
            scanned_bytes: result.scanned_bytes,
        }
    }

    fn allowlisted(&self, value: &str) -> bool {
        self.allow_values.contains(value) || self.allow_patterns.iter().any(|re| re.is_match(value))
    }

    fn match_infos(&self, s: &Scanned, phase: Phase) -> Vec<MatchInfo> {
        s.findings
            .iter()
            .zip(&s.spans)
            .filter_map(|(f, span)| {
                let rule = self.scanner.rule(f.rule)?;
                let meta = self.meta.get(f.rule)?;
                Some(MatchInfo {
                    rule_id: rule.id.clone(),
                    rule_name: rule.name.clone(),
                    category: rule.category,
                    severity: meta.severity,
                    confidence: widen(f.confidence),
                    action: meta.action(phase),
                    span: *span,
                })
            })
            .collect()
    }

    /// The redaction targets of the findings `keep` selects.
    fn targets<'a>(&'a self, s: &Scanned, keep: impl Fn(&Finding) -> bool) -> Vec<Target<'a>> {
        s.findings
            .iter()
            .filter(|f| keep(f))
            .filter_map(|f| {
                let rule = self.scanner.rule(f.rule)?;
                Some(Target {
                    byte_start: f.byte_start,
                    byte_end: f.byte_end,
                    rule_id: &rule.id,
                    label: &rule.label,
                })
            })
            .collect()
    }

    /// Rewrites the findings `keep` selects.
    fn rewrite(&self, text: &str, s: &Scanned, keep: impl Fn(&Finding) -> bool) -> RedactedText {
        let targets = self.targets(s, keep);
        if targets.is_empty() {
            return RedactedText {
                text: text.to_string(),
                replacements: Vec::new(),
            };
        }
        self.redactor.redact(text, &targets)
    }

    fn evaluate(&self, text: &str, ctx: &EvaluationContext) -> Decision {
        let phase = ctx.phase;
        let s = self.scan(text);
        let matches = self.match_infos(&s, phase);

        let mut results = dlp_results(&matches, phase);
        let host = ctx.tool.hostname.as_deref().filter(|h| !h.is_empty());
        if let Some(host) = host.filter(|_| self.tools.is_configured()) {
            match self.tools.status(host) {
                ToolStatus::Approved => {}
                ToolStatus::Blocked => results.push(tool_result(
                    phase,
                    Verdict::Block,
                    "blocked",
                    "the AI tool's hostname is on the policy's blocked list",
                )),
                ToolStatus::Unknown => results.push(tool_result(
                    phase,
                    self.tools.unknown_action,
                    "unknown",
                    "the AI tool's hostname is not on the policy's approved list",
                )),
            }
        }
        // Strongest first; among equals, DLP before tool and then by severity,
        // so the reason code names the worst finding.
        results.sort_by(|a, b| b.0.verdict.cmp(&a.0.verdict).then(b.1.cmp(&a.1)));
        let verdict = results.first().map_or(Verdict::Allow, |r| r.0.verdict);
        let reason_code = results
            .first()
            .filter(|r| r.0.verdict > Verdict::Allow)
            .map_or_else(|| "none".to_string(), |r| r.2.clone());
        let policy_results: Vec<PolicyResult> = results.into_iter().map(|r| r.0).collect();

        let rewrite_all = matches.iter().all(|m| m.action >= Verdict::Redact);
        let rewritten = self.rewrite(text, &s, |f| {
            self.meta
                .get(f.rule)
                .is_some_and(|m| m.action(phase) >= Verdict::Redact)
        });
        let levels = self.config.logging;
        let needs_content =
            levels.event >= LoggingLevel::Redacted || levels.dlp_match >= LoggingLevel::Redacted;
        // Records never show a matched value below `full`, whatever its
        // action: they use a rewrite of every match.
        let all = if rewrite_all || !needs_content {
            None
        } else {
            Some(self.rewrite(text, &s, |_| true))
        };
        let all = all.as_ref().unwrap_or(&rewritten);

        let ms = ctx.timestamp_ms.unwrap_or_else(clock::now_ms);
        let event_id = ctx.event_id.clone().unwrap_or_else(|| clock::uuid_v7(ms));
        let timestamp = clock::rfc3339_ms(ms);
        let org_id = ctx
            .org_id
            .clone()
            .unwrap_or_else(|| self.config.org_id.clone());
        let map = OffsetMap::new(text);

        let event = (levels.event > LoggingLevel::Off).then(|| {
            let summary = match levels.event {
                LoggingLevel::Full => Some(text::summarize(
                    text::truncate(text, SUMMARY_MAX_CHARS).0,
                    map.char_len(),
                )),
                LoggingLevel::Redacted => Some(text::summarize(&all.text, map.char_len())),
                _ => None,
            };
            let (prompt_summary, response_summary) = match phase {
                Phase::Prompt => (summary, None),
                Phase::Response => (None, summary),
            };
            let redactions = self.redaction_records(&s, &rewritten, &matches, levels.event);
            Event {
                schema_version: SCHEMA_VERSION,
                event_id: event_id.clone(),
                timestamp: timestamp.clone(),
                org_id: org_id.clone(),
                identity: ctx.identity.clone(),
                client: ctx.client.clone(),
                tool: ctx.tool.clone(),
                phase,
                verdict,
                event_type: verdict.event_type(),
                reason_code: reason_code.clone(),
                policy_results: policy_results.clone(),
                prompt_summary,
                response_summary,
                prompt_hash: self.keyed.hex(&[b"prompt", text.as_bytes()], 64),
                dlp: dlp_summary(&matches, verdict, &policy_results, &s, &map),
                redactions,
                tokens: ctx.tokens,
                metadata: ctx.metadata.clone(),
                config: self.config.config.clone(),
                degraded: s.truncated,
                request_id: ctx.request_id.clone(),
                session_id: ctx.session_id.clone(),
                conversation_id: ctx.conversation_id.clone(),
            }
        });

        let dlp_matches = if levels.dlp_match > LoggingLevel::Off {
            let targets = self.targets(&s, |_| true);
            let replacements = match levels.dlp_match {
                LoggingLevel::Full => None,
                _ => Some(all.replacements.as_slice()),
            };
            let mut snippets = if levels.dlp_match >= LoggingLevel::Redacted {
                text::snippets(text, &map, &targets, replacements, SUMMARY_MAX_CHARS)
            } else {
                Vec::new()
            }
            .into_iter();
            matches
                .iter()
                .zip(&s.findings)
                .enumerate()
                .map(|(i, (m, f))| {
                    let value = text.get(f.byte_start..f.byte_end).unwrap_or_default();
                    DlpMatch {
                        schema_version: SCHEMA_VERSION,
                        match_id: format!("{event_id}:{i}"),
                        event_id: event_id.clone(),
                        timestamp: timestamp.clone(),
                        org_id: org_id.clone(),
                        phase,
                        rule_id: m.rule_id.clone(),
                        rule_name: m.rule_name.clone(),
                        category: m.category,
                        severity: m.severity,
                        confidence: m.confidence,
                        span: m.span,
                        snippet: snippets.next(),
                        fingerprint: self
                            .keyed
                            .hex(&[m.rule_id.as_bytes(), value.as_bytes()], 32),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };

        Decision {
            verdict,
            event_type: verdict.event_type(),
            reason_code,
            policy_results,
            matches,
            redacted_text: rewritten.text,
            scan_truncated: s.truncated,
            event,
            dlp_matches,
        }
    }

    /// The `redactions` of an event: the matches the rewritten text replaced.
    fn redaction_records(
        &self,
        s: &Scanned,
        rewritten: &RedactedText,
        matches: &[MatchInfo],
        level: LoggingLevel,
    ) -> Vec<Redaction> {
        let mut replacements = rewritten.replacements.iter();
        matches
            .iter()
            .zip(&s.spans)
            .filter(|(m, _)| m.action >= Verdict::Redact)
            .map(|(m, span)| Redaction {
                kind: m.rule_id.clone(),
                replacement: replacements
                    .next()
                    .filter(|_| level >= LoggingLevel::Redacted)
                    .cloned(),
                span: *span,
            })
            .collect()
    }
}

/// One result per rule, in order of first match, with the rule's severity
/// for ordering and its reason code.
fn dlp_results(matches: &[MatchInfo], phase: Phase) -> Vec<(PolicyResult, u8, String)> {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for m in matches {
        match seen.iter_mut().find(|(id, _)| *id == m.rule_id) {
            Some(entry) => entry.1 += 1,
            None => seen.push((&m.rule_id, 1)),
        }
    }
    seen.into_iter()
        .filter_map(|(id, count)| {
            let m = matches.iter().find(|m| m.rule_id == id)?;
            let noun = if count == 1 { "match" } else { "matches" };
            Some((
                PolicyResult {
                    policy: id.to_string(),
                    kind: "dlp".into(),
                    phase,
                    verdict: m.action,
                    reason: format!(
                        "{count} {noun} of {} ({} severity)",
                        m.rule_name, m.severity
                    ),
                },
                2 + m.severity as u8,
                format!("dlp:{id}"),
            ))
        })
        .collect()
}

fn tool_result(
    phase: Phase,
    verdict: Verdict,
    code: &str,
    reason: &str,
) -> (PolicyResult, u8, String) {
    (
        PolicyResult {
            policy: "ai_tools".into(),
            kind: "tool".into(),
            phase,
            verdict,
            reason: reason.into(),
        },
        1,
        format!("tool:{code}"),
    )
}

fn dlp_summary(
    matches: &[MatchInfo],
    verdict: Verdict,
    results: &[PolicyResult],
    s: &Scanned,
    map: &OffsetMap<'_>,
) -> DlpSummary {
    DlpSummary {
        is_dlp_event: !matches.is_empty(),
        blocked_by_dlp: verdict == Verdict::Block
            && results
                .iter()
                .any(|r| r.kind == "dlp" && r.verdict == Verdict::Block),
        max_severity: matches.iter().map(|m| m.severity).max(),
        high_or_above: matches
            .iter()
            .filter(|m| m.severity >= Severity::High)
            .count(),
        critical: matches
            .iter()
            .filter(|m| m.severity == Severity::Critical)
            .count(),
        total_matches: matches.len(),
        scan_truncated: s.truncated,
        scanned_length: s.truncated.then(|| map.byte_to_char(s.scanned_bytes)),
    }
}

/// A value found once is a finding wherever it appears: the same SSN later
/// in the text without its context word, or past the scan limit, must not
/// reach a summary unredacted. Adds a finding of the same rule for every
/// other occurrence that does not overlap an existing one. `findings` is
/// sorted by start and non-overlapping, and stays so.
fn extend_to_repeats(text: &str, findings: &mut Vec<Finding>) {
    if findings.is_empty() {
        return;
    }
    let mut values: Vec<&str> = Vec::new();
    let mut templates: Vec<Finding> = Vec::new();
    let mut seen = HashSet::new();
    for f in findings.iter() {
        if let Some(v) = text.get(f.byte_start..f.byte_end) {
            if seen.insert(v) {
                values.push(v);
                templates.push(*f);
            }
        }
    }
    // Occurrences of every value as (start, end, value index), leftmost and
    // longest first, not overlapping each other.
    let mut occurrences: Vec<(usize, usize, usize)> = Vec::new();
    if values.len().saturating_mul(text.len()) <= 1 << 22 {
        // Substring searches over a few megabytes in all beat building an
        // automaton per call, which costs tens of microseconds.
        for (i, v) in values.iter().enumerate() {
            occurrences.extend(text.match_indices(v).map(|(at, _)| (at, at + v.len(), i)));
        }
        occurrences.sort_unstable_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut last_end = 0;
        occurrences.retain(|&(start, end, _)| {
            let keep = start >= last_end;
            if keep {
                last_end = end;
            }
            keep
        });
    } else if let Ok(ac) = aho_corasick::AhoCorasick::builder()
        // Built per call: the NFA builds in microseconds, a DFA would not.
        .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(&values)
    {
        occurrences.extend(
            ac.find_iter(text)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize())),
        );
    }
    let mut extra: Vec<Finding> = Vec::new();
    for (at, end, value) in occurrences {
        let next = findings.partition_point(|g| g.byte_start < end);
        let overlaps = next
            .checked_sub(1)
            .and_then(|p| findings.get(p))
            .is_some_and(|g| g.byte_end > at);
        if overlaps {
            continue;
        }
        if let Some(t) = templates.get(value) {
            extra.push(Finding {
                byte_start: at,
                byte_end: end,
                ..*t
            });
        }
    }
    if !extra.is_empty() {
        findings.extend(extra);
        findings.sort_by_key(|f| f.byte_start);
    }
}

/// Rule confidences are `f32`; records carry `f64` so JSON shows `0.8`, not
/// the `0.800000011920929` a plain widening gives.
fn widen(c: f32) -> f64 {
    c.to_string().parse().unwrap_or(f64::from(c))
}
