//! Builtin phase hooks, and the registry of the hooks a configuration names.

mod logging;
mod registry;

pub use logging::{Logging, LoggingConfig, summary_line};
pub use registry::{HookFailure, LoadMode, PhaseHookRegistry};
