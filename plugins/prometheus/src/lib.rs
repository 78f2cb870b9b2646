//! A `phase_hook` plugin for AIPerf: **`prometheus`** (identifier
//! `pushgateway`) pushes each phase's metrics to a Prometheus Pushgateway.
//! See the README for its config and the metrics it pushes.

#![warn(missing_docs)]

mod exposition;
mod hook;
#[rustfmt::skip]
mod registry;

pub use exposition::{phase_complete_metrics, phase_start_metrics};
pub use hook::{Pushgateway, PushgatewayConfig};

/// The link anchor: returns this crate's package name, for
/// `aiperf_cli::main_with(&[this_crate::link()])`, which both links the
/// crate (calling it references the crate) and has the CLI check at
/// start-up that its registrations are there.
pub fn link() -> &'static str {
    registry_core::link_anchor!()
}
