//! `plot`: charts of a run (`aiperf plot DIR`), drawn from its per-request
//! records, so that any past run can be plotted, by this build or a later
//! one.

use std::path::{Path, PathBuf};

use registry_core::{BoxError, Factory, declare_category};

/// One request of a run, as `profile_export.jsonl` records it (AIPerf's
/// format: `metadata` and `metrics` of each line).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlotRequest {
    /// When it was sent, Unix time in nanoseconds (`request_start_ns`).
    pub start_ns: u64,
    /// When its answer ended, Unix time in nanoseconds (`request_end_ns`).
    pub end_ns: u64,
    /// Whether it failed (the line has an `error`).
    pub failed: bool,
    /// `request_latency`, ms.
    pub request_latency_ms: Option<f64>,
    /// `time_to_first_token`, ms (streamed requests).
    pub time_to_first_token_ms: Option<f64>,
    /// `inter_token_latency`, ms (streamed requests).
    pub inter_token_latency_ms: Option<f64>,
    /// `inter_chunk_latency`, ms: the gaps between the answer's chunks.
    pub inter_chunk_latency_ms: Vec<f64>,
    /// `output_sequence_length`, tokens.
    pub output_sequence_length: Option<f64>,
    /// `input_sequence_length`, tokens.
    pub input_sequence_length: Option<f64>,
}

/// What every plot draws from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlotData {
    /// A title for the charts (e.g. `chat · my-model · 16 concurrent`).
    pub title: String,
    /// The run's requests, in the file's order.
    pub requests: Vec<PlotRequest>,
}

/// Draws one chart.
///
/// # When it is called
///
/// Once per `aiperf plot DIR` (or after a run, when plots are asked for),
/// from the main thread, with every request of the run; plots run one after
/// another in the order they are listed. An error is reported and the other
/// plots still run.
pub trait Plot: Send + Sync {
    /// Renders into `dir` (which exists); returns the files written.
    fn render(&self, data: &PlotData, dir: &Path) -> Result<Vec<PathBuf>, BoxError>;
}

/// Constructor arguments of every plot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlotArgs {
    /// The plot's own settings.
    pub config: serde_json::Value,
}

declare_category! {
    /// The `plot` category: charts of a run.
    pub struct PlotCategory {
        name: "plot",
        title: "Plots",
        description: "Charts of a run drawn from its profile_export.jsonl (timelines, histograms).",
        object: dyn Plot,
        args: PlotArgs,
        metadata: (),
        internal: false,
    }
}

/// `PlotFactory::create_instance("ttft_timeline", args)`.
pub type PlotFactory = Factory<PlotCategory>;
