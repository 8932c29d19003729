//! Input for the CLI: JSON Lines (`{"id": …, "text": …, context…}`) or one
//! raw text, from a file or standard input. A bad line is an error item that
//! names its line number; it never stops the run.

use govstream::json_input::from_value;
use govstream::policy::EvaluationContext;
use serde_json::{Map, Value, json};
use std::io::{self, BufRead, BufReader, Read};

/// One text to process.
pub(crate) struct Item {
    /// The caller's id, echoed back (`null` when absent).
    pub(crate) id: Value,
    pub(crate) text: String,
    pub(crate) context: EvaluationContext,
    /// Read with `--plain`: the whole input is the text.
    pub(crate) plain: bool,
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

/// Where items come from.
pub(crate) struct Source {
    reader: Box<dyn BufRead>,
    plain: bool,
    line: usize,
    done: bool,
}

impl Source {
    /// Opens `path` (`None` or `-`: standard input).
    pub(crate) fn open(path: Option<&str>, plain: bool) -> Result<Self, String> {
        let reader: Box<dyn BufRead> = match path {
            None | Some("-") => Box::new(BufReader::new(io::stdin())),
            Some(p) => Box::new(BufReader::new(
                std::fs::File::open(p).map_err(|e| format!("cannot read input {p}: {e}"))?,
            )),
        };
        Ok(Source {
            reader,
            plain,
            line: 0,
            done: false,
        })
    }

    fn read_plain(&mut self) -> Result<Item, BadLine> {
        let mut bytes = Vec::new();
        let bad = |message: String| BadLine {
            line: 1,
            id: Value::Null,
            message,
        };
        self.reader
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("cannot read input: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            bad(format!(
                "input is not valid UTF-8 (at byte {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        Ok(Item {
            id: Value::Null,
            text,
            context: EvaluationContext::default(),
            plain: true,
        })
    }

    fn parse_line(&self, bytes: Vec<u8>) -> Option<Result<Item, BadLine>> {
        let line = self.line;
        let bad = |id: Value, message: String| Some(Err(BadLine { line, id, message }));
        let Ok(text) = String::from_utf8(bytes) else {
            return bad(Value::Null, "line is not valid UTF-8".into());
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return None;
        }
        let mut object: Map<String, Value> = match serde_json::from_str(trimmed) {
            Ok(Value::Object(o)) => o,
            Ok(_) => {
                return bad(
                    Value::Null,
                    "expected a JSON object with a \"text\" string".into(),
                );
            }
            Err(e) => return bad(Value::Null, format!("invalid JSON: {e}")),
        };
        let id = object.remove("id").unwrap_or(Value::Null);
        let text = match object.remove("text") {
            Some(Value::String(s)) => s,
            Some(_) => return bad(id, "\"text\" must be a string".into()),
            None => return bad(id, "missing \"text\"".into()),
        };
        // Through json_input: the error names the field, never its value,
        // since a context field may hold anything the user pasted.
        let context: EvaluationContext = match from_value(Value::Object(object), "$") {
            Ok(c) => c,
            Err(govstream::Error::Input { location, message }) => {
                return bad(id, format!("invalid context at {location}: {message}"));
            }
            Err(e) => return bad(id, format!("invalid context: {e}")),
        };
        Some(Ok(Item {
            id,
            text,
            context,
            plain: false,
        }))
    }
}

impl Iterator for Source {
    type Item = Result<Item, BadLine>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.plain {
            self.done = true;
            return Some(self.read_plain());
        }
        loop {
            let mut bytes = Vec::new();
            self.line += 1;
            match self.reader.read_until(b'\n', &mut bytes) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {
                    if let Some(item) = self.parse_line(bytes) {
                        return Some(item);
                    }
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(BadLine {
                        line: self.line,
                        id: Value::Null,
                        message: format!("cannot read input: {e}"),
                    }));
                }
            }
        }
    }
}
