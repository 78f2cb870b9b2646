//! Error injection, determinism with a seed, and the 4xx answers.

mod common;

use aiperf_mock_server::{MockConfig, MockServer, Route};
use common::{Conn, chat, post};
use serde_json::json;

fn statuses(server: &MockServer, n: usize) -> Vec<u16> {
    let mut conn = Conn::connect(server.addr());
    (0..n)
        .map(|_| {
            conn.post_json("/v1/chat/completions", &chat("x", Some(2), false))
                .status()
        })
        .collect()
}

#[test]
fn error_rate_one_answers_every_request_500() {
    let server = MockServer::start(MockConfig {
        error_rate: 1.0,
        ..MockConfig::fast()
    })
    .unwrap();
    assert_eq!(statuses(&server, 10), vec![500; 10]);
    let r = post(server.addr(), "/v1/embeddings", &json!({"input": "x"}));
    assert_eq!(r.status(), 500);
    let v = r.json();
    assert_eq!(v["error"]["type"], "server_error");
    assert!(v["error"]["message"].is_string());

    let served = server.served();
    assert_eq!(served.len(), 11);
    assert!(
        served
            .iter()
            .all(|s| s.injected_error && s.status == 500 && s.output_tokens == 0)
    );
    assert_eq!(server.counters().errors_injected, 11);
    assert_eq!(server.counters().tokens_generated, 0);
}

#[test]
fn error_rate_zero_answers_none() {
    let server = MockServer::start(MockConfig {
        error_rate: 0.0,
        ..MockConfig::fast()
    })
    .unwrap();
    assert_eq!(statuses(&server, 30), vec![200; 30]);
    assert!(server.served().iter().all(|s| !s.injected_error));
    assert_eq!(server.counters().errors_injected, 0);
}

#[test]
fn a_seed_makes_the_injected_errors_repeat() {
    let run = || {
        let server = MockServer::start(MockConfig {
            error_rate: 0.5,
            seed: Some(42),
            ..MockConfig::fast()
        })
        .unwrap();
        statuses(&server, 40)
    };
    let first = run();
    assert_eq!(first, run());
    assert!(first.contains(&200) && first.contains(&500), "{first:?}");
}

#[test]
fn a_seed_makes_the_generated_text_repeat() {
    let text = |seed: u64, prompt: &str| {
        let server = MockServer::start(MockConfig {
            seed: Some(seed),
            ..MockConfig::fast()
        })
        .unwrap();
        let v = post(
            server.addr(),
            "/v1/chat/completions",
            &chat(prompt, Some(8), false),
        )
        .json();
        v["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(text(5, "same prompt"), text(5, "same prompt"));
    let seeds: std::collections::BTreeSet<String> =
        (0..8).map(|seed| text(seed, "same prompt")).collect();
    assert!(seeds.len() > 1, "the seed changes the text");
    // The words come from the crate's list, one per token.
    let t = text(5, "same prompt");
    assert!(
        t.split(' ').all(|w| aiperf_mock_server::WORDS.contains(&w)),
        "{t}"
    );
}

#[test]
fn an_unknown_path_is_a_404_json_error() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    let r = Conn::connect(server.addr()).request("GET", "/v2/nothing", b"");
    assert_eq!(r.status(), 404);
    let v = r.json();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/v2/nothing")
    );
    assert!(v["error"]["type"].is_string());
    let s = &server.served()[0];
    assert_eq!((s.route, s.status), (Route::Other, 404));
}

#[test]
fn a_wrong_method_is_a_405() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    let mut conn = Conn::connect(server.addr());
    let r = conn.request("GET", "/v1/chat/completions", b"");
    assert_eq!(r.status(), 405);
    assert_eq!(r.head.header("allow"), Some("POST"));
    assert_eq!(conn.request("POST", "/health", b"{}").status(), 405);
}

#[test]
fn malformed_json_is_a_400_openai_error() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    let mut conn = Conn::connect(server.addr());
    for path in [
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/ranking",
    ] {
        let r = conn.request("POST", path, b"{\"model\": ");
        assert_eq!(r.status(), 400, "{path}");
        let v = r.json();
        assert_eq!(v["error"]["type"], "invalid_request_error");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains("invalid JSON"), "{msg}");
    }
    // The connection is still usable after a 400.
    let r = conn.post_json("/v1/chat/completions", &chat("x", Some(1), false));
    assert_eq!(r.status(), 200);
}

#[test]
fn invalid_requests_are_400s_that_name_the_problem() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    let mut conn = Conn::connect(server.addr());
    for (path, body, needle) in [
        ("/v1/chat/completions", json!({"model": "m"}), "messages"),
        (
            "/v1/chat/completions",
            chat("x", Some(0), false),
            "max_tokens",
        ),
        (
            "/v1/chat/completions",
            chat("x", Some(1 << 40), false),
            "max_tokens",
        ),
        ("/v1/completions", json!({"prompt": {}}), "prompt"),
        ("/v1/embeddings", json!({"input": []}), "input"),
        (
            "/v1/ranking",
            json!({"query": "q", "passages": []}),
            "query",
        ),
    ] {
        let r = conn.post_json(path, &body);
        assert_eq!(r.status(), 400, "{path} {body}");
        let msg = r.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(msg.contains(needle), "{path} {body}: {msg}");
    }
    assert!(
        server
            .served()
            .iter()
            .all(|s| s.status == 400 && !s.injected_error)
    );
}

#[test]
fn a_declared_body_over_the_cap_is_a_413_without_reading_it() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    let mut conn = Conn::connect(server.addr());
    // Declares 17 MiB and sends none of it: the answer must not wait for it.
    conn.send_raw(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n\
          Content-Length: 17825792\r\n\r\n",
    );
    let head = conn.read_head();
    assert_eq!(head.status, 413);
    let body: serde_json::Value = serde_json::from_slice(&conn.read_body(&head)).unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("16777216")
    );
    assert_eq!(server.served()[0].status, 413);
}

#[test]
fn a_chunked_body_over_the_cap_is_a_413() {
    let server = MockServer::start(MockConfig {
        max_body_bytes: 1024,
        ..MockConfig::fast()
    })
    .unwrap();
    let mut conn = Conn::connect(server.addr());
    let mut req =
        b"POST /v1/embeddings HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..4 {
        req.extend_from_slice(format!("200\r\n{}\r\n", "a".repeat(0x200)).as_bytes());
    }
    req.extend_from_slice(b"0\r\n\r\n");
    conn.send_raw(&req);
    let head = conn.read_head();
    assert_eq!(head.status, 413);

    // Under the cap is fine.
    let r = post(server.addr(), "/v1/embeddings", &json!({"input": "small"}));
    assert_eq!(r.status(), 200);
}
