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

/// What the orchestrator should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Issue the next request once `elapsed` reaches this offset from the
    /// phase start (immediately if it already has).
    IssueAt(Duration),
    /// Issue nothing until another request finishes.
    WaitForCompletion,
    /// The phase has issued all its requests; wait for the rest and stop.
    Done,
}

/// Decides when each request of a phase is issued. One instance per phase.
///
/// # When it is called
///
/// From the orchestrator's thread, never concurrently:
///
/// - [`next`](TimingStrategy::next) is called **many times per request**:
///   each time the orchestrator wakes (a request finished, a wait of at most
///   50 ms ran out, a request was issued), with the progress at that
///   moment. It must answer the same for the same `progress.issued` unless
///   [`on_finished`](TimingStrategy::on_finished) changed its state: a
///   strategy that draws a random gap must draw it once per request (when
///   `progress.issued` changes) and keep it, or every wake-up reschedules
///   the request and the phase runs far longer than planned. The builtins
///   and `adaptive_rate` keep a counter of the requests they have planned
///   for this reason.
/// - [`on_finished`](TimingStrategy::on_finished) once per finished request,
///   in completion order, before the next call to `next`.
/// - [`total_requests`](TimingStrategy::total_requests) at the start of the
///   phase (for progress and hooks); its answer must not change.
pub trait TimingStrategy: Send {
    /// The next step, given the progress so far (see above: it may be asked
    /// again for the same request).
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
