//! AIPerf's components for the [`registry_core`] plugin registry.
//!
//! - [`categories`]: every category's trait, arguments and typed metadata,
//!   in one place (`endpoint`, `transport`, `timing_strategy`, `phase_hook`,
//!   `ui`, `exporter`, `dataset_sampler`).
//! - The builtin implementations, one module per category.
//! - `src/aiperf_registry.rs`: every builtin registration, one line each.
//!   Implementation files contain no registration code.
//!
//! A binary that uses this crate links its registrations by using any of
//! its items; [`link`] is the explicit anchor for one that does not.

#![warn(missing_docs)]

pub mod benchmark;
pub mod categories;
pub mod config;
pub mod endpoints;
pub mod exporters;
pub mod names;
pub mod phase_hooks;
mod rng;
pub mod samplers;
pub mod stats;
#[cfg(feature = "test-support")]
#[doc(hidden)]
pub mod testing;
pub mod timing;
pub mod transports;
pub mod ui;

#[rustfmt::skip]
mod aiperf_registry;

/// The link anchor: call it (or `use aiperf_builtins as _;`) from a binary
/// that names nothing else of this crate, so its registrations are linked.
/// Returns this crate's package name, for [`registry_core::require_linked`].
pub fn link() -> &'static str {
    env!("CARGO_PKG_NAME")
}
