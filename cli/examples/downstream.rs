//! A downstream binary built on `aiperf_cli`: it expects one more plugin
//! crate than the CLI's features link, here `my-timing-plugin`, which this
//! example deliberately does not link (its anchor is "forgotten"). Run it
//! as `cargo run -p aiperf-cli --example downstream -- plugins --validate`:
//! the check fails and names the crate, where without `main_with` it would
//! pass and the crate's names would simply be unknown.
//!
//! A real binary passes each plugin crate's `link()`, which also anchors
//! the crate: `aiperf_cli::main_with(&[my_timing_plugin::link()])`.

fn main() -> std::process::ExitCode {
    aiperf_cli::main_with(&["my-timing-plugin"])
}
