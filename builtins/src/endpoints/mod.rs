//! The builtin endpoints: the wire formats of the inference APIs AIPerf
//! benchmarks.
//!
//! | name | type | identifier | path |
//! |---|---|---|---|
//! | `chat` | [`OpenAiChat`] | `openai_chat` | `/v1/chat/completions` |
//! | `completions` | [`OpenAiCompletions`] | `openai_completions` | `/v1/completions` |
//! | `embeddings` | [`OpenAiEmbeddings`] | `openai_embeddings` | `/v1/embeddings` |
//! | `rankings` | [`NimRankings`] | `nim_rankings` | `/v1/ranking` |
//! | `responses` | [`OpenAiResponses`] | `openai_responses` | `/v1/responses` |
//! | `messages` | [`AnthropicMessages`] | `anthropic_messages` | `/v1/messages` |
//! | `huggingface_generate` | [`TgiGenerate`] | `tgi_generate` | `/generate` |
//! | `hf_tei_rankings` | [`TeiRerank`] | `tei_rerank` | `/rerank` |
//! | `cohere_rankings` | [`CohereRerank`] | `cohere_rerank` | `/v2/rerank` |
//!
//! The names, paths and metadata are AIPerf 0.13's (its `plugins.yaml`).
//! Their registrations are in `aiperf_registry.rs`. This module also holds
//! what the formats share: reading a body (malformed JSON, server error
//! objects), JSON paths in error messages, token counts, ranked passages,
//! the `[DONE]` marker and merging [`EndpointArgs::extra`] into payloads.
//!
//! Every format reports an unusable response the same way:
//!
//! - a body that is not JSON: [`EndpointError::MalformedJson`];
//! - `{"error": {"message": ..}}`, `{"error": ".."}`, `{"detail": ..}` or
//!   `{"object": "error", "message": ..}`: [`EndpointError::Server`] (and
//!   the formats' own error events: Anthropic's `{"type": "error", "error":
//!   {..}}` is the first shape; the Responses API's `error` and
//!   `response.failed` events, Cohere's `{"message": ..}`);
//! - a missing or wrong-typed field: [`EndpointError::MissingField`] with
//!   its JSON path (e.g. `choices[0].message.content`).

mod chat;
mod cohere_rankings;
mod completions;
mod embeddings;
mod hf_tei_rankings;
mod huggingface_generate;
mod messages;
mod rankings;
mod responses;

pub use chat::OpenAiChat;
pub use cohere_rankings::CohereRerank;
pub use completions::OpenAiCompletions;
pub use embeddings::OpenAiEmbeddings;
pub use hf_tei_rankings::TeiRerank;
pub use huggingface_generate::TgiGenerate;
pub use messages::AnthropicMessages;
pub use rankings::NimRankings;
pub use responses::OpenAiResponses;

use registry_core::BoxError;
use serde_json::{Map, Value};

use aiperf_plugin_api::{
    EndpointArgs, EndpointError, Output, ParsedResponse, Ranking, StreamDelta, Usage,
};

/// At most this many characters of a body are quoted in error messages.
const SNIPPET_CHARS: usize = 200;

/// The first [`SNIPPET_CHARS`] characters of `body`, never cut inside a
/// character; invalid UTF-8 shows as U+FFFD.
fn snippet(body: &[u8]) -> String {
    // A character is at most 4 bytes: this prefix holds SNIPPET_CHARS whole
    // characters whenever the body has that many, so a character cut at the
    // prefix's end is never among those kept.
    let prefix = &body[..body.len().min(SNIPPET_CHARS * 4 + 3)];
    String::from_utf8_lossy(prefix)
        .chars()
        .take(SNIPPET_CHARS)
        .collect()
}

/// The message of a server error object, if `json` is one.
fn server_error(json: &Value) -> Option<String> {
    let object = json.as_object()?;
    let present = |key: &str| object.get(key).filter(|v| !v.is_null());
    if let Some(error) = present("error") {
        return Some(match error {
            Value::String(message) => message.clone(),
            Value::Object(fields) => match fields.get("message") {
                Some(Value::String(message)) => with_kind(message, fields),
                _ => error.to_string(),
            },
            other => other.to_string(),
        });
    }
    if let Some(detail) = present("detail") {
        return Some(match detail {
            Value::String(message) => message.clone(),
            other => other.to_string(),
        });
    }
    if object.get("object").and_then(Value::as_str) == Some("error") {
        return Some(match object.get("message") {
            Some(Value::String(message)) => with_kind(message, object),
            _ => json.to_string(),
        });
    }
    None
}

/// `message`, followed by the error object's `type` and `code` when present.
fn with_kind(message: &str, fields: &Map<String, Value>) -> String {
    with_keys(message, fields, &["type", "code"])
}

/// `message`, followed by those of `keys` the error object has, e.g.
/// `overloaded (type server_error, code 503)`.
fn with_keys(message: &str, fields: &Map<String, Value>, keys: &[&str]) -> String {
    let kind: Vec<String> = keys
        .iter()
        .copied()
        .filter_map(|key| match fields.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(format!("{key} {s}")),
            other => Some(format!("{key} {other}")),
        })
        .collect();
    if kind.is_empty() {
        message.to_owned()
    } else {
        format!("{message} ({})", kind.join(", "))
    }
}

/// The value at a path like `choices[0].delta.content` (or `[0].text`
/// into a body that is an array).
fn lookup<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    path.split(['.', '['])
        .filter(|segment| !segment.is_empty())
        .try_fold(root, |value, segment| match segment.strip_suffix(']') {
            Some(index) => value.get(index.parse::<usize>().ok()?),
            None => value.get(segment),
        })
}

/// A parsed response body (or stream event), with the raw text kept for
/// error messages.
struct Body<'a> {
    raw: &'a [u8],
    json: Value,
}

impl<'a> Body<'a> {
    /// Parses `raw`; a server error object is an error.
    fn parse(raw: &'a [u8]) -> Result<Self, EndpointError> {
        let json: Value =
            serde_json::from_slice(raw).map_err(|source| EndpointError::MalformedJson {
                source,
                snippet: snippet(raw),
            })?;
        match server_error(&json) {
            Some(message) => Err(EndpointError::Server { message }),
            None => Ok(Body { raw, json }),
        }
    }

    /// Parses the `data:` payload of a server-sent event; `None` for the
    /// `[DONE]` end marker.
    fn event(data: &'a str) -> Result<Option<Self>, EndpointError> {
        let data = data.trim();
        if data == "[DONE]" {
            Ok(None)
        } else {
            Self::parse(data.as_bytes()).map(Some)
        }
    }

    /// The value at `path`; `None` when it is absent or `null`.
    fn get(&self, path: &str) -> Option<&Value> {
        lookup(&self.json, path).filter(|v| !v.is_null())
    }

    fn missing(&self, path: &'static str, expected: &'static str) -> EndpointError {
        EndpointError::MissingField {
            path,
            expected,
            snippet: snippet(self.raw),
        }
    }

    fn invalid(&self, path: &'static str, problem: String) -> EndpointError {
        EndpointError::InvalidField {
            path,
            problem,
            snippet: snippet(self.raw),
        }
    }

    /// The string at `path`; absent, `null` or another type is an error.
    fn str(&self, path: &'static str) -> Result<&str, EndpointError> {
        self.get(path)
            .and_then(Value::as_str)
            .ok_or_else(|| self.missing(path, "a string"))
    }

    /// The string at `path`, `None` when absent or `null`; another type is
    /// an error.
    fn optional_str(&self, path: &'static str) -> Result<Option<&str>, EndpointError> {
        match self.get(path) {
            None => Ok(None),
            Some(value) => value
                .as_str()
                .map(Some)
                .ok_or_else(|| self.missing(path, "a string or null")),
        }
    }

    /// The array at `path`.
    fn array(&self, path: &'static str) -> Result<&[Value], EndpointError> {
        self.get(path)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| self.missing(path, "an array"))
    }

    /// The object at `path`.
    fn object(&self, path: &'static str) -> Result<&Map<String, Value>, EndpointError> {
        self.get(path)
            .and_then(Value::as_object)
            .ok_or_else(|| self.missing(path, "an object"))
    }

    /// The `usage` object, `None` when absent or `null`.
    fn usage(&self) -> Result<Option<Usage>, EndpointError> {
        self.usage_at(
            "usage",
            Some("usage.prompt_tokens"),
            Some("usage.completion_tokens"),
        )
    }

    /// Token counts from the object at `object` (`None` when it is absent
    /// or `null`): the prompt's at the path `prompt`, the generated ones at
    /// `completion` (a format may report only one of them in an event).
    fn usage_at(
        &self,
        object: &'static str,
        prompt: Option<&'static str>,
        completion: Option<&'static str>,
    ) -> Result<Option<Usage>, EndpointError> {
        if self.get(object).is_none() {
            return Ok(None);
        }
        self.object(object)?;
        let count = |path: Option<&'static str>| path.map_or(Ok(None), |path| self.count(path));
        Ok(Some(Usage {
            prompt_tokens: count(prompt)?,
            completion_tokens: count(completion)?,
        }))
    }

    /// The `type` of a typed stream event (the Responses API's and
    /// Anthropic's events name themselves in their data).
    fn event_type(&self) -> Result<&str, EndpointError> {
        self.str("type")
    }

    fn count(&self, path: &'static str) -> Result<Option<u64>, EndpointError> {
        match self.get(path) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.missing(path, "a non-negative integer")),
        }
    }
}

/// Inserts `extra` into the `payload` object, replacing fields of the same
/// name.
fn with_extra(mut payload: Value, extra: &Map<String, Value>) -> Value {
    if let Value::Object(fields) = &mut payload {
        fields.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    payload
}

/// Where a reranking API puts a ranked passage's fields, for reading and
/// for error messages.
struct RankingFields {
    /// JSON path of the passage index, e.g. `rankings[].index`.
    index_path: &'static str,
    /// JSON path of the score named in errors, e.g. `rankings[].logit`.
    score_path: &'static str,
    /// What is expected at `score_path`, e.g. `a number`.
    score_expected: &'static str,
    /// The score's field names, tried in order: the first present counts.
    score_keys: &'static [&'static str],
}

/// Ranked passages from `items`: each an object with a non-negative
/// integer index and a numeric score, sorted best (highest score) first;
/// equal scores keep the server's order. Indices are reported as the
/// server gives them, not checked against the request.
fn ranked(
    body: &Body<'_>,
    items: &[Value],
    fields: &RankingFields,
) -> Result<Vec<Ranking>, EndpointError> {
    let mut rankings = items
        .iter()
        .map(|item| {
            let index = item
                .get("index")
                .and_then(Value::as_u64)
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| body.missing(fields.index_path, "a non-negative integer"))?;
            let score = fields
                .score_keys
                .iter()
                .find_map(|key| item.get(*key).filter(|v| !v.is_null()))
                .and_then(Value::as_f64)
                .ok_or_else(|| body.missing(fields.score_path, fields.score_expected))?;
            Ok(Ranking { index, score })
        })
        .collect::<Result<Vec<_>, EndpointError>>()?;
    rankings.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(rankings)
}

/// The payload of an OpenAI generating endpoint: `model`, the format's
/// `input` field, `stream`, the token limit under `limit_field` when given,
/// `stream_options.include_usage` when streaming, then `extra`.
fn generation_payload(
    args: &EndpointArgs,
    input: (&str, Value),
    limit_field: &str,
    max_tokens: Option<u32>,
) -> Value {
    let mut payload = serde_json::json!({"model": args.model, "stream": args.streaming});
    payload[input.0] = input.1;
    if let Some(max) = max_tokens {
        payload[limit_field] = max.into();
    }
    if args.streaming {
        payload["stream_options"] = serde_json::json!({"include_usage": true});
    }
    with_extra(payload, &args.extra)
}

/// A complete response whose generated text is the string at `path`.
fn text_response(body: &[u8], path: &'static str) -> Result<ParsedResponse, EndpointError> {
    let body = Body::parse(body)?;
    Ok(ParsedResponse {
        output: Output::Text(body.str(path)?.to_owned()),
        usage: body.usage()?,
    })
}

/// The shape nearly every OpenAI stream chunk has, read straight into
/// borrowed fields: one chunk per generated token makes this the client's
/// hottest parse, and building a JSON tree for it cost a tenth of the
/// client's CPU. Anything unusual (an error object, a missing or mistyped
/// field) is left to the tree-based reading, which words the error.
#[derive(serde::Deserialize)]
struct FastChunk<'a> {
    #[serde(borrow)]
    choices: Option<Vec<FastChoice<'a>>>,
    usage: Option<FastUsage>,
    error: Option<serde::de::IgnoredAny>,
    detail: Option<serde::de::IgnoredAny>,
    #[serde(borrow)]
    object: Option<std::borrow::Cow<'a, str>>,
}

/// `choices[i]` of a [`FastChunk`]: chat's `delta`, completions' `text`.
#[derive(serde::Deserialize)]
struct FastChoice<'a> {
    #[serde(borrow)]
    delta: Option<FastDelta<'a>>,
    #[serde(borrow)]
    text: Option<std::borrow::Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
struct FastDelta<'a> {
    #[serde(borrow)]
    content: Option<std::borrow::Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
struct FastUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

/// One event of an OpenAI stream: `[DONE]` is `None`; a chunk with an empty
/// `choices` array (the `include_usage` chunk) has empty text; otherwise
/// the chunk's text comes from `choices[0]`: `fast` reads it from the
/// typed chunk (`None`: not there, let the tree reading say why), `text`
/// from the tree. `usage` is read from every chunk.
fn choices_event(
    data: &str,
    fast: impl FnOnce(&FastChoice<'_>) -> Option<String>,
    text: impl FnOnce(&Body<'_>) -> Result<String, EndpointError>,
) -> Result<Option<StreamDelta>, EndpointError> {
    let trimmed = data.trim();
    if trimmed == "[DONE]" {
        return Ok(None);
    }
    if let Ok(chunk) = serde_json::from_str::<FastChunk<'_>>(trimmed) {
        let plain = chunk.error.is_none()
            && chunk.detail.is_none()
            && chunk.object.as_deref() != Some("error");
        if let (true, Some(choices)) = (plain, &chunk.choices) {
            let text = match choices.first() {
                None => Some(String::new()),
                Some(choice) => fast(choice),
            };
            if let Some(text) = text {
                return Ok(Some(StreamDelta {
                    text,
                    usage: chunk.usage.map(|u| Usage {
                        prompt_tokens: u.prompt_tokens,
                        completion_tokens: u.completion_tokens,
                    }),
                }));
            }
        }
    }
    let Some(body) = Body::event(data)? else {
        return Ok(None);
    };
    let text = if body.array("choices")?.is_empty() {
        String::new()
    } else {
        text(&body)?
    };
    Ok(Some(StreamDelta {
        text,
        usage: body.usage()?,
    }))
}

/// The constructor check of an endpoint that cannot stream.
fn reject_streaming(args: &EndpointArgs, endpoint: &'static str) -> Result<(), BoxError> {
    if args.streaming {
        Err(format!(
            "{}; set streaming: false",
            EndpointError::StreamingUnsupported(endpoint)
        )
        .into())
    } else {
        Ok(())
    }
}

/// Test helper: endpoint arguments with `extra` given as a JSON object.
#[cfg(test)]
fn test_args(model: &str, streaming: bool, extra: Value) -> EndpointArgs {
    EndpointArgs {
        model: model.to_owned(),
        streaming,
        extra: extra.as_object().cloned().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use registry_core::Implementation;
    use serde_json::json;

    use super::*;
    use aiperf_plugin_api::Endpoint;

    fn args() -> EndpointArgs {
        EndpointArgs {
            model: "m".into(),
            ..EndpointArgs::default()
        }
    }

    fn all() -> Vec<(&'static str, Box<dyn Endpoint>)> {
        vec![
            ("chat", Box::new(OpenAiChat::create(args()).unwrap())),
            (
                "completions",
                Box::new(OpenAiCompletions::create(args()).unwrap()),
            ),
            (
                "embeddings",
                Box::new(OpenAiEmbeddings::create(args()).unwrap()),
            ),
            ("rankings", Box::new(NimRankings::create(args()).unwrap())),
            (
                "responses",
                Box::new(OpenAiResponses::create(args()).unwrap()),
            ),
            (
                "messages",
                Box::new(AnthropicMessages::create(args()).unwrap()),
            ),
            (
                "huggingface_generate",
                Box::new(TgiGenerate::create(args()).unwrap()),
            ),
            (
                "hf_tei_rankings",
                Box::new(TeiRerank::create(args()).unwrap()),
            ),
            (
                "cohere_rankings",
                Box::new(CohereRerank::create(args()).unwrap()),
            ),
        ]
    }

    /// The endpoints that read streams, and those that refuse them.
    const STREAMING: [&str; 5] = [
        "chat",
        "completions",
        "responses",
        "messages",
        "huggingface_generate",
    ];

    fn error_of(endpoint: &dyn Endpoint, body: &str) -> String {
        endpoint
            .parse_response(body.as_bytes())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn snippet_keeps_200_whole_characters() {
        assert_eq!(snippet(b"short"), "short");
        let ascii = "a".repeat(500);
        assert_eq!(snippet(ascii.as_bytes()), "a".repeat(200));
        // 3-byte characters: the byte prefix cuts one in half; it is dropped.
        let wide = "€".repeat(300);
        assert_eq!(snippet(wide.as_bytes()), "€".repeat(200));
        let four = "𝄞".repeat(300);
        assert_eq!(snippet(four.as_bytes()), "𝄞".repeat(200));
        assert_eq!(snippet(b"ok \xff\xfe"), "ok \u{fffd}\u{fffd}");
    }

    #[test]
    fn lookup_follows_keys_and_indices() {
        let v = json!({"choices": [{"delta": {"content": "hi"}}, {"text": "x"}]});
        assert_eq!(lookup(&v, "choices[0].delta.content"), Some(&json!("hi")));
        assert_eq!(lookup(&v, "choices[1].text"), Some(&json!("x")));
        assert_eq!(lookup(&v, "choices[2].text"), None);
        assert_eq!(lookup(&v, "choices.text"), None);
        assert_eq!(lookup(&v, "data[0]"), None);
        let array = json!([{"generated_text": "hi"}]);
        assert_eq!(lookup(&array, "[0].generated_text"), Some(&json!("hi")));
        assert_eq!(lookup(&array, "[1].generated_text"), None);
        assert_eq!(lookup(&array, "generated_text"), None);
    }

    #[test]
    fn non_json_bodies_are_malformed_json_with_a_snippet() {
        let html = format!(
            "<html><body>502 Bad Gateway{}</body></html>",
            " ".repeat(300)
        );
        for (name, endpoint) in all() {
            let err = endpoint.parse_response(html.as_bytes()).unwrap_err();
            let EndpointError::MalformedJson { snippet, .. } = &err else {
                panic!("{name}: {err:?}");
            };
            assert_eq!(snippet.chars().count(), 200, "{name}");
            assert!(
                err.to_string().starts_with(
                    "response is not valid JSON (expected value at line 1 column 1); \
                     body starts with \"<html><body>502 Bad Gateway  "
                ),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn error_objects_are_server_errors_for_every_endpoint() {
        let cases = [
            (
                r#"{"error": {"message": "The model `gpt-9` does not exist", "type": "invalid_request_error", "param": null, "code": "model_not_found"}}"#,
                "server returned an error: The model `gpt-9` does not exist \
                 (type invalid_request_error, code model_not_found)",
            ),
            (
                r#"{"error": {"message": "maximum context length is 4096 tokens", "type": "BadRequestError", "param": null, "code": 400}}"#,
                "server returned an error: maximum context length is 4096 tokens \
                 (type BadRequestError, code 400)",
            ),
            (
                r#"{"error": {"message": "overloaded"}}"#,
                "server returned an error: overloaded",
            ),
            (
                r#"{"error": {"code": 503}}"#,
                r#"server returned an error: {"code":503}"#,
            ),
            (
                r#"{"error": "Model is currently loading"}"#,
                "server returned an error: Model is currently loading",
            ),
            (
                r#"{"detail": "Not Found"}"#,
                "server returned an error: Not Found",
            ),
            (
                r#"{"detail": [{"loc": ["body", "model"], "msg": "Field required", "type": "missing"}]}"#,
                r#"server returned an error: [{"loc":["body","model"],"msg":"Field required","type":"missing"}]"#,
            ),
            (
                r#"{"object": "error", "message": "The model `x` does not exist.", "type": "NotFoundError", "param": null, "code": 404}"#,
                "server returned an error: The model `x` does not exist. (type NotFoundError, code 404)",
            ),
        ];
        for (name, endpoint) in all() {
            for (body, message) in cases {
                assert_eq!(error_of(&*endpoint, body), message, "{name}");
            }
        }
    }

    #[test]
    fn error_objects_in_stream_events_are_server_errors() {
        let streaming = all()
            .into_iter()
            .filter(|(name, _)| STREAMING.contains(name));
        for (name, endpoint) in streaming {
            let err = endpoint
                .parse_stream_event(r#"{"error": {"message": "engine died", "code": 500}}"#)
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                "server returned an error: engine died (code 500)",
                "{name}"
            );
        }
    }

    #[test]
    fn embeddings_and_rankings_refuse_streaming_at_creation_and_per_event() {
        let streaming = test_args("m", true, Value::Null);
        let refusals = [
            (
                "embeddings",
                OpenAiEmbeddings::create(streaming.clone()).err(),
            ),
            ("rankings", NimRankings::create(streaming.clone()).err()),
            (
                "hf_tei_rankings",
                TeiRerank::create(streaming.clone()).err(),
            ),
            ("cohere_rankings", CohereRerank::create(streaming).err()),
        ];
        for (name, err) in refusals {
            assert_eq!(
                err.unwrap_or_else(|| panic!("created a streaming {name} endpoint"))
                    .to_string(),
                format!("the {name} endpoint does not support streaming; set streaming: false")
            );
        }
        let refusing = all()
            .into_iter()
            .filter(|(name, _)| !STREAMING.contains(name));
        for (name, endpoint) in refusing {
            let err = endpoint.parse_stream_event("{}").unwrap_err();
            assert!(
                matches!(err, EndpointError::StreamingUnsupported(n) if n == name),
                "{err:?}"
            );
            assert_eq!(
                err.to_string(),
                format!("the {name} endpoint does not support streaming")
            );
        }
    }

    #[test]
    fn null_error_fields_are_not_errors() {
        let body = Body::parse(br#"{"error": null, "detail": null, "usage": null}"#).unwrap();
        assert_eq!(body.usage().unwrap(), None);
    }

    #[test]
    fn usage_reads_tokens_and_rejects_wrong_types() {
        let body = Body::parse(br#"{"usage": {"prompt_tokens": 9, "total_tokens": 9}}"#).unwrap();
        assert_eq!(
            body.usage().unwrap(),
            Some(Usage {
                prompt_tokens: Some(9),
                completion_tokens: None
            })
        );
        let body = Body::parse(br#"{"usage": {"prompt_tokens": "9"}}"#).unwrap();
        assert_eq!(
            body.usage().unwrap_err().to_string(),
            "response has no usage.prompt_tokens (a non-negative integer); \
             body starts with \"{\\\"usage\\\": {\\\"prompt_tokens\\\": \\\"9\\\"}}\""
        );
        let body = Body::parse(br#"{"usage": 12}"#).unwrap();
        assert_eq!(
            body.usage().unwrap_err().to_string(),
            "response has no usage (an object); body starts with \"{\\\"usage\\\": 12}\""
        );
    }

    #[test]
    fn done_marker_ends_a_stream() {
        assert!(Body::event("[DONE]").unwrap().is_none());
        assert!(Body::event(" [DONE]\n").unwrap().is_none());
        assert!(Body::event("{}").unwrap().is_some());
    }

    #[test]
    fn extra_fields_override_payload_fields() {
        let payload = json!({"model": "a", "stream": false});
        let extra = json!({"model": "b", "temperature": 0.5});
        assert_eq!(
            with_extra(payload, extra.as_object().unwrap()),
            json!({"model": "b", "stream": false, "temperature": 0.5})
        );
    }

    /// The typed fast path and the tree reading agree on every chunk shape:
    /// same delta, or the same error (the fast path defers to the tree).
    #[test]
    fn the_fast_chunk_path_agrees_with_the_tree_reading() {
        let chunks = [
            r#"{"choices":[{"index":0,"delta":{"content":"hi "}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"role":"assistant"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":null}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"\u00e9\n"}}],"usage":null}"#,
            r#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#,
            r#"{"choices":[{"index":0,"text":"word"}]}"#,
            r#"{"choices":[{"index":0,"text":null}]}"#,
            r#"{"choices":[{"index":0}]}"#,
            r#"{"choices":[{"index":0,"delta":null}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":7}}]}"#,
            r#"{"choices":null}"#,
            r#"{"choices":"x"}"#,
            r#"{}"#,
            r#"{"choices":[{"delta":{"content":"x"}}],"usage":{"completion_tokens":1.5}}"#,
            r#"{"choices":[{"delta":{"content":"x"}}],"usage":7}"#,
            r#"{"error":{"message":"engine died","code":500}}"#,
            r#"{"choices":[{"delta":{"content":"x"}}],"error":"late"}"#,
            r#"{"detail":"Not Found"}"#,
            r#"{"object":"error","message":"bad"}"#,
            r#"not json"#,
            r#"  [DONE]  "#,
        ];
        type FastText = fn(&FastChoice<'_>) -> Option<String>;
        let fast_paths: [(&str, FastText); 2] = [
            ("chat", chat::fast_text),
            ("completions", completions::fast_text),
        ];
        for (name, fast) in fast_paths {
            let tree = |body: &Body<'_>| -> Result<String, EndpointError> {
                if name == "chat" {
                    body.object("choices[0].delta")?;
                    Ok(body
                        .optional_str("choices[0].delta.content")?
                        .unwrap_or_default()
                        .to_owned())
                } else {
                    Ok(body.str("choices[0].text")?.to_owned())
                }
            };
            for chunk in chunks {
                let with_fast = choices_event(chunk, fast, tree).map_err(|e| e.to_string());
                let tree_only = choices_event(chunk, |_| None, tree).map_err(|e| e.to_string());
                assert_eq!(with_fast, tree_only, "{name}: {chunk}");
            }
        }
    }
}
