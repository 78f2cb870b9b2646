//! Hugging Face Text Embeddings Inference (TEI) reranking (`/rerank`).

use registry_core::{BoxError, Implementation};
use serde_json::{Value, json};

use super::{Body, RankingFields, ranked, reject_streaming, with_extra};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, Output,
    ParsedResponse, Prompt, StreamDelta,
};

/// Hugging Face TEI's reranking API (`hf_tei_rankings`, identifier
/// `tei_rerank`).
///
/// Ranks [`Prompt::passages`] against the query [`Prompt::text`]:
/// `{"query": .., "texts": [..]}`, as AIPerf sends it (TEI serves one
/// model, so no `model` is sent; [`EndpointArgs::extra`] adds e.g.
/// `raw_scores` or `truncate`). TEI answers a bare JSON array of
/// `{"index", "score"}`; `{"results": [..]}` is read too, as AIPerf does.
/// Sorted best first; indices are reported as the server gives them. Does
/// not stream: creating it with [`EndpointArgs::streaming`] set fails.
#[derive(Debug, Clone)]
pub struct TeiRerank {
    args: EndpointArgs,
}

/// The endpoint's name in errors.
const NAME: &str = "hf_tei_rankings";

/// The items of TEI's bare array.
const IN_ARRAY: RankingFields = RankingFields {
    index_path: "[].index",
    score_path: "[].score",
    score_expected: "a number",
    score_keys: &["score"],
};

/// The items of a `{"results": [..]}` answer.
const IN_RESULTS: RankingFields = RankingFields {
    index_path: "results[].index",
    score_path: "results[].score",
    score_expected: "a number",
    score_keys: &["score"],
};

impl Implementation<EndpointCategory> for TeiRerank {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/rerank",
        streaming_path: None,
        supports_streaming: false,
        produces_tokens: false,
        tokenizes_input: true,
        metrics_title: "Ranking Metrics",
    };
    const DESCRIPTION: &'static str =
        "Hugging Face TEI reranking: scores the texts against the query; no streaming.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        reject_streaming(&args, NAME)?;
        Ok(TeiRerank { args })
    }
}

impl Endpoint for TeiRerank {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        let payload = json!({"query": prompt.text, "texts": prompt.passages});
        with_extra(payload, &self.args.extra)
    }

    /// The array's `{index, score}` items, sorted best (highest score)
    /// first; equal scores keep the server's order.
    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
        let body = Body::parse(body)?;
        let rankings = match &body.json {
            Value::Array(items) => ranked(&body, items, &IN_ARRAY)?,
            Value::Object(fields) if fields.contains_key("results") => {
                ranked(&body, body.array("results")?, &IN_RESULTS)?
            }
            other => {
                let kind = match other {
                    Value::Object(_) => "an object without results",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                };
                return Err(body.invalid(
                    "body",
                    format!(
                        "it is {kind}; expected a JSON array of {{\"index\", \"score\"}} \
                         objects, as TEI's /rerank answers"
                    ),
                ));
            }
        };
        Ok(ParsedResponse {
            output: Output::Rankings(rankings),
            usage: None,
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
    use aiperf_plugin_api::Ranking;

    fn tei(extra: serde_json::Value) -> TeiRerank {
        TeiRerank::create(crate::endpoints::test_args(
            "BAAI/bge-reranker-large",
            false,
            extra,
        ))
        .unwrap()
    }

    fn ranking(index: usize, score: f64) -> Ranking {
        Ranking { index, score }
    }

    #[test]
    fn payload_has_query_and_texts_and_no_model() {
        let prompt = Prompt {
            text: "What is Deep Learning?".into(),
            passages: vec![
                "Deep Learning is not...".into(),
                "Deep learning is...".into(),
            ],
            max_tokens: Some(9),
        };
        assert_eq!(
            tei(json!({"raw_scores": false})).format_payload(&prompt),
            json!({
                "query": "What is Deep Learning?",
                "texts": ["Deep Learning is not...", "Deep learning is..."],
                "raw_scores": false,
            })
        );
    }

    #[test]
    fn parses_a_tei_response_best_first() {
        let body = br#"[{"index":1,"score":0.9976256},{"index":0,"score":0.021800343}]"#;
        assert_eq!(
            tei(json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Rankings(vec![ranking(1, 0.9976256), ranking(0, 0.021800343)]),
                usage: None,
            }
        );
        // Out of order, with return_text: still sorted, text ignored.
        let body = br#"[{"index":0,"score":0.1,"text":"a"},{"index":1,"score":0.7,"text":"b"}]"#;
        assert_eq!(
            tei(json!({})).parse_response(body).unwrap().output,
            Output::Rankings(vec![ranking(1, 0.7), ranking(0, 0.1)])
        );
        let body = br#"{"results":[{"index":2,"score":0.5}]}"#;
        assert_eq!(
            tei(json!({})).parse_response(body).unwrap().output,
            Output::Rankings(vec![ranking(2, 0.5)])
        );
    }

    #[test]
    fn wrong_shapes_say_what_was_expected() {
        let endpoint = tei(json!({}));
        let err = endpoint
            .parse_response(br#"{"rankings":[{"index":0,"logit":1}]}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has an invalid body: it is an object without results; expected a JSON \
             array of {\"index\", \"score\"} objects, as TEI's /rerank answers; body starts \
             with \"{\\\"rankings\\\":[{\\\"index\\\":0,\\\"logit\\\":1}]}\""
        );
        let err = endpoint.parse_response(b"\"ok\"").unwrap_err();
        assert!(err.to_string().contains("it is a string;"), "{err}");
        let err = endpoint
            .parse_response(br#"[{"index":0,"relevance_score":0.5}]"#)
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("response has no [].score (a number)"),
            "{err}"
        );
        let err = endpoint.parse_response(br#"[{"score":0.5}]"#).unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "[].index",
                    expected: "a non-negative integer",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = endpoint
            .parse_response(br#"{"results":{"index":0}}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "results",
                    expected: "an array",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn tei_errors_are_server_errors() {
        let body = br#"{"error":"Input validation error: `texts` cannot be empty","error_type":"Validation"}"#;
        let err = tei(json!({})).parse_response(body).unwrap_err();
        assert_eq!(
            err.to_string(),
            "server returned an error: Input validation error: `texts` cannot be empty"
        );
    }

    #[test]
    fn streaming_is_refused() {
        let err = TeiRerank::create(crate::endpoints::test_args("m", true, json!({})))
            .expect_err("a streaming TEI endpoint must not be created");
        assert_eq!(
            err.to_string(),
            "the hf_tei_rankings endpoint does not support streaming; set streaming: false"
        );
        assert!(matches!(
            tei(json!({})).parse_stream_event("{}"),
            Err(EndpointError::StreamingUnsupported("hf_tei_rankings"))
        ));
    }

    #[test]
    fn metadata() {
        assert_eq!(
            <TeiRerank as Implementation<EndpointCategory>>::METADATA,
            EndpointMetadata {
                endpoint_path: "/rerank",
                streaming_path: None,
                supports_streaming: false,
                produces_tokens: false,
                tokenizes_input: true,
                metrics_title: "Ranking Metrics",
            }
        );
    }
}
