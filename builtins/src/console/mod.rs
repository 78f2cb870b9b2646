//! Builtin console exporters: what the end of a run prints, after AIPerf's
//! console (its metrics table and error summary).

mod errors;
mod metrics;

pub use errors::Errors;
pub use metrics::Metrics;

/// A box-drawn table like AIPerf's (`rich`): a centred title line, then
/// the columns, every cell right-aligned (as AIPerf aligns its metric
/// names too) except in the columns `align_left` names.
pub(crate) struct BoxTable {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Columns aligned left (messages).
    left: Vec<usize>,
}

impl BoxTable {
    pub(crate) fn new(title: impl Into<String>, headers: &[&str]) -> BoxTable {
        BoxTable {
            title: title.into(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
            left: Vec::new(),
        }
    }

    pub(crate) fn align_left(mut self, column: usize) -> BoxTable {
        self.left.push(column);
        self
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub(crate) fn render(&self) -> String {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let line = |l: &str, m: &str, r: &str, fill: &str| {
            let parts: Vec<String> = widths.iter().map(|w| fill.repeat(w + 2)).collect();
            format!("{l}{}{r}\n", parts.join(m))
        };
        let cells = |row: &[String], sep: &str| {
            let parts: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let cell = row.get(i).map_or("", String::as_str);
                    let pad = " ".repeat(w - width(cell));
                    if self.left.contains(&i) {
                        format!(" {cell}{pad} ")
                    } else {
                        format!(" {pad}{cell} ")
                    }
                })
                .collect();
            format!("{sep}{}{sep}\n", parts.join(sep))
        };
        let total: usize = widths.iter().map(|w| w + 3).sum::<usize>() + 1;
        let mut out = format!("{:^total$}\n", self.title);
        out += &line("┏", "┳", "┓", "━");
        out += &cells(&self.headers, "┃");
        out += &line("┡", "╇", "┩", "━");
        for row in &self.rows {
            out += &cells(row, "│");
        }
        out += &line("└", "┴", "┘", "─");
        out
    }
}

/// A number as AIPerf's console shows it: thousands separators, two
/// decimals.
pub(crate) fn number(value: f64) -> String {
    if !value.is_finite() {
        return "N/A".to_owned();
    }
    let text = format!("{:.2}", value.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let sign = if value < 0.0 { "-" } else { "" };
    format!("{sign}{}.{frac}", crate::thousands::group(int))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_thousands() {
        assert_eq!(number(58452.78), "58,452.78");
        assert_eq!(number(0.0), "0.00");
        assert_eq!(number(1234567.891), "1,234,567.89");
        assert_eq!(number(-1000.0), "-1,000.00");
        assert_eq!(number(f64::NAN), "N/A");
    }

    #[test]
    fn tables_align_and_box() {
        let mut t = BoxTable::new("T", &["Metric", "avg"]).align_left(0);
        t.row(vec!["a".into(), "1.00".into()]);
        t.row(vec!["longer".into(), "10.00".into()]);
        let text = t.render();
        assert!(text.contains("┃ Metric ┃   avg ┃"), "{text}");
        assert!(text.contains("│ a      │  1.00 │"), "{text}");
    }
}
