//! Reading the two JSON documents this module accepts (a tool catalog and a
//! shadow-AI report) while collecting every problem with its JSON path, so
//! an author or a client sees all of them in one answer.

use crate::Problem;
use serde_json::{Map, Value};

/// `$.a` + `b` → `$.a.b`; keys that are not identifiers are quoted.
pub(super) fn child(path: &str, key: &str) -> String {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_string()))
    }
}

/// `$.a` + 3 → `$.a[3]`.
pub(super) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// `a string`, `an object`, … for messages.
pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses a document; a syntax error is one problem at `$` with its line
/// and column.
pub(super) fn parse(json: &str, problems: &mut Vec<Problem>) -> Option<Value> {
    match serde_json::from_str(json) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(Problem::new("$", format!("not valid JSON: {e}")));
            None
        }
    }
}

/// An object at `path` whose keys must be among `known`.
pub(super) struct Obj<'a> {
    pub(super) path: String,
    pub(super) map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    /// Reads `value` as an object, reporting a wrong type and every unknown
    /// key.
    pub(super) fn new(
        value: &'a Value,
        path: String,
        known: &[&str],
        problems: &mut Vec<Problem>,
    ) -> Option<Self> {
        let Value::Object(map) = value else {
            problems.push(Problem::new(
                path,
                format!("expected an object, found {}", type_name(value)),
            ));
            return None;
        };
        for k in map.keys() {
            if !known.contains(&k.as_str()) {
                problems.push(Problem::new(
                    child(&path, k),
                    format!("unknown field `{k}`; expected one of: {}", known.join(", ")),
                ));
            }
        }
        Some(Obj { path, map })
    }

    pub(super) fn at(&self, key: &str) -> String {
        child(&self.path, key)
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// An optional string, trimmed, of 1 to `max_chars` characters.
    pub(super) fn string(
        &self,
        key: &str,
        max_chars: usize,
        problems: &mut Vec<Problem>,
    ) -> Option<&'a str> {
        match self.get(key)? {
            Value::String(s) => {
                let t = s.trim();
                if t.is_empty() {
                    problems.push(Problem::new(self.at(key), "must not be empty"));
                    None
                } else if t.chars().count() > max_chars {
                    problems.push(Problem::new(
                        self.at(key),
                        format!("longer than {max_chars} characters"),
                    ));
                    None
                } else {
                    Some(t)
                }
            }
            other => {
                problems.push(Problem::new(
                    self.at(key),
                    format!("expected a string, found {}", type_name(other)),
                ));
                None
            }
        }
    }

    /// A string that must be present.
    pub(super) fn required_string(
        &self,
        key: &str,
        max_chars: usize,
        problems: &mut Vec<Problem>,
    ) -> Option<&'a str> {
        if self.get(key).is_none() {
            problems.push(Problem::new(self.at(key), "is required"));
            return None;
        }
        self.string(key, max_chars, problems)
    }

    /// An optional string read through `parse`, whose failure names the
    /// allowed values.
    pub(super) fn word<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &[&str],
        problems: &mut Vec<Problem>,
    ) -> Option<T> {
        let s = self.string(key, 64, problems)?;
        let parsed = parse(s);
        if parsed.is_none() {
            problems.push(Problem::new(
                self.at(key),
                format!(
                    "unknown value `{s}`; expected one of: {}",
                    allowed.join(", ")
                ),
            ));
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_quote_keys_that_are_not_identifiers() {
        assert_eq!(child("$", "org_id"), "$.org_id");
        assert_eq!(child("$.metadata", "a b"), "$.metadata[\"a b\"]");
        assert_eq!(index("$.tools", 2), "$.tools[2]");
    }

    #[test]
    fn strings_are_checked_for_type_emptiness_and_length() {
        let v: Value = serde_json::json!({"a": " ", "b": 3, "c": "xxxx", "d": " ok ", "zz": 1});
        let mut p = Vec::new();
        let o = Obj::new(&v, "$".into(), &["a", "b", "c", "d", "e"], &mut p).unwrap();
        assert_eq!(o.string("a", 10, &mut p), None);
        assert_eq!(o.string("b", 10, &mut p), None);
        assert_eq!(o.string("c", 3, &mut p), None);
        assert_eq!(o.string("d", 3, &mut p), Some("ok"));
        assert_eq!(o.required_string("e", 3, &mut p), None);
        let got: Vec<String> = p.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "$.zz: unknown field `zz`; expected one of: a, b, c, d, e",
                "$.a: must not be empty",
                "$.b: expected a string, found a number",
                "$.c: longer than 3 characters",
                "$.e: is required",
            ]
        );
    }
}
