//! Builtin transports: how payloads reach a model server.

mod http;
mod in_engine;
mod sse;
mod tls;

pub use http::{Http, HttpConfig};
pub use in_engine::{InEngine, InEngineConfig};
pub use sse::SseParser;
pub use tls::{Roots, TlsConfig};
