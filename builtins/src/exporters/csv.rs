//! `csv`: one row per metric, in the column layout of AIPerf's CSV export.

use std::path::{Path, PathBuf};

use registry_core::{BoxError, Implementation};

use super::{no_settings, write_file};
use aiperf_plugin_api::stats::{BenchmarkResults, Percentiles};
use aiperf_plugin_api::{Exporter, ExporterArgs, ExporterCategory, ExporterMetadata};

/// Writes `profile_export_aiperf.csv`: distributions first
/// (`phase,metric,avg,min,max,p99,p90,p50`), then a blank line and the
/// scalar metrics (`phase,metric,value`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Csv;

const DISTRIBUTION_HEADER: &str = "Phase,Metric,avg,min,max,p99,p90,p50";
const SCALAR_HEADER: &str = "Phase,Metric,Value";

/// Quotes a field when RFC 4180 requires it.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn render(results: &BenchmarkResults) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push_str("\r\n");
    };
    line(DISTRIBUTION_HEADER.to_owned());
    for stats in &results.phases {
        let distributions: [(&str, &Option<Percentiles>); 2] = [
            ("Request Latency (ms)", &stats.latency_ms),
            ("Time to First Token (ms)", &stats.time_to_first_token_ms),
        ];
        for (metric, p) in distributions {
            if let Some(p) = p {
                line(format!(
                    "{},{metric},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3}",
                    stats.phase, p.mean, p.min, p.max, p.p99, p.p90, p.p50
                ));
            }
        }
    }
    line(String::new());
    line(SCALAR_HEADER.to_owned());
    for stats in &results.phases {
        let mut scalar = |metric: &str, value: String| {
            line(format!("{},{metric},{value}", stats.phase));
        };
        scalar("Requests Sent", stats.sent.to_string());
        scalar("Requests Completed", stats.completed.to_string());
        scalar("Requests Failed", stats.failed.to_string());
        scalar("Duration (s)", format!("{:.3}", stats.duration_s));
        scalar(
            "Request Throughput (req/s)",
            format!("{:.3}", stats.request_throughput),
        );
        scalar(
            "Output Token Throughput (tokens/s)",
            format!("{:.3}", stats.output_token_throughput),
        );
        scalar("Output Tokens", stats.output_tokens.to_string());
        for (message, count) in &stats.errors {
            scalar(&field(&format!("Error: {message}")), count.to_string());
        }
    }
    out
}

impl Exporter for Csv {
    fn export(&self, results: &BenchmarkResults, dir: &Path) -> Result<PathBuf, BoxError> {
        let file_name = <Csv as Implementation<ExporterCategory>>::METADATA.file_name;
        write_file(dir, file_name, render(results).as_bytes())
    }
}

impl Implementation<ExporterCategory> for Csv {
    const METADATA: ExporterMetadata = ExporterMetadata {
        file_name: "profile_export_aiperf.csv",
    };
    const DESCRIPTION: &'static str = "Metrics as CSV rows (AIPerf's column layout).";

    fn create(args: ExporterArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(Csv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::test_support::{results, temp_dir};

    #[test]
    fn writes_distributions_then_scalars() {
        let dir = temp_dir("csv");
        let path = Csv.export(&results(), &dir).unwrap();
        assert_eq!(path, dir.join("profile_export_aiperf.csv"));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines,
            [
                DISTRIBUTION_HEADER,
                "profiling,Request Latency (ms),20.000,10.000,30.000,30.000,30.000,10.000",
                "profiling,Time to First Token (ms),10.000,5.000,15.000,15.000,15.000,5.000",
                "",
                SCALAR_HEADER,
                "profiling,Requests Sent,3",
                "profiling,Requests Completed,2",
                "profiling,Requests Failed,1",
                "profiling,Duration (s),2.000",
                "profiling,Request Throughput (req/s),1.000",
                "profiling,Output Token Throughput (tokens/s),8.000",
                "profiling,Output Tokens,16",
                "profiling,\"Error: HTTP 500, \"\"overloaded\"\"\",1",
                "",
            ]
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn rejects_settings() {
        let e = Csv::create(ExporterArgs {
            config: serde_json::json!({"delimiter": ";"}),
        })
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `delimiter`"), "{e}");
    }
}
