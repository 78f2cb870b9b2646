//! Routing and the five routes' request parsing and answers.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::config::{MAX_EMBEDDING_INPUTS, MAX_OUTPUT_TOKENS, MAX_RANKING_PASSAGES};
use crate::record::{Route, Served};
use crate::server::State;
use crate::stream::{ResponseBody, StreamSpec, TokenStream, usage};
use crate::text::{self, Words};

const JSON: &str = "application/json";

/// Answers one request.
pub(crate) async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<ResponseBody> {
    let path = req.uri().path().to_owned();
    let route = match path.as_str() {
        "/health" | "/metrics" => {
            return if req.method() == Method::GET {
                if path == "/health" {
                    health(&state)
                } else {
                    metrics(&state)
                }
            } else {
                error_response(
                    StatusCode::METHOD_NOT_ALLOWED,
                    &format!("{} {path} is not allowed; use GET", req.method()),
                    "invalid_request_error",
                    "method_not_allowed",
                )
            };
        }
        "/v1/chat/completions" => Route::ChatCompletions,
        "/v1/completions" => Route::Completions,
        "/v1/embeddings" => Route::Embeddings,
        "/v1/ranking" => Route::Ranking,
        _ => Route::Other,
    };

    let mut record = state.new_record(route, path.clone());
    if route == Route::Other {
        // Its `received` is when its head was read: no body is wanted.
        return finish(
            &state,
            record,
            error_response(
                StatusCode::NOT_FOUND,
                &format!("no route for {} {path}", req.method()),
                "invalid_request_error",
                "not_found",
            ),
        );
    }
    if req.method() != Method::POST {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("{} {path} is not allowed; use POST", req.method()),
            "invalid_request_error",
            "method_not_allowed",
        );
        response
            .headers_mut()
            .insert("allow", HeaderValue::from_static("POST"));
        return finish(&state, record, response);
    }

    let body = read_body(&state, req).await;
    record.received = Instant::now();
    let body = match body {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            let msg = format!(
                "request body is larger than the limit of {} bytes",
                state.config.max_body_bytes
            );
            let response = error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &msg,
                "invalid_request_error",
                "body_too_large",
            );
            return finish(&state, record, response);
        }
        Err(BodyError::Read(e)) => {
            let msg = format!("reading the request body failed: {e}");
            let response = error_response(
                StatusCode::BAD_REQUEST,
                &msg,
                "invalid_request_error",
                "body_read_failed",
            );
            return finish(&state, record, response);
        }
    };

    let parsed = match route {
        Route::ChatCompletions => parse_chat(&body),
        Route::Completions => parse_completion(&body),
        Route::Embeddings => parse_embeddings(&body),
        Route::Ranking => parse_ranking(&body),
        Route::Other => unreachable!("answered 404 above"),
    };
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(msg) => {
            let response = error_response(
                StatusCode::BAD_REQUEST,
                &msg,
                "invalid_request_error",
                "invalid_request",
            );
            return finish(&state, record, response);
        }
    };
    record.prompt_tokens = parsed.prompt_tokens();
    if let Parsed::Generate(g) = &parsed {
        record.requested_tokens = g.requested;
    }

    if text::inject_error(state.seed, record.id, state.config.error_rate) {
        record.injected_error = true;
        state.metrics.error_injected();
        let response = error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected error (--error-rate)",
            "server_error",
            "injected_error",
        );
        return finish(&state, record, response);
    }

    match parsed {
        Parsed::Generate(g) => generate(state, record, route, g).await,
        Parsed::Embeddings(e) => embeddings(&state, record, e).await,
        Parsed::Ranking(r) => ranking(&state, record, r).await,
    }
}

/// Pushes the record of a whole-body answer and returns the answer.
fn finish(
    state: &State,
    mut record: Served,
    response: Response<ResponseBody>,
) -> Response<ResponseBody> {
    record.status = response.status().as_u16();
    record.completed = Some(Instant::now());
    state.sink.push(record);
    response
}

enum BodyError {
    TooLarge,
    Read(String),
}

/// The whole body, refusing (without reading on) once it passes the cap.
async fn read_body(state: &State, req: Request<Incoming>) -> Result<Bytes, BodyError> {
    let cap = state.config.max_body_bytes;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > cap as u64) {
        return Err(BodyError::TooLarge);
    }
    match Limited::new(req.into_body(), cap).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        Err(e) => Err(BodyError::Read(e.to_string())),
    }
}

enum Parsed {
    Generate(Generate),
    Embeddings(Embeddings),
    Ranking(Ranking),
}

impl Parsed {
    fn prompt_tokens(&self) -> u64 {
        match self {
            Parsed::Generate(g) => g.prompt_tokens,
            Parsed::Embeddings(e) => e.inputs.iter().map(|t| text::count_tokens(t)).sum(),
            Parsed::Ranking(r) => {
                text::count_tokens(&r.query)
                    + r.passages
                        .iter()
                        .map(|p| text::count_tokens(p))
                        .sum::<u64>()
            }
        }
    }
}

/// A chat or text completion to generate.
struct Generate {
    model: String,
    stream: bool,
    include_usage: bool,
    requested: Option<u64>,
    prompt_tokens: u64,
    prompt_hash: u64,
}

struct Embeddings {
    model: String,
    inputs: Vec<String>,
}

struct Ranking {
    model: String,
    query: String,
    passages: Vec<String>,
}

#[derive(Deserialize)]
struct StreamOptions {
    include_usage: Option<bool>,
}

#[derive(Deserialize)]
struct ChatRequest {
    model: Option<String>,
    messages: Vec<ChatMessage>,
    stream: Option<bool>,
    stream_options: Option<StreamOptions>,
    max_tokens: Option<u64>,
    max_completion_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct ChatMessage {
    content: Option<Value>,
}

#[derive(Deserialize)]
struct CompletionRequest {
    model: Option<String>,
    prompt: Value,
    stream: Option<bool>,
    stream_options: Option<StreamOptions>,
    max_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct EmbeddingRequest {
    model: Option<String>,
    input: Value,
}

#[derive(Deserialize)]
struct RankingRequest {
    model: Option<String>,
    query: Value,
    passages: Value,
}

const DEFAULT_MODEL: &str = "aiperf-mock";

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            format!("invalid request: {e}")
        } else {
            format!("invalid JSON body: {e}")
        }
    })
}

fn parse_chat(body: &[u8]) -> Result<Parsed, String> {
    let req: ChatRequest = parse(body)?;
    let mut prompt = String::new();
    for message in &req.messages {
        match &message.content {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => push_line(&mut prompt, s),
            Some(Value::Array(parts)) => {
                // Content parts: the text ones count, images and the like not.
                for part in parts {
                    if let Some(s) = part.get("text").and_then(Value::as_str) {
                        push_line(&mut prompt, s);
                    }
                }
            }
            Some(_) => {
                return Err(
                    "invalid request: a message's content must be a string or an array of parts"
                        .to_owned(),
                );
            }
        }
    }
    Ok(Parsed::Generate(Generate {
        model: req.model.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        stream: req.stream.unwrap_or(false),
        include_usage: include_usage(req.stream_options.as_ref()),
        requested: requested_tokens(req.max_completion_tokens.or(req.max_tokens))?,
        prompt_tokens: text::count_tokens(&prompt),
        prompt_hash: text::fnv1a(prompt.as_bytes()),
    }))
}

fn parse_completion(body: &[u8]) -> Result<Parsed, String> {
    let req: CompletionRequest = parse(body)?;
    let prompts = texts(&req.prompt, "prompt")?;
    let prompt = prompts.join("\n");
    Ok(Parsed::Generate(Generate {
        model: req.model.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        stream: req.stream.unwrap_or(false),
        include_usage: include_usage(req.stream_options.as_ref()),
        requested: requested_tokens(req.max_tokens)?,
        prompt_tokens: text::count_tokens(&prompt),
        prompt_hash: text::fnv1a(prompt.as_bytes()),
    }))
}

fn parse_embeddings(body: &[u8]) -> Result<Parsed, String> {
    let req: EmbeddingRequest = parse(body)?;
    let inputs = texts(&req.input, "input")?;
    if inputs.len() > MAX_EMBEDDING_INPUTS {
        return Err(format!(
            "invalid request: input has {} items, more than {MAX_EMBEDDING_INPUTS}",
            inputs.len()
        ));
    }
    Ok(Parsed::Embeddings(Embeddings {
        model: req.model.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        inputs,
    }))
}

fn parse_ranking(body: &[u8]) -> Result<Parsed, String> {
    let req: RankingRequest = parse(body)?;
    let text_of = |v: &Value| v.get("text").and_then(Value::as_str).map(str::to_owned);
    let query =
        text_of(&req.query).ok_or("invalid request: query must be an object {\"text\": string}")?;
    let passages = req
        .passages
        .as_array()
        .ok_or("invalid request: passages must be an array of {\"text\": string}")?;
    if passages.len() > MAX_RANKING_PASSAGES {
        return Err(format!(
            "invalid request: {} passages, more than {MAX_RANKING_PASSAGES}",
            passages.len()
        ));
    }
    let passages = passages
        .iter()
        .map(text_of)
        .collect::<Option<Vec<_>>>()
        .ok_or("invalid request: each passage must be an object {\"text\": string}")?;
    Ok(Parsed::Ranking(Ranking {
        model: req.model.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        query,
        passages,
    }))
}

/// The request's token limit, if it set one, checked in
/// `1..=MAX_OUTPUT_TOKENS`.
fn requested_tokens(value: Option<u64>) -> Result<Option<u64>, String> {
    match value {
        Some(0) => Err("invalid request: max_tokens must be at least 1".to_owned()),
        Some(n) if n > MAX_OUTPUT_TOKENS => Err(format!(
            "invalid request: max_tokens {n} is more than this server's limit of \
             {MAX_OUTPUT_TOKENS}"
        )),
        other => Ok(other),
    }
}

fn include_usage(options: Option<&StreamOptions>) -> bool {
    options.and_then(|o| o.include_usage).unwrap_or(false)
}

fn push_line(out: &mut String, s: &str) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(s);
}

/// The inputs of a `prompt` or `input` field: a string, an array of
/// strings, an array of token ids, or an array of arrays of token ids. A
/// token-id input becomes its ids written out, so that it counts one token
/// per id and hashes stably.
fn texts(value: &Value, field: &str) -> Result<Vec<String>, String> {
    let ids = |items: &[Value]| -> Option<String> {
        let ids: Option<Vec<String>> = items
            .iter()
            .map(|v| v.as_u64().map(|n| n.to_string()))
            .collect();
        ids.map(|ids| ids.join(" "))
    };
    let bad = || {
        format!(
            "invalid request: {field} must be a string, an array of strings, an array of \
             token ids or an array of arrays of token ids"
        )
    };
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if items.is_empty() => {
            Err(format!("invalid request: {field} must not be empty"))
        }
        Value::Array(items) => {
            if let Some(strings) = items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
            {
                return Ok(strings);
            }
            if let Some(one) = ids(items) {
                return Ok(vec![one]);
            }
            items
                .iter()
                .map(|v| v.as_array().and_then(|a| ids(a)).ok_or_else(bad))
                .collect()
        }
        _ => Err(bad()),
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Sleeps until `due` by the std clock (never wakes earlier).
async fn sleep_until(due: Instant) {
    while Instant::now() < due {
        tokio::time::sleep_until(tokio::time::Instant::from_std(due)).await;
    }
}

async fn generate(
    state: Arc<State>,
    mut record: Served,
    route: Route,
    g: Generate,
) -> Response<ResponseBody> {
    // Checked in 1..=MAX_OUTPUT_TOKENS by the parser, so it fits.
    let total = g.requested.map_or(state.config.output_tokens, |n| n as u32);
    let finish_reason = if g.requested.is_some() {
        "length"
    } else {
        "stop"
    };
    let words = Words::new(state.seed, g.prompt_hash);
    let id = match route {
        Route::ChatCompletions => format!("chatcmpl-mock-{}", record.id),
        _ => format!("cmpl-mock-{}", record.id),
    };
    let created = unix_now();

    if g.stream {
        record.stream = true;
        record.status = 200;
        let spec = StreamSpec {
            route,
            id,
            created,
            model: g.model,
            words,
            total,
            finish_reason,
            include_usage: g.include_usage,
        };
        let stream = TokenStream::new(Arc::clone(&state), record, spec);
        let mut response = Response::new(ResponseBody::Stream(Box::new(stream)));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert("cache-control", HeaderValue::from_static("no-cache"));
        return response;
    }

    // Not streamed: answer when the last token would have been written.
    let due = record.received + state.config.ttft + state.config.itl * (total - 1);
    sleep_until(due).await;
    let text = words.text(total);
    let choice = match route {
        Route::ChatCompletions => json!({
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "logprobs": null,
            "finish_reason": finish_reason,
        }),
        _ => json!({
            "index": 0,
            "text": text,
            "logprobs": null,
            "finish_reason": finish_reason,
        }),
    };
    let object = match route {
        Route::ChatCompletions => "chat.completion",
        _ => "text_completion",
    };
    let body = json!({
        "id": id,
        "object": object,
        "created": created,
        "model": g.model,
        "choices": [choice],
        "usage": usage(record.prompt_tokens, u64::from(total)),
    });
    let response = json_response(StatusCode::OK, &body);
    let now = Instant::now();
    record.first_token = Some(now);
    record.last_token = Some(now);
    record.output_tokens = u64::from(total);
    state.metrics.tokens(u64::from(total));
    finish(&state, record, response)
}

async fn embeddings(state: &State, record: Served, e: Embeddings) -> Response<ResponseBody> {
    let config = &state.config;
    let n = e.inputs.len() as u32;
    sleep_until(
        record.received + config.embedding_base_latency + config.embedding_per_input_latency * n,
    )
    .await;
    let data: Vec<Value> = e
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            json!({
                "object": "embedding",
                "index": i,
                "embedding": text::embedding(state.seed, input, config.embedding_dim),
            })
        })
        .collect();
    let prompt = record.prompt_tokens;
    let body = json!({
        "object": "list",
        "data": data,
        "model": e.model,
        "usage": {"prompt_tokens": prompt, "total_tokens": prompt},
    });
    finish(state, record, json_response(StatusCode::OK, &body))
}

async fn ranking(state: &State, record: Served, r: Ranking) -> Response<ResponseBody> {
    let config = &state.config;
    let n = r.passages.len() as u32;
    sleep_until(
        record.received + config.ranking_base_latency + config.ranking_per_passage_latency * n,
    )
    .await;
    let mut rankings: Vec<(usize, f64)> = r
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| (i, text::logit(state.seed, &r.query, p)))
        .collect();
    // Best first, as NIM rerankers answer; equal logits keep passage order.
    rankings.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let rankings: Vec<Value> = rankings
        .into_iter()
        .map(|(index, logit)| json!({"index": index, "logit": logit}))
        .collect();
    let body = json!({"rankings": rankings, "model": r.model});
    finish(state, record, json_response(StatusCode::OK, &body))
}

fn health(state: &State) -> Response<ResponseBody> {
    let c = &state.config;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    json_response(
        StatusCode::OK,
        &json!({
            "status": "healthy",
            "config": {
                "ttft_ms": ms(c.ttft),
                "itl_ms": ms(c.itl),
                "output_tokens": c.output_tokens,
                "error_rate": c.error_rate,
                "seed": state.seed,
                "embedding_dim": c.embedding_dim,
                "max_body_bytes": c.max_body_bytes,
            },
        }),
    )
}

fn metrics(state: &State) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::full(state.metrics.snapshot().to_prometheus()));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

fn json_response(status: StatusCode, body: &Value) -> Response<ResponseBody> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = Response::new(ResponseBody::full(bytes));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    response
}

/// An OpenAI-style error: `{"error": {"message", "type", "param", "code"}}`.
fn error_response(
    status: StatusCode,
    message: &str,
    kind: &str,
    code: &str,
) -> Response<ResponseBody> {
    json_response(
        status,
        &json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_in_every_shape_give_texts() {
        assert_eq!(texts(&json!("a b"), "prompt").unwrap(), ["a b"]);
        assert_eq!(texts(&json!(["a", "b c"]), "prompt").unwrap(), ["a", "b c"]);
        assert_eq!(texts(&json!([1, 2, 3]), "prompt").unwrap(), ["1 2 3"]);
        assert_eq!(
            texts(&json!([[1, 2], [3]]), "prompt").unwrap(),
            ["1 2", "3"]
        );
        assert!(texts(&json!([]), "prompt").unwrap_err().contains("empty"));
        assert!(texts(&json!(5), "input").unwrap_err().contains("input"));
        assert!(texts(&json!([1, "a"]), "prompt").is_err());
    }

    #[test]
    fn chat_counts_text_parts_and_prefers_max_completion_tokens() {
        let body = json!({
            "model": "m",
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": [
                    {"type": "text", "text": "three more words"},
                    {"type": "image_url", "image_url": {"url": "data:"}},
                ]},
            ],
            "max_tokens": 9,
            "max_completion_tokens": 4,
        });
        let Ok(Parsed::Generate(g)) = parse_chat(body.to_string().as_bytes()) else {
            panic!("a valid chat request");
        };
        assert_eq!(g.prompt_tokens, 5);
        assert_eq!(g.requested, Some(4));
        assert!(!g.stream);
    }

    #[test]
    fn malformed_and_mistyped_bodies_are_told_apart() {
        let Err(e) = parse_chat(b"{not json") else {
            panic!()
        };
        assert!(e.starts_with("invalid JSON body"), "{e}");
        let Err(e) = parse_chat(br#"{"model": "m"}"#) else {
            panic!()
        };
        assert!(e.contains("messages"), "{e}");
        let Err(e) = parse_ranking(br#"{"query": {"text": "q"}, "passages": "p"}"#) else {
            panic!()
        };
        assert!(e.starts_with("invalid request"), "{e}");
    }
}
