//! How a sink batches, queues and retries, and where it delivers.

use crate::endpoint;
use serde::{Deserialize, Serialize};

/// Where a sink's batches go. The pipeline only describes the destination;
/// a driver (or the host) performs the I/O. `Debug` shows URLs and
/// addresses through [`endpoint::display`]: scheme, host and port only,
/// since the rest may be a credential.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// An HTTP `POST` to this URL.
    Http {
        /// Full URL; when it has no path, the encoder's default path is used.
        url: String,
    },
    /// A TCP stream (syslog with octet-counting framing).
    Tcp {
        /// `host:port`.
        addr: String,
    },
    /// A local file of JSON Lines, rotated by size.
    File {
        /// Path of the current file; rotated files get `.1`, `.2`, … suffixes.
        path: String,
        /// Rotate when the file would grow past this many bytes.
        max_bytes: u64,
        /// Rotated files kept.
        keep: u32,
    },
    /// A host function that receives each encoded batch.
    Callback,
    /// Kept in memory by the pipeline itself (bounded; for tests and local
    /// views). Never produces a transmission.
    Memory {
        /// Records kept; the oldest make room for new ones.
        capacity: usize,
    },
}

impl Destination {
    /// An HTTP destination for an `http://` or `https://` URL with a host
    /// (userinfo is allowed and sent; the host after it must not be empty);
    /// `None` for anything else, so a host can say which argument was wrong.
    /// [`Destination::try_http`] says what is wrong.
    pub fn http(url: &str) -> Option<Destination> {
        Destination::try_http(url).ok()
    }

    /// Like [`Destination::http`], with an error (kind `input`, location
    /// `url`) saying what is wrong: another scheme, an empty or malformed
    /// host (spaces, control characters, an unclosed `[`), a port that is
    /// not a number from 1 to 65535, or spaces and control characters
    /// anywhere. The message never repeats the userinfo, path or query.
    pub fn try_http(url: &str) -> crate::Result<Destination> {
        endpoint::check_http_url(url).map_err(|message| crate::Error::Input {
            location: "url".to_owned(),
            message: format!("the URL {message}"),
        })?;
        Ok(Destination::Http {
            url: url.to_string(),
        })
    }

    /// A TCP destination for `host:port` or `tcp://host:port` with a port
    /// from 1 to 65535; `None` for anything else, user info included (TCP
    /// has nowhere to send it, and `user:pass@host` is no host to connect
    /// to).
    pub fn tcp(address: &str) -> Option<Destination> {
        let addr = address.strip_prefix("tcp://").unwrap_or(address);
        let valid = !addr.contains(['/', '@'])
            && addr.rsplit_once(':').is_some_and(|(host, port)| {
                !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
            });
        valid.then(|| Destination::Tcp {
            addr: addr.to_string(),
        })
    }
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Http { url } => f
                .debug_struct("Http")
                .field("url", &endpoint::display(url))
                .finish(),
            Destination::Tcp { addr } => f
                .debug_struct("Tcp")
                .field("addr", &endpoint::display(addr))
                .finish(),
            Destination::File {
                path,
                max_bytes,
                keep,
            } => f
                .debug_struct("File")
                .field("path", path)
                .field("max_bytes", max_bytes)
                .field("keep", keep)
                .finish(),
            Destination::Callback => f.write_str("Callback"),
            Destination::Memory { capacity } => f
                .debug_struct("Memory")
                .field("capacity", capacity)
                .finish(),
        }
    }
}

/// What happens when a sink's queue is full.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OverflowPolicy {
    /// Drop the newest lower-priority record (counted as dropped,
    /// `queue_full`). A priority record — an event whose verdict is
    /// `redact`, `escalate` or `block`, a high or critical match, an audit
    /// record — evicts the newest queued record of lower priority instead,
    /// and is only dropped itself when the queue holds nothing else.
    #[default]
    DropNewest,
    /// Refuse the record: `emit` reports `WouldBlock` and counts nothing;
    /// a blocking driver waits for room.
    Block,
}

/// Per-sink configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SinkConfig {
    /// Name, unique within a pipeline (appears in stats).
    pub name: String,
    /// Records queued at most (not counting batches in flight).
    pub queue_capacity: usize,
    /// What a full queue does.
    pub overflow: OverflowPolicy,
    /// A batch is sent when it has this many records…
    pub max_batch_records: usize,
    /// …or this many encoded bytes…
    pub max_batch_bytes: usize,
    /// …or its oldest record has waited this long.
    pub max_wait_ms: u64,
    /// Batches sent and not yet answered, at most.
    pub max_in_flight: usize,
    /// First retry delay ceiling; doubles per attempt (full jitter).
    pub initial_backoff_ms: u64,
    /// Largest retry delay ceiling.
    pub max_backoff_ms: u64,
    /// Attempts before a batch is dead-lettered (`retries_exhausted`); 0 means
    /// retry for as long as the pipeline runs.
    pub max_attempts: u32,
    /// Dead-letter entries kept for inspection (all are counted).
    pub dead_letter_capacity: usize,
    /// Only these record kinds (`event`, `dlp_match`, …); empty means all.
    pub kinds: Vec<String>,
    /// Only records whose type name matches one of these globs
    /// (`event.blocked`, `audit_event.Auth:*`; see [`crate::select`]);
    /// empty means all. The others are counted as `filtered`.
    pub event_types: Vec<String>,
}

impl Default for SinkConfig {
    fn default() -> Self {
        SinkConfig {
            name: "sink".into(),
            queue_capacity: 100_000,
            overflow: OverflowPolicy::DropNewest,
            max_batch_records: 500,
            max_batch_bytes: 1 << 20,
            max_wait_ms: 1_000,
            max_in_flight: 2,
            initial_backoff_ms: 200,
            max_backoff_ms: 30_000,
            max_attempts: 12,
            dead_letter_capacity: 1_000,
            kinds: Vec::new(),
            event_types: Vec::new(),
        }
    }
}

impl SinkConfig {
    /// A default configuration with this name.
    pub fn named(name: &str) -> Self {
        SinkConfig {
            name: name.to_string(),
            ..SinkConfig::default()
        }
    }

    /// Every problem with this configuration, in words.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.name.trim().is_empty() {
            p.push("name must not be empty".to_string());
        }
        for (field, v) in [
            ("queue_capacity", self.queue_capacity),
            ("max_batch_records", self.max_batch_records),
            ("max_batch_bytes", self.max_batch_bytes),
            ("max_in_flight", self.max_in_flight),
        ] {
            if v == 0 {
                p.push(format!("{field} must be at least 1"));
            }
        }
        if self.initial_backoff_ms > self.max_backoff_ms {
            p.push("initial_backoff_ms must not exceed max_backoff_ms".into());
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_any_request() {
        assert_eq!(
            Destination::http("https://siem.example:8088"),
            Some(Destination::Http {
                url: "https://siem.example:8088".into()
            })
        );
        assert!(Destination::http("https://user:pw@siem.example/in").is_some());
        for bad in [
            "siem.example",
            "https://",
            "http:///ingest",
            "ftp://h/x",
            "https://u:p@",
            "https://u:p@/x",
            "https://?q",
            "http://u:p@[::1",
            "https://h:0/",
            "https://h:65536/",
            "https://h:port/",
            "https://h /",
        ] {
            assert_eq!(Destination::http(bad), None, "{bad}");
        }
        assert!(Destination::http("http://[::1]:8080/in").is_some());
        assert!(Destination::http("http://u:p@[::1]/in").is_some());
        assert!(Destination::http("https://h.example:443/a?b=c d").is_none());
        for (bad, why) in [
            ("http://u:p@[::1", "unclosed `[`"),
            ("http://[::1]x/in", "after `]`"),
            ("http://[nope]:80", "not an IPv6 address"),
            ("http://u:secret@h:65536/in?token=t", "from 1 to 65535"),
            ("http://u:secret@h:0/in?token=t", "from 1 to 65535"),
            ("http://h:/in", "from 1 to 65535"),
            ("http://h:+80/in", "from 1 to 65535"),
            ("http://h:http/in", "from 1 to 65535"),
            ("http://my host/in", "spaces, control"),
            ("http://h\u{7}ost/in", "spaces, control"),
            ("http://u:secret@/in?token=t", "must name a host"),
            ("http://h<x>/in", "cannot have"),
            ("ftp://u:secret@h/x", "https:// or http://"),
        ] {
            let err = Destination::try_http(bad).unwrap_err();
            let text = err.to_string();
            assert_eq!(err.kind(), "input");
            assert!(text.contains(why), "{bad}: {text}");
            assert!(
                !text.contains("secret") && !text.contains("token"),
                "{text}"
            );
        }
        assert_eq!(
            Destination::tcp("tcp://10.0.0.5:514"),
            Some(Destination::Tcp {
                addr: "10.0.0.5:514".into()
            })
        );
        assert!(Destination::tcp("[::1]:6514").is_some());
        for bad in [
            "host",
            ":514",
            "host:0",
            "host:99999",
            "host:514/x",
            "host:abc",
            "tcp://user:pass@127.0.0.1:1",
            "user@host:514",
        ] {
            assert_eq!(Destination::tcp(bad), None, "{bad}");
        }
    }

    #[test]
    fn debug_shows_no_credentials() {
        let shown = format!(
            "{:?} {:?}",
            Destination::Http {
                url: "https://u:secret@siem.example:8088/services/T/B/X?token=t".into()
            },
            Destination::Tcp {
                addr: "user:pass@10.0.0.5:514".into()
            }
        );
        assert_eq!(
            shown,
            "Http { url: \"https://siem.example:8088\" } Tcp { addr: \"10.0.0.5:514\" }"
        );
    }
}
