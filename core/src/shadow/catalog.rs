//! The catalog of known AI tools by hostname: a JSON document (the built-in
//! one ships in `catalog.json`), read with every problem reported at its
//! JSON path, and extensible by an org's own document. The format is
//! documented in `docs/shadow.md`.

use super::host::normalize_pattern;
use super::json::{self, Obj};
use crate::schema::Severity;
use crate::{Error, Problem, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The built-in catalog, compiled into the crate.
const BUILTIN_JSON: &str = include_str!("catalog.json");

/// The catalog format version this crate reads.
pub const CATALOG_VERSION: u64 = 1;

// Records carry the category (`ShadowAiEvent::category`), so the type
// lives with them.
pub use crate::schema::ToolCategory;

/// One AI tool and the hosts that serve it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogTool {
    /// Product name (`ChatGPT`).
    pub tool: String,
    /// Company behind it (`OpenAI`).
    pub vendor: String,
    /// What kind of tool it is.
    pub category: ToolCategory,
    /// Severity of a visit the org has not approved.
    pub severity: Severity,
    /// Exact hostnames and `*.suffix` wildcards, normalized (lowercase ASCII,
    /// punycode, no trailing dot).
    pub hosts: Vec<String>,
    /// Where the hosts come from (the vendor's documentation, a public
    /// list), so a reviewer can check an entry; free text, optional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A set of AI tools, each host pattern belonging to exactly one tool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Catalog {
    /// Format version ([`CATALOG_VERSION`]).
    pub version: u64,
    /// The tools.
    pub tools: Vec<CatalogTool>,
}

impl Catalog {
    /// The catalog shipped with govstream: over 1,200 host patterns of chat
    /// assistants, model APIs and gateways, code assistants, media and story
    /// generators, search, writing, agents and suite AI features.
    pub fn builtin() -> Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN
            // A test proves the shipped document reads cleanly; should it
            // ever not, an empty catalog classifies everything as `not_ai`
            // instead of failing every caller.
            .get_or_init(|| Catalog::from_json(BUILTIN_JSON).unwrap_or_default())
            .clone()
    }

    /// Reads a catalog document, reporting every problem at once as
    /// [`Error::Validation`] (`what` = `ai tool catalog`), each with its JSON
    /// path: unknown fields, missing or empty names, unknown categories or
    /// severities, bad host patterns, a host listed twice.
    pub fn from_json(text: &str) -> Result<Catalog> {
        let mut problems = Vec::new();
        let catalog = json::parse(text, &mut problems)
            .and_then(|v| read_catalog(&v, &mut problems))
            .unwrap_or_default();
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(Error::Validation {
                what: "ai tool catalog".into(),
                problems,
            })
        }
    }

    /// The catalog as a document [`Catalog::from_json`] reads back.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Adds `other`'s tools. A host pattern both list now belongs to
    /// `other`'s tool (an org's entry overrides the built-in one); tools left
    /// without hosts are dropped.
    pub fn extend(&mut self, other: Catalog) {
        let theirs: std::collections::HashSet<&str> = other
            .tools
            .iter()
            .flat_map(|t| t.hosts.iter().map(String::as_str))
            .collect();
        for tool in &mut self.tools {
            tool.hosts.retain(|h| !theirs.contains(h.as_str()));
        }
        self.tools.retain(|t| !t.hosts.is_empty());
        self.tools.extend(other.tools);
        self.version = self.version.max(other.version);
    }

    /// Number of host patterns.
    pub fn host_count(&self) -> usize {
        self.tools.iter().map(|t| t.hosts.len()).sum()
    }
}

const TOP_FIELDS: &[&str] = &["version", "tools"];
const TOOL_FIELDS: &[&str] = &["tool", "vendor", "category", "severity", "hosts", "source"];
const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];

fn read_catalog(value: &serde_json::Value, problems: &mut Vec<Problem>) -> Option<Catalog> {
    let top = Obj::new(value, "$".into(), TOP_FIELDS, problems)?;
    match top.get("version").map(|v| (v, v.as_u64())) {
        None => problems.push(Problem::new(top.at("version"), "is required")),
        Some((_, Some(CATALOG_VERSION))) => {}
        Some((v, _)) => problems.push(Problem::new(
            top.at("version"),
            format!("unsupported version {v}; this build reads version {CATALOG_VERSION}"),
        )),
    }
    let tools_path = top.at("tools");
    let items = match top.get("tools") {
        Some(serde_json::Value::Array(items)) => items.as_slice(),
        Some(other) => {
            problems.push(Problem::new(
                tools_path.clone(),
                format!(
                    "expected an array of tools, found {}",
                    json::type_name(other)
                ),
            ));
            &[]
        }
        None => {
            problems.push(Problem::new(tools_path.clone(), "is required"));
            &[]
        }
    };
    // Where each pattern was first listed, to name it in a duplicate's message.
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut tools = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(t) = read_tool(item, json::index(&tools_path, i), &mut seen, problems) {
            tools.push(t);
        }
    }
    Some(Catalog {
        version: CATALOG_VERSION,
        tools,
    })
}

fn read_tool(
    value: &serde_json::Value,
    path: String,
    seen: &mut HashMap<String, String>,
    problems: &mut Vec<Problem>,
) -> Option<CatalogTool> {
    let obj = Obj::new(value, path, TOOL_FIELDS, problems)?;
    let tool = obj.required_string("tool", 128, problems);
    let vendor = obj.required_string("vendor", 128, problems);
    let category = if obj.get("category").is_none() {
        problems.push(Problem::new(obj.at("category"), "is required"));
        None
    } else {
        let names: Vec<&str> = ToolCategory::ALL.iter().map(|c| c.as_str()).collect();
        obj.word("category", ToolCategory::parse, &names, problems)
    };
    let severity = obj.word("severity", Severity::parse, SEVERITIES, problems);
    let source = obj.string("source", 512, problems);
    let hosts_path = obj.at("hosts");
    let mut hosts = Vec::new();
    match obj.get("hosts") {
        Some(serde_json::Value::Array(items)) if !items.is_empty() => {
            for (j, h) in items.iter().enumerate() {
                let at = json::index(&hosts_path, j);
                let Some(raw) = h.as_str() else {
                    let found = json::type_name(h);
                    problems.push(Problem::new(
                        at,
                        format!("expected a string, found {found}"),
                    ));
                    continue;
                };
                match normalize_pattern(raw) {
                    Ok(p) => match seen.get(&p) {
                        Some(first) => problems.push(Problem::new(
                            at,
                            format!("host `{p}` is already listed at {first}"),
                        )),
                        None => {
                            seen.insert(p.clone(), at);
                            hosts.push(p);
                        }
                    },
                    Err(e) => problems.push(Problem::new(at, e)),
                }
            }
        }
        Some(serde_json::Value::Array(_)) => {
            problems.push(Problem::new(hosts_path, "must list at least one host"));
        }
        Some(other) => problems.push(Problem::new(
            hosts_path,
            format!(
                "expected an array of hosts, found {}",
                json::type_name(other)
            ),
        )),
        None => problems.push(Problem::new(hosts_path, "is required")),
    }
    let category = category?;
    Some(CatalogTool {
        tool: tool?.to_string(),
        vendor: vendor?.to_string(),
        category,
        severity: severity.unwrap_or_else(|| category.default_severity()),
        hosts,
        source: source.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_reads_cleanly_and_is_large_enough() {
        let c = Catalog::from_json(BUILTIN_JSON).unwrap();
        assert!(c.host_count() >= 1200, "{} hosts", c.host_count());
        assert_eq!(Catalog::builtin(), c);
        for cat in ToolCategory::ALL {
            assert!(
                c.tools.iter().any(|t| t.category == cat),
                "no tool in {cat}"
            );
        }
    }

    #[test]
    fn round_trips_through_to_json() {
        let c = Catalog::builtin();
        assert_eq!(Catalog::from_json(&c.to_json()).unwrap(), c);
    }

    #[test]
    fn severity_defaults_by_category() {
        let c = Catalog::from_json(
            r#"{"version": 1, "tools": [
                {"tool": "A", "vendor": "V", "category": "agent", "hosts": ["a.example"]},
                {"tool": "B", "vendor": "V", "category": "image", "severity": "critical", "hosts": ["*.B.Example."]}
            ]}"#,
        )
        .unwrap();
        assert_eq!(c.tools[0].severity, Severity::High);
        assert_eq!(c.tools[1].severity, Severity::Critical);
        assert_eq!(c.tools[1].hosts, ["*.b.example"]);
    }

    #[test]
    fn a_source_is_optional_kept_and_checked() {
        let c = Catalog::from_json(
            r#"{"version": 1, "tools": [
                {"tool": "A", "vendor": "V", "category": "chat", "hosts": ["a.example"], "source": " docs.a.example/api "},
                {"tool": "B", "vendor": "V", "category": "chat", "hosts": ["b.example"]}
            ]}"#,
        )
        .unwrap();
        assert_eq!(c.tools[0].source.as_deref(), Some("docs.a.example/api"));
        assert_eq!(c.tools[1].source, None);
        assert!(!c.to_json().contains("\"source\": null"));
        assert_eq!(Catalog::from_json(&c.to_json()).unwrap(), c);
        let err = Catalog::from_json(
            r#"{"version": 1, "tools": [
                {"tool": "A", "vendor": "V", "category": "chat", "hosts": ["a.example"], "source": ""},
                {"tool": "B", "vendor": "V", "category": "chat", "hosts": ["b.example"], "source": 3}
            ]}"#,
        )
        .unwrap_err();
        let got: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(got, ["$.tools[0].source", "$.tools[1].source"]);
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let err = Catalog::from_json(
            r#"{"version": 2, "extra": 1, "tools": [
                {"tool": "", "vendor": "V", "category": "chatbot", "severity": "huge", "hosts": ["https://x.example/"]},
                {"vendor": 3, "category": "chat", "hosts": []},
                {"tool": "T", "vendor": "V", "category": "chat", "hosts": ["a.example", "A.example", 7, "*.", "a..b"]},
                "nope"
            ]}"#,
        )
        .unwrap_err();
        let got: Vec<String> = err.problems().iter().map(|p| p.path.clone()).collect();
        assert_eq!(
            got,
            [
                "$.extra",
                "$.version",
                "$.tools[0].tool",
                "$.tools[0].category",
                "$.tools[0].severity",
                "$.tools[0].hosts[0]",
                "$.tools[1].tool",
                "$.tools[1].vendor",
                "$.tools[1].hosts",
                "$.tools[2].hosts[1]",
                "$.tools[2].hosts[2]",
                "$.tools[2].hosts[3]",
                "$.tools[2].hosts[4]",
                "$.tools[3]",
            ]
        );
        let msg = err.to_string();
        assert!(msg.starts_with("invalid ai tool catalog: "), "{msg}");
        assert!(
            msg.contains("already listed at $.tools[2].hosts[0]"),
            "{msg}"
        );
        assert!(msg.contains("expected one of: chat, model_api"), "{msg}");
        assert!(Catalog::from_json("{").unwrap_err().problems()[0].path == "$");
        assert_eq!(
            Catalog::from_json("[]").unwrap_err().problems()[0].message,
            "expected an object, found an array"
        );
    }

    #[test]
    fn extend_lets_the_org_override_hosts() {
        let mut c = Catalog::from_json(
            r#"{"version": 1, "tools": [
                {"tool": "A", "vendor": "V", "category": "chat", "hosts": ["a.example", "b.example"]},
                {"tool": "C", "vendor": "V", "category": "chat", "hosts": ["c.example"]}
            ]}"#,
        )
        .unwrap();
        let org = Catalog::from_json(
            r#"{"version": 1, "tools": [
                {"tool": "Internal", "vendor": "Acme", "category": "agent", "hosts": ["b.example", "c.example"]}
            ]}"#,
        )
        .unwrap();
        c.extend(org);
        let names: Vec<(&str, Vec<&str>)> = c
            .tools
            .iter()
            .map(|t| {
                (
                    t.tool.as_str(),
                    t.hosts.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("A", vec!["a.example"]),
                ("Internal", vec!["b.example", "c.example"])
            ]
        );
    }
}
