//! `metrics`: AIPerf's metrics table, with a header that names what each
//! part of the run resolved to.

use std::fmt::Write as _;

use registry_core::{BoxError, Implementation};

use super::{BoxTable, number};
use crate::exporters::{labelled, no_settings, profiling};
use aiperf_plugin_api::metrics::MetricValue;
use aiperf_plugin_api::{ConsoleExporter, ConsoleExporterArgs, ConsoleExporterCategory, ExportRun};

/// Prints the profiling phase's metrics as AIPerf's console does (metric
/// with its unit, `avg`, `min`, `max`, `p99`, `p90`, `p50`, `std`; run-level
/// values with `N/A` statistics), after a header line per phase and the
/// parts of the run: each name with the implementation it resolved to and
/// its crate. A part a plugin crate provides is called out, since it
/// silently replaces the builtin of the same name (e.g. `endpoint chat`
/// becoming `nvidia_optimized`, which changes every request).
#[derive(Debug, Clone, Copy, Default)]
pub struct Metrics;

/// Per-request metrics the main table leaves out (they have their own
/// tables in AIPerf: usage, HTTP trace).
fn in_main_table(tag: &str) -> bool {
    !tag.starts_with("http_req_")
        && !tag.starts_with("usage_")
        && !tag.starts_with("total_")
        && !matches!(
            tag,
            "good_request_count"
                | "good_request_fraction"
                | "error_request_count"
                | "benchmark_duration"
                | "total_token_throughput"
        )
}

impl ConsoleExporter for Metrics {
    fn render(&self, run: &ExportRun<'_>) -> Result<String, BoxError> {
        let results = run.results;
        let mut out = String::new();
        let parts: Vec<String> = results
            .parts
            .iter()
            .map(|p| {
                format!(
                    "{} {} = {} ({})",
                    p.category, p.name, p.identifier, p.package
                )
            })
            .collect();
        if !parts.is_empty() {
            let _ = writeln!(out, "parts: {}", parts.join(", "));
        }
        for part in results.parts.iter().filter(|p| p.origin == "plugin") {
            let _ = writeln!(
                out,
                "note: {} {:?} is the plugin implementation {:?} from {}, not the builtin",
                part.category, part.name, part.identifier, part.package
            );
        }
        for stats in &results.phases {
            let cancelled = if stats.cancelled > 0 {
                format!(", {} cancelled", stats.cancelled)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{} phase: {} sent, {} ok, {} failed{cancelled} in {:.2} s",
                stats.phase, stats.sent, stats.completed, stats.failed, stats.duration_s
            );
        }
        let Some(stats) = profiling(run) else {
            return Ok(out);
        };
        let mut table = BoxTable::new(
            "aiperf | LLM Metrics",
            &["Metric", "avg", "min", "max", "p99", "p90", "p50", "std"],
        );
        for metric in stats.metrics.iter().filter(|m| in_main_table(m.def.tag)) {
            let mut row = vec![labelled(metric.def)];
            match &metric.value {
                MetricValue::Stats(s) => {
                    row.extend([s.avg, s.min, s.max, s.p99, s.p90, s.p50, s.std].map(number));
                }
                MetricValue::Value(v) => {
                    row.push(number(*v));
                    row.extend(std::iter::repeat_n("N/A".to_owned(), 6));
                }
            }
            table.row(row);
        }
        out.push('\n');
        out += &table.render();
        Ok(out)
    }
}

impl Implementation<ConsoleExporterCategory> for Metrics {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "AIPerf's metrics table (avg, min, max, p99, p90, p50, std), after the parts each name resolved to.";

    fn create(args: ConsoleExporterArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(Metrics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::test_support::{Fixture, records};
    use aiperf_plugin_api::stats::ResolvedPart;

    #[test]
    fn the_table_and_the_parts_are_printed() {
        let mut fixture = Fixture::of(records());
        fixture.results.parts = vec![ResolvedPart {
            category: "endpoint",
            name: "chat".into(),
            identifier: "nvidia_optimized",
            origin: "plugin",
            package: "aiperf-plugin-nvidia-optimized 0.1.0".into(),
        }];
        let run = fixture.run();
        let text = Metrics.render(&run).unwrap();
        assert!(
            text.contains(
                "parts: endpoint chat = nvidia_optimized (aiperf-plugin-nvidia-optimized 0.1.0)"
            ),
            "{text}"
        );
        assert!(
            text.contains("note: endpoint \"chat\" is the plugin implementation"),
            "{text}"
        );
        assert!(
            text.contains("profiling phase: 3 sent, 2 ok, 1 failed"),
            "{text}"
        );
        assert!(text.contains("aiperf | LLM Metrics"), "{text}");
        let cells = |label: &str| -> Vec<String> {
            let line = text
                .lines()
                .find(|l| l.contains(label))
                .unwrap_or_else(|| panic!("no {label} row in {text}"));
            line.split('│')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect()
        };
        assert_eq!(
            cells("Request Latency (ms)")[1..],
            [
                "20.00", "10.00", "30.00", "29.80", "28.00", "20.00", "10.00"
            ]
        );
        assert_eq!(
            cells("Request Count")[1..],
            ["2.00", "N/A", "N/A", "N/A", "N/A", "N/A", "N/A"]
        );
    }
}
