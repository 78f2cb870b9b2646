//! `aiperf profile`: a benchmark whose every part comes from the registry
//! (see `aiperf_engine::benchmark`), described by AIPerf's flags over an
//! optional `--config` file (see [`crate::flags`]).

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use aiperf_engine::benchmark::{Benchmark, BuildOptions};
use aiperf_engine::config::{Secrets, load_config};
use aiperf_engine::hooks::LoadMode;
use aiperf_plugin_api::stats::{BenchmarkResults, Phase, PhaseStats};

use serde::Serialize;

use crate::ProfileArgs;
use crate::output::{CliError, Output, Status, View, report};

/// Loads, builds, runs and exports. Ctrl-C ends the run early; what was
/// measured is still exported and printed. With `--print-config`, prints
/// the effective config and runs nothing.
pub fn run(options: &ProfileArgs) -> Result<Output, CliError> {
    let (base, secrets) = match &options.config {
        Some(path) => {
            let (config, secrets) = load_config(path)?;
            (Some(config), secrets)
        }
        None => (None, Secrets::default()),
    };
    let config = options.apply(base)?;
    if options.print_config {
        let shown = config.printable(&secrets);
        return Output::of(&ConfigView(shown), false, Status::Success);
    }
    let source = match &options.config {
        Some(path) => path.display().to_string(),
        None => "the benchmark given by flags".to_owned(),
    };
    // Each request in flight holds a socket: allow as many as the system
    // lets this process have, and keep in-flight requests well below that:
    // a connection outlives its request for a moment (the pool takes it
    // back after the stream's end), and the run opens files of its own.
    let open_files = rlimit::increase_nofile_limit(u64::MAX).ok();
    let build = BuildOptions {
        max_in_flight: open_files.map(|n| (n - n / 4).saturating_sub(64).max(1)),
        hooks: if options.strict_hooks {
            LoadMode::Strict
        } else {
            LoadMode::Lenient
        },
        ..BuildOptions::default()
    };
    let mut benchmark = Benchmark::from_config(&config, &secrets, build).map_err(|problems| {
        CliError::CannotRun {
            config: source.clone(),
            problems,
        }
    })?;

    // Before the run, not after: a run whose results cannot be written
    // would be time lost.
    let output_error = |source| CliError::OutputDirectory {
        dir: benchmark.output_dir().to_owned(),
        source,
    };
    std::fs::create_dir_all(benchmark.output_dir()).map_err(output_error)?;
    // Writable? The same atomic write the exporters use, then gone.
    let probe = aiperf_plugin_api::data_exporter::write_atomically(
        benchmark.output_dir(),
        ".aiperf-write-probe",
        b"",
    )
    .map_err(|e| output_error(std::io::Error::other(e.to_string())))?;
    let _ = std::fs::remove_file(probe);

    let signals = Signals::install();
    let results = benchmark.run(&signals.stop);
    let (written, export_problems) = benchmark.export(&results);
    for problem in &export_problems {
        report(format_args!("error: {problem}"));
    }
    let profiling = results.phases.iter().find(|p| p.phase == Phase::Profiling);
    let all_failed = profiling.is_some_and(|p| p.sent > 0 && p.completed == 0);
    // A client-side failure (no sockets left) makes the numbers the
    // client's, not the server's: never exit 0 with them.
    let out_of_files = results.phases.iter().any(|p| {
        p.errors
            .iter()
            .any(|(message, _)| message.contains("os error 24"))
    });
    if out_of_files {
        let limit = open_files.map_or_else(|| "unknown".to_owned(), |n| n.to_string());
        report(format_args!(
            "error: the client ran out of file descriptors (open-files limit {limit}): requests \
             failed on this machine, not on the server; lower the concurrency or raise the \
             limit (ulimit -n)"
        ));
    }
    let status = if results.interrupted {
        Status::Interrupted(signals.received().unwrap_or(signal_hook::consts::SIGINT))
    } else if all_failed || out_of_files || !export_problems.is_empty() {
        Status::Failed
    } else {
        Status::Success
    };
    if all_failed && !results.interrupted {
        match profiling.and_then(|p| p.errors.first()) {
            Some((message, _)) => report(format_args!(
                "error: every request failed; the most frequent error: {}",
                printable_all(message)
            )),
            None => report(format_args!(
                "error: no request completed: every one was still in flight when the benchmark \
                 duration and its grace period ended (cancelled); give a longer \
                 --benchmark-duration or --benchmark-grace-period"
            )),
        }
    }
    // A `${VAR}` output directory stays hidden on the `written:` line.
    let (console, console_problems) = benchmark.console(&results);
    for problem in &console_problems {
        report(format_args!("error: {problem}"));
    }
    let view = RunView {
        results: &results,
        console,
        written: written
            .iter()
            .map(|path| benchmark.redact(&path.display().to_string()))
            .collect(),
        dir: benchmark.redact(&benchmark.output_dir().display().to_string()),
    };
    Output::of(&view, options.json, status)
}

/// `--print-config`: the effective config, as JSON (which is YAML, so
/// `--config` reads it back).
struct ConfigView(serde_json::Value);

impl Serialize for ConfigView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl View for ConfigView {
    fn render(&self) -> String {
        serde_json::to_string_pretty(&self.0).unwrap_or_default() + "\n"
    }
}

/// A finished run: its results (all that `--json` prints) and the files
/// written.
struct RunView<'a> {
    results: &'a BenchmarkResults,
    /// What the console exporters printed.
    console: String,
    written: Vec<String>,
    dir: String,
}

impl Serialize for RunView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.results.serialize(serializer)
    }
}

impl View for RunView<'_> {
    fn render(&self) -> String {
        render(self.results, &self.console, &self.written, &self.dir)
    }
}

/// What the client adds after the console exporters' text: how it kept
/// its schedule, how tokens were counted, the URLs, its notes.
fn render_phase_extras(out: &mut String, stats: &PhaseStats, urls: &[String]) {
    let mut facts = Vec::new();
    if let Some(lag) = &stats.schedule_lag_ms {
        facts.push(format!(
            "schedule lag p99 {:.2} ms (max {:.2})",
            lag.p99, lag.max
        ));
    }
    if let Some(rate) = stats.send_rate {
        facts.push(format!("sent at {rate:.2} req/s"));
    }
    if !stats.output_token_sources.is_empty() {
        let sources: Vec<String> = stats
            .output_token_sources
            .iter()
            .map(|(source, n)| format!("{} ({n})", source.as_str()))
            .collect();
        facts.push(format!("output tokens counted by {}", sources.join(", ")));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "{} phase: {}", stats.phase, facts.join("; "));
    }
    if stats.per_url.len() > 1 {
        for (i, counts) in stats.per_url.iter().enumerate() {
            let url = urls.get(i).map_or("?", String::as_str);
            let _ = writeln!(
                out,
                "  URL {}: {} sent, {} ok",
                printable_all(url),
                counts.sent,
                counts.completed
            );
        }
    }
    for note in &stats.notes {
        let _ = writeln!(out, "  note: {note}");
    }
}

/// The human summary printed at the end of a run: the console exporters'
/// text, the client's own facts, the files.
fn render(results: &BenchmarkResults, console: &str, written: &[String], dir: &str) -> String {
    let mut out = format!(
        "aiperf profile: endpoint {} (model {}) via {}{}\n",
        results.endpoint,
        results.model,
        results.transport,
        if results.interrupted {
            " — interrupted, partial results"
        } else {
            ""
        }
    );
    out += &printable_lines(console);
    out.push('\n');
    for stats in &results.phases {
        render_phase_extras(&mut out, stats, &results.urls);
    }
    if written.is_empty() {
        let _ = writeln!(out, "\nno files written to {}", printable_all(dir));
    } else {
        let _ = writeln!(out, "\nwritten: {}", printable_all(&written.join(", ")));
    }
    out
}

/// `text` with every control character but line breaks shown escaped:
/// what console exporters print may quote a server.
fn printable_lines(text: &str) -> String {
    text.split('\n')
        .map(printable_all)
        .collect::<Vec<_>>()
        .join("\n")
}

/// SIGINT, SIGTERM and SIGHUP stop a run the same way: the first sets
/// `stop` (the run cancels what is in flight, runs the phase-complete hooks
/// within a grace period and exports what was measured); a second one of
/// any of them exits at once, from the signal handler, with 128 + its
/// number.
struct Signals {
    stop: Arc<AtomicBool>,
    which: Arc<AtomicUsize>,
}

impl Signals {
    const HANDLED: [i32; 3] = [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ];

    fn install() -> Signals {
        let stop = Arc::new(AtomicBool::new(false));
        let which = Arc::new(AtomicUsize::new(0));
        for signal in Self::HANDLED {
            // Registered first, so it sees `stop` as the previous signal
            // left it: exit only on the second.
            let registered = signal_hook::flag::register_conditional_shutdown(
                signal,
                128 + signal,
                Arc::clone(&stop),
            )
            .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&stop)))
            .and_then(|_| {
                signal_hook::flag::register_usize(signal, Arc::clone(&which), signal as usize)
            });
            if let Err(e) = registered {
                tracing::warn!("signal {signal} keeps its default behaviour: {e}");
            }
        }
        Signals { stop, which }
    }

    /// The signal that stopped the run, if one did.
    fn received(&self) -> Option<i32> {
        match self.which.load(Ordering::Relaxed) {
            0 => None,
            signal => i32::try_from(signal).ok(),
        }
    }
}

/// `text` with control characters shown escaped, whole: error texts quote
/// what a server sent (already cut to length where they were made).
fn printable_all(text: &str) -> String {
    aiperf_plugin_api::transport::printable(text, usize::MAX)
}
