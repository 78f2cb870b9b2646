//! Configuration: the benchmark's YAML file and each component's typed
//! settings.
//!
//! ```yaml
//! plugins:
//!   phase_hooks:
//!     - name: logging
//!     - name: prometheus
//!       config: { endpoint: "${PUSHGATEWAY_URL}", job: aiperf }
//!   timing_strategy:
//!     name: request_rate
//!     config: { rate: 50, requests: 200 }
//! endpoint: { type: chat, model: demo }
//! transport: { type: in_engine }
//! ```
//!
//! - [`load_config`] / [`parse_config_str`]: YAML syntax, unknown fields and
//!   wrong types are errors with file, line and column.
//! - `${VAR}` in any string value expands from the environment (`$${`
//!   writes a literal `${`); a missing variable is an error naming it and
//!   where it is used. A value that is exactly `${VAR}` inside a component's
//!   `config` reads as a number or boolean when the variable holds one
//!   (`rate: ${RATE}`).
//! - Values that came from the environment are [`Secrets`]: summaries show
//!   them as `${VAR}`, and every message shown to a user passes through
//!   [`Secrets::redact`].
//! - Each component's `config` is deserialised by the component itself into
//!   its own struct with
//!   [`aiperf_plugin_api::config::parse_config`] (unknown fields are
//!   rejected).

mod check;
mod expand;
mod file;

pub use check::check_config;
pub use expand::Secrets;
pub use file::{
    BenchmarkConfig, ConfigError, DatasetConfig, DatasetFileConfig, EndpointConfig,
    MAX_CONFIG_BYTES, NamedConfig, PluginsConfig, RegisteredNames, TokenizerConfig,
    TransportConfig, config_schema, load_config, parse_config_str,
};

/// The exporters of a config that names none (`json`, `csv`).
pub fn default_exporters() -> Vec<NamedConfig<aiperf_plugin_api::names::DataExporterType>> {
    file::default_exporters()
}

/// The console exporters of a config that names none (`metrics`,
/// `errors`).
pub fn default_console_exporters() -> Vec<NamedConfig<aiperf_plugin_api::names::ConsoleExporterType>>
{
    file::default_console_exporters()
}

/// The prompts of a config that gives no dataset.
pub(crate) fn default_prompts() -> Vec<String> {
    file::default_prompts()
}
