//! `concurrency`: a fixed number of requests in flight.

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::config::require_positive;
use aiperf_plugin_api::{Decision, Progress, TimingArgs, TimingStrategy, TimingStrategyCategory};

/// Config of [`Concurrency`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcurrencyConfig {
    /// Requests kept in flight; at least 1.
    #[serde(deserialize_with = "aiperf_plugin_api::config::count")]
    pub concurrency: u64,
    /// Requests to issue in the phase; at least 1. Absent: no limit, the
    /// phase runs until the benchmark's duration, which the engine
    /// enforces, ends it.
    #[serde(
        default,
        deserialize_with = "aiperf_plugin_api::config::optional_count"
    )]
    pub requests: Option<u64>,
}

/// Keeps `concurrency` requests in flight until `requests` were issued (or,
/// without `requests`, until the phase is ended from outside): each
/// completion immediately frees a slot for the next request.
#[derive(Debug, Clone)]
pub struct Concurrency {
    concurrency: u64,
    requests: Option<u64>,
}

impl Concurrency {
    /// A strategy from its config, checked.
    pub fn new(config: ConcurrencyConfig) -> Result<Self, BoxError> {
        Ok(Concurrency {
            concurrency: require_positive("concurrency", config.concurrency)?,
            requests: config
                .requests
                .map(|n| require_positive("requests", n))
                .transpose()?,
        })
    }
}

impl TimingStrategy for Concurrency {
    fn next(&mut self, progress: Progress) -> Decision {
        if self.requests.is_some_and(|n| progress.issued >= n) {
            Decision::Done
        } else {
            Decision::in_flight_below(self.concurrency)
        }
    }

    fn total_requests(&self) -> Option<u64> {
        self.requests
    }
}

impl Implementation<TimingStrategyCategory> for Concurrency {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Keeps `concurrency` requests in flight until `requests` requests were issued (no limit \
         without `requests`).";

    fn create(args: TimingArgs) -> Result<Self, BoxError> {
        Concurrency::new(parse_config(&args.config)?)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn keeps_the_configured_number_in_flight() {
        let config = serde_json::json!({"concurrency": 2, "requests": 3});
        let mut s = Concurrency::create(TimingArgs { config }).unwrap();
        let p = |issued, finished| Progress {
            issued,
            finished,
            elapsed: Duration::from_secs(1),
        };
        // The orchestrator holds each request until fewer than 2 are in
        // flight; the strategy only says so.
        for issued in 0..3 {
            assert_eq!(s.next(p(issued, 0)), Decision::in_flight_below(2));
        }
        assert_eq!(s.next(p(3, 1)), Decision::Done);
        assert_eq!(s.total_requests(), Some(3));
    }

    #[test]
    fn rejects_zero_concurrency() {
        let config = serde_json::json!({"concurrency": 0, "requests": 3});
        let e = Concurrency::create(TimingArgs { config }).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid config: `concurrency` must be at least 1, got 0"
        );
        let config = serde_json::json!({"concurrency": 2, "requests": 0});
        let e = Concurrency::create(TimingArgs { config }).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid config: `requests` must be at least 1, got 0"
        );
    }

    #[test]
    fn without_requests_the_phase_has_no_limit() {
        let config = serde_json::json!({"concurrency": 3});
        let mut s = Concurrency::create(TimingArgs { config }).unwrap();
        assert_eq!(s.total_requests(), None);
        for issued in [0, 1, 1_000_000, u64::MAX - 1] {
            let p = Progress {
                issued,
                finished: issued.saturating_sub(3),
                elapsed: Duration::from_secs(5),
            };
            assert_eq!(s.next(p), Decision::in_flight_below(3));
        }
        let config = serde_json::json!({"concurrency": 3, "requests": null});
        let s = Concurrency::create(TimingArgs { config }).unwrap();
        assert_eq!(s.total_requests(), None);
    }
}
