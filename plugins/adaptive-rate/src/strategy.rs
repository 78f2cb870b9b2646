//! The strategy and its config.

use std::time::Duration;

use aiperf_plugin_api::config::{DurationRange, TimeUnit, parse_config, require_positive};
use aiperf_plugin_api::timing_strategy::{MIN_RATE, interval_at_rate};
use aiperf_plugin_api::{
    Decision, Feedback, Progress, TimingArgs, TimingStrategy, TimingStrategyCategory,
};
use registry_core::{BoxError, Implementation};
use serde::Deserialize;

/// Config of [`AdaptiveRate`] (`plugins.timing_strategy.config`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdaptiveRateConfig {
    /// Starting rate, requests per second (at least `MIN_RATE`, 1e-6).
    pub initial_rate: f64,
    /// Factor applied after each window (> 1). Default 1.5.
    #[serde(default = "defaults::scale_factor")]
    pub scale_factor: f64,
    /// Latency every request of a window must meet for the rate to grow,
    /// in milliseconds (> 0, at most one hour).
    pub target_latency_ms: f64,
    /// Requests to issue in the phase (>= 1).
    #[serde(deserialize_with = "aiperf_plugin_api::config::count")]
    pub requests: u64,
    /// Completions per adjustment (>= 1). Default 10.
    #[serde(
        default = "defaults::window",
        deserialize_with = "aiperf_plugin_api::config::count"
    )]
    pub window: u64,
    /// Lowest rate (at least 1e-6). Default `initial_rate / 100`, but not
    /// below 1e-6.
    #[serde(default)]
    pub min_rate: Option<f64>,
    /// Highest rate. Default `initial_rate * 100`.
    #[serde(default)]
    pub max_rate: Option<f64>,
}

mod defaults {
    pub(super) fn scale_factor() -> f64 {
        1.5
    }
    pub(super) fn window() -> u64 {
        10
    }
}

/// Multiplicative increase/decrease of the request rate, driven by the
/// latency of completed requests.
#[derive(Debug, Clone)]
pub struct AdaptiveRate {
    rate: f64,
    min_rate: f64,
    max_rate: f64,
    scale_factor: f64,
    target: Duration,
    requests: u64,
    window: u64,
    /// Completions and target misses in the current window.
    seen: u64,
    missed: u64,
    /// Offset of the next request, and how many requests it accounts for.
    next_at: Duration,
    scheduled: u64,
}

/// `target_latency_ms`: above 0, at most one hour.
const TARGET: DurationRange =
    DurationRange::above_zero(TimeUnit::Milliseconds, 3_600_000.0, "one hour");

/// A rate from the config, checked: its interval fits in a [`Duration`].
fn rate(field: &str, value: f64) -> Result<f64, BoxError> {
    interval_at_rate(field, value).map(|_| value)
}

impl AdaptiveRate {
    /// A strategy from its config, checked.
    pub fn new(config: AdaptiveRateConfig) -> Result<Self, BoxError> {
        let rate = rate("initial_rate", config.initial_rate)?;
        let min_rate = self::rate(
            "min_rate",
            config.min_rate.unwrap_or((rate / 100.0).max(MIN_RATE)),
        )?;
        // `initial_rate * 100` may overflow to infinity: cap the default.
        let max_rate = self::rate(
            "max_rate",
            config.max_rate.unwrap_or((rate * 100.0).min(f64::MAX)),
        )?;
        if !(min_rate <= rate && rate <= max_rate) {
            return Err(format!(
                "invalid config: need min_rate <= initial_rate <= max_rate, got {min_rate} <= {rate} <= {max_rate}"
            )
            .into());
        }
        if !(config.scale_factor.is_finite() && config.scale_factor > 1.0) {
            return Err(format!(
                "invalid config: `scale_factor` is {}; it must be > 1",
                config.scale_factor
            )
            .into());
        }
        let target = TARGET.check("target_latency_ms", config.target_latency_ms)?;
        require_positive("requests", config.requests)?;
        require_positive("window", config.window)?;
        Ok(AdaptiveRate {
            rate,
            min_rate,
            max_rate,
            scale_factor: config.scale_factor,
            target,
            requests: config.requests,
            window: config.window,
            seen: 0,
            missed: 0,
            next_at: Duration::ZERO,
            scheduled: 0,
        })
    }

    /// The current rate, requests per second.
    pub fn current_rate(&self) -> f64 {
        self.rate
    }
}

impl TimingStrategy for AdaptiveRate {
    fn next(&mut self, progress: Progress) -> Decision {
        if progress.issued >= self.requests {
            return Decision::Done;
        }
        // Each request issued since the last call pushes the next one back by
        // one interval at the rate in force now. The rate stays within the
        // checked [min_rate, max_rate], so the interval fits; saturate rather
        // than panic on the main thread all the same.
        let interval = Duration::try_from_secs_f64(1.0 / self.rate).unwrap_or(Duration::MAX);
        while self.scheduled < progress.issued {
            self.next_at = self.next_at.saturating_add(interval);
            self.scheduled += 1;
        }
        Decision::at(self.next_at)
    }

    fn on_finished(&mut self, feedback: Feedback) {
        self.seen += 1;
        if !feedback.ok || feedback.latency > self.target {
            self.missed += 1;
        }
        if self.seen == self.window {
            self.rate = if self.missed == 0 {
                (self.rate * self.scale_factor).min(self.max_rate)
            } else {
                (self.rate / self.scale_factor).max(self.min_rate)
            };
            self.seen = 0;
            self.missed = 0;
        }
    }

    fn total_requests(&self) -> Option<u64> {
        Some(self.requests)
    }
}

impl Implementation<TimingStrategyCategory> for AdaptiveRate {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Grows the request rate by `scale_factor` while a window of \
         completions meets `target_latency_ms`, shrinks it otherwise.";

    fn create(args: TimingArgs) -> Result<Self, BoxError> {
        AdaptiveRate::new(parse_config(&args.config)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strategy(config: serde_json::Value) -> Result<AdaptiveRate, String> {
        AdaptiveRate::create(TimingArgs { config }).map_err(|e| e.to_string())
    }

    fn base() -> AdaptiveRate {
        strategy(serde_json::json!({
            "initial_rate": 10.0, "scale_factor": 2.0, "target_latency_ms": 100.0,
            "requests": 100, "window": 2, "max_rate": 30.0,
        }))
        .unwrap()
    }

    fn finished(ms: u64, ok: bool) -> Feedback {
        Feedback {
            latency: Duration::from_millis(ms),
            ok,
        }
    }

    fn issued(n: u64) -> Progress {
        Progress {
            issued: n,
            finished: 0,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn grows_while_the_target_is_met_up_to_max_rate() {
        let mut s = base();
        s.on_finished(finished(50, true));
        assert_eq!(s.current_rate(), 10.0, "adjusts only after a full window");
        s.on_finished(finished(99, true));
        assert_eq!(s.current_rate(), 20.0);
        s.on_finished(finished(10, true));
        s.on_finished(finished(10, true));
        assert_eq!(s.current_rate(), 30.0, "capped at max_rate");
    }

    #[test]
    fn shrinks_on_a_slow_or_failed_request() {
        let mut s = base();
        s.on_finished(finished(50, true));
        s.on_finished(finished(101, true));
        assert_eq!(s.current_rate(), 5.0);
        s.on_finished(finished(1, false));
        s.on_finished(finished(1, true));
        assert_eq!(s.current_rate(), 2.5);
    }

    #[test]
    fn spacing_follows_the_current_rate() {
        let mut s = base();
        assert_eq!(s.next(issued(0)), Decision::at(Duration::ZERO));
        assert_eq!(s.next(issued(1)), Decision::at(Duration::from_millis(100)));
        s.on_finished(finished(1, true));
        s.on_finished(finished(1, true)); // now 20 req/s
        assert_eq!(s.next(issued(2)), Decision::at(Duration::from_millis(150)));
        assert_eq!(s.next(issued(100)), Decision::Done);
        assert_eq!(s.total_requests(), Some(100));
    }

    #[test]
    fn rejects_bad_configs_naming_the_field() {
        let e = strategy(serde_json::json!({
            "initial_rate": 10, "scale_factor": 1.0, "target_latency_ms": 5, "requests": 1
        }))
        .unwrap_err();
        assert!(e.contains("`scale_factor` is 1; it must be > 1"), "{e}");
        let e = strategy(serde_json::json!({"initial_rate": 10, "requests": 1})).unwrap_err();
        assert!(e.contains("missing field `target_latency_ms`"), "{e}");
        let e = strategy(serde_json::json!({
            "initial_rate": 10, "target_latency_ms": 5, "requests": 1, "max_rate": 5
        }))
        .unwrap_err();
        assert!(e.contains("min_rate <= initial_rate <= max_rate"), "{e}");
    }

    #[test]
    fn rates_and_targets_a_duration_cannot_hold_are_errors_not_panics() {
        let with = |field: &str, value: f64| {
            let mut config = serde_json::json!({
                "initial_rate": 10.0, "target_latency_ms": 100.0, "requests": 5
            });
            config[field] = serde_json::json!(value);
            strategy(config)
        };
        let too_slow = "it is requests per second and must be a finite number >= 0.000001 \
                        (one request every 11.6 days)";
        assert_eq!(
            with("initial_rate", 1e-20).unwrap_err(),
            format!("invalid config: `initial_rate` is 1e-20; {too_slow}")
        );
        assert_eq!(
            with("min_rate", 1e-20).unwrap_err(),
            format!("invalid config: `min_rate` is 1e-20; {too_slow}")
        );
        assert_eq!(
            with("target_latency_ms", 1e300).unwrap_err(),
            "invalid config: `target_latency_ms` is 1e300; it must be milliseconds > 0 \
             and at most 3600000 (one hour)"
        );
        // The slowest rate allowed: its default min_rate is clamped to it, and
        // next() schedules without overflow.
        let mut s = with("initial_rate", MIN_RATE).unwrap();
        assert_eq!(
            s.next(issued(2)),
            Decision::at(Duration::from_secs(2_000_000))
        );
        for _ in 0..5 {
            s.on_finished(finished(u64::MAX, false));
        }
        assert_eq!(s.current_rate(), MIN_RATE, "never below the floor");
    }
}
