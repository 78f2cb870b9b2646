//! `timing_strategy`: when each request is issued.

use std::time::Duration;

use registry_core::{BoxError, Factory, declare_category};

use crate::config::show_number;

/// Where a phase stands, as the orchestrator tells the strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Requests issued so far.
    pub issued: u64,
    /// Requests finished so far (successfully or not).
    pub finished: u64,
    /// Time since the phase started.
    pub elapsed: Duration,
}

impl Progress {
    /// Requests issued and not yet finished.
    pub fn in_flight(&self) -> u64 {
        self.issued - self.finished
    }
}

/// The outcome of one finished request, for strategies that adapt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feedback {
    /// Its latency.
    pub latency: Duration,
    /// Whether it succeeded.
    pub ok: bool,
}

/// When the next request is issued: the answer to
/// [`TimingStrategy::next`], which stands until that request is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Issue the next request once the phase has run for `at` (at once if
    /// it already has) and, when `max_in_flight` is set, fewer than that
    /// many requests are in flight. Both must hold; the orchestrator waits
    /// for whichever comes last.
    Issue {
        /// Offset from the phase start.
        at: Duration,
        /// The most requests that may be in flight when it is issued (at
        /// least 1; `None`: no limit).
        max_in_flight: Option<u64>,
    },
    /// The phase has issued all its requests; wait for the rest and stop.
    Done,
}

impl Decision {
    /// Issue at offset `at` from the phase start, whatever is in flight.
    pub const fn at(at: Duration) -> Decision {
        Decision::Issue {
            at,
            max_in_flight: None,
        }
    }

    /// Issue as soon as fewer than `limit` requests are in flight.
    pub const fn in_flight_below(limit: u64) -> Decision {
        Decision::Issue {
            at: Duration::ZERO,
            max_in_flight: Some(limit),
        }
    }

    /// This decision, with at most `limit` requests in flight when it is
    /// issued (`None` leaves it as it is; `Done` stays `Done`).
    pub const fn with_max_in_flight(self, limit: Option<u64>) -> Decision {
        match (self, limit) {
            (Decision::Issue { at, .. }, Some(limit)) => Decision::Issue {
                at,
                max_in_flight: Some(limit),
            },
            (decision, _) => decision,
        }
    }
}

/// Decides when each request of a phase is issued. One instance per phase.
///
/// # When it is called
///
/// From the orchestrator's thread, never concurrently:
///
/// - [`next`](TimingStrategy::next) **exactly once per request**, plus once
///   for the final [`Decision::Done`]: when the phase starts, then right
///   after each request is issued. Its answer stands until that request is
///   issued: the orchestrator waits for the time and the in-flight limit
///   itself and does not ask again. So a strategy may draw a random gap on
///   each call; that is one gap per request.
/// - [`on_finished`](TimingStrategy::on_finished) once per finished request,
///   in completion order, also while a decision is pending (it then shapes
///   the *next* decision, not the pending one).
/// - [`total_requests`](TimingStrategy::total_requests) at the start of the
///   phase (for progress and hooks); its answer must not change.
pub trait TimingStrategy: Send {
    /// When to issue the next request (request number `progress.issued`),
    /// given the progress so far; [`Decision::Done`] ends the phase.
    fn next(&mut self, progress: Progress) -> Decision;

    /// Called for every finished request, in completion order.
    fn on_finished(&mut self, feedback: Feedback) {
        let _ = feedback;
    }

    /// How many requests the phase will issue, when known in advance.
    fn total_requests(&self) -> Option<u64>;
}

/// Constructor arguments of every timing strategy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimingArgs {
    /// The strategy's own settings (the config file's
    /// `plugins.timing_strategy.config`), deserialised by the strategy into
    /// its typed config; `null` means defaults.
    pub config: serde_json::Value,
}

declare_category! {
    /// The `timing_strategy` category: when requests are issued.
    pub struct TimingStrategyCategory {
        name: "timing_strategy",
        title: "Timing strategies",
        description: "When each request is issued: fixed schedule, constant rate, fixed concurrency.",
        object: dyn TimingStrategy,
        args: TimingArgs,
        metadata: (),
        internal: false,
    }
}

/// `TimingStrategyFactory::create_instance("request_rate", args)`.
pub type TimingStrategyFactory = Factory<TimingStrategyCategory>;

/// The lowest request rate a strategy accepts, requests per second: one
/// request every 11.6 days. Lower rates would wait longer than any
/// benchmark runs, and below about 5.4e-20 the interval `1 / rate` does not
/// fit in a [`Duration`] at all.
pub const MIN_RATE: f64 = 1e-6;

/// The interval between requests at `rate` requests per second, checked
/// (`field` names the setting in the error): finite and at least
/// [`MIN_RATE`].
pub fn interval_at_rate(field: &str, rate: f64) -> Result<Duration, BoxError> {
    if rate.is_finite() && rate >= MIN_RATE {
        if let Ok(interval) = Duration::try_from_secs_f64(1.0 / rate) {
            return Ok(interval);
        }
    }
    Err(format!(
        "invalid config: `{field}` is {}; it is requests per second and must be a finite number \
         >= {MIN_RATE} (one request every 11.6 days)",
        show_number(rate)
    )
    .into())
}
