//! `json`: the whole results as one JSON document.

use std::path::{Path, PathBuf};

use registry_core::{BoxError, Implementation};

use super::{no_settings, write_file};
use aiperf_plugin_api::stats::BenchmarkResults;
use aiperf_plugin_api::{Exporter, ExporterArgs, ExporterCategory, ExporterMetadata};

/// Writes `profile_export_aiperf.json`: every phase's statistics, pretty-printed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Exporter for Json {
    fn export(&self, results: &BenchmarkResults, dir: &Path) -> Result<PathBuf, BoxError> {
        let mut text = serde_json::to_vec_pretty(results)?;
        text.push(b'\n');
        write_file(
            dir,
            <Json as Implementation<ExporterCategory>>::METADATA.file_name,
            &text,
        )
    }
}

impl Implementation<ExporterCategory> for Json {
    const METADATA: ExporterMetadata = ExporterMetadata {
        file_name: "profile_export_aiperf.json",
    };
    const DESCRIPTION: &'static str = "All results as one JSON document.";

    fn create(args: ExporterArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::test_support::{results, temp_dir};

    #[test]
    fn writes_results_as_json() {
        let dir = temp_dir("json");
        let path = Json.export(&results(), &dir).unwrap();
        assert_eq!(path, dir.join("profile_export_aiperf.json"));
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(value["endpoint"], "chat");
        let phase = &value["phases"][0];
        assert_eq!(phase["phase"], "profiling");
        assert_eq!(
            (phase["completed"].as_u64(), phase["failed"].as_u64()),
            (Some(2), Some(1))
        );
        assert_eq!(phase["latency_ms"]["p99"], 30.0);
        assert_eq!(phase["errors"][0][0], "HTTP 500, \"overloaded\"");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_directory_error_names_the_path() {
        let dir = std::env::temp_dir().join("aiperf-builtins-does-not-exist/nested");
        let e = Json.export(&results(), &dir).unwrap_err().to_string();
        assert!(
            e.starts_with("cannot write ") && e.contains("nested"),
            "{e}"
        );
    }
}
