//! The plugin API of `aiperf`: the one crate (with [`registry_core`]) that a
//! plugin crate depends on.
//!
//! Every part of a benchmark is an implementation of a *category*, created
//! by name through the category's [`Factory`](registry_core::Factory). This
//! crate declares the categories; the builtins (crate `aiperf-builtins`)
//! and plugin crates implement them; the engine (crate `aiperf-engine`)
//! creates them by name and drives them. A plugin crate never depends on the
//! builtins or on the engine.
//!
//! | category | trait | module |
//! |---|---|---|
//! | `endpoint` | [`Endpoint`] | [`endpoint`]: the request/response format of an API |
//! | `transport` | [`Transport`] | [`transport`]: how a request reaches the server |
//! | `timing_strategy` | [`TimingStrategy`] | [`timing_strategy`]: when each request is issued |
//! | `phase_hook` | [`PhaseHook`] | [`phase_hook`]: callbacks at phase boundaries |
//! | `ui` | [`Ui`] | [`ui`]: progress display |
//! | `data_exporter` | [`DataExporter`] | [`data_exporter`]: result files (AIPerf's formats) |
//! | `console_exporter` | [`ConsoleExporter`] | [`console_exporter`]: the end-of-run summary |
//! | `dataset_sampler` | [`DatasetSampler`] | [`dataset_sampler`]: which prompt goes next |
//! | `tokenizer` | [`Tokenizer`] | [`tokenizer`]: token counting (sequence lengths, synthetic prompts) |
//! | `dataset_composer` | [`Dataset`] | [`dataset_composer`]: datasets made up by the client (synthetic) |
//! | `custom_dataset_loader` | [`Dataset`] | [`custom_dataset_loader`]: datasets read from a file |
//! | `arrival_pattern` | [`ArrivalPattern`] | [`arrival_pattern`]: gaps between requests at a rate |
//! | `plot` | [`Plot`] | [`plot`]: charts of a run, from its per-request records |
//! | `url_selection_strategy` | [`UrlSelectionStrategy`] | [`url_selection_strategy`]: which of several URLs |
//!
//! Also here: [`names`] (one enum per category, with the builtin names as
//! variants), [`stats`] (the records and statistics that hooks, UIs and
//! exporters receive) and [`config`] (reading a component's typed `config`
//! and wording its errors the way the builtins do).
//!
//! # Writing a plugin
//!
//! ```
//! use aiperf_plugin_api::config::parse_config;
//! use aiperf_plugin_api::phase_hook::{PhaseHook, PhaseHookArgs, PhaseHookCategory};
//! use aiperf_plugin_api::stats::{PhaseStart, PhaseStats};
//! use registry_core::{BoxError, Implementation, register_lazy};
//!
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct BellConfig {
//!     #[serde(default)]
//!     loud: bool,
//! }
//!
//! /// Rings when a phase completes.
//! pub struct Bell {
//!     loud: bool,
//! }
//!
//! impl Implementation<PhaseHookCategory> for Bell {
//!     const METADATA: () = ();
//!     fn create(args: PhaseHookArgs) -> Result<Self, BoxError> {
//!         let config: BellConfig = parse_config(&args.config)?;
//!         Ok(Bell { loud: config.loud })
//!     }
//! }
//!
//! impl PhaseHook for Bell {
//!     fn on_phase_start(&self, _: &PhaseStart) -> Result<(), BoxError> {
//!         Ok(())
//!     }
//!     fn on_phase_complete(&self, stats: &PhaseStats) -> Result<(), BoxError> {
//!         let bell = if self.loud { "DING" } else { "ding" };
//!         eprintln!("{bell}: {} done", stats.phase);
//!         Ok(())
//!     }
//! }
//!
//! // In the plugin's `src/registry.rs`, one line per registration:
//! register_lazy!(PhaseHookCategory, "bell", Bell, id = "terminal_bell");
//! # fn main() {}
//! ```
//!
//! A binary links the plugin with `use my_plugin as _;` (or by naming any
//! of its items); `aiperf plugins --all` then lists `phase_hook/bell`. The
//! plugin crates under `plugins/` in this repository are complete examples,
//! and their READMEs are the template for a new one.

#![warn(missing_docs)]

pub mod arrival_pattern;
pub mod config;
pub mod console_exporter;
pub mod custom_dataset_loader;
pub mod data_exporter;
pub mod dataset;
pub mod dataset_composer;
pub mod dataset_sampler;
pub mod endpoint;
pub mod metrics;
pub mod names;
pub mod phase_hook;
pub mod plot;
pub mod stats;
pub mod timing_strategy;
pub mod tokenizer;
pub mod transport;
pub mod ui;
pub mod url_selection_strategy;

#[doc(no_inline)]
pub use arrival_pattern::{
    ArrivalArgs, ArrivalPattern, ArrivalPatternCategory, ArrivalPatternFactory,
};
#[doc(no_inline)]
pub use custom_dataset_loader::{
    CustomDatasetLoaderCategory, CustomDatasetLoaderFactory, LoaderArgs,
};
#[doc(no_inline)]
pub use dataset::{Dataset, DatasetEntry, InMemoryDataset};
#[doc(no_inline)]
pub use dataset_composer::{ComposerArgs, DatasetComposerCategory, DatasetComposerFactory};
#[doc(no_inline)]
pub use plot::{Plot, PlotArgs, PlotCategory, PlotData, PlotFactory, PlotRequest};
#[doc(no_inline)]
pub use tokenizer::{Tokenizer, TokenizerArgs, TokenizerCategory, TokenizerFactory};
#[doc(no_inline)]
pub use url_selection_strategy::{
    UrlSelectionArgs, UrlSelectionStrategy, UrlSelectionStrategyCategory,
    UrlSelectionStrategyFactory,
};

#[doc(no_inline)]
pub use console_exporter::{
    ConsoleExporter, ConsoleExporterArgs, ConsoleExporterCategory, ConsoleExporterFactory,
};
#[doc(no_inline)]
pub use data_exporter::{
    DataExporter, DataExporterArgs, DataExporterCategory, DataExporterFactory,
    DataExporterMetadata, ExportRun, InputPayloads,
};
#[doc(no_inline)]
pub use dataset_sampler::{
    DatasetSampler, DatasetSamplerCategory, DatasetSamplerFactory, SamplerArgs,
};
#[doc(no_inline)]
pub use endpoint::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointFactory, EndpointMetadata,
    Output, ParsedResponse, Prompt, Ranking, StreamDelta, Usage,
};
#[doc(no_inline)]
pub use phase_hook::{PhaseHook, PhaseHookArgs, PhaseHookCategory, PhaseHookFactory};
#[doc(no_inline)]
pub use timing_strategy::{
    Decision, Feedback, Progress, TimingArgs, TimingStrategy, TimingStrategyCategory,
    TimingStrategyFactory,
};
#[doc(no_inline)]
pub use transport::{
    EventSink, ExchangeTiming, ResponseBody, SendFuture, Transport, TransportArgs,
    TransportCategory, TransportError, TransportFactory, TransportMetadata, TransportRequest,
    TransportResponse,
};
#[doc(no_inline)]
pub use ui::{Ui, UiArgs, UiCategory, UiFactory};

/// The link anchor: a binary that names nothing else of this crate calls it
/// (or writes `use aiperf_plugin_api as _;`) so the categories it declares
/// are linked. Returns this crate's package name, for
/// [`registry_core::require_linked`].
pub fn link() -> &'static str {
    registry_core::link_anchor!()
}
