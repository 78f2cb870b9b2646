//! One [`dynamic_str_enum!`](registry_core::dynamic_str_enum) per category:
//! the builtin names as variants, `Other(..)` for plugin names.
//!
//! These are what configuration files deserialise names into. The variants
//! must be exactly the names `aiperf_registry.rs` registers
//! (`tests/names.rs` fails when they drift). A plugin crate exports typed
//! constants for its own names with `from_static`, e.g.
//! `pub const ADAPTIVE_RATE: TimingStrategyType = TimingStrategyType::from_static("adaptive_rate");`.

use registry_core::dynamic_str_enum;

use crate::{
    ArrivalPatternCategory, ConsoleExporterCategory, CustomDatasetLoaderCategory,
    DataExporterCategory, DatasetComposerCategory, DatasetSamplerCategory, EndpointCategory,
    PhaseHookCategory, PlotCategory, TimingStrategyCategory, TokenizerCategory, TransportCategory,
    UiCategory, UrlSelectionStrategyCategory,
};

dynamic_str_enum! {
    /// A name in the `endpoint` category.
    #[category(EndpointCategory)]
    pub enum EndpointType {
        /// OpenAI chat completions.
        Chat = "chat",
        /// OpenAI (legacy) completions.
        Completions = "completions",
        /// OpenAI embeddings.
        Embeddings = "embeddings",
        /// NVIDIA NIM rankings.
        Rankings = "rankings",
        /// OpenAI Responses API.
        Responses = "responses",
        /// Anthropic Messages API.
        Messages = "messages",
        /// Hugging Face TGI generation.
        HuggingfaceGenerate = "huggingface_generate",
        /// Hugging Face TEI reranking.
        HfTeiRankings = "hf_tei_rankings",
        /// Cohere reranking (API v2).
        CohereRankings = "cohere_rankings",
    }
}

dynamic_str_enum! {
    /// A name in the `transport` category.
    #[category(TransportCategory)]
    pub enum TransportType {
        /// HTTP to an OpenAI-compatible server.
        Http = "http",
        /// The in-process simulated server.
        InEngine = "in_engine",
    }
}

dynamic_str_enum! {
    /// A name in the `timing_strategy` category.
    #[category(TimingStrategyCategory)]
    pub enum TimingStrategyType {
        /// Fixed number of requests in flight.
        Concurrency = "concurrency",
        /// Requests at given offsets.
        FixedSchedule = "fixed_schedule",
        /// Constant request rate.
        RequestRate = "request_rate",
    }
}

dynamic_str_enum! {
    /// A name in the `phase_hook` category.
    #[category(PhaseHookCategory)]
    pub enum PhaseHookType {
        /// Logs phase boundaries.
        Logging = "logging",
    }
}

dynamic_str_enum! {
    /// A name in the `ui` category.
    #[category(UiCategory)]
    pub enum UiType {
        /// Shows nothing.
        None = "none",
        /// Progress on stderr.
        Simple = "simple",
    }
}

dynamic_str_enum! {
    /// A name in the `data_exporter` category.
    #[category(DataExporterCategory)]
    pub enum DataExporterType {
        /// `profile_export_aiperf.csv`.
        Csv = "csv",
        /// `inputs.json`: the payloads of the dataset.
        InputsJson = "inputs_json",
        /// `profile_export_aiperf.json`.
        Json = "json",
        /// `profile_export.jsonl`: one line per request.
        Jsonl = "jsonl",
    }
}

dynamic_str_enum! {
    /// A name in the `dataset_sampler` category.
    #[category(DatasetSamplerCategory)]
    pub enum DatasetSamplerType {
        /// Seeded uniform random.
        Random = "random",
        /// In order, wrapping.
        Sequential = "sequential",
    }
}

dynamic_str_enum! {
    /// A name in the `tokenizer` category.
    #[category(TokenizerCategory)]
    pub enum TokenizerType {
        /// tiktoken's `o200k_base`, built in (AIPerf's `builtin`).
        Builtin = "builtin",
    }
}

dynamic_str_enum! {
    /// A name in the `dataset_composer` category.
    #[category(DatasetComposerCategory)]
    pub enum DatasetComposerType {
        /// Prompts of a target token length from a bundled corpus.
        Synthetic = "synthetic",
    }
}

dynamic_str_enum! {
    /// A name in the `custom_dataset_loader` category.
    #[category(CustomDatasetLoaderCategory)]
    pub enum CustomDatasetLoaderType {
        /// AIPerf's `inputs.json`, replayed as is.
        InputsJson = "inputs_json",
        /// AIPerf's single-turn JSONL.
        SingleTurn = "single_turn",
    }
}

dynamic_str_enum! {
    /// A name in the `arrival_pattern` category.
    #[category(ArrivalPatternCategory)]
    pub enum ArrivalPatternType {
        /// Equal gaps.
        Constant = "constant",
        /// Gamma-distributed gaps (`smoothness`).
        Gamma = "gamma",
        /// Exponential gaps.
        Poisson = "poisson",
    }
}

dynamic_str_enum! {
    /// A name in the `url_selection_strategy` category.
    #[category(UrlSelectionStrategyCategory)]
    pub enum UrlSelectionStrategyType {
        /// Each URL in turn.
        RoundRobin = "round_robin",
    }
}

dynamic_str_enum! {
    /// A name in the `plot` category.
    #[category(PlotCategory)]
    pub enum PlotType {
        /// Histogram of inter-token latency with percentile marks.
        ItlHistogram = "itl_histogram",
        /// Histogram of request latency with percentile marks.
        LatencyHistogram = "latency_histogram",
        /// Request and output-token throughput over time.
        ThroughputTimeline = "throughput_timeline",
        /// TTFT and request latency of each request over the run.
        TtftTimeline = "ttft_timeline",
    }
}

dynamic_str_enum! {
    /// A name in the `console_exporter` category.
    #[category(ConsoleExporterCategory)]
    pub enum ConsoleExporterType {
        /// The errors, grouped by kind and status.
        Errors = "errors",
        /// AIPerf's metrics table.
        Metrics = "metrics",
    }
}
