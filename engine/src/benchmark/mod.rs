//! A benchmark run assembled entirely from the registry: every part is
//! created by the name the configuration gives, through its category's
//! factory. Nothing here matches on a name.
//!
//! [`Benchmark::from_config`] creates the parts (and reports every problem
//! at once), [`Benchmark::run`] runs the optional warmup phase and the
//! profiling phase, [`Benchmark::export`] writes the result files.

mod phase;
mod request;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::config::{BenchmarkConfig, NamedConfig, Secrets};
use crate::hooks::{HookFailure, LoadMode, PhaseHookRegistry};
use aiperf_plugin_api::metrics::Slo;
use aiperf_plugin_api::names::TimingStrategyType;
use aiperf_plugin_api::stats::{
    BenchmarkResults, Phase, PhaseStart, PhaseStats, RequestRecord, ResolvedPart,
};
use aiperf_plugin_api::{
    ComposerArgs, ConsoleExporter, ConsoleExporterArgs, DataExporter, DataExporterArgs, Dataset,
    DatasetEntry, DatasetSampler, EndpointArgs, ExportRun, InMemoryDataset, InputPayloads,
    LoaderArgs, Prompt, SamplerArgs, TimingArgs, TimingStrategy, Tokenizer, TokenizerArgs,
    Transport, TransportArgs, Ui, UiArgs, UrlSelectionArgs, UrlSelectionStrategy,
};

use phase::{Deadline, Target, run_phase};
use request::Labels;

/// Settings given outside the config file (e.g. on the command line).
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Replaces `transport.url` and `transport.urls` when not empty.
    pub urls: Vec<String>,
    /// Replaces `output_dir`.
    pub output_dir: Option<PathBuf>,
    /// How a phase hook that fails to load is treated.
    pub hooks: LoadMode,
    /// The most requests the client keeps in flight, whatever the timing
    /// strategy asks (each holds a socket: the CLI sets it below the
    /// open-files limit). Past it, requests wait for a free slot and the
    /// phase says the client set the pace; `None`: no limit.
    pub max_in_flight: Option<u64>,
}

/// A benchmark ready to run: every part created.
pub struct Benchmark {
    target: Target,
    sampler: Box<dyn DatasetSampler>,
    url_strategy: Option<Box<dyn UrlSelectionStrategy>>,
    deadline: Option<Deadline>,
    urls: Vec<String>,
    warmup: Option<Box<dyn TimingStrategy>>,
    profiling: Box<dyn TimingStrategy>,
    ui: Box<dyn Ui>,
    exporters: Vec<(String, Box<dyn DataExporter>)>,
    console_exporters: Vec<(String, Box<dyn ConsoleExporter>)>,
    slos: Vec<Slo>,
    parts: Vec<ResolvedPart>,
    input_config: serde_json::Value,
    records: Vec<(Phase, Vec<RequestRecord>)>,
    hooks: PhaseHookRegistry,
    hook_failures: Vec<HookFailure>,
    output_dir: PathBuf,
    labels: (String, String, String),
    secrets: Secrets,
}

impl std::fmt::Debug for Benchmark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Benchmark")
            .field("endpoint", &self.labels.0)
            .field("transport", &self.labels.2)
            .field("hooks", &self.hooks)
            .finish_non_exhaustive()
    }
}

/// What each named part of `config` resolves to now, for the results'
/// header: a plugin that replaced a builtin is named.
fn resolved_parts(config: &BenchmarkConfig) -> Vec<ResolvedPart> {
    use aiperf_plugin_api::*;
    use registry_core::{Category, Factory};

    fn part<C: Category>(name: &str) -> Option<ResolvedPart> {
        let info = Factory::<C>::get_class(name).ok()?.info();
        Some(ResolvedPart {
            category: info.category(),
            name: name.to_owned(),
            identifier: info.identifier(),
            origin: info.origin().as_str(),
            package: format!("{} {}", info.package().name(), info.package().version()),
        })
    }
    let mut parts = vec![
        part::<EndpointCategory>(config.endpoint.kind.as_str()),
        part::<TransportCategory>(config.transport.kind.as_str()),
    ];
    if let Some(t) = &config.tokenizer {
        parts.push(part::<TokenizerCategory>(t.name.as_str()));
    }
    if let Some(c) = &config.dataset.composer {
        parts.push(part::<DatasetComposerCategory>(c.name.as_str()));
    }
    if let Some(f) = &config.dataset.file {
        parts.push(part::<CustomDatasetLoaderCategory>(f.kind.as_str()));
    }
    parts.push(part::<DatasetSamplerCategory>(
        config.dataset.sampler.as_str(),
    ));
    if let Some(t) = &config.plugins.timing_strategy {
        parts.push(part::<TimingStrategyCategory>(t.name.as_str()));
    }
    for hook in &config.plugins.phase_hooks {
        parts.push(part::<PhaseHookCategory>(hook.name.as_str()));
    }
    parts.into_iter().flatten().collect()
}

/// AIPerf's default `--benchmark-grace-period`, in seconds.
const DEFAULT_GRACE_S: u64 = 30;

/// The timing strategy used when the config names none: one request at a
/// time, ten requests.
fn default_timing() -> NamedConfig<TimingStrategyType> {
    NamedConfig {
        name: TimingStrategyType::Concurrency,
        config: serde_json::json!({ "concurrency": 1, "requests": 10 }),
    }
}

impl Benchmark {
    /// Creates every part the configuration names. All problems are
    /// collected (each with its place in the file, environment values
    /// hidden), not just the first.
    pub fn from_config(
        config: &BenchmarkConfig,
        secrets: &Secrets,
        options: BuildOptions,
    ) -> Result<Benchmark, Vec<String>> {
        let mut problems = Vec::new();
        let mut report = |place: &str, error: &dyn std::fmt::Display| {
            problems.push(secrets.redact(&format!("{place}: {error}")));
        };
        let transport_config = &config.transport;
        if transport_config.url.is_some() && !transport_config.urls.is_empty() {
            report(
                "transport",
                &"both `url` and `urls` are given; give one URL as `url` or several as `urls`",
            );
        }
        let urls: Vec<String> = if !options.urls.is_empty() {
            options.urls.clone()
        } else if !transport_config.urls.is_empty() {
            transport_config.urls.clone()
        } else {
            transport_config.url.iter().cloned().collect()
        };

        let endpoint = config
            .endpoint
            .kind
            .registration()
            .and_then(|registration| {
                let args = EndpointArgs {
                    model: config.endpoint.model.clone(),
                    streaming: config.endpoint.streaming,
                    extra: config.endpoint.extra.clone(),
                };
                let identifier = registration.info().identifier();
                Ok((
                    registration.metadata(),
                    identifier,
                    registration.create(args)?,
                ))
            });
        let endpoint = endpoint.map_err(|e| report("endpoint.type", &e)).ok();

        let transports = match transport_config.kind.registration() {
            Err(e) => {
                report("transport", &e);
                None
            }
            // A URL given to a transport that takes none (its metadata
            // lists no URL scheme) would be silently ignored: say so.
            Ok(r) if !urls.is_empty() && r.metadata().url_schemes.is_empty() => {
                report(
                    "transport",
                    &format_args!(
                        "transport {:?} ({}) takes no URL, but one was given (--url or \
                         transport.url); to send requests to a server, use `transport: {{ type: \
                         http }}`",
                        r.info().name(),
                        r.info().identifier()
                    ),
                );
                None
            }
            Ok(r) => {
                // One transport per URL (each with its own connections), or
                // one without a URL.
                let targets: Vec<Option<String>> = if urls.is_empty() {
                    vec![None]
                } else {
                    urls.iter().cloned().map(Some).collect()
                };
                let several = targets.len() > 1;
                let mut created: Vec<Arc<dyn Transport>> = Vec::new();
                for (i, url) in targets.into_iter().enumerate() {
                    let args = TransportArgs {
                        url,
                        config: transport_config.config.clone(),
                    };
                    match r.create(args) {
                        Ok(t) => created.push(Arc::from(t)),
                        Err(e) if several => report(&format!("transport (urls[{i}])"), &e),
                        Err(e) => report("transport", &e),
                    }
                }
                (created.len() == urls.len().max(1)).then(|| (r.info().identifier(), created))
            }
        };
        let url_strategy = if urls.len() > 1 {
            let args = UrlSelectionArgs {
                urls: urls.len(),
                seed: config.dataset.seed,
            };
            transport_config
                .url_strategy
                .registration()
                .and_then(|r| r.create(args))
                .map_err(|e| report("transport.url_strategy", &e))
                .ok()
        } else {
            None
        };

        let tokenizer: Option<Arc<dyn Tokenizer>> = config.tokenizer.as_ref().and_then(|t| {
            let args = TokenizerArgs {
                path: t.path.as_ref().map(std::path::PathBuf::from),
                config: t.config.clone(),
            };
            t.name
                .registration()
                .and_then(|r| r.create(args))
                .map(Arc::from)
                .map_err(|e| report("tokenizer", &e))
                .ok()
        });

        let dataset = &config.dataset;
        let sources = [
            dataset.prompts.is_some(),
            dataset.composer.is_some(),
            dataset.file.is_some(),
        ];
        let built: Option<Arc<dyn Dataset>> = if sources.iter().filter(|&&s| s).count() > 1 {
            report(
                "dataset",
                &"give one source of prompts: `prompts` (inline), `composer` (e.g. synthetic) \
                  or `file`",
            );
            None
        } else if let Some(composer) = &dataset.composer {
            match &tokenizer {
                Some(tokenizer) => {
                    let args = ComposerArgs {
                        config: composer.config.clone(),
                        tokenizer: Arc::clone(tokenizer),
                        seed: dataset.seed,
                    };
                    composer
                        .name
                        .registration()
                        .and_then(|r| r.create(args))
                        .map(Arc::from)
                        .map_err(|e| report("dataset.composer", &e))
                        .ok()
                }
                None if config.tokenizer.is_some() => None, // already reported
                None => {
                    report(
                        "dataset.composer",
                        &"a composer measures prompts in tokens and needs a tokenizer; add \
                          `tokenizer: { name: builtin }`",
                    );
                    None
                }
            }
        } else if let Some(file) = &dataset.file {
            let args = LoaderArgs {
                path: file.path.clone().into(),
                config: file.config.clone(),
            };
            file.kind
                .registration()
                .and_then(|r| r.create(args))
                .map(Arc::from)
                .map_err(|e| report("dataset.file", &e))
                .ok()
        } else {
            let prompts = dataset
                .prompts
                .clone()
                .unwrap_or_else(crate::config::default_prompts);
            let entries = prompts
                .into_iter()
                .map(|text| DatasetEntry {
                    prompt: Prompt {
                        text,
                        ..Prompt::default()
                    },
                    ..DatasetEntry::default()
                })
                .collect();
            match InMemoryDataset::new(entries) {
                Ok(d) => Some(Arc::new(d) as Arc<dyn Dataset>),
                Err(_) => {
                    report("dataset.prompts", &"is empty; give at least one prompt");
                    None
                }
            }
        };
        // A trace's times would be silently ignored: say so (the timing
        // strategy alone decides when requests go out).
        if let Some(Ok(first)) = built.as_ref().map(|d| d.entry(0)) {
            if first.timestamp.is_some() || first.delay.is_some() {
                tracing::warn!(
                    "the dataset's entries carry timestamps or delays, which this client does \
                     not replay: the timing strategy decides when requests go out (AIPerf's \
                     --fixed-schedule is not supported)"
                );
            }
        }
        let args = SamplerArgs {
            len: built.as_ref().map_or(1, |d| d.len().max(1)),
            seed: dataset.seed,
        };
        let sampler = dataset
            .sampler
            .registration()
            .and_then(|r| r.create(args))
            .map_err(|e| report("dataset.sampler", &e))
            .ok();

        let deadline = match (config.benchmark_duration, config.benchmark_grace_period) {
            (None, None) => None,
            (None, Some(_)) => {
                report(
                    "benchmark_grace_period",
                    &"applies only with `benchmark_duration`; set both or neither",
                );
                None
            }
            (Some(duration), grace) => {
                let issue_until = Duration::try_from_secs_f64(duration)
                    .ok()
                    .filter(|d| !d.is_zero());
                let grace = match grace {
                    Some(g) if g == f64::INFINITY => Ok(None),
                    Some(g) => Duration::try_from_secs_f64(g).map(Some).map_err(|_| g),
                    None => Ok(Some(Duration::from_secs(DEFAULT_GRACE_S))),
                };
                if issue_until.is_none() {
                    report(
                        "benchmark_duration",
                        &format_args!(
                            "is {duration}; it is seconds and must be a finite number above 0"
                        ),
                    );
                }
                if let Err(g) = grace {
                    report(
                        "benchmark_grace_period",
                        &format_args!(
                            "is {g}; it is seconds and must be 0 or more (`.inf`: wait for \
                             every request)"
                        ),
                    );
                }
                match (issue_until, grace) {
                    (Some(issue_until), Ok(grace)) => Some(Deadline { issue_until, grace }),
                    _ => None,
                }
            }
        };

        let mut timing = |place: &str, named: &NamedConfig<TimingStrategyType>| {
            let args = TimingArgs {
                config: named.config.clone(),
            };
            named
                .name
                .registration()
                .and_then(|r| r.create(args))
                .map_err(|e| report(place, &e))
                .ok()
        };
        let warmup = config.warmup.as_ref().map(|w| timing("warmup", w));
        let profiling = match &config.plugins.timing_strategy {
            Some(named) => timing("plugins.timing_strategy", named),
            None => timing("plugins.timing_strategy (default)", &default_timing()),
        };

        let args = UiArgs {
            config: config.ui.config.clone(),
        };
        let ui = config
            .ui
            .name
            .registration()
            .and_then(|r| r.create(args))
            .map_err(|e| report("ui", &e))
            .ok();

        let mut exporters = Vec::new();
        for (i, named) in config.exporters.iter().enumerate() {
            let args = DataExporterArgs {
                config: named.config.clone(),
            };
            match named.name.registration().and_then(|r| r.create(args)) {
                Ok(exporter) => exporters.push((named.name.to_string(), exporter)),
                Err(e) => report(&format!("exporters[{i}]"), &e),
            }
        }

        let mut console_exporters = Vec::new();
        for (i, named) in config.console_exporters.iter().enumerate() {
            let args = ConsoleExporterArgs {
                config: named.config.clone(),
            };
            match named.name.registration().and_then(|r| r.create(args)) {
                Ok(exporter) => console_exporters.push((named.name.to_string(), exporter)),
                Err(e) => report(&format!("console_exporters[{i}]"), &e),
            }
        }
        let slos = match config
            .goodput
            .as_deref()
            .map(aiperf_plugin_api::metrics::parse_goodput)
        {
            None => Vec::new(),
            Some(Ok(slos)) => {
                // AIPerf 0.13 hangs on this; say it up front instead.
                for slo in slos.iter().filter(|s| s.metric.streamed_only) {
                    if !config.endpoint.streaming {
                        report(
                            "goodput",
                            &format_args!(
                                "{} is measured only on streamed answers; add --streaming \
                                 (`endpoint.streaming: true`) or drop that objective",
                                slo.metric.tag
                            ),
                        );
                    }
                }
                slos
            }
            Some(Err(e)) => {
                report("goodput", &e);
                Vec::new()
            }
        };

        let hooks = PhaseHookRegistry::load(&config.plugins.phase_hooks, options.hooks, secrets);
        let (hooks, hook_failures) = match hooks {
            Ok(loaded) => loaded,
            Err(failures) => {
                for f in &failures {
                    let place = format!("plugins.phase_hooks[{}]", f.position - 1);
                    report(&place, &format!("`{}`: {}", f.name, f.reason));
                }
                return Err(problems);
            }
        };

        if !problems.is_empty() {
            return Err(problems);
        }
        // Every part that failed was reported, so with no problem all exist.
        let (
            Some((metadata, endpoint_id, endpoint)),
            Some((transport_id, transports)),
            Some(dataset_built),
            Some(sampler),
            Some(profiling),
            Some(ui),
        ) = (endpoint, transports, built, sampler, profiling, ui)
        else {
            return Err(problems);
        };
        if urls.len() > 1 && url_strategy.is_none() {
            return Err(problems);
        }
        let warmup = warmup.flatten();
        // From here on, what the transports send is as secret as the
        // environment's values.
        let mut secrets = secrets.clone();
        for transport in &transports {
            for secret in transport.secrets() {
                secrets.hide(&secret);
            }
        }
        let secrets = &secrets;

        let streams = config.endpoint.streaming && metadata.supports_streaming;
        Ok(Benchmark {
            target: Target {
                endpoint: Arc::from(endpoint),
                transports,
                path: match (streams, metadata.streaming_path) {
                    (true, Some(path)) => path,
                    _ => metadata.endpoint_path,
                },
                stream: streams,
                dataset: dataset_built,
                tokenizer,
                default_max_tokens: dataset.max_tokens,
                default_passages: dataset.passages.clone().into(),
                client_limit: options.max_in_flight.filter(|&n| n > 0),
                labels: Arc::new(Labels {
                    endpoint: format!("endpoint `{}` ({endpoint_id})", config.endpoint.kind),
                    transport: format!("transport `{}` ({transport_id})", config.transport.kind),
                }),
            },
            sampler,
            url_strategy,
            deadline,
            urls: urls.iter().map(|u| secrets.redact(u)).collect(),
            warmup,
            profiling,
            ui,
            exporters,
            console_exporters,
            slos,
            parts: resolved_parts(config),
            input_config: config.printable(secrets),
            records: Vec::new(),
            hooks,
            hook_failures,
            output_dir: options
                .output_dir
                .unwrap_or_else(|| PathBuf::from(&config.output_dir)),
            // What results and messages show: environment values and
            // credentials hidden (a `${MODEL}` stays hidden).
            labels: (
                secrets.redact(config.endpoint.kind.as_str()),
                secrets.redact(&config.endpoint.model),
                secrets.redact(config.transport.kind.as_str()),
            ),
            secrets: secrets.clone(),
        })
    }

    /// Phase hooks that failed to load (lenient mode), already reported.
    pub fn hook_failures(&self) -> &[HookFailure] {
        &self.hook_failures
    }

    /// `text` as it may be shown: every environment-derived value and
    /// credential of this benchmark hidden (for paths and messages a caller
    /// prints itself).
    pub fn redact(&self, text: &str) -> String {
        self.secrets.redact(text)
    }

    /// The directory [`export`](Self::export) writes into.
    pub fn output_dir(&self) -> &Path {
        &self.output_dir
    }

    /// Runs the warmup phase (if configured) and the profiling phase. When
    /// `stop` is set, the current phase ends, requests in flight are
    /// abandoned, and the results say `interrupted`.
    pub fn run(&mut self, stop: &AtomicBool) -> BenchmarkResults {
        let runtime = match runtime() {
            Ok(runtime) => runtime,
            Err(e) => {
                // Nothing can be sent without a runtime: say so as a failed
                // phase rather than pretend it ran.
                let message = format!("cannot start the request runtime: {e}");
                let stats = PhaseStats::from_records(
                    Phase::Profiling,
                    &[aiperf_plugin_api::stats::RequestRecord {
                        error: Some(message),
                        ..Default::default()
                    }],
                    std::time::Duration::ZERO,
                );
                return self.results(false, vec![stats], 0);
            }
        };
        let mut phases = Vec::new();
        let mut interrupted = false;
        let started = unix_now_ns();
        self.records.clear();
        let mut strategies: Vec<(Phase, &mut Box<dyn TimingStrategy>)> = Vec::new();
        if let Some(warmup) = self.warmup.as_mut() {
            strategies.push((Phase::Warmup, warmup));
        }
        strategies.push((Phase::Profiling, &mut self.profiling));
        for (phase, strategy) in strategies {
            let start = PhaseStart {
                phase,
                expected_requests: strategy.total_requests(),
            };
            self.hooks.on_phase_start_until(&start, stop);
            self.ui.on_phase_start(&start);
            let run = run_phase(
                runtime.handle(),
                phase,
                &self.target,
                strategy.as_mut(),
                self.sampler.as_mut(),
                self.url_strategy.as_deref_mut(),
                // The duration bounds the profiling phase (as AIPerf's).
                self.deadline.filter(|_| phase == Phase::Profiling),
                self.ui.as_ref(),
                stop,
            );
            let mut records = run.records;
            // Error messages may quote a URL or header built from `${VAR}`s;
            // hide those values before anyone (hooks, UI, exporters) sees them.
            for error in records.iter_mut().filter_map(|r| r.error.as_mut()) {
                *error = self.secrets.redact(error);
            }
            let mut stats = PhaseStats::from_records(phase, &records, run.duration);
            stats.metrics = aiperf_plugin_api::metrics::compute(&records, run.duration, &self.slos);
            if let (true, Some(limit)) = (run.client_capped, self.target.client_limit) {
                stats.notes.push(format!(
                    "in-flight requests reached the client's limit of {limit} (one socket each, \
                     below the open-files limit); later requests waited for a free slot, so the \
                     client, not the timing strategy, set the pace"
                ));
            }
            self.ui.on_phase_complete(&stats);
            self.hooks.on_phase_complete_until(&stats, stop);
            phases.push(stats);
            self.records.push((phase, records));
            if run.interrupted {
                interrupted = true;
                break;
            }
        }
        self.results(interrupted, phases, started)
    }

    /// The results of a run of this benchmark.
    fn results(
        &self,
        interrupted: bool,
        phases: Vec<PhaseStats>,
        started: u64,
    ) -> BenchmarkResults {
        BenchmarkResults {
            endpoint: self.labels.0.clone(),
            model: self.labels.1.clone(),
            transport: self.labels.2.clone(),
            urls: self.urls.clone(),
            parts: self.parts.clone(),
            input_config: self.input_config.clone(),
            start_unix_ns: started,
            end_unix_ns: unix_now_ns(),
            interrupted,
            phases,
        }
    }

    /// The requests of the last [`run`](Self::run), per phase.
    pub fn records(&self) -> &[(Phase, Vec<RequestRecord>)] {
        &self.records
    }

    /// Writes `results` with every configured exporter into the output
    /// directory (created if missing). Returns the files written; an
    /// exporter that fails does not stop the others.
    pub fn export(&self, results: &BenchmarkResults) -> (Vec<PathBuf>, Vec<String>) {
        if let Err(e) = std::fs::create_dir_all(&self.output_dir) {
            let message = format!("cannot create {}: {e}", self.output_dir.display());
            return (Vec::new(), vec![message]);
        }
        let run = ExportRun {
            results,
            records: &self.records,
            inputs: &Inputs(&self.target),
        };
        let mut written = Vec::new();
        let mut problems = Vec::new();
        for (name, exporter) in &self.exporters {
            match exporter.export(&run, &self.output_dir) {
                Ok(path) => written.push(path),
                Err(e) => problems.push(self.secrets.redact(&format!("exporter `{name}`: {e}"))),
            }
        }
        (written, problems)
    }

    /// The end-of-run summary: each console exporter's text, in order,
    /// and the problems of those that failed.
    pub fn console(&self, results: &BenchmarkResults) -> (String, Vec<String>) {
        let run = ExportRun {
            results,
            records: &self.records,
            inputs: &Inputs(&self.target),
        };
        let mut text = String::new();
        let mut problems = Vec::new();
        for (name, exporter) in &self.console_exporters {
            match exporter.render(&run) {
                Ok(part) => text.push_str(&part),
                Err(e) => problems.push(
                    self.secrets
                        .redact(&format!("console exporter `{name}`: {e}")),
                ),
            }
        }
        (self.secrets.redact(&text), problems)
    }
}

/// The dataset's entries as the payloads they are sent as.
struct Inputs<'a>(&'a Target);

impl InputPayloads for Inputs<'_> {
    fn len(&self) -> usize {
        self.0.dataset.len()
    }

    fn payload(&self, index: usize) -> Result<serde_json::Value, registry_core::BoxError> {
        let entry = self.0.entry(index)?;
        match entry.payload {
            Some(payload) => Ok(payload),
            None => Ok(self.0.endpoint.format_payload(&entry.prompt)),
        }
    }
}

/// Now as Unix time in nanoseconds.
fn unix_now_ns() -> u64 {
    phase::unix_ns(std::time::SystemTime::now(), Duration::ZERO)
}

/// The runtime requests run on: one worker per core (at most what the
/// machine has), with timers and I/O. Requests are tasks, never threads.
fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("aiperf-worker")
        .enable_all()
        .build()
}
