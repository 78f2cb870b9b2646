//! What the `http` transport's test files share: driving a send on a
//! runtime of its own, and sinks that collect a stream's events.

#![allow(dead_code)] // each test file uses part of it

use std::future::Future;
use std::time::Instant;

// Link the builtins, whose registrations `http` below looks up by name.
use aiperf_builtins as _;
use aiperf_plugin_api::{
    EventSink, Transport, TransportArgs, TransportError, TransportFactory, TransportRequest,
    TransportResponse,
};
use serde_json::Value;

/// Runs `future` to completion on a current-thread runtime with timers and
/// I/O, dropped afterwards (which closes every connection it opened).
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build a tokio runtime")
        .block_on(future)
}

/// Collects every event with its arrival instant; never stops reading.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<(Instant, String)>);

impl EventSink for Collect {
    fn event(&mut self, at: Instant, data: &str) -> bool {
        self.0.push((at, data.to_owned()));
        true
    }
}

impl Collect {
    /// The events' data.
    pub fn data(&self) -> Vec<&str> {
        self.0.iter().map(|(_, data)| data.as_str()).collect()
    }
}

/// Collects events and stops reading at `[DONE]`, as the engine does.
#[derive(Debug, Default)]
pub struct UntilDone(pub Vec<(Instant, String)>);

impl EventSink for UntilDone {
    fn event(&mut self, at: Instant, data: &str) -> bool {
        self.0.push((at, data.to_owned()));
        data != "[DONE]"
    }
}

/// The `http` transport for `url`, created through the registry.
pub fn http(url: &str, config: Value) -> Box<dyn Transport> {
    TransportFactory::create_instance(
        "http",
        TransportArgs {
            url: Some(url.to_owned()),
            config,
        },
    )
    .unwrap_or_else(|e| panic!("create http for {url}: {e}"))
}

/// Why creating the `http` transport fails (it must).
#[track_caller]
pub fn creation_error(url: Option<&str>, config: Value) -> String {
    let created = TransportFactory::create_instance(
        "http",
        TransportArgs {
            url: url.map(str::to_owned),
            config: config.clone(),
        },
    );
    match created {
        Ok(_) => panic!("creating http for {url:?} with {config} succeeded"),
        Err(e) => e.to_string(),
    }
}

/// A request for `path` with `body`.
pub fn request<'a>(path: &'a str, body: &'a Value, stream: bool) -> TransportRequest<'a> {
    TransportRequest { path, body, stream }
}

/// Sends one request on a runtime of its own, collecting events.
pub fn send(
    transport: &dyn Transport,
    path: &str,
    body: &Value,
    stream: bool,
) -> (Result<TransportResponse, TransportError>, Collect) {
    let mut sink = Collect::default();
    let result = block_on(transport.send(request(path, body, stream), &mut sink));
    (result, sink)
}

/// The error of a request that must fail, as text.
pub fn send_err(transport: &dyn Transport, path: &str, stream: bool) -> TransportError {
    match send(transport, path, &serde_json::json!({}), stream).0 {
        Ok(response) => panic!("expected an error, got {response:?}"),
        Err(e) => e,
    }
}
