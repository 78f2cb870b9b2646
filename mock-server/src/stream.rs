//! The response bodies: a whole body, or a token stream that writes one
//! server-sent event per token on a fixed TTFT/ITL schedule (its format's
//! opening events at once, its closing events right after the last
//! token) and records when each token was handed to the connection.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

use crate::formats::Answer;
use crate::record::Served;
use crate::server::State;

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
    /// Nothing written yet: the format's opening events go first.
    Open,
    /// Writing the queued events, then each token when it is due.
    Tokens,
    /// Writing the closing events; the last one completes the record.
    Closing,
    Finished,
}

/// One streamed answer, in any of the generating formats.
pub(crate) struct TokenStream {
    state: Arc<State>,
    /// The record being filled in; pushed with the last event, or on drop.
    record: Option<Served>,
    answer: Answer,
    next: u32,
    /// Token `i` is due at `first_due + i * itl`.
    first_due: Instant,
    itl: Duration,
    sleep: Option<Pin<Box<Sleep>>>,
    /// Events to write before going on (the opening and closing ones).
    queue: VecDeque<Bytes>,
    phase: Phase,
}

impl TokenStream {
    pub(crate) fn new(state: Arc<State>, record: Served, answer: Answer) -> TokenStream {
        let first_due = record.received + state.config.ttft;
        let itl = state.config.itl;
        TokenStream {
            state,
            record: Some(record),
            answer,
            next: 0,
            first_due,
            itl,
            sleep: None,
            queue: VecDeque::new(),
            phase: Phase::Open,
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

    /// The last token was written: queue the closing events.
    fn close(&mut self) {
        self.queue.extend(self.answer.epilogue(self.next));
        self.phase = Phase::Closing;
    }

    /// The answer is complete: push its record.
    fn finish(&mut self) {
        self.phase = Phase::Finished;
        if let Some(mut record) = self.record.take() {
            record.completed = Some(Instant::now());
            self.state.sink.push(record);
        }
    }

    fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        loop {
            let event = match self.phase {
                Phase::Open => {
                    self.queue.extend(self.answer.preamble());
                    self.phase = Phase::Tokens;
                    if self.answer.total == 0 {
                        self.close();
                    }
                    continue;
                }
                Phase::Tokens => {
                    if let Some(event) = self.queue.pop_front() {
                        event
                    } else {
                        let due = self.first_due + self.itl * self.next;
                        if self.poll_due(due, cx).is_pending() {
                            return Poll::Pending;
                        }
                        let event = self.answer.token_event(self.next);
                        self.next += 1;
                        let now = Instant::now();
                        if let Some(record) = &mut self.record {
                            record.first_token.get_or_insert(now);
                            record.last_token = Some(now);
                            record.output_tokens += 1;
                        }
                        self.state.metrics.tokens(1);
                        if self.next == self.answer.total {
                            self.close();
                        }
                        event
                    }
                }
                Phase::Closing => match self.queue.pop_front() {
                    Some(event) => {
                        if self.queue.is_empty() {
                            self.finish();
                        }
                        event
                    }
                    None => {
                        // No closing events (TGI): the body ends here.
                        self.finish();
                        return Poll::Ready(None);
                    }
                },
                Phase::Finished => return Poll::Ready(None),
            };
            return Poll::Ready(Some(Ok(Frame::data(event))));
        }
    }
}

impl Drop for TokenStream {
    fn drop(&mut self) {
        // The connection dropped the stream before its end: record what was
        // written, with `completed: None`.
        if let Some(record) = self.record.take() {
            self.state.sink.push(record);
        }
    }
}
