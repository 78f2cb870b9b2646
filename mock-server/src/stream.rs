//! The response bodies: a whole body, or a token stream that writes one
//! server-sent event per token on a fixed TTFT/ITL schedule and records
//! when each was handed to the connection.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use serde_json::{Value, json};
use tokio::time::Sleep;

use crate::record::{Route, Served};
use crate::server::State;
use crate::text::Words;

/// What a handler answers with.
pub(crate) enum ResponseBody {
    /// A whole body (taken on the first poll).
    Full(Option<Bytes>),
    /// A token stream.
    Stream(Box<TokenStream>),
}

impl ResponseBody {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> ResponseBody {
        ResponseBody::Full(Some(bytes.into()))
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            ResponseBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            ResponseBody::Stream(stream) => stream.poll_next(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Full(bytes) => bytes.is_none(),
            ResponseBody::Stream(stream) => matches!(stream.phase, Phase::Finished),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Full(Some(bytes)) => SizeHint::with_exact(bytes.len() as u64),
            ResponseBody::Full(None) => SizeHint::with_exact(0),
            ResponseBody::Stream(_) => SizeHint::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Tokens,
    Usage,
    Done,
    Finished,
}

/// One streamed answer (chat or text completion).
pub(crate) struct TokenStream {
    state: Arc<State>,
    /// The record being filled in; pushed at `[DONE]`, or on drop.
    record: Option<Served>,
    route: Route,
    id: String,
    created: u64,
    model: String,
    words: Words,
    total: u32,
    next: u32,
    finish_reason: &'static str,
    include_usage: bool,
    /// Token `i` is due at `first_due + i * itl`.
    first_due: Instant,
    itl: Duration,
    sleep: Option<Pin<Box<Sleep>>>,
    phase: Phase,
}

/// What a stream needs to know about its request.
pub(crate) struct StreamSpec {
    pub(crate) route: Route,
    pub(crate) id: String,
    pub(crate) created: u64,
    pub(crate) model: String,
    pub(crate) words: Words,
    pub(crate) total: u32,
    pub(crate) finish_reason: &'static str,
    pub(crate) include_usage: bool,
}

impl TokenStream {
    pub(crate) fn new(state: Arc<State>, record: Served, spec: StreamSpec) -> TokenStream {
        let first_due = record.received + state.config.ttft;
        let itl = state.config.itl;
        TokenStream {
            state,
            record: Some(record),
            route: spec.route,
            id: spec.id,
            created: spec.created,
            model: spec.model,
            words: spec.words,
            total: spec.total,
            next: 0,
            finish_reason: spec.finish_reason,
            include_usage: spec.include_usage,
            first_due,
            itl,
            sleep: None,
            phase: if spec.total == 0 {
                Phase::Usage
            } else {
                Phase::Tokens
            },
        }
    }

    /// Ready once `due` has passed (never earlier: the clock is read again
    /// after each wake-up).
    fn poll_due(&mut self, due: Instant, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= due {
            return Poll::Ready(());
        }
        let deadline = tokio::time::Instant::from_std(due);
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if sleep.deadline() != deadline {
            sleep.as_mut().reset(deadline);
        }
        if sleep.as_mut().poll(cx).is_ready() {
            if Instant::now() >= due {
                return Poll::Ready(());
            }
            // The timer woke before `due` by this clock: look again soon.
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }

    fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let event = match self.phase {
            Phase::Tokens => {
                let due = self.first_due + self.itl * self.next;
                if self.poll_due(due, cx).is_pending() {
                    return Poll::Pending;
                }
                let i = self.next;
                self.next += 1;
                let last = self.next == self.total;
                let chunk = self.token_chunk(i, last);
                let now = Instant::now();
                if let Some(record) = &mut self.record {
                    record.first_token.get_or_insert(now);
                    record.last_token = Some(now);
                    record.output_tokens += 1;
                }
                self.state.metrics.tokens(1);
                if last {
                    self.phase = Phase::Usage;
                }
                sse(&chunk)
            }
            Phase::Usage => {
                self.phase = Phase::Done;
                if !self.include_usage {
                    return self.poll_next(cx);
                }
                sse(&self.usage_chunk())
            }
            Phase::Done => {
                self.phase = Phase::Finished;
                if let Some(mut record) = self.record.take() {
                    record.completed = Some(Instant::now());
                    self.state.sink.push(record);
                }
                Bytes::from_static(b"data: [DONE]\n\n")
            }
            Phase::Finished => return Poll::Ready(None),
        };
        Poll::Ready(Some(Ok(Frame::data(event))))
    }

    fn base(&self) -> Value {
        match self.route {
            Route::ChatCompletions => json!({
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
            }),
            _ => json!({
                "id": self.id,
                "object": "text_completion",
                "created": self.created,
                "model": self.model,
            }),
        }
    }

    fn token_chunk(&self, i: u32, last: bool) -> Value {
        let token = self.words.token(i);
        let finish_reason = if last {
            Value::from(self.finish_reason)
        } else {
            Value::Null
        };
        let choice = match self.route {
            Route::ChatCompletions => {
                let delta = if i == 0 {
                    json!({"role": "assistant", "content": token})
                } else {
                    json!({"content": token})
                };
                json!({"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason})
            }
            _ => {
                json!({"index": 0, "text": token, "logprobs": null, "finish_reason": finish_reason})
            }
        };
        let mut chunk = self.base();
        chunk["choices"] = json!([choice]);
        if self.include_usage {
            // OpenAI: with include_usage every chunk carries "usage": null
            // and only the extra last chunk has the numbers.
            chunk["usage"] = Value::Null;
        }
        chunk
    }

    fn usage_chunk(&self) -> Value {
        let prompt = self.record.as_ref().map_or(0, |r| r.prompt_tokens);
        let completion = u64::from(self.next);
        let mut chunk = self.base();
        chunk["choices"] = json!([]);
        chunk["usage"] = usage(prompt, completion);
        chunk
    }
}

impl Drop for TokenStream {
    fn drop(&mut self) {
        // The connection dropped the stream before `[DONE]`: record what was
        // written, with `completed: None`.
        if let Some(record) = self.record.take() {
            self.state.sink.push(record);
        }
    }
}

/// `usage` as OpenAI writes it.
pub(crate) fn usage(prompt: u64, completion: u64) -> Value {
    json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    })
}

fn sse(value: &Value) -> Bytes {
    let mut out = b"data: ".to_vec();
    // Serialising a Value to memory cannot fail.
    let _ = serde_json::to_writer(&mut out, value);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}
