//! `latency_histogram`: the distribution of request latency.

use std::path::{Path, PathBuf};

use aiperf_plugin_api::{Plot, PlotArgs, PlotCategory, PlotData};
use registry_core::{BoxError, Implementation};

use super::histogram::{self, HistogramSpec};
use super::{count_of, finite_sorted, format_count, no_settings};

/// Writes `latency_histogram.svg`: a histogram of the request latency of
/// every request that succeeded, with its p50, p90 and p99 marked.
/// Failed requests have no latency and are only counted in the caption.
#[derive(Debug, Clone, Copy, Default)]
pub struct LatencyHistogram;

impl Plot for LatencyHistogram {
    fn render(&self, data: &PlotData, dir: &Path) -> Result<Vec<PathBuf>, BoxError> {
        let ok = data.requests.iter().filter(|r| !r.failed);
        let values = finite_sorted(ok.filter_map(|r| r.request_latency_ms));
        let failed = data.requests.iter().filter(|r| r.failed).count();
        if values.is_empty() {
            return Err(format!(
                "latency_histogram: no request has a request latency ({} requests, {failed} failed): \
                 nothing to plot; a run needs at least one successful request",
                data.requests.len()
            )
            .into());
        }
        let failed_note = match failed {
            0 => String::new(),
            n => format!("; {} failed, not shown", format_count(n)),
        };
        let spec = HistogramSpec {
            name: "latency_histogram",
            x_label: "Request latency (ms)",
            caption: format!(
                "Request latency of {}{failed_note}",
                count_of(values.len(), "request")
            ),
        };
        histogram::render(&spec, data, &values, dir)
    }
}

impl Implementation<PlotCategory> for LatencyHistogram {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "Histogram of request latency with p50/p90/p99 marks (latency_histogram.svg).";

    fn create(args: PlotArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(LatencyHistogram)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plots::test_support::{
        failed, large_run, read_svg, request, small_run, temp_dir, texts,
    };

    #[test]
    fn draws_the_latency_distribution_with_labelled_percentiles() {
        let dir = temp_dir("latency-histogram");
        let data = small_run();
        let written = LatencyHistogram.render(&data, &dir).unwrap();
        assert_eq!(written, [dir.join("latency_histogram.svg")]);
        let svg = read_svg(&written[0]);
        let texts = texts(&svg);
        for wanted in [
            "chat · demo · 4 concurrent",
            "Request latency of 20 requests; 1 failed, not shown",
            "Request latency (ms)",
            "Requests",
        ] {
            assert!(texts.iter().any(|t| t == wanted), "{wanted:?} in {texts:?}");
        }
        // Latencies 60, 62, ..., 98 ms: numpy's p50 79, p90 94.2, p99 97.62.
        for wanted in ["p50 79.0 ms", "p90 94.2 ms", "p99 97.6 ms"] {
            assert!(texts.iter().any(|t| t == wanted), "{wanted:?} in {texts:?}");
        }
        // No leftover temporary file.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn one_request_is_a_histogram_of_one() {
        let dir = temp_dir("latency-histogram-one");
        let data = PlotData {
            title: String::new(),
            requests: vec![request(0, 12.5, 3.0, 1.0)],
        };
        let svg = read_svg(&LatencyHistogram.render(&data, &dir).unwrap()[0]);
        let texts = texts(&svg);
        assert!(texts.iter().any(|t| t == "aiperf run"), "{texts:?}");
        assert!(texts.iter().any(|t| t == "p99 12.5 ms"), "{texts:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_a_run_without_a_successful_request() {
        let dir = temp_dir("latency-histogram-none");
        for requests in [Vec::new(), vec![failed(0, 5), failed(10, 5)]] {
            let n = requests.len();
            let data = PlotData {
                title: "t".into(),
                requests,
            };
            let e = LatencyHistogram
                .render(&data, &dir)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(&format!(
                    "no request has a request latency ({n} requests, {n} failed)"
                )),
                "{e}"
            );
        }
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            0,
            "nothing written"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_huge_run_is_drawn_in_bins_not_per_request() {
        let dir = temp_dir("latency-histogram-huge");
        let svg = read_svg(&LatencyHistogram.render(&large_run(100_000), &dir).unwrap()[0]);
        // Two rectangles per bin at most, whatever the number of requests.
        assert!(svg.matches("<rect").count() <= 2 * 100 + 2, "{}", svg.len());
        let texts = texts(&svg);
        assert!(
            texts
                .iter()
                .any(|t| t == "Request latency of 100,000 requests"),
            "{texts:?}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_settings() {
        let args = PlotArgs {
            config: serde_json::json!({"bins": 10}),
        };
        assert!(LatencyHistogram::create(args).is_err());
        assert!(LatencyHistogram::create(PlotArgs::default()).is_ok());
    }
}
