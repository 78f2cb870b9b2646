//! `constant`: equal gaps.

use std::time::Duration;

use registry_core::{BoxError, Implementation};

use super::{checked_rate, gap, no_settings};
use aiperf_plugin_api::{ArrivalArgs, ArrivalPattern, ArrivalPatternCategory};

/// Every gap is `1 / rate`, to the nanosecond: the gaps are rounded so that
/// request *n* is at `n / rate` to the nearest nanosecond, however long
/// the phase runs (at 3 requests per second: 333,333,333 ns, then
/// 333,333,334 ns, then 333,333,333 ns, exactly one second in all). The
/// schedule `request_rate` had before arrival patterns.
#[derive(Debug, Clone)]
pub struct Constant {
    rate: f64,
    /// Gaps returned so far.
    drawn: u64,
    /// The sum of those gaps: `drawn / rate`, rounded.
    offset: Duration,
}

impl Constant {
    /// Equal gaps at `rate` requests per second (finite, at least
    /// [`MIN_RATE`](aiperf_plugin_api::timing_strategy::MIN_RATE)).
    pub fn new(rate: f64) -> Result<Self, BoxError> {
        Ok(Constant {
            rate: checked_rate(rate)?,
            drawn: 0,
            offset: Duration::ZERO,
        })
    }
}

impl ArrivalPattern for Constant {
    fn next_interval(&mut self) -> Duration {
        self.drawn = self.drawn.saturating_add(1);
        // `drawn as f64` is exact up to 2^53 gaps; the offset is computed
        // afresh each time, so rounding never accumulates.
        let offset = gap(self.drawn as f64 / self.rate);
        let interval = offset.saturating_sub(self.offset);
        self.offset = offset;
        interval
    }
}

impl Implementation<ArrivalPatternCategory> for Constant {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Every gap is 1 / rate (no settings).";

    fn create(args: ArrivalArgs) -> Result<Self, BoxError> {
        no_settings("constant", &args.config)?;
        Constant::new(args.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(rate: f64, config: serde_json::Value) -> ArrivalArgs {
        ArrivalArgs {
            rate,
            seed: 0,
            config,
        }
    }

    #[test]
    fn every_gap_is_one_over_the_rate() {
        let mut c = Constant::create(args(50.0, serde_json::Value::Null)).unwrap();
        for _ in 0..10_000 {
            assert_eq!(c.next_interval(), Duration::from_millis(20));
        }
    }

    #[test]
    fn the_sum_of_the_gaps_does_not_drift() {
        // 1/3 s is not a whole number of nanoseconds: the gaps alternate
        // so that every third request is on a whole second.
        let mut c = Constant::new(3.0).unwrap();
        let gaps: Vec<Duration> = (0..3).map(|_| c.next_interval()).collect();
        assert_eq!(
            gaps,
            [
                Duration::from_nanos(333_333_333),
                Duration::from_nanos(333_333_334),
                Duration::from_nanos(333_333_333)
            ]
        );
        let mut sum = gaps.iter().sum::<Duration>();
        for _ in 3..3_000_000 {
            sum += c.next_interval();
        }
        // 3,000,000 gaps of 1/3 s each rounded alone would be 1 ms early.
        assert_eq!(sum, Duration::from_secs(1_000_000));
    }

    #[test]
    fn settings_and_bad_rates_are_refused() {
        let e = Constant::create(args(5.0, serde_json::json!({"smoothness": 2})))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`constant` arrival pattern takes no settings"),
            "{e}"
        );
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = Constant::new(rate).unwrap_err().to_string();
            assert!(e.contains("it is requests per second"), "{e}");
        }
    }
}
