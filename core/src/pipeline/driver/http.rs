//! HTTP for the native driver: one pooled ureq agent (rustls), bodies
//! gzip-compressed where the target accepts it.

use super::super::{Outcome, parse_retry_after};
use crate::clock::now_ms;
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
            // The message names the host, never a header value.
            Err(e) => Outcome::Failed {
                error: format!("{} (to {})", e, host_of(url)),
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

/// `scheme://host:port` of a URL, without user info, path or query.
fn host_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_drops_credentials_and_path() {
        assert_eq!(
            host_of("https://u:secret@siem.example:8088/x?token=t"),
            "https://siem.example:8088"
        );
    }
}
