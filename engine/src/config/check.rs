//! Checking a configuration against the live registry without running it.

use crate::benchmark::{Benchmark, BuildOptions};
use crate::hooks::LoadMode;

use super::{BenchmarkConfig, Secrets};

/// Resolves every name the configuration uses and creates every part once
/// (constructors validate their typed `config`), then drops them: nothing
/// is sent, no phase runs, no file is written. Returns every problem found,
/// each naming where in the file it is, with environment values hidden.
pub fn check_config(config: &BenchmarkConfig, secrets: &Secrets) -> Vec<String> {
    let options = BuildOptions {
        hooks: LoadMode::Strict,
        ..BuildOptions::default()
    };
    Benchmark::from_config(config, secrets, options)
        .err()
        .unwrap_or_default()
}
