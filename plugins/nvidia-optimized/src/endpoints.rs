//! The three endpoints: the builtin of the same name inside, created
//! through the registry by its identifier, with NIM fields added to its
//! payload.
//!
//! This crate depends on the plugin API only, never on the builtins: it
//! finds the OpenAI-format builtin it extends at run time
//! ([`EndpointFactory::get_class_by_id`]), so a binary that links this
//! plugin without the builtins gets an error naming the missing
//! implementation when the endpoint is created, not a build failure.

use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointFactory, EndpointMetadata,
    ParsedResponse, Prompt, StreamDelta,
};
use registry_core::{BoxError, Implementation, RegistryError};
use serde_json::{Map, Value};

/// The builtin implementation `identifier` of endpoint `name`, created with
/// `args`. The builtin's own refusal (e.g. streaming embeddings) is passed
/// on as it is: the registry wraps this constructor's error in "creating
/// endpoint ... failed" once already.
fn builtin(
    name: &str,
    identifier: &str,
    args: EndpointArgs,
) -> Result<Box<dyn Endpoint>, BoxError> {
    match EndpointFactory::get_class_by_id(name, identifier)?.create(args) {
        Ok(endpoint) => Ok(endpoint),
        Err(RegistryError::ConstructorFailed { source, .. }) => Err(source),
        Err(other) => Err(other.into()),
    }
}

/// Response parsing is the builtin's: NIM answers in the OpenAI format.
macro_rules! delegate_parsing {
    () => {
        fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
            self.inner.parse_response(body)
        }

        fn parse_stream_event(&self, data: &str) -> Result<Option<StreamDelta>, EndpointError> {
            self.inner.parse_stream_event(data)
        }
    };
}

/// Adds `field: value` to the payload unless it is already there (a field
/// of [`EndpointArgs::extra`] wins, as it does in the builtins).
fn add_default(payload: &mut Map<String, Value>, field: &str, value: Value) {
    payload.entry(field).or_insert(value);
}

/// Adds `nvext.ignore_eos: true` when the prompt sets a token limit, so the
/// server generates exactly that many tokens. An `nvext` from
/// [`EndpointArgs::extra`] is kept, and gains `ignore_eos` unless it sets it
/// or is not an object.
fn ignore_eos(mut payload: Value, prompt: &Prompt) -> Value {
    if prompt.max_tokens.is_some() {
        if let Some(fields) = payload.as_object_mut() {
            let nvext = fields
                .entry("nvext")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(nvext) = nvext.as_object_mut() {
                add_default(nvext, "ignore_eos", Value::Bool(true));
            }
        }
    }
    payload
}

/// The builtin `openai_chat` for NVIDIA NIM (`chat`, identifier
/// `nvidia_optimized`): the same payload plus
/// `"nvext": {"ignore_eos": true}` when [`Prompt::max_tokens`] is set.
pub struct NvidiaChat {
    inner: Box<dyn Endpoint>,
}

impl Implementation<EndpointCategory> for NvidiaChat {
    /// `openai_chat`'s metadata, retitled (the link-set tests check that the
    /// rest stays equal to the builtin's).
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/chat/completions",
        streaming_path: None,
        supports_streaming: true,
        produces_tokens: true,
        tokenizes_input: true,
        metrics_title: "LLM Metrics (NVIDIA NIM)",
    };
    const DESCRIPTION: &'static str = "OpenAI chat for NVIDIA NIM: adds nvext.ignore_eos when \
        max_tokens is set, so every response has exactly max_tokens tokens.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        Ok(NvidiaChat {
            inner: builtin("chat", "openai_chat", args)?,
        })
    }
}

impl Endpoint for NvidiaChat {
    fn format_payload(&self, prompt: &Prompt) -> Value {
        ignore_eos(self.inner.format_payload(prompt), prompt)
    }

    delegate_parsing!();
}

/// The builtin `openai_completions` for NVIDIA NIM (`completions`,
/// identifier `nvidia_optimized`): the same payload plus
/// `"nvext": {"ignore_eos": true}` when [`Prompt::max_tokens`] is set.
pub struct NvidiaCompletions {
    inner: Box<dyn Endpoint>,
}

impl Implementation<EndpointCategory> for NvidiaCompletions {
    /// `openai_completions`'s metadata, retitled.
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/completions",
        streaming_path: None,
        supports_streaming: true,
        produces_tokens: true,
        tokenizes_input: true,
        metrics_title: "LLM Metrics (NVIDIA NIM)",
    };
    const DESCRIPTION: &'static str = "OpenAI completions for NVIDIA NIM: adds nvext.ignore_eos \
        when max_tokens is set, so every response has exactly max_tokens tokens.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        Ok(NvidiaCompletions {
            inner: builtin("completions", "openai_completions", args)?,
        })
    }
}

impl Endpoint for NvidiaCompletions {
    fn format_payload(&self, prompt: &Prompt) -> Value {
        ignore_eos(self.inner.format_payload(prompt), prompt)
    }

    delegate_parsing!();
}

/// The builtin `openai_embeddings` for NVIDIA NIM (`embeddings`, identifier
/// `nvidia_optimized`): the same payload plus `"input_type": "query"` (NIM's
/// retrieval embedding models require it) and `"truncate": "END"` (inputs
/// longer than the model's limit are cut instead of rejected). Both can be
/// replaced through [`EndpointArgs::extra`], e.g. `input_type: passage`.
pub struct NvidiaEmbeddings {
    inner: Box<dyn Endpoint>,
}

impl Implementation<EndpointCategory> for NvidiaEmbeddings {
    /// `openai_embeddings`'s metadata, retitled.
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/embeddings",
        streaming_path: None,
        supports_streaming: false,
        produces_tokens: false,
        tokenizes_input: true,
        metrics_title: "Embeddings Metrics (NVIDIA NIM)",
    };
    const DESCRIPTION: &'static str = "OpenAI embeddings for NVIDIA NIM: adds input_type \
        \"query\" (required by NIM) and truncate \"END\".";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        Ok(NvidiaEmbeddings {
            inner: builtin("embeddings", "openai_embeddings", args)?,
        })
    }
}

impl Endpoint for NvidiaEmbeddings {
    fn format_payload(&self, prompt: &Prompt) -> Value {
        let mut payload = self.inner.format_payload(prompt);
        if let Some(fields) = payload.as_object_mut() {
            add_default(fields, "input_type", "query".into());
            add_default(fields, "truncate", "END".into());
        }
        payload
    }

    delegate_parsing!();
}

#[cfg(test)]
mod tests {
    use aiperf_plugin_api::{Output, Usage};
    use serde_json::json;

    // The builtins these endpoints extend are found through the registry:
    // link them.
    use aiperf_builtins as _;

    use super::*;

    fn args(streaming: bool, extra: Value) -> EndpointArgs {
        EndpointArgs {
            model: "meta/llama-3.1-8b-instruct".into(),
            streaming,
            extra: extra.as_object().cloned().unwrap_or_default(),
        }
    }

    fn prompt(max_tokens: Option<u32>) -> Prompt {
        Prompt {
            text: "Hello".into(),
            passages: vec!["world".into()],
            max_tokens,
        }
    }

    #[test]
    fn chat_ignores_eos_when_a_limit_is_set() {
        let chat = NvidiaChat::create(args(true, json!({}))).unwrap();
        assert_eq!(
            chat.format_payload(&prompt(Some(256))),
            json!({
                "model": "meta/llama-3.1-8b-instruct",
                "messages": [{"role": "user", "content": "Hello"}],
                "stream": true,
                "max_completion_tokens": 256,
                "stream_options": {"include_usage": true},
                "nvext": {"ignore_eos": true},
            })
        );
    }

    #[test]
    fn without_a_limit_the_payload_is_the_builtin_s() {
        let chat = NvidiaChat::create(args(false, json!({}))).unwrap();
        let builtin = EndpointFactory::get_class_by_id("chat", "openai_chat")
            .unwrap()
            .create(args(false, json!({})))
            .unwrap();
        assert_eq!(
            chat.format_payload(&prompt(None)),
            builtin.format_payload(&prompt(None))
        );
        assert!(chat.format_payload(&prompt(None)).get("nvext").is_none());
    }

    #[test]
    fn completions_ignore_eos_when_a_limit_is_set() {
        let completions = NvidiaCompletions::create(args(false, json!({}))).unwrap();
        assert_eq!(
            completions.format_payload(&prompt(Some(8))),
            json!({
                "model": "meta/llama-3.1-8b-instruct",
                "prompt": "Hello",
                "stream": false,
                "max_tokens": 8,
                "nvext": {"ignore_eos": true},
            })
        );
    }

    #[test]
    fn an_nvext_from_extra_is_extended_not_replaced() {
        let extra = json!({"nvext": {"top_k": 1}});
        let chat = NvidiaCompletions::create(args(false, extra)).unwrap();
        assert_eq!(
            chat.format_payload(&prompt(Some(8)))["nvext"],
            json!({"top_k": 1, "ignore_eos": true})
        );
        let extra = json!({"nvext": {"ignore_eos": false}});
        let chat = NvidiaChat::create(args(false, extra)).unwrap();
        assert_eq!(
            chat.format_payload(&prompt(Some(8)))["nvext"],
            json!({"ignore_eos": false})
        );
    }

    #[test]
    fn embeddings_add_input_type_and_truncate() {
        let embeddings = NvidiaEmbeddings::create(args(false, json!({}))).unwrap();
        assert_eq!(
            embeddings.format_payload(&prompt(Some(8))),
            json!({
                "model": "meta/llama-3.1-8b-instruct",
                "input": ["Hello", "world"],
                "input_type": "query",
                "truncate": "END",
            })
        );
        let passage = NvidiaEmbeddings::create(args(false, json!({"input_type": "passage"})))
            .unwrap()
            .format_payload(&prompt(None));
        assert_eq!(passage["input_type"], json!("passage"));
        assert_eq!(passage["truncate"], json!("END"));
    }

    #[test]
    fn streaming_embeddings_are_refused_like_the_builtin() {
        let err = NvidiaEmbeddings::create(args(true, json!({})))
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "the embeddings endpoint does not support streaming; set streaming: false"
        );
    }

    #[test]
    fn parsing_is_the_builtin_s() {
        let chat = NvidiaChat::create(args(true, json!({}))).unwrap();
        let body = br#"{"id":"chat-1","object":"chat.completion","model":"meta/llama-3.1-8b-instruct","choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"finish_reason":"length"}],"usage":{"prompt_tokens":11,"total_tokens":13,"completion_tokens":2}}"#;
        assert_eq!(
            chat.parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Text("Hi!".into()),
                usage: Some(Usage {
                    prompt_tokens: Some(11),
                    completion_tokens: Some(2)
                }),
            }
        );
        assert_eq!(chat.parse_stream_event("[DONE]").unwrap(), None);
        let err = chat
            .parse_response(br#"{"detail": "Not Found"}"#)
            .unwrap_err();
        assert_eq!(err.to_string(), "server returned an error: Not Found");
        let embeddings = NvidiaEmbeddings::create(args(false, json!({}))).unwrap();
        assert!(matches!(
            embeddings.parse_stream_event("{}"),
            Err(EndpointError::StreamingUnsupported("embeddings"))
        ));
    }

    #[test]
    fn metadata_is_the_builtin_s_retitled() {
        let pairs = [
            ("chat", "openai_chat", NvidiaChat::METADATA),
            (
                "completions",
                "openai_completions",
                NvidiaCompletions::METADATA,
            ),
            (
                "embeddings",
                "openai_embeddings",
                NvidiaEmbeddings::METADATA,
            ),
        ];
        for (name, builtin, ours) in pairs {
            let theirs = *EndpointFactory::get_class_by_id(name, builtin)
                .unwrap()
                .metadata();
            assert!(ours.metrics_title.ends_with("(NVIDIA NIM)"), "{name}");
            assert_eq!(
                ours,
                EndpointMetadata {
                    metrics_title: ours.metrics_title,
                    ..theirs
                },
                "{name}"
            );
        }
    }

    #[test]
    fn without_the_builtins_creation_names_what_is_missing() {
        // The error comes from the registry: an unknown identifier lists
        // the ones there are.
        let err = builtin("chat", "no_such_builtin", args(false, json!({})))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no_such_builtin"), "{err}");
    }
}
