//! The counters behind `GET /metrics` (Prometheus text format 0.0.4).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the server's counters, as `/metrics` shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// `requests_total`: requests recorded (every request except
    /// `GET /health` and `GET /metrics`).
    pub requests: u64,
    /// `tokens_generated_total`: output tokens written.
    pub tokens_generated: u64,
    /// `errors_injected_total`: requests answered 500 by error injection.
    pub errors_injected: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Metrics {
    requests: AtomicU64,
    tokens_generated: AtomicU64,
    errors_injected: AtomicU64,
}

impl Metrics {
    pub(crate) fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn tokens(&self, n: u64) {
        self.tokens_generated.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn error_injected(&self) {
        self.errors_injected.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Counters {
        Counters {
            requests: self.requests.load(Ordering::Relaxed),
            tokens_generated: self.tokens_generated.load(Ordering::Relaxed),
            errors_injected: self.errors_injected.load(Ordering::Relaxed),
        }
    }
}

impl Counters {
    /// The Prometheus text exposition of these counters.
    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        for (name, help, value) in [
            (
                "requests_total",
                "Requests received (all but /health and /metrics).",
                self.requests,
            ),
            (
                "tokens_generated_total",
                "Output tokens written.",
                self.tokens_generated,
            ),
            (
                "errors_injected_total",
                "Requests answered 500 by error injection.",
                self.errors_injected,
            ),
        ] {
            let _ = write!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_has_help_type_and_value_lines() {
        let m = Metrics::default();
        m.request();
        m.request();
        m.tokens(7);
        m.error_injected();
        let text = m.snapshot().to_prometheus();
        assert!(text.contains("# TYPE requests_total counter\nrequests_total 2\n"));
        assert!(text.contains("tokens_generated_total 7\n"));
        assert!(text.contains("errors_injected_total 1\n"));
        assert_eq!(text.lines().count(), 9);
    }
}
