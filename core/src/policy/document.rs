//! Reading a policy document from JSON into [`PolicyConfig`], every problem
//! collected with its JSON path.

use super::config::{
    LoggingLevels, MAX_SCAN_BYTES, MIN_SCAN_BYTES, PhaseActions, PolicyConfig, RuleOverride,
};
use super::reader::{Obj, Problems};
use crate::dlp::Allowlist;
use crate::schema::{Category, ConfigRef, LoggingLevel, Severity, Verdict};
use crate::text::RedactionStyle;
use serde_json::Value;

const TOP: &[&str] = &[
    "schema_version",
    "org",
    "config",
    "packs",
    "categories",
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
    "monitor",
];
const VERDICTS: &[&str] = &["allow", "warn", "redact", "escalate", "block"];
pub(super) const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];
const LEVELS: &[&str] = &["off", "metadata", "redacted", "full"];
const STYLES: &[&str] = &["mask", "label", "placeholder", "hash", "partial"];
pub(super) const CATEGORIES: &[&str] = &["secret", "pii", "financial", "custom"];
/// The keys of a selector's settings: a rule override, a glob, a category,
/// a pack.
const SETTINGS: &[&str] = &["enabled", "severity", "action", "monitor"];

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

pub(super) fn parse_category(s: &str) -> Option<Category> {
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
    /// or clashing rule ids, globs that select no rule.
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
        // `true`/`false` is the older, still valid, short form of
        // `{"enabled": …}`.
        let settings = match v {
            Value::Bool(b) => RuleOverride::enabled(*b),
            Value::Object(_) | Value::String(_) => read_settings(v, path, p),
            _ => {
                p.push(
                    path,
                    "expected true, false, a verdict or an object of settings",
                );
                continue;
            }
        };
        cfg.packs.insert(pack, settings);
    }

    for (path, name, v) in top.entries("categories", p) {
        let Some(category) = parse_category(&name) else {
            p.push(
                &path,
                format!(
                    "unknown category `{name}`; expected one of: {}",
                    CATEGORIES.join(", ")
                ),
            );
            continue;
        };
        let settings = read_settings(v, path, p);
        cfg.categories.insert(category, settings);
    }

    let rules = top.obj("rules", &["disabled", "overrides"], p);
    cfg.disabled_rules = rules
        .strings("disabled", p)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    for (path, id, v) in rules.entries("overrides", p) {
        let settings = read_settings(v, path, p);
        cfg.overrides.insert(id, settings);
    }
    if let Some(m) = top.boolean("monitor", p) {
        cfg.monitor = m;
    }

    for (path, v) in top.array("custom_rules", p) {
        if let Some(rule) = super::custom_rule::read_custom_rule(v, path, p) {
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

/// The settings of one selector: `{"enabled", "severity", "action",
/// "monitor"}`, `action` being one verdict or one per phase; or a verdict
/// alone, short for `{"action": verdict}` (`"pii": "redact"`).
fn read_settings(v: &Value, path: String, p: &mut Problems) -> RuleOverride {
    if let Value::String(s) = v {
        let action = Verdict::parse(s);
        if action.is_none() {
            p.push(
                path,
                format!(
                    "unknown verdict `{s}`; expected one of: {}, or an object of settings",
                    VERDICTS.join(", ")
                ),
            );
        }
        return RuleOverride {
            prompt_action: action,
            response_action: action,
            ..RuleOverride::default()
        };
    }
    let o = Obj::new(Some(v), path, SETTINGS, p);
    let mut settings = RuleOverride {
        enabled: o.boolean("enabled", p),
        severity: o.word("severity", Severity::parse, SEVERITIES, p),
        monitor: o.boolean("monitor", p),
        ..RuleOverride::default()
    };
    if let Some(Value::String(_)) = o.get("action") {
        let both = o.word("action", Verdict::parse, VERDICTS, p);
        settings.prompt_action = both;
        settings.response_action = both;
    } else {
        let a = o.obj("action", &["prompt", "response"], p);
        settings.prompt_action = a.word("prompt", Verdict::parse, VERDICTS, p);
        settings.response_action = a.word("response", Verdict::parse, VERDICTS, p);
    }
    settings
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
