#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod endpoints;
#[rustfmt::skip]
mod registry;

pub use endpoints::{NvidiaChat, NvidiaCompletions, NvidiaEmbeddings};
