//! TCP for the native driver (syslog over TCP): one connection per
//! address, reopened after an error.

use super::super::Outcome;
use crate::endpoint;
use std::collections::HashMap;
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

#[derive(Default)]
pub(super) struct Tcp {
    streams: HashMap<String, TcpStream>,
}

impl Tcp {
    pub(super) fn send(&mut self, addr: &str, body: &[u8]) -> Outcome {
        let result = self.stream(addr).and_then(|s| {
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

    fn stream(&mut self, addr: &str) -> std::io::Result<&mut TcpStream> {
        if !self.streams.contains_key(addr) {
            let s = TcpStream::connect(addr)?;
            s.set_write_timeout(Some(Duration::from_secs(30)))?;
            s.set_nodelay(true)?;
            self.streams.insert(addr.to_string(), s);
        }
        self.streams
            .get_mut(addr)
            .ok_or_else(|| std::io::Error::other("connection vanished"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_show_no_credentials() {
        // `Destination::tcp` refuses user info; a destination built by hand
        // may still carry it, and the error must not repeat it.
        let Outcome::Failed { error, .. } = Tcp::default().send("user:pass@127.0.0.1:1", b"x")
        else {
            panic!("cannot connect");
        };
        assert!(error.starts_with("tcp 127.0.0.1:1: "), "{error}");
        assert!(!error.contains("pass"), "{error}");
    }
}
