//! `request_rate`: a constant request rate.

use std::time::Duration;

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::config::require_positive;
use aiperf_plugin_api::timing_strategy::interval_at_rate;
use aiperf_plugin_api::{Decision, Progress, TimingArgs, TimingStrategy, TimingStrategyCategory};

/// Config of [`RequestRate`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestRateConfig {
    /// Requests per second; finite and at least [`MIN_RATE`](aiperf_plugin_api::timing_strategy::MIN_RATE).
    pub rate: f64,
    /// Requests to issue in the phase; at least 1.
    #[serde(deserialize_with = "aiperf_plugin_api::config::count")]
    pub requests: u64,
    /// Most requests in flight at once; unlimited when absent. When the
    /// limit is reached, the schedule slips rather than piling up requests.
    #[serde(
        default,
        deserialize_with = "aiperf_plugin_api::config::optional_count"
    )]
    pub max_concurrency: Option<u64>,
}

/// Issues `requests` requests evenly spaced at `rate` per second: request
/// `i` at `i / rate` seconds after the phase start.
#[derive(Debug, Clone)]
pub struct RequestRate {
    interval: Duration,
    requests: u64,
    max_concurrency: Option<u64>,
}

impl RequestRate {
    /// A strategy from its config, checked.
    pub fn new(config: RequestRateConfig) -> Result<Self, BoxError> {
        Ok(RequestRate {
            interval: interval_at_rate("rate", config.rate)?,
            requests: require_positive("requests", config.requests)?,
            max_concurrency: config
                .max_concurrency
                .map(|n| require_positive("max_concurrency", n))
                .transpose()?,
        })
    }
}

impl TimingStrategy for RequestRate {
    fn next(&mut self, progress: Progress) -> Decision {
        if progress.issued >= self.requests {
            return Decision::Done;
        }
        // `issued` fits in u32 for any rate a benchmark can sustain; saturate
        // instead of wrapping for absurd configs.
        let i = u32::try_from(progress.issued).unwrap_or(u32::MAX);
        Decision::at(self.interval.saturating_mul(i)).with_max_in_flight(self.max_concurrency)
    }

    fn total_requests(&self) -> Option<u64> {
        Some(self.requests)
    }
}

impl Implementation<TimingStrategyCategory> for RequestRate {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "Issues `requests` requests at a constant `rate` per second (optional `max_concurrency`).";

    fn create(args: TimingArgs) -> Result<Self, BoxError> {
        RequestRate::new(parse_config(&args.config)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(config: serde_json::Value) -> Result<RequestRate, String> {
        RequestRate::create(TimingArgs { config }).map_err(|e| e.to_string())
    }

    #[test]
    fn spaces_requests_evenly() {
        let mut s = create(serde_json::json!({"rate": 50, "requests": 3})).unwrap();
        assert_eq!(s.total_requests(), Some(3));
        let at = |issued| Progress {
            issued,
            finished: issued,
            elapsed: Duration::ZERO,
        };
        assert_eq!(s.next(at(0)), Decision::at(Duration::ZERO));
        assert_eq!(s.next(at(1)), Decision::at(Duration::from_millis(20)));
        assert_eq!(s.next(at(2)), Decision::at(Duration::from_millis(40)));
        assert_eq!(s.next(at(3)), Decision::Done);
    }

    #[test]
    fn waits_when_max_concurrency_is_reached() {
        let config = serde_json::json!({"rate": 1000, "requests": 10, "max_concurrency": 2});
        let mut s = create(config).unwrap();
        let p = |issued, finished| Progress {
            issued,
            finished,
            elapsed: Duration::ZERO,
        };
        assert_eq!(
            s.next(p(2, 0)),
            Decision::Issue {
                at: Duration::from_millis(2),
                max_in_flight: Some(2)
            }
        );
    }

    #[test]
    fn rejects_bad_configs_naming_the_field() {
        let e = create(serde_json::json!({"rate": 0, "requests": 3})).unwrap_err();
        assert!(e.contains("`rate` is 0"), "{e}");
        // 1 / 1e-20 seconds does not fit in a Duration: an error, not a panic.
        for (rate, shown) in [(1e-20, "1e-20"), (1e-7, "1e-7"), (-1e300, "-1e300")] {
            let e = create(serde_json::json!({"rate": rate, "requests": 3})).unwrap_err();
            assert_eq!(
                e,
                format!(
                    "invalid config: `rate` is {shown}; it is requests per second and must be \
                     a finite number >= 0.000001 (one request every 11.6 days)"
                )
            );
        }
        let s = create(serde_json::json!({"rate": 1e-6, "requests": 3})).unwrap();
        assert_eq!(
            s.interval,
            Duration::from_secs(1_000_000),
            "the lowest rate works"
        );
        let e = create(serde_json::json!({"rate": 2, "requests": 0})).unwrap_err();
        assert!(e.contains("`requests` must be at least 1"), "{e}");
        let e = create(serde_json::json!({"rate": 2})).unwrap_err();
        assert!(e.contains("missing field `requests`"), "{e}");
        let e = create(serde_json::json!({"rate": "fast", "requests": 1})).unwrap_err();
        assert!(e.contains("invalid type"), "{e}");
    }
}
