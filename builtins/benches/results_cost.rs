//! What a run costs after its last response, per 100,000 requests
//! (BENCHMARKS.md section 11): the engine's `PhaseStats::from_records`,
//! `aiperf_plugin_api::metrics::compute` (AIPerf's metrics), and each
//! builtin data exporter writing its file into a temporary directory
//! (`profile_export_aiperf.json`, `profile_export_aiperf.csv`,
//! `profile_export.jsonl`, and `inputs.json` with 100 dataset entries),
//! through the same `DataExporter::export` the engine calls (atomic write,
//! fsync included).
//!
//! The records are synthetic successful streamed chat requests, as a
//! 64-token answer gives them: latency about 120 ms, TTFT about 25 ms, 64
//! chunk offsets, server usage (100 prompt, 64 completion tokens) and every
//! HTTP timing field. Values vary from request to request (a fixed
//! pseudo-random sequence), so the sorts behind the percentiles sort real
//! data.
//!
//! ```sh
//! cargo bench -p aiperf-builtins --bench results_cost
//! ```
//!
//! One step alone, once, with its peak memory (for `/usr/bin/time -v`):
//! `AIPERF_COST_STEP=jsonl target/release/deps/results_cost-* ` (steps:
//! `records`, `from_records`, `compute`, `json`, `csv`, `jsonl`,
//! `inputs_json`; `what_if` prices the changes proposed in BENCHMARKS.md
//! section 11 against the current code, alternately). It prints the wall and CPU time of the step, the process's
//! resident memory before it (the records and the computed results: the
//! peak is reset there) and its peak (`VmHWM`) by the step's end.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use aiperf_builtins::exporters::{Csv, InputsJson, Json, Jsonl};
use aiperf_plugin_api::data_exporter::write_atomically_with;
use aiperf_plugin_api::endpoint::Usage;
use aiperf_plugin_api::metrics::{MetricDef, RequestValue, compute, request_values};
use aiperf_plugin_api::stats::{BenchmarkResults, Phase, PhaseStats, RequestRecord, TokenSource};
use aiperf_plugin_api::transport::ExchangeTiming;
use aiperf_plugin_api::{DataExporter, ExportRun, InputPayloads};
use criterion::Criterion;
use registry_core::BoxError;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

const REQUESTS: usize = 100_000;
const CHUNKS: u64 = 64;
const CONCURRENCY: u64 = 16;
const START_UNIX_NS: u64 = 1_796_150_467_000_000_000;

/// A fixed pseudo-random sequence (xorshift64*): uniform in [0, 1).
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn micros(&mut self, base_ms: f64, spread_ms: f64) -> Duration {
        Duration::from_secs_f64((base_ms + spread_ms * self.next()) / 1e3)
    }
}

/// `n` successful streamed requests, finishing in order at concurrency 16.
fn records(n: usize) -> Vec<RequestRecord> {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|i| {
            let ttft = noise.micros(25.0, 2.0);
            let mut at = ttft;
            let chunk_offsets: Vec<Duration> = (0..CHUNKS)
                .map(|c| {
                    if c > 0 {
                        at += noise.micros(1.0, 1.0);
                    }
                    at
                })
                .collect();
            let latency = at + noise.micros(0.01, 0.05);
            // Requests go out in waves of `CONCURRENCY`, one latency apart.
            let sent_at = Duration::from_micros((i as u64 / CONCURRENCY) * 120_000 + i as u64 % 16);
            RequestRecord {
                latency,
                time_to_first_token: Some(ttft),
                output_tokens: CHUNKS,
                sent_at,
                input_tokens: Some(100),
                output_token_source: TokenSource::ServerUsage,
                chunk_offsets,
                usage: Some(Usage {
                    prompt_tokens: Some(100),
                    completion_tokens: Some(CHUNKS),
                }),
                timing: ExchangeTiming {
                    connection_reused: Some(i as u64 >= CONCURRENCY),
                    connecting: Some(if (i as u64) < CONCURRENCY {
                        Duration::from_micros(700)
                    } else {
                        Duration::ZERO
                    }),
                    waiting: Some(noise.micros(1.0, 0.5)),
                    receiving: Some(latency.saturating_sub(Duration::from_millis(1))),
                    bytes_sent: Some(590),
                    bytes_received: Some(13_261),
                },
                start_unix_ns: START_UNIX_NS + sent_at.as_nanos() as u64,
                entry: i % 100,
                ..RequestRecord::default()
            }
        })
        .collect()
}

/// The phase's wall time for `n` requests sent as [`records`] sends them.
fn window(n: usize) -> Duration {
    Duration::from_millis((n as u64).div_ceil(CONCURRENCY) * 120)
}

/// The run's results; its metrics computed only `with_metrics` (the json
/// and csv exporters write them; the others do not read them).
fn results(records: &[RequestRecord], with_metrics: bool) -> BenchmarkResults {
    let window = window(records.len());
    let mut stats = PhaseStats::from_records(Phase::Profiling, records, window);
    if with_metrics {
        stats.metrics = compute(records, window, &[]);
    }
    BenchmarkResults {
        endpoint: "chat".into(),
        model: "demo".into(),
        transport: "http".into(),
        urls: vec!["http://localhost:8000".into()],
        parts: Vec::new(),
        input_config: json!({"endpoint": {"type": "chat", "model": "demo", "streaming": true}}),
        start_unix_ns: START_UNIX_NS,
        end_unix_ns: START_UNIX_NS + window.as_nanos() as u64,
        interrupted: false,
        phases: vec![stats],
    }
}

/// 100 chat payloads with a prompt of about 100 tokens each.
struct Prompts;

impl InputPayloads for Prompts {
    fn len(&self) -> usize {
        100
    }

    fn payload(&self, index: usize) -> Result<Value, BoxError> {
        let prompt: String = (0..75)
            .map(|w| format!("word{} ", (index * 75 + w) % 997))
            .collect();
        Ok(json!({
            "messages": [{"role": "user", "content": prompt}],
            "model": "demo",
            "stream": true,
            "max_completion_tokens": 64,
        }))
    }
}

const STEPS: [&str; 7] = [
    "records",
    "from_records",
    "compute",
    "json",
    "csv",
    "jsonl",
    "inputs_json",
];

/// Runs one step over `phases`' records into `dir`.
fn step(
    name: &str,
    phases: &[(Phase, Vec<RequestRecord>)],
    results: &BenchmarkResults,
    dir: &Path,
) {
    let records = &phases[0].1;
    let run = ExportRun {
        results,
        records: phases,
        inputs: &Prompts,
    };
    let export = |exporter: &dyn DataExporter| {
        black_box(exporter.export(&run, dir).expect("export"));
    };
    match name {
        "records" => {}
        "from_records" => {
            black_box(PhaseStats::from_records(
                Phase::Profiling,
                records,
                window(records.len()),
            ));
        }
        "compute" => {
            black_box(compute(records, window(records.len()), &[]));
        }
        "json" => export(&Json),
        "csv" => export(&Csv),
        "jsonl" => export(&Jsonl),
        "inputs_json" => export(&InputsJson),
        other => panic!("unknown step {other:?}; steps: {STEPS:?}"),
    }
}

/// CPU time (user + system) of the process so far, in seconds, from
/// `/proc/self/stat` (clock ticks, 100 a second on Linux).
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which ends at the last ')').
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f[11].parse::<f64>().ok()? + f[12].parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// The process's peak resident memory so far, in MiB (`VmHWM`).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn one_shot(name: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let phases = vec![(Phase::Profiling, records(REQUESTS))];
    let results = results(&phases[0].1, matches!(name, "json" | "csv"));
    // Reset the peak to the current resident size (Linux: writing 5 to
    // clear_refs), so that the peak after the step is the step's own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = peak_rss_mib();
    let cpu = cpu_s();
    let t = Instant::now();
    step(name, &phases, &results, dir.path());
    let took = t.elapsed();
    let cpu = cpu_s() - cpu;
    let size: u64 = std::fs::read_dir(dir.path())
        .expect("read temp dir")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{name}: {:.1} ms ({:.0} ms CPU) for {REQUESTS} requests; resident {before:.1} MiB before, peak {:.1} \
         MiB during; file {:.1} MiB",
        took.as_secs_f64() * 1e3,
        cpu * 1e3,
        peak_rss_mib(),
        size as f64 / (1 << 20) as f64
    );
}

// What-ifs: the two slow steps next to a proposed change, measured
// alternately (`AIPERF_COST_STEP=what_if`). Nothing here is used by the
// client; it prices the change before anyone makes it.

/// `profile_export.jsonl`'s lines as the `jsonl` exporter writes them, but
/// serialized straight from the record (borrowed keys, no `serde_json::Value`
/// tree per line, nothing to drop). Successful requests only (the synthetic
/// records); the keys in the exporter's order (its maps sort them).
struct ProtoLine<'a> {
    index: usize,
    record: &'a RequestRecord,
    url: Option<&'a str>,
    values: Vec<(&'static MetricDef, RequestValue)>,
}

struct ProtoMeta<'a>(&'a ProtoLine<'a>);
struct ProtoMetrics<'a>(&'a [(&'static MetricDef, RequestValue)]);
struct ProtoValue<'a>(&'static str, &'a RequestValue);

impl Serialize for ProtoLine<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("metadata", &ProtoMeta(self))?;
        m.serialize_entry("metrics", &ProtoMetrics(&self.values))?;
        m.end()
    }
}

impl Serialize for ProtoMeta<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0.record;
        let end = r.start_unix_ns + r.latency.as_nanos() as u64;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("benchmark_phase", "profiling")?;
        m.serialize_entry("conversation_id", &format_args!("session_{}", r.entry))?;
        m.serialize_entry("phase_kind", "profiling")?;
        m.serialize_entry("phase_name", "profiling")?;
        m.serialize_entry("record_processor_id", "record_processor_0")?;
        m.serialize_entry("request_end_ns", &end)?;
        m.serialize_entry("request_start_ns", &r.start_unix_ns)?;
        m.serialize_entry("session_num", &self.0.index)?;
        m.serialize_entry("turn_index", &0)?;
        if let Some(url) = self.0.url {
            m.serialize_entry("url", url)?;
        }
        m.serialize_entry("was_cancelled", &r.cancelled)?;
        m.serialize_entry("worker_id", "worker_0")?;
        let index = self.0.index;
        m.serialize_entry("x_correlation_id", &format_args!("profiling-{index}"))?;
        m.serialize_entry("x_request_id", &format_args!("profiling-{index}"))?;
        m.end()
    }
}

impl Serialize for ProtoMetrics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (def, value) in self.0 {
            m.serialize_entry(def.tag, &ProtoValue(def.unit, value))?;
        }
        m.end()
    }
}

impl Serialize for ProtoValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("unit", self.0)?;
        match self.1 {
            RequestValue::One(v) => m.serialize_entry("value", v)?,
            RequestValue::List(list) => m.serialize_entry("value", list)?,
        }
        m.end()
    }
}

fn proto_jsonl(phases: &[(Phase, Vec<RequestRecord>)], results: &BenchmarkResults, dir: &Path) {
    let url = results.urls.first().map(String::as_str);
    write_atomically_with(dir, "proto.jsonl", |out: &mut dyn Write| {
        for (index, record) in phases[0].1.iter().enumerate() {
            assert!(record.error.is_none() && !record.cancelled);
            let mut values = request_values(record);
            values.sort_by_key(|(def, _)| def.tag);
            let line = ProtoLine {
                index,
                record,
                url,
                values,
            };
            serde_json::to_writer(&mut *out, &line)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
    .expect("proto export");
}

fn what_if() {
    let dir = tempfile::tempdir().expect("temp dir");
    let phases = vec![(Phase::Profiling, records(REQUESTS))];
    let results = results(&phases[0].1, false);
    let run = ExportRun {
        results: &results,
        records: &phases,
        inputs: &Prompts,
    };
    // The values `compute` sorts for inter_chunk_latency, the largest set.
    let mut icl = Vec::new();
    for record in &phases[0].1 {
        for (def, value) in request_values(record) {
            if let ("inter_chunk_latency", RequestValue::List(list)) = (def.tag, value) {
                icl.extend(list);
            }
        }
    }
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let (mut stable, mut unstable, mut jsonl, mut proto) = (vec![], vec![], vec![], vec![]);
    for round in 0..7 {
        for first in [round % 2 == 0, round % 2 != 0] {
            if first {
                let mut v = icl.clone();
                let t = Instant::now();
                v.sort_by(f64::total_cmp);
                stable.push(ms(t));
                let t = Instant::now();
                Jsonl.export(&run, dir.path()).expect("export");
                jsonl.push(ms(t));
            } else {
                let mut v = icl.clone();
                let t = Instant::now();
                v.sort_unstable_by(f64::total_cmp);
                unstable.push(ms(t));
                let t = Instant::now();
                proto_jsonl(&phases, &results, dir.path());
                proto.push(ms(t));
            }
        }
    }
    let mut a = icl.clone();
    let mut b = icl.clone();
    a.sort_by(f64::total_cmp);
    b.sort_unstable_by(f64::total_cmp);
    let same_sort = a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits());
    if std::env::var_os("AIPERF_COST_KEEP").is_some() {
        let keep = std::env::temp_dir().join("aiperf-cost-keep");
        let _ = std::fs::create_dir_all(&keep);
        for f in ["profile_export.jsonl", "proto.jsonl"] {
            let _ = std::fs::copy(dir.path().join(f), keep.join(f));
        }
    }
    let same_file = std::fs::read(dir.path().join("profile_export.jsonl")).expect("read")
        == std::fs::read(dir.path().join("proto.jsonl")).expect("read");
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "inter_chunk_latency values ({}): sort_by {:.1} ms, sort_unstable_by {:.1} ms (same \
         order: {same_sort})",
        icl.len(),
        median(&mut stable),
        median(&mut unstable)
    );
    println!(
        "profile_export.jsonl: exporter {:.1} ms, without Value trees {:.1} ms (same bytes: \
         {same_file}); medians of 7 alternating rounds",
        median(&mut jsonl),
        median(&mut proto)
    );
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let phases = vec![(Phase::Profiling, records(REQUESTS))];
    let results = results(&phases[0].1, true);
    let mut g = c.benchmark_group("per_100k_requests");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    for name in STEPS.into_iter().skip(1) {
        g.bench_function(name, |b| {
            b.iter(|| step(name, &phases, &results, dir.path()))
        });
    }
    g.finish();
}

fn main() {
    match std::env::var("AIPERF_COST_STEP").as_deref() {
        Ok("what_if") => return what_if(),
        Ok(name) => return one_shot(name),
        Err(_) => {}
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
