//! OpenAI embeddings (`/v1/embeddings`).

use registry_core::{BoxError, Implementation};
use serde_json::{Value, json};

use super::{Body, reject_streaming, with_extra};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, Output,
    ParsedResponse, Prompt, StreamDelta,
};

/// The OpenAI embeddings API (`embeddings`, identifier `openai_embeddings`).
///
/// Embeds [`Prompt::text`] followed by every [`Prompt::passages`] entry, in
/// one request. Does not stream: creating it with
/// [`EndpointArgs::streaming`] set fails. Vectors must be returned as JSON
/// numbers (the default `encoding_format` `float`).
#[derive(Debug, Clone)]
pub struct OpenAiEmbeddings {
    args: EndpointArgs,
}

/// The endpoint's name in errors.
const NAME: &str = "embeddings";

impl Implementation<EndpointCategory> for OpenAiEmbeddings {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/embeddings",
        streaming_path: None,
        supports_streaming: false,
        produces_tokens: false,
        tokenizes_input: true,
        metrics_title: "Embeddings Metrics",
    };
    const DESCRIPTION: &'static str =
        "OpenAI embeddings: embeds the prompt and its passages in one request; no streaming.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        reject_streaming(&args, NAME)?;
        Ok(OpenAiEmbeddings { args })
    }
}

impl Endpoint for OpenAiEmbeddings {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        let input: Vec<&str> = std::iter::once(&prompt.text)
            .chain(&prompt.passages)
            .map(String::as_str)
            .collect();
        let payload = json!({"model": self.args.model, "input": input});
        with_extra(payload, &self.args.extra)
    }

    /// `data[].embedding`: how many vectors, and their common length.
    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
        let body = Body::parse(body)?;
        let data = body.array("data")?;
        let mut dimensions = None;
        for (i, item) in data.iter().enumerate() {
            let vector = item
                .get("embedding")
                .and_then(Value::as_array)
                .filter(|v| v.iter().all(Value::is_number))
                .ok_or_else(|| {
                    body.missing(
                        "data[].embedding",
                        "an array of numbers in every item; base64 encoding_format is not supported",
                    )
                })?;
            match dimensions {
                None => dimensions = Some(vector.len()),
                Some(first) if first != vector.len() => {
                    return Err(body.invalid(
                        "data[].embedding",
                        format!(
                            "embedding {i} has {} dimensions but embedding 0 has {first}; \
                             every vector must have the same length",
                            vector.len()
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let Some(dimensions) = dimensions else {
            return Err(body.invalid(
                "data",
                "the array is empty; expected one embedding per input".to_owned(),
            ));
        };
        Ok(ParsedResponse {
            output: Output::Embeddings {
                count: data.len(),
                dimensions,
            },
            usage: body.usage()?,
        })
    }

    /// Always [`EndpointError::StreamingUnsupported`].
    fn parse_stream_event(&self, _data: &str) -> Result<Option<StreamDelta>, EndpointError> {
        Err(EndpointError::StreamingUnsupported(NAME))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use aiperf_plugin_api::Usage;

    fn embeddings(extra: serde_json::Value) -> OpenAiEmbeddings {
        OpenAiEmbeddings::create(crate::endpoints::test_args(
            "text-embedding-3-small",
            false,
            extra,
        ))
        .unwrap()
    }

    #[test]
    fn payload_embeds_text_then_passages() {
        let prompt = Prompt {
            text: "first".into(),
            passages: vec!["second".into(), "third".into()],
            max_tokens: Some(10),
        };
        assert_eq!(
            embeddings(json!({"dimensions": 256})).format_payload(&prompt),
            json!({
                "model": "text-embedding-3-small",
                "input": ["first", "second", "third"],
                "dimensions": 256,
            })
        );
        let single = Prompt {
            text: "only".into(),
            ..Prompt::default()
        };
        assert_eq!(
            embeddings(json!({})).format_payload(&single),
            json!({"model": "text-embedding-3-small", "input": ["only"]})
        );
    }

    #[test]
    fn parses_an_openai_response() {
        let body = br#"{
          "object": "list",
          "data": [
            {"object": "embedding", "index": 0, "embedding": [-0.006929283, -0.005336422, 0.00024047505, -4.547132e-05]},
            {"object": "embedding", "index": 1, "embedding": [0.0123, 0, -1, 2.5e-3]}
          ],
          "model": "text-embedding-3-small",
          "usage": {"prompt_tokens": 8, "total_tokens": 8}
        }"#;
        assert_eq!(
            embeddings(json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Embeddings {
                    count: 2,
                    dimensions: 4
                },
                usage: Some(Usage {
                    prompt_tokens: Some(8),
                    completion_tokens: None
                }),
            }
        );
    }

    #[test]
    fn vectors_of_different_lengths_are_invalid() {
        let body = br#"{"data":[{"embedding":[1,2,3]},{"embedding":[1,2,3]},{"embedding":[1,2]}]}"#;
        let err = embeddings(json!({})).parse_response(body).unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has an invalid data[].embedding: embedding 2 has 2 dimensions but \
             embedding 0 has 3; every vector must have the same length; body starts with \
             \"{\\\"data\\\":[{\\\"embedding\\\":[1,2,3]},{\\\"embedding\\\":[1,2,3]},{\\\"embedding\\\":[1,2]}]}\""
        );
    }

    #[test]
    fn empty_or_missing_data_is_an_error() {
        let endpoint = embeddings(json!({}));
        let err = endpoint
            .parse_response(br#"{"object":"list","data":[]}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has an invalid data: the array is empty; expected one embedding per \
             input; body starts with \"{\\\"object\\\":\\\"list\\\",\\\"data\\\":[]}\""
        );
        let err = endpoint
            .parse_response(br#"{"object":"list"}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "data",
                    expected: "an array",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn base64_or_non_numeric_vectors_are_rejected() {
        let endpoint = embeddings(json!({}));
        for body in [
            &br#"{"data":[{"embedding":"AAAAAA=="}]}"#[..],
            br#"{"data":[{"embedding":[1, "2"]}]}"#,
            br#"{"data":[{"index":0}]}"#,
        ] {
            let err = endpoint.parse_response(body).unwrap_err();
            assert!(
                err.to_string().starts_with(
                    "response has no data[].embedding (an array of numbers in every item; \
                     base64 encoding_format is not supported)"
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn metadata() {
        assert_eq!(
            <OpenAiEmbeddings as Implementation<EndpointCategory>>::METADATA,
            EndpointMetadata {
                endpoint_path: "/v1/embeddings",
                streaming_path: None,
                supports_streaming: false,
                produces_tokens: false,
                tokenizes_input: true,
                metrics_title: "Embeddings Metrics",
            }
        );
    }
}
