//! Serde over JSON without losing the JSON path: `serde_json::Value`'s
//! errors carry no position, so a typed read of a nested piece would be
//! reported at the piece, not at the field inside it that is wrong.

use super::{child, index};
use crate::Problem;
use serde::de::value::StrDeserializer;
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error as _, IntoDeserializer, MapAccess,
    SeqAccess, Visitor,
};
use serde_json::Value;
use std::cell::RefCell;

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
}
