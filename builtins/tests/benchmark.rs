//! The orchestrator end to end, with a canned transport registered by this
//! test (so the run is exact and needs no network): phases, hooks, UI,
//! exporters and timing strategies all created by name from a config.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use aiperf_builtins::benchmark::{Benchmark, BuildOptions};
use aiperf_builtins::categories::{
    PhaseHook, PhaseHookArgs, PhaseHookCategory, ResponseBody, TimedEvent, Transport,
    TransportArgs, TransportCategory, TransportError, TransportMetadata, TransportRequest,
    TransportResponse,
};
use aiperf_builtins::config::{parse_config, parse_config_str};
use aiperf_builtins::stats::{Phase, PhaseStart, PhaseStats};
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
}

impl Transport for Canned {
    fn send(&self, request: TransportRequest<'_>) -> Result<TransportResponse, TransportError> {
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
            });
        }
        let body = if request.stream {
            let chunk = |text: &str| json!({"choices": [{"index": 0, "delta": {"content": text}}]});
            let events = [
                json!({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}).to_string(),
                chunk("one ").to_string(),
                chunk("two").to_string(),
                json!({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}})
                    .to_string(),
                "[DONE]".to_owned(),
            ];
            ResponseBody::Events(
                events
                    .into_iter()
                    .map(|data| TimedEvent {
                        at: Instant::now(),
                        data,
                    })
                    .collect(),
            )
        } else {
            let body = json!({
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "a b c d"}}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 4}
            });
            ResponseBody::Complete(body.to_string().into_bytes())
        };
        Ok(TransportResponse { status: 200, body })
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

register_lazy!(TransportCategory, "canned", Canned, id = "test_canned");
register_lazy!(PhaseHookCategory, "witness", Witness, id = "test_witness");

fn temp_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aiperf-bench-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn build(yaml: &str, test: &str) -> Result<Benchmark, Vec<String>> {
    let (config, secrets) = parse_config_str(yaml, "bench.yaml", &|_| None).unwrap();
    let options = BuildOptions {
        output_dir: Some(temp_dir(test)),
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
    let mut benchmark = build(yaml, "full").unwrap();
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
        ["profile_export_aiperf.json", "profile_export_aiperf.csv"]
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&written[0]).unwrap()).unwrap();
    assert_eq!(json["phases"][1]["completed"], 9);
    std::fs::remove_dir_all(benchmark.output_dir()).unwrap();
}

#[test]
fn server_errors_and_malformed_bodies_are_counted_not_fatal() {
    let yaml = r#"
plugins: { timing_strategy: { name: request_rate, config: { rate: 1000, requests: 6 } } }
endpoint: { type: chat, model: demo }
transport: { type: canned, config: { fail_every: 3 } }
ui: { name: none }
"#;
    let results = build(yaml, "errors").unwrap().run(&AtomicBool::new(false));
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
    let results = build(&yaml, "garbage")
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
    let mut benchmark = build(yaml, "stopped").unwrap();
    let results = benchmark.run(&AtomicBool::new(true));
    assert!(results.interrupted);
    assert!(results.phases[0].sent < 1000);
    let (written, problems) = benchmark.export(&results);
    assert!(problems.is_empty() && written.len() == 1, "{problems:?}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&written[0]).unwrap()).unwrap();
    assert_eq!(json["interrupted"], true);
    std::fs::remove_dir_all(benchmark.output_dir()).unwrap();
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
    let problems = build(yaml, "problems").unwrap_err();
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
        "exporters[0]: unknown exporter name \"parquet\"",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
}
