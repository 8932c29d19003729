//! The I/O the driver thread performs for a transmission or an alert, with
//! the time budget a flush deadline leaves it.

#[cfg(feature = "http")]
use super::http;
use super::{Callback, DriverOptions, file, tcp};
use crate::notify::{Alert, Delivery};
use crate::pipeline::{Destination, Outcome, Transmit};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Where `t` goes, in words safe to show (no credential).
pub(super) fn target(t: &Transmit) -> String {
    match &t.destination {
        Destination::Http { url } => crate::endpoint::display(url),
        Destination::Tcp { addr } => format!("tcp {}", crate::endpoint::display(addr)),
        Destination::File { path, .. } => format!("file {path}"),
        Destination::Callback => format!("the callback of sink `{}`", t.sink),
        Destination::Memory { .. } => "memory".into(),
    }
}

/// The I/O the driver can do.
pub(super) struct Io {
    #[cfg(feature = "http")]
    http: http::Http,
    tcp: tcp::Tcp,
    callbacks: HashMap<String, Callback>,
}

impl Io {
    pub(super) fn new(options: DriverOptions) -> Self {
        Io {
            #[cfg(feature = "http")]
            http: http::Http::new(options.http_timeout.unwrap_or(Duration::from_secs(30))),
            tcp: tcp::Tcp::new(options.http_timeout.unwrap_or(Duration::from_secs(30))),
            callbacks: options.callbacks,
        }
    }

    /// Sends one alert: HTTP channels directly, email through the callback
    /// registered under the channel's id (which receives the RFC 5322
    /// message). A non-2xx answer is a failure with its status.
    pub(super) fn send_alert(
        &mut self,
        alert: &Alert,
        budget: Option<Duration>,
    ) -> Result<(), String> {
        match &alert.delivery {
            #[cfg(feature = "http")]
            Delivery::Http(req) => {
                match self
                    .http
                    .post(&req.url, &req.headers, &req.body, false, budget)
                {
                    Outcome::Http {
                        status: 200..=299, ..
                    }
                    | Outcome::Delivered => Ok(()),
                    Outcome::Http { status, .. } => Err(format!("HTTP {status}")),
                    Outcome::Failed { error, .. } => Err(error),
                }
            }
            #[cfg(not(feature = "http"))]
            Delivery::Http(_) => {
                let _ = budget;
                Err("this build has no HTTP client (feature `http`)".into())
            }
            Delivery::Email(message) => match self.callbacks.get(&alert.channel_id) {
                Some(cb) => cb(&alert.channel_id, message.message.as_bytes()),
                None => Err(format!(
                    "no email sender: register a callback under the channel id `{}`",
                    alert.channel_id
                )),
            },
        }
    }

    /// Performs `t`, taking at most `budget` where the transport allows a
    /// time-out (HTTP, TCP); a callback or a file write cannot be bounded.
    pub(super) fn perform(&mut self, t: &Transmit, budget: Option<Duration>) -> Outcome {
        match &t.destination {
            #[cfg(feature = "http")]
            Destination::Http { url } => self.http.post(url, &t.headers, &t.body, t.gzip, budget),
            #[cfg(not(feature = "http"))]
            Destination::Http { .. } => Outcome::Failed {
                error: "this build has no HTTP client (feature `http`)".into(),
                retryable: false,
            },
            Destination::Tcp { addr } => self.tcp.send(addr, &t.body, budget),
            Destination::File {
                path,
                max_bytes,
                keep,
            } => file::append_rotating(path, *max_bytes, *keep, &t.body),
            Destination::Callback => match self.callbacks.get(&t.sink) {
                Some(cb) => {
                    let cb = Arc::clone(cb);
                    let body = t.body.clone();
                    let sink = t.sink.clone();
                    // A panicking host callback is a failed delivery, not a
                    // dead driver.
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                        cb(&sink, &body)
                    })) {
                        Ok(Ok(())) => Outcome::Delivered,
                        Ok(Err(error)) => Outcome::Failed {
                            error,
                            retryable: true,
                        },
                        Err(_) => Outcome::Failed {
                            error: "the callback panicked".into(),
                            retryable: true,
                        },
                    }
                }
                None => Outcome::Failed {
                    error: format!("no callback registered for sink `{}`", t.sink),
                    retryable: false,
                },
            },
            Destination::Memory { .. } => Outcome::Delivered,
        }
    }
}
