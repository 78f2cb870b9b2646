//! A mock inference server, OpenAI-compatible and more, that records the
//! truth of what it served.
//!
//! `aiperf` measures servers from the client side; this server lets the
//! client be tested and measured against a server whose behaviour is known:
//! it streams deterministic words on a fixed time-to-first-token (TTFT) and
//! inter-token-latency (ITL) schedule, injects errors at a chosen rate, and
//! records for every request what it actually did, measured on the server
//! with [`std::time::Instant`]: when the body was read, when the first and
//! the last token were handed to the connection, when the answer was
//! complete, how many tokens, and whether the answer was an injected error
//! ([`Served`]).
//!
//! It is both a library, for tests in-process ([`MockServer`]), and the
//! binary `aiperf-mock-server`, to try a pipeline without a GPU. It runs on
//! tokio and hyper 1.x (HTTP/1.1, keep-alive), no web framework.
//!
//! # Routes
//!
//! Each route answers in its API's shape, streamed or not, and is recorded
//! under its [`Route`]:
//!
//! | route | answer |
//! |---|---|
//! | `POST /v1/chat/completions` | `choices[].message.content`, or with `"stream": true` server-sent events with `choices[].delta.content` |
//! | `POST /v1/completions` | `choices[].text`, streamed the same way |
//! | `POST /v1/embeddings` | `data[].embedding` (unit length, `--embedding-dim` values) |
//! | `POST /v1/ranking` | NVIDIA NIM rankings: `{"query": {"text"}, "passages": [{"text"}]}` → `{"rankings": [{"index", "logit"}]}`, best first |
//! | `POST /v1/responses` | OpenAI Responses: `{"input": string or [items], "instructions"?, "max_output_tokens"?}` → `{"object": "response", "status", "output": [{"type": "message", "content": [{"type": "output_text", "text"}]}], "usage": {"input_tokens", "output_tokens", ..}}`; `"stream": true`: the named events `response.created`, `response.in_progress`, `response.output_item.added`, `response.content_part.added`, one `response.output_text.delta` per token, `response.output_text.done`, `response.content_part.done`, `response.output_item.done`, `response.completed` (with `response.usage`) |
//! | `POST /v1/messages` | Anthropic Messages: `{"max_tokens" (required: 400 without it, as Anthropic answers), "messages", "system"?}` → `{"type": "message", "content": [{"type": "text", "text"}], "stop_reason", "usage": {"input_tokens", "output_tokens"}}`; `"stream": true`: the named events `message_start` (with `usage.input_tokens`), `content_block_start`, `ping`, one `content_block_delta` (`text_delta`) per token, `content_block_stop`, `message_delta` (with `usage.output_tokens`), `message_stop` |
//! | `POST /generate` | Hugging Face TGI: `{"inputs", "parameters": {"max_new_tokens"?, "details"?}}` → `{"generated_text"}` (and `details` when asked); never streamed |
//! | `POST /generate_stream` | the same request, always streamed: one `{"index", "token": {"id", "text", "logprob", "special"}, "generated_text", "details"}` event per token, the last with the whole `generated_text` (and `details` when asked), no end marker |
//! | `POST /rerank` | Hugging Face TEI: `{"query", "texts", "raw_scores"?, "return_text"?}` → `[{"index", "score"}]`, best first, the score in (0, 1) unless `raw_scores` |
//! | `POST /v2/rerank` | Cohere v2: `{"model", "query", "documents", "top_n"?}` → `{"id", "results": [{"index", "relevance_score"}], "meta"}`, best first, the best `top_n` |
//! | `GET /health` | `{"status": "healthy", "config": {...}}` (with the seed in use) |
//! | `GET /metrics` | Prometheus text: `requests_total`, `tokens_generated_total`, `errors_injected_total` |
//!
//! OpenAI chat and completions carry `usage` (`prompt_tokens`,
//! `completion_tokens`, `total_tokens`). Their stream is one `data: {json}\n\n`
//! event per token (the last one has the `finish_reason`), then, only when
//! the request asks with `"stream_options": {"include_usage": true}`, a
//! chunk with empty `choices` and the `usage`, then `data: [DONE]\n\n`. The
//! Responses and Messages streams write `event: NAME\ndata: {json}\n\n`, as
//! those APIs do, and no `[DONE]`; so does TGI's (without names). One token
//! is one word; prompt tokens are counted as whitespace-separated words of
//! every text input (system prompts and instructions included). The number
//! of output tokens is the request's limit — `max_completion_tokens` or
//! `max_tokens` (chat, completions, Anthropic), `max_output_tokens`
//! (Responses), `parameters.max_new_tokens` (TGI) — and the answer says it
//! stopped there (`finish_reason` `"length"`, `stop_reason` `"max_tokens"`,
//! Responses `status` `"incomplete"`); without a limit it is
//! `--output-tokens` (`"stop"`, `"end_turn"`, `"completed"`, TGI
//! `"eos_token"`). Anthropic always sets one, so a Messages answer has
//! exactly `max_tokens` tokens (aiperf's `messages` endpoint sends 1024 when
//! the prompt sets none).
//!
//! Errors are in the route's API's shape: OpenAI's `{"error": {"message",
//! "type", "param", "code"}}` for the OpenAI and NIM routes and unknown
//! paths, Anthropic's `{"type": "error", "error": {"type", "message"}}`,
//! TGI's and TEI's `{"error", "error_type"}`, Cohere's `{"message"}`. 404
//! for an unknown path, 405 for a wrong method, 400 for a malformed or
//! invalid body, 413 for a body over the cap (16 MiB by default; it is
//! never read past the cap), 500 for an injected error.
//!
//! # Timing
//!
//! Token `i` of a stream is due at `received + ttft + i * itl`, where
//! `received` is the instant the request body was read; the server waits
//! with `tokio::time` (no thread blocks) and never writes a token early.
//! The schedule is fixed, so one late wake-up does not delay the tokens
//! after it. Events that carry no token (a Responses or Messages stream's
//! opening events, its closing ones) are written at once: the opening ones
//! when the stream starts, the closing ones right after the last token.
//! tokio's timer counts whole milliseconds: on an idle machine a token goes
//! out about 1 ms after it is due (a 50 ms TTFT is served as about 51 ms),
//! which the records show as it was. A non-streamed answer of any
//! generating route is given when its last token would have been:
//! `received + ttft + itl * (tokens - 1)`. Embeddings wait
//! `base + per_input * inputs`, every reranker (`/v1/ranking`, `/rerank`,
//! `/v2/rerank`) `base + per_passage * passages`. `--fast` makes every
//! latency zero.
//!
//! # Running it
//!
//! ```text
//! cargo run -p aiperf-mock-server -- --port 8000 --ttft 20 --itl 5
//! ```
//!
//! It prints `aiperf-mock-server listening on http://127.0.0.1:8000` (with
//! `--port 0`, the port it picked) and serves until killed. Then:
//!
//! ```text
//! curl -N http://127.0.0.1:8000/v1/chat/completions \
//!   -H 'Content-Type: application/json' \
//!   -d '{"model": "m", "messages": [{"role": "user", "content": "Hello"}],
//!        "max_tokens": 5, "stream": true, "stream_options": {"include_usage": true}}'
//! ```
//!
//! Flags (`--help` lists them): `--host`, `--port`/`-p`, `--ttft`/`-t` and
//! `--itl` (milliseconds; default 20 and 5), `--fast`/`-f`,
//! `--output-tokens`, `--error-rate` (a percentage, 0 to 100, as AIPerf's), `--random-seed`
//! (alias `--seed`), `--embedding-dim`, the embedding and ranking latencies,
//! `--workers`/`-w`, `--max-body-bytes`, and `--record FILE`, which writes
//! each [`Served`] record as a JSON line ([`Served::to_json_line`]), flushed
//! per line. The binary keeps no records in memory.
//!
//! # In a test
//!
//! ```
//! use std::io::{Read, Write};
//! use std::time::Duration;
//! use aiperf_mock_server::{MockConfig, MockServer, Route};
//!
//! let server = MockServer::start(MockConfig {
//!     ttft: Duration::from_millis(5),
//!     itl: Duration::from_millis(1),
//!     ..MockConfig::default()
//! })
//! .unwrap();
//!
//! let body = r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":3}"#;
//! let mut conn = std::net::TcpStream::connect(server.addr()).unwrap();
//! write!(
//!     conn,
//!     "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
//!      Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
//!     body.len()
//! )
//! .unwrap();
//! let mut answer = String::new();
//! conn.read_to_string(&mut answer).unwrap();
//! assert!(answer.starts_with("HTTP/1.1 200"));
//!
//! let served = server.served();
//! assert_eq!(served.len(), 1);
//! assert_eq!(served[0].route, Route::ChatCompletions);
//! assert_eq!(served[0].output_tokens, 3);
//! assert!(served[0].duration().unwrap() >= Duration::from_millis(7));
//! ```

#![warn(missing_docs)]

mod cli;
mod config;
mod formats;
mod handler;
mod metrics;
mod record;
mod server;
mod stream;
mod text;

pub use cli::Args;
pub use config::{
    DEFAULT_MAX_BODY_BYTES, MAX_EMBEDDING_DIM, MAX_EMBEDDING_INPUTS, MAX_LATENCY,
    MAX_OUTPUT_TOKENS, MAX_RANKING_PASSAGES, MockConfig,
};
pub use metrics::Counters;
pub use record::{Route, Served};
pub use server::MockServer;
pub use text::WORDS;
