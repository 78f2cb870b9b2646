//! The `http` transport's [`ExchangeTiming`]: connection reuse and connect
//! time, time to the response head (`waiting`), time to the end of the
//! body (`receiving`) and the body sizes, each against a loopback server
//! that takes a known time for each phase. Every duration checked has a
//! lower bound and, all together, an upper one: they are disjoint parts of
//! the time the request took, measured around it.
//!
//! The transport sees the response head when its task resumes, which on a
//! loaded machine can be some milliseconds after the head arrived: that
//! lateness moves time from `receiving` to `waiting`. So `waiting` and the
//! sum of the two are bounded by the server's delays exactly, `receiving`
//! alone by what the transport saw (the events it timestamped) or, for a
//! complete body, with a margin.

mod common;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aiperf_plugin_api::{ExchangeTiming, ResponseBody, TransportResponse};
use aiperf_test_support::{FaultServer, Received, read_request};
use common::{Collect, UntilDone, block_on, http, request};
use serde_json::{Value, json};

/// How long a test waits for what its server reports (never reached
/// unless something is broken).
const WAIT: Duration = Duration::from_secs(10);

const CHAT_REPLY: &str = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"hi there"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#;

/// Lets the runtime's other tasks (the connection's, the pool's) run to
/// where they wait, so a finished connection is back in the pool: yields,
/// never sleeps.
async fn settle() {
    for _ in 0..256 {
        tokio::task::yield_now().await;
    }
}

/// A keep-alive server: every request on a connection is reported (with
/// its body) and answered by `respond`, until the client closes it.
fn keep_alive<F>(respond: F) -> (FaultServer, mpsc::Receiver<Received>)
where
    F: Fn(&mut TcpStream) -> std::io::Result<()> + Send + Sync + 'static,
{
    let (tx, received) = mpsc::channel();
    let server = FaultServer::start(move |stream| {
        let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
        let mut stream = stream;
        while let Some(request) = read_request(&mut reader) {
            let _ = tx.send(request);
            if respond(&mut stream).is_err() {
                return;
            }
        }
    });
    (server, received)
}

/// A complete JSON answer with its length, in one write.
fn json_answer(stream: &mut TcpStream) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n\
         {CHAT_REPLY}",
        CHAT_REPLY.len()
    )
}

/// One chunk of a `Transfer-Encoding: chunked` body.
fn chunk(data: &str) -> String {
    format!("{:x}\r\n{data}\r\n", data.len())
}

/// `timing`'s durations, which must all be there.
fn phases(timing: &ExchangeTiming) -> (Duration, Duration, Duration) {
    (
        timing.connecting.expect("connecting"),
        timing.waiting.expect("waiting"),
        timing.receiving.expect("receiving"),
    )
}

/// The phases are disjoint parts of the request: together no longer than
/// it took (`elapsed`, measured around the send).
#[track_caller]
fn within(timing: &ExchangeTiming, elapsed: Duration) {
    let (connecting, waiting, receiving) = phases(timing);
    assert!(
        connecting + waiting + receiving <= elapsed,
        "{timing:?} adds up to more than the request's {elapsed:?}"
    );
}

/// Sends `body` to `path` of a transport made for `url` on a runtime of
/// its own; returns the response, the events (up to `[DONE]`, where the
/// engine stops) and how long the send took.
fn timed_send(
    url: &str,
    body: &Value,
    stream: bool,
) -> (TransportResponse, Vec<(Instant, String)>, Duration) {
    let transport = http(url, json!({"timeout_s": 30}));
    block_on(async {
        let mut sink = UntilDone::default();
        let started = Instant::now();
        let response = transport
            .send(request("/v1/chat/completions", body, stream), &mut sink)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        (response, sink.0, started.elapsed())
    })
}

/// The first request on a fresh transport opens a connection and is
/// charged for it; the next one, sent after the first is done, reuses the
/// connection and is charged nothing. Both count the bodies exactly.
#[test]
fn the_first_request_opens_a_connection_and_the_next_reuses_it() {
    let (server, received) = keep_alive(json_answer);
    let transport = http(&server.url(), Value::Null);
    let payload = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
    let timings = block_on(async {
        let mut timings = Vec::new();
        for _ in 0..2 {
            let started = Instant::now();
            let response = transport
                .send(
                    request("/v1/chat/completions", &payload, false),
                    &mut Collect::default(),
                )
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                response.body,
                ResponseBody::Complete(CHAT_REPLY.as_bytes().to_vec())
            );
            within(&response.timing, started.elapsed());
            timings.push(response.timing);
            settle().await;
        }
        timings
    });
    assert_eq!(
        server.connections(),
        1,
        "the second request reused the first's"
    );
    let (first, second) = (timings[0], timings[1]);
    assert_eq!(first.connection_reused, Some(false), "{first:?}");
    assert!(first.connecting.unwrap() > Duration::ZERO, "{first:?}");
    assert_eq!(second.connection_reused, Some(true), "{second:?}");
    assert_eq!(second.connecting, Some(Duration::ZERO), "{second:?}");
    for (i, timing) in timings.iter().enumerate() {
        let sent = received.recv_timeout(WAIT).unwrap();
        assert_eq!(
            timing.bytes_sent,
            Some(sent.body.len() as u64),
            "request {i}: the body's length"
        );
        assert_eq!(sent.body, serde_json::to_vec(&payload).unwrap());
        assert_eq!(
            timing.bytes_received,
            Some(CHAT_REPLY.len() as u64),
            "request {i}: the body's length, headers excluded"
        );
    }
}

/// `waiting` runs to the response head, however long the server takes to
/// send it, and `receiving` from there to the body's last byte; the
/// connect time is in neither.
#[test]
fn waiting_ends_at_the_head_and_receiving_at_the_last_byte() {
    // The gap is over twice the head's delay: `receiving` is checked
    // against half the gap (see the file's comment), which `waiting` and
    // `receiving` swapped would not reach.
    const HEAD_DELAY: Duration = Duration::from_millis(50);
    const BODY_GAP: Duration = Duration::from_millis(200);
    let (server, _received) = keep_alive(|stream| {
        std::thread::sleep(HEAD_DELAY);
        let (start, rest) = CHAT_REPLY.split_at(10);
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n\
             {start}",
            CHAT_REPLY.len()
        )?;
        std::thread::sleep(BODY_GAP);
        stream.write_all(rest.as_bytes())
    });
    let (response, _, elapsed) = timed_send(&server.url(), &json!({"x": 1}), false);
    assert_eq!(
        response.body,
        ResponseBody::Complete(CHAT_REPLY.as_bytes().to_vec())
    );
    let timing = response.timing;
    let (_, waiting, receiving) = phases(&timing);
    assert!(waiting >= HEAD_DELAY, "{timing:?}");
    assert!(waiting + receiving >= HEAD_DELAY + BODY_GAP, "{timing:?}");
    assert!(receiving >= BODY_GAP / 2, "{timing:?}");
    within(&timing, elapsed);
    assert_eq!(timing.connection_reused, Some(false));
    assert_eq!(timing.bytes_sent, Some(br#"{"x":1}"#.len() as u64));
    assert_eq!(timing.bytes_received, Some(CHAT_REPLY.len() as u64));
}

/// An event stream: `waiting` to the head, `receiving` to the `[DONE]`
/// event the engine stops at, and the bytes are the event stream's
/// (decoded from its chunks).
#[test]
fn a_stream_is_received_until_its_end_marker() {
    const HEAD_DELAY: Duration = Duration::from_millis(60);
    const EVENT_GAP: Duration = Duration::from_millis(120);
    const EVENTS: [&str; 3] = [
        "data: {\"n\":1}\n\n",
        "data: {\"n\":2}\n\n",
        "data: [DONE]\n\n",
    ];
    let (server, _received) = keep_alive(|stream| {
        std::thread::sleep(HEAD_DELAY);
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
             Transfer-Encoding: chunked\r\n\r\n{}",
            chunk(EVENTS[0])
        )?;
        std::thread::sleep(EVENT_GAP);
        write!(stream, "{}{}0\r\n\r\n", chunk(EVENTS[1]), chunk(EVENTS[2]))
    });
    let (response, events, elapsed) = timed_send(&server.url(), &json!({"stream": true}), true);
    assert_eq!(response.body, ResponseBody::Streamed { events: 3 });
    let timing = response.timing;
    let (_, waiting, receiving) = phases(&timing);
    assert!(waiting >= HEAD_DELAY, "{timing:?}");
    assert!(waiting + receiving >= HEAD_DELAY + EVENT_GAP, "{timing:?}");
    // Receiving spans every event the transport handed over, the last of
    // them [DONE], where the engine stopped.
    let (first, last) = (events[0].0, events[events.len() - 1].0);
    assert_eq!(events[events.len() - 1].1, "[DONE]");
    assert!(receiving >= last.duration_since(first), "{timing:?}");
    within(&timing, elapsed);
    let body: usize = EVENTS.iter().map(|e| e.len()).sum();
    assert_eq!(timing.bytes_received, Some(body as u64), "{timing:?}");
    assert_eq!(timing.bytes_sent, Some(br#"{"stream":true}"#.len() as u64));
}
