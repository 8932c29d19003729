//! The policy document: its typed model and how it is read from JSON.
//! `docs/policy.md` is the annotated reference; keep the two together.

use super::reader::{Obj, Problems};
use crate::dlp::{Allowlist, ContextRule, DEFAULT_MAX_LEN, RuleSpec, Validator};
use crate::schema::{Category, ConfigRef, LoggingLevel, Severity, Verdict};
use crate::text::RedactionStyle;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

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

    fn set(&mut self, severity: Severity, verdict: Verdict) {
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

/// A per-rule override.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOverride {
    /// Turns the rule on or off.
    pub enabled: Option<bool>,
    /// Replaces the rule's severity.
    pub severity: Option<Severity>,
    /// Replaces the action for prompts.
    pub prompt_action: Option<Verdict>,
    /// Replaces the action for responses.
    pub response_action: Option<Verdict>,
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
    /// Built-in packs switched on or off (missing: on).
    pub packs: BTreeMap<String, bool>,
    /// Built-in rules switched off by id.
    pub disabled_rules: Vec<String>,
    /// Per-rule overrides by id (built-in or custom).
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
        }
    }
}

/// The smallest scan limit accepted: summaries show up to 256 characters
/// (1,024 bytes), and all of them must have been scanned.
pub const MIN_SCAN_BYTES: usize = 1024;

const TOP: &[&str] = &[
    "schema_version",
    "org",
    "config",
    "packs",
    "rules",
    "custom_rules",
    "actions",
    "allowlist",
    "ai_tools",
    "logging",
    "redaction",
    "fingerprint_key",
    "max_scan_bytes",
    "limits",
];
const VERDICTS: &[&str] = &["allow", "warn", "redact", "escalate", "block"];
const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];
const LEVELS: &[&str] = &["off", "metadata", "redacted", "full"];
const STYLES: &[&str] = &["mask", "label", "placeholder", "hash", "partial"];
const CATEGORIES: &[&str] = &["secret", "pii", "financial", "custom"];

fn parse_level(s: &str) -> Option<LoggingLevel> {
    Some(match s {
        "off" => LoggingLevel::Off,
        "metadata" => LoggingLevel::Metadata,
        "redacted" => LoggingLevel::Redacted,
        "full" => LoggingLevel::Full,
        _ => return None,
    })
}

fn parse_style(s: &str) -> Option<RedactionStyle> {
    Some(match s {
        "mask" => RedactionStyle::Mask,
        "label" => RedactionStyle::Label,
        "placeholder" => RedactionStyle::Placeholder,
        "hash" => RedactionStyle::Hash,
        "partial" => RedactionStyle::Partial,
        _ => return None,
    })
}

fn parse_category(s: &str) -> Option<Category> {
    Some(match s {
        "secret" => Category::Secret,
        "pii" => Category::Pii,
        "financial" => Category::Financial,
        "custom" => Category::Custom,
        _ => return None,
    })
}

impl PolicyConfig {
    /// Reads a policy document. Every problem is reported at once, each with
    /// its JSON path: keys given twice in one object, unknown fields, wrong
    /// types and values, custom rules whose regex does not compile, unknown
    /// or clashing rule ids.
    pub fn from_json(json: &str) -> Result<Self, Vec<crate::Problem>> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| vec![crate::Problem::new("$", format!("not valid JSON: {e}"))])?;
        // A parsed `Value` keeps the last of a repeated key, so the text is
        // checked for them itself: a policy that says one thing to a person
        // and another to this reader must not compile.
        let duplicates = super::reader::duplicate_keys(json);
        match Self::from_value(&value) {
            Ok(cfg) if duplicates.is_empty() => Ok(cfg),
            Ok(_) => Err(duplicates),
            Err(problems) => Err(duplicates.into_iter().chain(problems).collect()),
        }
    }

    /// Reads a policy document already parsed as JSON.
    pub fn from_value(value: &Value) -> Result<Self, Vec<crate::Problem>> {
        let mut p = Problems::default();
        let cfg = read(value, &mut p);
        p.0.extend(cfg.check_rule_ids(&crate::dlp::packs::builtin_rules()));
        if p.0.is_empty() { Ok(cfg) } else { Err(p.0) }
    }

    /// Rule-id problems: custom ids that clash with a built-in or each
    /// other, and unknown ids in `rules.disabled` and `rules.overrides`.
    pub(super) fn check_rule_ids(&self, builtin: &[RuleSpec]) -> Vec<crate::Problem> {
        let mut problems = Vec::new();
        let builtin_ids: HashSet<&str> = builtin.iter().map(|r| r.id.as_str()).collect();
        let mut custom_ids = HashSet::new();
        for (i, r) in self.custom_rules.iter().enumerate() {
            let path = format!("$.custom_rules[{i}].id");
            if builtin_ids.contains(r.id.as_str()) {
                problems.push(crate::Problem::new(
                    path,
                    format!("`{}` is the id of a built-in rule; choose another", r.id),
                ));
            } else if !custom_ids.insert(r.id.as_str()) {
                problems.push(crate::Problem::new(
                    path,
                    format!("duplicate custom rule id `{}`", r.id),
                ));
            }
        }
        let known = |id: &str| builtin_ids.contains(id) || custom_ids.contains(id);
        for (i, id) in self.disabled_rules.iter().enumerate() {
            if !known(id) {
                problems.push(crate::Problem::new(
                    format!("$.rules.disabled[{i}]"),
                    format!("unknown rule id `{id}`"),
                ));
            }
        }
        for id in self.overrides.keys() {
            if !known(id) {
                problems.push(crate::Problem::new(
                    super::reader::child("$.rules.overrides", id),
                    format!("unknown rule id `{id}`"),
                ));
            }
        }
        problems
    }
}

fn read(value: &Value, p: &mut Problems) -> PolicyConfig {
    let mut cfg = PolicyConfig::default();
    let top = Obj::new(Some(value), "$".into(), TOP, p);
    if let Some(v) = top.unsigned("schema_version", p)
        && v != 1
    {
        p.push(
            top.path_of("schema_version"),
            format!("unsupported schema version {v}; this version of govstream reads 1"),
        );
    }

    let org = top.obj("org", &["id", "name"], p);
    if let Some(id) = org.string("id", p) {
        if id.trim().is_empty() {
            p.push(org.path_of("id"), "must not be empty");
        }
        cfg.org_id = id;
    }
    cfg.org_name = org.string("name", p);

    let c = top.obj("config", &["id", "name", "version"], p);
    if top.get("config").is_some() {
        cfg.config = ConfigRef {
            id: c.string("id", p),
            name: c.string("name", p),
            version: c.string_or_number("version", p),
        };
    }

    for (path, pack, v) in top.entries("packs", p) {
        if !crate::dlp::packs::PACKS.contains(&pack.as_str()) {
            p.push(
                &path,
                format!(
                    "unknown pack `{pack}`; expected one of: {}",
                    crate::dlp::packs::PACKS.join(", ")
                ),
            );
        }
        match v.as_bool() {
            Some(b) => {
                cfg.packs.insert(pack, b);
            }
            None => p.push(path, "expected true or false"),
        }
    }

    let rules = top.obj("rules", &["disabled", "overrides"], p);
    cfg.disabled_rules = rules
        .strings("disabled", p)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    for (path, id, v) in rules.entries("overrides", p) {
        let o = Obj::new(Some(v), path, &["enabled", "severity", "action"], p);
        let mut ov = RuleOverride {
            enabled: o.boolean("enabled", p),
            severity: o.word("severity", Severity::parse, SEVERITIES, p),
            ..RuleOverride::default()
        };
        if let Some(Value::String(_)) = o.get("action") {
            let both = o.word("action", Verdict::parse, VERDICTS, p);
            ov.prompt_action = both;
            ov.response_action = both;
        } else {
            let a = o.obj("action", &["prompt", "response"], p);
            ov.prompt_action = a.word("prompt", Verdict::parse, VERDICTS, p);
            ov.response_action = a.word("response", Verdict::parse, VERDICTS, p);
        }
        cfg.overrides.insert(id, ov);
    }

    for (path, v) in top.array("custom_rules", p) {
        if let Some(rule) = read_custom_rule(v, path, p) {
            cfg.custom_rules.push(rule);
        }
    }

    let actions = top.obj("actions", &["prompt", "response"], p);
    for (phase, table) in [
        ("prompt", &mut cfg.prompt_actions),
        ("response", &mut cfg.response_actions),
    ] {
        let o = actions.obj(phase, &["low", "medium", "high", "critical"], p);
        for sev in Severity::ALL {
            if let Some(v) = o.word(sev.as_str(), Verdict::parse, VERDICTS, p) {
                table.set(sev, v);
            }
        }
    }

    let allow = top.obj("allowlist", &["values", "patterns"], p);
    cfg.allowlist = Allowlist {
        values: allow
            .strings("values", p)
            .into_iter()
            .map(|(_, s)| s)
            .collect(),
        patterns: allow
            .strings("patterns", p)
            .into_iter()
            .map(|(_, s)| s)
            .collect(),
    };
    for (path, pat) in allow.strings("patterns", p) {
        if let Err(e) = regex_syntax::Parser::new().parse(&pat) {
            p.push(path, format!("invalid regex: {e}"));
        }
    }

    let tools = top.obj("ai_tools", &["approved", "blocked", "unknown_action"], p);
    for (key, list) in [
        ("approved", &mut cfg.ai_tools.approved),
        ("blocked", &mut cfg.ai_tools.blocked),
    ] {
        for (path, host) in tools.strings(key, p) {
            match super::tools::normalize_pattern(&host) {
                Ok(h) => list.push(h),
                Err(msg) => p.push(path, msg),
            }
        }
    }
    if let Some(v) = tools.word("unknown_action", Verdict::parse, VERDICTS, p) {
        cfg.ai_tools.unknown_action = v;
    }

    match top.get("logging") {
        Some(Value::String(_)) => {
            if let Some(l) = top.word("logging", parse_level, LEVELS, p) {
                cfg.logging = LoggingLevels {
                    event: l,
                    dlp_match: l,
                    shadow_ai: l,
                    audit: l,
                };
            }
        }
        _ => {
            let o = top.obj("logging", &["event", "dlp_match", "shadow_ai", "audit"], p);
            let l = &mut cfg.logging;
            for (key, slot) in [
                ("event", &mut l.event),
                ("dlp_match", &mut l.dlp_match),
                ("shadow_ai", &mut l.shadow_ai),
                ("audit", &mut l.audit),
            ] {
                if let Some(v) = o.word(key, parse_level, LEVELS, p) {
                    *slot = v;
                }
            }
        }
    }

    let red = top.obj("redaction", &["style"], p);
    if let Some(s) = red.word("style", parse_style, STYLES, p) {
        cfg.redaction_style = s;
    }

    if let Some(k) = top.string("fingerprint_key", p) {
        if k.len() < 16 {
            p.push(
                top.path_of("fingerprint_key"),
                "must be at least 16 bytes; use a random secret",
            );
        }
        cfg.fingerprint_key = Some(k);
    }
    read_limits(&top, &mut cfg, p);
    cfg
}

/// `limits` (and the older top-level `max_scan_bytes`).
fn read_limits(top: &Obj<'_>, cfg: &mut PolicyConfig, p: &mut Problems) {
    let limits = top.obj(
        "limits",
        &["max_scan_bytes", "on_truncated", "max_matches"],
        p,
    );
    let mut scan_limit = |o: &Obj<'_>, p: &mut Problems| {
        if let Some(n) = o.unsigned("max_scan_bytes", p) {
            match usize::try_from(n) {
                Ok(n) if (MIN_SCAN_BYTES..=MAX_SCAN_BYTES).contains(&n) => cfg.max_scan_bytes = n,
                _ => p.push(
                    o.path_of("max_scan_bytes"),
                    format!("must be from {MIN_SCAN_BYTES} to {MAX_SCAN_BYTES}"),
                ),
            }
        }
    };
    if top.get("max_scan_bytes").is_some() && limits.get("max_scan_bytes").is_some() {
        p.push(
            top.path_of("max_scan_bytes"),
            "given twice: here and as `limits.max_scan_bytes`; keep the latter",
        );
    }
    scan_limit(top, p);
    scan_limit(&limits, p);
    match limits.get("on_truncated") {
        Some(Value::String(_)) => {
            if let Some(v) = limits.word("on_truncated", Verdict::parse, VERDICTS, p) {
                cfg.on_truncated = PhaseActions {
                    prompt: v,
                    response: v,
                };
            }
        }
        _ => {
            let o = limits.obj("on_truncated", &["prompt", "response"], p);
            if let Some(v) = o.word("prompt", Verdict::parse, VERDICTS, p) {
                cfg.on_truncated.prompt = v;
            }
            if let Some(v) = o.word("response", Verdict::parse, VERDICTS, p) {
                cfg.on_truncated.response = v;
            }
        }
    }
    if let Some(n) = limits.unsigned("max_matches", p) {
        match usize::try_from(n) {
            Ok(n) if n >= 1 => cfg.max_matches = n,
            _ => p.push(limits.path_of("max_matches"), "must be at least 1"),
        }
    }
}

const CUSTOM_RULE: &[&str] = &[
    "id",
    "name",
    "category",
    "severity",
    "pattern",
    "keyword_list",
    "keywords",
    "min_digits",
    "max_len",
    "validator",
    "context",
    "allowlist",
    "confidence",
    "label",
];

fn read_custom_rule(v: &Value, path: String, p: &mut Problems) -> Option<RuleSpec> {
    let o = Obj::new(Some(v), path, CUSTOM_RULE, p);
    let before = p.0.len();
    let id = o.string("id", p);
    match &id {
        None if o.get("id").is_none() => {
            p.push(o.path_of("id"), "missing; every custom rule needs an id")
        }
        Some(id)
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) =>
        {
            p.push(
                o.path_of("id"),
                format!("`{id}` is not a valid rule id: use letters, digits, `.`, `_`, `-`"),
            );
        }
        _ => {}
    }
    let severity = o.word("severity", Severity::parse, SEVERITIES, p);
    if severity.is_none() && o.get("severity").is_none() {
        p.push(
            o.path_of("severity"),
            "missing; expected one of: low, medium, high, critical",
        );
    }
    let category = o
        .word("category", parse_category, CATEGORIES, p)
        .unwrap_or(Category::Custom);
    let keyword_list = o.strings("keyword_list", p);
    let pattern = match (o.string("pattern", p), keyword_list.is_empty()) {
        (Some(pat), true) => Some(pat),
        (None, false) => {
            // Whole words, case-insensitively: `(?i)\b(?:alpha|beta)\b`.
            let words: Vec<String> = keyword_list
                .iter()
                .map(|(_, w)| regex_syntax::escape(w))
                .collect();
            Some(format!(r"(?i)\b(?:{})\b", words.join("|")))
        }
        (Some(_), false) => {
            p.push(o.path(), "has both `pattern` and `keyword_list`; give one");
            None
        }
        (None, true) => {
            p.push(
                o.path(),
                "needs a `pattern` (a regex) or a non-empty `keyword_list`",
            );
            None
        }
    };
    for (path, w) in &keyword_list {
        if w.trim().is_empty() {
            p.push(path, "keyword must not be empty");
        }
    }
    let keyword_items = o.strings("keywords", p);
    for (path, k) in &keyword_items {
        if k.is_empty() {
            p.push(path, "keyword must not be empty");
        } else if !k.is_ascii() {
            // The prefilter finds keywords ASCII-case-insensitively, byte by
            // byte; it cannot promise that a Unicode `(?i)` match contains a
            // non-ASCII keyword, so such a keyword would silently be ignored.
            p.push(
                path,
                format!(
                    "keyword `{k}` is not ASCII; keywords must be ASCII: use an ASCII part \
                     that every match contains, or leave `keywords` out"
                ),
            );
        }
    }
    let mut keywords: Vec<String> = keyword_items.into_iter().map(|(_, s)| s).collect();
    if keywords.is_empty() && o.get("keywords").is_none() {
        keywords = keyword_list.iter().map(|(_, w)| w.clone()).collect();
    }
    let min_digits = o
        .unsigned("min_digits", p)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let max_len = o
        .unsigned("max_len", p)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let validator: Option<Validator> = o.typed("validator", p);
    let context: Option<ContextRule> = o.typed("context", p);
    let allowlist: Option<Allowlist> = o.typed("allowlist", p);
    let confidence = o.get("confidence").and_then(|c| {
        let f = c.as_f64().filter(|f| (0.0..=1.0).contains(f));
        if f.is_none() {
            p.push(o.path_of("confidence"), "expected a number from 0.0 to 1.0");
        }
        f
    });
    let label = o.string("label", p);
    if p.0.len() > before {
        return None;
    }
    let id = id?;
    let name = o.string("name", p).unwrap_or_else(|| id.clone());
    let mut rule = RuleSpec::new(&id, &name, category, severity?, &pattern?);
    rule.pack = "custom".into();
    rule.keywords = keywords;
    rule.min_digits = min_digits;
    rule.max_len = max_len.unwrap_or(DEFAULT_MAX_LEN * 2);
    rule.validator = validator;
    rule.context = context;
    rule.allowlist = allowlist.unwrap_or_default();
    if let Some(c) = confidence {
        rule.confidence = c as f32;
    }
    if let Some(l) = label {
        rule.label = l;
    }
    // Check the regexes here, where the rule's path is known, each problem
    // at the field it is about.
    use crate::dlp::RulePart;
    let problems = crate::dlp::rule_problems(&rule, crate::dlp::Dialect::Unicode);
    for (part, e) in &problems {
        let path = match part {
            RulePart::Pattern if o.get("pattern").is_none() => o.path_of("keyword_list"),
            RulePart::Pattern => o.path_of("pattern"),
            RulePart::AllowlistPattern(i) => {
                let list = super::reader::child(&o.path_of("allowlist"), "patterns");
                super::reader::index(&list, *i)
            }
            RulePart::MaxLen => o.path_of("max_len"),
        };
        p.push(path, e.to_string());
    }
    problems.is_empty().then_some(rule)
}
