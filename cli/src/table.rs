//! Aligned text tables for human output.

/// A table with a header row; columns are padded to their widest cell, the
/// last column is not padded (it holds free text such as descriptions).
#[derive(Debug, Default)]
pub(crate) struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new<const N: usize>(header: [&str; N]) -> Self {
        Table {
            rows: vec![header.iter().map(|h| h.to_string()).collect()],
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table, each line prefixed with `indent` and ending in `\n`.
    pub(crate) fn render(&self, indent: &str) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in &self.rows {
            let mut line = indent.to_owned();
            for (i, cell) in row.iter().enumerate() {
                if i + 1 < row.len() {
                    line += &format!("{cell:<width$}  ", width = widths[i]);
                } else {
                    line += cell;
                }
            }
            out += line.trim_end();
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_all_but_the_last_column() {
        let mut t = Table::new(["NAME", "ID", "DESCRIPTION"]);
        t.row(vec![
            "chat".into(),
            "openai_chat".into(),
            "OpenAI chat".into(),
        ]);
        t.row(vec!["rankings".into(), "nim".into(), String::new()]);
        assert_eq!(
            t.render("  "),
            "  NAME      ID           DESCRIPTION\n  \
               chat      openai_chat  OpenAI chat\n  \
               rankings  nim\n"
        );
    }
}
