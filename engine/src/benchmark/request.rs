//! One request: payload, transport, response parsing, measurements. Runs
//! as a task on the engine's runtime.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use aiperf_plugin_api::stats::RequestRecord;
use aiperf_plugin_api::{
    Endpoint, EventSink, Output, Prompt, ResponseBody, Transport, TransportRequest,
};
use registry_core::panic_message;

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
    pub(crate) path: &'static str,
    pub(crate) prompt: Prompt,
    pub(crate) stream: bool,
    pub(crate) schedule_lag: Duration,
    pub(crate) sent_at: Duration,
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
            schedule_lag: lag,
            sent_at,
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
    first_token: Option<Duration>,
    last_event: Option<Instant>,
    chunks: u64,
    reported_tokens: Option<u64>,
    ended: bool,
    error: Option<String>,
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
                    self.chunks += 1;
                    self.first_token
                        .get_or_insert(at.saturating_duration_since(self.sent));
                }
                if let Some(tokens) = delta.usage.and_then(|u| u.completion_tokens) {
                    self.reported_tokens = Some(tokens);
                }
                true
            }
            Err(e) => {
                self.error = Some(e.to_string());
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
    let failed = |latency: Duration, error: String| RequestRecord {
        latency,
        error: Some(error),
        schedule_lag: lag,
        sent_at,
        ..RequestRecord::default()
    };
    let payload = job.endpoint.format_payload(&job.prompt);
    let request = TransportRequest {
        path: job.path,
        body: &payload,
        stream: job.stream,
    };
    let mut reader = StreamReader {
        endpoint: &*job.endpoint,
        stage: &stage,
        sent,
        first_token: None,
        last_event: None,
        chunks: 0,
        reported_tokens: None,
        ended: false,
        error: None,
    };
    stage.store(IN_TRANSPORT, Ordering::Relaxed);
    let response = job.transport.send(request, &mut reader).await;
    stage.store(IN_ENDPOINT, Ordering::Relaxed);
    let response = match response {
        Ok(response) => response,
        Err(e) => return failed(sent.elapsed(), e.to_string()),
    };
    match response.body {
        ResponseBody::Complete(bytes) => {
            let latency = sent.elapsed();
            match job.endpoint.parse_response(&bytes) {
                // A stream was asked for and a complete body came back: an
                // error object is reported as such; anything else is not
                // the stream a benchmark of streaming measures.
                Ok(_) if job.stream => failed(
                    latency,
                    format!(
                        "a stream was asked for, but the answer is not an event stream \
                         (text/event-stream); it starts with {:?}",
                        start_of(&bytes)
                    ),
                ),
                Ok(parsed) => RequestRecord {
                    latency,
                    output_tokens: parsed
                        .usage
                        .and_then(|u| u.completion_tokens)
                        .unwrap_or_else(|| match &parsed.output {
                            Output::Text(text) => text.split_whitespace().count() as u64,
                            _ => 0,
                        }),
                    schedule_lag: lag,
                    sent_at,
                    ..RequestRecord::default()
                },
                Err(e) => failed(latency, e.to_string()),
            }
        }
        ResponseBody::Streamed { events } => {
            let latency = reader
                .last_event
                .map_or_else(|| sent.elapsed(), |at| at.saturating_duration_since(sent));
            if let Some(error) = reader.error {
                return failed(latency, error);
            }
            if events == 0 {
                return failed(latency, "the event stream ended without any event".into());
            }
            if !reader.ended && reader.chunks == 0 && reader.reported_tokens.is_none() {
                return failed(
                    latency,
                    "the event stream ended without content or an end marker".into(),
                );
            }
            RequestRecord {
                latency,
                time_to_first_token: reader.first_token,
                output_tokens: reader.reported_tokens.unwrap_or(reader.chunks),
                schedule_lag: lag,
                sent_at,
                ..RequestRecord::default()
            }
        }
    }
}

/// The first characters of a body, for a message (at most 120).
fn start_of(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(480)]);
    text.chars().take(120).collect()
}
