//! Builtin timing strategies: when each request of a phase is issued.
//!
//! All three are pure state machines over [`Progress`](crate::categories::Progress):
//! they never sleep or read a clock, so they are tested without time passing.

mod concurrency;
mod fixed_schedule;
mod request_rate;

pub use concurrency::{Concurrency, ConcurrencyConfig};
pub use fixed_schedule::{FixedSchedule, FixedScheduleConfig};
pub use request_rate::{RequestRate, RequestRateConfig};

use std::time::Duration;

use registry_core::BoxError;

use crate::config::show_number;

/// The lowest request rate a strategy accepts, requests per second: one
/// request every 11.6 days. Lower rates would wait longer than any
/// benchmark runs, and below about 5.4e-20 the interval `1 / rate` does not
/// fit in a [`Duration`] at all.
pub const MIN_RATE: f64 = 1e-6;

/// The interval between requests at `rate` requests per second, checked
/// (`field` names the setting in the error): finite and at least
/// [`MIN_RATE`].
pub fn interval_at_rate(field: &str, rate: f64) -> Result<Duration, BoxError> {
    if rate.is_finite() && rate >= MIN_RATE {
        if let Ok(interval) = Duration::try_from_secs_f64(1.0 / rate) {
            return Ok(interval);
        }
    }
    Err(format!(
        "invalid config: `{field}` is {}; it is requests per second and must be a finite number \
         >= {MIN_RATE} (one request every 11.6 days)",
        show_number(rate)
    )
    .into())
}

/// Checks that a count from a config is at least 1.
pub(crate) fn require_positive(field: &str, value: u64) -> Result<u64, BoxError> {
    if value == 0 {
        return Err(format!("invalid config: `{field}` must be at least 1, got 0").into());
    }
    Ok(value)
}
