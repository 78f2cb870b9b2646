//! The pattern, its config and its generator.

use std::time::Duration;

use aiperf_plugin_api::config::{parse_config, show_number};
use aiperf_plugin_api::timing_strategy::interval_at_rate;
use aiperf_plugin_api::{ArrivalArgs, ArrivalPattern, ArrivalPatternCategory};
use registry_core::{BoxError, Implementation};
use serde::Deserialize;

/// Config of [`Uniform`] (`arrival_config` of the `request_rate` strategy).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniformConfig {
    /// How far a gap may be from the mean gap `1 / rate`, as a fraction of
    /// it: from 0 (every gap `1 / rate`) to 1 (gaps from 0 to `2 / rate`).
    /// Default 0.5.
    #[serde(default = "half")]
    pub jitter: f64,
}

fn half() -> f64 {
    0.5
}

impl Default for UniformConfig {
    fn default() -> Self {
        UniformConfig { jitter: half() }
    }
}

/// Gaps uniform in `[(1 - jitter) / rate, (1 + jitter) / rate]`, mean
/// `1 / rate`, reproducible from the seed.
#[derive(Debug, Clone)]
pub struct Uniform {
    /// `1 / rate`, seconds.
    mean_gap: f64,
    jitter: f64,
    rng: SplitMix64,
}

impl Uniform {
    /// Uniform gaps at `rate` requests per second (finite, at least
    /// [`MIN_RATE`](aiperf_plugin_api::timing_strategy::MIN_RATE)), drawn
    /// from `seed`. A `jitter` outside 0 to 1 (or not a number) is an error
    /// naming the field and the range.
    pub fn new(rate: f64, seed: u64, config: UniformConfig) -> Result<Self, BoxError> {
        interval_at_rate("rate", rate)?;
        let jitter = config.jitter;
        if !(0.0..=1.0).contains(&jitter) {
            return Err(format!(
                "invalid config: `jitter` is {}; it must be a number from 0 to 1 (how far a gap \
                 may be from 1 / rate, as a fraction of it)",
                show_number(jitter)
            )
            .into());
        }
        Ok(Uniform {
            mean_gap: 1.0 / rate,
            jitter,
            rng: SplitMix64(seed),
        })
    }
}

impl ArrivalPattern for Uniform {
    fn next_interval(&mut self) -> Duration {
        // 53 random bits: u in [0, 1), so the factor is in [1 - j, 1 + j).
        let u = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let seconds = (1.0 + self.jitter * (2.0 * u - 1.0)) * self.mean_gap;
        // Finite and >= 0; at most 2e6 s for the lowest rate, which fits.
        Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
    }
}

impl Implementation<ArrivalPatternCategory> for Uniform {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "Gaps uniform within `jitter` (0 to 1, default 0.5) of 1 / rate, either way (seeded).";

    fn create(args: ArrivalArgs) -> Result<Self, BoxError> {
        Uniform::new(args.rate, args.seed, parse_config(&args.config)?)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014), the generator the builtins use,
/// copied: a plugin never depends on `aiperf-builtins` (the layering rule
/// `tests/dependencies.rs` checks), and `rand` would be a dependency whose
/// `StdRng` may change its stream between releases, while a seed must give
/// the same gaps in every release. It is six lines.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uniform(rate: f64, seed: u64, jitter: f64) -> Uniform {
        Uniform::new(rate, seed, UniformConfig { jitter }).unwrap()
    }

    fn gaps(pattern: &mut dyn ArrivalPattern, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| pattern.next_interval().as_secs_f64())
            .collect()
    }

    fn mean_and_cv(values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        (mean, variance.sqrt() / mean)
    }

    #[test]
    fn the_generator_matches_the_reference_sequence() {
        // First outputs of the reference C implementation for seed 1234567.
        let mut rng = SplitMix64(1234567);
        assert_eq!(rng.next_u64(), 6457827717110365317);
        assert_eq!(rng.next_u64(), 3203168211198807973);
    }

    #[test]
    fn ten_thousand_gaps_stay_in_range_with_the_mean_rate_and_cv() {
        let g = gaps(&mut uniform(100.0, 0, 0.5), 10_000);
        assert!(
            g.iter().all(|&x| (0.005..=0.015).contains(&x)),
            "out of range"
        );
        // Both ends of the range are reached (within 0.1 % of it).
        let min = g.iter().copied().fold(f64::INFINITY, f64::min);
        let max = g.iter().copied().fold(0.0, f64::max);
        assert!(min < 0.00501 && max > 0.01499, "{min} {max}");
        let (mean, cv) = mean_and_cv(&g);
        // Standard errors at 10,000 gaps: 0.29 % (mean), 0.002 (CV).
        assert!(
            (1.0 / mean / 100.0 - 1.0).abs() <= 0.01,
            "rate {}",
            1.0 / mean
        );
        let want_cv = 0.5 / 3f64.sqrt();
        assert!((cv - want_cv).abs() <= 0.01, "cv {cv}, want {want_cv}");
    }

    #[test]
    fn zero_jitter_is_constant_and_full_jitter_reaches_zero() {
        let g = gaps(&mut uniform(50.0, 3, 0.0), 100);
        assert!(g.iter().all(|&x| x == 0.02), "{g:?}");
        let g = gaps(&mut uniform(50.0, 3, 1.0), 10_000);
        assert!(g.iter().all(|&x| (0.0..=0.04).contains(&x)));
        assert!(g.iter().any(|&x| x < 0.0001), "gaps near 0 occur");
    }

    #[test]
    fn the_same_seed_gives_the_same_gaps() {
        let a = gaps(&mut uniform(7.0, 42, 0.3), 100);
        assert_eq!(a, gaps(&mut uniform(7.0, 42, 0.3), 100));
        assert_ne!(a, gaps(&mut uniform(7.0, 43, 0.3), 100));
    }

    #[test]
    fn jitter_defaults_to_half_and_bad_values_are_refused() {
        let args = |config| ArrivalArgs {
            rate: 10.0,
            seed: 0,
            config,
        };
        let u = Uniform::create(args(serde_json::Value::Null)).unwrap();
        assert_eq!(u.jitter, 0.5);
        for (bad, shown) in [
            (-0.1, "-0.1"),
            (1.5, "1.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
        ] {
            let e = Uniform::new(10.0, 0, UniformConfig { jitter: bad })
                .unwrap_err()
                .to_string();
            assert_eq!(
                e,
                format!(
                    "invalid config: `jitter` is {shown}; it must be a number from 0 to 1 (how \
                     far a gap may be from 1 / rate, as a fraction of it)"
                )
            );
        }
        let e = Uniform::create(args(serde_json::json!({"jiter": 0.2})))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown field `jiter`, expected `jitter`"),
            "{e}"
        );
        let e = Uniform::new(0.0, 0, UniformConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("`rate` is 0"), "{e}");
    }
}
