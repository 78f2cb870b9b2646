//! `exporter`: writes a run's results to files.

use std::path::{Path, PathBuf};

use registry_core::{BoxError, Factory, declare_category};
use serde::Serialize;

use crate::stats::BenchmarkResults;

/// Writes results somewhere under an output directory.
///
/// # When it is called
///
/// [`export`](Exporter::export) once per run, after the last phase (also
/// after an interrupted run, with what was measured), in the order the
/// configuration lists the exporters. An error is reported and the other
/// exporters still run.
pub trait Exporter: Send + Sync {
    /// Writes `results` into `dir` (which exists) and returns the file written.
    fn export(&self, results: &BenchmarkResults, dir: &Path) -> Result<PathBuf, BoxError>;
}

/// Constructor arguments of every exporter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExporterArgs {
    /// The exporter's own settings; `null` means defaults.
    pub config: serde_json::Value,
}

/// What an exporter declares about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExporterMetadata {
    /// The name of the file it writes.
    pub file_name: &'static str,
}

declare_category! {
    /// The `exporter` category: result files.
    pub struct ExporterCategory {
        name: "exporter",
        title: "Exporters",
        description: "Write a run's results to files (JSON, CSV).",
        object: dyn Exporter,
        args: ExporterArgs,
        metadata: ExporterMetadata,
        internal: false,
    }
}

/// `ExporterFactory::create_instance("json", args)`.
pub type ExporterFactory = Factory<ExporterCategory>;
