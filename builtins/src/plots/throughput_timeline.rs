//! `throughput_timeline`: requests and output tokens per second over the run.

use std::path::{Path, PathBuf};

use aiperf_plugin_api::{Plot, PlotArgs, PlotCategory, PlotData, PlotRequest};
use plotters::prelude::*;
use registry_core::{BoxError, Implementation};

use super::{
    FONT, SIZE, count_of, drawing_error, format_count, format_tick, no_settings, title, write_svg,
};

/// Colours: requests blue, tokens green, failures red.
const REQUESTS: RGBColor = RGBColor(31, 119, 180);
const TOKENS: RGBColor = RGBColor(44, 160, 44);
const FAILED: RGBColor = RGBColor(214, 39, 40);

/// The fewest bins a run is cut into: a run shorter than this many
/// seconds gets bins shorter than a second.
const MIN_BINS: f64 = 10.0;

/// The most bins a long run is cut into: beyond it, bins are wider than a
/// second.
const MAX_BINS: f64 = 2_000.0;

/// Writes `throughput_timeline.svg`: requests completed per second (left
/// axis) and output tokens per second (right axis) over the run, in
/// 1-second bins (shorter for a run of less than 10 s, so that it has at
/// least 10 bins; longer for a run of more than 2,000 s, so that it has at
/// most 2,000). A request counts in the bin in which it ended; its output
/// tokens are spread evenly over the time from its first token to its end
/// (a request without a TTFT, not streamed, delivers them at its end).
/// Failed requests per second are drawn too when there are any.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThroughputTimeline;

/// Consecutive time bins from 0 to the run's duration, in seconds.
#[derive(Debug, PartialEq)]
struct Bins {
    /// The nominal width of a bin; the last may be up to 1.5 times longer
    /// (a short remainder is merged into it rather than left as a sliver
    /// whose rate would be noise).
    width: f64,
    /// The `n + 1` edges of the `n` bins.
    edges: Vec<f64>,
}

impl Bins {
    /// Bins over `0..duration` seconds.
    fn over(duration: f64) -> Bins {
        let width = bin_width(duration);
        if duration <= 0.0 {
            return Bins {
                width,
                edges: vec![0.0, width],
            };
        }
        let full = ((duration / width).floor() as usize).max(1);
        let mut edges: Vec<f64> = (0..=full).map(|i| i as f64 * width).collect();
        let rest = duration - full as f64 * width;
        if rest >= width / 2.0 {
            edges.push(duration);
        } else if rest > 0.0 {
            edges[full] = duration;
        }
        Bins { width, edges }
    }

    fn len(&self) -> usize {
        self.edges.len() - 1
    }

    /// The bin that time `t` (seconds) falls in.
    fn index(&self, t: f64) -> usize {
        ((t / self.width).max(0.0) as usize).min(self.len() - 1)
    }

    /// Adds `amount` to `totals`, spread evenly over `from..to` seconds
    /// (all at `to` when the interval is empty).
    fn spread(&self, totals: &mut [f64], amount: f64, from: f64, to: f64) {
        if to <= from {
            totals[self.index(to)] += amount;
            return;
        }
        let (first, last) = (self.index(from), self.index(to));
        let bins = totals[first..=last]
            .iter_mut()
            .zip(self.edges[first..].windows(2));
        for (total, edge) in bins {
            let overlap = to.min(edge[1]) - from.max(edge[0]);
            if overlap > 0.0 {
                *total += amount * overlap / (to - from);
            }
        }
    }

    /// `totals` per bin divided by each bin's width: rates per second.
    fn rates(&self, totals: &[f64]) -> Vec<f64> {
        totals
            .iter()
            .zip(self.edges.windows(2))
            .map(|(total, edge)| total / (edge[1] - edge[0]))
            .collect()
    }

    /// The step line of `rates`: each bin's rate held from its left edge
    /// to its right edge.
    fn steps(&self, rates: &[f64]) -> Vec<(f64, f64)> {
        rates
            .iter()
            .zip(self.edges.windows(2))
            .flat_map(|(&rate, edge)| [(edge[0], rate), (edge[1], rate)])
            .collect()
    }
}

/// One second, or a round width (1, 2 or 5 times a power of ten) that cuts
/// a short run into at least [`MIN_BINS`] bins, or a long one into at most
/// [`MAX_BINS`].
fn bin_width(duration: f64) -> f64 {
    if duration <= 0.0 {
        return 1e-3;
    }
    if duration < MIN_BINS {
        // The largest round width that still gives MIN_BINS bins.
        let target = (duration / MIN_BINS).max(1e-6);
        let power = 10f64.powf(target.log10().floor());
        let step = [5.0, 2.0, 1.0]
            .into_iter()
            .find(|&m| m * power <= target * (1.0 + 1e-9))
            .unwrap_or(1.0);
        return step * power;
    }
    if duration > MAX_BINS {
        // The smallest round width that gives at most MAX_BINS bins.
        let target = duration / MAX_BINS;
        let power = 10f64.powf(target.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .find(|&m| m * power >= target * (1.0 - 1e-9))
            .unwrap_or(10.0);
        return step * power;
    }
    1.0
}

/// `1 s`, `200 ms`, `50 µs`.
fn format_width(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{} s", format_tick(seconds))
    } else if seconds >= 1e-3 {
        format!("{} ms", format_tick(seconds * 1e3))
    } else {
        format!("{} µs", format_tick(seconds * 1e6))
    }
}

/// A run's duration: `2.00 s`, `50.0 ms`, `800 µs`.
fn format_duration(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.1} ms", seconds * 1e3)
    } else {
        format!("{:.0} µs", seconds * 1e6)
    }
}

/// What the chart draws.
#[derive(Debug)]
struct Series {
    bins: Bins,
    duration: f64,
    completed: Vec<f64>,
    /// `None` when no successful request has an output length.
    tokens: Option<Vec<f64>>,
    /// `None` when no request failed.
    failed: Option<Vec<f64>>,
    ok_total: usize,
    failed_total: usize,
}

impl Series {
    fn of(requests: &[PlotRequest]) -> Series {
        let first = requests.iter().map(|r| r.start_ns).min().unwrap_or(0);
        let last = requests
            .iter()
            .map(|r| r.end_ns.max(r.start_ns))
            .max()
            .unwrap_or(0);
        let seconds = |ns: u64| ns.saturating_sub(first) as f64 / 1e9;
        let duration = seconds(last);
        let bins = Bins::over(duration);
        let mut completed = vec![0.0; bins.len()];
        let mut tokens = vec![0.0; bins.len()];
        let mut failed = vec![0.0; bins.len()];
        let (mut ok_total, mut failed_total, mut any_tokens) = (0, 0, false);
        for r in requests {
            let end = seconds(r.end_ns.max(r.start_ns));
            if r.failed {
                failed_total += 1;
                failed[bins.index(end)] += 1.0;
                continue;
            }
            ok_total += 1;
            completed[bins.index(end)] += 1.0;
            let Some(osl) = r
                .output_sequence_length
                .filter(|t| t.is_finite() && *t >= 0.0)
            else {
                continue;
            };
            any_tokens = true;
            let first_token = match r.time_to_first_token_ms.filter(|t| t.is_finite()) {
                Some(ttft) => (seconds(r.start_ns) + ttft / 1e3).min(end),
                None => end,
            };
            bins.spread(&mut tokens, osl, first_token, end);
        }
        Series {
            completed: bins.rates(&completed),
            tokens: any_tokens.then(|| bins.rates(&tokens)),
            failed: (failed_total > 0).then(|| bins.rates(&failed)),
            bins,
            duration,
            ok_total,
            failed_total,
        }
    }

    fn caption(&self) -> String {
        let mut caption = format!(
            "Requests completed{} per second, in {} bins: {}",
            if self.tokens.is_some() {
                " and output tokens"
            } else {
                ""
            },
            format_width(self.bins.width),
            count_of(self.ok_total, "request"),
        );
        if self.failed_total > 0 {
            caption += &format!(", {} failed", format_count(self.failed_total));
        }
        caption + &format!(", over {}", format_duration(self.duration))
    }
}

impl Plot for ThroughputTimeline {
    fn render(&self, data: &PlotData, dir: &Path) -> Result<Vec<PathBuf>, BoxError> {
        if data.requests.is_empty() {
            return Err("throughput_timeline: the run has no requests: nothing to plot".into());
        }
        let series = Series::of(&data.requests);
        let mut svg = String::new();
        draw(data, &series, &mut svg).map_err(|e| drawing_error("throughput_timeline", e))?;
        Ok(vec![write_svg(dir, "throughput_timeline.svg", &svg)?])
    }
}

fn draw(
    data: &PlotData,
    series: &Series,
    svg: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let max = |values: &[f64]| values.iter().copied().fold(0.0, f64::max);
    let failed_max = series.failed.as_deref().map_or(0.0, max);
    // Headroom above the lines for the legend.
    let requests_top = (max(&series.completed).max(failed_max) * 1.35).max(1.0);
    let tokens_top = (series.tokens.as_deref().map_or(0.0, max) * 1.35).max(1.0);
    let x_high = *series.bins.edges.last().unwrap_or(&1.0);

    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title(data), (FONT, 22))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(series.caption(), (FONT, 16))
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(80)
        .right_y_label_area_size(if series.tokens.is_some() { 80 } else { 0 })
        .build_cartesian_2d(0.0..x_high, 0.0..requests_top)?
        .set_secondary_coord(0.0..x_high, 0.0..tokens_top);
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .x_desc("Time since the first request (s)")
        .y_desc("Requests completed per second (req/s)")
        .x_label_formatter(&|v| format_tick(*v))
        .y_label_formatter(&|v| format_tick(*v))
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .draw()?;

    let line = |color: RGBColor| color.stroke_width(2);
    chart
        .draw_series(LineSeries::new(
            series.bins.steps(&series.completed),
            line(REQUESTS),
        ))?
        .label("Requests completed (req/s, left axis)")
        .legend(move |(x, y)| PathElement::new(vec![(x - 8, y), (x + 8, y)], line(REQUESTS)));
    if let Some(failed) = &series.failed {
        chart
            .draw_series(LineSeries::new(series.bins.steps(failed), line(FAILED)))?
            .label("Requests failed (req/s, left axis)")
            .legend(move |(x, y)| PathElement::new(vec![(x - 8, y), (x + 8, y)], line(FAILED)));
    }
    if let Some(tokens) = &series.tokens {
        chart
            .configure_secondary_axes()
            .y_desc("Output tokens per second (tokens/s)")
            .y_label_formatter(&|v| format_tick(*v))
            .axis_desc_style((FONT, 16))
            .label_style((FONT, 13))
            .draw()?;
        chart
            .draw_secondary_series(LineSeries::new(series.bins.steps(tokens), line(TOKENS)))?
            .label("Output tokens (tokens/s, right axis)")
            .legend(move |(x, y)| PathElement::new(vec![(x - 8, y), (x + 8, y)], line(TOKENS)));
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

impl Implementation<PlotCategory> for ThroughputTimeline {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Requests completed and output tokens per second over \
         the run, in 1-second bins (throughput_timeline.svg).";

    fn create(args: PlotArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(ThroughputTimeline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plots::test_support::{
        failed, large_run, read_svg, request, small_run, temp_dir, texts,
    };

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn bin_widths_are_one_second_or_round() {
        assert_eq!(bin_width(60.0), 1.0);
        assert_eq!(bin_width(10.0), 1.0);
        assert!(close(bin_width(1.6), 0.1), "{}", bin_width(1.6));
        assert!(close(bin_width(9.0), 0.5));
        assert!(close(bin_width(0.05), 0.005));
        assert!(close(bin_width(3.0), 0.2));
        assert_eq!(bin_width(3_600.0), 2.0);
        assert_eq!(bin_width(36_000.0), 20.0);
        for duration in [0.001, 0.05, 1.6, 3.0, 9.99, 10.0, 500.0, 36_000.0] {
            let n = Bins::over(duration).len() as f64;
            assert!(
                (MIN_BINS..=MAX_BINS + 1.0).contains(&n),
                "{duration} s: {n} bins"
            );
        }
    }

    #[test]
    fn a_short_remainder_joins_the_last_bin_and_a_long_one_is_its_own() {
        let bins = Bins::over(10.2);
        assert_eq!(bins.len(), 10);
        assert!(close(bins.edges[10], 10.2));
        let bins = Bins::over(10.7);
        assert_eq!(bins.len(), 11);
        assert!(close(bins.edges[11], 10.7));
        assert_eq!(bins.index(10.7), 10);
        assert_eq!(bins.index(0.0), 0);
    }

    #[test]
    fn tokens_are_spread_over_the_streaming_time() {
        let bins = Bins::over(10.0);
        let mut totals = vec![0.0; bins.len()];
        bins.spread(&mut totals, 30.0, 0.5, 3.5);
        assert_eq!(totals[..5], [5.0, 10.0, 10.0, 5.0, 0.0]);
        bins.spread(&mut totals, 7.0, 4.0, 4.0);
        assert_eq!(totals[4], 7.0);
    }

    #[test]
    fn rates_count_completions_and_tokens_per_second() {
        // Twenty requests of 16 tokens, one every 100 ms, plus one failure.
        let series = Series::of(&small_run().requests);
        assert!(close(series.bins.width, 0.1), "{:?}", series.bins);
        assert_eq!(series.ok_total, 20);
        assert_eq!(series.failed_total, 1);
        let completed: f64 = series
            .completed
            .iter()
            .zip(series.bins.edges.windows(2))
            .map(|(rate, e)| rate * (e[1] - e[0]))
            .sum();
        assert!(close(completed, 20.0), "{completed}");
        let tokens: f64 = series
            .tokens
            .as_ref()
            .unwrap()
            .iter()
            .zip(series.bins.edges.windows(2))
            .map(|(rate, e)| rate * (e[1] - e[0]))
            .sum();
        assert!(close(tokens, 320.0), "{tokens}");
        let failed: f64 = series.failed.as_ref().unwrap().iter().sum::<f64>() * 0.1;
        assert!(close(failed, 1.0), "{failed}");
    }

    #[test]
    fn draws_both_axes_with_their_units() {
        let dir = temp_dir("throughput-timeline");
        let written = ThroughputTimeline.render(&small_run(), &dir).unwrap();
        assert_eq!(written, [dir.join("throughput_timeline.svg")]);
        let texts = texts(&read_svg(&written[0]));
        for wanted in [
            "chat · demo · 4 concurrent",
            "Requests completed and output tokens per second, in 100 ms bins: 20 requests, 1 failed, over 2.00 s",
            "Time since the first request (s)",
            "Requests completed per second (req/s)",
            "Output tokens per second (tokens/s)",
            "Requests completed (req/s, left axis)",
            "Output tokens (tokens/s, right axis)",
            "Requests failed (req/s, left axis)",
        ] {
            assert!(texts.iter().any(|t| t == wanted), "{wanted:?} in {texts:?}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn one_request_all_failed_and_no_requests() {
        let dir = temp_dir("throughput-timeline-edges");
        let one = PlotData {
            title: "one".into(),
            requests: vec![request(0, 50.0, 10.0, 1.0)],
        };
        let texts1 = texts(&read_svg(
            &ThroughputTimeline.render(&one, &dir).unwrap()[0],
        ));
        assert!(
            texts1
                .iter()
                .any(|t| t.ends_with("in 5 ms bins: 1 request, over 50.0 ms")),
            "{texts1:?}"
        );
        let all_failed = PlotData {
            title: "refused".into(),
            requests: vec![failed(0, 2), failed(1, 2), failed(2, 2)],
        };
        let texts2 = texts(&read_svg(
            &ThroughputTimeline.render(&all_failed, &dir).unwrap()[0],
        ));
        let caption =
            "Requests completed per second, in 200 µs bins: 0 requests, 3 failed, over 4.0 ms";
        assert!(texts2.iter().any(|t| t == caption), "{texts2:?}");
        assert!(
            texts2
                .iter()
                .any(|t| t == "Requests failed (req/s, left axis)"),
            "{texts2:?}"
        );
        assert!(!texts2.iter().any(|t| t.contains("tokens/s")), "{texts2:?}");
        let e = ThroughputTimeline
            .render(&PlotData::default(), &dir)
            .unwrap_err();
        assert!(e.to_string().contains("no requests"), "{e}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_huge_run_draws_one_step_per_bin() {
        let dir = temp_dir("throughput-timeline-huge");
        // 100,000 requests over 1,000 s: 1-second bins.
        let svg = read_svg(
            &ThroughputTimeline
                .render(&large_run(100_000), &dir)
                .unwrap()[0],
        );
        assert!(svg.len() < 200_000, "{} bytes", svg.len());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
