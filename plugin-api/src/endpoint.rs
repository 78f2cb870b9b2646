//! `endpoint`: the request/response format of an inference API.

use registry_core::{Factory, declare_category};
use serde::Serialize;

/// What one request asks for, independent of the API's wire format.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prompt {
    /// The prompt text (chat, completions), the text to embed, or the
    /// ranking query.
    pub text: String,
    /// Further texts: passages to rank, or more inputs to embed.
    pub passages: Vec<String>,
    /// Upper bound on generated tokens, when the API generates.
    pub max_tokens: Option<u32>,
}

/// Constructor arguments of every endpoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndpointArgs {
    /// The model name sent in the payload.
    pub model: String,
    /// Whether to ask for a streamed (SSE) response, where supported.
    pub streaming: bool,
    /// Extra top-level fields merged into every payload (e.g. `temperature`).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Token accounting reported by the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Tokens in the prompt.
    pub prompt_tokens: Option<u64>,
    /// Tokens generated.
    pub completion_tokens: Option<u64>,
}

/// One ranked passage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ranking {
    /// Index of the passage in the request.
    pub index: usize,
    /// Relevance score (higher is more relevant).
    pub score: f64,
}

/// What a response contained.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    /// Generated text.
    Text(String),
    /// Embedding vectors: how many and of what dimension.
    Embeddings {
        /// Number of vectors.
        count: usize,
        /// Length of each vector.
        dimensions: usize,
    },
    /// Ranked passages, best first.
    Rankings(Vec<Ranking>),
}

/// A parsed complete response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedResponse {
    /// The content.
    pub output: Output,
    /// Token accounting, when the server reported it.
    pub usage: Option<Usage>,
}

/// One parsed server-sent event of a streamed response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamDelta {
    /// Text added by this event (may be empty, e.g. a role-only first chunk).
    pub text: String,
    /// Token accounting, when the event carries it (usually the last).
    pub usage: Option<Usage>,
}

/// A response the endpoint cannot use.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// The body is not JSON.
    #[error("response is not valid JSON ({source}); body starts with {snippet:?}")]
    MalformedJson {
        /// The parser's error (with line and column).
        source: serde_json::Error,
        /// The first bytes of the body.
        snippet: String,
    },
    /// The JSON lacks a field the format requires, or it has the wrong type.
    #[error("response has no {path} ({expected}); body starts with {snippet:?}")]
    MissingField {
        /// JSON path of the field, e.g. `choices[0].message.content`.
        path: &'static str,
        /// What was expected there.
        expected: &'static str,
        /// The first bytes of the body.
        snippet: String,
    },
    /// A field is present with the right type, but its value is unusable
    /// (e.g. embedding vectors of different lengths).
    #[error("response has an invalid {path}: {problem}; body starts with {snippet:?}")]
    InvalidField {
        /// JSON path of the field, e.g. `data[].embedding`.
        path: &'static str,
        /// What is wrong with it, and what was expected.
        problem: String,
        /// The first bytes of the body.
        snippet: String,
    },
    /// The server answered with an error object.
    #[error("server returned an error: {message}")]
    Server {
        /// The server's message.
        message: String,
    },
    /// Streaming was asked of an endpoint that does not stream.
    #[error("the {0} endpoint does not support streaming")]
    StreamingUnsupported(&'static str),
}

impl EndpointError {
    /// The error's kind as results group it (AIPerf's `type`).
    pub fn kind(&self) -> &'static str {
        match self {
            EndpointError::MalformedJson { .. } => "InvalidResponse",
            EndpointError::MissingField { .. } | EndpointError::InvalidField { .. } => {
                "InvalidResponse"
            }
            EndpointError::Server { .. } => "ServerError",
            EndpointError::StreamingUnsupported(_) => "StreamingUnsupported",
        }
    }
}

/// An inference API's wire format: builds request payloads and reads
/// responses. Implementations are pure (no I/O): the transport moves bytes.
///
/// # When it is called
///
/// One instance serves a whole run and is shared by every request in
/// flight, from several threads at once (hence `Sync`, and `&self`).
/// For each request: [`format_payload`](Endpoint::format_payload) once; then
/// either [`parse_response`](Endpoint::parse_response) once on the complete
/// body, or (streamed) [`parse_stream_event`](Endpoint::parse_stream_event)
/// once per `data:` event in arrival order, until it returns `Ok(None)` or
/// the stream ends. An error or a panic fails that request only; it is
/// counted and named, the run goes on.
pub trait Endpoint: Send + Sync {
    /// The JSON body for one request.
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value;

    /// Reads a complete (non-streamed) response body.
    fn parse_response(&self, body: &[u8]) -> Result<ParsedResponse, EndpointError>;

    /// Reads the `data:` payload of one server-sent event of a streamed
    /// response. `Ok(None)` for the end marker (`[DONE]`).
    fn parse_stream_event(&self, data: &str) -> Result<Option<StreamDelta>, EndpointError>;
}

/// What an endpoint declares about itself, readable without constructing it
/// (AIPerf's endpoint metadata, typed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EndpointMetadata {
    /// URL path the payload is posted to, e.g. `/v1/chat/completions`.
    pub endpoint_path: &'static str,
    /// Where a streamed request goes when the API streams at another path
    /// (TGI: `/generate_stream` beside `/generate`); `None`: `endpoint_path`.
    pub streaming_path: Option<&'static str>,
    /// Whether the API can stream the response (SSE).
    pub supports_streaming: bool,
    /// Whether responses contain generated tokens (so token metrics apply).
    pub produces_tokens: bool,
    /// Whether the input is tokenized by the server (so input-token metrics apply).
    pub tokenizes_input: bool,
    /// Title of this endpoint's metrics in reports.
    pub metrics_title: &'static str,
}

declare_category! {
    /// The `endpoint` category: the request/response format of an inference API.
    pub struct EndpointCategory {
        name: "endpoint",
        title: "Endpoints",
        description: "Request/response formats of inference APIs (OpenAI chat, completions, responses, embeddings; Anthropic messages; TGI generate; NIM, TEI and Cohere rankings).",
        object: dyn Endpoint,
        args: EndpointArgs,
        metadata: EndpointMetadata,
        internal: false,
    }
}

/// `EndpointFactory::create_instance("chat", args)`.
pub type EndpointFactory = Factory<EndpointCategory>;
