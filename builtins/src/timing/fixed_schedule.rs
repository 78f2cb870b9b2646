//! `fixed_schedule`: requests at given offsets from the phase start.

use std::time::Duration;

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use aiperf_plugin_api::config::{DurationRange, TimeUnit, parse_config};
use aiperf_plugin_api::{Decision, Progress, TimingArgs, TimingStrategy, TimingStrategyCategory};

/// An offset: milliseconds from 0 to 365 days.
const OFFSET: DurationRange =
    DurationRange::from_zero(TimeUnit::Milliseconds, 365.0 * 86_400_000.0, "365 days");

/// Config of [`FixedSchedule`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedScheduleConfig {
    /// Offset of each request from the phase start, in milliseconds;
    /// non-empty, from 0 to 365 days (31536000000), non-decreasing.
    pub offsets_ms: Vec<f64>,
}

/// Issues one request at each offset of a schedule (a trace replay).
#[derive(Debug, Clone)]
pub struct FixedSchedule {
    offsets: Vec<Duration>,
}

impl FixedSchedule {
    /// A schedule from its config, checked.
    pub fn new(config: FixedScheduleConfig) -> Result<Self, BoxError> {
        if config.offsets_ms.is_empty() {
            return Err("invalid config: `offsets_ms` is empty; give at least one offset".into());
        }
        let mut offsets = Vec::with_capacity(config.offsets_ms.len());
        for (i, &ms) in config.offsets_ms.iter().enumerate() {
            let offset = OFFSET.check(&format!("offsets_ms[{i}]"), ms)?;
            if offsets.last().is_some_and(|&prev| offset < prev) {
                return Err(format!(
                    "invalid config: `offsets_ms[{i}]` ({ms}) is before `offsets_ms[{}]` ({}); \
                     offsets must not decrease",
                    i - 1,
                    config.offsets_ms[i - 1]
                )
                .into());
            }
            offsets.push(offset);
        }
        Ok(FixedSchedule { offsets })
    }
}

impl TimingStrategy for FixedSchedule {
    fn next(&mut self, progress: Progress) -> Decision {
        match usize::try_from(progress.issued)
            .ok()
            .and_then(|i| self.offsets.get(i))
        {
            Some(&at) => Decision::at(at),
            None => Decision::Done,
        }
    }

    fn total_requests(&self) -> Option<u64> {
        Some(self.offsets.len() as u64)
    }
}

impl Implementation<TimingStrategyCategory> for FixedSchedule {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "Issues one request at each offset of `offsets_ms` from the phase start (trace replay).";

    fn create(args: TimingArgs) -> Result<Self, BoxError> {
        FixedSchedule::new(parse_config(&args.config)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(offsets_ms: &[f64]) -> Result<FixedSchedule, String> {
        FixedSchedule::new(FixedScheduleConfig {
            offsets_ms: offsets_ms.to_vec(),
        })
        .map_err(|e| e.to_string())
    }

    fn issued(n: u64) -> Progress {
        Progress {
            issued: n,
            ..Progress::default()
        }
    }

    #[test]
    fn issues_at_each_offset_then_is_done() {
        let mut s = schedule(&[0.0, 10.0, 10.0, 250.5]).unwrap();
        assert_eq!(s.total_requests(), Some(4));
        assert_eq!(s.next(issued(0)), Decision::at(Duration::ZERO));
        assert_eq!(s.next(issued(1)), Decision::at(Duration::from_millis(10)));
        assert_eq!(s.next(issued(2)), Decision::at(Duration::from_millis(10)));
        assert_eq!(
            s.next(issued(3)),
            Decision::at(Duration::from_micros(250_500))
        );
        assert_eq!(s.next(issued(4)), Decision::Done);
    }

    #[test]
    fn rejects_bad_schedules_naming_the_entry() {
        assert!(schedule(&[]).unwrap_err().contains("`offsets_ms` is empty"));
        let e = schedule(&[0.0, 5.0, 3.0]).unwrap_err();
        assert!(
            e.contains("`offsets_ms[2]` (3) is before `offsets_ms[1]` (5)"),
            "{e}"
        );
        let e = schedule(&[-1.0]).unwrap_err();
        assert!(e.contains("`offsets_ms[0]` is -1"), "{e}");
        // Too big for a Duration: an error, not a panic.
        let e = schedule(&[0.0, 1e300]).unwrap_err();
        assert_eq!(
            e,
            "invalid config: `offsets_ms[1]` is 1e300; it must be milliseconds \
             from 0 to 31536000000 (365 days)"
        );
        let e = schedule(&[f64::NAN]).unwrap_err();
        assert!(e.contains("`offsets_ms[0]` is NaN"), "{e}");
    }

    #[test]
    fn config_rejects_unknown_fields() {
        let args = TimingArgs {
            config: serde_json::json!({"offsets_ms": [1.0], "rate": 3}),
        };
        let e = FixedSchedule::create(args).unwrap_err().to_string();
        assert!(e.contains("unknown field `rate`"), "{e}");
    }
}
