//! `console_exporter`: what a finished run prints (AIPerf's metrics table,
//! its error summary).

use registry_core::{BoxError, Factory, declare_category};

use crate::data_exporter::ExportRun;

/// Renders part of a run's summary as text for the terminal.
///
/// # When it is called
///
/// Once per run, after the data exporters, in the order the configuration
/// lists the console exporters; their texts are printed one after another.
/// Server-chosen text (error messages) must be shown escaped: the CLI
/// escapes control characters in the whole output as well. An error is
/// reported and the others still print.
pub trait ConsoleExporter: Send + Sync {
    /// The text to print (empty: nothing to say, e.g. no errors).
    fn render(&self, run: &ExportRun<'_>) -> Result<String, BoxError>;
}

/// Constructor arguments of every console exporter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsoleExporterArgs {
    /// The exporter's own settings; `null` means defaults.
    pub config: serde_json::Value,
}

declare_category! {
    /// The `console_exporter` category: the end-of-run summary.
    pub struct ConsoleExporterCategory {
        name: "console_exporter",
        title: "Console exporters",
        description: "Print a run's summary (AIPerf's metrics table, the errors grouped by kind).",
        object: dyn ConsoleExporter,
        args: ConsoleExporterArgs,
        metadata: (),
        internal: false,
    }
}

/// `ConsoleExporterFactory::create_instance("metrics", args)`.
pub type ConsoleExporterFactory = Factory<ConsoleExporterCategory>;
