//! The orchestrator end to end, with a canned transport registered by this
//! test (so the run is exact and needs no network): phases, hooks, UI,
//! exporters and timing strategies all created by name from a config.

// The engine names no implementation; these tests run it over the builtins.
use aiperf_builtins as _;
use aiperf_test_support::scratch_dir;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use aiperf_engine::benchmark::{Benchmark, BuildOptions};
use aiperf_engine::config::parse_config_str;
use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::stats::{BenchmarkResults, Phase, PhaseStart, PhaseStats};
use aiperf_plugin_api::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointMetadata, EventSink,
    ParsedResponse, PhaseHook, PhaseHookArgs, PhaseHookCategory, Prompt, ResponseBody, SendFuture,
    StreamDelta, Transport, TransportArgs, TransportCategory, TransportError, TransportMetadata,
    TransportRequest, TransportResponse,
};
use registry_core::{BoxError, Implementation, register_lazy};
use serde::Deserialize;
use serde_json::json;

/// Answers chat requests with four words; request number `fail_every`,
/// `2 * fail_every`, ... gets a 500, and `garbage: true` answers non-JSON.
struct Canned {
    config: CannedConfig,
    count: AtomicU64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct CannedConfig {
    fail_every: u64,
    garbage: bool,
    /// Answer complete JSON even when a stream was asked for.
    ignore_stream: bool,
}

impl Transport for Canned {
    fn send<'a>(
        &'a self,
        request: TransportRequest<'a>,
        events: &'a mut dyn EventSink,
    ) -> SendFuture<'a> {
        // Answers at once: a ready future.
        Box::pin(std::future::ready(self.answer(request, events)))
    }
}

impl Canned {
    fn answer(
        &self,
        request: TransportRequest<'_>,
        sink: &mut dyn EventSink,
    ) -> Result<TransportResponse, TransportError> {
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        assert_eq!(request.path, "/v1/chat/completions");
        if self.config.fail_every > 0 && n % self.config.fail_every == 0 {
            return Err(TransportError::Status {
                url: "canned".into(),
                status: 500,
                body: "overloaded".into(),
            });
        }
        if self.config.garbage {
            return Ok(TransportResponse {
                status: 200,
                body: ResponseBody::Complete(b"<html>oops</html>".to_vec()),
                timing: aiperf_plugin_api::ExchangeTiming::default(),
            });
        }
        let body = if request.stream && !self.config.ignore_stream {
            let chunk = |text: &str| json!({"choices": [{"index": 0, "delta": {"content": text}}]});
            let events = [
                json!({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}).to_string(),
                chunk("one ").to_string(),
                chunk("two").to_string(),
                json!({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}})
                    .to_string(),
                "[DONE]".to_owned(),
            ];
            let mut delivered = 0;
            for data in &events {
                delivered += 1;
                if !sink.event(Instant::now(), data) {
                    break;
                }
            }
            ResponseBody::Streamed { events: delivered }
        } else {
            let body = json!({
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "a b c d"}}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 4}
            });
            ResponseBody::Complete(body.to_string().into_bytes())
        };
        Ok(TransportResponse {
            status: 200,
            body,
            timing: aiperf_plugin_api::ExchangeTiming::default(),
        })
    }
}

impl Implementation<TransportCategory> for Canned {
    const METADATA: TransportMetadata = TransportMetadata { url_schemes: &[] };
    fn create(args: TransportArgs) -> Result<Self, BoxError> {
        Ok(Canned {
            config: parse_config(&args.config)?,
            count: AtomicU64::new(0),
        })
    }
}

static EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records phase boundaries.
struct Witness;

impl PhaseHook for Witness {
    fn on_phase_start(&self, start: &PhaseStart) -> Result<(), BoxError> {
        EVENTS
            .lock()
            .unwrap()
            .push(format!("start {}", start.phase));
        Ok(())
    }
    fn on_phase_complete(&self, stats: &PhaseStats) -> Result<(), BoxError> {
        EVENTS.lock().unwrap().push(format!(
            "complete {} {}/{}",
            stats.phase, stats.completed, stats.sent
        ));
        Ok(())
    }
}

impl Implementation<PhaseHookCategory> for Witness {
    const METADATA: () = ();
    fn create(_: PhaseHookArgs) -> Result<Self, BoxError> {
        Ok(Witness)
    }
}

/// A transport with a bug: request number `every`, `2 * every`, ... panics;
/// the others get a four-word answer.
struct Panicky {
    every: u64,
    count: AtomicU64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PanickyConfig {
    every: u64,
}

impl Transport for Panicky {
    fn send<'a>(&'a self, _: TransportRequest<'a>, _: &'a mut dyn EventSink) -> SendFuture<'a> {
        Box::pin(async move {
            let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
            if n % self.every == 0 {
                panic!("transport bug on request {n}");
            }
            let body = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "a b c d"}}]});
            Ok(TransportResponse {
                status: 200,
                body: ResponseBody::Complete(body.to_string().into_bytes()),
                timing: aiperf_plugin_api::ExchangeTiming::default(),
            })
        })
    }
}

impl Implementation<TransportCategory> for Panicky {
    const METADATA: TransportMetadata = TransportMetadata { url_schemes: &[] };
    fn create(args: TransportArgs) -> Result<Self, BoxError> {
        let config: PanickyConfig = parse_config(&args.config)?;
        Ok(Panicky {
            every: config.every,
            count: AtomicU64::new(0),
        })
    }
}

/// An endpoint with a bug: reading any response panics.
struct PanickyEndpoint;

impl Endpoint for PanickyEndpoint {
    fn format_payload(&self, prompt: &Prompt) -> serde_json::Value {
        json!({"messages": [{"role": "user", "content": prompt.text}]})
    }
    fn parse_response(&self, _: &[u8]) -> Result<ParsedResponse, EndpointError> {
        panic!("endpoint bug: {}", "index out of range");
    }
    fn parse_stream_event(&self, _: &str) -> Result<Option<StreamDelta>, EndpointError> {
        panic!("endpoint bug in a stream");
    }
}

impl Implementation<EndpointCategory> for PanickyEndpoint {
    const METADATA: EndpointMetadata = EndpointMetadata {
        endpoint_path: "/v1/chat/completions",
        streaming_path: None,
        supports_streaming: false,
        produces_tokens: true,
        tokenizes_input: true,
        metrics_title: "Panicky",
    };
    fn create(_: EndpointArgs) -> Result<Self, BoxError> {
        Ok(PanickyEndpoint)
    }
}

register_lazy!(TransportCategory, "canned", Canned, id = "test_canned");
register_lazy!(TransportCategory, "panicky", Panicky, id = "test_panicky");
register_lazy!(
    EndpointCategory,
    "panicky",
    PanickyEndpoint,
    id = "test_panicky_endpoint"
);
register_lazy!(PhaseHookCategory, "witness", Witness, id = "test_witness");

/// Builds `yaml`'s benchmark with its result files going to `dir`.
fn build(yaml: &str, dir: &Path) -> Result<Benchmark, Vec<String>> {
    let (config, secrets) = parse_config_str(yaml, "bench.yaml", &|_| None).unwrap();
    let options = BuildOptions {
        output_dir: Some(dir.join("out")),
        ..BuildOptions::default()
    };
    Benchmark::from_config(&config, &secrets, options)
}

#[test]
fn a_run_with_warmup_hooks_and_exporters() {
    let yaml = r#"
plugins:
  phase_hooks: [ { name: witness }, { name: logging } ]
  timing_strategy: { name: concurrency, config: { concurrency: 3, requests: 9 } }
warmup: { name: fixed_schedule, config: { offsets_ms: [0, 1] } }
endpoint: { type: chat, model: demo, streaming: true }
transport: { type: canned }
ui: { name: none }
dataset: { prompts: [a, b, c], sampler: random, seed: 7 }
"#;
    let scratch = scratch_dir("full");
    let mut benchmark = build(yaml, scratch.path()).unwrap();
    EVENTS.lock().unwrap().clear();
    let results = benchmark.run(&AtomicBool::new(false));
    assert!(!results.interrupted);
    assert_eq!(results.phases.len(), 2);
    let (warmup, profiling) = (&results.phases[0], &results.phases[1]);
    assert_eq!(
        (warmup.phase, warmup.sent, warmup.completed),
        (Phase::Warmup, 2, 2)
    );
    assert_eq!(
        (profiling.sent, profiling.completed, profiling.failed),
        (9, 9, 0)
    );
    assert_eq!(
        profiling.output_tokens, 18,
        "usage from the stream's last chunk"
    );
    assert!(
        profiling.time_to_first_token_ms.is_some(),
        "streamed: TTFT measured"
    );
    assert_eq!(
        *EVENTS.lock().unwrap(),
        [
            "start warmup",
            "complete warmup 2/2",
            "start profiling",
            "complete profiling 9/9"
        ]
    );

    let (written, problems) = benchmark.export(&results);
    assert_eq!(problems, Vec::<String>::new());
    let names: Vec<_> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "profile_export_aiperf.json",
            "profile_export_aiperf.csv",
            "profile_export.jsonl",
            "inputs.json"
        ]
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&written[0]).unwrap()).unwrap();
    assert_eq!(json["request_count"]["avg"], 9.0);
    // Every request of both phases, one line each; the dataset's 3 prompts.
    let jsonl = std::fs::read_to_string(&written[2]).unwrap();
    assert_eq!(jsonl.lines().count(), 11);
    let inputs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&written[3]).unwrap()).unwrap();
    assert_eq!(inputs["data"].as_array().unwrap().len(), 3);
}

#[test]
fn server_errors_and_malformed_bodies_are_counted_not_fatal() {
    let yaml = r#"
plugins: { timing_strategy: { name: request_rate, config: { rate: 1000, requests: 6 } } }
endpoint: { type: chat, model: demo }
transport: { type: canned, config: { fail_every: 3 } }
ui: { name: none }
"#;
    let scratch = scratch_dir("errors");
    let results = build(yaml, scratch.path())
        .unwrap()
        .run(&AtomicBool::new(false));
    let p = &results.phases[0];
    assert_eq!(
        (p.sent, p.completed, p.failed, p.output_tokens),
        (6, 4, 2, 16)
    );
    assert_eq!(
        p.errors,
        [("canned answered 500: overloaded".to_owned(), 2)]
    );

    let yaml = yaml.replace("fail_every: 3", "garbage: true");
    let scratch = scratch_dir("garbage");
    let results = build(&yaml, scratch.path())
        .unwrap()
        .run(&AtomicBool::new(false));
    let p = &results.phases[0];
    assert_eq!((p.sent, p.failed), (6, 6));
    assert!(
        p.errors[0].0.starts_with("response is not valid JSON"),
        "{:?}",
        p.errors
    );
}

#[test]
fn a_stopped_run_is_interrupted_and_still_exports() {
    let yaml = r#"
plugins: { timing_strategy: { name: concurrency, config: { concurrency: 1, requests: 1000 } } }
endpoint: { type: chat, model: demo }
transport: { type: canned }
ui: { name: none }
exporters: [ { name: json } ]
"#;
    let scratch = scratch_dir("stopped");
    let mut benchmark = build(yaml, scratch.path()).unwrap();
    let results = benchmark.run(&AtomicBool::new(true));
    assert!(results.interrupted);
    assert!(results.phases[0].sent < 1000);
    let (written, problems) = benchmark.export(&results);
    assert!(problems.is_empty() && written.len() == 1, "{problems:?}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&written[0]).unwrap()).unwrap();
    assert_eq!(json["was_cancelled"], true);
}

#[test]
fn every_problem_is_reported_at_once() {
    let yaml = r#"
plugins:
  phase_hooks: [ { name: witnes } ]
  timing_strategy: { name: request_rate, config: { rate: 0, requests: 5 } }
endpoint: { type: embeddings, model: demo, streaming: true }
transport: { type: canned, config: { retries: 3 } }
dataset: { prompts: [], sampler: shuffled }
exporters: [ { name: parquet } ]
"#;
    let scratch = scratch_dir("problems");
    let problems = build(yaml, scratch.path()).unwrap_err();
    let all = problems.join("\n");
    for expected in [
        "endpoint.type: ",
        "does not support streaming",
        "transport: ",
        "unknown field `retries`",
        "dataset.prompts: is empty",
        "dataset.sampler: unknown dataset_sampler name \"shuffled\"",
        "plugins.timing_strategy: ",
        "`rate` is 0",
        "exporters[0]: unknown data_exporter name \"parquet\"",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
}

/// Builds and runs `yaml` on another thread; a run that does not finish in
/// 30 s fails the test instead of hanging it.
fn run_or_fail_after_30s(yaml: &str, test: &str) -> BenchmarkResults {
    let (yaml, test) = (yaml.to_owned(), test.to_owned());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let scratch = scratch_dir(&test);
        let results = build(&yaml, scratch.path())
            .unwrap()
            .run(&AtomicBool::new(false));
        let _ = tx.send(results);
    });
    rx.recv_timeout(std::time::Duration::from_secs(30))
        .expect("the run finished (a panicking request must not hang the phase)")
}

#[test]
fn a_panicking_transport_is_a_counted_failure_naming_it() {
    let yaml = r#"
plugins: { timing_strategy: { name: concurrency, config: { concurrency: 2, requests: 6 } } }
endpoint: { type: chat, model: demo }
transport: { type: panicky, config: { every: 2 } }
ui: { name: none }
"#;
    let results = run_or_fail_after_30s(yaml, "panicky-transport");
    let p = &results.phases[0];
    assert_eq!((p.sent, p.completed, p.failed), (6, 3, 3), "{:?}", p.errors);
    assert_eq!(p.output_tokens, 12, "the three answered requests count");
    let messages: Vec<&str> = p.errors.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(
        messages.len(),
        3,
        "one message per panicking request: {messages:?}"
    );
    for message in messages {
        assert!(
            message.starts_with(
                "transport `panicky` (test_panicky) panicked: transport bug on request "
            ),
            "{message}"
        );
    }
}

#[test]
fn a_panicking_endpoint_is_a_counted_failure_naming_it() {
    let yaml = r#"
plugins: { timing_strategy: { name: request_rate, config: { rate: 1000, requests: 4 } } }
endpoint: { type: panicky, model: demo }
transport: { type: canned }
ui: { name: none }
"#;
    let results = run_or_fail_after_30s(yaml, "panicky-endpoint");
    let p = &results.phases[0];
    assert_eq!((p.sent, p.completed, p.failed), (4, 0, 4));
    assert_eq!(
        p.errors,
        [(
            "endpoint `panicky` (test_panicky_endpoint) panicked: endpoint bug: index out of range"
                .to_owned(),
            4
        )]
    );
}

/// Counts what the orchestrator asks a timing strategy, and plans the way
/// a careless strategy would: each call to `next` schedules the request
/// `gap_ms` after *now*. Under the documented contract (`next` once per
/// request, its answer held until the request is issued) that is one gap
/// per request; if the orchestrator asked again while waiting, every
/// question would push the request back and the phase would never end.
struct Probe {
    requests: u64,
    gap: std::time::Duration,
    issued_seen: Vec<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeConfig {
    requests: u64,
    gap_ms: u64,
}

/// What the probe saw: the `progress.issued` of each call to `next`, and
/// the number of `on_finished` calls.
static PROBE_LOG: Mutex<Option<(Vec<u64>, u64)>> = Mutex::new(None);

impl aiperf_plugin_api::TimingStrategy for Probe {
    fn next(&mut self, progress: aiperf_plugin_api::Progress) -> aiperf_plugin_api::Decision {
        self.issued_seen.push(progress.issued);
        PROBE_LOG.lock().unwrap().get_or_insert_default().0 = self.issued_seen.clone();
        if progress.issued >= self.requests {
            return aiperf_plugin_api::Decision::Done;
        }
        aiperf_plugin_api::Decision::at(progress.elapsed + self.gap)
    }

    fn on_finished(&mut self, _: aiperf_plugin_api::Feedback) {
        PROBE_LOG.lock().unwrap().get_or_insert_default().1 += 1;
    }

    fn total_requests(&self) -> Option<u64> {
        Some(self.requests)
    }
}

impl Implementation<aiperf_plugin_api::TimingStrategyCategory> for Probe {
    const METADATA: () = ();
    fn create(args: aiperf_plugin_api::TimingArgs) -> Result<Self, BoxError> {
        let config: ProbeConfig = parse_config(&args.config)?;
        Ok(Probe {
            requests: config.requests,
            gap: std::time::Duration::from_millis(config.gap_ms),
            issued_seen: Vec::new(),
        })
    }
}

register_lazy!(
    aiperf_plugin_api::TimingStrategyCategory,
    "probe",
    Probe,
    id = "test_probe"
);

#[test]
fn a_timing_strategy_is_asked_exactly_once_per_request() {
    let yaml = r#"
plugins: { timing_strategy: { name: probe, config: { requests: 8, gap_ms: 20 } } }
endpoint: { type: chat, model: demo }
transport: { type: canned }
ui: { name: none }
"#;
    let started = Instant::now();
    let results = run_or_fail_after_30s(yaml, "probe");
    let took = started.elapsed();
    let (calls, finished) = PROBE_LOG.lock().unwrap().clone().unwrap();
    // Once per request, in order, then once for `Done`.
    assert_eq!(calls, (0..=8).collect::<Vec<u64>>());
    assert_eq!(finished, 8, "on_finished once per finished request");
    assert_eq!(results.phases[0].sent, 8);
    // Eight gaps of 20 ms, not one gap per wake-up of the orchestrator.
    assert!(
        took < std::time::Duration::from_secs(5),
        "the phase took {took:?}"
    );
}

/// With streaming asked for, a 200 that is not an event stream is not a
/// success with zero tokens: each such request fails, saying so.
#[test]
fn a_complete_answer_to_a_stream_request_is_a_failure() {
    let yaml = r#"
plugins: { timing_strategy: { name: concurrency, config: { concurrency: 2, requests: 4 } } }
endpoint: { type: chat, model: demo, streaming: true }
transport: { type: canned, config: { ignore_stream: true } }
ui: { name: none }
"#;
    let results = run_or_fail_after_30s(yaml, "not-a-stream");
    let p = &results.phases[0];
    assert_eq!((p.sent, p.completed, p.failed), (4, 0, 4), "{:?}", p.errors);
    assert!(
        p.errors[0].0.starts_with(
            "a stream was asked for, but the answer is not an event stream (text/event-stream); \
             it starts with "
        ),
        "{:?}",
        p.errors
    );
}

/// The client's own in-flight limit (the CLI's, from the open-files limit)
/// holds requests back whatever the strategy asks, and the phase says the
/// client set the pace; nothing fails.
#[test]
fn the_client_in_flight_limit_holds_requests_and_says_so() {
    let yaml = r#"
plugins: { timing_strategy: { name: concurrency, config: { concurrency: 6, requests: 12 } } }
endpoint: { type: chat, model: demo }
transport: { type: in_engine, config: { ttft_ms: 20 } }
ui: { name: none }
"#;
    let (config, secrets) = parse_config_str(yaml, "bench.yaml", &|_| None).unwrap();
    let scratch = scratch_dir("client-limit");
    let options = BuildOptions {
        output_dir: Some(scratch.path().to_owned()),
        max_in_flight: Some(2),
        ..BuildOptions::default()
    };
    let started = Instant::now();
    let results = Benchmark::from_config(&config, &secrets, options)
        .unwrap()
        .run(&AtomicBool::new(false));
    let p = &results.phases[0];
    assert_eq!((p.sent, p.completed, p.failed), (12, 12, 0));
    // Two at a time: six rounds of at least 20 ms.
    assert!(started.elapsed() >= std::time::Duration::from_millis(120));
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("in-flight requests reached the client's limit of 2")),
        "{:?}",
        p.notes
    );
}
