//! The plugin crates this build links, chosen by Cargo features. This file
//! is the binary's link anchor: a plugin crate that is a dependency but
//! never referenced would not be linked, and its registrations would vanish.

use aiperf_builtins as _;
#[cfg(feature = "adaptive-rate")]
use aiperf_plugin_adaptive_rate as _;
#[cfg(feature = "hf-tokenizers")]
use aiperf_plugin_hf_tokenizers as _;
#[cfg(feature = "nvidia-optimized")]
use aiperf_plugin_nvidia_optimized as _;
#[cfg(feature = "prometheus")]
use aiperf_plugin_prometheus as _;
#[cfg(feature = "uniform-arrivals")]
use aiperf_plugin_uniform_arrivals as _;

/// Package names of every crate this build must have linked: the builtins
/// and the plugin crates of the enabled features. Checked at start-up with
/// [`registry_core::require_linked`].
pub const LINKED_CRATES: &[&str] = &[
    "aiperf-builtins",
    #[cfg(feature = "adaptive-rate")]
    "aiperf-plugin-adaptive-rate",
    #[cfg(feature = "hf-tokenizers")]
    "aiperf-plugin-hf-tokenizers",
    #[cfg(feature = "nvidia-optimized")]
    "aiperf-plugin-nvidia-optimized",
    #[cfg(feature = "prometheus")]
    "aiperf-plugin-prometheus",
    #[cfg(feature = "uniform-arrivals")]
    "aiperf-plugin-uniform-arrivals",
];
