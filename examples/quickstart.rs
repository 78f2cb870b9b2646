//! A complete application in one file: declare a category, register a
//! builtin and two plugins, then look up, override and inspect.
//!
//! Run: `cargo run --example quickstart`
//! Try: `QUICKSTART_USE=compressor.fast=lz_builtin cargo run --example quickstart`

use registry_core::{BoxError, Factory, Implementation, declare_category, register_lazy};

/// The category's trait: what every implementation does.
pub trait Compress: Send + Sync {
    /// Compresses `input`; here a toy run-length encoding at different effort levels.
    fn compress(&self, input: &str) -> String;
}

/// Typed metadata, readable without constructing anything.
#[derive(Debug, serde::Serialize)]
pub struct CompressorMeta {
    /// Whether output can be decompressed by the builtin.
    pub compatible: bool,
}

declare_category! {
    /// Compressors.
    pub struct Compressors {
        name: "compressor",
        title: "Compressors",
        description: "Turn long strings into short ones.",
        object: dyn Compress,
        args: u8,
        metadata: CompressorMeta,
        internal: false,
    }
}

/// The AIPerf-style name of the factory.
pub type CompressorFactory = Factory<Compressors>;

/// The builtin.
pub struct RunLength {
    level: u8,
}

impl Compress for RunLength {
    fn compress(&self, input: &str) -> String {
        let mut out = String::new();
        let mut chars = input.chars().peekable();
        while let Some(c) = chars.next() {
            let mut n = 1;
            while chars.peek() == Some(&c) {
                chars.next();
                n += 1;
            }
            if n > 1 || self.level > 5 {
                out.push_str(&n.to_string());
            }
            out.push(c);
        }
        out
    }
}

impl Implementation<Compressors> for RunLength {
    const METADATA: CompressorMeta = CompressorMeta { compatible: true };
    const DESCRIPTION: &'static str = "Run-length encoding.";
    fn create(level: u8) -> Result<Self, BoxError> {
        if level > 9 {
            return Err(format!("level {level} is out of range 0..=9").into());
        }
        Ok(RunLength { level })
    }
}

/// A "plugin" that only uppercases (fast, not compatible).
pub struct Shout;

impl Compress for Shout {
    fn compress(&self, input: &str) -> String {
        input.to_uppercase()
    }
}

impl Implementation<Compressors> for Shout {
    const METADATA: CompressorMeta = CompressorMeta { compatible: false };
    const DESCRIPTION: &'static str = "Not compression at all.";
    fn create(_: u8) -> Result<Self, BoxError> {
        Ok(Shout)
    }
}

// The registry: one line per registration.
register_lazy!(
    Compressors,
    "fast",
    RunLength,
    id = "lz_builtin",
    origin = builtin
);
register_lazy!(Compressors, "fast", Shout, id = "shout_plugin");
register_lazy!(Compressors, "best", RunLength, id = "rle", origin = builtin);

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    registry_core::env::apply_env("QUICKSTART")?;

    for name in CompressorFactory::list_names() {
        let selection = CompressorFactory::selection(name)?;
        let info = selection.registration().info();
        println!(
            "{name}: {} ({}, {}) because {}",
            info.identifier(),
            info.origin(),
            info.type_path(),
            selection.reason().explain()
        );
        for candidate in CompressorFactory::list_implementations(name)? {
            let info = candidate.registration().info();
            println!(
                "  {} {:<13} priority {} metadata {:?} loaded {}",
                if candidate.is_selected() { "*" } else { " " },
                info.identifier(),
                info.priority(),
                candidate.registration().metadata(),
                candidate.registration().is_loaded(),
            );
        }
    }

    let fast = CompressorFactory::create_instance("Fast", 3)?;
    println!("fast(\"aaabccc\") = {}", fast.compress("aaabccc"));

    CompressorFactory::use_implementation_by_id("fast", "lz_builtin")?;
    let fast = CompressorFactory::create_instance("fast", 3)?;
    println!(
        "after override: fast(\"aaabccc\") = {}",
        fast.compress("aaabccc")
    );

    match CompressorFactory::create_instance("best", 12) {
        Ok(_) => unreachable!("level 12 is rejected"),
        Err(e) => println!("error: {e}"),
    }
    match CompressorFactory::create_instance("fastest", 1) {
        Ok(_) => unreachable!("not registered"),
        Err(e) => println!("error: {e}"),
    }
    Ok(())
}
