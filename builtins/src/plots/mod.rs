//! Builtin plots: SVG charts of a run's requests, drawn with `plotters`.
//!
//! Each plot writes one `<name>.svg` into the directory it is given. Text is
//! written as SVG `<text>` elements and set by the viewer in its own
//! sans-serif font: nothing here reads a font file or needs a browser.
//!
//! Every plot draws a bounded number of SVG elements whatever the run's
//! size: the histograms draw bins, the scatter shows at most
//! [`MAX_SCATTER_REQUESTS`] requests (evenly spaced through the run, which
//! its caption says), the throughput timeline draws one step per time bin.

mod histogram;
mod itl_histogram;
mod latency_histogram;
mod throughput_timeline;
mod ttft_timeline;

pub use itl_histogram::ItlHistogram;
pub use latency_histogram::LatencyHistogram;
pub use throughput_timeline::ThroughputTimeline;
pub use ttft_timeline::TtftTimeline;

use std::path::{Path, PathBuf};

use aiperf_plugin_api::PlotData;
use registry_core::BoxError;

/// The size of every chart, in SVG pixels.
const SIZE: (u32, u32) = (1000, 600);

/// The font family of every text: the viewer's own sans-serif font.
const FONT: &str = "sans-serif";

/// The most requests the TTFT scatter draws; a larger run is shown by every
/// k-th request.
pub const MAX_SCATTER_REQUESTS: usize = 10_000;

// The builtin plots have no settings; the percentile is the metrics' own
// (numpy's linear interpolation), and charts are written like every result
// file: atomically.
use aiperf_plugin_api::config::no_settings;
use aiperf_plugin_api::metrics::percentile_of_sorted as percentile;

/// The chart title: the run's, or a generic one when the run has none.
fn title(data: &PlotData) -> &str {
    let title = data.title.trim();
    if title.is_empty() {
        "aiperf run"
    } else {
        title
    }
}

/// The finite values of `values`, sorted ascending.
fn finite_sorted(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    values.sort_unstable_by(f64::total_cmp);
    values
}

/// A number of milliseconds with as many decimals as its size deserves.
fn format_ms(ms: f64) -> String {
    let abs = ms.abs();
    if abs >= 100.0 {
        format!("{ms:.0}")
    } else if abs >= 10.0 {
        format!("{ms:.1}")
    } else if abs >= 0.1 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.3}")
    }
}

/// `1 request`, `100,000 requests`.
fn count_of(n: usize, noun: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{} {noun}{plural}", format_count(n))
}

/// A count with thousands separators: `100,000`.
fn format_count(n: usize) -> String {
    crate::thousands::count(n as u64)
}

/// An axis tick: short, without trailing zeros (`0.5`, `12`, `12,500`).
fn format_tick(value: f64) -> String {
    let abs = value.abs();
    if abs >= 1_000.0 {
        let sign = if value < 0.0 { "-" } else { "" };
        return format!("{sign}{}", format_count(abs.round() as usize));
    }
    let text = if abs >= 100.0 || abs == 0.0 {
        format!("{value:.0}")
    } else if abs >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.4}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// `(low, high)` widened to a usable axis range: an empty or one-point
/// range becomes a small interval around its value.
fn axis_range(low: f64, high: f64) -> (f64, f64) {
    if high > low {
        return (low, high);
    }
    let pad = (low.abs() * 0.05).max(0.5);
    // A non-negative quantity keeps a non-negative axis.
    let bottom = if low >= 0.0 {
        (low - pad).max(0.0)
    } else {
        low - pad
    };
    (bottom, high + pad)
}

/// Writes `svg` to `dir/file_name` atomically (the exporters' write: a
/// reader never sees half a chart); the error names the path.
fn write_svg(dir: &Path, file_name: &str, svg: &str) -> Result<PathBuf, BoxError> {
    aiperf_plugin_api::data_exporter::write_atomically(dir, file_name, svg.as_bytes())
}

/// A drawing error, with the chart it was drawing.
fn drawing_error(chart: &str, error: impl std::fmt::Display) -> BoxError {
    format!("drawing {chart}: {error}").into()
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::path::{Path, PathBuf};

    use aiperf_plugin_api::{PlotData, PlotRequest};

    /// A fresh, empty directory under the system temp dir.
    pub(crate) fn temp_dir(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "aiperf-builtins-plot-{test}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A streamed request sent `start_ms` after the epoch of the run.
    pub(crate) fn request(
        start_ms: u64,
        latency_ms: f64,
        ttft_ms: f64,
        itl_ms: f64,
    ) -> PlotRequest {
        let start_ns = 1_700_000_000_000_000_000 + start_ms * 1_000_000;
        PlotRequest {
            start_ns,
            end_ns: start_ns + (latency_ms * 1e6) as u64,
            failed: false,
            request_latency_ms: Some(latency_ms),
            time_to_first_token_ms: Some(ttft_ms),
            inter_token_latency_ms: Some(itl_ms),
            inter_chunk_latency_ms: vec![itl_ms; 4],
            output_sequence_length: Some(16.0),
            input_sequence_length: Some(100.0),
        }
    }

    /// A request that failed after `after_ms`.
    pub(crate) fn failed(start_ms: u64, after_ms: u64) -> PlotRequest {
        let start_ns = 1_700_000_000_000_000_000 + start_ms * 1_000_000;
        PlotRequest {
            start_ns,
            end_ns: start_ns + after_ms * 1_000_000,
            failed: true,
            ..PlotRequest::default()
        }
    }

    /// Twenty streamed requests over about two seconds, and one failure.
    pub(crate) fn small_run() -> PlotData {
        let mut requests: Vec<PlotRequest> = (0..20u32)
            .map(|i| {
                let i64 = u64::from(i);
                let f = f64::from(i);
                request(i64 * 100, 60.0 + f * 2.0, 20.0 + f, 1.0 + f * 0.04)
            })
            .collect();
        requests.push(failed(950, 3));
        PlotData {
            title: "chat · demo · 4 concurrent".into(),
            requests,
        }
    }

    /// `n` streamed requests spread over `n / 100` seconds.
    pub(crate) fn large_run(n: u64) -> PlotData {
        PlotData {
            title: "large".into(),
            requests: (0..n)
                .map(|i| {
                    let wobble = (i % 97) as f64;
                    request(
                        i * 10,
                        50.0 + wobble,
                        10.0 + wobble / 4.0,
                        1.0 + wobble / 100.0,
                    )
                })
                .collect(),
        }
    }

    /// The SVG at `path`, checked to be one well-formed `<svg>` document:
    /// it starts with `<svg`, ends with `</svg>`, and its tags nest.
    pub(crate) fn read_svg(path: &Path) -> String {
        let svg = std::fs::read_to_string(path).unwrap();
        assert!(svg.starts_with("<svg"), "{}: {svg:.80}", path.display());
        assert!(svg.trim_end().ends_with("</svg>"), "{}", path.display());
        let mut open: Vec<&str> = Vec::new();
        let mut rest = svg.as_str();
        while let Some(at) = rest.find('<') {
            let end = rest[at..].find('>').expect("an unclosed tag") + at;
            let tag = &rest[at + 1..end];
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(name.trim()), "mismatched </{name}>");
            } else if !tag.ends_with('/') {
                open.push(tag.split_whitespace().next().unwrap());
            }
        }
        assert!(open.is_empty(), "unclosed tags: {open:?}");
        svg
    }

    /// The texts of the SVG's `<text>` elements, unescaped.
    pub(crate) fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .map(|part| {
                let start = part.find('>').unwrap() + 1;
                let end = part.find("</text>").unwrap();
                part[start..end]
                    .trim()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&")
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_matches_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4], [0, 50, 90, 99, 100])
        // = [1.0, 2.5, 3.7, 3.97, 4.0]
        let values = [1.0, 2.0, 3.0, 4.0];
        let got: Vec<f64> = [0.0, 50.0, 90.0, 99.0, 100.0]
            .iter()
            .map(|&p| percentile(&values, p))
            .collect();
        let want = [1.0, 2.5, 3.7, 3.97, 4.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
        }
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        // numpy.percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 1000], 90) = 100.0
        let tail = [
            10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 1000.0,
        ];
        assert!((percentile(&tail, 90.0) - 100.0).abs() < 1e-9);
        assert!((percentile(&tail, 99.0) - 910.0).abs() < 1e-9);
    }

    #[test]
    fn finite_sorted_drops_nan_and_infinity() {
        let values = finite_sorted([3.0, f64::NAN, 1.0, f64::INFINITY, 2.0].into_iter());
        assert_eq!(values, [1.0, 2.0, 3.0]);
    }

    #[test]
    fn axis_ranges_are_never_empty() {
        assert_eq!(axis_range(1.0, 2.0), (1.0, 2.0));
        let (low, high) = axis_range(0.0, 0.0);
        assert!(low == 0.0 && high > 0.0);
        let (low, high) = axis_range(100.0, 100.0);
        assert!(low < 100.0 && high > 100.0);
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(format_tick(0.0), "0");
        assert_eq!(format_tick(0.5), "0.5");
        assert_eq!(format_tick(12.0), "12");
        assert_eq!(format_tick(1.25), "1.25");
        assert_eq!(format_tick(250.0), "250");
        assert_eq!(format_tick(12_500.0), "12,500");
        assert_eq!(format_tick(-2_000.4), "-2,000");
        assert_eq!(format_ms(62.345), "62.3");
        assert_eq!(format_ms(1.5), "1.50");
        assert_eq!(format_ms(1234.4), "1234");
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(100_000), "100,000");
        assert_eq!(format_count(1_234_567), "1,234,567");
        assert_eq!(count_of(1, "request"), "1 request");
        assert_eq!(count_of(2_000, "request"), "2,000 requests");
    }

    #[test]
    fn write_svg_names_the_path_it_cannot_write() {
        let missing = std::env::temp_dir().join("aiperf-no-such-dir-for-plots");
        let e = write_svg(&missing, "x.svg", "<svg/>").unwrap_err();
        assert!(
            e.to_string()
                .contains(&missing.join("x.svg").display().to_string()),
            "{e}"
        );
    }
}
