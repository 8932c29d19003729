//! Hostnames and host patterns, normalized one way for everyone: the shadow
//! catalog, the classifier's inputs and a policy's `ai_tools` lists all go
//! through here, so a pattern an org writes and a host a browser reports
//! meet in the same form (lowercase ASCII, Unicode labels in punycode, no
//! trailing dot, canonical IPv6) and a policy verdict and a classification
//! never disagree on a host.

use super::punycode;
use std::borrow::Cow;
use std::net::Ipv6Addr;

/// True when `s` is already a normalized, valid hostname: lowercase ASCII
/// letters, digits, `-` and `_` in labels of 1 to 63 bytes, at most 253 in
/// all. One pass, so bare hosts skip the rest of this module.
pub(crate) fn is_normalized_host(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.is_empty() || bytes.len() > 253 {
        return false;
    }
    let mut label = 0usize;
    for &b in bytes {
        if b == b'.' {
            if label == 0 {
                return false;
            }
            label = 0;
        } else if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' {
            label += 1;
            if label > 63 {
                return false;
            }
        } else {
            return false;
        }
    }
    label > 0
}

/// True when a host needs no work: lowercase ASCII letters, digits, `-`,
/// `_` and inner dots.
fn is_plain(host: &str) -> bool {
    !host.ends_with('.')
        && host.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        })
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(b) => out.push(b),
                None => return Err(format!("bad percent-encoding in host `{s}`")),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("host `{s}` decodes to invalid UTF-8"))
}

/// Normalizes the host slice of [`Parts`]: percent-decoding, IDNA dot
/// separators, lowercase, punycode for Unicode labels, no trailing dots,
/// canonical IPv6. Does not judge the characters left (see
/// [`check_host`]).
pub(crate) fn normalize_host_part(raw: &str) -> Result<Cow<'_, str>, String> {
    if is_plain(raw) {
        return Ok(Cow::Borrowed(raw));
    }
    let decoded = if raw.contains('%') {
        Cow::Owned(percent_decode(raw)?)
    } else {
        Cow::Borrowed(raw)
    };
    if let Some(inner) = decoded.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or_else(|| format!("unclosed `[` in host `{raw}`"))?;
        let addr: Ipv6Addr = inner
            .parse()
            .map_err(|_| format!("`{inner}` is not an IPv6 address"))?;
        return Ok(Cow::Owned(format!("[{addr}]")));
    }
    // IDNA (UTS #46) maps these full stops to `.`.
    let dotted: String = decoded
        .chars()
        .map(|c| match c {
            '\u{3002}' | '\u{FF0E}' | '\u{FF61}' => '.',
            c => c,
        })
        .collect();
    let trimmed = dotted.trim_end_matches('.');
    let mut out = String::with_capacity(trimmed.len());
    for (i, label) in trimmed.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_ascii() {
            out.extend(label.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            let lower = label.to_lowercase();
            // `K` (Kelvin sign) lowercases to ASCII `k`; IDNA maps it so too.
            if lower.is_ascii() {
                out.push_str(&lower);
                continue;
            }
            let encoded = punycode::encode(&lower)
                .ok_or_else(|| format!("label `{label}` cannot be punycode-encoded"))?;
            out.push_str("xn--");
            out.push_str(&encoded);
        }
    }
    Ok(Cow::Owned(out))
}

/// Checks a normalized host: an IPv6 literal, or at most 253 bytes of labels
/// of 1 to 63 letters, digits, `-` and `_`.
pub(crate) fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("no hostname".into());
    }
    if host.starts_with('[') {
        return Ok(());
    }
    if host.len() > 253 {
        return Err(format!(
            "hostname is {} bytes long; at most 253",
            host.len()
        ));
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(format!("hostname `{host}` has an empty label"));
        }
        if label.len() > 63 {
            return Err(format!(
                "hostname `{host}` has a label longer than 63 bytes"
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(format!("hostname `{host}` contains `{c}`"));
        }
    }
    Ok(())
}

/// Normalizes a host pattern of the catalog or of a policy's `ai_tools`
/// lists: an exact host or `*.` and a host, trimmed, lowercased, without
/// trailing dots, Unicode labels in punycode (IDNA). Anything else (a
/// scheme, port, path, userinfo, `*` elsewhere) is refused with the problem
/// in words.
pub(crate) fn normalize_pattern(pattern: &str) -> Result<String, String> {
    let trimmed = pattern.trim();
    let (wild, host) = match trimmed.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    if let Some(c) = host
        .chars()
        .find(|c| matches!(c, '/' | '\\' | ':' | '@' | '?' | '#' | '[' | ']' | '*'))
    {
        return Err(format!(
            "`{pattern}` is not a hostname or `*.suffix` pattern (unexpected `{c}`); give hosts without scheme, port or path"
        ));
    }
    let host = normalize_host_part(host).map_err(|e| format!("`{pattern}`: {e}"))?;
    check_host(&host).map_err(|e| format!("`{pattern}`: {e}"))?;
    Ok(if wild {
        format!("*.{host}")
    } else {
        host.into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_normalized_like_hosts() {
        for (raw, want) in [
            ("Chat.OpenAI.com.", "chat.openai.com"),
            (" *.OpenAI.com ", "*.openai.com"),
            ("*.Bücher.example.", "*.xn--bcher-kva.example"),
            ("bücher\u{3002}example", "xn--bcher-kva.example"),
            ("x_y.example", "x_y.example"),
        ] {
            assert_eq!(normalize_pattern(raw).as_deref(), Ok(want), "{raw}");
            // Normalizing twice changes nothing.
            assert_eq!(normalize_pattern(want).as_deref(), Ok(want), "{want}");
        }
    }

    #[test]
    fn bad_patterns_are_explained() {
        for (raw, why) in [
            ("https://chat.openai.com", "unexpected `:`"),
            ("chat.openai.com/x", "unexpected `/`"),
            ("a.*.example", "unexpected `*`"),
            ("user@host", "unexpected `@`"),
            ("*.", "no hostname"),
            ("", "no hostname"),
            ("a..b", "empty label"),
            ("a b.example", "contains ` `"),
        ] {
            let got = normalize_pattern(raw);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(why)),
                "{raw:?}: {got:?}"
            );
        }
    }
}
