//! OpenAI Responses API (`/v1/responses`).

use registry_core::{BoxError, Implementation};
use serde_json::{Value, json};

use super::{Body, with_extra, with_keys, with_kind};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, Output,
    ParsedResponse, Prompt, StreamDelta, Usage,
};

/// The OpenAI Responses API (`responses`, identifier `openai_responses`).
///
/// The prompt is sent as one user message item of `input`, as AIPerf sends
/// it (`[{"type": "message", "role": "user", "content": ..}]`);
/// [`Prompt::passages`] are not used. [`Prompt::max_tokens`] becomes
/// `max_output_tokens`.
///
/// A complete response's text is the `output_text` parts of its `message`
/// items in `output`, joined (other items, such as `reasoning` or
/// `function_call`, add none); its token counts are `usage.input_tokens`
/// and `usage.output_tokens`.
///
/// A stream's text comes from its `response.output_text.delta` events, its
/// token counts from the final `response.completed` event, or the
/// `response.incomplete` event a response cut short by `max_output_tokens`
/// ends with (`response.usage`). `response.output_text.done` repeats text
/// already streamed and adds none; the other lifecycle events add nothing.
/// An `error` event and `response.failed` are
/// [`EndpointError::Server`].
#[derive(Debug, Clone)]
pub struct OpenAiResponses {
    args: EndpointArgs,
}

impl Implementation<EndpointCategory> for OpenAiResponses {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/responses",
        streaming_path: None,
        supports_streaming: true,
        produces_tokens: true,
        tokenizes_input: true,
        metrics_title: "LLM Metrics",
    };
    const DESCRIPTION: &'static str =
        "OpenAI Responses API: the prompt as one user input message, streamed or not.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        Ok(OpenAiResponses { args })
    }
}

impl Endpoint for OpenAiResponses {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        let mut payload = json!({
            "model": self.args.model,
            "input": [{"type": "message", "role": "user", "content": prompt.text}],
            "stream": self.args.streaming,
        });
        if let Some(max) = prompt.max_tokens {
            payload["max_output_tokens"] = max.into();
        }
        with_extra(payload, &self.args.extra)
    }

    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
        let body = Body::parse(body)?;
        let mut text = String::new();
        for item in body.array("output")? {
            if item.get("type").and_then(Value::as_str) != Some("message") {
                continue;
            }
            let parts = item
                .get("content")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    body.missing("output[].content", "an array in every message item")
                })?;
            for part in parts {
                if part.get("type").and_then(Value::as_str) != Some("output_text") {
                    continue;
                }
                let piece = part.get("text").and_then(Value::as_str).ok_or_else(|| {
                    body.missing(
                        "output[].content[].text",
                        "a string in every output_text part",
                    )
                })?;
                text.push_str(piece);
            }
        }
        Ok(ParsedResponse {
            output: Output::Text(text),
            usage: usage(&body, "usage", "usage.input_tokens", "usage.output_tokens")?,
        })
    }

    /// One event, told apart by its `type`: the text of
    /// `response.output_text.delta`, the usage of `response.completed` and
    /// `response.incomplete`; `[DONE]` (which some compatible servers send)
    /// ends the stream.
    fn parse_stream_event(&self, data: &str) -> Result<Option<StreamDelta>, EndpointError> {
        let Some(event) = Body::event(data)? else {
            return Ok(None);
        };
        let delta = match event.event_type()? {
            "response.output_text.delta" => StreamDelta {
                text: event.str("delta")?.to_owned(),
                usage: None,
            },
            "response.completed" | "response.incomplete" => StreamDelta {
                text: String::new(),
                usage: usage(
                    &event,
                    "response.usage",
                    "response.usage.input_tokens",
                    "response.usage.output_tokens",
                )?,
            },
            "response.failed" => return Err(failed(&event)),
            "error" => return Err(error_event(&event)),
            _ => StreamDelta::default(),
        };
        Ok(Some(delta))
    }
}

/// The Responses API's token counts at `object`: `input_tokens` and
/// `output_tokens`.
fn usage(
    body: &Body<'_>,
    object: &'static str,
    input: &'static str,
    output: &'static str,
) -> Result<Option<Usage>, EndpointError> {
    body.usage_at(object, Some(input), Some(output))
}

/// A `response.failed` event: its `response.error`'s message and code.
fn failed(event: &Body<'_>) -> EndpointError {
    let message = match event.get("response.error") {
        Some(Value::Object(fields)) => match fields.get("message") {
            Some(Value::String(message)) => with_kind(message, fields),
            _ => Value::Object(fields.clone()).to_string(),
        },
        Some(other) => other.to_string(),
        None => "the response failed (a response.failed event without response.error)".to_owned(),
    };
    EndpointError::Server { message }
}

/// An `error` event: `{"type": "error", "code", "message", "param"}`.
fn error_event(event: &Body<'_>) -> EndpointError {
    let message = match event.json.as_object() {
        Some(fields) => match fields.get("message") {
            Some(Value::String(message)) => with_keys(message, fields, &["code"]),
            _ => event.json.to_string(),
        },
        None => event.json.to_string(),
    };
    EndpointError::Server { message }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn responses(streaming: bool, extra: serde_json::Value) -> OpenAiResponses {
        OpenAiResponses::create(crate::endpoints::test_args("gpt-4.1", streaming, extra)).unwrap()
    }

    fn prompt(max_tokens: Option<u32>) -> Prompt {
        Prompt {
            text: "Tell me a three sentence bedtime story about a unicorn.".into(),
            passages: vec!["ignored".into()],
            max_tokens,
        }
    }

    fn usage(input: u64, output: u64) -> Option<Usage> {
        Some(Usage {
            prompt_tokens: Some(input),
            completion_tokens: Some(output),
        })
    }

    #[test]
    fn payload_is_one_user_input_message() {
        assert_eq!(
            responses(false, json!({})).format_payload(&prompt(None)),
            json!({
                "model": "gpt-4.1",
                "input": [{
                    "type": "message",
                    "role": "user",
                    "content": "Tell me a three sentence bedtime story about a unicorn.",
                }],
                "stream": false,
            })
        );
    }

    #[test]
    fn streamed_payload_with_limit_and_extra_fields() {
        assert_eq!(
            responses(true, json!({"temperature": 0.2, "store": false}))
                .format_payload(&prompt(Some(64))),
            json!({
                "model": "gpt-4.1",
                "input": [{
                    "type": "message",
                    "role": "user",
                    "content": "Tell me a three sentence bedtime story about a unicorn.",
                }],
                "stream": true,
                "max_output_tokens": 64,
                "temperature": 0.2,
                "store": false,
            })
        );
        // Extra fields win over the endpoint's own.
        let payload =
            responses(false, json!({"max_output_tokens": 8})).format_payload(&prompt(Some(64)));
        assert_eq!(payload["max_output_tokens"], 8);
    }

    #[test]
    fn parses_an_openai_response() {
        let body = br#"{
          "id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
          "object": "response",
          "created_at": 1741476542,
          "status": "completed",
          "error": null,
          "incomplete_details": null,
          "instructions": null,
          "max_output_tokens": null,
          "model": "gpt-4.1-2025-04-14",
          "output": [
            {
              "type": "message",
              "id": "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b",
              "status": "completed",
              "role": "assistant",
              "content": [
                {"type": "output_text", "text": "In a peaceful grove beneath a silver moon, ", "annotations": []},
                {"type": "output_text", "text": "a unicorn named Lumina slept.", "annotations": []}
              ]
            }
          ],
          "parallel_tool_calls": true,
          "previous_response_id": null,
          "reasoning": {"effort": null, "summary": null},
          "store": true,
          "temperature": 1.0,
          "text": {"format": {"type": "text"}},
          "tool_choice": "auto",
          "tools": [],
          "top_p": 1.0,
          "truncation": "disabled",
          "usage": {
            "input_tokens": 36,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 87,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 123
          },
          "user": null,
          "metadata": {}
        }"#;
        assert_eq!(
            responses(false, json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Text(
                    "In a peaceful grove beneath a silver moon, a unicorn named Lumina slept."
                        .into()
                ),
                usage: usage(36, 87),
            }
        );
    }

    #[test]
    fn only_output_text_of_message_items_counts() {
        let body = br#"{"object":"response","status":"incomplete",
          "incomplete_details":{"reason":"max_output_tokens"},
          "output":[
            {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"thinking"}]},
            {"type":"function_call","name":"f","arguments":"{}"},
            {"type":"message","role":"assistant","content":[
              {"type":"refusal","refusal":"no"},
              {"type":"output_text","text":"kept"}
            ]}
          ]}"#;
        let parsed = responses(false, json!({})).parse_response(body).unwrap();
        assert_eq!(parsed.output, Output::Text("kept".into()));
        assert_eq!(parsed.usage, None);
        // No message at all: no text, not an error.
        let parsed = responses(false, json!({}))
            .parse_response(br#"{"output":[],"usage":{"input_tokens":3,"output_tokens":0}}"#)
            .unwrap();
        assert_eq!(parsed.output, Output::Text(String::new()));
        assert_eq!(parsed.usage, usage(3, 0));
    }

    #[test]
    fn missing_or_mistyped_fields_name_their_path() {
        let endpoint = responses(false, json!({}));
        // A chat completion sent to the responses endpoint.
        let err = endpoint
            .parse_response(br#"{"choices":[{"message":{"content":"hi"}}]}"#)
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("response has no output (an array); body starts with"),
            "{err}"
        );
        let err = endpoint
            .parse_response(br#"{"output":[{"type":"message","content":"hi"}]}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no output[].content (an array in every message item); body starts \
             with \"{\\\"output\\\":[{\\\"type\\\":\\\"message\\\",\\\"content\\\":\\\"hi\\\"}]}\""
        );
        let err = endpoint
            .parse_response(
                br#"{"output":[{"type":"message","content":[{"type":"output_text"}]}]}"#,
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "output[].content[].text",
                    expected: "a string in every output_text part",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = endpoint
            .parse_response(br#"{"output":[],"usage":{"input_tokens":-1}}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "usage.input_tokens",
                    expected: "a non-negative integer",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn a_failed_response_is_a_server_error() {
        let body = br#"{"id":"resp_1","object":"response","status":"failed",
          "error":{"code":"server_error","message":"The model failed to generate a response."},
          "output":[]}"#;
        assert_eq!(
            responses(false, json!({}))
                .parse_response(body)
                .unwrap_err()
                .to_string(),
            "server returned an error: The model failed to generate a response. (code server_error)"
        );
    }

    #[test]
    fn parses_a_stream() {
        let endpoint = responses(true, json!({}));
        let events = [
            r#"{"type":"response.created","sequence_number":0,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"in_progress","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}"#,
            r#"{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","status":"in_progress","output":[],"usage":null}}"#,
            r#"{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","type":"message","status":"in_progress","role":"assistant","content":[]}}"#,
            r#"{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}"#,
            r#"{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}"#,
            r#"{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"delta":" there!","logprobs":[]}"#,
            r#"{"type":"response.output_text.done","sequence_number":6,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"text":"Hi there!","logprobs":[]}"#,
            r#"{"type":"response.content_part.done","sequence_number":7,"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":0,"content_index":0,"part":{"type":"output_text","text":"Hi there!","annotations":[]}}"#,
            r#"{"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[]}]}}"#,
            r#"{"type":"response.completed","sequence_number":9,"response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"completed","error":null,"output":[{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[]}]}],"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":40}}}"#,
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
                text(""),
                text(""),
                text(""),
                text("Hi"),
                text(" there!"),
                text(""),
                text(""),
                text(""),
                Some(StreamDelta {
                    text: String::new(),
                    usage: usage(37, 3),
                }),
            ]
        );
        assert_eq!(endpoint.parse_stream_event("[DONE]").unwrap(), None);
    }

    #[test]
    fn an_incomplete_response_still_reports_its_usage() {
        let event = r#"{"type":"response.incomplete","sequence_number":20,"response":{"id":"resp_1","object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":5,"output_tokens":16,"total_tokens":21}}}"#;
        assert_eq!(
            responses(true, json!({}))
                .parse_stream_event(event)
                .unwrap(),
            Some(StreamDelta {
                text: String::new(),
                usage: usage(5, 16),
            })
        );
        // A completed event without usage reports none.
        let event =
            r#"{"type":"response.completed","response":{"status":"completed","usage":null}}"#;
        assert_eq!(
            responses(true, json!({}))
                .parse_stream_event(event)
                .unwrap(),
            Some(StreamDelta::default())
        );
    }

    #[test]
    fn error_and_failed_events_are_server_errors() {
        let endpoint = responses(true, json!({}));
        let cases = [
            (
                r#"{"type":"error","code":"ERR_SOMETHING","message":"Something went wrong","param":null,"sequence_number":1}"#,
                "server returned an error: Something went wrong (code ERR_SOMETHING)",
            ),
            (
                r#"{"type":"error","sequence_number":1}"#,
                r#"server returned an error: {"sequence_number":1,"type":"error"}"#,
            ),
            (
                r#"{"type":"response.failed","sequence_number":3,"response":{"id":"resp_1","object":"response","status":"failed","error":{"code":"server_error","message":"The model failed to generate a response."}}}"#,
                "server returned an error: The model failed to generate a response. (code server_error)",
            ),
            (
                r#"{"type":"response.failed","response":{"status":"failed","error":null}}"#,
                "server returned an error: the response failed (a response.failed event without \
                 response.error)",
            ),
            (
                r#"{"type":"error","error":{"type":"invalid_request_error","code":"bad","message":"no"}}"#,
                "server returned an error: no (type invalid_request_error, code bad)",
            ),
        ];
        for (event, message) in cases {
            let err = endpoint.parse_stream_event(event).unwrap_err();
            assert!(matches!(err, EndpointError::Server { .. }), "{err:?}");
            assert_eq!(err.to_string(), message, "{event}");
        }
    }

    #[test]
    fn malformed_events_name_the_path() {
        let endpoint = responses(true, json!({}));
        let err = endpoint
            .parse_stream_event(r#"{"delta":"hi"}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no type (a string); body starts with \"{\\\"delta\\\":\\\"hi\\\"}\""
        );
        // A chat chunk sent to the responses endpoint.
        let err = endpoint
            .parse_stream_event(r#"{"choices":[{"delta":{"content":"hi"}}]}"#)
            .unwrap_err();
        assert!(
            matches!(err, EndpointError::MissingField { path: "type", .. }),
            "{err:?}"
        );
        let err = endpoint
            .parse_stream_event(r#"{"type":"response.output_text.delta","delta":null}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "delta",
                    expected: "a string",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = endpoint
            .parse_stream_event(r#"{"type":"response.completed","response":{"usage":[]}}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "response.usage",
                    expected: "an object",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = endpoint
            .parse_stream_event("event: response.created")
            .unwrap_err();
        assert!(
            matches!(err, EndpointError::MalformedJson { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn metadata() {
        assert_eq!(
            <OpenAiResponses as Implementation<EndpointCategory>>::METADATA,
            EndpointMetadata {
                endpoint_path: "/v1/responses",
                streaming_path: None,
                supports_streaming: true,
                produces_tokens: true,
                tokenizes_input: true,
                metrics_title: "LLM Metrics",
            }
        );
    }
}
