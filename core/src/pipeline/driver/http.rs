//! HTTP for the native driver: one pooled ureq agent (rustls), bodies
//! gzip-compressed where the target accepts it.

use super::super::{Outcome, parse_retry_after};
use crate::clock::now_ms;
use crate::endpoint;
use std::io::Write;
use std::time::Duration;

/// Response bodies are read up to this size (enough for per-item results).
const MAX_RESPONSE: u64 = 4 << 20;

pub(super) struct Http {
    agent: ureq::Agent,
    timeout: Duration,
}

impl Http {
    pub(super) fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Http { agent, timeout }
    }

    /// POSTs `body` to `url`; the whole request (connect, TLS, send,
    /// response) takes at most the agent's time-out, or `budget` when that
    /// is shorter (a flush or shutdown deadline).
    pub(super) fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
        gzip: bool,
        budget: Option<Duration>,
    ) -> Outcome {
        let mut req = self.agent.post(url);
        if let Some(budget) = budget.filter(|b| *b < self.timeout) {
            req = req.config().timeout_global(Some(budget)).build();
        }
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let compressed;
        let body = if gzip {
            match gzip_bytes(body) {
                Ok(z) => {
                    compressed = z;
                    req = req.header("Content-Encoding", "gzip");
                    compressed.as_slice()
                }
                Err(_) => body,
            }
        } else {
            body
        };
        match req.send(body) {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let retry_after_ms = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, now_ms()));
                let body = resp
                    .body_mut()
                    .with_config()
                    .limit(MAX_RESPONSE)
                    .read_to_vec()
                    .unwrap_or_default();
                Outcome::Http {
                    status,
                    retry_after_ms,
                    body,
                }
            }
            // Connection refused, reset, time-out, TLS: worth another try;
            // a URL or header ureq cannot even send is not. The message
            // names the endpoint as `endpoint::display` shows it, never a
            // header value.
            Err(e) => Outcome::Failed {
                error: format!("{} (to {})", describe(&e), endpoint::display(url)),
                retryable: !matches!(e, ureq::Error::BadUri(_) | ureq::Error::Http(_)),
            },
        }
    }
}

fn gzip_bytes(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::fast(),
    );
    enc.write_all(body)?;
    enc.finish()
}

/// ureq's message for `e`, except where ureq quotes the URL whole
/// (userinfo and query included), and with a hint where rustls's words
/// would not tell a user what to fix.
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::BadUri(_) => "invalid URL".to_owned(),
        ureq::Error::Timeout(_) => format!("timed out ({e})"),
        other => {
            let message = other.to_string();
            // A plain-HTTP server answers a ClientHello with text, which
            // rustls reads as a record of an unknown type.
            if message.contains("InvalidContentType") || message.contains("corrupt message") {
                format!(
                    "TLS handshake failed: the server did not speak TLS (is it plain http?): \
                     {message}"
                )
            } else {
                message
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_show_neither_credentials_nor_the_query() {
        let http = Http::new(Duration::from_secs(5));
        // Port 1 on loopback: refused at once. An empty host: ureq's own
        // message would quote the whole URL.
        for url in [
            "http://user:secret@127.0.0.1:1/in?token=tok",
            "http://user:secret@/in?token=tok",
        ] {
            let Outcome::Failed { error, .. } = http.post(url, &[], b"{}", false, None) else {
                panic!("{url} cannot succeed");
            };
            assert!(
                !error.contains("secret") && !error.contains("tok") && !error.contains("user"),
                "{error}"
            );
        }
    }

    #[test]
    fn https_to_a_plain_http_port_says_so() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "https://u:secret@{}/in?token=tok",
            listener.local_addr().unwrap()
        );
        let server = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        });
        let Outcome::Failed { error, .. } =
            Http::new(Duration::from_secs(5)).post(&url, &[], b"{}", false, None)
        else {
            panic!("a plain HTTP server cannot complete a TLS handshake");
        };
        server.join().unwrap();
        assert!(
            error.contains("the server did not speak TLS (is it plain http?)"),
            "{error}"
        );
        assert!(
            !error.contains("secret") && !error.contains("tok"),
            "{error}"
        );
    }

    #[test]
    fn a_budget_shorter_than_the_timeout_bounds_the_request() {
        // Accepts and never answers.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/in", listener.local_addr().unwrap());
        let held = std::thread::spawn(move || listener.accept().map(|(s, _)| s));
        let started = std::time::Instant::now();
        let Outcome::Failed { error, .. } = Http::new(Duration::from_secs(30)).post(
            &url,
            &[],
            b"{}",
            false,
            Some(Duration::from_millis(200)),
        ) else {
            panic!("nobody answers");
        };
        assert!(started.elapsed() < Duration::from_secs(5), "{error}");
        assert!(error.contains("timed out"), "{error}");
        drop(held.join());
    }
}
