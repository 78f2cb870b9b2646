//! `dataset_composer/synthetic` with `tokenizer/builtin` (tiktoken
//! o200k_base), both created by name as the engine creates them: the
//! acceptance test of synthetic prompts (mean input length within 1 % of
//! `isl`), the spread, `osl`, and the seed.

use std::sync::Arc;
use std::time::Instant;

use aiperf_builtins as _;
use aiperf_plugin_api::{
    ComposerArgs, DatasetComposerFactory, DatasetEntry, Tokenizer, TokenizerArgs, TokenizerFactory,
};

fn builtin_tokenizer() -> Arc<dyn Tokenizer> {
    Arc::from(TokenizerFactory::create_instance("builtin", TokenizerArgs::default()).unwrap())
}

fn compose(config: serde_json::Value, seed: u64) -> Vec<DatasetEntry> {
    let dataset = DatasetComposerFactory::create_instance(
        "synthetic",
        ComposerArgs {
            config,
            tokenizer: builtin_tokenizer(),
            seed,
        },
    )
    .unwrap();
    (0..dataset.len())
        .map(|i| dataset.entry(i).unwrap())
        .collect()
}

/// Each entry's recorded count is what the tokenizer measures for its
/// text; returns those counts.
fn measured(entries: &[DatasetEntry]) -> Vec<f64> {
    let tokenizer = builtin_tokenizer();
    entries
        .iter()
        .map(|e| {
            let count = tokenizer.count(&e.prompt.text);
            assert_eq!(e.input_tokens, Some(count as u64), "{e:?}");
            count as f64
        })
        .collect()
}

fn mean_and_stddev(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[test]
fn isl_550_over_100_entries_measures_550_within_1_percent() {
    builtin_tokenizer(); // the vocabulary is built once, outside the timing
    let start = Instant::now();
    let entries = compose(serde_json::json!({"isl": 550}), 0);
    let elapsed = start.elapsed();
    eprintln!("100 synthetic prompts of 550 tokens built in {elapsed:.2?}");
    assert_eq!(entries.len(), 100, "AIPerf's default --num-dataset-entries");
    let counts = measured(&entries);
    let (mean, _) = mean_and_stddev(&counts);
    assert!((mean - 550.0).abs() <= 5.5, "mean input length {mean}");
    // Every prompt is its target, or one token off at worst.
    assert!(
        counts.iter().all(|&c| (549.0..=551.0).contains(&c)),
        "{counts:?}"
    );
    // Distinct prompts, real text.
    let distinct: std::collections::HashSet<&str> =
        entries.iter().map(|e| e.prompt.text.as_str()).collect();
    assert_eq!(distinct.len(), 100);
    assert!(entries.iter().all(|e| e.prompt.max_tokens.is_none()));
    assert!(
        entries[0].prompt.text.contains(' '),
        "{}",
        entries[0].prompt.text
    );
}

#[test]
fn isl_stddev_spreads_the_measured_lengths() {
    let entries = compose(
        serde_json::json!({"isl": 200, "isl_stddev": 40, "entries": 300}),
        11,
    );
    let counts = measured(&entries);
    let (mean, stddev) = mean_and_stddev(&counts);
    // Standard errors at n = 300: 2.3 (mean), 1.6 (stddev).
    assert!((mean - 200.0).abs() < 8.0, "mean {mean}");
    assert!((stddev - 40.0).abs() < 6.0, "stddev {stddev}");
    assert!(counts.iter().all(|&c| c >= 1.0));
}

#[test]
fn osl_sets_max_tokens_and_its_stddev_spreads_them() {
    let fixed = compose(serde_json::json!({"isl": 20, "osl": 64, "entries": 10}), 1);
    assert!(fixed.iter().all(|e| e.prompt.max_tokens == Some(64)));
    let spread = compose(
        serde_json::json!({"isl": 20, "osl": 100, "osl_stddev": 20, "entries": 200}),
        1,
    );
    let answers: Vec<f64> = spread
        .iter()
        .map(|e| f64::from(e.prompt.max_tokens.unwrap()))
        .collect();
    let (mean, stddev) = mean_and_stddev(&answers);
    assert!((mean - 100.0).abs() < 5.0, "mean {mean}");
    assert!((stddev - 20.0).abs() < 4.0, "stddev {stddev}");
}

#[test]
fn the_same_seed_gives_the_same_dataset() {
    let config = serde_json::json!({"isl": 64, "isl_stddev": 8, "entries": 20});
    let a = compose(config.clone(), 42);
    assert_eq!(a, compose(config.clone(), 42));
    assert_ne!(a, compose(config, 43));
}

#[test]
fn a_bad_config_names_the_field() {
    let Err(error) = DatasetComposerFactory::create_instance(
        "synthetic",
        ComposerArgs {
            config: serde_json::json!({"isl": 550, "isl_sdev": 10}),
            tokenizer: builtin_tokenizer(),
            seed: 0,
        },
    ) else {
        panic!("a misspelt field is accepted");
    };
    let error = error.to_string();
    assert!(error.contains("unknown field `isl_sdev`"), "{error}");
}
