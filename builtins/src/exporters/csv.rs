//! `csv`: `profile_export_aiperf.csv` in AIPerf 0.13's layout.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use registry_core::{BoxError, Implementation};

use super::{labelled, no_settings, profiling};
use aiperf_plugin_api::data_exporter::write_atomically;
use aiperf_plugin_api::metrics::{MetricResult, MetricValue};
use aiperf_plugin_api::{
    DataExporter, DataExporterArgs, DataExporterCategory, DataExporterMetadata, ExportRun,
};

/// Writes `profile_export_aiperf.csv` as AIPerf does: CRLF lines; first the
/// per-request metrics (`Metric,avg,min,max,sum,p1,p5,p10,p25,p50,p75,p90,
/// p95,p99,std`), then after a blank line the run-level values
/// (`Metric,Value`), each section sorted by metric tag, numbers with two
/// decimals, a metric named with its unit (`Request Latency (ms)`), and
/// AIPerf's (empty) GPU telemetry header last.
#[derive(Debug, Clone, Copy, Default)]
pub struct Csv;

const STATS: [&str; 14] = [
    "avg", "min", "max", "sum", "p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "std",
];

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn render(run: &ExportRun<'_>) -> String {
    let mut out = String::new();
    let metrics: &[MetricResult] = profiling(run)
        .map(|s| s.metrics.as_slice())
        .unwrap_or_default();
    let mut sorted: Vec<&MetricResult> = metrics.iter().collect();
    sorted.sort_by_key(|m| m.def.tag);
    out.push_str("Metric,");
    out.push_str(&STATS.join(","));
    out.push_str("\r\n");
    for metric in sorted
        .iter()
        .filter(|m| matches!(m.value, MetricValue::Stats(_)))
    {
        out.push_str(&field(&labelled(metric.def)));
        for name in STATS {
            let _ = write!(out, ",{:.2}", metric.get(name).unwrap_or(f64::NAN));
        }
        out.push_str("\r\n");
    }
    out.push_str("\r\nMetric,Value\r\n");
    for metric in sorted
        .iter()
        .filter(|m| matches!(m.value, MetricValue::Value(_)))
    {
        let value = metric.get("avg").unwrap_or(f64::NAN);
        let _ = write!(out, "{},{value:.2}\r\n", field(&labelled(metric.def)));
    }
    out.push_str(
        "\r\n\r\nEndpoint,GPU_Index,GPU_Name,GPU_UUID,Platform,Metric,avg,min,max,sum,p1,p5,p10,\
         p25,p50,p75,p90,p95,p99,std\r\n",
    );
    out
}

impl DataExporter for Csv {
    fn export(&self, run: &ExportRun<'_>, dir: &Path) -> Result<PathBuf, BoxError> {
        let name = <Csv as Implementation<DataExporterCategory>>::METADATA.file_name;
        write_atomically(dir, name, render(run).as_bytes())
    }
}

impl Implementation<DataExporterCategory> for Csv {
    const METADATA: DataExporterMetadata = DataExporterMetadata {
        file_name: "profile_export_aiperf.csv",
    };
    const DESCRIPTION: &'static str = "profile_export_aiperf.csv: AIPerf's layout (per-request metrics with statistics, then run-level values).";

    fn create(args: DataExporterArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(Csv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::test_support::{Fixture, records};

    #[test]
    fn sections_rows_and_numbers_are_aiperfs() {
        let records = records();
        let fixture = Fixture::of(records);
        let run = fixture.run();
        let text = render(&run);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "Metric,avg,min,max,sum,p1,p5,p10,p25,p50,p75,p90,p95,p99,std"
        );
        assert!(
            lines.contains(
                &"Request Latency (ms),20.00,10.00,30.00,40.00,10.20,11.00,12.00,15.00,20.00,\
                  25.00,28.00,29.00,29.80,10.00"
            ),
            "{text}"
        );
        let values = lines.iter().position(|l| *l == "Metric,Value").unwrap();
        assert_eq!(lines[values - 1], "");
        assert!(lines[values..].contains(&"Request Count,2.00"), "{text}");
        assert!(
            lines[values..].contains(&"Error Request Count,1.00"),
            "{text}"
        );
        // Sorted by tag within each section.
        let first: Vec<&str> = lines[1..values - 1].to_vec();
        assert!(
            first
                .iter()
                .position(|l| l.starts_with("Inter Token Latency"))
                < first.iter().position(|l| l.starts_with("Request Latency"))
        );
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
        assert!(text.ends_with("p95,p99,std\r\n"));
    }

    #[test]
    fn fields_with_commas_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("x\"y,"), "\"x\"\"y,\"");
    }
}
