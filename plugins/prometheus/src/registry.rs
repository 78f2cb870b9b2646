//! This crate's registrations, one line each.

use aiperf_plugin_api::PhaseHookCategory;
use registry_core::register_lazy;

register_lazy!(PhaseHookCategory, "prometheus", crate::Pushgateway, id = "pushgateway");
