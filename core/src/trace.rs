//! W3C Trace Context (<https://www.w3.org/TR/trace-context/>, Level 1): the
//! `traceparent` and `tracestate` a host passes in the evaluation context,
//! so every record of an evaluation names the trace and span it happened
//! in, and a SIEM can join govstream's records to the traces in the
//! customer's collector.
//!
//! A header that does not parse is ignored, as the specification requires
//! of a receiver (§3.2.2.1: "the vendor MUST ignore the traceparent"): a
//! malformed header from an upstream client must never fail, or change, an
//! evaluation. A `tracestate` is kept only with a valid `traceparent`
//! (§3.3.1.1) and only when it is well formed.

/// The parts of a valid `traceparent` the records carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceParent {
    /// 32 lowercase hex digits, not all zero.
    pub trace_id: String,
    /// The caller's span (the header's `parent-id`): 16 lowercase hex
    /// digits, not all zero. The evaluation happened inside this span.
    pub span_id: String,
    /// The trace flags (bit 0: sampled).
    pub flags: u8,
}

/// Longest `tracestate` kept, in bytes: 32 members of the longest key and
/// value the specification allows would be ~16 KB, but it asks vendors to
/// propagate at least 512 characters, and records are bounded.
pub const MAX_TRACESTATE_BYTES: usize = 512;

/// Parses a `traceparent` header value (§3.2). Surrounding spaces and tabs
/// are allowed (they are optional whitespace in an HTTP header); everything
/// else must match the specification exactly, lowercase hex included.
/// `None` for anything else, including version `ff` and all-zero ids.
///
/// ```
/// use govstream::trace::parse_traceparent;
/// let t = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
/// assert_eq!(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(t.span_id, "00f067aa0ba902b7");
/// assert_eq!(t.flags, 1);
/// assert!(parse_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
/// ```
pub fn parse_traceparent(header: &str) -> Option<TraceParent> {
    let v = header.trim_matches([' ', '\t']);
    let b = v.as_bytes();
    // version "-" trace-id "-" parent-id "-" trace-flags: 2+1+32+1+16+1+2.
    if b.len() < 55 || b.get(2) != Some(&b'-') || b.get(35) != Some(&b'-') {
        return None;
    }
    if b.get(52) != Some(&b'-') {
        return None;
    }
    let version = hex_byte(v.get(0..2)?)?;
    if version == 0xff {
        return None;
    }
    // Version 00 is exactly 55 characters; a later version may append
    // fields after another "-" (§3.2.4, forward compatibility).
    if b.len() > 55 && (version == 0 || b.get(55) != Some(&b'-')) {
        return None;
    }
    let trace_id = v.get(3..35)?;
    let span_id = v.get(36..52)?;
    let flags = hex_byte(v.get(53..55)?)?;
    if !lower_hex(trace_id) || !lower_hex(span_id) {
        return None;
    }
    if trace_id.bytes().all(|c| c == b'0') || span_id.bytes().all(|c| c == b'0') {
        return None;
    }
    Some(TraceParent {
        trace_id: trace_id.to_owned(),
        span_id: span_id.to_owned(),
        flags,
    })
}

/// The `tracestate` to keep: the value trimmed, when it is a well-formed
/// list (§3.3.1) of at most 32 members, no longer than
/// [`MAX_TRACESTATE_BYTES`]; `None` otherwise.
///
/// ```
/// use govstream::trace::valid_tracestate;
/// assert_eq!(valid_tracestate(" rojo=00f067aa0ba902b7,congo=t61rcWkgMzE "),
///            Some("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
/// assert_eq!(valid_tracestate("Rojo=1"), None); // keys are lowercase
/// ```
pub fn valid_tracestate(header: &str) -> Option<&str> {
    let v = header.trim_matches([' ', '\t']);
    if v.is_empty() || v.len() > MAX_TRACESTATE_BYTES {
        return None;
    }
    let mut members = 0;
    for member in v.split(',') {
        let member = member.trim_matches([' ', '\t']);
        // Empty members are allowed and ignored (§3.3.1.1).
        if member.is_empty() {
            continue;
        }
        members += 1;
        let (key, value) = member.split_once('=')?;
        if members > 32 || !valid_key(key) || !valid_value(value) {
            return None;
        }
    }
    (members > 0).then_some(v)
}

/// `key = simple-key / multi-tenant-key`; a simple key starts with a
/// lowercase letter (or, for a tenant id, a digit) and goes on with
/// `a-z 0-9 _ - * /`.
fn valid_key(key: &str) -> bool {
    fn part(s: &str, max: usize, digit_first: bool) -> bool {
        let mut bytes = s.bytes();
        let Some(first) = bytes.next() else {
            return false;
        };
        s.len() <= max
            && (first.is_ascii_lowercase() || (digit_first && first.is_ascii_digit()))
            && bytes.all(|c| {
                c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || matches!(c, b'_' | b'-' | b'*' | b'/')
            })
    }
    match key.split_once('@') {
        Some((tenant, system)) => part(tenant, 241, true) && part(system, 14, false),
        None => part(key, 256, false),
    }
}

/// `value`: up to 256 printable ASCII characters other than `,` and `=`,
/// not ending in a space.
fn valid_value(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 256
        && !value.ends_with(' ')
        && value
            .bytes()
            .all(|c| (0x20..=0x7e).contains(&c) && c != b',' && c != b'=')
}

fn lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

fn hex_byte(s: &str) -> Option<u8> {
    if s.len() != 2 || !lower_hex(s) {
        return None;
    }
    u8::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn parses_the_specification_example() {
        let t = parse_traceparent(GOOD).unwrap_or_else(|| unreachable!());
        assert_eq!(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(t.span_id, "00f067aa0ba902b7");
        assert_eq!(t.flags, 1);
        assert_eq!(parse_traceparent(&format!(" \t{GOOD} ")), Some(t));
    }

    #[test]
    fn refuses_what_the_specification_refuses() {
        let bad = [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // uppercase
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero parent id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // 00 is exact
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
            "0-04bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01é",
        ];
        for b in bad {
            assert_eq!(parse_traceparent(b), None, "{b:?}");
        }
    }

    #[test]
    fn a_later_version_may_append_fields() {
        let v = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next";
        assert!(parse_traceparent(v).is_some());
        let glued = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x";
        assert!(parse_traceparent(glued).is_none());
    }

    #[test]
    fn tracestate_lists_are_checked() {
        assert_eq!(
            valid_tracestate("congo=t61rcWkgMzE"),
            Some("congo=t61rcWkgMzE")
        );
        assert_eq!(
            valid_tracestate("fw529a3039@dt=12,,a=b"),
            Some("fw529a3039@dt=12,,a=b")
        );
        for bad in ["", "novalue", "a=b=c", "A=b", "a=b,c", &"k=v,".repeat(33)] {
            assert_eq!(valid_tracestate(bad), None, "{bad:?}");
        }
        assert_eq!(valid_tracestate(&format!("a={}", "x".repeat(600))), None);
    }
}
