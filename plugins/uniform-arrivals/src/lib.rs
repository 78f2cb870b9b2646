//! A uniform-gap `arrival_pattern` for AIPerf, packaged as a plugin crate:
//! it registers `arrival_pattern/uniform` (identifier `jittered_interval`)
//! when a binary links it. See the README for how to enable it; this crate
//! is the template for a new arrival pattern.
//!
//! Each gap is drawn uniformly from `[(1 - jitter) / rate, (1 + jitter) /
//! rate]`: the mean gap stays `1 / rate`, and `jitter` (0 to 1, default
//! 0.5) says how far a gap may stray from it. The coefficient of variation
//! of the gaps is `jitter / sqrt(3)`: between `constant` (0) and `poisson`
//! (1), with no gap ever shorter than `(1 - jitter) / rate`.

#![warn(missing_docs)]

mod registry;
mod uniform;

use aiperf_plugin_api::names::ArrivalPatternType;

pub use uniform::{Uniform, UniformConfig};

/// This crate's pattern name, typed: `arrival_pattern: uniform` in a
/// `request_rate` config.
pub const UNIFORM: ArrivalPatternType = ArrivalPatternType::from_static("uniform");

/// The link anchor: returns this crate's package name, for
/// `aiperf_cli::main_with(&[this_crate::link()])`, which both links the
/// crate (calling it references the crate) and has the CLI check at
/// start-up that its registrations are there.
pub fn link() -> &'static str {
    registry_core::link_anchor!()
}
