//! The routes of the APIs other than OpenAI's chat, completions,
//! embeddings and NIM ranking: OpenAI Responses, Anthropic Messages,
//! Hugging Face TGI and TEI, Cohere. Each answers in its API's shape,
//! streamed or not, on the chat route's TTFT/ITL schedule, with errors in
//! its API's shape, and is recorded like the others.

mod common;

use std::time::{Duration, Instant};

use aiperf_mock_server::{MockConfig, MockServer, Route};
use common::{Conn, post};
use serde_json::{Value, json};

const MS: Duration = Duration::from_millis(1);

fn fast() -> MockServer {
    MockServer::start(MockConfig {
        seed: Some(7),
        ..MockConfig::fast()
    })
    .unwrap()
}

/// One streamed event: when it arrived, its `event:` name, its data.
type Event = (Instant, Option<String>, Value);

/// Sends `body` on a new connection and reads the whole stream: when it
/// was sent, and each event (its data as JSON).
fn stream(server: &MockServer, path: &str, body: &Value) -> (Instant, Vec<Event>) {
    let mut conn = Conn::connect(server.addr());
    let sent = Instant::now();
    conn.send("POST", path, body.to_string().as_bytes());
    let head = conn.read_head();
    assert_eq!(head.status, 200, "{path}");
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    let events = conn
        .read_named_events(&head)
        .into_iter()
        .map(|(at, name, data)| {
            let data = serde_json::from_str(&data)
                .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {data}"));
            (at, name, data)
        })
        .collect();
    (sent, events)
}

fn names(events: &[Event]) -> Vec<&str> {
    events
        .iter()
        .map(|(_, name, _)| name.as_deref().expect("a named event"))
        .collect()
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

// OpenAI Responses ------------------------------------------------------------

#[test]
fn responses_answers_output_text_and_usage() {
    let server = fast();
    let body = json!({
        "model": "gpt-4.1",
        "instructions": "be brief",
        "input": [{"type": "message", "role": "user", "content": "one two three"}],
        "max_output_tokens": 5,
    });
    let r = post(server.addr(), "/v1/responses", &body);
    assert_eq!(r.status(), 200);
    assert_eq!(r.head.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["object"], "response");
    assert_eq!(v["model"], "gpt-4.1");
    assert!(v["id"].as_str().unwrap().starts_with("resp_"));
    // Cut by max_output_tokens: incomplete, as OpenAI answers.
    assert_eq!(v["status"], "incomplete");
    assert_eq!(v["incomplete_details"]["reason"], "max_output_tokens");
    let item = &v["output"][0];
    assert_eq!(
        (&item["type"], &item["role"]),
        (&json!("message"), &json!("assistant"))
    );
    let part = &item["content"][0];
    assert_eq!(part["type"], "output_text");
    assert_eq!(words(part["text"].as_str().unwrap()), 5);
    assert_eq!(v["usage"]["input_tokens"], 5, "instructions count too");
    assert_eq!(v["usage"]["output_tokens"], 5);
    assert_eq!(v["usage"]["total_tokens"], 10);

    // A plain string input, no limit: the default token count, completed.
    let v = post(
        server.addr(),
        "/v1/responses",
        &json!({"input": "hello there"}),
    )
    .json();
    assert_eq!(v["status"], "completed");
    assert_eq!(v["incomplete_details"], Value::Null);
    assert_eq!(v["usage"]["input_tokens"], 2);
    assert_eq!(v["usage"]["output_tokens"], 16);

    let served = server.served();
    assert_eq!(served.len(), 2);
    let s = &served[0];
    assert_eq!(
        (s.route, s.status, s.stream),
        (Route::Responses, 200, false)
    );
    assert_eq!(s.path, "/v1/responses");
    assert_eq!((s.prompt_tokens, s.output_tokens), (5, 5));
    assert_eq!(s.requested_tokens, Some(5));
}

#[test]
fn responses_stream_named_events_deltas_then_completed() {
    let server = fast();
    let body = json!({"model": "m", "input": "a b", "stream": true});
    let (_, events) = stream(&server, "/v1/responses", &body);
    let mut want = vec![
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ];
    want.extend(["response.output_text.delta"; 16]);
    want.extend([
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]);
    assert_eq!(names(&events), want);
    for (i, (_, name, data)) in events.iter().enumerate() {
        assert_eq!(
            data["type"].as_str(),
            name.as_deref(),
            "the type names the event"
        );
        assert_eq!(data["sequence_number"], i, "{data}");
    }
    let text: String = events
        .iter()
        .filter(|(_, name, _)| name.as_deref() == Some("response.output_text.delta"))
        .map(|(_, _, data)| data["delta"].as_str().unwrap())
        .collect();
    assert_eq!(words(&text), 16);
    assert_eq!(events[20].2["text"], text.as_str());
    let last = &events.last().unwrap().2["response"];
    assert_eq!(last["status"], "completed");
    assert_eq!(last["output"][0]["content"][0]["text"], text.as_str());
    assert_eq!(last["usage"]["input_tokens"], 2);
    assert_eq!(last["usage"]["output_tokens"], 16);
    // Usage appears only at the end.
    assert_eq!(events[0].2["response"]["usage"], Value::Null);

    // With a limit the stream ends with response.incomplete.
    let body = json!({"input": "a b", "stream": true, "max_output_tokens": 3});
    let (_, events) = stream(&server, "/v1/responses", &body);
    assert_eq!(names(&events).len(), 4 + 3 + 4);
    let (_, name, data) = events.last().unwrap();
    assert_eq!(name.as_deref(), Some("response.incomplete"));
    assert_eq!(data["response"]["usage"]["output_tokens"], 3);

    let served = server.served();
    assert_eq!(served.len(), 2);
    assert!(
        served
            .iter()
            .all(|s| s.route == Route::Responses && s.stream)
    );
    assert_eq!(served[1].output_tokens, 3);
    assert!(served.iter().all(|s| s.completed.is_some()));
}

// Anthropic Messages ------------------------------------------------------------

#[test]
fn messages_answer_content_and_usage() {
    let server = fast();
    let body = json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 6,
        "system": [{"type": "text", "text": "be kind"}],
        "messages": [{"role": "user", "content": "Hello, Claude"}],
    });
    let r = post(server.addr(), "/v1/messages", &body);
    assert_eq!(r.status(), 200);
    let v = r.json();
    assert_eq!(v["type"], "message");
    assert_eq!(v["role"], "assistant");
    assert_eq!(v["model"], "claude-sonnet-4-5");
    assert!(v["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(v["content"][0]["type"], "text");
    assert_eq!(words(v["content"][0]["text"].as_str().unwrap()), 6);
    assert_eq!(v["stop_reason"], "max_tokens");
    assert_eq!(v["stop_sequence"], Value::Null);
    assert_eq!(
        v["usage"],
        json!({"input_tokens": 4, "output_tokens": 6}),
        "the system prompt counts"
    );
    let s = &server.served()[0];
    assert_eq!((s.route, s.status, s.stream), (Route::Messages, 200, false));
    assert_eq!((s.prompt_tokens, s.output_tokens), (4, 6));
    assert_eq!(s.requested_tokens, Some(6));
}

#[test]
fn messages_stream_named_events_from_message_start_to_message_stop() {
    let server = fast();
    let body = json!({
        "model": "m",
        "max_tokens": 4,
        "stream": true,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "x y z"}]}],
    });
    let (_, events) = stream(&server, "/v1/messages", &body);
    let mut want = vec!["message_start", "content_block_start", "ping"];
    want.extend(["content_block_delta"; 4]);
    want.extend(["content_block_stop", "message_delta", "message_stop"]);
    assert_eq!(names(&events), want);
    for (_, name, data) in &events {
        assert_eq!(data["type"].as_str(), name.as_deref());
    }
    let start = &events[0].2["message"];
    assert_eq!(start["usage"]["input_tokens"], 3);
    assert_eq!(start["content"], json!([]));
    let mut text = String::new();
    for (_, _, data) in &events[3..7] {
        assert_eq!(data["index"], 0);
        assert_eq!(data["delta"]["type"], "text_delta");
        text.push_str(data["delta"]["text"].as_str().unwrap());
    }
    assert_eq!(words(&text), 4);
    let delta = &events[8].2;
    assert_eq!(delta["delta"]["stop_reason"], "max_tokens");
    assert_eq!(delta["usage"], json!({"output_tokens": 4}));
    let s = &server.served()[0];
    assert_eq!(
        (s.route, s.stream, s.output_tokens),
        (Route::Messages, true, 4)
    );
    assert!(s.completed.is_some());
}

#[test]
fn messages_without_max_tokens_are_refused_as_anthropic_does() {
    let server = fast();
    let r = post(
        server.addr(),
        "/v1/messages",
        &json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}),
    );
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json(),
        json!({
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": "invalid request: max_tokens: Field required",
            },
        })
    );
}

// Hugging Face TGI ------------------------------------------------------------

#[test]
fn tgi_generate_answers_generated_text_and_details_when_asked() {
    let server = fast();
    let r = post(
        server.addr(),
        "/generate",
        &json!({"inputs": "What is Deep Learning?", "parameters": {"max_new_tokens": 7}}),
    );
    assert_eq!(r.status(), 200);
    let v = r.json();
    assert_eq!(words(v["generated_text"].as_str().unwrap()), 7);
    assert!(v.get("details").is_none(), "details only when asked: {v}");

    // `stream` in the body does not make /generate stream.
    let v = post(
        server.addr(),
        "/generate",
        &json!({"inputs": "a", "stream": true, "parameters": {"details": true}}),
    )
    .json();
    assert_eq!(v["details"]["generated_tokens"], 16);
    assert_eq!(v["details"]["finish_reason"], "eos_token");

    let served = server.served();
    assert_eq!(
        (served[0].route, served[0].stream),
        (Route::Generate, false)
    );
    assert_eq!(served[0].path, "/generate");
    assert_eq!((served[0].prompt_tokens, served[0].output_tokens), (4, 7));
    assert_eq!(served[0].requested_tokens, Some(7));
    assert_eq!(served[1].requested_tokens, None);
}

#[test]
fn tgi_generate_stream_sends_token_events_and_no_end_marker() {
    let server = fast();
    let body = json!({"inputs": "one two", "parameters": {"max_new_tokens": 3, "details": true}});
    let (_, events) = stream(&server, "/generate_stream", &body);
    assert_eq!(events.len(), 3, "one event per token, nothing after");
    let mut text = String::new();
    for (i, (_, name, data)) in events.iter().enumerate() {
        assert_eq!(*name, None, "TGI events have no name");
        assert_eq!(data["index"], i + 1);
        assert_eq!(data["token"]["special"], false);
        assert!(data["token"]["id"].is_u64());
        text.push_str(data["token"]["text"].as_str().unwrap());
        if i < 2 {
            assert_eq!(data["generated_text"], Value::Null);
            assert_eq!(data["details"], Value::Null);
        }
    }
    let last = &events[2].2;
    assert_eq!(last["generated_text"], text.as_str());
    assert_eq!(
        last["details"],
        json!({"finish_reason": "length", "generated_tokens": 3, "seed": null, "input_length": 2})
    );
    let s = &server.served()[0];
    assert_eq!(
        (s.route, s.stream, s.output_tokens),
        (Route::GenerateStream, true, 3)
    );
    assert!(s.completed.is_some());
}

// Rerankers ---------------------------------------------------------------------

#[test]
fn tei_rerank_answers_a_sorted_array_of_scores() {
    let server = fast();
    let texts = ["Deep Learning is not...", "Deep learning is...", "Cats."];
    let r = post(
        server.addr(),
        "/rerank",
        &json!({"query": "What is Deep Learning?", "texts": texts}),
    );
    assert_eq!(r.status(), 200);
    let v = r.json();
    let items = v.as_array().expect("a bare JSON array");
    assert_eq!(items.len(), 3);
    let scores: Vec<f64> = items.iter().map(|i| i["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
    let mut indices: Vec<u64> = items.iter().map(|i| i["index"].as_u64().unwrap()).collect();
    indices.sort_unstable();
    assert_eq!(indices, [0, 1, 2]);
    assert!(items.iter().all(|i| i.get("text").is_none()));

    // raw_scores: the logits; return_text: each text with its score.
    let v = post(
        server.addr(),
        "/rerank",
        &json!({"query": "What is Deep Learning?", "texts": texts, "raw_scores": true, "return_text": true}),
    )
    .json();
    for item in v.as_array().unwrap() {
        let index = item["index"].as_u64().unwrap() as usize;
        assert_eq!(item["text"], texts[index]);
        assert!((-10.0..10.0).contains(&item["score"].as_f64().unwrap()));
    }
    let s = &server.served()[0];
    assert_eq!(
        (s.route, s.status, s.prompt_tokens),
        (Route::Rerank, 200, 4 + 4 + 3 + 1)
    );
}

#[test]
fn cohere_rerank_answers_results_best_first_up_to_top_n() {
    let server = fast();
    let documents = [
        "Carson City is in Nevada.",
        "Washington, D.C. is the capital.",
        "x",
        "y",
    ];
    let r = post(
        server.addr(),
        "/v2/rerank",
        &json!({"model": "rerank-v3.5", "query": "capital of the US?", "documents": documents}),
    );
    assert_eq!(r.status(), 200);
    let v = r.json();
    assert!(v["id"].is_string());
    assert_eq!(v["meta"]["api_version"]["version"], "2");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let scores: Vec<f64> = results
        .iter()
        .map(|r| r["relevance_score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));

    let top = post(
        server.addr(),
        "/v2/rerank",
        &json!({"model": "rerank-v3.5", "query": "capital of the US?", "documents": documents, "top_n": 2}),
    )
    .json();
    assert_eq!(top["results"], json!(results[..2]));
    assert_eq!(server.served()[0].route, Route::CohereRerank);
}

// Errors and timing ---------------------------------------------------------------

#[test]
fn malformed_bodies_get_400s_in_each_api_shape() {
    let server = fast();
    let mut conn = Conn::connect(server.addr());
    for path in [
        "/v1/responses",
        "/v1/messages",
        "/generate",
        "/generate_stream",
        "/rerank",
        "/v2/rerank",
    ] {
        let r = conn.request("POST", path, b"{\"model\": ");
        assert_eq!(r.status(), 400, "{path}");
        let v = r.json();
        let message = match path {
            "/v1/responses" => {
                assert_eq!(v["error"]["type"], "invalid_request_error");
                &v["error"]["message"]
            }
            "/v1/messages" => {
                assert_eq!(v["type"], "error");
                assert_eq!(v["error"]["type"], "invalid_request_error");
                &v["error"]["message"]
            }
            "/generate" | "/generate_stream" | "/rerank" => {
                assert_eq!(v["error_type"], "validation");
                &v["error"]
            }
            _ => &v["message"],
        };
        let message = message.as_str().unwrap_or_else(|| panic!("{path}: {v}"));
        assert!(message.contains("invalid JSON"), "{path}: {message}");
    }
    assert!(server.served().iter().all(|s| s.status == 400));
}

#[test]
fn invalid_requests_are_400s_that_name_the_problem() {
    let server = fast();
    let mut conn = Conn::connect(server.addr());
    for (path, body, needle) in [
        ("/v1/responses", json!({"model": "m"}), "input"),
        ("/v1/responses", json!({"input": 5}), "input"),
        ("/v1/responses", json!({"input": ["x"]}), "input item"),
        (
            "/v1/responses",
            json!({"input": "x", "max_output_tokens": 0}),
            "max_output_tokens",
        ),
        ("/v1/messages", json!({"max_tokens": 5}), "messages"),
        (
            "/v1/messages",
            json!({"max_tokens": 0, "messages": []}),
            "max_tokens",
        ),
        (
            "/v1/messages",
            json!({"max_tokens": 5, "messages": [{"content": 5}]}),
            "content",
        ),
        ("/generate", json!({"parameters": {}}), "inputs"),
        (
            "/generate_stream",
            json!({"inputs": "x", "parameters": {"max_new_tokens": 1u64 << 40}}),
            "max_new_tokens",
        ),
        ("/rerank", json!({"query": "q", "texts": []}), "texts"),
        (
            "/rerank",
            json!({"query": {"text": "q"}, "texts": ["a"]}),
            "query",
        ),
        (
            "/v2/rerank",
            json!({"query": "q", "documents": [1]}),
            "document",
        ),
        (
            "/v2/rerank",
            json!({"query": "q", "documents": ["a"], "top_n": 0}),
            "top_n",
        ),
    ] {
        let r = conn.post_json(path, &body);
        assert_eq!(r.status(), 400, "{path} {body}");
        let text = r.text();
        assert!(text.contains(needle), "{path} {body}: {text}");
    }
    assert!(
        server
            .served()
            .iter()
            .all(|s| s.status == 400 && !s.injected_error)
    );
}

#[test]
fn injected_errors_and_wrong_methods_take_each_api_shape() {
    let server = MockServer::start(MockConfig {
        error_rate: 1.0,
        ..MockConfig::fast()
    })
    .unwrap();
    let cases = [
        ("/v1/responses", json!({"input": "x"})),
        ("/v1/messages", json!({"max_tokens": 2, "messages": []})),
        ("/generate", json!({"inputs": "x"})),
        ("/rerank", json!({"query": "q", "texts": ["a"]})),
        ("/v2/rerank", json!({"query": "q", "documents": ["a"]})),
    ];
    let bodies: Vec<Value> = cases
        .iter()
        .map(|(path, body)| {
            let r = post(server.addr(), path, body);
            assert_eq!(r.status(), 500, "{path}");
            r.json()
        })
        .collect();
    assert_eq!(bodies[0]["error"]["type"], "server_error");
    assert_eq!(bodies[1]["type"], "error");
    assert_eq!(bodies[1]["error"]["type"], "api_error");
    assert_eq!(bodies[2]["error_type"], "generation");
    assert_eq!(bodies[3]["error_type"], "backend");
    assert!(bodies[4]["message"].is_string());
    assert!(
        server
            .served()
            .iter()
            .all(|s| s.injected_error && s.status == 500)
    );

    let r = Conn::connect(server.addr()).request("GET", "/v1/messages", b"");
    assert_eq!(r.status(), 405);
    assert_eq!(r.head.header("allow"), Some("POST"));
    assert_eq!(r.json()["error"]["type"], "invalid_request_error");
}

#[test]
fn new_streams_follow_the_ttft_and_itl_schedule() {
    let server = MockServer::start(MockConfig {
        ttft: 50 * MS,
        itl: 10 * MS,
        ..MockConfig::default()
    })
    .unwrap();
    let cases = [
        (
            "/v1/responses",
            json!({"input": "time me", "stream": true, "max_output_tokens": 5}),
            4,
        ),
        (
            "/v1/messages",
            json!({"max_tokens": 5, "stream": true, "messages": [{"role": "user", "content": "time me"}]}),
            3,
        ),
        (
            "/generate_stream",
            json!({"inputs": "time me", "parameters": {"max_new_tokens": 5}}),
            0,
        ),
    ];
    for (path, body, opening) in cases {
        let (sent, events) = stream(&server, path, &body);
        let tokens = &events[opening..opening + 5];
        let first = tokens[0].0 - sent;
        let last = tokens[4].0 - sent;
        assert!(first >= 50 * MS, "{path}: first token after {first:?}");
        assert!(last >= 90 * MS, "{path}: last token after {last:?}");
        assert!(first < 2000 * MS, "{path}: first token after {first:?}");
        // The opening events do not wait for the first token.
        for (at, name, _) in &events[..opening] {
            assert!(*at <= tokens[0].0, "{path}: {name:?}");
        }
        let s = server.take_served().pop().unwrap();
        assert!(s.stream);
        assert_eq!(s.output_tokens, 5);
        let ttft = s.ttft().unwrap();
        assert!(ttft >= 50 * MS, "{path}: served ttft {ttft:?}");
        assert!(ttft < 50 * MS + 1000 * MS, "{path}: served ttft {ttft:?}");
        assert!(s.last_token.unwrap() - s.received >= 90 * MS);
        assert!(s.completed.unwrap() >= s.last_token.unwrap());
    }
}

#[test]
fn non_streamed_answers_wait_for_their_last_token_and_rerankers_for_their_passages() {
    let server = MockServer::start(MockConfig {
        ttft: 30 * MS,
        itl: 5 * MS,
        ranking_base_latency: 20 * MS,
        ranking_per_passage_latency: 10 * MS,
        ..MockConfig::default()
    })
    .unwrap();
    for (path, body, at_least) in [
        (
            "/v1/responses",
            json!({"input": "x", "max_output_tokens": 5}),
            50 * MS,
        ),
        (
            "/v1/messages",
            json!({"max_tokens": 5, "messages": []}),
            50 * MS,
        ),
        (
            "/generate",
            json!({"inputs": "x", "parameters": {"max_new_tokens": 5}}),
            50 * MS,
        ),
        (
            "/rerank",
            json!({"query": "q", "texts": ["a", "b"]}),
            40 * MS,
        ),
        (
            "/v2/rerank",
            json!({"query": "q", "documents": ["a", "b", "c"]}),
            50 * MS,
        ),
    ] {
        let sent = Instant::now();
        let r = post(server.addr(), path, &body);
        let elapsed = sent.elapsed();
        assert_eq!(r.status(), 200, "{path}");
        assert!(elapsed >= at_least, "{path}: {elapsed:?}");
        let s = server.take_served().pop().unwrap();
        assert!(s.duration().unwrap() >= at_least, "{path}");
        assert!(s.duration().unwrap() < at_least + 1000 * MS, "{path}");
    }
}
