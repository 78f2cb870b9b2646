//! Builtin tokenizers: token counting for sequence lengths and synthetic
//! prompts.

mod tiktoken;

pub use tiktoken::TiktokenO200k;
