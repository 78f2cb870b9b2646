//! Deterministic content: the generated words, embeddings, ranking logits
//! and the error-injection draw, all from small stable hashes (FNV-1a for
//! text, SplitMix64 for mixing) so that a seed gives the same output on
//! every platform and Rust version.

/// The words generated text cycles through. One word is one token.
pub const WORDS: [&str; 32] = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "mock",
    "servers",
    "stream",
    "tokens",
    "at",
    "steady",
    "pace",
    "and",
    "every",
    "benchmark",
    "measures",
    "latency",
    "throughput",
    "with",
    "care",
    "so",
    "results",
    "stay",
    "honest",
    "for",
    "all",
    "runs",
];

/// SplitMix64's finaliser: a well-mixed 64-bit value from any input.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform draw in `[0, 1)` from a 64-bit value (its top 53 bits).
pub(crate) fn unit(z: u64) -> f64 {
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// FNV-1a over bytes: stable across runs and platforms.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Whether the request with sequence number `id` gets an injected error:
/// a draw from `(seed, id)` below `rate`. Rate 0 never, rate 1 always.
pub(crate) fn inject_error(seed: u64, id: u64, rate: f64) -> bool {
    unit(mix(seed ^ mix(id ^ 0x5eed_e770))) < rate
}

/// The words of one response: [`WORDS`] cycled from an offset that depends
/// on the seed and the prompt, so the same seed and prompt give the same
/// text. Token `i` is `word(i)`, written with a leading space after the
/// first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Words {
    offset: usize,
}

impl Words {
    pub(crate) fn new(seed: u64, prompt_hash: u64) -> Words {
        Words {
            offset: (mix(seed ^ prompt_hash) % WORDS.len() as u64) as usize,
        }
    }

    /// Token `i` as it is written: `"word"` for the first, `" word"` after.
    pub(crate) fn token(&self, i: u32) -> String {
        let word = WORDS[(self.offset + i as usize) % WORDS.len()];
        if i == 0 {
            word.to_owned()
        } else {
            format!(" {word}")
        }
    }

    /// A token id for token `i`, as APIs that report ids (TGI) write one:
    /// the word's place in [`WORDS`], so the same word has the same id.
    pub(crate) fn token_id(&self, i: u32) -> u32 {
        ((self.offset + i as usize) % WORDS.len()) as u32
    }

    /// The first `n` tokens, concatenated.
    pub(crate) fn text(&self, n: u32) -> String {
        let mut out = String::new();
        for i in 0..n {
            out.push_str(&self.token(i));
        }
        out
    }
}

/// A unit-length embedding of `dim` values for `text`, the same for the
/// same text, seed and dimension.
pub(crate) fn embedding(seed: u64, text: &str, dim: usize) -> Vec<f32> {
    let h = mix(seed ^ fnv1a(text.as_bytes()));
    let mut v: Vec<f64> = (0..dim as u64)
        .map(|j| unit(mix(h ^ mix(j))) * 2.0 - 1.0)
        .collect();
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v.into_iter().map(|x| x as f32).collect()
}

/// The logistic function: a logit as a score in `(0, 1)`, as rerankers
/// that answer relevance scores (TEI, Cohere) normalise theirs.
pub(crate) fn sigmoid(logit: f64) -> f64 {
    1.0 / (1.0 + (-logit).exp())
}

/// A ranking logit in `[-10, 10)` for a query and a passage.
pub(crate) fn logit(seed: u64, query: &str, passage: &str) -> f64 {
    let h = mix(seed ^ fnv1a(query.as_bytes()) ^ mix(fnv1a(passage.as_bytes())));
    unit(h) * 20.0 - 10.0
}

/// The number of tokens in a text: its whitespace-separated words (the
/// same rule the generated text follows, one word one token).
pub(crate) fn count_tokens(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn words_cycle_and_count_as_one_token_each() {
        let w = Words::new(7, fnv1a(b"hello"));
        let text = w.text(40);
        assert_eq!(count_tokens(&text), 40);
        assert!(!text.starts_with(' '));
        // The list is cycled: token i and token i + len are the same word.
        assert_eq!(w.token(1), w.token(1 + WORDS.len() as u32));
    }

    #[test]
    fn the_same_seed_and_prompt_give_the_same_text() {
        let a = Words::new(42, fnv1a(b"prompt")).text(10);
        let b = Words::new(42, fnv1a(b"prompt")).text(10);
        assert_eq!(a, b);
        let offsets: std::collections::BTreeSet<String> = (0..16)
            .map(|seed| Words::new(seed, fnv1a(b"prompt")).text(3))
            .collect();
        assert!(offsets.len() > 1, "the seed moves the start of the cycle");
    }

    #[test]
    fn injection_at_the_bounds_is_never_or_always() {
        for id in 0..1000 {
            assert!(!inject_error(1, id, 0.0));
            assert!(inject_error(1, id, 1.0));
        }
        let hits = (0..10_000).filter(|&id| inject_error(3, id, 0.25)).count();
        assert!(
            (2_000..3_000).contains(&hits),
            "{hits} of 10000 at rate 0.25"
        );
    }

    #[test]
    fn embeddings_are_unit_length_and_deterministic() {
        let a = embedding(1, "text", 64);
        assert_eq!(a.len(), 64);
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
        assert_eq!(a, embedding(1, "text", 64));
        assert_ne!(a, embedding(1, "other", 64));
    }

    #[test]
    fn logits_stay_in_range() {
        for p in ["a", "b", "c", "a longer passage"] {
            let l = logit(9, "q", p);
            assert!((-10.0..10.0).contains(&l), "{l}");
            assert_eq!(l, logit(9, "q", p));
        }
    }
}
