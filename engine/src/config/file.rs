//! The benchmark configuration file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::expand::{ExpandError, Secrets, expand, is_single_reference};
use aiperf_plugin_api::names::{
    ConsoleExporterType, CustomDatasetLoaderType, DataExporterType, DatasetComposerType,
    DatasetSamplerType, EndpointType, PhaseHookType, TimingStrategyType, TokenizerType,
    TransportType, UiType, UrlSelectionStrategyType,
};

/// A name type whose valid values are the names registered in its
/// category (builtins and linked plugin crates): what the config's JSON
/// Schema lists for it.
pub trait RegisteredNames {
    /// The names registered now, sorted.
    fn registered_names() -> Vec<&'static str>;
}

macro_rules! registered_names {
    ($($name:ty => $factory:ty),* $(,)?) => {$(
        impl RegisteredNames for $name {
            fn registered_names() -> Vec<&'static str> {
                <$factory>::list_names().to_vec()
            }
        }
    )*};
}

registered_names! {
    EndpointType => aiperf_plugin_api::EndpointFactory,
    TransportType => aiperf_plugin_api::TransportFactory,
    TimingStrategyType => aiperf_plugin_api::TimingStrategyFactory,
    PhaseHookType => aiperf_plugin_api::PhaseHookFactory,
    UiType => aiperf_plugin_api::UiFactory,
    DataExporterType => aiperf_plugin_api::DataExporterFactory,
    ConsoleExporterType => aiperf_plugin_api::ConsoleExporterFactory,
    DatasetSamplerType => aiperf_plugin_api::DatasetSamplerFactory,
    TokenizerType => aiperf_plugin_api::TokenizerFactory,
    DatasetComposerType => aiperf_plugin_api::DatasetComposerFactory,
    CustomDatasetLoaderType => aiperf_plugin_api::CustomDatasetLoaderFactory,
    UrlSelectionStrategyType => aiperf_plugin_api::UrlSelectionStrategyFactory,
}

/// A string that is one of `N`'s registered names.
fn names_schema<N: RegisteredNames>(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names = N::registered_names();
    schemars::json_schema!({ "type": "string", "enum": names })
}

/// The JSON Schema of the config file, with every category's registered
/// names (including those of linked plugin crates) as enums: for editors
/// (`aiperf config schema`).
pub fn config_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(BenchmarkConfig)).unwrap_or_default()
}

/// A component chosen by name, with its own settings
/// (`{ name: prometheus, config: { ... } }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(bound = "N: RegisteredNames", inline)]
pub struct NamedConfig<N> {
    /// The registered name.
    #[schemars(schema_with = "names_schema::<N>")]
    pub name: N,
    /// The component's settings; it deserialises them into its own struct.
    #[serde(default)]
    pub config: serde_json::Value,
}

/// `plugins:` — the parts of a run selected from the registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginsConfig {
    /// Hooks called at phase boundaries, in this order.
    #[serde(default)]
    pub phase_hooks: Vec<NamedConfig<PhaseHookType>>,
    /// When requests are issued.
    #[serde(default)]
    pub timing_strategy: Option<NamedConfig<TimingStrategyType>>,
}

/// `endpoint:` — the API format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    /// The endpoint name (`chat`, `embeddings`, ...).
    #[serde(rename = "type")]
    #[schemars(schema_with = "names_schema::<EndpointType>")]
    pub kind: EndpointType,
    /// The model name sent in every request.
    pub model: String,
    /// Ask for streamed responses (where the endpoint supports it).
    #[serde(default)]
    pub streaming: bool,
    /// Extra top-level payload fields.
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `transport:` — how requests reach the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransportConfig {
    /// The transport name (`in_engine`, `http`, ...).
    #[serde(rename = "type")]
    #[schemars(schema_with = "names_schema::<TransportType>")]
    pub kind: TransportType,
    /// Server base URL, for transports that need one.
    #[serde(default)]
    pub url: Option<String>,
    /// Several server base URLs (instead of `url`): requests are spread
    /// over them by `url_strategy`, and results count requests per URL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// How requests are spread over `urls`; `round_robin` when absent.
    #[serde(default = "defaults::url_strategy")]
    #[schemars(schema_with = "names_schema::<UrlSelectionStrategyType>")]
    pub url_strategy: UrlSelectionStrategyType,
    /// The transport's own settings.
    #[serde(default)]
    pub config: serde_json::Value,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            kind: TransportType::InEngine,
            url: None,
            urls: Vec::new(),
            url_strategy: defaults::url_strategy(),
            config: serde_json::Value::Null,
        }
    }
}

/// A whole benchmark configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkConfig {
    /// Registry-selected parts (hooks, timing strategy).
    #[serde(default)]
    pub plugins: PluginsConfig,
    /// The API format.
    pub endpoint: EndpointConfig,
    /// How requests travel; `in_engine` when absent.
    #[serde(default)]
    pub transport: TransportConfig,
    /// What the requests say.
    #[serde(default)]
    pub dataset: DatasetConfig,
    /// An unmeasured phase before profiling (e.g. to warm caches), with its
    /// own timing strategy; none when absent.
    #[serde(default)]
    pub warmup: Option<NamedConfig<TimingStrategyType>>,
    /// Progress display; `simple` when absent.
    #[serde(default = "defaults::ui")]
    pub ui: NamedConfig<UiType>,
    /// Result files; `json` and `csv` when absent.
    #[serde(default = "defaults::exporters")]
    pub exporters: Vec<NamedConfig<DataExporterType>>,
    /// What the end of a run prints; AIPerf's metrics table and the error
    /// summary when absent.
    #[serde(default = "defaults::console_exporters")]
    pub console_exporters: Vec<NamedConfig<ConsoleExporterType>>,
    /// Goodput objectives in AIPerf's syntax (`"time_to_first_token:200
    /// request_latency:1000"`, thresholds in each metric's unit): adds the
    /// `goodput`, `good_request_count` and `good_request_fraction` metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goodput: Option<String>,
    /// Directory the exporters write into (created if missing).
    #[serde(default = "defaults::output_dir")]
    pub output_dir: String,
    /// Counts input (and, without server usage, output) tokens, and cuts
    /// synthetic prompts; none when absent (then no input sequence length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<TokenizerConfig>,
    /// Seconds after which the profiling phase issues no more requests
    /// (AIPerf's `--benchmark-duration`); none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark_duration: Option<f64>,
    /// Seconds to wait, after `benchmark_duration`, for requests still in
    /// flight; the rest are cancelled and counted as such. Default 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benchmark_grace_period: Option<f64>,
}

/// `tokenizer:` — which tokenizer counts tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenizerConfig {
    /// The registered name (`builtin`, or a plugin's).
    #[schemars(schema_with = "names_schema::<TokenizerType>")]
    pub name: TokenizerType,
    /// A vocabulary file or directory, for tokenizers that read one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The tokenizer's own settings.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub config: serde_json::Value,
}

/// `dataset.file:` — a dataset read from a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatasetFileConfig {
    /// The file.
    pub path: String,
    /// Its format (a `custom_dataset_loader` name); `single_turn` when
    /// absent.
    #[serde(rename = "type", default = "defaults::loader")]
    #[schemars(schema_with = "names_schema::<CustomDatasetLoaderType>")]
    pub kind: CustomDatasetLoaderType,
    /// The loader's own settings.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub config: serde_json::Value,
}

/// `dataset:` — the prompts requests are built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatasetConfig {
    /// Prompt texts (the query, for rankings); at least one. A few built-in
    /// prompts when absent and neither `composer` nor `file` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<Vec<String>>,
    /// Prompts made up by a `dataset_composer` (e.g. `synthetic` with
    /// `isl`/`osl`), instead of `prompts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composer: Option<NamedConfig<DatasetComposerType>>,
    /// Entries read from a file by a `custom_dataset_loader`, instead of
    /// `prompts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<DatasetFileConfig>,
    /// Passages sent with every prompt (rankings, embeddings).
    #[serde(default)]
    pub passages: Vec<String>,
    /// Which prompt each request uses.
    #[serde(default = "defaults::sampler")]
    #[schemars(schema_with = "names_schema::<DatasetSamplerType>")]
    pub sampler: DatasetSamplerType,
    /// Seed of samplers (and anything else) that draw at random.
    #[serde(default)]
    pub seed: u64,
    /// Upper bound on generated tokens per request.
    #[serde(default)]
    pub max_tokens: Option<u32>,
}

impl Default for DatasetConfig {
    fn default() -> Self {
        DatasetConfig {
            prompts: None,
            composer: None,
            file: None,
            passages: Vec::new(),
            sampler: defaults::sampler(),
            seed: 0,
            max_tokens: None,
        }
    }
}

pub(super) fn default_console_exporters() -> Vec<NamedConfig<ConsoleExporterType>> {
    defaults::console_exporters()
}

pub(super) fn default_exporters() -> Vec<NamedConfig<DataExporterType>> {
    defaults::exporters()
}

pub(super) fn default_prompts() -> Vec<String> {
    defaults::prompts()
}

mod defaults {
    use super::NamedConfig;
    use aiperf_plugin_api::names::{
        ConsoleExporterType, CustomDatasetLoaderType, DataExporterType, DatasetSamplerType, UiType,
        UrlSelectionStrategyType,
    };

    pub(super) fn url_strategy() -> UrlSelectionStrategyType {
        UrlSelectionStrategyType::RoundRobin
    }

    pub(super) fn loader() -> CustomDatasetLoaderType {
        CustomDatasetLoaderType::SingleTurn
    }

    pub(super) fn ui() -> NamedConfig<UiType> {
        NamedConfig {
            name: UiType::Simple,
            config: serde_json::Value::Null,
        }
    }

    pub(super) fn console_exporters() -> Vec<NamedConfig<ConsoleExporterType>> {
        [ConsoleExporterType::Metrics, ConsoleExporterType::Errors]
            .into_iter()
            .map(|name| NamedConfig {
                name,
                config: serde_json::Value::Null,
            })
            .collect()
    }

    pub(super) fn exporters() -> Vec<NamedConfig<DataExporterType>> {
        [
            DataExporterType::Json,
            DataExporterType::Csv,
            DataExporterType::Jsonl,
            DataExporterType::InputsJson,
        ]
        .into_iter()
        .map(|name| NamedConfig {
            name,
            config: serde_json::Value::Null,
        })
        .collect()
    }

    pub(super) fn output_dir() -> String {
        "artifacts".to_owned()
    }

    pub(crate) fn prompts() -> Vec<String> {
        [
            "Explain what a plugin registry is in one paragraph.",
            "Write a haiku about link-time registration.",
            "List three ways to measure the latency of a language model server.",
            "Summarise the difference between throughput and latency.",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    pub(super) fn sampler() -> DatasetSamplerType {
        DatasetSamplerType::Sequential
    }
}

/// A configuration that cannot be used. Messages never contain values that
/// came from the environment.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// YAML syntax, an unknown field, a wrong type or a missing field.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file (or `<string>`).
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What is wrong there.
        message: String,
    },
    /// The file is larger than any config ([`MAX_CONFIG_BYTES`]).
    #[error(
        "{}: the file is larger than {} MiB; a benchmark config is a few lines (is this the \
         right file?)",
        .path.display(),
        MAX_CONFIG_BYTES >> 20
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// A `${VAR}` whose variable is not set.
    #[error(
        "{file}: environment variable {variable} is not set (used by `${{{variable}}}` in {path}{}); \
         set it, or write `$${{` for a literal `${{`",
        line.map(|l| format!(" on line {l}")).unwrap_or_default()
    )]
    MissingVariable {
        /// The file.
        file: String,
        /// The variable.
        variable: String,
        /// The config path of the value, e.g. `plugins.phase_hooks[1].config.endpoint`.
        path: String,
        /// The line of its first use, when found.
        line: Option<usize>,
    },
    /// A value that is wrong only once `${VAR}`s are expanded (e.g. a name
    /// from a variable that is not a valid name).
    #[error("{file}: after expanding environment variables: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong, with environment values hidden.
        message: String,
    },
    /// A malformed `${...}` reference.
    #[error("{file}: {path}: {message}")]
    BadReference {
        /// The file.
        file: String,
        /// The config path of the value.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// The largest config file read: room for thousands of inline prompts (a
/// replayed inputs.json), and a stop to `/dev/zero`.
pub const MAX_CONFIG_BYTES: u64 = 64 << 20;

/// Reads and parses a configuration file (at most [`MAX_CONFIG_BYTES`]),
/// expanding `${VAR}` from the process environment.
pub fn load_config(path: &Path) -> Result<(BenchmarkConfig, Secrets), ConfigError> {
    use std::io::Read as _;
    let read_error = |source| ConfigError::Read {
        path: path.to_owned(),
        source,
    };
    // Never more than the cap, whatever the path is (`/dev/zero` included).
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge {
            path: path.to_owned(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        ))
    })?;
    parse_config_str(&text, &path.display().to_string(), &|name| {
        std::env::var(name).ok()
    })
}

/// Parses configuration text; `file` names it in errors, `lookup` resolves
/// `${VAR}`.
///
/// The YAML is read into a tree, every string in it is expanded (names
/// included), and the tree is deserialised into [`BenchmarkConfig`]. When
/// that fails, the file itself is deserialised again to point at the line
/// and column of the mistake; a mistake that only exists after expansion is
/// reported with the expanded values hidden.
pub fn parse_config_str(
    text: &str,
    file: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(BenchmarkConfig, Secrets), ConfigError> {
    let mut tree: serde_json::Value = serde_saphyr::from_str_with_options(text, yaml_options())
        .map_err(|e| located(file, text, &e))?;
    let mut walk = Walk {
        text,
        file,
        lookup,
        secrets: Secrets::default(),
    };
    walk.value(&mut tree, "")?;
    let secrets = walk.secrets;
    match serde_json::from_value::<BenchmarkConfig>(tree) {
        Ok(config) => Ok((config, secrets)),
        Err(expanded_error) => Err(
            match serde_saphyr::from_str_with_options::<BenchmarkConfig>(text, yaml_options()) {
                // Trust the parser's location unless that line has a `${`:
                // then the unexpanded text fails for a different reason.
                Err(e)
                    if e.location()
                        .is_some_and(|l| !line_has_reference(text, l.line())) =>
                {
                    located(file, text, &e)
                }
                _ => ConfigError::Invalid {
                    file: file.to_owned(),
                    message: secrets.redact(&expanded_error.to_string()),
                },
            },
        ),
    }
}

fn line_has_reference(text: &str, line: u64) -> bool {
    usize::try_from(line)
        .ok()
        .and_then(|n| text.lines().nth(n.saturating_sub(1)))
        .is_some_and(|l| l.contains("${"))
}

/// YAML 1.2 booleans: `yes`/`no`/`on`/`off` stay strings (the Norway problem).
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! { strict_booleans: true }
}

/// A parser error as `file:line:column: message`.
fn located(file: &str, text: &str, e: &serde_saphyr::Error) -> ConfigError {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    let message = e.without_snippet().to_string();
    // The parser stops alias bombs ("billion laughs") with its own words.
    if message.contains("budget breached") {
        return ConfigError::Parse {
            file: file.to_owned(),
            line,
            column,
            message: "the YAML expands to too many nodes (aliases that repeat aliases, a \
                      \"billion laughs\" file?); a benchmark config needs no such \
                      repetition"
                .to_owned(),
        };
    }
    // A hint for users of the parser library, not of a config file.
    let message = message.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
    // The location is ours to print; drop the parser's own suffix.
    let suffix = format!(" at line {line}, column {column}");
    let message = message.strip_suffix(&suffix).unwrap_or(&message);
    let blank = text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    });
    if blank {
        return ConfigError::Parse {
            file: file.to_owned(),
            line,
            column,
            message: "the file has no settings; a benchmark needs at least \
                      `endpoint: { type: chat, model: NAME }` (examples/benchmark.yaml shows \
                      every section)"
                .to_owned(),
        };
    }
    ConfigError::Parse {
        file: file.to_owned(),
        line,
        column,
        message: in_words(message, located_text(text, line, column)),
    }
}

/// The source from `line`:`column` (1-based) to the end of that line.
fn located_text(text: &str, line: u64, column: u64) -> Option<(&str, &str)> {
    let line = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let at = line
        .char_indices()
        .nth(usize::try_from(column).ok()?.checked_sub(1)?)
        .map(|(i, _)| i)?;
    Some(line.split_at(at))
}

/// The parser's wording of a value of the wrong type (`invalid u32`,
/// `expected string scalar`) says what a config file should hold there,
/// with the key the value belongs to (when it is on the same line) and the
/// value found.
fn in_words(message: &str, around: Option<(&str, &str)>) -> String {
    let expected = match message {
        "invalid u8" => "a whole number from 0 to 255",
        "invalid u16" => "a whole number from 0 to 65535",
        "invalid u32" => "a whole number from 0 to 4294967295",
        "invalid u64" | "invalid usize" => "a whole number >= 0",
        "invalid i32" | "invalid i64" => "a whole number",
        "invalid f32" | "invalid f64" => "a number",
        "invalid boolean (strict mode expects true/false)" => "a boolean (true or false)",
        "expected string scalar" => "a string",
        "expected sequence start" => "a list ([a, b] or `- ` items)",
        "expected mapping start" => "a map ({key: value} or `key: value` lines)",
        _ => return message.to_owned(),
    };
    let Some((before, rest)) = around else {
        return format!("expected {expected}");
    };
    // `key: value` with the value at the error's column.
    let key = before
        .trim_end()
        .strip_suffix(':')
        .map(|b| {
            // Just after the last character that cannot be in a key
            // (which may be several bytes long).
            let start = b
                .char_indices()
                .rfind(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .map_or(0, |(i, c)| i + c.len_utf8());
            &b[start..]
        })
        .filter(|k| !k.is_empty());
    let scalar = message.starts_with("invalid ");
    let found = rest.split([',', '}', ']', '#']).next().unwrap_or("").trim();
    match (key, scalar && !found.is_empty()) {
        (Some(key), true) => format!("`{key}` is {found}; expected {expected}"),
        (Some(key), false) => format!("`{key}`: expected {expected}"),
        (None, true) => format!("{found} is not valid here; expected {expected}"),
        (None, false) => format!("expected {expected}"),
    }
}

/// Expands every string of the parsed tree, tracking config paths.
struct Walk<'a> {
    text: &'a str,
    file: &'a str,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    secrets: Secrets,
}

impl Walk<'_> {
    fn string(&mut self, s: &mut String, path: &str) -> Result<(), ConfigError> {
        match expand(s, path, self.lookup, &mut self.secrets) {
            Ok(Some(expanded)) => {
                *s = expanded;
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => Err(self.error(e, path)),
        }
    }

    fn value(&mut self, value: &mut serde_json::Value, path: &str) -> Result<(), ConfigError> {
        match value {
            serde_json::Value::String(s) => {
                // Only inside a component's `config` (untyped until the
                // component reads it) can `${RATE}` become a number: the
                // typed fields outside keep their string.
                let single = is_single_reference(s) && is_component_config(path);
                self.string(s, path)?;
                if single {
                    // `rate: ${RATE}` with RATE=50 is the number 50.
                    if let Ok(typed @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) =
                        serde_json::from_str::<serde_json::Value>(s)
                    {
                        *value = typed;
                    }
                }
                Ok(())
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.value(item, &format!("{path}[{i}]"))?;
                }
                Ok(())
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    let child = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    self.value(item, &child)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn error(&self, error: ExpandError, path: &str) -> ConfigError {
        match error {
            ExpandError::Missing(variable) => {
                let needle = format!("${{{variable}}}");
                let line = self
                    .text
                    .lines()
                    .position(|l| l.contains(&needle))
                    .map(|i| i + 1);
                ConfigError::MissingVariable {
                    file: self.file.to_owned(),
                    variable,
                    path: path.to_owned(),
                    line,
                }
            }
            ExpandError::Malformed(message) => ConfigError::BadReference {
                file: self.file.to_owned(),
                path: path.to_owned(),
                message,
            },
        }
    }
}

/// Whether `path` is inside a component's own settings.
fn is_component_config(path: &str) -> bool {
    path_keys(path).any(|key| key == "config") || path.starts_with("endpoint.extra.")
}

/// The keys and indices of a config path as messages show it
/// (`plugins.phase_hooks[1].config.endpoint` gives `plugins`,
/// `phase_hooks`, `1`, `config`, `endpoint`): the one reader of that form.
fn path_keys(path: &str) -> impl Iterator<Item = &str> {
    path.split('.')
        .flat_map(|part| part.split('['))
        .map(|key| key.strip_suffix(']').unwrap_or(key))
        .filter(|key| !key.is_empty())
}

impl BenchmarkConfig {
    /// The configuration as it may be shown or exported (`--print-config`,
    /// AIPerf's `input_config`): [`redacted_summary`](Self::redacted_summary)
    /// with every credential also replaced: `transport.config.api_key`, the
    /// values of `transport.config.headers`, and a URL's user and password.
    pub fn printable(&self, secrets: &Secrets) -> serde_json::Value {
        use serde_json::{Value, json};
        let mut value = self.redacted_summary(secrets);
        if let Some(settings) = value
            .pointer_mut("/transport/config")
            .and_then(Value::as_object_mut)
        {
            if let Some(key) = settings.get_mut("api_key") {
                *key = json!("<hidden>");
            }
            if let Some(headers) = settings.get_mut("headers").and_then(Value::as_object_mut) {
                for header in headers.values_mut() {
                    *header = json!("<hidden>");
                }
            }
        }
        let hide_user = |url: &mut Value| {
            if let Some(text) = url.as_str() {
                if let Some((scheme, rest)) = text.split_once("://") {
                    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                    if let Some(at) = rest[..authority_end].rfind('@') {
                        *url = json!(format!("{scheme}://<hidden>@{}", &rest[at + 1..]));
                    }
                }
            }
        };
        if let Some(url) = value.pointer_mut("/transport/url") {
            hide_user(url);
        }
        if let Some(urls) = value
            .pointer_mut("/transport/urls")
            .and_then(Value::as_array_mut)
        {
            urls.iter_mut().for_each(hide_user);
        }
        value
    }

    /// The configuration as JSON with every environment-derived value shown
    /// as its `${VAR}` references instead: safe to print.
    pub fn redacted_summary(&self, secrets: &Secrets) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        for path in secrets.paths() {
            if let Some(slot) = pointer_mut(&mut value, path) {
                let refs: Vec<String> = secrets
                    .variables_at(path)
                    .iter()
                    .map(|v| format!("${{{v}}}"))
                    .collect();
                *slot = serde_json::Value::String(format!("<from {}>", refs.join(" ")));
            }
        }
        value
    }
}

/// The value at a config path such as `plugins.phase_hooks[1].config.endpoint`,
/// found with serde_json's JSON-pointer lookup.
fn pointer_mut<'v>(
    value: &'v mut serde_json::Value,
    path: &str,
) -> Option<&'v mut serde_json::Value> {
    let pointer: String = path_keys(path)
        .map(|key| format!("/{}", key.replace('~', "~0").replace('/', "~1")))
        .collect();
    value.pointer_mut(&pointer)
}

#[cfg(test)]
mod tests {
    // check_config creates the parts: link the builtins for it to find.
    use aiperf_builtins as _;

    use super::*;

    const EXAMPLE: &str = r#"
plugins:
  phase_hooks:
    - name: logging
    - name: prometheus
      config: { endpoint: "${PUSH_URL}", job: aiperf }
  timing_strategy:
    name: request_rate
    config: { rate: "${RATE}", requests: 200 }
endpoint: { type: chat, model: demo }
transport: { type: in_engine }
"#;

    fn env(name: &str) -> Option<String> {
        match name {
            "PUSH_URL" => Some("http://user:hunter2pass@127.0.0.1:9091".into()),
            "RATE" => Some("50".into()),
            _ => None,
        }
    }

    fn parse(text: &str) -> Result<(BenchmarkConfig, Secrets), ConfigError> {
        parse_config_str(text, "bench.yaml", &env)
    }

    #[test]
    fn parses_the_issue_example_with_typed_names() {
        let (config, secrets) = parse(EXAMPLE).unwrap();
        let hooks: Vec<&str> = config
            .plugins
            .phase_hooks
            .iter()
            .map(|h| h.name.as_str())
            .collect();
        assert_eq!(hooks, ["logging", "prometheus"]);
        assert_eq!(config.plugins.phase_hooks[0].name, PhaseHookType::Logging);
        assert!(
            !config.plugins.phase_hooks[1].name.is_known(),
            "a plugin name is Other"
        );
        let timing = config.plugins.timing_strategy.as_ref().unwrap();
        assert_eq!(timing.name, TimingStrategyType::RequestRate);
        assert_eq!(
            timing.config["rate"], 50,
            "a lone ${{RATE}} reads as a number"
        );
        assert_eq!(
            config.plugins.phase_hooks[1].config["endpoint"],
            "http://user:hunter2pass@127.0.0.1:9091"
        );
        assert_eq!(config.endpoint.kind, EndpointType::Chat);
        assert_eq!(config.transport.kind, TransportType::InEngine);
        assert_eq!(
            secrets.variables_at("plugins.phase_hooks[1].config.endpoint"),
            ["PUSH_URL"]
        );
    }

    #[test]
    fn the_summary_shows_references_not_values() {
        let (config, secrets) = parse(EXAMPLE).unwrap();
        let summary = config.redacted_summary(&secrets).to_string();
        assert!(!summary.contains("hunter2pass"), "{summary}");
        assert!(
            summary.contains(r#""endpoint":"<from ${PUSH_URL}>""#),
            "{summary}"
        );
        assert!(summary.contains(r#""rate":"<from ${RATE}>""#), "{summary}");
        assert_eq!(
            secrets.redact("push to http://user:hunter2pass@127.0.0.1:9091 failed"),
            "push to *** failed"
        );
    }

    #[test]
    fn missing_variable_names_it_the_path_and_the_line() {
        let text = EXAMPLE.replace("${RATE}", "${NO_SUCH_RATE}");
        let err = parse(&text).unwrap_err().to_string();
        assert_eq!(
            err,
            "bench.yaml: environment variable NO_SUCH_RATE is not set (used by `${NO_SUCH_RATE}` \
             in plugins.timing_strategy.config.rate on line 9); set it, or write `$${` for a literal `${`"
        );
    }

    #[test]
    fn yaml_errors_carry_line_and_column() {
        let err = parse("endpoint: { type: chat, model: demo\n").unwrap_err();
        assert!(matches!(err, ConfigError::Parse { line: 1, .. }), "{err}");
        assert!(err.to_string().starts_with("bench.yaml:1:"), "{err}");

        let err = parse("endpoint: { type: chat, model: demo }\ntransprt: { type: http }\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("bench.yaml:2:1: unknown field `transprt`"),
            "{err}"
        );

        let err = parse("endpoint: { type: chat, model: [1, 2] }\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bench.yaml:1:"), "{err}");

        let err = parse("endpoint: { type: 'chat bot', model: demo }\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid name \"chat bot\""), "{err}");
    }

    /// `(line, column, message)` of a parse error.
    fn place(text: &str) -> (u64, u64, String) {
        match parse(text).unwrap_err() {
            ConfigError::Parse {
                line,
                column,
                message,
                ..
            } => (line, column, message),
            other => panic!("not a parse error: {other}"),
        }
    }

    #[test]
    fn malformed_yaml_is_reported_at_its_line_and_column() {
        assert_eq!(
            place("endpoint: { type: chat, model: demo\n"),
            (1, 11, "unclosed bracket '{'".to_owned())
        );
        assert_eq!(
            place("endpoint:\n  type: chat\n   model: demo\n"),
            (
                3,
                9,
                "mapping values are not allowed in this context".to_owned()
            )
        );
        assert_eq!(
            place("endpoint: { type: chat, model: demo }\ndataset: { prompts: ['a, b] }\n"),
            (2, 22, "unclosed quote".to_owned())
        );
        let err = parse("endpoint: { type: chat, model: demo\n").unwrap_err();
        assert_eq!(err.to_string(), "bench.yaml:1:11: unclosed bracket '{'");
    }

    #[test]
    fn a_wrong_type_is_reported_at_the_value_with_the_type_expected() {
        let endpoint = "endpoint: { type: chat, model: demo }\n";
        for (text, expected) in [
            (
                "endpoint: { type: chat, model: [1, 2] }\n".to_owned(),
                (1, 32, "`model`: expected a string"),
            ),
            (
                "endpoint: { type: chat, model: demo, streaming: maybe }\n".to_owned(),
                (
                    1,
                    49,
                    "`streaming` is maybe; expected a boolean (true or false)",
                ),
            ),
            (
                format!("{endpoint}dataset: {{ max_tokens: -1 }}\n"),
                (
                    2,
                    24,
                    "`max_tokens` is -1; expected a whole number from 0 to 4294967295",
                ),
            ),
            (
                format!("{endpoint}dataset:\n  prompts: [a]\n  seed: 1.5\n"),
                (4, 9, "`seed` is 1.5; expected a whole number >= 0"),
            ),
            (
                format!("{endpoint}dataset: {{ prompts: 5 }}\n"),
                (2, 21, "`prompts`: expected a list ([a, b] or `- ` items)"),
            ),
            (
                format!("{endpoint}exporters:\n  - name: json\n  - 7\n"),
                (4, 5, "expected a map ({key: value} or `key: value` lines)"),
            ),
        ] {
            let (line, column, message) = expected;
            assert_eq!(place(&text), (line, column, message.to_owned()), "{text}");
        }
        let err = parse("endpoint: { type: chat, model: [1, 2] }\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "bench.yaml:1:32: `model`: expected a string"
        );
    }

    #[test]
    fn names_and_typed_strings_expand_too() {
        let lookup = |name: &str| match name {
            "KIND" => Some("Embeddings".to_owned()),
            "MODEL" => Some("42".to_owned()),
            "BAD" => Some("not a name!".to_owned()),
            _ => None,
        };
        let text = "endpoint: { type: '${KIND}', model: '${MODEL}' }\n";
        let (config, _) = parse_config_str(text, "f.yaml", &lookup).unwrap();
        assert_eq!(config.endpoint.kind, EndpointType::Embeddings);
        assert_eq!(
            config.endpoint.model, "42",
            "a typed string field stays a string"
        );

        let text = "endpoint: { type: '${BAD}', model: demo }\n";
        let err = parse_config_str(text, "f.yaml", &lookup)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("f.yaml: after expanding environment variables: "),
            "{err}"
        );
        assert!(!err.contains("not a name!"), "{err}");
    }

    #[test]
    fn dollar_escape_and_plain_strings_are_kept() {
        let (config, secrets) =
            parse("endpoint: { type: chat, model: 'costs $$5 and $${X}' }\n").unwrap();
        assert_eq!(config.endpoint.model, "costs $$5 and ${X}");
        assert_eq!(secrets.paths().count(), 0);
    }

    /// More YAML mistakes, each at its line and column, in the words
    /// `docs/errors.md` quotes.
    #[test]
    fn more_yaml_mistakes_are_located_in_words() {
        let endpoint = "endpoint: { type: chat, model: demo }\n";
        for (text, expected) in [
            (
                "endpoint:\n\ttype: chat\n".to_owned(),
                "bench.yaml:2:2: tabs disallowed within this context (block indentation)",
            ),
            (
                format!("{endpoint}{endpoint}"),
                "bench.yaml:2:1: duplicate mapping key: endpoint",
            ),
            (
                "# only a comment\n".to_owned(),
                "bench.yaml:2:1: the file has no settings; a benchmark needs at least \
                 `endpoint: { type: chat, model: NAME }` (examples/benchmark.yaml shows every \
                 section)",
            ),
            (
                "endpoint: { type: chat }\n".to_owned(),
                "bench.yaml:1:13: missing field `model`",
            ),
            (
                "ui: { name: none }\n".to_owned(),
                "bench.yaml:1:1: missing field `endpoint`",
            ),
            (
                "endpoint: { type: chat, model: demo, sreaming: true }\n".to_owned(),
                "bench.yaml:1:38: unknown field `sreaming`, expected one of type, model, \
                 streaming, extra",
            ),
        ] {
            assert_eq!(parse(&text).unwrap_err().to_string(), expected, "{text:?}");
        }
    }

    /// A `${` that is not a reference names the config path and the escape.
    #[test]
    fn malformed_references_name_the_path_and_the_escape() {
        let err = parse("endpoint: { type: chat, model: \"${MODEL\" }\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "bench.yaml: endpoint.model: `${` without a closing `}` in \"${MODEL\"; write `$${` \
             for a literal `${`"
        );
        let err = parse("endpoint: { type: chat, model: \"${1X}\" }\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "bench.yaml: endpoint.model: `${1X}` is not a variable reference: names are letters, \
             digits and `_`, not starting with a digit; write `$${` for a literal `${`"
        );
    }
    /// Found by fuzzing (fuzz/regressions/config_parse): a key ending in a
    /// multi-byte character made the wrong-type wording slice inside it.
    #[test]
    fn a_multi_byte_character_before_a_bad_value_is_a_located_error_not_a_panic() {
        for text in [
            "&a€: x\n".to_owned(),
            "endpoint: &a€: 1\n".to_owned(),
            String::from_utf8_lossy(include_bytes!(
                "../../../fuzz/regressions/config_parse/found-panic-char-boundary-in-in_words.yaml"
            ))
            .into_owned(),
        ] {
            let err = parse(&text).unwrap_err();
            assert!(
                matches!(err, ConfigError::Parse { line: 1.., .. }),
                "{text:?}: {err}"
            );
        }
    }

    /// Found by fuzzing: a secret came through in the forms messages show
    /// it in, not only as it is: escaped by `{:?}`, normalised as a name,
    /// and cut to the start a name error keeps.
    #[test]
    fn a_secret_is_hidden_in_every_form_a_message_shows_it() {
        let long = format!("sk-LONGSECRET-{}", "k".repeat(200));
        let env = |name: &str| -> Option<String> {
            Some(match name {
                "QUOTED" => "sk-QUOTEDSECRET-\"q\"\\x".to_owned(),
                "LONG" => long.clone(),
                "PLAIN" => "sk-PLAINSECRET-0123".to_owned(),
                _ => return None,
            })
        };
        let leaks = |shown: &str| {
            let shown = shown.to_ascii_lowercase();
            ["quotedsecret", "longsecret", "plainsecret"]
                .iter()
                .any(|marker| shown.contains(marker))
        };
        // Escaped by serde's type error, and by a name error.
        for text in [
            "endpoint: { type: chat, model: demo, streaming: \"${QUOTED}\" }\n",
            "endpoint: { type: \"${QUOTED}\", model: demo }\n",
            "endpoint: { type: \"${LONG}\", model: demo }\n",
            // Glued to other text and cut mid-value by the name error.
            "warmup:\n  name: c\u{fffd}n a fresh m${LONG}ac\n",
        ] {
            let err = parse_config_str(text, "bench.yaml", &env).unwrap_err();
            let message = err.to_string();
            assert!(!leaks(&message), "{text}: {message}");
            assert!(message.contains("***"), "{message}");
        }
        // A well-formed name from the environment that is not registered.
        let text = "endpoint: { type: \"${PLAIN}\", model: demo }\n";
        let (config, secrets) = parse_config_str(text, "bench.yaml", &env).unwrap();
        let problems = super::super::check_config(&config, &secrets);
        assert!(!problems.is_empty());
        for problem in problems {
            assert!(!leaks(&problem), "{problem}");
            assert!(problem.contains("***"), "{problem}");
        }
    }

    #[test]
    fn an_endless_file_is_cut_at_the_cap_and_refused() {
        let err = load_config(Path::new("/dev/zero")).unwrap_err().to_string();
        assert_eq!(
            err,
            "/dev/zero: the file is larger than 64 MiB; a benchmark config is a few lines (is \
             this the right file?)"
        );
    }

    #[test]
    fn an_alias_bomb_is_refused_in_our_words() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..7 {
            let prev = format!("*a{}", level - 1);
            let items = [prev.as_str(); 10].join(", ");
            text += &format!("a{level}: &a{level} [{items}]\n");
        }
        let err = parse_config_str(&text, "bomb.yaml", &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the YAML expands to too many nodes") && !err.contains("budget"),
            "{err}"
        );
    }
}
