//! An adaptive request-rate `timing_strategy` for AIPerf, packaged as a
//! plugin crate: it registers `timing_strategy/adaptive_rate` (identifier
//! `aimd`) when a binary links it. See the README for how to enable it.
//!
//! The strategy looks for the highest rate the server sustains within a
//! latency target: after every `window` completions it multiplies the rate by
//! `scale_factor` if all of them met `target_latency_ms` (and succeeded), and
//! divides it by `scale_factor` otherwise, within `[min_rate, max_rate]`.

#![warn(missing_docs)]

mod registry;
mod strategy;

pub use strategy::{AdaptiveRate, AdaptiveRateConfig};

/// The link anchor: returns this crate's package name, for
/// `aiperf_cli::main_with(&[this_crate::link()])`, which both links the
/// crate (calling it references the crate) and has the CLI check at
/// start-up that its registrations are there.
pub fn link() -> &'static str {
    registry_core::link_anchor!()
}
