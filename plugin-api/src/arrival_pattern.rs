//! `arrival_pattern`: the gaps between requests of a rate-based phase.

use std::time::Duration;

use registry_core::{Factory, declare_category};

/// Draws the time between consecutive requests, whose mean is one over the
/// rate (`constant`: always that; `poisson`: exponential gaps; `gamma`:
/// gamma-distributed gaps, burstier or smoother than Poisson).
///
/// # When it is called
///
/// [`next_interval`](ArrivalPattern::next_interval) once per request of the
/// phase, in order, from the thread that decides when requests go out
/// (the `request_rate` timing strategy's). Request *n* goes out at the sum
/// of the first *n* intervals (the first at 0). It must be deterministic
/// for a given seed.
pub trait ArrivalPattern: Send {
    /// The gap before the next request.
    fn next_interval(&mut self) -> Duration;
}

/// Constructor arguments of every arrival pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalArgs {
    /// Mean requests per second (finite, positive: checked before).
    pub rate: f64,
    /// The seed of patterns that draw at random.
    pub seed: u64,
    /// The pattern's own settings (for `gamma`: `smoothness`).
    pub config: serde_json::Value,
}

declare_category! {
    /// The `arrival_pattern` category: inter-arrival distributions.
    pub struct ArrivalPatternCategory {
        name: "arrival_pattern",
        title: "Arrival patterns",
        description: "The gaps between requests at a given rate (constant, Poisson, gamma).",
        object: dyn ArrivalPattern,
        args: ArrivalArgs,
        metadata: (),
        internal: false,
    }
}

/// `ArrivalPatternFactory::create_instance("poisson", args)`.
pub type ArrivalPatternFactory = Factory<ArrivalPatternCategory>;
