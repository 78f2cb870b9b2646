//! Every AIPerf category: one trait each, with its constructor arguments,
//! typed metadata and factory alias. Implementations live in the sibling
//! modules of this crate; their registrations in `aiperf_registry.rs`.

mod dataset_sampler;
mod endpoint;
mod exporter;
mod phase_hook;
mod timing_strategy;
mod transport;
mod ui;

pub use dataset_sampler::{
    DatasetSampler, DatasetSamplerCategory, DatasetSamplerFactory, SamplerArgs,
};
pub use endpoint::{
    Endpoint, EndpointArgs, EndpointCategory, EndpointError, EndpointFactory, EndpointMetadata,
    Output, ParsedResponse, Prompt, Ranking, StreamDelta, Usage,
};
pub use exporter::{Exporter, ExporterArgs, ExporterCategory, ExporterFactory, ExporterMetadata};
pub use phase_hook::{PhaseHook, PhaseHookArgs, PhaseHookCategory, PhaseHookFactory};
pub use timing_strategy::{
    Decision, Feedback, Progress, TimingArgs, TimingStrategy, TimingStrategyCategory,
    TimingStrategyFactory,
};
pub use transport::{
    ResponseBody, TimedEvent, Transport, TransportArgs, TransportCategory, TransportError,
    TransportFactory, TransportMetadata, TransportRequest, TransportResponse,
};
pub use ui::{Ui, UiArgs, UiCategory, UiFactory};
