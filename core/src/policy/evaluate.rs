//! The evaluator: findings → per-rule verdicts → one verdict on the lattice,
//! the rewritten text, and the records, shaped by the logging level before
//! anything leaves this module.

use super::context::EvaluationContext;
use super::details::{self, Forwarded};
use super::records::RecordsText;
use super::scanned::Scanned;
use super::scrub::Scrubber;
use super::tools::ToolStatus;
use super::{Compiled, Policy};
use crate::clock;
use crate::dlp::Finding;
use crate::schema::{
    Category, DlpMatch, Event, EventType, LoggingLevel, Phase, PolicyResult, Record,
    SCHEMA_VERSION, Severity, TextSpan, TraceIds, Verdict,
};
use crate::text::{self, OffsetMap, RedactedText, SUMMARY_MAX_CHARS, Target};
use serde::{Deserialize, Serialize};

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
    /// The policy's verdict for this match in the evaluated phase (with
    /// `monitor`, the verdict it would give).
    pub action: Verdict,
    /// Monitor mode: `action` is recorded, not enforced.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub monitor: bool,
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
    /// Matches found but not listed, past the policy's `limits.max_matches`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub omitted_matches: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The outcome of [`Policy::redact_outcome`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedactOutcome {
    /// The text with every match rewritten, and, when the text was longer
    /// than the scan limit, its unscanned tail replaced by
    /// `[UNSCANNED:<n> bytes]`.
    pub text: String,
    /// Values rewritten.
    pub redactions: usize,
    /// True when only a prefix of the text was scanned (and the rest
    /// replaced).
    pub scan_truncated: bool,
    /// Code points scanned.
    pub scanned_length: usize,
}

/// The outcome of [`Policy::evaluate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The combined verdict: what to enforce.
    pub verdict: Verdict,
    /// `request`, `warned`, `redacted`, `escalated` or `blocked`.
    pub event_type: EventType,
    /// Why: the reason of the strongest enforced result (`dlp:<rule_id>`,
    /// `tool:blocked`, `tool:unknown`) or `none`.
    pub reason_code: String,
    /// Monitor mode: the verdict had every monitored result been enforced,
    /// when stronger than `verdict` (else `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_verdict: Option<Verdict>,
    /// The reason code of `would_verdict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_reason_code: Option<String>,
    /// Every policy that produced a result, strongest first.
    pub policy_results: Vec<PolicyResult>,
    /// Every match, in text order, up to the policy's `limits.max_matches`.
    pub matches: Vec<MatchInfo>,
    /// Matches found but not listed in `matches` (and not recorded as
    /// `DlpMatch` records): they still count toward the verdict and are
    /// rewritten in `redacted_text`.
    pub omitted_matches: usize,
    /// The text to forward when the verdict is `redact` — not for logs: the
    /// values of matches whose action is below `redact` are kept as they
    /// are. Every match whose action is `redact` or stronger is rewritten;
    /// when the text was not scanned whole and `limits.on_truncated` is
    /// `redact` or stronger, the unscanned tail is replaced by
    /// `[UNSCANNED:<n> bytes]`.
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

    /// [`Decision::records`] without copying them: the decision is used up
    /// (a command line that writes each decision's records and moves on).
    pub fn into_records(self) -> Vec<Record> {
        let mut out = Vec::with_capacity(1 + self.dlp_matches.len());
        if let Some(e) = self.event {
            out.push(Record::from(e));
        }
        out.extend(self.dlp_matches.into_iter().map(Record::DlpMatch));
        out
    }
}

/// What replaces the unscanned tail of a text in every rewritten text and
/// record.
fn unscanned_marker(bytes: usize) -> String {
    format!("[UNSCANNED:{bytes} bytes]")
}

/// Bytes of text kept for records past the last listed match: room for a
/// 256-character snippet window of 4-byte characters, and the summary.
const RECORD_CONTEXT_BYTES: usize = 4 * 1024;

impl Policy {
    /// Scans `text` with the policy's rules (allowlist applied). Lists at
    /// most `limits.max_matches` matches and counts the rest.
    pub fn scan(&self, text: &str) -> ScanReport {
        let s = self.inner.scan(text);
        let matches = self.inner.match_infos(&s, Phase::Prompt);
        ScanReport {
            omitted_matches: s.findings.len() - matches.len(),
            matches,
            scan_truncated: s.truncated,
            scanned_length: s.scanned_chars,
        }
    }

    /// `text` with every match rewritten in the policy's redaction style,
    /// whatever its action. A text longer than the scan limit has its
    /// unscanned tail replaced by `[UNSCANNED:<n> bytes]`: nothing that was
    /// not scanned comes back. [`Policy::redact_outcome`] also says what
    /// was done.
    pub fn redact(&self, text: &str) -> String {
        self.redact_outcome(text).text
    }

    /// [`Policy::redact`], with how many values were rewritten and whether
    /// the text was scanned whole.
    pub fn redact_outcome(&self, text: &str) -> RedactOutcome {
        let s = self.inner.scan(text);
        let out = self.inner.rewrite(text, &s, s.cut, |_| true);
        RedactOutcome {
            text: out.text,
            redactions: s.findings.len(),
            scan_truncated: s.truncated,
            scanned_length: s.scanned_chars,
        }
    }

    /// Evaluates a prompt or response. Never fails: whatever the input, the
    /// result is a decision. A text longer than the scan limit is scanned up
    /// to it; the verdict is then at least `limits.on_truncated` (by default
    /// `block` for prompts, `redact` for responses), with reason code
    /// `scan_truncated`, and the event says `degraded`.
    pub fn evaluate(&self, text: &str, ctx: &EvaluationContext) -> Decision {
        self.inner.evaluate(text, ctx)
    }
}

impl Compiled {
    /// The listed matches: the first `limits.max_matches`.
    fn match_infos(&self, s: &Scanned, phase: Phase) -> Vec<MatchInfo> {
        s.findings
            .iter()
            .zip(&s.spans)
            .take(self.config.max_matches)
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
                    monitor: meta.monitor,
                    span: *span,
                })
            })
            .collect()
    }

    /// The redaction targets of the findings `keep` selects, within `end`.
    pub(super) fn targets<'a>(
        &'a self,
        s: &Scanned,
        end: usize,
        keep: impl Fn(&Finding) -> bool,
    ) -> Vec<Target<'a>> {
        // Hidden repeats come last: the first targets stay one per finding,
        // in order (replacements and snippets are indexed that way), and the
        // redactor merges a repeat with the finding it overlaps.
        s.findings
            .iter()
            .chain(&s.hidden_repeats)
            .filter(|f| f.byte_end <= end && keep(f))
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

    /// Where text shown in records ends below `full`: the scan cut, or
    /// earlier — a few KiB past the last listed match, enough for its
    /// snippet and for the summary — so records of a text with millions of
    /// matches never rewrite all of it. Never inside a finding.
    fn records_end(&self, text: &str, s: &Scanned) -> usize {
        let listed_end = s
            .findings
            .iter()
            .take(self.config.max_matches)
            .map(|f| f.byte_end)
            .max()
            .unwrap_or(0);
        let mut end = s.cut.min(listed_end.saturating_add(RECORD_CONTEXT_BYTES));
        let next = s.findings.partition_point(|f| f.byte_start < end);
        if let Some(f) = next.checked_sub(1).and_then(|p| s.findings.get(p))
            && f.byte_end > end
        {
            end = f.byte_start;
        }
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        end
    }

    /// Rewrites the findings `keep` selects in `text[..end]`; when `end` is
    /// the scan cut of a text not scanned whole, the unscanned marker
    /// follows.
    pub(super) fn rewrite(
        &self,
        text: &str,
        s: &Scanned,
        end: usize,
        keep: impl Fn(&Finding) -> bool,
    ) -> RedactedText {
        let shown = text.get(..end).unwrap_or_default();
        let targets = self.targets(s, end, keep);
        let mut out = if targets.is_empty() {
            RedactedText {
                text: shown.to_string(),
                replacements: Vec::new(),
            }
        } else {
            self.redactor
                .redact_keeping(shown, &targets, self.config.max_matches)
        };
        if end == s.cut && end < text.len() {
            out.text.push_str(&unscanned_marker(text.len() - end));
        }
        out
    }

    pub(super) fn evaluate(&self, text: &str, ctx: &EvaluationContext) -> Decision {
        let phase = ctx.phase;
        let s = self.scan(text);
        let matches = self.match_infos(&s, phase);

        let mut results = self.dlp_results(&s, phase);
        let host = ctx.tool.hostname.as_deref().filter(|h| !h.is_empty());
        if let Some(host) = host.filter(|_| self.tools.is_configured()) {
            match self.tools.status(host) {
                ToolStatus::Approved => {}
                ToolStatus::Blocked => results.push(tool_result(
                    phase,
                    self.config.monitor,
                    Verdict::Block,
                    "blocked",
                    "the AI tool's hostname is on the policy's blocked list",
                )),
                ToolStatus::Unknown => results.push(tool_result(
                    phase,
                    self.config.monitor,
                    self.tools.unknown_action,
                    "unknown",
                    "the AI tool's hostname is not on the policy's approved list",
                )),
            }
        }
        let on_truncated = self.config.on_truncated.get(phase);
        if s.truncated {
            results.push((
                PolicyResult {
                    policy: "limits.max_scan_bytes".into(),
                    kind: "scan".into(),
                    phase,
                    verdict: on_truncated,
                    reason: format!(
                        "only the first {} of {} bytes were scanned (limits.max_scan_bytes)",
                        s.scanned_bytes,
                        text.len()
                    ),
                    monitor: self.config.monitor,
                },
                1,
                "scan_truncated".into(),
            ));
        }
        // Strongest first; among equals, DLP before tool and then by severity,
        // so the reason code names the worst finding.
        results.sort_by(|a, b| b.0.verdict.cmp(&a.0.verdict).then(b.1.cmp(&a.1)));
        // Monitored results are recorded, not enforced: the verdict is the
        // strongest of the others, and the strongest of all is what would
        // have been.
        let strongest = |monitored: bool| {
            results
                .iter()
                .find(|r| monitored || !r.0.monitor)
                .filter(|r| r.0.verdict > Verdict::Allow)
        };
        let verdict = strongest(false).map_or(Verdict::Allow, |r| r.0.verdict);
        let reason_code = strongest(false).map_or_else(|| "none".to_string(), |r| r.2.clone());
        let (would_verdict, would_reason_code) = match strongest(true) {
            Some(r) if r.0.verdict > verdict => (Some(r.0.verdict), Some(r.2.clone())),
            _ => (None, None),
        };
        let policy_results: Vec<PolicyResult> = results.into_iter().map(|r| r.0).collect();

        // A monitored rule's value stays in the text to forward: monitor
        // mode changes nothing the user sees.
        let acts = |f: &Finding| {
            self.meta
                .get(f.rule)
                .is_some_and(|m| m.action(phase) >= Verdict::Redact && !m.monitor)
        };
        // The text to forward: an unscanned tail goes on only when the policy
        // lets a truncated text through (or only monitors).
        let forward_end = if on_truncated >= Verdict::Redact && !self.config.monitor {
            s.cut
        } else {
            text.len()
        };
        let rewritten = self.rewrite(text, &s, forward_end, acts);
        let levels = self.config.logging;
        let needs_content =
            levels.event >= LoggingLevel::Redacted || levels.dlp_match >= LoggingLevel::Redacted;
        // Records never show a matched value, or text that was not scanned,
        // below `full`: they use a rewrite of every match, cut at the scan
        // limit (or sooner, where records need no more of it).
        let same = s.findings.iter().all(acts) && forward_end == s.cut;
        let records_end = if same {
            s.cut
        } else {
            self.records_end(text, &s)
        };
        let all = if same || !needs_content {
            None
        } else {
            Some(self.rewrite(text, &s, records_end, |_| true))
        };
        let all = all.as_ref().unwrap_or(&rewritten);

        let ms = ctx.timestamp_ms.unwrap_or_else(clock::now_ms);
        let scrub = Scrubber::new(self, text, &s);
        let event_id = ctx
            .event_id
            .clone()
            .map(|id| scrub.id(id, levels.event))
            .unwrap_or_else(|| clock::uuid_v7(ms));
        let timestamp = clock::rfc3339_ms(ms);
        let org_id = ctx
            .org_id
            .clone()
            .unwrap_or_else(|| self.config.org_id.clone());
        let map = OffsetMap::new(text);
        let trace = ctx
            .traceparent
            .as_deref()
            .and_then(crate::trace::parse_traceparent)
            .map(|t| TraceIds::from_parent(&t))
            .unwrap_or_default();

        let event = (levels.event > LoggingLevel::Off).then(|| {
            let summary = match levels.event {
                LoggingLevel::Full => Some(text::summarize(
                    text::truncate(text, SUMMARY_MAX_CHARS).0,
                    map.char_len(),
                )),
                LoggingLevel::Redacted => {
                    let mut summary = text::summarize(&all.text, map.char_len());
                    // The records' rewrite may stop before the text does.
                    summary.truncated |= records_end < s.cut;
                    Some(summary)
                }
                _ => None,
            };
            let (prompt_summary, response_summary) = match phase {
                Phase::Prompt => (summary, None),
                Phase::Response => (None, summary),
            };
            let redactions = self.redaction_records(&s, &rewritten, phase, levels.event);
            let context = scrub.context(ctx, levels.event);
            let forwarded = Forwarded {
                original: text,
                rewritten: &rewritten.text,
                redactions: s
                    .findings
                    .iter()
                    .filter(|f| f.byte_end <= forward_end && acts(f))
                    .count(),
                verdict,
            };
            Event {
                schema_version: SCHEMA_VERSION,
                event_id: event_id.clone(),
                timestamp: timestamp.clone(),
                org_id: org_id.clone(),
                identity: context.identity,
                client: context.client,
                tool: context.tool,
                phase,
                verdict,
                event_type: verdict.event_type(),
                reason_code: reason_code.clone(),
                would_verdict,
                would_reason_code: would_reason_code.clone(),
                policy_results: policy_results.clone(),
                prompt_summary,
                response_summary,
                output_preview: details::output_preview(phase, levels.event, &all.text),
                prompt_hash: details::prompt_hash(&self.keyed, text),
                prompt_redacted: phase == Phase::Prompt && forwarded.was_rewritten(),
                dlp: self.dlp_summary(&s, verdict, &policy_results, &map),
                redactions,
                rewrite: forwarded.rewrite(&self.keyed),
                tokens: ctx.tokens,
                quality_scores: ctx.quality_scores.filter(|q| !q.is_empty()),
                metadata: context.metadata,
                safety_settings: context.safety_settings,
                safety_response: context.safety_response,
                config: self.config.config.clone(),
                degraded: s.truncated,
                request_id: context.request_id.clone(),
                session_id: context.session_id,
                conversation_id: context.conversation_id,
                trace: trace.clone(),
                trace_state: context.trace_state,
            }
        });

        let dlp_matches = if levels.dlp_match > LoggingLevel::Off {
            let shown = RecordsText {
                all,
                end: records_end,
            };
            let ids = super::records::RecordIds {
                event_id: &event_id,
                timestamp: &timestamp,
                org_id: &org_id,
                request_id: ctx
                    .request_id
                    .clone()
                    .map(|id| scrub.id(id, levels.dlp_match)),
            };
            let mut records = self.match_records(text, &s, &matches, &shown, &map, &ids, phase);
            for m in &mut records {
                m.trace = trace.clone();
            }
            records
        } else {
            Vec::new()
        };

        Decision {
            verdict,
            event_type: verdict.event_type(),
            reason_code,
            would_verdict,
            would_reason_code,
            policy_results,
            omitted_matches: s.findings.len() - matches.len(),
            matches,
            redacted_text: rewritten.text,
            scan_truncated: s.truncated,
            event,
            dlp_matches,
        }
    }
}

fn tool_result(
    phase: Phase,
    monitor: bool,
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
            monitor,
        },
        1,
        format!("tool:{code}"),
    )
}

/// Rule confidences are `f32`; records carry `f64` rounded to 4 decimals, so
/// JSON shows `0.8`, not the `0.800000011920929` a plain widening gives, and
/// a boosted `0.85 + 0.1` shows `0.95`, not `f32`'s `0.95000005`.
fn widen(c: f32) -> f64 {
    (f64::from(c) * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod widen_tests {
    use super::widen;

    #[test]
    fn confidences_print_as_written() {
        assert_eq!(widen(0.8).to_string(), "0.8");
        assert_eq!(widen(0.85 + 0.1).to_string(), "0.95");
        assert_eq!(widen(1.0).to_string(), "1");
        assert_eq!(widen(0.0).to_string(), "0");
    }
}
