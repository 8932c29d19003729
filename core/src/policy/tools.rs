//! The policy's `ai_tools` section, compiled into the policy's own shadow-AI
//! [`Classifier`]: one index of hosts answers both "may this prompt go to
//! that tool?" (the verdict here) and "what is this URL?" (
//! [`Policy::classify`]), so the two never disagree. Host patterns and hosts
//! are normalized by the shadow module's one normalizer.

use super::Policy;
use crate::schema::Verdict;
use crate::shadow::{Catalog, Classification, Classifier, Listed};
use crate::{Error, Problem, Result};

/// Normalizes a hostname pattern from a policy the way the catalog's are
/// (lowercase, no trailing dot, Unicode in punycode, `*.` only as a prefix).
/// Returns the problem in words otherwise.
pub(super) fn normalize_pattern(pattern: &str) -> Result<String, String> {
    crate::shadow::normalize_pattern(pattern)
}

/// Normalizes a hostname (or URL) from an evaluation context the way the
/// shadow-AI classifier does — URL parts, port, userinfo and trailing dot
/// dropped, IDNA to punycode — so a policy verdict and a classification
/// always agree on the host. Input that is not a host at all is compared
/// lowercased as it is.
fn normalize_host(host: &str) -> String {
    crate::shadow::normalize_host(host).unwrap_or_else(|_| host.trim().to_ascii_lowercase())
}

/// What the policy says about a hostname.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ToolStatus {
    Approved,
    Blocked,
    Unknown,
}

/// The compiled `ai_tools` section.
#[derive(Debug, Clone)]
pub(super) struct ToolRules {
    classifier: Classifier,
    pub(super) unknown_action: Verdict,
}

impl ToolRules {
    /// The built-in catalog with the section's lists. A bad pattern (the
    /// config was built in code rather than read) is a problem at
    /// `$.ai_tools.approved[i]` or `$.ai_tools.blocked[i]`.
    pub(super) fn new(config: &super::AiToolsConfig) -> std::result::Result<Self, Vec<Problem>> {
        match Classifier::new(Catalog::builtin(), &config.approved, &config.blocked) {
            Ok(classifier) => Ok(ToolRules {
                classifier,
                unknown_action: config.unknown_action,
            }),
            Err(e) => Err(match e {
                Error::Policy { problems } => problems,
                other => vec![Problem::new("$.ai_tools", other.to_string())],
            }),
        }
    }

    /// False when the policy lists no hosts at all: then hostnames are not
    /// judged, rather than every one being "unknown".
    pub(super) fn is_configured(&self) -> bool {
        self.classifier.has_lists()
    }

    pub(super) fn status(&self, host: &str) -> ToolStatus {
        match self.classifier.listed(&normalize_host(host)) {
            Listed::Blocked => ToolStatus::Blocked,
            Listed::Approved => ToolStatus::Approved,
            Listed::Unlisted => ToolStatus::Unknown,
        }
    }

    pub(super) fn classifier(&self) -> &Classifier {
        &self.classifier
    }
}

impl Policy {
    /// This policy's shadow-AI classifier: the built-in catalog with the
    /// policy's `ai_tools` lists, compiled once with the policy.
    pub fn classifier(&self) -> &Classifier {
        self.inner.tools.classifier()
    }

    /// Classifies a URL or hostname with this policy's own classifier (see
    /// [`Classifier::classify`]).
    ///
    /// ```
    /// use govstream::policy::Policy;
    /// use govstream::shadow::AiToolStatus;
    /// let p = Policy::from_json(r#"{"ai_tools": {"approved": ["chatgpt.com"]}}"#).unwrap();
    /// assert_eq!(p.classify("https://chatgpt.com/c/1").status, AiToolStatus::Approved);
    /// assert_eq!(p.classify("claude.ai").status, AiToolStatus::Unapproved);
    /// ```
    pub fn classify(&self, url_or_host: &str) -> Classification {
        self.classifier().classify(url_or_host)
    }
}

// Kept here rather than in `shadow`, which knows nothing of policies.
impl Classifier {
    /// The built-in catalog with the policy's `ai_tools` lists: the policy's
    /// own classifier ([`Policy::classifier`]), shared, not rebuilt.
    pub fn from_policy(policy: &Policy) -> Result<Classifier> {
        Ok(policy.classifier().clone())
    }

    /// A given catalog (say the built-in one extended by the org's) with
    /// the policy's `ai_tools` lists.
    pub fn from_policy_with(policy: &Policy, catalog: Catalog) -> Result<Classifier> {
        let tools = &policy.config().ai_tools;
        Classifier::new(catalog, &tools.approved, &tools.blocked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shadow::AiToolStatus;

    fn rules(approved: &[&str], blocked: &[&str]) -> ToolRules {
        ToolRules::new(&super::super::AiToolsConfig {
            approved: approved
                .iter()
                .map(|s| normalize_pattern(s).unwrap())
                .collect(),
            blocked: blocked
                .iter()
                .map(|s| normalize_pattern(s).unwrap())
                .collect(),
            unknown_action: Verdict::Warn,
        })
        .unwrap()
    }

    #[test]
    fn wildcards_match_subdomains_only() {
        let r = rules(&["*.openai.com", "claude.ai"], &["*.deepseek.com"]);
        assert_eq!(r.status("chat.openai.com"), ToolStatus::Approved);
        assert_eq!(r.status("a.b.openai.com"), ToolStatus::Approved);
        assert_eq!(r.status("openai.com"), ToolStatus::Unknown);
        assert_eq!(r.status("CLAUDE.AI."), ToolStatus::Approved);
        assert_eq!(r.status("claude.ai:443"), ToolStatus::Approved);
        assert_eq!(r.status("chat.deepseek.com"), ToolStatus::Blocked);
        assert_eq!(r.status("evilopenai.com"), ToolStatus::Unknown);
    }

    #[test]
    fn blocked_wins_over_approved() {
        let r = rules(&["*.example.com"], &["bad.example.com"]);
        assert_eq!(r.status("bad.example.com"), ToolStatus::Blocked);
        assert_eq!(r.status("good.example.com"), ToolStatus::Approved);
        assert!(r.is_configured());
        assert!(!rules(&[], &[]).is_configured());
    }

    #[test]
    fn unicode_patterns_and_hosts_meet_in_punycode() {
        // The same normalizer as the catalog's: IDNA, case, trailing dots.
        assert_eq!(
            normalize_pattern("*.Bücher.Example.").unwrap(),
            "*.xn--bcher-kva.example"
        );
        let r = rules(&["*.Bücher.example"], &["ÉVIL.example."]);
        assert_eq!(
            r.status("https://www.bücher.example/x"),
            ToolStatus::Approved
        );
        assert_eq!(r.status("www.xn--bcher-kva.example"), ToolStatus::Approved);
        assert_eq!(r.status("évil.example"), ToolStatus::Blocked);
    }

    #[test]
    fn bad_patterns_are_explained() {
        assert!(
            normalize_pattern("https://chat.openai.com")
                .unwrap_err()
                .contains("unexpected `:`")
        );
        assert!(normalize_pattern("*.").is_err());
        assert!(
            normalize_pattern("a..b")
                .unwrap_err()
                .contains("empty label")
        );
        assert_eq!(
            normalize_pattern("Chat.OpenAI.com.").unwrap(),
            "chat.openai.com"
        );
    }

    #[test]
    fn a_policy_built_in_code_with_a_bad_pattern_does_not_compile() {
        let mut config = super::super::PolicyConfig::default();
        config.ai_tools.blocked = vec!["ok.example".into(), "https://x/".into()];
        let e = Policy::compile(&config).unwrap_err();
        let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["$.ai_tools.blocked[1]"]);
    }

    #[test]
    fn the_policy_classifies_with_its_own_classifier() {
        let p = Policy::from_json(
            r#"{"ai_tools": {"approved": ["chatgpt.com"], "blocked": ["*.deepseek.com"]}}"#,
        )
        .unwrap();
        assert_eq!(p.classify("chatgpt.com").status, AiToolStatus::Approved);
        assert_eq!(
            p.classify("https://chat.deepseek.com/a").status,
            AiToolStatus::Unapproved
        );
        // A catalog tool missing from the approved list.
        assert_eq!(p.classify("claude.ai").status, AiToolStatus::Unapproved);
        let c = Classifier::from_policy(&p).unwrap();
        assert_eq!(c.classify("chatgpt.com"), p.classify("chatgpt.com"));
        let open = Policy::default_policy().unwrap();
        assert_eq!(open.classify("claude.ai").status, AiToolStatus::UnknownAi);
        let with = Classifier::from_policy_with(&p, Catalog::default()).unwrap();
        assert_eq!(with.classify("claude.ai").status, AiToolStatus::NotAi);
    }
}
