//! Phase metrics in the Prometheus text exposition format (version 0.0.4).

use std::fmt::Write as _;

use aiperf_plugin_api::stats::{Percentiles, PhaseStart, PhaseStats};

fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

fn quantiles(out: &mut String, name: &str, help: &str, p: &Option<Percentiles>) {
    let Some(p) = p else { return };
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (q, v) in [
        ("0.5", p.p50),
        ("0.9", p.p90),
        ("0.99", p.p99),
        ("1", p.max),
    ] {
        let _ = writeln!(out, "{name}{{quantile=\"{q}\"}} {v}");
    }
    let _ = writeln!(out, "{name}_mean {}", p.mean);
}

/// What is pushed when a phase starts: it is running, and how many requests
/// it expects.
pub fn phase_start_metrics(start: &PhaseStart) -> String {
    let mut out = String::new();
    gauge(
        &mut out,
        "aiperf_phase_running",
        "1 while the phase runs.",
        1.0,
    );
    if let Some(n) = start.expected_requests {
        gauge(
            &mut out,
            "aiperf_phase_expected_requests",
            "Requests the phase will send.",
            n as f64,
        );
    }
    out
}

/// What is pushed when a phase completes: its counts, throughputs and
/// latency quantiles (the phase is the grouping key, not a label).
pub fn phase_complete_metrics(stats: &PhaseStats) -> String {
    let mut out = String::new();
    gauge(
        &mut out,
        "aiperf_phase_running",
        "1 while the phase runs.",
        0.0,
    );
    gauge(
        &mut out,
        "aiperf_requests_sent",
        "Requests sent.",
        stats.sent as f64,
    );
    gauge(
        &mut out,
        "aiperf_requests_completed",
        "Requests that succeeded.",
        stats.completed as f64,
    );
    gauge(
        &mut out,
        "aiperf_requests_failed",
        "Requests that failed.",
        stats.failed as f64,
    );
    gauge(
        &mut out,
        "aiperf_phase_duration_seconds",
        "Wall time of the phase.",
        stats.duration_s,
    );
    gauge(
        &mut out,
        "aiperf_request_throughput",
        "Successful requests per second.",
        stats.request_throughput,
    );
    gauge(
        &mut out,
        "aiperf_output_token_throughput",
        "Generated tokens per second.",
        stats.output_token_throughput,
    );
    quantiles(
        &mut out,
        "aiperf_request_latency_ms",
        "Request latency of successful requests, milliseconds.",
        &stats.latency_ms,
    );
    quantiles(
        &mut out,
        "aiperf_time_to_first_token_ms",
        "Time to first token of streamed requests, milliseconds.",
        &stats.time_to_first_token_ms,
    );
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aiperf_plugin_api::stats::{Phase, RequestRecord};

    use super::*;

    #[test]
    fn complete_metrics_are_valid_exposition_lines() {
        let record = |ms| RequestRecord {
            latency: Duration::from_millis(ms),
            time_to_first_token: None,
            output_tokens: 4,
            error: None,
            ..RequestRecord::default()
        };
        let stats = PhaseStats::from_records(
            Phase::Profiling,
            &[record(10), record(30)],
            Duration::from_secs(2),
        );
        let text = phase_complete_metrics(&stats);
        for line in [
            "# TYPE aiperf_requests_completed gauge",
            "aiperf_requests_completed 2",
            "aiperf_requests_failed 0",
            "aiperf_request_throughput 1",
            "aiperf_output_token_throughput 4",
            // numpy's linear percentiles, as every result of aiperf.
            "aiperf_request_latency_ms{quantile=\"0.5\"} 20",
            "aiperf_request_latency_ms{quantile=\"0.99\"} 29.8",
            "aiperf_request_latency_ms_mean 20",
            "aiperf_phase_running 0",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line:?} missing in\n{text}"
            );
        }
        assert!(
            !text.contains("time_to_first_token"),
            "no TTFT without streaming"
        );
        assert!(text.ends_with('\n'));
    }
}
