//! `http`: a blocking HTTP client for OpenAI-compatible servers.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Instant;

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use super::sse::SseParser;
use aiperf_plugin_api::config::{DurationRange, TimeUnit, parse_config};
use aiperf_plugin_api::{
    ResponseBody, TimedEvent, Transport, TransportArgs, TransportCategory, TransportError,
    TransportMetadata, TransportRequest, TransportResponse,
};

/// Config of [`Http`].
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Whole-request timeout in seconds, > 0 and at most 604800 (7 days).
    /// Default 600.
    #[serde(default = "HttpConfig::default_timeout")]
    pub timeout_s: f64,
    /// Sent as `Authorization: Bearer ...`; use `${VAR}` in the config file
    /// to keep it out of the file. Never printed.
    #[serde(default)]
    pub api_key: Option<String>,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl HttpConfig {
    fn default_timeout() -> f64 {
        600.0
    }
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("timeout_s", &self.timeout_s)
            .field("api_key", &self.api_key.as_ref().map(|_| "<hidden>"))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Posts each payload as JSON to `{url}{endpoint path}`; reads the answer
/// whole, or as server-sent events timestamped on arrival (so time to first
/// token is measured on the wire). Plain `http://` only: this build has no
/// TLS, which keeps the dependency tree small.
pub struct Http {
    base: String,
    agent: ureq::Agent,
    config: HttpConfig,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("base", &self.base)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// At most this many characters of an error body are kept.
const ERROR_BODY_CHARS: usize = 500;
/// `timeout_s`: above 0, at most 7 days (a deadline must stay
/// representable).
const TIMEOUT: DurationRange = DurationRange::above_zero(TimeUnit::Seconds, 604_800.0, "7 days");
/// Complete bodies larger than this are refused (a runaway server).
const MAX_BODY_BYTES: u64 = 64 << 20;

impl Http {
    /// A client for the server at `url` (`http://host:port`).
    pub fn new(url: Option<&str>, config: HttpConfig) -> Result<Self, BoxError> {
        let url = url.map(str::trim).filter(|u| !u.is_empty()).ok_or(
            "the http transport needs the server's URL: set `transport.url` in the config \
             or pass --url (e.g. http://127.0.0.1:8000)",
        )?;
        if url.starts_with("https://") {
            return Err(format!(
                "{url}: https is not supported by this build (no TLS); use an http:// URL"
            )
            .into());
        }
        if !url.starts_with("http://") || url.len() == "http://".len() {
            return Err(format!("{url:?} is not an http URL; expected http://host:port").into());
        }
        let timeout = TIMEOUT.check("timeout_s", config.timeout_s)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build()
            .into();
        Ok(Http {
            base: url.trim_end_matches('/').to_owned(),
            agent,
            config,
        })
    }
}

fn first_chars(bytes: &[u8], n: usize) -> String {
    String::from_utf8_lossy(bytes).chars().take(n).collect()
}

impl Transport for Http {
    fn send(&self, request: TransportRequest<'_>) -> Result<TransportResponse, TransportError> {
        let url = format!("{}{}", self.base, request.path);
        let mut call = self
            .agent
            .post(&url)
            .header("content-type", "application/json");
        if request.stream {
            call = call.header("accept", "text/event-stream");
        }
        if let Some(key) = &self.config.api_key {
            call = call.header("authorization", format!("Bearer {key}"));
        }
        for (name, value) in &self.config.headers {
            call = call.header(name.as_str(), value.as_str());
        }
        let payload = serde_json::to_vec(request.body).map_err(|e| TransportError::Read {
            url: url.clone(),
            reason: format!("cannot encode the payload: {e}"),
        })?;
        let response = call.send(&payload[..]).map_err(|e| match e {
            ureq::Error::Timeout(_) => TransportError::Read {
                url: url.clone(),
                reason: format!("timed out after {} s (`timeout_s`)", self.config.timeout_s),
            },
            other => TransportError::Connect {
                url: url.clone(),
                reason: other.to_string(),
            },
        })?;
        let status = response.status().as_u16();
        let timeout = self.config.timeout_s;
        let read_error = |e: &dyn std::fmt::Display| {
            let reason = e.to_string();
            TransportError::Read {
                url: url.clone(),
                // ureq says "timeout: global"; say which limit was hit.
                reason: if reason.contains("timeout") || reason.contains("timed out") {
                    format!("timed out after {timeout} s (`timeout_s`)")
                } else {
                    reason
                },
            }
        };
        let mut body = response.into_body();
        if !(200..300).contains(&status) {
            let bytes = body
                .with_config()
                .limit(MAX_BODY_BYTES)
                .read_to_vec()
                .unwrap_or_default();
            return Err(TransportError::Status {
                url,
                status,
                body: first_chars(&bytes, ERROR_BODY_CHARS),
            });
        }
        if !request.stream {
            let bytes = body
                .with_config()
                .limit(MAX_BODY_BYTES)
                .read_to_vec()
                .map_err(|e| read_error(&e))?;
            return Ok(TransportResponse {
                status,
                body: ResponseBody::Complete(bytes),
            });
        }
        let mut reader = body.into_reader();
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = reader.read(&mut chunk).map_err(|e| read_error(&e))?;
            if n == 0 {
                break;
            }
            let at = Instant::now();
            parser.feed(&chunk[..n], |data| events.push(TimedEvent { at, data }));
        }
        let at = Instant::now();
        parser.finish(|data| events.push(TimedEvent { at, data }));
        Ok(TransportResponse {
            status,
            body: ResponseBody::Events(events),
        })
    }
}

impl Implementation<TransportCategory> for Http {
    const METADATA: TransportMetadata = TransportMetadata {
        url_schemes: &["http"],
    };
    const DESCRIPTION: &'static str =
        "HTTP/1.1 to an OpenAI-compatible server (`url`), JSON or server-sent events.";

    fn create(args: TransportArgs) -> Result<Self, BoxError> {
        Http::new(args.url.as_deref(), parse_config(&args.config)?)
    }
}
