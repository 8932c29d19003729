//! Reading a JSON document while collecting every problem, each with its
//! JSON path, instead of stopping at the first as serde does. A policy author
//! with five typos should see five messages in one run.

mod serde_paths;

use crate::Problem;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub(super) use serde_paths::duplicate_keys;

/// A JSON object being read, with the path that leads to it.
pub(super) struct Obj<'a> {
    path: String,
    map: Option<&'a Map<String, Value>>,
    known: &'static [&'static str],
}

/// The problems found so far.
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<Problem>);

impl Problems {
    pub(super) fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem::new(path, message));
    }
}

/// `$.a` + `b` → `$.a.b`; keys that are not identifiers are quoted.
pub(super) fn child(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_string()))
    }
}

/// `$.a` + 3 → `$.a[3]`.
pub(super) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Obj<'a> {
    /// Reads `value` at `path` as an object with the given known keys;
    /// anything else, or an unknown key, is a problem. A missing value
    /// (`None`) reads as an empty object.
    pub(super) fn new(
        value: Option<&'a Value>,
        path: String,
        known: &'static [&'static str],
        problems: &mut Problems,
    ) -> Self {
        let map = match value {
            None => None,
            Some(Value::Object(m)) => {
                for k in m.keys() {
                    if !known.contains(&k.as_str()) {
                        problems.push(
                            child(&path, k),
                            format!("unknown field `{k}`; expected one of: {}", known.join(", ")),
                        );
                    }
                }
                Some(m)
            }
            Some(other) => {
                problems.push(
                    &path,
                    format!("expected an object, found {}", type_name(other)),
                );
                None
            }
        };
        Obj { path, map, known }
    }

    pub(super) fn path(&self) -> &str {
        &self.path
    }

    pub(super) fn path_of(&self, key: &str) -> String {
        child(&self.path, key)
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        debug_assert!(self.known.contains(&key), "unlisted key {key}");
        self.map.and_then(|m| m.get(key))
    }

    /// A nested object.
    pub(super) fn obj(
        &self,
        key: &str,
        known: &'static [&'static str],
        problems: &mut Problems,
    ) -> Obj<'a> {
        Obj::new(self.get(key), self.path_of(key), known, problems)
    }

    pub(super) fn string(&self, key: &str, problems: &mut Problems) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                problems.push(
                    self.path_of(key),
                    format!("expected a string, found {}", type_name(other)),
                );
                None
            }
        }
    }

    /// A string or a number, kept as text (config versions are often numbers).
    pub(super) fn string_or_number(&self, key: &str, problems: &mut Problems) -> Option<String> {
        match self.get(key)? {
            Value::Number(n) => Some(n.to_string()),
            _ => self.string(key, problems),
        }
    }

    pub(super) fn boolean(&self, key: &str, problems: &mut Problems) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                problems.push(
                    self.path_of(key),
                    format!("expected true or false, found {}", type_name(other)),
                );
                None
            }
        }
    }

    pub(super) fn unsigned(&self, key: &str, problems: &mut Problems) -> Option<u64> {
        let v = self.get(key)?;
        match v.as_u64() {
            Some(n) => Some(n),
            None => {
                problems.push(
                    self.path_of(key),
                    format!("expected a non-negative integer, found {}", type_name(v)),
                );
                None
            }
        }
    }

    /// A string read through `parse`, whose failure names the allowed values.
    pub(super) fn word<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &[&str],
        problems: &mut Problems,
    ) -> Option<T> {
        let s = self.string(key, problems)?;
        let parsed = parse(&s);
        if parsed.is_none() {
            problems.push(
                self.path_of(key),
                format!(
                    "unknown value `{s}`; expected one of: {}",
                    allowed.join(", ")
                ),
            );
        }
        parsed
    }

    /// An array of strings.
    pub(super) fn strings(&self, key: &str, problems: &mut Problems) -> Vec<(String, String)> {
        let path = self.path_of(key);
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::String(s) => Some((index(&path, i), s.clone())),
                    other => {
                        problems.push(
                            index(&path, i),
                            format!("expected a string, found {}", type_name(other)),
                        );
                        None
                    }
                })
                .collect(),
            Some(other) => {
                problems.push(
                    path,
                    format!("expected an array of strings, found {}", type_name(other)),
                );
                Vec::new()
            }
        }
    }

    /// An array of values, each with its path.
    pub(super) fn array(&self, key: &str, problems: &mut Problems) -> Vec<(String, &'a Value)> {
        let path = self.path_of(key);
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (index(&path, i), v))
                .collect(),
            Some(other) => {
                problems.push(
                    path,
                    format!("expected an array, found {}", type_name(other)),
                );
                Vec::new()
            }
        }
    }

    /// The entries of an object whose keys are free (rule ids, pack names).
    pub(super) fn entries(
        &self,
        key: &str,
        problems: &mut Problems,
    ) -> Vec<(String, String, &'a Value)> {
        let path = self.path_of(key);
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| (child(&path, k), k.clone(), v))
                .collect(),
            Some(other) => {
                problems.push(
                    path,
                    format!("expected an object, found {}", type_name(other)),
                );
                Vec::new()
            }
        }
    }

    /// A nested value read with serde, for small typed pieces. A failure is
    /// reported at the path of the innermost value that failed
    /// (`….context.window`), not at `key`.
    pub(super) fn typed<T: DeserializeOwned>(
        &self,
        key: &str,
        problems: &mut Problems,
    ) -> Option<T> {
        let v = self.get(key)?;
        match serde_paths::deserialize_at(v, &self.path_of(key)) {
            Ok(t) => Some(t),
            Err(problem) => {
                problems.0.push(problem);
                None
            }
        }
    }
}
