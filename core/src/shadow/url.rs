//! Reading what a browser or a report calls "the URL": full URLs, bare
//! hostnames, `host:port/path`, Unicode and percent-encoded hosts, IPv6
//! literals. Two outputs: the normalized hostname every lookup uses, and a
//! sanitized URL that keeps scheme, host, port and path and drops what carries
//! prompts, tokens and credentials (query, fragment, userinfo).
//!
//! Parsing follows the WHATWG URL standard where it matters for finding the
//! host (authority ends at `/`, `\`, `?` or `#`; userinfo ends at the last
//! `@`; any number of slashes after the scheme) without implementing all of
//! it: the goal is that no input makes two parties disagree on the host.

use super::host::{check_host, normalize_host_part};
use crate::{Error, Result};
use std::borrow::Cow;

/// Longest path kept in a sanitized URL, in bytes after percent-encoding.
pub const MAX_PATH_BYTES: usize = 1024;

/// A URL reduced to what a shadow-AI record may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanitizedUrl {
    /// `scheme://host[:port]/path`: no userinfo, query or fragment; default
    /// ports dropped; the path percent-encoded and at most
    /// [`MAX_PATH_BYTES`] long.
    pub url: String,
    /// The normalized hostname (see [`normalize_host`]).
    pub host: String,
}

/// The pieces of an input, as slices of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Parts<'a> {
    pub(super) scheme: Option<&'a str>,
    pub(super) host: &'a str,
    pub(super) port: Option<&'a str>,
    pub(super) path: &'a str,
}

/// A scheme is `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1)
/// followed by `:` and a slash; `host:443` is a port, not a scheme.
fn split_scheme(s: &str) -> (Option<&str>, &str) {
    if let Some(i) = s.find(':') {
        let (scheme, rest) = (&s[..i], &s[i + 1..]);
        let valid = scheme
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if valid && rest.starts_with(['/', '\\']) {
            return (Some(scheme), rest.trim_start_matches(['/', '\\']));
        }
    }
    match s.strip_prefix("//") {
        Some(rest) => (None, rest),
        None => (None, s),
    }
}

/// Splits an input into scheme, host, port and path. Never fails: anything
/// is some host, possibly an empty or invalid one.
pub(super) fn split(input: &str) -> Parts<'_> {
    let (scheme, rest) = split_scheme(input.trim());
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let path = &tail[..tail.find(['?', '#']).unwrap_or(tail.len())];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if hostport.starts_with('[') {
        match hostport.find(']') {
            Some(close) => {
                let after = &hostport[close + 1..];
                (&hostport[..=close], after.strip_prefix(':'))
            }
            None => (hostport, None),
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    Parts {
        scheme,
        host,
        port,
        path,
    }
}

/// The hostname of a URL or bare host, normalized: lowercase ASCII,
/// Unicode labels in punycode (`xn--…`), no trailing dot, no port or
/// userinfo, IPv6 literals in canonical form inside brackets.
///
/// ```
/// use govstream::shadow::normalize_host;
/// assert_eq!(normalize_host("https://user:pw@Chat.OpenAI.com.:8443/c/1?q=x").unwrap(), "chat.openai.com");
/// assert_eq!(normalize_host("bücher.example").unwrap(), "xn--bcher-kva.example");
/// assert_eq!(normalize_host("http://[2001:DB8::0:1]:80/").unwrap(), "[2001:db8::1]");
/// ```
pub fn normalize_host(url_or_host: &str) -> Result<String> {
    let parts = split(url_or_host);
    let host = normalize_host_part(parts.host).map_err(input_error)?;
    check_host(&host).map_err(input_error)?;
    Ok(host.into_owned())
}

fn input_error(message: String) -> Error {
    Error::Input {
        location: "url".into(),
        message,
    }
}

fn default_port(scheme: &str) -> Option<&'static str> {
    match scheme {
        "http" | "ws" => Some("80"),
        "https" | "wss" => Some("443"),
        "ftp" => Some("21"),
        _ => None,
    }
}

/// Percent-encodes what may not appear raw in a path, and bounds its length
/// without splitting an escape.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len().min(MAX_PATH_BYTES) + 1);
    if !path.starts_with(['/', '\\']) {
        out.push('/');
    }
    let mut buf = [0u8; 4];
    for c in path.chars() {
        let piece: Cow<'_, str> = match c {
            '\\' => Cow::Borrowed("/"),
            '!'..='~' if !matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '^') => {
                Cow::Borrowed(c.encode_utf8(&mut buf))
            }
            _ => Cow::Owned(
                c.encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect(),
            ),
        };
        if out.len() + piece.len() > MAX_PATH_BYTES {
            break;
        }
        out.push_str(&piece);
    }
    out
}

/// Reduces a URL (or bare host, taken as `https://host/`) to scheme, host,
/// non-default port and path. Fails when there is no valid host or the port
/// is not a number up to 65535.
///
/// ```
/// use govstream::shadow::sanitize_url;
/// let s = sanitize_url("HTTPS://jane:secret@chatgpt.com:443/c/42?prompt=hi#top").unwrap();
/// assert_eq!(s.url, "https://chatgpt.com/c/42");
/// assert_eq!(s.host, "chatgpt.com");
/// ```
pub fn sanitize_url(input: &str) -> Result<SanitizedUrl> {
    let parts = split(input);
    let host = normalize_host_part(parts.host).map_err(input_error)?;
    check_host(&host).map_err(input_error)?;
    let scheme = parts.scheme.unwrap_or("https").to_ascii_lowercase();
    let port = match parts.port {
        None | Some("") => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if p.bytes().all(|b| b.is_ascii_digit()) => {
                let canonical = n.to_string();
                (default_port(&scheme) != Some(canonical.as_str())).then_some(canonical)
            }
            _ => {
                return Err(input_error(format!(
                    "port `{p}` is not a number up to 65535"
                )));
            }
        },
    };
    let mut url = format!("{scheme}://{host}");
    if let Some(p) = port {
        url.push(':');
        url.push_str(&p);
    }
    url.push_str(&encode_path(parts.path));
    Ok(SanitizedUrl {
        url,
        host: host.into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_forms_people_paste() {
        let p = split("https://u:p@Host.example:8443/a/b?q=1#f");
        assert_eq!(p.scheme, Some("https"));
        assert_eq!(
            (p.host, p.port, p.path),
            ("Host.example", Some("8443"), "/a/b")
        );
        let p = split("  chatgpt.com  ");
        assert_eq!(
            (p.scheme, p.host, p.port, p.path),
            (None, "chatgpt.com", None, "")
        );
        let p = split("claude.ai:443/new");
        assert_eq!(
            (p.scheme, p.host, p.port, p.path),
            (None, "claude.ai", Some("443"), "/new")
        );
        let p = split("//cdn.example/x");
        assert_eq!((p.host, p.path), ("cdn.example", "/x"));
        let p = split("https:\\\\evil.example\\path");
        assert_eq!((p.host, p.path), ("evil.example", "\\path"));
        // The authority ends at the first `/`: `a` is the host, not `c`.
        assert_eq!(split("https://a/b@c").host, "a");
        assert_eq!(split("https://a@b@c.example/").host, "c.example");
        assert_eq!(split("https://[::1]:8080/x").host, "[::1]");
        assert_eq!(split("https://[::1]:8080/x").port, Some("8080"));
        assert_eq!(split("x.example?u=https://y").host, "x.example");
        // WHATWG skips any number of slashes after a special scheme.
        assert_eq!(split("https:///chatgpt.com/x").host, "chatgpt.com");
    }

    #[test]
    fn recognizes_hosts_that_need_no_work() {
        use super::super::host::is_normalized_host;
        for ok in ["chatgpt.com", "a", "x-y_z.0.example"] {
            assert!(is_normalized_host(ok), "{ok}");
            assert_eq!(normalize_host(ok).unwrap(), ok);
        }
        let long_label = "a".repeat(64);
        for bad in [
            "",
            "A.com",
            "a..b",
            ".a",
            "a.",
            "a b",
            "é.com",
            long_label.as_str(),
        ] {
            assert!(!is_normalized_host(bad), "{bad:?}");
        }
        assert!(!is_normalized_host(&["abcdefghij"; 26].join(".")));
    }

    #[test]
    fn normalizes_hosts() {
        assert_eq!(normalize_host("CHATGPT.COM.").unwrap(), "chatgpt.com");
        assert_eq!(normalize_host("chatgpt.com..").unwrap(), "chatgpt.com");
        assert_eq!(
            normalize_host("Bücher.Example").unwrap(),
            "xn--bcher-kva.example"
        );
        assert_eq!(
            normalize_host("例え。テスト").unwrap(),
            "xn--r8jz45g.xn--zckzah"
        );
        assert_eq!(
            normalize_host("chat%2Eopenai.com").unwrap(),
            "chat.openai.com"
        );
        assert_eq!(
            normalize_host("[::FFFF:1.2.3.4]").unwrap(),
            "[::ffff:1.2.3.4]"
        );
        assert_eq!(
            normalize_host("xn--bcher-kva.example").unwrap(),
            "xn--bcher-kva.example"
        );
        assert_eq!(normalize_host("\u{212A}imi.com").unwrap(), "kimi.com");
    }

    #[test]
    fn rejects_what_is_not_a_host() {
        for bad in [
            "",
            "https://",
            "https://?q=1",
            "user@",
            "a..b",
            "bad host.com",
            "%zz.com",
            "[nope]",
            "[::1",
            "a*.com",
            "%ff.com",
        ] {
            assert!(normalize_host(bad).is_err(), "{bad:?} was accepted");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        assert!(normalize_host(&long_label).is_err());
        let long_host = ["abcdefghij"; 26].join(".");
        assert!(normalize_host(&long_host).is_err());
    }

    #[test]
    fn sanitized_urls_keep_only_scheme_host_port_path() {
        let s = sanitize_url("https://jane:hunter2@chatgpt.com/c/1?token=abc#frag").unwrap();
        assert_eq!(s.url, "https://chatgpt.com/c/1");
        assert_eq!(
            sanitize_url("chatgpt.com").unwrap().url,
            "https://chatgpt.com/"
        );
        assert_eq!(
            sanitize_url("http://x.example:80").unwrap().url,
            "http://x.example/"
        );
        assert_eq!(
            sanitize_url("http://x.example:8080/").unwrap().url,
            "http://x.example:8080/"
        );
        assert_eq!(
            sanitize_url("https://x.example:0443/").unwrap().url,
            "https://x.example/"
        );
        assert_eq!(
            sanitize_url("https://x.example/a b<é>").unwrap().url,
            "https://x.example/a%20b%3C%C3%A9%3E"
        );
        assert_eq!(
            sanitize_url("https://x.example\\a\\b").unwrap().url,
            "https://x.example/a/b"
        );
        assert!(sanitize_url("https://x.example:99999/").is_err());
        assert!(sanitize_url("https://x.example:+80/").is_err());
        let long = format!("https://x.example/{}", "é".repeat(1000));
        let url = sanitize_url(&long).unwrap().url;
        let path = url.strip_prefix("https://x.example").unwrap();
        assert!(path.len() <= MAX_PATH_BYTES && path.ends_with("%A9"));
    }

    #[test]
    fn errors_say_what_was_wrong() {
        let e = sanitize_url("https://exa mple.com/").unwrap_err();
        assert_eq!(e.kind(), "input");
        assert!(e.to_string().contains("contains ` `"), "{e}");
    }
}
