//! Input for the CLI: JSON Lines (`{"id": …, "text": …, context…}`) or one
//! raw text, from a file or standard input. A bad line is an error item that
//! names its line number; it never stops the run. Input that cannot be read
//! at all — a directory, a read error, a `--plain` text that is not UTF-8 —
//! stops it: nothing after that point was scanned, so no exit code may
//! suggest it was.

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
}

impl Source {
    /// Opens `path` (`None` or `-`: standard input).
    pub(crate) fn open(path: Option<&str>, plain: bool, lossy: bool) -> Result<Self, String> {
        let (reader, name): (Box<dyn BufRead>, String) = match path {
            None | Some("-") => (
                Box::new(BufReader::new(io::stdin())),
                "standard input".into(),
            ),
            Some(p) => (
                Box::new(BufReader::new(
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
        })
    }

    /// `bytes` as text: as they are when valid UTF-8; with `--lossy`, with
    /// U+FFFD for each invalid sequence (said on stderr, since offsets then
    /// count the replacement characters); otherwise the offset of the
    /// first invalid byte.
    fn decode(&self, bytes: Vec<u8>, what: &str) -> Result<String, usize> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(e) if self.lossy => {
                eprintln!(
                    "govstream: {what} is not valid UTF-8 at byte {}; invalid bytes read as U+FFFD",
                    e.utf8_error().valid_up_to()
                );
                Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
            }
            Err(e) => Err(e.utf8_error().valid_up_to()),
        }
    }

    fn read_plain(&mut self) -> Result<Item, Unread> {
        let mut bytes = Vec::new();
        self.reader
            .read_to_end(&mut bytes)
            .map_err(|e| Unread::Input(format!("cannot read input {}: {e}", self.name)))?;
        let what = format!("input {}", self.name);
        let text = self.decode(bytes, &what).map_err(|at| {
            Unread::Input(format!(
                "{what} is not valid UTF-8 at byte {at} (--lossy reads invalid bytes as U+FFFD)"
            ))
        })?;
        Ok(Item {
            id: Value::Null,
            text,
            context: EvaluationContext::default(),
            plain: true,
            line: None,
        })
    }

    fn parse_line(&self, bytes: Vec<u8>) -> Option<Result<Item, Unread>> {
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
        let mut object: Map<String, Value> = match serde_json::from_str(trimmed) {
            Ok(Value::Object(o)) => o,
            Ok(_) => {
                return bad(
                    Value::Null,
                    "expected a JSON object with a \"text\" string".into(),
                );
            }
            // serde_json's syntax errors give a position, never the text.
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
            line: Some(line),
        }))
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
