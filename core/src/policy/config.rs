//! The policy document's typed model and its defaults. Reading it from JSON
//! is `document.rs`; which setting applies to which rule is `selectors.rs`.
//! `docs/policy.md` is the annotated reference; keep the three together.

use crate::dlp::{Allowlist, RuleSpec};
use crate::schema::{Category, ConfigRef, LoggingLevel, Severity, Verdict};
use crate::text::RedactionStyle;
use std::collections::BTreeMap;

/// Severity → verdict for one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeverityActions {
    /// Verdict for `low` matches.
    pub low: Verdict,
    /// Verdict for `medium` matches.
    pub medium: Verdict,
    /// Verdict for `high` matches.
    pub high: Verdict,
    /// Verdict for `critical` matches.
    pub critical: Verdict,
}

impl SeverityActions {
    /// The verdict for `severity`.
    pub fn get(&self, severity: Severity) -> Verdict {
        match severity {
            Severity::Low => self.low,
            Severity::Medium => self.medium,
            Severity::High => self.high,
            Severity::Critical => self.critical,
        }
    }

    pub(super) fn set(&mut self, severity: Severity, verdict: Verdict) {
        match severity {
            Severity::Low => self.low = verdict,
            Severity::Medium => self.medium = verdict,
            Severity::High => self.high = verdict,
            Severity::Critical => self.critical = verdict,
        }
    }
}

/// The default actions: prompts block critical findings, responses (already
/// produced, so blocking helps less) redact them.
pub const DEFAULT_PROMPT_ACTIONS: SeverityActions = SeverityActions {
    low: Verdict::Allow,
    medium: Verdict::Warn,
    high: Verdict::Redact,
    critical: Verdict::Block,
};

/// See [`DEFAULT_PROMPT_ACTIONS`].
pub const DEFAULT_RESPONSE_ACTIONS: SeverityActions = SeverityActions {
    low: Verdict::Allow,
    medium: Verdict::Warn,
    high: Verdict::Redact,
    critical: Verdict::Redact,
};

/// What a policy says about the rules one selector picks: a rule id, a
/// glob of rule ids, a category or a pack. Each field left `None` is taken
/// from the next, less specific selector (see `docs/policy.md`,
/// "Precedence").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOverride {
    /// Turns the rules on or off.
    pub enabled: Option<bool>,
    /// Replaces the rules' severity.
    pub severity: Option<Severity>,
    /// Replaces the action for prompts.
    pub prompt_action: Option<Verdict>,
    /// Replaces the action for responses.
    pub response_action: Option<Verdict>,
    /// Monitor mode: the rules' verdicts are computed and recorded, not
    /// enforced.
    pub monitor: Option<bool>,
}

impl RuleOverride {
    /// Only switches the rules on or off (the `"pack": true` form).
    pub fn enabled(on: bool) -> Self {
        RuleOverride {
            enabled: Some(on),
            ..RuleOverride::default()
        }
    }
}

/// Logging level per record kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoggingLevels {
    /// `Event` records.
    pub event: LoggingLevel,
    /// `DlpMatch` records.
    pub dlp_match: LoggingLevel,
    /// `ShadowAiEvent` records.
    pub shadow_ai: LoggingLevel,
    /// `AuditEvent` records.
    pub audit: LoggingLevel,
}

/// AI tools by hostname.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AiToolsConfig {
    /// Approved hosts: exact names or `*.suffix` wildcards.
    pub approved: Vec<String>,
    /// Blocked hosts, same forms. Blocked wins over approved.
    pub blocked: Vec<String>,
    /// The verdict for a hostname that is neither; `allow` by default.
    pub unknown_action: Verdict,
}

/// A policy, as data. Read one with [`PolicyConfig::from_json`], or build it
/// in code from [`PolicyConfig::default`].
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyConfig {
    /// The org's id; events carry it unless the evaluation context names another.
    pub org_id: String,
    /// The org's name.
    pub org_name: Option<String>,
    /// The configuration's identity, copied into every event.
    pub config: ConfigRef,
    /// Settings per built-in pack (`secrets`, `pii`, `financial`): on or
    /// off (missing: on), and optionally severity, actions, monitor.
    pub packs: BTreeMap<String, RuleOverride>,
    /// Settings per category, for built-in and custom rules alike.
    pub categories: BTreeMap<Category, RuleOverride>,
    /// Built-in rules switched off by id.
    pub disabled_rules: Vec<String>,
    /// Overrides by rule id (built-in or custom) or by glob of rule ids
    /// (`secrets.*`; `*` is any run of characters, `?` one character).
    pub overrides: BTreeMap<String, RuleOverride>,
    /// The org's own rules.
    pub custom_rules: Vec<RuleSpec>,
    /// Severity → verdict for prompts.
    pub prompt_actions: SeverityActions,
    /// Severity → verdict for responses.
    pub response_actions: SeverityActions,
    /// Values never reported by any rule.
    pub allowlist: Allowlist,
    /// AI tools by hostname.
    pub ai_tools: AiToolsConfig,
    /// Logging level per record kind.
    pub logging: LoggingLevels,
    /// How redacted text is rewritten.
    pub redaction_style: RedactionStyle,
    /// The org key for fingerprints and prompt hashes. Without it, a random
    /// key is drawn when the policy is compiled, so fingerprints correlate
    /// only within one compiled policy.
    pub fingerprint_key: Option<String>,
    /// Bytes scanned per text; beyond, the result says `scan_truncated`.
    pub max_scan_bytes: usize,
    /// The verdict for a text longer than `max_scan_bytes`, by phase.
    pub on_truncated: PhaseActions,
    /// Matches reported per text (as `matches` and `DlpMatch` records);
    /// beyond, matches still count toward the verdict, are redacted and are
    /// counted in the event, but are not listed.
    pub max_matches: usize,
    /// Monitor mode for the whole policy: every verdict is computed and
    /// recorded as the would-be verdict, and `allow` is enforced. A rule,
    /// glob, category or pack can say otherwise for its rules.
    pub monitor: bool,
}

/// One verdict per phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseActions {
    /// For prompts.
    pub prompt: Verdict,
    /// For responses.
    pub response: Verdict,
}

impl PhaseActions {
    /// The verdict for `phase`.
    pub fn get(&self, phase: crate::schema::Phase) -> Verdict {
        match phase {
            crate::schema::Phase::Prompt => self.prompt,
            crate::schema::Phase::Response => self.response,
        }
    }
}

/// A text that was not scanned whole fails closed: a prompt is blocked, and
/// a response (already produced) is redacted, which replaces its unscanned
/// tail.
pub const DEFAULT_ON_TRUNCATED: PhaseActions = PhaseActions {
    prompt: Verdict::Block,
    response: Verdict::Redact,
};

/// Default for [`PolicyConfig::max_matches`].
pub const DEFAULT_MAX_MATCHES: usize = 1000;

/// The largest scan limit accepted: 1 GiB. Scanning is linear and runs in
/// segments of a few megabytes, so memory does not grow with the limit.
pub const MAX_SCAN_BYTES: usize = 1 << 30;

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            org_id: "default".into(),
            org_name: None,
            config: ConfigRef {
                id: Some("builtin-default".into()),
                name: Some("govstream built-in default".into()),
                version: Some("1".into()),
            },
            packs: BTreeMap::new(),
            categories: BTreeMap::new(),
            disabled_rules: Vec::new(),
            overrides: BTreeMap::new(),
            custom_rules: Vec::new(),
            prompt_actions: DEFAULT_PROMPT_ACTIONS,
            response_actions: DEFAULT_RESPONSE_ACTIONS,
            allowlist: Allowlist::default(),
            ai_tools: AiToolsConfig::default(),
            logging: LoggingLevels::default(),
            redaction_style: RedactionStyle::default(),
            fingerprint_key: None,
            max_scan_bytes: crate::dlp::DEFAULT_MAX_SCAN_BYTES,
            on_truncated: DEFAULT_ON_TRUNCATED,
            max_matches: DEFAULT_MAX_MATCHES,
            monitor: false,
        }
    }
}

/// The smallest scan limit accepted: summaries show up to 256 characters
/// (1,024 bytes), and all of them must have been scanned.
pub const MIN_SCAN_BYTES: usize = 1024;
