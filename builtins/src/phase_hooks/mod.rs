//! Builtin phase hooks.

mod logging;

pub use logging::{Logging, LoggingConfig, summary_line};
