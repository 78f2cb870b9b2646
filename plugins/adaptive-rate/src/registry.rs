//! This crate's registrations, one line each.

use aiperf_builtins::categories::TimingStrategyCategory;
use registry_core::register_lazy;

register_lazy!(
    TimingStrategyCategory,
    "adaptive_rate",
    crate::AdaptiveRate,
    id = "aimd"
);
