//! `dataset_sampler`: which dataset entry each request uses.

use registry_core::{Factory, declare_category};

/// Picks dataset entries, forever (a phase decides how many it needs).
///
/// # When it is called
///
/// [`next_index`](DatasetSampler::next_index) exactly once per issued
/// request, from the orchestrator's thread, in issue order; one instance
/// serves every phase of a run. A result outside `0..len` is wrapped into
/// range (`index % len`), not an error.
pub trait DatasetSampler: Send {
    /// The index of the next entry, in `0..len`.
    fn next_index(&mut self) -> usize;
}

/// Constructor arguments of every sampler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamplerArgs {
    /// Number of dataset entries; must be at least 1.
    pub len: usize,
    /// Seed, for samplers that draw at random.
    pub seed: u64,
}

declare_category! {
    /// The `dataset_sampler` category: dataset entry order.
    pub struct DatasetSamplerCategory {
        name: "dataset_sampler",
        title: "Dataset samplers",
        description: "Which dataset entry each request uses (in order, or seeded random).",
        object: dyn DatasetSampler,
        args: SamplerArgs,
        metadata: (),
        internal: false,
    }
}

/// `DatasetSamplerFactory::create_instance("random", args)`.
pub type DatasetSamplerFactory = Factory<DatasetSamplerCategory>;
