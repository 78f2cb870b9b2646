//! Builtin data exporters: AIPerf 0.13's result files, in its names and
//! layouts, so that scripts and dashboards that read AIPerf's files read
//! ours.

mod csv;
mod inputs_json;
mod json;
mod jsonl;

pub use csv::Csv;
pub use inputs_json::InputsJson;
pub use json::Json;
pub use jsonl::Jsonl;

use aiperf_plugin_api::ExportRun;
use aiperf_plugin_api::metrics::MetricDef;
use aiperf_plugin_api::stats::{Phase, PhaseStats, RequestRecord};

pub(crate) use aiperf_plugin_api::config::no_settings;

/// The profiling phase's statistics (what AIPerf's files report), if the
/// run got that far.
pub(crate) fn profiling<'a>(run: &'a ExportRun<'_>) -> Option<&'a PhaseStats> {
    run.results
        .phases
        .iter()
        .find(|p| p.phase == Phase::Profiling)
}

/// The records of every phase, with their phase, in order.
pub(crate) fn all_records<'a>(
    run: &'a ExportRun<'_>,
) -> impl Iterator<Item = (Phase, &'a RequestRecord)> + 'a {
    run.records
        .iter()
        .flat_map(|(phase, records)| records.iter().map(move |r| (*phase, r)))
}

/// A metric's name with its unit as AIPerf's CSV and console show it:
/// `Request Latency (ms)`; counts of requests or chunks go without.
pub(crate) fn labelled(def: &MetricDef) -> String {
    match def.unit {
        "requests" | "count" => def.header.to_owned(),
        unit => format!("{} ({unit})", def.header),
    }
}

/// One group of the error summary: kind, HTTP status, an example message
/// and how many requests failed so.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ErrorGroup {
    pub(crate) kind: &'static str,
    pub(crate) code: Option<u16>,
    pub(crate) message: String,
    pub(crate) count: u64,
}

/// The failed requests of the profiling phase grouped by kind and status
/// (not by message: a server that puts an id in every error body would
/// otherwise give one line per request), most frequent first; each group
/// shows its most frequent message.
pub(crate) fn error_groups(run: &ExportRun<'_>) -> Vec<ErrorGroup> {
    let mut groups: Vec<(ErrorGroup, Vec<(String, u64)>)> = Vec::new();
    let failed = all_records(run)
        .filter(|(phase, r)| *phase == Phase::Profiling && !r.cancelled)
        .filter_map(|(_, r)| r.error.as_deref().map(|e| (r, e)));
    for (record, message) in failed {
        let kind = record.error_type.unwrap_or("Error");
        let code = record.error_code;
        let at = match groups
            .iter()
            .position(|(g, _)| g.kind == kind && g.code == code)
        {
            Some(at) => at,
            None => {
                let group = ErrorGroup {
                    kind,
                    code,
                    message: String::new(),
                    count: 0,
                };
                groups.push((group, Vec::new()));
                groups.len() - 1
            }
        };
        let (group, messages) = &mut groups[at];
        group.count += 1;
        // A group keeps at most 16 distinct messages to pick its example
        // from: memory stays bounded whatever a server sends.
        if let Some((_, n)) = messages.iter_mut().find(|(m, _)| m == message) {
            *n += 1;
        } else if messages.len() < 16 {
            messages.push((message.to_owned(), 1));
        }
    }
    let mut out: Vec<ErrorGroup> = groups
        .into_iter()
        .map(|(mut group, messages)| {
            group.message = messages
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(m, _)| m)
                .unwrap_or_default();
            group
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(b.kind)));
    out
}

/// Unix nanoseconds as AIPerf writes times: ISO 8601 with microseconds and
/// no zone (UTC here; AIPerf writes the machine's local time).
pub(crate) fn iso_time(unix_ns: u64) -> String {
    let secs = unix_ns / 1_000_000_000;
    let micros = (unix_ns % 1_000_000_000) / 1_000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days: days since 1970-01-01 to a date.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::time::Duration;

    use aiperf_plugin_api::metrics::compute;
    use aiperf_plugin_api::stats::{BenchmarkResults, Phase, PhaseStats, RequestRecord};

    /// Three profiling requests: two streamed successes, one HTTP 500.
    pub(crate) fn records() -> Vec<RequestRecord> {
        let ok = |ms: u64, start: u64| RequestRecord {
            latency: Duration::from_millis(ms),
            time_to_first_token: Some(Duration::from_millis(ms / 2)),
            chunk_offsets: (0..4)
                .map(|i| Duration::from_millis(ms / 2 + i * ms / 8))
                .collect(),
            output_tokens: 8,
            output_token_source: aiperf_plugin_api::stats::TokenSource::ServerUsage,
            input_tokens: Some(100),
            sent_at: Duration::from_millis(start),
            start_unix_ns: 1_796_150_467_000_000_000 + start * 1_000_000,
            ..RequestRecord::default()
        };
        let failed = RequestRecord {
            latency: Duration::from_millis(1),
            error: Some("HTTP 500, \"overloaded\"".into()),
            error_type: Some("HTTPError"),
            error_code: Some(500),
            sent_at: Duration::from_millis(5),
            start_unix_ns: 1_796_150_467_005_000_000,
            ..RequestRecord::default()
        };
        vec![ok(10, 0), ok(30, 2), failed]
    }

    /// What an [`ExportRun`](aiperf_plugin_api::ExportRun) of one
    /// profiling phase borrows: the records' results, and the records.
    pub(crate) struct Fixture {
        /// Public so a test can change what the run reports (e.g. `parts`).
        pub(crate) results: BenchmarkResults,
        phases: Vec<(Phase, Vec<RequestRecord>)>,
    }

    impl Fixture {
        /// `records` as the profiling phase, with their [`results`].
        pub(crate) fn of(records: Vec<RequestRecord>) -> Self {
            Fixture {
                results: results(&records),
                phases: vec![(Phase::Profiling, records)],
            }
        }

        /// The run the exporters see (no dataset payloads).
        pub(crate) fn run(&self) -> aiperf_plugin_api::ExportRun<'_> {
            aiperf_plugin_api::ExportRun {
                results: &self.results,
                records: &self.phases,
                inputs: &(),
            }
        }
    }

    pub(crate) fn results(records: &[RequestRecord]) -> BenchmarkResults {
        let mut stats = PhaseStats::from_records(Phase::Profiling, records, Duration::from_secs(2));
        stats.metrics = compute(records, Duration::from_secs(2), &[]);
        BenchmarkResults {
            endpoint: "chat".into(),
            model: "demo".into(),
            transport: "in_engine".into(),
            urls: Vec::new(),
            parts: Vec::new(),
            input_config: serde_json::json!({"endpoint": {"type": "chat"}}),
            start_unix_ns: 1_796_150_467_000_000_000,
            end_unix_ns: 1_796_150_469_000_000_000,
            interrupted: false,
            phases: vec![stats],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_are_utc_with_microseconds() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000000");
        // `date -u -d @1796150467.699682 +%FT%T.%6N`
        assert_eq!(
            iso_time(1_796_150_467_699_682_123),
            "2026-12-01T18:41:07.699682"
        );
        assert_eq!(
            iso_time(951_782_400_000_000_000),
            "2000-02-29T00:00:00.000000"
        );
    }

    #[test]
    fn labels_omit_request_and_count_units() {
        let latency = aiperf_plugin_api::metrics::metric("request_latency").unwrap();
        assert_eq!(labelled(latency), "Request Latency (ms)");
        let count = aiperf_plugin_api::metrics::metric("request_count").unwrap();
        assert_eq!(labelled(count), "Request Count");
    }
}
