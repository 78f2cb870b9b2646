//! `aiperf plot DIR`: charts of a finished run, drawn as SVG by the plots
//! the registry holds (category `plot`) from the run's
//! `profile_export.jsonl`, the per-request records AIPerf 0.13 writes. No
//! browser, no network: AIPerf's own `aiperf plot` needs Chrome.
//!
//! The records file is read line by line (a line may be at most
//! [`MAX_LINE_BYTES`]), fields this reader does not use are skipped, and
//! only the profiling phase is plotted. A malformed line is reported as
//! `DIR/profile_export.jsonl:LINE: what is wrong`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, Read as _};
use std::path::{Path, PathBuf};

use aiperf_plugin_api::names::PlotType;
use aiperf_plugin_api::{PlotData, PlotFactory, PlotRequest};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::output::{CliError, Output, Status, report};

/// The per-request records of a run, in AIPerf's name.
pub const RECORDS_FILE: &str = "profile_export.jsonl";

/// A run's summary, whose `input_config` titles the charts.
pub const SUMMARY_FILE: &str = "profile_export_aiperf.json";

/// The longest line of [`RECORDS_FILE`] accepted: a record is a few KiB.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The largest [`SUMMARY_FILE`] read for the title; a larger one is not
/// read and the directory's name titles the charts.
const MAX_SUMMARY_BYTES: u64 = 64 << 20;

/// `aiperf plot DIR [--plot NAME ...] [--output DIR2]`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    aiperf plot artifacts/my-run                       every plot, into artifacts/my-run/plots/\n  \
    aiperf plot artifacts/my-run --plot ttft_timeline  one plot\n  \
    aiperf plot artifacts/my-run --output charts       into charts/\n\n\
    `aiperf plugins plot` lists the plots this build has.")]
pub struct PlotArgs {
    /// The run's artifact directory: the one holding `profile_export.jsonl`
    /// (AIPerf 0.13's `--artifact-dir`).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// A plot to draw, by its name in the `plot` category (e.g.
    /// `ttft_timeline`); repeat it for several. Default: every plot this
    /// build has.
    #[arg(long = "plot", value_name = "NAME")]
    pub plots: Vec<String>,
    /// The directory the charts are written to, created if missing.
    /// Default: `DIR/plots`.
    #[arg(long, value_name = "DIR2")]
    pub output: Option<PathBuf>,
}

/// Why a run cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The run's directory does not exist or is not a directory.
    #[error(
        "{}: no such directory; give the artifact directory of a run (the one holding {RECORDS_FILE})",
        .dir.display()
    )]
    NoDirectory {
        /// The directory given.
        dir: PathBuf,
    },
    /// The records file cannot be opened or read.
    #[error(
        "cannot read {}: {source}; the directory must hold the {RECORDS_FILE} of an AIPerf run",
        .path.display()
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not a record in AIPerf's format.
    #[error("{}:{line}: {message}", .path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: u64,
        /// What is wrong, and what was expected.
        message: String,
    },
    /// The file holds no record of the profiling phase.
    #[error(
        "{}: no record of the profiling phase ({records} records, {other_phases} of other phases such \
         as warmup): nothing to plot",
        .path.display()
    )]
    NoRequests {
        /// The file.
        path: PathBuf,
        /// Its records.
        records: usize,
        /// Those of other phases.
        other_phases: usize,
    },
}

/// A run as read from its directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// What the plots draw: the profiling phase's requests and a title.
    pub data: PlotData,
    /// Records of other phases (warmup), skipped.
    pub other_phases: usize,
}

/// Reads the run in `dir`: its `profile_export.jsonl` (profiling phase
/// only), titled from its `profile_export_aiperf.json`, or by the
/// directory's name.
pub fn read_run(dir: &Path) -> Result<Run, PlotError> {
    if !dir.is_dir() {
        return Err(PlotError::NoDirectory {
            dir: dir.to_owned(),
        });
    }
    let path = dir.join(RECORDS_FILE);
    let file = File::open(&path).map_err(|source| PlotError::Read {
        path: path.clone(),
        source,
    })?;
    let (requests, other_phases) = read_records(BufReader::new(file), &path)?;
    if requests.is_empty() {
        return Err(PlotError::NoRequests {
            path,
            records: other_phases,
            other_phases,
        });
    }
    Ok(Run {
        data: PlotData {
            title: run_title(dir),
            requests,
        },
        other_phases,
    })
}

/// One line of `profile_export.jsonl` (AIPerf's `MetricRecordInfo`): only
/// the fields the plots use; the rest are skipped.
#[derive(Deserialize)]
struct Record {
    metadata: Metadata,
    #[serde(default)]
    metrics: Metrics,
    /// AIPerf's `ErrorDetails` (`code`, `type`, `message`, ...) when the
    /// request failed; absent or null otherwise.
    #[serde(default)]
    error: Option<IgnoredAny>,
}

/// AIPerf's `MetricRecordMetadata`.
#[derive(Deserialize)]
struct Metadata {
    request_start_ns: u64,
    request_end_ns: u64,
    /// `warmup` or `profiling`; a record without one counts as profiling.
    #[serde(default)]
    benchmark_phase: Option<String>,
    #[serde(default)]
    was_cancelled: bool,
}

/// The metrics the plots draw, each `{"value": ..., "unit": ...}`.
#[derive(Deserialize, Default)]
struct Metrics {
    request_latency: Option<Metric<f64>>,
    time_to_first_token: Option<Metric<f64>>,
    inter_token_latency: Option<Metric<f64>>,
    inter_chunk_latency: Option<Metric<Vec<f64>>>,
    output_sequence_length: Option<Metric<f64>>,
    input_sequence_length: Option<Metric<f64>>,
}

/// AIPerf's `MetricValue`. A null value (orjson writes NaN as null) reads
/// as no value.
#[derive(Deserialize)]
struct Metric<T> {
    value: Option<T>,
    #[serde(default)]
    unit: Option<String>,
}

impl<T> Metric<T> {
    /// Milliseconds per one of this metric's unit; a metric without a unit
    /// is in ms, as AIPerf writes every latency.
    fn ms_per_unit(&self, tag: &str) -> Result<f64, String> {
        match self.unit.as_deref() {
            None | Some("ms") => Ok(1.0),
            Some("ns") => Ok(1e-6),
            Some("us" | "µs") => Ok(1e-3),
            Some("s" | "sec") => Ok(1e3),
            Some(other) => Err(format!(
                "metrics.{tag} has unit {other:?}; expected a time unit: ns, us, ms or s"
            )),
        }
    }
}

/// `metric` in ms.
fn latency_ms(metric: Option<Metric<f64>>, tag: &str) -> Result<Option<f64>, String> {
    match metric {
        None => Ok(None),
        Some(m) => {
            let scale = m.ms_per_unit(tag)?;
            Ok(m.value.map(|v| v * scale))
        }
    }
}

impl Record {
    /// The record as a plot request; `Err` says what is wrong with it.
    fn into_request(self) -> Result<PlotRequest, String> {
        let Metrics {
            request_latency,
            time_to_first_token,
            inter_token_latency,
            inter_chunk_latency,
            output_sequence_length,
            input_sequence_length,
        } = self.metrics;
        let inter_chunk_latency_ms = match inter_chunk_latency {
            None => Vec::new(),
            Some(m) => {
                let scale = m.ms_per_unit("inter_chunk_latency")?;
                let mut values = m.value.unwrap_or_default();
                values.iter_mut().for_each(|v| *v *= scale);
                values
            }
        };
        Ok(PlotRequest {
            start_ns: self.metadata.request_start_ns,
            end_ns: self.metadata.request_end_ns,
            // A cancelled request did not complete: it counts as failed.
            failed: self.error.is_some() || self.metadata.was_cancelled,
            request_latency_ms: latency_ms(request_latency, "request_latency")?,
            time_to_first_token_ms: latency_ms(time_to_first_token, "time_to_first_token")?,
            inter_token_latency_ms: latency_ms(inter_token_latency, "inter_token_latency")?,
            inter_chunk_latency_ms,
            output_sequence_length: output_sequence_length.and_then(|m| m.value),
            input_sequence_length: input_sequence_length.and_then(|m| m.value),
        })
    }
}

/// What a record of AIPerf's `profile_export.jsonl` looks like, for errors.
const RECORD_SHAPE: &str = "expected one JSON object per line as AIPerf 0.13 writes it: \
     {\"metadata\": {\"request_start_ns\": .., \"request_end_ns\": .., \"benchmark_phase\": \"profiling\", ..}, \
     \"metrics\": {\"request_latency\": {\"value\": .., \"unit\": \"ms\"}, ..}, \"error\": {..} if it failed}";

/// Reads the records of `reader` (the contents of `path`, which errors
/// name): the profiling phase's requests in the file's order, and how many
/// records of other phases were skipped. Blank lines are skipped.
pub fn read_records(
    mut reader: impl BufRead,
    path: &Path,
) -> Result<(Vec<PlotRequest>, usize), PlotError> {
    let malformed = |line: u64, message: String| PlotError::Malformed {
        path: path.to_owned(),
        line,
        message,
    };
    let mut requests = Vec::new();
    let mut other_phases = 0;
    let mut buffer = Vec::new();
    let mut line = 0u64;
    loop {
        buffer.clear();
        let read = reader
            .by_ref()
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buffer)
            .map_err(|source| PlotError::Read {
                path: path.to_owned(),
                source,
            })?;
        if read == 0 {
            break;
        }
        line += 1;
        if buffer.last() != Some(&b'\n') && buffer.len() > MAX_LINE_BYTES {
            return Err(malformed(
                line,
                format!(
                    "the line is longer than {} MiB; a record is a few KiB (is this AIPerf's {RECORDS_FILE}?)",
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        let mut text = buffer.as_slice();
        if line == 1 {
            text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        }
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record: Record = serde_json::from_slice(text).map_err(|e| {
            let message = e.to_string();
            // serde_json counts lines within the record: only its column helps.
            let message = match message.rsplit_once(" at line 1 column ") {
                Some((what, column)) => format!("{what} (column {column})"),
                None => message,
            };
            malformed(line, format!("{message}; {RECORD_SHAPE}"))
        })?;
        if record
            .metadata
            .benchmark_phase
            .as_deref()
            .is_some_and(|phase| phase != "profiling")
        {
            other_phases += 1;
            continue;
        }
        requests.push(record.into_request().map_err(|e| malformed(line, e))?);
    }
    Ok((requests, other_phases))
}

/// The charts' title: `endpoint · model · load` from the `input_config` of
/// `dir/profile_export_aiperf.json`, or the directory's name when there is
/// no such file or it says nothing usable.
pub fn run_title(dir: &Path) -> String {
    let from_summary = File::open(dir.join(SUMMARY_FILE))
        .ok()
        .and_then(|file| {
            let mut text = Vec::new();
            file.take(MAX_SUMMARY_BYTES).read_to_end(&mut text).ok()?;
            serde_json::from_slice::<serde_json::Value>(&text).ok()
        })
        .and_then(|summary| title_from_input_config(summary.get("input_config")?));
    from_summary.unwrap_or_else(|| directory_name(dir))
}

/// The last component of `dir` (of its absolute form for `.`).
fn directory_name(dir: &Path) -> String {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
    absolute
        .file_name()
        .or_else(|| dir.file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

/// `chat (streaming) · my-model · 16 concurrent` from AIPerf 0.13's
/// `input_config` (`endpoint.type`, `endpoint.streaming`,
/// `models.items[].name`, the profiling phase's `type`, `concurrency` and
/// `rate`); `None` when it names none of them.
fn title_from_input_config(config: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let mut parts = Vec::new();
    if let Some(kind) = config.pointer("/endpoint/type").and_then(Value::as_str) {
        let streaming = config
            .pointer("/endpoint/streaming")
            .and_then(Value::as_bool);
        parts.push(if streaming == Some(true) {
            format!("{kind} (streaming)")
        } else {
            kind.to_owned()
        });
    }
    let models = config.get("models").map(|m| m.get("items").unwrap_or(m));
    let names: Vec<&str> = models
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.get("name").unwrap_or(item).as_str())
                .collect()
        })
        .unwrap_or_default();
    if !names.is_empty() {
        parts.push(names.join(", "));
    }
    let phases = config.get("phases").and_then(Value::as_array);
    let profiling = phases.and_then(|phases| {
        phases
            .iter()
            .find(|p| p.get("kind").and_then(Value::as_str) == Some("profiling"))
            .or_else(|| phases.last())
    });
    if let Some(load) = profiling.and_then(phase_load) {
        parts.push(load);
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// `16 concurrent`, `10 req/s poisson, at most 8 concurrent`, `fixed schedule`.
fn phase_load(phase: &serde_json::Value) -> Option<String> {
    let number = |key: &str| {
        phase
            .get(key)
            .and_then(serde_json::Value::as_f64)
            .map(|n| format!("{n}"))
    };
    let kind = phase.get("type").and_then(serde_json::Value::as_str);
    let concurrency = number("concurrency");
    match (kind, number("rate"), concurrency) {
        (Some("fixed_schedule"), _, _) => Some("fixed schedule".to_owned()),
        (kind, Some(rate), concurrency) => {
            let mut load = format!("{rate} req/s");
            // AIPerf names the arrival pattern (poisson, gamma, constant);
            // this client's own runs name the strategy, which says nothing more.
            if let Some(kind) = kind.filter(|k| !matches!(*k, "concurrency" | "request_rate")) {
                let _ = write!(load, " {kind}");
            }
            if let Some(c) = concurrency {
                let _ = write!(load, ", at most {c} concurrent");
            }
            Some(load)
        }
        (_, None, Some(c)) => Some(format!("{c} concurrent")),
        _ => None,
    }
}

/// The plots to draw: those named (checked against the registry, in the
/// order given, each once), or every registered plot.
fn selected_plots(names: &[String]) -> Result<Vec<String>, CliError> {
    if names.is_empty() {
        return Ok(PlotFactory::list_names()
            .iter()
            .map(|&name| name.to_owned())
            .collect());
    }
    let mut selected: Vec<String> = Vec::new();
    for name in names {
        let plot = PlotType::parse_registered(name).map_err(|e| CliError::Flag {
            flag: "--plot".to_owned(),
            message: format!("{name:?}: {e}"),
        })?;
        let name = plot.as_str().to_owned();
        if !selected.contains(&name) {
            selected.push(name);
        }
    }
    Ok(selected)
}

/// Reads the run in `args.dir` and draws each selected plot into the output
/// directory, one after another; a plot that fails is reported on stderr
/// and the others still run. Prints the files written. With `--plot`, any
/// failure exits 1 (the user asked for that chart); with the default set,
/// a plot the run cannot give (no inter-token latency in a run that was
/// not streamed) is a warning, as in AIPerf's own `aiperf plot`, and only
/// a run where no plot could be drawn exits 1.
pub fn run(args: &PlotArgs) -> Result<Output, CliError> {
    let plots = selected_plots(&args.plots)?;
    let run = read_run(&args.dir).map_err(|e| CliError::CannotRun {
        config: format!("aiperf plot {}", args.dir.display()),
        problems: vec![e.to_string()],
    })?;
    let out_dir = args
        .output
        .clone()
        .unwrap_or_else(|| args.dir.join("plots"));
    std::fs::create_dir_all(&out_dir).map_err(|source| CliError::OutputDirectory {
        dir: out_dir.clone(),
        source,
    })?;

    let requests = &run.data.requests;
    let failed = requests.iter().filter(|r| r.failed).count();
    let mut text = format!(
        "aiperf plot: {} ({} profiling requests, {failed} failed",
        run.data.title,
        requests.len()
    );
    if run.other_phases > 0 {
        let _ = write!(text, "; {} warmup records skipped", run.other_phases);
    }
    text.push_str(")\n");
    let mut problems = 0;
    let mut drew = 0;
    let level = if args.plots.is_empty() {
        "warning"
    } else {
        "error"
    };
    for name in &plots {
        let drawn = PlotFactory::create_instance(name, aiperf_plugin_api::PlotArgs::default())
            .map_err(|e| e.to_string())
            .and_then(|plot| plot.render(&run.data, &out_dir).map_err(|e| e.to_string()));
        match drawn {
            Ok(files) => {
                drew += 1;
                for file in files {
                    let _ = writeln!(text, "written: {}", file.display());
                }
            }
            Err(e) => {
                problems += 1;
                // A builtin plot's error starts with its name already.
                if e.starts_with(&format!("{name}:")) {
                    report(format_args!("{level}: {e}"));
                } else {
                    report(format_args!("{level}: {name}: {e}"));
                }
            }
        }
    }
    let status = if problems == 0 {
        Status::Success
    } else {
        let _ = writeln!(text, "{problems} of {} plots not drawn", plots.len());
        if args.plots.is_empty() && drew > 0 {
            Status::Success
        } else {
            Status::Failed
        }
    };
    Ok(Output { text, status })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = include_str!("../tests/fixtures/plot/chat-stream/profile_export.jsonl");
    const ERRORS: &str =
        include_str!("../tests/fixtures/plot/chat-stream-errors/profile_export.jsonl");
    const NONSTREAM: &str =
        include_str!("../tests/fixtures/plot/chat-nonstream/profile_export.jsonl");

    fn read(text: &str) -> Result<(Vec<PlotRequest>, usize), PlotError> {
        read_records(text.as_bytes(), Path::new("run/profile_export.jsonl"))
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/plot")
            .join(name)
    }

    #[test]
    fn reads_aiperf_records_of_a_streamed_run() {
        let (requests, other) = read(STREAM).unwrap();
        assert_eq!(other, 0);
        assert_eq!(requests.len(), 3);
        let first = &requests[0];
        // The first line of AIPerf's own chat-stream run, as it wrote it.
        assert_eq!(first.start_ns, 1_796_150_467_708_421_535);
        assert_eq!(first.end_ns, 1_796_150_467_772_769_130);
        assert!(!first.failed);
        // serde_json's float parsing may be one ulp off Python's repr.
        let close = |got: Option<f64>, want: f64| got.is_some_and(|g| (g - want).abs() < 1e-9);
        assert!(close(first.request_latency_ms, 64.347595));
        assert!(close(first.time_to_first_token_ms, 30.564754999999998));
        assert!(close(first.inter_token_latency_ms, 2.2521893333333334));
        assert_eq!(first.inter_chunk_latency_ms.len(), 15);
        assert!(close(
            first.inter_chunk_latency_ms.first().copied(),
            5.419019
        ));
        assert_eq!(first.output_sequence_length, Some(16.0));
        assert_eq!(first.input_sequence_length, Some(100.0));
        assert!(requests.iter().all(|r| r.time_to_first_token_ms.is_some()));
    }

    #[test]
    fn an_error_object_marks_a_request_failed() {
        let (requests, _) = read(ERRORS).unwrap();
        let failed: Vec<bool> = requests.iter().map(|r| r.failed).collect();
        assert_eq!(failed, [true, true, false]);
        assert_eq!(requests[0].request_latency_ms, None);
        assert!(requests[2].request_latency_ms.is_some());
    }

    #[test]
    fn a_run_that_was_not_streamed_has_no_ttft_or_itl() {
        let (requests, _) = read(NONSTREAM).unwrap();
        assert_eq!(requests.len(), 3);
        assert!(requests.iter().all(|r| r.request_latency_ms.is_some()));
        assert!(requests.iter().all(|r| r.time_to_first_token_ms.is_none()));
        assert!(requests.iter().all(|r| r.inter_token_latency_ms.is_none()));
    }

    #[test]
    fn warmup_records_are_skipped_and_cancelled_ones_count_as_failed() {
        let text = concat!(
            "{\"metadata\":{\"request_start_ns\":1,\"request_end_ns\":2,\"benchmark_phase\":\"warmup\"},\"metrics\":{}}\n",
            "\n",
            "{\"metadata\":{\"request_start_ns\":3,\"request_end_ns\":9,\"benchmark_phase\":\"profiling\",\"was_cancelled\":true},\"metrics\":{},\"error\":null}\n",
            "{\"metadata\":{\"request_start_ns\":4,\"request_end_ns\":5},\"metrics\":{\"request_latency\":{\"value\":2.5,\"unit\":\"s\"},\"time_to_first_token\":{\"value\":null,\"unit\":\"ms\"}},\"error\":null}",
        );
        let (requests, other) = read(text).unwrap();
        assert_eq!(other, 1);
        assert_eq!(requests.len(), 2);
        assert!(requests[0].failed, "cancelled");
        assert!(!requests[1].failed, "error: null is no error");
        assert_eq!(requests[1].request_latency_ms, Some(2500.0));
        assert_eq!(requests[1].time_to_first_token_ms, None);
    }

    #[test]
    fn a_malformed_line_is_named_with_what_is_wrong() {
        let good = STREAM.lines().next().unwrap();
        let cases = [
            (format!("{good}\n{{\"metadata\": 3}}\n"), 2, "invalid type"),
            (format!("{good}\n\n{good}\ngarbage\n"), 4, "expected value"),
            (
                format!("{good}\n{{\"metadata\":{{\"request_end_ns\":5}},\"metrics\":{{}}}}\n"),
                2,
                "missing field `request_start_ns`",
            ),
            (
                concat!(
                    r#"{"metadata":{"request_start_ns":1,"request_end_ns":2},"#,
                    r#""metrics":{"request_latency":{"value":3,"unit":"tokens"}}}"#,
                    "\n"
                )
                .to_owned(),
                1,
                "metrics.request_latency has unit \"tokens\"; expected a time unit",
            ),
        ];
        for (text, line, what) in cases {
            let e = read(&text).unwrap_err().to_string();
            let prefix = format!("run/profile_export.jsonl:{line}: ");
            assert!(e.starts_with(&prefix), "{e}");
            assert!(e.contains(what), "{e}");
        }
        // Syntax and shape errors say what a record should look like.
        let e = read("[1, 2]\n").unwrap_err().to_string();
        assert!(e.contains("AIPerf 0.13"), "{e}");
        assert!(e.contains("(column"), "{e}");
    }

    #[test]
    fn a_line_longer_than_the_cap_is_refused_without_reading_it_whole() {
        let mut text = String::from(STREAM.lines().next().unwrap());
        text.push('\n');
        text.push_str(&" ".repeat(MAX_LINE_BYTES + 10));
        let e = read(&text).unwrap_err().to_string();
        assert!(
            e.starts_with("run/profile_export.jsonl:2: the line is longer than 16 MiB"),
            "{e}"
        );
    }

    #[test]
    fn the_title_comes_from_aiperf_s_input_config() {
        assert_eq!(
            run_title(&fixture("chat-stream")),
            "chat (streaming) · demo · 4 concurrent"
        );
        assert_eq!(run_title(&fixture("chat-nonstream")), "chat-nonstream");
        let rate = serde_json::json!({
            "endpoint": {"type": "completions"},
            "models": {"items": [{"name": "a"}, {"name": "b"}]},
            "phases": [
                {"kind": "warmup", "type": "concurrency", "concurrency": 1},
                {"kind": "profiling", "type": "poisson", "rate": 12.5, "concurrency": 8}
            ]
        });
        assert_eq!(
            title_from_input_config(&rate).as_deref(),
            Some("completions · a, b · 12.5 req/s poisson, at most 8 concurrent")
        );
        let ours = serde_json::json!({
            "endpoint": {"type": "chat", "streaming": true},
            "models": {"items": [{"name": "demo"}]},
            "phases": [{"kind": "profiling", "type": "request_rate", "rate": 100.0, "concurrency": 32}]
        });
        assert_eq!(
            title_from_input_config(&ours).as_deref(),
            Some("chat (streaming) · demo · 100 req/s, at most 32 concurrent")
        );
        assert_eq!(title_from_input_config(&serde_json::json!({})), None);
    }

    #[test]
    fn a_missing_directory_or_file_is_named() {
        let e = read_run(Path::new("no/such/run")).unwrap_err().to_string();
        assert!(e.starts_with("no/such/run: no such directory"), "{e}");
        let empty = std::env::temp_dir().join(format!("aiperf-plot-empty-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let e = read_run(&empty).unwrap_err().to_string();
        let path = empty.join(RECORDS_FILE);
        assert!(
            e.starts_with(&format!("cannot read {}: ", path.display())),
            "{e}"
        );
        std::fs::write(&path, "").unwrap();
        let e = read_run(&empty).unwrap_err().to_string();
        assert!(
            e.contains("no record of the profiling phase (0 records"),
            "{e}"
        );
        std::fs::remove_dir_all(empty).unwrap();
    }

    #[test]
    fn renders_every_plot_from_the_fixture() {
        let out = std::env::temp_dir().join(format!("aiperf-plot-out-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let args = PlotArgs {
            dir: fixture("chat-stream"),
            plots: Vec::new(),
            output: Some(out.clone()),
        };
        let output = run(&args).unwrap();
        assert_eq!(output.status, Status::Success, "{}", output.text);
        assert!(
            output
                .text
                .starts_with("aiperf plot: chat (streaming) · demo · 4 concurrent (3 profiling requests, 0 failed)"),
            "{}",
            output.text
        );
        for name in [
            "itl_histogram",
            "latency_histogram",
            "throughput_timeline",
            "ttft_timeline",
        ] {
            let file = out.join(format!("{name}.svg"));
            assert!(
                output
                    .text
                    .contains(&format!("written: {}", file.display())),
                "{}",
                output.text
            );
            assert!(std::fs::read_to_string(&file).unwrap().starts_with("<svg"));
        }
        std::fs::remove_dir_all(out).unwrap();
    }

    #[test]
    fn an_unknown_plot_is_the_registry_s_error() {
        let e = selected_plots(&["ttft_timelin".to_owned()]).unwrap_err();
        let message = e.to_string();
        assert!(
            message.starts_with("--plot: \"ttft_timelin\": "),
            "{message}"
        );
        assert!(message.contains("ttft_timeline"), "did you mean: {message}");
        let picked =
            selected_plots(&["TTFT-timeline".to_owned(), "ttft_timeline".to_owned()]).unwrap();
        assert_eq!(picked, ["ttft_timeline"]);
    }
}
