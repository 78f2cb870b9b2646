//! Workspace-level resolution tests, one test binary per link set:
//!
//! - `builtins_only.rs`: only `aiperf-builtins` is linked.
//! - `with_nvidia_optimized.rs`: the builtins and the NVIDIA endpoint plugin.
//! - `all_plugins.rs`: the builtins and every plugin crate.
//! - `dependencies.rs`: who may depend on whom, from `cargo tree -e normal`
//!   (the layering `docs/architecture.md` describes).
//!
//! All plugin crates are dev-dependencies of this package, yet each binary
//! links only what it names with `use some_crate as _;`, which is exactly
//! the situation of a downstream binary choosing plugins.
