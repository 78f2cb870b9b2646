//! `dataset_composer`: datasets made up by the client (synthetic prompts of
//! a target token length).

use std::sync::Arc;

use registry_core::{Factory, declare_category};

use crate::dataset::Dataset;
use crate::tokenizer::Tokenizer;

/// Constructor arguments of every composer: creating the composer builds
/// the whole dataset (before the first request).
#[derive(Clone)]
pub struct ComposerArgs {
    /// The composer's settings (for `synthetic`: `isl`, `isl_stddev`, `osl`,
    /// `osl_stddev`, `entries`).
    pub config: serde_json::Value,
    /// The run's tokenizer, to measure and cut prompts in tokens.
    pub tokenizer: Arc<dyn Tokenizer>,
    /// The run's seed (`--random-seed`): the same seed, the same dataset.
    pub seed: u64,
}

impl std::fmt::Debug for ComposerArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComposerArgs")
            .field("config", &self.config)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

declare_category! {
    /// The `dataset_composer` category: generated datasets.
    pub struct DatasetComposerCategory {
        name: "dataset_composer",
        title: "Dataset composers",
        description: "Build a dataset in the client (synthetic prompts of a target token length).",
        object: dyn Dataset,
        args: ComposerArgs,
        metadata: (),
        internal: false,
    }
}

/// `DatasetComposerFactory::create_instance("synthetic", args)`.
pub type DatasetComposerFactory = Factory<DatasetComposerCategory>;
