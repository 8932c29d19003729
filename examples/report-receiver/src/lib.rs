//! A small HTTP server for `POST /v1/shadow-ai/report`: external systems
//! (a CASB, a secure web gateway, a SIEM rule) report unapproved AI use
//! with an API key, and the reports become `ShadowAiEvent` records
//! delivered through a govstream pipeline.
//!
//! The endpoint's every decision (status codes, bodies, key checks,
//! validation) is the core's [`govstream::ingest::ReportReceiver`]; this
//! crate adds the sockets: one thread per connection up to a bound, one
//! request per connection, a deadline for the whole request so a slow
//! client cannot hold a thread, and a body bound enforced before reading.
//! See `docs/shadow.md` ("Receiving reports").

mod http;

use govstream::api::PipelineHandle;
use govstream::ingest::{Reply, ReportReceiver};
use govstream::schema::Record;
use http::ReadError;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Time a client has to send its whole request (head and body).
    pub request_timeout: Duration,
    /// Time an answer may take to write.
    pub write_timeout: Duration,
    /// Connections served at once; more are answered 503.
    pub max_connections: usize,
    /// Time `emit` may wait for room in a full `block` sink before the
    /// request is answered 503.
    pub emit_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            request_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(5),
            max_connections: 64,
            emit_timeout: Duration::from_secs(2),
        }
    }
}

/// A bound listener, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
}

struct Shared {
    receiver: ReportReceiver,
    pipeline: Arc<PipelineHandle>,
    config: Config,
    stopping: AtomicBool,
    active: AtomicUsize,
    idle: (Mutex<()>, Condvar),
}

/// Stops a running server from another thread.
#[derive(Clone)]
pub struct Stopper {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl Stopper {
    /// Stops accepting, lets the requests in progress finish (each within
    /// its deadline) and makes [`Server::run`] return. Records already
    /// accepted stay queued in the pipeline: flush or close it afterwards.
    pub fn stop(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // `accept` blocks; a connection of our own wakes it to see the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

impl Server {
    /// Binds `addr` (`127.0.0.1:0` picks a free port).
    pub fn bind(
        addr: &str,
        receiver: ReportReceiver,
        pipeline: Arc<PipelineHandle>,
        config: Config,
    ) -> io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(addr)?,
            shared: Arc::new(Shared {
                receiver,
                pipeline,
                config,
                stopping: AtomicBool::new(false),
                active: AtomicUsize::new(0),
                idle: (Mutex::new(()), Condvar::new()),
            }),
        })
    }

    /// The address bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle that stops [`Server::run`].
    pub fn stopper(&self) -> io::Result<Stopper> {
        Ok(Stopper {
            shared: Arc::clone(&self.shared),
            addr: self.local_addr()?,
        })
    }

    /// Serves until stopped, then waits for the requests in progress.
    pub fn run(self) -> io::Result<()> {
        for stream in self.listener.incoming() {
            if self.shared.stopping.load(Ordering::SeqCst) {
                break;
            }
            let Ok(mut stream) = stream else { continue };
            let shared = Arc::clone(&self.shared);
            if shared.active.fetch_add(1, Ordering::SeqCst) >= shared.config.max_connections {
                shared.finished();
                http::answer(
                    &mut stream,
                    &Reply::unavailable("too many connections"),
                    shared.config.write_timeout,
                );
                continue;
            }
            let spawned = std::thread::Builder::new()
                .name("report-receiver-conn".into())
                .spawn(move || {
                    serve(&shared, stream);
                    shared.finished();
                });
            if spawned.is_err() {
                self.shared.finished();
            }
        }
        let (lock, idle) = &self.shared.idle;
        let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
        while self.shared.active.load(Ordering::SeqCst) > 0 {
            guard = idle
                .wait_timeout(guard, Duration::from_millis(100))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        Ok(())
    }
}

impl Shared {
    fn finished(&self) {
        self.active.fetch_sub(1, Ordering::SeqCst);
        self.idle.1.notify_all();
    }
}

/// One connection: one request, one answer, one log line.
fn serve(shared: &Shared, mut stream: TcpStream) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    let reply = match handle(shared, &mut stream) {
        Ok(reply) => reply,
        Err(ReadError::Reply(reply)) => reply,
        Err(ReadError::Timeout) => Reply::timeout(),
        // Nothing to answer: the client went away.
        Err(ReadError::Closed) => return,
        Err(ReadError::Io(e)) => {
            eprintln!("report-receiver: {peer} connection failed: {e}");
            return;
        }
    };
    // The server's log: status, key id and label, what happened. The line
    // is the core's and never holds a key.
    eprintln!("report-receiver: {peer} {}", reply.log);
    http::answer(&mut stream, &reply, shared.config.write_timeout);
}

fn handle(shared: &Shared, stream: &mut TcpStream) -> Result<Reply, ReadError> {
    let deadline = Instant::now() + shared.config.request_timeout;
    let (head, start) = http::read_head(stream, deadline)?;
    let now = govstream::clock::now_ms();
    let admitted = match shared.receiver.admit(&head.as_request(), now) {
        Ok(a) => a,
        Err(reply) => return Ok(reply),
    };
    // `admit` checked the length against the bound, so it fits in memory.
    let len = usize::try_from(head.as_request().content_length.unwrap_or(0))
        .unwrap_or(usize::MAX)
        .min(shared.receiver.max_body_bytes());
    let body = http::read_body(stream, start, len, deadline)?;
    let accepted = match shared.receiver.read_body(&admitted, &body, now) {
        Ok(a) => a,
        Err(reply) => return Ok(reply),
    };
    let records: Vec<Record> = accepted
        .events
        .iter()
        .cloned()
        .map(Record::ShadowAiEvent)
        .collect();
    // 202 only once the pipeline holds the records (with an outbox, once
    // they are on disk); otherwise the client must retry.
    Ok(
        match shared.pipeline.emit(&records, shared.config.emit_timeout) {
            Ok(()) => accepted.response(),
            Err(e) => Reply::unavailable(&e.message),
        },
    )
}
