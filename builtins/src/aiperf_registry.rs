//! Every builtin registration of AIPerf, one line each: the single source of
//! truth (seed 000). Implementation files contain no registration code.
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
use crate::categories::*;

// endpoint ------------------------------------------------------------------
register_lazy!(EndpointCategory, "chat", crate::endpoints::OpenAiChat, id = "openai_chat", origin = builtin);
register_lazy!(EndpointCategory, "completions", crate::endpoints::OpenAiCompletions, id = "openai_completions", origin = builtin);
register_lazy!(EndpointCategory, "embeddings", crate::endpoints::OpenAiEmbeddings, id = "openai_embeddings", origin = builtin);
register_lazy!(EndpointCategory, "rankings", crate::endpoints::NimRankings, id = "nim_rankings", origin = builtin);

// transport -----------------------------------------------------------------


// timing_strategy -----------------------------------------------------------


// phase_hook ----------------------------------------------------------------


// ui ------------------------------------------------------------------------


// exporter ------------------------------------------------------------------


// dataset_sampler -----------------------------------------------------------

