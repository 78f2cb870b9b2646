//! [`MockConfig`]: what the server listens on and how it behaves.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// The largest request body read by default: 16 MiB. Larger bodies get 413.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The most output tokens one request may ask for (`max_tokens` above it is
/// a 400), so a response is never larger than a few MiB.
pub const MAX_OUTPUT_TOKENS: u64 = 262_144;

/// The most inputs one embeddings request may carry (OpenAI's limit).
pub const MAX_EMBEDDING_INPUTS: usize = 2048;

/// The longest latency any setting may ask for: one hour.
pub const MAX_LATENCY: Duration = Duration::from_secs(3600);

/// The largest `--embedding-dim`.
pub const MAX_EMBEDDING_DIM: usize = 65_536;

/// The most passages one ranking request may carry.
pub const MAX_RANKING_PASSAGES: usize = 10_000;

/// How the mock server listens and behaves.
///
/// Build one with struct-update syntax from [`MockConfig::default`] (the
/// binary's defaults, except `port` 0) or [`MockConfig::fast`] (no latency):
///
/// ```
/// use std::time::Duration;
/// use aiperf_mock_server::MockConfig;
///
/// let config = MockConfig {
///     ttft: Duration::from_millis(50),
///     itl: Duration::from_millis(10),
///     output_tokens: 5,
///     seed: Some(42),
///     ..MockConfig::default()
/// };
/// assert!(config.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MockConfig {
    /// Address to bind (`--host`, default `127.0.0.1`).
    pub host: String,
    /// Port to bind; 0 picks a free one ([`MockServer::url`](crate::MockServer::url)
    /// tells which). The binary's default is 8000, this struct's is 0.
    pub port: u16,
    /// Time to first token (`--ttft`, default 20 ms): the first streamed
    /// token is written this long after the request body was read; a
    /// non-streamed answer waits `ttft + itl * (tokens - 1)`.
    pub ttft: Duration,
    /// Inter-token latency (`--itl`, default 5 ms). Token `i` is due at
    /// `received + ttft + i * itl` (a fixed schedule: lateness does not
    /// accumulate).
    pub itl: Duration,
    /// Output tokens when the request sets no limit (`max_completion_tokens`,
    /// `max_tokens`, `max_output_tokens`, `parameters.max_new_tokens`;
    /// `--output-tokens`, default 16). The request's value wins.
    pub output_tokens: u32,
    /// Fraction of inference requests, 0..=1, answered 500 with a JSON error
    /// (`--error-rate` divided by 100, default 0).
    pub error_rate: f64,
    /// Seed for the error-injection draws, the generated text, embeddings
    /// and ranking logits (`--random-seed`/`--seed`). `None` draws one at
    /// start; `/health` shows it.
    pub seed: Option<u64>,
    /// Length of each embedding (`--embedding-dim`, default 768).
    pub embedding_dim: usize,
    /// Fixed delay of an embeddings answer (`--embedding-base-latency`,
    /// default 10 ms).
    pub embedding_base_latency: Duration,
    /// Extra delay per embeddings input (`--embedding-per-input-latency`,
    /// default 2 ms).
    pub embedding_per_input_latency: Duration,
    /// Fixed delay of a ranking answer, for every reranker route
    /// (`--ranking-base-latency`, default 10 ms).
    pub ranking_base_latency: Duration,
    /// Extra delay per ranking passage (`--ranking-per-passage-latency`,
    /// default 1 ms).
    pub ranking_per_passage_latency: Duration,
    /// Request bodies larger than this get 413 (default 16 MiB).
    pub max_body_bytes: usize,
    /// Runtime threads (`--workers`, default 1): 1 runs the server on one
    /// current-thread tokio runtime, more on a multi-thread runtime.
    pub workers: usize,
    /// Keep every [`Served`](crate::Served) record in memory for
    /// [`MockServer::served`](crate::MockServer::served) (default true; the
    /// binary turns it off so that its memory stays bounded).
    pub keep_records: bool,
    /// Also write each record as one JSON line to this file, written and
    /// flushed per line by a writer thread (`--record FILE`). The file is
    /// created or truncated at start.
    pub record: Option<PathBuf>,
}

impl Default for MockConfig {
    fn default() -> MockConfig {
        MockConfig {
            host: "127.0.0.1".to_owned(),
            port: 0,
            ttft: Duration::from_millis(20),
            itl: Duration::from_millis(5),
            output_tokens: 16,
            error_rate: 0.0,
            seed: None,
            embedding_dim: 768,
            embedding_base_latency: Duration::from_millis(10),
            embedding_per_input_latency: Duration::from_millis(2),
            ranking_base_latency: Duration::from_millis(10),
            ranking_per_passage_latency: Duration::from_millis(1),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            workers: 1,
            keep_records: true,
            record: None,
        }
    }
}

impl MockConfig {
    /// The defaults with every latency zero (`--fast`).
    pub fn fast() -> MockConfig {
        MockConfig::default().with_zero_latency()
    }

    /// This config with every latency set to zero (what `--fast` does).
    pub fn with_zero_latency(self) -> MockConfig {
        MockConfig {
            ttft: Duration::ZERO,
            itl: Duration::ZERO,
            embedding_base_latency: Duration::ZERO,
            embedding_per_input_latency: Duration::ZERO,
            ranking_base_latency: Duration::ZERO,
            ranking_per_passage_latency: Duration::ZERO,
            ..self
        }
    }

    /// Checks the values [`MockServer::start`](crate::MockServer::start)
    /// cannot run with; the error (kind `InvalidInput`) names the field.
    pub fn validate(&self) -> io::Result<()> {
        let invalid = |msg: String| Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        if !(0.0..=1.0).contains(&self.error_rate) {
            return invalid(format!(
                "error_rate must be a fraction in 0..=1, got {}",
                self.error_rate
            ));
        }
        if self.output_tokens == 0 || u64::from(self.output_tokens) > MAX_OUTPUT_TOKENS {
            return invalid(format!(
                "output_tokens must be in 1..={MAX_OUTPUT_TOKENS}, got {}",
                self.output_tokens
            ));
        }
        if self.embedding_dim == 0 || self.embedding_dim > MAX_EMBEDDING_DIM {
            return invalid(format!(
                "embedding_dim must be in 1..={MAX_EMBEDDING_DIM}, got {}",
                self.embedding_dim
            ));
        }
        for (name, value) in [
            ("ttft", self.ttft),
            ("itl", self.itl),
            ("embedding_base_latency", self.embedding_base_latency),
            (
                "embedding_per_input_latency",
                self.embedding_per_input_latency,
            ),
            ("ranking_base_latency", self.ranking_base_latency),
            (
                "ranking_per_passage_latency",
                self.ranking_per_passage_latency,
            ),
        ] {
            if value > MAX_LATENCY {
                return invalid(format!(
                    "{name} must be at most {} s, got {value:?}",
                    MAX_LATENCY.as_secs()
                ));
            }
        }
        if self.workers == 0 {
            return invalid("workers must be at least 1".to_owned());
        }
        if self.max_body_bytes == 0 {
            return invalid("max_body_bytes must be at least 1".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_fast_zeroes_every_latency() {
        assert!(MockConfig::default().validate().is_ok());
        let fast = MockConfig::fast();
        assert_eq!(fast.ttft, Duration::ZERO);
        assert_eq!(fast.itl, Duration::ZERO);
        assert_eq!(fast.embedding_base_latency, Duration::ZERO);
        assert_eq!(fast.ranking_per_passage_latency, Duration::ZERO);
        assert_eq!(fast.output_tokens, MockConfig::default().output_tokens);
    }

    #[test]
    fn out_of_range_values_name_the_field() {
        for (config, field) in [
            (
                MockConfig {
                    error_rate: 1.5,
                    ..MockConfig::default()
                },
                "error_rate",
            ),
            (
                MockConfig {
                    error_rate: f64::NAN,
                    ..MockConfig::default()
                },
                "error_rate",
            ),
            (
                MockConfig {
                    output_tokens: 0,
                    ..MockConfig::default()
                },
                "output_tokens",
            ),
            (
                MockConfig {
                    embedding_dim: 0,
                    ..MockConfig::default()
                },
                "embedding_dim",
            ),
            (
                MockConfig {
                    itl: Duration::from_secs(7200),
                    ..MockConfig::default()
                },
                "itl",
            ),
            (
                MockConfig {
                    workers: 0,
                    ..MockConfig::default()
                },
                "workers",
            ),
        ] {
            let err = config.validate().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert!(err.to_string().contains(field), "{err}");
        }
    }
}
