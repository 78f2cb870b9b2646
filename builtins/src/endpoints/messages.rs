//! Anthropic Messages API (`/v1/messages`).

use registry_core::{BoxError, Implementation};
use serde_json::{Value, json};

use super::{Body, with_extra};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, Output,
    ParsedResponse, Prompt, StreamDelta, Usage,
};

/// The Anthropic Messages API (`messages`, identifier `anthropic_messages`).
///
/// The prompt is sent as one user message; [`Prompt::passages`] are not
/// used. Anthropic requires `max_tokens`: it is [`Prompt::max_tokens`], or
/// [`AnthropicMessages::DEFAULT_MAX_TOKENS`] (1024, AIPerf's default) when
/// the prompt sets none. `"stream": true` is sent only when streaming; a
/// request that does not stream omits the field, as AIPerf and Anthropic's
/// own clients do.
///
/// A complete response's text is its `text` content blocks, joined
/// (`thinking` and `tool_use` blocks add none); its token counts are
/// `usage.input_tokens` and `usage.output_tokens`.
///
/// A stream's text comes from its `content_block_delta` events whose delta
/// is a `text_delta` (thinking, signature and tool-input deltas add none,
/// as a chat stream's reasoning adds none); the prompt's token count from
/// `message_start` (`message.usage.input_tokens`), the generated ones from
/// `message_delta` (`usage.output_tokens`); `message_stop` ends the
/// stream. `ping` and the content-block start and stop events add nothing.
/// An `error` event is an [`EndpointError::Server`].
///
/// Authentication: Anthropic wants the key in an `x-api-key` header and an
/// `anthropic-version` header, not a Bearer token. The `http` transport's
/// `api_key` sends a Bearer token, so give both in its `headers` instead:
/// `headers: {x-api-key: "${ANTHROPIC_API_KEY}", anthropic-version:
/// "2023-06-01"}` (header values are hidden in every output).
#[derive(Debug, Clone)]
pub struct AnthropicMessages {
    args: EndpointArgs,
}

impl AnthropicMessages {
    /// The `max_tokens` sent when the prompt sets none (AIPerf's default):
    /// Anthropic refuses a request without it.
    pub const DEFAULT_MAX_TOKENS: u32 = 1024;
}

impl Implementation<EndpointCategory> for AnthropicMessages {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/messages",
        streaming_path: None,
        supports_streaming: true,
        produces_tokens: true,
        tokenizes_input: true,
        metrics_title: "LLM Metrics",
    };
    const DESCRIPTION: &'static str = "Anthropic Messages API: the prompt as one user message, \
         max_tokens always set (1024 by default), streamed or not.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        Ok(AnthropicMessages { args })
    }
}

impl Endpoint for AnthropicMessages {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        let mut payload = json!({
            "model": self.args.model,
            "messages": [{"role": "user", "content": prompt.text}],
            "max_tokens": prompt.max_tokens.unwrap_or(Self::DEFAULT_MAX_TOKENS),
        });
        if self.args.streaming {
            payload["stream"] = true.into();
        }
        with_extra(payload, &self.args.extra)
    }

    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
        let body = Body::parse(body)?;
        let mut text = String::new();
        for block in body.array("content")? {
            if block.get("type").and_then(Value::as_str) != Some("text") {
                continue;
            }
            let piece = block
                .get("text")
                .and_then(Value::as_str)
                .ok_or_else(|| body.missing("content[].text", "a string in every text block"))?;
            text.push_str(piece);
        }
        Ok(ParsedResponse {
            output: Output::Text(text),
            usage: body.usage_at(
                "usage",
                Some("usage.input_tokens"),
                Some("usage.output_tokens"),
            )?,
        })
    }

    /// One event, told apart by its `type`; `message_stop` (and `[DONE]`,
    /// which some compatible servers send) ends the stream.
    fn parse_stream_event(&self, data: &str) -> Result<Option<StreamDelta>, EndpointError> {
        let Some(event) = Body::event(data)? else {
            return Ok(None);
        };
        let delta = match event.event_type()? {
            "content_block_delta" => {
                event.object("delta")?;
                let text = match event.str("delta.type")? {
                    "text_delta" => event.str("delta.text")?.to_owned(),
                    _ => String::new(),
                };
                StreamDelta { text, usage: None }
            }
            "message_start" => {
                event.object("message")?;
                StreamDelta {
                    text: String::new(),
                    // Its output_tokens is an early count (usually 1): the
                    // real one comes with message_delta.
                    usage: event.usage_at(
                        "message.usage",
                        Some("message.usage.input_tokens"),
                        None,
                    )?,
                }
            }
            "message_delta" => StreamDelta {
                text: String::new(),
                usage: event
                    .usage_at(
                        "usage",
                        Some("usage.input_tokens"),
                        Some("usage.output_tokens"),
                    )?
                    .filter(|u| *u != Usage::default()),
            },
            "message_stop" => return Ok(None),
            // ping, content_block_start, content_block_stop, and event types
            // added later (Anthropic asks clients to ignore unknown ones).
            _ => StreamDelta::default(),
        };
        Ok(Some(delta))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn messages(streaming: bool, extra: serde_json::Value) -> AnthropicMessages {
        AnthropicMessages::create(crate::endpoints::test_args(
            "claude-sonnet-4-5",
            streaming,
            extra,
        ))
        .unwrap()
    }

    fn prompt(max_tokens: Option<u32>) -> Prompt {
        Prompt {
            text: "Hello, Claude".into(),
            passages: vec!["ignored".into()],
            max_tokens,
        }
    }

    fn usage(input: Option<u64>, output: Option<u64>) -> Option<Usage> {
        Some(Usage {
            prompt_tokens: input,
            completion_tokens: output,
        })
    }

    #[test]
    fn payload_always_has_max_tokens_and_streams_only_when_asked() {
        assert_eq!(
            messages(false, json!({})).format_payload(&prompt(None)),
            json!({
                "model": "claude-sonnet-4-5",
                "messages": [{"role": "user", "content": "Hello, Claude"}],
                "max_tokens": 1024,
            })
        );
        assert_eq!(
            messages(true, json!({"temperature": 0.5, "system": "Be brief."}))
                .format_payload(&prompt(Some(256))),
            json!({
                "model": "claude-sonnet-4-5",
                "messages": [{"role": "user", "content": "Hello, Claude"}],
                "max_tokens": 256,
                "stream": true,
                "temperature": 0.5,
                "system": "Be brief.",
            })
        );
        assert_eq!(AnthropicMessages::DEFAULT_MAX_TOKENS, 1024);
    }

    #[test]
    fn parses_an_anthropic_response() {
        let body = br#"{
          "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
          "type": "message",
          "role": "assistant",
          "model": "claude-sonnet-4-5-20250929",
          "content": [
            {"type": "thinking", "thinking": "A greeting.", "signature": "EqQBCgIYAhIM"},
            {"type": "text", "text": "Hi! My name is Claude. "},
            {"type": "text", "text": "How can I help?"}
          ],
          "stop_reason": "end_turn",
          "stop_sequence": null,
          "usage": {
            "input_tokens": 10,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 19,
            "service_tier": "standard"
          }
        }"#;
        assert_eq!(
            messages(false, json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Text("Hi! My name is Claude. How can I help?".into()),
                usage: usage(Some(10), Some(19)),
            }
        );
        // A tool-use answer has no text, which is not an error.
        let body = br#"{"type":"message","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],"usage":{"input_tokens":5,"output_tokens":12}}"#;
        let parsed = messages(false, json!({})).parse_response(body).unwrap();
        assert_eq!(parsed.output, Output::Text(String::new()));
    }

    #[test]
    fn missing_or_mistyped_fields_name_their_path() {
        let endpoint = messages(false, json!({}));
        // An OpenAI chat completion sent to the messages endpoint.
        let err = endpoint
            .parse_response(br#"{"choices":[{"message":{"content":"hi"}}]}"#)
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("response has no content (an array); body starts with"),
            "{err}"
        );
        let err = endpoint
            .parse_response(br#"{"type":"message","content":[{"type":"text","text":7}]}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no content[].text (a string in every text block); body starts with \
             \"{\\\"type\\\":\\\"message\\\",\\\"content\\\":[{\\\"type\\\":\\\"text\\\",\\\"text\\\":7}]}\""
        );
        let err = endpoint
            .parse_response(br#"{"content":[],"usage":{"output_tokens":"12"}}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "usage.output_tokens",
                    expected: "a non-negative integer",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn anthropic_errors_are_server_errors() {
        let body = br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#;
        let err = messages(false, json!({})).parse_response(body).unwrap_err();
        assert!(matches!(err, EndpointError::Server { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "server returned an error: Overloaded (type overloaded_error)"
        );
        let err = messages(true, json!({}))
            .parse_stream_event(
                r#"{"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}"#,
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "server returned an error: Internal server error (type api_error)"
        );
    }

    #[test]
    fn parses_a_stream() {
        let endpoint = messages(true, json!({}));
        let events = [
            r#"{"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}"#,
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            r#"{"type": "ping"}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}"#,
            r#"{"type":"content_block_stop","index":0}"#,
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}"#,
            r#"{"type":"message_stop"}"#,
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
                Some(StreamDelta {
                    text: String::new(),
                    usage: usage(Some(25), None),
                }),
                text(""),
                text(""),
                text("Hello"),
                text("!"),
                text(""),
                Some(StreamDelta {
                    text: String::new(),
                    usage: usage(None, Some(15)),
                }),
                None,
            ]
        );
    }

    #[test]
    fn thinking_and_tool_deltas_add_no_text() {
        let endpoint = messages(true, json!({}));
        for event in [
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me solve this"}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}"#,
            r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Fra"}}"#,
            r#"{"type":"some_future_event","data":1}"#,
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"}}"#,
        ] {
            assert_eq!(
                endpoint.parse_stream_event(event).unwrap(),
                Some(StreamDelta::default()),
                "{event}"
            );
        }
        // Cumulative input counts in message_delta (newer API versions).
        assert_eq!(
            endpoint
                .parse_stream_event(
                    r#"{"type":"message_delta","delta":{},"usage":{"input_tokens":9,"output_tokens":4}}"#
                )
                .unwrap(),
            Some(StreamDelta {
                text: String::new(),
                usage: usage(Some(9), Some(4)),
            })
        );
        assert_eq!(endpoint.parse_stream_event("[DONE]").unwrap(), None);
    }

    #[test]
    fn malformed_events_name_the_path() {
        let endpoint = messages(true, json!({}));
        let cases = [
            (r#"{"delta":{"text":"hi"}}"#, "type", "a string"),
            (
                r#"{"type":"content_block_delta","index":0}"#,
                "delta",
                "an object",
            ),
            (
                r#"{"type":"content_block_delta","delta":{"text":"hi"}}"#,
                "delta.type",
                "a string",
            ),
            (
                r#"{"type":"content_block_delta","delta":{"type":"text_delta"}}"#,
                "delta.text",
                "a string",
            ),
            (r#"{"type":"message_start"}"#, "message", "an object"),
            (
                r#"{"type":"message_start","message":{"usage":{"input_tokens":1.5}}}"#,
                "message.usage.input_tokens",
                "a non-negative integer",
            ),
            (
                r#"{"type":"message_delta","usage":{"output_tokens":-3}}"#,
                "usage.output_tokens",
                "a non-negative integer",
            ),
        ];
        for (event, want_path, want_expected) in cases {
            let err = endpoint.parse_stream_event(event).unwrap_err();
            assert!(
                matches!(
                    &err,
                    EndpointError::MissingField { path, expected, .. }
                        if *path == want_path && *expected == want_expected
                ),
                "{event}: {err:?}"
            );
        }
        let err = endpoint.parse_stream_event("{\"type\": ").unwrap_err();
        assert!(
            matches!(err, EndpointError::MalformedJson { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn metadata() {
        assert_eq!(
            <AnthropicMessages as Implementation<EndpointCategory>>::METADATA,
            EndpointMetadata {
                endpoint_path: "/v1/messages",
                streaming_path: None,
                supports_streaming: true,
                produces_tokens: true,
                tokenizes_input: true,
                metrics_title: "LLM Metrics",
            }
        );
    }
}
