//! Streaming: the event shape, usage only when asked, and timing — lower
//! bounds asserted tightly, upper bounds loosely (a loaded 2-core machine
//! may wake a thread late, never early).

mod common;

use std::time::{Duration, Instant};

use aiperf_mock_server::{MockConfig, MockServer};
use common::{Conn, chat, eventually};
use serde_json::{Value, json};

const MS: Duration = Duration::from_millis(1);

/// Sends `body` on a new connection and reads the stream to `[DONE]`:
/// when it was sent, and each event before `[DONE]` with its arrival.
fn stream(server: &MockServer, path: &str, body: &Value) -> (Instant, Vec<(Instant, Value)>) {
    let mut conn = Conn::connect(server.addr());
    let sent = Instant::now();
    conn.send("POST", path, body.to_string().as_bytes());
    let head = conn.read_head();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    let events = conn.read_events(&head);
    assert_eq!(events.last().unwrap().1, "[DONE]");
    let events = events[..events.len() - 1]
        .iter()
        .map(|(at, data)| (*at, serde_json::from_str(data).unwrap()))
        .collect();
    (sent, events)
}

#[test]
fn ttft_and_itl_are_served_as_configured() {
    let server = MockServer::start(MockConfig {
        ttft: 50 * MS,
        itl: 10 * MS,
        ..MockConfig::default()
    })
    .unwrap();
    let (sent, events) = stream(
        &server,
        "/v1/chat/completions",
        &chat("time me", Some(5), true),
    );
    assert_eq!(events.len(), 5, "one event per token");

    // What the client saw.
    let first_seen = events[0].0 - sent;
    let last_seen = events[4].0 - sent;
    assert!(first_seen >= 50 * MS, "first chunk after {first_seen:?}");
    assert!(last_seen >= 90 * MS, "last chunk after {last_seen:?}");
    assert!(first_seen < 2000 * MS, "first chunk after {first_seen:?}");

    // What the server did.
    let served = server.served();
    assert_eq!(served.len(), 1);
    let s = &served[0];
    assert!(s.stream);
    assert_eq!(s.output_tokens, 5);
    let ttft = s.ttft().unwrap();
    println!("served ttft {ttft:?}, client first chunk {first_seen:?}");
    assert!(ttft >= 50 * MS, "served ttft {ttft:?}");
    assert!(ttft < 50 * MS + 100 * MS, "served ttft {ttft:?}");
    let last = s.last_token.unwrap() - s.received;
    assert!(
        last >= 90 * MS,
        "last token {last:?} after the body was read"
    );
    // The server's instants and the client's line up: the body was read
    // after it was sent, and a token was handed out before it arrived.
    assert!(s.received >= sent);
    assert!(s.first_token.unwrap() <= events[0].0);
    assert!(s.last_token.unwrap() <= events[4].0);
    assert!(s.completed.unwrap() >= s.last_token.unwrap());
}

#[test]
fn chat_chunks_carry_delta_content_and_the_last_the_finish_reason() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    let (_, events) = stream(&server, "/v1/chat/completions", &chat("a b", Some(4), true));
    assert_eq!(events.len(), 4);
    let mut content = String::new();
    for (i, (_, chunk)) in events.iter().enumerate() {
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk["model"], "test-model");
        let choice = &chunk["choices"][0];
        content.push_str(choice["delta"]["content"].as_str().unwrap());
        let want = if i == 3 { json!("length") } else { Value::Null };
        assert_eq!(choice["finish_reason"], want);
        assert_eq!(choice["delta"].get("role").is_some(), i == 0);
    }
    assert_eq!(content.split_whitespace().count(), 4, "{content:?}");
}

#[test]
fn completions_stream_choices_text() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    let (_, events) = stream(
        &server,
        "/v1/completions",
        &json!({"prompt": "p", "max_tokens": 3, "stream": true}),
    );
    assert_eq!(events.len(), 3);
    for (_, chunk) in &events {
        assert_eq!(chunk["object"], "text_completion");
        assert!(chunk["choices"][0]["text"].is_string());
    }
}

#[test]
fn usage_is_streamed_only_when_asked() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    let (_, events) = stream(
        &server,
        "/v1/chat/completions",
        &chat("x y z", Some(3), true),
    );
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|(_, e)| e.get("usage").is_none()));

    let mut body = chat("x y z", Some(3), true);
    body["stream_options"] = json!({"include_usage": true});
    let (_, events) = stream(&server, "/v1/chat/completions", &body);
    assert_eq!(events.len(), 4, "3 tokens and the usage chunk");
    for (_, e) in &events[..3] {
        assert_eq!(e["usage"], Value::Null);
    }
    let last = &events[3].1;
    assert_eq!(last["choices"], json!([]));
    assert_eq!(
        last["usage"],
        json!({"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6})
    );

    body["stream_options"] = json!({"include_usage": false});
    let (_, events) = stream(&server, "/v1/chat/completions", &body);
    assert_eq!(events.len(), 3);
}

#[test]
fn a_non_streamed_answer_waits_for_its_last_token() {
    let server = MockServer::start(MockConfig {
        ttft: 30 * MS,
        itl: 5 * MS,
        ..MockConfig::default()
    })
    .unwrap();
    let sent = Instant::now();
    let r = common::post(
        server.addr(),
        "/v1/chat/completions",
        &chat("x", Some(5), false),
    );
    let elapsed = sent.elapsed();
    assert_eq!(r.status(), 200);
    assert!(elapsed >= 50 * MS, "{elapsed:?}");
    let s = &server.served()[0];
    assert!(s.duration().unwrap() >= 50 * MS);
    assert!(s.duration().unwrap() < 50 * MS + 1000 * MS);
}

#[test]
fn fast_mode_streams_without_waiting() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    stream(&server, "/v1/chat/completions", &chat("x", Some(50), true));
    let s = &server.served()[0];
    assert_eq!(s.output_tokens, 50);
    // Loose: only that no 20 ms default TTFT was applied (plus slack).
    assert!(s.duration().unwrap() < 1000 * MS, "{:?}", s.duration());
}

#[test]
fn a_stream_cut_short_is_recorded_as_incomplete() {
    let server = MockServer::start(MockConfig {
        ttft: Duration::ZERO,
        itl: 20 * MS,
        ..MockConfig::default()
    })
    .unwrap();
    let mut conn = Conn::connect(server.addr());
    conn.send(
        "POST",
        "/v1/chat/completions",
        chat("x", Some(1000), true).to_string().as_bytes(),
    );
    let head = conn.read_head();
    assert_eq!(head.status, 200);
    assert!(conn.read_chunk().is_some());
    conn.close();
    let s = eventually(|| server.served().pop());
    assert_eq!(s.completed, None);
    assert!(
        s.output_tokens >= 1 && s.output_tokens < 1000,
        "{}",
        s.output_tokens
    );
    assert!(s.first_token.is_some());
}

#[test]
fn dropping_the_server_ends_streams_in_flight() {
    let server = MockServer::start(MockConfig {
        ttft: Duration::from_secs(30),
        ..MockConfig::default()
    })
    .unwrap();
    let mut conn = Conn::connect(server.addr());
    conn.send(
        "POST",
        "/v1/chat/completions",
        chat("x", Some(5), true).to_string().as_bytes(),
    );
    let head = conn.read_head();
    assert_eq!(head.status, 200);
    let start = Instant::now();
    drop(server);
    assert!(start.elapsed() < Duration::from_secs(10));
}
