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
use super::context::EvaluationContext;
use super::scanned::Scanned;
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
    /// The provider's safety settings and safety response, empty ones
    /// dropped.
    pub(super) safety_settings: Option<Value>,
    pub(super) safety_response: Option<Value>,
    /// The host's `tracestate`, kept only with a valid `traceparent` and
    /// when well formed.
    pub(super) trace_state: Option<String>,
}

/// Rewrites context strings for records below `full`.
pub(super) struct Scrubber<'a> {
    policy: &'a Compiled,
    text: &'a str,
    scanned: &'a Scanned,
}

/// Where a context string sits in the joined text scanned at once.
struct Piece {
    start: usize,
    end: usize,
}

/// Between two context strings in the joined text: no rule's match crosses a
/// NUL and line breaks.
const SEPARATOR: &str = "\n\0\n";

/// Distinct matched values above this count are searched with one
/// automaton rather than one substring search each.
const MANY_VALUES: usize = 32;

impl<'a> Scrubber<'a> {
    pub(super) fn new(policy: &'a Compiled, text: &'a str, scanned: &'a Scanned) -> Self {
        Scrubber {
            policy,
            text,
            scanned,
        }
    }

    /// An id the host gave (`event_id`): rewritten only when it holds a
    /// matched value or a secret.
    pub(super) fn id(&self, id: String, level: LoggingLevel) -> String {
        if level == LoggingLevel::Full {
            return id;
        }
        let mut joined = Joined::new(false);
        joined.push(&id);
        self.rewrite(&joined)
            .into_iter()
            .next()
            .flatten()
            .unwrap_or(id)
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
            safety_settings: ctx.safety_settings.as_ref().and_then(|v| v.to_field()),
            safety_response: ctx.safety_response.as_ref().and_then(|v| v.to_field()),
            trace_state: ctx
                .traceparent
                .as_deref()
                .and_then(crate::trace::parse_traceparent)
                .and(ctx.tracestate.as_deref())
                .and_then(crate::trace::valid_tracestate)
                .map(str::to_owned),
        };
        if level == LoggingLevel::Full {
            return out;
        }
        let mut fields = [
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
            &mut out.trace_state,
        ];
        // One scan over the fields joined (a scan has a fixed cost that a
        // dozen short fields would pay a dozen times), with the secrets rules
        // only; one over `metadata`, with every rule.
        let mut joined = Joined::new(false);
        for field in fields.iter().filter_map(|f| f.as_deref()) {
            joined.push(field);
        }
        if !joined.pieces.is_empty() {
            let mut rewritten = self.rewrite(&joined).into_iter();
            for field in fields.iter_mut().filter_map(|f| f.as_mut()) {
                if let Some(Some(clean)) = rewritten.next() {
                    *field = clean;
                }
            }
        }
        // The provider's safety data is free JSON like `metadata`, and
        // scrubbed the same way, in the same scan.
        let mut meta = Joined::new(true);
        walk(&ctx.metadata, &mut |s| meta.push(s));
        for v in [&out.safety_settings, &out.safety_response]
            .into_iter()
            .flatten()
        {
            walk_value(v, &mut |s| meta.push(s));
        }
        if !meta.pieces.is_empty() {
            let mut rewritten = self.rewrite(&meta).into_iter();
            out.metadata = rebuild(&ctx.metadata, &mut rewritten);
            for v in [&mut out.safety_settings, &mut out.safety_response]
                .into_iter()
                .flatten()
            {
                *v = rebuild_value(v, &mut rewritten);
            }
        }
        out
    }

    /// Each piece of `joined` rewritten, or `None` where nothing changes.
    fn rewrite(&self, joined: &Joined) -> Vec<Option<String>> {
        let text = joined.text.as_str();
        // (start, end, rule, is a matched value)
        let mut hits: Vec<(usize, usize, usize, bool)> = self
            .policy
            .scanner_findings(text, !joined.any_category)
            .into_iter()
            .map(|(s, e, r)| (s, e, r, false))
            .collect();
        hits.extend(
            self.matched_values_in(text)
                .map(|(s, e, r)| (s, e, r, true)),
        );
        if hits.is_empty() {
            return vec![None; joined.pieces.len()];
        }
        // Longest first among equal starts; overlapping hits merge into the
        // first.
        hits.sort_unstable_by_key(|&(s, e, _, _)| (s, std::cmp::Reverse(e)));
        let mut out = Vec::with_capacity(joined.pieces.len());
        let mut hits = hits.into_iter().peekable();
        for piece in &joined.pieces {
            let mut clean = String::new();
            let mut copied = piece.start;
            while let Some(&(s, e, rule, matched)) = hits.peek() {
                if s >= piece.end {
                    break;
                }
                hits.next();
                let Some(spec) = self.policy.scanner.rule(rule) else {
                    continue;
                };
                let applies = matched || joined.any_category || spec.category == Category::Secret;
                if !applies || s < copied || e > piece.end {
                    continue;
                }
                clean.push_str(text.get(copied..s).unwrap_or_default());
                clean.push_str(&crate::text::label_replacement(&spec.id));
                copied = e;
            }
            if copied == piece.start {
                out.push(None);
            } else {
                clean.push_str(text.get(copied..piece.end).unwrap_or_default());
                out.push(Some(clean));
            }
        }
        out
    }

    /// Occurrences in `hay` of every value matched in the text (as written
    /// and as the scanner read it), as `(start, end, rule)`.
    fn matched_values_in(&self, hay: &str) -> impl Iterator<Item = (usize, usize, usize)> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for f in self.scanned.findings() {
            if let Some(v) = self.text.get(f.byte_start..f.byte_end) {
                seen.entry(v).or_insert(f.rule);
            }
        }
        let mut values: Vec<(std::borrow::Cow<'_, str>, usize)> = Vec::new();
        for (v, rule) in seen {
            let normalized = crate::dlp::normalize(v);
            if normalized != v && !normalized.is_empty() {
                values.push((std::borrow::Cow::Owned(normalized.into_owned()), rule));
            }
            values.push((std::borrow::Cow::Borrowed(v), rule));
        }
        let mut found = Vec::new();
        if values.len() <= MANY_VALUES {
            for (v, rule) in &values {
                found.extend(
                    hay.match_indices(v.as_ref())
                        .map(|(at, m)| (at, at + m.len(), *rule)),
                );
            }
        } else if let Ok(ac) = AhoCorasick::builder()
            // An NFA builds in microseconds; a DFA would cost more than the
            // search saves on strings this short.
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .match_kind(MatchKind::LeftmostLongest)
            .build(values.iter().map(|(v, _)| v.as_ref()))
        {
            for m in ac.find_iter(hay) {
                if let Some((_, rule)) = values.get(m.pattern().as_usize()) {
                    found.push((m.start(), m.end(), *rule));
                }
            }
        }
        found.into_iter()
    }
}

/// Context strings joined for one scan, and whether findings of every
/// category (not only secrets) are redacted in them.
struct Joined {
    text: String,
    pieces: Vec<Piece>,
    any_category: bool,
}

impl Joined {
    fn new(any_category: bool) -> Self {
        Joined {
            text: String::new(),
            pieces: Vec::new(),
            any_category,
        }
    }

    fn push(&mut self, s: &str) {
        if !self.pieces.is_empty() {
            self.text.push_str(SEPARATOR);
        }
        let start = self.text.len();
        self.text.push_str(s);
        self.pieces.push(Piece {
            start,
            end: self.text.len(),
        });
    }
}

/// Calls `f` on every key and string value of `map`, depth first, in the
/// order [`rebuild`] consumes them.
fn walk(map: &Map<String, Value>, f: &mut impl FnMut(&str)) {
    for (k, v) in map {
        f(k);
        walk_value(v, f);
    }
}

fn walk_value(v: &Value, f: &mut impl FnMut(&str)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|i| walk_value(i, f)),
        Value::Object(map) => walk(map, f),
        _ => {}
    }
}

/// `map` with each string [`walk`] visited replaced by the next rewrite.
fn rebuild(
    map: &Map<String, Value>,
    rewritten: &mut impl Iterator<Item = Option<String>>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in map {
        let key = rewritten.next().flatten().unwrap_or_else(|| k.clone());
        let value = rebuild_value(v, rewritten);
        out.insert(key, value);
    }
    out
}

fn rebuild_value(v: &Value, rewritten: &mut impl Iterator<Item = Option<String>>) -> Value {
    match v {
        Value::String(s) => Value::String(rewritten.next().flatten().unwrap_or_else(|| s.clone())),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| rebuild_value(i, rewritten)).collect())
        }
        Value::Object(map) => Value::Object(rebuild(map, rewritten)),
        other => other.clone(),
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
    fn safety_data_is_scrubbed_like_metadata() {
        use crate::policy::PassThroughJson;
        let pass = |v: serde_json::Value| Some(PassThroughJson::new(v).unwrap());
        let ctx = EvaluationContext {
            safety_settings: pass(serde_json::json!([{"note": format!("key {AWS}")}])),
            safety_response: pass(serde_json::json!({"reviewer": "bob@acme.com", AWS: 1})),
            ..Default::default()
        };
        for level in ["metadata", "redacted"] {
            let policy = Policy::from_json(&format!(r#"{{"logging": "{level}"}}"#)).unwrap();
            let out = records_json(&policy, &format!("my key {AWS}"), &ctx);
            assert!(!out.contains(AWS) && !out.contains("bob@acme.com"), "{out}");
            assert!(
                out.contains(
                    r#""safety_settings":[{"note":"key [REDACTED:secrets.aws_access_key_id]"}]"#
                ),
                "{out}"
            );
        }
        let full = Policy::from_json(r#"{"logging": "full"}"#).unwrap();
        let out = records_json(&full, "hello", &ctx);
        assert!(out.contains("bob@acme.com") && out.contains(AWS), "{out}");
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
