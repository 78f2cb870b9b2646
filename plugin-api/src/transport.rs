//! `transport`: how payloads reach a server and responses come back.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use registry_core::{Factory, declare_category};
use serde::Serialize;

/// Constructor arguments of every transport.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransportArgs {
    /// Base URL of the server (`http://host:port`), for transports that
    /// need one.
    pub url: Option<String>,
    /// The transport's own settings (from the config file), deserialised by
    /// the transport into its typed config; `null` means defaults.
    pub config: serde_json::Value,
}

/// One request to send.
#[derive(Debug, Clone, Copy)]
pub struct TransportRequest<'a> {
    /// URL path, e.g. `/v1/chat/completions` (the endpoint's metadata).
    pub path: &'a str,
    /// The JSON body.
    pub body: &'a serde_json::Value,
    /// Whether to read the response as server-sent events.
    pub stream: bool,
}

/// Receives the events of a streamed response as they arrive: the engine
/// parses and times each one then, so a response is never buffered whole
/// and the time of each token is the time its bytes arrived.
pub trait EventSink: Send {
    /// One server-sent event's `data:` payload, and the instant its last
    /// byte arrived. Returns whether to keep reading: `false` once the
    /// stream's end marker (`[DONE]`) was seen or the stream is unusable, so
    /// a server that keeps the connection open after the end does not hold
    /// the request until its timeout.
    fn event(&mut self, at: Instant, data: &str) -> bool;
}

/// A response body: complete, or an event stream whose events went to the
/// [`EventSink`].
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// A complete body (not an event stream), at most the transport's body
    /// cap long.
    Complete(Vec<u8>),
    /// The response was an event stream: this many events went to the sink.
    Streamed {
        /// Events delivered to the sink.
        events: u64,
    },
}

/// A successful (2xx) response.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportResponse {
    /// HTTP status (or the in-engine equivalent).
    pub status: u16,
    /// The body.
    pub body: ResponseBody,
    /// What the transport saw of the exchange (AIPerf's `http_req_*`
    /// metrics); all `None` for a transport that cannot tell.
    pub timing: ExchangeTiming,
}

/// The phases of one exchange as the transport observed them. Each is
/// `None` when the transport cannot tell; the engine derives AIPerf's
/// `http_req_*` metrics from what is there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExchangeTiming {
    /// Whether the request went over a connection opened for an earlier
    /// request.
    pub connection_reused: Option<bool>,
    /// Opening the connection this request used (DNS, TCP and TLS), when it
    /// was opened for this request; zero when reused.
    pub connecting: Option<Duration>,
    /// From the moment the request was handed to the connection to the
    /// response's status line and headers (time to first byte).
    pub waiting: Option<Duration>,
    /// From the response headers to the end of the body (or of the stream).
    pub receiving: Option<Duration>,
    /// Request bytes written (body; headers when the transport counts
    /// them: the builtin ones count the body only).
    pub bytes_sent: Option<u64>,
    /// Response bytes read (body; headers when the transport counts them).
    pub bytes_received: Option<u64>,
}

/// What [`Transport::send`] returns: a future the engine drives on its
/// runtime (a boxed future keeps the trait object-safe without a macro).
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<TransportResponse, TransportError>> + Send + 'a>>;

/// A request that did not produce a usable response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The server could not be reached (DNS, refused, timeout).
    #[error("cannot reach {url}: {reason}")]
    Connect {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The server answered with a non-2xx status.
    #[error("{url} answered {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The first bytes of the body.
        body: String,
    },
    /// The response could not be read completely.
    #[error("reading the response from {url} failed: {reason}")]
    Read {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The transport does not serve this path.
    #[error("{transport} does not serve {path}")]
    UnsupportedPath {
        /// The transport.
        transport: &'static str,
        /// The path.
        path: String,
    },
}

impl TransportError {
    /// The error's kind as results group it (AIPerf's `type`), and the
    /// HTTP status when the server answered with one (AIPerf's `code`).
    pub fn kind(&self) -> (&'static str, Option<u16>) {
        match self {
            TransportError::Connect { .. } => ("ConnectionError", None),
            TransportError::Status { status, .. } => ("HTTPError", Some(*status)),
            TransportError::Read { .. } => ("ReadError", None),
            TransportError::UnsupportedPath { .. } => ("UnsupportedPath", None),
        }
    }
}

/// Moves a request payload to a server and the response back,
/// asynchronously: the engine runs every request as a task on one runtime,
/// never a thread per request.
///
/// # When it is called
///
/// One instance serves a whole run; [`send`](Transport::send) is called
/// once per request, and many of its futures are in flight at once (hence
/// `Sync` and `&self`). The future must finish (an error if need be) within
/// the transport's own timeout, and must not block its thread: use async
/// I/O and timers. The engine may drop it before it finishes (the run was
/// stopped); it then counts the request as cancelled.
///
/// When the request asks for a stream ([`TransportRequest::stream`]) and
/// the answer is an event stream, each event's `data:` goes to `events` as
/// it arrives, timestamped on arrival, and the body is
/// [`ResponseBody::Streamed`]. Any other answer is read whole (up to a cap)
/// and returned as [`ResponseBody::Complete`]: the engine decides whether
/// that is an error.
///
/// A transport that answers at once (a simulation, a canned reply) wraps
/// its answer in a ready future; one written before this trait was async
/// moves its body into a helper and becomes:
///
/// ```
/// use std::time::Instant;
///
/// use aiperf_plugin_api::{
///     EventSink, ExchangeTiming, ResponseBody, SendFuture, Transport, TransportError,
///     TransportRequest, TransportResponse,
/// };
///
/// struct Echo;
///
/// impl Echo {
///     fn answer(&self, request: TransportRequest<'_>, events: &mut dyn EventSink)
///         -> Result<TransportResponse, TransportError> {
///         if request.stream {
///             let mut sent = 0;
///             for data in ["{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}", "[DONE]"] {
///                 sent += 1;
///                 if !events.event(Instant::now(), data) {
///                     break;
///                 }
///             }
///             return Ok(TransportResponse {
///                 status: 200,
///                 body: ResponseBody::Streamed { events: sent },
///                 timing: ExchangeTiming::default(),
///             });
///         }
///         let body = request.body.to_string().into_bytes();
///         Ok(TransportResponse {
///             status: 200,
///             body: ResponseBody::Complete(body),
///             timing: ExchangeTiming::default(),
///         })
///     }
/// }
///
/// impl Transport for Echo {
///     fn send<'a>(&'a self, request: TransportRequest<'a>, events: &'a mut dyn EventSink)
///         -> SendFuture<'a> {
///         Box::pin(std::future::ready(self.answer(request, events)))
///     }
/// }
/// ```
///
/// Anything that waits (network, timers) must be `async` instead, on the
/// tokio runtime the engine provides.
pub trait Transport: Send + Sync {
    /// Sends one request; streamed events go to `events`.
    fn send<'a>(
        &'a self,
        request: TransportRequest<'a>,
        events: &'a mut dyn EventSink,
    ) -> SendFuture<'a>;

    /// The credentials this transport sends (an API key, a password, the
    /// form a header carries them in): the engine hides each, and its cut
    /// and escaped forms, in every message, record and export, wherever a
    /// server may echo it. Asked once, after creation. Default: none.
    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }
}

/// What a transport declares about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TransportMetadata {
    /// URL schemes the transport accepts (empty: it needs no URL).
    pub url_schemes: &'static [&'static str],
}

declare_category! {
    /// The `transport` category: how payloads reach a server.
    pub struct TransportCategory {
        name: "transport",
        title: "Transports",
        description: "How request payloads reach a model server (HTTP, or an in-process simulated server).",
        object: dyn Transport,
        args: TransportArgs,
        metadata: TransportMetadata,
        internal: false,
    }
}

/// `TransportFactory::create_instance("http", args)`.
pub type TransportFactory = Factory<TransportCategory>;

/// Text a server chose, made safe to show: `text` with control characters (terminal escape sequences among them)
/// shown escaped (`\u{1b}`), never raw, in at most `max` characters (an
/// escape counts as what it shows), then `…` if it was cut.
pub fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for c in text.chars() {
        let escaped = c.is_control().then(|| c.escape_default());
        let width = escaped.clone().map_or(1, Iterator::count);
        if shown + width > max {
            out.push('…');
            break;
        }
        shown += width;
        match escaped {
            Some(escaped) => out.extend(escaped),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn server_text_is_escaped_and_cut_by_what_it_shows() {
        assert_eq!(printable("ok \u{1b}[2J done", 100), "ok \\u{1b}[2J done");
        assert_eq!(printable("abcdef", 3), "abc…");
        // An escape counts as the characters it shows.
        assert_eq!(printable("\u{7}\u{7}", 10), "\\u{7}\\u{7}");
        assert_eq!(printable("\u{7}\u{7}", 7), "\\u{7}…");
    }
}
