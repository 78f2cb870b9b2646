//! [`Served`]: what the server did for one request, and where the records
//! go (memory and/or a JSON-lines file).

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// Which route a request was answered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// `POST /v1/chat/completions`.
    ChatCompletions,
    /// `POST /v1/completions`.
    Completions,
    /// `POST /v1/embeddings`.
    Embeddings,
    /// `POST /v1/ranking` (NVIDIA NIM).
    Ranking,
    /// `POST /v1/responses` (OpenAI Responses API).
    Responses,
    /// `POST /v1/messages` (Anthropic Messages API).
    Messages,
    /// `POST /generate` (Hugging Face TGI, not streamed).
    Generate,
    /// `POST /generate_stream` (Hugging Face TGI, streamed).
    GenerateStream,
    /// `POST /rerank` (Hugging Face TEI).
    Rerank,
    /// `POST /v2/rerank` (Cohere).
    CohereRerank,
    /// Any other path (answered 404). A known route asked with the wrong
    /// method is recorded under its route, with status 405.
    Other,
}

impl Route {
    /// The route's name as the JSON records spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::ChatCompletions => "chat_completions",
            Route::Completions => "completions",
            Route::Embeddings => "embeddings",
            Route::Ranking => "ranking",
            Route::Responses => "responses",
            Route::Messages => "messages",
            Route::Generate => "generate",
            Route::GenerateStream => "generate_stream",
            Route::Rerank => "rerank",
            Route::CohereRerank => "cohere_rerank",
            Route::Other => "other",
        }
    }
}

/// What the server actually did for one request, measured on the server
/// with [`Instant`].
///
/// Every request is recorded except `GET /health` and `GET /metrics`. A
/// record is made when the answer is complete (the `[DONE]` event of a
/// stream was handed to the connection, or a whole body was), or when the
/// connection dropped a stream before that (then `completed` is `None`). A
/// client that has read an answer to its end therefore finds its record in
/// [`MockServer::served`](crate::MockServer::served).
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    /// Sequence number, in the order request heads were taken up (from 0).
    pub id: u64,
    /// The route that answered.
    pub route: Route,
    /// The request path.
    pub path: String,
    /// The HTTP status answered.
    pub status: u16,
    /// Whether the answer was a server-sent-event stream.
    pub stream: bool,
    /// Whether the status is an error injected by `error_rate`.
    pub injected_error: bool,
    /// The request's token limit, if it set one: `max_completion_tokens` or
    /// `max_tokens` (OpenAI chat and completions, Anthropic),
    /// `max_output_tokens` (Responses), `parameters.max_new_tokens` (TGI).
    pub requested_tokens: Option<u64>,
    /// Prompt tokens counted (whitespace-separated words of the text inputs;
    /// token-id inputs count one per id).
    pub prompt_tokens: u64,
    /// Output tokens actually written (for a stream cut short, the ones sent
    /// before the cut).
    pub output_tokens: u64,
    /// The request's body was read to its end (or rejected: 413).
    pub received: Instant,
    /// The first token was handed to the connection for writing (for a
    /// non-streamed answer: the whole body was). `None` if no token was.
    pub first_token: Option<Instant>,
    /// The last token was handed to the connection.
    pub last_token: Option<Instant>,
    /// The answer was complete: the last frame (`data: [DONE]`, or the
    /// whole body) was handed to the connection. `None` if the connection
    /// dropped a stream before its end.
    pub completed: Option<Instant>,
}

impl Served {
    /// Time to first token as served: `first_token - received`.
    pub fn ttft(&self) -> Option<Duration> {
        self.first_token
            .map(|t| t.saturating_duration_since(self.received))
    }

    /// Time from the first to the last token.
    pub fn generation_time(&self) -> Option<Duration> {
        Some(
            self.last_token?
                .saturating_duration_since(self.first_token?),
        )
    }

    /// Time from the body read to the answer's end: `completed - received`.
    pub fn duration(&self) -> Option<Duration> {
        self.completed
            .map(|t| t.saturating_duration_since(self.received))
    }

    /// The record as one line of JSON (no newline). Instants are written as
    /// nanoseconds since `origin` (`*_ns`), and `received_unix_ns` places
    /// the request on the wall clock given `origin_unix`, the wall-clock
    /// time of `origin`.
    pub fn to_json_line(&self, origin: Instant, origin_unix: SystemTime) -> String {
        let since = |t: Instant| t.saturating_duration_since(origin).as_nanos() as u64;
        let unix_origin = origin_unix
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos() as u64;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let line = JsonLine {
            id: self.id,
            route: self.route,
            path: &self.path,
            status: self.status,
            stream: self.stream,
            injected_error: self.injected_error,
            requested_tokens: self.requested_tokens,
            prompt_tokens: self.prompt_tokens,
            output_tokens: self.output_tokens,
            received_ns: since(self.received),
            first_token_ns: self.first_token.map(since),
            last_token_ns: self.last_token.map(since),
            completed_ns: self.completed.map(since),
            received_unix_ns: unix_origin.saturating_add(since(self.received)),
            ttft_ms: self.ttft().map(ms),
            duration_ms: self.duration().map(ms),
        };
        serde_json::to_string(&line).unwrap_or_default()
    }
}

#[derive(Serialize)]
struct JsonLine<'a> {
    id: u64,
    route: Route,
    path: &'a str,
    status: u16,
    stream: bool,
    injected_error: bool,
    requested_tokens: Option<u64>,
    prompt_tokens: u64,
    output_tokens: u64,
    received_ns: u64,
    first_token_ns: Option<u64>,
    last_token_ns: Option<u64>,
    completed_ns: Option<u64>,
    received_unix_ns: u64,
    ttft_ms: Option<f64>,
    duration_ms: Option<f64>,
}

/// Lines waiting for the writer thread; a full queue makes the server wait
/// (memory stays bounded when the disk is slow).
const FILE_QUEUE: usize = 1024;

/// Where records go: memory (if kept) and the JSON-lines file (if any).
pub(crate) struct Sink {
    origin: Instant,
    origin_unix: SystemTime,
    memory: Option<Mutex<Vec<Served>>>,
    file: Mutex<Option<SyncSender<String>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Sink {
    /// A sink; with `path`, the file is created now and a writer thread is
    /// returned that ends after [`Sink::close_file`].
    pub(crate) fn new(
        origin: Instant,
        origin_unix: SystemTime,
        keep: bool,
        path: Option<&Path>,
    ) -> io::Result<(Sink, Option<JoinHandle<()>>)> {
        let (sender, writer) = match path {
            None => (None, None),
            Some(path) => {
                let file = File::create(path)?;
                let (tx, rx) = sync_channel(FILE_QUEUE);
                let display = path.display().to_string();
                let handle = std::thread::Builder::new()
                    .name("mock-server-record".to_owned())
                    .spawn(move || write_lines(file, rx, &display))?;
                (Some(tx), Some(handle))
            }
        };
        let sink = Sink {
            origin,
            origin_unix,
            memory: keep.then(|| Mutex::new(Vec::new())),
            file: Mutex::new(sender),
        };
        Ok((sink, writer))
    }

    pub(crate) fn push(&self, served: Served) {
        let sender = lock(&self.file).clone();
        if let Some(sender) = sender {
            // An error means the writer stopped (it reported why).
            let _ = sender.send(served.to_json_line(self.origin, self.origin_unix));
        }
        if let Some(memory) = &self.memory {
            lock(memory).push(served);
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<Served> {
        self.memory
            .as_ref()
            .map(|m| lock(m).clone())
            .unwrap_or_default()
    }

    pub(crate) fn take(&self) -> Vec<Served> {
        self.memory
            .as_ref()
            .map(|m| std::mem::take(&mut *lock(m)))
            .unwrap_or_default()
    }

    /// Drops the sender so that the writer thread ends once the queue is
    /// written.
    pub(crate) fn close_file(&self) {
        lock(&self.file).take();
    }
}

fn write_lines(mut file: File, rx: Receiver<String>, path: &str) {
    for mut line in rx {
        line.push('\n');
        // One write per line on an unbuffered file: each record reaches the
        // OS as soon as it is made.
        if let Err(e) = file.write_all(line.as_bytes()).and_then(|()| file.flush()) {
            eprintln!("aiperf-mock-server: writing records to {path} failed, recording stops: {e}");
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(origin: Instant) -> Served {
        Served {
            id: 3,
            route: Route::ChatCompletions,
            path: "/v1/chat/completions".to_owned(),
            status: 200,
            stream: true,
            injected_error: false,
            requested_tokens: Some(5),
            prompt_tokens: 2,
            output_tokens: 5,
            received: origin + Duration::from_millis(1),
            first_token: Some(origin + Duration::from_millis(51)),
            last_token: Some(origin + Duration::from_millis(91)),
            completed: Some(origin + Duration::from_millis(92)),
        }
    }

    #[test]
    fn durations_are_measured_from_the_body_read() {
        let r = record(Instant::now());
        assert_eq!(r.ttft(), Some(Duration::from_millis(50)));
        assert_eq!(r.generation_time(), Some(Duration::from_millis(40)));
        assert_eq!(r.duration(), Some(Duration::from_millis(91)));
    }

    #[test]
    fn the_json_line_has_offsets_from_the_origin() {
        let origin = Instant::now();
        let line = record(origin).to_json_line(origin, UNIX_EPOCH + Duration::from_secs(10));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["route"], "chat_completions");
        assert_eq!(v["received_ns"], 1_000_000);
        assert_eq!(v["first_token_ns"], 51_000_000);
        assert_eq!(v["completed_ns"], 92_000_000);
        assert_eq!(v["received_unix_ns"], 10_001_000_000u64);
        assert_eq!(v["ttft_ms"], 50.0);
        assert_eq!(v["output_tokens"], 5);
        assert!(!line.contains('\n'));
    }

    #[test]
    fn route_names_match_their_json_spelling() {
        for route in [
            Route::ChatCompletions,
            Route::Completions,
            Route::Embeddings,
            Route::Ranking,
            Route::Responses,
            Route::Messages,
            Route::Generate,
            Route::GenerateStream,
            Route::Rerank,
            Route::CohereRerank,
            Route::Other,
        ] {
            assert_eq!(
                serde_json::to_value(route).unwrap(),
                serde_json::Value::from(route.as_str())
            );
        }
    }

    #[test]
    fn a_sink_without_memory_keeps_nothing() {
        let origin = Instant::now();
        let (sink, writer) = Sink::new(origin, SystemTime::now(), false, None).unwrap();
        assert!(writer.is_none());
        sink.push(record(origin));
        assert!(sink.snapshot().is_empty());
    }
}
