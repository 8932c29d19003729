//! Just enough HTTP/1.1 for one request per connection: read a head within
//! a deadline and a size bound, read a body of a declared length, write an
//! answer and close. Everything the endpoint decides is in
//! `govstream::ingest`; this file only moves bytes.

use govstream::ingest::{Reply, RequestHead};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// Largest request head read, in bytes.
pub(crate) const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most headers a request may have.
const MAX_HEADERS: usize = 64;

/// A request head as read, owning its strings.
#[derive(Debug, Default)]
pub(crate) struct Head {
    method: String,
    target: String,
    authorization: Option<String>,
    api_key: Option<String>,
    content_type: Option<String>,
    content_length: Option<u64>,
}

impl Head {
    /// The view the core's receiver takes.
    pub(crate) fn as_request(&self) -> RequestHead<'_> {
        RequestHead {
            method: &self.method,
            target: &self.target,
            authorization: self.authorization.as_deref(),
            api_key: self.api_key.as_deref(),
            content_type: self.content_type.as_deref(),
            content_length: self.content_length,
        }
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed before a whole request arrived: nothing to answer.
    Closed,
    /// The deadline passed.
    Timeout,
    /// Answer this and close.
    Reply(Reply),
    /// The socket failed.
    Io(io::Error),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ReadError::Timeout,
            _ => ReadError::Io(e),
        }
    }
}

/// Reads into `buf` until `done(buf)` says where the wanted part ends, the
/// buffer would pass `limit`, or `deadline` passes. Each read waits at most
/// until the deadline, so a client that trickles one byte at a time is cut
/// off at the deadline all the same.
fn read_until(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    limit: usize,
    deadline: Instant,
    done: impl Fn(&[u8]) -> Option<usize>,
) -> Result<usize, ReadError> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = done(buf) {
            return Ok(end);
        }
        if buf.len() >= limit {
            return Err(ReadError::Reply(Reply::head_too_large(MAX_HEAD_BYTES)));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ReadError::Timeout);
        }
        stream.set_read_timeout(Some(left))?;
        let want = chunk.len().min(limit - buf.len());
        let n = stream.read(chunk.get_mut(..want).unwrap_or_default())?;
        if n == 0 {
            return Err(ReadError::Closed);
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
}

/// Reads and parses a request head. Returns it with the bytes read past it
/// (the start of the body).
pub(crate) fn read_head(
    stream: &mut TcpStream,
    deadline: Instant,
) -> Result<(Head, Vec<u8>), ReadError> {
    let mut buf = Vec::with_capacity(1024);
    let end = read_until(stream, &mut buf, MAX_HEAD_BYTES, deadline, |b| {
        b.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
    })?;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(buf.get(..end).unwrap_or_default()) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(bad("incomplete request head")),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ReadError::Reply(Reply::head_too_large(MAX_HEAD_BYTES)));
        }
        Err(e) => return Err(bad(&format!("unreadable request head: {e}"))),
    }
    let mut head = Head {
        method: request.method.unwrap_or_default().to_owned(),
        target: request.path.unwrap_or_default().to_owned(),
        ..Head::default()
    };
    let mut chunked = false;
    for h in request.headers.iter() {
        let value = || {
            std::str::from_utf8(h.value)
                .map(|v| v.trim().to_owned())
                .map_err(|_| bad(&format!("the {} header is not UTF-8", h.name)))
        };
        let once = |slot: &Option<String>| {
            if slot.is_some() {
                Err(bad(&format!("more than one {} header", h.name)))
            } else {
                Ok(())
            }
        };
        match h.name.to_ascii_lowercase().as_str() {
            "authorization" => {
                once(&head.authorization)?;
                head.authorization = Some(value()?);
            }
            "x-api-key" => {
                once(&head.api_key)?;
                head.api_key = Some(value()?);
            }
            "content-type" => {
                once(&head.content_type)?;
                head.content_type = Some(value()?);
            }
            "content-length" => {
                let n: u64 = value()?
                    .parse()
                    .map_err(|_| bad("Content-Length is not a number"))?;
                if head.content_length.is_some_and(|m| m != n) {
                    return Err(bad("conflicting Content-Length headers"));
                }
                head.content_length = Some(n);
            }
            "transfer-encoding" => chunked = true,
            _ => {}
        }
    }
    // Bodies are read by length only. A Transfer-Encoding makes the length
    // unknown (and with a Content-Length as well, ambiguous: the classic
    // request-smuggling shape), so the receiver asks for a length instead.
    if chunked {
        head.content_length = None;
    }
    let rest = buf.get(end..).unwrap_or_default().to_vec();
    Ok((head, rest))
}

fn bad(why: &str) -> ReadError {
    ReadError::Reply(Reply::bad_http(why))
}

/// Reads the body: `len` bytes (at most the receiver's bound, which
/// `admit` checked), starting with what came with the head.
pub(crate) fn read_body(
    stream: &mut TcpStream,
    mut body: Vec<u8>,
    len: usize,
    deadline: Instant,
) -> Result<Vec<u8>, ReadError> {
    body.truncate(len);
    read_until(stream, &mut body, len, deadline, |b| {
        (b.len() >= len).then_some(len)
    })?;
    Ok(body)
}

/// Writes `reply` and closes the connection. When the request was refused
/// before its body was read, the unread bytes are drained for a moment
/// first: closing a socket with unread input makes the kernel reset the
/// connection, and a reset can destroy the answer before the client reads
/// it.
pub(crate) fn answer(stream: &mut TcpStream, reply: &Reply, write_timeout: Duration) {
    let mut text = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(&reply.body);
    let _ = stream.set_write_timeout(Some(write_timeout));
    if stream.write_all(text.as_bytes()).is_err() {
        return;
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(250)));
    let mut sink = [0u8; 8192];
    let mut drained = 0usize;
    while drained < 4 * 1024 * 1024 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}
