//! Policies: the JSON document an org writes ([`PolicyConfig`]), its
//! compiled, immutable form ([`Policy`]) and the evaluator that turns a text
//! and its context into a [`Decision`].

mod compare;
mod config;
mod context;
mod custom_rule;
mod details;
mod document;
mod evaluate;
mod loggable;
mod reader;
mod records;
mod scanned;
mod scrub;
mod selectors;
mod stream;
mod tools;

pub use compare::{
    Flip, ListLimits, NamedCount, PolicyOutcome, PolicyTest, PolicyTestReport, ThresholdCheck,
    Thresholds, Transition, VerdictChanges,
};
pub use config::{
    AiToolsConfig, DEFAULT_MAX_MATCHES, DEFAULT_ON_TRUNCATED, DEFAULT_PROMPT_ACTIONS,
    DEFAULT_RESPONSE_ACTIONS, LoggingLevels, MAX_SCAN_BYTES, MIN_SCAN_BYTES, PhaseActions,
    PolicyConfig, RuleOverride, SeverityActions,
};
pub use context::EvaluationContext;
pub use details::{MAX_PASS_THROUGH_BYTES, PassThroughJson};
pub use evaluate::{Decision, MatchInfo, RedactOutcome, ScanReport};
pub use loggable::LoggableDecision;
pub use stream::{InvalidUtf8, StreamOutcome, StreamRedactor};

use crate::clock::KeyedHash;
use crate::dlp::{Dialect, RuleSpec, Scanner, ScannerRule, packs};
use crate::schema::{Category, Phase, Severity, Verdict};
use crate::text::Redactor;
use crate::{Error, Problem, Result};
use regex_automata::meta::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A compiled policy: immutable, `Send + Sync`, and cheap to clone and share
/// between threads (clones share one compiled copy).
///
/// ```
/// use govstream::policy::{EvaluationContext, Policy};
/// use govstream::schema::Verdict;
///
/// let policy = Policy::from_json(r#"{
///     "org": {"id": "org_acme"},
///     "actions": {"prompt": {"medium": "redact"}}
/// }"#).unwrap();
/// let d = policy.evaluate("mail jane.doe@acme.com the report", &EvaluationContext::default());
/// assert_eq!(d.verdict, Verdict::Redact);
/// assert_eq!(d.redacted_text, "mail [REDACTED:pii.email] the report");
/// ```
#[derive(Debug, Clone)]
pub struct Policy {
    inner: Arc<Compiled>,
}

/// What evaluation needs to know about one rule, by scanner index.
#[derive(Debug, Clone)]
struct RuleMeta {
    severity: Severity,
    prompt_action: Verdict,
    response_action: Verdict,
    /// The rule's verdicts are recorded, not enforced.
    monitor: bool,
    /// Where each action came from (JSON paths of the policy).
    prompt_action_from: String,
    response_action_from: String,
}

impl RuleMeta {
    fn action(&self, phase: Phase) -> Verdict {
        match phase {
            Phase::Prompt => self.prompt_action,
            Phase::Response => self.response_action,
        }
    }
}

#[derive(Debug)]
struct Compiled {
    config: PolicyConfig,
    scanner: Scanner,
    meta: Vec<RuleMeta>,
    tools: tools::ToolRules,
    redactor: Redactor,
    keyed: KeyedHash,
    allow_values: HashSet<String>,
    allow_patterns: Vec<Regex>,
    /// By scanner index: the rule finds secrets (what context fields are
    /// scanned for).
    secret_rules: Vec<bool>,
}

/// A rule as a policy uses it, for listings (`govstream rules`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RuleInfo {
    /// Rule id.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Pack (`secrets`, `pii`, `financial`, `custom`).
    pub pack: String,
    /// Category.
    pub category: Category,
    /// Severity after overrides.
    pub severity: Severity,
    /// Verdict for a prompt match.
    pub prompt_action: Verdict,
    /// Verdict for a response match.
    pub response_action: Verdict,
    /// Monitor mode: the rule's verdicts are recorded, not enforced.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub monitor: bool,
    /// The setting that gave `prompt_action`, as a JSON path of the policy
    /// (`$.rules.overrides["secrets.*"].action`, `$.categories.pii.action`,
    /// `$.actions.prompt.high`).
    pub prompt_action_from: String,
    /// The setting that gave `response_action`.
    pub response_action_from: String,
}

impl Policy {
    /// The built-in default: every pack on, default severities and actions,
    /// logging level `redacted`, label redaction.
    pub fn default_policy() -> Result<Policy> {
        Policy::compile(&PolicyConfig::default())
    }

    /// Reads and compiles a policy document, reporting every problem (of the
    /// document and of its rules) at once, each with its JSON path.
    pub fn from_json(json: &str) -> Result<Policy> {
        let config =
            PolicyConfig::from_json(json).map_err(|problems| Error::Policy { problems })?;
        Policy::compile(&config)
    }

    /// Compiles a policy. Every problem is reported at once as
    /// [`Error::Policy`]: unknown rule ids in `rules`, duplicate or clashing
    /// custom rule ids, regexes that do not compile (with the rule id and the
    /// regex error).
    pub fn compile(config: &PolicyConfig) -> Result<Policy> {
        let mut problems = Vec::new();
        let builtin = packs::builtin_rules();
        problems.extend(config.check_rule_ids(&builtin));

        let selectors = selectors::Selectors::new(config);
        let enabled = |r: &RuleSpec| selectors.resolve(r).enabled;
        let mut rules = Vec::new();
        let mut custom_index = HashMap::new();
        for r in builtin.into_iter().filter(|r| enabled(r)) {
            rules.push(ScannerRule {
                spec: r,
                dialect: Dialect::Ascii,
            });
        }
        for (i, r) in config.custom_rules.iter().enumerate() {
            if enabled(r) {
                custom_index.insert(rules.len(), i);
                rules.push(ScannerRule {
                    spec: r.clone(),
                    dialect: Dialect::Unicode,
                });
            }
        }
        let (scanner, rule_errors) = Scanner::compile_all(rules, config.max_scan_bytes);
        for (i, e) in rule_errors {
            let path = custom_index.get(&i).map_or_else(
                || "$.custom_rules".to_string(),
                |c| format!("$.custom_rules[{c}]"),
            );
            problems.push(Problem::new(path, e.to_string()));
        }

        let tools = match tools::ToolRules::new(&config.ai_tools) {
            Ok(tools) => Some(tools),
            Err(p) => {
                problems.extend(p);
                None
            }
        };

        let mut allow_patterns = Vec::new();
        for (i, p) in config.allowlist.patterns.iter().enumerate() {
            match Regex::new(&format!("^(?:{p})$")) {
                Ok(re) => allow_patterns.push(re),
                Err(e) => problems.push(Problem::new(
                    format!("$.allowlist.patterns[{i}]"),
                    format!("invalid regex: {e}"),
                )),
            }
        }
        if !(MIN_SCAN_BYTES..=MAX_SCAN_BYTES).contains(&config.max_scan_bytes) {
            problems.push(Problem::new(
                "$.limits.max_scan_bytes",
                format!("must be from {MIN_SCAN_BYTES} to {MAX_SCAN_BYTES}"),
            ));
        }
        if config.max_matches == 0 {
            problems.push(Problem::new("$.limits.max_matches", "must be at least 1"));
        }
        problems.dedup();
        if !problems.is_empty() {
            return Err(Error::Policy { problems });
        }
        let scanner = scanner?;
        let Some(tools) = tools else {
            // Unreachable: a failed `ai_tools` section left a problem above.
            return Err(Error::Policy { problems });
        };

        let meta = scanner
            .rules()
            .map(|r| {
                let s = selectors.resolve(r);
                RuleMeta {
                    severity: s.severity,
                    prompt_action: s.prompt_action,
                    response_action: s.response_action,
                    monitor: s.monitor,
                    prompt_action_from: s.prompt_action_from,
                    response_action_from: s.response_action_from,
                }
            })
            .collect();
        let key = config
            .fingerprint_key
            .as_ref()
            .map_or_else(crate::clock::random_key, |k| k.as_bytes().to_vec());
        let secret_rules = scanner
            .rules()
            .map(|r| r.category == Category::Secret)
            .collect();
        Ok(Policy {
            inner: Arc::new(Compiled {
                secret_rules,
                scanner,
                meta,
                tools,
                redactor: Redactor::new(config.redaction_style, &key),
                keyed: KeyedHash::new(&key),
                allow_values: config.allowlist.values.iter().cloned().collect(),
                allow_patterns,
                config: PolicyConfig {
                    fingerprint_key: None,
                    ..config.clone()
                },
            }),
        })
    }

    /// The configuration this policy was compiled from, without its
    /// fingerprint key.
    pub fn config(&self) -> &PolicyConfig {
        &self.inner.config
    }

    /// The enabled rules with their effective severity and actions.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.inner
            .scanner
            .rules()
            .zip(&self.inner.meta)
            .map(|(r, m)| RuleInfo {
                id: r.id.clone(),
                name: r.name.clone(),
                pack: r.pack.clone(),
                category: r.category,
                severity: m.severity,
                prompt_action: m.prompt_action,
                response_action: m.response_action,
                monitor: m.monitor,
                prompt_action_from: m.prompt_action_from.clone(),
                response_action_from: m.response_action_from.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod selector_tests;
#[cfg(test)]
mod tests;
