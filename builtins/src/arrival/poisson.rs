//! `poisson`: exponential gaps.

use std::time::Duration;

use registry_core::{BoxError, Implementation};

use super::{checked_rate, gap, no_settings};
use crate::rng::SplitMix64;
use aiperf_plugin_api::{ArrivalArgs, ArrivalPattern, ArrivalPatternCategory};

/// Exponentially distributed gaps with mean `1 / rate`: a Poisson process,
/// requests arriving independently of each other at a steady average rate
/// (AIPerf's default arrival pattern). Reproducible from the seed.
#[derive(Debug, Clone)]
pub struct Poisson {
    /// `1 / rate`, seconds.
    mean_gap: f64,
    rng: SplitMix64,
}

impl Poisson {
    /// Exponential gaps at `rate` requests per second (finite, at least
    /// [`MIN_RATE`](aiperf_plugin_api::timing_strategy::MIN_RATE)), drawn
    /// from `seed`.
    pub fn new(rate: f64, seed: u64) -> Result<Self, BoxError> {
        Ok(Poisson {
            mean_gap: 1.0 / checked_rate(rate)?,
            rng: SplitMix64::new(seed),
        })
    }
}

impl ArrivalPattern for Poisson {
    fn next_interval(&mut self) -> Duration {
        gap(self.rng.standard_exponential() * self.mean_gap)
    }
}

impl Implementation<ArrivalPatternCategory> for Poisson {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "Exponential gaps with mean 1 / rate: a Poisson process (no settings; seeded).";

    fn create(args: ArrivalArgs) -> Result<Self, BoxError> {
        no_settings("poisson", &args.config)?;
        Poisson::new(args.rate, args.seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::mean_and_cv;

    fn gaps(pattern: &mut dyn ArrivalPattern, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| pattern.next_interval().as_secs_f64())
            .collect()
    }

    #[test]
    fn ten_thousand_gaps_have_cv_1_and_the_mean_rate() {
        let mut p = Poisson::new(100.0, 0).unwrap();
        let (mean, cv) = mean_and_cv(&gaps(&mut p, 10_000));
        let rate = 1.0 / mean;
        // At 10,000 exponential gaps the standard errors are about 0.014
        // (CV) and 1 % (mean rate): the CV bound is 3.5 of them. A 1 % rate
        // bound would be one standard error, which a third of all seeds
        // miss (seed 0 measures 98.35, -1.65 %), so this one is 4 of them;
        // the next test holds the mean to 1 % at 200,000 gaps (4.5 of them).
        assert!((cv - 1.0).abs() <= 0.05, "cv {cv}");
        assert!((rate / 100.0 - 1.0).abs() <= 0.04, "rate {rate}");
    }

    #[test]
    fn gaps_follow_the_exponential_distribution() {
        let mut p = Poisson::new(20.0, 1).unwrap();
        let n = 200_000;
        let g = gaps(&mut p, n);
        let (mean, cv) = mean_and_cv(&g);
        assert!((mean * 20.0 - 1.0).abs() <= 0.01, "mean {mean}");
        assert!((cv - 1.0).abs() <= 0.02, "cv {cv}");
        // P(gap < t) = 1 - e^(-rate t): 63.2 % of gaps are shorter than the mean.
        for t in [0.01, 0.05, 0.1] {
            let below = g.iter().filter(|&&x| x < t).count() as f64 / n as f64;
            let expected = 1.0 - (-20.0 * t).exp();
            assert!(
                (below - expected).abs() < 0.005,
                "P(gap < {t}) = {below}, want {expected}"
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_gaps() {
        let a = gaps(&mut Poisson::new(7.0, 42).unwrap(), 100);
        let b = gaps(&mut Poisson::new(7.0, 42).unwrap(), 100);
        let c = gaps(&mut Poisson::new(7.0, 43).unwrap(), 100);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn settings_are_refused() {
        let args = ArrivalArgs {
            rate: 5.0,
            seed: 0,
            config: serde_json::json!({"smoothness": 1}),
        };
        let e = Poisson::create(args).unwrap_err().to_string();
        assert!(
            e.contains("`poisson` arrival pattern takes no settings"),
            "{e}"
        );
        assert!(Poisson::new(0.0, 0).is_err());
    }
}
