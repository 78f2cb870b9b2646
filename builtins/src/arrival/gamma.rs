//! `gamma`: gamma-distributed gaps, burstier or smoother than Poisson.

use std::time::Duration;

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use super::{checked_rate, gap};
use crate::rng::SplitMix64;
use aiperf_plugin_api::config::{parse_config, show_number};
use aiperf_plugin_api::{ArrivalArgs, ArrivalPattern, ArrivalPatternCategory};

/// Config of [`Gamma`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GammaConfig {
    /// The gamma shape: finite and > 0; 1 (the default) gives Poisson
    /// arrivals, less is burstier, more is more regular. The coefficient of
    /// variation of the gaps is `1 / sqrt(smoothness)`.
    #[serde(default = "poisson_like")]
    pub smoothness: f64,
}

fn poisson_like() -> f64 {
    1.0
}

impl Default for GammaConfig {
    fn default() -> Self {
        GammaConfig {
            smoothness: poisson_like(),
        }
    }
}

/// Gamma-distributed gaps with shape `smoothness` and scale
/// `1 / (rate * smoothness)`, so the mean gap stays `1 / rate` whatever the
/// smoothness: AIPerf's `gamma` arrival pattern (`--arrival-smoothness`),
/// vLLM's `--burstiness`. Reproducible from the seed.
#[derive(Debug, Clone)]
pub struct Gamma {
    smoothness: f64,
    /// `1 / rate`, seconds.
    mean_gap: f64,
    rng: SplitMix64,
}

impl Gamma {
    /// Gamma gaps at `rate` requests per second (finite, at least
    /// [`MIN_RATE`](aiperf_plugin_api::timing_strategy::MIN_RATE)) with
    /// the given config, drawn from `seed`. A smoothness that is not a
    /// finite number > 0 is an error naming the field and the valid range.
    pub fn new(rate: f64, seed: u64, config: GammaConfig) -> Result<Self, BoxError> {
        let smoothness = config.smoothness;
        if !(smoothness.is_finite() && smoothness > 0.0) {
            return Err(format!(
                "invalid config: `smoothness` is {}; it must be a finite number > 0 (1 gives \
                 Poisson arrivals, less is burstier, more is more regular)",
                show_number(smoothness)
            )
            .into());
        }
        Ok(Gamma {
            smoothness,
            mean_gap: 1.0 / checked_rate(rate)?,
            rng: SplitMix64::new(seed),
        })
    }
}

impl ArrivalPattern for Gamma {
    fn next_interval(&mut self) -> Duration {
        // Gamma(k, 1) / k has mean 1; dividing first keeps a tiny shape
        // from overflowing the scale 1 / (rate * k).
        gap(self.rng.standard_gamma(self.smoothness) / self.smoothness * self.mean_gap)
    }
}

impl Implementation<ArrivalPatternCategory> for Gamma {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Gamma gaps with mean 1 / rate; `smoothness` (default 1 = \
         Poisson) below 1 is burstier, above 1 more regular (seeded).";

    fn create(args: ArrivalArgs) -> Result<Self, BoxError> {
        Gamma::new(args.rate, args.seed, parse_config(&args.config)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::mean_and_cv;

    fn gamma(rate: f64, seed: u64, smoothness: f64) -> Gamma {
        Gamma::new(rate, seed, GammaConfig { smoothness }).unwrap()
    }

    fn gaps(pattern: &mut dyn ArrivalPattern, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| pattern.next_interval().as_secs_f64())
            .collect()
    }

    /// Skewness (third standardised moment) of `values`.
    fn skewness(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let m2 = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        let m3 = values.iter().map(|v| (v - mean).powi(3)).sum::<f64>() / n;
        m3 / m2.powf(1.5)
    }

    #[test]
    fn smoothness_4_halves_the_cv_and_keeps_the_rate() {
        let (mean, cv) = mean_and_cv(&gaps(&mut gamma(100.0, 0, 4.0), 10_000));
        // Standard errors at 10,000 gaps: about 0.004 (CV), 0.5 % (mean):
        // the bounds are 12 and 4 of them.
        assert!((cv - 0.5).abs() <= 0.05, "cv {cv}");
        assert!(
            (1.0 / mean / 100.0 - 1.0).abs() <= 0.02,
            "rate {}",
            1.0 / mean
        );
    }

    #[test]
    fn smoothness_quarter_doubles_the_cv_and_keeps_the_rate() {
        let (mean, cv) = mean_and_cv(&gaps(&mut gamma(100.0, 0, 0.25), 10_000));
        // Standard errors at 10,000 gaps: about 0.05 (CV), 2 % (mean):
        // the bounds are 2 and 4 of them.
        assert!((cv - 2.0).abs() <= 0.1, "cv {cv}");
        assert!(
            (1.0 / mean / 100.0 - 1.0).abs() <= 0.08,
            "rate {}",
            1.0 / mean
        );
    }

    #[test]
    fn gaps_have_the_gamma_mean_cv_and_skewness() {
        // At 200,000 gaps, for shapes on both sides of 1 (the boost for
        // shape < 1 and the direct method), and 1 itself (exponential).
        // Skewness 2 / sqrt(k) tells gamma from another law with that CV.
        let n = 200_000;
        for smoothness in [0.25, 0.5, 1.0, 4.0, 16.0] {
            let g = gaps(&mut gamma(10.0, 3, smoothness), n);
            let (mean, cv) = mean_and_cv(&g);
            let want_cv = 1.0 / smoothness.sqrt();
            let want_skew = 2.0 / smoothness.sqrt();
            // 4 standard errors of the mean: 1.8 % at k = 0.25, 0.9 % at
            // k = 1, 0.23 % at k = 16.
            let mean_bound = 4.0 * want_cv / (n as f64).sqrt();
            assert!(
                (mean * 10.0 - 1.0).abs() <= mean_bound,
                "k {smoothness}: mean {mean}"
            );
            assert!(
                (cv / want_cv - 1.0).abs() <= 0.03,
                "k {smoothness}: cv {cv}"
            );
            let skew = skewness(&g);
            assert!(
                (skew / want_skew - 1.0).abs() <= 0.15,
                "k {smoothness}: skewness {skew}, want {want_skew}"
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_gaps() {
        let a = gaps(&mut gamma(7.0, 42, 0.5), 100);
        assert_eq!(a, gaps(&mut gamma(7.0, 42, 0.5), 100));
        assert_ne!(a, gaps(&mut gamma(7.0, 43, 0.5), 100));
    }

    #[test]
    fn smoothness_defaults_to_poisson() {
        let args = ArrivalArgs {
            rate: 5.0,
            seed: 0,
            config: serde_json::Value::Null,
        };
        let g = Gamma::create(args).unwrap();
        assert_eq!(g.smoothness, 1.0);
    }

    #[test]
    fn bad_smoothness_is_refused_naming_the_field_and_the_range() {
        for (bad, shown) in [
            (0.0, "0"),
            (-1.0, "-1"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            let e = Gamma::new(5.0, 0, GammaConfig { smoothness: bad })
                .unwrap_err()
                .to_string();
            assert_eq!(
                e,
                format!(
                    "invalid config: `smoothness` is {shown}; it must be a finite number > 0 \
                     (1 gives Poisson arrivals, less is burstier, more is more regular)"
                )
            );
        }
        // Through the config, as a file gives it.
        let args = |config| ArrivalArgs {
            rate: 5.0,
            seed: 0,
            config,
        };
        let e = Gamma::create(args(serde_json::json!({"smoothness": -2})))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid config: `smoothness` is -2;"), "{e}");
        let e = Gamma::create(args(serde_json::json!({"smoothnes": 2})))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown field `smoothnes`, expected `smoothness`"),
            "{e}"
        );
        let e = Gamma::create(args(serde_json::json!({"smoothness": "high"})))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid config: `smoothness`: invalid type"),
            "{e}"
        );
    }

    #[test]
    fn tiny_and_huge_smoothness_stay_finite() {
        // Extremes: gaps are mostly 0 with rare long ones, or nearly
        // constant; never a panic, never NaN.
        for smoothness in [1e-6, 1e6] {
            let g = gaps(&mut gamma(1.0, 0, smoothness), 1_000);
            assert!(g.iter().all(|x| x.is_finite() && *x >= 0.0), "{smoothness}");
        }
        let (mean, cv) = mean_and_cv(&gaps(&mut gamma(1.0, 0, 1e6), 1_000));
        assert!((mean - 1.0).abs() < 0.001 && cv < 0.002, "{mean} {cv}");
    }
}
