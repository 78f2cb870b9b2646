//! This crate's registrations, one line each.

use aiperf_plugin_api::ArrivalPatternCategory;
use registry_core::register_lazy;

register_lazy!(
    ArrivalPatternCategory,
    "uniform",
    crate::Uniform,
    id = "jittered_interval"
);
