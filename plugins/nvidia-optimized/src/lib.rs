#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod endpoints;
#[rustfmt::skip]
mod registry;

pub use endpoints::{NvidiaChat, NvidiaCompletions, NvidiaEmbeddings};

/// The link anchor: returns this crate's package name, for
/// `aiperf_cli::main_with(&[this_crate::link()])`, which both links the
/// crate (calling it references the crate) and has the CLI check at
/// start-up that its registrations are there.
pub fn link() -> &'static str {
    registry_core::link_anchor!()
}
