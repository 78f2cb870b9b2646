//! `tokenizer`: counts the tokens of prompts and answers, and cuts synthetic
//! prompts to a target length.

use std::path::PathBuf;

use registry_core::{Factory, declare_category};

/// Text to tokens and back, the way the benchmarked model counts them.
///
/// # When it is called
///
/// Once per run the tokenizer is created (loading a vocabulary may take a
/// moment, before the first request). Then from any thread, concurrently:
/// by dataset composers while the dataset is built, and after each
/// response, off the timed path, to count the prompt's tokens (input
/// sequence length) and, when the server reports no usage, the answer's.
pub trait Tokenizer: Send + Sync {
    /// The token ids of `text` (no special tokens added).
    fn encode(&self, text: &str) -> Vec<u32>;

    /// The text of `tokens`; ids the vocabulary does not hold are skipped
    /// and invalid UTF-8 is replaced, never an error.
    fn decode(&self, tokens: &[u32]) -> String;

    /// How many tokens `text` is; the same as `encode(text).len()`, which is
    /// the default. Override when counting is cheaper than encoding.
    fn count(&self, text: &str) -> usize {
        self.encode(text).len()
    }
}

/// Constructor arguments of every tokenizer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenizerArgs {
    /// A vocabulary file or directory, for tokenizers that read one
    /// (`--tokenizer PATH`); `None` for built-in vocabularies.
    pub path: Option<PathBuf>,
    /// The tokenizer's own settings (`tokenizer.config` in a config file).
    pub config: serde_json::Value,
}

declare_category! {
    /// The `tokenizer` category: token counting.
    pub struct TokenizerCategory {
        name: "tokenizer",
        title: "Tokenizers",
        description: "Count and cut text in tokens (input and output sequence lengths, synthetic prompts).",
        object: dyn Tokenizer,
        args: TokenizerArgs,
        metadata: (),
        internal: false,
    }
}

/// `TokenizerFactory::create_instance("builtin", args)`.
pub type TokenizerFactory = Factory<TokenizerCategory>;
