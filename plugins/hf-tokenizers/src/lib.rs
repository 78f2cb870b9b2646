//! A Hugging Face `tokenizer.json` tokenizer for AIPerf, packaged as a
//! plugin crate: it registers `tokenizer/huggingface` (identifier
//! `hf_tokenizer_json`) when a binary links it. See the README for how to
//! enable it and what it costs.
//!
//! The tokenizer reads the `tokenizer.json` that `TokenizerArgs::path`
//! names (the file, or a directory holding one, such as a model's
//! snapshot) with the `tokenizers` crate, and counts tokens the way the
//! model's own tokenizer does. Nothing is downloaded.

#![warn(missing_docs)]

mod registry;
mod tokenizer;

pub use tokenizer::{HfTokenizer, MAX_FILE_BYTES};

/// The link anchor: returns this crate's package name, for
/// `aiperf_cli::main_with(&[this_crate::link()])`, which both links the
/// crate (calling it references the crate) and has the CLI check at
/// start-up that its registrations are there.
pub fn link() -> &'static str {
    registry_core::link_anchor!()
}
