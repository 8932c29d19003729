//! Which of a policy's settings apply to a rule. A rule can be selected by
//! its id (`rules.overrides["pii.email"]`), by a glob of ids
//! (`rules.overrides["secrets.*"]`), by its category
//! (`categories.pii`) and by its pack (`packs.secrets`); each setting
//! (`enabled`, `severity`, `action` per phase, `monitor`) is taken from the
//! most specific selector that gives it:
//!
//! rule id > glob (most specific first) > category > pack > the policy's
//! defaults (`actions` by severity, `monitor`).
//!
//! `rules.disabled` is a rule-id setting, weaker only than the same rule's
//! own `enabled` override. Among globs, the one with more literal (non-`*`,
//! non-`?`) characters is more specific; then the one with fewer wildcards;
//! then the one that sorts first, byte by byte: a policy never depends on
//! the order of its keys.

use super::config::{PolicyConfig, RuleOverride};
use super::reader::child;
use crate::dlp::RuleSpec;
use crate::schema::{Phase, Severity, Verdict};
use std::collections::HashSet;

/// True when an override key is a glob rather than a rule id.
pub(super) fn is_glob(key: &str) -> bool {
    key.contains(['*', '?'])
}

/// Does `glob` (`*`: any run of characters, `?`: one) match all of `id`?
/// Linear backtracking over the last `*`: no input is exponential.
pub(super) fn glob_matches(glob: &str, id: &str) -> bool {
    let (g, s): (Vec<char>, Vec<char>) = (glob.chars().collect(), id.chars().collect());
    let (mut gi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match g.get(gi) {
            Some('*') => {
                star = Some((gi, si));
                gi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == s.get(si) => {
                gi += 1;
                si += 1;
            }
            _ => match star {
                Some((sg, ss)) => {
                    gi = sg + 1;
                    si = ss + 1;
                    star = Some((sg, ss + 1));
                }
                None => return false,
            },
        }
    }
    g.get(gi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// How specific a glob is; smaller sorts first (wins).
fn specificity(glob: &str) -> (std::cmp::Reverse<usize>, usize, &str) {
    let wildcards = glob.chars().filter(|c| matches!(c, '*' | '?')).count();
    let literal = glob.chars().count() - wildcards;
    (std::cmp::Reverse(literal), wildcards, glob)
}

/// A rule's settings after every selector, and where each came from (a JSON
/// path of the policy, for listings and reasons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Resolved {
    pub(super) enabled: bool,
    pub(super) severity: Severity,
    pub(super) prompt_action: Verdict,
    pub(super) response_action: Verdict,
    pub(super) monitor: bool,
    /// Where the prompt action came from.
    pub(super) prompt_action_from: String,
    /// Where the response action came from.
    pub(super) response_action_from: String,
}

/// The selectors of one policy, globs ordered most specific first.
pub(super) struct Selectors<'a> {
    config: &'a PolicyConfig,
    globs: Vec<(&'a str, &'a RuleOverride)>,
    disabled: HashSet<&'a str>,
}

impl<'a> Selectors<'a> {
    pub(super) fn new(config: &'a PolicyConfig) -> Self {
        let mut globs: Vec<(&str, &RuleOverride)> = config
            .overrides
            .iter()
            .filter(|(k, _)| is_glob(k))
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        globs.sort_by(|a, b| specificity(a.0).cmp(&specificity(b.0)));
        Selectors {
            config,
            globs,
            disabled: config.disabled_rules.iter().map(String::as_str).collect(),
        }
    }

    /// The selectors that pick `rule`, most specific first, with their paths.
    fn chain(&self, rule: &RuleSpec) -> Vec<(String, &'a RuleOverride)> {
        let mut out = Vec::new();
        if let Some(o) = self.config.overrides.get(&rule.id) {
            out.push((child("$.rules.overrides", &rule.id), o));
        }
        for (glob, o) in &self.globs {
            if glob_matches(glob, &rule.id) {
                out.push((child("$.rules.overrides", glob), *o));
            }
        }
        if let Some(o) = self.config.categories.get(&rule.category) {
            out.push((child("$.categories", rule.category.as_str()), o));
        }
        if let Some(o) = self.config.packs.get(&rule.pack) {
            out.push((child("$.packs", &rule.pack), o));
        }
        out
    }

    /// `rule`'s effective settings.
    pub(super) fn resolve(&self, rule: &RuleSpec) -> Resolved {
        let chain = self.chain(rule);
        let first =
            |f: &dyn Fn(&RuleOverride) -> Option<bool>| chain.iter().find_map(|(_, o)| f(o));
        // `rules.disabled` sits just below the rule's own override.
        let own_enabled = self.config.overrides.get(&rule.id).and_then(|o| o.enabled);
        let enabled = own_enabled
            .or_else(|| self.disabled.contains(rule.id.as_str()).then_some(false))
            .or_else(|| first(&|o| o.enabled))
            .unwrap_or(true);
        let severity = chain
            .iter()
            .find_map(|(_, o)| o.severity)
            .unwrap_or(rule.severity);
        let action = |phase: Phase| -> (Verdict, String) {
            chain
                .iter()
                .find_map(|(path, o)| {
                    let v = match phase {
                        Phase::Prompt => o.prompt_action,
                        Phase::Response => o.response_action,
                    };
                    v.map(|v| (v, format!("{path}.action")))
                })
                .unwrap_or_else(|| {
                    let (table, name) = match phase {
                        Phase::Prompt => (&self.config.prompt_actions, "prompt"),
                        Phase::Response => (&self.config.response_actions, "response"),
                    };
                    (table.get(severity), format!("$.actions.{name}.{severity}"))
                })
        };
        let (prompt_action, prompt_action_from) = action(Phase::Prompt);
        let (response_action, response_action_from) = action(Phase::Response);
        Resolved {
            enabled,
            severity,
            prompt_action,
            response_action,
            monitor: first(&|o| o.monitor).unwrap_or(self.config.monitor),
            prompt_action_from,
            response_action_from,
        }
    }
}

impl PolicyConfig {
    /// Rule-id problems: custom ids that clash with a built-in or each
    /// other, unknown ids in `rules.disabled` and `rules.overrides`, and
    /// globs that are malformed or select no rule.
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
            let path = child("$.rules.overrides", id);
            if !is_glob(id) {
                if !known(id) {
                    problems.push(crate::Problem::new(path, format!("unknown rule id `{id}`")));
                }
            } else if !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-*?".contains(c))
            {
                problems.push(crate::Problem::new(
                    path,
                    format!(
                        "`{id}` is not a valid glob: use rule-id characters (letters, digits, `.`, `_`, `-`) and `*` (any run) or `?` (one character)"
                    ),
                ));
            } else if !builtin_ids
                .iter()
                .copied()
                .chain(custom_ids.iter().copied())
                .any(|r| glob_matches(id, r))
            {
                problems.push(crate::Problem::new(
                    path,
                    format!("glob `{id}` matches no rule (`govstream rules` lists them)"),
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_ids() {
        for (glob, id, want) in [
            ("secrets.*", "secrets.aws_access_key_id", true),
            ("secrets.*", "pii.email", false),
            ("*", "anything", true),
            ("*.email", "pii.email", true),
            ("*.email", "pii.email_x", false),
            ("pii.?pn", "pii.ipn", true),
            ("pii.?pn", "pii.pn", false),
            ("*key*", "secrets.aws_access_key_id", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("secrets.*", "secrets.", true),
            ("", "", true),
            ("x", "", false),
        ] {
            assert_eq!(glob_matches(glob, id), want, "{glob} on {id}");
        }
    }

    #[test]
    fn a_pathological_glob_is_linear() {
        let id = "a".repeat(5000);
        let glob = format!("{}b", "*a".repeat(200));
        assert!(!glob_matches(&glob, &id));
    }

    #[test]
    fn more_literal_characters_win_then_fewer_wildcards_then_byte_order() {
        let mut globs = vec![
            "*",
            "secrets.*",
            "secrets.aws*",
            "*aws*",
            "se?rets.*",
            "a*",
            "*a",
        ];
        globs.sort_by(|a, b| specificity(a).cmp(&specificity(b)));
        assert_eq!(
            globs,
            [
                "secrets.aws*",
                "secrets.*",
                "se?rets.*",
                "*aws*",
                "*a",
                "a*",
                "*"
            ]
        );
    }
}
