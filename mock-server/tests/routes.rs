//! Each route's response shape, and what the server records for it.

mod common;

use aiperf_mock_server::{MockConfig, MockServer, Route};
use common::{Conn, chat, post};
use serde_json::json;

fn fast(config: MockConfig) -> MockServer {
    MockServer::start(config.with_zero_latency()).unwrap()
}

#[test]
fn chat_answers_choices_message_content_and_usage() {
    let server = fast(MockConfig::default());
    let r = post(
        server.addr(),
        "/v1/chat/completions",
        &chat("one two three", Some(6), false),
    );
    assert_eq!(r.status(), 200);
    assert_eq!(r.head.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["model"], "test-model");
    let choice = &v["choices"][0];
    assert_eq!(choice["index"], 0);
    assert_eq!(choice["message"]["role"], "assistant");
    assert_eq!(choice["finish_reason"], "length");
    let content = choice["message"]["content"].as_str().unwrap();
    assert_eq!(content.split_whitespace().count(), 6, "{content:?}");
    assert_eq!(
        v["usage"],
        json!({"prompt_tokens": 3, "completion_tokens": 6, "total_tokens": 9})
    );

    let served = server.served();
    assert_eq!(served.len(), 1);
    let s = &served[0];
    assert_eq!(
        (s.route, s.status, s.stream),
        (Route::ChatCompletions, 200, false)
    );
    assert_eq!((s.prompt_tokens, s.output_tokens), (3, 6));
    assert_eq!(s.requested_tokens, Some(6));
    assert!(!s.injected_error);
    assert!(s.completed.is_some() && s.first_token.is_some());
}

#[test]
fn without_a_limit_the_default_output_tokens_are_generated() {
    let server = fast(MockConfig {
        output_tokens: 7,
        ..MockConfig::default()
    });
    let v = post(
        server.addr(),
        "/v1/chat/completions",
        &chat("hi", None, false),
    )
    .json();
    assert_eq!(v["usage"]["completion_tokens"], 7);
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(server.served()[0].requested_tokens, None);
}

#[test]
fn max_completion_tokens_wins_over_max_tokens() {
    let server = fast(MockConfig::default());
    let mut body = chat("hi", Some(9), false);
    body["max_completion_tokens"] = 2.into();
    let v = post(server.addr(), "/v1/chat/completions", &body).json();
    assert_eq!(v["usage"]["completion_tokens"], 2);
}

#[test]
fn completions_answer_choices_text() {
    let server = fast(MockConfig::default());
    let r = post(
        server.addr(),
        "/v1/completions",
        &json!({"model": "m", "prompt": "a b c d", "max_tokens": 4}),
    );
    assert_eq!(r.status(), 200);
    let v = r.json();
    assert_eq!(v["object"], "text_completion");
    let text = v["choices"][0]["text"].as_str().unwrap();
    assert_eq!(text.split_whitespace().count(), 4);
    assert_eq!(v["usage"]["prompt_tokens"], 4);
    assert_eq!(v["usage"]["total_tokens"], 8);

    // Token-id prompts count one token per id.
    let v = post(
        server.addr(),
        "/v1/completions",
        &json!({"prompt": [[1, 2, 3], [4]], "max_tokens": 1}),
    )
    .json();
    assert_eq!(v["usage"]["prompt_tokens"], 4);
    assert_eq!(v["model"], "aiperf-mock");
}

#[test]
fn embeddings_answer_data_embedding_of_the_configured_length() {
    let server = fast(MockConfig {
        embedding_dim: 16,
        ..MockConfig::default()
    });
    let r = post(
        server.addr(),
        "/v1/embeddings",
        &json!({"model": "e", "input": ["first text", "second"]}),
    );
    assert_eq!(r.status(), 200);
    let v = r.json();
    assert_eq!(v["object"], "list");
    assert_eq!(v["model"], "e");
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    for (i, item) in data.iter().enumerate() {
        assert_eq!(item["object"], "embedding");
        assert_eq!(item["index"], i);
        assert_eq!(item["embedding"].as_array().unwrap().len(), 16);
    }
    assert_ne!(data[0]["embedding"], data[1]["embedding"]);
    assert_eq!(v["usage"], json!({"prompt_tokens": 3, "total_tokens": 3}));

    // A single string is one input.
    let v = post(server.addr(), "/v1/embeddings", &json!({"input": "one"})).json();
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    let served = server.served();
    assert_eq!(served[0].route, Route::Embeddings);
    assert_eq!(served[0].output_tokens, 0);
}

#[test]
fn ranking_answers_every_passage_best_first() {
    let server = fast(MockConfig::default());
    let passages: Vec<_> = (0..5)
        .map(|i| json!({"text": format!("passage {i}")}))
        .collect();
    let r = post(
        server.addr(),
        "/v1/ranking",
        &json!({"model": "r", "query": {"text": "which one"}, "passages": passages}),
    );
    assert_eq!(r.status(), 200);
    let v = r.json();
    let rankings = v["rankings"].as_array().unwrap();
    assert_eq!(rankings.len(), 5);
    let mut indices: Vec<u64> = rankings
        .iter()
        .map(|r| r["index"].as_u64().unwrap())
        .collect();
    let logits: Vec<f64> = rankings
        .iter()
        .map(|r| r["logit"].as_f64().unwrap())
        .collect();
    assert!(logits.windows(2).all(|w| w[0] >= w[1]), "{logits:?}");
    indices.sort_unstable();
    assert_eq!(indices, [0, 1, 2, 3, 4]);
    assert_eq!(server.served()[0].route, Route::Ranking);
}

#[test]
fn health_and_metrics_answer_get() {
    let server = fast(MockConfig {
        seed: Some(11),
        ..MockConfig::default()
    });
    let mut conn = Conn::connect(server.addr());
    let health = conn.request("GET", "/health", b"");
    assert_eq!(health.status(), 200);
    assert_eq!(health.json()["status"], "healthy");
    assert_eq!(health.json()["config"]["seed"], 11);

    conn.post_json("/v1/chat/completions", &chat("x", Some(3), false));
    conn.post_json("/v1/completions", &json!({"prompt": "y", "max_tokens": 2}));
    let metrics = conn.request("GET", "/metrics", b"");
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .head
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = metrics.text();
    assert!(
        text.contains("# TYPE requests_total counter\nrequests_total 2\n"),
        "{text}"
    );
    assert!(text.contains("\ntokens_generated_total 5\n"), "{text}");
    assert!(text.contains("\nerrors_injected_total 0\n"), "{text}");
    // Health and metrics are not recorded.
    assert_eq!(server.served().len(), 2);
    assert_eq!(server.counters().requests, 2);
}

#[test]
fn one_connection_carries_many_requests() {
    let server = fast(MockConfig::default());
    let mut conn = Conn::connect(server.addr());
    for i in 0..20u64 {
        let r = conn.post_json(
            "/v1/chat/completions",
            &chat("again", Some(1 + i % 3), i % 2 == 0),
        );
        assert_eq!(r.status(), 200);
    }
    assert_eq!(server.served().len(), 20);
    let ids: Vec<u64> = server.served().iter().map(|s| s.id).collect();
    assert_eq!(ids, (0..20).collect::<Vec<_>>());
}

#[test]
fn take_served_empties_the_records() {
    let server = fast(MockConfig::default());
    post(
        server.addr(),
        "/v1/chat/completions",
        &chat("x", Some(1), false),
    );
    assert_eq!(server.take_served().len(), 1);
    assert!(server.served().is_empty());
    post(
        server.addr(),
        "/v1/chat/completions",
        &chat("x", Some(1), false),
    );
    assert_eq!(server.served().len(), 1);
}

#[test]
fn without_keep_records_nothing_is_kept_in_memory() {
    let server = fast(MockConfig {
        keep_records: false,
        ..MockConfig::default()
    });
    post(
        server.addr(),
        "/v1/chat/completions",
        &chat("x", Some(1), false),
    );
    assert!(server.served().is_empty());
    assert_eq!(server.counters().requests, 1);
}

#[test]
fn records_go_to_the_file_as_json_lines() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("routes-record.jsonl");
    let server = fast(MockConfig {
        record: Some(path.clone()),
        ..MockConfig::default()
    });
    post(
        server.addr(),
        "/v1/chat/completions",
        &chat("x y", Some(3), true),
    );
    post(server.addr(), "/nowhere", &json!({}));
    drop(server); // Writes the file to its end.
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0]["route"], "chat_completions");
    assert_eq!(lines[0]["stream"], true);
    assert_eq!(lines[0]["output_tokens"], 3);
    assert_eq!(lines[0]["prompt_tokens"], 2);
    assert!(
        lines[0]["first_token_ns"].as_u64().unwrap() >= lines[0]["received_ns"].as_u64().unwrap()
    );
    assert_eq!(lines[1]["status"], 404);
}

#[test]
fn concurrent_streams_on_a_multi_thread_runtime_are_all_recorded() {
    let server = MockServer::start(MockConfig {
        ttft: std::time::Duration::from_millis(20),
        itl: std::time::Duration::from_millis(2),
        workers: 2,
        ..MockConfig::default()
    })
    .unwrap();
    let addr = server.addr();
    let threads: Vec<_> = (0..16)
        .map(|i| {
            std::thread::spawn(move || {
                let mut conn = Conn::connect(addr);
                conn.send(
                    "POST",
                    "/v1/chat/completions",
                    chat(&format!("prompt {i}"), Some(10), true)
                        .to_string()
                        .as_bytes(),
                );
                let head = conn.read_head();
                assert_eq!(head.status, 200);
                conn.read_events(&head).len()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 11, "10 tokens and [DONE]");
    }
    let served = server.served();
    assert_eq!(served.len(), 16);
    for s in &served {
        assert_eq!(s.output_tokens, 10);
        assert!(s.completed.is_some());
        assert!(s.ttft().unwrap() >= std::time::Duration::from_millis(20));
    }
    assert_eq!(server.counters().tokens_generated, 160);
}
