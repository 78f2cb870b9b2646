//! `itl_histogram`: the distribution of inter-token latency.

use std::path::{Path, PathBuf};

use aiperf_plugin_api::{Plot, PlotArgs, PlotCategory, PlotData};
use registry_core::{BoxError, Implementation};

use super::histogram::{self, HistogramSpec};
use super::{count_of, finite_sorted, format_count, no_settings};

/// Writes `itl_histogram.svg`: a histogram of the inter-token latency of
/// each successful request (AIPerf's per-request `inter_token_latency`, one
/// value a request), with its p50, p90 and p99 marked. A run in which no
/// request has one (it was not streamed, or every answer was one token) is
/// refused and nothing is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct ItlHistogram;

impl Plot for ItlHistogram {
    fn render(&self, data: &PlotData, dir: &Path) -> Result<Vec<PathBuf>, BoxError> {
        let successful = data.requests.iter().filter(|r| !r.failed);
        let values = finite_sorted(successful.filter_map(|r| r.inter_token_latency_ms));
        let ok = data.requests.iter().filter(|r| !r.failed).count();
        if ok == 0 {
            return Err(format!(
                "itl_histogram: all {} requests failed: no inter-token latency to plot",
                data.requests.len()
            )
            .into());
        }
        if values.is_empty() {
            return Err(format!(
                "itl_histogram: none of the {} successful requests has an inter-token latency \
                 (inter_token_latency): the run was not streamed, or every answer was a single \
                 token; nothing written. Profile with --streaming to measure it",
                ok
            )
            .into());
        }
        let without = match ok - values.len() {
            0 => String::new(),
            n => format!(
                "; {} without one (a single token), not shown",
                format_count(n)
            ),
        };
        let spec = HistogramSpec {
            name: "itl_histogram",
            x_label: "Inter-token latency (ms)",
            caption: format!(
                "Inter-token latency of {} (one value a request){without}",
                count_of(values.len(), "request")
            ),
        };
        histogram::render(&spec, data, &values, dir)
    }
}

impl Implementation<PlotCategory> for ItlHistogram {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Histogram of per-request inter-token latency with \
         p50/p90/p99 marks (itl_histogram.svg); streamed runs only.";

    fn create(args: PlotArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(ItlHistogram)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plots::test_support::{failed, read_svg, small_run, temp_dir, texts};

    #[test]
    fn draws_the_itl_distribution_with_labelled_percentiles() {
        let dir = temp_dir("itl-histogram");
        let written = ItlHistogram.render(&small_run(), &dir).unwrap();
        assert_eq!(written, [dir.join("itl_histogram.svg")]);
        let texts = texts(&read_svg(&written[0]));
        for wanted in [
            "Inter-token latency (ms)",
            "Requests",
            "Inter-token latency of 20 requests (one value a request)",
            // ITLs 1.00, 1.04, ..., 1.76 ms: numpy's p50 1.38, p90 1.684, p99 1.7524.
            "p50 1.38 ms",
            "p90 1.68 ms",
            "p99 1.75 ms",
        ] {
            assert!(texts.iter().any(|t| t == wanted), "{wanted:?} in {texts:?}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_a_run_that_was_not_streamed() {
        let dir = temp_dir("itl-histogram-unstreamed");
        let mut data = small_run();
        for request in &mut data.requests {
            request.inter_token_latency_ms = None;
            request.time_to_first_token_ms = None;
        }
        let e = ItlHistogram.render(&data, &dir).unwrap_err().to_string();
        assert!(
            e.contains("none of the 20 successful requests has an inter-token latency"),
            "{e}"
        );
        assert!(e.contains("not streamed"), "{e}");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            0,
            "nothing written"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_run_whose_every_request_failed_says_so() {
        let dir = temp_dir("itl-histogram-failed");
        let data = PlotData {
            title: "refused".into(),
            requests: vec![failed(0, 1), failed(5, 1)],
        };
        let e = ItlHistogram.render(&data, &dir).unwrap_err().to_string();
        assert!(e.contains("all 2 requests failed"), "{e}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
