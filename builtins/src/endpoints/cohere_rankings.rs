//! Cohere reranking, API v2 (`/v2/rerank`).

use registry_core::{BoxError, Implementation};
use serde_json::{Value, json};

use super::{Body, RankingFields, ranked, reject_streaming, with_extra};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, Output,
    ParsedResponse, Prompt, StreamDelta,
};

/// Cohere's rerank API v2 (`cohere_rankings`, identifier `cohere_rerank`).
///
/// Ranks [`Prompt::passages`] against the query [`Prompt::text`]:
/// `{"model", "query", "documents": [..]}`, as AIPerf sends it;
/// [`EndpointArgs::extra`] adds e.g. `top_n` or `max_tokens_per_doc`. The
/// answer is `{"results": [{"index", "relevance_score"}]}`, sorted best
/// first here; indices are reported as the server gives them. Token counts
/// come from `meta.tokens` (`input_tokens`, `output_tokens`) when the
/// server reports them. Cohere's error body, `{"message": ..}` without
/// `results`, is an [`EndpointError::Server`]. Does not stream: creating
/// it with [`EndpointArgs::streaming`] set fails.
#[derive(Debug, Clone)]
pub struct CohereRerank {
    args: EndpointArgs,
}

/// The endpoint's name in errors.
const NAME: &str = "cohere_rankings";

/// A Cohere result: `{index, relevance_score}`.
const FIELDS: RankingFields = RankingFields {
    index_path: "results[].index",
    score_path: "results[].relevance_score",
    score_expected: "a number",
    score_keys: &["relevance_score"],
};

impl Implementation<EndpointCategory> for CohereRerank {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v2/rerank",
        streaming_path: None,
        supports_streaming: false,
        produces_tokens: false,
        tokenizes_input: true,
        metrics_title: "Ranking Metrics",
    };
    const DESCRIPTION: &'static str =
        "Cohere rerank v2: scores the documents against the query; no streaming.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        reject_streaming(&args, NAME)?;
        Ok(CohereRerank { args })
    }
}

impl Endpoint for CohereRerank {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        let payload = json!({
            "model": self.args.model,
            "query": prompt.text,
            "documents": prompt.passages,
        });
        with_extra(payload, &self.args.extra)
    }

    /// `results[]` as `{index, relevance_score}`, sorted best (highest
    /// score) first; equal scores keep the server's order.
    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
        let body = Body::parse(body)?;
        if body.get("results").is_none() {
            if let Some(message) = body.get("message").and_then(Value::as_str) {
                return Err(EndpointError::Server {
                    message: message.to_owned(),
                });
            }
        }
        let rankings = ranked(&body, body.array("results")?, &FIELDS)?;
        Ok(ParsedResponse {
            output: Output::Rankings(rankings),
            usage: body.usage_at(
                "meta.tokens",
                Some("meta.tokens.input_tokens"),
                Some("meta.tokens.output_tokens"),
            )?,
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
    use aiperf_plugin_api::{Ranking, Usage};

    fn cohere(extra: serde_json::Value) -> CohereRerank {
        CohereRerank::create(crate::endpoints::test_args("rerank-v3.5", false, extra)).unwrap()
    }

    fn ranking(index: usize, score: f64) -> Ranking {
        Ranking { index, score }
    }

    #[test]
    fn payload_has_model_query_and_documents() {
        let prompt = Prompt {
            text: "What is the capital of the United States?".into(),
            passages: vec![
                "Carson City is the capital city of the American state of Nevada.".into(),
                "Washington, D.C. is the capital of the United States.".into(),
            ],
            max_tokens: None,
        };
        assert_eq!(
            cohere(json!({"top_n": 1})).format_payload(&prompt),
            json!({
                "model": "rerank-v3.5",
                "query": "What is the capital of the United States?",
                "documents": [
                    "Carson City is the capital city of the American state of Nevada.",
                    "Washington, D.C. is the capital of the United States.",
                ],
                "top_n": 1,
            })
        );
    }

    #[test]
    fn parses_a_cohere_response_best_first() {
        let body = br#"{
          "results": [
            {"index": 3, "relevance_score": 0.999071},
            {"index": 4, "relevance_score": 0.7867867},
            {"index": 0, "relevance_score": 0.32713068}
          ],
          "id": "07734bd2-2473-4f07-94e1-0d9f0e6843cf",
          "meta": {"api_version": {"version": "2", "is_experimental": false}, "billed_units": {"search_units": 1}}
        }"#;
        assert_eq!(
            cohere(json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Rankings(vec![
                    ranking(3, 0.999071),
                    ranking(4, 0.7867867),
                    ranking(0, 0.32713068),
                ]),
                usage: None,
            }
        );
        let body = br#"{"results":[{"index":0,"relevance_score":0.1},{"index":1,"relevance_score":0.9}],"meta":{"tokens":{"input_tokens":120,"output_tokens":0}}}"#;
        let parsed = cohere(json!({})).parse_response(body).unwrap();
        assert_eq!(
            parsed.output,
            Output::Rankings(vec![ranking(1, 0.9), ranking(0, 0.1)])
        );
        assert_eq!(
            parsed.usage,
            Some(Usage {
                prompt_tokens: Some(120),
                completion_tokens: Some(0),
            })
        );
    }

    #[test]
    fn wrong_fields_name_their_path() {
        let endpoint = cohere(json!({}));
        // A NIM answer sent to the Cohere endpoint.
        let err = endpoint
            .parse_response(br#"{"rankings":[{"index":0,"logit":1.5}]}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no results (an array); body starts with \
             \"{\\\"rankings\\\":[{\\\"index\\\":0,\\\"logit\\\":1.5}]}\""
        );
        let err = endpoint
            .parse_response(br#"{"results":[{"index":0,"score":0.5}]}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "results[].relevance_score",
                    expected: "a number",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = endpoint
            .parse_response(br#"{"results":[{"index":1.5,"relevance_score":0.5}]}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "results[].index",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn cohere_errors_are_server_errors() {
        let endpoint = cohere(json!({}));
        let body = br#"{"id":"6fb3a2f0-3c3a-4f6b-9a55-0b1f5c0e3f7a","message":"invalid request: list of documents must not be empty"}"#;
        let err = endpoint.parse_response(body).unwrap_err();
        assert!(matches!(err, EndpointError::Server { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "server returned an error: invalid request: list of documents must not be empty"
        );
        let err = endpoint
            .parse_response(br#"{"error":{"message":"rate limited","code":429}}"#)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "server returned an error: rate limited (code 429)"
        );
    }

    #[test]
    fn streaming_is_refused() {
        let err = CohereRerank::create(crate::endpoints::test_args("m", true, json!({})))
            .expect_err("a streaming Cohere endpoint must not be created");
        assert_eq!(
            err.to_string(),
            "the cohere_rankings endpoint does not support streaming; set streaming: false"
        );
        assert!(matches!(
            cohere(json!({})).parse_stream_event("{}"),
            Err(EndpointError::StreamingUnsupported("cohere_rankings"))
        ));
    }

    #[test]
    fn metadata() {
        assert_eq!(
            <CohereRerank as Implementation<EndpointCategory>>::METADATA,
            EndpointMetadata {
                endpoint_path: "/v2/rerank",
                streaming_path: None,
                supports_streaming: false,
                produces_tokens: false,
                tokenizes_input: true,
                metrics_title: "Ranking Metrics",
            }
        );
    }
}
