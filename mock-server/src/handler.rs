//! Routing, and each route's request parsing and answers (the generating
//! formats' bodies and events are in `formats.rs`).

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
use crate::formats::{Answer, Format};
use crate::record::{Route, Served};
use crate::server::State;
use crate::stream::{ResponseBody, TokenStream};
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
                    Route::Other,
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
        "/v1/responses" => Route::Responses,
        "/v1/messages" => Route::Messages,
        "/generate" => Route::Generate,
        "/generate_stream" => Route::GenerateStream,
        "/rerank" => Route::Rerank,
        "/v2/rerank" => Route::CohereRerank,
        _ => Route::Other,
    };

    let mut record = state.new_record(route, path.clone());
    if route == Route::Other {
        // Its `received` is when its head was read: no body is wanted.
        return finish(
            &state,
            record,
            error_response(
                route,
                StatusCode::NOT_FOUND,
                &format!("no route for {} {path}", req.method()),
                "invalid_request_error",
                "not_found",
            ),
        );
    }
    if req.method() != Method::POST {
        let mut response = error_response(
            route,
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
                route,
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
                route,
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
        Route::Responses => parse_responses(&body),
        Route::Messages => parse_messages(&body),
        Route::Generate => parse_tgi(&body, false),
        Route::GenerateStream => parse_tgi(&body, true),
        Route::Rerank => parse_tei_rerank(&body),
        Route::CohereRerank => parse_cohere_rerank(&body),
        Route::Other => unreachable!("answered 404 above"),
    };
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(msg) => {
            let response = error_response(
                route,
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
            route,
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected error (--error-rate)",
            "server_error",
            "injected_error",
        );
        return finish(&state, record, response);
    }

    match parsed {
        Parsed::Generate(g) => generate(state, record, g).await,
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

/// An answer to generate, in any of the generating formats.
struct Generate {
    format: Format,
    model: String,
    stream: bool,
    /// OpenAI chat and completions: `stream_options.include_usage`.
    include_usage: bool,
    /// TGI: `parameters.details`.
    details: bool,
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
    style: RankingStyle,
}

/// Which reranking API answers, and what its request asked for.
enum RankingStyle {
    /// NVIDIA NIM: `{"rankings": [{"index", "logit"}]}`.
    Nim,
    /// Hugging Face TEI: `[{"index", "score"}]`, the score a sigmoid of the
    /// logit unless `raw_scores`, with the text when `return_text`.
    Tei { raw_scores: bool, return_text: bool },
    /// Cohere v2: `{"results": [{"index", "relevance_score"}]}`, the best
    /// `top_n` when set.
    Cohere { top_n: Option<usize> },
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

#[derive(Deserialize)]
struct ResponsesRequest {
    model: Option<String>,
    input: Value,
    instructions: Option<Value>,
    stream: Option<bool>,
    max_output_tokens: Option<u64>,
}

#[derive(Deserialize)]
struct MessagesRequest {
    model: Option<String>,
    max_tokens: Option<u64>,
    messages: Vec<ChatMessage>,
    system: Option<Value>,
    stream: Option<bool>,
}

#[derive(Deserialize)]
struct TgiRequest {
    inputs: Value,
    parameters: Option<TgiParameters>,
}

#[derive(Deserialize)]
struct TgiParameters {
    max_new_tokens: Option<u64>,
    details: Option<bool>,
}

#[derive(Deserialize)]
struct TeiRerankRequest {
    query: Value,
    texts: Value,
    raw_scores: Option<bool>,
    return_text: Option<bool>,
}

#[derive(Deserialize)]
struct CohereRerankRequest {
    model: Option<String>,
    query: Value,
    documents: Value,
    top_n: Option<u64>,
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
        push_content(&mut prompt, message.content.as_ref(), "a message's content")?;
    }
    Ok(Parsed::Generate(Generate {
        format: Format::Chat,
        model: req.model.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        stream: req.stream.unwrap_or(false),
        include_usage: include_usage(req.stream_options.as_ref()),
        details: false,
        requested: requested_tokens(req.max_completion_tokens.or(req.max_tokens), "max_tokens")?,
        prompt_tokens: text::count_tokens(&prompt),
        prompt_hash: text::fnv1a(prompt.as_bytes()),
    }))
}

fn parse_completion(body: &[u8]) -> Result<Parsed, String> {
    let req: CompletionRequest = parse(body)?;
    let prompts = texts(&req.prompt, "prompt")?;
    let prompt = prompts.join("\n");
    Ok(Parsed::Generate(Generate {
        format: Format::Completion,
        model: req.model.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        stream: req.stream.unwrap_or(false),
        include_usage: include_usage(req.stream_options.as_ref()),
        details: false,
        requested: requested_tokens(req.max_tokens, "max_tokens")?,
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
        style: RankingStyle::Nim,
    }))
}

fn parse_responses(body: &[u8]) -> Result<Parsed, String> {
    let req: ResponsesRequest = parse(body)?;
    let mut prompt = String::new();
    push_content(&mut prompt, req.instructions.as_ref(), "instructions")?;
    match &req.input {
        Value::String(s) => push_line(&mut prompt, s),
        Value::Array(items) => {
            for item in items {
                let item = item.as_object().ok_or(
                    "invalid request: each input item must be an object, e.g. \
                     {\"role\": \"user\", \"content\": \"...\"}",
                )?;
                push_content(&mut prompt, item.get("content"), "an input item's content")?;
            }
        }
        _ => {
            return Err(
                "invalid request: input must be a string or an array of input items".to_owned(),
            );
        }
    }
    Ok(Parsed::Generate(Generate {
        format: Format::Responses,
        model: req.model.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        stream: req.stream.unwrap_or(false),
        include_usage: false,
        details: false,
        requested: requested_tokens(req.max_output_tokens, "max_output_tokens")?,
        prompt_tokens: text::count_tokens(&prompt),
        prompt_hash: text::fnv1a(prompt.as_bytes()),
    }))
}

fn parse_messages(body: &[u8]) -> Result<Parsed, String> {
    let req: MessagesRequest = parse(body)?;
    // Anthropic refuses a request without max_tokens; so does this server,
    // so that a client that forgets it finds out here.
    let Some(max_tokens) = req.max_tokens else {
        return Err("invalid request: max_tokens: Field required".to_owned());
    };
    let mut prompt = String::new();
    push_content(&mut prompt, req.system.as_ref(), "system")?;
    for message in &req.messages {
        push_content(&mut prompt, message.content.as_ref(), "a message's content")?;
    }
    Ok(Parsed::Generate(Generate {
        format: Format::Messages,
        model: req.model.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        stream: req.stream.unwrap_or(false),
        include_usage: false,
        details: false,
        requested: requested_tokens(Some(max_tokens), "max_tokens")?,
        prompt_tokens: text::count_tokens(&prompt),
        prompt_hash: text::fnv1a(prompt.as_bytes()),
    }))
}

/// A TGI request; `stream` is the route's (`/generate_stream` streams,
/// `/generate` does not, whatever the body says).
fn parse_tgi(body: &[u8], stream: bool) -> Result<Parsed, String> {
    let req: TgiRequest = parse(body)?;
    let inputs = string(&req.inputs, "inputs")?;
    let (max_new_tokens, details) = req
        .parameters
        .map_or((None, None), |p| (p.max_new_tokens, p.details));
    Ok(Parsed::Generate(Generate {
        format: Format::Tgi,
        model: DEFAULT_MODEL.to_owned(),
        stream,
        include_usage: false,
        details: details.unwrap_or(false),
        requested: requested_tokens(max_new_tokens, "max_new_tokens")?,
        prompt_tokens: text::count_tokens(inputs),
        prompt_hash: text::fnv1a(inputs.as_bytes()),
    }))
}

/// The string `value` of the field `field`.
fn string<'v>(value: &'v Value, field: &str) -> Result<&'v str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("invalid request: {field} must be a string"))
}

/// The passages of a rerank request (strings; with `text_objects`, also
/// `{"text": string}` objects), checked against the limit.
fn passages(value: &Value, field: &str, text_objects: bool) -> Result<Vec<String>, String> {
    let bad = || {
        let or_objects = if text_objects {
            " or {\"text\": string} objects"
        } else {
            ""
        };
        format!("invalid request: {field} must be an array of strings{or_objects}")
    };
    let passages = value
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|p| match p {
            Value::String(s) => Some(s.clone()),
            Value::Object(_) if text_objects => {
                p.get("text").and_then(Value::as_str).map(str::to_owned)
            }
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(bad)?;
    if passages.is_empty() {
        return Err(format!("invalid request: {field} must not be empty"));
    }
    if passages.len() > MAX_RANKING_PASSAGES {
        return Err(format!(
            "invalid request: {} {field}, more than {MAX_RANKING_PASSAGES}",
            passages.len()
        ));
    }
    Ok(passages)
}

fn parse_tei_rerank(body: &[u8]) -> Result<Parsed, String> {
    let req: TeiRerankRequest = parse(body)?;
    Ok(Parsed::Ranking(Ranking {
        model: DEFAULT_MODEL.to_owned(),
        query: string(&req.query, "query")?.to_owned(),
        passages: passages(&req.texts, "texts", false)?,
        style: RankingStyle::Tei {
            raw_scores: req.raw_scores.unwrap_or(false),
            return_text: req.return_text.unwrap_or(false),
        },
    }))
}

fn parse_cohere_rerank(body: &[u8]) -> Result<Parsed, String> {
    let req: CohereRerankRequest = parse(body)?;
    let top_n = match req.top_n {
        Some(0) => return Err("invalid request: top_n must be at least 1".to_owned()),
        Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
        None => None,
    };
    Ok(Parsed::Ranking(Ranking {
        model: req.model.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        query: string(&req.query, "query")?.to_owned(),
        // Strings (API v2), or {"text": string} objects (v1).
        passages: passages(&req.documents, "documents", true)?,
        style: RankingStyle::Cohere { top_n },
    }))
}

/// The request's token limit (the field `field`), if it set one, checked
/// in `1..=MAX_OUTPUT_TOKENS`.
fn requested_tokens(value: Option<u64>, field: &str) -> Result<Option<u64>, String> {
    match value {
        Some(0) => Err(format!("invalid request: {field} must be at least 1")),
        Some(n) if n > MAX_OUTPUT_TOKENS => Err(format!(
            "invalid request: {field} {n} is more than this server's limit of \
             {MAX_OUTPUT_TOKENS}"
        )),
        other => Ok(other),
    }
}

fn include_usage(options: Option<&StreamOptions>) -> bool {
    options.and_then(|o| o.include_usage).unwrap_or(false)
}

/// Adds the text of a content field to `out`: a string, or an array of
/// parts whose `text` ones count (images and the like do not); absent or
/// `null` adds nothing. `what` names the field in the error.
fn push_content(out: &mut String, content: Option<&Value>, what: &str) -> Result<(), String> {
    match content {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => push_line(out, s),
        Some(Value::Array(parts)) => {
            for part in parts {
                if let Some(s) = part.get("text").and_then(Value::as_str) {
                    push_line(out, s);
                }
            }
        }
        Some(_) => {
            return Err(format!(
                "invalid request: {what} must be a string or an array of parts"
            ));
        }
    }
    Ok(())
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

async fn generate(state: Arc<State>, mut record: Served, g: Generate) -> Response<ResponseBody> {
    // Checked in 1..=MAX_OUTPUT_TOKENS by the parser, so it fits.
    let total = g.requested.map_or(state.config.output_tokens, |n| n as u32);
    let id = match g.format {
        Format::Chat => format!("chatcmpl-mock-{}", record.id),
        Format::Completion => format!("cmpl-mock-{}", record.id),
        Format::Responses => format!("resp_mock_{}", record.id),
        Format::Messages => format!("msg_mock_{}", record.id),
        Format::Tgi => String::new(),
    };
    let answer = Answer {
        format: g.format,
        id,
        created: unix_now(),
        model: g.model,
        words: Words::new(state.seed, g.prompt_hash),
        total,
        limited: g.requested.is_some(),
        include_usage: g.include_usage,
        details: g.details,
        prompt_tokens: record.prompt_tokens,
    };

    if g.stream {
        record.stream = true;
        record.status = 200;
        let stream = TokenStream::new(Arc::clone(&state), record, answer);
        let mut response = Response::new(ResponseBody::Stream(Box::new(stream)));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert("cache-control", HeaderValue::from_static("no-cache"));
        return response;
    }

    // Not streamed: answer when the last token would have been written.
    let due = record.received + state.config.ttft + state.config.itl * (total - 1);
    sleep_until(due).await;
    let response = json_response(StatusCode::OK, &answer.complete());
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
    let mut scored: Vec<(usize, f64)> = r
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| (i, text::logit(state.seed, &r.query, p)))
        .collect();
    // Best first, as rerankers answer; equal logits keep passage order.
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let body = match r.style {
        RankingStyle::Nim => {
            let rankings: Vec<Value> = scored
                .into_iter()
                .map(|(index, logit)| json!({"index": index, "logit": logit}))
                .collect();
            json!({"rankings": rankings, "model": r.model})
        }
        RankingStyle::Tei {
            raw_scores,
            return_text,
        } => scored
            .into_iter()
            .map(|(index, logit)| {
                let score = if raw_scores {
                    logit
                } else {
                    text::sigmoid(logit)
                };
                let mut item = json!({"index": index, "score": score});
                if return_text {
                    item["text"] = r.passages[index].clone().into();
                }
                item
            })
            .collect(),
        RankingStyle::Cohere { top_n } => {
            let results: Vec<Value> = scored
                .into_iter()
                .take(top_n.unwrap_or(usize::MAX))
                .map(|(index, logit)| {
                    json!({"index": index, "relevance_score": text::sigmoid(logit)})
                })
                .collect();
            json!({
                "id": format!("mock-rerank-{}", record.id),
                "results": results,
                "meta": {
                    "api_version": {"version": "2"},
                    "billed_units": {"search_units": 1},
                },
            })
        }
    };
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

/// An error answer in the shape of `route`'s API: OpenAI's `{"error":
/// {"message", "type", "param", "code"}}` (OpenAI and NIM routes, unknown
/// paths), Anthropic's `{"type": "error", "error": {"type", "message"}}`,
/// TGI's and TEI's `{"error", "error_type"}`, Cohere's `{"message"}`.
/// `kind` and `code` are OpenAI's; the other shapes derive theirs from the
/// status.
fn error_response(
    route: Route,
    status: StatusCode,
    message: &str,
    kind: &str,
    code: &str,
) -> Response<ResponseBody> {
    let server = status.is_server_error();
    let body = match route {
        Route::Messages => {
            let kind = match status.as_u16() {
                404 => "not_found_error",
                413 => "request_too_large",
                500.. => "api_error",
                _ => "invalid_request_error",
            };
            json!({"type": "error", "error": {"type": kind, "message": message}})
        }
        Route::Generate | Route::GenerateStream => {
            let kind = if server { "generation" } else { "validation" };
            json!({"error": message, "error_type": kind})
        }
        Route::Rerank => {
            let kind = if server { "backend" } else { "validation" };
            json!({"error": message, "error_type": kind})
        }
        Route::CohereRerank => json!({"message": message}),
        Route::ChatCompletions
        | Route::Completions
        | Route::Embeddings
        | Route::Ranking
        | Route::Responses
        | Route::Other => {
            json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
        }
    };
    json_response(status, &body)
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
