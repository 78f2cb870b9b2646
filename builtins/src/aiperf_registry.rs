//! Every builtin registration of AIPerf, one line each: the single source of
//! truth. Implementation files contain no registration code.
//!
//! Adding a builtin: write the type (and its `Implementation<Category>`) in
//! its category's module, then add one line here with `origin = builtin`.
//! `tests/registry_file.rs` fails when a builtin type has no line here, or a
//! line names a type that is not a builtin.
//!
//! (`lib.rs` declares this module `#[rustfmt::skip]` so each registration
//! stays on one line.)

#[allow(unused_imports)]
use registry_core::register_lazy;

#[allow(unused_imports)]
use aiperf_plugin_api::*;

// endpoint ------------------------------------------------------------------
register_lazy!(EndpointCategory, "chat", crate::endpoints::OpenAiChat, id = "openai_chat", origin = builtin);
register_lazy!(EndpointCategory, "completions", crate::endpoints::OpenAiCompletions, id = "openai_completions", origin = builtin);
register_lazy!(EndpointCategory, "embeddings", crate::endpoints::OpenAiEmbeddings, id = "openai_embeddings", origin = builtin);
register_lazy!(EndpointCategory, "rankings", crate::endpoints::NimRankings, id = "nim_rankings", origin = builtin);
register_lazy!(EndpointCategory, "responses", crate::endpoints::OpenAiResponses, id = "openai_responses", origin = builtin);
register_lazy!(EndpointCategory, "messages", crate::endpoints::AnthropicMessages, id = "anthropic_messages", origin = builtin);
register_lazy!(EndpointCategory, "huggingface_generate", crate::endpoints::TgiGenerate, id = "tgi_generate", origin = builtin);
register_lazy!(EndpointCategory, "hf_tei_rankings", crate::endpoints::TeiRerank, id = "tei_rerank", origin = builtin);
register_lazy!(EndpointCategory, "cohere_rankings", crate::endpoints::CohereRerank, id = "cohere_rerank", origin = builtin);

// transport -----------------------------------------------------------------
register_lazy!(TransportCategory, "http", crate::transports::Http, id = "hyper_rustls", origin = builtin);
register_lazy!(TransportCategory, "in_engine", crate::transports::InEngine, id = "simulated_server", origin = builtin);


// timing_strategy -----------------------------------------------------------
register_lazy!(TimingStrategyCategory, "fixed_schedule", crate::timing::FixedSchedule, id = "fixed_schedule", origin = builtin);
register_lazy!(TimingStrategyCategory, "request_rate", crate::timing::RequestRate, id = "constant_rate", origin = builtin);
register_lazy!(TimingStrategyCategory, "concurrency", crate::timing::Concurrency, id = "fixed_concurrency", origin = builtin);

// phase_hook ----------------------------------------------------------------
register_lazy!(PhaseHookCategory, "logging", crate::phase_hooks::Logging, id = "tracing_log", origin = builtin);

// ui ------------------------------------------------------------------------
register_lazy!(UiCategory, "none", crate::ui::NoUi, id = "no_ui", origin = builtin);
register_lazy!(UiCategory, "simple", crate::ui::Simple, id = "simple_progress", origin = builtin);

// data_exporter -------------------------------------------------------------
register_lazy!(DataExporterCategory, "json", crate::exporters::Json, id = "json_file", origin = builtin);
register_lazy!(DataExporterCategory, "csv", crate::exporters::Csv, id = "csv_file", origin = builtin);
register_lazy!(DataExporterCategory, "jsonl", crate::exporters::Jsonl, id = "jsonl_records", origin = builtin);
register_lazy!(DataExporterCategory, "inputs_json", crate::exporters::InputsJson, id = "inputs_json_file", origin = builtin);

// console_exporter ----------------------------------------------------------
register_lazy!(ConsoleExporterCategory, "metrics", crate::console::Metrics, id = "aiperf_metrics_table", origin = builtin);
register_lazy!(ConsoleExporterCategory, "errors", crate::console::Errors, id = "aiperf_error_summary", origin = builtin);

// dataset_sampler -----------------------------------------------------------
register_lazy!(DatasetSamplerCategory, "sequential", crate::samplers::Sequential, id = "in_order", origin = builtin);
register_lazy!(DatasetSamplerCategory, "random", crate::samplers::Random, id = "seeded_uniform", origin = builtin);

// tokenizer -----------------------------------------------------------------
register_lazy!(TokenizerCategory, "builtin", crate::tokenizers::TiktokenO200k, id = "tiktoken_o200k_base", origin = builtin);

// dataset_composer ----------------------------------------------------------
register_lazy!(DatasetComposerCategory, "synthetic", crate::datasets::Synthetic, id = "sonnet_windows", origin = builtin);

// custom_dataset_loader -----------------------------------------------------
register_lazy!(CustomDatasetLoaderCategory, "single_turn", crate::datasets::SingleTurn, id = "jsonl_single_turn", origin = builtin);
register_lazy!(CustomDatasetLoaderCategory, "inputs_json", crate::datasets::InputsJson, id = "inputs_json_replay", origin = builtin);

// arrival_pattern -----------------------------------------------------------
register_lazy!(ArrivalPatternCategory, "constant", crate::arrival::Constant, id = "fixed_interval", origin = builtin);
register_lazy!(ArrivalPatternCategory, "poisson", crate::arrival::Poisson, id = "exponential_gaps", origin = builtin);
register_lazy!(ArrivalPatternCategory, "gamma", crate::arrival::Gamma, id = "marsaglia_tsang", origin = builtin);

// url_selection_strategy ----------------------------------------------------
register_lazy!(UrlSelectionStrategyCategory, "round_robin", crate::url_selection::RoundRobin, id = "in_turn", origin = builtin);

// plot ----------------------------------------------------------------------
register_lazy!(PlotCategory, "ttft_timeline", crate::plots::TtftTimeline, id = "svg_ttft_scatter", origin = builtin);
register_lazy!(PlotCategory, "latency_histogram", crate::plots::LatencyHistogram, id = "svg_latency_histogram", origin = builtin);
register_lazy!(PlotCategory, "itl_histogram", crate::plots::ItlHistogram, id = "svg_itl_histogram", origin = builtin);
register_lazy!(PlotCategory, "throughput_timeline", crate::plots::ThroughputTimeline, id = "svg_throughput_bins", origin = builtin);
