//! Redacting a text that arrives in chunks (a model's streamed reply): each
//! chunk releases only what is safe to show, and the released text put
//! together is what redacting the whole text at once gives.
//!
//! How: the stream keeps the text so far and, on each chunk, scans it and
//! releases the redacted text up to a *safe point*: where the scanner says
//! a finding could still appear or change with more text
//! ([`crate::dlp::Scanner::unsettled_from`]: usually the start of a value
//! still being written, a few bytes back in prose, and never further back
//! than the longest match plus its context window), moved back before any
//! finding that crosses it and before a base64 run that may still be an
//! encoded key. [`StreamRedactor::finish`] releases the rest and evaluates
//! the whole text, so the records are the whole-text records.
//!
//! One thing a stream cannot do that a whole text can: when a value is
//! matched, whole-text redaction also rewrites its *earlier* repeats, and a
//! stream has already released those. Such a repeat is counted
//! ([`StreamOutcome::late_repeats`]); the records still cover the value.

use super::{Compiled, Decision, EvaluationContext, Policy};
use std::sync::Arc;

/// New bytes to gather before scanning again: each scan reads the text so
/// far, so scanning per token would cost the square of the reply; this
/// bounds it to one scan per 256 bytes, for at most 256 bytes of delay.
const MIN_STEP: usize = 256;

/// The encoding of `-----BEGIN ` starts a base64 run that may hold a key
/// (see `dlp/encoded.rs`): never released while the run may still grow.
const ENCODED_PEM: &[u8] = b"LS0t";

/// A stream being redacted. Feed it with [`StreamRedactor::push`] (or
/// [`StreamRedactor::push_bytes`]) and end it with
/// [`StreamRedactor::finish`].
#[derive(Debug)]
pub struct StreamRedactor {
    policy: Arc<Compiled>,
    text: String,
    /// Bytes of an incomplete UTF-8 sequence at the end of the last
    /// `push_bytes`.
    partial: Vec<u8>,
    /// Source bytes released so far.
    released_src: usize,
    /// The redacted text released so far.
    released: String,
    holdback: usize,
    /// The most source bytes held back after a chunk.
    most_held: usize,
    late_repeats: usize,
    /// Text length at the last scan.
    scanned_len: usize,
}

/// What a finished stream gives.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamOutcome {
    /// The last released text.
    pub tail: String,
    /// The whole text's evaluation: the same verdict, matches and records a
    /// whole-text `evaluate` gives.
    pub decision: Decision,
    /// Non-zero when a newly matched value turned out to repeat in text
    /// already released (see the module's documentation); the records
    /// cover the value.
    pub late_repeats: usize,
    /// The most source bytes held back after any chunk (at most
    /// [`StreamRedactor::holdback`], plus a base64 run that may be a key).
    pub holdback: usize,
}

/// A chunk of bytes that is not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not valid UTF-8 at byte {offset} of the stream")]
pub struct InvalidUtf8 {
    /// Offset of the first invalid byte, counted over the whole stream.
    pub offset: usize,
}

impl Policy {
    /// Starts redacting a streamed text with this policy's rules and
    /// redaction style.
    pub fn stream(&self) -> StreamRedactor {
        let holdback = self.inner.scanner.match_reach();
        StreamRedactor {
            policy: Arc::clone(&self.inner),
            text: String::new(),
            partial: Vec::new(),
            released_src: 0,
            released: String::new(),
            holdback,
            most_held: 0,
            late_repeats: 0,
            scanned_len: 0,
        }
    }
}

impl StreamRedactor {
    /// Adds `chunk` and returns the text now safe to show (often empty).
    pub fn push(&mut self, chunk: &str) -> String {
        self.text.push_str(chunk);
        self.release(false)
    }

    /// Like [`StreamRedactor::push`] for bytes that may end inside a UTF-8
    /// sequence (the rest comes with the next chunk). Invalid UTF-8 is an
    /// error naming its offset in the stream; nothing of the chunk is kept.
    pub fn push_bytes(&mut self, chunk: &[u8]) -> Result<String, InvalidUtf8> {
        let mut bytes = std::mem::take(&mut self.partial);
        bytes.extend_from_slice(chunk);
        let valid = match std::str::from_utf8(&bytes) {
            Ok(_) => bytes.len(),
            // An incomplete sequence at the end: keep it for the next chunk.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => {
                return Err(InvalidUtf8 {
                    offset: self.text.len() + e.valid_up_to(),
                });
            }
        };
        let (done, rest) = bytes.split_at(valid);
        let text = std::str::from_utf8(done).map_err(|e| InvalidUtf8 {
            offset: self.text.len() + e.valid_up_to(),
        })?;
        self.text.push_str(text);
        self.partial = rest.to_vec();
        Ok(self.release(false))
    }

    /// The most source bytes this stream can hold back behind the newest
    /// text (the longest match plus its context window, for this policy's
    /// rules); a base64 run that may be an encoded key is held whole. What
    /// it holds back is usually much less: [`StreamRedactor::held_back`].
    pub fn holdback(&self) -> usize {
        self.holdback
    }

    /// Bytes received and not yet released.
    pub fn held_back(&self) -> usize {
        self.text.len() - self.released_src + self.partial.len()
    }

    /// Ends the stream: returns the rest of the redacted text and the
    /// whole text's evaluation in `ctx`. Bytes of an unfinished UTF-8
    /// sequence left at the end are an error.
    pub fn finish(mut self, ctx: &EvaluationContext) -> Result<StreamOutcome, InvalidUtf8> {
        if !self.partial.is_empty() {
            return Err(InvalidUtf8 {
                offset: self.text.len(),
            });
        }
        let tail = self.release(true);
        let decision = self.policy.evaluate(&self.text, ctx);
        Ok(StreamOutcome {
            tail,
            decision,
            late_repeats: self.late_repeats,
            holdback: self.most_held,
        })
    }

    fn release(&mut self, last: bool) -> String {
        if !last && self.text.len() < self.scanned_len + MIN_STEP {
            self.most_held = self.most_held.max(self.held_back());
            return String::new();
        }
        self.scanned_len = self.text.len();
        let s = self.policy.scan(&self.text);
        let len = self.text.len();
        // Past the scan limit nothing is shown but the marker, at the end.
        let mut safe = if last {
            len
        } else {
            self.policy.scanner.unsettled_from(&self.text).min(s.cut)
        };
        if !last {
            safe = self.before_open_findings(&s, safe);
            safe = before_encoded_run(&self.text, self.released_src, safe);
            while !self.text.is_char_boundary(safe) {
                safe -= 1;
            }
            if safe <= self.released_src {
                self.most_held = self.most_held.max(self.held_back());
                return String::new();
            }
        }
        // A prefix's redaction, never with the unscanned marker: only the
        // end of the stream has that.
        let scanned = self.text.get(..s.cut).unwrap_or_default();
        let prefix = |end: usize| self.policy.rewrite(scanned, &s, end, |_| true).text;
        let before = prefix(self.released_src.min(s.cut));
        if before != self.released {
            // A value matched now repeats in text already released: count
            // it once, and compare with the redaction as it now stands.
            self.late_repeats += 1;
            self.released = before.clone();
        }
        let now = if last {
            self.policy.rewrite(&self.text, &s, s.cut, |_| true).text
        } else {
            prefix(safe)
        };
        let new = now.get(before.len()..).unwrap_or_default().to_string();
        self.released.push_str(&new);
        self.released_src = if last { len } else { safe };
        self.most_held = self.most_held.max(self.held_back());
        new
    }

    /// `safe`, moved back before every finding (or hidden repeat) that
    /// crosses it.
    fn before_open_findings(&self, s: &super::scanned::Scanned, mut safe: usize) -> usize {
        loop {
            let crossing = s
                .findings
                .iter()
                .chain(&s.hidden_repeats)
                .filter(|f| f.byte_start < safe && f.byte_end > safe)
                .map(|f| f.byte_start)
                .min();
            match crossing {
                Some(start) => safe = start,
                None => return safe,
            }
        }
    }
}

/// `safe`, moved back to the start of a base64 run that begins with an
/// encoded `-----BEGIN` and reaches the end of the text (it may still grow
/// into a key the scanner decodes).
fn before_encoded_run(text: &str, from: usize, safe: usize) -> usize {
    let bytes = text.as_bytes();
    let Some(region) = bytes.get(from..) else {
        return safe;
    };
    let is_b64 =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\r' | b'\n');
    let mut at = 0;
    while let Some(i) = memchr::memmem::find(region.get(at..).unwrap_or_default(), ENCODED_PEM) {
        let start = from + at + i;
        let open = bytes
            .get(start..)
            .is_some_and(|r| r.iter().all(|b| is_b64(*b)));
        if open {
            // The run's own start: back over the base64 before the marker.
            let mut s = start;
            while s > from && bytes.get(s - 1).is_some_and(|b| is_b64(*b) && *b != b'\n') {
                s -= 1;
            }
            return safe.min(s);
        }
        at += i + ENCODED_PEM.len();
    }
    safe
}
