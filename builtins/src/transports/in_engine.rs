//! `in_engine`: an in-process simulated OpenAI-compatible model server.

use std::time::{Duration, Instant};

use registry_core::{BoxError, Implementation};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::rng::SplitMix64;
use aiperf_plugin_api::config::{DurationRange, TimeUnit, parse_config};
use aiperf_plugin_api::{
    EventSink, ExchangeTiming, ResponseBody, SendFuture, Transport, TransportArgs,
    TransportCategory, TransportError, TransportMetadata, TransportRequest, TransportResponse,
};

/// What the simulated server will answer, and when (offsets from the
/// request's arrival): worked out at once, then played out in time.
enum Plan {
    /// A complete body, sent at `after`.
    Complete { after: Duration, body: Vec<u8> },
    /// Server-sent events, each at its offset.
    Stream(Vec<(Duration, String)>),
}

/// Config of [`InEngine`]; every field has a default.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InEngineConfig {
    /// Time to the first token, in milliseconds (also the whole latency of
    /// embeddings and rankings), from 0 to one hour. Default 20.
    pub ttft_ms: f64,
    /// Time between tokens, in milliseconds, from 0 to one hour. Default 2.
    pub itl_ms: f64,
    /// Tokens generated per request, capped by the request's `max_tokens`
    /// / `max_completion_tokens`. Default 32.
    pub output_tokens: u32,
    /// When set, each answer's length is drawn from
    /// `min_output_tokens..=output_tokens` by the seeded generator (same
    /// seed and prompt, same length), so a workload's token counts depend
    /// on the seed. Default: every answer has `output_tokens`.
    pub min_output_tokens: Option<u32>,
    /// Length of embedding vectors. Default 16.
    pub embedding_dimensions: usize,
    /// Seed of the generated content (mixed with a hash of the prompt).
    pub seed: u64,
}

impl Default for InEngineConfig {
    fn default() -> Self {
        InEngineConfig {
            ttft_ms: 20.0,
            itl_ms: 2.0,
            output_tokens: 32,
            min_output_tokens: None,
            embedding_dimensions: 16,
            seed: 0,
        }
    }
}

/// A simulated model server inside the process: no network, deterministic
/// content (same seed and prompt, same answer), real waiting (so measured
/// latencies are the configured ones). Serves `/v1/chat/completions`,
/// `/v1/completions`, `/v1/embeddings` and `/v1/ranking` in the OpenAI / NIM
/// formats, streamed or not, and answers malformed requests with a 400 like
/// a real server.
///
/// Each response's [`ExchangeTiming`], as the simulation plays it out (the
/// times measured, so a late timer shows): no connection, so
/// `connection_reused` and `connecting` are `None`; `waiting` runs from
/// the request's arrival to its first byte (a complete body, which comes
/// whole; a stream's first event); `receiving` from then to the last event
/// delivered (zero for a complete body); `bytes_sent` is the JSON body's
/// length as serialised; `bytes_received` the body's length: a complete
/// body's, or the events delivered as a server would frame them
/// (`data: ...` and a blank line each).
#[derive(Debug, Clone)]
pub struct InEngine {
    config: InEngineConfig,
    ttft: Duration,
    itl: Duration,
}

const VOCABULARY: [&str; 32] = [
    "the",
    "model",
    "answers",
    "quickly",
    "with",
    "tokens",
    "that",
    "flow",
    "through",
    "a",
    "registry",
    "of",
    "plugins",
    "linked",
    "at",
    "build",
    "time",
    "and",
    "measured",
    "under",
    "load",
    "every",
    "request",
    "counts",
    "latency",
    "stays",
    "low",
    "while",
    "throughput",
    "grows",
    "steadily",
    "today",
];

/// FNV-1a: a stable hash (std's `DefaultHasher` may change between releases).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

/// A 400 answer in the OpenAI error format.
fn bad_request(path: &str, message: &str) -> TransportError {
    TransportError::Status {
        url: format!("in_engine{path}"),
        status: 400,
        body: json!({"error": {"message": message, "type": "invalid_request_error"}}).to_string(),
    }
}

/// A simulated delay: milliseconds from 0 to one hour.
const DELAY: DurationRange =
    DurationRange::from_zero(TimeUnit::Milliseconds, 3_600_000.0, "one hour");

/// What one generating request asks for.
struct Generation {
    prompt: String,
    max_tokens: Option<u64>,
    include_usage: bool,
    chat: bool,
}

impl InEngine {
    /// A server from its config, checked.
    pub fn new(config: InEngineConfig) -> Result<Self, BoxError> {
        if config.embedding_dimensions == 0 {
            return Err("invalid config: `embedding_dimensions` must be at least 1".into());
        }
        if let Some(min) = config
            .min_output_tokens
            .filter(|&m| m > config.output_tokens)
        {
            return Err(format!(
                "invalid config: `min_output_tokens` is {min}; it must be from 0 to \
                 `output_tokens` ({})",
                config.output_tokens
            )
            .into());
        }
        Ok(InEngine {
            ttft: DELAY.check("ttft_ms", config.ttft_ms)?,
            itl: DELAY.check("itl_ms", config.itl_ms)?,
            config,
        })
    }

    fn rng(&self, prompt: &str) -> SplitMix64 {
        SplitMix64::new(self.config.seed ^ fnv1a(prompt))
    }

    fn tokens(&self, generation: &Generation) -> Vec<&'static str> {
        let mut rng = self.rng(&generation.prompt);
        let most = u64::from(self.config.output_tokens);
        let length = match self.config.min_output_tokens {
            Some(min) => u64::from(min) + rng.below(most - u64::from(min) + 1),
            None => most,
        };
        let n = generation.max_tokens.map_or(length, |max| max.min(length));
        (0..n)
            .map(|_| VOCABULARY[rng.below(VOCABULARY.len() as u64) as usize])
            .collect()
    }

    fn usage(prompt: &str, completion: usize) -> Value {
        let prompt = words(prompt);
        json!({
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion as u64,
        })
    }

    fn generate(&self, g: &Generation, stream: bool) -> Plan {
        let tokens = self.tokens(g);
        let choice = |text: &str, last: bool| {
            let finish = if last { json!("length") } else { Value::Null };
            if g.chat {
                json!({"index": 0, "delta": {"content": text}, "finish_reason": finish})
            } else {
                json!({"index": 0, "text": text, "finish_reason": finish})
            }
        };
        // Token i is due at ttft + i * itl: offsets from the request, so
        // delays never accumulate.
        let due = |i: usize| {
            let gaps = u32::try_from(i).unwrap_or(u32::MAX);
            self.ttft.saturating_add(self.itl.saturating_mul(gaps))
        };
        if !stream {
            let text = tokens.join(" ");
            let choice = if g.chat {
                json!({"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "length"})
            } else {
                json!({"index": 0, "text": text, "finish_reason": "length"})
            };
            let object = if g.chat {
                "chat.completion"
            } else {
                "text_completion"
            };
            let body = json!({
                "id": "in-engine",
                "object": object,
                "model": "in_engine",
                "choices": [choice],
                "usage": Self::usage(&g.prompt, tokens.len()),
            });
            return Plan::Complete {
                after: due(tokens.len().saturating_sub(1)),
                body: body.to_string().into_bytes(),
            };
        }
        let mut events = Vec::with_capacity(tokens.len() + 3);
        if g.chat {
            let role = json!({"choices": [{"index": 0, "delta": {"role": "assistant"}}]});
            events.push((Duration::ZERO, role.to_string()));
        }
        for (i, token) in tokens.iter().enumerate() {
            let text = if i + 1 < tokens.len() {
                format!("{token} ")
            } else {
                (*token).to_owned()
            };
            let chunk = json!({"choices": [choice(&text, i + 1 == tokens.len())]});
            events.push((due(i), chunk.to_string()));
        }
        let end = due(tokens.len().saturating_sub(1));
        if g.include_usage {
            let usage = json!({"choices": [], "usage": Self::usage(&g.prompt, tokens.len())});
            events.push((end, usage.to_string()));
        }
        events.push((end, "[DONE]".to_owned()));
        Plan::Stream(events)
    }

    fn chat(&self, path: &str, body: &Value) -> Result<Generation, TransportError> {
        let messages = body["messages"]
            .as_array()
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                bad_request(
                    path,
                    "`messages` is required: a non-empty array of {role, content}",
                )
            })?;
        let mut prompt = String::new();
        for (i, message) in messages.iter().enumerate() {
            let content = message["content"].as_str().ok_or_else(|| {
                bad_request(path, &format!("`messages[{i}].content` must be a string"))
            })?;
            prompt.push_str(content);
            prompt.push('\n');
        }
        Ok(Generation {
            prompt,
            max_tokens: body["max_completion_tokens"]
                .as_u64()
                .or_else(|| body["max_tokens"].as_u64()),
            include_usage: body["stream_options"]["include_usage"].as_bool() == Some(true),
            chat: true,
        })
    }

    fn completion(&self, path: &str, body: &Value) -> Result<Generation, TransportError> {
        let prompt = body["prompt"]
            .as_str()
            .ok_or_else(|| bad_request(path, "`prompt` is required: a string"))?;
        Ok(Generation {
            prompt: prompt.to_owned(),
            max_tokens: body["max_tokens"].as_u64(),
            include_usage: body["stream_options"]["include_usage"].as_bool() == Some(true),
            chat: false,
        })
    }

    fn embeddings(&self, path: &str, body: &Value) -> Result<Vec<u8>, TransportError> {
        let inputs: Vec<&str> = match &body["input"] {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if inputs.is_empty() {
            return Err(bad_request(
                path,
                "`input` is required: a string or an array of strings",
            ));
        }
        let data: Vec<Value> = inputs
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let mut rng = self.rng(text);
                let vector: Vec<f64> = (0..self.config.embedding_dimensions)
                    .map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0)
                    .collect();
                json!({"object": "embedding", "index": index, "embedding": vector})
            })
            .collect();
        let prompt_tokens: u64 = inputs.iter().map(|t| words(t)).sum();
        let body = json!({
            "object": "list",
            "data": data,
            "model": "in_engine",
            "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        });
        Ok(body.to_string().into_bytes())
    }

    fn rankings(&self, path: &str, body: &Value) -> Result<Vec<u8>, TransportError> {
        let query = body["query"]["text"]
            .as_str()
            .ok_or_else(|| bad_request(path, "`query.text` is required: a string"))?;
        let passages = body["passages"]
            .as_array()
            .ok_or_else(|| bad_request(path, "`passages` is required: an array of {text}"))?;
        let mut rankings: Vec<(usize, f64)> = passages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let text = p["text"].as_str().unwrap_or("");
                let mut rng = self.rng(&format!("{query}\u{0}{text}"));
                (
                    i,
                    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 20.0 - 10.0,
                )
            })
            .collect();
        rankings.sort_by(|a, b| b.1.total_cmp(&a.1));
        let rankings: Vec<Value> = rankings
            .into_iter()
            .map(|(index, logit)| json!({"index": index, "logit": logit}))
            .collect();
        Ok(json!({ "rankings": rankings }).to_string().into_bytes())
    }
}

impl InEngine {
    /// What to answer `request` with, and when; an invalid request is a
    /// 400, as a real server answers.
    fn plan(&self, request: &TransportRequest<'_>) -> Result<Plan, TransportError> {
        let path = request.path;
        let complete = |body| Plan::Complete {
            after: self.ttft,
            body,
        };
        match path {
            "/v1/chat/completions" => {
                Ok(self.generate(&self.chat(path, request.body)?, request.stream))
            }
            "/v1/completions" => {
                Ok(self.generate(&self.completion(path, request.body)?, request.stream))
            }
            "/v1/embeddings" => Ok(complete(self.embeddings(path, request.body)?)),
            "/v1/ranking" => Ok(complete(self.rankings(path, request.body)?)),
            other => Err(TransportError::UnsupportedPath {
                transport: "in_engine",
                path: other.to_owned(),
            }),
        }
    }
}

impl Transport for InEngine {
    fn send<'a>(
        &'a self,
        request: TransportRequest<'a>,
        events: &'a mut dyn EventSink,
    ) -> SendFuture<'a> {
        let arrived = tokio::time::Instant::now();
        let plan = self.plan(&request);
        let bytes_sent = serialized_len(request.body);
        // From the arrival to the first byte, from there to the last.
        let timing =
            move |first: tokio::time::Instant, last: tokio::time::Instant, bytes_received| {
                ExchangeTiming {
                    connection_reused: None,
                    connecting: None,
                    waiting: Some(first.duration_since(arrived)),
                    receiving: Some(last.saturating_duration_since(first)),
                    bytes_sent: Some(bytes_sent),
                    bytes_received: Some(bytes_received),
                }
            };
        Box::pin(async move {
            match plan? {
                Plan::Complete { after, body } => {
                    tokio::time::sleep_until(arrived + after).await;
                    // The body comes whole: its first byte is its last.
                    let at = tokio::time::Instant::now();
                    let timing = timing(at, at, body.len() as u64);
                    Ok(TransportResponse {
                        status: 200,
                        body: ResponseBody::Complete(body),
                        timing,
                    })
                }
                Plan::Stream(plan) => {
                    let mut sent = 0;
                    let mut first = None;
                    let mut bytes_received = 0;
                    for (offset, data) in &plan {
                        tokio::time::sleep_until(arrived + *offset).await;
                        first.get_or_insert_with(tokio::time::Instant::now);
                        sent += 1;
                        // `data: {data}\n\n`, as a server frames it.
                        bytes_received += data.len() as u64 + 8;
                        if !events.event(Instant::now(), data) {
                            break;
                        }
                    }
                    // A plan always has an event ([DONE] at least).
                    let first = first.unwrap_or_else(tokio::time::Instant::now);
                    Ok(TransportResponse {
                        status: 200,
                        body: ResponseBody::Streamed { events: sent },
                        timing: timing(first, tokio::time::Instant::now(), bytes_received),
                    })
                }
            }
        })
    }
}

/// The length of `body` serialised as JSON (as the http transport sends
/// it), counted without building the text.
fn serialized_len(body: &Value) -> u64 {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a `Value` to a writer that never fails cannot fail.
    let _ = serde_json::to_writer(&mut count, body);
    count.0
}

impl Implementation<TransportCategory> for InEngine {
    const METADATA: TransportMetadata = TransportMetadata { url_schemes: &[] };
    const DESCRIPTION: &'static str = "A simulated OpenAI-compatible server in the process: \
         deterministic content, configurable latency (`ttft_ms`, `itl_ms`) and length (`output_tokens`).";

    fn create(args: TransportArgs) -> Result<Self, BoxError> {
        InEngine::new(parse_config(&args.config)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(config: Value) -> InEngine {
        InEngine::create(TransportArgs { url: None, config }).unwrap()
    }

    fn instant() -> InEngine {
        server(json!({"ttft_ms": 0, "itl_ms": 0, "output_tokens": 5}))
    }

    /// Collects the events of a stream with their arrival instants; stops
    /// reading after `stop_after` events if set.
    struct Collect {
        events: Vec<(Instant, String)>,
        stop_after: Option<usize>,
    }

    impl EventSink for Collect {
        fn event(&mut self, at: Instant, data: &str) -> bool {
            self.events.push((at, data.to_owned()));
            self.stop_after != Some(self.events.len())
        }
    }

    /// Sends one request on a runtime of its own; returns the result and
    /// the events the sink received.
    fn send_collecting(
        s: &InEngine,
        path: &str,
        body: Value,
        stream: bool,
        stop_after: Option<usize>,
    ) -> (
        Result<TransportResponse, TransportError>,
        Vec<(Instant, String)>,
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut sink = Collect {
            events: Vec::new(),
            stop_after,
        };
        let request = TransportRequest {
            path,
            body: &body,
            stream,
        };
        let result = runtime.block_on(s.send(request, &mut sink));
        (result, sink.events)
    }

    fn send(
        s: &InEngine,
        path: &str,
        body: Value,
        stream: bool,
    ) -> Result<TransportResponse, TransportError> {
        let (result, events) = send_collecting(s, path, body, stream, None);
        if !stream {
            assert!(events.is_empty(), "no events without a stream: {events:?}");
        }
        result
    }

    /// A streamed request's events (data and arrival), checking the body
    /// counts them.
    fn stream(s: &InEngine, body: Value) -> Vec<(Instant, String)> {
        let (result, events) = send_collecting(s, "/v1/chat/completions", body, true, None);
        assert_eq!(
            result.unwrap().body,
            ResponseBody::Streamed {
                events: events.len() as u64
            }
        );
        events
    }

    fn complete_json(response: TransportResponse) -> Value {
        match response.body {
            ResponseBody::Complete(bytes) => serde_json::from_slice(&bytes).unwrap(),
            ResponseBody::Streamed { .. } => panic!("expected a complete body"),
        }
    }

    fn chat(prompt: &str) -> Value {
        json!({"model": "m", "messages": [{"role": "user", "content": prompt}]})
    }

    #[test]
    fn chat_is_deterministic_per_seed_and_prompt() {
        let a = complete_json(
            send(&instant(), "/v1/chat/completions", chat("hi there"), false).unwrap(),
        );
        let b = complete_json(
            send(&instant(), "/v1/chat/completions", chat("hi there"), false).unwrap(),
        );
        assert_eq!(a, b);
        let text = a["choices"][0]["message"]["content"].as_str().unwrap();
        assert_eq!(text.split(' ').count(), 5);
        assert_eq!(
            a["usage"],
            json!({"prompt_tokens": 2, "completion_tokens": 5, "total_tokens": 7})
        );
        let other_seed = server(json!({"ttft_ms": 0, "itl_ms": 0, "output_tokens": 5, "seed": 9}));
        let c = complete_json(
            send(&other_seed, "/v1/chat/completions", chat("hi there"), false).unwrap(),
        );
        assert_ne!(a["choices"], c["choices"]);
    }

    #[test]
    fn a_seeded_length_range_varies_per_prompt_and_follows_the_seed() {
        let lengths = |seed: u64| -> Vec<u64> {
            let s = server(json!({
                "ttft_ms": 0, "itl_ms": 0, "output_tokens": 20, "min_output_tokens": 2, "seed": seed
            }));
            (0..12)
                .map(|i| {
                    let a = complete_json(
                        send(
                            &s,
                            "/v1/chat/completions",
                            chat(&format!("prompt {i}")),
                            false,
                        )
                        .unwrap(),
                    );
                    a["usage"]["completion_tokens"].as_u64().unwrap()
                })
                .collect()
        };
        let a = lengths(5);
        assert_eq!(a, lengths(5), "same seed and prompts, same lengths");
        assert_ne!(a, lengths(6), "another seed, other lengths");
        assert!(a.iter().all(|n| (2..=20).contains(n)), "{a:?}");
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert!(distinct.len() >= 4, "lengths vary across prompts: {a:?}");

        let e = InEngine::create(TransportArgs {
            url: None,
            config: json!({"output_tokens": 8, "min_output_tokens": 9}),
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid config: `min_output_tokens` is 9; it must be from 0 to `output_tokens` (8)"
        );
    }

    #[test]
    fn max_tokens_caps_the_output() {
        let mut body = chat("x");
        body["max_completion_tokens"] = json!(2);
        let a = complete_json(send(&instant(), "/v1/chat/completions", body, false).unwrap());
        assert_eq!(a["usage"]["completion_tokens"], 2);
        let body = json!({"model": "m", "prompt": "x", "max_tokens": 3});
        let a = complete_json(send(&instant(), "/v1/completions", body, false).unwrap());
        assert_eq!(
            a["choices"][0]["text"].as_str().unwrap().split(' ').count(),
            3
        );
    }

    #[test]
    fn streams_role_content_usage_and_done() {
        let mut body = chat("stream me");
        body["stream"] = json!(true);
        body["stream_options"] = json!({"include_usage": true});
        let events = stream(&instant(), body);
        let data: Vec<Value> = events[..events.len() - 1]
            .iter()
            .map(|(_, data)| serde_json::from_str(data).unwrap())
            .collect();
        assert_eq!(events.len(), 1 + 5 + 1 + 1);
        assert_eq!(data[0]["choices"][0]["delta"]["role"], "assistant");
        assert!(
            data[1]["choices"][0]["delta"]["content"]
                .as_str()
                .unwrap()
                .ends_with(' ')
        );
        assert_eq!(data[5]["choices"][0]["finish_reason"], "length");
        assert_eq!(data[6]["usage"]["completion_tokens"], 5);
        assert_eq!(events.last().unwrap().1, "[DONE]");
        assert!(events.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn a_sink_that_stops_reading_ends_the_stream_at_once() {
        // 5 tokens 10 s apart: only stopping early keeps this test short.
        let slow = server(json!({"ttft_ms": 0, "itl_ms": 10_000, "output_tokens": 5}));
        let mut body = chat("x");
        body["stream"] = json!(true);
        let started = Instant::now();
        let (result, events) = send_collecting(&slow, "/v1/chat/completions", body, true, Some(2));
        assert_eq!(result.unwrap().body, ResponseBody::Streamed { events: 2 });
        assert_eq!(events.len(), 2, "role, first token; nothing after the stop");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn latency_is_real() {
        let slow = server(json!({"ttft_ms": 30, "itl_ms": 5, "output_tokens": 3}));
        let started = Instant::now();
        send(&slow, "/v1/chat/completions", chat("x"), false).unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(40),
            "ttft + 2 * itl"
        );
        let started = Instant::now();
        let events = stream(&slow, chat("x"));
        assert!(
            events[1].0.duration_since(started) >= Duration::from_millis(30),
            "first token after ttft"
        );
    }

    /// Sends one request, timing it from outside; returns the response,
    /// the events and how long the send took.
    fn timed(
        s: &InEngine,
        path: &str,
        body: &Value,
        stream: bool,
        stop_after: Option<usize>,
    ) -> (TransportResponse, Vec<(Instant, String)>, Duration) {
        let started = Instant::now();
        let (result, events) = send_collecting(s, path, body.clone(), stream, stop_after);
        let elapsed = started.elapsed();
        (result.unwrap(), events, elapsed)
    }

    /// What every in_engine timing shares: no connection, the JSON body's
    /// length sent, and phases that are disjoint parts of the send.
    #[track_caller]
    fn check_common(
        timing: &ExchangeTiming,
        body: &Value,
        elapsed: Duration,
    ) -> (Duration, Duration) {
        assert_eq!(
            (timing.connection_reused, timing.connecting),
            (None, None),
            "no connection: {timing:?}"
        );
        assert_eq!(
            timing.bytes_sent,
            Some(serde_json::to_vec(body).unwrap().len() as u64)
        );
        let (waiting, receiving) = (timing.waiting.unwrap(), timing.receiving.unwrap());
        assert!(waiting + receiving <= elapsed, "{timing:?} vs {elapsed:?}");
        (waiting, receiving)
    }

    /// From the first event's arrival to the last's.
    fn span(events: &[(Instant, String)]) -> Duration {
        events[events.len() - 1].0.duration_since(events[0].0)
    }

    /// The SSE body of `events`, as a server frames it.
    fn sse_len(events: &[(Instant, String)]) -> u64 {
        events
            .iter()
            .map(|(_, data)| format!("data: {data}\n\n").len() as u64)
            .sum()
    }

    #[test]
    fn a_complete_answer_waits_its_whole_latency_and_receives_nothing_after() {
        // ttft + 2 * itl = 40 ms, the body at once.
        let slow = server(json!({"ttft_ms": 30, "itl_ms": 5, "output_tokens": 3}));
        let mut body = chat("time me, «please»");
        body["max_tokens"] = json!(3);
        let (response, _, elapsed) = timed(&slow, "/v1/chat/completions", &body, false, None);
        let timing = response.timing;
        let (waiting, receiving) = check_common(&timing, &body, elapsed);
        assert!(waiting >= Duration::from_millis(40), "{timing:?}");
        assert_eq!(receiving, Duration::ZERO);
        let ResponseBody::Complete(bytes) = &response.body else {
            panic!("expected a complete body");
        };
        assert_eq!(timing.bytes_received, Some(bytes.len() as u64));
    }

    #[test]
    fn a_stream_waits_for_its_first_event_and_receives_the_rest() {
        // Completions have no role event: the first byte is the first
        // token, at ttft; the last token comes 2 * itl after it.
        let slow = server(json!({"ttft_ms": 40, "itl_ms": 30, "output_tokens": 3}));
        let body = json!({"model": "m", "prompt": "x", "stream": true});
        let (response, events, elapsed) = timed(&slow, "/v1/completions", &body, true, None);
        assert_eq!(response.body, ResponseBody::Streamed { events: 4 });
        let timing = response.timing;
        let (waiting, receiving) = check_common(&timing, &body, elapsed);
        // Timers never fire early: the bounds on `waiting` and the sum are
        // exact. A late first timer moves time from `receiving` to
        // `waiting`, so `receiving` is checked against what the sink saw.
        assert!(waiting >= Duration::from_millis(40), "{timing:?}");
        assert!(
            waiting + receiving >= Duration::from_millis(100),
            "{timing:?}"
        );
        assert!(receiving >= span(&events), "{timing:?}");
        assert_eq!(timing.bytes_received, Some(sse_len(&events)));

        // A sink that stops: received up to the event it stopped at, and
        // only the bytes of the events delivered.
        let (response, events, elapsed) = timed(&slow, "/v1/completions", &body, true, Some(2));
        assert_eq!(response.body, ResponseBody::Streamed { events: 2 });
        let timing = response.timing;
        let (waiting, receiving) = check_common(&timing, &body, elapsed);
        assert!(
            waiting + receiving >= Duration::from_millis(70),
            "{timing:?}"
        );
        assert!(receiving >= span(&events), "{timing:?}");
        assert_eq!(timing.bytes_received, Some(sse_len(&events)));
    }

    #[test]
    fn embeddings_and_rankings() {
        let body = json!({"model": "m", "input": ["a b", "c"]});
        let a = complete_json(send(&instant(), "/v1/embeddings", body, false).unwrap());
        assert_eq!(a["data"].as_array().unwrap().len(), 2);
        assert_eq!(a["data"][1]["embedding"].as_array().unwrap().len(), 16);
        assert_eq!(a["usage"]["prompt_tokens"], 3);
        let body = json!({"model": "m", "query": {"text": "q"}, "passages": [{"text": "x"}, {"text": "y"}, {"text": "z"}]});
        let r = complete_json(send(&instant(), "/v1/ranking", body, false).unwrap());
        let logits: Vec<f64> = r["rankings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["logit"].as_f64().unwrap())
            .collect();
        assert_eq!(logits.len(), 3);
        assert!(
            logits.windows(2).all(|w| w[0] >= w[1]),
            "best first: {logits:?}"
        );
    }

    #[test]
    fn bad_requests_get_a_400_and_unknown_paths_an_error() {
        let e = send(
            &instant(),
            "/v1/chat/completions",
            json!({"model": "m"}),
            false,
        )
        .unwrap_err();
        assert!(
            matches!(&e, TransportError::Status { status: 400, body, .. } if body.contains("`messages` is required")),
            "{e}"
        );
        let e = send(&instant(), "/v1/audio", json!({}), false).unwrap_err();
        assert_eq!(e.to_string(), "in_engine does not serve /v1/audio");
        let e = InEngine::create(TransportArgs {
            url: None,
            config: json!({"ttft_ms": -1}),
        })
        .unwrap_err();
        assert!(e.to_string().contains("`ttft_ms` is -1"), "{e}");
        // Too big for a Duration: an error, not a panic.
        for (field, value, shown) in [("ttft_ms", 1e300, "1e300"), ("itl_ms", 1e7, "10000000")] {
            let e = InEngine::create(TransportArgs {
                url: None,
                config: json!({ field: value }),
            })
            .unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "invalid config: `{field}` is {shown}; it must be milliseconds from 0 to \
                     3600000 (one hour)"
                )
            );
        }
        let e = InEngine::create(TransportArgs {
            url: None,
            config: json!({"tfft_ms": 1}),
        })
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `tfft_ms`"), "{e}");
    }

    #[test]
    fn zero_embedding_dimensions_is_refused_naming_the_field() {
        let e = InEngine::create(TransportArgs {
            url: None,
            config: json!({"embedding_dimensions": 0}),
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid config: `embedding_dimensions` must be at least 1"
        );
    }
}
