//! `http`: an async HTTP/1.1 client for OpenAI-compatible servers, on
//! `hyper` with `rustls` for `https://`.
//!
//! Why hyper directly rather than reqwest: the engine needs the instant each
//! chunk arrives and to stop reading at the end marker, a cap on every body,
//! no redirects, and TLS with a chosen root store; hyper gives exactly
//! those with the `tokio`/`hyper` stack the project already builds, where
//! reqwest 0.13 would add tower, a second TLS provider (aws-lc, a C build)
//! and a platform verifier for features this client does not use.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use super::sse::SseParser;
use super::tls::{self, Opened, TlsConfig};
use aiperf_plugin_api::config::{DurationRange, TimeUnit, parse_config};
use aiperf_plugin_api::transport::printable;
use aiperf_plugin_api::{
    EventSink, ExchangeTiming, ResponseBody, SendFuture, Transport, TransportArgs,
    TransportCategory, TransportError, TransportMetadata, TransportRequest, TransportResponse,
};

/// Config of [`Http`].
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Whole-request timeout in seconds, > 0 and at most 604800 (7 days).
    /// Default 600.
    #[serde(default = "HttpConfig::default_timeout")]
    pub timeout_s: f64,
    /// Connection timeout in seconds (DNS, TCP and TLS handshake), > 0 and at
    /// most 3600. Default 10.
    #[serde(default = "HttpConfig::default_connect_timeout")]
    pub connect_timeout_s: f64,
    /// Sent as `Authorization: Bearer ...`; use `${VAR}` in the config file
    /// to keep it out of the file. Never printed.
    #[serde(default)]
    pub api_key: Option<String>,
    /// Extra request headers, checked when the config loads. Framing
    /// headers (`Content-Length`, `Transfer-Encoding`, `Host`, ...) are the
    /// transport's and refused. Their values are treated as secrets.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The largest response body read, streamed or not, in bytes (a stream
    /// that never ends is cut here). Default 64 MiB.
    #[serde(default = "HttpConfig::default_max_body")]
    pub max_body_bytes: u64,
    /// TLS for `https://` URLs.
    #[serde(default)]
    pub tls: TlsConfig,
    /// A fixed read buffer per connection, in bytes (512 to 1 MiB), instead
    /// of hyper's adaptive one (8 KiB, growing). Smaller saves memory with
    /// thousands of connections (10,000 streams: 1024 bytes took peak memory
    /// from 392 MB to 206 MB here), but a response whose header block does
    /// not fit fails ("message head is too large"): keep the default for
    /// hosted APIs that send many headers.
    #[serde(default)]
    pub read_buffer_bytes: Option<usize>,
}

impl HttpConfig {
    fn default_timeout() -> f64 {
        600.0
    }
    fn default_connect_timeout() -> f64 {
        10.0
    }
    fn default_max_body() -> u64 {
        64 << 20
    }
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("timeout_s", &self.timeout_s)
            .field("connect_timeout_s", &self.connect_timeout_s)
            .field("api_key", &self.api_key.as_ref().map(|_| "<hidden>"))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("max_body_bytes", &self.max_body_bytes)
            .field("read_buffer_bytes", &self.read_buffer_bytes)
            .field("tls", &self.tls)
            .finish()
    }
}

/// Posts each payload as JSON to the server's URL joined with the
/// endpoint's path; reads the answer whole (up to `max_body_bytes`), or as
/// server-sent events handed to the engine as each arrives, timestamped on
/// arrival. Connections are pooled and kept alive. Redirects are not
/// followed: a 3xx is an error naming where it pointed.
///
/// Each response's [`ExchangeTiming`] holds:
/// - `connection_reused`: whether the connection was opened (its connect
///   started) before this request was sent; such a connection was opened
///   for an earlier request, though hyper's pool may hand over one that a
///   concurrent request opened and did not need. `connecting`: for a
///   connection opened during this request, DNS, TCP and the TLS handshake
///   (from the pool asking for it to the stream being ready); zero when
///   reused.
/// - `waiting`: from the moment the request was handed to its connection
///   (hyper's first poll of the request body, as it writes the request) to
///   the response head being parsed; connecting is not in it.
/// - `receiving`: from the response head to the end of the body; for an
///   event stream, to the end of the stream or to the event after which
///   the engine stopped reading (`[DONE]`), whichever came first.
/// - `bytes_sent`: the JSON body's length (its `Content-Length`); the
///   request line and headers are not counted.
/// - `bytes_received`: body bytes read, after chunked decoding, up to where
///   reading stopped; the status line and headers are not counted, nor what
///   is drained after the engine stopped reading a stream.
pub struct Http {
    base: url::Url,
    /// `base` as messages show it: a password replaced by `***`.
    shown_base: String,
    client: Client<tls::Connector, SentBody>,
    headers: HeaderMap,
    timeout: Duration,
    timeout_s: f64,
    max_body_bytes: u64,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("base", &self.shown_base)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// At most this many characters of an error body are kept.
pub const ERROR_BODY_CHARS: usize = 500;
/// `timeout_s`: above 0, at most 7 days (a deadline must stay
/// representable).
const TIMEOUT: DurationRange = DurationRange::above_zero(TimeUnit::Seconds, 604_800.0, "7 days");
/// `connect_timeout_s`: above 0, at most one hour.
const CONNECT_TIMEOUT: DurationRange =
    DurationRange::above_zero(TimeUnit::Seconds, 3_600.0, "one hour");
/// One server-sent event (or the line being received) larger than this is
/// an error: no server streams megabyte tokens, a broken one might.
const MAX_EVENT_BYTES: usize = 1 << 20;
/// After the engine stopped reading a stream (its end marker came), the
/// rest (a well-behaved server's end of the chunked body) is read in the
/// background, so the connection goes back to the pool; a server that
/// sends more than this, or takes longer, loses the connection instead.
const DRAIN_BYTES: usize = 64 << 10;
const DRAIN_TIME: Duration = Duration::from_secs(1);

/// Headers the transport sets itself: a config that sets them would break
/// the framing of the request or contradict it.
const RESERVED_HEADERS: [&str; 9] = [
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
    "content-type",
];

impl Http {
    /// A client for the server at `url` (`http://host:port` or
    /// `https://host`), with every setting checked now rather than per
    /// request.
    pub fn new(url: Option<&str>, config: HttpConfig) -> Result<Self, BoxError> {
        let raw = url.map(str::trim).filter(|u| !u.is_empty()).ok_or(
            "the http transport needs the server's URL: set `transport.url` in the config \
             or pass --url (e.g. http://127.0.0.1:8000)",
        )?;
        let base = parse_base(raw)?;
        let shown_base = shown(&base);
        let timeout = TIMEOUT.check("timeout_s", config.timeout_s)?;
        let connect_timeout =
            CONNECT_TIMEOUT.check("connect_timeout_s", config.connect_timeout_s)?;
        if config.max_body_bytes == 0 {
            return Err("invalid config: `max_body_bytes` must be at least 1".into());
        }
        let headers = request_headers(&base, &config)?;
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        // The connector bounds DNS, TCP and the TLS handshake together.
        let connector = tls::connector(
            http,
            base.scheme(),
            &config.tls,
            connect_timeout,
            config.connect_timeout_s,
        )?;
        let mut builder = Client::builder(TokioExecutor::new());
        builder.pool_idle_timeout(Duration::from_secs(90));
        if let Some(bytes) = config.read_buffer_bytes {
            if !(512..=1 << 20).contains(&bytes) {
                return Err(format!(
                    "invalid config: `read_buffer_bytes` is {bytes}; it must be from 512 to \
                     1048576"
                )
                .into());
            }
            builder.http1_read_buf_exact_size(bytes);
        }
        let client = builder.build(connector);
        Ok(Http {
            base,
            shown_base,
            client,
            headers,
            timeout,
            timeout_s: config.timeout_s,
            max_body_bytes: config.max_body_bytes,
        })
    }

    /// The URL of `path`: the base's path joined with it (a base ending in
    /// `/v1` and a path starting with `/v1/` share it), the base's query
    /// kept.
    fn url_of(&self, path: &str) -> url::Url {
        let mut url = self.base.clone();
        let base_path = url.path().trim_end_matches('/');
        let joined = match path.strip_prefix("/v1/") {
            Some(rest) if base_path.ends_with("/v1") => format!("{base_path}/{rest}"),
            _ => format!("{base_path}{path}"),
        };
        url.set_path(&joined);
        url
    }

    async fn exchange(
        &self,
        request: TransportRequest<'_>,
        events: &mut dyn EventSink,
        url: &url::Url,
        shown_url: &str,
    ) -> Result<TransportResponse, TransportError> {
        let read_error = |reason: String| TransportError::Read {
            url: shown_url.to_owned(),
            reason,
        };
        let payload = serde_json::to_vec(request.body)
            .map_err(|e| read_error(format!("cannot encode the payload: {e}")))?;
        // The URL's user:password travel as the Authorization header only,
        // never in the request target.
        let mut target = url.clone();
        let _ = target.set_username("");
        let _ = target.set_password(None);
        let mut builder = hyper::Request::post(target.as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .header(
                header::ACCEPT,
                if request.stream {
                    "text/event-stream"
                } else {
                    "application/json"
                },
            );
        if let Some(headers) = builder.headers_mut() {
            headers.extend(self.headers.clone());
        }
        let bytes_sent = payload.len() as u64;
        let handed_over = Arc::new(OnceLock::new());
        let http_request = builder
            .body(SentBody {
                inner: Full::new(Bytes::from(payload)),
                first_polled: Arc::clone(&handed_over),
            })
            .map_err(|e| read_error(format!("cannot build the request: {e}")))?;
        let started = Instant::now();
        let response = self.client.request(http_request).await.map_err(|e| {
            if e.is_connect() {
                TransportError::Connect {
                    url: shown_url.to_owned(),
                    reason: innermost_cause(&e),
                }
            } else {
                // Connected, but no usable answer (closed early, not HTTP).
                read_error(innermost_cause(&e))
            }
        })?;
        let head_at = Instant::now();
        let opened = response.extensions().get::<Opened>().copied();
        let timing = |receiving: Duration, bytes_received: u64| {
            let reused = opened.map(|opened| opened.started < started);
            ExchangeTiming {
                connection_reused: reused,
                connecting: opened.zip(reused).map(|(opened, reused)| {
                    if reused { Duration::ZERO } else { opened.took }
                }),
                // Never polled (an empty body): handed over when sent.
                waiting: Some(
                    head_at
                        .saturating_duration_since(handed_over.get().copied().unwrap_or(started)),
                ),
                receiving: Some(receiving),
                bytes_sent: Some(bytes_sent),
                bytes_received: Some(bytes_received),
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = response.into_body();
        let limit = self.max_body_bytes;

        if (300..400).contains(&status) {
            let location = headers
                .get(header::LOCATION)
                .map(|l| printable(&String::from_utf8_lossy(l.as_bytes()), ERROR_BODY_CHARS))
                .unwrap_or_else(|| "nowhere (no Location header)".into());
            return Err(TransportError::Status {
                url: shown_url.to_owned(),
                status,
                body: format!(
                    "a redirect to {location}, which is not followed (headers such as the API \
                     key would go with it); give the final URL with --url"
                ),
            });
        }
        let is_event_stream = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                // Media types ignore case.
                let v = v.trim_start().as_bytes();
                v.len() >= 17 && v[..17].eq_ignore_ascii_case(b"text/event-stream")
            });
        if !(200..300).contains(&status) {
            // Only the start of an error body is ever shown: read no more.
            let start = read_capped(&mut body, (ERROR_BODY_CHARS * 4) as u64, Cap::Truncate)
                .await
                .unwrap_or_default();
            return Err(TransportError::Status {
                url: shown_url.to_owned(),
                status,
                body: printable(&String::from_utf8_lossy(&start), ERROR_BODY_CHARS),
            });
        }
        if !(request.stream && is_event_stream) {
            if body.size_hint().lower() > limit {
                // Its Content-Length says it is too long: read none of it.
                return Err(read_error(too_long(limit)));
            }
            let bytes = read_capped(&mut body, limit, Cap::Refuse)
                .await
                .map_err(read_error)?;
            let timing = timing(head_at.elapsed(), bytes.len() as u64);
            return Ok(TransportResponse {
                status,
                body: ResponseBody::Complete(bytes),
                timing,
            });
        }

        // An event stream: hand each event over as it completes.
        let mut parser = SseParser::new();
        let mut delivered = 0u64;
        let mut total = 0u64;
        let mut keep_reading = true;
        while keep_reading {
            let Some(frame) = body.frame().await else {
                break;
            };
            let frame = frame.map_err(|e| {
                read_error(format!("the stream broke off: {}", innermost_cause(&e)))
            })?;
            let Ok(data) = frame.into_data() else {
                continue; // trailers
            };
            let at = Instant::now();
            total += data.len() as u64;
            if total > limit {
                return Err(read_error(format!(
                    "the stream exceeded `max_body_bytes` ({limit} bytes); it was cut there"
                )));
            }
            parser.feed(&data, |event| {
                if keep_reading {
                    delivered += 1;
                    keep_reading = events.event(at, &event);
                }
            });
            if keep_reading && parser.pending_bytes() > MAX_EVENT_BYTES {
                return Err(read_error(format!(
                    "one server-sent event exceeds {MAX_EVENT_BYTES} bytes"
                )));
            }
        }
        // The stream's end, or the engine stopped reading after this frame.
        let ended = Instant::now();
        if keep_reading {
            // The server closed the stream: an event still pending counts.
            let at = Instant::now();
            parser.finish(|event| {
                if keep_reading {
                    delivered += 1;
                    keep_reading = events.event(at, &event);
                }
            });
        } else {
            finish_in_background(body);
        }
        Ok(TransportResponse {
            status,
            body: ResponseBody::Streamed { events: delivered },
            timing: timing(ended.duration_since(head_at), total),
        })
    }
}

/// The request body: the JSON payload, noting when hyper first polls it,
/// which is when the connection starts writing the request (the request
/// was handed to the connection, any connecting done).
pub struct SentBody {
    inner: Full<Bytes>,
    first_polled: Arc<OnceLock<Instant>>,
}

impl Body for SentBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.first_polled.get_or_init(Instant::now);
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Reads what is left of a stream the engine stopped reading, in the
/// background and within bounds, so that a connection whose response is
/// complete goes back to the pool instead of being closed.
fn finish_in_background(mut body: Incoming) {
    if body.is_end_stream() {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return; // dropping the body closes the connection
    };
    runtime.spawn(async move {
        let drain = async {
            let mut left = DRAIN_BYTES;
            while let Some(Ok(frame)) = body.frame().await {
                let len = frame.data_ref().map_or(0, Bytes::len);
                match left.checked_sub(len) {
                    Some(rest) => left = rest,
                    None => return, // more than an end: close
                }
            }
        };
        let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
    });
}

/// The base URL, checked: http or https, a host, a valid port; a fragment
/// is refused (it would never reach the server). A password in it never
/// appears in a message.
fn parse_base(raw: &str) -> Result<url::Url, BoxError> {
    // `{:?}` quotes and escapes control characters.
    let quoted = || {
        let start: String = without_password(raw).chars().take(200).collect();
        format!("{start:?}")
    };
    let base = url::Url::parse(raw).map_err(|e| {
        format!(
            "{} is not a valid URL ({e}); expected http://host:port or https://host",
            quoted()
        )
    })?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(format!(
            "{} is not an http(s) URL; expected http://host:port or https://host",
            quoted()
        )
        .into());
    }
    if base.host_str().is_none_or(str::is_empty) {
        return Err(format!("{} has no host; expected http://host:port", shown(&base)).into());
    }
    if base.fragment().is_some() {
        return Err(format!(
            "{} has a #fragment, which is never sent to a server; remove it",
            shown(&base)
        )
        .into());
    }
    Ok(base)
}

/// `raw` (a URL that may not parse) with the password of its
/// `user:password@` replaced by `***`.
fn without_password(raw: &str) -> Cow<'_, str> {
    let start = raw.find("://").map_or(0, |i| i + 3);
    let rest = &raw[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let Some(at) = authority.rfind('@') else {
        return Cow::Borrowed(raw);
    };
    match authority[..at].find(':') {
        Some(colon) => Cow::Owned(format!(
            "{}:***{}",
            &raw[..start + colon],
            &raw[start + at..]
        )),
        None => Cow::Borrowed(raw),
    }
}

/// `url` as messages show it: a password replaced by `***`, control
/// characters escaped.
pub fn shown(url: &url::Url) -> String {
    let mut url = url.clone();
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    printable(url.as_str(), 2000)
}

/// The headers every request carries: URL credentials as Basic auth, the
/// API key as Bearer, and the configured ones, each checked and marked
/// sensitive (so no debug output shows them).
fn request_headers(base: &url::Url, config: &HttpConfig) -> Result<HeaderMap, BoxError> {
    let mut headers = HeaderMap::new();
    let mut authorization = None;
    if base.password().is_some() || !base.username().is_empty() {
        use base64::Engine as _;
        let user = percent_decode(base.username());
        let password = percent_decode(base.password().unwrap_or(""));
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        authorization = Some(("the URL's user:password", format!("Basic {token}")));
    }
    if let Some(key) = &config.api_key {
        if authorization.is_some() {
            return Err(
                "invalid config: both `api_key` and a user:password in the URL set the \
                 Authorization header; keep one"
                    .into(),
            );
        }
        authorization = Some(("`api_key`", format!("Bearer {key}")));
    }
    if let Some((source, value)) = authorization {
        let mut value = header_value(&value).ok_or_else(|| {
            format!("invalid config: {source} holds characters a header cannot carry")
        })?;
        value.set_sensitive(true);
        headers.insert(header::AUTHORIZATION, value);
    }
    for (name, value) in &config.headers {
        let shown_name = printable(name, 100);
        let parsed = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            format!("invalid config: `headers.{shown_name}` is not a valid header name")
        })?;
        if RESERVED_HEADERS.contains(&parsed.as_str()) {
            return Err(format!(
                "invalid config: `headers.{shown_name}` is set by the transport itself \
                 (framing and content type); remove it"
            )
            .into());
        }
        if parsed == header::AUTHORIZATION && headers.contains_key(header::AUTHORIZATION) {
            return Err(format!(
                "invalid config: `headers.{shown_name}` sets Authorization, which `api_key` or \
                 the URL already sets; keep one"
            )
            .into());
        }
        if headers.contains_key(&parsed) {
            return Err(format!(
                "invalid config: `headers.{shown_name}` is given twice (header names ignore case)"
            )
            .into());
        }
        let mut value = header_value(value).ok_or_else(|| {
            format!(
                "invalid config: the value of `headers.{shown_name}` holds characters a header \
                 cannot carry (control characters or non-ASCII)"
            )
        })?;
        value.set_sensitive(true);
        headers.insert(parsed, value);
    }
    Ok(headers)
}

/// `value` as a header value: visible ASCII, spaces and tabs only. (`http`
/// also takes bytes above 127, which servers read as Latin-1 or refuse:
/// never what a config meant.)
fn header_value(value: &str) -> Option<HeaderValue> {
    value
        .is_ascii()
        .then(|| HeaderValue::from_str(value).ok())
        .flatten()
}

/// `%xx` sequences of URL userinfo decoded (lossily).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// What [`read_capped`] does at its limit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cap {
    /// Keep what fits and stop reading (an error body's start).
    Truncate,
    /// Fail: the body is larger than the client accepts.
    Refuse,
}

/// Why a body longer than `limit` was refused.
fn too_long(limit: u64) -> String {
    format!("the body exceeds `max_body_bytes` ({limit} bytes); it was not read further")
}

/// Reads a body, never more than `limit` bytes.
async fn read_capped(body: &mut Incoming, limit: u64, cap: Cap) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| format!("the body broke off: {}", innermost_cause(&e)))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        let room = usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .saturating_sub(bytes.len());
        if data.len() > room {
            if cap == Cap::Refuse {
                return Err(too_long(limit));
            }
            bytes.extend_from_slice(&data[..room]);
            break;
        }
        bytes.extend_from_slice(&data);
    }
    Ok(bytes)
}

/// Why a request failed, in one line: the innermost cause.
fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut source = error;
    while let Some(next) = source.source() {
        source = next;
    }
    printable(&source.to_string(), ERROR_BODY_CHARS)
}

impl Transport for Http {
    /// Every header value it sends (each is a credential or may carry
    /// one; for `Authorization`, the token without its scheme, which is no
    /// secret) and the URL's password: all derived from what the client
    /// already holds.
    fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = self
            .headers
            .iter()
            .filter_map(|(name, value)| {
                let value = value.to_str().ok()?;
                Some(match value.split_once(' ') {
                    Some((_scheme, token)) if name == header::AUTHORIZATION => token,
                    _ => value,
                })
            })
            .map(str::to_owned)
            .collect();
        secrets.extend(self.base.password().map(percent_decode));
        secrets
    }

    fn send<'a>(
        &'a self,
        request: TransportRequest<'a>,
        events: &'a mut dyn EventSink,
    ) -> SendFuture<'a> {
        Box::pin(async move {
            let url = self.url_of(request.path);
            let shown_url = shown(&url);
            let exchange = self.exchange(request, events, &url, &shown_url);
            match tokio::time::timeout(self.timeout, exchange).await {
                Ok(result) => result,
                Err(_elapsed) => Err(TransportError::Read {
                    url: shown_url,
                    reason: format!("timed out after {} s (`timeout_s`)", self.timeout_s),
                }),
            }
        })
    }
}

impl Implementation<TransportCategory> for Http {
    const METADATA: TransportMetadata = TransportMetadata {
        url_schemes: &["http", "https"],
    };
    const DESCRIPTION: &'static str = "HTTP/1.1 (TLS for https://) to an OpenAI-compatible \
        server (`url`), JSON or server-sent events; pooled connections, capped bodies, no \
        redirects.";

    fn create(args: TransportArgs) -> Result<Self, BoxError> {
        Http::new(args.url.as_deref(), parse_config(&args.config)?)
    }
}
