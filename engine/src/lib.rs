//! The AIPerf benchmark engine: the configuration model and loading
//! ([`config`]), and the run ([`benchmark`]: phases, scheduling, collection,
//! statistics; [`hooks`]: the phase hooks a configuration names).
//!
//! The engine creates every part of a benchmark by name through the
//! category factories of [`aiperf_plugin_api`]; it does not depend on the
//! builtins and cannot name an implementation. Whatever the binary links
//! (the builtins, plugin crates) is what the names resolve to.

#![warn(missing_docs)]

pub mod benchmark;
pub mod config;
pub mod hooks;
