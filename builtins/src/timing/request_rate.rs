//! `request_rate`: requests at a rate, spaced by an arrival pattern.

use std::fmt;
use std::time::Duration;

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use aiperf_plugin_api::config::require_positive;
use aiperf_plugin_api::config::{parse_config, show_number};
use aiperf_plugin_api::names::ArrivalPatternType;
use aiperf_plugin_api::timing_strategy::interval_at_rate;
use aiperf_plugin_api::{
    ArrivalArgs, ArrivalPattern, Decision, Progress, TimingArgs, TimingStrategy,
    TimingStrategyCategory,
};

/// Config of [`RequestRate`].
///
/// The arrival pattern is created through the registry by name, with
/// `rate`, `seed` and `arrival_config` as its
/// [`ArrivalArgs`]: a plugin pattern is configured exactly like a builtin
/// one. `smoothness` is a shorthand for `arrival_config: { smoothness: .. }`
/// (AIPerf's `--arrival-smoothness`); a pattern that takes no smoothness
/// refuses it with its own error, naming the field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestRateConfig {
    /// Mean requests per second; finite and at least [`MIN_RATE`](aiperf_plugin_api::timing_strategy::MIN_RATE).
    pub rate: f64,
    /// Requests to issue in the phase; at least 1. Absent: no limit, the
    /// phase runs until the benchmark's duration, which the engine
    /// enforces, ends it.
    #[serde(
        default,
        deserialize_with = "aiperf_plugin_api::config::optional_count"
    )]
    pub requests: Option<u64>,
    /// Most requests in flight at once; unlimited when absent. When the
    /// limit is reached, the schedule slips rather than piling up requests.
    #[serde(
        default,
        deserialize_with = "aiperf_plugin_api::config::optional_count"
    )]
    pub max_concurrency: Option<u64>,
    /// The `arrival_pattern` the gaps between requests follow: `constant`
    /// (the default: every gap `1 / rate`), `poisson`, `gamma`, or a
    /// plugin's.
    #[serde(default = "constant")]
    pub arrival_pattern: ArrivalPatternType,
    /// The gamma shape of the `gamma` pattern (1 = Poisson, less is
    /// burstier, more is more regular): put into the pattern's config.
    #[serde(default)]
    pub smoothness: Option<f64>,
    /// The pattern's own settings, passed to it as they are (e.g.
    /// `{ smoothness: 4 }` for `gamma`, `{ jitter: 0.2 }` for the `uniform`
    /// plugin); absent: its defaults.
    #[serde(default)]
    pub arrival_config: serde_json::Value,
    /// The seed of random patterns: the same seed gives the same schedule.
    #[serde(default)]
    pub seed: u64,
}

fn constant() -> ArrivalPatternType {
    ArrivalPatternType::Constant
}

/// Issues requests at `rate` per second on average, the gaps between them
/// drawn from an arrival pattern: request *n* at the sum of the first *n*
/// gaps after the phase start (the first at once). With the default
/// `constant` pattern, request `i` goes out at `i / rate` seconds. Stops
/// after `requests` requests, or never when `requests` is absent.
pub struct RequestRate {
    pattern: Box<dyn ArrivalPattern>,
    /// For `Debug`: the pattern's name.
    pattern_name: ArrivalPatternType,
    requests: Option<u64>,
    max_concurrency: Option<u64>,
    /// Gaps drawn from the pattern so far.
    gaps: u64,
    /// Their sum: the offset of request number `gaps`. Durations are whole
    /// nanoseconds, so the sum is exact: no drift however long the phase.
    offset: Duration,
}

impl RequestRate {
    /// A strategy from its config, checked; the arrival pattern is created
    /// through the registry (its errors name the pattern and the setting).
    pub fn new(config: RequestRateConfig) -> Result<Self, BoxError> {
        interval_at_rate("rate", config.rate)?;
        let requests = config
            .requests
            .map(|n| require_positive("requests", n))
            .transpose()?;
        let max_concurrency = config
            .max_concurrency
            .map(|n| require_positive("max_concurrency", n))
            .transpose()?;
        let pattern_config = pattern_config(config.arrival_config, config.smoothness)?;
        let pattern = config.arrival_pattern.registration()?.create(ArrivalArgs {
            rate: config.rate,
            seed: config.seed,
            config: pattern_config,
        })?;
        Ok(RequestRate {
            pattern,
            pattern_name: config.arrival_pattern,
            requests,
            max_concurrency,
            gaps: 0,
            offset: Duration::ZERO,
        })
    }
}

/// The pattern's config: `arrival_config` with `smoothness` put in, if
/// given (once: not also inside `arrival_config`).
fn pattern_config(
    arrival_config: serde_json::Value,
    smoothness: Option<f64>,
) -> Result<serde_json::Value, BoxError> {
    let Some(smoothness) = smoothness else {
        return Ok(arrival_config);
    };
    let mut map = match arrival_config {
        serde_json::Value::Null => serde_json::Map::new(),
        serde_json::Value::Object(map) => map,
        other => {
            return Err(format!(
                "invalid config: `arrival_config` is {other}; it must be a map of the arrival \
                 pattern's settings"
            )
            .into());
        }
    };
    if map.contains_key("smoothness") {
        return Err(
            "invalid config: `smoothness` is given twice, as `smoothness` and in \
                    `arrival_config`; keep one"
                .into(),
        );
    }
    // A float a JSON value cannot hold (NaN, infinity) would become null
    // here; refuse it in the same words the `gamma` pattern uses.
    let number = serde_json::Number::from_f64(smoothness).ok_or_else(|| {
        format!(
            "invalid config: `smoothness` is {}; it must be a finite number > 0 (1 gives \
             Poisson arrivals, less is burstier, more is more regular)",
            show_number(smoothness)
        )
    })?;
    map.insert("smoothness".to_owned(), serde_json::Value::Number(number));
    Ok(serde_json::Value::Object(map))
}

impl fmt::Debug for RequestRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestRate")
            .field("arrival_pattern", &self.pattern_name.as_str())
            .field("requests", &self.requests)
            .field("max_concurrency", &self.max_concurrency)
            .field("gaps", &self.gaps)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl TimingStrategy for RequestRate {
    fn next(&mut self, progress: Progress) -> Decision {
        if self.requests.is_some_and(|n| progress.issued >= n) {
            return Decision::Done;
        }
        // Request n goes out after n gaps. `next` is asked once per
        // request, so this draws one gap per call after the first; asked
        // again for the same request, it answers the same.
        while self.gaps < progress.issued {
            self.offset = self.offset.saturating_add(self.pattern.next_interval());
            self.gaps += 1;
        }
        Decision::at(self.offset).with_max_in_flight(self.max_concurrency)
    }

    fn total_requests(&self) -> Option<u64> {
        self.requests
    }
}

impl Implementation<TimingStrategyCategory> for RequestRate {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Issues requests at `rate` per second, spaced by \
         `arrival_pattern` (constant, poisson, gamma with `smoothness`; seeded by `seed`), until \
         `requests` (optional `max_concurrency`).";

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

    fn at(issued: u64) -> Progress {
        Progress {
            issued,
            finished: issued,
            elapsed: Duration::ZERO,
        }
    }

    /// The offsets of the first `n` requests.
    fn schedule(s: &mut RequestRate, n: u64) -> Vec<Duration> {
        (0..n)
            .map(|i| match s.next(at(i)) {
                Decision::Issue { at, .. } => at,
                Decision::Done => panic!("done after {i} requests"),
            })
            .collect()
    }

    #[test]
    fn spaces_requests_evenly() {
        let mut s = create(serde_json::json!({"rate": 50, "requests": 3})).unwrap();
        assert_eq!(s.total_requests(), Some(3));
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
        let mut s = create(serde_json::json!({"rate": 1e-6, "requests": 3})).unwrap();
        assert_eq!(
            schedule(&mut s, 2)[1],
            Duration::from_secs(1_000_000),
            "the lowest rate works"
        );
        let e = create(serde_json::json!({"rate": 2, "requests": 0})).unwrap_err();
        assert!(e.contains("`requests` must be at least 1"), "{e}");
        let e = create(serde_json::json!({"requests": 2})).unwrap_err();
        assert!(e.contains("missing field `rate`"), "{e}");
        let e = create(serde_json::json!({"rate": "fast", "requests": 1})).unwrap_err();
        assert!(e.contains("invalid type"), "{e}");
    }

    #[test]
    fn without_requests_the_phase_has_no_limit() {
        let mut s = create(serde_json::json!({"rate": 10})).unwrap();
        assert_eq!(s.total_requests(), None);
        let offsets = schedule(&mut s, 100_000);
        assert_eq!(offsets[99_999], Duration::from_micros(9_999_900_000));
        assert!(matches!(s.next(at(100_000)), Decision::Issue { .. }));
    }

    #[test]
    fn the_default_pattern_is_constant_and_the_others_are_found_by_name() {
        let config = |pattern: &str| serde_json::json!({"rate": 100, "requests": 1000, "arrival_pattern": pattern});
        let default = schedule(
            &mut create(serde_json::json!({"rate": 100, "requests": 1000})).unwrap(),
            1000,
        );
        let constant = schedule(&mut create(config("Constant")).unwrap(), 1000);
        assert_eq!(default, constant);
        assert_eq!(default[999], Duration::from_millis(9990));
        // Poisson: same mean rate (within a few standard errors), unequal gaps.
        let poisson = schedule(&mut create(config("poisson")).unwrap(), 1000);
        let last = poisson[999].as_secs_f64();
        assert!((last - 9.99).abs() < 0.1 * 9.99, "{last}");
        assert!(poisson.windows(2).all(|w| w[0] <= w[1]));
        assert_ne!(poisson[1] - poisson[0], poisson[2] - poisson[1]);
        let gamma = schedule(&mut create(config("gamma")).unwrap(), 1000);
        assert_ne!(gamma, constant);
        let e = create(config("gama")).unwrap_err();
        assert!(
            e.contains(r#"unknown arrival_pattern name "gama"; did you mean "gamma"?"#),
            "{e}"
        );
    }

    #[test]
    fn each_request_goes_out_at_the_sum_of_the_gaps_before_it() {
        // The strategy's schedule is the running sum of the pattern's gaps,
        // drawn with the same seed: nothing lost, nothing drawn twice.
        let config = serde_json::json!({
            "rate": 40, "requests": 500, "arrival_pattern": "gamma", "smoothness": 0.5, "seed": 7
        });
        let offsets = schedule(&mut create(config).unwrap(), 500);
        let mut pattern =
            crate::arrival::Gamma::new(40.0, 7, crate::arrival::GammaConfig { smoothness: 0.5 })
                .unwrap();
        let mut sum = Duration::ZERO;
        for (i, offset) in offsets.iter().enumerate() {
            assert_eq!(*offset, sum, "request {i}");
            sum += pattern.next_interval();
        }
    }

    #[test]
    fn asking_twice_for_one_request_gives_one_answer() {
        let config = serde_json::json!({"rate": 5, "arrival_pattern": "poisson", "seed": 1});
        let mut s = create(config).unwrap();
        let first = s.next(at(3));
        assert_eq!(s.next(at(3)), first);
        assert_ne!(s.next(at(4)), first);
    }

    #[test]
    fn the_seed_decides_the_schedule() {
        let config =
            |seed: u64| serde_json::json!({"rate": 50, "arrival_pattern": "poisson", "seed": seed});
        let a = schedule(&mut create(config(1)).unwrap(), 50);
        assert_eq!(a, schedule(&mut create(config(1)).unwrap(), 50));
        assert_ne!(a, schedule(&mut create(config(2)).unwrap(), 50));
        // Seed 0 when absent.
        let absent = serde_json::json!({"rate": 50, "arrival_pattern": "poisson"});
        assert_eq!(
            schedule(&mut create(absent).unwrap(), 50),
            schedule(&mut create(config(0)).unwrap(), 50)
        );
    }

    #[test]
    fn smoothness_reaches_the_pattern_and_is_refused_where_it_does_not_belong() {
        let with = |extra: serde_json::Value| {
            let mut config = serde_json::json!({"rate": 5, "arrival_pattern": "gamma"});
            config
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            create(config)
        };
        // The shorthand and the config object give the same schedule.
        let a = schedule(&mut with(serde_json::json!({"smoothness": 4})).unwrap(), 20);
        let b = schedule(
            &mut with(serde_json::json!({"arrival_config": {"smoothness": 4}})).unwrap(),
            20,
        );
        assert_eq!(a, b);
        let e = with(serde_json::json!({"smoothness": 0})).unwrap_err();
        assert_eq!(
            e,
            r#"creating arrival_pattern "gamma" implementation "marsaglia_tsang" failed: invalid config: `smoothness` is 0; it must be a finite number > 0 (1 gives Poisson arrivals, less is burstier, more is more regular)"#
        );
        let e = with(serde_json::json!({"smoothness": 2, "arrival_config": {"smoothness": 3}}))
            .unwrap_err();
        assert!(e.contains("`smoothness` is given twice"), "{e}");
        let e = with(serde_json::json!({"smoothness": 2, "arrival_config": 3})).unwrap_err();
        assert!(e.contains("`arrival_config` is 3; it must be a map"), "{e}");
        let e = pattern_config(serde_json::Value::Null, Some(f64::INFINITY))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid config: `smoothness` is inf;"), "{e}");
        // Patterns without settings refuse it, saying which pattern takes it.
        let e =
            create(serde_json::json!({"rate": 5, "arrival_pattern": "poisson", "smoothness": 2}))
                .unwrap_err();
        assert!(
            e.contains("the `poisson` arrival pattern takes no settings, got `smoothness`"),
            "{e}"
        );
        let e = create(serde_json::json!({"rate": 5, "smoothness": 2})).unwrap_err();
        assert!(
            e.contains("the `constant` arrival pattern takes no settings"),
            "{e}"
        );
    }
}
