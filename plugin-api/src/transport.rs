//! `transport`: how payloads reach a server and responses come back.

use std::time::Instant;

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

/// One server-sent event, with its arrival time.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedEvent {
    /// When the event arrived.
    pub at: Instant,
    /// The event's `data:` payload.
    pub data: String,
}

/// A response body: complete, or the events of a stream.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// A complete body.
    Complete(Vec<u8>),
    /// The `data:` payloads of a server-sent event stream, in order.
    Events(Vec<TimedEvent>),
}

/// A successful (2xx) response.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportResponse {
    /// HTTP status (or the in-engine equivalent).
    pub status: u16,
    /// The body.
    pub body: ResponseBody,
}

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

/// Moves a request payload to a server and the response back. Blocking: the
/// orchestrator runs each request on its own worker thread.
///
/// # When it is called
///
/// One instance serves a whole run; [`send`](Transport::send) is called
/// once per request, concurrently from as many threads as requests are in
/// flight. It must return (an error if need be) within its own timeout: the
/// run waits for every request it issued. Timestamps in the response
/// ([`TimedEvent::at`]) are taken when the bytes arrive, not after.
pub trait Transport: Send + Sync {
    /// Sends one request and waits for the whole response.
    fn send(&self, request: TransportRequest<'_>) -> Result<TransportResponse, TransportError>;
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
