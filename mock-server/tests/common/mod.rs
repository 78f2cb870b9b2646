//! A tiny HTTP/1.1 client over `std::net::TcpStream` for these tests:
//! keep-alive requests, `Content-Length` and chunked bodies, and
//! server-sent events timestamped as they arrive.

#![allow(dead_code)] // Each test file uses a different part.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::Value;

/// No test waits longer than this for a byte.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// One keep-alive connection.
pub struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

/// A status line and headers.
#[derive(Debug)]
pub struct Head {
    pub status: u16,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A whole response.
#[derive(Debug)]
pub struct Response {
    pub head: Head,
    pub body: Vec<u8>,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.head.status
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Conn {
    pub fn connect(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect to the mock server");
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        let writer = stream.try_clone().unwrap();
        Conn {
            reader: BufReader::new(stream),
            writer,
        }
    }

    /// Writes a request with a `Content-Length` body (none for an empty one).
    pub fn send(&mut self, method: &str, path: &str, body: &[u8]) {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: mock\r\n");
        if !body.is_empty() || method == "POST" {
            req.push_str("Content-Type: application/json\r\n");
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.send_raw(&bytes);
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Closes the connection both ways.
    pub fn close(self) {
        let _ = self.writer.shutdown(std::net::Shutdown::Both);
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read a line");
        assert!(!line.is_empty(), "the server closed the connection");
        line.trim_end_matches(['\r', '\n']).to_owned()
    }

    pub fn read_head(&mut self) -> Head {
        let status_line = self.line();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        let mut headers = Vec::new();
        loop {
            let line = self.line();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("a header line");
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        Head { status, headers }
    }

    /// The next chunk of a chunked body; `None` after the last.
    pub fn read_chunk(&mut self) -> Option<Vec<u8>> {
        let size_line = self.line();
        let size = usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16)
            .unwrap_or_else(|_| panic!("bad chunk size {size_line:?}"));
        if size == 0 {
            // Trailers (none) and the final empty line.
            while !self.line().is_empty() {}
            return None;
        }
        let mut chunk = vec![0; size];
        self.reader.read_exact(&mut chunk).unwrap();
        let mut crlf = [0; 2];
        self.reader.read_exact(&mut crlf).unwrap();
        assert_eq!(&crlf, b"\r\n");
        Some(chunk)
    }

    pub fn read_body(&mut self, head: &Head) -> Vec<u8> {
        if head.header("transfer-encoding") == Some("chunked") {
            let mut body = Vec::new();
            while let Some(chunk) = self.read_chunk() {
                body.extend_from_slice(&chunk);
            }
            body
        } else {
            let len: usize = head
                .header("content-length")
                .map(|v| v.parse().unwrap())
                .unwrap_or(0);
            let mut body = vec![0; len];
            self.reader.read_exact(&mut body).unwrap();
            body
        }
    }

    pub fn request(&mut self, method: &str, path: &str, body: &[u8]) -> Response {
        self.send(method, path, body);
        let head = self.read_head();
        let body = self.read_body(&head);
        Response { head, body }
    }

    pub fn post_json(&mut self, path: &str, body: &Value) -> Response {
        self.request("POST", path, body.to_string().as_bytes())
    }

    /// Reads a streamed body to its end: each server-sent event's data
    /// with the instant the chunk completing it arrived.
    pub fn read_events(&mut self, head: &Head) -> Vec<(Instant, String)> {
        self.read_named_events(head)
            .into_iter()
            .map(|(at, _, data)| (at, data))
            .collect()
    }

    /// Reads a streamed body to its end: each server-sent event's name
    /// (its `event:` line, if it has one) and data, with the instant the
    /// chunk completing it arrived. Every event must have one `data:` line.
    pub fn read_named_events(&mut self, head: &Head) -> Vec<(Instant, Option<String>, String)> {
        assert_eq!(
            head.header("transfer-encoding"),
            Some("chunked"),
            "{head:?}"
        );
        let mut events = Vec::new();
        let mut pending = String::new();
        while let Some(chunk) = self.read_chunk() {
            let at = Instant::now();
            pending.push_str(std::str::from_utf8(&chunk).unwrap());
            while let Some(end) = pending.find("\n\n") {
                let event: String = pending.drain(..end + 2).collect();
                let mut name = None;
                let mut data = None;
                for line in event.trim_end().lines() {
                    if let Some(n) = line.strip_prefix("event: ") {
                        assert!(name.is_none(), "two event lines: {event:?}");
                        name = Some(n.to_owned());
                    } else if let Some(d) = line.strip_prefix("data: ") {
                        assert!(data.is_none(), "two data lines: {event:?}");
                        data = Some(d.to_owned());
                    } else {
                        panic!("not an event or data line: {line:?} in {event:?}");
                    }
                }
                let data = data.unwrap_or_else(|| panic!("not a data event: {event:?}"));
                events.push((at, name, data));
            }
        }
        assert!(
            pending.is_empty(),
            "a partial event at the end: {pending:?}"
        );
        events
    }
}

/// One request on a new connection.
pub fn post(addr: SocketAddr, path: &str, body: &Value) -> Response {
    Conn::connect(addr).post_json(path, body)
}

/// A chat request.
pub fn chat(content: &str, max_tokens: Option<u64>, stream: bool) -> Value {
    let mut body = serde_json::json!({
        "model": "test-model",
        "messages": [{"role": "user", "content": content}],
        "stream": stream,
    });
    if let Some(n) = max_tokens {
        body["max_tokens"] = n.into();
    }
    body
}

/// Polls `f` until it gives `Some`, for at most 10 s.
pub fn eventually<T>(mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "gave up waiting");
        std::thread::sleep(Duration::from_millis(5));
    }
}
