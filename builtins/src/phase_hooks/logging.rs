//! `logging`: logs each phase's start and summary through `tracing`.

use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::stats::{PhaseStart, PhaseStats};
use aiperf_plugin_api::{PhaseHook, PhaseHookArgs, PhaseHookCategory};

/// Config of [`Logging`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingConfig {
    /// Also log the full statistics as JSON at `debug` level.
    #[serde(default)]
    pub detailed: bool,
}

/// Logs phase boundaries at `info` level (target `aiperf::phase`): the
/// application's `tracing` subscriber decides where they go.
#[derive(Debug, Clone, Default)]
pub struct Logging {
    config: LoggingConfig,
}

/// The one-line summary the hook logs for a completed phase.
pub fn summary_line(stats: &PhaseStats) -> String {
    let mut line = format!(
        "{} phase complete: {} sent, {} ok, {} failed in {:.2} s ({:.1} req/s, {:.1} tok/s)",
        stats.phase,
        stats.sent,
        stats.completed,
        stats.failed,
        stats.duration_s,
        stats.request_throughput,
        stats.output_token_throughput,
    );
    if let Some(latency) = &stats.latency_ms {
        line += &format!(
            "; latency p50 {:.1} ms, p99 {:.1} ms",
            latency.p50, latency.p99
        );
    }
    if let Some(ttft) = &stats.time_to_first_token_ms {
        line += &format!("; TTFT p50 {:.1} ms", ttft.p50);
    }
    if let Some((message, count)) = stats.errors.first() {
        line += &format!("; most frequent error ({count}x): {message}");
    }
    line
}

impl PhaseHook for Logging {
    fn on_phase_start(&self, start: &PhaseStart) -> Result<(), BoxError> {
        match start.expected_requests {
            Some(n) => {
                tracing::info!(target: "aiperf::phase", "{} phase starting: {n} requests", start.phase)
            }
            None => tracing::info!(target: "aiperf::phase", "{} phase starting", start.phase),
        }
        Ok(())
    }

    fn on_phase_complete(&self, stats: &PhaseStats) -> Result<(), BoxError> {
        tracing::info!(target: "aiperf::phase", "{}", summary_line(stats));
        if self.config.detailed {
            tracing::debug!(target: "aiperf::phase", "{}", serde_json::to_string(stats)?);
        }
        Ok(())
    }
}

impl Implementation<PhaseHookCategory> for Logging {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "Logs each phase's start and a one-line summary (tracing, target `aiperf::phase`).";

    fn create(args: PhaseHookArgs) -> Result<Self, BoxError> {
        Ok(Logging {
            config: parse_config(&args.config)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use aiperf_plugin_api::stats::{Phase, RequestRecord};

    fn record(latency_ms: u64, error: Option<&str>) -> RequestRecord {
        RequestRecord {
            latency: Duration::from_millis(latency_ms),
            time_to_first_token: None,
            output_tokens: 10,
            error: error.map(str::to_owned),
            ..RequestRecord::default()
        }
    }

    #[test]
    fn summary_names_counts_rates_latency_and_top_error() {
        let records = [
            record(10, None),
            record(20, None),
            record(5, Some("HTTP 500")),
        ];
        let stats = PhaseStats::from_records(Phase::Profiling, &records, Duration::from_secs(2));
        assert_eq!(
            summary_line(&stats),
            "profiling phase complete: 3 sent, 2 ok, 1 failed in 2.00 s (1.0 req/s, 10.0 tok/s); \
             latency p50 15.0 ms, p99 19.9 ms; most frequent error (1x): HTTP 500"
        );
    }

    #[test]
    fn config_is_typed() {
        let ok = Logging::create(PhaseHookArgs {
            config: serde_json::json!({"detailed": true}),
        })
        .unwrap();
        assert!(ok.config.detailed);
        let e = Logging::create(PhaseHookArgs {
            config: serde_json::json!({"level": "debug"}),
        })
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `level`"), "{e}");
    }
}
