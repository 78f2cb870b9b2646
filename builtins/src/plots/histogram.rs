//! The histogram the latency plots share: a distribution in bins, with
//! labelled vertical marks at p50, p90 and p99.

use std::path::{Path, PathBuf};

use aiperf_plugin_api::PlotData;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use registry_core::BoxError;

use super::{
    FONT, SIZE, axis_range, drawing_error, format_count, format_ms, format_tick, percentile, title,
    write_svg,
};

/// The most bins a histogram has, however many values it shows.
pub(super) const MAX_BINS: usize = 100;

/// The fewest bins a histogram has, however few values it shows.
const MIN_BINS: usize = 5;

/// The bar colour (a muted blue) and the marks' colours.
const BAR: RGBColor = RGBColor(76, 114, 176);
const P50: RGBColor = RGBColor(44, 160, 44);
const P90: RGBColor = RGBColor(255, 127, 14);
const P99: RGBColor = RGBColor(214, 39, 40);

/// What one histogram shows.
pub(super) struct HistogramSpec<'a> {
    /// The plot's name, for errors (`latency_histogram`).
    pub name: &'a str,
    /// The x axis label, with its unit (`Request latency (ms)`).
    pub x_label: &'a str,
    /// The line under the title (what is counted, how many).
    pub caption: String,
}

/// Equal-width bins over the values' range.
#[derive(Debug, PartialEq)]
pub(super) struct Bins {
    /// The left edge of the first bin.
    pub low: f64,
    /// The width of every bin.
    pub width: f64,
    /// How many values fall in each bin.
    pub counts: Vec<u64>,
}

impl Bins {
    /// Bins `sorted` (ascending, finite, not empty) into `2·∛n` bins (the
    /// Rice rule), at least [`MIN_BINS`] and at most [`MAX_BINS`]; a single
    /// value (or many equal ones) sits in the middle of a small range.
    pub(super) fn of(sorted: &[f64]) -> Bins {
        let n = sorted.len();
        let count = ((2.0 * (n as f64).cbrt()).ceil() as usize).clamp(MIN_BINS, MAX_BINS);
        let (low, high) = axis_range(sorted[0], sorted[n - 1]);
        let width = (high - low) / count as f64;
        let mut counts = vec![0u64; count];
        for &value in sorted {
            let index = ((value - low) / width) as usize;
            counts[index.min(count - 1)] += 1;
        }
        Bins { low, width, counts }
    }

    /// The right edge of the last bin.
    fn high(&self) -> f64 {
        self.low + self.width * self.counts.len() as f64
    }
}

/// Draws the histogram of `sorted` (ascending, finite, not empty) into
/// `dir/<spec.name>.svg`.
pub(super) fn render(
    spec: &HistogramSpec<'_>,
    data: &PlotData,
    sorted: &[f64],
    dir: &Path,
) -> Result<Vec<PathBuf>, BoxError> {
    let mut svg = String::new();
    draw(spec, data, sorted, &mut svg).map_err(|e| drawing_error(spec.name, e))?;
    Ok(vec![write_svg(dir, &format!("{}.svg", spec.name), &svg)?])
}

fn draw(
    spec: &HistogramSpec<'_>,
    data: &PlotData,
    sorted: &[f64],
    svg: &mut String,
) -> Result<(), Box<dyn std::error::Error>> {
    let bins = Bins::of(sorted);
    // Half a bin of margin on each side, so that the outer bars and marks
    // do not sit on the frame.
    let (x_low, x_high) = (bins.low - bins.width / 2.0, bins.high() + bins.width / 2.0);
    let max_count = bins.counts.iter().copied().max().unwrap_or(0);
    // Headroom above the tallest bar for the percentile labels.
    let y_top = (max_count as f64 * 1.35).ceil() as u64 + 1;

    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title(data), (FONT, 22))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&spec.caption, (FONT, 16))
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(x_low..x_high, 0u64..y_top)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .disable_x_mesh()
        .x_desc(spec.x_label)
        .y_desc("Requests")
        .x_label_formatter(&|v| format_tick(*v))
        .y_label_formatter(&|count| format_count(*count as usize))
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .draw()?;

    let bars = bins
        .counts
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0);
    let corners = |(i, &count): (usize, &u64)| {
        let left = bins.low + i as f64 * bins.width;
        [(left, 0), (left + bins.width, count)]
    };
    chart.draw_series(
        bars.clone()
            .map(|bar| Rectangle::new(corners(bar), BAR.filled())),
    )?;
    // A thin white outline sets adjacent bars apart.
    chart.draw_series(bars.map(|bar| Rectangle::new(corners(bar), WHITE.stroke_width(1))))?;

    let area = chart.plotting_area();
    let (base_x, _) = area.get_base_pixel();
    let labels = area.strip_coord_spec();
    let (plot_width, _) = labels.dim_in_pixel();
    for (row, (p, color)) in [(50, P50), (90, P90), (99, P99)].into_iter().enumerate() {
        let value = percentile(sorted, f64::from(p));
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(value, 0), (value, y_top)],
            color.stroke_width(2),
        )))?;
        // The label beside its line, one row per percentile so that close
        // marks do not overwrite each other; left of a line in the right
        // part of the chart, so it stays inside.
        let x = chart.backend_coord(&(value, 0)).0 - base_x;
        let right_side = x > plot_width as i32 * 6 / 10;
        let (x, h_pos) = if right_side {
            (x - 6, HPos::Right)
        } else {
            (x + 6, HPos::Left)
        };
        let style = (FONT, 14)
            .into_font()
            .color(&color)
            .pos(Pos::new(h_pos, VPos::Top));
        labels.draw(&Text::new(
            format!("p{p} {} ms", format_ms(value)),
            (x, 6 + 20 * row as i32),
            style,
        ))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_count_every_value_once() {
        let values: Vec<f64> = (0..1000).map(f64::from).collect();
        let bins = Bins::of(&values);
        assert_eq!(bins.counts.len(), 20); // 2·∛1000
        assert_eq!(bins.counts.iter().sum::<u64>(), 1000);
        assert!(bins.low <= 0.0 && bins.high() >= 999.0);
    }

    #[test]
    fn bins_are_bounded_for_huge_and_tiny_inputs() {
        let many: Vec<f64> = (0..2_000_000).map(|i| f64::from(i) / 1000.0).collect();
        assert_eq!(Bins::of(&many).counts.len(), MAX_BINS);
        let one = Bins::of(&[42.0]);
        assert_eq!(one.counts.len(), MIN_BINS);
        assert_eq!(one.counts.iter().sum::<u64>(), 1);
        assert!(one.low < 42.0 && one.high() > 42.0, "{one:?}");
        // The single value sits in the middle bin.
        assert_eq!(one.counts[MIN_BINS / 2], 1, "{one:?}");
    }
}
