//! One request: payload, transport, response parsing, measurements.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use aiperf_plugin_api::stats::RequestRecord;
use aiperf_plugin_api::{Endpoint, Output, Prompt, ResponseBody, Transport, TransportRequest};
use registry_core::panic_message;

/// The component a request is inside, so that a panic is blamed on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Endpoint,
    Transport,
}

/// How the endpoint and transport of a run are named in errors, e.g.
/// ``endpoint `chat` (openai_chat)``.
#[derive(Debug, Clone)]
pub(crate) struct Labels {
    pub(crate) endpoint: String,
    pub(crate) transport: String,
}

/// [`execute`], with a panic in the endpoint or transport (a plugin's bug)
/// turned into a failed request naming the component, so the run goes on
/// and counts it.
pub(crate) fn execute_catching_panics(
    labels: &Labels,
    endpoint: &dyn Endpoint,
    transport: &dyn Transport,
    path: &str,
    prompt: &Prompt,
    stream: bool,
) -> RequestRecord {
    let stage = Cell::new(Stage::Endpoint);
    let sent = Instant::now();
    // Nothing the closure touches is used after a panic except `stage`, a
    // plain `Copy` value.
    let run = AssertUnwindSafe(|| execute(endpoint, transport, path, prompt, stream, &stage));
    catch_unwind(run).unwrap_or_else(|payload| {
        let component = match stage.get() {
            Stage::Endpoint => &labels.endpoint,
            Stage::Transport => &labels.transport,
        };
        RequestRecord {
            latency: sent.elapsed(),
            time_to_first_token: None,
            output_tokens: 0,
            error: Some(format!(
                "{component} panicked: {}",
                panic_message(payload.as_ref())
            )),
        }
    })
}

/// Sends one request and measures it. Never panics on a bad response: every
/// failure becomes the record's `error`. `stage` tells, at any moment,
/// which component is running.
fn execute(
    endpoint: &dyn Endpoint,
    transport: &dyn Transport,
    path: &str,
    prompt: &Prompt,
    stream: bool,
    stage: &Cell<Stage>,
) -> RequestRecord {
    let payload = endpoint.format_payload(prompt);
    let sent = Instant::now();
    let failed = |latency: Duration, error: String| RequestRecord {
        latency,
        time_to_first_token: None,
        output_tokens: 0,
        error: Some(error),
    };
    let request = TransportRequest {
        path,
        body: &payload,
        stream,
    };
    stage.set(Stage::Transport);
    let response = transport.send(request);
    stage.set(Stage::Endpoint);
    let response = match response {
        Ok(response) => response,
        Err(e) => return failed(sent.elapsed(), e.to_string()),
    };
    match response.body {
        ResponseBody::Complete(bytes) => {
            let latency = sent.elapsed();
            match endpoint.parse_response(&bytes) {
                Ok(parsed) => RequestRecord {
                    latency,
                    time_to_first_token: None,
                    output_tokens: parsed
                        .usage
                        .and_then(|u| u.completion_tokens)
                        .unwrap_or_else(|| match &parsed.output {
                            Output::Text(text) => text.split_whitespace().count() as u64,
                            _ => 0,
                        }),
                    error: None,
                },
                Err(e) => failed(latency, e.to_string()),
            }
        }
        ResponseBody::Events(events) => {
            let latency = events
                .last()
                .map_or_else(|| sent.elapsed(), |e| e.at.saturating_duration_since(sent));
            let mut first_token = None;
            let mut chunks = 0u64;
            let mut reported = None;
            for event in &events {
                match endpoint.parse_stream_event(&event.data) {
                    Ok(None) => break,
                    Ok(Some(delta)) => {
                        if !delta.text.is_empty() {
                            chunks += 1;
                            first_token.get_or_insert(event.at.saturating_duration_since(sent));
                        }
                        if let Some(tokens) = delta.usage.and_then(|u| u.completion_tokens) {
                            reported = Some(tokens);
                        }
                    }
                    Err(e) => return failed(latency, e.to_string()),
                }
            }
            RequestRecord {
                latency,
                time_to_first_token: first_token,
                output_tokens: reported.unwrap_or(chunks),
                error: None,
            }
        }
    }
}
