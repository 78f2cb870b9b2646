//! OpenAI chat completions (`/v1/chat/completions`).

use registry_core::{BoxError, Implementation};
use serde_json::json;

use super::{choices_event, generation_payload, text_response};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, ParsedResponse,
    Prompt, StreamDelta,
};

/// The OpenAI chat completions API (`chat`, identifier `openai_chat`).
///
/// The prompt is sent as one user message; [`Prompt::passages`] are not
/// used. [`Prompt::max_tokens`] becomes `max_completion_tokens`. A streamed
/// request asks for `stream_options.include_usage`, so the last chunk
/// carries the token counts.
#[derive(Debug, Clone)]
pub struct OpenAiChat {
    args: EndpointArgs,
}

impl Implementation<EndpointCategory> for OpenAiChat {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/chat/completions",
        streaming_path: None,
        supports_streaming: true,
        produces_tokens: true,
        tokenizes_input: true,
        metrics_title: "LLM Metrics",
    };
    const DESCRIPTION: &'static str =
        "OpenAI chat completions: the prompt as one user message, streamed or not.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        Ok(OpenAiChat { args })
    }
}

impl Endpoint for OpenAiChat {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        let messages = json!([{"role": "user", "content": prompt.text}]);
        generation_payload(
            &self.args,
            ("messages", messages),
            "max_completion_tokens",
            prompt.max_tokens,
        )
    }

    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
        text_response(body, "choices[0].message.content")
    }

    /// A chunk's `choices[0].delta.content`; a delta without content (the
    /// role-only first chunk, the `finish_reason` chunk) adds empty text.
    fn parse_stream_event(&self, data: &str) -> Result<Option<StreamDelta>, EndpointError> {
        choices_event(data, fast_text, |chunk| {
            chunk.object("choices[0].delta")?;
            let content = chunk.optional_str("choices[0].delta.content")?;
            Ok(content.unwrap_or_default().to_owned())
        })
    }
}

/// A chat chunk's text from the typed chunk: `delta.content` (absent or
/// `null` is empty); `None` without a `delta` object.
pub(super) fn fast_text(choice: &super::FastChoice<'_>) -> Option<String> {
    let delta = choice.delta.as_ref()?;
    Some(delta.content.as_deref().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use aiperf_plugin_api::{Output, Usage};

    fn chat(streaming: bool, extra: serde_json::Value) -> OpenAiChat {
        OpenAiChat::create(crate::endpoints::test_args(
            "meta/llama-3.1-8b-instruct",
            streaming,
            extra,
        ))
        .unwrap()
    }

    fn prompt(max_tokens: Option<u32>) -> Prompt {
        Prompt {
            text: "Why is the sky blue?".into(),
            passages: vec!["ignored".into()],
            max_tokens,
        }
    }

    #[test]
    fn payload_without_limit_or_streaming() {
        assert_eq!(
            chat(false, json!({})).format_payload(&prompt(None)),
            json!({
                "model": "meta/llama-3.1-8b-instruct",
                "messages": [{"role": "user", "content": "Why is the sky blue?"}],
                "stream": false,
            })
        );
    }

    #[test]
    fn streamed_payload_with_limit_asks_for_usage() {
        assert_eq!(
            chat(true, json!({})).format_payload(&prompt(Some(128))),
            json!({
                "model": "meta/llama-3.1-8b-instruct",
                "messages": [{"role": "user", "content": "Why is the sky blue?"}],
                "stream": true,
                "max_completion_tokens": 128,
                "stream_options": {"include_usage": true},
            })
        );
    }

    #[test]
    fn extra_fields_are_merged_last() {
        let endpoint = chat(
            false,
            json!({"temperature": 0.0, "max_completion_tokens": 7, "top_p": 0.9}),
        );
        assert_eq!(
            endpoint.format_payload(&prompt(Some(128))),
            json!({
                "model": "meta/llama-3.1-8b-instruct",
                "messages": [{"role": "user", "content": "Why is the sky blue?"}],
                "stream": false,
                "max_completion_tokens": 7,
                "temperature": 0.0,
                "top_p": 0.9,
            })
        );
    }

    #[test]
    fn parses_an_openai_response() {
        let body = br#"{
          "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
          "object": "chat.completion",
          "created": 1741569952,
          "model": "gpt-4.1-2025-04-14",
          "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "Rayleigh scattering.", "refusal": null, "annotations": []},
            "logprobs": null,
            "finish_reason": "stop"
          }],
          "usage": {
            "prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0}
          },
          "service_tier": "default"
        }"#;
        assert_eq!(
            chat(false, json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Text("Rayleigh scattering.".into()),
                usage: Some(Usage {
                    prompt_tokens: Some(19),
                    completion_tokens: Some(10)
                }),
            }
        );
    }

    #[test]
    fn response_without_usage_has_none() {
        let body =
            br#"{"choices": [{"index": 0, "message": {"role": "assistant", "content": ""}}]}"#;
        assert_eq!(
            chat(false, json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Text(String::new()),
                usage: None
            }
        );
    }

    #[test]
    fn missing_or_null_content_names_its_path() {
        let endpoint = chat(false, json!({}));
        let err = endpoint.parse_response(br#"{"choices": []}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no choices[0].message.content (a string); \
             body starts with \"{\\\"choices\\\": []}\""
        );
        let err = endpoint
            .parse_response(
                br#"{"choices": [{"message": {"role": "assistant", "content": null}}]}"#,
            )
            .unwrap_err();
        assert!(matches!(
            err,
            EndpointError::MissingField {
                path: "choices[0].message.content",
                expected: "a string",
                ..
            }
        ));
        // A completions response sent to the chat endpoint.
        let err = endpoint
            .parse_response(br#"{"object": "text_completion", "choices": [{"text": "hi"}]}"#)
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("response has no choices[0].message.content (a string)"),
            "{err}"
        );
    }

    #[test]
    fn parses_a_stream() {
        let endpoint = chat(true, json!({}));
        let events = [
            r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}"#,
            r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Ray"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
            r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"leigh"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
            r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"#,
            r#"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":2,"total_tokens":21}}"#,
            "[DONE]",
        ];
        let deltas: Vec<Option<StreamDelta>> = events
            .iter()
            .map(|e| endpoint.parse_stream_event(e).unwrap())
            .collect();
        let text = |t: &str| {
            Some(StreamDelta {
                text: t.into(),
                usage: None,
            })
        };
        assert_eq!(
            deltas,
            vec![
                text(""),
                text("Ray"),
                text("leigh"),
                text(""),
                Some(StreamDelta {
                    text: String::new(),
                    usage: Some(Usage {
                        prompt_tokens: Some(19),
                        completion_tokens: Some(2)
                    }),
                }),
                None,
            ]
        );
    }

    #[test]
    fn null_content_in_a_delta_is_empty_text() {
        let delta = chat(true, json!({}))
            .parse_stream_event(
                r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}"#,
            )
            .unwrap();
        assert_eq!(delta, Some(StreamDelta::default()));
    }

    #[test]
    fn malformed_chunks_name_the_path() {
        let endpoint = chat(true, json!({}));
        let err = endpoint.parse_stream_event(r#"{"object":"chat.completion.chunk"}"#);
        assert_eq!(
            err.unwrap_err().to_string(),
            "response has no choices (an array); \
             body starts with \"{\\\"object\\\":\\\"chat.completion.chunk\\\"}\""
        );
        // A completions chunk has no delta.
        let err = endpoint.parse_stream_event(r#"{"choices":[{"index":0,"text":"hi"}]}"#);
        assert!(matches!(
            err,
            Err(EndpointError::MissingField {
                path: "choices[0].delta",
                expected: "an object",
                ..
            })
        ));
        let err = endpoint.parse_stream_event(r#"{"choices":[{"delta":{"content":42}}]}"#);
        assert!(matches!(
            err,
            Err(EndpointError::MissingField {
                path: "choices[0].delta.content",
                expected: "a string or null",
                ..
            })
        ));
        let err = endpoint.parse_stream_event("data: {\"choices\": []}");
        assert!(matches!(err, Err(EndpointError::MalformedJson { .. })));
    }

    #[test]
    fn metadata() {
        assert_eq!(
            <OpenAiChat as Implementation<EndpointCategory>>::METADATA,
            EndpointMetadata {
                endpoint_path: "/v1/chat/completions",
                streaming_path: None,
                supports_streaming: true,
                produces_tokens: true,
                tokenizes_input: true,
                metrics_title: "LLM Metrics",
            }
        );
    }
}
