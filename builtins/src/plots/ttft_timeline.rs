//! `ttft_timeline`: each request's TTFT and latency over the run.

use std::path::{Path, PathBuf};

use aiperf_plugin_api::{Plot, PlotArgs, PlotCategory, PlotData, PlotRequest};
use plotters::prelude::*;
use registry_core::{BoxError, Implementation};

use super::{
    FONT, MAX_SCATTER_REQUESTS, SIZE, axis_range, count_of, drawing_error, format_count,
    format_tick, no_settings, title, write_svg,
};

/// Colours: TTFT blue, latency orange, failures red.
const TTFT: RGBColor = RGBColor(31, 119, 180);
const LATENCY: RGBColor = RGBColor(255, 127, 14);
const FAILED: RGBColor = RGBColor(214, 39, 40);

/// Writes `ttft_timeline.svg`: a scatter of each request's time to first
/// token and request latency (ms) against when it was sent (seconds since
/// the first request). Failed requests are red crosses at the time they
/// took to fail. A run of more than [`MAX_SCATTER_REQUESTS`] successful
/// requests is shown by every k-th of them (failures by every k-th beyond a
/// quarter of that), which the caption says.
#[derive(Debug, Clone, Copy, Default)]
pub struct TtftTimeline;

/// The points to draw, in (seconds since the first request, ms).
#[derive(Debug, Default)]
struct Points {
    ttft: Vec<(f64, f64)>,
    latency: Vec<(f64, f64)>,
    failed: Vec<(f64, f64)>,
    /// The successful and failed requests of the run, all of them.
    ok_total: usize,
    failed_total: usize,
    /// Every `stride`-th successful (`failed_stride`-th failed) request is shown.
    stride: usize,
    failed_stride: usize,
}

impl Points {
    fn of(requests: &[PlotRequest]) -> Points {
        let first = requests.iter().map(|r| r.start_ns).min().unwrap_or(0);
        let seconds = |r: &PlotRequest| r.start_ns.saturating_sub(first) as f64 / 1e9;
        let ok_total = requests.iter().filter(|r| !r.failed).count();
        let failed_total = requests.len() - ok_total;
        let stride = ok_total.div_ceil(MAX_SCATTER_REQUESTS).max(1);
        let failed_stride = failed_total.div_ceil(MAX_SCATTER_REQUESTS / 4).max(1);
        let mut points = Points {
            ok_total,
            failed_total,
            stride,
            failed_stride,
            ..Points::default()
        };
        for r in requests.iter().filter(|r| !r.failed).step_by(stride) {
            let x = seconds(r);
            if let Some(ttft) = r.time_to_first_token_ms.filter(|v| v.is_finite()) {
                points.ttft.push((x, ttft));
            }
            if let Some(latency) = r.request_latency_ms.filter(|v| v.is_finite()) {
                points.latency.push((x, latency));
            }
        }
        for r in requests.iter().filter(|r| r.failed).step_by(failed_stride) {
            // A failed request has no latency metric: the time until its
            // error, from its timestamps.
            let elapsed = r
                .request_latency_ms
                .filter(|v| v.is_finite())
                .unwrap_or(r.end_ns.saturating_sub(r.start_ns) as f64 / 1e6);
            points.failed.push((seconds(r), elapsed));
        }
        points
    }

    /// What the caption says under the title.
    fn caption(&self) -> String {
        let what = if self.ttft.is_empty() {
            "Request latency of each request (no TTFT: the run was not streamed)"
        } else {
            "Time to first token and request latency of each request"
        };
        let mut caption = format!("{what}: {}", count_of(self.ok_total, "request"));
        if self.failed_total > 0 {
            caption += &format!(", {} failed", format_count(self.failed_total));
        }
        if self.stride > 1 {
            caption += &format!(
                "; every {} shown",
                ordinal(self.stride, "successful request")
            );
        }
        if self.failed_stride > 1 {
            caption += &format!(
                "; every {} shown",
                ordinal(self.failed_stride, "failed request")
            );
        }
        caption
    }
}

/// `10th successful request`, `2nd failed request`.
fn ordinal(n: usize, what: &str) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix} {what}")
}

impl Plot for TtftTimeline {
    fn render(&self, data: &PlotData, dir: &Path) -> Result<Vec<PathBuf>, BoxError> {
        if data.requests.is_empty() {
            return Err("ttft_timeline: the run has no requests: nothing to plot".into());
        }
        let points = Points::of(&data.requests);
        let mut svg = String::new();
        draw(data, &points, &mut svg).map_err(|e| drawing_error("ttft_timeline", e))?;
        Ok(vec![write_svg(dir, "ttft_timeline.svg", &svg)?])
    }
}

fn draw(
    data: &PlotData,
    points: &Points,
    svg: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let all = || {
        points
            .ttft
            .iter()
            .chain(&points.latency)
            .chain(&points.failed)
    };
    let x_max = all().map(|p| p.0).fold(0.0, f64::max);
    let y_max = all().map(|p| p.1).fold(0.0, f64::max);
    let (x_low, x_high) = axis_range(0.0, x_max * 1.02);
    // Headroom above the points for the legend.
    let (y_low, y_high) = axis_range(0.0, y_max * 1.3);

    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title(data), (FONT, 22))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(points.caption(), (FONT, 16))
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(x_low..x_high, y_low..y_high)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .x_desc("Time since the first request (s)")
        .y_desc("Latency (ms)")
        .x_label_formatter(&|v| format_tick(*v))
        .y_label_formatter(&|v| format_tick(*v))
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .draw()?;

    let shown = points.latency.len().max(points.ttft.len());
    let radius = if shown > 2_000 { 2 } else { 3 };
    let series = [
        ("Request latency", points.latency.as_slice(), LATENCY),
        ("Time to first token", points.ttft.as_slice(), TTFT),
    ];
    for (label, xy, color) in series {
        if xy.is_empty() {
            continue;
        }
        let style = color.mix(0.75).filled();
        chart
            .draw_series(xy.iter().map(|&p| Circle::new(p, radius, style)))?
            .label(label)
            .legend(move |(x, y)| Circle::new((x, y), 4, color.filled()));
    }
    if !points.failed.is_empty() {
        let style = FAILED.stroke_width(2);
        chart
            .draw_series(points.failed.iter().map(|&p| Cross::new(p, 4, style)))?
            .label("Failed (time until the error)")
            .legend(move |(x, y)| Cross::new((x, y), 4, FAILED.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    root.present()?;
    Ok(())
}

impl Implementation<PlotCategory> for TtftTimeline {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Scatter of each request's TTFT and latency against its \
         start time, failures marked (ttft_timeline.svg).";

    fn create(args: PlotArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(TtftTimeline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plots::test_support::{large_run, read_svg, request, small_run, temp_dir, texts};

    #[test]
    fn draws_ttft_latency_and_failures_against_time() {
        let dir = temp_dir("ttft-timeline");
        let written = TtftTimeline.render(&small_run(), &dir).unwrap();
        assert_eq!(written, [dir.join("ttft_timeline.svg")]);
        let svg = read_svg(&written[0]);
        let texts = texts(&svg);
        for wanted in [
            "chat · demo · 4 concurrent",
            "Time to first token and request latency of each request: 20 requests, 1 failed",
            "Time since the first request (s)",
            "Latency (ms)",
            "Request latency",
            "Time to first token",
            "Failed (time until the error)",
        ] {
            assert!(texts.iter().any(|t| t == wanted), "{wanted:?} in {texts:?}");
        }
        // 20 + 20 points and their 2 legend markers; one cross and its marker.
        assert_eq!(svg.matches("<circle").count(), 42);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn points_are_seconds_since_the_first_request() {
        let points = Points::of(&small_run().requests);
        assert_eq!(points.latency.first(), Some(&(0.0, 60.0)));
        assert_eq!(points.ttft.last(), Some(&(1.9, 39.0)));
        assert_eq!(points.failed, [(0.95, 3.0)]);
    }

    #[test]
    fn one_request_and_an_unstreamed_run() {
        let dir = temp_dir("ttft-timeline-one");
        let mut one = request(0, 40.0, 10.0, 1.0);
        one.time_to_first_token_ms = None;
        let data = PlotData {
            title: "one".into(),
            requests: vec![one],
        };
        let texts = texts(&read_svg(&TtftTimeline.render(&data, &dir).unwrap()[0]));
        let caption =
            "Request latency of each request (no TTFT: the run was not streamed): 1 request";
        assert!(texts.iter().any(|t| t == caption), "{texts:?}");
        assert!(
            !texts.iter().any(|t| t == "Time to first token"),
            "{texts:?}"
        );
        let empty = PlotData::default();
        let e = TtftTimeline.render(&empty, &dir).unwrap_err().to_string();
        assert!(e.contains("no requests"), "{e}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_huge_run_is_downsampled_and_says_so() {
        let dir = temp_dir("ttft-timeline-huge");
        let data = large_run(100_000);
        let svg = read_svg(&TtftTimeline.render(&data, &dir).unwrap()[0]);
        // 10,000 requests shown: two points each, plus two legend markers.
        assert_eq!(svg.matches("<circle").count(), 20_002);
        let texts = texts(&svg);
        let caption = "Time to first token and request latency of each request: \
                       100,000 requests; every 10th successful request shown";
        assert!(texts.iter().any(|t| t == caption), "{texts:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101]
            .iter()
            .map(|&n| ordinal(n, "x"))
            .collect();
        assert_eq!(
            got,
            [
                "1st x", "2nd x", "3rd x", "4th x", "11th x", "12th x", "13th x", "21st x",
                "22nd x", "101st x"
            ]
        );
    }
}
