//! `govstream redact --stream`: redacts standard input (or a file) as it
//! arrives and writes each piece as soon as it is safe to show — a model's
//! output piped through it on a terminal. The output is byte for byte what
//! `govstream redact --plain` writes for the same input.

use crate::Failure;
use govstream::policy::{EvaluationContext, Policy};
use govstream::schema::Severity;
use std::io::{self, Read, Write};

/// Bytes read per chunk at most; a pipe hands over what it has.
const CHUNK: usize = 8 * 1024;

/// Streams `input` (`None` or `-`: standard input) through `policy` into
/// `out`, flushing after every safe piece. Returns the worst severity for
/// `--fail-on`.
pub(crate) fn redact(
    policy: &Policy,
    input: Option<&str>,
    out: &mut dyn Write,
) -> Result<Option<Severity>, Failure> {
    let (mut reader, name): (Box<dyn Read>, String) = match input {
        None | Some("-") => (Box::new(io::stdin().lock()), "standard input".into()),
        Some(p) => (
            Box::new(
                std::fs::File::open(p)
                    .map_err(|e| Failure::Fatal(format!("cannot read input {p}: {e}")))?,
            ),
            p.to_string(),
        ),
    };
    let mut stream = policy.stream();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::Fatal(format!("cannot read input {name}: {e}"))),
        };
        let safe = stream
            .push_bytes(buf.get(..n).unwrap_or_default())
            .map_err(|e| not_utf8(&name, e.offset))?;
        if !safe.is_empty() {
            out.write_all(safe.as_bytes())?;
            out.flush()?;
        }
    }
    let done = stream
        .finish(&EvaluationContext::default())
        .map_err(|e| not_utf8(&name, e.offset))?;
    out.write_all(done.tail.as_bytes())?;
    out.flush()?;
    let d = &done.decision;
    if d.scan_truncated {
        eprintln!(
            "govstream: the input: only a prefix was scanned; the rest is replaced by [UNSCANNED:<n> bytes] (raise limits.max_scan_bytes to scan more)"
        );
    }
    if done.late_repeats > 0 {
        eprintln!(
            "govstream: a value matched late also occurs earlier in the stream, in text already written"
        );
    }
    Ok(if d.scan_truncated {
        Some(Severity::Critical)
    } else {
        d.matches.iter().map(|m| m.severity).max()
    })
}

fn not_utf8(name: &str, offset: usize) -> Failure {
    Failure::Fatal(format!(
        "input {name} is not valid UTF-8 at byte {offset} (--stream takes UTF-8 only)"
    ))
}
