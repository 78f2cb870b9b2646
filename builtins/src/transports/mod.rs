//! Builtin transports: how payloads reach a model server.

mod in_engine;

pub use in_engine::{InEngine, InEngineConfig};
