//! What this workspace's tests share (a dev-dependency only; never
//! published): [`LoopbackServer`], a loopback HTTP/1.1 server that answers
//! canned replies and records what it received, [`FaultServer`], whose
//! connections a test answers with its own code (for the faults no canned
//! reply makes), [`read_request`], [`scratch_dir`], and [`markdown`] for
//! the tests that keep `docs/` true.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// One canned answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header.
    pub content_type: &'static str,
    /// The body, as parts written with a pause before each (to test
    /// streaming); the connection is closed after the last part.
    pub parts: Vec<(Duration, Vec<u8>)>,
}

impl Reply {
    /// A complete JSON answer.
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            parts: vec![(Duration::ZERO, body.as_bytes().to_vec())],
        }
    }

    /// A `text/event-stream` answer: each `(pause, data)` becomes one
    /// `data: ...` event.
    pub fn events(events: &[(Duration, &str)]) -> Reply {
        Reply {
            status: 200,
            content_type: "text/event-stream",
            parts: events
                .iter()
                .map(|(pause, data)| (*pause, format!("data: {data}\n\n").into_bytes()))
                .collect(),
        }
    }
}

/// A request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// `POST`, `PUT`, ...
    pub method: String,
    /// The request target, e.g. `/v1/chat/completions`.
    pub path: String,
    /// Headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The body (read by `Content-Length`).
    pub body: Vec<u8>,
}

impl Received {
    /// The first header named `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A temporary directory for one test, removed when dropped; its name
/// starts with `aiperf-{test}-` so a leftover one says which test made it.
pub fn scratch_dir(test: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("aiperf-{test}-"))
        .tempdir()
        .expect("create a scratch directory")
}

/// Serves one connection per reply on `127.0.0.1` (a free port), one
/// connection at a time, until dropped.
#[derive(Debug)]
pub struct LoopbackServer {
    url: String,
    received: mpsc::Receiver<Received>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LoopbackServer {
    /// Serves `replies` in order, one per connection, then stops accepting.
    pub fn start(replies: Vec<Reply>) -> LoopbackServer {
        let count = replies.len();
        LoopbackServer::serving(replies, count)
    }

    /// Answers the n-th connection with `replies[n % replies.len()]`, for as
    /// long as the server lives.
    pub fn repeating(replies: Vec<Reply>) -> LoopbackServer {
        assert!(!replies.is_empty(), "a repeating server needs a reply");
        LoopbackServer::serving(replies, usize::MAX)
    }

    fn serving(replies: Vec<Reply>, connections: usize) -> LoopbackServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let (tx, received) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for reply in replies.iter().cycle().take(connections) {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                if stopped.load(Ordering::Acquire) {
                    return;
                }
                if let Some(request) = serve(stream, reply) {
                    let _ = tx.send(request);
                }
            }
        });
        LoopbackServer {
            url,
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The next request received (waits up to 10 s).
    pub fn next_request(&self) -> Received {
        self.received
            .recv_timeout(Duration::from_secs(10))
            .expect("the loopback server received a request")
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        // Unblock a server still waiting in accept(): connect once.
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            if !thread.is_finished() {
                let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
            }
            let _ = thread.join();
        }
    }
}

/// Reads one HTTP/1.1 request (head, and a body by `Content-Length`) from
/// `reader`; `None` when the connection ends (or breaks) first, so a
/// keep-alive server loops `while let Some(request) = read_request(..)`.
pub fn read_request(reader: &mut impl BufRead) -> Option<Received> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        method,
        path,
        headers,
        body,
    })
}

/// A loopback server (`127.0.0.1`, a free port) that hands every
/// connection it accepts to the test's own `handler`, each on a thread of
/// its own (so a connection held open blocks no other), and counts the
/// connections: for faults no canned [`Reply`] can make (a stream that
/// never ends, a socket held open, a keep-alive server, TLS).
///
/// Each accepted stream has read and write timeouts of 30 s, so a handler
/// blocked on a client that went away ends by itself (the test does not
/// wait for handlers when the server is dropped), and `TCP_NODELAY`, so
/// each write leaves at once, as from a real inference server (Nagle's
/// algorithm would hold a small write until the client's delayed ACK,
/// some 40 ms later).
#[derive(Debug)]
pub struct FaultServer {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FaultServer {
    /// Starts accepting; `handler` gets each connection.
    pub fn start<H>(handler: H) -> FaultServer
    where
        H: Fn(TcpStream) + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counted, stopped) = (Arc::clone(&accepted), Arc::clone(&stop));
        let handler = Arc::new(handler);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::Acquire) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                counted.fetch_add(1, Ordering::AcqRel);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
                let _ = stream.set_nodelay(true);
                let handler = Arc::clone(&handler);
                std::thread::spawn(move || handler(stream));
            }
        });
        FaultServer {
            addr,
            accepted,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections it has accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::Acquire)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        // Unblock the accept loop: connect once.
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = TcpStream::connect(self.addr);
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, reply: &Reply) -> Option<Received> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let received = read_request(&mut reader)?;

    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\n{}Connection: close\r\n\r\n",
        reply.status,
        reply.content_type,
        // A complete body says its length, as real servers do; a streamed
        // one ends when the connection closes.
        match reply.parts.as_slice() {
            [(_, body)] => format!("Content-Length: {}\r\n", body.len()),
            _ => String::new(),
        }
    );
    let _ = stream.write_all(head.as_bytes());
    for (pause, part) in &reply.parts {
        std::thread::sleep(*pause);
        let _ = stream.write_all(part).and_then(|()| stream.flush());
    }
    Some(received)
}

#[cfg(test)]
mod fault_server_tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_keep_alive_handler_serves_requests_on_one_counted_connection() {
        let (tx, seen) = mpsc::channel();
        let server = FaultServer::start(move |stream| {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut stream = stream;
            while let Some(request) = read_request(&mut reader) {
                tx.send(request.path).unwrap();
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .unwrap();
            }
        });
        let mut client = TcpStream::connect(server.addr()).unwrap();
        let mut reader = BufReader::new(client.try_clone().unwrap());
        for path in ["/a", "/b"] {
            write!(client, "POST {path} HTTP/1.1\r\nContent-Length: 1\r\n\r\nx").unwrap();
            let mut head = String::new();
            while head != "\r\n" {
                head.clear();
                reader.read_line(&mut head).unwrap();
            }
            let mut body = [0; 2];
            reader.read_exact(&mut body).unwrap();
            assert_eq!(&body, b"ok");
        }
        let timeout = Duration::from_secs(10);
        assert_eq!(seen.recv_timeout(timeout).unwrap(), "/a");
        assert_eq!(seen.recv_timeout(timeout).unwrap(), "/b");
        assert_eq!(server.connections(), 1);
        assert!(server.url().starts_with("http://127.0.0.1:"));
    }
}

/// Reading the Markdown tables of `docs/` the way CommonMark does, for the
/// tests that check a catalogue against the code.
pub mod markdown {
    /// A table line's cells, split at unescaped `|`, with `\|` read as `|`.
    pub fn cells(line: &str) -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        let mut cells = vec![String::new()];
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&'|') => {
                    cells.last_mut().unwrap().push('|');
                    chars.next();
                }
                '|' => cells.push(String::new()),
                _ => cells.last_mut().unwrap().push(c),
            }
        }
        cells.into_iter().map(|c| c.trim().to_owned()).collect()
    }

    /// The code spans of a Markdown table cell: a run of n backticks opens a
    /// span that the next run of exactly n closes; one space is stripped from
    /// each end when both ends have one (as CommonMark reads them).
    pub fn code_spans(cell: &str) -> Vec<&str> {
        let bytes = cell.as_bytes();
        let run = |at: usize| bytes[at..].iter().take_while(|&&b| b == b'`').count();
        let mut spans = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'`' {
                i += 1;
                continue;
            }
            let n = run(i);
            let start = i + n;
            let mut j = start;
            while j < bytes.len() && !(bytes[j] == b'`' && run(j) == n) {
                j += if bytes[j] == b'`' { run(j) } else { 1 };
            }
            if j >= bytes.len() {
                break;
            }
            let content = &cell[start..j];
            let content = match content.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                Some(inner) if !inner.trim().is_empty() => inner,
                _ => content,
            };
            spans.push(content);
            i = j + n;
        }
        spans
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn cells_and_code_spans_are_read_as_markdown_writes_them() {
            assert_eq!(
                code_spans("`a` then `` b `c` `` and ``d``"),
                ["a", "b `c`", "d"]
            );
            assert_eq!(code_spans("` x`"), [" x"], "one-sided space is kept");
            assert_eq!(cells("| a | `b \\| c` |"), ["a", "`b | c`"]);
        }
    }
}
