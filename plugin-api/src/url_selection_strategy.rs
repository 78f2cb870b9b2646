//! `url_selection_strategy`: which server URL each request goes to, when
//! several are given (`--url a --url b`).

use registry_core::{Factory, declare_category};

/// Picks a URL per request.
///
/// # When it is called
///
/// [`next_index`](UrlSelectionStrategy::next_index) once per issued
/// request, from the orchestrator's thread, in issue order; one instance
/// serves every phase of a run. Only created when there are two URLs or
/// more. A result outside `0..urls` is wrapped into range.
pub trait UrlSelectionStrategy: Send {
    /// The index of the URL of the next request, in `0..urls`.
    fn next_index(&mut self) -> usize;
}

/// Constructor arguments of every URL selection strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlSelectionArgs {
    /// How many URLs there are (at least 2).
    pub urls: usize,
    /// The seed of strategies that draw at random.
    pub seed: u64,
}

declare_category! {
    /// The `url_selection_strategy` category: load balancing over URLs.
    pub struct UrlSelectionStrategyCategory {
        name: "url_selection_strategy",
        title: "URL selection strategies",
        description: "Which of several server URLs each request goes to (round robin).",
        object: dyn UrlSelectionStrategy,
        args: UrlSelectionArgs,
        metadata: (),
        internal: false,
    }
}

/// `UrlSelectionStrategyFactory::create_instance("round_robin", args)`.
pub type UrlSelectionStrategyFactory = Factory<UrlSelectionStrategyCategory>;
