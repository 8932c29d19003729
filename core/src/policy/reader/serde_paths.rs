//! Serde over JSON without losing the JSON path, for the two things
//! `serde_json::Value` forgets: where inside a value a typed read failed
//! (its errors carry no position), and keys given twice in one object (it
//! keeps the last silently, so `{"logging": "metadata", "logging": "full"}`
//! would log raw content while a reader of the file sees `metadata`).

use super::{child, index};
use crate::Problem;
use serde::de::value::StrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, Error as _, IntoDeserializer, MapAccess,
    SeqAccess, Visitor,
};
use serde_json::Value;
use std::cell::RefCell;
use std::fmt;

/// Reads `T` from `value`, which sits at `path`. A failure is one problem at
/// the path of the innermost value that failed (`$.custom_rules[0].context.window`),
/// or of the unknown key, rather than at `path` itself.
pub(in crate::policy) fn deserialize_at<T: DeserializeOwned>(
    value: &Value,
    path: &str,
) -> Result<T, Problem> {
    let failed_at = RefCell::new(None);
    let tracked = Tracked {
        value,
        path: path.to_owned(),
        failed_at: &failed_at,
    };
    T::deserialize(tracked).map_err(|e| {
        let at = failed_at.into_inner().unwrap_or_else(|| path.to_owned());
        Problem::new(at, e.to_string())
    })
}

/// A value and its path; records the path of the first (innermost) failure.
struct Tracked<'a> {
    value: &'a Value,
    path: String,
    failed_at: &'a RefCell<Option<String>>,
}

fn note<T>(
    failed_at: &RefCell<Option<String>>,
    path: &str,
    result: Result<T, serde_json::Error>,
) -> Result<T, serde_json::Error> {
    if result.is_err() {
        failed_at
            .borrow_mut()
            .get_or_insert_with(|| path.to_owned());
    }
    result
}

impl<'de> Deserializer<'de> for Tracked<'_> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let Tracked {
            value,
            path,
            failed_at,
        } = self;
        let result = match value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(f)) => visitor.visit_f64(f),
                (None, None, None) => Err(serde_json::Error::custom(format!(
                    "number {n} is out of range"
                ))),
            },
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => {
                let mut seq = Seq {
                    items: items.iter().enumerate(),
                    path: &path,
                    failed_at,
                };
                visitor
                    .visit_seq(&mut seq)
                    .and_then(|v| match seq.items.len() {
                        0 => Ok(v),
                        _ => Err(serde_json::Error::invalid_length(
                            items.len(),
                            &"fewer elements in the array",
                        )),
                    })
            }
            Value::Object(map) => {
                let mut entries = Entries {
                    iter: map.iter(),
                    value: None,
                    path: &path,
                    failed_at,
                };
                visitor
                    .visit_map(&mut entries)
                    .and_then(|v| match entries.iter.len() {
                        0 => Ok(v),
                        _ => Err(serde_json::Error::invalid_length(
                            map.len(),
                            &"fewer entries in the object",
                        )),
                    })
            }
        };
        note(failed_at, &path, result)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    /// Externally tagged enums are read by `serde_json` itself; a failure
    /// inside one is located at the enum's value.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let result = self.value.clone().deserialize_enum(name, variants, visitor);
        note(self.failed_at, &self.path, result)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

struct Seq<'a, I> {
    items: I,
    path: &'a str,
    failed_at: &'a RefCell<Option<String>>,
}

impl<'de, 'a, I> SeqAccess<'de> for &mut Seq<'a, I>
where
    I: ExactSizeIterator<Item = (usize, &'a Value)>,
{
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        let Some((i, value)) = self.items.next() else {
            return Ok(None);
        };
        seed.deserialize(Tracked {
            value,
            path: index(self.path, i),
            failed_at: self.failed_at,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'a> {
    iter: serde_json::map::Iter<'a>,
    value: Option<(&'a String, &'a Value)>,
    path: &'a str,
    failed_at: &'a RefCell<Option<String>>,
}

impl<'de> MapAccess<'de> for &mut Entries<'_> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        let key_de: StrDeserializer<'_, serde_json::Error> = key.as_str().into_deserializer();
        // An unknown field is the key's own problem.
        let result = seed.deserialize(key_de).map(Some);
        note(self.failed_at, &child(self.path, key), result)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let (key, value) = self
            .value
            .take()
            .ok_or_else(|| serde_json::Error::custom("a value was read before its key"))?;
        seed.deserialize(Tracked {
            value,
            path: child(self.path, key),
            failed_at: self.failed_at,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// Every key given more than once in one object of the JSON text, as a
/// problem at the key's path, in the order the keys first appear. Text that
/// is not JSON yields whatever was found before the error: the caller
/// reports the parse error itself.
pub(in crate::policy) fn duplicate_keys(json: &str) -> Vec<Problem> {
    let mut found = Found::default();
    let mut de = serde_json::Deserializer::from_str(json);
    let _ = Walk {
        path: "$".to_owned(),
        found: &mut found,
    }
    .deserialize(&mut de);
    found.problems.sort_by_key(|(seen, _)| *seen);
    found.problems.into_iter().map(|(_, p)| p).collect()
}

/// The duplicates found so far, each with the number of keys read before
/// its first occurrence (inner objects finish before the object holding
/// them, so this restores document order).
#[derive(Default)]
struct Found {
    keys_read: usize,
    problems: Vec<(usize, Problem)>,
}

/// Walks a JSON value, keeping nothing but the duplicate keys.
struct Walk<'f> {
    path: String,
    found: &'f mut Found,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        Ok(())
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(Walk {
                path: index(&self.path, i),
                found: &mut *self.found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Keys in first-seen order: the key, when it was first read, and how
        // often it was given.
        let mut keys: Vec<(String, usize, usize)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let seen = self.found.keys_read;
            self.found.keys_read += 1;
            map.next_value_seed(Walk {
                path: child(&self.path, &key),
                found: &mut *self.found,
            })?;
            match keys.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, n)) => *n += 1,
                None => keys.push((key, seen, 1)),
            }
        }
        for (key, seen, n) in keys.into_iter().filter(|(_, _, n)| *n > 1) {
            let path = child(&self.path, &key);
            // The same duplicate inside both copies of a duplicated value
            // is one problem.
            if self.found.problems.iter().all(|(_, p)| p.path != path) {
                let problem = Problem::new(
                    path,
                    format!(
                        "duplicate key `{key}`, given {n} times; JSON readers disagree on which \
                         value counts (this one would take the last), so give it once"
                    ),
                );
                self.found.problems.push((seen, problem));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        window: usize,
        #[serde(default)]
        words: Vec<String>,
        #[serde(default)]
        note: Option<String>,
    }

    #[test]
    fn a_typed_failure_is_located_at_the_innermost_value() {
        let at = |v: Value| deserialize_at::<Inner>(&v, "$.rule.context").unwrap_err();
        let p = at(json!({"window": -1}));
        assert_eq!(p.path, "$.rule.context.window");
        assert!(p.message.contains("-1"), "{}", p.message);
        assert_eq!(
            at(json!({"window": 1, "words": ["a", 2]})).path,
            "$.rule.context.words[1]"
        );
        assert_eq!(
            at(json!({"window": 1, "wnidow": 2})).path,
            "$.rule.context.wnidow"
        );
        assert_eq!(
            at(json!({"window": 1, "a b": 2})).path,
            "$.rule.context[\"a b\"]"
        );
        assert_eq!(
            at(json!({"window": 1, "note": 3})).path,
            "$.rule.context.note"
        );
        let missing = at(json!({}));
        assert_eq!(missing.path, "$.rule.context");
        assert!(missing.message.contains("missing field `window`"));
        assert_eq!(at(json!("text")).path, "$.rule.context");
        let ok: Inner = deserialize_at(&json!({"window": 3, "note": null}), "$").unwrap();
        assert_eq!(ok.window, 3);
    }

    #[test]
    fn duplicate_keys_are_found_at_any_depth_with_their_path() {
        let found = duplicate_keys(
            r#"{"logging": "metadata", "a": [{"x": 1, "y": {"x": 2, "x": 3}}],
                "logging": "full", "logging": "off",
                "o": {"p.q": 1, "p.q": 2}, "\u0061": 0}"#,
        );
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|p| (p.path.as_str(), p.message.as_str()))
            .collect();
        let paths: Vec<&str> = got.iter().map(|(path, _)| *path).collect();
        assert_eq!(paths, ["$.logging", "$.a", "$.a[0].y.x", "$.o[\"p.q\"]"]);
        assert!(got[0].1.contains("duplicate key `logging`, given 3 times"));
        assert!(duplicate_keys(r#"{"a": {"b": 1}, "b": {"a": 2}}"#).is_empty());
        assert!(duplicate_keys("{ nope").is_empty());
    }

    #[test]
    fn a_duplicate_inside_a_duplicated_value_is_one_problem() {
        let found = duplicate_keys(r#"{"a": {"x": 1, "x": 2}, "a": {"x": 1, "x": 2}}"#);
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["$.a", "$.a.x"]);
    }
}
