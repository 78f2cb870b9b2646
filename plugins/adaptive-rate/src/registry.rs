//! This crate's registrations, one line each.

use aiperf_plugin_api::TimingStrategyCategory;
use registry_core::register_lazy;

register_lazy!(
    TimingStrategyCategory,
    "adaptive_rate",
    crate::AdaptiveRate,
    id = "aimd"
);
