//! Builtin exporters: result files in AIPerf's names.

mod csv;
mod json;

pub use csv::Csv;
pub use json::Json;

use std::path::{Path, PathBuf};

use registry_core::BoxError;

/// Writes `contents` to `dir/file_name` atomically, with the path in the
/// error.
fn write_file(dir: &Path, file_name: &str, contents: &[u8]) -> Result<PathBuf, BoxError> {
    aiperf_plugin_api::exporter::write_atomically(dir, file_name, contents)
}

/// Rejects any config: these exporters have no settings.
fn no_settings(config: &serde_json::Value) -> Result<(), BoxError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoSettings {}
    aiperf_plugin_api::config::parse_config::<NoSettings>(config).map(drop)
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::path::PathBuf;
    use std::time::Duration;

    use aiperf_plugin_api::stats::{BenchmarkResults, Phase, PhaseStats, RequestRecord};

    /// A fresh, empty directory under the system temp dir.
    pub(crate) fn temp_dir(test: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("aiperf-builtins-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub(crate) fn results() -> BenchmarkResults {
        let ok = |ms| RequestRecord {
            latency: Duration::from_millis(ms),
            time_to_first_token: Some(Duration::from_millis(ms / 2)),
            output_tokens: 8,
            error: None,
            ..RequestRecord::default()
        };
        let failed = RequestRecord {
            latency: Duration::from_millis(1),
            time_to_first_token: None,
            output_tokens: 0,
            error: Some("HTTP 500, \"overloaded\"".into()),
            ..RequestRecord::default()
        };
        BenchmarkResults {
            endpoint: "chat".into(),
            model: "demo".into(),
            transport: "in_engine".into(),
            urls: Vec::new(),
            interrupted: false,
            phases: vec![PhaseStats::from_records(
                Phase::Profiling,
                &[ok(10), ok(30), failed],
                Duration::from_secs(2),
            )],
        }
    }
}
