//! The builtin endpoints, reached through the registry as an application
//! reaches them.

use aiperf_builtins as _;
use aiperf_plugin_api::{EndpointArgs, EndpointFactory, EndpointMetadata, Output, Prompt, Ranking};
use registry_core::{Origin, Reason};
use serde_json::json;

#[test]
fn the_nine_builtin_names_are_listed() {
    let names = EndpointFactory::list_names();
    for name in [
        "chat",
        "completions",
        "embeddings",
        "rankings",
        "responses",
        "messages",
        "huggingface_generate",
        "hf_tei_rankings",
        "cohere_rankings",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
        assert!(EndpointFactory::is_registered(name));
    }
}

#[test]
fn chat_is_openai_chat_with_its_metadata_read_without_constructing() {
    let chat = EndpointFactory::get_class("chat").unwrap();
    assert_eq!(chat.info().identifier(), "openai_chat");
    assert_eq!(chat.info().origin(), Origin::Builtin);
    assert_eq!(
        chat.info().type_path(),
        "aiperf_builtins::endpoints::chat::OpenAiChat"
    );
    assert_eq!(
        *chat.metadata(),
        EndpointMetadata {
            endpoint_path: "/v1/chat/completions",
            streaming_path: None,
            supports_streaming: true,
            produces_tokens: true,
            tokenizes_input: true,
            metrics_title: "LLM Metrics",
        }
    );
    assert_eq!(
        EndpointFactory::selection("chat").unwrap().reason(),
        Reason::OnlyCandidate
    );
}

#[test]
fn identifiers_and_metadata_of_every_builtin() {
    // AIPerf 0.13's names, paths and metrics titles (its plugins.yaml).
    let expected = [
        (
            "completions",
            "openai_completions",
            "/v1/completions",
            true,
            "LLM Metrics",
        ),
        (
            "embeddings",
            "openai_embeddings",
            "/v1/embeddings",
            false,
            "Embeddings Metrics",
        ),
        (
            "rankings",
            "nim_rankings",
            "/v1/ranking",
            false,
            "Rankings Metrics",
        ),
        (
            "responses",
            "openai_responses",
            "/v1/responses",
            true,
            "LLM Metrics",
        ),
        (
            "messages",
            "anthropic_messages",
            "/v1/messages",
            true,
            "LLM Metrics",
        ),
        (
            "huggingface_generate",
            "tgi_generate",
            "/generate",
            true,
            "LLM Metrics",
        ),
        (
            "hf_tei_rankings",
            "tei_rerank",
            "/rerank",
            false,
            "Ranking Metrics",
        ),
        (
            "cohere_rankings",
            "cohere_rerank",
            "/v2/rerank",
            false,
            "Ranking Metrics",
        ),
    ];
    for (name, identifier, path, streams, title) in expected {
        let registration = EndpointFactory::get_class(name).unwrap();
        assert_eq!(registration.info().identifier(), identifier);
        assert_eq!(registration.info().origin(), Origin::Builtin);
        assert_eq!(registration.metadata().endpoint_path, path);
        assert_eq!(registration.metadata().supports_streaming, streams);
        assert_eq!(registration.metadata().produces_tokens, streams);
        assert!(registration.metadata().tokenizes_input);
        assert_eq!(registration.metadata().metrics_title, title);
        assert!(!registration.info().description().is_empty());
        assert_eq!(
            EndpointFactory::selection(name).unwrap().reason(),
            Reason::OnlyCandidate,
            "{name}"
        );
    }
}

#[test]
fn create_instance_normalises_the_name_and_formats_a_payload() {
    let chat = EndpointFactory::create_instance(
        "Chat",
        EndpointArgs {
            model: "m".into(),
            streaming: true,
            extra: json!({"temperature": 0.2}).as_object().unwrap().clone(),
        },
    )
    .unwrap();
    let prompt = Prompt {
        text: "hi".into(),
        max_tokens: Some(3),
        ..Prompt::default()
    };
    assert_eq!(
        chat.format_payload(&prompt),
        json!({
            "model": "m",
            "messages": [{"role": "user", "content": "hi"}],
            "stream": true,
            "max_completion_tokens": 3,
            "stream_options": {"include_usage": true},
            "temperature": 0.2,
        })
    );
    let parsed = chat
        .parse_response(br#"{"choices":[{"message":{"content":"hello"}}]}"#)
        .unwrap();
    assert_eq!(parsed.output, Output::Text("hello".into()));
}

#[test]
fn streaming_embeddings_fail_at_creation_naming_the_fix() {
    let err = EndpointFactory::create_instance(
        "embeddings",
        EndpointArgs {
            streaming: true,
            ..EndpointArgs::default()
        },
    )
    .err()
    .expect("streaming embeddings must not be created");
    let message = err.to_string();
    assert!(
        message
            .contains("the embeddings endpoint does not support streaming; set streaming: false"),
        "{message}"
    );
}

#[test]
fn streaming_rerankers_fail_at_creation_naming_the_fix() {
    for name in ["hf_tei_rankings", "cohere_rankings"] {
        let err = EndpointFactory::create_instance(
            name,
            EndpointArgs {
                streaming: true,
                ..EndpointArgs::default()
            },
        )
        .err()
        .unwrap_or_else(|| panic!("a streaming {name} endpoint must not be created"));
        assert!(
            err.to_string().contains(&format!(
                "the {name} endpoint does not support streaming; set streaming: false"
            )),
            "{err}"
        );
    }
}

/// Each new endpoint through the registry: its payload, and its answer
/// read back.
#[test]
fn the_new_endpoints_format_and_parse_through_the_registry() {
    let args = |streaming| EndpointArgs {
        model: "m".into(),
        streaming,
        ..EndpointArgs::default()
    };
    let prompt = Prompt {
        text: "q".into(),
        passages: vec!["a".into(), "b".into()],
        max_tokens: Some(4),
    };
    let cases = [
        (
            "responses",
            json!({"model": "m", "input": [{"type": "message", "role": "user", "content": "q"}], "stream": true, "max_output_tokens": 4}),
            r#"{"output":[{"type":"message","content":[{"type":"output_text","text":"hi"}]}]}"#,
            Output::Text("hi".into()),
        ),
        (
            "messages",
            json!({"model": "m", "messages": [{"role": "user", "content": "q"}], "max_tokens": 4, "stream": true}),
            r#"{"type":"message","content":[{"type":"text","text":"hi"}]}"#,
            Output::Text("hi".into()),
        ),
        (
            "huggingface_generate",
            json!({"inputs": "q", "parameters": {"max_new_tokens": 4}}),
            r#"{"generated_text":"hi"}"#,
            Output::Text("hi".into()),
        ),
        (
            "hf_tei_rankings",
            json!({"query": "q", "texts": ["a", "b"]}),
            r#"[{"index":1,"score":0.9},{"index":0,"score":0.1}]"#,
            Output::Rankings(vec![
                Ranking {
                    index: 1,
                    score: 0.9,
                },
                Ranking {
                    index: 0,
                    score: 0.1,
                },
            ]),
        ),
        (
            "cohere_rankings",
            json!({"model": "m", "query": "q", "documents": ["a", "b"]}),
            r#"{"results":[{"index":0,"relevance_score":0.2},{"index":1,"relevance_score":0.8}]}"#,
            Output::Rankings(vec![
                Ranking {
                    index: 1,
                    score: 0.8,
                },
                Ranking {
                    index: 0,
                    score: 0.2,
                },
            ]),
        ),
    ];
    for (name, payload, answer, output) in cases {
        let streams = EndpointFactory::get_class(name)
            .unwrap()
            .metadata()
            .supports_streaming
            && name != "huggingface_generate";
        let endpoint = EndpointFactory::create_instance(name, args(streams)).unwrap();
        assert_eq!(endpoint.format_payload(&prompt), payload, "{name}");
        assert_eq!(
            endpoint.parse_response(answer.as_bytes()).unwrap().output,
            output,
            "{name}"
        );
    }
}
