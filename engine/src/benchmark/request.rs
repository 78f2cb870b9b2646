//! One request: payload, transport, response parsing, measurements. Runs
//! as a task on the engine's runtime.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use aiperf_plugin_api::endpoint::Usage;
use aiperf_plugin_api::stats::{RequestRecord, TokenSource};
use aiperf_plugin_api::{
    DatasetEntry, Endpoint, EventSink, Output, ResponseBody, Tokenizer, Transport, TransportRequest,
};
use registry_core::{BoxError, panic_message};

/// The component a request is inside, so that a panic is blamed on it.
const IN_ENDPOINT: u8 = 0;
const IN_TRANSPORT: u8 = 1;

/// How the endpoint and transport of a run are named in errors, e.g.
/// ``endpoint `chat` (openai_chat)``.
#[derive(Debug, Clone)]
pub(crate) struct Labels {
    pub(crate) endpoint: String,
    pub(crate) transport: String,
}

/// One request to run.
pub(crate) struct Job {
    pub(crate) labels: Arc<Labels>,
    pub(crate) endpoint: Arc<dyn Endpoint>,
    pub(crate) transport: Arc<dyn Transport>,
    /// The index of `transport`'s URL.
    pub(crate) url: usize,
    pub(crate) path: &'static str,
    /// The dataset entry, or why it could not be read.
    pub(crate) entry: Result<DatasetEntry, BoxError>,
    /// The entry's index (for a message when it could not be read).
    pub(crate) index: usize,
    pub(crate) tokenizer: Option<Arc<dyn Tokenizer>>,
    pub(crate) stream: bool,
    pub(crate) schedule_lag: Duration,
    pub(crate) sent_at: Duration,
    /// `sent_at` as Unix time in nanoseconds.
    pub(crate) start_unix_ns: u64,
}

/// Runs `job`, with a panic in the endpoint or transport (a plugin's bug)
/// turned into a failed request naming the component, so the run goes on
/// and counts it.
pub(crate) async fn execute_catching_panics(job: Job) -> RequestRecord {
    let stage = Arc::new(AtomicU8::new(IN_ENDPOINT));
    let sent = Instant::now();
    let labels = Arc::clone(&job.labels);
    let lag = job.schedule_lag;
    let sent_at = job.sent_at;
    let url = job.url;
    let start_unix_ns = job.start_unix_ns;
    let outcome = CatchUnwind(Box::pin(execute(job, Arc::clone(&stage), sent))).await;
    outcome.unwrap_or_else(|payload| {
        let component = match stage.load(Ordering::Relaxed) {
            IN_TRANSPORT => &labels.transport,
            _ => &labels.endpoint,
        };
        RequestRecord {
            latency: sent.elapsed(),
            error: Some(format!(
                "{component} panicked: {}",
                panic_message(payload.as_ref())
            )),
            error_type: Some("Panic"),
            schedule_lag: lag,
            sent_at,
            url,
            start_unix_ns,
            ..RequestRecord::default()
        }
    })
}

/// A future that turns a panic while polling `F` into `Err(payload)`.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn std::any::Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Nothing the inner future touches is used after a panic: the
        // future is dropped with this one, and the stage is a plain atomic.
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

/// What a streamed response has shown so far, built as each event arrives.
struct StreamReader<'a> {
    endpoint: &'a dyn Endpoint,
    stage: &'a AtomicU8,
    sent: Instant,
    last_event: Option<Instant>,
    /// When each content chunk arrived, from `sent`: the first is the time
    /// to first token, their number the chunk count.
    chunk_offsets: Vec<Duration>,
    /// The last usage the stream reported (fields merged: a server may send
    /// prompt and completion counts in different events); its completion
    /// count, when there is one, is the output length.
    usage: Option<Usage>,
    /// The answer's text, kept only when a tokenizer will count it.
    text: Option<String>,
    ended: bool,
    /// The first unusable event: its kind and message.
    error: Option<(&'static str, String)>,
}

impl EventSink for StreamReader<'_> {
    fn event(&mut self, at: Instant, data: &str) -> bool {
        self.stage.store(IN_ENDPOINT, Ordering::Relaxed);
        let keep_reading = match self.endpoint.parse_stream_event(data) {
            Ok(None) => {
                self.ended = true;
                false
            }
            Ok(Some(delta)) => {
                self.last_event = Some(at);
                if !delta.text.is_empty() {
                    if let Some(text) = self.text.as_mut() {
                        text.push_str(&delta.text);
                    }
                    self.chunk_offsets
                        .push(at.saturating_duration_since(self.sent));
                }
                if let Some(reported) = delta.usage {
                    let usage = self.usage.get_or_insert_with(Usage::default);
                    usage.prompt_tokens = reported.prompt_tokens.or(usage.prompt_tokens);
                    usage.completion_tokens =
                        reported.completion_tokens.or(usage.completion_tokens);
                }
                true
            }
            Err(e) => {
                self.error = Some((e.kind(), e.to_string()));
                false
            }
        };
        self.stage.store(IN_TRANSPORT, Ordering::Relaxed);
        keep_reading
    }
}

/// Sends one request and measures it. Never panics on a bad response: every
/// failure becomes the record's `error`. `stage` tells, at any moment,
/// which component is running.
async fn execute(job: Job, stage: Arc<AtomicU8>, sent: Instant) -> RequestRecord {
    let lag = job.schedule_lag;
    let sent_at = job.sent_at;
    let url = job.url;
    let start_unix_ns = job.start_unix_ns;
    let entry_index = job.index;
    let failed = |latency: Duration, (kind, code): (&'static str, Option<u16>), error: String| {
        RequestRecord {
            latency,
            error: Some(error),
            error_type: Some(kind),
            error_code: code,
            schedule_lag: lag,
            sent_at,
            url,
            start_unix_ns,
            entry: entry_index,
            ..RequestRecord::default()
        }
    };
    let mut entry = match job.entry {
        Ok(entry) => entry,
        Err(e) => {
            return failed(
                Duration::ZERO,
                ("DatasetError", None),
                format!("dataset entry {} cannot be read: {e}", job.index),
            );
        }
    };
    let payload = match entry.payload.take() {
        Some(payload) => payload,
        None => job.endpoint.format_payload(&entry.prompt),
    };
    let request = TransportRequest {
        path: job.path,
        body: &payload,
        stream: job.stream,
    };
    let mut reader = StreamReader {
        endpoint: &*job.endpoint,
        stage: &stage,
        sent,
        last_event: None,
        chunk_offsets: Vec::new(),
        usage: None,
        text: job.tokenizer.as_ref().map(|_| String::new()),
        ended: false,
        error: None,
    };
    stage.store(IN_TRANSPORT, Ordering::Relaxed);
    let response = job.transport.send(request, &mut reader).await;
    stage.store(IN_ENDPOINT, Ordering::Relaxed);
    let response = match response {
        Ok(response) => response,
        Err(e) => return failed(sent.elapsed(), e.kind(), e.to_string()),
    };
    let timing = response.timing;
    // What is left to count once the answer is in: off the timed path.
    let (latency, time_to_first_token, usage, output) = match response.body {
        ResponseBody::Complete(bytes) => {
            let latency = sent.elapsed();
            match job.endpoint.parse_response(&bytes) {
                // A stream was asked for and a complete body came back: an
                // error object is reported as such; anything else is not
                // the stream a benchmark of streaming measures.
                Ok(_) if job.stream => {
                    return failed(
                        latency,
                        ("InvalidResponse", None),
                        format!(
                            "a stream was asked for, but the answer is not an event stream \
                             (text/event-stream); it starts with {:?}",
                            start_of(&bytes)
                        ),
                    );
                }
                Ok(parsed) => {
                    let usage = parsed.usage;
                    let output = match (
                        parsed.usage.and_then(|u| u.completion_tokens),
                        parsed.output,
                    ) {
                        (Some(tokens), _) => Counted::Known(tokens, TokenSource::ServerUsage),
                        (None, Output::Text(text)) => Counted::Text(text, TokenSource::Words),
                        (None, _) => Counted::Known(0, TokenSource::None),
                    };
                    (latency, None, usage, output)
                }
                Err(e) => return failed(latency, (e.kind(), None), e.to_string()),
            }
        }
        ResponseBody::Streamed { events } => {
            let latency = reader
                .last_event
                .map_or_else(|| sent.elapsed(), |at| at.saturating_duration_since(sent));
            if let Some((kind, error)) = reader.error {
                return failed(latency, (kind, None), error);
            }
            if events == 0 {
                return failed(
                    latency,
                    ("InvalidResponse", None),
                    "the event stream ended without any event".into(),
                );
            }
            let reported_tokens = reader.usage.and_then(|u| u.completion_tokens);
            if !reader.ended && reader.chunk_offsets.is_empty() && reported_tokens.is_none() {
                return failed(
                    latency,
                    ("InvalidResponse", None),
                    "the event stream ended without content or an end marker".into(),
                );
            }
            let output = match (reported_tokens, reader.text) {
                (Some(tokens), _) => Counted::Known(tokens, TokenSource::ServerUsage),
                (None, Some(text)) => Counted::Text(text, TokenSource::StreamChunks),
                (None, None) => {
                    Counted::Known(reader.chunk_offsets.len() as u64, TokenSource::StreamChunks)
                }
            };
            let first_token = reader.chunk_offsets.first().copied();
            (latency, first_token, reader.usage, output)
        }
    };
    let chunk_offsets = std::mem::take(&mut reader.chunk_offsets);
    let (input_tokens, (output_tokens, output_token_source)) =
        count_tokens(job.tokenizer, entry, output).await;
    RequestRecord {
        latency,
        time_to_first_token,
        output_tokens,
        output_token_source,
        input_tokens,
        schedule_lag: lag,
        sent_at,
        url,
        chunk_offsets,
        usage,
        timing,
        start_unix_ns,
        entry: entry_index,
        ..RequestRecord::default()
    }
}

/// An answer's output tokens: known, or text still to count.
enum Counted {
    Known(u64, TokenSource),
    /// Counted by the tokenizer when there is one, else by the fallback
    /// (`Words`: whitespace-separated words; `StreamChunks`: not reached,
    /// the text is only kept with a tokenizer).
    Text(String, TokenSource),
}

/// Counts the prompt's and the answer's tokens. With a tokenizer, on the
/// runtime's blocking threads, so that tokenizing (tens of microseconds)
/// never delays the timestamps of other requests' events on this worker.
async fn count_tokens(
    tokenizer: Option<Arc<dyn Tokenizer>>,
    entry: DatasetEntry,
    output: Counted,
) -> (Option<u64>, (u64, TokenSource)) {
    let nothing_to_count = entry.input_tokens.is_some() && matches!(output, Counted::Known(..));
    let tokenizer = tokenizer.filter(|_| !nothing_to_count);
    let Some(tokenizer) = tokenizer else {
        let output = match output {
            Counted::Known(n, source) => (n, source),
            Counted::Text(text, source) => (text.split_whitespace().count() as u64, source),
        };
        return (entry.input_tokens, output);
    };
    let count = move || {
        let input = entry.input_tokens.or_else(|| {
            let text = &entry.prompt.text;
            (!text.is_empty()).then(|| tokenizer.count(text) as u64)
        });
        let output = match output {
            Counted::Known(n, source) => (n, source),
            Counted::Text(text, _) => (tokenizer.count(&text) as u64, TokenSource::Tokenizer),
        };
        (input, output)
    };
    match tokio::task::spawn_blocking(count).await {
        Ok(counts) => counts,
        // The counting panicked (a tokenizer's bug): count nothing rather
        // than fail a request the server answered.
        Err(_) => (None, (0, TokenSource::None)),
    }
}

/// The first characters of a body, for a message (at most 120).
fn start_of(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(480)]);
    text.chars().take(120).collect()
}
