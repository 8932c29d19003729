//! How a delivery endpoint — an HTTP URL, a `host:port` — is shown to
//! people: in errors, logs, sink stats' `last_error` and `Debug` output.
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

#[cfg(test)]
mod tests {
    use super::*;

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
