#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod endpoints;
#[rustfmt::skip]
mod registry;

pub use endpoints::{NvidiaChat, NvidiaCompletions, NvidiaEmbeddings};
