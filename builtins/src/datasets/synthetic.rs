//! `synthetic`: prompts of a target token length, cut from a bundled
//! public-domain corpus the way AIPerf's prompt generator cuts them.

use std::sync::Arc;

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use crate::rng::SplitMix64;
use aiperf_plugin_api::config::{parse_config, require_positive, show_number};
use aiperf_plugin_api::{
    ComposerArgs, Dataset, DatasetComposerCategory, DatasetEntry, InMemoryDataset, Prompt,
    Tokenizer,
};

/// Shakespeare's Sonnets (public domain; `assets/README.md`), AIPerf's own
/// corpus cut to its first part.
const CORPUS: &str = include_str!("../../assets/shakespeare_sonnets.txt");

/// The longest prompt or answer a config may ask for, in tokens.
pub const MAX_LENGTH: u64 = 1_000_000;

/// The most prompt tokens a dataset may hold (`entries` × `isl`): about
/// 450 MB of English text, all of it in memory.
pub const MAX_TOTAL_TOKENS: u64 = 100_000_000;

/// Rounds of decode, re-encode and adjust for one window before a new
/// window is tried (AIPerf and vLLM allow 10 rounds).
const ROUNDS: usize = 10;

/// Windows tried for one prompt before giving up.
const WINDOWS: usize = 10;

/// Config of [`Synthetic`]: AIPerf's `--isl`, `--isl-stddev`, `--osl`,
/// `--osl-stddev` and `--num-dataset-entries`, with AIPerf's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticConfig {
    /// Mean prompt length in tokens (default 550); at least 1, at most
    /// [`MAX_LENGTH`].
    #[serde(
        default = "default_isl",
        deserialize_with = "aiperf_plugin_api::config::count"
    )]
    pub isl: u64,
    /// Standard deviation of the prompt length in tokens (default 0: every
    /// prompt is `isl` long).
    #[serde(default)]
    pub isl_stddev: f64,
    /// Mean answer length in tokens, sent as each prompt's `max_tokens`;
    /// none by default (the server decides).
    #[serde(
        default,
        deserialize_with = "aiperf_plugin_api::config::optional_count"
    )]
    pub osl: Option<u64>,
    /// Standard deviation of the answer length (default 0); only with
    /// `osl`.
    #[serde(default)]
    pub osl_stddev: f64,
    /// The number of distinct prompts (default 100).
    #[serde(
        default = "default_entries",
        deserialize_with = "aiperf_plugin_api::config::count"
    )]
    pub entries: u64,
}

fn default_isl() -> u64 {
    550
}

fn default_entries() -> u64 {
    100
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        SyntheticConfig {
            isl: default_isl(),
            isl_stddev: 0.0,
            osl: None,
            osl_stddev: 0.0,
            entries: default_entries(),
        }
    }
}

impl SyntheticConfig {
    /// Checks the ranges serde cannot express, with messages naming the
    /// field.
    fn check(&self) -> Result<(), BoxError> {
        require_positive("isl", self.isl)?;
        require_positive("entries", self.entries)?;
        at_most("isl", self.isl, MAX_LENGTH)?;
        if let Some(osl) = self.osl {
            require_positive("osl", osl)?;
            at_most("osl", osl, MAX_LENGTH)?;
        }
        non_negative("isl_stddev", self.isl_stddev)?;
        non_negative("osl_stddev", self.osl_stddev)?;
        if self.osl.is_none() && self.osl_stddev != 0.0 {
            return Err(
                "invalid config: `osl_stddev` applies only with `osl`; set `osl` (the \
                        mean answer length) or remove `osl_stddev`"
                    .into(),
            );
        }
        let total = self.entries.saturating_mul(self.isl);
        if total > MAX_TOTAL_TOKENS {
            return Err(format!(
                "invalid config: `entries` × `isl` is {total} tokens, more than the \
                 {MAX_TOTAL_TOKENS} a synthetic dataset may hold in memory; lower `entries` or \
                 `isl`"
            )
            .into());
        }
        Ok(())
    }
}

fn at_most(field: &str, value: u64, max: u64) -> Result<(), BoxError> {
    if value > max {
        return Err(format!("invalid config: `{field}` must be at most {max}, got {value}").into());
    }
    Ok(())
}

fn non_negative(field: &str, value: f64) -> Result<(), BoxError> {
    if !(value.is_finite() && value >= 0.0) {
        return Err(format!(
            "invalid config: `{field}` is {}; it must be a number >= 0 (in tokens)",
            show_number(value)
        )
        .into());
    }
    Ok(())
}

/// Synthetic prompts (`dataset_composer/synthetic`, identifier
/// `sonnet_windows`), built when the composer is created, as AIPerf's
/// prompt generator builds them:
///
/// 1. The bundled corpus, Shakespeare's Sonnets (its non-empty lines,
///    trimmed and joined by spaces), is tokenized once with the run's
///    tokenizer.
/// 2. For each entry a length is drawn from a normal distribution with
///    mean `isl` and standard deviation `isl_stddev`, rounded and clamped
///    to 1..=[`MAX_LENGTH`].
/// 3. A window of that many tokens is taken at a random offset of the
///    corpus' tokens (wrapping around its end) and decoded.
/// 4. Decoding and re-encoding do not always give back as many tokens
///    (tokens merge across a cut), so the text is re-encoded and the
///    tokens cut to the length, or topped up from another window, and
///    decoded again, until the text is exactly the drawn length. A
///    tokenizer that never lands on it is allowed one token either side;
///    beyond that the composer fails, naming the length.
///
/// Each entry's [`DatasetEntry::input_tokens`] is its text's measured
/// count; with `osl`, its [`Prompt::max_tokens`] is drawn the same way
/// from `osl` and `osl_stddev`. Lengths, offsets and answer lengths come
/// from three streams derived from the run's seed: the same seed and
/// tokenizer give the same dataset, and changing `osl` does not change the
/// prompts.
#[derive(Debug, Clone)]
pub struct Synthetic {
    dataset: InMemoryDataset,
}

impl Synthetic {
    /// Builds the dataset described by `config`, measured with
    /// `tokenizer`, from `seed`.
    pub fn new(
        config: &SyntheticConfig,
        tokenizer: Arc<dyn Tokenizer>,
        seed: u64,
    ) -> Result<Synthetic, BoxError> {
        config.check()?;
        let corpus = Corpus::new(tokenizer)?;
        let mut streams = SplitMix64::new(seed);
        let mut lengths = SplitMix64::new(streams.next_u64());
        let mut answers = SplitMix64::new(streams.next_u64());
        let mut offsets = SplitMix64::new(streams.next_u64());
        let entries = (0..config.entries)
            .map(|_| {
                let target = draw_length(&mut lengths, config.isl, config.isl_stddev);
                let max_tokens = config
                    .osl
                    .map(|osl| draw_length(&mut answers, osl, config.osl_stddev))
                    // MAX_LENGTH < u32::MAX.
                    .map(|n| u32::try_from(n).unwrap_or(u32::MAX));
                let (text, count) = corpus.prompt(target as usize, &mut offsets)?;
                Ok(DatasetEntry {
                    prompt: Prompt {
                        text,
                        passages: Vec::new(),
                        max_tokens,
                    },
                    input_tokens: Some(count as u64),
                    ..DatasetEntry::default()
                })
            })
            .collect::<Result<Vec<_>, BoxError>>()?;
        Ok(Synthetic {
            dataset: InMemoryDataset::new(entries)?,
        })
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[DatasetEntry] {
        self.dataset.entries()
    }
}

impl Dataset for Synthetic {
    fn len(&self) -> usize {
        self.dataset.len()
    }

    fn entry(&self, index: usize) -> Result<DatasetEntry, BoxError> {
        self.dataset.entry(index)
    }
}

impl Implementation<DatasetComposerCategory> for Synthetic {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Prompts of `isl` ± `isl_stddev` tokens cut from \
                                       Shakespeare's Sonnets (AIPerf's corpus), optional `osl` \
                                       as max_tokens; `entries` distinct prompts.";

    fn create(args: ComposerArgs) -> Result<Self, BoxError> {
        let config: SyntheticConfig = parse_config(&args.config)?;
        Synthetic::new(&config, args.tokenizer, args.seed)
    }
}

/// A length drawn from a normal distribution (`mean`, `stddev`), rounded
/// and clamped to 1..=[`MAX_LENGTH`]; exactly `mean` when `stddev` is 0.
fn draw_length(rng: &mut SplitMix64, mean: u64, stddev: f64) -> u64 {
    if stddev == 0.0 {
        return mean;
    }
    let drawn = (mean as f64 + stddev * rng.standard_normal()).round();
    // NaN cannot occur (finite inputs); `as` saturates out-of-range values.
    (drawn.max(1.0) as u64).min(MAX_LENGTH)
}

/// The corpus in tokens, and the tokenizer that made them.
struct Corpus {
    tokenizer: Arc<dyn Tokenizer>,
    tokens: Vec<u32>,
}

impl Corpus {
    fn new(tokenizer: Arc<dyn Tokenizer>) -> Result<Corpus, BoxError> {
        let text = CORPUS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let tokens = tokenizer.encode(&text);
        if tokens.is_empty() {
            return Err(
                "the tokenizer turns the bundled corpus (Shakespeare's Sonnets) into no \
                        tokens at all, so no prompt can be cut from it; use a tokenizer for \
                        English text"
                    .into(),
            );
        }
        Ok(Corpus { tokenizer, tokens })
    }

    /// `len` tokens from a random offset, wrapping around the end (as many
    /// times as it takes).
    fn window(&self, len: usize, offsets: &mut SplitMix64) -> Vec<u32> {
        let start = offsets.below(self.tokens.len() as u64) as usize;
        self.tokens
            .iter()
            .copied()
            .cycle()
            .skip(start)
            .take(len)
            .collect()
    }

    /// A text of `target` tokens (see [`Synthetic`]) and its measured count.
    fn prompt(&self, target: usize, offsets: &mut SplitMix64) -> Result<(String, usize), BoxError> {
        let mut closest: Option<(String, usize)> = None;
        for _ in 0..WINDOWS {
            let mut tokens = self.window(target, offsets);
            for _ in 0..ROUNDS {
                let text = self.tokenizer.decode(&tokens);
                // The count of the text as it will be sent, as
                // `Tokenizer::count` measures it.
                let encoded = self.tokenizer.encode(&text);
                let count = encoded.len();
                if count == target {
                    return Ok((text, count));
                }
                if closest
                    .as_ref()
                    .is_none_or(|(_, best)| count.abs_diff(target) < best.abs_diff(target))
                {
                    closest = Some((text, count));
                }
                tokens = encoded;
                if count > target {
                    tokens.truncate(target);
                } else {
                    tokens.extend(self.window(target - count, offsets));
                }
            }
            if let Some((text, count)) = closest.take_if(|(_, n)| n.abs_diff(target) <= 1) {
                return Ok((text, count));
            }
        }
        let closest = closest.map_or(0, |(_, n)| n);
        Err(format!(
            "could not cut a prompt of exactly {target} tokens from the corpus with this \
             tokenizer (decoding and re-encoding never came within one token; the closest \
             was {closest} tokens after {WINDOWS} windows of {ROUNDS} rounds each)"
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One token per byte, except that "th" is a single token (256) unless
    /// an "e" follows: a window of "the" cut after its "h" decodes to text
    /// that re-encodes to fewer tokens, as a real BPE's cuts can.
    struct MergingBytes;

    impl Tokenizer for MergingBytes {
        fn encode(&self, text: &str) -> Vec<u32> {
            let bytes = text.as_bytes();
            let mut tokens = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"th") && !bytes[i..].starts_with(b"the") {
                    tokens.push(256);
                    i += 2;
                } else {
                    tokens.push(u32::from(bytes[i]));
                    i += 1;
                }
            }
            tokens
        }

        fn decode(&self, tokens: &[u32]) -> String {
            let bytes: Vec<u8> = tokens
                .iter()
                .flat_map(|&t| match t {
                    256 => b"th".to_vec(),
                    t => u8::try_from(t).map(|b| vec![b]).unwrap_or_default(),
                })
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }

    /// Encodes everything to nothing.
    struct Mute;

    impl Tokenizer for Mute {
        fn encode(&self, _: &str) -> Vec<u32> {
            Vec::new()
        }
        fn decode(&self, _: &[u32]) -> String {
            String::new()
        }
    }

    /// Every decoded text re-encodes to three more tokens than it came
    /// from: no prompt can ever be exactly as long as asked.
    struct Inflating;

    impl Tokenizer for Inflating {
        fn encode(&self, text: &str) -> Vec<u32> {
            let mut tokens: Vec<u32> = text.bytes().map(u32::from).collect();
            tokens.extend([u32::from(b'x'); 3]);
            tokens
        }
        fn decode(&self, tokens: &[u32]) -> String {
            tokens.iter().filter_map(|&t| char::from_u32(t)).collect()
        }
    }

    fn build(config: serde_json::Value, seed: u64) -> Result<Synthetic, BoxError> {
        Synthetic::create(ComposerArgs {
            config,
            tokenizer: Arc::new(MergingBytes),
            seed,
        })
    }

    #[test]
    fn defaults_are_aiperf_s() {
        let config: SyntheticConfig = parse_config(&serde_json::Value::Null).unwrap();
        assert_eq!(config, SyntheticConfig::default());
        assert_eq!((config.isl, config.entries, config.osl), (550, 100, None));
    }

    #[test]
    fn prompts_are_exact_even_when_cuts_merge_on_re_encoding() {
        let synthetic = build(serde_json::json!({"isl": 37, "entries": 200}), 1).unwrap();
        assert_eq!(synthetic.len(), 200);
        for entry in synthetic.entries() {
            assert_eq!(MergingBytes.count(&entry.prompt.text), 37, "{entry:?}");
            assert_eq!(entry.input_tokens, Some(37));
            assert_eq!(entry.prompt.max_tokens, None);
        }
        // The cuts did need adjusting: some windows merged on re-encoding.
        let corpus = Corpus::new(Arc::new(MergingBytes)).unwrap();
        let mut offsets = SplitMix64::new(5);
        let merged = (0..200)
            .map(|_| corpus.window(37, &mut offsets))
            .filter(|w| MergingBytes.count(&MergingBytes.decode(w)) != 37)
            .count();
        assert!(
            merged > 0,
            "no window needed adjusting; the test shows nothing"
        );
    }

    #[test]
    fn windows_wrap_around_the_corpus_end() {
        let corpus = Corpus::new(Arc::new(MergingBytes)).unwrap();
        let len = corpus.tokens.len();
        // Longer than the corpus: it repeats.
        let mut offsets = SplitMix64::new(2);
        let window = corpus.window(len * 2 + 5, &mut offsets);
        assert_eq!(window.len(), len * 2 + 5);
        assert_eq!(window[..len], window[len..2 * len]);
    }

    #[test]
    fn the_same_seed_gives_the_same_dataset_and_osl_leaves_prompts_alone() {
        let config = serde_json::json!({"isl": 20, "isl_stddev": 5, "entries": 30});
        let a = build(config.clone(), 7).unwrap();
        let b = build(config, 7).unwrap();
        assert_eq!(a.entries(), b.entries());
        let c = build(
            serde_json::json!({"isl": 20, "isl_stddev": 5, "entries": 30}),
            8,
        )
        .unwrap();
        assert_ne!(a.entries(), c.entries());
        let with_osl = build(
            serde_json::json!({"isl": 20, "isl_stddev": 5, "entries": 30, "osl": 9}),
            7,
        )
        .unwrap();
        for (plain, answered) in a.entries().iter().zip(with_osl.entries()) {
            assert_eq!(plain.prompt.text, answered.prompt.text);
            assert_eq!(answered.prompt.max_tokens, Some(9));
        }
    }

    #[test]
    fn lengths_spread_with_the_stddev_and_stay_at_least_1() {
        let mut rng = SplitMix64::new(3);
        let draws: Vec<f64> = (0..20_000)
            .map(|_| draw_length(&mut rng, 200, 50.0) as f64)
            .collect();
        let n = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / n;
        let sd = (draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!((mean - 200.0).abs() < 2.0, "mean {mean}");
        assert!((sd - 50.0).abs() < 2.0, "stddev {sd}");
        // A wide spread around a small mean is clamped at 1, never 0.
        let mut rng = SplitMix64::new(4);
        let small: Vec<u64> = (0..1000).map(|_| draw_length(&mut rng, 2, 10.0)).collect();
        assert!(small.iter().all(|&d| d >= 1));
        assert!(small.contains(&1));
        assert_eq!(draw_length(&mut rng, 550, 0.0), 550);
        let huge = draw_length(&mut rng, MAX_LENGTH, 1e12);
        assert!((1..=MAX_LENGTH).contains(&huge), "{huge}");
    }

    #[test]
    fn a_tokenizer_that_never_lands_on_the_length_is_an_error() {
        let e = Synthetic::create(ComposerArgs {
            config: serde_json::json!({"isl": 10, "entries": 1}),
            tokenizer: Arc::new(Inflating),
            seed: 1,
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("could not cut a prompt of exactly 10 tokens"),
            "{e}"
        );
        assert!(e.contains("the closest was 13 tokens"), "{e}");
        let e = Synthetic::create(ComposerArgs {
            config: serde_json::Value::Null,
            tokenizer: Arc::new(Mute),
            seed: 1,
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("into no tokens at all"), "{e}");
    }

    #[test]
    fn bad_config_is_an_error_naming_the_field() {
        let error = |config: serde_json::Value| build(config, 1).unwrap_err().to_string();
        assert!(
            error(serde_json::json!({"isl": 10, "num_prompts": 5}))
                .starts_with("invalid config: unknown field `num_prompts`, expected one of"),
        );
        assert_eq!(
            error(serde_json::json!({"isl": 0})),
            "invalid config: `isl` must be at least 1, got 0"
        );
        assert_eq!(
            error(serde_json::json!({"isl": -5})),
            "invalid config: `isl`: invalid value: integer `-5`, expected a whole number >= 1"
        );
        assert_eq!(
            error(serde_json::json!({"isl": "long"})),
            "invalid config: `isl`: invalid type: string \"long\", expected a whole number >= 1"
        );
        assert_eq!(
            error(serde_json::json!({"entries": 0})),
            "invalid config: `entries` must be at least 1, got 0"
        );
        assert_eq!(
            error(serde_json::json!({"osl": 0})),
            "invalid config: `osl` must be at least 1, got 0"
        );
        assert_eq!(
            error(serde_json::json!({"isl_stddev": -1})),
            "invalid config: `isl_stddev` is -1; it must be a number >= 0 (in tokens)"
        );
        assert_eq!(
            error(serde_json::json!({"osl": 10, "osl_stddev": -0.5})),
            "invalid config: `osl_stddev` is -0.5; it must be a number >= 0 (in tokens)"
        );
        assert!(
            error(serde_json::json!({"osl_stddev": 3}))
                .starts_with("invalid config: `osl_stddev` applies only with `osl`")
        );
        assert_eq!(
            error(serde_json::json!({"isl": 2_000_000})),
            "invalid config: `isl` must be at most 1000000, got 2000000"
        );
        assert_eq!(
            error(serde_json::json!({"isl": 1000, "entries": 200_000})),
            "invalid config: `entries` × `isl` is 200000000 tokens, more than the 100000000 a \
             synthetic dataset may hold in memory; lower `entries` or `isl`"
        );
    }
}
