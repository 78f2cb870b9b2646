//! NVIDIA NIM reranking (`/v1/ranking`).

use registry_core::{BoxError, Implementation};
use serde_json::{Value, json};

use super::{Body, RankingFields, ranked, reject_streaming, with_extra};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, Output,
    ParsedResponse, Prompt, StreamDelta,
};

/// The NVIDIA NIM ranking API (`rankings`, identifier `nim_rankings`).
///
/// Ranks [`Prompt::passages`] against the query [`Prompt::text`]. Does not
/// stream: creating it with [`EndpointArgs::streaming`] set fails. Each
/// ranking's score is its `logit` (NIM rerankers) or, when it has none, its
/// `relevance_score` (what AIPerf's own mock server answers); indices are
/// reported as the server gives them, not checked against the request.
#[derive(Debug, Clone)]
pub struct NimRankings {
    args: EndpointArgs,
}

/// The endpoint's name in errors.
const NAME: &str = "rankings";

/// A NIM ranking: `{index, logit}`, or `{index, relevance_score}`.
const FIELDS: RankingFields = RankingFields {
    index_path: "rankings[].index",
    score_path: "rankings[].logit",
    score_expected: "a number, or a relevance_score number",
    score_keys: &["logit", "relevance_score"],
};

impl Implementation<EndpointCategory> for NimRankings {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/ranking",
        streaming_path: None,
        supports_streaming: false,
        produces_tokens: false,
        tokenizes_input: true,
        metrics_title: "Rankings Metrics",
    };
    const DESCRIPTION: &'static str =
        "NVIDIA NIM reranking: scores the passages against the query; no streaming.";

    fn create(args: EndpointArgs) -> Result<Self, BoxError> {
        reject_streaming(&args, NAME)?;
        Ok(NimRankings { args })
    }
}

impl Endpoint for NimRankings {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        let passages: Vec<Value> = prompt
            .passages
            .iter()
            .map(|text| json!({"text": text}))
            .collect();
        let payload = json!({
            "model": self.args.model,
            "query": {"text": prompt.text},
            "passages": passages,
        });
        with_extra(payload, &self.args.extra)
    }

    /// `rankings[]` as `{index, logit}` or `{index, relevance_score}`,
    /// sorted best (highest score) first; equal scores keep the server's
    /// order.
    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError> {
        let body = Body::parse(body)?;
        let rankings = ranked(&body, body.array("rankings")?, &FIELDS)?;
        Ok(ParsedResponse {
            output: Output::Rankings(rankings),
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
    use aiperf_plugin_api::Ranking;

    fn rankings(extra: serde_json::Value) -> NimRankings {
        NimRankings::create(crate::endpoints::test_args(
            "nvidia/llama-3.2-nv-rerankqa-1b-v2",
            false,
            extra,
        ))
        .unwrap()
    }

    fn ranking(index: usize, score: f64) -> Ranking {
        Ranking { index, score }
    }

    #[test]
    fn payload_has_query_and_passages() {
        let prompt = Prompt {
            text: "What is the GPU memory bandwidth of H100 SXM?".into(),
            passages: vec!["H100 SXM has 3.35 TB/s.".into(), "A100 has 2 TB/s.".into()],
            max_tokens: None,
        };
        assert_eq!(
            rankings(json!({"truncate": "END"})).format_payload(&prompt),
            json!({
                "model": "nvidia/llama-3.2-nv-rerankqa-1b-v2",
                "query": {"text": "What is the GPU memory bandwidth of H100 SXM?"},
                "passages": [{"text": "H100 SXM has 3.35 TB/s."}, {"text": "A100 has 2 TB/s."}],
                "truncate": "END",
            })
        );
    }

    #[test]
    fn parses_a_nim_response_best_first() {
        let body = br#"{"rankings":[{"index":1,"logit":-5.09765625},{"index":0,"logit":0.7646484375},{"index":3,"logit":-1.1044921875},{"index":2,"logit":-1.1044921875}]}"#;
        assert_eq!(
            rankings(json!({})).parse_response(body).unwrap(),
            ParsedResponse {
                output: Output::Rankings(vec![
                    ranking(0, 0.7646484375),
                    ranking(3, -1.1044921875),
                    ranking(2, -1.1044921875),
                    ranking(1, -5.09765625),
                ]),
                usage: None,
            }
        );
    }

    #[test]
    fn indices_are_not_checked_against_the_request() {
        let body = br#"{"rankings":[{"index":99,"logit":1}],"usage":{"prompt_tokens":42,"total_tokens":42}}"#;
        let parsed = rankings(json!({})).parse_response(body).unwrap();
        assert_eq!(parsed.output, Output::Rankings(vec![ranking(99, 1.0)]));
        assert_eq!(parsed.usage.unwrap().prompt_tokens, Some(42));
    }

    #[test]
    fn wrong_fields_name_their_path() {
        let endpoint = rankings(json!({}));
        let err = endpoint.parse_response(br#"{"results":[]}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "response has no rankings (an array); body starts with \"{\\\"results\\\":[]}\""
        );
        let err = endpoint
            .parse_response(br#"{"rankings":[{"index":-1,"logit":0.5}]}"#)
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("response has no rankings[].index (a non-negative integer)"),
            "{err}"
        );
        let err = endpoint
            .parse_response(br#"{"rankings":[{"index":0,"score":0.5}]}"#)
            .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "response has no rankings[].logit (a number, or a relevance_score number)"
            ),
            "{err}"
        );
        let err = endpoint
            .parse_response(br#"{"rankings":[{"index":0,"logit":"0.5"}]}"#)
            .unwrap_err();
        assert!(
            matches!(
                err,
                EndpointError::MissingField {
                    path: "rankings[].logit",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    /// AIPerf's own mock server answers `relevance_score` instead of
    /// `logit`: both are scores, sorted the same way.
    #[test]
    fn relevance_scores_are_scores_too() {
        let body = br#"{"rankings":[{"index":0,"relevance_score":0.25},{"index":1,"relevance_score":0.75},{"index":2,"logit":0.5}],"usage":{"prompt_tokens":12}}"#;
        let parsed = rankings(json!({})).parse_response(body).unwrap();
        assert_eq!(
            parsed.output,
            Output::Rankings(vec![ranking(1, 0.75), ranking(2, 0.5), ranking(0, 0.25)])
        );
        assert_eq!(parsed.usage.unwrap().prompt_tokens, Some(12));
        // A null logit falls back to the relevance score.
        let body = br#"{"rankings":[{"index":3,"logit":null,"relevance_score":0.1}]}"#;
        assert_eq!(
            rankings(json!({})).parse_response(body).unwrap().output,
            Output::Rankings(vec![ranking(3, 0.1)])
        );
    }

    #[test]
    fn metadata() {
        assert_eq!(
            <NimRankings as Implementation<EndpointCategory>>::METADATA,
            EndpointMetadata {
                endpoint_path: "/v1/ranking",
                streaming_path: None,
                supports_streaming: false,
                produces_tokens: false,
                tokenizes_input: true,
                metrics_title: "Rankings Metrics",
            }
        );
    }
}
