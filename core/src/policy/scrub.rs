//! Keeping matched values out of the context fields a record copies.
//!
//! An event carries what the host says about an evaluation — user, client,
//! tool, request ids, free `metadata` — next to what govstream found in the
//! text. Hosts put whatever they have there, sometimes the very value the
//! scan matched (a header copied into `metadata`, a key pasted as a
//! "request id"). Below the `full` logging level no matched value may reach a
//! sink, so every string a record copies from the context is rewritten:
//!
//! - every occurrence of a value matched in the text becomes
//!   `[REDACTED:<rule_id>]`, in every field;
//! - the context's strings are scanned with the policy's rules too: a secret
//!   is redacted in any field, any other finding (an email, a card) in
//!   `metadata` only — `user_email` is the user's identity, not content.
//!
//! At `full`, fields are copied as they are.

use super::Compiled;
use super::evaluate::{EvaluationContext, Scanned};
use crate::schema::{Category, ClientContext, Identity, LoggingLevel, ToolContext};
use aho_corasick::{AhoCorasick, MatchKind};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The context fields as a record may carry them.
pub(super) struct ScrubbedContext {
    pub(super) identity: Identity,
    pub(super) client: ClientContext,
    pub(super) tool: ToolContext,
    pub(super) request_id: Option<String>,
    pub(super) session_id: Option<String>,
    pub(super) conversation_id: Option<String>,
    pub(super) metadata: Map<String, Value>,
}

/// The values matched in one text, ready to be found in other strings.
pub(super) struct Scrubber<'a> {
    policy: &'a Compiled,
    /// Every distinct matched value (as written, and as the scanner read it)
    /// with the rule that matched it.
    values: Vec<(String, usize)>,
    finder: Option<AhoCorasick>,
}

impl<'a> Scrubber<'a> {
    pub(super) fn new(policy: &'a Compiled, text: &str, s: &Scanned) -> Self {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for f in s.findings() {
            if let Some(v) = text.get(f.byte_start..f.byte_end) {
                seen.entry(v).or_insert(f.rule);
            }
        }
        let mut values: Vec<(String, usize)> = Vec::with_capacity(seen.len());
        for (v, rule) in seen {
            let normalized = crate::dlp::normalize(v);
            if normalized != v && !normalized.is_empty() {
                values.push((normalized.into_owned(), rule));
            }
            values.push((v.to_string(), rule));
        }
        let finder = if values.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(values.iter().map(|(v, _)| v.as_str()))
                .ok()
        };
        Scrubber {
            policy,
            values,
            finder,
        }
    }

    /// An id the host gave (`event_id`): rewritten only when it holds a
    /// matched value or a secret.
    pub(super) fn id(&self, id: String, level: LoggingLevel) -> String {
        if level == LoggingLevel::Full {
            return id;
        }
        self.clean(&id, false).unwrap_or(id)
    }

    /// The context fields for a record at `level`.
    pub(super) fn context(&self, ctx: &EvaluationContext, level: LoggingLevel) -> ScrubbedContext {
        let mut out = ScrubbedContext {
            identity: ctx.identity.clone(),
            client: ctx.client.clone(),
            tool: ctx.tool.clone(),
            request_id: ctx.request_id.clone(),
            session_id: ctx.session_id.clone(),
            conversation_id: ctx.conversation_id.clone(),
            metadata: ctx.metadata.clone(),
        };
        if level == LoggingLevel::Full {
            return out;
        }
        let fields = [
            &mut out.identity.user_id,
            &mut out.identity.user_email,
            &mut out.identity.idp_user_id,
            &mut out.client.client,
            &mut out.client.client_version,
            &mut out.client.extension_id,
            &mut out.client.gateway_id,
            &mut out.client.endpoint_id,
            &mut out.tool.provider,
            &mut out.tool.tool,
            &mut out.tool.model,
            &mut out.tool.route,
            &mut out.tool.hostname,
            &mut out.request_id,
            &mut out.session_id,
            &mut out.conversation_id,
        ];
        for field in fields.into_iter().flatten() {
            if let Some(clean) = self.clean(field, false) {
                *field = clean;
            }
        }
        out.metadata = self.clean_map(&out.metadata);
        out
    }

    fn clean_map(&self, map: &Map<String, Value>) -> Map<String, Value> {
        map.iter()
            .map(|(k, v)| {
                let key = self.clean(k, true).unwrap_or_else(|| k.clone());
                (key, self.clean_value(v))
            })
            .collect()
    }

    fn clean_value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.clean(s, true).unwrap_or_else(|| s.clone())),
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.clean_value(i)).collect())
            }
            Value::Object(map) => Value::Object(self.clean_map(map)),
            other => other.clone(),
        }
    }

    /// `s` with matched values and its own findings rewritten (secrets only
    /// unless `any_category`); `None` when nothing changes.
    fn clean(&self, s: &str, any_category: bool) -> Option<String> {
        let replaced = self.replace_values(s);
        let current = replaced.as_deref().unwrap_or(s);
        let found = self.policy.scanner_findings(current);
        let mut out = String::with_capacity(current.len());
        let mut copied = 0;
        for (start, end, rule) in found {
            let Some(spec) = self.policy.scanner.rule(rule) else {
                continue;
            };
            if !any_category && spec.category != Category::Secret {
                continue;
            }
            out.push_str(current.get(copied..start).unwrap_or_default());
            out.push_str(&format!("[REDACTED:{}]", spec.id));
            copied = end;
        }
        if copied == 0 {
            return replaced;
        }
        out.push_str(current.get(copied..).unwrap_or_default());
        Some(out)
    }

    fn replace_values(&self, s: &str) -> Option<String> {
        let finder = self.finder.as_ref()?;
        let mut out = String::new();
        let mut copied = 0;
        for m in finder.find_iter(s) {
            let rule = self.values.get(m.pattern().as_usize()).map(|v| v.1)?;
            let id = self
                .policy
                .scanner
                .rule(rule)
                .map_or("match", |r| r.id.as_str());
            out.push_str(s.get(copied..m.start()).unwrap_or_default());
            out.push_str(&format!("[REDACTED:{id}]"));
            copied = m.end();
        }
        if copied == 0 {
            return None;
        }
        out.push_str(s.get(copied..).unwrap_or_default());
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::policy::{EvaluationContext, Policy};
    use crate::schema::Record;

    const AWS: &str = "AKIAIOSFODNN7EXAMPLE";

    fn records_json(policy: &Policy, text: &str, ctx: &EvaluationContext) -> String {
        policy
            .evaluate(text, ctx)
            .records()
            .iter()
            .map(|r: &Record| r.to_json_line().unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn ctx_with(value: &str) -> EvaluationContext {
        let mut ctx = EvaluationContext::default();
        ctx.metadata
            .insert("header".into(), serde_json::json!({"x-key": value}));
        ctx.metadata.insert(value.into(), serde_json::json!(1));
        ctx.request_id = Some(format!("req-{value}"));
        ctx.identity.user_id = Some(value.into());
        ctx.tool.model = Some(format!("m {value}"));
        ctx.event_id = Some(format!("ev-{value}"));
        ctx
    }

    #[test]
    fn a_matched_value_never_survives_in_a_context_field_below_full() {
        for level in ["metadata", "redacted"] {
            let policy = Policy::from_json(&format!(r#"{{"logging": "{level}"}}"#)).unwrap();
            let out = records_json(&policy, &format!("my key {AWS}"), &ctx_with(AWS));
            assert!(!out.contains(AWS), "{level}: {out}");
            assert!(
                out.contains("[REDACTED:secrets.aws_access_key_id]"),
                "{out}"
            );
        }
        let full = Policy::from_json(r#"{"logging": "full"}"#).unwrap();
        let out = records_json(&full, &format!("my key {AWS}"), &ctx_with(AWS));
        assert!(out.contains(&format!("req-{AWS}")));
    }

    #[test]
    fn secrets_in_context_are_redacted_even_when_the_text_is_clean() {
        let policy = Policy::default_policy().unwrap();
        let mut ctx = ctx_with(AWS);
        ctx.identity.user_email = Some("jane@acme.com".into());
        ctx.metadata
            .insert("note".into(), serde_json::json!("call bob@acme.com"));
        let out = records_json(&policy, "hello there", &ctx);
        assert!(!out.contains(AWS), "{out}");
        // Identity is kept; personal data in free metadata is not.
        assert!(out.contains(r#""user_email":"jane@acme.com""#), "{out}");
        assert!(!out.contains("bob@acme.com"), "{out}");
    }

    #[test]
    fn a_value_hidden_with_invisible_characters_is_scrubbed_in_its_plain_form() {
        let policy = Policy::default_policy().unwrap();
        let hidden = "AKIA\u{200B}IOSFODNN7EXAMPLE";
        let ctx = EvaluationContext {
            session_id: Some(format!("s:{AWS}")),
            ..Default::default()
        };
        let out = records_json(&policy, &format!("key {hidden}"), &ctx);
        assert!(!out.contains(AWS) && !out.contains(hidden), "{out}");
    }
}
