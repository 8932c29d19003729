//! Reading a host's JSON input — a CLI input line's context fields, a
//! binding's keyword arguments or record dicts — into core types.
//!
//! serde's stock messages quote the offending value (``unknown variant
//! `AKIA…` ``, `invalid type: string "…"`), and input is exactly where
//! secrets are: a key pasted into the wrong field would end up in an error
//! record, an exception or a log. [`from_value`] deserializes through its
//! own deserializer, whose error type words every mistake by its JSON path
//! and what was expected, never by the value; every host that converts
//! input through it gets the same guarantee.

use crate::{Error, Result};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Expected, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use serde_json::{Map, Value};
use std::fmt;

/// Reads `value` as a `T`.
///
/// On failure the error is [`Error::Input`] whose `location` is `root`
/// followed by the JSON path of the offending value (`$.phase`,
/// `$.metadata.tags[2]`; just `root` where serde keeps no position, as in
/// flattened fields and internally tagged records) and whose `message` says
/// what was expected — the allowed values of an enum, the type of a field —
/// but never repeats the value given. Field names are repeated: they name
/// where the mistake is.
///
/// ```
/// use govstream::json_input::from_value;
/// use govstream::policy::EvaluationContext;
/// use serde_json::json;
///
/// let err = from_value::<EvaluationContext>(json!({"phase": "AKIAIOSFODNN7EXAMPLE"}), "$")
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid input at $.phase: unknown value; expected one of `prompt`, `response`"
/// );
/// ```
pub fn from_value<T: DeserializeOwned>(value: Value, root: &str) -> Result<T> {
    T::deserialize(Quiet(value)).map_err(|e| Error::Input {
        location: format!("{root}{}", e.path),
        message: e.message,
    })
}

/// A deserialization error that knows where it happened and never holds
/// the input's value.
#[derive(Debug)]
struct QuietError {
    /// The JSON path below the root, built from the inside out as the
    /// error travels up (`.phase`, `[2]`).
    path: String,
    message: String,
}

impl QuietError {
    fn new(message: String) -> Self {
        QuietError {
            path: String::new(),
            message,
        }
    }

    fn under_key(mut self, key: &str) -> Self {
        let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let step = if plain {
            format!(".{key}")
        } else {
            // A quoted key, escaped as JSON so the path stays one line.
            format!("[{}]", serde_json::to_string(key).unwrap_or_default())
        };
        self.path.insert_str(0, &step);
        self
    }

    fn under_index(mut self, index: usize) -> Self {
        self.path.insert_str(0, &format!("[{index}]"));
        self
    }
}

impl fmt::Display for QuietError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for QuietError {}

/// What kind of value was found, without the value.
fn kind(unexp: &Unexpected<'_>) -> &'static str {
    match unexp {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer",
        Unexpected::Float(_) => "a number with a fraction",
        Unexpected::Char(_) => "a character",
        Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit => "null",
        Unexpected::Seq => "an array",
        Unexpected::Map => "an object",
        Unexpected::Option
        | Unexpected::NewtypeStruct
        | Unexpected::Enum
        | Unexpected::UnitVariant
        | Unexpected::NewtypeVariant
        | Unexpected::TupleVariant
        | Unexpected::StructVariant
        // `Other` is free text from a type's own code: it may describe
        // the value, so it is not repeated either.
        | Unexpected::Other(_) => "a value",
    }
}

/// `` `a`, `b` `` — the names a field or enum accepts.
fn names(expected: &[&str]) -> String {
    expected
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl de::Error for QuietError {
    // Messages a type's own `Deserialize` writes pass through: govstream's
    // types only use serde's structured errors below, which are reworded.
    fn custom<T: fmt::Display>(msg: T) -> Self {
        QuietError::new(msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        QuietError::new(format!("expected {exp}, found {}", kind(&unexp)))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        QuietError::new(format!("invalid value ({}); expected {exp}", kind(&unexp)))
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        QuietError::new(if expected.is_empty() {
            "unknown value; no value is accepted here".to_owned()
        } else {
            format!("unknown value; expected one of {}", names(expected))
        })
    }

    // The unknown name is not repeated: a key is where a value pasted in
    // the wrong place ends up. The object's path and the key's position
    // (added by the map) say where it is.
    fn unknown_field(_field: &str, expected: &'static [&'static str]) -> Self {
        QuietError::new(if expected.is_empty() {
            "unknown field; no fields are accepted here".to_string()
        } else {
            format!("unknown field; expected one of {}", names(expected))
        })
    }
}

/// A JSON value to deserialize, with [`QuietError`] as its error type.
struct Quiet(Value);

impl<'de> IntoDeserializer<'de, QuietError> for Quiet {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for Quiet {
    type Error = QuietError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QuietError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(f) = n.as_f64() {
                    visitor.visit_f64(f)
                } else {
                    Err(QuietError::new("number out of range".into()))
                }
            }
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => {
                let len = items.len();
                let mut seq = Items {
                    items: items.into_iter(),
                    index: 0,
                };
                let out = visitor.visit_seq(&mut seq)?;
                if seq.items.as_slice().is_empty() {
                    Ok(out)
                } else {
                    Err(de::Error::invalid_length(
                        len,
                        &"fewer elements in the array",
                    ))
                }
            }
            Value::Object(map) => visitor.visit_map(Fields::new(map)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QuietError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Quiet(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QuietError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QuietError> {
        match self.0 {
            // A unit variant: `"prompt"`.
            Value::String(s) => visitor.visit_enum(s.into_deserializer()),
            // Any other variant: `{"name": content}`.
            Value::Object(map) if map.len() == 1 => {
                let Some((name, content)) = map.into_iter().next() else {
                    return Err(QuietError::new("expected an object with one key".into()));
                };
                visitor.visit_enum(Variant { name, content })
            }
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"a string or an object with one key",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QuietError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

fn unexpected(value: &Value) -> Unexpected<'static> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(_) => Unexpected::Bool(false),
        Value::Number(_) => Unexpected::Float(0.0),
        Value::String(_) => Unexpected::Str(""),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// An array's items, each error marked with its index.
struct Items {
    items: std::vec::IntoIter<Value>,
    index: usize,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = QuietError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, QuietError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(Quiet(item))
            .map(Some)
            .map_err(|e| e.under_index(index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An object's fields, each error marked with its key.
struct Fields {
    fields: serde_json::map::IntoIter,
    pending: Option<(String, Value)>,
    /// Keys read so far, to place a key that is not accepted.
    read: usize,
}

impl Fields {
    fn new(map: Map<String, Value>) -> Self {
        Fields {
            fields: map.into_iter(),
            pending: None,
            read: 0,
        }
    }
}

impl<'de> MapAccess<'de> for Fields {
    type Error = QuietError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, QuietError> {
        let Some((key, value)) = self.fields.next() else {
            return Ok(None);
        };
        self.read += 1;
        // A refused key is placed by its position, never named.
        let n = self.read;
        let read = seed
            .deserialize(Quiet(Value::String(key.clone())))
            .map_err(|mut e| {
                e.message = format!("{} (key {n} of the object)", e.message);
                e
            })?;
        self.pending = Some((key, value));
        Ok(Some(read))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, QuietError> {
        let Some((key, value)) = self.pending.take() else {
            return Err(QuietError::new("a value was read before its key".into()));
        };
        seed.deserialize(Quiet(value))
            .map_err(|e| e.under_key(&key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

/// An enum variant written as `{"name": content}`.
struct Variant {
    name: String,
    content: Value,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = QuietError;
    type Variant = VariantContent;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantContent), QuietError> {
        let name = seed.deserialize(Quiet(Value::String(self.name.clone())))?;
        Ok((
            name,
            VariantContent {
                name: self.name,
                content: self.content,
            },
        ))
    }
}

struct VariantContent {
    name: String,
    content: Value,
}

impl<'de> VariantAccess<'de> for VariantContent {
    type Error = QuietError;

    fn unit_variant(self) -> Result<(), QuietError> {
        match self.content {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(unexpected(&other), &"null")),
        }
        .map_err(|e: QuietError| e.under_key(&self.name))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, QuietError> {
        seed.deserialize(Quiet(self.content))
            .map_err(|e| e.under_key(&self.name))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, QuietError> {
        de::Deserializer::deserialize_seq(Quiet(self.content), visitor)
            .map_err(|e| e.under_key(&self.name))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QuietError> {
        de::Deserializer::deserialize_map(Quiet(self.content), visitor)
            .map_err(|e| e.under_key(&self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::EvaluationContext;
    use crate::schema::{Phase, Record};
    use serde::Deserialize;
    use serde_json::json;

    const SECRET: &str = "AKIAIOSFODNN7EXAMPLE";

    fn input_error<T: DeserializeOwned + fmt::Debug>(value: Value) -> (String, String) {
        match from_value::<T>(value, "$") {
            Err(Error::Input { location, message }) => (location, message),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let ctx: EvaluationContext = from_value(
            json!({"phase": "response", "user_id": "u1", "hostname": "chatgpt.com",
                   "metadata": {"k": [1, 2.5, null, true]}, "timestamp_ms": -5}),
            "$",
        )
        .unwrap();
        let same: EvaluationContext = serde_json::from_value(json!({
            "phase": "response", "user_id": "u1", "hostname": "chatgpt.com",
            "metadata": {"k": [1, 2.5, null, true]}, "timestamp_ms": -5}))
        .unwrap();
        assert_eq!(ctx, same);
        assert_eq!(ctx.phase, Phase::Response);
    }

    #[test]
    fn an_unknown_enum_value_names_the_field_and_the_choices_only() {
        let (location, message) = input_error::<EvaluationContext>(json!({"phase": SECRET}));
        assert_eq!(location, "$.phase");
        assert_eq!(
            message,
            "unknown value; expected one of `prompt`, `response`"
        );
        let root = from_value::<Phase>(json!(SECRET), "phase").unwrap_err();
        assert_eq!(
            root.to_string(),
            "invalid input at phase: unknown value; expected one of `prompt`, `response`"
        );
    }

    #[test]
    fn no_kind_of_mistake_repeats_the_value() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            count: u8,
            items: Vec<String>,
            nested: Option<Box<Strict>>,
            flag: Option<bool>,
            choice: Option<Phase>,
        }
        let cases = [
            (json!({"count": SECRET, "items": []}), "$.count"),
            (json!({"count": 1, "items": [SECRET, 7]}), "$.items[1]"),
            (json!({"count": 1, "items": SECRET}), "$.items"),
            (json!({"count": 1, "items": [], "flag": SECRET}), "$.flag"),
            (
                json!({"count": 1, "items": [], "choice": {SECRET: 1}}),
                "$.choice",
            ),
            (
                json!({"count": 1, "items": [], "nested": {"count": 1, "items": [], "choice": SECRET}}),
                "$.nested.choice",
            ),
            (json!({"count": 300, "items": []}), "$.count"),
            // An unknown key is placed by the object and its position,
            // never named: the key itself may be the pasted value.
            (json!({"count": 1, "items": [], "extra": SECRET}), "$"),
            (json!({"count": 1, "items": [], SECRET: 1}), "$"),
            (json!(SECRET), "$"),
        ];
        for (value, path) in cases {
            let (location, message) = input_error::<Strict>(value.clone());
            assert_eq!(location, path, "{value}: {message}");
            assert!(!message.contains("AKIA"), "{value}: {message}");
        }
        let (_, message) = input_error::<Strict>(json!({"count": 300, "items": []}));
        assert_eq!(message, "invalid value (an integer); expected u8");
        let (_, message) = input_error::<Strict>(json!({"count": "x", "items": []}));
        assert_eq!(message, "expected u8, found a string");
    }

    #[test]
    fn flattened_fields_and_tagged_records_say_what_without_a_deeper_path() {
        let (location, message) =
            input_error::<EvaluationContext>(json!({"hostname": SECRET.len()}));
        assert_eq!(location, "$");
        assert!(message.contains("found an integer"), "{message}");
        let (location, message) = input_error::<Record>(json!({"record_type": SECRET}));
        assert_eq!(location, "$.record_type");
        assert!(
            message.contains("`dlp_match`") && !message.contains("AKIA"),
            "{message}"
        );
        let (location, message) =
            input_error::<Record>(json!({"record_type": "event", "event_id": 5}));
        assert_eq!(location, "$");
        assert!(message.starts_with("expected a string"), "{message}");
    }

    #[test]
    fn keys_that_are_not_identifiers_are_quoted_in_the_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Tags(std::collections::BTreeMap<String, u8>);
        let (location, _) = input_error::<Tags>(json!({"a b": "x"}));
        assert_eq!(location, "$[\"a b\"]");
    }
}
