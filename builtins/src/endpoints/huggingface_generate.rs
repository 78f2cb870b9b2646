//! Hugging Face Text Generation Inference (TGI): `/generate` and
//! `/generate_stream`.

use registry_core::{BoxError, Implementation};
use serde_json::{Map, json};

use super::Body;
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, Output,
    ParsedResponse, Prompt, StreamDelta, Usage,
};

/// Hugging Face TGI's native API (`huggingface_generate`, identifier
/// `tgi_generate`).
///
/// The payload is `{"inputs": prompt, "parameters": {..}}`, as AIPerf sends
/// it: [`Prompt::max_tokens`] becomes `parameters.max_new_tokens`, and
/// [`EndpointArgs::extra`] is merged into `parameters` (where TGI takes its
/// sampling settings, e.g. `temperature`, `details`), not at the top level.
/// [`Prompt::passages`] are not used.
///
/// A complete response is `{"generated_text": ..}` (`/generate`), or a
/// one-element array of it (what TGI's `/` route answers). A streamed event
/// (`/generate_stream`) is `{"token": {"text": ..}, "generated_text": ..}`:
/// the text is always `token.text` (the last event's `generated_text`
/// repeats the whole answer), special tokens included, since they are
/// generated tokens too. TGI sends no `[DONE]`: the stream ends with the
/// body. Token counts come from `details` (`generated_tokens`, and a
/// stream's `input_length`), which TGI includes only when asked:
/// `extra: {details: true}`.
///
/// TGI streams from another path than it answers at: the metadata's
/// `streaming_path` is `/generate_stream`, where the engine posts streamed
/// requests.
#[derive(Debug, Clone)]
pub struct TgiGenerate {
    args: EndpointArgs,
}

impl Implementation<EndpointCategory> for TgiGenerate {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/generate",
        streaming_path: Some("/generate_stream"),
        supports_streaming: true,
        produces_tokens: true,
        tokenizes_input: true,
        metrics_title: "LLM Metrics",
    };
    const DESCRIPTION: &'static str = "Hugging Face TGI: inputs and parameters posted to \
         /generate, streamed from /generate_stream.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        Ok(TgiGenerate { args })
    }
}

/// Where a complete response keeps its fields: at the top level, or in
/// the first element of an array (TGI's `/` route).
struct Paths {
    text: &'static str,
    details: &'static str,
    generated_tokens: &'static str,
}

const OBJECT: Paths = Paths {
    text: "generated_text",
    details: "details",
    generated_tokens: "details.generated_tokens",
};

const IN_ARRAY: Paths = Paths {
    text: "[0].generated_text",
    details: "[0].details",
    generated_tokens: "[0].details.generated_tokens",
};

impl Endpoint for TgiGenerate {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        let mut parameters = Map::new();
        if let Some(max) = prompt.max_tokens {
            parameters.insert("max_new_tokens".to_owned(), max.into());
        }
        parameters.extend(self.args.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        json!({"inputs": prompt.text, "parameters": parameters})
    }

    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
        let body = Body::parse(body)?;
        let paths = if body.json.is_array() {
            &IN_ARRAY
        } else {
            &OBJECT
        };
        Ok(ParsedResponse {
            output: Output::Text(body.str(paths.text)?.to_owned()),
            usage: body.usage_at(paths.details, None, Some(paths.generated_tokens))?,
        })
    }

    /// One `/generate_stream` event: `token.text`, and the counts of the
    /// last event's `details` when it has them.
    fn parse_stream_event(&self, data: &str) -> Result<Option<StreamDelta>, EndpointError> {
        let Some(event) = Body::event(data)? else {
            return Ok(None);
        };
        event.object("token")?;
        let text = event.str("token.text")?.to_owned();
        let usage = event
            .usage_at(
                "details",
                Some("details.input_length"),
                Some("details.generated_tokens"),
            )?
            .filter(|u| *u != Usage::default());
        Ok(Some(StreamDelta { text, usage }))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tgi(extra: serde_json::Value) -> TgiGenerate {
        TgiGenerate::create(crate::endpoints::test_args("tgi", false, extra)).unwrap()
    }

    fn prompt(max_tokens: Option<u32>) -> Prompt {
        Prompt {
            text: "What is Deep Learning?".into(),
            passages: vec!["ignored".into()],
            max_tokens,
        }
    }

    fn generated(n: u64) -> Option<Usage> {
        Some(Usage {
            prompt_tokens: None,
            completion_tokens: Some(n),
        })
    }

    #[test]
    fn payload_puts_the_limit_and_extra_fields_in_parameters() {
        assert_eq!(
            tgi(json!({})).format_payload(&prompt(None)),
            json!({"inputs": "What is Deep Learning?", "parameters": {}})
        );
        assert_eq!(
            tgi(json!({"temperature": 0.7, "details": true})).format_payload(&prompt(Some(20))),
            json!({
                "inputs": "What is Deep Learning?",
                "parameters": {"max_new_tokens": 20, "temperature": 0.7, "details": true},
            })
        );
        // An extra max_new_tokens wins, as extra fields do everywhere.
        assert_eq!(
            tgi(json!({"max_new_tokens": 5})).format_payload(&prompt(Some(20)))["parameters"],
            json!({"max_new_tokens": 5})
        );
    }

    #[test]
    fn parses_a_generate_response() {
        let body = br#"{"generated_text":"\n\nDeep learning is a subset of machine learning"}"#;
        assert_eq!(
            tgi(json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Text("\n\nDeep learning is a subset of machine learning".into()),
                usage: None,
            }
        );
        let body = br#"{"generated_text":" a subset","details":{"finish_reason":"length","generated_tokens":2,"seed":null,"prefill":[],"tokens":[{"id":264,"text":" a","logprob":-0.1,"special":false},{"id":25993,"text":" subset","logprob":-0.2,"special":false}]}}"#;
        assert_eq!(
            tgi(json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Text(" a subset".into()),
                usage: generated(2),
            }
        );
    }

    #[test]
    fn parses_the_array_the_root_route_answers() {
        let body = br#"[{"generated_text":"Deep learning is","details":{"finish_reason":"length","generated_tokens":3}}]"#;
        assert_eq!(
            tgi(json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Text("Deep learning is".into()),
                usage: generated(3),
            }
        );
        let err = tgi(json!({})).parse_response(b"[]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no [0].generated_text (a string); body starts with \"[]\""
        );
    }

    #[test]
    fn missing_or_mistyped_fields_name_their_path() {
        let endpoint = tgi(json!({}));
        let err = endpoint
            .parse_response(br#"{"choices":[{"text":"hi"}]}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no generated_text (a string); body starts with \
             \"{\\\"choices\\\":[{\\\"text\\\":\\\"hi\\\"}]}\""
        );
        let err = endpoint
            .parse_response(br#"{"generated_text":"x","details":{"generated_tokens":"2"}}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "details.generated_tokens",
                    expected: "a non-negative integer",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn tgi_errors_are_server_errors() {
        let endpoint = tgi(json!({}));
        let body = br#"{"error":"Input validation error: `inputs` must have less than 1024 tokens. Given: 2048","error_type":"validation"}"#;
        assert_eq!(
            endpoint.parse_response(body).unwrap_err().to_string(),
            "server returned an error: Input validation error: `inputs` must have less than \
             1024 tokens. Given: 2048"
        );
        let err = endpoint
            .parse_stream_event(
                r#"{"error":"Request failed during generation: Server error: CUDA out of memory","error_type":"generation"}"#,
            )
            .unwrap_err();
        assert!(matches!(err, EndpointError::Server { .. }), "{err:?}");
    }

    #[test]
    fn parses_a_stream() {
        let endpoint = tgi(json!({}));
        let events = [
            r#"{"index":1,"token":{"id":578,"text":" The","logprob":-0.41,"special":false},"generated_text":null,"details":null,"top_tokens":null}"#,
            r#"{"index":2,"token":{"id":4320,"text":" answer","logprob":-0.02,"special":false},"generated_text":null,"details":null}"#,
            r#"{"index":3,"token":{"id":2,"text":"</s>","logprob":-0.01,"special":true},"generated_text":" The answer","details":null}"#,
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
        assert_eq!(deltas, vec![text(" The"), text(" answer"), text("</s>")]);
        // With details asked for, the last event carries the counts.
        let last = r#"{"index":3,"token":{"id":13,"text":".","logprob":0.0,"special":false},"generated_text":"The answer.","details":{"finish_reason":"length","generated_tokens":3,"seed":null,"input_length":4}}"#;
        assert_eq!(
            endpoint.parse_stream_event(last).unwrap(),
            Some(StreamDelta {
                text: ".".into(),
                usage: Some(Usage {
                    prompt_tokens: Some(4),
                    completion_tokens: Some(3),
                }),
            })
        );
        assert_eq!(endpoint.parse_stream_event("[DONE]").unwrap(), None);
    }

    #[test]
    fn malformed_events_name_the_path() {
        let endpoint = tgi(json!({}));
        let err = endpoint
            .parse_stream_event(r#"{"generated_text":"all at once"}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no token (an object); body starts with \
             \"{\\\"generated_text\\\":\\\"all at once\\\"}\""
        );
        let err = endpoint
            .parse_stream_event(r#"{"token":{"id":1,"text":null}}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "token.text",
                    expected: "a string",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = endpoint
            .parse_stream_event(r#"{"token":{"text":"x"},"details":"none"}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "details",
                    expected: "an object",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = endpoint.parse_stream_event("data:{").unwrap_err();
        assert!(
            matches!(err, EndpointError::MalformedJson { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn metadata() {
        assert_eq!(
            <TgiGenerate as Implementation<EndpointCategory>>::METADATA,
            EndpointMetadata {
                endpoint_path: "/generate",
                streaming_path: Some("/generate_stream"),
                supports_streaming: true,
                produces_tokens: true,
                tokenizes_input: true,
                metrics_title: "LLM Metrics",
            }
        );
    }
}
