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
}

impl Http {
    pub(super) fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Http { agent }
    }

    pub(super) fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
        gzip: bool,
    ) -> Outcome {
        let mut req = self.agent.post(url);
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
            // Connection refused, reset, time-out, TLS: worth another try.
            // The message names the endpoint as `endpoint::display` shows
            // it, never a header value.
            Err(e) => Outcome::Failed {
                error: format!("{} (to {})", describe(&e), endpoint::display(url)),
                retryable: true,
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
/// (userinfo and query included).
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::BadUri(_) => "invalid URL".to_owned(),
        other => other.to_string(),
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
            let Outcome::Failed { error, .. } = http.post(url, &[], b"{}", false) else {
                panic!("{url} cannot succeed");
            };
            assert!(
                !error.contains("secret") && !error.contains("tok") && !error.contains("user"),
                "{error}"
            );
        }
    }
}
