//! aiperf's builtin endpoints end to end against this server: each
//! endpoint's payload goes through the `http` transport (both created by
//! name from the registry, as a benchmark creates them) to the route its
//! metadata names, and the answer is read back by the same endpoint, event
//! by event as the engine reads a stream. The server's records say what it
//! served, so the counts the endpoint reads are checked against the truth.

use std::time::{Duration, Instant};

use aiperf_builtins as _;
use aiperf_mock_server::{MockConfig, MockServer, Route, Served};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointError, EndpointFactory, EventSink, Output, Prompt,
    ResponseBody, StreamDelta, Transport, TransportArgs, TransportFactory, TransportRequest, Usage,
};
use serde_json::json;

const MS: Duration = Duration::from_millis(1);

/// The endpoint `name` (created through the registry) and its path.
fn endpoint(name: &str, streaming: bool) -> (Box<dyn Endpoint>, &'static str) {
    let endpoint = EndpointFactory::create_instance(
        name,
        EndpointArgs {
            model: "mock-model".into(),
            streaming,
            ..EndpointArgs::default()
        },
    )
    .unwrap_or_else(|e| panic!("create endpoint {name}: {e}"));
    // Where the engine posts it: a streamed request at the streaming path
    // when the metadata names one.
    let metadata = EndpointFactory::get_class(name).unwrap().metadata();
    let path = match (streaming, metadata.streaming_path) {
        (true, Some(path)) => path,
        _ => metadata.endpoint_path,
    };
    (endpoint, path)
}

fn http(server: &MockServer) -> Box<dyn Transport> {
    TransportFactory::create_instance(
        "http",
        TransportArgs {
            url: Some(server.url().to_owned()),
            config: json!({}),
        },
    )
    .unwrap()
}

/// Reads each event as the engine does: parsed on arrival, until the
/// endpoint says the stream ended or an event is unusable.
struct Reader<'a> {
    endpoint: &'a dyn Endpoint,
    deltas: Vec<(Instant, StreamDelta)>,
    ended: bool,
    error: Option<EndpointError>,
}

impl EventSink for Reader<'_> {
    fn event(&mut self, at: Instant, data: &str) -> bool {
        match self.endpoint.parse_stream_event(data) {
            Ok(Some(delta)) => {
                self.deltas.push((at, delta));
                true
            }
            Ok(None) => {
                self.ended = true;
                false
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }
}

/// What a streamed answer came to.
struct Streamed {
    sent: Instant,
    text: String,
    /// When the first event with text arrived.
    first_text: Option<Instant>,
    /// The last token counts any event reported, field by field.
    usage: Usage,
    ended: bool,
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Sends `prompt` formatted by `endpoint` to `path` and reads the stream.
fn send_streamed(
    server: &MockServer,
    endpoint: &dyn Endpoint,
    path: &str,
    prompt: &Prompt,
) -> Streamed {
    let transport = http(server);
    let payload = endpoint.format_payload(prompt);
    let mut reader = Reader {
        endpoint,
        deltas: Vec::new(),
        ended: false,
        error: None,
    };
    let sent = Instant::now();
    let request = TransportRequest {
        path,
        body: &payload,
        stream: true,
    };
    let response = block_on(transport.send(request, &mut reader)).unwrap();
    assert!(
        matches!(response.body, ResponseBody::Streamed { .. }),
        "{path}: not a stream: {:?}",
        response.body
    );
    if let Some(e) = reader.error {
        panic!("{path}: {e}");
    }
    let mut streamed = Streamed {
        sent,
        text: String::new(),
        first_text: None,
        usage: Usage::default(),
        ended: reader.ended,
    };
    for (at, delta) in reader.deltas {
        if !delta.text.is_empty() {
            streamed.first_text.get_or_insert(at);
        }
        streamed.text.push_str(&delta.text);
        if let Some(usage) = delta.usage {
            streamed.usage.prompt_tokens = usage.prompt_tokens.or(streamed.usage.prompt_tokens);
            streamed.usage.completion_tokens =
                usage.completion_tokens.or(streamed.usage.completion_tokens);
        }
    }
    streamed
}

/// Sends `prompt` formatted by `endpoint` to its path, not streamed, and
/// parses the answer.
fn send_complete(
    server: &MockServer,
    endpoint: &dyn Endpoint,
    path: &str,
    prompt: &Prompt,
) -> aiperf_plugin_api::ParsedResponse {
    let transport = http(server);
    let payload = endpoint.format_payload(prompt);
    let mut reader = Reader {
        endpoint,
        deltas: Vec::new(),
        ended: false,
        error: None,
    };
    let request = TransportRequest {
        path,
        body: &payload,
        stream: false,
    };
    let response = block_on(transport.send(request, &mut reader)).unwrap();
    let ResponseBody::Complete(body) = response.body else {
        panic!("{path}: a stream was not asked for");
    };
    endpoint
        .parse_response(&body)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn prompt(text: &str, max_tokens: Option<u32>) -> Prompt {
    Prompt {
        text: text.into(),
        passages: Vec::new(),
        max_tokens,
    }
}

fn served_one(server: &MockServer) -> Served {
    let mut served = server.take_served();
    assert_eq!(served.len(), 1, "{served:?}");
    served.pop().unwrap()
}

fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

fn timed() -> MockServer {
    MockServer::start(MockConfig {
        ttft: 40 * MS,
        itl: 5 * MS,
        seed: Some(1),
        ..MockConfig::default()
    })
    .unwrap()
}

/// The Responses and Messages endpoints, streamed: text from the deltas,
/// both token counts, the first text after the server's TTFT.
#[test]
fn responses_and_messages_stream_end_to_end() {
    let server = timed();
    for (name, route) in [
        ("responses", Route::Responses),
        ("messages", Route::Messages),
    ] {
        let (endpoint, path) = endpoint(name, true);
        let got = send_streamed(
            &server,
            &*endpoint,
            path,
            &prompt("three word prompt", Some(6)),
        );
        let served = served_one(&server);
        assert_eq!((served.route, served.stream), (route, true), "{name}");
        assert_eq!(words(&got.text), 6, "{name}: {:?}", got.text);
        assert_eq!(
            got.usage,
            Usage {
                prompt_tokens: Some(3),
                completion_tokens: Some(6),
            },
            "{name}"
        );
        assert_eq!(served.output_tokens, 6);
        assert_eq!(served.prompt_tokens, 3);
        let ttft = got.first_text.unwrap() - got.sent;
        assert!(ttft >= 40 * MS, "{name}: text after {ttft:?}");
        // Messages ends with message_stop; a Responses stream just ends.
        assert_eq!(got.ended, name == "messages", "{name}");
    }
}

/// The Responses and Messages endpoints, not streamed.
#[test]
fn responses_and_messages_complete_end_to_end() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    for (name, route) in [
        ("responses", Route::Responses),
        ("messages", Route::Messages),
    ] {
        let (endpoint, path) = endpoint(name, false);
        let parsed = send_complete(&server, &*endpoint, path, &prompt("a b c d", Some(5)));
        let Output::Text(text) = &parsed.output else {
            panic!("{name}: {:?}", parsed.output);
        };
        assert_eq!(words(text), 5, "{name}");
        assert_eq!(
            parsed.usage,
            Some(Usage {
                prompt_tokens: Some(4),
                completion_tokens: Some(5),
            }),
            "{name}"
        );
        let served = served_one(&server);
        assert_eq!((served.route, served.status), (route, 200));
    }
    // Without a limit the messages endpoint sends its default max_tokens,
    // which the server generates in full.
    let (endpoint, path) = endpoint("messages", false);
    let parsed = send_complete(&server, &*endpoint, path, &prompt("x", None));
    assert_eq!(
        parsed.usage.unwrap().completion_tokens,
        Some(u64::from(
            aiperf_builtins::endpoints::AnthropicMessages::DEFAULT_MAX_TOKENS
        ))
    );
    assert_eq!(served_one(&server).requested_tokens, Some(1024));
}

/// TGI: `/generate` (its metadata's path) not streamed, and its stream
/// from `/generate_stream` (its metadata's streaming path).
#[test]
fn huggingface_generate_end_to_end() {
    let server = timed();
    let (endpoint, path) = endpoint("huggingface_generate", false);
    assert_eq!(path, "/generate");
    let parsed = send_complete(&server, &*endpoint, path, &prompt("What is TGI?", Some(4)));
    let Output::Text(text) = &parsed.output else {
        panic!("{:?}", parsed.output);
    };
    assert_eq!(words(text), 4);
    // TGI reports counts only when asked (`details`).
    assert_eq!(parsed.usage, None);
    let served = served_one(&server);
    assert_eq!(
        (served.route, served.requested_tokens),
        (Route::Generate, Some(4))
    );

    let (streamed, stream_path) = self::endpoint("huggingface_generate", true);
    assert_eq!(stream_path, "/generate_stream");
    let got = send_streamed(
        &server,
        &*streamed,
        stream_path,
        &prompt("What is TGI?", Some(4)),
    );
    assert_eq!(words(&got.text), 4);
    assert_eq!(got.usage, Usage::default());
    assert!(!got.ended, "TGI sends no end marker: the body ends");
    assert!(got.first_text.unwrap() - got.sent >= 40 * MS);
    let served = served_one(&server);
    assert_eq!(
        (served.route, served.stream, served.output_tokens),
        (Route::GenerateStream, true, 4)
    );

    // With details asked for (extra goes into parameters), the counts come too.
    let with_details = EndpointFactory::create_instance(
        "huggingface_generate",
        EndpointArgs {
            model: "tgi".into(),
            streaming: false,
            extra: json!({"details": true}).as_object().unwrap().clone(),
        },
    )
    .unwrap();
    let parsed = send_complete(&server, &*with_details, path, &prompt("x y", Some(3)));
    assert_eq!(parsed.usage.unwrap().completion_tokens, Some(3));
    served_one(&server);
    let got = send_streamed(
        &server,
        &*with_details,
        "/generate_stream",
        &prompt("x y", Some(3)),
    );
    assert_eq!(
        got.usage,
        Usage {
            prompt_tokens: Some(2),
            completion_tokens: Some(3),
        }
    );
}

/// The three rerankers: every passage ranked once, best first.
#[test]
fn rerankers_end_to_end() {
    let server = MockServer::start(MockConfig::fast()).unwrap();
    let query = Prompt {
        text: "What is the capital of the United States?".into(),
        passages: (0..6).map(|i| format!("passage number {i}")).collect(),
        max_tokens: None,
    };
    for (name, route) in [
        ("rankings", Route::Ranking),
        ("hf_tei_rankings", Route::Rerank),
        ("cohere_rankings", Route::CohereRerank),
    ] {
        let (endpoint, path) = endpoint(name, false);
        let parsed = send_complete(&server, &*endpoint, path, &query);
        let Output::Rankings(rankings) = &parsed.output else {
            panic!("{name}: {:?}", parsed.output);
        };
        let mut indices: Vec<usize> = rankings.iter().map(|r| r.index).collect();
        indices.sort_unstable();
        assert_eq!(indices, [0, 1, 2, 3, 4, 5], "{name}");
        assert!(
            rankings.windows(2).all(|w| w[0].score >= w[1].score),
            "{name}: {rankings:?}"
        );
        let served = served_one(&server);
        assert_eq!((served.route, served.status), (route, 200), "{name}");
        assert_eq!(served.prompt_tokens, 8 + 6 * 3, "{name}");
    }
    // The three agree on the order: the same logits underneath.
    let orders: Vec<Vec<usize>> = ["rankings", "hf_tei_rankings", "cohere_rankings"]
        .into_iter()
        .map(|name| {
            let (endpoint, path) = endpoint(name, false);
            match send_complete(&server, &*endpoint, path, &query).output {
                Output::Rankings(r) => r.iter().map(|r| r.index).collect(),
                other => panic!("{other:?}"),
            }
        })
        .collect();
    assert!(orders.windows(2).all(|w| w[0] == w[1]), "{orders:?}");

    // Cohere's top_n, through the endpoint's extra fields.
    let top = EndpointFactory::create_instance(
        "cohere_rankings",
        EndpointArgs {
            model: "rerank-v3.5".into(),
            streaming: false,
            extra: json!({"top_n": 2}).as_object().unwrap().clone(),
        },
    )
    .unwrap();
    match send_complete(&server, &*top, "/v2/rerank", &query).output {
        Output::Rankings(r) => assert_eq!(
            r.iter().map(|r| r.index).collect::<Vec<_>>(),
            orders[0][..2]
        ),
        other => panic!("{other:?}"),
    }
}

/// A server error reaches the endpoint as the transport's error (non-2xx
/// bodies are never parsed); an error event inside a stream is the
/// endpoint's.
#[test]
fn injected_errors_fail_the_request() {
    let server = MockServer::start(MockConfig {
        error_rate: 1.0,
        ..MockConfig::fast()
    })
    .unwrap();
    let (endpoint, path) = endpoint("messages", false);
    let transport = http(&server);
    let payload = endpoint.format_payload(&prompt("x", Some(2)));
    let mut reader = Reader {
        endpoint: &*endpoint,
        deltas: Vec::new(),
        ended: false,
        error: None,
    };
    let err = block_on(transport.send(
        TransportRequest {
            path,
            body: &payload,
            stream: false,
        },
        &mut reader,
    ))
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("answered 500"), "{message}");
    assert!(message.contains("api_error"), "{message}");
}
