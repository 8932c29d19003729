//! A loopback HTTP receiver for delivery tests and benchmarks: it records
//! every request and injects the faults a real SIEM endpoint produces —
//! 500s, 429 with `Retry-After`, 413 for large bodies, slow answers and
//! connection resets. It only ever listens on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as received (body already gunzipped when it was gzip).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Request line method.
    pub method: String,
    /// Request target (path and query).
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header named `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Which faults to inject, and how often.
#[derive(Debug, Clone)]
pub struct Faults {
    /// Fraction (0.0–1.0) of requests that fail while not recovered.
    pub fail_ratio: f64,
    /// After this many requests, nothing fails any more.
    pub recover_after: Option<u64>,
    /// Bodies larger than this get 413.
    pub max_body: Option<usize>,
    /// Delay before a "slow" fault answers 200.
    pub slow: Duration,
    /// Seed of the fault sequence.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            fail_ratio: 0.0,
            recover_after: None,
            max_body: None,
            slow: Duration::from_millis(100),
            seed: 1,
        }
    }
}

/// What the receiver does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Ok,
    Status500,
    TooMany,
    Slow,
    Reset,
}

struct Shared {
    accepted: Mutex<Vec<Request>>,
    refused: AtomicU64,
    seen: AtomicU64,
    stop: AtomicBool,
    faults: Faults,
    rng: Mutex<u64>,
    /// The body of a 200 answer (for per-item protocols).
    ok_body: Mutex<Vec<u8>>,
}

impl Shared {
    fn next_random(&self) -> f64 {
        let mut s = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        (*s >> 11) as f64 / (1u64 << 53) as f64
    }

    fn action(&self) -> Action {
        let n = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        let recovered = self.faults.recover_after.is_some_and(|r| n > r);
        if recovered || self.next_random() >= self.faults.fail_ratio {
            return Action::Ok;
        }
        match (self.next_random() * 4.0) as u32 {
            0 => Action::Status500,
            1 => Action::TooMany,
            2 => Action::Slow,
            _ => Action::Reset,
        }
    }
}

/// A running receiver; stops when dropped.
pub struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Starts listening on an ephemeral port of 127.0.0.1.
    pub fn start(faults: Faults) -> std::io::Result<Receiver> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            accepted: Mutex::new(Vec::new()),
            refused: AtomicU64::new(0),
            seen: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            rng: Mutex::new(faults.seed.max(1)),
            faults,
            ok_body: Mutex::new(b"{}".to_vec()),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if worker.stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let w = Arc::clone(&worker);
                    std::thread::spawn(move || serve(stream, &w));
                }
            }
        });
        Ok(Receiver {
            addr,
            shared,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests answered 200, in arrival order.
    pub fn accepted(&self) -> Vec<Request> {
        self.shared
            .accepted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Requests seen, faults included.
    pub fn seen(&self) -> u64 {
        self.shared.seen.load(Ordering::SeqCst)
    }

    /// Requests answered with a fault.
    pub fn refused(&self) -> u64 {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// Sets the body of 200 answers.
    pub fn set_ok_body(&self, body: &[u8]) {
        *self
            .shared
            .ok_body
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = body.to_vec();
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Unblock `accept`.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    // Answer in one segment without Nagle's delay, as real servers do.
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while !shared.stop.load(Ordering::SeqCst) {
        let Some(req) = read_request(&mut reader) else {
            return;
        };
        let too_big = shared.faults.max_body.is_some_and(|m| req.body.len() > m);
        let action = shared.action();
        let (status, extra, body): (u16, &str, Vec<u8>) = match action {
            _ if too_big => (413, "", b"too large".to_vec()),
            Action::Reset => {
                shared.refused.fetch_add(1, Ordering::SeqCst);
                return; // dropping the stream resets the connection
            }
            Action::Status500 => (500, "", b"boom".to_vec()),
            Action::TooMany => (429, "Retry-After: 0\r\n", b"slow down".to_vec()),
            Action::Slow => {
                std::thread::sleep(shared.faults.slow);
                (
                    200,
                    "",
                    shared
                        .ok_body
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .clone(),
                )
            }
            Action::Ok => (
                200,
                "",
                shared
                    .ok_body
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
            ),
        };
        if status == 200 {
            shared
                .accepted
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(req);
        } else {
            shared.refused.fetch_add(1, Ordering::SeqCst);
        }
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: application/json\r\n{extra}\r\n",
            body.len()
        );
        if writer
            .write_all(head.as_bytes())
            .and_then(|()| writer.write_all(&body))
            .is_err()
        {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    if headers
        .iter()
        .any(|(k, v)| k == "content-encoding" && v == "gzip")
    {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body.as_slice())
            .read_to_end(&mut out)
            .ok()?;
        body = out;
    }
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}
