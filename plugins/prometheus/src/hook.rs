//! The hook: typed config, and an HTTP `PUT` per phase boundary.

use aiperf_plugin_api::config::{DurationRange, TimeUnit, parse_config};
use aiperf_plugin_api::stats::{Phase, PhaseStart, PhaseStats};
use aiperf_plugin_api::{PhaseHook, PhaseHookArgs, PhaseHookCategory};
use registry_core::{BoxError, Implementation};
use serde::Deserialize;

use crate::exposition::{phase_complete_metrics, phase_start_metrics};

/// The per-push `timeout_s`: above 0, at most one hour.
const TIMEOUT: DurationRange = DurationRange::above_zero(TimeUnit::Seconds, 3_600.0, "one hour");

/// Config of [`Pushgateway`] (`plugins.phase_hooks[].config`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushgatewayConfig {
    /// The Pushgateway's base URL, e.g. `http://127.0.0.1:9091`.
    pub endpoint: String,
    /// The `job` grouping label. Default `aiperf`.
    #[serde(default = "PushgatewayConfig::default_job")]
    pub job: String,
    /// Per-push timeout in seconds, > 0 and at most 3600. Default 10.
    #[serde(default = "PushgatewayConfig::default_timeout")]
    pub timeout_s: f64,
}

impl PushgatewayConfig {
    fn default_job() -> String {
        "aiperf".to_owned()
    }
    fn default_timeout() -> f64 {
        10.0
    }
}

/// Pushes phase metrics to a Prometheus Pushgateway: at phase start
/// `aiperf_phase_running 1`, at completion the phase's counts, throughputs
/// and latency quantiles, each with `PUT {endpoint}/metrics/job/{job}/phase/{phase}`
/// (the phase is part of the grouping key, so phases do not overwrite each
/// other).
#[derive(Debug)]
pub struct Pushgateway {
    base: String,
    job: String,
    agent: ureq::Agent,
}

impl Pushgateway {
    /// A hook from its config, checked.
    pub fn new(config: PushgatewayConfig) -> Result<Self, BoxError> {
        let endpoint = config.endpoint.trim().trim_end_matches('/');
        if !endpoint.starts_with("http://") || endpoint.len() == "http://".len() {
            return Err(format!(
                "invalid config: `endpoint` {endpoint:?} is not an http URL; expected e.g. http://127.0.0.1:9091"
            )
            .into());
        }
        let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        if config.job.is_empty() || !config.job.chars().all(safe) {
            return Err(format!(
                "invalid config: `job` {:?} must be non-empty ASCII letters, digits, `_`, `-` or `.` \
                 (it is a URL path segment)",
                config.job
            )
            .into());
        }
        let timeout = TIMEOUT.check("timeout_s", config.timeout_s)?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build()
            .into();
        Ok(Pushgateway {
            base: endpoint.to_owned(),
            job: config.job,
            agent,
        })
    }

    /// The grouping-key URL of `phase`.
    pub fn url(&self, phase: Phase) -> String {
        format!("{}/metrics/job/{}/phase/{}", self.base, self.job, phase)
    }

    fn push(&self, phase: Phase, body: String) -> Result<(), BoxError> {
        let url = self.url(phase);
        let mut response = self
            .agent
            .put(&url)
            .header("content-type", "text/plain; version=0.0.4")
            .send(body)
            .map_err(|e| format!("cannot push to the Pushgateway at {url}: {e}"))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        let answer: String = response
            .body_mut()
            .read_to_string()
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        Err(format!(
            "the Pushgateway at {url} answered {status}: {}",
            answer.trim()
        )
        .into())
    }
}

impl PhaseHook for Pushgateway {
    fn on_phase_start(&self, start: &PhaseStart) -> Result<(), BoxError> {
        self.push(start.phase, phase_start_metrics(start))
    }

    fn on_phase_complete(&self, stats: &PhaseStats) -> Result<(), BoxError> {
        self.push(stats.phase, phase_complete_metrics(stats))
    }
}

impl Implementation<PhaseHookCategory> for Pushgateway {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "Pushes each phase's metrics to a Prometheus Pushgateway (`endpoint`, `job`).";

    fn create(args: PhaseHookArgs) -> Result<Self, BoxError> {
        Pushgateway::new(parse_config(&args.config)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(config: serde_json::Value) -> Result<Pushgateway, String> {
        Pushgateway::create(PhaseHookArgs { config }).map_err(|e| e.to_string())
    }

    #[test]
    fn timeouts_outside_the_range_are_errors_not_panics() {
        for (timeout, shown) in [(1e300, "1e300"), (0.0, "0"), (-1.0, "-1"), (7200.0, "7200")] {
            let e =
                create(serde_json::json!({"endpoint": "http://127.0.0.1:9", "timeout_s": timeout}))
                    .unwrap_err();
            assert_eq!(
                e,
                format!(
                    "invalid config: `timeout_s` is {shown}; it must be seconds > 0 and at most \
                     3600 (one hour)"
                )
            );
        }
        assert!(
            create(serde_json::json!({"endpoint": "http://127.0.0.1:9", "timeout_s": 3600}))
                .is_ok()
        );
    }
}
