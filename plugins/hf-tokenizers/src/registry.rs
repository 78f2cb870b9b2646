//! This crate's registrations, one line each.

use aiperf_plugin_api::TokenizerCategory;
use registry_core::register_lazy;

register_lazy!(
    TokenizerCategory,
    "huggingface",
    crate::HfTokenizer,
    id = "hf_tokenizer_json"
);
