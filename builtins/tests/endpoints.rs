//! The builtin endpoints, reached through the registry as an application
//! reaches them.

use aiperf_builtins as _;
use aiperf_plugin_api::{EndpointArgs, EndpointFactory, EndpointMetadata, Output, Prompt};
use registry_core::{Origin, Reason};
use serde_json::json;

#[test]
fn the_four_builtin_names_are_listed() {
    let names = EndpointFactory::list_names();
    for name in ["chat", "completions", "embeddings", "rankings"] {
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
    let expected = [
        ("completions", "openai_completions", "/v1/completions", true),
        ("embeddings", "openai_embeddings", "/v1/embeddings", false),
        ("rankings", "nim_rankings", "/v1/ranking", false),
    ];
    for (name, identifier, path, streams) in expected {
        let registration = EndpointFactory::get_class(name).unwrap();
        assert_eq!(registration.info().identifier(), identifier);
        assert_eq!(registration.info().origin(), Origin::Builtin);
        assert_eq!(registration.metadata().endpoint_path, path);
        assert_eq!(registration.metadata().supports_streaming, streams);
        assert_eq!(registration.metadata().produces_tokens, streams);
        assert!(!registration.info().description().is_empty());
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
