//! Regression tests of the `http` transport, one per defect of the issue
//! tracker (its letter is in each test's comment), each against a loopback
//! server that misbehaves the way the defect needs. Each fails if its
//! defect comes back.

mod common;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use aiperf_plugin_api::{ResponseBody, TransportError};
use aiperf_test_support::{
    FaultServer, LoopbackServer, Received, Reply, read_request, scratch_dir,
};
use common::{Collect, UntilDone, block_on, creation_error, http, request, send, send_err};
use serde_json::{Value, json};

/// How long a test waits for what its server reports (never reached
/// unless something is broken).
const WAIT: Duration = Duration::from_secs(10);

const CHAT_REPLY: &str = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"hi there"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#;

/// A server that reads each connection's first request and gives it to
/// `respond` with the stream to answer on.
fn on_request<F>(respond: F) -> FaultServer
where
    F: Fn(&mut TcpStream, Received) + Send + Sync + 'static,
{
    FaultServer::start(move |stream| {
        let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
        let mut stream = stream;
        if let Some(received) = read_request(&mut reader) {
            respond(&mut stream, received);
        }
    })
}

/// Keeps the connection open until the client closes it (or the stream's
/// 30 s read timeout passes), reading whatever it sends.
fn hold_open(stream: &mut TcpStream) {
    let mut buffer = [0; 4096];
    while matches!(stream.read(&mut buffer), Ok(n) if n > 0) {}
}

/// One chunk of a `Transfer-Encoding: chunked` body.
fn chunk(data: &str) -> String {
    format!("{:x}\r\n{data}\r\n", data.len())
}

/// A chunk holding one server-sent event.
fn event_chunk(data: &str) -> String {
    chunk(&format!("data: {data}\n\n"))
}

const EVENT_STREAM_HEAD: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

/// Lets the runtime's other tasks (the connection's, the pool's) run to
/// where they wait: yields, never sleeps.
async fn settle() {
    for _ in 0..256 {
        tokio::task::yield_now().await;
    }
}

/// Writes `head` then `block` until `limit` bytes or a write fails (the
/// client closed); reports how many body bytes were written.
fn write_until_refused(
    stream: &mut TcpStream,
    head: &str,
    block: &[u8],
    limit: usize,
    written: &mpsc::Sender<usize>,
) {
    let mut total = 0;
    if stream.write_all(head.as_bytes()).is_ok() {
        while total < limit && stream.write_all(block).is_ok() {
            total += block.len();
        }
    }
    let _ = written.send(total);
}

// (a) -------------------------------------------------------------------------

/// (a) An event stream that never ends is cut at `max_body_bytes`, with an
/// error naming the cap, and the server is not read to its end.
#[test]
fn a_stream_that_never_ends_is_cut_at_max_body_bytes() {
    const EVENT: &str = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n";
    const ENDLESS: usize = 256 << 20;
    let (tx, written) = mpsc::channel();
    let server = on_request(move |stream, _| {
        // No length: the body ends only when the connection does.
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";
        write_until_refused(stream, head, EVENT.repeat(500).as_bytes(), ENDLESS, &tx);
    });
    let transport = http(
        &server.url(),
        json!({"max_body_bytes": 65536, "timeout_s": 60}),
    );
    let (result, sink) = send(&*transport, "/v1/chat/completions", &json!({}), true);
    assert_eq!(
        result.unwrap_err().to_string(),
        format!(
            "reading the response from {}/v1/chat/completions failed: the stream exceeded \
             `max_body_bytes` (65536 bytes); it was cut there",
            server.url()
        )
    );
    assert!(
        sink.0.len() <= 65536 / EVENT.len(),
        "events past the cap were delivered: {}",
        sink.0.len()
    );
    let written = written.recv_timeout(WAIT).unwrap();
    assert!(written < ENDLESS, "the client read all {written} bytes");
}

/// (a) The same for a complete (not streamed) body: one without a length
/// is cut at the cap, one whose Content-Length exceeds it is not read.
#[test]
fn a_body_longer_than_max_body_bytes_is_refused() {
    const ENDLESS: usize = 256 << 20;
    let (tx, written) = mpsc::channel();
    let server = on_request(move |stream, received| {
        if received.path.ends_with("/announced") {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {ENDLESS}\r\n\r\n"
            );
            write_until_refused(stream, &head, &[b' '; 8192], ENDLESS, &tx);
        } else {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
            write_until_refused(stream, head, &[b' '; 8192], ENDLESS, &tx);
        }
    });
    let transport = http(&server.url(), json!({"max_body_bytes": 65536}));
    for path in ["/v1/embeddings", "/v1/announced"] {
        let e = send_err(&*transport, path, false);
        assert_eq!(
            e.to_string(),
            format!(
                "reading the response from {}{path} failed: the body exceeds `max_body_bytes` \
                 (65536 bytes); it was not read further",
                server.url()
            )
        );
        let written = written.recv_timeout(WAIT).unwrap();
        assert!(
            written < ENDLESS,
            "{path}: the client read all {written} bytes"
        );
    }
}

/// (a) One endless line (no line end ever) is cut at the one-event cap
/// long before `max_body_bytes`; so is an event of endless `data:` lines.
#[test]
fn an_endless_event_is_cut_at_the_event_cap() {
    let server = on_request(|stream, received| {
        let (start, block): (&str, Vec<u8>) = if received.path.ends_with("/line") {
            ("data: ", vec![b'x'; 8192])
        } else {
            (
                "",
                b"data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".repeat(200),
            )
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n{start}"
        );
        let (tx, _) = mpsc::channel();
        write_until_refused(stream, &head, &block, 256 << 20, &tx);
    });
    let transport = http(&server.url(), json!({"max_body_bytes": 128 << 20}));
    for path in ["/v1/line", "/v1/lines"] {
        let (result, sink) = send(&*transport, path, &json!({}), true);
        assert_eq!(
            result.unwrap_err().to_string(),
            format!(
                "reading the response from {}{path} failed: one server-sent event exceeds \
                 1048576 bytes",
                server.url()
            )
        );
        assert!(sink.0.is_empty(), "{path}: {} events", sink.0.len());
    }
}

// (b) -------------------------------------------------------------------------

/// (b) A stream was asked for, and a 200 came back that is no event
/// stream (JSON, an empty body, an error object): the transport returns
/// it whole for the engine to judge, and the sink hears nothing.
#[test]
fn a_200_without_an_event_stream_comes_back_complete() {
    let error = r#"{"error":{"message":"model not loaded","type":"server_error"}}"#;
    let bodies = [CHAT_REPLY, "", error];
    let server = LoopbackServer::start(bodies.iter().map(|b| Reply::json(200, b)).collect());
    let transport = http(server.url(), Value::Null);
    for body in bodies {
        let (result, sink) = send(
            &*transport,
            "/v1/chat/completions",
            &json!({"stream": true}),
            true,
        );
        let response = result.unwrap_or_else(|e| panic!("{body:?}: {e}"));
        assert_eq!(
            response.body,
            ResponseBody::Complete(body.as_bytes().to_vec()),
            "{body:?}"
        );
        assert!(sink.0.is_empty());
        assert_eq!(
            server.next_request().header("accept"),
            Some("text/event-stream")
        );
    }
}

/// (b) A media type is case-insensitive: `Text/Event-Stream` is a stream.
#[test]
fn an_event_stream_media_type_in_any_case_is_a_stream() {
    let server = LoopbackServer::start(vec![Reply {
        status: 200,
        content_type: "Text/Event-Stream; charset=utf-8",
        parts: vec![(Duration::ZERO, b"data: {}\n\ndata: [DONE]\n\n".to_vec())],
    }]);
    let (result, sink) = send(
        &*http(server.url(), Value::Null),
        "/v1/completions",
        &json!({}),
        true,
    );
    assert_eq!(result.unwrap().body, ResponseBody::Streamed { events: 2 });
    assert_eq!(sink.data(), ["{}", "[DONE]"]);
}

// (c) -------------------------------------------------------------------------

/// (c) 301, 302 and 307 are not followed: the error names the Location,
/// and a server standing there receives nothing (so no API key either).
#[test]
fn redirects_are_not_followed_and_name_the_location() {
    let elsewhere = FaultServer::start(|_| {});
    let location = format!("{}/v1/chat/completions", elsewhere.url());
    let to = location.clone();
    let server = on_request(move |stream, received| {
        // The status is the base URL's path: /s301/v1/... answers 301.
        let status = &received.path[2..5];
        let _ = write!(
            stream,
            "HTTP/1.1 {status} Moved\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n"
        );
    });
    for status in [301, 302, 307] {
        let base = format!("{}/s{status}", server.url());
        let transport = http(&base, json!({"api_key": "sk-secret"}));
        let e = send_err(&*transport, "/v1/chat/completions", false);
        assert!(
            matches!(&e, TransportError::Status { status: s, .. } if *s == status),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "{base}/v1/chat/completions answered {status}: a redirect to {location}, which \
                 is not followed (headers such as the API key would go with it); give the final \
                 URL with --url"
            )
        );
    }
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");
}

// (d) -------------------------------------------------------------------------

/// (d) A 20 MB error body: the error shows at most 500 characters of it,
/// and the transport stops reading it (the server cannot write it all).
#[test]
fn a_huge_error_body_is_cut_short_and_not_read() {
    const BODY: usize = 20 << 20;
    let (tx, written) = mpsc::channel();
    let server = on_request(move |stream, _| {
        let head = format!(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: {BODY}\r\n\r\n"
        );
        write_until_refused(stream, &head, &[b'e'; 65536], BODY, &tx);
    });
    let e = send_err(
        &*http(&server.url(), Value::Null),
        "/v1/chat/completions",
        false,
    );
    let TransportError::Status { status, body, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(*status, 500);
    assert_eq!(*body, format!("{}…", "e".repeat(500)));
    let written = written.recv_timeout(WAIT).unwrap();
    assert!(
        written < BODY,
        "the whole {BODY}-byte error body was read ({written})"
    );
}

/// (d) Control characters and terminal escape sequences from the server
/// (error body, Location) are shown escaped, never raw; escaped text
/// still counts towards the 500-character limit.
#[test]
fn control_characters_from_the_server_are_escaped() {
    let server = on_request(|stream, received| {
        let response = match received.path.as_str() {
            "/v1/escapes" => {
                let body = "\x1b[2J\x1b]0;pwned\x07 \u{9b}31m red\r\n";
                format!(
                    "HTTP/1.1 500 X\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
            }
            "/v1/only-escapes" => {
                let body = "\x1b".repeat(5000);
                format!("HTTP/1.1 502 X\r\nContent-Length: 5000\r\n\r\n{body}")
            }
            // C1 CSI (U+009B, UTF-8 bytes C2 9B) is allowed in a header.
            "/v1/location" => {
                "HTTP/1.1 302 X\r\nLocation: http://x/\u{9b}2J\r\nContent-Length: 0\r\n\r\n".into()
            }
            // A raw ESC is not: the answer is not valid HTTP.
            _ => "HTTP/1.1 302 X\r\nLocation: http://x/\x1b[2J\r\nContent-Length: 0\r\n\r\n".into(),
        };
        let _ = stream.write_all(response.as_bytes());
    });
    let transport = http(&server.url(), Value::Null);
    let error = |path: &str| {
        let e = send_err(&*transport, path, false);
        let text = e.to_string();
        assert!(
            !text.chars().any(char::is_control),
            "{path}: raw control characters in {text:?}"
        );
        (e, text)
    };
    let (e, _) = error("/v1/escapes");
    let TransportError::Status { body, .. } = e else {
        panic!("{e}")
    };
    assert_eq!(body, r"\u{1b}[2J\u{1b}]0;pwned\u{7} \u{9b}31m red\r\n");
    let (e, _) = error("/v1/only-escapes");
    let TransportError::Status { body, .. } = e else {
        panic!("{e}")
    };
    assert_eq!(body, format!("{}…", r"\u{1b}".repeat(500 / 6)));
    let (_, text) = error("/v1/location");
    assert!(
        text.contains(r"a redirect to http://x/\u{9b}2J, which"),
        "{text}"
    );
    let (e, text) = error("/v1/raw-escape");
    assert!(matches!(e, TransportError::Read { .. }), "{text}");
}

// (e) -------------------------------------------------------------------------

/// (e) The base URL is joined with the path by the `url` crate: its query
/// is kept, a `/v1` base and a `/v1/...` path share `/v1`, a path prefix
/// stays.
#[test]
fn the_base_url_keeps_its_query_and_path_and_shares_v1() {
    let cases = [
        (
            "/v1?api-version=2024-02",
            "/v1/chat/completions?api-version=2024-02",
        ),
        ("/v1/", "/v1/chat/completions"),
        ("/openai/", "/openai/v1/chat/completions"),
        ("/openai/v1", "/openai/v1/chat/completions"),
    ];
    let server = LoopbackServer::start(
        (0..cases.len())
            .map(|_| Reply::json(200, CHAT_REPLY))
            .collect(),
    );
    for (base, sent) in cases {
        let transport = http(&format!("{}{base}", server.url()), Value::Null);
        let (result, _) = send(&*transport, "/v1/chat/completions", &json!({}), false);
        result.unwrap_or_else(|e| panic!("{base}: {e}"));
        assert_eq!(server.next_request().path, sent, "base {base}");
    }
}

/// (e) A `#fragment` and a port out of range are refused at creation
/// (not dropped, not read as port 80).
#[test]
fn a_fragment_or_a_bad_port_is_refused_at_creation() {
    let e = creation_error(Some("http://127.0.0.1:8000/v1#frag"), Value::Null);
    assert!(
        e.ends_with(
            "http://127.0.0.1:8000/v1#frag has a #fragment, which is never sent to a server; \
             remove it"
        ),
        "{e}"
    );
    let e = creation_error(Some("http://127.0.0.1:99999"), Value::Null);
    assert!(
        e.ends_with(
            "\"http://127.0.0.1:99999\" is not a valid URL (invalid port number); expected \
             http://host:port or https://host"
        ),
        "{e}"
    );
}

/// (e) `http://user:password@host` sends Basic auth; the password is in
/// no request line or Host header and in no error text.
#[test]
fn url_credentials_become_basic_auth_and_the_password_is_never_shown() {
    const PASSWORD: &str = "s3cr%40t"; // "s3cr@t", percent-encoded
    let server = LoopbackServer::start(vec![
        Reply::json(200, CHAT_REPLY),
        Reply::json(500, r#"{"error":"nope"}"#),
    ]);
    let port = server.url().rsplit(':').next().unwrap().to_owned();
    let url = format!("http://user:{PASSWORD}@127.0.0.1:{port}");
    let transport = http(&url, Value::Null);
    let (result, _) = send(&*transport, "/v1/chat/completions", &json!({}), false);
    result.unwrap();
    let received = server.next_request();
    // base64("user:s3cr@t")
    assert_eq!(
        received.header("authorization"),
        Some("Basic dXNlcjpzM2NyQHQ=")
    );
    assert_eq!(received.path, "/v1/chat/completions");
    assert_eq!(received.header("host"), Some(&*format!("127.0.0.1:{port}")));

    let mut errors = vec![send_err(&*transport, "/v1/chat/completions", false).to_string()];
    assert!(
        errors[0].starts_with(&format!(
            "http://user:***@127.0.0.1:{port}/v1/chat/completions answered 500"
        )),
        "{}",
        errors[0]
    );
    drop(server);
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = format!("http://user:{PASSWORD}@127.0.0.1:{closed}");
    errors.push(send_err(&*http(&unreachable, Value::Null), "/v1/x", false).to_string());
    for bad in [
        format!("http://user:{PASSWORD}@127.0.0.1:99999"),
        format!("ftp://user:{PASSWORD}@127.0.0.1"),
        format!("http://user:{PASSWORD}@127.0.0.1/#x"),
        format!("user:{PASSWORD}@127.0.0.1:99999"),
    ] {
        errors.push(creation_error(Some(&bad), Value::Null));
    }
    errors.push(creation_error(
        Some(&url),
        json!({"api_key": "k"}), // two Authorization sources
    ));
    let config = serde_json::from_value(json!({})).unwrap();
    let concrete = aiperf_builtins::transports::Http::new(Some(&url), config).unwrap();
    errors.push(format!("{concrete:?}"));
    for text in &errors {
        assert!(
            !text.contains("s3cr"),
            "the password is in an error: {text}"
        );
    }
    assert!(errors[1].contains("user:***@127.0.0.1"), "{}", errors[1]);
}

// (f) -------------------------------------------------------------------------

/// (f) A stream complete with `[DONE]` on a connection the server keeps
/// open for 30 s: the request returns when the sink says stop, not when
/// the server closes or the timeout comes.
#[test]
fn done_on_a_connection_kept_open_returns_at_once() {
    let server = on_request(|stream, _| {
        let events = [r#"{"n":1}"#, r#"{"n":2}"#, "[DONE]"];
        let mut ok = stream.write_all(EVENT_STREAM_HEAD.as_bytes()).is_ok();
        for event in events {
            ok = ok && stream.write_all(event_chunk(event).as_bytes()).is_ok();
        }
        if ok {
            hold_open(stream); // up to 30 s
        }
    });
    let transport = http(&server.url(), json!({"timeout_s": 60}));
    let body = json!({"stream": true});
    let mut sink = UntilDone::default();
    let started = Instant::now();
    let result = block_on(transport.send(request("/v1/completions", &body, true), &mut sink));
    let elapsed = started.elapsed();
    assert_eq!(result.unwrap().body, ResponseBody::Streamed { events: 3 });
    let data: Vec<&str> = sink.0.iter().map(|(_, d)| d.as_str()).collect();
    assert_eq!(data, [r#"{"n":1}"#, r#"{"n":2}"#, "[DONE]"]);
    // Well under a second unloaded; the bound is loose for a busy machine,
    // and far below the 30 s the server holds the connection.
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

// (g) -------------------------------------------------------------------------

/// (g) Headers the transport sets itself, a second Authorization, and
/// header names or values HTTP cannot carry are refused at creation,
/// naming the field.
#[test]
fn framing_duplicate_auth_and_invalid_headers_are_refused_at_creation() {
    let url = Some("http://127.0.0.1:9");
    for (name, value) in [
        ("Content-Length", "5"),
        ("Transfer-Encoding", "chunked"),
        ("Host", "evil.example"),
        ("connection", "close"),
        ("Content-Type", "text/plain"),
    ] {
        let e = creation_error(url, json!({"headers": {name: value}}));
        assert!(
            e.ends_with(&format!(
                "invalid config: `headers.{name}` is set by the transport itself (framing and \
                 content type); remove it"
            )),
            "{e}"
        );
    }
    let e = creation_error(
        url,
        json!({"api_key": "sk-1", "headers": {"Authorization": "Bearer sk-2"}}),
    );
    assert!(
        e.ends_with(
            "invalid config: `headers.Authorization` sets Authorization, which `api_key` or the \
             URL already sets; keep one"
        ),
        "{e}"
    );
    let e = creation_error(
        Some("http://u:p@127.0.0.1:9"),
        json!({"headers": {"authorization": "Bearer sk-2"}}),
    );
    assert!(
        e.contains("`headers.authorization` sets Authorization"),
        "{e}"
    );
    let e = creation_error(url, json!({"headers": {"X-Team": "a", "x-team": "b"}}));
    assert!(
        e.contains("is given twice (header names ignore case)"),
        "{e}"
    );
    for name in ["bad header", "x:y", "", "é", "x\ny"] {
        let e = creation_error(url, json!({"headers": {name: "v"}}));
        assert!(e.contains("is not a valid header name"), "{name:?}: {e}");
        assert!(!e.contains('\n'), "{e:?}");
    }
    for value in ["a\r\nX-Injected: 1", "é", "\u{7}"] {
        let e = creation_error(url, json!({"headers": {"X-Team": value}}));
        assert!(
            e.ends_with(
                "invalid config: the value of `headers.X-Team` holds characters a header cannot \
                 carry (control characters or non-ASCII)"
            ),
            "{value:?}: {e}"
        );
    }
}

// (h) -------------------------------------------------------------------------

/// A keep-alive server: answers every request on a connection with
/// `respond`'s bytes, until the client closes it.
fn keep_alive(respond: fn() -> String) -> (FaultServer, mpsc::Receiver<String>) {
    let (tx, served) = mpsc::channel();
    let server = FaultServer::start(move |stream| {
        let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
        let mut stream = stream;
        while let Some(received) = read_request(&mut reader) {
            // One write: the whole answer arrives at once.
            if stream.write_all(respond().as_bytes()).is_err() {
                return;
            }
            let _ = tx.send(received.path);
        }
    });
    (server, served)
}

/// (h) Sequential requests to a keep-alive server reuse one connection:
/// complete bodies, and streams the engine stops reading at `[DONE]`.
#[test]
fn sequential_requests_reuse_one_pooled_connection() {
    const REQUESTS: usize = 5;
    let (json_server, served) = keep_alive(|| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{CHAT_REPLY}",
            CHAT_REPLY.len()
        )
    });
    let transport = http(&json_server.url(), Value::Null);
    block_on(async {
        for _ in 0..REQUESTS {
            let body = json!({});
            let response = transport
                .send(
                    request("/v1/chat/completions", &body, false),
                    &mut Collect::default(),
                )
                .await
                .unwrap();
            assert_eq!(
                response.body,
                ResponseBody::Complete(CHAT_REPLY.as_bytes().to_vec())
            );
            settle().await;
        }
    });
    assert_eq!(served.iter().take(REQUESTS).count(), REQUESTS);
    assert_eq!(json_server.connections(), 1, "complete bodies");

    // A stream's end (the last, empty chunk) comes only after the engine
    // stopped reading at [DONE], as from a server that writes it apart:
    // the transport must still read it, or lose the connection.
    let (stopped_tx, stopped) = mpsc::channel::<()>();
    let (ended_tx, ended) = mpsc::channel::<()>();
    let stopped = std::sync::Mutex::new(stopped);
    let stream_server = FaultServer::start(move |stream| {
        let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
        let mut stream = stream;
        while read_request(&mut reader).is_some() {
            let events = format!(
                "{EVENT_STREAM_HEAD}{}{}{}",
                event_chunk(r#"{"n":1}"#),
                event_chunk(r#"{"n":2}"#),
                event_chunk("[DONE]")
            );
            if stream.write_all(events.as_bytes()).is_err()
                || stopped.lock().unwrap().recv_timeout(WAIT).is_err()
                || stream.write_all(b"0\r\n\r\n").is_err()
            {
                return;
            }
            let _ = ended_tx.send(());
        }
    });
    /// Stops at [DONE] and tells the server so.
    struct StopAtDone(mpsc::Sender<()>);
    impl aiperf_plugin_api::EventSink for StopAtDone {
        fn event(&mut self, _: Instant, data: &str) -> bool {
            if data == "[DONE]" {
                let _ = self.0.send(());
                return false;
            }
            true
        }
    }
    let transport = http(&stream_server.url(), Value::Null);
    block_on(async {
        for i in 0..REQUESTS {
            let body = json!({"stream": true});
            let mut sink = StopAtDone(stopped_tx.clone());
            let response = transport
                .send(request("/v1/completions", &body, true), &mut sink)
                .await
                .unwrap();
            assert_eq!(response.body, ResponseBody::Streamed { events: 3 });
            // The end is written (and so on its way over loopback) before
            // the next request; then the runtime reads it.
            ended
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("request {i}: the server wrote no end"));
            settle().await;
        }
    });
    assert_eq!(
        stream_server.connections(),
        1,
        "streams stopped at [DONE], their end written after"
    );
}

// (i) -------------------------------------------------------------------------

/// (i) `timeout_s` bounds the whole request: a server that accepts and
/// never answers, and one that stalls in the middle of a stream.
#[test]
fn timeout_s_bounds_the_whole_request() {
    let server = on_request(|stream, received| {
        if received.path.ends_with("/stall-stream") {
            let head = format!("{EVENT_STREAM_HEAD}{}", event_chunk(r#"{"n":1}"#));
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
        }
        hold_open(stream);
    });
    let transport = http(&server.url(), json!({"timeout_s": 0.3}));
    for path in ["/v1/silent", "/v1/stall-stream"] {
        let started = Instant::now();
        let (result, sink) = send(&*transport, path, &json!({}), true);
        let elapsed = started.elapsed();
        assert_eq!(
            result.unwrap_err().to_string(),
            format!(
                "reading the response from {}{path} failed: timed out after 0.3 s (`timeout_s`)",
                server.url()
            )
        );
        assert!(elapsed >= Duration::from_millis(300), "{path}: {elapsed:?}");
        assert!(elapsed < Duration::from_secs(10), "{path}: {elapsed:?}");
        let expected = usize::from(path.ends_with("/stall-stream"));
        assert_eq!(sink.0.len(), expected, "{path}");
    }
}

/// (i) `connect_timeout_s` bounds connecting, TLS handshake included: a
/// server that accepts TCP and never answers the TLS hello.
#[test]
fn connect_timeout_s_bounds_the_tls_handshake() {
    let server = FaultServer::start(|mut stream| hold_open(&mut stream));
    let url = format!("https://{}", server.addr());
    let transport = http(
        &url,
        json!({"connect_timeout_s": 0.3, "timeout_s": 30, "tls": {"insecure": true}}),
    );
    let started = Instant::now();
    let e = send_err(&*transport, "/v1/chat/completions", false);
    let elapsed = started.elapsed();
    assert!(matches!(e, TransportError::Connect { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "cannot reach {url}/v1/chat/completions: timed out connecting after 0.3 s \
             (`connect_timeout_s`)"
        )
    );
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

/// (i) `connect_timeout_s` bounds the TCP connection: a listener whose
/// accept queue is full drops the client's SYN, so connecting hangs.
#[test]
fn connect_timeout_s_bounds_the_tcp_connection() {
    block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(1).unwrap();
        let addr = listener.local_addr().unwrap();
        // Connections nobody accepts, until the queue refuses one.
        let mut queued = Vec::new();
        loop {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(stream) => queued.push(stream),
                Err(_) => break,
            }
            assert!(queued.len() < 64, "the accept queue never filled");
        }
        let url = format!("http://{addr}");
        let transport = http(&url, json!({"connect_timeout_s": 0.3, "timeout_s": 30}));
        let started = Instant::now();
        let mut sink = Collect::default();
        let body = json!({});
        let e = transport
            .send(request("/v1/chat/completions", &body, false), &mut sink)
            .await
            .unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(
            e.to_string(),
            format!(
                "cannot reach {url}/v1/chat/completions: timed out connecting after 0.3 s \
                 (`connect_timeout_s`)"
            )
        );
        assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        drop(listener);
    });
}

// (j) -------------------------------------------------------------------------

/// A TLS server on loopback presenting a certificate for 127.0.0.1 that a
/// test CA signed, and that CA as a PEM file (`tls.ca_file`).
struct TlsServer {
    server: FaultServer,
    ca_file: PathBuf,
    received: mpsc::Receiver<Received>,
    /// The scratch directory holding `ca_file`, removed when dropped.
    _dir: Box<dyn std::any::Any>,
}

/// `der` as a PEM certificate.
fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

impl TlsServer {
    /// Answers each request over TLS with [`CHAT_REPLY`].
    fn start() -> TlsServer {
        TlsServer::start_after(Duration::ZERO)
    }

    /// Like [`start`](TlsServer::start), but each connection waits
    /// `handshake_delay` before it answers the client's hello.
    fn start_after(handshake_delay: Duration) -> TlsServer {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
            KeyUsagePurpose,
        };
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.distinguished_name
            .push(DnType::CommonName, "aiperf test CA");
        let ca = ca.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf = leaf.signed_by(&key, &ca, &ca_key).unwrap();

        let dir = scratch_dir("http-tls");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, pem(ca.der())).unwrap();

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
            )
            .unwrap();
        let config = Arc::new(config);
        let (tx, received) = mpsc::channel();
        let server = FaultServer::start(move |stream| {
            std::thread::sleep(handshake_delay);
            let Ok(connection) = rustls::ServerConnection::new(Arc::clone(&config)) else {
                return;
            };
            // A client that refuses the certificate ends the handshake:
            // reading the request then fails, and this connection ends.
            let mut reader = BufReader::new(rustls::StreamOwned::new(connection, stream));
            if let Some(request) = read_request(&mut reader) {
                let tls = reader.get_mut();
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{CHAT_REPLY}",
                    CHAT_REPLY.len()
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
                let _ = tx.send(request);
            }
        });
        TlsServer {
            server,
            ca_file,
            received,
            _dir: Box::new(dir),
        }
    }

    /// `https://127.0.0.1:PORT`.
    fn url(&self) -> String {
        format!("https://{}", self.server.addr())
    }
}

/// (j) `https://` against a server whose certificate a self-signed CA
/// issued: it works with the CA as `tls.ca_file`, fails with a
/// certificate error without it, and works with `tls.insecure: true`.
#[test]
fn https_trusts_the_ca_file_refuses_an_unknown_issuer_and_insecure_skips_checks() {
    let tls = TlsServer::start();
    let url = tls.url();
    let ca_file = tls.ca_file.to_str().unwrap();

    let transport = http(
        &url,
        json!({"tls": {"ca_file": ca_file}, "api_key": "sk-tls"}),
    );
    let (result, _) = send(&*transport, "/v1/chat/completions", &json!({}), false);
    let response = result.unwrap_or_else(|e| panic!("with the CA: {e}"));
    assert_eq!(
        response.body,
        ResponseBody::Complete(CHAT_REPLY.as_bytes().to_vec())
    );
    let received = tls.received.recv_timeout(WAIT).unwrap();
    assert_eq!(received.path, "/v1/chat/completions");
    assert_eq!(received.header("authorization"), Some("Bearer sk-tls"));

    // The bundled roots do not know the test CA (nor does the system's).
    for config in [json!({"tls": {"roots": "webpki"}}), Value::Null] {
        let e = send_err(&*http(&url, config.clone()), "/v1/chat/completions", false);
        assert!(matches!(e, TransportError::Connect { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            format!(
                "cannot reach {url}/v1/chat/completions: invalid peer certificate: UnknownIssuer"
            ),
            "{config}"
        );
    }

    let transport = http(&url, json!({"tls": {"insecure": true}}));
    let (result, _) = send(&*transport, "/v1/chat/completions", &json!({}), false);
    let response = result.unwrap_or_else(|e| panic!("insecure: {e}"));
    assert_eq!(
        response.body,
        ResponseBody::Complete(CHAT_REPLY.as_bytes().to_vec())
    );

    // A CA file that is missing or holds no certificate: refused at creation.
    let e = creation_error(Some(&url), json!({"tls": {"ca_file": "/no/such/ca.pem"}}));
    assert!(
        e.contains("invalid config: `tls.ca_file` /no/such/ca.pem: "),
        "{e}"
    );
    let empty = tls.ca_file.with_file_name("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let e = creation_error(Some(&url), json!({"tls": {"ca_file": empty}}));
    assert!(e.contains("holds no PEM certificate"), "{e}");
}

/// (j) For `https://`, `connecting` holds the TLS handshake: a server that
/// waits before answering the client's hello makes connecting at least
/// that long, and the request's other phases do not pay it again.
#[test]
fn https_connecting_includes_the_tls_handshake() {
    const HANDSHAKE_DELAY: Duration = Duration::from_millis(100);
    let tls = TlsServer::start_after(HANDSHAKE_DELAY);
    let ca_file = tls.ca_file.to_str().unwrap();
    let transport = http(&tls.url(), json!({"tls": {"ca_file": ca_file}}));
    let started = Instant::now();
    let (result, _) = send(&*transport, "/v1/chat/completions", &json!({}), false);
    let elapsed = started.elapsed();
    let timing = result.unwrap_or_else(|e| panic!("{e}")).timing;
    assert_eq!(timing.connection_reused, Some(false), "{timing:?}");
    let (connecting, waiting, receiving) = (
        timing.connecting.unwrap(),
        timing.waiting.unwrap(),
        timing.receiving.unwrap(),
    );
    assert!(connecting >= HANDSHAKE_DELAY, "{timing:?}");
    assert!(
        connecting + waiting + receiving <= elapsed,
        "{timing:?} adds up to more than the request's {elapsed:?}"
    );
    assert_eq!(timing.bytes_received, Some(CHAT_REPLY.len() as u64));
}

/// A fixed read buffer (`read_buffer_bytes`) is checked when the config
/// loads.
#[test]
fn a_read_buffer_out_of_range_is_refused() {
    let e = creation_error(
        Some("http://127.0.0.1:9"),
        json!({"read_buffer_bytes": 100}),
    );
    assert!(
        e.ends_with("invalid config: `read_buffer_bytes` is 100; it must be from 512 to 1048576"),
        "{e}"
    );
}
