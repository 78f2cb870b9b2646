//! One request: payload, transport, response parsing, measurements.

use std::time::{Duration, Instant};

use crate::categories::{Endpoint, Output, Prompt, ResponseBody, Transport, TransportRequest};
use crate::stats::RequestRecord;

/// Sends one request and measures it. Never panics on a bad response: every
/// failure becomes the record's `error`.
pub(crate) fn execute(
    endpoint: &dyn Endpoint,
    transport: &dyn Transport,
    path: &str,
    prompt: &Prompt,
    stream: bool,
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
    let response = match transport.send(request) {
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
