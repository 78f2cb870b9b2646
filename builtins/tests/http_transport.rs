//! The `http` transport against a loopback server this test starts. The
//! regression tests of its faults (caps, redirects, timeouts, TLS, ...) are
//! in `http_faults.rs`.

mod common;

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use aiperf_builtins::transports::{Http, HttpConfig};
use aiperf_engine::benchmark::{Benchmark, BuildOptions};
use aiperf_engine::config::parse_config_str;
use aiperf_plugin_api::TransportCategory;
use aiperf_plugin_api::{ResponseBody, TransportArgs, TransportError};
use aiperf_test_support::{LoopbackServer, Reply};
use common::{creation_error, http, send, send_err};
use registry_core::Implementation;
use serde_json::{Value, json};

const CHAT_REPLY: &str = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"hi there"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#;

#[test]
fn posts_json_and_returns_the_body() {
    let server = LoopbackServer::start(vec![Reply::json(200, CHAT_REPLY)]);
    let transport = http(
        &format!("{}/", server.url()),
        json!({"api_key": "sk-abc123", "headers": {"x-team": "perf"}}),
    );
    let payload = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
    let (response, events) = send(&*transport, "/v1/chat/completions", &payload, false);
    let response = response.unwrap();
    assert!(events.0.is_empty());
    assert_eq!(response.status, 200);
    assert_eq!(
        response.body,
        ResponseBody::Complete(CHAT_REPLY.as_bytes().to_vec())
    );
    let received = server.next_request();
    assert_eq!(
        (received.method.as_str(), received.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(received.header("content-type"), Some("application/json"));
    assert_eq!(received.header("authorization"), Some("Bearer sk-abc123"));
    assert_eq!(received.header("x-team"), Some("perf"));
    assert_eq!(
        serde_json::from_slice::<Value>(&received.body).unwrap(),
        payload
    );
    let concrete = <Http as Implementation<TransportCategory>>::create(TransportArgs {
        url: Some(server.url().to_owned()),
        config: json!({"api_key": "sk-abc123"}),
    })
    .unwrap();
    // Debug output names the headers, never their values.
    let debug = format!("{concrete:?}");
    assert!(
        !debug.contains("sk-abc123") && debug.contains("authorization"),
        "{debug}"
    );
    let config: HttpConfig = serde_json::from_value(json!({"api_key": "sk-abc123"})).unwrap();
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("sk-abc123") && debug.contains("<hidden>"),
        "{debug}"
    );
}

#[test]
fn streams_events_timestamped_on_arrival() {
    let server = LoopbackServer::start(vec![Reply::events(&[
        (Duration::ZERO, r#"{"n":1}"#),
        (Duration::from_millis(150), r#"{"n":2}"#),
        (Duration::ZERO, "[DONE]"),
    ])]);
    let transport = http(server.url(), Value::Null);
    let started = Instant::now();
    let (response, sink) = send(
        &*transport,
        "/v1/completions",
        &json!({"prompt": "x", "stream": true}),
        true,
    );
    assert_eq!(response.unwrap().body, ResponseBody::Streamed { events: 3 });
    assert_eq!(sink.data(), [r#"{"n":1}"#, r#"{"n":2}"#, "[DONE]"]);
    let at: Vec<Instant> = sink.0.iter().map(|(at, _)| *at).collect();
    assert!(at[1].duration_since(at[0]) >= Duration::from_millis(140));
    assert!(at[0].duration_since(started) < at[1].duration_since(started));
    assert_eq!(
        server.next_request().header("accept"),
        Some("text/event-stream")
    );
}

#[test]
fn error_statuses_unreachable_servers_and_timeouts_are_errors() {
    let server = LoopbackServer::start(vec![Reply::json(500, r#"{"error":"overloaded"}"#)]);
    let e = send_err(&*http(server.url(), Value::Null), "/v1/embeddings", false);
    assert!(
        matches!(&e, TransportError::Status { status: 500, body, .. } if body.contains("overloaded")),
        "{e}"
    );
    assert!(
        e.to_string()
            .ends_with(r#"/v1/embeddings answered 500: {"error":"overloaded"}"#),
        "{e}"
    );

    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let e = send_err(&*http(&url, Value::Null), "/v1/chat/completions", false);
    assert!(matches!(e, TransportError::Connect { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("cannot reach {url}/v1/chat/completions: ")),
        "{e}"
    );

    let slow = LoopbackServer::start(vec![Reply {
        status: 200,
        content_type: "application/json",
        parts: vec![(Duration::from_secs(1), b"{}".to_vec())],
    }]);
    let e = send_err(
        &*http(slow.url(), json!({"timeout_s": 0.2})),
        "/v1/completions",
        false,
    );
    assert!(e.to_string().contains("timed out after 0.2 s"), "{e}");
}

#[test]
fn bad_urls_and_configs_fail_at_creation_with_what_to_do() {
    let create = creation_error;
    assert!(create(None, Value::Null).contains("set `transport.url` in the config or pass --url"));
    // https is supported (rustls); creating the client contacts no server.
    http("https://api.example.com", Value::Null);
    assert_eq!(
        create(Some("ftp://x"), Value::Null),
        "creating transport \"http\" implementation \"hyper_rustls\" failed: \"ftp://x\" is not an \
         http(s) URL; expected http://host:port or https://host"
    );
    assert!(create(Some("http://x"), json!({"timeout": 5})).contains("unknown field `timeout`"));
    // A timeout no Duration (or deadline) can hold is an error, not a panic.
    for (timeout, shown) in [
        (1e300, "1e300"),
        (0.0, "0"),
        (f64::MAX, "1.7976931348623157e308"),
    ] {
        let e = create(Some("http://x"), json!({ "timeout_s": timeout }));
        assert!(
            e.ends_with(&format!(
                "invalid config: `timeout_s` is {shown}; it must be seconds > 0 and at most \
                 604800 (7 days)"
            )),
            "{e}"
        );
    }
}

/// `aiperf profile`'s engine over real HTTP: non-streaming and streaming.
#[test]
fn a_benchmark_over_http_end_to_end() {
    let stream_reply = || {
        Reply::events(&[
            (
                Duration::ZERO,
                r#"{"choices":[{"index":0,"delta":{"role":"assistant"}}]}"#,
            ),
            (
                Duration::from_millis(5),
                r#"{"choices":[{"index":0,"delta":{"content":"a "}}]}"#,
            ),
            (
                Duration::ZERO,
                r#"{"choices":[{"index":0,"delta":{"content":"b"}}]}"#,
            ),
            (Duration::ZERO, "[DONE]"),
        ])
    };
    for streaming in [false, true] {
        let replies = (0..4)
            .map(|_| {
                if streaming {
                    stream_reply()
                } else {
                    Reply::json(200, CHAT_REPLY)
                }
            })
            .collect();
        let server = LoopbackServer::start(replies);
        let yaml = format!(
            "plugins: {{ timing_strategy: {{ name: concurrency, config: {{ concurrency: 1, requests: 4 }} }} }}\n\
             endpoint: {{ type: chat, model: demo, streaming: {streaming} }}\n\
             transport: {{ type: http, url: '{}' }}\nui: {{ name: none }}\n",
            server.url()
        );
        let (config, secrets) = parse_config_str(&yaml, "http.yaml", &|_| None).unwrap();
        let mut benchmark =
            Benchmark::from_config(&config, &secrets, BuildOptions::default()).unwrap();
        let results = benchmark.run(&AtomicBool::new(false));
        let p = &results.phases[0];
        assert_eq!(
            (p.sent, p.completed, p.failed),
            (4, 4, 0),
            "streaming {streaming}: {:?}",
            p.errors
        );
        assert_eq!(
            p.output_tokens, 8,
            "usage (2 each) or counted chunks (2 each)"
        );
        assert_eq!(p.time_to_first_token_ms.is_some(), streaming);
        let received = server.next_request();
        let body: Value = serde_json::from_slice(&received.body).unwrap();
        assert_eq!(body["stream"], streaming);
    }
}

fn run_chat_over(server: &LoopbackServer, requests: u64) -> aiperf_plugin_api::stats::PhaseStats {
    let yaml = format!(
        "plugins: {{ timing_strategy: {{ name: concurrency, config: {{ concurrency: 1, requests: {requests} }} }} }}\n\
         endpoint: {{ type: chat, model: demo }}\n\
         transport: {{ type: http, url: '{}', config: {{ timeout_s: 10 }} }}\nui: {{ name: none }}\n",
        server.url()
    );
    let (config, secrets) = parse_config_str(&yaml, "http.yaml", &|_| None).unwrap();
    let mut benchmark = Benchmark::from_config(&config, &secrets, BuildOptions::default()).unwrap();
    let mut results = benchmark.run(&AtomicBool::new(false));
    assert!(!results.interrupted);
    results.phases.remove(0)
}

/// A server that answers 500 to everything: each request is a counted
/// failure whose message has the URL, the status and the server's body.
#[test]
fn server_errors_over_real_http_are_counted_with_their_status() {
    let body = r#"{"error":{"message":"model overloaded","type":"server_error"}}"#;
    let server = LoopbackServer::start((0..4).map(|_| Reply::json(500, body)).collect());
    let p = run_chat_over(&server, 4);
    assert_eq!((p.sent, p.completed, p.failed), (4, 0, 4), "{:?}", p.errors);
    assert_eq!(
        p.errors,
        [(
            format!("{}/v1/chat/completions answered 500: {body}", server.url()),
            4
        )]
    );
    assert_eq!((p.output_tokens, p.latency_ms), (0, None));
}

/// Malformed bodies from a real server are counted errors naming the parse
/// problem; the good answers in between still count.
#[test]
fn malformed_json_over_real_http_is_counted_naming_the_parse_problem() {
    let replies = (0..4)
        .map(|i| {
            if i % 2 == 0 {
                Reply::json(200, CHAT_REPLY)
            } else {
                Reply::json(200, r#"{"choices": ["#)
            }
        })
        .collect();
    let server = LoopbackServer::start(replies);
    let p = run_chat_over(&server, 4);
    assert_eq!((p.sent, p.completed, p.failed), (4, 2, 2), "{:?}", p.errors);
    assert_eq!(p.output_tokens, 4, "usage of the two good answers");
    assert_eq!(
        p.errors,
        [(
            r#"response is not valid JSON (EOF while parsing a list at line 1 column 13); body starts with "{\"choices\": [""#
                .to_owned(),
            2
        )]
    );
}

/// The whole message of a timeout and of a refused connection: the URL,
/// what happened, and (for a timeout) which setting set the limit.
#[test]
fn timeouts_and_refused_connections_name_the_url_and_the_cause() {
    let slow = LoopbackServer::start(vec![Reply {
        status: 200,
        content_type: "application/json",
        parts: vec![(Duration::from_secs(1), b"{}".to_vec())],
    }]);
    let e = send_err(
        &*http(slow.url(), json!({"timeout_s": 0.2})),
        "/v1/completions",
        false,
    );
    assert_eq!(
        e.to_string(),
        format!(
            "reading the response from {}/v1/completions failed: timed out after 0.2 s (`timeout_s`)",
            slow.url()
        )
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let e = send_err(&*http(&url, Value::Null), "/v1/chat/completions", false).to_string();
    let cause = e
        .strip_prefix(&format!("cannot reach {url}/v1/chat/completions: "))
        .unwrap_or_else(|| panic!("{e}"));
    assert!(cause.starts_with("Connection refused"), "{e}");
}
