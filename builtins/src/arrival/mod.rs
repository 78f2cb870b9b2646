//! Builtin arrival patterns: the gaps between the requests of a
//! rate-based phase, whose mean is one over the rate.
//!
//! | name | gaps | coefficient of variation |
//! |---|---|---|
//! | `constant` | exactly `1 / rate` | 0 |
//! | `poisson` | exponential, mean `1 / rate` | 1 |
//! | `gamma` | Gamma(`smoothness`, `1 / (rate * smoothness)`) | `1 / sqrt(smoothness)` |
//!
//! They follow AIPerf's interval generators (`aiperf/timing/intervals.py`:
//! `ConstantIntervalGenerator`, `PoissonIntervalGenerator`,
//! `GammaIntervalGenerator`); `smoothness` is AIPerf's
//! `--arrival-smoothness` and the same number as vLLM's `--burstiness`
//! (same value, same distribution).
//!
//! The random ones draw from `SplitMix64` (`src/rng.rs`) seeded with
//! [`ArrivalArgs::seed`](aiperf_plugin_api::ArrivalArgs::seed), not from
//! `rand`/`rand_distr`: a seed must give the same gaps in every release,
//! which SplitMix64 (a fixed algorithm written here) does and `rand`'s
//! `StdRng` does not promise, and the samplers themselves (inversion for
//! the exponential, Marsaglia–Tsang for the gamma) are a dozen lines in
//! `src/rng.rs`. Like the timing strategies, patterns never read a clock:
//! they are tested on the gaps they return.

mod constant;
mod gamma;
mod poisson;

use std::time::Duration;

use registry_core::BoxError;

use aiperf_plugin_api::timing_strategy::interval_at_rate;

pub use constant::Constant;
pub use gamma::{Gamma, GammaConfig};
pub use poisson::Poisson;

/// A gap of `seconds` (finite, >= 0 for every sampler here) as a
/// `Duration`, rounded to the nanosecond; one too long for a `Duration`
/// (only possible for absurdly bursty gamma gaps) is the longest one.
fn gap(seconds: f64) -> Duration {
    if seconds > 0.0 {
        Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
    } else {
        Duration::ZERO
    }
}

/// The rate, checked the way the timing strategies check theirs. The
/// `request_rate` strategy has checked it already; a plugin strategy that
/// creates a pattern may not have.
fn checked_rate(rate: f64) -> Result<f64, BoxError> {
    interval_at_rate("rate", rate)?;
    Ok(rate)
}

/// Refuses settings given to `pattern`, which takes none: the error names
/// the setting, and for `smoothness` says which pattern takes it.
fn no_settings(pattern: &str, config: &serde_json::Value) -> Result<(), BoxError> {
    if let Some(field) = config.as_object().and_then(|map| map.keys().next()) {
        let hint = if field == "smoothness" {
            " (`smoothness` is a setting of the `gamma` pattern)"
        } else {
            ""
        };
        return Err(format!(
            "invalid config: the `{pattern}` arrival pattern takes no settings, got \
             `{field}`{hint}"
        )
        .into());
    }
    // Anything else but null or `{}`: parse_config's wording of the type error.
    aiperf_plugin_api::config::no_settings(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_round_to_the_nanosecond_and_saturate() {
        assert_eq!(gap(0.02), Duration::from_millis(20));
        assert_eq!(gap(0.0), Duration::ZERO);
        assert_eq!(gap(1e30), Duration::MAX);
        assert_eq!(gap(f64::INFINITY), Duration::MAX);
    }

    #[test]
    fn patterns_without_settings_refuse_any_naming_it() {
        assert!(no_settings("constant", &serde_json::Value::Null).is_ok());
        assert!(no_settings("constant", &serde_json::json!({})).is_ok());
        let e = no_settings("poisson", &serde_json::json!({"smoothness": 2}))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "invalid config: the `poisson` arrival pattern takes no settings, got `smoothness` \
             (`smoothness` is a setting of the `gamma` pattern)"
        );
        let e = no_settings("constant", &serde_json::json!({"jitter": 0.1}))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "invalid config: the `constant` arrival pattern takes no settings, got `jitter`"
        );
        let e = no_settings("constant", &serde_json::json!(5))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid config: invalid type: integer `5`"),
            "{e}"
        );
    }
}
