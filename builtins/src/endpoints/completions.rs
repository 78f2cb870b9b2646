//! OpenAI (legacy) text completions (`/v1/completions`).

use registry_core::{BoxError, Implementation};

use super::{choices_event, generation_payload, text_response};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, ParsedResponse,
    Prompt, StreamDelta,
};

/// The OpenAI completions API (`completions`, identifier
/// `openai_completions`).
///
/// The prompt is sent as a raw `prompt` string; [`Prompt::passages`] are not
/// used. [`Prompt::max_tokens`] becomes `max_tokens`. A streamed request asks
/// for `stream_options.include_usage`.
#[derive(Debug, Clone)]
pub struct OpenAiCompletions {
    args: EndpointArgs,
}

impl Implementation<EndpointCategory> for OpenAiCompletions {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/completions",
        streaming_path: None,
        supports_streaming: true,
        produces_tokens: true,
        tokenizes_input: true,
        metrics_title: "LLM Metrics",
    };
    const DESCRIPTION: &'static str =
        "OpenAI text completions: the prompt as a raw string, streamed or not.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        Ok(OpenAiCompletions { args })
    }
}

impl Endpoint for OpenAiCompletions {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        generation_payload(
            &self.args,
            ("prompt", prompt.text.clone().into()),
            "max_tokens",
            prompt.max_tokens,
        )
    }

    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
        text_response(body, "choices[0].text")
    }

    /// A chunk's `choices[0].text`, which every completions chunk carries
    /// (unlike chat deltas, a missing text is an error).
    fn parse_stream_event(&self, data: &str) -> Result<Option<StreamDelta>, EndpointError> {
        choices_event(data, fast_text, |chunk| {
            Ok(chunk.str("choices[0].text")?.to_owned())
        })
    }
}

/// A completion chunk's text from the typed chunk: `text`; `None` when it
/// is absent or `null`.
pub(super) fn fast_text(choice: &super::FastChoice<'_>) -> Option<String> {
    choice.text.as_deref().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use aiperf_plugin_api::{Output, Usage};

    fn completions(streaming: bool, extra: serde_json::Value) -> OpenAiCompletions {
        OpenAiCompletions::create(crate::endpoints::test_args("gpt2", streaming, extra)).unwrap()
    }

    fn prompt(max_tokens: Option<u32>) -> Prompt {
        Prompt {
            text: "Once upon a time".into(),
            passages: Vec::new(),
            max_tokens,
        }
    }

    #[test]
    fn payloads() {
        assert_eq!(
            completions(false, json!({})).format_payload(&prompt(None)),
            json!({"model": "gpt2", "prompt": "Once upon a time", "stream": false})
        );
        assert_eq!(
            completions(true, json!({})).format_payload(&prompt(Some(64))),
            json!({
                "model": "gpt2",
                "prompt": "Once upon a time",
                "stream": true,
                "max_tokens": 64,
                "stream_options": {"include_usage": true},
            })
        );
        assert_eq!(
            completions(true, json!({"stream_options": null, "seed": 1}))
                .format_payload(&prompt(Some(64))),
            json!({
                "model": "gpt2",
                "prompt": "Once upon a time",
                "stream": true,
                "max_tokens": 64,
                "stream_options": null,
                "seed": 1,
            })
        );
    }

    #[test]
    fn parses_a_vllm_response() {
        let body = br#"{
          "id": "cmpl-9a3c1f0e1c2d4b1f8e2a6d7c5b4a3f21",
          "object": "text_completion",
          "created": 1733000000,
          "model": "gpt2",
          "choices": [{"index": 0, "text": " there was a king", "logprobs": null, "finish_reason": "length", "stop_reason": null, "prompt_logprobs": null}],
          "usage": {"prompt_tokens": 4, "total_tokens": 8, "completion_tokens": 4, "prompt_tokens_details": null}
        }"#;
        assert_eq!(
            completions(false, json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Text(" there was a king".into()),
                usage: Some(Usage {
                    prompt_tokens: Some(4),
                    completion_tokens: Some(4)
                }),
            }
        );
    }

    #[test]
    fn chat_shaped_response_names_the_missing_path() {
        let err = completions(false, json!({}))
            .parse_response(br#"{"choices":[{"message":{"content":"hi"}}]}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no choices[0].text (a string); \
             body starts with \"{\\\"choices\\\":[{\\\"message\\\":{\\\"content\\\":\\\"hi\\\"}}]}\""
        );
    }

    #[test]
    fn parses_a_stream() {
        let endpoint = completions(true, json!({}));
        let events = [
            r#"{"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt2","choices":[{"index":0,"text":" there","logprobs":null,"finish_reason":null}],"usage":null}"#,
            r#"{"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt2","choices":[{"index":0,"text":" was","logprobs":null,"finish_reason":"length"}],"usage":null}"#,
            r#"{"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt2","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}"#,
            "[DONE]",
        ];
        let deltas: Vec<_> = events
            .iter()
            .map(|e| endpoint.parse_stream_event(e).unwrap())
            .collect();
        assert_eq!(
            deltas,
            vec![
                Some(StreamDelta {
                    text: " there".into(),
                    usage: None
                }),
                Some(StreamDelta {
                    text: " was".into(),
                    usage: None
                }),
                Some(StreamDelta {
                    text: String::new(),
                    usage: Some(Usage {
                        prompt_tokens: Some(4),
                        completion_tokens: Some(2)
                    }),
                }),
                None,
            ]
        );
    }

    #[test]
    fn a_chunk_without_text_is_an_error() {
        let err = completions(true, json!({}))
            .parse_stream_event(r#"{"choices":[{"index":0,"delta":{"content":"hi"}}]}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "choices[0].text",
                    expected: "a string",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn metadata() {
        assert_eq!(
            <OpenAiCompletions as Implementation<EndpointCategory>>::METADATA,
            EndpointMetadata {
                endpoint_path: "/v1/completions",
                streaming_path: None,
                supports_streaming: true,
                produces_tokens: true,
                tokenizes_input: true,
                metrics_title: "LLM Metrics",
            }
        );
    }
}
