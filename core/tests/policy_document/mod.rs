//! The policy document's shape, for its JSON Schema only. The policy is read
//! by a path-collecting reader (`core/src/policy/document.rs`), not by serde,
//! so there is no serde type to derive the schema from; these types restate
//! the document's keys and take every value type (verdicts, severities,
//! levels, styles, categories, validators, context, allowlists) from the
//! crate's own serde types. `config_schemas.rs` checks that they agree with
//! the reader: the same keys at every level and the same enum values.

// Only their schemas are used.
#![allow(dead_code)]

use govstream::dlp::{Allowlist, ContextRule, Validator};
use govstream::schema::{Category, LoggingLevel, Severity, Verdict};
use govstream::text::RedactionStyle;
use schemars::JsonSchema;
use std::collections::BTreeMap;

/// A govstream policy (`docs/policy.md`). Every field is optional: `{}` is
/// the built-in default policy.
#[derive(JsonSchema)]
#[schemars(title = "govstream policy", deny_unknown_fields)]
pub(crate) struct PolicyDocument {
    /// The document format; this version of govstream reads 1.
    #[schemars(range(min = 1, max = 1))]
    schema_version: Option<u64>,
    /// The org; events carry its id unless the evaluation context names another.
    org: Option<Org>,
    /// The configuration's identity, copied into every event.
    config: Option<ConfigIdentity>,
    /// Built-in packs: on or off (missing: on), or settings for their rules.
    packs: Option<Packs>,
    /// Settings for every rule of a category, built-in or custom.
    categories: Option<Categories>,
    /// Built-in rules switched off, and overrides by rule id or glob.
    rules: Option<Rules>,
    /// The org's own rules.
    custom_rules: Option<Vec<CustomRule>>,
    /// Severity → verdict, per phase.
    actions: Option<Actions>,
    /// Values never reported by any rule.
    allowlist: Option<Allowlist>,
    /// AI tools by hostname.
    ai_tools: Option<AiTools>,
    /// Logging level: one for every record kind, or one per kind.
    logging: Option<Logging>,
    /// How redacted text is rewritten.
    redaction: Option<Redaction>,
    /// The org key for fingerprints and prompt hashes (a random secret of
    /// at least 16 bytes).
    #[schemars(length(min = 16))]
    fingerprint_key: Option<String>,
    /// Older spelling of `limits.max_scan_bytes`; give one of the two.
    #[schemars(range(min = 1024, max = 1_073_741_824))]
    max_scan_bytes: Option<u64>,
    /// Scan limits.
    limits: Option<Limits>,
    /// Monitor mode for the whole policy: verdicts are recorded as
    /// `would_verdict`, and `allow` is enforced.
    monitor: Option<bool>,
}

/// The org.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Org {
    /// The org's id; not empty.
    #[schemars(length(min = 1))]
    id: Option<String>,
    /// The org's name.
    name: Option<String>,
}

/// The configuration's identity.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct ConfigIdentity {
    /// Its id.
    id: Option<String>,
    /// Its name.
    name: Option<String>,
    /// Its version (a number is kept as text).
    version: Option<StringOrNumber>,
}

/// Text, or a number kept as text.
#[derive(JsonSchema)]
#[serde(untagged)]
enum StringOrNumber {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
}

/// Built-in packs: on (`true`), off, or settings for their rules.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Packs {
    /// Credentials, keys and tokens.
    secrets: Option<PackSetting>,
    /// Personal data.
    pii: Option<PackSetting>,
    /// Card numbers and other financial data.
    financial: Option<PackSetting>,
}

/// A pack on or off, or settings for its rules.
#[derive(JsonSchema)]
#[serde(untagged)]
enum PackSetting {
    /// On or off.
    Enabled(bool),
    /// The rules' action in both phases, short for `{"action": …}`.
    Action(Verdict),
    /// Settings.
    Settings(RuleOverride),
}

/// Settings for the rules a selector picks, or their action alone.
#[derive(JsonSchema)]
#[serde(untagged)]
enum Setting {
    /// The rules' action in both phases, short for `{"action": …}`.
    Action(Verdict),
    /// Settings.
    Settings(RuleOverride),
}

/// Settings for the rules of each category.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Categories {
    /// Credentials, tokens and keys.
    secret: Option<Setting>,
    /// Personal data.
    pii: Option<Setting>,
    /// Payment and banking data.
    financial: Option<Setting>,
    /// Anything an org defines for itself.
    custom: Option<Setting>,
}

/// Rules switched off, and overrides by rule id or glob.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Rules {
    /// Rule ids switched off.
    disabled: Option<Vec<String>>,
    /// Overrides by rule id (built-in or custom) or by glob of rule ids
    /// (`secrets.*`: `*` is any run of characters, `?` one character).
    overrides: Option<BTreeMap<String, Setting>>,
}

/// Settings for the rules a selector (a rule id, a glob, a category, a
/// pack) picks; each is taken from the most specific selector that gives
/// it.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct RuleOverride {
    /// Turns the rules on or off.
    enabled: Option<bool>,
    /// Replaces the rules' severity.
    severity: Option<Severity>,
    /// Replaces their action: one verdict for both phases, or one per phase.
    action: Option<VerdictOrPhases>,
    /// Monitor mode: their verdicts are recorded, not enforced.
    monitor: Option<bool>,
}

/// One verdict for both phases, or one per phase.
#[derive(JsonSchema)]
#[serde(untagged)]
enum VerdictOrPhases {
    /// Both phases.
    Both(Verdict),
    /// Per phase.
    Phases(PhaseVerdicts),
}

/// A verdict per phase.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct PhaseVerdicts {
    /// For prompts.
    prompt: Option<Verdict>,
    /// For responses.
    response: Option<Verdict>,
}

/// An org's own rule: a `pattern` (regex) or a `keyword_list`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct CustomRule {
    /// Letters, digits, `.`, `_`, `-`; not a built-in id.
    #[schemars(regex(pattern = r"^[A-Za-z0-9._-]+$"))]
    id: String,
    /// Shown in reports (default: the id).
    name: Option<String>,
    /// Default `custom`.
    category: Option<Category>,
    /// How bad a match is.
    severity: Severity,
    /// The regex (Rust `regex` syntax); give this or `keyword_list`.
    pattern: Option<String>,
    /// Whole words matched case-insensitively; give this or `pattern`.
    keyword_list: Option<Vec<String>>,
    /// ASCII words every match contains, for the prefilter.
    keywords: Option<Vec<String>>,
    /// Digits a match must have at least.
    min_digits: Option<u64>,
    /// Longest match, in bytes (at least 1).
    #[schemars(range(min = 1))]
    max_len: Option<u64>,
    /// A check the matched value must pass.
    validator: Option<Validator>,
    /// Words that must (or may) appear near a match.
    context: Option<ContextRule>,
    /// Values and patterns this rule never reports.
    allowlist: Option<Allowlist>,
    /// From 0.0 to 1.0.
    #[schemars(range(min = 0.0, max = 1.0))]
    confidence: Option<f64>,
    /// The label of the `label` redaction style.
    label: Option<String>,
}

/// Severity → verdict, per phase.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Actions {
    /// For prompts.
    prompt: Option<SeverityVerdicts>,
    /// For responses.
    response: Option<SeverityVerdicts>,
}

/// A verdict per severity.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct SeverityVerdicts {
    /// For `low` matches.
    low: Option<Verdict>,
    /// For `medium` matches.
    medium: Option<Verdict>,
    /// For `high` matches.
    high: Option<Verdict>,
    /// For `critical` matches.
    critical: Option<Verdict>,
}

/// AI tools by hostname: exact names or `*.suffix` wildcards.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct AiTools {
    /// Approved hosts.
    approved: Option<Vec<String>>,
    /// Blocked hosts; blocked wins over approved.
    blocked: Option<Vec<String>>,
    /// The verdict for a host that is neither (default `allow`).
    unknown_action: Option<Verdict>,
}

/// One level for every record kind, or one per kind.
#[derive(JsonSchema)]
#[serde(untagged)]
enum Logging {
    /// Every kind.
    All(LoggingLevel),
    /// Per kind.
    PerKind(LoggingPerKind),
}

/// A logging level per record kind.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct LoggingPerKind {
    /// `event` records.
    event: Option<LoggingLevel>,
    /// `dlp_match` records.
    dlp_match: Option<LoggingLevel>,
    /// `shadow_ai_event` records.
    shadow_ai: Option<LoggingLevel>,
    /// `audit_event` records.
    audit: Option<LoggingLevel>,
}

/// How redacted text is rewritten.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Redaction {
    /// The style (default `label`).
    style: Option<RedactionStyle>,
}

/// Scan limits.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Limits {
    /// Bytes scanned per text, from 1 KiB to 1 GiB.
    #[schemars(range(min = 1024, max = 1_073_741_824))]
    max_scan_bytes: Option<u64>,
    /// The verdict for a text longer than `max_scan_bytes`: one for both
    /// phases, or one per phase.
    on_truncated: Option<VerdictOrPhases>,
    /// Matches listed per text (at least 1).
    #[schemars(range(min = 1))]
    max_matches: Option<u64>,
}

/// The policy document's JSON Schema. An absent key is the default; `null`
/// is refused like any other wrong type, so optional fields are not
/// nullable (schemars makes every `Option` nullable; that is undone here).
pub(crate) fn schema() -> schemars::Schema {
    let mut value = serde_json::to_value(schemars::schema_for!(PolicyDocument))
        .unwrap_or_else(|e| panic!("a schema is JSON: {e}"));
    not_nullable(&mut value);
    schemars::Schema::try_from(value).unwrap_or_else(|e| panic!("still a schema: {e}"))
}

/// Removes `null` from every property's `type` list and `anyOf`.
fn not_nullable(v: &mut serde_json::Value) {
    use serde_json::Value;
    if let Some(props) = v.get_mut("properties").and_then(Value::as_object_mut) {
        for prop in props.values_mut() {
            if let Some(Value::Array(types)) = prop.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    prop["type"] = only;
                }
            }
            if let Some(Value::Array(any)) = prop.get_mut("anyOf") {
                any.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if any.len() == 1 {
                    let only = any.remove(0);
                    if let (Some(o), Value::Object(inner)) = (prop.as_object_mut(), only) {
                        o.remove("anyOf");
                        o.extend(inner);
                    }
                }
            }
        }
    }
    match v {
        Value::Object(o) => o.values_mut().for_each(not_nullable),
        Value::Array(a) => a.iter_mut().for_each(not_nullable),
        _ => {}
    }
}
