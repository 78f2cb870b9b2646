//! AIPerf's builtin implementations of the categories declared by
//! [`aiperf_plugin_api`], one module per category.
//!
//! `src/aiperf_registry.rs` registers every one of them, one line each:
//! implementation files contain no registration code, so that file is the
//! complete list of builtins. This crate depends on the plugin API only:
//! like any plugin crate, it cannot name the engine that runs it.
//!
//! A binary that uses this crate links its registrations by using any of
//! its items; [`link`] is the explicit anchor for one that does not.

#![warn(missing_docs)]

pub mod arrival;
pub mod console;
pub mod datasets;
pub mod endpoints;
pub mod exporters;
pub mod phase_hooks;
pub mod plots;
mod rng;
pub mod samplers;
mod thousands;
pub mod timing;
pub mod tokenizers;
pub mod transports;
pub mod ui;
pub mod url_selection;

#[rustfmt::skip]
mod aiperf_registry;

/// The link anchor: call it (or `use aiperf_builtins as _;`) from a binary
/// that names nothing else of this crate, so its registrations are linked.
/// Returns this crate's package name, for [`registry_core::require_linked`].
pub fn link() -> &'static str {
    registry_core::link_anchor!()
}
