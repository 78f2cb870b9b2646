//! `errors`: the failed requests grouped by kind and status.

use registry_core::{BoxError, Implementation};

use super::BoxTable;
use crate::exporters::{error_groups, no_settings};
use aiperf_plugin_api::transport::printable;
use aiperf_plugin_api::{ConsoleExporter, ConsoleExporterArgs, ConsoleExporterCategory, ExportRun};

/// The longest example message shown, in characters.
const MESSAGE_CHARS: usize = 120;

/// Prints AIPerf's error summary (`Code`, `Type`, `Message`, `Count`) with
/// one row per kind and HTTP status, not per distinct body (a server that
/// puts an id in each error body would otherwise print one row per
/// request); each row shows the group's most frequent message, escaped and
/// cut at 120 characters. Prints nothing when no request failed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Errors;

impl ConsoleExporter for Errors {
    fn render(&self, run: &ExportRun<'_>) -> Result<String, BoxError> {
        let groups = error_groups(run);
        if groups.is_empty() {
            return Ok(String::new());
        }
        let mut table = BoxTable::new(
            "aiperf | Error Summary",
            &["Code", "Type", "Message", "Count"],
        )
        .align_left(2);
        for group in groups {
            table.row(vec![
                group
                    .code
                    .map_or_else(|| "N/A".to_owned(), |c| c.to_string()),
                group.kind.to_owned(),
                printable(&group.message, MESSAGE_CHARS),
                super::number(group.count as f64)
                    .trim_end_matches(".00")
                    .to_owned(),
            ]);
        }
        Ok(format!("\n{}", table.render()))
    }
}

impl Implementation<ConsoleExporterCategory> for Errors {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "AIPerf's error summary: failed requests grouped by kind and HTTP status, with an example message.";

    fn create(args: ConsoleExporterArgs) -> Result<Self, BoxError> {
        no_settings(&args.config)?;
        Ok(Errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::test_support::{Fixture, records};
    use aiperf_plugin_api::stats::{Phase, RequestRecord};

    #[test]
    fn errors_group_by_kind_and_status_and_are_escaped() {
        let mut records = records();
        for i in 0..5 {
            records.push(RequestRecord {
                error: Some(format!("HTTP 500, \"overloaded {i}\x1b[31m\"")),
                error_type: Some("HTTPError"),
                error_code: Some(500),
                ..RequestRecord::default()
            });
        }
        records.push(RequestRecord {
            error: Some("cannot reach http://x: refused".into()),
            error_type: Some("ConnectionError"),
            ..RequestRecord::default()
        });
        let fixture = Fixture::of(records);
        let run = fixture.run();
        let text = Errors.render(&run).unwrap();
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with('│')).collect();
        assert_eq!(rows.len(), 2, "{text}");
        assert!(
            rows[0].starts_with("│  500 │") && rows[0].contains("HTTPError"),
            "{text}"
        );
        assert!(rows[0].trim_end().ends_with("6 │"), "{text}");
        assert!(
            rows[1].starts_with("│  N/A │") && rows[1].contains("ConnectionError"),
            "{text}"
        );
        assert!(!text.contains('\x1b'), "escape sequences are shown escaped");
        // Nothing failed: nothing printed.
        let ok = vec![(Phase::Profiling, Vec::new())];
        let quiet = ExportRun {
            results: &fixture.results,
            records: &ok,
            inputs: &(),
        };
        assert_eq!(Errors.render(&quiet).unwrap(), "");
    }
}
