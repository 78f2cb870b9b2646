//! Builtin datasets: the `synthetic` composer (prompts of a target token
//! length).

mod synthetic;

pub use synthetic::{MAX_LENGTH, MAX_TOTAL_TOKENS, Synthetic, SyntheticConfig};
