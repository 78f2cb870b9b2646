//! `aiperf profile`'s flags, with AIPerf 0.13's names and meanings, and how
//! they become a [`BenchmarkConfig`]: a `--config` file is the base, flags
//! override it; without a file, flags alone describe the run (AIPerf's
//! defaults: `chat`, `http://localhost:8000`, synthetic prompts of 550
//! tokens, concurrency 1).
//!
//! Every flag that names a part (`--endpoint-type`, `--ui-type`,
//! `--arrival-pattern`, ...) is checked against the registry here, so an
//! unknown value is refused naming the flag, with the registered names and
//! a suggestion. Flags that contradict each other are refused before
//! anything is created. AIPerf flags this build does not have are refused
//! by name too ([`AIPERF_FLAGS`]), never ignored.

use std::path::PathBuf;

use aiperf_engine::config::{
    BenchmarkConfig, DatasetConfig, DatasetFileConfig, EndpointConfig, NamedConfig, PluginsConfig,
    TokenizerConfig, TransportConfig,
};
use aiperf_plugin_api::names::{
    ArrivalPatternType, CustomDatasetLoaderType, DatasetComposerType, EndpointType,
    TimingStrategyType, TokenizerType, TransportType, UiType, UrlSelectionStrategyType,
};
use clap::Args;
use serde_json::{Map, Value, json};

use crate::CliError;

/// AIPerf's default server URL.
pub const DEFAULT_URL: &str = "http://localhost:8000";

/// `aiperf profile`: flags with AIPerf's names (`aiperf profile --help`),
/// optionally over a `--config` file.
#[derive(Debug, Clone, Default, Args)]
#[command(after_help = "Examples:\n  \
    aiperf profile -m my-model --url http://host:8000 --endpoint-type chat --streaming \\\n      \
      --concurrency 16 --request-count 200 --isl 550 --osl 64 --tokenizer builtin --artifact-dir out\n  \
    aiperf profile --config bench.yaml --concurrency 32      a file, one setting overridden\n  \
    aiperf profile --config bench.yaml --print-config         the effective config, secrets hidden")]
pub struct ProfileArgs {
    /// A benchmark config (YAML) as the base; flags override it.
    #[arg(long, short = 'f', value_name = "FILE", help_heading = "Config")]
    pub config: Option<PathBuf>,
    /// Print the effective config (file plus flags, secrets hidden) as JSON,
    /// which `--config` reads back, and exit.
    #[arg(long, help_heading = "Config")]
    pub print_config: bool,

    /// The model name sent in every request (one; AIPerf's list of several
    /// is not supported).
    #[arg(
        short = 'm',
        long = "model",
        visible_alias = "model-names",
        help_heading = "Endpoint"
    )]
    pub model: Option<String>,
    /// The API format, an `endpoint` name (`aiperf plugins endpoint`).
    /// Default `chat`.
    #[arg(long, value_name = "NAME", help_heading = "Endpoint")]
    pub endpoint_type: Option<String>,
    /// Ask for streamed responses (time to first token, inter-token latency).
    #[arg(long, help_heading = "Endpoint")]
    pub streaming: bool,
    /// Server base URL; repeat for several servers. A URL without `://`
    /// gets `http://`. Default http://localhost:8000.
    #[arg(
        short = 'u',
        long = "url",
        value_name = "URL",
        help_heading = "Endpoint"
    )]
    pub urls: Vec<String>,
    /// How requests are spread over several `--url`s, a
    /// `url_selection_strategy` name. Default `round_robin`.
    #[arg(long, value_name = "NAME", help_heading = "Endpoint")]
    pub url_strategy: Option<String>,
    /// Whole-request timeout in seconds.
    #[arg(long, value_name = "SECONDS", help_heading = "Endpoint")]
    pub request_timeout_seconds: Option<f64>,
    /// Sent as `Authorization: Bearer ...`; never printed.
    #[arg(long, value_name = "KEY", help_heading = "Endpoint")]
    pub api_key: Option<String>,
    /// How requests travel, a `transport` name. Default `http`.
    #[arg(
        long,
        visible_alias = "transport-type",
        value_name = "NAME",
        help_heading = "Endpoint"
    )]
    pub transport: Option<String>,

    /// Extra payload fields, `key:value` (the value read as JSON when it is,
    /// e.g. `temperature:0.7`) or a JSON object; repeatable.
    #[arg(long, value_name = "KEY:VALUE", num_args = 1.., help_heading = "Input")]
    pub extra_inputs: Vec<String>,
    /// Extra request header, `Name:value` or a JSON object; repeatable.
    /// Values are never printed.
    #[arg(short = 'H', long, value_name = "NAME:VALUE", help_heading = "Input")]
    pub header: Vec<String>,
    /// A dataset file, read by `--custom-dataset-type`.
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub input_file: Option<PathBuf>,
    /// The format of `--input-file`, a `custom_dataset_loader` name
    /// (`single_turn`, `inputs_json`). Default `single_turn`.
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub custom_dataset_type: Option<String>,
    /// Seed of everything drawn at random (prompts, sampling, arrivals).
    #[arg(long, value_name = "N", help_heading = "Input")]
    pub random_seed: Option<u64>,
    /// Number of distinct synthetic prompts. Default 100.
    #[arg(
        long,
        visible_alias = "num-prompts",
        value_name = "N",
        help_heading = "Input"
    )]
    pub num_dataset_entries: Option<u64>,
    /// Mean input length of synthetic prompts, in tokens. Default 550.
    #[arg(
        long = "isl",
        visible_aliases = ["prompt-input-tokens-mean", "synthetic-input-tokens-mean"],
        value_name = "TOKENS",
        help_heading = "Input"
    )]
    pub isl: Option<u64>,
    /// Standard deviation of the synthetic input length. Default 0.
    #[arg(
        long = "isl-stddev",
        visible_aliases = ["prompt-input-tokens-stddev", "synthetic-input-tokens-stddev"],
        value_name = "TOKENS",
        help_heading = "Input"
    )]
    pub isl_stddev: Option<f64>,
    /// Mean output length asked for (`max_tokens`). Default: the server's.
    #[arg(
        long = "osl",
        visible_aliases = ["prompt-output-tokens-mean", "output-tokens-mean"],
        value_name = "TOKENS",
        help_heading = "Input"
    )]
    pub osl: Option<u64>,
    /// Standard deviation of the output length asked for. Default 0.
    #[arg(
        long = "osl-stddev",
        visible_aliases = ["prompt-output-tokens-stddev", "output-tokens-stddev"],
        value_name = "TOKENS",
        help_heading = "Input"
    )]
    pub osl_stddev: Option<f64>,

    /// A `tokenizer` name (`builtin`: tiktoken o200k_base) or a
    /// `tokenizer.json` path (needs a tokenizer that reads files, e.g. the
    /// `hf-tokenizers` plugin). Default `builtin`.
    #[arg(long, value_name = "NAME|PATH", help_heading = "Tokenizer")]
    pub tokenizer: Option<String>,

    /// Stop issuing requests after this many seconds.
    #[arg(long, value_name = "SECONDS", help_heading = "Load generator")]
    pub benchmark_duration: Option<f64>,
    /// After `--benchmark-duration`, wait this long for requests in flight
    /// (`inf`: for all), then cancel the rest. Default 30.
    #[arg(long, value_name = "SECONDS", help_heading = "Load generator")]
    pub benchmark_grace_period: Option<f64>,
    /// Requests kept in flight (with `--request-rate`: the most in flight).
    #[arg(long, value_name = "N", help_heading = "Load generator")]
    pub concurrency: Option<u64>,
    /// Requests per second, spaced by `--arrival-pattern`.
    #[arg(long, value_name = "PER_SECOND", help_heading = "Load generator")]
    pub request_rate: Option<f64>,
    /// Gaps between requests at `--request-rate`, an `arrival_pattern` name
    /// (`constant`, `poisson`, `gamma`). Default `poisson`.
    #[arg(
        long,
        visible_alias = "request-rate-mode",
        value_name = "NAME",
        help_heading = "Load generator"
    )]
    pub arrival_pattern: Option<String>,
    /// Gamma shape for `--arrival-pattern gamma`: 1 is Poisson, below is
    /// burstier, above smoother (vLLM's `--burstiness`).
    #[arg(
        long,
        visible_alias = "vllm-burstiness",
        value_name = "K",
        help_heading = "Load generator"
    )]
    pub arrival_smoothness: Option<f64>,
    /// Requests to send. Default: max(10, 2 × concurrency), or unlimited
    /// with `--benchmark-duration`.
    #[arg(
        long,
        visible_alias = "num-requests",
        value_name = "N",
        help_heading = "Load generator"
    )]
    pub request_count: Option<u64>,
    /// Unmeasured requests sent first, at the same concurrency or rate.
    #[arg(
        long,
        visible_alias = "num-warmup-requests",
        value_name = "N",
        help_heading = "Load generator"
    )]
    pub warmup_request_count: Option<u64>,

    /// Goodput objectives, AIPerf's syntax: `"time_to_first_token:200
    /// request_latency:1000"` (thresholds in each metric's unit; at most,
    /// or at least for throughputs). Adds goodput, good request count and
    /// fraction to the results.
    #[arg(long, value_name = "METRIC:THRESHOLD", num_args = 1.., help_heading = "Output")]
    pub goodput: Vec<String>,
    /// Directory for the result files. Default `artifacts`.
    #[arg(
        long = "artifact-dir",
        visible_alias = "output-artifact-dir",
        alias = "output",
        value_name = "DIR",
        help_heading = "Output"
    )]
    pub artifact_dir: Option<PathBuf>,
    /// Progress display, a `ui` name (`simple`, `none`). Default `simple`.
    #[arg(
        long = "ui-type",
        visible_alias = "ui",
        value_name = "NAME",
        help_heading = "Output"
    )]
    pub ui_type: Option<String>,
    /// Print the results as JSON instead of tables.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
    /// Abort when a phase hook fails to load (default: report it, go on).
    #[arg(long, help_heading = "Output")]
    pub strict_hooks: bool,
}

/// A flag that cannot be used as given.
fn refuse(flag: &str, message: impl std::fmt::Display) -> CliError {
    CliError::Flag {
        flag: flag.to_owned(),
        message: message.to_string(),
    }
}

/// `value` checked as a registered name of `T`'s category: the registry's
/// error (names, suggestion) under the flag's name.
fn registered<T>(
    flag: &str,
    value: &str,
    parse: fn(&str) -> Result<T, registry_core::RegistryError>,
) -> Result<T, CliError> {
    parse(value).map_err(|e| refuse(flag, format_args!("{value:?}: {e}")))
}

impl ProfileArgs {
    /// The effective config: the `--config` file (or AIPerf's defaults)
    /// with every flag applied, checked for contradictions.
    pub fn apply(&self, base: Option<BenchmarkConfig>) -> Result<BenchmarkConfig, CliError> {
        self.check_conflicts()?;
        let from_file = base.is_some();
        let mut config = match base {
            Some(config) => config,
            None => self.flag_base()?,
        };
        self.apply_endpoint(&mut config)?;
        self.apply_transport(&mut config)?;
        self.apply_dataset(&mut config, from_file)?;
        self.apply_timing(&mut config)?;
        if let Some(dir) = &self.artifact_dir {
            config.output_dir = dir.display().to_string();
        }
        if let Some(ui) = &self.ui_type {
            config.ui = NamedConfig {
                name: registered("--ui-type", ui, UiType::parse_registered)?,
                config: Value::Null,
            };
        }
        if !self.goodput.is_empty() {
            config.goodput = Some(self.goodput.join(" "));
        }
        if let Some(duration) = self.benchmark_duration {
            config.benchmark_duration = Some(duration);
        }
        if let Some(grace) = self.benchmark_grace_period {
            config.benchmark_grace_period = Some(grace);
        }
        Ok(config)
    }

    /// Flag pairs that contradict each other, refused before anything is
    /// built.
    fn check_conflicts(&self) -> Result<(), CliError> {
        if self.benchmark_duration.is_some() && self.request_count.is_some() {
            return Err(refuse(
                "--benchmark-duration",
                "cannot be combined with --request-count: the run ends either after a time or \
                 after a number of requests; give one",
            ));
        }
        if self.benchmark_grace_period.is_some() && self.benchmark_duration.is_none() {
            return Err(refuse(
                "--benchmark-grace-period",
                "applies only with --benchmark-duration",
            ));
        }
        if self.input_file.is_some() {
            for (flag, given) in [
                ("--isl", self.isl.is_some()),
                ("--isl-stddev", self.isl_stddev.is_some()),
                ("--num-dataset-entries", self.num_dataset_entries.is_some()),
            ] {
                if given {
                    return Err(refuse(
                        flag,
                        "shapes synthetic prompts, but --input-file gives the prompts; drop one",
                    ));
                }
            }
        }
        if self.custom_dataset_type.is_some() && self.input_file.is_none() {
            return Err(refuse(
                "--custom-dataset-type",
                "says how to read --input-file, which is not given",
            ));
        }
        if self.request_rate.is_none() {
            for (flag, given) in [
                ("--arrival-pattern", self.arrival_pattern.is_some()),
                ("--arrival-smoothness", self.arrival_smoothness.is_some()),
            ] {
                if given {
                    return Err(refuse(
                        flag,
                        "spaces requests at a rate; it needs --request-rate",
                    ));
                }
            }
        }
        if self.arrival_smoothness.is_some()
            && self.arrival_pattern.as_deref().is_some_and(|p| {
                ArrivalPatternType::parse(p).ok() != Some(ArrivalPatternType::Gamma)
            })
        {
            return Err(refuse(
                "--arrival-smoothness",
                "is the shape of gamma arrivals; use it with --arrival-pattern gamma",
            ));
        }
        if let Some(model) = &self.model {
            if model.contains(',') {
                return Err(refuse(
                    "--model",
                    format_args!(
                        "{model:?} names several models; this aiperf benchmarks one model per \
                         run: give one"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// AIPerf's defaults, for a run described by flags alone.
    fn flag_base(&self) -> Result<BenchmarkConfig, CliError> {
        let Some(model) = self.model.clone() else {
            return Err(refuse(
                "--model",
                "is required (e.g. `-m my-model`) unless --config gives `endpoint.model`",
            ));
        };
        Ok(BenchmarkConfig {
            plugins: PluginsConfig::default(),
            endpoint: EndpointConfig {
                kind: EndpointType::Chat,
                model,
                streaming: false,
                extra: Map::new(),
            },
            transport: TransportConfig {
                kind: TransportType::Http,
                url: Some(DEFAULT_URL.to_owned()),
                ..TransportConfig::default()
            },
            dataset: DatasetConfig::default(),
            warmup: None,
            ui: NamedConfig {
                name: UiType::Simple,
                config: Value::Null,
            },
            exporters: aiperf_engine::config::default_exporters(),
            console_exporters: aiperf_engine::config::default_console_exporters(),
            goodput: None,
            output_dir: "artifacts".to_owned(),
            tokenizer: None,
            benchmark_duration: None,
            benchmark_grace_period: None,
        })
    }

    fn apply_endpoint(&self, config: &mut BenchmarkConfig) -> Result<(), CliError> {
        let endpoint = &mut config.endpoint;
        if let Some(model) = &self.model {
            endpoint.model = model.clone();
        }
        if let Some(kind) = &self.endpoint_type {
            endpoint.kind = registered("--endpoint-type", kind, EndpointType::parse_registered)?;
        }
        if self.streaming {
            endpoint.streaming = true;
        }
        for item in &self.extra_inputs {
            for (key, value) in key_values("--extra-inputs", item, true)? {
                endpoint.extra.insert(key, value);
            }
        }
        Ok(())
    }

    fn apply_transport(&self, config: &mut BenchmarkConfig) -> Result<(), CliError> {
        let transport = &mut config.transport;
        if let Some(kind) = &self.transport {
            transport.kind = registered("--transport", kind, TransportType::parse_registered)?;
        }
        match self.urls.as_slice() {
            [] => {}
            [one] => {
                transport.url = Some(with_scheme(one));
                transport.urls.clear();
            }
            several => {
                transport.url = None;
                transport.urls = several.iter().map(|u| with_scheme(u)).collect();
            }
        }
        if let Some(strategy) = &self.url_strategy {
            transport.url_strategy = registered(
                "--url-strategy",
                strategy,
                UrlSelectionStrategyType::parse_registered,
            )?;
        }
        let settings = object_at(&mut transport.config);
        if let Some(timeout) = self.request_timeout_seconds {
            settings.insert("timeout_s".into(), json!(timeout));
        }
        if let Some(key) = &self.api_key {
            settings.insert("api_key".into(), json!(key));
        }
        if !self.header.is_empty() {
            let headers = object_at(settings.entry("headers").or_insert(Value::Null));
            for item in &self.header {
                for (name, value) in key_values("--header", item, false)? {
                    let value = match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    headers.insert(name, Value::String(value));
                }
            }
        }
        Ok(())
    }

    fn apply_dataset(&self, config: &mut BenchmarkConfig, from_file: bool) -> Result<(), CliError> {
        let dataset = &mut config.dataset;
        if let Some(seed) = self.random_seed {
            dataset.seed = seed;
        }
        let synthetic_flags = self.isl.is_some()
            || self.isl_stddev.is_some()
            || self.num_dataset_entries.is_some()
            || (self.input_file.is_none() && (self.osl.is_some() || self.osl_stddev.is_some()));
        if let Some(path) = &self.input_file {
            let kind = match &self.custom_dataset_type {
                Some(kind) => registered(
                    "--custom-dataset-type",
                    kind,
                    CustomDatasetLoaderType::parse_registered,
                )?,
                None => CustomDatasetLoaderType::SingleTurn,
            };
            *dataset = DatasetConfig {
                file: Some(DatasetFileConfig {
                    path: path.display().to_string(),
                    kind,
                    config: Value::Null,
                }),
                prompts: None,
                composer: None,
                ..dataset.clone()
            };
            if let Some(osl) = self.osl {
                // Entries without their own `output_length` ask for this.
                dataset.max_tokens = Some(u32::try_from(osl).unwrap_or(u32::MAX));
            }
            if self.osl_stddev.is_some() {
                return Err(refuse(
                    "--osl-stddev",
                    "varies synthetic output lengths; with --input-file, give each line its \
                     `output_length` (or one --osl for all)",
                ));
            }
        } else if synthetic_flags || !from_file {
            let mut settings = match dataset.composer.take() {
                Some(composer) if composer.name == DatasetComposerType::Synthetic => {
                    composer.config
                }
                _ => Value::Null,
            };
            let fields = object_at(&mut settings);
            for (key, value) in [
                ("isl", self.isl.map(|v| json!(v))),
                ("isl_stddev", self.isl_stddev.map(|v| json!(v))),
                ("osl", self.osl.map(|v| json!(v))),
                ("osl_stddev", self.osl_stddev.map(|v| json!(v))),
                ("entries", self.num_dataset_entries.map(|v| json!(v))),
            ] {
                if let Some(value) = value {
                    fields.insert(key.into(), value);
                }
            }
            dataset.prompts = None;
            dataset.file = None;
            dataset.composer = Some(NamedConfig {
                name: DatasetComposerType::Synthetic,
                config: settings,
            });
        }
        // A tokenizer: the one asked for, else the file's, else AIPerf's
        // offline default.
        if let Some(value) = &self.tokenizer {
            config.tokenizer = Some(tokenizer_from_flag(value)?);
        } else if config.tokenizer.is_none() && (!from_file || config.dataset.composer.is_some()) {
            config.tokenizer = Some(TokenizerConfig {
                name: TokenizerType::Builtin,
                path: None,
                config: Value::Null,
            });
        }
        Ok(())
    }

    fn apply_timing(&self, config: &mut BenchmarkConfig) -> Result<(), CliError> {
        let seed = self.random_seed;
        let unlimited = self.benchmark_duration.is_some() || config.benchmark_duration.is_some();
        let default_count = |concurrency: Option<u64>| {
            (!unlimited).then(|| concurrency.unwrap_or(1).saturating_mul(2).max(10))
        };
        let profiling = if let Some(rate) = self.request_rate {
            let pattern = match &self.arrival_pattern {
                Some(p) => {
                    registered("--arrival-pattern", p, ArrivalPatternType::parse_registered)?
                }
                None => ArrivalPatternType::Poisson,
            };
            let mut settings = json!({ "rate": rate, "arrival_pattern": pattern.as_str() });
            let fields = object_at(&mut settings);
            if let Some(requests) = self
                .request_count
                .or_else(|| default_count(self.concurrency))
            {
                fields.insert("requests".into(), json!(requests));
            }
            if let Some(concurrency) = self.concurrency {
                fields.insert("max_concurrency".into(), json!(concurrency));
            }
            if let Some(smoothness) = self.arrival_smoothness {
                fields.insert("smoothness".into(), json!(smoothness));
            }
            if let Some(seed) = seed {
                fields.insert("seed".into(), json!(seed));
            }
            Some(NamedConfig {
                name: TimingStrategyType::RequestRate,
                config: settings,
            })
        } else if self.concurrency.is_some() || config.plugins.timing_strategy.is_none() {
            let concurrency = self.concurrency.unwrap_or(1);
            let mut settings = json!({ "concurrency": concurrency });
            if let Some(requests) = self
                .request_count
                .or_else(|| default_count(Some(concurrency)))
            {
                object_at(&mut settings).insert("requests".into(), json!(requests));
            }
            Some(NamedConfig {
                name: TimingStrategyType::Concurrency,
                config: settings,
            })
        } else {
            None
        };
        match profiling {
            Some(strategy) => config.plugins.timing_strategy = Some(strategy),
            // The file's strategy; only the count changes.
            None => {
                if let (Some(requests), Some(strategy)) =
                    (self.request_count, config.plugins.timing_strategy.as_mut())
                {
                    object_at(&mut strategy.config).insert("requests".into(), json!(requests));
                }
                if unlimited {
                    if let Some(strategy) = config.plugins.timing_strategy.as_mut() {
                        object_at(&mut strategy.config).remove("requests");
                    }
                }
            }
        }
        if let Some(warmup) = self.warmup_request_count {
            // Same strategy as profiling, its own count.
            let mut strategy = config
                .plugins
                .timing_strategy
                .clone()
                .expect("a profiling strategy was set above or by the file");
            object_at(&mut strategy.config).insert("requests".into(), json!(warmup));
            config.warmup = Some(strategy);
        }
        Ok(())
    }
}

/// `--tokenizer VALUE`: a registered tokenizer name, else a file path read
/// by the `huggingface` tokenizer (a plugin crate).
fn tokenizer_from_flag(value: &str) -> Result<TokenizerConfig, CliError> {
    if let Ok(name) = TokenizerType::parse_registered(value) {
        return Ok(TokenizerConfig {
            name,
            path: None,
            config: Value::Null,
        });
    }
    let names = aiperf_plugin_api::TokenizerFactory::list_names().join(", ");
    let path = std::path::Path::new(value);
    if !path.exists() {
        return Err(refuse(
            "--tokenizer",
            format_args!(
                "{value:?} is neither a tokenizer name ({names}) nor an existing file or \
                 directory; downloading tokenizers by model name is not supported: give \
                 `builtin` or the path of a tokenizer.json"
            ),
        ));
    }
    let file_reader = TokenizerType::from_static("huggingface");
    if file_reader.registration().is_err() {
        return Err(refuse(
            "--tokenizer",
            format_args!(
                "{value:?} is a path, but no linked tokenizer reads tokenizer files (linked: \
                 {names}); build with `--features hf-tokenizers`, or use `--tokenizer builtin`"
            ),
        ));
    }
    Ok(TokenizerConfig {
        name: file_reader,
        path: Some(value.to_owned()),
        config: Value::Null,
    })
}

/// AIPerf's rule: a URL without `://` gets `http://`.
fn with_scheme(url: &str) -> String {
    if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    }
}

/// The object at `value`, made one if it is null.
fn object_at(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(map) => map,
        _ => unreachable!("made an object above"),
    }
}

/// `key:value` (split at the first `:`) or a JSON object. With `json_values`
/// a value that is valid JSON (`0.7`, `true`, `[1]`) is taken as such,
/// otherwise as a string.
fn key_values(flag: &str, item: &str, json_values: bool) -> Result<Vec<(String, Value)>, CliError> {
    let trimmed = item.trim_start();
    if trimmed.starts_with('{') {
        return match serde_json::from_str::<Map<String, Value>>(trimmed) {
            Ok(map) => Ok(map.into_iter().collect()),
            Err(e) => Err(refuse(
                flag,
                format_args!("{item:?} is not a JSON object: {e}"),
            )),
        };
    }
    let Some((key, value)) = item.split_once(':') else {
        return Err(refuse(
            flag,
            format_args!(
                "{item:?} has no `:`; expected KEY:VALUE (e.g. temperature:0.7) or a JSON object"
            ),
        ));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(refuse(
            flag,
            format_args!("{item:?} has an empty key before `:`"),
        ));
    }
    let value = if json_values {
        serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()))
    } else {
        Value::String(value.trim_start().to_owned())
    };
    Ok(vec![(key.to_owned(), value)])
}

/// Every flag of AIPerf 0.13's `aiperf profile` (all spellings). Consulted
/// only for a flag clap does not know, i.e. one this `aiperf profile` does
/// not have: it says so instead of clap's generic "unexpected argument". Read off `aiperf profile --help` of AIPerf
/// 0.13.0 (`scripts/aiperf_flags.py` regenerates the list).
pub const AIPERF_FLAGS: &[&str] = &include!("aiperf_flags.in");

/// The message for an AIPerf flag this build lacks, if `arg` is one.
pub fn aiperf_only_flag(arg: &str) -> Option<String> {
    let flag = arg.split_once('=').map_or(arg, |(flag, _)| flag);
    AIPERF_FLAGS.contains(&flag).then(|| {
        format!(
            "`{flag}` is a flag of AIPerf 0.13's `aiperf profile` that this aiperf does not \
             support; it is refused rather than ignored. `aiperf profile --help` lists the \
             flags it has"
        )
    })
}
