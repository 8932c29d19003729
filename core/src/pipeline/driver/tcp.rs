//! TCP for the native driver (syslog over TCP): one connection per
//! address, reopened after an error. Connecting and writing are bounded by
//! a time-out, shortened to a flush deadline's budget when there is one: a
//! receiver that accepts and never reads cannot hold a shutdown.

use super::super::Outcome;
use crate::endpoint;
use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

pub(super) struct Tcp {
    streams: HashMap<String, TcpStream>,
    timeout: Duration,
}

impl Tcp {
    /// Connections whose connect and each write take at most `timeout`.
    pub(super) fn new(timeout: Duration) -> Self {
        Tcp {
            streams: HashMap::new(),
            // A zero time-out means "none" to `set_write_timeout`.
            timeout: timeout.max(Duration::from_millis(1)),
        }
    }

    pub(super) fn send(&mut self, addr: &str, body: &[u8], budget: Option<Duration>) -> Outcome {
        let timeout = budget.map_or(self.timeout, |b| b.min(self.timeout));
        let timeout = timeout.max(Duration::from_millis(1));
        let result = self.stream(addr, timeout).and_then(|s| {
            s.set_write_timeout(Some(timeout))?;
            s.write_all(body)?;
            s.flush()
        });
        match result {
            Ok(()) => Outcome::Delivered,
            Err(e) => {
                self.streams.remove(addr);
                Outcome::Failed {
                    error: format!("tcp {}: {e}", endpoint::display(addr)),
                    retryable: true,
                }
            }
        }
    }

    fn stream(&mut self, addr: &str, timeout: Duration) -> std::io::Result<&mut TcpStream> {
        if !self.streams.contains_key(addr) {
            let s = connect(addr, timeout)?;
            s.set_nodelay(true)?;
            self.streams.insert(addr.to_string(), s);
        }
        self.streams
            .get_mut(addr)
            .ok_or_else(|| std::io::Error::other("connection vanished"))
    }
}

/// Connects to the first address `addr` resolves to that answers within
/// `timeout` each.
fn connect(addr: &str, timeout: Duration) -> std::io::Result<TcpStream> {
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("the address resolved to nothing")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_show_no_credentials() {
        // `Destination::tcp` refuses user info; a destination built by hand
        // may still carry it, and the error must not repeat it.
        let Outcome::Failed { error, .. } =
            Tcp::new(Duration::from_secs(5)).send("user:pass@127.0.0.1:1", b"x", None)
        else {
            panic!("cannot connect");
        };
        assert!(error.starts_with("tcp 127.0.0.1:1: "), "{error}");
        assert!(!error.contains("pass"), "{error}");
    }
}
