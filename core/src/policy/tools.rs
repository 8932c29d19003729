//! AI tools approved or blocked by hostname: exact names and `*.suffix`
//! wildcards, looked up one label suffix at a time so a long list costs the
//! same as a short one.

use crate::schema::Verdict;
use std::collections::HashSet;

/// Normalizes a hostname pattern from a policy: lowercase, no trailing dot;
/// `*.` only as a prefix. Returns the problem in words otherwise.
pub(super) fn normalize_pattern(pattern: &str) -> Result<String, String> {
    let p = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = p.strip_prefix("*.").unwrap_or(&p);
    if host.is_empty() {
        return Err(format!("`{pattern}` is not a hostname"));
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(format!(
            "`{pattern}` is not a hostname or `*.suffix` pattern (unexpected `{c}`); give hosts without scheme, port or path, non-ASCII names in punycode"
        ));
    }
    if host.split('.').any(str::is_empty) {
        return Err(format!("`{pattern}` has an empty label"));
    }
    Ok(p)
}

/// Normalizes a hostname (or URL) from an evaluation context the way the
/// shadow-AI classifier does — URL parts, port, userinfo and trailing dot
/// dropped, IDNA to punycode — so a policy verdict and a classification
/// always agree on the host. Input that is not a host at all is compared
/// lowercased as it is.
pub(super) fn normalize_host(host: &str) -> String {
    crate::shadow::normalize_host(host).unwrap_or_else(|_| host.trim().to_ascii_lowercase())
}

/// One list of host patterns.
#[derive(Debug, Clone, Default)]
struct HostSet {
    exact: HashSet<String>,
    suffixes: HashSet<String>,
}

impl HostSet {
    fn new(patterns: &[String]) -> Self {
        let mut set = HostSet::default();
        for p in patterns {
            match p.strip_prefix("*.") {
                Some(suffix) => set.suffixes.insert(suffix.to_string()),
                None => set.exact.insert(p.clone()),
            };
        }
        set
    }

    /// `*.example.com` matches `a.example.com` and `a.b.example.com`, not
    /// `example.com` itself.
    fn contains(&self, host: &str) -> bool {
        if self.exact.contains(host) {
            return true;
        }
        let mut rest = host;
        while let Some((_, parent)) = rest.split_once('.') {
            if self.suffixes.contains(parent) {
                return true;
            }
            rest = parent;
        }
        false
    }
}

/// What the policy says about a hostname.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ToolStatus {
    Approved,
    Blocked,
    Unknown,
}

/// The compiled `ai_tools` section.
#[derive(Debug, Clone, Default)]
pub(super) struct ToolRules {
    approved: HostSet,
    blocked: HostSet,
    pub(super) unknown_action: Verdict,
}

impl ToolRules {
    pub(super) fn new(config: &super::AiToolsConfig) -> Self {
        ToolRules {
            approved: HostSet::new(&config.approved),
            blocked: HostSet::new(&config.blocked),
            unknown_action: config.unknown_action,
        }
    }

    /// False when the policy lists no hosts at all: then hostnames are not
    /// judged, rather than every one being "unknown".
    pub(super) fn is_configured(&self) -> bool {
        !(self.approved.exact.is_empty()
            && self.approved.suffixes.is_empty()
            && self.blocked.exact.is_empty()
            && self.blocked.suffixes.is_empty())
    }

    pub(super) fn status(&self, host: &str) -> ToolStatus {
        let host = normalize_host(host);
        if self.blocked.contains(&host) {
            ToolStatus::Blocked
        } else if self.approved.contains(&host) {
            ToolStatus::Approved
        } else {
            ToolStatus::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
