//! The binary's command line ([`Args`]), named like the flags of AIPerf's
//! own (Python) mock server where it has them.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::config::{DEFAULT_MAX_BODY_BYTES, MockConfig};

/// A mock inference server (OpenAI chat, completions, embeddings and
/// Responses, NIM ranking, Anthropic Messages, Hugging Face TGI and TEI,
/// Cohere rerank) that records what it served.
#[derive(Debug, Clone, Parser)]
#[command(name = "aiperf-mock-server", version)]
pub struct Args {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Port to bind; 0 picks a free one (the first line printed names it).
    #[arg(short, long, default_value_t = 8000)]
    pub port: u16,

    /// Time to first token, in milliseconds.
    #[arg(short, long, default_value_t = 20.0, value_parser = parse_ms)]
    pub ttft: f64,

    /// Inter-token latency, in milliseconds.
    #[arg(long, default_value_t = 5.0, value_parser = parse_ms)]
    pub itl: f64,

    /// Zero latency: sets every latency (TTFT, ITL, embeddings, ranking) to 0.
    #[arg(short, long)]
    pub fast: bool,

    /// Output tokens when a request sets no limit (`max_completion_tokens`,
    /// `max_tokens`, `max_output_tokens`, `max_new_tokens`; the request's
    /// value wins).
    #[arg(long, default_value_t = 16)]
    pub output_tokens: u32,

    /// Percentage of inference requests, 0 to 100, answered 500 with a JSON
    /// error (a percentage, as AIPerf's mock server takes it).
    #[arg(long, default_value_t = 0.0, value_parser = parse_percentage)]
    pub error_rate: f64,

    /// Seed for error injection and the generated text, embeddings and
    /// logits; without it one is drawn at start (`/health` shows it).
    #[arg(long, visible_alias = "seed")]
    pub random_seed: Option<u64>,

    /// Length of each embedding.
    #[arg(long, default_value_t = 768)]
    pub embedding_dim: usize,

    /// Fixed delay of an embeddings answer, in milliseconds.
    #[arg(long, default_value_t = 10.0, value_parser = parse_ms)]
    pub embedding_base_latency: f64,

    /// Extra delay per embeddings input, in milliseconds.
    #[arg(long, default_value_t = 2.0, value_parser = parse_ms)]
    pub embedding_per_input_latency: f64,

    /// Fixed delay of a ranking answer (`/v1/ranking`, `/rerank`,
    /// `/v2/rerank`), in milliseconds.
    #[arg(long, default_value_t = 10.0, value_parser = parse_ms)]
    pub ranking_base_latency: f64,

    /// Extra delay per ranking passage, in milliseconds.
    #[arg(long, default_value_t = 1.0, value_parser = parse_ms)]
    pub ranking_per_passage_latency: f64,

    /// Runtime threads: 1 serves on one thread, more on a multi-thread
    /// runtime.
    #[arg(short, long, default_value_t = 1)]
    pub workers: usize,

    /// Request bodies larger than this many bytes get 413.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Write one JSON line per request served (what was done and when) to
    /// this file, flushed per line; created or truncated at start.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

impl Args {
    /// The server config these flags ask for. Records are not kept in
    /// memory (the binary's memory stays bounded); `--record` writes them.
    pub fn into_config(self) -> MockConfig {
        let ms = |v: f64| Duration::from_secs_f64(v / 1e3);
        let config = MockConfig {
            host: self.host,
            port: self.port,
            ttft: ms(self.ttft),
            itl: ms(self.itl),
            output_tokens: self.output_tokens,
            // The flag is a percentage; the config holds a fraction.
            error_rate: self.error_rate / 100.0,
            seed: self.random_seed,
            embedding_dim: self.embedding_dim,
            embedding_base_latency: ms(self.embedding_base_latency),
            embedding_per_input_latency: ms(self.embedding_per_input_latency),
            ranking_base_latency: ms(self.ranking_base_latency),
            ranking_per_passage_latency: ms(self.ranking_per_passage_latency),
            max_body_bytes: self.max_body_bytes,
            workers: self.workers,
            keep_records: false,
            record: self.record,
        };
        if self.fast {
            config.with_zero_latency()
        } else {
            config
        }
    }
}

/// Milliseconds: a finite number from 0 to one hour.
fn parse_ms(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if v.is_finite() && (0.0..=3_600_000.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{s} is not a number of milliseconds from 0 to 3600000"
        ))
    }
}

/// A fraction from 0 to 1.
fn parse_percentage(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{s} is not a percentage from 0 to 100"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("aiperf-mock-server").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_match_aiperfs_mock_server() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.host, "127.0.0.1");
        assert_eq!(args.port, 8000);
        assert_eq!(args.ttft, 20.0);
        assert_eq!(args.itl, 5.0);
        assert_eq!(args.embedding_dim, 768);
        let config = args.into_config();
        assert!(!config.keep_records);
        assert!(config.validate().is_ok());
    }

    #[test]
    fn flags_reach_the_config() {
        let config = parse(&[
            "-p",
            "0",
            "--ttft",
            "50",
            "--itl",
            "10",
            "--output-tokens",
            "5",
            "--error-rate",
            "25",
            "--seed",
            "7",
            "--embedding-dim",
            "8",
            "--record",
            "r.jsonl",
        ])
        .unwrap()
        .into_config();
        assert_eq!(config.port, 0);
        assert_eq!(config.ttft, Duration::from_millis(50));
        assert_eq!(config.itl, Duration::from_millis(10));
        assert_eq!(config.output_tokens, 5);
        assert_eq!(config.error_rate, 0.25);
        assert_eq!(config.seed, Some(7));
        assert_eq!(config.embedding_dim, 8);
        assert_eq!(config.record, Some(PathBuf::from("r.jsonl")));
        let same = parse(&["--random-seed", "7"]).unwrap();
        assert_eq!(same.random_seed, Some(7));
    }

    #[test]
    fn fast_zeroes_latencies_given_with_it() {
        let config = parse(&["--fast", "--ttft", "50"]).unwrap().into_config();
        assert_eq!(config.ttft, Duration::ZERO);
        assert_eq!(config.embedding_base_latency, Duration::ZERO);
    }

    #[test]
    fn out_of_range_values_are_refused() {
        let e = parse(&["--error-rate", "101"]).unwrap_err().to_string();
        assert!(e.contains("101 is not a percentage from 0 to 100"), "{e}");
        assert!(parse(&["--ttft", "-1"]).is_err());
        assert!(parse(&["--itl", "NaN"]).is_err());
    }
}
