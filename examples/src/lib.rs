//! Runnable examples of `registry-core`; see `quickstart.rs` beside this
//! folder (`cargo run --example quickstart`).
