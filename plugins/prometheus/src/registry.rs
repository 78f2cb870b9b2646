//! This crate's registrations, one line each.

use aiperf_builtins::categories::PhaseHookCategory;
use registry_core::register_lazy;

register_lazy!(PhaseHookCategory, "prometheus", crate::Pushgateway, id = "pushgateway");
