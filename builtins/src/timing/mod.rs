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

use registry_core::BoxError;

/// Checks that a count from a config is at least 1.
pub(crate) fn require_positive(field: &str, value: u64) -> Result<u64, BoxError> {
    if value == 0 {
        return Err(format!("invalid config: `{field}` must be at least 1, got 0").into());
    }
    Ok(value)
}
