//! Builtin timing strategies: when each request of a phase is issued.
//!
//! All three are pure state machines over [`Progress`](aiperf_plugin_api::Progress):
//! they never sleep or read a clock, so they are tested without time passing.

mod concurrency;
mod fixed_schedule;
mod request_rate;

pub use concurrency::{Concurrency, ConcurrencyConfig};
pub use fixed_schedule::{FixedSchedule, FixedScheduleConfig};
pub use request_rate::{RequestRate, RequestRateConfig};
