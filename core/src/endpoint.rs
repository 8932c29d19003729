//! Delivery endpoints — an HTTP URL, a `host:port` — checked once and shown
//! one way: [`check_http_url`] is the one rule for what an HTTP URL a sink or
//! a notification channel posts to must look like, and [`display`] is how an
//! endpoint appears in errors, logs, sink stats' `last_error` and `Debug`
//! output.
//!
//! Endpoints carry credentials: userinfo (`https://user:pass@…`), tokens in
//! the query (`?sig=…`), webhook paths that are themselves the secret
//! (`/services/T/B/X`). One rendering, used everywhere an endpoint is shown,
//! keeps the scheme, host and port and drops the rest, so no caller has to
//! remember which part is safe.

/// `url_or_address` as errors and logs may show it: `scheme://host[:port]`
/// for a URL, `host[:port]` for an address without a scheme. Userinfo,
/// path, query and fragment are dropped, whatever the input looks like (it
/// need not be a valid URL).
///
/// ```
/// use govstream::endpoint::display;
/// assert_eq!(display("https://u:secret@siem.example:8088/in?token=t#x"), "https://siem.example:8088");
/// assert_eq!(display("tcp://user:pass@10.0.0.5:514"), "tcp://10.0.0.5:514");
/// assert_eq!(display("user:pass@10.0.0.5:514"), "10.0.0.5:514");
/// ```
pub fn display(url_or_address: &str) -> String {
    let (scheme, rest) = match url_or_address.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url_or_address.trim_start_matches('/')),
    };
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    // Userinfo ends at the last `@` of the authority (WHATWG URL).
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match scheme {
        Some(scheme) => format!("{scheme}://{host}"),
        None => host.to_owned(),
    }
}

/// Checks an HTTP URL before any request is made, since the host's HTTP
/// client gets the string as it is: `http://` or `https://`, then a
/// non-empty host (a name, or an IPv6 literal in closed brackets), then an
/// optional port of 1 to 65535 in digits. Userinfo before the host is
/// allowed (the client sends it). No whitespace, control or non-ASCII
/// characters anywhere: give hosts in punycode and percent-encode paths.
/// The error says what is wrong, without repeating the URL (it may be a
/// credential).
///
/// ```
/// use govstream::endpoint::check_http_url;
/// assert!(check_http_url("https://u:p@[::1]:8088/in?token=t").is_ok());
/// assert!(check_http_url("http://u:p@[::1").is_err());
/// assert!(check_http_url("https://siem.example:0/").is_err());
/// ```
pub fn check_http_url(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must not contain spaces, control or non-ASCII characters");
    }
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    // Userinfo ends at the last `@` of the authority (WHATWG URL).
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match hostport.strip_prefix('[') {
        Some(bracketed) => {
            let (inner, after) = bracketed
                .split_once(']')
                .ok_or("has an unclosed `[` in its host")?;
            if inner.parse::<std::net::Ipv6Addr>().is_err() {
                return Err("has a bracketed host that is not an IPv6 address");
            }
            let port = match after {
                "" => None,
                _ => Some(
                    after
                        .strip_prefix(':')
                        .ok_or("must have only a `:port` after `]`")?,
                ),
            };
            (inner, port)
        }
        None => match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        },
    };
    if host.is_empty() {
        return Err("must name a host");
    }
    if host.contains([']', '[']) {
        return Err("has a bracket outside an IPv6 host");
    }
    // RFC 3986 reg-name characters (IPv6 hosts were checked above).
    let reg_name = |b: u8| b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:".contains(&b);
    if !hostport.starts_with('[') && !host.bytes().all(reg_name) {
        return Err("has a character a host name cannot have");
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|p| p > 0);
        if !valid {
            return Err("must have a port from 1 to 65535");
        }
    }
    Ok(())
}

/// The userinfo of an `http(s)://` URL (what comes before the host's `@`),
/// if any.
pub(crate) fn userinfo(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    authority.rsplit_once('@').map(|(u, _)| u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls_are_checked_once_for_every_caller() {
        for good in [
            "https://siem.example",
            "http://127.0.0.1:9/ingest",
            "https://siem.example:8088/services/collector?x=1#f",
            "https://u:p@siem.example/in",
            "http://u:p@[::1]:8080/x",
            "https://[2001:db8::1]/",
            "https://a@b@host/",
        ] {
            assert_eq!(check_http_url(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("siem.example", "must start with"),
            ("ftp://h/x", "must start with"),
            ("HTTPS://h", "must start with"),
            ("https://", "must name a host"),
            ("http:///ingest", "must name a host"),
            ("https://u:p@", "must name a host"),
            ("https://u:p@/x", "must name a host"),
            ("https://?q", "must name a host"),
            ("https://:443/", "must name a host"),
            ("http://u:p@[::1", "unclosed `[`"),
            ("http://[::1/x", "unclosed `[`"),
            ("http://[nope]/", "not an IPv6 address"),
            ("http://[::1]x/", "only a `:port`"),
            ("http://h]/", "bracket outside"),
            ("https://h:0/", "port from 1 to 65535"),
            ("https://h:65536/", "port from 1 to 65535"),
            ("https://h:99999999999/", "port from 1 to 65535"),
            ("https://h:http/", "port from 1 to 65535"),
            ("https://h:+80/", "port from 1 to 65535"),
            ("https://h:/", "port from 1 to 65535"),
            ("https://[::1]:0/", "port from 1 to 65535"),
            ("https://h/a b", "must not contain"),
            ("https://h/\tx", "must not contain"),
            ("https://h\n.evil/", "must not contain"),
            ("https://bücher.example/", "must not contain"),
        ] {
            let got = check_http_url(bad);
            assert!(
                got.is_err_and(|e| e.contains(why)),
                "{bad:?}: {got:?}, expected {why:?}"
            );
        }
    }

    #[test]
    fn userinfo_is_what_precedes_the_hosts_at() {
        assert_eq!(userinfo("https://u:p@h/x@y"), Some("u:p"));
        assert_eq!(userinfo("https://a@b@h/"), Some("a@b"));
        assert_eq!(userinfo("https://h/?q=a@b"), None);
    }

    #[test]
    fn only_scheme_host_and_port_are_shown() {
        for (input, shown) in [
            ("https://siem.example:8088", "https://siem.example:8088"),
            (
                "https://u:secret@siem.example:8088/x?token=t",
                "https://siem.example:8088",
            ),
            ("http://a@b:c@host/p", "http://host"),
            (
                "https://hooks.slack.com/services/T/B/X",
                "https://hooks.slack.com",
            ),
            ("https://host?sig=abc", "https://host"),
            ("https://host#frag", "https://host"),
            ("https://host\\@evil/x", "https://host"),
            ("https://u:p@", "https://"),
            ("tcp://user:pass@127.0.0.1:1", "tcp://127.0.0.1:1"),
            ("user:pass@[::1]:514", "[::1]:514"),
            ("//u:p@host/x", "host"),
            ("host:514", "host:514"),
            ("", ""),
        ] {
            assert_eq!(display(input), shown, "{input}");
        }
    }

    #[test]
    fn no_input_shows_its_userinfo_or_query() {
        for input in [
            "https://user:pw123@h/x?q=tok456",
            "user:pw123@h:1?tok456",
            "weird://user:pw123@@h/tok456",
            "https://user:pw123@h:8088#tok456",
        ] {
            let shown = display(input);
            assert!(
                !shown.contains("pw123") && !shown.contains("tok456"),
                "{input} -> {shown}"
            );
        }
    }
}
