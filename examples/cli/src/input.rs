//! Input for the CLI: JSON Lines (`{"id": …, "text": …, context…}`) or one
//! raw text, from a file or standard input. A bad line is an error item that
//! names its line number; it never stops the run. Input that cannot be read
//! at all — a directory, a read error, a `--plain` text that is not UTF-8 —
//! stops it: nothing after that point was scanned, so no exit code may
//! suggest it was.

use govstream::json_input::from_value;
use govstream::policy::EvaluationContext;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

/// Bytes read from the input at a time: fewer system calls than the
/// standard 8 KiB on corpora of many megabytes.
const READ_BUFFER_BYTES: usize = 1 << 16;

/// One text to process.
pub(crate) struct Item {
    /// The caller's id, echoed back (`null` when absent).
    pub(crate) id: Value,
    pub(crate) text: String,
    pub(crate) context: EvaluationContext,
    /// Read with `--plain`: the whole input is the text.
    pub(crate) plain: bool,
    /// The line it was read from (JSON Lines only).
    pub(crate) line: Option<usize>,
}

/// A line that could not be read.
pub(crate) struct BadLine {
    line: usize,
    id: Value,
    message: String,
}

impl BadLine {
    /// The error record printed in place of the line's output.
    pub(crate) fn to_json(&self) -> Value {
        json!({"id": self.id, "line": self.line, "error": self.message})
    }
}

/// Why an item could not be produced.
pub(crate) enum Unread {
    /// One JSON line is malformed: report it and go on.
    Line(BadLine),
    /// The input itself cannot be read (the message names it): stop.
    Input(String),
}

/// Where items come from.
pub(crate) struct Source {
    reader: Box<dyn BufRead>,
    /// The file as given, or `standard input`, for messages.
    name: String,
    plain: bool,
    /// `--lossy`: invalid UTF-8 becomes U+FFFD instead of an error.
    lossy: bool,
    line: usize,
    done: bool,
    /// The line being read, kept between lines so its capacity is reused.
    buf: Vec<u8>,
}

impl Source {
    /// Opens `path` (`None` or `-`: standard input).
    pub(crate) fn open(path: Option<&str>, plain: bool, lossy: bool) -> Result<Self, String> {
        let (reader, name): (Box<dyn BufRead>, String) = match path {
            None | Some("-") => (
                Box::new(BufReader::with_capacity(READ_BUFFER_BYTES, io::stdin())),
                "standard input".into(),
            ),
            Some(p) => (
                Box::new(BufReader::with_capacity(
                    READ_BUFFER_BYTES,
                    std::fs::File::open(p).map_err(|e| format!("cannot read input {p}: {e}"))?,
                )),
                p.to_string(),
            ),
        };
        Ok(Source {
            reader,
            name,
            plain,
            lossy,
            line: 0,
            done: false,
            buf: Vec::new(),
        })
    }

    /// `bytes` as text: as they are when valid UTF-8; with `--lossy`, with
    /// U+FFFD for each invalid sequence (said on stderr, since offsets then
    /// count the replacement characters); otherwise the offset of the
    /// first invalid byte.
    fn decode<'b>(&self, bytes: &'b [u8], what: &str) -> Result<Cow<'b, str>, usize> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Cow::Borrowed(text)),
            Err(e) if self.lossy => {
                eprintln!(
                    "govstream: {what} is not valid UTF-8 at byte {}; invalid bytes read as U+FFFD",
                    e.valid_up_to()
                );
                Ok(String::from_utf8_lossy(bytes))
            }
            Err(e) => Err(e.valid_up_to()),
        }
    }

    fn read_plain(&mut self) -> Result<Item, Unread> {
        let mut bytes = Vec::new();
        self.reader
            .read_to_end(&mut bytes)
            .map_err(|e| Unread::Input(format!("cannot read input {}: {e}", self.name)))?;
        let what = format!("input {}", self.name);
        // Valid UTF-8 becomes the text without a copy; the rest is decoded
        // (or refused) as lines are.
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => self
                .decode(e.as_bytes(), &what)
                .map_err(|at| {
                    Unread::Input(format!(
                        "{what} is not valid UTF-8 at byte {at} (--lossy reads invalid bytes as U+FFFD)"
                    ))
                })?
                .into_owned(),
        };
        Ok(Item {
            id: Value::Null,
            text,
            context: EvaluationContext::default(),
            plain: true,
            line: None,
        })
    }

    fn parse_line(&self, bytes: &[u8]) -> Option<Result<Item, Unread>> {
        let line = self.line;
        let bad =
            |id: Value, message: String| Some(Err(Unread::Line(BadLine { line, id, message })));
        let text = match self.decode(bytes, &format!("line {line}")) {
            Ok(text) => text,
            Err(at) => return bad(Value::Null, format!("line is not valid UTF-8 at byte {at}")),
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return None;
        }
        let fields = match Fields::parse(trimmed) {
            Ok(fields) => fields,
            Err(message) => return bad(Value::Null, message),
        };
        let id = fields.id.unwrap_or(Value::Null);
        let text = match fields.text {
            Some(Value::String(s)) => s,
            Some(_) => return bad(id, "\"text\" must be a string".into()),
            None => return bad(id, "missing \"text\"".into()),
        };
        // Through json_input: the error names the field, never its value,
        // since a context field may hold anything the user pasted. No other
        // field (the usual line) is the default context.
        let context: EvaluationContext = if fields.rest.is_empty() {
            EvaluationContext::default()
        } else {
            match from_value(Value::Object(fields.rest), "$") {
                Ok(c) => c,
                Err(govstream::Error::Input { location, message }) => {
                    return bad(id, format!("invalid context at {location}: {message}"));
                }
                Err(e) => return bad(id, format!("invalid context: {e}")),
            }
        };
        Some(Ok(Item {
            id,
            text,
            context,
            plain: false,
            line: Some(line),
        }))
    }
}

/// One JSON Lines object split into `id`, `text` and the other fields (the
/// context), each the last of its key's values as a JSON map keeps it.
/// Read in one pass, without first building a map of the whole line.
#[derive(Default)]
struct Fields {
    id: Option<Value>,
    text: Option<Value>,
    rest: Map<String, Value>,
}

impl Fields {
    /// The fields of `line`, or why it is not a JSON object.
    fn parse(line: &str) -> Result<Fields, String> {
        if let Ok(fields) = serde_json::from_str(line) {
            return Ok(fields);
        }
        // Not an object, or not JSON: the message is serde_json's for a
        // value of any kind, as it always was (a syntax error's gives a
        // position, never the text).
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(o)) => Ok(Fields::from_map(o)),
            Ok(_) => Err("expected a JSON object with a \"text\" string".into()),
            Err(e) => Err(format!("invalid JSON: {e}")),
        }
    }

    fn from_map(mut o: Map<String, Value>) -> Fields {
        Fields {
            id: o.remove("id"),
            text: o.remove("text"),
            rest: o,
        }
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
        let mut fields = Fields::default();
        while let Some(key) = map.next_key::<String>()? {
            let value: Value = map.next_value()?;
            match key.as_str() {
                "id" => fields.id = Some(value),
                "text" => fields.text = Some(value),
                _ => {
                    fields.rest.insert(key, value);
                }
            }
        }
        Ok(fields)
    }
}

impl Iterator for Source {
    type Item = Result<Item, Unread>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.plain {
            self.done = true;
            return Some(self.read_plain());
        }
        loop {
            self.buf.clear();
            self.line += 1;
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {
                    if let Some(item) = self.parse_line(&self.buf) {
                        return Some(item);
                    }
                }
                // A directory, a disk error: the rest of the input is
                // unknown, so the run stops here.
                Err(e) => {
                    self.done = true;
                    return Some(Err(Unread::Input(format!(
                        "cannot read input {} at line {}: {e}",
                        self.name, self.line
                    ))));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fields;
    use govstream::json_input::from_value;
    use govstream::policy::EvaluationContext;
    use serde_json::{Map, Value};

    /// `id`, `text` and the other fields of a line.
    type Split = (Option<Value>, Option<Value>, Map<String, Value>);

    /// How lines were read before `Fields`: a whole `Value` first.
    fn through_a_value(line: &str) -> Result<Split, String> {
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(mut o)) => Ok((o.remove("id"), o.remove("text"), o)),
            Ok(_) => Err("expected a JSON object with a \"text\" string".into()),
            Err(e) => Err(format!("invalid JSON: {e}")),
        }
    }

    #[test]
    fn fields_are_what_a_value_map_gave() {
        let deep = format!(
            "{{\"text\": \"x\", \"m\": {}{}}}",
            "[".repeat(126),
            "]".repeat(126)
        );
        let deeper = format!(
            "{{\"text\": \"x\", \"m\": {}{}}}",
            "[".repeat(127),
            "]".repeat(127)
        );
        let lines = [
            r#"{"id": 1, "text": "mail bob@x.org"}"#,
            r#"{"text": "no id"}"#,
            r#"{"id": {"a": [1, 2.50, "x"]}, "text": "t"}"#,
            r#"{"id": 1e3, "text": "t"}"#,
            r#"{"id": 18446744073709551615, "text": "t"}"#,
            r#"{"id": -1, "text": "first", "text": "second"}"#,
            r#"{"id": "dup", "text": 5, "text": "later"}"#,
            r#"{"id": "dup", "text": "first", "text": 5}"#,
            r#"{"id": 1, "id": 2, "text": "ids twice"}"#,
            r#"{"id": "c", "text": "t", "user_id": "u", "user_id": "v", "phase": "response"}"#,
            r#"{"t\u0065xt": "escaped key", "\u0069d": 3}"#,
            r#"{"id": "e", "text": "\ud83d\udc4b \u00e9"}"#,
            r#"{"id": "e", "text": "lone \ud83d"}"#,
            r#"{}"#,
            r#"{"id": 3}"#,
            r#"{"id": 1e999, "text": "x"}"#,
            r#"{"id": 3, "text": "x"} trailing"#,
            r#"{"id": 3, "text": "x""#,
            r#"{"id": 3, "text": "x\tTab"}"#,
            "{\"id\": 3, \"text\": \"raw\ttab\"}",
            r#"[1, 2]"#,
            r#""a string""#,
            r#"null"#,
            r#"not json"#,
            r#"{"id": 1,}"#,
            deep.as_str(),
            deeper.as_str(),
        ];
        for line in lines {
            let fields = Fields::parse(line).map(|f| (f.id, f.text, f.rest));
            assert_eq!(fields, through_a_value(line), "{line}");
        }
    }

    #[test]
    fn no_context_fields_read_as_the_default_context() {
        let read: Result<EvaluationContext, _> = from_value(Value::Object(Map::new()), "$");
        assert!(matches!(read, Ok(c) if c == EvaluationContext::default()));
    }
}
